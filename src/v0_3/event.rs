//! v0.3 stream events (`"kind": "status-update"`, `"artifact-update"`) and
//! the results that carry them, told apart by `kind`.

use serde::de::{Deserialize, Deserializer};
use serde::ser::{Serialize, Serializer};
use serde_json::Value;

use super::{Artifact, Message, Task, TaskStatus, read_object as read};
use crate::types::protojson::nullable;
use crate::types::{self, Struct};

/// The status of a task changed (`"kind": "status-update"`).
///
/// v0.3 marks the last event of a stream with `final`; 1.0 has no such
/// member, as the state says it. Going to 1.0, `final` is dropped; coming
/// from 1.0 it is set when the state is terminal or interrupted (input or
/// auth required), which is when a 1.0 stream ends. A v0.3 event whose
/// `final` disagrees with that rule does not come back the same.
///
/// ```
/// use a2akit::{types, v0_3};
///
/// let event = types::TaskStatusUpdateEvent::new("t1", "c1", types::TaskStatus::new(types::TaskState::InputRequired));
/// let v03 = v0_3::TaskStatusUpdateEvent::from(event);
/// assert!(v03.is_final);
/// assert_eq!(serde_json::to_value(&v03).unwrap()["kind"], "status-update");
/// ```
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "kind", rename = "status-update", rename_all = "camelCase")]
pub struct TaskStatusUpdateEvent {
    /// The task that changed.
    #[serde(alias = "task_id", default, deserialize_with = "nullable")]
    pub task_id: String,
    /// The conversation of that task.
    #[serde(alias = "context_id", default, deserialize_with = "nullable")]
    pub context_id: String,
    /// The new status.
    #[serde(default, deserialize_with = "nullable")]
    pub status: TaskStatus,
    /// Whether this is the last event of the stream (`final`).
    #[serde(rename = "final", default, deserialize_with = "nullable")]
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

/// An artifact, or a chunk of one, was produced (`"kind": "artifact-update"`).
///
/// Converts with [`types::TaskArtifactUpdateEvent`]; an absent `append` or
/// `lastChunk` is false in 1.0, and a false one is left out going back.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "kind", rename = "artifact-update", rename_all = "camelCase")]
pub struct TaskArtifactUpdateEvent {
    /// The task the artifact belongs to.
    #[serde(alias = "task_id", default, deserialize_with = "nullable")]
    pub task_id: String,
    /// The conversation of that task.
    #[serde(alias = "context_id", default, deserialize_with = "nullable")]
    pub context_id: String,
    /// The artifact or the chunk.
    #[serde(default, deserialize_with = "nullable")]
    pub artifact: Artifact,
    /// Whether the parts extend an artifact sent earlier with the same id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub append: Option<bool>,
    /// Whether this is the artifact's final chunk.
    #[serde(alias = "last_chunk", default, skip_serializing_if = "Option::is_none")]
    pub last_chunk: Option<bool>,
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
            append: event.append.unwrap_or_default(),
            last_chunk: event.last_chunk.unwrap_or_default(),
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
            append: event.append.then_some(true),
            last_chunk: event.last_chunk.then_some(true),
            metadata: event.metadata,
        }
    }
}

/// The `kind` of a union member, or, when a peer left it out, the kind its
/// members give away.
fn kind_of(object: &Struct) -> &str {
    match object.get("kind").and_then(Value::as_str) {
        Some(kind) => kind,
        None if object.contains_key("final") => "status-update",
        None if object.contains_key("artifact") => "artifact-update",
        None if object.contains_key("messageId") || object.contains_key("message_id") => "message",
        None if object.contains_key("status") => "task",
        None => "",
    }
}

/// One item of a v0.3 stream (`message/stream`, `tasks/resubscribe`) and
/// the body of a v0.3 push notification: the JSON-RPC `result` of each SSE
/// event, told apart by `kind`.
///
/// Converts with [`types::StreamResponse`] member for member; an
/// unrecognized item converts to an unrecognized one (its content is lost).
///
/// ```
/// use a2akit::{types, v0_3};
///
/// let item: v0_3::StreamResponse = serde_json::from_str(
///     r#"{"kind": "status-update", "taskId": "t1", "contextId": "c1", "final": true, "status": {"state": "completed"}}"#,
/// ).unwrap();
/// let v1 = types::StreamResponse::from(item);
/// assert!(matches!(v1, types::StreamResponse::StatusUpdate(e) if e.status.state == types::TaskState::Completed));
/// ```
#[derive(Debug, Clone, PartialEq)]
pub enum StreamResponse {
    /// The task as it is now.
    Task(Task),
    /// A message.
    Message(Message),
    /// A status change.
    StatusUpdate(TaskStatusUpdateEvent),
    /// An artifact or a chunk of one.
    ArtifactUpdate(TaskArtifactUpdateEvent),
    /// An item of a `kind` this version does not know, kept whole as sent.
    Unrecognized(Struct),
}

impl Serialize for StreamResponse {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Self::Task(task) => task.serialize(serializer),
            Self::Message(message) => message.serialize(serializer),
            Self::StatusUpdate(event) => event.serialize(serializer),
            Self::ArtifactUpdate(event) => event.serialize(serializer),
            Self::Unrecognized(object) => object.serialize(serializer),
        }
    }
}

impl<'de> Deserialize<'de> for StreamResponse {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let object = Struct::deserialize(deserializer)?;
        Ok(match kind_of(&object) {
            "task" => Self::Task(read(object)?),
            "message" => Self::Message(read(object)?),
            "status-update" => Self::StatusUpdate(read(object)?),
            "artifact-update" => Self::ArtifactUpdate(read(object)?),
            _ => Self::Unrecognized(object),
        })
    }
}

impl From<StreamResponse> for types::StreamResponse {
    fn from(item: StreamResponse) -> Self {
        match item {
            StreamResponse::Task(task) => Self::Task(task.into()),
            StreamResponse::Message(message) => Self::Message(message.into()),
            StreamResponse::StatusUpdate(event) => Self::StatusUpdate(event.into()),
            StreamResponse::ArtifactUpdate(event) => Self::ArtifactUpdate(event.into()),
            StreamResponse::Unrecognized(_) => Self::Unrecognized,
        }
    }
}

impl From<types::StreamResponse> for StreamResponse {
    fn from(item: types::StreamResponse) -> Self {
        match item {
            types::StreamResponse::Task(task) => Self::Task(task.into()),
            types::StreamResponse::Message(message) => Self::Message(message.into()),
            types::StreamResponse::StatusUpdate(event) => Self::StatusUpdate(event.into()),
            types::StreamResponse::ArtifactUpdate(event) => Self::ArtifactUpdate(event.into()),
            types::StreamResponse::Unrecognized => Self::Unrecognized(Struct::new()),
        }
    }
}

/// The result of `message/send`: a task or a message, told apart by `kind`.
///
/// Converts with [`types::SendMessageResponse`]; an unrecognized result
/// converts to an unrecognized one (its content is lost).
#[derive(Debug, Clone, PartialEq)]
pub enum SendMessageResult {
    /// The task the message started or continued.
    Task(Task),
    /// A direct answer.
    Message(Message),
    /// A result of a `kind` this version does not know, kept whole as sent.
    Unrecognized(Struct),
}

impl Serialize for SendMessageResult {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Self::Task(task) => task.serialize(serializer),
            Self::Message(message) => message.serialize(serializer),
            Self::Unrecognized(object) => object.serialize(serializer),
        }
    }
}

impl<'de> Deserialize<'de> for SendMessageResult {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let object = Struct::deserialize(deserializer)?;
        Ok(match kind_of(&object) {
            "task" => Self::Task(read(object)?),
            "message" => Self::Message(read(object)?),
            _ => Self::Unrecognized(object),
        })
    }
}

impl From<SendMessageResult> for types::SendMessageResponse {
    fn from(result: SendMessageResult) -> Self {
        match result {
            SendMessageResult::Task(task) => Self::Task(task.into()),
            SendMessageResult::Message(message) => Self::Message(message.into()),
            SendMessageResult::Unrecognized(_) => Self::Unrecognized,
        }
    }
}

impl From<types::SendMessageResponse> for SendMessageResult {
    fn from(result: types::SendMessageResponse) -> Self {
        match result {
            types::SendMessageResponse::Task(task) => Self::Task(task.into()),
            types::SendMessageResponse::Message(message) => Self::Message(message.into()),
            types::SendMessageResponse::Unrecognized => Self::Unrecognized(Struct::new()),
        }
    }
}
