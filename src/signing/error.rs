//! Why a card could not be signed, or why its signatures were not accepted.

use std::fmt;

/// Which way signing or verifying a card failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SignatureErrorKind {
    /// The card carries no signature.
    Unsigned,
    /// A trusted key's signature does not match the card: the card was
    /// changed after it was signed (or the signature itself was).
    Tampered,
    /// No trusted key has the signature's `kid`, or its `jku` is not one
    /// the verifier was told to trust.
    UnknownKey,
    /// The signature's algorithm is refused: `none`, an HMAC algorithm
    /// (a shared secret proves nothing to the public), or one not supported.
    UnsupportedAlgorithm,
    /// A signature or its protected header cannot be read (not base64url,
    /// not a JSON object, no `alg` or `kid`, a `crit` parameter…).
    Malformed,
    /// The key set named by `jku` could not be fetched or read.
    KeyFetch,
    /// A key cannot be used: not a key of a supported kind, malformed, or
    /// of another kind than the algorithm needs.
    InvalidKey,
    /// The card has no canonical form (an integer beyond 2^53, nesting
    /// deeper than 128 levels).
    Canonicalization,
}

impl SignatureErrorKind {
    /// A short name for logs and messages, such as `tampered`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Unsigned => "unsigned",
            Self::Tampered => "tampered",
            Self::UnknownKey => "unknown key",
            Self::UnsupportedAlgorithm => "unsupported algorithm",
            Self::Malformed => "malformed signature",
            Self::KeyFetch => "key set not fetched",
            Self::InvalidKey => "invalid key",
            Self::Canonicalization => "no canonical form",
        }
    }

    /// Which of two failures says more about a card: a mismatch under a
    /// trusted key first (someone changed the card), then an unknown key.
    fn weight(self) -> u8 {
        match self {
            Self::Tampered => 6,
            Self::UnknownKey => 5,
            Self::KeyFetch => 4,
            Self::UnsupportedAlgorithm => 3,
            Self::InvalidKey => 2,
            Self::Malformed => 1,
            Self::Unsigned | Self::Canonicalization => 0,
        }
    }
}

impl fmt::Display for SignatureErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A card that could not be signed, or whose signatures were not accepted:
/// its [`kind`](Self::kind) and a message that says why.
///
/// The message names keys by their `kid` and key sets by their URL (without
/// any query), never key material.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignatureError {
    kind: SignatureErrorKind,
    message: String,
}

impl SignatureError {
    /// An error of `kind` saying `message`.
    pub fn new(kind: SignatureErrorKind, message: impl Into<String>) -> Self {
        Self {
            kind,
            message: message.into(),
        }
    }

    /// Which way it failed.
    pub fn kind(&self) -> SignatureErrorKind {
        self.kind
    }

    /// What went wrong.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The one error for a card none of whose signatures verified: the
    /// kind that says most (see [`SignatureErrorKind::Tampered`]), and
    /// every signature's reason in the message.
    pub(crate) fn none_verified(failures: Vec<(usize, SignatureError)>, skipped: usize) -> Self {
        let kind = failures
            .iter()
            .map(|(_, failure)| failure.kind)
            .max_by_key(|kind| kind.weight())
            .unwrap_or(SignatureErrorKind::Unsigned);
        let mut message = match failures.as_slice() {
            [(_, only)] => only.message.clone(),
            _ => {
                let reasons: Vec<String> = failures
                    .iter()
                    .map(|(index, failure)| format!("signature {}: {}", index + 1, failure.message))
                    .collect();
                format!("no signature verifies ({})", reasons.join("; "))
            }
        };
        if skipped > 0 {
            message.push_str(&format!(" ({skipped} more signatures were not examined)"));
        }
        Self { kind, message }
    }
}

impl fmt::Display for SignatureError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for SignatureError {}

/// `text` as it may appear in a message: quoted, escaped and cut short, as
/// it comes from a peer's card.
pub(crate) fn shown(text: &str) -> String {
    const MAX: usize = 64;
    match text.char_indices().nth(MAX) {
        Some((at, _)) => format!("{:?}…", &text[..at]),
        None => format!("{text:?}"),
    }
}
