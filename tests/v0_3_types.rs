//! The v0.3 types: the official v0.3 Python SDK's JSON read and written back
//! unchanged, conversions to and from 1.0 in both orders, states, roles,
//! methods and error codes.
//!
//! The samples under `tests/fixtures/v0_3/` were written by a2a-sdk 0.3.x
//! (`tests/python/v0_3_roundtrip.py fixtures`). When that SDK is installed
//! (`.ci/python-env-v0_3`, or `A2A_PYTHON_V03`), one test also has it
//! read what we write and checks it writes back the same.

#[path = "support/python.rs"]
#[allow(dead_code)]
mod python;
#[path = "support/strategies.rs"]
mod strategies;

use std::path::Path;

use a2akit::{ErrorKind, jsonrpc, types, v0_3};
use proptest::prelude::*;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use strategies::Numbers::AnyJson;

fn fixture(name: &str) -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("tests/fixtures/v0_3/{name}.json"));
    serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap()
}

fn read<T: DeserializeOwned>(value: &Value) -> T {
    serde_json::from_value(value.clone()).unwrap()
}

fn write<T: Serialize>(value: &T) -> Value {
    serde_json::to_value(value).unwrap()
}

/// Reads a sample as `T`, writes it back, and checks the JSON is the SDK's.
fn assert_unchanged<T: Serialize + DeserializeOwned>(sample: &Value) -> T {
    let value: T = read(sample);
    assert_eq!(&write(&value), sample);
    value
}

/// A v0.3 value through 1.0 and back.
fn via_v1<V03, V1>(value: V03) -> V03
where
    V1: From<V03>,
    V03: From<V1>,
{
    V03::from(V1::from(value))
}

#[test]
fn sdk_objects_read_and_write_back_unchanged() {
    let task: v0_3::Task = assert_unchanged(&fixture("task"));
    assert_eq!(task.status.state, v0_3::TaskState::InputRequired);
    assert_eq!(task.history.as_ref().unwrap()[0].role, v0_3::Role::User);
    let parts = &task.artifacts.as_ref().unwrap()[0].parts;
    assert!(
        matches!(&parts[1], v0_3::Part::File(f) if f.file.source == v0_3::FileSource::Bytes(b"hello world".to_vec()))
    );
    assert!(matches!(&parts[2], v0_3::Part::File(f) if matches!(&f.file.source, v0_3::FileSource::Uri(_))));
    assert!(matches!(&parts[3], v0_3::Part::Data(_)));

    assert_unchanged::<v0_3::Message>(&fixture("message"));
    let update: v0_3::TaskStatusUpdateEvent = assert_unchanged(&fixture("status_update"));
    assert!(update.is_final);
    assert_unchanged::<v0_3::TaskArtifactUpdateEvent>(&fixture("artifact_update"));
    for name in ["task", "message", "status_update", "artifact_update"] {
        assert_unchanged::<v0_3::StreamResponse>(&fixture(name));
    }
    assert!(matches!(
        assert_unchanged(&fixture("task")),
        v0_3::SendMessageResult::Task(_)
    ));
    assert!(matches!(
        assert_unchanged(&fixture("message")),
        v0_3::SendMessageResult::Message(_)
    ));

    let card: v0_3::AgentCard = assert_unchanged(&fixture("agent_card"));
    assert_eq!(card.security_schemes.as_ref().unwrap().len(), 5);
    assert_unchanged::<v0_3::AgentCard>(&fixture("minimal_agent_card"));
    assert_unchanged::<v0_3::TaskPushNotificationConfig>(&fixture("task_push_notification_config"));
    assert_unchanged::<v0_3::MessageSendParams>(&fixture("message_send_params"));
    assert_unchanged::<v0_3::TaskQueryParams>(&fixture("task_query_params"));
    assert_unchanged::<v0_3::TaskIdParams>(&fixture("task_id_params"));
    assert_unchanged::<v0_3::GetTaskPushNotificationConfigParams>(&fixture("get_push_config_params"));
    assert_unchanged::<v0_3::ListTaskPushNotificationConfigParams>(&fixture("list_push_config_params"));
    assert_unchanged::<v0_3::DeleteTaskPushNotificationConfigParams>(&fixture("delete_push_config_params"));
}

/// Each SDK request: its method is ours, and its params read and write back unchanged.
#[test]
fn sdk_requests_name_our_methods_and_params() {
    fn check<P: Serialize + DeserializeOwned>(name: &str, method: v0_3::Method, v1: jsonrpc::Method) {
        let request = fixture(name);
        assert_eq!(request["method"], method.as_str(), "{name}");
        assert_eq!(
            request["method"]
                .as_str()
                .unwrap()
                .parse::<v0_3::Method>()
                .unwrap(),
            method
        );
        assert_eq!(method.to_v1(), v1);
        assert_eq!(v0_3::Method::from_v1(v1), Some(method));
        if let Some(params) = request.get("params") {
            assert_unchanged::<P>(params);
        }
    }
    use v0_3::Method as M;
    check::<v0_3::MessageSendParams>(
        "send_message_request",
        M::MessageSend,
        jsonrpc::Method::SendMessage,
    );
    check::<v0_3::MessageSendParams>(
        "send_streaming_message_request",
        M::MessageStream,
        jsonrpc::Method::SendStreamingMessage,
    );
    check::<v0_3::TaskQueryParams>("get_task_request", M::TasksGet, jsonrpc::Method::GetTask);
    check::<v0_3::TaskIdParams>("cancel_task_request", M::TasksCancel, jsonrpc::Method::CancelTask);
    check::<v0_3::TaskIdParams>(
        "resubscribe_request",
        M::TasksResubscribe,
        jsonrpc::Method::SubscribeToTask,
    );
    check::<v0_3::TaskPushNotificationConfig>(
        "set_push_config_request",
        M::PushConfigSet,
        jsonrpc::Method::CreateTaskPushNotificationConfig,
    );
    check::<v0_3::GetTaskPushNotificationConfigParams>(
        "get_push_config_request",
        M::PushConfigGet,
        jsonrpc::Method::GetTaskPushNotificationConfig,
    );
    check::<v0_3::ListTaskPushNotificationConfigParams>(
        "list_push_config_request",
        M::PushConfigList,
        jsonrpc::Method::ListTaskPushNotificationConfigs,
    );
    check::<v0_3::DeleteTaskPushNotificationConfigParams>(
        "delete_push_config_request",
        M::PushConfigDelete,
        jsonrpc::Method::DeleteTaskPushNotificationConfig,
    );
    check::<Value>(
        "extended_card_request",
        M::GetAuthenticatedExtendedCard,
        jsonrpc::Method::GetExtendedAgentCard,
    );
    assert_eq!(v0_3::Method::ALL.len(), 10);
    assert_eq!(v0_3::Method::from_v1(jsonrpc::Method::ListTasks), None);
    assert!("SendMessage".parse::<v0_3::Method>().is_err());
}

#[test]
fn sdk_error_codes_map_to_our_kinds_and_back() {
    let expected = [
        ("JSONParseError", ErrorKind::ParseError),
        ("InvalidRequestError", ErrorKind::InvalidRequest),
        ("MethodNotFoundError", ErrorKind::MethodNotFound),
        ("InvalidParamsError", ErrorKind::InvalidParams),
        ("InternalError", ErrorKind::Internal),
        ("TaskNotFoundError", ErrorKind::TaskNotFound),
        ("TaskNotCancelableError", ErrorKind::TaskNotCancelable),
        (
            "PushNotificationNotSupportedError",
            ErrorKind::PushNotificationNotSupported,
        ),
        ("UnsupportedOperationError", ErrorKind::UnsupportedOperation),
        ("ContentTypeNotSupportedError", ErrorKind::ContentTypeNotSupported),
        ("InvalidAgentResponseError", ErrorKind::InvalidAgentResponse),
        (
            "AuthenticatedExtendedCardNotConfiguredError",
            ErrorKind::ExtendedAgentCardNotConfigured,
        ),
    ];
    let errors = fixture("errors");
    assert_eq!(errors.as_object().unwrap().len(), expected.len());
    for (name, kind) in expected {
        let object: jsonrpc::ErrorObject = read(&errors[name]);
        assert_eq!(v0_3::error::kind(object.code), Some(kind), "{name}");
        assert_eq!(i64::from(v0_3::error::code(kind)), object.code, "{name}");
        let error = v0_3::error::from_jsonrpc(&object);
        assert_eq!(error.kind(), kind);
        // What we send back is the SDK's object: its code and message, no ErrorInfo.
        assert_eq!(write(&v0_3::error::to_jsonrpc(&error)), errors[name], "{name}");
    }
    // The 1.0-only errors have no v0.3 code.
    for kind in [
        ErrorKind::ExtensionSupportRequired,
        ErrorKind::VersionNotSupported,
    ] {
        assert_eq!(v0_3::error::code(kind), -32600);
    }
    let unauthenticated = a2akit::Error::unauthenticated("no token").with_detail(json!({"@type": "x.Help"}));
    let object = v0_3::error::to_jsonrpc(&unauthenticated);
    assert_eq!(
        (object.code, object.data),
        (-31401, Some(json!([{"@type": "x.Help"}])))
    );
}

#[test]
fn states_and_roles_convert_both_ways() {
    let pairs = [
        ("submitted", types::TaskState::Submitted),
        ("working", types::TaskState::Working),
        ("input-required", types::TaskState::InputRequired),
        ("completed", types::TaskState::Completed),
        ("canceled", types::TaskState::Canceled),
        ("failed", types::TaskState::Failed),
        ("rejected", types::TaskState::Rejected),
        ("auth-required", types::TaskState::AuthRequired),
    ];
    assert_eq!(v0_3::TaskState::ALL.len(), pairs.len() + 1);
    for (wire, v1) in pairs {
        let state: v0_3::TaskState = read(&json!(wire));
        assert_eq!(types::TaskState::from(state.clone()), v1);
        assert_eq!(v0_3::TaskState::from(v1), state);
        assert_eq!(write(&state), json!(wire));
    }
    // `unknown`, newer values and 1.0's values without a v0.3 name.
    assert_eq!(
        types::TaskState::from(v0_3::TaskState::Unknown),
        types::TaskState::Unspecified
    );
    let paused: v0_3::TaskState = read(&json!("paused"));
    assert_eq!(paused, v0_3::TaskState::Unrecognized("paused".into()));
    assert_eq!(write(&paused), json!("paused"));
    assert_eq!(
        types::TaskState::from(paused),
        types::TaskState::Unrecognized(None)
    );
    for v1 in [
        types::TaskState::Unspecified,
        types::TaskState::Unrecognized(Some(42)),
    ] {
        assert_eq!(v0_3::TaskState::from(v1), v0_3::TaskState::Unknown);
    }
    let status: v0_3::TaskStatus = read(&json!({}));
    assert_eq!(status.state, v0_3::TaskState::Unknown);

    for (wire, v1) in [("user", types::Role::User), ("agent", types::Role::Agent)] {
        let role: v0_3::Role = read(&json!(wire));
        assert_eq!(types::Role::from(role.clone()), v1);
        assert_eq!(v0_3::Role::from(v1), role);
    }
    let robot: v0_3::Role = read(&json!("robot"));
    assert_eq!(types::Role::from(robot), types::Role::Unrecognized(None));
    assert!(v0_3::Role::from(types::Role::Unspecified).is_unset());
}

#[test]
fn lenient_input_reads_what_sdks_omit_or_do_not_know() {
    // No `kind` anywhere: inferred from the members present.
    let task: v0_3::Task = read(&json!({
        "id": "t1", "contextId": "c1", "status": {"state": "working", "message": null},
        "history": [{"messageId": "m1", "role": "user", "parts": [
            {"text": "hi"}, {"file": {"uri": "u"}}, {"data": {"a": 1}}, {"kind": "video", "src": "v"}
        ]}],
        "somethingNew": true,
    }));
    let parts = &task.history.as_ref().unwrap()[0].parts;
    assert!(matches!(&parts[0], v0_3::Part::Text(p) if p.text == "hi"));
    assert!(matches!(&parts[1], v0_3::Part::File(_)));
    assert!(matches!(&parts[2], v0_3::Part::Data(_)));
    assert!(matches!(&parts[3], v0_3::Part::Unrecognized(o) if o["src"] == "v"));
    assert_eq!(write(&parts[3]), json!({"kind": "video", "src": "v"}));
    assert_eq!(write(&task)["kind"], "task");

    for (item, kind) in [
        (
            json!({"taskId": "t", "contextId": "c", "status": {"state": "working"}, "final": false}),
            "status-update",
        ),
        (
            json!({"taskId": "t", "contextId": "c", "artifact": {"artifactId": "a", "parts": []}}),
            "artifact-update",
        ),
        (json!({"messageId": "m", "role": "agent", "parts": []}), "message"),
        (
            json!({"id": "t", "contextId": "c", "status": {"state": "completed"}}),
            "task",
        ),
    ] {
        let item: v0_3::StreamResponse = read(&item);
        assert_eq!(write(&item)["kind"], kind);
    }
    let newer: v0_3::StreamResponse = read(&json!({"kind": "progress", "percent": 50}));
    assert!(matches!(newer, v0_3::StreamResponse::Unrecognized(_)));
    assert_eq!(
        types::StreamResponse::from(newer),
        types::StreamResponse::Unrecognized
    );

    // Card members the SDKs default.
    let card: v0_3::AgentCard =
        read(&json!({"name": "n", "url": "https://a.example", "preferredTransport": null}));
    assert_eq!(card.preferred_transport, "JSONRPC");
    assert_eq!(card.protocol_version, "0.3.0");
    let scheme: v0_3::SecurityScheme = read(&json!({"type": "magic", "spell": "x"}));
    assert!(matches!(scheme, v0_3::SecurityScheme::Unrecognized(_)));

    // Invalid base64 is refused, as in 1.0.
    assert!(serde_json::from_value::<v0_3::Part>(json!({"kind": "file", "file": {"bytes": "a"}})).is_err());
}

// ---------------------------------------------------------------------------
// v0.3 → 1.0 → v0.3, on the SDK's samples
// ---------------------------------------------------------------------------

#[test]
fn sdk_objects_survive_a_trip_through_v1() {
    let task: v0_3::Task = read(&fixture("task"));
    let back = via_v1::<_, types::Task>(task.clone());
    // The timestamp comes back in the canonical form of the same instant.
    let mut expected = task;
    expected.status.timestamp = Some("2025-07-01T10:20:30.123456Z".to_owned());
    assert_eq!(back, expected);

    let same = |name: &str| fixture(name);
    macro_rules! unchanged {
        ($name:literal, $v03:ty, $v1:ty) => {{
            let value: $v03 = read(&same($name));
            assert_eq!(write(&via_v1::<$v03, $v1>(value)), same($name), $name);
        }};
    }
    unchanged!("message", v0_3::Message, types::Message);
    unchanged!(
        "status_update",
        v0_3::TaskStatusUpdateEvent,
        types::TaskStatusUpdateEvent
    );
    unchanged!(
        "artifact_update",
        v0_3::TaskArtifactUpdateEvent,
        types::TaskArtifactUpdateEvent
    );
    unchanged!("status_update", v0_3::StreamResponse, types::StreamResponse);
    unchanged!("message", v0_3::SendMessageResult, types::SendMessageResponse);
    unchanged!("agent_card", v0_3::AgentCard, types::AgentCard);
    unchanged!("minimal_agent_card", v0_3::AgentCard, types::AgentCard);
    unchanged!(
        "task_push_notification_config",
        v0_3::TaskPushNotificationConfig,
        types::TaskPushNotificationConfig
    );
    unchanged!(
        "message_send_params",
        v0_3::MessageSendParams,
        types::SendMessageRequest
    );
    unchanged!("task_id_params", v0_3::TaskIdParams, types::CancelTaskRequest);
    unchanged!(
        "get_push_config_params",
        v0_3::GetTaskPushNotificationConfigParams,
        types::GetTaskPushNotificationConfigRequest
    );
    unchanged!(
        "list_push_config_params",
        v0_3::ListTaskPushNotificationConfigParams,
        types::ListTaskPushNotificationConfigsRequest
    );
    unchanged!(
        "delete_push_config_params",
        v0_3::DeleteTaskPushNotificationConfigParams,
        types::DeleteTaskPushNotificationConfigRequest
    );
    unchanged!("task_query_params", v0_3::TaskQueryParams, types::GetTaskRequest);
}

#[test]
fn sdk_card_becomes_v1_interfaces() {
    let card: types::AgentCard = read::<v0_3::AgentCard>(&fixture("agent_card")).into();
    let interfaces: Vec<_> = card
        .supported_interfaces
        .iter()
        .map(|i| {
            (
                i.url.as_str(),
                i.protocol_binding.as_str(),
                i.protocol_version.as_str(),
            )
        })
        .collect();
    assert_eq!(
        interfaces,
        [
            ("https://travel.example.com/a2a/jsonrpc", "JSONRPC", "0.3.0"),
            ("https://travel.example.com/a2a/rest", "HTTP+JSON", "0.3.0"),
            ("travel.example.com:443", "GRPC", "0.3.0"),
        ]
    );
    assert_eq!(card.capabilities.extended_agent_card, Some(true));
    assert_eq!(card.security_requirements[1].schemes.len(), 2);
    assert!(
        matches!(&card.security_schemes["apiKey"], types::SecurityScheme::ApiKey(k) if k.location == "header")
    );
    assert!(matches!(
        &card.security_schemes["oauth"],
        types::SecurityScheme::OAuth2(s) if matches!(s.flows, types::OAuthFlows::AuthorizationCode(_))
    ));
}

#[test]
fn a_v1_card_serving_both_versions_shows_its_v0_3_endpoints() {
    let v1 = types::AgentCard::builder()
        .name("Both")
        .interface("https://a.example/v1/jsonrpc", types::binding::JSONRPC)
        .interface("https://a.example/v1/rest", types::binding::HTTP_JSON)
        .supported_interface(
            types::AgentInterface::new("https://a.example/v03/rest", types::binding::HTTP_JSON)
                .with_protocol_version("0.3"),
        )
        .supported_interface(
            types::AgentInterface::new("https://a.example/v03/jsonrpc", types::binding::JSONRPC)
                .with_protocol_version("0.3"),
        )
        .extended_agent_card(true)
        .build();
    let card = v0_3::AgentCard::from(v1);
    let json = write(&card);
    assert_eq!(json["url"], "https://a.example/v03/rest");
    assert_eq!(json["preferredTransport"], "HTTP+JSON");
    assert_eq!(json["protocolVersion"], "0.3");
    assert_eq!(
        json["additionalInterfaces"],
        json!([
            {"url": "https://a.example/v03/rest", "transport": "HTTP+JSON"},
            {"url": "https://a.example/v03/jsonrpc", "transport": "JSONRPC"},
        ])
    );
    assert_eq!(json["supportsAuthenticatedExtendedCard"], true);

    // A card with 1.0 interfaces only still gives a v0.3 card, naming its version.
    let only_v1 = types::AgentCard::builder()
        .name("New")
        .interface("https://b.example/a2a", types::binding::JSONRPC)
        .build();
    let card = v0_3::AgentCard::from(only_v1);
    assert_eq!(
        (card.url.as_str(), card.protocol_version.as_str()),
        ("https://b.example/a2a", "1.0")
    );
    assert_eq!(card.additional_interfaces, None);
}

#[test]
fn stream_end_follows_the_state() {
    for (state, is_final) in [
        (types::TaskState::Submitted, false),
        (types::TaskState::Working, false),
        (types::TaskState::InputRequired, true),
        (types::TaskState::AuthRequired, true),
        (types::TaskState::Completed, true),
        (types::TaskState::Failed, true),
        (types::TaskState::Canceled, true),
        (types::TaskState::Rejected, true),
    ] {
        let event = types::TaskStatusUpdateEvent::new("t", "c", types::TaskStatus::new(state));
        assert_eq!(
            v0_3::TaskStatusUpdateEvent::from(event).is_final,
            is_final,
            "{state}"
        );
    }
}

#[test]
fn blocking_is_the_inverse_of_return_immediately() {
    let params = |configuration: Value| -> types::SendMessageRequest {
        read::<v0_3::MessageSendParams>(
            &json!({"message": {"messageId": "m", "role": "user", "parts": []},
            "configuration": configuration}),
        )
        .into()
    };
    let immediately = |request: types::SendMessageRequest| request.configuration.unwrap().return_immediately;
    assert!(immediately(params(json!({"blocking": false}))));
    assert!(!immediately(params(json!({"blocking": true}))));
    assert!(!immediately(params(json!({}))));
    let back = v0_3::MessageSendParams::from(
        types::SendMessageRequest::new(types::Message::user("hi"))
            .with_configuration(types::SendMessageConfiguration::default().with_return_immediately(true)),
    );
    assert_eq!(back.configuration.unwrap().blocking, Some(false));
}

// ---------------------------------------------------------------------------
// 1.0 → v0.3 (→ JSON → v0.3) → 1.0, on every 1.0 value
// ---------------------------------------------------------------------------

/// What a 1.0 value is once v0.3 has held it: the documented losses applied.
mod lossy {
    use super::*;

    pub fn state(state: types::TaskState) -> types::TaskState {
        if state.is_known() {
            state
        } else {
            types::TaskState::Unspecified
        }
    }

    pub fn role(role: types::Role) -> types::Role {
        if role.is_known() {
            role
        } else {
            types::Role::Unspecified
        }
    }

    pub fn part(mut part: types::Part) -> types::Part {
        match &mut part.content {
            types::PartContent::Raw(_) | types::PartContent::Url(_) => return part,
            types::PartContent::Data(data) if !data.is_object() => *data = json!({"value": data.take()}),
            _ => {}
        }
        part.filename.clear();
        part.media_type.clear();
        part
    }

    pub fn message(mut message: types::Message) -> types::Message {
        message.role = role(message.role);
        message.parts = message.parts.into_iter().map(part).collect();
        message
    }

    pub fn status(mut status: types::TaskStatus) -> types::TaskStatus {
        status.state = state(status.state);
        status.message = status.message.map(message);
        status
    }

    pub fn artifact(mut artifact: types::Artifact) -> types::Artifact {
        artifact.parts = artifact.parts.into_iter().map(part).collect();
        artifact
    }

    pub fn task(mut task: types::Task) -> types::Task {
        task.status = status(task.status);
        task.history = task.history.into_iter().map(message).collect();
        task.artifacts = task.artifacts.into_iter().map(artifact).collect();
        task
    }

    pub fn stream(item: types::StreamResponse) -> types::StreamResponse {
        match item {
            types::StreamResponse::Task(t) => types::StreamResponse::Task(task(t)),
            types::StreamResponse::Message(m) => types::StreamResponse::Message(message(m)),
            types::StreamResponse::StatusUpdate(mut e) => {
                e.status = status(e.status);
                types::StreamResponse::StatusUpdate(e)
            }
            types::StreamResponse::ArtifactUpdate(mut e) => {
                e.artifact = artifact(e.artifact);
                types::StreamResponse::ArtifactUpdate(e)
            }
            other => other,
        }
    }

    /// A webhook inside a send configuration: no tenant, no task.
    pub fn webhook(config: types::TaskPushNotificationConfig) -> types::TaskPushNotificationConfig {
        types::TaskPushNotificationConfig {
            tenant: String::new(),
            task_id: String::new(),
            ..config
        }
    }

    pub fn send(mut request: types::SendMessageRequest) -> types::SendMessageRequest {
        request.tenant.clear();
        request.message = message(request.message);
        if let Some(configuration) = &mut request.configuration {
            configuration.task_push_notification_config =
                configuration.task_push_notification_config.take().map(webhook);
        }
        request
    }

    pub fn scheme(scheme: types::SecurityScheme) -> types::SecurityScheme {
        match scheme {
            types::SecurityScheme::OAuth2(mut s) => {
                s.flows = match s.flows {
                    types::OAuthFlows::AuthorizationCode(mut flow) => {
                        flow.pkce_required = false;
                        types::OAuthFlows::AuthorizationCode(flow)
                    }
                    types::OAuthFlows::DeviceCode(_) => types::OAuthFlows::Unrecognized,
                    other => other,
                };
                types::SecurityScheme::OAuth2(s)
            }
            other => other,
        }
    }

    /// The interfaces a v0.3 card keeps, as the card's docs say.
    pub fn interfaces(interfaces: Vec<types::AgentInterface>) -> Vec<types::AgentInterface> {
        let Some(main) = interfaces
            .iter()
            .find(|i| i.protocol_version.starts_with("0."))
            .or(interfaces.first())
            .cloned()
        else {
            return vec![types::AgentInterface::new("", "JSONRPC").with_protocol_version("0.3.0")];
        };
        let mut kept: Vec<types::AgentInterface> = Vec::new();
        for interface in std::iter::once(main.clone()).chain(
            interfaces
                .into_iter()
                .filter(|i| i.protocol_version == main.protocol_version),
        ) {
            let interface = types::AgentInterface {
                tenant: String::new(),
                ..interface
            };
            if !kept
                .iter()
                .any(|k| k.url == interface.url && k.protocol_binding == interface.protocol_binding)
            {
                kept.push(interface);
            }
        }
        kept
    }

    pub fn card(mut card: types::AgentCard) -> types::AgentCard {
        card.supported_interfaces = interfaces(card.supported_interfaces);
        card.security_schemes = card
            .security_schemes
            .into_iter()
            .map(|(n, s)| (n, scheme(s)))
            .collect();
        card
    }
}

/// A 1.0 value to v0.3, through v0.3 JSON, and back to 1.0.
fn through_v03<V1, V03>(value: V1) -> V1
where
    V03: From<V1> + Serialize + DeserializeOwned,
    V1: From<V03>,
{
    let v03 = V03::from(value);
    let json = serde_json::to_string(&v03).unwrap();
    let read: V03 = serde_json::from_str(&json).unwrap();
    V1::from(read)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn v1_parts_messages_and_tasks_survive_v03(
        part in strategies::part(AnyJson),
        message in strategies::message(AnyJson),
        artifact in strategies::artifact(AnyJson),
        status in strategies::task_status(AnyJson),
        task in strategies::task(AnyJson),
    ) {
        prop_assert_eq!(through_v03::<_, v0_3::Part>(part.clone()), lossy::part(part));
        prop_assert_eq!(through_v03::<_, v0_3::Message>(message.clone()), lossy::message(message));
        prop_assert_eq!(through_v03::<_, v0_3::Artifact>(artifact.clone()), lossy::artifact(artifact));
        prop_assert_eq!(through_v03::<_, v0_3::TaskStatus>(status.clone()), lossy::status(status));
        prop_assert_eq!(through_v03::<_, v0_3::Task>(task.clone()), lossy::task(task));
    }

    #[test]
    fn v1_stream_items_survive_v03(item in strategies::stream_response(AnyJson)) {
        prop_assert_eq!(through_v03::<_, v0_3::StreamResponse>(item.clone()), lossy::stream(item));
    }

    #[test]
    fn v1_send_results_survive_v03(result in strategies::send_message_response(AnyJson)) {
        let expected = match result.clone() {
            types::SendMessageResponse::Task(t) => types::SendMessageResponse::Task(lossy::task(t)),
            types::SendMessageResponse::Message(m) => types::SendMessageResponse::Message(lossy::message(m)),
            other => other,
        };
        prop_assert_eq!(through_v03::<_, v0_3::SendMessageResult>(result), expected);
    }

    #[test]
    fn v1_send_requests_survive_v03(send in strategies::send_message_request(AnyJson)) {
        prop_assert_eq!(through_v03::<_, v0_3::MessageSendParams>(send.clone()), lossy::send(send));
    }

    #[test]
    fn v1_task_requests_survive_v03(
        get in strategies::get_task_request(),
        cancel in strategies::cancel_task_request(AnyJson),
        subscribe in strategies::subscribe_to_task_request(),
    ) {
        prop_assert_eq!(
            through_v03::<_, v0_3::TaskQueryParams>(get.clone()),
            types::GetTaskRequest { tenant: String::new(), ..get }
        );
        prop_assert_eq!(
            through_v03::<_, v0_3::TaskIdParams>(cancel.clone()),
            types::CancelTaskRequest { tenant: String::new(), ..cancel }
        );
        prop_assert_eq!(
            through_v03::<_, v0_3::TaskIdParams>(subscribe.clone()),
            types::SubscribeToTaskRequest { tenant: String::new(), ..subscribe }
        );
    }

    #[test]
    fn v1_push_configs_and_their_requests_survive_v03(
        config in strategies::push_config(),
        get_config in strategies::get_push_config_request(),
        list_configs in strategies::list_push_configs_request(),
        delete_config in strategies::delete_push_config_request(),
        page in strategies::list_push_configs_response(),
    ) {
        prop_assert_eq!(
            through_v03::<_, v0_3::TaskPushNotificationConfig>(config.clone()),
            types::TaskPushNotificationConfig { tenant: String::new(), ..config }
        );
        prop_assert_eq!(
            through_v03::<_, v0_3::GetTaskPushNotificationConfigParams>(get_config.clone()),
            types::GetTaskPushNotificationConfigRequest { tenant: String::new(), ..get_config }
        );
        prop_assert_eq!(
            through_v03::<_, v0_3::ListTaskPushNotificationConfigParams>(list_configs.clone()),
            types::ListTaskPushNotificationConfigsRequest::new(list_configs.task_id)
        );
        prop_assert_eq!(
            through_v03::<_, v0_3::DeleteTaskPushNotificationConfigParams>(delete_config.clone()),
            types::DeleteTaskPushNotificationConfigRequest { tenant: String::new(), ..delete_config }
        );
        let expected = types::ListTaskPushNotificationConfigsResponse {
            configs: page
                .configs
                .iter()
                .cloned()
                .map(|c| types::TaskPushNotificationConfig { tenant: String::new(), ..c })
                .collect(),
            next_page_token: String::new(),
        };
        prop_assert_eq!(through_v03::<_, Vec<v0_3::TaskPushNotificationConfig>>(page), expected);
    }

    #[test]
    fn v1_cards_survive_v03(card in strategies::agent_card(AnyJson)) {
        prop_assert_eq!(through_v03::<_, v0_3::AgentCard>(card.clone()), lossy::card(card));
    }
}

// ---------------------------------------------------------------------------
// The SDK itself reads what we write
// ---------------------------------------------------------------------------

#[test]
fn the_v03_sdk_reads_what_we_write_and_writes_the_same() {
    let Some(python) = python::interpreter_v0_3() else {
        return;
    };
    let task = types::Task::new("t1", "c1", types::TaskStatus::new(types::TaskState::AuthRequired))
        .with_history([types::Message::user("hello")
            .with_part(types::Part::raw(b"bytes".to_vec()).with_media_type("application/octet-stream"))
            .with_part(types::Part::url("https://x.example/f").with_filename("f"))
            .with_part(types::Part::data(json!([1, 2])))])
        .with_artifacts([types::Artifact::text("a1", "answer").with_name("Answer")]);
    let card = types::AgentCard::builder()
        .name("Ours")
        .description("Written by a2akit")
        .supported_interface(
            types::AgentInterface::new("https://ours.example/v03", types::binding::JSONRPC)
                .with_protocol_version("0.3"),
        )
        .streaming(true)
        .security_scheme(
            "bearer",
            types::SecurityScheme::HttpAuth(types::HTTPAuthSecurityScheme::new("Bearer")),
        )
        .skill(types::AgentSkill::new("s", "Skill", "Does things").with_tags(["t"]))
        .build();
    let event =
        types::TaskStatusUpdateEvent::new("t1", "c1", types::TaskStatus::new(types::TaskState::Completed));
    let chunk = types::TaskArtifactUpdateEvent::new("t1", "c1", types::Artifact::text("a1", "more"))
        .with_append(true);
    let send = types::SendMessageRequest::new(types::Message::user("hi").with_context_id("c1"))
        .with_configuration(
            types::SendMessageConfiguration::default()
                .with_history_length(0)
                .with_push_notification_config(
                    types::TaskPushNotificationConfig::new("https://hook.example")
                        .with_authentication(types::AuthenticationInfo::new("Bearer", "x")),
                ),
        );

    let mut ours = serde_json::Map::new();
    ours.insert("task".into(), write(&v0_3::Task::from(task)));
    ours.insert("agent_card".into(), write(&v0_3::AgentCard::from(card)));
    ours.insert(
        "status_update".into(),
        write(&v0_3::TaskStatusUpdateEvent::from(event)),
    );
    ours.insert(
        "artifact_update".into(),
        write(&v0_3::TaskArtifactUpdateEvent::from(chunk)),
    );
    ours.insert(
        "message_send_params".into(),
        write(&v0_3::MessageSendParams::from(send)),
    );
    ours.insert(
        "task_query_params".into(),
        write(&v0_3::TaskQueryParams::from(types::GetTaskRequest::new("t1"))),
    );
    ours.insert(
        "delete_push_config_params".into(),
        write(&v0_3::DeleteTaskPushNotificationConfigParams::from(
            types::DeleteTaskPushNotificationConfigRequest::new("t1", "p1"),
        )),
    );
    let ours = Value::Object(ours);

    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/python/v0_3_roundtrip.py");
    let mut child = std::process::Command::new(python)
        .arg(script)
        .arg("check")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    {
        use std::io::Write as _;
        child
            .stdin
            .take()
            .unwrap()
            .write_all(ours.to_string().as_bytes())
            .unwrap();
    }
    let output = child.wait_with_output().unwrap();
    assert!(output.status.success(), "the SDK refused our JSON");
    let theirs: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(theirs, ours);
}
