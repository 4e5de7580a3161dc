//! The push outbox: deliveries written together with the events they carry.
//!
//! When a task with push configs changes, the store queues one delivery per
//! config for each new event in the same atomic step that logs the event
//! ([`TaskStore::append`](super::TaskStore::append)), so that an event is
//! never stored without its deliveries nor delivered without being stored.
//! A sender then claims what is due, posts it, and marks it done or due
//! again later. Deliveries to one config of one task form a queue: only its
//! oldest delivery is ever claimed, so a receiver sees a task's events in
//! order, and a slow webhook delays nobody else's queue.

use std::future::Future;
use std::sync::Arc;

use chrono::{DateTime, Utc};

use super::{Sequence, StoreError, TaskKey};
use crate::types::{StreamResponse, TaskPushNotificationConfig};

/// Names one delivery: event `sequence` of task `key`, for its config `config_id`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PushId {
    /// The task.
    pub key: TaskKey,
    /// The push config of that task.
    pub config_id: String,
    /// The event's sequence in the task's log.
    pub sequence: Sequence,
}

/// A delivery claimed from the outbox, with what it needs to be sent.
#[derive(Debug, Clone, PartialEq)]
pub struct PendingPush {
    /// Which delivery this is.
    pub id: PushId,
    /// The config as it stands now (a config replaced since the event keeps
    /// its queue and takes the new URL and credentials).
    pub config: TaskPushNotificationConfig,
    /// The event to post.
    pub event: Arc<StreamResponse>,
    /// Attempts so far, this one included.
    pub attempts: u32,
    /// When the event was queued.
    pub queued_at: DateTime<Utc>,
}

/// Where push deliveries wait until they are sent.
///
/// A store that keeps push configs also queues deliveries: its
/// [`append`](super::TaskStore::append) adds, for every config the task has
/// at that moment, one delivery per appended event except client messages
/// (subscribers do not see those either), atomically with the events.
/// Removing a config or a task drops its queued deliveries.
///
/// Claims are how several senders (several processes on one database) share
/// the work without sending one delivery twice at once: a claimed delivery
/// is hidden from other claims until the claim runs out, so a sender that
/// dies mid-delivery leaves it to be sent again later (deliveries are at
/// least once). Claims are timed by the senders' clocks: processes sharing
/// a database should keep theirs in sync (NTP), well within the margin a
/// claim leaves beyond the delivery timeout (30 seconds). Claims are timed by the senders' clocks: processes sharing
/// a database should keep theirs in sync (NTP), within the margin a claim
/// leaves beyond the delivery timeout.
pub trait PushOutbox: Send + Sync + 'static {
    /// Claims at most `limit` deliveries due at `now`, only the oldest of each
    /// (task, config) queue, hiding each from other claims until `until`;
    /// each claim counts as an attempt.
    fn claim_due(
        &self,
        now: DateTime<Utc>,
        until: DateTime<Utc>,
        limit: usize,
    ) -> impl Future<Output = Result<Vec<PendingPush>, StoreError>> + Send;

    /// Removes a claimed delivery: sent, or given up on. Does nothing if
    /// the claim ran out and another claim took the delivery since (its
    /// `attempts` moved on): that sender decides now.
    fn finish(&self, push: &PendingPush) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Makes a claimed delivery due again at `at`, on the same terms as
    /// [`finish`](Self::finish).
    fn retry_at(
        &self,
        push: &PendingPush,
        at: DateTime<Utc>,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Notified when this store queues a delivery, so that a sender in the
    /// same process need not wait for its next poll. `None` (the default)
    /// leaves the sender to polling.
    fn queued_signal(&self) -> Option<Arc<tokio::sync::Notify>> {
        None
    }
}

impl<S: PushOutbox> PushOutbox for Arc<S> {
    fn claim_due(
        &self,
        now: DateTime<Utc>,
        until: DateTime<Utc>,
        limit: usize,
    ) -> impl Future<Output = Result<Vec<PendingPush>, StoreError>> + Send {
        S::claim_due(self, now, until, limit)
    }

    fn finish(&self, push: &PendingPush) -> impl Future<Output = Result<(), StoreError>> + Send {
        S::finish(self, push)
    }

    fn retry_at(
        &self,
        push: &PendingPush,
        at: DateTime<Utc>,
    ) -> impl Future<Output = Result<(), StoreError>> + Send {
        S::retry_at(self, push, at)
    }

    fn queued_signal(&self) -> Option<Arc<tokio::sync::Notify>> {
        S::queued_signal(self)
    }
}
