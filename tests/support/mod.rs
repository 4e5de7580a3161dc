//! Shared by the integration tests: a server on an ephemeral port, and a
//! small raw client that speaks either HTTP binding, so that every
//! behavioural test runs the same way over JSON-RPC and HTTP+JSON.
#![allow(dead_code)]

pub mod agents;
pub mod databases;
pub mod jwt;
pub mod net;
pub mod python;
pub mod sse;

use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;

use a2akit::error::HttpErrorBody;
use a2akit::jsonrpc::{ErrorObject, Method};
use a2akit::server::{RequestHandler, http::Routes};
use a2akit::types::{
    AgentCard, CancelTaskRequest, DeleteTaskPushNotificationConfigRequest,
    GetTaskPushNotificationConfigRequest, GetTaskRequest, ListTaskPushNotificationConfigsRequest,
    ListTaskPushNotificationConfigsResponse, ListTasksRequest, ListTasksResponse, Message,
    SendMessageConfiguration, SendMessageRequest, SendMessageResponse, StreamResponse, Task,
    TaskPushNotificationConfig, json,
};
use a2akit::{Error, ErrorKind};
use futures_util::{Stream, StreamExt as _};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

/// A server listening on 127.0.0.1 on a port of its own.
pub struct TestServer {
    pub base: String,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Serves `handler` (card, JSON-RPC at `/`, HTTP+JSON at the root).
pub async fn start(handler: RequestHandler) -> TestServer {
    start_routes(Routes::new(handler)).await
}

/// Serves the handler `make` builds from the server's base URL (so that its
/// card can name the real port).
pub async fn start_with(make: impl FnOnce(&str) -> RequestHandler) -> TestServer {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let base = format!("http://{}", listener.local_addr().unwrap());
    let app = Routes::new(make(&base)).all("/");
    let task = tokio::spawn(async move {
        a2akit::server::serve(listener, app).await.expect("serve");
    });
    TestServer { base, task }
}

/// Serves the given routes (card, JSON-RPC at `/`, HTTP+JSON at the root).
pub async fn start_routes(routes: Routes) -> TestServer {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let base = format!("http://{}", listener.local_addr().unwrap());
    let app = routes.all("/");
    let task = tokio::spawn(async move {
        a2akit::server::serve(listener, app).await.expect("serve");
    });
    TestServer { base, task }
}

/// Which binding a [`Client`] speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Binding {
    JsonRpc,
    Rest,
    /// gRPC, through our own client (the other two are spoken raw).
    #[cfg(feature = "grpc")]
    Grpc,
}

pub const BINDINGS: [Binding; 2] = [Binding::JsonRpc, Binding::Rest];

/// A raw client for one binding.
#[derive(Clone)]
pub struct Client {
    pub http: reqwest::Client,
    pub base: String,
    pub binding: Binding,
    pub tenant: String,
}

static NEXT_ID: AtomicI64 = AtomicI64::new(1);

/// A user message with a given messageId (the conformance agent routes on its prefix).
pub fn user_message(message_id: &str, text: &str) -> Message {
    Message::user(text).with_message_id(message_id)
}

pub fn send(message: Message) -> SendMessageRequest {
    SendMessageRequest::new(message)
}

pub fn send_with(message: Message, configuration: SendMessageConfiguration) -> SendMessageRequest {
    SendMessageRequest::new(message).with_configuration(configuration)
}

impl Client {
    pub fn new(server: &TestServer, binding: Binding) -> Self {
        Self {
            http: reqwest::Client::new(),
            base: server.base.clone(),
            binding,
            tenant: String::new(),
        }
    }

    /// Our own client over gRPC, for a gRPC test client.
    #[cfg(feature = "grpc")]
    fn grpc(&self) -> Option<a2akit::client::Client> {
        if self.binding != Binding::Grpc {
            return None;
        }
        let address = self.base.trim_start_matches("http://");
        let interface = a2akit::types::AgentInterface::new(address, a2akit::types::binding::GRPC)
            .with_tenant(&self.tenant);
        Some(
            a2akit::client::ClientFactory::new()
                .client_for_interface(interface)
                .expect("a gRPC client"),
        )
    }

    pub fn with_tenant(mut self, tenant: &str) -> Self {
        self.tenant = tenant.to_owned();
        self
    }

    fn rest_url(&self, path: &str) -> String {
        if self.tenant.is_empty() {
            format!("{}{path}", self.base)
        } else {
            format!("{}/{}{path}", self.base, self.tenant)
        }
    }

    async fn rpc<P: Serialize, R: DeserializeOwned>(&self, method: Method, params: &P) -> Result<R, Error> {
        let mut params = serde_json::to_value(params).unwrap();
        if !self.tenant.is_empty() {
            params["tenant"] = Value::from(self.tenant.clone());
        }
        let id = NEXT_ID.fetch_add(1, Ordering::Relaxed);
        let body =
            serde_json::json!({"jsonrpc": "2.0", "id": id, "method": method.as_str(), "params": params});
        let response = self
            .http
            .post(format!("{}/", self.base))
            .header("A2A-Version", "1.0")
            .header("Content-Type", "application/json")
            .body(body.to_string())
            .send()
            .await
            .expect("request sent");
        let bytes = response.bytes().await.expect("body read");
        let value: Value = serde_json::from_slice(&bytes).expect("JSON-RPC body is JSON");
        assert_eq!(value["jsonrpc"], "2.0", "{value}");
        assert_eq!(value["id"], id, "the id is echoed with its type: {value}");
        if let Some(error) = value.get("error") {
            let object: ErrorObject = serde_json::from_value(error.clone()).expect("error object");
            return Err(Error::from_jsonrpc(&object));
        }
        Ok(json::from_value(value["result"].clone()).expect("result parses"))
    }

    async fn rest<R: DeserializeOwned>(&self, request: reqwest::RequestBuilder) -> Result<R, Error> {
        let response = request
            .header("A2A-Version", "1.0")
            .send()
            .await
            .expect("request sent");
        let status = response.status();
        let bytes = response.bytes().await.expect("body read");
        if !status.is_success() {
            let body: HttpErrorBody = serde_json::from_slice(&bytes)
                .unwrap_or_else(|_| panic!("error body is a Status: {}", String::from_utf8_lossy(&bytes)));
            assert_eq!(body.error.code, i32::from(status.as_u16()));
            return Err(Error::from_http(status.as_u16(), &body));
        }
        Ok(json::from_slice(&bytes).expect("result parses"))
    }

    fn rest_json<B: Serialize>(
        &self,
        method: reqwest::Method,
        path: &str,
        body: &B,
    ) -> reqwest::RequestBuilder {
        self.http
            .request(method, self.rest_url(path))
            .header("Content-Type", "application/json")
            .body(serde_json::to_vec(body).unwrap())
    }

    pub async fn send_message(&self, request: &SendMessageRequest) -> Result<SendMessageResponse, Error> {
        #[cfg(feature = "grpc")]
        if let Some(grpc) = self.grpc() {
            return grpc.send_message(request.clone()).await;
        }
        match self.binding {
            #[cfg(feature = "grpc")]
            Binding::Grpc => unreachable!("answered by the gRPC client above"),
            Binding::JsonRpc => self.rpc(Method::SendMessage, request).await,
            Binding::Rest => {
                self.rest(self.rest_json(reqwest::Method::POST, "/message:send", request))
                    .await
            }
        }
    }

    /// Sends and expects a task back.
    pub async fn send_task(&self, request: &SendMessageRequest) -> Task {
        match self.send_message(request).await.expect("send succeeds") {
            SendMessageResponse::Task(task) => task,
            other => panic!("expected a task, got {other:?}"),
        }
    }

    pub async fn get_task(&self, id: &str, history_length: Option<i32>) -> Result<Task, Error> {
        #[cfg(feature = "grpc")]
        if let Some(grpc) = self.grpc() {
            return {
                let mut request = GetTaskRequest::new(id);
                request.history_length = history_length;
                grpc.get_task(request).await
            };
        }
        match self.binding {
            #[cfg(feature = "grpc")]
            Binding::Grpc => unreachable!("answered by the gRPC client above"),
            Binding::JsonRpc => {
                let mut request = GetTaskRequest::new(id);
                request.history_length = history_length;
                self.rpc(Method::GetTask, &request).await
            }
            Binding::Rest => {
                let mut url = self.rest_url(&format!("/tasks/{}", encode(id)));
                if let Some(n) = history_length {
                    url.push_str(&format!("?historyLength={n}"));
                }
                self.rest(self.http.get(url)).await
            }
        }
    }

    pub async fn list_tasks(&self, request: &ListTasksRequest) -> Result<ListTasksResponse, Error> {
        #[cfg(feature = "grpc")]
        if let Some(grpc) = self.grpc() {
            return grpc.list_tasks(request.clone()).await;
        }
        match self.binding {
            #[cfg(feature = "grpc")]
            Binding::Grpc => unreachable!("answered by the gRPC client above"),
            Binding::JsonRpc => self.rpc(Method::ListTasks, request).await,
            Binding::Rest => {
                let mut query = Vec::new();
                let value = serde_json::to_value(request).unwrap();
                for (key, value) in value.as_object().unwrap() {
                    let text = match value {
                        Value::String(s) => s.clone(),
                        other => other.to_string(),
                    };
                    query.push((key.clone(), text));
                }
                self.rest(self.http.get(self.rest_url("/tasks")).query(&query))
                    .await
            }
        }
    }

    pub async fn cancel_task(&self, id: &str) -> Result<Task, Error> {
        #[cfg(feature = "grpc")]
        if let Some(grpc) = self.grpc() {
            return grpc.cancel_task(CancelTaskRequest::new(id)).await;
        }
        match self.binding {
            #[cfg(feature = "grpc")]
            Binding::Grpc => unreachable!("answered by the gRPC client above"),
            Binding::JsonRpc => self.rpc(Method::CancelTask, &CancelTaskRequest::new(id)).await,
            Binding::Rest => {
                self.rest(
                    self.http
                        .post(self.rest_url(&format!("/tasks/{}:cancel", encode(id)))),
                )
                .await
            }
        }
    }

    pub async fn create_push_config(
        &self,
        config: &TaskPushNotificationConfig,
    ) -> Result<TaskPushNotificationConfig, Error> {
        #[cfg(feature = "grpc")]
        if let Some(grpc) = self.grpc() {
            return grpc.create_task_push_notification_config(config.clone()).await;
        }
        match self.binding {
            #[cfg(feature = "grpc")]
            Binding::Grpc => unreachable!("answered by the gRPC client above"),
            Binding::JsonRpc => self.rpc(Method::CreateTaskPushNotificationConfig, config).await,
            Binding::Rest => {
                let path = format!("/tasks/{}/pushNotificationConfigs", encode(&config.task_id));
                self.rest(self.rest_json(reqwest::Method::POST, &path, config))
                    .await
            }
        }
    }

    pub async fn get_push_config(
        &self,
        task_id: &str,
        id: &str,
    ) -> Result<TaskPushNotificationConfig, Error> {
        #[cfg(feature = "grpc")]
        if let Some(grpc) = self.grpc() {
            return grpc
                .get_task_push_notification_config(GetTaskPushNotificationConfigRequest::new(task_id, id))
                .await;
        }
        match self.binding {
            #[cfg(feature = "grpc")]
            Binding::Grpc => unreachable!("answered by the gRPC client above"),
            Binding::JsonRpc => {
                self.rpc(
                    Method::GetTaskPushNotificationConfig,
                    &GetTaskPushNotificationConfigRequest::new(task_id, id),
                )
                .await
            }
            Binding::Rest => {
                let path = format!(
                    "/tasks/{}/pushNotificationConfigs/{}",
                    encode(task_id),
                    encode(id)
                );
                self.rest(self.http.get(self.rest_url(&path))).await
            }
        }
    }

    pub async fn list_push_configs(
        &self,
        task_id: &str,
    ) -> Result<ListTaskPushNotificationConfigsResponse, Error> {
        #[cfg(feature = "grpc")]
        if let Some(grpc) = self.grpc() {
            return grpc
                .list_task_push_notification_configs(ListTaskPushNotificationConfigsRequest::new(task_id))
                .await;
        }
        match self.binding {
            #[cfg(feature = "grpc")]
            Binding::Grpc => unreachable!("answered by the gRPC client above"),
            Binding::JsonRpc => {
                self.rpc(
                    Method::ListTaskPushNotificationConfigs,
                    &ListTaskPushNotificationConfigsRequest::new(task_id),
                )
                .await
            }
            Binding::Rest => {
                let path = format!("/tasks/{}/pushNotificationConfigs", encode(task_id));
                self.rest(self.http.get(self.rest_url(&path))).await
            }
        }
    }

    pub async fn delete_push_config(&self, task_id: &str, id: &str) -> Result<Value, Error> {
        #[cfg(feature = "grpc")]
        if let Some(grpc) = self.grpc() {
            return grpc
                .delete_task_push_notification_config(DeleteTaskPushNotificationConfigRequest::new(
                    task_id, id,
                ))
                .await
                .map(|()| serde_json::json!({}));
        }
        match self.binding {
            #[cfg(feature = "grpc")]
            Binding::Grpc => unreachable!("answered by the gRPC client above"),
            Binding::JsonRpc => {
                self.rpc(
                    Method::DeleteTaskPushNotificationConfig,
                    &DeleteTaskPushNotificationConfigRequest::new(task_id, id),
                )
                .await
            }
            Binding::Rest => {
                let path = format!(
                    "/tasks/{}/pushNotificationConfigs/{}",
                    encode(task_id),
                    encode(id)
                );
                self.rest(self.http.delete(self.rest_url(&path))).await
            }
        }
    }

    pub async fn get_extended_agent_card(&self) -> Result<AgentCard, Error> {
        #[cfg(feature = "grpc")]
        if let Some(grpc) = self.grpc() {
            return grpc.get_extended_agent_card().await;
        }
        match self.binding {
            #[cfg(feature = "grpc")]
            Binding::Grpc => unreachable!("answered by the gRPC client above"),
            Binding::JsonRpc => {
                self.rpc(Method::GetExtendedAgentCard, &serde_json::json!({}))
                    .await
            }
            Binding::Rest => {
                self.rest(self.http.get(self.rest_url("/extendedAgentCard")))
                    .await
            }
        }
    }

    /// Opens a stream; an error before the stream starts comes back as `Err`.
    pub async fn stream_message(&self, request: &SendMessageRequest) -> Result<EventStream, Error> {
        #[cfg(feature = "grpc")]
        if let Some(grpc) = self.grpc() {
            return grpc
                .send_streaming_message(request.clone())
                .await
                .map(|stream| Box::pin(stream) as EventStream);
        }
        match self.binding {
            #[cfg(feature = "grpc")]
            Binding::Grpc => unreachable!("answered by the gRPC client above"),
            Binding::JsonRpc => self.rpc_stream(Method::SendStreamingMessage, request).await,
            Binding::Rest => {
                let builder = self.rest_json(reqwest::Method::POST, "/message:stream", request);
                self.rest_stream(builder).await
            }
        }
    }

    pub async fn subscribe(&self, id: &str) -> Result<EventStream, Error> {
        #[cfg(feature = "grpc")]
        if let Some(grpc) = self.grpc() {
            return grpc
                .subscribe_to_task(a2akit::types::SubscribeToTaskRequest::new(id))
                .await
                .map(|stream| Box::pin(stream) as EventStream);
        }
        match self.binding {
            #[cfg(feature = "grpc")]
            Binding::Grpc => unreachable!("answered by the gRPC client above"),
            Binding::JsonRpc => {
                self.rpc_stream(
                    Method::SubscribeToTask,
                    &a2akit::types::SubscribeToTaskRequest::new(id),
                )
                .await
            }
            Binding::Rest => {
                let builder = self
                    .http
                    .post(self.rest_url(&format!("/tasks/{}:subscribe", encode(id))));
                self.rest_stream(builder).await
            }
        }
    }

    /// Sends a streaming message and collects every event until the stream ends.
    pub async fn stream_all(&self, request: &SendMessageRequest) -> Result<Vec<StreamResponse>, Error> {
        let stream = self.stream_message(request).await?;
        collect(stream).await
    }

    async fn rpc_stream<P: Serialize>(&self, method: Method, params: &P) -> Result<EventStream, Error> {
        let mut params = serde_json::to_value(params).unwrap();
        if !self.tenant.is_empty() {
            params["tenant"] = Value::from(self.tenant.clone());
        }
        let id = NEXT_ID.fetch_add(1, Ordering::Relaxed);
        let body =
            serde_json::json!({"jsonrpc": "2.0", "id": id, "method": method.as_str(), "params": params});
        let response = self
            .http
            .post(format!("{}/", self.base))
            .header("A2A-Version", "1.0")
            .header("Content-Type", "application/json")
            .header("Accept", "text/event-stream")
            .body(body.to_string())
            .send()
            .await
            .expect("request sent");
        let is_sse = content_type(&response).starts_with("text/event-stream");
        if !is_sse {
            let value: Value = response.json().await.expect("JSON-RPC body");
            let object: ErrorObject =
                serde_json::from_value(value["error"].clone()).expect("an error object");
            return Err(Error::from_jsonrpc(&object));
        }
        Ok(Box::pin(sse_events(response).map(move |(event, data)| {
            let value: Value = serde_json::from_str(&data).expect("each data line is JSON");
            assert_eq!(value["jsonrpc"], "2.0");
            assert_eq!(value["id"], id);
            if let Some(error) = value.get("error") {
                let object: ErrorObject = serde_json::from_value(error.clone()).expect("an error object");
                let _ = event;
                return Err(Error::from_jsonrpc(&object));
            }
            Ok(json::from_value(value["result"].clone()).expect("a StreamResponse"))
        })))
    }

    async fn rest_stream(&self, builder: reqwest::RequestBuilder) -> Result<EventStream, Error> {
        let response = builder
            .header("A2A-Version", "1.0")
            .header("Accept", "text/event-stream")
            .send()
            .await
            .expect("sent");
        let status = response.status();
        if !content_type(&response).starts_with("text/event-stream") {
            let body: HttpErrorBody = response.json().await.expect("a Status body");
            return Err(Error::from_http(status.as_u16(), &body));
        }
        Ok(Box::pin(sse_events(response).map(|(event, data)| {
            if event.as_deref() == Some("error") {
                let body: HttpErrorBody = serde_json::from_str(&data).expect("a Status body");
                return Err(Error::from_http(body.error.code as u16, &body));
            }
            Ok(json::from_str(&data).expect("a StreamResponse"))
        })))
    }
}

pub type EventStream = std::pin::Pin<Box<dyn Stream<Item = Result<StreamResponse, Error>> + Send>>;

/// Collects a stream until it ends (or 10 s pass, which fails the test).
pub async fn collect(mut stream: EventStream) -> Result<Vec<StreamResponse>, Error> {
    let mut events = Vec::new();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        match tokio::time::timeout_at(deadline, stream.next()).await {
            Ok(Some(Ok(event))) => events.push(event),
            Ok(Some(Err(err))) => return Err(err),
            Ok(None) => return Ok(events),
            Err(_) => panic!("stream did not end within 10 s; got {events:?}"),
        }
    }
}

/// The next event of a stream, within 5 s.
pub async fn next_event(stream: &mut EventStream) -> Option<Result<StreamResponse, Error>> {
    tokio::time::timeout(Duration::from_secs(5), stream.next())
        .await
        .expect("an event within 5 s")
}

fn content_type(response: &reqwest::Response) -> String {
    response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_ascii_lowercase()
}

pub fn encode(segment: &str) -> String {
    form_urlencoded::byte_serialize(segment.as_bytes())
        .collect::<String>()
        .replace('+', "%20")
}

/// Parses an SSE body into `(event name, data)` pairs, skipping comments.
fn sse_events(response: reqwest::Response) -> impl Stream<Item = (Option<String>, String)> + Send {
    let bytes = response.bytes_stream();
    futures_util::stream::unfold((bytes, String::new()), |(mut bytes, mut buffer)| async move {
        loop {
            if let Some(end) = buffer.find("\n\n") {
                let block: String = buffer.drain(..end + 2).collect();
                let mut event = None;
                let mut data = Vec::new();
                for line in block.lines() {
                    if let Some(rest) = line.strip_prefix("data:") {
                        data.push(rest.strip_prefix(' ').unwrap_or(rest).to_owned());
                    } else if let Some(rest) = line.strip_prefix("event:") {
                        event = Some(rest.trim().to_owned());
                    }
                }
                if data.is_empty() {
                    continue;
                }
                return Some(((event, data.join("\n")), (bytes, buffer)));
            }
            match bytes.next().await {
                Some(Ok(chunk)) => buffer.push_str(std::str::from_utf8(&chunk).expect("UTF-8")),
                _ => return None,
            }
        }
    })
}

/// Asserts an error's kind, with the error in the message.
pub fn assert_kind<T: std::fmt::Debug>(result: Result<T, Error>, kind: ErrorKind) -> Error {
    match result {
        Ok(value) => panic!("expected {kind}, got {value:?}"),
        Err(err) => {
            assert_eq!(err.kind(), kind, "{err}");
            err
        }
    }
}

/// Puts `builder` on the store the environment variable `A2AKIT_TEST_STORE`
/// names, in a fresh database: `memory` (the default), `sqlite`, `postgres`
/// or `mysql`. With a SQL store the handler also shares run ownership
/// through it, as a deployment on several processes would.
pub async fn on_test_store(
    builder: a2akit::server::RequestHandlerBuilder,
) -> a2akit::server::RequestHandlerBuilder {
    let name = std::env::var("A2AKIT_TEST_STORE").unwrap_or_default();
    let url = match name.as_str() {
        "" | "memory" => return builder,
        #[cfg(feature = "sqlite")]
        "sqlite" => databases::sqlite_url(),
        #[cfg(feature = "postgres")]
        "postgres" => databases::postgres_url().await,
        #[cfg(feature = "mysql")]
        "mysql" => databases::mysql_url().await,
        other => panic!("A2AKIT_TEST_STORE={other}: not a store this build of the tests has"),
    };
    #[cfg(any(feature = "sqlite", feature = "postgres", feature = "mysql"))]
    {
        let store = a2akit::server::store::sql::SqlStore::connect(&url)
            .await
            .unwrap_or_else(|err| panic!("the test store {url}: {err}"));
        builder.run_ownership(store.run_ownership()).store(store)
    }
    #[cfg(not(any(feature = "sqlite", feature = "postgres", feature = "mysql")))]
    unreachable!("{url}")
}
