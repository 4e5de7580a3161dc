//! What our client adds to a call: `Client::send_message` against a bare
//! reqwest POST of the same bytes, one call at a time, to a server that
//! answers every request with the same JSON-RPC reply (a finished task of
//! about 800 bytes), in one thread over loopback.
//!
//! `cargo bench --bench client` reports both round trips; their difference
//! is the client's own work: encoding the typed request, the protocol's
//! headers, reading the typed reply. The server's work is the same for
//! both and as small as it gets, so that the comparison is not lost in it.
//!
//! On a machine shared with others, times swing by tens of percent between
//! runs; counting instructions does not (`valgrind --tool=callgrind` on the
//! bench binary with `--bench --profile-time N "a2akit Client"`, and the
//! same for `"bare reqwest"`, at two values of N: the difference between
//! the two counts, over the difference in calls, is the cost of one call).

use std::hint::black_box;

use a2akit::client::ClientFactory;
use a2akit::jsonrpc::{Id, Method, Request, Response};
use a2akit::types::{
    AgentInterface, Artifact, Message, SendMessageRequest, SendMessageResponse, Task, TaskState, TaskStatus,
    binding,
};
use axum::body::Bytes;
use axum::routing::post;
use criterion::{Criterion, criterion_group, criterion_main};

/// Serves `reply` to every POST on `/`; returns the base URL.
async fn canned(reply: Bytes) -> String {
    let app = axum::Router::new().route(
        "/",
        post(move |body: Bytes| {
            black_box(body);
            let reply = reply.clone();
            async move { ([("content-type", "application/json")], reply) }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let url = format!("http://{}/", listener.local_addr().expect("address"));
    tokio::spawn(async move { axum::serve(listener, app).await.expect("serve") });
    url
}

fn client(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    let text = "The quick brown fox jumps over the lazy dog. ".repeat(4);
    let request = SendMessageRequest::new(Message::user(text.clone()).with_message_id("m-1"));
    let body = serde_json::to_vec(&Request::new(1, Method::SendMessage, &request).expect("encodes"))
        .expect("encodes");
    // The reply an echo agent gives; `id: null` answers any request id.
    let task = Task::new("t-1", "c-1", TaskStatus::new(TaskState::Completed))
        .with_history([request.message.clone()])
        .with_artifacts([Artifact::text("echo", text)]);
    let reply = Bytes::from(
        serde_json::to_vec(&Response::success(Id::Null, &SendMessageResponse::Task(task))).expect("encodes"),
    );

    let url = runtime.block_on(canned(reply));
    let ours = ClientFactory::new()
        .timeout(None)
        .client_for_interface(AgentInterface::new(&url, binding::JSONRPC))
        .expect("a client");
    let bare = reqwest::Client::new();
    let body = Bytes::from(body);

    let mut group = c.benchmark_group("SendMessage round trip, 800 B task reply");
    group.bench_function("bare reqwest", |b| {
        b.iter(|| {
            runtime.block_on(async {
                let response = bare
                    .post(&url)
                    .header("content-type", "application/json")
                    .header("a2a-version", "1.0")
                    .body(body.clone())
                    .send()
                    .await
                    .expect("sent");
                black_box(response.bytes().await.expect("read"));
            })
        })
    });
    group.bench_function("a2akit Client", |b| {
        b.iter(|| {
            runtime.block_on(async {
                let reply = ours.send_message(request.clone()).await.expect("sent");
                assert!(matches!(reply, SendMessageResponse::Task(_)));
                black_box(reply);
            })
        })
    });
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().measurement_time(std::time::Duration::from_secs(4));
    targets = client
}
criterion_main!(benches);
