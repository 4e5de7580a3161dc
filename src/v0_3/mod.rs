//! The A2A v0.3 data model, as its JSON-RPC binding spells it, with
//! conversions to and from the 1.0 types of [`crate::types`].
//!
//! Most agents deployed before 1.0 speak v0.3. Its JSON differs from 1.0's
//! ProtoJSON in shape, not only in names:
//!
//! | | v0.3 | 1.0 |
//! |---|---|---|
//! | task states | `"working"`, `"input-required"`… | `"TASK_STATE_WORKING"`… |
//! | roles | `"user"`, `"agent"` | `"ROLE_USER"`, `"ROLE_AGENT"` |
//! | objects of a union | a `kind` member (`"task"`, `"message"`, `"status-update"`, `"artifact-update"`) | a wrapper key (`{"statusUpdate": …}`) |
//! | parts | `{"kind": "text"}`, `{"kind": "file", "file": {"bytes" or "uri", "mimeType", "name"}}`, `{"kind": "data"}` | `text`, `raw`, `url` or `data` with `mediaType` and `filename` |
//! | end of a stream | `final: true` on a status update | the state itself (terminal or interrupted) |
//! | card endpoints | `url` + `preferredTransport` + `additionalInterfaces` + `protocolVersion` | `supportedInterfaces`, each with its version |
//! | security schemes | a `type` member (`"apiKey"`, `"http"`…) | a wrapper key (`{"apiKeySecurityScheme": …}`) |
//! | methods | `message/send`, `tasks/get`… ([`Method`]) | `SendMessage`, `GetTask`… |
//!
//! # Reading and writing
//!
//! Input is read leniently, like the 1.0 types: unknown members are
//! ignored, `null` is "not set", a member the v0.3 SDKs always write but a
//! peer left out takes its default, a `kind` missing from a union member is
//! inferred from the members present, and an enum value or a union `kind`
//! this module does not know is kept as an unrecognized value (its text, or
//! the whole object) rather than failing the message.
//!
//! Output is what the v0.3 Python SDK writes: camelCase members, `kind`
//! always present, unset optional members left out, and the card's
//! `preferredTransport` and `protocolVersion` always written. Optional
//! members are `Option`s here (where 1.0 has plain strings and lists), so
//! that a v0.3 message read and written back is the same JSON.
//!
//! # Conversions
//!
//! Every type converts both ways with `From`: `types::Task::from(v03_task)`
//! and `v0_3::Task::from(v1_task)` (or `.into()`). The request params
//! convert with the 1.0 request of the operation (`MessageSendParams` ↔
//! [`SendMessageRequest`](crate::types::SendMessageRequest), `TaskQueryParams`
//! ↔ [`GetTaskRequest`](crate::types::GetTaskRequest)…), and the errors with
//! [`ErrorKind`](crate::ErrorKind) through the v0.3 codes ([`error`]).
//!
//! The two versions do not hold the same information, so some conversions
//! lose some of it; each type's documentation says what. In short:
//!
//! - 1.0 has and v0.3 lacks: tenants; the media type and file name of text
//!   and data parts; data parts holding something other than an object
//!   (wrapped as `{"value": …}`); a state's numeric `Unrecognized` value;
//!   the device code OAuth flow and PKCE; interfaces of several protocol
//!   versions in one card, and an interface's tenant; push config paging.
//! - v0.3 has and 1.0 lacks: `final` on status updates (1.0 derives it from
//!   the state); several schemes in push authentication (1.0 keeps the first);
//!   several OAuth flows in one scheme (1.0 keeps the first); the
//!   `stateTransitionHistory` capability; `metadata` on the get, list and
//!   delete params; timestamps that are not RFC 3339 (dropped); `unknown`
//!   task state (read as the unspecified state); the difference between an
//!   absent optional member and an empty one (`history: []`, `append: false`).
//!
//! # Example
//!
//! ```
//! use a2akit::{types, v0_3};
//!
//! let json = r#"{"kind": "task", "id": "t1", "contextId": "c1",
//!     "status": {"state": "input-required"},
//!     "history": [{"kind": "message", "messageId": "m1", "role": "user",
//!                  "parts": [{"kind": "text", "text": "Book a table"}]}]}"#;
//! let task: v0_3::Task = serde_json::from_str(json).unwrap();
//! assert_eq!(task.status.state, v0_3::TaskState::InputRequired);
//!
//! let v1: types::Task = task.clone().into();
//! assert_eq!(v1.status.state, types::TaskState::InputRequired);
//! assert_eq!(v1.history[0].role, types::Role::User);
//!
//! let back = v0_3::Task::from(v1);
//! assert_eq!(back, task);
//! assert_eq!(serde_json::to_value(&back).unwrap()["history"][0]["parts"][0]["kind"], "text");
//! ```
//!
//! # Other bindings
//!
//! These are the shapes of v0.3's JSON-RPC binding (and of its agent card
//! and push notification bodies). v0.3's HTTP+JSON binding does not use
//! them: it sends the ProtoJSON of the v0.3 proto (`content` for parts,
//! `update` for a status message, `TASK_STATE_…` names, resource `name`s
//! such as `tasks/{id}`), which is a separate set of shapes: [`rest`].

mod card;
mod dual_card;
pub mod error;
mod event;
mod message;
mod method;
mod params;
mod push;
pub mod rest;
mod security;
mod task;

pub use card::{
    AgentCapabilities, AgentCard, AgentCardSignature, AgentExtension, AgentInterface, AgentProvider,
    AgentSkill, DEFAULT_PROTOCOL_VERSION, transport,
};
pub use dual_card::{INTERFACE_VERSION, dual_card, is_v0_3, read_card, with_interfaces};
pub use event::{SendMessageResult, StreamResponse, TaskArtifactUpdateEvent, TaskStatusUpdateEvent};
pub use message::{DataPart, FileContent, FilePart, FileSource, Message, Part, Role, TextPart};
pub use method::Method;
pub use params::{
    DeleteTaskPushNotificationConfigParams, GetTaskPushNotificationConfigParams,
    ListTaskPushNotificationConfigParams, MessageSendConfiguration, MessageSendParams, TaskIdParams,
    TaskQueryParams,
};
pub use push::{PushNotificationAuthenticationInfo, PushNotificationConfig, TaskPushNotificationConfig};
pub use security::{
    APIKeySecurityScheme, AuthorizationCodeOAuthFlow, ClientCredentialsOAuthFlow, HTTPAuthSecurityScheme,
    ImplicitOAuthFlow, MutualTLSSecurityScheme, OAuth2SecurityScheme, OAuthFlows,
    OpenIdConnectSecurityScheme, PasswordOAuthFlow, SecurityRequirement, SecurityScheme,
};
pub use task::{Artifact, Task, TaskState, TaskStatus};

/// The protocol version these types speak, as sent in the `A2A-Version`
/// header (a request without that header is a v0.3 request).
pub const PROTOCOL_VERSION: &str = "0.3";

/// `None` for an empty string, to write a 1.0 plain string as an optional v0.3 member.
fn non_empty(text: String) -> Option<String> {
    (!text.is_empty()).then_some(text)
}

/// `None` for an empty list, to write a 1.0 plain list as an optional v0.3 member.
fn non_empty_vec<T>(list: Vec<T>) -> Option<Vec<T>> {
    (!list.is_empty()).then_some(list)
}

/// Reads one member of a union, once its `kind` (or `type`) has chosen
/// which, from the object it was first read into.
fn read_object<T: serde::de::DeserializeOwned, E: serde::de::Error>(
    object: crate::types::Struct,
) -> Result<T, E> {
    serde_json::from_value(serde_json::Value::Object(object)).map_err(E::custom)
}

/// Declares a v0.3 string enum: written as its name, read from it, and
/// any other string kept as `Unrecognized` (and written back as sent).
macro_rules! string_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident => $json:literal, )+
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum $name {
            $( $(#[$vmeta])* $variant, )+
            /// A value this version does not know, kept as sent and written back unchanged.
            Unrecognized(String),
        }

        impl $name {
            /// Every named value.
            pub const ALL: &'static [Self] = &[$(Self::$variant),+];

            /// The name on the wire (the kept text for an unrecognized value).
            pub fn as_str(&self) -> &str {
                match self {
                    $( Self::$variant => $json, )+
                    Self::Unrecognized(text) => text,
                }
            }

            /// The value with this wire name; any other text is unrecognized.
            pub fn from_wire(text: &str) -> Self {
                match text {
                    $( $json => Self::$variant, )+
                    other => Self::Unrecognized(other.to_owned()),
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        /// Reads any string; `null` reads as the default value.
        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let text = Option::<String>::deserialize(deserializer)?;
                Ok(text.map(|text| Self::from_wire(&text)).unwrap_or_default())
            }
        }
    };
}

pub(crate) use string_enum;
