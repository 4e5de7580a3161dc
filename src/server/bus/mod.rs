//! The event bus: how the events of a task reach everyone following it, and
//! how a cancel reaches the run.
//!
//! The engine appends an event to the store, then publishes it here with its
//! sequence number. A bus may deliver late or drop events (a slow
//! subscriber, a lost notification): a subscriber that sees a gap in the
//! sequence reads the missing events from the store, so the bus carries
//! news, and the store is the truth. That is what lets another
//! implementation carry events between processes.

mod memory;

use std::pin::Pin;

use futures_util::Stream;
use tokio::sync::watch;

pub use memory::InMemoryEventBus;

use super::store::{TaskEvent, TaskKey};

/// The events of one task published from the moment of subscribing, in
/// sequence order, possibly with gaps.
pub type BusStream = Pin<Box<dyn Stream<Item = TaskEvent> + Send>>;

/// Carries a task's events and cancel requests to whoever follows the task.
///
/// ```
/// use a2akit::server::bus::{EventBus, InMemoryEventBus};
/// use a2akit::server::store::TaskKey;
///
/// let bus = InMemoryEventBus::new();
/// let key = TaskKey::new("", "t1");
/// let signal = bus.cancel_signal(&key);
/// bus.cancel(&key);
/// assert!(*signal.borrow());
/// ```
pub trait EventBus: Send + Sync + 'static {
    /// Publishes an event the store has just appended. Never blocks.
    fn publish(&self, key: &TaskKey, event: &TaskEvent);

    /// The events of `key` published from now on.
    fn subscribe(&self, key: &TaskKey) -> BusStream;

    /// Asks the run of `key`, wherever it runs, to stop.
    fn cancel(&self, key: &TaskKey);

    /// Turns true once [`cancel`](Self::cancel) was called for `key` after
    /// this signal was taken.
    fn cancel_signal(&self, key: &TaskKey) -> watch::Receiver<bool>;
}
