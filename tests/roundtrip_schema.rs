//! Every wire type survives a JSON round trip unchanged, and the JSON it
//! writes validates against the A2A JSON Schema bundle.
//!
//! For each proto message, enum and oneof of `a2akit::types`, a property test
//! builds random values, writes them with `serde_json::to_value`, reads them
//! back with `a2akit::types::json::from_value` (and once more through JSON
//! text) and checks that nothing changed. The JSON is then validated against
//! the definition of the same proto name in `../shared/spec/a2a.schema.json`.
//! Every message definition there has `additionalProperties: false`, so this
//! also shows that we never write a key the proto does not define. The
//! strategies live in `support/strategies.rs`, shared with `proto_roundtrip`.
//!
//! Types with no definition of their own in the bundle are checked through
//! the definitions of the messages that hold them:
//!
//! - `TaskState` (a proto enum): through `TaskStatus.state` and `ListTasksRequest.status`;
//! - `Role` (a proto enum): through `Message.role`;
//! - `PartContent` (the oneof `Part.content`): through `Part`;
//! - `Empty` (`google.protobuf.Empty`, absent from the bundle): checked to be `{}`.
//!
//! `Struct` (`google.protobuf.Struct`) and timestamps (`google.protobuf.Timestamp`)
//! have definitions and are checked both on their own and inside messages.
//!
//! When the bundle file is missing, the schema checks fail if the `CI`
//! environment variable is set to anything non-empty, and are skipped with a
//! notice otherwise; the round trips always run.

use std::collections::{HashMap, HashSet};
use std::fmt::Debug;
use std::io::Write as _;
use std::sync::{LazyLock, Once};

use a2akit::types::{Empty, ListTasksRequest, Message, Part, Role, TaskState, TaskStatus, json};
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

#[path = "support/strategies.rs"]
mod strategies;

use strategies::Numbers::AnyJson;
use strategies::*;

// ---------------------------------------------------------------------------
// The schema bundle
// ---------------------------------------------------------------------------

const SCHEMA_PATH: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/spec/a2a.schema.json");

/// The proto names this file checks against a definition of the bundle.
/// Together with the three well-known types below they must be exactly the
/// definitions of the bundle, so that a new definition cannot go unchecked.
const CHECKED_DEFINITIONS: &[&str] = &[
    "APIKeySecurityScheme",
    "AgentCapabilities",
    "AgentCard",
    "AgentCardSignature",
    "AgentExtension",
    "AgentInterface",
    "AgentProvider",
    "AgentSkill",
    "Artifact",
    "AuthenticationInfo",
    "AuthorizationCodeOAuthFlow",
    "CancelTaskRequest",
    "ClientCredentialsOAuthFlow",
    "DeleteTaskPushNotificationConfigRequest",
    "DeviceCodeOAuthFlow",
    "GetExtendedAgentCardRequest",
    "GetTaskPushNotificationConfigRequest",
    "GetTaskRequest",
    "HTTPAuthSecurityScheme",
    "ImplicitOAuthFlow",
    "ListTaskPushNotificationConfigsRequest",
    "ListTaskPushNotificationConfigsResponse",
    "ListTasksRequest",
    "ListTasksResponse",
    "Message",
    "MutualTlsSecurityScheme",
    "OAuth2SecurityScheme",
    "OAuthFlows",
    "OpenIdConnectSecurityScheme",
    "Part",
    "PasswordOAuthFlow",
    "SecurityRequirement",
    "SecurityScheme",
    "SendMessageConfiguration",
    "SendMessageRequest",
    "SendMessageResponse",
    "StreamResponse",
    "StringList",
    "SubscribeToTaskRequest",
    "Task",
    "TaskArtifactUpdateEvent",
    "TaskPushNotificationConfig",
    "TaskStatus",
    "TaskStatusUpdateEvent",
];

/// The `google.protobuf` definitions of the bundle.
const WELL_KNOWN_DEFINITIONS: &[&str] = &["Struct", "Timestamp", "Value"];

enum Bundle {
    /// The file is not there.
    Missing,
    /// The validators of each definition, keyed by proto name (`AgentCard`).
    Loaded(HashMap<String, Validators>),
}

struct Validators {
    /// The definition as the bundle has it.
    bundle: jsonschema::Validator,
    /// The same with `patternProperties` removed. The bundle lets each
    /// message also have its fields under their proto (snake_case) names, which
    /// readers must accept; writers use the lowerCamelCase JSON names only.
    camel_case_only: jsonschema::Validator,
}

/// Loaded once for the whole file; an `Err` holds why a present bundle is unusable.
static BUNDLE: LazyLock<Result<Bundle, String>> = LazyLock::new(load_bundle);

fn load_bundle() -> Result<Bundle, String> {
    let text = match std::fs::read_to_string(SCHEMA_PATH) {
        Ok(text) => text,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(Bundle::Missing),
        Err(err) => return Err(format!("cannot read {SCHEMA_PATH}: {err}")),
    };
    let bundle: Value =
        serde_json::from_str(&text).map_err(|err| format!("{SCHEMA_PATH} is not JSON: {err}"))?;
    let definitions = bundle
        .get("definitions")
        .and_then(Value::as_object)
        .ok_or_else(|| format!("{SCHEMA_PATH} has no top-level `definitions` object"))?;

    // Definition keys are titles with spaces ("Agent Card"); without the
    // spaces they are the proto names that the cross-references use.
    let mut keys = HashMap::new();
    for key in definitions.keys() {
        if let Some(other) = keys.insert(key.replace(' ', ""), key.clone()) {
            return Err(format!(
                "definitions {other:?} and {key:?} have the same name once spaces are removed"
            ));
        }
    }

    let mut rewritten = Value::Object(definitions.clone());
    let mut unmapped = Vec::new();
    rewrite_refs(&mut rewritten, &keys, &mut unmapped);
    if !unmapped.is_empty() {
        unmapped.sort();
        unmapped.dedup();
        return Err(format!(
            "{SCHEMA_PATH}: these `$ref`s name no definition of the bundle: {unmapped:?}"
        ));
    }

    let mut camel_case_only = rewritten.clone();
    for definition in camel_case_only
        .as_object_mut()
        .into_iter()
        .flat_map(|map| map.values_mut())
    {
        if let Some(definition) = definition.as_object_mut() {
            definition.remove("patternProperties");
        }
    }

    let mut validators = HashMap::new();
    for (name, key) in &keys {
        let compile = |definitions: &Value| {
            let schema = serde_json::json!({
                "$schema": "https://json-schema.org/draft/2020-12/schema",
                "$ref": definition_ref(key),
                "definitions": definitions,
            });
            jsonschema::draft202012::options()
                .should_validate_formats(true)
                .build(&schema)
                .map_err(|err| format!("definition {key:?} does not compile: {err}"))
        };
        let compiled = Validators {
            bundle: compile(&rewritten)?,
            camel_case_only: compile(&camel_case_only)?,
        };
        validators.insert(name.clone(), compiled);
    }
    Ok(Bundle::Loaded(validators))
}

/// Replaces every `$ref` to `lf.a2a.v1.<Name>.jsonschema.json` or
/// `google.protobuf.<Name>.jsonschema.json` by a reference to the definition
/// of that name inside the document, and collects those it cannot map.
fn rewrite_refs(node: &mut Value, keys: &HashMap<String, String>, unmapped: &mut Vec<String>) {
    match node {
        Value::Object(map) => {
            for (key, value) in map.iter_mut() {
                match value {
                    Value::String(target) if key == "$ref" => match ref_target(target, keys) {
                        Some(local) => *target = local,
                        None => unmapped.push(target.clone()),
                    },
                    _ => rewrite_refs(value, keys, unmapped),
                }
            }
        }
        Value::Array(items) => {
            for item in items {
                rewrite_refs(item, keys, unmapped);
            }
        }
        _ => {}
    }
}

fn ref_target(reference: &str, keys: &HashMap<String, String>) -> Option<String> {
    let name = reference.strip_suffix(".jsonschema.json")?;
    let name = name
        .strip_prefix("lf.a2a.v1.")
        .or_else(|| name.strip_prefix("google.protobuf."))?;
    keys.get(name).map(|key| definition_ref(key))
}

/// `#/definitions/<key>` as a URI fragment: the key escaped as a JSON
/// pointer token, then percent-encoded (the keys hold spaces).
fn definition_ref(key: &str) -> String {
    let token = key.replace('~', "~0").replace('/', "~1");
    let mut fragment = String::from("#/definitions/");
    for byte in token.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~".contains(&byte) {
            fragment.push(char::from(byte));
        } else {
            fragment.push_str(&format!("%{byte:02X}"));
        }
    }
    fragment
}

fn ci_is_set() -> bool {
    std::env::var_os("CI").is_some_and(|value| !value.is_empty())
}

fn missing_bundle_message() -> String {
    format!(
        "the A2A JSON Schema bundle is missing at {SCHEMA_PATH}; the CI environment variable \
         is set, so the schema checks may not be skipped"
    )
}

/// Says once, past the test harness's output capture, that the schema checks are skipped.
fn warn_schema_skipped() {
    static NOTICE: Once = Once::new();
    NOTICE.call_once(|| {
        let _ = writeln!(
            std::io::stderr(),
            "\n{stars}\nWARNING: no JSON Schema bundle at {SCHEMA_PATH}.\n\
             The schema checks of roundtrip_schema are SKIPPED; the round trips still run.\n\
             Set CI=1 to make a missing bundle an error.\n{stars}\n",
            stars = "*".repeat(78)
        );
    });
}

/// Validates `instance` against the definition of proto name `name`.
fn validate(name: &str, instance: &Value) -> Result<(), TestCaseError> {
    let validators = match &*BUNDLE {
        Err(problem) => return Err(TestCaseError::fail(problem.clone())),
        Ok(Bundle::Missing) if ci_is_set() => {
            return Err(TestCaseError::fail(missing_bundle_message()));
        }
        Ok(Bundle::Missing) => {
            warn_schema_skipped();
            return Ok(());
        }
        Ok(Bundle::Loaded(validators)) => validators,
    };
    let validators = validators
        .get(name)
        .ok_or_else(|| TestCaseError::fail(format!("the bundle has no definition for {name}")))?;
    let errors = |validator: &jsonschema::Validator| -> Vec<String> {
        validator
            .iter_errors(instance)
            .map(|err| format!("  at `{}`: {err}", err.instance_path))
            .collect()
    };
    let bundle_errors = errors(&validators.bundle);
    if !bundle_errors.is_empty() {
        return Err(TestCaseError::fail(format!(
            "{name} does not validate against the schema:\n{}\nJSON: {instance}",
            bundle_errors.join("\n")
        )));
    }
    let camel_case_errors = errors(&validators.camel_case_only);
    if !camel_case_errors.is_empty() {
        return Err(TestCaseError::fail(format!(
            "{name} has a key under its proto (snake_case) name instead of its JSON name:\n{}\n\
             JSON: {instance}",
            camel_case_errors.join("\n")
        )));
    }
    Ok(())
}

// ---------------------------------------------------------------------------
// The checks
// ---------------------------------------------------------------------------

/// Writes `value` to JSON and reads it back, through a `Value` and through
/// text; both must give `value` again. Returns the JSON.
fn round_trip<T>(value: &T) -> Result<Value, TestCaseError>
where
    T: Serialize + DeserializeOwned + PartialEq + Debug,
{
    let written = serde_json::to_value(value)
        .map_err(|err| TestCaseError::fail(format!("cannot write {value:?}: {err}")))?;
    let back: T = json::from_value(written.clone())
        .map_err(|err| TestCaseError::fail(format!("cannot read back {written}: {err}")))?;
    prop_assert_eq!(&back, value, "the value changed through {}", written);

    let text = serde_json::to_string(value)
        .map_err(|err| TestCaseError::fail(format!("cannot write {value:?}: {err}")))?;
    let reparsed: Value = serde_json::from_str(&text)
        .map_err(|err| TestCaseError::fail(format!("we wrote invalid JSON {text}: {err}")))?;
    prop_assert_eq!(&reparsed, &written, "to_string and to_value disagree");
    let back: T = json::from_str(&text)
        .map_err(|err| TestCaseError::fail(format!("cannot read back {text}: {err}")))?;
    prop_assert_eq!(&back, value, "the value changed through {}", text);
    Ok(written)
}

/// Round-trips `value` and validates its JSON against definition `name`.
fn check<T>(value: &T, name: &str) -> Result<(), TestCaseError>
where
    T: Serialize + DeserializeOwned + PartialEq + Debug,
{
    let written = round_trip(value)?;
    validate(name, &written)
}

fn config(cases: u32) -> ProptestConfig {
    ProptestConfig {
        cases,
        // Failures are reported in the test output; no regression files are written.
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

// ---------------------------------------------------------------------------
// The bundle itself
// ---------------------------------------------------------------------------

/// The bundle loads, every `$ref` maps to a definition, and its definitions
/// are exactly the ones this file checks.
#[test]
fn schema_bundle_loads_and_every_definition_is_checked() {
    let validators = match &*BUNDLE {
        Err(problem) => panic!("{problem}"),
        Ok(Bundle::Missing) if ci_is_set() => panic!("{}", missing_bundle_message()),
        Ok(Bundle::Missing) => {
            warn_schema_skipped();
            return;
        }
        Ok(Bundle::Loaded(validators)) => validators,
    };
    let in_bundle: HashSet<&str> = validators.keys().map(String::as_str).collect();
    let checked: HashSet<&str> = CHECKED_DEFINITIONS
        .iter()
        .chain(WELL_KNOWN_DEFINITIONS)
        .copied()
        .collect();
    let mut unchecked: Vec<_> = in_bundle.difference(&checked).collect();
    unchecked.sort();
    let mut absent: Vec<_> = checked.difference(&in_bundle).collect();
    absent.sort();
    assert!(
        unchecked.is_empty() && absent.is_empty(),
        "definitions in the bundle but not checked here: {unchecked:?}; \
         checked here but not in the bundle: {absent:?}"
    );
}

/// The validators do reject what they should, so a pass means something.
#[test]
fn schema_rejects_unknown_keys_and_wrong_types() {
    if !matches!(&*BUNDLE, Ok(Bundle::Loaded(_))) {
        // The loading test above reports a missing or broken bundle.
        return;
    }
    let bad = [
        (
            "Task",
            serde_json::json!({"id": "t", "status": {"state": "TASK_STATE_WORKING"}, "bogus": 1}),
        ),
        ("TaskStatus", serde_json::json!({"state": "WORKING"})),
        (
            "Message",
            serde_json::json!({"messageId": "m", "role": "ROLE_USER", "parts": [{"text": 1}]}),
        ),
        ("Part", serde_json::json!({"raw": "not base64!"})),
        (
            "TaskStatus",
            serde_json::json!({"state": "TASK_STATE_WORKING", "timestamp": "yesterday"}),
        ),
        (
            "AgentCard",
            serde_json::json!({"securitySchemes": {"s": {"bogusScheme": {}}}}),
        ),
        ("OAuthFlows", serde_json::json!({"implicit": {"tokenUrl": "x"}})),
        (
            "Task",
            serde_json::json!({
                "id": "t",
                "status": {"state": "TASK_STATE_WORKING", "message": {"parts": [{"text": "", "bogus": 1}]}}
            }),
        ),
        (
            "StreamResponse",
            serde_json::json!({"task": {"id": "t", "history": [{"bogus": 1}]}}),
        ),
        (
            "Message",
            serde_json::json!({"message_id": "m", "role": "ROLE_USER"}),
        ),
    ];
    for (name, instance) in bad {
        assert!(
            validate(name, &instance).is_err(),
            "{name} accepted {instance}, so the validators check less than they should"
        );
    }
}

// ---------------------------------------------------------------------------
// Enums, oneofs and types with no definition of their own
// ---------------------------------------------------------------------------

/// Every enum value, exhaustively: by name in JSON, and valid where it is used.
#[test]
fn every_enum_value_round_trips_and_validates() {
    for &state in TaskState::ALL {
        let written = round_trip(&state).unwrap();
        assert_eq!(written, Value::from(state.as_str()));
        let status = TaskStatus {
            state,
            message: None,
            timestamp: None,
        };
        check(&status, "TaskStatus").unwrap();
        let filter = ListTasksRequest {
            status: Some(state),
            ..ListTasksRequest::default()
        };
        check(&filter, "ListTasksRequest").unwrap();
    }
    for &role in Role::ALL {
        let written = round_trip(&role).unwrap();
        assert_eq!(written, Value::from(role.as_str()));
        let mut message = Message::user("hi");
        message.role = role;
        check(&message, "Message").unwrap();
    }
}

/// `google.protobuf.Empty` has no definition in the bundle; it must be `{}`.
#[test]
fn empty_round_trips_as_an_empty_object() {
    let written = round_trip(&Empty {}).unwrap();
    assert_eq!(written, serde_json::json!({}));
}

proptest! {
    #![proptest_config(config(64))]

    #[test]
    fn task_state_round_trips(state in task_state()) {
        let written = round_trip(&state)?;
        prop_assert_eq!(written, Value::from(state.as_str()));
        check(&TaskStatus { state, message: None, timestamp: None }, "TaskStatus")?;
    }

    #[test]
    fn role_round_trips(role in role(), part in part(AnyJson)) {
        let written = round_trip(&role)?;
        prop_assert_eq!(written, Value::from(role.as_str()));
        let mut message = Message::new(role, [part]);
        message.message_id = "m".to_owned();
        check(&message, "Message")?;
    }

    #[test]
    fn struct_round_trips(value in structure(AnyJson)) {
        check(&value, "Struct")?;
    }

    #[test]
    fn timestamp_validates(timestamp in timestamp()) {
        let status = TaskStatus {
            state: TaskState::Working,
            message: None,
            timestamp: Some(timestamp),
        };
        check(&status, "TaskStatus")?;
        let written = serde_json::to_value(status).unwrap();
        validate("Timestamp", &written["timestamp"])?;
    }
}

// ---------------------------------------------------------------------------
// Messages: round trip and schema
// ---------------------------------------------------------------------------

proptest! {
    #![proptest_config(config(512))]

    #[test]
    fn part_content_round_trips(content in part_content(AnyJson)) {
        check(&Part::new(content), "Part")?;
    }

    #[test]
    fn part_round_trips(value in part(AnyJson)) {
        check(&value, "Part")?;
    }

    #[test]
    fn message_round_trips(value in message(AnyJson)) {
        check(&value, "Message")?;
    }
}

proptest! {
    #![proptest_config(config(256))]

    #[test]
    fn task_round_trips(value in task(AnyJson)) {
        check(&value, "Task")?;
    }

    #[test]
    fn task_status_round_trips(value in task_status(AnyJson)) {
        check(&value, "TaskStatus")?;
    }

    #[test]
    fn stream_response_round_trips(value in stream_response(AnyJson)) {
        check(&value, "StreamResponse")?;
    }

    #[test]
    fn agent_card_round_trips(value in agent_card(AnyJson)) {
        check(&value, "AgentCard")?;
    }
}

proptest! {
    #![proptest_config(config(128))]

    #[test]
    fn artifact_round_trips(value in artifact(AnyJson)) {
        check(&value, "Artifact")?;
    }

    #[test]
    fn task_status_update_event_round_trips(value in status_update(AnyJson)) {
        check(&value, "TaskStatusUpdateEvent")?;
    }

    #[test]
    fn task_artifact_update_event_round_trips(value in artifact_update(AnyJson)) {
        check(&value, "TaskArtifactUpdateEvent")?;
    }

    #[test]
    fn send_message_request_round_trips(value in send_message_request(AnyJson)) {
        check(&value, "SendMessageRequest")?;
    }

    #[test]
    fn send_message_configuration_round_trips(value in send_message_configuration()) {
        check(&value, "SendMessageConfiguration")?;
    }

    #[test]
    fn send_message_response_round_trips(value in send_message_response(AnyJson)) {
        check(&value, "SendMessageResponse")?;
    }

    #[test]
    fn get_task_request_round_trips(value in get_task_request()) {
        check(&value, "GetTaskRequest")?;
    }

    #[test]
    fn list_tasks_request_round_trips(value in list_tasks_request()) {
        check(&value, "ListTasksRequest")?;
    }

    #[test]
    fn list_tasks_response_round_trips(value in list_tasks_response(AnyJson)) {
        check(&value, "ListTasksResponse")?;
    }

    #[test]
    fn cancel_task_request_round_trips(value in cancel_task_request(AnyJson)) {
        check(&value, "CancelTaskRequest")?;
    }

    #[test]
    fn subscribe_to_task_request_round_trips(value in subscribe_to_task_request()) {
        check(&value, "SubscribeToTaskRequest")?;
    }

    #[test]
    fn get_push_config_request_round_trips(value in get_push_config_request()) {
        check(&value, "GetTaskPushNotificationConfigRequest")?;
    }

    #[test]
    fn delete_push_config_request_round_trips(value in delete_push_config_request()) {
        check(&value, "DeleteTaskPushNotificationConfigRequest")?;
    }

    #[test]
    fn list_push_configs_request_round_trips(value in list_push_configs_request()) {
        check(&value, "ListTaskPushNotificationConfigsRequest")?;
    }

    #[test]
    fn list_push_configs_response_round_trips(value in list_push_configs_response()) {
        check(&value, "ListTaskPushNotificationConfigsResponse")?;
    }

    #[test]
    fn get_extended_agent_card_request_round_trips(value in get_extended_agent_card_request()) {
        check(&value, "GetExtendedAgentCardRequest")?;
    }

    #[test]
    fn push_config_round_trips(value in push_config()) {
        check(&value, "TaskPushNotificationConfig")?;
    }

    #[test]
    fn authentication_info_round_trips(value in authentication_info()) {
        check(&value, "AuthenticationInfo")?;
    }

    #[test]
    fn agent_interface_round_trips(value in agent_interface()) {
        check(&value, "AgentInterface")?;
    }

    #[test]
    fn agent_provider_round_trips(value in agent_provider()) {
        check(&value, "AgentProvider")?;
    }

    #[test]
    fn agent_extension_round_trips(value in agent_extension(AnyJson)) {
        check(&value, "AgentExtension")?;
    }

    #[test]
    fn agent_capabilities_round_trips(value in agent_capabilities(AnyJson)) {
        check(&value, "AgentCapabilities")?;
    }

    #[test]
    fn agent_skill_round_trips(value in agent_skill()) {
        check(&value, "AgentSkill")?;
    }

    #[test]
    fn agent_card_signature_round_trips(value in agent_card_signature(AnyJson)) {
        check(&value, "AgentCardSignature")?;
    }

    #[test]
    fn security_scheme_round_trips(value in security_scheme()) {
        check(&value, "SecurityScheme")?;
    }

    #[test]
    fn api_key_scheme_round_trips(value in api_key_scheme()) {
        check(&value, "APIKeySecurityScheme")?;
    }

    #[test]
    fn http_auth_scheme_round_trips(value in http_auth_scheme()) {
        check(&value, "HTTPAuthSecurityScheme")?;
    }

    #[test]
    fn oauth2_scheme_round_trips(value in oauth2_scheme()) {
        check(&value, "OAuth2SecurityScheme")?;
    }

    #[test]
    fn open_id_connect_scheme_round_trips(value in open_id_connect_scheme()) {
        check(&value, "OpenIdConnectSecurityScheme")?;
    }

    #[test]
    fn mutual_tls_scheme_round_trips(value in mutual_tls_scheme()) {
        check(&value, "MutualTlsSecurityScheme")?;
    }

    #[test]
    fn oauth_flows_round_trips(value in oauth_flows()) {
        check(&value, "OAuthFlows")?;
    }

    #[test]
    fn authorization_code_flow_round_trips(value in authorization_code_flow()) {
        check(&value, "AuthorizationCodeOAuthFlow")?;
    }

    #[test]
    fn client_credentials_flow_round_trips(value in client_credentials_flow()) {
        check(&value, "ClientCredentialsOAuthFlow")?;
    }

    #[test]
    fn implicit_flow_round_trips(value in implicit_flow()) {
        check(&value, "ImplicitOAuthFlow")?;
    }

    #[test]
    fn password_flow_round_trips(value in password_flow()) {
        check(&value, "PasswordOAuthFlow")?;
    }

    #[test]
    fn device_code_flow_round_trips(value in device_code_flow()) {
        check(&value, "DeviceCodeOAuthFlow")?;
    }

    #[test]
    fn security_requirement_round_trips(value in security_requirement()) {
        check(&value, "SecurityRequirement")?;
    }

    #[test]
    fn string_list_round_trips(value in string_list()) {
        check(&value, "StringList")?;
    }
}
