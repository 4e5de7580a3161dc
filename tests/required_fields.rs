//! The server, not the wire layer, checks the fields the protocol marks
//! REQUIRED: a request that leaves one out is read (its default in place,
//! as the official protobuf parsers read it) and then answered with
//! InvalidParams naming the field, over JSON-RPC, HTTP+JSON and gRPC alike.

mod support;

use a2akit::error::{BAD_REQUEST_TYPE, HttpErrorBody};
use a2akit::jsonrpc::ErrorObject;
use a2akit::server::{AgentExecutor, RequestContext, RequestHandler, TaskUpdater};
use a2akit::types::{AgentCard, binding};
use a2akit::{Error, ErrorKind};
use serde_json::{Value, json};
use support::TestServer;

/// Finishes every task at once.
struct Done;

impl AgentExecutor for Done {
    async fn execute(&self, _: RequestContext, updater: TaskUpdater) -> Result<(), Error> {
        updater.complete().await
    }
}

async fn server() -> TestServer {
    support::start_with(|base| {
        let card = AgentCard::builder()
            .name("required fields")
            .description("checks what requests leave out")
            .interface(format!("{base}/"), binding::JSONRPC)
            .interface(base, binding::HTTP_JSON)
            .streaming(true)
            .push_notifications(true)
            .build();
        RequestHandler::builder(card, Done).build()
    })
    .await
}

/// The field the error's `google.rpc.BadRequest` detail names.
fn violated_field(err: &Error) -> String {
    assert_eq!(err.kind(), ErrorKind::InvalidParams, "{err}");
    let detail = err
        .details()
        .iter()
        .find(|detail| detail["@type"] == BAD_REQUEST_TYPE)
        .unwrap_or_else(|| panic!("no BadRequest detail in {err:?}"));
    detail["fieldViolations"][0]["field"]
        .as_str()
        .expect("a field name")
        .to_owned()
}

/// Calls `method` over JSON-RPC with raw `params`; the error it answers.
async fn rpc_error(server: &TestServer, method: &str, params: Value) -> Error {
    let body = json!({"jsonrpc": "2.0", "id": 7, "method": method, "params": params});
    let response = reqwest::Client::new()
        .post(format!("{}/", server.base))
        .header("A2A-Version", "1.0")
        .header("Accept", "application/json, text/event-stream")
        .json(&body)
        .send()
        .await
        .expect("request sent");
    let reply: Value = response.json().await.expect("a JSON-RPC body");
    assert_eq!(reply["id"], 7, "{reply}");
    let object: ErrorObject =
        serde_json::from_value(reply["error"].clone()).unwrap_or_else(|_| panic!("an error: {reply}"));
    assert_eq!(object.code, -32602, "{reply}");
    Error::from_jsonrpc(&object)
}

/// Sends a raw HTTP+JSON request; the error it answers.
async fn rest_error(server: &TestServer, method: reqwest::Method, path: &str, body: Option<Value>) -> Error {
    let mut request = reqwest::Client::new()
        .request(method, format!("{}{path}", server.base))
        .header("A2A-Version", "1.0");
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.expect("request sent");
    let status = response.status().as_u16();
    let bytes = response.bytes().await.expect("a body");
    assert_eq!(status, 400, "{}", String::from_utf8_lossy(&bytes));
    let body: HttpErrorBody = serde_json::from_slice(&bytes).expect("a google.rpc.Status body");
    Error::from_http(status, &body)
}

/// The messages of a send that each leave out (or spoil) one field, and the field named.
fn bad_messages() -> Vec<(Value, &'static str)> {
    vec![
        (
            json!({"role": "ROLE_USER", "parts": [{"text": "hi"}]}),
            "message.messageId",
        ),
        (
            json!({"messageId": null, "role": "ROLE_USER", "parts": [{"text": "hi"}]}),
            "message.messageId",
        ),
        (
            json!({"messageId": "m1", "parts": [{"text": "hi"}]}),
            "message.role",
        ),
        (
            json!({"messageId": "m1", "role": "ROLE_REVIEWER", "parts": [{"text": "hi"}]}),
            "message.role",
        ),
        (json!({"messageId": "m1", "role": "ROLE_USER"}), "message.parts"),
        (
            json!({"messageId": "m1", "role": "ROLE_USER", "parts": [{"text": "a"}, {"video": {"uri": "v"}}]}),
            "message.parts[1]",
        ),
    ]
}

#[tokio::test]
async fn send_message_missing_a_required_field_is_invalid_params_over_jsonrpc() {
    let server = server().await;
    for method in ["SendMessage", "SendStreamingMessage"] {
        for (message, field) in bad_messages() {
            let err = rpc_error(&server, method, json!({ "message": message })).await;
            assert_eq!(violated_field(&err), field, "{method} {message}: {err}");
        }
        // No message at all: read as an empty one, whose id is the first thing missing.
        let err = rpc_error(&server, method, json!({})).await;
        assert_eq!(violated_field(&err), "message.messageId", "{method}: {err}");
    }
}

#[tokio::test]
async fn send_message_missing_a_required_field_is_invalid_params_over_http_json() {
    let server = server().await;
    for path in ["/message:send", "/message:stream"] {
        for (message, field) in bad_messages() {
            let body = json!({ "message": message });
            let err = rest_error(&server, reqwest::Method::POST, path, Some(body)).await;
            assert_eq!(violated_field(&err), field, "{path} {message}: {err}");
        }
    }
}

#[tokio::test]
async fn task_operations_missing_the_id_are_invalid_params_over_jsonrpc() {
    let server = server().await;
    for (method, params, field) in [
        ("GetTask", json!({}), "id"),
        ("GetTask", json!({"id": null, "historyLength": 1}), "id"),
        ("CancelTask", json!({"metadata": {"why": "test"}}), "id"),
        ("SubscribeToTask", json!({}), "id"),
        ("ListTasks", json!({"status": "TASK_STATE_PAUSED"}), "status"),
        ("ListTasks", json!({"status": 42}), "status"),
    ] {
        let err = rpc_error(&server, method, params.clone()).await;
        assert_eq!(violated_field(&err), field, "{method} {params}: {err}");
    }
}

#[tokio::test]
async fn push_config_operations_missing_a_field_are_invalid_params_over_jsonrpc() {
    let server = server().await;
    for (method, params, field) in [
        (
            "CreateTaskPushNotificationConfig",
            json!({"url": "https://example.com/hook"}),
            "taskId",
        ),
        ("CreateTaskPushNotificationConfig", json!({"taskId": "t1"}), "url"),
        ("GetTaskPushNotificationConfig", json!({"id": "c1"}), "taskId"),
        ("GetTaskPushNotificationConfig", json!({"taskId": "t1"}), "id"),
        ("DeleteTaskPushNotificationConfig", json!({"id": "c1"}), "taskId"),
        ("DeleteTaskPushNotificationConfig", json!({"taskId": "t1"}), "id"),
        (
            "ListTaskPushNotificationConfigs",
            json!({"pageSize": 5}),
            "taskId",
        ),
    ] {
        let err = rpc_error(&server, method, params.clone()).await;
        assert_eq!(violated_field(&err), field, "{method} {params}: {err}");
    }
}

#[tokio::test]
async fn requests_missing_a_field_are_invalid_params_over_http_json() {
    let server = server().await;
    let push = "/tasks/t1/pushNotificationConfigs";
    let err = rest_error(&server, reqwest::Method::POST, push, Some(json!({"token": "x"}))).await;
    assert_eq!(violated_field(&err), "url", "{err}");
    let err = rest_error(&server, reqwest::Method::POST, push, Some(json!({"url": null}))).await;
    assert_eq!(violated_field(&err), "url", "{err}");

    let err = rest_error(
        &server,
        reqwest::Method::GET,
        "/tasks?status=TASK_STATE_PAUSED",
        None,
    )
    .await;
    assert_eq!(violated_field(&err), "status", "{err}");
}

/// The same requests with the field in place are served: the checks name
/// what is missing, nothing else.
#[tokio::test]
async fn the_same_requests_with_the_field_are_served() {
    let server = server().await;
    let http = reqwest::Client::new();
    let message = json!({"messageId": "m1", "role": "ROLE_USER", "parts": [{"text": "hi"}]});
    let body = json!({"jsonrpc": "2.0", "id": 1, "method": "SendMessage", "params": {"message": message}});
    let reply: Value = http
        .post(format!("{}/", server.base))
        .header("A2A-Version", "1.0")
        .json(&body)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let task_id = reply["result"]["task"]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("a task: {reply}"));
    assert_eq!(reply["result"]["task"]["status"]["state"], "TASK_STATE_COMPLETED");

    let body = json!({"jsonrpc": "2.0", "id": 2, "method": "GetTask", "params": {"id": task_id}});
    let reply: Value = http
        .post(format!("{}/", server.base))
        .header("A2A-Version", "1.0")
        .json(&body)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(reply["result"]["id"], task_id, "{reply}");
}

/// Over gRPC an absent field is its default on the wire already; our own
/// client sends such requests as they are.
#[cfg(feature = "grpc")]
#[tokio::test]
async fn requests_missing_a_field_are_invalid_argument_over_grpc() {
    use a2akit::client::ClientFactory;
    use a2akit::types::{
        AgentInterface, GetTaskPushNotificationConfigRequest, GetTaskRequest, ListTasksRequest, Message,
        Part, PartContent, Role, SendMessageRequest, TaskState,
    };

    let server = server().await;
    let address = server.base.trim_start_matches("http://");
    let client = ClientFactory::new()
        .client_for_interface(AgentInterface::new(address, binding::GRPC))
        .expect("a gRPC client");

    let without_id = Message::user("hi").with_message_id("");
    let err = client
        .send_message(SendMessageRequest::new(without_id))
        .await
        .unwrap_err();
    assert_eq!(violated_field(&err), "message.messageId", "{err}");
    let mut without_role = Message::user("hi");
    without_role.role = Role::Unspecified;
    let err = client
        .send_message(SendMessageRequest::new(without_role))
        .await
        .unwrap_err();
    assert_eq!(violated_field(&err), "message.role", "{err}");
    let unknown_part = Message::user("hi").with_part(Part::new(PartContent::Unrecognized));
    let err = client
        .send_message(SendMessageRequest::new(unknown_part))
        .await
        .unwrap_err();
    assert_eq!(violated_field(&err), "message.parts[1]", "{err}");

    let err = client.get_task(GetTaskRequest::new("")).await.unwrap_err();
    assert_eq!(violated_field(&err), "id", "{err}");
    let err = client
        .get_task_push_notification_config(GetTaskPushNotificationConfigRequest::new("t1", ""))
        .await
        .unwrap_err();
    assert_eq!(violated_field(&err), "id", "{err}");
    let filter = ListTasksRequest {
        status: Some(TaskState::Unrecognized(Some(42))),
        ..ListTasksRequest::default()
    };
    let err = client.list_tasks(filter).await.unwrap_err();
    assert_eq!(violated_field(&err), "status", "{err}");
}
