//! What our decoder accepts from peers (leniency) and what it rejects, and
//! that every rejection names the path of the offending field.

use a2akit::types::json::{self, DecodeError};
use a2akit::types::{
    AgentCard, ListTasksRequest, ListTasksResponse, Message, OAuthFlows, Part, PartContent, Role,
    SecurityScheme, SendMessageRequest, StreamResponse, Task, TaskState,
};
use serde::de::DeserializeOwned;
use serde_json::json;

fn accept<T: DeserializeOwned>(input: &str) -> T {
    json::from_str(input).unwrap_or_else(|err| panic!("rejected {input}: {err}"))
}

// ---------------------------------------------------------------- leniency

#[test]
fn snake_case_names_are_accepted() {
    let request: SendMessageRequest = accept(
        r#"{"message":{"message_id":"m1","context_id":"c1","task_id":"t1","role":"ROLE_USER",
            "parts":[{"text":"hi","media_type":"text/plain"}],"reference_task_ids":["t0"]},
            "configuration":{"history_length":3,"return_immediately":true,
            "accepted_output_modes":["text/plain"],
            "task_push_notification_config":{"url":"https://h/x","task_id":"t1"}}}"#,
    );
    assert_eq!(request.message.message_id, "m1");
    assert_eq!(request.message.context_id, "c1");
    assert_eq!(request.message.task_id, "t1");
    assert_eq!(request.message.reference_task_ids, ["t0"]);
    assert_eq!(request.message.parts[0].media_type, "text/plain");
    let config = request.configuration.unwrap();
    assert_eq!(config.history_length, Some(3));
    assert!(config.return_immediately);
    assert_eq!(config.accepted_output_modes, ["text/plain"]);
    assert_eq!(config.task_push_notification_config.unwrap().task_id, "t1");
}

#[test]
fn snake_case_names_in_cards_and_lists_are_accepted() {
    let card: AgentCard = accept(
        r#"{"name":"a","description":"d","version":"1","supported_interfaces":[{"url":"u",
            "protocol_binding":"JSONRPC","protocol_version":"1.0"}],
            "capabilities":{"push_notifications":true,"extended_agent_card":false},
            "default_input_modes":["text/plain"],"default_output_modes":["text/plain"],"skills":[],
            "security_schemes":{"k":{"api_key_security_scheme":{"location":"header","name":"X-Key"}}},
            "documentation_url":"https://d","icon_url":"https://i"}"#,
    );
    assert_eq!(card.supported_interfaces[0].protocol_binding, "JSONRPC");
    assert_eq!(card.capabilities.push_notifications, Some(true));
    assert!(matches!(card.security_schemes["k"], SecurityScheme::ApiKey(_)));
    assert_eq!(card.icon_url.as_deref(), Some("https://i"));

    let page: ListTasksResponse =
        accept(r#"{"tasks":[],"next_page_token":"n","page_size":"10","total_size":0}"#);
    assert_eq!(page.next_page_token, "n");
    assert_eq!(page.page_size, 10);
}

#[test]
fn null_reads_as_absent() {
    let message: Message = accept(
        r#"{"messageId":"m1","role":"ROLE_AGENT","parts":[{"text":"x","metadata":null,"filename":null}],
            "contextId":null,"taskId":null,"metadata":null,"extensions":null,"referenceTaskIds":null}"#,
    );
    assert_eq!(message.context_id, "");
    assert!(message.metadata.is_none());
    assert!(message.extensions.is_empty());
    let task: Task = accept(
        r#"{"id":"t","status":{"state":"TASK_STATE_WORKING","timestamp":null,"message":null},
            "artifacts":null,"history":null}"#,
    );
    assert!(task.status.timestamp.is_none());
    let request: ListTasksRequest = accept(r#"{"status":null,"pageSize":null,"includeArtifacts":null}"#);
    assert_eq!(request, ListTasksRequest::default());
}

#[test]
fn data_null_is_a_data_part_holding_null() {
    let part: Part = accept(r#"{"data":null}"#);
    assert_eq!(part.content, PartContent::Data(serde_json::Value::Null));
    assert_eq!(serde_json::to_value(&part).unwrap(), json!({"data": null}));
}

#[test]
fn unknown_fields_are_ignored_everywhere() {
    let item: StreamResponse = accept(
        r#"{"kind":"status-update","statusUpdate":{"taskId":"t","contextId":"c","final":true,
            "status":{"state":"TASK_STATE_COMPLETED","extra":{"deep":[1,2]}}},"future":1}"#,
    );
    assert!(matches!(item, StreamResponse::StatusUpdate(_)));
    let part: Part = accept(r#"{"kind":"text","text":"hi","future":{"a":null}}"#);
    assert_eq!(part.as_text(), Some("hi"));
}

#[test]
fn enum_numbers_are_accepted() {
    let task: Task = accept(r#"{"id":"t","status":{"state":6}}"#);
    assert_eq!(task.status.state, TaskState::InputRequired);
    let message: Message = accept(r#"{"messageId":"m","role":2,"parts":[]}"#);
    assert_eq!(message.role, Role::Agent);
    let request: ListTasksRequest = accept(r#"{"status":3}"#);
    assert_eq!(request.status, Some(TaskState::Completed));
}

#[test]
fn unspecified_status_filter_means_no_filter() {
    let by_name: ListTasksRequest = accept(r#"{"status":"TASK_STATE_UNSPECIFIED"}"#);
    let by_number: ListTasksRequest = accept(r#"{"status":0}"#);
    assert_eq!(by_name.status, None);
    assert_eq!(by_number.status, None);
}

#[test]
fn int32_accepts_numeric_strings_and_exponents() {
    let request: ListTasksRequest = accept(r#"{"pageSize":"25","historyLength":1e1}"#);
    assert_eq!(request.page_size, Some(25));
    assert_eq!(request.history_length, Some(10));
}

#[test]
fn history_length_zero_is_kept_and_written() {
    let request: SendMessageRequest = accept(
        r#"{"message":{"messageId":"m","role":"ROLE_USER","parts":[{"text":""}]},"configuration":{"historyLength":0}}"#,
    );
    assert_eq!(request.configuration.as_ref().unwrap().history_length, Some(0));
    let out = serde_json::to_value(&request).unwrap();
    assert_eq!(out["configuration"], json!({"historyLength": 0}));
    assert_eq!(out["message"]["parts"][0], json!({"text": ""}));
}

#[test]
fn base64_in_both_alphabets_with_or_without_padding() {
    for encoded in [
        "+/+/",
        "-_-_",
        "aGk=",
        "aGk",
        "aGVsbG8/Pz8=",
        "aGVsbG8_Pz8",
        "_w",
        "_w==",
        "-A",
        "AAA-",
        "AA-_",
    ] {
        let part: Part = accept(&format!(r#"{{"raw":"{encoded}"}}"#));
        assert!(matches!(part.content, PartContent::Raw(_)), "{encoded}");
    }
    let part: Part = accept(r#"{"raw":"aGVsbG8_Pz8"}"#);
    assert_eq!(part.content, PartContent::Raw(b"hello???".to_vec()));
    // Output is always standard base64 with padding.
    assert_eq!(
        serde_json::to_value(&part).unwrap(),
        json!({"raw": "aGVsbG8/Pz8="})
    );
}

#[test]
fn timestamps_with_offsets_are_normalised_to_utc() {
    let task: Task = accept(
        r#"{"id":"t","status":{"state":"TASK_STATE_WORKING","timestamp":"2026-01-02T05:04:05.678+02:00"}}"#,
    );
    let out = serde_json::to_value(&task).unwrap();
    assert_eq!(out["status"]["timestamp"], "2026-01-02T03:04:05.678Z");
    for (input, output) in [
        ("2026-01-02T03:04:05Z", "2026-01-02T03:04:05Z"),
        ("2026-01-02T03:04:05.100Z", "2026-01-02T03:04:05.100Z"),
        ("2026-01-02T03:04:05.860378Z", "2026-01-02T03:04:05.860378Z"),
        ("2026-01-02T03:04:05.000000001Z", "2026-01-02T03:04:05.000000001Z"),
    ] {
        let task: Task = accept(&format!(
            r#"{{"id":"t","status":{{"state":1,"timestamp":"{input}"}}}}"#
        ));
        assert_eq!(
            serde_json::to_value(&task).unwrap()["status"]["timestamp"],
            output
        );
    }
}

#[test]
fn peers_empty_defaults_are_accepted() {
    // The Python SDK prints every default in ListTasks; the JS SDK prints empty ones in cards.
    let page: ListTasksResponse = accept(
        r#"{"tasks":[{"id":"t","contextId":"c","status":{"state":"TASK_STATE_COMPLETED"},
            "history":[{"messageId":"m","role":"ROLE_USER","parts":[{"text":"x","filename":"","mediaType":""}],
            "extensions":[],"referenceTaskIds":[]}]}],"nextPageToken":"","pageSize":50,"totalSize":1}"#,
    );
    assert_eq!(page.tasks[0].history[0].parts[0].filename, "");
    let card: AgentCard = accept(
        r#"{"name":"a","description":"d","version":"1","supportedInterfaces":[{"url":"u","protocolBinding":"JSONRPC",
            "protocolVersion":"1.0","tenant":""}],"capabilities":{"extensions":[]},"securitySchemes":{},
            "securityRequirements":[],"signatures":[],"defaultInputModes":[],"defaultOutputModes":[],
            "skills":[{"id":"s","name":"n","description":"d","tags":[],"inputModes":[],"examples":[]}]}"#,
    );
    assert_eq!(card.supported_interfaces[0].tenant, "");
}

#[test]
fn oauth_flows_oneof_reads_by_key() {
    let scheme: SecurityScheme = accept(
        r#"{"oauth2SecurityScheme":{"flows":{"client_credentials":{"tokenUrl":"https://t","scopes":{"a":"b"}}}}}"#,
    );
    let SecurityScheme::OAuth2(oauth) = scheme else {
        panic!("not oauth2")
    };
    assert!(matches!(oauth.flows, OAuthFlows::ClientCredentials(_)));
}

// ---------------------------------------------------------------- rejections

/// Each case: the type, the input, the path the error must name, and a word
/// the message must contain.
fn reject<T: DeserializeOwned + std::fmt::Debug>(input: &str) -> DecodeError {
    match json::from_str::<T>(input) {
        Ok(value) => panic!("accepted {input} as {value:?}"),
        Err(err) => err,
    }
}

macro_rules! rejection_table {
    ($( $name:ident: $ty:ty, $input:expr, $path:expr, $word:expr; )+) => {
        $(
            #[test]
            fn $name() {
                let err = reject::<$ty>($input);
                assert_eq!(err.path(), $path, "wrong path in: {err}");
                assert!(
                    err.message().to_lowercase().contains(&$word.to_lowercase()),
                    "message of {err} lacks {:?}", $word
                );
                assert!(!err.is_syntax(), "{err} is not a syntax error");
            }
        )+
    };
}

const MSG: &str = r#""messageId":"m","role":"ROLE_USER""#;

rejection_table! {
    rejects_message_id_of_wrong_type: Message, r#"{"messageId":5,"role":"ROLE_USER","parts":[]}"#, "messageId", "invalid type";
    rejects_missing_message_id: Message, r#"{"role":"ROLE_USER","parts":[]}"#, ".", "messageId";
    rejects_null_message_id: Message, r#"{"messageId":null,"role":"ROLE_USER","parts":[]}"#, "messageId", "null";
    rejects_missing_role: Message, r#"{"messageId":"m","parts":[]}"#, ".", "role";
    rejects_v03_role_name: Message, r#"{"messageId":"m","role":"user","parts":[]}"#, "role", "unknown Role";
    rejects_unspecified_role: Message, r#"{"messageId":"m","role":"ROLE_UNSPECIFIED","parts":[]}"#, "role", "ROLE_UNSPECIFIED";
    rejects_unknown_role_number: Message, r#"{"messageId":"m","role":9,"parts":[]}"#, "role", "unknown Role number";
    rejects_parts_that_are_not_a_list: Message, &format!(r#"{{{MSG},"parts":{{"text":"x"}}}}"#), "parts", "invalid type";
    rejects_part_with_two_members: Message, &format!(r#"{{{MSG},"parts":[{{"text":"a"}},{{"text":"x","url":"u"}}]}}"#), "parts[1]", "both `text` and `url`";
    rejects_part_with_no_member: Message, &format!(r#"{{{MSG},"parts":[{{"filename":"a.txt"}}]}}"#), "parts[0]", "needs exactly one";
    rejects_text_that_is_not_a_string: Message, &format!(r#"{{{MSG},"parts":[{{"text":42}}]}}"#), "parts[0].text", "invalid type";
    rejects_bad_base64: Message, &format!(r#"{{{MSG},"parts":[{{"raw":"***"}}]}}"#), "parts[0].raw", "invalid base64";
    rejects_base64_with_bad_length: Message, &format!(r#"{{{MSG},"parts":[{{"raw":"aGVsbG8gd"}}]}}"#), "parts[0].raw", "invalid base64";
    rejects_metadata_that_is_not_an_object: Message, &format!(r#"{{{MSG},"parts":[],"metadata":[1]}}"#), "metadata", "invalid type";
    rejects_extensions_of_wrong_type: Message, &format!(r#"{{{MSG},"parts":[],"extensions":"x"}}"#), "extensions", "invalid type";
    rejects_missing_task_id: Task, r#"{"status":{"state":"TASK_STATE_WORKING"}}"#, ".", "id";
    rejects_missing_task_status: Task, r#"{"id":"t"}"#, ".", "status";
    rejects_missing_state: Task, r#"{"id":"t","status":{}}"#, "status", "state";
    rejects_v03_state_name: Task, r#"{"id":"t","status":{"state":"working"}}"#, "status.state", "unknown TaskState";
    rejects_unspecified_state: Task, r#"{"id":"t","status":{"state":0}}"#, "status.state", "TASK_STATE_UNSPECIFIED";
    rejects_bad_timestamp: Task, r#"{"id":"t","status":{"state":1,"timestamp":"yesterday"}}"#, "status.timestamp", "RFC 3339";
    rejects_timestamp_as_number: Task, r#"{"id":"t","status":{"state":1,"timestamp":1700000000}}"#, "status.timestamp", "invalid type";
    rejects_artifact_without_id: Task, r#"{"id":"t","status":{"state":1},"artifacts":[{"parts":[]}]}"#, "artifacts[0]", "artifactId";
    rejects_history_message_bad_role: Task, r#"{"id":"t","status":{"state":1},"history":[{"messageId":"m","role":true,"parts":[]}]}"#, "history[0].role", "ROLE_USER";
    rejects_send_without_message: SendMessageRequest, r#"{"configuration":{}}"#, ".", "message";
    rejects_history_length_of_wrong_type: SendMessageRequest, &format!(r#"{{"message":{{{MSG},"parts":[]}},"configuration":{{"historyLength":"ten"}}}}"#), "configuration.historyLength", "32-bit integer";
    rejects_history_length_out_of_range: SendMessageRequest, &format!(r#"{{"message":{{{MSG},"parts":[]}},"configuration":{{"historyLength":4294967296}}}}"#), "configuration.historyLength", "int32 range";
    rejects_fractional_page_size: ListTasksRequest, r#"{"pageSize":2.5}"#, "pageSize", "32-bit integer";
    rejects_unknown_status_filter: ListTasksRequest, r#"{"status":"TASK_STATE_RUNNING"}"#, "status", "unknown TaskState";
    rejects_include_artifacts_as_string: ListTasksRequest, r#"{"includeArtifacts":"yes"}"#, "includeArtifacts", "invalid type";
    rejects_stream_response_with_two_members: StreamResponse, r#"{"task":{"id":"t","status":{"state":1}},"message":{"messageId":"m","role":2,"parts":[]}}"#, ".", "both `task` and `message`";
    rejects_empty_stream_response: StreamResponse, r#"{"kind":"task"}"#, ".", "needs exactly one";
    rejects_status_update_without_context_id: StreamResponse, r#"{"statusUpdate":{"taskId":"t","status":{"state":2}}}"#, "statusUpdate", "contextId";
    rejects_artifact_update_without_artifact: StreamResponse, r#"{"artifactUpdate":{"taskId":"t","contextId":"c"}}"#, "artifactUpdate", "artifact";
    rejects_security_scheme_with_two_members: AgentCard, r#"{"securitySchemes":{"s":{"mtlsSecurityScheme":{},"httpAuthSecurityScheme":{"scheme":"Bearer"}}}}"#, "securitySchemes.s", "both";
    rejects_oauth_without_flows: AgentCard, r#"{"securitySchemes":{"o":{"oauth2SecurityScheme":{}}}}"#, "securitySchemes.o.oauth2SecurityScheme", "flows";
    rejects_skill_without_id: AgentCard, r#"{"skills":[{"name":"n"}]}"#, "skills[0]", "id";
    rejects_interfaces_of_wrong_type: AgentCard, r#"{"supportedInterfaces":"JSONRPC"}"#, "supportedInterfaces", "invalid type";
    rejects_streaming_as_string: AgentCard, r#"{"capabilities":{"streaming":"true"}}"#, "capabilities.streaming", "invalid type";
}

#[test]
fn rejects_a_document_that_is_not_json_as_a_syntax_error() {
    for input in [
        r#"{"id":"t","status":"#,
        "not json",
        r#"{"id":"t","status":{"state":1}} trailing"#,
    ] {
        let err = json::from_str::<Task>(input).unwrap_err();
        assert!(err.is_syntax(), "{input}: {err}");
    }
}

#[test]
fn rejects_a_document_of_the_wrong_json_type() {
    for input in ["null", "\"task\"", "42", "true"] {
        let err = json::from_str::<Task>(input).unwrap_err();
        assert!(!err.is_syntax(), "{input}: {err}");
        assert!(err.message().contains("invalid type"), "{input}: {err}");
    }
    // serde reads a struct from an array of its fields in order; an array
    // that does not spell a whole task is still rejected.
    for input in ["[]", r#"["t"]"#, r#"[1,2,3]"#] {
        let err = json::from_str::<Task>(input).unwrap_err();
        assert!(!err.is_syntax(), "{input}: {err}");
    }
}

#[test]
fn decode_errors_become_invalid_params_naming_the_field() {
    let err: a2akit::Error = reject::<Message>(r#"{"messageId":"m","role":"nobody","parts":[]}"#).into();
    assert_eq!(err.kind(), a2akit::ErrorKind::InvalidParams);
    assert!(err.message().starts_with("role: "), "{err}");
    assert_eq!(err.details()[0]["fieldViolations"][0]["field"], "role");

    let err: a2akit::Error = json::from_str::<Message>("{").unwrap_err().into();
    assert_eq!(err.kind(), a2akit::ErrorKind::ParseError);
}
