//! Security schemes, security requirements and OAuth flows.
//!
//! The implicit and password flows are deprecated in the proto; they are
//! still part of the protocol, so the conversions carry them.
#![allow(deprecated)]

use super::{
    FromProto, Invalid, field, map, oneof, oneof_from_proto, required, to_proto_map, try_from_proto,
};
use crate::proto::v1::{self, o_auth_flows, security_scheme};
use crate::types::{
    APIKeySecurityScheme, AuthorizationCodeOAuthFlow, ClientCredentialsOAuthFlow, DeviceCodeOAuthFlow,
    HTTPAuthSecurityScheme, ImplicitOAuthFlow, MutualTlsSecurityScheme, OAuth2SecurityScheme, OAuthFlows,
    OpenIdConnectSecurityScheme, PasswordOAuthFlow, SecurityRequirement, SecurityScheme, StringList,
};

try_from_proto! {
    StringList => v1::StringList,
    SecurityRequirement => v1::SecurityRequirement,
    SecurityScheme => v1::SecurityScheme,
    SecurityScheme => security_scheme::Scheme,
    SecurityScheme => Option<security_scheme::Scheme>,
    APIKeySecurityScheme => v1::ApiKeySecurityScheme,
    HTTPAuthSecurityScheme => v1::HttpAuthSecurityScheme,
    OAuth2SecurityScheme => v1::OAuth2SecurityScheme,
    OpenIdConnectSecurityScheme => v1::OpenIdConnectSecurityScheme,
    MutualTlsSecurityScheme => v1::MutualTlsSecurityScheme,
    OAuthFlows => v1::OAuthFlows,
    OAuthFlows => o_auth_flows::Flow,
    OAuthFlows => Option<o_auth_flows::Flow>,
    AuthorizationCodeOAuthFlow => v1::AuthorizationCodeOAuthFlow,
    ClientCredentialsOAuthFlow => v1::ClientCredentialsOAuthFlow,
    ImplicitOAuthFlow => v1::ImplicitOAuthFlow,
    PasswordOAuthFlow => v1::PasswordOAuthFlow,
    DeviceCodeOAuthFlow => v1::DeviceCodeOAuthFlow,
}

oneof_from_proto! {
    SecurityScheme => security_scheme::Scheme,
    OAuthFlows => o_auth_flows::Flow,
}

// ---------------------------------------------------------------------------
// Requirements
// ---------------------------------------------------------------------------

impl From<StringList> for v1::StringList {
    fn from(list: StringList) -> Self {
        Self { list: list.list }
    }
}

impl FromProto<v1::StringList> for StringList {
    fn from_proto(proto: v1::StringList) -> Result<Self, Invalid> {
        Ok(Self { list: proto.list })
    }
}

impl From<SecurityRequirement> for v1::SecurityRequirement {
    fn from(requirement: SecurityRequirement) -> Self {
        Self {
            schemes: to_proto_map(requirement.schemes),
        }
    }
}

impl FromProto<v1::SecurityRequirement> for SecurityRequirement {
    fn from_proto(proto: v1::SecurityRequirement) -> Result<Self, Invalid> {
        Ok(Self {
            schemes: map(proto.schemes, "schemes")?,
        })
    }
}

// ---------------------------------------------------------------------------
// Schemes
// ---------------------------------------------------------------------------

/// An unrecognized scheme is no member at all.
impl From<SecurityScheme> for Option<security_scheme::Scheme> {
    fn from(scheme: SecurityScheme) -> Self {
        use security_scheme::Scheme;
        Some(match scheme {
            SecurityScheme::ApiKey(scheme) => Scheme::ApiKeySecurityScheme(scheme.into()),
            SecurityScheme::HttpAuth(scheme) => Scheme::HttpAuthSecurityScheme(scheme.into()),
            SecurityScheme::OAuth2(scheme) => Scheme::Oauth2SecurityScheme(scheme.into()),
            SecurityScheme::OpenIdConnect(scheme) => Scheme::OpenIdConnectSecurityScheme(scheme.into()),
            SecurityScheme::MutualTls(scheme) => Scheme::MtlsSecurityScheme(scheme.into()),
            SecurityScheme::Unrecognized => return None,
        })
    }
}

impl FromProto<security_scheme::Scheme> for SecurityScheme {
    fn from_proto(proto: security_scheme::Scheme) -> Result<Self, Invalid> {
        use security_scheme::Scheme;
        Ok(match proto {
            Scheme::ApiKeySecurityScheme(scheme) => Self::ApiKey(field(scheme, "apiKeySecurityScheme")?),
            Scheme::HttpAuthSecurityScheme(scheme) => {
                Self::HttpAuth(field(scheme, "httpAuthSecurityScheme")?)
            }
            Scheme::Oauth2SecurityScheme(scheme) => Self::OAuth2(field(scheme, "oauth2SecurityScheme")?),
            Scheme::OpenIdConnectSecurityScheme(scheme) => {
                Self::OpenIdConnect(field(scheme, "openIdConnectSecurityScheme")?)
            }
            Scheme::MtlsSecurityScheme(scheme) => Self::MutualTls(field(scheme, "mtlsSecurityScheme")?),
        })
    }
}

impl From<SecurityScheme> for v1::SecurityScheme {
    fn from(scheme: SecurityScheme) -> Self {
        Self {
            scheme: scheme.into(),
        }
    }
}

impl FromProto<v1::SecurityScheme> for SecurityScheme {
    fn from_proto(proto: v1::SecurityScheme) -> Result<Self, Invalid> {
        oneof(proto.scheme)
    }
}

impl From<APIKeySecurityScheme> for v1::ApiKeySecurityScheme {
    fn from(scheme: APIKeySecurityScheme) -> Self {
        Self {
            description: scheme.description,
            location: scheme.location,
            name: scheme.name,
        }
    }
}

impl FromProto<v1::ApiKeySecurityScheme> for APIKeySecurityScheme {
    fn from_proto(proto: v1::ApiKeySecurityScheme) -> Result<Self, Invalid> {
        Ok(Self {
            description: proto.description,
            location: proto.location,
            name: proto.name,
        })
    }
}

impl From<HTTPAuthSecurityScheme> for v1::HttpAuthSecurityScheme {
    fn from(scheme: HTTPAuthSecurityScheme) -> Self {
        Self {
            description: scheme.description,
            scheme: scheme.scheme,
            bearer_format: scheme.bearer_format,
        }
    }
}

impl FromProto<v1::HttpAuthSecurityScheme> for HTTPAuthSecurityScheme {
    fn from_proto(proto: v1::HttpAuthSecurityScheme) -> Result<Self, Invalid> {
        Ok(Self {
            description: proto.description,
            scheme: proto.scheme,
            bearer_format: proto.bearer_format,
        })
    }
}

impl From<OAuth2SecurityScheme> for v1::OAuth2SecurityScheme {
    fn from(scheme: OAuth2SecurityScheme) -> Self {
        Self {
            description: scheme.description,
            flows: Some(scheme.flows.into()),
            oauth2_metadata_url: scheme.oauth2_metadata_url,
        }
    }
}

impl FromProto<v1::OAuth2SecurityScheme> for OAuth2SecurityScheme {
    fn from_proto(proto: v1::OAuth2SecurityScheme) -> Result<Self, Invalid> {
        Ok(Self {
            description: proto.description,
            flows: required(proto.flows, "flows")?,
            oauth2_metadata_url: proto.oauth2_metadata_url,
        })
    }
}

impl From<OpenIdConnectSecurityScheme> for v1::OpenIdConnectSecurityScheme {
    fn from(scheme: OpenIdConnectSecurityScheme) -> Self {
        Self {
            description: scheme.description,
            open_id_connect_url: scheme.open_id_connect_url,
        }
    }
}

impl FromProto<v1::OpenIdConnectSecurityScheme> for OpenIdConnectSecurityScheme {
    fn from_proto(proto: v1::OpenIdConnectSecurityScheme) -> Result<Self, Invalid> {
        Ok(Self {
            description: proto.description,
            open_id_connect_url: proto.open_id_connect_url,
        })
    }
}

impl From<MutualTlsSecurityScheme> for v1::MutualTlsSecurityScheme {
    fn from(scheme: MutualTlsSecurityScheme) -> Self {
        Self {
            description: scheme.description,
        }
    }
}

impl FromProto<v1::MutualTlsSecurityScheme> for MutualTlsSecurityScheme {
    fn from_proto(proto: v1::MutualTlsSecurityScheme) -> Result<Self, Invalid> {
        Ok(Self {
            description: proto.description,
        })
    }
}

// ---------------------------------------------------------------------------
// OAuth flows
// ---------------------------------------------------------------------------

/// An unrecognized flow is no member at all.
impl From<OAuthFlows> for Option<o_auth_flows::Flow> {
    fn from(flows: OAuthFlows) -> Self {
        use o_auth_flows::Flow;
        Some(match flows {
            OAuthFlows::AuthorizationCode(flow) => Flow::AuthorizationCode(flow.into()),
            OAuthFlows::ClientCredentials(flow) => Flow::ClientCredentials(flow.into()),
            OAuthFlows::Implicit(flow) => Flow::Implicit(flow.into()),
            OAuthFlows::Password(flow) => Flow::Password(flow.into()),
            OAuthFlows::DeviceCode(flow) => Flow::DeviceCode(flow.into()),
            OAuthFlows::Unrecognized => return None,
        })
    }
}

impl FromProto<o_auth_flows::Flow> for OAuthFlows {
    fn from_proto(proto: o_auth_flows::Flow) -> Result<Self, Invalid> {
        use o_auth_flows::Flow;
        Ok(match proto {
            Flow::AuthorizationCode(flow) => Self::AuthorizationCode(field(flow, "authorizationCode")?),
            Flow::ClientCredentials(flow) => Self::ClientCredentials(field(flow, "clientCredentials")?),
            Flow::Implicit(flow) => Self::Implicit(field(flow, "implicit")?),
            Flow::Password(flow) => Self::Password(field(flow, "password")?),
            Flow::DeviceCode(flow) => Self::DeviceCode(field(flow, "deviceCode")?),
        })
    }
}

impl From<OAuthFlows> for v1::OAuthFlows {
    fn from(flows: OAuthFlows) -> Self {
        Self { flow: flows.into() }
    }
}

impl FromProto<v1::OAuthFlows> for OAuthFlows {
    fn from_proto(proto: v1::OAuthFlows) -> Result<Self, Invalid> {
        oneof(proto.flow)
    }
}

impl From<AuthorizationCodeOAuthFlow> for v1::AuthorizationCodeOAuthFlow {
    fn from(flow: AuthorizationCodeOAuthFlow) -> Self {
        Self {
            authorization_url: flow.authorization_url,
            token_url: flow.token_url,
            refresh_url: flow.refresh_url,
            scopes: flow.scopes.into_iter().collect(),
            pkce_required: flow.pkce_required,
        }
    }
}

impl FromProto<v1::AuthorizationCodeOAuthFlow> for AuthorizationCodeOAuthFlow {
    fn from_proto(proto: v1::AuthorizationCodeOAuthFlow) -> Result<Self, Invalid> {
        Ok(Self {
            authorization_url: proto.authorization_url,
            token_url: proto.token_url,
            refresh_url: proto.refresh_url,
            scopes: proto.scopes.into_iter().collect(),
            pkce_required: proto.pkce_required,
        })
    }
}

impl From<ClientCredentialsOAuthFlow> for v1::ClientCredentialsOAuthFlow {
    fn from(flow: ClientCredentialsOAuthFlow) -> Self {
        Self {
            token_url: flow.token_url,
            refresh_url: flow.refresh_url,
            scopes: flow.scopes.into_iter().collect(),
        }
    }
}

impl FromProto<v1::ClientCredentialsOAuthFlow> for ClientCredentialsOAuthFlow {
    fn from_proto(proto: v1::ClientCredentialsOAuthFlow) -> Result<Self, Invalid> {
        Ok(Self {
            token_url: proto.token_url,
            refresh_url: proto.refresh_url,
            scopes: proto.scopes.into_iter().collect(),
        })
    }
}

impl From<ImplicitOAuthFlow> for v1::ImplicitOAuthFlow {
    fn from(flow: ImplicitOAuthFlow) -> Self {
        Self {
            authorization_url: flow.authorization_url,
            refresh_url: flow.refresh_url,
            scopes: flow.scopes.into_iter().collect(),
        }
    }
}

impl FromProto<v1::ImplicitOAuthFlow> for ImplicitOAuthFlow {
    fn from_proto(proto: v1::ImplicitOAuthFlow) -> Result<Self, Invalid> {
        Ok(Self {
            authorization_url: proto.authorization_url,
            refresh_url: proto.refresh_url,
            scopes: proto.scopes.into_iter().collect(),
        })
    }
}

impl From<PasswordOAuthFlow> for v1::PasswordOAuthFlow {
    fn from(flow: PasswordOAuthFlow) -> Self {
        Self {
            token_url: flow.token_url,
            refresh_url: flow.refresh_url,
            scopes: flow.scopes.into_iter().collect(),
        }
    }
}

impl FromProto<v1::PasswordOAuthFlow> for PasswordOAuthFlow {
    fn from_proto(proto: v1::PasswordOAuthFlow) -> Result<Self, Invalid> {
        Ok(Self {
            token_url: proto.token_url,
            refresh_url: proto.refresh_url,
            scopes: proto.scopes.into_iter().collect(),
        })
    }
}

impl From<DeviceCodeOAuthFlow> for v1::DeviceCodeOAuthFlow {
    fn from(flow: DeviceCodeOAuthFlow) -> Self {
        Self {
            device_authorization_url: flow.device_authorization_url,
            token_url: flow.token_url,
            refresh_url: flow.refresh_url,
            scopes: flow.scopes.into_iter().collect(),
        }
    }
}

impl FromProto<v1::DeviceCodeOAuthFlow> for DeviceCodeOAuthFlow {
    fn from_proto(proto: v1::DeviceCodeOAuthFlow) -> Result<Self, Invalid> {
        Ok(Self {
            device_authorization_url: proto.device_authorization_url,
            token_url: proto.token_url,
            refresh_url: proto.refresh_url,
            scopes: proto.scopes.into_iter().collect(),
        })
    }
}
