//! [`PushConfigStore`] on SQL: a row per config, kept in creation order.

use super::error::classify;
use super::{BeginWrite, SqlStore, on_pool};
use crate::server::store::{PushConfigStore, StoreError};
use crate::types::TaskPushNotificationConfig;

/// At most this many configs per task.
const PER_TASK: i64 = 100;

pub(super) fn decode(
    body: &str,
    tenant: &str,
    task_id: &str,
) -> Result<TaskPushNotificationConfig, StoreError> {
    serde_json::from_str(body).map_err(|err| {
        StoreError::new(
            crate::server::store::StoreErrorKind::Corrupt,
            format!(
                "a stored push notification config of task {task_id} in tenant {tenant:?} cannot be read"
            ),
        )
        .with_source(err)
    })
}

impl PushConfigStore for SqlStore {
    async fn save(&self, tenant: &str, config: &TaskPushNotificationConfig) -> Result<(), StoreError> {
        let body = serde_json::to_string(config).map_err(|err| {
            StoreError::backend("a push config could not be written as JSON").with_source(err)
        })?;
        let sql = &self.sql;
        let task_id = &config.task_id;
        let outcome: Result<Result<(), StoreError>, sqlx::Error> = on_pool!(&self.pool, |pool| {
            let _turn = self.write_turn().await;
            let mut tx = pool.begin_write().await?;
            let replaced = sqlx::query(sql.update_config.get())
                .bind(&body)
                .bind(tenant)
                .bind(task_id)
                .bind(&config.id)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            if replaced == 0 {
                let task: Option<i64> = sqlx::query_scalar(sql.last_seq.get())
                    .bind(tenant)
                    .bind(task_id)
                    .fetch_optional(&mut *tx)
                    .await?;
                if task.is_none() {
                    return Ok(Err(StoreError::not_found(task_id)));
                }
                let (count, position): (i64, i64) = sqlx::query_as(sql.count_configs.get())
                    .bind(tenant)
                    .bind(task_id)
                    .fetch_one(&mut *tx)
                    .await?;
                if count >= PER_TASK {
                    return Ok(Err(StoreError::capacity(format!(
                        "task {task_id} already has {PER_TASK} push notification configs"
                    ))));
                }
                sqlx::query(sql.insert_config.get())
                    .bind(tenant)
                    .bind(task_id)
                    .bind(&config.id)
                    .bind(position + 1)
                    .bind(&body)
                    .execute(&mut *tx)
                    .await?;
            }
            tx.commit().await?;
            Ok(Ok(()))
        });
        outcome.map_err(|err| classify(err, "saving a push notification config"))?
    }

    async fn get(
        &self,
        tenant: &str,
        task_id: &str,
        id: &str,
    ) -> Result<Option<TaskPushNotificationConfig>, StoreError> {
        let sql = &self.sql;
        let body: Option<String> = on_pool!(&self.pool, |pool| {
            sqlx::query_scalar(sql.select_config.get())
                .bind(tenant)
                .bind(task_id)
                .bind(id)
                .fetch_optional(pool)
                .await
        })
        .map_err(|err| classify(err, "reading a push notification config"))?;
        body.map(|body| decode(&body, tenant, task_id)).transpose()
    }

    async fn list(&self, tenant: &str, task_id: &str) -> Result<Vec<TaskPushNotificationConfig>, StoreError> {
        let sql = &self.sql;
        let bodies: Vec<String> = on_pool!(&self.pool, |pool| {
            sqlx::query_scalar(sql.list_configs.get())
                .bind(tenant)
                .bind(task_id)
                .fetch_all(pool)
                .await
        })
        .map_err(|err| classify(err, "listing push notification configs"))?;
        bodies.iter().map(|body| decode(body, tenant, task_id)).collect()
    }

    async fn delete(&self, tenant: &str, task_id: &str, id: &str) -> Result<(), StoreError> {
        let sql = &self.sql;
        let result: Result<(), sqlx::Error> = on_pool!(&self.pool, |pool| {
            let _turn = self.write_turn().await;
            let mut tx = pool.begin_write().await?;
            // The deliveries still queued for the config go with it.
            for statement in [&sql.delete_config, &sql.delete_config_outbox] {
                sqlx::query(statement.get())
                    .bind(tenant)
                    .bind(task_id)
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
            }
            tx.commit().await
        });
        result.map_err(|err| classify(err, "deleting a push notification config"))
    }
}
