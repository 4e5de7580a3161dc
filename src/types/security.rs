//! How an agent asks to be authenticated: the security schemes of its card
//! and the requirements that combine them (OpenAPI's model).

use std::collections::BTreeMap;

use super::protojson::{is_false, nullable, oneof_message};

/// A list of strings, the value type of [`SecurityRequirement::schemes`].
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct StringList {
    /// The strings (for a security requirement: the scopes).
    #[serde(default, deserialize_with = "nullable", skip_serializing_if = "Vec::is_empty")]
    pub list: Vec<String>,
}

impl<S: Into<String>> FromIterator<S> for StringList {
    fn from_iter<I: IntoIterator<Item = S>>(iter: I) -> Self {
        Self {
            list: iter.into_iter().map(Into::into).collect(),
        }
    }
}

/// Schemes that must all be satisfied together, each with its required
/// scopes. A list of requirements is satisfied when any one of them is.
///
/// ```
/// use a2akit::types::SecurityRequirement;
///
/// let requirement = SecurityRequirement::new().with_scheme("oidc", ["openid", "profile"]);
/// assert_eq!(
///     serde_json::to_value(&requirement).unwrap(),
///     serde_json::json!({"schemes": {"oidc": {"list": ["openid", "profile"]}}})
/// );
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SecurityRequirement {
    /// Scheme name (a key of the card's `security_schemes`) to required scopes.
    #[serde(default, deserialize_with = "nullable", skip_serializing_if = "BTreeMap::is_empty")]
    pub schemes: BTreeMap<String, StringList>,
}

impl SecurityRequirement {
    /// An empty requirement.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a scheme with its scopes.
    pub fn with_scheme<S: Into<String>>(
        mut self,
        scheme: impl Into<String>,
        scopes: impl IntoIterator<Item = S>,
    ) -> Self {
        self.schemes.insert(scheme.into(), scopes.into_iter().collect());
        self
    }
}

oneof_message! {
    /// A way to authenticate to the agent: the proto oneof `scheme`.
    ///
    /// ```
    /// use a2akit::types::{HTTPAuthSecurityScheme, SecurityScheme};
    ///
    /// let bearer = SecurityScheme::HttpAuth(HTTPAuthSecurityScheme::new("Bearer").with_bearer_format("JWT"));
    /// assert_eq!(
    ///     serde_json::to_value(&bearer).unwrap(),
    ///     serde_json::json!({"httpAuthSecurityScheme": {"scheme": "Bearer", "bearerFormat": "JWT"}})
    /// );
    /// ```
    #[derive(Debug, Clone, PartialEq)]
    #[non_exhaustive]
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

/// An API key sent in a header, query parameter or cookie.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct APIKeySecurityScheme {
    /// A description; empty when not set.
    #[serde(default, deserialize_with = "nullable", skip_serializing_if = "String::is_empty")]
    pub description: String,
    /// Where the key goes: `query`, `header` or `cookie`.
    #[serde(default, deserialize_with = "nullable")]
    pub location: String,
    /// The name of the header, query parameter or cookie.
    #[serde(default, deserialize_with = "nullable")]
    pub name: String,
}

impl APIKeySecurityScheme {
    /// A key sent at `location` (`query`, `header` or `cookie`) under `name`.
    pub fn new(location: impl Into<String>, name: impl Into<String>) -> Self {
        Self {
            description: String::new(),
            location: location.into(),
            name: name.into(),
        }
    }
}

/// HTTP authentication with a scheme from the IANA registry.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HTTPAuthSecurityScheme {
    /// A description; empty when not set.
    #[serde(default, deserialize_with = "nullable", skip_serializing_if = "String::is_empty")]
    pub description: String,
    /// The scheme, e.g. `Bearer` or `Basic` (case-insensitive).
    #[serde(default, deserialize_with = "nullable")]
    pub scheme: String,
    /// A hint at the bearer token's format, e.g. `JWT`; empty when not set.
    #[serde(alias = "bearer_format")]
    #[serde(default, deserialize_with = "nullable", skip_serializing_if = "String::is_empty")]
    pub bearer_format: String,
}

impl HTTPAuthSecurityScheme {
    /// HTTP authentication with `scheme`.
    pub fn new(scheme: impl Into<String>) -> Self {
        Self {
            scheme: scheme.into(),
            ..Self::default()
        }
    }

    /// Sets the bearer format hint.
    pub fn with_bearer_format(mut self, bearer_format: impl Into<String>) -> Self {
        self.bearer_format = bearer_format.into();
        self
    }
}

/// OAuth 2.0 with one flow.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OAuth2SecurityScheme {
    /// A description; empty when not set.
    #[serde(default, deserialize_with = "nullable", skip_serializing_if = "String::is_empty")]
    pub description: String,
    /// The flow (always written; an absent one reads as [`OAuthFlows::Unrecognized`]).
    #[serde(default, deserialize_with = "nullable")]
    pub flows: OAuthFlows,
    /// URL of the RFC 8414 authorization server metadata; empty when not set.
    #[serde(alias = "oauth2_metadata_url")]
    #[serde(default, deserialize_with = "nullable", skip_serializing_if = "String::is_empty")]
    pub oauth2_metadata_url: String,
}

/// OpenID Connect discovery.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OpenIdConnectSecurityScheme {
    /// A description; empty when not set.
    #[serde(default, deserialize_with = "nullable", skip_serializing_if = "String::is_empty")]
    pub description: String,
    /// The OpenID Connect discovery URL.
    #[serde(alias = "open_id_connect_url")]
    #[serde(default, deserialize_with = "nullable")]
    pub open_id_connect_url: String,
}

/// Mutual TLS: the client authenticates with its certificate.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct MutualTlsSecurityScheme {
    /// A description; empty when not set.
    #[serde(default, deserialize_with = "nullable", skip_serializing_if = "String::is_empty")]
    pub description: String,
}

oneof_message! {
    /// The OAuth 2.0 flow of an [`OAuth2SecurityScheme`]: the proto oneof `flow`.
    #[derive(Debug, Clone, PartialEq)]
    #[non_exhaustive]
    pub enum OAuthFlows ("OAuth flows") {
        /// The authorization code flow.
        AuthorizationCode(AuthorizationCodeOAuthFlow) = "authorizationCode" | "authorization_code",
        /// The client credentials flow.
        ClientCredentials(ClientCredentialsOAuthFlow) = "clientCredentials" | "client_credentials",
        /// The implicit flow (deprecated by OAuth 2.1).
        Implicit(ImplicitOAuthFlow) = "implicit",
        /// The resource owner password flow (deprecated by OAuth 2.1).
        Password(PasswordOAuthFlow) = "password",
        /// The device authorization flow (RFC 8628).
        DeviceCode(DeviceCodeOAuthFlow) = "deviceCode" | "device_code",
    }
}

/// The OAuth 2.0 authorization code flow.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AuthorizationCodeOAuthFlow {
    /// The authorization endpoint.
    #[serde(alias = "authorization_url")]
    #[serde(default, deserialize_with = "nullable")]
    pub authorization_url: String,
    /// The token endpoint.
    #[serde(alias = "token_url")]
    #[serde(default, deserialize_with = "nullable")]
    pub token_url: String,
    /// The refresh endpoint; empty when not set.
    #[serde(alias = "refresh_url")]
    #[serde(default, deserialize_with = "nullable", skip_serializing_if = "String::is_empty")]
    pub refresh_url: String,
    /// Scope name to description.
    #[serde(default, deserialize_with = "nullable")]
    pub scopes: BTreeMap<String, String>,
    /// Whether PKCE (RFC 7636) is required.
    #[serde(alias = "pkce_required")]
    #[serde(default, deserialize_with = "nullable", skip_serializing_if = "is_false")]
    pub pkce_required: bool,
}

/// The OAuth 2.0 client credentials flow.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ClientCredentialsOAuthFlow {
    /// The token endpoint.
    #[serde(alias = "token_url")]
    #[serde(default, deserialize_with = "nullable")]
    pub token_url: String,
    /// The refresh endpoint; empty when not set.
    #[serde(alias = "refresh_url")]
    #[serde(default, deserialize_with = "nullable", skip_serializing_if = "String::is_empty")]
    pub refresh_url: String,
    /// Scope name to description.
    #[serde(default, deserialize_with = "nullable")]
    pub scopes: BTreeMap<String, String>,
}

/// The OAuth 2.0 implicit flow (deprecated).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ImplicitOAuthFlow {
    /// The authorization endpoint; empty when not set.
    #[serde(alias = "authorization_url")]
    #[serde(default, deserialize_with = "nullable", skip_serializing_if = "String::is_empty")]
    pub authorization_url: String,
    /// The refresh endpoint; empty when not set.
    #[serde(alias = "refresh_url")]
    #[serde(default, deserialize_with = "nullable", skip_serializing_if = "String::is_empty")]
    pub refresh_url: String,
    /// Scope name to description.
    #[serde(default, deserialize_with = "nullable", skip_serializing_if = "BTreeMap::is_empty")]
    pub scopes: BTreeMap<String, String>,
}

/// The OAuth 2.0 resource owner password flow (deprecated).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PasswordOAuthFlow {
    /// The token endpoint; empty when not set.
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

/// The OAuth 2.0 device authorization flow (RFC 8628).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeviceCodeOAuthFlow {
    /// The device authorization endpoint.
    #[serde(alias = "device_authorization_url")]
    #[serde(default, deserialize_with = "nullable")]
    pub device_authorization_url: String,
    /// The token endpoint.
    #[serde(alias = "token_url")]
    #[serde(default, deserialize_with = "nullable")]
    pub token_url: String,
    /// The refresh endpoint; empty when not set.
    #[serde(alias = "refresh_url")]
    #[serde(default, deserialize_with = "nullable", skip_serializing_if = "String::is_empty")]
    pub refresh_url: String,
    /// Scope name to description.
    #[serde(default, deserialize_with = "nullable")]
    pub scopes: BTreeMap<String, String>,
}
