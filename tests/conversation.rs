//! A conversation with our server: follow-ups stay in the context the agent
//! gave, answer the task that asked for input, and start a new task once
//! that one is done, by blocking sends and by streams alike, on every
//! binding; a message naming another context moves the conversation there,
//! leaving the waiting task behind.
#![cfg(all(feature = "client", feature = "server"))]

mod support;

use a2akit::Error;
use a2akit::client::{ClientFactory, Conversation};
use a2akit::server::{AgentExecutor, RequestContext, RequestHandler, TaskUpdater};
use a2akit::types::{AgentCard, AgentInterface, SendMessageResponse, StreamResponse, Task, TaskState};
use futures_util::StreamExt as _;

/// Asks who is there (INPUT_REQUIRED), then greets whoever answers.
struct Greeter;

impl AgentExecutor for Greeter {
    async fn execute(&self, context: RequestContext, updater: TaskUpdater) -> Result<(), Error> {
        match &context.task {
            Some(task) if task.status.state == TaskState::InputRequired => {
                let name = context.message.text();
                updater
                    .complete_with(updater.message(format!("Hello, {name}")))
                    .await
            }
            _ => updater.require_input(updater.message("Who is it?")).await,
        }
    }
}

fn task(answer: SendMessageResponse) -> Task {
    match answer {
        SendMessageResponse::Task(task) => task,
        other => panic!("a task, not {other:?}"),
    }
}

fn last_word(task: &Task) -> String {
    task.status.message.as_ref().map(|m| m.text()).unwrap_or_default()
}

async fn conversation(binding: &str) -> (support::TestServer, Conversation) {
    let card = AgentCard::builder()
        .name("greeter")
        .description("d")
        .streaming(true)
        .build();
    let server = support::start(RequestHandler::builder(card, Greeter).build()).await;
    let url = match binding {
        a2akit::types::binding::JSONRPC => format!("{}/", server.base),
        a2akit::types::binding::GRPC => server.base.trim_start_matches("http://").to_owned(),
        _ => server.base.clone(),
    };
    let client = ClientFactory::new()
        .client_for_interface(AgentInterface::new(url, binding))
        .unwrap();
    (server, client.conversation())
}

#[tokio::test]
async fn blocking_sends_thread_the_context_and_the_waiting_task() {
    for binding in support::agents::binding_names() {
        let (_server, mut chat) = conversation(binding).await;
        assert_eq!((chat.context_id(), chat.task_id()), (None, None));

        let asked = task(chat.send("knock knock").await.unwrap());
        assert_eq!(asked.status.state, TaskState::InputRequired, "{binding}");
        assert_eq!(chat.context_id().as_deref(), Some(asked.context_id.as_str()));
        assert_eq!(chat.task_id().as_deref(), Some(asked.id.as_str()), "{binding}");

        let greeted = task(chat.send("Ada").await.unwrap());
        assert_eq!(
            greeted.id, asked.id,
            "{binding}: the answer went to the waiting task"
        );
        assert_eq!(greeted.status.state, TaskState::Completed, "{binding}");
        assert_eq!(last_word(&greeted), "Hello, Ada");
        assert_eq!(chat.task_id(), None, "{binding}: nothing waits any more");

        let again = task(chat.send("knock knock").await.unwrap());
        assert_ne!(again.id, asked.id, "{binding}: a new task");
        assert_eq!(
            again.context_id, asked.context_id,
            "{binding}: in the same context"
        );
        assert_eq!(again.status.state, TaskState::InputRequired, "{binding}");
    }
}

#[tokio::test]
async fn streams_teach_the_conversation_as_they_are_read() {
    for binding in support::agents::binding_names() {
        let (_server, mut chat) = conversation(binding).await;
        let mut events = chat.stream("knock knock").await.unwrap();
        let mut asked = None;
        while let Some(event) = events.next().await {
            if let StreamResponse::Task(task) = event.unwrap() {
                asked.get_or_insert(task);
            }
        }
        let asked = asked.expect("the stream opens with the task");
        assert_eq!(chat.task_id().as_deref(), Some(asked.id.as_str()), "{binding}");

        let mut reply = chat.stream("Grace").await.unwrap().reply();
        assert_eq!(reply.text().await.unwrap(), "Hello, Grace", "{binding}");
        let greeted = reply.task().expect("the task");
        assert_eq!(
            (greeted.id.as_str(), greeted.status.state),
            (asked.id.as_str(), TaskState::Completed)
        );
        assert_eq!(chat.task_id(), None, "{binding}");

        let again = task(chat.send("knock knock").await.unwrap());
        assert_ne!(again.id, asked.id, "{binding}");
        assert_eq!(again.context_id, asked.context_id, "{binding}");
    }
}

/// A message that names its own context keeps it, and the conversation
/// goes on in it.
#[tokio::test]
async fn a_context_the_caller_names_is_kept() {
    let (_server, mut chat) = conversation(a2akit::types::binding::HTTP_JSON).await;
    let mut hello = a2akit::types::Message::user("knock knock");
    hello.context_id = "ctx-from-the-caller".into();
    let asked = task(chat.send(hello).await.unwrap());
    assert_eq!(asked.context_id, "ctx-from-the-caller");
    let greeted = task(chat.send("Linus").await.unwrap());
    assert_eq!((greeted.id, greeted.context_id), (asked.id, asked.context_id));
}

/// A message naming another context starts a task there: the task waiting
/// in the old context is not attached to it, and the conversation goes on
/// in the new one.
#[tokio::test]
async fn a_message_naming_another_context_leaves_the_waiting_task_behind() {
    for binding in support::agents::binding_names() {
        let (_server, mut chat) = conversation(binding).await;
        let asked = task(chat.send("knock knock").await.unwrap());
        assert_eq!(asked.status.state, TaskState::InputRequired, "{binding}");

        let mut elsewhere = a2akit::types::Message::user("knock knock");
        elsewhere.context_id = "ctx-elsewhere".into();
        let there = task(
            chat.send(elsewhere)
                .await
                .unwrap_or_else(|err| panic!("{binding}: {err}")),
        );
        assert_ne!(there.id, asked.id, "{binding}: a new task");
        assert_eq!(there.context_id, "ctx-elsewhere", "{binding}");
        assert_eq!(there.status.state, TaskState::InputRequired, "{binding}");
        assert_eq!(chat.context_id().as_deref(), Some("ctx-elsewhere"), "{binding}");
        assert_eq!(chat.task_id().as_deref(), Some(there.id.as_str()), "{binding}");

        let greeted = task(chat.send("Ada").await.unwrap());
        assert_eq!(
            (greeted.id.as_str(), greeted.status.state),
            (there.id.as_str(), TaskState::Completed),
            "{binding}"
        );
        let left = chat
            .client()
            .get_task(a2akit::types::GetTaskRequest::new(&asked.id))
            .await
            .unwrap();
        assert_eq!(
            left.status.state,
            TaskState::InputRequired,
            "{binding}: left waiting"
        );
    }
}
