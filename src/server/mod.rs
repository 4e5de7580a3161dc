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
//! parameters → [`RequestHandler`] checks it, creates the task (stored,
//! SUBMITTED, at once) or records the message on an existing one, claims the
//! task's run ([`task::RunOwnership`]) and spawns the executor → each event
//! the executor reports through [`TaskUpdater`] is checked against the
//! task's state machine, given the task's next sequence number, appended to
//! the [store](store::TaskStore), then published on the [bus](bus::EventBus)
//! → followers receive the events in sequence order, reading from the store
//! whatever the bus skipped → the binding encodes what the caller asked for
//! (the final task, a stream whose SSE ids are the sequence numbers, or the
//! task right away).

pub mod auth;
pub mod bus;
mod call;
mod card_file;
mod daemon;
mod detached;
mod executor;
mod follow;
#[cfg(feature = "grpc")]
pub mod grpc;
mod handler;
pub mod http;
pub mod layers;
pub mod push;
pub mod store;
pub mod task;
mod telemetry;
pub mod tls;

pub use call::{CallContext, Caller};
pub use card_file::{CardFile, CardWatch};
pub use executor::{AgentExecutor, CancelContext, RequestContext, TaskUpdater};
pub use follow::EventStream;
pub use handler::{CardError, RateLimit, RequestHandler, RequestHandlerBuilder, VersionPolicy};

pub use http::{Shutdown, serve, serve_with_shutdown};
pub use store::{InMemoryTaskStore, PushConfigStore, PushOutbox, TaskStore};
