//! Checking a card's signatures: which one verifies, under which key.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::Value;

use super::algorithm::Algorithm;
use super::canonical::canonical_card;
use super::error::{SignatureError, SignatureErrorKind, shown};
use super::keys::{KeySet, VerifyingKey};
use crate::types::{AgentCard, AgentCardSignature};

/// The most signatures examined on one card; the rest are ignored. Each
/// costs a public-key operation, and the card comes from a peer.
pub const MAX_SIGNATURES: usize = 16;

/// The longest protected header read, in base64url characters.
const MAX_PROTECTED: usize = 8 << 10;

/// The longest signature read, in base64url characters (an RSA 8192-bit
/// signature is 1366).
const MAX_SIGNATURE: usize = 2 << 10;

/// The signature that verified.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct VerifiedSignature {
    /// Its position in the card's `signatures`, from 0.
    pub index: usize,
    /// The key id it names.
    pub kid: String,
    /// Its algorithm.
    pub algorithm: Algorithm,
    /// The key set URL it names, if any.
    pub jku: Option<String>,
}

/// What a signature's protected header says.
#[derive(Debug, Clone)]
pub(crate) struct Protected {
    pub(crate) algorithm: Algorithm,
    pub(crate) kid: String,
    pub(crate) jku: Option<String>,
}

fn malformed(why: impl Into<String>) -> SignatureError {
    SignatureError::new(SignatureErrorKind::Malformed, why)
}

/// The protected header's JSON object.
fn header_object(signature: &AgentCardSignature) -> Result<serde_json::Map<String, Value>, SignatureError> {
    if signature.protected.len() > MAX_PROTECTED {
        return Err(malformed(format!(
            "its protected header is longer than {MAX_PROTECTED} characters"
        )));
    }
    let bytes = URL_SAFE_NO_PAD
        .decode(signature.protected.trim_end_matches('='))
        .map_err(|_| malformed("its protected header is not base64url"))?;
    match serde_json::from_slice(&bytes) {
        Ok(Value::Object(header)) => Ok(header),
        _ => Err(malformed("its protected header is not a JSON object")),
    }
}

/// The `kid` a signature's protected header names, if it can be read.
pub(crate) fn protected_kid(signature: &AgentCardSignature) -> Option<String> {
    header_object(signature)
        .ok()?
        .get("kid")?
        .as_str()
        .map(str::to_owned)
}

/// Reads and checks a signature's protected header.
pub(crate) fn protected(signature: &AgentCardSignature) -> Result<Protected, SignatureError> {
    let header = header_object(signature)?;
    let text = |name: &str| match header.get(name) {
        None => Ok(None),
        Some(Value::String(value)) => Ok(Some(value.clone())),
        Some(_) => Err(malformed(format!("its `{name}` is not a string"))),
    };
    // An extension the signer marked critical must be understood, and none is.
    if header.contains_key("crit") {
        return Err(malformed(
            "its protected header has critical extensions (`crit`), which are not supported",
        ));
    }
    let algorithm = text("alg")?.ok_or_else(|| malformed("its protected header has no `alg`"))?;
    let algorithm = Algorithm::for_verifying(&algorithm)?;
    let kid = text("kid")?.ok_or_else(|| malformed("its protected header has no `kid`"))?;
    Ok(Protected {
        algorithm,
        kid,
        jku: text("jku")?,
    })
}

/// Every signature of `card` examined (at most [`MAX_SIGNATURES`]), with
/// its header or why it cannot be read, and how many were left out.
pub(crate) fn headers(card: &AgentCard) -> (Vec<Result<Protected, SignatureError>>, usize) {
    let examined = card
        .signatures
        .iter()
        .take(MAX_SIGNATURES)
        .map(protected)
        .collect();
    (examined, card.signatures.len().saturating_sub(MAX_SIGNATURES))
}

/// Where the keys for a signature come from: the keys to try for its
/// header, or why there are none.
pub(crate) trait KeySource {
    fn keys_for(&self, header: &Protected) -> Result<Vec<VerifyingKey>, SignatureError>;
}

/// The caller's keys, looked up by `kid`.
impl KeySource for KeySet {
    fn keys_for(&self, header: &Protected) -> Result<Vec<VerifyingKey>, SignatureError> {
        let keys: Vec<VerifyingKey> = self.with_kid(&header.kid).cloned().collect();
        if keys.is_empty() {
            return Err(SignatureError::new(
                SignatureErrorKind::UnknownKey,
                format!("no trusted key has the kid {}", shown(&header.kid)),
            ));
        }
        Ok(keys)
    }
}

/// The first signature of `card` that a key from `source` verifies.
pub(crate) fn verify_with(
    card: &AgentCard,
    source: &dyn KeySource,
) -> Result<VerifiedSignature, SignatureError> {
    if card.signatures.is_empty() {
        return Err(SignatureError::new(
            SignatureErrorKind::Unsigned,
            "the card is not signed",
        ));
    }
    let payload = URL_SAFE_NO_PAD.encode(canonical_card(card)?);
    let (headers, skipped) = headers(card);
    let mut failures = Vec::new();
    for (index, (signature, header)) in card.signatures.iter().zip(headers).enumerate() {
        match header.and_then(|header| check_one(signature, &header, &payload, source).map(|()| header)) {
            Ok(header) => {
                return Ok(VerifiedSignature {
                    index,
                    kid: header.kid,
                    algorithm: header.algorithm,
                    jku: header.jku,
                });
            }
            Err(err) => failures.push((index, err)),
        }
    }
    Err(SignatureError::none_verified(failures, skipped))
}

/// Whether one signature verifies with a key from `source`.
fn check_one(
    signature: &AgentCardSignature,
    header: &Protected,
    payload: &str,
    source: &dyn KeySource,
) -> Result<(), SignatureError> {
    if signature.signature.len() > MAX_SIGNATURE {
        return Err(malformed(format!(
            "its signature is longer than {MAX_SIGNATURE} characters"
        )));
    }
    let bytes = URL_SAFE_NO_PAD
        .decode(signature.signature.trim_end_matches('='))
        .map_err(|_| malformed("its signature is not base64url"))?;
    let keys = source.keys_for(header)?;
    let mut misfit = None;
    let fitting: Vec<&VerifyingKey> = keys
        .iter()
        .filter(|key| match key.check_kind(header.algorithm) {
            Ok(()) => true,
            Err(err) => {
                misfit.get_or_insert(err);
                false
            }
        })
        .collect();
    if fitting.is_empty() {
        // Every key under that kid is of another kind: say why for the first.
        return Err(misfit.unwrap_or_else(|| {
            SignatureError::new(
                SignatureErrorKind::UnknownKey,
                format!("no trusted key has the kid {}", shown(&header.kid)),
            )
        }));
    }
    let input = format!("{}.{payload}", signature.protected);
    if fitting
        .iter()
        .any(|key| key.verifies(header.algorithm, input.as_bytes(), &bytes))
    {
        return Ok(());
    }
    Err(SignatureError::new(
        SignatureErrorKind::Tampered,
        format!(
            "the card does not match its {} signature by the trusted key {}: it was changed after it was \
             signed, or signed by another key under that kid",
            header.algorithm,
            shown(&header.kid)
        ),
    ))
}

/// Checks that at least one of `card`'s signatures was made by one of
/// `keys` over the card as it is: the card without its `signatures`, in
/// canonical form ([`canonical_card`](super::canonical_card)).
///
/// Returns the signature that verified. When none does, the error's
/// [`kind`](SignatureError::kind) is the most telling reason
/// ([`Tampered`](SignatureErrorKind::Tampered) if a trusted key's signature
/// does not match, then [`UnknownKey`](SignatureErrorKind::UnknownKey)…)
/// and its message gives each signature's. A signature naming `alg: none`
/// or an HMAC algorithm is never accepted.
///
/// Keys published at a `jku` URL are fetched by `CardVerifier` (with the
/// `client` feature).
pub fn verify_card(card: &AgentCard, keys: &KeySet) -> Result<VerifiedSignature, SignatureError> {
    verify_with(card, keys)
}
