//! The conformance agent's behaviour: the message id's prefix picks what
//! the agent does, as the official conformance suite expects. Shared by
//! `examples/conformance_agent.rs` and the behavioural tests.

use std::time::Duration;

use a2akit::Error;
use a2akit::server::push::WebhookGuard;
use a2akit::server::{AgentExecutor, RequestContext, RequestHandler, RequestHandlerBuilder, TaskUpdater};
use a2akit::types::{AgentCard, AgentSkill, Artifact, Part, binding};

/// The conformance agent's handler builder: its card, its executor, and
/// webhooks allowed on loopback (the suite's receiver listens on 127.0.0.1;
/// everything else non-public stays refused).
#[allow(dead_code)] // not every test that shares this file builds a handler from it
pub fn builder(base: &str) -> RequestHandlerBuilder {
    RequestHandler::builder(card(base), ConformanceExecutor)
        .webhook_guard(WebhookGuard::new().allow_loopback())
}

/// Picks the agent's behaviour from the message id prefix (longest first).
pub struct ConformanceExecutor;

/// The card of a conformance agent whose bindings all live at `base`
/// (`http://127.0.0.1:9999`): JSON-RPC takes `POST /`, HTTP+JSON appends its paths.
///
/// With the `grpc` feature the card also lists gRPC on the same port, as the
/// bare `host:port` the conformance suite expects.
pub fn card(base: &str) -> AgentCard {
    let builder = AgentCard::builder()
        .name("a2akit conformance agent")
        .description("Behaves as the A2A conformance suite expects, by message id prefix")
        .version("1.0.0")
        .interface(base, binding::JSONRPC)
        .interface(base, binding::HTTP_JSON);
    #[cfg(feature = "grpc")]
    let builder = builder.interface(
        base.trim_start_matches("http://").trim_end_matches('/'),
        binding::GRPC,
    );
    builder
        .streaming(true)
        .push_notifications(true)
        .default_input_modes(["text"])
        .default_output_modes(["text"])
        .skill(
            AgentSkill::new("tck", "Conformance", "Answers the conformance suite's scenarios")
                .with_tags(["tck"]),
        )
        .build()
}

fn file_part() -> Part {
    Part::raw(b"tck".to_vec())
        .with_filename("output.txt")
        .with_media_type("text/plain")
}

/// Working, one text artifact, completed: the shape of the streaming scenarios.
async fn work_and_complete(updater: &TaskUpdater, part: Part) -> Result<(), Error> {
    updater.start_work().await?;
    updater.add_artifact(Artifact::new("artifact-1", [part])).await?;
    updater.complete().await
}

impl AgentExecutor for ConformanceExecutor {
    async fn execute(&self, context: RequestContext, updater: TaskUpdater) -> Result<(), Error> {
        let id = context.message.message_id.as_str();
        // Longest prefixes first: `tck-artifact-file` is a prefix of `tck-artifact-file-url`.
        if id.starts_with("tck-stream-artifact-chunked") {
            updater.start_work().await?;
            updater
                .stream_artifact(Artifact::text("chunked", "chunk-1 "), false, false)
                .await?;
            updater
                .stream_artifact(Artifact::text("chunked", "chunk-2"), true, true)
                .await?;
            updater.complete().await
        } else if id.starts_with("tck-stream-artifact-text") {
            work_and_complete(&updater, Part::text("Streamed text content")).await
        } else if id.starts_with("tck-stream-artifact-file") {
            work_and_complete(&updater, file_part()).await
        } else if id.starts_with("tck-stream-ordering-001") {
            work_and_complete(&updater, Part::text("Ordered output")).await
        } else if id.starts_with("tck-stream-001") {
            work_and_complete(&updater, Part::text("Stream hello from TCK")).await
        } else if id.starts_with("tck-stream-002") {
            updater.complete().await
        } else if id.starts_with("tck-stream-003") {
            work_and_complete(&updater, Part::text("Stream task lifecycle")).await
        } else if id.starts_with("tck-complete-task") {
            updater.complete_with(updater.message("Hello from TCK")).await
        } else if id.starts_with("tck-input-required") {
            updater
                .require_input(updater.message("Please provide more input"))
                .await
        } else if id.starts_with("tck-message-response") {
            updater.reply(updater.message("Direct message response")).await
        } else if id.starts_with("tck-artifact-text") {
            updater
                .add_artifact(Artifact::text("artifact-text", "Generated text content"))
                .await?;
            updater.complete().await
        } else if id.starts_with("tck-artifact-file-url") {
            let part = Part::url("https://example.com/output.txt")
                .with_filename("output.txt")
                .with_media_type("text/plain");
            updater
                .add_artifact(Artifact::new("artifact-file-url", [part]))
                .await?;
            updater.complete().await
        } else if id.starts_with("tck-artifact-file") {
            updater
                .add_artifact(Artifact::new("artifact-file", [file_part()]))
                .await?;
            updater.complete().await
        } else if id.starts_with("tck-artifact-data") {
            let data = serde_json::json!({"key": "value", "count": 42});
            updater
                .add_artifact(Artifact::new("artifact-data", [Part::data(data)]))
                .await?;
            updater.complete().await
        } else if id.starts_with("tck-reject-task") {
            Err(Error::internal("rejected"))
        } else if id.starts_with("test-resubscribe-message-id") {
            updater.start_work().await?;
            tokio::select! {
                _ = tokio::time::sleep(Duration::from_secs(4)) => updater.complete().await,
                _ = context.canceled() => Ok(()),
            }
        } else {
            updater
                .complete_with(updater.message(format!("Unhandled messageId prefix: {id}")))
                .await
        }
    }
}
