//! Agents the tests share: one that takes its time, one that says who called,
//! and the card of an agent served on every binding.

use std::time::Duration;

use a2akit::Error;
use a2akit::server::{AgentExecutor, RequestContext, TaskUpdater};
use a2akit::types::{AgentCard, AgentCardBuilder, Artifact, binding};

/// Answers with one artifact, `who`, naming the caller authentication
/// named (`anonymous` when none did).
pub struct WhoAmI;

impl AgentExecutor for WhoAmI {
    async fn execute(&self, context: RequestContext, updater: TaskUpdater) -> Result<(), Error> {
        let who = context
            .call
            .caller
            .as_ref()
            .map_or("anonymous", |c| c.id())
            .to_owned();
        updater.add_artifact(Artifact::text("who", who)).await?;
        updater.complete().await
    }
}

/// Reads its message as `N MS`: reports N artifacts (`a0`, `a1`…, some
/// hundred bytes each), MS milliseconds apart, then completes.
pub struct Paced;

impl AgentExecutor for Paced {
    async fn execute(&self, context: RequestContext, updater: TaskUpdater) -> Result<(), Error> {
        let text = context.message.text();
        let mut words = text.split_whitespace().map(|w| w.parse::<u64>().unwrap_or(1));
        let (n, ms) = (words.next().unwrap_or(1), words.next().unwrap_or(0));
        updater.start_work().await?;
        for i in 0..n {
            tokio::time::sleep(Duration::from_millis(ms)).await;
            updater
                .add_artifact(Artifact::text(
                    format!("a{i}"),
                    format!("part {i} {}", "x".repeat(100)),
                ))
                .await?;
        }
        updater.complete().await
    }
}

/// The bindings our client speaks in this build, by their card names.
pub fn binding_names() -> Vec<&'static str> {
    let mut all = vec![a2akit::types::binding::JSONRPC, a2akit::types::binding::HTTP_JSON];
    #[cfg(feature = "grpc")]
    all.push(a2akit::types::binding::GRPC);
    all
}

/// The card of an agent served at `base` (`http://host:port`), with an
/// interface on every binding this build has (gRPC on the same port).
pub fn card_on_every_binding(name: &str, base: &str) -> AgentCardBuilder {
    let builder = AgentCard::builder()
        .name(name)
        .description(format!("{name}, for tests"))
        .interface(format!("{base}/"), binding::JSONRPC)
        .interface(base, binding::HTTP_JSON);
    #[cfg(feature = "grpc")]
    let builder = builder.interface(base.trim_start_matches("http://"), binding::GRPC);
    builder
}
