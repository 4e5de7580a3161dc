//! Tasks, messages, parts, artifacts, the events of a task and the items of a stream.

use super::well_known::{to_struct, to_timestamp, to_value};
use super::{
    FromProto, Invalid, field, oneof, oneof_from_proto, optional, repeated, required, to_protos,
    try_from_proto,
};
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
    PartContent => Option<part::Content>,
    Message => v1::Message,
    Artifact => v1::Artifact,
    TaskStatusUpdateEvent => v1::TaskStatusUpdateEvent,
    TaskArtifactUpdateEvent => v1::TaskArtifactUpdateEvent,
    StreamResponse => v1::StreamResponse,
    StreamResponse => stream_response::Payload,
    StreamResponse => Option<stream_response::Payload>,
}

oneof_from_proto! {
    PartContent => part::Content,
    StreamResponse => stream_response::Payload,
}

// ---------------------------------------------------------------------------
// Enums
// ---------------------------------------------------------------------------

/// The generated enum cannot hold an unrecognized value: it becomes the
/// unspecified one. The messages carry the number itself, which keeps it.
impl From<TaskState> for v1::TaskState {
    fn from(state: TaskState) -> Self {
        Self::try_from(state.number()).unwrap_or(Self::Unspecified)
    }
}

impl FromProto<v1::TaskState> for TaskState {
    fn from_proto(state: v1::TaskState) -> Result<Self, Invalid> {
        Ok(Self::from(i32::from(state)))
    }
}

/// A `TaskState` field as the generated messages hold it: its number, any
/// number (zero is the unspecified value, a number this version does not
/// know an unrecognized one).
impl FromProto<i32> for TaskState {
    fn from_proto(number: i32) -> Result<Self, Invalid> {
        Ok(Self::from(number))
    }
}

/// The generated enum cannot hold an unrecognized value: it becomes the
/// unspecified one. The messages carry the number itself, which keeps it.
impl From<Role> for v1::Role {
    fn from(role: Role) -> Self {
        Self::try_from(role.number()).unwrap_or(Self::Unspecified)
    }
}

impl FromProto<v1::Role> for Role {
    fn from_proto(role: v1::Role) -> Result<Self, Invalid> {
        Ok(Self::from(i32::from(role)))
    }
}

/// A `Role` field as the generated messages hold it: its number, any number.
impl FromProto<i32> for Role {
    fn from_proto(number: i32) -> Result<Self, Invalid> {
        Ok(Self::from(number))
    }
}

// ---------------------------------------------------------------------------
// Tasks
// ---------------------------------------------------------------------------

impl From<TaskStatus> for v1::TaskStatus {
    fn from(status: TaskStatus) -> Self {
        Self {
            state: status.state.number(),
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

/// An unrecognized content is no member at all.
impl From<PartContent> for Option<part::Content> {
    fn from(content: PartContent) -> Self {
        Some(match content {
            PartContent::Text(text) => part::Content::Text(text),
            PartContent::Raw(bytes) => part::Content::Raw(bytes),
            PartContent::Url(url) => part::Content::Url(url),
            PartContent::Data(data) => part::Content::Data(to_value(data)),
            PartContent::Unrecognized => return None,
        })
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
            content: part.content.into(),
            metadata: part.metadata.map(to_struct),
            filename: part.filename,
            media_type: part.media_type,
        }
    }
}

impl FromProto<v1::Part> for Part {
    fn from_proto(proto: v1::Part) -> Result<Self, Invalid> {
        Ok(Self {
            content: oneof(proto.content)?,
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
            role: message.role.number(),
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

/// An unrecognized item is no member at all.
impl From<StreamResponse> for Option<stream_response::Payload> {
    fn from(response: StreamResponse) -> Self {
        use stream_response::Payload;
        Some(match response {
            StreamResponse::Task(task) => Payload::Task(task.into()),
            StreamResponse::Message(message) => Payload::Message(message.into()),
            StreamResponse::StatusUpdate(event) => Payload::StatusUpdate(event.into()),
            StreamResponse::ArtifactUpdate(event) => Payload::ArtifactUpdate(event.into()),
            StreamResponse::Unrecognized => return None,
        })
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
            payload: response.into(),
        }
    }
}

impl FromProto<v1::StreamResponse> for StreamResponse {
    fn from_proto(proto: v1::StreamResponse) -> Result<Self, Invalid> {
        oneof(proto.payload)
    }
}
