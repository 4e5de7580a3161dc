//! v0.3 tasks, their states and status, and artifacts.

use super::{Message, Part, non_empty, non_empty_vec, string_enum};
use crate::types::protojson::{nullable, timestamp};
use crate::types::{self, Struct};

string_enum! {
    /// Where a [`Task`] is in its life, in v0.3's lowercase spelling.
    ///
    /// Converts with [`types::TaskState`] name for name. Lossy cases:
    /// `Unknown` reads as the unspecified 1.0 state, an unrecognized v0.3
    /// state as an unrecognized 1.0 state (its text is lost), and the
    /// unspecified or an unrecognized 1.0 state is written as `unknown`.
    ///
    /// ```
    /// use a2akit::{types, v0_3::TaskState};
    ///
    /// let state: TaskState = serde_json::from_str("\"input-required\"").unwrap();
    /// assert_eq!(types::TaskState::from(state), types::TaskState::InputRequired);
    /// assert_eq!(TaskState::from(types::TaskState::AuthRequired).as_str(), "auth-required");
    /// ```
    pub enum TaskState {
        /// Received, not started yet.
        Submitted => "submitted",
        /// Being worked on.
        Working => "working",
        /// Waiting for more input from the client.
        InputRequired => "input-required",
        /// Finished successfully.
        Completed => "completed",
        /// Canceled before it finished.
        Canceled => "canceled",
        /// Finished with an error.
        Failed => "failed",
        /// The agent will not do this task.
        Rejected => "rejected",
        /// Waiting for credentials.
        AuthRequired => "auth-required",
        /// The state is not known (v0.3's own value for it).
        Unknown => "unknown",
    }
}

/// `unknown`: what a status without a state reads as.
impl Default for TaskState {
    fn default() -> Self {
        Self::Unknown
    }
}

impl From<TaskState> for types::TaskState {
    fn from(state: TaskState) -> Self {
        match state {
            TaskState::Submitted => Self::Submitted,
            TaskState::Working => Self::Working,
            TaskState::InputRequired => Self::InputRequired,
            TaskState::Completed => Self::Completed,
            TaskState::Canceled => Self::Canceled,
            TaskState::Failed => Self::Failed,
            TaskState::Rejected => Self::Rejected,
            TaskState::AuthRequired => Self::AuthRequired,
            TaskState::Unknown => Self::Unspecified,
            TaskState::Unrecognized(_) => Self::Unrecognized(None),
        }
    }
}

impl From<types::TaskState> for TaskState {
    fn from(state: types::TaskState) -> Self {
        match state {
            types::TaskState::Submitted => Self::Submitted,
            types::TaskState::Working => Self::Working,
            types::TaskState::InputRequired => Self::InputRequired,
            types::TaskState::Completed => Self::Completed,
            types::TaskState::Canceled => Self::Canceled,
            types::TaskState::Failed => Self::Failed,
            types::TaskState::Rejected => Self::Rejected,
            types::TaskState::AuthRequired => Self::AuthRequired,
            _ => Self::Unknown,
        }
    }
}

/// The state of a task, with the agent's message about it and when it was set.
///
/// The timestamp is kept as the peer wrote it (v0.3 SDKs write any ISO 8601
/// form, such as `2025-01-02T03:04:05.123456+00:00`). Going to 1.0 it is
/// read as RFC 3339 and dropped if it is not; going back it is written in
/// the canonical 1.0 form (UTC, `Z`).
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TaskStatus {
    /// The state.
    #[serde(default)]
    pub state: TaskState,
    /// What the agent says about this state.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<Message>,
    /// When this status was recorded, as written by the sender.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timestamp: Option<String>,
}

impl From<TaskStatus> for types::TaskStatus {
    fn from(status: TaskStatus) -> Self {
        Self {
            state: status.state.into(),
            message: status.message.map(Into::into),
            timestamp: status.timestamp.and_then(|text| timestamp::parse(&text).ok()),
        }
    }
}

impl From<types::TaskStatus> for TaskStatus {
    fn from(status: types::TaskStatus) -> Self {
        Self {
            state: status.state.into(),
            message: status.message.map(Into::into),
            timestamp: status.timestamp.as_ref().map(timestamp::format),
        }
    }
}

/// A unit of work (`"kind": "task"`).
///
/// Converts with [`types::Task`] field for field (absent lists ↔ empty
/// lists, so `"history": []` comes back absent).
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "kind", rename = "task", rename_all = "camelCase")]
pub struct Task {
    /// The task id.
    #[serde(default, deserialize_with = "nullable")]
    pub id: String,
    /// The conversation this task belongs to.
    #[serde(alias = "context_id", default, deserialize_with = "nullable")]
    pub context_id: String,
    /// The current status.
    #[serde(default, deserialize_with = "nullable")]
    pub status: TaskStatus,
    /// The outputs produced so far.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub artifacts: Option<Vec<Artifact>>,
    /// The messages exchanged for this task, oldest first.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub history: Option<Vec<Message>>,
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
            artifacts: task.artifacts.into_iter().flatten().map(Into::into).collect(),
            history: task.history.into_iter().flatten().map(Into::into).collect(),
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
            artifacts: non_empty_vec(task.artifacts.into_iter().map(Into::into).collect()),
            history: non_empty_vec(task.history.into_iter().map(Into::into).collect()),
            metadata: task.metadata,
        }
    }
}

/// An output of a task.
///
/// Converts with [`types::Artifact`] field for field (absent name,
/// description and extensions ↔ empty ones).
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Artifact {
    /// Id of the artifact, unique within its task.
    #[serde(alias = "artifact_id", default, deserialize_with = "nullable")]
    pub artifact_id: String,
    /// A human-readable name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// A human-readable description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The content.
    #[serde(default, deserialize_with = "nullable")]
    pub parts: Vec<Part>,
    /// Free-form metadata.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Struct>,
    /// URIs of the extensions used in this artifact.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extensions: Option<Vec<String>>,
}

impl From<Artifact> for types::Artifact {
    fn from(artifact: Artifact) -> Self {
        Self {
            artifact_id: artifact.artifact_id,
            name: artifact.name.unwrap_or_default(),
            description: artifact.description.unwrap_or_default(),
            parts: artifact.parts.into_iter().map(Into::into).collect(),
            metadata: artifact.metadata,
            extensions: artifact.extensions.unwrap_or_default(),
        }
    }
}

impl From<types::Artifact> for Artifact {
    fn from(artifact: types::Artifact) -> Self {
        Self {
            artifact_id: artifact.artifact_id,
            name: non_empty(artifact.name),
            description: non_empty(artifact.description),
            parts: artifact.parts.into_iter().map(Into::into).collect(),
            metadata: artifact.metadata,
            extensions: non_empty_vec(artifact.extensions),
        }
    }
}
