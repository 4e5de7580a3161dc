//! The one trait an agent implements, what it is given, and how it reports.

use std::future::Future;

use tokio::sync::watch;

use super::call::CallContext;
use super::events::{AgentEvent, HandleRef};
use crate::Error;
use crate::types::{Artifact, Message, Part, SendMessageConfiguration, Struct, Task, TaskState, TaskStatus};

/// An agent: what runs when a message arrives, and what stops it.
///
/// The crate does the protocol around it: it creates or loads the task,
/// records history, stores and publishes every event, answers blocking,
/// non-blocking and streaming calls, and fails the task if `execute` returns
/// an error, panics or runs past the configured timeout.
///
/// ```
/// use a2akit::Error;
/// use a2akit::server::{AgentExecutor, RequestContext, TaskUpdater};
/// use a2akit::types::Artifact;
///
/// struct Shout;
///
/// impl AgentExecutor for Shout {
///     async fn execute(&self, context: RequestContext, updater: TaskUpdater) -> Result<(), Error> {
///         updater.start_work().await?;
///         let loud = context.message.text().to_uppercase();
///         updater.add_artifact(Artifact::text("shout", loud)).await?;
///         updater.complete().await
///     }
/// }
/// ```
pub trait AgentExecutor: Send + Sync + 'static {
    /// Handles one incoming message: report progress and results through `updater`.
    ///
    /// Returning an error before any event answers the caller with that error
    /// (so an agent can refuse a request with [`Error::invalid_params`] and
    /// friends); returning an error after the task exists fails the task.
    fn execute(
        &self,
        context: RequestContext,
        updater: TaskUpdater,
    ) -> impl Future<Output = Result<(), Error>> + Send;

    /// Asks the agent to stop working on `task`. The default moves the task
    /// to `Canceled`; the running `execute`, if any, sees
    /// [`RequestContext::is_canceled`] turn true and its later events are
    /// refused. Returning an error (such as [`Error::task_not_cancelable`])
    /// refuses the cancel: the caller gets the error and the task goes on.
    fn cancel(&self, task: Task, updater: TaskUpdater) -> impl Future<Output = Result<(), Error>> + Send {
        let _ = task;
        async move { updater.cancel().await }
    }
}

/// What an executor is given: the message, the task so far, and the caller.
#[derive(Debug, Clone)]
pub struct RequestContext {
    /// The incoming message, with its `task_id` and `context_id` filled in.
    pub message: Message,
    /// The task as it was before this message; `None` for a new task.
    pub task: Option<Task>,
    /// The id of the task this message belongs to (minted for a new task).
    pub task_id: String,
    /// The conversation id (the client's, the task's, or minted).
    pub context_id: String,
    /// The `configuration` of the request.
    pub configuration: Option<SendMessageConfiguration>,
    /// The `metadata` of the request.
    pub metadata: Option<Struct>,
    /// The tenant, the caller and the requested extensions.
    pub call: CallContext,
    pub(crate) canceled: watch::Receiver<bool>,
}

impl RequestContext {
    /// Whether the task has been canceled since this run started.
    pub fn is_canceled(&self) -> bool {
        *self.canceled.borrow()
    }

    /// Resolves when the task is canceled (never, if it is not).
    pub async fn canceled(&self) {
        let mut rx = self.canceled.clone();
        if rx.wait_for(|canceled| *canceled).await.is_err() {
            std::future::pending::<()>().await;
        }
    }

    /// Whether the client activated extension `uri` (listed it in `A2A-Extensions`).
    pub fn extension_requested(&self, uri: &str) -> bool {
        self.call.extensions.iter().any(|e| e == uri)
    }
}

/// How an executor reports: each call is one event, stored and then sent to
/// every listener of the task, in order.
///
/// Every method fails if the event is not allowed: a state change the state
/// machine forbids (see [`TaskState::can_transition_to`]), anything after a
/// terminal state, or a direct [`reply`](Self::reply) once the task exists.
pub struct TaskUpdater {
    /// A use of the task's handle: while any updater lives, the task stays
    /// live, so events an agent sends after `execute` returned still reach
    /// every listener.
    pub(crate) handle: HandleRef,
    pub(crate) task_id: String,
    pub(crate) context_id: String,
}

impl Clone for TaskUpdater {
    fn clone(&self) -> Self {
        Self {
            handle: HandleRef::clone_use(&self.handle),
            task_id: self.task_id.clone(),
            context_id: self.context_id.clone(),
        }
    }
}

impl std::fmt::Debug for TaskUpdater {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TaskUpdater")
            .field("task_id", &self.task_id)
            .field("context_id", &self.context_id)
            .finish()
    }
}

impl TaskUpdater {
    /// The task id.
    pub fn task_id(&self) -> &str {
        &self.task_id
    }

    /// The conversation id.
    pub fn context_id(&self) -> &str {
        &self.context_id
    }

    /// An agent message about this task, holding one part (a `&str` makes a text part).
    pub fn message(&self, part: impl Into<Part>) -> Message {
        Message::agent(part)
            .with_task_id(&self.task_id)
            .with_context_id(&self.context_id)
    }

    /// Sets the task's status; an agent message in it is also added to the history.
    pub async fn status(&self, state: TaskState, message: Option<Message>) -> Result<(), Error> {
        let mut status = TaskStatus::new(state);
        status.message = message.map(|m| self.own(m));
        self.handle.apply(AgentEvent::Status(status)).await
    }

    /// `Working`.
    pub async fn start_work(&self) -> Result<(), Error> {
        self.status(TaskState::Working, None).await
    }

    /// Adds an artifact, or replaces the one with the same id.
    pub async fn add_artifact(&self, artifact: Artifact) -> Result<(), Error> {
        self.stream_artifact(artifact, false, false).await
    }

    /// Sends a chunk of an artifact: with `append` its parts extend the
    /// artifact of the same id; `last_chunk` marks the final one.
    pub async fn stream_artifact(
        &self,
        artifact: Artifact,
        append: bool,
        last_chunk: bool,
    ) -> Result<(), Error> {
        self.handle
            .apply(AgentEvent::Artifact {
                artifact,
                append,
                last_chunk,
            })
            .await
    }

    /// `InputRequired`, with the agent's question.
    pub async fn require_input(&self, question: Message) -> Result<(), Error> {
        self.status(TaskState::InputRequired, Some(question)).await
    }

    /// `AuthRequired`, with what the agent needs.
    pub async fn require_auth(&self, explanation: Message) -> Result<(), Error> {
        self.status(TaskState::AuthRequired, Some(explanation)).await
    }

    /// `Completed`.
    pub async fn complete(&self) -> Result<(), Error> {
        self.status(TaskState::Completed, None).await
    }

    /// `Completed`, with a final agent message.
    pub async fn complete_with(&self, message: Message) -> Result<(), Error> {
        self.status(TaskState::Completed, Some(message)).await
    }

    /// `Failed`, with a message saying why.
    pub async fn fail(&self, reason: Message) -> Result<(), Error> {
        self.status(TaskState::Failed, Some(reason)).await
    }

    /// `Rejected`: the agent will not do this task.
    pub async fn reject(&self, reason: Message) -> Result<(), Error> {
        self.status(TaskState::Rejected, Some(reason)).await
    }

    /// `Canceled`.
    pub async fn cancel(&self) -> Result<(), Error> {
        self.status(TaskState::Canceled, None).await
    }

    /// Answers with a plain message and no task. Only possible for a new
    /// task before any other event; the task is then never created.
    pub async fn reply(&self, message: Message) -> Result<(), Error> {
        let mut message = message;
        message.role = crate::types::Role::Agent;
        message.context_id.clone_from(&self.context_id);
        message.task_id.clear();
        self.handle.apply(AgentEvent::Reply(message)).await
    }

    /// Stamps an agent message with this task's ids.
    fn own(&self, mut message: Message) -> Message {
        message.task_id.clone_from(&self.task_id);
        message.context_id.clone_from(&self.context_id);
        message
    }
}
