//! v0.3 served beside 1.0 on the same routers, and our client speaking v0.3:
//! the wire shapes a v0.3 client sees, the version rules, one task read and
//! written by both versions, the card both generations read, and the switch
//! that turns v0.3 off.

#[path = "../examples/conformance/executor.rs"]
mod conformance;
mod support;

use std::time::Duration;

use a2akit::client::{Client, ClientFactory};
use a2akit::types::{
    AgentInterface, CancelTaskRequest, GetTaskRequest, ListTasksRequest, Message, SendMessageRequest,
    SendMessageResponse, StreamResponse, Task, TaskPushNotificationConfig, TaskState, binding,
};
use a2akit::{ErrorKind, v0_3};
use futures_util::StreamExt as _;
use serde_json::{Value, json};

/// The conformance agent on an ephemeral port, every binding at the root.
async fn agent(serve_v0_3: bool) -> support::TestServer {
    support::start_with(|base| conformance::builder(base).serve_v0_3(serve_v0_3).build()).await
}

/// Posts a JSON-RPC envelope, with `A2A-Version` when given.
async fn rpc(base: &str, version: Option<&str>, method: &str, params: Value) -> Value {
    let mut request = reqwest::Client::new()
        .post(format!("{base}/"))
        .json(&json!({"jsonrpc": "2.0", "id": 7, "method": method, "params": params}));
    if let Some(version) = version {
        request = request.header("A2A-Version", version);
    }
    request.send().await.unwrap().json().await.unwrap()
}

fn v03_message(id_prefix: &str) -> Value {
    json!({"kind": "message", "messageId": format!("{id_prefix}-{}", uuid::Uuid::new_v4()),
           "role": "user", "parts": [{"kind": "text", "text": "hello"}]})
}

#[tokio::test]
async fn a_v0_3_request_gets_v0_3_shapes_and_codes() {
    let server = agent(true).await;
    let sent = rpc(
        &server.base,
        None,
        "message/send",
        json!({"message": v03_message("tck-complete-task")}),
    )
    .await;
    let task = &sent["result"];
    assert_eq!(task["kind"], "task", "{sent}");
    assert_eq!(task["status"]["state"], "completed", "{sent}");
    assert_eq!(task["history"][0]["role"], "user", "{sent}");
    assert_eq!(task["history"][0]["parts"][0]["kind"], "text", "{sent}");
    let id = task["id"].as_str().unwrap();

    // An empty or 0.3 version is v0.3 too.
    for version in ["", "0.3", "0.3.0"] {
        let got = rpc(
            &server.base,
            Some(version),
            "tasks/get",
            json!({"id": id, "historyLength": 0}),
        )
        .await;
        assert_eq!(got["result"]["id"], id, "{version}: {got}");
        assert_eq!(got["result"]["kind"], "task");
    }

    // v0.3 error codes: TaskNotFound, TaskNotCancelable.
    let missing = rpc(&server.base, None, "tasks/get", json!({"id": "nope"})).await;
    assert_eq!(missing["error"]["code"], -32001, "{missing}");
    let done = rpc(&server.base, None, "tasks/cancel", json!({"id": id})).await;
    assert_eq!(done["error"]["code"], -32002, "{done}");

    // A direct message answer carries its kind.
    let reply = rpc(
        &server.base,
        None,
        "message/send",
        json!({"message": v03_message("tck-message-response")}),
    )
    .await;
    assert_eq!(reply["result"]["kind"], "message", "{reply}");
    assert_eq!(reply["result"]["role"], "agent", "{reply}");

    // A v0.3 method under another version is that version's request: a
    // method 1.0 does not have, or a version not served.
    let message = json!({"message": v03_message("tck-complete-task")});
    let unknown = rpc(&server.base, Some("1.0"), "message/send", message.clone()).await;
    assert_eq!(unknown["error"]["code"], -32601, "{unknown}");
    let refused = rpc(&server.base, Some("99.0"), "message/send", message).await;
    assert_eq!(refused["error"]["code"], -32009, "{refused}");
    // And a 1.0 method without a version is not served as 1.0.
    let unversioned = rpc(&server.base, None, "GetTask", json!({"id": id})).await;
    assert_eq!(unversioned["error"]["code"], -32009, "{unversioned}");
}

#[tokio::test]
async fn a_v0_3_stream_ends_with_a_final_status_update() {
    let server = agent(true).await;
    let response = reqwest::Client::new()
        .post(format!("{}/", server.base))
        .json(&json!({"jsonrpc": "2.0", "id": 1, "method": "message/stream",
                      "params": {"message": v03_message("tck-stream-001")}}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.headers()["content-type"], "text/event-stream");
    let body = tokio::time::timeout(Duration::from_secs(20), response.text())
        .await
        .unwrap()
        .unwrap();
    let events: Vec<Value> = body
        .lines()
        .filter_map(|line| line.strip_prefix("data: "))
        .map(|data| serde_json::from_str::<Value>(data).unwrap()["result"].clone())
        .collect();
    assert_eq!(events[0]["kind"], "task", "{body}");
    let last = events.last().unwrap();
    assert_eq!(last["kind"], "status-update", "{body}");
    assert_eq!(last["final"], true, "{body}");
    assert_eq!(last["status"]["state"], "completed", "{body}");
    assert!(events.iter().any(|e| e["kind"] == "artifact-update"), "{body}");
    assert!(
        events[..events.len() - 1].iter().all(|e| e["final"] != true),
        "only the last event is final: {body}"
    );
}

#[tokio::test]
async fn v0_3_can_be_switched_off() {
    let server = agent(false).await;
    let refused = rpc(
        &server.base,
        None,
        "message/send",
        json!({"message": v03_message("tck-complete-task")}),
    )
    .await;
    assert_eq!(refused["error"]["code"], -32009, "{refused}");
    let card: Value = reqwest::get(format!("{}/.well-known/agent-card.json", server.base))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(card.get("url").is_none(), "no v0.3 members: {card}");
    let versions: Vec<&str> = card["supportedInterfaces"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["protocolVersion"].as_str().unwrap())
        .collect();
    assert!(versions.iter().all(|v| v.starts_with("1.")), "{versions:?}");
}

#[tokio::test]
async fn the_card_lists_both_versions_and_both_generations_read_it() {
    let server = agent(true).await;
    let json: Value = reqwest::get(format!("{}/.well-known/agent-card.json", server.base))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let interfaces: Vec<(String, String)> = json["supportedInterfaces"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            (
                i["protocolBinding"].as_str().unwrap().to_owned(),
                i["protocolVersion"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    for wanted in support::agents::binding_names() {
        assert!(
            interfaces.contains(&(wanted.to_owned(), "1.0".to_owned())),
            "{interfaces:?}"
        );
        assert!(
            interfaces.contains(&(wanted.to_owned(), "0.3".to_owned())),
            "{interfaces:?}"
        );
    }
    let first_v03 = interfaces.iter().position(|(_, v)| v == "0.3").unwrap();
    assert!(
        interfaces[..first_v03].iter().all(|(_, v)| v == "1.0"),
        "1.0 first: {interfaces:?}"
    );

    let legacy: v0_3::AgentCard = serde_json::from_value(json.clone()).unwrap();
    assert_eq!(legacy.url, server.base);
    assert_eq!(legacy.preferred_transport, "JSONRPC");
    assert!(v0_3::is_v0_3(&legacy.protocol_version));
    let v1: a2akit::types::AgentCard = serde_json::from_value(json).unwrap();
    assert_eq!(v1.supported_interfaces.len(), interfaces.len());

    // Our client picks 1.0 from it.
    let client = ClientFactory::new().connect(&server.base).await.unwrap();
    assert_eq!(client.interface().protocol_version, "1.0");
}

fn v03_client(base: &str, binding: &str) -> Client {
    let url = match binding {
        binding::JSONRPC => format!("{base}/"),
        binding::HTTP_JSON => base.to_owned(),
        _ => base.trim_start_matches("http://").to_owned(),
    };
    ClientFactory::new()
        .client_for_interface(AgentInterface::new(url, binding).with_protocol_version("0.3"))
        .unwrap()
}

fn v1_client(base: &str) -> Client {
    ClientFactory::new()
        .client_for_interface(AgentInterface::new(format!("{base}/"), binding::JSONRPC))
        .unwrap()
}

fn send(prefix: &str) -> SendMessageRequest {
    SendMessageRequest::new(
        Message::user("hello").with_message_id(format!("{prefix}-{}", uuid::Uuid::new_v4())),
    )
}

async fn task(client: &Client, request: SendMessageRequest) -> Task {
    match client.send_message(request).await.expect("send") {
        SendMessageResponse::Task(task) => task,
        other => panic!("expected a task, got {other:?}"),
    }
}

/// One task, written and read by both versions, on each HTTP binding.
async fn one_task_both_versions(binding: &str) {
    let server = agent(true).await;
    let old = v03_client(&server.base, binding);
    let new = v1_client(&server.base);

    // Created over v0.3, read over 1.0.
    let created = task(&old, send("tck-complete-task")).await;
    assert_eq!(created.status.state, TaskState::Completed);
    let read = new.get_task(GetTaskRequest::new(&created.id)).await.unwrap();
    assert_eq!(read.id, created.id);
    assert_eq!(read.context_id, created.context_id);
    assert_eq!(read.history[0].text(), "hello");

    // Created over 1.0, answered and canceled over v0.3.
    let waiting = task(&new, send("tck-input-required")).await;
    assert_eq!(waiting.status.state, TaskState::InputRequired);
    let seen = old.get_task(GetTaskRequest::new(&waiting.id)).await.unwrap();
    assert_eq!(seen.status.state, TaskState::InputRequired);
    let canceled = old
        .cancel_task(CancelTaskRequest::new(&waiting.id))
        .await
        .unwrap();
    assert_eq!(canceled.status.state, TaskState::Canceled);
    let after = new.get_task(GetTaskRequest::new(&waiting.id)).await.unwrap();
    assert_eq!(after.status.state, TaskState::Canceled);

    // Errors keep their kind through v0.3's codes.
    let missing = old.get_task(GetTaskRequest::new("nope")).await.unwrap_err();
    assert_eq!(missing.kind(), ErrorKind::TaskNotFound);
    let not_cancelable = old
        .cancel_task(CancelTaskRequest::new(&created.id))
        .await
        .unwrap_err();
    assert_eq!(not_cancelable.kind(), ErrorKind::TaskNotCancelable);
    // v0.3 has no ListTasks.
    let unlisted = old.list_tasks(ListTasksRequest::default()).await.unwrap_err();
    assert_eq!(unlisted.kind(), ErrorKind::UnsupportedOperation);

    // A stream over v0.3, read as 1.0 events.
    let mut stream = old.send_streaming_message(send("tck-stream-001")).await.unwrap();
    let mut events = Vec::new();
    while let Some(event) = tokio::time::timeout(Duration::from_secs(20), stream.next())
        .await
        .unwrap()
    {
        events.push(event.unwrap());
    }
    assert!(
        matches!(events.first(), Some(StreamResponse::Task(_))),
        "{events:?}"
    );
    assert!(
        events
            .iter()
            .any(|e| matches!(e, StreamResponse::ArtifactUpdate(_))),
        "{events:?}"
    );
    assert!(
        matches!(events.last(), Some(StreamResponse::StatusUpdate(u)) if u.status.state == TaskState::Completed),
        "{events:?}"
    );

    // A push config set over v0.3 is read over 1.0.
    let mut config = TaskPushNotificationConfig::new("http://127.0.0.1:9/hook");
    config.task_id.clone_from(&created.id);
    config.id = "hook-1".into();
    config.token = "tok".into();
    let stored = old.create_task_push_notification_config(config).await.unwrap();
    assert_eq!(
        (stored.task_id.as_str(), stored.id.as_str()),
        (created.id.as_str(), "hook-1")
    );
    let request = a2akit::types::GetTaskPushNotificationConfigRequest::new(&created.id, "hook-1");
    let read = new
        .get_task_push_notification_config(request.clone())
        .await
        .unwrap();
    assert_eq!(read.token, "tok");
    let again = old.get_task_push_notification_config(request).await.unwrap();
    assert_eq!(again.url, "http://127.0.0.1:9/hook");
}

#[tokio::test]
async fn one_task_is_read_and_written_over_both_versions_jsonrpc() {
    one_task_both_versions(binding::JSONRPC).await;
}

#[tokio::test]
async fn one_task_is_read_and_written_over_both_versions_http_json() {
    one_task_both_versions(binding::HTTP_JSON).await;
}

#[cfg(feature = "grpc")]
#[tokio::test]
async fn one_task_is_read_and_written_over_both_versions_grpc() {
    one_task_both_versions(binding::GRPC).await;
}

#[tokio::test]
async fn v0_3_http_json_paths_answer_in_v0_3_shapes_and_statuses() {
    let server = agent(true).await;
    let http = reqwest::Client::new();
    let message = json!({"messageId": format!("tck-complete-task-{}", uuid::Uuid::new_v4()),
                         "role": "ROLE_USER", "content": [{"text": "hello"}]});
    let sent: Value = http
        .post(format!("{}/v1/message:send", server.base))
        .json(&json!({"message": message, "configuration": {"blocking": true}}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(sent["task"]["status"]["state"], "TASK_STATE_COMPLETED", "{sent}");
    assert_eq!(
        sent["task"]["history"][0]["content"][0]["text"], "hello",
        "{sent}"
    );
    let id = sent["task"]["id"].as_str().unwrap();

    let got: Value = http
        .get(format!("{}/v1/tasks/{id}?historyLength=0", server.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(got["id"], id, "{got}");
    assert!(got.get("history").is_none(), "{got}");

    // v0.3's statuses, with a message both generations read.
    let refused = http
        .post(format!("{}/v1/tasks/{id}:cancel", server.base))
        .json(&json!({"name": format!("tasks/{id}")}))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 409);
    let body: Value = refused.json().await.unwrap();
    assert!(body["message"].as_str().is_some_and(|m| !m.is_empty()), "{body}");
    assert_eq!(body["error"]["status"], "FAILED_PRECONDITION", "{body}");
    let missing = http
        .get(format!("{}/v1/tasks/nope", server.base))
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), 404);

    // Without `blocking: true`, a v0.3 send returns at once, as v0.3 servers did.
    let message = json!({"messageId": format!("tck-input-required-{}", uuid::Uuid::new_v4()),
                         "role": "ROLE_USER", "content": [{"text": "hello"}]});
    let at_once: Value = http
        .post(format!("{}/v1/message:send", server.base))
        .json(&json!({"message": message}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(at_once["task"]["id"].is_string(), "{at_once}");

    // A 1.x request on a v0.3 path is told where 1.x is.
    let wrong = http
        .get(format!("{}/v1/tasks/{id}", server.base))
        .header("A2A-Version", "1.0")
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), 400);
}

/// Malformed, oversized and hostile v0.3 requests get v0.3's errors, and the
/// server goes on serving.
#[tokio::test]
async fn hostile_v0_3_requests_get_clear_errors_and_the_server_keeps_serving() {
    let server = agent(true).await;
    let http = reqwest::Client::new();

    // JSON-RPC: params of the wrong shape, no message, an unknown method, a negative length.
    let wrong = rpc(
        &server.base,
        None,
        "message/send",
        json!({"message": "not an object"}),
    )
    .await;
    assert_eq!(wrong["error"]["code"], -32602, "{wrong}");
    let missing = rpc(&server.base, None, "message/send", json!({})).await;
    assert_eq!(missing["error"]["code"], -32602, "{missing}");
    // A method v0.3 does not have, unversioned, is a request of no version served.
    let unknown = rpc(&server.base, None, "tasks/list", json!({})).await;
    assert_eq!(unknown["error"]["code"], -32009, "{unknown}");
    let bad_length = rpc(
        &server.base,
        None,
        "tasks/get",
        json!({"id": "x", "historyLength": -1}),
    )
    .await;
    assert_eq!(bad_length["error"]["code"], -32602, "{bad_length}");

    // HTTP+JSON: not JSON, not an object, a body over the limit, a bad query, a bad name.
    let post = |path: &str, body: Vec<u8>| {
        http.post(format!("{}{path}", server.base))
            .header("content-type", "application/json")
            .body(body)
            .send()
    };
    assert_eq!(
        post("/v1/message:send", b"{not json".to_vec())
            .await
            .unwrap()
            .status(),
        400
    );
    assert_eq!(
        post("/v1/message:send", b"[1, 2]".to_vec())
            .await
            .unwrap()
            .status(),
        400
    );
    let huge = format!(
        "{{\"message\": {{\"content\": [{{\"text\": \"{}\"}}]}}}}",
        "x".repeat(11 << 20)
    );
    assert_eq!(
        post("/v1/message:send", huge.into_bytes())
            .await
            .unwrap()
            .status(),
        413
    );
    let bad_query = http
        .get(format!("{}/v1/tasks/x?historyLength=lots", server.base))
        .send()
        .await
        .unwrap();
    assert_eq!(bad_query.status(), 422);
    let body: Value = bad_query.json().await.unwrap();
    assert!(
        body["message"]
            .as_str()
            .is_some_and(|m| m.contains("historyLength")),
        "{body}"
    );
    let no_message = post("/v1/message:send", b"{}".to_vec()).await.unwrap();
    assert_eq!(no_message.status(), 422);

    // Still serving.
    let sent = rpc(
        &server.base,
        None,
        "message/send",
        json!({"message": v03_message("tck-complete-task")}),
    )
    .await;
    assert_eq!(sent["result"]["status"]["state"], "completed", "{sent}");
}
