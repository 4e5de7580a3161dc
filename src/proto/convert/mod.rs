//! Conversions between the generated messages of [`super::v1`] and the wire
//! types of [`crate::types`].
//!
//! Every message and enum has `From<types::X> for v1::X`, which never
//! fails, and `TryFrom<v1::X> for types::X` with [`crate::Error`] as its
//! error; a oneof converts to and from the `Option` the generated message
//! holds it in (`Option<v1::part::Content>`).
//!
//! Reading is as forgiving as reading JSON, so that a newer peer's values
//! never fail a message:
//!
//! - an enum number reads as the named value, as `Unspecified` for zero, or
//!   as `Unrecognized(Some(number))` for a number this version does not know
//!   (written back as that number); `ListTasksRequest.status` zero is "no
//!   filter", `None`;
//! - a oneof with no member set (or, since the generated code drops unknown
//!   fields, a member this version does not know) reads as `Unrecognized`,
//!   and `Unrecognized` is written as no member;
//! - an absent message field that our types always hold (`Task.status`,
//!   `TaskStatusUpdateEvent.status`, `TaskArtifactUpdateEvent.artifact`,
//!   `SendMessageRequest.message`, `OAuth2SecurityScheme.flows`,
//!   `AgentCard.capabilities`) reads as its default; the server checks the
//!   fields the protocol requires itself.
//!
//! Reading fails, with [`crate::Error::invalid_field`] naming the JSON path
//! of the field (`message.parts[0].data`), only for what JSON cannot say:
//!
//! - a `google.protobuf.Value` whose `kind` is not set;
//! - a timestamp with `nanos` outside `0..=999_999_999` or outside
//!   chrono's range;
//! - a number in a `Struct` or `Value` that is NaN or infinite.
//!
//! Empty strings are accepted everywhere, as they are from JSON.
//!
//! Where the two sides cannot say the same things:
//!
//! - A `google.protobuf.Value` holds every number as a double. A JSON
//!   integer is written as the nearest double, so integers beyond ±2^53 lose
//!   precision. Reading back, a double that is integral and within ±2^53
//!   becomes a JSON integer (`1.0` reads as `1`), any other double stays a
//!   float; `-0.0` stays a float so that its sign survives. JSON integers
//!   within ±2^53 and non-integral floats therefore round-trip exactly.
//! - A chrono leap second (a nanosecond count of one second or more) is
//!   written as the last nanosecond of the second before it.
//! - `google.protobuf.Empty` is `()` in the generated code.
//!
//! The v0.3 conversions (`v0_3_convert`) read and write through the same
//! machinery: [`Invalid`], [`FromProto`] and its field helpers, the
//! `oneof_from_proto` and `try_from_proto` macros, and [`well_known`], all
//! visible to `crate::proto` and no further.

mod card;
mod message;
mod request;
mod security;
pub(super) mod well_known;

use std::collections::{BTreeMap, HashMap};

use crate::Error;

/// A proto value our types cannot hold: what is wrong with it, and the path
/// of the offending field from the value being read (empty: the value itself).
#[derive(Debug)]
pub(super) struct Invalid {
    path: String,
    description: String,
}

impl Invalid {
    /// The value being read is itself wrong.
    pub(super) fn new(description: impl Into<String>) -> Self {
        Self {
            path: String::new(),
            description: description.into(),
        }
    }

    /// The same problem seen from the message that holds the value in `field`
    /// (or from the map that holds it under key `field`).
    pub(super) fn in_field(self, field: &str) -> Self {
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

/// Reads a generated proto value into its `types` counterpart.
///
/// This is `TryFrom` with an error whose path is relative to the value, so
/// that each message holding it can put its own field name in front; the
/// public `TryFrom` impls call it and turn the path into a [`crate::Error`].
pub(super) trait FromProto<P>: Sized {
    /// The `types` value, or what is wrong with `proto` and where.
    fn from_proto(proto: P) -> Result<Self, Invalid>;
}

/// Reads a field that is always present in the proto (a scalar or a oneof member).
pub(super) fn field<P, T: FromProto<P>>(proto: P, field: &str) -> Result<T, Invalid> {
    T::from_proto(proto).map_err(|invalid| invalid.in_field(field))
}

/// Reads a message field that our types always hold: absent reads as the
/// default, as it does from JSON.
pub(super) fn required<P, T: FromProto<P> + Default>(proto: Option<P>, name: &str) -> Result<T, Invalid> {
    match proto {
        Some(proto) => field(proto, name),
        None => Ok(T::default()),
    }
}

/// Reads a message field that may be absent.
pub(super) fn optional<P, T: FromProto<P>>(proto: Option<P>, name: &str) -> Result<Option<T>, Invalid> {
    proto.map(|proto| field(proto, name)).transpose()
}

/// Reads a oneof: no member set reads as the type's default, its
/// `Unrecognized` variant.
///
/// The oneof's own name is not part of the path of an error inside a member,
/// since in JSON the members sit directly in the message holding the oneof.
pub(super) fn oneof<P, T: FromProto<P> + Default>(proto: Option<P>) -> Result<T, Invalid> {
    match proto {
        Some(proto) => T::from_proto(proto),
        None => Ok(T::default()),
    }
}

/// Declares `FromProto<Option<P>>` for oneofs, reading no member as
/// `Unrecognized` (through [`oneof`]).
macro_rules! oneof_from_proto {
    ($($types:ty => $proto:ty,)+) => {$(
        impl $crate::proto::convert::FromProto<Option<$proto>> for $types {
            fn from_proto(proto: Option<$proto>) -> Result<Self, $crate::proto::convert::Invalid> {
                $crate::proto::convert::oneof(proto)
            }
        }
    )+};
}

pub(super) use oneof_from_proto;

/// Reads a repeated field, naming the index of a bad element.
pub(super) fn repeated<P, T: FromProto<P>>(protos: Vec<P>, name: &str) -> Result<Vec<T>, Invalid> {
    protos
        .into_iter()
        .enumerate()
        .map(|(index, proto)| T::from_proto(proto).map_err(|invalid| invalid.at_index(index).in_field(name)))
        .collect()
}

/// Reads a map field, naming the key of a bad value.
pub(super) fn map<P, T: FromProto<P>>(
    protos: HashMap<String, P>,
    name: &str,
) -> Result<BTreeMap<String, T>, Invalid> {
    protos
        .into_iter()
        .map(|(key, proto)| match T::from_proto(proto) {
            Ok(value) => Ok((key, value)),
            Err(invalid) => Err(invalid.in_field(&key).in_field(name)),
        })
        .collect()
}

/// Writes a repeated field.
pub(super) fn to_protos<T, P: From<T>>(values: Vec<T>) -> Vec<P> {
    values.into_iter().map(P::from).collect()
}

/// Writes a map field.
pub(super) fn to_proto_map<T, P: From<T>>(values: BTreeMap<String, T>) -> HashMap<String, P> {
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
                <Self as $crate::proto::convert::FromProto<$proto>>::from_proto(proto).map_err(Into::into)
            }
        }
    )+};
}

pub(super) use try_from_proto;

/// `google.protobuf.Empty` is `()` in the generated code.
impl From<crate::types::Empty> for () {
    fn from(_: crate::types::Empty) -> Self {}
}

/// `google.protobuf.Empty` is `()` in the generated code.
impl From<()> for crate::types::Empty {
    fn from((): ()) -> Self {
        Self {}
    }
}
