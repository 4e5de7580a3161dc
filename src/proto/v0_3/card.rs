//! The agent card and its parts.
//!
//! The card is where the versions differ most: 1.0 lists every endpoint in
//! `supported_interfaces`, each with its protocol version, where v0.3 has
//! one main endpoint (`url`, `preferred_transport`), the others in
//! `additional_interfaces`, and one `protocol_version` for all. The rules
//! are those of the v0.3 JSON-RPC card ([`crate::v0_3::AgentCard`]) and of
//! the same proto's JSON ([`crate::v0_3::rest::AgentCard`]).

use crate::proto::convert::well_known::to_struct;
use crate::proto::convert::{
    FromProto, Invalid, map, optional, repeated, to_proto_map, to_protos, try_from_proto,
};
use crate::proto::v0_3;
use crate::types::{
    AgentCapabilities, AgentCard, AgentCardSignature, AgentExtension, AgentInterface, AgentProvider,
    AgentSkill,
};
use crate::v0_3::{DEFAULT_PROTOCOL_VERSION, transport};

try_from_proto! {
    AgentCard => v0_3::AgentCard,
    AgentProvider => v0_3::AgentProvider,
    AgentCapabilities => v0_3::AgentCapabilities,
    AgentExtension => v0_3::AgentExtension,
    AgentSkill => v0_3::AgentSkill,
    AgentCardSignature => v0_3::AgentCardSignature,
}

/// Whether an interface of this protocol version is one a v0.3 client can use.
fn is_v0(protocol_version: &str) -> bool {
    protocol_version.starts_with("0.")
}

/// `None` for an empty string: a plain v0.3 string read as an optional 1.0 one.
fn non_empty(text: String) -> Option<String> {
    (!text.is_empty()).then_some(text)
}

/// A 1.0 card as v0.3 has it.
///
/// The main endpoint is the first interface whose version is a 0.x one
/// (the interfaces a v0.3 client can use), or else the first interface;
/// `protocol_version` is its version, and `additional_interfaces` lists
/// every interface of that same version, the main one included, when there
/// is more than one. Lost that way: interfaces of other versions, and every
/// interface's tenant. A card without interfaces has an empty `url`,
/// `preferred_transport` and `protocol_version`.
///
/// The capabilities are plain `bool`s in v0.3: a capability declared `false`
/// is written as undeclared, and reads back as such (`None`). 1.0's
/// `capabilities.extended_agent_card` is v0.3's
/// `supports_authenticated_extended_card`, `security_requirements` its
/// `security` (on the card and on each skill); the schemes and flows
/// convert as [`v0_3::SecurityScheme`]'s conversion says. An absent
/// `documentation_url` or `icon_url` is an empty string in v0.3.
///
/// Reading a v0.3 card, the main endpoint (when `url` is set, with
/// `preferred_transport`, `JSONRPC` when empty) comes first, then each
/// additional interface that is not the main one again, all with the
/// card's `protocol_version` (`0.3.0` when empty).
impl From<AgentCard> for v0_3::AgentCard {
    fn from(card: AgentCard) -> Self {
        let main = card
            .supported_interfaces
            .iter()
            .find(|interface| is_v0(&interface.protocol_version))
            .or(card.supported_interfaces.first())
            .cloned()
            .unwrap_or_default();
        let same_version: Vec<v0_3::AgentInterface> = card
            .supported_interfaces
            .into_iter()
            .filter(|interface| interface.protocol_version == main.protocol_version)
            .map(|interface| v0_3::AgentInterface {
                url: interface.url,
                transport: interface.protocol_binding,
            })
            .collect();
        let extended_card = card.capabilities.supports_extended_agent_card();
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
            provider: card.provider.map(Into::into),
            version: card.version,
            documentation_url: card.documentation_url.unwrap_or_default(),
            capabilities: Some(card.capabilities.into()),
            security_schemes: to_proto_map(card.security_schemes),
            security: to_protos(card.security_requirements),
            default_input_modes: card.default_input_modes,
            default_output_modes: card.default_output_modes,
            skills: to_protos(card.skills),
            supports_authenticated_extended_card: extended_card,
            signatures: to_protos(card.signatures),
            icon_url: card.icon_url.unwrap_or_default(),
        }
    }
}

impl FromProto<v0_3::AgentCard> for AgentCard {
    fn from_proto(proto: v0_3::AgentCard) -> Result<Self, Invalid> {
        let version = match proto.protocol_version.as_str() {
            "" => DEFAULT_PROTOCOL_VERSION.to_owned(),
            version => version.to_owned(),
        };
        let interface = |url: String, binding: String| AgentInterface {
            url,
            protocol_binding: binding,
            tenant: String::new(),
            protocol_version: version.clone(),
        };
        let mut interfaces = Vec::new();
        if !proto.url.is_empty() {
            let binding = match proto.preferred_transport.as_str() {
                "" => transport::JSONRPC.to_owned(),
                _ => proto.preferred_transport,
            };
            interfaces.push(interface(proto.url, binding));
        }
        for extra in proto.additional_interfaces {
            let seen = interfaces
                .iter()
                .any(|known| known.url == extra.url && known.protocol_binding == extra.transport);
            if !seen {
                interfaces.push(interface(extra.url, extra.transport));
            }
        }
        let mut capabilities: AgentCapabilities =
            optional(proto.capabilities, "capabilities")?.unwrap_or_default();
        capabilities.extended_agent_card = proto.supports_authenticated_extended_card.then_some(true);
        Ok(Self {
            name: proto.name,
            description: proto.description,
            supported_interfaces: interfaces,
            provider: optional(proto.provider, "provider")?,
            version: proto.version,
            documentation_url: non_empty(proto.documentation_url),
            capabilities,
            security_schemes: map(proto.security_schemes, "securitySchemes")?,
            security_requirements: repeated(proto.security, "security")?,
            default_input_modes: proto.default_input_modes,
            default_output_modes: proto.default_output_modes,
            skills: repeated(proto.skills, "skills")?,
            signatures: repeated(proto.signatures, "signatures")?,
            icon_url: non_empty(proto.icon_url),
        })
    }
}

impl From<AgentProvider> for v0_3::AgentProvider {
    fn from(provider: AgentProvider) -> Self {
        Self {
            url: provider.url,
            organization: provider.organization,
        }
    }
}

impl FromProto<v0_3::AgentProvider> for AgentProvider {
    fn from_proto(proto: v0_3::AgentProvider) -> Result<Self, Invalid> {
        Ok(Self {
            url: proto.url,
            organization: proto.organization,
        })
    }
}

/// Plain `bool`s in v0.3: a capability declared `false` is written as
/// undeclared and reads back as `None`. `extended_agent_card` is not here in
/// v0.3 but on the card ([`v0_3::AgentCard`]'s conversion): read alone,
/// these capabilities leave it undeclared.
impl From<AgentCapabilities> for v0_3::AgentCapabilities {
    fn from(capabilities: AgentCapabilities) -> Self {
        Self {
            streaming: capabilities.supports_streaming(),
            push_notifications: capabilities.supports_push_notifications(),
            extensions: to_protos(capabilities.extensions),
        }
    }
}

impl FromProto<v0_3::AgentCapabilities> for AgentCapabilities {
    fn from_proto(proto: v0_3::AgentCapabilities) -> Result<Self, Invalid> {
        Ok(Self {
            streaming: proto.streaming.then_some(true),
            push_notifications: proto.push_notifications.then_some(true),
            extensions: repeated(proto.extensions, "extensions")?,
            extended_agent_card: None,
        })
    }
}

impl From<AgentExtension> for v0_3::AgentExtension {
    fn from(extension: AgentExtension) -> Self {
        Self {
            uri: extension.uri,
            description: extension.description,
            required: extension.required,
            params: extension.params.map(to_struct),
        }
    }
}

impl FromProto<v0_3::AgentExtension> for AgentExtension {
    fn from_proto(proto: v0_3::AgentExtension) -> Result<Self, Invalid> {
        Ok(Self {
            uri: proto.uri,
            description: proto.description,
            required: proto.required,
            params: optional(proto.params, "params")?,
        })
    }
}

/// Field for field, 1.0's `security_requirements` being v0.3's `security`.
impl From<AgentSkill> for v0_3::AgentSkill {
    fn from(skill: AgentSkill) -> Self {
        Self {
            id: skill.id,
            name: skill.name,
            description: skill.description,
            tags: skill.tags,
            examples: skill.examples,
            input_modes: skill.input_modes,
            output_modes: skill.output_modes,
            security: to_protos(skill.security_requirements),
        }
    }
}

impl FromProto<v0_3::AgentSkill> for AgentSkill {
    fn from_proto(proto: v0_3::AgentSkill) -> Result<Self, Invalid> {
        Ok(Self {
            id: proto.id,
            name: proto.name,
            description: proto.description,
            tags: proto.tags,
            examples: proto.examples,
            input_modes: proto.input_modes,
            output_modes: proto.output_modes,
            security_requirements: repeated(proto.security, "security")?,
        })
    }
}

impl From<AgentCardSignature> for v0_3::AgentCardSignature {
    fn from(signature: AgentCardSignature) -> Self {
        Self {
            protected: signature.protected,
            signature: signature.signature,
            header: signature.header.map(to_struct),
        }
    }
}

impl FromProto<v0_3::AgentCardSignature> for AgentCardSignature {
    fn from_proto(proto: v0_3::AgentCardSignature) -> Result<Self, Invalid> {
        Ok(Self {
            protected: proto.protected,
            signature: proto.signature,
            header: optional(proto.header, "header")?,
        })
    }
}
