//! Signed agent cards: a JWS over the card's canonical form, so that a
//! client can tell that a card was published by whoever holds a key it
//! trusts and was not changed since.
//!
//! How a card is signed (the specification's "Agent Card Signing"):
//!
//! 1. the payload is the card's JSON without `signatures`, with fields left
//!    at their defaults omitted (as the card's ProtoJSON already is), in the
//!    RFC 8785 canonical form: [`canonical_card`];
//! 2. the protected header is `{"alg":…,"typ":"JOSE","kid":…,"jku":…}`
//!    (`jku` optional), base64url-encoded;
//! 3. the signature is over `protected || '.' || BASE64URL(payload)`, and
//!    the card carries `{"protected":…,"signature":…}` in `signatures`; the
//!    payload is detached: a verifier computes it from the card it has.
//!
//! [`CardSigner`] signs (ES256, ES384, EdDSA with Ed25519, RS256/384/512,
//! PS256/384/512); [`verify_card`] checks a card against keys the caller
//! trusts ([`KeySet`]: JWKs or PEM public keys). With the `client` feature,
//! `CardVerifier` also fetches keys from the JWK Set a signature names in
//! its `jku`, when that URL lies under a location the caller trusts, and
//! `ClientFactory::require_signed_card` refuses any card that does not
//! verify before a call is made.
//!
//! The server serves the card it is given as it is, so a card signed
//! before it is handed to the `RequestHandler` (or to `set_card`) is
//! served with its signatures, and verifies when read back: the canonical
//! form does not depend on member order, spacing or escapes. Sign last:
//! any later change to the card (a new skill, another interface) breaks
//! the signature, which is the point.
//!
//! The official Python SDK (1.3) signs and verifies a slightly different
//! payload: it also drops empty strings, lists and objects and `null`s
//! everywhere, where the specification keeps required fields (an empty
//! `description`, `capabilities: {}`) and free-form values as they are. A
//! card with none of those, as most are, verifies both ways; one with them
//! signed there does not verify here, and the reverse.
//!
//! What the canonical form covers is the card as this crate reads it:
//! members a newer version of the protocol adds, unknown here, are not
//! read and so not part of the payload a client computes, and a card
//! signed with them does not verify here (as with every implementation
//! that reads the card into its own types).
//!
//! ```
//! use a2akit::signing::{Algorithm, CardSigner, KeySet, SignatureErrorKind, verify_card};
//! use a2akit::types::{AgentCard, AgentSkill};
//!
//! # fn main() -> Result<(), a2akit::signing::SignatureError> {
//! let pkcs8 = CardSigner::generate_pkcs8(Algorithm::EdDsa)?;
//! let signer = CardSigner::from_pkcs8_der(Algorithm::EdDsa, "k1", &pkcs8)?;
//! let card = signer.sign(AgentCard::builder().name("Weather").description("Forecasts").build())?;
//!
//! let keys = KeySet::from_jwks(signer.jwks().to_string().as_bytes())?;
//! assert!(verify_card(&card, &keys).is_ok());
//!
//! let mut tampered = card.clone();
//! tampered.skills.push(AgentSkill::new("pay", "Pay", "Pays anyone anything"));
//! assert_eq!(verify_card(&tampered, &keys).unwrap_err().kind(), SignatureErrorKind::Tampered);
//! # Ok(()) }
//! ```

mod algorithm;
mod canonical;
mod der;
mod error;
mod keys;
mod signer;
#[cfg(feature = "client")]
mod verifier;
mod verify;

pub use algorithm::Algorithm;
pub use canonical::{MAX_DEPTH, canonical_card};
pub use error::{SignatureError, SignatureErrorKind};
pub use keys::{Jwk, Jwks, KeySet, MAX_KEYS, VerifyingKey};
pub use signer::CardSigner;
#[cfg(feature = "client")]
pub(crate) use verifier::is_refusal;
#[cfg(feature = "client")]
#[cfg_attr(docsrs, doc(cfg(feature = "client")))]
pub use verifier::{CardVerifier, MAX_JWKS_SIZE};
pub use verify::{MAX_SIGNATURES, VerifiedSignature, verify_card};
