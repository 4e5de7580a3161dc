//! The A2A server: implement [`AgentExecutor`], get every operation of the
//! protocol as mountable Axum routers.
//!
//! ```no_run
//! use a2akit::Error;
//! use a2akit::server::{self, AgentExecutor, RequestContext, RequestHandler, TaskUpdater};
//! use a2akit::types::{AgentCard, Artifact, binding};
//!
//! struct Echo;
//!
//! impl AgentExecutor for Echo {
//!     async fn execute(&self, context: RequestContext, updater: TaskUpdater) -> Result<(), Error> {
//!         updater.add_artifact(Artifact::text("echo", context.message.text())).await?;
//!         updater.complete().await
//!     }
//! }
//!
//! # async fn run() -> std::io::Result<()> {
//! let card = AgentCard::builder()
//!     .name("Echo")
//!     .description("Says it back")
//!     .interface("http://127.0.0.1:8080/", binding::JSONRPC)
//!     .interface("http://127.0.0.1:8080", binding::HTTP_JSON)
//!     .build();
//! let handler = RequestHandler::builder(card, Echo).build();
//! let app = server::http::router(handler); // card + JSON-RPC at `/` + HTTP+JSON
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:8080").await?;
//! server::serve(listener, app).await
//! # }
//! ```
//!
//! The way a request travels: a binding decodes it and reads the service
//! parameters → [`RequestHandler`] checks it, loads or creates the task and
//! spawns the executor → each event the executor reports through
//! [`TaskUpdater`] is checked against the task's state machine, stored, then
//! published to every listener of the task → the binding encodes what the
//! caller asked for (the final task, a stream, or the task right away).

mod call;
mod events;
mod executor;
#[cfg(feature = "grpc")]
pub mod grpc;
mod handler;
pub mod http;
pub mod store;

pub use call::{CallContext, Caller};
pub use executor::{AgentExecutor, RequestContext, TaskUpdater};
pub use handler::{EventStream, RequestHandler, RequestHandlerBuilder, VersionPolicy};

pub use http::serve;
pub use store::{InMemoryPushConfigStore, InMemoryTaskStore, PushConfigStore, TaskStore};
