//! The ProtoJSON rules that serde's derive does not know, in one place.
//!
//! The derived impls of the wire types lean on these helpers for what
//! ProtoJSON asks beyond plain JSON: `null` read as the default, int32 given
//! as a string, bytes as base64 in either alphabet, timestamps in RFC 3339,
//! enums by name or number, and oneofs whose key is the discriminator.
//!
//! Reading follows the official protobuf JSON parser of Python (the most
//! lenient of the official ones, and the one the reference A2A SDK uses):
//! whatever it accepts for a field, these helpers accept and read to the
//! same value. Writing is always the canonical form.

use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose;
use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
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

/// Numbers written as text, read the way Python's `int()` and `float()` read
/// them (which is what the official parser does with a quoted number).
pub(crate) mod number {
    /// A decimal integer as `int()` reads a string: surrounding whitespace,
    /// an optional sign, ASCII digits with single underscores between them.
    /// Values beyond `i64` saturate, so that a range check still fails.
    pub(crate) fn integer(text: &str) -> Option<i64> {
        let text = text.trim();
        let (negative, digits) = match text.as_bytes().first()? {
            b'-' => (true, &text[1..]),
            b'+' => (false, &text[1..]),
            _ => (false, text),
        };
        let digits = without_underscores(digits)?;
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let mut value: i64 = 0;
        for digit in digits.bytes() {
            let digit = i64::from(digit - b'0');
            value = value.saturating_mul(10).saturating_add(digit);
        }
        Some(if negative { -value } else { value })
    }

    /// A number as `float()` reads a string: surrounding whitespace,
    /// underscores between digits, exponents, `inf` and `nan`.
    pub(crate) fn float(text: &str) -> Option<f64> {
        without_underscores(text.trim())?.parse::<f64>().ok()
    }

    /// `text` with the underscores that sit between two digits removed;
    /// `None` if an underscore sits anywhere else.
    fn without_underscores(text: &str) -> Option<std::borrow::Cow<'_, str>> {
        if !text.contains('_') {
            return Some(text.into());
        }
        let bytes = text.as_bytes();
        let mut kept = String::with_capacity(text.len());
        for (index, ch) in text.char_indices() {
            if ch == '_' {
                let before = index.checked_sub(1).map(|i| bytes[i]);
                let after = bytes.get(index + 1).copied();
                if !(before.is_some_and(|b| b.is_ascii_digit()) && after.is_some_and(|b| b.is_ascii_digit()))
                {
                    return None;
                }
            } else {
                kept.push(ch);
            }
        }
        Some(kept.into())
    }
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

        /// An integer (`"25"`, `"+25"`, `"2_5"`) or an integral float
        /// (`"1e2"`, `"5."`), as the official parsers read quoted numbers.
        fn visit_str<E: de::Error>(self, value: &str) -> Result<i32, E> {
            if let Some(n) = number::integer(value) {
                return self.visit_i64(n);
            }
            match number::float(value) {
                Some(n) if n.is_finite() => Self::from_f64(n),
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

/// `bytes` fields: standard base64 with padding on output.
///
/// Input is read exactly as the official Python parser reads it: either
/// alphabet (even mixed), padding optional, characters outside the
/// alphabets (whitespace, line breaks…) skipped, and decoding stops at the
/// padding that completes a group. What it refuses is refused here too: a
/// last group of a single character, or padding that cannot complete the
/// last group.
pub(crate) mod bytes {
    use super::*;

    pub(crate) fn encode(bytes: &[u8]) -> String {
        general_purpose::STANDARD.encode(bytes)
    }

    /// Why a string is not base64.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub(crate) enum Base64Error {
        /// The data characters leave one over a multiple of four.
        OneCharacterOver,
        /// The last group is not completed by enough padding.
        IncorrectPadding,
    }

    impl fmt::Display for Base64Error {
        fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str(match self {
                Self::OneCharacterOver => "the number of data characters is one more than a multiple of 4",
                Self::IncorrectPadding => "the last group of characters is not padded to four",
            })
        }
    }

    /// The six bits a character of either base64 alphabet stands for.
    fn sextet(byte: u8) -> Option<u8> {
        match byte {
            b'A'..=b'Z' => Some(byte - b'A'),
            b'a'..=b'z' => Some(byte - b'a' + 26),
            b'0'..=b'9' => Some(byte - b'0' + 52),
            b'+' | b'-' => Some(62),
            b'/' | b'_' => Some(63),
            _ => None,
        }
    }

    /// Decodes base64 as described in the module documentation.
    pub(crate) fn decode(text: &str) -> Result<Vec<u8>, Base64Error> {
        let input = text.as_bytes();
        // The parser pads the text to a multiple of four (a whole group of
        // `=` when it already is one) and then decodes leniently; the
        // padding it adds decides, with the text's own, where decoding stops.
        let added = 4 - input.len() % 4;
        let mut out = Vec::with_capacity(input.len() / 4 * 3 + 3);
        let mut position = 0u8;
        let mut carry = 0u8;
        let mut pads = 0u8;
        for &byte in input.iter().chain(std::iter::repeat_n(&b'=', added)) {
            if byte == b'=' {
                // Padding counts only once two characters of a group are in;
                // when it completes the group, decoding stops there.
                if position >= 2 {
                    pads += 1;
                    if position + pads >= 4 {
                        return Ok(out);
                    }
                }
                continue;
            }
            let Some(bits) = sextet(byte) else {
                continue;
            };
            pads = 0;
            match position {
                0 => {
                    carry = bits;
                    position = 1;
                }
                1 => {
                    out.push(carry << 2 | bits >> 4);
                    carry = bits & 0x0f;
                    position = 2;
                }
                2 => {
                    out.push(carry << 4 | bits >> 2);
                    carry = bits & 0x03;
                    position = 3;
                }
                _ => {
                    out.push(carry << 6 | bits);
                    position = 0;
                }
            }
        }
        match position {
            0 => Ok(out),
            1 => Err(Base64Error::OneCharacterOver),
            _ => Err(Base64Error::IncorrectPadding),
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
/// or 9 fractional digits on output.
///
/// On input, what the official Python parser accepts: a `Z` or an offset
/// `±H:M` of any size, one- or two-digit month, day and time fields, up to
/// nine fractional digits (none after the dot included), and any instant
/// from year 1 to year 9999 once the offset is applied.
pub(crate) mod timestamp {
    use super::*;

    /// The first and last second a `Timestamp` may hold (years 1 and 9999).
    const MIN_SECONDS: i64 = -62_135_596_800;
    const MAX_SECONDS: i64 = 253_402_300_799;

    pub(crate) fn format(value: &DateTime<Utc>) -> String {
        value.to_rfc3339_opts(SecondsFormat::AutoSi, true)
    }

    /// Reads a timestamp; the error says what is wrong.
    pub(crate) fn parse(text: &str) -> Result<DateTime<Utc>, String> {
        // The zone starts at the first `Z`, else the first `+`, else the last `-`.
        let zone_at = text
            .find('Z')
            .or_else(|| text.find('+'))
            .or_else(|| text.rfind('-'))
            .ok_or("no time zone (`Z` or an offset)")?;
        let (local, zone) = text.split_at(zone_at);
        let (civil, fraction) = match local.split_once('.') {
            Some((civil, fraction)) => (civil, fraction),
            None => (local, ""),
        };
        if civil.contains('t') {
            return Err("a lowercase `t` between date and time".to_owned());
        }
        let seconds = civil_seconds(civil).ok_or("not a date and time of the form 2026-01-02T03:04:05")?;
        let nanos = fraction_nanos(fraction)?;
        let offset = zone_offset(zone)?;
        let seconds = seconds - offset;
        if !(MIN_SECONDS..=MAX_SECONDS).contains(&seconds) {
            return Err("outside the years 1 to 9999".to_owned());
        }
        DateTime::from_timestamp(seconds, nanos).ok_or_else(|| "outside the supported range".to_owned())
    }

    /// Seconds since the epoch of `YYYY-M-DTH:M:S` (one- or two-digit fields
    /// but the year), read as a UTC time.
    fn civil_seconds(civil: &str) -> Option<i64> {
        let (year, rest) = civil.split_at_checked(4)?;
        let rest = rest.strip_prefix('-')?;
        let (month, rest) = rest.split_once('-')?;
        let (day, rest) = rest.split_once('T')?;
        let (hour, rest) = rest.split_once(':')?;
        let (minute, second) = rest.split_once(':')?;
        // Year 0 does not exist in the parser's calendar, whatever the offset.
        if !year.bytes().all(|b| b.is_ascii_digit()) || year == "0000" {
            return None;
        }
        let field = |text: &str, max_first: u8| -> Option<u32> {
            match text.as_bytes() {
                [d] if d.is_ascii_digit() => Some(u32::from(d - b'0')),
                // The day may be written with a leading space, as in ` 5`.
                [b' ', d] if max_first == b'3' && (b'1'..=b'9').contains(d) => Some(u32::from(d - b'0')),
                [a, b] if (b'0'..=max_first).contains(a) && b.is_ascii_digit() => {
                    Some(u32::from(a - b'0') * 10 + u32::from(b - b'0'))
                }
                _ => None,
            }
        };
        let date = NaiveDate::from_ymd_opt(year.parse().ok()?, field(month, b'1')?, field(day, b'3')?)?;
        let time = date.and_hms_opt(field(hour, b'2')?, field(minute, b'5')?, field(second, b'6')?)?;
        Some(time.and_utc().timestamp())
    }

    /// The nanoseconds of the digits after the dot: at most nine, read as
    /// the decimal fraction they spell.
    fn fraction_nanos(fraction: &str) -> Result<u32, String> {
        if fraction.is_empty() {
            return Ok(0);
        }
        if fraction.chars().count() > 9 {
            return Err("more than 9 fractional digits".to_owned());
        }
        // The Python parser reads `0.<fraction>` as a float and rounds its
        // nanoseconds; the same arithmetic gives the same result.
        let value = number::float(&format!("0.{fraction}"))
            .filter(|value| value.is_finite())
            .ok_or_else(|| format!("{fraction:?} is not a fraction of a second"))?;
        let nanos = (value * 1e9).round_ties_even();
        if (0.0..1e9).contains(&nanos) {
            Ok(nanos as u32)
        } else {
            Err(format!("{fraction:?} is not a fraction of a second"))
        }
    }

    /// The offset east of UTC, in seconds, of `Z` or `±H:M`.
    fn zone_offset(zone: &str) -> Result<i64, String> {
        if zone == "Z" {
            return Ok(0);
        }
        let bad = || format!("{zone:?} is not `Z` or an offset such as +01:00");
        let sign = match zone.as_bytes().first() {
            Some(b'+') => 1,
            Some(b'-') => -1,
            _ => return Err(bad()),
        };
        let (hours, minutes) = zone[1..].split_once(':').ok_or_else(bad)?;
        let hours = number::integer(hours).ok_or_else(bad)?;
        let minutes = number::integer(minutes).ok_or_else(bad)?;
        // Saturating: an absurd offset only has to land out of range.
        Ok(sign
            * hours
                .saturating_mul(60)
                .saturating_add(minutes)
                .saturating_mul(60))
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

/// An enum value as the official parsers read it, before it is matched
/// against the names and numbers of one enum.
pub(crate) enum EnumInput<'a> {
    /// A JSON string that is not a number: a name, known or not.
    Name(std::borrow::Cow<'a, str>),
    /// A number: a JSON number, a numeric string, or a bool (read as 0 or 1).
    Number(i32),
    /// `null`: not set.
    Null,
}

/// Reads any JSON scalar as an [`EnumInput`]: what the Python parser does
/// with it (`int()` of the value), except that a name it does not know is
/// kept rather than refused.
pub(crate) struct EnumInputVisitor(pub(crate) &'static str);

impl<'de> Visitor<'de> for EnumInputVisitor {
    type Value = EnumInput<'de>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "a {} name or number", self.0)
    }

    fn visit_borrowed_str<E: de::Error>(self, value: &'de str) -> Result<Self::Value, E> {
        match number::integer(value) {
            Some(n) => self.visit_i64(n),
            None => Ok(EnumInput::Name(value.into())),
        }
    }

    fn visit_str<E: de::Error>(self, value: &str) -> Result<Self::Value, E> {
        match number::integer(value) {
            Some(n) => self.visit_i64(n),
            None => Ok(EnumInput::Name(value.to_owned().into())),
        }
    }

    fn visit_i64<E: de::Error>(self, value: i64) -> Result<Self::Value, E> {
        i32::try_from(value).map(EnumInput::Number).map_err(|_| {
            E::custom(format_args!(
                "{} number {value} is out of the int32 range",
                self.0
            ))
        })
    }

    fn visit_u64<E: de::Error>(self, value: u64) -> Result<Self::Value, E> {
        i64::try_from(value)
            .map_err(|_| {
                E::custom(format_args!(
                    "{} number {value} is out of the int32 range",
                    self.0
                ))
            })
            .and_then(|value| self.visit_i64(value))
    }

    /// A float is cut to its integer part, as Python's `int()` does.
    fn visit_f64<E: de::Error>(self, value: f64) -> Result<Self::Value, E> {
        let whole = value.trunc();
        if whole.is_finite() && whole >= f64::from(i32::MIN) && whole <= f64::from(i32::MAX) {
            Ok(EnumInput::Number(whole as i32))
        } else {
            Err(E::custom(format_args!(
                "{} number {value} is out of the int32 range",
                self.0
            )))
        }
    }

    fn visit_bool<E: de::Error>(self, value: bool) -> Result<Self::Value, E> {
        Ok(EnumInput::Number(i32::from(value)))
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(EnumInput::Null)
    }

    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(EnumInput::Null)
    }
}

/// Declares a proto enum: serialised by its full name, read from its name or
/// its number, with two values beyond the named ones so that nothing a peer
/// sends fails the message holding it:
///
/// - `Unspecified`, the proto's zero value: what an absent field reads as.
///   The protocol never allows it where it needs a value; a server refuses
///   it, and it is never written (a field holding it is left out).
/// - `Unrecognized`, a value this version does not know: a newer peer's
///   number (kept, and written back as that number, as ProtoJSON writes
///   unknown values) or name (whose number is unknown, so it is written as
///   the unspecified value, i.e. left out).
macro_rules! proto_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident ($unspecified:literal) {
            $( $(#[$vmeta:meta])* $variant:ident = $number:literal => $json:literal, )+
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
        #[non_exhaustive]
        pub enum $name {
            #[doc = concat!(
                "`", $unspecified, "` (0), the proto's default: what an absent field reads as. ",
                "The protocol never accepts it where a value is needed, and it is never written."
            )]
            #[default]
            Unspecified,
            $( $(#[$vmeta])* $variant, )+
            /// A value this version of the crate does not know, from a newer
            /// peer: its number when it came as one (written back as that
            /// number), `None` when it came as a name (whose number is not
            /// known: written as the unspecified value, that is, left out).
            Unrecognized(Option<i32>),
        }

        impl $name {
            /// Every named value, in proto order (neither the unspecified
            /// nor an unrecognized one).
            pub const ALL: &'static [Self] = &[$(Self::$variant),+];

            /// The name this value has on the wire; `"UNRECOGNIZED"` (no
            /// wire name) for an unrecognized value.
            pub const fn as_str(self) -> &'static str {
                match self {
                    Self::Unspecified => $unspecified,
                    $( Self::$variant => $json, )+
                    Self::Unrecognized(_) => "UNRECOGNIZED",
                }
            }

            /// The proto enum number of this value; 0 for the unspecified
            /// value and for an unrecognized name.
            pub const fn number(self) -> i32 {
                match self {
                    Self::Unspecified => 0,
                    $( Self::$variant => $number, )+
                    Self::Unrecognized(number) => match number {
                        Some(number) => number,
                        None => 0,
                    },
                }
            }

            /// The named value with this proto number, if there is one
            /// (zero, the unspecified value, gives `None`). `From<i32>`
            /// converts every number instead.
            pub const fn from_number(number: i32) -> Option<Self> {
                match number {
                    $( $number => Some(Self::$variant), )+
                    _ => None,
                }
            }

            /// Whether this is a named value: neither unspecified nor unrecognized.
            pub const fn is_known(self) -> bool {
                !matches!(self, Self::Unspecified | Self::Unrecognized(_))
            }

            /// Whether a field holding this value is left out of the JSON
            /// (its number is the default, zero).
            pub(crate) fn is_default(&self) -> bool {
                self.number() == 0
            }

            /// Matches what a peer sent against this enum's names and numbers.
            fn from_input(input: $crate::types::protojson::EnumInput<'_>) -> Self {
                use $crate::types::protojson::EnumInput;
                match input {
                    EnumInput::Null => Self::Unspecified,
                    EnumInput::Number(number) => Self::from(number),
                    EnumInput::Name(name) => match &*name {
                        $unspecified => Self::Unspecified,
                        $( $json => Self::$variant, )+
                        _ => Self::Unrecognized(None),
                    },
                }
            }

            /// Reads a field where the unspecified value (by name or as 0)
            /// and `null` mean "not set".
            #[allow(dead_code)]
            pub(crate) fn deserialize_unspecified_as_none<'de, D>(
                deserializer: D,
            ) -> Result<Option<Self>, D::Error>
            where
                D: serde::Deserializer<'de>,
            {
                let input = deserializer
                    .deserialize_any($crate::types::protojson::EnumInputVisitor(stringify!($name)))?;
                Ok(Some(Self::from_input(input)).filter(|value| *value != Self::Unspecified))
            }
        }

        /// Every number reads: zero as the unspecified value, a number this
        /// version does not know as an unrecognized value that keeps it.
        impl From<i32> for $name {
            fn from(number: i32) -> Self {
                match (number, Self::from_number(number)) {
                    (0, _) => Self::Unspecified,
                    (_, Some(value)) => value,
                    (_, None) => Self::Unrecognized(Some(number)),
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                match self {
                    Self::Unrecognized(Some(number)) => {
                        write!(f, concat!("unrecognized ", stringify!($name), " {}"), number)
                    }
                    Self::Unrecognized(None) => f.write_str(concat!("unrecognized ", stringify!($name))),
                    _ => f.write_str(self.as_str()),
                }
            }
        }

        impl std::str::FromStr for $name {
            type Err = $crate::types::UnknownEnumValue;

            /// Parses the wire name (`"TASK_STATE_WORKING"`) or the number
            /// (`"2"`) of a named value; anything else is an error.
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
                match self {
                    Self::Unrecognized(Some(number)) => serializer.serialize_i32(*number),
                    Self::Unrecognized(None) => serializer.serialize_str($unspecified),
                    _ => serializer.serialize_str(self.as_str()),
                }
            }
        }

        /// Reads a name or a number; never fails on a value, only on JSON
        /// that is no scalar or a number beyond the int32 range.
        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                deserializer
                    .deserialize_any($crate::types::protojson::EnumInputVisitor(stringify!($name)))
                    .map(Self::from_input)
            }
        }
    };
}

/// Declares a message that holds nothing but a oneof, as a Rust enum whose
/// variant is chosen by the one JSON key present (`{"task": {…}}`), plus an
/// `Unrecognized` variant for an object with none of the members this
/// version knows (a newer peer's member, or none at all), written as `{}`.
///
/// Reading accepts the lowerCamelCase and snake_case key of each member,
/// ignores unknown keys and members set to `null`, and rejects an object
/// with two members.
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
            /// None of the members this version knows: the sender set a
            /// member added in a later version of the protocol (whose
            /// content is not kept), or none. Written as `{}`.
            Unrecognized,
        }

        /// [`Unrecognized`](Self::Unrecognized), what an absent field reads as.
        impl Default for $name {
            fn default() -> Self {
                Self::Unrecognized
            }
        }

        impl $name {
            /// The JSON key of the member this value holds (`None` when
            /// unrecognized).
            pub const fn json_key(&self) -> Option<&'static str> {
                match self {
                    $( Self::$variant(_) => Some($json), )+
                    Self::Unrecognized => None,
                }
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                use serde::ser::SerializeMap as _;
                let mut map = serializer.serialize_map(Some(usize::from(self.json_key().is_some())))?;
                match self {
                    $( Self::$variant(value) => map.serialize_entry($json, value)?, )+
                    Self::Unrecognized => {}
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
                        let mut found = $name::Unrecognized;
                        while let Some(key) = map.next_key::<Field>()? {
                            let value = match key {
                                $( Field::$variant => map.next_value::<Option<$ty>>()?.map($name::$variant), )+
                                Field::__Unknown => {
                                    map.next_value::<serde::de::IgnoredAny>()?;
                                    None
                                }
                            };
                            if let Some(value) = value {
                                if let (Some(first), Some(second)) = (found.json_key(), value.json_key()) {
                                    return Err(serde::de::Error::custom(format_args!(
                                        "{} has both `{}` and `{}`; exactly one is allowed",
                                        $what, first, second
                                    )));
                                }
                                found = value;
                            }
                        }
                        Ok(found)
                    }

                    /// An empty array reads as an empty message, as the
                    /// official Python parser reads it.
                    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<$name, A::Error> {
                        match seq.next_element::<serde::de::IgnoredAny>()? {
                            None => Ok($name::Unrecognized),
                            Some(_) => Err(serde::de::Error::invalid_type(serde::de::Unexpected::Seq, &self)),
                        }
                    }
                }

                deserializer.deserialize_any(MessageVisitor)
            }
        }
    };
}

pub(crate) use {oneof_message, proto_enum};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integers_read_as_python_reads_them() {
        for (text, value) in [
            ("5", 5),
            (" 5 ", 5),
            ("\t+5\n", 5),
            ("-0", 0),
            ("007", 7),
            ("1_000", 1000),
            ("-2_147_483_648", -2_147_483_648),
        ] {
            assert_eq!(number::integer(text), Some(value), "{text:?}");
        }
        for text in ["", "+", "1_", "_1", "1__0", "0x10", "1.0", "1e2", "- 1", "٣"] {
            assert_eq!(number::integer(text), None, "{text:?}");
        }
        assert_eq!(number::integer("99999999999999999999999"), Some(i64::MAX));
    }

    #[test]
    fn floats_read_as_python_reads_them() {
        for (text, value) in [("1e2", 100.0), (" 5. ", 5.0), (".5e1", 5.0), ("1_0.0_1", 10.01)] {
            assert_eq!(number::float(text), Some(value), "{text:?}");
        }
        assert!(number::float("inf").unwrap().is_infinite());
        assert_eq!(number::float("1e"), None);
        assert_eq!(number::float("1._0"), None);
    }

    #[test]
    fn base64_reads_as_python_reads_it() {
        let read = |text: &str| bytes::decode(text).map(|b| String::from_utf8_lossy(&b).into_owned());
        for (text, value) in [
            ("aGk=", "hi"),
            ("aGk", "hi"),
            ("aGk===", "hi"),
            ("a G\nk", "hi"),
            ("aG*k", "hi"),
            ("aGk=aGk=", "hi"),
            ("aGk=x", "hi"),
            ("aG=k", "hi"),
            ("ab==c", "i"),
            ("***", ""),
            ("====", ""),
            ("", ""),
            ("YR==", "a"),
            ("aGVsbG8_Pz8", "hello???"),
            ("aGVsbG8/Pz8=", "hello???"),
        ] {
            assert_eq!(read(text).as_deref(), Ok(value), "{text:?}");
        }
        assert_eq!(read("a"), Err(bytes::Base64Error::OneCharacterOver));
        assert_eq!(read("aGVsbG8gd"), Err(bytes::Base64Error::OneCharacterOver));
        assert_eq!(read("aG*"), Err(bytes::Base64Error::IncorrectPadding));
        assert_eq!(read("a=b"), Err(bytes::Base64Error::IncorrectPadding));
    }

    #[test]
    fn timestamps_read_as_python_reads_them() {
        let read = |text: &str| timestamp::parse(text).map(|t| timestamp::format(&t));
        for (text, value) in [
            ("2026-01-02T03:04:05Z", "2026-01-02T03:04:05Z"),
            ("2026-1-2T3:4:5Z", "2026-01-02T03:04:05Z"),
            ("2026-01- 2T03:04:05Z", "2026-01-02T03:04:05Z"),
            ("2026-01-02T03:04:05.Z", "2026-01-02T03:04:05Z"),
            ("2026-01-02T03:04:05.5Z", "2026-01-02T03:04:05.500Z"),
            ("2026-01-02T03:04:05.5_0Z", "2026-01-02T03:04:05.500Z"),
            ("2026-01-02T03:04:05.000000001Z", "2026-01-02T03:04:05.000000001Z"),
            ("2026-01-02T03:04:05+01:00", "2026-01-02T02:04:05Z"),
            ("2026-01-02T03:04:05-01:30", "2026-01-02T04:34:05Z"),
            ("2026-01-02T03:04:05+99:00", "2025-12-29T00:04:05Z"),
            ("2026-01-02T03:04:05+ 1:00", "2026-01-02T02:04:05Z"),
            ("2026-01-02T03:04:05+00:60", "2026-01-02T02:04:05Z"),
            ("2026-01-02T03:04:05.+01:00", "2026-01-02T02:04:05Z"),
            ("0001-01-01T00:00:00Z", "0001-01-01T00:00:00Z"),
            ("9999-12-31T23:59:59.999999999Z", "9999-12-31T23:59:59.999999999Z"),
        ] {
            assert_eq!(read(text).as_deref(), Ok(value), "{text:?}");
        }
        for text in [
            "2026-01-02T03:04:05.1234567891Z",
            "2026-01-02T03:04:05+0100",
            "2026-01-02t03:04:05Z",
            "2026-01-02T03:04:05z",
            "2026-01-02 03:04:05Z",
            "0000-01-01T00:00:00Z",
            "2026-01-02T03:04:60Z",
            "2026-02-30T03:04:05Z",
            "2026-01-02T03:04:05Zx",
            "10000-01-01T00:00:00Z",
            "2026-01-02T03:04:05.1e1Z",
            "2026-01-02T03:04:05.-1Z",
            "2026-01-02T03:04:05",
            "0001-01-01T00:00:00+01:00",
            "0000-12-31T23:00:00-02:00",
            "yesterday",
        ] {
            assert!(read(text).is_err(), "{text:?} read as {:?}", read(text));
        }
    }
}
