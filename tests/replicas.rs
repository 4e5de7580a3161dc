//! Several agent processes behind one address, sharing one PostgreSQL
//! database, with the event bus over PostgreSQL and then over NATS
//! JetStream: streams, subscriptions, resumed streams and cancels work
//! whichever replica a call lands on; a replica killed mid-task leaves a
//! failed task and no subscriber waiting forever; and a thousand streamed
//! tasks spread over three replicas reach every subscriber once, in order.
//!
//! The replicas are this test binary started again in agent mode (see
//! [`replica_process`]).
#![cfg(all(feature = "postgres", feature = "client"))]

mod support;

use std::io::{BufRead as _, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use a2akit::Error;
use a2akit::server::bus::PgEventBus;
use a2akit::server::store::sql::SqlStoreOptions;
use a2akit::server::{AgentExecutor, RequestContext, RequestHandler, TaskUpdater};
use a2akit::types::{
    AgentCard, Artifact, Message, SendMessageRequest, StreamResponse, Task, TaskState, binding,
};
use futures_util::StreamExt as _;
use support::databases;
use support::sse::{Frame, get_task, read_frames, task_of};

const STORE_VAR: &str = "A2AKIT_TEST_REPLICA_STORE";
const BUS_VAR: &str = "A2AKIT_TEST_REPLICA_BUS";
const QUIET_VAR: &str = "A2AKIT_TEST_REPLICA_QUIET_MS";
const LEASE_VAR: &str = "A2AKIT_TEST_REPLICA_LEASE_MS";

/// How long a followed task may stay quiet before a replica reads it again
/// (milliseconds): long where only the bus's notes may bring the news in
/// time, short where a replica must notice a dead one.
const NOTES_ONLY: u64 = 60_000;
const QUICK: u64 = 500;

/// How long a run's lease lasts without renewal: short where a replica must
/// notice a dead one soon, the default elsewhere (a loaded machine may
/// renew late, and a lease that runs out hands a live run's task to the
/// recovery of another replica).
const SHORT_LEASE: u64 = 2_000;

/// The scenarios run one at a time: each starts up to three replicas with
/// pools of their own, and several at once would crowd the database's
/// connection limit and the machine's two cores.
static ONE_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());
const DEFAULT_LEASE: u64 = 30_000;

/// What a replica does, by the text of the message that starts a task:
/// `stream N MS` reports N artifacts MS milliseconds apart, then completes;
/// `hold` works until canceled, and says so on its output; `pause MS`
/// asks for input, then (the same run) works on for MS milliseconds and
/// completes; `forever` works until its process dies.
struct Paced;

impl AgentExecutor for Paced {
    async fn execute(&self, context: RequestContext, updater: TaskUpdater) -> Result<(), Error> {
        let text = context.message.text();
        let words: Vec<&str> = text.split_whitespace().collect();
        updater.start_work().await?;
        match words.as_slice() {
            ["stream", n, ms] => {
                let (n, ms): (u64, u64) = (n.parse().unwrap_or(1), ms.parse().unwrap_or(0));
                for i in 0..n {
                    tokio::time::sleep(Duration::from_millis(ms)).await;
                    updater
                        .add_artifact(Artifact::text(format!("a{i}"), format!("part {i}")))
                        .await?;
                }
                updater.complete().await
            }
            ["hold"] => {
                context.canceled().await;
                println!("canceled {}", context.task_id);
                Ok(())
            }
            ["pause", ms] => {
                updater.require_input(updater.message("one moment")).await?;
                tokio::time::sleep(Duration::from_millis(100)).await;
                updater.start_work().await?;
                tokio::time::sleep(Duration::from_millis(ms.parse().unwrap_or(0))).await;
                updater.complete().await
            }
            _ => {
                tokio::time::sleep(Duration::from_secs(600)).await;
                updater.complete().await
            }
        }
    }
}

fn card(base: &str) -> AgentCard {
    AgentCard::builder()
        .name("replica")
        .description("one of several")
        .interface(base, binding::HTTP_JSON)
        .streaming(true)
        .build()
}

/// Not a test of its own: the entry point of the replica processes the
/// tests start. Without the variables that name its store and bus, it does
/// nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replica_process() {
    let (Ok(url), Ok(bus)) = (std::env::var(STORE_VAR), std::env::var(BUS_VAR)) else {
        return;
    };
    // The test holds our stdin: when it dies, so does this replica.
    std::thread::spawn(|| {
        let _ = std::io::copy(&mut std::io::stdin(), &mut std::io::sink());
        std::process::exit(0);
    });
    let store = SqlStoreOptions::new()
        .max_connections(8)
        .connect(&url)
        .await
        .expect("the replica's store");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let quiet = Duration::from_millis(
        std::env::var(QUIET_VAR)
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(QUICK),
    );
    let lease = Duration::from_millis(
        std::env::var(LEASE_VAR)
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(DEFAULT_LEASE),
    );
    let builder = RequestHandler::builder(card(&base), Paced)
        .run_ownership(store.run_ownership().with_lease(lease))
        .abandoned_after(lease + Duration::from_secs(1));
    let builder = match bus.split_once(':') {
        Some(("nats", rest)) => {
            #[cfg(feature = "nats")]
            {
                let (server, prefix) = rest.split_once('|').expect("nats:URL|PREFIX");
                let options = a2akit::server::bus::NatsBusOptions::default()
                    .names(prefix, prefix.to_uppercase())
                    .quiet(quiet);
                let bus = a2akit::server::bus::NatsEventBus::connect_with(server, store.clone(), options)
                    .await
                    .expect("the NATS bus");
                builder.event_bus(bus)
            }
            #[cfg(not(feature = "nats"))]
            panic!("built without the nats feature: {rest}")
        }
        _ => builder.event_bus(
            PgEventBus::connect_with(&store, quiet)
                .await
                .expect("the PostgreSQL bus"),
        ),
    };
    let handler = builder.store(store).build();
    println!("replica listening on {base}");
    a2akit::server::serve(listener, a2akit::server::http::router(handler))
        .await
        .unwrap();
}

/// A replica process; killed with SIGKILL when dropped.
struct Replica {
    child: Child,
    base: String,
    /// Everything it printed after its address.
    lines: Arc<Mutex<Vec<String>>>,
}

impl Replica {
    fn start(store: &str, bus: &str, quiet_ms: u64, lease_ms: u64) -> Replica {
        let mut child = Command::new(std::env::current_exe().unwrap())
            .args(["replica_process", "--exact", "--nocapture", "--test-threads", "1"])
            .env(STORE_VAR, store)
            .env(BUS_VAR, bus)
            .env(QUIET_VAR, quiet_ms.to_string())
            .env(LEASE_VAR, lease_ms.to_string())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("a replica process");
        let stdout = child.stdout.take().unwrap();
        let mut reader = BufReader::new(stdout).lines();
        let base = loop {
            let line = reader.next().expect("the replica printed its address").unwrap();
            if let Some((_, base)) = line.split_once("replica listening on ") {
                break base.to_owned();
            }
        };
        let lines = Arc::new(Mutex::new(Vec::new()));
        let sink = Arc::clone(&lines);
        std::thread::spawn(move || {
            for line in reader.map_while(Result::ok) {
                sink.lock().unwrap().push(line);
            }
        });
        Replica { child, base, lines }
    }

    fn said(&self, text: &str) -> bool {
        self.lines.lock().unwrap().iter().any(|line| line.contains(text))
    }

    fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Replica {
    fn drop(&mut self) {
        self.kill();
    }
}

fn http() -> reqwest::Client {
    reqwest::Client::builder()
        .pool_max_idle_per_host(64)
        .build()
        .unwrap()
}

/// Reads SSE frames from a response until it ends, or until `stop` frames.
async fn frames(response: reqwest::Response, stop: Option<usize>) -> Vec<Frame> {
    frames_telling(response, stop, None).await
}

/// [`frames`], telling `first` the first frame's id and task as soon as it arrives.
async fn frames_telling(
    response: reqwest::Response,
    stop: Option<usize>,
    mut first: Option<tokio::sync::oneshot::Sender<(u64, String)>>,
) -> Vec<Frame> {
    read_frames(response, |frames| {
        if let (Some(tell), [(id, StreamResponse::Task(task))]) = (first.take(), frames) {
            let _ = tell.send((*id, task.id.clone()));
        }
        stop.is_none_or(|n| frames.len() < n)
    })
    .await
}

/// Starts a streamed send of `text` on `base`.
async fn start_stream(http: &reqwest::Client, base: &str, text: &str) -> reqwest::Response {
    let request = SendMessageRequest::new(Message::user(text));
    http.post(format!("{base}/message:stream"))
        .header("a2a-version", "1.0")
        .header("accept", "text/event-stream")
        .json(&request)
        .send()
        .await
        .expect("the streamed send")
}

async fn subscribe(http: &reqwest::Client, base: &str, task_id: &str, last_seen: Option<u64>) -> Vec<Frame> {
    let mut request = http
        .post(format!("{base}/tasks/{task_id}:subscribe"))
        .header("a2a-version", "1.0")
        .header("accept", "text/event-stream");
    if let Some(last) = last_seen {
        request = request.header("last-event-id", last.to_string());
    }
    frames(request.send().await.expect("the subscription"), None).await
}

async fn send(http: &reqwest::Client, base: &str, text: &str, return_immediately: bool) -> Task {
    let mut request = SendMessageRequest::new(Message::user(text));
    if return_immediately {
        request = request.with_configuration(
            a2akit::types::SendMessageConfiguration::default().with_return_immediately(true),
        );
    }
    let response = http
        .post(format!("{base}/message:send"))
        .header("a2a-version", "1.0")
        .json(&request)
        .send()
        .await
        .expect("the send");
    assert!(response.status().is_success(), "{}", response.status());
    let body: serde_json::Value = response.json().await.unwrap();
    serde_json::from_value(body["task"].clone()).expect("a task")
}

fn state(event: &StreamResponse) -> Option<TaskState> {
    match event {
        StreamResponse::Task(task) => Some(task.status.state),
        StreamResponse::StatusUpdate(update) => Some(update.status.state),
        _ => None,
    }
}

/// The frames after a subscription's snapshot must be exactly the frames
/// of the full stream after the snapshot's sequence.
fn assert_suffix(full: &[Frame], subscribed: &[Frame], who: &str) {
    let (snapshot, rest) = subscribed.split_first().expect("a snapshot first");
    assert!(
        matches!(snapshot.1, StreamResponse::Task(_)),
        "{who}: snapshot first"
    );
    let expected: Vec<&Frame> = full.iter().filter(|(id, _)| *id > snapshot.0).collect();
    let got: Vec<&Frame> = rest.iter().collect();
    assert_eq!(got, expected, "{who}: the same events, in the same order");
}

/// Three replicas on one database, one bus: streams, subscriptions, resumed
/// streams, cancels, reads. Replicas read a quiet task again only after a
/// minute, so everything that arrives in time came through the bus.
async fn replicas_agree(bus: &str) {
    tokio::time::timeout(Duration::from_secs(30), replicas_agree_in_time(bus))
        .await
        .expect("the bus carries the news in time");
}

async fn replicas_agree_in_time(bus: &str) {
    let _one_at_a_time = ONE_AT_A_TIME.lock().await;
    let url = databases::postgres_url().await;
    let start = || Replica::start(&url, bus, NOTES_ONLY, DEFAULT_LEASE);
    let replicas = [start(), start(), start()];
    let [a, b, c] = [&replicas[0].base, &replicas[1].base, &replicas[2].base];
    let http = http();

    // A streamed send on A; subscriptions on B and C see what A's stream shows.
    let (full, subscribed_b, subscribed_c) = {
        let response = start_stream(&http, a, "stream 12 100").await;
        let (tell, told) = tokio::sync::oneshot::channel();
        let stream = tokio::spawn(frames_telling(response, None, Some(tell)));
        let (_, id) = told.await.expect("the stream's first frame");
        let (on_b, on_c) = tokio::join!(subscribe(&http, b, &id, None), subscribe(&http, c, &id, None));
        (stream.await.unwrap(), on_b, on_c)
    };
    assert_eq!(
        state(&full.last().unwrap().1),
        Some(TaskState::Completed),
        "{bus}"
    );
    let ids: Vec<u64> = full.iter().map(|(id, _)| *id).collect();
    assert!(
        ids.windows(2).all(|w| w[1] == w[0] + 1),
        "{bus}: A's stream has no gap: {ids:?}"
    );
    assert_suffix(&full, &subscribed_b, &format!("{bus}: B"));
    assert_suffix(&full, &subscribed_c, &format!("{bus}: C"));

    // A stream dropped on A after a few events resumes on B with nothing lost.
    let head = frames(start_stream(&http, a, "stream 8 100").await, Some(4)).await;
    let id = task_of(&head);
    let last = head.last().unwrap().0;
    let tail = subscribe(&http, b, &id, Some(last)).await;
    let resumed: Vec<u64> = head.iter().chain(&tail).map(|(id, _)| *id).collect();
    assert_eq!(
        resumed,
        (1..=resumed.len() as u64).collect::<Vec<_>>(),
        "{bus}: every event once"
    );
    assert_eq!(
        state(&tail.last().unwrap().1),
        Some(TaskState::Completed),
        "{bus}"
    );

    // A cancel sent to B reaches the run on A.
    let held = send(&http, a, "hold", true).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let response = http
        .post(format!("{b}/tasks/{}:cancel", held.id))
        .header("a2a-version", "1.0")
        .json(&serde_json::json!({}))
        .send()
        .await
        .unwrap();
    assert!(
        response.status().is_success(),
        "{bus}: cancel {}",
        response.status()
    );
    let deadline = Instant::now() + Duration::from_secs(10);
    while !replicas[0].said(&format!("canceled {}", held.id)) {
        assert!(Instant::now() < deadline, "{bus}: the run on A heard the cancel");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }

    // Every replica reads the same tasks.
    let tasks: Vec<Task> =
        futures_util::future::join_all([a, b, c].map(|base| get_task(&http, base, &held.id))).await;
    assert!(
        tasks.iter().all(|t| t.status.state == TaskState::Canceled),
        "{bus}"
    );
    assert!(tasks.windows(2).all(|w| w[0] == w[1]), "{bus}: GetTask agrees");
    let lists: Vec<serde_json::Value> = futures_util::future::join_all([a, b, c].map(|base| {
        let http = http.clone();
        async move {
            http.get(format!("{base}/tasks?pageSize=100"))
                .header("a2a-version", "1.0")
                .send()
                .await
                .unwrap()
                .json::<serde_json::Value>()
                .await
                .unwrap()
        }
    }))
    .await;
    assert!(lists.windows(2).all(|w| w[0] == w[1]), "{bus}: ListTasks agrees");
}

/// A replica killed mid-task: the task ends failed, its subscriber on
/// another replica hears of it, and the survivors keep serving.
async fn a_killed_replica_leaves_a_failed_task(bus: &str) {
    let _one_at_a_time = ONE_AT_A_TIME.lock().await;
    let url = databases::postgres_url().await;
    let mut a = Replica::start(&url, bus, QUICK, SHORT_LEASE);
    let b = Replica::start(&url, bus, QUICK, SHORT_LEASE);
    let http = http();
    let task = send(&http, &a.base, "forever", true).await;
    // Long quiet runs on B, one of them after asking for input: alive, so
    // never taken for abandoned, however long their status stays the same.
    let quiet_run = send(&http, &b.base, "stream 1 6000", true).await;
    let paused_run = send(&http, &b.base, "pause 6000", true).await;
    let subscription = {
        let (http, base, id) = (http.clone(), b.base.clone(), task.id.clone());
        tokio::spawn(async move { subscribe(&http, &base, &id, None).await })
    };
    tokio::time::sleep(Duration::from_millis(500)).await;
    a.kill();
    let frames = tokio::time::timeout(Duration::from_secs(30), subscription)
        .await
        .expect("the subscriber on B does not wait forever")
        .unwrap();
    let last = &frames.last().unwrap().1;
    assert_eq!(state(last), Some(TaskState::Failed), "{bus}: {last:?}");
    assert_eq!(
        get_task(&http, &b.base, &task.id).await.status.state,
        TaskState::Failed
    );
    let next = send(&http, &b.base, "stream 1 0", false).await;
    assert_eq!(next.status.state, TaskState::Completed, "{bus}: B keeps serving");
    for run in [quiet_run, paused_run] {
        let deadline = Instant::now() + Duration::from_secs(30);
        let state = loop {
            let state = get_task(&http, &b.base, &run.id).await.status.state;
            if state.is_terminal() || Instant::now() > deadline {
                break state;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        };
        assert_eq!(state, TaskState::Completed, "{bus}: a live run is not failed");
    }
}

/// Many streamed tasks over three replicas, each followed on the next
/// replica from its first event on: every follower gets every later event
/// once, in order, whether it joins while the task runs or after it ended.
async fn many_tasks_reach_every_subscriber_once(bus: &str, tasks: usize) {
    let _one_at_a_time = ONE_AT_A_TIME.lock().await;
    let url = databases::postgres_url().await;
    let start = || Replica::start(&url, bus, NOTES_ONLY, DEFAULT_LEASE);
    let replicas = [start(), start(), start()];
    let bases: Vec<String> = replicas.iter().map(|r| r.base.clone()).collect();
    let http = http();
    let started = Instant::now();
    let mut runs = tokio::task::JoinSet::new();
    for i in 0..tasks {
        let (http, on, follow) = (http.clone(), bases[i % 3].clone(), bases[(i + 1) % 3].clone());
        runs.spawn(async move {
            let response = start_stream(&http, &on, "stream 4 100").await;
            let (tell, told) = tokio::sync::oneshot::channel();
            let full = tokio::spawn(frames_telling(response, None, Some(tell)));
            let (first, id) = told.await.expect("a first frame");
            let followed = subscribe(&http, &follow, &id, Some(first)).await;
            let full = full.await.unwrap();
            (full, followed)
        });
    }
    let mut checked = 0;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(240);
    while let Some(run) = tokio::time::timeout_at(deadline, runs.join_next())
        .await
        .expect("every task streamed and followed in time")
    {
        let (full, followed) = run.unwrap();
        assert_eq!(
            state(&full.last().unwrap().1),
            Some(TaskState::Completed),
            "{bus}"
        );
        assert_eq!(
            followed.as_slice(),
            &full[1..],
            "{bus}: the follower got every event once, in order"
        );
        checked += 1;
    }
    assert_eq!(checked, tasks);
    println!(
        "{bus}: {tasks} streamed tasks over 3 replicas, each followed on another: {:?}",
        started.elapsed()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_bus_replicas_agree() {
    replicas_agree("postgres").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_bus_a_killed_replica_leaves_a_failed_task() {
    a_killed_replica_leaves_a_failed_task("postgres").await;
}

/// The listening connections die mid-task: a replica that reconnects reads
/// its followed tasks again, so its subscriber misses nothing, although
/// notes sent while it was away are lost.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_bus_recovers_what_a_lost_listener_missed() {
    let _one_at_a_time = ONE_AT_A_TIME.lock().await;
    let url = databases::postgres_url().await;
    let (a, b) = (
        Replica::start(&url, "postgres", NOTES_ONLY, DEFAULT_LEASE),
        Replica::start(&url, "postgres", NOTES_ONLY, DEFAULT_LEASE),
    );
    let http = http();
    let response = start_stream(&http, &a.base, "stream 20 100").await;
    let (tell, told) = tokio::sync::oneshot::channel();
    let full = tokio::spawn(frames_telling(response, None, Some(tell)));
    let (first, id) = told.await.unwrap();
    let followed = {
        let (http, base, id) = (http.clone(), b.base.clone(), id.clone());
        tokio::spawn(async move { subscribe(&http, &base, &id, Some(first)).await })
    };
    tokio::time::sleep(Duration::from_millis(500)).await;
    // Only this test's listeners: their channels carry its schema's name.
    let pool = sqlx::PgPool::connect(&url).await.unwrap();
    let schema: String = sqlx::query_scalar("SELECT current_schema()")
        .fetch_one(&pool)
        .await
        .unwrap();
    let killed: Vec<bool> = sqlx::query_scalar(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
         WHERE query LIKE 'LISTEN%' AND query LIKE '%' || $1 || '%' AND pid <> pg_backend_pid()",
    )
    .bind(&schema)
    .fetch_all(&pool)
    .await
    .unwrap();
    assert!(!killed.is_empty(), "listening connections were found");
    let full = full.await.unwrap();
    let followed = tokio::time::timeout(Duration::from_secs(20), followed)
        .await
        .expect("the follower is not left waiting")
        .unwrap();
    assert_eq!(followed.as_slice(), &full[1..], "nothing missed");
    drop((a, b));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_bus_many_tasks_reach_every_subscriber_once() {
    many_tasks_reach_every_subscriber_once("postgres", 1000).await;
}

/// The bus of one NATS test: subjects and a stream of its own, named after
/// this process, so that tests run side by side; streams left by test
/// processes that are gone are deleted first.
#[cfg(feature = "nats")]
async fn nats_bus() -> String {
    let server = std::env::var("A2AKIT_TEST_NATS_URL").unwrap_or_else(|_| "nats://127.0.0.1:4222".into());
    let client = async_nats::connect(&server).await.expect("the NATS server");
    let context = async_nats::jetstream::new(client);
    let names: Vec<String> = context
        .stream_names()
        .filter_map(|n| async { n.ok() })
        .collect()
        .await;
    for name in names {
        let pid = name
            .strip_prefix("A2AKIT_T_")
            .and_then(|rest| rest.split('_').next())
            .and_then(|pid| pid.parse::<u32>().ok());
        if pid.is_some_and(|pid| !std::path::Path::new(&format!("/proc/{pid}")).exists()) {
            let _ = context.delete_stream(&name).await;
        }
    }
    format!(
        "nats:{server}|a2akit_t_{}_{}",
        std::process::id(),
        uuid::Uuid::new_v4().simple()
    )
}

#[cfg(feature = "nats")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nats_bus_replicas_agree() {
    replicas_agree(&nats_bus().await).await;
}

#[cfg(feature = "nats")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nats_bus_a_killed_replica_leaves_a_failed_task() {
    a_killed_replica_leaves_a_failed_task(&nats_bus().await).await;
}

#[cfg(feature = "nats")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nats_bus_many_tasks_reach_every_subscriber_once() {
    many_tasks_reach_every_subscriber_once(&nats_bus().await, 1000).await;
}

/// A replica that never hears the others' notes (another NATS prefix) still
/// stops a run canceled elsewhere: it checks its runs' tasks in the store.
#[cfg(feature = "nats")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cancel_whose_note_is_lost_still_stops_the_run() {
    let _one_at_a_time = ONE_AT_A_TIME.lock().await;
    let url = databases::postgres_url().await;
    let (deaf, other) = (nats_bus().await, nats_bus().await);
    let a = Replica::start(&url, &deaf, QUICK, DEFAULT_LEASE);
    let b = Replica::start(&url, &other, QUICK, DEFAULT_LEASE);
    let http = http();
    let held = send(&http, &a.base, "hold", true).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let response = http
        .post(format!("{}/tasks/{}:cancel", b.base, held.id))
        .header("a2a-version", "1.0")
        .json(&serde_json::json!({}))
        .send()
        .await
        .unwrap();
    assert!(response.status().is_success(), "cancel {}", response.status());
    let deadline = Instant::now() + Duration::from_secs(10);
    while !a.said(&format!("canceled {}", held.id)) {
        assert!(Instant::now() < deadline, "the run on A stopped without the note");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}
