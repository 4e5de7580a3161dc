//! The backends: which database a store is on, its pool, and the one place
//! that dispatches a body of code to each driver.

/// The database behind a [`SqlStore`](super::SqlStore).
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

    pub(super) fn feature(self) -> &'static str {
        match self {
            Self::Sqlite => "sqlite",
            Self::Postgres => "postgres",
            Self::MySql => "mysql",
        }
    }
}

/// A connection pool of one of the backends this crate was built with: what
/// [`SqlStore::from_pool`](super::SqlStore::from_pool) takes, so a store can share the application's pool.
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
pub(super) trait BeginWrite {
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
