//! The in-process bus: a bounded broadcast channel per followed task.

use std::collections::HashMap;
use std::sync::Mutex;

use futures_util::StreamExt as _;
use tokio::sync::{broadcast, watch};

use super::{BusStream, EventBus};
use crate::server::store::{TaskEvent, TaskKey};

/// The default bus: events and cancels within one process.
///
/// Each followed task has a channel of [`Self::DEFAULT_BUFFER`] events; a
/// subscriber that falls further behind skips ahead and reads what it missed
/// from the store, so a slow reader never holds the others back and never
/// makes the bus grow. A task nobody follows costs nothing.
#[derive(Debug)]
pub struct InMemoryEventBus {
    buffer: usize,
    slots: Mutex<Slots>,
}

#[derive(Debug, Default)]
struct Slots {
    events: HashMap<TaskKey, broadcast::Sender<TaskEvent>>,
    cancels: HashMap<TaskKey, watch::Sender<bool>>,
    /// Map sizes at the last cleanup: clean again when they double.
    events_mark: usize,
    cancels_mark: usize,
}

impl Default for InMemoryEventBus {
    fn default() -> Self {
        Self::new()
    }
}

impl InMemoryEventBus {
    /// How many events a subscriber may fall behind before it reads from the store.
    pub const DEFAULT_BUFFER: usize = 64;

    /// A bus with the default buffer.
    pub fn new() -> Self {
        Self::with_buffer(Self::DEFAULT_BUFFER)
    }

    /// A bus whose subscribers may fall `buffer` events behind.
    pub fn with_buffer(buffer: usize) -> Self {
        Self {
            buffer: buffer.max(1),
            slots: Mutex::default(),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Slots> {
        self.slots.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

#[cfg(any(feature = "postgres", feature = "nats"))]
impl InMemoryEventBus {
    /// The tasks whose runs in this process listen for a cancel that has
    /// not come yet.
    pub(crate) fn awaiting_cancel(&self) -> Vec<TaskKey> {
        self.lock()
            .cancels
            .iter()
            .filter(|(_, tx)| tx.receiver_count() > 0 && !*tx.borrow())
            .map(|(key, _)| key.clone())
            .collect()
    }
}

impl Slots {
    /// Forgets the channels nobody listens to any more, amortised: only when
    /// a map has doubled since the last time.
    fn tidy(&mut self) {
        if self.events.len() >= 2 * self.events_mark.max(32) {
            self.events.retain(|_, tx| tx.receiver_count() > 0);
            self.events_mark = self.events.len();
        }
        if self.cancels.len() >= 2 * self.cancels_mark.max(32) {
            self.cancels.retain(|_, tx| tx.receiver_count() > 0);
            self.cancels_mark = self.cancels.len();
        }
    }
}

impl EventBus for InMemoryEventBus {
    fn publish(&self, key: &TaskKey, event: &TaskEvent) {
        let mut slots = self.lock();
        if let Some(tx) = slots.events.get(key) {
            if tx.send(event.clone()).is_err() {
                slots.events.remove(key);
            }
        }
    }

    fn subscribe(&self, key: &TaskKey) -> BusStream {
        let rx = {
            let mut slots = self.lock();
            slots.tidy();
            slots
                .events
                .entry(key.clone())
                .or_insert_with(|| broadcast::channel(self.buffer).0)
                .subscribe()
        };
        // A lagged receiver skips ahead; the follower sees the gap in the
        // sequence and reads the missing events from the store.
        Box::pin(receiver_stream::of(rx).filter_map(|item| async move { item }))
    }

    fn cancel(&self, key: &TaskKey) {
        let slots = self.lock();
        if let Some(tx) = slots.cancels.get(key) {
            tx.send_replace(true);
        }
    }

    fn cancel_signal(&self, key: &TaskKey) -> watch::Receiver<bool> {
        let mut slots = self.lock();
        slots.tidy();
        let tx = slots
            .cancels
            .entry(key.clone())
            .or_insert_with(|| watch::channel(false).0);
        if tx.receiver_count() == 0 && *tx.borrow() {
            // A signal from a finished run: start afresh.
            tx.send_replace(false);
        }
        tx.subscribe()
    }
}

/// A broadcast receiver as a stream of `Some(item)`, or `None` for a lag.
mod receiver_stream {
    use futures_util::Stream;
    use tokio::sync::broadcast::{self, error::RecvError};

    pub(super) fn of<T: Clone + Send + 'static>(
        rx: broadcast::Receiver<T>,
    ) -> impl Stream<Item = Option<T>> + Send {
        futures_util::stream::unfold(rx, |mut rx| async move {
            match rx.recv().await {
                Ok(item) => Some((Some(item), rx)),
                Err(RecvError::Lagged(_)) => Some((None, rx)),
                Err(RecvError::Closed) => None,
            }
        })
    }
}
