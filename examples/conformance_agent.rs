//! The agent the official A2A conformance suite runs against.
//!
//! ```sh
//! cargo run --example conformance_agent -- --port 9999
//! ```
//!
//! Listens on 127.0.0.1; the card's interface URLs are built from the port.
//! JSON-RPC is served at `POST /` and HTTP+JSON at the root; built with the
//! `grpc` feature, gRPC too, on the same port. The behaviour
//! for each message id prefix is in `conformance/executor.rs`.

#[path = "conformance/executor.rs"]
mod executor;

use a2akit::server::{self, RequestHandler};

fn port() -> u16 {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|arg| arg == "--port")
        .and_then(|i| args.get(i + 1))
        .map(|port| port.parse().expect("--port takes a number"))
        .unwrap_or(9999)
}

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port())).await?;
    let base = format!("http://{}", listener.local_addr()?);
    let handler = RequestHandler::builder(executor::card(&base), executor::ConformanceExecutor).build();
    // With the grpc feature, the router serves gRPC on the same port too.
    let app = server::http::router(handler);
    println!("conformance agent listening on {base}");
    server::serve(listener, app).await
}
