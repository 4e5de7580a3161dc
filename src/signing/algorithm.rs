//! The JWS algorithms a card may be signed with.

use std::fmt;

use ring::signature;

use super::error::{SignatureError, SignatureErrorKind, shown};

/// A JWS signature algorithm (RFC 7518), by its `alg` name.
///
/// Only asymmetric algorithms: a card is public, so a signature made with
/// a shared secret (`HS256`…) proves nothing to whoever reads it, and
/// `none` is no signature at all. Both are refused when verifying.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Algorithm {
    /// `ES256`: ECDSA on P-256 with SHA-256.
    Es256,
    /// `ES384`: ECDSA on P-384 with SHA-384.
    Es384,
    /// `EdDSA` with an Ed25519 key.
    EdDsa,
    /// `RS256`: RSASSA-PKCS1-v1_5 with SHA-256 (keys of 2048 to 8192 bits).
    Rs256,
    /// `RS384`: RSASSA-PKCS1-v1_5 with SHA-384.
    Rs384,
    /// `RS512`: RSASSA-PKCS1-v1_5 with SHA-512.
    Rs512,
    /// `PS256`: RSASSA-PSS with SHA-256.
    Ps256,
    /// `PS384`: RSASSA-PSS with SHA-384.
    Ps384,
    /// `PS512`: RSASSA-PSS with SHA-512.
    Ps512,
}

/// The kind of key an algorithm needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum KeyKind {
    P256,
    P384,
    Ed25519,
    Rsa,
}

impl KeyKind {
    pub(crate) fn describe(self) -> &'static str {
        match self {
            Self::P256 => "an EC P-256 key",
            Self::P384 => "an EC P-384 key",
            Self::Ed25519 => "an Ed25519 key",
            Self::Rsa => "an RSA key",
        }
    }
}

impl Algorithm {
    /// Every algorithm, in the order of their names in RFC 7518.
    pub const ALL: &'static [Algorithm] = &[
        Self::Es256,
        Self::Es384,
        Self::EdDsa,
        Self::Rs256,
        Self::Rs384,
        Self::Rs512,
        Self::Ps256,
        Self::Ps384,
        Self::Ps512,
    ];

    /// Its `alg` name, such as `ES256`.
    pub fn name(self) -> &'static str {
        match self {
            Self::Es256 => "ES256",
            Self::Es384 => "ES384",
            Self::EdDsa => "EdDSA",
            Self::Rs256 => "RS256",
            Self::Rs384 => "RS384",
            Self::Rs512 => "RS512",
            Self::Ps256 => "PS256",
            Self::Ps384 => "PS384",
            Self::Ps512 => "PS512",
        }
    }

    /// The algorithm named `name` (names are case-sensitive, as in JOSE).
    ///
    /// ```
    /// use a2akit::signing::Algorithm;
    ///
    /// assert_eq!(Algorithm::from_name("ES256"), Some(Algorithm::Es256));
    /// assert_eq!(Algorithm::from_name("HS256"), None);
    /// assert_eq!(Algorithm::from_name("none"), None);
    /// ```
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|alg| alg.name() == name)
    }

    /// The algorithm a protected header names, or why it is refused.
    pub(crate) fn for_verifying(name: &str) -> Result<Self, SignatureError> {
        if let Some(alg) = Self::from_name(name) {
            return Ok(alg);
        }
        let why = if name.eq_ignore_ascii_case("none") {
            "an unsigned JWS (`alg: none`) is refused".to_owned()
        } else if name.starts_with("HS") {
            format!(
                "`{name}` is refused: a shared-secret (HMAC) signature proves nothing about a public card"
            )
        } else {
            format!("the algorithm {} is not supported", shown(name))
        };
        Err(SignatureError::new(SignatureErrorKind::UnsupportedAlgorithm, why))
    }

    pub(crate) fn key_kind(self) -> KeyKind {
        match self {
            Self::Es256 => KeyKind::P256,
            Self::Es384 => KeyKind::P384,
            Self::EdDsa => KeyKind::Ed25519,
            Self::Rs256 | Self::Rs384 | Self::Rs512 | Self::Ps256 | Self::Ps384 | Self::Ps512 => KeyKind::Rsa,
        }
    }

    /// How ring checks a signature of this algorithm.
    pub(crate) fn verification(self) -> &'static dyn signature::VerificationAlgorithm {
        match self {
            Self::Es256 => &signature::ECDSA_P256_SHA256_FIXED,
            Self::Es384 => &signature::ECDSA_P384_SHA384_FIXED,
            Self::EdDsa => &signature::ED25519,
            Self::Rs256 => &signature::RSA_PKCS1_2048_8192_SHA256,
            Self::Rs384 => &signature::RSA_PKCS1_2048_8192_SHA384,
            Self::Rs512 => &signature::RSA_PKCS1_2048_8192_SHA512,
            Self::Ps256 => &signature::RSA_PSS_2048_8192_SHA256,
            Self::Ps384 => &signature::RSA_PSS_2048_8192_SHA384,
            Self::Ps512 => &signature::RSA_PSS_2048_8192_SHA512,
        }
    }
}

impl fmt::Display for Algorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}
