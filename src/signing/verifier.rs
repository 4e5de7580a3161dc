//! Verifying cards as a client: against the caller's keys, and against
//! key sets fetched from the `jku` URLs the caller trusts.
//!
//! A `jku` is named by the card itself, so fetching whatever it names
//! would let whoever altered a card point at a key set of their own: a key
//! set is fetched only from a location the caller trusts
//! ([`CardVerifier::trust_jku`]), over https unless the caller allows
//! http, without following redirects, read up to 1 MiB, and kept for a
//! while so that verifying the same agent's card again costs no request.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::error::{SignatureError, SignatureErrorKind, shown};
use super::keys::{KeySet, VerifyingKey};
use super::verify::{self, KeySource, Protected, VerifiedSignature};
use crate::types::AgentCard;
use crate::{Error, ErrorKind};

/// The largest key set document read.
pub const MAX_JWKS_SIZE: usize = 1 << 20;

/// The most key sets fetched to verify one card.
const MAX_FETCHES_PER_CARD: usize = 4;

/// The most key sets kept.
const MAX_CACHED: usize = 32;

/// How soon a key set may be fetched again for a key id it lacked: a key
/// rotated in is found within this, and a card naming unknown kids cannot
/// make the verifier fetch on every call.
const MIN_REFETCH: Duration = Duration::from_secs(30);

/// How long a fetch may take, connection included.
const FETCH_TIMEOUT: Duration = Duration::from_secs(10);

struct CachedSet {
    keys: Arc<KeySet>,
    fetched: Instant,
}

/// Checks agent cards' signatures: at least one must be made, over the
/// card as it is, by a key the caller trusts. Keys are the caller's own
/// ([`new`](Self::new)) or published in a JWK Set at a `jku` URL under a
/// location the caller trusts ([`trust_jku`](Self::trust_jku)).
///
/// Given to [`ClientFactory::require_signed_card`](crate::client::ClientFactory::require_signed_card),
/// it refuses every card that does not verify before any call is made.
///
/// ```no_run
/// # async fn run(card: a2akit::types::AgentCard) -> Result<(), a2akit::signing::SignatureError> {
/// use a2akit::signing::{CardVerifier, KeySet};
///
/// let verifier = CardVerifier::new(KeySet::new())
///     .trust_jku("https://agent.example.com/.well-known/");
/// let verified = verifier.verify(&card).await?;
/// println!("signed by {}", verified.kid);
/// # Ok(()) }
/// ```
pub struct CardVerifier {
    keys: KeySet,
    trusted: Vec<reqwest::Url>,
    /// Why a location given to `trust_jku` is none.
    misconfigured: Option<SignatureError>,
    allow_http: bool,
    ttl: Duration,
    http: reqwest::Client,
    cache: Mutex<HashMap<String, CachedSet>>,
}

impl std::fmt::Debug for CardVerifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CardVerifier")
            .field("keys", &self.keys)
            .field(
                "trusted",
                &self.trusted.iter().map(reqwest::Url::as_str).collect::<Vec<_>>(),
            )
            .field("allow_http", &self.allow_http)
            .finish_non_exhaustive()
    }
}

impl From<KeySet> for CardVerifier {
    fn from(keys: KeySet) -> Self {
        Self::new(keys)
    }
}

impl From<VerifyingKey> for CardVerifier {
    fn from(key: VerifyingKey) -> Self {
        Self::new(KeySet::from(key))
    }
}

fn fetch_error(why: impl Into<String>) -> SignatureError {
    SignatureError::new(SignatureErrorKind::KeyFetch, why)
}

/// A URL as a message may show it: no user information, no query.
fn shown_url(url: &reqwest::Url) -> String {
    let port = url.port().map(|port| format!(":{port}")).unwrap_or_default();
    let query = if url.query().is_some() { "?…" } else { "" };
    format!(
        "{}://{}{port}{}{query}",
        url.scheme(),
        url.host_str().unwrap_or_default(),
        url.path()
    )
}

impl CardVerifier {
    /// A verifier trusting `keys` and no key set location.
    pub fn new(keys: KeySet) -> Self {
        let http = reqwest::Client::builder()
            .connect_timeout(FETCH_TIMEOUT)
            .timeout(FETCH_TIMEOUT)
            .redirect(reqwest::redirect::Policy::none())
            .referer(false)
            .build()
            .expect("the default HTTP client builds");
        Self {
            keys,
            trusted: Vec::new(),
            misconfigured: None,
            allow_http: false,
            ttl: Duration::from_secs(600),
            http,
            cache: Mutex::default(),
        }
    }

    /// Trusts the key sets published under `location`: a `jku` on the
    /// same scheme, host and port, whose path is `location`'s path or
    /// below it (`https://agent.example.com/keys/` covers
    /// `https://agent.example.com/keys/jwks.json`; `…/keys` covers `…/keys`
    /// and `…/keys/…`). Anyone who can publish there can sign cards this
    /// verifier accepts. A `location` that is not an http(s) URL makes
    /// every verification fail, saying so.
    pub fn trust_jku(mut self, location: &str) -> Self {
        match reqwest::Url::parse(location) {
            Ok(url) if matches!(url.scheme(), "https" | "http") && url.host_str().is_some() => {
                self.trusted.push(url);
            }
            _ => {
                self.misconfigured.get_or_insert_with(|| {
                    SignatureError::new(
                        SignatureErrorKind::InvalidKey,
                        format!(
                            "the trusted key set location {} is not an http(s) URL",
                            shown(location)
                        ),
                    )
                });
            }
        }
        self
    }

    /// Lets key sets be fetched over plain http (for tests on a loopback
    /// address): by default only https is, whatever the trusted locations say.
    pub fn allow_http_jku(mut self, yes: bool) -> Self {
        self.allow_http = yes;
        self
    }

    /// How long a fetched key set is used before it is fetched again
    /// (default 10 minutes). A key removed from the set is no longer
    /// trusted after at most this long.
    pub fn jwks_ttl(mut self, ttl: Duration) -> Self {
        self.ttl = ttl;
        self
    }

    /// Fetches key sets with this HTTP client (custom roots, proxies…)
    /// instead of the default one (10 s timeout, no redirects followed).
    /// Its redirect policy applies: keep redirects off, or within the origin.
    pub fn with_http_client(mut self, http: reqwest::Client) -> Self {
        self.http = http;
        self
    }

    /// The keys it trusts directly.
    pub fn keys(&self) -> &KeySet {
        &self.keys
    }

    /// Checks `card`: at least one of its signatures must be made, over
    /// the card as it is, by a trusted key, fetching the key sets of
    /// trusted `jku` locations as needed (see
    /// [`verify_card`](super::verify_card) for the rules and the error).
    pub async fn verify(&self, card: &AgentCard) -> Result<VerifiedSignature, SignatureError> {
        if let Some(err) = &self.misconfigured {
            return Err(err.clone());
        }
        let (headers, _) = verify::headers(card);
        let mut fetched = HashMap::new();
        for header in headers.iter().flatten() {
            let Some(jku) = &header.jku else { continue };
            let known = self.keys.with_kid(&header.kid).next().is_some();
            if known || fetched.contains_key(jku) || fetched.len() >= MAX_FETCHES_PER_CARD {
                continue;
            }
            let keys = self.key_set(jku, &header.kid).await;
            fetched.insert(jku.clone(), keys);
        }
        verify::verify_with(
            card,
            &Keys {
                verifier: self,
                fetched: &fetched,
            },
        )
    }

    /// [`verify`](Self::verify) without fetching: with the trusted keys and
    /// the key sets fetched before (even if they are older than the TTL).
    pub fn verify_cached(&self, card: &AgentCard) -> Result<VerifiedSignature, SignatureError> {
        if let Some(err) = &self.misconfigured {
            return Err(err.clone());
        }
        let (headers, _) = verify::headers(card);
        let mut fetched = HashMap::new();
        {
            let cache = self.lock();
            for header in headers.iter().flatten() {
                let Some(jku) = &header.jku else { continue };
                let Ok(url) = self.trusted_url(jku) else { continue };
                if let Some(entry) = cache.get(url.as_str()) {
                    fetched.insert(jku.clone(), Ok(Arc::clone(&entry.keys)));
                }
            }
        }
        verify::verify_with(
            card,
            &Keys {
                verifier: self,
                fetched: &fetched,
            },
        )
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, CachedSet>> {
        self.cache.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// `jku` parsed, if it lies under a trusted location and may be fetched.
    fn trusted_url(&self, jku: &str) -> Result<reqwest::Url, SignatureError> {
        let url = reqwest::Url::parse(jku).map_err(|_| {
            SignatureError::new(
                SignatureErrorKind::UnknownKey,
                format!("its `jku` {} is not a URL", shown(jku)),
            )
        })?;
        let covered = url.username().is_empty()
            && url.password().is_none()
            && self.trusted.iter().any(|location| covers(location, &url));
        if !covered {
            return Err(SignatureError::new(
                SignatureErrorKind::UnknownKey,
                format!(
                    "its key set {} is not at a trusted location (see `CardVerifier::trust_jku`)",
                    shown_url(&url)
                ),
            ));
        }
        if url.scheme() != "https" && !self.allow_http {
            return Err(fetch_error(format!(
                "its key set {} is not fetched: key sets are fetched over https only",
                shown_url(&url)
            )));
        }
        Ok(url)
    }

    /// The key set at `jku`, from the cache while it is fresh and, when it
    /// lacks `kid`, fetched again if it is old enough.
    async fn key_set(&self, jku: &str, kid: &str) -> Result<Arc<KeySet>, SignatureError> {
        let url = self.trusted_url(jku)?;
        if let Some(entry) = self.lock().get(url.as_str()) {
            let age = entry.fetched.elapsed();
            let has_kid = entry.keys.with_kid(kid).next().is_some();
            if age < self.ttl && (has_kid || age < MIN_REFETCH) {
                return Ok(Arc::clone(&entry.keys));
            }
        }
        let keys = Arc::new(self.fetch(&url).await?);
        let mut cache = self.lock();
        if cache.len() >= MAX_CACHED && !cache.contains_key(url.as_str()) {
            let oldest = cache
                .iter()
                .min_by_key(|(_, entry)| entry.fetched)
                .map(|(url, _)| url.clone());
            if let Some(oldest) = oldest {
                cache.remove(&oldest);
            }
        }
        cache.insert(
            url.as_str().to_owned(),
            CachedSet {
                keys: Arc::clone(&keys),
                fetched: Instant::now(),
            },
        );
        Ok(keys)
    }

    async fn fetch(&self, url: &reqwest::Url) -> Result<KeySet, SignatureError> {
        let shown = shown_url(url);
        let mut response = self
            .http
            .get(url.clone())
            .header(
                reqwest::header::ACCEPT,
                "application/jwk-set+json, application/json",
            )
            .send()
            .await
            .map_err(|err| {
                fetch_error(format!(
                    "the key set {shown} could not be fetched: {}",
                    err.without_url()
                ))
            })?;
        if !response.status().is_success() {
            return Err(fetch_error(format!(
                "the key set {shown} could not be fetched: HTTP {}",
                response.status()
            )));
        }
        let too_large = || {
            fetch_error(format!(
                "the key set {shown} is larger than {MAX_JWKS_SIZE} bytes"
            ))
        };
        if response
            .content_length()
            .is_some_and(|len| len > MAX_JWKS_SIZE as u64)
        {
            return Err(too_large());
        }
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(|err| {
            fetch_error(format!(
                "the key set {shown} could not be read: {}",
                err.without_url()
            ))
        })? {
            if body.len() + chunk.len() > MAX_JWKS_SIZE {
                return Err(too_large());
            }
            body.extend_from_slice(&chunk);
        }
        KeySet::from_jwks(&body)
            .map_err(|err| fetch_error(format!("the key set {shown} is not usable: {}", err.message())))
    }

    /// Checks a card a client is about to use, as an [`Error`] the factory returns.
    pub(crate) async fn check(&self, card: &AgentCard, place: &str) -> Result<(), Error> {
        self.verify(card)
            .await
            .map(drop)
            .map_err(|err| refusal(err, place))
    }

    /// [`check`](Self::check) without fetching.
    pub(crate) fn check_cached(&self, card: &AgentCard, place: &str) -> Result<(), Error> {
        self.verify_cached(card)
            .map(drop)
            .map_err(|err| refusal(err, place))
    }
}

/// Whether `location` covers `url`: same origin, and a path at or below its path.
fn covers(location: &reqwest::Url, url: &reqwest::Url) -> bool {
    if location.scheme() != url.scheme()
        || location.host_str() != url.host_str()
        || location.port_or_known_default() != url.port_or_known_default()
    {
        return false;
    }
    let (base, path) = (location.path(), url.path());
    if base.ends_with('/') {
        path.starts_with(base)
    } else {
        path == base || path.strip_prefix(base).is_some_and(|rest| rest.starts_with('/'))
    }
}

/// The keys a verification may use: the trusted ones, and the key sets
/// fetched for it.
struct Keys<'a> {
    verifier: &'a CardVerifier,
    fetched: &'a HashMap<String, Result<Arc<KeySet>, SignatureError>>,
}

impl KeySource for Keys<'_> {
    fn keys_for(&self, header: &Protected) -> Result<Vec<VerifyingKey>, SignatureError> {
        let trusted: Vec<VerifyingKey> = self.verifier.keys.with_kid(&header.kid).cloned().collect();
        if !trusted.is_empty() {
            return Ok(trusted);
        }
        let unknown = |why: String| SignatureError::new(SignatureErrorKind::UnknownKey, why);
        let Some(jku) = &header.jku else {
            return Err(unknown(format!(
                "no trusted key has the kid {} and the signature names no key set (`jku`)",
                shown(&header.kid)
            )));
        };
        let url = self.verifier.trusted_url(jku)?;
        match self.fetched.get(jku) {
            Some(Ok(set)) => {
                let keys: Vec<VerifyingKey> = set.with_kid(&header.kid).cloned().collect();
                if keys.is_empty() {
                    return Err(unknown(format!(
                        "the key set {} has no key with the kid {}",
                        shown_url(&url),
                        shown(&header.kid)
                    )));
                }
                Ok(keys)
            }
            Some(Err(err)) => Err(err.clone()),
            None => Err(unknown(format!(
                "the key set {} was not fetched for the kid {}",
                shown_url(&url),
                shown(&header.kid)
            ))),
        }
    }
}

/// A card refused by the verifier, as the client reports it.
fn refusal(err: SignatureError, place: &str) -> Error {
    Error::new(
        ErrorKind::InvalidResponse,
        format!("the agent card{place} is refused: {err}"),
    )
    .with_source(err)
}

/// Whether `err` is a card refused for its signatures.
pub(crate) fn is_refusal(err: &Error) -> bool {
    std::error::Error::source(err).is_some_and(|source| source.is::<SignatureError>())
}
