//! From an agent's URL to a [`Client`]: fetch and cache the card, pick the
//! interface, build the transport.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::Client;
use super::credentials::{CredentialBinding, CredentialProvider, Origin, OriginBound, Origins};
use super::interceptor::Interceptor;
use super::redact;
use super::retry::RetryPolicy;
use super::transport::{
    HttpCore, JsonRpcTransport, RestTransport, Transport, challenge, read_body, status_error, with_challenge,
};
use crate::types::{AgentCard, AgentInterface, binding};
use crate::{Error, ErrorKind};

/// The path of the public agent card, appended to an agent's base URL.
pub const AGENT_CARD_PATH: &str = "/.well-known/agent-card.json";

/// Builds [`Client`]s: resolves agent cards (cached, revalidated with
/// `ETag` / `If-Modified-Since`), picks the interface to use, and carries
/// the settings every client it builds shares.
///
/// Credentials ([`credentials`](Self::credentials), or interceptors that
/// [carry credentials](Interceptor::carries_credentials)) are bound to
/// origins: see [`credentials`](super::credentials) for the rule.
///
/// ```no_run
/// # async fn run() -> Result<(), a2akit::Error> {
/// use a2akit::client::{BearerToken, ClientFactory};
/// use a2akit::types::{Message, SendMessageRequest, binding};
///
/// let factory = ClientFactory::new()
///     .preferred_bindings([binding::HTTP_JSON, binding::JSONRPC])
///     .credentials(BearerToken::new("secret"));
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
    credentials: Option<Arc<dyn CredentialProvider>>,
    /// The origins named with `credential_origins` (or why one is not an origin).
    named_origins: Option<Result<Arc<Origins>, Error>>,
    /// Checks every card's signatures, when signed cards are required.
    #[cfg(feature = "signing")]
    card_verifier: Option<Arc<crate::signing::CardVerifier>>,
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
    /// client: rustls, 10 s connect timeout, `TCP_NODELAY`, redirects
    /// followed only within the origin (see [`redirect_policy`]) and no
    /// `Referer` header.
    pub fn new() -> Self {
        let http = default_http().build().expect("the default HTTP client builds");
        Self::with_http_client(http)
    }

    /// A factory whose clients trust and show what `tls` says, on HTTP and
    /// gRPC alike, with the default HTTP settings otherwise.
    pub fn with_tls(tls: super::ClientTls) -> Result<Self, Error> {
        let builder = default_http();
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
    ///
    /// Build it the way the default one is as far as redirects go, or a
    /// redirect can carry your credentials elsewhere: reqwest's default
    /// policy follows a redirect to any host and strips only
    /// `Authorization` and cookies on the way, so an API key or any other
    /// credential header goes along, and its default `Referer` shows the
    /// previous URL, query (API key) included. Give it
    /// [`redirect_policy`] (or `Policy::none()`) and `.referer(false)`:
    ///
    /// ```
    /// use std::time::Duration;
    /// use a2akit::client::{ClientFactory, redirect_policy};
    ///
    /// let http = reqwest::Client::builder()
    ///     .redirect(redirect_policy())
    ///     .referer(false)
    ///     .timeout(Duration::from_secs(30))
    ///     .build()
    ///     .unwrap();
    /// let factory = ClientFactory::with_http_client(http);
    /// ```
    ///
    /// A total `timeout` the client was built with bounds the unary calls
    /// this factory leaves unbounded (a blocking `SendMessage`, or every
    /// call after [`timeout(None)`](Self::timeout)), but not streams: they
    /// would be cut at that age however busy, so each stream request
    /// overrides it and is bounded by
    /// [`stream_idle_timeout`](Self::stream_idle_timeout) instead. Its
    /// `read_timeout`, if any, still ends a stream that stays silent longer.
    pub fn with_http_client(http: reqwest::Client) -> Self {
        Self {
            core: HttpCore::new(http),
            preferences: vec![binding::JSONRPC.to_owned(), binding::HTTP_JSON.to_owned()],
            own_order: false,
            body_limit: 16 << 20,
            cards: Mutex::default(),
            credentials: None,
            named_origins: None,
            #[cfg(feature = "signing")]
            card_verifier: None,
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

    /// Adds an interceptor (tracing headers, credentials…). One that
    /// [carries credentials](Interceptor::carries_credentials), such as
    /// [`BearerToken`](super::BearerToken), is bound to origins like the
    /// [`credentials`](Self::credentials) provider; any other runs on every
    /// request, the public card fetch included.
    pub fn interceptor(mut self, interceptor: impl Interceptor) -> Self {
        self.core.interceptors.push(Arc::new(interceptor));
        self
    }

    /// Where the clients get their credentials: a static one
    /// ([`BearerToken`](super::BearerToken), [`ApiKey`](super::ApiKey),
    /// [`Credential`](super::Credential)…) or a provider that fetches and
    /// refreshes them ([`OAuth2ClientCredentials`](super::OAuth2ClientCredentials)).
    /// They are sent only to the origins they are bound to (by default the
    /// origin the card came from, or of the interface you named), never
    /// with the public card fetch; a call refused as unauthenticated is
    /// sent once more with a fresh credential when the provider has one.
    /// See [`credentials`](super::credentials).
    pub fn credentials(mut self, provider: impl CredentialProvider) -> Self {
        self.credentials = Some(Arc::new(provider));
        self
    }

    /// Binds credentials to these origins (`https://agent.example.com`,
    /// `https://rpc.example.com:8443`, or `host:port` for a gRPC
    /// interface), instead of the card's or the interface's own origin:
    /// for an agent whose card places its interfaces on another origin.
    /// A text that is not an origin makes building a client fail.
    pub fn credential_origins<S: AsRef<str>>(mut self, origins: impl IntoIterator<Item = S>) -> Self {
        let parsed: Result<Vec<Origin>, Error> =
            origins.into_iter().map(|o| Origin::parse(o.as_ref())).collect();
        self.named_origins = Some(parsed.map(|origins| Arc::new(Origins::new(origins))));
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
    ///
    /// Takes a `Duration` or an `Option<Duration>`, like
    /// `.timeout(Duration::from_secs(10))` or `.timeout(None)`.
    pub fn timeout(mut self, timeout: impl Into<Option<Duration>>) -> Self {
        self.core.call_timeout = timeout.into();
        self
    }

    /// Bounds a `SendMessage` (default: no bound, as the call waits for the
    /// agent's work). Past it the call fails with
    /// [`ErrorKind::Timeout`](crate::ErrorKind::Timeout); the task goes on,
    /// and `GetTask` or `SubscribeToTask` finds it.
    pub fn send_timeout(mut self, timeout: impl Into<Option<Duration>>) -> Self {
        self.core.send_timeout = timeout.into();
        self
    }

    /// How long a stream may stay silent before the client gives up on it
    /// (default 60 s: servers send keep-alives every 15 s or so); `None` to
    /// wait forever. Over JSON-RPC and HTTP+JSON silence means no byte at
    /// all, keep-alive comments included; over gRPC, no message. A silent
    /// stream is resumed like a broken one where the agent allows it, else
    /// it ends with [`ErrorKind::Timeout`](crate::ErrorKind::Timeout). gRPC
    /// has no keep-alive messages: a task that works silently for longer
    /// than this is subscribed to again each period, and the client gives
    /// up after three periods without news.
    ///
    /// A total `timeout` on a `reqwest::Client` of your own does not cut
    /// streams (see [`with_http_client`](Self::with_http_client)).
    pub fn stream_idle_timeout(mut self, idle: impl Into<Option<Duration>>) -> Self {
        self.core.stream_idle = idle.into();
        self
    }

    /// How many times in all a stream may be resumed (default 100): a
    /// stream that broke or went silent that often ends with the error of
    /// its last break, naming the task and how far it got, so that the
    /// caller can pick it up again later. It bounds the work a peer can
    /// cause by closing every resumed stream after events that look new;
    /// `0` never resumes.
    pub fn max_stream_resumes(mut self, resumes: u32) -> Self {
        self.core.max_resumes = resumes;
        self
    }

    /// Dials bare `host:port` gRPC interfaces in plaintext even when the
    /// host is not this machine. By default a bare address gets TLS unless
    /// it is loopback (or `0.0.0.0` / `::`); `https://` always means TLS and
    /// `http://` plaintext, whatever this says.
    pub fn grpc_plaintext(mut self, yes: bool) -> Self {
        self.core.grpc_plaintext = yes;
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

    /// Requires every agent card to carry a valid signature: one made by a
    /// key `verifier` trusts, over the card as it is (a [`KeySet`] of
    /// trusted keys will do, or a [`CardVerifier`] that also fetches key
    /// sets from trusted `jku` locations). A card that is unsigned,
    /// tampered with or signed by an unknown key is refused before any
    /// call, with an [`InvalidResponse`](crate::ErrorKind::InvalidResponse)
    /// error that says why and has the
    /// [`SignatureError`](crate::signing::SignatureError) as its source.
    ///
    /// Cards are checked where they are fetched ([`resolve_card`](Self::resolve_card),
    /// [`connect`](Self::connect)), and when given to
    /// [`client_for_card`](Self::client_for_card) or
    /// [`client_for_card_from`](Self::client_for_card_from); those two do
    /// not fetch key sets, so a card whose keys are only at its `jku` is
    /// accepted there once the verifier has fetched them (resolve it first).
    ///
    /// ```no_run
    /// # async fn run(jwks: &[u8]) -> Result<(), Box<dyn std::error::Error>> {
    /// use a2akit::client::ClientFactory;
    /// use a2akit::signing::KeySet;
    ///
    /// let factory = ClientFactory::new().require_signed_card(KeySet::from_jwks(jwks)?);
    /// let client = factory.connect("https://agent.example.com").await?;
    /// # Ok(()) }
    /// ```
    ///
    /// [`KeySet`]: crate::signing::KeySet
    /// [`CardVerifier`]: crate::signing::CardVerifier
    #[cfg(feature = "signing")]
    #[cfg_attr(docsrs, doc(cfg(feature = "signing")))]
    pub fn require_signed_card(mut self, verifier: impl Into<crate::signing::CardVerifier>) -> Self {
        self.card_verifier = Some(Arc::new(verifier.into()));
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
        let shown = redact::url(&url);
        // The public card: no credential goes with it.
        let response = self
            .public_core()
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
                crate::v0_3::read_card(&body).map_err(|err| {
                    Error::new(
                        ErrorKind::InvalidResponse,
                        format!("the agent card at {shown} is invalid: {err}"),
                    )
                    .with_source(err)
                })?
            }
            _ => {
                // A bare 401 / 403 is a refusal, with the agent's challenge.
                let status = response.status();
                let challenge = challenge(response.headers());
                let body = read_body(response, self.body_limit.min(64 << 10))
                    .await
                    .unwrap_or_default();
                let error = status_error(status, &format!("fetching {shown}"), &body);
                return Err(with_challenge(error, challenge));
            }
        };
        #[cfg(feature = "signing")]
        if let Some(verifier) = &self.card_verifier {
            verifier.check(&card, &format!(" at {shown}")).await?;
        }
        let entry = CachedCard {
            card: card.clone(),
            etag: header(reqwest::header::ETAG),
            last_modified: header(reqwest::header::LAST_MODIFIED),
            fresh_until,
        };
        self.lock().insert(url, entry);
        Ok(card)
    }

    /// The core for requests that carry no credential (the public card):
    /// the interceptors that carry credentials are left out.
    fn public_core(&self) -> HttpCore {
        let mut core = self.core.clone();
        core.interceptors
            .retain(|interceptor| !interceptor.carries_credentials());
        core.credentials = None;
        core
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, CachedCard>> {
        self.cards.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The interface this factory would use: the first of the card's
    /// interfaces (the agent lists them most preferred first) that speaks
    /// protocol 1.x in one of the caller's bindings. With
    /// [`prefer_own_order`](Self::prefer_own_order), the caller's order of
    /// bindings decides instead, and card order breaks ties.
    ///
    /// Only when the agent offers no 1.x interface the client can use does
    /// it take a v0.3 one: the client then speaks
    /// v0.3 on the wire (method names, shapes, error codes) and still hands
    /// the caller 1.0 types. v0.3 has no `ListTasks`; calling it answers
    /// `UnsupportedOperation`.
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
            "the agent offers [{}], none of which is a 1.x or v0.3 interface in {:?}",
            offered.join(", "),
            self.preferences
        ))
    }

    /// Every interface of the card this factory would use, best first (see
    /// [`select_interface`](Self::select_interface)).
    fn candidates<'a>(&self, card: &'a AgentCard) -> Vec<&'a AgentInterface> {
        let usable = |interface: &AgentInterface, wanted: &str| {
            interface.protocol_binding.eq_ignore_ascii_case(wanted) && speaks(interface)
        };
        let mut out = if self.own_order {
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
        };
        // An agent that speaks both versions is spoken to in 1.0, whatever
        // the order; v0.3 is for agents that speak nothing newer.
        out.sort_by_key(|interface| !speaks_v1(&interface.protocol_version));
        out
    }

    /// Resolves the card at `base_url` and builds a client for it, with
    /// credentials bound to the origin the card was found at.
    pub async fn connect(&self, base_url: &str) -> Result<Client, Error> {
        let (card, card_url) = self.find_card(base_url).await?;
        self.client_for_card_from(card, &card_url)
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
                // A card was found there, and refused: that is the answer.
                #[cfg(feature = "signing")]
                Err(err) if crate::signing::is_refusal(&err) => return Err(err),
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
    ///
    /// Where the card came from is not known here, so credentials go only
    /// to the origins named with [`credential_origins`](Self::credential_origins)
    /// (to none if none are): use [`client_for_card_from`](Self::client_for_card_from)
    /// for a card you fetched.
    pub fn client_for_card(&self, card: AgentCard) -> Result<Client, Error> {
        #[cfg(feature = "signing")]
        if let Some(verifier) = &self.card_verifier {
            verifier.check_cached(&card, "")?;
        }
        let origins = self.origins_or(Vec::new)?;
        self.build_for_card(card, &origins)
    }

    /// Builds a client for a card read from `card_url` (the card's own URL,
    /// or the agent URL it was resolved from): relative interface URLs are
    /// resolved against it, and credentials are bound to its origin (unless
    /// [`credential_origins`](Self::credential_origins) names others).
    ///
    /// ```no_run
    /// # async fn run() -> Result<(), a2akit::Error> {
    /// use a2akit::client::{BearerToken, ClientFactory};
    ///
    /// let factory = ClientFactory::new().credentials(BearerToken::new("secret"));
    /// let card = factory.resolve_card("https://agent.example.com").await?;
    /// // Interfaces on https://agent.example.com get the token; others do not.
    /// let client = factory.client_for_card_from(card, "https://agent.example.com")?;
    /// # Ok(()) }
    /// ```
    pub fn client_for_card_from(&self, card: AgentCard, card_url: &str) -> Result<Client, Error> {
        // Checked as it was read: resolving relative URLs changes the card.
        #[cfg(feature = "signing")]
        if let Some(verifier) = &self.card_verifier {
            verifier.check_cached(&card, &format!(" from {}", redact::url(card_url)))?;
        }
        let origins = self.origins_or(|| Origin::parse(card_url).into_iter().collect())?;
        self.build_for_card(with_absolute_urls(card, card_url), &origins)
    }

    /// The named origins, or the default `default` gives.
    fn origins_or(&self, default: impl FnOnce() -> Vec<Origin>) -> Result<Arc<Origins>, Error> {
        match &self.named_origins {
            Some(named) => named.clone(),
            None => Ok(Arc::new(Origins::new(default()))),
        }
    }

    fn build_for_card(&self, card: AgentCard, origins: &Arc<Origins>) -> Result<Client, Error> {
        let mut first_error = None;
        let mut built = None;
        for interface in self.candidates(&card) {
            match self.build(interface.clone(), origins) {
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

    /// Builds a client for a known URL and binding (no card: streaming is
    /// assumed). Credentials are bound to the interface's own origin,
    /// unless [`credential_origins`](Self::credential_origins) names others.
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
        let origins = self.origins_or(|| Origin::parse(&interface.url).into_iter().collect())?;
        self.build(interface, &origins)
    }

    /// The core of a client whose credentials are bound to `origins`: the
    /// interceptors that carry credentials run only there, and the
    /// provider, if any, is asked for calls there.
    fn bound_core(&self, interface: &AgentInterface, origins: &Arc<Origins>) -> HttpCore {
        let mut core = self.core.for_version(&interface.protocol_version);
        for interceptor in &mut core.interceptors {
            if interceptor.carries_credentials() {
                *interceptor = Arc::new(OriginBound {
                    inner: Arc::clone(interceptor),
                    origins: Arc::clone(origins),
                });
            }
        }
        if let Some(provider) = &self.credentials {
            core.credentials = Some(Arc::new(CredentialBinding::new(
                Arc::clone(provider),
                Arc::clone(origins),
            )));
        }
        core
    }

    fn build(&self, interface: AgentInterface, origins: &Arc<Origins>) -> Result<Client, Error> {
        let core = self.bound_core(&interface, origins);
        let credentials = core.credentials.clone();
        let max_resumes = core.max_resumes;
        #[cfg(feature = "grpc")]
        if interface.protocol_binding.eq_ignore_ascii_case(binding::GRPC) {
            let transport = Arc::new(super::transport::GrpcTransport::new(&interface.url, core)?);
            return Ok(Client {
                transport,
                interface,
                streaming: true,
                card: None,
                credentials,
                max_resumes,
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
            credentials,
            max_resumes,
        })
    }
}

/// The settings every HTTP client this module builds starts from.
fn default_http() -> reqwest::ClientBuilder {
    reqwest::Client::builder()
        .connect_timeout(Duration::from_secs(10))
        .tcp_nodelay(true)
        .redirect(redirect_policy())
        .referer(false)
}

/// The most redirects followed for one request.
const MAX_REDIRECTS: usize = 10;

/// The redirect policy of the clients a [`ClientFactory`] builds, for an
/// HTTP client of your own ([`ClientFactory::with_http_client`]): a
/// redirect is followed only within the origin of the URL that answered it
/// (same scheme, host and port, so never from `https` down to `http`), and
/// at most ten in a row. Any other redirect is not followed: the call
/// fails with the agent's 3xx answer as an
/// [`UnexpectedStatus`](crate::ErrorKind::UnexpectedStatus). That keeps
/// every credential (headers of any name, a query API key) with the origin
/// it was bound to, as a redirect re-sends the request's headers and, for
/// 307 and 308, its body.
pub fn redirect_policy() -> reqwest::redirect::Policy {
    reqwest::redirect::Policy::custom(|attempt| {
        let same_origin = attempt
            .previous()
            .last()
            .is_some_and(|from| from.origin() == attempt.url().origin());
        if attempt.previous().len() > MAX_REDIRECTS {
            attempt.error("too many redirects")
        } else if same_origin {
            attempt.follow()
        } else {
            attempt.stop()
        }
    })
}

fn speaks_v1(version: &str) -> bool {
    version == "1" || version.starts_with("1.")
}

/// Whether this client can speak the protocol version of `interface`: 1.x
/// or v0.3.
fn speaks(interface: &AgentInterface) -> bool {
    speaks_v1(&interface.protocol_version) || crate::v0_3::is_v0_3(&interface.protocol_version)
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
