//! The A2A v1.0 data model (proto package `lf.a2a.v1`) with exact ProtoJSON serde.
//!
//! Every message, enum and oneof of `a2a.proto` is here under its proto
//! name. Messages are structs with public fields; oneofs are Rust enums
//! ([`PartContent`], [`SecurityScheme`], [`OAuthFlows`],
//! [`SendMessageResponse`], [`StreamResponse`]); enums serialise by their full
//! proto name (`"TASK_STATE_WORKING"`).
//!
//! # How values map to JSON
//!
//! Output is ProtoJSON: lowerCamelCase keys, enums by name, timestamps in RFC
//! 3339 UTC with `Z`, bytes as standard base64. Plain proto3 fields at their
//! default (`""`, `0`, `false`, empty list or map) are left out, and so are
//! unset `Option`s; fields the proto marks REQUIRED are always written, and
//! so are all four fields of [`ListTasksResponse`] (`nextPageToken: ""` on the
//! last page). `Option<i32>` fields such as `history_length` are written
//! whenever they are set, `0` included.
//!
//! Input is lenient where peers differ and strict where a mistake would be
//! silent:
//!
//! - keys in lowerCamelCase or in the proto's snake_case; unknown keys are ignored;
//! - `null` reads as "not set" (except `"data": null`, a data part holding JSON null);
//! - enums by name or by number; an unknown name or number is an error, and
//!   so is the `*_UNSPECIFIED` value where a real one is needed;
//! - int32 as a number or a numeric string; bytes in standard or URL-safe
//!   base64, padded or not; timestamps with any UTC offset;
//! - a oneof with two members set, or none, is an error;
//! - the ids that name what a message is about (`Task.id`, `Message.messageId`,
//!   `Artifact.artifactId`, the `taskId`/`contextId` of events, the `id`s of
//!   requests, `AgentSkill.id`), `Message.role`, `TaskStatus.state`,
//!   `Task.status`, the `message` of a send request, the `artifact` of an
//!   artifact event, the `flows` of an OAuth scheme and the `url` of a push
//!   config must be present. Other REQUIRED fields take their default when
//!   missing, because peers' ProtoJSON encoders leave out empty values.
//!
//! [`json::from_slice`] reads any of these types and, on failure, names the
//! path of the offending field (`message.parts[0].raw: invalid base64…`).

mod artifact;
mod card;
mod event;
pub mod json;
mod message;
pub(crate) mod protojson;
mod push;
mod request;
mod security;
mod task;

pub use artifact::Artifact;
pub use card::{
    AgentCapabilities, AgentCard, AgentCardBuilder, AgentCardSignature, AgentExtension, AgentInterface,
    AgentProvider, AgentSkill, binding,
};
pub use event::{StreamResponse, TaskArtifactUpdateEvent, TaskStatusUpdateEvent};
pub use message::{Message, Part, PartContent, Role};
pub use push::{AuthenticationInfo, TaskPushNotificationConfig};
pub use request::{
    CancelTaskRequest, DeleteTaskPushNotificationConfigRequest, GetExtendedAgentCardRequest,
    GetTaskPushNotificationConfigRequest, GetTaskRequest, ListTaskPushNotificationConfigsRequest,
    ListTaskPushNotificationConfigsResponse, ListTasksRequest, ListTasksResponse, SendMessageConfiguration,
    SendMessageRequest, SendMessageResponse, SubscribeToTaskRequest,
};
pub use security::{
    APIKeySecurityScheme, AuthorizationCodeOAuthFlow, ClientCredentialsOAuthFlow, DeviceCodeOAuthFlow,
    HTTPAuthSecurityScheme, ImplicitOAuthFlow, MutualTlsSecurityScheme, OAuth2SecurityScheme, OAuthFlows,
    OpenIdConnectSecurityScheme, PasswordOAuthFlow, SecurityRequirement, SecurityScheme, StringList,
};
pub use task::{Task, TaskState, TaskStatus};

/// `google.protobuf.Struct`: a JSON object of free-form values (`metadata`, `params`, `header`).
pub type Struct = serde_json::Map<String, serde_json::Value>;

/// `google.protobuf.Empty`, the result of `DeleteTaskPushNotificationConfig`: `{}` on the wire.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Empty {}

/// A string that names no value of a proto enum.
///
/// ```
/// use a2akit::types::TaskState;
/// let err = "working".parse::<TaskState>().unwrap_err();
/// assert_eq!(err.to_string(), "\"working\" is not a TaskState");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{value:?} is not a {enum_name}")]
pub struct UnknownEnumValue {
    enum_name: &'static str,
    value: String,
}

impl UnknownEnumValue {
    pub(crate) fn new(enum_name: &'static str, value: &str) -> Self {
        Self {
            enum_name,
            value: value.to_owned(),
        }
    }

    /// The string that was given.
    pub fn value(&self) -> &str {
        &self.value
    }
}
