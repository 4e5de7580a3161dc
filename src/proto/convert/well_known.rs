//! The `google.protobuf` types the messages of both versions use: `Struct`
//! and `Value` for free-form JSON, `Timestamp` for times. The v0.3
//! conversions use these too, so a value crosses both versions the same way.

use chrono::{DateTime, Utc};
use prost_types::value::Kind;
use serde_json::Value;

use super::{FromProto, Invalid};
use crate::types;

/// The largest magnitude up to which every integer is exactly a double (2^53).
const MAX_EXACT_INTEGER: f64 = 9_007_199_254_740_992.0;

/// A valid `Timestamp` has `nanos` below this.
const NANOS_PER_SECOND: u32 = 1_000_000_000;

/// A JSON object as a `google.protobuf.Struct`.
pub(in crate::proto) fn to_struct(object: types::Struct) -> prost_types::Struct {
    prost_types::Struct {
        fields: object
            .into_iter()
            .map(|(key, value)| (key, to_value(value)))
            .collect(),
    }
}

/// A JSON value as a `google.protobuf.Value`; numbers become the nearest double.
pub(super) fn to_value(value: Value) -> prost_types::Value {
    let kind = match value {
        Value::Null => Kind::NullValue(prost_types::NullValue::NullValue.into()),
        Value::Bool(b) => Kind::BoolValue(b),
        // `as_f64` always answers without serde_json's `arbitrary_precision`,
        // which this crate does not enable.
        Value::Number(number) => Kind::NumberValue(number.as_f64().unwrap_or_default()),
        Value::String(text) => Kind::StringValue(text),
        Value::Array(items) => Kind::ListValue(prost_types::ListValue {
            values: items.into_iter().map(to_value).collect(),
        }),
        Value::Object(object) => Kind::StructValue(to_struct(object)),
    };
    prost_types::Value { kind: Some(kind) }
}

/// A time as a `google.protobuf.Timestamp`.
///
/// A leap second, which chrono counts as one second or more of nanoseconds,
/// becomes the last nanosecond of the second before it: a `Timestamp` has
/// no leap seconds.
pub(in crate::proto) fn to_timestamp(time: DateTime<Utc>) -> prost_types::Timestamp {
    let nanos = time.timestamp_subsec_nanos().min(NANOS_PER_SECOND - 1);
    prost_types::Timestamp {
        seconds: time.timestamp(),
        // Below one billion, so it fits.
        nanos: nanos as i32,
    }
}

impl FromProto<prost_types::Struct> for types::Struct {
    fn from_proto(proto: prost_types::Struct) -> Result<Self, Invalid> {
        proto
            .fields
            .into_iter()
            .map(|(key, value)| match Value::from_proto(value) {
                Ok(value) => Ok((key, value)),
                Err(invalid) => Err(invalid.in_field(&key)),
            })
            .collect()
    }
}

impl FromProto<prost_types::Value> for Value {
    fn from_proto(proto: prost_types::Value) -> Result<Self, Invalid> {
        match proto.kind {
            None => Err(Invalid::new(
                "a google.protobuf.Value with no kind set (null, number, string, bool, struct or list)",
            )),
            // Any number reads as null: `NullValue` has one value, and a
            // peer's newer enum number still means "null".
            Some(Kind::NullValue(_)) => Ok(Value::Null),
            Some(Kind::BoolValue(b)) => Ok(Value::Bool(b)),
            Some(Kind::NumberValue(number)) => json_number(number),
            Some(Kind::StringValue(text)) => Ok(Value::String(text)),
            Some(Kind::ListValue(list)) => json_array(list).map(Value::Array),
            Some(Kind::StructValue(object)) => types::Struct::from_proto(object).map(Value::Object),
        }
    }
}

/// A double as a JSON number: an integer when it is integral and within
/// ±2^53 (except `-0.0`, kept as a float for its sign), a float otherwise.
fn json_number(number: f64) -> Result<Value, Invalid> {
    if !number.is_finite() {
        return Err(Invalid::new(format!("{number} is not a number JSON can hold")));
    }
    let negative_zero = number == 0.0 && number.is_sign_negative();
    if number.fract() == 0.0 && number.abs() <= MAX_EXACT_INTEGER && !negative_zero {
        // Exact: an integral double within ±2^53 is a small enough integer.
        return Ok(Value::from(number as i64));
    }
    Ok(Value::from(number))
}

/// A `ListValue` as a JSON array, naming the index of a bad element.
fn json_array(list: prost_types::ListValue) -> Result<Vec<Value>, Invalid> {
    list.values
        .into_iter()
        .enumerate()
        .map(|(index, value)| Value::from_proto(value).map_err(|invalid| invalid.at_index(index)))
        .collect()
}

impl FromProto<prost_types::Timestamp> for DateTime<Utc> {
    fn from_proto(proto: prost_types::Timestamp) -> Result<Self, Invalid> {
        let nanos = u32::try_from(proto.nanos)
            .ok()
            .filter(|nanos| *nanos < NANOS_PER_SECOND)
            .ok_or_else(|| Invalid::new(format!("nanos {} is outside 0..=999999999", proto.nanos)))?;
        DateTime::from_timestamp(proto.seconds, nanos).ok_or_else(|| {
            Invalid::new(format!(
                "{} seconds from the Unix epoch is outside the range of supported times",
                proto.seconds
            ))
        })
    }
}
