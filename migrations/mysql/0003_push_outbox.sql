-- Push deliveries waiting to be sent: one row per event and push config of
-- a task, inserted by the append that logs the event (client messages
-- excepted). A row is deleted once delivered or given up on, and with its
-- config or its task. The rows of one (task, config) form a queue: only the
-- oldest (smallest seq) is ever sent, so a receiver sees events in order.

CREATE TABLE a2a_push_outbox (
    tenant     VARCHAR(191) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
    task_id    VARCHAR(191) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
    -- The push config (a2a_push_configs.config_id) to deliver to.
    config_id  VARCHAR(191) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
    -- The event to deliver (a2a_task_events.seq).
    seq        BIGINT NOT NULL,
    -- How many times it was claimed for delivery.
    attempts   INTEGER NOT NULL,
    -- When the event was queued, in nanoseconds since the epoch.
    queued_at  BIGINT NOT NULL,
    -- When it may next be claimed, in nanoseconds since the epoch: the time
    -- it was queued, a claim's expiry while a sender holds it, or the time
    -- of its next attempt after a failed one.
    due_at     BIGINT NOT NULL,
    PRIMARY KEY (tenant, task_id, config_id, seq),
    -- Senders look for what is due, oldest first.
    INDEX a2a_push_outbox_due (due_at)
) ENGINE = InnoDB;
