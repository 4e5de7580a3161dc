//! v0.3 messages and their parts (`kind` `"text"`, `"file"`, `"data"`).

use std::fmt;

use serde::de::{self, Deserialize, Deserializer, MapAccess, Visitor};
use serde::ser::{Serialize, SerializeMap, Serializer};
use serde_json::Value;

use super::{non_empty, non_empty_vec, read_object as read, string_enum};
use crate::types::protojson::{self, nullable};
use crate::types::{self, Struct};

string_enum! {
    /// Who sent a [`Message`]: `"user"` or `"agent"`.
    ///
    /// Converts with [`types::Role`]: `User` ↔ `User`, `Agent` ↔ `Agent`.
    /// An unrecognized role reads as an unrecognized 1.0 role (its text is
    /// lost), and a missing one (the default, an empty unrecognized value,
    /// never written) as the unspecified 1.0 role; both 1.0 values come
    /// back as the missing role.
    ///
    /// ```
    /// use a2akit::{types, v0_3::Role};
    /// assert_eq!(types::Role::from(Role::User), types::Role::User);
    /// assert_eq!(Role::from(types::Role::Agent).as_str(), "agent");
    /// ```
    pub enum Role {
        /// From the client to the agent.
        User => "user",
        /// From the agent to the client.
        Agent => "agent",
    }
}

/// An empty unrecognized role: what a message without a role reads as.
impl Default for Role {
    fn default() -> Self {
        Self::Unrecognized(String::new())
    }
}

impl Role {
    /// Whether this is the missing role (an empty unrecognized value), which is not written.
    pub fn is_unset(&self) -> bool {
        matches!(self, Self::Unrecognized(text) if text.is_empty())
    }
}

impl From<Role> for types::Role {
    fn from(role: Role) -> Self {
        match role {
            Role::User => Self::User,
            Role::Agent => Self::Agent,
            Role::Unrecognized(text) if text.is_empty() => Self::Unspecified,
            Role::Unrecognized(_) => Self::Unrecognized(None),
        }
    }
}

impl From<types::Role> for Role {
    fn from(role: types::Role) -> Self {
        match role {
            types::Role::User => Self::User,
            types::Role::Agent => Self::Agent,
            _ => Self::default(),
        }
    }
}

/// One message between a client and an agent (`"kind": "message"`).
///
/// Converts with [`types::Message`] field for field; absent optional
/// members become empty strings and lists in 1.0, and empty ones are left
/// out when going back (so `"extensions": []` comes back absent).
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "kind", rename = "message", rename_all = "camelCase")]
pub struct Message {
    /// Unique id of the message, chosen by its sender.
    #[serde(alias = "message_id", default, deserialize_with = "nullable")]
    pub message_id: String,
    /// The conversation the message belongs to.
    #[serde(alias = "context_id", default, skip_serializing_if = "Option::is_none")]
    pub context_id: Option<String>,
    /// The task the message continues or belongs to.
    #[serde(alias = "task_id", default, skip_serializing_if = "Option::is_none")]
    pub task_id: Option<String>,
    /// Who sent it.
    #[serde(default, skip_serializing_if = "Role::is_unset")]
    pub role: Role,
    /// The content.
    #[serde(default, deserialize_with = "nullable")]
    pub parts: Vec<Part>,
    /// Free-form metadata.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Struct>,
    /// URIs of the extensions used in this message.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extensions: Option<Vec<String>>,
    /// Ids of other tasks this message refers to.
    #[serde(alias = "reference_task_ids", default, skip_serializing_if = "Option::is_none")]
    pub reference_task_ids: Option<Vec<String>>,
}

impl From<Message> for types::Message {
    fn from(message: Message) -> Self {
        Self {
            message_id: message.message_id,
            context_id: message.context_id.unwrap_or_default(),
            task_id: message.task_id.unwrap_or_default(),
            role: message.role.into(),
            parts: message.parts.into_iter().map(Into::into).collect(),
            metadata: message.metadata,
            extensions: message.extensions.unwrap_or_default(),
            reference_task_ids: message.reference_task_ids.unwrap_or_default(),
        }
    }
}

impl From<types::Message> for Message {
    fn from(message: types::Message) -> Self {
        Self {
            message_id: message.message_id,
            context_id: non_empty(message.context_id),
            task_id: non_empty(message.task_id),
            role: message.role.into(),
            parts: message.parts.into_iter().map(Into::into).collect(),
            metadata: message.metadata,
            extensions: non_empty_vec(message.extensions),
            reference_task_ids: non_empty_vec(message.reference_task_ids),
        }
    }
}

/// A piece of content, told apart by its `kind`.
///
/// Converts with [`types::Part`]:
///
/// | v0.3 | 1.0 |
/// |---|---|
/// | `text` | `text` |
/// | `file` with `bytes` | `raw`, with `mimeType` → `mediaType` and `name` → `filename` |
/// | `file` with `uri` | `url`, likewise |
/// | `data` | `data` |
///
/// Lost going to v0.3: the media type and file name of a text or data part
/// (v0.3 has them on files only), and the bare value of a 1.0 data part
/// that is not an object (v0.3 data is an object), which is wrapped as
/// `{"value": …}` and comes back wrapped. An unrecognized part keeps only
/// its metadata going to 1.0.
///
/// ```
/// use a2akit::{types, v0_3};
///
/// let part: v0_3::Part = serde_json::from_str(
///     r#"{"kind": "file", "file": {"uri": "https://x.example/a.pdf", "mimeType": "application/pdf"}}"#,
/// ).unwrap();
/// let v1 = types::Part::from(part);
/// assert_eq!(v1.content, types::PartContent::Url("https://x.example/a.pdf".into()));
/// assert_eq!(v1.media_type, "application/pdf");
/// ```
#[derive(Debug, Clone, PartialEq)]
pub enum Part {
    /// Text (`"kind": "text"`).
    Text(TextPart),
    /// A file, by its bytes or a URI (`"kind": "file"`).
    File(FilePart),
    /// Structured data (`"kind": "data"`).
    Data(DataPart),
    /// A part of a `kind` this version does not know, kept whole as sent.
    Unrecognized(Struct),
}

/// A text part.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "kind", rename = "text")]
pub struct TextPart {
    /// The text.
    #[serde(default, deserialize_with = "nullable")]
    pub text: String,
    /// Free-form metadata about this part.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Struct>,
}

/// A file part.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "kind", rename = "file")]
pub struct FilePart {
    /// The file.
    #[serde(default, deserialize_with = "nullable")]
    pub file: FileContent,
    /// Free-form metadata about this part.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Struct>,
}

/// A structured data part.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "kind", rename = "data")]
pub struct DataPart {
    /// The data: a JSON object in v0.3 (anything else is read and kept too).
    #[serde(default = "empty_object")]
    pub data: Value,
    /// Free-form metadata about this part.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Struct>,
}

fn empty_object() -> Value {
    Value::Object(Struct::new())
}

/// The file of a [`FilePart`]: its content or where to find it, its media type and its name.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FileContent {
    /// The bytes or the URI.
    pub source: FileSource,
    /// The media (MIME) type (`mimeType`).
    pub mime_type: Option<String>,
    /// The file name.
    pub name: Option<String>,
}

/// Where a file's content is: inline (`bytes`, base64 on the wire) or at a URI (`uri`).
#[derive(Debug, Clone, PartialEq)]
pub enum FileSource {
    /// The content itself.
    Bytes(Vec<u8>),
    /// A URI to fetch it from.
    Uri(String),
}

/// No content: what a file with neither `bytes` nor `uri` reads as.
impl Default for FileSource {
    fn default() -> Self {
        Self::Bytes(Vec::new())
    }
}

impl Serialize for FileContent {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        match &self.source {
            FileSource::Bytes(bytes) => map.serialize_entry("bytes", &protojson::bytes::encode(bytes))?,
            FileSource::Uri(uri) => map.serialize_entry("uri", uri)?,
        }
        if let Some(mime_type) = &self.mime_type {
            map.serialize_entry("mimeType", mime_type)?;
        }
        if let Some(name) = &self.name {
            map.serialize_entry("name", name)?;
        }
        map.end()
    }
}

/// A base64 string read into bytes, as the 1.0 `raw` member is read.
struct Base64(Vec<u8>);

impl<'de> Deserialize<'de> for Base64 {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer
            .deserialize_str(protojson::bytes::Base64Visitor)
            .map(Base64)
    }
}

/// Reads `bytes` (which wins when both are sent, as it does in the v0.3
/// SDKs' union) or `uri`, `mimeType` and `name`.
impl<'de> Deserialize<'de> for FileContent {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct FileVisitor;

        impl<'de> Visitor<'de> for FileVisitor {
            type Value = FileContent;

            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a file object with `bytes` or `uri`")
            }

            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<FileContent, A::Error> {
                let mut bytes = None;
                let mut uri = None;
                let mut file = FileContent::default();
                while let Some(key) = map.next_key::<String>()? {
                    match key.as_str() {
                        "bytes" => bytes = map.next_value::<Option<Base64>>()?.map(|b| b.0),
                        "uri" => uri = map.next_value::<Option<String>>()?,
                        "mimeType" | "mime_type" => file.mime_type = map.next_value()?,
                        "name" => file.name = map.next_value()?,
                        _ => {
                            map.next_value::<de::IgnoredAny>()?;
                        }
                    }
                }
                file.source = match (bytes, uri) {
                    (Some(bytes), _) => FileSource::Bytes(bytes),
                    (None, Some(uri)) => FileSource::Uri(uri),
                    (None, None) => FileSource::default(),
                };
                Ok(file)
            }
        }

        deserializer.deserialize_map(FileVisitor)
    }
}

impl Serialize for Part {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Self::Text(part) => part.serialize(serializer),
            Self::File(part) => part.serialize(serializer),
            Self::Data(part) => part.serialize(serializer),
            Self::Unrecognized(object) => object.serialize(serializer),
        }
    }
}

/// Chooses the part by `kind`, or, when a peer left `kind` out, by which of
/// `text`, `file` and `data` is present.
impl<'de> Deserialize<'de> for Part {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let object = Struct::deserialize(deserializer)?;
        let kind = match object.get("kind").and_then(Value::as_str) {
            Some(kind) => kind,
            None if object.contains_key("text") => "text",
            None if object.contains_key("file") => "file",
            None if object.contains_key("data") => "data",
            None => "",
        };
        Ok(match kind {
            "text" => Self::Text(read(object)?),
            "file" => Self::File(read(object)?),
            "data" => Self::Data(read(object)?),
            _ => Self::Unrecognized(object),
        })
    }
}

impl From<Part> for types::Part {
    fn from(part: Part) -> Self {
        match part {
            Part::Text(part) => Self {
                metadata: part.metadata,
                ..Self::text(part.text)
            },
            Part::File(part) => {
                let content = match part.file.source {
                    FileSource::Bytes(bytes) => types::PartContent::Raw(bytes),
                    FileSource::Uri(uri) => types::PartContent::Url(uri),
                };
                Self {
                    content,
                    metadata: part.metadata,
                    filename: part.file.name.unwrap_or_default(),
                    media_type: part.file.mime_type.unwrap_or_default(),
                }
            }
            Part::Data(part) => Self {
                metadata: part.metadata,
                ..Self::data(part.data)
            },
            Part::Unrecognized(mut object) => Self {
                metadata: match object.remove("metadata") {
                    Some(Value::Object(metadata)) => Some(metadata),
                    _ => None,
                },
                ..Self::new(types::PartContent::Unrecognized)
            },
        }
    }
}

impl From<types::Part> for Part {
    fn from(part: types::Part) -> Self {
        let metadata = part.metadata;
        let file = |source| FileContent {
            source,
            mime_type: non_empty(part.media_type),
            name: non_empty(part.filename),
        };
        match part.content {
            types::PartContent::Text(text) => Self::Text(TextPart { text, metadata }),
            types::PartContent::Raw(bytes) => Self::File(FilePart {
                file: file(FileSource::Bytes(bytes)),
                metadata,
            }),
            types::PartContent::Url(uri) => Self::File(FilePart {
                file: file(FileSource::Uri(uri)),
                metadata,
            }),
            types::PartContent::Data(data) => {
                let data = match data {
                    Value::Object(_) => data,
                    other => Value::Object(Struct::from_iter([("value".to_owned(), other)])),
                };
                Self::Data(DataPart { data, metadata })
            }
            types::PartContent::Unrecognized => {
                let mut object = Struct::new();
                if let Some(metadata) = metadata {
                    object.insert("metadata".to_owned(), Value::Object(metadata));
                }
                Self::Unrecognized(object)
            }
        }
    }
}

impl From<TextPart> for Part {
    fn from(part: TextPart) -> Self {
        Self::Text(part)
    }
}

impl From<FilePart> for Part {
    fn from(part: FilePart) -> Self {
        Self::File(part)
    }
}

impl From<DataPart> for Part {
    fn from(part: DataPart) -> Self {
        Self::Data(part)
    }
}
