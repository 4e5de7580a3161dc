//! The agent card and its parts.

use super::well_known::to_struct;
use super::{FromProto, Invalid, map, optional, repeated, to_proto_map, to_protos, try_from_proto};
use crate::proto::v1;
use crate::types::{
    AgentCapabilities, AgentCard, AgentCardSignature, AgentExtension, AgentInterface, AgentProvider,
    AgentSkill,
};

try_from_proto! {
    AgentCard => v1::AgentCard,
    AgentInterface => v1::AgentInterface,
    AgentProvider => v1::AgentProvider,
    AgentCapabilities => v1::AgentCapabilities,
    AgentExtension => v1::AgentExtension,
    AgentSkill => v1::AgentSkill,
    AgentCardSignature => v1::AgentCardSignature,
}

impl From<AgentCard> for v1::AgentCard {
    fn from(card: AgentCard) -> Self {
        Self {
            name: card.name,
            description: card.description,
            supported_interfaces: to_protos(card.supported_interfaces),
            provider: card.provider.map(Into::into),
            version: card.version,
            documentation_url: card.documentation_url,
            capabilities: Some(card.capabilities.into()),
            security_schemes: to_proto_map(card.security_schemes),
            security_requirements: to_protos(card.security_requirements),
            default_input_modes: card.default_input_modes,
            default_output_modes: card.default_output_modes,
            skills: to_protos(card.skills),
            signatures: to_protos(card.signatures),
            icon_url: card.icon_url,
        }
    }
}

impl FromProto<v1::AgentCard> for AgentCard {
    fn from_proto(proto: v1::AgentCard) -> Result<Self, Invalid> {
        Ok(Self {
            name: proto.name,
            description: proto.description,
            supported_interfaces: repeated(proto.supported_interfaces, "supportedInterfaces")?,
            provider: optional(proto.provider, "provider")?,
            version: proto.version,
            documentation_url: proto.documentation_url,
            // Absent reads as "no optional feature", as it does from JSON.
            capabilities: optional(proto.capabilities, "capabilities")?.unwrap_or_default(),
            security_schemes: map(proto.security_schemes, "securitySchemes")?,
            security_requirements: repeated(proto.security_requirements, "securityRequirements")?,
            default_input_modes: proto.default_input_modes,
            default_output_modes: proto.default_output_modes,
            skills: repeated(proto.skills, "skills")?,
            signatures: repeated(proto.signatures, "signatures")?,
            icon_url: proto.icon_url,
        })
    }
}

impl From<AgentInterface> for v1::AgentInterface {
    fn from(interface: AgentInterface) -> Self {
        Self {
            url: interface.url,
            protocol_binding: interface.protocol_binding,
            tenant: interface.tenant,
            protocol_version: interface.protocol_version,
        }
    }
}

impl FromProto<v1::AgentInterface> for AgentInterface {
    fn from_proto(proto: v1::AgentInterface) -> Result<Self, Invalid> {
        Ok(Self {
            url: proto.url,
            protocol_binding: proto.protocol_binding,
            tenant: proto.tenant,
            protocol_version: proto.protocol_version,
        })
    }
}

impl From<AgentProvider> for v1::AgentProvider {
    fn from(provider: AgentProvider) -> Self {
        Self {
            url: provider.url,
            organization: provider.organization,
        }
    }
}

impl FromProto<v1::AgentProvider> for AgentProvider {
    fn from_proto(proto: v1::AgentProvider) -> Result<Self, Invalid> {
        Ok(Self {
            url: proto.url,
            organization: proto.organization,
        })
    }
}

impl From<AgentCapabilities> for v1::AgentCapabilities {
    fn from(capabilities: AgentCapabilities) -> Self {
        Self {
            streaming: capabilities.streaming,
            push_notifications: capabilities.push_notifications,
            extensions: to_protos(capabilities.extensions),
            extended_agent_card: capabilities.extended_agent_card,
        }
    }
}

impl FromProto<v1::AgentCapabilities> for AgentCapabilities {
    fn from_proto(proto: v1::AgentCapabilities) -> Result<Self, Invalid> {
        Ok(Self {
            streaming: proto.streaming,
            push_notifications: proto.push_notifications,
            extensions: repeated(proto.extensions, "extensions")?,
            extended_agent_card: proto.extended_agent_card,
        })
    }
}

impl From<AgentExtension> for v1::AgentExtension {
    fn from(extension: AgentExtension) -> Self {
        Self {
            uri: extension.uri,
            description: extension.description,
            required: extension.required,
            params: extension.params.map(to_struct),
        }
    }
}

impl FromProto<v1::AgentExtension> for AgentExtension {
    fn from_proto(proto: v1::AgentExtension) -> Result<Self, Invalid> {
        Ok(Self {
            uri: proto.uri,
            description: proto.description,
            required: proto.required,
            params: optional(proto.params, "params")?,
        })
    }
}

impl From<AgentSkill> for v1::AgentSkill {
    fn from(skill: AgentSkill) -> Self {
        Self {
            id: skill.id,
            name: skill.name,
            description: skill.description,
            tags: skill.tags,
            examples: skill.examples,
            input_modes: skill.input_modes,
            output_modes: skill.output_modes,
            security_requirements: to_protos(skill.security_requirements),
        }
    }
}

impl FromProto<v1::AgentSkill> for AgentSkill {
    fn from_proto(proto: v1::AgentSkill) -> Result<Self, Invalid> {
        Ok(Self {
            id: proto.id,
            name: proto.name,
            description: proto.description,
            tags: proto.tags,
            examples: proto.examples,
            input_modes: proto.input_modes,
            output_modes: proto.output_modes,
            security_requirements: repeated(proto.security_requirements, "securityRequirements")?,
        })
    }
}

impl From<AgentCardSignature> for v1::AgentCardSignature {
    fn from(signature: AgentCardSignature) -> Self {
        Self {
            protected: signature.protected,
            signature: signature.signature,
            header: signature.header.map(to_struct),
        }
    }
}

impl FromProto<v1::AgentCardSignature> for AgentCardSignature {
    fn from_proto(proto: v1::AgentCardSignature) -> Result<Self, Invalid> {
        Ok(Self {
            protected: proto.protected,
            signature: proto.signature,
            header: optional(proto.header, "header")?,
        })
    }
}
