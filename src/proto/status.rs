//! Protocol errors as gRPC statuses and back: the code of the v1.0.1 table,
//! the message, and a `google.rpc.ErrorInfo` (and `BadRequest`, when the
//! error names fields) in `grpc-status-details-bin`.

use std::collections::HashMap;

use tonic_types::{ErrorDetails, FieldViolation, StatusExt as _};

use crate::error::{BAD_REQUEST_TYPE, ERROR_DOMAIN, GrpcCode};
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

/// The protocol error a gRPC status carries: by its ErrorInfo reason when it
/// has one from the protocol's domain, else by its code.
pub fn error_from_status(status: &tonic::Status) -> Error {
    let details = status.get_error_details();
    let from_reason = details
        .error_info()
        .filter(|info| info.domain.is_empty() || info.domain == ERROR_DOMAIN)
        .and_then(|info| ErrorKind::from_reason(&info.reason).map(|kind| (kind, info.metadata.clone())));
    let (kind, metadata) = match from_reason {
        Some(found) => found,
        None => {
            let kind = match GrpcCode::from_number(status.code() as i32) {
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
            };
            (kind, HashMap::new())
        }
    };
    let mut error = Error::new(kind, status.message());
    let mut entries: Vec<_> = metadata.into_iter().collect();
    entries.sort();
    for (key, value) in entries {
        error = error.with_metadata(key, value);
    }
    if let Some(delay) = details.retry_info().and_then(|info| info.retry_delay) {
        error = error.with_retry_after(delay);
    }
    if let Some(bad_request) = details.bad_request() {
        for violation in &bad_request.field_violations {
            error = error.with_detail(serde_json::json!({
                "@type": BAD_REQUEST_TYPE,
                "fieldViolations": [{"field": violation.field, "description": violation.description}],
            }));
        }
    }
    error
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
