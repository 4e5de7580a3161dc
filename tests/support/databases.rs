//! Fresh databases for tests on the real servers: a PostgreSQL schema or a
//! MySQL database per test, so that tests run in parallel and a rerun starts
//! clean. Names carry the test process's id; each process drops what dead
//! processes left behind.
//!
//! The servers default to the local ones; `A2AKIT_TEST_POSTGRES_URL` and
//! `A2AKIT_TEST_MYSQL_URL` point elsewhere. A server that cannot be reached
//! fails the test: nothing is skipped.
#![allow(dead_code)]

use std::sync::atomic::{AtomicUsize, Ordering};

static NEXT: AtomicUsize = AtomicUsize::new(0);

fn fresh_name() -> String {
    format!(
        "a2akit_t_{}_{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    )
}

/// Whether a name from [`fresh_name`] belongs to a process that has ended.
fn abandoned(name: &str) -> bool {
    let pid = name
        .strip_prefix("a2akit_t_")
        .and_then(|rest| rest.split('_').next())
        .and_then(|pid| pid.parse::<u32>().ok());
    match pid {
        Some(pid) => pid != std::process::id() && !std::path::Path::new(&format!("/proc/{pid}")).exists(),
        None => false,
    }
}

#[cfg(feature = "postgres")]
pub fn postgres_base() -> String {
    std::env::var("A2AKIT_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into())
}

/// A URL whose connections work in a new, empty schema of their own.
#[cfg(feature = "postgres")]
pub async fn postgres_url() -> String {
    use sqlx::Connection as _;
    let base = postgres_base();
    let mut admin = sqlx::PgConnection::connect(&base)
        .await
        .unwrap_or_else(|err| panic!("PostgreSQL at {base} is needed for this test: {err}"));
    let stale: Vec<String> =
        sqlx::query_scalar("SELECT nspname::text FROM pg_namespace WHERE nspname LIKE 'a2akit_t_%'")
            .fetch_all(&mut admin)
            .await
            .unwrap();
    for name in stale.into_iter().filter(|n| abandoned(n)) {
        let _ = sqlx::query(sqlx::AssertSqlSafe(format!(
            "DROP SCHEMA IF EXISTS {name} CASCADE"
        )))
        .execute(&mut admin)
        .await;
    }
    let schema = fresh_name();
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE SCHEMA {schema}")))
        .execute(&mut admin)
        .await
        .unwrap();
    admin.close().await.ok();
    let separator = if base.contains('?') { '&' } else { '?' };
    format!("{base}{separator}options=-c%20search_path%3D{schema}")
}

#[cfg(feature = "mysql")]
pub fn mysql_base() -> String {
    std::env::var("A2AKIT_TEST_MYSQL_URL").unwrap_or_else(|_| "mysql://root@127.0.0.1:3306".into())
}

/// A URL of a new, empty database.
#[cfg(feature = "mysql")]
pub async fn mysql_url() -> String {
    use sqlx::Connection as _;
    let base = mysql_base();
    let mut admin = sqlx::MySqlConnection::connect(&base)
        .await
        .unwrap_or_else(|err| panic!("MySQL/MariaDB at {base} is needed for this test: {err}"));
    let stale: Vec<String> = sqlx::query_scalar(
        "SELECT CAST(schema_name AS CHAR) FROM information_schema.schemata WHERE schema_name LIKE 'a2akit\\_t\\_%'",
    )
    .fetch_all(&mut admin)
    .await
    .unwrap();
    for name in stale.into_iter().filter(|n| abandoned(n)) {
        let _ = sqlx::query(sqlx::AssertSqlSafe(format!("DROP DATABASE IF EXISTS {name}")))
            .execute(&mut admin)
            .await;
    }
    let database = fresh_name();
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "CREATE DATABASE {database} CHARACTER SET utf8mb4"
    )))
    .execute(&mut admin)
    .await
    .unwrap();
    admin.close().await.ok();
    format!("{}/{database}", base.trim_end_matches('/'))
}

/// A URL of a new SQLite file in the system's temporary directory.
#[cfg(feature = "sqlite")]
pub fn sqlite_url() -> String {
    let dir = std::env::temp_dir().join("a2akit-tests");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(format!("{}.db", fresh_name()));
    format!("sqlite://{}", path.display())
}
