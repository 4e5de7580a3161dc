//! Every A2A error of the v1.0.1 table, and the JSON-RPC errors, through the
//! JSON-RPC error object and the HTTP+JSON `google.rpc.Status` body.

use a2akit::error::{ERROR_DOMAIN, ERROR_INFO_TYPE, GrpcCode, HttpErrorBody};
use a2akit::jsonrpc::{ErrorObject, Id, Response};
use a2akit::{Error, ErrorKind};
use serde_json::{Value, json};

/// The table: kind, JSON-RPC code, gRPC code, HTTP status, ErrorInfo reason.
const A2A_ERRORS: &[(ErrorKind, i64, &str, u16, &str)] = &[
    (
        ErrorKind::TaskNotFound,
        -32001,
        "NOT_FOUND",
        404,
        "TASK_NOT_FOUND",
    ),
    (
        ErrorKind::TaskNotCancelable,
        -32002,
        "FAILED_PRECONDITION",
        400,
        "TASK_NOT_CANCELABLE",
    ),
    (
        ErrorKind::PushNotificationNotSupported,
        -32003,
        "FAILED_PRECONDITION",
        400,
        "PUSH_NOTIFICATION_NOT_SUPPORTED",
    ),
    (
        ErrorKind::UnsupportedOperation,
        -32004,
        "FAILED_PRECONDITION",
        400,
        "UNSUPPORTED_OPERATION",
    ),
    (
        ErrorKind::ContentTypeNotSupported,
        -32005,
        "INVALID_ARGUMENT",
        400,
        "CONTENT_TYPE_NOT_SUPPORTED",
    ),
    (
        ErrorKind::InvalidAgentResponse,
        -32006,
        "INTERNAL",
        500,
        "INVALID_AGENT_RESPONSE",
    ),
    (
        ErrorKind::ExtendedAgentCardNotConfigured,
        -32007,
        "FAILED_PRECONDITION",
        400,
        "EXTENDED_AGENT_CARD_NOT_CONFIGURED",
    ),
    (
        ErrorKind::ExtensionSupportRequired,
        -32008,
        "FAILED_PRECONDITION",
        400,
        "EXTENSION_SUPPORT_REQUIRED",
    ),
    (
        ErrorKind::VersionNotSupported,
        -32009,
        "FAILED_PRECONDITION",
        400,
        "VERSION_NOT_SUPPORTED",
    ),
];

/// The standard JSON-RPC errors and the authentication outcomes: kind,
/// JSON-RPC code, gRPC code, HTTP status.
const OTHER_ERRORS: &[(ErrorKind, i64, &str, u16)] = &[
    (ErrorKind::ParseError, -32700, "INVALID_ARGUMENT", 400),
    (ErrorKind::InvalidRequest, -32600, "INVALID_ARGUMENT", 400),
    (ErrorKind::MethodNotFound, -32601, "UNIMPLEMENTED", 404),
    (ErrorKind::InvalidParams, -32602, "INVALID_ARGUMENT", 400),
    (ErrorKind::Internal, -32603, "INTERNAL", 500),
    (ErrorKind::ResourceExhausted, -32000, "RESOURCE_EXHAUSTED", 429),
    (ErrorKind::Unauthenticated, -31401, "UNAUTHENTICATED", 401),
    (ErrorKind::PermissionDenied, -31403, "PERMISSION_DENIED", 403),
];

fn sample(kind: ErrorKind) -> Error {
    Error::new(kind, format!("something about task t-1 went wrong ({kind})")).with_metadata("taskId", "t-1")
}

#[test]
fn the_table_covers_every_kind() {
    // The four client-side kinds never travel on the wire.
    assert_eq!(A2A_ERRORS.len() + OTHER_ERRORS.len() + 4, ErrorKind::ALL.len());
}

#[test]
fn a2a_errors_have_the_table_codes() {
    for &(kind, code, grpc, http, reason) in A2A_ERRORS {
        assert_eq!(i64::from(kind.jsonrpc_code()), code, "{kind}");
        assert_eq!(kind.grpc_code().as_str(), grpc, "{kind}");
        assert_eq!(kind.http_status(), http, "{kind}");
        assert_eq!(kind.reason(), Some(reason), "{kind}");
        assert_eq!(ErrorKind::from_reason(reason), Some(kind));
        assert_eq!(ErrorKind::from_jsonrpc_code(code), Some(kind));
    }
}

#[test]
fn a2a_errors_round_trip_through_jsonrpc() {
    for &(kind, code, _, _, reason) in A2A_ERRORS {
        let err = sample(kind);
        let response = Response::<Value>::error(Id::from("req-1"), &err);
        let wire = serde_json::to_value(&response).unwrap();
        assert_eq!(wire["jsonrpc"], "2.0");
        assert_eq!(wire["id"], "req-1");
        assert_eq!(wire["error"]["code"], code);
        assert_eq!(wire["error"]["message"], err.message());
        let data = wire["error"]["data"].as_array().expect("data is an array");
        assert!(
            data.iter().all(|d| d["@type"].is_string()),
            "every detail has @type"
        );
        assert_eq!(
            data[0],
            json!({"@type": ERROR_INFO_TYPE, "reason": reason, "domain": ERROR_DOMAIN, "metadata": {"taskId": "t-1"}})
        );

        let back: Response<Value> = serde_json::from_value(wire).unwrap();
        let back = back.into_result().unwrap_err();
        assert_eq!(back, err, "{kind}");
    }
}

#[test]
fn a2a_errors_round_trip_through_http_json() {
    for &(kind, _, grpc, http, reason) in A2A_ERRORS {
        let err = sample(kind);
        let wire = serde_json::to_value(err.to_http()).unwrap();
        assert_eq!(wire["error"]["code"], http);
        assert_eq!(wire["error"]["status"], grpc);
        assert_eq!(wire["error"]["message"], err.message());
        assert_eq!(wire["error"]["details"][0]["@type"], ERROR_INFO_TYPE);
        assert_eq!(wire["error"]["details"][0]["reason"], reason);
        assert_eq!(wire["error"]["details"][0]["domain"], ERROR_DOMAIN);

        let body: HttpErrorBody = serde_json::from_value(wire).unwrap();
        assert_eq!(Error::from_http(http, &body), err, "{kind}");
    }
}

#[test]
fn other_errors_have_their_codes_and_round_trip_through_jsonrpc() {
    for &(kind, code, grpc, http) in OTHER_ERRORS {
        assert_eq!(i64::from(kind.jsonrpc_code()), code);
        assert_eq!(kind.grpc_code().as_str(), grpc);
        assert_eq!(kind.http_status(), http);
        assert_eq!(kind.reason(), None);
        let err = Error::new(kind, "bad");
        let object = err.to_jsonrpc();
        assert_eq!(object.code, code);
        assert!(object.data.is_none(), "no ErrorInfo for {kind}");
        assert_eq!(Error::from_jsonrpc(&object), err);
    }
}

#[test]
fn other_errors_read_back_from_http_by_status() {
    // Over HTTP+JSON these carry no ErrorInfo; the status name decides.
    for (kind, expected) in [
        (ErrorKind::InvalidParams, ErrorKind::InvalidParams),
        (ErrorKind::ParseError, ErrorKind::InvalidParams),
        (ErrorKind::Internal, ErrorKind::Internal),
        (ErrorKind::Unauthenticated, ErrorKind::Unauthenticated),
        (ErrorKind::PermissionDenied, ErrorKind::PermissionDenied),
    ] {
        let body = Error::new(kind, "x").to_http();
        assert_eq!(
            Error::from_http(kind.http_status(), &body).kind(),
            expected,
            "{kind}"
        );
    }
}

#[test]
fn constructors_say_what_was_wrong() {
    let cases = [
        (Error::task_not_found("t9"), "task t9 not found"),
        (
            Error::task_not_cancelable("t9", "it is already completed"),
            "task t9 cannot be canceled: it is already completed",
        ),
        (
            Error::content_type_not_supported("image/gif"),
            "media type \"image/gif\" is not supported",
        ),
        (
            Error::extension_support_required("https://x/ext"),
            "extension https://x/ext is required",
        ),
        (
            Error::version_not_supported(""),
            "protocol version 0.3 (no A2A-Version header) is not supported",
        ),
        (
            Error::version_not_supported("2.0"),
            "protocol version 2.0 is not supported",
        ),
        (
            Error::method_not_found("message/send"),
            "method \"message/send\" not found",
        ),
        (
            Error::invalid_field("message.parts", "must not be empty"),
            "message.parts: must not be empty",
        ),
    ];
    for (err, start) in cases {
        assert!(err.to_string().starts_with(start), "{err}");
    }
    assert_eq!(Error::task_not_found("t9").metadata()["taskId"], "t9");
    let detail = &Error::invalid_field("message.parts", "empty")
        .to_jsonrpc()
        .data
        .unwrap()[0];
    assert_eq!(detail["@type"], "type.googleapis.com/google.rpc.BadRequest");
    assert_eq!(detail["fieldViolations"][0]["field"], "message.parts");
}

#[test]
fn peers_errors_are_read_by_code_then_reason() {
    // Python sends "metadata": {}; JS leaves it out; both read the same.
    let python: ErrorObject = serde_json::from_value(json!({"code": -32001, "message": "Task not found",
        "data": [{"@type": ERROR_INFO_TYPE, "reason": "TASK_NOT_FOUND", "domain": ERROR_DOMAIN, "metadata": {}}]}))
    .unwrap();
    let js: ErrorObject = serde_json::from_value(json!({"code": -32001, "message": "Task not found: t1",
        "data": [{"@type": ERROR_INFO_TYPE, "reason": "TASK_NOT_FOUND", "domain": ERROR_DOMAIN}]}))
    .unwrap();
    assert_eq!(Error::from_jsonrpc(&python).kind(), ErrorKind::TaskNotFound);
    assert_eq!(Error::from_jsonrpc(&js).kind(), ErrorKind::TaskNotFound);

    // An unknown code with a known reason reads by reason.
    let odd = ErrorObject {
        code: -32099,
        message: "x".into(),
        data: Some(
            json!([{"@type": ERROR_INFO_TYPE, "reason": "TASK_NOT_CANCELABLE", "domain": ERROR_DOMAIN}]),
        ),
    };
    assert_eq!(Error::from_jsonrpc(&odd).kind(), ErrorKind::TaskNotCancelable);

    // An unknown code without reason is internal and keeps the code in the message.
    let unknown = ErrorObject {
        code: -32050,
        message: "odd".into(),
        data: None,
    };
    let err = Error::from_jsonrpc(&unknown);
    assert_eq!(err.kind(), ErrorKind::Internal);
    assert!(err.message().contains("-32050"));

    // A REST error with no ErrorInfo reads by its status name.
    let body: HttpErrorBody =
        serde_json::from_value(json!({"error": {"code": 404, "status": "NOT_FOUND", "message": "gone"}}))
            .unwrap();
    assert_eq!(Error::from_http(404, &body).kind(), ErrorKind::TaskNotFound);
    // …and without a status name, by the HTTP status.
    let body: HttpErrorBody = serde_json::from_value(json!({"error": {"message": "who are you"}})).unwrap();
    assert_eq!(Error::from_http(401, &body).kind(), ErrorKind::Unauthenticated);
}

#[test]
fn other_details_survive_a_round_trip() {
    let err = Error::invalid_field("configuration.historyLength", "must not be negative");
    let back = Error::from_jsonrpc(&err.to_jsonrpc());
    assert_eq!(back.details(), err.details());
    let back = Error::from_http(400, &err.to_http());
    assert_eq!(back.details(), err.details());
}

#[test]
fn grpc_codes_have_their_names_and_numbers() {
    assert_eq!(
        GrpcCode::from_name("FAILED_PRECONDITION"),
        Some(GrpcCode::FailedPrecondition)
    );
    assert_eq!(GrpcCode::FailedPrecondition.number(), 9);
    assert_eq!(GrpcCode::from_number(16), Some(GrpcCode::Unauthenticated));
    assert_eq!(GrpcCode::from_number(17), None);
    assert_eq!(GrpcCode::from_name("NOPE"), None);
}

#[test]
fn null_messages_and_details_read_as_absent() {
    let object: ErrorObject =
        serde_json::from_value(json!({"code": -32001, "message": null, "data": null})).unwrap();
    assert_eq!(object.message, "");
    assert_eq!(Error::from_jsonrpc(&object).kind(), ErrorKind::TaskNotFound);
    let body: HttpErrorBody = serde_json::from_value(
        json!({"error": {"code": 404, "status": null, "message": null, "details": null}}),
    )
    .unwrap();
    assert!(body.error.details.is_empty());
    assert_eq!(body.error.message, "");
}
