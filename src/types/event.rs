//! What a task emits while it runs, and the stream item that carries it.

use super::protojson::{is_false, nullable, oneof_message};
use super::{Artifact, Message, Struct, Task, TaskStatus};

/// The status of a task changed.
///
/// ```
/// use a2akit::types::{TaskState, TaskStatus, TaskStatusUpdateEvent};
///
/// let event = TaskStatusUpdateEvent::new("t1", "c1", TaskStatus::new(TaskState::Working));
/// assert_eq!(event.status.state, TaskState::Working);
/// ```
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TaskStatusUpdateEvent {
    /// The task that changed.
    #[serde(alias = "task_id")]
    #[serde(default, deserialize_with = "nullable")]
    pub task_id: String,
    /// The conversation of that task.
    #[serde(alias = "context_id")]
    #[serde(default, deserialize_with = "nullable")]
    pub context_id: String,
    /// The new status (always written; an absent one reads as the default).
    #[serde(default, deserialize_with = "nullable")]
    pub status: TaskStatus,
    /// Free-form metadata.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Struct>,
}

impl TaskStatusUpdateEvent {
    /// An event saying that task `task_id` now has `status`.
    pub fn new(task_id: impl Into<String>, context_id: impl Into<String>, status: TaskStatus) -> Self {
        Self {
            task_id: task_id.into(),
            context_id: context_id.into(),
            status,
            metadata: None,
        }
    }
}

/// An artifact of a task was produced, or a chunk of it.
///
/// With `append` false the artifact (keyed by its id) is new or replaces the
/// earlier one; with `append` true its parts extend the earlier one.
/// `last_chunk` marks the final chunk.
///
/// ```
/// use a2akit::types::{Artifact, TaskArtifactUpdateEvent};
///
/// let chunk = TaskArtifactUpdateEvent::new("t1", "c1", Artifact::text("a1", " more"))
///     .with_append(true)
///     .with_last_chunk(true);
/// assert!(chunk.append && chunk.last_chunk);
/// ```
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TaskArtifactUpdateEvent {
    /// The task the artifact belongs to.
    #[serde(alias = "task_id")]
    #[serde(default, deserialize_with = "nullable")]
    pub task_id: String,
    /// The conversation of that task.
    #[serde(alias = "context_id")]
    #[serde(default, deserialize_with = "nullable")]
    pub context_id: String,
    /// The artifact, or the chunk of it (always written; an absent one reads as the default).
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

impl TaskArtifactUpdateEvent {
    /// An event carrying `artifact` for task `task_id`.
    pub fn new(task_id: impl Into<String>, context_id: impl Into<String>, artifact: Artifact) -> Self {
        Self {
            task_id: task_id.into(),
            context_id: context_id.into(),
            artifact,
            append: false,
            last_chunk: false,
            metadata: None,
        }
    }

    /// Sets `append`.
    pub fn with_append(mut self, append: bool) -> Self {
        self.append = append;
        self
    }

    /// Sets `last_chunk`.
    pub fn with_last_chunk(mut self, last_chunk: bool) -> Self {
        self.last_chunk = last_chunk;
        self
    }
}

oneof_message! {
    /// One item of a stream (`SendStreamingMessage`, `SubscribeToTask`) and the
    /// body of a push notification.
    ///
    /// An item of a kind this version does not know (a newer peer's) reads
    /// as [`StreamResponse::Unrecognized`]: a stream goes on past it.
    ///
    /// ```
    /// use a2akit::types::{StreamResponse, TaskState, TaskStatus, TaskStatusUpdateEvent};
    ///
    /// let item: StreamResponse = TaskStatusUpdateEvent::new("t1", "c1", TaskStatus::new(TaskState::Working)).into();
    /// let json = serde_json::to_value(&item).unwrap();
    /// assert_eq!(json["statusUpdate"]["status"]["state"], "TASK_STATE_WORKING");
    /// ```
    #[derive(Debug, Clone, PartialEq)]
    pub enum StreamResponse ("a stream response") {
        /// The task as it is now (`{"task": …}`).
        Task(Task) = "task",
        /// A message instead of a task (`{"message": …}`).
        Message(Message) = "message",
        /// A status change (`{"statusUpdate": …}`).
        StatusUpdate(TaskStatusUpdateEvent) = "statusUpdate" | "status_update",
        /// An artifact or a chunk of one (`{"artifactUpdate": …}`).
        ArtifactUpdate(TaskArtifactUpdateEvent) = "artifactUpdate" | "artifact_update",
    }
}

impl StreamResponse {
    /// The id of the task this item is about, if it is about one.
    pub fn task_id(&self) -> Option<&str> {
        let id = match self {
            Self::Task(task) => &task.id,
            Self::Message(message) => &message.task_id,
            Self::StatusUpdate(event) => &event.task_id,
            Self::ArtifactUpdate(event) => &event.task_id,
            Self::Unrecognized => return None,
        };
        (!id.is_empty()).then_some(id.as_str())
    }
}

impl From<Task> for StreamResponse {
    fn from(task: Task) -> Self {
        Self::Task(task)
    }
}

impl From<Message> for StreamResponse {
    fn from(message: Message) -> Self {
        Self::Message(message)
    }
}

impl From<TaskStatusUpdateEvent> for StreamResponse {
    fn from(event: TaskStatusUpdateEvent) -> Self {
        Self::StatusUpdate(event)
    }
}

impl From<TaskArtifactUpdateEvent> for StreamResponse {
    fn from(event: TaskArtifactUpdateEvent) -> Self {
        Self::ArtifactUpdate(event)
    }
}
