//! Where tasks and push notification configs live.
//!
//! [`TaskStore`] and [`PushConfigStore`] are small async traits so that SQL
//! backends can implement them natively: every key is scoped by tenant, every
//! task carries a version for optimistic concurrency, and `ListTasks`
//! filtering and cursor paging are the store's job, so a database can do them
//! with an index instead of loading every task.
//!
//! [`InMemoryTaskStore`] and [`InMemoryPushConfigStore`] are the defaults.

mod memory;

use std::future::Future;

use chrono::{DateTime, Utc};

pub use memory::{InMemoryPushConfigStore, InMemoryTaskStore};

use crate::Error;
use crate::types::{Task, TaskPushNotificationConfig, TaskState};

/// Identifies a task: its tenant (empty when the agent has none) and its id.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TaskKey {
    /// The tenant, empty for none.
    pub tenant: String,
    /// The task id.
    pub id: String,
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

/// A task's version: it changes on every write, so that a writer can tell
/// whether someone else wrote in between.
pub type Version = u64;

/// A task as stored: the task, who owns it, and its version.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredTask {
    /// The task, with its full history and artifacts.
    pub task: Task,
    /// The caller that created it (empty for anonymous callers); only that
    /// caller sees it.
    pub owner: String,
    /// The version of this write.
    pub version: Version,
}

/// Why a store refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// A task with this key already exists.
    #[error("task {0} already exists")]
    AlreadyExists(String),
    /// The task does not exist.
    #[error("task {0} not found")]
    NotFound(String),
    /// The task was written by someone else since it was read.
    #[error("task {id} was modified concurrently (expected version {expected})")]
    Conflict {
        /// The task id.
        id: String,
        /// The version the writer read.
        expected: Version,
    },
    /// The store holds as many tasks as it may.
    #[error("the task store is full ({0} tasks)")]
    Full(usize),
    /// A limit on what one client may store was reached.
    #[error("{0}")]
    LimitReached(String),
    /// The backend failed.
    #[error("task store failure: {0}")]
    Backend(String),
}

impl From<StoreError> for Error {
    fn from(err: StoreError) -> Self {
        match err {
            StoreError::NotFound(id) => Error::task_not_found(&id),
            StoreError::LimitReached(why) => Error::invalid_params(why),
            other => Error::internal(other.to_string()),
        }
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
}

/// One page of matching tasks, newest status timestamp first.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct TaskPage {
    /// The tasks, complete (the handler trims history and artifacts).
    pub tasks: Vec<Task>,
    /// The cursor of the next page; empty on the last page.
    pub next_page_token: String,
    /// How many tasks match, over all pages.
    pub total_size: usize,
}

/// Storage for tasks.
///
/// Implementations must be safe to call concurrently; the handler serialises
/// writes to one task within a process, and versions catch writers in other
/// processes.
pub trait TaskStore: Send + Sync + 'static {
    /// Stores a new task; fails with [`StoreError::AlreadyExists`] if the key is taken.
    fn create(
        &self,
        key: &TaskKey,
        owner: &str,
        task: &Task,
    ) -> impl Future<Output = Result<Version, StoreError>> + Send;

    /// Replaces a task if its version is still `expected`, returning the new version.
    fn update(
        &self,
        key: &TaskKey,
        task: &Task,
        expected: Version,
    ) -> impl Future<Output = Result<Version, StoreError>> + Send;

    /// Reads a task.
    fn get(&self, key: &TaskKey) -> impl Future<Output = Result<Option<StoredTask>, StoreError>> + Send;

    /// Lists the tasks matching `query`, newest status timestamp first (ties
    /// broken by id). A page token the store cannot read is an
    /// [`Error::invalid_params`]; a backend failure is [`Error::internal`].
    fn list(&self, query: &TaskQuery) -> impl Future<Output = Result<TaskPage, Error>> + Send;
}

/// Storage for push notification configs, keyed by task and config id.
pub trait PushConfigStore: Send + Sync + 'static {
    /// Stores a config (its `task_id` and `id` set), replacing one with the same ids.
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

    /// Removes every config of a task (e.g. one that will never exist because
    /// the agent answered with a direct message).
    fn delete_task(&self, tenant: &str, task_id: &str)
    -> impl Future<Output = Result<(), StoreError>> + Send;
}

type BoxFuture<'a, T> = std::pin::Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// [`TaskStore`] behind a pointer: the handler holds any store as `Arc<dyn DynTaskStore>`.
pub(crate) trait DynTaskStore: Send + Sync + 'static {
    fn create<'a>(
        &'a self,
        key: &'a TaskKey,
        owner: &'a str,
        task: &'a Task,
    ) -> BoxFuture<'a, Result<Version, StoreError>>;
    fn update<'a>(
        &'a self,
        key: &'a TaskKey,
        task: &'a Task,
        expected: Version,
    ) -> BoxFuture<'a, Result<Version, StoreError>>;
    fn get<'a>(&'a self, key: &'a TaskKey) -> BoxFuture<'a, Result<Option<StoredTask>, StoreError>>;
    fn list<'a>(&'a self, query: &'a TaskQuery) -> BoxFuture<'a, Result<TaskPage, Error>>;
}

impl<S: TaskStore> DynTaskStore for S {
    fn create<'a>(
        &'a self,
        key: &'a TaskKey,
        owner: &'a str,
        task: &'a Task,
    ) -> BoxFuture<'a, Result<Version, StoreError>> {
        Box::pin(TaskStore::create(self, key, owner, task))
    }
    fn update<'a>(
        &'a self,
        key: &'a TaskKey,
        task: &'a Task,
        expected: Version,
    ) -> BoxFuture<'a, Result<Version, StoreError>> {
        Box::pin(TaskStore::update(self, key, task, expected))
    }
    fn get<'a>(&'a self, key: &'a TaskKey) -> BoxFuture<'a, Result<Option<StoredTask>, StoreError>> {
        Box::pin(TaskStore::get(self, key))
    }
    fn list<'a>(&'a self, query: &'a TaskQuery) -> BoxFuture<'a, Result<TaskPage, Error>> {
        Box::pin(TaskStore::list(self, query))
    }
}

/// [`PushConfigStore`] behind a pointer.
pub(crate) trait DynPushConfigStore: Send + Sync + 'static {
    fn save<'a>(
        &'a self,
        tenant: &'a str,
        config: &'a TaskPushNotificationConfig,
    ) -> BoxFuture<'a, Result<(), StoreError>>;
    fn get<'a>(
        &'a self,
        tenant: &'a str,
        task_id: &'a str,
        id: &'a str,
    ) -> BoxFuture<'a, Result<Option<TaskPushNotificationConfig>, StoreError>>;
    fn list<'a>(
        &'a self,
        tenant: &'a str,
        task_id: &'a str,
    ) -> BoxFuture<'a, Result<Vec<TaskPushNotificationConfig>, StoreError>>;
    fn delete<'a>(
        &'a self,
        tenant: &'a str,
        task_id: &'a str,
        id: &'a str,
    ) -> BoxFuture<'a, Result<(), StoreError>>;
    fn delete_task<'a>(&'a self, tenant: &'a str, task_id: &'a str) -> BoxFuture<'a, Result<(), StoreError>>;
}

impl<S: PushConfigStore> DynPushConfigStore for S {
    fn save<'a>(
        &'a self,
        tenant: &'a str,
        config: &'a TaskPushNotificationConfig,
    ) -> BoxFuture<'a, Result<(), StoreError>> {
        Box::pin(PushConfigStore::save(self, tenant, config))
    }
    fn get<'a>(
        &'a self,
        tenant: &'a str,
        task_id: &'a str,
        id: &'a str,
    ) -> BoxFuture<'a, Result<Option<TaskPushNotificationConfig>, StoreError>> {
        Box::pin(PushConfigStore::get(self, tenant, task_id, id))
    }
    fn list<'a>(
        &'a self,
        tenant: &'a str,
        task_id: &'a str,
    ) -> BoxFuture<'a, Result<Vec<TaskPushNotificationConfig>, StoreError>> {
        Box::pin(PushConfigStore::list(self, tenant, task_id))
    }
    fn delete<'a>(
        &'a self,
        tenant: &'a str,
        task_id: &'a str,
        id: &'a str,
    ) -> BoxFuture<'a, Result<(), StoreError>> {
        Box::pin(PushConfigStore::delete(self, tenant, task_id, id))
    }
    fn delete_task<'a>(&'a self, tenant: &'a str, task_id: &'a str) -> BoxFuture<'a, Result<(), StoreError>> {
        Box::pin(PushConfigStore::delete_task(self, tenant, task_id))
    }
}

/// A shared store is a store: hand the handler an `Arc` and keep a clone to
/// look inside (tests, metrics, admin tools).
impl<S: TaskStore> TaskStore for std::sync::Arc<S> {
    fn create(
        &self,
        key: &TaskKey,
        owner: &str,
        task: &Task,
    ) -> impl Future<Output = Result<Version, StoreError>> + Send {
        S::create(self, key, owner, task)
    }

    fn update(
        &self,
        key: &TaskKey,
        task: &Task,
        expected: Version,
    ) -> impl Future<Output = Result<Version, StoreError>> + Send {
        S::update(self, key, task, expected)
    }

    fn get(&self, key: &TaskKey) -> impl Future<Output = Result<Option<StoredTask>, StoreError>> + Send {
        S::get(self, key)
    }

    fn list(&self, query: &TaskQuery) -> impl Future<Output = Result<TaskPage, Error>> + Send {
        S::list(self, query)
    }
}
