//! The task lifecycle under the engine: runs that end without finishing,
//! cancels that race completion, answers to interrupted tasks, tasks that
//! exist at once, bounds per caller, and streams that resume.

#![cfg(feature = "server")]

mod support;

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use a2akit::server::store::{
    PendingPush, PushOutbox, Sequence, StoreError, StoredTask, TaskEvent, TaskKey, TaskPage, TaskQuery,
    TaskView,
};
use a2akit::server::{
    AgentExecutor, Caller, CancelContext, InMemoryTaskStore, PushConfigStore, RequestContext, RequestHandler,
    TaskStore, TaskUpdater,
};
use a2akit::types::{
    AgentCard, Artifact, SendMessageConfiguration, StreamResponse, Task, TaskPushNotificationConfig,
    TaskState,
};
use a2akit::{Error, ErrorKind};
use futures_util::StreamExt as _;
use serde_json::Value;
use support::{Binding, Client, send, send_with, user_message};

fn card() -> AgentCard {
    AgentCard::builder()
        .name("Lifecycle")
        .description("Tests the engine")
        .streaming(true)
        .build()
}

/// Starts work and returns without finishing, keeping no updater.
struct Forgetful;

impl AgentExecutor for Forgetful {
    async fn execute(&self, _: RequestContext, updater: TaskUpdater) -> Result<(), Error> {
        updater.start_work().await
    }
}

#[tokio::test]
async fn a_run_that_returns_unfinished_fails_its_task_and_releases_everyone() {
    let handler = support::on_test_store(RequestHandler::builder(card(), Forgetful))
        .await
        .build();
    let server = support::start(handler.clone()).await;
    for binding in [Binding::JsonRpc, Binding::Rest] {
        let client = Client::new(&server, binding);
        let task = tokio::time::timeout(
            Duration::from_secs(5),
            client.send_task(&send(user_message("m", "x"))),
        )
        .await
        .expect("a blocking send returns");
        assert_eq!(task.status.state, TaskState::Failed, "{task:?}");
        let events = support::collect(
            client
                .stream_message(&send(user_message("s", "x")))
                .await
                .unwrap(),
        )
        .await
        .unwrap();
        let last = events.last().unwrap();
        let StreamResponse::StatusUpdate(update) = last else {
            panic!("{events:?}")
        };
        assert_eq!(update.status.state, TaskState::Failed);
    }
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(handler.live_tasks(), 0, "nothing is left live");
}

/// Finishes quickly; cancel races it.
struct Quick;

impl AgentExecutor for Quick {
    async fn execute(&self, _: RequestContext, updater: TaskUpdater) -> Result<(), Error> {
        updater.start_work().await?;
        tokio::task::yield_now().await;
        updater.complete().await
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancel_racing_completion_answers_canceled_or_not_cancelable() {
    let server = support::start(
        support::on_test_store(RequestHandler::builder(card(), Quick))
            .await
            .build(),
    )
    .await;
    let client = Client::new(&server, Binding::JsonRpc);
    let config = SendMessageConfiguration::default().with_return_immediately(true);
    let pairs = (0..1000).map(|i| {
        let client = client.clone();
        let request = send_with(user_message(&format!("m{i}"), "x"), config.clone());
        async move {
            let task = client.send_task(&request).await;
            match client.cancel_task(&task.id).await {
                Ok(task) => assert_eq!(task.status.state, TaskState::Canceled, "{task:?}"),
                Err(err) => assert_eq!(err.kind(), ErrorKind::TaskNotCancelable, "{err:?}"),
            }
        }
    });
    futures_util::stream::iter(pairs)
        .buffer_unordered(16)
        .collect::<Vec<_>>()
        .await;
}

/// Asks for input, then lingers before returning.
struct Lingering;

impl AgentExecutor for Lingering {
    async fn execute(&self, context: RequestContext, updater: TaskUpdater) -> Result<(), Error> {
        if context.message.text() == "done" {
            return updater.complete().await;
        }
        updater.require_input(updater.message("more?")).await?;
        tokio::time::sleep(Duration::from_millis(30)).await;
        Ok(())
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_interrupted_task_always_takes_its_answer() {
    let server = support::start(
        support::on_test_store(RequestHandler::builder(card(), Lingering))
            .await
            .build(),
    )
    .await;
    let client = Client::new(&server, Binding::JsonRpc);
    let mut task = client.send_task(&send(user_message("m0", "start"))).await;
    for i in 1..=200 {
        assert_eq!(task.status.state, TaskState::InputRequired);
        let answer = user_message(&format!("m{i}"), "again").with_task_id(&task.id);
        task = client.send_task(&send(answer)).await;
    }
    let done = client
        .send_task(&send(user_message("end", "done").with_task_id(&task.id)))
        .await;
    assert_eq!(done.status.state, TaskState::Completed);
}

/// Thinks for a while before its first event.
struct Slow;

impl AgentExecutor for Slow {
    async fn execute(&self, _: RequestContext, updater: TaskUpdater) -> Result<(), Error> {
        tokio::time::sleep(Duration::from_secs(2)).await;
        updater.complete().await
    }
}

#[tokio::test]
async fn the_task_exists_as_soon_as_the_request_is_accepted() {
    let server = support::start(
        support::on_test_store(RequestHandler::builder(card(), Slow))
            .await
            .build(),
    )
    .await;
    for binding in [Binding::JsonRpc, Binding::Rest] {
        let client = Client::new(&server, binding);
        let started = Instant::now();
        let config = SendMessageConfiguration::default().with_return_immediately(true);
        let task = client.send_task(&send_with(user_message("m", "x"), config)).await;
        assert_eq!(task.status.state, TaskState::Submitted);
        assert!(
            started.elapsed() < Duration::from_secs(1),
            "{:?}",
            started.elapsed()
        );
        let stored = client.get_task(&task.id, None).await.unwrap();
        assert_eq!(stored.status.state, TaskState::Submitted);

        let started = Instant::now();
        let mut stream = client
            .stream_message(&send(user_message("s", "x")))
            .await
            .unwrap();
        let first = support::next_event(&mut stream).await.unwrap().unwrap();
        assert!(
            started.elapsed() < Duration::from_secs(1),
            "{:?}",
            started.elapsed()
        );
        let StreamResponse::Task(first) = first else {
            panic!("{first:?}")
        };
        assert_eq!(first.status.state, TaskState::Submitted);
    }
}

#[tokio::test]
async fn history_length_applies_to_the_first_event_of_a_stream() {
    let server = support::start(
        support::on_test_store(RequestHandler::builder(card(), Lingering))
            .await
            .build(),
    )
    .await;
    let client = Client::new(&server, Binding::JsonRpc);
    let task = client.send_task(&send(user_message("m0", "start"))).await;
    let answer = user_message("m1", "again").with_task_id(&task.id);
    let config = SendMessageConfiguration::default().with_history_length(1);
    let mut stream = client.stream_message(&send_with(answer, config)).await.unwrap();
    let StreamResponse::Task(first) = support::next_event(&mut stream).await.unwrap().unwrap() else {
        panic!("a snapshot first")
    };
    assert_eq!(first.history.len(), 1, "{first:?}");
}

/// Waits in `cancel` until `execute` has seen the cancel signal.
#[derive(Default)]
struct Patient {
    noticed: Arc<tokio::sync::Notify>,
    metadata: Arc<std::sync::Mutex<Option<Value>>>,
}

impl AgentExecutor for Patient {
    async fn execute(&self, context: RequestContext, updater: TaskUpdater) -> Result<(), Error> {
        updater.start_work().await?;
        context.canceled().await;
        self.noticed.notify_one();
        Ok(())
    }

    async fn cancel(&self, context: CancelContext, updater: TaskUpdater) -> Result<(), Error> {
        *self.metadata.lock().unwrap() = context.metadata.map(|m| Value::Object(m.into_iter().collect()));
        self.noticed.notified().await;
        updater.cancel().await
    }
}

#[tokio::test]
async fn cancel_signals_execute_before_the_agent_cancel_and_passes_metadata() {
    let agent = Patient::default();
    let metadata = Arc::clone(&agent.metadata);
    let server = support::start(
        support::on_test_store(RequestHandler::builder(card(), agent))
            .await
            .build(),
    )
    .await;
    let client = Client::new(&server, Binding::Rest);
    let config = SendMessageConfiguration::default().with_return_immediately(true);
    let task = client.send_task(&send_with(user_message("m", "x"), config)).await;
    tokio::time::sleep(Duration::from_millis(50)).await;
    let response = client
        .http
        .post(format!("{}/tasks/{}:cancel", server.base, task.id))
        .header("A2A-Version", "1.0")
        .header("Content-Type", "application/json")
        .body(r#"{"metadata": {"reason": "changed my mind"}}"#)
        .send();
    let response = tokio::time::timeout(Duration::from_secs(5), response)
        .await
        .expect("no deadlock")
        .unwrap();
    assert_eq!(response.status(), 200);
    let canceled: Value = response.json().await.unwrap();
    assert_eq!(canceled["status"]["state"], "TASK_STATE_CANCELED");
    assert_eq!(
        metadata.lock().unwrap().clone().unwrap()["reason"],
        "changed my mind"
    );
}

/// Leaves every task waiting for input.
struct Asks;

impl AgentExecutor for Asks {
    async fn execute(&self, _: RequestContext, updater: TaskUpdater) -> Result<(), Error> {
        updater.require_input(updater.message("and?")).await
    }
}

#[tokio::test]
async fn one_caller_cannot_fill_the_store_for_everyone() {
    let store = InMemoryTaskStore::new().with_owner_limit(20);
    let handler = RequestHandler::builder(card(), Asks).store(store).build();
    let server = support::start(handler).await;
    let anonymous = Client::new(&server, Binding::JsonRpc);
    for i in 0..20 {
        anonymous
            .send_task(&send(user_message(&format!("m{i}"), "x")))
            .await;
    }
    let refused = anonymous.send_message(&send(user_message("over", "x"))).await;
    let err = support::assert_kind(refused, ErrorKind::ResourceExhausted);
    assert!(err.message().contains("try again later"), "{err:?}");

    // Another caller still gets in.
    let routes = a2akit::server::http::Routes::new(
        RequestHandler::builder(card(), Asks)
            .store(InMemoryTaskStore::new().with_owner_limit(1))
            .build(),
    );
    let app = routes
        .all("/")
        .layer(axum::middleware::from_fn(caller_from_header));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { a2akit::server::serve(listener, app).await });
    let post = |who: &'static str, id: &'static str| {
        let base = base.clone();
        async move {
            let body = serde_json::json!({"jsonrpc": "2.0", "id": 1, "method": "SendMessage",
                "params": {"message": {"role": "ROLE_USER", "messageId": id, "parts": [{"text": "x"}]}}});
            let response: Value = reqwest::Client::new()
                .post(format!("{base}/"))
                .header("A2A-Version", "1.0")
                .header("x-caller", who)
                .json(&body)
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            response
        }
    };
    assert!(post("alice", "a1").await.get("result").is_some());
    assert_eq!(post("alice", "a2").await["error"]["code"], -32000);
    assert!(post("bob", "b1").await.get("result").is_some(), "bob is served");
}

/// Makes the `x-caller` header the caller, as an authentication layer would.
async fn caller_from_header(
    mut request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    if let Some(who) = request.headers().get("x-caller").and_then(|v| v.to_str().ok()) {
        let caller = Caller::new(who);
        request.extensions_mut().insert(caller);
    }
    next.run(request).await
}

// ---------------------------------------------------------------- resuming

/// Streams ten artifact chunks, slowly, then completes.
struct Chunks;

impl AgentExecutor for Chunks {
    async fn execute(&self, _: RequestContext, updater: TaskUpdater) -> Result<(), Error> {
        updater.start_work().await?;
        for i in 0..10 {
            tokio::time::sleep(Duration::from_millis(20)).await;
            updater
                .stream_artifact(Artifact::text("out", format!("chunk {i} ")), i > 0, i == 9)
                .await?;
        }
        updater.complete().await
    }
}

/// The frames of an SSE body: each `id:` and the JSON of its `data:`.
async fn frames(response: reqwest::Response, stop_after: usize) -> Vec<(u64, Value)> {
    let mut body = response.bytes_stream();
    let mut buffer = String::new();
    let mut frames = Vec::new();
    while let Ok(Some(Ok(chunk))) = tokio::time::timeout(Duration::from_secs(5), body.next()).await {
        buffer.push_str(std::str::from_utf8(&chunk).unwrap());
        while let Some(end) = buffer.find("\n\n") {
            let frame: String = buffer.drain(..end + 2).collect();
            let mut id = None;
            let mut data = None;
            for line in frame.lines() {
                if let Some(value) = line.strip_prefix("id: ") {
                    id = Some(value.parse().unwrap());
                } else if let Some(value) = line.strip_prefix("data: ") {
                    data = Some(serde_json::from_str::<Value>(value).unwrap());
                }
            }
            if let (Some(id), Some(data)) = (id, data) {
                frames.push((id, data));
                if frames.len() == stop_after {
                    return frames;
                }
            }
        }
    }
    frames
}

/// The event of a frame, whichever binding sent it.
fn event_of(binding: Binding, data: &Value) -> Value {
    match binding {
        Binding::JsonRpc => data["result"].clone(),
        _ => data.clone(),
    }
}

async fn stream_request(
    client: &Client,
    binding: Binding,
    task_id: Option<&str>,
    last: Option<u64>,
) -> reqwest::Response {
    let mut request = match (binding, task_id) {
        (Binding::JsonRpc, None) => client
            .http
            .post(format!("{}/", client.base))
            .json(&serde_json::json!({
            "jsonrpc": "2.0", "id": 7, "method": "SendStreamingMessage",
            "params": {"message": {"role": "ROLE_USER", "messageId": "m", "parts": [{"text": "go"}]}}})),
        (Binding::JsonRpc, Some(id)) => client
            .http
            .post(format!("{}/", client.base))
            .json(&serde_json::json!({
            "jsonrpc": "2.0", "id": 8, "method": "SubscribeToTask", "params": {"id": id}})),
        (_, None) => client
            .http
            .post(format!("{}/message:stream", client.base))
            .json(&serde_json::json!({
            "message": {"role": "ROLE_USER", "messageId": "m", "parts": [{"text": "go"}]}})),
        (_, Some(id)) => client.http.get(format!("{}/tasks/{id}:subscribe", client.base)),
    };
    request = request.header("A2A-Version", "1.0");
    if let Some(last) = last {
        request = request.header("Last-Event-ID", last.to_string());
    }
    request.send().await.unwrap()
}

async fn resume_after_a_drop(binding: Binding) {
    let handler = support::on_test_store(RequestHandler::builder(card(), Chunks))
        .await
        .build();
    let server = support::start(handler).await;
    let client = Client::new(&server, binding);
    // The whole run, for reference.
    let whole = frames(stream_request(&client, binding, None, None).await, usize::MAX).await;
    assert_eq!(whole.len(), 13, "task, working, 10 chunks, completed");
    let ids: Vec<u64> = whole.iter().map(|(id, _)| *id).collect();
    assert!(ids.windows(2).all(|w| w[0] < w[1]), "ids increase: {ids:?}");

    // A second run, dropped after four events, then resumed.
    let first = frames(stream_request(&client, binding, None, None).await, 4).await;
    let task_id = event_of(binding, &first[0].1)["task"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let last = first.last().unwrap().0;
    let rest = frames(
        stream_request(&client, binding, Some(&task_id), Some(last)).await,
        usize::MAX,
    )
    .await;
    let mut all: Vec<_> = first
        .iter()
        .chain(&rest)
        .map(|(id, data)| (*id, event_of(binding, data)))
        .collect();
    assert_eq!(all.len(), 13, "exactly the remaining events: {all:?}");
    assert!(
        all.windows(2).all(|w| w[0].0 < w[1].0),
        "no gap reordering, no duplicate"
    );
    assert!(
        rest.iter()
            .all(|(_, data)| event_of(binding, data).get("task").is_none()),
        "no snapshot on resume"
    );
    let (_, last_event) = all.pop().unwrap();
    assert_eq!(
        last_event["statusUpdate"]["status"]["state"],
        "TASK_STATE_COMPLETED"
    );

    // An id the server no longer holds (none it ever gave: 0 is before the
    // first) falls back to a snapshot first: here the task is finished, so
    // resuming from its creation gives everything after it.
    let too_old = frames(
        stream_request(&client, binding, Some(&task_id), Some(0)).await,
        usize::MAX,
    )
    .await;
    assert_eq!(too_old.len(), 13, "{too_old:?}");
}

#[tokio::test]
async fn resume_a_dropped_stream_over_jsonrpc() {
    resume_after_a_drop(Binding::JsonRpc).await;
}

#[tokio::test]
async fn resume_a_dropped_stream_over_http_json() {
    resume_after_a_drop(Binding::Rest).await;
}

#[tokio::test]
async fn resume_from_an_id_the_store_dropped_starts_with_a_snapshot() {
    let store = InMemoryTaskStore::new().with_event_log(Duration::from_secs(60), 3);
    let handler = RequestHandler::builder(card(), Chunks).store(store).build();
    let server = support::start(handler).await;
    let client = Client::new(&server, Binding::Rest);
    let first = frames(stream_request(&client, Binding::Rest, None, None).await, 2).await;
    let task_id = first[0].1["task"]["id"].as_str().unwrap().to_owned();
    tokio::time::sleep(Duration::from_millis(150)).await;
    let resumed = frames(
        stream_request(&client, Binding::Rest, Some(&task_id), Some(first[1].0)).await,
        usize::MAX,
    )
    .await;
    assert!(
        resumed[0].1.get("task").is_some(),
        "a snapshot first: {resumed:?}"
    );
    assert_eq!(
        resumed.last().unwrap().1["statusUpdate"]["status"]["state"],
        "TASK_STATE_COMPLETED"
    );
}

// ---------------------------------------------------------------- more races

/// A store that takes an append, then is slow to say so: a caller cut off
/// in between never learns that its write landed.
struct SlowToAnswer {
    inner: Arc<InMemoryTaskStore>,
    slow: Arc<std::sync::atomic::AtomicBool>,
}

impl TaskStore for SlowToAnswer {
    async fn create(&self, key: &TaskKey, owner: &str, task: &Task) -> Result<Sequence, StoreError> {
        self.inner.create(key, owner, task).await
    }
    async fn append(
        &self,
        key: &TaskKey,
        expected: Sequence,
        events: &[Arc<StreamResponse>],
    ) -> Result<Sequence, StoreError> {
        let done = self.inner.append(key, expected, events).await;
        if self.slow.load(Ordering::SeqCst) {
            tokio::time::sleep(Duration::from_millis(300)).await;
        }
        done
    }
    async fn get(&self, key: &TaskKey, view: TaskView) -> Result<Option<StoredTask>, StoreError> {
        TaskStore::get(&self.inner, key, view).await
    }
    async fn events_after(
        &self,
        key: &TaskKey,
        after: Sequence,
    ) -> Result<Option<Vec<TaskEvent>>, StoreError> {
        self.inner.events_after(key, after).await
    }
    async fn list(&self, query: &TaskQuery) -> Result<TaskPage, StoreError> {
        TaskStore::list(&self.inner, query).await
    }
    async fn remove(&self, key: &TaskKey) -> Result<(), StoreError> {
        self.inner.remove(key).await
    }
}

impl PushConfigStore for SlowToAnswer {
    async fn save(&self, tenant: &str, config: &TaskPushNotificationConfig) -> Result<(), StoreError> {
        PushConfigStore::save(&self.inner, tenant, config).await
    }
    async fn get(
        &self,
        tenant: &str,
        task_id: &str,
        id: &str,
    ) -> Result<Option<TaskPushNotificationConfig>, StoreError> {
        PushConfigStore::get(&self.inner, tenant, task_id, id).await
    }
    async fn list(&self, tenant: &str, task_id: &str) -> Result<Vec<TaskPushNotificationConfig>, StoreError> {
        PushConfigStore::list(&self.inner, tenant, task_id).await
    }
    async fn delete(&self, tenant: &str, task_id: &str, id: &str) -> Result<(), StoreError> {
        PushConfigStore::delete(&self.inner, tenant, task_id, id).await
    }
}

impl PushOutbox for SlowToAnswer {
    async fn claim_due(
        &self,
        now: chrono::DateTime<chrono::Utc>,
        until: chrono::DateTime<chrono::Utc>,
        limit: usize,
    ) -> Result<Vec<PendingPush>, StoreError> {
        self.inner.claim_due(now, until, limit).await
    }
    async fn finish(&self, push: &PendingPush) -> Result<(), StoreError> {
        self.inner.finish(push).await
    }
    async fn retry_at(
        &self,
        push: &PendingPush,
        at: chrono::DateTime<chrono::Utc>,
    ) -> Result<(), StoreError> {
        self.inner.retry_at(push, at).await
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_caller_cut_off_mid_write_leaves_cache_and_store_agreeing() {
    let slow = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let store = SlowToAnswer {
        inner: Arc::new(InMemoryTaskStore::new()),
        slow: Arc::clone(&slow),
    };
    let server = support::start(RequestHandler::builder(card(), Lingering).store(store).build()).await;
    let client = Client::new(&server, Binding::JsonRpc);
    let task = client.send_task(&send(user_message("m0", "start"))).await;

    // A follow-up whose caller gives up while its message is being stored.
    slow.store(true, Ordering::SeqCst);
    let impatient = reqwest::Client::builder()
        .timeout(Duration::from_millis(50))
        .build()
        .unwrap();
    let body = serde_json::json!({"jsonrpc": "2.0", "id": 1, "method": "SendMessage", "params": {"message": {
        "role": "ROLE_USER", "messageId": "m1", "taskId": task.id, "parts": [{"text": "cut off"}]}}});
    let cut = impatient
        .post(format!("{}/", server.base))
        .header("A2A-Version", "1.0")
        .json(&body)
        .send()
        .await;
    assert!(cut.is_err(), "the caller gave up");
    tokio::time::sleep(Duration::from_millis(1200)).await;
    slow.store(false, Ordering::SeqCst);

    // The next answer lands after it, and everyone sees the same history.
    let answered = client
        .send_task(&send(user_message("m2", "again").with_task_id(&task.id)))
        .await;
    let stored = client.get_task(&task.id, None).await.unwrap();
    assert_eq!(answered.history, stored.history, "the answer and the store agree");
    let texts: Vec<String> = stored.history.iter().map(|m| m.text()).collect();
    let user: Vec<&String> = texts.iter().filter(|t| t.as_str() != "more?").collect();
    assert_eq!(user, ["start", "cut off", "again"], "{texts:?}");
}

/// Follow-ups wait for the cancel; the first message asks for input.
struct WaitsForCancel;

impl AgentExecutor for WaitsForCancel {
    async fn execute(&self, context: RequestContext, updater: TaskUpdater) -> Result<(), Error> {
        if context.task.is_none() {
            return updater.require_input(updater.message("go on?")).await;
        }
        updater.start_work().await?;
        context.canceled().await;
        Ok(())
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_streamed_follow_up_never_misses_a_cancel() {
    let server = support::start(
        support::on_test_store(RequestHandler::builder(card(), WaitsForCancel))
            .await
            .build(),
    )
    .await;
    let client = Client::new(&server, Binding::JsonRpc);
    for i in 0..100 {
        let task = client
            .send_task(&send(user_message(&format!("a{i}"), "start")))
            .await;
        let follow_up = send(user_message(&format!("b{i}"), "wait").with_task_id(&task.id));
        let (stream, canceled) = tokio::join!(client.stream_all(&follow_up), client.cancel_task(&task.id));
        let canceled = canceled.expect("the cancel is accepted");
        assert_eq!(canceled.status.state, TaskState::Canceled);
        match stream {
            Ok(events) => {
                let last = events.last().unwrap();
                let ended = match last {
                    StreamResponse::StatusUpdate(update) => update.status.state,
                    StreamResponse::Task(task) => task.status.state,
                    other => panic!("{other:?}"),
                };
                assert_eq!(ended, TaskState::Canceled, "round {i}: {events:?}");
            }
            // The cancel won before the follow-up was accepted.
            Err(err) => assert_eq!(err.kind(), ErrorKind::UnsupportedOperation, "{err:?}"),
        }
    }
}

#[tokio::test]
async fn a_refused_follow_up_leaves_no_push_config_behind() {
    let card = AgentCard::builder()
        .name("Push")
        .description("Takes push configs")
        .push_notifications(true)
        .build();
    let server = support::start(RequestHandler::builder(card, Patient::default()).build()).await;
    let client = Client::new(&server, Binding::Rest);
    let config = SendMessageConfiguration::default().with_return_immediately(true);
    let task = client.send_task(&send_with(user_message("m", "x"), config)).await;
    tokio::time::sleep(Duration::from_millis(50)).await;
    let config = SendMessageConfiguration {
        task_push_notification_config: Some(TaskPushNotificationConfig::new("https://example.com/hook")),
        ..SendMessageConfiguration::default()
    };
    let refused = client
        .send_message(&send_with(user_message("m2", "y").with_task_id(&task.id), config))
        .await;
    support::assert_kind(refused, ErrorKind::UnsupportedOperation);
    let configs = client.list_push_configs(&task.id).await.unwrap();
    assert!(configs.configs.is_empty(), "{configs:?}");
}

#[tokio::test]
async fn history_has_a_cap_with_a_clear_error() {
    let handler = RequestHandler::builder(card(), Lingering).max_history(4).build();
    let server = support::start(handler).await;
    let client = Client::new(&server, Binding::JsonRpc);
    // One user message and one agent question per turn.
    let task = client.send_task(&send(user_message("m0", "start"))).await;
    let task = client
        .send_task(&send(user_message("m1", "again").with_task_id(&task.id)))
        .await;
    assert_eq!(task.history.len(), 4);
    let refused = client
        .send_message(&send(user_message("m2", "again").with_task_id(&task.id)))
        .await;
    let err = support::assert_kind(refused, ErrorKind::UnsupportedOperation);
    assert!(err.message().contains("limit of 4 history messages"), "{err:?}");
}

#[cfg(all(feature = "grpc", feature = "client"))]
#[tokio::test]
async fn resume_over_grpc_with_the_metadata_key() {
    let handler = support::on_test_store(RequestHandler::builder(card(), Chunks))
        .await
        .build();
    let server = support::start(handler).await;
    let client = Client::new(&server, Binding::Rest);
    let first = frames(stream_request(&client, Binding::Rest, None, None).await, 4).await;
    let task_id = first[0].1["task"]["id"].as_str().unwrap().to_owned();
    let last = first.last().unwrap().0;
    let interface = a2akit::types::AgentInterface::new(
        server.base.trim_start_matches("http://"),
        a2akit::types::binding::GRPC,
    );
    let grpc = a2akit::client::ClientFactory::new()
        .client_for_interface(interface)
        .unwrap();
    let mut rest = Vec::new();
    let mut stream = grpc.subscribe_from(&task_id, last).await.unwrap();
    while let Some(event) = stream.next().await {
        rest.push(event.unwrap());
    }
    assert!(
        !matches!(rest[0], StreamResponse::Task(_)),
        "no snapshot: {rest:?}"
    );
    assert_eq!(
        first.len() + rest.len(),
        13,
        "exactly the remaining events: {rest:?}"
    );
}

/// Answers with a message, then goes on with something else for a while.
struct RepliesThenLingers;

impl AgentExecutor for RepliesThenLingers {
    async fn execute(&self, _: RequestContext, updater: TaskUpdater) -> Result<(), Error> {
        updater.reply(updater.message("right away")).await?;
        tokio::time::sleep(Duration::from_secs(2)).await;
        Ok(())
    }
}

#[tokio::test]
async fn a_direct_reply_answers_at_once_and_leaves_no_task() {
    let server = support::start(
        support::on_test_store(RequestHandler::builder(card(), RepliesThenLingers))
            .await
            .build(),
    )
    .await;
    let client = Client::new(&server, Binding::JsonRpc);
    let started = Instant::now();
    let answer = client.send_message(&send(user_message("m", "x"))).await.unwrap();
    assert!(
        started.elapsed() < Duration::from_secs(1),
        "{:?}",
        started.elapsed()
    );
    let a2akit::types::SendMessageResponse::Message(message) = answer else {
        panic!("{answer:?}")
    };
    assert_eq!(message.text(), "right away");
    let listed = client
        .list_tasks(&a2akit::types::ListTasksRequest::default())
        .await
        .unwrap();
    assert!(listed.tasks.is_empty(), "{listed:?}");
}

/// Completes at once, with an artifact.
struct Echo;

impl AgentExecutor for Echo {
    async fn execute(&self, context: RequestContext, updater: TaskUpdater) -> Result<(), Error> {
        updater
            .add_artifact(Artifact::text("echo", context.message.text()))
            .await?;
        updater.complete().await
    }
}

/// Thousands of blocking sends in a row on one thread: a send that drives
/// its run must never wait on a lock its own unpolled run holds.
#[tokio::test]
async fn back_to_back_blocking_sends_on_one_thread_never_stall() {
    let handler = RequestHandler::builder(card(), Echo).build();
    let call = a2akit::server::CallContext::new("");
    let sends = async {
        for i in 0..5_000 {
            let answer = handler
                .send_message(&call, send(user_message(&format!("m{i}"), "x")))
                .await
                .unwrap();
            let a2akit::types::SendMessageResponse::Task(task) = answer else {
                panic!("{answer:?}")
            };
            assert_eq!(task.status.state, TaskState::Completed);
        }
    };
    tokio::time::timeout(Duration::from_secs(30), sends)
        .await
        .expect("no send stalls");
}
