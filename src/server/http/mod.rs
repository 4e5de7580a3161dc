//! The HTTP bindings as mountable Axum routers: JSON-RPC 2.0, HTTP+JSON
//! (REST) with SSE streaming, and the agent card.
//!
//! Each router is an ordinary [`axum::Router`]: merge it into an existing
//! app, nest it under a prefix, wrap it in your own tower layers (an
//! authentication layer can insert a [`Caller`] into the request
//! extensions; the bindings pass it on).
//!
//! ```no_run
//! # use a2akit::server::{RequestHandler, http::Routes};
//! # fn app(handler: RequestHandler) -> axum::Router {
//! let routes = Routes::new(handler).body_limit(4 << 20);
//! axum::Router::new()
//!     .route("/health", axum::routing::get(|| async { "ok" }))
//!     .merge(routes.agent_card())
//!     .merge(routes.jsonrpc("/a2a/jsonrpc"))
//!     .nest("/a2a/rest", routes.rest())
//! # }
//! ```
//!
//! What every binding does before the handler sees a request: the
//! `A2A-Version` header (or `?A2A-Version=`) is checked, `A2A-Extensions` is
//! read, the `Content-Type` is checked before the body is read, and the body
//! is read up to a limit (default 10 MiB). Every malformed request gets the
//! protocol's error for it; none is answered with a 500.

mod card;
pub use card::AGENT_CARD_PATH;
mod jsonrpc;
mod rest;
mod sse;

use std::time::Duration;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::http::{HeaderMap, header};

use super::call::{CallContext, Caller};
use super::handler::RequestHandler;
use crate::Error;

/// Builds the routers of one [`RequestHandler`] with shared options.
#[derive(Clone, Debug)]
pub struct Routes {
    handler: RequestHandler,
    options: Options,
}

#[derive(Clone, Debug)]
pub(crate) struct Options {
    pub(crate) body_limit: usize,
    pub(crate) keep_alive: Duration,
    pub(crate) card_max_age: Duration,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            body_limit: 10 << 20,
            keep_alive: Duration::from_secs(15),
            card_max_age: Duration::from_secs(300),
        }
    }
}

impl Routes {
    /// Routes for `handler` with the default options.
    pub fn new(handler: RequestHandler) -> Self {
        Self {
            handler,
            options: Options::default(),
        }
    }

    /// The largest request body accepted, in bytes (default 10 MiB); larger
    /// ones are answered with HTTP 413.
    pub fn body_limit(mut self, bytes: usize) -> Self {
        self.options.body_limit = bytes;
        self
    }

    /// How often an idle stream sends a keep-alive comment (default 15 s; at
    /// least 1 ms).
    pub fn keep_alive(mut self, every: Duration) -> Self {
        self.options.keep_alive = every.max(Duration::from_millis(1));
        self
    }

    /// The `Cache-Control: max-age` of the agent card (default 5 minutes).
    pub fn card_max_age(mut self, max_age: Duration) -> Self {
        self.options.card_max_age = max_age;
        self
    }

    /// The JSON-RPC binding: `POST path` (with or without a trailing slash).
    pub fn jsonrpc(&self, path: &str) -> Router {
        jsonrpc::router(self.handler.clone(), self.options.clone(), path)
    }

    /// The HTTP+JSON binding: every path of the protocol, also under a
    /// `/{tenant}` prefix. Nest it where its interface URL points.
    pub fn rest(&self) -> Router {
        rest::router(self.handler.clone(), self.options.clone())
    }

    /// `GET /.well-known/agent-card.json`, with caching headers and 304s.
    pub fn agent_card(&self) -> Router {
        card::router(self.handler.card(), &self.options)
    }

    /// The gRPC binding (`/lf.a2a.v1.A2AService/…`), to serve on the same
    /// listener: gRPC arrives as HTTP/2 cleartext, the rest as HTTP/1.1 or 2.
    #[cfg(feature = "grpc")]
    pub fn grpc(&self) -> Router {
        crate::server::grpc::GrpcService::new(self.handler.clone()).into_router()
    }

    /// The card, JSON-RPC at `jsonrpc_path`, HTTP+JSON at the root (its
    /// paths never clash with a `POST` to the JSON-RPC path), and with the
    /// `grpc` feature, gRPC.
    pub fn all(&self, jsonrpc_path: &str) -> Router {
        let router = self
            .agent_card()
            .merge(self.jsonrpc(jsonrpc_path))
            .merge(self.rest());
        #[cfg(feature = "grpc")]
        let router = router.merge(self.grpc());
        router
    }
}

/// The card, JSON-RPC at `/`, HTTP+JSON at the root, and with the `grpc`
/// feature gRPC, with default options.
pub fn router(handler: RequestHandler) -> Router {
    Routes::new(handler).all("/")
}

/// Serves `router` on `listener` with `TCP_NODELAY` on every connection, so
/// that small SSE writes leave at once instead of waiting for an ACK.
///
/// With your own `axum::serve`, do the same:
/// `axum::serve(listener.tap_io(|tcp| { let _ = tcp.set_nodelay(true); }), app)`
/// (`tap_io` is in `axum::serve::ListenerExt`).
pub async fn serve(listener: tokio::net::TcpListener, router: Router) -> std::io::Result<()> {
    use axum::serve::ListenerExt as _;
    let listener = listener.tap_io(|tcp| {
        if let Err(err) = tcp.set_nodelay(true) {
            tracing::debug!(error = %err, "could not set TCP_NODELAY");
        }
    });
    axum::serve(listener, router).await
}

/// The `A2A-Version` a request asks for: the header, else the query parameter.
fn requested_version<'a>(headers: &'a HeaderMap, query: Option<&'a str>) -> Option<String> {
    if let Some(value) = headers.get("a2a-version") {
        return Some(value.to_str().unwrap_or("?").to_owned());
    }
    let query = query?;
    form_urlencoded::parse(query.as_bytes())
        .find(|(key, _)| key.eq_ignore_ascii_case("a2a-version"))
        .map(|(_, value)| value.into_owned())
}

/// The call context of a request: tenant, caller and requested extensions.
fn call_context(headers: &HeaderMap, extensions: &axum::http::Extensions, tenant: String) -> CallContext {
    let values = headers
        .get_all("a2a-extensions")
        .into_iter()
        .filter_map(|value| value.to_str().ok());
    let requested = CallContext::parse_extensions(values);
    CallContext {
        tenant,
        caller: extensions.get::<Caller>().cloned(),
        extensions: requested,
    }
}

/// Whether a `Content-Type` is JSON: `application/json`,
/// `application/a2a+json` or any other `+json` type, parameters allowed.
fn is_json(headers: &HeaderMap) -> Option<bool> {
    let value = headers.get(header::CONTENT_TYPE)?;
    let Ok(value) = value.to_str() else {
        return Some(false);
    };
    let essence = value
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    Some(essence == "application/json" || (essence.starts_with("application/") && essence.ends_with("+json")))
}

/// Why a body could not be read.
enum BodyError {
    TooLarge(usize),
    Broken(String),
}

impl BodyError {
    fn into_error(self) -> Error {
        match self {
            BodyError::TooLarge(limit) => {
                Error::invalid_request(format!("the request body exceeds {limit} bytes"))
            }
            BodyError::Broken(why) => {
                Error::invalid_request(format!("the request body could not be read: {why}"))
            }
        }
    }
}

/// Reads a body up to `limit` bytes.
async fn read_body(body: Body, limit: usize) -> Result<Bytes, BodyError> {
    axum::body::to_bytes(body, limit).await.map_err(|err| {
        // `to_bytes` reports a length-limit failure as its source error.
        let too_large = std::error::Error::source(&err)
            .is_some_and(|source| source.is::<http_body_util::LengthLimitError>());
        if too_large {
            BodyError::TooLarge(limit)
        } else {
            BodyError::Broken(err.to_string())
        }
    })
}

/// Request messages that carry a tenant.
trait Tenanted {
    fn tenant(&self) -> &str;
}

macro_rules! tenanted {
    ($($ty:ty),+ $(,)?) => {
        $(impl Tenanted for $ty {
            fn tenant(&self) -> &str {
                &self.tenant
            }
        })+
    };
}

tenanted!(
    crate::types::SendMessageRequest,
    crate::types::GetTaskRequest,
    crate::types::ListTasksRequest,
    crate::types::CancelTaskRequest,
    crate::types::SubscribeToTaskRequest,
    crate::types::TaskPushNotificationConfig,
    crate::types::GetTaskPushNotificationConfigRequest,
    crate::types::ListTaskPushNotificationConfigsRequest,
    crate::types::DeleteTaskPushNotificationConfigRequest,
    crate::types::GetExtendedAgentCardRequest,
);
