//! A graceful shutdown on SIGTERM: an agent process on SQLite with open
//! streams and running tasks ends its streams cleanly, lets the short task
//! finish, fails the long one, and exits within its grace period; started
//! again on the same database, it holds every event a client was sent.
//!
//! The agent is this test binary started again in agent mode (see
//! [`agent_process`]).
#![cfg(all(feature = "sqlite", feature = "client"))]

mod support;

use std::io::{BufRead as _, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use a2akit::server::RequestHandler;
use a2akit::server::http::{Routes, Shutdown, serve_with_shutdown};
use a2akit::server::store::sql::SqlStore;
use a2akit::types::{AgentCard, Message, SendMessageRequest, StreamResponse, TaskState, binding};
use support::agents::Paced;
use support::sse::{Frame, get_task, read_frames, task_of};

const STORE_VAR: &str = "A2AKIT_TEST_SHUTDOWN_STORE";
const GRACE: Duration = Duration::from_millis(1500);

/// Not a test of its own: the agent process the test starts. Without the
/// variable naming its store, it does nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn agent_process() {
    let Ok(url) = std::env::var(STORE_VAR) else {
        return;
    };
    let store = SqlStore::connect(&url).await.expect("the agent's store");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let card = AgentCard::builder()
        .name("paced")
        .description("takes its time")
        .interface(&base, binding::HTTP_JSON)
        .streaming(true)
        .build();
    let handler = RequestHandler::builder(card, Paced)
        .run_ownership(store.run_ownership())
        .store(store)
        .build();
    let routes = Routes::new(handler.clone());
    let app = routes.all("/jsonrpc").merge(routes.health());
    println!("agent listening on {base}");
    let shutdown = Shutdown::on_signal().handler(&handler).grace(GRACE);
    serve_with_shutdown(listener, app, shutdown).await.unwrap();
    println!("agent stopped");
}

struct Agent {
    child: Child,
    base: String,
}

impl Agent {
    fn start(store: &str) -> Agent {
        let mut child = Command::new(std::env::current_exe().unwrap())
            .args(["agent_process", "--exact", "--nocapture", "--test-threads", "1"])
            .env(STORE_VAR, store)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("an agent process");
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let base = loop {
            let line = lines.next().expect("the agent printed its address").unwrap();
            if let Some((_, base)) = line.split_once("agent listening on ") {
                break base.to_owned();
            }
        };
        std::thread::spawn(move || for _ in lines.map_while(Result::ok) {});
        Agent { child, base }
    }

    fn terminate(&self) {
        let status = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .expect("kill");
        assert!(status.success());
    }

    /// Waits for the process to exit; how long it took.
    fn wait_exit(&mut self, limit: Duration) -> Duration {
        let started = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                assert!(status.success(), "the agent exited with {status}");
                return started.elapsed();
            }
            assert!(
                started.elapsed() < limit,
                "the agent is still running after {limit:?}"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Agent {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Reads SSE frames until the stream ends, saying so once three are in.
async fn frames(response: reqwest::Response, told: tokio::sync::oneshot::Sender<()>) -> Vec<Frame> {
    let mut told = Some(told);
    read_frames(response, |frames| {
        if frames.len() >= 3 {
            if let Some(told) = told.take() {
                let _ = told.send(());
            }
        }
        true
    })
    .await
}

fn post(http: &reqwest::Client, url: String, text: &str) -> reqwest::RequestBuilder {
    http.post(url)
        .header("a2a-version", "1.0")
        .json(&SendMessageRequest::new(Message::user(text)))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_ends_streams_cleanly_finishes_what_it_can_and_loses_nothing() {
    let dir = std::env::temp_dir().join(format!("a2akit-shutdown-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    let store = format!("sqlite://{}?mode=rwc", dir.join("tasks.db").display());
    let mut agent = Agent::start(&store);
    let base = agent.base.clone();
    let http = reqwest::Client::new();

    // A long streamed task (never done within the grace), a short streamed
    // one and a short blocking send (both done within it).
    let (long_told, long_ready) = tokio::sync::oneshot::channel();
    let long = tokio::spawn(frames(
        post(&http, format!("{base}/message:stream"), "100 50")
            .send()
            .await
            .unwrap(),
        long_told,
    ));
    let (short_told, short_ready) = tokio::sync::oneshot::channel();
    let short = tokio::spawn(frames(
        post(&http, format!("{base}/message:stream"), "12 50")
            .send()
            .await
            .unwrap(),
        short_told,
    ));
    long_ready.await.unwrap();
    short_ready.await.unwrap();
    let blocking = tokio::spawn(post(&http, format!("{base}/message:send"), "6 100").send());
    tokio::time::sleep(Duration::from_millis(100)).await;

    agent.terminate();
    let signalled = Instant::now();

    // Streams end at once and cleanly, short of their last events.
    let long = tokio::time::timeout(Duration::from_secs(1), long)
        .await
        .expect("the long stream ends at the signal")
        .unwrap();
    let short = tokio::time::timeout(Duration::from_secs(1), short)
        .await
        .expect("the short stream ends at the signal")
        .unwrap();
    assert!(signalled.elapsed() < GRACE);
    for frames in [&long, &short] {
        assert!(frames.len() >= 3);
        assert!(
            frames.windows(2).all(|w| w[1].0 == w[0].0 + 1),
            "ids in order, no gap"
        );
    }
    // The blocking send still gets its finished task.
    let answer = blocking.await.unwrap().expect("the blocking send is answered");
    assert!(answer.status().is_success(), "{}", answer.status());
    let answer: serde_json::Value = answer.json().await.unwrap();
    assert_eq!(
        answer["task"]["status"]["state"], "TASK_STATE_COMPLETED",
        "{answer}"
    );
    let blocking_id = answer["task"]["id"].as_str().unwrap().to_owned();

    // The process exits within the grace period and a little.
    let took = agent.wait_exit(GRACE + Duration::from_secs(8));
    assert!(
        signalled.elapsed() < GRACE + Duration::from_secs(3),
        "exited {took:?} after waiting, {:?} after the signal",
        signalled.elapsed()
    );

    // Again on the same database: everything sent to a client is there.
    let agent = Agent::start(&store);
    let base = agent.base.clone();
    let (long_id, short_id) = (task_of(&long), task_of(&short));
    let long_task = get_task(&http, &base, &long_id).await;
    assert_eq!(long_task.status.state, TaskState::Failed, "{long_task:?}");
    let why = long_task
        .status
        .message
        .as_ref()
        .map(Message::text)
        .unwrap_or_default();
    assert!(why.contains("shut down"), "{why}");
    let short_task = get_task(&http, &base, &short_id).await;
    assert_eq!(short_task.status.state, TaskState::Completed);
    assert_eq!(
        short_task.artifacts.len(),
        12,
        "the short task finished in the grace period"
    );
    let blocking_task = get_task(&http, &base, &blocking_id).await;
    assert_eq!(blocking_task.status.state, TaskState::Completed);
    for (task, frames) in [(&long_task, &long), (&short_task, &short)] {
        for (_, event) in frames.iter() {
            if let StreamResponse::ArtifactUpdate(update) = event {
                assert!(
                    task.artifacts
                        .iter()
                        .any(|a| a.artifact_id == update.artifact.artifact_id),
                    "artifact {} was sent but not stored",
                    update.artifact.artifact_id
                );
            }
        }
    }
    drop(agent);
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn readiness_turns_unavailable_when_shutdown_begins() {
    let card = AgentCard::builder().name("paced").description("d").build();
    let handler = RequestHandler::builder(card, Paced).build();
    let app = Routes::new(handler.clone()).health();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(a2akit::server::serve(listener, app));
    let http = reqwest::Client::new();
    let status = |path: &'static str| {
        let (http, base) = (http.clone(), base.clone());
        async move {
            http.get(format!("{base}{path}"))
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }
    };
    assert_eq!(status("/healthz").await, 200);
    assert_eq!(status("/readyz").await, 200);
    assert_eq!(handler.shutdown(Duration::ZERO).await, 0);
    assert!(handler.is_shutting_down());
    assert_eq!(status("/readyz").await, 503);
    assert_eq!(status("/healthz").await, 200);
}
