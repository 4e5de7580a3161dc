//! # a2akit
//!
//! The [Agent2Agent (A2A) protocol](https://a2a-protocol.org) v1.0 for Rust.
//!
//! This crate gives the whole A2A data model as Rust types with exact
//! ProtoJSON serialisation, the protocol's errors with their spelling on every
//! binding, the JSON-RPC 2.0 envelope, a client, and a server: implement one
//! trait and mount the routers it returns in an Axum app.
//!
//! | module | what it holds |
//! |---|---|
//! | [`types`] | every message, enum and oneof of `lf.a2a.v1`, with constructors and builders |
//! | [`types::json`] | decoding with errors that name the offending field path |
//! | [`error`] | one [`Error`] for every A2A and JSON-RPC error, with its codes on each binding |
//! | [`jsonrpc`] | the JSON-RPC 2.0 request / response envelope and the method names |
//! | `client` (feature `client`, default) | `ClientFactory` and `Client`: one method per operation, over JSON-RPC or HTTP+JSON |
//! | `proto` (feature `grpc`) | the generated `lf.a2a.v1` protobuf messages and service, and their conversions |
//! | `server` (feature `server`, default) | `AgentExecutor`, `RequestHandler`, stores, push delivery, event buses, and Axum routers for every binding |
//! | [`webhook`] (feature `client` or `server`) | Standard Webhooks signatures for push notifications, and a receiver that checks them |
//! | [`v0_3`] | the A2A v0.3 JSON shapes (lowercase states, `kind` discriminators, v0.3 cards, method names and error codes), with conversions to and from [`types`] |
//! | `signing` (feature `signing`) | signed agent cards: JWS over the RFC 8785 canonical card, signing, verifying, and a client that requires a valid signature |
//!
//! More features: `sqlite`, `postgres`, `mysql` (the durable `server::store::sql::SqlStore`),
//! `postgres` and `nats` (event buses between replicas on one database:
//! `server::bus::PgEventBus`, `server::bus::NatsEventBus`), `telemetry`
//! (OpenTelemetry trace context and metrics) and `cli` (the `a2a` command).
//!
//! The guides (module `guides`, in the docs built with every feature)
//! walk through the crate by task: writing an agent,
//! mounting it with layers, stores, push notifications, scaling out, the
//! client, telemetry and security.
//!
//! ```
//! use a2akit::types::{Message, Part, Task, TaskState, TaskStatus};
//!
//! let message = Message::user("What is the weather in Paris?");
//! let task = Task::new("task-1", "ctx-1", TaskStatus::new(TaskState::Working))
//!     .with_history([message]);
//!
//! let json = serde_json::to_value(&task).unwrap();
//! assert_eq!(json["status"]["state"], "TASK_STATE_WORKING");
//! assert_eq!(json["history"][0]["role"], "ROLE_USER");
//! assert_eq!(json["history"][0]["parts"][0], serde_json::json!({"text": "What is the weather in Paris?"}));
//!
//! let back: Task = a2akit::types::json::from_value(json).unwrap();
//! assert_eq!(back, task);
//! ```
#![forbid(unsafe_code)]
#![warn(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]

#[cfg(any(feature = "client", feature = "server"))]
mod backoff;
#[cfg(feature = "client")]
pub mod client;
pub mod error;
pub mod jsonrpc;
mod operations;
#[cfg(feature = "grpc")]
pub mod proto;
#[cfg(feature = "server")]
pub mod server;
#[cfg(feature = "signing")]
#[cfg_attr(docsrs, doc(cfg(feature = "signing")))]
pub mod signing;
#[cfg(all(feature = "telemetry", any(feature = "client", feature = "server")))]
mod telemetry;
pub mod types;
pub mod v0_3;

/// Long-form guides, one per task. Their examples are compiled and run as
/// doctests; as they use the stores, the buses and the client, they are
/// built with all of those features on (as docs.rs and `cargo test
/// --all-features` do).
#[cfg(all(
    any(doc, doctest),
    feature = "client",
    feature = "sqlite",
    feature = "postgres",
    feature = "nats"
))]
pub mod guides {
    #[doc = include_str!("docs/writing-an-agent.md")]
    pub mod writing_an_agent {}
    #[doc = include_str!("docs/mounting-and-layers.md")]
    pub mod mounting_and_layers {}
    #[doc = include_str!("docs/stores.md")]
    pub mod stores {}
    #[doc = include_str!("docs/push.md")]
    pub mod push {}
    #[doc = include_str!("docs/scaling-out.md")]
    pub mod scaling_out {}
    #[doc = include_str!("docs/client.md")]
    pub mod client {}
    #[doc = include_str!("docs/telemetry.md")]
    pub mod telemetry {}
    #[doc = include_str!("docs/security.md")]
    pub mod security {}
}

#[cfg(any(feature = "client", feature = "server"))]
#[cfg_attr(docsrs, doc(cfg(any(feature = "client", feature = "server"))))]
pub mod webhook;

pub use error::{Error, ErrorKind};

/// The A2A protocol version this crate speaks, as sent in the `A2A-Version` header.
pub const PROTOCOL_VERSION: &str = "1.0";

/// The README's examples, compiled and run as doctests so that it stays true.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
