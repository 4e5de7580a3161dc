//! The requests and responses of sending a message and of the task
//! operations, and the request of the agent card.

use super::{task_id, task_name};
use crate::proto::convert::well_known::to_struct;
use crate::proto::convert::{
    FromProto, Invalid, field, oneof, oneof_from_proto, optional, required, try_from_proto,
};
use crate::proto::v0_3::{self, send_message_response};
use crate::types::{
    CancelTaskRequest, GetExtendedAgentCardRequest, GetTaskRequest, SendMessageConfiguration,
    SendMessageRequest, SendMessageResponse, SubscribeToTaskRequest,
};

try_from_proto! {
    SendMessageConfiguration => v0_3::SendMessageConfiguration,
    SendMessageRequest => v0_3::SendMessageRequest,
    SendMessageResponse => v0_3::SendMessageResponse,
    SendMessageResponse => send_message_response::Payload,
    SendMessageResponse => Option<send_message_response::Payload>,
    GetTaskRequest => v0_3::GetTaskRequest,
    CancelTaskRequest => v0_3::CancelTaskRequest,
    SubscribeToTaskRequest => v0_3::TaskSubscriptionRequest,
    GetExtendedAgentCardRequest => v0_3::GetAgentCardRequest,
}

oneof_from_proto! {
    SendMessageResponse => send_message_response::Payload,
}

/// A history length as v0.3 has it: a plain `int32`, 0 for "no limit".
fn history_length(length: Option<i32>) -> i32 {
    length.unwrap_or_default()
}

/// A v0.3 history length read back: 0 is "no limit", as v0.3 servers read it.
fn history_limit(length: i32) -> Option<i32> {
    (length != 0).then_some(length)
}

// ---------------------------------------------------------------------------
// Sending messages
// ---------------------------------------------------------------------------

/// 1.0's configuration as v0.3 has it:
///
/// - `blocking` is the inverse of `return_immediately`. Being a plain
///   `bool`, v0.3's reads as `false` (an immediate answer) when a peer
///   leaves it out of a configuration it sends.
/// - `history_length` has no presence in v0.3, where 0 means "no limit":
///   1.0's "no history" (`Some(0)`) is lost and reads back as `None`.
/// - The webhook (`task_push_notification_config`, v0.3's
///   `push_notification`) loses its task id and tenant.
impl From<SendMessageConfiguration> for v0_3::SendMessageConfiguration {
    fn from(configuration: SendMessageConfiguration) -> Self {
        Self {
            accepted_output_modes: configuration.accepted_output_modes,
            push_notification: configuration.task_push_notification_config.map(Into::into),
            history_length: history_length(configuration.history_length),
            blocking: !configuration.return_immediately,
        }
    }
}

impl FromProto<v0_3::SendMessageConfiguration> for SendMessageConfiguration {
    fn from_proto(proto: v0_3::SendMessageConfiguration) -> Result<Self, Invalid> {
        Ok(Self {
            accepted_output_modes: proto.accepted_output_modes,
            task_push_notification_config: optional(proto.push_notification, "pushNotification")?,
            history_length: history_limit(proto.history_length),
            return_immediately: !proto.blocking,
        })
    }
}

/// Field for field, 1.0's `message` being v0.3's `request` (whose JSON name
/// is `message`); the tenant is lost.
///
/// A request without a configuration is written with the default one,
/// `blocking: true`: 1.0 blocks by default, as v0.3's JSON-RPC servers do
/// without a configuration, but the v0.3 SDK's gRPC server reads a missing
/// configuration as one whose `blocking` is false. Read from v0.3, a
/// missing configuration stays missing (and so blocks); the configuration
/// itself converts as [`v0_3::SendMessageConfiguration`]'s conversion says.
impl From<SendMessageRequest> for v0_3::SendMessageRequest {
    fn from(request: SendMessageRequest) -> Self {
        Self {
            request: Some(request.message.into()),
            configuration: Some(request.configuration.unwrap_or_default().into()),
            metadata: request.metadata.map(to_struct),
        }
    }
}

impl FromProto<v0_3::SendMessageRequest> for SendMessageRequest {
    fn from_proto(proto: v0_3::SendMessageRequest) -> Result<Self, Invalid> {
        Ok(Self {
            tenant: String::new(),
            // `request`'s JSON name.
            message: required(proto.request, "message")?,
            configuration: optional(proto.configuration, "configuration")?,
            metadata: optional(proto.metadata, "metadata")?,
        })
    }
}

/// Member for member (1.0's `message` is v0.3's `msg`); an unrecognized
/// answer is no member at all.
impl From<SendMessageResponse> for Option<send_message_response::Payload> {
    fn from(response: SendMessageResponse) -> Self {
        use send_message_response::Payload;
        Some(match response {
            SendMessageResponse::Task(task) => Payload::Task(task.into()),
            SendMessageResponse::Message(message) => Payload::Msg(message.into()),
            SendMessageResponse::Unrecognized => return None,
        })
    }
}

impl FromProto<send_message_response::Payload> for SendMessageResponse {
    fn from_proto(proto: send_message_response::Payload) -> Result<Self, Invalid> {
        use send_message_response::Payload;
        Ok(match proto {
            Payload::Task(task) => Self::Task(field(task, "task")?),
            // `msg`'s JSON name.
            Payload::Msg(message) => Self::Message(field(message, "message")?),
        })
    }
}

/// Member for member, as the oneof's conversion says.
impl From<SendMessageResponse> for v0_3::SendMessageResponse {
    fn from(response: SendMessageResponse) -> Self {
        Self {
            payload: response.into(),
        }
    }
}

impl FromProto<v0_3::SendMessageResponse> for SendMessageResponse {
    fn from_proto(proto: v0_3::SendMessageResponse) -> Result<Self, Invalid> {
        oneof(proto.payload)
    }
}

// ---------------------------------------------------------------------------
// Tasks
// ---------------------------------------------------------------------------

/// The task's name, `tasks/{id}` (empty without an id), and the history
/// length, 1.0's "no history" (`Some(0)`) being lost as v0.3's 0 is "no
/// limit". The tenant is lost. Reading, a `name` that is not a task name
/// is an invalid-params error naming `name`.
impl From<GetTaskRequest> for v0_3::GetTaskRequest {
    fn from(request: GetTaskRequest) -> Self {
        Self {
            name: task_name(&request.id),
            history_length: history_length(request.history_length),
        }
    }
}

impl FromProto<v0_3::GetTaskRequest> for GetTaskRequest {
    fn from_proto(proto: v0_3::GetTaskRequest) -> Result<Self, Invalid> {
        Ok(Self {
            tenant: String::new(),
            id: task_id(&proto.name, "name")?,
            history_length: history_limit(proto.history_length),
        })
    }
}

/// The task's name, `tasks/{id}` (empty without an id); the tenant and the
/// metadata are lost. Reading, a `name` that is not a task name is an
/// invalid-params error naming `name`.
impl From<CancelTaskRequest> for v0_3::CancelTaskRequest {
    fn from(request: CancelTaskRequest) -> Self {
        Self {
            name: task_name(&request.id),
        }
    }
}

impl FromProto<v0_3::CancelTaskRequest> for CancelTaskRequest {
    fn from_proto(proto: v0_3::CancelTaskRequest) -> Result<Self, Invalid> {
        Ok(Self {
            tenant: String::new(),
            id: task_id(&proto.name, "name")?,
            metadata: None,
        })
    }
}

/// 1.0's `SubscribeToTask` is v0.3's `TaskSubscription`: the task's name,
/// `tasks/{id}` (empty without an id); the tenant is lost. Reading, a
/// `name` that is not a task name is an invalid-params error naming `name`.
impl From<SubscribeToTaskRequest> for v0_3::TaskSubscriptionRequest {
    fn from(request: SubscribeToTaskRequest) -> Self {
        Self {
            name: task_name(&request.id),
        }
    }
}

impl FromProto<v0_3::TaskSubscriptionRequest> for SubscribeToTaskRequest {
    fn from_proto(proto: v0_3::TaskSubscriptionRequest) -> Result<Self, Invalid> {
        Ok(Self {
            tenant: String::new(),
            id: task_id(&proto.name, "name")?,
        })
    }
}

// ---------------------------------------------------------------------------
// The agent card
// ---------------------------------------------------------------------------

/// v0.3's `GetAgentCard`, which takes no parameters, is what its clients
/// call for the card an authenticated caller gets: 1.0's
/// `GetExtendedAgentCard`. The tenant is lost.
impl From<GetExtendedAgentCardRequest> for v0_3::GetAgentCardRequest {
    fn from(_: GetExtendedAgentCardRequest) -> Self {
        Self {}
    }
}

impl FromProto<v0_3::GetAgentCardRequest> for GetExtendedAgentCardRequest {
    fn from_proto(_: v0_3::GetAgentCardRequest) -> Result<Self, Invalid> {
        Ok(Self {
            tenant: String::new(),
        })
    }
}
