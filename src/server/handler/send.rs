//! `SendMessage` and `SendStreamingMessage`: a message accepted for a task,
//! and the run of the agent it starts.

use std::panic::AssertUnwindSafe;
use std::sync::Arc;

use futures_util::FutureExt as _;
use tokio::sync::oneshot;
use tracing::Instrument as _;

use super::{RequestHandler, check_history_length};
use crate::Error;
use crate::jsonrpc::Method;
use crate::server::call::CallContext;
use crate::server::detached::Detached;
use crate::server::executor::{RequestContext, RunToken, TaskUpdater};
use crate::server::follow::{EventStream, Follower, Until};
use crate::server::store::{TaskEvent, TaskKey, TaskView};
use crate::server::task::live::{LiveTask, RunFailure};
use crate::server::telemetry;
use crate::types::{
    Message, Role, SendMessageConfiguration, SendMessageRequest, SendMessageResponse, StreamResponse, Task,
    TaskState, TaskStatus,
};

/// A message accepted for a run: the task it belongs to and what the executor gets.
struct Accepted {
    /// What the caller waits on.
    started: Started,
    /// What the run gets.
    context: RequestContext,
    updater: TaskUpdater,
}

/// A run started for an accepted message, and what its caller waits on.
struct Started {
    live: Arc<LiveTask>,
    generation: u64,
    /// The task as the caller first sees it, when it sees the task before
    /// the agent answers (a stream, `returnImmediately`).
    snapshot: Option<TaskEvent>,
    /// The bus subscription of a streaming call, taken before the message was recorded.
    follower: Option<Follower>,
    /// The task's settle count before the run started.
    settles: u64,
    history: Option<usize>,
}

impl RequestHandler {
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
        // A part read from a newer client, with a kind of content this
        // version does not know: the agent could not read it either.
        if let Some(index) = message
            .parts
            .iter()
            .position(|part| matches!(part.content, crate::types::PartContent::Unrecognized))
        {
            return Err(Error::invalid_field(
                &format!("message.parts[{index}]"),
                "needs one of text, raw, url or data",
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
            self.inner
                .webhook_guard
                .check_config(push, "configuration.taskPushNotificationConfig.")?;
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
            follower = bus.map(|bus| Follower::new(live.key.clone(), engine, bus, sequence));
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
            follower = bus.map(|bus| Follower::new(live.key.clone(), engine, bus, sequence));
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
        telemetry::task_known(&context.task_id, &context.context_id);
        // Read before the run can move the task.
        let settles = live.progress().read(|p| p.settles);
        Ok(Accepted {
            started: Started {
                live,
                generation,
                snapshot,
                follower,
                settles,
                history,
            },
            context,
            updater,
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
        let (accepted_tx, accepted_rx) = oneshot::channel();
        let job = Detached::new(async move {
            let Accepted {
                started,
                context,
                updater,
            } = match handler.accept(&call, request, follow, seen).await {
                Ok(accepted) => accepted,
                Err(err) => {
                    let _ = accepted_tx.send(Err(err));
                    return;
                }
            };
            let _ = accepted_tx.send(Ok(started));
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
        let span = telemetry::run_span(&task_id, &context.context_id);
        self.inner.run_traces.remember(&updater.live.key, &span);
        let run = AssertUnwindSafe(self.inner.executor.execute(context, updater.clone()))
            .catch_unwind()
            .instrument(span);
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
        let operation = telemetry::operation(Method::SendMessage, call, &request.message.task_id);
        operation
            .run(async move {
                let return_immediately = request
                    .configuration
                    .as_ref()
                    .is_some_and(|c| c.return_immediately);
                let (mut job, accepted) = self.start(call, request, false, return_immediately);
                let Started {
                    live,
                    generation,
                    snapshot,
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
                let settled = live.progress().wait_for(|p| {
                    let reply = p.reply.as_ref().filter(|(g, _)| *g == generation);
                    let done = p.settles > settles || p.ended >= generation || reply.is_some();
                    done.then(|| {
                        let error = p.error.as_ref().filter(|(g, _)| *g == generation);
                        (reply.map(|(_, m)| m.clone()), error.map(|(_, e)| e.clone()))
                    })
                });
                match job.alongside(settled).await {
                    (Some(reply), _) => return Ok(SendMessageResponse::Message(reply)),
                    (None, Some(err)) => return Err(err),
                    _ => {}
                }
                let view = TaskView::FULL.history_length(history);
                Ok(SendMessageResponse::Task(
                    job.alongside(live.snapshot(view)).await.0,
                ))
            })
            .await
    }

    /// `SendStreamingMessage`: runs the agent and streams the task at once
    /// (as the request left it), then every update until the task is
    /// finished or interrupted.
    pub async fn send_streaming_message(
        &self,
        call: &CallContext,
        request: SendMessageRequest,
    ) -> Result<EventStream, Error> {
        let operation = telemetry::operation(Method::SendStreamingMessage, call, &request.message.task_id);
        operation
            .run(async move {
                self.check_streaming()?;
                // Counted before anything starts: a refused stream leaves no task.
                let permit = self.inner.limits.open_stream(call)?;
                let (mut job, accepted) = self.start(call, request, true, true);
                let Started {
                    snapshot, follower, ..
                } = job.alongside(accepted).await?;
                // The run goes on by itself; the stream follows it.
                drop(job);
                let follower =
                    follower.ok_or_else(|| Error::internal("a streaming call follows its task"))?;
                Ok(super::limits::holding(
                    follower.into_stream(snapshot, Until::Settled),
                    permit,
                    Method::SendStreamingMessage,
                ))
            })
            .await
    }
}
