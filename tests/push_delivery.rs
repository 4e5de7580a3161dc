//! Push notifications delivered to real webhooks on 127.0.0.1: the headers
//! and body the spec asks for, signatures a receiver can verify, order kept
//! through failures, retries on 5xx, 429 (with `Retry-After`), hangs and
//! a webhook that is down, bounded attempts, no redirects, and the SSRF
//! guard applied again when a name is resolved. The task never waits for
//! its webhooks.
#![cfg(all(feature = "server", feature = "client"))]

#[path = "../examples/conformance/executor.rs"]
mod conformance;
mod support;

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use a2akit::Error;
use a2akit::server::push::{PushDelivery, WebhookGuard};
use a2akit::server::{AgentExecutor, RequestContext, RequestHandler, TaskUpdater};
use a2akit::types::{
    AgentCard, Artifact, AuthenticationInfo, SendMessageConfiguration, StreamResponse,
    TaskPushNotificationConfig, TaskState, binding,
};
use a2akit::webhook::{Receiver, SigningKey};
use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use support::{Binding, Client, send, send_with, user_message};

/// How the webhook answers one request.
#[derive(Debug, Clone)]
enum Answer {
    Status(u16),
    RetryAfter(u64),
    Hang(Duration),
    Redirect(&'static str),
}

/// One request the webhook received.
#[derive(Debug, Clone)]
struct Seen {
    path: String,
    headers: HeaderMap,
    body: Bytes,
    at: Instant,
    /// Whether it was answered with a 2xx.
    accepted: bool,
}

#[derive(Clone, Default)]
struct Hook {
    seen: Arc<Mutex<Vec<Seen>>>,
    script: Arc<Mutex<VecDeque<Answer>>>,
}

/// A webhook on 127.0.0.1 (or the address given) that records every
/// request and answers from its script, then 200.
struct Webhook {
    url: String,
    hook: Hook,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Webhook {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn record(State(hook): State<Hook>, uri: axum::http::Uri, headers: HeaderMap, body: Bytes) -> Response {
    let answer = hook.script.lock().unwrap().pop_front();
    let accepted = matches!(answer, None | Some(Answer::Status(200..=299)));
    hook.seen.lock().unwrap().push(Seen {
        path: uri.path().to_owned(),
        headers,
        body,
        at: Instant::now(),
        accepted,
    });
    match answer {
        None => StatusCode::OK.into_response(),
        Some(Answer::Status(code)) => StatusCode::from_u16(code).unwrap().into_response(),
        Some(Answer::RetryAfter(seconds)) => (
            StatusCode::TOO_MANY_REQUESTS,
            [("retry-after", seconds.to_string())],
        )
            .into_response(),
        Some(Answer::Hang(time)) => {
            tokio::time::sleep(time).await;
            StatusCode::OK.into_response()
        }
        Some(Answer::Redirect(to)) => (StatusCode::TEMPORARY_REDIRECT, [("location", to)]).into_response(),
    }
}

async fn webhook_on(listener: tokio::net::TcpListener, host: &str, script: Vec<Answer>) -> Webhook {
    let port = listener.local_addr().unwrap().port();
    let hook = Hook::default();
    hook.script.lock().unwrap().extend(script);
    let app = Router::new().fallback(record).with_state(hook.clone());
    let task = tokio::spawn(async move {
        axum::serve(listener, app).await.unwrap();
    });
    Webhook {
        url: format!("http://{host}:{port}/hook"),
        hook,
        task,
    }
}

async fn webhook(script: Vec<Answer>) -> Webhook {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    webhook_on(listener, "127.0.0.1", script).await
}

impl Webhook {
    fn seen(&self) -> Vec<Seen> {
        self.hook.seen.lock().unwrap().clone()
    }

    /// Waits until `count` requests came in, or `limit` passes.
    async fn wait_for(&self, count: usize, limit: Duration) -> Vec<Seen> {
        let start = Instant::now();
        loop {
            let seen = self.seen();
            if seen.len() >= count || start.elapsed() > limit {
                return seen;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// The events it accepted, in the order they came.
    fn accepted(&self) -> Vec<StreamResponse> {
        self.seen()
            .iter()
            .filter(|s| s.accepted)
            .map(|s| serde_json::from_slice(&s.body).expect("a StreamResponse body"))
            .collect()
    }
}

/// Quick retries, for tests.
fn quick() -> PushDelivery {
    PushDelivery::new()
        .backoff(Duration::from_millis(20), Duration::from_millis(100))
        .poll_interval(Duration::from_millis(50))
        .timeout(Duration::from_secs(2))
}

fn card() -> AgentCard {
    AgentCard::builder()
        .name("pusher")
        .description("reports as it works")
        .interface("http://127.0.0.1/", binding::JSONRPC)
        .interface("http://127.0.0.1", binding::HTTP_JSON)
        .push_notifications(true)
        .build()
}

/// Adds `n` artifacts, then completes: `n + 2` events after the client's message.
struct Reports(usize);

impl AgentExecutor for Reports {
    async fn execute(&self, _: RequestContext, updater: TaskUpdater) -> Result<(), Error> {
        updater.start_work().await?;
        for i in 0..self.0 {
            updater
                .add_artifact(Artifact::text(format!("a{i}"), format!("part {i}")))
                .await?;
        }
        updater.complete().await
    }
}

/// Waits for the client's go (a second message), then completes.
struct AwaitsInput;

impl AgentExecutor for AwaitsInput {
    async fn execute(&self, context: RequestContext, updater: TaskUpdater) -> Result<(), Error> {
        if context.message.text() == "go" {
            updater.complete().await
        } else {
            updater
                .require_input(a2akit::types::Message::agent("say go"))
                .await
        }
    }
}

/// An agent on the store `A2AKIT_TEST_STORE` names (memory by default), so
/// that delivery is shown on every store.
async fn handler(
    executor: impl AgentExecutor,
    delivery: PushDelivery,
    guard: WebhookGuard,
) -> RequestHandler {
    let builder = RequestHandler::builder(card(), executor)
        .push_delivery(delivery)
        .webhook_guard(guard);
    support::on_test_store(builder).await.build()
}

fn inline(config: TaskPushNotificationConfig) -> SendMessageConfiguration {
    SendMessageConfiguration::default().with_push_notification_config(config)
}

fn state_of(event: &StreamResponse) -> Option<TaskState> {
    match event {
        StreamResponse::StatusUpdate(update) => Some(update.status.state),
        StreamResponse::Task(task) => Some(task.status.state),
        _ => None,
    }
}

#[tokio::test]
async fn every_event_is_posted_as_the_spec_says_and_signed_with_the_token() {
    let hook = webhook(vec![]).await;
    let server =
        support::start(handler(AwaitsInput, quick(), WebhookGuard::new().allow_loopback()).await).await;
    for binding in [Binding::JsonRpc, Binding::Rest] {
        let client = Client::new(&server, binding);
        let config = TaskPushNotificationConfig::new(&hook.url)
            .with_token("client-token")
            .with_authentication(AuthenticationInfo::new("Bearer", "sesame"));
        let task = client
            .send_task(&send_with(user_message("m1", "wait"), inline(config)))
            .await;
        assert_eq!(task.status.state, TaskState::InputRequired);
        let mut answer = user_message("m2", "go");
        answer.task_id = task.id.clone();
        let done = client.send_task(&send(answer)).await;
        assert_eq!(done.status.state, TaskState::Completed);

        let deadline = Instant::now() + Duration::from_secs(15);
        let seen = loop {
            assert!(Instant::now() < deadline, "{binding:?}: no completed delivery");
            let seen: Vec<Seen> = hook
                .wait_for(1, Duration::from_secs(10))
                .await
                .into_iter()
                .filter(|s| s.body.windows(task.id.len()).any(|w| w == task.id.as_bytes()))
                .collect();
            let last = seen
                .last()
                .map(|s| serde_json::from_slice::<StreamResponse>(&s.body).unwrap());
            if last.as_ref().and_then(state_of) == Some(TaskState::Completed) {
                break seen;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        };
        let receiver = Receiver::new(SigningKey::from_token("client-token")).with_token("client-token");
        let mut states = Vec::new();
        for delivery in &seen {
            let headers = &delivery.headers;
            assert_eq!(headers["content-type"], "application/json");
            assert_eq!(headers["authorization"], "Bearer sesame");
            assert_eq!(headers["a2a-notification-token"], "client-token");
            assert_eq!(headers["x-a2a-notification-token"], "client-token");
            let verified = receiver
                .verify(headers, &delivery.body)
                .expect("a verifiable delivery");
            assert!(verified.id.starts_with("msg_"));
            // Exact ProtoJSON: the body round-trips to itself.
            let event: StreamResponse = serde_json::from_slice(&delivery.body).unwrap();
            assert_eq!(serde_json::to_vec(&event).unwrap(), delivery.body.to_vec());
            assert!(
                !matches!(event, StreamResponse::Message(_)),
                "client messages are not pushed"
            );
            states.extend(state_of(&event));
        }
        assert_eq!(
            states.first(),
            Some(&TaskState::InputRequired),
            "{binding:?}: {states:?}"
        );
        assert_eq!(
            states.last(),
            Some(&TaskState::Completed),
            "{binding:?}: {states:?}"
        );
        hook.hook.seen.lock().unwrap().clear();
    }
}

#[tokio::test]
async fn a_config_created_later_receives_what_happens_after_it() {
    let hook = webhook(vec![]).await;
    let server =
        support::start(handler(AwaitsInput, quick(), WebhookGuard::new().allow_loopback()).await).await;
    let client = Client::new(&server, Binding::Rest);
    let task = client.send_task(&send(user_message("m1", "wait"))).await;
    client
        .create_push_config(&TaskPushNotificationConfig::new(&hook.url).with_task_id(&task.id))
        .await
        .unwrap();
    let mut answer = user_message("m2", "go");
    answer.task_id = task.id.clone();
    client.send_task(&send(answer)).await;
    let seen = hook.wait_for(1, Duration::from_secs(10)).await;
    let events = hook.accepted();
    assert!(!seen.is_empty());
    assert_eq!(
        events.last().and_then(state_of),
        Some(TaskState::Completed),
        "{events:?}"
    );
    // No token and no agent key: nothing to sign with, the id and time still sent.
    assert!(seen[0].headers.contains_key("webhook-id"));
    assert!(!seen[0].headers.contains_key("webhook-signature"));
    assert!(!seen[0].headers.contains_key("authorization"));
}

#[tokio::test]
async fn an_agent_key_signs_instead_of_the_token_and_rotation_signs_twice() {
    let hook = webhook(vec![]).await;
    let old = SigningKey::from_bytes(b"old agent key");
    let new = SigningKey::from_bytes(b"new agent key");
    let delivery = quick().signing_key(old.clone()).signing_key(new.clone());
    let server =
        support::start(handler(Reports(0), delivery, WebhookGuard::new().allow_loopback()).await).await;
    let client = Client::new(&server, Binding::JsonRpc);
    let config = TaskPushNotificationConfig::new(&hook.url).with_token("client-token");
    client
        .send_task(&send_with(user_message("m1", "x"), inline(config)))
        .await;
    let seen = hook.wait_for(1, Duration::from_secs(10)).await;
    let first = &seen[0];
    let signatures = first.headers["webhook-signature"].to_str().unwrap();
    assert_eq!(signatures.split(' ').count(), 2, "{signatures}");
    for key in [old, new] {
        Receiver::new(key)
            .verify(&first.headers, &first.body)
            .expect("each key verifies");
    }
    let by_token = Receiver::new(SigningKey::from_token("client-token")).verify(&first.headers, &first.body);
    assert!(by_token.is_err(), "the agent's keys replace the token");
}

#[tokio::test]
async fn order_is_kept_through_failures_and_every_event_arrives_once_accepted() {
    let hook = webhook(vec![
        Answer::Status(500),
        Answer::Status(503),
        Answer::Status(502),
    ])
    .await;
    let server =
        support::start(handler(Reports(5), quick(), WebhookGuard::new().allow_loopback()).await).await;
    let client = Client::new(&server, Binding::JsonRpc);
    let config = TaskPushNotificationConfig::new(&hook.url).with_token("t");
    let task = client
        .send_task(&send_with(user_message("m1", "x"), inline(config)))
        .await;
    assert_eq!(task.status.state, TaskState::Completed);
    // working, five artifacts, completed: seven events, three failures first.
    let seen = hook.wait_for(10, Duration::from_secs(10)).await;
    assert_eq!(
        seen.len(),
        10,
        "{:?}",
        seen.iter().map(|s| s.accepted).collect::<Vec<_>>()
    );
    let ids: Vec<_> = seen.iter().map(|s| s.headers["webhook-id"].clone()).collect();
    assert!(
        ids[..4].iter().all(|id| *id == ids[0]),
        "a retried delivery keeps its id"
    );
    let events = hook.accepted();
    assert_eq!(events.len(), 7);
    assert_eq!(state_of(&events[0]), Some(TaskState::Working));
    for (i, event) in events[1..6].iter().enumerate() {
        let StreamResponse::ArtifactUpdate(update) = event else {
            panic!("event {i} is {event:?}");
        };
        assert_eq!(update.artifact.artifact_id, format!("a{i}"));
    }
    assert_eq!(state_of(&events[6]), Some(TaskState::Completed));
}

#[tokio::test]
async fn a_429_is_retried_after_the_time_it_names() {
    let hook = webhook(vec![Answer::RetryAfter(1)]).await;
    let server =
        support::start(handler(Reports(0), quick(), WebhookGuard::new().allow_loopback()).await).await;
    let client = Client::new(&server, Binding::JsonRpc);
    let config = TaskPushNotificationConfig::new(&hook.url);
    client
        .send_task(&send_with(user_message("m1", "x"), inline(config)))
        .await;
    let seen = hook.wait_for(2, Duration::from_secs(10)).await;
    assert!(seen.len() >= 2);
    let waited = seen[1].at - seen[0].at;
    assert!(waited >= Duration::from_millis(900), "retried after {waited:?}");
    assert_eq!(seen[0].headers["webhook-id"], seen[1].headers["webhook-id"]);
}

#[tokio::test]
async fn a_hanging_webhook_times_out_is_retried_and_never_holds_the_task() {
    let hook = webhook(vec![Answer::Hang(Duration::from_secs(30))]).await;
    let delivery = quick().timeout(Duration::from_millis(300));
    let server =
        support::start(handler(Reports(2), delivery, WebhookGuard::new().allow_loopback()).await).await;
    let client = Client::new(&server, Binding::JsonRpc);
    let config = TaskPushNotificationConfig::new(&hook.url);
    let started = Instant::now();
    let task = client
        .send_task(&send_with(user_message("m1", "x"), inline(config)))
        .await;
    assert_eq!(task.status.state, TaskState::Completed);
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "the task waited for its webhook"
    );
    let seen = hook.wait_for(5, Duration::from_secs(10)).await;
    assert_eq!(seen.len(), 5, "one hung attempt, then all four events");
    assert_eq!(hook.accepted().len(), 4);
}

#[tokio::test]
async fn a_webhook_that_is_down_gets_its_deliveries_once_it_is_up() {
    // A port nobody listens on, until later; held meanwhile.
    let (reserved, address) = support::net::refusing_port();
    let url = format!("http://{address}/hook");
    let server =
        support::start(handler(Reports(1), quick(), WebhookGuard::new().allow_loopback()).await).await;
    let client = Client::new(&server, Binding::JsonRpc);
    let task = client
        .send_task(&send_with(
            user_message("m1", "x"),
            inline(TaskPushNotificationConfig::new(&url)),
        ))
        .await;
    assert_eq!(task.status.state, TaskState::Completed);
    tokio::time::sleep(Duration::from_millis(500)).await;
    let hook = webhook_on(reserved.listen(64).unwrap(), "127.0.0.1", vec![]).await;
    let seen = hook.wait_for(3, Duration::from_secs(10)).await;
    assert_eq!(seen.len(), 3, "working, the artifact, completed");
    assert_eq!(state_of(&hook.accepted()[2]), Some(TaskState::Completed));
}

#[tokio::test]
async fn attempts_are_bounded() {
    let hook = webhook(vec![Answer::Status(500); 10]).await;
    let delivery = quick().max_attempts(3);
    let server =
        support::start(handler(Reports(0), delivery, WebhookGuard::new().allow_loopback()).await).await;
    let client = Client::new(&server, Binding::JsonRpc);
    client
        .send_task(&send_with(
            user_message("m1", "x"),
            inline(TaskPushNotificationConfig::new(&hook.url)),
        ))
        .await;
    // Working: three attempts, dropped; then completed: three more.
    let seen = hook.wait_for(6, Duration::from_secs(10)).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(hook.seen().len(), 6, "{seen:?}");
    let ids: Vec<_> = hook
        .seen()
        .iter()
        .map(|s| s.headers["webhook-id"].clone())
        .collect();
    assert_eq!(ids[0], ids[2]);
    assert_ne!(ids[2], ids[3]);
}

#[tokio::test]
async fn redirects_are_not_followed_and_client_errors_not_retried() {
    let hook = webhook(vec![Answer::Redirect("/elsewhere"), Answer::Status(400)]).await;
    let server =
        support::start(handler(Reports(0), quick(), WebhookGuard::new().allow_loopback()).await).await;
    let client = Client::new(&server, Binding::JsonRpc);
    client
        .send_task(&send_with(
            user_message("m1", "x"),
            inline(TaskPushNotificationConfig::new(&hook.url)),
        ))
        .await;
    hook.wait_for(2, Duration::from_secs(10)).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let seen = hook.seen();
    assert_eq!(seen.len(), 2, "one attempt each, given up: {seen:?}");
    assert!(
        seen.iter().all(|s| s.path == "/hook"),
        "the redirect was not followed"
    );
}

#[tokio::test]
async fn a_name_that_resolves_to_a_refused_address_is_not_called() {
    // This machine's name resolves to one of its own (loopback or private)
    // addresses: accepted as a name when the config is created, refused
    // once resolved. The same name opened by the allow-list is called.
    let name = hostname();
    let resolved: Vec<_> = tokio::net::lookup_host((name.as_str(), 0))
        .await
        .expect("this machine's name resolves")
        .collect();
    assert!(
        resolved
            .iter()
            .all(|a| !WebhookGuard::new().allows_address(a.ip())),
        "{name} resolves to {resolved:?}"
    );
    let listener = tokio::net::TcpListener::bind("0.0.0.0:0").await.unwrap();
    let hook = webhook_on(listener, &name, vec![]).await;
    for (guard, expected) in [
        (WebhookGuard::new(), 0),
        (WebhookGuard::new().allow_host(&name), 2),
    ] {
        let server = support::start(handler(Reports(0), quick(), guard).await).await;
        let client = Client::new(&server, Binding::Rest);
        let task = client
            .send_task(&send_with(
                user_message("m1", "x"),
                inline(TaskPushNotificationConfig::new(&hook.url)),
            ))
            .await;
        assert_eq!(task.status.state, TaskState::Completed);
        hook.wait_for(expected.max(1), Duration::from_secs(3)).await;
        tokio::time::sleep(Duration::from_millis(300)).await;
        assert_eq!(hook.seen().len(), expected, "{name}");
        hook.hook.seen.lock().unwrap().clear();
    }
}

fn hostname() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .or_else(|_| std::fs::read_to_string("/etc/hostname"))
        .expect("this machine's name")
        .trim()
        .to_owned()
}

#[tokio::test]
async fn a_deleted_config_gets_nothing_more() {
    let hook = webhook(vec![]).await;
    let server =
        support::start(handler(AwaitsInput, quick(), WebhookGuard::new().allow_loopback()).await).await;
    let client = Client::new(&server, Binding::JsonRpc);
    let config = TaskPushNotificationConfig::new(&hook.url).with_id("c1");
    let task = client
        .send_task(&send_with(user_message("m1", "wait"), inline(config)))
        .await;
    hook.wait_for(1, Duration::from_secs(10)).await;
    client.delete_push_config(&task.id, "c1").await.unwrap();
    let mut answer = user_message("m2", "go");
    answer.task_id = task.id.clone();
    client.send_task(&send(answer)).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let states: Vec<_> = hook.accepted().iter().filter_map(state_of).collect();
    assert_eq!(states, [TaskState::InputRequired]);
}

#[tokio::test]
async fn the_conformance_agent_delivers_to_a_loopback_receiver_with_the_bearer_credentials() {
    let hook = webhook(vec![]).await;
    let server = support::start(conformance::builder("http://127.0.0.1").build()).await;
    let client = Client::new(&server, Binding::JsonRpc);
    let config = TaskPushNotificationConfig::new(&hook.url)
        .with_id("tck-push-1")
        .with_authentication(AuthenticationInfo::new("Bearer", "tck-test-token-1"));
    let task = client
        .send_task(&send_with(
            user_message("tck-input-required-1", "x"),
            inline(config),
        ))
        .await;
    let mut next = user_message("tck-complete-task-2", "x");
    next.task_id = task.id.clone();
    client.send_task(&send(next)).await;
    let seen = hook.wait_for(2, Duration::from_secs(15)).await;
    assert!(!seen.is_empty(), "delivered within the suite's 15 s");
    for delivery in &seen {
        assert_eq!(delivery.headers["authorization"], "Bearer tck-test-token-1");
        let event: serde_json::Value = serde_json::from_slice(&delivery.body).unwrap();
        let object = event.as_object().unwrap();
        assert_eq!(
            object.len(),
            1,
            "one of task/message/statusUpdate/artifactUpdate: {event}"
        );
    }
}
