//! A reply read as text from an agent whose card declares no streaming:
//! the client sends a blocking message and the one task it answers with
//! reads as the text a stream would have given, on every binding.
#![cfg(all(feature = "client", feature = "server"))]

mod support;

use a2akit::Error;
use a2akit::client::ClientFactory;
use a2akit::server::{AgentExecutor, RequestContext, RequestHandler, TaskUpdater};
use a2akit::types::{Artifact, TaskState};

/// Tells a two-line story in two artifacts, and signs off.
struct Storyteller;

impl AgentExecutor for Storyteller {
    async fn execute(&self, _context: RequestContext, updater: TaskUpdater) -> Result<(), Error> {
        updater
            .add_artifact(Artifact::text("a1", "Once upon a time. "))
            .await?;
        updater
            .add_artifact(Artifact::text("a2", "They lived happily. "))
            .await?;
        updater.complete_with(updater.message("The end.")).await
    }
}

#[tokio::test]
async fn a_reply_from_an_agent_that_does_not_stream_reads_as_its_text() {
    let server = support::start_with(|base| {
        let card = support::agents::card_on_every_binding("storyteller", base).streaming(false);
        RequestHandler::builder(card.build(), Storyteller).build()
    })
    .await;
    for wire in support::agents::binding_names() {
        let client = ClientFactory::new()
            .preferred_bindings([wire])
            .connect(&server.base)
            .await
            .unwrap();
        assert_eq!(client.interface().protocol_binding, wire);
        let mut reply = client.send_streaming_message("a story").await.unwrap().reply();
        assert_eq!(
            reply.text().await.unwrap(),
            "Once upon a time. They lived happily. The end.",
            "{wire}"
        );
        let task = reply.task().expect("the task");
        assert_eq!(task.status.state, TaskState::Completed, "{wire}");
    }
}
