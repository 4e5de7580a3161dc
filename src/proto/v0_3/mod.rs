//! Conversions between the generated messages of [`super::v0_3`] (A2A
//! v0.3's package `a2a.v1`) and the 1.0 types of [`crate::types`].
//!
//! They follow the 1.0 conversions of the `convert` module: every message
//! has `From<types::X> for v0_3::X`, which never fails, and
//! `TryFrom<v0_3::X> for types::X` with [`crate::Error`] as its error; a
//! oneof that has the same members in both versions converts to and from
//! the `Option` the message holds it in. Reading is as lenient as reading
//! 1.0: an enum number this version does not know reads as `Unrecognized`,
//! a oneof with no member it knows as the `Unrecognized` variant, an absent
//! message field as its default. It fails, with an invalid-params error
//! naming the JSON path of the field in v0.3's JSON names
//! (`message.content[0].data.data`), for what JSON cannot hold (a
//! `google.protobuf.Value` with no kind, a timestamp out of range, a NaN or
//! infinite number in a `Struct`), and for a request whose resource name
//! is malformed: `name` or `parent` must be `tasks/{id}` or
//! `tasks/{id}/pushNotificationConfigs/{config_id}` (with non-empty ids),
//! as the request says.
//!
//! The semantics are those of the v0.3 HTTP+JSON binding
//! ([`crate::v0_3::rest`]), which carries the same proto as JSON, so that a
//! v0.3 peer reads the same on both bindings. Where the two versions cannot
//! say the same things (each conversion's documentation says more):
//!
//! - 1.0 has and v0.3 lacks: tenants; a message's `referenceTaskIds`; the
//!   media type and file name of text and data parts; data parts holding
//!   something other than an object (wrapped as `{"value": …}`); the device
//!   code OAuth flow and PKCE; capabilities declared `false` (read back as
//!   undeclared); `historyLength: 0` (read back as unset); a cancel
//!   request's metadata; interfaces of several protocol versions in one
//!   card, and an interface's tenant; an unrecognized task state or role
//!   without a number (written as unspecified).
//! - v0.3 has and 1.0 lacks: `final` on status updates (1.0 derives it from
//!   the state); several schemes in push authentication (1.0 keeps the
//!   first).
//! - A file's inline bytes are written as the v0.3 SDKs write them: the
//!   base64 text of the file ([`crate::v0_3::rest::FileSource`]).
//!
//! The machinery is the `convert` module's, shared rather than repeated so
//! that both versions read and write alike: the error path (`Invalid`), the
//! `FromProto` trait and its field readers and writers, the macros declaring
//! `TryFrom` and oneof impls, the `google.protobuf` types, and the readers of
//! the enum numbers v0.3 shares with 1.0 (`TaskState`, `Role`). This module
//! adds what only v0.3 has: its resource names.

mod card;
mod message;
mod push;
mod request;
mod security;

use super::convert::Invalid;
use crate::v0_3::rest;

// ---------------------------------------------------------------------------
// Resource names
// ---------------------------------------------------------------------------

/// The task id of the task name in field `name` of a request, `tasks/{id}`;
/// anything else is refused, naming the field.
fn task_id(name: &str, field: &str) -> Result<String, Invalid> {
    rest::parse_task_name(name)
        .map(str::to_owned)
        .map_err(|error| Invalid::new(error.to_string()).in_field(field))
}

/// The task id and config id of the push config name in field `name` of a
/// request, `tasks/{id}/pushNotificationConfigs/{config_id}`; anything else
/// is refused, naming the field.
fn push_config_ids(name: &str, field: &str) -> Result<(String, String), Invalid> {
    rest::parse_push_config_name(name)
        .map(|(task_id, config_id)| (task_id.to_owned(), config_id.to_owned()))
        .map_err(|error| Invalid::new(error.to_string()).in_field(field))
}

/// The name of a task, `tasks/{id}`; empty without an id, as the v0.3 HTTP+JSON
/// conversions write it.
fn task_name(task_id: &str) -> String {
    match task_id {
        "" => String::new(),
        task_id => rest::task_name(task_id),
    }
}

/// The name of a webhook set on a task,
/// `tasks/{id}/pushNotificationConfigs/{config_id}`; empty without a task id.
fn push_config_name(task_id: &str, config_id: &str) -> String {
    match task_id {
        "" => String::new(),
        task_id => rest::push_config_name(task_id, config_id),
    }
}
