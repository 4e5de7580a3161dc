//! The in-memory stores: the default, bounded in size and in time.

use std::collections::{BTreeSet, HashMap};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};

use super::{PushConfigStore, StoreError, StoredTask, TaskKey, TaskPage, TaskQuery, TaskStore, Version};
use crate::Error;
use crate::types::{Task, TaskPushNotificationConfig};

/// Tasks in a `HashMap`, for one process.
///
/// Bounded two ways, both configurable:
/// - **capacity** (default 10,000 tasks): when full, the oldest finished
///   (terminal) tasks are evicted to make room; if every stored task is still
///   running or waiting for input, new tasks are refused.
/// - **TTL of finished tasks** (default one hour): a task that has been in a
///   terminal state for longer is evicted.
///
/// ```
/// use std::time::Duration;
/// use a2akit::server::InMemoryTaskStore;
///
/// let store = InMemoryTaskStore::new().with_capacity(1_000).with_terminal_ttl(Duration::from_secs(600));
/// ```
#[derive(Debug)]
pub struct InMemoryTaskStore {
    capacity: usize,
    terminal_ttl: Duration,
    inner: Mutex<Tasks>,
}

#[derive(Debug, Default)]
struct Tasks {
    entries: HashMap<TaskKey, Entry>,
    /// Finished tasks by the moment they finished, oldest first: eviction order.
    finished: BTreeSet<(Instant, TaskKey)>,
    next_version: Version,
}

#[derive(Debug)]
struct Entry {
    task: Task,
    owner: String,
    version: Version,
    finished_at: Option<Instant>,
}

impl Default for InMemoryTaskStore {
    fn default() -> Self {
        Self::new()
    }
}

impl InMemoryTaskStore {
    /// The default capacity.
    pub const DEFAULT_CAPACITY: usize = 10_000;
    /// The default time a finished task is kept.
    pub const DEFAULT_TERMINAL_TTL: Duration = Duration::from_secs(3600);

    /// A store with the default bounds.
    pub fn new() -> Self {
        Self {
            capacity: Self::DEFAULT_CAPACITY,
            terminal_ttl: Self::DEFAULT_TERMINAL_TTL,
            inner: Mutex::default(),
        }
    }

    /// Sets how many tasks it holds at most.
    pub fn with_capacity(mut self, capacity: usize) -> Self {
        self.capacity = capacity.max(1);
        self
    }

    /// Sets how long a finished task is kept.
    pub fn with_terminal_ttl(mut self, ttl: Duration) -> Self {
        self.terminal_ttl = ttl;
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

    fn lock(&self) -> std::sync::MutexGuard<'_, Tasks> {
        // A panic while holding the lock leaves the map consistent (every
        // change is a single insert or remove), so a poisoned lock is usable.
        self.inner.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl Tasks {
    fn evict_expired(&mut self, now: Instant, ttl: Duration) {
        while let Some((finished, _)) = self.finished.first() {
            if now.duration_since(*finished) < ttl {
                break;
            }
            let (_, key) = self.finished.pop_first().expect("first exists");
            self.entries.remove(&key);
        }
    }

    fn evict_oldest_finished(&mut self) -> bool {
        match self.finished.pop_first() {
            Some((_, key)) => {
                self.entries.remove(&key);
                true
            }
            None => false,
        }
    }

    fn bump(&mut self) -> Version {
        self.next_version += 1;
        self.next_version
    }

    fn mark_finished(&mut self, key: &TaskKey, task: &Task, now: Instant) -> Option<Instant> {
        let entry_finished = self.entries.get(key).and_then(|e| e.finished_at);
        match (task.status.state.is_terminal(), entry_finished) {
            (true, Some(at)) => Some(at),
            (true, None) => {
                self.finished.insert((now, key.clone()));
                Some(now)
            }
            (false, Some(at)) => {
                self.finished.remove(&(at, key.clone()));
                None
            }
            (false, None) => None,
        }
    }
}

impl TaskStore for InMemoryTaskStore {
    async fn create(&self, key: &TaskKey, owner: &str, task: &Task) -> Result<Version, StoreError> {
        let now = Instant::now();
        let mut tasks = self.lock();
        tasks.evict_expired(now, self.terminal_ttl);
        if tasks.entries.contains_key(key) {
            return Err(StoreError::AlreadyExists(key.id.clone()));
        }
        while tasks.entries.len() >= self.capacity {
            if !tasks.evict_oldest_finished() {
                return Err(StoreError::Full(self.capacity));
            }
        }
        let version = tasks.bump();
        let finished_at = tasks.mark_finished(key, task, now);
        tasks.entries.insert(
            key.clone(),
            Entry {
                task: task.clone(),
                owner: owner.to_owned(),
                version,
                finished_at,
            },
        );
        Ok(version)
    }

    async fn update(&self, key: &TaskKey, task: &Task, expected: Version) -> Result<Version, StoreError> {
        let now = Instant::now();
        let mut tasks = self.lock();
        match tasks.entries.get(key) {
            None => return Err(StoreError::NotFound(key.id.clone())),
            Some(entry) if entry.version != expected => {
                return Err(StoreError::Conflict {
                    id: key.id.clone(),
                    expected,
                });
            }
            Some(_) => {}
        }
        let version = tasks.bump();
        let finished_at = tasks.mark_finished(key, task, now);
        let entry = tasks.entries.get_mut(key).expect("checked above");
        entry.task = task.clone();
        entry.version = version;
        entry.finished_at = finished_at;
        Ok(version)
    }

    async fn get(&self, key: &TaskKey) -> Result<Option<StoredTask>, StoreError> {
        let tasks = self.lock();
        Ok(tasks.entries.get(key).map(|entry| StoredTask {
            task: entry.task.clone(),
            owner: entry.owner.clone(),
            version: entry.version,
        }))
    }

    async fn list(&self, query: &TaskQuery) -> Result<TaskPage, Error> {
        let after = query.page_token.as_deref().map(Cursor::decode).transpose()?;
        let tasks = self.lock();
        let mut matches: Vec<(Cursor, &Task)> = tasks
            .entries
            .iter()
            .filter(|(key, entry)| {
                key.tenant == query.tenant
                    && entry.owner == query.owner
                    && query
                        .context_id
                        .as_ref()
                        .is_none_or(|c| *c == entry.task.context_id)
                    && query.status.is_none_or(|s| s == entry.task.status.state)
                    && query
                        .status_timestamp_after
                        .is_none_or(|t| entry.task.status.timestamp.is_some_and(|ts| ts >= t))
            })
            .map(|(key, entry)| (Cursor::of(&entry.task, &key.id), &entry.task))
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
        let page: Vec<Task> = matches
            .iter()
            .skip(start)
            .take(query.page_size)
            .map(|(_, t)| (*t).clone())
            .collect();
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
}

/// A position in the newest-first order: a status timestamp and a task id.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Cursor {
    timestamp: i64,
    id: String,
}

impl Cursor {
    fn of(task: &Task, id: &str) -> Self {
        let timestamp = task.status.timestamp.map_or(i64::MIN, |t: DateTime<Utc>| {
            t.timestamp_nanos_opt()
                .unwrap_or(t.timestamp().saturating_mul(1_000_000_000))
        });
        Self {
            timestamp,
            id: id.to_owned(),
        }
    }

    /// Whether `self` comes before `other`, or is it, in the listing order.
    fn is_before_or_at(&self, other: &Cursor) -> bool {
        self.timestamp > other.timestamp || (self.timestamp == other.timestamp && self.id <= other.id)
    }

    fn encode(&self) -> String {
        URL_SAFE_NO_PAD.encode(format!("{}/{}", self.timestamp, self.id))
    }

    fn decode(token: &str) -> Result<Self, Error> {
        let invalid = || Error::invalid_field("pageToken", "not a page token this agent issued");
        let bytes = URL_SAFE_NO_PAD.decode(token).map_err(|_| invalid())?;
        let text = String::from_utf8(bytes).map_err(|_| invalid())?;
        let (timestamp, id) = text.split_once('/').ok_or_else(invalid)?;
        Ok(Self {
            timestamp: timestamp.parse().map_err(|_| invalid())?,
            id: id.to_owned(),
        })
    }
}

/// Push notification configs in a `HashMap`, for one process.
///
/// Bounded per task (default 100 configs) and in all (default 100,000);
/// more is refused, so clients cannot grow it without bound.
#[derive(Debug)]
pub struct InMemoryPushConfigStore {
    per_task: usize,
    total: usize,
    inner: Mutex<Configs>,
}

impl Default for InMemoryPushConfigStore {
    fn default() -> Self {
        Self::new()
    }
}

impl InMemoryPushConfigStore {
    /// A store holding at most 100 configs per task and 100,000 in all.
    pub fn new() -> Self {
        Self {
            per_task: 100,
            total: 100_000,
            inner: Mutex::default(),
        }
    }

    /// Sets how many configs one task may have.
    pub fn with_limit_per_task(mut self, limit: usize) -> Self {
        self.per_task = limit.max(1);
        self
    }

    /// Sets how many configs it holds in all.
    pub fn with_capacity(mut self, total: usize) -> Self {
        self.total = total.max(1);
        self
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Configs> {
        self.inner.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// The configs by task, and how many there are in all.
#[derive(Debug, Default)]
struct Configs {
    by_task: HashMap<TaskKey, Vec<TaskPushNotificationConfig>>,
    count: usize,
}

impl PushConfigStore for InMemoryPushConfigStore {
    async fn save(&self, tenant: &str, config: &TaskPushNotificationConfig) -> Result<(), StoreError> {
        let mut store = self.lock();
        let full = store.count >= self.total;
        let configs = store
            .by_task
            .entry(TaskKey::new(tenant, &config.task_id))
            .or_default();
        if let Some(existing) = configs.iter_mut().find(|c| c.id == config.id) {
            *existing = config.clone();
            return Ok(());
        }
        if configs.len() >= self.per_task {
            return Err(StoreError::LimitReached(format!(
                "task {} already has {} push notification configs",
                config.task_id, self.per_task
            )));
        }
        if full {
            return Err(StoreError::Full(self.total));
        }
        configs.push(config.clone());
        store.count += 1;
        Ok(())
    }

    async fn get(
        &self,
        tenant: &str,
        task_id: &str,
        id: &str,
    ) -> Result<Option<TaskPushNotificationConfig>, StoreError> {
        let store = self.lock();
        Ok(store
            .by_task
            .get(&TaskKey::new(tenant, task_id))
            .and_then(|configs| configs.iter().find(|c| c.id == id))
            .cloned())
    }

    async fn list(&self, tenant: &str, task_id: &str) -> Result<Vec<TaskPushNotificationConfig>, StoreError> {
        Ok(self
            .lock()
            .by_task
            .get(&TaskKey::new(tenant, task_id))
            .cloned()
            .unwrap_or_default())
    }

    async fn delete(&self, tenant: &str, task_id: &str, id: &str) -> Result<(), StoreError> {
        let mut store = self.lock();
        let key = TaskKey::new(tenant, task_id);
        let Some(configs) = store.by_task.get_mut(&key) else {
            return Ok(());
        };
        let before = configs.len();
        configs.retain(|c| c.id != id);
        let removed = before - configs.len();
        if configs.is_empty() {
            store.by_task.remove(&key);
        }
        store.count -= removed;
        Ok(())
    }

    async fn delete_task(&self, tenant: &str, task_id: &str) -> Result<(), StoreError> {
        let mut store = self.lock();
        if let Some(configs) = store.by_task.remove(&TaskKey::new(tenant, task_id)) {
            store.count -= configs.len();
        }
        Ok(())
    }
}
