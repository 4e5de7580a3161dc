//! Push notification configs: a webhook, the webhook set on a task (named
//! `tasks/{id}/pushNotificationConfigs/{config_id}`), the body that creates
//! one, and a page of them.

use serde::de::{Deserialize, Deserializer, Error as _};
use serde_json::Value;

use super::name::{
    config_id_in, parse_push_config_name, parse_task_name, push_config_name, task_id_in, task_name,
};
use crate::types;
use crate::types::protojson::nullable;

/// Credentials for a webhook: v0.3 lists the schemes the agent may use.
///
/// 1.0 has one scheme: going to 1.0 the first is kept (the others are
/// lost); going back the 1.0 scheme is the only one (none when empty).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct AuthenticationInfo {
    /// HTTP authentication schemes, e.g. `["Bearer"]`.
    #[serde(default, deserialize_with = "nullable", skip_serializing_if = "Vec::is_empty")]
    pub schemes: Vec<String>,
    /// The credentials; empty when not set.
    #[serde(default, deserialize_with = "nullable", skip_serializing_if = "String::is_empty")]
    pub credentials: String,
}

impl From<AuthenticationInfo> for types::AuthenticationInfo {
    fn from(info: AuthenticationInfo) -> Self {
        Self {
            scheme: info.schemes.into_iter().next().unwrap_or_default(),
            credentials: info.credentials,
        }
    }
}

impl From<types::AuthenticationInfo> for AuthenticationInfo {
    fn from(info: types::AuthenticationInfo) -> Self {
        Self {
            schemes: Some(info.scheme)
                .filter(|scheme| !scheme.is_empty())
                .into_iter()
                .collect(),
            credentials: info.credentials,
        }
    }
}

/// A webhook: where and how the agent posts a task's updates.
///
/// Converts with a 1.0 [`types::TaskPushNotificationConfig`] whose task id
/// and tenant are empty (as in a message's configuration): both are lost
/// going to v0.3. See [`TaskPushNotificationConfig`] for one set on a task.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PushNotificationConfig {
    /// The config id; empty when not set.
    #[serde(default, deserialize_with = "nullable", skip_serializing_if = "String::is_empty")]
    pub id: String,
    /// The webhook URL.
    #[serde(default, deserialize_with = "nullable", skip_serializing_if = "String::is_empty")]
    pub url: String,
    /// An opaque token the agent sends back with each notification; empty when not set.
    #[serde(default, deserialize_with = "nullable", skip_serializing_if = "String::is_empty")]
    pub token: String,
    /// Credentials the agent sends.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authentication: Option<AuthenticationInfo>,
}

impl From<PushNotificationConfig> for types::TaskPushNotificationConfig {
    fn from(config: PushNotificationConfig) -> Self {
        Self {
            tenant: String::new(),
            id: config.id,
            task_id: String::new(),
            url: config.url,
            token: config.token,
            authentication: config.authentication.map(Into::into),
        }
    }
}

impl From<types::TaskPushNotificationConfig> for PushNotificationConfig {
    fn from(config: types::TaskPushNotificationConfig) -> Self {
        Self {
            id: config.id,
            url: config.url,
            token: config.token,
            authentication: config.authentication.map(Into::into),
        }
    }
}

/// A webhook set on a task: the answer of `GET` and `POST
/// /v1/tasks/{id}/pushNotificationConfigs…`, and the `config` of a
/// [`CreateTaskPushNotificationConfigRequest`].
///
/// Converts with [`types::TaskPushNotificationConfig`], which holds the
/// task id beside the webhook. Going to 1.0, the task id is read from the
/// `name` (what follows `tasks/`, or none, when it does not parse: see
/// [`parse_push_config_name`]), and the config id is the webhook's own
/// `id`, or the one in the name when that is empty. Going to v0.3, the name
/// is built from both ids (none without a task id, and one ending in `/`
/// without a config id); the tenant is lost.
///
/// ```
/// use a2akit::{types, v0_3::rest};
///
/// let config: rest::TaskPushNotificationConfig = serde_json::from_str(
///     r#"{"name": "tasks/t1/pushNotificationConfigs/p1",
///         "pushNotificationConfig": {"id": "p1", "url": "https://hook.example",
///             "authentication": {"schemes": ["Bearer"], "credentials": "secret"}}}"#,
/// ).unwrap();
/// assert_eq!(config.ids(), Ok(("t1", "p1")));
/// let v1 = types::TaskPushNotificationConfig::from(config.clone());
/// assert_eq!((v1.task_id.as_str(), v1.id.as_str()), ("t1", "p1"));
/// assert_eq!(v1.authentication.as_ref().unwrap().scheme, "Bearer");
/// assert_eq!(rest::TaskPushNotificationConfig::from(v1), config);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TaskPushNotificationConfig {
    /// The resource name, `tasks/{id}/pushNotificationConfigs/{config_id}`.
    #[serde(default, deserialize_with = "nullable", skip_serializing_if = "String::is_empty")]
    pub name: String,
    /// The webhook (always written).
    #[serde(alias = "push_notification_config", default, deserialize_with = "nullable")]
    pub push_notification_config: PushNotificationConfig,
}

impl TaskPushNotificationConfig {
    /// The task id and config id the name holds; a malformed name is refused.
    pub fn ids(&self) -> Result<(&str, &str), super::NameError> {
        parse_push_config_name(&self.name)
    }
}

impl From<TaskPushNotificationConfig> for types::TaskPushNotificationConfig {
    fn from(config: TaskPushNotificationConfig) -> Self {
        let mut v1 = types::TaskPushNotificationConfig::from(config.push_notification_config);
        v1.task_id = task_id_in(&config.name).to_owned();
        if v1.id.is_empty() {
            v1.id = config_id_in(&config.name).to_owned();
        }
        v1
    }
}

impl From<types::TaskPushNotificationConfig> for TaskPushNotificationConfig {
    fn from(config: types::TaskPushNotificationConfig) -> Self {
        let name = match config.task_id.as_str() {
            "" => String::new(),
            task_id => push_config_name(task_id, &config.id),
        };
        Self {
            name,
            push_notification_config: config.into(),
        }
    }
}

/// The body of `POST /v1/tasks/{id}/pushNotificationConfigs`: the task
/// (`parent`, `tasks/{id}`), the config id the client asks for, and the config.
///
/// Converts with [`types::TaskPushNotificationConfig`]: the task id comes
/// from `parent` (or, when it does not parse, from the config's name), and
/// the config id from `configId` (or the config's). Going to v0.3 both
/// ids are written in all three places, as the SDKs write them (no
/// `parent` and no name without a task id).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateTaskPushNotificationConfigRequest {
    /// The task's name, `tasks/{id}`.
    #[serde(default, deserialize_with = "nullable", skip_serializing_if = "String::is_empty")]
    pub parent: String,
    /// The id the client asks for; empty to let the server choose.
    #[serde(alias = "config_id")]
    #[serde(default, deserialize_with = "nullable", skip_serializing_if = "String::is_empty")]
    pub config_id: String,
    /// The config (always written).
    #[serde(default, deserialize_with = "nullable")]
    pub config: TaskPushNotificationConfig,
}

impl From<CreateTaskPushNotificationConfigRequest> for types::TaskPushNotificationConfig {
    fn from(request: CreateTaskPushNotificationConfigRequest) -> Self {
        let mut v1 = types::TaskPushNotificationConfig::from(request.config);
        if let Ok(task_id) = parse_task_name(&request.parent) {
            v1.task_id = task_id.to_owned();
        }
        if !request.config_id.is_empty() {
            v1.id = request.config_id;
        }
        v1
    }
}

impl From<types::TaskPushNotificationConfig> for CreateTaskPushNotificationConfigRequest {
    fn from(config: types::TaskPushNotificationConfig) -> Self {
        Self {
            parent: match config.task_id.as_str() {
                "" => String::new(),
                task_id => task_name(task_id),
            },
            config_id: config.id.clone(),
            config: config.into(),
        }
    }
}

/// A page of webhooks: the answer of `GET /v1/tasks/{id}/pushNotificationConfigs`
/// as the proto declares it, `{"configs": […], "nextPageToken": "…"}`.
///
/// A bare array of configs, which some v0.3 servers answer instead, reads
/// too (as a page with no next one). Converts with
/// [`types::ListTaskPushNotificationConfigsResponse`] (each config as
/// [`TaskPushNotificationConfig`] says).
///
/// ```
/// use a2akit::v0_3::rest::ListTaskPushNotificationConfigResponse;
///
/// let bare: ListTaskPushNotificationConfigResponse = serde_json::from_str(
///     r#"[{"name": "tasks/t1/pushNotificationConfigs/p1", "pushNotificationConfig": {"url": "https://h.example"}}]"#,
/// ).unwrap();
/// assert_eq!(bare.configs.len(), 1);
/// assert!(bare.next_page_token.is_empty());
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ListTaskPushNotificationConfigResponse {
    /// The webhooks.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub configs: Vec<TaskPushNotificationConfig>,
    /// The cursor of the next page; empty on the last one.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub next_page_token: String,
}

/// The proto's form of [`ListTaskPushNotificationConfigResponse`].
#[derive(serde::Deserialize)]
#[serde(rename_all = "camelCase")]
struct Page {
    #[serde(default, deserialize_with = "nullable")]
    configs: Vec<TaskPushNotificationConfig>,
    #[serde(alias = "next_page_token")]
    #[serde(default, deserialize_with = "nullable")]
    next_page_token: String,
}

impl<'de> Deserialize<'de> for ListTaskPushNotificationConfigResponse {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let page = match Value::deserialize(deserializer)? {
            Value::Array(configs) => Page {
                configs: serde_json::from_value(Value::Array(configs)).map_err(D::Error::custom)?,
                next_page_token: String::new(),
            },
            object => serde_json::from_value(object).map_err(D::Error::custom)?,
        };
        Ok(Self {
            configs: page.configs,
            next_page_token: page.next_page_token,
        })
    }
}

impl From<ListTaskPushNotificationConfigResponse> for types::ListTaskPushNotificationConfigsResponse {
    fn from(page: ListTaskPushNotificationConfigResponse) -> Self {
        Self {
            configs: page.configs.into_iter().map(Into::into).collect(),
            next_page_token: page.next_page_token,
        }
    }
}

impl From<types::ListTaskPushNotificationConfigsResponse> for ListTaskPushNotificationConfigResponse {
    fn from(page: types::ListTaskPushNotificationConfigsResponse) -> Self {
        Self {
            configs: page.configs.into_iter().map(Into::into).collect(),
            next_page_token: page.next_page_token,
        }
    }
}
