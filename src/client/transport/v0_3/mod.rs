//! Speaking v0.3 to an agent that speaks nothing newer: each 1.0 call sent
//! as v0.3 sends it on the interface's binding, each answer read back as the
//! 1.0 message the caller asked for. The transports call in here when their
//! interface declares a 0.3 version.

pub(crate) mod jsonrpc;
pub(crate) mod rest;

use crate::types;
use crate::{Error, ErrorKind};

/// The `A2A-Version` a client sends to a v0.3 interface (v0.3 clients sent
/// none; the SDKs that serve both versions read none, and this, as v0.3).
pub(crate) const VERSION: &str = "0.3";

/// Reads a v0.3 answer.
fn decode<T: serde::de::DeserializeOwned>(json: &[u8]) -> Result<T, Error> {
    types::json::from_slice(json).map_err(|err| {
        Error::new(
            ErrorKind::InvalidResponse,
            format!("the v0.3 agent's answer could not be read: {err}"),
        )
        .with_source(err)
    })
}
