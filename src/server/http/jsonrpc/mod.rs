//! The JSON-RPC 2.0 binding: one `POST` endpoint, the method in the envelope.
//!
//! Answers are HTTP 200 with a JSON-RPC response, whatever the outcome
//! (except authentication failures: 401 / 403, a body over the limit: 413,
//! and another HTTP method than `POST`: 405, each still with a JSON-RPC
//! error). A request refused for its `Content-Type` still has its body read
//! for its `id`, which the error echoes. Streaming methods answer
//! `text/event-stream` whose every `data:` is a complete JSON-RPC response;
//! an error before the first event is a plain JSON error instead.
//!
//! The same endpoint serves v0.3 ([`v0_3`]) when the handler does: a
//! request naming a v0.3 method goes there.

mod v0_3;

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, Method as HttpMethod, StatusCode, header};
use axum::response::Response;
use axum::routing::post;
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::{BodyError, Options, call_context, is_json, read_body, requested_version, sse};
use crate::jsonrpc::{Id, Method, Request as RpcRequest, Response as RpcResponse};
use crate::server::EventStream;
use crate::server::call::CallContext;
use crate::server::handler::RequestHandler;
use crate::types::{SendMessageRequest, SubscribeToTaskRequest};
use crate::{Error, ErrorKind};

struct Binding {
    handler: RequestHandler,
    options: Options,
}

pub(super) fn router(handler: RequestHandler, options: Options, path: &str) -> Router {
    let path = if path.starts_with('/') {
        path.to_owned()
    } else {
        format!("/{path}")
    };
    let state = Arc::new(Binding { handler, options });
    let mut router = Router::new().route(&path, post(endpoint));
    if path != "/" {
        let other = match path.strip_suffix('/') {
            Some(bare) => bare.to_owned(),
            None => format!("{path}/"),
        };
        router = router.route(&other, post(endpoint));
    }
    // Per path, not a router-wide fallback: the router stays mergeable into
    // an app with a fallback of its own.
    router
        .method_not_allowed_fallback(method_not_allowed)
        .with_state(state)
}

/// Another method than `POST` on the endpoint: HTTP 405 (axum adds
/// `Allow: POST`) with a JSON-RPC error (-32600, `id: null`) rather than
/// axum's empty body, since whoever calls this URL speaks JSON-RPC.
async fn method_not_allowed(method: HttpMethod) -> Response {
    let err = Error::invalid_request(format!("a JSON-RPC request is a POST, not a {method}"));
    let mut response = error_response(Id::Null, &err);
    *response.status_mut() = StatusCode::METHOD_NOT_ALLOWED;
    response
}

fn json_response(status: StatusCode, body: Vec<u8>) -> Response {
    let mut response = Response::new(Body::from(body));
    *response.status_mut() = status;
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    response
}

pub(super) fn error_response(id: Id, error: &Error) -> Response {
    error_response_as(id, error, error.to_jsonrpc())
}

/// The response for `error`, written as `object` (its 1.0 or v0.3 form).
fn error_response_as(id: Id, error: &Error, object: crate::jsonrpc::ErrorObject) -> Response {
    let status = match error.kind() {
        ErrorKind::Unauthenticated => StatusCode::UNAUTHORIZED,
        ErrorKind::PermissionDenied => StatusCode::FORBIDDEN,
        // "Try again later" is said in HTTP too, so that any client or proxy backs off.
        ErrorKind::ResourceExhausted => StatusCode::TOO_MANY_REQUESTS,
        _ => StatusCode::OK,
    };
    let response = RpcResponse::<()> {
        id,
        outcome: Err(object),
    };
    let body = serde_json::to_vec(&response).expect("an error response always encodes");
    super::retry_after(json_response(status, body), error)
}

fn success_response<T: Serialize>(id: Id, result: &T) -> Response {
    match serde_json::to_vec(&RpcResponse::success(id.clone(), result)) {
        Ok(body) => json_response(StatusCode::OK, body),
        Err(err) => error_response(
            id,
            &Error::internal(format!("the result could not be encoded: {err}")),
        ),
    }
}

async fn endpoint(State(binding): State<Arc<Binding>>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    if is_json(&parts.headers) != Some(true) {
        let error = Error::new(
            ErrorKind::ContentTypeNotSupported,
            "a JSON-RPC request needs Content-Type: application/json",
        );
        let id = refused_request_id(&parts.headers, body, binding.options.body_limit).await;
        return error_response(id, &error);
    }
    let bytes = match read_body(&parts.headers, body, binding.options.body_limit).await {
        Ok(bytes) => bytes,
        Err(err @ BodyError::TooLarge(_)) => {
            let mut response = error_response(Id::Null, &err.into_error());
            *response.status_mut() = StatusCode::PAYLOAD_TOO_LARGE;
            return response;
        }
        Err(err) => return error_response(Id::Null, &err.into_error()),
    };
    let request = match RpcRequest::parse(&bytes) {
        Ok(request) => request,
        Err(rejected) => return error_response(rejected.id, &rejected.error),
    };
    let id = request.id.clone();
    let version = requested_version(&parts.headers, parts.uri.query());
    let unversioned_or_v0_3 = version
        .as_deref()
        .is_none_or(|version| version.trim().is_empty() || crate::v0_3::is_v0_3(version));
    if binding.handler.serves_v0_3() && unversioned_or_v0_3 {
        if let Some(method) = crate::v0_3::Method::from_wire(&request.method) {
            let operation = Operation {
                handler: &binding.handler,
                request: &request,
                parts: &parts,
                keep_alive: binding.options.keep_alive,
            };
            return v0_3::serve(method, &operation).await;
        }
    }
    if let Err(err) = binding.handler.check_version(version.as_deref()) {
        return error_response(id, &err);
    }
    let Some(method) = request.known_method() else {
        return error_response(id, &Error::method_not_found(&request.method));
    };
    let operation = Operation {
        handler: &binding.handler,
        request: &request,
        parts: &parts,
        keep_alive: binding.options.keep_alive,
    };
    dispatch(method, &operation).await
}

/// A request on its way to the handler.
struct Operation<'a> {
    handler: &'a RequestHandler,
    request: &'a RpcRequest,
    parts: &'a Parts,
    keep_alive: Duration,
}

impl Operation<'_> {
    /// The params, as the operation's request message.
    fn params<P: DeserializeOwned>(&self) -> Result<P, Error> {
        self.request.params_as()
    }

    /// The call context for the params' tenant.
    fn call(&self, tenant: &str) -> CallContext {
        call_context(
            &self.parts.headers,
            &self.parts.extensions,
            tenant.to_owned(),
            crate::types::binding::JSONRPC,
        )
    }

    /// Answers with a unary operation's result, or its error.
    fn answer<R: Serialize>(&self, result: Result<R, Error>) -> Response {
        match result {
            Ok(result) => success_response(self.request.id.clone(), &result),
            Err(err) => error_response(self.request.id.clone(), &err),
        }
    }

    /// Answers with a streaming operation's events, or the error that kept
    /// it from starting.
    fn stream(&self, stream: Result<EventStream, Error>) -> Response {
        streaming(self.request.id.clone(), stream, self.keep_alive)
    }
}

/// Generates `dispatch` from the operation table (`crate::operations`).
macro_rules! dispatch {
    ($(
        $(#[doc = $doc:literal])*
        $Name:ident = $wire:literal,
        $fn:ident($Request:ident) -> $kind:ident $Response:ident, idempotent: $idempotent:literal;
    )*) => {
        /// Runs the operation `method` names: a unary one reads its params,
        /// calls the handler and answers with the result; a stream is the
        /// function of its name below, written by hand.
        async fn dispatch(method: Method, operation: &Operation<'_>) -> Response {
            match method {
                $(Method::$Name => run!($kind operation, $fn($Request)),)*
            }
        }
    };
}

/// One arm of `dispatch`.
macro_rules! run {
    (unary $operation:ident, $fn:ident($Request:ident)) => {{
        let params: crate::types::$Request = match $operation.params() {
            Ok(params) => params,
            Err(err) => return error_response($operation.request.id.clone(), &err),
        };
        let call = $operation.call(&params.tenant);
        $operation.answer($operation.handler.$fn(&call, params).await)
    }};
    (stream $operation:ident, $fn:ident($Request:ident)) => {
        $fn($operation).await
    };
}

crate::operations::for_each_operation!(dispatch);

/// `SendStreamingMessage`.
async fn send_streaming_message(operation: &Operation<'_>) -> Response {
    let stream = async {
        let params: SendMessageRequest = operation.params()?;
        let call = operation.call(&params.tenant);
        operation.handler.send_streaming_message(&call, params).await
    };
    operation.stream(stream.await)
}

/// `SubscribeToTask`, resumed after the event named by `Last-Event-ID` if
/// the request has one.
async fn subscribe_to_task(operation: &Operation<'_>) -> Response {
    let resume = sse::last_event_id(&operation.parts.headers);
    let stream = async {
        let params: SubscribeToTaskRequest = operation.params()?;
        let call = operation.call(&params.tenant);
        match resume {
            Some(last_seen) => operation.handler.resume_task(&call, params, last_seen).await,
            None => operation.handler.subscribe_to_task(&call, params).await,
        }
    };
    operation.stream(stream.await)
}

/// The id of a request refused for its `Content-Type`, so that the client
/// can match the error to its call: the body is still read (within the
/// body limit) and, if it is an envelope whose `id` is a valid JSON-RPC id,
/// that id is echoed; anything else (not JSON, a batch, an object or
/// oversized id, a body over the limit) gets `null`.
async fn refused_request_id(headers: &HeaderMap, body: Body, limit: usize) -> Id {
    match read_body(headers, body, limit).await {
        Ok(bytes) => match RpcRequest::parse(&bytes) {
            Ok(request) => request.id,
            Err(rejected) => rejected.id,
        },
        Err(_) => Id::Null,
    }
}

/// Answers a streaming operation: a plain error if it could not start,
/// else an SSE stream of JSON-RPC responses.
fn streaming(id: Id, stream: Result<EventStream, Error>, keep_alive: Duration) -> Response {
    let stream = match stream {
        Ok(stream) => stream,
        Err(err) => return error_response(id, &err),
    };
    let data_id = id.clone();
    let frames = sse::frames(
        stream,
        move |out, event| {
            let response = RpcResponse::success(data_id.clone(), event);
            serde_json::to_writer(out, &response).expect("events always encode")
        },
        move |out, err| {
            serde_json::to_writer(out, &RpcResponse::<()>::error(id.clone(), &err))
                .expect("errors always encode")
        },
    );
    sse::response(frames, keep_alive)
}
