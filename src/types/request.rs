//! The request and response messages of the eleven operations.

use chrono::{DateTime, Utc};

use super::protojson::{self, is_false, is_zero, nullable, oneof_message};
use super::{Message, Struct, Task, TaskPushNotificationConfig, TaskState};

/// `SendMessage` and `SendStreamingMessage`: a message for the agent.
///
/// ```
/// use a2akit::types::{Message, SendMessageConfiguration, SendMessageRequest};
///
/// let request = SendMessageRequest::new(Message::user("hello"))
///     .with_configuration(SendMessageConfiguration::default().with_history_length(0));
/// let json = serde_json::to_value(&request).unwrap();
/// assert_eq!(json["configuration"]["historyLength"], 0);
/// ```
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SendMessageRequest {
    /// The tenant; empty when not set.
    #[serde(default, deserialize_with = "nullable", skip_serializing_if = "String::is_empty")]
    pub tenant: String,
    /// The message (always written; an absent one reads as the default).
    #[serde(default, deserialize_with = "nullable")]
    pub message: Message,
    /// How the client wants the answer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub configuration: Option<SendMessageConfiguration>,
    /// Free-form metadata.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Struct>,
}

impl SendMessageRequest {
    /// A request carrying `message` with no configuration.
    pub fn new(message: Message) -> Self {
        Self {
            tenant: String::new(),
            message,
            configuration: None,
            metadata: None,
        }
    }

    /// Sets the configuration.
    pub fn with_configuration(mut self, configuration: SendMessageConfiguration) -> Self {
        self.configuration = Some(configuration);
        self
    }

    /// Sets the tenant.
    pub fn with_tenant(mut self, tenant: impl Into<String>) -> Self {
        self.tenant = tenant.into();
        self
    }
}

/// How a client wants a `SendMessage` answered.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SendMessageConfiguration {
    /// Media types the client accepts in the answer.
    #[serde(alias = "accepted_output_modes")]
    #[serde(default, deserialize_with = "nullable", skip_serializing_if = "Vec::is_empty")]
    pub accepted_output_modes: Vec<String>,
    /// A webhook for the task's updates (its `task_id` left empty).
    #[serde(alias = "task_push_notification_config")]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub task_push_notification_config: Option<TaskPushNotificationConfig>,
    /// At most this many of the newest history messages in the answer; `0`
    /// for none; unset for no limit.
    #[serde(alias = "history_length")]
    #[serde(default, deserialize_with = "protojson::int32::option", skip_serializing_if = "Option::is_none")]
    pub history_length: Option<i32>,
    /// Answer as soon as the task exists instead of waiting for it to end or
    /// be interrupted.
    #[serde(alias = "return_immediately")]
    #[serde(default, deserialize_with = "nullable", skip_serializing_if = "is_false")]
    pub return_immediately: bool,
}

impl SendMessageConfiguration {
    /// Sets `history_length`.
    pub fn with_history_length(mut self, history_length: i32) -> Self {
        self.history_length = Some(history_length);
        self
    }

    /// Sets `return_immediately`.
    pub fn with_return_immediately(mut self, return_immediately: bool) -> Self {
        self.return_immediately = return_immediately;
        self
    }

    /// Sets the accepted output media types.
    pub fn with_accepted_output_modes<S: Into<String>>(mut self, modes: impl IntoIterator<Item = S>) -> Self {
        self.accepted_output_modes = modes.into_iter().map(Into::into).collect();
        self
    }

    /// Sets the webhook.
    pub fn with_push_notification_config(mut self, config: TaskPushNotificationConfig) -> Self {
        self.task_push_notification_config = Some(config);
        self
    }
}

oneof_message! {
    /// The answer to `SendMessage`: a task, or a direct message.
    #[derive(Debug, Clone, PartialEq)]
    pub enum SendMessageResponse ("a send message response") {
        /// The task the message started or continued (`{"task": …}`).
        Task(Task) = "task",
        /// A direct answer with no task (`{"message": …}`).
        Message(Message) = "message",
    }
}

impl From<Task> for SendMessageResponse {
    fn from(task: Task) -> Self {
        Self::Task(task)
    }
}

impl From<Message> for SendMessageResponse {
    fn from(message: Message) -> Self {
        Self::Message(message)
    }
}

/// `GetTask`: one task by id.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GetTaskRequest {
    /// The tenant; empty when not set.
    #[serde(default, deserialize_with = "nullable", skip_serializing_if = "String::is_empty")]
    pub tenant: String,
    /// The task id.
    #[serde(default, deserialize_with = "nullable")]
    pub id: String,
    /// At most this many of the newest history messages; unset for no limit.
    #[serde(alias = "history_length")]
    #[serde(default, deserialize_with = "protojson::int32::option", skip_serializing_if = "Option::is_none")]
    pub history_length: Option<i32>,
}

impl GetTaskRequest {
    /// A request for task `id`.
    pub fn new(id: impl Into<String>) -> Self {
        Self {
            tenant: String::new(),
            id: id.into(),
            history_length: None,
        }
    }
}

/// `ListTasks`: the caller's tasks, filtered and paged.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ListTasksRequest {
    /// The tenant; empty when not set.
    #[serde(default, deserialize_with = "nullable", skip_serializing_if = "String::is_empty")]
    pub tenant: String,
    /// Only tasks of this conversation; empty for all.
    #[serde(alias = "context_id")]
    #[serde(default, deserialize_with = "nullable", skip_serializing_if = "String::is_empty")]
    pub context_id: String,
    /// Only tasks in this state; `None` (`TASK_STATE_UNSPECIFIED` on the wire) for all.
    #[serde(
        default,
        deserialize_with = "TaskState::deserialize_unspecified_as_none",
        skip_serializing_if = "Option::is_none"
    )]
    pub status: Option<TaskState>,
    /// Tasks per page, 1 to 100; unset for the server's default (50).
    #[serde(alias = "page_size")]
    #[serde(default, deserialize_with = "protojson::int32::option", skip_serializing_if = "Option::is_none")]
    pub page_size: Option<i32>,
    /// The cursor from a previous page's `next_page_token`; empty for the first page.
    #[serde(alias = "page_token")]
    #[serde(default, deserialize_with = "nullable", skip_serializing_if = "String::is_empty")]
    pub page_token: String,
    /// At most this many of the newest history messages per task; unset for no limit.
    #[serde(alias = "history_length")]
    #[serde(default, deserialize_with = "protojson::int32::option", skip_serializing_if = "Option::is_none")]
    pub history_length: Option<i32>,
    /// Only tasks whose status changed at or after this time.
    #[serde(alias = "status_timestamp_after")]
    #[serde(default, with = "protojson::timestamp", skip_serializing_if = "Option::is_none")]
    pub status_timestamp_after: Option<DateTime<Utc>>,
    /// Include each task's artifacts; unset means no.
    #[serde(alias = "include_artifacts")]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub include_artifacts: Option<bool>,
}

/// A page of `ListTasks` results.
///
/// Every field is always written, `next_page_token` as `""` on the last page.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ListTasksResponse {
    /// The tasks of this page, newest status first.
    #[serde(default, deserialize_with = "nullable")]
    pub tasks: Vec<Task>,
    /// The cursor for the next page; empty on the last page.
    #[serde(alias = "next_page_token")]
    #[serde(default, deserialize_with = "nullable")]
    pub next_page_token: String,
    /// The page size used.
    #[serde(alias = "page_size")]
    #[serde(default, deserialize_with = "protojson::int32::deserialize")]
    pub page_size: i32,
    /// How many tasks match the filters, over all pages.
    #[serde(alias = "total_size")]
    #[serde(default, deserialize_with = "protojson::int32::deserialize")]
    pub total_size: i32,
}

/// `CancelTask`: stop a task.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CancelTaskRequest {
    /// The tenant; empty when not set.
    #[serde(default, deserialize_with = "nullable", skip_serializing_if = "String::is_empty")]
    pub tenant: String,
    /// The task id.
    #[serde(default, deserialize_with = "nullable")]
    pub id: String,
    /// Free-form metadata.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Struct>,
}

impl CancelTaskRequest {
    /// A request to cancel task `id`.
    pub fn new(id: impl Into<String>) -> Self {
        Self {
            tenant: String::new(),
            id: id.into(),
            metadata: None,
        }
    }
}

/// `SubscribeToTask`: follow a running task's events.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SubscribeToTaskRequest {
    /// The tenant; empty when not set.
    #[serde(default, deserialize_with = "nullable", skip_serializing_if = "String::is_empty")]
    pub tenant: String,
    /// The task id.
    #[serde(default, deserialize_with = "nullable")]
    pub id: String,
}

impl SubscribeToTaskRequest {
    /// A request to follow task `id`.
    pub fn new(id: impl Into<String>) -> Self {
        Self {
            tenant: String::new(),
            id: id.into(),
        }
    }
}

/// `GetTaskPushNotificationConfig`: one webhook config of a task.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GetTaskPushNotificationConfigRequest {
    /// The tenant; empty when not set.
    #[serde(default, deserialize_with = "nullable", skip_serializing_if = "String::is_empty")]
    pub tenant: String,
    /// The task id.
    #[serde(alias = "task_id")]
    #[serde(default, deserialize_with = "nullable")]
    pub task_id: String,
    /// The config id.
    #[serde(default, deserialize_with = "nullable")]
    pub id: String,
}

impl GetTaskPushNotificationConfigRequest {
    /// A request for config `id` of task `task_id`.
    pub fn new(task_id: impl Into<String>, id: impl Into<String>) -> Self {
        Self {
            tenant: String::new(),
            task_id: task_id.into(),
            id: id.into(),
        }
    }
}

/// `DeleteTaskPushNotificationConfig`: remove a webhook config.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeleteTaskPushNotificationConfigRequest {
    /// The tenant; empty when not set.
    #[serde(default, deserialize_with = "nullable", skip_serializing_if = "String::is_empty")]
    pub tenant: String,
    /// The task id.
    #[serde(alias = "task_id")]
    #[serde(default, deserialize_with = "nullable")]
    pub task_id: String,
    /// The config id.
    #[serde(default, deserialize_with = "nullable")]
    pub id: String,
}

impl DeleteTaskPushNotificationConfigRequest {
    /// A request to delete config `id` of task `task_id`.
    pub fn new(task_id: impl Into<String>, id: impl Into<String>) -> Self {
        Self {
            tenant: String::new(),
            task_id: task_id.into(),
            id: id.into(),
        }
    }
}

/// `ListTaskPushNotificationConfigs`: the webhook configs of a task, paged.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ListTaskPushNotificationConfigsRequest {
    /// The tenant; empty when not set.
    #[serde(default, deserialize_with = "nullable", skip_serializing_if = "String::is_empty")]
    pub tenant: String,
    /// The task id.
    #[serde(alias = "task_id")]
    #[serde(default, deserialize_with = "nullable")]
    pub task_id: String,
    /// Configs per page; 0 for the server's default.
    #[serde(alias = "page_size")]
    #[serde(default, deserialize_with = "protojson::int32::deserialize", skip_serializing_if = "is_zero")]
    pub page_size: i32,
    /// The cursor from a previous page; empty for the first page.
    #[serde(alias = "page_token")]
    #[serde(default, deserialize_with = "nullable", skip_serializing_if = "String::is_empty")]
    pub page_token: String,
}

impl ListTaskPushNotificationConfigsRequest {
    /// A request for the configs of task `task_id`.
    pub fn new(task_id: impl Into<String>) -> Self {
        Self {
            tenant: String::new(),
            task_id: task_id.into(),
            page_size: 0,
            page_token: String::new(),
        }
    }
}

/// A page of webhook configs.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ListTaskPushNotificationConfigsResponse {
    /// The configs.
    #[serde(default, deserialize_with = "nullable", skip_serializing_if = "Vec::is_empty")]
    pub configs: Vec<TaskPushNotificationConfig>,
    /// The cursor for the next page; empty on the last page.
    #[serde(alias = "next_page_token")]
    #[serde(default, deserialize_with = "nullable", skip_serializing_if = "String::is_empty")]
    pub next_page_token: String,
}

/// `GetExtendedAgentCard`: the card for an authenticated caller.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct GetExtendedAgentCardRequest {
    /// The tenant; empty when not set.
    #[serde(default, deserialize_with = "nullable", skip_serializing_if = "String::is_empty")]
    pub tenant: String,
}

/// A request that sends this message, with no configuration.
impl From<Message> for SendMessageRequest {
    fn from(message: Message) -> Self {
        SendMessageRequest::new(message)
    }
}

/// A request that sends this text as a user message.
///
/// ```
/// use a2akit::types::SendMessageRequest;
/// let request = SendMessageRequest::from("hello");
/// assert_eq!(request.message.text(), "hello");
/// ```
impl From<&str> for SendMessageRequest {
    fn from(text: &str) -> Self {
        SendMessageRequest::new(Message::user(text))
    }
}

/// A request that sends this text as a user message.
impl From<String> for SendMessageRequest {
    fn from(text: String) -> Self {
        SendMessageRequest::new(Message::user(text))
    }
}
