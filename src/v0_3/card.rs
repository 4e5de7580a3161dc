//! The v0.3 agent card: one main endpoint (`url` + `preferredTransport`),
//! more in `additionalInterfaces`, and the protocol version at the top.

use std::collections::BTreeMap;

use serde::{Deserialize, Deserializer};

use super::security::{requirement_from_v1, requirement_to_v1};
use super::{SecurityRequirement, SecurityScheme, non_empty, non_empty_vec};
use crate::types::protojson::nullable;
use crate::types::{self, Struct};

pub use crate::types::{AgentCardSignature, AgentProvider};

/// The transport names of [`AgentCard::preferred_transport`] and
/// [`AgentInterface::transport`]: the same names as 1.0's bindings.
pub mod transport {
    /// JSON-RPC 2.0 over HTTP.
    pub const JSONRPC: &str = crate::types::binding::JSONRPC;
    /// gRPC.
    pub const GRPC: &str = crate::types::binding::GRPC;
    /// HTTP+JSON (REST).
    pub const HTTP_JSON: &str = crate::types::binding::HTTP_JSON;
}

/// The `protocolVersion` a v0.3 card without one declares (the v0.3 SDKs' default).
pub const DEFAULT_PROTOCOL_VERSION: &str = "0.3.0";

fn default_transport() -> String {
    transport::JSONRPC.to_owned()
}

fn default_protocol_version() -> String {
    DEFAULT_PROTOCOL_VERSION.to_owned()
}

/// `preferredTransport`: absent or `null` is JSON-RPC, as in the v0.3 SDKs.
fn transport_or_default<'de, D: Deserializer<'de>>(deserializer: D) -> Result<String, D::Error> {
    Ok(Option::<String>::deserialize(deserializer)?.unwrap_or_else(default_transport))
}

/// `protocolVersion`: absent or `null` is [`DEFAULT_PROTOCOL_VERSION`].
fn version_or_default<'de, D: Deserializer<'de>>(deserializer: D) -> Result<String, D::Error> {
    Ok(Option::<String>::deserialize(deserializer)?.unwrap_or_else(default_protocol_version))
}

/// A v0.3 agent card.
///
/// # Conversion with 1.0
///
/// 1.0 lists every endpoint in `supportedInterfaces`, each with its
/// protocol version. Going to 1.0, the main endpoint (`url`,
/// `preferredTransport`) comes first, then each `additionalInterfaces`
/// entry that is not the main one again, all with the card's
/// `protocolVersion`.
///
/// Going to v0.3, the main endpoint is the first interface whose version
/// is a 0.x one (the interfaces a v0.3 client can use), or else the first
/// interface; `protocolVersion` is its version, and `additionalInterfaces`
/// lists every interface of that same version, the main one included, when
/// there is more than one. Lost that way: interfaces of other versions, and
/// every interface's tenant. Also mapped: 1.0's
/// `capabilities.extendedAgentCard` ↔ v0.3's top-level
/// `supportsAuthenticatedExtendedCard`, `securityRequirements` ↔
/// `security`, the schemes (see [`SecurityScheme`]). Lost going to 1.0: the
/// `stateTransitionHistory` capability. Absent optional lists and strings
/// are empty in 1.0, and the reverse.
///
/// ```
/// use a2akit::{types, v0_3};
///
/// let v1 = types::AgentCard::builder()
///     .name("Weather")
///     .supported_interface(types::AgentInterface::new("https://w.example/a2a/v1", "JSONRPC"))
///     .supported_interface(types::AgentInterface::new("https://w.example/a2a/v03", "JSONRPC").with_protocol_version("0.3"))
///     .supported_interface(types::AgentInterface::new("https://w.example/rest/v03", "HTTP+JSON").with_protocol_version("0.3"))
///     .build();
/// let card = v0_3::AgentCard::from(v1);
/// assert_eq!(card.url, "https://w.example/a2a/v03");
/// assert_eq!(card.preferred_transport, "JSONRPC");
/// assert_eq!(card.protocol_version, "0.3");
/// assert_eq!(card.additional_interfaces.as_ref().map(Vec::len), Some(2));
/// ```
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AgentCard {
    /// More endpoints (the main one is usually listed again).
    #[serde(alias = "additional_interfaces", default, skip_serializing_if = "Option::is_none")]
    pub additional_interfaces: Option<Vec<AgentInterface>>,
    /// The optional protocol features the agent supports.
    #[serde(default, deserialize_with = "nullable")]
    pub capabilities: AgentCapabilities,
    /// Media types the agent accepts by default.
    #[serde(alias = "default_input_modes", default, deserialize_with = "nullable")]
    pub default_input_modes: Vec<String>,
    /// Media types the agent produces by default.
    #[serde(alias = "default_output_modes", default, deserialize_with = "nullable")]
    pub default_output_modes: Vec<String>,
    /// What the agent does.
    #[serde(default, deserialize_with = "nullable")]
    pub description: String,
    /// Where its documentation lives.
    #[serde(alias = "documentation_url", default, skip_serializing_if = "Option::is_none")]
    pub documentation_url: Option<String>,
    /// URL of an icon.
    #[serde(alias = "icon_url", default, skip_serializing_if = "Option::is_none")]
    pub icon_url: Option<String>,
    /// A human-readable name.
    #[serde(default, deserialize_with = "nullable")]
    pub name: String,
    /// The transport of `url` ([`transport`]); `JSONRPC` when absent.
    #[serde(
        alias = "preferred_transport",
        default = "default_transport",
        deserialize_with = "transport_or_default"
    )]
    pub preferred_transport: String,
    /// The A2A version the card's endpoints speak; `0.3.0` when absent.
    #[serde(
        alias = "protocol_version",
        default = "default_protocol_version",
        deserialize_with = "version_or_default"
    )]
    pub protocol_version: String,
    /// Who runs the agent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider: Option<AgentProvider>,
    /// Alternatives (any one suffices) of schemes needed to call the agent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub security: Option<Vec<SecurityRequirement>>,
    /// Named ways to authenticate.
    #[serde(alias = "security_schemes", default, skip_serializing_if = "Option::is_none")]
    pub security_schemes: Option<BTreeMap<String, SecurityScheme>>,
    /// JWS signatures over the card.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signatures: Option<Vec<AgentCardSignature>>,
    /// What the agent can do.
    #[serde(default, deserialize_with = "nullable")]
    pub skills: Vec<AgentSkill>,
    /// Whether `agent/getAuthenticatedExtendedCard` serves a fuller card.
    #[serde(
        alias = "supports_authenticated_extended_card",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub supports_authenticated_extended_card: Option<bool>,
    /// The main endpoint.
    #[serde(default, deserialize_with = "nullable")]
    pub url: String,
    /// The agent's own version.
    #[serde(default, deserialize_with = "nullable")]
    pub version: String,
}

/// An endpoint: a URL and the transport spoken there.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct AgentInterface {
    /// `JSONRPC`, `GRPC` or `HTTP+JSON` ([`transport`]).
    #[serde(default, deserialize_with = "nullable")]
    pub transport: String,
    /// The endpoint.
    #[serde(default, deserialize_with = "nullable")]
    pub url: String,
}

/// The optional protocol features an agent supports.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AgentCapabilities {
    /// The protocol extensions supported.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extensions: Option<Vec<AgentExtension>>,
    /// Push notifications.
    #[serde(alias = "push_notifications", default, skip_serializing_if = "Option::is_none")]
    pub push_notifications: Option<bool>,
    /// Whether the agent keeps a history of state transitions (no 1.0 equivalent).
    #[serde(alias = "state_transition_history", default, skip_serializing_if = "Option::is_none")]
    pub state_transition_history: Option<bool>,
    /// Streaming.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub streaming: Option<bool>,
}

/// A protocol extension the agent supports.
///
/// Converts with [`types::AgentExtension`]; an absent description and
/// `required` are empty and false in 1.0 (so `"required": false` comes
/// back absent).
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct AgentExtension {
    /// How the agent uses it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Extension-specific settings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub params: Option<Struct>,
    /// Whether clients must use it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub required: Option<bool>,
    /// The extension's URI.
    #[serde(default, deserialize_with = "nullable")]
    pub uri: String,
}

/// Something the agent can do.
///
/// Converts with [`types::AgentSkill`] (`security` ↔ `securityRequirements`).
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AgentSkill {
    /// What the skill does.
    #[serde(default, deserialize_with = "nullable")]
    pub description: String,
    /// Example prompts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub examples: Option<Vec<String>>,
    /// Unique id of the skill.
    #[serde(default, deserialize_with = "nullable")]
    pub id: String,
    /// Accepted media types, when they differ from the card's defaults.
    #[serde(alias = "input_modes", default, skip_serializing_if = "Option::is_none")]
    pub input_modes: Option<Vec<String>>,
    /// A human-readable name.
    #[serde(default, deserialize_with = "nullable")]
    pub name: String,
    /// Produced media types, when they differ from the card's defaults.
    #[serde(alias = "output_modes", default, skip_serializing_if = "Option::is_none")]
    pub output_modes: Option<Vec<String>>,
    /// Security requirements specific to this skill.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub security: Option<Vec<SecurityRequirement>>,
    /// Keywords.
    #[serde(default, deserialize_with = "nullable")]
    pub tags: Vec<String>,
}

impl From<AgentExtension> for types::AgentExtension {
    fn from(extension: AgentExtension) -> Self {
        Self {
            uri: extension.uri,
            description: extension.description.unwrap_or_default(),
            required: extension.required.unwrap_or_default(),
            params: extension.params,
        }
    }
}

impl From<types::AgentExtension> for AgentExtension {
    fn from(extension: types::AgentExtension) -> Self {
        Self {
            description: non_empty(extension.description),
            params: extension.params,
            required: extension.required.then_some(true),
            uri: extension.uri,
        }
    }
}

impl From<AgentSkill> for types::AgentSkill {
    fn from(skill: AgentSkill) -> Self {
        Self {
            id: skill.id,
            name: skill.name,
            description: skill.description,
            tags: skill.tags,
            examples: skill.examples.unwrap_or_default(),
            input_modes: skill.input_modes.unwrap_or_default(),
            output_modes: skill.output_modes.unwrap_or_default(),
            security_requirements: skill
                .security
                .into_iter()
                .flatten()
                .map(requirement_to_v1)
                .collect(),
        }
    }
}

impl From<types::AgentSkill> for AgentSkill {
    fn from(skill: types::AgentSkill) -> Self {
        Self {
            description: skill.description,
            examples: non_empty_vec(skill.examples),
            id: skill.id,
            input_modes: non_empty_vec(skill.input_modes),
            name: skill.name,
            output_modes: non_empty_vec(skill.output_modes),
            security: non_empty_vec(
                skill
                    .security_requirements
                    .into_iter()
                    .map(requirement_from_v1)
                    .collect(),
            ),
            tags: skill.tags,
        }
    }
}

/// Whether an interface of this protocol version is one a v0.3 client can use.
fn is_v0(protocol_version: &str) -> bool {
    protocol_version.starts_with("0.")
}

impl From<AgentCard> for types::AgentCard {
    fn from(card: AgentCard) -> Self {
        let interface = |url: String, transport: String| types::AgentInterface {
            url,
            protocol_binding: transport,
            tenant: String::new(),
            protocol_version: card.protocol_version.clone(),
        };
        let mut interfaces = vec![interface(card.url, card.preferred_transport)];
        for extra in card.additional_interfaces.into_iter().flatten() {
            let seen = interfaces
                .iter()
                .any(|known| known.url == extra.url && known.protocol_binding == extra.transport);
            if !seen {
                interfaces.push(interface(extra.url, extra.transport));
            }
        }
        let capabilities = types::AgentCapabilities {
            streaming: card.capabilities.streaming,
            push_notifications: card.capabilities.push_notifications,
            extensions: card
                .capabilities
                .extensions
                .into_iter()
                .flatten()
                .map(Into::into)
                .collect(),
            extended_agent_card: card.supports_authenticated_extended_card,
        };
        Self {
            name: card.name,
            description: card.description,
            supported_interfaces: interfaces,
            provider: card.provider,
            version: card.version,
            documentation_url: card.documentation_url,
            capabilities,
            security_schemes: card
                .security_schemes
                .into_iter()
                .flatten()
                .map(|(name, scheme)| (name, scheme.into()))
                .collect(),
            security_requirements: card
                .security
                .into_iter()
                .flatten()
                .map(requirement_to_v1)
                .collect(),
            default_input_modes: card.default_input_modes,
            default_output_modes: card.default_output_modes,
            skills: card.skills.into_iter().map(Into::into).collect(),
            signatures: card.signatures.unwrap_or_default(),
            icon_url: card.icon_url,
        }
    }
}

impl From<types::AgentCard> for AgentCard {
    fn from(card: types::AgentCard) -> Self {
        let main = card
            .supported_interfaces
            .iter()
            .find(|interface| is_v0(&interface.protocol_version))
            .or(card.supported_interfaces.first())
            .cloned();
        let (url, preferred_transport, protocol_version, additional_interfaces) = match main {
            Some(main) => {
                let same_version: Vec<AgentInterface> = card
                    .supported_interfaces
                    .into_iter()
                    .filter(|interface| interface.protocol_version == main.protocol_version)
                    .map(|interface| AgentInterface {
                        transport: interface.protocol_binding,
                        url: interface.url,
                    })
                    .collect();
                let additional = (same_version.len() > 1).then_some(same_version);
                (main.url, main.protocol_binding, main.protocol_version, additional)
            }
            None => (
                String::new(),
                default_transport(),
                default_protocol_version(),
                None,
            ),
        };
        let capabilities = AgentCapabilities {
            extensions: non_empty_vec(card.capabilities.extensions.into_iter().map(Into::into).collect()),
            push_notifications: card.capabilities.push_notifications,
            state_transition_history: None,
            streaming: card.capabilities.streaming,
        };
        Self {
            additional_interfaces,
            capabilities,
            default_input_modes: card.default_input_modes,
            default_output_modes: card.default_output_modes,
            description: card.description,
            documentation_url: card.documentation_url,
            icon_url: card.icon_url,
            name: card.name,
            preferred_transport,
            protocol_version,
            provider: card.provider,
            security: non_empty_vec(
                card.security_requirements
                    .into_iter()
                    .map(requirement_from_v1)
                    .collect(),
            ),
            security_schemes: (!card.security_schemes.is_empty()).then(|| {
                card.security_schemes
                    .into_iter()
                    .map(|(name, scheme)| (name, scheme.into()))
                    .collect()
            }),
            signatures: non_empty_vec(card.signatures),
            skills: card.skills.into_iter().map(Into::into).collect(),
            supports_authenticated_extended_card: card.capabilities.extended_agent_card,
            url,
            version: card.version,
        }
    }
}
