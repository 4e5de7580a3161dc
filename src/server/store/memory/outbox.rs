//! The in-memory push outbox: a queue per (task, config) on the task's entry.

use std::collections::VecDeque;
use std::sync::Arc;

use chrono::{DateTime, Utc};

use super::{Entry, InMemoryTaskStore, Tasks};
use crate::server::store::{PendingPush, PushId, PushOutbox, Sequence, StoreError, TaskKey};
use crate::types::StreamResponse;

/// One delivery waiting.
#[derive(Debug)]
pub(super) struct Queued {
    sequence: Sequence,
    event: Arc<StreamResponse>,
    attempts: u32,
    queued_at: DateTime<Utc>,
    due_at: DateTime<Utc>,
}

/// The deliveries of one config of a task, oldest first.
#[derive(Debug)]
pub(super) struct Queue {
    config_id: String,
    items: VecDeque<Queued>,
}

impl Tasks {
    /// Queues `events` (numbered from `first`) for every config of the task
    /// at `key`; returns whether anything was queued. Past the store's
    /// bound, deliveries are dropped and logged rather than queued.
    pub(super) fn queue_pushes(
        &mut self,
        key: &TaskKey,
        events: &[Arc<StreamResponse>],
        first: Sequence,
        bound: usize,
    ) -> bool {
        let Some(entry) = self.entries.get_mut(key) else {
            return false;
        };
        if entry.configs.is_empty() {
            return false;
        }
        let now = Utc::now();
        let mut added = 0;
        let mut dropped = 0;
        for (event, sequence) in events.iter().zip(first..) {
            if matches!(event.as_ref(), StreamResponse::Message(_)) {
                continue;
            }
            for config in &entry.configs {
                if self.queued + added >= bound {
                    dropped += 1;
                    continue;
                }
                let queue = match entry.pushes.iter().position(|q| q.config_id == config.id) {
                    Some(at) => &mut entry.pushes[at],
                    None => {
                        entry.pushes.push(Queue {
                            config_id: config.id.clone(),
                            items: VecDeque::new(),
                        });
                        entry.pushes.last_mut().expect("just pushed")
                    }
                };
                queue.items.push_back(Queued {
                    sequence,
                    event: Arc::clone(event),
                    attempts: 0,
                    queued_at: now,
                    due_at: now,
                });
                added += 1;
            }
        }
        if dropped > 0 {
            tracing::warn!(
                task_id = %key.id,
                dropped,
                "the in-memory push outbox is full: deliveries dropped"
            );
        }
        if added > 0 {
            self.queued += added;
            self.pushing.insert(key.clone());
        }
        added > 0
    }

    /// Drops the deliveries queued for config `config_id` of `key`.
    pub(super) fn drop_pushes(&mut self, key: &TaskKey, config_id: &str) {
        if let Some(entry) = self.entries.get_mut(key) {
            if let Some(at) = entry.pushes.iter().position(|q| q.config_id == config_id) {
                let queue = entry.pushes.swap_remove(at);
                self.queued -= queue.items.len();
            }
        }
    }

    fn queue_of(&mut self, id: &PushId) -> Option<&mut Queue> {
        self.entries
            .get_mut(&id.key)?
            .pushes
            .iter_mut()
            .find(|q| q.config_id == id.config_id)
    }
}

impl Entry {
    /// How many deliveries wait for this task.
    pub(super) fn queued(&self) -> usize {
        self.pushes.iter().map(|q| q.items.len()).sum()
    }
}

impl PushOutbox for InMemoryTaskStore {
    async fn claim_due(
        &self,
        now: DateTime<Utc>,
        until: DateTime<Utc>,
        limit: usize,
    ) -> Result<Vec<PendingPush>, StoreError> {
        let mut tasks = self.lock();
        let tasks = &mut *tasks;
        // The due heads, the longest due first, so that no queue starves.
        let mut due = Vec::new();
        let mut idle = Vec::new();
        for key in &tasks.pushing {
            let Some(entry) = tasks.entries.get(key) else {
                idle.push(key.clone());
                continue;
            };
            if entry.pushes.is_empty() {
                idle.push(key.clone());
            }
            for (at, queue) in entry.pushes.iter().enumerate() {
                if let Some(head) = queue.items.front().filter(|head| head.due_at <= now) {
                    due.push((head.due_at, key.clone(), at));
                }
            }
        }
        for key in idle {
            tasks.pushing.remove(&key);
        }
        due.sort_unstable_by_key(|(due_at, _, _)| *due_at);
        let mut claimed = Vec::with_capacity(due.len().min(limit));
        for (_, key, at) in due.into_iter().take(limit) {
            let Some(entry) = tasks.entries.get_mut(&key) else {
                continue;
            };
            let queue = &mut entry.pushes[at];
            let Some(config) = entry.configs.iter().find(|c| c.id == queue.config_id) else {
                continue;
            };
            let head = queue.items.front_mut().expect("a due head");
            head.due_at = until;
            head.attempts += 1;
            claimed.push(PendingPush {
                id: PushId {
                    key,
                    config_id: queue.config_id.clone(),
                    sequence: head.sequence,
                },
                config: config.clone(),
                event: Arc::clone(&head.event),
                attempts: head.attempts,
                queued_at: head.queued_at,
            });
        }
        Ok(claimed)
    }

    async fn finish(&self, push: &PendingPush) -> Result<(), StoreError> {
        let mut tasks = self.lock();
        let Some(queue) = tasks.queue_of(&push.id) else {
            return Ok(());
        };
        let held = |item: &Queued| item.sequence == push.id.sequence && item.attempts == push.attempts;
        let Some(at) = queue.items.iter().position(held) else {
            return Ok(());
        };
        queue.items.remove(at);
        let empty = queue.items.is_empty();
        tasks.queued -= 1;
        if empty {
            if let Some(entry) = tasks.entries.get_mut(&push.id.key) {
                entry.pushes.retain(|q| !q.items.is_empty());
            }
        }
        Ok(())
    }

    async fn retry_at(&self, push: &PendingPush, at: DateTime<Utc>) -> Result<(), StoreError> {
        let mut tasks = self.lock();
        if let Some(item) = tasks.queue_of(&push.id).and_then(|queue| {
            queue
                .items
                .iter_mut()
                .find(|item| item.sequence == push.id.sequence && item.attempts == push.attempts)
        }) {
            item.due_at = at;
        }
        Ok(())
    }

    fn queued_signal(&self) -> Option<Arc<tokio::sync::Notify>> {
        Some(Arc::clone(&self.queued_signal))
    }
}
