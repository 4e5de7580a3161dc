//! Measures push delivery on this machine: deliveries per second from an
//! agent to a webhook on loopback, and what three push configs add to the
//! latency of a `SendMessage` that finishes a task.
//!
//! ```sh
//! cargo run --release --example push_load -- --tasks 2000 --events 10
//! cargo run --release --example push_load --features sqlite -- --store sqlite:///tmp/push.db
//! ```
//!
//! Tasks live in memory unless `--store URL` names a database.

#[path = "common/args.rs"]
mod args;

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use a2akit::Error;
use a2akit::client::ClientFactory;
use a2akit::server::push::WebhookGuard;
use a2akit::server::{self, AgentExecutor, RequestContext, RequestHandler, TaskUpdater};
use a2akit::types::{
    AgentCard, Artifact, Message, SendMessageConfiguration, SendMessageRequest, SendMessageResponse,
    TaskPushNotificationConfig, binding,
};

/// "wait" parks the task for input; a number n reports n artifacts and completes.
struct Reporter;

impl AgentExecutor for Reporter {
    async fn execute(&self, context: RequestContext, updater: TaskUpdater) -> Result<(), Error> {
        let text = context.message.text();
        if text == "wait" {
            return updater.require_input(updater.message("go on")).await;
        }
        for i in 0..text.parse::<usize>().unwrap_or(0) {
            updater.add_artifact(Artifact::text(format!("a{i}"), "x")).await?;
        }
        updater.complete().await
    }
}

fn number(name: &str, default: u64) -> u64 {
    args::arg(name).and_then(|v| v.parse().ok()).unwrap_or(default)
}

async fn webhook(count: Arc<AtomicU64>) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(move || {
            count.fetch_add(1, Ordering::Relaxed);
            async {}
        }),
    );
    tokio::spawn(async move { axum::serve(listener, app).await });
    url
}

async fn agent() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let card = AgentCard::builder()
        .name("reporter")
        .description("reports by push")
        .interface(format!("{base}/"), binding::JSONRPC)
        .push_notifications(true)
        .build();
    let builder = RequestHandler::builder(card, Reporter).webhook_guard(WebhookGuard::new().allow_loopback());
    let handler = args::store(builder).await.build();
    tokio::spawn(server::serve(listener, server::http::router(handler)));
    base
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let tasks = number("--tasks", 2000);
    let events = number("--events", 10);
    let rounds = number("--rounds", 300);
    let count = Arc::new(AtomicU64::new(0));
    let hook = webhook(Arc::clone(&count)).await;
    let base = agent().await;
    let client = Arc::new(ClientFactory::new().connect(&base).await?);

    // Throughput: `tasks` tasks, each with its config sent inline, each
    // reporting `events` artifacts and its completion.
    let expected = tasks * (events + 1);
    let started = Instant::now();
    let mut sends = tokio::task::JoinSet::new();
    for chunk in 0..16 {
        let client = Arc::clone(&client);
        let hook = hook.clone();
        sends.spawn(async move {
            for _ in (chunk..tasks).step_by(16) {
                let config = SendMessageConfiguration::default()
                    .with_push_notification_config(TaskPushNotificationConfig::new(&hook))
                    .with_return_immediately(true);
                let request =
                    SendMessageRequest::new(Message::user(events.to_string())).with_configuration(config);
                client.send_message(request).await.expect("sent");
            }
        });
    }
    while sends.join_next().await.is_some() {}
    let sent = started.elapsed();
    while count.load(Ordering::Relaxed) < expected {
        if started.elapsed() > Duration::from_secs(300) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let done = started.elapsed();
    let delivered = count.load(Ordering::Relaxed);
    println!(
        "{delivered} of {expected} deliveries in {done:.2?} ({:.0}/s); the {tasks} sends took {sent:.2?}",
        delivered as f64 / done.as_secs_f64()
    );

    // Latency: finish a waiting task with none or three configs.
    for configs in [0, 3] {
        let mut times = Vec::with_capacity(rounds as usize);
        for _ in 0..rounds {
            let SendMessageResponse::Task(task) = client
                .send_message(SendMessageRequest::new(Message::user("wait")))
                .await?
            else {
                panic!("a task");
            };
            for i in 0..configs {
                let config = TaskPushNotificationConfig::new(&hook)
                    .with_task_id(&task.id)
                    .with_id(format!("c{i}"));
                client.create_task_push_notification_config(config).await?;
            }
            let answer = Message::user("0").with_task_id(&task.id);
            let at = Instant::now();
            client.send_message(SendMessageRequest::new(answer)).await?;
            times.push(at.elapsed());
        }
        times.sort();
        let mean = times.iter().sum::<Duration>() / times.len() as u32;
        println!(
            "finishing SendMessage with {configs} configs: mean {mean:.2?}, p50 {:.2?}, p99 {:.2?}",
            times[times.len() / 2],
            times[times.len() * 99 / 100]
        );
    }
    Ok(())
}
