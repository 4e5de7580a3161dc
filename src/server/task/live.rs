//! Live tasks: the tasks this process is writing to, each with its write
//! lock, its cached snapshot and the milestones of its runs.
//!
//! Every write follows one path: check the change against the cached
//! snapshot, append it to the store at the cached sequence, and only once
//! the store has it, fold it into the cache and publish it on the bus. A
//! write cut short (the request future dropped mid-append) leaves the cache
//! as it was; if the store did take the append, the next write meets a
//! conflict and reloads, so cache and store never disagree for long and
//! never silently.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, Weak};

use tokio::sync::watch;

use super::apply_event;
use super::milestones::Milestones;
use super::ownership::{RunLease, RunOwnership};
use crate::Error;
use crate::server::bus::EventBus;
use crate::server::store::{DynStore, Sequence, StoreErrorKind, TaskEvent, TaskKey, TaskView};
use crate::types::{
    Artifact, Message, StreamResponse, Task, TaskArtifactUpdateEvent, TaskState, TaskStatus,
    TaskStatusUpdateEvent,
};

/// How much of a task the cache holds.
const CACHED: TaskView = TaskView::FULL.include_artifacts(false);

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

/// The seams and limits every live task shares.
pub(crate) struct Engine {
    pub(crate) store: Arc<dyn DynStore>,
    pub(crate) bus: Arc<dyn EventBus>,
    pub(crate) runs: Arc<dyn RunOwnership>,
    pub(crate) max_history: usize,
    live: Mutex<HashMap<TaskKey, Weak<LiveTask>>>,
    /// Turns true when the server shuts down.
    closing: watch::Sender<bool>,
}

impl Engine {
    pub(crate) fn new(
        store: Arc<dyn DynStore>,
        bus: Arc<dyn EventBus>,
        runs: Arc<dyn RunOwnership>,
        max_history: usize,
    ) -> Arc<Self> {
        Arc::new(Self {
            store,
            bus,
            runs,
            max_history: max_history.max(1),
            live: Mutex::default(),
            closing: watch::channel(false).0,
        })
    }

    /// Turns true when the server shuts down: open streams end on it.
    pub(crate) fn closing(&self) -> watch::Receiver<bool> {
        self.closing.subscribe()
    }

    /// Whether the server is shutting down.
    pub(crate) fn is_closing(&self) -> bool {
        *self.closing.borrow()
    }

    /// Starts shutting down: every open stream ends.
    pub(crate) fn close(&self) {
        self.closing.send_replace(true);
    }

    /// The live tasks that a run of this process holds now, with the run's generation.
    pub(crate) fn running(&self) -> Vec<(Arc<LiveTask>, u64)> {
        let live: Vec<Arc<LiveTask>> = self.live_map().values().filter_map(Weak::upgrade).collect();
        live.into_iter()
            .filter_map(|task| {
                let generation = {
                    let slot = task.slot();
                    slot.lease.as_ref().map(|_| slot.generation)
                };
                generation.map(|generation| (task, generation))
            })
            .collect()
    }

    fn live_map(&self) -> std::sync::MutexGuard<'_, HashMap<TaskKey, Weak<LiveTask>>> {
        self.live.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// How many tasks are live in this process.
    pub(crate) fn live_count(&self) -> usize {
        self.live_map().len()
    }

    /// Stores a new task (its first event) and makes it live.
    ///
    /// The creation is not published on the bus: the task's id was minted
    /// here a moment ago, so no one can be following it yet except the
    /// caller's own stream, which starts from this snapshot (sequence 1)
    /// and takes only what comes after it from the bus.
    pub(crate) async fn create(
        self: &Arc<Self>,
        key: TaskKey,
        owner: &str,
        task: Task,
    ) -> Result<Arc<LiveTask>, Error> {
        let sequence = self.store.create(&key, owner, &task).await?;
        crate::server::telemetry::task_moved(None, task.status.state);
        Ok(self.adopt(key, owner.to_owned(), task, sequence))
    }

    /// The live task of `key`, loaded from the store if this process does not
    /// hold it; `None` if there is no such task.
    pub(crate) async fn open(self: &Arc<Self>, key: &TaskKey) -> Result<Option<Arc<LiveTask>>, Error> {
        if let Some(live) = self.live_map().get(key).and_then(Weak::upgrade) {
            return Ok(Some(live));
        }
        let Some(stored) = self.store.get(key, CACHED).await? else {
            return Ok(None);
        };
        Ok(Some(self.adopt(
            key.clone(),
            stored.owner,
            stored.task,
            stored.sequence,
        )))
    }

    /// Fails the unfinished tasks that have been quiet for `quiet` and that
    /// no run holds (their process died mid-run): each is claimed, then
    /// ended as a run that stopped would be. Returns how many it failed.
    /// A lost run is not started again: an agent's work is not assumed to
    /// be safe to repeat.
    pub(crate) async fn fail_abandoned(self: &Arc<Self>, quiet: std::time::Duration) -> usize {
        let before = chrono::Utc::now() - chrono::Duration::from_std(quiet).unwrap_or(chrono::Duration::MAX);
        let keys = match self.store.unfinished_since(before, 100).await {
            Ok(keys) => keys,
            Err(err) => {
                tracing::warn!(error = %err, "could not look for abandoned tasks");
                return 0;
            }
        };
        let mut failed = 0;
        for key in keys {
            let live = match self.open(&key).await {
                Ok(Some(live)) => live,
                Ok(None) => continue,
                Err(err) => {
                    tracing::warn!(task_id = %key.id, error = %err, "could not open an abandoned task");
                    continue;
                }
            };
            match live.start_run().await {
                Ok(Some(generation)) => {
                    if live.fail_lost_run(generation).await {
                        failed += 1;
                    }
                }
                Ok(None) => {} // Its run is alive somewhere.
                Err(err) => {
                    tracing::warn!(task_id = %key.id, error = %err, "could not claim an abandoned task")
                }
            }
        }
        failed
    }

    /// Registers a task as live, or returns the one another request registered first.
    fn adopt(self: &Arc<Self>, key: TaskKey, owner: String, task: Task, sequence: Sequence) -> Arc<LiveTask> {
        let mut map = self.live_map();
        if let Some(existing) = map.get(&key).and_then(Weak::upgrade) {
            return existing;
        }
        let live = Arc::new(LiveTask {
            key: key.clone(),
            owner,
            engine: Arc::clone(self),
            cache: tokio::sync::Mutex::new(Cached {
                task,
                sequence,
                unseen: false,
                gone: false,
            }),
            progress: Milestones::default(),
            run: Mutex::default(),
        });
        map.insert(key, Arc::downgrade(&live));
        live
    }
}

/// One task this process writes to.
pub(crate) struct LiveTask {
    pub(crate) key: TaskKey,
    pub(crate) owner: String,
    engine: Arc<Engine>,
    cache: tokio::sync::Mutex<Cached>,
    progress: Milestones,
    run: Mutex<RunSlot>,
}

/// What the engine checks events against: the task without its artifacts
/// (no rule depends on them, and streaming chunks would be copied once more
/// for nothing), and its sequence.
struct Cached {
    task: Task,
    sequence: Sequence,
    /// No client knows this task yet (a new task of a blocking send): a
    /// direct reply then removes it, so that it never existed for anyone.
    unseen: bool,
    /// Removed from the store.
    gone: bool,
}

/// The run that may write to the task now.
#[derive(Default)]
struct RunSlot {
    generation: u64,
    lease: Option<RunLease>,
    /// Whether the current run has changed the task yet.
    progressed: bool,
    /// The current run's cancel signal.
    canceled: Option<watch::Receiver<bool>>,
}

impl Drop for LiveTask {
    fn drop(&mut self) {
        let mut map = self.engine.live_map();
        if map.get(&self.key).is_some_and(|weak| weak.strong_count() == 0) {
            map.remove(&self.key);
        }
    }
}

impl LiveTask {
    fn slot(&self) -> std::sync::MutexGuard<'_, RunSlot> {
        self.run.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The task now, and its sequence: from the cache, or from the store
    /// when the view asks for artifacts (the cache holds none).
    pub(crate) async fn snapshot(&self, view: TaskView) -> (Task, Sequence) {
        let cache = self.cache.lock().await;
        if view.artifacts && !cache.gone {
            match self.engine.store.get(&self.key, view).await {
                Ok(Some(stored)) => return (stored.task, stored.sequence),
                Ok(None) => {}
                Err(err) => {
                    tracing::warn!(task_id = %self.key.id, error = %err, "reading a task back failed")
                }
            }
        }
        (view.project(&cache.task), cache.sequence)
    }

    /// Marks a new task as known to nobody but the engine (see [`Cached::unseen`]).
    pub(crate) async fn mark_unseen(&self) {
        self.cache.lock().await.unseen = true;
    }

    /// Follows the milestones of this task's runs.
    pub(crate) fn progress(&self) -> &Milestones {
        &self.progress
    }

    /// Claims the task for a new run; `None` if a run holds it.
    pub(crate) async fn start_run(&self) -> Result<Option<u64>, Error> {
        let Some(lease) = self.engine.runs.claim(&self.key).await? else {
            return Ok(None);
        };
        let canceled = self.engine.bus.cancel_signal(&self.key);
        let mut slot = self.slot();
        slot.generation += 1;
        slot.lease = Some(lease);
        slot.progressed = false;
        slot.canceled = Some(canceled);
        Ok(Some(slot.generation))
    }

    /// A run lets its task go when the task waits for the client (input or
    /// auth required), so that the answer can start the next run. A run
    /// that goes on writing after that (it got its authorization some other
    /// way, say) must hold the task again first: if another run, here or in
    /// another process, holds it by now, this one has ended.
    async fn hold_again(&self, generation: u64) -> Result<(), Error> {
        if self.slot().lease.is_some() {
            return Ok(());
        }
        let Some(lease) = self.engine.runs.claim(&self.key).await? else {
            return Err(Error::invalid_agent_response(
                "this run has ended: another run holds the task",
            ));
        };
        let mut slot = self.slot();
        if slot.generation != generation {
            return Err(Error::invalid_agent_response(
                "this run has ended: the task was handed to a later message",
            ));
        }
        slot.lease = Some(lease);
        Ok(())
    }

    /// The cancel signal of the current run.
    pub(crate) fn cancel_signal(&self) -> watch::Receiver<bool> {
        match &self.slot().canceled {
            Some(signal) => signal.clone(),
            None => self.engine.bus.cancel_signal(&self.key),
        }
    }

    /// Gives up a run that never started (the request failed after claiming).
    pub(crate) fn abandon_run(&self, generation: u64) {
        let mut slot = self.slot();
        if slot.generation == generation {
            slot.lease = None;
        }
        drop(slot);
        self.progress.update(|p| {
            p.ended = p.ended.max(generation);
            true
        });
    }

    /// Adds a client message to the history of a task that is not finished.
    /// Returns the task after it, projected to `view` when one is given, and its sequence.
    pub(crate) async fn record_message(
        &self,
        message: Message,
        view: Option<TaskView>,
    ) -> Result<(Option<Task>, Sequence), Error> {
        let mut cache = self.cache.lock().await;
        let event = Arc::new(StreamResponse::Message(message));
        let max_history = self.engine.max_history;
        self.write(&mut cache, |task| {
            if task.status.state.is_terminal() {
                return Err(Error::unsupported_operation(format!(
                    "task {} is {} and accepts no more messages",
                    task.id, task.status.state
                )));
            }
            if task.history.len() >= max_history {
                return Err(Error::unsupported_operation(format!(
                    "task {} has reached its limit of {max_history} history messages; start a new task in context {}",
                    task.id, task.context_id
                )));
            }
            Ok(vec![Arc::clone(&event)])
        })
        .await?
        .publish();
        Ok((view.map(|view| view.project(&cache.task)), cache.sequence))
    }

    /// Checks an event of run `generation` (`None`: the engine's own, such as
    /// a cancel) against the task, stores it, then publishes it.
    pub(crate) async fn apply(&self, generation: Option<u64>, event: AgentEvent) -> Result<(), Error> {
        let mut cache = self.cache.lock().await;
        if let Some(generation) = generation {
            if self.slot().generation != generation {
                return Err(Error::invalid_agent_response(
                    "this run has ended: the task was handed to a later message",
                ));
            }
            self.hold_again(generation).await?;
        }
        if cache.gone {
            return Err(Error::invalid_agent_response(
                "the agent already answered with a direct message",
            ));
        }
        if let (AgentEvent::Reply(message), true, Some(generation)) = (&event, cache.unseen, generation) {
            if cache.task.status.state == TaskState::Submitted {
                check_message(message)?;
                // Nobody has seen the task: the answer is the message alone.
                self.engine.store.remove(&self.key).await?;
                cache.gone = true;
                let message = message.clone();
                self.slot().lease = None;
                self.progress.update(|p| {
                    p.reply = Some((generation, message));
                    true
                });
                return Ok(());
            }
        }
        let max_history = self.engine.max_history;
        let written = self
            .write(&mut cache, |task| {
                check_event(task, &event, max_history).map(|event| vec![Arc::new(event)])
            })
            .await?;
        let state = cache.task.status.state;
        let settles = state.is_terminal() || state.is_interrupted();
        if settles {
            // Released before anyone hears of it: the answer to an interrupted
            // task must find the task free.
            let lease = {
                let mut slot = self.slot();
                match generation.is_none_or(|g| g == slot.generation) {
                    true => slot.lease.take(),
                    false => None,
                }
            };
            if let Some(lease) = lease {
                lease.release().await;
            }
        }
        written.publish();
        if generation.is_some() {
            self.slot().progressed = true;
        }
        // Waiters care about milestones only: other events wake nobody.
        self.progress.update(|p| {
            let mut changed = false;
            if let (AgentEvent::Reply(message), Some(generation)) = (&event, generation) {
                p.reply = Some((generation, message.clone()));
                changed = true;
            }
            if settles {
                p.settles += 1;
                changed = true;
            }
            changed
        });
        Ok(())
    }

    /// The write path: `make` checks the change against the task and builds
    /// its events; they are appended at the cached sequence (reloading and
    /// checking again when someone else wrote first) and folded into the
    /// cache. The caller publishes them, once what must precede their news
    /// (releasing a settled run) is done.
    async fn write(
        &self,
        cache: &mut Cached,
        mut make: impl FnMut(&Task) -> Result<Vec<Arc<StreamResponse>>, Error>,
    ) -> Result<Written<'_>, Error> {
        let store = &self.engine.store;
        let mut attempts = 0;
        let (events, first) = loop {
            let events = make(&cache.task)?;
            match store.append(&self.key, cache.sequence, &events).await {
                Ok(last) => {
                    let first = last + 1 - events.len() as Sequence;
                    break (events, first);
                }
                Err(err) if err.kind() == StoreErrorKind::Conflict && attempts < 3 => {
                    attempts += 1;
                    let stored = store
                        .get(&self.key, CACHED)
                        .await?
                        .ok_or_else(|| Error::task_not_found(&self.key.id))?;
                    cache.task = stored.task;
                    cache.sequence = stored.sequence;
                }
                Err(err) => return Err(err.into()),
            }
        };
        let before = cache.task.status.state;
        let mut written = Written {
            live: self,
            events: Vec::with_capacity(events.len()),
        };
        for (event, sequence) in events.into_iter().zip(first..) {
            if !matches!(event.as_ref(), StreamResponse::ArtifactUpdate(_)) {
                apply_event(&mut cache.task, &event);
            }
            cache.sequence = sequence;
            written.events.push(TaskEvent { sequence, event });
        }
        crate::server::telemetry::task_moved(Some(before), cache.task.status.state);
        Ok(written)
    }

    /// Fails a task whose run was lost, for recovery run `generation` (just
    /// claimed): only if the store, read afresh, still has it submitted or
    /// working, and only at the sequence read, so that a task that moved on
    /// meanwhile (waiting for input, say) is left as it is. Returns whether
    /// it failed the task.
    pub(crate) async fn fail_lost_run(&self, generation: u64) -> bool {
        let mut cache = self.cache.lock().await;
        let fresh = match self.engine.store.get(&self.key, CACHED).await {
            Ok(Some(stored)) => stored,
            Ok(None) => {
                drop(cache);
                self.abandon_run(generation);
                return false;
            }
            Err(err) => {
                tracing::warn!(task_id = %self.key.id, error = %err, "could not read an abandoned task");
                drop(cache);
                self.abandon_run(generation);
                return false;
            }
        };
        cache.task = fresh.task;
        cache.sequence = fresh.sequence;
        let message = Message::agent("the agent process working on this task stopped before it finished")
            .with_task_id(&cache.task.id)
            .with_context_id(&cache.task.context_id);
        let status = TaskStatus::new(TaskState::Failed).with_message(message);
        let written = self
            .write(&mut cache, |task| match task.status.state {
                TaskState::Submitted | TaskState::Working => {
                    Ok(vec![Arc::new(StreamResponse::StatusUpdate(
                        TaskStatusUpdateEvent::new(&task.id, &task.context_id, status.clone()),
                    ))])
                }
                state => Err(Error::invalid_agent_response(format!("the task is {state} now"))),
            })
            .await;
        drop(cache);
        let lease = {
            let mut slot = self.slot();
            slot.canceled = None;
            match slot.generation == generation {
                true => slot.lease.take(),
                false => None,
            }
        };
        if let Some(lease) = lease {
            lease.release().await;
        }
        let failed = match written {
            Ok(written) => {
                tracing::warn!(task_id = %self.key.id, "failed a task whose run was lost with its process");
                written.publish();
                true
            }
            Err(_) => false,
        };
        self.progress.update(|p| {
            p.settles += u64::from(failed);
            p.ended = p.ended.max(generation);
            true
        });
        failed
    }

    /// Ends run `generation`: a task the run left unfinished (neither
    /// terminal nor waiting for the client) is failed, the run's claim is
    /// released and waiters are told. `failure` is why the run stopped, if
    /// it did not return normally; `detail` is for the log only.
    pub(crate) async fn end_run(&self, generation: u64, failure: Option<RunFailure>) {
        let (current, progressed, canceled) = {
            let slot = self.slot();
            let canceled = slot.canceled.as_ref().is_some_and(|signal| *signal.borrow());
            (slot.generation == generation, slot.progressed, canceled)
        };
        if current {
            let unfinished = {
                let cache = self.cache.lock().await;
                let state = cache.task.status.state;
                !cache.gone && !state.is_terminal() && !state.is_interrupted()
            };
            if unfinished {
                let reason = match &failure {
                    Some(RunFailure::Refused(err)) => err.message().to_owned(),
                    Some(RunFailure::Crashed) => "the agent failed while working on this task".to_owned(),
                    Some(RunFailure::TimedOut(limit)) => format!("the agent did not finish within {limit:?}"),
                    Some(RunFailure::ShutDown) => {
                        "the server shut down before the agent finished this task".to_owned()
                    }
                    None => "the agent stopped without finishing this task".to_owned(),
                };
                if let (Some(RunFailure::Refused(err)), false) = (&failure, progressed) {
                    // Nothing happened yet: the caller of a blocking send gets the agent's error.
                    let err = err.clone();
                    self.progress.update(|p| {
                        p.error = Some((generation, err));
                        true
                    });
                }
                // A run that stops once asked to cancel has done what was asked.
                let status = if canceled && failure.is_none() {
                    TaskStatus::new(TaskState::Canceled)
                } else {
                    let cache = self.cache.lock().await;
                    let message = Message::agent(reason.as_str())
                        .with_task_id(&cache.task.id)
                        .with_context_id(&cache.task.context_id);
                    TaskStatus::new(TaskState::Failed).with_message(message)
                };
                if let Err(err) = self.apply(None, AgentEvent::Status(status)).await {
                    tracing::warn!(task_id = %self.key.id, error = %err, "could not fail an unfinished task");
                }
            }
            let mut slot = self.slot();
            slot.lease = None;
            slot.canceled = None;
        }
        self.progress.update(|p| {
            p.ended = p.ended.max(generation);
            true
        });
    }
}

/// Why a run stopped other than by returning normally.
pub(crate) enum RunFailure {
    /// `execute` returned this error: the agent's own answer, shown to the client.
    Refused(Error),
    /// It panicked: the client sees a generic reason, the log the detail.
    Crashed,
    /// It ran past the executor timeout.
    TimedOut(std::time::Duration),
    /// The server shut down before it finished.
    ShutDown,
}

/// Events stored and folded into the cache, not yet published.
#[must_use = "stored events must be published"]
struct Written<'a> {
    live: &'a LiveTask,
    events: Vec<TaskEvent>,
}

impl Written<'_> {
    /// Hands the events to the bus, in order.
    fn publish(self) {
        for event in &self.events {
            self.live.engine.bus.publish(&self.live.key, event);
        }
    }
}

/// Checks an agent's event against the task and builds the event to log.
fn check_event(task: &Task, event: &AgentEvent, max_history: usize) -> Result<StreamResponse, Error> {
    let status_event = |status: TaskStatus| {
        StreamResponse::StatusUpdate(TaskStatusUpdateEvent::new(&task.id, &task.context_id, status))
    };
    match event {
        AgentEvent::Reply(message) => {
            if task.status.state != TaskState::Submitted {
                return Err(Error::invalid_agent_response(
                    "a direct message answer is only possible as the first answer to a new task; send a status message instead",
                ));
            }
            check_message(message)?;
            // The task exists from the moment the request was accepted: a
            // direct reply completes it, with the reply as its final message.
            let mut status = TaskStatus::new(TaskState::Completed);
            status.message = Some(message.clone());
            Ok(status_event(status))
        }
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
                if task.history.len() >= max_history {
                    return Err(Error::invalid_agent_response(format!(
                        "task {} has reached its limit of {max_history} history messages",
                        task.id
                    )));
                }
            }
            Ok(status_event(status.clone()))
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
            let mut update = TaskArtifactUpdateEvent::new(&task.id, &task.context_id, artifact.clone());
            update.append = *append;
            update.last_chunk = *last_chunk;
            Ok(StreamResponse::ArtifactUpdate(update))
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
