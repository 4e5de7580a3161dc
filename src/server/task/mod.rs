//! The task engine: how events apply to a task, the tasks this process is
//! writing to, and who may run a task.
//!
//! A task is a sequence of events (see [`crate::server::store`]). The engine
//! checks each event an agent reports against the task's state machine,
//! appends it to the store at the sequence it last saw, and only then folds
//! it into its cached snapshot and publishes it on the
//! [bus](crate::server::bus). One run at a time holds a task
//! ([`RunOwnership`]); the run ends when the last [`TaskUpdater`] of it is
//! dropped, and a task it left unfinished is then failed, so no task waits
//! forever for an agent that has forgotten it.
//!
//! [`TaskUpdater`]: crate::server::TaskUpdater

mod apply;
pub(crate) mod live;
pub(crate) mod milestones;
mod ownership;

pub use apply::apply_event;
pub use ownership::{InMemoryRunOwnership, RunLease, RunOwnership};
