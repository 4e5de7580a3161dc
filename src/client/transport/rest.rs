//! The HTTP+JSON binding: one route per operation under the interface URL,
//! with the tenant as a `/{tenant}` path prefix.

use bytes::Bytes;
use reqwest::Method as Verb;
use serde_json::Value;

use super::v0_3::rest as v0_3;
use super::{
    BoxFuture, Call, ClientStream, HttpCore, LAST_EVENT_ID, Reply, Transport, challenge, excerpt,
    is_event_stream, read_body, status_error, with_challenge,
};
use crate::client::{redact, sse};
use crate::error::HttpErrorBody;
use crate::types::{StreamResponse, SubscribeToTaskRequest, json};
use crate::{Error, ErrorKind};

/// Speaks HTTP+JSON to one base URL.
#[derive(Clone)]
pub struct RestTransport {
    base: String,
    core: HttpCore,
    body_limit: usize,
}

impl std::fmt::Debug for RestTransport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RestTransport")
            .field("base", &redact::url(&self.base))
            .finish_non_exhaustive()
    }
}

/// A call as an HTTP request: verb, path, query and body.
pub(super) struct Route {
    pub(super) verb: Verb,
    pub(super) path: String,
    pub(super) query: Vec<(String, String)>,
    pub(super) body: Option<Vec<u8>>,
}

/// How a streaming request differs from the route's default.
#[derive(Default)]
struct StreamOptions {
    verb: Option<Verb>,
    last_event_id: Option<u64>,
}

/// Percent-encodes one path segment (everything but RFC 3986 unreserved characters).
pub(super) fn segment(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// The JSON of a request message without its path-bound fields.
fn body_without(message: &impl serde::Serialize, path_fields: &[&str]) -> Result<Vec<u8>, Error> {
    let mut value = serde_json::to_value(message)
        .map_err(|err| Error::invalid_params(format!("the request could not be encoded: {err}")))?;
    if let Value::Object(fields) = &mut value {
        for field in path_fields {
            fields.remove(*field);
        }
    }
    Ok(serde_json::to_vec(&value).expect("a Value always encodes"))
}

/// The query parameters of a GET: every field but the path-bound ones, by JSON name.
fn query_of(message: &impl serde::Serialize, path_fields: &[&str]) -> Vec<(String, String)> {
    let Ok(Value::Object(fields)) = serde_json::to_value(message) else {
        return Vec::new();
    };
    let mut query = Vec::new();
    for (name, value) in fields {
        if path_fields.contains(&name.as_str()) {
            continue;
        }
        let text = match value {
            Value::String(text) => text,
            other => other.to_string(),
        };
        query.push((name, text));
    }
    query
}

impl RestTransport {
    pub(crate) fn new(base: impl Into<String>, core: HttpCore, body_limit: usize) -> Self {
        let base: String = base.into();
        Self {
            base: base.trim_end_matches('/').to_owned(),
            core,
            body_limit,
        }
    }

    fn route(&self, call: &Call) -> Result<(String, Route), Error> {
        if self.core.v0_3 {
            return Ok((String::new(), v0_3::route_of(call)?));
        }
        let tenant = call.tenant();
        let prefix = if tenant.is_empty() {
            String::new()
        } else {
            format!("/{}", segment(tenant))
        };
        let route = match call {
            Call::SendMessage(r) => Route {
                verb: Verb::POST,
                path: "/message:send".into(),
                query: Vec::new(),
                body: Some(body_without(r, &["tenant"])?),
            },
            Call::SendStreamingMessage(r) => Route {
                verb: Verb::POST,
                path: "/message:stream".into(),
                query: Vec::new(),
                body: Some(body_without(r, &["tenant"])?),
            },
            Call::GetTask(r) => Route {
                verb: Verb::GET,
                path: format!("/tasks/{}", segment(&r.id)),
                query: query_of(r, &["tenant", "id"]),
                body: None,
            },
            Call::ListTasks(r) => Route {
                verb: Verb::GET,
                path: "/tasks".into(),
                query: query_of(r, &["tenant"]),
                body: None,
            },
            Call::CancelTask(r) => Route {
                verb: Verb::POST,
                path: format!("/tasks/{}:cancel", segment(&r.id)),
                query: Vec::new(),
                body: Some(body_without(r, &["tenant", "id"])?),
            },
            Call::SubscribeToTask(r) => Route {
                verb: Verb::POST,
                path: format!("/tasks/{}:subscribe", segment(&r.id)),
                query: Vec::new(),
                body: None,
            },
            Call::CreateTaskPushNotificationConfig(r) => Route {
                verb: Verb::POST,
                path: format!("/tasks/{}/pushNotificationConfigs", segment(&r.task_id)),
                query: Vec::new(),
                body: Some(body_without(r, &["tenant", "taskId"])?),
            },
            Call::GetTaskPushNotificationConfig(r) => Route {
                verb: Verb::GET,
                path: format!(
                    "/tasks/{}/pushNotificationConfigs/{}",
                    segment(&r.task_id),
                    segment(&r.id)
                ),
                query: Vec::new(),
                body: None,
            },
            Call::ListTaskPushNotificationConfigs(r) => Route {
                verb: Verb::GET,
                path: format!("/tasks/{}/pushNotificationConfigs", segment(&r.task_id)),
                query: query_of(r, &["tenant", "taskId"]),
                body: None,
            },
            Call::DeleteTaskPushNotificationConfig(r) => Route {
                verb: Verb::DELETE,
                path: format!(
                    "/tasks/{}/pushNotificationConfigs/{}",
                    segment(&r.task_id),
                    segment(&r.id)
                ),
                query: Vec::new(),
                body: None,
            },
            Call::GetExtendedAgentCard(_) => Route {
                verb: Verb::GET,
                path: "/extendedAgentCard".into(),
                query: Vec::new(),
                body: None,
            },
        };
        Ok((prefix, route))
    }

    /// Sends the call. A stream may take another verb (the subscribe
    /// fallback) and, when resumed, says where it left off (`Last-Event-ID`).
    async fn send(&self, call: &Call, stream: Option<StreamOptions>) -> Result<reqwest::Response, Error> {
        let (prefix, route) = self.route(call)?;
        // A base URL with a query keeps it after the operation's path.
        let url = match self.base.split_once('?') {
            Some((path, query)) => format!("{}{prefix}{}?{query}", path.trim_end_matches('/'), route.path),
            None => format!("{}{prefix}{}", self.base, route.path),
        };
        let body = route.body.map(Bytes::from);
        let streaming = stream.is_some();
        let StreamOptions { verb, last_event_id } = stream.unwrap_or_default();
        let verb = verb.unwrap_or(route.verb);
        self.core
            .send(call.method(), streaming, |http| {
                let mut request = http.request(verb.clone(), &url);
                if !route.query.is_empty() {
                    request = request.query(&route.query);
                }
                if let Some(last) = last_event_id {
                    request = request.header(LAST_EVENT_ID, last.to_string());
                }
                match &body {
                    Some(body) => request
                        .header(reqwest::header::CONTENT_TYPE, "application/json")
                        .body(body.clone()),
                    None => request,
                }
            })
            .await
    }

    async fn open(&self, call: Call, last_event_id: Option<u64>) -> Result<ClientStream, Error> {
        let post = StreamOptions {
            verb: None,
            last_event_id,
        };
        let mut response = self.send(&call, Some(post)).await?;
        // The proto says GET for subscribe, the spec text POST: try the other on 404 / 405.
        if matches!(call, Call::SubscribeToTask(_)) && matches!(response.status().as_u16(), 404 | 405) {
            let get = StreamOptions {
                verb: Some(Verb::GET),
                last_event_id,
            };
            let retry = self.send(&call, Some(get)).await?;
            if retry.status().is_success() || !matches!(retry.status().as_u16(), 404 | 405) {
                response = retry;
            }
        }
        if !response.status().is_success() {
            return Err(self.error_of(response).await);
        }
        if !is_event_stream(&response) {
            let body = read_body(response, self.body_limit).await?;
            return Err(Error::new(
                ErrorKind::InvalidResponse,
                format!(
                    "the agent answered a stream with a single body: {}",
                    excerpt(&body)
                ),
            ));
        }
        Ok(sse::stream(
            // Without the URL, which reqwest's errors would otherwise show.
            futures_util::StreamExt::map(response.bytes_stream(), |chunk| {
                chunk.map_err(reqwest::Error::without_url)
            }),
            self.core.max_event_size,
            self.core.stream_idle,
            if self.core.v0_3 {
                |event: &sse::Event| v0_3::stream_item(&event.event, &event.data)
            } else {
                |event: &sse::Event| stream_item(&event.event, &event.data)
            },
        ))
    }

    /// Turns a failed response into the protocol error it carries, or, for
    /// a body that is no `google.rpc.Status`, the error its status says (a
    /// bare 401 / 403 is `Unauthenticated` / `PermissionDenied`). The
    /// `WWW-Authenticate` challenge is kept either way.
    async fn error_of(&self, response: reqwest::Response) -> Error {
        let status = response.status();
        let challenge = challenge(response.headers());
        let body = match read_body(response, self.body_limit).await {
            Ok(body) => body,
            Err(err) => return with_challenge(err, challenge),
        };
        let error = match serde_json::from_slice::<HttpErrorBody>(&body) {
            Ok(parsed) => Error::from_http(status.as_u16(), &parsed),
            Err(_) if self.core.v0_3 => v0_3::error(status, &body),
            Err(_) => status_error(status, "the agent", &body),
        };
        with_challenge(error, challenge)
    }
}

/// Reads one SSE event of an HTTP+JSON stream: a `StreamResponse`, or an
/// error (`event: error`, or a body with a top-level `error`).
pub(super) fn stream_item(event: &str, data: &str) -> Result<StreamResponse, Error> {
    let value: Value = serde_json::from_str(data).map_err(|err| {
        Error::new(
            ErrorKind::InvalidResponse,
            format!("a streamed event is not JSON: {err}"),
        )
        .with_source(err)
    })?;
    if event == "error" || value.get("error").is_some_and(Value::is_object) {
        let body: HttpErrorBody = serde_json::from_value(value).map_err(|err| {
            Error::new(
                ErrorKind::InvalidResponse,
                format!("a streamed error is not a Status: {err}"),
            )
            .with_source(err)
        })?;
        let status = u16::try_from(body.error.code).unwrap_or(500);
        return Err(Error::from_http(status, &body));
    }
    json::from_value(value).map_err(|err| {
        Error::new(
            ErrorKind::InvalidResponse,
            format!("a streamed event is not a StreamResponse: {err}"),
        )
        .with_source(err)
    })
}

impl Transport for RestTransport {
    fn call(&self, call: Call) -> BoxFuture<'_, Result<Reply, Error>> {
        Box::pin(async move {
            let response = self.send(&call, None).await?;
            if !response.status().is_success() {
                return Err(self.error_of(response).await);
            }
            let body = read_body(response, self.body_limit).await?;
            // Some agents answer a delete with 204 and no body.
            if body.iter().all(u8::is_ascii_whitespace) {
                return Ok(Reply::Json(Bytes::from_static(b"{}")));
            }
            if self.core.v0_3 {
                return v0_3::reply(call.method(), &body);
            }
            Ok(Reply::Json(body))
        })
    }

    fn stream(&self, call: Call) -> BoxFuture<'_, Result<ClientStream, Error>> {
        Box::pin(self.open(call, None))
    }

    fn subscribe_from(
        &self,
        request: SubscribeToTaskRequest,
        last_event_id: u64,
    ) -> BoxFuture<'_, Result<ClientStream, Error>> {
        Box::pin(self.open(Call::SubscribeToTask(request), Some(last_event_id)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segments_are_percent_encoded() {
        assert_eq!(segment("a/b c:d%"), "a%2Fb%20c%3Ad%25");
        assert_eq!(segment("task-1_ok.~"), "task-1_ok.~");
    }

    #[test]
    fn stream_errors_in_both_styles_are_read() {
        let status = r#"{"error":{"code":404,"status":"NOT_FOUND","message":"gone","details":[{"@type":"type.googleapis.com/google.rpc.ErrorInfo","reason":"TASK_NOT_FOUND","domain":"a2a-protocol.org"}]}}"#;
        assert_eq!(
            stream_item("error", status).unwrap_err().kind(),
            ErrorKind::TaskNotFound
        );
        assert_eq!(
            stream_item("message", status).unwrap_err().kind(),
            ErrorKind::TaskNotFound
        );
        let ok = r#"{"statusUpdate":{"taskId":"t","contextId":"c","status":{"state":"TASK_STATE_WORKING"}}}"#;
        assert!(matches!(
            stream_item("message", ok),
            Ok(StreamResponse::StatusUpdate(_))
        ));
        assert_eq!(
            stream_item("message", "not json").unwrap_err().kind(),
            ErrorKind::InvalidResponse
        );
    }
}
