//! The v0.3 JSON-RPC error codes, and [`ErrorKind`] through them.
//!
//! v0.3 has seven A2A errors, with the codes 1.0 kept for them (1.0 added
//! `-32008` and `-32009`), and the standard JSON-RPC errors. Written to a
//! v0.3 peer:
//!
//! - the seven A2A errors and the JSON-RPC errors keep their codes
//!   (`ExtendedAgentCardNotConfigured` is v0.3's
//!   `AuthenticatedExtendedCardNotConfiguredError`, `-32007`);
//! - the two 1.0-only errors, `ExtensionSupportRequired` and
//!   `VersionNotSupported`, have no v0.3 code and are sent as
//!   InvalidRequest (`-32600`), the request being one the agent cannot
//!   serve as sent; their kind is lost;
//! - the errors v0.3 leaves to the implementation keep this crate's codes
//!   (`-32000` ResourceExhausted, `-31401` Unauthenticated, `-31403`
//!   PermissionDenied);
//! - the error object carries no `google.rpc.ErrorInfo` (a 1.0 detail); the
//!   other details, if any, go in `data` as an array.
//!
//! Read from a v0.3 peer, a code means what it means in 1.0 (so `-32008`
//! and `-32009` read too), and an unknown code is an internal error, as
//! [`Error::from_jsonrpc`] reads it.
//!
//! ```
//! use a2akit::{Error, ErrorKind, v0_3};
//!
//! assert_eq!(v0_3::error::code(ErrorKind::ExtendedAgentCardNotConfigured), -32007);
//! assert_eq!(v0_3::error::code(ErrorKind::VersionNotSupported), -32600);
//! assert_eq!(v0_3::error::kind(-32004), Some(ErrorKind::UnsupportedOperation));
//!
//! let object = v0_3::error::to_jsonrpc(&Error::task_not_found("t1"));
//! assert_eq!((object.code, &object.data), (-32001, &None));
//! assert_eq!(v0_3::error::from_jsonrpc(&object).kind(), ErrorKind::TaskNotFound);
//! ```

use serde_json::Value;

use crate::error::ERROR_INFO_TYPE;
use crate::jsonrpc::ErrorObject;
use crate::{Error, ErrorKind};

/// `TaskNotFoundError`.
pub const TASK_NOT_FOUND: i32 = -32001;
/// `TaskNotCancelableError`.
pub const TASK_NOT_CANCELABLE: i32 = -32002;
/// `PushNotificationNotSupportedError`.
pub const PUSH_NOTIFICATION_NOT_SUPPORTED: i32 = -32003;
/// `UnsupportedOperationError`.
pub const UNSUPPORTED_OPERATION: i32 = -32004;
/// `ContentTypeNotSupportedError`.
pub const CONTENT_TYPE_NOT_SUPPORTED: i32 = -32005;
/// `InvalidAgentResponseError`.
pub const INVALID_AGENT_RESPONSE: i32 = -32006;
/// `AuthenticatedExtendedCardNotConfiguredError`.
pub const AUTHENTICATED_EXTENDED_CARD_NOT_CONFIGURED: i32 = -32007;

/// The code a v0.3 peer is sent for an error of this kind (see the module docs).
pub const fn code(kind: ErrorKind) -> i32 {
    match kind {
        ErrorKind::ExtensionSupportRequired | ErrorKind::VersionNotSupported => {
            ErrorKind::InvalidRequest.jsonrpc_code()
        }
        other => other.jsonrpc_code(),
    }
}

/// The kind of an error a v0.3 peer sent with this code.
pub fn kind(code: i64) -> Option<ErrorKind> {
    ErrorKind::from_jsonrpc_code(code)
}

/// The error object to send a v0.3 peer: its code, the message, and the
/// details but the ErrorInfo in `data`.
pub fn to_jsonrpc(error: &Error) -> ErrorObject {
    let details: Vec<Value> = error
        .details()
        .iter()
        .filter(|detail| detail.get("@type").and_then(Value::as_str) != Some(ERROR_INFO_TYPE))
        .cloned()
        .collect();
    ErrorObject {
        code: i64::from(code(error.kind())),
        message: error.message().to_owned(),
        data: (!details.is_empty()).then_some(Value::Array(details)),
    }
}

/// Reads an error object a v0.3 peer sent.
pub fn from_jsonrpc(object: &ErrorObject) -> Error {
    Error::from_jsonrpc(object)
}
