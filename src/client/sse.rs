//! Reading server-sent events: `eventsource-stream` parses the protocol
//! (comments, `id:`, `retry:`, multi-line `data:`, CRLF); in front of it a
//! guard caps how large one event may grow, so a server cannot make the
//! client buffer without bound. Behind it, each event's `id:` becomes the
//! [`StreamEvent`]'s id.

use std::time::Duration;

use bytes::Bytes;
use eventsource_stream::{Event, EventStreamError, Eventsource as _};
use futures_util::{Stream, StreamExt as _};

use super::stream::{ClientStream, StreamEvent};
use crate::types::StreamResponse;
use crate::{Error, ErrorKind};

/// Counts the bytes of the event being received and fails past `max`.
struct EventSizeGuard {
    max: usize,
    event_len: usize,
    line_len: usize,
    after_cr: bool,
}

impl EventSizeGuard {
    fn new(max: usize) -> Self {
        Self {
            max,
            event_len: 0,
            line_len: 0,
            after_cr: false,
        }
    }

    fn check(&mut self, chunk: &[u8]) -> Result<(), Error> {
        for &byte in chunk {
            match byte {
                b'\n' if self.after_cr => self.after_cr = false,
                b'\r' | b'\n' => {
                    self.after_cr = byte == b'\r';
                    if self.line_len == 0 {
                        // A blank line ends the event.
                        self.event_len = 0;
                    }
                    self.line_len = 0;
                }
                _ => {
                    self.after_cr = false;
                    self.line_len += 1;
                    self.event_len += 1;
                    if self.event_len > self.max {
                        return Err(Error::new(
                            ErrorKind::InvalidResponse,
                            format!("a streamed event exceeds {} bytes", self.max),
                        ));
                    }
                }
            }
        }
        Ok(())
    }
}

/// The chunks of a body, failing once none has come for `idle`.
fn watched(
    bytes: impl Stream<Item = Result<Bytes, reqwest::Error>> + Send + 'static,
    idle: Option<Duration>,
) -> impl Stream<Item = Result<Bytes, Error>> + Send + 'static {
    let bytes = Box::pin(bytes.map(|chunk| {
        chunk.map_err(|err| Error::new(ErrorKind::Connect, format!("the stream broke: {err}")))
    }));
    futures_util::stream::unfold((bytes, false), move |(mut bytes, silent)| async move {
        if silent {
            return None;
        }
        let next = match idle {
            None => bytes.next().await,
            Some(idle) => match tokio::time::timeout(idle, bytes.next()).await {
                Ok(next) => next,
                Err(_) => {
                    let err = Error::new(
                        ErrorKind::Timeout,
                        format!("the stream was silent for {idle:?}, keep-alives included"),
                    );
                    return Some((Err(err), (bytes, true)));
                }
            },
        };
        next.map(|chunk| (chunk, (bytes, false)))
    })
}

/// The events of an SSE body, each at most `max_event` bytes; silent for
/// `idle`, the body fails.
pub(crate) fn events(
    bytes: impl Stream<Item = Result<Bytes, reqwest::Error>> + Send + 'static,
    max_event: usize,
    idle: Option<Duration>,
) -> impl Stream<Item = Result<Event, Error>> + Send + 'static {
    let mut guard = EventSizeGuard::new(max_event);
    let guarded = watched(bytes, idle).map(move |chunk| {
        let chunk = chunk?;
        guard.check(&chunk)?;
        Ok::<Bytes, Error>(chunk)
    });
    guarded.eventsource().map(|event| {
        event.map_err(|err| match err {
            EventStreamError::Transport(err) => err,
            EventStreamError::Utf8(err) => Error::new(
                ErrorKind::InvalidResponse,
                format!("a streamed event is not UTF-8: {err}"),
            ),
            EventStreamError::Parser(err) => Error::new(
                ErrorKind::InvalidResponse,
                format!("the event stream is malformed: {err}"),
            ),
        })
    })
}

/// The stream of an SSE body: `read` turns each event into a response, and
/// its `id:` (a decimal sequence number) becomes the event's id. Only
/// unnamed events (`message`) and `error` events are the protocol's; any
/// other name (a server's `event: ping`) is skipped, not read.
pub(crate) fn stream(
    bytes: impl Stream<Item = Result<Bytes, reqwest::Error>> + Send + 'static,
    max_event: usize,
    idle: Option<Duration>,
    read: fn(&Event) -> Result<StreamResponse, Error>,
) -> ClientStream {
    let mut previous = String::new();
    let ours = |event: &Result<Event, Error>| {
        std::future::ready(match event {
            Ok(event) => matches!(event.event.as_str(), "" | "message" | "error"),
            Err(_) => true,
        })
    };
    ClientStream::from_events(events(bytes, max_event, idle).filter(ours).map(move |event| {
        let event = event?;
        let id = new_id(&mut previous, &event.id);
        let response = read(&event)?;
        Ok(StreamEvent { id, response })
    }))
}

/// The id an event brings, if it brings one. SSE hands an event without an
/// `id:` line the previous event's id, so within one connection an id equal
/// to the previous one is that carry-over, not a new id; treating it as one
/// would make the resumer drop the event as already seen.
fn new_id(previous: &mut String, id: &str) -> Option<u64> {
    if id == previous {
        return None;
    }
    previous.clear();
    previous.push_str(id);
    id.trim().parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn parse(chunks: &[&'static str], max: usize) -> Vec<Result<(String, String), ErrorKind>> {
        let chunks: Vec<Result<Bytes, reqwest::Error>> = chunks
            .iter()
            .map(|c| Ok(Bytes::from_static(c.as_bytes())))
            .collect();
        let bytes = futures_util::stream::iter(chunks);
        events(bytes, max, None)
            .map(|e| e.map(|e| (e.event, e.data)).map_err(|e| e.kind()))
            .collect()
            .await
    }

    fn data(items: &[Result<(String, String), ErrorKind>]) -> Vec<String> {
        items.iter().map(|i| i.as_ref().unwrap().1.clone()).collect()
    }

    #[tokio::test]
    async fn events_with_another_name_are_skipped_not_fatal() {
        // A keep-alive some servers send as a named event with a body that
        // is no StreamResponse.
        let body = "event: ping\ndata: {}\n\n\
                    id: 1\ndata: {\"statusUpdate\":{\"taskId\":\"t\",\"contextId\":\"c\",\"status\":{\"state\":\"TASK_STATE_WORKING\"}}}\n\n";
        let bytes =
            futures_util::stream::iter([Ok::<_, reqwest::Error>(Bytes::from_static(body.as_bytes()))]);
        fn read(event: &Event) -> Result<StreamResponse, Error> {
            crate::types::json::from_str(&event.data)
                .map_err(|err| Error::new(ErrorKind::InvalidResponse, err.to_string()))
        }
        let items: Vec<Result<StreamResponse, Error>> = stream(bytes, 1024, None, read).collect().await;
        assert_eq!(items.len(), 1, "{items:?}");
        assert!(
            matches!(items[0], Ok(StreamResponse::StatusUpdate(_))),
            "{items:?}"
        );
    }

    #[tokio::test]
    async fn comments_ids_and_retry_lines_are_skipped() {
        let items = parse(
            &[
                ": keep-alive\n\n",
                "id: 7\nretry: 100\ndata: {\"a\":1}\n\n",
                ": ping\n\n",
            ],
            1024,
        )
        .await;
        assert_eq!(data(&items), ["{\"a\":1}"]);
    }

    #[tokio::test]
    async fn crlf_and_split_chunks_are_handled() {
        let items = parse(&["da", "ta: one\r", "\n\r\ndata: two\r\n", "\r\n"], 1024).await;
        assert_eq!(data(&items), ["one", "two"]);
    }

    #[tokio::test]
    async fn multi_line_data_is_joined_and_event_names_kept() {
        let items = parse(&["event: error\ndata: {\"x\":\ndata: 2}\n\n"], 1024).await;
        assert_eq!(
            items[0].as_ref().unwrap(),
            &("error".to_owned(), "{\"x\":\n2}".to_owned())
        );
    }

    #[test]
    fn only_new_decimal_ids_count() {
        let mut previous = String::new();
        assert_eq!(new_id(&mut previous, ""), None);
        assert_eq!(new_id(&mut previous, "1"), Some(1));
        // Carried over to an event without its own `id:` line.
        assert_eq!(new_id(&mut previous, "1"), None);
        assert_eq!(new_id(&mut previous, "7"), Some(7));
        assert_eq!(new_id(&mut previous, "not-a-number"), None);
    }

    #[tokio::test]
    async fn an_oversized_event_is_an_error() {
        let big = Box::leak(format!("data: {}\n\n", "x".repeat(100)).into_boxed_str());
        let items = parse(&[big], 64).await;
        assert_eq!(
            items.last().unwrap().as_ref().unwrap_err(),
            &ErrorKind::InvalidResponse
        );
        // Many small events never add up.
        let many: &'static str = Box::leak("data: 0123456789\n\n".repeat(100).into_boxed_str());
        let items = parse(&[many], 64).await;
        assert_eq!(items.len(), 100);
        assert!(items.iter().all(Result::is_ok));
    }
}
