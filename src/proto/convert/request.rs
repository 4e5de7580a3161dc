//! The requests and responses of the operations, and push notification configs.

use super::well_known::{to_struct, to_timestamp};
use super::{
    FromProto, Invalid, field, oneof, oneof_from_proto, optional, repeated, required, to_protos,
    try_from_proto,
};
use crate::proto::v1::{self, send_message_response};
use crate::types::{
    AuthenticationInfo, CancelTaskRequest, DeleteTaskPushNotificationConfigRequest,
    GetExtendedAgentCardRequest, GetTaskPushNotificationConfigRequest, GetTaskRequest,
    ListTaskPushNotificationConfigsRequest, ListTaskPushNotificationConfigsResponse, ListTasksRequest,
    ListTasksResponse, SendMessageConfiguration, SendMessageRequest, SendMessageResponse,
    SubscribeToTaskRequest, TaskPushNotificationConfig, TaskState,
};

try_from_proto! {
    TaskPushNotificationConfig => v1::TaskPushNotificationConfig,
    AuthenticationInfo => v1::AuthenticationInfo,
    SendMessageConfiguration => v1::SendMessageConfiguration,
    SendMessageRequest => v1::SendMessageRequest,
    SendMessageResponse => v1::SendMessageResponse,
    SendMessageResponse => send_message_response::Payload,
    SendMessageResponse => Option<send_message_response::Payload>,
    GetTaskRequest => v1::GetTaskRequest,
    ListTasksRequest => v1::ListTasksRequest,
    ListTasksResponse => v1::ListTasksResponse,
    CancelTaskRequest => v1::CancelTaskRequest,
    SubscribeToTaskRequest => v1::SubscribeToTaskRequest,
    GetTaskPushNotificationConfigRequest => v1::GetTaskPushNotificationConfigRequest,
    DeleteTaskPushNotificationConfigRequest => v1::DeleteTaskPushNotificationConfigRequest,
    ListTaskPushNotificationConfigsRequest => v1::ListTaskPushNotificationConfigsRequest,
    ListTaskPushNotificationConfigsResponse => v1::ListTaskPushNotificationConfigsResponse,
    GetExtendedAgentCardRequest => v1::GetExtendedAgentCardRequest,
}

oneof_from_proto! {
    SendMessageResponse => send_message_response::Payload,
}

// ---------------------------------------------------------------------------
// Push notification configs
// ---------------------------------------------------------------------------

impl From<TaskPushNotificationConfig> for v1::TaskPushNotificationConfig {
    fn from(config: TaskPushNotificationConfig) -> Self {
        Self {
            tenant: config.tenant,
            id: config.id,
            task_id: config.task_id,
            url: config.url,
            token: config.token,
            authentication: config.authentication.map(Into::into),
        }
    }
}

impl FromProto<v1::TaskPushNotificationConfig> for TaskPushNotificationConfig {
    fn from_proto(proto: v1::TaskPushNotificationConfig) -> Result<Self, Invalid> {
        Ok(Self {
            tenant: proto.tenant,
            id: proto.id,
            task_id: proto.task_id,
            url: proto.url,
            token: proto.token,
            authentication: optional(proto.authentication, "authentication")?,
        })
    }
}

impl From<AuthenticationInfo> for v1::AuthenticationInfo {
    fn from(info: AuthenticationInfo) -> Self {
        Self {
            scheme: info.scheme,
            credentials: info.credentials,
        }
    }
}

impl FromProto<v1::AuthenticationInfo> for AuthenticationInfo {
    fn from_proto(proto: v1::AuthenticationInfo) -> Result<Self, Invalid> {
        Ok(Self {
            scheme: proto.scheme,
            credentials: proto.credentials,
        })
    }
}

// ---------------------------------------------------------------------------
// Sending messages
// ---------------------------------------------------------------------------

impl From<SendMessageConfiguration> for v1::SendMessageConfiguration {
    fn from(configuration: SendMessageConfiguration) -> Self {
        Self {
            accepted_output_modes: configuration.accepted_output_modes,
            task_push_notification_config: configuration.task_push_notification_config.map(Into::into),
            history_length: configuration.history_length,
            return_immediately: configuration.return_immediately,
        }
    }
}

impl FromProto<v1::SendMessageConfiguration> for SendMessageConfiguration {
    fn from_proto(proto: v1::SendMessageConfiguration) -> Result<Self, Invalid> {
        Ok(Self {
            accepted_output_modes: proto.accepted_output_modes,
            task_push_notification_config: optional(
                proto.task_push_notification_config,
                "taskPushNotificationConfig",
            )?,
            history_length: proto.history_length,
            return_immediately: proto.return_immediately,
        })
    }
}

impl From<SendMessageRequest> for v1::SendMessageRequest {
    fn from(request: SendMessageRequest) -> Self {
        Self {
            tenant: request.tenant,
            message: Some(request.message.into()),
            configuration: request.configuration.map(Into::into),
            metadata: request.metadata.map(to_struct),
        }
    }
}

impl FromProto<v1::SendMessageRequest> for SendMessageRequest {
    fn from_proto(proto: v1::SendMessageRequest) -> Result<Self, Invalid> {
        Ok(Self {
            tenant: proto.tenant,
            message: required(proto.message, "message")?,
            configuration: optional(proto.configuration, "configuration")?,
            metadata: optional(proto.metadata, "metadata")?,
        })
    }
}

/// An unrecognized answer is no member at all.
impl From<SendMessageResponse> for Option<send_message_response::Payload> {
    fn from(response: SendMessageResponse) -> Self {
        use send_message_response::Payload;
        Some(match response {
            SendMessageResponse::Task(task) => Payload::Task(task.into()),
            SendMessageResponse::Message(message) => Payload::Message(message.into()),
            SendMessageResponse::Unrecognized => return None,
        })
    }
}

impl FromProto<send_message_response::Payload> for SendMessageResponse {
    fn from_proto(proto: send_message_response::Payload) -> Result<Self, Invalid> {
        Ok(match proto {
            send_message_response::Payload::Task(task) => Self::Task(field(task, "task")?),
            send_message_response::Payload::Message(message) => Self::Message(field(message, "message")?),
        })
    }
}

impl From<SendMessageResponse> for v1::SendMessageResponse {
    fn from(response: SendMessageResponse) -> Self {
        Self {
            payload: response.into(),
        }
    }
}

impl FromProto<v1::SendMessageResponse> for SendMessageResponse {
    fn from_proto(proto: v1::SendMessageResponse) -> Result<Self, Invalid> {
        oneof(proto.payload)
    }
}

// ---------------------------------------------------------------------------
// Tasks
// ---------------------------------------------------------------------------

impl From<GetTaskRequest> for v1::GetTaskRequest {
    fn from(request: GetTaskRequest) -> Self {
        Self {
            tenant: request.tenant,
            id: request.id,
            history_length: request.history_length,
        }
    }
}

impl FromProto<v1::GetTaskRequest> for GetTaskRequest {
    fn from_proto(proto: v1::GetTaskRequest) -> Result<Self, Invalid> {
        Ok(Self {
            tenant: proto.tenant,
            id: proto.id,
            history_length: proto.history_length,
        })
    }
}

impl From<ListTasksRequest> for v1::ListTasksRequest {
    fn from(request: ListTasksRequest) -> Self {
        Self {
            tenant: request.tenant,
            context_id: request.context_id,
            // No filter is the unspecified value.
            status: request.status.map_or(0, TaskState::number),
            page_size: request.page_size,
            page_token: request.page_token,
            history_length: request.history_length,
            status_timestamp_after: request.status_timestamp_after.map(to_timestamp),
            include_artifacts: request.include_artifacts,
        }
    }
}

impl FromProto<v1::ListTasksRequest> for ListTasksRequest {
    fn from_proto(proto: v1::ListTasksRequest) -> Result<Self, Invalid> {
        Ok(Self {
            tenant: proto.tenant,
            context_id: proto.context_id,
            status: status_filter(proto.status)?,
            page_size: proto.page_size,
            page_token: proto.page_token,
            history_length: proto.history_length,
            status_timestamp_after: optional(proto.status_timestamp_after, "statusTimestampAfter")?,
            include_artifacts: proto.include_artifacts,
        })
    }
}

/// The state filter of `ListTasks`: the unspecified value (zero) is no filter.
fn status_filter(number: i32) -> Result<Option<TaskState>, Invalid> {
    Ok(Some(TaskState::from(number)).filter(|state| *state != TaskState::Unspecified))
}

impl From<ListTasksResponse> for v1::ListTasksResponse {
    fn from(response: ListTasksResponse) -> Self {
        Self {
            tasks: to_protos(response.tasks),
            next_page_token: response.next_page_token,
            page_size: response.page_size,
            total_size: response.total_size,
        }
    }
}

impl FromProto<v1::ListTasksResponse> for ListTasksResponse {
    fn from_proto(proto: v1::ListTasksResponse) -> Result<Self, Invalid> {
        Ok(Self {
            tasks: repeated(proto.tasks, "tasks")?,
            next_page_token: proto.next_page_token,
            page_size: proto.page_size,
            total_size: proto.total_size,
        })
    }
}

impl From<CancelTaskRequest> for v1::CancelTaskRequest {
    fn from(request: CancelTaskRequest) -> Self {
        Self {
            tenant: request.tenant,
            id: request.id,
            metadata: request.metadata.map(to_struct),
        }
    }
}

impl FromProto<v1::CancelTaskRequest> for CancelTaskRequest {
    fn from_proto(proto: v1::CancelTaskRequest) -> Result<Self, Invalid> {
        Ok(Self {
            tenant: proto.tenant,
            id: proto.id,
            metadata: optional(proto.metadata, "metadata")?,
        })
    }
}

impl From<SubscribeToTaskRequest> for v1::SubscribeToTaskRequest {
    fn from(request: SubscribeToTaskRequest) -> Self {
        Self {
            tenant: request.tenant,
            id: request.id,
        }
    }
}

impl FromProto<v1::SubscribeToTaskRequest> for SubscribeToTaskRequest {
    fn from_proto(proto: v1::SubscribeToTaskRequest) -> Result<Self, Invalid> {
        Ok(Self {
            tenant: proto.tenant,
            id: proto.id,
        })
    }
}

// ---------------------------------------------------------------------------
// Push notification config operations
// ---------------------------------------------------------------------------

impl From<GetTaskPushNotificationConfigRequest> for v1::GetTaskPushNotificationConfigRequest {
    fn from(request: GetTaskPushNotificationConfigRequest) -> Self {
        Self {
            tenant: request.tenant,
            task_id: request.task_id,
            id: request.id,
        }
    }
}

impl FromProto<v1::GetTaskPushNotificationConfigRequest> for GetTaskPushNotificationConfigRequest {
    fn from_proto(proto: v1::GetTaskPushNotificationConfigRequest) -> Result<Self, Invalid> {
        Ok(Self {
            tenant: proto.tenant,
            task_id: proto.task_id,
            id: proto.id,
        })
    }
}

impl From<DeleteTaskPushNotificationConfigRequest> for v1::DeleteTaskPushNotificationConfigRequest {
    fn from(request: DeleteTaskPushNotificationConfigRequest) -> Self {
        Self {
            tenant: request.tenant,
            task_id: request.task_id,
            id: request.id,
        }
    }
}

impl FromProto<v1::DeleteTaskPushNotificationConfigRequest> for DeleteTaskPushNotificationConfigRequest {
    fn from_proto(proto: v1::DeleteTaskPushNotificationConfigRequest) -> Result<Self, Invalid> {
        Ok(Self {
            tenant: proto.tenant,
            task_id: proto.task_id,
            id: proto.id,
        })
    }
}

impl From<ListTaskPushNotificationConfigsRequest> for v1::ListTaskPushNotificationConfigsRequest {
    fn from(request: ListTaskPushNotificationConfigsRequest) -> Self {
        Self {
            tenant: request.tenant,
            task_id: request.task_id,
            page_size: request.page_size,
            page_token: request.page_token,
        }
    }
}

impl FromProto<v1::ListTaskPushNotificationConfigsRequest> for ListTaskPushNotificationConfigsRequest {
    fn from_proto(proto: v1::ListTaskPushNotificationConfigsRequest) -> Result<Self, Invalid> {
        Ok(Self {
            tenant: proto.tenant,
            task_id: proto.task_id,
            page_size: proto.page_size,
            page_token: proto.page_token,
        })
    }
}

impl From<ListTaskPushNotificationConfigsResponse> for v1::ListTaskPushNotificationConfigsResponse {
    fn from(response: ListTaskPushNotificationConfigsResponse) -> Self {
        Self {
            configs: to_protos(response.configs),
            next_page_token: response.next_page_token,
        }
    }
}

impl FromProto<v1::ListTaskPushNotificationConfigsResponse> for ListTaskPushNotificationConfigsResponse {
    fn from_proto(proto: v1::ListTaskPushNotificationConfigsResponse) -> Result<Self, Invalid> {
        Ok(Self {
            configs: repeated(proto.configs, "configs")?,
            next_page_token: proto.next_page_token,
        })
    }
}

impl From<GetExtendedAgentCardRequest> for v1::GetExtendedAgentCardRequest {
    fn from(request: GetExtendedAgentCardRequest) -> Self {
        Self {
            tenant: request.tenant,
        }
    }
}

impl FromProto<v1::GetExtendedAgentCardRequest> for GetExtendedAgentCardRequest {
    fn from_proto(proto: v1::GetExtendedAgentCardRequest) -> Result<Self, Invalid> {
        Ok(Self { tenant: proto.tenant })
    }
}
