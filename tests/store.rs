//! The in-memory task store: the store contract (`tests/store_contract/`),
//! then what only it promises: its bounds in size, per caller, in time and in
//! log length, push configs dropped with their task, and its error type.

mod store_contract;

use std::error::Error as _;
use std::time::Duration;

use a2akit::server::store::{StoreError, StoreErrorKind, TaskKey, TaskView};
use a2akit::server::{InMemoryTaskStore, PushConfigStore, TaskStore};
use a2akit::types::{Artifact, TaskState};
use store_contract::{TENANT, key, kind_of, push_config, status_event, task, task_in};

// ---------------------------------------------------------------------------
// The contract: one test per rule.
// ---------------------------------------------------------------------------

store_contract::contract_tests!(InMemoryTaskStore::new());

#[tokio::test]
async fn the_whole_contract_runs_in_one_go() {
    store_contract::run_all(|| async { InMemoryTaskStore::new() }).await;
}

// ---------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------

/// Creates task `id` of owner "" in `TENANT`, in `state`.
async fn create(store: &InMemoryTaskStore, id: &str, state: TaskState) {
    store
        .create(&key(id), "", &task_in(id, "ctx", state, 0))
        .await
        .unwrap_or_else(|err| panic!("create {id}: {err}"));
}

/// Moves task `id` (at sequence `at`) to `state`.
async fn set_state(store: &InMemoryTaskStore, id: &str, at: u64, state: TaskState) -> u64 {
    store
        .append(&key(id), at, &[status_event(id, state, 1)])
        .await
        .unwrap()
}

async fn exists(store: &InMemoryTaskStore, id: &str) -> bool {
    TaskStore::get(store, &key(id), TaskView::FULL)
        .await
        .unwrap()
        .is_some()
}

// ---------------------------------------------------------------------------
// Capacity
// ---------------------------------------------------------------------------

#[tokio::test]
async fn capacity_evicts_the_task_that_finished_first() {
    let store = InMemoryTaskStore::new().with_capacity(3);
    create(&store, "a", TaskState::Working).await;
    create(&store, "b", TaskState::Working).await;
    create(&store, "c", TaskState::Working).await;
    // b ends before a, though a was created first.
    set_state(&store, "b", 1, TaskState::Completed).await;
    set_state(&store, "a", 1, TaskState::Failed).await;

    create(&store, "d", TaskState::Working).await;
    assert_eq!(store.len(), 3);
    assert!(!exists(&store, "b").await, "the first to finish goes first");
    assert!(exists(&store, "a").await);

    create(&store, "e", TaskState::Working).await;
    assert!(!exists(&store, "a").await);
    for id in ["c", "d", "e"] {
        assert!(exists(&store, id).await, "unfinished {id} stays");
    }
}

#[tokio::test]
async fn a_store_full_of_unfinished_tasks_refuses_with_capacity() {
    let store = InMemoryTaskStore::new().with_capacity(2);
    create(&store, "a", TaskState::Working).await;
    create(&store, "b", TaskState::InputRequired).await;
    let refused = store
        .create(&key("c"), "", &task_in("c", "ctx", TaskState::Submitted, 0))
        .await;
    assert_eq!(kind_of(refused), StoreErrorKind::Capacity);
    assert_eq!(store.len(), 2);
    assert!(exists(&store, "a").await && exists(&store, "b").await);
    // Once one finishes, it makes room.
    set_state(&store, "a", 1, TaskState::Completed).await;
    create(&store, "c", TaskState::Submitted).await;
    assert!(!exists(&store, "a").await);
}

// ---------------------------------------------------------------------------
// Per-owner share
// ---------------------------------------------------------------------------

#[tokio::test]
async fn the_owner_limit_refuses_a_caller_over_its_share_only() {
    let store = InMemoryTaskStore::new().with_owner_limit(2);
    let new = |id: &str| task_in(id, "ctx", TaskState::Working, 0);
    store.create(&key("a1"), "alice", &new("a1")).await.unwrap();
    store.create(&key("a2"), "alice", &new("a2")).await.unwrap();

    let over = store.create(&key("a3"), "alice", &new("a3")).await;
    assert_eq!(kind_of(over), StoreErrorKind::Capacity);

    // Another owner, and the same owner in another tenant, still get in.
    store.create(&key("b1"), "bob", &new("b1")).await.unwrap();
    store
        .create(&TaskKey::new("elsewhere", "a3"), "alice", &new("a3"))
        .await
        .unwrap();
    // A finished task does not count against the share.
    store
        .create(
            &key("done"),
            "alice",
            &task_in("done", "ctx", TaskState::Completed, 0),
        )
        .await
        .unwrap();

    // Finishing one frees a slot.
    set_state(&store, "a1", 1, TaskState::Completed).await;
    store.create(&key("a3"), "alice", &new("a3")).await.unwrap();
    assert_eq!(
        kind_of(store.create(&key("a4"), "alice", &new("a4")).await),
        StoreErrorKind::Capacity
    );
}

// ---------------------------------------------------------------------------
// Time to live
// ---------------------------------------------------------------------------

#[tokio::test]
async fn finished_tasks_expire_after_the_terminal_ttl() {
    let store = InMemoryTaskStore::new().with_terminal_ttl(Duration::from_millis(50));
    create(&store, "old", TaskState::Completed).await;
    create(&store, "ended", TaskState::Working).await;
    set_state(&store, "ended", 1, TaskState::Canceled).await;
    create(&store, "live", TaskState::Working).await;
    tokio::time::sleep(Duration::from_millis(80)).await;
    create(&store, "new", TaskState::Completed).await;
    assert!(!exists(&store, "old").await);
    assert!(!exists(&store, "ended").await);
    assert!(exists(&store, "live").await, "unfinished tasks do not expire");
    assert!(exists(&store, "new").await);
    assert_eq!(store.len(), 2);
}

#[tokio::test]
async fn an_unanswered_interrupted_task_expires_after_the_interrupted_ttl() {
    let store = InMemoryTaskStore::new().with_interrupted_ttl(Duration::from_millis(50));
    create(&store, "waiting", TaskState::Working).await;
    set_state(&store, "waiting", 1, TaskState::InputRequired).await;
    create(&store, "answered", TaskState::Working).await;
    let seq = set_state(&store, "answered", 1, TaskState::InputRequired).await;
    set_state(&store, "answered", seq, TaskState::Working).await;
    tokio::time::sleep(Duration::from_millis(80)).await;
    create(&store, "next", TaskState::Working).await;
    assert!(!exists(&store, "waiting").await);
    assert!(exists(&store, "answered").await, "a task that moved on stays");
}

#[tokio::test]
async fn a_change_restarts_the_interrupted_ttl() {
    let store = InMemoryTaskStore::new().with_interrupted_ttl(Duration::from_millis(400));
    create(&store, "t", TaskState::InputRequired).await;
    tokio::time::sleep(Duration::from_millis(250)).await;
    // Still waiting, but it changed: its clock starts again.
    store
        .append(
            &key("t"),
            1,
            &[store_contract::artifact_event(
                "t",
                Artifact::text("a", "x"),
                false,
            )],
        )
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(250)).await;
    create(&store, "sweep", TaskState::Working).await;
    assert!(exists(&store, "t").await, "changed 250ms ago, TTL 400ms");
    tokio::time::sleep(Duration::from_millis(250)).await;
    create(&store, "sweep2", TaskState::Working).await;
    assert!(!exists(&store, "t").await, "unchanged for 500ms, TTL 400ms");
}

// ---------------------------------------------------------------------------
// Event logs
// ---------------------------------------------------------------------------

#[tokio::test]
async fn a_finished_task_drops_its_log_after_the_retention() {
    let store = InMemoryTaskStore::new().with_event_log(Duration::from_millis(200), 100);
    create(&store, "t", TaskState::Working).await;
    let last = set_state(&store, "t", 1, TaskState::Completed).await;
    create(&store, "sweep", TaskState::Working).await;
    assert_eq!(
        store.events_after(&key("t"), 0).await.unwrap().map(|l| l.len()),
        Some(2),
        "kept within the retention"
    );
    tokio::time::sleep(Duration::from_millis(250)).await;
    create(&store, "sweep2", TaskState::Working).await;
    assert_eq!(store.events_after(&key("t"), 0).await.unwrap(), None);
    assert_eq!(
        store.events_after(&key("t"), last).await.unwrap(),
        Some(Vec::new())
    );
    let stored = TaskStore::get(&store, &key("t"), TaskView::FULL)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.task.status.state, TaskState::Completed);
    assert_eq!(stored.sequence, last);
    // An unfinished task keeps its log.
    assert!(store.events_after(&key("sweep"), 0).await.unwrap().is_some());
}

#[tokio::test]
async fn a_log_keeps_only_its_newest_events() {
    let store = InMemoryTaskStore::new().with_event_log(Duration::from_secs(60), 3);
    create(&store, "t", TaskState::Working).await;
    let mut seq = 1;
    while seq < 10 {
        seq = store
            .append(
                &key("t"),
                seq,
                &[store_contract::artifact_event(
                    "t",
                    Artifact::text("a", "x"),
                    true,
                )],
            )
            .await
            .unwrap();
    }
    assert_eq!(seq, 10);
    assert_eq!(store.events_after(&key("t"), 0).await.unwrap(), None);
    assert_eq!(store.events_after(&key("t"), 6).await.unwrap(), None);
    let last_two = store
        .events_after(&key("t"), seq - 2)
        .await
        .unwrap()
        .expect("kept");
    let sequences: Vec<u64> = last_two.iter().map(|e| e.sequence).collect();
    assert_eq!(sequences, [9, 10]);
    let last_three = store
        .events_after(&key("t"), seq - 3)
        .await
        .unwrap()
        .expect("kept");
    assert_eq!(last_three.len(), 3);
    // The snapshot has every event.
    let stored = TaskStore::get(&store, &key("t"), TaskView::FULL)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.task.artifacts[0].parts.len(), 9);
}

#[tokio::test]
async fn a_reused_id_keeps_its_log_after_an_evicted_namesake_ends() {
    // The first "t" ends, then is evicted for capacity before its log's
    // retention passes; a new "t" is created. When the old log's retention
    // passes, the new (unfinished) task must keep its log.
    let store = InMemoryTaskStore::new()
        .with_capacity(2)
        .with_event_log(Duration::from_millis(100), 100);
    create(&store, "t", TaskState::Working).await;
    set_state(&store, "t", 1, TaskState::Completed).await;
    create(&store, "a", TaskState::Working).await;
    create(&store, "b", TaskState::Working).await; // evicts the first "t"
    assert!(!exists(&store, "t").await);
    set_state(&store, "a", 1, TaskState::Completed).await;
    create(&store, "t", TaskState::Working).await; // evicts "a"
    tokio::time::sleep(Duration::from_millis(150)).await;
    set_state(&store, "b", 1, TaskState::Completed).await;
    create(&store, "c", TaskState::Working).await; // sweeps, evicts "b"
    assert!(exists(&store, "t").await);
    assert_eq!(
        store.events_after(&key("t"), 0).await.unwrap().map(|l| l.len()),
        Some(1),
        "the new, unfinished t lost its log"
    );
}

// ---------------------------------------------------------------------------
// Push configs live and die with their task
// ---------------------------------------------------------------------------

#[tokio::test]
async fn push_configs_go_with_a_task_evicted_for_capacity() {
    let store = InMemoryTaskStore::new()
        .with_capacity(2)
        .with_push_config_limits(10, 2);
    create(&store, "done", TaskState::Completed).await;
    create(&store, "live", TaskState::Working).await;
    store
        .save(TENANT, &push_config("done", "c1", "https://x/1"))
        .await
        .unwrap();
    store
        .save(TENANT, &push_config("done", "c2", "https://x/2"))
        .await
        .unwrap();
    let full = store
        .save(TENANT, &push_config("live", "c1", "https://x/3"))
        .await;
    assert_eq!(kind_of(full), StoreErrorKind::Capacity, "2 configs in all");

    create(&store, "next", TaskState::Working).await;
    assert!(!exists(&store, "done").await, "evicted");
    assert!(
        PushConfigStore::list(&store, TENANT, "done")
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        PushConfigStore::get(&store, TENANT, "done", "c1").await.unwrap(),
        None
    );
    store
        .save(TENANT, &push_config("live", "c1", "https://x/3"))
        .await
        .expect("the evicted task's configs no longer count");
    store
        .save(TENANT, &push_config("next", "c1", "https://x/4"))
        .await
        .unwrap();
}

#[tokio::test]
async fn push_configs_go_with_a_task_that_expires() {
    let store = InMemoryTaskStore::new()
        .with_terminal_ttl(Duration::from_millis(50))
        .with_push_config_limits(10, 1);
    create(&store, "t", TaskState::Working).await;
    store
        .save(TENANT, &push_config("t", "c1", "https://x/1"))
        .await
        .unwrap();
    set_state(&store, "t", 1, TaskState::Completed).await;
    tokio::time::sleep(Duration::from_millis(80)).await;
    create(&store, "next", TaskState::Working).await;
    assert!(!exists(&store, "t").await);
    // A new task with the same id starts without the old configs.
    create(&store, "t", TaskState::Working).await;
    assert!(
        PushConfigStore::list(&store, TENANT, "t")
            .await
            .unwrap()
            .is_empty()
    );
    store
        .save(TENANT, &push_config("next", "c1", "https://x/2"))
        .await
        .expect("the expired task's config no longer counts");
}

#[tokio::test]
async fn a_task_holds_at_most_its_push_config_share() {
    let store = InMemoryTaskStore::new().with_push_config_limits(2, 100);
    create(&store, "t", TaskState::Working).await;
    store
        .save(TENANT, &push_config("t", "c1", "https://x/1"))
        .await
        .unwrap();
    store
        .save(TENANT, &push_config("t", "c2", "https://x/2"))
        .await
        .unwrap();
    let third = store.save(TENANT, &push_config("t", "c3", "https://x/3")).await;
    assert_eq!(kind_of(third), StoreErrorKind::Capacity);
    // Replacing is not adding.
    store
        .save(TENANT, &push_config("t", "c2", "https://x/new"))
        .await
        .unwrap();
    store.delete(TENANT, "t", "c1").await.unwrap();
    store
        .save(TENANT, &push_config("t", "c3", "https://x/3"))
        .await
        .unwrap();
}

// ---------------------------------------------------------------------------
// The error type
// ---------------------------------------------------------------------------

#[tokio::test]
async fn a_store_error_carries_its_source() {
    let cause = std::io::Error::new(std::io::ErrorKind::ConnectionRefused, "db down");
    let err = StoreError::unavailable("cannot reach the database").with_source(cause);
    assert_eq!(err.kind(), StoreErrorKind::Unavailable);
    assert_eq!(err.message(), "cannot reach the database");
    let source = err.source().expect("a source");
    let io = source.downcast_ref::<std::io::Error>().expect("the io error");
    assert_eq!(io.kind(), std::io::ErrorKind::ConnectionRefused);
    assert!(err.to_string().contains("db down"), "{err}");
    assert!(StoreError::backend("x").source().is_none());
}

#[tokio::test]
async fn capacity_and_unavailable_errors_are_retryable() {
    assert!(StoreError::capacity("full").is_retryable());
    assert!(StoreError::unavailable("down").is_retryable());
    for kind in [
        StoreErrorKind::NotFound,
        StoreErrorKind::InvalidPageToken,
        StoreErrorKind::Corrupt,
        StoreErrorKind::Backend,
    ] {
        assert!(!StoreError::new(kind, "x").is_retryable(), "{kind:?}");
    }
}

#[tokio::test]
async fn the_store_refuses_with_a_retryable_capacity_error() {
    let store = InMemoryTaskStore::new().with_capacity(1);
    create(&store, "a", TaskState::Working).await;
    let err = store.create(&key("b"), "", &task("b")).await.expect_err("full");
    assert_eq!(err.kind(), StoreErrorKind::Capacity);
    assert!(err.is_retryable());
}

#[tokio::test]
async fn a_finished_task_reads_back_exactly_as_it_ended() {
    use a2akit::server::task::apply_event;
    use a2akit::types::{
        Message, StreamResponse, TaskArtifactUpdateEvent, TaskStatus, TaskStatusUpdateEvent,
    };
    use std::sync::Arc;

    let store = InMemoryTaskStore::new();
    let mut expected = task_in("t1", "ctx", TaskState::Submitted, 0);
    expected.history.push(
        Message::user("question")
            .with_task_id("t1")
            .with_context_id("ctx"),
    );
    store.create(&key("t1"), "", &expected).await.unwrap();
    let answer = Message::agent("answer").with_task_id("t1").with_context_id("ctx");
    let aside = Message::agent("aside").with_task_id("t1").with_context_id("ctx");
    let events = [
        StreamResponse::StatusUpdate(TaskStatusUpdateEvent::new(
            "t1",
            "ctx",
            TaskStatus::new(TaskState::Working).with_message(aside),
        )),
        StreamResponse::ArtifactUpdate(TaskArtifactUpdateEvent::new(
            "t1",
            "ctx",
            Artifact::text("a", "x"),
        )),
        StreamResponse::StatusUpdate(TaskStatusUpdateEvent::new(
            "t1",
            "ctx",
            TaskStatus::new(TaskState::Completed).with_message(answer),
        )),
    ];
    let events: Vec<_> = events.into_iter().map(Arc::new).collect();
    for event in &events {
        apply_event(&mut expected, event);
    }
    store.append(&key("t1"), 1, &events).await.unwrap();
    let stored = TaskStore::get(&store, &key("t1"), TaskView::FULL)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.task, expected);
    let trimmed = TaskStore::get(&store, &key("t1"), TaskView::FULL.history_length(Some(1)))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(trimmed.task.history, expected.history[2..]);
}
