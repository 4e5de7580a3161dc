//! Push notifications: where an agent may send them, and how they are sent.
//!
//! A push config names a URL the agent will call on the client's behalf, so
//! a hostile client could aim it at the agent's own network (a metadata
//! service, an admin port on localhost). [`WebhookGuard`] decides which
//! targets are allowed; the handler checks every config against it when the
//! config is created, before anything is stored, and the sender checks
//! again at delivery, on the addresses the host resolves to.
//!
//! Deliveries wait in the store's outbox
//! ([`PushOutbox`](crate::server::store::PushOutbox)), written with the
//! events they carry, and a sender per handler posts them as
//! [`PushDelivery`] says: at least once, in order per task and config,
//! signed, retried with backoff. On a SQL store they survive a restart.

mod delivery;
mod guard;
mod resolve;
pub(crate) mod sender;

pub use delivery::PushDelivery;
pub use guard::{IpNetwork, WebhookGuard};
