//! The resource names of the v0.3 proto: `tasks/{id}` for a task and
//! `tasks/{id}/pushNotificationConfigs/{config_id}` for a webhook set on it.
//!
//! They are also the paths of the HTTP+JSON binding under `/v1/`
//! (`GET /v1/tasks/t1`), and they travel in bodies: `name` of a
//! [`TaskPushNotificationConfig`](super::TaskPushNotificationConfig) and of
//! a [`CancelTaskRequest`](super::CancelTaskRequest), `parent` of a
//! [`CreateTaskPushNotificationConfigRequest`](super::CreateTaskPushNotificationConfigRequest).

/// The collection segment of a task name.
const TASKS: &str = "tasks";

/// The collection segment of a push config name, under its task.
const PUSH_CONFIGS: &str = "pushNotificationConfigs";

/// A resource name that is not of the form asked for.
///
/// ```
/// use a2akit::v0_3::rest::parse_task_name;
///
/// let err = parse_task_name("task/t1").unwrap_err();
/// assert_eq!(err.to_string(), "\"task/t1\" is not a task name of the form tasks/{id}");
/// assert_eq!(err.name(), "task/t1");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{name:?} is not a {form}")]
pub struct NameError {
    name: String,
    form: &'static str,
}

impl NameError {
    fn new(name: &str, form: &'static str) -> Self {
        Self {
            name: name.to_owned(),
            form,
        }
    }

    /// The name that was given.
    pub fn name(&self) -> &str {
        &self.name
    }
}

/// The name of task `task_id`: `tasks/{task_id}`.
///
/// An id holding a `/` makes a name that does not parse back.
///
/// ```
/// use a2akit::v0_3::rest::{parse_task_name, task_name};
/// assert_eq!(task_name("t1"), "tasks/t1");
/// assert_eq!(parse_task_name(&task_name("t1")), Ok("t1"));
/// ```
pub fn task_name(task_id: &str) -> String {
    format!("{TASKS}/{task_id}")
}

/// The name of webhook `config_id` of task `task_id`:
/// `tasks/{task_id}/pushNotificationConfigs/{config_id}`.
///
/// An id holding a `/`, or an empty one, makes a name that does not parse back.
///
/// ```
/// use a2akit::v0_3::rest::{parse_push_config_name, push_config_name};
/// let name = push_config_name("t1", "hook-1");
/// assert_eq!(name, "tasks/t1/pushNotificationConfigs/hook-1");
/// assert_eq!(parse_push_config_name(&name), Ok(("t1", "hook-1")));
/// ```
pub fn push_config_name(task_id: &str, config_id: &str) -> String {
    format!("{TASKS}/{task_id}/{PUSH_CONFIGS}/{config_id}")
}

/// The task id of a task name, `tasks/{id}`; anything else (another
/// collection, an empty id, more segments) is refused.
///
/// ```
/// use a2akit::v0_3::rest::parse_task_name;
/// assert_eq!(parse_task_name("tasks/t1"), Ok("t1"));
/// assert!(parse_task_name("tasks/").is_err());
/// assert!(parse_task_name("tasks/t1/pushNotificationConfigs/p1").is_err());
/// ```
pub fn parse_task_name(name: &str) -> Result<&str, NameError> {
    match segments(name).as_slice() {
        [TASKS, task_id] if is_id(task_id) => Ok(task_id),
        _ => Err(NameError::new(name, "task name of the form tasks/{id}")),
    }
}

/// The task id and the config id of a push config name,
/// `tasks/{id}/pushNotificationConfigs/{config_id}`; anything else is refused.
///
/// ```
/// use a2akit::v0_3::rest::parse_push_config_name;
/// assert_eq!(parse_push_config_name("tasks/t1/pushNotificationConfigs/p1"), Ok(("t1", "p1")));
/// let err = parse_push_config_name("tasks/t1/pushNotificationConfigs/").unwrap_err();
/// assert_eq!(
///     err.to_string(),
///     "\"tasks/t1/pushNotificationConfigs/\" is not a push notification config name \
///      of the form tasks/{id}/pushNotificationConfigs/{config_id}"
/// );
/// ```
pub fn parse_push_config_name(name: &str) -> Result<(&str, &str), NameError> {
    match segments(name).as_slice() {
        [TASKS, task_id, PUSH_CONFIGS, config_id] if is_id(task_id) && is_id(config_id) => {
            Ok((task_id, config_id))
        }
        _ => Err(NameError::new(
            name,
            "push notification config name of the form tasks/{id}/pushNotificationConfigs/{config_id}",
        )),
    }
}

fn segments(name: &str) -> Vec<&str> {
    name.split('/').collect()
}

fn is_id(segment: &str) -> bool {
    !segment.is_empty()
}

/// The task id of any name that starts with `tasks/{id}`, or `""`: what the
/// v0.3 SDKs take from a name, and what a conversion (which cannot fail)
/// reads from a name that does not parse.
pub(super) fn task_id_in(name: &str) -> &str {
    name.strip_prefix("tasks/")
        .and_then(|rest| rest.split('/').next())
        .unwrap_or_default()
}

/// The config id of a name of the form `tasks/{id}/pushNotificationConfigs/{config_id}`
/// (with any ids, even empty), or `""`.
pub(super) fn config_id_in(name: &str) -> &str {
    match segments(name).as_slice() {
        [TASKS, _, PUSH_CONFIGS, config_id] => config_id,
        _ => "",
    }
}
