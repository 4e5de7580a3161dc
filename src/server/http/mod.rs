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
//! Wrong methods on the bindings' paths get the binding's error body with
//! HTTP 405; unknown paths are left to the app's fallback, which
//! [`Routes::all`] sets to [`not_found`] (a 404 with a `google.rpc.Status`
//! body).
//!
//! What every binding does before the handler sees a request: the
//! `A2A-Version` header (or `?A2A-Version=`) is checked, `A2A-Extensions` is
//! read, the `Content-Type` is checked before the body is read, and the body
//! is read up to a limit (default 10 MiB). Every malformed request gets the
//! protocol's error for it; none is answered with a 500.

mod card;
pub use card::AGENT_CARD_PATH;
mod health;
mod jsonrpc;
mod rest;
mod serve;
mod sse;
pub(crate) use serve::{LAST_WORDS, begin_shutdown};
pub use serve::{Shutdown, serve, serve_with_shutdown};

use std::time::Duration;

use axum::Router;
use axum::body::{Body, BodyDataStream, Bytes, HttpBody as _};
use axum::http::{HeaderMap, Method, Uri, header};
use axum::response::Response;
use bytes::BytesMut;
use futures_util::StreamExt as _;

use super::call::{CallContext, Caller};
use super::handler::RequestHandler;
use crate::Error;

/// Builds the routers of one [`RequestHandler`] with shared options.
#[derive(Clone, Debug)]
pub struct Routes {
    handler: RequestHandler,
    options: Options,
    auth: Option<crate::server::auth::Authenticator>,
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
            auth: None,
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

    /// Puts `authenticator` in front of every binding these routes build
    /// (JSON-RPC, HTTP+JSON, gRPC), with refusals in each binding's shape;
    /// the agent card and the health routes stay open. See
    /// [`auth`](crate::server::auth).
    pub fn authenticate(mut self, authenticator: crate::server::auth::Authenticator) -> Self {
        self.auth = Some(authenticator);
        self
    }

    /// The JSON-RPC binding: `POST path` (with or without a trailing slash).
    ///
    /// Another method on the path is answered with HTTP 405, `Allow: POST`
    /// and a JSON-RPC error (`-32600`, `id: null`). The router has no
    /// fallback of its own, so it merges into any app.
    pub fn jsonrpc(&self, path: &str) -> Router {
        let router = jsonrpc::router(self.handler.clone(), self.options.clone(), path);
        match &self.auth {
            Some(auth) => router.route_layer(auth.jsonrpc_layer()),
            None => router,
        }
    }

    /// The HTTP+JSON binding: every path of the protocol, also under a
    /// `/{tenant}` prefix. Nest it where its interface URL points.
    ///
    /// A wrong method on one of its paths is answered with HTTP 405, an
    /// `Allow` header and a `google.rpc.Status` body. The router has no
    /// fallback, so that it merges into an app that has one (axum refuses
    /// to merge two routers with fallbacks); paths it does not know are the
    /// app's. To answer those like the binding does, give the app
    /// [`not_found`] as its fallback ([`Routes::all`] does).
    pub fn rest(&self) -> Router {
        self.guarded(rest::router(self.handler.clone(), self.options.clone()))
    }

    /// `router` behind the authenticator, if there is one.
    fn guarded(&self, router: Router) -> Router {
        match &self.auth {
            Some(auth) => router.route_layer(auth.layer()),
            None => router,
        }
    }

    /// `GET /healthz` (liveness: the process answers) and `GET /readyz`
    /// (readiness: [`RequestHandler::ready`], 503 once a shutdown begins).
    /// Not part of [`Routes::all`]: mount them where your orchestrator
    /// looks, and keep them off the public internet if you like.
    pub fn health(&self) -> Router {
        health::router(self.handler.clone())
    }

    /// `GET /.well-known/agent-card.json`, with caching headers and 304s.
    /// It serves the handler's card as it is at each request: a card put
    /// in place with [`RequestHandler::set_card`] is served from then on,
    /// with a new `ETag` and `Last-Modified`.
    pub fn agent_card(&self) -> Router {
        card::router(self.handler.clone(), &self.options)
    }

    /// The gRPC binding (`/lf.a2a.v1.A2AService/…`), to serve on the same
    /// listener: gRPC arrives as HTTP/2 cleartext, the rest as HTTP/1.1 or 2.
    #[cfg(feature = "grpc")]
    pub fn grpc(&self) -> Router {
        self.guarded(crate::server::grpc::GrpcService::new(self.handler.clone()).into_router())
    }

    /// The card, JSON-RPC at `jsonrpc_path`, HTTP+JSON at the root (its
    /// paths never clash with a `POST` to the JSON-RPC path), and with the
    /// `grpc` feature, gRPC.
    ///
    /// This is a whole server, so it has a fallback: [`not_found`], a 404
    /// with a `google.rpc.Status` body for every unknown path. To merge it
    /// into an app that has a fallback of its own, call
    /// `.reset_fallback()` on it first, or merge the parts instead.
    pub fn all(&self, jsonrpc_path: &str) -> Router {
        let router = self
            .agent_card()
            .merge(self.jsonrpc(jsonrpc_path))
            .merge(self.rest());
        #[cfg(feature = "grpc")]
        let router = router.merge(self.grpc());
        router.fallback(not_found)
    }
}

/// The card, JSON-RPC at `/`, HTTP+JSON at the root, and with the `grpc`
/// feature gRPC, with default options; unknown paths get [`not_found`].
pub fn router(handler: RequestHandler) -> Router {
    Routes::new(handler).all("/")
}

/// A fallback for an app that serves the HTTP+JSON binding: HTTP 404 with a
/// `google.rpc.Status` body (`UNIMPLEMENTED`, the binding's answer to an
/// operation it does not have), where axum would answer an empty 404.
///
/// [`Routes::all`] installs it. The binding's routers do not, since axum
/// cannot merge two routers that both have a fallback; an app of your own
/// can: `app.fallback(a2akit::server::http::not_found)`.
pub async fn not_found(method: Method, uri: Uri) -> Response {
    rest::no_route(&method, uri.path())
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

/// The call context of a request: tenant, caller, requested extensions,
/// address and trace context.
fn call_context(
    headers: &HeaderMap,
    extensions: &axum::http::Extensions,
    tenant: String,
    binding: &'static str,
) -> CallContext {
    // v0.3 clients name the header `X-A2A-Extensions`.
    let values = headers
        .get_all("a2a-extensions")
        .into_iter()
        .chain(headers.get_all("x-a2a-extensions"))
        .filter_map(|value| value.to_str().ok());
    let requested = CallContext::parse_extensions(values);
    let text = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).map(str::to_owned);
    CallContext {
        tenant,
        caller: extensions.get::<Caller>().cloned(),
        extensions: requested,
        remote: remote_address(extensions),
        binding,
        traceparent: text("traceparent"),
        tracestate: text("tracestate"),
    }
}

/// The client's address, when the server records it (axum's connect info).
pub(crate) fn remote_address(extensions: &axum::http::Extensions) -> Option<std::net::SocketAddr> {
    extensions
        .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        .map(|info| info.0)
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

/// At most this many bytes past the limit are read and thrown away before
/// an oversized body is refused (see [`read_body`]).
const MAX_DRAIN: usize = 64 << 20;

/// How long an oversized body may take to be thrown away.
const DRAIN_TIME: Duration = Duration::from_secs(5);

/// At most this much of a body's announced length is allocated up front.
const PREALLOCATE: usize = 256 << 10;

/// Reads a body up to `limit` bytes.
///
/// An oversized body is answered with a 413 that the client must be able
/// to read. If the server answered while the client is still sending and
/// then closed the connection with unread bytes in its receive buffer, the
/// kernel would reset the connection, and a reset discards the 413 the
/// client had not read yet: clients report "connection reset" or "broken
/// pipe" instead of the error. So past the limit the rest of the body is
/// read and thrown away (never buffered), up to three times the limit and
/// at most [`MAX_DRAIN`] bytes more, for at most [`DRAIN_TIME`]; a body
/// that ends within that bound leaves a clean connection, even one that
/// can be reused. Beyond the bound the server gives up and closes.
///
/// A body whose `Content-Length` already says it is too large is not read
/// at all when nothing of it is on the way yet (`Expect: 100-continue`:
/// the client waits for a go-ahead it never gets) or when it is larger
/// than the bound anyway (draining part of it would not avoid the reset).
async fn read_body(headers: &HeaderMap, body: Body, limit: usize) -> Result<Bytes, BodyError> {
    let drain_limit = limit.saturating_add(limit.saturating_mul(3).min(MAX_DRAIN));
    let declared = usize::try_from(body.size_hint().exact().unwrap_or(0)).unwrap_or(usize::MAX);
    if declared > limit {
        if !expects_continue(headers) && declared <= drain_limit {
            drain(body.into_data_stream(), 0, drain_limit).await;
        }
        return Err(BodyError::TooLarge(limit));
    }
    let mut stream = body.into_data_stream();
    // What the client announces is not reserved beyond a little: a head
    // alone must not make the server hold the whole limit.
    let mut bytes = BytesMut::with_capacity(declared.min(PREALLOCATE));
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|err| BodyError::Broken(err.to_string()))?;
        let read = bytes.len() + chunk.len();
        if read > limit {
            drop(bytes);
            drain(stream, read, drain_limit).await;
            return Err(BodyError::TooLarge(limit));
        }
        bytes.extend_from_slice(&chunk);
    }
    Ok(bytes.freeze())
}

/// Whether the client waits for `100 Continue` before it sends the body.
fn expects_continue(headers: &HeaderMap) -> bool {
    headers
        .get(header::EXPECT)
        .is_some_and(|value| value.as_bytes().eq_ignore_ascii_case(b"100-continue"))
}

/// Reads and discards the rest of a body until it ends, `read` reaches
/// `drain_limit` bytes, it fails, or [`DRAIN_TIME`] has passed.
async fn drain(mut stream: BodyDataStream, mut read: usize, drain_limit: usize) {
    let discard = async {
        while read <= drain_limit {
            match stream.next().await {
                Some(Ok(chunk)) => read += chunk.len(),
                Some(Err(_)) | None => return,
            }
        }
    };
    let _ = tokio::time::timeout(DRAIN_TIME, discard).await;
}

/// Adds `Retry-After` (whole seconds, rounded up) when `error` says when to retry.
fn retry_after(mut response: Response, error: &Error) -> Response {
    if let Some(delay) = error.retry_after() {
        let seconds = delay.as_secs() + u64::from(delay.subsec_nanos() > 0);
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, axum::http::HeaderValue::from(seconds.max(1)));
    }
    response
}

/// An error as the JSON-RPC binding answers one it cannot tie to a request id.
pub(crate) fn jsonrpc_refusal(error: &Error) -> Response {
    jsonrpc::error_response(crate::jsonrpc::Id::Null, error)
}

/// An error as the HTTP+JSON binding answers it.
pub(crate) fn rest_refusal(error: &Error) -> Response {
    rest::error_response(error)
}
