//! [`TaskStore`] on SQL: a row per task, a row per event, folded on read.

use std::sync::Arc;

#[cfg(feature = "postgres")]
use super::SqlPool;
use super::error::classify;
use super::{BeginWrite, SqlStore, on_pool};
use crate::server::store::cursor::nanos;
use crate::server::store::{
    Sequence, StoreError, StoredTask, TaskEvent, TaskKey, TaskPage, TaskQuery, TaskStore, TaskView,
};
use crate::server::task::apply_event;
use crate::types::{StreamResponse, Struct, Task, TaskStatus};

/// What kind of event a log row holds, so that a read loads only the kinds
/// its view needs.
mod kind {
    /// A whole task (the creation): reads fold from the latest one.
    pub(super) const TASK: i32 = 1;
    /// A client message added to the history.
    pub(super) const MESSAGE: i32 = 2;
    /// A status update whose message joins the history.
    pub(super) const STATUS_WITH_MESSAGE: i32 = 3;
    /// A status update without a message: the task row holds its effect.
    pub(super) const STATUS: i32 = 4;
    /// An artifact update.
    pub(super) const ARTIFACT: i32 = 5;
}

fn kind_of(event: &StreamResponse) -> i32 {
    match event {
        StreamResponse::Task(_) => kind::TASK,
        StreamResponse::Message(_) => kind::MESSAGE,
        StreamResponse::StatusUpdate(update) if update.status.message.is_some() => kind::STATUS_WITH_MESSAGE,
        StreamResponse::StatusUpdate(_) => kind::STATUS,
        StreamResponse::ArtifactUpdate(_) => kind::ARTIFACT,
        StreamResponse::Unrecognized => kind::STATUS, // no effect beyond what the row holds
    }
}

/// A sequence as the database holds it.
pub(super) fn seq(sequence: Sequence) -> i64 {
    i64::try_from(sequence).unwrap_or(i64::MAX)
}

fn to_json<T: serde::Serialize>(value: &T) -> Result<String, StoreError> {
    serde_json::to_string(value)
        .map_err(|err| StoreError::backend("a task could not be written as JSON").with_source(err))
}

pub(super) fn from_json<T: serde::de::DeserializeOwned>(text: &str, key: &TaskKey) -> Result<T, StoreError> {
    serde_json::from_str(text).map_err(|err| corrupt(key).with_source(err))
}

fn corrupt(key: &TaskKey) -> StoreError {
    StoreError::new(
        crate::server::store::StoreErrorKind::Corrupt,
        format!("stored task {} cannot be read", key.id),
    )
}

/// The task row: what every read starts from.
pub(super) type TaskRow = (String, String, i64, i64, String, Option<String>);

/// A logged event as read: its sequence, kind and JSON.
pub(super) type EventRow = (i64, i32, String);

/// A task as read for [`TaskStore::get`]: its row, the events its view
/// folds, and its newest history events, newest first.
type ReadRows = (TaskRow, Vec<EventRow>, Vec<EventRow>);

/// A task row, decoded.
pub(super) struct Head {
    owner: String,
    context_id: String,
    pub(super) last_seq: i64,
    pub(super) base_seq: i64,
    status: TaskStatus,
    metadata: Option<Struct>,
}

impl Head {
    pub(super) fn decode(row: TaskRow, key: &TaskKey) -> Result<Self, StoreError> {
        let (owner, context_id, last_seq, base_seq, status, metadata) = row;
        Ok(Self {
            owner,
            context_id,
            last_seq,
            base_seq,
            status: from_json(&status, key)?,
            metadata: metadata.as_deref().map(|m| from_json(m, key)).transpose()?,
        })
    }

    /// The task with no history and no artifacts.
    fn bare(&self, id: &str) -> Task {
        let mut task = Task::new(id, self.context_id.clone(), self.status.clone());
        task.metadata.clone_from(&self.metadata);
        task
    }

    fn sequence(&self) -> Sequence {
        u64::try_from(self.last_seq).unwrap_or(0)
    }
}

/// Folds logged events (the base first) into `head`'s task: the base gives
/// history and artifacts, later events add to them; id, context, status and
/// metadata come from the row, which is never behind the events read.
pub(super) fn fold(head: &Head, id: &str, events: &[EventRow], key: &TaskKey) -> Result<Task, StoreError> {
    let mut task = head.bare(id);
    for (_, _, body) in events {
        let event: StreamResponse = from_json(body, key)?;
        match event {
            StreamResponse::Task(base) => {
                task.history = base.history;
                task.artifacts = base.artifacts;
            }
            StreamResponse::StatusUpdate(update) => task.history.extend(update.status.message),
            other => apply_event(&mut task, &other),
        }
    }
    Ok(task)
}

impl SqlStore {
    /// Why an append at `expected` changed nothing: the task is gone, or
    /// someone appended first.
    #[cfg_attr(not(feature = "postgres"), allow(dead_code))]
    async fn refusal(&self, key: &TaskKey, expected: Sequence) -> StoreError {
        let sql = &self.sql;
        let found: Result<Option<i64>, sqlx::Error> = on_pool!(&self.pool, |pool| {
            sqlx::query_scalar(sql.last_seq.get())
                .bind(&key.tenant)
                .bind(&key.id)
                .fetch_optional(pool)
                .await
        });
        match found {
            Ok(None) => StoreError::not_found(&key.id),
            Ok(Some(at)) => {
                StoreError::conflict(format!("task {} is at sequence {at}, not {expected}", key.id))
            }
            Err(err) => classify(err, "appending events"),
        }
    }
}

impl SqlStore {
    /// Removes the tasks that finished (completed, failed, canceled or
    /// rejected) before `before`, with their events, push configs and
    /// leases, and returns how many. Nothing expires by itself in a SQL
    /// store: call this from a periodic job to bound the database. Works in
    /// batches of a thousand tasks, one short transaction per task.
    ///
    /// ```no_run
    /// # async fn run(store: a2akit::server::store::sql::SqlStore) -> Result<(), a2akit::server::store::StoreError> {
    /// let week_ago = chrono::Utc::now() - chrono::Duration::days(7);
    /// let purged = store.purge_finished(week_ago).await?;
    /// # let _ = purged; Ok(()) }
    /// ```
    pub async fn purge_finished(&self, before: chrono::DateTime<chrono::Utc>) -> Result<u64, StoreError> {
        let terminal: Vec<String> = crate::types::TaskState::ALL
            .iter()
            .filter(|state| state.is_terminal())
            .map(|state| state.number().to_string())
            .collect();
        let text = super::statements::render(
            self.sql.backend,
            &format!(
                "SELECT tenant, id FROM a2a_tasks WHERE state IN ({}) AND status_at < ? LIMIT 1000",
                terminal.join(", ")
            ),
        );
        let cutoff = nanos(Some(before));
        let mut purged = 0;
        loop {
            let batch: Result<Vec<(String, String)>, sqlx::Error> = on_pool!(&self.pool, |pool| {
                sqlx::query_as(sqlx::AssertSqlSafe(text.as_str()))
                    .bind(cutoff)
                    .fetch_all(pool)
                    .await
            });
            let batch = batch.map_err(|err| classify(err, "finding finished tasks"))?;
            if batch.is_empty() {
                return Ok(purged);
            }
            for (tenant, id) in batch {
                self.remove(&TaskKey::new(tenant, id)).await?;
                purged += 1;
            }
        }
    }
}

/// PostgreSQL writes a task or a batch of its events in one statement: one
/// round trip, atomic without a transaction around it.
#[cfg(feature = "postgres")]
mod postgres {
    /// The task row and its creation event.
    pub(super) const CREATE: &str = "WITH task AS (\
            INSERT INTO a2a_tasks \
            (tenant, id, owner, context_id, state, status_at, last_seq, base_seq, status, metadata) \
            VALUES ($1, $2, $3, $4, $5, $6, 1, 1, $7, $8) RETURNING tenant, id) \
        INSERT INTO a2a_task_events (tenant, task_id, seq, kind, body) \
        SELECT tenant, id, 1, 1, $9 FROM task";

    /// Moves the task from the expected sequence to the last one (a NULL
    /// status keeps the row's), inserts the events only if it moved, and
    /// queues every event but a client message (kind 2) for each push config
    /// of the task, due at once (`$11`). Returns how many events were logged
    /// (none: the task did not move) and how many deliveries were queued.
    pub(super) const APPEND: &str = "WITH moved AS (\
            UPDATE a2a_tasks SET last_seq = $1, state = COALESCE($2, state), \
            status_at = COALESCE($3, status_at), status = COALESCE($4, status) \
            WHERE tenant = $5 AND id = $6 AND last_seq = $7 RETURNING tenant, id), \
        logged AS (\
            INSERT INTO a2a_task_events (tenant, task_id, seq, kind, body) \
            SELECT moved.tenant, moved.id, e.seq, e.kind, e.body \
            FROM moved, UNNEST($8::BIGINT[], $9::INTEGER[], $10::TEXT[]) AS e(seq, kind, body) \
            RETURNING tenant, task_id, seq, kind), \
        queued AS (\
            INSERT INTO a2a_push_outbox (tenant, task_id, config_id, seq, attempts, queued_at, due_at) \
            SELECT l.tenant, l.task_id, c.config_id, l.seq, 0, $11, $11 \
            FROM logged l JOIN a2a_push_configs c ON c.tenant = l.tenant AND c.task_id = l.task_id \
            WHERE l.kind <> 2 \
            RETURNING 1) \
        SELECT (SELECT COUNT(*) FROM logged), (SELECT COUNT(*) FROM queued)";
}

impl TaskStore for SqlStore {
    async fn create(&self, key: &TaskKey, owner: &str, task: &Task) -> Result<Sequence, StoreError> {
        let body = to_json(&StreamResponse::Task(task.clone()))?;
        let status = to_json(&task.status)?;
        let metadata = task.metadata.as_ref().map(to_json).transpose()?;
        #[cfg(feature = "postgres")]
        #[allow(irrefutable_let_patterns)] // when PostgreSQL is the only backend built
        if let SqlPool::Postgres(pool) = &self.pool {
            return sqlx::query(postgres::CREATE)
                .bind(&key.tenant)
                .bind(&key.id)
                .bind(owner)
                .bind(&task.context_id)
                .bind(task.status.state.number())
                .bind(nanos(task.status.timestamp))
                .bind(&status)
                .bind(&metadata)
                .bind(&body)
                .execute(pool)
                .await
                .map(|_| 1)
                .map_err(|err| classify(err, "creating a task"));
        }
        let sql = &self.sql;
        let result: Result<(), sqlx::Error> = on_pool!(&self.pool, |pool| {
            let _turn = self.write_turn().await;
            let mut tx = pool.begin_write().await?;
            sqlx::query(sql.insert_task.get())
                .bind(&key.tenant)
                .bind(&key.id)
                .bind(owner)
                .bind(&task.context_id)
                .bind(task.status.state.number())
                .bind(nanos(task.status.timestamp))
                .bind(&status)
                .bind(&metadata)
                .execute(&mut *tx)
                .await?;
            sqlx::query(sql.insert_event.get())
                .bind(&key.tenant)
                .bind(&key.id)
                .bind(1_i64)
                .bind(kind::TASK)
                .bind(&body)
                .execute(&mut *tx)
                .await?;
            tx.commit().await
        });
        match result {
            Ok(()) => Ok(1),
            Err(err) => Err(classify(err, "creating a task")),
        }
    }

    async fn append(
        &self,
        key: &TaskKey,
        expected: Sequence,
        events: &[Arc<StreamResponse>],
    ) -> Result<Sequence, StoreError> {
        let last = expected + events.len() as Sequence;
        // What the batch leaves in the row: the last status it sets, and
        // the last whole task, if any.
        let mut status = None;
        let mut rebase = None;
        let mut rows = Vec::with_capacity(events.len());
        for (event, sequence) in events.iter().zip(expected + 1..) {
            match event.as_ref() {
                StreamResponse::Task(task) => {
                    status = Some(&task.status);
                    rebase = Some((sequence, task));
                }
                StreamResponse::StatusUpdate(update) => status = Some(&update.status),
                _ => {}
            }
            rows.push((seq(sequence), kind_of(event), to_json(event.as_ref())?));
        }
        let state = status.map(|s| s.state.number());
        let status_at = status.map(|s| nanos(s.timestamp));
        let status = status.map(to_json).transpose()?;
        let rebase = rebase
            .map(|(sequence, task)| {
                let metadata = task.metadata.as_ref().map(to_json).transpose()?;
                Ok::<_, StoreError>((seq(sequence), task.context_id.clone(), metadata))
            })
            .transpose()?;
        #[cfg(feature = "postgres")]
        if let (SqlPool::Postgres(pool), None, false) = (&self.pool, &rebase, rows.is_empty()) {
            let (mut seqs, mut kinds, mut bodies) = (Vec::new(), Vec::new(), Vec::new());
            for (sequence, kind, body) in rows {
                seqs.push(sequence);
                kinds.push(kind);
                bodies.push(body);
            }
            let (logged, queued): (i64, i64) = sqlx::query_as(postgres::APPEND)
                .bind(seq(last))
                .bind(state)
                .bind(status_at)
                .bind(&status)
                .bind(&key.tenant)
                .bind(&key.id)
                .bind(seq(expected))
                .bind(seqs)
                .bind(kinds)
                .bind(bodies)
                .bind(nanos(Some(chrono::Utc::now())))
                .fetch_one(pool)
                .await
                .map_err(|err| classify(err, "appending events"))?;
            if logged > 0 {
                self.pushes_queued(u64::try_from(queued).unwrap_or(0));
                return Ok(last);
            }
            return Err(self.refusal(key, expected).await);
        }
        let sql = &self.sql;
        let queued_at = nanos(Some(chrono::Utc::now()));
        let outcome: Result<Result<u64, StoreError>, sqlx::Error> = on_pool!(&self.pool, |pool| {
            let _turn = self.write_turn().await;
            let mut tx = pool.begin_write().await?;
            let advanced = sqlx::query(sql.advance_task.get())
                .bind(seq(last))
                .bind(state)
                .bind(status_at)
                .bind(&status)
                .bind(&key.tenant)
                .bind(&key.id)
                .bind(seq(expected))
                .execute(&mut *tx)
                .await?
                .rows_affected();
            if advanced == 0 {
                let found: Option<i64> = sqlx::query_scalar(sql.last_seq.get())
                    .bind(&key.tenant)
                    .bind(&key.id)
                    .fetch_optional(&mut *tx)
                    .await?;
                return Ok(Err(match found {
                    None => StoreError::not_found(&key.id),
                    Some(at) => {
                        StoreError::conflict(format!("task {} is at sequence {at}, not {expected}", key.id))
                    }
                }));
            }
            if let Some((base_seq, context_id, metadata)) = &rebase {
                sqlx::query(sql.rebase_task.get())
                    .bind(base_seq)
                    .bind(context_id)
                    .bind(metadata)
                    .bind(&key.tenant)
                    .bind(&key.id)
                    .execute(&mut *tx)
                    .await?;
            }
            for (sequence, kind, body) in &rows {
                sqlx::query(sql.insert_event.get())
                    .bind(&key.tenant)
                    .bind(&key.id)
                    .bind(sequence)
                    .bind(kind)
                    .bind(body)
                    .execute(&mut *tx)
                    .await?;
            }
            let mut queued = 0;
            for (sequence, kind, _) in &rows {
                if *kind == kind::MESSAGE {
                    continue;
                }
                let added = sqlx::query(sql.queue_pushes.get())
                    .bind(sequence)
                    .bind(queued_at)
                    .bind(queued_at)
                    .bind(&key.tenant)
                    .bind(&key.id)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
                if added == 0 {
                    // The task has no push configs: nothing to queue.
                    break;
                }
                queued += added;
            }
            tx.commit().await?;
            Ok(Ok(queued))
        });
        let queued = outcome.map_err(|err| classify(err, "appending events"))??;
        self.pushes_queued(queued);
        Ok(last)
    }

    async fn get(&self, key: &TaskKey, view: TaskView) -> Result<Option<StoredTask>, StoreError> {
        let sql = &self.sql;
        let result: Result<Option<ReadRows>, sqlx::Error> = on_pool!(&self.pool, |pool| {
            let Some(row) = sqlx::query_as::<_, TaskRow>(sql.select_task.get())
                .bind(&key.tenant)
                .bind(&key.id)
                .fetch_optional(pool)
                .await?
            else {
                return Ok(None);
            };
            let (_, _, last_seq, base_seq, _, _) = &row;
            let (mut events, mut history) = (Vec::new(), Vec::new());
            match (view.history, view.artifacts) {
                (Some(0), false) => {}
                (None, true) => {
                    events = sqlx::query_as(sql.fold_events.get())
                        .bind(&key.tenant)
                        .bind(&key.id)
                        .bind(base_seq)
                        .bind(last_seq)
                        .fetch_all(pool)
                        .await?;
                }
                (limit, artifacts) => {
                    events = sqlx::query_as(sql.base_event.get())
                        .bind(&key.tenant)
                        .bind(&key.id)
                        .bind(base_seq)
                        .fetch_all(pool)
                        .await?;
                    if artifacts {
                        let more: Vec<EventRow> = sqlx::query_as(sql.artifact_events.get())
                            .bind(&key.tenant)
                            .bind(&key.id)
                            .bind(base_seq)
                            .bind(last_seq)
                            .fetch_all(pool)
                            .await?;
                        events.extend(more);
                    }
                    if limit != Some(0) {
                        let limit = limit.map_or(i64::MAX, |n| i64::try_from(n).unwrap_or(i64::MAX));
                        history = sqlx::query_as(sql.history_events.get())
                            .bind(&key.tenant)
                            .bind(&key.id)
                            .bind(base_seq)
                            .bind(last_seq)
                            .bind(limit)
                            .fetch_all(pool)
                            .await?;
                    }
                }
            }
            Ok(Some((row, events, history)))
        });
        let Some((row, mut events, history)) = result.map_err(|err| classify(err, "reading a task"))? else {
            return Ok(None);
        };
        let head = Head::decode(row, key)?;
        // The newest history events were read newest first: put them back in
        // order, after the base and the artifacts (which add no history).
        events.extend(history.into_iter().rev());
        let mut task = fold(&head, &key.id, &events, key)?;
        view.trim(&mut task);
        Ok(Some(StoredTask {
            task,
            sequence: head.sequence(),
            owner: head.owner,
        }))
    }

    async fn events_after(
        &self,
        key: &TaskKey,
        after: Sequence,
    ) -> Result<Option<Vec<TaskEvent>>, StoreError> {
        let sql = &self.sql;
        let result: Result<(Vec<(i64, String)>, bool), sqlx::Error> = on_pool!(&self.pool, |pool| {
            let rows: Vec<(i64, String)> = sqlx::query_as(sql.events_after.get())
                .bind(&key.tenant)
                .bind(&key.id)
                .bind(seq(after))
                .fetch_all(pool)
                .await?;
            let exists = !rows.is_empty()
                || sqlx::query_scalar::<_, i64>(sql.last_seq.get())
                    .bind(&key.tenant)
                    .bind(&key.id)
                    .fetch_optional(pool)
                    .await?
                    .is_some();
            Ok((rows, exists))
        });
        let (rows, exists) = result.map_err(|err| classify(err, "reading a task's events"))?;
        if !exists {
            return Ok(None);
        }
        rows.into_iter()
            .map(|(sequence, body)| {
                Ok(TaskEvent {
                    sequence: u64::try_from(sequence).map_err(|_| corrupt(key))?,
                    event: Arc::new(from_json(&body, key)?),
                })
            })
            .collect::<Result<Vec<_>, StoreError>>()
            .map(Some)
    }

    async fn list(&self, query: &TaskQuery) -> Result<TaskPage, StoreError> {
        self.list_tasks(query).await
    }

    async fn unfinished_since(
        &self,
        before: chrono::DateTime<chrono::Utc>,
        limit: usize,
    ) -> Result<Vec<TaskKey>, StoreError> {
        let text = super::statements::render(
            self.sql.backend,
            &format!(
                // Tasks a live lease holds are not candidates: their run is
                // alive, however long it has been quiet.
                "SELECT t.tenant, t.id FROM a2a_tasks t LEFT JOIN a2a_task_runs r \
                 ON r.tenant = t.tenant AND r.task_id = t.id \
                 WHERE t.state IN ({}, {}) AND t.status_at < ? AND (r.task_id IS NULL OR r.expires_at < ?) \
                 ORDER BY t.status_at LIMIT ?",
                crate::types::TaskState::Submitted.number(),
                crate::types::TaskState::Working.number()
            ),
        );
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let rows: Result<Vec<(String, String)>, sqlx::Error> = on_pool!(&self.pool, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(text.as_str()))
                .bind(nanos(Some(before)))
                .bind(nanos(Some(chrono::Utc::now())))
                .bind(limit)
                .fetch_all(pool)
                .await
        });
        let rows = rows.map_err(|err| classify(err, "finding unfinished tasks"))?;
        Ok(rows
            .into_iter()
            .map(|(tenant, id)| TaskKey::new(tenant, id))
            .collect())
    }

    async fn remove(&self, key: &TaskKey) -> Result<(), StoreError> {
        let sql = &self.sql;
        let result: Result<(), sqlx::Error> = on_pool!(&self.pool, |pool| {
            let _turn = self.write_turn().await;
            let mut tx = pool.begin_write().await?;
            for statement in [
                &sql.delete_outbox,
                &sql.delete_events,
                &sql.delete_configs,
                &sql.delete_run,
                &sql.delete_task,
            ] {
                sqlx::query(statement.get())
                    .bind(&key.tenant)
                    .bind(&key.id)
                    .execute(&mut *tx)
                    .await?;
            }
            tx.commit().await
        });
        result.map_err(|err| classify(err, "removing a task"))
    }
}
