//! Reading, cancelling and following tasks.

use std::panic::AssertUnwindSafe;
use std::sync::Arc;

use futures_util::FutureExt as _;

use super::limits;
use super::{RequestHandler, check_history_length, check_required, not_cancelable};
use crate::Error;
use crate::jsonrpc::Method;
use crate::server::call::CallContext;
use crate::server::executor::{CancelContext, TaskUpdater};
use crate::server::follow::{EventStream, Follower, Until};
use crate::server::store::{Sequence, TaskEvent, TaskKey, TaskQuery, TaskView};
use crate::server::task::live::LiveTask;
use crate::server::telemetry;
use crate::types::{
    CancelTaskRequest, GetTaskRequest, ListTasksRequest, ListTasksResponse, StreamResponse,
    SubscribeToTaskRequest, Task, TaskState,
};

impl RequestHandler {
    /// `GetTask`.
    pub async fn get_task(&self, call: &CallContext, request: GetTaskRequest) -> Result<Task, Error> {
        let operation = telemetry::operation(Method::GetTask, call, &request.id);
        operation
            .run(async move {
                self.check_call(call)?;
                check_required("id", &request.id)?;
                let history = check_history_length("historyLength", request.history_length)?;
                let view = TaskView::FULL.history_length(history);
                Ok(self.visible_task(call, &request.id, view).await?.0)
            })
            .await
    }

    /// `ListTasks`: the caller's tasks, newest status first, one page at a time.
    pub async fn list_tasks(
        &self,
        call: &CallContext,
        request: ListTasksRequest,
    ) -> Result<ListTasksResponse, Error> {
        let operation = telemetry::operation(Method::ListTasks, call, "");
        operation
            .run(async move {
                self.check_call(call)?;
                let history = check_history_length("historyLength", request.history_length)?;
                if let Some(state) = request.status.filter(|state| !state.is_known()) {
                    return Err(Error::invalid_field(
                        "status",
                        format!("{state} is not a task state this agent knows"),
                    ));
                }
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
            })
            .await
    }

    /// `CancelTask`: signals the running `execute` (if any), asks the agent
    /// to stop, and answers with the task, canceled. The cancel runs in its
    /// own task, so a caller that disconnects does not cut it short.
    ///
    /// A task that finishes in the meantime answers TaskNotCancelableError;
    /// an error from [`AgentExecutor::cancel`](crate::server::AgentExecutor::cancel) is the caller's answer (the
    /// task is left as it is); otherwise the task ends `Canceled`.
    pub async fn cancel_task(&self, call: &CallContext, request: CancelTaskRequest) -> Result<Task, Error> {
        let operation = telemetry::operation(Method::CancelTask, call, &request.id);
        operation
            .run(async move {
                self.check_call(call)?;
                check_required("id", &request.id)?;
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
            })
            .await
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
        let operation = telemetry::operation(Method::SubscribeToTask, call, &request.id);
        operation
            .run(async move {
                let permit = self.inner.limits.open_stream(call)?;
                let stream = self.subscribe(call, request, None).await?;
                Ok(limits::holding(stream, permit, Method::SubscribeToTask))
            })
            .await
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
        let operation = telemetry::operation(Method::SubscribeToTask, call, &request.id);
        operation
            .run(async move {
                let permit = self.inner.limits.open_stream(call)?;
                let stream = self.subscribe(call, request, Some(last_seen)).await?;
                Ok(limits::holding(stream, permit, Method::SubscribeToTask))
            })
            .await
    }

    async fn subscribe(
        &self,
        call: &CallContext,
        request: SubscribeToTaskRequest,
        last_seen: Option<Sequence>,
    ) -> Result<EventStream, Error> {
        self.check_streaming()?;
        self.check_call(call)?;
        check_required("id", &request.id)?;
        let engine = &self.inner.engine;
        let key = TaskKey::new(&call.tenant, &request.id);
        // Subscribed before reading, so that nothing after the read is missed.
        let bus = engine.bus.subscribe(&key);
        let (task, sequence) = self.visible_task(call, &request.id, TaskView::FULL).await?;
        if let Some(last_seen) = last_seen.filter(|n| *n <= sequence) {
            if let Some(events) = engine.store.events_after(&key, last_seen).await? {
                let mut follower = Follower::new(key, engine, bus, last_seen);
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
        let follower = Follower::new(key, engine, bus, sequence);
        Ok(follower.into_stream(Some(first), Until::Terminal))
    }
}
