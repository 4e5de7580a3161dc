//! The wire examples of the A2A v1.0 specification, read into our types and
//! written back.
//!
//! Covered: every JSON example in section 6 ("Common Workflows & Examples")
//! and section 8.5 ("Sample Agent Card") of `specification.md`, and every
//! example in section 5 ("Wire examples") of our implementer's digest. Each
//! test parses an example with `a2akit::types::json`, writes it back with
//! `serde_json::to_value` and compares the result with the example read as a
//! plain `serde_json::Value`.
//!
//! Where an example breaks the proto (or is not JSON at all), the test says
//! so, checks that our parser rejects the broken part with an error naming
//! the field, and round-trips the example with that part fixed.
//!
//! Left out, because they hold no A2A JSON:
//! - the HTTP request lines, status lines and headers around every example
//!   (`Content-Type`, `Authorization`, `A2A-Version`); only the bodies are
//!   A2A objects;
//! - section 6.5: the four `GET /tasks?...` requests, which carry their
//!   parameters in the query string and have no body (the one invalid enum
//!   value among them is still checked, see
//!   `list_tasks_validation_error_is_problem_json_not_a_status_body`);
//! - section 6.9: the `GET /.well-known/agent-card.json` and
//!   `GET /extendedAgentCard` requests, which have no body;
//! - digest section 5: the sentence "A Message answer is
//!   `"result":{"message":{…"role":"ROLE_AGENT"…}}` instead", which is prose
//!   with ellipses in place of the fields, not a JSON document;
//! - section 8.5: the JWS inside `signatures` is checked as card data only;
//!   verifying the signature is not a matter of the wire types.

use std::collections::BTreeMap;

use a2akit::error::HttpErrorBody;
use a2akit::jsonrpc::{Id, Method, Request, Response};
use a2akit::types::{
    AgentCapabilities, AgentCard, ListTasksRequest, ListTasksResponse, PartContent, Role, SecurityScheme,
    SendMessageRequest, SendMessageResponse, StreamResponse, Task, TaskState, binding, json,
};
use a2akit::{Error, ErrorKind};
use chrono::{DateTime, SecondsFormat, Utc};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

// ---------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------

/// Reads `example` as `T`, writes it back and checks the output equals the
/// example as a JSON value.
fn round_trip<T: DeserializeOwned + Serialize>(example: &str) -> T {
    round_trip_with(example, |value| value)
}

/// Like [`round_trip`], but compares with every RFC 3339 timestamp on both
/// sides rewritten to one form, for examples that write a timestamp with a
/// number of fractional digits our output never uses (such as `.000Z`).
fn round_trip_normalised<T: DeserializeOwned + Serialize>(example: &str) -> T {
    round_trip_with(example, normalise_timestamps)
}

fn round_trip_with<T: DeserializeOwned + Serialize>(example: &str, normalise: impl Fn(Value) -> Value) -> T {
    let parsed: T =
        json::from_str(example).unwrap_or_else(|err| panic!("example does not parse: {err}\n{example}"));
    let written = serde_json::to_value(&parsed).expect("our output is JSON");
    let expected: Value = serde_json::from_str(example).expect("the example is JSON");
    assert_eq!(
        normalise(written),
        normalise(expected),
        "written back differently:\n{example}"
    );
    parsed
}

/// Rewrites every string that is an RFC 3339 timestamp to UTC with nine
/// fractional digits, so that `10:15:31.000Z` and `10:15:31Z` compare equal.
/// For comparison only.
fn normalise_timestamps(value: Value) -> Value {
    match value {
        Value::String(text) => match DateTime::parse_from_rfc3339(&text) {
            Ok(time) => Value::String(
                time.with_timezone(&Utc)
                    .to_rfc3339_opts(SecondsFormat::Nanos, true),
            ),
            Err(_) => Value::String(text),
        },
        Value::Array(items) => Value::Array(items.into_iter().map(normalise_timestamps).collect()),
        Value::Object(entries) => Value::Object(
            entries
                .into_iter()
                .map(|(key, value)| (key, normalise_timestamps(value)))
                .collect(),
        ),
        other => other,
    }
}

/// Reads a JSON-RPC request, checks its method, reads its params as `P`,
/// writes the whole request back and compares it with the example.
fn rpc_request_round_trip<P: DeserializeOwned + Serialize>(example: &str, method: Method) -> P {
    let request = Request::parse(example.as_bytes())
        .unwrap_or_else(|rejected| panic!("envelope rejected: {}", rejected.error));
    assert_eq!(request.known_method(), Some(method));
    let params: P = request
        .params_as()
        .unwrap_or_else(|err| panic!("params do not parse: {err}"));
    let written = Request::new(request.id.clone(), method, &params).expect("params encode");
    let written = serde_json::to_value(&written).expect("our output is JSON");
    let expected: Value = serde_json::from_str(example).expect("the example is JSON");
    assert_eq!(written, expected);
    params
}

/// The `data:` payloads of an SSE stream, one per event (an event's data
/// lines joined by newlines, as the SSE format says).
fn sse_data(stream: &str) -> Vec<String> {
    let mut events = Vec::new();
    let mut data: Vec<&str> = Vec::new();
    for line in stream.lines().chain(std::iter::once("")) {
        if line.is_empty() {
            if !data.is_empty() {
                events.push(data.join("\n"));
                data.clear();
            }
        } else if let Some(payload) = line.strip_prefix("data:") {
            data.push(payload.strip_prefix(' ').unwrap_or(payload));
        }
    }
    events
}

/// Parses `example` as a JSON value, applies `fix` and gives the fixed JSON.
fn fixed(example: &str, fix: impl FnOnce(&mut Value)) -> String {
    let mut value: Value = serde_json::from_str(example).expect("the example is JSON");
    fix(&mut value);
    value.to_string()
}

/// The example with the fields the proto marks REQUIRED on an AgentCard
/// added at their defaults where missing: our writer always writes those, so
/// an example that shows only part of a card comes back with them.
fn with_required_card_fields(mut card: Value) -> Value {
    let object = card.as_object_mut().expect("a card is an object");
    for (key, default) in [
        ("name", json!("")),
        ("description", json!("")),
        ("supportedInterfaces", json!([])),
        ("version", json!("")),
        ("capabilities", json!({})),
        ("defaultInputModes", json!([])),
        ("defaultOutputModes", json!([])),
        ("skills", json!([])),
    ] {
        object.entry(key).or_insert(default);
    }
    card
}

// ---------------------------------------------------------------------------
// Specification section 6.1: basic task execution
// ---------------------------------------------------------------------------

// Section 6.1, request body of `POST /message:send`.
#[test]
fn send_message_request_with_text_part() {
    let request: SendMessageRequest = round_trip(
        r#"{
  "message": {
    "role": "ROLE_USER",
    "parts": [{"text": "What is the weather today?"}],
    "messageId": "msg-uuid"
  }
}"#,
    );
    assert_eq!(request.message.role, Role::User);
    assert_eq!(request.message.text(), "What is the weather today?");
}

// Section 6.1, response body: a completed task with one artifact.
#[test]
fn send_message_response_with_completed_task_and_artifact() {
    let response: SendMessageResponse = round_trip(
        r#"{
  "task": {
    "id": "task-uuid",
    "contextId": "context-uuid",
    "status": {"state": "TASK_STATE_COMPLETED"},
    "artifacts": [{
      "artifactId": "artifact-uuid",
      "name": "Weather Report",
      "parts": [{"text": "Today will be sunny with a high of 75°F"}]
    }]
  }
}"#,
    );
    let SendMessageResponse::Task(task) = response else {
        panic!("expected a task");
    };
    assert_eq!(task.status.state, TaskState::Completed);
    assert_eq!(task.artifacts[0].name, "Weather Report");
}

// ---------------------------------------------------------------------------
// Specification section 6.2: streaming task execution
// ---------------------------------------------------------------------------

// Section 6.2, request body of `POST /message:stream`.
#[test]
fn streaming_send_message_request() {
    round_trip::<SendMessageRequest>(
        r#"{
  "message": {
    "role": "ROLE_USER",
    "parts": [{"text": "Write a detailed report on climate change"}],
    "messageId": "msg-uuid"
  }
}"#,
    );
}

// Section 6.2, the SSE response stream of the HTTP+JSON binding: each `data:`
// is a bare StreamResponse.
//
// The second event breaks the proto: its artifact has no `artifactId`, which
// the proto marks REQUIRED (the digest lists this among the upstream
// inconsistencies). Our parser reads it as the official parser does, with
// the id empty; with an id added the event round-trips.
#[test]
fn streaming_sse_events_task_artifact_and_status_updates() {
    let events = sse_data(
        r##"data: {"task": {"id": "task-uuid", "contextId": "context-uuid", "status": {"state": "TASK_STATE_WORKING"}}}

data: {"artifactUpdate": {"taskId": "task-uuid", "contextId": "context-uuid", "artifact": {"parts": [{"text": "# Climate Change Report\n\n"}]}}}

data: {"statusUpdate": {"taskId": "task-uuid", "contextId": "context-uuid", "status": {"state": "TASK_STATE_COMPLETED"}}}
"##,
    );
    assert_eq!(events.len(), 3);

    let first: StreamResponse = round_trip(&events[0]);
    assert!(matches!(first, StreamResponse::Task(ref task) if task.status.state == TaskState::Working));

    // The artifact without its id.
    let StreamResponse::ArtifactUpdate(update) = json::from_str::<StreamResponse>(&events[1]).unwrap() else {
        panic!("expected an artifact update");
    };
    assert_eq!(update.artifact.artifact_id, "");
    let with_id = fixed(&events[1], |event| {
        event["artifactUpdate"]["artifact"]["artifactId"] = json!("artifact-uuid");
    });
    let second: StreamResponse = round_trip(&with_id);
    let StreamResponse::ArtifactUpdate(update) = second else {
        panic!("expected an artifact update");
    };
    assert_eq!(
        update.artifact.parts[0].as_text(),
        Some("# Climate Change Report\n\n")
    );

    let third: StreamResponse = round_trip(&events[2]);
    assert!(
        matches!(third, StreamResponse::StatusUpdate(ref update) if update.status.state == TaskState::Completed)
    );
}

// ---------------------------------------------------------------------------
// Specification section 6.3: multi-turn interaction
// ---------------------------------------------------------------------------

// Section 6.3, initial request body.
#[test]
fn multi_turn_initial_send_message_request() {
    round_trip::<SendMessageRequest>(
        r#"{
  "message": {
    "role": "ROLE_USER",
    "parts": [{"text": "Book me a flight"}],
    "messageId": "msg-1"
  }
}"#,
    );
}

// Section 6.3, response body: a task waiting for input, with the agent's
// question as its status message.
//
// The example breaks the proto: the status message has no `messageId`, which
// the proto marks REQUIRED. Our parser reads it as the official parser does,
// with the id empty; with an id added the response round-trips. (The task
// has no `contextId`; that field is not REQUIRED, so leaving it out is
// allowed.)
#[test]
fn multi_turn_input_required_response_with_status_message() {
    let example = r#"{
  "task": {
    "id": "task-uuid",
    "status": {
      "state": "TASK_STATE_INPUT_REQUIRED",
      "message": {
        "role": "ROLE_AGENT",
        "parts": [{"text": "I need more details. Where would you like to fly from and to?"}]
      }
    }
  }
}"#;
    let SendMessageResponse::Task(task) = json::from_str::<SendMessageResponse>(example).unwrap() else {
        panic!("expected a task");
    };
    assert_eq!(task.status.message.unwrap().message_id, "");

    let with_id = fixed(example, |response| {
        response["task"]["status"]["message"]["messageId"] = json!("msg-agent-1");
    });
    let response: SendMessageResponse = round_trip(&with_id);
    let SendMessageResponse::Task(task) = response else {
        panic!("expected a task");
    };
    assert_eq!(task.status.state, TaskState::InputRequired);
    assert_eq!(task.context_id, "");
    let question = task.status.message.expect("a status message");
    assert_eq!(question.role, Role::Agent);
}

// Section 6.3, follow-up request body: continues the task by its id.
#[test]
fn multi_turn_follow_up_request_with_task_id() {
    let request: SendMessageRequest = round_trip(
        r#"{
  "message": {
    "taskId": "task-uuid",
    "role": "ROLE_USER",
    "parts": [{"text": "From San Francisco to New York"}],
    "messageId": "msg-2"
  }
}"#,
    );
    assert_eq!(request.message.task_id, "task-uuid");
    assert_eq!(request.message.context_id, "");
}

// ---------------------------------------------------------------------------
// Specification section 6.4: version negotiation error
// ---------------------------------------------------------------------------

// Section 6.4, request body (sent with `A2A-Version: 0.5`, a header).
#[test]
fn version_negotiation_request_body() {
    round_trip::<SendMessageRequest>(
        r#"{
  "message": {
    "role": "ROLE_USER",
    "parts": [{"text": "Hello"}],
    "messageId": "msg-uuid"
  }
}"#,
    );
}

// Section 6.4, error response.
//
// The example is an RFC 9457 `application/problem+json` body, which the
// HTTP+JSON binding no longer uses: its errors are a `google.rpc.Status`
// under `"error"` (section 11.6; the digest lists this example as obsolete).
// Our error body rejects it for lacking `error`. The same error in the
// binding's form is a VersionNotSupportedError: HTTP 400,
// FAILED_PRECONDITION, reason VERSION_NOT_SUPPORTED; that body round-trips.
#[test]
fn version_not_supported_error_is_problem_json_not_a_status_body() {
    let problem = r#"{
  "type": "https://a2a-protocol.org/errors/version-not-supported",
  "title": "Protocol Version Not Supported",
  "status": 400,
  "detail": "The requested A2A protocol version 0.5 is not supported by this agent",
  "supportedVersions": ["0.3"]
}"#;
    let err = json::from_str::<HttpErrorBody>(problem).unwrap_err();
    assert!(err.message().contains("`error`"), "{err}");

    // The same error as the HTTP+JSON binding writes it.
    let status_body = r#"{
  "error": {
    "code": 400,
    "status": "FAILED_PRECONDITION",
    "message": "The requested A2A protocol version 0.5 is not supported by this agent",
    "details": [{
      "@type": "type.googleapis.com/google.rpc.ErrorInfo",
      "reason": "VERSION_NOT_SUPPORTED",
      "domain": "a2a-protocol.org",
      "metadata": {"version": "0.5"}
    }]
  }
}"#;
    let body: HttpErrorBody = round_trip(status_body);
    let error = Error::from_http(400, &body);
    assert_eq!(error.kind(), ErrorKind::VersionNotSupported);
    assert_eq!(error.kind().http_status(), 400);
    assert_eq!(error.kind().jsonrpc_code(), -32009);
    assert_eq!(error.metadata()["version"], "0.5");
    assert_eq!(
        serde_json::to_value(error.to_http()).unwrap(),
        serde_json::from_str::<Value>(status_body).unwrap()
    );

    // Our own constructor writes the same body apart from the wording.
    let ours = Error::version_not_supported("0.5").to_http();
    assert_eq!(ours.error.code, body.error.code);
    assert_eq!(ours.error.status, body.error.status);
    assert_eq!(ours.error.details, body.error.details);
}

// ---------------------------------------------------------------------------
// Specification section 6.5: task listing and management
// ---------------------------------------------------------------------------

// Section 6.5, response to the tasks of one context; `nextPageToken` is `""`
// on the last page and still written.
#[test]
fn list_tasks_response_for_one_context() {
    let response: ListTasksResponse = round_trip(
        r#"{
  "tasks": [
    {
      "id": "3f36680c-7f37-4a5f-945e-d78981fafd36",
      "contextId": "c295ea44-7543-4f78-b524-7a38915ad6e4",
      "status": {
        "state": "TASK_STATE_COMPLETED",
        "timestamp": "2024-03-15T10:15:00Z"
      }
    }
  ],
  "totalSize": 5,
  "pageSize": 10,
  "nextPageToken": ""
}"#,
    );
    assert_eq!(response.tasks.len(), 1);
    assert_eq!((response.total_size, response.page_size), (5, 10));
    assert_eq!(response.next_page_token, "");
}

// Section 6.5, response to all working tasks: a task with a status message.
#[test]
fn list_tasks_response_for_working_tasks_with_status_message() {
    let response: ListTasksResponse = round_trip(
        r#"{
  "tasks": [
    {
      "id": "789abc-def0-1234-5678-9abcdef01234",
      "contextId": "another-context-id",
      "status": {
        "state": "TASK_STATE_WORKING",
        "message": {
          "role": "ROLE_AGENT",
          "parts": [
            {
              "text": "Processing your document analysis..."
            }
          ],
          "messageId": "msg-status-update"
        },
        "timestamp": "2024-03-15T10:20:00Z"
      }
    }
  ],
  "totalSize": 1,
  "pageSize": 20,
  "nextPageToken": ""
}"#,
    );
    assert_eq!(response.tasks[0].status.state, TaskState::Working);
}

// Section 6.5, pagination response.
//
// The example is not JSON: it has a `/* ... */` comment where the tasks
// would be. With the comment removed (no tasks) it round-trips.
#[test]
fn list_tasks_pagination_response_with_next_page_token() {
    let example = r#"{
  "tasks": [
    /* ... additional tasks */
  ],
  "totalSize": 15,
  "pageSize": 10,
  "nextPageToken": "base64-encoded-next-cursor-token"
}"#;
    let err = json::from_str::<ListTasksResponse>(example).unwrap_err();
    assert!(err.is_syntax(), "{err}");

    let without_comment = example.replace("/* ... additional tasks */", "");
    let response: ListTasksResponse = round_trip(&without_comment);
    assert!(response.tasks.is_empty());
    assert_eq!(response.next_page_token, "base64-encoded-next-cursor-token");
}

// Section 6.5, validation error response to
// `GET /tasks?pageSize=150&historyLength=-5&status=TASK_STATE_RUNNING`.
//
// The example is an RFC 9457 `application/problem+json` body, which the
// HTTP+JSON binding no longer uses (see section 6.4 above). Our error body
// rejects it for lacking `error`. The same error in the binding's form is
// HTTP 400 INVALID_ARGUMENT with a `google.rpc.BadRequest` listing the three
// fields; that body round-trips and reads as invalid params.
//
// None of the request's query values is wrong at the type level (ranges,
// and states this version does not know, are checked by the server): our
// ListTasksRequest reads `TASK_STATE_RUNNING` as an unrecognized state.
#[test]
fn list_tasks_validation_error_is_problem_json_not_a_status_body() {
    let request = json::from_str::<ListTasksRequest>(r#"{"status": "TASK_STATE_RUNNING"}"#).unwrap();
    assert_eq!(request.status, Some(TaskState::Unrecognized(None)));

    let problem = r#"{
  "status": 400,
  "detail": "Invalid parameters",
  "errors": [
    {
      "field": "pageSize",
      "message": "Must be between 1 and 100 inclusive, got 150"
    },
    {
      "field": "historyLength",
      "message": "Must be non-negative integer, got -5"
    },
    {
      "field": "status",
      "message": "Invalid status value 'TASK_STATE_RUNNING'. Must be one of: TASK_STATE_SUBMITTED, TASK_STATE_WORKING, TASK_STATE_COMPLETED, TASK_STATE_FAILED, TASK_STATE_CANCELED, TASK_STATE_REJECTED, TASK_STATE_INPUT_REQUIRED, TASK_STATE_AUTH_REQUIRED"
    }
  ]
}"#;
    let err = json::from_str::<HttpErrorBody>(problem).unwrap_err();
    assert!(err.message().contains("`error`"), "{err}");

    // The same error as the HTTP+JSON binding writes it.
    let status_body = r#"{
  "error": {
    "code": 400,
    "status": "INVALID_ARGUMENT",
    "message": "Invalid parameters",
    "details": [{
      "@type": "type.googleapis.com/google.rpc.BadRequest",
      "fieldViolations": [
        {
          "field": "pageSize",
          "description": "Must be between 1 and 100 inclusive, got 150"
        },
        {
          "field": "historyLength",
          "description": "Must be non-negative integer, got -5"
        },
        {
          "field": "status",
          "description": "Invalid status value 'TASK_STATE_RUNNING'. Must be one of: TASK_STATE_SUBMITTED, TASK_STATE_WORKING, TASK_STATE_COMPLETED, TASK_STATE_FAILED, TASK_STATE_CANCELED, TASK_STATE_REJECTED, TASK_STATE_INPUT_REQUIRED, TASK_STATE_AUTH_REQUIRED"
        }
      ]
    }]
  }
}"#;
    let body: HttpErrorBody = round_trip(status_body);
    let error = Error::from_http(400, &body);
    assert_eq!(error.kind(), ErrorKind::InvalidParams);
    assert_eq!(error.kind().http_status(), 400);
    assert_eq!(error.details(), body.error.details.as_slice());
    assert_eq!(
        serde_json::to_value(error.to_http()).unwrap(),
        serde_json::from_str::<Value>(status_body).unwrap()
    );
    // On the JSON-RPC binding the same error is -32602 carrying the same detail.
    let object = error.to_jsonrpc();
    assert_eq!(object.code, -32602);
    assert_eq!(object.data, Some(Value::Array(body.error.details.clone())));
}

// ---------------------------------------------------------------------------
// Specification section 6.6: push notification setup and usage
// ---------------------------------------------------------------------------

// Section 6.6, request body with a push notification config in the
// configuration (its `taskId` left out, as the server does not know it yet).
#[test]
fn send_message_request_with_push_notification_config() {
    let request: SendMessageRequest = round_trip(
        r#"{
  "message": {
    "role": "ROLE_USER",
    "parts": [
      {
        "text": "Generate the Q1 sales report. This usually takes a while. Notify me when it's ready."
      }
    ],
    "messageId": "6dbc13b5-bd57-4c2b-b503-24e381b6c8d6"
  },
  "configuration": {
    "taskPushNotificationConfig": {
      "url": "https://client.example.com/webhook/a2a-notifications",
      "authentication": {
        "scheme": "Bearer",
        "credentials": "secure-client-token-for-task-aaa"
      }
    }
  }
}"#,
    );
    let config = request
        .configuration
        .and_then(|c| c.task_push_notification_config)
        .expect("a push config");
    assert_eq!(config.url, "https://client.example.com/webhook/a2a-notifications");
    assert_eq!(config.authentication.expect("authentication").scheme, "Bearer");
}

// Section 6.6, response body: the submitted task.
#[test]
fn send_message_response_with_submitted_task() {
    round_trip::<SendMessageResponse>(
        r#"{
  "task": {
    "id": "43667960-d455-4453-b0cf-1bae4955270d",
    "contextId": "c295ea44-7543-4f78-b524-7a38915ad6e4",
    "status": {
      "state": "TASK_STATE_SUBMITTED",
      "timestamp": "2024-03-15T11:00:00Z"
    }
  }
}"#,
    );
}

// Section 6.6, the body the server POSTs to the webhook: one StreamResponse.
#[test]
fn push_notification_webhook_body_with_status_update() {
    let body: StreamResponse = round_trip(
        r#"{
  "statusUpdate": {
    "taskId": "43667960-d455-4453-b0cf-1bae4955270d",
    "contextId": "c295ea44-7543-4f78-b524-7a38915ad6e4",
    "status": {
      "state": "TASK_STATE_COMPLETED",
      "timestamp": "2024-03-15T18:30:00Z"
    }
  }
}"#,
    );
    assert_eq!(body.task_id(), Some("43667960-d455-4453-b0cf-1bae4955270d"));
}

// ---------------------------------------------------------------------------
// Specification section 6.7: file exchange
// ---------------------------------------------------------------------------

// Section 6.7, request body with a file uploaded as a `raw` part.
//
// The example is not JSON: a comma is missing after the `raw` value and one
// is left over after `mediaType`. Besides, it truncates the base64 with
// `...`, which our parser, like the official Python one, skips as
// characters outside the alphabet: with the commas fixed it reads as the
// same bytes as with the dots removed, and round-trips.
#[test]
fn send_message_request_with_raw_file_part() {
    let example = r#"{
  "message": {
    "role": "ROLE_USER",
    "parts": [
      {
        "text": "Analyze this image and highlight any faces."
      },
      {
        "raw": "iVBORw0KGgoAAAANSUhEUgAAAAUA..."
        "filename": "input_image.png",
        "mediaType": "image/png",
      }
    ],
    "messageId": "6dbc13b5-bd57-4c2b-b503-24e381b6c8d6"
  }
}"#;
    assert!(serde_json::from_str::<Value>(example).is_err());
    let err = json::from_str::<SendMessageRequest>(example).unwrap_err();
    assert!(err.is_syntax(), "{err}");

    let commas_fixed = example
        .replace(
            r#""iVBORw0KGgoAAAANSUhEUgAAAAUA...""#,
            r#""iVBORw0KGgoAAAANSUhEUgAAAAUA...","#,
        )
        .replace(r#""image/png","#, r#""image/png""#);
    let dotted: SendMessageRequest = json::from_str(&commas_fixed).unwrap();

    let base64_fixed = commas_fixed.replace("AAAUA...", "AAAUA");
    let request: SendMessageRequest = round_trip(&base64_fixed);
    assert_eq!(dotted, request);
    let file = &request.message.parts[1];
    let PartContent::Raw(bytes) = &file.content else {
        panic!("expected raw bytes");
    };
    assert!(bytes.starts_with(b"\x89PNG\r\n\x1a\n"));
    assert_eq!(file.filename, "input_image.png");
    assert_eq!(file.media_type, "image/png");
}

// Section 6.7, response body: an artifact that refers to a file by `url`.
#[test]
fn send_message_response_with_url_file_part() {
    let response: SendMessageResponse = round_trip(
        r#"{
  "task": {
    "id": "43667960-d455-4453-b0cf-1bae4955270d",
    "contextId": "c295ea44-7543-4f78-b524-7a38915ad6e4",
    "status": {
      "state": "TASK_STATE_COMPLETED",
      "timestamp": "2024-03-15T12:05:00Z"
    },
    "artifacts": [
      {
        "artifactId": "9b6934dd-37e3-4eb1-8766-962efaab63a1",
        "name": "processed_image_with_faces.png",
        "parts": [
          {
            "url": "https://storage.example.com/processed/task-bbb/output.png?token=xyz",
            "filename": "output.png",
            "mediaType": "image/png"
          }
        ]
      }
    ]
  }
}"#,
    );
    let SendMessageResponse::Task(task) = response else {
        panic!("expected a task");
    };
    let part = &task.artifacts[0].parts[0];
    assert!(matches!(&part.content, PartContent::Url(url) if url.ends_with("?token=xyz")));
}

// ---------------------------------------------------------------------------
// Specification section 6.8: structured data exchange
// ---------------------------------------------------------------------------

// Section 6.8, request body: a text part whose metadata asks for a JSON shape.
#[test]
fn send_message_request_with_part_metadata() {
    let request: SendMessageRequest = round_trip(
        r#"{
  "message": {
    "role": "ROLE_USER",
    "parts": [
      {
        "text": "Show me a list of my open IT tickets",
        "metadata": {
          "mediaType": "application/json",
          "schema": {
            "type": "array",
            "items": {
              "type": "object",
              "properties": {
                "ticketNumber": { "type": "string" },
                "description": { "type": "string" }
              }
            }
          }
        }
      }
    ],
    "messageId": "85b26db5-ffbb-4278-a5da-a7b09dea1b47"
  }
}"#,
    );
    let part = &request.message.parts[0];
    let metadata = part.metadata.as_ref().expect("part metadata");
    assert_eq!(metadata["mediaType"], "application/json");
    // `mediaType` inside metadata is free-form data, not the part's own field.
    assert_eq!(part.media_type, "");
}

// Section 6.8, response body: JSON in a text part, and a timestamp with
// microseconds (six digits, which our output keeps as they are).
#[test]
fn send_message_response_with_microsecond_timestamp() {
    let response: SendMessageResponse = round_trip(
        r#"{
  "task": {
    "id": "d8c6243f-5f7a-4f6f-821d-957ce51e856c",
    "contextId": "c295ea44-7543-4f78-b524-7a38915ad6e4",
    "status": {
      "state": "TASK_STATE_COMPLETED",
      "timestamp": "2025-04-17T17:47:09.680794Z"
    },
    "artifacts": [
      {
        "artifactId": "c5e0382f-b57f-4da7-87d8-b85171fad17c",
        "parts": [
          {
            "text": "[{\"ticketNumber\":\"REQ12312\",\"description\":\"request for VPN access\"},{\"ticketNumber\":\"REQ23422\",\"description\":\"Add to DL - team-gcp-onboarding\"}]"
          }
        ]
      }
    ]
  }
}"#,
    );
    let SendMessageResponse::Task(task) = response else {
        panic!("expected a task");
    };
    let text = task.artifacts[0].parts[0].as_text().expect("a text part");
    let tickets: Value = serde_json::from_str(text).expect("the text is JSON");
    assert_eq!(tickets[0]["ticketNumber"], "REQ12312");
}

// ---------------------------------------------------------------------------
// Specification section 6.9: authenticated extended agent card
// ---------------------------------------------------------------------------

// Section 6.9, step 1: the part of the public card that matters here.
//
// The example shows a fragment of an AgentCard ("Response includes:"). Read
// as a whole card it comes back with the fields the proto marks REQUIRED
// written at their defaults; the two fields it shows also round-trip alone
// as their own types.
#[test]
fn public_agent_card_fragment_with_extended_card_and_openid_scheme() {
    let example = r#"{
  "capabilities": {
    "extendedAgentCard": true
  },
  "securitySchemes": {
    "google": {
      "openIdConnectSecurityScheme": {
        "openIdConnectUrl": "https://accounts.google.com/.well-known/openid-configuration"
      }
    }
  }
}"#;
    let card: AgentCard = json::from_str(example).expect("the fragment reads as a card");
    assert!(card.capabilities.supports_extended_agent_card());
    assert!(matches!(
        &card.security_schemes["google"],
        SecurityScheme::OpenIdConnect(scheme)
            if scheme.open_id_connect_url == "https://accounts.google.com/.well-known/openid-configuration"
    ));
    let expected = with_required_card_fields(serde_json::from_str(example).unwrap());
    assert_eq!(serde_json::to_value(&card).unwrap(), expected);

    let value: Value = serde_json::from_str(example).unwrap();
    round_trip::<AgentCapabilities>(&value["capabilities"].to_string());
    round_trip::<BTreeMap<String, SecurityScheme>>(&value["securitySchemes"].to_string());
}

// Section 6.9, step 3: the extended card's response body.
//
// The example is not JSON: it has a `/* ... */` comment where the skills
// would be. With the comment removed (no skills) it reads as a card, which
// comes back with the other REQUIRED card fields written at their defaults.
#[test]
fn extended_agent_card_response() {
    let example = r#"{
  "name": "Extended Agent with Additional Skills",
  "skills": [
    /* Extended skills available to authenticated users */
  ]
}"#;
    let err = json::from_str::<AgentCard>(example).unwrap_err();
    assert!(err.is_syntax(), "{err}");

    let without_comment = example.replace("/* Extended skills available to authenticated users */", "");
    let card: AgentCard = json::from_str(&without_comment).expect("the card reads");
    assert_eq!(card.name, "Extended Agent with Additional Skills");
    let expected = with_required_card_fields(serde_json::from_str(&without_comment).unwrap());
    assert_eq!(serde_json::to_value(&card).unwrap(), expected);
}

// ---------------------------------------------------------------------------
// Specification section 8.5: sample agent card
// ---------------------------------------------------------------------------

// Section 8.5: a complete agent card with three interfaces, an OpenID Connect
// scheme, a security requirement, two skills and a signature.
#[test]
fn sample_agent_card() {
    let card: AgentCard = round_trip(
        r#"{
  "name": "GeoSpatial Route Planner Agent",
  "description": "Provides advanced route planning, traffic analysis, and custom map generation services. This agent can calculate optimal routes, estimate travel times considering real-time traffic, and create personalized maps with points of interest.",
  "supportedInterfaces": [
    {"url": "https://georoute-agent.example.com/a2a/v1", "protocolBinding": "JSONRPC", "protocolVersion": "1.0"},
    {"url": "https://georoute-agent.example.com/a2a/grpc", "protocolBinding": "GRPC", "protocolVersion": "1.0"},
    {"url": "https://georoute-agent.example.com/a2a/json", "protocolBinding": "HTTP+JSON", "protocolVersion": "1.0"}
  ],
  "provider": {
    "organization": "Example Geo Services Inc.",
    "url": "https://www.examplegeoservices.com"
  },
  "iconUrl": "https://georoute-agent.example.com/icon.png",
  "version": "1.2.0",
  "documentationUrl": "https://docs.examplegeoservices.com/georoute-agent/api",
  "capabilities": {
    "streaming": true,
    "pushNotifications": true,
    "extendedAgentCard": true
  },
  "securitySchemes": {
    "google": {
      "openIdConnectSecurityScheme": {
        "openIdConnectUrl": "https://accounts.google.com/.well-known/openid-configuration"
      }
    }
  },
  "securityRequirements": [{ "schemes": { "google": { "list": ["openid", "profile", "email"] } } }],
  "defaultInputModes": ["application/json", "text/plain"],
  "defaultOutputModes": ["application/json", "image/png"],
  "skills": [
    {
      "id": "route-optimizer-traffic",
      "name": "Traffic-Aware Route Optimizer",
      "description": "Calculates the optimal driving route between two or more locations, taking into account real-time traffic conditions, road closures, and user preferences (e.g., avoid tolls, prefer highways).",
      "tags": ["maps", "routing", "navigation", "directions", "traffic"],
      "examples": [
        "Plan a route from '1600 Amphitheatre Parkway, Mountain View, CA' to 'San Francisco International Airport' avoiding tolls.",
        "{\"origin\": {\"lat\": 37.422, \"lng\": -122.084}, \"destination\": {\"lat\": 37.7749, \"lng\": -122.4194}, \"preferences\": [\"avoid_ferries\"]}"
      ],
      "inputModes": ["application/json", "text/plain"],
      "outputModes": [
        "application/json",
        "application/vnd.geo+json",
        "text/html"
      ]
    },
    {
      "id": "custom-map-generator",
      "name": "Personalized Map Generator",
      "description": "Creates custom map images or interactive map views based on user-defined points of interest, routes, and style preferences. Can overlay data layers.",
      "tags": ["maps", "customization", "visualization", "cartography"],
      "examples": [
        "Generate a map of my upcoming road trip with all planned stops highlighted.",
        "Show me a map visualizing all coffee shops within a 1-mile radius of my current location."
      ],
      "inputModes": ["application/json"],
      "outputModes": [
        "image/png",
        "image/jpeg",
        "application/json",
        "text/html"
      ]
    }
  ],
  "signatures": [
    {
      "protected": "eyJhbGciOiJFUzI1NiIsInR5cCI6IkpPU0UiLCJraWQiOiJrZXktMSIsImprdSI6Imh0dHBzOi8vZXhhbXBsZS5jb20vYWdlbnQvandrcy5qc29uIn0",
      "signature": "QFdkNLNszlGj3z3u0YQGt_T9LixY3qtdQpZmsTdDHDe3fXV9y9-B3m2-XgCpzuhiLt8E0tV6HXoZKHv4GtHgKQ"
    }
  ]
}"#,
    );
    let bindings: Vec<&str> = card
        .supported_interfaces
        .iter()
        .map(|interface| interface.protocol_binding.as_str())
        .collect();
    assert_eq!(bindings, [binding::JSONRPC, binding::GRPC, binding::HTTP_JSON]);
    assert!(card.capabilities.supports_streaming());
    assert!(card.capabilities.supports_push_notifications());
    assert_eq!(
        card.security_requirements[0].schemes["google"].list,
        ["openid", "profile", "email"]
    );
    assert_eq!(card.skills.len(), 2);
    assert_eq!(card.signatures.len(), 1);
}

// ---------------------------------------------------------------------------
// Digest section 5: wire examples
// ---------------------------------------------------------------------------

// Digest section 5, JSON-RPC SendMessage request body (sent with
// `A2A-Version: 1.0`): a text part, a raw file part and `historyLength: 0`,
// which is written because it is set.
#[test]
fn jsonrpc_send_message_request_with_raw_part_and_history_length_zero() {
    assert_eq!(a2akit::PROTOCOL_VERSION, "1.0");
    let params: SendMessageRequest = rpc_request_round_trip(
        r#"{"jsonrpc":"2.0","id":"req-1","method":"SendMessage","params":{
  "message":{"messageId":"6f1c2a52-7d0e-4a3c-9b1e-0d6f0a4f9e11","role":"ROLE_USER",
    "parts":[{"text":"Summarize the attached file"},
             {"raw":"SGVsbG8sIEEyQSE=","filename":"note.txt","mediaType":"text/plain"}]},
  "configuration":{"acceptedOutputModes":["text/plain"],"historyLength":0}}}"#,
        Method::SendMessage,
    );
    assert_eq!(
        params.message.parts[1].content,
        PartContent::Raw(b"Hello, A2A!".to_vec())
    );
    let configuration = params.configuration.expect("a configuration");
    assert_eq!(configuration.history_length, Some(0));
    assert!(!configuration.return_immediately);
}

// Digest section 5, JSON-RPC SendMessage response: a completed task in the
// `task` wrapper, with a millisecond timestamp.
#[test]
fn jsonrpc_send_message_response_with_task() {
    let response: Response<SendMessageResponse> = round_trip(
        r#"{"jsonrpc":"2.0","id":"req-1","result":{"task":{
  "id":"9b2d6c1e-1f7a-4c55-8e0e-3f1d2b7a6c90","contextId":"c7e4f8a2-5b1d-4e9f-a3c6-2d8b0f1e4a77",
  "status":{"state":"TASK_STATE_COMPLETED","timestamp":"2026-09-01T10:15:30.250Z"},
  "artifacts":[{"artifactId":"a1","name":"summary","parts":[{"text":"It says hello to A2A."}]}]}}}"#,
    );
    assert_eq!(response.id, Id::from("req-1"));
    let Ok(SendMessageResponse::Task(task)) = response.outcome else {
        panic!("expected a task result");
    };
    assert!(task.history.is_empty());
}

// Digest section 5, JSON-RPC stream: each SSE `data:` is a whole JSON-RPC
// response whose result is one StreamResponse.
//
// The second event writes its timestamp as `10:15:31.000Z`; our output drops
// an all-zero fraction (`10:15:31Z`), so that event is compared with
// timestamps normalised.
#[test]
fn jsonrpc_stream_events_task_then_status_update() {
    let events = sse_data(
        r#"data: {"jsonrpc":"2.0","id":"req-2","result":{"task":{"id":"t1","contextId":"c1","status":{"state":"TASK_STATE_SUBMITTED"}}}}

data: {"jsonrpc":"2.0","id":"req-2","result":{"statusUpdate":{"taskId":"t1","contextId":"c1","status":{"state":"TASK_STATE_WORKING","timestamp":"2026-09-01T10:15:31.000Z"}}}}

"#,
    );
    assert_eq!(events.len(), 2);

    let first: Response<StreamResponse> = round_trip(&events[0]);
    assert_eq!(first.id, Id::from("req-2"));
    assert!(matches!(first.outcome, Ok(StreamResponse::Task(_))));

    let second: Response<StreamResponse> = round_trip_normalised(&events[1]);
    assert_eq!(second.id, Id::from("req-2"));
    let Ok(StreamResponse::StatusUpdate(update)) = second.outcome else {
        panic!("expected a status update");
    };
    assert_eq!(update.status.state, TaskState::Working);
    let written = serde_json::to_value(&update).unwrap();
    assert_eq!(written["status"]["timestamp"], "2026-09-01T10:15:31Z");
}

// Digest section 5, HTTP+JSON stream event: a bare StreamResponse carrying an
// artifact chunk appended to an earlier one, and the last chunk.
#[test]
fn http_json_stream_artifact_update_appended_last_chunk() {
    let events = sse_data(
        r#"data: {"artifactUpdate":{"taskId":"t1","contextId":"c1","artifact":{"artifactId":"a1","parts":[{"text":" more text"}]},"append":true,"lastChunk":true}}

"#,
    );
    assert_eq!(events.len(), 1);
    let event: StreamResponse = round_trip(&events[0]);
    let StreamResponse::ArtifactUpdate(update) = event else {
        panic!("expected an artifact update");
    };
    assert!(update.append && update.last_chunk);
}

// Digest section 5, HTTP+JSON error body: TaskNotCancelableError with the
// task id in the ErrorInfo metadata. Read and written back exactly.
#[test]
fn http_json_error_body_task_not_cancelable() {
    let example = r#"{"error":{"code":400,"status":"FAILED_PRECONDITION","message":"task t1 is already completed",
  "details":[{"@type":"type.googleapis.com/google.rpc.ErrorInfo","reason":"TASK_NOT_CANCELABLE",
    "domain":"a2a-protocol.org","metadata":{"taskId":"t1"}}]}}"#;
    let body: HttpErrorBody = round_trip(example);
    let error = Error::from_http(400, &body);
    assert_eq!(error.kind(), ErrorKind::TaskNotCancelable);
    assert_eq!(error.kind().http_status(), 400);
    assert_eq!(error.kind().grpc_code().as_str(), "FAILED_PRECONDITION");
    assert_eq!(error.kind().reason(), Some("TASK_NOT_CANCELABLE"));
    assert_eq!(error.message(), "task t1 is already completed");
    assert_eq!(error.metadata()["taskId"], "t1");
    assert!(error.details().is_empty());
    assert_eq!(
        serde_json::to_value(error.to_http()).unwrap(),
        serde_json::from_str::<Value>(example).unwrap()
    );
}

// Digest section 5, JSON-RPC error response: TaskNotFoundError with its
// ErrorInfo in `data`. Read and written back exactly.
#[test]
fn jsonrpc_error_response_task_not_found() {
    let example = r#"{"jsonrpc":"2.0","id":"req-3","error":{"code":-32001,"message":"task not found","data":[{"@type":"type.googleapis.com/google.rpc.ErrorInfo","reason":"TASK_NOT_FOUND","domain":"a2a-protocol.org"}]}}"#;
    let response: Response<Task> = round_trip(example);
    let Err(object) = &response.outcome else {
        panic!("expected an error");
    };
    let error = Error::from_jsonrpc(object);
    assert_eq!(error.kind(), ErrorKind::TaskNotFound);
    assert_eq!(error.kind().jsonrpc_code(), -32001);
    assert_eq!(error.kind().reason(), Some("TASK_NOT_FOUND"));
    assert_eq!(error.message(), "task not found");
    assert_eq!(&error.to_jsonrpc(), object);

    let rebuilt = Response::<Task>::error(response.id.clone(), &error);
    assert_eq!(
        serde_json::to_value(&rebuilt).unwrap(),
        serde_json::from_str::<Value>(example).unwrap()
    );
    assert_eq!(
        response.into_result().unwrap_err().kind(),
        ErrorKind::TaskNotFound
    );
}

// Digest section 5, the `google.rpc.BadRequest` detail of a validation error.
// Our invalid-field error carries exactly this detail, on both bindings, and
// reading it back keeps it.
#[test]
fn bad_request_detail_names_the_invalid_field() {
    let example = r#"{"@type":"type.googleapis.com/google.rpc.BadRequest","fieldViolations":[{"field":"message.parts","description":"…"}]}"#;
    let detail: Value = round_trip(example);

    let error = Error::invalid_field("message.parts", "…");
    assert_eq!(error.kind(), ErrorKind::InvalidParams);
    assert_eq!(error.details(), std::slice::from_ref(&detail));

    let body = error.to_http();
    assert_eq!(body.error.code, 400);
    assert_eq!(body.error.status, "INVALID_ARGUMENT");
    assert_eq!(body.error.details, std::slice::from_ref(&detail));
    assert_eq!(Error::from_http(400, &body), error);

    let object = error.to_jsonrpc();
    assert_eq!(object.code, -32602);
    assert_eq!(object.data, Some(json!([detail])));
    assert_eq!(Error::from_jsonrpc(&object), error);
}
