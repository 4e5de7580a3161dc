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
//! unset `Option`s; fields the proto marks REQUIRED are always written (but
//! for an unspecified enum value, which is never written), and
//! so are all four fields of [`ListTasksResponse`] (`nextPageToken: ""` on the
//! last page). `Option<i32>` fields such as `history_length` are written
//! whenever they are set, `0` included.
//!
//! Input is read as the official protobuf JSON parser reads it (its Python
//! implementation, the most lenient, which the reference A2A SDK uses):
//! whatever it accepts, we accept and read as the same message. And where
//! it would fail on something a newer version of the protocol may send, we
//! read an "unrecognized" value instead, so that a newer peer's message is
//! never refused as a whole:
//!
//! - keys in lowerCamelCase or in the proto's snake_case; unknown keys are ignored;
//! - `null` reads as "not set" (except `"data": null`, a data part holding JSON null);
//! - a field the protocol marks REQUIRED that is absent reads as its
//!   default (`""`, the unspecified enum value, an empty message), as
//!   proto3 has it: the server checks REQUIRED fields itself and answers
//!   InvalidParams naming the one missing;
//! - enums by name or number (a number also as a string such as `"2"`, a
//!   float, or a bool, as the parser reads them); the zero value reads as
//!   `Unspecified`, and a name or number this version does not know as
//!   `Unrecognized` (see [`TaskState::Unrecognized`]), which keeps the number
//!   and writes it back;
//! - a oneof with none of the members this version knows ([`PartContent`],
//!   [`StreamResponse`], [`SendMessageResponse`], [`SecurityScheme`],
//!   [`OAuthFlows`]) reads as its `Unrecognized` variant; one with two
//!   members is an error;
//! - int32 as a number, or a string holding an integer or an integral float
//!   (`"25"`, `"+25"`, `"2_5"`, `"1e2"`); bytes in either base64 alphabet,
//!   padded or not, characters outside the alphabet skipped; timestamps with
//!   any offset, one-digit fields and up to nine fractional digits;
//! - an empty array where a message is expected is the empty message.
//!
//! What the Python parser also accepts but we do not, since no encoder
//! writes it: the same field under both its names in one object (it keeps
//! the last), an empty string in place of a message, digits outside ASCII in
//! numbers and timestamps, numbers beyond the range of a double (it reads
//! infinity), and the non-JSON literals `NaN` and `Infinity`.
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
