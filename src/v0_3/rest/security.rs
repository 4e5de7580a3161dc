//! The security schemes of a v0.3 proto card: oneofs keyed by the scheme
//! (`{"apiKeySecurityScheme": {…}}`), as in 1.0, with v0.3's OAuth flows.

use std::collections::BTreeMap;

use crate::types;
use crate::types::protojson::{nullable, oneof_message};

// The members whose JSON is the same in the v0.3 proto and in 1.0 are 1.0's types.
pub use crate::types::{
    APIKeySecurityScheme, HTTPAuthSecurityScheme, ImplicitOAuthFlow, MutualTlsSecurityScheme,
    OpenIdConnectSecurityScheme, PasswordOAuthFlow, SecurityRequirement, StringList,
};

oneof_message! {
    /// A way to authenticate to the agent: the proto oneof `scheme`.
    ///
    /// Converts with [`types::SecurityScheme`] member for member; only the
    /// OAuth flows differ (see [`OAuthFlows`]).
    ///
    /// ```
    /// use a2akit::{types, v0_3::rest};
    ///
    /// let scheme: rest::SecurityScheme = serde_json::from_str(
    ///     r#"{"apiKeySecurityScheme": {"location": "header", "name": "X-API-Key"}}"#,
    /// ).unwrap();
    /// let v1 = types::SecurityScheme::from(scheme);
    /// assert!(matches!(&v1, types::SecurityScheme::ApiKey(key) if key.location == "header"));
    /// ```
    #[derive(Debug, Clone, PartialEq)]
    pub enum SecurityScheme ("a security scheme") {
        /// An API key in a header, query parameter or cookie.
        ApiKey(APIKeySecurityScheme) = "apiKeySecurityScheme" | "api_key_security_scheme",
        /// HTTP authentication (`Bearer`, `Basic`…).
        HttpAuth(HTTPAuthSecurityScheme) = "httpAuthSecurityScheme" | "http_auth_security_scheme",
        /// OAuth 2.0.
        OAuth2(OAuth2SecurityScheme) = "oauth2SecurityScheme" | "oauth2_security_scheme",
        /// OpenID Connect.
        OpenIdConnect(OpenIdConnectSecurityScheme) = "openIdConnectSecurityScheme" | "open_id_connect_security_scheme",
        /// Mutual TLS.
        MutualTls(MutualTlsSecurityScheme) = "mtlsSecurityScheme" | "mtls_security_scheme",
    }
}

/// OAuth 2.0 with one flow.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OAuth2SecurityScheme {
    /// A description; empty when not set.
    #[serde(default, deserialize_with = "nullable", skip_serializing_if = "String::is_empty")]
    pub description: String,
    /// The flow (always written).
    #[serde(default, deserialize_with = "nullable")]
    pub flows: OAuthFlows,
    /// URL of the RFC 8414 authorization server metadata; empty when not set.
    #[serde(alias = "oauth2_metadata_url")]
    #[serde(default, deserialize_with = "nullable", skip_serializing_if = "String::is_empty")]
    pub oauth2_metadata_url: String,
}

oneof_message! {
    /// The OAuth 2.0 flow of an [`OAuth2SecurityScheme`]: the proto oneof `flow`.
    ///
    /// Converts with [`types::OAuthFlows`]. Lost going to v0.3: 1.0's device
    /// code flow (v0.3 has none; it becomes an unrecognized flow) and the
    /// authorization code flow's `pkceRequired`.
    #[derive(Debug, Clone, PartialEq)]
    pub enum OAuthFlows ("OAuth flows") {
        /// The authorization code flow.
        AuthorizationCode(AuthorizationCodeOAuthFlow) = "authorizationCode" | "authorization_code",
        /// The client credentials flow.
        ClientCredentials(ClientCredentialsOAuthFlow) = "clientCredentials" | "client_credentials",
        /// The implicit flow.
        Implicit(ImplicitOAuthFlow) = "implicit",
        /// The resource owner password flow.
        Password(PasswordOAuthFlow) = "password",
    }
}

/// The OAuth 2.0 authorization code flow.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AuthorizationCodeOAuthFlow {
    /// The authorization endpoint.
    #[serde(alias = "authorization_url")]
    #[serde(default, deserialize_with = "nullable", skip_serializing_if = "String::is_empty")]
    pub authorization_url: String,
    /// The token endpoint.
    #[serde(alias = "token_url")]
    #[serde(default, deserialize_with = "nullable", skip_serializing_if = "String::is_empty")]
    pub token_url: String,
    /// The refresh endpoint; empty when not set.
    #[serde(alias = "refresh_url")]
    #[serde(default, deserialize_with = "nullable", skip_serializing_if = "String::is_empty")]
    pub refresh_url: String,
    /// Scope name to description.
    #[serde(default, deserialize_with = "nullable", skip_serializing_if = "BTreeMap::is_empty")]
    pub scopes: BTreeMap<String, String>,
}

/// The OAuth 2.0 client credentials flow.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ClientCredentialsOAuthFlow {
    /// The token endpoint.
    #[serde(alias = "token_url")]
    #[serde(default, deserialize_with = "nullable", skip_serializing_if = "String::is_empty")]
    pub token_url: String,
    /// The refresh endpoint; empty when not set.
    #[serde(alias = "refresh_url")]
    #[serde(default, deserialize_with = "nullable", skip_serializing_if = "String::is_empty")]
    pub refresh_url: String,
    /// Scope name to description.
    #[serde(default, deserialize_with = "nullable", skip_serializing_if = "BTreeMap::is_empty")]
    pub scopes: BTreeMap<String, String>,
}

impl From<OAuthFlows> for types::OAuthFlows {
    fn from(flows: OAuthFlows) -> Self {
        match flows {
            OAuthFlows::AuthorizationCode(flow) => {
                Self::AuthorizationCode(types::AuthorizationCodeOAuthFlow {
                    authorization_url: flow.authorization_url,
                    token_url: flow.token_url,
                    refresh_url: flow.refresh_url,
                    scopes: flow.scopes,
                    pkce_required: false,
                })
            }
            OAuthFlows::ClientCredentials(flow) => {
                Self::ClientCredentials(types::ClientCredentialsOAuthFlow {
                    token_url: flow.token_url,
                    refresh_url: flow.refresh_url,
                    scopes: flow.scopes,
                })
            }
            OAuthFlows::Implicit(flow) => Self::Implicit(flow),
            OAuthFlows::Password(flow) => Self::Password(flow),
            OAuthFlows::Unrecognized => Self::Unrecognized,
        }
    }
}

impl From<types::OAuthFlows> for OAuthFlows {
    fn from(flows: types::OAuthFlows) -> Self {
        match flows {
            types::OAuthFlows::AuthorizationCode(flow) => {
                Self::AuthorizationCode(AuthorizationCodeOAuthFlow {
                    authorization_url: flow.authorization_url,
                    token_url: flow.token_url,
                    refresh_url: flow.refresh_url,
                    scopes: flow.scopes,
                })
            }
            types::OAuthFlows::ClientCredentials(flow) => {
                Self::ClientCredentials(ClientCredentialsOAuthFlow {
                    token_url: flow.token_url,
                    refresh_url: flow.refresh_url,
                    scopes: flow.scopes,
                })
            }
            types::OAuthFlows::Implicit(flow) => Self::Implicit(flow),
            types::OAuthFlows::Password(flow) => Self::Password(flow),
            types::OAuthFlows::DeviceCode(_) | types::OAuthFlows::Unrecognized => Self::Unrecognized,
        }
    }
}

impl From<SecurityScheme> for types::SecurityScheme {
    fn from(scheme: SecurityScheme) -> Self {
        match scheme {
            SecurityScheme::ApiKey(s) => Self::ApiKey(s),
            SecurityScheme::HttpAuth(s) => Self::HttpAuth(s),
            SecurityScheme::OAuth2(s) => Self::OAuth2(types::OAuth2SecurityScheme {
                description: s.description,
                flows: s.flows.into(),
                oauth2_metadata_url: s.oauth2_metadata_url,
            }),
            SecurityScheme::OpenIdConnect(s) => Self::OpenIdConnect(s),
            SecurityScheme::MutualTls(s) => Self::MutualTls(s),
            SecurityScheme::Unrecognized => Self::Unrecognized,
        }
    }
}

impl From<types::SecurityScheme> for SecurityScheme {
    fn from(scheme: types::SecurityScheme) -> Self {
        match scheme {
            types::SecurityScheme::ApiKey(s) => Self::ApiKey(s),
            types::SecurityScheme::HttpAuth(s) => Self::HttpAuth(s),
            types::SecurityScheme::OAuth2(s) => Self::OAuth2(OAuth2SecurityScheme {
                description: s.description,
                flows: s.flows.into(),
                oauth2_metadata_url: s.oauth2_metadata_url,
            }),
            types::SecurityScheme::OpenIdConnect(s) => Self::OpenIdConnect(s),
            types::SecurityScheme::MutualTls(s) => Self::MutualTls(s),
            types::SecurityScheme::Unrecognized => Self::Unrecognized,
        }
    }
}
