//! How a store connects: pool size, timeouts, migrations.

use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use super::error::classify;
use super::{Backend, SqlPool, SqlStore, Statements};
use crate::server::store::StoreError;

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
    check_connections: bool,
    lock_timeout: Duration,
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
            check_connections: true,
            lock_timeout: Duration::from_secs(10),
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

    /// Whether a PostgreSQL or MySQL connection is checked (one round trip)
    /// each time it is taken from the pool (default: yes). Checked, a
    /// database restart costs no request; unchecked, each pooled connection
    /// the restart broke fails one call (as unavailable) before it is
    /// replaced, and every call saves the round trip (about a fifth more
    /// throughput on loopback).
    pub fn check_connections(mut self, check: bool) -> Self {
        self.check_connections = check;
        self
    }

    /// How long a PostgreSQL or MySQL statement waits for a row another
    /// session has locked before it fails as unavailable (default: ten
    /// seconds; whole seconds on MySQL), so that a stuck session elsewhere
    /// never hangs a request. Set on the connections this store opens, not
    /// on a pool handed to [`from_pool`](Self::from_pool).
    pub fn lock_timeout(mut self, timeout: Duration) -> Self {
        self.lock_timeout = timeout.max(Duration::from_millis(1));
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
            queued: Arc::default(),
            pool,
        };
        if self.migrate {
            store.migrate().await?;
        }
        Ok(store)
    }

    /// A pool for a database server whose connections run `session` (the
    /// lock timeout) when they open.
    #[cfg(any(feature = "postgres", feature = "mysql"))]
    fn server_pool<DB: sqlx::Database>(&self, session: String) -> sqlx::pool::PoolOptions<DB>
    where
        for<'c> &'c mut DB::Connection: sqlx::Executor<'c, Database = DB>,
    {
        sqlx::pool::PoolOptions::new()
            .max_connections(self.max_connections.unwrap_or(10))
            .acquire_timeout(self.acquire_timeout)
            .test_before_acquire(self.check_connections)
            .after_connect(move |connection, _| {
                let session = session.clone();
                Box::pin(async move {
                    sqlx::Executor::execute(connection, sqlx::AssertSqlSafe(session))
                        .await
                        .map(drop)
                })
            })
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
                let set = format!("SET lock_timeout = '{}ms'", self.lock_timeout.as_millis());
                let pool = self
                    .server_pool(set)
                    .connect_with(options)
                    .await
                    .map_err(|err| classify(err, "connecting to PostgreSQL"))?;
                Ok(SqlPool::Postgres(pool))
            }
            #[cfg(feature = "mysql")]
            Backend::MySql => {
                let options = sqlx::mysql::MySqlConnectOptions::from_str(url).map_err(bad_url)?;
                let seconds = self.lock_timeout.as_secs().max(1);
                let set = format!("SET SESSION innodb_lock_wait_timeout = {seconds}");
                let pool = self
                    .server_pool(set)
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
