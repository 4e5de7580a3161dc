//! Reading the wire types from JSON with errors that say where the input is wrong.
//!
//! `serde_json::from_slice` works on every type of this crate; these
//! functions do the same and, when the input is wrong, report the path of the
//! offending field (`message.parts[1].raw`). The path is worked out only on
//! failure, so the happy path costs nothing extra.
//!
//! ```
//! use a2akit::types::{SendMessageRequest, json};
//!
//! let err = json::from_slice::<SendMessageRequest>(
//!     br#"{"message":{"messageId":"m1","role":"ROLE_USER","parts":[{"raw":"a"}]}}"#,
//! )
//! .unwrap_err();
//! assert_eq!(err.path(), "message.parts[0].raw");
//! assert!(err.to_string().starts_with("message.parts[0].raw: invalid base64"));
//! ```

use std::fmt;

use serde::de::DeserializeOwned;

/// JSON that could not be read into a wire type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodeError {
    path: String,
    message: String,
    syntax: bool,
}

impl DecodeError {
    /// The path of the offending field (`message.parts[0].raw`), or `"."` when
    /// the problem is with the whole document.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// What is wrong, without the path.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// Whether the input is not JSON at all (as opposed to JSON of the wrong shape).
    pub fn is_syntax(&self) -> bool {
        self.syntax
    }

    fn with_path(error: serde_path_to_error::Error<serde_json::Error>) -> Self {
        let path = error.path().to_string();
        Self::at(path, error.into_inner())
    }

    fn at(path: String, error: serde_json::Error) -> Self {
        use serde_json::error::Category;
        let syntax = matches!(error.classify(), Category::Syntax | Category::Eof);
        Self {
            path,
            message: error.to_string(),
            syntax,
        }
    }
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path == "." || self.path.is_empty() {
            f.write_str(&self.message)
        } else {
            write!(f, "{}: {}", self.path, self.message)
        }
    }
}

impl std::error::Error for DecodeError {}

/// Reads a value from JSON bytes.
pub fn from_slice<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, DecodeError> {
    match serde_json::from_slice(bytes) {
        Ok(value) => Ok(value),
        // Parse again, this time tracking the path, only to explain the failure.
        Err(_) => {
            let mut deserializer = serde_json::Deserializer::from_slice(bytes);
            let value =
                serde_path_to_error::deserialize(&mut deserializer).map_err(DecodeError::with_path)?;
            deserializer
                .end()
                .map_err(|err| DecodeError::at(".".to_owned(), err))?;
            Ok(value)
        }
    }
}

/// Reads a value from a JSON string.
pub fn from_str<T: DeserializeOwned>(text: &str) -> Result<T, DecodeError> {
    from_slice(text.as_bytes())
}

/// Reads a value from an already parsed JSON value.
pub fn from_value<T: DeserializeOwned>(value: serde_json::Value) -> Result<T, DecodeError> {
    serde_path_to_error::deserialize(value).map_err(DecodeError::with_path)
}
