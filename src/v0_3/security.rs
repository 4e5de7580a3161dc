//! v0.3 security schemes (told apart by `type`) and requirements.

use std::collections::BTreeMap;

use serde::de::{Deserialize, Deserializer};
use serde::ser::{Serialize, Serializer};
use serde_json::Value;

use super::{non_empty, read_object as read};
use crate::types::protojson::nullable;
use crate::types::{self, Struct};

/// Scheme names (keys of the card's `securitySchemes`) to the scopes each
/// needs, all of them together; a list of requirements is satisfied when
/// any one of them is.
///
/// Converts with [`types::SecurityRequirement`] (scopes in a `StringList`)
/// when a card or a skill does.
pub type SecurityRequirement = BTreeMap<String, Vec<String>>;

/// The 1.0 form of a v0.3 requirement.
pub(super) fn requirement_to_v1(requirement: SecurityRequirement) -> types::SecurityRequirement {
    types::SecurityRequirement {
        schemes: requirement
            .into_iter()
            .map(|(name, scopes)| (name, scopes.into_iter().collect()))
            .collect(),
    }
}

/// The v0.3 form of a 1.0 requirement.
pub(super) fn requirement_from_v1(requirement: types::SecurityRequirement) -> SecurityRequirement {
    requirement
        .schemes
        .into_iter()
        .map(|(name, scopes)| (name, scopes.list))
        .collect()
}

/// A way to authenticate to the agent, told apart by `type`.
///
/// Converts with [`types::SecurityScheme`] member for member. Lossy: the
/// OAuth flows (see [`OAuthFlows`]); an unrecognized scheme converts to an
/// unrecognized one, whose content is lost.
///
/// ```
/// use a2akit::{types, v0_3};
///
/// let scheme: v0_3::SecurityScheme =
///     serde_json::from_str(r#"{"type": "apiKey", "in": "header", "name": "X-API-Key"}"#).unwrap();
/// let v1 = types::SecurityScheme::from(scheme);
/// assert!(matches!(&v1, types::SecurityScheme::ApiKey(key) if key.location == "header"));
/// ```
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum SecurityScheme {
    /// `"type": "apiKey"`.
    ApiKey(APIKeySecurityScheme),
    /// `"type": "http"`.
    HttpAuth(HTTPAuthSecurityScheme),
    /// `"type": "oauth2"` (boxed: its four optional flows make it the largest by far).
    OAuth2(Box<OAuth2SecurityScheme>),
    /// `"type": "openIdConnect"`.
    OpenIdConnect(OpenIdConnectSecurityScheme),
    /// `"type": "mutualTLS"`.
    MutualTls(MutualTLSSecurityScheme),
    /// A scheme of a `type` this version does not know, kept whole as sent.
    Unrecognized(Struct),
}

impl Serialize for SecurityScheme {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Self::ApiKey(scheme) => scheme.serialize(serializer),
            Self::HttpAuth(scheme) => scheme.serialize(serializer),
            Self::OAuth2(scheme) => scheme.serialize(serializer),
            Self::OpenIdConnect(scheme) => scheme.serialize(serializer),
            Self::MutualTls(scheme) => scheme.serialize(serializer),
            Self::Unrecognized(object) => object.serialize(serializer),
        }
    }
}

impl<'de> Deserialize<'de> for SecurityScheme {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let object = Struct::deserialize(deserializer)?;
        let kind = object.get("type").and_then(Value::as_str).unwrap_or_default();
        Ok(match kind {
            "apiKey" => Self::ApiKey(read(object)?),
            "http" => Self::HttpAuth(read(object)?),
            "oauth2" => Self::OAuth2(Box::new(read(object)?)),
            "openIdConnect" => Self::OpenIdConnect(read(object)?),
            "mutualTLS" => Self::MutualTls(read(object)?),
            _ => Self::Unrecognized(object),
        })
    }
}

/// An API key in a header, query parameter or cookie.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "type", rename = "apiKey")]
pub struct APIKeySecurityScheme {
    /// A description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Where the key goes: `query`, `header` or `cookie` (`in`; 1.0 calls it `location`).
    #[serde(rename = "in", default, deserialize_with = "nullable")]
    pub location: String,
    /// The name of the header, query parameter or cookie.
    #[serde(default, deserialize_with = "nullable")]
    pub name: String,
}

/// HTTP authentication (`Bearer`, `Basic`…).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "type", rename = "http", rename_all = "camelCase")]
pub struct HTTPAuthSecurityScheme {
    /// A hint at the bearer token's format.
    #[serde(alias = "bearer_format", default, skip_serializing_if = "Option::is_none")]
    pub bearer_format: Option<String>,
    /// A description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The scheme.
    #[serde(default, deserialize_with = "nullable")]
    pub scheme: String,
}

/// OAuth 2.0.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "type", rename = "oauth2", rename_all = "camelCase")]
pub struct OAuth2SecurityScheme {
    /// A description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The flows.
    #[serde(default, deserialize_with = "nullable")]
    pub flows: OAuthFlows,
    /// URL of the RFC 8414 authorization server metadata.
    #[serde(alias = "oauth2_metadata_url", default, skip_serializing_if = "Option::is_none")]
    pub oauth2_metadata_url: Option<String>,
}

/// OpenID Connect discovery.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "type", rename = "openIdConnect", rename_all = "camelCase")]
pub struct OpenIdConnectSecurityScheme {
    /// A description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The discovery URL.
    #[serde(alias = "open_id_connect_url", default, deserialize_with = "nullable")]
    pub open_id_connect_url: String,
}

/// Mutual TLS.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "type", rename = "mutualTLS")]
pub struct MutualTLSSecurityScheme {
    /// A description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// The OAuth 2.0 flows of a scheme: v0.3 may declare several at once.
///
/// 1.0 declares exactly one ([`types::OAuthFlows`]). Going to 1.0 the
/// first declared is kept, in the order authorization code, client
/// credentials, implicit, password (none gives an unrecognized 1.0 flow).
/// Going to v0.3, 1.0's device code flow has no v0.3 form and is dropped,
/// as is `pkceRequired`.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OAuthFlows {
    /// The authorization code flow.
    #[serde(alias = "authorization_code", default, skip_serializing_if = "Option::is_none")]
    pub authorization_code: Option<AuthorizationCodeOAuthFlow>,
    /// The client credentials flow.
    #[serde(alias = "client_credentials", default, skip_serializing_if = "Option::is_none")]
    pub client_credentials: Option<ClientCredentialsOAuthFlow>,
    /// The implicit flow.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub implicit: Option<ImplicitOAuthFlow>,
    /// The resource owner password flow.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password: Option<PasswordOAuthFlow>,
}

/// The authorization code flow.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AuthorizationCodeOAuthFlow {
    /// The authorization endpoint.
    #[serde(alias = "authorization_url", default, deserialize_with = "nullable")]
    pub authorization_url: String,
    /// The refresh endpoint.
    #[serde(alias = "refresh_url", default, skip_serializing_if = "Option::is_none")]
    pub refresh_url: Option<String>,
    /// Scope name to description.
    #[serde(default, deserialize_with = "nullable")]
    pub scopes: BTreeMap<String, String>,
    /// The token endpoint.
    #[serde(alias = "token_url", default, deserialize_with = "nullable")]
    pub token_url: String,
}

/// The client credentials flow.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ClientCredentialsOAuthFlow {
    /// The refresh endpoint.
    #[serde(alias = "refresh_url", default, skip_serializing_if = "Option::is_none")]
    pub refresh_url: Option<String>,
    /// Scope name to description.
    #[serde(default, deserialize_with = "nullable")]
    pub scopes: BTreeMap<String, String>,
    /// The token endpoint.
    #[serde(alias = "token_url", default, deserialize_with = "nullable")]
    pub token_url: String,
}

/// The implicit flow.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ImplicitOAuthFlow {
    /// The authorization endpoint.
    #[serde(alias = "authorization_url", default, deserialize_with = "nullable")]
    pub authorization_url: String,
    /// The refresh endpoint.
    #[serde(alias = "refresh_url", default, skip_serializing_if = "Option::is_none")]
    pub refresh_url: Option<String>,
    /// Scope name to description.
    #[serde(default, deserialize_with = "nullable")]
    pub scopes: BTreeMap<String, String>,
}

/// The resource owner password flow.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PasswordOAuthFlow {
    /// The refresh endpoint.
    #[serde(alias = "refresh_url", default, skip_serializing_if = "Option::is_none")]
    pub refresh_url: Option<String>,
    /// Scope name to description.
    #[serde(default, deserialize_with = "nullable")]
    pub scopes: BTreeMap<String, String>,
    /// The token endpoint.
    #[serde(alias = "token_url", default, deserialize_with = "nullable")]
    pub token_url: String,
}

impl From<OAuthFlows> for types::OAuthFlows {
    fn from(flows: OAuthFlows) -> Self {
        if let Some(flow) = flows.authorization_code {
            Self::AuthorizationCode(types::AuthorizationCodeOAuthFlow {
                authorization_url: flow.authorization_url,
                token_url: flow.token_url,
                refresh_url: flow.refresh_url.unwrap_or_default(),
                scopes: flow.scopes,
                pkce_required: false,
            })
        } else if let Some(flow) = flows.client_credentials {
            Self::ClientCredentials(types::ClientCredentialsOAuthFlow {
                token_url: flow.token_url,
                refresh_url: flow.refresh_url.unwrap_or_default(),
                scopes: flow.scopes,
            })
        } else if let Some(flow) = flows.implicit {
            Self::Implicit(types::ImplicitOAuthFlow {
                authorization_url: flow.authorization_url,
                refresh_url: flow.refresh_url.unwrap_or_default(),
                scopes: flow.scopes,
            })
        } else if let Some(flow) = flows.password {
            Self::Password(types::PasswordOAuthFlow {
                token_url: flow.token_url,
                refresh_url: flow.refresh_url.unwrap_or_default(),
                scopes: flow.scopes,
            })
        } else {
            Self::Unrecognized
        }
    }
}

impl From<types::OAuthFlows> for OAuthFlows {
    fn from(flows: types::OAuthFlows) -> Self {
        let mut out = Self::default();
        match flows {
            types::OAuthFlows::AuthorizationCode(flow) => {
                out.authorization_code = Some(AuthorizationCodeOAuthFlow {
                    authorization_url: flow.authorization_url,
                    refresh_url: non_empty(flow.refresh_url),
                    scopes: flow.scopes,
                    token_url: flow.token_url,
                })
            }
            types::OAuthFlows::ClientCredentials(flow) => {
                out.client_credentials = Some(ClientCredentialsOAuthFlow {
                    refresh_url: non_empty(flow.refresh_url),
                    scopes: flow.scopes,
                    token_url: flow.token_url,
                })
            }
            types::OAuthFlows::Implicit(flow) => {
                out.implicit = Some(ImplicitOAuthFlow {
                    authorization_url: flow.authorization_url,
                    refresh_url: non_empty(flow.refresh_url),
                    scopes: flow.scopes,
                })
            }
            types::OAuthFlows::Password(flow) => {
                out.password = Some(PasswordOAuthFlow {
                    refresh_url: non_empty(flow.refresh_url),
                    scopes: flow.scopes,
                    token_url: flow.token_url,
                })
            }
            types::OAuthFlows::DeviceCode(_) | types::OAuthFlows::Unrecognized => {}
        }
        out
    }
}

impl From<SecurityScheme> for types::SecurityScheme {
    fn from(scheme: SecurityScheme) -> Self {
        match scheme {
            SecurityScheme::ApiKey(s) => Self::ApiKey(types::APIKeySecurityScheme {
                description: s.description.unwrap_or_default(),
                location: s.location,
                name: s.name,
            }),
            SecurityScheme::HttpAuth(s) => Self::HttpAuth(types::HTTPAuthSecurityScheme {
                description: s.description.unwrap_or_default(),
                scheme: s.scheme,
                bearer_format: s.bearer_format.unwrap_or_default(),
            }),
            SecurityScheme::OAuth2(s) => Self::OAuth2(types::OAuth2SecurityScheme {
                description: s.description.unwrap_or_default(),
                flows: s.flows.into(),
                oauth2_metadata_url: s.oauth2_metadata_url.unwrap_or_default(),
            }),
            SecurityScheme::OpenIdConnect(s) => Self::OpenIdConnect(types::OpenIdConnectSecurityScheme {
                description: s.description.unwrap_or_default(),
                open_id_connect_url: s.open_id_connect_url,
            }),
            SecurityScheme::MutualTls(s) => Self::MutualTls(types::MutualTlsSecurityScheme {
                description: s.description.unwrap_or_default(),
            }),
            SecurityScheme::Unrecognized(_) => Self::Unrecognized,
        }
    }
}

impl From<types::SecurityScheme> for SecurityScheme {
    fn from(scheme: types::SecurityScheme) -> Self {
        match scheme {
            types::SecurityScheme::ApiKey(s) => Self::ApiKey(APIKeySecurityScheme {
                description: non_empty(s.description),
                location: s.location,
                name: s.name,
            }),
            types::SecurityScheme::HttpAuth(s) => Self::HttpAuth(HTTPAuthSecurityScheme {
                bearer_format: non_empty(s.bearer_format),
                description: non_empty(s.description),
                scheme: s.scheme,
            }),
            types::SecurityScheme::OAuth2(s) => Self::OAuth2(Box::new(OAuth2SecurityScheme {
                description: non_empty(s.description),
                flows: s.flows.into(),
                oauth2_metadata_url: non_empty(s.oauth2_metadata_url),
            })),
            types::SecurityScheme::OpenIdConnect(s) => Self::OpenIdConnect(OpenIdConnectSecurityScheme {
                description: non_empty(s.description),
                open_id_connect_url: s.open_id_connect_url,
            }),
            types::SecurityScheme::MutualTls(s) => Self::MutualTls(MutualTLSSecurityScheme {
                description: non_empty(s.description),
            }),
            types::SecurityScheme::Unrecognized => Self::Unrecognized(Struct::new()),
        }
    }
}
