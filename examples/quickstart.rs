//! The whole SDK in one process: an agent on 127.0.0.1, and a client that
//! finds it through its card and streams a reply from it over real HTTP.
//!
//! ```sh
//! cargo run --example quickstart
//! ```

use std::time::Duration;

use a2akit::Error;
use a2akit::client::ClientFactory;
use a2akit::server::{self, AgentExecutor, RequestContext, RequestHandler, TaskUpdater};
use a2akit::types::{AgentCard, AgentSkill, Artifact, Message, SendMessageRequest, StreamResponse, binding};
use futures_util::StreamExt as _;

/// Streams the message back one word at a time.
struct Echo;

impl AgentExecutor for Echo {
    async fn execute(&self, context: RequestContext, updater: TaskUpdater) -> Result<(), Error> {
        updater.start_work().await?;
        let text = context.message.text();
        let words: Vec<&str> = text.split_whitespace().collect();
        for (i, word) in words.iter().enumerate() {
            let chunk = if i == 0 {
                word.to_string()
            } else {
                format!(" {word}")
            };
            updater
                .stream_artifact(Artifact::text("echo", chunk), i > 0, i + 1 == words.len())
                .await?;
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        updater.complete_with(updater.message("Done echoing.")).await
    }
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    // The agent.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let base = format!("http://{}", listener.local_addr()?);
    let card = AgentCard::builder()
        .name("Echo")
        .description("Streams back what you say")
        .interface(format!("{base}/"), binding::JSONRPC)
        .interface(&base, binding::HTTP_JSON)
        .streaming(true)
        .skill(AgentSkill::new("echo", "Echo", "Repeats your message").with_tags(["demo"]))
        .build();
    let handler = RequestHandler::builder(card, Echo).build();
    tokio::spawn(server::serve(listener, server::http::router(handler)));
    println!("agent listening on {base}");

    // The client: reads the card, picks JSON-RPC, streams the answer.
    let client = ClientFactory::new().connect(&base).await?;
    println!(
        "client speaks {} to {}",
        client.interface().protocol_binding,
        client.interface().url
    );
    let request = SendMessageRequest::new(Message::user("the quick brown fox jumps over the lazy dog"));
    let mut events = client.send_streaming_message(request).await?;
    while let Some(event) = events.next().await {
        match event? {
            StreamResponse::Task(task) => println!("task {} created: {}", task.id, task.status.state),
            StreamResponse::StatusUpdate(update) => {
                let said = update
                    .status
                    .message
                    .map(|m| format!(" ({})", m.text()))
                    .unwrap_or_default();
                println!("status: {}{said}", update.status.state)
            }
            StreamResponse::ArtifactUpdate(update) => {
                println!(
                    "artifact chunk: {:?}",
                    update.artifact.parts[0].as_text().unwrap_or_default()
                )
            }
            StreamResponse::Message(message) => println!("message: {}", message.text()),
            StreamResponse::Unrecognized => println!("an event of a kind this version does not know"),
        }
    }
    Ok(())
}
