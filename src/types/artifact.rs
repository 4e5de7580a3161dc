//! Artifacts: the outputs a task produces.

use super::protojson::nullable;
use super::{Part, Struct};

/// An output of a task: a document, an image, a structured result.
///
/// ```
/// use a2akit::types::{Artifact, Part};
///
/// let report = Artifact::new("report", [Part::text("All good.")]).with_name("Report");
/// assert_eq!(report.artifact_id, "report");
/// assert_eq!(Artifact::text("a1", "hi").parts[0].as_text(), Some("hi"));
/// ```
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Artifact {
    /// Id of the artifact, unique within its task; chunks of one artifact share it.
    #[serde(alias = "artifact_id")]
    #[serde(default, deserialize_with = "nullable")]
    pub artifact_id: String,
    /// A human-readable name; empty when not set.
    #[serde(default, deserialize_with = "nullable", skip_serializing_if = "String::is_empty")]
    pub name: String,
    /// A human-readable description; empty when not set.
    #[serde(default, deserialize_with = "nullable", skip_serializing_if = "String::is_empty")]
    pub description: String,
    /// The content. The protocol asks for at least one part.
    #[serde(default, deserialize_with = "nullable")]
    pub parts: Vec<Part>,
    /// Free-form metadata.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Struct>,
    /// URIs of the extensions used in this artifact.
    #[serde(default, deserialize_with = "nullable", skip_serializing_if = "Vec::is_empty")]
    pub extensions: Vec<String>,
}

impl Artifact {
    /// The text of all its text parts, joined with no separator (what
    /// [`Message::text`](super::Message::text) is for a message).
    ///
    /// ```
    /// use a2akit::types::Artifact;
    /// assert_eq!(Artifact::text("a1", "hello").to_text(), "hello");
    /// ```
    pub fn to_text(&self) -> String {
        self.parts.iter().filter_map(Part::as_text).collect()
    }

    /// An artifact with this id and these parts.
    pub fn new(artifact_id: impl Into<String>, parts: impl IntoIterator<Item = Part>) -> Self {
        Self {
            artifact_id: artifact_id.into(),
            name: String::new(),
            description: String::new(),
            parts: parts.into_iter().collect(),
            metadata: None,
            extensions: Vec::new(),
        }
    }

    /// An artifact holding one text part.
    pub fn text(artifact_id: impl Into<String>, text: impl Into<String>) -> Self {
        Self::new(artifact_id, [Part::text(text)])
    }

    /// Sets the name.
    pub fn with_name(mut self, name: impl Into<String>) -> Self {
        self.name = name.into();
        self
    }

    /// Sets the description.
    pub fn with_description(mut self, description: impl Into<String>) -> Self {
        self.description = description.into();
        self
    }

    /// Adds a part.
    pub fn with_part(mut self, part: impl Into<Part>) -> Self {
        self.parts.push(part.into());
        self
    }

    /// Sets the metadata.
    pub fn with_metadata(mut self, metadata: Struct) -> Self {
        self.metadata = Some(metadata);
        self
    }
}
