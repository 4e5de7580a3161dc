//! Bearer JWTs (OAuth 2.0 access tokens, OpenID Connect ID tokens) checked
//! against the issuer's published keys (JWKS), fetched and cached.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use jsonwebtoken::jwk::{Jwk, JwkSet};
use jsonwebtoken::{Algorithm, DecodingKey, Validation, errors::ErrorKind as JwtErrorKind};
use serde_json::Value;

use super::{BoxFuture, Credential, Denied, Identity, Verifier};

/// The signing algorithms accepted by default: the asymmetric ones. A
/// token's `alg` header picks among them; HMAC (`HS*`) is never accepted
/// from a JWKS, as anyone holding the published key could sign with it.
const ASYMMETRIC: [Algorithm; 9] = [
    Algorithm::RS256,
    Algorithm::RS384,
    Algorithm::RS512,
    Algorithm::PS256,
    Algorithm::PS384,
    Algorithm::PS512,
    Algorithm::ES256,
    Algorithm::ES384,
    Algorithm::EdDSA,
];

/// The largest JWKS or discovery document read.
const MAX_DOCUMENT: usize = 1 << 20;

/// Checks bearer JWTs: the signature against the issuer's JWKS, then
/// `exp` / `nbf` (with leeway), `iss` and `aud` when configured. The
/// caller is the `sub` claim (or another, see
/// [`JwtVerifierBuilder::caller_claim`]); its scopes come from `scope`
/// (space-separated) or `scp` (a list), for requirements that name scopes.
///
/// Keys are fetched on first use and kept for [`JwtVerifierBuilder::refresh`]
/// (default 10 minutes); a token signed with a key id the cache does not
/// know makes it fetch again at once (the issuer rotated its keys), at most
/// once every [`JwtVerifierBuilder::min_refetch`] (default 10 s) so that
/// forged key ids cannot make the agent hammer the issuer.
///
/// ```no_run
/// use a2akit::server::auth::JwtVerifier;
/// let verifier = JwtVerifier::builder("https://issuer.example/.well-known/jwks.json")
///     .issuer("https://issuer.example/")
///     .audience("https://agent.example/")
///     .build();
/// ```
#[derive(Clone)]
pub struct JwtVerifier {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for JwtVerifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JwtVerifier")
            .field("keys", &self.inner.source)
            .field("issuer", &self.inner.issuer)
            .field("audience", &self.inner.audience)
            .finish_non_exhaustive()
    }
}

/// Where the keys come from.
#[derive(Debug, Clone)]
enum KeySource {
    Jwks(String),
    /// An OpenID Connect discovery document naming `jwks_uri` and `issuer`.
    Discovery(String),
}

struct Inner {
    source: KeySource,
    issuer: Option<String>,
    audience: Vec<String>,
    leeway: Duration,
    algorithms: Vec<Algorithm>,
    caller_claim: String,
    refresh: Duration,
    min_refetch: Duration,
    http: reqwest::Client,
    cache: RwLock<Cache>,
    /// One fetch at a time.
    fetching: tokio::sync::Mutex<()>,
}

#[derive(Default)]
struct Cache {
    keys: HashMap<String, Arc<(Jwk, DecodingKey)>>,
    /// Keys without a key id, tried in turn.
    anonymous: Vec<Arc<(Jwk, DecodingKey)>>,
    fetched: Option<Instant>,
    /// The last fetch tried, whether it worked or not.
    attempted: Option<Instant>,
    /// The issuer named by the discovery document.
    discovered_issuer: Option<String>,
}

/// Builds a [`JwtVerifier`].
#[derive(Debug)]
pub struct JwtVerifierBuilder {
    source: KeySource,
    issuer: Option<String>,
    audience: Vec<String>,
    leeway: Duration,
    algorithms: Vec<Algorithm>,
    caller_claim: String,
    refresh: Duration,
    min_refetch: Duration,
    http: Option<reqwest::Client>,
}

impl JwtVerifier {
    /// Keys from the JWKS at `jwks_url`.
    pub fn builder(jwks_url: impl Into<String>) -> JwtVerifierBuilder {
        JwtVerifierBuilder::new(KeySource::Jwks(jwks_url.into()))
    }

    /// Keys and issuer from an OpenID Connect discovery document (the
    /// card's `openIdConnectUrl`, ending in
    /// `/.well-known/openid-configuration`): its `jwks_uri`, and its
    /// `issuer` as the required `iss` unless [`JwtVerifierBuilder::issuer`]
    /// says otherwise.
    pub fn openid(discovery_url: impl Into<String>) -> JwtVerifierBuilder {
        JwtVerifierBuilder::new(KeySource::Discovery(discovery_url.into()))
    }
}

impl JwtVerifierBuilder {
    fn new(source: KeySource) -> Self {
        Self {
            source,
            issuer: None,
            audience: Vec::new(),
            leeway: Duration::from_secs(60),
            algorithms: ASYMMETRIC.to_vec(),
            caller_claim: "sub".to_owned(),
            refresh: Duration::from_secs(600),
            min_refetch: Duration::from_secs(10),
            http: None,
        }
    }

    /// The `iss` every token must carry.
    pub fn issuer(mut self, issuer: impl Into<String>) -> Self {
        self.issuer = Some(issuer.into());
        self
    }

    /// An `aud` a token must carry (any one of those given). Without one,
    /// the audience is not checked: set it, or a token the issuer made for
    /// another service is good here too.
    pub fn audience(mut self, audience: impl Into<String>) -> Self {
        self.audience.push(audience.into());
        self
    }

    /// Clock skew allowed on `exp` and `nbf` (default 60 s).
    pub fn leeway(mut self, leeway: Duration) -> Self {
        self.leeway = leeway;
        self
    }

    /// The signing algorithms accepted (default: the RSA, RSA-PSS, ECDSA
    /// and EdDSA ones).
    pub fn algorithms(mut self, algorithms: impl IntoIterator<Item = Algorithm>) -> Self {
        self.algorithms = algorithms
            .into_iter()
            .filter(|a| ASYMMETRIC.contains(a))
            .collect();
        self
    }

    /// The claim that names the caller (default `sub`).
    pub fn caller_claim(mut self, claim: impl Into<String>) -> Self {
        self.caller_claim = claim.into();
        self
    }

    /// How long fetched keys are used before they are fetched again
    /// (default 10 minutes).
    pub fn refresh(mut self, every: Duration) -> Self {
        self.refresh = every;
        self
    }

    /// The least time between two fetches caused by unknown key ids
    /// (default 10 s).
    pub fn min_refetch(mut self, every: Duration) -> Self {
        self.min_refetch = every;
        self
    }

    /// The HTTP client the keys are fetched with (default: one with a 10 s timeout).
    pub fn http_client(mut self, client: reqwest::Client) -> Self {
        self.http = Some(client);
        self
    }

    /// The verifier. Nothing is fetched until the first token arrives.
    pub fn build(self) -> JwtVerifier {
        let http = self.http.unwrap_or_else(|| {
            reqwest::Client::builder()
                .timeout(Duration::from_secs(10))
                .build()
                .unwrap_or_default()
        });
        JwtVerifier {
            inner: Arc::new(Inner {
                source: self.source,
                issuer: self.issuer,
                audience: self.audience,
                leeway: self.leeway,
                algorithms: self.algorithms,
                caller_claim: self.caller_claim,
                refresh: self.refresh,
                min_refetch: self.min_refetch,
                http,
                cache: RwLock::default(),
                fetching: tokio::sync::Mutex::new(()),
            }),
        }
    }
}

impl Verifier for JwtVerifier {
    fn verify<'a>(&'a self, credential: &'a Credential) -> BoxFuture<'a, Result<Identity, Denied>> {
        Box::pin(async move {
            match credential {
                Credential::Bearer(token) => self.check(token).await,
                _ => Err(Denied::unauthenticated("a bearer token is expected")),
            }
        })
    }
}

impl JwtVerifier {
    /// Checks a token; who it names, or why it is refused.
    pub async fn check(&self, token: &str) -> Result<Identity, Denied> {
        let inner = &self.inner;
        let header = jsonwebtoken::decode_header(token)
            .map_err(|_| Denied::unauthenticated("the bearer token is not a JWT"))?;
        if !inner.algorithms.contains(&header.alg) {
            return Err(Denied::unauthenticated(format!(
                "tokens signed with {:?} are not accepted",
                header.alg
            )));
        }
        let keys = self.keys_for(header.kid.as_deref()).await?;
        let mut validation = Validation::new(header.alg);
        validation.leeway = inner.leeway.as_secs();
        validation.validate_nbf = true;
        validation.set_required_spec_claims(&["exp"]);
        match &inner.audience[..] {
            [] => validation.validate_aud = false,
            audience => validation.set_audience(audience),
        }
        let issuer = inner
            .issuer
            .clone()
            .or_else(|| self.cache().discovered_issuer.clone());
        if let Some(issuer) = &issuer {
            validation.set_issuer(&[issuer]);
        }
        let mut last = Denied::unauthenticated("the token is signed with a key this agent does not know");
        for key in keys {
            match jsonwebtoken::decode::<serde_json::Map<String, Value>>(token, &key.1, &validation) {
                Ok(data) => return self.identity(&data.claims),
                Err(err) => {
                    last = Denied::unauthenticated(match err.kind() {
                        JwtErrorKind::ExpiredSignature => "the token has expired",
                        JwtErrorKind::ImmatureSignature => "the token is not valid yet",
                        JwtErrorKind::InvalidAudience => "the token was issued for another audience",
                        JwtErrorKind::InvalidIssuer => "the token comes from another issuer",
                        JwtErrorKind::InvalidSignature => "the token's signature does not verify",
                        JwtErrorKind::MissingRequiredClaim(_) => "the token has no expiry (exp)",
                        _ => "the token is not valid",
                    });
                    let other_key_may_do = matches!(
                        err.kind(),
                        JwtErrorKind::InvalidSignature
                            | JwtErrorKind::InvalidAlgorithm
                            | JwtErrorKind::InvalidKeyFormat
                    );
                    if !other_key_may_do {
                        // The right key, a wrong token: no other key will do better.
                        return Err(last);
                    }
                }
            }
        }
        Err(last)
    }

    fn identity(&self, claims: &serde_json::Map<String, Value>) -> Result<Identity, Denied> {
        let caller = claims
            .get(&self.inner.caller_claim)
            .and_then(Value::as_str)
            .filter(|id| !id.is_empty())
            .ok_or_else(|| {
                Denied::unauthenticated(format!(
                    "the token does not name its subject ({})",
                    self.inner.caller_claim
                ))
            })?;
        let mut scopes: Vec<String> = Vec::new();
        if let Some(Value::String(scope)) = claims.get("scope") {
            scopes.extend(scope.split_whitespace().map(str::to_owned));
        }
        match claims.get("scp") {
            Some(Value::Array(list)) => {
                scopes.extend(list.iter().filter_map(Value::as_str).map(str::to_owned))
            }
            Some(Value::String(scp)) => scopes.extend(scp.split_whitespace().map(str::to_owned)),
            _ => {}
        }
        Ok(Identity::new(caller).with_scopes(scopes))
    }

    fn cache(&self) -> std::sync::RwLockReadGuard<'_, Cache> {
        self.inner.cache.read().unwrap_or_else(|p| p.into_inner())
    }

    /// The keys that may have signed a token with key id `kid`, fetching
    /// the JWKS when the cache is stale or does not know `kid`.
    async fn keys_for(&self, kid: Option<&str>) -> Result<Vec<Arc<(Jwk, DecodingKey)>>, Denied> {
        let inner = &self.inner;
        let lookup = |cache: &Cache| -> Vec<Arc<(Jwk, DecodingKey)>> {
            match kid {
                Some(kid) => cache.keys.get(kid).cloned().into_iter().collect(),
                None => cache.keys.values().chain(&cache.anonymous).cloned().collect(),
            }
        };
        let (mut found, attempted, fetched) = {
            let cache = self.cache();
            (lookup(&cache), cache.attempted, cache.fetched)
        };
        let stale = fetched.is_none_or(|at| at.elapsed() >= inner.refresh);
        let may_fetch = attempted.is_none_or(|at| at.elapsed() >= inner.min_refetch);
        if (found.is_empty() || stale) && may_fetch {
            let _one = inner.fetching.lock().await;
            // Another request may have fetched while this one waited.
            if self.cache().attempted == attempted {
                inner.cache.write().unwrap_or_else(|p| p.into_inner()).attempted = Some(Instant::now());
                if let Err(err) = self.fetch().await {
                    tracing::warn!(error = %err, "could not fetch the token issuer's keys");
                }
            }
            found = lookup(&self.cache());
        }
        if !found.is_empty() {
            return Ok(found);
        }
        if self.cache().fetched.is_none() {
            return Err(Denied::unauthenticated(
                "the token issuer's keys cannot be fetched now; try again later",
            ));
        }
        Err(Denied::unauthenticated(
            "the token is signed with a key this agent does not know",
        ))
    }

    async fn fetch(&self) -> Result<(), String> {
        let inner = &self.inner;
        let (jwks_url, discovered_issuer) = match &inner.source {
            KeySource::Jwks(url) => (url.clone(), None),
            KeySource::Discovery(url) => {
                let document: Value = self.get_json(url).await?;
                let jwks = document
                    .get("jwks_uri")
                    .and_then(Value::as_str)
                    .ok_or("the discovery document names no jwks_uri")?;
                let issuer = document.get("issuer").and_then(Value::as_str).map(str::to_owned);
                (jwks.to_owned(), issuer)
            }
        };
        let set: JwkSet = self.get_json(&jwks_url).await?;
        let mut keys = HashMap::new();
        let mut anonymous = Vec::new();
        for jwk in set.keys {
            let Ok(key) = DecodingKey::from_jwk(&jwk) else {
                tracing::debug!(kid = ?jwk.common.key_id, "skipping a JWK this verifier cannot use");
                continue;
            };
            match jwk.common.key_id.clone() {
                Some(kid) => {
                    keys.insert(kid, Arc::new((jwk, key)));
                }
                None => anonymous.push(Arc::new((jwk, key))),
            }
        }
        let mut cache = inner.cache.write().unwrap_or_else(|p| p.into_inner());
        cache.keys = keys;
        cache.anonymous = anonymous;
        cache.fetched = Some(Instant::now());
        cache.discovered_issuer = discovered_issuer;
        Ok(())
    }

    async fn get_json<T: serde::de::DeserializeOwned>(&self, url: &str) -> Result<T, String> {
        let response = self
            .inner
            .http
            .get(url)
            .send()
            .await
            .map_err(|err| format!("GET {url}: {err}"))?;
        if !response.status().is_success() {
            return Err(format!("GET {url}: HTTP {}", response.status()));
        }
        // A key set is a few kilobytes: a larger answer is not read whole.
        let mut response = response;
        let mut body = Vec::new();
        while let Some(chunk) = response
            .chunk()
            .await
            .map_err(|err| format!("GET {url}: {err}"))?
        {
            if body.len() + chunk.len() > MAX_DOCUMENT {
                return Err(format!("GET {url}: the answer exceeds {MAX_DOCUMENT} bytes"));
            }
            body.extend_from_slice(&chunk);
        }
        serde_json::from_slice(&body).map_err(|err| format!("GET {url}: {err}"))
    }
}
