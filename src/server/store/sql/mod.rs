//! Durable stores on SQL databases through `sqlx`: SQLite, PostgreSQL and
//! MySQL/MariaDB, one [`SqlStore`] for all three.
//!
//! # Layout
//!
//! A task is one row of what every request reads (owner, context, state,
//! status, metadata and the sequence of its last event) and its log of
//! events, one row per event. Appending never rewrites the task: it checks
//! and bumps the row's sequence (the optimistic-concurrency check), updates
//! the status when the batch changes it, and inserts the events, in one
//! transaction. History and artifacts are folded from the log when read,
//! and only the parts a [`TaskView`](super::TaskView) asks for are loaded.
//! `ListTasks` runs on indexes in the listing order (tenant, owner, then
//! context or state, newest status first), so paging never scans.
//!
//! The same transaction queues push deliveries: a row per appended event
//! (client messages excepted) and push config of the task, in an outbox
//! that senders in any process claim from ([`PushOutbox`](super::PushOutbox)).
//!
//! The schema is in the crate's `migrations/` folder, one sub-folder per
//! backend; a store applies it when it connects unless told not to
//! ([`SqlStoreOptions::migrate`]), recording what it applied in its own
//! table, `_a2akit_migrations`, so that it never meets the application's
//! own sqlx migrations. [`migrator`] hands the migrations to a pipeline that
//! runs them itself.
//!
//! # Retention
//!
//! Nothing expires by itself: tasks, every event of their logs and their
//! push configs are kept until [`TaskStore::remove`](super::TaskStore::remove)
//! or [`SqlStore::purge_finished`], so
//! [`events_after`](super::TaskStore::events_after) answers for any
//! sequence of a stored task. A queued push delivery is kept until it is
//! sent or given up on, or its config or task is removed.
//!
//! # Faults
//!
//! A database that is down or restarting makes calls fail with
//! [`StoreErrorKind::Unavailable`](super::StoreErrorKind::Unavailable) within
//! the acquire timeout (five seconds by default), which clients see as a
//! retryable error; the pool reconnects by itself once the database is back.
//! A row that cannot be read is [`StoreErrorKind::Corrupt`](super::StoreErrorKind::Corrupt)
//! for that task only.
//!
//! ```no_run
//! # async fn run() -> Result<(), a2akit::server::store::StoreError> {
//! use a2akit::server::store::sql::SqlStore;
//!
//! let store = SqlStore::connect("sqlite://agent.db").await?;
//! # let _ = store;
//! # Ok(()) }
//! ```

mod error;
mod listing;
mod options;
mod outbox;
mod pool;
mod push;
mod runs;
mod statements;
mod tasks;

use std::sync::Arc;

use sqlx::migrate::Migrator;

pub use options::SqlStoreOptions;
use pool::BeginWrite;
pub use pool::{Backend, SqlPool};
pub(crate) use pool::{driver, on_pool};
pub use runs::SqlRunOwnership;
use statements::Statements;

use super::StoreError;

/// The table in which a store records the migrations it applied.
pub const MIGRATIONS_TABLE: &str = "_a2akit_migrations";

/// Tasks, their event logs and their push configs in a SQL database.
///
/// Cheap to clone (clones share the pool). Build one with
/// [`connect`](Self::connect) from a URL, with [`from_pool`](Self::from_pool)
/// from a pool the application already has, or with [`SqlStoreOptions`] to
/// tune the pool or skip migrations.
///
/// Several processes may share one database: appends are checked against
/// the task's sequence, so concurrent writers never interleave, and
/// [`run_ownership`](Self::run_ownership) gives them a shared claim on who
/// runs a task. Push deliveries are queued in the database with the events
/// they carry, and the senders of every process share them through claims
/// ([`PushOutbox`](super::PushOutbox)): each is sent by one sender at a time,
/// and survives a restart until it is sent.
///
/// Limits: at most 100 push notification configs per task; on MySQL and
/// MariaDB, tenants, owners, task and context ids of at most 191 characters
/// (longer ones are refused as invalid parameters).
#[derive(Debug, Clone)]
pub struct SqlStore {
    pool: SqlPool,
    sql: Arc<Statements>,
    /// SQLite has one writer at a time: the store's own writers take turns
    /// here rather than in SQLite's busy handler, which sleeps in
    /// milliseconds. Other processes on the same file still wait in it.
    writer: Option<Arc<tokio::sync::Mutex<()>>>,
    /// Notified when this store (or a clone) queued push deliveries.
    queued: Arc<tokio::sync::Notify>,
}

impl SqlStore {
    /// Connects to the database `url` names (`sqlite://path`,
    /// `sqlite::memory:`, `postgres://…`, `mysql://…`) with the default
    /// [`SqlStoreOptions`], and applies the migrations.
    pub async fn connect(url: &str) -> Result<Self, StoreError> {
        SqlStoreOptions::new().connect(url).await
    }

    /// A store on a pool the application already has; applies the migrations.
    pub async fn from_pool(pool: impl Into<SqlPool>) -> Result<Self, StoreError> {
        SqlStoreOptions::new().from_pool(pool).await
    }

    /// Waits for this store's turn to write, on backends that have one writer.
    async fn write_turn(&self) -> Option<tokio::sync::MutexGuard<'_, ()>> {
        match &self.writer {
            Some(writer) => Some(writer.lock().await),
            None => None,
        }
    }

    /// The backend this store runs on.
    pub fn backend(&self) -> Backend {
        self.pool.backend()
    }

    /// The pool, to run queries of one's own or close it.
    pub fn pool(&self) -> &SqlPool {
        &self.pool
    }

    /// Applies the migrations this store has not applied yet.
    pub async fn migrate(&self) -> Result<(), StoreError> {
        let migrator = migrator(self.backend());
        let result = on_pool!(&self.pool, |pool| migrator
            .run(pool)
            .await
            .map_err(sqlx::Error::from));
        result.map_err(|err| StoreError::backend("applying the task store's migrations").with_source(err))
    }

    /// Run ownership shared by every process on this database: a follow-up
    /// message runs once whichever process receives it. See
    /// [`SqlRunOwnership`].
    pub fn run_ownership(&self) -> SqlRunOwnership {
        SqlRunOwnership::new(self.pool.clone(), Arc::clone(&self.sql))
    }

    /// Closes the pool: calls after this fail with
    /// [`StoreErrorKind::Unavailable`](super::StoreErrorKind::Unavailable).
    pub async fn close(&self) {
        let _: Result<(), sqlx::Error> = on_pool!(&self.pool, |pool| {
            pool.close().await;
            Ok(())
        });
    }
}

/// The migrations of `backend`, recorded in [`MIGRATIONS_TABLE`], for
/// applying the schema in one's own deployment pipeline (then connect with
/// [`SqlStoreOptions::migrate`] off).
///
/// ```no_run
/// # #[cfg(feature = "postgres")]
/// # async fn run(pool: sqlx::PgPool) -> Result<(), sqlx::migrate::MigrateError> {
/// use a2akit::server::store::sql::{Backend, migrator};
///
/// migrator(Backend::Postgres).run(&pool).await?;
/// # Ok(()) }
/// ```
pub fn migrator(backend: Backend) -> Migrator {
    let mut migrator = match backend {
        Backend::Sqlite => sqlx::migrate!("migrations/sqlite"),
        Backend::Postgres => sqlx::migrate!("migrations/postgres"),
        Backend::MySql => sqlx::migrate!("migrations/mysql"),
    };
    migrator.dangerous_set_table_name(MIGRATIONS_TABLE);
    migrator
}
