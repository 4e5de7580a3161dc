//! The event bus: how the events of a task reach everyone following it, and
//! how a cancel reaches the run.
//!
//! The engine appends an event to the store, then publishes it here with its
//! sequence number. A bus may deliver late or drop events (a slow
//! subscriber, a lost notification): a subscriber that sees a gap in the
//! sequence reads the missing events from the store, so the bus carries
//! news, and the store is the truth. That is what lets another
//! implementation carry events between processes: [`PgEventBus`] (feature
//! `postgres`) over the database the processes share, and
//! [`NatsEventBus`] (feature `nats`) over NATS JetStream.

mod memory;
#[cfg(feature = "nats")]
#[cfg_attr(docsrs, doc(cfg(feature = "nats")))]
mod nats;
#[cfg(feature = "postgres")]
#[cfg_attr(docsrs, doc(cfg(feature = "postgres")))]
mod postgres;
#[cfg(any(feature = "postgres", feature = "nats"))]
mod relay;

use std::pin::Pin;

use futures_util::Stream;
use tokio::sync::watch;

pub use memory::InMemoryEventBus;
#[cfg(feature = "nats")]
pub use nats::{NatsBusOptions, NatsEventBus};
#[cfg(feature = "postgres")]
pub use postgres::PgEventBus;

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
