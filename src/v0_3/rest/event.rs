//! What a task emits while it runs, and the oneof messages that carry a
//! result: `SendMessageResponse` and `StreamResponse`.

use super::{Artifact, Message, Task, TaskStatus};
use crate::types::protojson::{is_false, nullable, oneof_message};
use crate::types::{self, Struct};

/// The status of a task changed.
///
/// v0.3 marks the last event of a stream with `final`; 1.0 has no such
/// field, as the state says it. Going to 1.0, `final` is dropped; coming
/// from 1.0 it is set when the state is terminal or interrupted (input or
/// auth required), which is when a 1.0 stream ends. An event whose `final`
/// disagrees with that rule does not come back the same.
///
/// ```
/// use a2akit::{types, v0_3::rest};
///
/// let event = types::TaskStatusUpdateEvent::new("t1", "c1", types::TaskStatus::new(types::TaskState::Canceled));
/// let v03 = rest::TaskStatusUpdateEvent::from(event);
/// assert!(v03.is_final);
/// assert_eq!(serde_json::to_value(&v03).unwrap()["status"]["state"], "TASK_STATE_CANCELLED");
/// ```
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TaskStatusUpdateEvent {
    /// The task that changed.
    #[serde(alias = "task_id")]
    #[serde(default, deserialize_with = "nullable", skip_serializing_if = "String::is_empty")]
    pub task_id: String,
    /// The conversation of that task.
    #[serde(alias = "context_id")]
    #[serde(default, deserialize_with = "nullable", skip_serializing_if = "String::is_empty")]
    pub context_id: String,
    /// The new status (always written).
    #[serde(default, deserialize_with = "nullable")]
    pub status: TaskStatus,
    /// Whether this is the last event of the stream (`final`).
    #[serde(rename = "final")]
    #[serde(default, deserialize_with = "nullable", skip_serializing_if = "is_false")]
    pub is_final: bool,
    /// Free-form metadata.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Struct>,
}

impl From<TaskStatusUpdateEvent> for types::TaskStatusUpdateEvent {
    fn from(event: TaskStatusUpdateEvent) -> Self {
        Self {
            task_id: event.task_id,
            context_id: event.context_id,
            status: event.status.into(),
            metadata: event.metadata,
        }
    }
}

impl From<types::TaskStatusUpdateEvent> for TaskStatusUpdateEvent {
    fn from(event: types::TaskStatusUpdateEvent) -> Self {
        let state = event.status.state;
        Self {
            task_id: event.task_id,
            context_id: event.context_id,
            status: event.status.into(),
            is_final: state.is_terminal() || state.is_interrupted(),
            metadata: event.metadata,
        }
    }
}

/// An artifact, or a chunk of one, was produced.
///
/// Converts with [`types::TaskArtifactUpdateEvent`] field for field.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TaskArtifactUpdateEvent {
    /// The task the artifact belongs to.
    #[serde(alias = "task_id")]
    #[serde(default, deserialize_with = "nullable", skip_serializing_if = "String::is_empty")]
    pub task_id: String,
    /// The conversation of that task.
    #[serde(alias = "context_id")]
    #[serde(default, deserialize_with = "nullable", skip_serializing_if = "String::is_empty")]
    pub context_id: String,
    /// The artifact or the chunk (always written).
    #[serde(default, deserialize_with = "nullable")]
    pub artifact: Artifact,
    /// Whether the parts extend an artifact sent earlier with the same id.
    #[serde(default, deserialize_with = "nullable", skip_serializing_if = "is_false")]
    pub append: bool,
    /// Whether this is the artifact's final chunk.
    #[serde(alias = "last_chunk")]
    #[serde(default, deserialize_with = "nullable", skip_serializing_if = "is_false")]
    pub last_chunk: bool,
    /// Free-form metadata.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Struct>,
}

impl From<TaskArtifactUpdateEvent> for types::TaskArtifactUpdateEvent {
    fn from(event: TaskArtifactUpdateEvent) -> Self {
        Self {
            task_id: event.task_id,
            context_id: event.context_id,
            artifact: event.artifact.into(),
            append: event.append,
            last_chunk: event.last_chunk,
            metadata: event.metadata,
        }
    }
}

impl From<types::TaskArtifactUpdateEvent> for TaskArtifactUpdateEvent {
    fn from(event: types::TaskArtifactUpdateEvent) -> Self {
        Self {
            task_id: event.task_id,
            context_id: event.context_id,
            artifact: event.artifact.into(),
            append: event.append,
            last_chunk: event.last_chunk,
            metadata: event.metadata,
        }
    }
}

oneof_message! {
    /// The answer to `POST /v1/message:send`: a task, or a direct message.
    ///
    /// Converts with [`types::SendMessageResponse`] member for member.
    ///
    /// ```
    /// use a2akit::v0_3::rest::SendMessageResponse;
    ///
    /// let answer: SendMessageResponse = serde_json::from_str(
    ///     r#"{"message": {"messageId": "m1", "role": "ROLE_AGENT", "content": [{"text": "Done"}]}}"#,
    /// ).unwrap();
    /// assert!(matches!(answer, SendMessageResponse::Message(_)));
    /// ```
    #[derive(Debug, Clone, PartialEq)]
    pub enum SendMessageResponse ("a send message response") {
        /// The task the message started or continued (`{"task": …}`).
        Task(Task) = "task",
        /// A direct answer with no task (`{"message": …}`; the proto field is `msg`).
        Message(Message) = "message" | "msg",
    }
}

oneof_message! {
    /// One event of a stream (`POST /v1/message:stream`, `GET
    /// /v1/tasks/{id}:subscribe`): the `data` of each server-sent event.
    ///
    /// Converts with [`types::StreamResponse`] member for member.
    ///
    /// ```
    /// use a2akit::v0_3::rest::{StreamResponse, TaskState};
    ///
    /// let event: StreamResponse = serde_json::from_str(
    ///     r#"{"statusUpdate": {"taskId": "t1", "status": {"state": "TASK_STATE_WORKING"}}}"#,
    /// ).unwrap();
    /// assert!(matches!(event, StreamResponse::StatusUpdate(e) if e.status.state == TaskState::Working));
    /// ```
    #[derive(Debug, Clone, PartialEq)]
    pub enum StreamResponse ("a stream response") {
        /// The task as it is now (`{"task": …}`).
        Task(Task) = "task",
        /// A message (`{"message": …}`; the proto field is `msg`).
        Message(Message) = "message" | "msg",
        /// A status change (`{"statusUpdate": …}`).
        StatusUpdate(TaskStatusUpdateEvent) = "statusUpdate" | "status_update",
        /// An artifact or a chunk of one (`{"artifactUpdate": …}`).
        ArtifactUpdate(TaskArtifactUpdateEvent) = "artifactUpdate" | "artifact_update",
    }
}

impl From<SendMessageResponse> for types::SendMessageResponse {
    fn from(response: SendMessageResponse) -> Self {
        match response {
            SendMessageResponse::Task(task) => Self::Task(task.into()),
            SendMessageResponse::Message(message) => Self::Message(message.into()),
            SendMessageResponse::Unrecognized => Self::Unrecognized,
        }
    }
}

impl From<types::SendMessageResponse> for SendMessageResponse {
    fn from(response: types::SendMessageResponse) -> Self {
        match response {
            types::SendMessageResponse::Task(task) => Self::Task(task.into()),
            types::SendMessageResponse::Message(message) => Self::Message(message.into()),
            types::SendMessageResponse::Unrecognized => Self::Unrecognized,
        }
    }
}

impl From<StreamResponse> for types::StreamResponse {
    fn from(event: StreamResponse) -> Self {
        match event {
            StreamResponse::Task(task) => Self::Task(task.into()),
            StreamResponse::Message(message) => Self::Message(message.into()),
            StreamResponse::StatusUpdate(update) => Self::StatusUpdate(update.into()),
            StreamResponse::ArtifactUpdate(update) => Self::ArtifactUpdate(update.into()),
            StreamResponse::Unrecognized => Self::Unrecognized,
        }
    }
}

impl From<types::StreamResponse> for StreamResponse {
    fn from(event: types::StreamResponse) -> Self {
        match event {
            types::StreamResponse::Task(task) => Self::Task(task.into()),
            types::StreamResponse::Message(message) => Self::Message(message.into()),
            types::StreamResponse::StatusUpdate(update) => Self::StatusUpdate(update.into()),
            types::StreamResponse::ArtifactUpdate(update) => Self::ArtifactUpdate(update.into()),
            types::StreamResponse::Unrecognized => Self::Unrecognized,
        }
    }
}
