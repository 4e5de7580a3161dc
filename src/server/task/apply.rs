//! How a logged event changes a task: the one place that folds events into a
//! snapshot, used by the engine and by every store.

use crate::types::{StreamResponse, Task};

/// Applies one logged event to `task`: [`Task::apply`], under the name the
/// engine and the stores use.
///
/// - [`StreamResponse::Task`] (the creation event) replaces the task;
/// - [`StreamResponse::Message`] (a client message) is added to the history;
/// - a status update sets the status, and its message joins the history;
/// - an artifact update adds the artifact, replaces the one with the same
///   id, or with `append` extends it.
///
/// The engine has already checked the event against the state machine: this
/// only folds it in, so that a store can rebuild or maintain a snapshot from
/// its log in time proportional to the event.
///
/// ```
/// use a2akit::server::task::apply_event;
/// use a2akit::types::*;
///
/// let mut task = Task::new("t1", "c1", TaskStatus::new(TaskState::Submitted));
/// let done = TaskStatusUpdateEvent::new("t1", "c1", TaskStatus::new(TaskState::Completed));
/// apply_event(&mut task, &StreamResponse::StatusUpdate(done));
/// assert_eq!(task.status.state, TaskState::Completed);
/// ```
pub fn apply_event(task: &mut Task, event: &StreamResponse) {
    task.apply(event);
}
