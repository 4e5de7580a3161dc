//! The protobuf messages and gRPC service of `lf.a2a.v1`, generated from
//! `proto/a2a.proto` at build time, and their conversions to and from
//! [`crate::types`].
//!
//! The generated code is kept as generated; everything written by hand is in
//! the `convert` module.

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
