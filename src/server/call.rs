//! Who is calling, for which tenant, with which extensions: what a binding
//! learns from the transport and hands to the handler.

/// The caller's identity, as an authentication layer established it.
///
/// Insert it into the request's extensions (e.g. from a tower layer that
/// checks a bearer token) and the bindings pass it on: each task belongs to
/// the caller that created it, and other callers see it as not found.
///
/// ```
/// use a2akit::server::Caller;
/// let caller = Caller::new("user-42");
/// assert_eq!(caller.id(), "user-42");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Caller {
    id: String,
}

impl Caller {
    /// A caller known by `id`.
    pub fn new(id: impl Into<String>) -> Self {
        Self { id: id.into() }
    }

    /// The caller's id.
    pub fn id(&self) -> &str {
        &self.id
    }
}

/// The transport-level facts of one call.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CallContext {
    /// The tenant (from the request or the `/{tenant}` path prefix); empty for none.
    pub tenant: String,
    /// The authenticated caller, if an authentication layer set one.
    pub caller: Option<Caller>,
    /// The extension URIs the client listed in `A2A-Extensions`.
    pub extensions: Vec<String>,
    /// The client's address, when the server knows it (axum's
    /// `ConnectInfo<SocketAddr>`, which [`serve`](crate::server::serve) provides).
    pub remote: Option<std::net::SocketAddr>,
    /// The binding the call came in on (`JSONRPC`, `HTTP+JSON`, `GRPC`);
    /// empty for a call made in code.
    pub binding: &'static str,
    /// The caller's W3C `traceparent`, when it sent one (the operation's
    /// span continues its trace with the `telemetry` feature).
    pub traceparent: Option<String>,
    /// The caller's W3C `tracestate`, when it sent one.
    pub tracestate: Option<String>,
}

impl CallContext {
    /// A call for `tenant` by an anonymous caller.
    pub fn new(tenant: impl Into<String>) -> Self {
        Self {
            tenant: tenant.into(),
            ..Self::default()
        }
    }

    /// Sets the caller.
    pub fn with_caller(mut self, caller: Caller) -> Self {
        self.caller = Some(caller);
        self
    }

    /// Sets the requested extensions.
    pub fn with_extensions(mut self, extensions: Vec<String>) -> Self {
        self.extensions = extensions;
        self
    }

    /// The extension URIs of `A2A-Extensions` values (header or metadata):
    /// comma-separated, blanks ignored, any number of values.
    pub(crate) fn parse_extensions<'a>(values: impl Iterator<Item = &'a str>) -> Vec<String> {
        values
            .flat_map(|value| value.split(','))
            .map(str::trim)
            .filter(|uri| !uri.is_empty())
            .map(str::to_owned)
            .collect()
    }

    /// The owner key of tasks this caller creates: its id, or empty when anonymous.
    pub(crate) fn owner(&self) -> &str {
        self.caller.as_ref().map_or("", |c| c.id())
    }
}
