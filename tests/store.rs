//! The in-memory task store: its bounds (capacity and TTL), its optimistic
//! concurrency, and its paging; and that the bound holds under sustained load
//! through the server.

mod support;

use std::sync::Arc;
use std::time::Duration;

use a2akit::Error;
use a2akit::server::store::{StoreError, TaskKey, TaskQuery, TaskStore};
use a2akit::server::{AgentExecutor, InMemoryTaskStore, RequestContext, RequestHandler, TaskUpdater};
use a2akit::types::{AgentCard, Message, Task, TaskState, TaskStatus};
use support::{Binding, Client, send, user_message};

fn task(id: &str, state: TaskState) -> Task {
    Task::new(id, "ctx", TaskStatus::new(state)).with_history([Message::user("hello")])
}

fn query(page_size: usize, page_token: Option<String>) -> TaskQuery {
    TaskQuery {
        tenant: String::new(),
        owner: String::new(),
        context_id: None,
        status: None,
        status_timestamp_after: None,
        page_size,
        page_token,
    }
}

#[tokio::test]
async fn a_full_store_evicts_the_oldest_finished_tasks() {
    let store = InMemoryTaskStore::new().with_capacity(10);
    for i in 0..25 {
        let key = TaskKey::new("", format!("t{i}"));
        store
            .create(&key, "", &task(&key.id, TaskState::Completed))
            .await
            .unwrap();
        assert!(store.len() <= 10);
    }
    assert_eq!(store.len(), 10);
    assert!(
        store.get(&TaskKey::new("", "t0")).await.unwrap().is_none(),
        "the oldest went first"
    );
    assert!(store.get(&TaskKey::new("", "t24")).await.unwrap().is_some());
}

#[tokio::test]
async fn a_store_full_of_unfinished_tasks_refuses_new_ones() {
    let store = InMemoryTaskStore::new().with_capacity(3);
    for i in 0..3 {
        store
            .create(
                &TaskKey::new("", format!("w{i}")),
                "",
                &task("w", TaskState::Working),
            )
            .await
            .unwrap();
    }
    let refused = store
        .create(&TaskKey::new("", "w3"), "", &task("w3", TaskState::Working))
        .await;
    assert_eq!(refused, Err(StoreError::Full(3)));
    // A task that finishes becomes evictable.
    let key = TaskKey::new("", "w0");
    let stored = store.get(&key).await.unwrap().unwrap();
    store
        .update(&key, &task("w0", TaskState::Completed), stored.version)
        .await
        .unwrap();
    store
        .create(&TaskKey::new("", "w3"), "", &task("w3", TaskState::Working))
        .await
        .unwrap();
    assert!(store.get(&key).await.unwrap().is_none());
}

#[tokio::test]
async fn finished_tasks_expire_after_their_ttl() {
    let store = InMemoryTaskStore::new().with_terminal_ttl(Duration::from_millis(50));
    store
        .create(&TaskKey::new("", "old"), "", &task("old", TaskState::Completed))
        .await
        .unwrap();
    store
        .create(
            &TaskKey::new("", "live"),
            "",
            &task("live", TaskState::InputRequired),
        )
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(80)).await;
    store
        .create(&TaskKey::new("", "new"), "", &task("new", TaskState::Completed))
        .await
        .unwrap();
    assert!(store.get(&TaskKey::new("", "old")).await.unwrap().is_none());
    assert!(
        store.get(&TaskKey::new("", "live")).await.unwrap().is_some(),
        "unfinished tasks never expire"
    );
    assert!(store.get(&TaskKey::new("", "new")).await.unwrap().is_some());
}

#[tokio::test]
async fn writes_at_a_stale_version_conflict() {
    let store = InMemoryTaskStore::new();
    let key = TaskKey::new("tenant", "t");
    let v1 = store
        .create(&key, "", &task("t", TaskState::Working))
        .await
        .unwrap();
    let v2 = store
        .update(&key, &task("t", TaskState::Completed), v1)
        .await
        .unwrap();
    assert_ne!(v1, v2);
    let stale = store.update(&key, &task("t", TaskState::Failed), v1).await;
    assert!(matches!(stale, Err(StoreError::Conflict { .. })), "{stale:?}");
    assert!(matches!(
        store.create(&key, "", &task("t", TaskState::Working)).await,
        Err(StoreError::AlreadyExists(_))
    ));
    assert!(
        store.get(&TaskKey::new("", "t")).await.unwrap().is_none(),
        "tenants are separate"
    );
}

#[tokio::test]
async fn pages_cover_every_task_once_even_with_equal_timestamps() {
    let store = InMemoryTaskStore::new();
    let at = TaskStatus::new(TaskState::Completed);
    for i in 0..7 {
        let id = format!("t{i}");
        let task = Task::new(&id, "ctx", at.clone());
        store.create(&TaskKey::new("", &id), "", &task).await.unwrap();
    }
    let mut seen = Vec::new();
    let mut token = None;
    loop {
        let page = store.list(&query(3, token.clone())).await.unwrap();
        assert_eq!(page.total_size, 7);
        seen.extend(page.tasks.into_iter().map(|t| t.id));
        if page.next_page_token.is_empty() {
            break;
        }
        token = Some(page.next_page_token);
    }
    let mut sorted = seen.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(sorted.len(), 7, "{seen:?}");
    let bad: Result<_, Error> = store.list(&query(3, Some("garbage!".into()))).await;
    assert_eq!(bad.unwrap_err().kind(), a2akit::ErrorKind::InvalidParams);
}

struct Completes;

impl AgentExecutor for Completes {
    async fn execute(&self, _: RequestContext, updater: TaskUpdater) -> Result<(), Error> {
        updater.complete().await
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_capacity_bound_holds_under_sustained_load() {
    let store = Arc::new(InMemoryTaskStore::new().with_capacity(50));
    let card = AgentCard::builder()
        .name("bounded")
        .description("bounded")
        .build();
    let handler = RequestHandler::builder(card, Completes)
        .task_store(Arc::clone(&store))
        .build();
    let server = support::start(handler.clone()).await;
    let client = Client::new(&server, Binding::Rest);
    let mut rounds = Vec::new();
    for round in 0..10 {
        let client = client.clone();
        rounds.push(tokio::spawn(async move {
            for i in 0..50 {
                let task = client
                    .send_task(&send(user_message(&format!("m-{round}-{i}"), "x")))
                    .await;
                assert_eq!(task.status.state, TaskState::Completed);
            }
        }));
    }
    for round in rounds {
        round.await.unwrap();
    }
    assert_eq!(store.len(), 50, "500 tasks went through a store of 50");
    // Nothing stays in memory for finished tasks nobody follows.
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    while handler.live_tasks() > 0 && std::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(handler.live_tasks(), 0);
}
