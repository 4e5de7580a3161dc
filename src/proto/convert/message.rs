//! Tasks, messages, parts, artifacts, the events of a task and the items of a stream.

use super::well_known::{to_struct, to_timestamp, to_value};
use super::{FromProto, Invalid, field, oneof, optional, repeated, required, to_protos, try_from_proto};
use crate::proto::v1::{self, part, stream_response};
use crate::types::{
    Artifact, Message, Part, PartContent, Role, StreamResponse, Task, TaskArtifactUpdateEvent, TaskState,
    TaskStatus, TaskStatusUpdateEvent,
};

try_from_proto! {
    TaskState => v1::TaskState,
    Role => v1::Role,
    TaskStatus => v1::TaskStatus,
    Task => v1::Task,
    Part => v1::Part,
    PartContent => part::Content,
    Message => v1::Message,
    Artifact => v1::Artifact,
    TaskStatusUpdateEvent => v1::TaskStatusUpdateEvent,
    TaskArtifactUpdateEvent => v1::TaskArtifactUpdateEvent,
    StreamResponse => v1::StreamResponse,
    StreamResponse => stream_response::Payload,
}

// ---------------------------------------------------------------------------
// Enums
// ---------------------------------------------------------------------------

/// The error for the `*_UNSPECIFIED` value where a real one is needed.
fn unspecified(name: &str) -> Invalid {
    Invalid::new(format!("{name} is not a valid value here"))
}

/// The error for a number that names no value of the enum.
fn unknown_number(enum_name: &str, number: i32) -> Invalid {
    Invalid::new(format!("{number} is not a {enum_name} number"))
}

impl From<TaskState> for v1::TaskState {
    fn from(state: TaskState) -> Self {
        match state {
            TaskState::Submitted => Self::Submitted,
            TaskState::Working => Self::Working,
            TaskState::Completed => Self::Completed,
            TaskState::Failed => Self::Failed,
            TaskState::Canceled => Self::Canceled,
            TaskState::InputRequired => Self::InputRequired,
            TaskState::Rejected => Self::Rejected,
            TaskState::AuthRequired => Self::AuthRequired,
        }
    }
}

impl FromProto<v1::TaskState> for TaskState {
    fn from_proto(state: v1::TaskState) -> Result<Self, Invalid> {
        Ok(match state {
            v1::TaskState::Unspecified => return Err(unspecified(state.as_str_name())),
            v1::TaskState::Submitted => Self::Submitted,
            v1::TaskState::Working => Self::Working,
            v1::TaskState::Completed => Self::Completed,
            v1::TaskState::Failed => Self::Failed,
            v1::TaskState::Canceled => Self::Canceled,
            v1::TaskState::InputRequired => Self::InputRequired,
            v1::TaskState::Rejected => Self::Rejected,
            v1::TaskState::AuthRequired => Self::AuthRequired,
        })
    }
}

/// A `TaskState` field as the generated messages hold it: its number.
impl FromProto<i32> for TaskState {
    fn from_proto(number: i32) -> Result<Self, Invalid> {
        let state = v1::TaskState::try_from(number).map_err(|_| unknown_number("TaskState", number))?;
        Self::from_proto(state)
    }
}

impl From<Role> for v1::Role {
    fn from(role: Role) -> Self {
        match role {
            Role::User => Self::User,
            Role::Agent => Self::Agent,
        }
    }
}

impl FromProto<v1::Role> for Role {
    fn from_proto(role: v1::Role) -> Result<Self, Invalid> {
        match role {
            v1::Role::Unspecified => Err(unspecified(role.as_str_name())),
            v1::Role::User => Ok(Self::User),
            v1::Role::Agent => Ok(Self::Agent),
        }
    }
}

/// A `Role` field as the generated messages hold it: its number.
impl FromProto<i32> for Role {
    fn from_proto(number: i32) -> Result<Self, Invalid> {
        let role = v1::Role::try_from(number).map_err(|_| unknown_number("Role", number))?;
        Self::from_proto(role)
    }
}

// ---------------------------------------------------------------------------
// Tasks
// ---------------------------------------------------------------------------

impl From<TaskStatus> for v1::TaskStatus {
    fn from(status: TaskStatus) -> Self {
        Self {
            state: v1::TaskState::from(status.state).into(),
            message: status.message.map(Into::into),
            timestamp: status.timestamp.map(to_timestamp),
        }
    }
}

impl FromProto<v1::TaskStatus> for TaskStatus {
    fn from_proto(proto: v1::TaskStatus) -> Result<Self, Invalid> {
        Ok(Self {
            state: field(proto.state, "state")?,
            message: optional(proto.message, "message")?,
            timestamp: optional(proto.timestamp, "timestamp")?,
        })
    }
}

impl From<Task> for v1::Task {
    fn from(task: Task) -> Self {
        Self {
            id: task.id,
            context_id: task.context_id,
            status: Some(task.status.into()),
            artifacts: to_protos(task.artifacts),
            history: to_protos(task.history),
            metadata: task.metadata.map(to_struct),
        }
    }
}

impl FromProto<v1::Task> for Task {
    fn from_proto(proto: v1::Task) -> Result<Self, Invalid> {
        Ok(Self {
            id: proto.id,
            context_id: proto.context_id,
            status: required(proto.status, "status")?,
            artifacts: repeated(proto.artifacts, "artifacts")?,
            history: repeated(proto.history, "history")?,
            metadata: optional(proto.metadata, "metadata")?,
        })
    }
}

// ---------------------------------------------------------------------------
// Messages and parts
// ---------------------------------------------------------------------------

impl From<PartContent> for part::Content {
    fn from(content: PartContent) -> Self {
        match content {
            PartContent::Text(text) => Self::Text(text),
            PartContent::Raw(bytes) => Self::Raw(bytes),
            PartContent::Url(url) => Self::Url(url),
            PartContent::Data(data) => Self::Data(to_value(data)),
        }
    }
}

impl FromProto<part::Content> for PartContent {
    fn from_proto(proto: part::Content) -> Result<Self, Invalid> {
        Ok(match proto {
            part::Content::Text(text) => Self::Text(text),
            part::Content::Raw(bytes) => Self::Raw(bytes),
            part::Content::Url(url) => Self::Url(url),
            part::Content::Data(data) => Self::Data(field(data, "data")?),
        })
    }
}

impl From<Part> for v1::Part {
    fn from(part: Part) -> Self {
        Self {
            content: Some(part.content.into()),
            metadata: part.metadata.map(to_struct),
            filename: part.filename,
            media_type: part.media_type,
        }
    }
}

impl FromProto<v1::Part> for Part {
    fn from_proto(proto: v1::Part) -> Result<Self, Invalid> {
        Ok(Self {
            content: oneof(proto.content, "content", "text, raw, url or data")?,
            metadata: optional(proto.metadata, "metadata")?,
            filename: proto.filename,
            media_type: proto.media_type,
        })
    }
}

impl From<Message> for v1::Message {
    fn from(message: Message) -> Self {
        Self {
            message_id: message.message_id,
            context_id: message.context_id,
            task_id: message.task_id,
            role: v1::Role::from(message.role).into(),
            parts: to_protos(message.parts),
            metadata: message.metadata.map(to_struct),
            extensions: message.extensions,
            reference_task_ids: message.reference_task_ids,
        }
    }
}

impl FromProto<v1::Message> for Message {
    fn from_proto(proto: v1::Message) -> Result<Self, Invalid> {
        Ok(Self {
            message_id: proto.message_id,
            context_id: proto.context_id,
            task_id: proto.task_id,
            role: field(proto.role, "role")?,
            parts: repeated(proto.parts, "parts")?,
            metadata: optional(proto.metadata, "metadata")?,
            extensions: proto.extensions,
            reference_task_ids: proto.reference_task_ids,
        })
    }
}

impl From<Artifact> for v1::Artifact {
    fn from(artifact: Artifact) -> Self {
        Self {
            artifact_id: artifact.artifact_id,
            name: artifact.name,
            description: artifact.description,
            parts: to_protos(artifact.parts),
            metadata: artifact.metadata.map(to_struct),
            extensions: artifact.extensions,
        }
    }
}

impl FromProto<v1::Artifact> for Artifact {
    fn from_proto(proto: v1::Artifact) -> Result<Self, Invalid> {
        Ok(Self {
            artifact_id: proto.artifact_id,
            name: proto.name,
            description: proto.description,
            parts: repeated(proto.parts, "parts")?,
            metadata: optional(proto.metadata, "metadata")?,
            extensions: proto.extensions,
        })
    }
}

// ---------------------------------------------------------------------------
// Events and streams
// ---------------------------------------------------------------------------

impl From<TaskStatusUpdateEvent> for v1::TaskStatusUpdateEvent {
    fn from(event: TaskStatusUpdateEvent) -> Self {
        Self {
            task_id: event.task_id,
            context_id: event.context_id,
            status: Some(event.status.into()),
            metadata: event.metadata.map(to_struct),
        }
    }
}

impl FromProto<v1::TaskStatusUpdateEvent> for TaskStatusUpdateEvent {
    fn from_proto(proto: v1::TaskStatusUpdateEvent) -> Result<Self, Invalid> {
        Ok(Self {
            task_id: proto.task_id,
            context_id: proto.context_id,
            status: required(proto.status, "status")?,
            metadata: optional(proto.metadata, "metadata")?,
        })
    }
}

impl From<TaskArtifactUpdateEvent> for v1::TaskArtifactUpdateEvent {
    fn from(event: TaskArtifactUpdateEvent) -> Self {
        Self {
            task_id: event.task_id,
            context_id: event.context_id,
            artifact: Some(event.artifact.into()),
            append: event.append,
            last_chunk: event.last_chunk,
            metadata: event.metadata.map(to_struct),
        }
    }
}

impl FromProto<v1::TaskArtifactUpdateEvent> for TaskArtifactUpdateEvent {
    fn from_proto(proto: v1::TaskArtifactUpdateEvent) -> Result<Self, Invalid> {
        Ok(Self {
            task_id: proto.task_id,
            context_id: proto.context_id,
            artifact: required(proto.artifact, "artifact")?,
            append: proto.append,
            last_chunk: proto.last_chunk,
            metadata: optional(proto.metadata, "metadata")?,
        })
    }
}

impl From<StreamResponse> for stream_response::Payload {
    fn from(response: StreamResponse) -> Self {
        match response {
            StreamResponse::Task(task) => Self::Task(task.into()),
            StreamResponse::Message(message) => Self::Message(message.into()),
            StreamResponse::StatusUpdate(event) => Self::StatusUpdate(event.into()),
            StreamResponse::ArtifactUpdate(event) => Self::ArtifactUpdate(event.into()),
        }
    }
}

impl FromProto<stream_response::Payload> for StreamResponse {
    fn from_proto(proto: stream_response::Payload) -> Result<Self, Invalid> {
        Ok(match proto {
            stream_response::Payload::Task(task) => Self::Task(field(task, "task")?),
            stream_response::Payload::Message(message) => Self::Message(field(message, "message")?),
            stream_response::Payload::StatusUpdate(event) => {
                Self::StatusUpdate(field(event, "statusUpdate")?)
            }
            stream_response::Payload::ArtifactUpdate(event) => {
                Self::ArtifactUpdate(field(event, "artifactUpdate")?)
            }
        })
    }
}

impl From<StreamResponse> for v1::StreamResponse {
    fn from(response: StreamResponse) -> Self {
        Self {
            payload: Some(response.into()),
        }
    }
}

impl FromProto<v1::StreamResponse> for StreamResponse {
    fn from_proto(proto: v1::StreamResponse) -> Result<Self, Invalid> {
        oneof(
            proto.payload,
            "payload",
            "task, message, statusUpdate or artifactUpdate",
        )
    }
}
