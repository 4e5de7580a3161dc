//! The protobuf messages and gRPC service of `lf.a2a.v1`, generated from
//! `proto/a2a.proto` at build time, and their conversions to and from
//! [`crate::types`].
//!
//! Every message and enum converts with `From<types::X> for v1::X`, which
//! never fails, and `TryFrom<v1::X> for types::X`; a oneof converts to and
//! from the `Option` the message holds it in. Reading keeps what a newer
//! peer sends: an enum number this version does not know reads as
//! `Unrecognized` (and is written back), a oneof with no member it knows as
//! the oneof's `Unrecognized` variant, and an absent message field our types
//! always hold as its default. It fails, with an invalid-params
//! [`Error`](crate::Error) naming the JSON path of the field
//! (`message.parts[0].data`), only for what JSON cannot hold: a
//! `google.protobuf.Value` with no kind, a timestamp out of range, or a NaN
//! or infinite number in a `Struct`.
//! Numbers in a `Struct` or `Value` are doubles: a JSON integer beyond ±2^53
//! loses precision, and a double that is integral and within ±2^53 reads back
//! as a JSON integer.
//!
//! The generated code is kept as generated; everything written by hand is in
//! the `convert` module.

mod convert;

/// The generated code of package `lf.a2a.v1`.
#[allow(missing_docs, clippy::all, clippy::pedantic, rustdoc::all)]
pub mod v1 {
    include!(concat!(env!("OUT_DIR"), "/lf.a2a.v1.rs"));
}

/// The generated code of the `google.api` option files `a2a.proto` imports.
#[allow(missing_docs, clippy::all, clippy::pedantic, rustdoc::all, dead_code)]
pub mod google_api {
    include!(concat!(env!("OUT_DIR"), "/google.api.rs"));
}

mod status;
pub use status::{error_from_status, status_from_error};
