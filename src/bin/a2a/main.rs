//! `a2a`: discover, call, watch and serve A2A agents from the command line.
//!
//! ```sh
//! a2a card http://127.0.0.1:8080
//! a2a send http://127.0.0.1:8080 "hello there"
//! a2a stream http://127.0.0.1:8080 "hello there" --binding grpc
//! a2a tasks list http://127.0.0.1:8080 --all
//! a2a serve --echo --port 8080
//! ```
//!
//! Exit codes: 0 success; 2 a usage error; 3 the task ended failed,
//! rejected or canceled; 4 the agent answered with a protocol error; 5 the
//! agent could not be reached or did not answer in a form we read.
#![forbid(unsafe_code)]

mod call;
mod connect;
mod listen;
mod output;
mod serve;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};

/// Talk to A2A agents: read their cards, send them messages, follow their
/// tasks, set webhooks, or run an agent to test a client against.
#[derive(Debug, Parser)]
#[command(name = "a2a", version, propagate_version = true)]
pub(crate) struct Cli {
    #[command(flatten)]
    pub(crate) global: Global,
    #[command(subcommand)]
    pub(crate) command: Command,
}

/// Options every command that calls an agent takes.
#[derive(Debug, Clone, Args)]
pub(crate) struct Global {
    /// One JSON object per line instead of text, for scripts.
    #[arg(long, global = true)]
    pub(crate) json: bool,
    /// The binding to speak: jsonrpc, http_json or grpc (default: the card's first we speak).
    #[arg(long, global = true, value_parser = ["jsonrpc", "http_json", "grpc"])]
    pub(crate) binding: Option<String>,
    /// A bearer token sent as `Authorization: Bearer TOKEN`.
    #[arg(long, global = true, env = "A2A_BEARER", hide_env_values = true)]
    pub(crate) bearer: Option<String>,
    /// An API key sent in a header: NAME=VALUE.
    #[arg(long, global = true, env = "A2A_API_KEY", hide_env_values = true)]
    pub(crate) api_key: Option<String>,
    /// An extra header, NAME:VALUE (repeatable).
    #[arg(long = "header", global = true)]
    pub(crate) headers: Vec<String>,
    /// The tenant to address.
    #[arg(long, global = true)]
    pub(crate) tenant: Option<String>,
    /// Seconds to wait for the card, for each call, and for a stream's first event (default 30); a blocking `send` waits for its task however long it takes.
    #[arg(long, global = true, default_value_t = 30)]
    pub(crate) timeout: u64,
}

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Fetch an agent's card and show it.
    Card {
        /// The agent's base URL.
        url: String,
    },
    /// Send a message and print the reply once the task settles.
    Send {
        #[command(flatten)]
        message: MessageArgs,
        /// Return as soon as the task exists, without waiting for it.
        #[arg(long)]
        no_wait: bool,
    },
    /// Send a message and print the task's updates as they come.
    Stream {
        #[command(flatten)]
        message: MessageArgs,
    },
    /// A conversation: each line you type is a message in one context; input-required tasks take your answer.
    Chat {
        /// The agent's base URL.
        url: String,
    },
    /// Read, list, cancel and follow tasks.
    #[command(subcommand)]
    Tasks(TasksCommand),
    /// Manage push notification configs, or receive deliveries.
    #[command(subcommand)]
    Push(PushCommand),
    /// Run an agent on 127.0.0.1.
    Serve(ServeArgs),
}

/// A message to send.
#[derive(Debug, Clone, Args)]
pub(crate) struct MessageArgs {
    /// The agent's base URL.
    pub(crate) url: String,
    /// The text of the message.
    pub(crate) text: String,
    /// Attach a file (repeatable).
    #[arg(long = "file")]
    pub(crate) files: Vec<PathBuf>,
    /// Attach structured data: a JSON value.
    #[arg(long)]
    pub(crate) data: Option<String>,
    /// Continue this task.
    #[arg(long)]
    pub(crate) task: Option<String>,
    /// Send in this context (conversation).
    #[arg(long)]
    pub(crate) context: Option<String>,
    /// The message's id (default: a new UUID). Sending a message again
    /// with its id lets an agent tell a retry from a new message.
    #[arg(long)]
    pub(crate) message_id: Option<String>,
}

#[derive(Debug, Subcommand)]
pub(crate) enum TasksCommand {
    /// Show a task.
    Get {
        url: String,
        id: String,
        /// At most this many history messages.
        #[arg(long)]
        history: Option<i32>,
    },
    /// List tasks, newest first.
    List {
        url: String,
        /// Only this context's tasks.
        #[arg(long)]
        context: Option<String>,
        /// Only tasks in this state (e.g. working, TASK_STATE_COMPLETED).
        #[arg(long)]
        status: Option<String>,
        /// Tasks per page (1-100).
        #[arg(long)]
        page_size: Option<i32>,
        /// Continue from this page token.
        #[arg(long)]
        page_token: Option<String>,
        /// Follow the page tokens to the end.
        #[arg(long)]
        all: bool,
    },
    /// Cancel a task.
    Cancel { url: String, id: String },
    /// Follow a task's updates until it finishes.
    Subscribe { url: String, id: String },
}

#[derive(Debug, Subcommand)]
pub(crate) enum PushCommand {
    /// Ask the agent to POST a task's updates to a webhook.
    Set {
        url: String,
        task_id: String,
        webhook: String,
        /// The config's id (default: the agent picks).
        #[arg(long)]
        id: Option<String>,
        /// A token the agent sends back (and signs deliveries with).
        #[arg(long)]
        token: Option<String>,
        /// Credentials the agent sends in `Authorization`: "SCHEME CREDENTIALS".
        #[arg(long)]
        auth: Option<String>,
    },
    /// Show one config.
    Get {
        url: String,
        task_id: String,
        id: String,
    },
    /// List a task's configs.
    List { url: String, task_id: String },
    /// Delete a config.
    Delete {
        url: String,
        task_id: String,
        id: String,
    },
    /// Receive deliveries on 127.0.0.1 and print them.
    Listen {
        /// The port (0: any).
        #[arg(long, default_value_t = 0)]
        port: u16,
        /// Accept only deliveries with this token, signed with it (Standard Webhooks).
        #[arg(long)]
        token: Option<String>,
        /// Stop after this many deliveries (at least 1).
        #[arg(long, value_parser = clap::value_parser!(u64).range(1..))]
        count: Option<u64>,
    },
}

#[derive(Debug, Clone, Args)]
pub(crate) struct ServeArgs {
    /// Serve an agent that echoes every message back (one that starts with
    /// `ask` gets a question first: the task waits for your answer).
    #[arg(long, required = true)]
    pub(crate) echo: bool,
    /// The port (0: any).
    #[arg(long, default_value_t = 8080)]
    pub(crate) port: u16,
    /// Keep tasks in a database: sqlite://FILE, postgres://…, mysql://… (with the matching feature).
    #[arg(long)]
    pub(crate) store: Option<String>,
    /// Serve the agent card in this JSON file instead of the built-in one, and each new version of
    /// it: the file is read every 2 seconds and on SIGHUP; a version that is not a card is reported
    /// and the card served stays. Its interface URLs should point at the port served.
    #[arg(long, value_name = "FILE")]
    pub(crate) card: Option<std::path::PathBuf>,
}

/// How a command failed, and the exit code that says so.
#[derive(Debug)]
pub(crate) enum Failure {
    /// An option's value is not usable.
    Usage(String),
    /// The task ended failed, rejected or canceled.
    Task(String),
    /// The agent answered with a protocol error.
    Protocol(a2akit::Error),
    /// The agent could not be reached, or answered in a form we cannot read.
    Transport(String),
}

impl Failure {
    fn code(&self) -> u8 {
        match self {
            Failure::Usage(_) => 2,
            Failure::Task(_) => 3,
            Failure::Protocol(_) => 4,
            Failure::Transport(_) => 5,
        }
    }
}

impl From<a2akit::Error> for Failure {
    fn from(err: a2akit::Error) -> Self {
        use a2akit::ErrorKind::*;
        match err.kind() {
            Connect | Timeout | UnexpectedStatus | InvalidResponse => Failure::Transport(err.to_string()),
            _ => Failure::Protocol(err),
        }
    }
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Failure::Usage(why) | Failure::Task(why) => write!(f, "{why}"),
            Failure::Protocol(err) => write!(f, "the agent refused: {err}"),
            Failure::Transport(why) => write!(f, "{why}"),
        }
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    let out = output::Output::new(cli.global.json);
    let result = match cli.command {
        Command::Card { url } => call::card(&cli.global, &out, &url).await,
        Command::Send { message, no_wait } => call::send(&cli.global, &out, &message, !no_wait).await,
        Command::Stream { message } => call::stream(&cli.global, &out, &message).await,
        Command::Chat { url } => call::chat(&cli.global, &out, &url).await,
        Command::Tasks(command) => call::tasks(&cli.global, &out, command).await,
        Command::Push(command) => call::push(&cli.global, &out, command).await,
        Command::Serve(args) => serve::run(&out, args).await,
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            out.error(&failure);
            ExitCode::from(failure.code())
        }
    }
}
