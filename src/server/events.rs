//! The per-task event bus: every event is applied to the task, persisted,
//! then published to everyone listening, in one order.
//!
//! Each live task has a [`TaskHandle`]: the task as last stored, its version,
//! and an event log that listeners read at their own pace. Applying an event
//! and publishing it happen under
//! the handle's lock, and so does taking a snapshot and subscribing, so a
//! late subscriber gets the task as of some event and then every later event:
//! no gap, no duplicate, the same sequence as every other subscriber.
//!
//! A slow subscriber never blocks the task or the others: while anyone
//! listens the log keeps the last `capacity` events (and nothing when no one
//! listens), and a subscriber that falls further behind is told so with an
//! error and its stream ends (the client can subscribe again for a fresh
//! snapshot). It never silently skips events.

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use tokio::sync::{Notify, watch};

use super::store::{DynTaskStore, StoreError, TaskKey, Version};
use crate::Error;
use crate::types::{
    Artifact, Message, StreamResponse, Task, TaskArtifactUpdateEvent, TaskStatus, TaskStatusUpdateEvent,
};

/// What an executor reports, before it is checked and applied.
pub(crate) enum AgentEvent {
    Status(TaskStatus),
    Artifact {
        artifact: Artifact,
        append: bool,
        last_chunk: bool,
    },
    Reply(Message),
}

/// What listeners of a task receive.
#[derive(Debug, Clone)]
pub(crate) enum BusItem {
    /// An event, exactly as it goes on the wire.
    Event(Arc<StreamResponse>),
    /// The executor run ended; the error, if any, came before the task existed.
    Ended(Option<Error>),
}

/// One live task: its state, its lock, its channel.
pub(crate) struct TaskHandle {
    key: TaskKey,
    store: Arc<dyn DynTaskStore>,
    state: tokio::sync::Mutex<HandleState>,
    log: EventLog,
    progress: watch::Sender<Progress>,
    canceled: watch::Sender<bool>,
    running: AtomicBool,
    /// Requests and streams using this handle; the registry drops it at zero.
    users: AtomicUsize,
}

struct HandleState {
    /// The task as last stored, or as it will be created; `None` until loaded.
    task: Option<Task>,
    /// The stored version; `None` while a new task is not stored yet.
    version: Option<Version>,
    owner: String,
    /// A new task answered with a direct message: it will never exist.
    replied: bool,
}

impl TaskHandle {
    fn new(
        key: TaskKey,
        store: Arc<dyn DynTaskStore>,
        capacity: usize,
        pending: Option<(Task, String)>,
    ) -> Self {
        let (owner, task) = match pending {
            Some((task, owner)) => (owner, Some(task)),
            None => (String::new(), None),
        };
        Self {
            key,
            store,
            state: tokio::sync::Mutex::new(HandleState {
                task,
                version: None,
                owner,
                replied: false,
            }),
            log: EventLog::new(capacity),
            progress: watch::channel(Progress::default()).0,
            canceled: watch::channel(false).0,
            running: AtomicBool::new(false),
            users: AtomicUsize::new(0),
        }
    }

    /// Loads the task from the store if this handle has not yet; `None` if it does not exist.
    pub(crate) async fn load(&self) -> Result<Option<(Task, String)>, Error> {
        let mut state = self.state.lock().await;
        if state.task.is_none() {
            match self.store.get(&self.key).await? {
                Some(stored) => {
                    state.task = Some(stored.task);
                    state.version = Some(stored.version);
                    state.owner = stored.owner;
                }
                None => return Ok(None),
            }
        }
        Ok(state.task.clone().map(|task| (task, state.owner.clone())))
    }

    /// The task now and a listener of every event after it.
    pub(crate) async fn subscribe(self: &Arc<Self>) -> Option<(Task, Listener)> {
        let state = self.state.lock().await;
        let task = state.task.clone()?;
        Some((task, self.listen()))
    }

    /// A listener of every event from now on.
    pub(crate) fn listen(self: &Arc<Self>) -> Listener {
        let next = self.log.open_reader();
        Listener {
            handle: Arc::clone(self),
            next,
        }
    }

    /// The task as it is now, if it exists.
    pub(crate) async fn current(&self) -> Option<Task> {
        let state = self.state.lock().await;
        state.version.and(state.task.clone())
    }

    /// Marks a run as started; false if one is already running.
    pub(crate) fn try_start_run(&self) -> bool {
        if self.running.swap(true, Ordering::AcqRel) {
            return false;
        }
        self.canceled.send_replace(false);
        true
    }

    /// Marks the run as ended and tells the listeners.
    pub(crate) fn end_run(&self, error: Option<Error>) {
        self.running.store(false, Ordering::Release);
        self.progress.send_modify(|p| {
            p.runs_ended += 1;
            p.run_error.clone_from(&error);
        });
        self.log.publish_with(|| BusItem::Ended(error));
    }

    pub(crate) fn cancel_signal(&self) -> watch::Receiver<bool> {
        self.canceled.subscribe()
    }

    pub(crate) fn signal_canceled(&self) {
        self.canceled.send_replace(true);
    }

    /// Whether the task has been stored (a new task is stored at its first event).
    pub(crate) async fn exists(&self) -> bool {
        self.state.lock().await.version.is_some()
    }

    /// Appends a client message to the history of an existing task and stores it.
    pub(crate) async fn record_message(&self, message: Message) -> Result<Task, Error> {
        let mut state = self.state.lock().await;
        let task = state
            .task
            .as_mut()
            .ok_or_else(|| Error::task_not_found(&self.key.id))?;
        // Checked again under the lock: the previous run may have ended the task since.
        if task.status.state.is_terminal() {
            return Err(Error::unsupported_operation(format!(
                "task {} is {} and accepts no more messages",
                task.id, task.status.state
            )));
        }
        task.history.push(message);
        self.persist(&mut state).await?;
        Ok(state.task.clone().expect("just stored"))
    }

    /// Checks an event against the task, stores the result, then publishes it.
    pub(crate) async fn apply(&self, event: AgentEvent) -> Result<(), Error> {
        let mut guard = self.state.lock().await;
        let state = &mut *guard;
        if state.replied {
            return Err(Error::invalid_agent_response(
                "the agent already answered with a direct message",
            ));
        }
        let Some(task) = state.task.as_mut() else {
            return Err(Error::task_not_found(&self.key.id));
        };
        if let AgentEvent::Reply(message) = event {
            if state.version.is_some() {
                return Err(Error::invalid_agent_response(
                    "a direct message answer is only possible before the task exists; send a status message instead",
                ));
            }
            check_message(&message)?;
            state.replied = true;
            let message = Arc::new(StreamResponse::Message(message));
            self.progress
                .send_modify(|p| p.reply = Some(Arc::clone(&message)));
            self.log.publish_with(|| BusItem::Event(message));
            return Ok(());
        }
        // Check first: a refused event changes nothing.
        match &event {
            AgentEvent::Status(status) => {
                let from = task.status.state;
                if !from.can_transition_to(status.state) {
                    return Err(Error::invalid_agent_response(format!(
                        "task {} cannot go from {from} to {}",
                        task.id, status.state
                    )));
                }
                if let Some(message) = &status.message {
                    check_message(message)?;
                }
            }
            AgentEvent::Artifact { artifact, .. } => {
                if task.status.state.is_terminal() {
                    return Err(Error::invalid_agent_response(format!(
                        "task {} is {}: no more artifacts",
                        task.id, task.status.state
                    )));
                }
                if artifact.artifact_id.is_empty() || artifact.parts.is_empty() {
                    return Err(Error::invalid_agent_response(
                        "an artifact needs an artifactId and at least one part",
                    ));
                }
            }
            AgentEvent::Reply(_) => unreachable!("handled above"),
        }
        if state.version.is_none() {
            let version = self.store.create(&self.key, &state.owner, task).await?;
            state.version = Some(version);
            self.log
                .publish_with(|| BusItem::Event(Arc::new(StreamResponse::Task(task.clone()))));
            self.progress.send_modify(|p| p.created = true);
        }
        let (published, settles) = match event {
            AgentEvent::Status(status) => {
                if let Some(message) = &status.message {
                    task.history.push(message.clone());
                }
                let settles = status.state.is_terminal() || status.state.is_interrupted();
                task.status = status;
                let status = &task.status;
                (Published::Status(status.clone()), settles)
            }
            AgentEvent::Artifact {
                artifact,
                append,
                last_chunk,
            } => {
                let published = Published::Artifact {
                    chunk: artifact.clone(),
                    append,
                    last_chunk,
                };
                merge_artifact(task, artifact, append);
                (published, false)
            }
            AgentEvent::Reply(_) => unreachable!("handled above"),
        };
        self.persist(state).await?;
        let task = state.task.as_ref().expect("just stored");
        self.log
            .publish_with(|| BusItem::Event(Arc::new(published.into_event(task))));
        if settles {
            self.progress.send_modify(|p| p.settled += 1);
        }
        Ok(())
    }

    /// Writes the task at the version this handle holds. On a failure (a
    /// writer elsewhere, or a write cut short) the handle reloads the stored
    /// task so that the next event starts from the truth.
    async fn persist(&self, state: &mut HandleState) -> Result<(), Error> {
        let expected = state
            .version
            .ok_or_else(|| Error::internal("task not stored yet"))?;
        let task = state.task.as_ref().expect("a stored task is loaded");
        match self.store.update(&self.key, task, expected).await {
            Ok(version) => {
                state.version = Some(version);
                Ok(())
            }
            Err(err) => {
                if let Ok(Some(stored)) = self.store.get(&self.key).await {
                    state.task = Some(stored.task);
                    state.version = Some(stored.version);
                }
                Err(match err {
                    StoreError::Conflict { .. } => Error::internal(format!(
                        "task {} was changed by another writer; try again",
                        self.key.id
                    )),
                    other => other.into(),
                })
            }
        }
    }

    /// Where the current run stands, for callers that wait for its outcome
    /// rather than for every event.
    pub(crate) fn progress(&self) -> watch::Receiver<Progress> {
        self.progress.subscribe()
    }
}

/// An event as it will be published, built only if someone listens.
enum Published {
    Status(TaskStatus),
    Artifact {
        chunk: Artifact,
        append: bool,
        last_chunk: bool,
    },
}

impl Published {
    fn into_event(self, task: &Task) -> StreamResponse {
        match self {
            Published::Status(status) => {
                StreamResponse::StatusUpdate(TaskStatusUpdateEvent::new(&task.id, &task.context_id, status))
            }
            Published::Artifact {
                chunk,
                append,
                last_chunk,
            } => {
                let mut event = TaskArtifactUpdateEvent::new(&task.id, &task.context_id, chunk);
                event.append = append;
                event.last_chunk = last_chunk;
                StreamResponse::ArtifactUpdate(event)
            }
        }
    }
}

/// The milestones of a task's runs, counted so that a caller can wait for
/// the next one: the task stored, a terminal or interrupted state reached, a
/// direct reply, a run ended.
#[derive(Debug, Clone, Default)]
pub(crate) struct Progress {
    pub(crate) created: bool,
    pub(crate) settled: u64,
    pub(crate) reply: Option<Arc<StreamResponse>>,
    pub(crate) runs_ended: u64,
    pub(crate) run_error: Option<Error>,
}

/// The events of one task, kept while anyone listens, at most `capacity`.
///
/// Every event gets a sequence number; a listener remembers the next one it
/// wants. It grows as needed instead of allocating `capacity` slots for
/// every task.
struct EventLog {
    capacity: usize,
    inner: Mutex<LogInner>,
    notify: Notify,
}

struct LogInner {
    items: VecDeque<BusItem>,
    /// The sequence number of `items[0]`.
    first: u64,
    readers: usize,
}

impl EventLog {
    fn new(capacity: usize) -> Self {
        Self {
            capacity: capacity.max(1),
            inner: Mutex::new(LogInner {
                items: VecDeque::new(),
                first: 0,
                readers: 0,
            }),
            notify: Notify::new(),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, LogInner> {
        self.inner.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Registers a reader; returns the sequence number of the next event.
    fn open_reader(&self) -> u64 {
        let mut log = self.lock();
        log.readers += 1;
        log.first + log.items.len() as u64
    }

    fn close_reader(&self) {
        let mut log = self.lock();
        log.readers -= 1;
        if log.readers == 0 {
            log.first += log.items.len() as u64;
            log.items.clear();
        }
    }

    /// Publishes the item `make` builds; with no reader it is never built.
    fn publish_with(&self, make: impl FnOnce() -> BusItem) {
        {
            let mut log = self.lock();
            if log.readers == 0 {
                log.first += 1;
                return;
            }
            log.items.push_back(make());
            if log.items.len() > self.capacity {
                log.items.pop_front();
                log.first += 1;
            }
        }
        self.notify.notify_waiters();
    }
}

/// Reads a task's events in order from where it started listening.
pub(crate) struct Listener {
    handle: Arc<TaskHandle>,
    next: u64,
}

impl Listener {
    /// The next event; `Err(skipped)` if this listener fell so far behind
    /// that `skipped` events are gone (it then continues after them).
    pub(crate) async fn recv(&mut self) -> Result<BusItem, u64> {
        let log = &self.handle.log;
        loop {
            // Registered before looking, so that a publish in between still wakes us.
            let notified = log.notify.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            {
                let inner = log.lock();
                if self.next < inner.first {
                    let skipped = inner.first - self.next;
                    self.next = inner.first;
                    return Err(skipped);
                }
                let index = (self.next - inner.first) as usize;
                if let Some(item) = inner.items.get(index) {
                    self.next += 1;
                    return Ok(item.clone());
                }
            }
            notified.await;
        }
    }
}

impl Drop for Listener {
    fn drop(&mut self) {
        self.handle.log.close_reader();
    }
}

fn check_message(message: &Message) -> Result<(), Error> {
    if message.parts.is_empty() {
        return Err(Error::invalid_agent_response(
            "an agent message needs at least one part",
        ));
    }
    if message.message_id.is_empty() {
        return Err(Error::invalid_agent_response(
            "an agent message needs a messageId",
        ));
    }
    Ok(())
}

/// Merges an artifact (or a chunk of one) into the task, keyed by artifact id.
fn merge_artifact(task: &mut Task, artifact: Artifact, append: bool) {
    match task
        .artifacts
        .iter_mut()
        .find(|a| a.artifact_id == artifact.artifact_id)
    {
        Some(existing) if append => {
            existing.parts.extend(artifact.parts);
            if !artifact.name.is_empty() {
                existing.name = artifact.name;
            }
            if !artifact.description.is_empty() {
                existing.description = artifact.description;
            }
            if let Some(metadata) = artifact.metadata {
                existing
                    .metadata
                    .get_or_insert_with(Default::default)
                    .extend(metadata);
            }
            for uri in artifact.extensions {
                if !existing.extensions.contains(&uri) {
                    existing.extensions.push(uri);
                }
            }
        }
        Some(existing) => *existing = artifact,
        None => task.artifacts.push(artifact),
    }
}

/// The live tasks of a handler, each with one handle while anyone uses it.
pub(crate) struct TaskRegistry {
    store: Arc<dyn DynTaskStore>,
    capacity: usize,
    handles: Mutex<HashMap<TaskKey, Arc<TaskHandle>>>,
}

/// A use of a handle; the registry forgets the handle when the last use ends.
pub(crate) struct HandleRef {
    pub(crate) handle: Arc<TaskHandle>,
    registry: Arc<TaskRegistry>,
}

impl HandleRef {
    /// Another use of the same handle.
    pub(crate) fn clone_use(this: &HandleRef) -> HandleRef {
        this.registry.use_handle(Arc::clone(&this.handle))
    }
}

impl std::ops::Deref for HandleRef {
    type Target = Arc<TaskHandle>;
    fn deref(&self) -> &Arc<TaskHandle> {
        &self.handle
    }
}

impl Drop for HandleRef {
    fn drop(&mut self) {
        let mut handles = self.registry.lock();
        if self.handle.users.fetch_sub(1, Ordering::AcqRel) == 1 {
            if let Some(current) = handles.get(&self.handle.key) {
                if Arc::ptr_eq(current, &self.handle) {
                    handles.remove(&self.handle.key);
                }
            }
        }
    }
}

impl TaskRegistry {
    pub(crate) fn new(store: Arc<dyn DynTaskStore>, capacity: usize) -> Arc<Self> {
        Arc::new(Self {
            store,
            capacity: capacity.max(1),
            handles: Mutex::default(),
        })
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<TaskKey, Arc<TaskHandle>>> {
        self.handles
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn use_handle(self: &Arc<Self>, handle: Arc<TaskHandle>) -> HandleRef {
        handle.users.fetch_add(1, Ordering::AcqRel);
        HandleRef {
            handle,
            registry: Arc::clone(self),
        }
    }

    /// A handle for a task that will be stored at its first event.
    pub(crate) fn new_task(self: &Arc<Self>, key: TaskKey, owner: &str, task: Task) -> HandleRef {
        let handle = Arc::new(TaskHandle::new(
            key.clone(),
            Arc::clone(&self.store),
            self.capacity,
            Some((task, owner.to_owned())),
        ));
        let mut handles = self.lock();
        handles.insert(key, Arc::clone(&handle));
        self.use_handle(handle)
    }

    /// The handle of an existing task, loaded from the store; `None` if there is no such task.
    pub(crate) async fn open(
        self: &Arc<Self>,
        key: &TaskKey,
    ) -> Result<Option<(HandleRef, Task, String)>, Error> {
        let handle = {
            let mut handles = self.lock();
            let handle = handles
                .entry(key.clone())
                .or_insert_with(|| {
                    Arc::new(TaskHandle::new(
                        key.clone(),
                        Arc::clone(&self.store),
                        self.capacity,
                        None,
                    ))
                })
                .clone();
            self.use_handle(handle)
        };
        match handle.load().await? {
            Some((task, owner)) => Ok(Some((handle, task, owner))),
            None => Ok(None),
        }
    }

    /// How many tasks have a live handle.
    pub(crate) fn live(&self) -> usize {
        self.lock().len()
    }
}
