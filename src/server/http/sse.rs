//! Server-sent events: one `data:` line per event, keep-alive comments while
//! idle, and `event: error` for an error after the stream has started.

use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::Response;
use futures_util::{Stream, StreamExt as _};

use crate::Error;
use crate::server::EventStream;
use crate::types::StreamResponse;

/// One frame to send, already framed (`data: …\n\n`).
pub(super) struct Frame(Bytes);

impl Frame {
    /// Frames what `write` serialises, after `prefix`, in one allocation.
    fn build(prefix: &[u8], write: impl FnOnce(&mut Vec<u8>)) -> Self {
        let mut out = Vec::with_capacity(512);
        out.extend_from_slice(prefix);
        write(&mut out);
        out.extend_from_slice(b"\n\n");
        Frame(Bytes::from(out))
    }

    fn into_bytes(self) -> Bytes {
        self.0
    }
}

/// A `200 text/event-stream` response sending `frames`, with a keep-alive
/// comment when nothing was sent for a whole `keep_alive` period. It ends
/// when `frames` ends. Frames that are ready together go out in one write.
pub(super) fn response<S>(frames: S, keep_alive: Duration) -> Response
where
    S: Stream<Item = Frame> + Send + 'static,
{
    struct State<S: Stream> {
        frames: std::pin::Pin<Box<futures_util::stream::ReadyChunks<S>>>,
        ticker: tokio::time::Interval,
        sent_since_tick: bool,
    }
    let mut ticker = tokio::time::interval_at(tokio::time::Instant::now() + keep_alive, keep_alive);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let state = State {
        frames: Box::pin(frames.ready_chunks(32)),
        ticker,
        sent_since_tick: false,
    };
    let body = futures_util::stream::unfold(state, |mut state| async move {
        loop {
            tokio::select! {
                biased;
                batch = state.frames.next() => {
                    let mut batch = batch?;
                    state.sent_since_tick = true;
                    // Give a producer that is mid-burst one turn, and take
                    // whatever it added: fewer, larger writes under load.
                    tokio::task::yield_now().await;
                    while let Some(Some(more)) = futures_util::FutureExt::now_or_never(state.frames.next()) {
                        batch.extend(more);
                    }
                    let bytes = match <[Frame; 1]>::try_from(batch) {
                        Ok([frame]) => frame.into_bytes(),
                        Err(batch) => {
                            let mut joined = Vec::new();
                            for frame in batch {
                                joined.extend_from_slice(&frame.into_bytes());
                            }
                            Bytes::from(joined)
                        }
                    };
                    return Some((Ok::<_, std::convert::Infallible>(bytes), state));
                }
                _ = state.ticker.tick() => {
                    if !std::mem::take(&mut state.sent_since_tick) {
                        return Some((Ok(Bytes::from_static(b": keep-alive\n\n")), state));
                    }
                }
            }
        }
    });
    let mut response = Response::new(Body::from_stream(body));
    *response.status_mut() = StatusCode::OK;
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/event-stream"),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert("x-accel-buffering", HeaderValue::from_static("no"));
    response
}

/// Maps a task's event stream to frames: each event a `data:` frame whose
/// `id:` is the event's sequence number (what a client sends back as
/// `Last-Event-ID` to resume), each error an `event: error` frame (the
/// handler's streams end after their first error). The closures write the
/// JSON straight into the frame.
pub(super) fn frames(
    stream: EventStream,
    data: impl Fn(&mut Vec<u8>, &StreamResponse) + Send + 'static,
    error: impl Fn(&mut Vec<u8>, Error) + Send + 'static,
) -> impl Stream<Item = Frame> + Send + 'static {
    stream.map(move |item| match item {
        Ok(event) => {
            let mut prefix = [0u8; 48];
            let len = {
                use std::io::Write as _;
                let mut cursor = std::io::Cursor::new(&mut prefix[..]);
                let _ = write!(cursor, "id: {}\ndata: ", event.sequence);
                cursor.position() as usize
            };
            Frame::build(&prefix[..len], |out| data(out, &event.event))
        }
        Err(err) => Frame::build(b"event: error\ndata: ", |out| error(out, err)),
    })
}

/// The `Last-Event-ID` of a request that resumes a stream: a sequence number.
/// Anything else is ignored (the stream starts afresh), as SSE asks of an
/// id the server does not recognise.
pub(super) fn last_event_id(headers: &axum::http::HeaderMap) -> Option<u64> {
    headers.get("last-event-id")?.to_str().ok()?.trim().parse().ok()
}
