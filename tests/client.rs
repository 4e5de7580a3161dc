//! Our client against our server (over real sockets), and against small
//! purpose-built HTTP servers for the cases a well-behaved agent never
//! produces: retries, Retry-After, the subscribe GET fallback, interceptors,
//! transport failures.

#[path = "../examples/conformance/executor.rs"]
mod conformance;
mod support;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use a2akit::client::{
    ApiKey, ApiKeyLocation, BasicAuth, BearerToken, Client, ClientFactory, Interceptor, OutgoingRequest,
    RetryPolicy,
};
use a2akit::jsonrpc::Method;
use a2akit::server::RequestHandler;
use a2akit::types::{
    AgentCard, AgentInterface, CancelTaskRequest, DeleteTaskPushNotificationConfigRequest,
    GetTaskPushNotificationConfigRequest, GetTaskRequest, ListTaskPushNotificationConfigsRequest,
    ListTasksRequest, Message, SendMessageRequest, SendMessageResponse, StreamResponse,
    SubscribeToTaskRequest, Task, TaskPushNotificationConfig, TaskState, binding,
};
use a2akit::{Error, ErrorKind};
use axum::routing::{get, post};
use futures_util::StreamExt as _;

/// Our conformance agent, serving every binding at its base URL, with push
/// configs declared or not.
async fn agent(push: bool) -> (support::TestServer, AgentCard) {
    let mut served = None;
    let server = support::start_with(|base| {
        let mut card = conformance::card(base);
        card.capabilities.push_notifications = Some(push);
        served = Some(card.clone());
        RequestHandler::builder(card, conformance::ConformanceExecutor).build()
    })
    .await;
    (server, served.expect("built"))
}

fn message(id: &str) -> SendMessageRequest {
    SendMessageRequest::new(Message::user("hello").with_message_id(id))
}

async fn task_of(client: &Client, id: &str) -> Task {
    match client.send_message(message(id)).await.unwrap() {
        SendMessageResponse::Task(task) => task,
        other => panic!("{other:?}"),
    }
}

async fn collect(mut stream: a2akit::client::ClientStream) -> Vec<StreamResponse> {
    let mut events = Vec::new();
    while let Some(event) = tokio::time::timeout(Duration::from_secs(10), stream.next())
        .await
        .expect("in time")
    {
        events.push(event.expect("no error"));
    }
    events
}

/// Every operation through one client.
async fn every_operation(client: Client) {
    let done = task_of(&client, "tck-complete-task-1").await;
    assert_eq!(done.status.state, TaskState::Completed);
    let SendMessageResponse::Message(reply) = client
        .send_message(message("tck-message-response-1"))
        .await
        .unwrap()
    else {
        panic!("a direct message")
    };
    assert_eq!(reply.text(), "Direct message response");

    let events = collect(
        client
            .send_streaming_message(message("tck-stream-001-x"))
            .await
            .unwrap(),
    )
    .await;
    assert!(matches!(events[0], StreamResponse::Task(_)));
    assert!(
        matches!(events.last(), Some(StreamResponse::StatusUpdate(u)) if u.status.state == TaskState::Completed)
    );
    let events = collect(
        client
            .send_streaming_message(message("tck-input-required-1"))
            .await
            .unwrap(),
    )
    .await;
    assert!(
        matches!(events.last(), Some(StreamResponse::StatusUpdate(u)) if u.status.state == TaskState::InputRequired)
    );

    let mut get = GetTaskRequest::new(&done.id);
    get.history_length = Some(1);
    assert_eq!(client.get_task(get).await.unwrap().history.len(), 1);
    let missing = client
        .get_task(GetTaskRequest::new("no-such-task"))
        .await
        .unwrap_err();
    assert_eq!(missing.kind(), ErrorKind::TaskNotFound, "{missing}");

    let context = format!("ctx-{}", uuid::Uuid::new_v4());
    for _ in 0..3 {
        let request = SendMessageRequest::new(
            Message::user("x")
                .with_message_id("tck-complete-task-1")
                .with_context_id(&context),
        );
        client.send_message(request).await.unwrap();
    }
    let mut token = String::new();
    let mut seen = 0;
    loop {
        let request = ListTasksRequest {
            context_id: context.clone(),
            page_size: Some(2),
            page_token: token.clone(),
            ..Default::default()
        };
        let page = client.list_tasks(request).await.unwrap();
        seen += page.tasks.len();
        if page.next_page_token.is_empty() {
            break;
        }
        token = page.next_page_token;
    }
    assert_eq!(seen, 3);

    let waiting = task_of(&client, "tck-input-required-1").await;
    let mut subscription = client
        .subscribe_to_task(SubscribeToTaskRequest::new(&waiting.id))
        .await
        .unwrap();
    let first = subscription.next().await.unwrap().unwrap();
    assert!(matches!(first, StreamResponse::Task(ref t) if t.status.state == TaskState::InputRequired));
    let follow_up = SendMessageRequest::new(
        Message::user("done")
            .with_message_id("tck-complete-task-2")
            .with_task_id(&waiting.id),
    );
    client.send_message(follow_up).await.unwrap();
    let rest = collect(subscription).await;
    assert!(
        matches!(rest.last(), Some(StreamResponse::StatusUpdate(u)) if u.status.state == TaskState::Completed)
    );

    let interrupted = task_of(&client, "tck-input-required-1").await;
    let canceled = client
        .cancel_task(CancelTaskRequest::new(&interrupted.id))
        .await
        .unwrap();
    assert_eq!(canceled.status.state, TaskState::Canceled);
    let refused = client
        .cancel_task(CancelTaskRequest::new(&done.id))
        .await
        .unwrap_err();
    assert_eq!(refused.kind(), ErrorKind::TaskNotCancelable);
    let terminal = client
        .subscribe_to_task(SubscribeToTaskRequest::new(&done.id))
        .await
        .err()
        .unwrap();
    assert_eq!(terminal.kind(), ErrorKind::UnsupportedOperation);

    let config = TaskPushNotificationConfig::new("https://example.com/hook")
        .with_task_id(&done.id)
        .with_id("c1");
    let created = client.create_task_push_notification_config(config).await.unwrap();
    assert_eq!(created.id, "c1");
    let fetched = client
        .get_task_push_notification_config(GetTaskPushNotificationConfigRequest::new(&done.id, "c1"))
        .await
        .unwrap();
    assert_eq!(fetched.url, "https://example.com/hook");
    let listed = client
        .list_task_push_notification_configs(ListTaskPushNotificationConfigsRequest::new(&done.id))
        .await
        .unwrap();
    assert_eq!(listed.configs.len(), 1);
    let delete = DeleteTaskPushNotificationConfigRequest::new(&done.id, "c1");
    client
        .delete_task_push_notification_config(delete.clone())
        .await
        .unwrap();
    client.delete_task_push_notification_config(delete).await.unwrap();
    let gone = client
        .get_task_push_notification_config(GetTaskPushNotificationConfigRequest::new(&done.id, "c1"))
        .await;
    assert_eq!(gone.unwrap_err().kind(), ErrorKind::TaskNotFound);

    assert_eq!(
        client.get_extended_agent_card().await.unwrap_err().kind(),
        ErrorKind::UnsupportedOperation
    );
}

#[tokio::test]
async fn every_operation_over_jsonrpc() {
    let (server, _) = agent(true).await;
    let factory = ClientFactory::new().preferred_bindings([binding::JSONRPC]);
    let client = factory.connect(&server.base).await.unwrap();
    assert_eq!(client.interface().protocol_binding, binding::JSONRPC);
    every_operation(client).await;
}

#[tokio::test]
async fn every_operation_over_http_json() {
    let (server, _) = agent(true).await;
    let factory = ClientFactory::new().preferred_bindings([binding::HTTP_JSON]);
    let client = factory.connect(&server.base).await.unwrap();
    assert_eq!(client.interface().protocol_binding, binding::HTTP_JSON);
    every_operation(client).await;
}

#[tokio::test]
async fn push_operations_fail_with_the_protocol_error_when_not_declared() {
    let (server, _) = agent(false).await;
    for binding in [binding::JSONRPC, binding::HTTP_JSON] {
        let client = ClientFactory::new()
            .preferred_bindings([binding])
            .connect(&server.base)
            .await
            .unwrap();
        let err = client
            .list_task_push_notification_configs(ListTaskPushNotificationConfigsRequest::new("t"))
            .await
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::PushNotificationNotSupported, "{binding}");
    }
}

#[tokio::test]
async fn the_interface_tenant_goes_into_every_request() {
    let (server, _) = agent(false).await;
    for wanted in [binding::JSONRPC, binding::HTTP_JSON] {
        let factory = ClientFactory::new();
        let t1 = factory
            .client_for_interface(AgentInterface::new(&server.base, wanted).with_tenant("t1"))
            .unwrap();
        let t2 = factory
            .client_for_interface(AgentInterface::new(&server.base, wanted).with_tenant("t/2"))
            .unwrap();
        let task = task_of(&t1, "tck-complete-task-1").await;
        assert_eq!(
            t1.get_task(GetTaskRequest::new(&task.id)).await.unwrap().id,
            task.id,
            "{wanted}"
        );
        let other = t2.get_task(GetTaskRequest::new(&task.id)).await.unwrap_err();
        assert_eq!(other.kind(), ErrorKind::TaskNotFound, "{wanted}");
        let t2_task = task_of(&t2, "tck-complete-task-1").await;
        assert_eq!(
            t2.get_task(GetTaskRequest::new(&t2_task.id)).await.unwrap().id,
            t2_task.id,
            "{wanted}"
        );
    }
}

#[tokio::test]
async fn cards_are_cached_and_revalidated() {
    let hits = Arc::new(AtomicUsize::new(0));
    let card = AgentCard::builder()
        .name("cached")
        .description("d")
        .interface("http://x/", binding::JSONRPC)
        .build();
    let body = serde_json::to_string(&card).unwrap();
    let counter = Arc::clone(&hits);
    let app = axum::Router::new().route(
        "/.well-known/agent-card.json",
        get(move |headers: axum::http::HeaderMap| {
            let body = body.clone();
            counter.fetch_add(1, Ordering::SeqCst);
            async move {
                if headers.get("if-none-match").is_some_and(|v| v == "\"v1\"") {
                    return (
                        axum::http::StatusCode::NOT_MODIFIED,
                        [("etag", "\"v1\"")],
                        String::new(),
                    );
                }
                (axum::http::StatusCode::OK, [("etag", "\"v1\"")], body)
            }
        }),
    );
    let base = serve(app).await;
    let factory = ClientFactory::new();
    assert_eq!(factory.resolve_card(&base).await.unwrap().name, "cached");
    // No max-age: every resolve revalidates, and a 304 keeps the cached card.
    assert_eq!(factory.resolve_card(&base).await.unwrap().name, "cached");
    assert_eq!(hits.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn a_fresh_card_is_served_from_the_cache() {
    let (server, _) = agent(false).await;
    let factory = ClientFactory::new();
    let first = factory.resolve_card(&server.base).await.unwrap();
    drop(server);
    // The server is gone; the card's max-age keeps it fresh.
    assert_eq!(
        factory.resolve_card(&server_base_of(&first)).await.unwrap(),
        first
    );
}

fn server_base_of(card: &AgentCard) -> String {
    card.supported_interfaces[0].url.clone()
}

#[tokio::test]
async fn without_streaming_a_streamed_send_falls_back_to_a_blocking_one() {
    let (server, mut card) = agent(false).await;
    card.capabilities.streaming = Some(false);
    let client = ClientFactory::new().client_for_card(card).unwrap();
    let events = collect(
        client
            .send_streaming_message(message("tck-complete-task-1"))
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(events.len(), 1);
    assert!(matches!(&events[0], StreamResponse::Task(t) if t.status.state == TaskState::Completed));
    drop(server);
}

async fn serve(app: axum::Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    base
}

const TASK_JSON: &str = r#"{"id":"t1","contextId":"c1","status":{"state":"TASK_STATE_COMPLETED"}}"#;

#[tokio::test]
async fn busy_answers_are_retried_honouring_retry_after() {
    let attempts = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&attempts);
    let app = axum::Router::new().route(
        "/tasks/t1",
        get(move || {
            let n = counter.fetch_add(1, Ordering::SeqCst);
            async move {
                if n < 2 {
                    (
                        axum::http::StatusCode::SERVICE_UNAVAILABLE,
                        [("retry-after", "0")],
                        String::new(),
                    )
                } else {
                    (
                        axum::http::StatusCode::OK,
                        [("retry-after", "0")],
                        TASK_JSON.to_owned(),
                    )
                }
            }
        }),
    );
    let base = serve(app).await;
    let client = ClientFactory::new()
        .retry_policy(RetryPolicy::default().max_attempts(3))
        .client_for_interface(AgentInterface::new(&base, binding::HTTP_JSON))
        .unwrap();
    let started = std::time::Instant::now();
    assert_eq!(client.get_task(GetTaskRequest::new("t1")).await.unwrap().id, "t1");
    assert_eq!(attempts.load(Ordering::SeqCst), 3);
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "Retry-After: 0 means no wait"
    );
}

#[tokio::test]
async fn a_send_is_not_repeated_after_a_gateway_error_unless_allowed() {
    let attempts = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&attempts);
    let app = axum::Router::new().route(
        "/message:send",
        post(move || {
            counter.fetch_add(1, Ordering::SeqCst);
            async { (axum::http::StatusCode::BAD_GATEWAY, "upstream down") }
        }),
    );
    let base = serve(app).await;
    let interface = AgentInterface::new(&base, binding::HTTP_JSON);
    let cautious = ClientFactory::new()
        .retry_policy(RetryPolicy::default().base_delay(Duration::from_millis(1)))
        .client_for_interface(interface.clone())
        .unwrap();
    let err = cautious.send_message(message("m")).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::UnexpectedStatus, "{err}");
    assert!(err.message().contains("502"), "{err}");
    assert_eq!(attempts.load(Ordering::SeqCst), 1);
    let bold = ClientFactory::new()
        .retry_policy(
            RetryPolicy::default()
                .base_delay(Duration::from_millis(1))
                .retry_non_idempotent(true),
        )
        .client_for_interface(interface)
        .unwrap();
    bold.send_message(message("m")).await.unwrap_err();
    assert_eq!(attempts.load(Ordering::SeqCst), 4);
}

#[tokio::test]
async fn subscribe_falls_back_to_get_when_post_is_not_routed() {
    let snapshot = format!("data: {{\"task\":{TASK_JSON}}}\n\n");
    let app = axum::Router::new().route(
        "/tasks/{id}",
        get(move || {
            let body = snapshot.clone();
            async move { ([("content-type", "text/event-stream")], body) }
        }),
    );
    let base = serve(app).await;
    let client = ClientFactory::new()
        .client_for_interface(AgentInterface::new(&base, binding::HTTP_JSON))
        .unwrap();
    let events = collect(
        client
            .subscribe_to_task(SubscribeToTaskRequest::new("t1"))
            .await
            .unwrap(),
    )
    .await;
    assert!(matches!(&events[..], [StreamResponse::Task(t)] if t.id == "t1"));
}

#[tokio::test]
async fn transport_failures_are_told_apart() {
    let (_reserved, closed) = support::net::refusing_port();
    let client = ClientFactory::new()
        .retry_policy(RetryPolicy::none())
        .client_for_interface(AgentInterface::new(format!("http://{closed}/"), binding::JSONRPC))
        .unwrap();
    assert_eq!(
        client
            .get_task(GetTaskRequest::new("t"))
            .await
            .unwrap_err()
            .kind(),
        ErrorKind::Connect
    );

    let app = axum::Router::new()
        .route(
            "/slow",
            post(|| async { tokio::time::sleep(Duration::from_secs(5)).await }),
        )
        .route(
            "/html",
            post(|| async { (axum::http::StatusCode::OK, "<html>hello</html>") }),
        );
    let base = serve(app).await;
    let slow = ClientFactory::new()
        .retry_policy(RetryPolicy::none())
        .timeout(Some(Duration::from_millis(200)))
        .client_for_interface(AgentInterface::new(format!("{base}/slow"), binding::JSONRPC))
        .unwrap();
    assert_eq!(
        slow.get_task(GetTaskRequest::new("t")).await.unwrap_err().kind(),
        ErrorKind::Timeout
    );
    let html = ClientFactory::new()
        .client_for_interface(AgentInterface::new(format!("{base}/html"), binding::JSONRPC))
        .unwrap();
    let err = html.get_task(GetTaskRequest::new("t")).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidResponse);
    assert!(err.message().contains("<html>"), "{err}");
}

/// Records the order of hook calls and the headers each request carried.
struct Recorder {
    name: &'static str,
    log: Arc<Mutex<Vec<String>>>,
}

impl Interceptor for Recorder {
    fn before(&self, outgoing: &mut OutgoingRequest<'_>) -> Result<(), Error> {
        let auth = outgoing
            .request
            .headers()
            .get("authorization")
            .map(|v| v.to_str().unwrap().to_owned());
        self.log
            .lock()
            .unwrap()
            .push(format!("before {} {} {auth:?}", self.name, outgoing.method));
        Ok(())
    }

    fn after(&self, method: Method, response: &reqwest::Response) {
        self.log.lock().unwrap().push(format!(
            "after {} {method} {}",
            self.name,
            response.status().as_u16()
        ));
    }
}

#[tokio::test]
async fn interceptors_run_in_order_and_credentials_are_applied() {
    let seen = Arc::new(Mutex::new(Vec::<(String, String)>::new()));
    let sink = Arc::clone(&seen);
    let app = axum::Router::new().route(
        "/tasks/t1",
        get(move |uri: axum::http::Uri, headers: axum::http::HeaderMap| {
            let mut sink = sink.lock().unwrap();
            for name in [
                "authorization",
                "x-api-key",
                "cookie",
                "a2a-version",
                "a2a-extensions",
            ] {
                if let Some(value) = headers.get(name) {
                    sink.push((name.to_owned(), value.to_str().unwrap().to_owned()));
                }
            }
            sink.push(("query".into(), uri.query().unwrap_or_default().to_owned()));
            async { TASK_JSON }
        }),
    );
    let base = serve(app).await;
    let log = Arc::new(Mutex::new(Vec::new()));
    let client = ClientFactory::new()
        .interceptor(Recorder {
            name: "outer",
            log: Arc::clone(&log),
        })
        .interceptor(BearerToken::new("tok"))
        .interceptor(Recorder {
            name: "inner",
            log: Arc::clone(&log),
        })
        .interceptor(ApiKey::new(ApiKeyLocation::Header, "X-API-Key", "k1"))
        .interceptor(ApiKey::new(ApiKeyLocation::Query, "key", "k2"))
        .interceptor(ApiKey::new(ApiKeyLocation::Cookie, "session", "k3"))
        .extensions(["urn:a", "urn:b"])
        .client_for_interface(AgentInterface::new(&base, binding::HTTP_JSON))
        .unwrap();
    client.get_task(GetTaskRequest::new("t1")).await.unwrap();
    assert_eq!(
        *log.lock().unwrap(),
        [
            "before outer GetTask None",
            "before inner GetTask Some(\"Bearer tok\")",
            "after inner GetTask 200",
            "after outer GetTask 200",
        ]
    );
    let seen = seen.lock().unwrap().clone();
    for expected in [
        ("authorization", "Bearer tok"),
        ("x-api-key", "k1"),
        ("cookie", "session=k3"),
        ("a2a-version", "1.0"),
        ("a2a-extensions", "urn:a, urn:b"),
        ("query", "key=k2"),
    ] {
        assert!(
            seen.contains(&(expected.0.to_owned(), expected.1.to_owned())),
            "{expected:?} in {seen:?}"
        );
    }
    let basic = ClientFactory::new()
        .interceptor(BasicAuth::new("ann", "pw"))
        .client_for_interface(AgentInterface::new(&base, binding::HTTP_JSON))
        .unwrap();
    basic.get_task(GetTaskRequest::new("t1")).await.unwrap();
}

#[tokio::test]
async fn a_huge_max_age_does_not_overflow_the_clock() {
    let card = AgentCard::builder()
        .name("forever")
        .description("d")
        .interface("http://x/", binding::JSONRPC)
        .build();
    let body = serde_json::to_string(&card).unwrap();
    let app = axum::Router::new().route(
        "/.well-known/agent-card.json",
        get(move || {
            let body = body.clone();
            async move { ([("cache-control", "max-age=18446744073709551615")], body) }
        }),
    );
    let base = serve(app).await;
    let factory = ClientFactory::new();
    assert_eq!(factory.resolve_card(&base).await.unwrap().name, "forever");
    assert_eq!(factory.resolve_card(&base).await.unwrap().name, "forever");
}

/// A gRPC client can be built where no Tokio runtime runs (a plain `main`
/// setting things up before its runtime starts); it connects on first use.
#[cfg(feature = "grpc")]
#[test]
fn a_grpc_client_is_built_outside_a_runtime() {
    let interface = a2akit::types::AgentInterface::new("127.0.0.1:9", a2akit::types::binding::GRPC);
    let client = ClientFactory::new()
        .client_for_interface(interface)
        .expect("a client, without a runtime");
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let err = runtime
        .block_on(client.get_task(a2akit::types::GetTaskRequest::new("t")))
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Connect, "{err}");
}

/// An interface that cannot be built (a URL that does not parse) falls
/// through to the agent's next one.
#[test]
fn an_interface_that_cannot_be_built_falls_through_to_the_next() {
    let card = AgentCard::builder()
        .name("two doors")
        .description("the first is broken")
        .interface("not a url at all", binding::JSONRPC)
        .interface("http://127.0.0.1:9", binding::HTTP_JSON)
        .build();
    let client = ClientFactory::new()
        .client_for_card(card)
        .expect("the second interface");
    assert_eq!(client.interface().protocol_binding, binding::HTTP_JSON);
    let broken = AgentCard::builder()
        .name("no doors")
        .description("nothing works")
        .interface("not a url at all", binding::JSONRPC)
        .build();
    let err = ClientFactory::new().client_for_card(broken).unwrap_err();
    assert!(err.to_string().contains("not a url"), "{err}");
}

/// A blocking send waits for its task however long the agent works (the
/// call timeout bounds other calls), unless a send timeout is set.
#[tokio::test]
async fn a_blocking_send_waits_past_the_call_timeout_unless_told_not_to() {
    let slow = || async {
        tokio::time::sleep(Duration::from_millis(700)).await;
        (
            [("content-type", "application/json")],
            format!(r#"{{"task":{TASK_JSON}}}"#),
        )
    };
    let base = serve(
        axum::Router::new()
            .route("/message:send", post(slow))
            .route("/tasks/{id}", get(slow)),
    )
    .await;
    let interface = AgentInterface::new(&base, binding::HTTP_JSON);
    let patient = ClientFactory::new()
        .timeout(Some(Duration::from_millis(300)))
        .client_for_interface(interface.clone())
        .unwrap();
    let answer = patient.send_message(message("m1")).await.unwrap();
    assert!(matches!(answer, SendMessageResponse::Task(_)));
    let err = patient.get_task(GetTaskRequest::new("t1")).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Timeout, "{err}");
    let bounded = ClientFactory::new()
        .send_timeout(Some(Duration::from_millis(300)))
        .retry_policy(RetryPolicy::none())
        .client_for_interface(interface)
        .unwrap();
    let err = bounded.send_message(message("m2")).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Timeout, "{err}");
}

/// A stream that goes silent (no event, no keep-alive) is given up after
/// the idle timeout with an error that says so, on both HTTP bindings,
/// instead of hanging forever.
#[tokio::test]
async fn a_silent_stream_ends_in_an_idle_timeout() {
    // One event, then nothing at all, the connection held open.
    let silent = |frame: String| {
        let body = futures_util::stream::iter([Ok::<_, std::io::Error>(bytes_of(frame))])
            .chain(futures_util::stream::pending());
        (
            [("content-type", "text/event-stream")],
            axum::body::Body::from_stream(body),
        )
    };
    let rest = move || async move { silent(format!("data: {{\"task\":{TASK_JSON_WORKING}}}\n\n")) };
    let jsonrpc = move || async move {
        silent(format!(
            "data: {{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{{\"task\":{TASK_JSON_WORKING}}}}}\n\n"
        ))
    };
    let base = serve(
        axum::Router::new()
            .route("/message:stream", post(rest))
            .route("/", post(jsonrpc)),
    )
    .await;
    for (url, binding) in [
        (base.clone(), binding::HTTP_JSON),
        (format!("{base}/"), binding::JSONRPC),
    ] {
        let client = ClientFactory::new()
            .stream_idle_timeout(Some(Duration::from_millis(300)))
            .client_for_interface(AgentInterface::new(url, binding))
            .unwrap();
        let started = std::time::Instant::now();
        let mut stream = client.send_streaming_message(message("m1")).await.unwrap();
        let mut failure = None;
        while let Some(event) = tokio::time::timeout(Duration::from_secs(10), stream.next())
            .await
            .expect("the stream does not hang")
        {
            if let Err(err) = event {
                failure = Some(err);
                break;
            }
        }
        let err = failure.expect("a silent stream is an error, not a normal end");
        assert!(err.to_string().contains("silent"), "{binding}: {err}");
        assert!(started.elapsed() < Duration::from_secs(5), "{binding}");
    }
}

const TASK_JSON_WORKING: &str = r#"{"id":"t1","contextId":"c1","status":{"state":"TASK_STATE_WORKING"}}"#;

fn bytes_of(text: String) -> axum::body::Bytes {
    axum::body::Bytes::from(text)
}

/// The client sends the protocol version the chosen interface declares
/// (1.x), a REST base URL keeps its query, and a card found at the
/// origin's well-known path has its relative interface URLs resolved
/// against where it was found.
#[tokio::test]
async fn interfaces_are_taken_as_the_card_writes_them() {
    let seen: Arc<Mutex<Vec<(String, String, String)>>> = Arc::default();
    let record = {
        let seen = Arc::clone(&seen);
        move |uri: axum::http::Uri, headers: axum::http::HeaderMap| {
            let seen = Arc::clone(&seen);
            async move {
                let version = headers
                    .get("a2a-version")
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or_default()
                    .to_owned();
                let query = uri.query().unwrap_or_default().to_owned();
                seen.lock().unwrap().push((uri.path().to_owned(), query, version));
                (
                    [("content-type", "application/json")],
                    format!(
                        r#"{{"jsonrpc":"2.0","id":1,"result":{{"task":{TASK_JSON}}},"task":{TASK_JSON}}}"#
                    ),
                )
            }
        }
    };
    let card = serde_json::json!({
        "name": "relative", "description": "d", "version": "1",
        "supportedInterfaces": [{"url": "/rpc", "protocolBinding": "JSONRPC", "protocolVersion": "1.0"}],
        "capabilities": {}, "defaultInputModes": [], "defaultOutputModes": [], "skills": []
    });
    let base = serve(
        axum::Router::new()
            .route(
                "/.well-known/agent-card.json",
                get(move || async move { axum::Json(card) }),
            )
            .route("/rpc", post(record.clone()))
            .route("/api/message:send", post(record)),
    )
    .await;
    // Not found under the path given, found at the origin.
    let client = ClientFactory::new()
        .connect(&format!("{base}/agents/x"))
        .await
        .unwrap();
    assert_eq!(client.interface().url, format!("{base}/rpc"));
    client.send_message(message("m1")).await.unwrap();
    let newer =
        AgentInterface::new(format!("{base}/api?key=k1"), binding::HTTP_JSON).with_protocol_version("1.1");
    let rest = ClientFactory::new().client_for_interface(newer).unwrap();
    rest.send_message(message("m2")).await.unwrap();
    let seen = seen.lock().unwrap().clone();
    assert_eq!(seen[0], ("/rpc".to_owned(), String::new(), "1.0".to_owned()));
    assert_eq!(
        seen[1],
        (
            "/api/message:send".to_owned(),
            "key=k1".to_owned(),
            "1.1".to_owned()
        )
    );
}

/// Over gRPC, an `UNAVAILABLE` from an agent that received the call is not
/// repeated for a send (the agent may have acted on it) but is for a read
/// (a channel that cannot connect, where nothing was sent, is retried for
/// any call: see the transport's own tests).
#[cfg(feature = "grpc")]
#[tokio::test]
async fn grpc_retries_only_what_the_agent_cannot_have_acted_on() {
    let calls: Arc<Mutex<Vec<String>>> = Arc::default();
    let unavailable = {
        let calls = Arc::clone(&calls);
        move |uri: axum::http::Uri| {
            let calls = Arc::clone(&calls);
            async move {
                let method = uri.path().rsplit('/').next().unwrap_or_default().to_owned();
                calls.lock().unwrap().push(method);
                (
                    [
                        ("content-type", "application/grpc"),
                        ("grpc-status", "14"),
                        ("grpc-message", "the agent is going away"),
                    ],
                    "",
                )
            }
        }
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap().to_string();
    let app = axum::Router::new().route("/lf.a2a.v1.A2AService/{method}", post(unavailable));
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    let policy = RetryPolicy::default()
        .max_attempts(3)
        .base_delay(Duration::from_millis(1))
        .max_delay(Duration::from_millis(5));
    let client = ClientFactory::new()
        .retry_policy(policy.clone())
        .client_for_interface(AgentInterface::new(&address, binding::GRPC))
        .unwrap();
    let err = client.send_message(message("m1")).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Connect, "{err}");
    let err = client.get_task(GetTaskRequest::new("t1")).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Connect, "{err}");
    let seen = calls.lock().unwrap().clone();
    assert_eq!(seen, ["SendMessage", "GetTask", "GetTask", "GetTask"]);
}

/// A streamed reply read as text: artifact chunks arrive as pieces, in
/// order, followed by the agent's last word; the task at the end has the
/// chunks merged into one artifact. Plain text is a request.
#[tokio::test]
async fn a_streamed_reply_reads_as_text_and_ends_in_the_task() {
    struct Storyteller;
    impl a2akit::server::AgentExecutor for Storyteller {
        async fn execute(
            &self,
            _: a2akit::server::RequestContext,
            updater: a2akit::server::TaskUpdater,
        ) -> Result<(), Error> {
            updater.start_work().await?;
            let words = ["Once ", "upon ", "a ", "time."];
            for (i, word) in words.iter().enumerate() {
                let chunk = a2akit::types::Artifact::text("story", *word);
                updater
                    .stream_artifact(chunk, i > 0, i + 1 == words.len())
                    .await?;
            }
            updater.complete_with(updater.message(" The end.")).await
        }
    }
    let server = support::start_with(|base| {
        let card = AgentCard::builder()
            .name("stories")
            .description("d")
            .interface(format!("{base}/"), binding::JSONRPC)
            .streaming(true)
            .build();
        RequestHandler::builder(card, Storyteller).build()
    })
    .await;
    let client = ClientFactory::new().connect(&server.base).await.unwrap();
    let mut reply = client
        .send_streaming_message("a story, please")
        .await
        .unwrap()
        .reply();
    let mut pieces = Vec::new();
    while let Some(text) = reply.next_text().await {
        pieces.push(text.unwrap());
    }
    assert_eq!(pieces, ["Once ", "upon ", "a ", "time.", " The end."]);
    let task = reply.task().expect("the task");
    assert_eq!(task.status.state, TaskState::Completed);
    assert_eq!(task.artifacts.len(), 1);
    assert_eq!(task.artifacts[0].to_text(), "Once upon a time.");
    let answer = client.send_message("again").await.unwrap();
    assert!(matches!(answer, SendMessageResponse::Task(_)));
}
