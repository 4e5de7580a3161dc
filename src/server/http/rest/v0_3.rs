//! v0.3's HTTP+JSON binding, beside 1.0's on the same router: its paths
//! (`/v1/message:send`, `/v1/tasks/{id}`, `/v1/card`…), its bodies (the
//! ProtoJSON of the v0.3 proto, [`crate::v0_3::rest`]) and its error
//! statuses, translated to and from the 1.0 operations of the same handler.
//!
//! A request's `A2A-Version` must be absent, empty or a 0.3 one. Errors are
//! answered with v0.3's HTTP statuses (a task that cannot be canceled is a
//! 409, an unsupported operation a 501…) and a body that both generations
//! read: v0.3's `{"message": …}` beside 1.0's `google.rpc.Status` under
//! `error`. Streams send one bare v0.3 `StreamResponse` per event.
//!
//! Where v0.3 servers behaved differently from 1.0, v0.3 clients get what
//! the official v0.3 SDK's server did: a push config set without an id
//! takes the task's id; a send without `blocking: true` (no configuration,
//! or one without it: the proto's default) returns at once; and
//! `GET /v1/card` answers the card in its JSON-RPC shape
//! ([`crate::v0_3::AgentCard`]), which is what v0.3 clients read there.

use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::Response;
use axum::routing::{get, post};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use super::{Binding, Params, PathParams, body_object, json_response, query_object, task_and_action};
use crate::server::EventStream;
use crate::server::call::CallContext;
use crate::server::http::{call_context, requested_version, sse};
use crate::types::{self, json};
use crate::v0_3::{self as v03, rest};
use crate::{Error, ErrorKind};

/// Adds v0.3's routes.
pub(super) fn routes(router: Router<Arc<Binding>>) -> Router<Arc<Binding>> {
    router
        .route("/v1/message:send", post(send_message))
        .route("/v1/message:stream", post(send_streaming_message))
        .route("/v1/tasks/{task}", get(task_get).post(task_post))
        .route(
            "/v1/tasks/{task}/pushNotificationConfigs",
            post(create_config).get(list_configs),
        )
        .route(
            "/v1/tasks/{task}/pushNotificationConfigs/{config}",
            get(get_config).delete(delete_config),
        )
        .route("/v1/card", get(extended_card))
}

/// The HTTP status v0.3 gives an error of this kind; the kinds v0.3 did
/// not have keep their 1.0 status.
fn status(kind: ErrorKind) -> StatusCode {
    match kind {
        ErrorKind::ParseError | ErrorKind::InvalidRequest => StatusCode::BAD_REQUEST,
        ErrorKind::MethodNotFound | ErrorKind::TaskNotFound | ErrorKind::ExtendedAgentCardNotConfigured => {
            StatusCode::NOT_FOUND
        }
        ErrorKind::InvalidParams => StatusCode::UNPROCESSABLE_ENTITY,
        ErrorKind::TaskNotCancelable => StatusCode::CONFLICT,
        ErrorKind::PushNotificationNotSupported | ErrorKind::UnsupportedOperation => {
            StatusCode::NOT_IMPLEMENTED
        }
        ErrorKind::ContentTypeNotSupported => StatusCode::UNSUPPORTED_MEDIA_TYPE,
        ErrorKind::InvalidAgentResponse => StatusCode::BAD_GATEWAY,
        other => StatusCode::from_u16(other.http_status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
    }
}

/// The body both generations read (see the module docs).
fn error_body(error: &Error) -> Value {
    let mut body = serde_json::to_value(error.to_http()).expect("an error body always encodes");
    if let Value::Object(members) = &mut body {
        members.insert("message".to_owned(), Value::from(error.message()));
    }
    body
}

fn error_response(error: &Error) -> Response {
    let body = serde_json::to_vec(&error_body(error)).expect("an error body always encodes");
    crate::server::http::retry_after(json_response(status(error.kind()), body), error)
}

fn respond<T: Serialize>(result: Result<T, Error>) -> Response {
    match result.and_then(|value| {
        serde_json::to_vec(&value)
            .map_err(|err| Error::internal(format!("the result could not be encoded: {err}")))
    }) {
        Ok(body) => json_response(StatusCode::OK, body),
        Err(err) => error_response(&err),
    }
}

/// The start of every handler: the decoded path, the request's head and
/// body, and the call context once the version is one of v0.3's.
fn begin(path: Params, request: Request) -> Result<(PathParams, Parts, Body, CallContext), Error> {
    let path = PathParams::from(path)?;
    let (parts, body) = request.into_parts();
    if let Some(version) = requested_version(&parts.headers, parts.uri.query()) {
        if !version.trim().is_empty() && !v03::is_v0_3(&version) {
            return Err(Error::version_not_supported(&version).with_message(format!(
                "the /v1/ paths are v0.3's, and this request says A2A-Version {version}; \
                 1.x requests go to the paths without /v1/"
            )));
        }
    }
    let call = call_context(
        &parts.headers,
        &parts.extensions,
        String::new(),
        types::binding::HTTP_JSON,
    );
    Ok((path, parts, body, call))
}

/// The body as a `T`; an empty body is `{}`.
async fn body_as<T: DeserializeOwned>(binding: &Binding, parts: &Parts, body: Body) -> Result<T, Response> {
    // A body too large, of another type or not an object is answered as
    // 1.0 answers it: the statuses (413, 415, 400) are v0.3's too.
    let fields = body_object(binding, parts, body).await?;
    json::from_value(Value::Object(fields)).map_err(|err| error_response(&err.into()))
}

macro_rules! try_or_respond {
    ($result:expr) => {
        match $result {
            Ok(value) => value,
            Err(err) => return error_response(&err),
        }
    };
}

macro_rules! body_or_respond {
    ($result:expr) => {
        match $result {
            Ok(value) => value,
            Err(response) => return response,
        }
    };
}

/// A v0.3 stream: one bare v0.3 `StreamResponse` per event, or the error
/// that kept it from starting.
fn streaming(stream: Result<EventStream, Error>, binding: &Binding) -> Response {
    let stream = match stream {
        Ok(stream) => stream,
        Err(err) => return error_response(&err),
    };
    let frames = sse::frames(
        stream,
        |out, event| {
            let event = rest::StreamResponse::from(event.clone());
            serde_json::to_writer(out, &event).expect("events always encode")
        },
        |out, err| serde_json::to_writer(out, &error_body(&err)).expect("errors always encode"),
    );
    sse::response(frames, binding.options.keep_alive)
}

async fn send_message(State(binding): State<Arc<Binding>>, path: Params, request: Request) -> Response {
    let (_, parts, body, call) = try_or_respond!(begin(path, request));
    let mut request: rest::SendMessageRequest = body_or_respond!(body_as(&binding, &parts, body).await);
    // No configuration is the proto's empty one: not blocking.
    request.configuration.get_or_insert_with(Default::default);
    let reply = binding.handler.send_message(&call, request.into()).await;
    respond(reply.map(rest::SendMessageResponse::from))
}

async fn send_streaming_message(
    State(binding): State<Arc<Binding>>,
    path: Params,
    request: Request,
) -> Response {
    let (_, parts, body, call) = try_or_respond!(begin(path, request));
    let request: rest::SendMessageRequest = body_or_respond!(body_as(&binding, &parts, body).await);
    streaming(
        binding
            .handler
            .send_streaming_message(&call, request.into())
            .await,
        &binding,
    )
}

/// `tasks/{id}:subscribe`, resumed when the request carries `Last-Event-ID`.
async fn subscribe(binding: &Binding, parts: &Parts, call: &CallContext, id: &str) -> Response {
    let request = types::SubscribeToTaskRequest::new(id);
    let stream = match sse::last_event_id(&parts.headers) {
        Some(last_seen) => binding.handler.resume_task(call, request, last_seen).await,
        None => binding.handler.subscribe_to_task(call, request).await,
    };
    streaming(stream, binding)
}

fn no_route(parts: &Parts) -> Response {
    error_response(&Error::method_not_found(&format!(
        "{} {}",
        parts.method,
        parts.uri.path()
    )))
}

async fn task_get(State(binding): State<Arc<Binding>>, path: Params, request: Request) -> Response {
    let (path, parts, _, call) = try_or_respond!(begin(path, request));
    match task_and_action(path.get("task")) {
        (id, None) => {
            let query = query_object(&parts);
            let history_length = match query.get("historyLength").or(query.get("history_length")) {
                None => None,
                Some(Value::String(text)) if text.is_empty() => None,
                Some(Value::String(text)) => Some(try_or_respond!(text.parse::<i32>().map_err(|_| {
                    Error::invalid_field("historyLength", format!("{text:?} is not a number"))
                }))),
                Some(_) => None,
            };
            let mut request = types::GetTaskRequest::new(id);
            request.history_length = history_length;
            respond(
                binding
                    .handler
                    .get_task(&call, request)
                    .await
                    .map(rest::Task::from),
            )
        }
        (id, Some("subscribe")) => subscribe(&binding, &parts, &call, id).await,
        _ => no_route(&parts),
    }
}

async fn task_post(State(binding): State<Arc<Binding>>, path: Params, request: Request) -> Response {
    let (path, parts, body, call) = try_or_respond!(begin(path, request));
    match task_and_action(path.get("task")) {
        (id, Some("cancel")) => {
            // The body names the task too (`{"name": "tasks/{id}"}`); the path wins.
            let _: Map<String, Value> = body_or_respond!(body_as(&binding, &parts, body).await);
            let reply = binding
                .handler
                .cancel_task(&call, types::CancelTaskRequest::new(id))
                .await;
            respond(reply.map(rest::Task::from))
        }
        (id, Some("subscribe")) => subscribe(&binding, &parts, &call, id).await,
        _ => no_route(&parts),
    }
}

async fn create_config(State(binding): State<Arc<Binding>>, path: Params, request: Request) -> Response {
    let (path, parts, body, call) = try_or_respond!(begin(path, request));
    // The v0.3 SDKs post the whole `CreateTaskPushNotificationConfigRequest`;
    // the proto's HTTP rule says the body is its `config` alone. Both are read.
    let fields: Map<String, Value> = body_or_respond!(body_as(&binding, &parts, body).await);
    let mut config: types::TaskPushNotificationConfig = if fields.contains_key("config") {
        let request: rest::CreateTaskPushNotificationConfigRequest =
            try_or_respond!(json::from_value(Value::Object(fields)).map_err(Error::from));
        request.into()
    } else {
        let config: rest::TaskPushNotificationConfig =
            try_or_respond!(json::from_value(Value::Object(fields)).map_err(Error::from));
        config.into()
    };
    config.task_id = path.get("task").to_owned();
    if config.id.is_empty() {
        config.id.clone_from(&config.task_id);
    }
    let created = binding
        .handler
        .create_task_push_notification_config(&call, config)
        .await;
    respond(created.map(rest::TaskPushNotificationConfig::from))
}

async fn list_configs(State(binding): State<Arc<Binding>>, path: Params, request: Request) -> Response {
    let (path, parts, _, call) = try_or_respond!(begin(path, request));
    let query = query_object(&parts);
    let mut request = types::ListTaskPushNotificationConfigsRequest {
        task_id: path.get("task").to_owned(),
        ..Default::default()
    };
    if let Some(Value::String(token)) = query.get("pageToken").or(query.get("page_token")) {
        request.page_token.clone_from(token);
    }
    if let Some(Value::String(size)) = query.get("pageSize").or(query.get("page_size")) {
        request.page_size = try_or_respond!(
            size.parse::<i32>()
                .map_err(|_| { Error::invalid_field("pageSize", format!("{size:?} is not a number")) })
        );
    }
    let listed = binding
        .handler
        .list_task_push_notification_configs(&call, request)
        .await;
    respond(listed.map(rest::ListTaskPushNotificationConfigResponse::from))
}

async fn get_config(State(binding): State<Arc<Binding>>, path: Params, request: Request) -> Response {
    let (path, _, _, call) = try_or_respond!(begin(path, request));
    let request = types::GetTaskPushNotificationConfigRequest::new(path.get("task"), path.get("config"));
    let config = binding
        .handler
        .get_task_push_notification_config(&call, request)
        .await;
    respond(config.map(rest::TaskPushNotificationConfig::from))
}

async fn delete_config(State(binding): State<Arc<Binding>>, path: Params, request: Request) -> Response {
    let (path, _, _, call) = try_or_respond!(begin(path, request));
    let request = types::DeleteTaskPushNotificationConfigRequest {
        task_id: path.get("task").to_owned(),
        id: path.get("config").to_owned(),
        ..Default::default()
    };
    let deleted = binding
        .handler
        .delete_task_push_notification_config(&call, request)
        .await;
    respond(deleted.map(|_| Map::new()))
}

async fn extended_card(State(binding): State<Arc<Binding>>, path: Params, request: Request) -> Response {
    let (_, _, _, call) = try_or_respond!(begin(path, request));
    let card = binding
        .handler
        .get_extended_agent_card(&call, types::GetExtendedAgentCardRequest::default())
        .await;
    respond(card.map(|card| v03::AgentCard::from(v03::with_interfaces(card))))
}
