//! Several agent replicas on one PostgreSQL database, each on its own port,
//! sharing their events through the PostgreSQL bus (or NATS JetStream with
//! `--bus nats`): any replica streams, resumes, cancels and answers for a
//! task any other one runs.
//!
//! ```sh
//! # three conformance agents as replicas, until Ctrl-C; talk to any of them
//! cargo run --example replicas --features postgres -- --serve 3
//! # figures: event latency across replicas, SendMessage throughput with 1, 2 and 3
//! cargo run --release --example replicas --features postgres,nats -- --bench [--bus nats]
//! ```
//!
//! `--store URL` names the database (default: the local server's `test`
//! database, in a schema `a2akit_replicas` this example empties first).
//! The replicas run in this one process, each with its own pool, bus and
//! handler, exactly as they would in processes of their own. With
//! `--serve` they are the conformance agent (`examples/conformance/`);
//! for `--bench`, a message `stream N MS` makes a task that reports N
//! artifacts MS ms apart, and any other text completes at once.

#[path = "common/args.rs"]
mod args;
#[path = "conformance/executor.rs"]
mod conformance;

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use a2akit::Error;
use a2akit::server::bus::PgEventBus;
use a2akit::server::store::sql::SqlStoreOptions;
use a2akit::server::{self, AgentExecutor, RequestContext, RequestHandler, TaskUpdater};
use a2akit::types::{AgentCard, Artifact, Message, SendMessageRequest, binding};
use futures_util::StreamExt as _;

struct Paced;

impl AgentExecutor for Paced {
    async fn execute(&self, context: RequestContext, updater: TaskUpdater) -> Result<(), Error> {
        let text = context.message.text();
        if let ["stream", n, ms] = text.split_whitespace().collect::<Vec<_>>().as_slice() {
            let (n, ms): (u64, u64) = (n.parse().unwrap_or(1), ms.parse().unwrap_or(0));
            updater.start_work().await?;
            for i in 0..n {
                tokio::time::sleep(Duration::from_millis(ms)).await;
                updater.add_artifact(Artifact::text(format!("a{i}"), "x")).await?;
            }
        }
        updater.complete().await
    }
}

/// The database URL, in the schema the replicas use (emptied first).
async fn database() -> String {
    let base = args::arg("--store").unwrap_or_else(|| "postgres://postgres@127.0.0.1:5432/test".into());
    let pool = sqlx::PgPool::connect(&base).await.expect("the database");
    for statement in [
        "DROP SCHEMA IF EXISTS a2akit_replicas CASCADE",
        "CREATE SCHEMA a2akit_replicas",
    ] {
        sqlx::query(statement).execute(&pool).await.expect("the schema");
    }
    let separator = if base.contains('?') { '&' } else { '?' };
    format!("{base}{separator}options=-c%20search_path%3Da2akit_replicas")
}

/// Starts one replica (the conformance agent, or the paced one the bench
/// drives); returns its base URL.
async fn replica(url: &str, conformance_agent: bool) -> String {
    let store = SqlStoreOptions::new()
        .max_connections(8)
        .connect(url)
        .await
        .expect("the replica's store");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let builder = if conformance_agent {
        conformance::builder(&base)
    } else {
        let card = AgentCard::builder()
            .name("replica")
            .description("one of several on one database")
            .interface(format!("{base}/"), binding::JSONRPC)
            .interface(&base, binding::HTTP_JSON)
            .streaming(true)
            .build();
        RequestHandler::builder(card, Paced)
    };
    let builder = builder.run_ownership(store.run_ownership());
    let builder = match args::arg("--bus").as_deref() {
        #[cfg(feature = "nats")]
        Some("nats") => {
            let server = args::arg("--nats").unwrap_or_else(|| "nats://127.0.0.1:4222".into());
            let bus = a2akit::server::bus::NatsEventBus::connect(&server, store.clone())
                .await
                .expect("the NATS bus");
            builder.event_bus(bus)
        }
        #[cfg(not(feature = "nats"))]
        Some("nats") => panic!("--bus nats needs the nats feature"),
        _ => builder.event_bus(PgEventBus::connect(&store).await.expect("the PostgreSQL bus")),
    };
    let handler = builder.store(store).build();
    tokio::spawn(server::serve(listener, server::http::router(handler)));
    base
}

#[tokio::main]
async fn main() {
    let url = database().await;
    if let Some(n) = args::arg("--serve") {
        for _ in 0..n.parse::<usize>().expect("--serve takes a number") {
            println!("replica listening on {}", replica(&url, true).await);
        }
        tokio::signal::ctrl_c().await.unwrap();
        return;
    }
    let replicas = [
        replica(&url, false).await,
        replica(&url, false).await,
        replica(&url, false).await,
    ];
    latency(&replicas).await;
    let seconds = args::arg("--seconds").and_then(|s| s.parse().ok()).unwrap_or(5);
    for n in 1..=3 {
        let rate = throughput(&replicas[..n], seconds).await;
        println!("SendMessage over {n} replica(s), 16 connections: {rate:.0} req/s");
    }
}

fn http() -> reqwest::Client {
    reqwest::Client::builder()
        .pool_max_idle_per_host(64)
        .build()
        .unwrap()
}

/// When each SSE frame (by id) arrived.
async fn arrivals(
    response: reqwest::Response,
    mut first: Option<tokio::sync::oneshot::Sender<String>>,
) -> Vec<(u64, Instant)> {
    let mut body = response.bytes_stream();
    let (mut buffer, mut out) = (String::new(), Vec::new());
    while let Some(chunk) = body.next().await {
        let at = Instant::now();
        buffer.push_str(&String::from_utf8_lossy(&chunk.expect("the stream reads")));
        while let Some(end) = buffer.find("\n\n") {
            let frame: String = buffer.drain(..end + 2).collect();
            let id = frame
                .lines()
                .find_map(|l| l.strip_prefix("id:"))
                .and_then(|v| v.trim().parse().ok());
            if let Some(id) = id {
                if let Some(tell) = first.take() {
                    let data = frame
                        .lines()
                        .find_map(|l| l.strip_prefix("data:"))
                        .unwrap_or_default();
                    let value: serde_json::Value = serde_json::from_str(data.trim()).unwrap_or_default();
                    let _ = tell.send(value["task"]["id"].as_str().unwrap_or_default().to_owned());
                }
                out.push((id, at));
            }
        }
    }
    out
}

async fn open(
    http: &reqwest::Client,
    url: String,
    body: Option<String>,
    last: Option<u64>,
) -> reqwest::Response {
    let mut request = http
        .post(url)
        .header("a2a-version", "1.0")
        .header("accept", "text/event-stream")
        .header("content-type", "application/json");
    if let Some(last) = last {
        request = request.header("last-event-id", last.to_string());
    }
    request
        .body(body.unwrap_or_else(|| "{}".into()))
        .send()
        .await
        .expect("a stream")
}

/// Runs streamed tasks on the first replica, followed on it and on the
/// second; prints how much later than the running replica's own stream
/// each follower gets every event.
async fn latency(replicas: &[String]) {
    let http = http();
    let (mut same, mut cross) = (Vec::new(), Vec::new());
    for _ in 0..50 {
        let request = serde_json::to_string(&SendMessageRequest::new(Message::user("stream 20 10"))).unwrap();
        let response = open(
            &http,
            format!("{}/message:stream", replicas[0]),
            Some(request),
            None,
        )
        .await;
        let (tell, told) = tokio::sync::oneshot::channel();
        let origin = tokio::spawn(arrivals(response, Some(tell)));
        let id = told.await.expect("a task");
        let follow = |base: &str| {
            let (http, url) = (http.clone(), format!("{base}/tasks/{id}:subscribe"));
            async move { arrivals(open(&http, url, None, Some(1)).await, None).await }
        };
        let (on_same, on_other) = tokio::join!(follow(&replicas[0]), follow(&replicas[1]));
        let origin = origin.await.unwrap();
        for (list, into) in [(on_same, &mut same), (on_other, &mut cross)] {
            for (id, at) in list {
                if let Some((_, first)) = origin.iter().find(|(o, _)| *o == id) {
                    into.push(at.saturating_duration_since(*first));
                }
            }
        }
    }
    for (name, mut delays) in [("same replica", same), ("another replica", cross)] {
        delays.sort();
        let pick = |q: f64| delays[((delays.len() - 1) as f64 * q) as usize];
        println!(
            "events followed on {name}: {} events, later than the running replica's stream by p50 {:.2?}, p99 {:.2?}",
            delays.len(),
            pick(0.5),
            pick(0.99)
        );
    }
}

/// Blocking SendMessage requests per second, from 16 loops spread over `replicas`.
async fn throughput(replicas: &[String], seconds: u64) -> f64 {
    let http = http();
    let body = serde_json::to_string(&SendMessageRequest::new(Message::user("hello"))).unwrap();
    let done = Arc::new(AtomicU64::new(0));
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let loops: Vec<_> = (0..16)
        .map(|i| {
            let (http, body, done) = (http.clone(), body.clone(), Arc::clone(&done));
            let url = format!("{}/message:send", replicas[i % replicas.len()]);
            tokio::spawn(async move {
                while Instant::now() < deadline {
                    let response = http
                        .post(&url)
                        .header("a2a-version", "1.0")
                        .header("content-type", "application/json")
                        .body(body.clone())
                        .send()
                        .await
                        .expect("a request");
                    assert!(response.status().is_success());
                    let _ = response.bytes().await;
                    done.fetch_add(1, Ordering::Relaxed);
                }
            })
        })
        .collect();
    for task in loops {
        task.await.unwrap();
    }
    done.load(Ordering::Relaxed) as f64 / seconds as f64
}
