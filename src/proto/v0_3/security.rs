//! Security schemes, security requirements and OAuth flows.
//!
//! The schemes are 1.0's, member for member; the requirements are 1.0's
//! under another name (`Security`); only the OAuth flows differ: 1.0 adds
//! the device code flow and the authorization code flow's PKCE.

use crate::proto::convert::{
    FromProto, Invalid, field, map, oneof, oneof_from_proto, required, to_proto_map, try_from_proto,
};
use crate::proto::v0_3::{self, o_auth_flows, security_scheme};
use crate::types::{
    APIKeySecurityScheme, AuthorizationCodeOAuthFlow, ClientCredentialsOAuthFlow, HTTPAuthSecurityScheme,
    ImplicitOAuthFlow, MutualTlsSecurityScheme, OAuth2SecurityScheme, OAuthFlows,
    OpenIdConnectSecurityScheme, PasswordOAuthFlow, SecurityRequirement, SecurityScheme, StringList,
};

try_from_proto! {
    StringList => v0_3::StringList,
    SecurityRequirement => v0_3::Security,
    SecurityScheme => v0_3::SecurityScheme,
    SecurityScheme => security_scheme::Scheme,
    SecurityScheme => Option<security_scheme::Scheme>,
    APIKeySecurityScheme => v0_3::ApiKeySecurityScheme,
    HTTPAuthSecurityScheme => v0_3::HttpAuthSecurityScheme,
    OAuth2SecurityScheme => v0_3::OAuth2SecurityScheme,
    OpenIdConnectSecurityScheme => v0_3::OpenIdConnectSecurityScheme,
    MutualTlsSecurityScheme => v0_3::MutualTlsSecurityScheme,
    OAuthFlows => v0_3::OAuthFlows,
    OAuthFlows => o_auth_flows::Flow,
    OAuthFlows => Option<o_auth_flows::Flow>,
    AuthorizationCodeOAuthFlow => v0_3::AuthorizationCodeOAuthFlow,
    ClientCredentialsOAuthFlow => v0_3::ClientCredentialsOAuthFlow,
    ImplicitOAuthFlow => v0_3::ImplicitOAuthFlow,
    PasswordOAuthFlow => v0_3::PasswordOAuthFlow,
}

oneof_from_proto! {
    SecurityScheme => security_scheme::Scheme,
    OAuthFlows => o_auth_flows::Flow,
}

// ---------------------------------------------------------------------------
// Requirements
// ---------------------------------------------------------------------------

impl From<StringList> for v0_3::StringList {
    fn from(list: StringList) -> Self {
        Self { list: list.list }
    }
}

impl FromProto<v0_3::StringList> for StringList {
    fn from_proto(proto: v0_3::StringList) -> Result<Self, Invalid> {
        Ok(Self { list: proto.list })
    }
}

/// 1.0's `SecurityRequirement` is v0.3's `Security`, scheme for scheme.
impl From<SecurityRequirement> for v0_3::Security {
    fn from(requirement: SecurityRequirement) -> Self {
        Self {
            schemes: to_proto_map(requirement.schemes),
        }
    }
}

impl FromProto<v0_3::Security> for SecurityRequirement {
    fn from_proto(proto: v0_3::Security) -> Result<Self, Invalid> {
        Ok(Self {
            schemes: map(proto.schemes, "schemes")?,
        })
    }
}

// ---------------------------------------------------------------------------
// Schemes
// ---------------------------------------------------------------------------

/// Member for member (the OAuth flows as [`v0_3::OAuthFlows`]'s conversion
/// says); an unrecognized scheme is no member at all.
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

/// Member for member, as the oneof's conversion says.
impl From<SecurityScheme> for v0_3::SecurityScheme {
    fn from(scheme: SecurityScheme) -> Self {
        Self {
            scheme: scheme.into(),
        }
    }
}

impl FromProto<v0_3::SecurityScheme> for SecurityScheme {
    fn from_proto(proto: v0_3::SecurityScheme) -> Result<Self, Invalid> {
        oneof(proto.scheme)
    }
}

impl From<APIKeySecurityScheme> for v0_3::ApiKeySecurityScheme {
    fn from(scheme: APIKeySecurityScheme) -> Self {
        Self {
            description: scheme.description,
            location: scheme.location,
            name: scheme.name,
        }
    }
}

impl FromProto<v0_3::ApiKeySecurityScheme> for APIKeySecurityScheme {
    fn from_proto(proto: v0_3::ApiKeySecurityScheme) -> Result<Self, Invalid> {
        Ok(Self {
            description: proto.description,
            location: proto.location,
            name: proto.name,
        })
    }
}

impl From<HTTPAuthSecurityScheme> for v0_3::HttpAuthSecurityScheme {
    fn from(scheme: HTTPAuthSecurityScheme) -> Self {
        Self {
            description: scheme.description,
            scheme: scheme.scheme,
            bearer_format: scheme.bearer_format,
        }
    }
}

impl FromProto<v0_3::HttpAuthSecurityScheme> for HTTPAuthSecurityScheme {
    fn from_proto(proto: v0_3::HttpAuthSecurityScheme) -> Result<Self, Invalid> {
        Ok(Self {
            description: proto.description,
            scheme: proto.scheme,
            bearer_format: proto.bearer_format,
        })
    }
}

/// Field for field, the flow as [`v0_3::OAuthFlows`]'s conversion says.
impl From<OAuth2SecurityScheme> for v0_3::OAuth2SecurityScheme {
    fn from(scheme: OAuth2SecurityScheme) -> Self {
        Self {
            description: scheme.description,
            flows: Some(scheme.flows.into()),
            oauth2_metadata_url: scheme.oauth2_metadata_url,
        }
    }
}

impl FromProto<v0_3::OAuth2SecurityScheme> for OAuth2SecurityScheme {
    fn from_proto(proto: v0_3::OAuth2SecurityScheme) -> Result<Self, Invalid> {
        Ok(Self {
            description: proto.description,
            flows: required(proto.flows, "flows")?,
            oauth2_metadata_url: proto.oauth2_metadata_url,
        })
    }
}

impl From<OpenIdConnectSecurityScheme> for v0_3::OpenIdConnectSecurityScheme {
    fn from(scheme: OpenIdConnectSecurityScheme) -> Self {
        Self {
            description: scheme.description,
            open_id_connect_url: scheme.open_id_connect_url,
        }
    }
}

impl FromProto<v0_3::OpenIdConnectSecurityScheme> for OpenIdConnectSecurityScheme {
    fn from_proto(proto: v0_3::OpenIdConnectSecurityScheme) -> Result<Self, Invalid> {
        Ok(Self {
            description: proto.description,
            open_id_connect_url: proto.open_id_connect_url,
        })
    }
}

impl From<MutualTlsSecurityScheme> for v0_3::MutualTlsSecurityScheme {
    fn from(scheme: MutualTlsSecurityScheme) -> Self {
        Self {
            description: scheme.description,
        }
    }
}

impl FromProto<v0_3::MutualTlsSecurityScheme> for MutualTlsSecurityScheme {
    fn from_proto(proto: v0_3::MutualTlsSecurityScheme) -> Result<Self, Invalid> {
        Ok(Self {
            description: proto.description,
        })
    }
}

// ---------------------------------------------------------------------------
// OAuth flows
// ---------------------------------------------------------------------------

/// Member for member. Lost: 1.0's device code flow, which v0.3 does not
/// have (written as no member, read back as an unrecognized flow), and the
/// authorization code flow's `pkce_required` (read back as false).
impl From<OAuthFlows> for Option<o_auth_flows::Flow> {
    fn from(flows: OAuthFlows) -> Self {
        use o_auth_flows::Flow;
        Some(match flows {
            OAuthFlows::AuthorizationCode(flow) => Flow::AuthorizationCode(flow.into()),
            OAuthFlows::ClientCredentials(flow) => Flow::ClientCredentials(flow.into()),
            OAuthFlows::Implicit(flow) => Flow::Implicit(flow.into()),
            OAuthFlows::Password(flow) => Flow::Password(flow.into()),
            OAuthFlows::DeviceCode(_) | OAuthFlows::Unrecognized => return None,
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
        })
    }
}

/// Member for member, as the oneof's conversion says.
impl From<OAuthFlows> for v0_3::OAuthFlows {
    fn from(flows: OAuthFlows) -> Self {
        Self { flow: flows.into() }
    }
}

impl FromProto<v0_3::OAuthFlows> for OAuthFlows {
    fn from_proto(proto: v0_3::OAuthFlows) -> Result<Self, Invalid> {
        oneof(proto.flow)
    }
}

/// Field for field; `pkce_required`, which v0.3 does not have, is lost.
impl From<AuthorizationCodeOAuthFlow> for v0_3::AuthorizationCodeOAuthFlow {
    fn from(flow: AuthorizationCodeOAuthFlow) -> Self {
        Self {
            authorization_url: flow.authorization_url,
            token_url: flow.token_url,
            refresh_url: flow.refresh_url,
            scopes: flow.scopes.into_iter().collect(),
        }
    }
}

impl FromProto<v0_3::AuthorizationCodeOAuthFlow> for AuthorizationCodeOAuthFlow {
    fn from_proto(proto: v0_3::AuthorizationCodeOAuthFlow) -> Result<Self, Invalid> {
        Ok(Self {
            authorization_url: proto.authorization_url,
            token_url: proto.token_url,
            refresh_url: proto.refresh_url,
            scopes: proto.scopes.into_iter().collect(),
            pkce_required: false,
        })
    }
}

impl From<ClientCredentialsOAuthFlow> for v0_3::ClientCredentialsOAuthFlow {
    fn from(flow: ClientCredentialsOAuthFlow) -> Self {
        Self {
            token_url: flow.token_url,
            refresh_url: flow.refresh_url,
            scopes: flow.scopes.into_iter().collect(),
        }
    }
}

impl FromProto<v0_3::ClientCredentialsOAuthFlow> for ClientCredentialsOAuthFlow {
    fn from_proto(proto: v0_3::ClientCredentialsOAuthFlow) -> Result<Self, Invalid> {
        Ok(Self {
            token_url: proto.token_url,
            refresh_url: proto.refresh_url,
            scopes: proto.scopes.into_iter().collect(),
        })
    }
}

impl From<ImplicitOAuthFlow> for v0_3::ImplicitOAuthFlow {
    fn from(flow: ImplicitOAuthFlow) -> Self {
        Self {
            authorization_url: flow.authorization_url,
            refresh_url: flow.refresh_url,
            scopes: flow.scopes.into_iter().collect(),
        }
    }
}

impl FromProto<v0_3::ImplicitOAuthFlow> for ImplicitOAuthFlow {
    fn from_proto(proto: v0_3::ImplicitOAuthFlow) -> Result<Self, Invalid> {
        Ok(Self {
            authorization_url: proto.authorization_url,
            refresh_url: proto.refresh_url,
            scopes: proto.scopes.into_iter().collect(),
        })
    }
}

impl From<PasswordOAuthFlow> for v0_3::PasswordOAuthFlow {
    fn from(flow: PasswordOAuthFlow) -> Self {
        Self {
            token_url: flow.token_url,
            refresh_url: flow.refresh_url,
            scopes: flow.scopes.into_iter().collect(),
        }
    }
}

impl FromProto<v0_3::PasswordOAuthFlow> for PasswordOAuthFlow {
    fn from_proto(proto: v0_3::PasswordOAuthFlow) -> Result<Self, Invalid> {
        Ok(Self {
            token_url: proto.token_url,
            refresh_url: proto.refresh_url,
            scopes: proto.scopes.into_iter().collect(),
        })
    }
}
