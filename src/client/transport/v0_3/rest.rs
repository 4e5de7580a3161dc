//! Calls to a v0.3 agent over HTTP+JSON: v0.3's paths under the interface
//! URL (`/v1/message:send`…), its bodies (the ProtoJSON of the v0.3 proto),
//! and its errors, which are an HTTP status and `{"message": …}`.

use reqwest::Method as Verb;
use serde_json::Value;

use super::decode;
use crate::client::transport::rest::{Route, segment};
use crate::client::transport::{Call, Reply};
use crate::error::HttpErrorBody;
use crate::jsonrpc;
use crate::types::StreamResponse;
use crate::v0_3::rest;
use crate::{Error, ErrorKind};

fn body(message: impl serde::Serialize) -> Result<Option<Vec<u8>>, Error> {
    serde_json::to_vec(&message).map(Some).map_err(|err| {
        Error::invalid_params(format!("the request could not be encoded: {err}")).with_source(err)
    })
}

fn route(verb: Verb, path: String, body: Option<Vec<u8>>) -> Route {
    Route {
        verb,
        path,
        query: Vec::new(),
        body,
    }
}

/// The v0.3 request of `call`. v0.3 has no tenants (a tenant is not sent)
/// and no `ListTasks`.
pub(crate) fn route_of(call: &Call) -> Result<Route, Error> {
    Ok(match call {
        Call::SendMessage(request) => route(
            Verb::POST,
            "/v1/message:send".into(),
            body(rest::SendMessageRequest::from(request.clone()))?,
        ),
        Call::SendStreamingMessage(request) => route(
            Verb::POST,
            "/v1/message:stream".into(),
            body(rest::SendMessageRequest::from(request.clone()))?,
        ),
        Call::GetTask(request) => {
            let mut get = route(Verb::GET, format!("/v1/tasks/{}", segment(&request.id)), None);
            if let Some(length) = request.history_length {
                get.query.push(("historyLength".into(), length.to_string()));
            }
            get
        }
        Call::CancelTask(request) => route(
            Verb::POST,
            format!("/v1/tasks/{}:cancel", segment(&request.id)),
            body(rest::CancelTaskRequest::from(request.clone()))?,
        ),
        // The v0.3 proto subscribes with GET.
        Call::SubscribeToTask(request) => route(
            Verb::GET,
            format!("/v1/tasks/{}:subscribe", segment(&request.id)),
            None,
        ),
        // The whole create request, as the v0.3 SDKs send it.
        Call::CreateTaskPushNotificationConfig(config) => route(
            Verb::POST,
            format!("/v1/tasks/{}/pushNotificationConfigs", segment(&config.task_id)),
            body(rest::CreateTaskPushNotificationConfigRequest::from(
                config.clone(),
            ))?,
        ),
        Call::GetTaskPushNotificationConfig(request) => route(
            Verb::GET,
            format!(
                "/v1/tasks/{}/pushNotificationConfigs/{}",
                segment(&request.task_id),
                segment(&request.id)
            ),
            None,
        ),
        Call::ListTaskPushNotificationConfigs(request) => {
            let mut list = route(
                Verb::GET,
                format!("/v1/tasks/{}/pushNotificationConfigs", segment(&request.task_id)),
                None,
            );
            if request.page_size > 0 {
                list.query
                    .push(("pageSize".into(), request.page_size.to_string()));
            }
            if !request.page_token.is_empty() {
                list.query.push(("pageToken".into(), request.page_token.clone()));
            }
            list
        }
        Call::DeleteTaskPushNotificationConfig(request) => route(
            Verb::DELETE,
            format!(
                "/v1/tasks/{}/pushNotificationConfigs/{}",
                segment(&request.task_id),
                segment(&request.id)
            ),
            None,
        ),
        Call::GetExtendedAgentCard(_) => route(Verb::GET, "/v1/card".into(), None),
        Call::ListTasks(_) => {
            return Err(Error::unsupported_operation(
                "a v0.3 agent has no ListTasks operation",
            ));
        }
    })
}

/// Reads a v0.3 answer as the reply of the 1.0 operation.
pub(crate) fn reply(method: jsonrpc::Method, body: &[u8]) -> Result<Reply, Error> {
    use jsonrpc::Method as M;
    Ok(match method {
        M::SendMessage => Reply::SendMessage(decode::<rest::SendMessageResponse>(body)?.into()),
        M::GetTask | M::CancelTask => Reply::Task(decode::<rest::Task>(body)?.into()),
        M::CreateTaskPushNotificationConfig | M::GetTaskPushNotificationConfig => {
            Reply::PushConfig(decode::<rest::TaskPushNotificationConfig>(body)?.into())
        }
        M::ListTaskPushNotificationConfigs => {
            Reply::PushConfigs(decode::<rest::ListTaskPushNotificationConfigResponse>(body)?.into())
        }
        M::DeleteTaskPushNotificationConfig => Reply::Empty,
        // The card in its JSON-RPC shape, as v0.3 servers send it here.
        M::GetExtendedAgentCard => Reply::AgentCard(decode::<crate::v0_3::AgentCard>(body)?.into()),
        M::ListTasks | M::SendStreamingMessage | M::SubscribeToTask => {
            return Err(Error::new(
                ErrorKind::InvalidResponse,
                format!("{method} has no unary v0.3 answer"),
            ));
        }
    })
}

/// The kind of error a v0.3 agent means by an HTTP status.
fn kind_of(status: u16) -> ErrorKind {
    match status {
        400 => ErrorKind::InvalidRequest,
        401 => ErrorKind::Unauthenticated,
        403 => ErrorKind::PermissionDenied,
        404 => ErrorKind::TaskNotFound,
        409 => ErrorKind::TaskNotCancelable,
        415 => ErrorKind::ContentTypeNotSupported,
        422 => ErrorKind::InvalidParams,
        429 => ErrorKind::ResourceExhausted,
        501 => ErrorKind::UnsupportedOperation,
        502 => ErrorKind::InvalidAgentResponse,
        _ => ErrorKind::Internal,
    }
}

/// A failed v0.3 answer: its status, and the `message` of its body when it
/// has one. (An answer with a `google.rpc.Status` body is read as 1.0's.)
pub(crate) fn error(status: reqwest::StatusCode, body: &[u8]) -> Error {
    let message = serde_json::from_slice::<Value>(body)
        .ok()
        .and_then(|value| value.get("message").and_then(Value::as_str).map(str::to_owned))
        .unwrap_or_else(|| format!("the agent answered HTTP {status}"));
    Error::new(kind_of(status.as_u16()), message)
}

/// Reads one SSE event of a v0.3 HTTP+JSON stream: a v0.3
/// `StreamResponse`, or an error in either generation's shape.
pub(crate) fn stream_item(event: &str, data: &str) -> Result<StreamResponse, Error> {
    let value: Value = serde_json::from_str(data).map_err(|err| {
        Error::new(
            ErrorKind::InvalidResponse,
            format!("a streamed event is not JSON: {err}"),
        )
        .with_source(err)
    })?;
    if value.get("error").is_some_and(Value::is_object) {
        if let Ok(body) = serde_json::from_value::<HttpErrorBody>(value.clone()) {
            let status = u16::try_from(body.error.code).unwrap_or(500);
            return Err(Error::from_http(status, &body));
        }
    }
    if event == "error" {
        let message = value
            .get("message")
            .and_then(Value::as_str)
            .unwrap_or("the stream failed");
        return Err(Error::new(ErrorKind::Internal, message));
    }
    let event: rest::StreamResponse = decode(data.as_bytes())?;
    Ok(event.into())
}
