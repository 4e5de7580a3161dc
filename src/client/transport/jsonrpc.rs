//! The JSON-RPC binding: every call is a `POST` of an envelope to one URL.

use bytes::Bytes;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::value::RawValue;

use super::v0_3::jsonrpc as v0_3;
use super::{
    BoxFuture, Call, ClientStream, HttpCore, LAST_EVENT_ID, Reply, Transport, challenge, excerpt,
    is_event_stream, read_body, status_error, with_challenge,
};
use crate::client::{redact, sse};
use crate::jsonrpc::{Id, Response, VERSION};
use crate::types::{StreamResponse, SubscribeToTaskRequest, json};
use crate::{Error, ErrorKind};

/// Speaks JSON-RPC 2.0 to one endpoint.
#[derive(Clone)]
pub struct JsonRpcTransport {
    url: reqwest::Url,
    core: HttpCore,
    body_limit: usize,
}

impl std::fmt::Debug for JsonRpcTransport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JsonRpcTransport")
            .field("url", &redact::url(self.url.as_str()))
            .finish_non_exhaustive()
    }
}

/// An envelope borrowing its params.
#[derive(Serialize)]
struct Envelope<'a, P> {
    jsonrpc: &'static str,
    id: u64,
    method: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    params: Option<&'a P>,
}

impl JsonRpcTransport {
    pub(crate) fn new(url: &str, core: HttpCore, body_limit: usize) -> Result<Self, Error> {
        let url = reqwest::Url::parse(url).map_err(|err| {
            Error::invalid_params(format!(
                "{:?} is not a JSON-RPC endpoint URL: {err}",
                redact::url(url)
            ))
            .with_source(err)
        })?;
        Ok(Self {
            url,
            core,
            body_limit,
        })
    }

    fn envelope(&self, call: &Call) -> Result<(u64, Vec<u8>), Error> {
        let id = self.core.next_id();
        let body = if self.core.v0_3 {
            let (method, params) = v0_3::request(call)?;
            encode(id, method.as_str(), params.as_ref())
        } else {
            encode(id, call.method().as_str(), Some(&call.message()))
        };
        let body = body.map_err(|err| {
            Error::invalid_params(format!("the request could not be encoded: {err}")).with_source(err)
        })?;
        Ok((id, body))
    }

    /// Posts the call's envelope; a resumed subscription also says where it
    /// left off (`Last-Event-ID`).
    async fn post(
        &self,
        call: &Call,
        streaming: bool,
        last_event_id: Option<u64>,
    ) -> Result<(u64, reqwest::Response), Error> {
        let (id, body) = self.envelope(call)?;
        let body = Bytes::from(body);
        let response = self
            .core
            .send(call.method(), streaming, |http| {
                let request = http
                    .post(self.url.clone())
                    .header(reqwest::header::CONTENT_TYPE, "application/json")
                    .body(body.clone());
                match last_event_id {
                    Some(last) => request.header(LAST_EVENT_ID, last.to_string()),
                    None => request,
                }
            })
            .await?;
        Ok((id, response))
    }

    async fn open(&self, call: Call, last_event_id: Option<u64>) -> Result<ClientStream, Error> {
        let (id, response) = self.post(&call, true, last_event_id).await?;
        if !is_event_stream(&response) {
            // An error before the stream started comes back as a plain response.
            self.read(id, response).await?;
            return Err(Error::new(
                ErrorKind::InvalidResponse,
                "the agent answered a stream with a single result",
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
                read_v0_3_event
            } else {
                read_event
            },
        ))
    }

    /// Reads a JSON-RPC response body: the bytes of its `result` (a slice of
    /// the body, not a copy), or the error it carries, with the response's
    /// `WWW-Authenticate` challenge if it has one.
    async fn read(&self, id: u64, response: reqwest::Response) -> Result<Bytes, Error> {
        let challenge = challenge(response.headers());
        self.read_body_of(id, response)
            .await
            .map_err(|err| with_challenge(err, challenge))
    }

    async fn read_body_of(&self, id: u64, response: reqwest::Response) -> Result<Bytes, Error> {
        let status = response.status();
        let body = read_body(response, self.body_limit).await?;
        result_of(&body, id as i64, status)
    }
}

/// The `result` of a JSON-RPC response body to request `id` (a slice of
/// the body, not a copy), or the error it carries or is.
fn result_of(body: &Bytes, id: i64, status: reqwest::StatusCode) -> Result<Bytes, Error> {
    match serde_json::from_slice::<Response<&RawValue>>(body) {
        Ok(response) => {
            if response.id != Id::from(id) && response.id != Id::Null {
                return Err(Error::new(
                    ErrorKind::InvalidResponse,
                    format!("the response answers request {} instead of {id}", response.id),
                ));
            }
            let result = response.into_result()?;
            Ok(body.slice_ref(result.get().as_bytes()))
        }
        Err(err) if status.is_success() => Err(Error::new(
            ErrorKind::InvalidResponse,
            format!(
                "the agent's answer is not a JSON-RPC response ({err}): {}",
                excerpt(body)
            ),
        )
        .with_source(err)),
        // A bare 401 / 403 refuses the caller; other statuses are unexpected.
        Err(_) => Err(status_error(status, "the agent", body)),
    }
}

/// Reads a JSON-RPC response to request `id` ([`Reply::JsonRpc`]) as the
/// message `T` it carries, or the error it carries: in one pass over the
/// body when it is what it should be; when it is not, read again, envelope
/// first, to say exactly what is wrong.
pub(crate) fn read_reply<T: DeserializeOwned>(body: &Bytes, id: i64) -> Result<T, Error> {
    if let Ok(response) = serde_json::from_slice::<Response<T>>(body) {
        if response.id == Id::from(id) || response.id == Id::Null {
            return response.into_result();
        }
    }
    let result = result_of(body, id, reqwest::StatusCode::OK)?;
    crate::client::decode(&result)
}

fn encode<P: Serialize>(id: u64, method: &'static str, params: Option<&P>) -> serde_json::Result<Vec<u8>> {
    // Most requests fit: the buffer is not grown and copied again and again.
    let mut body = Vec::with_capacity(1024);
    serde_json::to_writer(
        &mut body,
        &Envelope {
            jsonrpc: VERSION,
            id,
            method,
            params,
        },
    )?;
    Ok(body)
}

/// Reads one SSE event of a JSON-RPC stream: a response holding a
/// `StreamResponse`, or an error (as `event: error` or as an error response).
fn read_event(event: &sse::Event) -> Result<StreamResponse, Error> {
    let result = stream_result(&event.data)?;
    json::from_str(result.get()).map_err(|err| {
        Error::new(
            ErrorKind::InvalidResponse,
            format!("a streamed event is not a StreamResponse: {err}"),
        )
        .with_source(err)
    })
}

/// Reads one SSE event of a v0.3 JSON-RPC stream, as its 1.0 event.
fn read_v0_3_event(event: &sse::Event) -> Result<StreamResponse, Error> {
    v0_3::stream_event(stream_result(&event.data)?.get())
}

/// The `result` of a streamed JSON-RPC response, or the error it carries.
fn stream_result(data: &str) -> Result<Box<RawValue>, Error> {
    let response: Response<Box<RawValue>> = serde_json::from_str(data).map_err(|err| {
        Error::new(
            ErrorKind::InvalidResponse,
            format!("a streamed event is not a JSON-RPC response: {err}"),
        )
        .with_source(err)
    })?;
    response.into_result()
}

impl Transport for JsonRpcTransport {
    fn call(&self, call: Call) -> BoxFuture<'_, Result<Reply, Error>> {
        Box::pin(async move {
            let (id, response) = self.post(&call, false, None).await?;
            if self.core.v0_3 {
                let result = self.read(id, response).await?;
                return v0_3::reply(call.method(), &result);
            }
            // A success is read once, by the caller, straight into the
            // message it expects; anything else is read here.
            if response.status().is_success() {
                let body = read_body(response, self.body_limit).await?;
                return Ok(Reply::JsonRpc { body, id: id as i64 });
            }
            self.read(id, response).await.map(Reply::Json)
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
