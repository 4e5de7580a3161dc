//! Where tasks and push notification configs live.
//!
//! A task is stored as a **log of events** with a per-task sequence number
//! (1 for the event that created it, then one more per change) and the
//! **snapshot** those events add up to. The engine appends events with the
//! sequence it last saw ([`TaskStore::append`]): the append succeeds only if
//! nobody wrote in between (optimistic concurrency), so two writers — two
//! requests, or two replicas — can never interleave their changes. A stream
//! that lost its connection resumes from the events after the last sequence
//! it saw ([`TaskStore::events_after`]).
//!
//! The traits are small and async so that SQL backends implement them
//! natively: every key is scoped by tenant, reads can be projected
//! ([`TaskView`]) so that nothing is loaded that the caller did not ask for,
//! and `ListTasks` filtering and cursor paging are the store's job.
//!
//! [`InMemoryTaskStore`] is the default; it holds tasks and their push
//! configs for one process. The `sql` module (features `sqlite`, `postgres`,
//! `mysql`) keeps them in a database, across restarts and for several
//! processes at once.

mod cursor;
mod error;
mod memory;
mod outbox;
#[cfg(any(feature = "sqlite", feature = "postgres", feature = "mysql"))]
#[cfg_attr(docsrs, doc(cfg(any(feature = "sqlite", feature = "postgres", feature = "mysql"))))]
pub mod sql;

use std::future::Future;
use std::sync::Arc;

use chrono::{DateTime, Utc};

pub use error::{StoreError, StoreErrorKind};
pub use memory::InMemoryTaskStore;
pub use outbox::{PendingPush, PushId, PushOutbox};

use crate::types::{StreamResponse, Task, TaskPushNotificationConfig, TaskState};

/// Identifies a task: its tenant (empty when the agent has none) and its id.
#[derive(Debug, Clone)]
pub struct TaskKey {
    /// The tenant, empty for none.
    pub tenant: String,
    /// The task id.
    pub id: String,
}

/// Compares the ids first (they tell tasks apart) and looks at the bytes of
/// a tenant only when it is not empty. Keys are compared on every map
/// lookup, and most agents have no tenant: comparing two empty strings
/// byte-wise hands `memcmp` a dangling pointer, which some CPUs read through
/// a slow fault-suppression path that once cost a fifth of a blocking send.
impl PartialEq for TaskKey {
    fn eq(&self, other: &Self) -> bool {
        same(&self.id, &other.id) && same(&self.tenant, &other.tenant)
    }
}

impl Eq for TaskKey {}

impl std::hash::Hash for TaskKey {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.tenant.hash(state);
        self.id.hash(state);
    }
}

/// Tenant first, then id.
impl Ord for TaskKey {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        (&self.tenant, &self.id).cmp(&(&other.tenant, &other.id))
    }
}

impl PartialOrd for TaskKey {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

/// `a == b`, without reading the bytes of empty strings.
pub(crate) fn same(a: &str, b: &str) -> bool {
    a.len() == b.len() && (a.is_empty() || a == b)
}

impl TaskKey {
    /// The key of task `id` in `tenant`.
    pub fn new(tenant: impl Into<String>, id: impl Into<String>) -> Self {
        Self {
            tenant: tenant.into(),
            id: id.into(),
        }
    }
}

/// The position of an event in its task's log: 1 for the event that created
/// the task, one more for each later change. It never repeats, and it is the
/// `id:` of the event's SSE frame.
pub type Sequence = u64;

/// One change of a task, with its place in the task's log.
///
/// The event is what goes on the wire: [`StreamResponse::Task`] for the
/// creation (the task as created), [`StreamResponse::Message`] for a client
/// message added to the history, and the status and artifact updates.
#[derive(Debug, Clone, PartialEq)]
pub struct TaskEvent {
    /// Its position in the task's log.
    pub sequence: Sequence,
    /// The change.
    pub event: Arc<StreamResponse>,
}

/// A task as stored: the task (as projected), who owns it, and the sequence
/// of the last event applied to it.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredTask {
    /// The task, trimmed to the [`TaskView`] that was asked for.
    pub task: Task,
    /// The caller that created it (empty for anonymous callers); only that
    /// caller sees it.
    pub owner: String,
    /// The sequence of the last event applied.
    pub sequence: Sequence,
}

/// How much of a task a read returns, so that a backend need not load what
/// is not asked for.
///
/// ```
/// use a2akit::server::store::TaskView;
///
/// let view = TaskView::FULL.history_length(Some(2)).include_artifacts(false);
/// assert_eq!(view.history, Some(2));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TaskView {
    /// At most this many of the newest history messages (`None`: all).
    pub history: Option<usize>,
    /// Whether artifacts are included.
    pub artifacts: bool,
}

impl TaskView {
    /// The whole task.
    pub const FULL: TaskView = TaskView {
        history: None,
        artifacts: true,
    };

    /// Keeps at most `n` history messages (`None`: all).
    pub const fn history_length(mut self, n: Option<usize>) -> Self {
        self.history = n;
        self
    }

    /// Includes artifacts or not.
    pub const fn include_artifacts(mut self, include: bool) -> Self {
        self.artifacts = include;
        self
    }

    /// A copy of `task` as this view shows it, cloning only what it keeps.
    pub fn project(&self, task: &Task) -> Task {
        let keep = self.history.unwrap_or(usize::MAX).min(task.history.len());
        Task {
            id: task.id.clone(),
            context_id: task.context_id.clone(),
            status: task.status.clone(),
            artifacts: if self.artifacts {
                task.artifacts.clone()
            } else {
                Vec::new()
            },
            history: task.history[task.history.len() - keep..].to_vec(),
            metadata: task.metadata.clone(),
        }
    }

    /// Trims `task` in place to this view.
    pub fn trim(&self, task: &mut Task) {
        if let Some(keep) = self.history {
            let len = task.history.len();
            if len > keep {
                task.history.drain(..len - keep);
            }
        }
        if !self.artifacts {
            task.artifacts.clear();
        }
    }
}

impl Default for TaskView {
    fn default() -> Self {
        Self::FULL
    }
}

/// What `ListTasks` asks the store for; the page size is already checked (1..=100).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskQuery {
    /// The tenant.
    pub tenant: String,
    /// Only tasks of this owner.
    pub owner: String,
    /// Only tasks of this conversation, when set.
    pub context_id: Option<String>,
    /// Only tasks in this state, when set.
    pub status: Option<TaskState>,
    /// Only tasks whose status timestamp is at or after this, when set.
    pub status_timestamp_after: Option<DateTime<Utc>>,
    /// At most this many tasks.
    pub page_size: usize,
    /// Where to continue: a `next_page_token` this store returned before.
    pub page_token: Option<String>,
    /// How much of each task to return.
    pub view: TaskView,
}

/// One page of matching tasks, newest status timestamp first.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct TaskPage {
    /// The tasks, projected as the query asked.
    pub tasks: Vec<Task>,
    /// The cursor of the next page; empty on the last page.
    pub next_page_token: String,
    /// How many tasks match, over all pages. A store may count once per walk
    /// through the pages (the SQL stores do, so that a deep page costs what
    /// the first one does) and repeat that count on later pages.
    pub total_size: usize,
}

/// Storage for tasks: their snapshots and their event logs.
///
/// Implementations must be safe to call concurrently. The engine serialises
/// writes to one task within a process; the expected sequence of
/// [`append`](Self::append) catches writers elsewhere. The contract every
/// implementation must keep is written down as a test suite in the crate's
/// `tests/store_contract/`; run it against a new backend.
pub trait TaskStore: Send + Sync + 'static {
    /// Stores a new task as its first event (sequence 1, the task itself).
    /// Fails with [`StoreErrorKind::Conflict`] if the key is taken and
    /// [`StoreErrorKind::Capacity`] if the store (or this owner's share of
    /// it) is full.
    fn create(
        &self,
        key: &TaskKey,
        owner: &str,
        task: &Task,
    ) -> impl Future<Output = Result<Sequence, StoreError>> + Send;

    /// Appends `events` (numbered `expected + 1`, `expected + 2`, …) and
    /// applies them to the snapshot with [`apply_event`](crate::server::task::apply_event),
    /// in one atomic step, if the task's last sequence is still `expected`;
    /// returns the new last sequence. Fails with
    /// [`StoreErrorKind::Conflict`] if someone appended since, and
    /// [`StoreErrorKind::NotFound`] if the task is gone.
    ///
    /// A backend may store the snapshot in whatever shape lets it append in
    /// time proportional to the events, not to the task.
    ///
    /// A store that is also a [`PushOutbox`] queues, in the same atomic
    /// step, one delivery per push config of the task for every event but
    /// a client message.
    fn append(
        &self,
        key: &TaskKey,
        expected: Sequence,
        events: &[Arc<StreamResponse>],
    ) -> impl Future<Output = Result<Sequence, StoreError>> + Send;

    /// Reads a task, projected to `view`.
    fn get(
        &self,
        key: &TaskKey,
        view: TaskView,
    ) -> impl Future<Output = Result<Option<StoredTask>, StoreError>> + Send;

    /// The events of a task after sequence `after`, in order, for as long as
    /// the store keeps them (each implementation documents its retention).
    /// `None` when the task is unknown or the store no longer holds every
    /// event after `after`.
    fn events_after(
        &self,
        key: &TaskKey,
        after: Sequence,
    ) -> impl Future<Output = Result<Option<Vec<TaskEvent>>, StoreError>> + Send;

    /// Lists the tasks matching `query`, newest status timestamp first (ties
    /// broken by id). A page token the store cannot read is
    /// [`StoreErrorKind::InvalidPageToken`].
    fn list(&self, query: &TaskQuery) -> impl Future<Output = Result<TaskPage, StoreError>> + Send;

    /// Removes a task with its events and push configs; removing a missing
    /// task is not an error. The engine removes a task that no client ever
    /// saw when the agent answered it with a direct message.
    fn remove(&self, key: &TaskKey) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// At most `limit` unfinished tasks (submitted or working) whose status
    /// has not changed since `before`: where to look for runs lost with the
    /// process that ran them. The engine claims each before it fails it, so
    /// a task whose run is alive somewhere is left alone. The default finds
    /// none, which is right for a store that does not outlive its process.
    fn unfinished_since(
        &self,
        before: DateTime<Utc>,
        limit: usize,
    ) -> impl Future<Output = Result<Vec<TaskKey>, StoreError>> + Send {
        let _ = (before, limit);
        async { Ok(Vec::new()) }
    }
}

/// Storage for push notification configs, keyed by task and config id.
///
/// Configs belong to their task: a store must drop them when it drops the
/// task (eviction included), so they never outlive it. Deleting a config
/// drops the deliveries still queued for it.
pub trait PushConfigStore: Send + Sync + 'static {
    /// Stores a config (its `task_id` and `id` set), replacing one with the
    /// same ids. Fails with [`StoreErrorKind::NotFound`] if the task is not stored.
    fn save(
        &self,
        tenant: &str,
        config: &TaskPushNotificationConfig,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Reads one config.
    fn get(
        &self,
        tenant: &str,
        task_id: &str,
        id: &str,
    ) -> impl Future<Output = Result<Option<TaskPushNotificationConfig>, StoreError>> + Send;

    /// The configs of a task, in creation order.
    fn list(
        &self,
        tenant: &str,
        task_id: &str,
    ) -> impl Future<Output = Result<Vec<TaskPushNotificationConfig>, StoreError>> + Send;

    /// Removes one config; removing a missing one is not an error.
    fn delete(
        &self,
        tenant: &str,
        task_id: &str,
        id: &str,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
}

mod dynamic;
pub(crate) use dynamic::DynStore;

/// A shared store is a store: hand the handler an `Arc` and keep a clone to
/// look inside (tests, metrics, admin tools).
impl<S: TaskStore> TaskStore for Arc<S> {
    fn create(
        &self,
        key: &TaskKey,
        owner: &str,
        task: &Task,
    ) -> impl Future<Output = Result<Sequence, StoreError>> + Send {
        S::create(self, key, owner, task)
    }

    fn append(
        &self,
        key: &TaskKey,
        expected: Sequence,
        events: &[Arc<StreamResponse>],
    ) -> impl Future<Output = Result<Sequence, StoreError>> + Send {
        S::append(self, key, expected, events)
    }

    fn get(
        &self,
        key: &TaskKey,
        view: TaskView,
    ) -> impl Future<Output = Result<Option<StoredTask>, StoreError>> + Send {
        S::get(self, key, view)
    }

    fn events_after(
        &self,
        key: &TaskKey,
        after: Sequence,
    ) -> impl Future<Output = Result<Option<Vec<TaskEvent>>, StoreError>> + Send {
        S::events_after(self, key, after)
    }

    fn list(&self, query: &TaskQuery) -> impl Future<Output = Result<TaskPage, StoreError>> + Send {
        S::list(self, query)
    }

    fn remove(&self, key: &TaskKey) -> impl Future<Output = Result<(), StoreError>> + Send {
        S::remove(self, key)
    }

    fn unfinished_since(
        &self,
        before: DateTime<Utc>,
        limit: usize,
    ) -> impl Future<Output = Result<Vec<TaskKey>, StoreError>> + Send {
        S::unfinished_since(self, before, limit)
    }
}

impl<S: PushConfigStore> PushConfigStore for Arc<S> {
    fn save(
        &self,
        tenant: &str,
        config: &TaskPushNotificationConfig,
    ) -> impl Future<Output = Result<(), StoreError>> + Send {
        S::save(self, tenant, config)
    }

    fn get(
        &self,
        tenant: &str,
        task_id: &str,
        id: &str,
    ) -> impl Future<Output = Result<Option<TaskPushNotificationConfig>, StoreError>> + Send {
        S::get(self, tenant, task_id, id)
    }

    fn list(
        &self,
        tenant: &str,
        task_id: &str,
    ) -> impl Future<Output = Result<Vec<TaskPushNotificationConfig>, StoreError>> + Send {
        S::list(self, tenant, task_id)
    }

    fn delete(
        &self,
        tenant: &str,
        task_id: &str,
        id: &str,
    ) -> impl Future<Output = Result<(), StoreError>> + Send {
        S::delete(self, tenant, task_id, id)
    }
}
