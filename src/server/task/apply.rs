//! How a logged event changes a task: the one place that folds events into a
//! snapshot, used by the engine and by every store.

use crate::types::{Artifact, StreamResponse, Task};

/// Applies one logged event to `task`.
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
    match event {
        StreamResponse::Task(snapshot) => *task = snapshot.clone(),
        StreamResponse::Message(message) => task.history.push(message.clone()),
        StreamResponse::StatusUpdate(update) => {
            if let Some(message) = &update.status.message {
                task.history.push(message.clone());
            }
            task.status = update.status.clone();
        }
        StreamResponse::ArtifactUpdate(update) => {
            merge_artifact(task, update.artifact.clone(), update.append)
        }
    }
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
