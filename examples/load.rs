//! A load generator: JSON-RPC `SendMessage` and `SendStreamingMessage` on an
//! echo agent, each next to a floor, a minimal axum handler that parses the
//! same request into `serde_json::Value` and answers the same bytes, in the
//! same run, over loopback.
//!
//! ```sh
//! cargo run --release --example load -- --seconds 5 --connections 32
//! ```
//!
//! Prints requests (or events) per second for ours and for the floor, and
//! the ratio; `--only send`, `--only stream` or `--only client` runs one
//! scenario (`client`: our client's round trip against a bare reqwest POST;
//! `grpc`, with the `grpc` feature: gRPC next to JSON-RPC). Client and
//! servers share the machine, the same way for both. `--chunks N` sets the
//! artifact chunks of each stream (default 50).
//!
//! `--only serve` starts the echo agent and the floor and prints their URLs
//! and the request body, for an external load generator such as `oha`:
//!
//! ```sh
//! oha -z 10s -c 16 -m POST -H 'A2A-Version: 1.0' -H 'Content-Type: application/json' -d "$BODY" "$URL"
//! ```

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use a2akit::Error;
use a2akit::server::{self, AgentExecutor, RequestContext, RequestHandler, TaskUpdater};
use a2akit::types::{AgentCard, Artifact, binding};
use axum::body::{Body, Bytes};
use axum::response::Response;
use axum::response::sse::{Event, Sse};
use axum::routing::post;
use futures_util::StreamExt as _;

/// Answers with its input as an artifact, as fast as it can.
struct Echo {
    chunks: usize,
}

impl AgentExecutor for Echo {
    async fn execute(&self, context: RequestContext, updater: TaskUpdater) -> Result<(), Error> {
        let text = context.message.text();
        if self.chunks == 0 {
            updater.add_artifact(Artifact::text("echo", text)).await?;
        } else {
            updater.start_work().await?;
            for i in 0..self.chunks {
                updater
                    .stream_artifact(Artifact::text("echo", text.clone()), i > 0, i + 1 == self.chunks)
                    .await?;
            }
        }
        updater.complete().await
    }
}

fn arg(name: &str, default: u64) -> u64 {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

async fn listen(app: axum::Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}/", listener.local_addr().unwrap());
    tokio::spawn(server::serve(listener, app));
    base
}

async fn ours(chunks: usize) -> String {
    let card = AgentCard::builder()
        .name("Echo")
        .description("echo")
        .interface("http://127.0.0.1/", binding::JSONRPC)
        .streaming(true)
        .build();
    // The store holds at most 10,000 finished tasks and evicts the oldest.
    let handler = RequestHandler::builder(card, Echo { chunks }).build();
    listen(server::http::Routes::new(handler).jsonrpc("/")).await
}

/// A handler that parses the body into `Value` and answers `reply`.
async fn floor(reply: Bytes) -> String {
    let app = axum::Router::new().route(
        "/",
        post(move |body: Bytes| {
            let reply = reply.clone();
            async move {
                let value: serde_json::Value = serde_json::from_slice(&body).expect("valid JSON");
                std::hint::black_box(value);
                let mut response = Response::new(Body::from(reply));
                response
                    .headers_mut()
                    .insert("content-type", "application/json".parse().unwrap());
                response
            }
        }),
    );
    listen(app).await
}

/// An axum SSE handler that parses the body into `Value` and streams the
/// `data` of `frames`, one event each.
async fn sse_floor(frames: Bytes) -> String {
    let text = String::from_utf8(frames.to_vec()).unwrap();
    let events: Arc<Vec<String>> = Arc::new(
        text.split("\n\n")
            .filter_map(|block| block.lines().find_map(|line| line.strip_prefix("data: ")))
            .map(str::to_owned)
            .collect(),
    );
    let app = axum::Router::new().route(
        "/",
        post(move |body: Bytes| {
            let events = Arc::clone(&events);
            async move {
                let value: serde_json::Value = serde_json::from_slice(&body).expect("valid JSON");
                std::hint::black_box(value);
                let stream = futures_util::stream::iter((0..events.len()).map(move |i| {
                    Ok::<_, std::convert::Infallible>(Event::default().data(events[i].clone()))
                }));
                Sse::new(stream)
            }
        }),
    );
    listen(app).await
}

fn request_body(method: &str) -> String {
    let text = "The quick brown fox jumps over the lazy dog. ".repeat(4);
    serde_json::json!({
        "jsonrpc": "2.0", "id": 1, "method": method,
        "params": {"message": {"messageId": "m-1", "role": "ROLE_USER", "parts": [{"text": text}]}}
    })
    .to_string()
}

/// Sends `body` to `url` from `connections` loops for `seconds`; returns
/// completed requests and, for streams, the SSE events received.
async fn drive(url: &str, body: &str, connections: u64, seconds: u64) -> (u64, u64) {
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(connections as usize)
        .build()
        .unwrap();
    let requests = Arc::new(AtomicU64::new(0));
    let events = Arc::new(AtomicU64::new(0));
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let mut loops = Vec::new();
    for _ in 0..connections {
        let (client, url, body) = (client.clone(), url.to_owned(), body.to_owned());
        let (requests, events) = (Arc::clone(&requests), Arc::clone(&events));
        loops.push(tokio::spawn(async move {
            while Instant::now() < deadline {
                let response = client
                    .post(&url)
                    .header("A2A-Version", "1.0")
                    .header("Content-Type", "application/json")
                    .body(body.clone())
                    .send()
                    .await
                    .expect("request");
                assert!(response.status().is_success());
                let mut stream = response.bytes_stream();
                let mut count = 0;
                while let Some(chunk) = stream.next().await {
                    count += chunk.expect("body").windows(2).filter(|w| w == b"\n\n").count() as u64;
                }
                events.fetch_add(count, Ordering::Relaxed);
                requests.fetch_add(1, Ordering::Relaxed);
            }
        }));
    }
    for task in loops {
        task.await.unwrap();
    }
    (requests.load(Ordering::Relaxed), events.load(Ordering::Relaxed))
}

/// Alternates three runs against each server and keeps each one's best
/// count (`pick` chooses requests or events), so that a passing disturbance
/// of this shared machine does not decide the comparison.
async fn best_of_three(
    ours: &str,
    floor: &str,
    body: &str,
    connections: u64,
    seconds: u64,
    pick: fn((u64, u64)) -> u64,
) -> (u64, u64) {
    let (mut best_ours, mut best_floor) = (0, 0);
    for _ in 0..3 {
        best_ours = best_ours.max(pick(drive(ours, body, connections, seconds).await));
        best_floor = best_floor.max(pick(drive(floor, body, connections, seconds).await));
    }
    (best_ours, best_floor)
}

/// One real answer of ours, to make the floor answer the same bytes.
async fn capture(url: &str, body: &str) -> Bytes {
    reqwest::Client::new()
        .post(url)
        .header("A2A-Version", "1.0")
        .header("Content-Type", "application/json")
        .body(body.to_owned())
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap()
}

#[tokio::main]
async fn main() {
    let seconds = arg("--seconds", 5);
    let scenarios = std::env::args()
        .skip_while(|a| a != "--only")
        .nth(1)
        .unwrap_or_else(|| "all".into());
    let connections = arg("--connections", 32);
    println!("{connections} connections, {seconds} s per run, loopback\n");

    if scenarios == "serve" {
        serve().await;
    }
    if scenarios == "all" || scenarios == "send" {
        send_message(seconds, connections).await;
    }
    if scenarios == "all" || scenarios == "stream" {
        send_streaming_message(seconds, connections, arg("--chunks", 50) as usize).await;
    }
    if scenarios == "all" || scenarios == "client" {
        client_round_trip(seconds, connections).await;
    }
    #[cfg(feature = "grpc")]
    if scenarios == "all" || scenarios == "grpc" {
        grpc_next_to_jsonrpc(seconds, connections).await;
    }
}

/// SendMessage on the echo agent through our client over gRPC and over
/// JSON-RPC, one server serving both on one port.
#[cfg(feature = "grpc")]
async fn grpc_next_to_jsonrpc(seconds: u64, connections: u64) {
    use a2akit::client::{Client, ClientFactory};
    use a2akit::types::{AgentInterface, Message, SendMessageRequest};

    let url = ours_all(0).await;
    let address = url.trim_start_matches("http://").trim_end_matches('/').to_owned();
    let factory = ClientFactory::new();
    let jsonrpc = factory
        .client_for_interface(AgentInterface::new(&url, binding::JSONRPC))
        .unwrap();
    let grpc = factory
        .client_for_interface(AgentInterface::new(&address, binding::GRPC))
        .unwrap();
    let request = SendMessageRequest::new(
        Message::user("The quick brown fox jumps over the lazy dog. ".repeat(4)).with_message_id("m-1"),
    );
    let run = |client: Client, seconds: u64| run_client(client, request.clone(), connections, seconds);
    run(grpc.clone(), 1).await;
    run(jsonrpc.clone(), 1).await;
    let (mut grpc_done, mut jsonrpc_done) = (0, 0);
    for _ in 0..3 {
        grpc_done = grpc_done.max(run(grpc.clone(), seconds).await);
        jsonrpc_done = jsonrpc_done.max(run(jsonrpc.clone(), seconds).await);
    }
    println!("SendMessage on the echo agent through our client, one server for both bindings");
    println!("  gRPC        {:>10.0} req/s", grpc_done as f64 / seconds as f64);
    println!(
        "  JSON-RPC    {:>10.0} req/s",
        jsonrpc_done as f64 / seconds as f64
    );
}

/// The echo agent with every binding on one port.
#[cfg(feature = "grpc")]
async fn ours_all(chunks: usize) -> String {
    let card = AgentCard::builder()
        .name("Echo")
        .description("echo")
        .streaming(true)
        .build();
    let handler = RequestHandler::builder(card, Echo { chunks }).build();
    listen(server::http::Routes::new(handler).all("/")).await
}

/// Our `Client::send_message` against a bare reqwest POST of the same bytes,
/// both to our echo agent over JSON-RPC.
async fn client_round_trip(seconds: u64, connections: u64) {
    let url = ours(0).await;
    let text = "The quick brown fox jumps over the lazy dog. ".repeat(4);
    let interface = a2akit::types::AgentInterface::new(&url, binding::JSONRPC);
    let client = a2akit::client::ClientFactory::new()
        .timeout(None)
        .client_for_interface(interface)
        .unwrap();
    let request =
        a2akit::types::SendMessageRequest::new(a2akit::types::Message::user(text).with_message_id("m-1"));
    let body = serde_json::to_string(
        &a2akit::jsonrpc::Request::new(1, a2akit::jsonrpc::Method::SendMessage, &request).unwrap(),
    )
    .unwrap();

    let run_ours = |seconds: u64| run_client(client.clone(), request.clone(), connections, seconds);
    run_ours(1).await;
    drive(&url, &body, connections, 1).await;
    // Alternate three rounds of each and keep each side's best, so that a
    // passing disturbance of the machine does not decide the comparison.
    let (mut ours_done, mut bare_done) = (0, 0);
    for _ in 0..3 {
        ours_done = ours_done.max(run_ours(seconds).await);
        bare_done = bare_done.max(drive(&url, &body, connections, seconds).await.0);
    }
    let (ours_rate, bare_rate) = (
        ours_done as f64 / seconds as f64,
        bare_done as f64 / seconds as f64,
    );
    println!("Client SendMessage round trip against the echo agent");
    println!("  a2akit Client  {ours_rate:>10.0} req/s");
    println!("  bare reqwest   {bare_rate:>10.0} req/s");
    println!(
        "  overhead       {:>10.1} %",
        (bare_rate / ours_rate - 1.0) * 100.0
    );
}

/// Serves the echo agent and the SendMessage floor until the process is killed.
async fn serve() {
    let body = request_body("SendMessage");
    let our_url = ours(0).await;
    let floor_url = floor(capture(&our_url, &body).await).await;
    println!("ours  {our_url}\nfloor {floor_url}\nbody  {body}");
    std::future::pending::<()>().await;
}

async fn send_message(seconds: u64, connections: u64) {
    let body = request_body("SendMessage");
    let our_url = ours(0).await;
    let reply = capture(&our_url, &body).await;
    let floor_url = floor(reply.clone()).await;
    drive(&our_url, &body, connections, 1).await; // warm-up
    drive(&floor_url, &body, connections, 1).await;
    let (ours_done, floor_done) =
        best_of_three(&our_url, &floor_url, &body, connections, seconds, |r| r.0).await;
    let (ours_rate, floor_rate) = (
        ours_done as f64 / seconds as f64,
        floor_done as f64 / seconds as f64,
    );
    println!("SendMessage ({} B request, {} B reply)", body.len(), reply.len());
    println!("  a2akit      {ours_rate:>10.0} req/s");
    println!("  axum floor  {floor_rate:>10.0} req/s");
    println!("  ratio       {:>10.2}\n", ours_rate / floor_rate);
}

async fn send_streaming_message(seconds: u64, connections: u64, chunks: usize) {
    let body = request_body("SendStreamingMessage");
    let our_url = ours(chunks).await;
    let frames = capture(&our_url, &body).await;
    let per_stream = frames.windows(2).filter(|w| w == b"\n\n").count();
    let floor_url = sse_floor(frames.clone()).await;
    drive(&our_url, &body, connections, 1).await;
    drive(&floor_url, &body, connections, 1).await;
    let (ours_events, floor_events) =
        best_of_three(&our_url, &floor_url, &body, connections, seconds, |r| r.1).await;
    let (ours_rate, floor_rate) = (
        ours_events as f64 / seconds as f64,
        floor_events as f64 / seconds as f64,
    );
    println!(
        "SendStreamingMessage ({per_stream} events, {} B per stream)",
        frames.len()
    );
    println!("  a2akit      {ours_rate:>10.0} events/s");
    println!("  axum floor  {floor_rate:>10.0} events/s");
    println!("  ratio       {:>10.2}", ours_rate / floor_rate);
}

/// Sends `request` through `client` from `connections` loops for `seconds`;
/// returns how many calls completed.
async fn run_client(
    client: a2akit::client::Client,
    request: a2akit::types::SendMessageRequest,
    connections: u64,
    seconds: u64,
) -> u64 {
    let done = Arc::new(AtomicU64::new(0));
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let loops: Vec<_> = (0..connections)
        .map(|_| {
            let (client, request, done) = (client.clone(), request.clone(), Arc::clone(&done));
            tokio::spawn(async move {
                while Instant::now() < deadline {
                    client.send_message(request.clone()).await.expect("send");
                    done.fetch_add(1, Ordering::Relaxed);
                }
            })
        })
        .collect();
    for task in loops {
        task.await.unwrap();
    }
    done.load(Ordering::Relaxed)
}
