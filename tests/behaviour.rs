//! The server's behaviour, over real sockets, on both HTTP bindings: every
//! test runs once over JSON-RPC and once over HTTP+JSON against the
//! conformance agent (or a purpose-built one). Test names carry the number
//! of the server item of the protocol's MUST checklist they show (`c07_…`),
//! or the conformance agent behaviour (`agent_…`).

#[path = "../examples/conformance/executor.rs"]
mod conformance;
mod support;

use std::time::Duration;

use a2akit::server::{
    AgentExecutor, Caller, CancelContext, RequestContext, RequestHandler, TaskUpdater, http::Routes,
};
use a2akit::types::{
    AgentCard, AgentExtension, Artifact, ListTasksRequest, Part, PartContent, SendMessageConfiguration,
    SendMessageResponse, StreamResponse, Task, TaskPushNotificationConfig, TaskState,
};
use a2akit::{Error, ErrorKind};
use serde_json::{Value, json};
use support::{Binding, Client, TestServer, assert_kind, collect, next_event, send, send_with, user_message};

/// The conformance agent, on the store `A2AKIT_TEST_STORE` names (memory
/// by default): the suite runs on every store.
async fn conformance_handler() -> RequestHandler {
    support::on_test_store(conformance::builder("http://127.0.0.1"))
        .await
        .build()
}

/// Declares a test that runs on both bindings against a fresh server.
macro_rules! both_bindings {
    ($(#[$meta:meta])* $name:ident, $handler:expr, |$client:ident| $body:block) => {
        mod $name {
            use super::*;

            async fn run($client: Client) $body

            async fn on(binding: Binding) {
                let server: TestServer = support::start($handler).await;
                run(Client::new(&server, binding)).await;
            }

            #[tokio::test]
            async fn jsonrpc() {
                on(Binding::JsonRpc).await
            }

            #[tokio::test]
            async fn rest() {
                on(Binding::Rest).await
            }

            #[cfg(feature = "grpc")]
            #[tokio::test]
            async fn grpc() {
                on(Binding::Grpc).await
            }
        }
    };
}

fn state_of(event: &StreamResponse) -> Option<TaskState> {
    match event {
        StreamResponse::Task(task) => Some(task.status.state),
        StreamResponse::StatusUpdate(update) => Some(update.status.state),
        _ => None,
    }
}

fn last_state(events: &[StreamResponse]) -> Option<TaskState> {
    events.iter().rev().find_map(state_of)
}

fn texts(task: &Task) -> Vec<String> {
    task.history.iter().map(|m| m.text()).collect()
}

// ---------------------------------------------------------------- streams

both_bindings!(
    streamed_message_answer_completes_the_task_the_stream_opened_with,
    conformance_handler().await,
    |client| {
        let events = client
            .stream_all(&send(user_message("tck-message-response-1", "hi")))
            .await
            .unwrap();
        assert_eq!(events.len(), 2, "{events:?}");
        let StreamResponse::Task(task) = &events[0] else {
            panic!("{events:?}")
        };
        assert_eq!(task.status.state, TaskState::Submitted);
        let StreamResponse::StatusUpdate(update) = &events[1] else {
            panic!("{events:?}")
        };
        assert_eq!(update.status.state, TaskState::Completed);
        let message = update.status.message.as_ref().expect("the reply");
        assert_eq!(message.text(), "Direct message response");
        assert_eq!(message.role, a2akit::types::Role::Agent);
    }
);

both_bindings!(
    c02_c03_c32_streamed_task_first_then_updates_in_order_then_end,
    conformance_handler().await,
    |client| {
        let events = client
            .stream_all(&send(user_message("tck-stream-001-x", "go")))
            .await
            .unwrap();
        let StreamResponse::Task(first) = &events[0] else {
            panic!("the first event is the task: {events:?}")
        };
        assert_eq!(first.status.state, TaskState::Submitted);
        assert!(events[1..].iter().all(|e| matches!(
            e,
            StreamResponse::StatusUpdate(_) | StreamResponse::ArtifactUpdate(_)
        )));
        let states: Vec<TaskState> = events.iter().filter_map(state_of).collect();
        assert_eq!(
            states,
            [TaskState::Submitted, TaskState::Working, TaskState::Completed]
        );
        let StreamResponse::ArtifactUpdate(update) = &events[2] else {
            panic!("{events:?}")
        };
        assert_eq!(update.artifact.parts[0].as_text(), Some("Stream hello from TCK"));
        assert_eq!(update.task_id, first.id);
        assert!(
            matches!(events.last(), Some(StreamResponse::StatusUpdate(u)) if u.status.state.is_terminal())
        );
    }
);

both_bindings!(
    c03_streamed_send_ends_at_input_required,
    conformance_handler().await,
    |client| {
        let events = client
            .stream_all(&send(user_message("tck-input-required-1", "go")))
            .await
            .unwrap();
        assert_eq!(last_state(&events), Some(TaskState::InputRequired));
    }
);

both_bindings!(
    c04_subscribe_starts_with_a_snapshot_and_follows_to_the_end,
    conformance_handler().await,
    |client| {
        let task = client
            .send_task(&send(user_message("tck-input-required-1", "first")))
            .await;
        assert_eq!(task.status.state, TaskState::InputRequired);
        let mut stream = client.subscribe(&task.id).await.unwrap();
        let Some(Ok(StreamResponse::Task(snapshot))) = next_event(&mut stream).await else {
            panic!("a snapshot first")
        };
        assert_eq!(snapshot.id, task.id);
        assert_eq!(snapshot.status.state, TaskState::InputRequired);
        // An input-required task keeps the subscription open until the task ends.
        let follow_up = user_message("tck-complete-task-2", "done").with_task_id(&task.id);
        let finished = client.send_task(&send(follow_up)).await;
        assert_eq!(finished.status.state, TaskState::Completed);
        let rest = collect(stream).await.unwrap();
        assert_eq!(last_state(&rest), Some(TaskState::Completed), "{rest:?}");
    }
);

both_bindings!(
    c05_subscribe_to_a_finished_task_is_an_error_not_a_stream,
    conformance_handler().await,
    |client| {
        let task = client
            .send_task(&send(user_message("tck-complete-task-1", "x")))
            .await;
        assert_kind(
            client.subscribe(&task.id).await.map(|_| ()),
            ErrorKind::UnsupportedOperation,
        );
        assert_kind(
            client.subscribe("no-such-task").await.map(|_| ()),
            ErrorKind::TaskNotFound,
        );
    }
);

both_bindings!(
    c33_parallel_subscribers_get_the_same_events_and_one_leaving_spares_the_other,
    conformance_handler().await,
    |client| {
        let task = client
            .send_task(&send(user_message("tck-input-required-1", "first")))
            .await;
        let first = client.subscribe(&task.id).await.unwrap();
        let mut second = client.subscribe(&task.id).await.unwrap();
        let mut leaving = client.subscribe(&task.id).await.unwrap();
        let snapshot = next_event(&mut leaving).await;
        drop(leaving);
        assert!(matches!(snapshot, Some(Ok(StreamResponse::Task(_)))));
        let _ = next_event(&mut second).await; // its snapshot
        client
            .send_task(&send(
                user_message("tck-stream-003-x", "go").with_task_id(&task.id),
            ))
            .await;
        let a = collect(first).await.unwrap();
        let b = collect(second).await.unwrap();
        assert_eq!(
            a[1..],
            b[..],
            "both subscribers see the same events after their snapshots"
        );
        assert_eq!(last_state(&a), Some(TaskState::Completed));
    }
);

// ---------------------------------------------------------------- send semantics

both_bindings!(
    c06_message_to_a_finished_task_is_unsupported,
    conformance_handler().await,
    |client| {
        let task = client
            .send_task(&send(user_message("tck-complete-task-1", "x")))
            .await;
        let again = send(user_message("tck-complete-task-2", "more").with_task_id(&task.id));
        assert_kind(client.send_message(&again).await, ErrorKind::UnsupportedOperation);
    }
);

both_bindings!(
    c07_blocking_send_answers_with_the_finished_task_and_its_artifacts,
    conformance_handler().await,
    |client| {
        let task = client
            .send_task(&send(user_message("tck-artifact-text-1", "x")))
            .await;
        assert_eq!(task.status.state, TaskState::Completed);
        assert_eq!(task.artifacts.len(), 1);
        assert_eq!(
            task.artifacts[0].parts[0].as_text(),
            Some("Generated text content")
        );
    }
);

both_bindings!(
    c08_return_immediately_answers_before_the_task_ends,
    conformance_handler().await,
    |client| {
        let config = SendMessageConfiguration::default().with_return_immediately(true);
        let started = std::time::Instant::now();
        let task = client
            .send_task(&send_with(
                user_message("test-resubscribe-message-id-1", "slow"),
                config,
            ))
            .await;
        assert!(
            started.elapsed() < Duration::from_secs(2),
            "took {:?}",
            started.elapsed()
        );
        assert!(!task.status.state.is_terminal(), "{:?}", task.status.state);
        let canceled = client.cancel_task(&task.id).await.unwrap();
        assert_eq!(canceled.status.state, TaskState::Canceled);
    }
);

both_bindings!(
    c26_c28_new_tasks_get_unique_ids_and_a_minted_context,
    conformance_handler().await,
    |client| {
        let a = client
            .send_task(&send(user_message("tck-complete-task-1", "x")))
            .await;
        let b = client
            .send_task(&send(user_message("tck-complete-task-1", "x")))
            .await;
        assert_ne!(a.id, b.id);
        assert!(!a.context_id.is_empty() && !b.context_id.is_empty());
        assert_ne!(a.context_id, b.context_id);
        assert!(
            !a.id.contains(':') && !a.id.contains('/'),
            "ids fit in a path segment"
        );
        // A client's own contextId is kept.
        let c = client
            .send_task(&send(
                user_message("tck-complete-task-1", "x").with_context_id("my-ctx"),
            ))
            .await;
        assert_eq!(c.context_id, "my-ctx");
    }
);

both_bindings!(
    c29_unknown_task_id_in_a_message_is_not_found,
    conformance_handler().await,
    |client| {
        let message = user_message("tck-complete-task-1", "x").with_task_id("no-such-task");
        assert_kind(client.send_message(&send(message)).await, ErrorKind::TaskNotFound);
    }
);

both_bindings!(
    c30_c31_context_is_inferred_from_the_task_and_a_mismatch_is_rejected,
    conformance_handler().await,
    |client| {
        let task = client
            .send_task(&send(user_message("tck-input-required-1", "x")))
            .await;
        let follow_up = client
            .send_task(&send(
                user_message("tck-input-required-2", "y").with_task_id(&task.id),
            ))
            .await;
        assert_eq!(follow_up.id, task.id);
        assert_eq!(follow_up.context_id, task.context_id);
        assert!(follow_up.history.iter().all(|m| m.context_id == task.context_id));
        let wrong = user_message("tck-complete-task-1", "z")
            .with_task_id(&task.id)
            .with_context_id("other-context");
        assert_kind(client.send_message(&send(wrong)).await, ErrorKind::InvalidParams);
    }
);

both_bindings!(c18_inputs_are_validated, conformance_handler().await, |client| {
    let mut empty = user_message("tck-complete-task-1", "x");
    empty.parts.clear();
    assert_kind(client.send_message(&send(empty)).await, ErrorKind::InvalidParams);
    let mut agent = user_message("tck-complete-task-1", "x");
    agent.role = a2akit::types::Role::Agent;
    assert_kind(client.send_message(&send(agent)).await, ErrorKind::InvalidParams);
    let negative = SendMessageConfiguration::default().with_history_length(-1);
    assert_kind(
        client
            .send_message(&send_with(user_message("tck-complete-task-1", "x"), negative))
            .await,
        ErrorKind::InvalidParams,
    );
    for size in [0, 101] {
        let request = ListTasksRequest {
            page_size: Some(size),
            ..Default::default()
        };
        assert_kind(client.list_tasks(&request).await, ErrorKind::InvalidParams);
    }
    let bad_token = ListTasksRequest {
        page_token: "not-a-token".into(),
        ..Default::default()
    };
    assert_kind(client.list_tasks(&bad_token).await, ErrorKind::InvalidParams);
    assert_kind(
        client.get_task("whatever", Some(-3)).await,
        ErrorKind::InvalidParams,
    );
});

// ---------------------------------------------------------------- get, history, cancel

both_bindings!(
    c19_get_and_cancel_of_unknown_tasks_are_not_found,
    conformance_handler().await,
    |client| {
        assert_kind(
            client.get_task("no-such-task", None).await,
            ErrorKind::TaskNotFound,
        );
        assert_kind(client.cancel_task("no-such-task").await, ErrorKind::TaskNotFound);
    }
);

both_bindings!(
    history_keeps_every_message_in_order_and_history_length_trims_it,
    conformance_handler().await,
    |client| {
        let task = client
            .send_task(&send(user_message(
                "tck-input-required-1",
                "TCK history message 1",
            )))
            .await;
        let message = user_message("tck-input-required-2", "TCK history message 2").with_task_id(&task.id);
        client.send_task(&send(message)).await;
        let full = client.get_task(&task.id, Some(10)).await.unwrap();
        let user_texts: Vec<String> = full
            .history
            .iter()
            .filter(|m| m.role == a2akit::types::Role::User)
            .map(|m| m.text())
            .collect();
        assert_eq!(user_texts, ["TCK history message 1", "TCK history message 2"]);
        assert_eq!(
            texts(&full).len(),
            4,
            "user and agent messages: {:?}",
            texts(&full)
        );
        assert_eq!(client.get_task(&task.id, Some(1)).await.unwrap().history.len(), 1);
        assert!(
            client
                .get_task(&task.id, Some(0))
                .await
                .unwrap()
                .history
                .is_empty()
        );
        assert_eq!(client.get_task(&task.id, None).await.unwrap().history.len(), 4);
        let zero = SendMessageConfiguration::default().with_history_length(0);
        let sent = client
            .send_task(&send_with(user_message("tck-complete-task-1", "x"), zero))
            .await;
        assert!(sent.history.is_empty());
    }
);

both_bindings!(
    cancel_stops_an_interrupted_task_and_refuses_a_finished_one,
    conformance_handler().await,
    |client| {
        let task = client
            .send_task(&send(user_message("tck-input-required-1", "x")))
            .await;
        let canceled = client.cancel_task(&task.id).await.unwrap();
        assert_eq!(canceled.id, task.id);
        assert_eq!(canceled.status.state, TaskState::Canceled);
        assert_kind(client.cancel_task(&task.id).await, ErrorKind::TaskNotCancelable);
        let done = client
            .send_task(&send(user_message("tck-complete-task-1", "x")))
            .await;
        assert_kind(client.cancel_task(&done.id).await, ErrorKind::TaskNotCancelable);
    }
);

// ---------------------------------------------------------------- list

both_bindings!(
    c09_c10_c11_list_pages_newest_first_with_a_token_and_no_artifacts_by_default,
    conformance_handler().await,
    |client| {
        let context = format!("ctx-{}", uuid::Uuid::new_v4());
        let mut ids = Vec::new();
        for _ in 0..5 {
            let message = user_message("tck-artifact-text-1", "x").with_context_id(&context);
            ids.push(client.send_task(&send(message)).await.id);
            tokio::time::sleep(Duration::from_millis(3)).await;
        }
        ids.reverse(); // newest first
        let mut seen = Vec::new();
        let mut token = String::new();
        loop {
            let request = ListTasksRequest {
                context_id: context.clone(),
                page_size: Some(2),
                page_token: token.clone(),
                ..Default::default()
            };
            let page = client.list_tasks(&request).await.unwrap();
            assert_eq!(page.total_size, 5);
            assert_eq!(page.page_size, 2);
            assert!(
                page.tasks.iter().all(|t| t.artifacts.is_empty()),
                "no artifacts unless asked"
            );
            seen.extend(page.tasks.iter().map(|t| t.id.clone()));
            if page.next_page_token.is_empty() {
                break;
            }
            token = page.next_page_token;
        }
        assert_eq!(seen, ids);
        let with_artifacts = ListTasksRequest {
            context_id: context.clone(),
            include_artifacts: Some(true),
            ..Default::default()
        };
        let page = client.list_tasks(&with_artifacts).await.unwrap();
        assert!(page.tasks.iter().all(|t| t.artifacts.len() == 1));
        let completed = ListTasksRequest {
            context_id: context.clone(),
            status: Some(TaskState::Working),
            ..Default::default()
        };
        assert!(client.list_tasks(&completed).await.unwrap().tasks.is_empty());
    }
);

#[tokio::test]
async fn c10_list_always_writes_next_page_token_and_omits_artifacts_keys() {
    let server = support::start(conformance_handler().await).await;
    let client = Client::new(&server, Binding::Rest);
    client
        .send_task(&send(
            user_message("tck-artifact-text-1", "x").with_context_id("ctx-raw"),
        ))
        .await;
    for (binding, response) in [
        (
            "jsonrpc",
            client
                .http
                .post(format!("{}/", server.base))
                .header("A2A-Version", "1.0")
                .header("Content-Type", "application/json")
                .body(r#"{"jsonrpc":"2.0","id":1,"method":"ListTasks","params":{"contextId":"ctx-raw"}}"#)
                .send()
                .await
                .unwrap(),
        ),
        (
            "rest",
            client
                .http
                .get(format!("{}/tasks?contextId=ctx-raw", server.base))
                .header("A2A-Version", "1.0")
                .send()
                .await
                .unwrap(),
        ),
    ] {
        let mut value: Value = response.json().await.unwrap();
        if binding == "jsonrpc" {
            value = value["result"].take();
        }
        assert_eq!(value["nextPageToken"], "", "{binding}: {value}");
        assert_eq!(value["totalSize"], 1, "{binding}: {value}");
        assert!(value["tasks"][0].get("artifacts").is_none(), "{binding}: {value}");
    }
}

// ---------------------------------------------------------------- ownership and tenants

/// Routes whose callers are named by an `x-user` header, as an authentication layer would.
fn with_callers(handler: RequestHandler) -> axum::Router {
    Routes::new(handler).all("/").layer(axum::middleware::from_fn(
        |mut request: axum::extract::Request, next: axum::middleware::Next| async move {
            if let Some(user) = request.headers().get("x-user").and_then(|v| v.to_str().ok()) {
                let caller = Caller::new(user);
                request.extensions_mut().insert(caller);
            }
            next.run(request).await
        },
    ))
}

#[tokio::test]
async fn c17_c19_c54_tasks_are_visible_to_their_owner_only() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(a2akit::server::serve(
        listener,
        with_callers(conformance_handler().await),
    ));
    let as_user = |user: &str| {
        let mut headers = reqwest::header::HeaderMap::new();
        headers.insert("x-user", user.parse().unwrap());
        reqwest::Client::builder()
            .default_headers(headers)
            .build()
            .unwrap()
    };
    for binding in support::BINDINGS {
        let alice = Client {
            http: as_user("alice"),
            base: base.clone(),
            binding,
            tenant: String::new(),
        };
        let bob = Client {
            http: as_user("bob"),
            base: base.clone(),
            binding,
            tenant: String::new(),
        };
        let task = alice
            .send_task(&send(user_message("tck-input-required-1", "secret")))
            .await;
        assert_eq!(alice.get_task(&task.id, None).await.unwrap().id, task.id);
        assert_kind(bob.get_task(&task.id, None).await, ErrorKind::TaskNotFound);
        assert_kind(bob.cancel_task(&task.id).await, ErrorKind::TaskNotFound);
        assert_kind(bob.subscribe(&task.id).await.map(|_| ()), ErrorKind::TaskNotFound);
        let steal = user_message("tck-complete-task-1", "mine now").with_task_id(&task.id);
        assert_kind(bob.send_message(&send(steal)).await, ErrorKind::TaskNotFound);
        let everything = ListTasksRequest::default();
        assert!(
            bob.list_tasks(&everything)
                .await
                .unwrap()
                .tasks
                .iter()
                .all(|t| t.id != task.id)
        );
        assert!(
            alice
                .list_tasks(&everything)
                .await
                .unwrap()
                .tasks
                .iter()
                .any(|t| t.id == task.id)
        );
    }
}

#[tokio::test]
async fn tenants_are_separate() {
    let server = support::start(conformance_handler().await).await;
    for binding in support::BINDINGS {
        let t1 = Client::new(&server, binding).with_tenant("t1");
        let t2 = Client::new(&server, binding).with_tenant("t2");
        let none = Client::new(&server, binding);
        let task = t1
            .send_task(&send(user_message("tck-complete-task-1", "x")))
            .await;
        assert_eq!(t1.get_task(&task.id, None).await.unwrap().id, task.id);
        assert_kind(t2.get_task(&task.id, None).await, ErrorKind::TaskNotFound);
        assert_kind(none.get_task(&task.id, None).await, ErrorKind::TaskNotFound);
    }
}

// ---------------------------------------------------------------- capabilities

struct Completes;

impl AgentExecutor for Completes {
    async fn execute(&self, _: RequestContext, updater: TaskUpdater) -> Result<(), Error> {
        updater.complete().await
    }
}

fn plain_card() -> a2akit::types::AgentCardBuilder {
    AgentCard::builder().name("plain").description("no capabilities")
}

async fn push_handler() -> RequestHandler {
    let builder = RequestHandler::builder(
        plain_card().push_notifications(true).build(),
        conformance::ConformanceExecutor,
    );
    support::on_test_store(builder).await.build()
}

both_bindings!(
    c12_c13_c14_c15_push_configs_are_stored_listed_and_deleted_idempotently,
    push_handler().await,
    |client| {
        let task = client
            .send_task(&send(user_message("tck-complete-task-1", "x")))
            .await;
        let config = TaskPushNotificationConfig::new("https://example.com/hook")
            .with_task_id(&task.id)
            .with_id("cfg-1");
        let created = client.create_push_config(&config).await.unwrap();
        assert_eq!(created.id, "cfg-1");
        assert_eq!(created.task_id, task.id);
        let minted = client
            .create_push_config(
                &TaskPushNotificationConfig::new("https://example.com/other").with_task_id(&task.id),
            )
            .await
            .unwrap();
        assert!(!minted.id.is_empty(), "the server assigns an id");
        assert_eq!(
            client.get_push_config(&task.id, "cfg-1").await.unwrap().url,
            "https://example.com/hook"
        );
        let listed = client.list_push_configs(&task.id).await.unwrap();
        assert_eq!(listed.configs.len(), 2);
        client.delete_push_config(&task.id, "cfg-1").await.unwrap();
        assert_kind(
            client.get_push_config(&task.id, "cfg-1").await,
            ErrorKind::TaskNotFound,
        );
        client
            .delete_push_config(&task.id, "cfg-1")
            .await
            .expect("deleting again succeeds");
        assert_kind(
            client.delete_push_config("no-such-task", "cfg-1").await,
            ErrorKind::TaskNotFound,
        );
        assert_kind(
            client
                .create_push_config(&config.clone().with_task_id("no-such-task"))
                .await,
            ErrorKind::TaskNotFound,
        );
    }
);

both_bindings!(
    push_configs_aimed_at_the_agents_own_network_are_refused_and_not_stored,
    push_handler().await,
    |client| {
        let task = client
            .send_task(&send(user_message("tck-complete-task-1", "x")))
            .await;
        let hostile = [
            (
                "url",
                TaskPushNotificationConfig::new("http://169.254.169.254/latest/meta-data/"),
            ),
            ("url", TaskPushNotificationConfig::new("http://127.0.0.1:6379/")),
            ("url", TaskPushNotificationConfig::new("http://2130706433/")),
            (
                "url",
                TaskPushNotificationConfig::new("http://[::ffff:10.0.0.1]/"),
            ),
            ("url", TaskPushNotificationConfig::new("http://localhost/hook")),
            ("url", TaskPushNotificationConfig::new("gopher://example.com/")),
            (
                "url",
                TaskPushNotificationConfig::new("https://user:pw@example.com/"),
            ),
            (
                "url",
                TaskPushNotificationConfig::new(format!("https://example.com/{}", "a".repeat(5000))),
            ),
            (
                "token",
                TaskPushNotificationConfig::new("https://example.com/h").with_token("t\r\nX-Injected: 1"),
            ),
        ];
        for (field, config) in hostile {
            let config = config.with_task_id(&task.id);
            let err = client.create_push_config(&config).await.unwrap_err();
            assert_eq!(err.kind(), ErrorKind::InvalidParams, "{}: {err:?}", config.url);
            assert!(err.to_string().contains(field), "{field}: {err}");
        }
        assert!(
            client
                .list_push_configs(&task.id)
                .await
                .unwrap()
                .configs
                .is_empty(),
            "nothing refused was stored"
        );
        // Inline with a message: refused before any task exists.
        let inline = SendMessageConfiguration::default()
            .with_push_notification_config(TaskPushNotificationConfig::new("http://10.0.0.1/h"));
        let err = client
            .send_message(&send_with(user_message("tck-complete-task-2", "x"), inline))
            .await
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidParams);
        assert!(
            err.to_string().contains("taskPushNotificationConfig.url"),
            "{err}"
        );
        let listed = client.list_tasks(&ListTasksRequest::default()).await.unwrap();
        assert_eq!(listed.tasks.len(), 1, "the refused message made no task");
    }
);

both_bindings!(
    the_webhook_allow_list_opens_what_it_names,
    RequestHandler::builder(
        plain_card().push_notifications(true).build(),
        conformance::ConformanceExecutor,
    )
    .webhook_guard(a2akit::server::push::WebhookGuard::new().allow_loopback())
    .build(),
    |client| {
        let task = client
            .send_task(&send(user_message("tck-complete-task-1", "x")))
            .await;
        let local = TaskPushNotificationConfig::new("http://127.0.0.1:9/webhook").with_task_id(&task.id);
        client
            .create_push_config(&local)
            .await
            .expect("loopback is allowed");
        let private = TaskPushNotificationConfig::new("http://192.168.0.1/").with_task_id(&task.id);
        assert_kind(
            client.create_push_config(&private).await,
            ErrorKind::InvalidParams,
        );
    }
);

both_bindings!(
    c21_push_operations_without_the_capability_are_refused_first,
    RequestHandler::builder(plain_card().build(), Completes).build(),
    |client| {
        let config = TaskPushNotificationConfig::new("https://example.com/hook")
            .with_task_id("t")
            .with_id("c");
        assert_kind(
            client.create_push_config(&config).await,
            ErrorKind::PushNotificationNotSupported,
        );
        assert_kind(
            client.get_push_config("t", "c").await,
            ErrorKind::PushNotificationNotSupported,
        );
        assert_kind(
            client.list_push_configs("t").await,
            ErrorKind::PushNotificationNotSupported,
        );
        assert_kind(
            client.delete_push_config("t", "c").await,
            ErrorKind::PushNotificationNotSupported,
        );
        let inline = SendMessageConfiguration::default()
            .with_push_notification_config(TaskPushNotificationConfig::new("https://example.com/h"));
        assert_kind(
            client
                .send_message(&send_with(user_message("tck-complete-task-1", "x"), inline))
                .await,
            ErrorKind::PushNotificationNotSupported,
        );
    }
);

both_bindings!(
    c22_streaming_without_the_capability_is_unsupported,
    RequestHandler::builder(plain_card().build(), Completes).build(),
    |client| {
        assert_kind(
            client
                .stream_message(&send(user_message("m", "x")))
                .await
                .map(|_| ()),
            ErrorKind::UnsupportedOperation,
        );
        let task = client.send_task(&send(user_message("m", "x"))).await;
        assert_kind(
            client.subscribe(&task.id).await.map(|_| ()),
            ErrorKind::UnsupportedOperation,
        );
    }
);

both_bindings!(
    c23_extended_card_off_is_unsupported,
    RequestHandler::builder(plain_card().build(), Completes).build(),
    |client| {
        assert_kind(
            client.get_extended_agent_card().await,
            ErrorKind::UnsupportedOperation,
        );
    }
);

both_bindings!(
    c23_extended_card_declared_but_missing_is_not_configured,
    RequestHandler::builder(plain_card().extended_agent_card(true).build(), Completes).build(),
    |client| {
        assert_kind(
            client.get_extended_agent_card().await,
            ErrorKind::ExtendedAgentCardNotConfigured,
        );
    }
);

both_bindings!(
    c23_extended_card_is_served,
    RequestHandler::builder(plain_card().extended_agent_card(true).build(), Completes)
        .extended_card(plain_card().name("extended").build())
        .build(),
    |client| {
        assert_eq!(client.get_extended_agent_card().await.unwrap().name, "extended");
    }
);

/// Answers with the extensions the client activated.
struct ReportsExtensions;

impl AgentExecutor for ReportsExtensions {
    async fn execute(&self, context: RequestContext, updater: TaskUpdater) -> Result<(), Error> {
        let listed = context.call.extensions.join(",");
        updater.complete_with(updater.message(listed)).await
    }
}

#[tokio::test]
async fn c24_c50_required_extensions_are_enforced_and_the_header_is_read() {
    let card = plain_card()
        .extension(AgentExtension::new("urn:ext:required").required(true))
        .build();
    let server = support::start(RequestHandler::builder(card, ReportsExtensions).build()).await;
    let body = r#"{"message":{"messageId":"m","role":"ROLE_USER","parts":[{"text":"x"}]}}"#;
    let http = reqwest::Client::new();
    let post = |extensions: Option<&'static str>| {
        let mut request = http
            .post(format!("{}/message:send", server.base))
            .header("A2A-Version", "1.0")
            .header("Content-Type", "application/json")
            .body(body);
        if let Some(extensions) = extensions {
            request = request.header("A2A-Extensions", extensions);
        }
        request.send()
    };
    let refused = post(None).await.unwrap();
    assert_eq!(refused.status(), 400);
    let refused: Value = refused.json().await.unwrap();
    assert_eq!(
        refused["error"]["details"][0]["reason"],
        "EXTENSION_SUPPORT_REQUIRED"
    );
    let accepted: Value = post(Some("urn:ext:other, urn:ext:required"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        accepted["task"]["status"]["message"]["parts"][0]["text"],
        "urn:ext:other,urn:ext:required"
    );
}

// ---------------------------------------------------------------- versions, wire format, errors

#[tokio::test]
async fn c34_c35_c36_versions_are_negotiated() {
    let server = support::start(conformance_handler().await).await;
    let http = reqwest::Client::new();
    let body = r#"{"jsonrpc":"2.0","id":"v","method":"GetTask","params":{"id":"nope"}}"#;
    for (version, code) in [
        (Some("1.0"), -32001),
        (Some("1.0.7"), -32001),
        (Some("1.3"), -32001),
        (Some("99.0"), -32009),
        (Some("0.3"), -32009),
        (Some(""), -32009),
        (None, -32009),
    ] {
        let mut request = http
            .post(format!("{}/", server.base))
            .header("Content-Type", "application/json")
            .body(body);
        if let Some(version) = version {
            request = request.header("A2A-Version", version);
        }
        let value: Value = request.send().await.unwrap().json().await.unwrap();
        assert_eq!(value["error"]["code"], code, "{version:?}: {value}");
        let mut rest = http.get(format!("{}/tasks/nope", server.base));
        if let Some(version) = version {
            rest = rest.header("A2A-Version", version);
        }
        let status = rest.send().await.unwrap().status();
        assert_eq!(status, if code == -32009 { 400 } else { 404 }, "{version:?}");
    }
    // The query parameter form is honoured too.
    let status = http
        .get(format!("{}/tasks/nope?A2A-Version=1.0", server.base))
        .send()
        .await
        .unwrap()
        .status();
    assert_eq!(status, 404);
}

#[tokio::test]
async fn c20_c41_c52_errors_carry_their_codes_and_typed_details() {
    let server = support::start(conformance_handler().await).await;
    let http = reqwest::Client::new();
    let value: Value = http
        .post(format!("{}/", server.base))
        .header("A2A-Version", "1.0")
        .header("Content-Type", "application/json")
        .body(r#"{"jsonrpc":"2.0","id":3,"method":"GetTask","params":{"id":"nope"}}"#)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(value["error"]["code"], -32001);
    let data = value["error"]["data"].as_array().unwrap();
    assert!(data.iter().all(|d| d["@type"].is_string()));
    assert_eq!(data[0]["reason"], "TASK_NOT_FOUND");
    assert_eq!(data[0]["domain"], "a2a-protocol.org");
    let response = http
        .get(format!("{}/tasks/nope", server.base))
        .header("A2A-Version", "1.0")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 404);
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/json")
    );
    let value: Value = response.json().await.unwrap();
    assert_eq!(value["error"]["code"], 404);
    assert_eq!(value["error"]["status"], "NOT_FOUND");
    assert_eq!(
        value["error"]["details"][0]["@type"],
        "type.googleapis.com/google.rpc.ErrorInfo"
    );
    assert_eq!(value["error"]["details"][0]["reason"], "TASK_NOT_FOUND");
}

#[tokio::test]
async fn c42_c43_c53_wire_format_is_camel_case_with_utc_timestamps() {
    let server = support::start(conformance_handler().await).await;
    let http = reqwest::Client::new();
    let value: Value = http
        .post(format!("{}/message:send", server.base))
        .header("A2A-Version", "1.0")
        .header("Content-Type", "application/json")
        .body(r#"{"message":{"message_id":"tck-complete-task-1","role":"ROLE_USER","parts":[{"text":"x"}]}}"#)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let text = value.to_string();
    assert!(!text.contains("_id") && !text.contains("context_id"), "{text}");
    assert_eq!(value["task"]["status"]["state"], "TASK_STATE_COMPLETED");
    let timestamp = value["task"]["status"]["timestamp"].as_str().unwrap();
    assert!(
        timestamp.ends_with('Z') && timestamp.len() <= "2026-01-01T00:00:00.000000000Z".len(),
        "{timestamp}"
    );
    // GET parameters in camelCase and snake_case, URL-decoded.
    let id = value["task"]["id"].as_str().unwrap();
    for query in ["historyLength=0", "history_length=0"] {
        let task: Value = http
            .get(format!("{}/tasks/{id}?{query}", server.base))
            .header("A2A-Version", "1.0")
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert!(task.get("history").is_none(), "{query}: {task}");
    }
}

#[tokio::test]
async fn c47_agent_card_is_served_with_caching_headers() {
    let server = support::start(conformance_handler().await).await;
    let http = reqwest::Client::new();
    let url = format!("{}/.well-known/agent-card.json", server.base);
    let response = http.get(&url).send().await.unwrap();
    assert_eq!(response.status(), 200);
    let headers = response.headers().clone();
    assert!(headers["cache-control"].to_str().unwrap().contains("max-age="));
    let etag = headers["etag"].to_str().unwrap().to_owned();
    let modified = headers["last-modified"].to_str().unwrap().to_owned();
    let card: AgentCard = response.json().await.unwrap();
    let of_version = |version: &str| {
        card.supported_interfaces
            .iter()
            .filter(|interface| interface.protocol_version == version)
            .count()
    };
    assert_eq!(of_version("1.0"), if cfg!(feature = "grpc") { 3 } else { 2 });
    // Every binding is served to v0.3 clients too.
    assert_eq!(of_version("0.3"), of_version("1.0"));
    let again = http
        .get(&url)
        .header("If-None-Match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 304);
    let again = http
        .get(&url)
        .header("If-Modified-Since", &modified)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 304);
    let changed = http
        .get(&url)
        .header("If-None-Match", "\"other\"")
        .send()
        .await
        .unwrap();
    assert_eq!(changed.status(), 200);
}

// ---------------------------------------------------------------- the conformance agent's behaviours

both_bindings!(
    agent_complete_task_answers_hello,
    conformance_handler().await,
    |client| {
        let task = client
            .send_task(&send(user_message("tck-complete-task-1a2b3c4d-http_json", "x")))
            .await;
        assert_eq!(task.status.state, TaskState::Completed);
        let message = task.status.message.as_ref().unwrap();
        assert_eq!(message.role, a2akit::types::Role::Agent);
        assert_eq!(message.text(), "Hello from TCK");
    }
);

both_bindings!(
    agent_input_required_stays_input_required_on_follow_up,
    conformance_handler().await,
    |client| {
        let task = client
            .send_task(&send(user_message("tck-input-required-1", "x")))
            .await;
        assert_eq!(task.status.state, TaskState::InputRequired);
        let again = client
            .send_task(&send(
                user_message("tck-input-required-1", "y").with_task_id(&task.id),
            ))
            .await;
        assert_eq!(again.status.state, TaskState::InputRequired);
        let done = client
            .send_task(&send(
                user_message("tck-complete-task-1", "z").with_task_id(&task.id),
            ))
            .await;
        assert_eq!(done.status.state, TaskState::Completed);
    }
);

both_bindings!(
    agent_message_response_creates_no_task,
    conformance_handler().await,
    |client| {
        let SendMessageResponse::Message(message) = client
            .send_message(&send(user_message("tck-message-response-1", "x")))
            .await
            .unwrap()
        else {
            panic!("expected a message")
        };
        assert_eq!(message.text(), "Direct message response");
        assert!(
            client
                .list_tasks(&ListTasksRequest::default())
                .await
                .unwrap()
                .tasks
                .is_empty()
        );
    }
);

both_bindings!(
    agent_artifacts_of_every_kind,
    conformance_handler().await,
    |client| {
        let file = client
            .send_task(&send(user_message("tck-artifact-file-1", "x")))
            .await;
        let part = &file.artifacts[0].parts[0];
        assert_eq!(part.content, PartContent::Raw(b"tck".to_vec()));
        assert_eq!(
            (part.filename.as_str(), part.media_type.as_str()),
            ("output.txt", "text/plain")
        );
        let url = client
            .send_task(&send(user_message("tck-artifact-file-url-1", "x")))
            .await;
        assert_eq!(
            url.artifacts[0].parts[0].content,
            PartContent::Url("https://example.com/output.txt".into())
        );
        let data = client
            .send_task(&send(user_message("tck-artifact-data-1", "x")))
            .await;
        assert_eq!(
            data.artifacts[0].parts[0].content,
            PartContent::Data(json!({"key": "value", "count": 42}))
        );
        assert!(!data.artifacts[0].artifact_id.is_empty());
    }
);

both_bindings!(agent_streaming_scenarios, conformance_handler().await, |client| {
    for (prefix, text) in [
        ("tck-stream-003", Some("Stream task lifecycle")),
        ("tck-stream-ordering-001", Some("Ordered output")),
        ("tck-stream-artifact-text", Some("Streamed text content")),
        ("tck-stream-artifact-file", None),
        ("tck-stream-002", None),
    ] {
        let events = client
            .stream_all(&send(user_message(&format!("{prefix}-x"), "go")))
            .await
            .unwrap();
        assert!(matches!(events[0], StreamResponse::Task(_)), "{prefix}");
        assert_eq!(last_state(&events), Some(TaskState::Completed), "{prefix}");
        let artifact_text = events.iter().find_map(|e| match e {
            StreamResponse::ArtifactUpdate(u) => Some(u.artifact.parts[0].clone()),
            _ => None,
        });
        match text {
            Some(text) => assert_eq!(
                artifact_text
                    .and_then(|p| p.as_text().map(str::to_owned))
                    .as_deref(),
                Some(text)
            ),
            None if prefix == "tck-stream-002" => assert!(artifact_text.is_none()),
            None => assert_eq!(artifact_text.unwrap().content, PartContent::Raw(b"tck".to_vec())),
        }
    }
});

both_bindings!(
    agent_chunked_artifact_is_merged_in_the_stored_task,
    conformance_handler().await,
    |client| {
        let events = client
            .stream_all(&send(user_message("tck-stream-artifact-chunked-1", "go")))
            .await
            .unwrap();
        let chunks: Vec<(bool, bool)> = events
            .iter()
            .filter_map(|e| match e {
                StreamResponse::ArtifactUpdate(u) => Some((u.append, u.last_chunk)),
                _ => None,
            })
            .collect();
        assert_eq!(chunks, [(false, false), (true, true)]);
        let task_id = match &events[0] {
            StreamResponse::Task(task) => task.id.clone(),
            other => panic!("{other:?}"),
        };
        let stored = client.get_task(&task_id, None).await.unwrap();
        assert_eq!(stored.artifacts.len(), 1);
        let parts: Vec<_> = stored.artifacts[0]
            .parts
            .iter()
            .map(|p| p.as_text().unwrap().to_owned())
            .collect();
        assert_eq!(parts, ["chunk-1 ", "chunk-2"]);
    }
);

both_bindings!(
    agent_error_before_any_event_is_the_callers_error,
    conformance_handler().await,
    |client| {
        let err = assert_kind(
            client
                .send_message(&send(user_message("tck-reject-task-1", "x")))
                .await,
            ErrorKind::Internal,
        );
        assert_eq!(err.message(), "rejected");
        let after = client
            .send_task(&send(user_message("tck-complete-task-1", "x")))
            .await;
        assert_eq!(
            after.status.state,
            TaskState::Completed,
            "the server keeps serving"
        );
    }
);

both_bindings!(
    agent_unknown_prefix_completes,
    conformance_handler().await,
    |client| {
        let task = client
            .send_task(&send(user_message("tck-something-else-1", "x")))
            .await;
        assert_eq!(task.status.state, TaskState::Completed);
    }
);

/// Reports a part the test sends back as an artifact, to check parts survive the trip.
struct Mirror;

impl AgentExecutor for Mirror {
    async fn execute(&self, context: RequestContext, updater: TaskUpdater) -> Result<(), Error> {
        updater
            .add_artifact(Artifact::new("mirror", context.message.parts.clone()))
            .await?;
        updater.complete().await
    }
}

both_bindings!(
    parts_of_every_kind_survive_the_round_trip,
    RequestHandler::builder(plain_card().build(), Mirror).build(),
    |client| {
        let message = user_message("m", "text")
            .with_part(Part::raw(vec![0, 159, 146, 150]).with_filename("b.bin"))
            .with_part(Part::url("https://example.com/a.pdf").with_media_type("application/pdf"))
            .with_part(Part::data(json!([1, {"nested": null}, 2.5])))
            .with_part(Part::data(Value::Null));
        let task = client.send_task(&send(message.clone())).await;
        assert_eq!(task.artifacts[0].parts, message.parts);
    }
);

#[tokio::test]
async fn subscribe_over_http_json_accepts_get_too_and_idle_streams_keep_alive() {
    let routes = Routes::new(conformance_handler().await).keep_alive(Duration::from_millis(100));
    let server = support::start_routes(routes).await;
    let client = Client::new(&server, Binding::Rest);
    let task = client
        .send_task(&send(user_message("tck-input-required-1", "x")))
        .await;
    let mut response = client
        .http
        .get(format!("{}/tasks/{}:subscribe", server.base, task.id))
        .header("A2A-Version", "1.0")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/event-stream")
    );
    let mut seen = String::new();
    while !seen.contains(": keep-alive") {
        let chunk = tokio::time::timeout(Duration::from_secs(5), response.chunk())
            .await
            .unwrap()
            .unwrap()
            .unwrap();
        seen.push_str(std::str::from_utf8(&chunk).unwrap());
    }
    let first = seen.split("\n\n").next().unwrap();
    let (id, data) = first.split_once('\n').unwrap();
    assert!(id.strip_prefix("id: ").unwrap().parse::<u64>().is_ok(), "{first}");
    let snapshot: Value = serde_json::from_str(data.strip_prefix("data: ").unwrap()).unwrap();
    assert_eq!(snapshot["task"]["id"], task.id.as_str());
    assert!(
        !first.contains('\r') && first.lines().count() == 2,
        "an id line and one line of JSON per event"
    );
}

/// Needs credentials before it can go on.
struct NeedsAuth;

impl AgentExecutor for NeedsAuth {
    async fn execute(&self, _: RequestContext, updater: TaskUpdater) -> Result<(), Error> {
        updater.start_work().await?;
        updater
            .require_auth(updater.message("Sign in at https://example.com/login, then continue"))
            .await
    }
}

both_bindings!(
    c45_auth_required_is_a_task_with_an_explanation,
    RequestHandler::builder(plain_card().streaming(true).build(), NeedsAuth).build(),
    |client| {
        let task = client.send_task(&send(user_message("m", "x"))).await;
        assert_eq!(task.status.state, TaskState::AuthRequired);
        assert!(task.status.message.as_ref().unwrap().text().contains("Sign in"));
        let events = client.stream_all(&send(user_message("m", "x"))).await.unwrap();
        assert_eq!(last_state(&events), Some(TaskState::AuthRequired));
    }
);

both_bindings!(
    c02_a_streamed_follow_up_to_an_interrupted_task_streams_the_whole_run,
    conformance_handler().await,
    |client| {
        let task = client
            .send_task(&send(user_message("tck-input-required-1", "first")))
            .await;
        let follow_up = user_message("tck-stream-003-x", "go on").with_task_id(&task.id);
        let events = client.stream_all(&send(follow_up)).await.unwrap();
        assert!(
            matches!(&events[0], StreamResponse::Task(t) if t.status.state == TaskState::InputRequired),
            "{events:?}"
        );
        assert!(
            events
                .iter()
                .any(|e| matches!(e, StreamResponse::ArtifactUpdate(_))),
            "{events:?}"
        );
        assert_eq!(last_state(&events), Some(TaskState::Completed), "{events:?}");
    }
);

/// Starts work, returns, and finishes later from a task of its own.
struct FinishesLater;

impl AgentExecutor for FinishesLater {
    async fn execute(&self, _: RequestContext, updater: TaskUpdater) -> Result<(), Error> {
        updater.start_work().await?;
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(300)).await;
            updater.complete().await.expect("the task is still live");
        });
        Ok(())
    }
}

both_bindings!(
    events_sent_after_execute_returned_reach_subscribers,
    RequestHandler::builder(plain_card().streaming(true).build(), FinishesLater).build(),
    |client| {
        let config = SendMessageConfiguration::default().with_return_immediately(true);
        let task = client.send_task(&send_with(user_message("m", "x"), config)).await;
        let events = collect(client.subscribe(&task.id).await.unwrap()).await.unwrap();
        assert_eq!(last_state(&events), Some(TaskState::Completed), "{events:?}");
    }
);

/// Refuses every cancel.
struct Stubborn;

impl AgentExecutor for Stubborn {
    async fn execute(&self, _: RequestContext, updater: TaskUpdater) -> Result<(), Error> {
        updater.require_input(updater.message("still thinking")).await
    }

    async fn cancel(&self, context: CancelContext, _: TaskUpdater) -> Result<(), Error> {
        Err(Error::task_not_cancelable(
            &context.task.id,
            "it is past the point of no return",
        ))
    }
}

both_bindings!(
    an_agent_can_refuse_a_cancel,
    RequestHandler::builder(plain_card().build(), Stubborn).build(),
    |client| {
        let task = client.send_task(&send(user_message("m", "x"))).await;
        assert_kind(client.cancel_task(&task.id).await, ErrorKind::TaskNotCancelable);
        let after = client.get_task(&task.id, None).await.unwrap();
        assert_eq!(after.status.state, TaskState::InputRequired);
    }
);
