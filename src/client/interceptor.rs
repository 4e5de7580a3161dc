//! Hooks around every request: add credentials or headers, observe answers.

use std::fmt;

use super::credentials::{Credential, CredentialFuture, CredentialProvider, CredentialRequest};
use crate::Error;
use crate::jsonrpc::Method;
use crate::types::APIKeySecurityScheme;

/// A request about to be sent, for an [`Interceptor`] to inspect or change.
pub struct OutgoingRequest<'a> {
    /// The operation.
    pub method: Method,
    /// The HTTP request: URL, headers and body.
    pub request: &'a mut reqwest::Request,
}

/// Runs before every request and after every response of a [`Client`](super::Client).
///
/// An interceptor that adds credentials should say so with
/// [`carries_credentials`](Self::carries_credentials), so that they reach
/// only the agent they are meant for; better still, give credentials as a
/// [`CredentialProvider`](super::CredentialProvider), which may also fetch
/// and refresh them asynchronously.
///
/// `before` hooks run in the order they were added; `after` hooks in the
/// reverse order, so that the first interceptor wraps all the others.
///
/// ```
/// use a2akit::client::{Interceptor, OutgoingRequest};
///
/// struct TraceId;
///
/// impl Interceptor for TraceId {
///     fn before(&self, outgoing: &mut OutgoingRequest<'_>) -> Result<(), a2akit::Error> {
///         outgoing.request.headers_mut().insert("x-trace-id", "demo".parse().unwrap());
///         Ok(())
///     }
/// }
/// ```
pub trait Interceptor: Send + Sync + 'static {
    /// Called before the request is sent; an error stops the call.
    fn before(&self, outgoing: &mut OutgoingRequest<'_>) -> Result<(), Error> {
        let _ = outgoing;
        Ok(())
    }

    /// Called with the response's status and headers, before its body is read.
    fn after(&self, method: Method, response: &reqwest::Response) {
        let _ = (method, response);
    }

    /// Whether this interceptor adds a credential (a token, a key, a
    /// password). One that does is bound to origins like a
    /// [`CredentialProvider`](super::CredentialProvider): it runs only on
    /// calls to the origins the client's credentials are bound to, and never
    /// on the public agent card fetch. The built-in [`BearerToken`],
    /// [`BasicAuth`] and [`ApiKey`] say yes; the default is no, and such an
    /// interceptor runs on every request, the card fetch included.
    fn carries_credentials(&self) -> bool {
        false
    }
}

/// `Authorization: Bearer <token>`, as an interceptor or a
/// [`CredentialProvider`](super::CredentialProvider). It is a credential:
/// sent only to the origins the client's credentials are bound to (see
/// [`ClientFactory::credential_origins`](super::ClientFactory::credential_origins)).
#[derive(Clone)]
pub struct BearerToken(Credential);

impl BearerToken {
    /// A bearer token.
    pub fn new(token: impl Into<String>) -> Self {
        Self(Credential::bearer(token))
    }
}

impl fmt::Debug for BearerToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("BearerToken(…)")
    }
}

impl Interceptor for BearerToken {
    fn before(&self, outgoing: &mut OutgoingRequest<'_>) -> Result<(), Error> {
        self.0.apply(outgoing.request)
    }

    fn carries_credentials(&self) -> bool {
        true
    }
}

/// `Authorization: Basic <base64(user:password)>`, as an interceptor or a
/// [`CredentialProvider`](super::CredentialProvider); bound to origins like
/// every credential.
#[derive(Clone)]
pub struct BasicAuth(Credential);

impl BasicAuth {
    /// Basic credentials.
    pub fn new(user: impl Into<String>, password: impl Into<String>) -> Self {
        Self(Credential::basic(user, password))
    }
}

impl fmt::Debug for BasicAuth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "BasicAuth({:?})", self.0)
    }
}

impl Interceptor for BasicAuth {
    fn before(&self, outgoing: &mut OutgoingRequest<'_>) -> Result<(), Error> {
        self.0.apply(outgoing.request)
    }

    fn carries_credentials(&self) -> bool {
        true
    }
}

/// Where an [`ApiKey`] goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ApiKeyLocation {
    /// A request header.
    Header,
    /// A query parameter.
    Query,
    /// A cookie.
    Cookie,
}

/// An API key in a header, query parameter or cookie, as the agent's card
/// says; an interceptor or a [`CredentialProvider`](super::CredentialProvider),
/// bound to origins like every credential.
///
/// ```
/// use a2akit::client::{ApiKey, ApiKeyLocation};
/// use a2akit::types::APIKeySecurityScheme;
///
/// let scheme = APIKeySecurityScheme::new("header", "X-API-Key");
/// let key = ApiKey::for_scheme(&scheme, "secret").unwrap();
/// assert_eq!(key.location(), ApiKeyLocation::Header);
/// ```
#[derive(Clone)]
pub struct ApiKey {
    location: ApiKeyLocation,
    credential: Credential,
}

impl fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ApiKey({:?})", self.credential)
    }
}

impl ApiKey {
    /// A key sent at `location` under `name`.
    pub fn new(location: ApiKeyLocation, name: impl Into<String>, value: impl Into<String>) -> Self {
        Self {
            location,
            credential: Credential::api_key(location, name, value),
        }
    }

    /// A key placed as the card's API key scheme says (`header`, `query` or `cookie`).
    pub fn for_scheme(scheme: &APIKeySecurityScheme, value: impl Into<String>) -> Result<Self, Error> {
        let location = match scheme.location.to_ascii_lowercase().as_str() {
            "header" => ApiKeyLocation::Header,
            "query" => ApiKeyLocation::Query,
            "cookie" => ApiKeyLocation::Cookie,
            other => {
                return Err(Error::invalid_params(format!(
                    "unknown API key location {other:?}"
                )));
            }
        };
        Ok(Self::new(location, &scheme.name, value))
    }

    /// Where the key goes.
    pub fn location(&self) -> ApiKeyLocation {
        self.location
    }
}

impl Interceptor for ApiKey {
    fn before(&self, outgoing: &mut OutgoingRequest<'_>) -> Result<(), Error> {
        self.credential.apply(outgoing.request)
    }

    fn carries_credentials(&self) -> bool {
        true
    }
}

/// Static credentials are providers too: `factory.credentials(BearerToken::new(…))`.
macro_rules! static_provider {
    ($($ty:ty => $field:tt),+ $(,)?) => {
        $(impl CredentialProvider for $ty {
            fn credential<'a>(&'a self, _request: &'a CredentialRequest<'a>) -> CredentialFuture<'a> {
                Box::pin(std::future::ready(Ok(self.$field.clone())))
            }
        })+
    };
}

static_provider!(BearerToken => 0, BasicAuth => 0, ApiKey => credential);

/// Sends the current span's W3C trace context (`traceparent`,
/// `tracestate`) with every call, on every binding. Every client has it
/// with the `telemetry` feature.
#[cfg(feature = "telemetry")]
#[derive(Debug, Clone, Copy)]
pub(crate) struct TraceContext;

#[cfg(feature = "telemetry")]
impl Interceptor for TraceContext {
    fn before(&self, outgoing: &mut OutgoingRequest<'_>) -> Result<(), Error> {
        crate::telemetry::inject_current(outgoing.request.headers_mut());
        Ok(())
    }
}
