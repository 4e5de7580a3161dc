//! Calls to a v0.3 agent over JSON-RPC: each 1.0 call as the v0.3 method
//! and params of the same operation, each v0.3 answer read back as the 1.0
//! message the caller asked for.

use serde_json::Value;

use super::decode;
use crate::client::transport::{Call, Reply};
use crate::jsonrpc;
use crate::types::StreamResponse;
use crate::v0_3::{self as v03, Method};
use crate::{Error, ErrorKind};

/// The v0.3 method and params of `call`; `None` params for a method that
/// takes none. `ListTasks` has no v0.3 method.
pub(crate) fn request(call: &Call) -> Result<(Method, Option<Value>), Error> {
    let method = Method::from_v1(call.method()).ok_or_else(|| {
        Error::unsupported_operation(format!("a v0.3 agent has no {} operation", call.method()))
    })?;
    let params = match call.clone() {
        Call::SendMessage(request) | Call::SendStreamingMessage(request) => {
            encode(v03::MessageSendParams::from(request))
        }
        Call::GetTask(request) => encode(v03::TaskQueryParams::from(request)),
        Call::CancelTask(request) => encode(v03::TaskIdParams::from(request)),
        Call::SubscribeToTask(request) => encode(v03::TaskIdParams::from(request)),
        Call::CreateTaskPushNotificationConfig(config) => {
            encode(v03::TaskPushNotificationConfig::from(config))
        }
        Call::GetTaskPushNotificationConfig(request) => {
            encode(v03::GetTaskPushNotificationConfigParams::from(request))
        }
        Call::ListTaskPushNotificationConfigs(request) => {
            encode(v03::ListTaskPushNotificationConfigParams::from(request))
        }
        Call::DeleteTaskPushNotificationConfig(request) => {
            encode(v03::DeleteTaskPushNotificationConfigParams::from(request))
        }
        Call::GetExtendedAgentCard(_) => return Ok((method, None)),
        Call::ListTasks(_) => unreachable!("ListTasks has no v0.3 method, refused above"),
    };
    Ok((method, Some(params?)))
}

fn encode<T: serde::Serialize>(params: T) -> Result<Value, Error> {
    serde_json::to_value(params).map_err(|err| {
        Error::invalid_params(format!("the request could not be encoded: {err}")).with_source(err)
    })
}

/// Reads the `result` of a v0.3 method as the reply of the 1.0 operation.
pub(crate) fn reply(method: jsonrpc::Method, result: &[u8]) -> Result<Reply, Error> {
    use jsonrpc::Method as M;
    Ok(match method {
        M::SendMessage => Reply::SendMessage(decode::<v03::SendMessageResult>(result)?.into()),
        M::GetTask | M::CancelTask => Reply::Task(decode::<v03::Task>(result)?.into()),
        M::CreateTaskPushNotificationConfig | M::GetTaskPushNotificationConfig => {
            Reply::PushConfig(decode::<v03::TaskPushNotificationConfig>(result)?.into())
        }
        M::ListTaskPushNotificationConfigs => {
            Reply::PushConfigs(decode::<Vec<v03::TaskPushNotificationConfig>>(result)?.into())
        }
        M::DeleteTaskPushNotificationConfig => Reply::Empty,
        M::GetExtendedAgentCard => Reply::AgentCard(decode::<v03::AgentCard>(result)?.into()),
        M::ListTasks | M::SendStreamingMessage | M::SubscribeToTask => {
            return Err(Error::new(
                ErrorKind::InvalidResponse,
                format!("{method} has no unary v0.3 answer"),
            ));
        }
    })
}

/// Reads one streamed v0.3 event as its 1.0 event.
pub(crate) fn stream_event(result: &str) -> Result<StreamResponse, Error> {
    let event: v03::StreamResponse = decode(result.as_bytes())?;
    Ok(event.into())
}
