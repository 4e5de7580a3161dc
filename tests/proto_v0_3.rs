//! The generated messages of A2A v0.3's gRPC binding (`a2akit::proto::v0_3`,
//! package `a2a.v1`) and their conversions with the 1.0 types.
//!
//! 1.0 values go to the v0.3 message (`From`), through its binary encoding,
//! and back (`TryFrom`): what v0.3 can say comes back unchanged, and what it
//! cannot is lost exactly as documented. Requests whose resource name is
//! malformed, and values JSON cannot hold, are refused with an error naming
//! the field by its v0.3 JSON path.
//!
//! When the official v0.3 Python SDK is installed (`.ci/python-env-v0_3`, or
//! `A2A_PYTHON_V03`; required in CI), one test has its `a2a_pb2` parse the
//! bytes we encode and read them with its own conversions, and reads the
//! bytes it writes with ours.
#![cfg(feature = "grpc")]

#[path = "support/python.rs"]
#[allow(dead_code)]
mod python;

use std::fmt::Debug;
use std::io::Write as _;

use a2akit::error::BAD_REQUEST_TYPE;
use a2akit::proto::v0_3::{self, file_part, part, send_message_response, stream_response};
use a2akit::types::{
    APIKeySecurityScheme, AgentCapabilities, AgentCard, AgentCardSignature, AgentExtension, AgentInterface,
    AgentProvider, AgentSkill, Artifact, AuthenticationInfo, AuthorizationCodeOAuthFlow, CancelTaskRequest,
    ClientCredentialsOAuthFlow, DeleteTaskPushNotificationConfigRequest, DeviceCodeOAuthFlow,
    GetExtendedAgentCardRequest, GetTaskPushNotificationConfigRequest, GetTaskRequest,
    HTTPAuthSecurityScheme, ImplicitOAuthFlow, ListTaskPushNotificationConfigsRequest,
    ListTaskPushNotificationConfigsResponse, Message, MutualTlsSecurityScheme, OAuth2SecurityScheme,
    OAuthFlows, OpenIdConnectSecurityScheme, Part, PartContent, PasswordOAuthFlow, Role, SecurityRequirement,
    SecurityScheme, SendMessageConfiguration, SendMessageRequest, SendMessageResponse, StreamResponse,
    StringList, SubscribeToTaskRequest, Task, TaskArtifactUpdateEvent, TaskPushNotificationConfig, TaskState,
    TaskStatus, TaskStatusUpdateEvent,
};
use a2akit::{Error, ErrorKind};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use chrono::DateTime;
use prost::Message as ProstMessage;
use prost_types::value::Kind;
use serde_json::{Value, json};

// ---------------------------------------------------------------------------
// The checks
// ---------------------------------------------------------------------------

/// `value → v0.3 message → bytes → v0.3 message → value`: the message decodes
/// equal to what was encoded; returns what it reads back as.
#[track_caller]
fn through<T, P>(value: T) -> T
where
    T: TryFrom<P, Error = Error>,
    P: From<T> + ProstMessage + Default + PartialEq + Debug,
{
    let proto = P::from(value);
    let decoded = P::decode(proto.encode_to_vec().as_slice()).expect("the message decodes");
    assert_eq!(decoded, proto, "the message changed through its binary encoding");
    T::try_from(decoded).unwrap_or_else(|err| panic!("cannot read back {proto:?}: {err}"))
}

/// The value survives the trip through its v0.3 message unchanged.
#[track_caller]
fn round_trips<T, P>(value: &T)
where
    T: Clone + PartialEq + Debug + TryFrom<P, Error = Error>,
    P: From<T> + ProstMessage + Default + PartialEq + Debug,
{
    assert_eq!(&through::<T, P>(value.clone()), value);
}

/// Reads `proto`, which must fail with an invalid-params error whose
/// `BadRequest` detail names `field`; returns the description.
#[track_caller]
fn rejected<T, P>(proto: P, field: &str) -> String
where
    T: TryFrom<P, Error = Error> + Debug,
{
    let err = T::try_from(proto).expect_err("the v0.3 message must be refused");
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

fn object(value: Value) -> a2akit::types::Struct {
    match value {
        Value::Object(object) => object,
        other => panic!("not an object: {other}"),
    }
}

const NAMED_STATES: [TaskState; 8] = [
    TaskState::Submitted,
    TaskState::Working,
    TaskState::Completed,
    TaskState::Failed,
    TaskState::Canceled,
    TaskState::InputRequired,
    TaskState::Rejected,
    TaskState::AuthRequired,
];

// ---------------------------------------------------------------------------
// Values of every kind
// ---------------------------------------------------------------------------

/// A part of every kind v0.3 can hold, some with metadata, the files with
/// their media type and name.
fn every_part() -> Vec<Part> {
    vec![
        Part::text("Book a table").with_metadata(object(json!({"lang": "en"}))),
        Part::raw(b"hello".to_vec())
            .with_media_type("text/plain")
            .with_filename("hello.txt")
            .with_metadata(object(json!({"size": 5}))),
        Part::url("https://files.example/menu.pdf")
            .with_media_type("application/pdf")
            .with_filename("menu.pdf"),
        Part::data(
            json!({"guests": 4, "time": "19:30", "tags": ["window", null], "vip": false, "score": 0.5}),
        ),
    ]
}

fn message() -> Message {
    Message {
        extensions: vec!["https://ext.example/v1".to_owned()],
        ..Message::new(Role::User, every_part())
            .with_message_id("m1")
            .with_context_id("c1")
            .with_task_id("t1")
            .with_metadata(object(json!({"trace": "abc"})))
    }
}

fn task(state: TaskState) -> Task {
    let status = TaskStatus::new(state)
        .with_message(Message::agent("How many guests?").with_message_id("m2"))
        .with_timestamp(DateTime::from_timestamp(1_750_000_000, 123_456_789).unwrap());
    Task::new("t1", "c1", status)
        .with_history([message(), Message::agent("Noted").with_message_id("m3")])
        .with_artifacts([
            Artifact {
                extensions: vec!["https://ext.example/v1".to_owned()],
                ..Artifact::text("a1", "Table for 4 at 19:30")
                    .with_name("Booking")
                    .with_description("The confirmation")
            },
            Artifact::new("a2", every_part()),
        ])
        .with_metadata(object(json!({"priority": 1})))
}

fn get_task(id: &str, history_length: Option<i32>) -> GetTaskRequest {
    GetTaskRequest {
        history_length,
        ..GetTaskRequest::new(id)
    }
}

fn webhook() -> TaskPushNotificationConfig {
    TaskPushNotificationConfig::new("https://hook.example/a2a")
        .with_id("p1")
        .with_task_id("t1")
        .with_token("tok")
        .with_authentication(AuthenticationInfo::new("Bearer", "secret"))
}

fn scopes() -> std::collections::BTreeMap<String, String> {
    [
        ("read".to_owned(), "Read tasks".to_owned()),
        ("write".to_owned(), "Send messages".to_owned()),
    ]
    .into()
}

/// Every scheme and every flow v0.3 has.
fn every_scheme() -> Vec<(&'static str, SecurityScheme)> {
    let oauth = |flows| {
        SecurityScheme::OAuth2(OAuth2SecurityScheme {
            description: "OAuth".to_owned(),
            flows,
            oauth2_metadata_url: "https://auth.example/.well-known/oauth-authorization-server".to_owned(),
        })
    };
    vec![
        (
            "key",
            SecurityScheme::ApiKey(APIKeySecurityScheme {
                description: "A key".to_owned(),
                location: "header".to_owned(),
                name: "X-API-Key".to_owned(),
            }),
        ),
        (
            "bearer",
            SecurityScheme::HttpAuth(HTTPAuthSecurityScheme {
                description: "A token".to_owned(),
                scheme: "Bearer".to_owned(),
                bearer_format: "JWT".to_owned(),
            }),
        ),
        (
            "code",
            oauth(OAuthFlows::AuthorizationCode(AuthorizationCodeOAuthFlow {
                authorization_url: "https://auth.example/authorize".to_owned(),
                token_url: "https://auth.example/token".to_owned(),
                refresh_url: "https://auth.example/refresh".to_owned(),
                scopes: scopes(),
                pkce_required: false,
            })),
        ),
        (
            "client",
            oauth(OAuthFlows::ClientCredentials(ClientCredentialsOAuthFlow {
                token_url: "https://auth.example/token".to_owned(),
                refresh_url: String::new(),
                scopes: scopes(),
            })),
        ),
        (
            "implicit",
            oauth(OAuthFlows::Implicit(ImplicitOAuthFlow {
                authorization_url: "https://auth.example/authorize".to_owned(),
                refresh_url: "https://auth.example/refresh".to_owned(),
                scopes: scopes(),
            })),
        ),
        (
            "password",
            oauth(OAuthFlows::Password(PasswordOAuthFlow {
                token_url: "https://auth.example/token".to_owned(),
                refresh_url: String::new(),
                scopes: scopes(),
            })),
        ),
        (
            "oidc",
            SecurityScheme::OpenIdConnect(OpenIdConnectSecurityScheme {
                description: String::new(),
                open_id_connect_url: "https://auth.example/.well-known/openid-configuration".to_owned(),
            }),
        ),
        (
            "mtls",
            SecurityScheme::MutualTls(MutualTlsSecurityScheme {
                description: "A client certificate".to_owned(),
            }),
        ),
    ]
}

fn requirement(schemes: &[(&str, &[&str])]) -> SecurityRequirement {
    SecurityRequirement {
        schemes: schemes
            .iter()
            .map(|(name, scopes)| {
                let list = scopes.iter().map(|scope| (*scope).to_owned()).collect();
                ((*name).to_owned(), StringList { list })
            })
            .collect(),
    }
}

/// A card v0.3 can say completely: three v0.3 interfaces, every scheme, and
/// every other field set.
fn card() -> AgentCard {
    let interface = |url: &str, binding: &str| AgentInterface {
        url: url.to_owned(),
        protocol_binding: binding.to_owned(),
        tenant: String::new(),
        protocol_version: "0.3.0".to_owned(),
    };
    AgentCard {
        name: "Restaurant".to_owned(),
        description: "Books tables".to_owned(),
        supported_interfaces: vec![
            interface("https://agent.example/grpc", "GRPC"),
            interface("https://agent.example/a2a", "JSONRPC"),
            interface("https://agent.example/rest", "HTTP+JSON"),
        ],
        provider: Some(AgentProvider {
            url: "https://example.com".to_owned(),
            organization: "Example".to_owned(),
        }),
        version: "2.1.0".to_owned(),
        documentation_url: Some("https://agent.example/docs".to_owned()),
        capabilities: AgentCapabilities {
            streaming: Some(true),
            push_notifications: Some(true),
            extensions: vec![AgentExtension {
                uri: "https://ext.example/v1".to_owned(),
                description: "Traces".to_owned(),
                required: true,
                params: Some(object(json!({"level": "debug", "depth": 3}))),
            }],
            extended_agent_card: Some(true),
        },
        security_schemes: every_scheme()
            .into_iter()
            .map(|(name, scheme)| (name.to_owned(), scheme))
            .collect(),
        security_requirements: vec![
            requirement(&[("bearer", &[])]),
            requirement(&[("code", &["read", "write"]), ("mtls", &[])]),
        ],
        default_input_modes: vec!["text/plain".to_owned(), "application/json".to_owned()],
        default_output_modes: vec!["text/plain".to_owned()],
        skills: vec![AgentSkill {
            id: "book".to_owned(),
            name: "Book".to_owned(),
            description: "Books a table".to_owned(),
            tags: vec!["booking".to_owned()],
            examples: vec!["A table for two tonight".to_owned()],
            input_modes: vec!["text/plain".to_owned()],
            output_modes: vec!["application/json".to_owned()],
            security_requirements: vec![requirement(&[("client", &["write"])])],
        }],
        signatures: vec![AgentCardSignature {
            protected: "eyJhbGciOiJFUzI1NiJ9".to_owned(),
            signature: "c2lnbmF0dXJl".to_owned(),
            header: Some(object(json!({"kid": "key-1"}))),
        }],
        icon_url: Some("https://agent.example/icon.png".to_owned()),
    }
}

// ---------------------------------------------------------------------------
// Tasks, messages and parts
// ---------------------------------------------------------------------------

#[test]
fn every_state_crosses_by_number_with_cancelled_as_canceled() {
    for state in NAMED_STATES {
        round_trips::<Task, v0_3::Task>(&task(state));
        assert_eq!(
            v0_3::TaskStatus::from(TaskStatus::new(state)).state,
            state.number()
        );
        assert_eq!(TaskState::try_from(v0_3::TaskState::from(state)).unwrap(), state);
    }
    assert_eq!(
        v0_3::TaskState::from(TaskState::Canceled),
        v0_3::TaskState::Cancelled
    );
    assert_eq!(v0_3::TaskState::Cancelled.as_str_name(), "TASK_STATE_CANCELLED");
    assert_eq!(
        TaskState::try_from(v0_3::TaskState::Cancelled).unwrap(),
        TaskState::Canceled
    );

    // A newer peer's number is kept, both ways; the unspecified state stays so.
    round_trips::<TaskStatus, v0_3::TaskStatus>(&TaskStatus::new(TaskState::Unrecognized(Some(42))));
    round_trips::<TaskStatus, v0_3::TaskStatus>(&TaskStatus::new(TaskState::Unspecified));
    let newer = v0_3::TaskStatus {
        state: 42,
        ..Default::default()
    };
    assert_eq!(
        TaskStatus::try_from(newer).unwrap().state,
        TaskState::Unrecognized(Some(42))
    );
    // One without a number can only be written as unspecified.
    let nameless = v0_3::TaskStatus::from(TaskStatus::new(TaskState::Unrecognized(None)));
    assert_eq!(nameless.state, 0);
    assert_eq!(
        v0_3::TaskState::from(TaskState::Unrecognized(Some(42))),
        v0_3::TaskState::Unspecified
    );
}

#[test]
fn roles_cross_by_number() {
    for role in [
        Role::User,
        Role::Agent,
        Role::Unspecified,
        Role::Unrecognized(Some(9)),
    ] {
        let message = Message::new(role, [Part::text("hi")]).with_message_id("m");
        round_trips::<Message, v0_3::Message>(&message);
    }
    assert_eq!(v0_3::Role::from(Role::Agent), v0_3::Role::Agent);
    assert_eq!(Role::try_from(v0_3::Role::User).unwrap(), Role::User);
}

#[test]
fn every_part_kind_round_trips_as_text_file_or_data() {
    let message = message();
    round_trips::<Message, v0_3::Message>(&message);

    let proto = v0_3::Message::from(message);
    assert_eq!(proto.content.len(), 4);
    assert_eq!(
        proto.content[0].part,
        Some(part::Part::Text("Book a table".to_owned()))
    );
    let Some(part::Part::File(bytes)) = &proto.content[1].part else {
        panic!("raw bytes are a file: {:?}", proto.content[1]);
    };
    // The base64 text of the file, as the v0.3 SDKs put it there.
    assert_eq!(
        bytes.file,
        Some(file_part::File::FileWithBytes(b"aGVsbG8=".to_vec()))
    );
    assert_eq!(
        (bytes.mime_type.as_str(), bytes.name.as_str()),
        ("text/plain", "hello.txt")
    );
    let Some(part::Part::File(uri)) = &proto.content[2].part else {
        panic!("a URL is a file: {:?}", proto.content[2]);
    };
    assert_eq!(
        uri.file,
        Some(file_part::File::FileWithUri(
            "https://files.example/menu.pdf".to_owned()
        ))
    );
    assert_eq!(
        (uri.mime_type.as_str(), uri.name.as_str()),
        ("application/pdf", "menu.pdf")
    );
    let Some(part::Part::Data(data)) = &proto.content[3].part else {
        panic!("an object is a data part: {:?}", proto.content[3]);
    };
    assert!(data.data.as_ref().unwrap().fields.contains_key("guests"));
}

#[test]
fn what_v03_parts_cannot_say_is_lost() {
    let parts = [
        Part::text("hi")
            .with_media_type("text/markdown")
            .with_filename("hi.md"),
        Part::data(json!([1, 2])).with_filename("list.json"),
        Part::data(json!("bare")),
        Part::new(PartContent::Unrecognized).with_metadata(object(json!({"kept": true}))),
    ];
    let sent = Message {
        reference_task_ids: vec!["t0".to_owned()],
        ..Message::new(Role::Agent, parts).with_message_id("m")
    };
    let back = through::<Message, v0_3::Message>(sent);
    assert!(back.reference_task_ids.is_empty());
    assert_eq!(back.parts[0], Part::text("hi"));
    assert_eq!(back.parts[1], Part::data(json!({"value": [1, 2]})));
    assert_eq!(back.parts[2], Part::data(json!({"value": "bare"})));
    assert_eq!(
        back.parts[3],
        Part::new(PartContent::Unrecognized).with_metadata(object(json!({"kept": true})))
    );
    assert_eq!(v0_3::Part::from(Part::new(PartContent::Unrecognized)).part, None);
}

#[test]
fn v03_parts_read_leniently() {
    let file = |file, mime_type: &str| v0_3::Part {
        part: Some(part::Part::File(v0_3::FilePart {
            file,
            mime_type: mime_type.to_owned(),
            name: String::new(),
        })),
        metadata: None,
    };
    // Bytes that are not base64 text are the file itself.
    let raw = file(Some(file_part::File::FileWithBytes(vec![0xff, 0x00, 0x10])), "");
    assert_eq!(Part::try_from(raw).unwrap(), Part::raw(vec![0xff, 0x00, 0x10]));
    // A file with neither bytes nor URI is empty content.
    assert_eq!(
        Part::try_from(file(None, "image/png")).unwrap(),
        Part::raw(Vec::new()).with_media_type("image/png")
    );
    // A data part without data is an empty object; a part without a member unrecognized.
    let empty_data = v0_3::Part {
        part: Some(part::Part::Data(v0_3::DataPart { data: None })),
        metadata: None,
    };
    assert_eq!(Part::try_from(empty_data).unwrap(), Part::data(json!({})));
    assert_eq!(
        Part::try_from(v0_3::Part::default()).unwrap(),
        Part::new(PartContent::Unrecognized)
    );
}

#[test]
fn artifacts_events_and_stream_items_round_trip() {
    let artifact = Artifact {
        extensions: vec!["x".to_owned()],
        ..Artifact::new("a1", every_part()).with_name("All")
    };
    round_trips::<Artifact, v0_3::Artifact>(&artifact);
    let chunk = TaskArtifactUpdateEvent {
        metadata: Some(object(json!({"n": 2}))),
        ..TaskArtifactUpdateEvent::new("t1", "c1", artifact.clone())
            .with_append(true)
            .with_last_chunk(true)
    };
    round_trips::<TaskArtifactUpdateEvent, v0_3::TaskArtifactUpdateEvent>(&chunk);
    let update = TaskStatusUpdateEvent {
        metadata: Some(object(json!({"n": 1}))),
        ..TaskStatusUpdateEvent::new("t1", "c1", task(TaskState::Working).status)
    };
    round_trips::<TaskStatusUpdateEvent, v0_3::TaskStatusUpdateEvent>(&update);

    let items = [
        StreamResponse::Task(task(TaskState::Submitted)),
        StreamResponse::Message(message()),
        StreamResponse::StatusUpdate(update),
        StreamResponse::ArtifactUpdate(chunk),
    ];
    for item in items {
        round_trips::<StreamResponse, v0_3::StreamResponse>(&item);
    }
    assert_eq!(
        v0_3::StreamResponse::from(StreamResponse::Unrecognized).payload,
        None
    );
    round_trips::<StreamResponse, v0_3::StreamResponse>(&StreamResponse::Unrecognized);
    let message_item = v0_3::StreamResponse::from(StreamResponse::Message(message()));
    assert!(matches!(
        message_item.payload,
        Some(stream_response::Payload::Msg(_))
    ));

    for answer in [
        SendMessageResponse::Task(task(TaskState::Completed)),
        SendMessageResponse::Message(message()),
        SendMessageResponse::Unrecognized,
    ] {
        round_trips::<SendMessageResponse, v0_3::SendMessageResponse>(&answer);
    }
    let direct = v0_3::SendMessageResponse::from(SendMessageResponse::Message(message()));
    assert!(matches!(
        direct.payload,
        Some(send_message_response::Payload::Msg(_))
    ));
}

#[test]
fn final_marks_the_states_a_stream_ends_on() {
    for state in NAMED_STATES {
        let event = TaskStatusUpdateEvent::new("t1", "c1", TaskStatus::new(state));
        let proto = v0_3::TaskStatusUpdateEvent::from(event);
        let ends = matches!(
            state,
            TaskState::Completed
                | TaskState::Failed
                | TaskState::Canceled
                | TaskState::Rejected
                | TaskState::InputRequired
                | TaskState::AuthRequired
        );
        assert_eq!(proto.r#final, ends, "{state:?}");
    }
    // Read from v0.3, `final` is dropped: the state says it.
    let mismatched = v0_3::TaskStatusUpdateEvent {
        task_id: "t1".to_owned(),
        status: Some(v0_3::TaskStatus::from(TaskStatus::new(TaskState::Working))),
        r#final: true,
        ..Default::default()
    };
    let read = TaskStatusUpdateEvent::try_from(mismatched).unwrap();
    assert_eq!(read.status.state, TaskState::Working);
}

// ---------------------------------------------------------------------------
// Requests
// ---------------------------------------------------------------------------

#[test]
fn send_message_requests_round_trip_with_blocking_as_the_inverse_of_return_immediately() {
    for return_immediately in [false, true] {
        let configuration = SendMessageConfiguration {
            accepted_output_modes: vec!["text/plain".to_owned()],
            task_push_notification_config: Some(
                TaskPushNotificationConfig::new("https://hook.example").with_id("p1"),
            ),
            history_length: Some(3),
            return_immediately,
        };
        let request = SendMessageRequest {
            metadata: Some(object(json!({"source": "test"}))),
            ..SendMessageRequest::new(message()).with_configuration(configuration)
        };
        round_trips::<SendMessageRequest, v0_3::SendMessageRequest>(&request);
        let proto = v0_3::SendMessageRequest::from(request);
        let sent = proto.configuration.unwrap();
        assert_eq!(sent.blocking, !return_immediately);
        assert_eq!(sent.history_length, 3);
        assert_eq!(sent.push_notification.unwrap().url, "https://hook.example");
        assert_eq!(proto.request.unwrap().message_id, "m1");
    }
}

#[test]
fn a_request_without_configuration_blocks_on_both_sides() {
    // Written with `blocking: true`, which every v0.3 server honours.
    let proto = v0_3::SendMessageRequest::from(SendMessageRequest::new(message()));
    assert!(proto.configuration.as_ref().unwrap().blocking);
    let back = SendMessageRequest::try_from(proto).unwrap();
    assert_eq!(back.configuration, Some(SendMessageConfiguration::default()));

    // Read without one: still none, which blocks in 1.0.
    let bare = v0_3::SendMessageRequest {
        request: Some(v0_3::Message::from(message())),
        ..Default::default()
    };
    assert_eq!(SendMessageRequest::try_from(bare).unwrap().configuration, None);

    // Read with one that leaves `blocking` out: an immediate answer.
    let non_blocking = v0_3::SendMessageRequest {
        configuration: Some(v0_3::SendMessageConfiguration::default()),
        ..Default::default()
    };
    let read = SendMessageRequest::try_from(non_blocking).unwrap();
    assert!(read.configuration.unwrap().return_immediately);
}

#[test]
fn what_v03_requests_cannot_say_is_lost() {
    let request = SendMessageRequest::new(message())
        .with_tenant("acme")
        .with_configuration(
            SendMessageConfiguration::default()
                .with_history_length(0)
                .with_push_notification_config(webhook()),
        );
    let back = through::<SendMessageRequest, v0_3::SendMessageRequest>(request);
    assert_eq!(back.tenant, "");
    let configuration = back.configuration.unwrap();
    // v0.3's 0 is "no limit".
    assert_eq!(configuration.history_length, None);
    // The webhook of a message loses its task id.
    let hook = configuration.task_push_notification_config.unwrap();
    assert_eq!((hook.id.as_str(), hook.task_id.as_str()), ("p1", ""));

    let get = through::<GetTaskRequest, v0_3::GetTaskRequest>(get_task("t1", Some(0)));
    assert_eq!(get.history_length, None);
    let cancel = CancelTaskRequest {
        metadata: Some(object(json!({"why": "late"}))),
        ..CancelTaskRequest::new("t1")
    };
    assert_eq!(
        through::<CancelTaskRequest, v0_3::CancelTaskRequest>(cancel),
        CancelTaskRequest::new("t1")
    );
    let card_request = GetExtendedAgentCardRequest {
        tenant: "acme".to_owned(),
    };
    assert_eq!(
        through::<GetExtendedAgentCardRequest, v0_3::GetAgentCardRequest>(card_request),
        GetExtendedAgentCardRequest::default()
    );
}

#[test]
fn task_requests_name_the_task() {
    let get = get_task("t1", Some(5));
    round_trips::<GetTaskRequest, v0_3::GetTaskRequest>(&get);
    assert_eq!(
        v0_3::GetTaskRequest::from(get),
        v0_3::GetTaskRequest {
            name: "tasks/t1".to_owned(),
            history_length: 5
        }
    );
    let cancel = CancelTaskRequest::new("t-2");
    round_trips::<CancelTaskRequest, v0_3::CancelTaskRequest>(&cancel);
    assert_eq!(v0_3::CancelTaskRequest::from(cancel).name, "tasks/t-2");
    let subscribe = SubscribeToTaskRequest::new("t3");
    round_trips::<SubscribeToTaskRequest, v0_3::TaskSubscriptionRequest>(&subscribe);
    assert_eq!(v0_3::TaskSubscriptionRequest::from(subscribe).name, "tasks/t3");
}

#[test]
fn webhooks_round_trip_under_their_names() {
    let config = webhook();
    round_trips::<TaskPushNotificationConfig, v0_3::TaskPushNotificationConfig>(&config);
    let named = v0_3::TaskPushNotificationConfig::from(config.clone());
    assert_eq!(named.name, "tasks/t1/pushNotificationConfigs/p1");
    let inner = named.push_notification_config.unwrap();
    assert_eq!(inner.id, "p1");
    assert_eq!(inner.authentication.unwrap().schemes, ["Bearer"]);

    round_trips::<TaskPushNotificationConfig, v0_3::CreateTaskPushNotificationConfigRequest>(&config);
    let create = v0_3::CreateTaskPushNotificationConfigRequest::from(config.clone());
    assert_eq!(create.parent, "tasks/t1");
    assert_eq!(create.config_id, "p1");
    assert_eq!(create.config.unwrap().name, "tasks/t1/pushNotificationConfigs/p1");

    let get = GetTaskPushNotificationConfigRequest::new("t1", "p1");
    round_trips::<GetTaskPushNotificationConfigRequest, v0_3::GetTaskPushNotificationConfigRequest>(&get);
    assert_eq!(
        v0_3::GetTaskPushNotificationConfigRequest::from(get).name,
        "tasks/t1/pushNotificationConfigs/p1"
    );
    let delete = DeleteTaskPushNotificationConfigRequest::new("t1", "p1");
    round_trips::<DeleteTaskPushNotificationConfigRequest, v0_3::DeleteTaskPushNotificationConfigRequest>(
        &delete,
    );
    let list = ListTaskPushNotificationConfigsRequest {
        page_size: 10,
        page_token: "next".to_owned(),
        ..ListTaskPushNotificationConfigsRequest::new("t1")
    };
    round_trips::<ListTaskPushNotificationConfigsRequest, v0_3::ListTaskPushNotificationConfigRequest>(&list);
    assert_eq!(
        v0_3::ListTaskPushNotificationConfigRequest::from(list).parent,
        "tasks/t1"
    );
    let page = ListTaskPushNotificationConfigsResponse {
        configs: vec![
            config.clone(),
            config
                .with_id("p2")
                .with_authentication(AuthenticationInfo::default()),
        ],
        next_page_token: "more".to_owned(),
    };
    round_trips::<ListTaskPushNotificationConfigsResponse, v0_3::ListTaskPushNotificationConfigResponse>(
        &page,
    );
}

#[test]
fn webhooks_lose_what_v03_cannot_say() {
    // Several schemes: the first is kept.
    let info = v0_3::AuthenticationInfo {
        schemes: vec!["Basic".to_owned(), "Bearer".to_owned()],
        credentials: "secret".to_owned(),
    };
    assert_eq!(
        AuthenticationInfo::try_from(info).unwrap(),
        AuthenticationInfo::new("Basic", "secret")
    );
    assert!(
        v0_3::AuthenticationInfo::from(AuthenticationInfo::default())
            .schemes
            .is_empty()
    );
    // The webhook alone has no task and no tenant.
    let tenanted = TaskPushNotificationConfig {
        tenant: "acme".to_owned(),
        ..webhook()
    };
    let alone = through::<TaskPushNotificationConfig, v0_3::PushNotificationConfig>(tenanted);
    assert_eq!((alone.task_id.as_str(), alone.tenant.as_str()), ("", ""));
    assert_eq!(alone.id, "p1");

    // An answer's name is read leniently: the config id from the name when
    // the webhook has none, the task id from whatever follows `tasks/`.
    let answer = v0_3::TaskPushNotificationConfig {
        name: "tasks/t9/pushNotificationConfigs/p9".to_owned(),
        push_notification_config: Some(v0_3::PushNotificationConfig {
            url: "https://hook.example".to_owned(),
            ..Default::default()
        }),
    };
    let read = TaskPushNotificationConfig::try_from(answer).unwrap();
    assert_eq!((read.task_id.as_str(), read.id.as_str()), ("t9", "p9"));
    let odd = v0_3::TaskPushNotificationConfig {
        name: "tasks/t9".to_owned(),
        push_notification_config: None,
    };
    let read = TaskPushNotificationConfig::try_from(odd).unwrap();
    assert_eq!((read.task_id.as_str(), read.id.as_str()), ("t9", ""));
}

#[test]
fn a_create_request_takes_its_id_from_config_id_or_the_webhook() {
    let request = |config_id: &str, webhook_id: &str| v0_3::CreateTaskPushNotificationConfigRequest {
        parent: "tasks/t1".to_owned(),
        config_id: config_id.to_owned(),
        config: Some(v0_3::TaskPushNotificationConfig {
            // What a v0.3 client without an id writes.
            name: "tasks/t1/pushNotificationConfigs/None".to_owned(),
            push_notification_config: Some(v0_3::PushNotificationConfig {
                id: webhook_id.to_owned(),
                url: "https://hook.example".to_owned(),
                ..Default::default()
            }),
        }),
    };
    let read = |proto| TaskPushNotificationConfig::try_from(proto).unwrap();
    assert_eq!(read(request("asked", "own")).id, "asked");
    assert_eq!(read(request("", "own")).id, "own");
    let unnamed = read(request("", ""));
    assert_eq!((unnamed.id.as_str(), unnamed.task_id.as_str()), ("", "t1"));
    assert_eq!(unnamed.url, "https://hook.example");
}

#[test]
fn malformed_resource_names_are_refused() {
    for name in [
        "",
        "t1",
        "task/t1",
        "tasks/",
        "tasks",
        "tasks/t1/",
        "tasks/t1/pushNotificationConfigs/p1",
    ] {
        let description = rejected::<GetTaskRequest, _>(
            v0_3::GetTaskRequest {
                name: name.to_owned(),
                history_length: 0,
            },
            "name",
        );
        assert!(description.contains("tasks/{id}"), "{description}");
        rejected::<CancelTaskRequest, _>(
            v0_3::CancelTaskRequest {
                name: name.to_owned(),
            },
            "name",
        );
        rejected::<SubscribeToTaskRequest, _>(
            v0_3::TaskSubscriptionRequest {
                name: name.to_owned(),
            },
            "name",
        );
        rejected::<ListTaskPushNotificationConfigsRequest, _>(
            v0_3::ListTaskPushNotificationConfigRequest {
                parent: name.to_owned(),
                ..Default::default()
            },
            "parent",
        );
        rejected::<TaskPushNotificationConfig, _>(
            v0_3::CreateTaskPushNotificationConfigRequest {
                parent: name.to_owned(),
                config_id: "p1".to_owned(),
                config: Some(v0_3::TaskPushNotificationConfig::from(webhook())),
            },
            "parent",
        );
    }
    for name in [
        "",
        "tasks/t1",
        "tasks/t1/pushNotificationConfigs",
        "tasks/t1/pushNotificationConfigs/",
        "tasks//pushNotificationConfigs/p1",
        "tasks/t1/pushConfigs/p1",
        "tasks/t1/pushNotificationConfigs/p1/more",
    ] {
        let description = rejected::<GetTaskPushNotificationConfigRequest, _>(
            v0_3::GetTaskPushNotificationConfigRequest {
                name: name.to_owned(),
            },
            "name",
        );
        assert!(
            description.contains("pushNotificationConfigs/{config_id}"),
            "{description}"
        );
        rejected::<DeleteTaskPushNotificationConfigRequest, _>(
            v0_3::DeleteTaskPushNotificationConfigRequest {
                name: name.to_owned(),
            },
            "name",
        );
    }
}

#[test]
fn what_json_cannot_hold_is_refused_naming_the_v03_path() {
    let with_kind = |kind| prost_types::Struct {
        fields: [("x".to_owned(), prost_types::Value { kind })].into(),
    };
    let data_part = |data| v0_3::Part {
        part: Some(part::Part::Data(v0_3::DataPart { data: Some(data) })),
        metadata: None,
    };
    let request = v0_3::SendMessageRequest {
        request: Some(v0_3::Message {
            content: vec![
                v0_3::Part::from(Part::text("ok")),
                data_part(with_kind(Some(Kind::NumberValue(f64::NAN)))),
            ],
            ..Default::default()
        }),
        ..Default::default()
    };
    rejected::<SendMessageRequest, _>(request, "message.content[1].data.data.x");

    let status = v0_3::TaskStatus {
        update: Some(v0_3::Message {
            metadata: Some(with_kind(None)),
            ..Default::default()
        }),
        ..Default::default()
    };
    let item = v0_3::StreamResponse {
        payload: Some(stream_response::Payload::StatusUpdate(
            v0_3::TaskStatusUpdateEvent {
                status: Some(status),
                ..Default::default()
            },
        )),
    };
    rejected::<StreamResponse, _>(item, "statusUpdate.status.message.metadata.x");

    let late = v0_3::Task {
        status: Some(v0_3::TaskStatus {
            timestamp: Some(prost_types::Timestamp {
                seconds: 0,
                nanos: -1,
            }),
            ..Default::default()
        }),
        ..Default::default()
    };
    rejected::<Task, _>(late, "status.timestamp");

    let card = v0_3::AgentCard {
        skills: vec![v0_3::AgentSkill::default()],
        capabilities: Some(v0_3::AgentCapabilities {
            extensions: vec![v0_3::AgentExtension {
                params: Some(with_kind(Some(Kind::NumberValue(f64::INFINITY)))),
                ..Default::default()
            }],
            ..Default::default()
        }),
        ..Default::default()
    };
    rejected::<AgentCard, _>(card, "capabilities.extensions[0].params.x");
}

// ---------------------------------------------------------------------------
// Agent cards
// ---------------------------------------------------------------------------

#[test]
fn cards_with_several_interfaces_and_every_scheme_round_trip() {
    let card = card();
    round_trips::<AgentCard, v0_3::AgentCard>(&card);

    let proto = v0_3::AgentCard::from(card);
    assert_eq!(proto.url, "https://agent.example/grpc");
    assert_eq!(proto.preferred_transport, "GRPC");
    assert_eq!(proto.protocol_version, "0.3.0");
    let listed: Vec<(&str, &str)> = proto
        .additional_interfaces
        .iter()
        .map(|interface| (interface.url.as_str(), interface.transport.as_str()))
        .collect();
    assert_eq!(
        listed,
        [
            ("https://agent.example/grpc", "GRPC"),
            ("https://agent.example/a2a", "JSONRPC"),
            ("https://agent.example/rest", "HTTP+JSON"),
        ]
    );
    assert!(proto.supports_authenticated_extended_card);
    assert_eq!(proto.security_schemes.len(), 8);
    assert_eq!(proto.security.len(), 2);
    assert_eq!(proto.skills[0].security.len(), 1);
}

#[test]
fn cards_lose_what_v03_cannot_say() {
    let mut card = card();
    // A 1.0 interface first: the v0.3 ones are chosen, the 1.0 one is lost,
    // as are the tenants.
    card.supported_interfaces.insert(
        0,
        AgentInterface::new("https://agent.example/v1", "JSONRPC").with_tenant("acme"),
    );
    card.supported_interfaces[2].tenant = "acme".to_owned();
    card.capabilities.streaming = Some(false);
    card.capabilities.extended_agent_card = Some(false);
    card.security_schemes.insert(
        "device".to_owned(),
        SecurityScheme::OAuth2(OAuth2SecurityScheme {
            description: String::new(),
            flows: OAuthFlows::DeviceCode(DeviceCodeOAuthFlow {
                device_authorization_url: "https://auth.example/device".to_owned(),
                token_url: "https://auth.example/token".to_owned(),
                refresh_url: String::new(),
                scopes: scopes(),
            }),
            oauth2_metadata_url: String::new(),
        }),
    );
    if let Some(SecurityScheme::OAuth2(scheme)) = card.security_schemes.get_mut("code") {
        if let OAuthFlows::AuthorizationCode(flow) = &mut scheme.flows {
            flow.pkce_required = true;
        }
    }
    let back = through::<AgentCard, v0_3::AgentCard>(card);

    let mut expected = self::card();
    expected.capabilities.streaming = None;
    expected.capabilities.extended_agent_card = None;
    expected.security_schemes.insert(
        "device".to_owned(),
        SecurityScheme::OAuth2(OAuth2SecurityScheme {
            description: String::new(),
            flows: OAuthFlows::Unrecognized,
            oauth2_metadata_url: String::new(),
        }),
    );
    assert_eq!(back, expected);

    // Only 1.0 interfaces: the first is the main one, with its version.
    let v1_only = AgentCard::builder()
        .name("New")
        .supported_interface(AgentInterface::new("https://new.example/a2a", "JSONRPC"))
        .supported_interface(AgentInterface::new("https://new.example/grpc", "GRPC"))
        .build();
    let proto = v0_3::AgentCard::from(v1_only.clone());
    assert_eq!(
        (proto.url.as_str(), proto.protocol_version.as_str()),
        (
            "https://new.example/a2a",
            v1_only.supported_interfaces[0].protocol_version.as_str()
        )
    );
    assert_eq!(proto.additional_interfaces.len(), 2);

    // No interface at all.
    let bare = v0_3::AgentCard::from(AgentCard::builder().name("Bare").build());
    assert_eq!(
        (
            bare.url.as_str(),
            bare.preferred_transport.as_str(),
            bare.protocol_version.as_str()
        ),
        ("", "", "")
    );
    assert!(bare.additional_interfaces.is_empty());
}

#[test]
fn a_v03_card_reads_as_interfaces_of_its_version() {
    let proto = v0_3::AgentCard {
        name: "Old".to_owned(),
        url: "https://old.example/a2a".to_owned(),
        additional_interfaces: vec![
            v0_3::AgentInterface {
                url: "https://old.example/a2a".to_owned(),
                transport: "JSONRPC".to_owned(),
            },
            v0_3::AgentInterface {
                url: "https://old.example/grpc".to_owned(),
                transport: "GRPC".to_owned(),
            },
        ],
        capabilities: None,
        ..Default::default()
    };
    let card = AgentCard::try_from(proto).unwrap();
    let interface =
        |url: &str, binding: &str| AgentInterface::new(url, binding).with_protocol_version("0.3.0");
    // No transport is JSON-RPC, no version 0.3.0, and the main one is not listed twice.
    assert_eq!(
        card.supported_interfaces,
        [
            interface("https://old.example/a2a", "JSONRPC"),
            interface("https://old.example/grpc", "GRPC")
        ]
    );
    assert_eq!(card.capabilities, AgentCapabilities::default());
    assert_eq!((card.documentation_url, card.icon_url), (None, None));
}

#[test]
fn schemes_and_flows_convert_member_for_member() {
    for (_, scheme) in every_scheme() {
        round_trips::<SecurityScheme, v0_3::SecurityScheme>(&scheme);
    }
    round_trips::<SecurityScheme, v0_3::SecurityScheme>(&SecurityScheme::Unrecognized);
    round_trips::<SecurityRequirement, v0_3::Security>(&requirement(&[("a", &["x", "y"]), ("b", &[])]));
    let device = OAuthFlows::DeviceCode(DeviceCodeOAuthFlow::default());
    assert_eq!(v0_3::OAuthFlows::from(device).flow, None);
}

// ---------------------------------------------------------------------------
// The official v0.3 SDK
// ---------------------------------------------------------------------------

/// Reads each message we encoded (base64 of its bytes, under its key in the
/// JSON on stdin) with the SDK's `a2a_pb2` and its own conversions, and
/// writes messages of its own; prints both as one JSON object.
const SDK_SCRIPT: &str = r#"
import base64, json, sys
from a2a import types as t
from a2a.grpc import a2a_pb2
from a2a.utils.proto_utils import FromProto, ToProto

def parse(cls, key):
    message = cls()
    message.ParseFromString(base64.b64decode(ours[key]))
    return message

def dump(model):
    return model.model_dump(mode='json', by_alias=True, exclude_none=True)

ours = json.load(sys.stdin)
read = {
    'task': dump(FromProto.task(parse(a2a_pb2.Task, 'task'))),
    'status_update': dump(FromProto.task_status_update_event(
        parse(a2a_pb2.TaskStatusUpdateEvent, 'status_update'))),
    'stream': dump(FromProto.stream_response(parse(a2a_pb2.StreamResponse, 'stream'))),
    'send': dump(FromProto.message_send_params(parse(a2a_pb2.SendMessageRequest, 'send'))),
    'get_task': dump(FromProto.task_query_params(parse(a2a_pb2.GetTaskRequest, 'get_task'))),
    'create_push': dump(FromProto.task_push_notification_config_request(
        parse(a2a_pb2.CreateTaskPushNotificationConfigRequest, 'create_push'))),
    'push': dump(FromProto.task_push_notification_config(
        parse(a2a_pb2.TaskPushNotificationConfig, 'push'))),
    'card': dump(FromProto.agent_card(parse(a2a_pb2.AgentCard, 'card'))),
    # The SDK's conversions leave a skill's security out: read from the proto.
    'skill_security': [{name: list(scopes.list) for name, scopes in requirement.schemes.items()}
                       for requirement in parse(a2a_pb2.AgentCard, 'card').skills[0].security],
}

hello = base64.b64encode(b'hello').decode()
parts = [
    t.Part(root=t.TextPart(text='Table for 4', metadata={'lang': 'en'})),
    t.Part(root=t.FilePart(file=t.FileWithBytes(bytes=hello, mime_type='text/plain', name='hello.txt'))),
    t.Part(root=t.FilePart(file=t.FileWithUri(uri='https://files.example/menu.pdf', mime_type='application/pdf'))),
    t.Part(root=t.DataPart(data={'guests': 4, 'tags': ['window']})),
]
message = t.Message(message_id='m9', context_id='c9', task_id='t9', role=t.Role.agent,
                    parts=parts, metadata={'trace': 'abc'}, extensions=['https://ext.example/v1'])
task = t.Task(id='t9', context_id='c9',
              status=t.TaskStatus(state=t.TaskState.canceled, message=message),
              history=[message],
              artifacts=[t.Artifact(artifact_id='a9', name='Booking', parts=parts[:1])],
              metadata={'priority': 1})
event = t.TaskStatusUpdateEvent(task_id='t9', context_id='c9',
                                status=t.TaskStatus(state=t.TaskState.input_required), final=True)
hook = t.PushNotificationConfig(id='p9', url='https://hook.example/9', token='tok',
                                authentication=t.PushNotificationAuthenticationInfo(
                                    schemes=['Basic', 'Bearer'], credentials='secret'))
params = t.MessageSendParams(
    message=message,
    configuration=t.MessageSendConfiguration(accepted_output_modes=['text/plain'], blocking=False,
                                             history_length=2, push_notification_config=hook),
    metadata={'source': 'sdk'})
push = t.TaskPushNotificationConfig(task_id='t9', push_notification_config=hook)
card = t.AgentCard(
    name='Sdk agent', description='Written by the SDK', version='1.0.0',
    url='https://sdk.example/grpc', preferred_transport='GRPC', protocol_version='0.3.0',
    additional_interfaces=[t.AgentInterface(url='https://sdk.example/grpc', transport='GRPC'),
                           t.AgentInterface(url='https://sdk.example/a2a', transport='JSONRPC')],
    capabilities=t.AgentCapabilities(streaming=True, push_notifications=False),
    default_input_modes=['text/plain'], default_output_modes=['application/json'],
    skills=[t.AgentSkill(id='book', name='Book', description='Books a table', tags=['booking'])],
    security_schemes={
        'bearer': t.SecurityScheme(root=t.HTTPAuthSecurityScheme(scheme='Bearer', bearer_format='JWT')),
        'oauth': t.SecurityScheme(root=t.OAuth2SecurityScheme(flows=t.OAuthFlows(
            client_credentials=t.ClientCredentialsOAuthFlow(
                token_url='https://auth.example/token', scopes={'read': 'Read tasks'})))),
    },
    security=[{'oauth': ['read']}],
    supports_authenticated_extended_card=True)
written = {
    'task': ToProto.task(task),
    'stream': ToProto.stream_response(event),
    'send': a2a_pb2.SendMessageRequest(
        request=ToProto.message(params.message),
        configuration=ToProto.message_send_configuration(params.configuration),
        metadata=ToProto.metadata(params.metadata)),
    'push': ToProto.task_push_notification_config(push),
    'create_push': a2a_pb2.CreateTaskPushNotificationConfigRequest(
        parent='tasks/t9', config_id='p9', config=ToProto.task_push_notification_config(push)),
    'get_push': a2a_pb2.GetTaskPushNotificationConfigRequest(name='tasks/t9/pushNotificationConfigs/p9'),
    'get_task': a2a_pb2.GetTaskRequest(name='tasks/t9', history_length=3),
    'card': ToProto.agent_card(card),
}
# The SDK's conversions leave a skill's security out: set on the proto.
written['card'].skills[0].security.append(a2a_pb2.Security(schemes={'bearer': a2a_pb2.StringList()}))
written = {key: base64.b64encode(value.SerializeToString()).decode() for key, value in written.items()}
print(json.dumps({'read': read, 'written': written}))
"#;

/// Runs [`SDK_SCRIPT`] with `ours` on stdin; returns what it printed.
fn run_sdk(python: &std::path::Path, ours: &Value) -> Value {
    let mut child = std::process::Command::new(python)
        .args(["-c", SDK_SCRIPT])
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("python starts");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(ours.to_string().as_bytes())
        .unwrap();
    let output = child.wait_with_output().expect("python runs");
    assert!(
        output.status.success(),
        "the SDK script failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("the SDK script prints JSON")
}

fn encoded<P: ProstMessage>(proto: P) -> Value {
    Value::String(BASE64.encode(proto.encode_to_vec()))
}

/// Decodes what the SDK wrote under `key` and converts it.
#[track_caller]
fn decoded<T, P>(written: &Value, key: &str) -> T
where
    T: TryFrom<P, Error = Error>,
    P: ProstMessage + Default,
{
    let bytes = BASE64.decode(written[key].as_str().unwrap()).unwrap();
    let proto = P::decode(bytes.as_slice()).unwrap_or_else(|err| panic!("{key} does not decode: {err}"));
    T::try_from(proto).unwrap_or_else(|err| panic!("{key} does not convert: {err}"))
}

#[test]
fn the_v03_sdk_reads_our_bytes_and_we_read_its_bytes() {
    let Some(python) = python::interpreter_v0_3() else {
        return;
    };

    let ours = json!({
        "task": encoded(v0_3::Task::from(task(TaskState::Canceled))),
        "status_update": encoded(v0_3::TaskStatusUpdateEvent::from(TaskStatusUpdateEvent::new(
            "t1", "c1", TaskStatus::new(TaskState::AuthRequired),
        ))),
        "stream": encoded(v0_3::StreamResponse::from(StreamResponse::ArtifactUpdate(
            TaskArtifactUpdateEvent::new("t1", "c1", Artifact::text("a1", "part one")).with_append(true),
        ))),
        "send": encoded(v0_3::SendMessageRequest::from(
            SendMessageRequest::new(message()).with_configuration(
                SendMessageConfiguration::default()
                    .with_history_length(4)
                    .with_push_notification_config(webhook()),
            ),
        )),
        "get_task": encoded(v0_3::GetTaskRequest::from(get_task("t1", Some(2)))),
        "create_push": encoded(v0_3::CreateTaskPushNotificationConfigRequest::from(webhook())),
        "push": encoded(v0_3::TaskPushNotificationConfig::from(webhook())),
        "card": encoded(v0_3::AgentCard::from(card())),
    });
    let answer = run_sdk(&python, &ours);
    let read = &answer["read"];

    // What the SDK read from our bytes, in its JSON-RPC shapes.
    let task = &read["task"];
    assert_eq!(task["id"], "t1");
    assert_eq!(task["status"]["state"], "canceled");
    assert_eq!(task["status"]["message"]["parts"][0]["text"], "How many guests?");
    // Python reads every number of a Struct as a float.
    assert_eq!(task["metadata"], json!({"priority": 1.0}));
    let parts = &task["history"][0]["parts"];
    assert_eq!(task["history"][0]["role"], "user");
    assert_eq!(
        task["history"][0]["extensions"],
        json!(["https://ext.example/v1"])
    );
    assert_eq!(
        parts[0],
        json!({"kind": "text", "text": "Book a table", "metadata": {"lang": "en"}})
    );
    assert_eq!(
        parts[1]["file"],
        json!({"bytes": "aGVsbG8=", "mimeType": "text/plain", "name": "hello.txt"})
    );
    assert_eq!(
        parts[2]["file"],
        json!({"uri": "https://files.example/menu.pdf", "mimeType": "application/pdf", "name": "menu.pdf"})
    );
    assert_eq!(
        parts[3]["data"],
        json!({"guests": 4.0, "time": "19:30", "tags": ["window", null], "vip": false, "score": 0.5})
    );
    assert_eq!(task["artifacts"][0]["name"], "Booking");
    assert_eq!(read["status_update"]["status"]["state"], "auth-required");
    assert_eq!(read["status_update"]["final"], true);
    assert_eq!(read["stream"]["kind"], "artifact-update");
    assert_eq!(read["stream"]["append"], true);
    assert_eq!(read["stream"]["artifact"]["parts"][0]["text"], "part one");
    let send = &read["send"];
    assert_eq!(send["message"]["messageId"], "m1");
    assert_eq!(send["configuration"]["blocking"], true);
    assert_eq!(send["configuration"]["historyLength"], 4);
    assert_eq!(
        send["configuration"]["pushNotificationConfig"]["url"],
        "https://hook.example/a2a"
    );
    assert_eq!(read["get_task"], json!({"id": "t1", "historyLength": 2}));
    for key in ["create_push", "push"] {
        assert_eq!(read[key]["taskId"], "t1", "{key}");
        let hook = &read[key]["pushNotificationConfig"];
        assert_eq!(hook["id"], "p1", "{key}");
        assert_eq!(hook["token"], "tok", "{key}");
        assert_eq!(
            hook["authentication"],
            json!({"schemes": ["Bearer"], "credentials": "secret"}),
            "{key}"
        );
    }
    let card = &read["card"];
    assert_eq!(card["url"], "https://agent.example/grpc");
    assert_eq!(card["preferredTransport"], "GRPC");
    assert_eq!(card["protocolVersion"], "0.3.0");
    assert_eq!(card["additionalInterfaces"].as_array().unwrap().len(), 3);
    assert_eq!(card["supportsAuthenticatedExtendedCard"], true);
    assert_eq!(card["capabilities"]["streaming"], true);
    assert_eq!(card["securitySchemes"]["bearer"]["type"], "http");
    assert_eq!(
        card["securitySchemes"]["code"]["flows"]["authorizationCode"]["scopes"]["read"],
        "Read tasks"
    );
    assert_eq!(card["securitySchemes"]["key"]["in"], "header");
    assert_eq!(card["securitySchemes"]["mtls"]["type"], "mutualTLS");
    assert_eq!(
        card["security"][1],
        json!({"code": ["read", "write"], "mtls": []})
    );
    assert_eq!(read["skill_security"], json!([{"client": ["write"]}]));
    assert_eq!(card["signatures"][0]["header"], json!({"kid": "key-1"}));

    // What we read from the SDK's bytes.
    let written = &answer["written"];
    let sdk_parts = vec![
        Part::text("Table for 4").with_metadata(object(json!({"lang": "en"}))),
        Part::raw(b"hello".to_vec())
            .with_media_type("text/plain")
            .with_filename("hello.txt"),
        Part::url("https://files.example/menu.pdf").with_media_type("application/pdf"),
        Part::data(json!({"guests": 4, "tags": ["window"]})),
    ];
    let sdk_message = Message {
        extensions: vec!["https://ext.example/v1".to_owned()],
        ..Message::new(Role::Agent, sdk_parts.clone())
            .with_message_id("m9")
            .with_context_id("c9")
            .with_task_id("t9")
            .with_metadata(object(json!({"trace": "abc"})))
    };
    let task: Task = decoded::<_, v0_3::Task>(written, "task");
    assert_eq!(task.status.state, TaskState::Canceled);
    assert_eq!(task.status.message.as_ref(), Some(&sdk_message));
    assert_eq!(task.history, std::slice::from_ref(&sdk_message));
    assert_eq!(
        task.artifacts,
        [Artifact::new("a9", sdk_parts[..1].to_vec()).with_name("Booking")]
    );
    assert_eq!(task.metadata, Some(object(json!({"priority": 1}))));

    let stream: StreamResponse = decoded::<_, v0_3::StreamResponse>(written, "stream");
    let StreamResponse::StatusUpdate(event) = stream else {
        panic!("a status update: {stream:?}");
    };
    assert_eq!(
        (event.task_id.as_str(), event.status.state),
        ("t9", TaskState::InputRequired)
    );

    let send: SendMessageRequest = decoded::<_, v0_3::SendMessageRequest>(written, "send");
    assert_eq!(send.message, sdk_message);
    assert_eq!(send.metadata, Some(object(json!({"source": "sdk"}))));
    let configuration = send.configuration.unwrap();
    assert!(configuration.return_immediately);
    assert_eq!(configuration.history_length, Some(2));
    assert_eq!(configuration.accepted_output_modes, ["text/plain"]);
    let sdk_hook = TaskPushNotificationConfig::new("https://hook.example/9")
        .with_id("p9")
        .with_token("tok")
        .with_authentication(AuthenticationInfo::new("Basic", "secret"));
    assert_eq!(
        configuration.task_push_notification_config,
        Some(sdk_hook.clone())
    );

    let named_hook = sdk_hook.with_task_id("t9");
    let push: TaskPushNotificationConfig = decoded::<_, v0_3::TaskPushNotificationConfig>(written, "push");
    assert_eq!(push, named_hook);
    let create: TaskPushNotificationConfig =
        decoded::<_, v0_3::CreateTaskPushNotificationConfigRequest>(written, "create_push");
    assert_eq!(create, named_hook);
    let get_push: GetTaskPushNotificationConfigRequest =
        decoded::<_, v0_3::GetTaskPushNotificationConfigRequest>(written, "get_push");
    assert_eq!(get_push, GetTaskPushNotificationConfigRequest::new("t9", "p9"));
    let get_task: GetTaskRequest = decoded::<_, v0_3::GetTaskRequest>(written, "get_task");
    assert_eq!(get_task, self::get_task("t9", Some(3)));

    let card: AgentCard = decoded::<_, v0_3::AgentCard>(written, "card");
    let interface =
        |url: &str, binding: &str| AgentInterface::new(url, binding).with_protocol_version("0.3.0");
    assert_eq!(
        card.supported_interfaces,
        [
            interface("https://sdk.example/grpc", "GRPC"),
            interface("https://sdk.example/a2a", "JSONRPC")
        ]
    );
    assert_eq!(card.capabilities.streaming, Some(true));
    assert_eq!(card.capabilities.push_notifications, None);
    assert_eq!(card.capabilities.extended_agent_card, Some(true));
    assert_eq!(card.security_requirements, [requirement(&[("oauth", &["read"])])]);
    assert_eq!(
        card.skills[0].security_requirements,
        [requirement(&[("bearer", &[])])]
    );
    assert_eq!(
        card.security_schemes["bearer"],
        SecurityScheme::HttpAuth(HTTPAuthSecurityScheme {
            description: String::new(),
            scheme: "Bearer".to_owned(),
            bearer_format: "JWT".to_owned(),
        })
    );
    let SecurityScheme::OAuth2(oauth) = &card.security_schemes["oauth"] else {
        panic!("an OAuth scheme: {:?}", card.security_schemes["oauth"]);
    };
    assert_eq!(
        oauth.flows,
        OAuthFlows::ClientCredentials(ClientCredentialsOAuthFlow {
            token_url: "https://auth.example/token".to_owned(),
            refresh_url: String::new(),
            scopes: [("read".to_owned(), "Read tasks".to_owned())].into(),
        })
    );
}
