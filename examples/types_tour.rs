//! A tour of the wire types: an agent card, a JSON-RPC `SendMessage` request,
//! and an agent's reply read back with its errors checked.
//!
//! Run with `cargo run --example types_tour`.

use a2akit::jsonrpc::{Method, Request, Response};
use a2akit::types::{
    AgentCard, AgentSkill, Artifact, HTTPAuthSecurityScheme, Message, SecurityRequirement, SecurityScheme,
    SendMessageConfiguration, SendMessageRequest, SendMessageResponse, Task, TaskState, TaskStatus, binding,
};
use a2akit::{Error, ErrorKind};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // What an agent publishes at /.well-known/agent-card.json.
    let card = AgentCard::builder()
        .name("Echo")
        .description("Repeats what you say")
        .version("0.1.0")
        .interface("http://127.0.0.1:8080/a2a/jsonrpc", binding::JSONRPC)
        .interface("http://127.0.0.1:8080/a2a/rest", binding::HTTP_JSON)
        .streaming(true)
        .security_scheme(
            "bearer",
            SecurityScheme::HttpAuth(HTTPAuthSecurityScheme::new("Bearer")),
        )
        .security_requirement(SecurityRequirement::new().with_scheme("bearer", Vec::<String>::new()))
        .skill(AgentSkill::new("echo", "Echo", "Sends your text back").with_tags(["demo"]))
        .build();
    println!("agent card:\n{}\n", serde_json::to_string_pretty(&card)?);

    // What a client sends.
    let request = SendMessageRequest::new(Message::user("Hello, agent"))
        .with_configuration(SendMessageConfiguration::default().with_history_length(0));
    let envelope = Request::new(1, Method::SendMessage, &request)?;
    println!("request:\n{}\n", serde_json::to_string_pretty(&envelope)?);

    // What the agent answers, and how a client reads it.
    let task = Task::new("task-1", "ctx-1", TaskStatus::new(TaskState::Completed))
        .with_artifacts([Artifact::text("echo", "Hello, agent")]);
    let reply = serde_json::to_vec(&Response::success(
        envelope.id.clone(),
        SendMessageResponse::Task(task),
    ))?;
    let reply: Response<SendMessageResponse> = serde_json::from_slice(&reply)?;
    match reply.into_result()? {
        SendMessageResponse::Task(task) => {
            println!(
                "task {} is {}: {}",
                task.id,
                task.status.state,
                task.artifacts[0].parts[0].as_text().unwrap_or("")
            )
        }
        SendMessageResponse::Message(message) => {
            println!("the agent replied directly: {}", message.text())
        }
        SendMessageResponse::Unrecognized => println!("a kind of reply this version does not know"),
    }

    // Errors carry their code on every binding.
    let err = Error::task_not_found("task-2");
    assert_eq!(err.kind(), ErrorKind::TaskNotFound);
    println!(
        "\n{err}: JSON-RPC {}, HTTP {}, gRPC {}",
        err.kind().jsonrpc_code(),
        err.kind().http_status(),
        err.kind().grpc_code()
    );
    Ok(())
}
