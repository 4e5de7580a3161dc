//! What every bus between processes shares: local delivery, the news that
//! crosses to other processes, and catching up from the store.
//!
//! A process publishes its own events to its local subscribers directly and
//! sends other processes only a note: task, sequence, never the event (it
//! may be large; the store has it). A process that hears of a task one of
//! its subscribers follows reads the new events from the store and hands
//! them to its subscribers, so they see exactly the log's order. Notes can
//! be lost (a dropped connection, a full queue): every followed task that
//! has been quiet for a while is read from the store again, so a
//! subscriber never waits on a note that never came.

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use futures_util::{Stream, StreamExt as _};
use serde::{Deserialize, Serialize};
use tokio::sync::{mpsc, watch};

use super::{BusStream, EventBus, InMemoryEventBus};
use crate::server::store::{Sequence, StoreError, TaskEvent, TaskKey, TaskStore, TaskView};
use crate::types::TaskState;

type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// How many notes may wait to be sent; past that they are dropped and the
/// receivers catch up from the store.
const OUTGOING: usize = 16_384;

/// What one process tells the others.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(super) struct Note {
    /// The process that sent it.
    #[serde(rename = "o")]
    pub(super) origin: String,
    #[serde(rename = "t")]
    pub(super) tenant: String,
    #[serde(rename = "i")]
    pub(super) id: String,
    /// The sequence the task reached; absent for a cancel.
    #[serde(rename = "s", default, skip_serializing_if = "Option::is_none")]
    pub(super) sequence: Option<Sequence>,
}

impl Note {
    pub(super) fn key(&self) -> TaskKey {
        TaskKey::new(&self.tenant, &self.id)
    }

    pub(super) fn is_cancel(&self) -> bool {
        self.sequence.is_none()
    }

    /// One line of JSON (ids may hold any character).
    pub(super) fn encode(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// The notes of a payload of lines; lines that do not parse are skipped.
    pub(super) fn decode_all(payload: &str) -> impl Iterator<Item = Note> + '_ {
        payload.lines().filter_map(|line| serde_json::from_str(line).ok())
    }
}

/// Reads a task's events after a sequence from the store.
type Source =
    dyn Fn(TaskKey, Sequence) -> BoxFuture<'static, Result<Option<Vec<TaskEvent>>, StoreError>> + Send + Sync;

/// Reads a task's state from the store.
type StateSource = dyn Fn(TaskKey) -> BoxFuture<'static, Result<Option<TaskState>, StoreError>> + Send + Sync;

/// How many tasks are read from the store at once when catching up.
const READS_AT_ONCE: usize = 16;

/// A task followed in this process.
struct Followed {
    subscribers: usize,
    /// The last sequence handed to the local subscribers.
    last: Sequence,
    /// When news of it last came, or it was last read.
    heard: Instant,
}

/// The shared half of a bus between processes.
pub(super) struct Relay {
    origin: String,
    local: InMemoryEventBus,
    source: Box<Source>,
    state: Box<StateSource>,
    followed: Mutex<HashMap<TaskKey, Followed>>,
    outgoing: mpsc::Sender<Note>,
    /// How long a followed task may stay quiet before it is read again.
    quiet: Duration,
}

impl Relay {
    /// A relay reading from `store`; the notes to send come out of the receiver.
    pub(super) fn new<S: TaskStore>(store: S, quiet: Duration) -> (Arc<Self>, mpsc::Receiver<Note>) {
        let store = Arc::new(store);
        let source: Box<Source> = {
            let store = Arc::clone(&store);
            Box::new(move |key, after| {
                let store = Arc::clone(&store);
                Box::pin(async move { store.events_after(&key, after).await })
            })
        };
        let state: Box<StateSource> = Box::new(move |key| {
            let store = Arc::clone(&store);
            Box::pin(async move {
                let bare = TaskView::FULL.history_length(Some(0)).include_artifacts(false);
                Ok(store
                    .get(&key, bare)
                    .await?
                    .map(|stored| stored.task.status.state))
            })
        });
        let (outgoing, notes) = mpsc::channel(OUTGOING);
        let relay = Arc::new(Self {
            origin: uuid::Uuid::new_v4().simple().to_string(),
            local: InMemoryEventBus::new(),
            source,
            state,
            followed: Mutex::default(),
            outgoing,
            quiet,
        });
        (relay, notes)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<TaskKey, Followed>> {
        self.followed.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub(super) fn origin(&self) -> &str {
        &self.origin
    }

    fn send(&self, key: &TaskKey, sequence: Option<Sequence>) {
        let note = Note {
            origin: self.origin.clone(),
            tenant: key.tenant.clone(),
            id: key.id.clone(),
            sequence,
        };
        if self.outgoing.try_send(note).is_err() {
            // Receivers catch up from the store when the task stays quiet.
            tracing::debug!(task_id = %key.id, "bus note dropped: the outgoing queue is full");
        }
    }

    /// Hands `events` to the local subscribers of `key`, in order, past what they had.
    fn deliver(&self, key: &TaskKey, events: Vec<TaskEvent>) {
        let mut followed = self.lock();
        let Some(entry) = followed.get_mut(key) else {
            return;
        };
        entry.heard = Instant::now();
        for event in events {
            if event.sequence > entry.last {
                entry.last = event.sequence;
                self.local.publish(key, &event);
            }
        }
    }

    /// Reads what `key`'s local subscribers have not had yet; `hint` is a
    /// sequence a note announced, so that a task followed from the middle
    /// of its log is not read from its start (the subscribers' followers
    /// read any earlier gap themselves).
    async fn catch_up(&self, key: TaskKey, hint: Option<Sequence>) {
        let after = match self.lock().get_mut(&key) {
            Some(entry) => {
                entry.heard = Instant::now();
                match (entry.last, hint) {
                    (0, Some(hint)) => hint.saturating_sub(1),
                    (last, _) => last,
                }
            }
            None => return,
        };
        match (self.source)(key.clone(), after).await {
            Ok(Some(events)) => self.deliver(&key, events),
            Ok(None) => {}
            Err(err) => {
                tracing::warn!(task_id = %key.id, error = %err, "could not read a followed task's events")
            }
        }
    }

    /// Acts on notes from other processes: cancels at once, then each
    /// followed task they name read once, however many notes named it.
    pub(super) async fn receive(&self, notes: impl IntoIterator<Item = Note>) {
        let mut behind = Vec::new();
        for note in notes {
            if note.origin == self.origin {
                continue;
            }
            let key = note.key();
            if note.is_cancel() {
                self.local.cancel(&key);
                continue;
            }
            let sequence = note.sequence.unwrap_or_default();
            let followed = self.lock();
            if followed.get(&key).is_some_and(|f| f.last < sequence) {
                match behind.iter_mut().find(|(k, _)| *k == key) {
                    Some((_, hint)) => *hint = sequence.min(*hint),
                    None => behind.push((key, sequence)),
                }
            }
        }
        futures_util::stream::iter(behind)
            .for_each_concurrent(READS_AT_ONCE, |(key, hint)| self.catch_up(key, Some(hint)))
            .await;
    }

    /// Reads every followed task that has been quiet longer than the
    /// relay's quiet time (all of them with `everything`, after notes may
    /// have been lost).
    pub(super) async fn catch_up_quiet(&self, everything: bool) {
        let keys: Vec<TaskKey> = {
            let followed = self.lock();
            followed
                .iter()
                .filter(|(_, f)| everything || f.heard.elapsed() >= self.quiet)
                .map(|(key, _)| key.clone())
                .collect()
        };
        futures_util::stream::iter(keys)
            .for_each_concurrent(READS_AT_ONCE, |key| self.catch_up(key, None))
            .await;
    }

    /// Cancels the local runs whose task finished elsewhere: a cancel note
    /// that was lost still stops the run.
    async fn check_runs(&self) {
        let keys = self.local.awaiting_cancel();
        futures_util::stream::iter(keys)
            .for_each_concurrent(READS_AT_ONCE, |key| async move {
                match (self.state)(key.clone()).await {
                    Ok(Some(state)) if state.is_terminal() => self.local.cancel(&key),
                    Ok(_) => {}
                    Err(err) => {
                        tracing::debug!(task_id = %key.id, error = %err, "could not check a run's task")
                    }
                }
            })
            .await;
    }

    /// Reads the followed tasks that have been quiet too long, and checks
    /// the local runs' tasks, forever.
    pub(super) async fn sweep(self: Arc<Self>) {
        loop {
            tokio::time::sleep(self.quiet / 2).await;
            self.catch_up_quiet(false).await;
            self.check_runs().await;
        }
    }
}

/// Implements [`EventBus`] for a bus whose `relay` field does the work.
macro_rules! relay_bus {
    ($bus:ty) => {
        impl $crate::server::bus::EventBus for $bus {
            fn publish(&self, key: &TaskKey, event: &TaskEvent) {
                self.relay.publish(key, event);
            }

            fn subscribe(&self, key: &TaskKey) -> $crate::server::bus::BusStream {
                self.relay.subscribe(key)
            }

            fn cancel(&self, key: &TaskKey) {
                self.relay.cancel(key);
            }

            fn cancel_signal(&self, key: &TaskKey) -> tokio::sync::watch::Receiver<bool> {
                self.relay.cancel_signal(key)
            }
        }
    };
}
pub(super) use relay_bus;

/// A bus's background tasks, stopped with the last clone of the bus.
pub(super) struct Background(pub(super) Vec<tokio::task::JoinHandle<()>>);

impl Drop for Background {
    fn drop(&mut self) {
        for task in &self.0 {
            task.abort();
        }
    }
}

/// The bus's operations, for the buses built on a relay to forward to.
impl Relay {
    pub(super) fn publish(&self, key: &TaskKey, event: &TaskEvent) {
        {
            let mut followed = self.lock();
            if let Some(entry) = followed.get_mut(key) {
                entry.last = entry.last.max(event.sequence);
                entry.heard = Instant::now();
            }
        }
        self.local.publish(key, event);
        self.send(key, Some(event.sequence));
    }

    pub(super) fn subscribe(self: &Arc<Self>, key: &TaskKey) -> BusStream {
        {
            let mut followed = self.lock();
            let entry = followed.entry(key.clone()).or_insert_with(|| Followed {
                subscribers: 0,
                last: 0,
                heard: Instant::now(),
            });
            entry.subscribers += 1;
        }
        Box::pin(Following {
            inner: self.local.subscribe(key),
            relay: Arc::clone(self),
            key: key.clone(),
        })
    }

    pub(super) fn cancel(&self, key: &TaskKey) {
        self.local.cancel(key);
        self.send(key, None);
    }

    pub(super) fn cancel_signal(&self, key: &TaskKey) -> watch::Receiver<bool> {
        self.local.cancel_signal(key)
    }
}

/// A local subscription that stops its task being followed when dropped.
struct Following {
    inner: BusStream,
    relay: Arc<Relay>,
    key: TaskKey,
}

impl Stream for Following {
    type Item = TaskEvent;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<TaskEvent>> {
        self.inner.as_mut().poll_next(cx)
    }
}

impl Drop for Following {
    fn drop(&mut self) {
        let mut followed = self.relay.lock();
        if let Some(entry) = followed.get_mut(&self.key) {
            entry.subscribers -= 1;
            if entry.subscribers == 0 {
                followed.remove(&self.key);
            }
        }
    }
}

/// Splits notes into payloads of at most `limit` bytes, one note a line;
/// a note longer than `limit` on its own is left out (its receivers catch
/// up from the store).
pub(super) fn payloads(notes: &[Note], limit: usize) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    for note in notes {
        let line = note.encode();
        if line.len() > limit {
            continue;
        }
        if !current.is_empty() && current.len() + 1 + line.len() > limit {
            out.push(std::mem::take(&mut current));
        }
        if !current.is_empty() {
            current.push('\n');
        }
        current.push_str(&line);
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn note(id: &str, sequence: Option<Sequence>) -> Note {
        Note {
            origin: "p1".into(),
            tenant: "a\nb".into(),
            id: id.into(),
            sequence,
        }
    }

    #[test]
    fn notes_round_trip_through_payloads_within_the_limit() {
        let notes: Vec<Note> = (0..100).map(|i| note(&format!("task-{i}"), Some(i))).collect();
        let packed = payloads(&notes, 500);
        assert!(packed.len() > 1);
        assert!(packed.iter().all(|p| p.len() <= 500));
        let back: Vec<Note> = packed
            .iter()
            .flat_map(|p| Note::decode_all(p).collect::<Vec<_>>())
            .collect();
        assert_eq!(back, notes);
        let huge = note(&"x".repeat(600), Some(1));
        assert!(payloads(&[huge], 500).is_empty());
        assert!(Note::decode_all("garbage\n{}").next().is_none());
        assert!(note("t", None).is_cancel());
    }
}
