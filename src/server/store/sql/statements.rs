//! The SQL text of every statement, written once with `?` placeholders and
//! numbered (`$1`, `$2`, …) for PostgreSQL when a store is built.

use std::sync::Arc;

use sqlx::AssertSqlSafe;

use super::Backend;

/// One statement's text, cheap to hand to `sqlx::query`.
#[derive(Debug, Clone)]
pub(super) struct Sql(Arc<str>);

impl Sql {
    pub(super) fn get(&self) -> AssertSqlSafe<Arc<str>> {
        AssertSqlSafe(Arc::clone(&self.0))
    }
}

/// Renders `?` placeholders for `backend`.
pub(super) fn render(backend: Backend, text: &str) -> String {
    if backend != Backend::Postgres {
        return text.to_owned();
    }
    let mut out = String::with_capacity(text.len() + 16);
    let mut n = 0;
    for c in text.chars() {
        if c == '?' {
            n += 1;
            out.push('$');
            out.push_str(&n.to_string());
        } else {
            out.push(c);
        }
    }
    out
}

macro_rules! statements {
    ($( $(#[$doc:meta])* $name:ident = $text:expr; )+) => {
        /// Every fixed statement, rendered for one backend.
        #[derive(Debug)]
        pub(super) struct Statements {
            pub(super) backend: Backend,
            $( $(#[$doc])* pub(super) $name: Sql, )+
        }

        impl Statements {
            pub(super) fn new(backend: Backend) -> Self {
                Self {
                    backend,
                    $( $name: Sql(render(backend, $text).into()), )+
                }
            }
        }
    };
}

statements! {
    insert_task = "INSERT INTO a2a_tasks \
        (tenant, id, owner, context_id, state, status_at, last_seq, base_seq, status, metadata) \
        VALUES (?, ?, ?, ?, ?, ?, 1, 1, ?, ?)";
    insert_event = "INSERT INTO a2a_task_events (tenant, task_id, seq, kind, body) VALUES (?, ?, ?, ?, ?)";
    /// Moves the task to its new last sequence if it is still at the
    /// expected one; a status left NULL stays as it is.
    advance_task = "UPDATE a2a_tasks SET last_seq = ?, \
        state = COALESCE(?, state), status_at = COALESCE(?, status_at), status = COALESCE(?, status) \
        WHERE tenant = ? AND id = ? AND last_seq = ?";
    /// After an event that sets the whole task.
    rebase_task = "UPDATE a2a_tasks SET base_seq = ?, context_id = ?, metadata = ? WHERE tenant = ? AND id = ?";
    last_seq = "SELECT last_seq FROM a2a_tasks WHERE tenant = ? AND id = ?";
    select_task = "SELECT owner, context_id, last_seq, base_seq, status, metadata \
        FROM a2a_tasks WHERE tenant = ? AND id = ?";
    /// The events a full read folds: every kind but a status without a message.
    fold_events = "SELECT seq, kind, body FROM a2a_task_events \
        WHERE tenant = ? AND task_id = ? AND seq >= ? AND seq <= ? AND kind <> 4 ORDER BY seq";
    /// The base event alone.
    base_event = "SELECT seq, kind, body FROM a2a_task_events WHERE tenant = ? AND task_id = ? AND seq = ?";
    /// The newest events that add to the history.
    history_events = "SELECT seq, kind, body FROM a2a_task_events \
        WHERE tenant = ? AND task_id = ? AND seq > ? AND seq <= ? AND kind IN (2, 3) \
        ORDER BY seq DESC LIMIT ?";
    artifact_events = "SELECT seq, kind, body FROM a2a_task_events \
        WHERE tenant = ? AND task_id = ? AND seq > ? AND seq <= ? AND kind = 5 ORDER BY seq";
    events_after = "SELECT seq, body FROM a2a_task_events \
        WHERE tenant = ? AND task_id = ? AND seq > ? ORDER BY seq";
    delete_events = "DELETE FROM a2a_task_events WHERE tenant = ? AND task_id = ?";
    delete_outbox = "DELETE FROM a2a_push_outbox WHERE tenant = ? AND task_id = ?";
    delete_configs = "DELETE FROM a2a_push_configs WHERE tenant = ? AND task_id = ?";
    delete_run = "DELETE FROM a2a_task_runs WHERE tenant = ? AND task_id = ?";
    delete_task = "DELETE FROM a2a_tasks WHERE tenant = ? AND id = ?";

    update_config = "UPDATE a2a_push_configs SET body = ? WHERE tenant = ? AND task_id = ? AND config_id = ?";
    count_configs = "SELECT COUNT(*), COALESCE(MAX(position), 0) FROM a2a_push_configs \
        WHERE tenant = ? AND task_id = ?";
    insert_config = "INSERT INTO a2a_push_configs (tenant, task_id, config_id, position, body) \
        VALUES (?, ?, ?, ?, ?)";
    select_config = "SELECT body FROM a2a_push_configs WHERE tenant = ? AND task_id = ? AND config_id = ?";
    list_configs = "SELECT body FROM a2a_push_configs WHERE tenant = ? AND task_id = ? ORDER BY position";
    delete_config = "DELETE FROM a2a_push_configs WHERE tenant = ? AND task_id = ? AND config_id = ?";
    delete_config_outbox = "DELETE FROM a2a_push_outbox WHERE tenant = ? AND task_id = ? AND config_id = ?";

    /// Queues event `seq` for every config the task has, due at once.
    queue_pushes = "INSERT INTO a2a_push_outbox \
        (tenant, task_id, config_id, seq, attempts, queued_at, due_at) \
        SELECT tenant, task_id, config_id, ?, 0, ?, ? FROM a2a_push_configs \
        WHERE tenant = ? AND task_id = ?";
    /// The deliveries due that head their queue, with their event and config
    /// (NULL when either is gone).
    due_pushes = "SELECT o.tenant, o.task_id, o.config_id, o.seq, o.attempts, o.queued_at, o.due_at, \
        e.body, c.body \
        FROM a2a_push_outbox o \
        LEFT JOIN a2a_task_events e ON e.tenant = o.tenant AND e.task_id = o.task_id AND e.seq = o.seq \
        LEFT JOIN a2a_push_configs c \
        ON c.tenant = o.tenant AND c.task_id = o.task_id AND c.config_id = o.config_id \
        WHERE o.due_at <= ? AND NOT EXISTS (SELECT 1 FROM a2a_push_outbox p \
        WHERE p.tenant = o.tenant AND p.task_id = o.task_id AND p.config_id = o.config_id AND p.seq < o.seq) \
        ORDER BY o.due_at LIMIT ?";
    /// Claims a delivery if nobody claimed or rescheduled it since it was
    /// read (every claim counts an attempt, so the pair changes each time).
    claim_push = "UPDATE a2a_push_outbox SET due_at = ?, attempts = attempts + 1 \
        WHERE tenant = ? AND task_id = ? AND config_id = ? AND seq = ? AND due_at = ? AND attempts = ?";
    /// Only while the claim that made `attempts` what it is still holds it.
    retry_push = "UPDATE a2a_push_outbox SET due_at = ? \
        WHERE tenant = ? AND task_id = ? AND config_id = ? AND seq = ? AND attempts = ?";
    /// Only while the claim that made `attempts` what it is still holds it.
    finish_push = "DELETE FROM a2a_push_outbox \
        WHERE tenant = ? AND task_id = ? AND config_id = ? AND seq = ? AND attempts = ?";

    expire_run = "DELETE FROM a2a_task_runs WHERE tenant = ? AND task_id = ? AND expires_at < ?";
    insert_run = "INSERT INTO a2a_task_runs (tenant, task_id, holder, expires_at) VALUES (?, ?, ?, ?)";
    renew_run = "UPDATE a2a_task_runs SET expires_at = ? WHERE tenant = ? AND task_id = ? AND holder = ?";
    release_run = "DELETE FROM a2a_task_runs WHERE tenant = ? AND task_id = ? AND holder = ?";
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn postgres_placeholders_are_numbered() {
        assert_eq!(render(Backend::Postgres, "a = ? AND b = ?"), "a = $1 AND b = $2");
        assert_eq!(render(Backend::MySql, "a = ?"), "a = ?");
    }
}
