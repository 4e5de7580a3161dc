//! The JSON-RPC 2.0 binding: one `POST` endpoint, the method in the envelope.
//!
//! Answers are HTTP 200 with a JSON-RPC response, whatever the outcome
//! (except authentication failures: 401 / 403, a body over the limit: 413,
//! and another HTTP method than `POST`: 405, each still with a JSON-RPC
//! error). A request refused for its `Content-Type` still has its body read
//! for its `id`, which the error echoes. Streaming methods answer
//! `text/event-stream` whose every `data:` is a complete JSON-RPC response;
//! an error before the first event is a plain JSON error instead.

use std::future::Future;
use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method as HttpMethod, StatusCode, header};
use axum::response::Response;
use axum::routing::post;
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::{BodyError, Options, Tenanted, call_context, is_json, read_body, requested_version, sse};
use crate::jsonrpc::{Id, Method, Request as RpcRequest, Response as RpcResponse};
use crate::server::EventStream;
use crate::server::call::CallContext;
use crate::server::handler::RequestHandler;
use crate::types::{
    CancelTaskRequest, DeleteTaskPushNotificationConfigRequest, GetExtendedAgentCardRequest,
    GetTaskPushNotificationConfigRequest, GetTaskRequest, ListTaskPushNotificationConfigsRequest,
    ListTasksRequest, SendMessageRequest, SubscribeToTaskRequest, TaskPushNotificationConfig,
};
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

fn error_response(id: Id, error: &Error) -> Response {
    let status = match error.kind() {
        ErrorKind::Unauthenticated => StatusCode::UNAUTHORIZED,
        ErrorKind::PermissionDenied => StatusCode::FORBIDDEN,
        _ => StatusCode::OK,
    };
    let body =
        serde_json::to_vec(&RpcResponse::<()>::error(id, error)).expect("an error response always encodes");
    json_response(status, body)
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
    if let Err(err) = binding.handler.check_version(version.as_deref()) {
        return error_response(id, &err);
    }
    let Some(method) = request.known_method() else {
        return error_response(id, &Error::method_not_found(&request.method));
    };
    let call = |tenant: &str| call_context(&parts.headers, &parts.extensions, tenant.to_owned());
    let handler = binding.handler.clone();
    let keep_alive = binding.options.keep_alive;
    match method {
        Method::SendMessage => {
            unary(&request, call, |c, p: SendMessageRequest| async move {
                handler.send_message(&c, p).await
            })
            .await
        }
        Method::SendStreamingMessage => {
            let stream = unary_stream(&request, call, |c, p: SendMessageRequest| async move {
                handler.send_streaming_message(&c, p).await
            });
            streaming(id, stream.await, keep_alive)
        }
        Method::GetTask => {
            unary(&request, call, |c, p: GetTaskRequest| async move {
                handler.get_task(&c, p).await
            })
            .await
        }
        Method::ListTasks => {
            unary(&request, call, |c, p: ListTasksRequest| async move {
                handler.list_tasks(&c, p).await
            })
            .await
        }
        Method::CancelTask => {
            unary(&request, call, |c, p: CancelTaskRequest| async move {
                handler.cancel_task(&c, p).await
            })
            .await
        }
        Method::SubscribeToTask => {
            let resume = sse::last_event_id(&parts.headers);
            let stream = unary_stream(&request, call, |c, p: SubscribeToTaskRequest| async move {
                match resume {
                    Some(last_seen) => handler.resume_task(&c, p, last_seen).await,
                    None => handler.subscribe_to_task(&c, p).await,
                }
            });
            streaming(id, stream.await, keep_alive)
        }
        Method::CreateTaskPushNotificationConfig => {
            unary(&request, call, |c, p: TaskPushNotificationConfig| async move {
                handler.create_task_push_notification_config(&c, p).await
            })
            .await
        }
        Method::GetTaskPushNotificationConfig => {
            unary(
                &request,
                call,
                |c, p: GetTaskPushNotificationConfigRequest| async move {
                    handler.get_task_push_notification_config(&c, p).await
                },
            )
            .await
        }
        Method::ListTaskPushNotificationConfigs => {
            unary(
                &request,
                call,
                |c, p: ListTaskPushNotificationConfigsRequest| async move {
                    handler.list_task_push_notification_configs(&c, p).await
                },
            )
            .await
        }
        Method::DeleteTaskPushNotificationConfig => {
            unary(
                &request,
                call,
                |c, p: DeleteTaskPushNotificationConfigRequest| async move {
                    handler.delete_task_push_notification_config(&c, p).await
                },
            )
            .await
        }
        Method::GetExtendedAgentCard => {
            unary(&request, call, |c, p: GetExtendedAgentCardRequest| async move {
                handler.get_extended_agent_card(&c, p).await
            })
            .await
        }
    }
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

/// Reads the params, calls the operation and encodes its result.
async fn unary<P, R, F, Fut>(
    request: &RpcRequest,
    call: impl Fn(&str) -> CallContext,
    operation: F,
) -> Response
where
    P: DeserializeOwned + Tenanted,
    R: Serialize,
    F: FnOnce(CallContext, P) -> Fut,
    Fut: Future<Output = Result<R, Error>>,
{
    let id = request.id.clone();
    let params: P = match request.params_as() {
        Ok(params) => params,
        Err(err) => return error_response(id, &err),
    };
    let context = call(params.tenant());
    match operation(context, params).await {
        Ok(result) => success_response(id, &result),
        Err(err) => error_response(id, &err),
    }
}

/// Reads the params and starts a streaming operation.
async fn unary_stream<P, F, Fut>(
    request: &RpcRequest,
    call: impl Fn(&str) -> CallContext,
    operation: F,
) -> Result<EventStream, Error>
where
    P: DeserializeOwned + Tenanted,
    F: FnOnce(CallContext, P) -> Fut,
    Fut: Future<Output = Result<EventStream, Error>>,
{
    let params: P = request.params_as()?;
    let context = call(params.tenant());
    operation(context, params).await
}

/// Answers a streaming operation: a plain error if it could not start,
/// else an SSE stream of JSON-RPC responses.
fn streaming(id: Id, stream: Result<EventStream, Error>, keep_alive: std::time::Duration) -> Response {
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
