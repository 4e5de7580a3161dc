//! `a2a serve --echo`: an agent to test clients against.

use a2akit::Error;
use a2akit::server::push::WebhookGuard;
use a2akit::server::{
    self, AgentExecutor, CardFile, RequestContext, RequestHandler, RequestHandlerBuilder, TaskUpdater,
};
use a2akit::types::{AgentCard, AgentSkill, Artifact, binding};

use crate::output::Output;
use crate::{Failure, ServeArgs};

/// Says back what it was told: as an artifact, then as its final message.
/// A message that starts with `ask` is answered with a question first (the
/// task waits for input), so that conversations and push notifications
/// have a task that stays open.
struct Echo;

impl AgentExecutor for Echo {
    async fn execute(&self, context: RequestContext, updater: TaskUpdater) -> Result<(), Error> {
        updater.start_work().await?;
        let text = context.message.text();
        if text.trim_start().starts_with("ask") {
            return updater.require_input(updater.message("what else?")).await;
        }
        updater.add_artifact(Artifact::text("echo", text.clone())).await?;
        updater.complete_with(updater.message(text)).await
    }
}

fn card(base: &str) -> AgentCard {
    let builder = AgentCard::builder()
        .name("a2a echo")
        .description("Says back what you send it")
        .version(env!("CARGO_PKG_VERSION"))
        .interface(format!("{base}/"), binding::JSONRPC)
        .interface(base, binding::HTTP_JSON);
    #[cfg(feature = "grpc")]
    let builder = builder.interface(base.trim_start_matches("http://"), binding::GRPC);
    builder
        .streaming(true)
        .push_notifications(true)
        .skill(AgentSkill::new("echo", "Echo", "Repeats your message").with_tags(["test"]))
        .build()
}

/// The file of `--card`: read every two seconds, and on SIGHUP where there is one.
fn card_file(path: &std::path::Path) -> CardFile {
    let file = CardFile::new(path);
    #[cfg(unix)]
    let file = file.reload_on_hangup();
    file
}

#[cfg(any(feature = "sqlite", feature = "postgres", feature = "mysql"))]
async fn with_store(builder: RequestHandlerBuilder, url: &str) -> Result<RequestHandlerBuilder, Failure> {
    let store = a2akit::server::store::sql::SqlStore::connect(url)
        .await
        .map_err(|err| Failure::Transport(format!("--store {url}: {err}")))?;
    Ok(builder.run_ownership(store.run_ownership()).store(store))
}

#[cfg(not(any(feature = "sqlite", feature = "postgres", feature = "mysql")))]
async fn with_store(_: RequestHandlerBuilder, url: &str) -> Result<RequestHandlerBuilder, Failure> {
    Err(Failure::Transport(format!(
        "--store {url}: this a2a was built without a SQL store (features sqlite, postgres, mysql)"
    )))
}

/// Serves the echo agent on 127.0.0.1 until Ctrl-C or SIGTERM.
pub(crate) async fn run(out: &Output, args: ServeArgs) -> Result<(), Failure> {
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", args.port))
        .await
        .map_err(|err| Failure::Transport(format!("cannot listen on 127.0.0.1:{}: {err}", args.port)))?;
    let address = listener
        .local_addr()
        .map_err(|err| Failure::Transport(err.to_string()))?;
    let base = format!("http://{address}");
    let file = args.card.as_deref().map(card_file);
    let card = match &file {
        Some(file) => file
            .load()
            .map_err(|err| Failure::Usage(format!("--card: {err}")))?,
        None => card(&base),
    };
    // Webhooks on this machine are allowed: this agent is for testing.
    let mut builder = RequestHandler::builder(card, Echo).webhook_guard(WebhookGuard::new().allow_loopback());
    if let Some(url) = &args.store {
        builder = with_store(builder, url).await?;
    }
    let _ = args.echo;
    let handler = builder.build();
    // Watched before the address is announced: from then on, SIGHUP reloads the card.
    let _watch = match file {
        Some(file) => Some(
            file.watch(&handler)
                .map_err(|err| Failure::Transport(format!("--card: cannot watch the file: {err}")))?,
        ),
        None => None,
    };
    if out.json {
        out.json_line(&serde_json::json!({"listening": base}));
    } else {
        out.line(format!("echo agent listening on {base}"));
    }
    let app = server::http::router(handler.clone());
    // Ctrl-C or SIGTERM: streams end, running tasks get a few seconds.
    let shutdown = server::Shutdown::on_signal()
        .handler(&handler)
        .grace(std::time::Duration::from_secs(5));
    server::serve_with_shutdown(listener, app, shutdown)
        .await
        .map_err(|err| Failure::Transport(format!("the server stopped: {err}")))
}
