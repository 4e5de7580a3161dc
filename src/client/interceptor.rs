//! Hooks around every request: add credentials or headers, observe answers.

use std::fmt;

use base64::Engine as _;

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
}

fn header_value(text: &str) -> Result<reqwest::header::HeaderValue, Error> {
    reqwest::header::HeaderValue::from_str(text)
        .map_err(|_| Error::invalid_params("a credential is not a valid HTTP header value"))
}

/// `Authorization: Bearer <token>`.
#[derive(Clone)]
pub struct BearerToken(String);

impl BearerToken {
    /// A bearer token.
    pub fn new(token: impl Into<String>) -> Self {
        Self(token.into())
    }
}

impl fmt::Debug for BearerToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("BearerToken(…)")
    }
}

impl Interceptor for BearerToken {
    fn before(&self, outgoing: &mut OutgoingRequest<'_>) -> Result<(), Error> {
        let value = header_value(&format!("Bearer {}", self.0))?;
        outgoing
            .request
            .headers_mut()
            .insert(reqwest::header::AUTHORIZATION, value);
        Ok(())
    }
}

/// `Authorization: Basic <base64(user:password)>`.
#[derive(Clone)]
pub struct BasicAuth {
    user: String,
    password: String,
}

impl BasicAuth {
    /// Basic credentials.
    pub fn new(user: impl Into<String>, password: impl Into<String>) -> Self {
        Self {
            user: user.into(),
            password: password.into(),
        }
    }
}

impl fmt::Debug for BasicAuth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BasicAuth")
            .field("user", &self.user)
            .finish_non_exhaustive()
    }
}

impl Interceptor for BasicAuth {
    fn before(&self, outgoing: &mut OutgoingRequest<'_>) -> Result<(), Error> {
        let encoded =
            base64::engine::general_purpose::STANDARD.encode(format!("{}:{}", self.user, self.password));
        let value = header_value(&format!("Basic {encoded}"))?;
        outgoing
            .request
            .headers_mut()
            .insert(reqwest::header::AUTHORIZATION, value);
        Ok(())
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

/// An API key in a header, query parameter or cookie, as the agent's card says.
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
    name: String,
    value: String,
}

impl fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ApiKey")
            .field("location", &self.location)
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

impl ApiKey {
    /// A key sent at `location` under `name`.
    pub fn new(location: ApiKeyLocation, name: impl Into<String>, value: impl Into<String>) -> Self {
        Self {
            location,
            name: name.into(),
            value: value.into(),
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
        let request = &mut *outgoing.request;
        match self.location {
            ApiKeyLocation::Header => {
                let name = reqwest::header::HeaderName::from_bytes(self.name.as_bytes())
                    .map_err(|_| Error::invalid_params(format!("{:?} is not a header name", self.name)))?;
                request.headers_mut().insert(name, header_value(&self.value)?);
            }
            ApiKeyLocation::Query => {
                request
                    .url_mut()
                    .query_pairs_mut()
                    .append_pair(&self.name, &self.value);
            }
            ApiKeyLocation::Cookie => {
                let cookie = format!("{}={}", self.name, self.value);
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
        }
        Ok(())
    }
}

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
