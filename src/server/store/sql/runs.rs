//! Run ownership shared through the database: a lease row per running task.

use std::sync::Arc;
use std::time::Duration;

use super::error::classify;
use super::statements::Statements;
use super::{SqlPool, on_pool};
use crate::server::store::{StoreError, StoreErrorKind, TaskKey};
use crate::server::task::{RunLease, RunOwnership};

type BoxFuture<'a, T> = std::pin::Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Who runs which task, for every process on one database.
///
/// A claim inserts a lease row that expires after the lease time (30 s by
/// default) unless renewed; the holder renews it every third of that while
/// its run lasts and deletes it when the run settles. A process that dies
/// stops renewing, so its tasks can be claimed again once their leases
/// expire. Expiry compares the processes' clocks: keep them in sync (NTP)
/// to well within the lease time.
///
/// Get one from [`SqlStore::run_ownership`](super::SqlStore::run_ownership)
/// and give it to the handler:
///
/// ```no_run
/// # async fn run() -> Result<(), a2akit::server::store::StoreError> {
/// use a2akit::server::store::sql::SqlStore;
///
/// let store = SqlStore::connect("postgres://localhost/agent").await?;
/// let runs = store.run_ownership();
/// // RequestHandler::builder(executor).store(store).run_ownership(runs)…
/// # let _ = runs;
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct SqlRunOwnership {
    pool: SqlPool,
    sql: Arc<Statements>,
    lease: Duration,
}

impl SqlRunOwnership {
    pub(super) fn new(pool: SqlPool, sql: Arc<Statements>) -> Self {
        Self {
            pool,
            sql,
            lease: Duration::from_secs(30),
        }
    }

    /// How long a lease lasts without renewal: how soon the tasks of a
    /// process that died can run again (at least one second).
    pub fn with_lease(mut self, lease: Duration) -> Self {
        self.lease = lease.max(Duration::from_secs(1));
        self
    }

    fn expiry(&self) -> i64 {
        now_nanos().saturating_add(i64::try_from(self.lease.as_nanos()).unwrap_or(i64::MAX))
    }

    async fn try_claim(&self, key: &TaskKey, holder: &str) -> Result<bool, StoreError> {
        let sql = &self.sql;
        let now = now_nanos();
        let expires = self.expiry();
        let result: Result<bool, sqlx::Error> = on_pool!(&self.pool, |pool| {
            sqlx::query(sql.expire_run.get())
                .bind(&key.tenant)
                .bind(&key.id)
                .bind(now)
                .execute(pool)
                .await?;
            let inserted = sqlx::query(sql.insert_run.get())
                .bind(&key.tenant)
                .bind(&key.id)
                .bind(holder)
                .bind(expires)
                .execute(pool)
                .await;
            match inserted {
                Ok(_) => Ok(true),
                Err(sqlx::Error::Database(db)) if db.is_unique_violation() => Ok(false),
                Err(err) => Err(err),
            }
        });
        result.map_err(|err| classify(err, "claiming a task's run"))
    }

    /// Extends the lease; `false` when it is no longer ours.
    async fn renew(&self, key: &TaskKey, holder: &str) -> Result<bool, StoreError> {
        let sql = &self.sql;
        let expires = self.expiry();
        let result: Result<u64, sqlx::Error> = on_pool!(&self.pool, |pool| {
            sqlx::query(sql.renew_run.get())
                .bind(expires)
                .bind(&key.tenant)
                .bind(&key.id)
                .bind(holder)
                .execute(pool)
                .await
                .map(|done| done.rows_affected())
        });
        result
            .map(|renewed| renewed > 0)
            .map_err(|err| classify(err, "renewing a task's run"))
    }

    async fn release(&self, key: &TaskKey, holder: &str) {
        let sql = &self.sql;
        let result: Result<(), sqlx::Error> = on_pool!(&self.pool, |pool| {
            sqlx::query(sql.release_run.get())
                .bind(&key.tenant)
                .bind(&key.id)
                .bind(holder)
                .execute(pool)
                .await
                .map(drop)
        });
        if let Err(err) = result {
            // The lease expires by itself.
            tracing::warn!(task = %key.id, error = %classify(err, "releasing a task's run"), "run lease not released");
        }
    }
}

impl RunOwnership for SqlRunOwnership {
    fn is_shared(&self) -> bool {
        true
    }

    fn claim<'a>(&'a self, key: &'a TaskKey) -> BoxFuture<'a, Result<Option<RunLease>, StoreError>> {
        Box::pin(async move {
            let holder = uuid::Uuid::new_v4().simple().to_string();
            if !self.try_claim(key, &holder).await? {
                return Ok(None);
            }
            let owner = self.clone();
            let key = key.clone();
            let renewing = {
                let (owner, key, holder) = (owner.clone(), key.clone(), holder.clone());
                tokio::spawn(async move {
                    let mut wait = owner.lease / 3;
                    loop {
                        tokio::time::sleep(wait).await;
                        wait = owner.lease / 3;
                        match owner.renew(&key, &holder).await {
                            Ok(true) => {}
                            Ok(false) => {
                                tracing::warn!(task = %key.id, "run lease lost: another process may run the task");
                                return;
                            }
                            Err(err) => {
                                // Tried again soon: a lease that runs out hands the
                                // task to another process's recovery.
                                wait = (owner.lease / 10).max(Duration::from_millis(100));
                                if err.kind() == StoreErrorKind::Unavailable {
                                    tracing::warn!(task = %key.id, error = %err, "run lease not renewed; retrying");
                                } else {
                                    tracing::warn!(task = %key.id, error = %err, "run lease not renewed");
                                }
                            }
                        }
                    }
                })
            };
            Ok(Some(RunLease::new_async(async move {
                renewing.abort();
                owner.release(&key, &holder).await;
            })))
        })
    }
}

fn now_nanos() -> i64 {
    chrono::Utc::now().timestamp_nanos_opt().unwrap_or(i64::MAX)
}
