//! Just enough PEM and DER to read a public key: a `PUBLIC KEY`
//! (SubjectPublicKeyInfo, RFC 5280) or an `RSA PUBLIC KEY` (PKCS#1), and to
//! unwrap the base64 of a private key for ring, which reads PKCS#8 itself.
//!
//! Written here rather than taken from a crate: the JOSE crate already in
//! the tree reads PEM only with a feature that brings a general ASN.1
//! library and a big-integer one, for what is a handful of fixed object
//! identifiers and two nested sequences.

use base64::Engine as _;

use super::algorithm::KeyKind;
use super::error::{SignatureError, SignatureErrorKind};

/// A public key's bytes as ring checks signatures with them.
#[derive(Clone, PartialEq, Eq)]
pub(crate) enum PublicKeyBytes {
    /// An uncompressed point (`04 || x || y`) on P-256 or P-384.
    Ec { kind: KeyKind, point: Vec<u8> },
    /// The 32 bytes of an Ed25519 public key.
    Ed25519(Vec<u8>),
    /// The modulus and exponent, big-endian without leading zeros.
    Rsa { n: Vec<u8>, e: Vec<u8> },
}

impl PublicKeyBytes {
    pub(crate) fn kind(&self) -> KeyKind {
        match self {
            Self::Ec { kind, .. } => *kind,
            Self::Ed25519(_) => KeyKind::Ed25519,
            Self::Rsa { .. } => KeyKind::Rsa,
        }
    }
}

const SEQUENCE: u8 = 0x30;
const INTEGER: u8 = 0x02;
const BIT_STRING: u8 = 0x03;
const OID: u8 = 0x06;

const ID_EC_PUBLIC_KEY: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01];
const PRIME256V1: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07];
const SECP384R1: &[u8] = &[0x2b, 0x81, 0x04, 0x00, 0x22];
const ID_ED25519: &[u8] = &[0x2b, 0x65, 0x70];
const RSA_ENCRYPTION: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01];

fn invalid(why: impl Into<String>) -> SignatureError {
    SignatureError::new(SignatureErrorKind::InvalidKey, why)
}

/// The first PEM block in `text`: its label and its decoded bytes.
pub(crate) fn pem(text: &str) -> Result<(String, Vec<u8>), SignatureError> {
    let begin = text
        .find("-----BEGIN ")
        .ok_or_else(|| invalid("not PEM: no `-----BEGIN` line"))?;
    let rest = &text[begin + "-----BEGIN ".len()..];
    let label_end = rest
        .find("-----")
        .ok_or_else(|| invalid("not PEM: the BEGIN line does not end"))?;
    let label = rest[..label_end].to_owned();
    let body = &rest[label_end + 5..];
    let end_line = format!("-----END {label}-----");
    let end = body
        .find(&end_line)
        .ok_or_else(|| invalid(format!("not PEM: no `{end_line}` line")))?;
    let base64: String = body[..end].chars().filter(|c| !c.is_ascii_whitespace()).collect();
    let der = base64::engine::general_purpose::STANDARD
        .decode(base64)
        .map_err(|_| invalid(format!("the {label} PEM block is not base64")))?;
    Ok((label, der))
}

/// Reads one DER element of `tag` off the front of `input`: its contents.
fn take<'a>(input: &mut &'a [u8], tag: u8) -> Result<&'a [u8], SignatureError> {
    let malformed = || invalid("the key is not well-formed DER");
    let (&found, rest) = input.split_first().ok_or_else(malformed)?;
    if found != tag {
        return Err(malformed());
    }
    let (&first, mut rest) = rest.split_first().ok_or_else(malformed)?;
    let len = if first < 0x80 {
        usize::from(first)
    } else {
        // Long form: the low bits say how many length bytes follow.
        let count = usize::from(first & 0x7f);
        if count == 0 || count > 4 || rest.len() < count {
            return Err(malformed());
        }
        let (bytes, after) = rest.split_at(count);
        rest = after;
        bytes.iter().fold(0usize, |len, &b| (len << 8) | usize::from(b))
    };
    if rest.len() < len {
        return Err(malformed());
    }
    let (contents, after) = rest.split_at(len);
    *input = after;
    Ok(contents)
}

/// A DER INTEGER's contents as a positive big-endian number without leading zeros.
fn positive(bytes: &[u8]) -> Result<Vec<u8>, SignatureError> {
    if bytes.first().is_some_and(|b| b & 0x80 != 0) {
        return Err(invalid("an RSA key holds a negative number"));
    }
    let start = bytes.iter().position(|&b| b != 0).unwrap_or(bytes.len());
    if start == bytes.len() {
        return Err(invalid("an RSA key holds a zero"));
    }
    Ok(bytes[start..].to_vec())
}

/// An `RSAPublicKey` (PKCS#1): the sequence of modulus and exponent.
pub(crate) fn rsa_public_key(der: &[u8]) -> Result<PublicKeyBytes, SignatureError> {
    let mut input = der;
    let mut key = take(&mut input, SEQUENCE)?;
    let n = positive(take(&mut key, INTEGER)?)?;
    let e = positive(take(&mut key, INTEGER)?)?;
    Ok(PublicKeyBytes::Rsa { n, e })
}

/// A `SubjectPublicKeyInfo`: an EC (P-256, P-384), Ed25519 or RSA public key.
pub(crate) fn subject_public_key_info(der: &[u8]) -> Result<PublicKeyBytes, SignatureError> {
    let mut input = der;
    let mut info = take(&mut input, SEQUENCE)?;
    let mut algorithm = take(&mut info, SEQUENCE)?;
    let oid = take(&mut algorithm, OID)?;
    let bits = take(&mut info, BIT_STRING)?;
    let key = match bits.split_first() {
        Some((0, key)) => key,
        _ => return Err(invalid("the key's bit string is not whole bytes")),
    };
    match oid {
        ID_EC_PUBLIC_KEY => {
            let curve = take(&mut algorithm, OID)?;
            let (kind, len) = match curve {
                PRIME256V1 => (KeyKind::P256, 65),
                SECP384R1 => (KeyKind::P384, 97),
                _ => return Err(invalid("an EC key on a curve other than P-256 or P-384")),
            };
            if key.len() != len || key[0] != 0x04 {
                return Err(invalid("an EC key whose point is not in uncompressed form"));
            }
            Ok(PublicKeyBytes::Ec {
                kind,
                point: key.to_vec(),
            })
        }
        ID_ED25519 if key.len() == 32 => Ok(PublicKeyBytes::Ed25519(key.to_vec())),
        ID_ED25519 => Err(invalid("an Ed25519 key that is not 32 bytes")),
        RSA_ENCRYPTION => rsa_public_key(key),
        _ => Err(invalid(
            "a public key of another kind than EC P-256 / P-384, Ed25519 or RSA",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_form_lengths_and_truncations_are_read_without_panicking() {
        let mut input: &[u8] = &[0x30, 0x81, 0x02, 0xaa, 0xbb, 0xcc];
        assert_eq!(take(&mut input, SEQUENCE).unwrap(), &[0xaa, 0xbb]);
        assert_eq!(input, &[0xcc]);
        for bad in [
            &[0x30, 0x05, 0x00][..],
            &[0x30, 0x85, 1, 1, 1, 1, 1],
            &[0x30],
            &[],
            &[0x02, 0x00],
        ] {
            let mut input = bad;
            assert!(take(&mut input, SEQUENCE).is_err(), "{bad:?}");
        }
        assert!(subject_public_key_info(&[0x30, 0x03, 0x30, 0x01, 0x06]).is_err());
    }

    #[test]
    fn pem_blocks_are_found_among_other_text() {
        let text = "comment\n-----BEGIN PUBLIC KEY-----\nAAEC\nAw==\n-----END PUBLIC KEY-----\n";
        assert_eq!(pem(text).unwrap(), ("PUBLIC KEY".to_owned(), vec![0, 1, 2, 3]));
        assert!(pem("-----BEGIN PUBLIC KEY-----\nAAEC\n").is_err());
        assert!(pem("no pem").is_err());
    }
}
