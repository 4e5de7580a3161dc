//! The OAuth 2.0 client credentials grant (RFC 6749 §4.4): a token fetched
//! from the token endpoint with the client's id and secret, kept until
//! shortly before it expires, fetched anew when the agent refuses it (on
//! every call, resumed streams included).

use std::fmt;
use std::time::{Duration, Instant};

use serde::Deserialize;

use super::{Credential, CredentialFuture, CredentialProvider, CredentialRequest};
use crate::client::redact;
use crate::{Error, ErrorKind};

/// The largest token endpoint answer read.
const MAX_TOKEN_RESPONSE: usize = 64 << 10;

/// The longest a token is kept, whatever lifetime the endpoint gives it: a
/// huge `expires_in` must neither overflow the clock nor mean "forever".
const LONGEST_KEPT: Duration = Duration::from_secs(365 * 24 * 3600);

/// How the client proves itself to the token endpoint (RFC 6749 §2.3.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum ClientAuthentication {
    /// `client_id` and `client_secret` in the form body (`client_secret_post`).
    #[default]
    RequestBody,
    /// HTTP Basic with the form-encoded id and secret (`client_secret_basic`).
    BasicAuth,
}

/// Bearer tokens from an OAuth 2.0 token endpoint with the client
/// credentials grant: a form-encoded `POST` of `grant_type=client_credentials`,
/// the client's id and secret, and the scopes asked for.
///
/// The token is kept until `expires_in` minus a margin (30 s by default,
/// and at most half the lifetime; a year at most), shared by every call
/// and every client using this provider; concurrent calls wait for one
/// fetch. A token the agent refuses is dropped and fetched anew (once per
/// refused call, a resumed stream's calls included).
///
/// Its HTTP client follows no redirect: the token request carries the
/// client secret, which a 307 or 308 would post again to wherever the
/// endpoint points.
///
/// ```no_run
/// # async fn run() -> Result<(), a2akit::Error> {
/// use std::time::Duration;
/// use a2akit::client::{ClientFactory, OAuth2ClientCredentials};
///
/// let tokens = OAuth2ClientCredentials::new("https://login.example.com/token", "agent-caller", "s3cret")
///     .scope("tasks:read")
///     .scope("tasks:write")
///     .refresh_margin(Duration::from_secs(60));
/// let client = ClientFactory::new().credentials(tokens).connect("https://agent.example.com").await?;
/// # Ok(()) }
/// ```
pub struct OAuth2ClientCredentials {
    token_url: String,
    client_id: String,
    client_secret: String,
    scopes: Vec<String>,
    parameters: Vec<(String, String)>,
    authentication: ClientAuthentication,
    margin: Duration,
    timeout: Duration,
    http: reqwest::Client,
    cached: std::sync::Mutex<Option<Cached>>,
    /// Held while a token is fetched, so that concurrent calls share one fetch.
    fetching: tokio::sync::Mutex<()>,
}

#[derive(Clone)]
struct Cached {
    token: String,
    /// `None`: the endpoint gave no lifetime; kept until refused.
    fresh_until: Option<Instant>,
}

impl fmt::Debug for OAuth2ClientCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OAuth2ClientCredentials")
            .field("token_url", &redact::url(&self.token_url))
            .field("client_id", &self.client_id)
            .field("scopes", &self.scopes)
            .finish_non_exhaustive()
    }
}

/// A successful token response (RFC 6749 §5.1).
#[derive(Deserialize)]
struct TokenResponse {
    access_token: String,
    #[serde(default)]
    token_type: Option<String>,
    #[serde(default, deserialize_with = "lifetime")]
    expires_in: Option<u64>,
}

/// An error response (RFC 6749 §5.2).
#[derive(Deserialize)]
struct TokenError {
    error: String,
    #[serde(default)]
    error_description: Option<String>,
}

/// `expires_in` as a number, or as a string of digits (some servers send one).
fn lifetime<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Option<u64>, D::Error> {
    let value = Option::<serde_json::Value>::deserialize(deserializer)?;
    Ok(match value {
        Some(serde_json::Value::Number(n)) => n.as_u64().or_else(|| n.as_f64().map(|f| f.max(0.0) as u64)),
        Some(serde_json::Value::String(s)) => s.trim().parse().ok(),
        _ => None,
    })
}

impl OAuth2ClientCredentials {
    /// Tokens from `token_url` for the client `client_id` with `client_secret`.
    pub fn new(
        token_url: impl Into<String>,
        client_id: impl Into<String>,
        client_secret: impl Into<String>,
    ) -> Self {
        let http = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(10))
            .redirect(reqwest::redirect::Policy::none())
            .referer(false)
            .build()
            .unwrap_or_default();
        Self {
            token_url: token_url.into(),
            client_id: client_id.into(),
            client_secret: client_secret.into(),
            scopes: Vec::new(),
            parameters: Vec::new(),
            authentication: ClientAuthentication::default(),
            margin: Duration::from_secs(30),
            timeout: Duration::from_secs(30),
            http,
            cached: std::sync::Mutex::new(None),
            fetching: tokio::sync::Mutex::new(()),
        }
    }

    /// Asks for `scope` too (sent space-separated as `scope`).
    pub fn scope(mut self, scope: impl Into<String>) -> Self {
        self.scopes.push(scope.into());
        self
    }

    /// Adds a form parameter to the token request (`audience`, `resource`…).
    pub fn parameter(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.parameters.push((name.into(), value.into()));
        self
    }

    /// How the client authenticates to the token endpoint (default: in the body).
    pub fn authentication(mut self, how: ClientAuthentication) -> Self {
        self.authentication = how;
        self
    }

    /// How long before its expiry a token is replaced (default 30 s).
    pub fn refresh_margin(mut self, margin: Duration) -> Self {
        self.margin = margin;
        self
    }

    /// Bounds one token request (default 30 s).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// The HTTP client for the token endpoint (proxies, TLS roots…).
    ///
    /// Build it with `.redirect(reqwest::redirect::Policy::none())`:
    /// reqwest's default policy follows a 307 or 308 to any host, posting
    /// the form, client secret included, there again.
    ///
    /// ```
    /// use a2akit::client::OAuth2ClientCredentials;
    ///
    /// let http = reqwest::Client::builder()
    ///     .redirect(reqwest::redirect::Policy::none())
    ///     .build()
    ///     .unwrap();
    /// let tokens = OAuth2ClientCredentials::new("https://login.example.com/token", "me", "s3cret")
    ///     .http_client(http);
    /// ```
    pub fn http_client(mut self, http: reqwest::Client) -> Self {
        self.http = http;
        self
    }

    fn cache(&self) -> std::sync::MutexGuard<'_, Option<Cached>> {
        self.cached
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The kept token, while it is fresh.
    fn fresh(&self) -> Option<String> {
        let cache = self.cache();
        let cached = cache.as_ref()?;
        match cached.fresh_until {
            Some(until) if Instant::now() >= until => None,
            _ => Some(cached.token.clone()),
        }
    }

    /// A token: the kept one while fresh, else one fetch shared by every
    /// caller waiting for it.
    pub async fn token(&self) -> Result<String, Error> {
        if let Some(token) = self.fresh() {
            return Ok(token);
        }
        let _fetching = self.fetching.lock().await;
        // Another caller may have fetched one while this one waited.
        if let Some(token) = self.fresh() {
            return Ok(token);
        }
        let (token, lifetime) = self.fetch().await?;
        let fresh_until = lifetime.and_then(|lifetime| kept_until(Instant::now(), lifetime, self.margin));
        *self.cache() = Some(Cached {
            token: token.clone(),
            fresh_until,
        });
        Ok(token)
    }

    /// One token request.
    async fn fetch(&self) -> Result<(String, Option<Duration>), Error> {
        let shown = redact::url(&self.token_url);
        let mut form: Vec<(&str, &str)> = vec![("grant_type", "client_credentials")];
        let scope = self.scopes.join(" ");
        if !scope.is_empty() {
            form.push(("scope", &scope));
        }
        for (name, value) in &self.parameters {
            form.push((name, value));
        }
        let mut request = self
            .http
            .post(&self.token_url)
            .header(reqwest::header::ACCEPT, "application/json")
            .timeout(self.timeout);
        match self.authentication {
            ClientAuthentication::RequestBody => {
                form.push(("client_id", &self.client_id));
                form.push(("client_secret", &self.client_secret));
            }
            ClientAuthentication::BasicAuth => {
                let encode =
                    |text: &str| form_urlencoded::byte_serialize(text.as_bytes()).collect::<String>();
                request = request.basic_auth(encode(&self.client_id), Some(encode(&self.client_secret)));
            }
        }
        let body = form_urlencoded::Serializer::new(String::new())
            .extend_pairs(form)
            .finish();
        let response = request
            .header(reqwest::header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(body)
            .send()
            .await
            .map_err(|err| {
                let kind = if err.is_timeout() {
                    ErrorKind::Timeout
                } else {
                    ErrorKind::Connect
                };
                Error::new(kind, format!("the token endpoint {shown} could not be reached"))
                    .with_source(err.without_url())
            })?;
        let status = response.status();
        let body = crate::client::transport::read_body(response, MAX_TOKEN_RESPONSE).await?;
        if !status.is_success() {
            let refusal = serde_json::from_slice::<TokenError>(&body).ok();
            let kind = match (status.as_u16(), &refusal) {
                (400 | 401 | 403, Some(_)) | (401, None) => ErrorKind::Unauthenticated,
                _ => ErrorKind::UnexpectedStatus,
            };
            let why = match refusal {
                Some(refusal) => {
                    let description = refusal
                        .error_description
                        .map(|d| format!(" ({})", crate::client::transport::excerpt(d.as_bytes())))
                        .unwrap_or_default();
                    format!(
                        "{}{description}",
                        crate::client::transport::excerpt(refusal.error.as_bytes())
                    )
                }
                None => format!("HTTP {status}"),
            };
            return Err(Error::new(
                kind,
                format!("the token endpoint {shown} refused the client credentials: {why}"),
            ));
        }
        // The parser's error is not kept: it may quote the answer, token included.
        let answer: TokenResponse = serde_json::from_slice(&body).map_err(|_| {
            Error::new(
                ErrorKind::InvalidResponse,
                format!("the token endpoint {shown} answered something other than a token response"),
            )
        })?;
        if let Some(kind) = &answer.token_type {
            if !kind.eq_ignore_ascii_case("bearer") {
                return Err(Error::new(
                    ErrorKind::InvalidResponse,
                    format!(
                        "the token endpoint {shown} issued a {:?} token; only bearer tokens are supported",
                        crate::client::transport::excerpt(kind.as_bytes())
                    ),
                ));
            }
        }
        if answer.access_token.is_empty() {
            return Err(Error::new(
                ErrorKind::InvalidResponse,
                format!("the token endpoint {shown} issued an empty token"),
            ));
        }
        Ok((answer.access_token, answer.expires_in.map(Duration::from_secs)))
    }
}

/// Until when a token fetched at `now` with `lifetime` is kept: the
/// lifetime (a year at most) less the margin, but at least half of it;
/// `None` (kept until refused) should the clock not reach that far.
fn kept_until(now: Instant, lifetime: Duration, margin: Duration) -> Option<Instant> {
    let lifetime = lifetime.min(LONGEST_KEPT);
    let keep = lifetime.saturating_sub(margin).max(lifetime / 2);
    now.checked_add(keep)
}

impl CredentialProvider for OAuth2ClientCredentials {
    fn credential<'a>(&'a self, _request: &'a CredentialRequest<'a>) -> CredentialFuture<'a> {
        Box::pin(async move { self.token().await.map(Credential::bearer) })
    }

    fn invalidate(&self, rejected: &Credential) -> bool {
        let Some(token) = rejected.bearer_token() else {
            return false;
        };
        let mut cache = self.cache();
        if cache.as_ref().is_some_and(|cached| cached.token == token) {
            *cache = None;
        }
        // Either it was dropped, or a newer token has replaced it already.
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_huge_lifetime_keeps_the_token_a_year_not_never() {
        let now = Instant::now();
        let margin = Duration::from_secs(30);
        let year = kept_until(now, Duration::from_secs(u64::MAX), margin).expect("a time to refresh");
        assert!(
            year > now + Duration::from_secs(364 * 24 * 3600),
            "{:?}",
            year - now
        );
        assert_eq!(year, kept_until(now, LONGEST_KEPT, margin).unwrap());
        // Short lifetimes: the margin, but never more than half.
        assert_eq!(
            kept_until(now, Duration::from_secs(3600), margin),
            Some(now + Duration::from_secs(3570))
        );
        assert_eq!(
            kept_until(now, Duration::from_secs(40), margin),
            Some(now + Duration::from_secs(20))
        );
        assert_eq!(kept_until(now, Duration::ZERO, margin), Some(now));
    }
}
