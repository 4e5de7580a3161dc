//! The tower-http layers an agent on the open internet wants, as one stack
//! to take whole or in part: request ids, tracing, CORS, panic catching,
//! unary timeouts and compression.
//!
//! ```no_run
//! use std::time::Duration;
//! use a2akit::server::layers::{ServerLayers, browser_cors};
//! # fn app(handler: a2akit::server::RequestHandler) -> axum::Router {
//! let app = a2akit::server::http::router(handler);
//! ServerLayers::new()
//!     .cors(browser_cors(["https://app.example".parse().unwrap()]))
//!     .timeout(Duration::from_secs(120))
//!     .apply(app)
//! # }
//! ```
//!
//! The routers work bare too: every layer here is an ordinary tower layer,
//! and [`ServerLayers::apply`] only stacks them in a sensible order
//! (outermost first): request id, trace span, request id echoed on the
//! response, CORS, panic catching, timeout, compression. Put the stack
//! outside any authentication (a browser's CORS preflight carries no
//! credentials); [`Routes::authenticate`](crate::server::http::Routes::authenticate)
//! already sits inside it.

use std::any::Any;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderName, HeaderValue, Method, Request, Response, StatusCode, header};
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::CompressionLayer;
use tower_http::cors::{AllowHeaders, AllowOrigin, CorsLayer};
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

use crate::Error;

/// The request id header: kept when the client sends one, made (a UUID)
/// when it does not, echoed on the response and named in the trace span.
pub const REQUEST_ID: &str = "x-request-id";

/// A stack of tower-http layers; see the [module docs](self).
///
/// By default: request ids, a trace span per request, panic catching and
/// gzip compression of unary responses are on; CORS and the timeout are off
/// until configured.
#[derive(Debug, Clone)]
#[must_use]
pub struct ServerLayers {
    request_ids: bool,
    trace: bool,
    catch_panics: bool,
    compression: bool,
    cors: Option<CorsLayer>,
    timeout: Option<Duration>,
}

impl Default for ServerLayers {
    fn default() -> Self {
        Self::new()
    }
}

impl ServerLayers {
    /// The default stack.
    pub fn new() -> Self {
        Self {
            request_ids: true,
            trace: true,
            catch_panics: true,
            compression: true,
            cors: None,
            timeout: None,
        }
    }

    /// Sets and echoes `x-request-id` (default on).
    pub fn request_ids(mut self, on: bool) -> Self {
        self.request_ids = on;
        self
    }

    /// A `tracing` span per request (`a2a.http`: method, path, request id),
    /// with tower-http's request and response events (default on).
    pub fn trace(mut self, on: bool) -> Self {
        self.trace = on;
        self
    }

    /// Answers a panic in a handler with HTTP 500 and a generic
    /// `google.rpc.Status` body, and logs it (default on). Panics of the
    /// agent itself are already caught by the engine and fail their task.
    pub fn catch_panics(mut self, on: bool) -> Self {
        self.catch_panics = on;
        self
    }

    /// Compresses unary responses with gzip when the client accepts it
    /// (default on). Event streams, gRPC and bodies under 32 bytes are left
    /// alone: compression would hold SSE events back in its buffer.
    pub fn compression(mut self, on: bool) -> Self {
        self.compression = on;
        self
    }

    /// Cross-origin rules for browser clients (default none: browsers then
    /// refuse cross-origin calls). [`browser_cors`] makes rules that suit
    /// the protocol.
    pub fn cors(mut self, cors: CorsLayer) -> Self {
        self.cors = Some(cors);
        self
    }

    /// Bounds how long a request may take until its response head: unary
    /// calls (a blocking `SendMessage` included) then get HTTP 504. Streams
    /// answer their head at once and are not cut (default: no timeout; a
    /// blocking send waits for its task, which the executor timeout bounds).
    pub fn timeout(mut self, limit: Duration) -> Self {
        self.timeout = Some(limit);
        self
    }

    /// `router` with the stack around it.
    pub fn apply(self, router: Router) -> Router {
        let mut router = router;
        if self.compression {
            router = router.layer(CompressionLayer::new().gzip(true));
        }
        if let Some(limit) = self.timeout {
            router = router.layer(TimeoutLayer::with_status_code(StatusCode::GATEWAY_TIMEOUT, limit));
        }
        if self.catch_panics {
            router = router.layer(CatchPanicLayer::custom(answer_panic));
        }
        if let Some(cors) = self.cors {
            router = router.layer(cors);
        }
        let request_id = HeaderName::from_static(REQUEST_ID);
        if self.request_ids {
            router = router.layer(PropagateRequestIdLayer::new(request_id.clone()));
        }
        if self.trace {
            router = router.layer(TraceLayer::new_for_http().make_span_with(span_for));
        }
        if self.request_ids {
            router = router.layer(SetRequestIdLayer::new(request_id, MakeRequestUuid));
        }
        router
    }
}

/// The span of one request, named so that log lines inside it carry the
/// request id.
fn span_for(request: &Request<Body>) -> tracing::Span {
    let id = request
        .headers()
        .get(REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    tracing::info_span!(
        "a2a.http",
        method = %request.method(),
        path = %request.uri().path(),
        request_id = %id,
    )
}

fn answer_panic(panic: Box<dyn Any + Send + 'static>) -> Response<Body> {
    let what = panic
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown cause".to_owned());
    tracing::error!(panic = %what, "a request handler panicked");
    let body = Error::internal("the server failed while handling this request").to_http();
    let mut response = Response::new(Body::from(
        serde_json::to_vec(&body).expect("an error body always encodes"),
    ));
    *response.status_mut() = StatusCode::INTERNAL_SERVER_ERROR;
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    response
}

/// CORS rules for browser clients of the JSON-RPC and HTTP+JSON bindings
/// from `origins`: the protocol's methods, any request header the browser
/// asks for (`A2A-Version`, `A2A-Extensions`, `Authorization`, API key
/// headers), the response headers a client reads (`WWW-Authenticate`,
/// `Retry-After`, `x-request-id`), credentials allowed, and preflights
/// cached for an hour.
pub fn browser_cors(origins: impl IntoIterator<Item = HeaderValue>) -> CorsLayer {
    CorsLayer::new()
        .allow_origin(AllowOrigin::list(origins))
        .allow_methods([Method::GET, Method::POST, Method::DELETE, Method::OPTIONS])
        .allow_headers(AllowHeaders::mirror_request())
        .allow_credentials(true)
        .expose_headers([
            header::WWW_AUTHENTICATE,
            header::RETRY_AFTER,
            HeaderName::from_static(REQUEST_ID),
        ])
        .max_age(Duration::from_secs(3600))
}
