//! The `params` of the v0.3 JSON-RPC methods, and their 1.0 requests.
//!
//! Every 1.0 request has a `tenant`, which v0.3 lacks: it is empty coming
//! from v0.3 and dropped going to it.

use super::{Message, PushNotificationConfig, TaskPushNotificationConfig, non_empty_vec};
use crate::types::protojson::{self, nullable};
use crate::types::{self, Struct};

/// The params of `message/send` and `message/stream`.
///
/// Converts with [`types::SendMessageRequest`].
///
/// ```
/// use a2akit::{types, v0_3};
///
/// let params: v0_3::MessageSendParams = serde_json::from_str(
///     r#"{"message": {"kind": "message", "messageId": "m1", "role": "user", "parts": [{"kind": "text", "text": "hi"}]},
///         "configuration": {"blocking": false, "historyLength": 2}}"#,
/// ).unwrap();
/// let request = types::SendMessageRequest::from(params);
/// let configuration = request.configuration.unwrap();
/// assert!(configuration.return_immediately);
/// assert_eq!(configuration.history_length, Some(2));
/// ```
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct MessageSendParams {
    /// The message.
    #[serde(default, deserialize_with = "nullable")]
    pub message: Message,
    /// How the client wants the answer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub configuration: Option<MessageSendConfiguration>,
    /// Free-form metadata.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Struct>,
}

impl From<MessageSendParams> for types::SendMessageRequest {
    fn from(params: MessageSendParams) -> Self {
        Self {
            tenant: String::new(),
            message: params.message.into(),
            configuration: params.configuration.map(Into::into),
            metadata: params.metadata,
        }
    }
}

impl From<types::SendMessageRequest> for MessageSendParams {
    fn from(request: types::SendMessageRequest) -> Self {
        Self {
            message: request.message.into(),
            configuration: request.configuration.map(Into::into),
            metadata: request.metadata,
        }
    }
}

/// How a client wants `message/send` answered.
///
/// Converts with [`types::SendMessageConfiguration`]. v0.3's `blocking`
/// is the inverse of 1.0's `returnImmediately`, and v0.3 servers block
/// unless told `false`: absent or `true` reads as `returnImmediately:
/// false`, and going back `blocking` is always written (so an absent one
/// comes back `true`). An absent `acceptedOutputModes` and an empty one
/// are the same in 1.0.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MessageSendConfiguration {
    /// Media types the client accepts in the answer.
    #[serde(alias = "accepted_output_modes", default, skip_serializing_if = "Option::is_none")]
    pub accepted_output_modes: Option<Vec<String>>,
    /// Whether to wait for the task to finish or be interrupted before answering.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub blocking: Option<bool>,
    /// At most this many of the newest history messages in the answer.
    #[serde(
        alias = "history_length",
        default,
        deserialize_with = "protojson::int32::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub history_length: Option<i32>,
    /// A webhook for the task's updates.
    #[serde(alias = "push_notification_config", default, skip_serializing_if = "Option::is_none")]
    pub push_notification_config: Option<PushNotificationConfig>,
}

impl From<MessageSendConfiguration> for types::SendMessageConfiguration {
    fn from(configuration: MessageSendConfiguration) -> Self {
        Self {
            accepted_output_modes: configuration.accepted_output_modes.unwrap_or_default(),
            task_push_notification_config: configuration.push_notification_config.map(Into::into),
            history_length: configuration.history_length,
            return_immediately: configuration.blocking == Some(false),
        }
    }
}

impl From<types::SendMessageConfiguration> for MessageSendConfiguration {
    fn from(configuration: types::SendMessageConfiguration) -> Self {
        Self {
            accepted_output_modes: non_empty_vec(configuration.accepted_output_modes),
            blocking: Some(!configuration.return_immediately),
            history_length: configuration.history_length,
            push_notification_config: configuration.task_push_notification_config.map(Into::into),
        }
    }
}

/// The params of `tasks/get`.
///
/// Converts with [`types::GetTaskRequest`]; `metadata` is lost going to 1.0.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TaskQueryParams {
    /// The task id.
    #[serde(default, deserialize_with = "nullable")]
    pub id: String,
    /// At most this many of the newest history messages.
    #[serde(
        alias = "history_length",
        default,
        deserialize_with = "protojson::int32::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub history_length: Option<i32>,
    /// Free-form metadata.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Struct>,
}

impl From<TaskQueryParams> for types::GetTaskRequest {
    fn from(params: TaskQueryParams) -> Self {
        Self {
            tenant: String::new(),
            id: params.id,
            history_length: params.history_length,
        }
    }
}

impl From<types::GetTaskRequest> for TaskQueryParams {
    fn from(request: types::GetTaskRequest) -> Self {
        Self {
            id: request.id,
            history_length: request.history_length,
            metadata: None,
        }
    }
}

/// The params of `tasks/cancel` and `tasks/resubscribe`.
///
/// Converts with [`types::CancelTaskRequest`] (metadata kept) and
/// [`types::SubscribeToTaskRequest`] (metadata lost going to 1.0).
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct TaskIdParams {
    /// The task id.
    #[serde(default, deserialize_with = "nullable")]
    pub id: String,
    /// Free-form metadata.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Struct>,
}

impl From<TaskIdParams> for types::CancelTaskRequest {
    fn from(params: TaskIdParams) -> Self {
        Self {
            tenant: String::new(),
            id: params.id,
            metadata: params.metadata,
        }
    }
}

impl From<types::CancelTaskRequest> for TaskIdParams {
    fn from(request: types::CancelTaskRequest) -> Self {
        Self {
            id: request.id,
            metadata: request.metadata,
        }
    }
}

impl From<TaskIdParams> for types::SubscribeToTaskRequest {
    fn from(params: TaskIdParams) -> Self {
        Self {
            tenant: String::new(),
            id: params.id,
        }
    }
}

impl From<types::SubscribeToTaskRequest> for TaskIdParams {
    fn from(request: types::SubscribeToTaskRequest) -> Self {
        Self {
            id: request.id,
            metadata: None,
        }
    }
}

/// The params of `tasks/pushNotificationConfig/get`: the task (`id`) and,
/// optionally, which of its configs.
///
/// Converts with [`types::GetTaskPushNotificationConfigRequest`]; an
/// absent config id is an empty one in 1.0 (and the reverse), and
/// `metadata` is lost going to 1.0.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GetTaskPushNotificationConfigParams {
    /// The task id.
    #[serde(default, deserialize_with = "nullable")]
    pub id: String,
    /// The config id.
    #[serde(alias = "push_notification_config_id", default, skip_serializing_if = "Option::is_none")]
    pub push_notification_config_id: Option<String>,
    /// Free-form metadata.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Struct>,
}

impl From<GetTaskPushNotificationConfigParams> for types::GetTaskPushNotificationConfigRequest {
    fn from(params: GetTaskPushNotificationConfigParams) -> Self {
        Self {
            tenant: String::new(),
            task_id: params.id,
            id: params.push_notification_config_id.unwrap_or_default(),
        }
    }
}

impl From<types::GetTaskPushNotificationConfigRequest> for GetTaskPushNotificationConfigParams {
    fn from(request: types::GetTaskPushNotificationConfigRequest) -> Self {
        Self {
            id: request.task_id,
            push_notification_config_id: super::non_empty(request.id),
            metadata: None,
        }
    }
}

/// The params of `tasks/pushNotificationConfig/list`: the task (`id`).
///
/// Converts with [`types::ListTaskPushNotificationConfigsRequest`]; v0.3
/// has no paging (page size and token are lost going to v0.3) and 1.0 no
/// `metadata` here.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ListTaskPushNotificationConfigParams {
    /// The task id.
    #[serde(default, deserialize_with = "nullable")]
    pub id: String,
    /// Free-form metadata.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Struct>,
}

impl From<ListTaskPushNotificationConfigParams> for types::ListTaskPushNotificationConfigsRequest {
    fn from(params: ListTaskPushNotificationConfigParams) -> Self {
        Self::new(params.id)
    }
}

impl From<types::ListTaskPushNotificationConfigsRequest> for ListTaskPushNotificationConfigParams {
    fn from(request: types::ListTaskPushNotificationConfigsRequest) -> Self {
        Self {
            id: request.task_id,
            metadata: None,
        }
    }
}

/// The v0.3 list result, a bare array of configs, as a 1.0 page with no next page.
impl From<Vec<TaskPushNotificationConfig>> for types::ListTaskPushNotificationConfigsResponse {
    fn from(configs: Vec<TaskPushNotificationConfig>) -> Self {
        Self {
            configs: configs.into_iter().map(Into::into).collect(),
            next_page_token: String::new(),
        }
    }
}

/// A 1.0 page as the v0.3 list result (the next page token is lost).
impl From<types::ListTaskPushNotificationConfigsResponse> for Vec<TaskPushNotificationConfig> {
    fn from(page: types::ListTaskPushNotificationConfigsResponse) -> Self {
        page.configs.into_iter().map(Into::into).collect()
    }
}

/// The params of `tasks/pushNotificationConfig/delete`.
///
/// Converts with [`types::DeleteTaskPushNotificationConfigRequest`];
/// `metadata` is lost going to 1.0.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeleteTaskPushNotificationConfigParams {
    /// The task id.
    #[serde(default, deserialize_with = "nullable")]
    pub id: String,
    /// The config id.
    #[serde(alias = "push_notification_config_id", default, deserialize_with = "nullable")]
    pub push_notification_config_id: String,
    /// Free-form metadata.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Struct>,
}

impl From<DeleteTaskPushNotificationConfigParams> for types::DeleteTaskPushNotificationConfigRequest {
    fn from(params: DeleteTaskPushNotificationConfigParams) -> Self {
        Self::new(params.id, params.push_notification_config_id)
    }
}

impl From<types::DeleteTaskPushNotificationConfigRequest> for DeleteTaskPushNotificationConfigParams {
    fn from(request: types::DeleteTaskPushNotificationConfigRequest) -> Self {
        Self {
            id: request.task_id,
            push_notification_config_id: request.id,
            metadata: None,
        }
    }
}
