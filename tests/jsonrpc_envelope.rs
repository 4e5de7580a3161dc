//! The JSON-RPC 2.0 envelope: reading requests (and refusing bad ones with
//! the right error and id), writing responses, and the method names.

use a2akit::ErrorKind;
use a2akit::jsonrpc::{Id, Method, Request, Response};
use a2akit::types::{
    Empty, GetExtendedAgentCardRequest, GetTaskRequest, SendMessageRequest, SendMessageResponse,
};
use serde_json::{Value, json};

#[test]
fn the_eleven_methods() {
    let names: Vec<&str> = Method::ALL.iter().map(|m| m.as_str()).collect();
    assert_eq!(
        names,
        [
            "SendMessage",
            "SendStreamingMessage",
            "GetTask",
            "ListTasks",
            "CancelTask",
            "SubscribeToTask",
            "CreateTaskPushNotificationConfig",
            "GetTaskPushNotificationConfig",
            "ListTaskPushNotificationConfigs",
            "DeleteTaskPushNotificationConfig",
            "GetExtendedAgentCard",
        ]
    );
    for method in Method::ALL {
        assert_eq!(method.as_str().parse::<Method>().unwrap(), *method);
    }
    let err = "message/send".parse::<Method>().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::MethodNotFound);
    assert!(Method::SubscribeToTask.is_streaming() && !Method::GetTask.is_streaming());
}

#[test]
fn ids_keep_their_json_type() {
    for (input, id) in [
        (json!("req-1"), Id::from("req-1")),
        (json!(7), Id::from(7)),
        (json!(-3), Id::from(-3)),
        (json!(1.5), Id::Number(serde_json::Number::from_f64(1.5).unwrap())),
        (json!(null), Id::Null),
    ] {
        let body = json!({"jsonrpc": "2.0", "id": input, "method": "GetTask", "params": {"id": "t"}});
        let request = Request::parse(body.to_string().as_bytes()).unwrap();
        assert_eq!(request.id, id);
        let response = serde_json::to_value(Response::success(request.id, Empty {})).unwrap();
        assert_eq!(response, json!({"jsonrpc": "2.0", "id": input, "result": {}}));
    }
}

#[test]
fn a_request_without_id_is_answered_with_null() {
    let request = Request::parse(br#"{"jsonrpc":"2.0","method":"GetTask","params":{"id":"t"}}"#).unwrap();
    assert_eq!(request.id, Id::Null);
}

#[test]
fn params_are_read_as_the_operation_request() {
    let request = Request::parse(
        br#"{"jsonrpc":"2.0","id":"r","method":"SendMessage","params":{"message":{"messageId":"m","role":"ROLE_USER","parts":[{"text":"hi"}]}}}"#,
    )
    .unwrap();
    assert_eq!(request.known_method(), Some(Method::SendMessage));
    let params: SendMessageRequest = request.params_as().unwrap();
    assert_eq!(params.message.text(), "hi");

    // GetExtendedAgentCard may omit params; `null` params read the same.
    for body in [
        r#"{"jsonrpc":"2.0","id":1,"method":"GetExtendedAgentCard"}"#,
        r#"{"jsonrpc":"2.0","id":1,"method":"GetExtendedAgentCard","params":null}"#,
    ] {
        let request = Request::parse(body.as_bytes()).unwrap();
        assert!(request.params.is_none());
        let _: GetExtendedAgentCardRequest = request.params_as().unwrap();
    }
}

#[test]
fn bad_params_are_invalid_params_naming_the_field() {
    let request = Request::parse(
        br#"{"jsonrpc":"2.0","id":1,"method":"GetTask","params":{"id":"t","historyLength":"x"}}"#,
    )
    .unwrap();
    let err = request.params_as::<GetTaskRequest>().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidParams);
    assert!(err.message().starts_with("historyLength:"), "{err}");

    let request =
        Request::parse(br#"{"jsonrpc":"2.0","id":1,"method":"GetTask","params":{"id":5}}"#).unwrap();
    let err = request.params_as::<GetTaskRequest>().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidParams);
    assert!(err.message().starts_with("id:"), "{err}");
}

#[test]
fn bad_envelopes_get_the_right_error_and_id() {
    let cases: &[(&str, ErrorKind, Value)] = &[
        ("", ErrorKind::ParseError, Value::Null),
        ("{", ErrorKind::ParseError, Value::Null),
        ("not json", ErrorKind::ParseError, Value::Null),
        (
            r#"[{"jsonrpc":"2.0","id":1,"method":"GetTask"}]"#,
            ErrorKind::InvalidRequest,
            Value::Null,
        ),
        ("[]", ErrorKind::InvalidRequest, Value::Null),
        ("[1,", ErrorKind::ParseError, Value::Null),
        ("42", ErrorKind::InvalidRequest, Value::Null),
        ("\"x\"", ErrorKind::InvalidRequest, Value::Null),
        ("null", ErrorKind::InvalidRequest, Value::Null),
        (
            r#"{"jsonrpc":"2.0","id":{"a":1},"method":"GetTask"}"#,
            ErrorKind::InvalidRequest,
            Value::Null,
        ),
        (
            r#"{"jsonrpc":"2.0","id":[1],"method":"GetTask"}"#,
            ErrorKind::InvalidRequest,
            Value::Null,
        ),
        (
            r#"{"jsonrpc":"2.0","id":true,"method":"GetTask"}"#,
            ErrorKind::InvalidRequest,
            Value::Null,
        ),
        (
            r#"{"id":5,"method":"GetTask"}"#,
            ErrorKind::InvalidRequest,
            json!(5),
        ),
        (
            r#"{"jsonrpc":"1.0","id":5,"method":"GetTask"}"#,
            ErrorKind::InvalidRequest,
            json!(5),
        ),
        (
            r#"{"jsonrpc":2.0,"id":"a","method":"GetTask"}"#,
            ErrorKind::InvalidRequest,
            json!("a"),
        ),
        (
            r#"{"jsonrpc":"2.0","id":"a"}"#,
            ErrorKind::InvalidRequest,
            json!("a"),
        ),
        (
            r#"{"jsonrpc":"2.0","id":"a","method":7}"#,
            ErrorKind::InvalidRequest,
            json!("a"),
        ),
        (
            r#"{"jsonrpc":"2.0","id":"a","method":"GetTask","params":[1]}"#,
            ErrorKind::InvalidParams,
            json!("a"),
        ),
        (
            r#"{"jsonrpc":"2.0","id":"a","method":"GetTask","params":"t1"}"#,
            ErrorKind::InvalidParams,
            json!("a"),
        ),
    ];
    for (body, kind, id) in cases {
        let rejected = Request::parse(body.as_bytes()).unwrap_err();
        assert_eq!(rejected.error.kind(), *kind, "{body}: {}", rejected.error);
        let response = serde_json::to_value(Response::<Value>::error(rejected.id, &rejected.error)).unwrap();
        assert_eq!(response["id"], *id, "{body}");
        assert_eq!(response["error"]["code"], kind.jsonrpc_code(), "{body}");
    }
}

#[test]
fn unknown_methods_parse_and_are_told_apart() {
    let request = Request::parse(br#"{"jsonrpc":"2.0","id":1,"method":"tasks/get","params":{}}"#).unwrap();
    assert_eq!(request.known_method(), None);
}

#[test]
fn responses_are_read_back() {
    let body = r#"{"result":{"task":{"id":"t","status":{"state":"TASK_STATE_COMPLETED"}}},"id":"r","jsonrpc":"2.0"}"#;
    let response: Response<SendMessageResponse> = serde_json::from_str(body).unwrap();
    assert_eq!(response.id, Id::from("r"));
    assert!(matches!(
        response.into_result().unwrap(),
        SendMessageResponse::Task(_)
    ));

    let body = r#"{"jsonrpc":"2.0","id":1,"error":{"code":-32001,"message":"Task not found"}}"#;
    let response: Response<SendMessageResponse> = serde_json::from_str(body).unwrap();
    assert_eq!(
        response.into_result().unwrap_err().kind(),
        ErrorKind::TaskNotFound
    );

    for bad in [
        r#"{"jsonrpc":"2.0","id":1}"#,
        r#"{"id":1,"result":{}}"#,
        r#"{"jsonrpc":"2.0","id":1,"result":{},"error":{"code":1,"message":"x"}}"#,
    ] {
        assert!(serde_json::from_str::<Response<Empty>>(bad).is_err(), "{bad}");
    }
}

#[test]
fn requests_are_written_as_envelopes() {
    let request = Request::new("r-1", Method::GetTask, &GetTaskRequest::new("t1")).unwrap();
    assert_eq!(
        serde_json::to_value(&request).unwrap(),
        json!({"jsonrpc": "2.0", "id": "r-1", "method": "GetTask", "params": {"id": "t1"}})
    );
}

#[test]
fn a_response_with_error_null_beside_its_result_is_read() {
    for wire in [
        json!({"jsonrpc": "2.0", "id": 1, "result": {"ok": true}, "error": null}),
        json!({"jsonrpc": "2.0", "id": 1, "error": null, "result": {"ok": true}}),
    ] {
        let response: Response<Value> = serde_json::from_value(wire.clone()).expect("read");
        assert_eq!(response.into_result().unwrap(), json!({"ok": true}), "{wire}");
    }
    let both = json!({"jsonrpc": "2.0", "id": 1, "result": {}, "error": {"code": -32603, "message": "x"}});
    assert!(
        serde_json::from_value::<Response<Value>>(both).is_err(),
        "a real error and a result conflict"
    );
}
