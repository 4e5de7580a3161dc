//! The in-memory store: the default, bounded in size, in time and per caller.

mod outbox;
mod snapshot;

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::cursor::Cursor;
use super::{
    PushConfigStore, Sequence, StoreError, StoredTask, TaskEvent, TaskKey, TaskPage, TaskQuery, TaskStore,
    TaskView, same,
};
use crate::types::{StreamResponse, Task, TaskPushNotificationConfig};
use snapshot::Snapshot;

/// Tasks, their event logs and their push configs in a `HashMap`, for one
/// process. Nothing survives a restart.
///
/// Bounded in every direction, each bound configurable:
/// - **capacity** (default 10,000 tasks): when full, expired tasks go first,
///   then the oldest finished (terminal) ones; if every task is unfinished, a
///   new task is refused with [`StoreErrorKind::Capacity`](super::StoreErrorKind::Capacity) (the client is told
///   to retry later).
/// - **per caller** (default 1,000 unfinished tasks per tenant and owner):
///   one caller cannot fill the store with tasks it never finishes; anonymous
///   callers share one allowance.
/// - **finished tasks** are kept for one hour (default) after they end.
/// - **interrupted tasks** (input or auth required) nobody answers expire
///   after one hour (default) without a change.
/// - **event logs**: a task keeps its newest 1,000 events (default) while it
///   is unfinished, and drops its log one minute (default) after it ends;
///   [`events_after`](TaskStore::events_after) answers `None` for what is
///   gone. A finished task is then held compactly (as JSON).
/// - **push configs**: at most 100 per task and 100,000 in all; they are
///   dropped with their task.
/// - **push deliveries** waiting to be sent: at most 100,000 (default); past
///   that, new deliveries are dropped and logged. They are dropped with
///   their task or config, and do not survive a restart: use a SQL store
///   for deliveries that must.
///
/// ```
/// use std::time::Duration;
/// use a2akit::server::InMemoryTaskStore;
///
/// let store = InMemoryTaskStore::new()
///     .with_capacity(1_000)
///     .with_terminal_ttl(Duration::from_secs(600))
///     .with_owner_limit(50);
/// ```
#[derive(Debug)]
pub struct InMemoryTaskStore {
    limits: Limits,
    inner: Mutex<Tasks>,
    queued_signal: Arc<tokio::sync::Notify>,
}

#[derive(Debug, Clone)]
struct Limits {
    capacity: usize,
    owner_limit: usize,
    terminal_ttl: Duration,
    interrupted_ttl: Duration,
    log_retention: Duration,
    log_length: usize,
    configs_per_task: usize,
    configs_total: usize,
    queued_pushes: usize,
}

#[derive(Debug, Default)]
struct Tasks {
    entries: HashMap<TaskKey, Entry>,
    /// Terminal tasks in the order they ended: TTL and eviction order.
    finished: VecDeque<(Instant, TaskKey)>,
    /// How many of the oldest `finished` tasks have had their logs dropped.
    logs_dropped: usize,
    /// Tasks that entered an interrupted state, roughly oldest first; an
    /// entry may be stale (the task moved on) and is checked when it expires.
    interrupted: VecDeque<(Instant, TaskKey)>,
    /// Unfinished tasks per holder.
    unfinished: HashMap<Holder, usize>,
    configs: usize,
    /// Tasks with deliveries queued (some may have none left).
    pushing: HashSet<TaskKey>,
    /// Deliveries queued, over all tasks.
    queued: usize,
    /// What was removed under the lock, freed once it is released: freeing
    /// a task is many small frees that other callers need not wait for.
    dead: Vec<Entry>,
    dead_logs: Vec<Snapshot>,
}

/// A caller holding unfinished tasks: its owner id within its tenant.
///
/// Compared like [`TaskKey`], without reading the bytes of an empty tenant
/// or owner (see [`same`]): the anonymous caller of an agent without tenants
/// is the common case.
#[derive(Debug)]
struct Holder {
    tenant: String,
    owner: String,
}

impl Holder {
    fn new(tenant: &str, owner: &str) -> Self {
        Self {
            tenant: tenant.to_owned(),
            owner: owner.to_owned(),
        }
    }
}

impl PartialEq for Holder {
    fn eq(&self, other: &Self) -> bool {
        same(&self.owner, &other.owner) && same(&self.tenant, &other.tenant)
    }
}

impl Eq for Holder {}

impl std::hash::Hash for Holder {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.tenant.hash(state);
        self.owner.hash(state);
    }
}

#[derive(Debug)]
struct Entry {
    /// The task: its events while they are kept, then compact.
    task: Snapshot,
    owner: String,
    sequence: Sequence,
    /// When the task last changed.
    touched: Instant,
    configs: Vec<TaskPushNotificationConfig>,
    /// Deliveries waiting, a queue per config.
    pushes: Vec<outbox::Queue>,
}

impl Entry {
    fn is_finished(&self) -> bool {
        self.task.state().is_terminal()
    }
}

impl Default for InMemoryTaskStore {
    fn default() -> Self {
        Self::new()
    }
}

impl InMemoryTaskStore {
    /// The default capacity.
    pub const DEFAULT_CAPACITY: usize = 10_000;
    /// The default number of unfinished tasks one caller may hold.
    pub const DEFAULT_OWNER_LIMIT: usize = 1_000;
    /// The default time a finished task is kept.
    pub const DEFAULT_TERMINAL_TTL: Duration = Duration::from_secs(3600);
    /// The default time an interrupted task waits for its answer.
    pub const DEFAULT_INTERRUPTED_TTL: Duration = Duration::from_secs(3600);
    /// The default time a finished task keeps its event log.
    pub const DEFAULT_LOG_RETENTION: Duration = Duration::from_secs(60);
    /// The default number of events a task's log keeps.
    pub const DEFAULT_LOG_LENGTH: usize = 1_000;

    /// The default number of push deliveries that may wait at once.
    pub const DEFAULT_QUEUED_PUSHES: usize = 100_000;

    /// A store with the default bounds.
    pub fn new() -> Self {
        Self {
            limits: Limits {
                capacity: Self::DEFAULT_CAPACITY,
                owner_limit: Self::DEFAULT_OWNER_LIMIT,
                terminal_ttl: Self::DEFAULT_TERMINAL_TTL,
                interrupted_ttl: Self::DEFAULT_INTERRUPTED_TTL,
                log_retention: Self::DEFAULT_LOG_RETENTION,
                log_length: Self::DEFAULT_LOG_LENGTH,
                configs_per_task: 100,
                configs_total: 100_000,
                queued_pushes: Self::DEFAULT_QUEUED_PUSHES,
            },
            inner: Mutex::default(),
            queued_signal: Arc::default(),
        }
    }

    /// Sets how many push deliveries may wait at once (default
    /// [`Self::DEFAULT_QUEUED_PUSHES`]).
    pub fn with_queued_push_limit(mut self, limit: usize) -> Self {
        self.limits.queued_pushes = limit;
        self
    }

    /// Sets how many tasks it holds at most.
    pub fn with_capacity(mut self, capacity: usize) -> Self {
        self.limits.capacity = capacity.max(1);
        self
    }

    /// Sets how many unfinished tasks one caller (per tenant) may hold.
    pub fn with_owner_limit(mut self, limit: usize) -> Self {
        self.limits.owner_limit = limit.max(1);
        self
    }

    /// Sets how long a finished task is kept.
    pub fn with_terminal_ttl(mut self, ttl: Duration) -> Self {
        self.limits.terminal_ttl = ttl;
        self
    }

    /// Sets how long an interrupted task waits, unchanged, for its answer.
    pub fn with_interrupted_ttl(mut self, ttl: Duration) -> Self {
        self.limits.interrupted_ttl = ttl;
        self
    }

    /// Sets how long a finished task keeps its event log (for streams that
    /// resume after the end), and how many events a log keeps at most.
    pub fn with_event_log(mut self, retention: Duration, length: usize) -> Self {
        self.limits.log_retention = retention;
        self.limits.log_length = length.max(1);
        self
    }

    /// Sets how many push configs one task may have, and how many it holds in all.
    pub fn with_push_config_limits(mut self, per_task: usize, total: usize) -> Self {
        self.limits.configs_per_task = per_task.max(1);
        self.limits.configs_total = total.max(1);
        self
    }

    /// How many tasks it holds now.
    pub fn len(&self) -> usize {
        self.lock().entries.len()
    }

    /// Whether it holds no task.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Changes the tasks under the lock, then frees what the change removed
    /// once the lock is released: freeing a task is many small frees that
    /// other callers need not wait for.
    fn write<T>(&self, change: impl FnOnce(&mut Tasks) -> T) -> T {
        let mut tasks = self.lock();
        let out = change(&mut tasks);
        let dead = tasks.bury();
        drop(tasks);
        drop(dead);
        out
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Tasks> {
        // Every change under the lock leaves the maps consistent before it
        // can panic, so a poisoned lock is usable.
        self.inner.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl Tasks {
    /// Drops what has outlived its time: finished tasks, the logs of
    /// finished tasks, interrupted tasks nobody answered.
    fn sweep(&mut self, now: Instant, limits: &Limits) {
        while let Some((ended, key)) = self.finished.get(self.logs_dropped) {
            if now.duration_since(*ended) < limits.log_retention {
                break;
            }
            // The key may name a newer task by now: only the task that ended
            // then, and has not changed since, is touched.
            if let Some(entry) = self.entries.get_mut(key) {
                if entry.is_finished() && entry.touched == *ended {
                    match entry.task.compact() {
                        Ok(before) => self.dead_logs.extend(before),
                        Err(err) => {
                            tracing::warn!(task_id = %key.id, error = %err, "could not compact a task")
                        }
                    }
                }
            }
            self.logs_dropped += 1;
        }
        while let Some((at, _)) = self.finished.front() {
            if now.duration_since(*at) < limits.terminal_ttl {
                break;
            }
            let (ended, key) = self.pop_finished().expect("front exists");
            if self.ended_at(&key, ended) {
                self.remove(&key);
            }
        }
        while let Some((at, _)) = self.interrupted.front() {
            if now.duration_since(*at) < limits.interrupted_ttl {
                break;
            }
            let (_, key) = self.interrupted.pop_front().expect("front exists");
            let Some(entry) = self.entries.get(&key) else {
                continue;
            };
            if !entry.task.state().is_interrupted() {
                continue;
            }
            if now.duration_since(entry.touched) >= limits.interrupted_ttl {
                self.remove(&key);
            } else {
                // Answered and interrupted again since: wait for its own time.
                let touched = entry.touched;
                self.interrupted.push_back((touched, key));
            }
        }
    }

    /// Whether `key` names the task that ended at `ended` (and not a newer
    /// task that took its key since).
    fn ended_at(&self, key: &TaskKey, ended: Instant) -> bool {
        self.entries
            .get(key)
            .is_some_and(|entry| entry.is_finished() && entry.touched == ended)
    }

    fn remove(&mut self, key: &TaskKey) {
        if let Some(entry) = self.entries.remove(key) {
            self.configs -= entry.configs.len();
            self.queued -= entry.queued();
            if !entry.is_finished() {
                self.release(&Holder::new(&key.tenant, &entry.owner));
            }
            self.dead.push(entry);
        }
    }

    /// The oldest finished task's place in the queue.
    fn pop_finished(&mut self) -> Option<(Instant, TaskKey)> {
        let front = self.finished.pop_front()?;
        self.logs_dropped = self.logs_dropped.saturating_sub(1);
        Some(front)
    }

    /// What was removed, to free once the lock is released.
    fn bury(&mut self) -> (Vec<Entry>, Vec<Snapshot>) {
        (
            std::mem::take(&mut self.dead),
            std::mem::take(&mut self.dead_logs),
        )
    }

    /// How many unfinished tasks `holder` holds.
    fn held(&self, holder: &Holder) -> usize {
        self.unfinished.get(holder).copied().unwrap_or(0)
    }

    fn hold(&mut self, holder: Holder) {
        *self.unfinished.entry(holder).or_default() += 1;
    }

    fn release(&mut self, holder: &Holder) {
        if let Some(count) = self.unfinished.get_mut(holder) {
            *count -= 1;
            if *count == 0 {
                self.unfinished.remove(holder);
            }
        }
    }

    /// Forgets queue entries of tasks removed before their time came
    /// (evicted, or removed by the engine), once they outnumber the tasks:
    /// the queues stay proportional to what the store holds.
    fn prune(&mut self) {
        let bound = 2 * self.entries.len().max(1024);
        if self.interrupted.len() > bound {
            let entries = &self.entries;
            self.interrupted
                .retain(|(_, key)| entries.get(key).is_some_and(|e| e.task.state().is_interrupted()));
        }
    }

    /// Makes room for one more task: the oldest finished task goes.
    fn evict_oldest_finished(&mut self) -> bool {
        use std::collections::hash_map::Entry as Slot;
        while let Some((ended, key)) = self.pop_finished() {
            // One lookup: this runs for every new task of a full store.
            if let Slot::Occupied(slot) = self.entries.entry(key) {
                let entry = slot.get();
                if entry.is_finished() && entry.touched == ended {
                    let entry = slot.remove();
                    self.configs -= entry.configs.len();
                    self.queued -= entry.queued();
                    self.dead.push(entry);
                    return true;
                }
            }
        }
        false
    }
}

impl TaskStore for InMemoryTaskStore {
    async fn create(&self, key: &TaskKey, owner: &str, task: &Task) -> Result<Sequence, StoreError> {
        // Built before taking the lock, which every other call waits for.
        let snapshot = Snapshot::new(task);
        let now = Instant::now();
        let limits = &self.limits;
        self.write(|tasks| {
            tasks.sweep(now, limits);
            if tasks.entries.contains_key(key) {
                return Err(StoreError::conflict(format!("task {} already exists", key.id)));
            }
            let holder = Holder::new(&key.tenant, owner);
            let held = tasks.held(&holder);
            if !task.status.state.is_terminal() && held >= limits.owner_limit {
                return Err(StoreError::capacity(format!(
                    "this caller already has {held} unfinished tasks; finish or cancel some, or try again later"
                )));
            }
            while tasks.entries.len() >= limits.capacity {
                if !tasks.evict_oldest_finished() {
                    return Err(StoreError::capacity(
                        "the task store is full of unfinished tasks; try again later",
                    ));
                }
            }
            let finished = task.status.state.is_terminal();
            if finished {
                tasks.finished.push_back((now, key.clone()));
            } else {
                tasks.hold(holder);
                if task.status.state.is_interrupted() {
                    tasks.interrupted.push_back((now, key.clone()));
                }
            }
            tasks.entries.insert(
                key.clone(),
                Entry {
                    task: snapshot,
                    owner: owner.to_owned(),
                    sequence: 1,
                    touched: now,
                    configs: Vec::new(),
                    pushes: Vec::new(),
                },
            );
            Ok(1)
        })
    }

    async fn append(
        &self,
        key: &TaskKey,
        expected: Sequence,
        events: &[Arc<StreamResponse>],
    ) -> Result<Sequence, StoreError> {
        let now = Instant::now();
        let limits = &self.limits;
        self.write(|tasks| {
            let entry = tasks
                .entries
                .get_mut(key)
                .ok_or_else(|| StoreError::not_found(&key.id))?;
            if entry.sequence != expected {
                return Err(StoreError::conflict(format!(
                    "task {} is at event {}, not {expected}",
                    key.id, entry.sequence
                )));
            }
            let was_finished = entry.is_finished();
            let was_interrupted = entry.task.state().is_interrupted();
            entry.task.push(events, entry.sequence + 1, limits.log_length)?;
            entry.sequence += events.len() as Sequence;
            entry.touched = now;
            let finished = entry.is_finished();
            let interrupted = entry.task.state().is_interrupted();
            let sequence = entry.sequence;
            let holder = Holder::new(&key.tenant, &entry.owner);
            if finished && !was_finished {
                tasks.finished.push_back((now, key.clone()));
                tasks.release(&holder);
            } else if interrupted && !was_interrupted {
                tasks.interrupted.push_back((now, key.clone()));
                tasks.prune();
            }
            let queued = tasks.queue_pushes(key, events, expected + 1, limits.queued_pushes);
            Ok((sequence, queued))
        })
        .map(|(sequence, queued)| {
            if queued {
                self.queued_signal.notify_one();
            }
            sequence
        })
    }

    async fn get(&self, key: &TaskKey, view: TaskView) -> Result<Option<StoredTask>, StoreError> {
        let tasks = self.lock();
        let Some(entry) = tasks.entries.get(key) else {
            return Ok(None);
        };
        Ok(Some(StoredTask {
            task: {
                let mut task = entry.task.task()?;
                view.trim(&mut task);
                task
            },
            owner: entry.owner.clone(),
            sequence: entry.sequence,
        }))
    }

    async fn events_after(
        &self,
        key: &TaskKey,
        after: Sequence,
    ) -> Result<Option<Vec<TaskEvent>>, StoreError> {
        let tasks = self.lock();
        let Some(entry) = tasks.entries.get(key) else {
            return Ok(None);
        };
        Ok(entry.task.events_after(after, entry.sequence))
    }

    async fn list(&self, query: &TaskQuery) -> Result<TaskPage, StoreError> {
        let after = query.page_token.as_deref().map(Cursor::decode).transpose()?;
        let tasks = self.lock();
        let mut matches: Vec<(Cursor, &Snapshot)> = tasks
            .entries
            .iter()
            .filter(|(key, entry)| {
                same(&key.tenant, &query.tenant)
                    && same(&entry.owner, &query.owner)
                    && query
                        .context_id
                        .as_ref()
                        .is_none_or(|c| c == entry.task.context_id())
                    && query.status.is_none_or(|s| s == entry.task.state())
                    && query
                        .status_timestamp_after
                        .is_none_or(|t| entry.task.timestamp().is_some_and(|ts| ts >= t))
            })
            .map(|(key, entry)| (Cursor::of(entry.task.timestamp(), &key.id), &entry.task))
            .collect();
        let total_size = matches.len();
        // Newest first; ties by id so that the order is total and stable.
        matches.sort_unstable_by(|a, b| {
            b.0.timestamp
                .cmp(&a.0.timestamp)
                .then_with(|| a.0.id.cmp(&b.0.id))
        });
        let start = match &after {
            Some(after) => matches.partition_point(|(cursor, _)| cursor.is_before_or_at(after)),
            None => 0,
        };
        let page = matches
            .iter()
            .skip(start)
            .take(query.page_size)
            .map(|(_, t)| {
                t.task().map(|mut task| {
                    query.view.trim(&mut task);
                    task
                })
            })
            .collect::<Result<Vec<Task>, _>>()?;
        let next_page_token = match matches.get(start + query.page_size) {
            Some(_) => matches[start + query.page_size - 1].0.encode(),
            None => String::new(),
        };
        Ok(TaskPage {
            tasks: page,
            next_page_token,
            total_size,
        })
    }

    async fn remove(&self, key: &TaskKey) -> Result<(), StoreError> {
        self.write(|tasks| tasks.remove(key));
        Ok(())
    }
}

impl PushConfigStore for InMemoryTaskStore {
    async fn save(&self, tenant: &str, config: &TaskPushNotificationConfig) -> Result<(), StoreError> {
        let limits = &self.limits;
        let mut tasks = self.lock();
        let full = tasks.configs >= limits.configs_total;
        let entry = tasks
            .entries
            .get_mut(&TaskKey::new(tenant, &config.task_id))
            .ok_or_else(|| StoreError::not_found(&config.task_id))?;
        if let Some(existing) = entry.configs.iter_mut().find(|c| c.id == config.id) {
            *existing = config.clone();
            return Ok(());
        }
        if entry.configs.len() >= limits.configs_per_task {
            return Err(StoreError::capacity(format!(
                "task {} already has {} push notification configs",
                config.task_id, limits.configs_per_task
            )));
        }
        if full {
            return Err(StoreError::capacity(
                "the push notification config store is full; try again later",
            ));
        }
        entry.configs.push(config.clone());
        tasks.configs += 1;
        Ok(())
    }

    async fn get(
        &self,
        tenant: &str,
        task_id: &str,
        id: &str,
    ) -> Result<Option<TaskPushNotificationConfig>, StoreError> {
        let tasks = self.lock();
        Ok(tasks
            .entries
            .get(&TaskKey::new(tenant, task_id))
            .and_then(|entry| entry.configs.iter().find(|c| c.id == id))
            .cloned())
    }

    async fn list(&self, tenant: &str, task_id: &str) -> Result<Vec<TaskPushNotificationConfig>, StoreError> {
        Ok(self
            .lock()
            .entries
            .get(&TaskKey::new(tenant, task_id))
            .map(|entry| entry.configs.clone())
            .unwrap_or_default())
    }

    async fn delete(&self, tenant: &str, task_id: &str, id: &str) -> Result<(), StoreError> {
        let mut tasks = self.lock();
        let Some(entry) = tasks.entries.get_mut(&TaskKey::new(tenant, task_id)) else {
            return Ok(());
        };
        let before = entry.configs.len();
        entry.configs.retain(|c| c.id != id);
        let removed = before - entry.configs.len();
        tasks.configs -= removed;
        tasks.drop_pushes(&TaskKey::new(tenant, task_id), id);
        Ok(())
    }
}
