-- Tasks as event logs, their push notification configs, and run leases.
--
-- A task is a row of what listing and the engine read on every request
-- (owner, context, state, status) plus its log of events. History and
-- artifacts are never rewritten: they are folded from the log on read, from
-- the latest event that set the whole task (`base_seq`, the creation).
-- Identifiers compare byte-wise (COLLATE "C"), as page tokens expect.

CREATE TABLE a2a_tasks (
    tenant      TEXT COLLATE "C" NOT NULL,
    id          TEXT COLLATE "C" NOT NULL,
    owner       TEXT COLLATE "C" NOT NULL,
    context_id  TEXT COLLATE "C" NOT NULL,
    -- TaskState as its proto enum number.
    state       INTEGER NOT NULL,
    -- status.timestamp in nanoseconds since the epoch; the smallest BIGINT when absent.
    status_at   BIGINT NOT NULL,
    -- The sequence of the last event: the optimistic-concurrency check.
    last_seq    BIGINT NOT NULL,
    -- The sequence of the event the snapshot folds from (a whole task).
    base_seq    BIGINT NOT NULL,
    -- The current TaskStatus and the task's metadata, as ProtoJSON.
    status      TEXT NOT NULL,
    metadata    TEXT,
    PRIMARY KEY (tenant, id)
);

-- ListTasks: newest status first, ties by id, within a tenant and owner,
-- optionally narrowed to a context or a state.
CREATE INDEX a2a_tasks_newest ON a2a_tasks (tenant, owner, status_at DESC, id);
CREATE INDEX a2a_tasks_by_context ON a2a_tasks (tenant, owner, context_id, status_at DESC, id);
CREATE INDEX a2a_tasks_by_state ON a2a_tasks (tenant, owner, state, status_at DESC, id);

CREATE TABLE a2a_task_events (
    tenant   TEXT COLLATE "C" NOT NULL,
    task_id  TEXT COLLATE "C" NOT NULL,
    seq      BIGINT NOT NULL,
    -- 1 whole task, 2 client message, 3 status with a message, 4 status, 5 artifact.
    kind     INTEGER NOT NULL,
    -- The StreamResponse as ProtoJSON.
    body     TEXT NOT NULL,
    PRIMARY KEY (tenant, task_id, seq)
);

CREATE TABLE a2a_push_configs (
    tenant     TEXT COLLATE "C" NOT NULL,
    task_id    TEXT COLLATE "C" NOT NULL,
    config_id  TEXT COLLATE "C" NOT NULL,
    -- Creation order within the task.
    position   BIGINT NOT NULL,
    -- The TaskPushNotificationConfig as ProtoJSON.
    body       TEXT NOT NULL,
    PRIMARY KEY (tenant, task_id, config_id)
);

-- Who runs a task now, until when (nanoseconds since the epoch).
CREATE TABLE a2a_task_runs (
    tenant      TEXT COLLATE "C" NOT NULL,
    task_id     TEXT COLLATE "C" NOT NULL,
    holder      TEXT NOT NULL,
    expires_at  BIGINT NOT NULL,
    PRIMARY KEY (tenant, task_id)
);
