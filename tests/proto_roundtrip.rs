//! Every wire type survives a trip through its generated protobuf message
//! unchanged; what a newer peer may send (enum numbers and oneof members
//! this version does not know, absent messages) reads as an unrecognized or
//! default value; and what JSON cannot hold is rejected with an error naming
//! the field.
//!
//! For each message, enum and oneof of `a2akit::types`, a property test
//! builds random values, converts them to the generated `lf.a2a.v1` message
//! (`From`), encodes that with prost and decodes it back (which must give
//! the same message), converts it back (`TryFrom`) and checks that nothing
//! changed. The unit tests below build proto values that have no `types`
//! counterpart and check the error and the JSON path it names.
#![cfg(feature = "grpc")]

use std::fmt::Debug;

use a2akit::error::BAD_REQUEST_TYPE;
use a2akit::proto::v1;
use a2akit::types::{
    APIKeySecurityScheme, AgentCapabilities, AgentCard, AgentCardSignature, AgentExtension, AgentInterface,
    AgentProvider, AgentSkill, Artifact, AuthenticationInfo, AuthorizationCodeOAuthFlow, CancelTaskRequest,
    ClientCredentialsOAuthFlow, DeleteTaskPushNotificationConfigRequest, DeviceCodeOAuthFlow, Empty,
    GetExtendedAgentCardRequest, GetTaskPushNotificationConfigRequest, GetTaskRequest,
    HTTPAuthSecurityScheme, ImplicitOAuthFlow, ListTaskPushNotificationConfigsRequest,
    ListTaskPushNotificationConfigsResponse, ListTasksRequest, ListTasksResponse, Message,
    MutualTlsSecurityScheme, OAuth2SecurityScheme, OAuthFlows, OpenIdConnectSecurityScheme, Part,
    PartContent, PasswordOAuthFlow, Role, SecurityRequirement, SecurityScheme, SendMessageConfiguration,
    SendMessageRequest, SendMessageResponse, StreamResponse, StringList, SubscribeToTaskRequest, Task,
    TaskArtifactUpdateEvent, TaskPushNotificationConfig, TaskState, TaskStatus, TaskStatusUpdateEvent,
};
use a2akit::{Error, ErrorKind};
use chrono::{DateTime, Utc};
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;
use prost::Message as ProstMessage;
use prost_types::value::Kind;
use serde_json::{Value, json};

#[path = "support/strategies.rs"]
mod strategies;

use strategies::*;

/// The numbers of the free-form JSON values these tests generate.
///
/// A `google.protobuf.Value` holds every number as a double, and reading one
/// back gives a JSON integer when the double is integral and within ±2^53.
/// So a JSON integer beyond ±2^53 comes back rounded, and an integral float
/// such as `1.0` comes back as the integer `1` (equal in value, but not the
/// same `serde_json::Value`). Both are documented losses, checked by the
/// unit tests below; the round trips use only the numbers that come back
/// exactly.
const NUMBERS: Numbers = Numbers::ProtoExact;

// ---------------------------------------------------------------------------
// The checks
// ---------------------------------------------------------------------------

/// `value → proto → bytes → proto → value`: the message decodes equal to
/// what was encoded, and reads back as `value`.
fn round_trip<T, P>(value: &T) -> Result<(), TestCaseError>
where
    T: Clone + PartialEq + Debug + TryFrom<P, Error = Error>,
    P: From<T> + ProstMessage + Default + PartialEq + Debug,
{
    let proto = P::from(value.clone());
    let bytes = proto.encode_to_vec();
    let decoded = P::decode(bytes.as_slice())
        .map_err(|err| TestCaseError::fail(format!("cannot decode {proto:?}: {err}")))?;
    prop_assert_eq!(
        &decoded,
        &proto,
        "the message changed through its binary encoding"
    );
    let back = T::try_from(decoded).map_err(|err| TestCaseError::fail(format!("cannot read back: {err}")))?;
    prop_assert_eq!(&back, value, "the value changed through {:?}", proto);
    Ok(())
}

/// `value → oneof → value`, for the generated oneof enums as the messages
/// hold them, in an `Option` (they are not messages of their own, so they
/// are encoded through the message holding them).
fn oneof_round_trip<T, O>(value: &T) -> Result<(), TestCaseError>
where
    T: Clone + PartialEq + Debug + TryFrom<O, Error = Error>,
    O: From<T> + Debug,
{
    let proto = O::from(value.clone());
    let shown = format!("{proto:?}");
    let back = T::try_from(proto).map_err(|err| TestCaseError::fail(format!("cannot read back: {err}")))?;
    prop_assert_eq!(&back, value, "the value changed through {}", shown);
    Ok(())
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
// Round trips
// ---------------------------------------------------------------------------

proptest! {
    #![proptest_config(config(256))]

    #[test]
    fn part_round_trips(value in part(NUMBERS)) {
        round_trip::<Part, v1::Part>(&value)?;
    }

    #[test]
    fn part_content_round_trips(value in part_content(NUMBERS)) {
        oneof_round_trip::<PartContent, Option<v1::part::Content>>(&value)?;
    }

    #[test]
    fn message_round_trips(value in message(NUMBERS)) {
        round_trip::<Message, v1::Message>(&value)?;
    }

    #[test]
    fn task_round_trips(value in task(NUMBERS)) {
        round_trip::<Task, v1::Task>(&value)?;
    }

    #[test]
    fn stream_response_round_trips(value in stream_response(NUMBERS)) {
        round_trip::<StreamResponse, v1::StreamResponse>(&value)?;
        oneof_round_trip::<StreamResponse, Option<v1::stream_response::Payload>>(&value)?;
    }

    #[test]
    fn agent_card_round_trips(value in agent_card(NUMBERS)) {
        round_trip::<AgentCard, v1::AgentCard>(&value)?;
    }
}

proptest! {
    #![proptest_config(config(128))]

    #[test]
    fn task_status_round_trips(value in task_status(NUMBERS)) {
        round_trip::<TaskStatus, v1::TaskStatus>(&value)?;
    }

    #[test]
    fn artifact_round_trips(value in artifact(NUMBERS)) {
        round_trip::<Artifact, v1::Artifact>(&value)?;
    }

    #[test]
    fn task_status_update_event_round_trips(value in status_update(NUMBERS)) {
        round_trip::<TaskStatusUpdateEvent, v1::TaskStatusUpdateEvent>(&value)?;
    }

    #[test]
    fn task_artifact_update_event_round_trips(value in artifact_update(NUMBERS)) {
        round_trip::<TaskArtifactUpdateEvent, v1::TaskArtifactUpdateEvent>(&value)?;
    }

    #[test]
    fn send_message_request_round_trips(value in send_message_request(NUMBERS)) {
        round_trip::<SendMessageRequest, v1::SendMessageRequest>(&value)?;
    }

    #[test]
    fn send_message_configuration_round_trips(value in send_message_configuration()) {
        round_trip::<SendMessageConfiguration, v1::SendMessageConfiguration>(&value)?;
    }

    #[test]
    fn send_message_response_round_trips(value in send_message_response(NUMBERS)) {
        round_trip::<SendMessageResponse, v1::SendMessageResponse>(&value)?;
        oneof_round_trip::<SendMessageResponse, Option<v1::send_message_response::Payload>>(&value)?;
    }

    #[test]
    fn get_task_request_round_trips(value in get_task_request()) {
        round_trip::<GetTaskRequest, v1::GetTaskRequest>(&value)?;
    }

    #[test]
    fn list_tasks_request_round_trips(value in list_tasks_request()) {
        round_trip::<ListTasksRequest, v1::ListTasksRequest>(&value)?;
    }

    #[test]
    fn list_tasks_response_round_trips(value in list_tasks_response(NUMBERS)) {
        round_trip::<ListTasksResponse, v1::ListTasksResponse>(&value)?;
    }

    #[test]
    fn cancel_task_request_round_trips(value in cancel_task_request(NUMBERS)) {
        round_trip::<CancelTaskRequest, v1::CancelTaskRequest>(&value)?;
    }

    #[test]
    fn subscribe_to_task_request_round_trips(value in subscribe_to_task_request()) {
        round_trip::<SubscribeToTaskRequest, v1::SubscribeToTaskRequest>(&value)?;
    }

    #[test]
    fn get_push_config_request_round_trips(value in get_push_config_request()) {
        round_trip::<GetTaskPushNotificationConfigRequest, v1::GetTaskPushNotificationConfigRequest>(&value)?;
    }

    #[test]
    fn delete_push_config_request_round_trips(value in delete_push_config_request()) {
        round_trip::<DeleteTaskPushNotificationConfigRequest, v1::DeleteTaskPushNotificationConfigRequest>(
            &value,
        )?;
    }

    #[test]
    fn list_push_configs_request_round_trips(value in list_push_configs_request()) {
        round_trip::<ListTaskPushNotificationConfigsRequest, v1::ListTaskPushNotificationConfigsRequest>(
            &value,
        )?;
    }

    #[test]
    fn list_push_configs_response_round_trips(value in list_push_configs_response()) {
        round_trip::<ListTaskPushNotificationConfigsResponse, v1::ListTaskPushNotificationConfigsResponse>(
            &value,
        )?;
    }

    #[test]
    fn get_extended_agent_card_request_round_trips(value in get_extended_agent_card_request()) {
        round_trip::<GetExtendedAgentCardRequest, v1::GetExtendedAgentCardRequest>(&value)?;
    }

    #[test]
    fn push_config_round_trips(value in push_config()) {
        round_trip::<TaskPushNotificationConfig, v1::TaskPushNotificationConfig>(&value)?;
    }

    #[test]
    fn authentication_info_round_trips(value in authentication_info()) {
        round_trip::<AuthenticationInfo, v1::AuthenticationInfo>(&value)?;
    }

    #[test]
    fn agent_interface_round_trips(value in agent_interface()) {
        round_trip::<AgentInterface, v1::AgentInterface>(&value)?;
    }

    #[test]
    fn agent_provider_round_trips(value in agent_provider()) {
        round_trip::<AgentProvider, v1::AgentProvider>(&value)?;
    }

    #[test]
    fn agent_extension_round_trips(value in agent_extension(NUMBERS)) {
        round_trip::<AgentExtension, v1::AgentExtension>(&value)?;
    }

    #[test]
    fn agent_capabilities_round_trips(value in agent_capabilities(NUMBERS)) {
        round_trip::<AgentCapabilities, v1::AgentCapabilities>(&value)?;
    }

    #[test]
    fn agent_skill_round_trips(value in agent_skill()) {
        round_trip::<AgentSkill, v1::AgentSkill>(&value)?;
    }

    #[test]
    fn agent_card_signature_round_trips(value in agent_card_signature(NUMBERS)) {
        round_trip::<AgentCardSignature, v1::AgentCardSignature>(&value)?;
    }

    #[test]
    fn security_scheme_round_trips(value in security_scheme()) {
        round_trip::<SecurityScheme, v1::SecurityScheme>(&value)?;
        oneof_round_trip::<SecurityScheme, Option<v1::security_scheme::Scheme>>(&value)?;
    }

    #[test]
    fn api_key_scheme_round_trips(value in api_key_scheme()) {
        round_trip::<APIKeySecurityScheme, v1::ApiKeySecurityScheme>(&value)?;
    }

    #[test]
    fn http_auth_scheme_round_trips(value in http_auth_scheme()) {
        round_trip::<HTTPAuthSecurityScheme, v1::HttpAuthSecurityScheme>(&value)?;
    }

    #[test]
    fn oauth2_scheme_round_trips(value in oauth2_scheme()) {
        round_trip::<OAuth2SecurityScheme, v1::OAuth2SecurityScheme>(&value)?;
    }

    #[test]
    fn open_id_connect_scheme_round_trips(value in open_id_connect_scheme()) {
        round_trip::<OpenIdConnectSecurityScheme, v1::OpenIdConnectSecurityScheme>(&value)?;
    }

    #[test]
    fn mutual_tls_scheme_round_trips(value in mutual_tls_scheme()) {
        round_trip::<MutualTlsSecurityScheme, v1::MutualTlsSecurityScheme>(&value)?;
    }

    #[test]
    fn oauth_flows_round_trips(value in oauth_flows()) {
        round_trip::<OAuthFlows, v1::OAuthFlows>(&value)?;
        oneof_round_trip::<OAuthFlows, Option<v1::o_auth_flows::Flow>>(&value)?;
    }

    #[test]
    fn authorization_code_flow_round_trips(value in authorization_code_flow()) {
        round_trip::<AuthorizationCodeOAuthFlow, v1::AuthorizationCodeOAuthFlow>(&value)?;
    }

    #[test]
    fn client_credentials_flow_round_trips(value in client_credentials_flow()) {
        round_trip::<ClientCredentialsOAuthFlow, v1::ClientCredentialsOAuthFlow>(&value)?;
    }

    #[test]
    fn implicit_flow_round_trips(value in implicit_flow()) {
        round_trip::<ImplicitOAuthFlow, v1::ImplicitOAuthFlow>(&value)?;
    }

    #[test]
    fn password_flow_round_trips(value in password_flow()) {
        round_trip::<PasswordOAuthFlow, v1::PasswordOAuthFlow>(&value)?;
    }

    #[test]
    fn device_code_flow_round_trips(value in device_code_flow()) {
        round_trip::<DeviceCodeOAuthFlow, v1::DeviceCodeOAuthFlow>(&value)?;
    }

    #[test]
    fn security_requirement_round_trips(value in security_requirement()) {
        round_trip::<SecurityRequirement, v1::SecurityRequirement>(&value)?;
    }

    #[test]
    fn string_list_round_trips(value in string_list()) {
        round_trip::<StringList, v1::StringList>(&value)?;
    }

    #[test]
    fn timestamp_round_trips(timestamp in timestamp()) {
        let status = TaskStatus { state: TaskState::Working, message: None, timestamp: Some(timestamp) };
        round_trip::<TaskStatus, v1::TaskStatus>(&status)?;
    }
}

/// Every enum value, exhaustively: the same name on both sides, and back.
#[test]
fn every_enum_value_round_trips() {
    for &state in TaskState::ALL {
        let proto = v1::TaskState::from(state);
        assert_eq!(proto.as_str_name(), state.as_str());
        assert_eq!(TaskState::try_from(proto).unwrap(), state);
        let filter = ListTasksRequest {
            status: Some(state),
            ..ListTasksRequest::default()
        };
        round_trip::<ListTasksRequest, v1::ListTasksRequest>(&filter).unwrap();
    }
    for &role in Role::ALL {
        let proto = v1::Role::from(role);
        assert_eq!(proto.as_str_name(), role.as_str());
        assert_eq!(Role::try_from(proto).unwrap(), role);
    }
}

/// `google.protobuf.Empty` is `()` in the generated code.
#[test]
fn empty_converts_to_and_from_unit() {
    let unit: () = Empty {}.into();
    assert_eq!(Empty::from(unit), Empty {});
}

/// No status filter is `TASK_STATE_UNSPECIFIED`, zero on the wire, and back.
#[test]
fn list_tasks_without_a_status_filter_is_unspecified() {
    let proto = v1::ListTasksRequest::from(ListTasksRequest::default());
    assert_eq!(proto.status, 0);
    assert_eq!(ListTasksRequest::try_from(proto).unwrap().status, None);
}

// ---------------------------------------------------------------------------
// What does not come back exactly
// ---------------------------------------------------------------------------

/// Metadata holding `value`, through the proto and back.
fn metadata_through_proto(value: Value) -> Value {
    let mut metadata = serde_json::Map::new();
    metadata.insert("n".to_owned(), value);
    let request = CancelTaskRequest {
        metadata: Some(metadata),
        ..CancelTaskRequest::new("t")
    };
    let back = CancelTaskRequest::try_from(v1::CancelTaskRequest::from(request)).unwrap();
    back.metadata.unwrap().remove("n").unwrap()
}

/// The number rule: a double that is integral and within ±2^53 reads as a
/// JSON integer; anything else stays a float.
#[test]
fn numbers_follow_the_documented_rule() {
    let max_exact = 1_i64 << 53;
    // Integers within ±2^53 come back as themselves.
    for n in [0, 1, -1, max_exact, -max_exact] {
        assert_eq!(metadata_through_proto(json!(n)), json!(n));
    }
    // Integral floats within ±2^53 come back as integers.
    assert_eq!(metadata_through_proto(json!(1.0)), json!(1));
    assert_eq!(metadata_through_proto(json!(-3.0)), json!(-3));
    // Integers beyond 2^53 come back as the nearest double.
    assert_eq!(metadata_through_proto(json!(max_exact + 1)), json!(max_exact));
    assert_eq!(
        metadata_through_proto(json!(u64::MAX)),
        json!(18_446_744_073_709_551_615_f64)
    );
    assert!(metadata_through_proto(json!(u64::MAX)).is_f64());
    // Other floats, and -0.0 with its sign, stay floats.
    assert_eq!(metadata_through_proto(json!(0.5)), json!(0.5));
    assert_eq!(metadata_through_proto(json!(1e300)), json!(1e300));
    let negative_zero = metadata_through_proto(json!(-0.0));
    assert!(
        negative_zero
            .as_f64()
            .is_some_and(|n| n == 0.0 && n.is_sign_negative())
    );
}

/// A chrono leap second becomes the last nanosecond of the second before it.
#[test]
fn a_leap_second_is_written_as_the_last_nanosecond_before_it() {
    let leap = DateTime::from_timestamp(1_483_228_799, 1_500_000_000).unwrap();
    let status = TaskStatus::new(TaskState::Working).with_timestamp(leap);
    let timestamp = v1::TaskStatus::from(status).timestamp.unwrap();
    assert_eq!(timestamp.seconds, 1_483_228_799);
    assert_eq!(timestamp.nanos, 999_999_999);
}

// ---------------------------------------------------------------------------
// Rejections
// ---------------------------------------------------------------------------

/// Reads `proto`, which must fail with an invalid-params error whose
/// `BadRequest` detail names `field`; returns the description.
#[track_caller]
fn rejected<T, P>(proto: P, field: &str) -> String
where
    T: TryFrom<P, Error = Error> + Debug,
{
    let err = T::try_from(proto).expect_err("the proto value must be rejected");
    assert_eq!(err.kind(), ErrorKind::InvalidParams, "{err}");
    let violation = err
        .details()
        .iter()
        .find(|detail| detail["@type"] == BAD_REQUEST_TYPE)
        .map(|detail| &detail["fieldViolations"][0])
        .unwrap_or_else(|| panic!("no BadRequest detail in {err:?}"));
    assert_eq!(violation["field"], field, "{err}");
    assert!(err.to_string().starts_with(&format!("{field}: ")), "{err}");
    violation["description"].as_str().unwrap().to_owned()
}

fn working() -> v1::TaskStatus {
    v1::TaskStatus {
        state: v1::TaskState::Working.into(),
        ..v1::TaskStatus::default()
    }
}

fn text_part() -> v1::Part {
    v1::Part::from(Part::text("hi"))
}

fn user_message() -> v1::Message {
    v1::Message::from(Message::user("hi").with_message_id("m"))
}

fn task_with_status(status: v1::TaskStatus) -> v1::Task {
    v1::Task {
        id: "t".to_owned(),
        status: Some(status),
        ..v1::Task::default()
    }
}

fn struct_with(key: &str, kind: Option<Kind>) -> prost_types::Struct {
    prost_types::Struct {
        fields: [(key.to_owned(), prost_types::Value { kind })].into(),
    }
}

fn number(n: f64) -> Option<Kind> {
    Some(Kind::NumberValue(n))
}

#[test]
fn a_part_with_no_content_reads_as_unrecognized() {
    let empty = v1::Part {
        filename: "a.txt".to_owned(),
        ..v1::Part::default()
    };
    let part = Part::try_from(empty.clone()).unwrap();
    assert_eq!(part.content, PartContent::Unrecognized);
    assert_eq!(part.filename, "a.txt");
    assert_eq!(
        PartContent::try_from(None::<v1::part::Content>).unwrap(),
        PartContent::Unrecognized
    );
    // Written back as no member, the rest kept.
    assert_eq!(v1::Part::from(part), empty);

    let mut message = user_message();
    message.parts.push(v1::Part::default());
    let message = Message::try_from(message).unwrap();
    assert_eq!(message.parts.len(), 2);
    assert_eq!(message.parts[1].content, PartContent::Unrecognized);
}

#[test]
fn a_security_scheme_with_no_member_reads_as_unrecognized() {
    assert_eq!(
        SecurityScheme::try_from(v1::SecurityScheme::default()).unwrap(),
        SecurityScheme::Unrecognized
    );
    let mut card = v1::AgentCard::from(AgentCard::builder().name("a").build());
    card.security_schemes
        .insert("future".to_owned(), v1::SecurityScheme::default());
    let card = AgentCard::try_from(card).unwrap();
    assert_eq!(card.security_schemes["future"], SecurityScheme::Unrecognized);
    let back = v1::AgentCard::from(card);
    assert_eq!(back.security_schemes["future"], v1::SecurityScheme::default());
}

#[test]
fn oauth_flows_with_no_member_or_absent_read_as_unrecognized() {
    assert_eq!(
        OAuthFlows::try_from(v1::OAuthFlows::default()).unwrap(),
        OAuthFlows::Unrecognized
    );
    for flows in [None, Some(v1::OAuthFlows::default())] {
        let scheme = v1::OAuth2SecurityScheme {
            flows,
            ..v1::OAuth2SecurityScheme::default()
        };
        let read = OAuth2SecurityScheme::try_from(scheme).unwrap();
        assert_eq!(read.flows, OAuthFlows::Unrecognized);
        // Always written, as an empty oneof.
        assert_eq!(
            v1::OAuth2SecurityScheme::from(read).flows,
            Some(v1::OAuthFlows::default())
        );
    }
}

#[test]
fn responses_with_no_payload_read_as_unrecognized() {
    assert_eq!(
        SendMessageResponse::try_from(v1::SendMessageResponse::default()).unwrap(),
        SendMessageResponse::Unrecognized
    );
    let item = StreamResponse::try_from(v1::StreamResponse::default()).unwrap();
    assert_eq!(item, StreamResponse::Unrecognized);
    assert_eq!(v1::StreamResponse::from(item), v1::StreamResponse::default());
}

#[test]
fn the_unspecified_task_state_reads_as_unspecified() {
    let unspecified = v1::TaskStatus::default();
    assert_eq!(
        TaskStatus::try_from(unspecified.clone()).unwrap().state,
        TaskState::Unspecified
    );
    let task = Task::try_from(task_with_status(unspecified)).unwrap();
    assert_eq!(task.status.state, TaskState::Unspecified);
    assert_eq!(v1::Task::from(task).status.unwrap().state, 0);
    assert_eq!(
        TaskState::try_from(v1::TaskState::Unspecified).unwrap(),
        TaskState::Unspecified
    );
}

#[test]
fn an_unknown_task_state_number_is_kept_as_unrecognized() {
    let status = v1::TaskStatus {
        state: 99,
        ..working()
    };
    let task = Task::try_from(task_with_status(status)).unwrap();
    assert_eq!(task.status.state, TaskState::Unrecognized(Some(99)));
    assert_eq!(v1::Task::from(task).status.unwrap().state, 99);

    let filter = v1::ListTasksRequest {
        status: 99,
        ..v1::ListTasksRequest::default()
    };
    let read = ListTasksRequest::try_from(filter).unwrap();
    assert_eq!(read.status, Some(TaskState::Unrecognized(Some(99))));
    assert_eq!(v1::ListTasksRequest::from(read).status, 99);
    // The generated enum cannot hold it: the unspecified value.
    assert_eq!(
        v1::TaskState::from(TaskState::Unrecognized(Some(99))),
        v1::TaskState::Unspecified
    );
}

#[test]
fn the_unspecified_or_an_unknown_role_is_read() {
    let unspecified = v1::Message {
        role: v1::Role::Unspecified.into(),
        ..user_message()
    };
    assert_eq!(
        Message::try_from(unspecified.clone()).unwrap().role,
        Role::Unspecified
    );

    let unknown = v1::Message {
        role: -1,
        ..user_message()
    };
    let read = Message::try_from(unknown).unwrap();
    assert_eq!(read.role, Role::Unrecognized(Some(-1)));
    assert_eq!(v1::Message::from(read).role, -1);

    let task = v1::Task {
        history: vec![user_message(), unspecified],
        ..task_with_status(working())
    };
    assert_eq!(Task::try_from(task).unwrap().history[1].role, Role::Unspecified);
    assert_eq!(Role::try_from(v1::Role::Unspecified).unwrap(), Role::Unspecified);
}

#[test]
fn missing_required_messages_read_as_defaults() {
    assert_eq!(Task::try_from(v1::Task::default()).unwrap(), Task::default());
    assert_eq!(
        TaskStatusUpdateEvent::try_from(v1::TaskStatusUpdateEvent::default()).unwrap(),
        TaskStatusUpdateEvent::default()
    );
    assert_eq!(
        TaskArtifactUpdateEvent::try_from(v1::TaskArtifactUpdateEvent::default()).unwrap(),
        TaskArtifactUpdateEvent::default()
    );
    assert_eq!(
        SendMessageRequest::try_from(v1::SendMessageRequest::default()).unwrap(),
        SendMessageRequest::default()
    );
    assert_eq!(
        OAuth2SecurityScheme::try_from(v1::OAuth2SecurityScheme::default()).unwrap(),
        OAuth2SecurityScheme::default()
    );
    let item = v1::SendMessageResponse {
        payload: Some(v1::send_message_response::Payload::Task(v1::Task::default())),
    };
    assert_eq!(
        SendMessageResponse::try_from(item).unwrap(),
        SendMessageResponse::Task(Task::default())
    );
}

#[test]
fn timestamps_outside_the_supported_range_are_rejected() {
    for (seconds, nanos) in [(0, -1), (0, 1_000_000_000), (i64::MAX, 0), (i64::MIN, 0)] {
        let status = v1::TaskStatus {
            timestamp: Some(prost_types::Timestamp { seconds, nanos }),
            ..working()
        };
        rejected::<TaskStatus, _>(status.clone(), "timestamp");
        rejected::<Task, _>(task_with_status(status), "status.timestamp");

        let filter = v1::ListTasksRequest {
            status_timestamp_after: Some(prost_types::Timestamp { seconds, nanos }),
            ..v1::ListTasksRequest::default()
        };
        rejected::<ListTasksRequest, _>(filter, "statusTimestampAfter");
    }
}

#[test]
fn numbers_json_cannot_hold_are_rejected() {
    for n in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
        let request = v1::CancelTaskRequest {
            metadata: Some(struct_with("score", number(n))),
            ..v1::CancelTaskRequest::default()
        };
        let description = rejected::<CancelTaskRequest, _>(request, "metadata.score");
        assert!(description.contains("JSON"), "{description}");

        let nested = prost_types::Value {
            kind: Some(Kind::StructValue(struct_with("deep", number(n)))),
        };
        let list = prost_types::Value {
            kind: Some(Kind::ListValue(prost_types::ListValue {
                values: vec![prost_types::Value { kind: number(1.0) }, nested],
            })),
        };
        let part = v1::Part {
            content: Some(v1::part::Content::Data(list)),
            ..v1::Part::default()
        };
        rejected::<Part, _>(part.clone(), "data[1].deep");
        let message = v1::Message {
            parts: vec![text_part(), part],
            ..user_message()
        };
        rejected::<Message, _>(message, "parts[1].data[1].deep");

        let capabilities = v1::AgentCapabilities {
            extensions: vec![v1::AgentExtension {
                params: Some(struct_with("limit", number(n))),
                ..v1::AgentExtension::default()
            }],
            ..v1::AgentCapabilities::default()
        };
        let card = v1::AgentCard {
            capabilities: Some(capabilities),
            ..v1::AgentCard::default()
        };
        rejected::<AgentCard, _>(card, "capabilities.extensions[0].params.limit");

        let signature = v1::AgentCardSignature {
            header: Some(struct_with("kid", number(n))),
            ..v1::AgentCardSignature::default()
        };
        rejected::<AgentCardSignature, _>(signature, "header.kid");
    }
}

#[test]
fn a_value_with_no_kind_is_rejected() {
    let request = v1::SendMessageRequest {
        message: Some(user_message()),
        metadata: Some(struct_with("trace", None)),
        ..v1::SendMessageRequest::default()
    };
    rejected::<SendMessageRequest, _>(request, "metadata.trace");

    let part = v1::Part {
        content: Some(v1::part::Content::Data(prost_types::Value::default())),
        ..v1::Part::default()
    };
    rejected::<Part, _>(part.clone(), "data");
    let content = part.content.unwrap();
    rejected::<PartContent, _>(content, "data");
}

// ---------------------------------------------------------------------------
// What is accepted
// ---------------------------------------------------------------------------

/// Empty strings are fine where the proto calls a field required, as they
/// are in JSON; an absent card capabilities message reads as none.
#[test]
fn empty_strings_and_absent_capabilities_are_accepted() {
    let task = Task::try_from(task_with_status(working())).unwrap();
    assert_eq!(task.id, "t");
    assert_eq!(task.context_id, "");

    let message = Message::try_from(v1::Message {
        message_id: String::new(),
        ..user_message()
    })
    .unwrap();
    assert_eq!(message.message_id, "");

    let card = AgentCard::try_from(v1::AgentCard::default()).unwrap();
    assert_eq!(card.capabilities, AgentCapabilities::default());
    assert_eq!(card.name, "");

    let config = TaskPushNotificationConfig::try_from(v1::TaskPushNotificationConfig::default()).unwrap();
    assert_eq!(config, TaskPushNotificationConfig::default());
}

/// A `NullValue` of any number reads as JSON null.
#[test]
fn any_null_value_number_reads_as_null() {
    let part = v1::Part {
        content: Some(v1::part::Content::Data(prost_types::Value {
            kind: Some(Kind::NullValue(7)),
        })),
        ..v1::Part::default()
    };
    assert_eq!(
        Part::try_from(part).unwrap().content,
        PartContent::Data(Value::Null)
    );
}

/// The timestamp range checks do not reject what chrono can hold.
#[test]
fn timestamps_at_the_edges_of_the_nanos_range_are_accepted() {
    for nanos in [0, 999_999_999] {
        let status = v1::TaskStatus {
            timestamp: Some(prost_types::Timestamp { seconds: -1, nanos }),
            ..working()
        };
        let expected: DateTime<Utc> = DateTime::from_timestamp(-1, nanos.unsigned_abs()).unwrap();
        assert_eq!(TaskStatus::try_from(status).unwrap().timestamp, Some(expected));
    }
}
