//! The milestones of a task's runs, and a way to wait for one.

use std::sync::{Mutex, MutexGuard};

use tokio::sync::Notify;

use crate::Error;
use crate::types::Message;

/// What a blocking send waits for, so that it can wait for its outcome
/// without following every event.
#[derive(Debug, Clone, Default)]
pub(crate) struct Progress {
    /// How many times the task reached a terminal or interrupted state.
    pub(crate) settles: u64,
    /// The newest run generation that has ended.
    pub(crate) ended: u64,
    /// A run that failed before changing the task: its generation and error.
    pub(crate) error: Option<(u64, Error)>,
    /// A direct reply: the generation that sent it, and the message.
    pub(crate) reply: Option<(u64, Message)>,
}

/// A task's [`Progress`], behind a lock, with one notifier for waiters.
///
/// Every live task has one, and most are never waited on by more than one
/// request: a `watch` channel would set up, wake and tear down its several
/// notifier shards for every task, which cost a blocking send more than
/// the wait itself.
#[derive(Debug, Default)]
pub(crate) struct Milestones {
    now: Mutex<Progress>,
    changed: Notify,
}

impl Milestones {
    fn lock(&self) -> MutexGuard<'_, Progress> {
        // Every change leaves the progress whole before it could panic.
        self.now.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Reads the progress now.
    pub(crate) fn read<T>(&self, read: impl FnOnce(&Progress) -> T) -> T {
        read(&self.lock())
    }

    /// Changes the progress; waiters are woken if `change` says it changed
    /// something they may wait for.
    pub(crate) fn update(&self, change: impl FnOnce(&mut Progress) -> bool) {
        let changed = change(&mut self.lock());
        if changed {
            self.changed.notify_waiters();
        }
    }

    /// Waits until `ready` finds what it waits for in the progress.
    pub(crate) async fn wait_for<T>(&self, mut ready: impl FnMut(&Progress) -> Option<T>) -> T {
        loop {
            // Registered before looking, so that a change between the look
            // and the wait still wakes it.
            let notified = self.changed.notified();
            let mut notified = std::pin::pin!(notified);
            notified.as_mut().enable();
            if let Some(out) = ready(&self.lock()) {
                return out;
            }
            notified.await;
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::time::Duration;

    use super::*;

    #[tokio::test]
    async fn a_waiter_wakes_on_the_change_it_waits_for_and_not_before() {
        let milestones = Arc::new(Milestones::default());
        let waiter = tokio::spawn({
            let milestones = Arc::clone(&milestones);
            async move { milestones.wait_for(|p| (p.settles > 0).then_some(p.ended)).await }
        });
        tokio::task::yield_now().await;
        milestones.update(|p| {
            p.ended = 1;
            true
        });
        tokio::time::sleep(Duration::from_millis(20)).await;
        assert!(!waiter.is_finished(), "nothing it waits for happened yet");
        milestones.update(|p| {
            p.settles = 1;
            p.ended = 2;
            true
        });
        assert_eq!(waiter.await.unwrap(), 2);
        // A condition already met does not wait.
        assert_eq!(milestones.wait_for(|p| Some(p.settles)).await, 1);
    }
}
