//! The server under real concurrency, over real sockets: many clients at
//! once, many subscribers of one task, a subscriber that stops reading, a
//! client that hangs up, and agents that panic or never finish.
//!
//! Every wait is bounded, so a bug shows up as a failure, never as a hang.

mod support;

use std::collections::HashSet;
use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use a2akit::server::InMemoryTaskStore;
use a2akit::server::bus::InMemoryEventBus;
use a2akit::server::{AgentExecutor, RequestContext, RequestHandler, TaskUpdater};
use a2akit::types::{
    AgentCard, Artifact, SendMessageConfiguration, SendMessageResponse, StreamResponse, Task, TaskState,
};
use a2akit::{Error, ErrorKind};
use futures_util::StreamExt as _;
use futures_util::future::join_all;
use support::{Binding, Client, EventStream, TestServer, send, send_with, user_message};
use tokio::sync::watch;
use tokio::time::Instant;

/// Awaits `future`, failing the test if it takes longer than `limit`.
async fn within<T>(limit: Duration, what: &str, future: impl Future<Output = T>) -> T {
    match tokio::time::timeout(limit, future).await {
        Ok(value) => value,
        Err(_) => panic!("{what} did not finish within {limit:?}"),
    }
}

fn card(name: &str) -> AgentCard {
    AgentCard::builder()
        .name(name)
        .description("An agent for concurrency tests")
        .streaming(true)
        .build()
}

/// A client of `server` that shares the connection pool of `http`.
fn client(server: &TestServer, http: &reqwest::Client, binding: Binding) -> Client {
    Client {
        http: http.clone(),
        base: server.base.clone(),
        binding,
        tenant: String::new(),
    }
}

fn expect_task(response: Result<SendMessageResponse, Error>) -> Task {
    match response {
        Ok(SendMessageResponse::Task(task)) => task,
        other => panic!("expected a task, got {other:?}"),
    }
}

/// The text of the task's artifact `id`, all its text parts joined.
fn artifact_text(task: &Task, id: &str) -> String {
    let artifact = task
        .artifacts
        .iter()
        .find(|a| a.artifact_id == id)
        .unwrap_or_else(|| panic!("task {} has no artifact {id}: {task:?}", task.id));
    artifact.parts.iter().filter_map(|part| part.as_text()).collect()
}

fn status_text(task: &Task) -> String {
    task.status
        .message
        .as_ref()
        .map(|message| message.text())
        .unwrap_or_default()
}

fn to_json(event: &StreamResponse) -> String {
    serde_json::to_string(event).expect("a stream response encodes")
}

fn status_state(event: &StreamResponse) -> Option<TaskState> {
    match event {
        StreamResponse::StatusUpdate(update) => Some(update.status.state),
        _ => None,
    }
}

/// Reads a stream to its end, within `limit`: the events, then the error
/// that ended it, if one did. Nothing may follow an error.
async fn drain(stream: &mut EventStream, limit: Duration) -> (Vec<StreamResponse>, Option<Error>) {
    let deadline = Instant::now() + limit;
    let mut events = Vec::new();
    loop {
        match tokio::time::timeout_at(deadline, stream.next()).await {
            Ok(Some(Ok(event))) => events.push(event),
            Ok(Some(Err(err))) => {
                let after = tokio::time::timeout_at(deadline, stream.next())
                    .await
                    .unwrap_or_else(|_| panic!("the stream did not end after its error {err:?}"));
                assert!(
                    after.is_none(),
                    "the stream went on after its error {err:?}: {after:?}"
                );
                return (events, Some(err));
            }
            Ok(None) => return (events, None),
            Err(_) => panic!(
                "the stream did not end within {limit:?}; it gave {} events",
                events.len()
            ),
        }
    }
}

/// The first event of a stream, within 5 s.
async fn first_event(stream: &mut EventStream) -> StreamResponse {
    match support::next_event(stream).await {
        Some(Ok(event)) => event,
        other => panic!("expected a first event, got {other:?}"),
    }
}

// ---------------------------------------------------------------------------
// Many concurrent blocking sends.

/// Works briefly, then echoes the message text as an artifact. It counts
/// the runs under way, and the most there ever were at once.
#[derive(Clone, Default)]
struct Echo {
    running: Arc<AtomicUsize>,
    most: Arc<AtomicUsize>,
}

impl AgentExecutor for Echo {
    async fn execute(&self, context: RequestContext, updater: TaskUpdater) -> Result<(), Error> {
        let now = self.running.fetch_add(1, Ordering::SeqCst) + 1;
        self.most.fetch_max(now, Ordering::SeqCst);
        updater.start_work().await?;
        tokio::time::sleep(Duration::from_millis(10)).await;
        self.running.fetch_sub(1, Ordering::SeqCst);
        updater
            .add_artifact(Artifact::text("echo", context.message.text()))
            .await?;
        updater.complete().await
    }
}

const SENDS: usize = 1000;

async fn concurrent_sends(binding: Binding) {
    let echo = Echo::default();
    let server = support::start(
        support::on_test_store(RequestHandler::builder(card("Echo"), echo.clone()))
            .await
            .build(),
    )
    .await;
    let http = reqwest::Client::new();
    let client = client(&server, &http, binding);

    let sends: Vec<_> = (0..SENDS)
        .map(|i| {
            let client = client.clone();
            tokio::spawn(async move {
                let text = format!("request number {i}");
                let request = send(user_message(&format!("message-{i}"), &text));
                let response = client.send_message(&request).await;
                (text, response)
            })
        })
        .collect();
    let results = within(Duration::from_secs(20), "1,000 concurrent sends", join_all(sends)).await;

    let mut ids = HashSet::new();
    let mut tasks = Vec::with_capacity(SENDS);
    for result in results {
        let (text, response) = result.expect("a send did not panic");
        let task = expect_task(response);
        assert_eq!(task.status.state, TaskState::Completed, "{task:?}");
        assert_eq!(
            artifact_text(&task, "echo"),
            text,
            "each caller gets its own task"
        );
        assert!(ids.insert(task.id.clone()), "task id {} given twice", task.id);
        tasks.push((text, task));
    }
    assert_eq!(ids.len(), SENDS);
    let most = echo.most.load(Ordering::SeqCst);
    assert!(
        most >= 50,
        "the sends ran nearly one at a time (at most {most} at once)"
    );

    let gets: Vec<_> = tasks
        .into_iter()
        .map(|(text, sent)| {
            let client = client.clone();
            tokio::spawn(async move {
                let stored = client
                    .get_task(&sent.id, None)
                    .await
                    .unwrap_or_else(|err| panic!("GetTask {} failed: {err:?}", sent.id));
                assert_eq!(stored.id, sent.id);
                assert_eq!(stored.status.state, TaskState::Completed, "{stored:?}");
                assert_eq!(artifact_text(&stored, "echo"), text);
                assert_eq!(stored, sent, "GetTask answers the task SendMessage answered");
            })
        })
        .collect();
    for get in within(Duration::from_secs(20), "1,000 GetTask calls", join_all(gets)).await {
        get.expect("every task is found as it was answered");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_thousand_concurrent_json_rpc_sends_get_distinct_completed_tasks() {
    concurrent_sends(Binding::JsonRpc).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_thousand_concurrent_http_json_sends_get_distinct_completed_tasks() {
    concurrent_sends(Binding::Rest).await;
}

// ---------------------------------------------------------------------------
// Many subscribers of one task.

const CHUNKS: usize = 50;

/// Asks a question first; on the answer, works, streams one artifact in
/// `CHUNKS` chunks and completes. The question holds the events back until
/// every subscriber is listening.
struct Chunked;

impl AgentExecutor for Chunked {
    async fn execute(&self, context: RequestContext, updater: TaskUpdater) -> Result<(), Error> {
        if context.task.is_none() {
            return updater
                .require_input(updater.message("Say go when everyone listens"))
                .await;
        }
        updater.start_work().await?;
        for i in 0..CHUNKS {
            let chunk = Artifact::text("story", format!("chunk {i};"));
            updater.stream_artifact(chunk, i > 0, i + 1 == CHUNKS).await?;
            tokio::task::yield_now().await;
        }
        updater.complete().await
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hundred_subscribers_see_the_same_events_in_the_same_order() {
    let server = support::start(
        support::on_test_store(RequestHandler::builder(card("Chunked"), Chunked))
            .await
            .build(),
    )
    .await;
    let http = reqwest::Client::new();
    let rpc = client(&server, &http, Binding::JsonRpc);
    let rest = client(&server, &http, Binding::Rest);

    let asked = expect_task(
        within(
            Duration::from_secs(5),
            "the first send",
            rpc.send_message(&send(user_message("start", "start"))),
        )
        .await,
    );
    assert_eq!(asked.status.state, TaskState::InputRequired, "{asked:?}");
    let task_id = asked.id.clone();

    // Every subscription is open, and has its snapshot, before any event flows.
    let opening = (0..100).map(|i| {
        let client = if i % 2 == 0 { rpc.clone() } else { rest.clone() };
        let task_id = task_id.clone();
        async move {
            let mut stream = client
                .subscribe(&task_id)
                .await
                .unwrap_or_else(|err| panic!("subscriber {i} was refused: {err:?}"));
            let snapshot = first_event(&mut stream).await;
            (client.binding, snapshot, stream)
        }
    });
    let subscribers = within(
        Duration::from_secs(10),
        "opening 100 subscriptions",
        join_all(opening),
    )
    .await;

    let expected_snapshot = to_json(&StreamResponse::Task(asked.clone()));
    for (binding, snapshot, _) in &subscribers {
        assert_eq!(
            to_json(snapshot),
            expected_snapshot,
            "a {binding:?} subscriber's snapshot is the task as it stood"
        );
    }

    let readers: Vec<_> = subscribers
        .into_iter()
        .map(|(binding, _, mut stream)| {
            tokio::spawn(async move {
                let (events, error) = drain(&mut stream, Duration::from_secs(15)).await;
                assert!(error.is_none(), "a {binding:?} subscriber got {error:?}");
                (binding, events)
            })
        })
        .collect();
    let answer = user_message("go", "go").with_task_id(&task_id);
    let done = expect_task(
        within(
            Duration::from_secs(10),
            "the follow-up send",
            rpc.send_message(&send(answer)),
        )
        .await,
    );
    assert_eq!(done.status.state, TaskState::Completed, "{done:?}");
    let streams = within(
        Duration::from_secs(20),
        "100 subscribers reading",
        join_all(readers),
    )
    .await;

    let mut sequences = Vec::new();
    for stream in streams {
        let (binding, events) = stream.expect("a subscriber did not panic");
        sequences.push((binding, events.iter().map(to_json).collect::<Vec<_>>()));
        // The shape: WORKING, every chunk once and in order, COMPLETED, the end.
        assert_eq!(events.len(), CHUNKS + 2, "{binding:?}: {events:?}");
        assert_eq!(status_state(&events[0]), Some(TaskState::Working));
        for (i, event) in events[1..=CHUNKS].iter().enumerate() {
            let StreamResponse::ArtifactUpdate(update) = event else {
                panic!("{binding:?}: event {} is not chunk {i}: {event:?}", i + 1);
            };
            assert_eq!(update.task_id, task_id);
            assert_eq!(
                update.artifact.parts[0].as_text(),
                Some(format!("chunk {i};").as_str())
            );
            assert_eq!(update.append, i > 0);
            assert_eq!(update.last_chunk, i + 1 == CHUNKS);
        }
        assert_eq!(status_state(&events[CHUNKS + 1]), Some(TaskState::Completed));
    }
    let (first_binding, first) = &sequences[0];
    for (binding, sequence) in &sequences[1..] {
        assert_eq!(
            sequence, first,
            "a {binding:?} subscriber saw other events than a {first_binding:?} one"
        );
    }
    assert_eq!(sequences.len(), 100);
    let final_task = rest.get_task(&task_id, None).await.expect("GetTask");
    assert_eq!(
        artifact_text(&final_task, "story"),
        (0..CHUNKS).map(|i| format!("chunk {i};")).collect::<String>()
    );
}

// ---------------------------------------------------------------------------
// A subscriber that stops reading.

/// How many large artifacts the firehose sends, and how large each is: in
/// all much more than the kernel and HTTP buffers between the server and a
/// client that does not read, so that its subscription really falls behind.
const BIG_EVENTS: usize = 128;
const BIG_EVENT_BYTES: usize = 128 << 10;
/// The bus capacity of the firehose's handler.
const CAPACITY: usize = 16;
/// How far the firehose lets the reading subscriber fall behind (less than
/// `CAPACITY`, so that it never lags).
const READER_SLACK: usize = 8;

/// Asks a question first; on the answer, works, then replaces one artifact
/// with a large new version `BIG_EVENTS` times, then completes. It waits for
/// the reading subscriber (whose progress it watches) but for no one else.
struct Firehose {
    read: watch::Receiver<usize>,
}

impl AgentExecutor for Firehose {
    async fn execute(&self, context: RequestContext, updater: TaskUpdater) -> Result<(), Error> {
        if context.task.is_none() {
            return updater
                .require_input(updater.message("Say go when everyone listens"))
                .await;
        }
        let mut read = self.read.clone();
        let filler = "x".repeat(BIG_EVENT_BYTES);
        // Event `n` (0 is WORKING) waits until the reader has `n - READER_SLACK`.
        for n in 0..BIG_EVENTS + 2 {
            let wait = read.wait_for(|seen| seen + READER_SLACK >= n);
            match tokio::time::timeout(Duration::from_secs(15), wait).await {
                Ok(Ok(_)) => {}
                _ => return Err(Error::internal("the reading subscriber stopped reading")),
            }
            if n == 0 {
                updater.start_work().await?;
            } else if n <= BIG_EVENTS {
                let version = Artifact::text("bulk", format!("version {n}: {filler}"));
                updater.add_artifact(version).await?;
            } else {
                updater.complete().await?;
            }
        }
        Ok(())
    }
}

fn version_of(event: &StreamResponse) -> Option<usize> {
    let StreamResponse::ArtifactUpdate(update) = event else {
        return None;
    };
    let text = update.artifact.parts[0].as_text()?;
    text.strip_prefix("version ")?.split(':').next()?.parse().ok()
}

async fn stalled_subscriber(binding: Binding) {
    let (progress, read) = watch::channel(0usize);
    let handler = RequestHandler::builder(card("Firehose"), Firehose { read })
        // A bus buffer and an event log of CAPACITY events: a subscriber
        // further behind than that cannot catch up from the store either.
        .event_bus(InMemoryEventBus::with_buffer(CAPACITY))
        .store(InMemoryTaskStore::new().with_event_log(Duration::from_secs(60), CAPACITY))
        .build();
    let server = support::start(handler).await;
    let http = reqwest::Client::new();
    let client = client(&server, &http, binding);

    let asked = expect_task(
        within(
            Duration::from_secs(5),
            "the first send",
            client.send_message(&send(user_message("start", "start"))),
        )
        .await,
    );
    assert_eq!(asked.status.state, TaskState::InputRequired, "{asked:?}");
    let task_id = asked.id.clone();

    let mut stalled = within(Duration::from_secs(5), "subscribing", client.subscribe(&task_id))
        .await
        .expect("the stalled subscriber is accepted");
    let stalled_snapshot = first_event(&mut stalled).await;
    let mut reader = within(Duration::from_secs(5), "subscribing", client.subscribe(&task_id))
        .await
        .expect("the reading subscriber is accepted");
    let reader_snapshot = first_event(&mut reader).await;
    assert_eq!(to_json(&stalled_snapshot), to_json(&reader_snapshot));

    // The reader reads everything, telling the agent how far it got; the
    // stalled subscriber is kept open but not read.
    let reading = tokio::spawn(async move {
        let deadline = Instant::now() + Duration::from_secs(20);
        let mut events = Vec::new();
        loop {
            match tokio::time::timeout_at(deadline, reader.next()).await {
                Ok(Some(Ok(event))) => {
                    events.push(event);
                    progress.send_replace(events.len());
                }
                Ok(Some(Err(err))) => panic!("the reader got {err:?} after {} events", events.len()),
                Ok(None) => return events,
                Err(_) => panic!("the reader got only {} events in 20 s", events.len()),
            }
        }
    });
    let started = Instant::now();
    let answer = user_message("go", "go").with_task_id(&task_id);
    let accepted = expect_task(
        within(
            Duration::from_secs(5),
            "the follow-up send",
            client.send_message(&send_with(
                answer,
                SendMessageConfiguration::default().with_return_immediately(true),
            )),
        )
        .await,
    );
    assert!(!accepted.status.state.is_terminal(), "{accepted:?}");

    let read = within(Duration::from_secs(25), "the reader", reading)
        .await
        .expect("the reader did not panic");
    assert_eq!(read.len(), BIG_EVENTS + 2, "the reader got every event");
    assert_eq!(status_state(&read[0]), Some(TaskState::Working));
    for (n, event) in read.iter().enumerate().take(BIG_EVENTS + 1).skip(1) {
        assert_eq!(version_of(event), Some(n), "the reader's event {n}");
    }
    assert_eq!(status_state(&read[BIG_EVENTS + 1]), Some(TaskState::Completed));

    // The task finished while the stalled subscriber still was not reading.
    let stored = within(
        Duration::from_secs(5),
        "GetTask",
        client.get_task(&task_id, Some(0)),
    )
    .await
    .expect("GetTask");
    assert_eq!(stored.status.state, TaskState::Completed);
    assert_eq!(
        artifact_text(&stored, "bulk"),
        format!("version {BIG_EVENTS}: {}", "x".repeat(BIG_EVENT_BYTES))
    );
    let took = started.elapsed();

    // Resumed, the stalled subscriber gets what was already on its way (in
    // order, from the start), then an error saying it fell behind, and its
    // stream ends: never a silent gap.
    let (got, error) = drain(&mut stalled, Duration::from_secs(15)).await;
    let error = error.unwrap_or_else(|| {
        panic!(
            "the stalled {binding:?} subscriber got {} events and no error (the reader took {took:?})",
            got.len()
        )
    });
    assert_eq!(error.kind(), ErrorKind::Internal, "{error:?}");
    assert!(
        error.message().contains("behind") && error.message().contains("subscribe again"),
        "{error:?}"
    );
    assert!(
        got.len() < read.len(),
        "the stalled subscriber cannot have every event and an error"
    );
    for (n, (stalled_event, read_event)) in got.iter().zip(&read).enumerate() {
        assert_eq!(
            to_json(stalled_event),
            to_json(read_event),
            "the stalled subscriber's event {n} differs from the reader's"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stalled_json_rpc_subscriber_does_not_delay_the_others_and_is_told_it_fell_behind() {
    stalled_subscriber(Binding::JsonRpc).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stalled_http_json_subscriber_does_not_delay_the_others_and_is_told_it_fell_behind() {
    stalled_subscriber(Binding::Rest).await;
}

// ---------------------------------------------------------------------------
// A client that hangs up.

/// Takes about a second, reporting along the way.
struct Slow;

impl AgentExecutor for Slow {
    async fn execute(&self, _: RequestContext, updater: TaskUpdater) -> Result<(), Error> {
        updater.start_work().await?;
        for step in 0..4 {
            tokio::time::sleep(Duration::from_millis(250)).await;
            updater
                .add_artifact(Artifact::text(format!("step {step}"), "done"))
                .await?;
        }
        updater.complete().await
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_hanging_up_does_not_stop_its_task() {
    let server = support::start(
        support::on_test_store(RequestHandler::builder(card("Slow"), Slow))
            .await
            .build(),
    )
    .await;
    let http = reqwest::Client::new();
    let runs = [Binding::JsonRpc, Binding::Rest].map(|binding| {
        let client = client(&server, &http, binding);
        async move {
            let request = send(user_message("slow", "take your time"));
            let mut stream = within(
                Duration::from_secs(5),
                "a streaming send",
                client.stream_message(&request),
            )
            .await
            .expect("the stream starts");
            let StreamResponse::Task(task) = first_event(&mut stream).await else {
                panic!("a new task's stream starts with the task");
            };
            let hung_up = Instant::now();
            drop(stream);

            let deadline = hung_up + Duration::from_secs(5);
            loop {
                let now = client.get_task(&task.id, None).await.expect("GetTask");
                if now.status.state == TaskState::Completed {
                    assert_eq!(now.artifacts.len(), 4, "{binding:?}: every step ran: {now:?}");
                    return hung_up.elapsed();
                }
                assert!(
                    !now.status.state.is_terminal(),
                    "{binding:?}: the task ended {}: {now:?}",
                    now.status.state
                );
                assert!(
                    Instant::now() < deadline,
                    "{binding:?}: the task is still {} 5 s after the client hung up",
                    now.status.state
                );
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        }
    });
    let took = within(Duration::from_secs(10), "both runs", join_all(runs)).await;
    for elapsed in took {
        assert!(
            elapsed >= Duration::from_millis(500),
            "the task went on after the hang-up ({elapsed:?})"
        );
    }
}

// ---------------------------------------------------------------------------
// Agents that panic or never finish.

/// Behaves as the message text says.
struct Unruly;

impl AgentExecutor for Unruly {
    async fn execute(&self, context: RequestContext, updater: TaskUpdater) -> Result<(), Error> {
        match context.message.text().as_str() {
            "panic at once" => panic!("refusing before anything happened"),
            "panic while working" => {
                updater.start_work().await?;
                panic!("breaking down halfway");
            }
            "never finish" => {
                updater.start_work().await?;
                tokio::time::sleep(Duration::from_secs(60)).await;
                updater.complete().await
            }
            text => {
                updater.start_work().await?;
                updater.add_artifact(Artifact::text("echo", text)).await?;
                updater.complete().await
            }
        }
    }
}

const EXECUTOR_TIMEOUT: Duration = Duration::from_secs(1);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_panicking_or_overdue_agent_fails_its_task_and_the_server_keeps_serving() {
    let handler = support::on_test_store(RequestHandler::builder(card("Unruly"), Unruly))
        .await
        .executor_timeout(EXECUTOR_TIMEOUT)
        .build();
    let server = support::start(handler).await;
    let http = reqwest::Client::new();

    for binding in [Binding::JsonRpc, Binding::Rest] {
        let client = client(&server, &http, binding);
        let call = |id: &str, text: &str| {
            let client = client.clone();
            let request = send(user_message(&format!("{id}-{binding:?}"), text));
            async move { client.send_message(&request).await }
        };

        // Both kinds of failure, with ordinary requests around them.
        let ordinary: Vec<_> = (0..20)
            .map(|i| call(&format!("ordinary-{i}"), &format!("ordinary {i}")))
            .collect();
        let (at_once, while_working, never, ordinary) =
            within(Duration::from_secs(10), "the failing and ordinary sends", async {
                tokio::join!(
                    call("at-once", "panic at once"),
                    call("working", "panic while working"),
                    call("never", "never finish"),
                    join_all(ordinary),
                )
            })
            .await;

        // A panic fails the task with a generic reason: the panic's own
        // text is for the server's log, never for the client.
        let refused = expect_task(at_once);
        assert_eq!(
            refused.status.state,
            TaskState::Failed,
            "{binding:?}: {refused:?}"
        );
        assert!(
            !status_text(&refused).contains("refusing before anything happened"),
            "{binding:?}: {refused:?}"
        );
        let broken = expect_task(while_working);
        assert_eq!(broken.status.state, TaskState::Failed, "{binding:?}: {broken:?}");
        let why = status_text(&broken);
        assert!(
            why.contains("the agent failed") && !why.contains("breaking down halfway"),
            "{binding:?}: {why:?}"
        );
        let stored = client.get_task(&broken.id, None).await.expect("GetTask");
        assert_eq!(stored.status.state, TaskState::Failed);
        assert_eq!(status_text(&stored), why);
        assert_eq!(
            stored.history.last().map(|message| message.text()),
            Some(why.clone()),
            "the failure message is in the history"
        );

        // So does running past the timeout.
        let overdue = expect_task(never);
        assert_eq!(
            overdue.status.state,
            TaskState::Failed,
            "{binding:?}: {overdue:?}"
        );
        let why = status_text(&overdue);
        assert!(why.contains("did not finish within"), "{binding:?}: {why:?}");
        let stored = client.get_task(&overdue.id, None).await.expect("GetTask");
        assert_eq!(stored.status.state, TaskState::Failed);

        for (i, response) in ordinary.into_iter().enumerate() {
            let task = expect_task(response);
            assert_eq!(task.status.state, TaskState::Completed, "{binding:?}: {task:?}");
            assert_eq!(artifact_text(&task, "echo"), format!("ordinary {i}"));
        }

        // And the same server still serves a plain request afterwards.
        let after = expect_task(
            within(
                Duration::from_secs(5),
                "a send after the failures",
                call("after", "still there?"),
            )
            .await,
        );
        assert_eq!(after.status.state, TaskState::Completed, "{binding:?}: {after:?}");
        assert_eq!(artifact_text(&after, "echo"), "still there?");
    }
}
