//! The handler's own life: whether it is ready to serve, and how it stops.

use std::time::Duration;

use super::RequestHandler;
use crate::server::store::{TaskKey, TaskView};
use crate::server::task::live::RunFailure;

/// How often a shutdown looks whether the runs it waits for have ended.
const POLL: Duration = Duration::from_millis(25);

impl RequestHandler {
    /// Whether the handler can serve: it is not shutting down and its store
    /// answers (a read of a task that does not exist, which every store can
    /// do, bounded by `within`). What a readiness probe asks.
    ///
    /// ```
    /// # async fn demo(handler: a2akit::server::RequestHandler) {
    /// use std::time::Duration;
    /// if let Err(why) = handler.ready(Duration::from_secs(2)).await {
    ///     eprintln!("not ready: {why}");
    /// }
    /// # }
    /// ```
    pub async fn ready(&self, within: Duration) -> Result<(), String> {
        if self.is_shutting_down() {
            return Err("shutting down".to_owned());
        }
        let probe = TaskKey::new("", "readiness-probe");
        let view = TaskView::FULL.history_length(Some(0)).include_artifacts(false);
        match tokio::time::timeout(within, self.store().get(&probe, view)).await {
            Ok(Ok(_)) => Ok(()),
            Ok(Err(err)) => {
                tracing::warn!(error = %err, "the store does not answer the readiness probe");
                Err("the task store is unavailable".to_owned())
            }
            Err(_) => Err(format!("the task store did not answer within {within:?}")),
        }
    }

    /// Whether [`shutdown`](Self::shutdown) has begun.
    pub fn is_shutting_down(&self) -> bool {
        self.inner.engine.is_closing()
    }

    /// Shuts the handler down, in this order:
    ///
    /// 1. Every open stream (`SendStreamingMessage`, `SubscribeToTask`)
    ///    ends at once, cleanly, after the events it already has: a client
    ///    resumes it with the last event id it saw, on another replica or
    ///    once this one is back.
    /// 2. Runs of the agent in this process get up to `grace` to finish.
    ///    Blocking `SendMessage` calls waiting on them answer as usual.
    /// 3. A run still going after that is ended: its task is failed with a
    ///    status message saying the server shut down, so that the store
    ///    holds a task that reports what happened (and a blocking caller
    ///    gets that task) instead of one that stays working forever. The
    ///    agent's `execute` future is not awaited further; the process
    ///    exiting drops it. Interrupted tasks (input or auth required) are
    ///    left as they are: they wait for the client, not for this process,
    ///    and a restarted agent on a durable store takes their answer.
    ///
    /// Returns how many runs it had to fail. Calling it again does no harm.
    /// [`serve_with_shutdown`](crate::server::http::serve_with_shutdown)
    /// calls it when its signal fires.
    pub async fn shutdown(&self, grace: Duration) -> usize {
        let engine = &self.inner.engine;
        engine.close();
        let deadline = tokio::time::Instant::now() + grace;
        while !engine.running().is_empty() && tokio::time::Instant::now() < deadline {
            tokio::time::sleep(POLL.min(grace)).await;
        }
        let mut failed = 0;
        for (live, generation) in engine.running() {
            tracing::warn!(task_id = %live.key.id, "failing a task still running at shutdown");
            live.end_run(generation, Some(RunFailure::ShutDown)).await;
            failed += 1;
        }
        failed
    }
}
