//! The bytes a card signature covers: the card's ProtoJSON without its
//! `signatures`, in the RFC 8785 (JCS) canonical form.
//!
//! The card's own serialisation already follows the field presence rules
//! the specification asks for before canonicalising: required fields are
//! always written, `optional` ones when set, and every other field only
//! when it differs from its default. So the payload is that JSON with the
//! `signatures` member taken out, canonicalised.
//!
//! The canonical form itself (UTF-16 code unit ordering of member names,
//! numbers written as ECMAScript's `Number.prototype.toString` writes them,
//! the minimal string escapes) comes from `serde_json_canonicalizer`. Two
//! things are checked here first, where that crate would be lenient: an
//! integer beyond ±(2^53 − 1) has no exact I-JSON form (it would be
//! rounded, and other implementations refuse it), and nesting is bounded
//! (a card's extension `params` are free-form and may nest arbitrarily).

use serde_json::Value;

use super::error::{SignatureError, SignatureErrorKind};
use crate::types::AgentCard;

/// The deepest nesting of objects and arrays a canonical card may have.
pub const MAX_DEPTH: usize = 128;

/// The largest integer an I-JSON number holds exactly: 2^53 − 1.
const MAX_SAFE_INTEGER: u64 = (1 << 53) - 1;

/// The canonical JSON (RFC 8785) of `card` without its `signatures`: the
/// bytes whose base64url form is the payload of every card signature.
///
/// ```
/// use a2akit::types::AgentCard;
///
/// let card = AgentCard::builder().name("Example Agent").version("1.0.0").build();
/// let canonical = a2akit::signing::canonical_card(&card).unwrap();
/// assert_eq!(
///     String::from_utf8(canonical).unwrap(),
///     r#"{"capabilities":{},"defaultInputModes":["text/plain"],"defaultOutputModes":["text/plain"],"#.to_owned()
///         + r#""description":"","name":"Example Agent","skills":[],"supportedInterfaces":[],"version":"1.0.0"}"#
/// );
/// ```
pub fn canonical_card(card: &AgentCard) -> Result<Vec<u8>, SignatureError> {
    let mut json = serde_json::to_value(card).map_err(|err| {
        SignatureError::new(
            SignatureErrorKind::Canonicalization,
            format!("the card does not encode: {err}"),
        )
    })?;
    if let Value::Object(members) = &mut json {
        members.remove("signatures");
    }
    canonical_json(&json)
}

/// The RFC 8785 canonical form of `value`, refused where it has none.
pub(crate) fn canonical_json(value: &Value) -> Result<Vec<u8>, SignatureError> {
    check(value, 1)?;
    serde_json_canonicalizer::to_vec(value).map_err(|err| {
        SignatureError::new(
            SignatureErrorKind::Canonicalization,
            format!("the card has no canonical form: {err}"),
        )
    })
}

/// Refuses what has no exact canonical form, `depth` being the number of
/// containers open around `value` (the outermost counts as 1).
fn check(value: &Value, depth: usize) -> Result<(), SignatureError> {
    let too_deep = || {
        SignatureError::new(
            SignatureErrorKind::Canonicalization,
            format!("the card nests deeper than {MAX_DEPTH} levels"),
        )
    };
    match value {
        Value::Number(number) => {
            let exact = match (number.as_u64(), number.as_i64()) {
                (Some(n), _) => n <= MAX_SAFE_INTEGER,
                (None, Some(n)) => n.unsigned_abs() <= MAX_SAFE_INTEGER,
                // A float: every finite one has a canonical form.
                (None, None) => true,
            };
            if exact {
                Ok(())
            } else {
                Err(SignatureError::new(
                    SignatureErrorKind::Canonicalization,
                    format!(
                        "the card holds the integer {number}, beyond the ±(2^53 - 1) a JSON number holds exactly"
                    ),
                ))
            }
        }
        Value::Array(items) => {
            if depth > MAX_DEPTH {
                return Err(too_deep());
            }
            items.iter().try_for_each(|item| check(item, depth + 1))
        }
        Value::Object(members) => {
            if depth > MAX_DEPTH {
                return Err(too_deep());
            }
            members.values().try_for_each(|member| check(member, depth + 1))
        }
        Value::Null | Value::Bool(_) | Value::String(_) => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn canonical(value: Value) -> String {
        String::from_utf8(canonical_json(&value).unwrap()).unwrap()
    }

    #[test]
    fn members_are_ordered_by_utf16_code_units_and_strings_minimally_escaped() {
        // U+1F600 (surrogates D83D DE00) sorts before U+FB01 in UTF-16,
        // after it in code points.
        let value = json!({"\u{fb01}": 1, "\u{1f600}": 2, "b": "\u{7f}\"\\\n\u{1}é/", "a": [true, null]});
        assert_eq!(
            canonical(value),
            "{\"a\":[true,null],\"b\":\"\u{7f}\\\"\\\\\\n\\u0001é/\",\"\u{1f600}\":2,\"\u{fb01}\":1}"
        );
    }

    #[test]
    fn numbers_are_written_as_ecmascript_writes_them() {
        let value: Value =
            serde_json::from_str("[1.0, -0.0, 1e21, 1e20, 1e-7, 0.000001, 123.456e2, 5e-324, 4.5, -1.5e300]")
                .unwrap();
        assert_eq!(
            canonical(value),
            "[1,0,1e+21,100000000000000000000,1e-7,0.000001,12345.6,5e-324,4.5,-1.5e+300]"
        );
    }

    #[test]
    fn integers_beyond_two_to_the_53_and_deep_nesting_have_no_canonical_form() {
        assert!(canonical_json(&json!([9007199254740991_u64, -9007199254740991_i64])).is_ok());
        for big in [
            json!(9007199254740992_u64),
            json!(-9007199254740992_i64),
            json!(u64::MAX),
        ] {
            let err = canonical_json(&json!({"n": big})).unwrap_err();
            assert_eq!(err.kind(), SignatureErrorKind::Canonicalization, "{err}");
        }
        let mut deep = json!(1);
        for _ in 0..MAX_DEPTH {
            deep = json!([deep]);
        }
        assert!(canonical_json(&deep).is_ok());
        let err = canonical_json(&json!([deep])).unwrap_err();
        assert!(err.message().contains("deeper"), "{err}");
    }

    #[test]
    fn the_payload_leaves_out_the_signatures_and_fields_left_at_their_defaults() {
        let mut card = AgentCard::builder().name("n").description("d").build();
        let unsigned = canonical_card(&card).unwrap();
        card.signatures.push(crate::types::AgentCardSignature {
            protected: "e30".into(),
            signature: "AA".into(),
            header: None,
        });
        assert_eq!(canonical_card(&card).unwrap(), unsigned);
        let text = String::from_utf8(unsigned).unwrap();
        assert!(
            !text.contains("signatures") && !text.contains("securitySchemes"),
            "{text}"
        );
    }
}
