//! Every wire type survives a JSON round trip unchanged, and the JSON it
//! writes validates against the A2A JSON Schema bundle.
//!
//! For each proto message, enum and oneof of `a2akit::types`, a property test
//! builds random values, writes them with `serde_json::to_value`, reads them
//! back with `a2akit::types::json::from_value` (and once more through JSON
//! text) and checks that nothing changed. The JSON is then validated against
//! the definition of the same proto name in `../shared/spec/a2a.schema.json`.
//! Every message definition there has `additionalProperties: false`, so this
//! also shows that we never write a key the proto does not define.
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

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt::Debug;
use std::io::Write as _;
use std::sync::{LazyLock, Once};

use a2akit::types::{
    APIKeySecurityScheme, AgentCapabilities, AgentCard, AgentCardSignature, AgentExtension, AgentInterface,
    AgentProvider, AgentSkill, Artifact, AuthenticationInfo, AuthorizationCodeOAuthFlow, CancelTaskRequest,
    ClientCredentialsOAuthFlow, DeleteTaskPushNotificationConfigRequest, DeviceCodeOAuthFlow, Empty,
    GetExtendedAgentCardRequest, GetTaskPushNotificationConfigRequest, GetTaskRequest,
    HTTPAuthSecurityScheme, ImplicitOAuthFlow, ListTaskPushNotificationConfigsRequest,
    ListTaskPushNotificationConfigsResponse, ListTasksRequest, ListTasksResponse, Message,
    MutualTlsSecurityScheme, OAuth2SecurityScheme, OAuthFlows, OpenIdConnectSecurityScheme, Part,
    PartContent, PasswordOAuthFlow, Role, SecurityRequirement, SecurityScheme, SendMessageConfiguration,
    SendMessageRequest, SendMessageResponse, StreamResponse, StringList, Struct, SubscribeToTaskRequest,
    Task, TaskArtifactUpdateEvent, TaskPushNotificationConfig, TaskState, TaskStatus, TaskStatusUpdateEvent,
    json,
};
use chrono::{DateTime, Utc};
use proptest::collection::{btree_map, vec};
use proptest::option;
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

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
// Strategies: scalars and free-form JSON
// ---------------------------------------------------------------------------

/// Short strings: empty, plain ASCII, any characters (control and non-ASCII
/// included) and a few awkward fixed ones.
fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        2 => Just(String::new()),
        4 => "[a-zA-Z0-9_.:/+-]{1,12}",
        2 => "(?s).{1,6}",
        1 => prop::sample::select(&[
            "é",
            "日本語のテキスト",
            "🙂 emoji",
            "\"quoted\" \\ back",
            "line\nbreak\ttab",
            "\u{0}nul",
            "\u{feff}bom",
        ][..])
        .prop_map(str::to_owned),
    ]
}

fn texts() -> impl Strategy<Value = Vec<String>> {
    vec(text(), 0..3)
}

fn text_map() -> impl Strategy<Value = BTreeMap<String, String>> {
    btree_map(text(), text(), 0..3)
}

/// Numbers that survive JSON text: any i64 and u64, and finite f64 of every kind.
fn json_number() -> impl Strategy<Value = Value> {
    use prop::num::f64 as float;
    prop_oneof![
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        (float::POSITIVE | float::NEGATIVE | float::NORMAL | float::SUBNORMAL | float::ZERO)
            .prop_map(Value::from),
        prop::sample::select(&[0.5, -1.0, 0.1, 1e300, -0.0, 5e-324, f64::MAX, f64::MIN_POSITIVE][..])
            .prop_map(Value::from),
    ]
}

/// Any JSON value, nested at most three levels deep.
fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        json_number(),
        text().prop_map(Value::String),
    ];
    leaf.prop_recursive(3, 16, 3, |inner| {
        prop_oneof![
            vec(inner.clone(), 0..3).prop_map(Value::Array),
            btree_map(text(), inner, 0..3).prop_map(|map| Value::Object(map.into_iter().collect())),
        ]
    })
}

/// A `google.protobuf.Struct`: a small object of any JSON values.
fn structure() -> impl Strategy<Value = Struct> {
    btree_map(text(), json_value(), 0..4).prop_map(|map| map.into_iter().collect())
}

fn metadata() -> impl Strategy<Value = Option<Struct>> {
    option::of(structure())
}

fn bytes() -> impl Strategy<Value = Vec<u8>> {
    vec(any::<u8>(), 0..24)
}

/// Timestamps from 0001-01-01 to 9999-12-31 with whole seconds and
/// millisecond, microsecond and nanosecond precision.
fn timestamp() -> impl Strategy<Value = DateTime<Utc>> {
    const FIRST: i64 = -62_135_596_800; // 0001-01-01T00:00:00Z
    const LAST: i64 = 253_402_300_799; // 9999-12-31T23:59:59Z
    let seconds = prop_oneof![
        1 => prop::sample::select(&[FIRST, LAST, 0, 1_767_225_600][..]),
        6 => FIRST..=LAST,
    ];
    let nanos = prop_oneof![
        Just(0u32),
        (0..1_000u32).prop_map(|ms| ms * 1_000_000),
        (0..1_000_000u32).prop_map(|us| us * 1_000),
        0..1_000_000_000u32,
    ];
    (seconds, nanos).prop_map(|(seconds, nanos)| {
        DateTime::from_timestamp(seconds, nanos).expect("the range is within chrono's")
    })
}

// ---------------------------------------------------------------------------
// Strategies: tasks, messages, parts, artifacts, events
// ---------------------------------------------------------------------------

fn task_state() -> impl Strategy<Value = TaskState> {
    prop::sample::select(TaskState::ALL)
}

fn role() -> impl Strategy<Value = Role> {
    prop::sample::select(Role::ALL)
}

fn part_content() -> impl Strategy<Value = PartContent> {
    prop_oneof![
        text().prop_map(PartContent::Text),
        bytes().prop_map(PartContent::Raw),
        text().prop_map(PartContent::Url),
        Just(PartContent::Data(Value::Null)),
        json_value().prop_map(PartContent::Data),
    ]
}

prop_compose! {
    fn part()(
        content in part_content(),
        metadata in metadata(),
        filename in text(),
        media_type in text(),
    ) -> Part {
        Part { content, metadata, filename, media_type }
    }
}

prop_compose! {
    fn message()(
        message_id in text(),
        context_id in text(),
        task_id in text(),
        role in role(),
        parts in vec(part(), 0..3),
        metadata in metadata(),
        extensions in texts(),
        reference_task_ids in texts(),
    ) -> Message {
        Message {
            message_id,
            context_id,
            task_id,
            role,
            parts,
            metadata,
            extensions,
            reference_task_ids,
        }
    }
}

prop_compose! {
    fn task_status()(
        state in task_state(),
        message in option::of(message()),
        timestamp in option::of(timestamp()),
    ) -> TaskStatus {
        TaskStatus { state, message, timestamp }
    }
}

prop_compose! {
    fn artifact()(
        artifact_id in text(),
        name in text(),
        description in text(),
        parts in vec(part(), 0..3),
        metadata in metadata(),
        extensions in texts(),
    ) -> Artifact {
        Artifact { artifact_id, name, description, parts, metadata, extensions }
    }
}

prop_compose! {
    fn task()(
        id in text(),
        context_id in text(),
        status in task_status(),
        artifacts in vec(artifact(), 0..3),
        history in vec(message(), 0..3),
        metadata in metadata(),
    ) -> Task {
        Task { id, context_id, status, artifacts, history, metadata }
    }
}

prop_compose! {
    fn status_update()(
        task_id in text(),
        context_id in text(),
        status in task_status(),
        metadata in metadata(),
    ) -> TaskStatusUpdateEvent {
        TaskStatusUpdateEvent { task_id, context_id, status, metadata }
    }
}

prop_compose! {
    fn artifact_update()(
        task_id in text(),
        context_id in text(),
        artifact in artifact(),
        append in any::<bool>(),
        last_chunk in any::<bool>(),
        metadata in metadata(),
    ) -> TaskArtifactUpdateEvent {
        TaskArtifactUpdateEvent { task_id, context_id, artifact, append, last_chunk, metadata }
    }
}

fn stream_response() -> impl Strategy<Value = StreamResponse> {
    prop_oneof![
        task().prop_map(StreamResponse::Task),
        message().prop_map(StreamResponse::Message),
        status_update().prop_map(StreamResponse::StatusUpdate),
        artifact_update().prop_map(StreamResponse::ArtifactUpdate),
    ]
}

// ---------------------------------------------------------------------------
// Strategies: push notification configs, requests and responses
// ---------------------------------------------------------------------------

prop_compose! {
    fn authentication_info()(scheme in text(), credentials in text()) -> AuthenticationInfo {
        AuthenticationInfo { scheme, credentials }
    }
}

prop_compose! {
    fn push_config()(
        tenant in text(),
        id in text(),
        task_id in text(),
        url in text(),
        token in text(),
        authentication in option::of(authentication_info()),
    ) -> TaskPushNotificationConfig {
        TaskPushNotificationConfig { tenant, id, task_id, url, token, authentication }
    }
}

prop_compose! {
    fn send_message_configuration()(
        accepted_output_modes in texts(),
        task_push_notification_config in option::of(push_config()),
        history_length in option::of(any::<i32>()),
        return_immediately in any::<bool>(),
    ) -> SendMessageConfiguration {
        SendMessageConfiguration {
            accepted_output_modes,
            task_push_notification_config,
            history_length,
            return_immediately,
        }
    }
}

prop_compose! {
    fn send_message_request()(
        tenant in text(),
        message in message(),
        configuration in option::of(send_message_configuration()),
        metadata in metadata(),
    ) -> SendMessageRequest {
        SendMessageRequest { tenant, message, configuration, metadata }
    }
}

fn send_message_response() -> impl Strategy<Value = SendMessageResponse> {
    prop_oneof![
        task().prop_map(SendMessageResponse::Task),
        message().prop_map(SendMessageResponse::Message),
    ]
}

prop_compose! {
    fn get_task_request()(
        tenant in text(),
        id in text(),
        history_length in option::of(any::<i32>()),
    ) -> GetTaskRequest {
        GetTaskRequest { tenant, id, history_length }
    }
}

prop_compose! {
    fn list_tasks_request()(
        tenant in text(),
        context_id in text(),
        status in option::of(task_state()),
        page_size in option::of(any::<i32>()),
        page_token in text(),
        history_length in option::of(any::<i32>()),
        status_timestamp_after in option::of(timestamp()),
        include_artifacts in option::of(any::<bool>()),
    ) -> ListTasksRequest {
        ListTasksRequest {
            tenant,
            context_id,
            status,
            page_size,
            page_token,
            history_length,
            status_timestamp_after,
            include_artifacts,
        }
    }
}

prop_compose! {
    fn list_tasks_response()(
        tasks in vec(task(), 0..3),
        next_page_token in text(),
        page_size in any::<i32>(),
        total_size in any::<i32>(),
    ) -> ListTasksResponse {
        ListTasksResponse { tasks, next_page_token, page_size, total_size }
    }
}

prop_compose! {
    fn cancel_task_request()(
        tenant in text(),
        id in text(),
        metadata in metadata(),
    ) -> CancelTaskRequest {
        CancelTaskRequest { tenant, id, metadata }
    }
}

prop_compose! {
    fn subscribe_to_task_request()(tenant in text(), id in text()) -> SubscribeToTaskRequest {
        SubscribeToTaskRequest { tenant, id }
    }
}

prop_compose! {
    fn get_push_config_request()(
        tenant in text(),
        task_id in text(),
        id in text(),
    ) -> GetTaskPushNotificationConfigRequest {
        GetTaskPushNotificationConfigRequest { tenant, task_id, id }
    }
}

prop_compose! {
    fn delete_push_config_request()(
        tenant in text(),
        task_id in text(),
        id in text(),
    ) -> DeleteTaskPushNotificationConfigRequest {
        DeleteTaskPushNotificationConfigRequest { tenant, task_id, id }
    }
}

prop_compose! {
    fn list_push_configs_request()(
        tenant in text(),
        task_id in text(),
        page_size in any::<i32>(),
        page_token in text(),
    ) -> ListTaskPushNotificationConfigsRequest {
        ListTaskPushNotificationConfigsRequest { tenant, task_id, page_size, page_token }
    }
}

prop_compose! {
    fn list_push_configs_response()(
        configs in vec(push_config(), 0..3),
        next_page_token in text(),
    ) -> ListTaskPushNotificationConfigsResponse {
        ListTaskPushNotificationConfigsResponse { configs, next_page_token }
    }
}

prop_compose! {
    fn get_extended_agent_card_request()(tenant in text()) -> GetExtendedAgentCardRequest {
        GetExtendedAgentCardRequest { tenant }
    }
}

// ---------------------------------------------------------------------------
// Strategies: security schemes and OAuth flows
// ---------------------------------------------------------------------------

fn string_list() -> impl Strategy<Value = StringList> {
    texts().prop_map(|list| StringList { list })
}

fn security_requirement() -> impl Strategy<Value = SecurityRequirement> {
    btree_map(text(), string_list(), 0..3).prop_map(|schemes| SecurityRequirement { schemes })
}

prop_compose! {
    fn api_key_scheme()(
        description in text(),
        location in text(),
        name in text(),
    ) -> APIKeySecurityScheme {
        APIKeySecurityScheme { description, location, name }
    }
}

prop_compose! {
    fn http_auth_scheme()(
        description in text(),
        scheme in text(),
        bearer_format in text(),
    ) -> HTTPAuthSecurityScheme {
        HTTPAuthSecurityScheme { description, scheme, bearer_format }
    }
}

prop_compose! {
    fn authorization_code_flow()(
        authorization_url in text(),
        token_url in text(),
        refresh_url in text(),
        scopes in text_map(),
        pkce_required in any::<bool>(),
    ) -> AuthorizationCodeOAuthFlow {
        AuthorizationCodeOAuthFlow {
            authorization_url,
            token_url,
            refresh_url,
            scopes,
            pkce_required,
        }
    }
}

prop_compose! {
    fn client_credentials_flow()(
        token_url in text(),
        refresh_url in text(),
        scopes in text_map(),
    ) -> ClientCredentialsOAuthFlow {
        ClientCredentialsOAuthFlow { token_url, refresh_url, scopes }
    }
}

prop_compose! {
    fn implicit_flow()(
        authorization_url in text(),
        refresh_url in text(),
        scopes in text_map(),
    ) -> ImplicitOAuthFlow {
        ImplicitOAuthFlow { authorization_url, refresh_url, scopes }
    }
}

prop_compose! {
    fn password_flow()(
        token_url in text(),
        refresh_url in text(),
        scopes in text_map(),
    ) -> PasswordOAuthFlow {
        PasswordOAuthFlow { token_url, refresh_url, scopes }
    }
}

prop_compose! {
    fn device_code_flow()(
        device_authorization_url in text(),
        token_url in text(),
        refresh_url in text(),
        scopes in text_map(),
    ) -> DeviceCodeOAuthFlow {
        DeviceCodeOAuthFlow { device_authorization_url, token_url, refresh_url, scopes }
    }
}

fn oauth_flows() -> impl Strategy<Value = OAuthFlows> {
    prop_oneof![
        authorization_code_flow().prop_map(OAuthFlows::AuthorizationCode),
        client_credentials_flow().prop_map(OAuthFlows::ClientCredentials),
        implicit_flow().prop_map(OAuthFlows::Implicit),
        password_flow().prop_map(OAuthFlows::Password),
        device_code_flow().prop_map(OAuthFlows::DeviceCode),
    ]
}

prop_compose! {
    fn oauth2_scheme()(
        description in text(),
        flows in oauth_flows(),
        oauth2_metadata_url in text(),
    ) -> OAuth2SecurityScheme {
        OAuth2SecurityScheme { description, flows, oauth2_metadata_url }
    }
}

prop_compose! {
    fn open_id_connect_scheme()(
        description in text(),
        open_id_connect_url in text(),
    ) -> OpenIdConnectSecurityScheme {
        OpenIdConnectSecurityScheme { description, open_id_connect_url }
    }
}

fn mutual_tls_scheme() -> impl Strategy<Value = MutualTlsSecurityScheme> {
    text().prop_map(|description| MutualTlsSecurityScheme { description })
}

fn security_scheme() -> impl Strategy<Value = SecurityScheme> {
    prop_oneof![
        api_key_scheme().prop_map(SecurityScheme::ApiKey),
        http_auth_scheme().prop_map(SecurityScheme::HttpAuth),
        oauth2_scheme().prop_map(SecurityScheme::OAuth2),
        open_id_connect_scheme().prop_map(SecurityScheme::OpenIdConnect),
        mutual_tls_scheme().prop_map(SecurityScheme::MutualTls),
    ]
}

// ---------------------------------------------------------------------------
// Strategies: the agent card
// ---------------------------------------------------------------------------

prop_compose! {
    fn agent_interface()(
        url in text(),
        protocol_binding in text(),
        tenant in text(),
        protocol_version in text(),
    ) -> AgentInterface {
        AgentInterface { url, protocol_binding, tenant, protocol_version }
    }
}

prop_compose! {
    fn agent_provider()(url in text(), organization in text()) -> AgentProvider {
        AgentProvider { url, organization }
    }
}

prop_compose! {
    fn agent_extension()(
        uri in text(),
        description in text(),
        required in any::<bool>(),
        params in metadata(),
    ) -> AgentExtension {
        AgentExtension { uri, description, required, params }
    }
}

prop_compose! {
    fn agent_capabilities()(
        streaming in option::of(any::<bool>()),
        push_notifications in option::of(any::<bool>()),
        extensions in vec(agent_extension(), 0..3),
        extended_agent_card in option::of(any::<bool>()),
    ) -> AgentCapabilities {
        AgentCapabilities { streaming, push_notifications, extensions, extended_agent_card }
    }
}

prop_compose! {
    fn agent_skill()(
        id in text(),
        name in text(),
        description in text(),
        tags in texts(),
        examples in texts(),
        input_modes in texts(),
        output_modes in texts(),
        security_requirements in vec(security_requirement(), 0..2),
    ) -> AgentSkill {
        AgentSkill {
            id,
            name,
            description,
            tags,
            examples,
            input_modes,
            output_modes,
            security_requirements,
        }
    }
}

prop_compose! {
    fn agent_card_signature()(
        protected in text(),
        signature in text(),
        header in metadata(),
    ) -> AgentCardSignature {
        AgentCardSignature { protected, signature, header }
    }
}

prop_compose! {
    fn agent_card()(
        (name, description, version) in (text(), text(), text()),
        supported_interfaces in vec(agent_interface(), 0..3),
        provider in option::of(agent_provider()),
        (documentation_url, icon_url) in (option::of(text()), option::of(text())),
        capabilities in agent_capabilities(),
        security_schemes in btree_map(text(), security_scheme(), 0..3),
        security_requirements in vec(security_requirement(), 0..2),
        (default_input_modes, default_output_modes) in (texts(), texts()),
        skills in vec(agent_skill(), 0..3),
        signatures in vec(agent_card_signature(), 0..2),
    ) -> AgentCard {
        AgentCard {
            name,
            description,
            supported_interfaces,
            provider,
            version,
            documentation_url,
            capabilities,
            security_schemes,
            security_requirements,
            default_input_modes,
            default_output_modes,
            skills,
            signatures,
            icon_url,
        }
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
    fn role_round_trips(role in role(), part in part()) {
        let written = round_trip(&role)?;
        prop_assert_eq!(written, Value::from(role.as_str()));
        let mut message = Message::new(role, [part]);
        message.message_id = "m".to_owned();
        check(&message, "Message")?;
    }

    #[test]
    fn struct_round_trips(value in structure()) {
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
    fn part_content_round_trips(content in part_content()) {
        check(&Part::new(content), "Part")?;
    }

    #[test]
    fn part_round_trips(value in part()) {
        check(&value, "Part")?;
    }

    #[test]
    fn message_round_trips(value in message()) {
        check(&value, "Message")?;
    }
}

proptest! {
    #![proptest_config(config(256))]

    #[test]
    fn task_round_trips(value in task()) {
        check(&value, "Task")?;
    }

    #[test]
    fn task_status_round_trips(value in task_status()) {
        check(&value, "TaskStatus")?;
    }

    #[test]
    fn stream_response_round_trips(value in stream_response()) {
        check(&value, "StreamResponse")?;
    }

    #[test]
    fn agent_card_round_trips(value in agent_card()) {
        check(&value, "AgentCard")?;
    }
}

proptest! {
    #![proptest_config(config(128))]

    #[test]
    fn artifact_round_trips(value in artifact()) {
        check(&value, "Artifact")?;
    }

    #[test]
    fn task_status_update_event_round_trips(value in status_update()) {
        check(&value, "TaskStatusUpdateEvent")?;
    }

    #[test]
    fn task_artifact_update_event_round_trips(value in artifact_update()) {
        check(&value, "TaskArtifactUpdateEvent")?;
    }

    #[test]
    fn send_message_request_round_trips(value in send_message_request()) {
        check(&value, "SendMessageRequest")?;
    }

    #[test]
    fn send_message_configuration_round_trips(value in send_message_configuration()) {
        check(&value, "SendMessageConfiguration")?;
    }

    #[test]
    fn send_message_response_round_trips(value in send_message_response()) {
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
    fn list_tasks_response_round_trips(value in list_tasks_response()) {
        check(&value, "ListTasksResponse")?;
    }

    #[test]
    fn cancel_task_request_round_trips(value in cancel_task_request()) {
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
    fn agent_extension_round_trips(value in agent_extension()) {
        check(&value, "AgentExtension")?;
    }

    #[test]
    fn agent_capabilities_round_trips(value in agent_capabilities()) {
        check(&value, "AgentCapabilities")?;
    }

    #[test]
    fn agent_skill_round_trips(value in agent_skill()) {
        check(&value, "AgentSkill")?;
    }

    #[test]
    fn agent_card_signature_round_trips(value in agent_card_signature()) {
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
