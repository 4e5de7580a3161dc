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
//! The schema is in the crate's `migrations/` folder, one sub-folder per
//! backend; a store applies it when it connects unless told not to
//! ([`SqlStoreOptions::migrate`]), recording what it applied in its own
//! table, `_a2akit_migrations`, so that it never meets the application's
//! own sqlx migrations. [`migrator`] hands the migrations to a pipeline that
//! runs them itself.
//!
//! # Retention
//!
//! Nothing expires: tasks, every event of their logs and their push configs
//! are kept until [`TaskStore::remove`](super::TaskStore::remove), so
//! [`events_after`](super::TaskStore::events_after) answers for any
//! sequence of a stored task.
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
mod push;
mod runs;
mod statements;
mod tasks;

use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use sqlx::migrate::Migrator;

pub use runs::SqlRunOwnership;
use statements::Statements;

use super::StoreError;
use error::classify;

/// The table in which a store records the migrations it applied.
pub const MIGRATIONS_TABLE: &str = "_a2akit_migrations";

/// The database behind a [`SqlStore`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Backend {
    /// SQLite (feature `sqlite`).
    Sqlite,
    /// PostgreSQL (feature `postgres`).
    Postgres,
    /// MySQL or MariaDB (feature `mysql`).
    MySql,
}

impl Backend {
    /// The backend a connection URL names by its scheme: `sqlite:`,
    /// `postgres:` or `postgresql:`, `mysql:` or `mariadb:`.
    ///
    /// ```
    /// use a2akit::server::store::sql::Backend;
    ///
    /// assert_eq!(Backend::from_url("postgres://localhost/agent"), Some(Backend::Postgres));
    /// assert_eq!(Backend::from_url("sqlite::memory:"), Some(Backend::Sqlite));
    /// assert_eq!(Backend::from_url("redis://localhost"), None);
    /// ```
    pub fn from_url(url: &str) -> Option<Self> {
        let scheme = url.split_once(':')?.0.to_ascii_lowercase();
        match scheme.as_str() {
            "sqlite" => Some(Self::Sqlite),
            "postgres" | "postgresql" => Some(Self::Postgres),
            "mysql" | "mariadb" => Some(Self::MySql),
            _ => None,
        }
    }

    fn feature(self) -> &'static str {
        match self {
            Self::Sqlite => "sqlite",
            Self::Postgres => "postgres",
            Self::MySql => "mysql",
        }
    }
}

/// A connection pool of one of the backends this crate was built with: what
/// [`SqlStore::from_pool`] takes, so a store can share the application's pool.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum SqlPool {
    /// A SQLite pool.
    #[cfg(feature = "sqlite")]
    Sqlite(sqlx::SqlitePool),
    /// A PostgreSQL pool.
    #[cfg(feature = "postgres")]
    Postgres(sqlx::PgPool),
    /// A MySQL or MariaDB pool.
    #[cfg(feature = "mysql")]
    MySql(sqlx::MySqlPool),
}

#[cfg(feature = "sqlite")]
impl From<sqlx::SqlitePool> for SqlPool {
    fn from(pool: sqlx::SqlitePool) -> Self {
        Self::Sqlite(pool)
    }
}

#[cfg(feature = "postgres")]
impl From<sqlx::PgPool> for SqlPool {
    fn from(pool: sqlx::PgPool) -> Self {
        Self::Postgres(pool)
    }
}

#[cfg(feature = "mysql")]
impl From<sqlx::MySqlPool> for SqlPool {
    fn from(pool: sqlx::MySqlPool) -> Self {
        Self::MySql(pool)
    }
}

impl SqlPool {
    /// The backend of this pool.
    pub fn backend(&self) -> Backend {
        match self {
            #[cfg(feature = "sqlite")]
            Self::Sqlite(_) => Backend::Sqlite,
            #[cfg(feature = "postgres")]
            Self::Postgres(_) => Backend::Postgres,
            #[cfg(feature = "mysql")]
            Self::MySql(_) => Backend::MySql,
        }
    }
}

/// Runs `$body` with `$pool` bound to the concrete pool, once per backend:
/// the code is written once and type-checked against each driver. The body
/// is an async block of its own: `?` and `return` leave the body, with a
/// `sqlx::Error`.
macro_rules! on_pool {
    ($pool:expr, |$p:ident| $body:expr) => {
        match $pool {
            #[cfg(feature = "sqlite")]
            $crate::server::store::sql::SqlPool::Sqlite($p) => {
                $crate::server::store::sql::driver(async { $body }).await
            }
            #[cfg(feature = "postgres")]
            $crate::server::store::sql::SqlPool::Postgres($p) => {
                $crate::server::store::sql::driver(async { $body }).await
            }
            #[cfg(feature = "mysql")]
            $crate::server::store::sql::SqlPool::MySql($p) => {
                $crate::server::store::sql::driver(async { $body }).await
            }
        }
    };
}

/// Fixes the error type of an [`on_pool!`] body.
pub(crate) fn driver<T, F: Future<Output = Result<T, sqlx::Error>>>(body: F) -> F {
    body
}

pub(crate) use on_pool;

/// Starting a write transaction the way each backend wants it: SQLite takes
/// its write lock up front (`BEGIN IMMEDIATE`), so that a transaction that
/// reads first never fails to upgrade; the others begin as usual.
trait BeginWrite {
    type Db: sqlx::Database;

    fn begin_write(
        &self,
    ) -> impl Future<Output = Result<sqlx::Transaction<'static, Self::Db>, sqlx::Error>> + Send;
}

#[cfg(feature = "sqlite")]
impl BeginWrite for sqlx::SqlitePool {
    type Db = sqlx::Sqlite;

    fn begin_write(
        &self,
    ) -> impl Future<Output = Result<sqlx::Transaction<'static, sqlx::Sqlite>, sqlx::Error>> + Send {
        self.begin_with("BEGIN IMMEDIATE")
    }
}

#[cfg(feature = "postgres")]
impl BeginWrite for sqlx::PgPool {
    type Db = sqlx::Postgres;

    fn begin_write(
        &self,
    ) -> impl Future<Output = Result<sqlx::Transaction<'static, sqlx::Postgres>, sqlx::Error>> + Send {
        self.begin()
    }
}

#[cfg(feature = "mysql")]
impl BeginWrite for sqlx::MySqlPool {
    type Db = sqlx::MySql;

    fn begin_write(
        &self,
    ) -> impl Future<Output = Result<sqlx::Transaction<'static, sqlx::MySql>, sqlx::Error>> + Send {
        self.begin()
    }
}

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
/// runs a task.
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

/// How a [`SqlStore`] connects.
///
/// ```no_run
/// # async fn run() -> Result<(), a2akit::server::store::StoreError> {
/// use std::time::Duration;
/// use a2akit::server::store::sql::SqlStoreOptions;
///
/// let store = SqlStoreOptions::new()
///     .max_connections(20)
///     .acquire_timeout(Duration::from_secs(2))
///     .migrate(false)
///     .connect("postgres://agent@db.internal/agent")
///     .await?;
/// # let _ = store;
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct SqlStoreOptions {
    migrate: bool,
    max_connections: Option<u32>,
    acquire_timeout: Duration,
    busy_timeout: Duration,
}

impl Default for SqlStoreOptions {
    fn default() -> Self {
        Self::new()
    }
}

impl SqlStoreOptions {
    /// The defaults: migrations applied; ten connections (four for a SQLite
    /// file, one for an in-memory SQLite database); a caller waits at most
    /// five seconds for a connection; SQLite waits up to five seconds for
    /// its write lock.
    pub fn new() -> Self {
        Self {
            migrate: true,
            max_connections: None,
            acquire_timeout: Duration::from_secs(5),
            busy_timeout: Duration::from_secs(5),
        }
    }

    /// Whether to apply the migrations when connecting (default: yes).
    pub fn migrate(mut self, migrate: bool) -> Self {
        self.migrate = migrate;
        self
    }

    /// The size of the connection pool.
    pub fn max_connections(mut self, max: u32) -> Self {
        self.max_connections = Some(max.max(1));
        self
    }

    /// How long a call waits for a connection before it fails as
    /// unavailable: what a client waits when the database is down.
    pub fn acquire_timeout(mut self, timeout: Duration) -> Self {
        self.acquire_timeout = timeout;
        self
    }

    /// How long SQLite waits for another connection's write to finish.
    pub fn busy_timeout(mut self, timeout: Duration) -> Self {
        self.busy_timeout = timeout;
        self
    }

    /// Connects to the database `url` names. SQLite files are created when
    /// missing and run in WAL mode.
    pub async fn connect(self, url: &str) -> Result<SqlStore, StoreError> {
        let backend = Backend::from_url(url).ok_or_else(|| {
            StoreError::backend("not a database URL this store knows: use sqlite:, postgres: or mysql:")
        })?;
        let pool = self.open(backend, url).await?;
        self.from_pool(pool).await
    }

    /// A store on an existing pool.
    pub async fn from_pool(self, pool: impl Into<SqlPool>) -> Result<SqlStore, StoreError> {
        let pool = pool.into();
        let store = SqlStore {
            sql: Arc::new(Statements::new(pool.backend())),
            writer: (pool.backend() == Backend::Sqlite).then(Default::default),
            pool,
        };
        if self.migrate {
            store.migrate().await?;
        }
        Ok(store)
    }

    async fn open(&self, backend: Backend, url: &str) -> Result<SqlPool, StoreError> {
        let bad_url = |err: sqlx::Error| StoreError::backend("an invalid database URL").with_source(err);
        match backend {
            #[cfg(feature = "sqlite")]
            Backend::Sqlite => {
                use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqliteSynchronous};
                let options = SqliteConnectOptions::from_str(url)
                    .map_err(bad_url)?
                    .create_if_missing(true)
                    .busy_timeout(self.busy_timeout)
                    .foreign_keys(true);
                let in_memory = url.contains(":memory:") || url.contains("mode=memory");
                let options = if in_memory {
                    options
                } else {
                    // WAL: readers never wait for the writer. NORMAL sync:
                    // a committed event survives the process being killed.
                    options
                        .journal_mode(SqliteJournalMode::Wal)
                        .synchronous(SqliteSynchronous::Normal)
                };
                // An in-memory database lives as long as its one connection.
                let pool = sqlx::pool::PoolOptions::new()
                    .max_connections(match in_memory {
                        true => 1,
                        false => self.max_connections.unwrap_or(4),
                    })
                    .min_connections(u32::from(in_memory))
                    .idle_timeout((!in_memory).then_some(Duration::from_secs(600)))
                    .max_lifetime((!in_memory).then_some(Duration::from_secs(1800)))
                    .acquire_timeout(self.acquire_timeout)
                    .connect_with(options)
                    .await
                    .map_err(|err| classify(err, "connecting to SQLite"))?;
                Ok(SqlPool::Sqlite(pool))
            }
            #[cfg(feature = "postgres")]
            Backend::Postgres => {
                let options = sqlx::postgres::PgConnectOptions::from_str(url).map_err(bad_url)?;
                let pool = sqlx::pool::PoolOptions::new()
                    .max_connections(self.max_connections.unwrap_or(10))
                    .acquire_timeout(self.acquire_timeout)
                    .test_before_acquire(false)
                    .connect_with(options)
                    .await
                    .map_err(|err| classify(err, "connecting to PostgreSQL"))?;
                Ok(SqlPool::Postgres(pool))
            }
            #[cfg(feature = "mysql")]
            Backend::MySql => {
                let options = sqlx::mysql::MySqlConnectOptions::from_str(url).map_err(bad_url)?;
                let pool = sqlx::pool::PoolOptions::new()
                    .max_connections(self.max_connections.unwrap_or(10))
                    .acquire_timeout(self.acquire_timeout)
                    .test_before_acquire(false)
                    .connect_with(options)
                    .await
                    .map_err(|err| classify(err, "connecting to MySQL"))?;
                Ok(SqlPool::MySql(pool))
            }
            #[allow(unreachable_patterns)]
            other => Err(StoreError::backend(format!(
                "this build has no {} store: enable the crate's `{}` feature",
                other.feature(),
                other.feature()
            ))),
        }
    }
}
