//! Credentials: what a client proves itself with, how it obtains them (a
//! [`CredentialProvider`], which may fetch and refresh them, such as the
//! OAuth 2.0 [`OAuth2ClientCredentials`] flow), and where it may send them.
//!
//! # Where credentials go
//!
//! Credentials are bound to origins (scheme, host and port). By default a
//! client sends them only to the origin the agent's card was fetched from
//! ([`ClientFactory::connect`](super::ClientFactory::connect),
//! [`client_for_card_from`](super::ClientFactory::client_for_card_from)),
//! or to the origin of the interface you named
//! ([`client_for_interface`](super::ClientFactory::client_for_interface)).
//! An interface the card places on another origin is called without them,
//! unless you name its origin with
//! [`credential_origins`](super::ClientFactory::credential_origins), which
//! then replaces the default. An origin also admits the same host and port
//! over TLS (`http://h:50051` admits `https://h:50051`), never the reverse.
//! The public card (`/.well-known/agent-card.json`) is always fetched
//! without credentials; the extended card (`GetExtendedAgentCard`) is a call
//! like the others and gets them. A redirect does not carry them off
//! either: the factory's HTTP client follows redirects only within the
//! origin that answered them (see [`redirect_policy`](super::redirect_policy),
//! which an HTTP client of your own needs too).
//!
//! # Refresh
//!
//! The provider is asked for every request: each call, each retry, and
//! each call a stream makes to resume itself. When the agent refuses one as
//! unauthenticated (HTTP 401, gRPC `UNAUTHENTICATED`), the client tells the
//! provider which credential that request carried
//! ([`CredentialProvider::invalidate`]) and, if the provider says a fresh
//! credential may differ, sends it once more with a fresh one. That is
//! safe for every operation: the agent refused the call before acting on it.
//!
//! ```no_run
//! # async fn run() -> Result<(), a2akit::Error> {
//! use a2akit::client::{ClientFactory, OAuth2ClientCredentials};
//!
//! let oauth = OAuth2ClientCredentials::new("https://login.example.com/oauth2/token", "my-client", "s3cret")
//!     .scope("tasks:write");
//! let client = ClientFactory::new()
//!     .credentials(oauth)
//!     .connect("https://agent.example.com")
//!     .await?;
//! # Ok(()) }
//! ```

mod oauth2;

use std::cell::RefCell;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use base64::Engine as _;

pub use oauth2::{ClientAuthentication, OAuth2ClientCredentials};

use super::interceptor::{ApiKeyLocation, Interceptor, OutgoingRequest};
use crate::jsonrpc::Method;
use crate::{Error, ErrorKind};

/// A credential sent with a call: a bearer token, Basic user and password,
/// an API key, or any header. Its `Debug` shows no secret.
///
/// ```
/// use a2akit::client::Credential;
///
/// let token = Credential::bearer("s3cret");
/// assert_eq!(format!("{token:?}"), "Bearer(…)");
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct Credential(Kind);

#[derive(Clone, PartialEq, Eq)]
enum Kind {
    Bearer(String),
    Basic {
        user: String,
        password: String,
    },
    ApiKey {
        location: ApiKeyLocation,
        name: String,
        value: String,
    },
    Header {
        name: String,
        value: String,
    },
}

impl fmt::Debug for Credential {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            Kind::Bearer(_) => f.write_str("Bearer(…)"),
            Kind::Basic { user, .. } => write!(f, "Basic {{ user: {user:?}, password: … }}"),
            Kind::ApiKey { location, name, .. } => {
                write!(f, "ApiKey {{ location: {location:?}, name: {name:?}, value: … }}")
            }
            Kind::Header { name, .. } => write!(f, "Header {{ name: {name:?}, value: … }}"),
        }
    }
}

fn header_value(text: &str) -> Result<reqwest::header::HeaderValue, Error> {
    let mut value = reqwest::header::HeaderValue::from_str(text)
        .map_err(|_| Error::invalid_params("a credential is not a valid HTTP header value"))?;
    // Kept out of HTTP/2 header compression tables and of logs that honour it.
    value.set_sensitive(true);
    Ok(value)
}

fn header_name(name: &str) -> Result<reqwest::header::HeaderName, Error> {
    reqwest::header::HeaderName::from_bytes(name.as_bytes())
        .map_err(|_| Error::invalid_params(format!("{name:?} is not a header name")))
}

impl Credential {
    /// `Authorization: Bearer <token>`.
    pub fn bearer(token: impl Into<String>) -> Self {
        Self(Kind::Bearer(token.into()))
    }

    /// `Authorization: Basic <base64(user:password)>`.
    pub fn basic(user: impl Into<String>, password: impl Into<String>) -> Self {
        Self(Kind::Basic {
            user: user.into(),
            password: password.into(),
        })
    }

    /// An API key at `location` under `name`. A key in the query has no
    /// gRPC equivalent and is not sent there.
    pub fn api_key(location: ApiKeyLocation, name: impl Into<String>, value: impl Into<String>) -> Self {
        Self(Kind::ApiKey {
            location,
            name: name.into(),
            value: value.into(),
        })
    }

    /// Any header (`X-Token: …`), for a scheme the others do not cover.
    pub fn header(name: impl Into<String>, value: impl Into<String>) -> Self {
        Self(Kind::Header {
            name: name.into(),
            value: value.into(),
        })
    }

    /// The bearer token, if this is one.
    pub fn bearer_token(&self) -> Option<&str> {
        match &self.0 {
            Kind::Bearer(token) => Some(token),
            _ => None,
        }
    }

    /// Puts the credential on `request`, replacing a header of the same name.
    pub fn apply(&self, request: &mut reqwest::Request) -> Result<(), Error> {
        let authorization = match &self.0 {
            Kind::Bearer(token) => Some(format!("Bearer {token}")),
            Kind::Basic { user, password } => Some(format!(
                "Basic {}",
                base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"))
            )),
            _ => None,
        };
        if let Some(authorization) = authorization {
            request
                .headers_mut()
                .insert(reqwest::header::AUTHORIZATION, header_value(&authorization)?);
            return Ok(());
        }
        match &self.0 {
            Kind::ApiKey {
                location: ApiKeyLocation::Header,
                name,
                value,
            }
            | Kind::Header { name, value } => {
                request
                    .headers_mut()
                    .insert(header_name(name)?, header_value(value)?);
            }
            Kind::ApiKey {
                location: ApiKeyLocation::Query,
                name,
                value,
            } => {
                request.url_mut().query_pairs_mut().append_pair(name, value);
            }
            Kind::ApiKey {
                location: ApiKeyLocation::Cookie,
                name,
                value,
            } => {
                let cookie = format!("{name}={value}");
                let value = match request
                    .headers()
                    .get(reqwest::header::COOKIE)
                    .and_then(|v| v.to_str().ok())
                {
                    Some(existing) => format!("{existing}; {cookie}"),
                    None => cookie,
                };
                request
                    .headers_mut()
                    .insert(reqwest::header::COOKIE, header_value(&value)?);
            }
            Kind::Bearer(_) | Kind::Basic { .. } => {}
        }
        Ok(())
    }
}

/// What a [`CredentialProvider`] is asked for: a credential for a call of
/// `method` to `origin`.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct CredentialRequest<'a> {
    /// The origin the call goes to (`https://agent.example.com`), always one
    /// the credentials are bound to.
    pub origin: &'a str,
    /// The operation.
    pub method: Method,
}

/// The future a [`CredentialProvider`] answers with.
pub type CredentialFuture<'a> = Pin<Box<dyn Future<Output = Result<Credential, Error>> + Send + 'a>>;

/// Gives the credential for each call, fetching or refreshing it as needed.
///
/// It is asked before every call to an origin the credentials are bound to
/// (so it should answer from a cache when it can), and told when the agent
/// refused one with [`invalidate`](Self::invalidate). A failure to obtain
/// a credential fails the call with that error.
///
/// ```
/// use std::sync::atomic::{AtomicU64, Ordering};
/// use a2akit::client::{Credential, CredentialFuture, CredentialProvider, CredentialRequest};
///
/// /// A token that changes after each refusal.
/// struct Rotating(AtomicU64);
///
/// impl CredentialProvider for Rotating {
///     fn credential<'a>(&'a self, _request: &'a CredentialRequest<'a>) -> CredentialFuture<'a> {
///         let n = self.0.load(Ordering::SeqCst);
///         Box::pin(async move { Ok(Credential::bearer(format!("token-{n}"))) })
///     }
///
///     fn invalidate(&self, _rejected: &Credential) -> bool {
///         self.0.fetch_add(1, Ordering::SeqCst);
///         true
///     }
/// }
/// ```
pub trait CredentialProvider: Send + Sync + 'static {
    /// The credential for `request`.
    fn credential<'a>(&'a self, request: &'a CredentialRequest<'a>) -> CredentialFuture<'a>;

    /// The agent refused `rejected` as unauthenticated: forget it. Answer
    /// whether the next [`credential`](Self::credential) may give another
    /// one, so that the refused call is worth sending once more. The
    /// default (a credential that never changes) says no.
    fn invalidate(&self, rejected: &Credential) -> bool {
        let _ = rejected;
        false
    }
}

impl CredentialProvider for Credential {
    fn credential<'a>(&'a self, _request: &'a CredentialRequest<'a>) -> CredentialFuture<'a> {
        Box::pin(std::future::ready(Ok(self.clone())))
    }
}

impl<P: CredentialProvider + ?Sized> CredentialProvider for Arc<P> {
    fn credential<'a>(&'a self, request: &'a CredentialRequest<'a>) -> CredentialFuture<'a> {
        (**self).credential(request)
    }

    fn invalidate(&self, rejected: &Credential) -> bool {
        (**self).invalidate(rejected)
    }
}

/// An origin: scheme, host and port.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Origin {
    scheme: String,
    host: String,
    port: u16,
}

impl Origin {
    /// The origin of `url`, if it has a host.
    pub(crate) fn of(url: &reqwest::Url) -> Option<Self> {
        Some(Self {
            scheme: url.scheme().to_ascii_lowercase(),
            host: url.host_str()?.to_ascii_lowercase(),
            port: url.port_or_known_default()?,
        })
    }

    /// The origin of `text`: a URL, or a bare `host:port` (as gRPC
    /// interfaces are written), read as `http://host:port`.
    pub(crate) fn parse(text: &str) -> Result<Self, Error> {
        let text = text.trim();
        let with_scheme = if text.contains("://") {
            text.to_owned()
        } else {
            format!("http://{text}")
        };
        reqwest::Url::parse(&with_scheme)
            .ok()
            .and_then(|url| Self::of(&url))
            .ok_or_else(|| {
                Error::invalid_params(format!(
                    "{:?} is not an origin (scheme, host and port)",
                    super::redact::url(text)
                ))
            })
    }

    /// Whether credentials bound to this origin may go to `target`: the
    /// same origin, or the same host and port over TLS where this one is
    /// plaintext.
    fn admits(&self, target: &Origin) -> bool {
        self.host == target.host
            && self.port == target.port
            && (self.scheme == target.scheme || (self.scheme == "http" && target.scheme == "https"))
    }
}

/// The origins credentials are bound to.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Origins(Vec<Origin>);

impl Origins {
    pub(crate) fn new(origins: Vec<Origin>) -> Self {
        Self(origins)
    }

    /// Whether credentials may go with a request to `url`: one of the
    /// origins, and not the public agent card.
    pub(crate) fn admit(&self, url: &reqwest::Url) -> bool {
        if url.path().ends_with(super::AGENT_CARD_PATH) {
            return false;
        }
        Origin::of(url).is_some_and(|target| self.0.iter().any(|origin| origin.admits(&target)))
    }
}

/// An interceptor that carries credentials, run only on requests to its origins.
pub(crate) struct OriginBound {
    pub(crate) inner: Arc<dyn Interceptor>,
    pub(crate) origins: Arc<Origins>,
}

impl Interceptor for OriginBound {
    fn before(&self, outgoing: &mut OutgoingRequest<'_>) -> Result<(), Error> {
        if self.origins.admit(outgoing.request.url()) {
            self.inner.before(outgoing)?;
        }
        Ok(())
    }

    fn after(&self, method: Method, response: &reqwest::Response) {
        self.inner.after(method, response);
    }

    fn carries_credentials(&self) -> bool {
        true
    }
}

tokio::task_local! {
    /// The credential the call being made sent with its last attempt: set
    /// by the transport that asked the provider, read by [`authorized`]
    /// when the agent refused the call. Each call has its own, so calls
    /// running side by side never see (or invalidate) each other's.
    static SENT: RefCell<Option<Credential>>;
}

/// A client's provider, bound to its origins. The transports ask it for
/// every request ([`prepare`](Self::prepare)) and put the answer on that
/// request themselves, so that each request carries the credential asked
/// for it, resumed streams included.
pub(crate) struct CredentialBinding {
    provider: Arc<dyn CredentialProvider>,
    origins: Arc<Origins>,
}

impl fmt::Debug for CredentialBinding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CredentialBinding")
            .field("origins", &self.origins)
            .finish_non_exhaustive()
    }
}

impl CredentialBinding {
    pub(crate) fn new(provider: Arc<dyn CredentialProvider>, origins: Arc<Origins>) -> Self {
        Self { provider, origins }
    }

    /// Asks the provider for the credential of a call to `url`; `None` when
    /// `url` is not one of the origins. The answer is remembered as what
    /// the current call sent, for [`authorized`].
    pub(crate) async fn prepare(
        &self,
        method: Method,
        url: &reqwest::Url,
    ) -> Result<Option<Credential>, Error> {
        if !self.origins.admit(url) {
            return Ok(None);
        }
        let origin = url.origin().ascii_serialization();
        let request = CredentialRequest {
            origin: &origin,
            method,
        };
        let credential = self.provider.credential(&request).await?;
        // Outside `authorized` (no refusal to answer) there is nothing to note.
        let _ = SENT.try_with(|sent| sent.replace(Some(credential.clone())));
        Ok(Some(credential))
    }

    /// The agent refused `rejected`: whether a fresh credential may differ.
    pub(crate) fn invalidate(&self, rejected: &Credential) -> bool {
        self.provider.invalidate(rejected)
    }
}

/// Runs `attempt` (a call through a transport that asks `credentials` for
/// its credential), and once more when the agent refused the credential
/// that call sent as unauthenticated and the provider says a fresh one may
/// differ. Repeating is safe for every operation: a refused call was not
/// acted on. Without credentials, `attempt` runs once.
pub(crate) async fn authorized<T, F, Fut>(
    credentials: Option<&CredentialBinding>,
    attempt: F,
) -> Result<T, Error>
where
    F: Fn() -> Fut,
    Fut: Future<Output = Result<T, Error>>,
{
    let Some(credentials) = credentials else {
        return attempt().await;
    };
    let (result, sent) = SENT
        .scope(RefCell::new(None), async {
            let result = attempt().await;
            (result, SENT.with(RefCell::take))
        })
        .await;
    match result {
        Err(err) if err.kind() == ErrorKind::Unauthenticated => match sent {
            Some(rejected) if credentials.invalidate(&rejected) => attempt().await,
            _ => Err(err),
        },
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(text: &str) -> reqwest::Url {
        reqwest::Url::parse(text).unwrap()
    }

    #[test]
    fn origins_admit_their_own_host_and_port_and_tls_upgrades_only() {
        let origins = Origins::new(vec![
            Origin::parse("http://agent.example.com:8080").unwrap(),
            Origin::parse("127.0.0.1:50051").unwrap(),
        ]);
        assert!(origins.admit(&url("http://agent.example.com:8080/a2a")));
        assert!(origins.admit(&url("https://AGENT.example.com:8080/")));
        assert!(!origins.admit(&url("http://agent.example.com:8081/")));
        assert!(!origins.admit(&url("http://evil.example.com:8080/")));
        assert!(origins.admit(&url("http://127.0.0.1:50051")));
        assert!(origins.admit(&url("https://127.0.0.1:50051")));
        assert!(!origins.admit(&url("http://agent.example.com:8080/.well-known/agent-card.json")));
        let tls = Origins::new(vec![Origin::parse("https://agent.example.com").unwrap()]);
        assert!(tls.admit(&url("https://agent.example.com:443/x")));
        assert!(!tls.admit(&url("http://agent.example.com:443/x")));
        assert!(Origin::parse("no host here://").is_err());
    }

    #[tokio::test]
    async fn a_plaintext_target_gets_no_credential_of_a_tls_origin() {
        let origins = Arc::new(Origins::new(vec![
            Origin::parse("https://agent.example.com").unwrap(),
        ]));
        let binding = CredentialBinding::new(Arc::new(Credential::bearer("t")), origins);
        let sent = binding
            .prepare(Method::SendMessage, &url("https://agent.example.com:443"))
            .await
            .unwrap();
        assert_eq!(sent, Some(Credential::bearer("t")));
        let plaintext = binding
            .prepare(Method::SendMessage, &url("http://agent.example.com:443"))
            .await
            .unwrap();
        assert_eq!(plaintext, None);
    }

    /// Gives `token-N`, N counting the fetches, and records what it was told was refused.
    #[derive(Default)]
    struct Counting {
        fetches: std::sync::atomic::AtomicU64,
        refused: std::sync::Mutex<Vec<Credential>>,
    }

    impl CredentialProvider for Counting {
        fn credential<'a>(&'a self, _request: &'a CredentialRequest<'a>) -> CredentialFuture<'a> {
            let n = self.fetches.fetch_add(1, std::sync::atomic::Ordering::SeqCst) + 1;
            Box::pin(async move { Ok(Credential::bearer(format!("token-{n}"))) })
        }

        fn invalidate(&self, rejected: &Credential) -> bool {
            self.refused.lock().unwrap().push(rejected.clone());
            true
        }
    }

    #[tokio::test]
    async fn a_refusal_invalidates_the_credential_that_call_sent_not_another_calls() {
        let provider = Arc::new(Counting::default());
        let origins = Arc::new(Origins::new(vec![
            Origin::parse("https://agent.example.com").unwrap(),
        ]));
        let binding = CredentialBinding::new(provider.clone(), origins);
        let target = url("https://agent.example.com/a2a");
        let attempts = std::sync::atomic::AtomicU64::new(0);
        let answer = authorized(Some(&binding), || async {
            let sent = binding.prepare(Method::GetTask, &target).await?;
            // Another call, side by side, is given another credential meanwhile.
            authorized(Some(&binding), || async {
                binding.prepare(Method::ListTasks, &target).await.map(|_| ())
            })
            .await?;
            match attempts.fetch_add(1, std::sync::atomic::Ordering::SeqCst) {
                0 => Err(Error::unauthenticated("expired")),
                _ => Ok(sent),
            }
        })
        .await
        .unwrap();
        assert_eq!(*provider.refused.lock().unwrap(), [Credential::bearer("token-1")]);
        assert_eq!(answer, Some(Credential::bearer("token-3")));
        // Refused again: no third attempt.
        let err = authorized(Some(&binding), || async {
            binding.prepare(Method::GetTask, &target).await?;
            Err::<(), _>(Error::unauthenticated("no"))
        })
        .await
        .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Unauthenticated);
        assert_eq!(provider.refused.lock().unwrap().len(), 2);
    }

    #[test]
    fn credentials_show_no_secret() {
        for credential in [
            Credential::bearer("s3cret"),
            Credential::basic("ann", "s3cret"),
            Credential::api_key(ApiKeyLocation::Query, "key", "s3cret"),
            Credential::header("X-Token", "s3cret"),
        ] {
            assert!(!format!("{credential:?}").contains("s3cret"));
        }
    }
}
