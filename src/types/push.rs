//! Push notifications: where and how an agent posts task updates to a client's webhook.

use super::protojson::nullable;

/// A webhook registered for a task's updates.
///
/// ```
/// use a2akit::types::{AuthenticationInfo, TaskPushNotificationConfig};
///
/// let config = TaskPushNotificationConfig::new("https://client.example.com/hook")
///     .with_token("opaque-token")
///     .with_authentication(AuthenticationInfo::new("Bearer", "secret"));
/// let json = serde_json::to_value(&config).unwrap();
/// assert_eq!(json["authentication"]["scheme"], "Bearer");
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TaskPushNotificationConfig {
    /// The tenant; empty when not set.
    #[serde(default, deserialize_with = "nullable", skip_serializing_if = "String::is_empty")]
    pub tenant: String,
    /// The config id; the server assigns one when it is empty.
    #[serde(default, deserialize_with = "nullable", skip_serializing_if = "String::is_empty")]
    pub id: String,
    /// The task the config belongs to; empty inside a `SendMessage` configuration.
    #[serde(alias = "task_id")]
    #[serde(default, deserialize_with = "nullable", skip_serializing_if = "String::is_empty")]
    pub task_id: String,
    /// The webhook URL.
    #[serde(default, deserialize_with = "nullable")]
    pub url: String,
    /// An opaque token the agent sends back with each notification; empty when not set.
    #[serde(default, deserialize_with = "nullable", skip_serializing_if = "String::is_empty")]
    pub token: String,
    /// Credentials the agent sends in the `Authorization` header.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authentication: Option<AuthenticationInfo>,
}

impl TaskPushNotificationConfig {
    /// A config posting to `url`.
    pub fn new(url: impl Into<String>) -> Self {
        Self {
            url: url.into(),
            ..Self::default()
        }
    }

    /// Sets the task id.
    pub fn with_task_id(mut self, task_id: impl Into<String>) -> Self {
        self.task_id = task_id.into();
        self
    }

    /// Sets the config id.
    pub fn with_id(mut self, id: impl Into<String>) -> Self {
        self.id = id.into();
        self
    }

    /// Sets the token.
    pub fn with_token(mut self, token: impl Into<String>) -> Self {
        self.token = token.into();
        self
    }

    /// Sets the credentials.
    pub fn with_authentication(mut self, authentication: AuthenticationInfo) -> Self {
        self.authentication = Some(authentication);
        self
    }
}

/// Credentials for a webhook: sent as `Authorization: <scheme> <credentials>`.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct AuthenticationInfo {
    /// An HTTP authentication scheme from the IANA registry, e.g. `Bearer`.
    #[serde(default, deserialize_with = "nullable")]
    pub scheme: String,
    /// The credentials; empty when not set.
    #[serde(default, deserialize_with = "nullable", skip_serializing_if = "String::is_empty")]
    pub credentials: String,
}

impl AuthenticationInfo {
    /// Credentials `credentials` under `scheme`.
    pub fn new(scheme: impl Into<String>, credentials: impl Into<String>) -> Self {
        Self {
            scheme: scheme.into(),
            credentials: credentials.into(),
        }
    }
}
