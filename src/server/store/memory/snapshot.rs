//! How the memory store holds a task: as its events while they are kept,
//! and compactly once they are not.
//!
//! A task is its log: the creation event (the task as created) and every
//! change after it, shared with the engine that made them, so that an append
//! stores what the engine already built and costs nothing more than the
//! event. Reading a task folds its events; a log that grows past its bound
//! folds its oldest events into a base task first, so a read never folds
//! more than the bound.
//!
//! A finished task never changes again, and most of a store's tasks are
//! finished ones waiting out their time to live. Once its events are no
//! longer kept it is held as JSON, without the ids every message repeats
//! and without the final status message that the history already holds:
//! about a third of the memory of its Rust form.

use std::collections::VecDeque;
use std::sync::Arc;

use chrono::{DateTime, Utc};

use crate::server::store::{Sequence, StoreError, StoreErrorKind, TaskEvent};
use crate::server::task::apply_event;
use crate::types::{StreamResponse, Task, TaskState};

/// A task as the memory store holds it, with what `ListTasks` filters and
/// sorts on kept beside it.
#[derive(Debug)]
pub(super) struct Snapshot {
    state: TaskState,
    timestamp: Option<DateTime<Utc>>,
    body: Body,
}

#[derive(Debug)]
enum Body {
    /// The task as events: `base` is the task as of event `start - 1`, or
    /// none while the log still begins with the creation event (`start` 1).
    Events {
        base: Option<Box<Task>>,
        start: Sequence,
        events: VecDeque<Arc<StreamResponse>>,
    },
    /// A task whose events are no longer kept, as JSON.
    Compact(Box<Compact>),
}

/// A task as JSON, with its conversation id beside it.
#[derive(Debug)]
struct Compact {
    json: Box<[u8]>,
    context_id: Box<str>,
}

/// The first byte of a compact task: whether its final status message is
/// the last history message (and so was left out).
const STATUS_IN_HISTORY: u8 = b'1';
const STATUS_APART: u8 = b'0';

impl Snapshot {
    /// A new task: its log holds its creation (sequence 1).
    pub(super) fn new(task: &Task) -> Self {
        Self {
            state: task.status.state,
            timestamp: task.status.timestamp,
            body: Body::Events {
                base: None,
                start: 1,
                events: VecDeque::from([Arc::new(StreamResponse::Task(task.clone()))]),
            },
        }
    }

    pub(super) fn state(&self) -> TaskState {
        self.state
    }

    pub(super) fn timestamp(&self) -> Option<DateTime<Utc>> {
        self.timestamp
    }

    pub(super) fn context_id(&self) -> &str {
        match &self.body {
            Body::Compact(compact) => &compact.context_id,
            Body::Events { base: Some(base), .. } => &base.context_id,
            Body::Events { events, .. } => match events.front().map(Arc::as_ref) {
                Some(StreamResponse::Task(task)) => &task.context_id,
                _ => "",
            },
        }
    }

    /// The task, folded from its events (or read back from JSON).
    pub(super) fn task(&self) -> Result<Task, StoreError> {
        match &self.body {
            Body::Compact(compact) => compact.expand(),
            Body::Events { base, events, .. } => {
                let mut events = events.iter();
                let mut task = match base {
                    Some(base) => Task::clone(base),
                    None => match events.next().map(Arc::as_ref) {
                        Some(StreamResponse::Task(task)) => task.clone(),
                        _ => {
                            return Err(StoreError::new(
                                StoreErrorKind::Corrupt,
                                "a task's log does not begin with its creation",
                            ));
                        }
                    },
                };
                for event in events {
                    apply_event(&mut task, event);
                }
                Ok(task)
            }
        }
    }

    /// The kept events after `after`, numbered; `None` if some are gone.
    /// `last` is the sequence of the newest event.
    pub(super) fn events_after(&self, after: Sequence, last: Sequence) -> Option<Vec<TaskEvent>> {
        if after >= last {
            return Some(Vec::new());
        }
        let Body::Events { start, events, .. } = &self.body else {
            return None;
        };
        if after + 1 < *start {
            return None;
        }
        let skip = usize::try_from(after + 1 - start).ok()?;
        Some(
            events
                .iter()
                .skip(skip)
                .zip(after + 1..)
                .map(|(event, sequence)| TaskEvent {
                    sequence,
                    event: Arc::clone(event),
                })
                .collect(),
        )
    }

    /// Adds events numbered from `first`; a log longer than `length` folds
    /// its oldest into the base.
    pub(super) fn push(
        &mut self,
        new: &[Arc<StreamResponse>],
        first: Sequence,
        length: usize,
    ) -> Result<(), StoreError> {
        for event in new {
            match event.as_ref() {
                StreamResponse::StatusUpdate(update) => {
                    self.state = update.status.state;
                    self.timestamp = update.status.timestamp;
                }
                StreamResponse::Task(task) => {
                    self.state = task.status.state;
                    self.timestamp = task.status.timestamp;
                }
                _ => {}
            }
        }
        if let Body::Compact(compact) = &self.body {
            // Only a caller that insists appends to a task whose log is gone.
            self.body = Body::Events {
                base: Some(Box::new(compact.expand()?)),
                start: first,
                events: VecDeque::new(),
            };
        }
        let Body::Events { base, start, events } = &mut self.body else {
            unreachable!("expanded above");
        };
        if events.is_empty() {
            *start = first;
        }
        events.extend(new.iter().cloned());
        while events.len() > length.max(1) {
            let oldest = events.pop_front().expect("longer than one");
            match (base.as_mut(), oldest.as_ref()) {
                (Some(base), event) => apply_event(base, event),
                (None, StreamResponse::Task(task)) => *base = Some(Box::new(task.clone())),
                (None, _) => {
                    return Err(StoreError::new(
                        StoreErrorKind::Corrupt,
                        "a task's log does not begin with its creation",
                    ));
                }
            }
            *start += 1;
        }
        Ok(())
    }

    /// Drops the events and holds the task as JSON; returns what it held
    /// before, for the caller to free when it likes.
    pub(super) fn compact(&mut self) -> Result<Option<Snapshot>, StoreError> {
        if let Body::Compact(_) = self.body {
            return Ok(None);
        }
        let task = self.task()?;
        let compact = Body::Compact(Box::new(Compact::of(task)));
        let before = std::mem::replace(&mut self.body, compact);
        Ok(Some(Snapshot {
            state: self.state,
            timestamp: self.timestamp,
            body: before,
        }))
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
