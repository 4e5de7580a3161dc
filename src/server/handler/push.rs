//! The push notification config operations.

use super::{RequestHandler, check_required};
use crate::Error;
use crate::jsonrpc::Method;
use crate::server::call::CallContext;
use crate::server::telemetry;
use crate::types::{
    DeleteTaskPushNotificationConfigRequest, Empty, GetTaskPushNotificationConfigRequest,
    ListTaskPushNotificationConfigsRequest, ListTaskPushNotificationConfigsResponse,
    TaskPushNotificationConfig,
};

impl RequestHandler {
    /// `CreateTaskPushNotificationConfig`.
    pub async fn create_task_push_notification_config(
        &self,
        call: &CallContext,
        mut config: TaskPushNotificationConfig,
    ) -> Result<TaskPushNotificationConfig, Error> {
        let operation = telemetry::operation(Method::CreateTaskPushNotificationConfig, call, &config.task_id);
        operation
            .run(async move {
                self.check_push()?;
                self.check_call(call)?;
                check_required("taskId", &config.task_id)?;
                check_required("url", &config.url)?;
                self.inner.webhook_guard.check_config(&config, "")?;
                self.check_visible(call, &config.task_id).await?;
                if config.id.is_empty() {
                    config.id = uuid::Uuid::new_v4().to_string();
                }
                config.tenant.clone_from(&call.tenant);
                self.store().save_config(&call.tenant, &config).await?;
                Ok(config)
            })
            .await
    }

    /// `GetTaskPushNotificationConfig`.
    pub async fn get_task_push_notification_config(
        &self,
        call: &CallContext,
        request: GetTaskPushNotificationConfigRequest,
    ) -> Result<TaskPushNotificationConfig, Error> {
        let operation = telemetry::operation(Method::GetTaskPushNotificationConfig, call, &request.task_id);
        operation
            .run(async move {
                self.check_push()?;
                self.check_call(call)?;
                check_required("taskId", &request.task_id)?;
                check_required("id", &request.id)?;
                self.check_visible(call, &request.task_id).await?;
                self.store()
                    .get_config(&call.tenant, &request.task_id, &request.id)
                    .await?
                    .ok_or_else(|| {
                        Error::task_not_found(&request.task_id)
                            .with_metadata("configId", &request.id)
                            .with_message(format!(
                                "push notification config {} of task {} not found",
                                request.id, request.task_id
                            ))
                    })
            })
            .await
    }

    /// `ListTaskPushNotificationConfigs`: all configs of a task, paged.
    pub async fn list_task_push_notification_configs(
        &self,
        call: &CallContext,
        request: ListTaskPushNotificationConfigsRequest,
    ) -> Result<ListTaskPushNotificationConfigsResponse, Error> {
        let operation = telemetry::operation(Method::ListTaskPushNotificationConfigs, call, &request.task_id);
        operation
            .run(async move {
                self.check_push()?;
                self.check_call(call)?;
                check_required("taskId", &request.task_id)?;
                self.check_visible(call, &request.task_id).await?;
                let configs = self.store().list_configs(&call.tenant, &request.task_id).await?;
                let page_size = match request.page_size {
                    0 => 100,
                    n @ 1..=100 => n as usize,
                    n => {
                        return Err(Error::invalid_field(
                            "pageSize",
                            format!("must be between 0 and 100, got {n}"),
                        ));
                    }
                };
                let start = match request.page_token.as_str() {
                    "" => 0,
                    token => token
                        .parse::<usize>()
                        .ok()
                        .filter(|start| *start <= configs.len())
                        .ok_or_else(|| {
                            Error::invalid_field("pageToken", "not a page token this agent issued")
                        })?,
                };
                let end = (start + page_size).min(configs.len());
                Ok(ListTaskPushNotificationConfigsResponse {
                    next_page_token: if end < configs.len() {
                        end.to_string()
                    } else {
                        String::new()
                    },
                    configs: configs[start..end].to_vec(),
                })
            })
            .await
    }

    /// `DeleteTaskPushNotificationConfig`: deleting a missing config succeeds.
    pub async fn delete_task_push_notification_config(
        &self,
        call: &CallContext,
        request: DeleteTaskPushNotificationConfigRequest,
    ) -> Result<Empty, Error> {
        let operation =
            telemetry::operation(Method::DeleteTaskPushNotificationConfig, call, &request.task_id);
        operation
            .run(async move {
                self.check_push()?;
                self.check_call(call)?;
                check_required("taskId", &request.task_id)?;
                check_required("id", &request.id)?;
                self.check_visible(call, &request.task_id).await?;
                self.store()
                    .delete_config(&call.tenant, &request.task_id, &request.id)
                    .await?;
                Ok(Empty {})
            })
            .await
    }
}
