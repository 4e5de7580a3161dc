//! From the command line's options to a client of the agent.

use std::time::Duration;

use a2akit::client::{
    ApiKey, ApiKeyLocation, BearerToken, Client, ClientFactory, Interceptor, OutgoingRequest,
};
use a2akit::types::{AgentCard, binding};

use crate::{Failure, Global};

/// The headers given with `--header NAME:VALUE`.
struct Headers(Vec<(reqwest::header::HeaderName, reqwest::header::HeaderValue)>);

impl Interceptor for Headers {
    fn before(&self, outgoing: &mut OutgoingRequest<'_>) -> Result<(), a2akit::Error> {
        for (name, value) in &self.0 {
            outgoing.request.headers_mut().insert(name.clone(), value.clone());
        }
        Ok(())
    }
}

fn usage(why: String) -> Failure {
    Failure::Usage(why)
}

/// How long the calls of a command may take.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Calls {
    /// Bounded by `--timeout`.
    Bounded,
    /// Blocking sends: they wait for the task, however long it takes.
    Waiting,
}

/// The factory the options describe.
pub(crate) fn factory(global: &Global, calls: Calls) -> Result<ClientFactory, Failure> {
    let timeout = match calls {
        Calls::Bounded => Some(Duration::from_secs(global.timeout.max(1))),
        Calls::Waiting => None,
    };
    let mut factory = ClientFactory::new().timeout(timeout).send_timeout(timeout);
    if let Some(name) = &global.binding {
        let wire = match name.as_str() {
            "grpc" => binding::GRPC,
            "http_json" => binding::HTTP_JSON,
            _ => binding::JSONRPC,
        };
        factory = factory.preferred_bindings([wire]).prefer_own_order(true);
    }
    if let Some(token) = &global.bearer {
        factory = factory.interceptor(BearerToken::new(token));
    }
    if let Some(pair) = &global.api_key {
        let (name, value) = pair
            .split_once('=')
            .ok_or_else(|| usage(format!("--api-key takes NAME=VALUE, not {pair:?}")))?;
        factory = factory.interceptor(ApiKey::new(ApiKeyLocation::Header, name, value));
    }
    let mut headers = Vec::new();
    for pair in &global.headers {
        let (name, value) = pair
            .split_once(':')
            .ok_or_else(|| usage(format!("--header takes NAME:VALUE, not {pair:?}")))?;
        let name = name
            .trim()
            .parse()
            .map_err(|_| usage(format!("{name:?} is not a header name")))?;
        let value = value
            .trim()
            .parse()
            .map_err(|_| usage(format!("{value:?} is not a header value")))?;
        headers.push((name, value));
    }
    if !headers.is_empty() {
        factory = factory.interceptor(Headers(headers));
    }
    Ok(factory)
}

/// The agent's card, read from `url`.
pub(crate) async fn card(global: &Global, url: &str) -> Result<AgentCard, Failure> {
    factory(global, Calls::Bounded)?
        .resolve_card(url)
        .await
        .map_err(|err| Failure::Transport(format!("could not read the agent card at {url}: {err}")))
}

/// A client of the agent at `url`, on the interface the options pick.
pub(crate) async fn client(global: &Global, url: &str, calls: Calls) -> Result<Client, Failure> {
    // The card is always read within the timeout.
    let card = card(global, url).await?;
    let factory = factory(global, calls)?;
    let mut client = factory.client_for_card_from(card, url).map_err(|err| {
        Failure::Transport(format!("no interface of the agent at {url} can be used: {err}"))
    })?;
    if let Some(tenant) = &global.tenant {
        let mut interface = client.interface().clone();
        interface.tenant.clone_from(tenant);
        client = factory
            .client_for_interface(interface)
            .map_err(|err| Failure::Transport(err.to_string()))?;
    }
    Ok(client)
}
