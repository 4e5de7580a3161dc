//! The v0.3 HTTP+JSON (REST) bodies: the official v0.3 Python SDK's
//! ProtoJSON read and written back unchanged, conversions with 1.0 in both
//! orders, lenient reading, resource names, and the SDK reading what we write.
//!
//! The samples under `tests/fixtures/v0_3/rest/` were written by a2a-sdk
//! 0.3.x (`tests/python/v0_3_rest.py fixtures`). When that SDK is installed
//! (`A2A_PYTHON_V03`, or the venv `.ci/python-env-v0_3` makes), one test also
//! has it parse what we write.

#[path = "support/python.rs"]
#[allow(dead_code)]
mod python;
#[path = "support/strategies.rs"]
mod strategies;

use std::path::Path;

use a2akit::types;
use a2akit::v0_3::rest;
use proptest::prelude::*;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use strategies::Numbers::AnyJson;

fn fixture(name: &str) -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("tests/fixtures/v0_3/rest/{name}.json"));
    serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap()
}

fn read<T: DeserializeOwned>(value: &Value) -> T {
    serde_json::from_value(value.clone()).unwrap()
}

fn write<T: Serialize>(value: &T) -> Value {
    serde_json::to_value(value).unwrap()
}

/// Reads a sample as `T`, writes it back, and checks the JSON is the SDK's.
fn assert_unchanged<T: Serialize + DeserializeOwned>(name: &str) -> T {
    let sample = fixture(name);
    let value: T = read(&sample);
    assert_eq!(write(&value), sample, "{name}");
    value
}

/// The three parts every sample message and artifact holds after its text:
/// inline bytes, a URI with no metadata, and data.
fn assert_sample_parts(parts: &[types::Part]) {
    assert_eq!(parts[0].as_text(), Some("What is in these files?"));
    assert_eq!(parts[0].metadata.as_ref().unwrap()["lang"], "en");
    // The SDK put the base64 text of "hello world" in the bytes field.
    assert_eq!(parts[1].content, types::PartContent::Raw(b"hello world".to_vec()));
    assert_eq!(
        (parts[1].filename.as_str(), parts[1].media_type.as_str()),
        ("hello.txt", "text/plain")
    );
    assert_eq!(
        parts[2].content,
        types::PartContent::Url("https://files.example.com/report.pdf".into())
    );
    assert_eq!(
        parts[3].content,
        types::PartContent::Data(json!({"rows": [1.0, 2.5, null, "x"], "nested": {"ok": true}}))
    );
}

// ---------------------------------------------------------------------------
// The SDK's bodies
// ---------------------------------------------------------------------------

#[test]
fn sdk_bodies_read_and_write_back_unchanged() {
    let task: rest::Task = assert_unchanged("task");
    assert_eq!(task.status.state, rest::TaskState::InputRequired);
    assert_eq!(task.history[0].role, rest::Role::User);
    let part = &task.history[0].content[1];
    let rest::PartContent::File(file) = &part.content else {
        panic!("{part:?}")
    };
    assert_eq!(
        file.file,
        Some(rest::FileSource::Bytes(b"aGVsbG8gd29ybGQ=".to_vec()))
    );

    assert_unchanged::<rest::Message>("message");
    let update: rest::TaskStatusUpdateEvent = assert_unchanged("status_update");
    assert!(update.is_final);
    assert_eq!(update.status.state, rest::TaskState::Cancelled);
    assert_eq!(
        update.status.timestamp.unwrap().to_rfc3339(),
        "2025-07-01T10:20:31.250+00:00"
    );
    let chunk: rest::TaskArtifactUpdateEvent = assert_unchanged("artifact_update");
    assert!(chunk.append && chunk.last_chunk);

    assert_unchanged::<rest::SendMessageRequest>("send_message_request");
    assert!(matches!(
        assert_unchanged("send_message_response_task"),
        rest::SendMessageResponse::Task(_)
    ));
    assert!(matches!(
        assert_unchanged("send_message_response_message"),
        rest::SendMessageResponse::Message(_)
    ));
    assert!(matches!(
        assert_unchanged("stream_task"),
        rest::StreamResponse::Task(_)
    ));
    assert!(matches!(
        assert_unchanged("stream_message"),
        rest::StreamResponse::Message(_)
    ));
    assert!(matches!(
        assert_unchanged("stream_status_update"),
        rest::StreamResponse::StatusUpdate(_)
    ));
    assert!(matches!(
        assert_unchanged("stream_artifact_update"),
        rest::StreamResponse::ArtifactUpdate(_)
    ));

    let config: rest::TaskPushNotificationConfig = assert_unchanged("task_push_notification_config");
    assert_eq!(config.ids(), Ok(("task-1", "cfg-1")));
    assert_unchanged::<rest::CreateTaskPushNotificationConfigRequest>("create_push_config_request");
    let page: rest::ListTaskPushNotificationConfigResponse = assert_unchanged("list_push_config_response");
    assert_eq!((page.configs.len(), page.next_page_token.as_str()), (2, "page-2"));
    let cancel: rest::CancelTaskRequest = assert_unchanged("cancel_task_request");
    assert_eq!(cancel.task_id(), Ok("task-1"));

    let card: rest::AgentCard = assert_unchanged("agent_card");
    assert_eq!(card.security_schemes.len(), 6);
    assert!(matches!(
        card.security_schemes["oauth"],
        rest::SecurityScheme::OAuth2(_)
    ));
    assert_unchanged::<rest::AgentCard>("minimal_agent_card");
}

#[test]
fn sdk_bodies_mean_in_1_0_what_the_sdk_meant() {
    let task = types::Task::from(read::<rest::Task>(&fixture("task")));
    assert_eq!(task.status.state, types::TaskState::InputRequired);
    assert_eq!(task.status.message.as_ref().unwrap().text(), "Which city?");
    assert_eq!(task.history[0].role, types::Role::User);
    assert_sample_parts(&task.history[0].parts);
    assert_sample_parts(&task.artifacts[0].parts);
    assert_eq!(task.artifacts[0].metadata.as_ref().unwrap()["pages"], 3.0);

    let update =
        types::TaskStatusUpdateEvent::from(read::<rest::TaskStatusUpdateEvent>(&fixture("status_update")));
    assert_eq!(update.status.state, types::TaskState::Canceled);
    let chunk = types::TaskArtifactUpdateEvent::from(read::<rest::TaskArtifactUpdateEvent>(&fixture(
        "artifact_update",
    )));
    assert!(chunk.append && chunk.last_chunk);

    let send =
        types::SendMessageRequest::from(read::<rest::SendMessageRequest>(&fixture("send_message_request")));
    assert_sample_parts(&send.message.parts);
    let configuration = send.configuration.unwrap();
    assert!(!configuration.return_immediately);
    assert_eq!(configuration.history_length, Some(5));
    assert_eq!(configuration.accepted_output_modes, ["text/plain"]);
    let webhook = configuration.task_push_notification_config.unwrap();
    assert_eq!((webhook.id.as_str(), webhook.token.as_str()), ("cfg-1", "opaque"));
    assert_eq!(
        webhook.authentication.unwrap(),
        types::AuthenticationInfo::new("Bearer", "s3cret")
    );

    let reply = types::SendMessageResponse::from(read::<rest::SendMessageResponse>(&fixture(
        "send_message_response_message",
    )));
    assert!(matches!(reply, types::SendMessageResponse::Message(m) if m.text() == "Done"));
    let event = types::StreamResponse::from(read::<rest::StreamResponse>(&fixture("stream_status_update")));
    assert_eq!(event.task_id(), Some("task-1"));

    let expected = types::TaskPushNotificationConfig::new("https://client.example.com/hook")
        .with_task_id("task-1")
        .with_id("cfg-1")
        .with_token("opaque")
        .with_authentication(types::AuthenticationInfo::new("Bearer", "s3cret"));
    let config = read::<rest::TaskPushNotificationConfig>(&fixture("task_push_notification_config"));
    assert_eq!(types::TaskPushNotificationConfig::from(config), expected);
    let create =
        read::<rest::CreateTaskPushNotificationConfigRequest>(&fixture("create_push_config_request"));
    assert_eq!(types::TaskPushNotificationConfig::from(create), expected);
    let page = types::ListTaskPushNotificationConfigsResponse::from(read::<
        rest::ListTaskPushNotificationConfigResponse,
    >(&fixture(
        "list_push_config_response",
    )));
    assert_eq!(page.configs[0], expected);
    assert_eq!(
        (page.configs[1].task_id.as_str(), page.configs[1].id.as_str()),
        ("task-1", "cfg-2")
    );
    assert_eq!(page.next_page_token, "page-2");
    let cancel =
        types::CancelTaskRequest::from(read::<rest::CancelTaskRequest>(&fixture("cancel_task_request")));
    assert_eq!(cancel, types::CancelTaskRequest::new("task-1"));

    let card = types::AgentCard::from(read::<rest::AgentCard>(&fixture("agent_card")));
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
            ("https://travel.example.com/a2a/rest", "HTTP+JSON", "0.3.0"),
            ("https://travel.example.com/a2a/jsonrpc", "JSONRPC", "0.3.0"),
        ]
    );
    assert!(card.capabilities.supports_streaming() && card.capabilities.supports_extended_agent_card());
    assert!(matches!(
        &card.security_schemes["oauth"],
        types::SecurityScheme::OAuth2(s) if matches!(&s.flows, types::OAuthFlows::AuthorizationCode(f) if f.scopes["trips:read"] == "Read trips")
    ));
    assert!(matches!(
        &card.security_schemes["apiKey"],
        types::SecurityScheme::ApiKey(key) if key.location == "header" && key.name == "X-API-Key"
    ));
    assert_eq!(
        card.security_requirements[0],
        types::SecurityRequirement::new().with_scheme("oauth", ["trips:read"])
    );
    assert_eq!(
        card.documentation_url.as_deref(),
        Some("https://travel.example.com/docs")
    );
    assert_eq!(card.icon_url, None);

    let minimal = types::AgentCard::from(read::<rest::AgentCard>(&fixture("minimal_agent_card")));
    assert_eq!(minimal.supported_interfaces.len(), 1);
    assert_eq!(minimal.capabilities, types::AgentCapabilities::default());
}

// ---------------------------------------------------------------------------
// Conversions from 1.0 and back
// ---------------------------------------------------------------------------

/// A 1.0 value to v0.3 REST, through its JSON, and back to 1.0.
fn through_rest<V1, Rest>(value: V1) -> V1
where
    Rest: From<V1> + Serialize + DeserializeOwned,
    V1: From<Rest>,
{
    let json = serde_json::to_string(&Rest::from(value)).unwrap();
    V1::from(serde_json::from_str::<Rest>(&json).unwrap())
}

#[test]
fn every_state_converts_both_ways() {
    for &state in types::TaskState::ALL {
        let rest_state = rest::TaskState::from(state);
        assert!(rest_state.is_known(), "{state:?}");
        assert_eq!(rest_state.number(), state.number());
        assert_eq!(types::TaskState::from(rest_state), state);
        let status = types::TaskStatus::new(state);
        assert_eq!(through_rest::<_, rest::TaskStatus>(status.clone()), status);
    }
    assert_eq!(rest::TaskState::ALL.len(), types::TaskState::ALL.len());
    assert_eq!(
        rest::TaskState::from(types::TaskState::Canceled).as_str(),
        "TASK_STATE_CANCELLED"
    );
    for odd in [
        types::TaskState::Unspecified,
        types::TaskState::Unrecognized(Some(42)),
    ] {
        assert_eq!(
            through_rest::<_, rest::TaskStatus>(types::TaskStatus::new(odd)).state,
            odd
        );
    }
}

#[test]
fn every_part_kind_survives_with_what_v0_3_can_hold() {
    let binary = vec![0u8, 159, 255, 1, b'=', b'/'];
    let parts = [
        types::Part::text("hello").with_metadata(json!({"k": "v"}).as_object().unwrap().clone()),
        types::Part::raw(binary.clone())
            .with_filename("blob.bin")
            .with_media_type("application/octet-stream"),
        types::Part::raw(Vec::new()),
        types::Part::url("https://x.example/f.pdf")
            .with_filename("f.pdf")
            .with_media_type("application/pdf"),
        types::Part::data(json!({"a": [1, {"b": null}]})),
    ];
    for part in parts {
        assert_eq!(through_rest::<_, rest::Part>(part.clone()), part);
    }
    // The file goes out as the base64 text of its bytes, as the SDKs send it.
    let out = write(&rest::Part::from(types::Part::raw(binary.clone())));
    assert_eq!(out, json!({"file": {"fileWithBytes": "QUovL0FUMHY="}}));
    assert_eq!(
        rest::FileSource::Bytes(b"AJ//AT0v".to_vec()).inline_content(),
        Some(binary.clone())
    );
    // A peer that sends the file itself (not base64 text) is read as sent.
    let raw: rest::Part = read(&json!({"file": {"fileWithBytes": "AJ//AQ=="}}));
    assert_eq!(
        types::Part::from(raw).content,
        types::PartContent::Raw(vec![0, 159, 255, 1])
    );
    // What v0.3 cannot hold.
    let text = types::Part::text("t")
        .with_filename("t.txt")
        .with_media_type("text/plain");
    assert_eq!(through_rest::<_, rest::Part>(text), types::Part::text("t"));
    assert_eq!(
        through_rest::<_, rest::Part>(types::Part::data(json!([1, 2]))),
        types::Part::data(json!({"value": [1, 2]}))
    );
    let unknown = types::Part::new(types::PartContent::Unrecognized)
        .with_metadata(json!({"m": 1}).as_object().unwrap().clone());
    assert_eq!(through_rest::<_, rest::Part>(unknown.clone()), unknown);
}

#[test]
fn tasks_messages_and_artifact_chunks_survive() {
    let message = types::Message::user("hi")
        .with_part(types::Part::url("https://x.example/a"))
        .with_context_id("c1")
        .with_task_id("t1");
    let mut with_references = message.clone();
    with_references.reference_task_ids = vec!["t0".into()];
    assert_eq!(through_rest::<_, rest::Message>(with_references), message);
    assert_eq!(
        write(&rest::Message::from(message.clone()))["content"][0]["text"],
        "hi"
    );

    let task = types::Task::new(
        "t1",
        "c1",
        types::TaskStatus::new(types::TaskState::InputRequired)
            .with_message(types::Message::agent("Which city?")),
    )
    .with_history([message])
    .with_artifacts([types::Artifact::text("a1", "answer")
        .with_name("Answer")
        .with_description("The answer")]);
    assert_eq!(through_rest::<_, rest::Task>(task.clone()), task);
    assert_eq!(
        write(&rest::Task::from(task))["status"]["message"]["content"][0]["text"],
        "Which city?"
    );

    for (append, last_chunk) in [(false, false), (true, false), (false, true), (true, true)] {
        let chunk = types::TaskArtifactUpdateEvent::new("t1", "c1", types::Artifact::text("a1", "part"))
            .with_append(append)
            .with_last_chunk(last_chunk);
        assert_eq!(
            through_rest::<_, rest::TaskArtifactUpdateEvent>(chunk.clone()),
            chunk
        );
        let json = write(&rest::TaskArtifactUpdateEvent::from(chunk));
        assert_eq!(json.get("append").is_some(), append);
        assert_eq!(json.get("lastChunk").is_some(), last_chunk);
    }

    for state in [
        types::TaskState::Working,
        types::TaskState::AuthRequired,
        types::TaskState::Failed,
    ] {
        let event = types::TaskStatusUpdateEvent::new("t1", "c1", types::TaskStatus::new(state));
        let ours = rest::TaskStatusUpdateEvent::from(event.clone());
        assert_eq!(ours.is_final, state != types::TaskState::Working);
        assert_eq!(
            through_rest::<_, rest::TaskStatusUpdateEvent>(event.clone()),
            event
        );
        let item = types::StreamResponse::StatusUpdate(event);
        assert_eq!(through_rest::<_, rest::StreamResponse>(item.clone()), item);
    }
}

#[test]
fn push_configs_carry_their_ids_in_the_name() {
    let config = types::TaskPushNotificationConfig::new("https://hook.example")
        .with_task_id("t1")
        .with_id("p1")
        .with_token("tok")
        .with_authentication(types::AuthenticationInfo::new("Bearer", "secret"));
    let ours = rest::TaskPushNotificationConfig::from(config.clone());
    assert_eq!(
        write(&ours),
        json!({"name": "tasks/t1/pushNotificationConfigs/p1",
               "pushNotificationConfig": {"id": "p1", "url": "https://hook.example", "token": "tok",
                   "authentication": {"schemes": ["Bearer"], "credentials": "secret"}}})
    );
    assert_eq!(
        through_rest::<_, rest::TaskPushNotificationConfig>(config.clone()),
        config
    );
    let with_tenant = types::TaskPushNotificationConfig {
        tenant: "acme".into(),
        ..config.clone()
    };
    assert_eq!(
        through_rest::<_, rest::TaskPushNotificationConfig>(with_tenant),
        config
    );

    // The create body names the task three times; the parent wins.
    let create = rest::CreateTaskPushNotificationConfigRequest::from(config.clone());
    assert_eq!(
        (create.parent.as_str(), create.config_id.as_str()),
        ("tasks/t1", "p1")
    );
    assert_eq!(
        through_rest::<_, rest::CreateTaskPushNotificationConfigRequest>(config.clone()),
        config
    );
    let body: rest::CreateTaskPushNotificationConfigRequest = read(&json!({
        "parent": "tasks/t2", "configId": "",
        "config": {"name": "tasks/t1/pushNotificationConfigs/p9", "pushNotificationConfig": {"url": "https://h"}}
    }));
    let v1 = types::TaskPushNotificationConfig::from(body);
    assert_eq!((v1.task_id.as_str(), v1.id.as_str()), ("t2", "p9"));

    // A webhook in a message's configuration has no task.
    let webhook = rest::PushNotificationConfig::from(config.clone());
    assert_eq!(
        types::TaskPushNotificationConfig::from(webhook),
        types::TaskPushNotificationConfig {
            task_id: String::new(),
            ..config.clone()
        }
    );

    // Several schemes: 1.0 keeps the first.
    let info: rest::AuthenticationInfo = read(&json!({"schemes": ["Basic", "Bearer"], "credentials": "x"}));
    assert_eq!(
        types::AuthenticationInfo::from(info),
        types::AuthenticationInfo::new("Basic", "x")
    );

    let page = types::ListTaskPushNotificationConfigsResponse {
        configs: vec![config.clone(), config.with_id("p2")],
        next_page_token: "next".into(),
    };
    assert_eq!(
        through_rest::<_, rest::ListTaskPushNotificationConfigResponse>(page.clone()),
        page
    );
}

#[test]
fn send_requests_keep_blocking_and_drop_what_v0_3_lacks() {
    let webhook = types::TaskPushNotificationConfig::new("https://hook.example")
        .with_id("p1")
        .with_authentication(types::AuthenticationInfo::new("Bearer", "x"));
    let request = types::SendMessageRequest::new(types::Message::user("hi"))
        .with_tenant("acme")
        .with_configuration(
            types::SendMessageConfiguration::default()
                .with_accepted_output_modes(["text/plain"])
                .with_history_length(3)
                .with_push_notification_config(webhook.clone().with_task_id("t1")),
        );
    let ours = rest::SendMessageRequest::from(request.clone());
    let json = write(&ours);
    assert_eq!(json["configuration"]["blocking"], true);
    assert_eq!(json["configuration"]["historyLength"], 3);
    assert_eq!(json["configuration"]["pushNotification"]["id"], "p1");
    assert_eq!(json["message"]["content"][0]["text"], "hi");
    let back = through_rest::<_, rest::SendMessageRequest>(request.clone());
    let expected = types::SendMessageRequest {
        tenant: String::new(),
        ..request.with_configuration(
            types::SendMessageConfiguration::default()
                .with_accepted_output_modes(["text/plain"])
                .with_history_length(3)
                .with_push_notification_config(webhook),
        )
    };
    assert_eq!(back, expected);

    // No configuration in 1.0 means "block": v0.3 is told so.
    let bare = types::SendMessageRequest::new(types::Message::user("hi"));
    assert_eq!(
        write(&rest::SendMessageRequest::from(bare))["configuration"],
        json!({"blocking": true})
    );
    // An immediate answer, and "no history", which v0.3 cannot say.
    let immediate = types::SendMessageConfiguration::default()
        .with_return_immediately(true)
        .with_history_length(0);
    assert_eq!(
        write(&rest::SendMessageConfiguration::from(immediate.clone())),
        json!({})
    );
    let back = types::SendMessageConfiguration::from(rest::SendMessageConfiguration::from(immediate));
    assert_eq!(
        back,
        types::SendMessageConfiguration::default().with_return_immediately(true)
    );
    // A v0.3 configuration that does not say `blocking` asks for an immediate answer.
    let configuration: rest::SendMessageConfiguration = read(&json!({"historyLength": 2}));
    assert!(types::SendMessageConfiguration::from(configuration).return_immediately);
    // And a request without one stays without one.
    let request: rest::SendMessageRequest = read(&json!({"message": {"messageId": "m"}}));
    assert_eq!(types::SendMessageRequest::from(request).configuration, None);
}

#[test]
fn cards_map_their_endpoints_and_capabilities() {
    let v1 = types::AgentCard::builder()
        .name("Ours")
        .supported_interface(types::AgentInterface::new("https://o.example/a2a", "JSONRPC"))
        .supported_interface(
            types::AgentInterface::new("https://o.example/v03/rest", "HTTP+JSON")
                .with_protocol_version("0.3"),
        )
        .supported_interface(
            types::AgentInterface::new("https://o.example/v03/rpc", "JSONRPC").with_protocol_version("0.3"),
        )
        .streaming(true)
        .push_notifications(false)
        .extended_agent_card(true)
        .security_scheme(
            "device",
            types::SecurityScheme::OAuth2(types::OAuth2SecurityScheme {
                flows: types::OAuthFlows::DeviceCode(Default::default()),
                ..Default::default()
            }),
        )
        .skill(types::AgentSkill::new("s", "Skill", "Does").with_tags(["t"]))
        .build();
    let card = rest::AgentCard::from(v1.clone());
    let json = write(&card);
    assert_eq!(json["url"], "https://o.example/v03/rest");
    assert_eq!(json["preferredTransport"], "HTTP+JSON");
    assert_eq!(json["protocolVersion"], "0.3");
    assert_eq!(json["additionalInterfaces"].as_array().unwrap().len(), 2);
    assert_eq!(json["capabilities"], json!({"streaming": true}));
    assert_eq!(json["supportsAuthenticatedExtendedCard"], true);
    assert_eq!(
        json["securitySchemes"]["device"],
        json!({"oauth2SecurityScheme": {"flows": {}}})
    );

    let back = types::AgentCard::from(card);
    let urls: Vec<_> = back.supported_interfaces.iter().map(|i| i.url.as_str()).collect();
    assert_eq!(urls, ["https://o.example/v03/rest", "https://o.example/v03/rpc"]);
    assert_eq!(back.capabilities.push_notifications, None);
    assert_eq!(back.capabilities.extended_agent_card, Some(true));
    assert_eq!(back.skills, v1.skills);

    // A card with no endpoint at all gets none back.
    let bare = types::AgentCard::builder().name("Bare").build();
    assert!(
        through_rest::<_, rest::AgentCard>(bare)
            .supported_interfaces
            .is_empty()
    );
}

// ---------------------------------------------------------------------------
// Lenient reading and resource names
// ---------------------------------------------------------------------------

#[test]
fn input_reads_as_the_protobuf_parser_reads_it() {
    // Proto field names, numbers for enums, null members, unknown members.
    let task: rest::Task = read(&json!({
        "id": "t1", "context_id": "c1", "unknown": {"x": 1},
        "status": {"state": 5, "update": {"message_id": "m1", "task_id": "t1", "role": 2,
            "content": [{"text": "bye", "metadata": null}]}, "timestamp": null},
        "history": null, "artifacts": [{"artifact_id": "a1", "parts": [
            {"file": {"file_with_uri": "https://x.example", "mime_type": "text/html"}},
            {"file": {"file_with_bytes": "aGkh"}},
            {"data": {"data": {"k": 1}}, "metadata": {"m": true}}
        ], "name": null}],
        "metadata": null
    }));
    assert_eq!((task.id.as_str(), task.context_id.as_str()), ("t1", "c1"));
    assert_eq!(task.status.state, rest::TaskState::Cancelled);
    let message = task.status.message.as_ref().unwrap();
    assert_eq!(
        (message.message_id.as_str(), message.role),
        ("m1", rest::Role::Agent)
    );
    let v1 = types::Task::from(task);
    let parts = &v1.artifacts[0].parts;
    assert_eq!(parts[0].media_type, "text/html");
    // "hi!" is no base64 text: the file itself, as the proto would have it.
    assert_eq!(parts[1].content, types::PartContent::Raw(b"hi!".to_vec()));
    assert_eq!(parts[2].metadata.as_ref().unwrap()["m"], true);

    // Enum values this version does not know are kept, not refused.
    let named: rest::TaskStatus = read(&json!({"state": "TASK_STATE_PAUSED"}));
    assert_eq!(named.state, rest::TaskState::Unrecognized(None));
    assert_eq!(write(&named), json!({}));
    let numbered: rest::TaskStatus = read(&json!({"state": 42}));
    assert_eq!(numbered.state, rest::TaskState::Unrecognized(Some(42)));
    assert_eq!(write(&numbered), json!({"state": 42}));
    assert_eq!(
        types::TaskState::from(numbered.state),
        types::TaskState::Unrecognized(Some(42))
    );
    let canceled_as_in_1_0: rest::TaskStatus = read(&json!({"state": "TASK_STATE_CANCELED"}));
    assert!(!canceled_as_in_1_0.state.is_known());

    // Requests and oneofs by proto name; the bytes of files in either alphabet.
    let body: rest::SendMessageRequest = read(&json!({
        "request": {"messageId": "m", "content": [{"file": {"fileWithBytes": "-_-_"}}]},
        "configuration": {"accepted_output_modes": ["a"], "push_notification": {"url": "u"},
                          "history_length": "4", "blocking": null}
    }));
    assert_eq!(body.message.message_id, "m");
    let rest::PartContent::File(file) = &body.message.content[0].content else {
        panic!()
    };
    assert_eq!(file.file, Some(rest::FileSource::Bytes(vec![0xfb, 0xff, 0xbf])));
    let configuration = body.configuration.unwrap();
    assert_eq!((configuration.history_length, configuration.blocking), (4, false));
    assert_eq!(configuration.push_notification.unwrap().url, "u");
    for (json, kind) in [
        (json!({"msg": {"messageId": "m"}}), "message"),
        (json!({"status_update": {"taskId": "t"}}), "statusUpdate"),
        (json!({"artifact_update": {"taskId": "t"}}), "artifactUpdate"),
        (json!({"task": null, "futureMember": {}}), ""),
    ] {
        let event: rest::StreamResponse = read(&json);
        assert_eq!(event.json_key().unwrap_or_default(), kind, "{json}");
    }
    let push: rest::TaskPushNotificationConfig =
        read(&json!({"name": "tasks/t/pushNotificationConfigs/p", "push_notification_config": {"url": "u"}}));
    assert_eq!(push.push_notification_config.url, "u");
    let card: rest::AgentCard = read(&json!({
        "protocol_version": "0.3.0", "preferred_transport": "GRPC", "supports_authenticated_extended_card": true,
        "security_schemes": {"k": {"api_key_security_scheme": {"location": "query", "name": "key"}},
                             "o": {"oauth2_security_scheme": {"flows": {"client_credentials": {"token_url": "t"}}}}},
        "capabilities": {"push_notifications": true}
    }));
    assert!(card.supports_authenticated_extended_card && card.capabilities.push_notifications);
    assert_eq!(card.preferred_transport, "GRPC");
    assert!(matches!(
        &card.security_schemes["o"],
        rest::SecurityScheme::OAuth2(s) if matches!(&s.flows, rest::OAuthFlows::ClientCredentials(f) if f.token_url == "t")
    ));

    // A bare array of configs reads as a page.
    let page: rest::ListTaskPushNotificationConfigResponse =
        read(&json!([{"name": "tasks/t/pushNotificationConfigs/p", "pushNotificationConfig": {"url": "u"}}]));
    assert_eq!(page.configs[0].ids(), Ok(("t", "p")));
}

#[test]
fn malformed_input_is_refused_with_what_is_wrong() {
    // From text, so that the members come in the order written.
    let part = |text: &str| serde_json::from_str::<rest::Part>(text).unwrap_err().to_string();
    assert!(part(r#"{"text": "a", "data": {"data": {}}}"#).contains("a part has both `text` and `data`"));
    assert!(
        part(r#"{"file": {"fileWithUri": "u", "fileWithBytes": "aGk="}}"#)
            .contains("a file part has both `fileWithUri` and `fileWithBytes`")
    );
    assert!(part(r#"{"file": {"fileWithBytes": "a"}}"#).contains("invalid base64"));
    let event = serde_json::from_str::<rest::StreamResponse>(r#"{"task": {}, "msg": {}}"#).unwrap_err();
    assert!(
        event.to_string().contains("has both `task` and `message`"),
        "{event}"
    );
    assert!(serde_json::from_value::<rest::TaskStatus>(json!({"timestamp": "yesterday"})).is_err());
}

#[test]
fn resource_names_build_and_parse() {
    assert_eq!(rest::task_name("t1"), "tasks/t1");
    assert_eq!(
        rest::push_config_name("t1", "p1"),
        "tasks/t1/pushNotificationConfigs/p1"
    );
    assert_eq!(rest::parse_task_name("tasks/t-1:x"), Ok("t-1:x"));
    assert_eq!(
        rest::parse_push_config_name("tasks/t1/pushNotificationConfigs/p1"),
        Ok(("t1", "p1"))
    );
    for name in [
        "",
        "tasks",
        "tasks/",
        "task/t1",
        "tasks/t1/",
        "/tasks/t1",
        "tasks/t1/extra",
        "Tasks/t1",
    ] {
        let err = rest::parse_task_name(name).unwrap_err();
        assert_eq!(err.name(), name);
        assert!(err.to_string().contains("tasks/{id}"), "{err}");
    }
    for name in [
        "tasks/t1",
        "tasks/t1/pushNotificationConfigs",
        "tasks/t1/pushNotificationConfigs/",
        "tasks//pushNotificationConfigs/p1",
        "tasks/t1/pushConfigs/p1",
        "tasks/t1/pushNotificationConfigs/p1/more",
    ] {
        let err = rest::parse_push_config_name(name).unwrap_err();
        assert!(
            err.to_string().contains("pushNotificationConfigs/{config_id}"),
            "{err}"
        );
    }
    // A conversion cannot fail: it reads what it can from a malformed name.
    let config: rest::TaskPushNotificationConfig =
        read(&json!({"name": "tasks/t1/pushNotificationConfigs/", "pushNotificationConfig": {"url": "u"}}));
    assert!(config.ids().is_err());
    let v1 = types::TaskPushNotificationConfig::from(config);
    assert_eq!((v1.task_id.as_str(), v1.id.as_str()), ("t1", ""));
    let cancel: rest::CancelTaskRequest = read(&json!({"name": "tasks/t9/whatever"}));
    assert!(cancel.task_id().is_err());
    assert_eq!(types::CancelTaskRequest::from(cancel).id, "t9");
}

// ---------------------------------------------------------------------------
// Any 1.0 value through v0.3 REST
// ---------------------------------------------------------------------------

/// What v0.3 REST keeps of 1.0 values, as the types' docs say.
mod lossy {
    use super::*;

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
        message.parts = message.parts.into_iter().map(part).collect();
        message.reference_task_ids.clear();
        message
    }

    pub fn status(mut status: types::TaskStatus) -> types::TaskStatus {
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

    pub fn send(mut request: types::SendMessageRequest) -> types::SendMessageRequest {
        request.tenant.clear();
        request.message = message(request.message);
        let mut configuration = request.configuration.take().unwrap_or_default();
        configuration.history_length = configuration.history_length.filter(|n| *n != 0);
        if let Some(webhook) = &mut configuration.task_push_notification_config {
            webhook.tenant.clear();
            webhook.task_id.clear();
        }
        request.configuration = Some(configuration);
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

    /// The endpoints a v0.3 card keeps, as the card's docs say.
    pub fn interfaces(interfaces: Vec<types::AgentInterface>) -> Vec<types::AgentInterface> {
        let Some(main) = interfaces
            .iter()
            .find(|i| i.protocol_version.starts_with("0."))
            .or(interfaces.first())
            .cloned()
        else {
            return Vec::new();
        };
        let version = if main.protocol_version.is_empty() {
            "0.3.0"
        } else {
            &main.protocol_version
        };
        let same: Vec<_> = interfaces
            .iter()
            .filter(|i| i.protocol_version == main.protocol_version)
            .map(|i| (i.url.clone(), i.protocol_binding.clone()))
            .collect();
        let mut kept: Vec<(String, String)> = Vec::new();
        if !main.url.is_empty() {
            let binding = if main.protocol_binding.is_empty() {
                "JSONRPC".into()
            } else {
                main.protocol_binding.clone()
            };
            kept.push((main.url.clone(), binding));
        }
        if same.len() > 1 {
            for interface in same {
                if !kept.contains(&interface) {
                    kept.push(interface);
                }
            }
        }
        kept.into_iter()
            .map(|(url, binding)| types::AgentInterface::new(url, binding).with_protocol_version(version))
            .collect()
    }

    pub fn card(mut card: types::AgentCard) -> types::AgentCard {
        card.supported_interfaces = interfaces(card.supported_interfaces);
        card.security_schemes = card
            .security_schemes
            .into_iter()
            .map(|(n, s)| (n, scheme(s)))
            .collect();
        let declared = |flag: Option<bool>| flag.filter(|on| *on);
        card.capabilities.streaming = declared(card.capabilities.streaming);
        card.capabilities.push_notifications = declared(card.capabilities.push_notifications);
        card.capabilities.extended_agent_card = declared(card.capabilities.extended_agent_card);
        card.documentation_url = card.documentation_url.filter(|url| !url.is_empty());
        card.icon_url = card.icon_url.filter(|url| !url.is_empty());
        card
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn v1_parts_messages_and_tasks_survive_rest(
        part in strategies::part(AnyJson),
        message in strategies::message(AnyJson),
        status in strategies::task_status(AnyJson),
        task in strategies::task(AnyJson),
    ) {
        prop_assert_eq!(through_rest::<_, rest::Part>(part.clone()), lossy::part(part));
        prop_assert_eq!(through_rest::<_, rest::Message>(message.clone()), lossy::message(message));
        prop_assert_eq!(through_rest::<_, rest::TaskStatus>(status.clone()), lossy::status(status));
        prop_assert_eq!(through_rest::<_, rest::Task>(task.clone()), lossy::task(task));
    }

    #[test]
    fn v1_stream_items_survive_rest(item in strategies::stream_response(AnyJson)) {
        prop_assert_eq!(through_rest::<_, rest::StreamResponse>(item.clone()), lossy::stream(item));
    }

    #[test]
    fn v1_send_results_survive_rest(result in strategies::send_message_response(AnyJson)) {
        let expected = match result.clone() {
            types::SendMessageResponse::Task(t) => types::SendMessageResponse::Task(lossy::task(t)),
            types::SendMessageResponse::Message(m) => types::SendMessageResponse::Message(lossy::message(m)),
            other => other,
        };
        prop_assert_eq!(through_rest::<_, rest::SendMessageResponse>(result), expected);
    }

    #[test]
    fn v1_send_requests_survive_rest(send in strategies::send_message_request(AnyJson)) {
        prop_assert_eq!(through_rest::<_, rest::SendMessageRequest>(send.clone()), lossy::send(send));
    }

    #[test]
    fn v1_push_configs_survive_rest(
        config in strategies::push_config(),
        page in strategies::list_push_configs_response(),
    ) {
        // A task id holding `/` cannot be told apart from the name's other segments.
        prop_assume!(!config.task_id.contains('/'));
        prop_assume!(page.configs.iter().all(|c| !c.task_id.contains('/')));
        let untenanted = |c: types::TaskPushNotificationConfig| types::TaskPushNotificationConfig {
            tenant: String::new(),
            ..c
        };
        prop_assert_eq!(
            through_rest::<_, rest::TaskPushNotificationConfig>(config.clone()),
            untenanted(config.clone())
        );
        prop_assert_eq!(
            through_rest::<_, rest::CreateTaskPushNotificationConfigRequest>(config.clone()),
            untenanted(config)
        );
        let expected = types::ListTaskPushNotificationConfigsResponse {
            configs: page.configs.iter().cloned().map(untenanted).collect(),
            next_page_token: page.next_page_token.clone(),
        };
        prop_assert_eq!(through_rest::<_, rest::ListTaskPushNotificationConfigResponse>(page), expected);
    }

    #[test]
    fn v1_cards_survive_rest(card in strategies::agent_card(AnyJson)) {
        prop_assert_eq!(through_rest::<_, rest::AgentCard>(card.clone()), lossy::card(card));
    }
}

// ---------------------------------------------------------------------------
// The SDK itself reads what we write
// ---------------------------------------------------------------------------

/// Has the SDK parse each body: `{"<name>": {"proto": …, "sdk": …}}`.
fn sdk_reads(python: &Path, ours: &Value) -> Value {
    use std::io::Write as _;
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/python/v0_3_rest.py");
    let mut child = std::process::Command::new(python)
        .arg(script)
        .arg("check")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(ours.to_string().as_bytes())
        .unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(output.status.success(), "the SDK refused our JSON");
    serde_json::from_slice(&output.stdout).unwrap()
}

#[test]
fn the_v03_sdk_parses_what_we_write() {
    let Some(python) = python::interpreter_v0_3() else {
        return;
    };
    let binary = vec![0u8, 159, 255, 1];
    let user = types::Message::user("hello")
        .with_message_id("m1")
        .with_context_id("c1")
        .with_part(types::Part::raw(binary).with_media_type("application/octet-stream"))
        .with_part(types::Part::url("https://x.example/f").with_filename("f.txt"))
        .with_part(types::Part::data(json!({"n": 1.5, "list": ["a", null]})));
    let timestamp = chrono::DateTime::parse_from_rfc3339("2026-01-02T03:04:05.678Z")
        .unwrap()
        .to_utc();
    let task = types::Task::new(
        "t1",
        "c1",
        types::TaskStatus::new(types::TaskState::Canceled).with_timestamp(timestamp),
    )
    .with_history([user.clone()])
    .with_artifacts([types::Artifact::text("a1", "answer").with_name("Answer")]);
    let status = types::TaskStatusUpdateEvent::new(
        "t1",
        "c1",
        types::TaskStatus::new(types::TaskState::InputRequired),
    );
    let chunk = types::TaskArtifactUpdateEvent::new("t1", "c1", types::Artifact::text("a1", "more"))
        .with_append(true)
        .with_last_chunk(true);
    let webhook = types::TaskPushNotificationConfig::new("https://hook.example")
        .with_task_id("t1")
        .with_id("p1")
        .with_token("tok")
        .with_authentication(types::AuthenticationInfo::new("Bearer", "secret"));
    let send = types::SendMessageRequest::new(user.clone()).with_configuration(
        types::SendMessageConfiguration::default()
            .with_history_length(3)
            .with_push_notification_config(webhook.clone()),
    );
    let card = types::AgentCard::builder()
        .name("Ours")
        .description("Written by a2akit")
        .supported_interface(
            types::AgentInterface::new("https://ours.example/v03", types::binding::HTTP_JSON)
                .with_protocol_version("0.3.0"),
        )
        .streaming(true)
        .security_scheme(
            "key",
            types::SecurityScheme::ApiKey(types::APIKeySecurityScheme::new("header", "X-Key")),
        )
        .security_scheme(
            "oauth",
            types::SecurityScheme::OAuth2(types::OAuth2SecurityScheme {
                flows: types::OAuthFlows::AuthorizationCode(types::AuthorizationCodeOAuthFlow {
                    authorization_url: "https://auth.example/a".into(),
                    token_url: "https://auth.example/t".into(),
                    scopes: [("read".to_owned(), "Read".to_owned())].into(),
                    ..Default::default()
                }),
                ..Default::default()
            }),
        )
        .security_requirement(types::SecurityRequirement::new().with_scheme("oauth", ["read"]))
        .skill(types::AgentSkill::new("s", "Skill", "Does things").with_tags(["t"]))
        .build();
    let page = types::ListTaskPushNotificationConfigsResponse {
        configs: vec![webhook.clone()],
        next_page_token: String::new(),
    };

    let ours = json!({
        "task": write(&rest::Task::from(task)),
        "message": write(&rest::Message::from(user)),
        "status_update": write(&rest::TaskStatusUpdateEvent::from(status.clone())),
        "artifact_update": write(&rest::TaskArtifactUpdateEvent::from(chunk)),
        "send_message_request": write(&rest::SendMessageRequest::from(send)),
        "send_message_response": write(&rest::SendMessageResponse::from(types::SendMessageResponse::Message(
            types::Message::agent("done").with_message_id("m2"),
        ))),
        "stream_response": write(&rest::StreamResponse::from(types::StreamResponse::StatusUpdate(status))),
        "task_push_notification_config": write(&rest::TaskPushNotificationConfig::from(webhook.clone())),
        "create_push_config_request": write(&rest::CreateTaskPushNotificationConfigRequest::from(webhook)),
        "list_push_config_response": write(&rest::ListTaskPushNotificationConfigResponse::from(page)),
        "cancel_task_request": write(&rest::CancelTaskRequest::from(types::CancelTaskRequest::new("t1"))),
        "agent_card": write(&rest::AgentCard::from(card)),
    });
    let theirs = sdk_reads(&python, &ours);

    // Its parser took every member we wrote and writes each body the same.
    for (name, body) in ours.as_object().unwrap() {
        assert_eq!(&theirs[name]["proto"], body, "{name}");
    }
    // And its models hold what we meant.
    let sdk = |name: &str| theirs[name]["sdk"].clone();
    let task = sdk("task");
    assert_eq!(task["status"]["state"], "canceled");
    let parts = &task["history"][0]["parts"];
    assert_eq!(task["history"][0]["role"], "user");
    assert_eq!(parts[0], json!({"kind": "text", "text": "hello"}));
    assert_eq!(
        parts[1]["file"],
        json!({"bytes": "AJ//AQ==", "mimeType": "application/octet-stream"})
    );
    assert_eq!(
        parts[2]["file"],
        json!({"uri": "https://x.example/f", "name": "f.txt"})
    );
    assert_eq!(parts[3]["data"], json!({"n": 1.5, "list": ["a", null]}));
    assert_eq!(task["artifacts"][0]["name"], "Answer");
    assert_eq!(sdk("message")["messageId"], "m1");
    assert_eq!(sdk("status_update")["final"], true);
    assert_eq!(sdk("status_update")["status"]["state"], "input-required");
    assert_eq!(
        (
            sdk("artifact_update")["append"].clone(),
            sdk("artifact_update")["lastChunk"].clone()
        ),
        (json!(true), json!(true))
    );
    let send = sdk("send_message_request");
    assert_eq!(send["configuration"]["blocking"], true);
    assert_eq!(send["configuration"]["historyLength"], 3);
    assert_eq!(
        send["configuration"]["pushNotificationConfig"]["authentication"],
        json!({"schemes": ["Bearer"], "credentials": "secret"})
    );
    assert_eq!(sdk("send_message_response")["role"], "agent");
    assert_eq!(sdk("stream_response")["kind"], "status-update");
    for name in ["task_push_notification_config", "create_push_config_request"] {
        let config = sdk(name);
        assert_eq!(config["taskId"], "t1", "{name}");
        assert_eq!(config["pushNotificationConfig"]["id"], "p1", "{name}");
        assert_eq!(config["pushNotificationConfig"]["token"], "tok", "{name}");
    }
    assert_eq!(sdk("list_push_config_response")[0]["taskId"], "t1");
    assert_eq!(sdk("cancel_task_request")["id"], "t1");
    let card = sdk("agent_card");
    assert_eq!(card["url"], "https://ours.example/v03");
    assert_eq!(card["preferredTransport"], "HTTP+JSON");
    assert_eq!(card["protocolVersion"], "0.3.0");
    assert_eq!(card["capabilities"]["streaming"], true);
    // (Its converter gives the key an empty description: the SDK's own doing.)
    let key = &card["securitySchemes"]["key"];
    assert_eq!(
        [&key["type"], &key["in"], &key["name"]],
        ["apiKey", "header", "X-Key"]
    );
    assert_eq!(
        card["securitySchemes"]["oauth"]["flows"]["authorizationCode"]["scopes"],
        json!({"read": "Read"})
    );
    assert_eq!(card["security"], json!([{"oauth": ["read"]}]));
    assert_eq!(card["skills"][0]["id"], "s");
}
