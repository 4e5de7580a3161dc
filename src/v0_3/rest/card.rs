//! The agent card of the v0.3 proto, the answer of `GET /v1/card`.

use std::collections::BTreeMap;

use super::{SecurityRequirement, SecurityScheme};
use crate::types;
use crate::types::protojson::{is_false, nullable};
use crate::v0_3::{DEFAULT_PROTOCOL_VERSION, non_empty, transport};

// Shared with 1.0, whose JSON for them is the v0.3 proto's.
pub use crate::types::{AgentCardSignature, AgentExtension, AgentProvider};

/// A v0.3 agent card in the proto's JSON: security schemes keyed by their
/// kind (see [`SecurityScheme`]) and requirements as `{"schemes": {name:
/// {"list": [scopes]}}}`, where the card of v0.3's JSON-RPC binding
/// ([`crate::v0_3::AgentCard`]) has a `type` member and bare scope lists.
///
/// The v0.3 Python SDK serves and reads the JSON-RPC card at `GET /v1/card`
/// (and at the well-known path); a client of such a server reads
/// [`crate::v0_3::AgentCard`] there. This type is the body a server that
/// follows the proto (gRPC transcoding) answers.
///
/// # Conversion with 1.0
///
/// The same rules as [`crate::v0_3::AgentCard`]'s. Going to 1.0, the main
/// endpoint (`url`, with `preferredTransport`, `JSONRPC` when empty) comes
/// first, when there is one, then each `additionalInterfaces` entry that is
/// not the main one again, all with the card's `protocolVersion` (`0.3.0`
/// when empty). Going to v0.3, the main endpoint is the first interface
/// whose version is a 0.x one, or else the first; `protocolVersion` is its
/// version, and `additionalInterfaces` lists every interface of that
/// version, the main one included, when there is more than one. Lost that
/// way: interfaces of other versions, and every interface's tenant.
///
/// The capabilities are proto3 `bool`s, with no "not declared": a 1.0
/// capability declared `false` comes back undeclared, as does 1.0's
/// `extendedAgentCard` (v0.3's `supportsAuthenticatedExtendedCard`).
/// `securityRequirements` ↔ `security`, on the card and its skills; the
/// OAuth flows as [`super::OAuthFlows`] says.
///
/// ```
/// use a2akit::{types, v0_3::rest};
///
/// let v1 = types::AgentCard::builder()
///     .name("Weather")
///     .supported_interface(types::AgentInterface::new("https://w.example/a2a/v1", "JSONRPC"))
///     .supported_interface(types::AgentInterface::new("https://w.example/rest/v03", "HTTP+JSON").with_protocol_version("0.3"))
///     .streaming(true)
///     .build();
/// let card = rest::AgentCard::from(v1);
/// assert_eq!((card.url.as_str(), card.preferred_transport.as_str()), ("https://w.example/rest/v03", "HTTP+JSON"));
/// assert_eq!(card.protocol_version, "0.3");
/// assert!(card.capabilities.streaming);
/// ```
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AgentCard {
    /// The A2A version the card's endpoints speak, e.g. `0.3.0`.
    #[serde(alias = "protocol_version")]
    #[serde(default, deserialize_with = "nullable", skip_serializing_if = "String::is_empty")]
    pub protocol_version: String,
    /// A human-readable name.
    #[serde(default, deserialize_with = "nullable", skip_serializing_if = "String::is_empty")]
    pub name: String,
    /// What the agent does.
    #[serde(default, deserialize_with = "nullable", skip_serializing_if = "String::is_empty")]
    pub description: String,
    /// The main endpoint.
    #[serde(default, deserialize_with = "nullable", skip_serializing_if = "String::is_empty")]
    pub url: String,
    /// The transport of `url` (`JSONRPC`, `GRPC`, `HTTP+JSON`).
    #[serde(alias = "preferred_transport")]
    #[serde(default, deserialize_with = "nullable", skip_serializing_if = "String::is_empty")]
    pub preferred_transport: String,
    /// More endpoints (the main one is usually listed again).
    #[serde(alias = "additional_interfaces")]
    #[serde(default, deserialize_with = "nullable", skip_serializing_if = "Vec::is_empty")]
    pub additional_interfaces: Vec<AgentInterface>,
    /// Who runs the agent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider: Option<AgentProvider>,
    /// The agent's own version.
    #[serde(default, deserialize_with = "nullable", skip_serializing_if = "String::is_empty")]
    pub version: String,
    /// Where its documentation lives; empty when not set.
    #[serde(alias = "documentation_url")]
    #[serde(default, deserialize_with = "nullable", skip_serializing_if = "String::is_empty")]
    pub documentation_url: String,
    /// The optional protocol features it supports (always written).
    #[serde(default, deserialize_with = "nullable")]
    pub capabilities: AgentCapabilities,
    /// Named ways to authenticate.
    #[serde(alias = "security_schemes")]
    #[serde(default, deserialize_with = "nullable", skip_serializing_if = "BTreeMap::is_empty")]
    pub security_schemes: BTreeMap<String, SecurityScheme>,
    /// Alternatives (any one suffices) of schemes needed to call the agent.
    #[serde(default, deserialize_with = "nullable", skip_serializing_if = "Vec::is_empty")]
    pub security: Vec<SecurityRequirement>,
    /// Media types the agent accepts by default.
    #[serde(alias = "default_input_modes")]
    #[serde(default, deserialize_with = "nullable", skip_serializing_if = "Vec::is_empty")]
    pub default_input_modes: Vec<String>,
    /// Media types the agent produces by default.
    #[serde(alias = "default_output_modes")]
    #[serde(default, deserialize_with = "nullable", skip_serializing_if = "Vec::is_empty")]
    pub default_output_modes: Vec<String>,
    /// What the agent can do.
    #[serde(default, deserialize_with = "nullable", skip_serializing_if = "Vec::is_empty")]
    pub skills: Vec<AgentSkill>,
    /// Whether an authenticated caller gets a fuller card.
    #[serde(alias = "supports_authenticated_extended_card")]
    #[serde(default, deserialize_with = "nullable", skip_serializing_if = "is_false")]
    pub supports_authenticated_extended_card: bool,
    /// JWS signatures over the card.
    #[serde(default, deserialize_with = "nullable", skip_serializing_if = "Vec::is_empty")]
    pub signatures: Vec<AgentCardSignature>,
    /// URL of an icon; empty when not set.
    #[serde(alias = "icon_url")]
    #[serde(default, deserialize_with = "nullable", skip_serializing_if = "String::is_empty")]
    pub icon_url: String,
}

/// An endpoint: a URL and the transport spoken there.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct AgentInterface {
    /// The endpoint.
    #[serde(default, deserialize_with = "nullable", skip_serializing_if = "String::is_empty")]
    pub url: String,
    /// `JSONRPC`, `GRPC` or `HTTP+JSON`.
    #[serde(default, deserialize_with = "nullable", skip_serializing_if = "String::is_empty")]
    pub transport: String,
}

/// The optional protocol features an agent supports.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AgentCapabilities {
    /// Streaming.
    #[serde(default, deserialize_with = "nullable", skip_serializing_if = "is_false")]
    pub streaming: bool,
    /// Push notifications.
    #[serde(alias = "push_notifications")]
    #[serde(default, deserialize_with = "nullable", skip_serializing_if = "is_false")]
    pub push_notifications: bool,
    /// The protocol extensions supported.
    #[serde(default, deserialize_with = "nullable", skip_serializing_if = "Vec::is_empty")]
    pub extensions: Vec<AgentExtension>,
}

/// Something the agent can do.
///
/// Converts with [`types::AgentSkill`] (`security` ↔ `securityRequirements`).
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AgentSkill {
    /// Unique id of the skill.
    #[serde(default, deserialize_with = "nullable", skip_serializing_if = "String::is_empty")]
    pub id: String,
    /// A human-readable name.
    #[serde(default, deserialize_with = "nullable", skip_serializing_if = "String::is_empty")]
    pub name: String,
    /// What the skill does.
    #[serde(default, deserialize_with = "nullable", skip_serializing_if = "String::is_empty")]
    pub description: String,
    /// Keywords.
    #[serde(default, deserialize_with = "nullable", skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    /// Example prompts.
    #[serde(default, deserialize_with = "nullable", skip_serializing_if = "Vec::is_empty")]
    pub examples: Vec<String>,
    /// Accepted media types, when they differ from the card's defaults.
    #[serde(alias = "input_modes")]
    #[serde(default, deserialize_with = "nullable", skip_serializing_if = "Vec::is_empty")]
    pub input_modes: Vec<String>,
    /// Produced media types, when they differ from the card's defaults.
    #[serde(alias = "output_modes")]
    #[serde(default, deserialize_with = "nullable", skip_serializing_if = "Vec::is_empty")]
    pub output_modes: Vec<String>,
    /// Security requirements specific to this skill.
    #[serde(default, deserialize_with = "nullable", skip_serializing_if = "Vec::is_empty")]
    pub security: Vec<SecurityRequirement>,
}

impl From<AgentSkill> for types::AgentSkill {
    fn from(skill: AgentSkill) -> Self {
        Self {
            id: skill.id,
            name: skill.name,
            description: skill.description,
            tags: skill.tags,
            examples: skill.examples,
            input_modes: skill.input_modes,
            output_modes: skill.output_modes,
            security_requirements: skill.security,
        }
    }
}

impl From<types::AgentSkill> for AgentSkill {
    fn from(skill: types::AgentSkill) -> Self {
        Self {
            id: skill.id,
            name: skill.name,
            description: skill.description,
            tags: skill.tags,
            examples: skill.examples,
            input_modes: skill.input_modes,
            output_modes: skill.output_modes,
            security: skill.security_requirements,
        }
    }
}

impl From<AgentCard> for types::AgentCard {
    fn from(card: AgentCard) -> Self {
        let version = match card.protocol_version.as_str() {
            "" => DEFAULT_PROTOCOL_VERSION.to_owned(),
            version => version.to_owned(),
        };
        let interface = |url: String, transport: String| types::AgentInterface {
            url,
            protocol_binding: transport,
            tenant: String::new(),
            protocol_version: version.clone(),
        };
        let mut interfaces = Vec::new();
        if !card.url.is_empty() {
            let main_transport = match card.preferred_transport.as_str() {
                "" => transport::JSONRPC.to_owned(),
                _ => card.preferred_transport,
            };
            interfaces.push(interface(card.url, main_transport));
        }
        for extra in card.additional_interfaces {
            let seen = interfaces
                .iter()
                .any(|known| known.url == extra.url && known.protocol_binding == extra.transport);
            if !seen {
                interfaces.push(interface(extra.url, extra.transport));
            }
        }
        let capabilities = types::AgentCapabilities {
            streaming: card.capabilities.streaming.then_some(true),
            push_notifications: card.capabilities.push_notifications.then_some(true),
            extensions: card.capabilities.extensions,
            extended_agent_card: card.supports_authenticated_extended_card.then_some(true),
        };
        Self {
            name: card.name,
            description: card.description,
            supported_interfaces: interfaces,
            provider: card.provider,
            version: card.version,
            documentation_url: non_empty(card.documentation_url),
            capabilities,
            security_schemes: card
                .security_schemes
                .into_iter()
                .map(|(name, scheme)| (name, scheme.into()))
                .collect(),
            security_requirements: card.security,
            default_input_modes: card.default_input_modes,
            default_output_modes: card.default_output_modes,
            skills: card.skills.into_iter().map(Into::into).collect(),
            signatures: card.signatures,
            icon_url: non_empty(card.icon_url),
        }
    }
}

impl From<types::AgentCard> for AgentCard {
    fn from(card: types::AgentCard) -> Self {
        let main = card
            .supported_interfaces
            .iter()
            .find(|interface| interface.protocol_version.starts_with("0."))
            .or(card.supported_interfaces.first())
            .cloned()
            .unwrap_or_default();
        let same_version: Vec<AgentInterface> = card
            .supported_interfaces
            .into_iter()
            .filter(|interface| interface.protocol_version == main.protocol_version)
            .map(|interface| AgentInterface {
                url: interface.url,
                transport: interface.protocol_binding,
            })
            .collect();
        let capabilities = AgentCapabilities {
            streaming: card.capabilities.supports_streaming(),
            push_notifications: card.capabilities.supports_push_notifications(),
            extensions: card.capabilities.extensions,
        };
        Self {
            protocol_version: main.protocol_version,
            name: card.name,
            description: card.description,
            url: main.url,
            preferred_transport: main.protocol_binding,
            additional_interfaces: if same_version.len() > 1 {
                same_version
            } else {
                Vec::new()
            },
            provider: card.provider,
            version: card.version,
            documentation_url: card.documentation_url.unwrap_or_default(),
            capabilities,
            security_schemes: card
                .security_schemes
                .into_iter()
                .map(|(name, scheme)| (name, scheme.into()))
                .collect(),
            security: card.security_requirements,
            default_input_modes: card.default_input_modes,
            default_output_modes: card.default_output_modes,
            skills: card.skills.into_iter().map(Into::into).collect(),
            supports_authenticated_extended_card: card.capabilities.extended_agent_card == Some(true),
            signatures: card.signatures,
            icon_url: card.icon_url.unwrap_or_default(),
        }
    }
}
