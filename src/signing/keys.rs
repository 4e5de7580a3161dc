//! Public keys a card's signatures are checked with: JWKs (RFC 7517), key
//! sets, and PEM public keys.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};

use super::algorithm::{Algorithm, KeyKind};
use super::der::{self, PublicKeyBytes};
use super::error::{SignatureError, SignatureErrorKind, shown};

/// The most keys read from one key set; the rest are ignored.
pub const MAX_KEYS: usize = 100;

/// A JSON Web Key (RFC 7517), public members only: what a key set
/// publishes. Members this crate does not use are ignored when reading.
///
/// ```
/// use a2akit::signing::Jwk;
///
/// let jwk: Jwk = serde_json::from_str(
///     r#"{"kty":"OKP","crv":"Ed25519","kid":"k1","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}"#,
/// ).unwrap();
/// assert_eq!(jwk.kid.as_deref(), Some("k1"));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Jwk {
    /// The key type: `EC`, `OKP` or `RSA`.
    pub kty: String,
    /// The key id a signature's protected header names.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kid: Option<String>,
    /// The one algorithm the key is for, if it is restricted to one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alg: Option<String>,
    /// What the key is for: `sig` (signatures) or `enc`.
    #[serde(default, rename = "use", skip_serializing_if = "Option::is_none")]
    pub key_use: Option<String>,
    /// The curve of an `EC` or `OKP` key: `P-256`, `P-384`, `Ed25519`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub crv: Option<String>,
    /// The x coordinate (`EC`) or the public key (`OKP`), base64url.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub x: Option<String>,
    /// The y coordinate of an `EC` key, base64url.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub y: Option<String>,
    /// The modulus of an `RSA` key, base64url.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub n: Option<String>,
    /// The exponent of an `RSA` key, base64url.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub e: Option<String>,
}

/// A JSON Web Key Set: `{"keys": [...]}`, what a `jku` URL serves.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Jwks {
    /// The keys.
    pub keys: Vec<Jwk>,
}

/// A public key trusted to sign cards, under its key id.
#[derive(Clone, PartialEq, Eq)]
pub struct VerifyingKey {
    kid: String,
    algorithm: Option<Algorithm>,
    key: PublicKeyBytes,
}

impl std::fmt::Debug for VerifyingKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VerifyingKey")
            .field("kid", &self.kid)
            .field("kind", &self.key.kind().describe())
            .field("algorithm", &self.algorithm)
            .finish()
    }
}

fn invalid(why: impl Into<String>) -> SignatureError {
    SignatureError::new(SignatureErrorKind::InvalidKey, why)
}

/// A base64url member of a JWK.
fn member(value: Option<&String>, name: &str, kid: &str) -> Result<Vec<u8>, SignatureError> {
    let value = value.ok_or_else(|| invalid(format!("the JWK {} has no `{name}`", shown(kid))))?;
    URL_SAFE_NO_PAD
        .decode(value.trim_end_matches('='))
        .map_err(|_| invalid(format!("the `{name}` of the JWK {} is not base64url", shown(kid))))
}

impl VerifyingKey {
    /// The key a JWK describes. It must have a `kid`; a key for
    /// encryption (`use: enc`), or of another kind than EC P-256 / P-384,
    /// Ed25519 and RSA, is refused, and so is one whose `alg` does not fit
    /// it. Private members (`d`…) are not read.
    pub fn from_jwk(jwk: &Jwk) -> Result<Self, SignatureError> {
        let kid = jwk
            .kid
            .clone()
            .ok_or_else(|| invalid("a JWK without a `kid` cannot be matched to a signature"))?;
        if jwk.key_use.as_deref().is_some_and(|key_use| key_use != "sig") {
            return Err(invalid(format!("the JWK {} is not for signatures", shown(&kid))));
        }
        let algorithm = match &jwk.alg {
            None => None,
            Some(name) => Some(Algorithm::from_name(name).ok_or_else(|| {
                invalid(format!(
                    "the JWK {} is for {}, which is not supported",
                    shown(&kid),
                    shown(name)
                ))
            })?),
        };
        let key = match (jwk.kty.as_str(), jwk.crv.as_deref()) {
            ("EC", Some(crv @ ("P-256" | "P-384"))) => {
                let (kind, size) = if crv == "P-256" {
                    (KeyKind::P256, 32)
                } else {
                    (KeyKind::P384, 48)
                };
                let x = member(jwk.x.as_ref(), "x", &kid)?;
                let y = member(jwk.y.as_ref(), "y", &kid)?;
                if x.len() != size || y.len() != size {
                    return Err(invalid(format!(
                        "the {crv} JWK {} has coordinates of the wrong size",
                        shown(&kid)
                    )));
                }
                let mut point = Vec::with_capacity(1 + 2 * size);
                point.push(0x04);
                point.extend_from_slice(&x);
                point.extend_from_slice(&y);
                PublicKeyBytes::Ec { kind, point }
            }
            ("OKP", Some("Ed25519")) => {
                let x = member(jwk.x.as_ref(), "x", &kid)?;
                if x.len() != 32 {
                    return Err(invalid(format!(
                        "the Ed25519 JWK {} is not 32 bytes",
                        shown(&kid)
                    )));
                }
                PublicKeyBytes::Ed25519(x)
            }
            ("RSA", _) => {
                let strip = |bytes: Vec<u8>| {
                    let start = bytes.iter().position(|&b| b != 0).unwrap_or(bytes.len());
                    bytes[start..].to_vec()
                };
                let n = strip(member(jwk.n.as_ref(), "n", &kid)?);
                let e = strip(member(jwk.e.as_ref(), "e", &kid)?);
                if n.is_empty() || e.is_empty() {
                    return Err(invalid(format!(
                        "the RSA JWK {} has a zero modulus or exponent",
                        shown(&kid)
                    )));
                }
                PublicKeyBytes::Rsa { n, e }
            }
            (kty, crv) => {
                return Err(invalid(format!(
                    "the JWK {} is a {} key{}; EC P-256 / P-384, Ed25519 and RSA are supported",
                    shown(&kid),
                    shown(kty),
                    crv.map(|crv| format!(" on {}", shown(crv))).unwrap_or_default()
                )));
            }
        };
        let verifying = Self { kid, algorithm, key };
        if let Some(algorithm) = algorithm {
            verifying.check_kind(algorithm)?;
        }
        Ok(verifying)
    }

    /// The key in a PEM `PUBLIC KEY` block (SubjectPublicKeyInfo, as
    /// `openssl pkey -pubout` writes it) or an `RSA PUBLIC KEY` block, under
    /// the key id `kid`.
    pub fn from_public_key_pem(kid: impl Into<String>, pem: &str) -> Result<Self, SignatureError> {
        let (label, der) = der::pem(pem)?;
        let key = match label.as_str() {
            "PUBLIC KEY" => der::subject_public_key_info(&der)?,
            "RSA PUBLIC KEY" => der::rsa_public_key(&der)?,
            other => {
                return Err(invalid(format!(
                    "a {} PEM block is no public key (expected `PUBLIC KEY`)",
                    shown(other)
                )));
            }
        };
        Ok(Self {
            kid: kid.into(),
            algorithm: None,
            key,
        })
    }

    pub(crate) fn from_parts(kid: String, algorithm: Algorithm, key: PublicKeyBytes) -> Self {
        Self {
            kid,
            algorithm: Some(algorithm),
            key,
        }
    }

    /// Restricts the key to one algorithm (a JWK's `alg` does the same):
    /// a signature claiming another is not checked with it.
    pub fn for_algorithm(mut self, algorithm: Algorithm) -> Result<Self, SignatureError> {
        self.check_kind(algorithm)?;
        self.algorithm = Some(algorithm);
        Ok(self)
    }

    /// Its key id.
    pub fn kid(&self) -> &str {
        &self.kid
    }

    /// The algorithm it is restricted to, if any.
    pub fn algorithm(&self) -> Option<Algorithm> {
        self.algorithm
    }

    /// The key as a public JWK, with its `kid`, `use: sig` and its
    /// algorithm if restricted to one: what to publish in a key set.
    pub fn to_jwk(&self) -> Jwk {
        let mut jwk = Jwk {
            kid: Some(self.kid.clone()),
            alg: self.algorithm.map(|alg| alg.name().to_owned()),
            key_use: Some("sig".to_owned()),
            ..Jwk::default()
        };
        let b64 = |bytes: &[u8]| Some(URL_SAFE_NO_PAD.encode(bytes));
        match &self.key {
            PublicKeyBytes::Ec { kind, point } => {
                let size = (point.len() - 1) / 2;
                jwk.kty = "EC".to_owned();
                jwk.crv = Some(if *kind == KeyKind::P256 { "P-256" } else { "P-384" }.to_owned());
                jwk.x = b64(&point[1..1 + size]);
                jwk.y = b64(&point[1 + size..]);
            }
            PublicKeyBytes::Ed25519(x) => {
                jwk.kty = "OKP".to_owned();
                jwk.crv = Some("Ed25519".to_owned());
                jwk.x = b64(x);
            }
            PublicKeyBytes::Rsa { n, e } => {
                jwk.kty = "RSA".to_owned();
                jwk.n = b64(n);
                jwk.e = b64(e);
            }
        }
        jwk
    }

    /// Whether the key can check a signature made with `algorithm`, or why not.
    pub(crate) fn check_kind(&self, algorithm: Algorithm) -> Result<(), SignatureError> {
        let needed = algorithm.key_kind();
        if self.key.kind() != needed {
            return Err(invalid(format!(
                "the key {} is {}; {algorithm} needs {}",
                shown(&self.kid),
                self.key.kind().describe(),
                needed.describe()
            )));
        }
        match self.algorithm {
            Some(only) if only != algorithm => Err(invalid(format!(
                "the key {} is for {only}, not {algorithm}",
                shown(&self.kid)
            ))),
            _ => Ok(()),
        }
    }

    /// Whether `signature` over `message` was made by this key with `algorithm`.
    pub(crate) fn verifies(&self, algorithm: Algorithm, message: &[u8], signature: &[u8]) -> bool {
        use ring::signature::{RsaPublicKeyComponents, UnparsedPublicKey};
        let verification = algorithm.verification();
        match &self.key {
            PublicKeyBytes::Ec { point: bytes, .. } | PublicKeyBytes::Ed25519(bytes) => {
                UnparsedPublicKey::new(verification, bytes)
                    .verify(message, signature)
                    .is_ok()
            }
            PublicKeyBytes::Rsa { n, e } => {
                let Some(params) = rsa_parameters(algorithm) else {
                    return false;
                };
                RsaPublicKeyComponents { n, e }
                    .verify(params, message, signature)
                    .is_ok()
            }
        }
    }
}

fn rsa_parameters(algorithm: Algorithm) -> Option<&'static ring::signature::RsaParameters> {
    use ring::signature as s;
    Some(match algorithm {
        Algorithm::Rs256 => &s::RSA_PKCS1_2048_8192_SHA256,
        Algorithm::Rs384 => &s::RSA_PKCS1_2048_8192_SHA384,
        Algorithm::Rs512 => &s::RSA_PKCS1_2048_8192_SHA512,
        Algorithm::Ps256 => &s::RSA_PSS_2048_8192_SHA256,
        Algorithm::Ps384 => &s::RSA_PSS_2048_8192_SHA384,
        Algorithm::Ps512 => &s::RSA_PSS_2048_8192_SHA512,
        Algorithm::Es256 | Algorithm::Es384 | Algorithm::EdDsa => return None,
    })
}

/// The keys trusted to sign cards, looked up by `kid`.
///
/// ```
/// use a2akit::signing::KeySet;
///
/// let keys = KeySet::from_jwks(br#"{"keys":[
///     {"kty":"OKP","crv":"Ed25519","kid":"k1","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"},
///     {"kty":"oct","kid":"secret","k":"c2VjcmV0"}
/// ]}"#).unwrap();
/// // The shared-secret key is no signing key for a public card: left out.
/// assert_eq!(keys.len(), 1);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KeySet {
    keys: Vec<VerifyingKey>,
}

impl KeySet {
    /// An empty set.
    pub fn new() -> Self {
        Self::default()
    }

    /// The keys of a JWK Set document (`{"keys": [...]}`). Keys this crate
    /// cannot verify with (encryption keys, shared secrets, other curves,
    /// malformed ones) are left out, as a key set may hold keys for other
    /// uses; a document with no usable key at all is an error, and at most
    /// [`MAX_KEYS`] are read.
    pub fn from_jwks(json: &[u8]) -> Result<Self, SignatureError> {
        #[derive(Deserialize)]
        struct Document {
            keys: Vec<serde_json::Value>,
        }
        let document: Document = serde_json::from_slice(json).map_err(|err| {
            invalid(format!(
                "not a JWK Set (a JSON object with a `keys` array): {err}"
            ))
        })?;
        let mut reasons = Vec::new();
        let mut set = Self::new();
        for value in document.keys.into_iter().take(MAX_KEYS) {
            let key = serde_json::from_value::<Jwk>(value)
                .map_err(|err| invalid(format!("a key is not a JWK: {err}")))
                .and_then(|jwk| VerifyingKey::from_jwk(&jwk));
            match key {
                Ok(key) => set.keys.push(key),
                Err(err) => reasons.push(err.message().to_owned()),
            }
        }
        if set.keys.is_empty() {
            let why = if reasons.is_empty() {
                "the JWK Set holds no key".to_owned()
            } else {
                format!("the JWK Set holds no usable key ({})", reasons.join("; "))
            };
            return Err(invalid(why));
        }
        Ok(set)
    }

    /// The set with `key` added.
    pub fn with(mut self, key: VerifyingKey) -> Self {
        self.insert(key);
        self
    }

    /// Adds `key`.
    pub fn insert(&mut self, key: VerifyingKey) {
        self.keys.push(key);
    }

    /// How many keys it holds.
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    /// Whether it holds none.
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// The keys, in the order they were added.
    pub fn iter(&self) -> impl Iterator<Item = &VerifyingKey> {
        self.keys.iter()
    }

    /// The keys with this `kid`.
    pub(crate) fn with_kid<'a>(&'a self, kid: &'a str) -> impl Iterator<Item = &'a VerifyingKey> + 'a {
        self.keys.iter().filter(move |key| key.kid == kid)
    }

    /// The set as a JWK Set, to publish.
    pub fn to_jwks(&self) -> Jwks {
        Jwks {
            keys: self.keys.iter().map(VerifyingKey::to_jwk).collect(),
        }
    }
}

impl FromIterator<VerifyingKey> for KeySet {
    fn from_iter<I: IntoIterator<Item = VerifyingKey>>(iter: I) -> Self {
        Self {
            keys: iter.into_iter().collect(),
        }
    }
}

impl From<VerifyingKey> for KeySet {
    fn from(key: VerifyingKey) -> Self {
        Self { keys: vec![key] }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jwks_keep_usable_keys_and_say_why_when_none_is() {
        let err =
            KeySet::from_jwks(br#"{"keys":[{"kty":"EC","crv":"secp256k1","kid":"k","x":"AA","y":"AA"}]}"#)
                .unwrap_err();
        assert_eq!(err.kind(), SignatureErrorKind::InvalidKey);
        assert!(err.message().contains("secp256k1"), "{err}");
        assert!(KeySet::from_jwks(b"[]").is_err());
        assert!(KeySet::from_jwks(br#"{"keys":[]}"#).is_err());
        let err = KeySet::from_jwks(br#"{"keys":[{"kty":"OKP","crv":"Ed25519","x":"AA"}]}"#).unwrap_err();
        assert!(err.message().contains("kid"), "{err}");
    }

    #[test]
    fn a_jwk_restricted_to_one_algorithm_must_fit_its_key() {
        let x = URL_SAFE_NO_PAD.encode([7u8; 32]);
        let jwk = |alg: &str| Jwk {
            kty: "OKP".into(),
            crv: Some("Ed25519".into()),
            kid: Some("k".into()),
            alg: Some(alg.into()),
            x: Some(x.clone()),
            ..Jwk::default()
        };
        let key = VerifyingKey::from_jwk(&jwk("EdDSA")).unwrap();
        assert_eq!(
            key.to_jwk(),
            Jwk {
                key_use: Some("sig".into()),
                ..jwk("EdDSA")
            }
        );
        assert!(key.check_kind(Algorithm::Es256).is_err());
        let err = VerifyingKey::from_jwk(&jwk("ES256")).unwrap_err();
        assert!(err.message().contains("needs an EC P-256 key"), "{err}");
        let err = VerifyingKey::from_jwk(&jwk("HS256")).unwrap_err();
        assert_eq!(err.kind(), SignatureErrorKind::InvalidKey);
    }
}
