//! The A2A v0.3 HTTP+JSON (REST) binding's bodies: the ProtoJSON of the
//! v0.3 proto (package `a2a.v1`), with conversions to and from the 1.0
//! types of [`crate::types`].
//!
//! v0.3's JSON-RPC binding ([`crate::v0_3`]) and its HTTP+JSON binding
//! carry the same data in different shapes:
//!
//! | | JSON-RPC ([`crate::v0_3`]) | HTTP+JSON (this module) |
//! |---|---|---|
//! | objects of a union | a `kind` member | a wrapper key (`{"statusUpdate": …}`) |
//! | a message's parts | `parts` | `content` |
//! | parts | `{"kind": "file", "file": {"bytes" or "uri", …}}` | `{"file": {"fileWithBytes" or "fileWithUri", "mimeType", "name"}}`, `{"data": {"data": {…}}}` |
//! | task states | `"input-required"`, `"canceled"`… | `"TASK_STATE_INPUT_REQUIRED"`, `"TASK_STATE_CANCELLED"`… |
//! | roles | `"user"`, `"agent"` | `"ROLE_USER"`, `"ROLE_AGENT"` |
//! | a status's message | `message` | `message` (the proto field `update`) |
//! | a webhook set on a task | `taskId` + `pushNotificationConfig` | `name` (`tasks/{id}/pushNotificationConfigs/{config_id}`) + `pushNotificationConfig` |
//! | security schemes | a `type` member | a wrapper key (`{"apiKeySecurityScheme": …}`) |
//!
//! # The endpoints
//!
//! | call | request | answer |
//! |---|---|---|
//! | `POST /v1/message:send` | [`SendMessageRequest`] | [`SendMessageResponse`] |
//! | `POST /v1/message:stream` | [`SendMessageRequest`] | server-sent events, each a [`StreamResponse`] |
//! | `GET /v1/tasks/{id}?historyLength=N` | — | [`Task`] |
//! | `POST /v1/tasks/{id}:cancel` | [`CancelTaskRequest`] | [`Task`] |
//! | `GET /v1/tasks/{id}:subscribe` | — | server-sent events, each a [`StreamResponse`] |
//! | `POST /v1/tasks/{id}/pushNotificationConfigs` | [`CreateTaskPushNotificationConfigRequest`] | [`TaskPushNotificationConfig`] |
//! | `GET /v1/tasks/{id}/pushNotificationConfigs/{config_id}` | — | [`TaskPushNotificationConfig`] |
//! | `GET /v1/tasks/{id}/pushNotificationConfigs` | — | [`ListTaskPushNotificationConfigResponse`] |
//! | `DELETE /v1/tasks/{id}/pushNotificationConfigs/{config_id}` | — | `{}` |
//! | `GET /v1/card` | — | [`AgentCard`] (but see there: the Python SDK serves [`crate::v0_3::AgentCard`]) |
//!
//! The paths after `/v1/` are the resource names: [`task_name`],
//! [`push_config_name`], and [`parse_task_name`] and
//! [`parse_push_config_name`] to read them back.
//!
//! # Reading and writing
//!
//! Input is read as the protobuf JSON parser reads it: members by their
//! JSON name or their proto field name (`contextId` or `context_id`,
//! `message` or `msg`), `null` as "not set", unknown members ignored, enums
//! by name or number (a value this version does not know kept as
//! unrecognized, with its number when it came as one), bytes in either
//! base64 alphabet, padded or not, and timestamps in RFC 3339. A oneof with
//! none of the members this version knows reads as its `Unrecognized`
//! value; one with two is an error.
//!
//! Output is what the v0.3 SDKs write (`MessageToJson`'s defaults): JSON
//! names, enums by name, and every field at its default value (empty
//! string or list, `false`, 0, unspecified enum) left out. A message-typed
//! field the SDKs always set (a task's `status`, an event's `status` or
//! `artifact`, a request's `message`) is always written. Nothing is written
//! that the v0.3 proto lacks: the official parsers refuse unknown members.
//!
//! # File bytes
//!
//! `fileWithBytes` is a proto `bytes` field, but the v0.3 SDKs fill it with
//! the *base64 text* of the file (their JSON-RPC models hold files as
//! base64 strings), so the JSON holds base64 of base64. The conversions
//! follow them: see [`FileSource::Bytes`].
//!
//! # Conversions
//!
//! Every type converts both ways with `From` with its 1.0 counterpart
//! ([`SendMessageRequest`] ↔ [`types::SendMessageRequest`],
//! [`TaskPushNotificationConfig`] ↔ [`types::TaskPushNotificationConfig`],
//! [`CreateTaskPushNotificationConfigRequest`] →
//! [`types::TaskPushNotificationConfig`]…). Each type's documentation says
//! what its conversion loses. In short:
//!
//! - 1.0 has and v0.3 lacks: tenants; a message's `referenceTaskIds`; the
//!   media type and file name of text and data parts; data parts holding
//!   something other than an object (wrapped as `{"value": …}`); the device
//!   code OAuth flow and PKCE; capabilities declared `false` (read back as
//!   undeclared); `historyLength: 0` (read back as unset); interfaces of
//!   several protocol versions in one card, and an interface's tenant.
//! - v0.3 has and 1.0 lacks: `final` on status updates (1.0 derives it from
//!   the state); several schemes in push authentication (1.0 keeps the
//!   first).
//!
//! # Example
//!
//! ```
//! use a2akit::{types, v0_3::rest};
//!
//! let json = r#"{"id": "t1", "contextId": "c1",
//!     "status": {"state": "TASK_STATE_CANCELLED"},
//!     "history": [{"messageId": "m1", "role": "ROLE_USER", "content": [{"text": "Book a table"}]}]}"#;
//! let task: rest::Task = serde_json::from_str(json).unwrap();
//! assert_eq!(task.status.state, rest::TaskState::Cancelled);
//!
//! let v1: types::Task = task.clone().into();
//! assert_eq!(v1.status.state, types::TaskState::Canceled);
//! assert_eq!(v1.history[0].text(), "Book a table");
//!
//! let back = rest::Task::from(v1);
//! assert_eq!(back, task);
//! assert_eq!(serde_json::to_value(&back).unwrap()["history"][0]["content"][0]["text"], "Book a table");
//! ```

mod card;
mod event;
mod message;
mod name;
mod push;
mod request;
mod security;
mod task;

#[cfg(doc)]
use crate::types;

pub use card::{
    AgentCapabilities, AgentCard, AgentCardSignature, AgentExtension, AgentInterface, AgentProvider,
    AgentSkill,
};
pub use event::{SendMessageResponse, StreamResponse, TaskArtifactUpdateEvent, TaskStatusUpdateEvent};
pub use message::{DataPart, FilePart, FileSource, Message, Part, PartContent, Role};
pub use name::{NameError, parse_push_config_name, parse_task_name, push_config_name, task_name};
pub use push::{
    AuthenticationInfo, CreateTaskPushNotificationConfigRequest, ListTaskPushNotificationConfigResponse,
    PushNotificationConfig, TaskPushNotificationConfig,
};
pub use request::{CancelTaskRequest, SendMessageConfiguration, SendMessageRequest};
pub use security::{
    APIKeySecurityScheme, AuthorizationCodeOAuthFlow, ClientCredentialsOAuthFlow, HTTPAuthSecurityScheme,
    ImplicitOAuthFlow, MutualTlsSecurityScheme, OAuth2SecurityScheme, OAuthFlows,
    OpenIdConnectSecurityScheme, PasswordOAuthFlow, SecurityRequirement, SecurityScheme, StringList,
};
pub use task::{Artifact, Task, TaskState, TaskStatus};
