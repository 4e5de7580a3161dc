//! Keeping a stream whole across broken connections.
//!
//! A streaming call is over after a message, a terminal state, or (for
//! `SendStreamingMessage`) an interrupted one. A connection that ends before
//! that does not end the task, only our view of it, so reporting it as a
//! normal end would make the caller believe it saw everything. Instead the
//! stream is resumed with `SubscribeToTask` from the last event id, events
//! already yielded are dropped, and the rest is spliced into the same
//! stream. When that cannot be done exactly, the stream ends with a
//! `Connect` error naming the task (`taskId`) and how far it got
//! (`lastEventId`), so the caller can resume later or fetch the task.

use std::sync::Arc;
use std::time::Duration;

use super::stream::{ClientStream, StreamEvent};
use super::transport::{Call, Transport};
use crate::types::{StreamResponse, SubscribeToTaskRequest};
use crate::{Error, ErrorKind};

/// Resumes in a row that bring no new event before giving up.
const ATTEMPTS: u32 = 3;
/// The wait before the first resume; it doubles with each further one.
const BACKOFF: Duration = Duration::from_millis(100);
/// How long to wait, after the event that ends a stream, for a final task
/// snapshot; agents that close promptly end the stream at once.
const SNAPSHOT_GRACE: Duration = Duration::from_secs(1);

/// Which call a stream answers; it decides which events end the stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Op {
    /// `SendStreamingMessage`: ends after a terminal or interrupted state.
    Send,
    /// `SubscribeToTask`: ends after a terminal state only (an agent may keep
    /// it open through AUTH_REQUIRED while a credential arrives out of band).
    Subscribe,
}

/// What to do with a broken stream whose events carried no ids.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum WithoutIds {
    /// The wire has no ids (gRPC): subscribe afresh; the agent sends a task
    /// snapshot, then live events.
    Resubscribe,
    /// The wire can carry ids but the agent sent none: it cannot resume
    /// without a gap, so the stream fails.
    Fail,
}

/// Where a followed stream stands when it starts.
pub(crate) struct Origin {
    pub(crate) op: Op,
    /// The task, when known before the first event (a subscription).
    pub(crate) task_id: Option<String>,
    pub(crate) tenant: String,
    /// The id the caller has already seen (a resumed subscription).
    pub(crate) last_seen: Option<u64>,
}

/// Follows `first` to its normal end, resuming it when the connection ends early.
pub(crate) fn follow(
    transport: Arc<dyn Transport>,
    without_ids: WithoutIds,
    origin: Origin,
    first: ClientStream,
) -> ClientStream {
    let follower = Follower {
        transport,
        current: first,
        op: origin.op,
        without_ids,
        task_id: origin.task_id,
        tenant: origin.tenant,
        last_id: origin.last_seen,
        delivered: false,
        interrupted: false,
        failures: 0,
        phase: Phase::Live,
    };
    let events = futures_util::stream::unfold(follower, |mut follower| async move {
        let item = follower.step().await?;
        Some((item, follower))
    });
    ClientStream::from_events(events).starting_after(origin.last_seen)
}

enum Phase {
    /// Reading events.
    Live,
    /// The event that ends the stream was yielded; a final task snapshot may follow.
    Closing,
    Done,
}

/// What a resume came to.
enum Resume {
    /// A new connection reads on.
    Resumed,
    /// The stream ends normally after all.
    Ends,
    /// The stream ends with this error.
    Fails(Error),
}

struct Follower {
    transport: Arc<dyn Transport>,
    current: ClientStream,
    op: Op,
    without_ids: WithoutIds,
    task_id: Option<String>,
    tenant: String,
    last_id: Option<u64>,
    /// Whether any event was yielded.
    delivered: bool,
    /// Whether the last state seen was INPUT_REQUIRED or AUTH_REQUIRED.
    interrupted: bool,
    /// Resumes since the last new event.
    failures: u32,
    phase: Phase,
}

impl Follower {
    async fn step(&mut self) -> Option<Result<StreamEvent, Error>> {
        loop {
            match self.phase {
                Phase::Live => {}
                Phase::Done => return None,
                Phase::Closing => {
                    self.phase = Phase::Done;
                    // Only a task snapshot may follow the last event; anything
                    // else, a break, or silence ends the stream.
                    let next = tokio::time::timeout(SNAPSHOT_GRACE, self.current.next_event()).await;
                    return match next {
                        Ok(Some(Ok(event))) if matches!(event.response, StreamResponse::Task(_)) => {
                            Some(Ok(event))
                        }
                        _ => None,
                    };
                }
            }
            match self.current.next_event().await {
                Some(Ok(event)) => {
                    if !self.already_seen(&event) {
                        self.note(&event);
                        return Some(Ok(event));
                    }
                }
                // An error the agent sent is the stream's answer; `Connect` is
                // the body breaking off, which is the connection's doing.
                Some(Err(err)) if err.kind() != ErrorKind::Connect => {
                    self.phase = Phase::Done;
                    return Some(Err(err));
                }
                broken => match self.resume(broken.and_then(Result::err)).await {
                    Resume::Resumed => {}
                    Resume::Ends => {
                        self.phase = Phase::Done;
                        return None;
                    }
                    Resume::Fails(err) => {
                        self.phase = Phase::Done;
                        return Some(Err(err));
                    }
                },
            }
        }
    }

    /// Whether the event was yielded before (a resumed stream replaying).
    /// A task snapshot never counts: it is the whole state, not an update
    /// that would apply twice, and it is how an agent that lost the events
    /// in between tells what they changed.
    fn already_seen(&self, event: &StreamEvent) -> bool {
        if matches!(event.response, StreamResponse::Task(_)) {
            return false;
        }
        matches!((event.id, self.last_id), (Some(id), Some(last)) if id <= last)
    }

    /// Records a yielded event: its id, its task, whether it ends the stream.
    fn note(&mut self, event: &StreamEvent) {
        self.last_id = match event.id {
            Some(id) => Some(self.last_id.map_or(id, |last| last.max(id))),
            // Past an event without an id (gRPC), the last id no longer says
            // how far the stream got: resuming from it would repeat events.
            None => None,
        };
        self.delivered = true;
        self.failures = 0;
        let (task_id, state) = match &event.response {
            StreamResponse::Message(_) => {
                self.phase = Phase::Done;
                return;
            }
            StreamResponse::Task(task) => {
                if task.status.state.is_terminal() {
                    self.phase = Phase::Done;
                }
                (&task.id, Some(task.status.state))
            }
            StreamResponse::StatusUpdate(update) => {
                let state = update.status.state;
                if state.is_terminal() || (self.op == Op::Send && state.is_interrupted()) {
                    self.phase = Phase::Closing;
                }
                (&update.task_id, Some(state))
            }
            StreamResponse::ArtifactUpdate(update) => (&update.task_id, None),
        };
        if self.task_id.is_none() && !task_id.is_empty() {
            self.task_id = Some(task_id.clone());
        }
        if let Some(state) = state {
            self.interrupted = state.is_interrupted();
        }
    }

    /// Picks the stream up after its connection ended (`cause`, if it broke).
    async fn resume(&mut self, mut cause: Option<Error>) -> Resume {
        // An agent may close at an interrupted state (spec §11.7); then only
        // an exact resume is worth trying, and without ids the end is normal.
        if self.interrupted && self.last_id.is_none() {
            return Resume::Ends;
        }
        let Some(task_id) = self.task_id.clone() else {
            return Resume::Fails(self.broken("the agent had not named the task yet", cause));
        };
        // Without an id, resuming means subscribing afresh. That is exact
        // while nothing was yielded, and the documented fallback where the
        // wire has no ids (gRPC); elsewhere it would repeat or skip events.
        if self.last_id.is_none() && self.delivered && self.without_ids == WithoutIds::Fail {
            let why = "the agent sent no event ids, so it cannot resume without a gap";
            return Resume::Fails(self.broken(why, cause));
        }
        while self.failures < ATTEMPTS {
            self.failures += 1;
            tokio::time::sleep(BACKOFF * 2u32.pow(self.failures - 1)).await;
            let mut request = SubscribeToTaskRequest::new(task_id.clone());
            request.tenant.clone_from(&self.tenant);
            let opened = match self.last_id {
                Some(last) => self.transport.subscribe_from(request, last).await,
                None => self.transport.stream(Call::SubscribeToTask(request)).await,
            };
            match opened {
                Ok(stream) => {
                    self.current = stream;
                    return Resume::Resumed;
                }
                Err(err) if matches!(err.kind(), ErrorKind::Connect | ErrorKind::Timeout) => {
                    cause = Some(err);
                }
                // The agent answered, and no: asking again changes nothing.
                Err(err) => return Resume::Fails(self.broken("the agent refused to resume it", Some(err))),
            }
        }
        let why = format!("{ATTEMPTS} attempts in a row to resume it brought nothing new");
        Resume::Fails(self.broken(why, cause))
    }

    /// The error a stream ends with when it broke off and stays broken.
    fn broken(&self, why: impl std::fmt::Display, cause: Option<Error>) -> Error {
        let task = match &self.task_id {
            Some(id) => format!("the stream of task {id}"),
            None => "the stream".to_owned(),
        };
        let mut message = format!("{task} broke off: {why}");
        if let Some(cause) = cause {
            message.push_str(&format!(" ({cause})"));
        }
        let mut err = Error::new(ErrorKind::Connect, message);
        if let Some(id) = &self.task_id {
            err = err.with_metadata("taskId", id);
        }
        if let Some(last) = self.last_id {
            err = err.with_metadata("lastEventId", last.to_string());
        }
        err
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;

    use super::*;
    use crate::client::transport::Reply;
    use crate::types::{Task, TaskState, TaskStatus, TaskStatusUpdateEvent};

    type BoxFuture<'a, T> = std::pin::Pin<Box<dyn std::future::Future<Output = T> + Send + 'a>>;

    /// Answers each (re)subscription with the next scripted stream and
    /// records the id it resumed after (`None`: a fresh subscription).
    #[derive(Default)]
    struct Scripted {
        streams: Mutex<Vec<Vec<StreamEvent>>>,
        calls: Mutex<Vec<Option<u64>>>,
    }

    impl Scripted {
        fn next(&self, after: Option<u64>) -> BoxFuture<'_, Result<ClientStream, Error>> {
            self.calls.lock().unwrap().push(after);
            let events = self.streams.lock().unwrap().remove(0);
            Box::pin(async move {
                Ok(ClientStream::from_events(futures_util::stream::iter(
                    events.into_iter().map(Ok),
                )))
            })
        }
    }

    impl Transport for Scripted {
        fn call(&self, _: Call) -> BoxFuture<'_, Result<Reply, Error>> {
            unreachable!("streams only")
        }

        fn stream(&self, _: Call) -> BoxFuture<'_, Result<ClientStream, Error>> {
            self.next(None)
        }

        fn subscribe_from(
            &self,
            _: SubscribeToTaskRequest,
            last: u64,
        ) -> BoxFuture<'_, Result<ClientStream, Error>> {
            self.next(Some(last))
        }
    }

    fn task(state: TaskState) -> StreamEvent {
        StreamEvent::new(StreamResponse::Task(Task::new(
            "t1",
            "c1",
            TaskStatus::new(state),
        )))
    }

    fn status(state: TaskState) -> StreamEvent {
        StreamEvent::new(StreamResponse::StatusUpdate(TaskStatusUpdateEvent::new(
            "t1",
            "c1",
            TaskStatus::new(state),
        )))
    }

    /// Follows `first` as a subscription to t1 and returns what it yields and the resumes it made.
    async fn run(
        last_seen: Option<u64>,
        first: Vec<StreamEvent>,
        then: Vec<Vec<StreamEvent>>,
        without_ids: WithoutIds,
    ) -> (Vec<Result<StreamEvent, Error>>, Vec<Option<u64>>) {
        let script = Arc::new(Scripted::default());
        *script.streams.lock().unwrap() = then;
        let origin = Origin {
            op: Op::Subscribe,
            task_id: Some("t1".into()),
            tenant: String::new(),
            last_seen,
        };
        let first = ClientStream::from_events(futures_util::stream::iter(first.into_iter().map(Ok)));
        let mut stream = follow(script.clone(), without_ids, origin, first);
        let mut items = Vec::new();
        while let Some(item) = stream.next_event().await {
            items.push(item);
        }
        let calls = script.calls.lock().unwrap().clone();
        (items, calls)
    }

    #[tokio::test]
    async fn without_ids_on_the_wire_a_broken_stream_resubscribes_and_keeps_the_snapshot() {
        let first = vec![task(TaskState::Working), status(TaskState::Working)];
        let again = vec![task(TaskState::Working), status(TaskState::Completed)];
        let (items, calls) = run(None, first, vec![again], WithoutIds::Resubscribe).await;
        assert_eq!(items.len(), 4, "{items:?}");
        assert!(items.iter().all(Result::is_ok));
        assert_eq!(calls, [None]);
    }

    #[tokio::test]
    async fn a_close_at_an_interrupted_state_without_ids_is_a_normal_end() {
        let (items, calls) = run(
            None,
            vec![task(TaskState::InputRequired)],
            Vec::new(),
            WithoutIds::Fail,
        )
        .await;
        assert_eq!(items.len(), 1);
        assert!(calls.is_empty());
    }

    #[tokio::test]
    async fn replayed_updates_are_dropped_but_snapshots_kept() {
        let first = vec![
            task(TaskState::Working).with_id(1),
            status(TaskState::Working).with_id(2),
        ];
        let replay = vec![
            status(TaskState::Working).with_id(2),
            task(TaskState::Working).with_id(2),
            status(TaskState::Completed).with_id(3),
        ];
        let (items, calls) = run(None, first, vec![replay], WithoutIds::Fail).await;
        let ids: Vec<_> = items.into_iter().map(|item| item.unwrap().id).collect();
        assert_eq!(ids, [Some(1), Some(2), Some(2), Some(3)]);
        assert_eq!(calls, [Some(2)]);
    }

    #[tokio::test]
    async fn an_event_without_an_id_makes_the_last_id_stale() {
        // A gRPC `subscribe_from(t1, 5)`: its events carry no ids.
        let first = vec![status(TaskState::Working)];
        let again = vec![task(TaskState::Working), status(TaskState::Completed)];
        let (items, calls) = run(Some(5), first, vec![again], WithoutIds::Resubscribe).await;
        assert_eq!(items.len(), 3, "{items:?}");
        assert_eq!(calls, [None]);
    }
}
