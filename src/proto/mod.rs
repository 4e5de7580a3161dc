//! The protobuf messages and gRPC services of A2A, generated from `proto/`
//! at build time, and their conversions to and from [`crate::types`]:
//!
//! | module | package | proto file | what it is |
//! |---|---|---|---|
//! | [`v1`] | `lf.a2a.v1` | `proto/a2a.proto` | A2A 1.0 |
//! | [`v0_3`] | `a2a.v1` | `proto/a2a_v0_3.proto` | A2A v0.3, for the agents and clients deployed before 1.0 |
//!
//! The two packages differ, so both services can be served on one port.
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
//! The v0.3 messages convert the same way, to and from the same 1.0 types
//! (`From<types::Task> for v0_3::Task`, `TryFrom<v0_3::Task> for
//! types::Task`), with the semantics of v0.3's HTTP+JSON binding, which
//! carries the same proto as JSON ([`crate::v0_3::rest`]). Each conversion
//! documents what it loses; in short, v0.3 lacks tenants, a message's
//! `referenceTaskIds`, the media type and file name of text and data parts,
//! data parts that are not objects, the device code OAuth flow and PKCE,
//! capabilities declared `false`, a history length of 0 and interfaces of
//! several protocol versions in one card, and 1.0 lacks `final` and a
//! webhook's further authentication schemes. Reading a v0.3 request also
//! fails, naming the field, when its resource name (`name` or `parent`:
//! `tasks/{id}`, `tasks/{id}/pushNotificationConfigs/{config_id}`) is
//! malformed.
//!
//! ```
//! use a2akit::proto::v0_3;
//! use a2akit::types::{GetTaskRequest, Task, TaskState, TaskStatus};
//!
//! let task = Task::new("t1", "c1", TaskStatus::new(TaskState::Canceled));
//! let proto = v0_3::Task::from(task.clone());
//! assert_eq!(proto.status.as_ref().unwrap().state(), v0_3::TaskState::Cancelled);
//! assert_eq!(Task::try_from(proto).unwrap(), task);
//!
//! let request = v0_3::GetTaskRequest { name: "tasks/t1".into(), history_length: 0 };
//! assert_eq!(GetTaskRequest::try_from(request).unwrap().id, "t1");
//! let malformed = v0_3::GetTaskRequest { name: "t1".into(), history_length: 0 };
//! assert!(GetTaskRequest::try_from(malformed).unwrap_err().to_string().starts_with("name: "));
//! ```
//!
//! The generated code is kept as generated; everything written by hand is in
//! the `convert` and `v0_3_convert` modules.

mod convert;
#[path = "v0_3/mod.rs"]
mod v0_3_convert;

/// The generated code of package `lf.a2a.v1`.
#[allow(missing_docs, clippy::all, clippy::pedantic, rustdoc::all)]
pub mod v1 {
    include!(concat!(env!("OUT_DIR"), "/lf.a2a.v1.rs"));
}

/// The generated code of package `a2a.v1`: the v0.3 service `a2a.v1.A2AService`.
#[allow(missing_docs, clippy::all, clippy::pedantic, rustdoc::all)]
pub mod v0_3 {
    include!(concat!(env!("OUT_DIR"), "/a2a.v1.rs"));
}

/// The generated code of the `google.api` option files the proto files import.
#[allow(missing_docs, clippy::all, clippy::pedantic, rustdoc::all, dead_code)]
pub mod google_api {
    include!(concat!(env!("OUT_DIR"), "/google.api.rs"));
}

mod status;
pub use status::{error_from_status, status_from_error};
