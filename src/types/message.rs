//! Messages and their parts: what a client and an agent say to each other.

use std::fmt;

use serde::de::{self, Deserialize, Deserializer, MapAccess, Visitor};
use serde::ser::{Serialize, SerializeMap, Serializer};
use serde_json::Value;

use super::Struct;
use super::protojson::{self, nullable, proto_enum};

proto_enum! {
    /// Who sent a [`Message`].
    ///
    /// ```
    /// use a2akit::types::Role;
    /// assert_eq!(Role::User.as_str(), "ROLE_USER");
    /// assert_eq!("2".parse::<Role>().unwrap(), Role::Agent);
    /// ```
    pub enum Role ("ROLE_UNSPECIFIED") {
        /// The message goes from the client to the agent.
        User = 1 => "ROLE_USER",
        /// The message goes from the agent to the client.
        Agent = 2 => "ROLE_AGENT",
    }
}

/// One unit of communication between a client and an agent.
///
/// A client's message may name a task (`task_id`) to continue it and a
/// conversation (`context_id`); an agent's message carries the `context_id`
/// and, when a task exists, its `task_id`.
///
/// ```
/// use a2akit::types::{Message, Part, Role};
///
/// let question = Message::user("Translate this file")
///     .with_part(Part::raw(b"Bonjour".to_vec()).with_media_type("text/plain"))
///     .with_context_id("ctx-7");
/// assert_eq!(question.role, Role::User);
/// assert_eq!(question.parts.len(), 2);
/// assert_eq!(question.text(), "Translate this file");
/// ```
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Message {
    /// Unique id of the message, chosen by its sender.
    #[serde(alias = "message_id")]
    #[serde(default, deserialize_with = "nullable")]
    pub message_id: String,
    /// The conversation the message belongs to; empty when not set.
    #[serde(alias = "context_id")]
    #[serde(default, deserialize_with = "nullable", skip_serializing_if = "String::is_empty")]
    pub context_id: String,
    /// The task the message continues or belongs to; empty when not set.
    #[serde(alias = "task_id")]
    #[serde(default, deserialize_with = "nullable", skip_serializing_if = "String::is_empty")]
    pub task_id: String,
    /// Who sent the message ([`Role::Unspecified`] when the sender left it out).
    #[serde(default, skip_serializing_if = "Role::is_default")]
    pub role: Role,
    /// The content. The protocol asks for at least one part.
    #[serde(default, deserialize_with = "nullable")]
    pub parts: Vec<Part>,
    /// Free-form metadata; extensions key their data by their URI.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Struct>,
    /// URIs of the extensions used in this message.
    #[serde(default, deserialize_with = "nullable", skip_serializing_if = "Vec::is_empty")]
    pub extensions: Vec<String>,
    /// Ids of other tasks this message refers to, as a hint for the agent.
    #[serde(alias = "reference_task_ids")]
    #[serde(default, deserialize_with = "nullable", skip_serializing_if = "Vec::is_empty")]
    pub reference_task_ids: Vec<String>,
}

impl Message {
    /// A message with a fresh random `message_id` and the given parts.
    pub fn new(role: Role, parts: impl IntoIterator<Item = Part>) -> Self {
        Self {
            message_id: uuid::Uuid::new_v4().to_string(),
            context_id: String::new(),
            task_id: String::new(),
            role,
            parts: parts.into_iter().collect(),
            metadata: None,
            extensions: Vec::new(),
            reference_task_ids: Vec::new(),
        }
    }

    /// A client's message holding one part (a `&str` or `String` makes a text part).
    pub fn user(part: impl Into<Part>) -> Self {
        Self::new(Role::User, [part.into()])
    }

    /// An agent's message holding one part (a `&str` or `String` makes a text part).
    pub fn agent(part: impl Into<Part>) -> Self {
        Self::new(Role::Agent, [part.into()])
    }

    /// Adds a part.
    pub fn with_part(mut self, part: impl Into<Part>) -> Self {
        self.parts.push(part.into());
        self
    }

    /// Sets the message id.
    pub fn with_message_id(mut self, message_id: impl Into<String>) -> Self {
        self.message_id = message_id.into();
        self
    }

    /// Sets the conversation id.
    pub fn with_context_id(mut self, context_id: impl Into<String>) -> Self {
        self.context_id = context_id.into();
        self
    }

    /// Sets the task id.
    pub fn with_task_id(mut self, task_id: impl Into<String>) -> Self {
        self.task_id = task_id.into();
        self
    }

    /// Sets the metadata.
    pub fn with_metadata(mut self, metadata: Struct) -> Self {
        self.metadata = Some(metadata);
        self
    }

    /// The text of all text parts, joined with no separator.
    pub fn text(&self) -> String {
        self.parts.iter().filter_map(Part::as_text).collect()
    }
}

/// A piece of content: text, file bytes, a file URL or structured data, with
/// optional metadata, file name and media type.
///
/// ```
/// use a2akit::types::{Part, PartContent};
///
/// let part = Part::url("https://example.com/report.pdf")
///     .with_filename("report.pdf")
///     .with_media_type("application/pdf");
/// assert!(matches!(part.content, PartContent::Url(_)));
/// assert_eq!(
///     serde_json::to_string(&part).unwrap(),
///     r#"{"url":"https://example.com/report.pdf","filename":"report.pdf","mediaType":"application/pdf"}"#
/// );
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Part {
    /// What the part holds.
    pub content: PartContent,
    /// Free-form metadata about this part.
    pub metadata: Option<Struct>,
    /// A file name, empty when not set.
    pub filename: String,
    /// The media (MIME) type of the content, empty when not set.
    pub media_type: String,
}

/// The content of a [`Part`]: the proto oneof `content`, whose JSON key says
/// which member is set.
#[derive(Debug, Clone, PartialEq)]
pub enum PartContent {
    /// Text (`{"text": "…"}`); an empty string is still a text part.
    Text(String),
    /// File bytes, base64 on the wire (`{"raw": "…"}`).
    Raw(Vec<u8>),
    /// A URL to the file's content (`{"url": "…"}`).
    Url(String),
    /// Any JSON value, `null` included (`{"data": …}`).
    Data(Value),
    /// None of the members this version knows: the sender used a kind of
    /// content added in a later version of the protocol (which is not kept),
    /// or none. The part is written without content; a server refuses it in
    /// a request.
    Unrecognized,
}

/// [`Unrecognized`](PartContent::Unrecognized), what a part with no content reads as.
impl Default for PartContent {
    fn default() -> Self {
        Self::Unrecognized
    }
}

impl PartContent {
    /// The JSON key of this member (`None` when unrecognized).
    pub const fn json_key(&self) -> Option<&'static str> {
        match self {
            Self::Text(_) => Some("text"),
            Self::Raw(_) => Some("raw"),
            Self::Url(_) => Some("url"),
            Self::Data(_) => Some("data"),
            Self::Unrecognized => None,
        }
    }
}

impl Part {
    /// A part with this content and nothing else set.
    pub fn new(content: PartContent) -> Self {
        Self {
            content,
            metadata: None,
            filename: String::new(),
            media_type: String::new(),
        }
    }

    /// A text part.
    pub fn text(text: impl Into<String>) -> Self {
        Self::new(PartContent::Text(text.into()))
    }

    /// A part holding file bytes.
    pub fn raw(bytes: impl Into<Vec<u8>>) -> Self {
        Self::new(PartContent::Raw(bytes.into()))
    }

    /// A part pointing at a file by URL.
    pub fn url(url: impl Into<String>) -> Self {
        Self::new(PartContent::Url(url.into()))
    }

    /// A part holding structured data.
    pub fn data(data: impl Into<Value>) -> Self {
        Self::new(PartContent::Data(data.into()))
    }

    /// Sets the file name.
    pub fn with_filename(mut self, filename: impl Into<String>) -> Self {
        self.filename = filename.into();
        self
    }

    /// Sets the media type.
    pub fn with_media_type(mut self, media_type: impl Into<String>) -> Self {
        self.media_type = media_type.into();
        self
    }

    /// Sets the metadata.
    pub fn with_metadata(mut self, metadata: Struct) -> Self {
        self.metadata = Some(metadata);
        self
    }

    /// The text, if this is a text part.
    pub fn as_text(&self) -> Option<&str> {
        match &self.content {
            PartContent::Text(text) => Some(text),
            _ => None,
        }
    }
}

impl From<&str> for Part {
    fn from(text: &str) -> Self {
        Part::text(text)
    }
}

impl From<String> for Part {
    fn from(text: String) -> Self {
        Part::text(text)
    }
}

impl From<PartContent> for Part {
    fn from(content: PartContent) -> Self {
        Part::new(content)
    }
}

/// Writes the bytes of a raw part as standard base64 without an intermediate `String`.
struct Base64<'a>(&'a [u8]);

impl Serialize for Base64<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&protojson::bytes::encode(self.0))
    }
}

impl Serialize for Part {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        match &self.content {
            PartContent::Text(text) => map.serialize_entry("text", text)?,
            PartContent::Raw(bytes) => map.serialize_entry("raw", &Base64(bytes))?,
            PartContent::Url(url) => map.serialize_entry("url", url)?,
            PartContent::Data(data) => map.serialize_entry("data", data)?,
            PartContent::Unrecognized => {}
        }
        if let Some(metadata) = &self.metadata {
            map.serialize_entry("metadata", metadata)?;
        }
        if !self.filename.is_empty() {
            map.serialize_entry("filename", &self.filename)?;
        }
        if !self.media_type.is_empty() {
            map.serialize_entry("mediaType", &self.media_type)?;
        }
        map.end()
    }
}

enum PartField {
    Text,
    Raw,
    Url,
    Data,
    Metadata,
    Filename,
    MediaType,
    Unknown,
}

impl<'de> Deserialize<'de> for PartField {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct FieldVisitor;
        impl Visitor<'_> for FieldVisitor {
            type Value = PartField;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a field name")
            }
            fn visit_str<E: de::Error>(self, key: &str) -> Result<PartField, E> {
                Ok(match key {
                    "text" => PartField::Text,
                    "raw" => PartField::Raw,
                    "url" => PartField::Url,
                    "data" => PartField::Data,
                    "metadata" => PartField::Metadata,
                    "filename" => PartField::Filename,
                    "mediaType" | "media_type" => PartField::MediaType,
                    _ => PartField::Unknown,
                })
            }
        }
        deserializer.deserialize_identifier(FieldVisitor)
    }
}

/// A base64 string read into bytes, for the `raw` member.
struct RawBytes(Vec<u8>);

impl<'de> Deserialize<'de> for RawBytes {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer
            .deserialize_str(protojson::bytes::Base64Visitor)
            .map(RawBytes)
    }
}

impl<'de> Deserialize<'de> for Part {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct PartVisitor;

        impl<'de> Visitor<'de> for PartVisitor {
            type Value = Part;

            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a Part object with one of `text`, `raw`, `url` or `data`")
            }

            /// Members set to `null` are not set, except `"data": null`,
            /// which sets a data part holding JSON null; as in the official
            /// parser, that one does not count against the one-member rule:
            /// it replaces what came before it and is replaced by what
            /// comes after.
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Part, A::Error> {
                let mut content = PartContent::Unrecognized;
                // The first member set to something other than null.
                let mut member: Option<&'static str> = None;
                let mut metadata = None;
                let mut filename = String::new();
                let mut media_type = String::new();
                while let Some(key) = map.next_key::<PartField>()? {
                    let set = match key {
                        PartField::Text => map.next_value::<Option<String>>()?.map(PartContent::Text),
                        PartField::Raw => map
                            .next_value::<Option<RawBytes>>()?
                            .map(|b| PartContent::Raw(b.0)),
                        PartField::Url => map.next_value::<Option<String>>()?.map(PartContent::Url),
                        PartField::Data => match map.next_value::<Value>()? {
                            Value::Null => {
                                content = PartContent::Data(Value::Null);
                                None
                            }
                            data => Some(PartContent::Data(data)),
                        },
                        PartField::Metadata => {
                            metadata = map.next_value()?;
                            None
                        }
                        PartField::Filename => {
                            filename = map.next_value::<Option<String>>()?.unwrap_or_default();
                            None
                        }
                        PartField::MediaType => {
                            media_type = map.next_value::<Option<String>>()?.unwrap_or_default();
                            None
                        }
                        PartField::Unknown => {
                            map.next_value::<de::IgnoredAny>()?;
                            None
                        }
                    };
                    if let Some(set) = set {
                        let key = set.json_key().unwrap_or_default();
                        if let Some(first) = member {
                            return Err(de::Error::custom(format_args!(
                                "a part has both `{first}` and `{key}`; exactly one content field is allowed",
                            )));
                        }
                        member = Some(key);
                        content = set;
                    }
                }
                Ok(Part {
                    content,
                    metadata,
                    filename,
                    media_type,
                })
            }

            /// An empty array reads as an empty part, as the official
            /// Python parser reads it.
            fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<Part, A::Error> {
                match seq.next_element::<de::IgnoredAny>()? {
                    None => Ok(Part::new(PartContent::Unrecognized)),
                    Some(_) => Err(de::Error::invalid_type(de::Unexpected::Seq, &self)),
                }
            }
        }

        deserializer.deserialize_any(PartVisitor)
    }
}
