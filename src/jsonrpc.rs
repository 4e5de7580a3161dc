//! The JSON-RPC 2.0 envelope of the JSON-RPC binding.
//!
//! A request names one of the eleven [`Method`]s and carries the operation's
//! request message as `params`; a response carries its `result` or an
//! [`ErrorObject`], echoing the request's [`Id`] with its JSON type.
//!
//! ```
//! use a2akit::jsonrpc::{Id, Method, Request, Response};
//! use a2akit::types::{GetTaskRequest, Task, TaskState, TaskStatus};
//!
//! let request = Request::parse(br#"{"jsonrpc":"2.0","id":7,"method":"GetTask","params":{"id":"t1"}}"#).unwrap();
//! assert_eq!(request.method, "GetTask");
//! assert_eq!(request.known_method(), Some(Method::GetTask));
//! let params: GetTaskRequest = request.params_as().unwrap();
//! assert_eq!(params.id, "t1");
//!
//! let task = Task::new("t1", "c1", TaskStatus::new(TaskState::Working));
//! let response = Response::success(request.id.clone(), task);
//! let json = serde_json::to_value(&response).unwrap();
//! assert_eq!(json["id"], 7);
//! assert_eq!(json["result"]["status"]["state"], "TASK_STATE_WORKING");
//! ```

use std::fmt;
use std::str::FromStr;

use serde::de::{self, DeserializeOwned, Deserializer, MapAccess, Visitor};
use serde::ser::{SerializeMap, Serializer};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use serde_json::value::RawValue;

use crate::error::Error;
use crate::types::json;

/// The `jsonrpc` member of every envelope.
pub const VERSION: &str = "2.0";

/// Generates [`Method`] from the operation table (`crate::operations`).
macro_rules! methods {
    ($(
        $(#[doc = $doc:literal])*
        $Name:ident = $wire:literal,
        $fn:ident($Request:ident) -> $kind:ident $Response:ident, idempotent: $idempotent:literal;
    )*) => {
        /// The eleven methods of the JSON-RPC binding (the gRPC rpc names).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum Method {
            $(
                #[doc = concat!("`", $wire, "`: ")]
                $(#[doc = $doc])*
                #[doc = ""]
                #[doc = shape!($kind $Request $Response)]
                $Name,
            )*
        }

        impl Method {
            /// Every method.
            pub const ALL: &'static [Method] = &[$(Self::$Name),*];

            /// The method name on the wire.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $(Self::$Name => $wire,)*
                }
            }

            /// Whether the method answers with an SSE stream.
            pub const fn is_streaming(self) -> bool {
                match self {
                    $(Self::$Name => streams!($kind),)*
                }
            }

            /// Whether sending the request twice does no more than sending it
            /// once: what a client may repeat after a timeout.
            pub const fn is_idempotent(self) -> bool {
                match self {
                    $(Self::$Name => $idempotent,)*
                }
            }

            /// The method of a wire name.
            fn from_wire(name: &str) -> Option<Self> {
                match name {
                    $($wire => Some(Self::$Name),)*
                    _ => None,
                }
            }
        }
    };
}

/// A method's params and result, for its docs.
macro_rules! shape {
    (unary $Request:ident $Response:ident) => {
        concat!(
            "Params ",
            type_link!($Request),
            ", result ",
            type_link!($Response),
            "."
        )
    };
    (stream $Request:ident $Response:ident) => {
        concat!(
            "Params ",
            type_link!($Request),
            ", an SSE stream of ",
            type_link!($Response),
            "."
        )
    };
}

/// A doc link to a message of [`crate::types`].
macro_rules! type_link {
    ($Type:ident) => {
        concat!(
            "[`",
            stringify!($Type),
            "`](crate::types::",
            stringify!($Type),
            ")"
        )
    };
}

/// Whether an operation of this kind streams.
macro_rules! streams {
    (unary) => {
        false
    };
    (stream) => {
        true
    };
}

crate::operations::for_each_operation!(methods);

impl fmt::Display for Method {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Method {
    type Err = Error;

    /// Parses a method name; v0.3 names such as `message/send` are not methods of 1.0.
    fn from_str(name: &str) -> Result<Self, Error> {
        Self::from_wire(name).ok_or_else(|| Error::method_not_found(name))
    }
}

/// A request id: a string, a number, or `null`. Responses echo it unchanged,
/// number as number and string as string. [`Request::parse`] refuses an
/// integer id beyond the 64-bit range, which could not be echoed exactly.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub enum Id {
    /// A string id.
    String(String),
    /// A numeric id, kept exactly as sent.
    Number(serde_json::Number),
    /// `null`, also used in an error response when the request's id could not be read.
    #[default]
    Null,
}

impl From<&str> for Id {
    fn from(id: &str) -> Self {
        Id::String(id.to_owned())
    }
}

impl From<String> for Id {
    fn from(id: String) -> Self {
        Id::String(id)
    }
}

impl From<i64> for Id {
    fn from(id: i64) -> Self {
        Id::Number(id.into())
    }
}

impl fmt::Display for Id {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Id::String(s) => write!(f, "{s:?}"),
            Id::Number(n) => write!(f, "{n}"),
            Id::Null => f.write_str("null"),
        }
    }
}

impl Serialize for Id {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Id::String(s) => serializer.serialize_str(s),
            Id::Number(n) => n.serialize(serializer),
            Id::Null => serializer.serialize_unit(),
        }
    }
}

impl<'de> Deserialize<'de> for Id {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct IdVisitor;
        impl Visitor<'_> for IdVisitor {
            type Value = Id;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a string, a number or null")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Id, E> {
                Ok(Id::String(v.to_owned()))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Id, E> {
                Ok(Id::String(v))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Id, E> {
                Ok(Id::Number(v.into()))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Id, E> {
                Ok(Id::Number(v.into()))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Id, E> {
                serde_json::Number::from_f64(v)
                    .map(Id::Number)
                    .ok_or_else(|| E::custom("id is not a finite number"))
            }
            fn visit_unit<E: de::Error>(self) -> Result<Id, E> {
                Ok(Id::Null)
            }
        }
        deserializer.deserialize_any(IdVisitor)
    }
}

/// A JSON-RPC request whose `params` are kept as raw JSON until the method is known.
#[derive(Debug, Clone)]
pub struct Request {
    /// The id; [`Id::Null`] for a notification (which still gets an answer).
    pub id: Id,
    /// The method name as sent.
    pub method: String,
    /// The params, unparsed; `None` when absent or `null`.
    pub params: Option<Box<RawValue>>,
}

/// A request that could not be read, with the id to answer it with (`null`
/// when the id itself could not be read).
#[derive(Debug, Clone, PartialEq)]
pub struct RejectedRequest {
    /// The id for the error response.
    pub id: Id,
    /// What was wrong: a parse error or an invalid request.
    pub error: Error,
}

/// The members of an envelope, read without judging them yet.
#[derive(Deserialize)]
struct RawEnvelope<'a> {
    #[serde(borrow, default)]
    jsonrpc: Option<&'a RawValue>,
    #[serde(borrow, default)]
    id: Option<&'a RawValue>,
    #[serde(borrow, default)]
    method: Option<&'a RawValue>,
    #[serde(borrow, default)]
    params: Option<&'a RawValue>,
}

impl Request {
    /// A request for `method` with these params.
    pub fn new<P: Serialize>(id: impl Into<Id>, method: Method, params: &P) -> Result<Self, Error> {
        let params = serde_json::value::to_raw_value(params)
            .map_err(|err| Error::internal(format!("cannot encode params: {err}")))?;
        Ok(Self {
            id: id.into(),
            method: method.as_str().to_owned(),
            params: Some(params),
        })
    }

    /// Reads and checks an envelope: JSON (else -32700), one object (a batch
    /// or a scalar is -32600), `"jsonrpc": "2.0"`, a string `method`, an id
    /// that is a string, a number or null, and `params` that are an object
    /// or absent.
    pub fn parse(body: &[u8]) -> Result<Self, RejectedRequest> {
        let reject = |id: Id, error: Error| RejectedRequest { id, error };
        let first = body.iter().find(|b| !b.is_ascii_whitespace());
        if first == Some(&b'[') {
            serde_json::from_slice::<de::IgnoredAny>(body)
                .map_err(|err| reject(Id::Null, Error::parse_error(format!("invalid JSON: {err}"))))?;
            return Err(reject(
                Id::Null,
                Error::invalid_request("batch requests are not supported"),
            ));
        }
        let envelope: RawEnvelope = match serde_json::from_slice(body) {
            Ok(envelope) => envelope,
            Err(err) if err.is_data() => {
                return Err(reject(
                    Id::Null,
                    Error::invalid_request("a JSON-RPC request must be a JSON object"),
                ));
            }
            Err(err) => {
                return Err(reject(
                    Id::Null,
                    Error::parse_error(format!("invalid JSON: {err}")),
                ));
            }
        };
        let id = match envelope.id {
            None => Id::Null,
            Some(raw) => {
                let text = raw.get();
                // An integer beyond 64 bits would come back rounded: refuse it
                // rather than answer with an id the client never sent.
                let integer = text.bytes().all(|b| b.is_ascii_digit() || b == b'-');
                if integer && text.parse::<i64>().is_err() && text.parse::<u64>().is_err() {
                    return Err(reject(
                        Id::Null,
                        Error::invalid_request("a numeric id must fit in 64 bits"),
                    ));
                }
                serde_json::from_str::<Id>(text).map_err(|_| {
                    reject(
                        Id::Null,
                        Error::invalid_request("id must be a string, a number or null"),
                    )
                })?
            }
        };
        match envelope
            .jsonrpc
            .map(|raw| serde_json::from_str::<String>(raw.get()))
        {
            Some(Ok(version)) if version == VERSION => {}
            _ => {
                return Err(reject(id, Error::invalid_request("\"jsonrpc\" must be \"2.0\"")));
            }
        }
        let method = match envelope
            .method
            .map(|raw| serde_json::from_str::<String>(raw.get()))
        {
            Some(Ok(method)) => method,
            _ => {
                return Err(reject(id, Error::invalid_request("\"method\" must be a string")));
            }
        };
        let params = match envelope.params {
            None => None,
            Some(raw) if raw.get() == "null" => None,
            Some(raw) if raw.get().starts_with('{') => Some(raw.to_owned()),
            Some(_) => {
                return Err(reject(id, Error::invalid_params("\"params\" must be an object")));
            }
        };
        Ok(Self { id, method, params })
    }

    /// The method, if it is one of the eleven.
    pub fn known_method(&self) -> Option<Method> {
        self.method.parse().ok()
    }

    /// Reads the params as the operation's request message; absent params
    /// read as `{}`. Errors are invalid params naming the field.
    pub fn params_as<T: DeserializeOwned>(&self) -> Result<T, Error> {
        let raw = self.params.as_ref().map_or("{}", |raw| raw.get());
        json::from_str(raw).map_err(|err| {
            let mut err = Error::from(err);
            if err.kind() == crate::ErrorKind::ParseError {
                err = Error::invalid_params(err.message().to_owned());
            }
            err
        })
    }
}

impl Serialize for Request {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry("jsonrpc", VERSION)?;
        map.serialize_entry("id", &self.id)?;
        map.serialize_entry("method", &self.method)?;
        if let Some(params) = &self.params {
            map.serialize_entry("params", params)?;
        }
        map.end()
    }
}

/// The `error` member of a JSON-RPC response.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ErrorObject {
    /// The error code.
    pub code: i64,
    /// A short description.
    #[serde(default, deserialize_with = "crate::types::protojson::nullable")]
    pub message: String,
    /// For A2A errors, an array of `google.rpc` detail objects each with an `@type`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data: Option<Value>,
}

/// A JSON-RPC response: the request's id and either a result or an error.
#[derive(Debug, Clone, PartialEq)]
pub struct Response<T> {
    /// The id of the request this answers.
    pub id: Id,
    /// The result, or the error.
    pub outcome: Result<T, ErrorObject>,
}

impl<T> Response<T> {
    /// A successful response.
    pub fn success(id: Id, result: T) -> Self {
        Self {
            id,
            outcome: Ok(result),
        }
    }

    /// An error response.
    pub fn error(id: Id, error: &Error) -> Self {
        Self {
            id,
            outcome: Err(error.to_jsonrpc()),
        }
    }

    /// The result, or the error as an [`Error`].
    pub fn into_result(self) -> Result<T, Error> {
        self.outcome.map_err(|object| Error::from_jsonrpc(&object))
    }
}

impl<T: Serialize> Serialize for Response<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(3))?;
        map.serialize_entry("jsonrpc", VERSION)?;
        map.serialize_entry("id", &self.id)?;
        match &self.outcome {
            Ok(result) => map.serialize_entry("result", result)?,
            Err(error) => map.serialize_entry("error", error)?,
        }
        map.end()
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Response<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct ResponseVisitor<T>(std::marker::PhantomData<T>);

        impl<'de, T: Deserialize<'de>> Visitor<'de> for ResponseVisitor<T> {
            type Value = Response<T>;

            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a JSON-RPC response object")
            }

            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Response<T>, A::Error> {
                let mut id = None;
                let mut version_ok = false;
                let mut outcome = None;
                // Keys and the version are compared in place, without allocating.
                while let Some(key) = map.next_key::<ResponseField>()? {
                    match key {
                        ResponseField::Jsonrpc => version_ok = map.next_value::<VersionTag>()?.0,
                        ResponseField::Id => id = Some(map.next_value::<Id>()?),
                        ResponseField::Result if outcome.is_none() => {
                            outcome = Some(Ok(map.next_value::<T>()?))
                        }
                        // Some servers write `"error": null` beside a result.
                        ResponseField::Error => match map.next_value::<Option<ErrorObject>>()? {
                            None => {}
                            Some(error) if outcome.is_none() => outcome = Some(Err(error)),
                            Some(_) => {
                                return Err(de::Error::custom("a response has both `result` and `error`"));
                            }
                        },
                        ResponseField::Result => {
                            return Err(de::Error::custom("a response has both `result` and `error`"));
                        }
                        ResponseField::Other => {
                            map.next_value::<de::IgnoredAny>()?;
                        }
                    }
                }
                if !version_ok {
                    return Err(de::Error::custom("\"jsonrpc\" must be \"2.0\""));
                }
                let outcome =
                    outcome.ok_or_else(|| de::Error::custom("a response needs `result` or `error`"))?;
                Ok(Response {
                    id: id.unwrap_or_default(),
                    outcome,
                })
            }
        }

        /// The members of a response envelope.
        enum ResponseField {
            Jsonrpc,
            Id,
            Result,
            Error,
            Other,
        }

        impl<'de> Deserialize<'de> for ResponseField {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                struct FieldVisitor;
                impl Visitor<'_> for FieldVisitor {
                    type Value = ResponseField;
                    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                        f.write_str("a member name")
                    }
                    fn visit_str<E: de::Error>(self, key: &str) -> Result<ResponseField, E> {
                        Ok(match key {
                            "jsonrpc" => ResponseField::Jsonrpc,
                            "id" => ResponseField::Id,
                            "result" => ResponseField::Result,
                            "error" => ResponseField::Error,
                            _ => ResponseField::Other,
                        })
                    }
                }
                deserializer.deserialize_identifier(FieldVisitor)
            }
        }

        /// Whether the `jsonrpc` member says `"2.0"`.
        struct VersionTag(bool);

        impl<'de> Deserialize<'de> for VersionTag {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                struct TagVisitor;
                impl Visitor<'_> for TagVisitor {
                    type Value = VersionTag;
                    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                        f.write_str("\"2.0\"")
                    }
                    fn visit_str<E: de::Error>(self, value: &str) -> Result<VersionTag, E> {
                        Ok(VersionTag(value == VERSION))
                    }
                }
                deserializer.deserialize_str(TagVisitor)
            }
        }

        deserializer.deserialize_map(ResponseVisitor(std::marker::PhantomData))
    }
}
