//! What our decoder accepts from peers (leniency, forward compatibility)
//! and what it rejects, and that every rejection names the path of the
//! offending field.
//!
//! The rule for what is accepted: everything the official protobuf JSON
//! parser accepts (its Python implementation, the most lenient), read to the
//! same value; plus the names of enum values and oneof members this version
//! does not know, which read as "unrecognized" rather than fail.

use a2akit::types::json::{self, DecodeError};
use a2akit::types::{
    AgentCard, ListTasksRequest, ListTasksResponse, Message, OAuth2SecurityScheme, OAuthFlows, Part,
    PartContent, Role, SecurityScheme, SendMessageRequest, SendMessageResponse, StreamResponse, Task,
    TaskArtifactUpdateEvent, TaskState, TaskStatusUpdateEvent,
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

// ------------------------------------------------- forward compatibility

#[test]
fn absent_required_fields_read_as_their_defaults() {
    let message: Message = accept(r#"{"parts":[{"text":"hi"}]}"#);
    assert_eq!(message.message_id, "");
    assert_eq!(message.role, Role::Unspecified);
    // The unspecified role is left out when written, as proto3 leaves out defaults.
    assert_eq!(
        serde_json::to_value(&message).unwrap(),
        json!({"messageId": "", "parts": [{"text": "hi"}]})
    );

    let task: Task = accept("{}");
    assert_eq!(task, Task::default());
    assert_eq!(task.status.state, TaskState::Unspecified);
    assert_eq!(
        serde_json::to_value(&task).unwrap(),
        json!({"id": "", "status": {}})
    );

    let task: Task = accept(r#"{"id":"t","status":{},"artifacts":[{"parts":[]}]}"#);
    assert_eq!(task.artifacts[0].artifact_id, "");

    let request: SendMessageRequest = accept(r#"{"configuration":{}}"#);
    assert_eq!(request.message, Message::default());

    let item: StreamResponse = accept(r#"{"statusUpdate":{"taskId":"t","status":{"state":2}}}"#);
    let StreamResponse::StatusUpdate(update) = item else {
        panic!("not a status update")
    };
    assert_eq!(update.context_id, "");
    let item: StreamResponse = accept(r#"{"artifactUpdate":{"taskId":"t","contextId":"c"}}"#);
    assert!(
        matches!(item, StreamResponse::ArtifactUpdate(update) if update == TaskArtifactUpdateEvent {
            task_id: "t".into(),
            context_id: "c".into(),
            ..TaskArtifactUpdateEvent::default()
        })
    );

    let card: AgentCard =
        accept(r#"{"skills":[{"name":"n"}],"securitySchemes":{"o":{"oauth2SecurityScheme":{}}}}"#);
    assert_eq!(card.skills[0].id, "");
    let SecurityScheme::OAuth2(oauth) = &card.security_schemes["o"] else {
        panic!("not oauth2")
    };
    assert_eq!(oauth.flows, OAuthFlows::Unrecognized);
}

#[test]
fn null_reads_as_absent_for_required_fields_too() {
    let message: Message = accept(r#"{"messageId":null,"role":null,"parts":null}"#);
    assert_eq!(message, Message::default());
    let task: Task = accept(r#"{"id":null,"status":null}"#);
    assert_eq!(task, Task::default());
    let event: TaskStatusUpdateEvent = accept(r#"{"taskId":null,"contextId":null,"status":{"state":null}}"#);
    assert_eq!(event, TaskStatusUpdateEvent::default());
    let scheme: OAuth2SecurityScheme = accept(r#"{"flows":null}"#);
    assert_eq!(scheme.flows, OAuthFlows::Unrecognized);
}

#[test]
fn unknown_enum_names_read_as_unrecognized() {
    for (input, state) in [
        ("\"working\"", TaskState::Unrecognized(None)),
        ("\"TASK_STATE_PAUSED\"", TaskState::Unrecognized(None)),
        ("\"1e1\"", TaskState::Unrecognized(None)),
        // An escaped name is still the name.
        ("\"TASK_STATE_\\u0057ORKING\"", TaskState::Working),
    ] {
        let task: Task = accept(&format!(r#"{{"id":"t","status":{{"state":{input}}}}}"#));
        assert_eq!(task.status.state, state, "{input}");
    }
    let message: Message = accept(r#"{"messageId":"m","role":"user","parts":[]}"#);
    assert_eq!(message.role, Role::Unrecognized(None));
    assert!(!message.role.is_known());
    // Its number is unknown: written as the unspecified value, that is, left out.
    assert_eq!(
        serde_json::to_value(&message).unwrap(),
        json!({"messageId": "m", "parts": []})
    );

    let request: ListTasksRequest = accept(r#"{"status":"TASK_STATE_RUNNING"}"#);
    assert_eq!(request.status, Some(TaskState::Unrecognized(None)));
}

#[test]
fn unknown_enum_numbers_are_kept_and_written_back() {
    let task: Task = accept(r#"{"id":"t","status":{"state":42}}"#);
    assert_eq!(task.status.state, TaskState::Unrecognized(Some(42)));
    assert!(!task.status.state.is_terminal() && !task.status.state.is_active());
    assert_eq!(
        serde_json::to_value(&task).unwrap()["status"],
        json!({"state": 42})
    );

    let message: Message = accept(r#"{"messageId":"m","role":"-1","parts":[]}"#);
    assert_eq!(message.role, Role::Unrecognized(Some(-1)));
    assert_eq!(serde_json::to_value(&message).unwrap()["role"], json!(-1));
    assert_eq!(Role::from(-1), Role::Unrecognized(Some(-1)));
    assert_eq!(Role::Unrecognized(Some(-1)).number(), -1);

    let request: ListTasksRequest = accept(r#"{"status":9}"#);
    assert_eq!(request.status, Some(TaskState::Unrecognized(Some(9))));
    assert_eq!(serde_json::to_value(&request).unwrap(), json!({"status": 9}));
}

#[test]
fn unspecified_enum_values_read_as_unspecified() {
    for input in ["\"TASK_STATE_UNSPECIFIED\"", "0", "\"0\"", "false", "null"] {
        let task: Task = accept(&format!(r#"{{"id":"t","status":{{"state":{input}}}}}"#));
        assert_eq!(task.status.state, TaskState::Unspecified, "{input}");
        assert_eq!(serde_json::to_value(&task).unwrap()["status"], json!({}));
    }
    let message: Message = accept(r#"{"messageId":"m","role":"ROLE_UNSPECIFIED","parts":[]}"#);
    assert_eq!(message.role, Role::Unspecified);
}

#[test]
fn enum_numbers_read_as_python_int_reads_them() {
    // Strings through int(); floats cut to their integer part; bools as 0 and 1.
    for (input, role) in [
        ("\" 2 \"", Role::Agent),
        ("\"+2\"", Role::Agent),
        ("2.5", Role::Agent),
        ("true", Role::User),
        ("1e1", Role::Unrecognized(Some(10))),
        ("\"2_0\"", Role::Unrecognized(Some(20))),
    ] {
        let message: Message = accept(&format!(r#"{{"messageId":"m","role":{input},"parts":[]}}"#));
        assert_eq!(message.role, role, "{input}");
    }
}

#[test]
fn oneofs_with_no_known_member_read_as_unrecognized() {
    // A newer peer's kind of part, or none: the message is still read.
    let message: Message = accept(
        r#"{"messageId":"m","role":"ROLE_AGENT","parts":[{"text":"see"},{"video":{"uri":"v"},"filename":"v.mp4"},{}]}"#,
    );
    assert_eq!(message.parts[1].content, PartContent::Unrecognized);
    assert_eq!(message.parts[1].filename, "v.mp4");
    assert_eq!(message.parts[2].content, PartContent::Unrecognized);
    assert_eq!(message.text(), "see");
    assert_eq!(
        serde_json::to_value(&message.parts[1]).unwrap(),
        json!({"filename": "v.mp4"})
    );

    let item: StreamResponse = accept(r#"{"progressUpdate":{"taskId":"t","percent":50}}"#);
    assert_eq!(item, StreamResponse::Unrecognized);
    assert_eq!(item.task_id(), None);
    assert_eq!(serde_json::to_value(&item).unwrap(), json!({}));
    let item: StreamResponse = accept(r#"{"kind":"task"}"#);
    assert_eq!(item, StreamResponse::Unrecognized);

    let reply: SendMessageResponse = accept(r#"{"receipt":{}}"#);
    assert_eq!(reply, SendMessageResponse::Unrecognized);

    let card: AgentCard = accept(
        r#"{"securitySchemes":{"sig":{"httpSignatureSecurityScheme":{}},"o":{"oauth2SecurityScheme":{"flows":{"tokenExchange":{}}}}}}"#,
    );
    assert_eq!(card.security_schemes["sig"], SecurityScheme::Unrecognized);
    let SecurityScheme::OAuth2(oauth) = &card.security_schemes["o"] else {
        panic!("not oauth2")
    };
    assert_eq!(oauth.flows, OAuthFlows::Unrecognized);
    let out = serde_json::to_value(&card).unwrap();
    assert_eq!(out["securitySchemes"]["sig"], json!({}));
    assert_eq!(
        out["securitySchemes"]["o"],
        json!({"oauth2SecurityScheme": {"flows": {}}})
    );
}

#[test]
fn data_null_does_not_count_against_the_one_member_rule() {
    // As in the official parser: the last of them wins.
    let part: Part = accept(r#"{"data":null,"text":"x"}"#);
    assert_eq!(part.content, PartContent::Text("x".into()));
    let part: Part = accept(r#"{"text":"x","data":null}"#);
    assert_eq!(part.content, PartContent::Data(serde_json::Value::Null));
    let part: Part = accept(r#"{"text":null,"url":"u"}"#);
    assert_eq!(part.content, PartContent::Url("u".into()));
}

#[test]
fn empty_arrays_read_as_empty_messages() {
    let task: Task = accept(r#"{"id":"t","status":[]}"#);
    assert_eq!(task.status.state, TaskState::Unspecified);
    let part: Part = accept("[]");
    assert_eq!(part.content, PartContent::Unrecognized);
    let card: AgentCard = accept(r#"{"securitySchemes":{"a":[]}}"#);
    assert_eq!(card.security_schemes["a"], SecurityScheme::Unrecognized);
    let item: StreamResponse = accept("[]");
    assert_eq!(item, StreamResponse::Unrecognized);
}

#[test]
fn base64_reads_as_the_python_parser_reads_it() {
    // Characters outside both alphabets are skipped; decoding stops at the
    // padding that completes a group.
    for (encoded, bytes) in [
        ("aGk=", &b"hi"[..]),
        (r"aG k\n", b"hi"),
        ("aG*k", b"hi"),
        ("aGk===", b"hi"),
        ("aGk=aGk=", b"hi"),
        ("+/-_", &[0xfb, 0xff, 0xbf]),
        ("***", b""),
    ] {
        let part: Part = accept(&format!(r#"{{"raw":"{encoded}"}}"#));
        assert_eq!(part.content, PartContent::Raw(bytes.to_vec()), "{encoded}");
    }
}

#[test]
fn timestamps_read_as_the_python_parser_reads_them() {
    for (input, output) in [
        ("2026-1-2T3:4:5Z", "2026-01-02T03:04:05Z"),
        ("2026-01-02T03:04:05.Z", "2026-01-02T03:04:05Z"),
        ("2026-01-02T03:04:05+99:00", "2025-12-29T00:04:05Z"),
        ("2026-01-02T03:04:05.5-00:30", "2026-01-02T03:34:05.500Z"),
    ] {
        let task: Task = accept(&format!(
            r#"{{"id":"t","status":{{"state":1,"timestamp":"{input}"}}}}"#
        ));
        assert_eq!(
            serde_json::to_value(&task).unwrap()["status"]["timestamp"],
            output,
            "{input}"
        );
    }
}

#[test]
fn int32_reads_as_python_reads_quoted_numbers() {
    for (input, value) in [
        ("\"+5\"", 5),
        ("\"\\t5\"", 5),
        ("\"1_0\"", 10),
        ("\"5.\"", 5),
        ("-0.0", 0),
    ] {
        let request: ListTasksRequest = accept(&format!(r#"{{"pageSize":{input}}}"#));
        assert_eq!(request.page_size, Some(value), "{input}");
    }
}

#[test]
fn a_document_that_is_an_empty_array_is_an_empty_message() {
    let task: Task = accept("[]");
    assert_eq!(task, Task::default());
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
    rejects_role_that_is_an_object: Message, r#"{"messageId":"m","role":{},"parts":[]}"#, "role", "Role name or number";
    rejects_role_number_out_of_range: Message, r#"{"messageId":"m","role":2147483648,"parts":[]}"#, "role", "int32 range";
    rejects_parts_that_are_not_a_list: Message, &format!(r#"{{{MSG},"parts":{{"text":"x"}}}}"#), "parts", "invalid type";
    rejects_null_in_a_list: Message, &format!(r#"{{{MSG},"parts":[null]}}"#), "parts[0]", "invalid type";
    rejects_part_with_two_members: Message, &format!(r#"{{{MSG},"parts":[{{"text":"a"}},{{"text":"x","url":"u"}}]}}"#), "parts[1]", "both `text` and `url`";
    rejects_part_that_is_a_non_empty_array: Message, &format!(r#"{{{MSG},"parts":[["text"]]}}"#), "parts[0]", "invalid type";
    rejects_text_that_is_not_a_string: Message, &format!(r#"{{{MSG},"parts":[{{"text":42}}]}}"#), "parts[0].text", "invalid type";
    rejects_base64_with_one_character_over: Message, &format!(r#"{{{MSG},"parts":[{{"raw":"a"}}]}}"#), "parts[0].raw", "invalid base64";
    rejects_base64_with_bad_length: Message, &format!(r#"{{{MSG},"parts":[{{"raw":"aGVsbG8gd"}}]}}"#), "parts[0].raw", "invalid base64";
    rejects_base64_with_bad_padding: Message, &format!(r#"{{{MSG},"parts":[{{"raw":"aG*"}}]}}"#), "parts[0].raw", "invalid base64";
    rejects_metadata_that_is_not_an_object: Message, &format!(r#"{{{MSG},"parts":[],"metadata":[1]}}"#), "metadata", "invalid type";
    rejects_extensions_of_wrong_type: Message, &format!(r#"{{{MSG},"parts":[],"extensions":"x"}}"#), "extensions", "invalid type";
    rejects_status_that_is_a_string: Task, r#"{"id":"t","status":"working"}"#, "status", "invalid type";
    rejects_bad_timestamp: Task, r#"{"id":"t","status":{"state":1,"timestamp":"yesterday"}}"#, "status.timestamp", "RFC 3339";
    rejects_timestamp_with_ten_digits: Task, r#"{"id":"t","status":{"state":1,"timestamp":"2026-01-02T03:04:05.1234567891Z"}}"#, "status.timestamp", "9 fractional digits";
    rejects_timestamp_without_a_zone: Task, r#"{"id":"t","status":{"state":1,"timestamp":"2026-01-02T03:04:05"}}"#, "status.timestamp", "RFC 3339";
    rejects_timestamp_as_number: Task, r#"{"id":"t","status":{"state":1,"timestamp":1700000000}}"#, "status.timestamp", "invalid type";
    rejects_history_message_role_as_a_list: Task, r#"{"id":"t","status":{"state":1},"history":[{"messageId":"m","role":[],"parts":[]}]}"#, "history[0].role", "Role name or number";
    rejects_history_length_of_wrong_type: SendMessageRequest, &format!(r#"{{"message":{{{MSG},"parts":[]}},"configuration":{{"historyLength":"ten"}}}}"#), "configuration.historyLength", "32-bit integer";
    rejects_history_length_out_of_range: SendMessageRequest, &format!(r#"{{"message":{{{MSG},"parts":[]}},"configuration":{{"historyLength":4294967296}}}}"#), "configuration.historyLength", "int32 range";
    rejects_fractional_page_size: ListTasksRequest, r#"{"pageSize":2.5}"#, "pageSize", "32-bit integer";
    rejects_page_size_as_bool: ListTasksRequest, r#"{"pageSize":true}"#, "pageSize", "invalid type";
    rejects_include_artifacts_as_string: ListTasksRequest, r#"{"includeArtifacts":"yes"}"#, "includeArtifacts", "invalid type";
    rejects_stream_response_with_two_members: StreamResponse, r#"{"task":{"id":"t","status":{"state":1}},"message":{"messageId":"m","role":2,"parts":[]}}"#, ".", "both `task` and `message`";
    rejects_security_scheme_with_two_members: AgentCard, r#"{"securitySchemes":{"s":{"mtlsSecurityScheme":{},"httpAuthSecurityScheme":{"scheme":"Bearer"}}}}"#, "securitySchemes.s", "both";
    rejects_security_scheme_that_is_null: AgentCard, r#"{"securitySchemes":{"s":null}}"#, "securitySchemes.s", "invalid type";
    rejects_scope_that_is_not_a_string: AgentCard, r#"{"securitySchemes":{"o":{"oauth2SecurityScheme":{"flows":{"implicit":{"scopes":{"a":null}}}}}}}"#, "securitySchemes.o.oauth2SecurityScheme.flows.implicit.scopes.a", "invalid type";
    rejects_interfaces_of_wrong_type: AgentCard, r#"{"supportedInterfaces":"JSONRPC"}"#, "supportedInterfaces", "invalid type";
    rejects_null_tag: AgentCard, r#"{"skills":[{"id":"s","tags":[null]}]}"#, "skills[0].tags[0]", "invalid type";
    rejects_a_field_under_both_names: Message, r#"{"messageId":"a","message_id":"b","parts":[]}"#, ".", "duplicate field `messageId`";
    rejects_a_message_given_as_an_empty_string: Task, r#"{"id":"t","status":""}"#, "status", "invalid type";
    rejects_streaming_as_string: AgentCard, r#"{"capabilities":{"streaming":"true"}}"#, "capabilities.streaming", "invalid type";
}

/// The Python parser reads such a number as infinity; JSON has no infinity.
#[test]
fn rejects_a_number_beyond_the_range_of_a_double() {
    let err =
        json::from_str::<Message>(r#"{"messageId":"m","parts":[],"metadata":{"n":1e400}}"#).unwrap_err();
    assert!(err.message().contains("out of range"), "{err}");
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
    // serde reads a struct from an array of its fields in order (an empty
    // one is the empty message, as in the official parser); an array whose
    // elements are not the fields' types is rejected.
    for input in [r#"[1,2,3]"#, r#"["t", 5]"#] {
        let err = json::from_str::<Task>(input).unwrap_err();
        assert!(!err.is_syntax(), "{input}: {err}");
    }
}

#[test]
fn decode_errors_become_invalid_params_naming_the_field() {
    let err: a2akit::Error = reject::<Message>(r#"{"messageId":"m","role":{},"parts":[]}"#).into();
    assert_eq!(err.kind(), a2akit::ErrorKind::InvalidParams);
    assert!(err.message().starts_with("role: "), "{err}");
    assert_eq!(err.details()[0]["fieldViolations"][0]["field"], "role");

    let err: a2akit::Error = json::from_str::<Message>("{").unwrap_err().into();
    assert_eq!(err.kind(), a2akit::ErrorKind::ParseError);
}
