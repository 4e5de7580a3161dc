//! Following a task: the events of a streaming call, in sequence order, with
//! no gap and no duplicate, whatever the bus drops or delays.
//!
//! A follower subscribes to the bus before it reads where the task stands,
//! so nothing published after that point can be missed; then it delivers the
//! bus's events in order, skips what it has already delivered, and reads
//! from the store whatever the bus skipped (a slow follower, a lost
//! notification between processes).

use std::collections::VecDeque;
use std::pin::Pin;
use std::sync::Arc;

use futures_util::{Stream, StreamExt as _};

use tokio::sync::watch;

use super::bus::BusStream;
use super::store::{DynStore, Sequence, TaskEvent, TaskKey};
use super::task::live::Engine;
use crate::Error;
use crate::types::StreamResponse;

/// The events of a streaming operation, in order, each with its sequence
/// number (the SSE `id:`); the stream ends after the last one (a terminal
/// state, or an interrupted one for `SendStreamingMessage`), or early when
/// the server shuts down (the client resumes from the last id it saw).
pub type EventStream = Pin<Box<dyn Stream<Item = Result<TaskEvent, Error>> + Send>>;

/// When a stream ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Until {
    /// At a terminal state (`SubscribeToTask`).
    Terminal,
    /// At a terminal or interrupted state (`SendStreamingMessage`).
    Settled,
}

impl Until {
    fn ends_at(self, event: &StreamResponse) -> bool {
        let state = match event {
            StreamResponse::Task(task) => {
                // A snapshot opens a stream: only a finished task ends it there.
                return task.status.state.is_terminal();
            }
            StreamResponse::StatusUpdate(update) => update.status.state,
            StreamResponse::Message(_) | StreamResponse::ArtifactUpdate(_) => return false,
            StreamResponse::Unrecognized => return false,
        };
        state.is_terminal() || (self == Until::Settled && state.is_interrupted())
    }
}

/// Where a follower stands in a task's log.
pub(crate) struct Follower {
    key: TaskKey,
    store: Arc<dyn DynStore>,
    bus: BusStream,
    /// The sequence of the last event delivered (or skipped as already known).
    last: Sequence,
    /// Events read from the store, not delivered yet.
    pending: VecDeque<TaskEvent>,
    /// Turns true when the server shuts down: the stream ends cleanly.
    closing: watch::Receiver<bool>,
}

impl Follower {
    /// A follower of `key` listening on `bus` (subscribed before the task was
    /// read), positioned after event `last`.
    pub(crate) fn new(key: TaskKey, engine: &Engine, bus: BusStream, last: Sequence) -> Self {
        Self {
            key,
            store: Arc::clone(&engine.store),
            bus,
            last,
            pending: VecDeque::new(),
            closing: engine.closing(),
        }
    }

    /// Queues events already read from the store (a resumed stream).
    pub(crate) fn queue(&mut self, events: Vec<TaskEvent>) {
        self.pending.extend(events);
    }

    /// The next event after the last one delivered.
    async fn next(&mut self) -> Result<TaskEvent, Error> {
        loop {
            if let Some(event) = self.pending.pop_front() {
                if event.sequence > self.last {
                    self.last = event.sequence;
                    return Ok(event);
                }
                continue;
            }
            let Some(event) = self.bus.next().await else {
                return Err(Error::internal("the task's event feed closed"));
            };
            if event.sequence <= self.last {
                continue;
            }
            if event.sequence == self.last + 1 {
                self.last = event.sequence;
                return Ok(event);
            }
            // The bus skipped something: the store has it.
            match self.store.events_after(&self.key, self.last).await? {
                Some(events) => self.pending.extend(events),
                None => {
                    return Err(Error::internal(
                        "this stream fell behind events the agent no longer keeps; subscribe again for a fresh snapshot",
                    ));
                }
            }
        }
    }

    /// The stream: `first` (a snapshot, when there is one), then every event
    /// until `until` says the last one passed. Recorded client messages are
    /// in the log but not on the stream: a stream shows the task and its updates.
    pub(crate) fn into_stream(self, first: Option<TaskEvent>, until: Until) -> EventStream {
        struct State {
            follower: Follower,
            first: Option<TaskEvent>,
            done: bool,
        }
        let state = State {
            follower: self,
            first,
            done: false,
        };
        Box::pin(futures_util::stream::unfold(state, move |mut state| async move {
            if state.done {
                return None;
            }
            if let Some(first) = state.first.take() {
                state.done = until.ends_at(&first.event);
                return Some((Ok(first), state));
            }
            loop {
                let next = {
                    let follower = &mut state.follower;
                    let mut closing = follower.closing.clone();
                    tokio::select! {
                        biased;
                        event = follower.next() => Some(event),
                        _ = closing.wait_for(|closing| *closing) => None,
                    }
                };
                let Some(next) = next else {
                    // Shutting down: the stream ends without a final event,
                    // and the client resumes it elsewhere or after a restart.
                    return None;
                };
                match next {
                    Ok(event) if matches!(event.event.as_ref(), StreamResponse::Message(_)) => continue,
                    Ok(event) => {
                        state.done = until.ends_at(&event.event);
                        return Some((Ok(event), state));
                    }
                    Err(err) => {
                        state.done = true;
                        return Some((Err(err), state));
                    }
                }
            }
        }))
    }
}
