//! One agent card that clients of both generations read.
//!
//! A 1.0 client finds its interfaces in `supportedInterfaces`, each with a
//! protocol version; a v0.3 client reads the top-level `url`,
//! `preferredTransport`, `additionalInterfaces` and `protocolVersion`, which
//! 1.0 dropped. The two sets of members do not clash, except inside the
//! security schemes and skills, where each generation has its own shape
//! under the same name: there the members of both are written side by side
//! (`{"apiKeySecurityScheme": {…}, "type": "apiKey", "in": "header", …}`),
//! and each reader ignores the members it does not know, as both are told
//! to. The official Python SDK serves its cards the same way.

use serde_json::Value;

use super::AgentCard;
use crate::types::json::DecodeError;
use crate::types::{self, binding};

/// The protocol version of the v0.3 interfaces [`with_interfaces`] adds.
pub const INTERFACE_VERSION: &str = "0.3";

/// Whether `version` is one of v0.3's (`0.3`, `0.3.0`…): the versions a v0.3
/// request may carry in `A2A-Version`, and an interface may declare.
///
/// ```
/// use a2akit::v0_3;
/// assert!(v0_3::is_v0_3("0.3") && v0_3::is_v0_3("0.3.0") && v0_3::is_v0_3(" 0.3.2 "));
/// assert!(!v0_3::is_v0_3("1.0") && !v0_3::is_v0_3("0.30") && !v0_3::is_v0_3(""));
/// ```
pub fn is_v0_3(version: &str) -> bool {
    let version = version.trim();
    version == "0.3"
        || version
            .strip_prefix("0.3.")
            .is_some_and(|patch| patch.parse::<u32>().is_ok())
}

/// `card` with a v0.3 interface beside each 1.x interface of the three
/// standard bindings: the same URL and binding, version
/// [`INTERFACE_VERSION`], after all the interfaces already there (a 1.0
/// client takes the first it can use). A binding and URL that already have
/// a 0.x interface get no second one. (This crate's server serves v0.3 at
/// the same URLs: JSON-RPC by method name, HTTP+JSON under `/v1/`, gRPC as
/// v0.3's own service, `a2a.v1.A2AService`.)
///
/// A server that serves v0.3 does this to its card itself; call it when
/// signing a card, before signing, so that the signature covers the
/// interfaces served.
///
/// ```
/// use a2akit::{types, v0_3};
///
/// let card = types::AgentCard::builder()
///     .name("Echo")
///     .interface("https://echo.example/a2a", "JSONRPC")
///     .interface("https://echo.example/grpc", "GRPC")
///     .build();
/// let both = v0_3::with_interfaces(card);
/// let versions: Vec<_> = both.supported_interfaces.iter()
///     .map(|i| (i.protocol_binding.as_str(), i.protocol_version.as_str()))
///     .collect();
/// assert_eq!(versions, [("JSONRPC", "1.0"), ("GRPC", "1.0"), ("JSONRPC", "0.3"), ("GRPC", "0.3")]);
/// assert_eq!(v0_3::with_interfaces(both.clone()), both, "adding twice adds nothing");
/// ```
pub fn with_interfaces(mut card: types::AgentCard) -> types::AgentCard {
    let mut added = Vec::new();
    for interface in &card.supported_interfaces {
        let one_x = interface.protocol_version.trim().starts_with("1.");
        let served = [binding::JSONRPC, binding::HTTP_JSON, binding::GRPC]
            .contains(&interface.protocol_binding.as_str());
        let present = |list: &[types::AgentInterface]| {
            list.iter().any(|other| {
                other.protocol_binding == interface.protocol_binding
                    && other.url == interface.url
                    && other.tenant == interface.tenant
                    && other.protocol_version.trim().starts_with("0.")
            })
        };
        if one_x && served && !present(&card.supported_interfaces) && !present(&added) {
            added.push(types::AgentInterface {
                protocol_version: INTERFACE_VERSION.to_owned(),
                ..interface.clone()
            });
        }
    }
    card.supported_interfaces.extend(added);
    card
}

/// The JSON of `card` for both generations: its 1.0 members, and, when it
/// has a 0.x interface, the members of the v0.3 card made from it
/// ([`AgentCard::from`]) that 1.0 does not write, merged in (see the module
/// docs). A card with no 0.x interface is written as 1.0 alone.
///
/// ```
/// use a2akit::{types, v0_3};
///
/// let card = v0_3::with_interfaces(
///     types::AgentCard::builder().name("Echo").interface("https://echo.example/a2a", "JSONRPC").build(),
/// );
/// let json = v0_3::dual_card(&card);
/// assert_eq!(json["supportedInterfaces"][0]["protocolVersion"], "1.0");
/// assert_eq!(json["url"], "https://echo.example/a2a");
/// assert_eq!(json["preferredTransport"], "JSONRPC");
/// assert_eq!(json["protocolVersion"], "0.3");
///
/// // Both generations read it.
/// let v1: types::AgentCard = serde_json::from_value(json.clone()).unwrap();
/// assert_eq!(v1, card);
/// let v03: v0_3::AgentCard = serde_json::from_value(json).unwrap();
/// assert_eq!(v03.url, "https://echo.example/a2a");
/// ```
pub fn dual_card(card: &types::AgentCard) -> Value {
    let mut json = serde_json::to_value(card).expect("an agent card always encodes");
    let has_v0 = card
        .supported_interfaces
        .iter()
        .any(|interface| interface.protocol_version.trim().starts_with("0."));
    if has_v0 {
        let legacy =
            serde_json::to_value(AgentCard::from(card.clone())).expect("an agent card always encodes");
        merge(&mut json, legacy);
    }
    json
}

/// Adds to `into` what `from` has and `into` lacks: members of objects at
/// any depth, and, in lists, the members of the items at the same place.
/// What `into` has is never replaced.
fn merge(into: &mut Value, from: Value) {
    match (into, from) {
        (Value::Object(into), Value::Object(from)) => {
            for (name, value) in from {
                match into.get_mut(&name) {
                    Some(existing) => merge(existing, value),
                    None => {
                        into.insert(name, value);
                    }
                }
            }
        }
        (Value::Array(into), Value::Array(from)) => {
            for (existing, value) in into.iter_mut().zip(from) {
                if existing.is_object() {
                    merge(existing, value);
                }
            }
        }
        _ => {}
    }
}

/// Reads an agent card of either generation as a 1.0 card: a card with
/// `supportedInterfaces` as 1.0 (a card written for both generations
/// included), and one with only v0.3's `url` as a v0.3 card, converted
/// ([`AgentCard`]'s conversion: its interfaces declare its
/// `protocolVersion`, `0.3.0` when it names none).
///
/// ```
/// use a2akit::v0_3;
///
/// let legacy = br#"{"name": "Old", "description": "v0.3 agent", "version": "1",
///     "url": "https://old.example/rpc", "capabilities": {}, "skills": [],
///     "defaultInputModes": ["text/plain"], "defaultOutputModes": ["text/plain"]}"#;
/// let card = v0_3::read_card(legacy).unwrap();
/// assert_eq!(card.supported_interfaces[0].url, "https://old.example/rpc");
/// assert_eq!(card.supported_interfaces[0].protocol_binding, "JSONRPC");
/// assert_eq!(card.supported_interfaces[0].protocol_version, "0.3.0");
/// ```
pub fn read_card(json: &[u8]) -> Result<types::AgentCard, DecodeError> {
    let value: Value = types::json::from_slice(json)?;
    let legacy = value.get("url").is_some_and(Value::is_string)
        && value
            .get("supportedInterfaces")
            .and_then(Value::as_array)
            .is_none_or(Vec::is_empty);
    if legacy {
        Ok(types::json::from_value::<AgentCard>(value)?.into())
    } else {
        types::json::from_value(value)
    }
}
