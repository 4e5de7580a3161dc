//! The agent card: who an agent is, where it listens and what it can do.

use std::collections::BTreeMap;

use super::protojson::{is_false, nullable};
use super::{SecurityRequirement, SecurityScheme, Struct};

/// The protocol binding names of [`AgentInterface::protocol_binding`].
pub mod binding {
    /// JSON-RPC 2.0 over HTTP.
    pub const JSONRPC: &str = "JSONRPC";
    /// gRPC over HTTP/2.
    pub const GRPC: &str = "GRPC";
    /// HTTP+JSON (REST).
    pub const HTTP_JSON: &str = "HTTP+JSON";
}

/// The self-description an agent publishes at `/.well-known/agent-card.json`.
///
/// ```
/// use a2akit::types::{AgentCard, AgentSkill, binding};
///
/// let card = AgentCard::builder()
///     .name("Weather")
///     .description("Forecasts for any city")
///     .version("1.2.0")
///     .interface("https://weather.example.com/a2a", binding::JSONRPC)
///     .streaming(true)
///     .skill(AgentSkill::new("forecast", "Forecast", "Tomorrow's weather").with_tags(["weather"]))
///     .build();
/// assert_eq!(card.supported_interfaces[0].protocol_version, "1.0");
/// assert_eq!(card.capabilities.streaming, Some(true));
/// ```
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AgentCard {
    /// A human-readable name.
    #[serde(default, deserialize_with = "nullable")]
    pub name: String,
    /// What the agent does.
    #[serde(default, deserialize_with = "nullable")]
    pub description: String,
    /// Where and how to reach the agent, preferred first.
    #[serde(alias = "supported_interfaces")]
    #[serde(default, deserialize_with = "nullable")]
    pub supported_interfaces: Vec<AgentInterface>,
    /// Who runs the agent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider: Option<AgentProvider>,
    /// The agent's own version (not the protocol's).
    #[serde(default, deserialize_with = "nullable")]
    pub version: String,
    /// Where its documentation lives.
    #[serde(alias = "documentation_url")]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub documentation_url: Option<String>,
    /// The optional protocol features it supports.
    #[serde(default, deserialize_with = "nullable")]
    pub capabilities: AgentCapabilities,
    /// Named ways to authenticate, referred to by `security_requirements`.
    #[serde(alias = "security_schemes")]
    #[serde(default, deserialize_with = "nullable", skip_serializing_if = "BTreeMap::is_empty")]
    pub security_schemes: BTreeMap<String, SecurityScheme>,
    /// Alternatives (any one suffices) of schemes needed to call the agent.
    #[serde(alias = "security_requirements")]
    #[serde(default, deserialize_with = "nullable", skip_serializing_if = "Vec::is_empty")]
    pub security_requirements: Vec<SecurityRequirement>,
    /// Media types the agent accepts by default.
    #[serde(alias = "default_input_modes")]
    #[serde(default, deserialize_with = "nullable")]
    pub default_input_modes: Vec<String>,
    /// Media types the agent produces by default.
    #[serde(alias = "default_output_modes")]
    #[serde(default, deserialize_with = "nullable")]
    pub default_output_modes: Vec<String>,
    /// What the agent can do.
    #[serde(default, deserialize_with = "nullable")]
    pub skills: Vec<AgentSkill>,
    /// JWS signatures over the card.
    #[serde(default, deserialize_with = "nullable", skip_serializing_if = "Vec::is_empty")]
    pub signatures: Vec<AgentCardSignature>,
    /// URL of an icon.
    #[serde(alias = "icon_url")]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub icon_url: Option<String>,
}

impl AgentCard {
    /// Starts a card: text in and out by default, no capabilities, version `1.0.0`.
    pub fn builder() -> AgentCardBuilder {
        AgentCardBuilder {
            card: AgentCard {
                name: String::new(),
                description: String::new(),
                supported_interfaces: Vec::new(),
                provider: None,
                version: "1.0.0".to_owned(),
                documentation_url: None,
                capabilities: AgentCapabilities::default(),
                security_schemes: BTreeMap::new(),
                security_requirements: Vec::new(),
                default_input_modes: vec!["text/plain".to_owned()],
                default_output_modes: vec!["text/plain".to_owned()],
                skills: Vec::new(),
                signatures: Vec::new(),
                icon_url: None,
            },
        }
    }
}

/// Builds an [`AgentCard`] one readable line at a time; see [`AgentCard::builder`].
#[derive(Debug, Clone)]
#[must_use]
pub struct AgentCardBuilder {
    card: AgentCard,
}

impl AgentCardBuilder {
    /// Sets the name.
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.card.name = name.into();
        self
    }

    /// Sets the description.
    pub fn description(mut self, description: impl Into<String>) -> Self {
        self.card.description = description.into();
        self
    }

    /// Sets the agent's version.
    pub fn version(mut self, version: impl Into<String>) -> Self {
        self.card.version = version.into();
        self
    }

    /// Adds an interface speaking protocol version 1.0 (see [`binding`] for the names).
    pub fn interface(self, url: impl Into<String>, protocol_binding: impl Into<String>) -> Self {
        self.supported_interface(AgentInterface::new(url, protocol_binding))
    }

    /// Adds an interface.
    pub fn supported_interface(mut self, interface: AgentInterface) -> Self {
        self.card.supported_interfaces.push(interface);
        self
    }

    /// Sets the provider.
    pub fn provider(mut self, organization: impl Into<String>, url: impl Into<String>) -> Self {
        self.card.provider = Some(AgentProvider {
            organization: organization.into(),
            url: url.into(),
        });
        self
    }

    /// Sets the documentation URL.
    pub fn documentation_url(mut self, url: impl Into<String>) -> Self {
        self.card.documentation_url = Some(url.into());
        self
    }

    /// Sets the icon URL.
    pub fn icon_url(mut self, url: impl Into<String>) -> Self {
        self.card.icon_url = Some(url.into());
        self
    }

    /// Declares whether the agent streams.
    pub fn streaming(mut self, enabled: bool) -> Self {
        self.card.capabilities.streaming = Some(enabled);
        self
    }

    /// Declares whether the agent sends push notifications.
    pub fn push_notifications(mut self, enabled: bool) -> Self {
        self.card.capabilities.push_notifications = Some(enabled);
        self
    }

    /// Declares whether the agent serves an extended card to authenticated callers.
    pub fn extended_agent_card(mut self, enabled: bool) -> Self {
        self.card.capabilities.extended_agent_card = Some(enabled);
        self
    }

    /// Adds a protocol extension the agent supports.
    pub fn extension(mut self, extension: AgentExtension) -> Self {
        self.card.capabilities.extensions.push(extension);
        self
    }

    /// Adds a named security scheme.
    pub fn security_scheme(mut self, name: impl Into<String>, scheme: SecurityScheme) -> Self {
        self.card.security_schemes.insert(name.into(), scheme);
        self
    }

    /// Adds an alternative security requirement.
    pub fn security_requirement(mut self, requirement: SecurityRequirement) -> Self {
        self.card.security_requirements.push(requirement);
        self
    }

    /// Replaces the default input media types.
    pub fn default_input_modes<S: Into<String>>(mut self, modes: impl IntoIterator<Item = S>) -> Self {
        self.card.default_input_modes = modes.into_iter().map(Into::into).collect();
        self
    }

    /// Replaces the default output media types.
    pub fn default_output_modes<S: Into<String>>(mut self, modes: impl IntoIterator<Item = S>) -> Self {
        self.card.default_output_modes = modes.into_iter().map(Into::into).collect();
        self
    }

    /// Adds a skill.
    pub fn skill(mut self, skill: AgentSkill) -> Self {
        self.card.skills.push(skill);
        self
    }

    /// The card.
    pub fn build(self) -> AgentCard {
        self.card
    }
}

/// One way to reach the agent: a URL, a protocol binding and a protocol version.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AgentInterface {
    /// The endpoint (for gRPC, `host:port`).
    #[serde(default, deserialize_with = "nullable")]
    pub url: String,
    /// `JSONRPC`, `GRPC`, `HTTP+JSON` or a custom binding's URI; see [`binding`].
    #[serde(alias = "protocol_binding")]
    #[serde(default, deserialize_with = "nullable")]
    pub protocol_binding: String,
    /// The tenant to send in every request; empty when not set.
    #[serde(default, deserialize_with = "nullable", skip_serializing_if = "String::is_empty")]
    pub tenant: String,
    /// The A2A version served there, e.g. `1.0`.
    #[serde(alias = "protocol_version")]
    #[serde(default, deserialize_with = "nullable")]
    pub protocol_version: String,
}

impl AgentInterface {
    /// An interface at `url` speaking `protocol_binding` and protocol version 1.0.
    pub fn new(url: impl Into<String>, protocol_binding: impl Into<String>) -> Self {
        Self {
            url: url.into(),
            protocol_binding: protocol_binding.into(),
            tenant: String::new(),
            protocol_version: crate::PROTOCOL_VERSION.to_owned(),
        }
    }

    /// Sets the tenant.
    pub fn with_tenant(mut self, tenant: impl Into<String>) -> Self {
        self.tenant = tenant.into();
        self
    }

    /// Sets the protocol version the interface speaks (`1.0` by default).
    pub fn with_protocol_version(mut self, version: impl Into<String>) -> Self {
        self.protocol_version = version.into();
        self
    }
}

/// The organisation that runs the agent.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct AgentProvider {
    /// The organisation's website.
    #[serde(default, deserialize_with = "nullable")]
    pub url: String,
    /// The organisation's name.
    #[serde(default, deserialize_with = "nullable")]
    pub organization: String,
}

/// The optional protocol features an agent supports; an absent one is not supported.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AgentCapabilities {
    /// `SendStreamingMessage` and `SubscribeToTask`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub streaming: Option<bool>,
    /// The push notification config operations and webhook delivery.
    #[serde(alias = "push_notifications")]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub push_notifications: Option<bool>,
    /// The protocol extensions supported.
    #[serde(default, deserialize_with = "nullable", skip_serializing_if = "Vec::is_empty")]
    pub extensions: Vec<AgentExtension>,
    /// `GetExtendedAgentCard`.
    #[serde(alias = "extended_agent_card")]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extended_agent_card: Option<bool>,
}

impl AgentCapabilities {
    /// Whether streaming is declared.
    pub fn supports_streaming(&self) -> bool {
        self.streaming == Some(true)
    }

    /// Whether push notifications are declared.
    pub fn supports_push_notifications(&self) -> bool {
        self.push_notifications == Some(true)
    }

    /// Whether the extended card is declared.
    pub fn supports_extended_agent_card(&self) -> bool {
        self.extended_agent_card == Some(true)
    }
}

/// A protocol extension the agent supports.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct AgentExtension {
    /// The extension's URI.
    #[serde(default, deserialize_with = "nullable", skip_serializing_if = "String::is_empty")]
    pub uri: String,
    /// How the agent uses it; empty when not set.
    #[serde(default, deserialize_with = "nullable", skip_serializing_if = "String::is_empty")]
    pub description: String,
    /// Whether clients must request it in `A2A-Extensions`.
    #[serde(default, deserialize_with = "nullable", skip_serializing_if = "is_false")]
    pub required: bool,
    /// Extension-specific settings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub params: Option<Struct>,
}

impl AgentExtension {
    /// The extension at `uri`.
    pub fn new(uri: impl Into<String>) -> Self {
        Self {
            uri: uri.into(),
            ..Self::default()
        }
    }

    /// Marks it required.
    pub fn required(mut self, required: bool) -> Self {
        self.required = required;
        self
    }
}

/// Something the agent can do.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AgentSkill {
    /// Unique id of the skill.
    #[serde(default, deserialize_with = "nullable")]
    pub id: String,
    /// A human-readable name.
    #[serde(default, deserialize_with = "nullable")]
    pub name: String,
    /// What the skill does.
    #[serde(default, deserialize_with = "nullable")]
    pub description: String,
    /// Keywords.
    #[serde(default, deserialize_with = "nullable")]
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
    #[serde(alias = "security_requirements")]
    #[serde(default, deserialize_with = "nullable", skip_serializing_if = "Vec::is_empty")]
    pub security_requirements: Vec<SecurityRequirement>,
}

impl AgentSkill {
    /// A skill with this id, name and description.
    pub fn new(id: impl Into<String>, name: impl Into<String>, description: impl Into<String>) -> Self {
        Self {
            id: id.into(),
            name: name.into(),
            description: description.into(),
            tags: Vec::new(),
            examples: Vec::new(),
            input_modes: Vec::new(),
            output_modes: Vec::new(),
            security_requirements: Vec::new(),
        }
    }

    /// Sets the tags.
    pub fn with_tags<S: Into<String>>(mut self, tags: impl IntoIterator<Item = S>) -> Self {
        self.tags = tags.into_iter().map(Into::into).collect();
        self
    }

    /// Sets the examples.
    pub fn with_examples<S: Into<String>>(mut self, examples: impl IntoIterator<Item = S>) -> Self {
        self.examples = examples.into_iter().map(Into::into).collect();
        self
    }
}

/// A JWS signature over the card (detached payload, RFC 7515).
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct AgentCardSignature {
    /// The base64url-encoded protected header.
    #[serde(default, deserialize_with = "nullable")]
    pub protected: String,
    /// The base64url-encoded signature.
    #[serde(default, deserialize_with = "nullable")]
    pub signature: String,
    /// The unprotected header.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub header: Option<Struct>,
}
