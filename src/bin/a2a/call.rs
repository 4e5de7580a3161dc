//! The commands that call an agent.

use std::io::BufRead as _;

use a2akit::client::Client;
use a2akit::types::{
    AuthenticationInfo, CancelTaskRequest, DeleteTaskPushNotificationConfigRequest,
    GetTaskPushNotificationConfigRequest, GetTaskRequest, ListTaskPushNotificationConfigsRequest,
    ListTasksRequest, Message, Part, SendMessageConfiguration, SendMessageRequest, SendMessageResponse,
    StreamResponse, SubscribeToTaskRequest, Task, TaskPushNotificationConfig, TaskState,
};
use futures_util::StreamExt as _;

use crate::connect::{self, Calls};
use crate::output::{Output, parse_state, state_name};
use crate::{Failure, Global, MessageArgs, PushCommand, TasksCommand};

/// `a2a card`.
pub(crate) async fn card(global: &Global, out: &Output, url: &str) -> Result<(), Failure> {
    let card = connect::card(global, url).await?;
    out.card(&card);
    Ok(())
}

/// The message the arguments describe.
fn message(args: &MessageArgs) -> Result<Message, Failure> {
    let mut parts = vec![Part::text(&args.text)];
    for path in &args.files {
        let bytes = std::fs::read(path)
            .map_err(|err| Failure::Usage(format!("cannot read {}: {err}", path.display())))?;
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        parts.push(Part::raw(bytes).with_filename(name));
    }
    if let Some(data) = &args.data {
        let value: serde_json::Value =
            serde_json::from_str(data).map_err(|err| Failure::Usage(format!("--data is not JSON: {err}")))?;
        parts.push(Part::data(value));
    }
    let mut message = Message::user("");
    message.parts = parts;
    if let Some(task) = &args.task {
        message.task_id.clone_from(task);
    }
    if let Some(context) = &args.context {
        message.context_id.clone_from(context);
    }
    if let Some(id) = &args.message_id {
        message.message_id.clone_from(id);
    }
    Ok(message)
}

/// A reply that is neither a task nor a message: a newer agent's kind.
fn unrecognized_reply() -> Failure {
    Failure::Transport("the agent answered with a kind of reply this version does not know".into())
}

/// A task that ended badly is a failure of the command.
fn settled(task: &Task) -> Result<(), Failure> {
    match task.status.state {
        TaskState::Failed | TaskState::Rejected | TaskState::Canceled => Err(Failure::Task(format!(
            "task {} ended {}",
            task.id,
            state_name(task.status.state)
        ))),
        _ => Ok(()),
    }
}

/// `a2a send`.
pub(crate) async fn send(
    global: &Global,
    out: &Output,
    args: &MessageArgs,
    wait: bool,
) -> Result<(), Failure> {
    let calls = if wait { Calls::Waiting } else { Calls::Bounded };
    let mut request = SendMessageRequest::new(message(args)?);
    let client = connect::client(global, &args.url, calls).await?;
    if !wait {
        request =
            request.with_configuration(SendMessageConfiguration::default().with_return_immediately(true));
    }
    let reply = out
        .waiting("waiting for the agent", client.send_message(request))
        .await?;
    match reply {
        SendMessageResponse::Task(task) => {
            out.task(&task);
            settled(&task)
        }
        SendMessageResponse::Message(message) => {
            out.message(&message);
            Ok(())
        }
        SendMessageResponse::Unrecognized => Err(unrecognized_reply()),
    }
}

/// Prints a stream to its end; fails if the task ended badly.
async fn follow(out: &Output, mut stream: a2akit::client::ClientStream) -> Result<(), Failure> {
    let mut mid_line = false;
    let mut last = None;
    while let Some(event) = stream.next().await {
        let event = event?;
        out.event(&event, &mut mid_line);
        match &event {
            StreamResponse::Task(task) => last = Some((task.id.clone(), task.status.state)),
            StreamResponse::StatusUpdate(update) => {
                last = Some((update.task_id.clone(), update.status.state))
            }
            _ => {}
        }
    }
    if mid_line {
        out.line("");
    }
    match last {
        Some((id, state @ (TaskState::Failed | TaskState::Rejected | TaskState::Canceled))) => {
            Err(Failure::Task(format!("task {id} ended {}", state_name(state))))
        }
        _ => Ok(()),
    }
}

/// `a2a stream`.
pub(crate) async fn stream(global: &Global, out: &Output, args: &MessageArgs) -> Result<(), Failure> {
    let request = SendMessageRequest::new(message(args)?);
    let client = connect::client(global, &args.url, Calls::Bounded).await?;
    let stream = client.send_streaming_message(request).await?;
    follow(out, stream).await
}

/// `a2a chat`: one line, one message; the conversation's context and a
/// task waiting for input carry over to the next line.
pub(crate) async fn chat(global: &Global, out: &Output, url: &str) -> Result<(), Failure> {
    let client = connect::client(global, url, Calls::Waiting).await?;
    if !out.json {
        let name = client.card().map(|c| c.name.clone()).unwrap_or_default();
        out.line(format!(
            "talking to {name} at {url}; an empty line or end of input ends it"
        ));
    }
    let (mut context, mut waiting) = (String::new(), None::<String>);
    let stdin = std::io::stdin();
    let mut lines = stdin.lock().lines();
    loop {
        if !out.json {
            out.text("> ");
        }
        let Some(Ok(line)) = lines.next() else { break };
        if line.trim().is_empty() {
            break;
        }
        let mut message = Message::user(line);
        message.context_id.clone_from(&context);
        if let Some(task) = waiting.take() {
            message.task_id = task;
        }
        let reply = out
            .waiting(
                "waiting for the agent",
                client.send_message(SendMessageRequest::new(message)),
            )
            .await;
        match reply {
            Ok(SendMessageResponse::Task(task)) => {
                context.clone_from(&task.context_id);
                if task.status.state.is_interrupted() {
                    waiting = Some(task.id.clone());
                }
                out.task(&task);
            }
            Ok(SendMessageResponse::Message(message)) => {
                context.clone_from(&message.context_id);
                out.message(&message);
            }
            Ok(SendMessageResponse::Unrecognized) => out.error(&unrecognized_reply()),
            // A refusal ends this turn, not the conversation.
            Err(err) => out.error(&Failure::from(err)),
        }
    }
    Ok(())
}

/// `a2a tasks …`.
pub(crate) async fn tasks(global: &Global, out: &Output, command: TasksCommand) -> Result<(), Failure> {
    match command {
        TasksCommand::Get { url, id, history } => {
            let client = connect::client(global, &url, Calls::Bounded).await?;
            let mut request = GetTaskRequest::new(id);
            request.history_length = history;
            let task = client.get_task(request).await?;
            out.task(&task);
            Ok(())
        }
        TasksCommand::List {
            url,
            context,
            status,
            page_size,
            page_token,
            all,
        } => {
            let status = match status {
                Some(text) => Some(
                    parse_state(&text)
                        .ok_or_else(|| Failure::Usage(format!("{text:?} is not a task state")))?,
                ),
                None => None,
            };
            let client = connect::client(global, &url, Calls::Bounded).await?;
            list(out, &client, context, status, page_size, page_token, all).await
        }
        TasksCommand::Cancel { url, id } => {
            let client = connect::client(global, &url, Calls::Bounded).await?;
            let task = client.cancel_task(CancelTaskRequest::new(id)).await?;
            out.task(&task);
            Ok(())
        }
        TasksCommand::Subscribe { url, id } => {
            let client = connect::client(global, &url, Calls::Bounded).await?;
            let stream = client.subscribe_to_task(SubscribeToTaskRequest::new(id)).await?;
            follow(out, stream).await
        }
    }
}

async fn list(
    out: &Output,
    client: &Client,
    context: Option<String>,
    status: Option<TaskState>,
    page_size: Option<i32>,
    mut page_token: Option<String>,
    all: bool,
) -> Result<(), Failure> {
    loop {
        let request = ListTasksRequest {
            context_id: context.clone().unwrap_or_default(),
            status,
            page_size,
            page_token: page_token.take().unwrap_or_default(),
            history_length: Some(0),
            ..Default::default()
        };
        let page = client.list_tasks(request).await?;
        for task in &page.tasks {
            if out.json {
                out.json_line(task);
            } else {
                out.line(format!(
                    "{} {} {}",
                    task.id,
                    out.state(task.status.state),
                    task.context_id
                ));
            }
        }
        if page.next_page_token.is_empty() {
            if !out.json {
                out.line(format!("{} of {} tasks", page.tasks.len(), page.total_size));
            }
            return Ok(());
        }
        if !all {
            if !out.json {
                out.line(format!("more: --page-token {}", page.next_page_token));
            }
            return Ok(());
        }
        page_token = Some(page.next_page_token);
    }
}

/// `a2a push …`.
pub(crate) async fn push(global: &Global, out: &Output, command: PushCommand) -> Result<(), Failure> {
    match command {
        PushCommand::Set {
            url,
            task_id,
            webhook,
            id,
            token,
            auth,
        } => {
            let client = connect::client(global, &url, Calls::Bounded).await?;
            let mut config = TaskPushNotificationConfig::new(webhook).with_task_id(task_id);
            if let Some(id) = id {
                config = config.with_id(id);
            }
            if let Some(token) = token {
                config = config.with_token(token);
            }
            if let Some(auth) = auth {
                let (scheme, credentials) = auth.split_once(' ').unwrap_or((auth.as_str(), ""));
                config = config.with_authentication(AuthenticationInfo::new(scheme, credentials));
            }
            let created = client.create_task_push_notification_config(config).await?;
            out.push_config(&created);
            Ok(())
        }
        PushCommand::Get { url, task_id, id } => {
            let client = connect::client(global, &url, Calls::Bounded).await?;
            let config = client
                .get_task_push_notification_config(GetTaskPushNotificationConfigRequest::new(task_id, id))
                .await?;
            out.push_config(&config);
            Ok(())
        }
        PushCommand::List { url, task_id } => {
            let client = connect::client(global, &url, Calls::Bounded).await?;
            let list = client
                .list_task_push_notification_configs(ListTaskPushNotificationConfigsRequest::new(task_id))
                .await?;
            for config in &list.configs {
                out.push_config(config);
            }
            Ok(())
        }
        PushCommand::Delete { url, task_id, id } => {
            let client = connect::client(global, &url, Calls::Bounded).await?;
            client
                .delete_task_push_notification_config(DeleteTaskPushNotificationConfigRequest::new(
                    task_id, id,
                ))
                .await?;
            if out.json {
                out.json_line(&serde_json::json!({}));
            } else {
                out.line("deleted");
            }
            Ok(())
        }
        PushCommand::Listen { port, token, count } => crate::listen::run(out, port, token, count).await,
    }
}
