-- Finds finished tasks by age, for purging them.
CREATE INDEX a2a_tasks_finished ON a2a_tasks (state, status_at);
