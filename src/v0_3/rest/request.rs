//! The request bodies of `POST /v1/message:send`, `POST /v1/message:stream`
//! and `POST /v1/tasks/{id}:cancel`.

use super::name::{parse_task_name, task_id_in, task_name};
use super::{Message, PushNotificationConfig};
use crate::types::protojson::{self, is_false, is_zero, nullable};
use crate::types::{self, Struct};

/// The body of `POST /v1/message:send` and `POST /v1/message:stream`.
///
/// Converts with [`types::SendMessageRequest`]; the 1.0 tenant is lost
/// going to v0.3 (the proto has none). A 1.0 request without a
/// configuration gets the default one going to v0.3, written
/// `{"blocking": true}`: the v0.3 Python SDK's server reads an absent
/// configuration as non-blocking, while 1.0's default is to block. (An
/// absent configuration read from v0.3 stays absent in 1.0.)
///
/// ```
/// use a2akit::{types, v0_3::rest};
///
/// let body: rest::SendMessageRequest = serde_json::from_str(
///     r#"{"message": {"messageId": "m1", "role": "ROLE_USER", "content": [{"text": "hi"}]},
///         "configuration": {"blocking": true, "historyLength": 2}}"#,
/// ).unwrap();
/// let request = types::SendMessageRequest::from(body);
/// let configuration = request.configuration.unwrap();
/// assert!(!configuration.return_immediately);
/// assert_eq!(configuration.history_length, Some(2));
/// ```
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct SendMessageRequest {
    /// The message: the proto field `request`, whose JSON name is `message`
    /// (both are read; always written).
    #[serde(alias = "request", default, deserialize_with = "nullable")]
    pub message: Message,
    /// How the client wants the answer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub configuration: Option<SendMessageConfiguration>,
    /// Free-form metadata.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Struct>,
}

impl From<SendMessageRequest> for types::SendMessageRequest {
    fn from(request: SendMessageRequest) -> Self {
        Self {
            tenant: String::new(),
            message: request.message.into(),
            configuration: request.configuration.map(Into::into),
            metadata: request.metadata,
        }
    }
}

impl From<types::SendMessageRequest> for SendMessageRequest {
    fn from(request: types::SendMessageRequest) -> Self {
        Self {
            message: request.message.into(),
            configuration: Some(request.configuration.unwrap_or_default().into()),
            metadata: request.metadata,
        }
    }
}

/// How a client wants a message answered.
///
/// Converts with [`types::SendMessageConfiguration`]:
///
/// - `blocking` is the inverse of 1.0's `returnImmediately`. A proto3
///   `bool`, it reads as false when absent, so a configuration without it
///   asks for an immediate answer (as the v0.3 Python SDK's server reads
///   it); going back, `blocking: true` is written unless the 1.0
///   configuration returns immediately.
/// - `historyLength` is a proto3 `int32` without presence: 0 is "not set".
///   1.0's "no history" (`Some(0)`) is therefore lost and comes back as
///   "no limit" (`None`).
/// - The webhook loses its 1.0 task id and tenant ([`PushNotificationConfig`]).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SendMessageConfiguration {
    /// Media types the client accepts in the answer.
    #[serde(alias = "accepted_output_modes")]
    #[serde(default, deserialize_with = "nullable", skip_serializing_if = "Vec::is_empty")]
    pub accepted_output_modes: Vec<String>,
    /// A webhook for the task's updates.
    #[serde(alias = "push_notification", default, skip_serializing_if = "Option::is_none")]
    pub push_notification: Option<PushNotificationConfig>,
    /// At most this many of the newest history messages in the answer; 0 for no limit.
    #[serde(alias = "history_length")]
    #[serde(default, deserialize_with = "protojson::int32::deserialize", skip_serializing_if = "is_zero")]
    pub history_length: i32,
    /// Whether to wait for the task to finish or be interrupted before answering.
    #[serde(default, deserialize_with = "nullable", skip_serializing_if = "is_false")]
    pub blocking: bool,
}

impl From<SendMessageConfiguration> for types::SendMessageConfiguration {
    fn from(configuration: SendMessageConfiguration) -> Self {
        Self {
            accepted_output_modes: configuration.accepted_output_modes,
            task_push_notification_config: configuration.push_notification.map(Into::into),
            history_length: (configuration.history_length != 0).then_some(configuration.history_length),
            return_immediately: !configuration.blocking,
        }
    }
}

impl From<types::SendMessageConfiguration> for SendMessageConfiguration {
    fn from(configuration: types::SendMessageConfiguration) -> Self {
        Self {
            accepted_output_modes: configuration.accepted_output_modes,
            push_notification: configuration.task_push_notification_config.map(Into::into),
            history_length: configuration.history_length.unwrap_or_default(),
            blocking: !configuration.return_immediately,
        }
    }
}

/// The body the v0.3 SDKs send with `POST /v1/tasks/{id}:cancel`: the
/// task's name, `tasks/{id}` (the path names the task too, and servers
/// go by the path).
///
/// Converts with [`types::CancelTaskRequest`]: the id is read from the
/// name (see [`parse_task_name`]; a name that does not parse gives the id
/// that follows `tasks/`, or none), and the 1.0 tenant and metadata are
/// lost going to v0.3.
///
/// ```
/// use a2akit::{types, v0_3::rest};
///
/// let body = rest::CancelTaskRequest::from(types::CancelTaskRequest::new("t1"));
/// assert_eq!(serde_json::to_string(&body).unwrap(), r#"{"name":"tasks/t1"}"#);
/// assert_eq!(body.task_id(), Ok("t1"));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct CancelTaskRequest {
    /// The task's name, `tasks/{id}`.
    #[serde(default, deserialize_with = "nullable", skip_serializing_if = "String::is_empty")]
    pub name: String,
}

impl CancelTaskRequest {
    /// The task id the name holds; a malformed name is refused.
    pub fn task_id(&self) -> Result<&str, super::NameError> {
        parse_task_name(&self.name)
    }
}

impl From<CancelTaskRequest> for types::CancelTaskRequest {
    fn from(request: CancelTaskRequest) -> Self {
        Self::new(task_id_in(&request.name))
    }
}

impl From<types::CancelTaskRequest> for CancelTaskRequest {
    fn from(request: types::CancelTaskRequest) -> Self {
        let name = match request.id.as_str() {
            "" => String::new(),
            task_id => task_name(task_id),
        };
        Self { name }
    }
}
