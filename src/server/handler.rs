//! The eleven operations, binding-agnostic: every protocol rule lives here.

use std::panic::AssertUnwindSafe;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use futures_util::{FutureExt as _, Stream};

use super::call::CallContext;
use super::events::{BusItem, HandleRef, Listener, TaskRegistry};
use super::executor::{AgentExecutor, RequestContext, TaskUpdater};
use super::store::{
    DynPushConfigStore, DynTaskStore, InMemoryPushConfigStore, InMemoryTaskStore, PushConfigStore, TaskKey,
    TaskQuery, TaskStore,
};
use crate::Error;
use crate::types::{
    AgentCard, CancelTaskRequest, DeleteTaskPushNotificationConfigRequest, Empty,
    GetExtendedAgentCardRequest, GetTaskPushNotificationConfigRequest, GetTaskRequest,
    ListTaskPushNotificationConfigsRequest, ListTaskPushNotificationConfigsResponse, ListTasksRequest,
    ListTasksResponse, Role, SendMessageRequest, SendMessageResponse, StreamResponse, SubscribeToTaskRequest,
    Task, TaskPushNotificationConfig, TaskState, TaskStatus,
};

/// The events of a streaming operation, in order; the stream ends after the
/// last one (a terminal state, or an interrupted one for `SendStreamingMessage`).
pub type EventStream = Pin<Box<dyn Stream<Item = Result<Arc<StreamResponse>, Error>> + Send>>;

type BoxFuture<'a, T> = Pin<Box<dyn std::future::Future<Output = T> + Send + 'a>>;

/// [`AgentExecutor`] behind a pointer.
trait DynExecutor: Send + Sync + 'static {
    fn execute(&self, context: RequestContext, updater: TaskUpdater) -> BoxFuture<'_, Result<(), Error>>;
    fn cancel(&self, task: Task, updater: TaskUpdater) -> BoxFuture<'_, Result<(), Error>>;
}

impl<E: AgentExecutor> DynExecutor for E {
    fn execute(&self, context: RequestContext, updater: TaskUpdater) -> BoxFuture<'_, Result<(), Error>> {
        Box::pin(AgentExecutor::execute(self, context, updater))
    }
    fn cancel(&self, task: Task, updater: TaskUpdater) -> BoxFuture<'_, Result<(), Error>> {
        Box::pin(AgentExecutor::cancel(self, task, updater))
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
    tasks: Arc<dyn DynTaskStore>,
    push_configs: Arc<dyn DynPushConfigStore>,
    registry: Arc<TaskRegistry>,
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
    tasks: Arc<dyn DynTaskStore>,
    push_configs: Arc<dyn DynPushConfigStore>,
    executor_timeout: Option<Duration>,
    stream_capacity: usize,
    version_policy: VersionPolicy,
}

impl RequestHandlerBuilder {
    /// Stores tasks in `store` instead of the default [`InMemoryTaskStore`].
    pub fn task_store(mut self, store: impl TaskStore) -> Self {
        self.tasks = Arc::new(store);
        self
    }

    /// Stores push configs in `store` instead of the default [`InMemoryPushConfigStore`].
    pub fn push_config_store(mut self, store: impl PushConfigStore) -> Self {
        self.push_configs = Arc::new(store);
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

    /// The card `GetExtendedAgentCard` returns (the public card must declare
    /// `extendedAgentCard`).
    pub fn extended_card(mut self, card: AgentCard) -> Self {
        self.extended_card = Some(card);
        self
    }

    /// How many events a subscriber may fall behind before its stream is
    /// ended with an error (default 1024). Events are kept only while someone
    /// listens.
    pub fn stream_capacity(mut self, capacity: usize) -> Self {
        self.stream_capacity = capacity;
        self
    }

    /// Which `A2A-Version` values are served (default: any `1.x`).
    pub fn version_policy(mut self, policy: VersionPolicy) -> Self {
        self.version_policy = policy;
        self
    }

    /// The handler.
    pub fn build(self) -> RequestHandler {
        let registry = TaskRegistry::new(Arc::clone(&self.tasks), self.stream_capacity);
        RequestHandler {
            inner: Arc::new(Inner {
                card: self.card,
                extended_card: self.extended_card,
                executor: self.executor,
                tasks: self.tasks,
                push_configs: self.push_configs,
                registry,
                executor_timeout: self.executor_timeout,
                version_policy: self.version_policy,
            }),
        }
    }
}

/// Keeps the newest `n` history messages (`None`: all; `0`: none).
fn trim_history(task: &mut Task, history_length: Option<i32>) {
    if let Some(n) = history_length {
        let keep = usize::try_from(n).unwrap_or(0);
        let len = task.history.len();
        if len > keep {
            task.history.drain(..len - keep);
        }
    }
}

fn check_history_length(field: &str, history_length: Option<i32>) -> Result<(), Error> {
    match history_length {
        Some(n) if n < 0 => Err(Error::invalid_field(
            field,
            format!("must not be negative, got {n}"),
        )),
        _ => Ok(()),
    }
}

/// Whether a streamed event ends a `SendStreamingMessage` stream.
fn ends_send_stream(event: &StreamResponse) -> bool {
    match event {
        StreamResponse::Message(_) => true,
        // A snapshot opens the stream of a follow-up to an interrupted task:
        // only a terminal one ends it; the run's own updates decide.
        StreamResponse::Task(task) => task.status.state.is_terminal(),
        StreamResponse::StatusUpdate(update) => {
            update.status.state.is_terminal() || update.status.state.is_interrupted()
        }
        StreamResponse::ArtifactUpdate(_) => false,
    }
}

/// Whether a streamed event ends a `SubscribeToTask` stream.
fn ends_subscription(event: &StreamResponse) -> bool {
    match event {
        StreamResponse::Message(_) => true,
        StreamResponse::Task(task) => task.status.state.is_terminal(),
        StreamResponse::StatusUpdate(update) => update.status.state.is_terminal(),
        StreamResponse::ArtifactUpdate(_) => false,
    }
}

fn lagged(skipped: u64) -> Error {
    Error::internal(format!(
        "this stream fell {skipped} events behind the task and was closed; subscribe again for a fresh snapshot"
    ))
}

/// Ends a run that was marked started but never spawned (an error or a
/// dropped request in between), so the task does not stay "still working".
struct RunStart<'a> {
    handle: &'a HandleRef,
    armed: bool,
}

impl Drop for RunStart<'_> {
    fn drop(&mut self) {
        if self.armed {
            self.handle.end_run(None);
        }
    }
}

/// A message accepted for a run: the task it belongs to and what the executor gets.
struct Accepted {
    handle: HandleRef,
    context: RequestContext,
    updater: TaskUpdater,
    /// The task as stored before the run, `None` for a new task.
    existing: Option<Task>,
}

impl RequestHandler {
    /// Starts a handler for the agent described by `card`, run by `executor`,
    /// on in-memory stores.
    pub fn builder(card: AgentCard, executor: impl AgentExecutor) -> RequestHandlerBuilder {
        RequestHandlerBuilder {
            card,
            extended_card: None,
            executor: Arc::new(executor),
            tasks: Arc::new(InMemoryTaskStore::new()),
            push_configs: Arc::new(InMemoryPushConfigStore::new()),
            executor_timeout: Some(Duration::from_secs(600)),
            stream_capacity: 1024,
            version_policy: VersionPolicy::default(),
        }
    }

    /// The public agent card.
    pub fn card(&self) -> &AgentCard {
        &self.inner.card
    }

    /// How many tasks are live in memory now: running, or followed by a
    /// stream. Finished tasks nobody follows live only in the store.
    pub fn live_tasks(&self) -> usize {
        self.inner.registry.live()
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

    /// Reads a stored task the caller may see.
    async fn visible_task(&self, call: &CallContext, id: &str) -> Result<Task, Error> {
        let key = TaskKey::new(&call.tenant, id);
        match self.inner.tasks.get(&key).await? {
            Some(stored) if stored.owner == call.owner() => Ok(stored.task),
            _ => Err(Error::task_not_found(id)),
        }
    }

    /// Opens the live handle of a task the caller may see.
    async fn visible_handle(&self, call: &CallContext, id: &str) -> Result<(HandleRef, Task), Error> {
        let key = TaskKey::new(&call.tenant, id);
        match self.inner.registry.open(&key).await? {
            Some((handle, task, owner)) if owner == call.owner() => Ok((handle, task)),
            _ => Err(Error::task_not_found(id)),
        }
    }

    /// Validates a message and ties it to a new or existing task.
    async fn accept(&self, call: &CallContext, request: SendMessageRequest) -> Result<Accepted, Error> {
        self.check_call(call)?;
        let SendMessageRequest {
            message,
            configuration,
            metadata,
            ..
        } = request;
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
        if let Some(config) = &configuration {
            check_history_length("configuration.historyLength", config.history_length)?;
            if config.task_push_notification_config.is_some() {
                self.check_push()?;
            }
        }
        let mut message = message;
        let (handle, existing) = if message.task_id.is_empty() {
            let task_id = uuid::Uuid::new_v4().to_string();
            if message.context_id.is_empty() {
                message.context_id = uuid::Uuid::new_v4().to_string();
            }
            message.task_id = task_id.clone();
            let mut task = Task::new(
                &task_id,
                &message.context_id,
                TaskStatus::new(TaskState::Submitted),
            );
            task.history.push(message.clone());
            let handle =
                self.inner
                    .registry
                    .new_task(TaskKey::new(&call.tenant, &task_id), call.owner(), task);
            (handle, None)
        } else {
            let (handle, task) = self.visible_handle(call, &message.task_id).await?;
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
            (handle, Some(task))
        };
        if !handle.try_start_run() {
            return Err(Error::unsupported_operation(format!(
                "task {} is still working on an earlier message",
                message.task_id
            )));
        }
        // Until the run is handed to `spawn_run`, a failure or a dropped
        // request must not leave the task marked as running.
        let mut starting = RunStart {
            handle: &handle,
            armed: true,
        };
        if let Some(config) = configuration
            .as_ref()
            .and_then(|c| c.task_push_notification_config.as_ref())
        {
            // Stored before the run starts, so that the run's first events are delivered.
            let mut config = config.clone();
            if config.url.is_empty() {
                return Err(Error::invalid_field(
                    "configuration.taskPushNotificationConfig.url",
                    "must not be empty",
                ));
            }
            config.task_id.clone_from(&message.task_id);
            config.tenant.clone_from(&call.tenant);
            if config.id.is_empty() {
                config.id = uuid::Uuid::new_v4().to_string();
            }
            self.inner.push_configs.save(&call.tenant, &config).await?;
        }
        let existing = match existing {
            Some(_) => Some(handle.record_message(message.clone()).await?),
            None => None,
        };
        starting.armed = false;
        drop(starting);
        let updater = TaskUpdater {
            handle: HandleRef::clone_use(&handle),
            task_id: message.task_id.clone(),
            context_id: message.context_id.clone(),
        };
        let context = RequestContext {
            task_id: message.task_id.clone(),
            context_id: message.context_id.clone(),
            task: existing.as_ref().map(|task| {
                let mut before = task.clone();
                before.history.pop();
                before
            }),
            message,
            configuration,
            metadata,
            call: call.clone(),
            canceled: handle.cancel_signal(),
        };
        Ok(Accepted {
            handle,
            context,
            updater,
            existing,
        })
    }

    /// Runs the executor for an accepted message in its own task: a client
    /// going away never stops it, and an error, a panic or the timeout fails
    /// the task instead of the server.
    fn spawn_run(&self, accepted: Accepted) -> HandleRef {
        let Accepted {
            handle,
            context,
            updater,
            ..
        } = accepted;
        let inner = Arc::clone(&self.inner);
        let run_handle = HandleRef::clone_use(&handle);
        tokio::spawn(async move {
            let task_id = context.task_id.clone();
            let tenant = context.call.tenant.clone();
            let run = AssertUnwindSafe(inner.executor.execute(context, updater.clone())).catch_unwind();
            let outcome = match inner.executor_timeout {
                Some(limit) => tokio::time::timeout(limit, run)
                    .await
                    .map_err(|_| Error::internal(format!("the agent did not finish within {limit:?}"))),
                None => Ok(run.await),
            };
            let error = match outcome {
                Ok(Ok(Ok(()))) => None,
                Ok(Ok(Err(err))) => Some(err),
                Ok(Err(panic)) => {
                    let what = panic
                        .downcast_ref::<&str>()
                        .map(|s| (*s).to_owned())
                        .or_else(|| panic.downcast_ref::<String>().cloned())
                        .unwrap_or_else(|| "unknown cause".to_owned());
                    Some(Error::internal(format!("the agent panicked: {what}")))
                }
                Err(timeout) => Some(timeout),
            };
            let mut report = None;
            if let Some(err) = error {
                tracing::warn!(task_id = %task_id, error = %err, "agent run failed");
                if run_handle.exists().await {
                    let unfinished = run_handle
                        .current()
                        .await
                        .is_some_and(|t| !t.status.state.is_terminal());
                    if unfinished {
                        let reason = updater.message(format!("The agent failed: {err}"));
                        if let Err(fail_err) = updater.fail(reason).await {
                            tracing::warn!(task_id = %task_id, error = %fail_err, "could not mark the task failed");
                        }
                    }
                } else {
                    report = Some(err);
                }
            }
            // A task that never came to exist (a direct reply, or an error
            // first) leaves no push configs behind.
            if !run_handle.exists().await {
                if let Err(err) = inner.push_configs.delete_task(&tenant, &task_id).await {
                    tracing::warn!(task_id = %task_id, error = %err, "could not drop the push configs of an unborn task");
                }
            }
            run_handle.end_run(report);
        });
        handle
    }

    /// `SendMessage`: runs the agent on a message and answers with the task
    /// once it is finished or interrupted (or at once with
    /// `returnImmediately`), or with the agent's direct message.
    pub async fn send_message(
        &self,
        call: &CallContext,
        request: SendMessageRequest,
    ) -> Result<SendMessageResponse, Error> {
        let config = request.configuration.clone().unwrap_or_default();
        let accepted = self.accept(call, request).await?;
        let existing = accepted.existing.is_some();
        // Waits for milestones, not for every event: a blocking send costs no
        // event traffic when nobody else listens.
        let mut progress = accepted.handle.progress();
        let start = progress.borrow_and_update().clone();
        let handle = self.spawn_run(accepted);
        if config.return_immediately && existing {
            return self.task_response(&handle, config.history_length).await;
        }
        let outcome = progress
            .wait_for(|p| {
                p.reply.is_some()
                    || p.runs_ended > start.runs_ended
                    || p.settled > start.settled
                    || (config.return_immediately && p.created)
            })
            .await
            .map(|p| {
                (
                    p.reply.clone(),
                    (p.runs_ended > start.runs_ended)
                        .then(|| p.run_error.clone())
                        .flatten(),
                )
            });
        match outcome {
            Ok((Some(reply), _)) => {
                if let StreamResponse::Message(message) = reply.as_ref() {
                    return Ok(SendMessageResponse::Message(message.clone()));
                }
            }
            Ok((None, Some(err))) => return Err(err),
            _ => {}
        }
        self.task_response(&handle, config.history_length).await
    }

    async fn task_response(
        &self,
        handle: &HandleRef,
        history_length: Option<i32>,
    ) -> Result<SendMessageResponse, Error> {
        let mut task = handle.current().await.ok_or_else(|| {
            Error::invalid_agent_response("the agent ended without answering or creating a task")
        })?;
        trim_history(&mut task, history_length);
        Ok(SendMessageResponse::Task(task))
    }

    /// `SendStreamingMessage`: runs the agent and streams the task (or the
    /// direct message) followed by every update, until the task is finished
    /// or interrupted.
    pub async fn send_streaming_message(
        &self,
        call: &CallContext,
        request: SendMessageRequest,
    ) -> Result<EventStream, Error> {
        self.check_streaming()?;
        let accepted = self.accept(call, request).await?;
        let first = accepted
            .existing
            .clone()
            .map(|task| Arc::new(StreamResponse::Task(task)));
        let rx = accepted.handle.listen();
        let handle = self.spawn_run(accepted);
        Ok(event_stream(handle, first, rx, ends_send_stream, true))
    }

    /// `GetTask`.
    pub async fn get_task(&self, call: &CallContext, request: GetTaskRequest) -> Result<Task, Error> {
        self.check_call(call)?;
        check_history_length("historyLength", request.history_length)?;
        let mut task = self.visible_task(call, &request.id).await?;
        trim_history(&mut task, request.history_length);
        Ok(task)
    }

    /// `ListTasks`: the caller's tasks, newest status first, one page at a time.
    pub async fn list_tasks(
        &self,
        call: &CallContext,
        request: ListTasksRequest,
    ) -> Result<ListTasksResponse, Error> {
        self.check_call(call)?;
        check_history_length("historyLength", request.history_length)?;
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
        };
        let page = self.inner.tasks.list(&query).await?;
        let include_artifacts = request.include_artifacts.unwrap_or(false);
        let tasks = page
            .tasks
            .into_iter()
            .map(|mut task| {
                trim_history(&mut task, request.history_length);
                if !include_artifacts {
                    task.artifacts.clear();
                }
                task
            })
            .collect();
        Ok(ListTasksResponse {
            tasks,
            next_page_token: page.next_page_token,
            page_size,
            total_size: i32::try_from(page.total_size).unwrap_or(i32::MAX),
        })
    }

    /// `CancelTask`: asks the agent to stop, and answers with the task as it is
    /// then. An error from [`AgentExecutor::cancel`] is the caller's answer
    /// (the task is left as it is); otherwise the task ends `Canceled` and a
    /// running `execute` sees [`RequestContext::is_canceled`].
    pub async fn cancel_task(&self, call: &CallContext, request: CancelTaskRequest) -> Result<Task, Error> {
        self.check_call(call)?;
        let (handle, task) = self.visible_handle(call, &request.id).await?;
        if task.status.state.is_terminal() {
            return Err(Error::task_not_cancelable(
                &task.id,
                format_args!("it is already {}", task.status.state),
            ));
        }
        let updater = TaskUpdater {
            handle: HandleRef::clone_use(&handle),
            task_id: task.id.clone(),
            context_id: task.context_id.clone(),
        };
        // The agent may refuse (e.g. TaskNotCancelableError for work it cannot stop now).
        self.inner.executor.cancel(task.clone(), updater.clone()).await?;
        handle.signal_canceled();
        let current = handle.current().await.unwrap_or(task);
        if current.status.state.is_terminal() {
            return Ok(current);
        }
        // The agent accepted but did not move the task: it is canceled all the same.
        updater.cancel().await?;
        handle
            .current()
            .await
            .ok_or_else(|| Error::task_not_found(&request.id))
    }

    /// `SubscribeToTask`: the task now, then every update until it finishes.
    pub async fn subscribe_to_task(
        &self,
        call: &CallContext,
        request: SubscribeToTaskRequest,
    ) -> Result<EventStream, Error> {
        self.check_streaming()?;
        self.check_call(call)?;
        let (handle, _) = self.visible_handle(call, &request.id).await?;
        let (task, rx) = handle
            .subscribe()
            .await
            .ok_or_else(|| Error::task_not_found(&request.id))?;
        if task.status.state.is_terminal() {
            return Err(Error::unsupported_operation(format!(
                "task {} is already {}; use GetTask to read it",
                task.id, task.status.state
            )));
        }
        let first = Some(Arc::new(StreamResponse::Task(task)));
        Ok(event_stream(handle, first, rx, ends_subscription, false))
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
        self.visible_task(call, &config.task_id).await?;
        if config.id.is_empty() {
            config.id = uuid::Uuid::new_v4().to_string();
        }
        config.tenant.clone_from(&call.tenant);
        self.inner.push_configs.save(&call.tenant, &config).await?;
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
        self.visible_task(call, &request.task_id).await?;
        self.inner
            .push_configs
            .get(&call.tenant, &request.task_id, &request.id)
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
        self.visible_task(call, &request.task_id).await?;
        let configs = self
            .inner
            .push_configs
            .list(&call.tenant, &request.task_id)
            .await?;
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
        self.visible_task(call, &request.task_id).await?;
        self.inner
            .push_configs
            .delete(&call.tenant, &request.task_id, &request.id)
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

/// Builds the stream of one streaming call: `first` (a snapshot), then the
/// bus events until `ends` says the last one passed. It holds its handle so
/// that the task stays live while anyone listens.
fn event_stream(
    handle: HandleRef,
    first: Option<Arc<StreamResponse>>,
    rx: Listener,
    ends: fn(&StreamResponse) -> bool,
    end_with_run: bool,
) -> EventStream {
    struct State {
        _handle: HandleRef,
        first: Option<Arc<StreamResponse>>,
        rx: Listener,
        done: bool,
    }
    let state = State {
        _handle: handle,
        first,
        rx,
        done: false,
    };
    Box::pin(futures_util::stream::unfold(state, move |mut state| async move {
        if state.done {
            return None;
        }
        if let Some(first) = state.first.take() {
            state.done = ends(&first);
            return Some((Ok(first), state));
        }
        loop {
            match state.rx.recv().await {
                Ok(BusItem::Event(event)) => {
                    state.done = ends(&event);
                    return Some((Ok(event), state));
                }
                Ok(BusItem::Ended(Some(err))) if end_with_run => {
                    state.done = true;
                    return Some((Err(err), state));
                }
                Ok(BusItem::Ended(_)) if end_with_run => return None,
                Ok(BusItem::Ended(_)) => {}
                Err(skipped) => {
                    state.done = true;
                    return Some((Err(lagged(skipped)), state));
                }
            }
        }
    }))
}
