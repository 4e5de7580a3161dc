//! The stores behind a pointer: the handler holds any store as `Arc<dyn DynStore>`.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use chrono::{DateTime, Utc};

use super::{
    PendingPush, PushConfigStore, PushOutbox, Sequence, StoreError, StoredTask, TaskEvent, TaskKey, TaskPage,
    TaskQuery, TaskStore, TaskView,
};
use crate::types::{StreamResponse, Task, TaskPushNotificationConfig};

type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// A store call, boxed, and timed for the metrics.
fn timed<'a, T: 'a>(call: &'static str, work: impl Future<Output = T> + Send + 'a) -> BoxFuture<'a, T> {
    Box::pin(crate::server::telemetry::store_call(call, work))
}

/// [`TaskStore`], [`PushConfigStore`] and [`PushOutbox`], object-safe.
pub(crate) trait DynStore: Send + Sync + 'static {
    fn create<'a>(
        &'a self,
        key: &'a TaskKey,
        owner: &'a str,
        task: &'a Task,
    ) -> BoxFuture<'a, Result<Sequence, StoreError>>;
    fn append<'a>(
        &'a self,
        key: &'a TaskKey,
        expected: Sequence,
        events: &'a [Arc<StreamResponse>],
    ) -> BoxFuture<'a, Result<Sequence, StoreError>>;
    fn get<'a>(
        &'a self,
        key: &'a TaskKey,
        view: TaskView,
    ) -> BoxFuture<'a, Result<Option<StoredTask>, StoreError>>;
    fn events_after<'a>(
        &'a self,
        key: &'a TaskKey,
        after: Sequence,
    ) -> BoxFuture<'a, Result<Option<Vec<TaskEvent>>, StoreError>>;
    fn list<'a>(&'a self, query: &'a TaskQuery) -> BoxFuture<'a, Result<TaskPage, StoreError>>;
    fn remove<'a>(&'a self, key: &'a TaskKey) -> BoxFuture<'a, Result<(), StoreError>>;
    fn unfinished_since(
        &self,
        before: DateTime<Utc>,
        limit: usize,
    ) -> BoxFuture<'_, Result<Vec<TaskKey>, StoreError>>;
    fn save_config<'a>(
        &'a self,
        tenant: &'a str,
        config: &'a TaskPushNotificationConfig,
    ) -> BoxFuture<'a, Result<(), StoreError>>;
    fn get_config<'a>(
        &'a self,
        tenant: &'a str,
        task_id: &'a str,
        id: &'a str,
    ) -> BoxFuture<'a, Result<Option<TaskPushNotificationConfig>, StoreError>>;
    fn list_configs<'a>(
        &'a self,
        tenant: &'a str,
        task_id: &'a str,
    ) -> BoxFuture<'a, Result<Vec<TaskPushNotificationConfig>, StoreError>>;
    fn delete_config<'a>(
        &'a self,
        tenant: &'a str,
        task_id: &'a str,
        id: &'a str,
    ) -> BoxFuture<'a, Result<(), StoreError>>;
    fn claim_due(
        &self,
        now: DateTime<Utc>,
        until: DateTime<Utc>,
        limit: usize,
    ) -> BoxFuture<'_, Result<Vec<PendingPush>, StoreError>>;
    fn finish_push<'a>(&'a self, push: &'a PendingPush) -> BoxFuture<'a, Result<(), StoreError>>;
    fn retry_push<'a>(
        &'a self,
        push: &'a PendingPush,
        at: DateTime<Utc>,
    ) -> BoxFuture<'a, Result<(), StoreError>>;
    fn queued_signal(&self) -> Option<Arc<tokio::sync::Notify>>;
}

impl<S: TaskStore + PushConfigStore + PushOutbox> DynStore for S {
    fn create<'a>(
        &'a self,
        key: &'a TaskKey,
        owner: &'a str,
        task: &'a Task,
    ) -> BoxFuture<'a, Result<Sequence, StoreError>> {
        timed("create", TaskStore::create(self, key, owner, task))
    }
    fn append<'a>(
        &'a self,
        key: &'a TaskKey,
        expected: Sequence,
        events: &'a [Arc<StreamResponse>],
    ) -> BoxFuture<'a, Result<Sequence, StoreError>> {
        timed("append", TaskStore::append(self, key, expected, events))
    }
    fn get<'a>(
        &'a self,
        key: &'a TaskKey,
        view: TaskView,
    ) -> BoxFuture<'a, Result<Option<StoredTask>, StoreError>> {
        timed("get", TaskStore::get(self, key, view))
    }
    fn events_after<'a>(
        &'a self,
        key: &'a TaskKey,
        after: Sequence,
    ) -> BoxFuture<'a, Result<Option<Vec<TaskEvent>>, StoreError>> {
        timed("events_after", TaskStore::events_after(self, key, after))
    }
    fn list<'a>(&'a self, query: &'a TaskQuery) -> BoxFuture<'a, Result<TaskPage, StoreError>> {
        timed("list", TaskStore::list(self, query))
    }
    fn remove<'a>(&'a self, key: &'a TaskKey) -> BoxFuture<'a, Result<(), StoreError>> {
        timed("remove", TaskStore::remove(self, key))
    }
    fn unfinished_since(
        &self,
        before: DateTime<Utc>,
        limit: usize,
    ) -> BoxFuture<'_, Result<Vec<TaskKey>, StoreError>> {
        timed(
            "unfinished_since",
            TaskStore::unfinished_since(self, before, limit),
        )
    }
    fn save_config<'a>(
        &'a self,
        tenant: &'a str,
        config: &'a TaskPushNotificationConfig,
    ) -> BoxFuture<'a, Result<(), StoreError>> {
        timed("save", PushConfigStore::save(self, tenant, config))
    }
    fn get_config<'a>(
        &'a self,
        tenant: &'a str,
        task_id: &'a str,
        id: &'a str,
    ) -> BoxFuture<'a, Result<Option<TaskPushNotificationConfig>, StoreError>> {
        timed("get", PushConfigStore::get(self, tenant, task_id, id))
    }
    fn list_configs<'a>(
        &'a self,
        tenant: &'a str,
        task_id: &'a str,
    ) -> BoxFuture<'a, Result<Vec<TaskPushNotificationConfig>, StoreError>> {
        timed("list", PushConfigStore::list(self, tenant, task_id))
    }
    fn delete_config<'a>(
        &'a self,
        tenant: &'a str,
        task_id: &'a str,
        id: &'a str,
    ) -> BoxFuture<'a, Result<(), StoreError>> {
        timed("delete", PushConfigStore::delete(self, tenant, task_id, id))
    }
    fn claim_due(
        &self,
        now: DateTime<Utc>,
        until: DateTime<Utc>,
        limit: usize,
    ) -> BoxFuture<'_, Result<Vec<PendingPush>, StoreError>> {
        timed("claim_due", PushOutbox::claim_due(self, now, until, limit))
    }
    fn finish_push<'a>(&'a self, push: &'a PendingPush) -> BoxFuture<'a, Result<(), StoreError>> {
        timed("finish", PushOutbox::finish(self, push))
    }
    fn retry_push<'a>(
        &'a self,
        push: &'a PendingPush,
        at: DateTime<Utc>,
    ) -> BoxFuture<'a, Result<(), StoreError>> {
        timed("retry_at", PushOutbox::retry_at(self, push, at))
    }
    fn queued_signal(&self) -> Option<Arc<tokio::sync::Notify>> {
        PushOutbox::queued_signal(self)
    }
}
