//! From an agent's URL to a [`Client`]: fetch and cache the card, pick the
//! interface, build the transport.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::Client;
use super::interceptor::Interceptor;
use super::retry::RetryPolicy;
use super::transport::{HttpCore, JsonRpcTransport, RestTransport, Transport, read_body};
use crate::types::{AgentCard, AgentInterface, binding, json};
use crate::{Error, ErrorKind};

/// The path of the public agent card, appended to an agent's base URL.
pub const AGENT_CARD_PATH: &str = "/.well-known/agent-card.json";

/// Builds [`Client`]s: resolves agent cards (cached, revalidated with
/// `ETag` / `If-Modified-Since`), picks the interface to use, and carries
/// the settings every client it builds shares.
///
/// ```no_run
/// # async fn run() -> Result<(), a2akit::Error> {
/// use a2akit::client::{BearerToken, ClientFactory};
/// use a2akit::types::{Message, SendMessageRequest, binding};
///
/// let factory = ClientFactory::new()
///     .preferred_bindings([binding::HTTP_JSON, binding::JSONRPC])
///     .interceptor(BearerToken::new("secret"));
/// let client = factory.connect("https://agent.example.com").await?;
/// let answer = client.send_message(SendMessageRequest::new(Message::user("hello"))).await?;
/// # Ok(()) }
/// ```
pub struct ClientFactory {
    core: HttpCore,
    preferences: Vec<String>,
    own_order: bool,
    body_limit: usize,
    cards: Mutex<HashMap<String, CachedCard>>,
}

impl std::fmt::Debug for ClientFactory {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientFactory")
            .field("preferences", &self.preferences)
            .finish_non_exhaustive()
    }
}

#[derive(Clone)]
struct CachedCard {
    card: AgentCard,
    etag: Option<String>,
    last_modified: Option<String>,
    fresh_until: Instant,
}

impl Default for ClientFactory {
    fn default() -> Self {
        Self::new()
    }
}

impl ClientFactory {
    /// A factory preferring JSON-RPC, then HTTP+JSON, with a default HTTP
    /// client (rustls, 10 s connect timeout, `TCP_NODELAY`).
    pub fn new() -> Self {
        let http = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(10))
            .tcp_nodelay(true)
            .build()
            .expect("the default HTTP client builds");
        Self::with_http_client(http)
    }

    /// A factory whose clients trust and show what `tls` says, on HTTP and
    /// gRPC alike, with the default HTTP settings otherwise.
    pub fn with_tls(tls: super::ClientTls) -> Result<Self, Error> {
        let builder = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(10))
            .tcp_nodelay(true);
        let http = tls
            .apply(builder)?
            .build()
            .map_err(|err| Error::invalid_params(format!("the TLS settings do not make a client: {err}")))?;
        let mut factory = Self::with_http_client(http);
        factory.core.tls = Some(tls);
        Ok(factory)
    }

    /// A factory on your own `reqwest::Client` (proxies, TLS roots, pools…).
    /// Its TLS settings cover the HTTP bindings; gRPC channels use the
    /// Mozilla roots (see [`with_tls`](Self::with_tls) for both).
    pub fn with_http_client(http: reqwest::Client) -> Self {
        Self {
            core: HttpCore::new(http),
            preferences: vec![binding::JSONRPC.to_owned(), binding::HTTP_JSON.to_owned()],
            own_order: false,
            body_limit: 16 << 20,
            cards: Mutex::default(),
        }
    }

    /// The bindings this client may use (see [`binding`]); interfaces in
    /// others are ignored. By default the card's order decides among them.
    pub fn preferred_bindings<S: Into<String>>(mut self, bindings: impl IntoIterator<Item = S>) -> Self {
        self.preferences = bindings.into_iter().map(Into::into).collect();
        self
    }

    /// Lets the order of [`preferred_bindings`](Self::preferred_bindings)
    /// decide between the card's interfaces, instead of the card's own order.
    pub fn prefer_own_order(mut self, yes: bool) -> Self {
        self.own_order = yes;
        self
    }

    /// Adds an interceptor (credentials, tracing headers…).
    pub fn interceptor(mut self, interceptor: impl Interceptor) -> Self {
        self.core.interceptors.push(Arc::new(interceptor));
        self
    }

    /// Sets the retry policy (default: [`RetryPolicy::default`]).
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.core.retry = policy;
        self
    }

    /// Bounds each attempt of a call, and the wait for a stream's first
    /// response (default 60 s); `None` for no bound. A `SendMessage` is the
    /// exception: it waits for its task to finish or need input, however
    /// long the agent works, unless [`send_timeout`](Self::send_timeout)
    /// bounds it.
    pub fn timeout(mut self, timeout: Option<Duration>) -> Self {
        self.core.call_timeout = timeout;
        self
    }

    /// Bounds a `SendMessage` (default: no bound, as the call waits for the
    /// agent's work). Past it the call fails with
    /// [`ErrorKind::Timeout`](crate::ErrorKind::Timeout); the task goes on,
    /// and `GetTask` or `SubscribeToTask` finds it.
    pub fn send_timeout(mut self, timeout: Option<Duration>) -> Self {
        self.core.send_timeout = timeout;
        self
    }

    /// How long a stream over JSON-RPC or HTTP+JSON may stay silent (no
    /// byte at all, keep-alive comments included) before the client gives
    /// up on it (default 60 s: servers send keep-alives every 15 s or so);
    /// `None` to wait forever. A silent stream is resumed like a broken one
    /// where the agent allows it, else it ends with
    /// [`ErrorKind::Timeout`](crate::ErrorKind::Timeout). gRPC streams rely
    /// on HTTP/2 keep-alive pings instead, which find a dead peer without
    /// cutting a quiet stream.
    ///
    /// A `reqwest::Client` of your own with a total `timeout` cuts streams
    /// at that time too: give it a `connect_timeout` and leave the total
    /// to this factory.
    pub fn stream_idle_timeout(mut self, idle: Option<Duration>) -> Self {
        self.core.stream_idle = idle;
        self
    }

    /// Extensions to activate on every call (`A2A-Extensions`).
    pub fn extensions<S: Into<String>>(mut self, uris: impl IntoIterator<Item = S>) -> Self {
        self.core.extensions = uris.into_iter().map(Into::into).collect();
        self
    }

    /// The largest response body (default 16 MiB) and streamed event accepted.
    pub fn max_response_size(mut self, bytes: usize) -> Self {
        self.body_limit = bytes;
        self.core.max_event_size = bytes;
        self
    }

    /// Fetches the agent card at `base_url` (or at `base_url` itself if it
    /// ends in `.json`), from the cache while it is fresh, and revalidating
    /// it otherwise. [`connect`](Self::connect) looks in more places.
    pub async fn resolve_card(&self, base_url: &str) -> Result<AgentCard, Error> {
        let url = if base_url.ends_with(".json") {
            base_url.to_owned()
        } else {
            format!("{}{AGENT_CARD_PATH}", base_url.trim_end_matches('/'))
        };
        let cached = self.lock().get(&url).cloned();
        if let Some(cached) = &cached {
            if Instant::now() < cached.fresh_until {
                return Ok(cached.card.clone());
            }
        }
        let response = self
            .core
            .send(crate::jsonrpc::Method::GetExtendedAgentCard, false, |http| {
                let mut request = http.get(&url);
                if let Some(cached) = &cached {
                    if let Some(etag) = &cached.etag {
                        request = request.header(reqwest::header::IF_NONE_MATCH, etag);
                    }
                    if let Some(modified) = &cached.last_modified {
                        request = request.header(reqwest::header::IF_MODIFIED_SINCE, modified);
                    }
                }
                request
            })
            .await?;
        let headers = response.headers().clone();
        let header = |name: reqwest::header::HeaderName| {
            headers.get(name).and_then(|v| v.to_str().ok()).map(str::to_owned)
        };
        let max_age = header(reqwest::header::CACHE_CONTROL).and_then(|value| {
            value
                .split(',')
                .find_map(|directive| directive.trim().strip_prefix("max-age=")?.parse::<u64>().ok())
        });
        // Capped at a day: a server's huge max-age must not overflow the clock.
        let max_age = Duration::from_secs(max_age.unwrap_or(0).min(86_400));
        let fresh_until = Instant::now().checked_add(max_age).unwrap_or_else(Instant::now);
        let card = match (response.status().as_u16(), cached) {
            (304, Some(cached)) => cached.card,
            (200..=299, _) => {
                let body = read_body(response, self.body_limit).await?;
                json::from_slice::<AgentCard>(&body).map_err(|err| {
                    Error::new(
                        ErrorKind::InvalidResponse,
                        format!("the agent card at {url} is invalid: {err}"),
                    )
                })?
            }
            (status, _) => {
                return Err(Error::new(
                    ErrorKind::UnexpectedStatus,
                    format!("fetching {url} answered HTTP {status}"),
                ));
            }
        };
        let entry = CachedCard {
            card: card.clone(),
            etag: header(reqwest::header::ETAG),
            last_modified: header(reqwest::header::LAST_MODIFIED),
            fresh_until,
        };
        self.lock().insert(url, entry);
        Ok(card)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, CachedCard>> {
        self.cards.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The interface this factory would use: the first of the card's
    /// interfaces (the agent lists them most preferred first) that speaks
    /// protocol 1.x in one of the caller's bindings. With
    /// [`prefer_own_order`](Self::prefer_own_order), the caller's order of
    /// bindings decides instead, and card order breaks ties.
    pub fn select_interface<'a>(&self, card: &'a AgentCard) -> Result<&'a AgentInterface, Error> {
        self.candidates(card)
            .into_iter()
            .next()
            .ok_or_else(|| self.no_interface(card))
    }

    /// Why no interface of `card` will do.
    fn no_interface(&self, card: &AgentCard) -> Error {
        let offered: Vec<String> = card
            .supported_interfaces
            .iter()
            .map(|i| format!("{} {}", i.protocol_binding, i.protocol_version))
            .collect();
        Error::unsupported_operation(format!(
            "the agent offers [{}], none of which is a 1.x interface in {:?}",
            offered.join(", "),
            self.preferences
        ))
    }

    /// Every interface of the card this factory would use, best first (see
    /// [`select_interface`](Self::select_interface)).
    fn candidates<'a>(&self, card: &'a AgentCard) -> Vec<&'a AgentInterface> {
        let usable = |interface: &AgentInterface, wanted: &str| {
            interface.protocol_binding.eq_ignore_ascii_case(wanted) && speaks_v1(&interface.protocol_version)
        };
        if self.own_order {
            let mut out: Vec<&AgentInterface> = Vec::new();
            for wanted in &self.preferences {
                for interface in &card.supported_interfaces {
                    if usable(interface, wanted) && !out.iter().any(|seen| std::ptr::eq(*seen, interface)) {
                        out.push(interface);
                    }
                }
            }
            out
        } else {
            card.supported_interfaces
                .iter()
                .filter(|i| self.preferences.iter().any(|wanted| usable(i, wanted)))
                .collect()
        }
    }

    /// Resolves the card at `base_url` and builds a client for it.
    pub async fn connect(&self, base_url: &str) -> Result<Client, Error> {
        let (card, card_url) = self.find_card(base_url).await?;
        self.client_for_card(with_absolute_urls(card, &card_url))
    }

    /// The card of the agent at `url`, and where it was found: at `url`
    /// itself when it names a `.json` file; otherwise at
    /// `url/.well-known/agent-card.json` (an agent mounted under a path),
    /// then at the origin's `/.well-known/agent-card.json`, then at `url`
    /// itself. The first answer that is a card wins; if none is, the first
    /// failure is the error.
    async fn find_card(&self, url: &str) -> Result<(AgentCard, String), Error> {
        let mut places = vec![url.to_owned()];
        if !url.ends_with(".json") {
            let under = format!("{}{AGENT_CARD_PATH}", url.trim_end_matches('/'));
            places = vec![under];
            if let Ok(parsed) = reqwest::Url::parse(url) {
                let origin = format!("{}{AGENT_CARD_PATH}", parsed.origin().ascii_serialization());
                if !places.contains(&origin) {
                    places.push(origin);
                }
                if parsed.path() != "/" && !parsed.path().is_empty() {
                    places.push(url.to_owned());
                }
            }
        }
        let mut first_error = None;
        for place in places {
            match self.resolve_card(&place).await {
                Ok(card) => return Ok((card, place)),
                Err(err) => {
                    first_error.get_or_insert(err);
                }
            }
        }
        Err(first_error.expect("at least one place is tried"))
    }

    /// Builds a client for a card you already have: on the first interface
    /// [`select_interface`](Self::select_interface) would pick that can be
    /// built, falling through to the next when one cannot (a URL that does
    /// not parse, a binding this build lacks); the first such error if none can.
    pub fn client_for_card(&self, card: AgentCard) -> Result<Client, Error> {
        let mut first_error = None;
        let mut built = None;
        for interface in self.candidates(&card) {
            match self.client_for_interface(interface.clone()) {
                Ok(client) => {
                    built = Some(client);
                    break;
                }
                Err(err) => {
                    first_error.get_or_insert(err);
                }
            }
        }
        let mut client = match (built, first_error) {
            (Some(client), _) => client,
            (None, Some(err)) => return Err(err),
            (None, None) => return Err(self.no_interface(&card)),
        };
        client.streaming = card.capabilities.supports_streaming();
        client.card = Some(Arc::new(card));
        Ok(client)
    }

    /// Builds a client for a known URL and binding (no card: streaming is assumed).
    ///
    /// ```
    /// use a2akit::client::ClientFactory;
    /// use a2akit::types::{AgentInterface, binding};
    ///
    /// let client = ClientFactory::new()
    ///     .client_for_interface(AgentInterface::new("http://127.0.0.1:8080/", binding::JSONRPC))
    ///     .unwrap();
    /// assert_eq!(client.interface().protocol_binding, "JSONRPC");
    /// ```
    pub fn client_for_interface(&self, interface: AgentInterface) -> Result<Client, Error> {
        let core = self.core.for_version(&interface.protocol_version);
        #[cfg(feature = "grpc")]
        if interface.protocol_binding.eq_ignore_ascii_case(binding::GRPC) {
            let transport = Arc::new(super::transport::GrpcTransport::new(&interface.url, core)?);
            return Ok(Client {
                transport,
                interface,
                streaming: true,
                card: None,
            });
        }
        let transport: Arc<dyn Transport> =
            if interface.protocol_binding.eq_ignore_ascii_case(binding::JSONRPC) {
                Arc::new(JsonRpcTransport::new(&interface.url, core, self.body_limit)?)
            } else if interface
                .protocol_binding
                .eq_ignore_ascii_case(binding::HTTP_JSON)
            {
                Arc::new(RestTransport::new(&interface.url, core, self.body_limit))
            } else {
                return Err(Error::unsupported_operation(format!(
                    "this client has no transport for the {} binding",
                    interface.protocol_binding
                )));
            };
        Ok(Client {
            transport,
            interface,
            streaming: true,
            card: None,
        })
    }
}

fn speaks_v1(version: &str) -> bool {
    version == "1" || version.starts_with("1.")
}

/// `card` with its relative interface URLs (`/a2a/jsonrpc`, `./rpc`)
/// resolved against the URL the card was read from. A gRPC `host:port` is
/// not relative.
fn with_absolute_urls(mut card: AgentCard, card_url: &str) -> AgentCard {
    let Ok(base) = reqwest::Url::parse(card_url) else {
        return card;
    };
    for interface in &mut card.supported_interfaces {
        let url = interface.url.trim();
        let relative = url.starts_with('/') || url.starts_with("./") || url.starts_with("../");
        if relative {
            if let Ok(absolute) = base.join(url) {
                interface.url = absolute.to_string();
            }
        }
    }
    card
}

#[cfg(test)]
mod tests {
    use super::*;

    fn card(interfaces: &[(&str, &str, &str)]) -> AgentCard {
        let mut builder = AgentCard::builder().name("a").description("b");
        for (url, binding, version) in interfaces {
            let mut interface = AgentInterface::new(*url, *binding);
            interface.protocol_version = (*version).to_owned();
            builder = builder.supported_interface(interface);
        }
        builder.build()
    }

    #[test]
    fn the_card_order_decides_unless_the_caller_asks_for_its_own() {
        let card = card(&[("rest", "HTTP+JSON", "1.0"), ("rpc", "JSONRPC", "1.0")]);
        assert_eq!(ClientFactory::new().select_interface(&card).unwrap().url, "rest");
        let only_rpc = ClientFactory::new().preferred_bindings([binding::JSONRPC]);
        assert_eq!(only_rpc.select_interface(&card).unwrap().url, "rpc");
        let own = ClientFactory::new()
            .preferred_bindings([binding::JSONRPC, binding::HTTP_JSON])
            .prefer_own_order(true);
        assert_eq!(own.select_interface(&card).unwrap().url, "rpc");
    }

    #[test]
    fn card_order_breaks_ties_and_old_versions_and_unknown_bindings_are_skipped() {
        let card = card(&[
            ("old", "JSONRPC", "0.3"),
            ("custom", "urn:example:ws", "1.0"),
            ("first", "JSONRPC", "1.0"),
            ("second", "JSONRPC", "1.1"),
        ]);
        assert_eq!(ClientFactory::new().select_interface(&card).unwrap().url, "first");
        let none = self::card(&[("g", "GRPC", "1.0"), ("x", "urn:example:ws", "1.0")]);
        let err = ClientFactory::new().select_interface(&none).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::UnsupportedOperation);
        assert!(err.message().contains("GRPC 1.0"), "{err}");
    }

    #[test]
    fn unknown_bindings_have_no_transport() {
        let err = ClientFactory::new()
            .client_for_interface(AgentInterface::new("x", "urn:example:ws"))
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::UnsupportedOperation);
    }
}
