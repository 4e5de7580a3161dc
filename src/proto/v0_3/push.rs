//! Webhooks (push notification configs) and the operations on them.
//!
//! 1.0 has one message for a webhook set on a task, holding the task id;
//! v0.3 has the webhook alone (`PushNotificationConfig`, also what a
//! message's configuration carries) and a wrapper that names it
//! `tasks/{id}/pushNotificationConfigs/{config_id}`
//! (`TaskPushNotificationConfig`). Both, and the request that creates one,
//! convert with [`TaskPushNotificationConfig`].

use super::{push_config_ids, push_config_name, task_id, task_name};
use crate::proto::convert::{FromProto, Invalid, optional, repeated, required, to_protos, try_from_proto};
use crate::proto::v0_3;
use crate::types::{
    AuthenticationInfo, DeleteTaskPushNotificationConfigRequest, GetTaskPushNotificationConfigRequest,
    ListTaskPushNotificationConfigsRequest, ListTaskPushNotificationConfigsResponse,
    TaskPushNotificationConfig,
};

try_from_proto! {
    AuthenticationInfo => v0_3::AuthenticationInfo,
    TaskPushNotificationConfig => v0_3::PushNotificationConfig,
    TaskPushNotificationConfig => v0_3::TaskPushNotificationConfig,
    TaskPushNotificationConfig => v0_3::CreateTaskPushNotificationConfigRequest,
    GetTaskPushNotificationConfigRequest => v0_3::GetTaskPushNotificationConfigRequest,
    DeleteTaskPushNotificationConfigRequest => v0_3::DeleteTaskPushNotificationConfigRequest,
    ListTaskPushNotificationConfigsRequest => v0_3::ListTaskPushNotificationConfigRequest,
    ListTaskPushNotificationConfigsResponse => v0_3::ListTaskPushNotificationConfigResponse,
}

// ---------------------------------------------------------------------------
// Webhooks
// ---------------------------------------------------------------------------

/// 1.0's one scheme is v0.3's only one (none when empty). Reading, the first
/// of v0.3's schemes is kept and the others are lost.
impl From<AuthenticationInfo> for v0_3::AuthenticationInfo {
    fn from(info: AuthenticationInfo) -> Self {
        Self {
            schemes: Some(info.scheme)
                .filter(|scheme| !scheme.is_empty())
                .into_iter()
                .collect(),
            credentials: info.credentials,
        }
    }
}

impl FromProto<v0_3::AuthenticationInfo> for AuthenticationInfo {
    fn from_proto(proto: v0_3::AuthenticationInfo) -> Result<Self, Invalid> {
        Ok(Self {
            scheme: proto.schemes.into_iter().next().unwrap_or_default(),
            credentials: proto.credentials,
        })
    }
}

/// The webhook alone, as a message's configuration carries it: the task id
/// and the tenant are lost, and read back empty.
impl From<TaskPushNotificationConfig> for v0_3::PushNotificationConfig {
    fn from(config: TaskPushNotificationConfig) -> Self {
        Self {
            id: config.id,
            url: config.url,
            token: config.token,
            authentication: config.authentication.map(Into::into),
        }
    }
}

impl FromProto<v0_3::PushNotificationConfig> for TaskPushNotificationConfig {
    fn from_proto(proto: v0_3::PushNotificationConfig) -> Result<Self, Invalid> {
        Ok(Self {
            tenant: String::new(),
            id: proto.id,
            task_id: String::new(),
            url: proto.url,
            token: proto.token,
            authentication: optional(proto.authentication, "authentication")?,
        })
    }
}

/// The webhook named by its task: `name` is
/// `tasks/{task_id}/pushNotificationConfigs/{id}` (empty without a task id),
/// the id is also the webhook's own; the tenant is lost.
///
/// Reading, which answers do, is lenient: the task id is what follows
/// `tasks/` in the name (none when it does not start so), and the config
/// id is the webhook's own, or the one in the name when that is empty.
impl From<TaskPushNotificationConfig> for v0_3::TaskPushNotificationConfig {
    fn from(config: TaskPushNotificationConfig) -> Self {
        Self {
            name: push_config_name(&config.task_id, &config.id),
            push_notification_config: Some(config.into()),
        }
    }
}

impl FromProto<v0_3::TaskPushNotificationConfig> for TaskPushNotificationConfig {
    fn from_proto(proto: v0_3::TaskPushNotificationConfig) -> Result<Self, Invalid> {
        let mut config: Self = required(proto.push_notification_config, "pushNotificationConfig")?;
        let segments: Vec<&str> = proto.name.split('/').collect();
        if let ["tasks", task_id, rest @ ..] = segments.as_slice() {
            config.task_id = (*task_id).to_owned();
            if let (true, ["pushNotificationConfigs", config_id]) = (config.id.is_empty(), rest) {
                config.id = (*config_id).to_owned();
            }
        }
        Ok(config)
    }
}

/// The request that sets a webhook on a task: the task (`parent`,
/// `tasks/{task_id}`, empty without a task id), the id the client asks for
/// (`config_id`, empty to let the server choose) and the webhook, named as
/// [`v0_3::TaskPushNotificationConfig`]'s conversion says, with the id in
/// it too (the v0.3 SDK's server reads it there). The tenant is lost.
///
/// Reading, a `parent` that is not a task name is an invalid-params error
/// naming `parent`. The config id is `config_id`, or else the webhook's
/// own; the webhook's name is not read (a v0.3 client without an id names
/// it `…/pushNotificationConfigs/None`).
impl From<TaskPushNotificationConfig> for v0_3::CreateTaskPushNotificationConfigRequest {
    fn from(config: TaskPushNotificationConfig) -> Self {
        Self {
            parent: task_name(&config.task_id),
            config_id: config.id.clone(),
            config: Some(config.into()),
        }
    }
}

impl FromProto<v0_3::CreateTaskPushNotificationConfigRequest> for TaskPushNotificationConfig {
    fn from_proto(proto: v0_3::CreateTaskPushNotificationConfigRequest) -> Result<Self, Invalid> {
        let task_id = task_id(&proto.parent, "parent")?;
        let webhook = proto.config.and_then(|config| config.push_notification_config);
        let mut config: Self = optional(webhook, "pushNotificationConfig")
            .map_err(|invalid| invalid.in_field("config"))?
            .unwrap_or_default();
        config.task_id = task_id;
        if !proto.config_id.is_empty() {
            config.id = proto.config_id;
        }
        Ok(config)
    }
}

// ---------------------------------------------------------------------------
// Operations
// ---------------------------------------------------------------------------

/// The webhook's name, `tasks/{task_id}/pushNotificationConfigs/{id}` (empty
/// without a task id); the tenant is lost. Reading, a `name` that is not of
/// that form (with both ids) is an invalid-params error naming `name`.
impl From<GetTaskPushNotificationConfigRequest> for v0_3::GetTaskPushNotificationConfigRequest {
    fn from(request: GetTaskPushNotificationConfigRequest) -> Self {
        Self {
            name: push_config_name(&request.task_id, &request.id),
        }
    }
}

impl FromProto<v0_3::GetTaskPushNotificationConfigRequest> for GetTaskPushNotificationConfigRequest {
    fn from_proto(proto: v0_3::GetTaskPushNotificationConfigRequest) -> Result<Self, Invalid> {
        let (task_id, id) = push_config_ids(&proto.name, "name")?;
        Ok(Self {
            tenant: String::new(),
            task_id,
            id,
        })
    }
}

/// As [`v0_3::GetTaskPushNotificationConfigRequest`]'s conversion.
impl From<DeleteTaskPushNotificationConfigRequest> for v0_3::DeleteTaskPushNotificationConfigRequest {
    fn from(request: DeleteTaskPushNotificationConfigRequest) -> Self {
        Self {
            name: push_config_name(&request.task_id, &request.id),
        }
    }
}

impl FromProto<v0_3::DeleteTaskPushNotificationConfigRequest> for DeleteTaskPushNotificationConfigRequest {
    fn from_proto(proto: v0_3::DeleteTaskPushNotificationConfigRequest) -> Result<Self, Invalid> {
        let (task_id, id) = push_config_ids(&proto.name, "name")?;
        Ok(Self {
            tenant: String::new(),
            task_id,
            id,
        })
    }
}

/// The task's name (`parent`, `tasks/{task_id}`, empty without a task id)
/// and the page; the tenant is lost. Reading, a `parent` that is not a
/// task name is an invalid-params error naming `parent`.
impl From<ListTaskPushNotificationConfigsRequest> for v0_3::ListTaskPushNotificationConfigRequest {
    fn from(request: ListTaskPushNotificationConfigsRequest) -> Self {
        Self {
            parent: task_name(&request.task_id),
            page_size: request.page_size,
            page_token: request.page_token,
        }
    }
}

impl FromProto<v0_3::ListTaskPushNotificationConfigRequest> for ListTaskPushNotificationConfigsRequest {
    fn from_proto(proto: v0_3::ListTaskPushNotificationConfigRequest) -> Result<Self, Invalid> {
        Ok(Self {
            tenant: String::new(),
            task_id: task_id(&proto.parent, "parent")?,
            page_size: proto.page_size,
            page_token: proto.page_token,
        })
    }
}

/// Config for config, as [`v0_3::TaskPushNotificationConfig`]'s conversion says.
impl From<ListTaskPushNotificationConfigsResponse> for v0_3::ListTaskPushNotificationConfigResponse {
    fn from(response: ListTaskPushNotificationConfigsResponse) -> Self {
        Self {
            configs: to_protos(response.configs),
            next_page_token: response.next_page_token,
        }
    }
}

impl FromProto<v0_3::ListTaskPushNotificationConfigResponse> for ListTaskPushNotificationConfigsResponse {
    fn from_proto(proto: v0_3::ListTaskPushNotificationConfigResponse) -> Result<Self, Invalid> {
        Ok(Self {
            configs: repeated(proto.configs, "configs")?,
            next_page_token: proto.next_page_token,
        })
    }
}
