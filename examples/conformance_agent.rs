//! The agent the official A2A conformance suite runs against.
//!
//! ```sh
//! cargo run --example conformance_agent -- --port 9999
//! cargo run --example conformance_agent --features sqlite -- --store sqlite://agent.db
//! ```
//!
//! Listens on 127.0.0.1; the card's interface URLs are built from the port.
//! JSON-RPC is served at `POST /` and HTTP+JSON at the root; built with the
//! `grpc` feature, gRPC too, on the same port. The behaviour
//! for each message id prefix is in `conformance/executor.rs`. Tasks live in
//! memory unless `--store URL` names a database (`sqlite://…`,
//! `postgres://…`, `mysql://…`, with the matching feature). Push
//! notifications are on, and webhooks on 127.0.0.1 allowed, because the
//! suite's webhook receiver runs there.

#[path = "common/args.rs"]
mod args;
#[path = "conformance/executor.rs"]
mod executor;

use a2akit::server;

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", args::port(9999))).await?;
    let base = format!("http://{}", listener.local_addr()?);
    let handler = args::store(executor::builder(&base)).await.build();
    // With the grpc feature, the router serves gRPC on the same port too.
    let app = server::http::router(handler);
    println!("conformance agent listening on {base}");
    server::serve(listener, app).await
}
