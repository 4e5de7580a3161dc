//! Hostile input over real sockets: malformed bodies, broken envelopes,
//! wrong types, odd ids and tenants in paths, bad headers and operations on
//! tasks that do not exist, on both HTTP bindings.
//!
//! Every request is built by hand (method, target, header bytes, body
//! bytes) and sent with reqwest, or over a bare TCP socket when reqwest
//! would rewrite the target (a literal `..` segment). Each case states the
//! exact answer: the HTTP status, then for JSON-RPC the error code and the
//! echoed `id`, and for HTTP+JSON the `google.rpc.Status` body with its
//! ErrorInfo reason for A2A errors. The table runs to the end and every
//! mismatch is reported at once; afterwards a normal `SendMessage` on both
//! bindings shows that the server is still serving.

#[path = "../examples/conformance/executor.rs"]
mod conformance;
mod support;

use std::time::Duration;

use a2akit::server::{RequestHandler, http::Routes};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};

const ERROR_INFO_TYPE: &str = "type.googleapis.com/google.rpc.ErrorInfo";
const ERROR_DOMAIN: &str = "a2a-protocol.org";

const PARSE_ERROR: i64 = -32700;
const INVALID_REQUEST: i64 = -32600;
const METHOD_NOT_FOUND: i64 = -32601;
const INVALID_PARAMS: i64 = -32602;
const TASK_NOT_FOUND: i64 = -32001;
const UNSUPPORTED_OPERATION: i64 = -32004;
const CONTENT_TYPE_NOT_SUPPORTED: i64 = -32005;
const VERSION_NOT_SUPPORTED: i64 = -32009;

/// A deep nesting that would overflow the stack of a naive recursive parser.
const DEPTH: usize = 100_000;

fn handler() -> RequestHandler {
    conformance::builder("http://127.0.0.1").build()
}

// ---------------------------------------------------------------------------
// Requests
// ---------------------------------------------------------------------------

/// How a request reaches the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Transport {
    Reqwest,
    /// A bare socket, for targets reqwest would normalise (`/tasks/..`).
    Tcp,
}

/// One request exactly as it goes on the wire.
struct Req {
    method: &'static str,
    /// Path and query, already percent-encoded as intended.
    target: String,
    headers: Vec<(&'static str, Vec<u8>)>,
    body: Option<Vec<u8>>,
    transport: Transport,
}

impl Req {
    /// A request carrying `A2A-Version: 1.0` and nothing else.
    fn new(method: &'static str, target: impl Into<String>) -> Self {
        Self {
            method,
            target: target.into(),
            headers: vec![("a2a-version", b"1.0".to_vec())],
            body: None,
            transport: Transport::Reqwest,
        }
    }

    /// A JSON-RPC `POST /` with a JSON content type and these body bytes.
    fn rpc_bytes(body: impl Into<Vec<u8>>) -> Self {
        Self::new("POST", "/")
            .header("content-type", "application/json")
            .bytes(body)
    }

    /// A well-formed JSON-RPC envelope.
    fn rpc(id: Value, method: &str, params: Value) -> Self {
        Self::rpc_bytes(json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}).to_string())
    }

    /// An HTTP+JSON request without a body.
    fn rest(method: &'static str, target: impl Into<String>) -> Self {
        Self::new(method, target)
    }

    /// Sets a JSON body and `Content-Type: application/json`.
    fn json(self, body: Value) -> Self {
        self.header("content-type", "application/json")
            .bytes(body.to_string())
    }

    /// Sets the body bytes, leaving the headers alone.
    fn bytes(mut self, body: impl Into<Vec<u8>>) -> Self {
        self.body = Some(body.into());
        self
    }

    /// Sets a header, replacing any earlier value.
    fn header(mut self, name: &'static str, value: impl Into<Vec<u8>>) -> Self {
        self.headers.retain(|(n, _)| *n != name);
        self.headers.push((name, value.into()));
        self
    }

    /// Removes a header.
    fn without(mut self, name: &'static str) -> Self {
        self.headers.retain(|(n, _)| *n != name);
        self
    }

    /// Sends to another path and query.
    fn at(mut self, target: impl Into<String>) -> Self {
        self.target = target.into();
        self
    }

    fn over_tcp(mut self) -> Self {
        self.transport = Transport::Tcp;
        self
    }

    /// The request, shortened for a failure report.
    fn describe(&self) -> String {
        let mut out = format!("{} {}", self.method, shorten(&self.target, 120));
        for (name, value) in &self.headers {
            out.push_str(&format!("\n      {name}: {}", shorten_bytes(value, 80)));
        }
        match &self.body {
            Some(body) => out.push_str(&format!(
                "\n      body ({} bytes): {}",
                body.len(),
                shorten_bytes(body, 160)
            )),
            None => out.push_str("\n      no body"),
        }
        if self.transport == Transport::Tcp {
            out.push_str("\n      (sent over a bare TCP socket)");
        }
        out
    }
}

fn shorten(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_owned()
    } else {
        let head: String = text.chars().take(max).collect();
        format!("{head}… ({} chars)", text.chars().count())
    }
}

fn shorten_bytes(bytes: &[u8], max: usize) -> String {
    shorten(&String::from_utf8_lossy(bytes), max)
}

// ---------------------------------------------------------------------------
// Expected answers
// ---------------------------------------------------------------------------

enum Expect {
    /// A JSON-RPC error response with this HTTP status, code and echoed id.
    RpcError { http: u16, code: i64, id: Value },
    /// A JSON-RPC success response echoing this id.
    RpcResult { id: Value },
    /// An HTTP+JSON error: this status, a `google.rpc.Status` body whose
    /// `code` is the same status, this `status` name (`"*"`: any), and the
    /// A2A ErrorInfo reason (`None`: no A2A ErrorInfo at all).
    RestError {
        http: u16,
        status: &'static str,
        reason: Option<&'static str>,
    },
    /// An HTTP+JSON success: 200 with a JSON object body.
    RestOk,
    /// Only the HTTP status is checked (an app's own routes next to the
    /// bindings).
    Routing(u16),
}

fn rpc_error(code: i64, id: Value) -> Expect {
    Expect::RpcError { http: 200, code, id }
}

fn rpc_ok(id: Value) -> Expect {
    Expect::RpcResult { id }
}

fn rest_error(http: u16, status: &'static str, reason: Option<&'static str>) -> Expect {
    Expect::RestError { http, status, reason }
}

/// 400 INVALID_ARGUMENT: malformed JSON, wrong types, invalid values.
fn bad_request() -> Expect {
    rest_error(400, "INVALID_ARGUMENT", None)
}

fn task_not_found() -> Expect {
    rest_error(404, "NOT_FOUND", Some("TASK_NOT_FOUND"))
}

fn version_not_supported() -> Expect {
    rest_error(400, "FAILED_PRECONDITION", Some("VERSION_NOT_SUPPORTED"))
}

/// No route for this method and path: 404 UNIMPLEMENTED (the binding's
/// method-not-found), never a 5xx.
fn no_such_action() -> Expect {
    rest_error(404, "UNIMPLEMENTED", None)
}

/// 405 on the HTTP+JSON binding: a `google.rpc.Status` whose `code` is 405.
fn rest_method_not_allowed() -> Expect {
    rest_error(405, "UNIMPLEMENTED", None)
}

/// A wrong HTTP method on the JSON-RPC path: a JSON-RPC error with HTTP 405.
fn rpc_method_not_allowed() -> Expect {
    Expect::RpcError {
        http: 405,
        code: INVALID_REQUEST,
        id: Value::Null,
    }
}

/// The ErrorInfo reason that goes with an A2A JSON-RPC code.
fn reason_for_code(code: i64) -> Option<&'static str> {
    Some(match code {
        -32001 => "TASK_NOT_FOUND",
        -32002 => "TASK_NOT_CANCELABLE",
        -32003 => "PUSH_NOTIFICATION_NOT_SUPPORTED",
        -32004 => "UNSUPPORTED_OPERATION",
        -32005 => "CONTENT_TYPE_NOT_SUPPORTED",
        -32006 => "INVALID_AGENT_RESPONSE",
        -32007 => "EXTENDED_AGENT_CARD_NOT_CONFIGURED",
        -32008 => "EXTENSION_SUPPORT_REQUIRED",
        -32009 => "VERSION_NOT_SUPPORTED",
        _ => return None,
    })
}

struct Case {
    name: String,
    request: Req,
    expect: Expect,
}

fn case(name: impl Into<String>, request: Req, expect: Expect) -> Case {
    Case {
        name: name.into(),
        request,
        expect,
    }
}

// ---------------------------------------------------------------------------
// Sending
// ---------------------------------------------------------------------------

struct Answer {
    status: u16,
    content_type: String,
    body: Vec<u8>,
}

impl Answer {
    fn describe(&self) -> String {
        format!(
            "HTTP {} [{}] {}",
            self.status,
            self.content_type,
            shorten_bytes(&self.body, 400)
        )
    }
}

fn http_client() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(20))
        .build()
        .expect("a client")
}

async fn send(client: &reqwest::Client, base: &str, request: &Req) -> Result<Answer, String> {
    match request.transport {
        Transport::Reqwest => send_reqwest(client, base, request).await,
        Transport::Tcp => send_tcp(base, request).await,
    }
}

/// The status, content type and body of a response.
async fn read_answer(response: reqwest::Response) -> Result<Answer, String> {
    let status = response.status().as_u16();
    let content_type = response
        .headers()
        .get(reqwest::header::CONTENT_TYPE)
        .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
        .unwrap_or_default();
    let body = response
        .bytes()
        .await
        .map_err(|e| format!("the body could not be read: {e:?}"))?
        .to_vec();
    Ok(Answer {
        status,
        content_type,
        body,
    })
}

async fn send_reqwest(client: &reqwest::Client, base: &str, request: &Req) -> Result<Answer, String> {
    let method = reqwest::Method::from_bytes(request.method.as_bytes()).map_err(|e| e.to_string())?;
    let mut builder = client.request(method, format!("{base}{}", request.target));
    for (name, value) in &request.headers {
        let value = reqwest::header::HeaderValue::from_bytes(value)
            .map_err(|e| format!("header {name} cannot be sent: {e}"))?;
        builder = builder.header(*name, value);
    }
    if let Some(body) = &request.body {
        builder = builder.body(body.clone());
    }
    let response = builder
        .send()
        .await
        .map_err(|e| format!("transport error: {e:?}"))?;
    read_answer(response).await
}

/// Sends the request byte for byte over a fresh connection and reads the
/// answer until the server closes it.
async fn send_tcp(base: &str, request: &Req) -> Result<Answer, String> {
    let authority = base.trim_start_matches("http://");
    let mut stream = tokio::net::TcpStream::connect(authority)
        .await
        .map_err(|e| format!("connect: {e}"))?;
    let mut wire = format!(
        "{} {} HTTP/1.1\r\nhost: {authority}\r\nconnection: close\r\n",
        request.method, request.target
    )
    .into_bytes();
    for (name, value) in &request.headers {
        wire.extend_from_slice(name.as_bytes());
        wire.extend_from_slice(b": ");
        wire.extend_from_slice(value);
        wire.extend_from_slice(b"\r\n");
    }
    let body = request.body.as_deref().unwrap_or_default();
    // A request that frames its own body (chunked) gets no Content-Length.
    if request
        .headers
        .iter()
        .any(|(name, _)| *name == "transfer-encoding")
    {
        wire.extend_from_slice(b"\r\n");
    } else {
        wire.extend_from_slice(format!("content-length: {}\r\n\r\n", body.len()).as_bytes());
    }
    wire.extend_from_slice(body);
    stream.write_all(&wire).await.map_err(|e| format!("write: {e}"))?;
    let mut raw = Vec::new();
    tokio::time::timeout(Duration::from_secs(20), stream.read_to_end(&mut raw))
        .await
        .map_err(|_| "no answer within 20 s".to_owned())?
        .map_err(|e| format!("read: {e}"))?;
    parse_http_response(&raw)
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

fn parse_http_response(raw: &[u8]) -> Result<Answer, String> {
    let end = find(raw, b"\r\n\r\n").ok_or_else(|| format!("no complete head in {raw:?}"))?;
    let head = String::from_utf8_lossy(&raw[..end]);
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .and_then(|line| line.split(' ').nth(1))
        .and_then(|code| code.parse().ok())
        .ok_or_else(|| format!("no status line in {head:?}"))?;
    let mut content_type = String::new();
    let mut chunked = false;
    for line in lines {
        if let Some((name, value)) = line.split_once(':') {
            let value = value.trim();
            match name.trim().to_ascii_lowercase().as_str() {
                "content-type" => content_type = value.to_owned(),
                "transfer-encoding" => chunked = value.eq_ignore_ascii_case("chunked"),
                _ => {}
            }
        }
    }
    let rest = &raw[end + 4..];
    let body = if chunked { dechunk(rest) } else { rest.to_vec() };
    Ok(Answer {
        status,
        content_type,
        body,
    })
}

fn dechunk(mut data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(line_end) = find(data, b"\r\n") {
        let size_text = String::from_utf8_lossy(&data[..line_end]);
        let size = usize::from_str_radix(size_text.split(';').next().unwrap_or("0").trim(), 16).unwrap_or(0);
        if size == 0 {
            break;
        }
        let start = line_end + 2;
        let stop = (start + size).min(data.len());
        out.extend_from_slice(&data[start..stop]);
        data = &data[(stop + 2).min(data.len())..];
    }
    out
}

// ---------------------------------------------------------------------------
// Checking
// ---------------------------------------------------------------------------

fn json_body(answer: &Answer) -> Result<Value, String> {
    if !answer
        .content_type
        .to_ascii_lowercase()
        .contains("application/json")
    {
        return Err(format!(
            "Content-Type is {:?}, not application/json",
            answer.content_type
        ));
    }
    serde_json::from_slice(&answer.body).map_err(|e| format!("the body is not JSON: {e}"))
}

fn check(expect: &Expect, answer: &Answer) -> Result<(), String> {
    match expect {
        Expect::RpcError { http, code, id } => {
            if answer.status != *http {
                return Err(format!("expected HTTP {http}, got {}", answer.status));
            }
            let body = json_body(answer)?;
            check_envelope(&body, id)?;
            if body.get("result").is_some() {
                return Err("an error response must not carry a result".into());
            }
            let error = body
                .get("error")
                .and_then(Value::as_object)
                .ok_or("no error object")?;
            if let Some(extra) = error
                .keys()
                .find(|k| !matches!(k.as_str(), "code" | "message" | "data"))
            {
                return Err(format!("the error object has a member {extra:?}"));
            }
            if error.get("code").and_then(Value::as_i64) != Some(*code) {
                return Err(format!("expected error code {code}, got {}", error["code"]));
            }
            if !error.get("message").is_some_and(Value::is_string) {
                return Err("the error has no string message".into());
            }
            let data = error.get("data");
            if data.is_some_and(|d| !d.is_array()) {
                return Err("error.data is not an array".into());
            }
            if let Some(reason) = reason_for_code(*code) {
                let details = data.and_then(Value::as_array).map_or(&[][..], Vec::as_slice);
                check_error_info(details, Some(reason))?;
            }
            Ok(())
        }
        Expect::RpcResult { id } => {
            if answer.status != 200 {
                return Err(format!("expected HTTP 200, got {}", answer.status));
            }
            let body = json_body(answer)?;
            check_envelope(&body, id)?;
            if body.get("error").is_some() || body.get("result").is_none() {
                return Err("expected a result and no error".into());
            }
            Ok(())
        }
        Expect::RestError { http, status, reason } => {
            if answer.status != *http {
                return Err(format!("expected HTTP {http}, got {}", answer.status));
            }
            let body = json_body(answer)?;
            let error = body
                .get("error")
                .and_then(Value::as_object)
                .ok_or("the body is not a google.rpc.Status under \"error\"")?;
            let code = error.get("code").and_then(Value::as_i64);
            if code != Some(i64::from(*http)) {
                return Err(format!(
                    "error.code must equal the HTTP status {http}, got {}",
                    error.get("code").unwrap_or(&Value::Null)
                ));
            }
            let got_status = error.get("status").and_then(Value::as_str).unwrap_or_default();
            let status_ok = if *status == "*" {
                !got_status.is_empty()
            } else {
                got_status == *status
            };
            if !status_ok {
                return Err(format!("expected error.status {status}, got {got_status:?}"));
            }
            if !error.get("message").is_some_and(Value::is_string) {
                return Err("the error has no string message".into());
            }
            let details = match error.get("details") {
                None => &[][..],
                Some(Value::Array(items)) => items.as_slice(),
                Some(_) => return Err("error.details is not an array".into()),
            };
            if let Some(bad) = details
                .iter()
                .find(|d| !d.get("@type").is_some_and(Value::is_string))
            {
                return Err(format!("a detail has no @type: {bad}"));
            }
            check_error_info(details, *reason)
        }
        Expect::RestOk => {
            if answer.status != 200 {
                return Err(format!("expected HTTP 200, got {}", answer.status));
            }
            let body = json_body(answer)?;
            if body.is_object() {
                Ok(())
            } else {
                Err("the body is not a JSON object".into())
            }
        }
        Expect::Routing(http) => {
            if answer.status == *http {
                Ok(())
            } else {
                Err(format!("expected HTTP {http}, got {}", answer.status))
            }
        }
    }
}

fn check_envelope(body: &Value, id: &Value) -> Result<(), String> {
    if body.get("jsonrpc") != Some(&json!("2.0")) {
        return Err("the response lacks \"jsonrpc\": \"2.0\"".into());
    }
    match body.get("id") {
        Some(got) if got == id => Ok(()),
        Some(got) => Err(format!("expected id {id}, got {got}")),
        None => Err(format!("expected id {id}, the response has none")),
    }
}

/// The A2A ErrorInfo among `details` must carry `reason`; with `None`
/// there must be no A2A ErrorInfo.
fn check_error_info(details: &[Value], reason: Option<&str>) -> Result<(), String> {
    let info = details
        .iter()
        .find(|d| d.get("@type").and_then(Value::as_str) == Some(ERROR_INFO_TYPE));
    match (reason, info) {
        (None, None) => Ok(()),
        (None, Some(info)) => Err(format!("expected no ErrorInfo, got {info}")),
        (Some(reason), None) => Err(format!("expected an ErrorInfo with reason {reason}, got none")),
        (Some(reason), Some(info)) => {
            if info.get("reason").and_then(Value::as_str) != Some(reason) {
                return Err(format!("expected ErrorInfo reason {reason}, got {info}"));
            }
            if info.get("domain").and_then(Value::as_str) != Some(ERROR_DOMAIN) {
                return Err(format!("expected ErrorInfo domain {ERROR_DOMAIN}, got {info}"));
            }
            Ok(())
        }
    }
}

/// Runs every case and returns a description of each mismatch.
async fn run_table(base: &str, cases: &[Case]) -> Vec<String> {
    let client = http_client();
    let mut failures = Vec::new();
    for case in cases {
        let outcome = match send(&client, base, &case.request).await {
            Ok(answer) => {
                check(&case.expect, &answer).map_err(|why| format!("{why}\n    got: {}", answer.describe()))
            }
            Err(err) => Err(err),
        };
        if let Err(why) = outcome {
            failures.push(format!(
                "[{}]\n    request: {}\n    problem: {why}",
                case.name,
                case.request.describe()
            ));
        }
    }
    failures
}

/// A normal `SendMessage` on both bindings must still complete.
async fn still_serving(base: &str) -> Vec<String> {
    let client = http_client();
    let mut failures = Vec::new();
    let message =
        |id: &str| json!({"messageId": id, "role": "ROLE_USER", "parts": [{"text": "still there?"}]});
    let rpc = Req::rpc(
        json!("after-the-storm"),
        "SendMessage",
        json!({"message": message("tck-complete-task-after-rpc")}),
    );
    let rest =
        Req::rest("POST", "/message:send").json(json!({"message": message("tck-complete-task-after-rest")}));
    for (name, request, pick) in [
        ("JSON-RPC", rpc, "/result/task/status/state"),
        ("HTTP+JSON", rest, "/task/status/state"),
    ] {
        let outcome = match send(&client, base, &request).await {
            Ok(answer) if answer.status == 200 => match serde_json::from_slice::<Value>(&answer.body) {
                Ok(body) if body.pointer(pick) == Some(&json!("TASK_STATE_COMPLETED")) => {
                    if name == "JSON-RPC" && body["id"] != "after-the-storm" {
                        Err(format!("the id was not echoed: {body}"))
                    } else {
                        Ok(())
                    }
                }
                Ok(body) => Err(format!("expected a completed task, got {body}")),
                Err(err) => Err(format!("the body is not JSON: {err}")),
            },
            Ok(answer) => Err(format!("expected HTTP 200, got {}", answer.describe())),
            Err(err) => Err(err),
        };
        if let Err(why) = outcome {
            failures.push(format!(
                "[{name} SendMessage after the table]\n    problem: {why}"
            ));
        }
    }
    failures
}

fn report(table: &str, cases: usize, failures: &[String]) {
    eprintln!("{table}: {cases} cases, {} failed", failures.len());
    assert!(
        failures.is_empty(),
        "{} of {cases} hostile requests were not answered as expected:\n\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}

// ---------------------------------------------------------------------------
// Building blocks for the tables
// ---------------------------------------------------------------------------

/// A valid user message for the conformance agent (it completes at once).
fn message(id: &str) -> Value {
    json!({"messageId": id, "role": "ROLE_USER", "parts": [{"text": "hello"}]})
}

/// A valid message with one field replaced.
fn message_with(field: &str, value: Value) -> Value {
    let mut message = message("tck-complete-task-hostile");
    message[field] = value;
    message
}

/// `[[[…]]]` nested `depth` times, or only the opening half.
fn nested_arrays(depth: usize, closed: bool) -> String {
    let mut out = "[".repeat(depth);
    if closed {
        out.push_str(&"]".repeat(depth));
    }
    out
}

/// One path segment, percent-encoded (a `/` becomes `%2F`).
fn segment(text: &str) -> String {
    support::encode(text)
}

fn jsonrpc_cases() -> Vec<Case> {
    let long_id = "x".repeat(10 * 1024);
    let deep = nested_arrays(DEPTH, true);
    let mut cases = vec![
        // Bodies that are not JSON.
        case(
            "rpc: truncated JSON",
            Req::rpc_bytes(r#"{"jsonrpc":"2.0","id":1,"method":"GetTask","params":{"id":"x"}"#),
            rpc_error(PARSE_ERROR, Value::Null),
        ),
        case(
            "rpc: trailing garbage after the object",
            Req::rpc_bytes(r#"{"jsonrpc":"2.0","id":2,"method":"GetTask","params":{"id":"x"}} trailing"#),
            rpc_error(PARSE_ERROR, Value::Null),
        ),
        case(
            "rpc: two objects back to back",
            Req::rpc_bytes(
                r#"{"jsonrpc":"2.0","id":3,"method":"GetTask","params":{"id":"x"}}{"jsonrpc":"2.0","id":4}"#,
            ),
            rpc_error(PARSE_ERROR, Value::Null),
        ),
        case(
            "rpc: invalid UTF-8 inside a string",
            Req::rpc_bytes(&b"{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":\"Get\xff\xfeTask\"}"[..]),
            rpc_error(PARSE_ERROR, Value::Null),
        ),
        case(
            "rpc: a push config whose URL is not UTF-8",
            Req::rpc_bytes(
                &b"{\"jsonrpc\":\"2.0\",\"id\":6,\"method\":\"CreateTaskPushNotificationConfig\",\"params\":{\"taskId\":\"t\",\"url\":\"https://example.com/\xff\xfe\"}}"[..],
            ),
            rpc_error(PARSE_ERROR, Value::Null),
        ),
        case(
            "rpc: a body of bytes that are not UTF-8",
            Req::rpc_bytes(&b"\xff\xfe\x00{\x00}"[..]),
            rpc_error(PARSE_ERROR, Value::Null),
        ),
        case(
            "rpc: 100k unclosed [",
            Req::rpc_bytes(nested_arrays(DEPTH, false)),
            rpc_error(PARSE_ERROR, Value::Null),
        ),
        case(
            "rpc: 100k unclosed {\"a\":",
            Req::rpc_bytes("{\"a\":".repeat(DEPTH)),
            rpc_error(PARSE_ERROR, Value::Null),
        ),
        case(
            "rpc: 100k nested arrays, closed (a batch, not an object)",
            Req::rpc_bytes(deep.clone()),
            rpc_error(INVALID_REQUEST, Value::Null),
        ),
        case(
            "rpc: 100k nested arrays in an unknown envelope member are skipped",
            Req::rpc_bytes(format!(
                r#"{{"jsonrpc":"2.0","id":6,"method":"GetTask","params":{{"id":"nope"}},"junk":{deep}}}"#
            )),
            rpc_error(TASK_NOT_FOUND, json!(6)),
        ),
        case(
            "rpc: 100k nested arrays in an unknown params member are skipped",
            Req::rpc_bytes(format!(
                r#"{{"jsonrpc":"2.0","id":7,"method":"GetTask","params":{{"id":"nope","junk":{deep}}}}}"#
            )),
            rpc_error(TASK_NOT_FOUND, json!(7)),
        ),
        case(
            "rpc: 100k nested arrays inside message metadata",
            Req::rpc_bytes(format!(
                r#"{{"jsonrpc":"2.0","id":8,"method":"SendMessage","params":{{"message":{},"metadata":{{"deep":{deep}}}}}}}"#,
                message("tck-complete-task-deep")
            )),
            rpc_error(INVALID_PARAMS, json!(8)),
        ),
        case(
            "rpc: empty body",
            Req::rpc_bytes(""),
            rpc_error(PARSE_ERROR, Value::Null),
        ),
        case(
            "rpc: whitespace body",
            Req::rpc_bytes(" \r\n\t "),
            rpc_error(PARSE_ERROR, Value::Null),
        ),
        // JSON that is not a request object.
        case(
            "rpc: null",
            Req::rpc_bytes("null"),
            rpc_error(INVALID_REQUEST, Value::Null),
        ),
        case(
            "rpc: a number",
            Req::rpc_bytes("42"),
            rpc_error(INVALID_REQUEST, Value::Null),
        ),
        case(
            "rpc: a string",
            Req::rpc_bytes(r#""GetTask""#),
            rpc_error(INVALID_REQUEST, Value::Null),
        ),
        case(
            "rpc: true",
            Req::rpc_bytes("true"),
            rpc_error(INVALID_REQUEST, Value::Null),
        ),
        case(
            "rpc: empty batch",
            Req::rpc_bytes("[]"),
            rpc_error(INVALID_REQUEST, Value::Null),
        ),
        case(
            "rpc: a batch of one valid request",
            Req::rpc_bytes(r#"[{"jsonrpc":"2.0","id":9,"method":"GetTask","params":{"id":"x"}}]"#),
            rpc_error(INVALID_REQUEST, Value::Null),
        ),
        // Broken envelopes.
        case(
            "rpc: jsonrpc 1.0",
            Req::rpc_bytes(r#"{"jsonrpc":"1.0","id":10,"method":"GetTask","params":{"id":"x"}}"#),
            rpc_error(INVALID_REQUEST, json!(10)),
        ),
        case(
            "rpc: jsonrpc missing",
            Req::rpc_bytes(r#"{"id":11,"method":"GetTask","params":{"id":"x"}}"#),
            rpc_error(INVALID_REQUEST, json!(11)),
        ),
        case(
            "rpc: jsonrpc as a number",
            Req::rpc_bytes(r#"{"jsonrpc":2.0,"id":12,"method":"GetTask","params":{"id":"x"}}"#),
            rpc_error(INVALID_REQUEST, json!(12)),
        ),
        case(
            "rpc: method missing",
            Req::rpc_bytes(r#"{"jsonrpc":"2.0","id":13,"params":{"id":"x"}}"#),
            rpc_error(INVALID_REQUEST, json!(13)),
        ),
        case(
            "rpc: method a number",
            Req::rpc_bytes(r#"{"jsonrpc":"2.0","id":14,"method":5,"params":{"id":"x"}}"#),
            rpc_error(INVALID_REQUEST, json!(14)),
        ),
        case(
            "rpc: method null",
            Req::rpc_bytes(r#"{"jsonrpc":"2.0","id":"m-null","method":null}"#),
            rpc_error(INVALID_REQUEST, json!("m-null")),
        ),
        case(
            "rpc: id an object",
            Req::rpc_bytes(r#"{"jsonrpc":"2.0","id":{"a":1},"method":"GetTask","params":{"id":"x"}}"#),
            rpc_error(INVALID_REQUEST, Value::Null),
        ),
        case(
            "rpc: id an array",
            Req::rpc_bytes(r#"{"jsonrpc":"2.0","id":[1],"method":"GetTask","params":{"id":"x"}}"#),
            rpc_error(INVALID_REQUEST, Value::Null),
        ),
        case(
            "rpc: id a bool",
            Req::rpc_bytes(r#"{"jsonrpc":"2.0","id":true,"method":"GetTask","params":{"id":"x"}}"#),
            rpc_error(INVALID_REQUEST, Value::Null),
        ),
        case(
            "rpc: id missing is answered with null",
            Req::rpc_bytes(r#"{"jsonrpc":"2.0","method":"GetTask","params":{"id":"nope"}}"#),
            rpc_error(TASK_NOT_FOUND, Value::Null),
        ),
        case(
            "rpc: a fractional id is echoed as a number",
            Req::rpc(json!(1.5), "NoSuchMethod", json!({})),
            rpc_error(METHOD_NOT_FOUND, json!(1.5)),
        ),
        // An integer id beyond 64 bits could only be echoed rounded, so the
        // request is refused as invalid, with a null id.
        case(
            "rpc: an id beyond 64 bits is refused",
            Req::rpc_bytes(
                r#"{"jsonrpc":"2.0","id":123456789012345678901234567890,"method":"NoSuchMethod"}"#,
            ),
            rpc_error(INVALID_REQUEST, Value::Null),
        ),
        case(
            "rpc: duplicate id members",
            Req::rpc_bytes(r#"{"jsonrpc":"2.0","id":1,"id":2,"method":"GetTask","params":{"id":"x"}}"#),
            rpc_error(INVALID_REQUEST, Value::Null),
        ),
        case(
            "rpc: a chunked body with a broken chunk size",
            Req::rpc_bytes("zz\r\n{\"jsonrpc\"\r\n0\r\n\r\n")
                .header("transfer-encoding", "chunked")
                .over_tcp(),
            rpc_error(INVALID_REQUEST, Value::Null),
        ),
        case(
            "rpc: params an array",
            Req::rpc(json!(15), "GetTask", json!(["x"])),
            rpc_error(INVALID_PARAMS, json!(15)),
        ),
        case(
            "rpc: params a string",
            Req::rpc(json!(16), "GetTask", json!("x")),
            rpc_error(INVALID_PARAMS, json!(16)),
        ),
        // Methods.
        case(
            "rpc: v0.3 method message/send",
            Req::rpc(json!("v03"), "message/send", json!({"message": message("m")})),
            rpc_error(METHOD_NOT_FOUND, json!("v03")),
        ),
        case(
            "rpc: v0.3 method tasks/get",
            Req::rpc(json!(17), "tasks/get", json!({"id": "x"})),
            rpc_error(METHOD_NOT_FOUND, json!(17)),
        ),
        case(
            "rpc: unknown method",
            Req::rpc(json!(18), "NonExistentMethod", json!({})),
            rpc_error(METHOD_NOT_FOUND, json!(18)),
        ),
        case(
            "rpc: method name in the wrong case",
            Req::rpc(json!(19), "sendmessage", json!({"message": message("m")})),
            rpc_error(METHOD_NOT_FOUND, json!(19)),
        ),
        // SendMessage params.
        case(
            "rpc: SendMessage params {}",
            Req::rpc(json!(20), "SendMessage", json!({})),
            rpc_error(INVALID_PARAMS, json!(20)),
        ),
        case(
            "rpc: SendMessage without params",
            Req::rpc_bytes(r#"{"jsonrpc":"2.0","id":21,"method":"SendMessage"}"#),
            rpc_error(INVALID_PARAMS, json!(21)),
        ),
        case(
            "rpc: messageId a number",
            Req::rpc(
                json!(22),
                "SendMessage",
                json!({"message": message_with("messageId", json!(5))}),
            ),
            rpc_error(INVALID_PARAMS, json!(22)),
        ),
        case(
            "rpc: messageId empty",
            Req::rpc(
                json!(23),
                "SendMessage",
                json!({"message": message_with("messageId", json!(""))}),
            ),
            rpc_error(INVALID_PARAMS, json!(23)),
        ),
        case(
            "rpc: parts not a list",
            Req::rpc(
                json!(24),
                "SendMessage",
                json!({"message": message_with("parts", json!({"text": "hi"}))}),
            ),
            rpc_error(INVALID_PARAMS, json!(24)),
        ),
        case(
            "rpc: parts empty",
            Req::rpc(
                json!(25),
                "SendMessage",
                json!({"message": message_with("parts", json!([]))}),
            ),
            rpc_error(INVALID_PARAMS, json!(25)),
        ),
        case(
            "rpc: role \"user\" (v0.3 spelling)",
            Req::rpc(
                json!(26),
                "SendMessage",
                json!({"message": message_with("role", json!("user"))}),
            ),
            rpc_error(INVALID_PARAMS, json!(26)),
        ),
        case(
            "rpc: role ROLE_AGENT from a client",
            Req::rpc(
                json!(27),
                "SendMessage",
                json!({"message": message_with("role", json!("ROLE_AGENT"))}),
            ),
            rpc_error(INVALID_PARAMS, json!(27)),
        ),
        case(
            "rpc: role ROLE_UNSPECIFIED",
            Req::rpc(
                json!(28),
                "SendMessage",
                json!({"message": message_with("role", json!("ROLE_UNSPECIFIED"))}),
            ),
            rpc_error(INVALID_PARAMS, json!(28)),
        ),
        case(
            "rpc: a part with two content members",
            Req::rpc(
                json!(29),
                "SendMessage",
                json!({"message": message_with("parts", json!([{"text": "a", "url": "https://x/y"}]))}),
            ),
            rpc_error(INVALID_PARAMS, json!(29)),
        ),
        case(
            "rpc: a part with no content member",
            Req::rpc(
                json!(30),
                "SendMessage",
                json!({"message": message_with("parts", json!([{"mediaType": "text/plain"}]))}),
            ),
            rpc_error(INVALID_PARAMS, json!(30)),
        ),
        case(
            "rpc: a v0.3 part with kind and file",
            Req::rpc(
                json!(31),
                "SendMessage",
                json!({"message": message_with("parts", json!([{"kind": "file", "file": {"bytes": "aGk="}}]))}),
            ),
            rpc_error(INVALID_PARAMS, json!(31)),
        ),
        case(
            "rpc: raw is not base64",
            Req::rpc(
                json!(32),
                "SendMessage",
                json!({"message": message_with("parts", json!([{"raw": "%%% not base64 %%%"}]))}),
            ),
            rpc_error(INVALID_PARAMS, json!(32)),
        ),
        case(
            "rpc: message.taskId of an unknown task",
            Req::rpc(
                json!(33),
                "SendMessage",
                json!({"message": message_with("taskId", json!("no-such-task"))}),
            ),
            rpc_error(TASK_NOT_FOUND, json!(33)),
        ),
        case(
            "rpc: configuration.historyLength negative",
            Req::rpc(
                json!(34),
                "SendMessage",
                json!({"message": message("tck-complete-task-h"), "configuration": {"historyLength": -1}}),
            ),
            rpc_error(INVALID_PARAMS, json!(34)),
        ),
        case(
            "rpc: a push config in SendMessage with a scheme that is not http(s)",
            Req::rpc(
                json!(35),
                "SendMessage",
                json!({
                    "message": message("tck-complete-task-p"),
                    "configuration": {"taskPushNotificationConfig": {"url": "gopher://example.com/hook"}}
                }),
            ),
            rpc_error(INVALID_PARAMS, json!(35)),
        ),
        case(
            "rpc: SendStreamingMessage params {}",
            Req::rpc(json!(36), "SendStreamingMessage", json!({})).header("accept", "text/event-stream"),
            rpc_error(INVALID_PARAMS, json!(36)),
        ),
        // GetTask / ListTasks params.
        case(
            "rpc: GetTask without an id",
            Req::rpc(json!(37), "GetTask", json!({})),
            rpc_error(INVALID_PARAMS, json!(37)),
        ),
        case(
            "rpc: GetTask id a number",
            Req::rpc(json!(38), "GetTask", json!({"id": 42})),
            rpc_error(INVALID_PARAMS, json!(38)),
        ),
        case(
            "rpc: GetTask historyLength \"ten\"",
            Req::rpc(
                json!(39),
                "GetTask",
                json!({"id": "nope", "historyLength": "ten"}),
            ),
            rpc_error(INVALID_PARAMS, json!(39)),
        ),
        case(
            "rpc: GetTask historyLength negative",
            Req::rpc(json!(40), "GetTask", json!({"id": "nope", "historyLength": -1})),
            rpc_error(INVALID_PARAMS, json!(40)),
        ),
        case(
            "rpc: GetTask historyLength 2^40",
            Req::rpc(
                json!(41),
                "GetTask",
                json!({"id": "nope", "historyLength": 1_u64 << 40}),
            ),
            rpc_error(INVALID_PARAMS, json!(41)),
        ),
        case(
            "rpc: GetTask history_length \"1e2\" is a valid int32",
            Req::rpc(
                json!(42),
                "GetTask",
                json!({"id": "nope", "history_length": "1e2"}),
            ),
            rpc_error(TASK_NOT_FOUND, json!(42)),
        ),
        case(
            "rpc: GetTask of an unknown task",
            Req::rpc(json!(43), "GetTask", json!({"id": "no-such-task"})),
            rpc_error(TASK_NOT_FOUND, json!(43)),
        ),
        case(
            "rpc: GetTask with a 10 KB id",
            Req::rpc(json!(44), "GetTask", json!({"id": long_id})),
            rpc_error(TASK_NOT_FOUND, json!(44)),
        ),
        case(
            "rpc: GetTask with an id of slashes, dots, NUL and emoji",
            Req::rpc(
                json!(45),
                "GetTask",
                json!({"id": "../../etc/passwd\u{0}\u{1F600}:cancel"}),
            ),
            rpc_error(TASK_NOT_FOUND, json!(45)),
        ),
        case(
            "rpc: ListTasks pageSize 0",
            Req::rpc(json!(46), "ListTasks", json!({"pageSize": 0})),
            rpc_error(INVALID_PARAMS, json!(46)),
        ),
        case(
            "rpc: ListTasks pageSize 101",
            Req::rpc(json!(47), "ListTasks", json!({"pageSize": 101})),
            rpc_error(INVALID_PARAMS, json!(47)),
        ),
        case(
            "rpc: ListTasks pageSize -1",
            Req::rpc(json!(48), "ListTasks", json!({"pageSize": -1})),
            rpc_error(INVALID_PARAMS, json!(48)),
        ),
        case(
            "rpc: ListTasks includeArtifacts \"yes\"",
            Req::rpc(json!(49), "ListTasks", json!({"includeArtifacts": "yes"})),
            rpc_error(INVALID_PARAMS, json!(49)),
        ),
        case(
            "rpc: ListTasks status \"working\" (v0.3 name)",
            Req::rpc(json!(50), "ListTasks", json!({"status": "working"})),
            rpc_error(INVALID_PARAMS, json!(50)),
        ),
        case(
            "rpc: ListTasks status TASK_STATE_RUNNING (no such state)",
            Req::rpc(json!(51), "ListTasks", json!({"status": "TASK_STATE_RUNNING"})),
            rpc_error(INVALID_PARAMS, json!(51)),
        ),
        case(
            "rpc: ListTasks status 99",
            Req::rpc(json!(52), "ListTasks", json!({"status": 99})),
            rpc_error(INVALID_PARAMS, json!(52)),
        ),
        case(
            "rpc: ListTasks statusTimestampAfter \"yesterday\"",
            Req::rpc(
                json!(53),
                "ListTasks",
                json!({"statusTimestampAfter": "yesterday"}),
            ),
            rpc_error(INVALID_PARAMS, json!(53)),
        ),
        case(
            "rpc: ListTasks pageToken not issued by the server",
            Req::rpc(json!(54), "ListTasks", json!({"pageToken": "garbage!"})),
            rpc_error(INVALID_PARAMS, json!(54)),
        ),
        // Operations on tasks that do not exist.
        case(
            "rpc: CancelTask without an id",
            Req::rpc(json!(55), "CancelTask", json!({})),
            rpc_error(INVALID_PARAMS, json!(55)),
        ),
        case(
            "rpc: CancelTask of an unknown task",
            Req::rpc(json!(56), "CancelTask", json!({"id": "no-such-task"})),
            rpc_error(TASK_NOT_FOUND, json!(56)),
        ),
        case(
            "rpc: SubscribeToTask without an id",
            Req::rpc(json!(57), "SubscribeToTask", json!({})).header("accept", "text/event-stream"),
            rpc_error(INVALID_PARAMS, json!(57)),
        ),
        case(
            "rpc: SubscribeToTask of an unknown task",
            Req::rpc(json!(58), "SubscribeToTask", json!({"id": "no-such-task"}))
                .header("accept", "text/event-stream"),
            rpc_error(TASK_NOT_FOUND, json!(58)),
        ),
        case(
            "rpc: CreateTaskPushNotificationConfig on an unknown task",
            Req::rpc(
                json!(59),
                "CreateTaskPushNotificationConfig",
                json!({"taskId": "no-such-task", "url": "https://example.com/hook"}),
            ),
            rpc_error(TASK_NOT_FOUND, json!(59)),
        ),
        case(
            "rpc: GetTaskPushNotificationConfig on an unknown task",
            Req::rpc(
                json!(60),
                "GetTaskPushNotificationConfig",
                json!({"taskId": "no-such-task", "id": "c1"}),
            ),
            rpc_error(TASK_NOT_FOUND, json!(60)),
        ),
        case(
            "rpc: ListTaskPushNotificationConfigs on an unknown task",
            Req::rpc(
                json!(61),
                "ListTaskPushNotificationConfigs",
                json!({"taskId": "no-such-task"}),
            ),
            rpc_error(TASK_NOT_FOUND, json!(61)),
        ),
        case(
            "rpc: DeleteTaskPushNotificationConfig on an unknown task",
            Req::rpc(
                json!(62),
                "DeleteTaskPushNotificationConfig",
                json!({"taskId": "no-such-task", "id": "c1"}),
            ),
            rpc_error(TASK_NOT_FOUND, json!(62)),
        ),
        case(
            "rpc: GetExtendedAgentCard on an agent without one",
            Req::rpc(json!(63), "GetExtendedAgentCard", json!({})),
            rpc_error(UNSUPPORTED_OPERATION, json!(63)),
        ),
    ];
    // Headers.
    let list = || Req::rpc(json!("hdr"), "ListTasks", json!({}));
    cases.extend([
        case(
            "rpc: no A2A-Version header",
            list().without("a2a-version"),
            rpc_error(VERSION_NOT_SUPPORTED, json!("hdr")),
        ),
        case(
            "rpc: A2A-Version 99.0",
            list().header("a2a-version", "99.0"),
            rpc_error(VERSION_NOT_SUPPORTED, json!("hdr")),
        ),
        case(
            "rpc: A2A-Version banana",
            list().header("a2a-version", "banana"),
            rpc_error(VERSION_NOT_SUPPORTED, json!("hdr")),
        ),
        case(
            "rpc: A2A-Version empty",
            list().header("a2a-version", ""),
            rpc_error(VERSION_NOT_SUPPORTED, json!("hdr")),
        ),
        case(
            "rpc: A2A-Version 1 (no minor)",
            list().header("a2a-version", "1"),
            rpc_error(VERSION_NOT_SUPPORTED, json!("hdr")),
        ),
        case(
            "rpc: A2A-Version not UTF-8",
            list().header("a2a-version", &b"1.0\xff\xfe"[..]),
            rpc_error(VERSION_NOT_SUPPORTED, json!("hdr")),
        ),
        case(
            "rpc: A2A-Version 99.0 in the query, no header",
            list().at("/?A2A-Version=99.0").without("a2a-version"),
            rpc_error(VERSION_NOT_SUPPORTED, json!("hdr")),
        ),
        case(
            "rpc: Content-Type text/plain with a Python dict body",
            Req::rpc_bytes("{'jsonrpc': '2.0', 'id': 1, 'method': 'SendMessage'}")
                .header("content-type", "text/plain"),
            rpc_error(CONTENT_TYPE_NOT_SUPPORTED, Value::Null),
        ),
        case(
            "rpc: Content-Type text/plain with a valid body",
            list().header("content-type", "text/plain"),
            rpc_error(CONTENT_TYPE_NOT_SUPPORTED, json!("hdr")),
        ),
        case(
            "rpc: no Content-Type with a body",
            list().without("content-type"),
            rpc_error(CONTENT_TYPE_NOT_SUPPORTED, json!("hdr")),
        ),
        case(
            "rpc: Content-Type not UTF-8",
            list().header("content-type", &b"application/json\xff"[..]),
            rpc_error(CONTENT_TYPE_NOT_SUPPORTED, json!("hdr")),
        ),
        case(
            "rpc: Content-Type application/json with parameters is accepted",
            list().header("content-type", "Application/JSON; charset=utf-8"),
            rpc_ok(json!("hdr")),
        ),
        case(
            "rpc: A2A-Extensions with junk is accepted",
            list().header("a2a-extensions", ",,, not a uri ,https://example.com/ext/v9,;;"),
            rpc_ok(json!("hdr")),
        ),
        case(
            "rpc: A2A-Extensions not UTF-8 is accepted",
            list().header("a2a-extensions", &b"https://example.com/\xff\xfe"[..]),
            rpc_ok(json!("hdr")),
        ),
        case(
            "rpc: SendMessage with A2A-Extensions junk is accepted",
            Req::rpc(
                json!("ext-send"),
                "SendMessage",
                json!({"message": message("tck-complete-task-ext")}),
            )
            .header("a2a-extensions", "urn:nobody:knows, , x"),
            rpc_ok(json!("ext-send")),
        ),
    ]);
    cases
}

fn rest_cases() -> Vec<Case> {
    let long = "x".repeat(10 * 1024);
    let deep = nested_arrays(DEPTH, true);
    let send = || Req::rest("POST", "/message:send");
    let valid = || json!({"message": message("tck-complete-task-rest")});
    let with = |field: &str, value: Value| json!({"message": message_with(field, value)});
    vec![
        // Bodies.
        case(
            "rest: truncated JSON",
            send()
                .header("content-type", "application/json")
                .bytes(r#"{"message":{"messageId":"m","role":"ROLE_USER""#),
            bad_request(),
        ),
        case(
            "rest: trailing garbage",
            send()
                .header("content-type", "application/json")
                .bytes(format!("{} trailing", valid())),
            bad_request(),
        ),
        case(
            "rest: invalid UTF-8 inside a string",
            send()
                .header("content-type", "application/json")
                .bytes(&b"{\"message\":{\"messageId\":\"\xff\xfe\",\"role\":\"ROLE_USER\",\"parts\":[{\"text\":\"a\"}]}}"[..]),
            bad_request(),
        ),
        case(
            "rest: a push config whose token is not UTF-8",
            Req::rest("POST", "/tasks/t/pushNotificationConfigs")
                .header("content-type", "application/json")
                .bytes(&b"{\"url\":\"https://example.com/h\",\"token\":\"\xff\xfe\"}"[..]),
            bad_request(),
        ),
        case(
            "rest: 100k unclosed [",
            send()
                .header("content-type", "application/json")
                .bytes(nested_arrays(DEPTH, false)),
            bad_request(),
        ),
        case(
            "rest: 100k nested arrays inside message metadata",
            send().header("content-type", "application/json").bytes(format!(
                r#"{{"message":{},"metadata":{{"deep":{deep}}}}}"#,
                message("tck-complete-task-deep")
            )),
            bad_request(),
        ),
        case("rest: SendMessage with an empty body", send(), bad_request()),
        case("rest: SendMessage body {}", send().json(json!({})), bad_request()),
        case("rest: SendMessage body []", send().json(json!([])), bad_request()),
        case("rest: SendMessage body 42", send().json(json!(42)), bad_request()),
        case(
            "rest: SendMessage body a string",
            send().json(json!("message")),
            bad_request(),
        ),
        case(
            "rest: messageId a number",
            send().json(with("messageId", json!(5))),
            bad_request(),
        ),
        case(
            "rest: parts not a list",
            send().json(with("parts", json!("hello"))),
            bad_request(),
        ),
        case(
            "rest: role \"user\"",
            send().json(with("role", json!("user"))),
            bad_request(),
        ),
        case(
            "rest: a part with two content members",
            send().json(with("parts", json!([{"text": "a", "data": {"b": 1}}]))),
            bad_request(),
        ),
        case(
            "rest: raw is not base64",
            send().json(with("parts", json!([{"raw": "a!!!"}]))),
            bad_request(),
        ),
        case(
            "rest: message.taskId of an unknown task",
            send().json(with("taskId", json!("no-such-task"))),
            task_not_found(),
        ),
        case(
            "rest: a push config in SendMessage aimed at the metadata service",
            send().json(json!({
                "message": message("tck-complete-task-p"),
                "configuration": {"taskPushNotificationConfig": {"url": "http://169.254.169.254/latest"}}
            })),
            bad_request(),
        ),
        case(
            "rest: message:stream body {}",
            Req::rest("POST", "/message:stream")
                .header("accept", "text/event-stream")
                .json(json!({})),
            bad_request(),
        ),
        // Content types.
        case(
            "rest: Content-Type text/plain with a valid JSON body",
            send()
                .header("content-type", "text/plain")
                .bytes(valid().to_string()),
            rest_error(415, "INVALID_ARGUMENT", Some("CONTENT_TYPE_NOT_SUPPORTED")),
        ),
        case(
            "rest: no Content-Type with a body",
            send().bytes(valid().to_string()),
            rest_error(415, "INVALID_ARGUMENT", Some("CONTENT_TYPE_NOT_SUPPORTED")),
        ),
        case(
            "rest: Content-Type application/a2a+json is accepted",
            send()
                .header("content-type", "application/a2a+json")
                .bytes(valid().to_string()),
            Expect::RestOk,
        ),
        // Versions and extensions.
        case(
            "rest: no A2A-Version header",
            Req::rest("GET", "/tasks/no-such-task").without("a2a-version"),
            version_not_supported(),
        ),
        case(
            "rest: A2A-Version 99.0",
            Req::rest("GET", "/tasks").header("a2a-version", "99.0"),
            version_not_supported(),
        ),
        case(
            "rest: A2A-Version banana",
            send().header("a2a-version", "banana").json(valid()),
            version_not_supported(),
        ),
        case(
            "rest: A2A-Version empty",
            Req::rest("GET", "/tasks").header("a2a-version", ""),
            version_not_supported(),
        ),
        case(
            "rest: A2A-Version not UTF-8",
            Req::rest("GET", "/tasks").header("a2a-version", &b"\xc3\x28"[..]),
            version_not_supported(),
        ),
        case(
            "rest: A2A-Version 1.0 in the query is enough",
            Req::rest("GET", "/tasks?A2A-Version=1.0").without("a2a-version"),
            Expect::RestOk,
        ),
        case(
            "rest: A2A-Extensions with junk is accepted",
            Req::rest("GET", "/tasks").header("a2a-extensions", ";;; <not a uri>, ,urn:x"),
            Expect::RestOk,
        ),
        // Task ids in the path.
        case(
            "rest: GET an unknown task",
            Req::rest("GET", "/tasks/no-such-task"),
            task_not_found(),
        ),
        case(
            "rest: task id with an encoded slash",
            Req::rest("GET", format!("/tasks/{}", segment("a/b"))),
            task_not_found(),
        ),
        case(
            "rest: task id ../../etc/passwd, slashes encoded",
            Req::rest("GET", format!("/tasks/{}", segment("../../etc/passwd"))),
            task_not_found(),
        ),
        case(
            "rest: task id a..b",
            Req::rest("GET", "/tasks/a..b"),
            task_not_found(),
        ),
        case(
            "rest: task id a literal .. segment",
            Req::rest("GET", "/tasks/..").over_tcp(),
            task_not_found(),
        ),
        case(
            "rest: cancel of a literal .. task",
            Req::rest("POST", "/tasks/..:cancel").over_tcp(),
            task_not_found(),
        ),
        case(
            "rest: task id containing %2F literally (double encoded)",
            Req::rest("GET", "/tasks/a%252Fb"),
            task_not_found(),
        ),
        case(
            "rest: task id a:b",
            Req::rest("GET", "/tasks/a:b"),
            task_not_found(),
        ),
        case(
            "rest: GET of a :cancel action",
            Req::rest("GET", "/tasks/a:cancel"),
            no_such_action(),
        ),
        case(
            "rest: POST to a task without an action",
            Req::rest("POST", "/tasks/a:b"),
            no_such_action(),
        ),
        case(
            "rest: a 10 KB task id",
            Req::rest("GET", format!("/tasks/{long}")),
            task_not_found(),
        ),
        case(
            "rest: cancel of a 10 KB task id",
            Req::rest("POST", format!("/tasks/{long}:cancel")),
            task_not_found(),
        ),
        case(
            "rest: unicode task id",
            Req::rest("GET", format!("/tasks/{}", segment("задача-任务-\u{1F600}"))),
            task_not_found(),
        ),
        case(
            "rest: task id with %00",
            Req::rest("GET", "/tasks/a%00b"),
            task_not_found(),
        ),
        case(
            "rest: task id that is not UTF-8 once decoded (%FF)",
            Req::rest("GET", "/tasks/%FF%FE"),
            bad_request(),
        ),
        case(
            "rest: an unencoded slash in the id matches no route",
            Req::rest("GET", "/tasks/a/b"),
            no_such_action(),
        ),
        case(
            "rest: DELETE on a task matches no method",
            Req::rest("DELETE", "/tasks/no-such-task"),
            rest_method_not_allowed(),
        ),
        // Tenants in the path.
        case(
            "rest: tenant with an encoded slash",
            Req::rest("GET", format!("/{}/tasks/no-such-task", segment("a/b"))),
            task_not_found(),
        ),
        case(
            "rest: tenant ../.., slashes encoded",
            Req::rest("GET", format!("/{}/tasks/no-such-task", segment("../.."))),
            task_not_found(),
        ),
        case(
            "rest: tenant a literal .. segment",
            Req::rest("GET", "/../tasks/no-such-task").over_tcp(),
            task_not_found(),
        ),
        case(
            "rest: tenant a:b",
            Req::rest("GET", "/a:b/tasks/no-such-task"),
            task_not_found(),
        ),
        case(
            "rest: tenant with %00",
            Req::rest("GET", "/t%00/tasks/no-such-task"),
            task_not_found(),
        ),
        case(
            "rest: unicode tenant",
            Req::rest("GET", format!("/{}/tasks/no-such-task", segment("テナント\u{1F600}"))),
            task_not_found(),
        ),
        case(
            "rest: a 10 KB tenant",
            Req::rest("GET", format!("/{long}/tasks/no-such-task")),
            task_not_found(),
        ),
        case(
            "rest: tenant that is not UTF-8 once decoded (%FF)",
            Req::rest("GET", "/%FF/tasks/no-such-task"),
            bad_request(),
        ),
        case(
            "rest: ListTasks in an odd tenant is empty, not an error",
            Req::rest("GET", format!("/{}/tasks", segment("a/../b:c"))),
            Expect::RestOk,
        ),
        // Query parameters.
        case(
            "rest: historyLength=ten",
            Req::rest("GET", "/tasks/no-such-task?historyLength=ten"),
            bad_request(),
        ),
        case(
            "rest: historyLength=-1",
            Req::rest("GET", "/tasks/no-such-task?historyLength=-1"),
            bad_request(),
        ),
        case(
            "rest: historyLength=2^40",
            Req::rest("GET", "/tasks/no-such-task?historyLength=1099511627776"),
            bad_request(),
        ),
        case("rest: pageSize=0", Req::rest("GET", "/tasks?pageSize=0"), bad_request()),
        case("rest: pageSize=101", Req::rest("GET", "/tasks?pageSize=101"), bad_request()),
        case("rest: pageSize=-1", Req::rest("GET", "/tasks?pageSize=-1"), bad_request()),
        case(
            "rest: includeArtifacts=yes",
            Req::rest("GET", "/tasks?includeArtifacts=yes"),
            bad_request(),
        ),
        case(
            "rest: status=working (v0.3 name)",
            Req::rest("GET", "/tasks?status=working"),
            bad_request(),
        ),
        case(
            "rest: status=TASK_STATE_RUNNING",
            Req::rest("GET", "/tasks?status=TASK_STATE_RUNNING"),
            bad_request(),
        ),
        case(
            "rest: statusTimestampAfter=yesterday",
            Req::rest("GET", "/tasks?statusTimestampAfter=yesterday"),
            bad_request(),
        ),
        case(
            "rest: pageToken not issued by the server",
            Req::rest("GET", "/tasks?pageToken=garbage%21"),
            bad_request(),
        ),
        // Operations on tasks that do not exist.
        case(
            "rest: cancel an unknown task",
            Req::rest("POST", "/tasks/no-such-task:cancel"),
            task_not_found(),
        ),
        case(
            "rest: cancel with an empty id",
            Req::rest("POST", "/tasks/:cancel"),
            bad_request(),
        ),
        case(
            "rest: subscribe (GET) to an unknown task",
            Req::rest("GET", "/tasks/no-such-task:subscribe").header("accept", "text/event-stream"),
            task_not_found(),
        ),
        case(
            "rest: subscribe (POST) to an unknown task",
            Req::rest("POST", "/tasks/no-such-task:subscribe").header("accept", "text/event-stream"),
            task_not_found(),
        ),
        case(
            "rest: create a push config on an unknown task",
            Req::rest("POST", "/tasks/no-such-task/pushNotificationConfigs")
                .json(json!({"url": "https://example.com/hook"})),
            task_not_found(),
        ),
        case(
            "rest: list push configs of an unknown task",
            Req::rest("GET", "/tasks/no-such-task/pushNotificationConfigs"),
            task_not_found(),
        ),
        case(
            "rest: get a push config of an unknown task",
            Req::rest("GET", "/tasks/no-such-task/pushNotificationConfigs/c1"),
            task_not_found(),
        ),
        case(
            "rest: delete a push config of an unknown task",
            Req::rest("DELETE", "/tasks/no-such-task/pushNotificationConfigs/c1"),
            task_not_found(),
        ),
        case(
            "rest: push configs under an odd tenant and id",
            Req::rest(
                "GET",
                format!(
                    "/{}/tasks/{}/pushNotificationConfigs/{}",
                    segment("a/b"),
                    segment("../x"),
                    segment("c:d")
                ),
            ),
            task_not_found(),
        ),
        case(
            "rest: extended card on an agent without one",
            Req::rest("GET", "/extendedAgentCard"),
            rest_error(400, "FAILED_PRECONDITION", Some("UNSUPPORTED_OPERATION")),
        ),
    ]
}

#[tokio::test]
async fn hostile_requests_get_the_protocols_answers_and_the_server_keeps_serving() {
    let server = support::start(handler()).await;
    let mut cases = jsonrpc_cases();
    cases.extend(rest_cases());
    let mut failures = run_table(&server.base, &cases).await;
    failures.extend(still_serving(&server.base).await);
    report("hostile requests", cases.len(), &failures);
}

#[tokio::test]
async fn oversized_bodies_get_413_on_both_bindings() {
    const LIMIT: usize = 64 * 1024;
    let server = support::start_routes(Routes::new(handler()).body_limit(LIMIT)).await;
    let big_text = "a".repeat(2 * LIMIT);
    let big_send = json!({"message": {
        "messageId": "tck-complete-task-big",
        "role": "ROLE_USER",
        "parts": [{"text": big_text}]
    }});
    let near_limit = json!({"message": {
        "messageId": "tck-complete-task-near",
        "role": "ROLE_USER",
        "parts": [{"text": "a".repeat(LIMIT - 1024)}]
    }});
    let cases = vec![
        case(
            "rpc: SendMessage twice the limit",
            Req::rpc(json!(1), "SendMessage", big_send.clone()),
            Expect::RpcError {
                http: 413,
                code: INVALID_REQUEST,
                id: Value::Null,
            },
        ),
        case(
            "rpc: 100k nested arrays over the limit",
            Req::rpc_bytes(nested_arrays(DEPTH, true)),
            Expect::RpcError {
                http: 413,
                code: INVALID_REQUEST,
                id: Value::Null,
            },
        ),
        case(
            "rpc: an oversized text/plain body is refused for its type first",
            Req::rpc(json!(2), "SendMessage", big_send.clone()).header("content-type", "text/plain"),
            rpc_error(CONTENT_TYPE_NOT_SUPPORTED, Value::Null),
        ),
        case(
            "rpc: SendMessage just under the limit is served",
            Req::rpc(json!(3), "SendMessage", near_limit.clone()),
            rpc_ok(json!(3)),
        ),
        case(
            "rest: SendMessage twice the limit",
            Req::rest("POST", "/message:send").json(big_send.clone()),
            rest_error(413, "*", None),
        ),
        case(
            "rest: cancel with a body twice the limit",
            Req::rest("POST", "/tasks/no-such-task:cancel")
                .json(json!({"metadata": {"pad": "a".repeat(2 * LIMIT)}})),
            rest_error(413, "*", None),
        ),
        case(
            "rest: message:stream twice the limit",
            Req::rest("POST", "/message:stream")
                .header("accept", "text/event-stream")
                .json(big_send),
            rest_error(413, "*", None),
        ),
        case(
            "rest: SendMessage just under the limit is served",
            Req::rest("POST", "/message:send").json(near_limit),
            Expect::RestOk,
        ),
    ];
    let mut failures = run_table(&server.base, &cases).await;
    failures.extend(still_serving(&server.base).await);
    report("oversized bodies", cases.len(), &failures);
}

// ---------------------------------------------------------------------------
// Routing, refused content types and oversized bodies
// ---------------------------------------------------------------------------

/// The `Allow` header of the answer to `method target`.
async fn allow_header(client: &reqwest::Client, base: &str, method: &str, target: &str) -> String {
    let method = reqwest::Method::from_bytes(method.as_bytes()).expect("a method");
    let response = client
        .request(method, format!("{base}{target}"))
        .header("a2a-version", "1.0")
        .send()
        .await
        .expect("an answer");
    response
        .headers()
        .get(reqwest::header::ALLOW)
        .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
        .unwrap_or_default()
}

#[tokio::test]
async fn unknown_routes_and_wrong_methods_get_a_status_body() {
    let server = support::start(handler()).await;
    let cases = vec![
        case(
            "rest: a path no route knows",
            Req::rest("GET", "/no/such/path"),
            no_such_action(),
        ),
        case(
            "rest: a POST to a path no route knows",
            Req::rest("POST", "/a/b/message:send").json(json!({"message": message("m")})),
            no_such_action(),
        ),
        case(
            "rest: an unencoded slash in the id matches no route",
            Req::rest("GET", "/tasks/a/b"),
            no_such_action(),
        ),
        case(
            "rest: too deep under a tenant",
            Req::rest("GET", "/acme/tasks/t/pushNotificationConfigs/c/more"),
            no_such_action(),
        ),
        case(
            "rest: DELETE on a task",
            Req::rest("DELETE", "/tasks/no-such-task"),
            rest_method_not_allowed(),
        ),
        case(
            "rest: GET of message:send",
            Req::rest("GET", "/message:send"),
            rest_method_not_allowed(),
        ),
        case(
            "rest: PUT on the task list",
            Req::rest("PUT", "/tasks").json(json!({})),
            rest_method_not_allowed(),
        ),
        case(
            "rest: PATCH on a push config under a tenant",
            Req::rest("PATCH", "/acme/tasks/t/pushNotificationConfigs/c"),
            rest_method_not_allowed(),
        ),
        case(
            "rest: POST of the extended card",
            Req::rest("POST", "/extendedAgentCard"),
            rest_method_not_allowed(),
        ),
        case(
            "rpc: GET of the JSON-RPC path",
            Req::new("GET", "/"),
            rpc_method_not_allowed(),
        ),
        case(
            "rpc: PUT of a JSON-RPC envelope",
            Req {
                method: "PUT",
                ..Req::rpc(json!(1), "ListTasks", json!({}))
            },
            rpc_method_not_allowed(),
        ),
    ];
    let mut failures = run_table(&server.base, &cases).await;

    let client = http_client();
    for (method, target, wanted) in [
        ("DELETE", "/tasks/no-such-task", &["GET", "POST"][..]),
        ("GET", "/message:send", &["POST"][..]),
        ("GET", "/", &["POST"][..]),
    ] {
        let allow = allow_header(&client, &server.base, method, target).await;
        let listed: Vec<&str> = allow.split(',').map(str::trim).collect();
        if !wanted.iter().all(|m| listed.contains(m)) {
            failures.push(format!(
                "[Allow of {method} {target}]\n    problem: expected {wanted:?}, got {allow:?}"
            ));
        }
    }
    failures.extend(still_serving(&server.base).await);
    report("routing", cases.len(), &failures);
}

/// The bindings stay mountable: merged next to an app's own routes and
/// fallback, or nested under a prefix, they answer wrong methods on their
/// own paths with the protocol's body and leave every other path to the app.
#[tokio::test]
async fn the_bindings_still_merge_and_nest_into_an_app_with_its_own_fallback() {
    let routes = Routes::new(handler());
    let app = axum::Router::new()
        .route("/health", axum::routing::get(|| async { "ok" }))
        .merge(routes.agent_card())
        .merge(routes.jsonrpc("/a2a/jsonrpc"))
        .nest("/a2a/rest", routes.rest())
        .fallback(|| async { (axum::http::StatusCode::IM_A_TEAPOT, "mine") });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let base = format!("http://{}", listener.local_addr().unwrap());
    let task = tokio::spawn(async move {
        a2akit::server::serve(listener, app).await.expect("serve");
    });
    let cases = vec![
        case(
            "app: its own route",
            Req::new("GET", "/health"),
            Expect::Routing(200),
        ),
        case(
            "app: its own fallback",
            Req::new("GET", "/nope"),
            Expect::Routing(418),
        ),
        case(
            "app: its own fallback under the REST prefix",
            Req::new("GET", "/a2a/rest/no/such/path"),
            Expect::Routing(418),
        ),
        case(
            "rest: nested, a wrong method",
            Req::rest("DELETE", "/a2a/rest/tasks/no-such-task"),
            rest_method_not_allowed(),
        ),
        case(
            "rest: nested, a task that does not exist",
            Req::rest("GET", "/a2a/rest/tasks/no-such-task"),
            task_not_found(),
        ),
        case(
            "rpc: GET of the JSON-RPC path",
            Req::new("GET", "/a2a/jsonrpc"),
            rpc_method_not_allowed(),
        ),
        case(
            "rpc: a POST is served",
            Req::rpc(json!("m"), "ListTasks", json!({})).at("/a2a/jsonrpc"),
            rpc_ok(json!("m")),
        ),
    ];
    let failures = run_table(&base, &cases).await;
    task.abort();
    report("mounted routers", cases.len(), &failures);
}

#[tokio::test]
async fn a_refused_content_type_still_echoes_the_request_id() {
    let server = support::start(handler()).await;
    let list = |id: Value| Req::rpc(id, "ListTasks", json!({}));
    let cases = vec![
        case(
            "rpc: text/plain with a string id",
            list(json!("ct-1")).header("content-type", "text/plain"),
            rpc_error(CONTENT_TYPE_NOT_SUPPORTED, json!("ct-1")),
        ),
        case(
            "rpc: text/plain with a numeric id",
            list(json!(42)).header("content-type", "text/plain"),
            rpc_error(CONTENT_TYPE_NOT_SUPPORTED, json!(42)),
        ),
        case(
            "rpc: no Content-Type",
            list(json!("ct-2")).without("content-type"),
            rpc_error(CONTENT_TYPE_NOT_SUPPORTED, json!("ct-2")),
        ),
        case(
            "rpc: form-encoded Content-Type",
            list(json!("ct-3")).header("content-type", "application/x-www-form-urlencoded"),
            rpc_error(CONTENT_TYPE_NOT_SUPPORTED, json!("ct-3")),
        ),
        case(
            "rpc: a Content-Type that is not UTF-8",
            list(json!("ct-4")).header("content-type", &b"application/json\xff"[..]),
            rpc_error(CONTENT_TYPE_NOT_SUPPORTED, json!("ct-4")),
        ),
        case(
            "rpc: text/plain with an envelope that is otherwise broken",
            Req::rpc_bytes(r#"{"id":"ct-5","method":7}"#).header("content-type", "text/plain"),
            rpc_error(CONTENT_TYPE_NOT_SUPPORTED, json!("ct-5")),
        ),
        case(
            "rpc: text/plain with an object id is answered with null",
            list(json!({"not": "an id"})).header("content-type", "text/plain"),
            rpc_error(CONTENT_TYPE_NOT_SUPPORTED, Value::Null),
        ),
        case(
            "rpc: text/plain with an id beyond 64 bits is answered with null",
            Req::rpc_bytes(r#"{"jsonrpc":"2.0","id":123456789012345678901234567890,"method":"ListTasks"}"#)
                .header("content-type", "text/plain"),
            rpc_error(CONTENT_TYPE_NOT_SUPPORTED, Value::Null),
        ),
        case(
            "rpc: text/plain with a body that is not JSON is answered with null",
            Req::rpc_bytes("{'jsonrpc': '2.0', 'id': 1}").header("content-type", "text/plain"),
            rpc_error(CONTENT_TYPE_NOT_SUPPORTED, Value::Null),
        ),
        case(
            "rpc: text/plain with a batch is answered with null",
            Req::rpc_bytes(r#"[{"jsonrpc":"2.0","id":1,"method":"ListTasks"}]"#)
                .header("content-type", "text/plain"),
            rpc_error(CONTENT_TYPE_NOT_SUPPORTED, Value::Null),
        ),
        case(
            "rpc: text/plain without a body",
            Req::new("POST", "/").header("content-type", "text/plain"),
            rpc_error(CONTENT_TYPE_NOT_SUPPORTED, Value::Null),
        ),
    ];
    let mut failures = run_table(&server.base, &cases).await;
    failures.extend(still_serving(&server.base).await);
    report("refused content types", cases.len(), &failures);
}

/// A body of `size` bytes in `chunk`-sized pieces, sent without a
/// `Content-Length` (chunked): the server only learns its size by reading.
fn chunked_body(size: usize, chunk: usize) -> reqwest::Body {
    let pieces = (0..size.div_ceil(chunk)).map(move |i| {
        let len = chunk.min(size - i * chunk);
        Ok::<_, std::io::Error>(vec![b' '; len])
    });
    reqwest::Body::wrap_stream(futures_util::stream::iter(pieces))
}

/// Sends `body` and reads the whole answer.
async fn post_body(client: &reqwest::Client, url: &str, body: reqwest::Body) -> Result<Answer, String> {
    let response = client
        .post(url)
        .header("a2a-version", "1.0")
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await
        .map_err(|e| format!("transport error: {e:?}"))?;
    read_answer(response).await
}

/// A body twice the default limit (10 MiB) is read to its end and refused
/// with a 413 the client gets to read, instead of a connection reset.
///
/// On two worker threads the server answers while the client is still
/// sending, which is what exposed the reset; on one thread client and
/// server take turns and the race rarely shows.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_20_mb_body_gets_a_readable_413_on_both_bindings() {
    const SIZE: usize = 20_000_000;
    let server = support::start(handler()).await;
    let big = json!({"message": {
        "messageId": "tck-complete-task-huge",
        "role": "ROLE_USER",
        "parts": [{"text": "a".repeat(SIZE)}]
    }});
    let rpc = || Expect::RpcError {
        http: 413,
        code: INVALID_REQUEST,
        id: Value::Null,
    };
    let mut cases = Vec::new();
    for round in 1..=3 {
        cases.push(case(
            format!("rpc: a 20 MB SendMessage, round {round}"),
            Req::rpc(json!(round), "SendMessage", big.clone()),
            rpc(),
        ));
        cases.push(case(
            format!("rest: a 20 MB SendMessage, round {round}"),
            Req::rest("POST", "/message:send").json(big.clone()),
            rest_error(413, "*", None),
        ));
    }
    let mut failures = run_table(&server.base, &cases).await;

    // The same without a Content-Length: the limit is found while reading.
    let client = http_client();
    for (target, expect) in [("/", rpc()), ("/message:send", rest_error(413, "*", None))] {
        let url = format!("{}{target}", server.base);
        let outcome = match post_body(&client, &url, chunked_body(SIZE, 64 * 1024)).await {
            Ok(answer) => {
                check(&expect, &answer).map_err(|why| format!("{why}\n    got: {}", answer.describe()))
            }
            Err(err) => Err(err),
        };
        if let Err(why) = outcome {
            failures.push(format!("[chunked 20 MB to {target}]\n    problem: {why}"));
        }
    }
    failures.extend(still_serving(&server.base).await);
    report("20 MB bodies", cases.len() + 2, &failures);
}

/// Sends only a request head that announces `content_length` body bytes,
/// and reads the answer until the server closes the connection.
async fn head_only(
    base: &str,
    target: &str,
    content_length: u64,
    expect_continue: bool,
) -> Result<Answer, String> {
    let authority = base.trim_start_matches("http://");
    let mut stream = tokio::net::TcpStream::connect(authority)
        .await
        .map_err(|e| format!("connect: {e}"))?;
    let mut head = format!(
        "POST {target} HTTP/1.1\r\nhost: {authority}\r\na2a-version: 1.0\r\n\
         content-type: application/json\r\ncontent-length: {content_length}\r\n"
    );
    if expect_continue {
        head.push_str("expect: 100-continue\r\n");
    }
    head.push_str("\r\n");
    stream
        .write_all(head.as_bytes())
        .await
        .map_err(|e| format!("write: {e}"))?;
    let mut raw = Vec::new();
    tokio::time::timeout(Duration::from_secs(10), stream.read_to_end(&mut raw))
        .await
        .map_err(|_| "no answer within 10 s: the server waited for the body".to_owned())?
        .map_err(|e| format!("read: {e}"))?;
    parse_http_response(&raw)
}

/// A body announced far beyond what the server would read, or announced
/// with `Expect: 100-continue`, is refused from its head alone: the client
/// never has to send it.
#[tokio::test]
async fn a_body_announced_too_large_is_refused_before_it_is_sent() {
    let server = support::start(handler()).await;
    let mut failures = Vec::new();
    for (name, length, expect_continue) in [
        ("1 GB announced", 1u64 << 30, false),
        ("20 MB announced with Expect: 100-continue", 20_000_000, true),
    ] {
        for (target, expect) in [
            (
                "/",
                Expect::RpcError {
                    http: 413,
                    code: INVALID_REQUEST,
                    id: Value::Null,
                },
            ),
            ("/message:send", rest_error(413, "*", None)),
        ] {
            let outcome = match head_only(&server.base, target, length, expect_continue).await {
                Ok(answer) => {
                    check(&expect, &answer).map_err(|why| format!("{why}\n    got: {}", answer.describe()))
                }
                Err(err) => Err(err),
            };
            if let Err(why) = outcome {
                failures.push(format!("[{name} to {target}]\n    problem: {why}"));
            }
        }
    }
    failures.extend(still_serving(&server.base).await);
    report("announced sizes", 4, &failures);
}
