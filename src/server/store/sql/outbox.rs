//! [`PushOutbox`] on SQL: a row per delivery waiting, claimed by moving its
//! due time past the claim's end.
//!
//! A claim reads the heads of the queues that are due, then takes each with
//! an update that only succeeds if the row is still as read: of several
//! processes reading the same head, one takes it and the others skip it.

use std::sync::Arc;

use chrono::{DateTime, Utc};

use super::error::classify;
use super::tasks::from_json;
use super::{SqlStore, on_pool, push};
use crate::server::store::cursor::nanos;
use crate::server::store::{PendingPush, PushId, PushOutbox, StoreError, StoreErrorKind, TaskKey};
use crate::types::{StreamResponse, TaskPushNotificationConfig};

/// A delivery as read: its key (tenant, task, config, sequence), attempts,
/// queued and due times, the event's JSON and the config's JSON (either
/// missing when gone).
type DueRow = (
    String,
    String,
    String,
    i64,
    i32,
    i64,
    i64,
    Option<String>,
    Option<String>,
);

/// A row's primary key as stored, and its attempts as read.
type RowKey = (String, String, String, i64, i32);

/// A head that reads well, ready to be claimed.
struct Candidate {
    id: PushId,
    seq: i64,
    attempts: i32,
    due_at: i64,
    queued_at: DateTime<Utc>,
    config: TaskPushNotificationConfig,
    event: Arc<StreamResponse>,
}

/// What to do with a row that was read.
enum Read {
    Claim(Box<Candidate>),
    /// Unreadable, or its config is gone: delete it so its queue moves on.
    Discard(RowKey),
}

fn read(row: DueRow) -> Read {
    let (tenant, task_id, config_id, seq, attempts, queued_at, due_at, event, config) = row;
    let key = TaskKey::new(tenant, task_id);
    let Some(config) = config else {
        // Deleted while the append that queued this was in flight.
        tracing::debug!(task_id = %key.id, config_id, "a queued push delivery lost its config: dropped");
        return Read::Discard((key.tenant, key.id, config_id, seq, attempts));
    };
    let decoded = (|| {
        let sequence = u64::try_from(seq).map_err(|_| {
            StoreError::new(
                StoreErrorKind::Corrupt,
                format!("a queued push delivery of task {} has sequence {seq}", key.id),
            )
        })?;
        let event = event.ok_or_else(|| {
            StoreError::new(
                StoreErrorKind::Corrupt,
                format!(
                    "event {seq} of task {} is queued for a push but not logged",
                    key.id
                ),
            )
        })?;
        let event: StreamResponse = from_json(&event, &key)?;
        let config = push::decode(&config, &key.tenant, &key.id)?;
        Ok::<_, StoreError>((sequence, event, config))
    })();
    match decoded {
        Ok((sequence, event, config)) => Read::Claim(Box::new(Candidate {
            id: PushId {
                key,
                config_id,
                sequence,
            },
            seq,
            attempts,
            due_at,
            queued_at: DateTime::from_timestamp_nanos(queued_at),
            config,
            event: Arc::new(event),
        })),
        Err(err) => {
            tracing::warn!(
                task_id = %key.id,
                config_id,
                sequence = seq,
                error = %err,
                "a queued push delivery cannot be read: dropped"
            );
            Read::Discard((key.tenant, key.id, config_id, seq, attempts))
        }
    }
}

impl SqlStore {
    /// Wakes a sender in this process once `queued` deliveries are committed.
    pub(super) fn pushes_queued(&self, queued: u64) {
        if queued > 0 {
            self.queued.notify_one();
        }
    }

    /// Runs `statement` (finish or retry: `due_at` first when given, then
    /// the delivery's key and the attempts of the claim that must still hold it).
    async fn settle(
        &self,
        statement: &super::statements::Sql,
        due_at: Option<i64>,
        push: &PendingPush,
    ) -> Result<(), sqlx::Error> {
        let id = &push.id;
        let sequence = super::tasks::seq(id.sequence);
        let attempts = i32::try_from(push.attempts).unwrap_or(i32::MAX);
        on_pool!(&self.pool, |pool| {
            let _turn = self.write_turn().await;
            let mut query = sqlx::query(statement.get());
            if let Some(due_at) = due_at {
                query = query.bind(due_at);
            }
            query
                .bind(&id.key.tenant)
                .bind(&id.key.id)
                .bind(&id.config_id)
                .bind(sequence)
                .bind(attempts)
                .execute(pool)
                .await
                .map(drop)
        })
    }

    /// At most `limit` heads of queues due at `now`, oldest due first.
    async fn due_heads(&self, now: i64, limit: usize) -> Result<Vec<DueRow>, StoreError> {
        let sql = &self.sql;
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let rows: Result<Vec<DueRow>, sqlx::Error> = on_pool!(&self.pool, |pool| {
            sqlx::query_as(sql.due_pushes.get())
                .bind(now)
                .bind(limit)
                .fetch_all(pool)
                .await
        });
        rows.map_err(|err| classify(err, "reading the push outbox"))
    }

    /// Deletes `dropped` and claims `candidates` until `until`; returns
    /// which candidates this store won.
    async fn take(
        &self,
        candidates: &[Box<Candidate>],
        dropped: &[RowKey],
        until: i64,
    ) -> Result<Vec<bool>, StoreError> {
        if candidates.is_empty() && dropped.is_empty() {
            // Nothing to write: no turn of SQLite's writer taken.
            return Ok(Vec::new());
        }
        let sql = &self.sql;
        let won: Result<Vec<bool>, sqlx::Error> = on_pool!(&self.pool, |pool| {
            let _turn = self.write_turn().await;
            for (tenant, task_id, config_id, seq, attempts) in dropped {
                // Unless another process claimed it since it was read.
                sqlx::query(sql.finish_push.get())
                    .bind(tenant)
                    .bind(task_id)
                    .bind(config_id)
                    .bind(seq)
                    .bind(attempts)
                    .execute(pool)
                    .await?;
            }
            let mut won = Vec::with_capacity(candidates.len());
            for candidate in candidates {
                let claimed = sqlx::query(sql.claim_push.get())
                    .bind(until)
                    .bind(&candidate.id.key.tenant)
                    .bind(&candidate.id.key.id)
                    .bind(&candidate.id.config_id)
                    .bind(candidate.seq)
                    .bind(candidate.due_at)
                    .bind(candidate.attempts)
                    .execute(pool)
                    .await?
                    .rows_affected();
                won.push(claimed == 1);
            }
            Ok(won)
        });
        won.map_err(|err| classify(err, "claiming push deliveries"))
    }
}

impl PushOutbox for SqlStore {
    async fn claim_due(
        &self,
        now: DateTime<Utc>,
        until: DateTime<Utc>,
        limit: usize,
    ) -> Result<Vec<PendingPush>, StoreError> {
        let (now, until) = (nanos(Some(now)), nanos(Some(until)));
        let mut claimed = Vec::new();
        while claimed.len() < limit {
            let wanted = limit - claimed.len();
            let rows = self.due_heads(now, wanted).await?;
            let (mut candidates, mut dropped) = (Vec::new(), Vec::new());
            for row in rows {
                match read(row) {
                    Read::Claim(candidate) => candidates.push(candidate),
                    Read::Discard(key) => dropped.push(key),
                }
            }
            let won = self.take(&candidates, &dropped, until).await?;
            for (candidate, won) in candidates.into_iter().zip(won) {
                if won {
                    let Candidate {
                        id,
                        attempts,
                        queued_at,
                        config,
                        event,
                        ..
                    } = *candidate;
                    claimed.push(PendingPush {
                        id,
                        config,
                        event,
                        attempts: u32::try_from(attempts).unwrap_or(0).saturating_add(1),
                        queued_at,
                    });
                }
            }
            // A dropped head may have uncovered a due one behind it; without
            // drops, another read would find only what this one did.
            if dropped.is_empty() {
                break;
            }
        }
        Ok(claimed)
    }

    async fn finish(&self, push: &PendingPush) -> Result<(), StoreError> {
        self.settle(&self.sql.finish_push, None, push)
            .await
            .map_err(|err| classify(err, "finishing a push delivery"))
    }

    async fn retry_at(&self, push: &PendingPush, at: DateTime<Utc>) -> Result<(), StoreError> {
        self.settle(&self.sql.retry_push, Some(nanos(Some(at))), push)
            .await
            .map_err(|err| classify(err, "rescheduling a push delivery"))
    }

    fn queued_signal(&self) -> Option<Arc<tokio::sync::Notify>> {
        Some(Arc::clone(&self.queued))
    }
}
