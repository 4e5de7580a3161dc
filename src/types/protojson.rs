//! The ProtoJSON rules that serde's derive does not know, in one place.
//!
//! The derived impls of the wire types lean on these helpers for what
//! ProtoJSON asks beyond plain JSON: `null` read as the default, int32 given
//! as a string, bytes as base64 in either alphabet, timestamps in RFC 3339,
//! enums by name or number, and oneofs whose key is the discriminator.

use std::fmt;

use base64::Engine as _;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig, general_purpose};
use chrono::{DateTime, SecondsFormat, Utc};
use serde::de::{self, Deserialize, Deserializer, Visitor};
use serde::ser::Serializer;

/// Reads a field that a peer may send as `null`, which ProtoJSON defines as
/// "not set": the field then takes its default (empty string, empty list…).
pub(crate) fn nullable<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de> + Default,
{
    Option::<T>::deserialize(deserializer).map(Option::unwrap_or_default)
}

/// `skip_serializing_if` for proto3 `bool` fields, which are omitted when false.
pub(crate) fn is_false(value: &bool) -> bool {
    !*value
}

/// `skip_serializing_if` for proto3 `int32` fields, which are omitted when zero.
pub(crate) fn is_zero(value: &i32) -> bool {
    *value == 0
}

/// `int32` fields: a JSON number, or a string holding one (ProtoJSON allows
/// both, and the exponent form `1e2`), always within the int32 range.
pub(crate) mod int32 {
    use super::*;

    struct Int32(i32);

    impl<'de> Deserialize<'de> for Int32 {
        fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
            deserializer.deserialize_any(Int32Visitor).map(Int32)
        }
    }

    struct Int32Visitor;

    impl Int32Visitor {
        fn from_f64<E: de::Error>(value: f64) -> Result<i32, E> {
            if value.fract() == 0.0 && value >= f64::from(i32::MIN) && value <= f64::from(i32::MAX) {
                Ok(value as i32)
            } else {
                Err(E::custom(format_args!(
                    "expected a 32-bit integer, found {value}"
                )))
            }
        }
    }

    impl Visitor<'_> for Int32Visitor {
        type Value = i32;

        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("a 32-bit integer (a JSON number or a string holding one)")
        }

        fn visit_i64<E: de::Error>(self, value: i64) -> Result<i32, E> {
            i32::try_from(value).map_err(|_| E::custom(format_args!("{value} is out of the int32 range")))
        }

        fn visit_u64<E: de::Error>(self, value: u64) -> Result<i32, E> {
            i32::try_from(value).map_err(|_| E::custom(format_args!("{value} is out of the int32 range")))
        }

        fn visit_f64<E: de::Error>(self, value: f64) -> Result<i32, E> {
            Self::from_f64(value)
        }

        fn visit_str<E: de::Error>(self, value: &str) -> Result<i32, E> {
            if let Ok(n) = value.parse::<i32>() {
                return Ok(n);
            }
            match value.parse::<f64>() {
                Ok(n) if n.is_finite() => Self::from_f64(n),
                _ => Err(E::invalid_value(de::Unexpected::Str(value), &self)),
            }
        }
    }

    /// A plain `int32`: `null` reads as 0.
    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<i32, D::Error> {
        Ok(Option::<Int32>::deserialize(deserializer)?.map_or(0, |n| n.0))
    }

    /// An `optional int32`: `null` reads as unset.
    pub(crate) fn option<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<i32>, D::Error> {
        Ok(Option::<Int32>::deserialize(deserializer)?.map(|n| n.0))
    }
}

/// `bytes` fields: standard base64 with padding on output; on input the
/// URL-safe alphabet and missing padding are accepted too.
pub(crate) mod bytes {
    use super::*;

    const LENIENT: GeneralPurposeConfig =
        GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent);
    const STANDARD: GeneralPurpose = GeneralPurpose::new(&base64::alphabet::STANDARD, LENIENT);
    const URL_SAFE: GeneralPurpose = GeneralPurpose::new(&base64::alphabet::URL_SAFE, LENIENT);

    pub(crate) fn encode(bytes: &[u8]) -> String {
        general_purpose::STANDARD.encode(bytes)
    }

    /// Decodes standard base64, falling back to the URL-safe alphabet only
    /// when the standard one meets `-` or `_`, so the common case is one pass.
    pub(crate) fn decode(text: &str) -> Result<Vec<u8>, base64::DecodeError> {
        match STANDARD.decode(text) {
            Err(base64::DecodeError::InvalidByte(_, b'-' | b'_')) => URL_SAFE.decode(text),
            other => other,
        }
    }

    /// Decodes a base64 string value, naming what is wrong with it.
    pub(crate) struct Base64Visitor;

    impl Visitor<'_> for Base64Visitor {
        type Value = Vec<u8>;

        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("a base64 string")
        }

        fn visit_str<E: de::Error>(self, value: &str) -> Result<Vec<u8>, E> {
            decode(value).map_err(|err| E::custom(format_args!("invalid base64: {err}")))
        }
    }
}

/// `google.protobuf.Timestamp` fields: RFC 3339 in UTC with `Z` and 0, 3, 6
/// or 9 fractional digits on output; any offset accepted on input.
pub(crate) mod timestamp {
    use super::*;

    pub(crate) fn format(value: &DateTime<Utc>) -> String {
        value.to_rfc3339_opts(SecondsFormat::AutoSi, true)
    }

    pub(crate) fn parse(text: &str) -> Result<DateTime<Utc>, chrono::ParseError> {
        DateTime::parse_from_rfc3339(text).map(|t| t.with_timezone(&Utc))
    }

    struct TimestampVisitor;

    impl Visitor<'_> for TimestampVisitor {
        type Value = DateTime<Utc>;

        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("an RFC 3339 timestamp such as \"2026-01-02T03:04:05.678Z\"")
        }

        fn visit_str<E: de::Error>(self, value: &str) -> Result<DateTime<Utc>, E> {
            parse(value).map_err(|err| E::custom(format_args!("invalid RFC 3339 timestamp {value:?}: {err}")))
        }
    }

    struct Timestamp(DateTime<Utc>);

    impl<'de> Deserialize<'de> for Timestamp {
        fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
            deserializer.deserialize_str(TimestampVisitor).map(Timestamp)
        }
    }

    pub(crate) fn serialize<S: Serializer>(
        value: &Option<DateTime<Utc>>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        match value {
            Some(value) => serializer.serialize_str(&format(value)),
            None => serializer.serialize_none(),
        }
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Option<DateTime<Utc>>, D::Error> {
        Ok(Option::<Timestamp>::deserialize(deserializer)?.map(|t| t.0))
    }
}

/// Declares a proto enum: serialised by its full name, read from its name or
/// its number. The `*_UNSPECIFIED` zero value is not a variant: reading it is
/// an error, except through `deserialize_unspecified_as_none` for fields
/// where zero means "no filter".
macro_rules! proto_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident ($unspecified:literal) {
            $( $(#[$vmeta:meta])* $variant:ident = $number:literal => $json:literal, )+
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum $name {
            $( $(#[$vmeta])* $variant = $number, )+
        }

        impl $name {
            /// Every value, in proto order.
            pub const ALL: &'static [Self] = &[$(Self::$variant),+];

            /// The name this value has on the wire.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $( Self::$variant => $json, )+
                }
            }

            /// The proto enum number of this value.
            pub const fn number(self) -> i32 {
                self as i32
            }

            /// The value with this proto number, if there is one (zero is
            /// the unspecified value and gives `None`).
            pub const fn from_number(number: i32) -> Option<Self> {
                match number {
                    $( $number => Some(Self::$variant), )+
                    _ => None,
                }
            }

        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl std::str::FromStr for $name {
            type Err = $crate::types::UnknownEnumValue;

            /// Parses the wire name (`"TASK_STATE_WORKING"`) or the number (`"2"`).
            fn from_str(text: &str) -> Result<Self, Self::Err> {
                match text {
                    $( $json => Ok(Self::$variant), )+
                    other => other
                        .parse::<i32>()
                        .ok()
                        .and_then(Self::from_number)
                        .ok_or_else(|| $crate::types::UnknownEnumValue::new(stringify!($name), other)),
                }
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        const _: () = {
            impl $name {
            /// Reads a field where the unspecified value (by name or as 0)
            /// and `null` mean "not set".
            #[allow(dead_code)]
            pub(crate) fn deserialize_unspecified_as_none<'de, D>(
                deserializer: D,
            ) -> Result<Option<Self>, D::Error>
            where
                D: serde::Deserializer<'de>,
            {
                deserializer.deserialize_any(EnumVisitor { unspecified_as_none: true })
            }
            }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                match deserializer.deserialize_any(EnumVisitor { unspecified_as_none: false })? {
                    Some(value) => Ok(value),
                    None => Err(serde::de::Error::custom(concat!(
                        $unspecified, " is not a valid value here"
                    ))),
                }
            }
        }

            struct EnumVisitor {
                unspecified_as_none: bool,
            }

            impl EnumVisitor {
                fn unspecified<E: serde::de::Error>(&self) -> Result<Option<$name>, E> {
                    if self.unspecified_as_none {
                        Ok(None)
                    } else {
                        Err(E::custom(concat!($unspecified, " is not a valid value here")))
                    }
                }
            }

            impl<'de> serde::de::Visitor<'de> for EnumVisitor {
                type Value = Option<$name>;

                fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                    f.write_str(concat!("one of ", $( "`", $json, "` ", )+ "or its number"))
                }

                fn visit_str<E: serde::de::Error>(self, value: &str) -> Result<Self::Value, E> {
                    match value {
                        $( $json => Ok(Some($name::$variant)), )+
                        $unspecified => self.unspecified(),
                        _ => Err(E::custom(format_args!(
                            "unknown {} {:?}, expected one of {}",
                            stringify!($name),
                            value,
                            concat!($( "`", $json, "` ", )+)
                        ))),
                    }
                }

                fn visit_i64<E: serde::de::Error>(self, value: i64) -> Result<Self::Value, E> {
                    if value == 0 {
                        return self.unspecified();
                    }
                    i32::try_from(value)
                        .ok()
                        .and_then($name::from_number)
                        .map(Some)
                        .ok_or_else(|| E::custom(format_args!(
                            "unknown {} number {}", stringify!($name), value
                        )))
                }

                fn visit_u64<E: serde::de::Error>(self, value: u64) -> Result<Self::Value, E> {
                    match i64::try_from(value) {
                        Ok(value) => self.visit_i64(value),
                        Err(_) => Err(E::custom(format_args!(
                            "unknown {} number {}", stringify!($name), value
                        ))),
                    }
                }

                fn visit_unit<E: serde::de::Error>(self) -> Result<Self::Value, E> {
                    self.unspecified()
                }
            }
        };
    };
}

/// Declares a message that holds nothing but a oneof, as a Rust enum whose
/// variant is chosen by the one JSON key present (`{"task": {…}}`).
///
/// Reading accepts the lowerCamelCase and snake_case key of each member,
/// ignores unknown keys and members set to `null`, and rejects an object
/// with two members or none.
macro_rules! oneof_message {
    (
        $(#[$meta:meta])*
        pub enum $name:ident ($what:literal) {
            $( $(#[$vmeta:meta])* $variant:ident($ty:ty) = $json:literal $(| $alias:literal)?, )+
        }
    ) => {
        $(#[$meta])*
        pub enum $name {
            $( $(#[$vmeta])* $variant($ty), )+
        }

        impl $name {
            /// The JSON key of the member this value holds.
            pub const fn json_key(&self) -> &'static str {
                match self {
                    $( Self::$variant(_) => $json, )+
                }
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                use serde::ser::SerializeMap as _;
                let mut map = serializer.serialize_map(Some(1))?;
                match self {
                    $( Self::$variant(value) => map.serialize_entry($json, value)?, )+
                }
                map.end()
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                #[allow(non_camel_case_types)]
                enum Field { $( $variant, )+ __Unknown }

                impl<'de> serde::Deserialize<'de> for Field {
                    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                        struct FieldVisitor;
                        impl serde::de::Visitor<'_> for FieldVisitor {
                            type Value = Field;
                            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                                f.write_str("a field name")
                            }
                            fn visit_str<E: serde::de::Error>(self, key: &str) -> Result<Field, E> {
                                Ok(match key {
                                    $( $json $(| $alias)? => Field::$variant, )+
                                    _ => Field::__Unknown,
                                })
                            }
                        }
                        deserializer.deserialize_identifier(FieldVisitor)
                    }
                }

                struct MessageVisitor;

                impl<'de> serde::de::Visitor<'de> for MessageVisitor {
                    type Value = $name;

                    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                        f.write_str(concat!($what, ": an object with one of ", $( "`", $json, "` ", )+))
                    }

                    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<$name, A::Error> {
                        let mut found: Option<$name> = None;
                        while let Some(key) = map.next_key::<Field>()? {
                            let value = match key {
                                $( Field::$variant => map.next_value::<Option<$ty>>()?.map($name::$variant), )+
                                Field::__Unknown => {
                                    map.next_value::<serde::de::IgnoredAny>()?;
                                    None
                                }
                            };
                            if let Some(value) = value {
                                if let Some(first) = &found {
                                    return Err(serde::de::Error::custom(format_args!(
                                        "{} has both `{}` and `{}`; exactly one is allowed",
                                        $what,
                                        first.json_key(),
                                        value.json_key()
                                    )));
                                }
                                found = Some(value);
                            }
                        }
                        found.ok_or_else(|| serde::de::Error::custom(concat!(
                            $what, " needs exactly one of ", $( "`", $json, "` ", )+
                        )))
                    }
                }

                deserializer.deserialize_map(MessageVisitor)
            }
        }
    };
}

pub(crate) use {oneof_message, proto_enum};
