//! Signing a card: one private key, its key id and where its public key
//! is published.

use std::sync::Arc;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ring::rand::SystemRandom;
use ring::signature::{self, EcdsaKeyPair, Ed25519KeyPair, KeyPair as _, RsaKeyPair};
use serde::Serialize;

use super::algorithm::{Algorithm, KeyKind};
use super::canonical::canonical_card;
use super::der::{self, PublicKeyBytes};
use super::error::{SignatureError, SignatureErrorKind};
use super::keys::{Jwk, VerifyingKey};
use super::verify::protected_kid;
use crate::types::{AgentCard, AgentCardSignature};

enum PrivateKey {
    Ecdsa(EcdsaKeyPair),
    Ed25519(Ed25519KeyPair),
    Rsa(RsaKeyPair),
}

/// Signs agent cards with one private key: each signature is a JWS whose
/// protected header names the algorithm, `typ: JOSE`, the key id and, if
/// set, the `jku` where the public key is published; its payload is the
/// card's canonical form ([`canonical_card`](super::canonical_card)),
/// detached.
///
/// Sign the card last, after everything that changes it: the card a
/// server's `RequestHandler` is built with (or given by `set_card`) is
/// served as it is, signatures included, and a client checks the card it
/// reads back (see the [module](super) documentation).
///
/// ```
/// use a2akit::signing::{Algorithm, CardSigner, KeySet, verify_card};
/// use a2akit::types::AgentCard;
///
/// # fn main() -> Result<(), a2akit::signing::SignatureError> {
/// // Generated here; in practice read from a PEM file (`CardSigner::from_pem`).
/// let pkcs8 = CardSigner::generate_pkcs8(Algorithm::Es256)?;
/// let signer = CardSigner::from_pkcs8_der(Algorithm::Es256, "card-key-1", &pkcs8)?
///     .with_jku("https://agent.example.com/.well-known/jwks.json");
///
/// let card = AgentCard::builder().name("Weather").description("Forecasts").build();
/// let card = signer.sign(card)?;
/// assert_eq!(card.signatures.len(), 1);
///
/// // What a client that trusts this key finds.
/// let keys = KeySet::from(signer.verifying_key());
/// assert_eq!(verify_card(&card, &keys)?.kid, "card-key-1");
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct CardSigner {
    key: Arc<PrivateKey>,
    algorithm: Algorithm,
    kid: String,
    jku: Option<String>,
}

impl std::fmt::Debug for CardSigner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CardSigner")
            .field("algorithm", &self.algorithm)
            .field("kid", &self.kid)
            .field("jku", &self.jku)
            .finish_non_exhaustive()
    }
}

/// The protected header, in the order the specification shows it.
#[derive(Serialize)]
struct Header<'a> {
    alg: &'static str,
    typ: &'static str,
    kid: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    jku: Option<&'a str>,
}

fn invalid(why: impl Into<String>) -> SignatureError {
    SignatureError::new(SignatureErrorKind::InvalidKey, why)
}

impl CardSigner {
    /// A signer with the private key in `pem`: a `PRIVATE KEY` block
    /// (PKCS#8, as `openssl genpkey` writes it) for any algorithm, or an
    /// `RSA PRIVATE KEY` block (PKCS#1) for the RSA ones. The key must be
    /// of the kind `algorithm` needs.
    pub fn from_pem(algorithm: Algorithm, kid: impl Into<String>, pem: &str) -> Result<Self, SignatureError> {
        let (label, der) = der::pem(pem)?;
        match label.as_str() {
            "PRIVATE KEY" => Self::from_pkcs8_der(algorithm, kid, &der),
            "RSA PRIVATE KEY" if algorithm.key_kind() == KeyKind::Rsa => {
                let key = RsaKeyPair::from_der(&der)
                    .map_err(|err| invalid(format!("the RSA private key is refused: {err}")))?;
                Ok(Self::new(PrivateKey::Rsa(key), algorithm, kid.into()))
            }
            "EC PRIVATE KEY" => Err(invalid(
                "an `EC PRIVATE KEY` block (SEC 1) is not read: convert it to PKCS#8 with \
                 `openssl pkcs8 -topk8 -nocrypt`",
            )),
            "ENCRYPTED PRIVATE KEY" => Err(invalid("the private key is encrypted: decrypt it first")),
            other => Err(invalid(format!(
                "a `{other}` PEM block is no private key for {algorithm}"
            ))),
        }
    }

    /// A signer with a PKCS#8 (DER) private key of the kind `algorithm` needs.
    pub fn from_pkcs8_der(
        algorithm: Algorithm,
        kid: impl Into<String>,
        pkcs8: &[u8],
    ) -> Result<Self, SignatureError> {
        let refused = |err: ring::error::KeyRejected| {
            invalid(format!(
                "the private key is refused for {algorithm} (it must be {} in PKCS#8): {err}",
                algorithm.key_kind().describe()
            ))
        };
        let rng = SystemRandom::new();
        let key = match algorithm {
            Algorithm::Es256 => PrivateKey::Ecdsa(
                EcdsaKeyPair::from_pkcs8(&signature::ECDSA_P256_SHA256_FIXED_SIGNING, pkcs8, &rng)
                    .map_err(refused)?,
            ),
            Algorithm::Es384 => PrivateKey::Ecdsa(
                EcdsaKeyPair::from_pkcs8(&signature::ECDSA_P384_SHA384_FIXED_SIGNING, pkcs8, &rng)
                    .map_err(refused)?,
            ),
            // Also the PKCS#8 v1 documents OpenSSL writes, without the public key.
            Algorithm::EdDsa => {
                PrivateKey::Ed25519(Ed25519KeyPair::from_pkcs8_maybe_unchecked(pkcs8).map_err(refused)?)
            }
            Algorithm::Rs256
            | Algorithm::Rs384
            | Algorithm::Rs512
            | Algorithm::Ps256
            | Algorithm::Ps384
            | Algorithm::Ps512 => PrivateKey::Rsa(RsaKeyPair::from_pkcs8(pkcs8).map_err(refused)?),
        };
        Ok(Self::new(key, algorithm, kid.into()))
    }

    /// A new private key for `algorithm`, as PKCS#8 (DER): for ES256,
    /// ES384 and EdDSA (RSA keys are made with other tools, such as
    /// `openssl genpkey -algorithm RSA`). Keep it secret, and load it with
    /// [`from_pkcs8_der`](Self::from_pkcs8_der).
    pub fn generate_pkcs8(algorithm: Algorithm) -> Result<Vec<u8>, SignatureError> {
        let rng = SystemRandom::new();
        let failed = |_| invalid("the system's random generator failed");
        let document = match algorithm {
            Algorithm::Es256 => {
                EcdsaKeyPair::generate_pkcs8(&signature::ECDSA_P256_SHA256_FIXED_SIGNING, &rng)
                    .map_err(failed)?
            }
            Algorithm::Es384 => {
                EcdsaKeyPair::generate_pkcs8(&signature::ECDSA_P384_SHA384_FIXED_SIGNING, &rng)
                    .map_err(failed)?
            }
            Algorithm::EdDsa => Ed25519KeyPair::generate_pkcs8(&rng).map_err(failed)?,
            _ => {
                return Err(SignatureError::new(
                    SignatureErrorKind::UnsupportedAlgorithm,
                    format!("{algorithm} keys are not generated here: make one with openssl"),
                ));
            }
        };
        Ok(document.as_ref().to_vec())
    }

    fn new(key: PrivateKey, algorithm: Algorithm, kid: String) -> Self {
        Self {
            key: Arc::new(key),
            algorithm,
            kid,
            jku: None,
        }
    }

    /// Names, in every signature's protected header, the URL of the JWK
    /// Set that publishes this key ([`jwks`](Self::jwks) gives its content).
    pub fn with_jku(mut self, url: impl Into<String>) -> Self {
        self.jku = Some(url.into());
        self
    }

    /// The algorithm it signs with.
    pub fn algorithm(&self) -> Algorithm {
        self.algorithm
    }

    /// The key id its signatures name.
    pub fn kid(&self) -> &str {
        &self.kid
    }

    /// The `jku` its signatures name, if any.
    pub fn jku(&self) -> Option<&str> {
        self.jku.as_deref()
    }

    /// The public half of its key, to verify with.
    pub fn verifying_key(&self) -> VerifyingKey {
        let key = match &*self.key {
            PrivateKey::Ecdsa(pair) => PublicKeyBytes::Ec {
                kind: self.algorithm.key_kind(),
                point: pair.public_key().as_ref().to_vec(),
            },
            PrivateKey::Ed25519(pair) => PublicKeyBytes::Ed25519(pair.public_key().as_ref().to_vec()),
            PrivateKey::Rsa(pair) => {
                let components = signature::RsaPublicKeyComponents::<Vec<u8>>::from(pair.public());
                PublicKeyBytes::Rsa {
                    n: components.n,
                    e: components.e,
                }
            }
        };
        VerifyingKey::from_parts(self.kid.clone(), self.algorithm, key)
    }

    /// The public key as a JWK, to publish at the `jku` URL (wrapped in a
    /// JWK Set: [`jwks`](Self::jwks)).
    pub fn public_jwk(&self) -> Jwk {
        self.verifying_key().to_jwk()
    }

    /// A JWK Set holding only this key, as JSON.
    pub fn jwks(&self) -> serde_json::Value {
        serde_json::json!({ "keys": [self.public_jwk()] })
    }

    /// The signature of `card` (its other signatures play no part).
    pub fn signature(&self, card: &AgentCard) -> Result<AgentCardSignature, SignatureError> {
        let payload = canonical_card(card)?;
        let header = Header {
            alg: self.algorithm.name(),
            typ: "JOSE",
            kid: &self.kid,
            jku: self.jku.as_deref(),
        };
        let header = serde_json::to_vec(&header).expect("a header of strings encodes");
        let protected = URL_SAFE_NO_PAD.encode(header);
        let input = format!("{protected}.{}", URL_SAFE_NO_PAD.encode(payload));
        let signature = self.sign_bytes(input.as_bytes())?;
        Ok(AgentCardSignature {
            protected,
            signature: URL_SAFE_NO_PAD.encode(signature),
            header: None,
        })
    }

    /// `card` with this key's signature added, in place of any signature
    /// it carries under the same key id (made before the card last
    /// changed); signatures by other keys are kept.
    pub fn sign(&self, mut card: AgentCard) -> Result<AgentCard, SignatureError> {
        let signature = self.signature(&card)?;
        card.signatures
            .retain(|existing| protected_kid(existing).as_deref() != Some(self.kid.as_str()));
        card.signatures.push(signature);
        Ok(card)
    }

    fn sign_bytes(&self, message: &[u8]) -> Result<Vec<u8>, SignatureError> {
        let rng = SystemRandom::new();
        let failed = |_| SignatureError::new(SignatureErrorKind::InvalidKey, "signing failed");
        match &*self.key {
            PrivateKey::Ecdsa(pair) => Ok(pair.sign(&rng, message).map_err(failed)?.as_ref().to_vec()),
            PrivateKey::Ed25519(pair) => Ok(pair.sign(message).as_ref().to_vec()),
            PrivateKey::Rsa(pair) => {
                let encoding: &'static dyn signature::RsaEncoding = match self.algorithm {
                    Algorithm::Rs256 => &signature::RSA_PKCS1_SHA256,
                    Algorithm::Rs384 => &signature::RSA_PKCS1_SHA384,
                    Algorithm::Rs512 => &signature::RSA_PKCS1_SHA512,
                    Algorithm::Ps256 => &signature::RSA_PSS_SHA256,
                    Algorithm::Ps384 => &signature::RSA_PSS_SHA384,
                    Algorithm::Ps512 => &signature::RSA_PSS_SHA512,
                    // An RSA key is only ever loaded for an RSA algorithm.
                    Algorithm::Es256 | Algorithm::Es384 | Algorithm::EdDsa => {
                        return Err(failed(ring::error::Unspecified));
                    }
                };
                let mut out = vec![0; pair.public().modulus_len()];
                pair.sign(encoding, &rng, message, &mut out).map_err(failed)?;
                Ok(out)
            }
        }
    }
}
