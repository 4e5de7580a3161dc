//! A conversation with an agent: follow-ups that stay in one context and
//! answer the task that asked for them.

use std::sync::{Arc, Mutex, MutexGuard};

use super::{Client, ClientStream, StreamEvent};
use crate::Error;
use crate::types::{Message, SendMessageRequest, SendMessageResponse, StreamResponse, Task, TaskState};

/// Several messages to one agent as one conversation: each carries the
/// `contextId` the agent gave the first, and while the last task waits for
/// the caller (INPUT_REQUIRED, AUTH_REQUIRED) its `taskId` too, so the
/// message answers it. Once that task has ended (or keeps working on its
/// own) the next message starts a new task in the same context.
///
/// A message that names its own context or task keeps them. One that names
/// another context than the conversation's moves the conversation there:
/// no task of the old context is attached to it (nor to the messages after
/// it, until the agent names one in the new context). The conversation
/// learns from every answer: the result of
/// [`send`](Self::send), and the events of a [`stream`](Self::stream) as
/// the caller reads them (read it to its end, or at least to the state
/// that matters, before the follow-up).
///
/// ```no_run
/// # async fn demo(client: a2akit::client::Client) -> Result<(), a2akit::Error> {
/// let mut chat = client.conversation();
/// // The agent asks which evening (INPUT_REQUIRED)…
/// chat.send("Book a table for two").await?;
/// // …so the answer goes to that task, in the same context.
/// chat.send("Friday, 8 pm").await?;
/// // The booking is done: this is a new task, still in the same context.
/// let mut reply = chat.stream("And a taxi at 11").await?.reply();
/// println!("{}", reply.text().await?);
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub struct Conversation {
    client: Client,
    thread: Arc<Mutex<Thread>>,
}

/// What the conversation knows so far.
#[derive(Debug, Default)]
struct Thread {
    context_id: Option<String>,
    /// The last task and its last known state.
    task: Option<(String, TaskState)>,
}

impl Thread {
    /// Addresses `message` to this conversation where it names nothing
    /// itself, and moves the conversation to a context it names: the waiting
    /// task belongs to the old one, so it is neither attached nor kept.
    fn address(&mut self, message: &mut Message) {
        let elsewhere =
            !message.context_id.is_empty() && self.context_id.as_deref() != Some(message.context_id.as_str());
        if elsewhere {
            self.task = None;
        }
        if message.context_id.is_empty() {
            if let Some(context_id) = &self.context_id {
                message.context_id.clone_from(context_id);
            }
        }
        if message.task_id.is_empty() {
            if let Some((task_id, state)) = &self.task {
                if state.is_interrupted() {
                    message.task_id.clone_from(task_id);
                }
            }
        }
        // A context the caller chose is the conversation's from now on.
        let context_id = message.context_id.clone();
        self.learn_context(&context_id);
    }

    fn learn_context(&mut self, context_id: &str) {
        if !context_id.is_empty() {
            self.context_id = Some(context_id.to_owned());
        }
    }

    fn learn_task(&mut self, task_id: &str, state: TaskState) {
        if !task_id.is_empty() {
            self.task = Some((task_id.to_owned(), state));
        }
    }

    /// Learns from one answer or streamed event.
    fn learn(&mut self, response: &StreamResponse) {
        match response {
            StreamResponse::Task(task) => self.learn_from_task(task),
            StreamResponse::StatusUpdate(update) => {
                self.learn_context(&update.context_id);
                self.learn_task(&update.task_id, update.status.state);
            }
            StreamResponse::ArtifactUpdate(update) => self.learn_context(&update.context_id),
            StreamResponse::Message(message) => self.learn_from_message(message),
            StreamResponse::Unrecognized => {}
        }
    }

    fn learn_from_task(&mut self, task: &Task) {
        self.learn_context(&task.context_id);
        self.learn_task(&task.id, task.status.state);
    }

    /// A direct message reply: no task waits for an answer.
    fn learn_from_message(&mut self, message: &Message) {
        self.learn_context(&message.context_id);
        self.task = None;
    }
}

impl Client {
    /// A new [`Conversation`] with the agent: follow-ups threaded through
    /// one context and the task that waits for them.
    pub fn conversation(&self) -> Conversation {
        Conversation::new(self.clone())
    }
}

impl Conversation {
    /// A new conversation over `client` (the agent picks the context).
    pub fn new(client: Client) -> Self {
        Self {
            client,
            thread: Arc::default(),
        }
    }

    /// Goes on with a context the agent gave earlier (say, before a restart).
    pub fn with_context_id(self, context_id: impl Into<String>) -> Self {
        self.lock().context_id = Some(context_id.into());
        self
    }

    /// The client the conversation speaks through.
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// The context the next message goes to; `None` until the agent named one.
    pub fn context_id(&self) -> Option<String> {
        self.lock().context_id.clone()
    }

    /// The task the next message answers: the last one, while it waits for
    /// the caller (INPUT_REQUIRED, AUTH_REQUIRED); `None` when the next
    /// message starts a new task.
    pub fn task_id(&self) -> Option<String> {
        match &self.lock().task {
            Some((task_id, state)) if state.is_interrupted() => Some(task_id.clone()),
            _ => None,
        }
    }

    /// `SendMessage` in this conversation: what
    /// [`Client::send_message`] returns.
    pub async fn send(
        &mut self,
        request: impl Into<SendMessageRequest>,
    ) -> Result<SendMessageResponse, Error> {
        let request = self.address(request.into());
        let answer = self.client.send_message(request).await?;
        let mut thread = self.lock();
        match &answer {
            SendMessageResponse::Task(task) => thread.learn_from_task(task),
            SendMessageResponse::Message(message) => thread.learn_from_message(message),
            SendMessageResponse::Unrecognized => {}
        }
        drop(thread);
        Ok(answer)
    }

    /// `SendStreamingMessage` in this conversation: what
    /// [`Client::send_streaming_message`] returns; the conversation learns
    /// from each event as it is read.
    pub async fn stream(&mut self, request: impl Into<SendMessageRequest>) -> Result<ClientStream, Error> {
        let request = self.address(request.into());
        let events = self.client.send_streaming_message(request).await?;
        let thread = Arc::clone(&self.thread);
        let watched = futures_util::stream::unfold(events, move |mut events| {
            let thread = Arc::clone(&thread);
            async move {
                let item: Result<StreamEvent, Error> = events.next_event().await?;
                if let Ok(event) = &item {
                    lock(&thread).learn(&event.response);
                }
                Some((item, events))
            }
        });
        Ok(ClientStream::from_events(watched))
    }

    /// `request`, addressed to this conversation.
    fn address(&self, mut request: SendMessageRequest) -> SendMessageRequest {
        self.lock().address(&mut request.message);
        request
    }

    fn lock(&self) -> MutexGuard<'_, Thread> {
        lock(&self.thread)
    }
}

fn lock(thread: &Mutex<Thread>) -> MutexGuard<'_, Thread> {
    thread.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::{TaskStatus, TaskStatusUpdateEvent};

    #[test]
    fn follow_ups_answer_a_waiting_task_and_start_a_new_one_after_an_end() {
        let mut thread = Thread::default();
        let mut first = Message::user("hi");
        thread.address(&mut first);
        assert!(first.context_id.is_empty() && first.task_id.is_empty());

        thread.learn(&StreamResponse::Task(Task::new(
            "t1",
            "c1",
            TaskStatus::new(TaskState::Working),
        )));
        let mut busy = Message::user("meanwhile");
        thread.address(&mut busy);
        assert_eq!((busy.context_id.as_str(), busy.task_id.as_str()), ("c1", ""));

        let waiting = TaskStatusUpdateEvent::new("t1", "c1", TaskStatus::new(TaskState::AuthRequired));
        thread.learn(&StreamResponse::StatusUpdate(waiting));
        let mut answer = Message::user("here you go");
        thread.address(&mut answer);
        assert_eq!(
            (answer.context_id.as_str(), answer.task_id.as_str()),
            ("c1", "t1")
        );

        // A message naming its own task keeps it.
        let mut elsewhere = Message::user("x");
        elsewhere.task_id = "t0".into();
        thread.address(&mut elsewhere);
        assert_eq!(elsewhere.task_id, "t0");

        // A message naming another context gets no task of this one, and
        // moves the conversation there.
        let mut moved = Message::user("elsewhere");
        moved.context_id = "c2".into();
        let mut stay = thread_waiting_on_t1();
        stay.address(&mut moved);
        assert_eq!((moved.context_id.as_str(), moved.task_id.as_str()), ("c2", ""));
        let mut after = Message::user("and then");
        stay.address(&mut after);
        assert_eq!((after.context_id.as_str(), after.task_id.as_str()), ("c2", ""));
        // Naming the conversation's own context changes nothing.
        let mut same = Message::user("same place");
        same.context_id = "c1".into();
        let mut waiting = thread_waiting_on_t1();
        waiting.address(&mut same);
        assert_eq!(same.task_id, "t1");

        let done = TaskStatusUpdateEvent::new("t1", "c1", TaskStatus::new(TaskState::Completed));
        thread.learn(&StreamResponse::StatusUpdate(done));
        let mut next = Message::user("thanks");
        thread.address(&mut next);
        assert_eq!((next.context_id.as_str(), next.task_id.as_str()), ("c1", ""));
    }

    fn thread_waiting_on_t1() -> Thread {
        let mut thread = Thread::default();
        let waiting = TaskStatusUpdateEvent::new("t1", "c1", TaskStatus::new(TaskState::InputRequired));
        thread.learn(&StreamResponse::StatusUpdate(waiting));
        thread
    }
}
