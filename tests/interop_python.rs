//! Interop with the official A2A Python SDK (`a2a-sdk`), run for real.
//!
//! The SDK lives in a virtual environment made by `.ci/python-env`
//! (`target/interop-venv`); `A2A_PYTHON` may name another interpreter that has
//! it installed. Without one, these tests fail under CI (`CI` set) and only
//! print a notice elsewhere, so that a plain local `cargo test` still works.
//!
//! * `tests/python/client.py` is the SDK's own client running a scenario
//!   against our conformance agent, once per binding: JSON-RPC, HTTP+JSON
//!   and, with the `grpc` feature, gRPC (served on the same port).
//! * `tests/python/agent.py` is an agent built on the SDK's servers (HTTP,
//!   and gRPC on a second port); the same scenario is run against it as a
//!   reference, which shows that the scenario's expectations are the SDK's
//!   own. Our client runs its own scenario against it. Both go over each
//!   binding, gRPC again only with the `grpc` feature.

#[path = "../examples/conformance/executor.rs"]
mod conformance;
mod support;

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use a2akit::types::{AgentCard, binding, json};

/// How long one run of `client.py` may take.
const CLIENT_TIMEOUT: Duration = Duration::from_secs(120);

/// How long `agent.py` may take to print its `READY` line.
const AGENT_START_TIMEOUT: Duration = Duration::from_secs(30);

/// The steps `client.py` runs, in order. Every one must be reported as
/// passed: a step that is silently left out fails the test.
const SCENARIO: [&str; 14] = [
    "card",
    "send_complete",
    "send_message_response",
    "stream",
    "get_task",
    "list_tasks",
    "multi_turn",
    "cancel_input_required",
    "cancel_completed",
    "cancel_working",
    "subscribe",
    "get_unknown",
    "push",
    "push_delivery",
];

/// The Python interpreter that has the SDK (see [`support::python`]).
fn python() -> Option<PathBuf> {
    support::python::interpreter()
}

/// Our conformance agent served in-process on an ephemeral port.
struct RustAgent {
    base: String,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for RustAgent {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn start_rust_agent() -> RustAgent {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    // The card's interface URLs carry the real port, so bind first.
    let base = format!("http://{}", listener.local_addr().expect("local address"));
    // Webhooks on loopback allowed, as in the conformance agent: the
    // scenario's receiver listens on 127.0.0.1.
    let handler = conformance::builder(&base).build();
    let app = a2akit::server::http::router(handler);
    let task = tokio::spawn(async move {
        a2akit::server::serve(listener, app).await.expect("serve");
    });
    RustAgent { base, task }
}

/// `agent.py` running on ports of its own.
struct PythonAgent {
    /// Where the card and the HTTP bindings are: `http://127.0.0.1:<port>`.
    base: String,
    /// Where gRPC is: the bare `127.0.0.1:<port>` the card lists.
    grpc: String,
    _process: support::python::Process,
}

/// Starts `agent.py` on two free ports and waits for its
/// `READY <http port> <grpc port>` line.
async fn start_python_agent(python: &Path) -> PythonAgent {
    let (process, ports) =
        support::python::start_agent(python, "agent.py", &["0"], AGENT_START_TIMEOUT).await;
    let [http, grpc] = &ports[..] else {
        panic!("READY names the HTTP port and the gRPC port: {ports:?}");
    };
    PythonAgent {
        base: format!("http://127.0.0.1:{http}"),
        grpc: format!("127.0.0.1:{grpc}"),
        _process: process,
    }
}

/// Runs `client.py` against `base` for one binding and checks that every
/// step of the scenario ran and passed; returns each step's report.
async fn run_python_client(python: &Path, base: &str, binding: &str) -> Vec<serde_json::Value> {
    let started = Instant::now();
    let steps = support::python::run_steps(python, "client.py", &[base, binding], CLIENT_TIMEOUT).await;
    println!("client.py {binding} against {base}: {:?}", started.elapsed());
    let ran: Vec<&str> = steps.iter().filter_map(|step| step["step"].as_str()).collect();
    assert_eq!(ran, SCENARIO, "client.py ({binding}) ran a different scenario");
    steps
}

/// Our agent's deliveries reached the SDK's webhook, every one signed with
/// the token (checked there by the Standard Webhooks library).
fn assert_signed_deliveries(steps: &[serde_json::Value]) {
    let delivery = steps
        .iter()
        .find(|step| step["step"] == "push_delivery")
        .expect("a push_delivery step");
    assert_eq!(delivery["supported"], true, "{delivery}");
    let count = delivery["deliveries"].as_u64().unwrap_or(0);
    assert!(count >= 1, "{delivery}");
    assert_eq!(delivery["signed"].as_u64(), Some(count), "{delivery}");
}

// --- The official Python client against our server -------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn python_client_against_our_agent_jsonrpc() {
    let Some(python) = python() else { return };
    let agent = start_rust_agent().await;
    assert_signed_deliveries(&run_python_client(&python, &agent.base, "jsonrpc").await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn python_client_against_our_agent_http_json() {
    let Some(python) = python() else { return };
    let agent = start_rust_agent().await;
    assert_signed_deliveries(&run_python_client(&python, &agent.base, "http_json").await);
}

/// gRPC on the same port as the HTTP bindings; the card lists it as the
/// bare `host:port`, and the SDK's client finds it there.
#[cfg(feature = "grpc")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn python_client_against_our_agent_grpc() {
    let Some(python) = python() else { return };
    let agent = start_rust_agent().await;
    let card = fetch_card(&agent.base).await;
    let grpc = card
        .supported_interfaces
        .iter()
        .find(|interface| interface.protocol_binding == binding::GRPC)
        .unwrap_or_else(|| panic!("our card lists gRPC: {card:?}"));
    assert_eq!(grpc.url, agent.base.trim_start_matches("http://"));
    assert_signed_deliveries(&run_python_client(&python, &agent.base, "grpc").await);
}

// --- The official Python server --------------------------------------------

/// The card served at `base`, parsed by our types.
async fn fetch_card(base: &str) -> AgentCard {
    let response = reqwest::get(format!("{base}/.well-known/agent-card.json"))
        .await
        .expect("card request");
    assert!(
        response.status().is_success(),
        "card status {}",
        response.status()
    );
    let bytes = response.bytes().await.expect("card body");
    json::from_slice(&bytes)
        .unwrap_or_else(|err| panic!("the card parses ({err}): {}", String::from_utf8_lossy(&bytes)))
}

/// `agent.py` runs and serves a v1.0 card that our types parse, listing both
/// HTTP bindings at its real port and gRPC as the bare `host:port` of its
/// second one.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn python_agent_serves_its_card() {
    let Some(python) = python() else { return };
    let agent = start_python_agent(&python).await;
    let card = fetch_card(&agent.base).await;

    let interface = |wanted: &str| {
        card.supported_interfaces
            .iter()
            .find(|interface| interface.protocol_binding == wanted)
            .unwrap_or_else(|| panic!("the card lists {wanted}: {card:?}"))
    };
    let jsonrpc = interface(binding::JSONRPC);
    let rest = interface(binding::HTTP_JSON);
    let grpc = interface(binding::GRPC);
    assert_eq!(jsonrpc.url, format!("{}/a2a/jsonrpc", agent.base));
    assert_eq!(rest.url, format!("{}/a2a/rest", agent.base));
    assert_eq!(grpc.url, agent.grpc);
    assert_ne!(agent.grpc, agent.base.trim_start_matches("http://"));
    for interface in [jsonrpc, rest, grpc] {
        assert_eq!(interface.protocol_version, "1.0", "{interface:?}");
    }
    assert_eq!(card.capabilities.streaming, Some(true));
    assert_eq!(card.capabilities.push_notifications, Some(true));
}

/// The scenario run by the SDK's client against the SDK's own server: the
/// reference that shows a failure against our agent is ours, not the
/// scenario's.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn python_client_against_python_agent_reference() {
    let Some(python) = python() else { return };
    let agent = start_python_agent(&python).await;
    for binding in ["jsonrpc", "http_json"] {
        run_python_client(&python, &agent.base, binding).await;
    }
}

/// The same reference over gRPC, Python to Python.
#[cfg(feature = "grpc")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn python_client_against_python_agent_reference_grpc() {
    let Some(python) = python() else { return };
    let agent = start_python_agent(&python).await;
    run_python_client(&python, &agent.base, "grpc").await;
}

// --- Our Rust client against the official Python server --------------------

mod our_client {
    use super::*;
    use a2akit::ErrorKind;
    use a2akit::client::{Client, ClientFactory, ClientStream};
    use a2akit::types::{
        CancelTaskRequest, DeleteTaskPushNotificationConfigRequest, GetTaskPushNotificationConfigRequest,
        GetTaskRequest, ListTaskPushNotificationConfigsRequest, ListTasksRequest, Message,
        SendMessageRequest, SendMessageResponse, StreamResponse, SubscribeToTaskRequest, Task,
        TaskPushNotificationConfig, TaskState,
    };
    use futures_util::StreamExt as _;

    fn send(id: &str) -> SendMessageRequest {
        SendMessageRequest::new(
            Message::user("hello from Rust").with_message_id(format!("{id}-{}", uuid::Uuid::new_v4())),
        )
    }

    async fn task(client: &Client, request: SendMessageRequest) -> Task {
        match client.send_message(request).await.expect("send succeeds") {
            SendMessageResponse::Task(task) => task,
            other => panic!("expected a task, got {other:?}"),
        }
    }

    async fn collect(mut stream: ClientStream) -> Vec<StreamResponse> {
        let mut events = Vec::new();
        while let Some(event) = tokio::time::timeout(Duration::from_secs(20), stream.next())
            .await
            .expect("in time")
        {
            events.push(event.expect("no stream error"));
        }
        events
    }

    fn last_state(events: &[StreamResponse]) -> Option<TaskState> {
        events.iter().rev().find_map(|event| match event {
            StreamResponse::Task(task) => Some(task.status.state),
            StreamResponse::StatusUpdate(update) => Some(update.status.state),
            _ => None,
        })
    }

    /// Every operation of our client against the Python SDK's server.
    async fn scenario(python: &Path, wanted: &str) {
        let agent = start_python_agent(python).await;
        let client = ClientFactory::new()
            .preferred_bindings([wanted])
            .connect(&agent.base)
            .await
            .expect("card");
        assert_eq!(client.interface().protocol_binding, wanted);
        let url = match wanted {
            binding::JSONRPC => format!("{}/a2a/jsonrpc", agent.base),
            binding::HTTP_JSON => format!("{}/a2a/rest", agent.base),
            _ => agent.grpc.clone(),
        };
        assert_eq!(client.interface().url, url);

        // SendMessage: a task, and a direct message.
        let done = task(&client, send("tck-complete-task")).await;
        assert_eq!(done.status.state, TaskState::Completed);
        assert!(
            done.status
                .message
                .as_ref()
                .is_some_and(|m| m.text() == "Hello from TCK"),
            "{done:?}"
        );
        match client.send_message(send("tck-message-response")).await.unwrap() {
            SendMessageResponse::Message(message) => assert!(!message.text().is_empty()),
            other => panic!("expected a message, got {other:?}"),
        }

        // SendStreamingMessage.
        let events = collect(
            client
                .send_streaming_message(send("tck-stream-001"))
                .await
                .unwrap(),
        )
        .await;
        assert!(
            events
                .iter()
                .any(|e| matches!(e, StreamResponse::ArtifactUpdate(_))),
            "{events:?}"
        );
        assert_eq!(last_state(&events), Some(TaskState::Completed), "{events:?}");

        // GetTask, with historyLength.
        let mut get = GetTaskRequest::new(&done.id);
        get.history_length = Some(1);
        let fetched = client.get_task(get).await.unwrap();
        assert_eq!(fetched.id, done.id);
        assert!(fetched.history.len() <= 1);
        let missing = client
            .get_task(GetTaskRequest::new("no-such-task"))
            .await
            .unwrap_err();
        assert_eq!(missing.kind(), ErrorKind::TaskNotFound, "{missing}");

        // ListTasks, paging through a fresh context.
        let context = format!("rust-ctx-{}", uuid::Uuid::new_v4());
        for _ in 0..3 {
            let mut request = send("tck-complete-task");
            request.message.context_id.clone_from(&context);
            task(&client, request).await;
        }
        let (mut seen, mut token) = (Vec::new(), String::new());
        loop {
            let request = ListTasksRequest {
                context_id: context.clone(),
                page_size: Some(2),
                page_token: token,
                ..Default::default()
            };
            let page = client.list_tasks(request).await.unwrap();
            assert_eq!(page.total_size, 3);
            seen.extend(page.tasks.into_iter().map(|t| t.id));
            if page.next_page_token.is_empty() {
                break;
            }
            token = page.next_page_token;
        }
        assert_eq!(seen.len(), 3, "{seen:?}");

        // Multi-turn: input required, then a follow-up on the same task.
        let waiting = task(&client, send("tck-input-required")).await;
        assert_eq!(waiting.status.state, TaskState::InputRequired);
        let mut follow_up = send("tck-complete-task");
        follow_up.message.task_id.clone_from(&waiting.id);
        let finished = task(&client, follow_up).await;
        assert_eq!(
            (finished.id.as_str(), finished.status.state),
            (waiting.id.as_str(), TaskState::Completed)
        );

        // SubscribeToTask on a running task follows it to the end.
        let mut slow = send("slow");
        slow.configuration =
            Some(a2akit::types::SendMessageConfiguration::default().with_return_immediately(true));
        let running = task(&client, slow).await;
        let events = collect(
            client
                .subscribe_to_task(SubscribeToTaskRequest::new(&running.id))
                .await
                .unwrap(),
        )
        .await;
        assert!(
            matches!(events.first(), Some(StreamResponse::Task(t)) if t.id == running.id),
            "{events:?}"
        );
        assert_eq!(last_state(&events), Some(TaskState::Completed), "{events:?}");

        // CancelTask: a running task, then a finished one.
        let mut slow = send("slow");
        slow.configuration =
            Some(a2akit::types::SendMessageConfiguration::default().with_return_immediately(true));
        let running = task(&client, slow).await;
        let canceled = client
            .cancel_task(CancelTaskRequest::new(&running.id))
            .await
            .unwrap();
        assert_eq!(canceled.status.state, TaskState::Canceled);
        let refused = client
            .cancel_task(CancelTaskRequest::new(&done.id))
            .await
            .unwrap_err();
        assert_eq!(refused.kind(), ErrorKind::TaskNotCancelable, "{refused}");

        // Push notification configs.
        let config = TaskPushNotificationConfig::new("https://example.com/hook")
            .with_task_id(&done.id)
            .with_id("rust-1");
        let created = client.create_task_push_notification_config(config).await.unwrap();
        assert_eq!(
            (created.id.as_str(), created.url.as_str()),
            ("rust-1", "https://example.com/hook")
        );
        let fetched = client
            .get_task_push_notification_config(GetTaskPushNotificationConfigRequest::new(&done.id, "rust-1"))
            .await
            .unwrap();
        assert_eq!(fetched.url, "https://example.com/hook");
        let listed = client
            .list_task_push_notification_configs(ListTaskPushNotificationConfigsRequest::new(&done.id))
            .await
            .unwrap();
        assert!(listed.configs.iter().any(|c| c.id == "rust-1"), "{listed:?}");
        client
            .delete_task_push_notification_config(DeleteTaskPushNotificationConfigRequest::new(
                &done.id, "rust-1",
            ))
            .await
            .unwrap();
        let gone = client
            .get_task_push_notification_config(GetTaskPushNotificationConfigRequest::new(&done.id, "rust-1"))
            .await;
        assert!(gone.is_err(), "{gone:?}");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn our_client_against_python_agent_jsonrpc() {
        let Some(python) = python() else { return };
        scenario(&python, binding::JSONRPC).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn our_client_against_python_agent_http_json() {
        let Some(python) = python() else { return };
        scenario(&python, binding::HTTP_JSON).await;
    }

    /// Our gRPC transport dials the bare `host:port` of the card's gRPC
    /// interface, the second port of `agent.py`.
    #[cfg(feature = "grpc")]
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn our_client_against_python_agent_grpc() {
        let Some(python) = python() else { return };
        scenario(&python, binding::GRPC).await;
    }
}

/// Our delivery signatures, checked by the Standard Webhooks reference
/// library (`standardwebhooks` on PyPI), and its signature checked by our
/// receiver: the two implementations agree on the scheme.
#[test]
fn standard_webhooks_reference_library_agrees_with_our_signatures() {
    use a2akit::webhook::{Receiver, SigningKey, signature_header};

    let Some(python) = python() else { return };
    let key = SigningKey::from_token("the-push-config-token");
    let body =
        r#"{"statusUpdate":{"taskId":"t1","contextId":"c1","status":{"state":"TASK_STATE_COMPLETED"}}}"#;
    let timestamp = chrono::Utc::now().timestamp();
    let signature = signature_header(std::slice::from_ref(&key), "msg_1", timestamp, body.as_bytes());
    let request = serde_json::json!({
        "secret": key.to_secret(),
        "id": "msg_1",
        "timestamp": timestamp,
        "signature": signature,
        "body": body,
        "tampered": body.replace("COMPLETED", "FAILED"),
    });
    let mut child = support::python::command(&python, "webhook.py", &[])
        .stdin(Stdio::piped())
        .spawn()
        .expect("python");
    std::io::Write::write_all(child.stdin.as_mut().unwrap(), request.to_string().as_bytes()).unwrap();
    drop(child.stdin.take());
    let output = child.wait_with_output().unwrap();
    assert!(
        output.status.success(),
        "the reference library refused our signature: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let theirs = String::from_utf8(output.stdout).unwrap();

    let mut headers = http::HeaderMap::new();
    headers.insert("webhook-id", "py_1".parse().unwrap());
    headers.insert("webhook-timestamp", timestamp.to_string().parse().unwrap());
    headers.insert("webhook-signature", theirs.trim().parse().unwrap());
    let delivery = Receiver::new(key)
        .verify(&headers, body.as_bytes())
        .expect("our receiver accepts the reference library's signature");
    assert_eq!(delivery.id, "py_1");
}
