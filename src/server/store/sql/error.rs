//! What a driver error means to the engine.

use crate::server::store::{StoreError, StoreErrorKind};

/// Classifies a driver error met while `doing` something.
///
/// - the database down, restarting, or out of connections: `Unavailable`
///   (the caller may retry);
/// - a unique key taken, a serialization failure or a deadlock: `Conflict`;
/// - a value longer than its column: `Invalid`;
/// - a row that does not decode: `Corrupt`;
/// - anything else: `Backend`.
pub(super) fn classify(err: sqlx::Error, doing: &str) -> StoreError {
    let kind = kind_of(&err);
    let message = match kind {
        StoreErrorKind::Unavailable => format!("the database is unavailable ({doing})"),
        StoreErrorKind::Invalid => format!("a value is too long for the task store ({doing})"),
        _ => format!("the database failed ({doing})"),
    };
    StoreError::new(kind, message).with_source(err)
}

fn kind_of(err: &sqlx::Error) -> StoreErrorKind {
    match err {
        sqlx::Error::Io(_)
        | sqlx::Error::Tls(_)
        | sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::WorkerCrashed
        | sqlx::Error::Protocol(_) => StoreErrorKind::Unavailable,
        sqlx::Error::ColumnDecode { .. } | sqlx::Error::Decode(_) | sqlx::Error::ColumnNotFound(_) => {
            StoreErrorKind::Corrupt
        }
        sqlx::Error::Database(db) => {
            if db.is_unique_violation() {
                return StoreErrorKind::Conflict;
            }
            let code = db.code().unwrap_or_default();
            let code = &*code;
            let sqlite_busy = code.parse::<u32>().is_ok_and(|c| matches!(c & 0xff, 5 | 6));
            if matches!(code, "40001" | "40P01") {
                // Serialization failure or deadlock (PostgreSQL and MySQL).
                StoreErrorKind::Conflict
            } else if code == "22001" {
                // String data right truncation (PostgreSQL and MySQL).
                StoreErrorKind::Invalid
            } else if code.starts_with("08")
                || matches!(code, "57P01" | "57P02" | "57P03" | "53300" | "55P03")
                || (code == "HY000" && is_unavailable_mysql(db.message()))
                || sqlite_busy
            {
                // Connection lost, server shutting down or starting, too
                // many connections, a lock not granted in time (PostgreSQL's
                // lock_timeout, MySQL's lock wait timeout), SQLite busy or locked.
                StoreErrorKind::Unavailable
            } else {
                StoreErrorKind::Backend
            }
        }
        _ => StoreErrorKind::Backend,
    }
}

/// MySQL reports lock wait timeouts and server shutdown under the generic
/// `HY000` state; their messages tell them apart.
fn is_unavailable_mysql(message: &str) -> bool {
    let message = message.to_ascii_lowercase();
    message.contains("lock wait timeout") || message.contains("shutdown in progress")
}
