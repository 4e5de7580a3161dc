//! A webhook that receives an agent's push notifications and prints the
//! ones it can verify.
//!
//! ```sh
//! # against an agent of its own, started in this process:
//! cargo run --example push_receiver
//! # against a running agent that may call 127.0.0.1 (the conformance agent does):
//! cargo run --example conformance_agent -- --port 9999 &
//! cargo run --example push_receiver -- --agent http://127.0.0.1:9999 --text tck-input-required
//! ```
//!
//! Listens on 127.0.0.1, registers itself with the agent as the push config
//! of a new task (with a random token, which is also the key the agent signs
//! deliveries with), and prints each delivery that passes the checks of
//! [`a2akit::webhook::Receiver`]: signature, timestamp, token, no replay.
//! Stops once the task is finished, or after a minute.

#[path = "common/args.rs"]
mod args;

use std::sync::Arc;
use std::time::Duration;

use a2akit::Error;
use a2akit::client::ClientFactory;
use a2akit::server::push::WebhookGuard;
use a2akit::server::{self, AgentExecutor, RequestContext, RequestHandler, TaskUpdater};
use a2akit::types::{
    AgentCard, Artifact, Message, SendMessageConfiguration, SendMessageRequest, StreamResponse,
    TaskPushNotificationConfig, binding,
};
use a2akit::webhook::{Receiver, SigningKey, Verified};
use axum::Router;
use axum::extract::State;
use axum::routing::post;
use tokio::sync::mpsc;

/// Works for a moment, reporting as it goes: something to be notified of.
struct Slow;

impl AgentExecutor for Slow {
    async fn execute(&self, _: RequestContext, updater: TaskUpdater) -> Result<(), Error> {
        updater.start_work().await?;
        for step in 1..=3 {
            tokio::time::sleep(Duration::from_millis(300)).await;
            updater
                .add_artifact(Artifact::text(
                    format!("step-{step}"),
                    format!("step {step} done"),
                ))
                .await?;
        }
        updater.complete().await
    }
}

/// An agent on 127.0.0.1 that pushes, and may call webhooks on loopback.
async fn local_agent() -> std::io::Result<String> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let base = format!("http://{}", listener.local_addr()?);
    let card = AgentCard::builder()
        .name("Slow")
        .description("Takes its time, and says so by push notification")
        .interface(format!("{base}/"), binding::JSONRPC)
        .interface(&base, binding::HTTP_JSON)
        .push_notifications(true)
        .build();
    let handler = RequestHandler::builder(card, Slow)
        .webhook_guard(WebhookGuard::new().allow_loopback())
        .build();
    tokio::spawn(server::serve(listener, server::http::router(handler)));
    Ok(base)
}

#[derive(Clone)]
struct Hook {
    receiver: Arc<Receiver>,
    deliveries: mpsc::Sender<StreamResponse>,
}

impl axum::extract::FromRef<Hook> for Arc<Receiver> {
    fn from_ref(hook: &Hook) -> Self {
        Arc::clone(&hook.receiver)
    }
}

/// Only verified deliveries get here; the extractor answers the rest.
async fn deliver(State(hook): State<Hook>, Verified(delivery): Verified) {
    println!("delivery {}: {}", delivery.id, describe(&delivery.event));
    let _ = hook.deliveries.send(delivery.event).await;
}

fn describe(event: &StreamResponse) -> String {
    match event {
        StreamResponse::Task(task) => format!("task {} is {}", task.id, task.status.state),
        StreamResponse::Unrecognized => "an event of a kind this version does not know".into(),
        StreamResponse::Message(message) => format!("message: {}", message.text()),
        StreamResponse::StatusUpdate(update) => format!("task {} is {}", update.task_id, update.status.state),
        StreamResponse::ArtifactUpdate(update) => format!(
            "artifact {} of task {}",
            update.artifact.artifact_id, update.task_id
        ),
    }
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let agent = match args::arg("--agent") {
        Some(url) => url,
        None => local_agent().await?,
    };
    let text = args::arg("--text").unwrap_or_else(|| "notify me".into());

    // The webhook, keyed by a token only this process and the agent know.
    let token = uuid::Uuid::new_v4().to_string();
    let (tx, mut deliveries) = mpsc::channel(64);
    let hook = Hook {
        receiver: Arc::new(Receiver::new(SigningKey::from_token(&token)).with_token(&token)),
        deliveries: tx,
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let url = format!("http://{}/webhook", listener.local_addr()?);
    let app = Router::new().route("/webhook", post(deliver)).with_state(hook);
    tokio::spawn(async move { axum::serve(listener, app).await });
    println!("webhook listening on {url}");

    // A task that reports to it: the config goes with the first message and
    // the call returns at once; what follows comes by push.
    let client = ClientFactory::new().connect(&agent).await?;
    let config = TaskPushNotificationConfig::new(&url).with_token(&token);
    let configuration = SendMessageConfiguration::default()
        .with_push_notification_config(config)
        .with_return_immediately(true);
    let request = SendMessageRequest::new(Message::user(text)).with_configuration(configuration);
    client.send_message(request).await?;
    println!("sent to {agent}; waiting for deliveries");

    let wait = tokio::time::timeout(Duration::from_secs(60), async {
        while let Some(event) = deliveries.recv().await {
            let state = match &event {
                StreamResponse::StatusUpdate(update) => Some(update.status.state),
                StreamResponse::Task(task) => Some(task.status.state),
                _ => None,
            };
            if state.is_some_and(|s| s.is_terminal() || s.is_interrupted()) {
                return;
            }
        }
    });
    if wait.await.is_err() {
        println!("no final state within a minute");
    }
    Ok(())
}
