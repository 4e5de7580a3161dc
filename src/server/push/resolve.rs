//! Name resolution for deliveries, through the guard.
//!
//! The sender's HTTP client resolves webhook hosts here: every address a
//! name resolves to is checked, and the client connects to the addresses
//! that were checked, never looking the name up again, so a name cannot
//! pass the check with one answer and connect with another (DNS
//! rebinding).

use std::net::SocketAddr;

use reqwest::dns::{Addrs, Name, Resolve, Resolving};

use super::WebhookGuard;

/// Resolves with the system resolver, refusing names that lead to an
/// address the guard does not allow.
pub(crate) struct GuardedResolver {
    guard: WebhookGuard,
}

impl GuardedResolver {
    pub(crate) fn new(guard: WebhookGuard) -> Self {
        Self { guard }
    }
}

/// A name that resolved to an address the guard refuses.
#[derive(Debug, thiserror::Error)]
#[error("{host} resolves to {address}, which this agent does not call (see the agent's webhook guard)")]
pub(crate) struct Refused {
    host: String,
    address: std::net::IpAddr,
}

impl Resolve for GuardedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let guard = self.guard.clone();
        Box::pin(async move {
            let host = name.as_str().to_owned();
            let addresses: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            if !guard.allows_host(&host) {
                if let Some(bad) = addresses.iter().find(|a| !guard.allows_address(a.ip())) {
                    return Err(Box::new(Refused {
                        host,
                        address: bad.ip(),
                    }) as Box<dyn std::error::Error + Send + Sync>);
                }
            }
            Ok(Box::new(addresses.into_iter()) as Addrs)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_name_that_resolves_to_loopback_is_refused_unless_allowed() {
        let name = || "localhost".parse::<Name>().unwrap();
        let refused = GuardedResolver::new(WebhookGuard::new()).resolve(name()).await;
        let err = refused.err().expect("refused");
        assert!(err.is::<Refused>(), "{err}");
        let allowed = GuardedResolver::new(WebhookGuard::new().allow_loopback())
            .resolve(name())
            .await;
        assert!(allowed.unwrap().all(|a| a.ip().is_loopback()));
    }
}
