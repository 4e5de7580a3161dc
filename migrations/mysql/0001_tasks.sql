-- Tasks as event logs, their push notification configs, and run leases.
--
-- A task is a row of what listing and the engine read on every request
-- (owner, context, state, status) plus its log of events. History and
-- artifacts are never rewritten: they are folded from the log on read, from
-- the latest event that set the whole task (`base_seq`, the creation).
-- Identifiers compare byte-wise (utf8mb4_bin), as page tokens expect; they
-- hold up to 191 characters so that the listing indexes fit InnoDB's limit.

CREATE TABLE a2a_tasks (
    tenant      VARCHAR(191) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
    id          VARCHAR(191) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
    owner       VARCHAR(191) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
    context_id  VARCHAR(191) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
    -- TaskState as its proto enum number.
    state       INTEGER NOT NULL,
    -- status.timestamp in nanoseconds since the epoch; the smallest BIGINT when absent.
    status_at   BIGINT NOT NULL,
    -- The sequence of the last event: the optimistic-concurrency check.
    last_seq    BIGINT NOT NULL,
    -- The sequence of the event the snapshot folds from (a whole task).
    base_seq    BIGINT NOT NULL,
    -- The current TaskStatus and the task's metadata, as ProtoJSON.
    status      LONGTEXT CHARACTER SET utf8mb4 NOT NULL,
    metadata    LONGTEXT CHARACTER SET utf8mb4,
    PRIMARY KEY (tenant, id),
    -- ListTasks: newest status first, ties by id, within a tenant and owner,
    -- optionally narrowed to a context or a state.
    INDEX a2a_tasks_newest (tenant, owner, status_at DESC, id),
    INDEX a2a_tasks_by_context (tenant, owner, context_id, status_at DESC, id),
    INDEX a2a_tasks_by_state (tenant, owner, state, status_at DESC, id)
) ENGINE = InnoDB;

CREATE TABLE a2a_task_events (
    tenant   VARCHAR(191) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
    task_id  VARCHAR(191) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
    seq      BIGINT NOT NULL,
    -- 1 whole task, 2 client message, 3 status with a message, 4 status, 5 artifact.
    kind     INTEGER NOT NULL,
    -- The StreamResponse as ProtoJSON.
    body     LONGTEXT CHARACTER SET utf8mb4 NOT NULL,
    PRIMARY KEY (tenant, task_id, seq)
) ENGINE = InnoDB;

CREATE TABLE a2a_push_configs (
    tenant     VARCHAR(191) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
    task_id    VARCHAR(191) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
    config_id  VARCHAR(191) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
    -- Creation order within the task.
    position   BIGINT NOT NULL,
    -- The TaskPushNotificationConfig as ProtoJSON.
    body       LONGTEXT CHARACTER SET utf8mb4 NOT NULL,
    PRIMARY KEY (tenant, task_id, config_id)
) ENGINE = InnoDB;

-- Who runs a task now, until when (nanoseconds since the epoch).
CREATE TABLE a2a_task_runs (
    tenant      VARCHAR(191) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
    task_id     VARCHAR(191) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
    holder      VARCHAR(64) CHARACTER SET ascii NOT NULL,
    expires_at  BIGINT NOT NULL,
    PRIMARY KEY (tenant, task_id)
) ENGINE = InnoDB;
