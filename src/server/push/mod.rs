//! Push notifications: where an agent may send them.
//!
//! A push config names a URL the agent will call on the client's behalf, so
//! a hostile client could aim it at the agent's own network (a metadata
//! service, an admin port on localhost). [`WebhookGuard`] decides which
//! targets are allowed; the handler checks every config against it when the
//! config is created, before anything is stored.

mod guard;

pub use guard::{IpNetwork, WebhookGuard};
