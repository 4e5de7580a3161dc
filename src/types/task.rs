//! Tasks: the unit of work an agent runs, its state machine and its status.

use chrono::{DateTime, Utc};

use super::protojson::{self, nullable, proto_enum};
use super::{Artifact, Message, StreamResponse, Struct};

proto_enum! {
    /// Where a [`Task`] is in its life.
    ///
    /// Active states (`Submitted`, `Working`) may move anywhere; interrupted
    /// states (`InputRequired`, `AuthRequired`) resume, ask again or end;
    /// terminal states (`Completed`, `Failed`, `Canceled`, `Rejected`) never
    /// change again.
    ///
    /// ```
    /// use a2akit::types::TaskState;
    ///
    /// assert!(TaskState::Completed.is_terminal());
    /// assert!(TaskState::InputRequired.is_interrupted());
    /// assert!(TaskState::InputRequired.can_transition_to(TaskState::Working));
    /// assert!(!TaskState::Completed.can_transition_to(TaskState::Working));
    /// assert_eq!(TaskState::Canceled.as_str(), "TASK_STATE_CANCELED");
    ///
    /// // A newer peer's state reads as unrecognized; its number is kept.
    /// let paused: TaskState = serde_json::from_str("\"TASK_STATE_PAUSED\"").unwrap();
    /// assert_eq!(paused, TaskState::Unrecognized(None));
    /// let numbered: TaskState = serde_json::from_str("42").unwrap();
    /// assert_eq!(numbered, TaskState::Unrecognized(Some(42)));
    /// assert_eq!(serde_json::to_string(&numbered).unwrap(), "42");
    /// assert!(!numbered.is_terminal() && !TaskState::Working.can_transition_to(numbered));
    /// ```
    pub enum TaskState ("TASK_STATE_UNSPECIFIED") {
        /// Received and acknowledged, not started yet.
        Submitted = 1 => "TASK_STATE_SUBMITTED",
        /// Being worked on.
        Working = 2 => "TASK_STATE_WORKING",
        /// Finished successfully (terminal).
        Completed = 3 => "TASK_STATE_COMPLETED",
        /// Finished with an error (terminal).
        Failed = 4 => "TASK_STATE_FAILED",
        /// Canceled before it finished (terminal).
        Canceled = 5 => "TASK_STATE_CANCELED",
        /// Waiting for more input from the client (interrupted).
        InputRequired = 6 => "TASK_STATE_INPUT_REQUIRED",
        /// The agent will not do this task (terminal).
        Rejected = 7 => "TASK_STATE_REJECTED",
        /// Waiting for credentials (interrupted).
        AuthRequired = 8 => "TASK_STATE_AUTH_REQUIRED",
    }
}

impl TaskState {
    /// `Completed`, `Failed`, `Canceled` or `Rejected`: the task will never change again.
    pub const fn is_terminal(self) -> bool {
        matches!(
            self,
            Self::Completed | Self::Failed | Self::Canceled | Self::Rejected
        )
    }

    /// `InputRequired` or `AuthRequired`: the task waits for the client.
    pub const fn is_interrupted(self) -> bool {
        matches!(self, Self::InputRequired | Self::AuthRequired)
    }

    /// `Submitted` or `Working`.
    pub const fn is_active(self) -> bool {
        matches!(self, Self::Submitted | Self::Working)
    }

    /// Whether a task in this state may move to `next`.
    ///
    /// Active states may go anywhere. An interrupted state may resume
    /// (`Working`), ask the client again (`InputRequired`, `AuthRequired`:
    /// an agent answering a follow-up with another question) or end in a
    /// terminal state; it never goes back to `Submitted`. A terminal state
    /// goes nowhere. No state moves to the unspecified or an unrecognized
    /// value: a task is only ever in a named state.
    pub const fn can_transition_to(self, next: TaskState) -> bool {
        if !next.is_known() || self.is_terminal() {
            false
        } else if self.is_interrupted() {
            !matches!(next, Self::Submitted)
        } else {
            true
        }
    }
}

/// The state of a task, with the agent's message about it and when it was set.
///
/// ```
/// use a2akit::types::{Message, TaskState, TaskStatus};
///
/// let status = TaskStatus::new(TaskState::InputRequired)
///     .with_message(Message::agent("Which city?"));
/// assert!(status.timestamp.is_some());
/// ```
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TaskStatus {
    /// The state ([`TaskState::Unspecified`] when the sender left it out).
    #[serde(default, skip_serializing_if = "TaskState::is_default")]
    pub state: TaskState,
    /// What the agent says about this state (a question, an error…).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<Message>,
    /// When this status was recorded.
    #[serde(default, with = "protojson::timestamp", skip_serializing_if = "Option::is_none")]
    pub timestamp: Option<DateTime<Utc>>,
}

impl TaskStatus {
    /// A status in `state`, stamped with the current time.
    pub fn new(state: TaskState) -> Self {
        Self {
            state,
            message: None,
            timestamp: Some(Utc::now()),
        }
    }

    /// Sets the agent's message.
    pub fn with_message(mut self, message: Message) -> Self {
        self.message = Some(message);
        self
    }

    /// Sets the timestamp.
    pub fn with_timestamp(mut self, timestamp: DateTime<Utc>) -> Self {
        self.timestamp = Some(timestamp);
        self
    }
}

/// The unit of work an agent runs: its status, its outputs (artifacts) and
/// the conversation that led to them (history).
///
/// ```
/// use a2akit::types::{Artifact, Task, TaskState, TaskStatus};
///
/// let task = Task::new("t1", "c1", TaskStatus::new(TaskState::Completed))
///     .with_artifacts([Artifact::text("answer", "42")]);
/// assert!(task.status.state.is_terminal());
/// ```
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Task {
    /// The task id, minted by the server.
    #[serde(default, deserialize_with = "nullable")]
    pub id: String,
    /// The conversation this task belongs to.
    #[serde(alias = "context_id")]
    #[serde(default, deserialize_with = "nullable", skip_serializing_if = "String::is_empty")]
    pub context_id: String,
    /// The current status (always written; an absent one reads as the default).
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

impl Task {
    /// A task with this id, conversation and status, and nothing else yet.
    pub fn new(id: impl Into<String>, context_id: impl Into<String>, status: TaskStatus) -> Self {
        Self {
            id: id.into(),
            context_id: context_id.into(),
            status,
            artifacts: Vec::new(),
            history: Vec::new(),
            metadata: None,
        }
    }

    /// Sets the history.
    pub fn with_history(mut self, history: impl IntoIterator<Item = Message>) -> Self {
        self.history = history.into_iter().collect();
        self
    }

    /// Sets the artifacts.
    pub fn with_artifacts(mut self, artifacts: impl IntoIterator<Item = Artifact>) -> Self {
        self.artifacts = artifacts.into_iter().collect();
        self
    }

    /// Sets the metadata.
    pub fn with_metadata(mut self, metadata: Struct) -> Self {
        self.metadata = Some(metadata);
        self
    }

    /// Folds one event of the task's stream into it:
    ///
    /// - [`StreamResponse::Task`] (a snapshot) replaces the task;
    /// - [`StreamResponse::Message`] is added to the history;
    /// - a status update sets the status, and its message joins the history;
    /// - an artifact update adds the artifact, replaces the one with the
    ///   same id, or with `append` extends it (chunks merged in order);
    /// - an unrecognized item (from a newer peer) changes nothing.
    ///
    /// The server's engine and stores build snapshots from their logs with
    /// it; a client can follow a stream with it.
    ///
    /// ```
    /// use a2akit::types::*;
    ///
    /// let mut task = Task::new("t1", "c1", TaskStatus::new(TaskState::Working));
    /// let chunk = |text: &str, append| {
    ///     StreamResponse::ArtifactUpdate(TaskArtifactUpdateEvent::new("t1", "c1", Artifact::text("a", text)).with_append(append))
    /// };
    /// task.apply(&chunk("Hello, ", false));
    /// task.apply(&chunk("world", true));
    /// assert_eq!(task.artifacts[0].to_text(), "Hello, world");
    /// ```
    pub fn apply(&mut self, event: &StreamResponse) {
        match event {
            StreamResponse::Task(snapshot) => *self = snapshot.clone(),
            StreamResponse::Message(message) => self.history.push(message.clone()),
            StreamResponse::StatusUpdate(update) => {
                if let Some(message) = &update.status.message {
                    self.history.push(message.clone());
                }
                self.status = update.status.clone();
            }
            StreamResponse::ArtifactUpdate(update) => {
                self.merge_artifact(update.artifact.clone(), update.append)
            }
            StreamResponse::Unrecognized => {}
        }
    }

    /// Merges an artifact (or a chunk of one) into the task, keyed by artifact id.
    fn merge_artifact(&mut self, artifact: Artifact, append: bool) {
        match self
            .artifacts
            .iter_mut()
            .find(|a| a.artifact_id == artifact.artifact_id)
        {
            Some(existing) if append => {
                existing.parts.extend(artifact.parts);
                if !artifact.name.is_empty() {
                    existing.name = artifact.name;
                }
                if !artifact.description.is_empty() {
                    existing.description = artifact.description;
                }
                if let Some(metadata) = artifact.metadata {
                    existing
                        .metadata
                        .get_or_insert_with(Default::default)
                        .extend(metadata);
                }
                for uri in artifact.extensions {
                    if !existing.extensions.contains(&uri) {
                        existing.extensions.push(uri);
                    }
                }
            }
            Some(existing) => *existing = artifact,
            None => self.artifacts.push(artifact),
        }
    }
}
