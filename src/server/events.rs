//! The per-task event bus: every event is applied to the task, persisted,
//! then published to everyone listening, in one order.
//!
//! Each live task has a [`TaskHandle`]: the task as last stored, its version,
//! and a broadcast channel. Applying an event and publishing it happen under
//! the handle's lock, and so does taking a snapshot and subscribing, so a
//! late subscriber gets the task as of some event and then every later event:
//! no gap, no duplicate, the same sequence as every other subscriber.
//!
//! A slow subscriber never blocks the task or the others: the channel keeps
//! the last `capacity` events, and a subscriber that falls further behind is
//! told so with an error and its stream ends (the client can subscribe again
//! for a fresh snapshot). It never silently skips events.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use tokio::sync::{broadcast, watch};

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
    tx: broadcast::Sender<BusItem>,
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
        let (tx, _) = broadcast::channel(capacity);
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
            tx,
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

    /// The task now and a receiver of every event after it.
    pub(crate) async fn subscribe(&self) -> Option<(Task, broadcast::Receiver<BusItem>)> {
        let state = self.state.lock().await;
        let task = state.task.clone()?;
        Some((task, self.tx.subscribe()))
    }

    /// A receiver of every event from now on.
    pub(crate) fn listen(&self) -> broadcast::Receiver<BusItem> {
        self.tx.subscribe()
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
        let _ = self.tx.send(BusItem::Ended(error));
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
        let mut task = state
            .task
            .clone()
            .ok_or_else(|| Error::task_not_found(&self.key.id))?;
        task.history.push(message);
        self.persist(&mut state, task).await?;
        Ok(state.task.clone().expect("just stored"))
    }

    /// Checks an event against the task, stores the result, then publishes it.
    pub(crate) async fn apply(&self, event: AgentEvent) -> Result<(), Error> {
        let mut state = self.state.lock().await;
        if state.replied {
            return Err(Error::invalid_agent_response(
                "the agent already answered with a direct message",
            ));
        }
        let Some(mut task) = state.task.clone() else {
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
            let _ = self
                .tx
                .send(BusItem::Event(Arc::new(StreamResponse::Message(message))));
            return Ok(());
        }
        if state.version.is_none() {
            let version = self.store.create(&self.key, &state.owner, &task).await?;
            state.version = Some(version);
            let _ = self
                .tx
                .send(BusItem::Event(Arc::new(StreamResponse::Task(task.clone()))));
        }
        let published = match event {
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
                    task.history.push(message.clone());
                }
                task.status = status.clone();
                StreamResponse::StatusUpdate(TaskStatusUpdateEvent::new(&task.id, &task.context_id, status))
            }
            AgentEvent::Artifact {
                artifact,
                append,
                last_chunk,
            } => {
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
                merge_artifact(&mut task, artifact.clone(), append);
                let mut event = TaskArtifactUpdateEvent::new(&task.id, &task.context_id, artifact);
                event.append = append;
                event.last_chunk = last_chunk;
                StreamResponse::ArtifactUpdate(event)
            }
            AgentEvent::Reply(_) => unreachable!("handled above"),
        };
        self.persist(&mut state, task).await?;
        let _ = self.tx.send(BusItem::Event(Arc::new(published)));
        Ok(())
    }

    /// Writes `task` at the version this handle holds. On a conflict (a
    /// writer elsewhere, or a write cut short) the handle reloads the stored
    /// task so that the next event starts from the truth.
    async fn persist(&self, state: &mut HandleState, task: Task) -> Result<(), Error> {
        let expected = state
            .version
            .ok_or_else(|| Error::internal("task not stored yet"))?;
        match self.store.update(&self.key, &task, expected).await {
            Ok(version) => {
                state.version = Some(version);
                state.task = Some(task);
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

    /// How many tasks have a live handle (for tests and metrics).
    #[allow(dead_code)]
    pub(crate) fn live(&self) -> usize {
        self.lock().len()
    }
}
