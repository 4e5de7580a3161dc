//! Authentication enforced from the agent card.
//!
//! A card says how callers authenticate: its `securitySchemes` name the
//! ways (an API key, HTTP Bearer or Basic, OAuth 2.0, OpenID Connect), and
//! its `securityRequirements` say which combinations are enough (any one
//! requirement, with every scheme it lists; mutual TLS when served with
//! [`serve_tls`](crate::server::tls::serve_tls)). An [`Authenticator`] is built
//! from the card and one [`Verifier`] per scheme; it takes each request's
//! credentials from where the scheme puts them, asks the verifier, and
//! either lets the request through with its [`Caller`] in the request's
//! extensions (tasks then belong to that caller) or answers it:
//!
//! | outcome | JSON-RPC | HTTP+JSON | gRPC |
//! |---|---|---|---|
//! | no or wrong credentials | HTTP 401, `WWW-Authenticate`, error `-31401` | HTTP 401, `WWW-Authenticate`, `UNAUTHENTICATED` | `UNAUTHENTICATED` |
//! | known, but not allowed (scopes) | HTTP 403, error `-31403` | HTTP 403, `PERMISSION_DENIED` | `PERMISSION_DENIED` |
//!
//! The request body is not read before the caller is known, so a JSON-RPC
//! refusal carries `"id": null`. The public card stays public: mount it
//! outside the layer ([`Routes::authenticate`](crate::server::http::Routes::authenticate)
//! does). A card with security requirements but no `securityRequirements`
//! list accepts any one of its schemes.
//!
//! ```
//! use a2akit::server::auth::{Authenticator, Credential, Denied, Identity};
//! use a2akit::types::{AgentCard, APIKeySecurityScheme, SecurityRequirement, SecurityScheme};
//!
//! let card = AgentCard::builder()
//!     .name("Private")
//!     .description("only for friends")
//!     .security_scheme("key", SecurityScheme::ApiKey(APIKeySecurityScheme::new("header", "X-API-Key")))
//!     .security_requirement(SecurityRequirement::new().with_scheme("key", Vec::<String>::new()))
//!     .build();
//! let auth = Authenticator::builder(&card)
//!     .verify("key", |credential: &Credential| match credential.secret() {
//!         "s3cret" => Ok(Identity::new("alice")),
//!         _ => Err(Denied::unauthenticated("unknown key")),
//!     })
//!     .build()
//!     .unwrap();
//! ```

mod jwt;
mod layer;

use std::collections::BTreeMap;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use axum::http::{Extensions, HeaderMap, Uri, header};
use base64::Engine as _;

pub use jwt::{JwtVerifier, JwtVerifierBuilder};
pub use layer::{AuthLayer, AuthService};

use super::call::Caller;
use super::tls::ClientCertificate;
use crate::types::{AgentCard, SecurityScheme};

/// A boxed future, as verifiers return.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// What a caller presented for one scheme.
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Credential {
    /// An API key (header, query parameter or cookie).
    ApiKey(String),
    /// An `Authorization: Bearer` token (HTTP Bearer, OAuth 2.0, OpenID Connect).
    Bearer(String),
    /// `Authorization: Basic` user and password.
    Basic {
        /// The user name.
        user: String,
        /// The password.
        password: String,
    },
    /// The client certificate of a mutual TLS connection (served with
    /// [`serve_tls`](crate::server::tls::serve_tls)), already checked
    /// against the server's client CA.
    Certificate(ClientCertificate),
}

impl Credential {
    /// The secret part: the key, the token, or the password; empty for a
    /// certificate (the TLS handshake proved it).
    pub fn secret(&self) -> &str {
        match self {
            Credential::ApiKey(key) => key,
            Credential::Bearer(token) => token,
            Credential::Basic { password, .. } => password,
            Credential::Certificate(_) => "",
        }
    }
}

impl fmt::Debug for Credential {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Secrets stay out of logs.
        match self {
            Credential::ApiKey(_) => f.write_str("ApiKey(…)"),
            Credential::Bearer(_) => f.write_str("Bearer(…)"),
            Credential::Basic { user, .. } => write!(f, "Basic {{ user: {user:?}, password: … }}"),
            Credential::Certificate(certificate) => write!(f, "{certificate:?}"),
        }
    }
}

/// Who a verified credential belongs to, and what it may do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    caller: Caller,
    scopes: Vec<String>,
}

impl Identity {
    /// The caller known as `id`, with no scopes.
    pub fn new(id: impl Into<String>) -> Self {
        Self {
            caller: Caller::new(id),
            scopes: Vec::new(),
        }
    }

    /// Grants scopes (or roles): a requirement that lists scopes for a
    /// scheme is met only by an identity that has them all.
    pub fn with_scopes<S: Into<String>>(mut self, scopes: impl IntoIterator<Item = S>) -> Self {
        self.scopes.extend(scopes.into_iter().map(Into::into));
        self
    }

    /// The caller.
    pub fn caller(&self) -> &Caller {
        &self.caller
    }

    /// The scopes granted.
    pub fn scopes(&self) -> &[String] {
        &self.scopes
    }
}

impl From<Caller> for Identity {
    fn from(caller: Caller) -> Self {
        Self {
            caller,
            scopes: Vec::new(),
        }
    }
}

/// Why a credential was refused. The reason goes to the client: keep
/// secrets and internals out of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Denied {
    forbidden: bool,
    reason: String,
}

impl Denied {
    /// The credential is missing, malformed, expired or unknown (HTTP 401).
    pub fn unauthenticated(reason: impl Into<String>) -> Self {
        Self {
            forbidden: false,
            reason: reason.into(),
        }
    }

    /// The caller is known but may not do this (HTTP 403).
    pub fn forbidden(reason: impl Into<String>) -> Self {
        Self {
            forbidden: true,
            reason: reason.into(),
        }
    }

    /// Whether the caller is known but not allowed.
    pub fn is_forbidden(&self) -> bool {
        self.forbidden
    }

    /// The reason given to the client.
    pub fn reason(&self) -> &str {
        &self.reason
    }
}

/// Checks a credential. Closures `Fn(&Credential) -> Result<Identity,
/// Denied>` are verifiers; [`JwtVerifier`] checks OAuth 2.0 / OpenID
/// Connect bearer tokens against the issuer's keys.
pub trait Verifier: Send + Sync + 'static {
    /// Who `credential` belongs to, or why it is refused.
    fn verify<'a>(&'a self, credential: &'a Credential) -> BoxFuture<'a, Result<Identity, Denied>>;
}

impl<F> Verifier for F
where
    F: Fn(&Credential) -> Result<Identity, Denied> + Send + Sync + 'static,
{
    fn verify<'a>(&'a self, credential: &'a Credential) -> BoxFuture<'a, Result<Identity, Denied>> {
        let verdict = self(credential);
        Box::pin(std::future::ready(verdict))
    }
}

/// Where a scheme's credential is found.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Source {
    Header(String),
    Query(String),
    Cookie(String),
    Bearer,
    Basic,
    Certificate,
}

impl Source {
    fn of(name: &str, scheme: &SecurityScheme) -> Result<Self, AuthConfigError> {
        let unusable = |why: String| AuthConfigError(format!("security scheme {name:?}: {why}"));
        match scheme {
            SecurityScheme::ApiKey(key) => {
                if key.name.is_empty() {
                    return Err(unusable("an API key scheme needs a name".into()));
                }
                match key.location.to_ascii_lowercase().as_str() {
                    "header" => Ok(Source::Header(key.name.clone())),
                    "query" => Ok(Source::Query(key.name.clone())),
                    "cookie" => Ok(Source::Cookie(key.name.clone())),
                    other => Err(unusable(format!(
                        "an API key goes in a header, query or cookie, not {other:?}"
                    ))),
                }
            }
            SecurityScheme::HttpAuth(http) => match http.scheme.to_ascii_lowercase().as_str() {
                "bearer" => Ok(Source::Bearer),
                "basic" => Ok(Source::Basic),
                other => Err(unusable(format!(
                    "HTTP authentication scheme {other:?} is not one this server reads (Bearer, Basic)"
                ))),
            },
            SecurityScheme::OAuth2(_) | SecurityScheme::OpenIdConnect(_) => Ok(Source::Bearer),
            SecurityScheme::MutualTls(_) => Ok(Source::Certificate),
            SecurityScheme::Unrecognized => Err(unusable("a kind this server does not know".into())),
        }
    }

    /// The credential of this kind in a request, if it has one.
    fn take(&self, headers: &HeaderMap, uri: &Uri, extensions: &Extensions) -> Option<Credential> {
        match self {
            Source::Certificate => extensions
                .get::<ClientCertificate>()
                .cloned()
                .map(Credential::Certificate),
            Source::Header(name) => headers
                .get(name.as_str())
                .and_then(|v| v.to_str().ok())
                .map(|v| Credential::ApiKey(v.trim().to_owned())),
            Source::Query(name) => form_urlencoded::parse(uri.query()?.as_bytes())
                .find(|(key, _)| key == name)
                .map(|(_, value)| Credential::ApiKey(value.into_owned())),
            Source::Cookie(name) => headers
                .get_all(header::COOKIE)
                .into_iter()
                .filter_map(|v| v.to_str().ok())
                .flat_map(|v| v.split(';'))
                .filter_map(|pair| pair.trim().split_once('='))
                .find(|(key, _)| key == name)
                .map(|(_, value)| Credential::ApiKey(value.trim_matches('"').to_owned())),
            Source::Bearer => {
                authorization(headers, "bearer").map(|token| Credential::Bearer(token.to_owned()))
            }
            Source::Basic => {
                let encoded = authorization(headers, "basic")?;
                let decoded = base64::engine::general_purpose::STANDARD.decode(encoded).ok()?;
                let decoded = String::from_utf8(decoded).ok()?;
                let (user, password) = decoded.split_once(':')?;
                Some(Credential::Basic {
                    user: user.to_owned(),
                    password: password.to_owned(),
                })
            }
        }
    }

    /// The `WWW-Authenticate` challenge of this kind of credential.
    fn challenge(&self, realm: &str, presented: bool) -> String {
        match self {
            Source::Bearer if presented => format!("Bearer realm=\"{realm}\", error=\"invalid_token\""),
            Source::Bearer => format!("Bearer realm=\"{realm}\""),
            Source::Basic => format!("Basic realm=\"{realm}\", charset=\"UTF-8\""),
            Source::Header(name) => format!("ApiKey realm=\"{realm}\", in=\"header\", name=\"{name}\""),
            Source::Query(name) => format!("ApiKey realm=\"{realm}\", in=\"query\", name=\"{name}\""),
            Source::Cookie(name) => format!("ApiKey realm=\"{realm}\", in=\"cookie\", name=\"{name}\""),
            // A certificate is asked for by the TLS handshake, not by HTTP.
            Source::Certificate => String::new(),
        }
    }
}

/// The credentials of an `Authorization: <scheme> <credentials>` header.
fn authorization<'h>(headers: &'h HeaderMap, scheme: &str) -> Option<&'h str> {
    headers
        .get_all(header::AUTHORIZATION)
        .into_iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|value| {
            let (given, rest) = value.trim().split_once(' ')?;
            given.eq_ignore_ascii_case(scheme).then(|| rest.trim())
        })
        .filter(|credentials| !credentials.is_empty())
}

/// A card's security schemes that cannot be enforced as configured.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthConfigError(String);

impl fmt::Display for AuthConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for AuthConfigError {}

/// One scheme as the authenticator checks it.
struct Scheme {
    source: Source,
    verifier: Arc<dyn Verifier>,
}

/// Enforces a card's security requirements on requests; build it with
/// [`Authenticator::builder`], apply it with [`Authenticator::layer`] or
/// [`Routes::authenticate`](crate::server::http::Routes::authenticate).
#[derive(Clone)]
pub struct Authenticator {
    inner: Arc<Inner>,
}

struct Inner {
    schemes: BTreeMap<String, Scheme>,
    /// Alternatives, each a list of (scheme, required scopes).
    requirements: Vec<Vec<(String, Vec<String>)>>,
    realm: String,
}

impl fmt::Debug for Authenticator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Authenticator")
            .field("schemes", &self.inner.schemes.keys().collect::<Vec<_>>())
            .field("requirements", &self.inner.requirements)
            .finish()
    }
}

/// Builds an [`Authenticator`] from a card.
pub struct AuthenticatorBuilder {
    card: AgentCard,
    verifiers: BTreeMap<String, Arc<dyn Verifier>>,
    realm: Option<String>,
}

impl fmt::Debug for AuthenticatorBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AuthenticatorBuilder")
            .field("verifiers", &self.verifiers.keys().collect::<Vec<_>>())
            .finish_non_exhaustive()
    }
}

impl AuthenticatorBuilder {
    /// Checks credentials of the card's scheme `scheme` with `verifier`.
    pub fn verify(mut self, scheme: impl Into<String>, verifier: impl Verifier) -> Self {
        self.verifiers.insert(scheme.into(), Arc::new(verifier));
        self
    }

    /// The realm named in challenges (default: the card's name).
    pub fn realm(mut self, realm: impl Into<String>) -> Self {
        self.realm = Some(realm.into());
        self
    }

    /// The authenticator; an error if a scheme the card requires has no
    /// verifier, a verifier names no scheme of the card, or a scheme cannot
    /// be read from a request.
    pub fn build(self) -> Result<Authenticator, AuthConfigError> {
        let AuthenticatorBuilder {
            card,
            mut verifiers,
            realm,
        } = self;
        if let Some(unknown) = verifiers
            .keys()
            .find(|name| !card.security_schemes.contains_key(*name))
        {
            return Err(AuthConfigError(format!(
                "a verifier is given for {unknown:?}, which the card does not declare"
            )));
        }
        let requirements: Vec<Vec<(String, Vec<String>)>> = if card.security_requirements.is_empty() {
            card.security_schemes
                .keys()
                .map(|name| vec![(name.clone(), Vec::new())])
                .collect()
        } else {
            card.security_requirements
                .iter()
                .map(|requirement| {
                    requirement
                        .schemes
                        .iter()
                        .map(|(name, scopes)| (name.clone(), scopes.list.clone()))
                        .collect()
                })
                .collect()
        };
        let mut schemes = BTreeMap::new();
        for (name, _) in requirements.iter().flatten() {
            if schemes.contains_key(name) {
                continue;
            }
            let Some(declared) = card.security_schemes.get(name) else {
                return Err(AuthConfigError(format!(
                    "a security requirement names {name:?}, which the card does not declare"
                )));
            };
            let source = Source::of(name, declared)?;
            let verifier = verifiers
                .remove(name)
                .ok_or_else(|| AuthConfigError(format!("security scheme {name:?} has no verifier")))?;
            schemes.insert(name.clone(), Scheme { source, verifier });
        }
        let realm = realm.unwrap_or_else(|| card.name.replace(['"', '\\'], ""));
        Ok(Authenticator {
            inner: Arc::new(Inner {
                schemes,
                requirements,
                realm,
            }),
        })
    }
}

/// Why a request was refused: what the client is told.
#[derive(Debug, Clone)]
pub(crate) struct Refusal {
    pub(crate) forbidden: bool,
    pub(crate) reason: String,
    /// `WWW-Authenticate` challenges (for a 401).
    pub(crate) challenges: Vec<String>,
}

impl Authenticator {
    /// Starts an authenticator for `card`'s security schemes and requirements.
    pub fn builder(card: &AgentCard) -> AuthenticatorBuilder {
        AuthenticatorBuilder {
            card: card.clone(),
            verifiers: BTreeMap::new(),
            realm: None,
        }
    }

    /// Whether the card asks for anything: an authenticator for a card with
    /// no schemes lets every request through, anonymous.
    pub fn is_open(&self) -> bool {
        self.inner.requirements.is_empty()
    }

    /// The layer for an HTTP+JSON or gRPC router (refusals in those
    /// bindings' shapes; gRPC is told apart by its content type).
    pub fn layer(&self) -> AuthLayer {
        AuthLayer::new(self.clone(), false)
    }

    /// The layer for a JSON-RPC router (refusals as JSON-RPC errors).
    pub fn jsonrpc_layer(&self) -> AuthLayer {
        AuthLayer::new(self.clone(), true)
    }

    /// Who is calling, or why the request is refused.
    pub(crate) async fn authenticate(
        &self,
        headers: &HeaderMap,
        uri: &Uri,
        extensions: &Extensions,
    ) -> Result<Option<Caller>, Refusal> {
        let inner = &self.inner;
        if inner.requirements.is_empty() {
            return Ok(None);
        }
        let mut forbidden: Option<String> = None;
        let mut rejected: Option<String> = None;
        let mut presented = false;
        // Each scheme is verified at most once per request.
        let mut verdicts: BTreeMap<&str, Option<Result<Identity, Denied>>> = BTreeMap::new();
        'requirements: for requirement in &inner.requirements {
            let mut caller = None;
            for (name, scopes) in requirement {
                let verdict = match verdicts.get(name.as_str()) {
                    Some(verdict) => verdict.clone(),
                    None => {
                        let scheme = &inner.schemes[name];
                        let verdict = match scheme.source.take(headers, uri, extensions) {
                            Some(credential) => {
                                presented = true;
                                Some(scheme.verifier.verify(&credential).await)
                            }
                            None => None,
                        };
                        verdicts.insert(name, verdict.clone());
                        verdict
                    }
                };
                let identity = match verdict {
                    Some(Ok(identity)) => identity,
                    Some(Err(denied)) => {
                        if denied.forbidden {
                            forbidden.get_or_insert(denied.reason);
                        } else {
                            rejected.get_or_insert(denied.reason);
                        }
                        continue 'requirements;
                    }
                    None => continue 'requirements,
                };
                if let Some(missing) = scopes.iter().find(|scope| !identity.scopes.contains(scope)) {
                    forbidden.get_or_insert(format!("this call needs the scope {missing:?}"));
                    continue 'requirements;
                }
                caller.get_or_insert(identity.caller);
            }
            return Ok(caller);
        }
        if let Some(reason) = forbidden {
            return Err(Refusal {
                forbidden: true,
                reason,
                challenges: Vec::new(),
            });
        }
        let reason =
            rejected.unwrap_or_else(|| "this agent needs credentials (see its agent card)".to_owned());
        let mut challenges: Vec<String> = inner
            .schemes
            .values()
            .map(|scheme| scheme.source.challenge(&inner.realm, presented))
            .filter(|challenge| !challenge.is_empty())
            .collect();
        challenges.dedup();
        Err(Refusal {
            forbidden: false,
            reason,
            challenges,
        })
    }
}
