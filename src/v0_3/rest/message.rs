//! Messages and their parts as the v0.3 proto has them: the parts under
//! `content`, each a oneof of `text`, `file` and `data`.

use std::fmt;

use base64::Engine as _;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use serde::de::{self, Deserialize, Deserializer, MapAccess, Visitor};
use serde::ser::{Serialize, SerializeMap, Serializer};
use serde_json::Value;

use crate::types::protojson::{self, nullable};
use crate::types::{self, Struct};

/// Who sent a [`Message`]: `ROLE_USER` or `ROLE_AGENT`.
///
/// The v0.3 proto's enum has the names and numbers of 1.0's, so this is
/// [`types::Role`] itself: read by name or number, an unknown value kept as
/// unrecognized.
pub use crate::types::Role;

/// One message between a client and an agent.
///
/// Converts with [`types::Message`]: `content` ↔ `parts`. Lost going to
/// v0.3: `referenceTaskIds`, which the v0.3 proto does not have.
///
/// ```
/// use a2akit::{types, v0_3::rest};
///
/// let message: rest::Message = serde_json::from_str(
///     r#"{"messageId": "m1", "role": "ROLE_USER", "content": [{"text": "hi"}]}"#,
/// ).unwrap();
/// let v1 = types::Message::from(message.clone());
/// assert_eq!(v1.text(), "hi");
/// assert_eq!(rest::Message::from(v1), message);
/// ```
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Message {
    /// Unique id of the message, chosen by its sender.
    #[serde(alias = "message_id")]
    #[serde(default, deserialize_with = "nullable", skip_serializing_if = "String::is_empty")]
    pub message_id: String,
    /// The conversation the message belongs to; empty when not set.
    #[serde(alias = "context_id")]
    #[serde(default, deserialize_with = "nullable", skip_serializing_if = "String::is_empty")]
    pub context_id: String,
    /// The task the message continues or belongs to; empty when not set.
    #[serde(alias = "task_id")]
    #[serde(default, deserialize_with = "nullable", skip_serializing_if = "String::is_empty")]
    pub task_id: String,
    /// Who sent it.
    #[serde(default, skip_serializing_if = "Role::is_default")]
    pub role: Role,
    /// The parts (`content`; 1.0 calls them `parts`).
    #[serde(default, deserialize_with = "nullable", skip_serializing_if = "Vec::is_empty")]
    pub content: Vec<Part>,
    /// Free-form metadata.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Struct>,
    /// URIs of the extensions used in this message.
    #[serde(default, deserialize_with = "nullable", skip_serializing_if = "Vec::is_empty")]
    pub extensions: Vec<String>,
}

impl From<Message> for types::Message {
    fn from(message: Message) -> Self {
        Self {
            message_id: message.message_id,
            context_id: message.context_id,
            task_id: message.task_id,
            role: message.role,
            parts: message.content.into_iter().map(Into::into).collect(),
            metadata: message.metadata,
            extensions: message.extensions,
            reference_task_ids: Vec::new(),
        }
    }
}

impl From<types::Message> for Message {
    fn from(message: types::Message) -> Self {
        Self {
            message_id: message.message_id,
            context_id: message.context_id,
            task_id: message.task_id,
            role: message.role,
            content: message.parts.into_iter().map(Into::into).collect(),
            metadata: message.metadata,
            extensions: message.extensions,
        }
    }
}

/// A piece of content: the oneof `part` (`text`, `file` or `data`) and metadata.
///
/// Converts with [`types::Part`]:
///
/// | v0.3 | 1.0 |
/// |---|---|
/// | `text` | `text` |
/// | `file` with `fileWithBytes` | `raw` (see [`FileSource::Bytes`]), `mimeType` → `mediaType`, `name` → `filename` |
/// | `file` with `fileWithUri` | `url`, likewise |
/// | `file` with neither | `raw` holding no bytes |
/// | `data` | `data` (an object) |
///
/// Lost going to v0.3: the media type and file name of a text or data
/// part, and the bare value of a 1.0 data part that is not an object,
/// which is wrapped as `{"value": …}` and comes back wrapped. A part with
/// none of the members this version knows converts to an unrecognized 1.0
/// part with its metadata, and back.
///
/// ```
/// use a2akit::{types, v0_3::rest};
///
/// let part: rest::Part = serde_json::from_str(
///     r#"{"file": {"fileWithUri": "https://x.example/a.pdf", "mimeType": "application/pdf"}}"#,
/// ).unwrap();
/// let v1 = types::Part::from(part);
/// assert_eq!(v1.content, types::PartContent::Url("https://x.example/a.pdf".into()));
/// assert_eq!(v1.media_type, "application/pdf");
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Part {
    /// What the part holds.
    pub content: PartContent,
    /// Free-form metadata about this part.
    pub metadata: Option<Struct>,
}

/// The oneof `part` of a [`Part`]: its JSON key says which member is set.
#[derive(Debug, Clone, Default, PartialEq)]
pub enum PartContent {
    /// Text (`{"text": "…"}`).
    Text(String),
    /// A file, inline or by URI (`{"file": {…}}`).
    File(FilePart),
    /// Structured data (`{"data": {"data": {…}}}`).
    Data(DataPart),
    /// None of the members this version knows (or none at all); written
    /// without one.
    #[default]
    Unrecognized,
}

impl PartContent {
    /// The JSON key of this member (`None` when unrecognized).
    pub const fn json_key(&self) -> Option<&'static str> {
        match self {
            Self::Text(_) => Some("text"),
            Self::File(_) => Some("file"),
            Self::Data(_) => Some("data"),
            Self::Unrecognized => None,
        }
    }
}

/// A file: its content or where to find it, its media type and its name.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FilePart {
    /// The oneof `file`: inline bytes or a URI; `None` when neither is set.
    pub file: Option<FileSource>,
    /// The media (MIME) type; empty when not set.
    pub mime_type: String,
    /// The file name; empty when not set.
    pub name: String,
}

/// Where a file's content is: the oneof `file` of a [`FilePart`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FileSource {
    /// `fileWithUri`: a URI to fetch the content from.
    Uri(String),
    /// `fileWithBytes`, a proto `bytes` field: base64 on the wire.
    ///
    /// The v0.3 SDKs (Python, Go, Java) put the *base64 text* of the file
    /// here rather than the file itself, so the JSON holds base64 of
    /// base64; [`FileSource::inline`] and [`FileSource::inline_content`]
    /// follow that convention, and so do the conversions with 1.0.
    Bytes(Vec<u8>),
}

/// Decodes base64 in either alphabet, padded or not, refusing anything else.
fn strict_base64(text: &[u8]) -> Option<Vec<u8>> {
    const CONFIG: GeneralPurposeConfig =
        GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent);
    const STANDARD: GeneralPurpose = GeneralPurpose::new(&base64::alphabet::STANDARD, CONFIG);
    const URL_SAFE: GeneralPurpose = GeneralPurpose::new(&base64::alphabet::URL_SAFE, CONFIG);
    STANDARD.decode(text).or_else(|_| URL_SAFE.decode(text)).ok()
}

impl FileSource {
    /// Inline bytes holding `content` as the v0.3 SDKs write it: its base64 text.
    ///
    /// ```
    /// use a2akit::v0_3::rest::FileSource;
    ///
    /// let source = FileSource::inline(b"hello");
    /// assert_eq!(source, FileSource::Bytes(b"aGVsbG8=".to_vec()));
    /// assert_eq!(source.inline_content(), Some(b"hello".to_vec()));
    /// ```
    pub fn inline(content: impl AsRef<[u8]>) -> Self {
        Self::Bytes(protojson::bytes::encode(content.as_ref()).into_bytes())
    }

    /// The file's content, for inline bytes: the bytes decoded as the base64
    /// text the v0.3 SDKs put there, or the bytes themselves when they are
    /// not base64 (a peer that sends the file as the proto says). `None`
    /// for a URI.
    ///
    /// A file whose raw bytes happen to be valid base64 text is read as
    /// that text's decoding: the convention cannot tell the two apart.
    pub fn inline_content(&self) -> Option<Vec<u8>> {
        match self {
            Self::Uri(_) => None,
            Self::Bytes(bytes) => Some(strict_base64(bytes).unwrap_or_else(|| bytes.clone())),
        }
    }
}

/// Structured data: a JSON object (`google.protobuf.Struct`).
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct DataPart {
    /// The data (always written, `{}` when empty, as the SDKs write it).
    #[serde(default, deserialize_with = "nullable")]
    pub data: Struct,
}

/// Writes bytes as standard base64 without an intermediate `String` in the caller.
struct Base64<'a>(&'a [u8]);

impl Serialize for Base64<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&protojson::bytes::encode(self.0))
    }
}

/// A base64 string read into bytes, as the Python parser reads it.
struct Bytes(Vec<u8>);

impl<'de> Deserialize<'de> for Bytes {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer
            .deserialize_str(protojson::bytes::Base64Visitor)
            .map(Bytes)
    }
}

/// Reads each member of a one-member oneof: `null` is unset, unknown keys
/// are ignored, and two members set are refused, as the Python parser does.
fn set_once<T, E: de::Error>(
    slot: &mut Option<T>,
    value: Option<T>,
    key: impl Fn(&T) -> &'static str,
    what: &str,
) -> Result<(), E> {
    if let Some(value) = value {
        if let Some(first) = slot.as_ref() {
            return Err(E::custom(format_args!(
                "{what} has both `{}` and `{}`; exactly one is allowed",
                key(first),
                key(&value)
            )));
        }
        *slot = Some(value);
    }
    Ok(())
}

impl Serialize for FilePart {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        match &self.file {
            Some(FileSource::Uri(uri)) => map.serialize_entry("fileWithUri", uri)?,
            Some(FileSource::Bytes(bytes)) => map.serialize_entry("fileWithBytes", &Base64(bytes))?,
            None => {}
        }
        if !self.mime_type.is_empty() {
            map.serialize_entry("mimeType", &self.mime_type)?;
        }
        if !self.name.is_empty() {
            map.serialize_entry("name", &self.name)?;
        }
        map.end()
    }
}

impl<'de> Deserialize<'de> for FilePart {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct FileVisitor;

        impl<'de> Visitor<'de> for FileVisitor {
            type Value = FilePart;

            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a FilePart object with `fileWithUri` or `fileWithBytes`")
            }

            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<FilePart, A::Error> {
                let mut file = None;
                let mut part = FilePart::default();
                let key_of = |source: &FileSource| match source {
                    FileSource::Uri(_) => "fileWithUri",
                    FileSource::Bytes(_) => "fileWithBytes",
                };
                while let Some(key) = map.next_key::<String>()? {
                    match key.as_str() {
                        "fileWithUri" | "file_with_uri" => {
                            let uri = map.next_value::<Option<String>>()?.map(FileSource::Uri);
                            set_once(&mut file, uri, key_of, "a file part")?;
                        }
                        "fileWithBytes" | "file_with_bytes" => {
                            let bytes = map.next_value::<Option<Bytes>>()?.map(|b| FileSource::Bytes(b.0));
                            set_once(&mut file, bytes, key_of, "a file part")?;
                        }
                        "mimeType" | "mime_type" => {
                            part.mime_type = map.next_value::<Option<_>>()?.unwrap_or_default()
                        }
                        "name" => part.name = map.next_value::<Option<_>>()?.unwrap_or_default(),
                        _ => {
                            map.next_value::<de::IgnoredAny>()?;
                        }
                    }
                }
                part.file = file;
                Ok(part)
            }
        }

        deserializer.deserialize_map(FileVisitor)
    }
}

impl Serialize for Part {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        match &self.content {
            PartContent::Text(text) => map.serialize_entry("text", text)?,
            PartContent::File(file) => map.serialize_entry("file", file)?,
            PartContent::Data(data) => map.serialize_entry("data", data)?,
            PartContent::Unrecognized => {}
        }
        if let Some(metadata) = &self.metadata {
            map.serialize_entry("metadata", metadata)?;
        }
        map.end()
    }
}

impl<'de> Deserialize<'de> for Part {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct PartVisitor;

        impl<'de> Visitor<'de> for PartVisitor {
            type Value = Part;

            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a Part object with one of `text`, `file` or `data`")
            }

            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Part, A::Error> {
                let mut content = None;
                let mut metadata = None;
                let key_of = |content: &PartContent| content.json_key().unwrap_or_default();
                while let Some(key) = map.next_key::<String>()? {
                    let set = match key.as_str() {
                        "text" => map.next_value::<Option<String>>()?.map(PartContent::Text),
                        "file" => map.next_value::<Option<FilePart>>()?.map(PartContent::File),
                        "data" => map.next_value::<Option<DataPart>>()?.map(PartContent::Data),
                        "metadata" => {
                            metadata = map.next_value()?;
                            None
                        }
                        _ => {
                            map.next_value::<de::IgnoredAny>()?;
                            None
                        }
                    };
                    set_once(&mut content, set, key_of, "a part")?;
                }
                Ok(Part {
                    content: content.unwrap_or_default(),
                    metadata,
                })
            }

            /// An empty array reads as an empty part, as the Python parser reads it.
            fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<Part, A::Error> {
                match seq.next_element::<de::IgnoredAny>()? {
                    None => Ok(Part::default()),
                    Some(_) => Err(de::Error::invalid_type(de::Unexpected::Seq, &self)),
                }
            }
        }

        deserializer.deserialize_any(PartVisitor)
    }
}

impl From<Part> for types::Part {
    fn from(part: Part) -> Self {
        let metadata = part.metadata;
        match part.content {
            PartContent::Text(text) => Self {
                metadata,
                ..Self::text(text)
            },
            PartContent::File(file) => {
                let content = match file.file {
                    Some(FileSource::Uri(uri)) => types::PartContent::Url(uri),
                    Some(bytes) => types::PartContent::Raw(bytes.inline_content().unwrap_or_default()),
                    None => types::PartContent::Raw(Vec::new()),
                };
                Self {
                    content,
                    metadata,
                    filename: file.name,
                    media_type: file.mime_type,
                }
            }
            PartContent::Data(data) => Self {
                metadata,
                ..Self::data(Value::Object(data.data))
            },
            PartContent::Unrecognized => Self {
                metadata,
                ..Self::new(types::PartContent::Unrecognized)
            },
        }
    }
}

impl From<types::Part> for Part {
    fn from(part: types::Part) -> Self {
        let file = |source| {
            PartContent::File(FilePart {
                file: Some(source),
                mime_type: part.media_type,
                name: part.filename,
            })
        };
        let content = match part.content {
            types::PartContent::Text(text) => PartContent::Text(text),
            types::PartContent::Raw(bytes) => file(FileSource::inline(bytes)),
            types::PartContent::Url(uri) => file(FileSource::Uri(uri)),
            types::PartContent::Data(Value::Object(data)) => PartContent::Data(DataPart { data }),
            types::PartContent::Data(other) => PartContent::Data(DataPart {
                data: Struct::from_iter([("value".to_owned(), other)]),
            }),
            types::PartContent::Unrecognized => PartContent::Unrecognized,
        };
        Self {
            content,
            metadata: part.metadata,
        }
    }
}

impl From<PartContent> for Part {
    fn from(content: PartContent) -> Self {
        Self {
            content,
            metadata: None,
        }
    }
}
