//! A streamed reply read the easy way: as the text the agent adds, with
//! the task kept up to date underneath.

use futures_util::StreamExt as _;

use super::stream::ClientStream;
use crate::Error;
use crate::types::{Message, StreamResponse, Task};

/// A streamed reply as text: each call to [`next_text`](Self::next_text)
/// gives the next piece the agent added, while the task is folded from
/// every event (artifact chunks merged in order), ready at the end.
///
/// ```no_run
/// # async fn demo(client: a2akit::client::Client) -> Result<(), a2akit::Error> {
/// let mut reply = client.send_streaming_message("Tell me a story").await?.reply();
/// while let Some(text) = reply.next_text().await {
///     print!("{}", text?);
/// }
/// println!("\n[{}]", reply.task().map(|t| t.status.state.to_string()).unwrap_or_default());
/// # Ok(()) }
/// ```
///
/// The text is, in order: the text parts of each artifact chunk; the
/// message of a status that ends the stream or asks for input (the agent's
/// last word or its question); and a direct message reply. Status messages
/// along the way (progress notes) are in the task's history, not the text.
#[derive(Debug)]
pub struct StreamedReply {
    stream: ClientStream,
    task: Option<Task>,
    message: Option<Message>,
}

impl ClientStream {
    /// This stream as a [`StreamedReply`]: text pieces, and the task at the end.
    pub fn reply(self) -> StreamedReply {
        StreamedReply {
            stream: self,
            task: None,
            message: None,
        }
    }
}

impl StreamedReply {
    /// The next piece of text, `None` once the stream has ended. An error
    /// ends the reply.
    pub async fn next_text(&mut self) -> Option<Result<String, Error>> {
        loop {
            let event = match self.stream.next().await? {
                Ok(event) => event,
                Err(err) => return Some(Err(err)),
            };
            if let Some(text) = self.take(event).filter(|text| !text.is_empty()) {
                return Some(Ok(text));
            }
        }
    }

    /// Reads the rest of the stream and returns its whole text.
    pub async fn text(&mut self) -> Result<String, Error> {
        let mut all = String::new();
        while let Some(text) = self.next_text().await {
            all.push_str(&text?);
        }
        Ok(all)
    }

    /// The task as the events so far made it (none before the first task
    /// event, or when the agent answered with a message).
    pub fn task(&self) -> Option<&Task> {
        self.task.as_ref()
    }

    /// The agent's direct message reply, when it answered with one.
    pub fn message(&self) -> Option<&Message> {
        self.message.as_ref()
    }

    /// Folds an event in; the text it adds.
    fn take(&mut self, event: StreamResponse) -> Option<String> {
        let text = match &event {
            StreamResponse::Message(message) => {
                self.message = Some(message.clone());
                return Some(message.text());
            }
            StreamResponse::ArtifactUpdate(update) => Some(update.artifact.to_text()),
            StreamResponse::StatusUpdate(update) => {
                let state = update.status.state;
                let last_word = state.is_terminal() || state.is_interrupted();
                update
                    .status
                    .message
                    .as_ref()
                    .filter(|_| last_word)
                    .map(Message::text)
            }
            StreamResponse::Task(_) => None,
        };
        match (&mut self.task, &event) {
            (_, StreamResponse::Task(task)) => self.task = Some(task.clone()),
            (Some(task), event) => task.apply(event),
            (None, _) => {}
        }
        text
    }
}
