//! What the tool prints: text for people (coloured on a terminal), or one
//! JSON object per line for scripts.

use std::io::{IsTerminal as _, Write as _};
use std::time::{Duration, Instant};

use a2akit::types::{
    AgentCard, Artifact, Message, Part, PartContent, StreamResponse, Task, TaskPushNotificationConfig,
    TaskState,
};
use serde::Serialize;

use crate::Failure;

/// Where and how to print.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Output {
    pub(crate) json: bool,
    color: bool,
    spinner: bool,
}

impl Output {
    pub(crate) fn new(json: bool) -> Self {
        Self {
            json,
            color: !json && std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none(),
            spinner: !json && std::io::stderr().is_terminal(),
        }
    }

    /// One JSON object on a line of its own.
    pub(crate) fn json_line(&self, value: &impl Serialize) {
        let line = serde_json::to_string(value).unwrap_or_default();
        let mut stdout = std::io::stdout().lock();
        let _ = writeln!(stdout, "{line}");
        let _ = stdout.flush();
    }

    /// A line of text.
    pub(crate) fn line(&self, text: impl AsRef<str>) {
        let mut stdout = std::io::stdout().lock();
        let _ = writeln!(stdout, "{}", text.as_ref());
        let _ = stdout.flush();
    }

    /// Text as it arrives, no newline.
    pub(crate) fn text(&self, text: &str) {
        let mut stdout = std::io::stdout().lock();
        let _ = write!(stdout, "{text}");
        let _ = stdout.flush();
    }

    fn paint(&self, code: &str, text: &str) -> String {
        if self.color {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_owned()
        }
    }

    fn bold(&self, text: &str) -> String {
        self.paint("1", text)
    }

    fn dim(&self, text: &str) -> String {
        self.paint("2", text)
    }

    /// A task state, coloured by how it went.
    pub(crate) fn state(&self, state: TaskState) -> String {
        let name = state_name(state);
        let code = match state {
            TaskState::Completed => "32",
            TaskState::Failed | TaskState::Rejected => "31",
            TaskState::Canceled => "33",
            TaskState::InputRequired | TaskState::AuthRequired => "36",
            _ => "34",
        };
        self.paint(code, name)
    }

    /// The one-line error on stderr.
    pub(crate) fn error(&self, failure: &Failure) {
        let message = failure.to_string().replace('\n', " ");
        let _ = writeln!(
            std::io::stderr().lock(),
            "{}: {message}",
            self.paint("31;1", "error")
        );
    }

    /// A line that some time passes, on stderr, while `future` runs (only on a terminal).
    pub(crate) async fn waiting<T>(&self, what: &str, future: impl std::future::Future<Output = T>) -> T {
        if !self.spinner {
            return future.await;
        }
        let started = Instant::now();
        let frames = ['|', '/', '-', '\\'];
        let mut tick = tokio::time::interval(Duration::from_millis(120));
        tokio::pin!(future);
        let mut n = 0;
        let out = loop {
            tokio::select! {
                out = &mut future => break out,
                _ = tick.tick() => {
                    n += 1;
                    let _ = write!(
                        std::io::stderr().lock(),
                        "\r{} {what} {:.0?}",
                        frames[n % frames.len()],
                        Duration::from_secs(started.elapsed().as_secs())
                    );
                }
            }
        };
        let _ = write!(std::io::stderr().lock(), "\r\x1b[2K");
        out
    }

    /// An agent card.
    pub(crate) fn card(&self, card: &AgentCard) {
        if self.json {
            return self.json_line(card);
        }
        self.line(format!("{} {}", self.bold(&card.name), self.dim(&card.version)));
        if !card.description.is_empty() {
            self.line(&card.description);
        }
        for interface in &card.supported_interfaces {
            let tenant = match interface.tenant.as_str() {
                "" => String::new(),
                tenant => format!(" (tenant {tenant})"),
            };
            self.line(format!(
                "  {:<10} {} {}{tenant}",
                interface.protocol_binding,
                interface.url,
                self.dim(&format!("v{}", interface.protocol_version))
            ));
        }
        let capabilities = &card.capabilities;
        let flags: Vec<&str> = [
            (capabilities.supports_streaming(), "streaming"),
            (capabilities.supports_push_notifications(), "push notifications"),
            (capabilities.supports_extended_agent_card(), "extended card"),
        ]
        .into_iter()
        .filter_map(|(on, name)| on.then_some(name))
        .collect();
        if !flags.is_empty() {
            self.line(format!("  {}", flags.join(", ")));
        }
        for skill in &card.skills {
            self.line(format!(
                "  skill {}: {}",
                self.bold(&skill.name),
                skill.description
            ));
        }
    }

    /// A task: its state, its status message, its artifacts.
    pub(crate) fn task(&self, task: &Task) {
        if self.json {
            return self.json_line(task);
        }
        self.line(format!("task {} {}", task.id, self.state(task.status.state)));
        if let Some(message) = &task.status.message {
            self.line(format!("  {}", message_text(message)));
        }
        for artifact in &task.artifacts {
            self.artifact(artifact);
        }
    }

    fn artifact(&self, artifact: &Artifact) {
        let name = if artifact.name.is_empty() {
            &artifact.artifact_id
        } else {
            &artifact.name
        };
        self.line(format!(
            "  {} {}",
            self.dim(&format!("[{name}]")),
            parts_text(&artifact.parts)
        ));
    }

    /// A message the agent answered with.
    pub(crate) fn message(&self, message: &Message) {
        if self.json {
            return self.json_line(message);
        }
        self.line(message_text(message));
    }

    /// One event of a stream: text as it arrives, status changes on lines
    /// of their own, artifacts by name.
    pub(crate) fn event(&self, event: &StreamResponse, mid_line: &mut bool) {
        if self.json {
            return self.json_line(event);
        }
        let mut own_line = |text: String| {
            if std::mem::take(mid_line) {
                self.line("");
            }
            self.line(text);
        };
        match event {
            StreamResponse::Unrecognized => own_line("(an event this version does not know)".into()),
            StreamResponse::Task(task) => {
                own_line(format!("task {} {}", task.id, self.state(task.status.state)))
            }
            StreamResponse::Message(message) => own_line(message_text(message)),
            StreamResponse::StatusUpdate(update) => {
                let said = update
                    .status
                    .message
                    .as_ref()
                    .map(|m| format!(" {}", message_text(m)))
                    .unwrap_or_default();
                own_line(format!("[{}]{said}", self.state(update.status.state)));
            }
            StreamResponse::ArtifactUpdate(update) => {
                let text = parts_text(&update.artifact.parts);
                if update.append {
                    self.text(&text);
                    *mid_line = true;
                } else {
                    let artifact = &update.artifact;
                    let name = if artifact.name.is_empty() {
                        &artifact.artifact_id
                    } else {
                        &artifact.name
                    };
                    if std::mem::take(mid_line) {
                        self.line("");
                    }
                    self.text(&format!("{} {text}", self.dim(&format!("[{name}]"))));
                    *mid_line = true;
                }
                if update.last_chunk {
                    self.line("");
                    *mid_line = false;
                }
            }
        }
    }

    /// A push config.
    pub(crate) fn push_config(&self, config: &TaskPushNotificationConfig) {
        if self.json {
            return self.json_line(config);
        }
        let auth = config
            .authentication
            .as_ref()
            .map(|a| format!(" ({} credentials)", a.scheme))
            .unwrap_or_default();
        self.line(format!("{} {} → {}{auth}", config.task_id, config.id, config.url));
    }
}

/// The state's short name: `working`, `input-required`.
pub(crate) fn state_name(state: TaskState) -> &'static str {
    match state {
        TaskState::Submitted => "submitted",
        TaskState::Working => "working",
        TaskState::InputRequired => "input-required",
        TaskState::Completed => "completed",
        TaskState::Canceled => "canceled",
        TaskState::Failed => "failed",
        TaskState::Rejected => "rejected",
        TaskState::AuthRequired => "auth-required",
        _ => "unspecified",
    }
}

/// A task state from its short name or its proto name.
pub(crate) fn parse_state(text: &str) -> Option<TaskState> {
    let wanted = text.trim().to_ascii_lowercase().replace('_', "-");
    let wanted = wanted.trim_start_matches("task-state-");
    TaskState::ALL.iter().copied().find(|s| state_name(*s) == wanted)
}

pub(crate) fn message_text(message: &Message) -> String {
    parts_text(&message.parts)
}

fn parts_text(parts: &[Part]) -> String {
    parts
        .iter()
        .map(|part| match &part.content {
            PartContent::Text(text) => text.clone(),
            PartContent::Url(url) => format!("<{url}>"),
            PartContent::Raw(bytes) => format!("<{} bytes {}>", bytes.len(), part.media_type),
            PartContent::Data(data) => data.to_string(),
            PartContent::Unrecognized => "<content of a kind this version does not know>".to_owned(),
        })
        .collect::<Vec<_>>()
        .join(" ")
}
