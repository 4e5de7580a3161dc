//! A streamed reply read the easy way: as the text the agent adds, with
//! the task kept up to date underneath.

use std::collections::HashMap;

use futures_util::StreamExt as _;

use super::stream::ClientStream;
use crate::Error;
use crate::types::{Message, StreamResponse, Task, TaskStatus};

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
///
/// A task snapshot adds what it holds beyond the text read so far: the text
/// of artifacts not seen yet (or the rest of one seen in part), then its
/// status message under the rule above, unless that message was read
/// already. So a stream resumed with a snapshot standing in for events it
/// missed reads as if it had not broken. The snapshot a stream opens with
/// is where the reply starts from (a follow-up's task already holds the
/// earlier artifacts and question), so it adds no text, unless it is the
/// whole stream: the answer of an agent that does not stream (one task,
/// finished or waiting for input) reads as that task's text.
#[derive(Debug)]
pub struct StreamedReply {
    stream: ClientStream,
    task: Option<Task>,
    message: Option<Message>,
    /// How many bytes of each artifact's text were given, by artifact id.
    given: HashMap<String, usize>,
    /// The last status message given as text.
    last_word: Option<Message>,
    /// Whether an event was read.
    started: bool,
    /// The text of the snapshot the stream opened with: given only if
    /// nothing follows it.
    opening: Option<String>,
}

impl ClientStream {
    /// This stream as a [`StreamedReply`]: text pieces, and the task at the end.
    pub fn reply(self) -> StreamedReply {
        StreamedReply {
            stream: self,
            task: None,
            message: None,
            given: HashMap::new(),
            last_word: None,
            started: false,
            opening: None,
        }
    }
}

impl StreamedReply {
    /// The next piece of text, `None` once the stream has ended. An error
    /// ends the reply.
    pub async fn next_text(&mut self) -> Option<Result<String, Error>> {
        loop {
            let event = match self.stream.next().await {
                Some(Ok(event)) => event,
                Some(Err(err)) => return Some(Err(err)),
                // A stream that was one task snapshot: that task is the answer.
                None => return self.opening.take().filter(|text| !text.is_empty()).map(Ok),
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
        let opening = !self.started;
        self.started = true;
        self.opening = None;
        let text = match &event {
            StreamResponse::Message(message) => {
                self.message = Some(message.clone());
                return Some(message.text());
            }
            StreamResponse::ArtifactUpdate(update) => {
                let text = update.artifact.to_text();
                let given = self.given.entry(update.artifact.artifact_id.clone()).or_default();
                *given = if update.append {
                    *given + text.len()
                } else {
                    text.len()
                };
                Some(text)
            }
            StreamResponse::StatusUpdate(update) => self.last_word(&update.status),
            StreamResponse::Task(task) => {
                let mut text = String::new();
                for artifact in &task.artifacts {
                    let whole = artifact.to_text();
                    let given = self.given.entry(artifact.artifact_id.clone()).or_default();
                    if let Some(rest) = whole.get(*given..) {
                        text.push_str(rest);
                    }
                    *given = (*given).max(whole.len());
                }
                if let Some(word) = self.last_word(&task.status) {
                    text.push_str(&word);
                }
                if opening {
                    self.opening = Some(text);
                    None
                } else {
                    Some(text)
                }
            }
            StreamResponse::Unrecognized => None,
        };
        match (&mut self.task, &event) {
            (_, StreamResponse::Task(task)) => self.task = Some(task.clone()),
            (Some(task), event) => task.apply(event),
            (None, _) => {}
        }
        text
    }

    /// The text of `status`'s message when it is the agent's last word or
    /// question (a state that ends the stream or asks for input) and was
    /// not given already.
    fn last_word(&mut self, status: &TaskStatus) -> Option<String> {
        let state = status.state;
        if !(state.is_terminal() || state.is_interrupted()) {
            return None;
        }
        let message = status.message.as_ref()?;
        let repeated = self.last_word.as_ref().is_some_and(|said| {
            said == message || (!said.message_id.is_empty() && said.message_id == message.message_id)
        });
        if repeated {
            return None;
        }
        self.last_word = Some(message.clone());
        Some(message.text())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::{Artifact, Part, TaskArtifactUpdateEvent, TaskState, TaskStatusUpdateEvent};

    fn reply(events: Vec<StreamResponse>) -> StreamedReply {
        ClientStream::new(futures_util::stream::iter(events.into_iter().map(Ok))).reply()
    }

    fn finished(artifacts: Vec<Artifact>, word: Option<Message>) -> Task {
        let mut status = TaskStatus::new(TaskState::Completed);
        status.message = word;
        let mut task = Task::new("t1", "c1", status);
        task.artifacts = artifacts;
        task
    }

    #[tokio::test]
    async fn a_lone_finished_task_reads_as_its_artifacts_then_its_last_word() {
        let task = finished(
            vec![Artifact::text("a", "Once upon "), Artifact::text("b", "a time.")],
            Some(Message::agent("The end.")),
        );
        let mut reply = reply(vec![StreamResponse::Task(task)]);
        assert_eq!(reply.text().await.unwrap(), "Once upon a time.The end.");
        assert_eq!(reply.task().unwrap().status.state, TaskState::Completed);
    }

    #[tokio::test]
    async fn the_opening_snapshot_of_a_follow_up_is_not_part_of_the_reply() {
        let mut waiting = TaskStatus::new(TaskState::InputRequired);
        waiting.message = Some(Message::agent("Who is it?"));
        let mut earlier = Task::new("t1", "c1", waiting);
        earlier.artifacts = vec![Artifact::text("a", "from before")];
        let mut done = TaskStatus::new(TaskState::Completed);
        done.message = Some(Message::agent("Hello, Ada"));
        let mut last = earlier.clone();
        last.status = done.clone();
        let events = vec![
            StreamResponse::Task(earlier),
            StreamResponse::StatusUpdate(TaskStatusUpdateEvent::new("t1", "c1", done)),
            StreamResponse::Task(last),
        ];
        assert_eq!(reply(events).text().await.unwrap(), "Hello, Ada");
    }

    #[tokio::test]
    async fn a_final_snapshot_repeats_nothing_already_read_and_adds_what_was_missed() {
        let word = Message::agent("Done.");
        let chunk = |text: &str, append: bool| {
            let mut update = TaskArtifactUpdateEvent::new("t1", "c1", Artifact::text("a", text));
            update.append = append;
            StreamResponse::ArtifactUpdate(update)
        };
        let mut status = TaskStatus::new(TaskState::Completed);
        status.message = Some(word.clone());
        let mut whole = Artifact::text("a", "Hello, ");
        whole.parts.push(Part::text("world"));
        let events = vec![
            StreamResponse::Task(Task::new("t1", "c1", TaskStatus::new(TaskState::Working))),
            chunk("Hello, ", false),
            // The chunk "world" was missed (a resumed stream); the snapshot has it.
            StreamResponse::StatusUpdate(TaskStatusUpdateEvent::new("t1", "c1", status)),
            StreamResponse::Task(finished(vec![whole, Artifact::text("b", "!")], Some(word))),
        ];
        let mut reply = reply(events);
        assert_eq!(reply.text().await.unwrap(), "Hello, Done.world!");
    }
}
