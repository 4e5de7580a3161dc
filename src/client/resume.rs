//! Keeping a stream whole across broken connections.
//!
//! A streaming call is over after a message, a terminal state, or (for
//! `SendStreamingMessage`) a state where the task waits for the caller. A
//! connection that ends before that does not end the task, only our view of
//! it, so reporting it as a normal end would make the caller believe it saw
//! everything. Instead the stream is resumed and the rest spliced into the
//! same stream:
//!
//! - with the last event id (`SubscribeToTask` + `Last-Event-ID`, or the
//!   `a2a-last-event-id` metadata key), events already yielded are dropped:
//!   no gap, no repeat;
//! - without one (gRPC, or an agent that sends no SSE ids), by subscribing
//!   afresh: a task snapshot, then live events; the snapshot carries what
//!   the missed events changed;
//! - when the agent refuses a subscription because the task has finished,
//!   by reading it with `GetTask`: the finished task is the last event.
//!
//! A stream that stays silent past its idle timeout counts as broken. When
//! resuming cannot be done, the stream ends with an error of the kind of
//! the failure (`Connect` for a break, `Timeout` for silence) naming the
//! task (`taskId`) and how far it got (`lastEventId`), so the caller can
//! resume later or fetch the task.
//!
//! Resuming gives up after three resumes in a row that brought nothing new
//! (a snapshot or status update that only repeats the known status is not
//! new), and after [`MAX_RESUMES`] resumes in all (or what the factory
//! set): a peer that closes every stream it is asked for, after events that
//! look new, cannot keep a client resubscribing forever.
//!
//! Each resume asks the credential provider afresh, like any call: a token
//! that expired meanwhile is replaced, and one the agent refuses is
//! fetched anew once.

use std::sync::Arc;
use std::time::Duration;

use super::credentials::{CredentialBinding, authorized};
use super::stream::{ClientStream, StreamEvent};
use super::transport::{Call, Reply, ReplyMessage as _, Transport};
use crate::types::{
    GetTaskRequest, StreamResponse, SubscribeToTaskRequest, Task, TaskState, TaskStatus, json,
};
use crate::{Error, ErrorKind};

/// Resumes in a row that bring no new event before giving up.
const ATTEMPTS: u32 = 3;
/// Resumes of one stream in all, by default, before giving up.
pub(crate) const MAX_RESUMES: u32 = 100;
/// The wait before the first resume; it doubles with each further one.
const BACKOFF: Duration = Duration::from_millis(100);
/// How long to wait, after the event that ends a stream, for a final task
/// snapshot; agents that close promptly end the stream at once.
const SNAPSHOT_GRACE: Duration = Duration::from_secs(1);

/// Which call a stream answers; it decides which events end the stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Op {
    /// `SendStreamingMessage`: ends after a terminal state or INPUT_REQUIRED,
    /// or when the agent closes it at AUTH_REQUIRED.
    Send,
    /// `SubscribeToTask`: ends after a terminal state, or when the agent
    /// closes it at INPUT_REQUIRED. At AUTH_REQUIRED the task may go on
    /// once a credential arrives out of band, so the subscription follows
    /// it (spec §7.6).
    Subscribe,
}

/// What the wire says about event ids.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum WithoutIds {
    /// The wire has no ids (gRPC): resuming means a fresh subscription.
    Resubscribe,
    /// The wire can carry ids but the agent sent none: resuming also means
    /// a fresh subscription, and an error says why no exact resume was made.
    Missing,
}

/// How a client resumes its streams.
pub(crate) struct Settings {
    pub(crate) without_ids: WithoutIds,
    /// The client's credentials, asked afresh for each resume.
    pub(crate) credentials: Option<Arc<CredentialBinding>>,
    /// Resumes of one stream in all before giving up.
    pub(crate) max_resumes: u32,
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
    settings: Settings,
    origin: Origin,
    first: ClientStream,
) -> ClientStream {
    let follower = Follower {
        transport,
        credentials: settings.credentials,
        max_resumes: settings.max_resumes,
        resumes: 0,
        current: first,
        op: origin.op,
        without_ids: settings.without_ids,
        task_id: origin.task_id,
        tenant: origin.tenant,
        last_id: origin.last_seen,
        delivered: false,
        status: None,
        failures: 0,
        cause: None,
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
    /// The task had finished: this snapshot of it is the stream's last event.
    Finished(Box<StreamEvent>),
    /// The stream ends with this error.
    Fails(Error),
}

struct Follower {
    transport: Arc<dyn Transport>,
    credentials: Option<Arc<CredentialBinding>>,
    /// Resumes allowed in all, and made so far.
    max_resumes: u32,
    resumes: u32,
    current: ClientStream,
    op: Op,
    without_ids: WithoutIds,
    task_id: Option<String>,
    tenant: String,
    last_id: Option<u64>,
    /// Whether any event was yielded.
    delivered: bool,
    /// The task's status as the last event told it.
    status: Option<TaskStatus>,
    /// Resumes since the last event that brought something new.
    failures: u32,
    /// How the connection being resumed ended (`None`: it closed cleanly).
    cause: Option<Error>,
    phase: Phase,
}

/// The task as `GetTask` reads it now.
async fn fetch(
    transport: &Arc<dyn Transport>,
    credentials: Option<&CredentialBinding>,
    tenant: &str,
    task_id: &str,
) -> Result<Task, Error> {
    let mut request = GetTaskRequest::new(task_id);
    request.tenant = tenant.to_owned();
    let unreadable = || {
        Error::new(
            ErrorKind::InvalidResponse,
            "the agent answered GetTask with no task",
        )
    };
    let reply = authorized(credentials, || transport.call(Call::GetTask(request.clone()))).await?;
    match reply {
        Reply::Json(bytes) => json::from_slice(&bytes).map_err(|_| unreadable()),
        // The agent's error, if it answered with one, is the error.
        Reply::JsonRpc { body, id } => crate::client::transport::read_reply(&body, id),
        other => Task::from_reply(other).ok_or_else(unreadable),
    }
}

/// Whether a failure mid-stream is the connection's (it broke off, or went
/// silent past the idle timeout) rather than an answer of the agent's.
fn connection_failure(err: &Error) -> bool {
    matches!(err.kind(), ErrorKind::Connect | ErrorKind::Timeout)
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
                // An error the agent sent is the stream's answer.
                Some(Err(err)) if !connection_failure(&err) => {
                    self.phase = Phase::Done;
                    return Some(Err(err));
                }
                broken => {
                    self.cause = broken.and_then(Result::err);
                    match self.resume().await {
                        Resume::Resumed => {}
                        Resume::Ends => {
                            self.phase = Phase::Done;
                            return None;
                        }
                        Resume::Finished(event) => {
                            self.note(&event);
                            self.phase = Phase::Done;
                            return Some(Ok(*event));
                        }
                        Resume::Fails(err) => {
                            self.phase = Phase::Done;
                            return Some(Err(err));
                        }
                    }
                }
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
        // A snapshot or status update that repeats the status already known
        // is no progress: an agent that answers every resume with them and
        // closes again must not keep the stream resuming forever.
        let progress = match &event.response {
            StreamResponse::Task(task) => self.is_news(&task.status),
            StreamResponse::StatusUpdate(update) => self.is_news(&update.status),
            StreamResponse::ArtifactUpdate(_) | StreamResponse::Message(_) => true,
            StreamResponse::Unrecognized => false,
        };
        if progress {
            self.failures = 0;
        }
        let (task_id, status) = match &event.response {
            StreamResponse::Message(_) => {
                self.phase = Phase::Done;
                return;
            }
            StreamResponse::Task(task) => {
                if task.status.state.is_terminal() {
                    self.phase = Phase::Done;
                }
                (&task.id, Some(&task.status))
            }
            StreamResponse::StatusUpdate(update) => {
                let state = update.status.state;
                if state.is_terminal() || (self.op == Op::Send && state == TaskState::InputRequired) {
                    self.phase = Phase::Closing;
                }
                (&update.task_id, Some(&update.status))
            }
            StreamResponse::ArtifactUpdate(update) => (&update.task_id, None),
            // A kind of event from a newer protocol: delivered, and otherwise
            // changes nothing here.
            StreamResponse::Unrecognized => return,
        };
        if self.task_id.is_none() && !task_id.is_empty() {
            self.task_id = Some(task_id.clone());
        }
        if let Some(status) = status {
            self.status = Some(status.clone());
        }
    }

    /// Whether `status` tells something the last known status did not: its
    /// state or its message (a new timestamp alone is no news).
    fn is_news(&self, status: &TaskStatus) -> bool {
        self.status
            .as_ref()
            .is_none_or(|known| known.state != status.state || known.message != status.message)
    }

    /// Whether the stream may end at `state` when the agent closes it
    /// there: the task waits for the caller (spec §11.7), except that a
    /// subscription follows a task through AUTH_REQUIRED (spec §7.6.2).
    fn may_end_at(&self, state: TaskState) -> bool {
        state.is_terminal()
            || state == TaskState::InputRequired
            || (state == TaskState::AuthRequired && self.op == Op::Send)
    }

    /// Picks the stream up after its connection ended (`self.cause` says how).
    async fn resume(&mut self) -> Resume {
        let state = self.status.as_ref().map(|status| status.state);
        if self.cause.is_none() && state.is_some_and(|state| self.may_end_at(state)) {
            return Resume::Ends;
        }
        let Some(task_id) = self.task_id.clone() else {
            return Resume::Fails(self.broken("the agent had not named the task yet", None));
        };
        // Without an id, resuming means subscribing afresh: exact while
        // nothing was yielded; afterwards the snapshot stands for the events
        // missed in between.
        let gap = self.last_id.is_none() && self.delivered && self.without_ids == WithoutIds::Missing;
        let why = |what: &str| match gap {
            true => format!("the agent sent no event ids, and following the task afresh failed: {what}"),
            false => what.to_owned(),
        };
        let mut last_failure = None;
        while self.failures < ATTEMPTS {
            if self.resumes >= self.max_resumes {
                let what = format!("it was resumed {} times, the most a stream is", self.max_resumes);
                return Resume::Fails(self.broken(why(&what), last_failure));
            }
            self.resumes += 1;
            self.failures += 1;
            tokio::time::sleep(BACKOFF * 2u32.pow(self.failures - 1)).await;
            let mut request = SubscribeToTaskRequest::new(task_id.clone());
            request.tenant.clone_from(&self.tenant);
            let (transport, last_id) = (&self.transport, self.last_id);
            let opened = authorized(self.credentials.as_deref(), || {
                let request = request.clone();
                async move {
                    match last_id {
                        Some(last) => transport.subscribe_from(request, last).await,
                        None => transport.stream(Call::SubscribeToTask(request)).await,
                    }
                }
            })
            .await;
            match opened {
                Ok(stream) => {
                    self.current = stream;
                    return Resume::Resumed;
                }
                Err(err) if connection_failure(&err) => last_failure = Some(err),
                // How agents refuse to follow a task that has finished.
                Err(err) if err.kind() == ErrorKind::UnsupportedOperation => {
                    let credentials = self.credentials.as_deref();
                    return match fetch(&self.transport, credentials, &self.tenant, &task_id).await {
                        Ok(task) if self.may_end_at(task.status.state) => {
                            Resume::Finished(Box::new(StreamEvent::new(StreamResponse::Task(task))))
                        }
                        _ => Resume::Fails(self.broken(why("the agent refused to resume it"), Some(err))),
                    };
                }
                // The agent answered, and no: asking again changes nothing.
                Err(err) => {
                    return Resume::Fails(self.broken(why("the agent refused to resume it"), Some(err)));
                }
            }
        }
        let what = format!("{ATTEMPTS} attempts in a row to resume it brought nothing new");
        Resume::Fails(self.broken(why(&what), last_failure))
    }

    /// The error a stream ends with when it broke off (or went silent) and
    /// stays broken: of the kind of that first failure, saying what it was
    /// and why resuming failed (`later`: the failure of the last attempt).
    fn broken(&self, why: impl std::fmt::Display, later: Option<Error>) -> Error {
        let task = match &self.task_id {
            Some(id) => format!("the stream of task {id}"),
            None => "the stream".to_owned(),
        };
        let (kind, how) = match &self.cause {
            Some(cause) if cause.kind() == ErrorKind::Timeout => (ErrorKind::Timeout, cause.to_string()),
            Some(cause) => (ErrorKind::Connect, cause.to_string()),
            None => (ErrorKind::Connect, "the agent closed it".to_owned()),
        };
        let mut message = format!("{task} ended early ({how}) and could not be resumed: {why}");
        if let Some(later) = later {
            message.push_str(&format!(" ({later})"));
        }
        let mut err = Error::new(kind, message);
        if let Some(cause) = &self.cause {
            err = err.with_source(cause.clone());
        }
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
    use crate::types::{TaskState, TaskStatus, TaskStatusUpdateEvent};

    type BoxFuture<'a, T> = std::pin::Pin<Box<dyn std::future::Future<Output = T> + Send + 'a>>;

    /// One scripted stream: its items, errors included.
    type Script = Vec<Result<StreamEvent, Error>>;

    /// Answers each (re)subscription with the next scripted answer, records
    /// the id it resumed after (`None`: a fresh subscription), and answers
    /// `GetTask` with `task`.
    #[derive(Default)]
    struct Scripted {
        streams: Mutex<Vec<Result<Script, Error>>>,
        calls: Mutex<Vec<Option<u64>>>,
        task: Mutex<Option<Task>>,
    }

    impl Scripted {
        fn next(&self, after: Option<u64>) -> BoxFuture<'_, Result<ClientStream, Error>> {
            self.calls.lock().unwrap().push(after);
            let answer = self.streams.lock().unwrap().remove(0);
            Box::pin(async move {
                answer.map(|items| ClientStream::from_events(futures_util::stream::iter(items)))
            })
        }
    }

    impl Transport for Scripted {
        fn call(&self, call: Call) -> BoxFuture<'_, Result<Reply, Error>> {
            assert!(matches!(call, Call::GetTask(_)), "{call:?}");
            let task = self.task.lock().unwrap().clone();
            Box::pin(async move { task.map(Reply::Task).ok_or_else(|| Error::task_not_found("t1")) })
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

    fn snapshot(state: TaskState) -> Task {
        Task::new("t1", "c1", TaskStatus::new(state))
    }

    fn task(state: TaskState) -> StreamEvent {
        StreamEvent::new(StreamResponse::Task(snapshot(state)))
    }

    fn status(state: TaskState) -> StreamEvent {
        StreamEvent::new(StreamResponse::StatusUpdate(TaskStatusUpdateEvent::new(
            "t1",
            "c1",
            TaskStatus::new(state),
        )))
    }

    fn ok(events: Vec<StreamEvent>) -> Script {
        events.into_iter().map(Ok).collect()
    }

    /// A follow of `first` as `op` on t1.
    struct Run {
        op: Op,
        last_seen: Option<u64>,
        without_ids: WithoutIds,
        task: Option<Task>,
        max_resumes: u32,
    }

    impl Run {
        fn subscription(without_ids: WithoutIds) -> Self {
            Self {
                op: Op::Subscribe,
                last_seen: None,
                without_ids,
                task: None,
                max_resumes: MAX_RESUMES,
            }
        }

        /// What the stream yields, and the resumes it made.
        async fn go(
            self,
            first: Script,
            then: Vec<Result<Script, Error>>,
        ) -> (Vec<Result<StreamEvent, Error>>, Vec<Option<u64>>) {
            let script = Arc::new(Scripted::default());
            *script.streams.lock().unwrap() = then;
            *script.task.lock().unwrap() = self.task;
            let origin = Origin {
                op: self.op,
                task_id: Some("t1".into()),
                tenant: String::new(),
                last_seen: self.last_seen,
            };
            let first = ClientStream::from_events(futures_util::stream::iter(first));
            let settings = Settings {
                without_ids: self.without_ids,
                credentials: None,
                max_resumes: self.max_resumes,
            };
            let mut stream = follow(script.clone(), settings, origin, first);
            let mut items = Vec::new();
            while let Some(item) = stream.next_event().await {
                items.push(item);
            }
            let calls = script.calls.lock().unwrap().clone();
            (items, calls)
        }
    }

    async fn run(
        last_seen: Option<u64>,
        first: Vec<StreamEvent>,
        then: Vec<Vec<StreamEvent>>,
        without_ids: WithoutIds,
    ) -> (Vec<Result<StreamEvent, Error>>, Vec<Option<u64>>) {
        let run = Run {
            last_seen,
            ..Run::subscription(without_ids)
        };
        run.go(ok(first), then.into_iter().map(|s| Ok(ok(s))).collect())
            .await
    }

    fn states(items: &[Result<StreamEvent, Error>]) -> Vec<TaskState> {
        items
            .iter()
            .map(|item| match &item.as_ref().unwrap().response {
                StreamResponse::Task(task) => task.status.state,
                StreamResponse::StatusUpdate(update) => update.status.state,
                other => panic!("{other:?}"),
            })
            .collect()
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
    async fn a_close_at_input_required_is_a_normal_end() {
        let (items, calls) = run(
            None,
            vec![task(TaskState::InputRequired)],
            Vec::new(),
            WithoutIds::Missing,
        )
        .await;
        assert_eq!(items.len(), 1);
        assert!(calls.is_empty());
    }

    #[tokio::test]
    async fn a_subscription_closed_at_auth_required_without_ids_is_followed_afresh() {
        let first = vec![task(TaskState::Working), status(TaskState::AuthRequired)];
        let again = vec![task(TaskState::AuthRequired), status(TaskState::Completed)];
        let (items, calls) = run(None, first, vec![again], WithoutIds::Resubscribe).await;
        use TaskState::*;
        assert_eq!(states(&items), [Working, AuthRequired, AuthRequired, Completed]);
        assert_eq!(calls, [None]);
    }

    #[tokio::test]
    async fn a_send_reads_on_past_auth_required_and_may_end_there() {
        use TaskState::*;
        let send = |without_ids| Run {
            op: Op::Send,
            ..Run::subscription(without_ids)
        };
        // The agent keeps the stream open and goes on once the credential came.
        let first = ok(vec![
            task(Working),
            status(AuthRequired),
            status(Working),
            status(Completed),
        ]);
        let (items, calls) = send(WithoutIds::Resubscribe).go(first, Vec::new()).await;
        assert_eq!(states(&items), [Working, AuthRequired, Working, Completed]);
        assert!(calls.is_empty());
        // The agent closes the stream there (spec §11.7): a normal end.
        let first = ok(vec![task(Working), status(AuthRequired)]);
        let (items, calls) = send(WithoutIds::Missing).go(first, Vec::new()).await;
        assert_eq!(states(&items), [Working, AuthRequired]);
        assert!(calls.is_empty());
    }

    #[tokio::test]
    async fn a_silent_stream_is_resumed_like_a_broken_one() {
        let silent = Error::new(ErrorKind::Timeout, "the stream was silent for 1s");
        let first = vec![Ok(task(TaskState::Working)), Err(silent)];
        let again = ok(vec![task(TaskState::Working), status(TaskState::Completed)]);
        let run = Run::subscription(WithoutIds::Resubscribe);
        let (items, calls) = run.go(first, vec![Ok(again)]).await;
        use TaskState::*;
        assert_eq!(states(&items), [Working, Working, Completed]);
        assert_eq!(calls, [None]);
    }

    #[tokio::test]
    async fn a_silent_stream_that_cannot_be_resumed_ends_in_a_timeout() {
        let silent = Error::new(ErrorKind::Timeout, "the stream was silent for 1s");
        let first = vec![Ok(task(TaskState::Working)), Err(silent)];
        let refused = Error::task_not_found("t1");
        let run = Run::subscription(WithoutIds::Missing);
        let (items, _) = run.go(first, vec![Err(refused)]).await;
        let err = items.last().unwrap().as_ref().unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Timeout, "{err}");
        assert!(err.message().contains("silent"), "{err}");
        assert!(err.message().contains("no event ids"), "{err}");
        assert_eq!(err.metadata().get("taskId").map(String::as_str), Some("t1"));
    }

    #[tokio::test]
    async fn a_task_that_finished_while_away_is_read_with_get_task() {
        let refused = Error::unsupported_operation("task t1 is already completed");
        let run = Run {
            task: Some(snapshot(TaskState::Completed)),
            ..Run::subscription(WithoutIds::Missing)
        };
        let (items, calls) = run
            .go(ok(vec![task(TaskState::Working)]), vec![Err(refused)])
            .await;
        assert_eq!(states(&items), [TaskState::Working, TaskState::Completed]);
        assert_eq!(calls, [None]);
    }

    #[tokio::test]
    async fn resumes_that_only_repeat_the_snapshot_give_up() {
        let waiting = TaskStatus::new(TaskState::AuthRequired);
        let update = TaskStatusUpdateEvent::new("t1", "c1", waiting.clone());
        let first = vec![
            task(TaskState::Working),
            StreamEvent::new(StreamResponse::StatusUpdate(update)),
        ];
        let same = || {
            let again = Task::new("t1", "c1", waiting.clone());
            vec![StreamEvent::new(StreamResponse::Task(again))]
        };
        let (items, calls) = run(None, first, vec![same(), same(), same()], WithoutIds::Resubscribe).await;
        assert_eq!(calls, [None, None, None]);
        assert_eq!(items.len(), 6, "{items:?}");
        let err = items.last().unwrap().as_ref().unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Connect, "{err}");
        assert!(err.message().contains("3 attempts"), "{err}");
    }

    #[tokio::test]
    async fn status_updates_that_repeat_the_known_status_are_no_progress() {
        let first = vec![task(TaskState::Working), status(TaskState::Working)];
        let same = || vec![task(TaskState::Working), status(TaskState::Working)];
        let then = vec![same(), same(), same(), same(), same()];
        let (items, calls) = run(None, first, then, WithoutIds::Resubscribe).await;
        assert_eq!(calls, [None, None, None]);
        let err = items.last().unwrap().as_ref().unwrap_err();
        assert!(err.message().contains("3 attempts"), "{err}");
    }

    #[tokio::test]
    async fn a_stream_is_resumed_at_most_so_many_times_in_all() {
        // Each resume looks new (the state flips), then the peer closes.
        let first = vec![task(TaskState::Working), status(TaskState::AuthRequired)];
        let flip = || {
            Ok(ok(vec![
                task(TaskState::Working),
                status(TaskState::AuthRequired),
            ]))
        };
        let run = Run {
            max_resumes: 4,
            ..Run::subscription(WithoutIds::Resubscribe)
        };
        let (items, calls) = run.go(ok(first), (0..10).map(|_| flip()).collect()).await;
        assert_eq!(calls.len(), 4, "{calls:?}");
        let err = items.last().unwrap().as_ref().unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Connect, "{err}");
        assert!(err.message().contains("resumed 4 times"), "{err}");

        let never = Run {
            max_resumes: 0,
            ..Run::subscription(WithoutIds::Resubscribe)
        };
        let first = ok(vec![task(TaskState::Working)]);
        let (items, calls) = never.go(first, Vec::new()).await;
        assert!(calls.is_empty());
        assert!(items.last().unwrap().is_err(), "{items:?}");
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
        let (items, calls) = run(None, first, vec![replay], WithoutIds::Missing).await;
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
