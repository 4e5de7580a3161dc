//! How the memory store holds a task: as it is while it can still change,
//! and compactly once it is finished.
//!
//! A finished task never changes again, and most of a store's tasks are
//! finished ones waiting out their time to live. Once its events are no
//! longer kept (see the store's log retention), it is kept as JSON, without the
//! ids every message repeats and without the final status message that the
//! history already holds, a small task takes about a third of the memory of
//! its Rust form.

use chrono::{DateTime, Utc};

use crate::server::store::StoreError;
use crate::server::store::StoreErrorKind;
use crate::types::{Task, TaskState, TaskStatus};

/// A task as the memory store holds it.
#[derive(Debug)]
pub(super) enum Snapshot {
    /// A task that may still change.
    Live(Box<Task>),
    /// A finished task, compacted.
    Finished(Box<Compact>),
}

/// A finished task as JSON, with what `ListTasks` filters and sorts on beside it.
#[derive(Debug)]
pub(super) struct Compact {
    json: Box<[u8]>,
    context_id: Box<str>,
    state: TaskState,
    timestamp: Option<DateTime<Utc>>,
}

/// The first byte of a compact task: whether its final status message is
/// the last history message (and so was left out).
const STATUS_IN_HISTORY: u8 = b'1';
const STATUS_APART: u8 = b'0';

impl Snapshot {
    /// Holds `task` as it is.
    pub(super) fn new(task: Task) -> Self {
        Snapshot::Live(Box::new(task))
    }

    /// Compacts a finished task. Done once the task's events are no longer
    /// kept, so that a task evicted before then is never compacted at all.
    pub(super) fn compact(&mut self) {
        if let Snapshot::Live(task) = self {
            if task.status.state.is_terminal() {
                let placeholder = Task::new("", "", TaskStatus::new(TaskState::Submitted));
                let task = std::mem::replace(&mut **task, placeholder);
                *self = Snapshot::Finished(Box::new(Compact::of(task)));
            }
        }
    }

    pub(super) fn state(&self) -> TaskState {
        match self {
            Snapshot::Live(task) => task.status.state,
            Snapshot::Finished(compact) => compact.state,
        }
    }

    pub(super) fn context_id(&self) -> &str {
        match self {
            Snapshot::Live(task) => &task.context_id,
            Snapshot::Finished(compact) => &compact.context_id,
        }
    }

    pub(super) fn timestamp(&self) -> Option<DateTime<Utc>> {
        match self {
            Snapshot::Live(task) => task.status.timestamp,
            Snapshot::Finished(compact) => compact.timestamp,
        }
    }

    /// Calls `read` with the task, expanded if it is compact.
    pub(super) fn with<T>(&self, read: impl FnOnce(&Task) -> T) -> Result<T, StoreError> {
        match self {
            Snapshot::Live(task) => Ok(read(task)),
            Snapshot::Finished(compact) => Ok(read(&compact.expand()?)),
        }
    }

    /// Changes the task with `change`.
    pub(super) fn update(&mut self, change: impl FnOnce(&mut Task)) -> Result<(), StoreError> {
        if let Snapshot::Finished(compact) = self {
            // Stores only append to finished tasks when a caller insists.
            *self = Snapshot::Live(Box::new(compact.expand()?));
        }
        if let Snapshot::Live(task) = self {
            change(task);
        }
        Ok(())
    }
}

impl Compact {
    fn of(mut task: Task) -> Self {
        let status_in_history =
            task.status.message.is_some() && task.history.last() == task.status.message.as_ref();
        if status_in_history {
            task.status.message = None;
        }
        for message in &mut task.history {
            if message.task_id == task.id {
                message.task_id.clear();
            }
            if message.context_id == task.context_id {
                message.context_id.clear();
            }
        }
        let mut json = vec![if status_in_history {
            STATUS_IN_HISTORY
        } else {
            STATUS_APART
        }];
        serde_json::to_writer(&mut json, &task).expect("a task always encodes");
        Self {
            json: json.into_boxed_slice(),
            context_id: task.context_id.into_boxed_str(),
            state: task.status.state,
            timestamp: task.status.timestamp,
        }
    }

    /// The task as it was compacted. Messages are given back the task's ids
    /// (the engine stamps every message of a task with them).
    fn expand(&self) -> Result<Task, StoreError> {
        let corrupt = |err: serde_json::Error| {
            StoreError::new(StoreErrorKind::Corrupt, "a finished task could not be read back")
                .with_source(err)
        };
        let (flag, json) = self.json.split_first().expect("never empty");
        let mut task: Task = serde_json::from_slice(json).map_err(corrupt)?;
        for message in &mut task.history {
            if message.task_id.is_empty() {
                message.task_id.clone_from(&task.id);
            }
            if message.context_id.is_empty() {
                message.context_id.clone_from(&task.context_id);
            }
        }
        if *flag == STATUS_IN_HISTORY {
            task.status.message = task.history.last().cloned();
        }
        Ok(task)
    }
}
