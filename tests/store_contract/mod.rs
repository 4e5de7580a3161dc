//! The contract every task store keeps, written once and run against each
//! implementation (the in-memory store in `tests/store.rs`, every SQL backend
//! in `tests/sql_store.rs`).
//!
//! Each rule is one `pub async fn` taking a fresh, empty store, so that a
//! failure names the rule it breaks. Two ways to run them:
//!
//! - [`contract_tests!`] expands to one `#[tokio::test]` per rule (this
//!   module must be mounted as `store_contract` at the root of the test
//!   crate):
//!
//!   ```ignore
//!   mod store_contract;
//!   store_contract::contract_tests!(MyStore::connect("...").await);
//!   ```
//!
//! - [`run_all`] runs every rule in one test, building a fresh store for each
//!   with an async factory.
//!
//! The rules use whole-second timestamps and compare tasks for equality, so a
//! backend must store what it is given faithfully (at least to the second).

#![allow(dead_code, unused_macros, unused_imports)]

use std::fmt::Debug;
use std::future::Future;
use std::sync::Arc;

use a2akit::server::store::{
    PendingPush, PushConfigStore, PushOutbox, Sequence, StoreError, StoreErrorKind, TaskKey, TaskQuery,
    TaskStore, TaskView,
};
use a2akit::types::{
    Artifact, Message, StreamResponse, Task, TaskArtifactUpdateEvent, TaskPushNotificationConfig, TaskState,
    TaskStatus, TaskStatusUpdateEvent,
};
use chrono::{DateTime, Utc};
use futures_util::FutureExt as _;

// ---------------------------------------------------------------------------
// Running the suite
// ---------------------------------------------------------------------------

/// Runs every rule, each against a fresh empty store from `make`.
pub async fn run_all<S, F, Fut>(make: F)
where
    S: TaskStore + PushConfigStore + PushOutbox,
    F: Fn() -> Fut,
    Fut: Future<Output = S>,
{
    create_returns_sequence_one(make().await).await;
    create_of_an_existing_key_conflicts(make().await).await;
    append_numbers_events_after_expected_and_returns_the_last(make().await).await;
    append_at_a_stale_sequence_conflicts_and_changes_nothing(make().await).await;
    append_to_a_missing_task_is_not_found(make().await).await;
    get_of_a_missing_task_is_none(make().await).await;
    get_applies_a_status_update_and_its_message(make().await).await;
    get_applies_artifact_updates_by_artifact_id(make().await).await;
    get_applies_a_message_event_to_the_history(make().await).await;
    get_keeps_the_newest_history_length_messages(make().await).await;
    get_without_artifacts_clears_them(make().await).await;
    events_after_zero_returns_the_whole_log_in_order(make().await).await;
    events_after_the_middle_returns_the_rest(make().await).await;
    events_after_the_last_sequence_is_empty(make().await).await;
    events_after_of_a_missing_task_is_none(make().await).await;
    tenants_are_isolated(make().await).await;
    get_returns_the_owner(make().await).await;
    list_filters_by_tenant_and_owner(make().await).await;
    list_filters_by_context(make().await).await;
    list_filters_by_status(make().await).await;
    list_filters_by_status_timestamp_after(make().await).await;
    list_orders_newest_status_timestamp_first_ties_by_id(make().await).await;
    list_orders_by_the_current_status(make().await).await;
    list_pages_cover_every_match_exactly_once(make().await).await;
    list_rejects_a_garbage_page_token(make().await).await;
    list_projects_with_the_query_view(make().await).await;
    push_configs_save_get_list_delete(make().await).await;
    push_config_list_is_in_creation_order(make().await).await;
    push_config_save_replaces_the_same_id(make().await).await;
    push_config_delete_of_a_missing_config_is_ok(make().await).await;
    push_config_for_a_missing_task_is_not_found(make().await).await;
    push_configs_of_another_tenant_are_invisible(make().await).await;
    outbox_queues_each_event_but_messages_for_each_config_and_claims_go_in_order(make().await).await;
    outbox_retries_count_attempts_and_a_claim_that_ran_out_decides_nothing(make().await).await;
    outbox_deleting_a_config_or_removing_the_task_drops_its_deliveries(make().await).await;
    outbox_queues_a_whole_task_event_too(make().await).await;
    outbox_signals_an_append_that_queued_and_no_other(make().await).await;
    outbox_claims_the_oldest_due_first_across_queues(make().await).await;
    concurrent_appends_at_one_sequence_have_one_winner(make().await).await;
}

/// One `#[tokio::test]` per rule, each against a fresh store built by the
/// expression given (evaluated inside an async test, so `.await` is allowed).
macro_rules! contract_tests {
    ($make:expr) => {
        $crate::store_contract::contract_tests!(@tests $make;
            create_returns_sequence_one,
            create_of_an_existing_key_conflicts,
            append_numbers_events_after_expected_and_returns_the_last,
            append_at_a_stale_sequence_conflicts_and_changes_nothing,
            append_to_a_missing_task_is_not_found,
            get_of_a_missing_task_is_none,
            get_applies_a_status_update_and_its_message,
            get_applies_artifact_updates_by_artifact_id,
            get_applies_a_message_event_to_the_history,
            get_keeps_the_newest_history_length_messages,
            get_without_artifacts_clears_them,
            events_after_zero_returns_the_whole_log_in_order,
            events_after_the_middle_returns_the_rest,
            events_after_the_last_sequence_is_empty,
            events_after_of_a_missing_task_is_none,
            tenants_are_isolated,
            get_returns_the_owner,
            list_filters_by_tenant_and_owner,
            list_filters_by_context,
            list_filters_by_status,
            list_filters_by_status_timestamp_after,
            list_orders_newest_status_timestamp_first_ties_by_id,
            list_orders_by_the_current_status,
            list_pages_cover_every_match_exactly_once,
            list_rejects_a_garbage_page_token,
            list_projects_with_the_query_view,
            push_configs_save_get_list_delete,
            push_config_list_is_in_creation_order,
            push_config_save_replaces_the_same_id,
            push_config_delete_of_a_missing_config_is_ok,
            push_config_for_a_missing_task_is_not_found,
            push_configs_of_another_tenant_are_invisible,
            outbox_queues_each_event_but_messages_for_each_config_and_claims_go_in_order,
            outbox_retries_count_attempts_and_a_claim_that_ran_out_decides_nothing,
            outbox_deleting_a_config_or_removing_the_task_drops_its_deliveries,
            outbox_queues_a_whole_task_event_too,
            outbox_signals_an_append_that_queued_and_no_other,
            outbox_claims_the_oldest_due_first_across_queues,
        );

        /// Writers racing on several threads: exactly one wins.
        #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
        async fn concurrent_appends_at_one_sequence_have_one_winner() {
            $crate::store_contract::concurrent_appends_at_one_sequence_have_one_winner($make).await;
        }
    };
    (@tests $make:expr; $($rule:ident),* $(,)?) => {
        $(
            #[tokio::test]
            async fn $rule() {
                $crate::store_contract::$rule($make).await;
            }
        )*
    };
}
pub(crate) use contract_tests;

// ---------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------

/// The tenant most rules use.
pub const TENANT: &str = "acme";

/// A fixed point in time, `secs` seconds after an arbitrary base.
pub fn at(secs: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(1_700_000_000 + secs, 0).expect("a valid timestamp")
}

/// A status in `state` stamped at `at(secs)`.
pub fn status(state: TaskState, secs: i64) -> TaskStatus {
    TaskStatus::new(state).with_timestamp(at(secs))
}

/// A task in context `ctx`, in `state` since `at(secs)`.
pub fn task_in(id: &str, ctx: &str, state: TaskState, secs: i64) -> Task {
    Task::new(id, ctx, status(state, secs))
}

/// A submitted task in context `ctx` with one user message.
pub fn task(id: &str) -> Task {
    task_in(id, "ctx", TaskState::Submitted, 0).with_history([Message::user("hello")])
}

/// The key of task `id` in [`TENANT`].
pub fn key(id: &str) -> TaskKey {
    TaskKey::new(TENANT, id)
}

/// A status update of task `id` to `state`, stamped at `at(secs)`.
pub fn status_event(id: &str, state: TaskState, secs: i64) -> Arc<StreamResponse> {
    Arc::new(StreamResponse::StatusUpdate(TaskStatusUpdateEvent::new(
        id,
        "ctx",
        status(state, secs),
    )))
}

/// A status update of task `id` to `state` carrying the agent's `message`.
pub fn status_event_with(id: &str, state: TaskState, secs: i64, message: Message) -> Arc<StreamResponse> {
    Arc::new(StreamResponse::StatusUpdate(TaskStatusUpdateEvent::new(
        id,
        "ctx",
        status(state, secs).with_message(message),
    )))
}

/// An artifact update of task `id`.
pub fn artifact_event(id: &str, artifact: Artifact, append: bool) -> Arc<StreamResponse> {
    Arc::new(StreamResponse::ArtifactUpdate(
        TaskArtifactUpdateEvent::new(id, "ctx", artifact).with_append(append),
    ))
}

/// A client message added to task `id`.
pub fn message_event(message: Message) -> Arc<StreamResponse> {
    Arc::new(StreamResponse::Message(message))
}

/// A query for every task of `owner` in `tenant`, one big page, whole tasks.
pub fn query(tenant: &str, owner: &str) -> TaskQuery {
    TaskQuery {
        tenant: tenant.to_owned(),
        owner: owner.to_owned(),
        context_id: None,
        status: None,
        status_timestamp_after: None,
        page_size: 100,
        page_token: None,
        view: TaskView::FULL,
    }
}

/// A push config `id` of task `task_id`.
pub fn push_config(task_id: &str, id: &str, url: &str) -> TaskPushNotificationConfig {
    TaskPushNotificationConfig::new(url)
        .with_task_id(task_id)
        .with_id(id)
        .with_token(format!("token-{id}"))
}

/// The kind of the error `result` must be.
#[track_caller]
pub fn kind_of<T: Debug>(result: Result<T, StoreError>) -> StoreErrorKind {
    match result {
        Ok(value) => panic!("expected an error, got Ok({value:?})"),
        Err(err) => err.kind(),
    }
}

/// The text of every history message, oldest first.
pub fn history_texts(task: &Task) -> Vec<String> {
    task.history.iter().map(Message::text).collect()
}

/// The ids of `tasks`, in order.
pub fn ids(tasks: &[Task]) -> Vec<String> {
    tasks.iter().map(|t| t.id.clone()).collect()
}

/// Reads task `key` whole; it must exist.
pub async fn must_get<S: TaskStore>(store: &S, key: &TaskKey) -> a2akit::server::store::StoredTask {
    TaskStore::get(store, key, TaskView::FULL)
        .await
        .expect("get")
        .unwrap_or_else(|| panic!("task {key:?} is missing"))
}

/// Creates task `id` in [`TENANT`] (owner empty); it must succeed with sequence 1.
pub async fn create<S: TaskStore>(store: &S, task: &Task) -> Sequence {
    let seq = store.create(&key(&task.id), "", task).await.expect("create");
    assert_eq!(seq, 1);
    seq
}

// ---------------------------------------------------------------------------
// Create and append
// ---------------------------------------------------------------------------

/// `create` stores the task as its first event: sequence 1.
pub async fn create_returns_sequence_one<S: TaskStore>(store: S) {
    let t = task("t1");
    assert_eq!(store.create(&key("t1"), "", &t).await.unwrap(), 1);
    let stored = must_get(&store, &key("t1")).await;
    assert_eq!(stored.sequence, 1);
    assert_eq!(stored.task, t, "the task reads back as created");
}

/// Creating a key that is taken is a Conflict, and the first task stays.
pub async fn create_of_an_existing_key_conflicts<S: TaskStore>(store: S) {
    let first = task("t1");
    create(&store, &first).await;
    let second = task_in("t1", "other", TaskState::Working, 5);
    assert_eq!(
        kind_of(store.create(&key("t1"), "someone", &second).await),
        StoreErrorKind::Conflict
    );
    let stored = must_get(&store, &key("t1")).await;
    assert_eq!(stored.task, first);
    assert_eq!(stored.owner, "");
    assert_eq!(stored.sequence, 1);
}

/// `append(expected, events)` numbers the events `expected + 1`, … and
/// returns the last.
pub async fn append_numbers_events_after_expected_and_returns_the_last<S: TaskStore>(store: S) {
    create(&store, &task("t1")).await;
    let batch = [
        status_event("t1", TaskState::Working, 1),
        artifact_event("t1", Artifact::text("a1", "x"), false),
    ];
    assert_eq!(store.append(&key("t1"), 1, &batch).await.unwrap(), 3);
    let one = [status_event("t1", TaskState::Completed, 2)];
    assert_eq!(store.append(&key("t1"), 3, &one).await.unwrap(), 4);
    assert_eq!(must_get(&store, &key("t1")).await.sequence, 4);

    let events = store.events_after(&key("t1"), 1).await.unwrap().expect("the log");
    let got: Vec<(Sequence, StreamResponse)> =
        events.iter().map(|e| (e.sequence, (*e.event).clone())).collect();
    let want: Vec<(Sequence, StreamResponse)> = batch
        .iter()
        .chain(&one)
        .zip(2..)
        .map(|(e, s)| (s, (**e).clone()))
        .collect();
    assert_eq!(got, want);
}

/// Appending at a sequence that is not the task's last is a Conflict, and
/// the task (snapshot and log) is unchanged.
pub async fn append_at_a_stale_sequence_conflicts_and_changes_nothing<S: TaskStore>(store: S) {
    create(&store, &task("t1")).await;
    store
        .append(&key("t1"), 1, &[status_event("t1", TaskState::Working, 1)])
        .await
        .unwrap();
    let before = must_get(&store, &key("t1")).await;
    let stale = [status_event_with(
        "t1",
        TaskState::Failed,
        2,
        Message::agent("stale"),
    )];
    for expected in [0, 1, 3, 99] {
        assert_eq!(
            kind_of(store.append(&key("t1"), expected, &stale).await),
            StoreErrorKind::Conflict,
            "expected sequence {expected}"
        );
    }
    assert_eq!(must_get(&store, &key("t1")).await, before);
    let log = store.events_after(&key("t1"), 0).await.unwrap().unwrap();
    assert_eq!(log.len(), 2);
}

/// Appending to a task that does not exist is NotFound.
pub async fn append_to_a_missing_task_is_not_found<S: TaskStore>(store: S) {
    let events = [status_event("nope", TaskState::Working, 1)];
    assert_eq!(
        kind_of(store.append(&key("nope"), 1, &events).await),
        StoreErrorKind::NotFound
    );
    assert!(
        TaskStore::get(&store, &key("nope"), TaskView::FULL)
            .await
            .unwrap()
            .is_none()
    );
}

// ---------------------------------------------------------------------------
// Get: events applied, projections
// ---------------------------------------------------------------------------

/// Reading a task that does not exist is `None`.
pub async fn get_of_a_missing_task_is_none<S: TaskStore>(store: S) {
    assert!(
        TaskStore::get(&store, &key("nope"), TaskView::FULL)
            .await
            .unwrap()
            .is_none()
    );
}

/// A status update sets the status; its message joins the history (and one
/// without a message adds nothing).
pub async fn get_applies_a_status_update_and_its_message<S: TaskStore>(store: S) {
    create(&store, &task("t1")).await;
    store
        .append(&key("t1"), 1, &[status_event("t1", TaskState::Working, 1)])
        .await
        .unwrap();
    let working = must_get(&store, &key("t1")).await.task;
    assert_eq!(working.status, status(TaskState::Working, 1));
    assert_eq!(history_texts(&working), ["hello"]);

    let question = Message::agent("which city?");
    store
        .append(
            &key("t1"),
            2,
            &[status_event_with(
                "t1",
                TaskState::InputRequired,
                2,
                question.clone(),
            )],
        )
        .await
        .unwrap();
    let asked = must_get(&store, &key("t1")).await.task;
    assert_eq!(
        asked.status,
        status(TaskState::InputRequired, 2).with_message(question.clone())
    );
    assert_eq!(asked.history.len(), 2);
    assert_eq!(asked.history[1], question);
}

/// An artifact update adds a new artifact, replaces the one with the same id,
/// or (with `append`) extends its parts.
pub async fn get_applies_artifact_updates_by_artifact_id<S: TaskStore>(store: S) {
    create(&store, &task("t1")).await;
    let seq = store
        .append(
            &key("t1"),
            1,
            &[
                artifact_event("t1", Artifact::text("a1", "first"), false),
                artifact_event("t1", Artifact::text("a2", "chunk one"), false),
            ],
        )
        .await
        .unwrap();
    let added = must_get(&store, &key("t1")).await.task;
    assert_eq!(
        added.artifacts,
        [Artifact::text("a1", "first"), Artifact::text("a2", "chunk one")]
    );

    store
        .append(
            &key("t1"),
            seq,
            &[
                artifact_event("t1", Artifact::text("a1", "replaced").with_name("final"), false),
                artifact_event("t1", Artifact::text("a2", "chunk two"), true),
            ],
        )
        .await
        .unwrap();
    let merged = must_get(&store, &key("t1")).await.task;
    assert_eq!(merged.artifacts.len(), 2, "{:?}", merged.artifacts);
    assert_eq!(
        merged.artifacts[0],
        Artifact::text("a1", "replaced").with_name("final")
    );
    let parts: Vec<_> = merged.artifacts[1]
        .parts
        .iter()
        .map(|p| p.as_text().unwrap_or_default().to_owned())
        .collect();
    assert_eq!(merged.artifacts[1].artifact_id, "a2");
    assert_eq!(parts, ["chunk one", "chunk two"]);
}

/// A `StreamResponse::Message` event (a client's message) joins the history
/// and leaves the status alone.
pub async fn get_applies_a_message_event_to_the_history<S: TaskStore>(store: S) {
    create(&store, &task("t1")).await;
    let follow_up = Message::user("Paris").with_task_id("t1");
    store
        .append(&key("t1"), 1, &[message_event(follow_up.clone())])
        .await
        .unwrap();
    let got = must_get(&store, &key("t1")).await.task;
    assert_eq!(got.history.len(), 2);
    assert_eq!(got.history[1], follow_up);
    assert_eq!(got.status, status(TaskState::Submitted, 0));
}

/// `TaskView::history_length(n)` keeps the newest `n` messages; `None` keeps all.
pub async fn get_keeps_the_newest_history_length_messages<S: TaskStore>(store: S) {
    let t = task_in("t1", "ctx", TaskState::Working, 0).with_history([
        Message::user("one"),
        Message::agent("two"),
        Message::user("three"),
    ]);
    create(&store, &t).await;
    let read = |n: Option<usize>| {
        let store = &store;
        async move {
            let view = TaskView::FULL.history_length(n);
            let stored = TaskStore::get(store, &key("t1"), view).await.unwrap().unwrap();
            history_texts(&stored.task)
        }
    };
    assert_eq!(read(Some(0)).await, Vec::<String>::new());
    assert_eq!(read(Some(1)).await, ["three"]);
    assert_eq!(read(Some(2)).await, ["two", "three"]);
    assert_eq!(read(Some(10)).await, ["one", "two", "three"]);
    assert_eq!(read(None).await, ["one", "two", "three"]);
}

/// `TaskView::include_artifacts(false)` returns no artifacts (and the rest intact).
pub async fn get_without_artifacts_clears_them<S: TaskStore>(store: S) {
    let t = task("t1").with_artifacts([Artifact::text("a1", "x"), Artifact::text("a2", "y")]);
    create(&store, &t).await;
    let view = TaskView::FULL.include_artifacts(false);
    let stored = TaskStore::get(&store, &key("t1"), view).await.unwrap().unwrap();
    assert!(stored.task.artifacts.is_empty());
    assert_eq!(stored.task.history, t.history);
    assert_eq!(stored.task.status, t.status);
    assert_eq!(must_get(&store, &key("t1")).await.task.artifacts.len(), 2);
}

// ---------------------------------------------------------------------------
// The event log
// ---------------------------------------------------------------------------

/// Appends the events of a short run to task `t1`; returns them with the last sequence.
async fn short_run<S: TaskStore>(store: &S) -> (Task, Vec<Arc<StreamResponse>>, Sequence) {
    let t = task("t1");
    create(store, &t).await;
    let events = vec![
        status_event("t1", TaskState::Working, 1),
        artifact_event("t1", Artifact::text("a1", "x"), false),
        message_event(Message::user("more")),
        status_event_with("t1", TaskState::Completed, 2, Message::agent("done")),
    ];
    let mut seq = 1;
    for event in &events {
        seq = store
            .append(&key("t1"), seq, std::slice::from_ref(event))
            .await
            .unwrap();
    }
    (t, events, seq)
}

/// `events_after(0)` is the whole log in order, sequences 1..=n, starting
/// with the task as created.
pub async fn events_after_zero_returns_the_whole_log_in_order<S: TaskStore>(store: S) {
    let (created, events, last) = short_run(&store).await;
    let log = store.events_after(&key("t1"), 0).await.unwrap().expect("the log");
    let sequences: Vec<Sequence> = log.iter().map(|e| e.sequence).collect();
    assert_eq!(sequences, (1..=last).collect::<Vec<_>>());
    assert_eq!(*log[0].event, StreamResponse::Task(created));
    for (got, want) in log[1..].iter().zip(&events) {
        assert_eq!(*got.event, **want);
    }
}

/// `events_after(k)` returns the events after `k` only.
pub async fn events_after_the_middle_returns_the_rest<S: TaskStore>(store: S) {
    let (_, events, last) = short_run(&store).await;
    let rest = store.events_after(&key("t1"), 3).await.unwrap().expect("the log");
    let sequences: Vec<Sequence> = rest.iter().map(|e| e.sequence).collect();
    assert_eq!(sequences, (4..=last).collect::<Vec<_>>());
    assert_eq!(*rest[0].event, *events[2]);
}

/// After the last sequence there is nothing (but the task is known).
pub async fn events_after_the_last_sequence_is_empty<S: TaskStore>(store: S) {
    let (_, _, last) = short_run(&store).await;
    assert_eq!(
        store.events_after(&key("t1"), last).await.unwrap(),
        Some(Vec::new())
    );
}

/// `events_after` of an unknown task is `None`.
pub async fn events_after_of_a_missing_task_is_none<S: TaskStore>(store: S) {
    assert_eq!(store.events_after(&key("nope"), 0).await.unwrap(), None);
}

// ---------------------------------------------------------------------------
// Tenants and owners
// ---------------------------------------------------------------------------

/// The same id in two tenants is two tasks; a third tenant sees neither.
pub async fn tenants_are_isolated<S: TaskStore>(store: S) {
    let a = TaskKey::new("a", "t1");
    let b = TaskKey::new("b", "t1");
    assert_eq!(store.create(&a, "", &task("t1")).await.unwrap(), 1);
    assert_eq!(store.create(&b, "", &task("t1")).await.unwrap(), 1);
    store
        .append(&a, 1, &[status_event("t1", TaskState::Completed, 1)])
        .await
        .unwrap();
    assert_eq!(must_get(&store, &a).await.task.status.state, TaskState::Completed);
    let other = must_get(&store, &b).await;
    assert_eq!(other.task.status.state, TaskState::Submitted);
    assert_eq!(other.sequence, 1);
    assert_eq!(store.events_after(&b, 0).await.unwrap().unwrap().len(), 1);
    let none = TaskKey::new("", "t1");
    assert!(
        TaskStore::get(&store, &none, TaskView::FULL)
            .await
            .unwrap()
            .is_none()
    );
    assert_eq!(store.events_after(&none, 0).await.unwrap(), None);
    assert_eq!(
        kind_of(
            store
                .append(&none, 1, &[status_event("t1", TaskState::Working, 1)])
                .await
        ),
        StoreErrorKind::NotFound
    );
}

/// The owner given at creation is returned by `get`.
pub async fn get_returns_the_owner<S: TaskStore>(store: S) {
    store.create(&key("t1"), "alice", &task("t1")).await.unwrap();
    store.create(&key("t2"), "", &task("t2")).await.unwrap();
    store
        .append(&key("t1"), 1, &[status_event("t1", TaskState::Working, 1)])
        .await
        .unwrap();
    assert_eq!(must_get(&store, &key("t1")).await.owner, "alice");
    assert_eq!(must_get(&store, &key("t2")).await.owner, "");
}

// ---------------------------------------------------------------------------
// List
// ---------------------------------------------------------------------------

/// A sorted copy of the ids of `tasks`.
fn sorted_ids(tasks: &[Task]) -> Vec<String> {
    let mut ids = ids(tasks);
    ids.sort();
    ids
}

/// `list` returns only the tasks of the query's tenant and owner.
pub async fn list_filters_by_tenant_and_owner<S: TaskStore>(store: S) {
    for (tenant, owner, id) in [
        ("a", "alice", "t1"),
        ("a", "alice", "t2"),
        ("a", "bob", "t3"),
        ("a", "", "t4"),
        ("b", "alice", "t5"),
        ("b", "alice", "t1"),
    ] {
        store
            .create(&TaskKey::new(tenant, id), owner, &task(id))
            .await
            .unwrap();
    }
    let list = |tenant: &'static str, owner: &'static str| {
        let store = &store;
        async move { store_list(store, &query(tenant, owner)).await }
    };
    let page = list("a", "alice").await;
    assert_eq!(sorted_ids(&page.tasks), ["t1", "t2"]);
    assert_eq!(page.total_size, 2);
    assert_eq!(sorted_ids(&list("a", "bob").await.tasks), ["t3"]);
    assert_eq!(sorted_ids(&list("a", "").await.tasks), ["t4"]);
    assert_eq!(sorted_ids(&list("b", "alice").await.tasks), ["t1", "t5"]);
    let empty = list("c", "alice").await;
    assert!(empty.tasks.is_empty());
    assert_eq!(empty.total_size, 0);
    assert!(empty.next_page_token.is_empty());
}

async fn store_list<S: TaskStore>(store: &S, query: &TaskQuery) -> a2akit::server::store::TaskPage {
    TaskStore::list(store, query).await.expect("list")
}

/// `list` with a context id returns only that conversation's tasks.
pub async fn list_filters_by_context<S: TaskStore>(store: S) {
    create(&store, &task_in("t1", "c1", TaskState::Working, 1)).await;
    create(&store, &task_in("t2", "c2", TaskState::Working, 2)).await;
    create(&store, &task_in("t3", "c1", TaskState::Completed, 3)).await;
    let mut q = query(TENANT, "");
    q.context_id = Some("c1".into());
    let page = store_list(&store, &q).await;
    assert_eq!(sorted_ids(&page.tasks), ["t1", "t3"]);
    assert_eq!(page.total_size, 2);
}

/// `list` with a status returns only tasks currently in that state.
pub async fn list_filters_by_status<S: TaskStore>(store: S) {
    create(&store, &task_in("t1", "c", TaskState::Working, 1)).await;
    create(&store, &task_in("t2", "c", TaskState::Working, 2)).await;
    create(&store, &task_in("t3", "c", TaskState::Completed, 3)).await;
    store
        .append(&key("t2"), 1, &[status_event("t2", TaskState::Completed, 4)])
        .await
        .unwrap();
    let mut q = query(TENANT, "");
    q.status = Some(TaskState::Completed);
    let page = store_list(&store, &q).await;
    assert_eq!(sorted_ids(&page.tasks), ["t2", "t3"]);
    assert_eq!(page.total_size, 2);
    q.status = Some(TaskState::Working);
    assert_eq!(sorted_ids(&store_list(&store, &q).await.tasks), ["t1"]);
    q.status = Some(TaskState::Failed);
    assert!(store_list(&store, &q).await.tasks.is_empty());
}

/// `list` with `status_timestamp_after` returns tasks whose status timestamp
/// is at or after it.
pub async fn list_filters_by_status_timestamp_after<S: TaskStore>(store: S) {
    create(&store, &task_in("t1", "c", TaskState::Working, 10)).await;
    create(&store, &task_in("t2", "c", TaskState::Working, 20)).await;
    create(&store, &task_in("t3", "c", TaskState::Working, 30)).await;
    // t1's status changes later than everyone's.
    store
        .append(&key("t1"), 1, &[status_event("t1", TaskState::Completed, 40)])
        .await
        .unwrap();
    let mut q = query(TENANT, "");
    q.status_timestamp_after = Some(at(20));
    let page = store_list(&store, &q).await;
    assert_eq!(sorted_ids(&page.tasks), ["t1", "t2", "t3"]);
    q.status_timestamp_after = Some(at(21));
    let page = store_list(&store, &q).await;
    assert_eq!(sorted_ids(&page.tasks), ["t1", "t3"]);
    assert_eq!(page.total_size, 2);
    q.status_timestamp_after = Some(at(41));
    assert!(store_list(&store, &q).await.tasks.is_empty());
}

/// `list` orders by status timestamp, newest first; equal timestamps by id.
pub async fn list_orders_newest_status_timestamp_first_ties_by_id<S: TaskStore>(store: S) {
    for (id, secs) in [("b", 10), ("d", 30), ("a", 20), ("c", 20), ("e", 5)] {
        create(&store, &task_in(id, "c", TaskState::Working, secs)).await;
    }
    let page = store_list(&store, &query(TENANT, "")).await;
    assert_eq!(ids(&page.tasks), ["d", "a", "c", "b", "e"]);
}

/// The order follows the current status: a task whose status changed last
/// comes first.
pub async fn list_orders_by_the_current_status<S: TaskStore>(store: S) {
    create(&store, &task_in("old", "c", TaskState::Working, 1)).await;
    create(&store, &task_in("new", "c", TaskState::Working, 2)).await;
    assert_eq!(
        ids(&store_list(&store, &query(TENANT, "")).await.tasks),
        ["new", "old"]
    );
    store
        .append(&key("old"), 1, &[status_event("old", TaskState::Completed, 3)])
        .await
        .unwrap();
    assert_eq!(
        ids(&store_list(&store, &query(TENANT, "")).await.tasks),
        ["old", "new"]
    );
}

/// Following `next_page_token` visits every match exactly once, in the
/// listing order, each page telling the same `total_size`; the last page
/// has an empty token.
pub async fn list_pages_cover_every_match_exactly_once<S: TaskStore>(store: S) {
    // Equal timestamps on purpose: the cursor must break ties.
    for (i, secs) in [5, 3, 3, 3, 9, 1, 3, 5, 7, 3, 3].into_iter().enumerate() {
        create(
            &store,
            &task_in(&format!("t{i:02}"), "c", TaskState::Working, secs),
        )
        .await;
    }
    // A task that does not match must not count.
    store
        .create(&TaskKey::new("other", "t99"), "", &task("t99"))
        .await
        .unwrap();
    let everything = ids(&store_list(&store, &query(TENANT, "")).await.tasks);
    assert_eq!(everything.len(), 11);
    for page_size in [1, 3, 4, 10, 11] {
        let mut q = query(TENANT, "");
        q.page_size = page_size;
        let mut seen = Vec::new();
        let mut pages = 0;
        loop {
            let page = store_list(&store, &q).await;
            pages += 1;
            assert!(pages <= 11, "paging does not end (page size {page_size})");
            assert_eq!(page.total_size, 11, "page size {page_size}");
            assert!(page.tasks.len() <= page_size);
            seen.extend(ids(&page.tasks));
            if page.next_page_token.is_empty() {
                break;
            }
            q.page_token = Some(page.next_page_token);
        }
        assert_eq!(seen, everything, "page size {page_size}");
        assert_eq!(pages, 11usize.div_ceil(page_size), "page size {page_size}");
    }
}

/// A page token the store did not issue is InvalidPageToken.
pub async fn list_rejects_a_garbage_page_token<S: TaskStore>(store: S) {
    create(&store, &task("t1")).await;
    let mut q = query(TENANT, "");
    q.page_token = Some("garbage!".into());
    assert_eq!(
        kind_of(TaskStore::list(&store, &q).await),
        StoreErrorKind::InvalidPageToken
    );
}

/// `list` projects each task with `query.view`.
pub async fn list_projects_with_the_query_view<S: TaskStore>(store: S) {
    let t = task_in("t1", "c", TaskState::Working, 1)
        .with_history([Message::user("one"), Message::agent("two")])
        .with_artifacts([Artifact::text("a1", "x")]);
    create(&store, &t).await;
    let mut q = query(TENANT, "");
    q.view = TaskView::FULL.history_length(Some(1)).include_artifacts(false);
    let page = store_list(&store, &q).await;
    assert_eq!(page.tasks.len(), 1);
    assert_eq!(history_texts(&page.tasks[0]), ["two"]);
    assert!(page.tasks[0].artifacts.is_empty());
    q.view = TaskView::FULL.history_length(Some(0));
    let page = store_list(&store, &q).await;
    assert!(page.tasks[0].history.is_empty());
    assert_eq!(page.tasks[0].artifacts.len(), 1);
    q.view = TaskView::FULL;
    assert_eq!(store_list(&store, &q).await.tasks, [t]);
}

// ---------------------------------------------------------------------------
// Push configs
// ---------------------------------------------------------------------------

/// A saved config can be read, listed and deleted.
pub async fn push_configs_save_get_list_delete<S: TaskStore + PushConfigStore>(store: S) {
    create(&store, &task("t1")).await;
    let config = push_config("t1", "c1", "https://example.com/hook");
    store.save(TENANT, &config).await.unwrap();
    assert_eq!(
        PushConfigStore::get(&store, TENANT, "t1", "c1").await.unwrap(),
        Some(config.clone())
    );
    assert_eq!(
        PushConfigStore::get(&store, TENANT, "t1", "c2").await.unwrap(),
        None
    );
    assert_eq!(
        PushConfigStore::list(&store, TENANT, "t1").await.unwrap(),
        [config]
    );
    store.delete(TENANT, "t1", "c1").await.unwrap();
    assert_eq!(
        PushConfigStore::get(&store, TENANT, "t1", "c1").await.unwrap(),
        None
    );
    assert!(
        PushConfigStore::list(&store, TENANT, "t1")
            .await
            .unwrap()
            .is_empty()
    );
}

/// A task's configs list in the order they were created.
pub async fn push_config_list_is_in_creation_order<S: TaskStore + PushConfigStore>(store: S) {
    create(&store, &task("t1")).await;
    let configs: Vec<_> = ["zeta", "alpha", "mid", "beta"]
        .into_iter()
        .map(|id| push_config("t1", id, &format!("https://example.com/{id}")))
        .collect();
    for config in &configs {
        store.save(TENANT, config).await.unwrap();
    }
    assert_eq!(
        PushConfigStore::list(&store, TENANT, "t1").await.unwrap(),
        configs
    );
    store.delete(TENANT, "t1", "alpha").await.unwrap();
    let ids: Vec<_> = PushConfigStore::list(&store, TENANT, "t1")
        .await
        .unwrap()
        .into_iter()
        .map(|c| c.id)
        .collect();
    assert_eq!(ids, ["zeta", "mid", "beta"]);
}

/// Saving a config with an id the task already has replaces it (in place:
/// it keeps its place in the creation order).
pub async fn push_config_save_replaces_the_same_id<S: TaskStore + PushConfigStore>(store: S) {
    create(&store, &task("t1")).await;
    let first = push_config("t1", "c1", "https://example.com/old");
    let second = push_config("t1", "c2", "https://example.com/two");
    store.save(TENANT, &first).await.unwrap();
    store.save(TENANT, &second).await.unwrap();
    let replaced = push_config("t1", "c1", "https://example.com/new").with_token("new-token");
    store.save(TENANT, &replaced).await.unwrap();
    assert_eq!(
        PushConfigStore::get(&store, TENANT, "t1", "c1").await.unwrap(),
        Some(replaced.clone())
    );
    assert_eq!(
        PushConfigStore::list(&store, TENANT, "t1").await.unwrap(),
        [replaced, second]
    );
}

/// Deleting a config (or a task's config) that does not exist is not an error.
pub async fn push_config_delete_of_a_missing_config_is_ok<S: TaskStore + PushConfigStore>(store: S) {
    create(&store, &task("t1")).await;
    let config = push_config("t1", "c1", "https://example.com/hook");
    store.save(TENANT, &config).await.unwrap();
    store.delete(TENANT, "t1", "nope").await.unwrap();
    store.delete(TENANT, "missing-task", "c1").await.unwrap();
    store.delete(TENANT, "t1", "c1").await.unwrap();
    store.delete(TENANT, "t1", "c1").await.unwrap();
    assert!(
        PushConfigStore::list(&store, TENANT, "t1")
            .await
            .unwrap()
            .is_empty()
    );
}

/// Saving a config for a task that is not stored is NotFound.
pub async fn push_config_for_a_missing_task_is_not_found<S: TaskStore + PushConfigStore>(store: S) {
    let config = push_config("nope", "c1", "https://example.com/hook");
    assert_eq!(
        kind_of(store.save(TENANT, &config).await),
        StoreErrorKind::NotFound
    );
    // The task exists, but in another tenant.
    store
        .create(&TaskKey::new("other", "t1"), "", &task("t1"))
        .await
        .unwrap();
    let config = push_config("t1", "c1", "https://example.com/hook");
    assert_eq!(
        kind_of(store.save(TENANT, &config).await),
        StoreErrorKind::NotFound
    );
}

/// Configs of a task in one tenant are invisible (and untouchable) from
/// another tenant, even where a task with the same id exists.
pub async fn push_configs_of_another_tenant_are_invisible<S: TaskStore + PushConfigStore>(store: S) {
    store
        .create(&TaskKey::new("a", "t1"), "", &task("t1"))
        .await
        .unwrap();
    store
        .create(&TaskKey::new("b", "t1"), "", &task("t1"))
        .await
        .unwrap();
    let config = push_config("t1", "c1", "https://a.example.com/hook");
    store.save("a", &config).await.unwrap();
    assert_eq!(PushConfigStore::get(&store, "b", "t1", "c1").await.unwrap(), None);
    assert!(PushConfigStore::list(&store, "b", "t1").await.unwrap().is_empty());
    store.delete("b", "t1", "c1").await.unwrap();
    assert_eq!(
        PushConfigStore::get(&store, "a", "t1", "c1").await.unwrap(),
        Some(config.clone())
    );
    // The same ids in the other tenant are a different config.
    let theirs = push_config("t1", "c1", "https://b.example.com/hook");
    store.save("b", &theirs).await.unwrap();
    assert_eq!(
        PushConfigStore::get(&store, "a", "t1", "c1").await.unwrap(),
        Some(config)
    );
    assert_eq!(
        PushConfigStore::get(&store, "b", "t1", "c1").await.unwrap(),
        Some(theirs)
    );
}

// ---------------------------------------------------------------------------
// The push outbox
// ---------------------------------------------------------------------------

/// How long the outbox rules' claims hold, in seconds.
pub const HOLD: i64 = 60;

/// `secs` seconds after `now`.
pub fn later(now: DateTime<Utc>, secs: i64) -> DateTime<Utc> {
    now + chrono::Duration::seconds(secs)
}

/// Claims what is due at `now`, held for [`HOLD`] seconds.
pub async fn claim<S: PushOutbox>(store: &S, now: DateTime<Utc>) -> Vec<PendingPush> {
    store
        .claim_due(now, later(now, HOLD), 100)
        .await
        .expect("claim_due")
}

/// Claims the one delivery due first at `now`, held for [`HOLD`] seconds.
pub async fn claim_one<S: PushOutbox>(store: &S, now: DateTime<Utc>) -> Option<PendingPush> {
    let mut claimed = store
        .claim_due(now, later(now, HOLD), 1)
        .await
        .expect("claim_due");
    assert!(claimed.len() <= 1, "a claim took more than its limit");
    claimed.pop()
}

/// The (task, config, sequence) of each claimed delivery, sorted.
pub fn names(claimed: &[PendingPush]) -> Vec<(String, String, Sequence)> {
    let mut names: Vec<_> = claimed.iter().map(name_of).collect();
    names.sort();
    names
}

/// The (task, config, sequence) of a claimed delivery.
pub fn name_of(push: &PendingPush) -> (String, String, Sequence) {
    (
        push.id.key.id.clone(),
        push.id.config_id.clone(),
        push.id.sequence,
    )
}

/// The (task, config, sequence) naming a delivery.
pub fn name(task: &str, config: &str, sequence: Sequence) -> (String, String, Sequence) {
    (task.to_owned(), config.to_owned(), sequence)
}

/// The URL the tests' config `config` posts to.
pub fn hook(config: &str) -> String {
    format!("https://example.com/{config}")
}

/// Creates task `id` in [`TENANT`] with push configs `configs`, each posting
/// to [`hook`]`(config)`.
pub async fn task_with_configs<S: TaskStore + PushConfigStore>(store: &S, id: &str, configs: &[&str]) {
    create(store, &task(id)).await;
    for config in configs {
        store
            .save(TENANT, &push_config(id, config, &hook(config)))
            .await
            .expect("save");
    }
}

/// Appends two status events to task `id` (at sequence 1): events 2 and 3.
pub async fn two_statuses<S: TaskStore>(store: &S, id: &str) {
    let events = [
        status_event(id, TaskState::Working, 1),
        status_event(id, TaskState::Working, 2),
    ];
    store.append(&key(id), 1, &events).await.expect("append");
}

/// An append queues one delivery per config for each event but client
/// messages; a claim takes at most its limit, only the head of each
/// (task, config) queue, and hides what it took until its claim runs out;
/// finishing a head lets its queue, and only its queue, move on.
pub async fn outbox_queues_each_event_but_messages_for_each_config_and_claims_go_in_order<
    S: TaskStore + PushConfigStore + PushOutbox,
>(
    store: S,
) {
    task_with_configs(&store, "t", &["a", "b"]).await;
    let events = [
        status_event("t", TaskState::Working, 1),
        message_event(Message::user("a client message is not pushed")),
        artifact_event("t", Artifact::text("x", "y"), false),
    ];
    store.append(&key("t"), 1, &events).await.unwrap();
    let now = Utc::now();

    // One claim takes at most `limit` heads.
    let one = store.claim_due(now, later(now, HOLD), 1).await.unwrap();
    assert_eq!(one.len(), 1);
    let mut first = one;
    first.extend(claim(&store, now).await);
    assert_eq!(names(&first), [name("t", "a", 2), name("t", "b", 2)]);
    for pending in &first {
        assert_eq!(pending.attempts, 1);
        assert_eq!(pending.event, events[0]);
        assert_eq!(
            pending.config,
            push_config("t", &pending.id.config_id, &hook(&pending.id.config_id))
        );
        assert_eq!(pending.id.key, key("t"));
        assert!(pending.queued_at <= now);
    }

    // Claimed heads are hidden, and the rest waits behind them.
    assert!(claim(&store, now).await.is_empty());
    assert!(claim(&store, later(now, HOLD - 1)).await.is_empty());

    // Finishing a head lets its queue move on, and only its queue.
    let a = first.iter().find(|p| p.id.config_id == "a").unwrap();
    store.finish(a).await.unwrap();
    let next = claim(&store, now).await;
    assert_eq!(names(&next), [name("t", "a", 4)]);
    assert_eq!(next[0].event, events[2]);
    assert_eq!(next[0].attempts, 1);

    let b = first.iter().find(|p| p.id.config_id == "b").unwrap();
    store.finish(b).await.unwrap();
    let last = claim(&store, now).await;
    assert_eq!(names(&last), [name("t", "b", 4)]);

    store.finish(&next[0]).await.unwrap();
    store.finish(&last[0]).await.unwrap();
    assert!(claim(&store, later(now, 10 * HOLD)).await.is_empty(), "drained");
}

/// A retried delivery is due again at its new time, keeps its `queued_at`
/// and counts each claim as an attempt; a claim that ran out (its `attempts`
/// moved on) can neither finish nor reschedule the delivery.
pub async fn outbox_retries_count_attempts_and_a_claim_that_ran_out_decides_nothing<
    S: TaskStore + PushConfigStore + PushOutbox,
>(
    store: S,
) {
    task_with_configs(&store, "t", &["a"]).await;
    store
        .append(&key("t"), 1, &[status_event("t", TaskState::Working, 1)])
        .await
        .unwrap();
    let now = Utc::now();
    let first = claim(&store, now).await;
    assert_eq!(names(&first), [name("t", "a", 2)]);
    assert_eq!(first[0].attempts, 1);

    store.retry_at(&first[0], later(now, 10)).await.unwrap();
    assert!(claim(&store, now).await.is_empty());
    assert!(claim(&store, later(now, 9)).await.is_empty());
    let second = claim(&store, later(now, 10)).await;
    assert_eq!(names(&second), names(&first));
    assert_eq!(second[0].attempts, 2);
    assert_eq!(second[0].queued_at, first[0].queued_at);

    // The new claim holds in turn, and runs out in turn.
    assert!(claim(&store, later(now, 11)).await.is_empty());
    let third = claim(&store, later(now, 10 + HOLD)).await;
    assert_eq!(names(&third), names(&first));
    assert_eq!(third[0].attempts, 3);

    // Senders whose claims ran out decide nothing any more.
    store.finish(&first[0]).await.unwrap();
    store.retry_at(&second[0], later(now, 0)).await.unwrap();
    assert!(
        claim(&store, later(now, 11 + HOLD)).await.is_empty(),
        "still held by the third claim"
    );
    let fourth = claim(&store, later(now, 10 + 2 * HOLD)).await;
    assert_eq!(names(&fourth), names(&first), "not finished by a stale claim");
    assert_eq!(fourth[0].attempts, 4);
    assert_eq!(fourth[0].queued_at, first[0].queued_at);

    // The claim that holds it does decide.
    store.finish(&fourth[0]).await.unwrap();
    assert!(claim(&store, later(now, 10 * HOLD)).await.is_empty(), "finished");
}

/// Deleting a config drops what was queued for it (saving it again does not
/// bring that back), and removing a task drops everything queued for it.
pub async fn outbox_deleting_a_config_or_removing_the_task_drops_its_deliveries<
    S: TaskStore + PushConfigStore + PushOutbox,
>(
    store: S,
) {
    task_with_configs(&store, "t", &["a", "b"]).await;
    two_statuses(&store, "t").await;
    PushConfigStore::delete(&store, TENANT, "t", "a").await.unwrap();
    let now = Utc::now();
    let left = claim(&store, now).await;
    assert_eq!(names(&left), [name("t", "b", 2)]);
    store
        .save(TENANT, &push_config("t", "a", &hook("a")))
        .await
        .unwrap();
    assert!(
        claim(&store, now).await.is_empty(),
        "config a starts with nothing queued"
    );

    store.remove(&key("t")).await.unwrap();
    assert!(claim(&store, later(now, 10 * HOLD)).await.is_empty());

    // A task created again under that id starts with nothing queued.
    task_with_configs(&store, "t", &["a", "b"]).await;
    assert!(claim(&store, later(now, 10 * HOLD)).await.is_empty());
}

/// A whole-task event is queued like any other.
pub async fn outbox_queues_a_whole_task_event_too<S: TaskStore + PushConfigStore + PushOutbox>(store: S) {
    task_with_configs(&store, "t", &["a"]).await;
    let whole = Arc::new(StreamResponse::Task(task_in("t", "other", TaskState::Working, 3)));
    store.append(&key("t"), 1, &[Arc::clone(&whole)]).await.unwrap();
    let claimed = claim(&store, Utc::now()).await;
    assert_eq!(names(&claimed), [name("t", "a", 2)]);
    assert_eq!(claimed[0].event, whole);
}

/// The store's queued signal (every store here has one) is notified by an
/// append that queued a delivery, by the time the append returns, and not by
/// one that queued nothing.
pub async fn outbox_signals_an_append_that_queued_and_no_other<
    S: TaskStore + PushConfigStore + PushOutbox,
>(
    store: S,
) {
    let signal = store.queued_signal().expect("the store signals what it queues");
    // A notification nobody waited for is kept for the next waiter: polling
    // once tells whether one came.
    let notified = || signal.notified().now_or_never().is_some();
    create(&store, &task("t")).await;
    store
        .append(&key("t"), 1, &[status_event("t", TaskState::Working, 1)])
        .await
        .unwrap();
    assert!(!notified(), "no config, nothing queued");
    store
        .save(TENANT, &push_config("t", "a", &hook("a")))
        .await
        .unwrap();
    assert!(!notified(), "saving a config queues nothing");
    store
        .append(&key("t"), 2, &[message_event(Message::user("hi"))])
        .await
        .unwrap();
    assert!(!notified(), "a client message is not queued");
    store
        .append(&key("t"), 3, &[status_event("t", TaskState::Completed, 2)])
        .await
        .unwrap();
    assert!(notified(), "an append that queued wakes the sender");
    assert!(!notified(), "once");
}

/// A claim hands out the deliveries due longest first, across queues: a
/// queue whose head was retried to a later time waits behind heads due
/// earlier, even heads queued after it.
pub async fn outbox_claims_the_oldest_due_first_across_queues<S: TaskStore + PushConfigStore + PushOutbox>(
    store: S,
) {
    task_with_configs(&store, "t", &["a", "b"]).await;
    task_with_configs(&store, "u", &["a"]).await;
    task_with_configs(&store, "v", &["a"]).await;
    store
        .append(&key("t"), 1, &[status_event("t", TaskState::Working, 1)])
        .await
        .unwrap();
    store
        .append(&key("u"), 1, &[status_event("u", TaskState::Working, 1)])
        .await
        .unwrap();
    let now = Utc::now();
    let claimed = claim(&store, now).await;
    assert_eq!(
        names(&claimed),
        [name("t", "a", 2), name("t", "b", 2), name("u", "a", 2)]
    );
    // Retried out of the order they were queued in.
    for push in &claimed {
        let secs = match (push.id.key.id.as_str(), push.id.config_id.as_str()) {
            ("t", "a") => 30,
            ("t", "b") => 10,
            _ => 20,
        };
        store.retry_at(push, later(now, secs)).await.unwrap();
    }
    // Queued last, due at once: before every retried head.
    store
        .append(&key("v"), 1, &[status_event("v", TaskState::Working, 1)])
        .await
        .unwrap();

    let mut order = Vec::new();
    while let Some(push) = claim_one(&store, later(now, 40)).await {
        order.push(push);
        assert!(
            order.len() <= 4,
            "a claimed delivery was handed out again: {order:?}"
        );
    }
    assert_eq!(
        order.iter().map(name_of).collect::<Vec<_>>(),
        [
            name("v", "a", 2),
            name("t", "b", 2),
            name("u", "a", 2),
            name("t", "a", 2),
        ]
    );

    // A claim that can take only some of what is due takes the oldest due.
    for push in &order {
        let secs = match (push.id.key.id.as_str(), push.id.config_id.as_str()) {
            ("t", "b") => 41,
            ("t", "a") => 42,
            ("v", "a") => 43,
            _ => 44,
        };
        store.retry_at(push, later(now, secs)).await.unwrap();
    }
    let oldest = store
        .claim_due(later(now, 50), later(now, 50 + HOLD), 2)
        .await
        .unwrap();
    assert_eq!(names(&oldest), [name("t", "a", 2), name("t", "b", 2)]);
    let rest = claim(&store, later(now, 50)).await;
    assert_eq!(names(&rest), [name("u", "a", 2), name("v", "a", 2)]);
}

// ---------------------------------------------------------------------------
// Concurrency
// ---------------------------------------------------------------------------

/// Many writers append at the same expected sequence at once: exactly one
/// wins, every other gets Conflict, and only the winner's event is stored.
/// Run it on a multi-thread runtime for real parallelism.
pub async fn concurrent_appends_at_one_sequence_have_one_winner<S: TaskStore>(store: S) {
    const WRITERS: usize = 16;
    let store = Arc::new(store);
    create(&*store, &task("t1")).await;
    let barrier = Arc::new(tokio::sync::Barrier::new(WRITERS));
    let writers: Vec<_> = (0..WRITERS)
        .map(|i| {
            let store = Arc::clone(&store);
            let barrier = Arc::clone(&barrier);
            tokio::spawn(async move {
                let event =
                    status_event_with("t1", TaskState::Working, 1, Message::agent(format!("writer {i}")));
                barrier.wait().await;
                (i, store.append(&key("t1"), 1, &[event]).await)
            })
        })
        .collect();
    let mut winners = Vec::new();
    for writer in writers {
        let (i, result) = writer.await.expect("writer panicked");
        match result {
            Ok(seq) => {
                assert_eq!(seq, 2);
                winners.push(i);
            }
            Err(err) => assert_eq!(err.kind(), StoreErrorKind::Conflict, "writer {i}: {err}"),
        }
    }
    assert_eq!(winners.len(), 1, "winners: {winners:?}");
    let stored = must_get(&*store, &key("t1")).await;
    assert_eq!(stored.sequence, 2);
    assert_eq!(
        history_texts(&stored.task),
        ["hello".to_owned(), format!("writer {}", winners[0])]
    );
    assert_eq!(store.events_after(&key("t1"), 0).await.unwrap().unwrap().len(), 2);
}
