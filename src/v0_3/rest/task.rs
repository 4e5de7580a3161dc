//! Tasks, their states and status, and artifacts, as the v0.3 proto has them.

use chrono::{DateTime, Utc};

use super::{Message, Part};
use crate::types::protojson::{self, nullable, proto_enum};
use crate::types::{self, Struct};

proto_enum! {
    /// Where a [`Task`] is in its life: `TASK_STATE_…` names, read by name
    /// or number.
    ///
    /// The numbers are 1.0's, and so are the names but one: v0.3 spells
    /// `TASK_STATE_CANCELLED` where 1.0 has `TASK_STATE_CANCELED`. v0.3's
    /// JSON-RPC `unknown` state has no proto value. Converts with
    /// [`types::TaskState`] by number, an unrecognized value staying
    /// unrecognized (with its number when it came as one).
    ///
    /// ```
    /// use a2akit::{types, v0_3::rest::TaskState};
    ///
    /// let state: TaskState = serde_json::from_str("\"TASK_STATE_CANCELLED\"").unwrap();
    /// assert_eq!(types::TaskState::from(state), types::TaskState::Canceled);
    /// assert_eq!(serde_json::from_str::<TaskState>("6").unwrap(), TaskState::InputRequired);
    /// assert_eq!(TaskState::from(types::TaskState::Canceled).as_str(), "TASK_STATE_CANCELLED");
    /// ```
    pub enum TaskState ("TASK_STATE_UNSPECIFIED") {
        /// Received, not started yet.
        Submitted = 1 => "TASK_STATE_SUBMITTED",
        /// Being worked on.
        Working = 2 => "TASK_STATE_WORKING",
        /// Finished successfully.
        Completed = 3 => "TASK_STATE_COMPLETED",
        /// Finished with an error.
        Failed = 4 => "TASK_STATE_FAILED",
        /// Canceled before it finished (spelled `CANCELLED` on the wire).
        Cancelled = 5 => "TASK_STATE_CANCELLED",
        /// Waiting for more input from the client.
        InputRequired = 6 => "TASK_STATE_INPUT_REQUIRED",
        /// The agent will not do this task.
        Rejected = 7 => "TASK_STATE_REJECTED",
        /// Waiting for credentials.
        AuthRequired = 8 => "TASK_STATE_AUTH_REQUIRED",
    }
}

impl From<TaskState> for types::TaskState {
    fn from(state: TaskState) -> Self {
        match state {
            TaskState::Unrecognized(number) => Self::Unrecognized(number),
            known => Self::from(known.number()),
        }
    }
}

impl From<types::TaskState> for TaskState {
    fn from(state: types::TaskState) -> Self {
        match state {
            types::TaskState::Unrecognized(number) => Self::Unrecognized(number),
            known => Self::from(known.number()),
        }
    }
}

/// The state of a task, with the agent's message about it and when it was set.
///
/// Converts with [`types::TaskStatus`] field for field. (The v0.3 Python
/// SDK neither writes nor reads the timestamp; it is kept here.)
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct TaskStatus {
    /// The state.
    #[serde(default, skip_serializing_if = "TaskState::is_default")]
    pub state: TaskState,
    /// What the agent says about this state: the proto field `update`,
    /// whose JSON name is `message` (both are read).
    #[serde(alias = "update", default, skip_serializing_if = "Option::is_none")]
    pub message: Option<Message>,
    /// When this status was recorded.
    #[serde(default, with = "protojson::timestamp", skip_serializing_if = "Option::is_none")]
    pub timestamp: Option<DateTime<Utc>>,
}

impl From<TaskStatus> for types::TaskStatus {
    fn from(status: TaskStatus) -> Self {
        Self {
            state: status.state.into(),
            message: status.message.map(Into::into),
            timestamp: status.timestamp,
        }
    }
}

impl From<types::TaskStatus> for TaskStatus {
    fn from(status: types::TaskStatus) -> Self {
        Self {
            state: status.state.into(),
            message: status.message.map(Into::into),
            timestamp: status.timestamp,
        }
    }
}

/// A unit of work.
///
/// Converts with [`types::Task`] field for field (its messages lose their
/// `referenceTaskIds` going to v0.3, see [`Message`]).
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Task {
    /// The task id.
    #[serde(default, deserialize_with = "nullable", skip_serializing_if = "String::is_empty")]
    pub id: String,
    /// The conversation this task belongs to.
    #[serde(alias = "context_id")]
    #[serde(default, deserialize_with = "nullable", skip_serializing_if = "String::is_empty")]
    pub context_id: String,
    /// The current status (always written, as the SDKs always set it).
    #[serde(default, deserialize_with = "nullable")]
    pub status: TaskStatus,
    /// The outputs produced so far.
    #[serde(default, deserialize_with = "nullable", skip_serializing_if = "Vec::is_empty")]
    pub artifacts: Vec<Artifact>,
    /// The messages exchanged for this task, oldest first.
    #[serde(default, deserialize_with = "nullable", skip_serializing_if = "Vec::is_empty")]
    pub history: Vec<Message>,
    /// Free-form metadata.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Struct>,
}

impl From<Task> for types::Task {
    fn from(task: Task) -> Self {
        Self {
            id: task.id,
            context_id: task.context_id,
            status: task.status.into(),
            artifacts: task.artifacts.into_iter().map(Into::into).collect(),
            history: task.history.into_iter().map(Into::into).collect(),
            metadata: task.metadata,
        }
    }
}

impl From<types::Task> for Task {
    fn from(task: types::Task) -> Self {
        Self {
            id: task.id,
            context_id: task.context_id,
            status: task.status.into(),
            artifacts: task.artifacts.into_iter().map(Into::into).collect(),
            history: task.history.into_iter().map(Into::into).collect(),
            metadata: task.metadata,
        }
    }
}

/// An output of a task.
///
/// Converts with [`types::Artifact`] field for field (its parts as [`Part`] says).
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Artifact {
    /// Id of the artifact, unique within its task; chunks of one artifact share it.
    #[serde(alias = "artifact_id")]
    #[serde(default, deserialize_with = "nullable", skip_serializing_if = "String::is_empty")]
    pub artifact_id: String,
    /// A human-readable name; empty when not set.
    #[serde(default, deserialize_with = "nullable", skip_serializing_if = "String::is_empty")]
    pub name: String,
    /// A human-readable description; empty when not set.
    #[serde(default, deserialize_with = "nullable", skip_serializing_if = "String::is_empty")]
    pub description: String,
    /// The content.
    #[serde(default, deserialize_with = "nullable", skip_serializing_if = "Vec::is_empty")]
    pub parts: Vec<Part>,
    /// Free-form metadata.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Struct>,
    /// URIs of the extensions used in this artifact.
    #[serde(default, deserialize_with = "nullable", skip_serializing_if = "Vec::is_empty")]
    pub extensions: Vec<String>,
}

impl From<Artifact> for types::Artifact {
    fn from(artifact: Artifact) -> Self {
        Self {
            artifact_id: artifact.artifact_id,
            name: artifact.name,
            description: artifact.description,
            parts: artifact.parts.into_iter().map(Into::into).collect(),
            metadata: artifact.metadata,
            extensions: artifact.extensions,
        }
    }
}

impl From<types::Artifact> for Artifact {
    fn from(artifact: types::Artifact) -> Self {
        Self {
            artifact_id: artifact.artifact_id,
            name: artifact.name,
            description: artifact.description,
            parts: artifact.parts.into_iter().map(Into::into).collect(),
            metadata: artifact.metadata,
            extensions: artifact.extensions,
        }
    }
}
