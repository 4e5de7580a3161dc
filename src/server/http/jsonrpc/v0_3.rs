//! v0.3 on the JSON-RPC endpoint: its method names and params, its result
//! shapes (`kind` on every object, lowercase states, `final` on the last
//! status update) and its error codes, translated to and from the 1.0
//! operations of the same handler.
//!
//! A request is v0.3 when it names a v0.3 method and its `A2A-Version` is
//! absent, empty or a 0.3 one (a v0.3 client sends none). Under another
//! version a v0.3 method name is that version's request: a method 1.x does
//! not have, or a version not served.
//!
//! Where v0.3 and 1.0 differ in behaviour, v0.3 clients get what v0.3
//! servers did: a push config set without an id takes the task's id, and
//! `tasks/pushNotificationConfig/get` without a config id answers that
//! config (or, failing it, the task's first).

use axum::response::Response;
use serde::Serialize;

use super::{Operation, error_response_as, success_response};
use crate::Error;
use crate::jsonrpc::{Id, Response as RpcResponse};
use crate::server::EventStream;
use crate::types::{self, SendMessageResponse};
use crate::v0_3::{self as v03, Method};

/// Answers a v0.3 request.
pub(super) async fn serve(method: Method, operation: &Operation<'_>) -> Response {
    let id = operation.request.id.clone();
    match method {
        Method::MessageSend => answer(id, send(operation).await),
        Method::MessageStream => stream(id, send_streaming(operation).await, operation),
        Method::TasksGet => answer(id, get_task(operation).await),
        Method::TasksCancel => answer(id, cancel_task(operation).await),
        Method::TasksResubscribe => stream(id, resubscribe(operation).await, operation),
        Method::PushConfigSet => answer(id, set_push_config(operation).await),
        Method::PushConfigGet => answer(id, get_push_config(operation).await),
        Method::PushConfigList => answer(id, list_push_configs(operation).await),
        Method::PushConfigDelete => answer(id, delete_push_config(operation).await),
        Method::GetAuthenticatedExtendedCard => answer(id, extended_card(operation).await),
    }
}

fn error_response_v0_3(id: Id, error: &Error) -> Response {
    error_response_as(id, error, v03::error::to_jsonrpc(error))
}

fn answer<R: Serialize>(id: Id, result: Result<R, Error>) -> Response {
    match result {
        Ok(result) => success_response(id, &result),
        Err(err) => error_response_v0_3(id, &err),
    }
}

async fn send(operation: &Operation<'_>) -> Result<v03::SendMessageResult, Error> {
    let params: v03::MessageSendParams = operation.params()?;
    let call = operation.call("");
    let reply: SendMessageResponse = operation.handler.send_message(&call, params.into()).await?;
    Ok(reply.into())
}

async fn send_streaming(operation: &Operation<'_>) -> Result<EventStream, Error> {
    let params: v03::MessageSendParams = operation.params()?;
    let call = operation.call("");
    operation
        .handler
        .send_streaming_message(&call, params.into())
        .await
}

async fn get_task(operation: &Operation<'_>) -> Result<v03::Task, Error> {
    let params: v03::TaskQueryParams = operation.params()?;
    let call = operation.call("");
    Ok(operation.handler.get_task(&call, params.into()).await?.into())
}

async fn cancel_task(operation: &Operation<'_>) -> Result<v03::Task, Error> {
    let params: v03::TaskIdParams = operation.params()?;
    let call = operation.call("");
    Ok(operation.handler.cancel_task(&call, params.into()).await?.into())
}

/// `tasks/resubscribe`, resumed after `Last-Event-ID` as the 1.0 method is.
async fn resubscribe(operation: &Operation<'_>) -> Result<EventStream, Error> {
    let params: v03::TaskIdParams = operation.params()?;
    let call = operation.call("");
    let request = types::SubscribeToTaskRequest::from(params);
    match crate::server::http::sse::last_event_id(&operation.parts.headers) {
        Some(last_seen) => operation.handler.resume_task(&call, request, last_seen).await,
        None => operation.handler.subscribe_to_task(&call, request).await,
    }
}

async fn set_push_config(operation: &Operation<'_>) -> Result<v03::TaskPushNotificationConfig, Error> {
    let params: v03::TaskPushNotificationConfig = operation.params()?;
    let call = operation.call("");
    let mut config = types::TaskPushNotificationConfig::from(params);
    if config.id.is_empty() {
        config.id.clone_from(&config.task_id);
    }
    let created = operation
        .handler
        .create_task_push_notification_config(&call, config)
        .await?;
    Ok(created.into())
}

async fn get_push_config(operation: &Operation<'_>) -> Result<v03::TaskPushNotificationConfig, Error> {
    let params: v03::GetTaskPushNotificationConfigParams = operation.params()?;
    let call = operation.call("");
    let mut request = types::GetTaskPushNotificationConfigRequest::from(params);
    if request.id.is_empty() && !request.task_id.is_empty() {
        let list = types::ListTaskPushNotificationConfigsRequest {
            task_id: request.task_id.clone(),
            ..Default::default()
        };
        let configs = operation
            .handler
            .list_task_push_notification_configs(&call, list)
            .await?
            .configs;
        let chosen = configs
            .iter()
            .find(|config| config.id == request.task_id)
            .or(configs.first());
        match chosen {
            Some(config) => return Ok(config.clone().into()),
            // Asked for by its id, the task's own, to get the usual not-found error.
            None => request.id.clone_from(&request.task_id),
        }
    }
    let config = operation
        .handler
        .get_task_push_notification_config(&call, request)
        .await?;
    Ok(config.into())
}

async fn list_push_configs(operation: &Operation<'_>) -> Result<Vec<v03::TaskPushNotificationConfig>, Error> {
    let params: v03::ListTaskPushNotificationConfigParams = operation.params()?;
    let call = operation.call("");
    let listed = operation
        .handler
        .list_task_push_notification_configs(&call, params.into())
        .await?;
    Ok(listed.into())
}

async fn delete_push_config(operation: &Operation<'_>) -> Result<(), Error> {
    let params: v03::DeleteTaskPushNotificationConfigParams = operation.params()?;
    let call = operation.call("");
    operation
        .handler
        .delete_task_push_notification_config(&call, params.into())
        .await?;
    Ok(())
}

async fn extended_card(operation: &Operation<'_>) -> Result<v03::AgentCard, Error> {
    let call = operation.call("");
    let card = operation
        .handler
        .get_extended_agent_card(&call, types::GetExtendedAgentCardRequest::default())
        .await?;
    Ok(v03::with_interfaces(card).into())
}

/// A v0.3 stream: each event a JSON-RPC response holding the v0.3 event,
/// or the v0.3 error that kept the stream from starting.
fn stream(id: Id, stream: Result<EventStream, Error>, operation: &Operation<'_>) -> Response {
    let stream = match stream {
        Ok(stream) => stream,
        Err(err) => return error_response_v0_3(id, &err),
    };
    let data_id = id.clone();
    let frames = crate::server::http::sse::frames(
        stream,
        move |out, event| {
            let event = v03::StreamResponse::from(event.clone());
            let response = RpcResponse::success(data_id.clone(), event);
            serde_json::to_writer(out, &response).expect("events always encode")
        },
        move |out, err| {
            let response = RpcResponse::<()> {
                id: id.clone(),
                outcome: Err(v03::error::to_jsonrpc(&err)),
            };
            serde_json::to_writer(out, &response).expect("errors always encode")
        },
    );
    crate::server::http::sse::response(frames, operation.keep_alive)
}
