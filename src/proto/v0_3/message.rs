//! Tasks, messages, parts, artifacts, the events of a task and the items of a stream.

use serde_json::Value;

use crate::proto::convert::well_known::{to_struct, to_timestamp};
use crate::proto::convert::{
    FromProto, Invalid, field, oneof, oneof_from_proto, optional, repeated, required, to_protos,
    try_from_proto,
};
use crate::proto::v0_3::{self, file_part, part, stream_response};
use crate::types::{
    self, Artifact, Message, Part, PartContent, Role, StreamResponse, Task, TaskArtifactUpdateEvent,
    TaskState, TaskStatus, TaskStatusUpdateEvent,
};
use crate::v0_3::rest::FileSource;

try_from_proto! {
    TaskState => v0_3::TaskState,
    Role => v0_3::Role,
    TaskStatus => v0_3::TaskStatus,
    Task => v0_3::Task,
    Part => v0_3::Part,
    Message => v0_3::Message,
    Artifact => v0_3::Artifact,
    TaskStatusUpdateEvent => v0_3::TaskStatusUpdateEvent,
    TaskArtifactUpdateEvent => v0_3::TaskArtifactUpdateEvent,
    StreamResponse => v0_3::StreamResponse,
    StreamResponse => stream_response::Payload,
    StreamResponse => Option<stream_response::Payload>,
}

oneof_from_proto! {
    StreamResponse => stream_response::Payload,
}

// ---------------------------------------------------------------------------
// Enums
// ---------------------------------------------------------------------------

/// By number: v0.3's numbers are 1.0's (its `CANCELLED` is 1.0's
/// `Canceled`). The generated enum cannot hold an unrecognized value: it
/// becomes the unspecified one. The messages carry the number itself, which
/// keeps it.
impl From<TaskState> for v0_3::TaskState {
    fn from(state: TaskState) -> Self {
        Self::try_from(state.number()).unwrap_or(Self::Unspecified)
    }
}

/// By number: `CANCELLED` reads as `Canceled`. A `TaskState` field of a
/// message, which holds the number itself, reads through the 1.0
/// conversions' `FromProto<i32>`: the two versions number their states alike.
impl FromProto<v0_3::TaskState> for TaskState {
    fn from_proto(state: v0_3::TaskState) -> Result<Self, Invalid> {
        Ok(Self::from(i32::from(state)))
    }
}

/// By number: v0.3's names and numbers are 1.0's. The generated enum cannot
/// hold an unrecognized value: it becomes the unspecified one.
impl From<Role> for v0_3::Role {
    fn from(role: Role) -> Self {
        Self::try_from(role.number()).unwrap_or(Self::Unspecified)
    }
}

/// By number. A `Role` field of a message, which holds the number itself,
/// reads through the 1.0 conversions' `FromProto<i32>`: the two versions
/// number their roles alike.
impl FromProto<v0_3::Role> for Role {
    fn from_proto(role: v0_3::Role) -> Result<Self, Invalid> {
        Ok(Self::from(i32::from(role)))
    }
}

// ---------------------------------------------------------------------------
// Tasks
// ---------------------------------------------------------------------------

/// Field for field, 1.0's `message` being v0.3's `update`.
impl From<TaskStatus> for v0_3::TaskStatus {
    fn from(status: TaskStatus) -> Self {
        Self {
            state: status.state.number(),
            update: status.message.map(Into::into),
            timestamp: status.timestamp.map(to_timestamp),
        }
    }
}

impl FromProto<v0_3::TaskStatus> for TaskStatus {
    fn from_proto(proto: v0_3::TaskStatus) -> Result<Self, Invalid> {
        Ok(Self {
            state: field(proto.state, "state")?,
            // `update`'s JSON name.
            message: optional(proto.update, "message")?,
            timestamp: optional(proto.timestamp, "timestamp")?,
        })
    }
}

/// Field for field; its messages lose their `reference_task_ids`.
impl From<Task> for v0_3::Task {
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

impl FromProto<v0_3::Task> for Task {
    fn from_proto(proto: v0_3::Task) -> Result<Self, Invalid> {
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

/// A 1.0 part as v0.3 has it:
///
/// | 1.0 | v0.3 |
/// |---|---|
/// | `text` | `text` |
/// | `raw` | `file` with `file_with_bytes`: the base64 text of the bytes, as the v0.3 SDKs write it |
/// | `url` | `file` with `file_with_uri` |
/// | `data` holding an object | `data` |
/// | `data` holding another value | `data` holding `{"value": …}` |
/// | unrecognized | no member |
///
/// A file's `media_type` and `filename` go to its `mime_type` and `name`;
/// those of a text or data part are lost, as is a non-object data value's
/// bareness (it comes back wrapped).
impl From<Part> for v0_3::Part {
    fn from(part: Part) -> Self {
        let file = |file| {
            part::Part::File(v0_3::FilePart {
                file: Some(file),
                mime_type: part.media_type,
                name: part.filename,
            })
        };
        let content = match part.content {
            PartContent::Text(text) => Some(part::Part::Text(text)),
            PartContent::Raw(bytes) => Some(file(file_part::File::FileWithBytes(
                crate::types::protojson::bytes::encode(&bytes).into_bytes(),
            ))),
            PartContent::Url(url) => Some(file(file_part::File::FileWithUri(url))),
            PartContent::Data(Value::Object(data)) => Some(part::Part::Data(v0_3::DataPart {
                data: Some(to_struct(data)),
            })),
            PartContent::Data(other) => Some(part::Part::Data(v0_3::DataPart {
                data: Some(to_struct(types::Struct::from_iter([("value".to_owned(), other)]))),
            })),
            PartContent::Unrecognized => None,
        };
        Self {
            part: content,
            metadata: part.metadata.map(to_struct),
        }
    }
}

/// A v0.3 part as 1.0 has it: the reverse of the table above. Inline bytes
/// are read as the base64 text the v0.3 SDKs put there, or as the file
/// itself when they are not base64 ([`FileSource::inline_content`]); a file
/// with neither bytes nor URI reads as empty `raw` content, a data part
/// without data as an empty object, a part with no member as unrecognized.
impl FromProto<v0_3::Part> for Part {
    fn from_proto(proto: v0_3::Part) -> Result<Self, Invalid> {
        let metadata = optional(proto.metadata, "metadata")?;
        let part = match proto.part {
            Some(part::Part::Text(text)) => Part::text(text),
            Some(part::Part::File(file)) => {
                let content = match file.file {
                    Some(file_part::File::FileWithUri(uri)) => PartContent::Url(uri),
                    Some(file_part::File::FileWithBytes(bytes)) => {
                        PartContent::Raw(FileSource::Bytes(bytes).inline_content().unwrap_or_default())
                    }
                    None => PartContent::Raw(Vec::new()),
                };
                Part {
                    filename: file.name,
                    media_type: file.mime_type,
                    ..Part::new(content)
                }
            }
            Some(part::Part::Data(data)) => {
                let data: types::Struct = optional(data.data, "data")
                    .map_err(|invalid| invalid.in_field("data"))?
                    .unwrap_or_default();
                Part::data(Value::Object(data))
            }
            None => Part::new(PartContent::Unrecognized),
        };
        Ok(Part { metadata, ..part })
    }
}

/// Field for field, 1.0's `parts` being v0.3's `content`. Lost:
/// `reference_task_ids`, which v0.3 does not have.
impl From<Message> for v0_3::Message {
    fn from(message: Message) -> Self {
        Self {
            message_id: message.message_id,
            context_id: message.context_id,
            task_id: message.task_id,
            role: message.role.number(),
            content: to_protos(message.parts),
            metadata: message.metadata.map(to_struct),
            extensions: message.extensions,
        }
    }
}

impl FromProto<v0_3::Message> for Message {
    fn from_proto(proto: v0_3::Message) -> Result<Self, Invalid> {
        Ok(Self {
            message_id: proto.message_id,
            context_id: proto.context_id,
            task_id: proto.task_id,
            role: field(proto.role, "role")?,
            parts: repeated(proto.content, "content")?,
            metadata: optional(proto.metadata, "metadata")?,
            extensions: proto.extensions,
            reference_task_ids: Vec::new(),
        })
    }
}

/// Field for field (its parts as [`v0_3::Part`]'s conversion says).
impl From<Artifact> for v0_3::Artifact {
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

impl FromProto<v0_3::Artifact> for Artifact {
    fn from_proto(proto: v0_3::Artifact) -> Result<Self, Invalid> {
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

/// Field for field, and `final` set when the state is terminal or
/// interrupted (input or auth required): when a 1.0 stream ends.
impl From<TaskStatusUpdateEvent> for v0_3::TaskStatusUpdateEvent {
    fn from(event: TaskStatusUpdateEvent) -> Self {
        let state = event.status.state;
        Self {
            task_id: event.task_id,
            context_id: event.context_id,
            status: Some(event.status.into()),
            r#final: state.is_terminal() || state.is_interrupted(),
            metadata: event.metadata.map(to_struct),
        }
    }
}

/// Field for field; `final` is dropped, as 1.0 reads the end of a stream
/// from the state.
impl FromProto<v0_3::TaskStatusUpdateEvent> for TaskStatusUpdateEvent {
    fn from_proto(proto: v0_3::TaskStatusUpdateEvent) -> Result<Self, Invalid> {
        Ok(Self {
            task_id: proto.task_id,
            context_id: proto.context_id,
            status: required(proto.status, "status")?,
            metadata: optional(proto.metadata, "metadata")?,
        })
    }
}

/// Field for field.
impl From<TaskArtifactUpdateEvent> for v0_3::TaskArtifactUpdateEvent {
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

impl FromProto<v0_3::TaskArtifactUpdateEvent> for TaskArtifactUpdateEvent {
    fn from_proto(proto: v0_3::TaskArtifactUpdateEvent) -> Result<Self, Invalid> {
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

/// Member for member (1.0's `message` is v0.3's `msg`); an unrecognized
/// item is no member at all.
impl From<StreamResponse> for Option<stream_response::Payload> {
    fn from(response: StreamResponse) -> Self {
        use stream_response::Payload;
        Some(match response {
            StreamResponse::Task(task) => Payload::Task(task.into()),
            StreamResponse::Message(message) => Payload::Msg(message.into()),
            StreamResponse::StatusUpdate(event) => Payload::StatusUpdate(event.into()),
            StreamResponse::ArtifactUpdate(event) => Payload::ArtifactUpdate(event.into()),
            StreamResponse::Unrecognized => return None,
        })
    }
}

impl FromProto<stream_response::Payload> for StreamResponse {
    fn from_proto(proto: stream_response::Payload) -> Result<Self, Invalid> {
        use stream_response::Payload;
        Ok(match proto {
            Payload::Task(task) => Self::Task(field(task, "task")?),
            // `msg`'s JSON name.
            Payload::Msg(message) => Self::Message(field(message, "message")?),
            Payload::StatusUpdate(event) => Self::StatusUpdate(field(event, "statusUpdate")?),
            Payload::ArtifactUpdate(event) => Self::ArtifactUpdate(field(event, "artifactUpdate")?),
        })
    }
}

/// Member for member, as the oneof's conversion says.
impl From<StreamResponse> for v0_3::StreamResponse {
    fn from(response: StreamResponse) -> Self {
        Self {
            payload: response.into(),
        }
    }
}

impl FromProto<v0_3::StreamResponse> for StreamResponse {
    fn from_proto(proto: v0_3::StreamResponse) -> Result<Self, Invalid> {
        oneof(proto.payload)
    }
}
