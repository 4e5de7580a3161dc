//! The SQL stores: the store contract against SQLite (in memory and in a
//! file), the real PostgreSQL and the real MariaDB, then what only they
//! promise: their schema, their faults, run ownership through the database.
#![cfg(any(feature = "sqlite", feature = "postgres", feature = "mysql"))]

#[path = "support/databases.rs"]
mod databases;
mod store_contract;

#[cfg(feature = "sqlite")]
mod sqlite_memory {
    use a2akit::server::store::sql::SqlStore;
    crate::store_contract::contract_tests!(SqlStore::connect("sqlite::memory:").await.unwrap());
}

#[cfg(feature = "sqlite")]
mod sqlite_file {
    use a2akit::server::store::sql::SqlStore;
    crate::store_contract::contract_tests!(SqlStore::connect(&crate::databases::sqlite_url()).await.unwrap());
}

#[cfg(feature = "postgres")]
mod postgres {
    use a2akit::server::store::sql::SqlStore;
    crate::store_contract::contract_tests!(
        SqlStore::connect(&crate::databases::postgres_url().await)
            .await
            .unwrap()
    );
}

#[cfg(feature = "mysql")]
mod mysql {
    use a2akit::server::store::sql::SqlStore;
    crate::store_contract::contract_tests!(
        SqlStore::connect(&crate::databases::mysql_url().await)
            .await
            .unwrap()
    );
}

// ---------------------------------------------------------------------------
// What only the SQL stores promise, on every backend this build has
// ---------------------------------------------------------------------------

use std::time::Duration;

use a2akit::server::store::sql::{SqlPool, SqlStore, SqlStoreOptions};
use a2akit::server::store::{StoreErrorKind, TaskView};
use a2akit::server::task::RunOwnership;
use a2akit::server::{PushConfigStore, TaskStore};
use a2akit::types::TaskState;
use store_contract::{key, push_config, status_event, task, task_in};

/// A fresh store of each backend this build has, with its URL.
async fn fresh_stores() -> Vec<(String, SqlStore)> {
    let mut urls = Vec::new();
    #[cfg(feature = "sqlite")]
    urls.push(databases::sqlite_url());
    #[cfg(feature = "postgres")]
    urls.push(databases::postgres_url().await);
    #[cfg(feature = "mysql")]
    urls.push(databases::mysql_url().await);
    let mut stores = Vec::new();
    for url in urls {
        let store = SqlStore::connect(&url).await.unwrap();
        stores.push((url, store));
    }
    stores
}

/// Runs one statement of the test's own on the store's database.
async fn execute(store: &SqlStore, statement: &str) {
    let statement = sqlx::AssertSqlSafe(statement.to_owned());
    match store.pool() {
        #[cfg(feature = "sqlite")]
        SqlPool::Sqlite(pool) => sqlx::query(statement).execute(pool).await.map(drop),
        #[cfg(feature = "postgres")]
        SqlPool::Postgres(pool) => sqlx::query(statement).execute(pool).await.map(drop),
        #[cfg(feature = "mysql")]
        SqlPool::MySql(pool) => sqlx::query(statement).execute(pool).await.map(drop),
        _ => unreachable!("a backend this build has"),
    }
    .unwrap();
}

#[tokio::test]
async fn a_corrupt_row_fails_its_own_task_only() {
    for (url, store) in fresh_stores().await {
        for id in ["status", "event", "fine"] {
            store.create(&key(id), "", &task(id)).await.unwrap();
            store
                .append(&key(id), 1, &[status_event(id, TaskState::Completed, 5)])
                .await
                .unwrap();
        }
        execute(
            &store,
            "UPDATE a2a_tasks SET status = '{\"state\": 42' WHERE id = 'status'",
        )
        .await;
        execute(
            &store,
            "UPDATE a2a_task_events SET body = 'not json' WHERE task_id = 'event' AND seq = 1",
        )
        .await;

        for id in ["status", "event"] {
            let err = TaskStore::get(&store, &key(id), TaskView::FULL)
                .await
                .unwrap_err();
            assert_eq!(err.kind(), StoreErrorKind::Corrupt, "{url}: {id}: {err}");
            assert!(
                err.to_string().contains(id),
                "{url}: the error names the task: {err}"
            );
        }
        let events = store.events_after(&key("event"), 0).await.unwrap_err();
        assert_eq!(events.kind(), StoreErrorKind::Corrupt, "{url}");

        // Everything else still works, on the same pool.
        let fine = TaskStore::get(&store, &key("fine"), TaskView::FULL)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(fine.task.status.state, TaskState::Completed, "{url}");
        store.create(&key("after"), "", &task("after")).await.unwrap();
        assert!(
            TaskStore::get(&store, &key("after"), TaskView::FULL)
                .await
                .unwrap()
                .is_some()
        );
    }
}

#[tokio::test]
async fn an_unreachable_database_fails_fast_and_retryably() {
    let mut urls = Vec::new();
    #[cfg(feature = "postgres")]
    urls.push("postgres://postgres@127.0.0.1:9/test");
    #[cfg(feature = "mysql")]
    urls.push("mysql://root@127.0.0.1:9/test");
    #[cfg(feature = "sqlite")]
    urls.push("sqlite:///nonexistent-dir/for/sure/agent.db");
    for url in urls {
        let started = std::time::Instant::now();
        let err = SqlStoreOptions::new()
            .acquire_timeout(Duration::from_secs(2))
            .connect(url)
            .await
            .unwrap_err();
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "{url}: took {:?}",
            started.elapsed()
        );
        if !url.starts_with("sqlite") {
            assert_eq!(err.kind(), StoreErrorKind::Unavailable, "{url}: {err}");
            assert!(err.is_retryable());
        }
    }
}

#[tokio::test]
async fn a_closed_pool_is_unavailable_not_a_panic() {
    for (url, store) in fresh_stores().await {
        store.create(&key("t"), "", &task("t")).await.unwrap();
        store.close().await;
        let err = TaskStore::get(&store, &key("t"), TaskView::FULL)
            .await
            .unwrap_err();
        assert_eq!(err.kind(), StoreErrorKind::Unavailable, "{url}: {err}");
        let err = store
            .append(&key("t"), 1, &[status_event("t", TaskState::Working, 1)])
            .await
            .unwrap_err();
        assert_eq!(err.kind(), StoreErrorKind::Unavailable, "{url}: {err}");
    }
}

#[tokio::test]
async fn events_are_appended_not_rewritten() {
    for (url, store) in fresh_stores().await {
        store
            .create(&key("t"), "", &task_in("t", "ctx", TaskState::Working, 0))
            .await
            .unwrap();
        let mut at = 1;
        for i in 0..20 {
            at = store
                .append(&key("t"), at, &[status_event("t", TaskState::Working, i)])
                .await
                .unwrap();
        }
        // The creation event is the one written at creation, untouched.
        let events = store.events_after(&key("t"), 0).await.unwrap().unwrap();
        assert_eq!(events.len(), 21, "{url}");
        assert_eq!(
            events.iter().map(|e| e.sequence).collect::<Vec<_>>(),
            (1..=21).collect::<Vec<_>>()
        );
    }
}

#[tokio::test]
async fn push_configs_go_with_their_task() {
    for (url, store) in fresh_stores().await {
        store.create(&key("t"), "", &task("t")).await.unwrap();
        store
            .save(
                store_contract::TENANT,
                &push_config("t", "a", "https://example.com/a"),
            )
            .await
            .unwrap();
        store.remove(&key("t")).await.unwrap();
        store.create(&key("t"), "", &task("t")).await.unwrap();
        assert!(
            PushConfigStore::list(&store, store_contract::TENANT, "t")
                .await
                .unwrap()
                .is_empty(),
            "{url}"
        );
    }
}

#[tokio::test]
async fn a_push_config_limit_holds_per_task() {
    for (url, store) in fresh_stores().await {
        store.create(&key("t"), "", &task("t")).await.unwrap();
        for i in 0..100 {
            store
                .save(
                    store_contract::TENANT,
                    &push_config("t", &format!("c{i}"), "https://example.com/h"),
                )
                .await
                .unwrap();
        }
        let err = store
            .save(
                store_contract::TENANT,
                &push_config("t", "one-more", "https://example.com/h"),
            )
            .await
            .unwrap_err();
        assert_eq!(err.kind(), StoreErrorKind::Capacity, "{url}");
        // Replacing one is still fine.
        store
            .save(
                store_contract::TENANT,
                &push_config("t", "c7", "https://example.com/new"),
            )
            .await
            .unwrap();
    }
}

#[cfg(feature = "mysql")]
#[tokio::test]
async fn an_id_longer_than_mysql_holds_is_invalid_not_a_failure() {
    let store = SqlStore::connect(&databases::mysql_url().await).await.unwrap();
    let long = "x".repeat(300);
    let err = store.create(&key(&long), "", &task(&long)).await.unwrap_err();
    assert_eq!(err.kind(), StoreErrorKind::Invalid, "{err}");
    let err: a2akit::Error = err.into();
    assert_eq!(err.kind(), a2akit::ErrorKind::InvalidParams);
}

#[tokio::test]
async fn run_ownership_is_shared_by_every_store_on_one_database() {
    for (url, first) in fresh_stores().await {
        let second = SqlStore::connect(&url).await.unwrap();
        let (a, b) = (first.run_ownership(), second.run_ownership());
        let lease = a.claim(&key("t")).await.unwrap().expect("the first claim wins");
        assert!(
            b.claim(&key("t")).await.unwrap().is_none(),
            "{url}: held elsewhere"
        );
        assert!(
            a.claim(&key("t")).await.unwrap().is_none(),
            "{url}: held by this process too"
        );
        assert!(
            b.claim(&key("other")).await.unwrap().is_some(),
            "{url}: other tasks are free"
        );
        lease.release().await;
        assert!(
            b.claim(&key("t")).await.unwrap().is_some(),
            "{url}: free once released"
        );
    }
}

#[tokio::test]
async fn a_lease_whose_holder_died_expires() {
    for (url, first) in fresh_stores().await {
        if url.starts_with("sqlite") {
            continue; // one file, one process here: covered by the others.
        }
        let a = first.run_ownership().with_lease(Duration::from_secs(1));
        let lease = a.claim(&key("t")).await.unwrap().unwrap();
        // The holder's process dies: nothing renews or releases the lease.
        std::mem::forget(lease);
        first.close().await;

        let second = SqlStore::connect(&url).await.unwrap();
        let b = second.run_ownership().with_lease(Duration::from_secs(1));
        assert!(b.claim(&key("t")).await.unwrap().is_none(), "{url}: still held");
        tokio::time::sleep(Duration::from_millis(1500)).await;
        assert!(b.claim(&key("t")).await.unwrap().is_some(), "{url}: expired");
    }
}

#[tokio::test]
async fn purging_removes_only_tasks_finished_before_the_cutoff() {
    for (url, store) in fresh_stores().await {
        // Finished long ago, finished lately, and waiting since long ago.
        for (id, state, secs) in [
            ("old-done", TaskState::Completed, 0),
            ("old-failed", TaskState::Failed, 10),
            ("new-done", TaskState::Completed, 5_000),
            ("old-waiting", TaskState::InputRequired, 0),
        ] {
            store.create(&key(id), "", &task(id)).await.unwrap();
            store
                .append(&key(id), 1, &[status_event(id, state, secs)])
                .await
                .unwrap();
            store
                .save(
                    store_contract::TENANT,
                    &push_config(id, "hook", "https://example.com/h"),
                )
                .await
                .unwrap();
        }
        let purged = store.purge_finished(store_contract::at(1_000)).await.unwrap();
        assert_eq!(purged, 2, "{url}");
        for (id, kept) in [
            ("old-done", false),
            ("old-failed", false),
            ("new-done", true),
            ("old-waiting", true),
        ] {
            let found = TaskStore::get(&store, &key(id), TaskView::FULL).await.unwrap();
            assert_eq!(found.is_some(), kept, "{url}: {id}");
            assert_eq!(
                store.events_after(&key(id), 0).await.unwrap().is_some(),
                kept,
                "{url}: {id}"
            );
            let configs = PushConfigStore::list(&store, store_contract::TENANT, id)
                .await
                .unwrap();
            assert_eq!(!configs.is_empty(), kept, "{url}: {id}");
        }
        assert_eq!(
            store.purge_finished(store_contract::at(1_000)).await.unwrap(),
            0,
            "{url}"
        );
    }
}

/// Holds the row lock of task `id` in a transaction of its own until `release` fires.
#[cfg(any(feature = "postgres", feature = "mysql"))]
async fn lock_row(
    store: &SqlStore,
    id: &str,
    locked: tokio::sync::oneshot::Sender<()>,
    release: tokio::sync::oneshot::Receiver<()>,
) {
    let statement = format!("SELECT last_seq FROM a2a_tasks WHERE id = '{id}' FOR UPDATE");
    match store.pool() {
        #[cfg(feature = "postgres")]
        SqlPool::Postgres(pool) => {
            let mut tx = pool.begin().await.unwrap();
            sqlx::query(sqlx::AssertSqlSafe(statement))
                .execute(&mut *tx)
                .await
                .unwrap();
            locked.send(()).unwrap();
            release.await.ok();
            tx.rollback().await.unwrap();
        }
        #[cfg(feature = "mysql")]
        SqlPool::MySql(pool) => {
            let mut tx = pool.begin().await.unwrap();
            sqlx::query(sqlx::AssertSqlSafe(statement))
                .execute(&mut *tx)
                .await
                .unwrap();
            locked.send(()).unwrap();
            release.await.ok();
            tx.rollback().await.unwrap();
        }
        _ => unreachable!("a server database"),
    }
}

#[cfg(any(feature = "postgres", feature = "mysql"))]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_row_locked_elsewhere_fails_a_write_in_time_instead_of_hanging() {
    let mut urls = Vec::new();
    #[cfg(feature = "postgres")]
    urls.push(databases::postgres_url().await);
    #[cfg(feature = "mysql")]
    urls.push(databases::mysql_url().await);
    for url in urls {
        let store = SqlStoreOptions::new()
            .lock_timeout(Duration::from_secs(1))
            .connect(&url)
            .await
            .unwrap();
        store.create(&key("t"), "", &task("t")).await.unwrap();
        let (locked_tx, locked) = tokio::sync::oneshot::channel();
        let (release, release_rx) = tokio::sync::oneshot::channel();
        let holder = {
            let store = store.clone();
            tokio::spawn(async move { lock_row(&store, "t", locked_tx, release_rx).await })
        };
        locked.await.unwrap();
        let started = std::time::Instant::now();
        let err = store
            .append(&key("t"), 1, &[status_event("t", TaskState::Working, 1)])
            .await
            .unwrap_err();
        assert_eq!(err.kind(), StoreErrorKind::Unavailable, "{url}: {err}");
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "{url}: {:?}",
            started.elapsed()
        );
        release.send(()).unwrap();
        holder.await.unwrap();
        store
            .append(&key("t"), 1, &[status_event("t", TaskState::Working, 1)])
            .await
            .expect("the write goes through once the lock is gone");
    }
}

// ---------------------------------------------------------------------------
// The push outbox: what the contract cannot see from one store handle
// ---------------------------------------------------------------------------

mod outbox {
    use a2akit::server::store::sql::SqlStore;
    use a2akit::server::store::{PushOutbox, TaskStore};
    use a2akit::types::TaskState;
    use chrono::Utc;
    use futures_util::FutureExt as _;

    use crate::store_contract::{
        HOLD, claim, key, later, name, names, status_event, task_with_configs, two_statuses,
    };
    use crate::{execute, fresh_stores};

    #[tokio::test]
    async fn a_claim_holds_against_another_store_on_the_same_database() {
        for (url, first) in fresh_stores().await {
            let second = SqlStore::connect(&url).await.unwrap();
            task_with_configs(&first, "t", &["a", "b"]).await;
            first
                .append(&key("t"), 1, &[status_event("t", TaskState::Working, 1)])
                .await
                .unwrap();
            let now = Utc::now();
            let mine = claim(&first, now).await;
            assert_eq!(mine.len(), 2, "{url}");
            assert!(claim(&second, now).await.is_empty(), "{url}: held by the first");
            let theirs = claim(&second, later(now, HOLD)).await;
            assert_eq!(names(&theirs), names(&mine), "{url}: free once the claim ran out");
            assert!(theirs.iter().all(|p| p.attempts == 2), "{url}");

            // Racing for the same heads: each is won once.
            let ids: Vec<String> = (0..6).map(|i| format!("c{i}")).collect();
            let ids: Vec<&str> = ids.iter().map(String::as_str).collect();
            task_with_configs(&first, "u", &ids).await;
            first
                .append(&key("u"), 1, &[status_event("u", TaskState::Working, 1)])
                .await
                .unwrap();
            let now = Utc::now();
            let until = later(now, HOLD);
            let (x, y) = tokio::join!(
                first.claim_due(now, until, 100),
                second.claim_due(now, until, 100)
            );
            let mut all = x.unwrap();
            all.extend(y.unwrap());
            let all = names(&all);
            let mut unique = all.clone();
            unique.dedup();
            assert_eq!(all, unique, "{url}: a head claimed twice");
            assert_eq!(all.len(), 6, "{url}");
        }
    }

    #[tokio::test]
    async fn a_clone_of_a_store_wakes_the_same_sender() {
        for (url, store) in fresh_stores().await {
            let signal = store.queued_signal().expect("a SQL store signals");
            task_with_configs(&store, "t", &["a"]).await;
            store
                .clone()
                .append(&key("t"), 1, &[status_event("t", TaskState::Completed, 2)])
                .await
                .unwrap();
            assert!(
                signal.notified().now_or_never().is_some(),
                "{url}: an append through a clone that queued wakes the sender"
            );
        }
    }

    #[tokio::test]
    async fn a_delivery_that_cannot_be_read_is_dropped_and_its_queue_moves_on() {
        for (url, store) in fresh_stores().await {
            task_with_configs(&store, "t", &["a"]).await;
            task_with_configs(&store, "u", &["a"]).await;
            two_statuses(&store, "t").await;
            store
                .append(&key("u"), 1, &[status_event("u", TaskState::Working, 1)])
                .await
                .unwrap();
            execute(
                &store,
                "UPDATE a2a_task_events SET body = 'not json' WHERE task_id = 't' AND seq = 2",
            )
            .await;
            let claimed = claim(&store, Utc::now()).await;
            assert_eq!(names(&claimed), [name("t", "a", 3), name("u", "a", 2)], "{url}");
        }
    }
}
