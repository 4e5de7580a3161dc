//! The eleven operations, binding-agnostic: every protocol rule lives here.

use std::panic::AssertUnwindSafe;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use futures_util::FutureExt as _;
use tokio::sync::{oneshot, watch};

use super::bus::{EventBus, InMemoryEventBus};
use super::call::CallContext;
use super::detached::Detached;
use super::executor::{AgentExecutor, CancelContext, RequestContext, RunToken, TaskUpdater};
use super::follow::{EventStream, Follower, Until};
use super::store::{
    DynStore, InMemoryTaskStore, PushConfigStore, Sequence, TaskEvent, TaskKey, TaskQuery, TaskStore,
    TaskView,
};
use super::task::live::{Engine, LiveTask, Progress, RunFailure};
use super::task::{InMemoryRunOwnership, RunOwnership};
use crate::Error;
use crate::types::{
    AgentCard, CancelTaskRequest, DeleteTaskPushNotificationConfigRequest, Empty,
    GetExtendedAgentCardRequest, GetTaskPushNotificationConfigRequest, GetTaskRequest,
    ListTaskPushNotificationConfigsRequest, ListTaskPushNotificationConfigsResponse, ListTasksRequest,
    ListTasksResponse, Message, Role, SendMessageConfiguration, SendMessageRequest, SendMessageResponse,
    StreamResponse, SubscribeToTaskRequest, Task, TaskPushNotificationConfig, TaskState, TaskStatus,
};

type BoxFuture<'a, T> = Pin<Box<dyn std::future::Future<Output = T> + Send + 'a>>;

/// [`AgentExecutor`] behind a pointer.
trait DynExecutor: Send + Sync + 'static {
    fn execute(&self, context: RequestContext, updater: TaskUpdater) -> BoxFuture<'_, Result<(), Error>>;
    fn cancel(&self, context: CancelContext, updater: TaskUpdater) -> BoxFuture<'_, Result<(), Error>>;
}

impl<E: AgentExecutor> DynExecutor for E {
    fn execute(&self, context: RequestContext, updater: TaskUpdater) -> BoxFuture<'_, Result<(), Error>> {
        Box::pin(AgentExecutor::execute(self, context, updater))
    }
    fn cancel(&self, context: CancelContext, updater: TaskUpdater) -> BoxFuture<'_, Result<(), Error>> {
        Box::pin(AgentExecutor::cancel(self, context, updater))
    }
}

/// Which `A2A-Version` values are served.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum VersionPolicy {
    /// Any `1.x` (what the official Python SDK does): a newer minor version
    /// is served with 1.0 semantics.
    #[default]
    AnyMinor,
    /// Exactly `1.0` (patch digits ignored).
    Exact,
}

/// The protocol engine: the eleven operations on top of an [`AgentExecutor`]
/// and the stores. Bindings decode a request, call one method, and encode
/// what it returns. Cheap to clone.
///
/// ```
/// use a2akit::server::{AgentExecutor, RequestContext, RequestHandler, TaskUpdater};
/// use a2akit::types::AgentCard;
///
/// struct Done;
/// impl AgentExecutor for Done {
///     async fn execute(&self, _: RequestContext, updater: TaskUpdater) -> Result<(), a2akit::Error> {
///         updater.complete().await
///     }
/// }
///
/// let card = AgentCard::builder().name("Done").description("Finishes at once").build();
/// let handler = RequestHandler::builder(card, Done).build();
/// assert_eq!(handler.card().name, "Done");
/// ```
#[derive(Clone)]
pub struct RequestHandler {
    inner: Arc<Inner>,
}

struct Inner {
    card: AgentCard,
    extended_card: Option<AgentCard>,
    executor: Arc<dyn DynExecutor>,
    engine: Arc<Engine>,
    executor_timeout: Option<Duration>,
    version_policy: VersionPolicy,
}

impl std::fmt::Debug for RequestHandler {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RequestHandler")
            .field("agent", &self.inner.card.name)
            .finish_non_exhaustive()
    }
}

/// Configures a [`RequestHandler`]; see [`RequestHandler::builder`].
#[must_use]
pub struct RequestHandlerBuilder {
    card: AgentCard,
    extended_card: Option<AgentCard>,
    executor: Arc<dyn DynExecutor>,
    store: Arc<dyn DynStore>,
    bus: Arc<dyn EventBus>,
    runs: Arc<dyn RunOwnership>,
    executor_timeout: Option<Duration>,
    max_history: usize,
    version_policy: VersionPolicy,
}

impl RequestHandlerBuilder {
    /// The default cap on a task's history.
    pub const DEFAULT_MAX_HISTORY: usize = 1_000;

    /// Keeps tasks and push configs in `store` instead of a new
    /// [`InMemoryTaskStore`]. Pass an `Arc` to keep a handle on it.
    pub fn store<S: TaskStore + PushConfigStore>(mut self, store: S) -> Self {
        self.store = Arc::new(store);
        self
    }

    /// Carries events and cancels on `bus` instead of a new [`InMemoryEventBus`].
    pub fn event_bus(mut self, bus: impl EventBus) -> Self {
        self.bus = Arc::new(bus);
        self
    }

    /// Decides who runs a task with `runs` instead of a new [`InMemoryRunOwnership`].
    pub fn run_ownership(mut self, runs: impl RunOwnership) -> Self {
        self.runs = Arc::new(runs);
        self
    }

    /// Fails a run that takes longer than `timeout` (default: 10 minutes).
    pub fn executor_timeout(mut self, timeout: Duration) -> Self {
        self.executor_timeout = Some(timeout);
        self
    }

    /// Lets runs take as long as they like.
    pub fn no_executor_timeout(mut self) -> Self {
        self.executor_timeout = None;
        self
    }

    /// How many messages a task's history may hold (default
    /// [`Self::DEFAULT_MAX_HISTORY`]). A client message beyond it is refused
    /// with UnsupportedOperationError, telling the client to start a new task.
    pub fn max_history(mut self, messages: usize) -> Self {
        self.max_history = messages;
        self
    }

    /// The card `GetExtendedAgentCard` returns (the public card must declare
    /// `extendedAgentCard`).
    pub fn extended_card(mut self, card: AgentCard) -> Self {
        self.extended_card = Some(card);
        self
    }

    /// Which `A2A-Version` values are served (default: any `1.x`).
    pub fn version_policy(mut self, policy: VersionPolicy) -> Self {
        self.version_policy = policy;
        self
    }

    /// The handler.
    pub fn build(self) -> RequestHandler {
        RequestHandler {
            inner: Arc::new(Inner {
                card: self.card,
                extended_card: self.extended_card,
                executor: self.executor,
                engine: Engine::new(self.store, self.bus, self.runs, self.max_history),
                executor_timeout: self.executor_timeout,
                version_policy: self.version_policy,
            }),
        }
    }
}

fn check_history_length(field: &str, history_length: Option<i32>) -> Result<Option<usize>, Error> {
    match history_length {
        Some(n) if n < 0 => Err(Error::invalid_field(
            field,
            format!("must not be negative, got {n}"),
        )),
        Some(n) => Ok(Some(n as usize)),
        None => Ok(None),
    }
}

/// A message accepted for a run: the task it belongs to and what the executor gets.
struct Accepted {
    live: Arc<LiveTask>,
    context: RequestContext,
    updater: TaskUpdater,
    generation: u64,
    /// The task right after the message was recorded, and its sequence.
    /// The task as the caller first sees it, when it sees the task before
    /// the agent answers (a stream, `returnImmediately`).
    snapshot: Option<TaskEvent>,
    /// The bus subscription of a streaming call, taken before the message was recorded.
    follower: Option<Follower>,
}

/// A run started for an accepted message, and what its caller waits on.
struct Started {
    live: Arc<LiveTask>,
    generation: u64,
    /// The task as the caller first sees it, when it sees the task before
    /// the agent answers (a stream, `returnImmediately`).
    snapshot: Option<TaskEvent>,
    follower: Option<Follower>,
    progress: watch::Receiver<Progress>,
    /// The task's settle count before the run started.
    settles: u64,
    history: Option<usize>,
}

impl RequestHandler {
    /// Starts a handler for the agent described by `card`, run by `executor`,
    /// on an in-memory store, bus and run ownership.
    pub fn builder(card: AgentCard, executor: impl AgentExecutor) -> RequestHandlerBuilder {
        RequestHandlerBuilder {
            card,
            extended_card: None,
            executor: Arc::new(executor),
            store: Arc::new(InMemoryTaskStore::new()),
            bus: Arc::new(InMemoryEventBus::new()),
            runs: Arc::new(InMemoryRunOwnership::default()),
            executor_timeout: Some(Duration::from_secs(600)),
            max_history: RequestHandlerBuilder::DEFAULT_MAX_HISTORY,
            version_policy: VersionPolicy::default(),
        }
    }

    /// The public agent card.
    pub fn card(&self) -> &AgentCard {
        &self.inner.card
    }

    /// How many tasks are live in memory now: running, or being written.
    /// Finished tasks nobody writes to live only in the store.
    pub fn live_tasks(&self) -> usize {
        self.inner.engine.live_count()
    }

    /// Checks the `A2A-Version` a client asked for (`None` or empty: 0.3).
    /// Patch digits are ignored.
    pub fn check_version(&self, requested: Option<&str>) -> Result<(), Error> {
        let requested = requested.map(str::trim).unwrap_or_default();
        let mut parts = requested.split('.');
        let major = parts.next().and_then(|p| p.parse::<u32>().ok());
        let minor = parts.next().and_then(|p| p.parse::<u32>().ok());
        let served = matches!(
            (major, minor, self.inner.version_policy),
            (Some(1), Some(_), VersionPolicy::AnyMinor) | (Some(1), Some(0), VersionPolicy::Exact)
        );
        if served {
            Ok(())
        } else {
            Err(Error::version_not_supported(requested))
        }
    }

    /// Checks the capabilities and extensions every operation depends on.
    fn check_call(&self, call: &CallContext) -> Result<(), Error> {
        for extension in &self.inner.card.capabilities.extensions {
            if extension.required && !call.extensions.contains(&extension.uri) {
                return Err(Error::extension_support_required(&extension.uri));
            }
        }
        Ok(())
    }

    fn check_streaming(&self) -> Result<(), Error> {
        if self.inner.card.capabilities.supports_streaming() {
            Ok(())
        } else {
            Err(Error::unsupported_operation(
                "this agent does not support streaming",
            ))
        }
    }

    fn check_push(&self) -> Result<(), Error> {
        if self.inner.card.capabilities.supports_push_notifications() {
            Ok(())
        } else {
            Err(Error::push_notification_not_supported())
        }
    }

    fn store(&self) -> &Arc<dyn DynStore> {
        &self.inner.engine.store
    }

    /// Reads a stored task the caller may see, projected to `view`.
    async fn visible_task(
        &self,
        call: &CallContext,
        id: &str,
        view: TaskView,
    ) -> Result<(Task, Sequence), Error> {
        let key = TaskKey::new(&call.tenant, id);
        match self.store().get(&key, view).await? {
            Some(stored) if stored.owner == call.owner() => Ok((stored.task, stored.sequence)),
            _ => Err(Error::task_not_found(id)),
        }
    }

    /// Checks that a task exists and the caller may see it, loading as little as possible.
    async fn check_visible(&self, call: &CallContext, id: &str) -> Result<(), Error> {
        let bare = TaskView::FULL.history_length(Some(0)).include_artifacts(false);
        self.visible_task(call, id, bare).await.map(drop)
    }

    /// Opens the live task of a task the caller may see.
    async fn visible_live(&self, call: &CallContext, id: &str) -> Result<Arc<LiveTask>, Error> {
        let key = TaskKey::new(&call.tenant, id);
        match self.inner.engine.open(&key).await? {
            Some(live) if live.owner == call.owner() => Ok(live),
            _ => Err(Error::task_not_found(id)),
        }
    }

    /// Checks a client's message and its configuration.
    fn check_message(
        &self,
        message: &Message,
        configuration: Option<&SendMessageConfiguration>,
    ) -> Result<Option<usize>, Error> {
        if message.message_id.is_empty() {
            return Err(Error::invalid_field("message.messageId", "must not be empty"));
        }
        if message.parts.is_empty() {
            return Err(Error::invalid_field(
                "message.parts",
                "a message needs at least one part",
            ));
        }
        if message.role != Role::User {
            return Err(Error::invalid_field(
                "message.role",
                "a client's message has role ROLE_USER",
            ));
        }
        let Some(config) = configuration else {
            return Ok(None);
        };
        let history = check_history_length("configuration.historyLength", config.history_length)?;
        if let Some(push) = &config.task_push_notification_config {
            self.check_push()?;
            if push.url.is_empty() {
                return Err(Error::invalid_field(
                    "configuration.taskPushNotificationConfig.url",
                    "must not be empty",
                ));
            }
        }
        Ok(history)
    }

    /// Ties a message to a new task (stored at once, SUBMITTED) or to an
    /// existing one (the message recorded), claims the task's run, and
    /// prepares what the executor gets. A streaming call's bus subscription
    /// is taken before anything is written, so that it misses nothing.
    ///
    /// `seen` says whether the caller sees the task before the agent answers
    /// (a stream, `returnImmediately`): an unseen new task that the agent
    /// answers with a direct message is removed, and the message is the answer.
    async fn accept(
        &self,
        call: &CallContext,
        request: SendMessageRequest,
        follow: bool,
        seen: bool,
    ) -> Result<Accepted, Error> {
        self.check_call(call)?;
        let SendMessageRequest {
            mut message,
            configuration,
            metadata,
            ..
        } = request;
        let history = self.check_message(&message, configuration.as_ref())?;
        let view = TaskView::FULL.history_length(history);
        let engine = &self.inner.engine;
        let (live, before, generation, snapshot, follower);
        if message.task_id.is_empty() {
            let task_id = uuid::Uuid::new_v4().to_string();
            if message.context_id.is_empty() {
                message.context_id = uuid::Uuid::new_v4().to_string();
            }
            message.task_id = task_id.clone();
            let key = TaskKey::new(&call.tenant, &task_id);
            let mut task = Task::new(
                &task_id,
                &message.context_id,
                TaskStatus::new(TaskState::Submitted),
            );
            task.history.push(message.clone());
            let bus = follow.then(|| engine.bus.subscribe(&key));
            live = engine.create(key, call.owner(), task).await?;
            if !seen {
                live.mark_unseen().await;
            }
            generation = live
                .start_run()
                .await?
                .ok_or_else(|| Error::internal("a new task is already claimed"))?;
            let sequence = 1;
            follower =
                bus.map(|bus| Follower::new(live.key.clone(), Arc::clone(&engine.store), bus, sequence));
            snapshot = match seen {
                true => Some(TaskEvent {
                    sequence,
                    event: Arc::new(StreamResponse::Task(live.snapshot(view).await.0)),
                }),
                false => None,
            };
            before = None;
        } else {
            live = self.visible_live(call, &message.task_id).await?;
            let (task, _) = live
                .snapshot(TaskView::FULL.include_artifacts(false).history_length(Some(0)))
                .await;
            if task.status.state.is_terminal() {
                return Err(Error::unsupported_operation(format!(
                    "task {} is {} and accepts no more messages; start a new task in context {}",
                    task.id, task.status.state, task.context_id
                )));
            }
            if !message.context_id.is_empty() && message.context_id != task.context_id {
                return Err(Error::invalid_field(
                    "message.contextId",
                    format!(
                        "task {} belongs to context {}, not {}",
                        task.id, task.context_id, message.context_id
                    ),
                ));
            }
            message.context_id.clone_from(&task.context_id);
            generation = live.start_run().await?.ok_or_else(|| {
                Error::unsupported_operation(format!(
                    "task {} is still working on an earlier message; wait until it needs input or finishes",
                    task.id
                ))
            })?;
            let bus = follow.then(|| engine.bus.subscribe(&live.key));
            let (full_before, _) = live.snapshot(TaskView::FULL).await;
            let recorded = live.record_message(message.clone(), seen.then_some(view)).await;
            let (task, sequence) = match recorded {
                Ok(recorded) => recorded,
                Err(err) => {
                    live.abandon_run(generation);
                    return Err(err);
                }
            };
            follower =
                bus.map(|bus| Follower::new(live.key.clone(), Arc::clone(&engine.store), bus, sequence));
            snapshot = task.map(|task| TaskEvent {
                sequence,
                event: Arc::new(StreamResponse::Task(task)),
            });
            before = Some(full_before);
        }
        // From here the run is the token's: a failure or a dropped request
        // ends it through the token, and a task left unstarted is failed.
        let token = Arc::new(RunToken::new(Arc::clone(&live), generation));
        if let Some(config) = configuration
            .as_ref()
            .and_then(|c| c.task_push_notification_config.as_ref())
        {
            // Saved once the message is accepted, so that a refused message
            // leaves no config behind, and before the run, so that the run's
            // first events are delivered.
            let mut config = config.clone();
            config.task_id.clone_from(&message.task_id);
            config.tenant.clone_from(&call.tenant);
            if config.id.is_empty() {
                config.id = uuid::Uuid::new_v4().to_string();
            }
            if let Err(err) = self.store().save_config(&call.tenant, &config).await {
                let err = Error::from(err);
                *token.failure.lock().unwrap_or_else(|p| p.into_inner()) =
                    Some(RunFailure::Refused(err.clone()));
                return Err(err);
            }
        }
        let updater = TaskUpdater {
            live: Arc::clone(&live),
            run: Some(token),
            task_id: message.task_id.clone(),
            context_id: message.context_id.clone(),
        };
        let context = RequestContext {
            task_id: message.task_id.clone(),
            context_id: message.context_id.clone(),
            task: before,
            message,
            configuration,
            metadata,
            call: call.clone(),
            canceled: live.cancel_signal(),
        };
        Ok(Accepted {
            live,
            context,
            updater,
            generation,
            snapshot,
            follower,
        })
    }

    /// Accepts a message and runs the agent on it, as a [`Detached`] job:
    /// the caller drives it while it waits and hears from it once the
    /// message is accepted; a caller that disconnects midway can neither cut
    /// a write short nor leave a task claimed and never run, and the run
    /// never stops for it.
    fn start(
        &self,
        call: &CallContext,
        request: SendMessageRequest,
        follow: bool,
        seen: bool,
    ) -> (Detached, impl Future<Output = Result<Started, Error>> + use<>) {
        let handler = self.clone();
        let call = call.clone();
        let history = request
            .configuration
            .as_ref()
            .and_then(|c| c.history_length)
            .and_then(|n| usize::try_from(n).ok());
        let (accepted_tx, accepted_rx) = oneshot::channel();
        let job = Detached::new(async move {
            let Accepted {
                live,
                context,
                updater,
                generation,
                snapshot,
                follower,
            } = match handler.accept(&call, request, follow, seen).await {
                Ok(accepted) => accepted,
                Err(err) => {
                    let _ = accepted_tx.send(Err(err));
                    return;
                }
            };
            // Taken before the run can move the task.
            let mut progress = live.progress();
            let settles = progress.borrow_and_update().settles;
            let _ = accepted_tx.send(Ok(Started {
                live,
                generation,
                snapshot,
                follower,
                progress,
                settles,
                history,
            }));
            handler.run(context, updater).await;
        });
        let accepted = async move {
            accepted_rx.await.unwrap_or_else(|_| {
                tracing::error!("accepting a message panicked");
                Err(Error::internal("the message could not be accepted"))
            })
        };
        (job, accepted)
    }

    /// Runs the executor on an accepted message: an error, a panic or the
    /// timeout fails the task instead of the server. The run ends here if
    /// the agent kept no updater, else when it drops its last one.
    async fn run(&self, context: RequestContext, updater: TaskUpdater) {
        let task_id = context.task_id.clone();
        let run = AssertUnwindSafe(self.inner.executor.execute(context, updater.clone())).catch_unwind();
        let outcome = match self.inner.executor_timeout {
            Some(limit) => tokio::time::timeout(limit, run).await.map_err(|_| limit),
            None => Ok(run.await),
        };
        let failure = match outcome {
            Ok(Ok(Ok(()))) => None,
            Ok(Ok(Err(err))) => {
                tracing::warn!(task_id = %task_id, error = %err, "the agent returned an error");
                Some(RunFailure::Refused(err))
            }
            Ok(Err(panic)) => {
                let what = panic
                    .downcast_ref::<&str>()
                    .map(|s| (*s).to_owned())
                    .or_else(|| panic.downcast_ref::<String>().cloned())
                    .unwrap_or_else(|| "unknown cause".to_owned());
                tracing::error!(task_id = %task_id, panic = %what, "the agent panicked");
                Some(RunFailure::Crashed)
            }
            Err(limit) => {
                tracing::warn!(task_id = %task_id, ?limit, "the agent did not finish in time");
                Some(RunFailure::TimedOut(limit))
            }
        };
        let TaskUpdater { live, run, .. } = updater;
        let Some(run) = run else { return };
        if let Some(failure) = failure {
            // A failed run ends now, even if the agent still holds an updater.
            live.end_run(run.generation, Some(failure)).await;
        }
        if let Some(last) = Arc::into_inner(run) {
            last.end().await;
        }
    }

    /// `SendMessage`: runs the agent on a message and answers with the task
    /// once it is finished or interrupted (or at once with
    /// `returnImmediately`), or with the agent's direct message.
    pub async fn send_message(
        &self,
        call: &CallContext,
        request: SendMessageRequest,
    ) -> Result<SendMessageResponse, Error> {
        let return_immediately = request
            .configuration
            .as_ref()
            .is_some_and(|c| c.return_immediately);
        let (mut job, accepted) = self.start(call, request, false, return_immediately);
        let Started {
            live,
            generation,
            snapshot,
            mut progress,
            settles,
            history,
            ..
        } = job.alongside(accepted).await?;
        if let Some(snapshot) = snapshot {
            if let StreamResponse::Task(task) = Arc::unwrap_or_clone(snapshot.event) {
                return Ok(SendMessageResponse::Task(task));
            }
        }
        // Waits for milestones, not for every event: a blocking send costs no
        // event traffic.
        let settled = progress.wait_for(|p| {
            p.settles > settles
                || p.ended >= generation
                || p.reply.as_ref().is_some_and(|(g, _)| *g == generation)
        });
        let outcome = job.alongside(settled).await.map(|p| {
            let reply = p
                .reply
                .as_ref()
                .filter(|(g, _)| *g == generation)
                .map(|(_, m)| m.clone());
            let error = p
                .error
                .as_ref()
                .filter(|(g, _)| *g == generation)
                .map(|(_, e)| e.clone());
            (reply, error)
        });
        match outcome {
            Ok((Some(reply), _)) => return Ok(SendMessageResponse::Message(reply)),
            Ok((None, Some(err))) => return Err(err),
            _ => {}
        }
        let view = TaskView::FULL.history_length(history);
        Ok(SendMessageResponse::Task(
            job.alongside(live.snapshot(view)).await.0,
        ))
    }

    /// `SendStreamingMessage`: runs the agent and streams the task at once
    /// (as the request left it), then every update until the task is
    /// finished or interrupted.
    pub async fn send_streaming_message(
        &self,
        call: &CallContext,
        request: SendMessageRequest,
    ) -> Result<EventStream, Error> {
        self.check_streaming()?;
        let (mut job, accepted) = self.start(call, request, true, true);
        let Started {
            snapshot, follower, ..
        } = job.alongside(accepted).await?;
        // The run goes on by itself; the stream follows it.
        drop(job);
        let follower = follower.ok_or_else(|| Error::internal("a streaming call follows its task"))?;
        Ok(follower.into_stream(snapshot, Until::Settled))
    }

    /// `GetTask`.
    pub async fn get_task(&self, call: &CallContext, request: GetTaskRequest) -> Result<Task, Error> {
        self.check_call(call)?;
        let history = check_history_length("historyLength", request.history_length)?;
        let view = TaskView::FULL.history_length(history);
        Ok(self.visible_task(call, &request.id, view).await?.0)
    }

    /// `ListTasks`: the caller's tasks, newest status first, one page at a time.
    pub async fn list_tasks(
        &self,
        call: &CallContext,
        request: ListTasksRequest,
    ) -> Result<ListTasksResponse, Error> {
        self.check_call(call)?;
        let history = check_history_length("historyLength", request.history_length)?;
        let page_size = match request.page_size {
            None => 50,
            Some(n @ 1..=100) => n,
            Some(n) => {
                return Err(Error::invalid_field(
                    "pageSize",
                    format!("must be between 1 and 100, got {n}"),
                ));
            }
        };
        let query = TaskQuery {
            tenant: call.tenant.clone(),
            owner: call.owner().to_owned(),
            context_id: (!request.context_id.is_empty()).then(|| request.context_id.clone()),
            status: request.status,
            status_timestamp_after: request.status_timestamp_after,
            page_size: page_size as usize,
            page_token: (!request.page_token.is_empty()).then(|| request.page_token.clone()),
            view: TaskView::FULL
                .history_length(history)
                .include_artifacts(request.include_artifacts.unwrap_or(false)),
        };
        let page = self.store().list(&query).await?;
        Ok(ListTasksResponse {
            tasks: page.tasks,
            next_page_token: page.next_page_token,
            page_size,
            total_size: i32::try_from(page.total_size).unwrap_or(i32::MAX),
        })
    }

    /// `CancelTask`: signals the running `execute` (if any), asks the agent
    /// to stop, and answers with the task, canceled. The cancel runs in its
    /// own task, so a caller that disconnects does not cut it short.
    ///
    /// A task that finishes in the meantime answers TaskNotCancelableError;
    /// an error from [`AgentExecutor::cancel`] is the caller's answer (the
    /// task is left as it is); otherwise the task ends `Canceled`.
    pub async fn cancel_task(&self, call: &CallContext, request: CancelTaskRequest) -> Result<Task, Error> {
        self.check_call(call)?;
        let live = self.visible_live(call, &request.id).await?;
        let (task, _) = live.snapshot(TaskView::FULL).await;
        if task.status.state.is_terminal() {
            return Err(not_cancelable(&task));
        }
        let handler = self.clone();
        let context = CancelContext {
            task,
            metadata: request.metadata,
            call: call.clone(),
        };
        tokio::spawn(async move { handler.run_cancel(live, context).await })
            .await
            .unwrap_or_else(|err| {
                tracing::error!(error = %err, "the agent's cancel panicked");
                Err(Error::internal("the cancel failed"))
            })
    }

    async fn run_cancel(&self, live: Arc<LiveTask>, context: CancelContext) -> Result<Task, Error> {
        // The signal first: an agent whose cancel waits for `execute` to
        // notice must not wait forever.
        self.inner.engine.bus.cancel(&live.key);
        let updater = TaskUpdater {
            live: Arc::clone(&live),
            run: None,
            task_id: context.task.id.clone(),
            context_id: context.task.context_id.clone(),
        };
        let agent = AssertUnwindSafe(self.inner.executor.cancel(context, updater.clone()))
            .catch_unwind()
            .await
            .unwrap_or_else(|_| {
                tracing::error!(task_id = %live.key.id, "the agent's cancel panicked");
                Err(Error::internal("the agent failed to cancel the task"))
            });
        let (now, _) = live.snapshot(TaskView::FULL).await;
        match (agent, now.status.state) {
            (_, TaskState::Canceled) => return Ok(now),
            (_, state) if state.is_terminal() => return Err(not_cancelable(&now)),
            (Err(err), _) => return Err(err),
            (Ok(()), _) => {}
        }
        // The agent agreed but did not move the task: it is canceled all the same.
        let outcome = updater.cancel().await;
        let (now, _) = live.snapshot(TaskView::FULL).await;
        match (outcome, now.status.state) {
            (_, TaskState::Canceled) => Ok(now),
            (_, state) if state.is_terminal() => Err(not_cancelable(&now)),
            (Err(err), _) => Err(err),
            (Ok(()), _) => Ok(now),
        }
    }

    /// `SubscribeToTask`: the task now, then every update until it finishes.
    pub async fn subscribe_to_task(
        &self,
        call: &CallContext,
        request: SubscribeToTaskRequest,
    ) -> Result<EventStream, Error> {
        self.subscribe(call, request, None).await
    }

    /// `SubscribeToTask` resumed after the event with sequence `last_seen`
    /// (the SSE `Last-Event-ID`): no snapshot, but every event after it, in
    /// order, then the live ones. If the store no longer holds those events
    /// (see its retention), the stream falls back to a snapshot first, as a
    /// fresh subscription would. A finished task streams what is left.
    pub async fn resume_task(
        &self,
        call: &CallContext,
        request: SubscribeToTaskRequest,
        last_seen: Sequence,
    ) -> Result<EventStream, Error> {
        self.subscribe(call, request, Some(last_seen)).await
    }

    async fn subscribe(
        &self,
        call: &CallContext,
        request: SubscribeToTaskRequest,
        last_seen: Option<Sequence>,
    ) -> Result<EventStream, Error> {
        self.check_streaming()?;
        self.check_call(call)?;
        let engine = &self.inner.engine;
        let key = TaskKey::new(&call.tenant, &request.id);
        // Subscribed before reading, so that nothing after the read is missed.
        let bus = engine.bus.subscribe(&key);
        let (task, sequence) = self.visible_task(call, &request.id, TaskView::FULL).await?;
        if let Some(last_seen) = last_seen.filter(|n| *n <= sequence) {
            if let Some(events) = engine.store.events_after(&key, last_seen).await? {
                let mut follower = Follower::new(key, Arc::clone(&engine.store), bus, last_seen);
                let finished = task.status.state.is_terminal() && events.is_empty();
                follower.queue(events);
                if finished {
                    return Ok(Box::pin(futures_util::stream::empty()));
                }
                return Ok(follower.into_stream(None, Until::Terminal));
            }
        } else if task.status.state.is_terminal() {
            return Err(Error::unsupported_operation(format!(
                "task {} is already {}; use GetTask to read it",
                task.id, task.status.state
            )));
        }
        let first = TaskEvent {
            sequence,
            event: Arc::new(StreamResponse::Task(task)),
        };
        let follower = Follower::new(key, Arc::clone(&engine.store), bus, sequence);
        Ok(follower.into_stream(Some(first), Until::Terminal))
    }

    /// `CreateTaskPushNotificationConfig`.
    pub async fn create_task_push_notification_config(
        &self,
        call: &CallContext,
        mut config: TaskPushNotificationConfig,
    ) -> Result<TaskPushNotificationConfig, Error> {
        self.check_push()?;
        self.check_call(call)?;
        if config.task_id.is_empty() {
            return Err(Error::invalid_field("taskId", "must not be empty"));
        }
        if config.url.is_empty() {
            return Err(Error::invalid_field("url", "must not be empty"));
        }
        self.check_visible(call, &config.task_id).await?;
        if config.id.is_empty() {
            config.id = uuid::Uuid::new_v4().to_string();
        }
        config.tenant.clone_from(&call.tenant);
        self.store().save_config(&call.tenant, &config).await?;
        Ok(config)
    }

    /// `GetTaskPushNotificationConfig`.
    pub async fn get_task_push_notification_config(
        &self,
        call: &CallContext,
        request: GetTaskPushNotificationConfigRequest,
    ) -> Result<TaskPushNotificationConfig, Error> {
        self.check_push()?;
        self.check_call(call)?;
        self.check_visible(call, &request.task_id).await?;
        self.store()
            .get_config(&call.tenant, &request.task_id, &request.id)
            .await?
            .ok_or_else(|| {
                Error::task_not_found(&request.task_id)
                    .with_metadata("configId", &request.id)
                    .with_message(format!(
                        "push notification config {} of task {} not found",
                        request.id, request.task_id
                    ))
            })
    }

    /// `ListTaskPushNotificationConfigs`: all configs of a task, paged.
    pub async fn list_task_push_notification_configs(
        &self,
        call: &CallContext,
        request: ListTaskPushNotificationConfigsRequest,
    ) -> Result<ListTaskPushNotificationConfigsResponse, Error> {
        self.check_push()?;
        self.check_call(call)?;
        self.check_visible(call, &request.task_id).await?;
        let configs = self.store().list_configs(&call.tenant, &request.task_id).await?;
        let page_size = match request.page_size {
            0 => 100,
            n @ 1..=100 => n as usize,
            n => {
                return Err(Error::invalid_field(
                    "pageSize",
                    format!("must be between 0 and 100, got {n}"),
                ));
            }
        };
        let start = match request.page_token.as_str() {
            "" => 0,
            token => token
                .parse::<usize>()
                .ok()
                .filter(|start| *start <= configs.len())
                .ok_or_else(|| Error::invalid_field("pageToken", "not a page token this agent issued"))?,
        };
        let end = (start + page_size).min(configs.len());
        Ok(ListTaskPushNotificationConfigsResponse {
            next_page_token: if end < configs.len() {
                end.to_string()
            } else {
                String::new()
            },
            configs: configs[start..end].to_vec(),
        })
    }

    /// `DeleteTaskPushNotificationConfig`: deleting a missing config succeeds.
    pub async fn delete_task_push_notification_config(
        &self,
        call: &CallContext,
        request: DeleteTaskPushNotificationConfigRequest,
    ) -> Result<Empty, Error> {
        self.check_push()?;
        self.check_call(call)?;
        self.check_visible(call, &request.task_id).await?;
        self.store()
            .delete_config(&call.tenant, &request.task_id, &request.id)
            .await?;
        Ok(Empty {})
    }

    /// `GetExtendedAgentCard`. The card goes to whoever reaches this call:
    /// the protocol reserves it for authenticated callers, so declare it only
    /// behind an authentication layer (which can also pick the card per
    /// caller by building handlers per audience).
    pub async fn get_extended_agent_card(
        &self,
        call: &CallContext,
        _request: GetExtendedAgentCardRequest,
    ) -> Result<AgentCard, Error> {
        if !self.inner.card.capabilities.supports_extended_agent_card() {
            return Err(Error::unsupported_operation(
                "this agent has no extended agent card",
            ));
        }
        self.check_call(call)?;
        self.inner
            .extended_card
            .clone()
            .ok_or_else(Error::extended_agent_card_not_configured)
    }
}

fn not_cancelable(task: &Task) -> Error {
    Error::task_not_cancelable(&task.id, format_args!("it is already {}", task.status.state))
}
