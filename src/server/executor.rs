//! The one trait an agent implements, what it is given, and how it reports.

use std::future::Future;
use std::sync::{Arc, Mutex};

use tokio::sync::watch;

use super::call::CallContext;
use super::task::live::{AgentEvent, LiveTask, RunFailure};
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
    /// The run lasts as long as any [`TaskUpdater`] of it lives: an agent may
    /// hand a clone to a background job and return. When the last one is
    /// dropped, a task left neither finished nor waiting for the client
    /// (input or auth required) is failed with a status message saying so,
    /// or, if a cancel was asked for meanwhile, canceled.
    ///
    /// Returning an error fails the task with the error's message; if the
    /// agent had reported nothing yet, the caller of a blocking send gets the
    /// error itself (so an agent can refuse a request with
    /// [`Error::invalid_params`] and friends). A panic or the timeout fails
    /// the task with a generic reason; the detail goes to the log.
    fn execute(
        &self,
        context: RequestContext,
        updater: TaskUpdater,
    ) -> impl Future<Output = Result<(), Error>> + Send;

    /// Asks the agent to stop working on a task. The running `execute`, if
    /// any, has already seen [`RequestContext::is_canceled`] turn true when
    /// this is called, so an agent may wait here for `execute` to wind down.
    /// The default moves the task to `Canceled`; so does the engine if the
    /// agent returns `Ok` without doing it. Returning an error (such as
    /// [`Error::task_not_cancelable`]) refuses the cancel: the caller gets
    /// the error and the task goes on. A cancel runs to its end even if the
    /// caller disconnects.
    fn cancel(
        &self,
        context: CancelContext,
        updater: TaskUpdater,
    ) -> impl Future<Output = Result<(), Error>> + Send {
        let _ = context;
        async move { updater.cancel().await }
    }
}

/// What [`AgentExecutor::cancel`] is given.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct CancelContext {
    /// The task as it was when the cancel arrived.
    pub task: Task,
    /// The `metadata` of the `CancelTaskRequest`.
    pub metadata: Option<Struct>,
    /// The tenant, the caller and the requested extensions.
    pub call: CallContext,
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
#[derive(Clone)]
pub struct TaskUpdater {
    pub(crate) live: Arc<LiveTask>,
    /// The run this updater reports for; `None` for the engine's own
    /// updaters (a cancel), which belong to no run.
    pub(crate) run: Option<Arc<RunToken>>,
    pub(crate) task_id: String,
    pub(crate) context_id: String,
}

/// One run of a task, shared by every clone of its updater: when the last
/// clone is dropped, the run ends.
pub(crate) struct RunToken {
    pub(crate) live: Arc<LiveTask>,
    pub(crate) generation: u64,
    /// Why the run stopped, when `execute` did not return `Ok`.
    pub(crate) failure: Mutex<Option<RunFailure>>,
    /// Set once the run has been ended in place, so that dropping does nothing more.
    ended: bool,
}

impl RunToken {
    pub(crate) fn new(live: Arc<LiveTask>, generation: u64) -> Self {
        Self {
            live,
            generation,
            failure: Mutex::new(None),
            ended: false,
        }
    }

    /// Ends the run here and now (the caller holds the last updater).
    pub(crate) async fn end(mut self) {
        self.ended = true;
        let failure = self.failure.lock().unwrap_or_else(|p| p.into_inner()).take();
        self.live.end_run(self.generation, failure).await;
    }
}

impl Drop for RunToken {
    fn drop(&mut self) {
        if self.ended {
            return;
        }
        let live = Arc::clone(&self.live);
        let generation = self.generation;
        let failure = self.failure.lock().unwrap_or_else(|p| p.into_inner()).take();
        match tokio::runtime::Handle::try_current() {
            Ok(runtime) => {
                runtime.spawn(async move { live.end_run(generation, failure).await });
            }
            // No runtime left (the process is shutting down): just let go.
            Err(_) => live.abandon_run(generation),
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
        self.live
            .apply(self.generation(), AgentEvent::Status(status))
            .await
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
        self.live
            .apply(
                self.generation(),
                AgentEvent::Artifact {
                    artifact,
                    append,
                    last_chunk,
                },
            )
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

    /// Answers with a plain message instead of a task. Only possible as the
    /// first event of a new task.
    ///
    /// For a blocking `SendMessage` the message is the answer and the task,
    /// which nobody has seen, is removed: it never existed for anyone. A
    /// stream or a `returnImmediately` caller has already been shown the task
    /// (tasks exist from the moment a request is accepted), so there the task
    /// ends `Completed` with this message as its final status message, and
    /// that is what the stream, `GetTask` and `ListTasks` show.
    pub async fn reply(&self, message: Message) -> Result<(), Error> {
        let mut message = message;
        message.role = crate::types::Role::Agent;
        message.context_id.clone_from(&self.context_id);
        message.task_id.clear();
        self.live
            .apply(self.generation(), AgentEvent::Reply(message))
            .await
    }

    fn generation(&self) -> Option<u64> {
        self.run.as_ref().map(|run| run.generation)
    }

    /// Stamps an agent message with this task's ids.
    fn own(&self, mut message: Message) -> Message {
        message.task_id.clone_from(&self.task_id);
        message.context_id.clone_from(&self.context_id);
        message
    }
}
