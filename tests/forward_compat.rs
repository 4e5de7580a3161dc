//! A newer agent's values do not break the client: an enum value or a oneof
//! member this version does not know (a new task state, a new kind of part
//! or of stream event) reads as `Unrecognized`, in a unary answer and in a
//! stream, which goes on past it to its normal end. Each binding is checked
//! against a local server that answers as such an agent would.

use a2akit::client::{Client, ClientFactory};
use a2akit::types::{
    AgentInterface, GetTaskRequest, PartContent, Role, SendMessageResponse, StreamResponse, TaskState,
    binding,
};
use axum::body::Bytes;
use axum::response::{IntoResponse, Response};
use futures_util::StreamExt as _;
use serde_json::{Value, json};

/// The items a newer agent streams: a task, an event of an unknown kind, a
/// status in an unknown state, an artifact with a part of an unknown kind,
/// and the final status.
fn newer_events() -> Vec<Value> {
    vec![
        json!({"task": {"id": "t1", "contextId": "c1", "status": {"state": "TASK_STATE_SUBMITTED"}}}),
        json!({"progressUpdate": {"taskId": "t1", "percent": 50}}),
        json!({"statusUpdate": {"taskId": "t1", "contextId": "c1", "status": {"state": "TASK_STATE_PAUSED"}}}),
        json!({"artifactUpdate": {"taskId": "t1", "contextId": "c1", "artifact": {
            "artifactId": "a1", "parts": [{"text": "hi"}, {"hologram": {"uri": "h"}}]}}}),
        json!({"statusUpdate": {"taskId": "t1", "contextId": "c1", "status": {"state": "TASK_STATE_COMPLETED"}}}),
    ]
}

/// A task as a newer agent answers GetTask: an unknown state, and a
/// history message with an unknown role.
fn newer_task() -> Value {
    json!({"id": "t1", "contextId": "c1", "status": {"state": "TASK_STATE_PAUSED"},
        "history": [{"messageId": "m1", "role": "ROLE_REVIEWER", "parts": [{"text": "ok"}]}]})
}

fn sse(items: impl IntoIterator<Item = Value>) -> Response {
    let body: String = items
        .into_iter()
        .map(|item| format!("data: {item}\n\n"))
        .collect();
    ([("content-type", "text/event-stream")], body).into_response()
}

async fn jsonrpc(body: Bytes) -> Response {
    let request: Value = serde_json::from_slice(&body).expect("a JSON-RPC request");
    let id = request["id"].clone();
    let answer = |result: Value| json!({"jsonrpc": "2.0", "id": id, "result": result});
    match request["method"].as_str() {
        Some("SendStreamingMessage") => sse(newer_events().into_iter().map(answer)),
        Some("SendMessage") => axum::Json(answer(json!({"receipt": {"id": "r1"}}))).into_response(),
        Some("GetTask") => axum::Json(answer(newer_task())).into_response(),
        other => panic!("unexpected method {other:?}"),
    }
}

async fn serve(app: axum::Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let address = listener.local_addr().unwrap().to_string();
    tokio::spawn(async move { a2akit::server::serve(listener, app).await.expect("serve") });
    address
}

fn client(url: String, protocol_binding: &str) -> Client {
    ClientFactory::new()
        .client_for_interface(AgentInterface::new(url, protocol_binding))
        .expect("a client")
}

/// Reads the stream to its end: every item, and no error.
async fn read_all(client: &Client) -> Vec<StreamResponse> {
    let mut stream = client
        .send_streaming_message("hello")
        .await
        .expect("the stream opens");
    let mut items = Vec::new();
    while let Some(item) = stream.next().await {
        items.push(item.expect("no item fails"));
    }
    items
}

/// What every binding's stream must yield for [`newer_events`].
fn check_stream(items: &[StreamResponse], unknown_state: TaskState) {
    assert_eq!(items.len(), 5, "{items:#?}");
    assert!(matches!(items[0], StreamResponse::Task(_)), "{:?}", items[0]);
    assert_eq!(items[1], StreamResponse::Unrecognized);
    let StreamResponse::StatusUpdate(paused) = &items[2] else {
        panic!("a status update: {:?}", items[2])
    };
    assert_eq!(paused.status.state, unknown_state);
    let StreamResponse::ArtifactUpdate(chunk) = &items[3] else {
        panic!("an artifact update: {:?}", items[3])
    };
    assert_eq!(chunk.artifact.parts[0].as_text(), Some("hi"));
    assert_eq!(chunk.artifact.parts[1].content, PartContent::Unrecognized);
    assert_eq!(chunk.artifact.to_text(), "hi");
    let StreamResponse::StatusUpdate(done) = &items[4] else {
        panic!("a status update: {:?}", items[4])
    };
    assert_eq!(done.status.state, TaskState::Completed);
}

#[tokio::test]
async fn unknown_values_do_not_break_a_jsonrpc_stream_or_answer() {
    let address = serve(axum::Router::new().route("/", axum::routing::post(jsonrpc))).await;
    let client = client(format!("http://{address}/"), binding::JSONRPC);

    check_stream(&read_all(&client).await, TaskState::Unrecognized(None));

    let answer = client
        .send_message("hello")
        .await
        .expect("an answer of an unknown kind is read");
    assert_eq!(answer, SendMessageResponse::Unrecognized);

    let task = client
        .get_task(GetTaskRequest::new("t1"))
        .await
        .expect("the task is read");
    assert_eq!(task.status.state, TaskState::Unrecognized(None));
    assert_eq!(task.history[0].role, Role::Unrecognized(None));
}

#[tokio::test]
async fn unknown_values_do_not_break_an_http_json_stream_or_answer() {
    let app = axum::Router::new()
        .route(
            "/message:stream",
            axum::routing::post(|| async { sse(newer_events()) }),
        )
        .route(
            "/message:send",
            axum::routing::post(|| async { axum::Json(json!({"receipt": {"id": "r1"}})) }),
        )
        .route(
            "/tasks/{id}",
            axum::routing::get(|| async { axum::Json(newer_task()) }),
        );
    let address = serve(app).await;
    let client = client(format!("http://{address}"), binding::HTTP_JSON);

    check_stream(&read_all(&client).await, TaskState::Unrecognized(None));

    let answer = client
        .send_message("hello")
        .await
        .expect("an answer of an unknown kind is read");
    assert_eq!(answer, SendMessageResponse::Unrecognized);

    let task = client
        .get_task(GetTaskRequest::new("t1"))
        .await
        .expect("the task is read");
    assert_eq!(task.status.state, TaskState::Unrecognized(None));
    assert_eq!(task.history[0].role, Role::Unrecognized(None));
}

#[cfg(feature = "grpc")]
mod grpc {
    use std::pin::Pin;

    use a2akit::proto::v1::a2a_service_server::{A2aService, A2aServiceServer};
    use a2akit::proto::v1::{self, part, stream_response};
    use futures_util::Stream;
    use tonic::{Request, Response, Status};

    use super::*;

    /// A newer agent over gRPC: numbers this version does not know, and
    /// oneofs with a member it does not know (which prost reads as none).
    struct Newer;

    type Items = Pin<Box<dyn Stream<Item = Result<v1::StreamResponse, Status>> + Send>>;

    fn status_update(state: i32) -> v1::StreamResponse {
        v1::StreamResponse {
            payload: Some(stream_response::Payload::StatusUpdate(
                v1::TaskStatusUpdateEvent {
                    task_id: "t1".into(),
                    context_id: "c1".into(),
                    status: Some(v1::TaskStatus {
                        state,
                        ..v1::TaskStatus::default()
                    }),
                    metadata: None,
                },
            )),
        }
    }

    fn newer_items() -> Vec<v1::StreamResponse> {
        let task = v1::Task {
            id: "t1".into(),
            context_id: "c1".into(),
            status: Some(v1::TaskStatus {
                state: v1::TaskState::Submitted.into(),
                ..v1::TaskStatus::default()
            }),
            ..v1::Task::default()
        };
        let artifact = v1::Artifact {
            artifact_id: "a1".into(),
            parts: vec![
                v1::Part {
                    content: Some(part::Content::Text("hi".into())),
                    ..v1::Part::default()
                },
                v1::Part::default(),
            ],
            ..v1::Artifact::default()
        };
        vec![
            v1::StreamResponse {
                payload: Some(stream_response::Payload::Task(task)),
            },
            v1::StreamResponse::default(),
            status_update(42),
            v1::StreamResponse {
                payload: Some(stream_response::Payload::ArtifactUpdate(
                    v1::TaskArtifactUpdateEvent {
                        task_id: "t1".into(),
                        context_id: "c1".into(),
                        artifact: Some(artifact),
                        ..v1::TaskArtifactUpdateEvent::default()
                    },
                )),
            },
            status_update(v1::TaskState::Completed.into()),
        ]
    }

    fn unimplemented<T>() -> Result<Response<T>, Status> {
        Err(Status::unimplemented("not part of this test"))
    }

    #[tonic::async_trait]
    impl A2aService for Newer {
        async fn send_message(
            &self,
            _: Request<v1::SendMessageRequest>,
        ) -> Result<Response<v1::SendMessageResponse>, Status> {
            Ok(Response::new(v1::SendMessageResponse::default()))
        }

        type SendStreamingMessageStream = Items;

        async fn send_streaming_message(
            &self,
            _: Request<v1::SendMessageRequest>,
        ) -> Result<Response<Items>, Status> {
            let items = newer_items().into_iter().map(Ok);
            Ok(Response::new(Box::pin(futures_util::stream::iter(items))))
        }

        async fn get_task(&self, _: Request<v1::GetTaskRequest>) -> Result<Response<v1::Task>, Status> {
            Ok(Response::new(v1::Task {
                id: "t1".into(),
                status: Some(v1::TaskStatus {
                    state: 42,
                    ..v1::TaskStatus::default()
                }),
                history: vec![v1::Message {
                    message_id: "m1".into(),
                    role: 7,
                    ..v1::Message::default()
                }],
                ..v1::Task::default()
            }))
        }

        async fn list_tasks(
            &self,
            _: Request<v1::ListTasksRequest>,
        ) -> Result<Response<v1::ListTasksResponse>, Status> {
            unimplemented()
        }

        async fn cancel_task(&self, _: Request<v1::CancelTaskRequest>) -> Result<Response<v1::Task>, Status> {
            unimplemented()
        }

        type SubscribeToTaskStream = Items;

        async fn subscribe_to_task(
            &self,
            _: Request<v1::SubscribeToTaskRequest>,
        ) -> Result<Response<Items>, Status> {
            unimplemented()
        }

        async fn create_task_push_notification_config(
            &self,
            _: Request<v1::TaskPushNotificationConfig>,
        ) -> Result<Response<v1::TaskPushNotificationConfig>, Status> {
            unimplemented()
        }

        async fn get_task_push_notification_config(
            &self,
            _: Request<v1::GetTaskPushNotificationConfigRequest>,
        ) -> Result<Response<v1::TaskPushNotificationConfig>, Status> {
            unimplemented()
        }

        async fn list_task_push_notification_configs(
            &self,
            _: Request<v1::ListTaskPushNotificationConfigsRequest>,
        ) -> Result<Response<v1::ListTaskPushNotificationConfigsResponse>, Status> {
            unimplemented()
        }

        async fn get_extended_agent_card(
            &self,
            _: Request<v1::GetExtendedAgentCardRequest>,
        ) -> Result<Response<v1::AgentCard>, Status> {
            unimplemented()
        }

        async fn delete_task_push_notification_config(
            &self,
            _: Request<v1::DeleteTaskPushNotificationConfigRequest>,
        ) -> Result<Response<()>, Status> {
            unimplemented()
        }
    }

    #[tokio::test]
    async fn unknown_values_do_not_break_a_grpc_stream_or_answer() {
        use tonic::server::NamedService as _;
        let path = format!("/{}/{{*method}}", A2aServiceServer::<Newer>::NAME);
        let app = axum::Router::new().route_service(&path, A2aServiceServer::new(Newer));
        let address = serve(app).await;
        let client = client(address, binding::GRPC);

        check_stream(&read_all(&client).await, TaskState::Unrecognized(Some(42)));

        let answer = client
            .send_message("hello")
            .await
            .expect("an answer of an unknown kind is read");
        assert_eq!(answer, SendMessageResponse::Unrecognized);

        let task = client
            .get_task(GetTaskRequest::new("t1"))
            .await
            .expect("the task is read");
        assert_eq!(task.status.state, TaskState::Unrecognized(Some(42)));
        assert_eq!(task.history[0].role, Role::Unrecognized(Some(7)));
    }
}
