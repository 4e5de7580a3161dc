//! The stream a streaming call returns, and the event ids it carries.
//!
//! Over the SSE bindings every event of a resumable agent comes with an
//! `id:`, its per-task sequence number. [`ClientStream`] yields the bare
//! [`StreamResponse`]s (so `while let Some(event) = stream.next().await`
//! keeps working) and remembers the last id it yielded, which is what
//! [`Client::subscribe_from`](super::Client::subscribe_from) needs to pick
//! the task up again later.

use std::pin::Pin;
use std::task::{Context, Poll, ready};
use std::time::Duration;

use futures_util::{Stream, StreamExt as _};

use crate::types::StreamResponse;
use crate::{Error, ErrorKind};

/// One streamed event with the SSE id it arrived with, if any.
///
/// gRPC messages have no id, and agents without resumable streams send
/// none, so `id` is `None` there.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct StreamEvent {
    /// The event's per-task sequence number (the SSE `id:`).
    pub id: Option<u64>,
    /// The event.
    pub response: StreamResponse,
}

impl StreamEvent {
    /// An event without an id.
    pub fn new(response: StreamResponse) -> Self {
        Self { id: None, response }
    }

    /// Sets the event's id.
    pub fn with_id(mut self, id: u64) -> Self {
        self.id = Some(id);
        self
    }
}

type Events = Pin<Box<dyn Stream<Item = Result<StreamEvent, Error>> + Send>>;

/// The items of a streaming call, in order; it ends after the last one.
///
/// It is a `Stream` of `Result<StreamResponse, Error>`. Read
/// [`last_event_id`](Self::last_event_id) to learn how far it got, or
/// [`next_event`](Self::next_event) to get each event's id with it.
pub struct ClientStream {
    events: Events,
    last_event_id: Option<u64>,
}

impl std::fmt::Debug for ClientStream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientStream")
            .field("last_event_id", &self.last_event_id)
            .finish_non_exhaustive()
    }
}

impl ClientStream {
    /// A stream of events that carry no ids (for a [`Transport`](super::Transport)
    /// whose wire has none).
    pub fn new(items: impl Stream<Item = Result<StreamResponse, Error>> + Send + 'static) -> Self {
        Self::from_events(items.map(|item| item.map(StreamEvent::new)))
    }

    /// A stream of events with their ids.
    pub fn from_events(events: impl Stream<Item = Result<StreamEvent, Error>> + Send + 'static) -> Self {
        Self {
            events: Box::pin(events),
            last_event_id: None,
        }
    }

    /// Starts the count at an id the caller has already seen (a resumed subscription).
    pub(crate) fn starting_after(mut self, last_seen: Option<u64>) -> Self {
        self.last_event_id = last_seen;
        self
    }

    /// The highest event id yielded so far (or the one a resumed
    /// subscription started after); `None` while no event carried one.
    /// Pass it to [`Client::subscribe_from`](super::Client::subscribe_from)
    /// to continue where this stream stopped.
    pub fn last_event_id(&self) -> Option<u64> {
        self.last_event_id
    }

    /// The next event with its id (the `Stream` impl yields the same events without it).
    pub async fn next_event(&mut self) -> Option<Result<StreamEvent, Error>> {
        let item = self.events.next().await;
        self.note(&item);
        item
    }

    fn note(&mut self, item: &Option<Result<StreamEvent, Error>>) {
        if let Some(Ok(StreamEvent { id: Some(id), .. })) = item {
            self.last_event_id = Some(self.last_event_id.map_or(*id, |last| last.max(*id)));
        }
    }
}

impl Stream for ClientStream {
    type Item = Result<StreamResponse, Error>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let item = ready!(self.events.poll_next_unpin(cx));
        self.note(&item);
        Poll::Ready(item.map(|item| item.map(|event| event.response)))
    }
}

/// `items`, failing with a [`Timeout`](ErrorKind::Timeout) once none has
/// come for `idle` (`None`: never), and ending after that error. `what`
/// says what counts as a sign of life, for the error message.
///
/// The error is what the resumer treats as a dead connection: a stream that
/// went silent is picked up again like one that broke.
pub(crate) fn idle_bounded<T: Send + 'static>(
    items: impl Stream<Item = Result<T, Error>> + Send + 'static,
    idle: Option<Duration>,
    what: &'static str,
) -> impl Stream<Item = Result<T, Error>> + Send + 'static {
    let items = Box::pin(items);
    futures_util::stream::unfold((items, false), move |(mut items, silent)| async move {
        if silent {
            return None;
        }
        let next = match idle {
            None => items.next().await,
            Some(idle) => match tokio::time::timeout(idle, items.next()).await {
                Ok(next) => next,
                Err(_) => {
                    let err = Error::new(
                        ErrorKind::Timeout,
                        format!("the stream was silent for {idle:?} ({what})"),
                    );
                    return Some((Err(err), (items, true)));
                }
            },
        };
        next.map(|item| (item, (items, false)))
    })
}

impl From<Pin<Box<dyn Stream<Item = Result<StreamResponse, Error>> + Send>>> for ClientStream {
    /// What `ClientStream` was before it carried ids: a boxed stream of responses.
    fn from(items: Pin<Box<dyn Stream<Item = Result<StreamResponse, Error>> + Send>>) -> Self {
        Self::new(items)
    }
}
