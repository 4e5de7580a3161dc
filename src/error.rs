//! One error type for the whole protocol, and how it is spelled on each binding.
//!
//! An [`Error`] has a [`ErrorKind`] (which A2A or JSON-RPC error it is), a
//! human message that says what was wrong, the `metadata` of its
//! `google.rpc.ErrorInfo`, and any further `google.rpc` detail objects (such
//! as a `BadRequest` naming the invalid field).
//!
//! Each kind knows its JSON-RPC code, HTTP status, gRPC code and ErrorInfo
//! reason (the v1.0.1 table); [`Error::to_jsonrpc`] / [`Error::from_jsonrpc`]
//! and [`Error::to_http`] / [`Error::from_http`] convert to and from the wire
//! forms of the JSON-RPC and HTTP+JSON bindings.
//!
//! ```
//! use a2akit::{Error, ErrorKind};
//!
//! let err = Error::task_not_found("t-42");
//! assert_eq!(err.kind().jsonrpc_code(), -32001);
//! assert_eq!(err.kind().http_status(), 404);
//! assert_eq!(err.to_string(), "task t-42 not found");
//!
//! let body = err.to_http();
//! assert_eq!(body.error.status, "NOT_FOUND");
//! assert_eq!(body.error.details[0]["reason"], "TASK_NOT_FOUND");
//! assert_eq!(Error::from_http(404, &body).kind(), ErrorKind::TaskNotFound);
//! ```

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::jsonrpc::ErrorObject;
use crate::types::json::DecodeError;

/// The `domain` of every A2A `google.rpc.ErrorInfo`.
pub const ERROR_DOMAIN: &str = "a2a-protocol.org";

/// The `@type` of a `google.rpc.ErrorInfo` detail.
pub const ERROR_INFO_TYPE: &str = "type.googleapis.com/google.rpc.ErrorInfo";

/// The `@type` of a `google.rpc.BadRequest` detail.
pub const BAD_REQUEST_TYPE: &str = "type.googleapis.com/google.rpc.BadRequest";

/// The `@type` of a `google.rpc.RetryInfo` detail: when to try again.
pub const RETRY_INFO_TYPE: &str = "type.googleapis.com/google.rpc.RetryInfo";

/// Which error an [`Error`] is.
///
/// The first nine are the A2A errors; then come the standard JSON-RPC errors
/// and the two authentication outcomes every binding has.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The task (or push config) does not exist or is not visible to the caller.
    TaskNotFound,
    /// The task cannot be canceled, typically because it already ended.
    TaskNotCancelable,
    /// The agent does not support push notifications.
    PushNotificationNotSupported,
    /// The operation is not supported, or not on this task in its state.
    UnsupportedOperation,
    /// A media type in the request is not accepted.
    ContentTypeNotSupported,
    /// The agent produced output that breaks the protocol.
    InvalidAgentResponse,
    /// The extended card is declared but none is configured.
    ExtendedAgentCardNotConfigured,
    /// A required extension was not requested by the client.
    ExtensionSupportRequired,
    /// The requested protocol version is not served.
    VersionNotSupported,
    /// The body is not JSON (JSON-RPC -32700).
    ParseError,
    /// The JSON-RPC envelope is malformed (-32600).
    InvalidRequest,
    /// The JSON-RPC method does not exist (-32601).
    MethodNotFound,
    /// The request's parameters are invalid (-32602).
    InvalidParams,
    /// Something failed inside the server (-32603).
    Internal,
    /// The server cannot take this request now (a full store, a caller over
    /// its share); the same request may succeed later. JSON-RPC `-32000`
    /// (the first implementation-defined server error code), gRPC
    /// `RESOURCE_EXHAUSTED`, HTTP 429.
    ResourceExhausted,
    /// The caller is not authenticated.
    Unauthenticated,
    /// The caller is not allowed to do this.
    PermissionDenied,
    /// Client side: the agent could not be reached (connection refused, DNS, TLS).
    Connect,
    /// Client side: the agent did not answer in time.
    Timeout,
    /// Client side: the agent answered with an HTTP status that carries no protocol error.
    UnexpectedStatus,
    /// Client side: the agent's answer could not be read (not JSON, wrong shape, too large).
    InvalidResponse,
}

/// gRPC status codes, the ones the protocol's errors use and the rest for
/// reading a peer's status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[allow(missing_docs)]
pub enum GrpcCode {
    Ok = 0,
    Cancelled = 1,
    Unknown = 2,
    InvalidArgument = 3,
    DeadlineExceeded = 4,
    NotFound = 5,
    AlreadyExists = 6,
    PermissionDenied = 7,
    ResourceExhausted = 8,
    FailedPrecondition = 9,
    Aborted = 10,
    OutOfRange = 11,
    Unimplemented = 12,
    Internal = 13,
    Unavailable = 14,
    DataLoss = 15,
    Unauthenticated = 16,
}

impl GrpcCode {
    const NAMES: [(GrpcCode, &'static str); 17] = [
        (Self::Ok, "OK"),
        (Self::Cancelled, "CANCELLED"),
        (Self::Unknown, "UNKNOWN"),
        (Self::InvalidArgument, "INVALID_ARGUMENT"),
        (Self::DeadlineExceeded, "DEADLINE_EXCEEDED"),
        (Self::NotFound, "NOT_FOUND"),
        (Self::AlreadyExists, "ALREADY_EXISTS"),
        (Self::PermissionDenied, "PERMISSION_DENIED"),
        (Self::ResourceExhausted, "RESOURCE_EXHAUSTED"),
        (Self::FailedPrecondition, "FAILED_PRECONDITION"),
        (Self::Aborted, "ABORTED"),
        (Self::OutOfRange, "OUT_OF_RANGE"),
        (Self::Unimplemented, "UNIMPLEMENTED"),
        (Self::Internal, "INTERNAL"),
        (Self::Unavailable, "UNAVAILABLE"),
        (Self::DataLoss, "DATA_LOSS"),
        (Self::Unauthenticated, "UNAUTHENTICATED"),
    ];

    /// The code's name as written in `google.rpc.Status` JSON (`"NOT_FOUND"`).
    pub fn as_str(self) -> &'static str {
        Self::NAMES[self as usize].1
    }

    /// The code's number.
    pub fn number(self) -> i32 {
        self as i32
    }

    /// The code with this name.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::NAMES
            .iter()
            .find(|(_, n)| *n == name)
            .map(|(code, _)| *code)
    }

    /// The code with this number.
    pub fn from_number(number: i32) -> Option<Self> {
        usize::try_from(number)
            .ok()
            .and_then(|i| Self::NAMES.get(i))
            .map(|(code, _)| *code)
    }
}

impl fmt::Display for GrpcCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl ErrorKind {
    /// Every kind.
    pub const ALL: &'static [ErrorKind] = &[
        Self::TaskNotFound,
        Self::TaskNotCancelable,
        Self::PushNotificationNotSupported,
        Self::UnsupportedOperation,
        Self::ContentTypeNotSupported,
        Self::InvalidAgentResponse,
        Self::ExtendedAgentCardNotConfigured,
        Self::ExtensionSupportRequired,
        Self::VersionNotSupported,
        Self::ParseError,
        Self::InvalidRequest,
        Self::MethodNotFound,
        Self::InvalidParams,
        Self::Internal,
        Self::ResourceExhausted,
        Self::Unauthenticated,
        Self::PermissionDenied,
        Self::Connect,
        Self::Timeout,
        Self::UnexpectedStatus,
        Self::InvalidResponse,
    ];

    /// The JSON-RPC `error.code`.
    ///
    /// JSON-RPC has no authentication codes; `-31401` and `-31403` are the
    /// ones the official Go SDK uses, and the JSON-RPC binding answers those
    /// errors with HTTP 401 / 403 as well.
    pub const fn jsonrpc_code(self) -> i32 {
        match self {
            Self::TaskNotFound => -32001,
            Self::TaskNotCancelable => -32002,
            Self::PushNotificationNotSupported => -32003,
            Self::UnsupportedOperation => -32004,
            Self::ContentTypeNotSupported => -32005,
            Self::InvalidAgentResponse => -32006,
            Self::ExtendedAgentCardNotConfigured => -32007,
            Self::ExtensionSupportRequired => -32008,
            Self::VersionNotSupported => -32009,
            Self::ParseError => -32700,
            Self::InvalidRequest => -32600,
            Self::MethodNotFound => -32601,
            Self::InvalidParams => -32602,
            Self::Internal => -32603,
            Self::ResourceExhausted => -32000,
            Self::Unauthenticated => -31401,
            Self::PermissionDenied => -31403,
            // Client-side failures never travel; they read as internal errors.
            Self::Connect | Self::Timeout | Self::UnexpectedStatus | Self::InvalidResponse => -32603,
        }
    }

    /// The kind with this JSON-RPC code.
    pub fn from_jsonrpc_code(code: i64) -> Option<Self> {
        Self::ALL
            .iter()
            .copied()
            .find(|kind| i64::from(kind.jsonrpc_code()) == code)
    }

    /// The gRPC status code, also the `status` of an HTTP+JSON error body.
    pub const fn grpc_code(self) -> GrpcCode {
        match self {
            Self::TaskNotFound => GrpcCode::NotFound,
            Self::TaskNotCancelable
            | Self::PushNotificationNotSupported
            | Self::UnsupportedOperation
            | Self::ExtendedAgentCardNotConfigured
            | Self::ExtensionSupportRequired
            | Self::VersionNotSupported => GrpcCode::FailedPrecondition,
            Self::ContentTypeNotSupported | Self::ParseError | Self::InvalidRequest | Self::InvalidParams => {
                GrpcCode::InvalidArgument
            }
            Self::MethodNotFound => GrpcCode::Unimplemented,
            Self::InvalidAgentResponse | Self::Internal => GrpcCode::Internal,
            Self::ResourceExhausted => GrpcCode::ResourceExhausted,
            Self::Unauthenticated => GrpcCode::Unauthenticated,
            Self::PermissionDenied => GrpcCode::PermissionDenied,
            Self::Connect => GrpcCode::Unavailable,
            Self::Timeout => GrpcCode::DeadlineExceeded,
            Self::UnexpectedStatus => GrpcCode::Unknown,
            Self::InvalidResponse => GrpcCode::Internal,
        }
    }

    /// The HTTP status of the HTTP+JSON binding.
    pub const fn http_status(self) -> u16 {
        match self.grpc_code() {
            GrpcCode::NotFound => 404,
            GrpcCode::Internal => 500,
            GrpcCode::ResourceExhausted => 429,
            GrpcCode::Unauthenticated => 401,
            GrpcCode::PermissionDenied => 403,
            // An unknown route of the HTTP+JSON binding is a plain 404.
            GrpcCode::Unimplemented => 404,
            GrpcCode::Unavailable => 503,
            GrpcCode::DeadlineExceeded => 504,
            GrpcCode::Unknown => 502,
            _ => 400,
        }
    }

    /// The `reason` of the `google.rpc.ErrorInfo` for the nine A2A errors.
    pub const fn reason(self) -> Option<&'static str> {
        Some(match self {
            Self::TaskNotFound => "TASK_NOT_FOUND",
            Self::TaskNotCancelable => "TASK_NOT_CANCELABLE",
            Self::PushNotificationNotSupported => "PUSH_NOTIFICATION_NOT_SUPPORTED",
            Self::UnsupportedOperation => "UNSUPPORTED_OPERATION",
            Self::ContentTypeNotSupported => "CONTENT_TYPE_NOT_SUPPORTED",
            Self::InvalidAgentResponse => "INVALID_AGENT_RESPONSE",
            Self::ExtendedAgentCardNotConfigured => "EXTENDED_AGENT_CARD_NOT_CONFIGURED",
            Self::ExtensionSupportRequired => "EXTENSION_SUPPORT_REQUIRED",
            Self::VersionNotSupported => "VERSION_NOT_SUPPORTED",
            _ => return None,
        })
    }

    /// The A2A error with this ErrorInfo reason.
    pub fn from_reason(reason: &str) -> Option<Self> {
        Self::ALL
            .iter()
            .copied()
            .find(|kind| kind.reason() == Some(reason))
    }

    /// The error's name in the specification (`"TaskNotFoundError"`).
    pub const fn name(self) -> &'static str {
        match self {
            Self::TaskNotFound => "TaskNotFoundError",
            Self::TaskNotCancelable => "TaskNotCancelableError",
            Self::PushNotificationNotSupported => "PushNotificationNotSupportedError",
            Self::UnsupportedOperation => "UnsupportedOperationError",
            Self::ContentTypeNotSupported => "ContentTypeNotSupportedError",
            Self::InvalidAgentResponse => "InvalidAgentResponseError",
            Self::ExtendedAgentCardNotConfigured => "ExtendedAgentCardNotConfiguredError",
            Self::ExtensionSupportRequired => "ExtensionSupportRequiredError",
            Self::VersionNotSupported => "VersionNotSupportedError",
            Self::ParseError => "ParseError",
            Self::InvalidRequest => "InvalidRequest",
            Self::MethodNotFound => "MethodNotFound",
            Self::InvalidParams => "InvalidParams",
            Self::Internal => "InternalError",
            Self::ResourceExhausted => "ResourceExhausted",
            Self::Unauthenticated => "Unauthenticated",
            Self::PermissionDenied => "PermissionDenied",
            Self::Connect => "ConnectError",
            Self::Timeout => "TimeoutError",
            Self::UnexpectedStatus => "UnexpectedStatus",
            Self::InvalidResponse => "InvalidResponse",
        }
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The lower-level error behind an [`Error`], shared so that the error stays cheap to clone.
pub type ErrorSource = Arc<dyn std::error::Error + Send + Sync + 'static>;

/// An A2A or JSON-RPC error: what kind, what went wrong, and the details a
/// peer needs to act on it.
///
/// On the client an error may also keep what caused it (the HTTP, gRPC or
/// JSON error underneath, through [`std::error::Error::source`]) and the
/// agent's authentication challenge ([`www_authenticate`](Self::www_authenticate)).
///
/// Two errors are equal when their kind, message, metadata, details and
/// challenge are: the source is left out of the comparison, as the errors
/// underneath (an I/O error, a reqwest error) cannot be compared.
#[derive(Clone)]
pub struct Error {
    kind: ErrorKind,
    message: String,
    metadata: BTreeMap<String, String>,
    details: Vec<Value>,
    /// What only some errors have, boxed to keep every `Result` small.
    context: Option<Box<Context>>,
}

/// The client-side context of an [`Error`].
#[derive(Clone, Default)]
struct Context {
    www_authenticate: Option<String>,
    source: Option<ErrorSource>,
}

impl PartialEq for Error {
    fn eq(&self, other: &Self) -> bool {
        self.kind == other.kind
            && self.message == other.message
            && self.metadata == other.metadata
            && self.details == other.details
            && self.www_authenticate() == other.www_authenticate()
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut out = f.debug_struct("Error");
        out.field("kind", &self.kind).field("message", &self.message);
        if !self.metadata.is_empty() {
            out.field("metadata", &self.metadata);
        }
        if !self.details.is_empty() {
            out.field("details", &self.details);
        }
        if let Some(challenge) = self.www_authenticate() {
            out.field("www_authenticate", &challenge);
        }
        // The source as its message: the `Debug` of the errors underneath
        // shows internals (request metadata, connection details) that have
        // no place in a log line.
        let source = self.shared_source().map(ToString::to_string);
        if let Some(source) = &source {
            out.field("source", source);
        }
        out.finish()
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.shared_source()
            .map(|source| &**source as &(dyn std::error::Error + 'static))
    }
}

impl Error {
    /// An error of `kind` saying `message`.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Self {
            kind,
            message: message.into(),
            metadata: BTreeMap::new(),
            details: Vec::new(),
            context: None,
        }
    }

    /// Keeps `source` as the cause of this error, for
    /// [`std::error::Error::source`]. It is not part of the message, and
    /// never travels to a peer.
    ///
    /// ```
    /// use std::error::Error as _;
    ///
    /// let io = std::io::Error::new(std::io::ErrorKind::ConnectionRefused, "refused");
    /// let err = a2akit::Error::new(a2akit::ErrorKind::Connect, "the agent is down").with_source(io);
    /// assert_eq!(err.source().unwrap().to_string(), "refused");
    /// ```
    pub fn with_source(self, source: impl std::error::Error + Send + Sync + 'static) -> Self {
        self.with_shared_source(Arc::new(source))
    }

    /// Keeps an already shared `source` as the cause of this error.
    pub fn with_shared_source(mut self, source: ErrorSource) -> Self {
        self.context.get_or_insert_with(Box::default).source = Some(source);
        self
    }

    /// The source, shared: to keep it on another error.
    pub fn shared_source(&self) -> Option<&ErrorSource> {
        self.context.as_ref()?.source.as_ref()
    }

    /// Keeps the agent's authentication challenge (its `WWW-Authenticate`).
    pub fn with_www_authenticate(mut self, challenge: impl Into<String>) -> Self {
        self.context.get_or_insert_with(Box::default).www_authenticate = Some(challenge.into());
        self
    }

    /// The authentication challenge the agent answered with (the
    /// `WWW-Authenticate` header over HTTP, the `www-authenticate` metadata
    /// entry over gRPC), when it sent one: it says which scheme, realm or
    /// scope the agent wants (`Bearer realm="agent", scope="tasks:write"`).
    pub fn www_authenticate(&self) -> Option<&str> {
        self.context.as_ref()?.www_authenticate.as_deref()
    }

    /// Adds an entry to the ErrorInfo metadata (e.g. `taskId`).
    pub fn with_metadata(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.metadata.insert(key.into(), value.into());
        self
    }

    /// Replaces the message.
    pub fn with_message(mut self, message: impl Into<String>) -> Self {
        self.message = message.into();
        self
    }

    /// Adds a `google.rpc` detail object; it should carry an `@type`.
    pub fn with_detail(mut self, detail: Value) -> Self {
        self.details.push(detail);
        self
    }

    /// Which error this is.
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// The human-readable message.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The ErrorInfo metadata.
    pub fn metadata(&self) -> &BTreeMap<String, String> {
        &self.metadata
    }

    /// The detail objects other than the ErrorInfo.
    pub fn details(&self) -> &[Value] {
        &self.details
    }

    /// Task `task_id` does not exist or is not visible to the caller.
    pub fn task_not_found(task_id: &str) -> Self {
        Self::new(ErrorKind::TaskNotFound, format!("task {task_id} not found"))
            .with_metadata("taskId", task_id)
    }

    /// Task `task_id` cannot be canceled; `why` says why (e.g. "it is already completed").
    pub fn task_not_cancelable(task_id: &str, why: impl fmt::Display) -> Self {
        Self::new(
            ErrorKind::TaskNotCancelable,
            format!("task {task_id} cannot be canceled: {why}"),
        )
        .with_metadata("taskId", task_id)
    }

    /// The agent does not declare push notifications.
    pub fn push_notification_not_supported() -> Self {
        Self::new(
            ErrorKind::PushNotificationNotSupported,
            "this agent does not support push notifications",
        )
    }

    /// The operation is not supported; `why` says what exactly.
    pub fn unsupported_operation(why: impl Into<String>) -> Self {
        Self::new(ErrorKind::UnsupportedOperation, why)
    }

    /// Media type `media_type` is not accepted.
    pub fn content_type_not_supported(media_type: &str) -> Self {
        Self::new(
            ErrorKind::ContentTypeNotSupported,
            format!("media type {media_type:?} is not supported"),
        )
        .with_metadata("mediaType", media_type)
    }

    /// The agent produced output that breaks the protocol.
    pub fn invalid_agent_response(why: impl Into<String>) -> Self {
        Self::new(ErrorKind::InvalidAgentResponse, why)
    }

    /// The extended card is declared but not configured.
    pub fn extended_agent_card_not_configured() -> Self {
        Self::new(
            ErrorKind::ExtendedAgentCardNotConfigured,
            "this agent declares an extended agent card but has none configured",
        )
    }

    /// Extension `uri` is required but the client did not request it.
    pub fn extension_support_required(uri: &str) -> Self {
        Self::new(
            ErrorKind::ExtensionSupportRequired,
            format!("extension {uri} is required: list it in the A2A-Extensions header"),
        )
        .with_metadata("extension", uri)
    }

    /// Protocol version `version` is not served (an empty version is read as 0.3).
    pub fn version_not_supported(version: &str) -> Self {
        let shown = if version.is_empty() {
            "0.3 (no A2A-Version header)"
        } else {
            version
        };
        Self::new(
            ErrorKind::VersionNotSupported,
            format!(
                "protocol version {shown} is not supported; this agent serves {}",
                crate::PROTOCOL_VERSION
            ),
        )
        .with_metadata("version", version)
    }

    /// The body is not JSON.
    pub fn parse_error(why: impl Into<String>) -> Self {
        Self::new(ErrorKind::ParseError, why)
    }

    /// The JSON-RPC envelope is malformed.
    pub fn invalid_request(why: impl Into<String>) -> Self {
        Self::new(ErrorKind::InvalidRequest, why)
    }

    /// There is no method `method`.
    pub fn method_not_found(method: &str) -> Self {
        Self::new(ErrorKind::MethodNotFound, format!("method {method:?} not found"))
    }

    /// The parameters are invalid; `why` says how.
    pub fn invalid_params(why: impl Into<String>) -> Self {
        Self::new(ErrorKind::InvalidParams, why)
    }

    /// Field `field` (a path such as `message.parts`) is invalid, with a
    /// `google.rpc.BadRequest` detail naming it.
    pub fn invalid_field(field: &str, description: impl Into<String>) -> Self {
        let description = description.into();
        Self::new(ErrorKind::InvalidParams, format!("{field}: {description}")).with_detail(json!({
            "@type": BAD_REQUEST_TYPE,
            "fieldViolations": [{"field": field, "description": description}],
        }))
    }

    /// [`ErrorKind::ResourceExhausted`]: the server cannot take this now; try again later.
    pub fn resource_exhausted(why: impl Into<String>) -> Self {
        Self::new(ErrorKind::ResourceExhausted, why)
    }

    /// Adds a `google.rpc.RetryInfo` detail: the caller may try again after
    /// `delay`. The HTTP bindings also answer it as `Retry-After`.
    ///
    /// ```
    /// use std::time::Duration;
    /// let err = a2akit::Error::resource_exhausted("slow down").with_retry_after(Duration::from_millis(1500));
    /// assert_eq!(err.retry_after(), Some(Duration::from_millis(1500)));
    /// ```
    pub fn with_retry_after(self, delay: std::time::Duration) -> Self {
        let delay = format!("{}.{:09}s", delay.as_secs(), delay.subsec_nanos());
        self.with_detail(json!({"@type": RETRY_INFO_TYPE, "retryDelay": delay}))
    }

    /// When the server says to try again, from a `google.rpc.RetryInfo` detail.
    pub fn retry_after(&self) -> Option<std::time::Duration> {
        let delay = self
            .details
            .iter()
            .find(|d| d.get("@type").and_then(Value::as_str) == Some(RETRY_INFO_TYPE))?
            .get("retryDelay")?
            .as_str()?
            .strip_suffix('s')?;
        let seconds: f64 = delay.parse().ok()?;
        (seconds.is_finite() && seconds >= 0.0).then(|| std::time::Duration::from_secs_f64(seconds))
    }

    /// Something failed inside the server.
    pub fn internal(why: impl Into<String>) -> Self {
        Self::new(ErrorKind::Internal, why)
    }

    /// The caller is not authenticated.
    pub fn unauthenticated(why: impl Into<String>) -> Self {
        Self::new(ErrorKind::Unauthenticated, why)
    }

    /// The caller is not allowed to do this.
    pub fn permission_denied(why: impl Into<String>) -> Self {
        Self::new(ErrorKind::PermissionDenied, why)
    }

    /// The `google.rpc` detail objects of this error: its ErrorInfo (A2A
    /// errors only) followed by the other details.
    pub fn detail_objects(&self) -> Vec<Value> {
        let mut out = Vec::with_capacity(self.details.len() + 1);
        if let Some(reason) = self.kind.reason() {
            let mut info = serde_json::Map::new();
            info.insert("@type".into(), ERROR_INFO_TYPE.into());
            info.insert("reason".into(), reason.into());
            info.insert("domain".into(), ERROR_DOMAIN.into());
            if !self.metadata.is_empty() {
                info.insert("metadata".into(), json!(self.metadata));
            }
            out.push(Value::Object(info));
        }
        out.extend(self.details.iter().cloned());
        out
    }

    /// The JSON-RPC error object: the kind's code, the message, and the detail
    /// objects as the `data` array.
    pub fn to_jsonrpc(&self) -> ErrorObject {
        let details = self.detail_objects();
        ErrorObject {
            code: i64::from(self.kind.jsonrpc_code()),
            message: self.message.clone(),
            data: (!details.is_empty()).then_some(Value::Array(details)),
        }
    }

    /// Reads a peer's JSON-RPC error object.
    ///
    /// The kind comes from the code, or from the ErrorInfo reason when the
    /// code is not one of ours; anything else reads as [`ErrorKind::Internal`]
    /// with the code kept in the message.
    pub fn from_jsonrpc(object: &ErrorObject) -> Self {
        let details = match &object.data {
            Some(Value::Array(items)) => items.as_slice(),
            Some(single @ Value::Object(_)) => std::slice::from_ref(single),
            _ => &[],
        };
        let (reason, metadata, rest) = split_details(details);
        let kind =
            ErrorKind::from_jsonrpc_code(object.code).or_else(|| reason.and_then(ErrorKind::from_reason));
        let (kind, message) = match kind {
            Some(kind) => (kind, object.message.clone()),
            None => (
                ErrorKind::Internal,
                format!("JSON-RPC error {}: {}", object.code, object.message),
            ),
        };
        Self {
            metadata,
            details: rest,
            ..Self::new(kind, message)
        }
    }

    /// The HTTP+JSON error body (`google.rpc.Status` under `"error"`); send it
    /// with [`ErrorKind::http_status`].
    pub fn to_http(&self) -> HttpErrorBody {
        HttpErrorBody {
            error: HttpError {
                code: i32::from(self.kind.http_status()),
                status: self.kind.grpc_code().as_str().to_owned(),
                message: self.message.clone(),
                details: self.detail_objects(),
            },
        }
    }

    /// Reads a peer's HTTP+JSON error: the kind from the ErrorInfo reason when
    /// there is one, else from the status name, else from the HTTP status.
    pub fn from_http(http_status: u16, body: &HttpErrorBody) -> Self {
        let (reason, metadata, rest) = split_details(&body.error.details);
        let kind = reason.and_then(ErrorKind::from_reason).unwrap_or_else(|| {
            let code = GrpcCode::from_name(&body.error.status).unwrap_or(match http_status {
                401 => GrpcCode::Unauthenticated,
                403 => GrpcCode::PermissionDenied,
                404 => GrpcCode::NotFound,
                429 => GrpcCode::ResourceExhausted,
                400..=499 => GrpcCode::InvalidArgument,
                _ => GrpcCode::Internal,
            });
            match code {
                GrpcCode::NotFound => ErrorKind::TaskNotFound,
                GrpcCode::InvalidArgument | GrpcCode::OutOfRange => ErrorKind::InvalidParams,
                GrpcCode::FailedPrecondition | GrpcCode::Unimplemented => ErrorKind::UnsupportedOperation,
                GrpcCode::Unauthenticated => ErrorKind::Unauthenticated,
                GrpcCode::PermissionDenied => ErrorKind::PermissionDenied,
                GrpcCode::ResourceExhausted => ErrorKind::ResourceExhausted,
                _ => ErrorKind::Internal,
            }
        });
        Self {
            metadata,
            details: rest,
            ..Self::new(kind, body.error.message.clone())
        }
    }
}

/// Splits detail objects into the A2A ErrorInfo's reason and metadata and the rest.
fn split_details(details: &[Value]) -> (Option<&str>, BTreeMap<String, String>, Vec<Value>) {
    let mut reason = None;
    let mut metadata = BTreeMap::new();
    let mut rest = Vec::new();
    for detail in details {
        let is_ours = reason.is_none()
            && detail.get("@type").and_then(Value::as_str) == Some(ERROR_INFO_TYPE)
            && detail
                .get("domain")
                .and_then(Value::as_str)
                .is_none_or(|d| d == ERROR_DOMAIN);
        if is_ours {
            reason = detail.get("reason").and_then(Value::as_str);
            if let Some(Value::Object(entries)) = detail.get("metadata") {
                for (key, value) in entries {
                    let value = value.as_str().map_or_else(|| value.to_string(), str::to_owned);
                    metadata.insert(key.clone(), value);
                }
            }
        } else {
            rest.push(detail.clone());
        }
    }
    (reason, metadata, rest)
}

/// The body of an HTTP+JSON error response: `{"error": {…}}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HttpErrorBody {
    /// The status.
    pub error: HttpError,
}

/// A `google.rpc.Status` as the HTTP+JSON binding writes it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HttpError {
    /// The HTTP status code.
    #[serde(default, deserialize_with = "crate::types::protojson::nullable")]
    pub code: i32,
    /// The gRPC code name (`"NOT_FOUND"`).
    #[serde(default, deserialize_with = "crate::types::protojson::nullable")]
    pub status: String,
    /// The human-readable message.
    #[serde(default, deserialize_with = "crate::types::protojson::nullable")]
    pub message: String,
    /// `google.rpc` detail objects, each with an `@type`.
    #[serde(
        default,
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "crate::types::protojson::nullable"
    )]
    pub details: Vec<Value>,
}

impl From<DecodeError> for Error {
    /// Input that is not JSON is a parse error; JSON of the wrong shape is
    /// invalid params with a `BadRequest` naming the field.
    fn from(err: DecodeError) -> Self {
        if err.is_syntax() {
            Error::parse_error(format!("invalid JSON: {}", err.message()))
        } else {
            Error::invalid_field(err.path(), err.message())
        }
    }
}

impl From<&Error> for ErrorObject {
    fn from(err: &Error) -> Self {
        err.to_jsonrpc()
    }
}

impl From<ErrorObject> for Error {
    fn from(object: ErrorObject) -> Self {
        Error::from_jsonrpc(&object)
    }
}
