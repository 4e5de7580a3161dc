//! An agent that echoes what you say, streamed back word by word, on the
//! in-memory store (or the database `--store URL` names). Serves the agent
//! card, JSON-RPC at `/` and HTTP+JSON.
//!
//! ```sh
//! cargo run --example echo_agent -- --port 8080
//! cargo run --example echo_agent --features sqlite -- --store sqlite://echo.db
//! curl -s http://127.0.0.1:8080/message:send -H 'A2A-Version: 1.0' -H 'Content-Type: application/json' \
//!   -d '{"message":{"messageId":"m1","role":"ROLE_USER","parts":[{"text":"hello there"}]}}'
//! ```

#[path = "common/args.rs"]
mod args;

use std::time::Duration;

use a2akit::Error;
use a2akit::server::{self, AgentExecutor, RequestContext, RequestHandler, TaskUpdater};
use a2akit::types::{AgentCard, AgentSkill, Artifact, binding};

struct Echo;

impl AgentExecutor for Echo {
    async fn execute(&self, context: RequestContext, updater: TaskUpdater) -> Result<(), Error> {
        updater.start_work().await?;
        let text = context.message.text();
        let words: Vec<&str> = text.split_whitespace().collect();
        for (i, word) in words.iter().enumerate() {
            let last = i + 1 == words.len();
            let chunk = if i == 0 {
                word.to_string()
            } else {
                format!(" {word}")
            };
            updater
                .stream_artifact(Artifact::text("echo", chunk), i > 0, last)
                .await?;
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        updater
            .complete_with(updater.message(format!("You said: {text}")))
            .await
    }
}

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", args::port(8080))).await?;
    let base = format!("http://{}", listener.local_addr()?);
    let card = AgentCard::builder()
        .name("Echo")
        .description("Streams back what you say")
        .version("0.1.0")
        .interface(format!("{base}/"), binding::JSONRPC)
        .interface(&base, binding::HTTP_JSON)
        .streaming(true)
        .skill(AgentSkill::new("echo", "Echo", "Repeats your message").with_tags(["demo"]))
        .build();
    let handler = args::store(RequestHandler::builder(card, Echo)).await.build();
    println!("echo agent listening on {base} (card at {base}/.well-known/agent-card.json)");
    server::serve(listener, server::http::router(handler)).await
}
