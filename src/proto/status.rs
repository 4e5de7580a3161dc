//! Protocol errors as gRPC statuses and back: the code of the v1.0.1 table,
//! the message, and a `google.rpc.ErrorInfo` (and `BadRequest`, when the
//! error names fields, and `RetryInfo`) in `grpc-status-details-bin`; read
//! back with every detail kept.

use std::collections::{BTreeMap, HashMap};

use base64::Engine as _;
use prost::Message as _;
use serde_json::{Value, json};
use tonic_types::{ErrorDetails, FieldViolation, StatusExt as _, pb};

use crate::error::{BAD_REQUEST_TYPE, ERROR_DOMAIN, GrpcCode, RETRY_INFO_TYPE};
use crate::{Error, ErrorKind};

/// The gRPC status for a protocol error.
pub fn status_from_error(error: &Error) -> tonic::Status {
    let code = tonic::Code::from_i32(error.kind().grpc_code().number());
    let mut details = ErrorDetails::new();
    if let Some(reason) = error.kind().reason() {
        let metadata: HashMap<String, String> = error.metadata().clone().into_iter().collect();
        details.set_error_info(reason, ERROR_DOMAIN, metadata);
    }
    let violations: Vec<FieldViolation> = error
        .details()
        .iter()
        .filter(|detail| detail.get("@type").and_then(|t| t.as_str()) == Some(BAD_REQUEST_TYPE))
        .flat_map(|detail| detail["fieldViolations"].as_array().cloned().unwrap_or_default())
        .map(|violation| {
            FieldViolation::new(
                violation["field"].as_str().unwrap_or_default(),
                violation["description"].as_str().unwrap_or_default(),
            )
        })
        .collect();
    if !violations.is_empty() {
        details.set_bad_request(violations);
    }
    if let Some(delay) = error.retry_after() {
        details.set_retry_info(Some(delay));
    }
    tonic::Status::with_error_details(code, error.message(), details)
}

/// The error a client reads from a gRPC status.
///
/// The kind comes from the `google.rpc.ErrorInfo` reason when the status
/// has one from the protocol's domain, else from the code, as the HTTP
/// bindings read theirs: `DEADLINE_EXCEEDED` is a timeout, `UNAVAILABLE` a
/// connection failure, and a message over a size limit (tonic's own limit
/// answers `OUT_OF_RANGE`, other peers' `RESOURCE_EXHAUSTED`) an invalid
/// response. Every detail of `grpc-status-details-bin` is kept, each as a
/// JSON object with its `@type` (a type this crate does not know keeps its
/// bytes, base64, as `value`); the `www-authenticate` metadata entry
/// becomes [`Error::www_authenticate`]; the status itself is the error's
/// source.
pub fn error_from_status(status: &tonic::Status) -> Error {
    let mut ours: Option<(ErrorKind, BTreeMap<String, String>)> = None;
    let mut retry_delay = None;
    let mut details = Vec::new();
    for any in status_details(status) {
        match decode_detail(&any) {
            Detail::ErrorInfo(info) if ours.is_none() && is_ours(&info) => {
                let kind = ErrorKind::from_reason(&info.reason).expect("checked by is_ours");
                ours = Some((kind, info.metadata.into_iter().collect()));
            }
            Detail::RetryInfo(delay) if retry_delay.is_none() => retry_delay = Some(delay),
            Detail::RetryInfo(delay) => details.push(retry_json(delay)),
            Detail::ErrorInfo(info) => details.push(error_info_json(&any.type_url, info)),
            Detail::Json(value) => details.push(value),
        }
    }
    let (kind, metadata) = ours.unwrap_or_else(|| (kind_of_code(status), BTreeMap::new()));
    let mut error = Error::new(kind, status.message());
    for (key, value) in metadata {
        error = error.with_metadata(key, value);
    }
    if let Some(delay) = retry_delay {
        error = error.with_retry_after(delay);
    }
    for detail in details {
        error = error.with_detail(detail);
    }
    let challenges: Vec<&str> = status
        .metadata()
        .get_all("www-authenticate")
        .iter()
        .filter_map(|value| value.to_str().ok())
        .collect();
    if !challenges.is_empty() {
        error = error.with_www_authenticate(challenges.join(", "));
    }
    error.with_source(status.clone())
}

/// The kind a status without a protocol ErrorInfo has, by its code.
fn kind_of_code(status: &tonic::Status) -> ErrorKind {
    match GrpcCode::from_number(status.code() as i32) {
        Some(GrpcCode::OutOfRange | GrpcCode::ResourceExhausted) if names_a_size_limit(status) => {
            // tonic refusing to send our own request is about the request.
            if status.message().contains("encoded message length too large") {
                ErrorKind::InvalidParams
            } else {
                ErrorKind::InvalidResponse
            }
        }
        Some(GrpcCode::NotFound) => ErrorKind::TaskNotFound,
        Some(GrpcCode::InvalidArgument | GrpcCode::OutOfRange) => ErrorKind::InvalidParams,
        Some(GrpcCode::FailedPrecondition) => ErrorKind::UnsupportedOperation,
        Some(GrpcCode::Unimplemented) => ErrorKind::MethodNotFound,
        Some(GrpcCode::Unauthenticated) => ErrorKind::Unauthenticated,
        Some(GrpcCode::PermissionDenied) => ErrorKind::PermissionDenied,
        Some(GrpcCode::Unavailable) => ErrorKind::Connect,
        Some(GrpcCode::ResourceExhausted) => ErrorKind::ResourceExhausted,
        Some(GrpcCode::DeadlineExceeded) => ErrorKind::Timeout,
        _ => ErrorKind::Internal,
    }
}

/// Whether a status is a message size limit: tonic's ("decoded message
/// length too large") or another implementation's ("received message
/// larger than max").
fn names_a_size_limit(status: &tonic::Status) -> bool {
    let message = status.message().to_ascii_lowercase();
    [
        "message length too large",
        "larger than max",
        "message too large",
        "size limit",
    ]
    .iter()
    .any(|phrase| message.contains(phrase))
}

/// The `Any` details of a status's `grpc-status-details-bin` (none when it
/// has none, or when they do not decode).
fn status_details(status: &tonic::Status) -> Vec<prost_types::Any> {
    if status.details().is_empty() {
        return Vec::new();
    }
    tonic_types::pb::Status::decode(status.details())
        .map(|decoded| decoded.details)
        .unwrap_or_default()
}

/// One decoded detail.
enum Detail {
    ErrorInfo(pb::ErrorInfo),
    RetryInfo(std::time::Duration),
    Json(Value),
}

fn is_ours(info: &pb::ErrorInfo) -> bool {
    (info.domain.is_empty() || info.domain == ERROR_DOMAIN) && ErrorKind::from_reason(&info.reason).is_some()
}

/// A JSON object under construction: `@type` first, empty fields left out
/// (as ProtoJSON writes proto3 defaults).
struct Object(serde_json::Map<String, Value>);

impl Object {
    fn new(type_url: &str) -> Self {
        let mut map = serde_json::Map::new();
        map.insert("@type".into(), type_url.into());
        Self(map)
    }

    fn text(mut self, key: &str, value: &str) -> Self {
        if !value.is_empty() {
            self.0.insert(key.into(), value.into());
        }
        self
    }

    fn value(mut self, key: &str, value: Value) -> Self {
        let empty = match &value {
            Value::Array(items) => items.is_empty(),
            Value::Object(fields) => fields.is_empty(),
            Value::Null => true,
            _ => false,
        };
        if !empty {
            self.0.insert(key.into(), value);
        }
        self
    }

    fn done(self) -> Value {
        Value::Object(self.0)
    }
}

/// An object without `@type`, for the messages nested in a detail.
fn nested(build: impl FnOnce(Object) -> Object) -> Value {
    let mut object = build(Object::new("")).0;
    object.remove("@type");
    Value::Object(object)
}

fn sorted_map(map: HashMap<String, String>) -> Value {
    let sorted: BTreeMap<String, String> = map.into_iter().collect();
    json!(sorted)
}

fn localized(message: Option<pb::LocalizedMessage>) -> Value {
    message.map_or(Value::Null, |m| {
        nested(|o| o.text("locale", &m.locale).text("message", &m.message))
    })
}

fn error_info_json(type_url: &str, info: pb::ErrorInfo) -> Value {
    Object::new(type_url)
        .text("reason", &info.reason)
        .text("domain", &info.domain)
        .value("metadata", sorted_map(info.metadata))
        .done()
}

fn retry_json(delay: std::time::Duration) -> Value {
    json!({
        "@type": RETRY_INFO_TYPE,
        "retryDelay": format!("{}.{:09}s", delay.as_secs(), delay.subsec_nanos()),
    })
}

fn to_duration(duration: Option<prost_types::Duration>) -> std::time::Duration {
    duration.map_or(std::time::Duration::ZERO, |d| {
        let seconds = u64::try_from(d.seconds).unwrap_or(0);
        let nanos = u32::try_from(d.nanos).unwrap_or(0).min(999_999_999);
        std::time::Duration::new(seconds, nanos)
    })
}

/// Decodes a detail of one of the `google.rpc` error types as its JSON;
/// another type (or one that does not decode) keeps its bytes as `value`.
fn decode_detail(any: &prost_types::Any) -> Detail {
    let name = any.type_url.rsplit('/').next().unwrap_or_default();
    let bytes = any.value.as_slice();
    let url = any.type_url.as_str();
    let decoded = match name {
        "google.rpc.ErrorInfo" => pb::ErrorInfo::decode(bytes).ok().map(Detail::ErrorInfo),
        "google.rpc.RetryInfo" => pb::RetryInfo::decode(bytes)
            .ok()
            .map(|info| Detail::RetryInfo(to_duration(info.retry_delay))),
        "google.rpc.BadRequest" => pb::BadRequest::decode(bytes).ok().map(|m| {
            let violations: Vec<Value> = m
                .field_violations
                .into_iter()
                .map(|v| {
                    nested(|o| {
                        o.text("field", &v.field)
                            .text("description", &v.description)
                            .text("reason", &v.reason)
                            .value("localizedMessage", localized(v.localized_message))
                    })
                })
                .collect();
            Detail::Json(
                Object::new(url)
                    .value("fieldViolations", Value::Array(violations))
                    .done(),
            )
        }),
        "google.rpc.DebugInfo" => pb::DebugInfo::decode(bytes).ok().map(|m| {
            Detail::Json(
                Object::new(url)
                    .value("stackEntries", json!(m.stack_entries))
                    .text("detail", &m.detail)
                    .done(),
            )
        }),
        "google.rpc.QuotaFailure" => pb::QuotaFailure::decode(bytes).ok().map(|m| {
            let violations: Vec<Value> = m
                .violations
                .into_iter()
                .map(|v| {
                    let value = (v.quota_value != 0).then(|| v.quota_value.to_string());
                    nested(|o| {
                        o.text("subject", &v.subject)
                            .text("description", &v.description)
                            .text("apiService", &v.api_service)
                            .text("quotaMetric", &v.quota_metric)
                            .text("quotaId", &v.quota_id)
                            .value("quotaDimensions", sorted_map(v.quota_dimensions))
                            .text("quotaValue", value.as_deref().unwrap_or_default())
                            .value(
                                "futureQuotaValue",
                                v.future_quota_value.map_or(Value::Null, |n| n.to_string().into()),
                            )
                    })
                })
                .collect();
            Detail::Json(
                Object::new(url)
                    .value("violations", Value::Array(violations))
                    .done(),
            )
        }),
        "google.rpc.PreconditionFailure" => pb::PreconditionFailure::decode(bytes).ok().map(|m| {
            let violations: Vec<Value> = m
                .violations
                .into_iter()
                .map(|v| {
                    nested(|o| {
                        o.text("type", &v.r#type)
                            .text("subject", &v.subject)
                            .text("description", &v.description)
                    })
                })
                .collect();
            Detail::Json(
                Object::new(url)
                    .value("violations", Value::Array(violations))
                    .done(),
            )
        }),
        "google.rpc.RequestInfo" => pb::RequestInfo::decode(bytes).ok().map(|m| {
            Detail::Json(
                Object::new(url)
                    .text("requestId", &m.request_id)
                    .text("servingData", &m.serving_data)
                    .done(),
            )
        }),
        "google.rpc.ResourceInfo" => pb::ResourceInfo::decode(bytes).ok().map(|m| {
            Detail::Json(
                Object::new(url)
                    .text("resourceType", &m.resource_type)
                    .text("resourceName", &m.resource_name)
                    .text("owner", &m.owner)
                    .text("description", &m.description)
                    .done(),
            )
        }),
        "google.rpc.Help" => pb::Help::decode(bytes).ok().map(|m| {
            let links: Vec<Value> = m
                .links
                .into_iter()
                .map(|l| nested(|o| o.text("description", &l.description).text("url", &l.url)))
                .collect();
            Detail::Json(Object::new(url).value("links", Value::Array(links)).done())
        }),
        "google.rpc.LocalizedMessage" => pb::LocalizedMessage::decode(bytes).ok().map(|m| {
            Detail::Json(
                Object::new(url)
                    .text("locale", &m.locale)
                    .text("message", &m.message)
                    .done(),
            )
        }),
        _ => None,
    };
    decoded.unwrap_or_else(|| {
        let value = base64::engine::general_purpose::STANDARD.encode(bytes);
        Detail::Json(json!({"@type": url, "value": value}))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_a2a_error_survives_a_status() {
        for kind in ErrorKind::ALL.iter().copied().filter(|k| k.reason().is_some()) {
            let error = Error::new(kind, "what happened").with_metadata("taskId", "t1");
            let status = status_from_error(&error);
            assert_eq!(status.code() as i32, kind.grpc_code().number(), "{kind}");
            let back = error_from_status(&status);
            assert_eq!(back, error, "{kind}");
        }
    }

    #[test]
    fn field_violations_travel_as_bad_request() {
        let error = Error::invalid_field("message.parts", "must not be empty");
        let status = status_from_error(&error);
        assert_eq!(status.code(), tonic::Code::InvalidArgument);
        let back = error_from_status(&status);
        assert_eq!(back.kind(), ErrorKind::InvalidParams);
        assert_eq!(back.details()[0]["fieldViolations"][0]["field"], "message.parts");
    }

    #[test]
    fn a_bare_status_reads_by_code() {
        let back = error_from_status(&tonic::Status::not_found("gone"));
        assert_eq!((back.kind(), back.message()), (ErrorKind::TaskNotFound, "gone"));
        assert_eq!(
            error_from_status(&tonic::Status::unavailable("down")).kind(),
            ErrorKind::Connect
        );
    }
}
