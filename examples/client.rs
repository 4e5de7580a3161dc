//! Talks to any A2A agent from the command line.
//!
//! ```sh
//! cargo run --example client -- http://127.0.0.1:8080 "hello there" --stream
//! cargo run --example client -- http://127.0.0.1:8080 "hello there" --stream --text
//! cargo run --example client -- http://127.0.0.1:8080 "hello there" --binding http_json
//! ```
//!
//! Resolves the agent's card, sends the text, prints each streamed event on
//! one line (or, with `--text`, the reply's text as it comes), then the
//! task's final state and the text of its artifacts.
//! Exits with status 1 on any error.

use a2akit::client::ClientFactory;
use a2akit::types::{
    Part, PartContent, SendMessageRequest, SendMessageResponse, StreamResponse, Task, binding,
};
use futures_util::StreamExt as _;

struct Args {
    url: String,
    text: String,
    binding: Option<&'static str>,
    stream: bool,
    /// With `--stream`, print the reply's text rather than each event.
    text_only: bool,
}

fn args() -> Result<Args, String> {
    let mut positional = Vec::new();
    let mut binding = None;
    let mut stream = false;
    let mut text_only = false;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--stream" => stream = true,
            "--text" => text_only = true,
            "--binding" => {
                binding = Some(match args.next().as_deref() {
                    Some("jsonrpc") => binding::JSONRPC,
                    Some("http_json") => binding::HTTP_JSON,
                    Some("grpc") => binding::GRPC,
                    other => {
                        return Err(format!(
                            "unknown binding {other:?}: use jsonrpc, http_json or grpc"
                        ));
                    }
                })
            }
            _ => positional.push(arg),
        }
    }
    match <[String; 2]>::try_from(positional) {
        Ok([url, text]) => Ok(Args {
            url,
            text,
            binding,
            stream,
            text_only,
        }),
        Err(_) => Err("usage: client URL TEXT [--binding jsonrpc|http_json|grpc] [--stream [--text]]".into()),
    }
}

fn part_text(part: &Part) -> String {
    match &part.content {
        PartContent::Text(text) => text.clone(),
        PartContent::Url(url) => format!("<{url}>"),
        PartContent::Raw(bytes) => format!("<{} bytes {}>", bytes.len(), part.media_type),
        PartContent::Data(data) => data.to_string(),
        PartContent::Unrecognized => "<content of a kind this version does not know>".into(),
    }
}

/// One readable line per event.
fn describe(event: &StreamResponse) -> String {
    match event {
        StreamResponse::Unrecognized => "an event of a kind this version does not know".into(),
        StreamResponse::Task(task) => format!("task {} {}", task.id, task.status.state),
        StreamResponse::Message(message) => format!("message: {}", message.text()),
        StreamResponse::StatusUpdate(update) => {
            let said = update
                .status
                .message
                .as_ref()
                .map(|m| format!(": {}", m.text()))
                .unwrap_or_default();
            format!("status {}{said}", update.status.state)
        }
        StreamResponse::ArtifactUpdate(update) => {
            let text: Vec<String> = update.artifact.parts.iter().map(part_text).collect();
            let chunk = if update.append { " (more)" } else { "" };
            format!(
                "artifact {}{chunk}: {}",
                update.artifact.artifact_id,
                text.join(" ")
            )
        }
    }
}

fn report(task: &Task) {
    println!("final state: {}", task.status.state);
    for artifact in &task.artifacts {
        let text: Vec<String> = artifact.parts.iter().map(part_text).collect();
        println!("artifact {}: {}", artifact.artifact_id, text.concat());
    }
}

async fn run(args: Args) -> Result<(), a2akit::Error> {
    let mut factory = ClientFactory::new();
    if let Some(binding) = args.binding {
        factory = factory.preferred_bindings([binding]);
    }
    let client = factory.connect(&args.url).await?;
    println!(
        "using {} at {}",
        client.interface().protocol_binding,
        client.interface().url
    );
    let request = SendMessageRequest::from(args.text);
    if args.stream && args.text_only {
        // The reply as text, as it comes, then the task.
        let mut reply = client.send_streaming_message(request).await?.reply();
        while let Some(text) = reply.next_text().await {
            print!("{}", text?);
        }
        println!();
        if let Some(task) = reply.task() {
            report(task);
        }
    } else if args.stream {
        let mut events = client.send_streaming_message(request).await?;
        let mut task_id = None;
        while let Some(event) = events.next().await {
            let event = event?;
            println!("{}", describe(&event));
            task_id = task_id.or_else(|| event.task_id().map(str::to_owned));
        }
        if let Some(id) = task_id {
            report(&client.get_task(a2akit::types::GetTaskRequest::new(id)).await?);
        }
    } else {
        match client.send_message(request).await? {
            SendMessageResponse::Task(task) => report(&task),
            SendMessageResponse::Message(message) => println!("message: {}", message.text()),
            SendMessageResponse::Unrecognized => println!("a kind of answer this version does not know"),
        }
    }
    Ok(())
}

#[tokio::main]
async fn main() {
    let args = match args() {
        Ok(args) => args,
        Err(usage) => {
            eprintln!("{usage}");
            std::process::exit(2);
        }
    };
    if let Err(err) = run(args).await {
        eprintln!("error ({}): {err}", err.kind());
        std::process::exit(1);
    }
}
