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
//! The machinery below (the error path, the field readers and the
//! `google.protobuf` types) is that of the `convert` module, kept apart
//! because those helpers are private to it.

mod card;
mod message;
mod push;
mod request;
mod security;
mod well_known;

use std::collections::{BTreeMap, HashMap};

use crate::Error;
use crate::v0_3::rest;

/// A proto value our types cannot hold: what is wrong with it, and the path
/// of the offending field from the value being read (empty: the value itself).
#[derive(Debug)]
struct Invalid {
    path: String,
    description: String,
}

impl Invalid {
    /// The value being read is itself wrong.
    fn new(description: impl Into<String>) -> Self {
        Self {
            path: String::new(),
            description: description.into(),
        }
    }

    /// The same problem seen from the message that holds the value in `field`
    /// (or from the map that holds it under key `field`).
    fn in_field(self, field: &str) -> Self {
        self.behind(field.to_owned())
    }

    /// The same problem seen from the list that holds the value at `index`.
    fn at_index(self, index: usize) -> Self {
        self.behind(format!("[{index}]"))
    }

    /// Puts `segment` in front of the path, with a dot between two names.
    fn behind(mut self, segment: String) -> Self {
        self.path = if self.path.is_empty() || self.path.starts_with('[') {
            segment + &self.path
        } else {
            format!("{segment}.{}", self.path)
        };
        self
    }
}

impl From<Invalid> for Error {
    fn from(invalid: Invalid) -> Self {
        let path = if invalid.path.is_empty() {
            "."
        } else {
            &invalid.path
        };
        Error::invalid_field(path, invalid.description)
    }
}

/// Reads a generated v0.3 value into its `types` counterpart, with an error
/// whose path is relative to the value (see `convert`'s trait of the same name).
trait FromProto<P>: Sized {
    /// The `types` value, or what is wrong with `proto` and where.
    fn from_proto(proto: P) -> Result<Self, Invalid>;
}

/// Reads a field that is always present in the proto (a scalar or a oneof member).
fn field<P, T: FromProto<P>>(proto: P, field: &str) -> Result<T, Invalid> {
    T::from_proto(proto).map_err(|invalid| invalid.in_field(field))
}

/// Reads a message field that our types always hold: absent reads as the default.
fn required<P, T: FromProto<P> + Default>(proto: Option<P>, name: &str) -> Result<T, Invalid> {
    match proto {
        Some(proto) => field(proto, name),
        None => Ok(T::default()),
    }
}

/// Reads a message field that may be absent.
fn optional<P, T: FromProto<P>>(proto: Option<P>, name: &str) -> Result<Option<T>, Invalid> {
    proto.map(|proto| field(proto, name)).transpose()
}

/// Reads a oneof: no member set reads as the type's default, its
/// `Unrecognized` variant. The oneof's own name is not part of an error's
/// path: in JSON its members sit in the message that holds it.
fn oneof<P, T: FromProto<P> + Default>(proto: Option<P>) -> Result<T, Invalid> {
    match proto {
        Some(proto) => T::from_proto(proto),
        None => Ok(T::default()),
    }
}

/// Declares `FromProto<Option<P>>` for oneofs, reading no member as
/// `Unrecognized` (through [`oneof`]).
macro_rules! oneof_from_proto {
    ($($types:ty => $proto:ty,)+) => {$(
        impl $crate::proto::v0_3_convert::FromProto<Option<$proto>> for $types {
            fn from_proto(proto: Option<$proto>) -> Result<Self, $crate::proto::v0_3_convert::Invalid> {
                $crate::proto::v0_3_convert::oneof(proto)
            }
        }
    )+};
}

use oneof_from_proto;

/// Reads a repeated field, naming the index of a bad element.
fn repeated<P, T: FromProto<P>>(protos: Vec<P>, name: &str) -> Result<Vec<T>, Invalid> {
    protos
        .into_iter()
        .enumerate()
        .map(|(index, proto)| T::from_proto(proto).map_err(|invalid| invalid.at_index(index).in_field(name)))
        .collect()
}

/// Reads a map field, naming the key of a bad value.
fn map<P, T: FromProto<P>>(protos: HashMap<String, P>, name: &str) -> Result<BTreeMap<String, T>, Invalid> {
    protos
        .into_iter()
        .map(|(key, proto)| match T::from_proto(proto) {
            Ok(value) => Ok((key, value)),
            Err(invalid) => Err(invalid.in_field(&key).in_field(name)),
        })
        .collect()
}

/// Writes a repeated field.
fn to_protos<T, P: From<T>>(values: Vec<T>) -> Vec<P> {
    values.into_iter().map(P::from).collect()
}

/// Writes a map field.
fn to_proto_map<T, P: From<T>>(values: BTreeMap<String, T>) -> HashMap<String, P> {
    values
        .into_iter()
        .map(|(key, value)| (key, P::from(value)))
        .collect()
}

/// Declares `TryFrom<proto> for types` with [`crate::Error`] for each pair,
/// on top of the pair's [`FromProto`] impl.
macro_rules! try_from_proto {
    ($($types:ty => $proto:ty,)+) => {$(
        impl TryFrom<$proto> for $types {
            type Error = crate::Error;

            fn try_from(proto: $proto) -> Result<Self, Self::Error> {
                <Self as $crate::proto::v0_3_convert::FromProto<$proto>>::from_proto(proto).map_err(Into::into)
            }
        }
    )+};
}

use try_from_proto;

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
