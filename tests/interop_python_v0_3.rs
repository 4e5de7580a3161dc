//! Interop with the official Python SDK of protocol v0.3 (`a2a-sdk` 0.3.x),
//! run for real, both ways, on JSON-RPC, HTTP+JSON and (feature `grpc`)
//! gRPC, served on the same port as the HTTP bindings.
//!
//! The SDK lives in its own virtual environment, made by
//! `.ci/python-env-v0_3` (`target/interop-venv-v0_3`; `A2A_PYTHON_V03` may
//! name another interpreter). Without it these tests fail under CI and only
//! print a notice elsewhere.
//!
//! * `tests/python/v0_3_client.py` is the SDK's own client reading our card
//!   as a v0.3 card and running a scenario against our conformance agent
//!   (send, a direct message, stream, get, cancel, errors, push configs).
//! * `tests/python/v0_3_agent.py` is an agent on the SDK's own servers; our
//!   client finds its v0.3 card, speaks v0.3 to it and hands us 1.0 types.

#[path = "../examples/conformance/executor.rs"]
mod conformance;
mod support;

use std::time::Duration;

use a2akit::ErrorKind;
use a2akit::client::{Client, ClientFactory};
use a2akit::types::{
    CancelTaskRequest, GetTaskPushNotificationConfigRequest, GetTaskRequest, ListTasksRequest, Message,
    SendMessageRequest, SendMessageResponse, StreamResponse, Task, TaskPushNotificationConfig, TaskState,
    binding,
};
use futures_util::StreamExt as _;
use support::python;

const SCENARIO: [&str; 9] = [
    "card",
    "send_complete",
    "send_message_response",
    "stream",
    "get_task",
    "cancel_input_required",
    "cancel_completed",
    "get_unknown",
    "push",
];

async fn python_client_against_our_agent(transport: &str) {
    let Some(python) = python::interpreter_v0_3() else {
        return;
    };
    let server = support::start_with(|base| conformance::builder(base).build()).await;
    let steps = python::run_steps(
        &python,
        "v0_3_client.py",
        &[&server.base, transport],
        Duration::from_secs(120),
    )
    .await;
    let ran: Vec<&str> = steps.iter().filter_map(|step| step["step"].as_str()).collect();
    assert_eq!(
        ran, SCENARIO,
        "v0_3_client.py {transport} ran a different scenario"
    );
}

#[tokio::test]
async fn the_official_v0_3_client_against_our_agent_jsonrpc() {
    python_client_against_our_agent("jsonrpc").await;
}

#[tokio::test]
async fn the_official_v0_3_client_against_our_agent_http_json() {
    python_client_against_our_agent("http_json").await;
}

#[cfg(feature = "grpc")]
#[tokio::test]
async fn the_official_v0_3_client_against_our_agent_grpc() {
    python_client_against_our_agent("grpc").await;
}

fn send(text: &str) -> SendMessageRequest {
    SendMessageRequest::new(Message::user(text))
}

async fn task(client: &Client, request: SendMessageRequest) -> Task {
    match client.send_message(request).await.expect("send") {
        SendMessageResponse::Task(task) => task,
        other => panic!("expected a task, got {other:?}"),
    }
}

/// Our client against the SDK's v0.3 agent, over `wanted`.
async fn our_client_against_python_agent(wanted: &str) {
    let Some(python) = python::interpreter_v0_3() else {
        return;
    };
    let (_agent, ready) = python::start_agent(&python, "v0_3_agent.py", &[], Duration::from_secs(30)).await;
    let base = format!("http://127.0.0.1:{}", ready[0]);
    let grpc = format!("127.0.0.1:{}", ready[1]);
    let client = ClientFactory::new()
        .preferred_bindings([wanted])
        .connect(&base)
        .await
        .expect("the v0.3 card is read");
    assert_eq!(client.interface().protocol_binding, wanted);
    assert!(a2akit::v0_3::is_v0_3(&client.interface().protocol_version));
    let url = match wanted {
        binding::JSONRPC => format!("{base}/jsonrpc"),
        binding::HTTP_JSON => base.clone(),
        _ => grpc,
    };
    assert_eq!(client.interface().url, url);

    // A blocking send, answered with the completed task.
    let done = task(&client, send("hello")).await;
    assert_eq!(done.status.state, TaskState::Completed, "{done:?}");
    assert_eq!(done.artifacts[0].to_text(), "echo: hello", "{done:?}");

    // A stream, read as 1.0 events ending in the completed state.
    let mut stream = client.send_streaming_message(send("streamed")).await.unwrap();
    let mut events = Vec::new();
    while let Some(event) = tokio::time::timeout(Duration::from_secs(20), stream.next())
        .await
        .unwrap()
    {
        events.push(event.unwrap());
    }
    assert!(
        events.iter().any(
            |e| matches!(e, StreamResponse::ArtifactUpdate(a) if a.artifact.to_text() == "echo: streamed")
        ),
        "{events:?}"
    );
    assert!(
        matches!(events.last(), Some(StreamResponse::StatusUpdate(u)) if u.status.state == TaskState::Completed),
        "{events:?}"
    );

    // GetTask.
    let fetched = client.get_task(GetTaskRequest::new(&done.id)).await.unwrap();
    assert_eq!(
        (fetched.id.as_str(), fetched.status.state),
        (done.id.as_str(), TaskState::Completed)
    );
    let missing = client
        .get_task(GetTaskRequest::new("no-such-task"))
        .await
        .unwrap_err();
    assert_eq!(missing.kind(), ErrorKind::TaskNotFound, "{missing}");

    // CancelTask of a task waiting for input.
    let waiting = task(&client, send("input")).await;
    assert_eq!(waiting.status.state, TaskState::InputRequired, "{waiting:?}");
    let canceled = client
        .cancel_task(CancelTaskRequest::new(&waiting.id))
        .await
        .unwrap();
    assert_eq!(canceled.status.state, TaskState::Canceled, "{canceled:?}");

    // Push configs.
    let mut config = TaskPushNotificationConfig::new("http://127.0.0.1:9/hook");
    config.task_id.clone_from(&done.id);
    config.id = "hook-1".into();
    config.token = "tok".into();
    let stored = client.create_task_push_notification_config(config).await.unwrap();
    assert_eq!(
        (stored.task_id.as_str(), stored.id.as_str()),
        (done.id.as_str(), "hook-1")
    );
    let read = client
        .get_task_push_notification_config(GetTaskPushNotificationConfigRequest::new(&done.id, "hook-1"))
        .await
        .unwrap();
    assert_eq!(
        (read.url.as_str(), read.token.as_str()),
        ("http://127.0.0.1:9/hook", "tok")
    );

    // v0.3 has no ListTasks.
    let unlisted = client.list_tasks(ListTasksRequest::default()).await.unwrap_err();
    assert_eq!(unlisted.kind(), ErrorKind::UnsupportedOperation);
}

#[tokio::test]
async fn our_client_against_the_official_v0_3_agent_jsonrpc() {
    our_client_against_python_agent(binding::JSONRPC).await;
}

#[tokio::test]
async fn our_client_against_the_official_v0_3_agent_http_json() {
    our_client_against_python_agent(binding::HTTP_JSON).await;
}

#[cfg(feature = "grpc")]
#[tokio::test]
async fn our_client_against_the_official_v0_3_agent_grpc() {
    our_client_against_python_agent(binding::GRPC).await;
}
