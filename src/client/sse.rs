//! Reading server-sent events: `eventsource-stream` parses the protocol
//! (comments, `id:`, `retry:`, multi-line `data:`, CRLF); in front of it
//! two guards keep a server from making the client buffer without bound:
//! one caps how large one event may grow, the other decodes the bytes as
//! UTF-8 and stops at the first invalid sequence (the parser would
//! otherwise hold the invalid tail, and everything after it, forever).
//! Behind it, each event's `id:` becomes the [`StreamEvent`]'s id.

use std::time::Duration;

use bytes::Bytes;
pub(crate) use eventsource_stream::Event;
use eventsource_stream::{EventStreamError, Eventsource as _};
use futures_util::{Stream, StreamExt as _};

use super::stream::{ClientStream, StreamEvent, idle_bounded};
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

/// Checks that a body is UTF-8 as it arrives, holding back only the bytes
/// of a character cut between two chunks (three at most).
#[derive(Default)]
struct Utf8Guard {
    /// The start of a character whose end is in the next chunk.
    pending: Vec<u8>,
    /// Bytes of the body passed on so far, to say where an invalid one is.
    offset: usize,
}

impl Utf8Guard {
    /// The text of `chunk` that is known good, and the error when the chunk
    /// holds an invalid sequence (the text before it is still good).
    fn check(&mut self, chunk: Bytes) -> (Bytes, Option<Error>) {
        let joined = if self.pending.is_empty() {
            chunk
        } else {
            let mut joined = std::mem::take(&mut self.pending);
            joined.extend_from_slice(&chunk);
            Bytes::from(joined)
        };
        let (valid, error) = match std::str::from_utf8(&joined) {
            Ok(_) => (joined.len(), None),
            // Cut mid-character: the rest comes with the next chunk.
            Err(err) if err.error_len().is_none() => {
                self.pending = joined[err.valid_up_to()..].to_vec();
                (err.valid_up_to(), None)
            }
            Err(err) => {
                let at = err.valid_up_to();
                let error = Error::new(
                    ErrorKind::InvalidResponse,
                    format!(
                        "a streamed event is not UTF-8: byte {:#04x} at offset {} of the stream",
                        joined[at],
                        self.offset + at
                    ),
                )
                .with_source(err);
                (at, Some(error))
            }
        };
        self.offset += valid;
        (joined.slice(..valid), error)
    }
}

/// The events of an SSE body, each at most `max_event` bytes; silent for
/// `idle`, the body fails.
///
/// Bytes that are not UTF-8 end the stream with an `InvalidResponse` error
/// in place of the event they belong to; the events before it are
/// delivered. The event cannot be read, and a stream past a lost event is
/// not one the caller can trust to be whole (the lost one may have ended
/// the task): an error the caller sees, and can act on with `GetTask`,
/// beats a gap. Any other event that cannot be read ends a client's stream
/// the same way.
pub(crate) fn events(
    bytes: impl Stream<Item = Result<Bytes, reqwest::Error>> + Send + 'static,
    max_event: usize,
    idle: Option<Duration>,
) -> impl Stream<Item = Result<Event, Error>> + Send + 'static {
    let bytes = bytes.map(|chunk| {
        chunk.map_err(|err| {
            let err = err.without_url();
            Error::new(ErrorKind::Connect, format!("the stream broke: {err}")).with_source(err)
        })
    });
    let mut size = EventSizeGuard::new(max_event);
    let mut text = Utf8Guard::default();
    let checked = idle_bounded(bytes, idle, "not a byte, keep-alives included").flat_map(move |chunk| {
        let items = match chunk.and_then(|chunk| size.check(&chunk).map(|()| chunk)) {
            Err(err) => vec![Err(err)],
            Ok(chunk) => match text.check(chunk) {
                (good, None) => vec![Ok(good)],
                (good, Some(err)) => vec![Ok(good), Err(err)],
            },
        };
        futures_util::stream::iter(items)
    });
    // Nothing after a failure is read (the guards' count is off from
    // there), and the body is not even polled again: it may never end.
    let checked =
        futures_util::stream::unfold((Box::pin(checked), false), |(mut chunks, failed)| async move {
            if failed {
                return None;
            }
            let chunk = chunks.next().await?;
            let failed = chunk.is_err();
            Some((chunk, (chunks, failed)))
        });
    checked.eventsource().map(|event| {
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

    #[tokio::test]
    async fn characters_cut_between_chunks_are_joined() {
        let heart = "data: \u{2764}\u{fe0f} ok\n\n".as_bytes();
        let chunks: Vec<Result<Bytes, reqwest::Error>> =
            heart.iter().map(|b| Ok(Bytes::copy_from_slice(&[*b]))).collect();
        let items: Vec<_> = events(futures_util::stream::iter(chunks), 1024, None)
            .map(|e| e.map(|e| e.data))
            .collect()
            .await;
        assert_eq!(items.len(), 1);
        assert_eq!(items[0].as_ref().unwrap(), "\u{2764}\u{fe0f} ok");
    }

    #[tokio::test]
    async fn invalid_utf8_ends_the_stream_after_the_events_before_it() {
        let mut body = b"data: one\n\ndata: t\xffwo\n\n".to_vec();
        // Whatever follows is not read, let alone held.
        body.extend(b"data: three\n\n".repeat(1000));
        let bytes = futures_util::stream::iter([Ok::<_, reqwest::Error>(Bytes::from(body))])
            .chain(futures_util::stream::pending());
        let items: Vec<_> = tokio::time::timeout(
            Duration::from_secs(5),
            events(bytes, 1024, None)
                .map(|e| e.map(|e| e.data))
                .collect::<Vec<_>>(),
        )
        .await
        .expect("the stream ends at the invalid byte, not later");
        assert_eq!(items.len(), 2, "{items:?}");
        assert_eq!(items[0].as_ref().unwrap(), "one");
        let err = items[1].as_ref().unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidResponse);
        assert!(err.message().contains("0xff at offset 18"), "{err}");
    }

    #[test]
    fn the_utf8_guard_holds_at_most_a_cut_character() {
        let mut guard = Utf8Guard::default();
        let (good, err) = guard.check(Bytes::from_static(b"ab\xe2\x9d"));
        assert_eq!((&good[..], err.is_none()), (&b"ab"[..], true));
        assert_eq!(guard.pending.len(), 2);
        let (good, err) = guard.check(Bytes::from_static(b"\xa4c"));
        assert_eq!((&good[..], err.is_none()), ("\u{2764}c".as_bytes(), true));
        assert!(guard.pending.is_empty());
        let (good, err) = guard.check(Bytes::from_static(b"d\xc0\xafe"));
        assert_eq!(&good[..], b"d");
        assert!(err.unwrap().message().contains("offset 7"));
    }
}
