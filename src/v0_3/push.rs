//! v0.3 push notification configs: a webhook, and the task it is set on.

use super::non_empty;
use crate::types;
use crate::types::protojson::nullable;

/// Credentials for a webhook: v0.3 lists the schemes the agent may use.
///
/// 1.0 has one scheme: going to 1.0 the first is kept (and the others
/// lost); going back the 1.0 scheme is the only one (none when empty).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PushNotificationAuthenticationInfo {
    /// HTTP authentication schemes, e.g. `["Bearer"]`.
    #[serde(default, deserialize_with = "nullable")]
    pub schemes: Vec<String>,
    /// The credentials.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credentials: Option<String>,
}

impl From<PushNotificationAuthenticationInfo> for types::AuthenticationInfo {
    fn from(info: PushNotificationAuthenticationInfo) -> Self {
        Self {
            scheme: info.schemes.into_iter().next().unwrap_or_default(),
            credentials: info.credentials.unwrap_or_default(),
        }
    }
}

impl From<types::AuthenticationInfo> for PushNotificationAuthenticationInfo {
    fn from(info: types::AuthenticationInfo) -> Self {
        Self {
            schemes: non_empty(info.scheme).into_iter().collect(),
            credentials: non_empty(info.credentials),
        }
    }
}

/// A webhook for a task's updates.
///
/// Converts with a 1.0 [`types::TaskPushNotificationConfig`] whose task id
/// and tenant are empty (as in a `message/send` configuration); see
/// [`TaskPushNotificationConfig`] for one set on a task.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PushNotificationConfig {
    /// The config id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// The webhook URL.
    #[serde(default, deserialize_with = "nullable")]
    pub url: String,
    /// An opaque token the agent sends back with each notification.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token: Option<String>,
    /// Credentials the agent sends.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authentication: Option<PushNotificationAuthenticationInfo>,
}

impl From<PushNotificationConfig> for types::TaskPushNotificationConfig {
    fn from(config: PushNotificationConfig) -> Self {
        Self {
            tenant: String::new(),
            id: config.id.unwrap_or_default(),
            task_id: String::new(),
            url: config.url,
            token: config.token.unwrap_or_default(),
            authentication: config.authentication.map(Into::into),
        }
    }
}

/// The tenant and the task id are dropped.
impl From<types::TaskPushNotificationConfig> for PushNotificationConfig {
    fn from(config: types::TaskPushNotificationConfig) -> Self {
        Self {
            id: non_empty(config.id),
            url: config.url,
            token: non_empty(config.token),
            authentication: config.authentication.map(Into::into),
        }
    }
}

/// A webhook set on a task: the params of `tasks/pushNotificationConfig/set`
/// and the result of the get, set and list methods.
///
/// Converts with [`types::TaskPushNotificationConfig`], which holds the
/// task id beside the webhook; the 1.0 tenant is lost.
///
/// ```
/// use a2akit::{types, v0_3};
///
/// let v03: v0_3::TaskPushNotificationConfig = serde_json::from_str(
///     r#"{"taskId": "t1", "pushNotificationConfig": {"id": "p1", "url": "https://hook.example",
///         "authentication": {"schemes": ["Bearer"], "credentials": "secret"}}}"#,
/// ).unwrap();
/// let v1 = types::TaskPushNotificationConfig::from(v03.clone());
/// assert_eq!((v1.task_id.as_str(), v1.id.as_str()), ("t1", "p1"));
/// assert_eq!(v1.authentication.as_ref().unwrap().scheme, "Bearer");
/// assert_eq!(v0_3::TaskPushNotificationConfig::from(v1), v03);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TaskPushNotificationConfig {
    /// The task.
    #[serde(alias = "task_id", default, deserialize_with = "nullable")]
    pub task_id: String,
    /// The webhook.
    #[serde(alias = "push_notification_config", default, deserialize_with = "nullable")]
    pub push_notification_config: PushNotificationConfig,
}

impl From<TaskPushNotificationConfig> for types::TaskPushNotificationConfig {
    fn from(config: TaskPushNotificationConfig) -> Self {
        Self {
            task_id: config.task_id,
            ..config.push_notification_config.into()
        }
    }
}

impl From<types::TaskPushNotificationConfig> for TaskPushNotificationConfig {
    fn from(config: types::TaskPushNotificationConfig) -> Self {
        Self {
            task_id: config.task_id.clone(),
            push_notification_config: config.into(),
        }
    }
}
