//! The HTTP+JSON binding: one route per operation, also under `/{tenant}`.
//!
//! Path-bound fields (`id`, `taskId`, `tenant`) come from the path and win
//! over a copy in the body; GET and DELETE take the other fields from the
//! query string by their JSON names (snake_case accepted too). Errors are
//! the operation's HTTP status with a `google.rpc.Status` body.
//!
//! `:cancel` and `:subscribe` are suffixes of the task id segment, so the
//! route captures the whole segment and splits it at its last `:`.
//!
//! When the handler serves v0.3, its paths (`/v1/message:send`…) are
//! routed here too ([`v0_3`]); they take precedence over a tenant named
//! `v1`.

mod v0_3;

use std::sync::Arc;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderValue, Method, StatusCode, Uri, header};
use axum::response::Response;
use axum::routing::{get, post};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use super::{BodyError, Options, call_context, is_json, read_body, requested_version, sse};
use crate::server::EventStream;
use crate::server::call::CallContext;
use crate::server::handler::RequestHandler;
use crate::types::json;
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

type Params = Result<Path<Vec<(String, String)>>, PathRejection>;

pub(super) fn router(handler: RequestHandler, options: Options) -> Router {
    let serve_v0_3 = handler.serves_v0_3();
    let state = Arc::new(Binding { handler, options });
    let mut router = Router::new();
    if serve_v0_3 {
        router = v0_3::routes(router);
    }
    for prefix in ["", "/{tenant}"] {
        router = router
            .route(&format!("{prefix}/message:send"), post(send_message))
            .route(&format!("{prefix}/message:stream"), post(send_streaming_message))
            .route(&format!("{prefix}/tasks"), get(list_tasks))
            .route(&format!("{prefix}/tasks/{{task}}"), get(task_get).post(task_post))
            .route(
                &format!("{prefix}/tasks/{{task}}/pushNotificationConfigs"),
                post(create_config).get(list_configs),
            )
            .route(
                &format!("{prefix}/tasks/{{task}}/pushNotificationConfigs/{{config}}"),
                get(get_config).delete(delete_config),
            )
            .route(&format!("{prefix}/extendedAgentCard"), get(extended_card));
    }
    // Per path, not a router-wide fallback: the router stays mergeable into
    // an app with a fallback of its own.
    router
        .method_not_allowed_fallback(method_not_allowed)
        .with_state(state)
}

/// A known path with a method it does not serve: 405 (axum adds the
/// `Allow` header) with a `google.rpc.Status` body like every other error of
/// the binding, instead of axum's empty one.
async fn method_not_allowed(method: Method, uri: Uri) -> Response {
    let err = Error::new(
        ErrorKind::MethodNotFound,
        format!("{method} is not allowed on {}", uri.path()),
    );
    error_response_with_status(&err, StatusCode::METHOD_NOT_ALLOWED)
}

/// The path parameters of a route, by name.
struct PathParams(Vec<(String, String)>);

impl PathParams {
    /// The path parameters, or the protocol's error when axum cannot decode
    /// them (a segment that is not UTF-8 once percent-decoded).
    fn from(path: Params) -> Result<Self, Error> {
        match path {
            Ok(Path(params)) => Ok(Self(params)),
            Err(rejection) => Err(Error::invalid_params(format!(
                "invalid path: {}",
                rejection.body_text()
            ))),
        }
    }

    fn get(&self, name: &str) -> &str {
        self.0
            .iter()
            .find(|(key, _)| key == name)
            .map_or("", |(_, value)| value.as_str())
    }
}

fn json_response(status: StatusCode, body: Vec<u8>) -> Response {
    let mut response = Response::new(Body::from(body));
    *response.status_mut() = status;
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    response
}

pub(super) fn error_response(error: &Error) -> Response {
    let status =
        StatusCode::from_u16(error.kind().http_status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let response = json_response(
        status,
        serde_json::to_vec(&error.to_http()).expect("an error body always encodes"),
    );
    super::retry_after(response, error)
}

/// An error answered with another HTTP status than its kind's (413, 415);
/// the body's `code` says the same status.
fn error_response_with_status(error: &Error, status: StatusCode) -> Response {
    let mut body = error.to_http();
    body.error.code = i32::from(status.as_u16());
    json_response(
        status,
        serde_json::to_vec(&body).expect("an error body always encodes"),
    )
}

fn success_response<T: Serialize>(result: &T) -> Response {
    match serde_json::to_vec(result) {
        Ok(body) => json_response(StatusCode::OK, body),
        Err(err) => error_response(&Error::internal(format!(
            "the result could not be encoded: {err}"
        ))),
    }
}

fn respond<T: Serialize>(result: Result<T, Error>) -> Response {
    match result {
        Ok(value) => success_response(&value),
        Err(err) => error_response(&err),
    }
}

/// What every request goes through before its operation: the version
/// check, and the call context.
fn prelude(binding: &Binding, parts: &Parts, path: &PathParams) -> Result<CallContext, Error> {
    let version = requested_version(&parts.headers, parts.uri.query());
    binding.handler.check_version(version.as_deref())?;
    Ok(call_context(
        &parts.headers,
        &parts.extensions,
        path.get("tenant").to_owned(),
        crate::types::binding::HTTP_JSON,
    ))
}

/// The start of every handler: the decoded path, the request split into
/// head and body, and the call context after the version check.
fn begin(
    binding: &Binding,
    path: Params,
    request: Request,
) -> Result<(PathParams, Parts, Body, CallContext), Error> {
    let path = PathParams::from(path)?;
    let (parts, body) = request.into_parts();
    let call = prelude(binding, &parts, &path)?;
    Ok((path, parts, body, call))
}

/// Reads a JSON object body: an empty body is `{}`; a non-empty one must be JSON.
async fn body_object(binding: &Binding, parts: &Parts, body: Body) -> Result<Map<String, Value>, Response> {
    let bytes: Bytes = match read_body(&parts.headers, body, binding.options.body_limit).await {
        Ok(bytes) => bytes,
        Err(err @ BodyError::TooLarge(_)) => {
            return Err(error_response_with_status(
                &err.into_error(),
                StatusCode::PAYLOAD_TOO_LARGE,
            ));
        }
        Err(err) => return Err(error_response(&err.into_error())),
    };
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(Map::new());
    }
    if is_json(&parts.headers) != Some(true) {
        let err = Error::new(
            ErrorKind::ContentTypeNotSupported,
            "the request body must be JSON (Content-Type: application/json)",
        );
        return Err(error_response_with_status(
            &err,
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
        ));
    }
    match json::from_slice::<Value>(&bytes) {
        Ok(Value::Object(object)) => Ok(object),
        Ok(_) => Err(error_response(&Error::invalid_params(
            "the request body must be a JSON object",
        ))),
        Err(err) => Err(error_response(&err.into())),
    }
}

/// The query string as a JSON object, for the request message's deserializer.
fn query_object(parts: &Parts) -> Map<String, Value> {
    let mut object = Map::new();
    for (key, value) in form_urlencoded::parse(parts.uri.query().unwrap_or_default().as_bytes()) {
        let value = match (key.as_ref(), value.as_ref()) {
            ("includeArtifacts" | "include_artifacts", "true") => Value::Bool(true),
            ("includeArtifacts" | "include_artifacts", "false") => Value::Bool(false),
            ("status", number) if !number.is_empty() && number.bytes().all(|b| b.is_ascii_digit()) => number
                .parse::<u64>()
                .map(Value::from)
                .unwrap_or_else(|_| Value::from(number)),
            (_, text) => Value::from(text),
        };
        object.insert(key.into_owned(), value);
    }
    object
}

/// Builds the request message from fields, with the path-bound ones set.
fn request_from<T: DeserializeOwned>(
    mut fields: Map<String, Value>,
    bound: &[(&str, &str)],
) -> Result<T, Error> {
    for (name, value) in bound {
        // The path wins over any copy in the body or query, whichever spelling it used.
        let snake = camel_to_snake(name);
        fields.remove(&snake);
        fields.insert((*name).to_owned(), Value::from(*value));
    }
    Ok(json::from_value(Value::Object(fields))?)
}

fn camel_to_snake(name: &str) -> String {
    let mut out = String::with_capacity(name.len() + 2);
    for c in name.chars() {
        if c.is_ascii_uppercase() {
            out.push('_');
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

/// Answers a streaming operation: a plain error if it could not start,
/// else an SSE stream of bare `StreamResponse`s.
fn streaming(stream: Result<EventStream, Error>, keep_alive: std::time::Duration) -> Response {
    let stream = match stream {
        Ok(stream) => stream,
        Err(err) => return error_response(&err),
    };
    let frames = sse::frames(
        stream,
        |out, event| serde_json::to_writer(out, event).expect("events always encode"),
        |out, err| serde_json::to_writer(out, &err.to_http()).expect("errors always encode"),
    );
    sse::response(frames, keep_alive)
}

/// `SubscribeToTask`, resumed when the request carries `Last-Event-ID`.
async fn subscribe(binding: &Binding, parts: &Parts, call: &CallContext, id: &str) -> Response {
    let request = SubscribeToTaskRequest {
        tenant: call.tenant.clone(),
        id: id.to_owned(),
    };
    let stream = match sse::last_event_id(&parts.headers) {
        Some(last_seen) => binding.handler.resume_task(call, request, last_seen).await,
        None => binding.handler.subscribe_to_task(call, request).await,
    };
    streaming(stream, binding.options.keep_alive)
}

macro_rules! try_or_respond {
    ($result:expr) => {
        match $result {
            Ok(value) => value,
            Err(err) => return error_response(&err),
        }
    };
}

async fn send_message(State(binding): State<Arc<Binding>>, path: Params, request: Request) -> Response {
    let (_, parts, body, call) = try_or_respond!(begin(&binding, path, request));
    let fields = match body_object(&binding, &parts, body).await {
        Ok(fields) => fields,
        Err(response) => return response,
    };
    let request: SendMessageRequest = try_or_respond!(request_from(fields, &[("tenant", &call.tenant)]));
    respond(binding.handler.send_message(&call, request).await)
}

async fn send_streaming_message(
    State(binding): State<Arc<Binding>>,
    path: Params,
    request: Request,
) -> Response {
    let (_, parts, body, call) = try_or_respond!(begin(&binding, path, request));
    let fields = match body_object(&binding, &parts, body).await {
        Ok(fields) => fields,
        Err(response) => return response,
    };
    let request: SendMessageRequest = try_or_respond!(request_from(fields, &[("tenant", &call.tenant)]));
    streaming(
        binding.handler.send_streaming_message(&call, request).await,
        binding.options.keep_alive,
    )
}

async fn list_tasks(State(binding): State<Arc<Binding>>, path: Params, request: Request) -> Response {
    let (_, parts, _, call) = try_or_respond!(begin(&binding, path, request));
    let request: ListTasksRequest =
        try_or_respond!(request_from(query_object(&parts), &[("tenant", &call.tenant)]));
    respond(binding.handler.list_tasks(&call, request).await)
}

/// Splits `{id}:{action}` at the last `:`.
fn task_and_action(segment: &str) -> (&str, Option<&str>) {
    match segment.rsplit_once(':') {
        Some((id, action @ ("cancel" | "subscribe"))) => (id, Some(action)),
        _ => (segment, None),
    }
}

/// No route for this method and path: 404 with the binding's
/// method-not-found (`UNIMPLEMENTED`, not `NOT_FOUND`, which a client would
/// read as a missing task).
pub(super) fn no_route(method: &Method, path: &str) -> Response {
    let err = Error::method_not_found(&format!("{method} {path}"));
    error_response(&err)
}

async fn task_get(State(binding): State<Arc<Binding>>, path: Params, request: Request) -> Response {
    let (path, parts, _, call) = try_or_respond!(begin(&binding, path, request));
    match task_and_action(path.get("task")) {
        (id, None) => {
            let request: GetTaskRequest = try_or_respond!(request_from(
                query_object(&parts),
                &[("tenant", &call.tenant), ("id", id)]
            ));
            respond(binding.handler.get_task(&call, request).await)
        }
        (id, Some("subscribe")) => subscribe(&binding, &parts, &call, id).await,
        _ => no_route(&parts.method, parts.uri.path()),
    }
}

async fn task_post(State(binding): State<Arc<Binding>>, path: Params, request: Request) -> Response {
    let (path, parts, body, call) = try_or_respond!(begin(&binding, path, request));
    let (id, action) = task_and_action(path.get("task"));
    let Some(action) = action else {
        return no_route(&parts.method, parts.uri.path());
    };
    let fields = match body_object(&binding, &parts, body).await {
        Ok(fields) => fields,
        Err(response) => return response,
    };
    if action == "cancel" {
        let request: CancelTaskRequest =
            try_or_respond!(request_from(fields, &[("tenant", &call.tenant), ("id", id)]));
        respond(binding.handler.cancel_task(&call, request).await)
    } else {
        subscribe(&binding, &parts, &call, id).await
    }
}

async fn create_config(State(binding): State<Arc<Binding>>, path: Params, request: Request) -> Response {
    let (path, parts, body, call) = try_or_respond!(begin(&binding, path, request));
    let fields = match body_object(&binding, &parts, body).await {
        Ok(fields) => fields,
        Err(response) => return response,
    };
    let config: TaskPushNotificationConfig = try_or_respond!(request_from(
        fields,
        &[("tenant", &call.tenant), ("taskId", path.get("task"))]
    ));
    respond(
        binding
            .handler
            .create_task_push_notification_config(&call, config)
            .await,
    )
}

async fn list_configs(State(binding): State<Arc<Binding>>, path: Params, request: Request) -> Response {
    let (path, parts, _, call) = try_or_respond!(begin(&binding, path, request));
    let request: ListTaskPushNotificationConfigsRequest = try_or_respond!(request_from(
        query_object(&parts),
        &[("tenant", &call.tenant), ("taskId", path.get("task"))]
    ));
    respond(
        binding
            .handler
            .list_task_push_notification_configs(&call, request)
            .await,
    )
}

async fn get_config(State(binding): State<Arc<Binding>>, path: Params, request: Request) -> Response {
    let (path, _, _, call) = try_or_respond!(begin(&binding, path, request));
    let request = GetTaskPushNotificationConfigRequest {
        tenant: call.tenant.clone(),
        task_id: path.get("task").to_owned(),
        id: path.get("config").to_owned(),
    };
    respond(
        binding
            .handler
            .get_task_push_notification_config(&call, request)
            .await,
    )
}

async fn delete_config(State(binding): State<Arc<Binding>>, path: Params, request: Request) -> Response {
    let (path, _, _, call) = try_or_respond!(begin(&binding, path, request));
    let request = DeleteTaskPushNotificationConfigRequest {
        tenant: call.tenant.clone(),
        task_id: path.get("task").to_owned(),
        id: path.get("config").to_owned(),
    };
    respond(
        binding
            .handler
            .delete_task_push_notification_config(&call, request)
            .await,
    )
}

async fn extended_card(State(binding): State<Arc<Binding>>, path: Params, request: Request) -> Response {
    let (_, _, _, call) = try_or_respond!(begin(&binding, path, request));
    let request = GetExtendedAgentCardRequest {
        tenant: call.tenant.clone(),
    };
    respond(binding.handler.get_extended_agent_card(&call, request).await)
}
