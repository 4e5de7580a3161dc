//! The SSRF guard for webhook URLs and the checks on push configs.

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::str::FromStr;

use crate::Error;
use crate::types::TaskPushNotificationConfig;

/// The longest webhook URL accepted.
const MAX_URL: usize = 2048;
/// The longest token, credentials or config id accepted.
const MAX_VALUE: usize = 4096;

/// Which webhook targets an agent may call.
///
/// By default, only `http` and `https` URLs without credentials in them,
/// whose host is a name (not `localhost`) or a public address: loopback,
/// private, shared (100.64/10), link-local (169.254/16, the cloud metadata
/// services included), unique-local, multicast, unspecified, broadcast and
/// reserved addresses are refused, in IPv4, IPv6 and the IPv6 forms that
/// embed an IPv4 address (mapped, compatible, NAT64, 6to4). Addresses are
/// read as the WHATWG URL parser reads them, so `http://2130706433/` is
/// 127.0.0.1 and refused too. Names are checked again when a delivery
/// resolves them.
///
/// An allow-list opens chosen hosts or networks:
///
/// ```
/// use a2akit::server::push::WebhookGuard;
///
/// let guard = WebhookGuard::new()
///     .allow_loopback()                          // a receiver on this machine
///     .allow_network("10.20.0.0/16".parse().unwrap())
///     .allow_host("hooks.internal");
/// assert!(guard.check_url("http://127.0.0.1:8080/hook").is_ok());
/// assert!(guard.check_url("http://169.254.169.254/latest/meta-data").is_err());
/// ```
#[derive(Debug, Clone, Default)]
pub struct WebhookGuard {
    networks: Vec<IpNetwork>,
    hosts: Vec<String>,
    open: bool,
}

impl WebhookGuard {
    /// The default guard: public targets only.
    pub fn new() -> Self {
        Self::default()
    }

    /// No address check at all, for agents whose clients are all trusted.
    /// URLs must still be http(s) without credentials.
    pub fn allow_all() -> Self {
        Self {
            open: true,
            ..Self::default()
        }
    }

    /// Allows addresses in `network`.
    pub fn allow_network(mut self, network: IpNetwork) -> Self {
        self.networks.push(network);
        self
    }

    /// Allows 127.0.0.0/8, `::1` and the name `localhost`.
    pub fn allow_loopback(self) -> Self {
        self.allow_network(IpNetwork::new(IpAddr::V4(Ipv4Addr::new(127, 0, 0, 0)), 8))
            .allow_network(IpNetwork::new(IpAddr::V6(Ipv6Addr::LOCALHOST), 128))
            .allow_host("localhost")
    }

    /// Allows the host `name` (exactly, case-insensitively) whatever it
    /// resolves to.
    pub fn allow_host(mut self, name: impl Into<String>) -> Self {
        let name = name.into();
        self.hosts.push(name.trim_end_matches('.').to_ascii_lowercase());
        self
    }

    /// Whether the agent may connect to `address`.
    pub fn allows_address(&self, address: IpAddr) -> bool {
        self.open || is_public(address) || self.networks.iter().any(|n| n.contains(address))
    }

    /// Whether the host `name` is opened by name.
    pub fn allows_host(&self, name: &str) -> bool {
        self.hosts
            .iter()
            .any(|h| h.eq_ignore_ascii_case(name.trim_end_matches('.')))
    }

    /// Checks a webhook URL; the error says why it is refused.
    pub fn check_url(&self, url: &str) -> Result<(), String> {
        if url.len() > MAX_URL {
            return Err(format!("is longer than {MAX_URL} bytes"));
        }
        let parsed = url::Url::parse(url).map_err(|err| format!("is not a URL: {err}"))?;
        if !matches!(parsed.scheme(), "http" | "https") {
            return Err(format!("must be http or https, not {}", parsed.scheme()));
        }
        if !parsed.username().is_empty() || parsed.password().is_some() {
            return Err("must not carry credentials; use the config's authentication".into());
        }
        let refused = |what: &dyn fmt::Display| {
            Err(format!(
                "names {what}, which this agent does not call (see the agent's webhook guard)"
            ))
        };
        match parsed.host() {
            None => Err("has no host".into()),
            Some(url::Host::Domain(name)) => {
                let lower = name.trim_end_matches('.').to_ascii_lowercase();
                let local = lower == "localhost" || lower.ends_with(".localhost");
                if local && !self.open && !self.allows_host(&lower) {
                    return refused(&"a local host");
                }
                Ok(())
            }
            Some(url::Host::Ipv4(address)) => match self.allows_address(IpAddr::V4(address)) {
                true => Ok(()),
                false => refused(&format_args!("the non-public address {address}")),
            },
            Some(url::Host::Ipv6(address)) => match self.allows_address(IpAddr::V6(address)) {
                true => Ok(()),
                false => refused(&format_args!("the non-public address {address}")),
            },
        }
    }

    /// Checks a push config a client sent: its URL against this guard, and
    /// that every value that becomes a header is a safe header value.
    pub fn check_config(&self, config: &TaskPushNotificationConfig, field: &str) -> Result<(), Error> {
        let invalid = |name: &str, why: String| Err(Error::invalid_field(&format!("{field}{name}"), why));
        if let Err(why) = self.check_url(&config.url) {
            return invalid("url", why);
        }
        if let Err(why) = header_value(&config.token) {
            return invalid("token", why);
        }
        if let Err(why) = header_value(&config.id) {
            return invalid("id", why);
        }
        if let Some(auth) = &config.authentication {
            let token_char = |c: char| c.is_ascii_alphanumeric() || "!#$%&'*+-.^_`|~".contains(c);
            if auth.scheme.is_empty() || auth.scheme.len() > 64 || !auth.scheme.chars().all(token_char) {
                return invalid(
                    "authentication.scheme",
                    "must be an HTTP authentication scheme name".into(),
                );
            }
            if let Err(why) = header_value(&auth.credentials) {
                return invalid("authentication.credentials", why);
            }
        }
        Ok(())
    }
}

/// A value that goes into an HTTP header: bounded, printable, no CR or LF.
fn header_value(value: &str) -> Result<(), String> {
    if value.len() > MAX_VALUE {
        return Err(format!("is longer than {MAX_VALUE} bytes"));
    }
    if value.chars().any(|c| c.is_control()) {
        return Err("must not contain control characters (CR, LF, …)".into());
    }
    Ok(())
}

/// Whether an address is on the public internet.
fn is_public(address: IpAddr) -> bool {
    match address {
        IpAddr::V4(v4) => is_public_v4(v4),
        IpAddr::V6(v6) => is_public_v6(v6),
    }
}

fn is_public_v4(address: Ipv4Addr) -> bool {
    let [a, b, c, _] = address.octets();
    !(address.is_unspecified()
        || address.is_loopback()
        || address.is_private()
        || address.is_link_local()
        || address.is_multicast()
        || address.is_broadcast()
        || a == 0                                   // "this network"
        || (a == 100 && (64..128).contains(&b))     // shared address space (CGNAT)
        || (a == 192 && b == 0 && c == 0)           // IETF protocol assignments
        || (a == 198 && (b == 18 || b == 19))       // benchmarking
        || a >= 240) // reserved
}

fn is_public_v6(address: Ipv6Addr) -> bool {
    let segments = address.segments();
    if let Some(v4) = embedded_v4(address) {
        return is_public_v4(v4);
    }
    !(address.is_unspecified()
        || address.is_loopback()
        || address.is_multicast()
        || (segments[0] & 0xfe00) == 0xfc00   // unique local fc00::/7
        || (segments[0] & 0xffc0) == 0xfe80   // link-local fe80::/10
        || (segments[0] & 0xffc0) == 0xfec0 // site-local (deprecated)
        || segments[0] == 0x2001 && segments[1] == 0x0db8) // documentation
}

/// The IPv4 address inside an IPv6 one, in the forms that route to it:
/// mapped (::ffff:a.b.c.d), compatible (::a.b.c.d), NAT64 (64:ff9b::/96)
/// and 6to4 (2002:aabb:ccdd::/48).
fn embedded_v4(address: Ipv6Addr) -> Option<Ipv4Addr> {
    let s = address.segments();
    let last = |hi: u16, lo: u16| Ipv4Addr::new((hi >> 8) as u8, hi as u8, (lo >> 8) as u8, lo as u8);
    if let Some(v4) = address.to_ipv4_mapped() {
        return Some(v4);
    }
    if s[..6] == [0; 6] && !(s[6] == 0 && s[7] <= 1) {
        return Some(last(s[6], s[7]));
    }
    if s[0] == 0x64 && s[1] == 0xff9b && s[2..6] == [0; 4] {
        return Some(last(s[6], s[7]));
    }
    if s[0] == 0x2002 {
        return Some(last(s[1], s[2]));
    }
    None
}

/// An IP network in CIDR form, such as `10.0.0.0/8` or `fd00::/8`.
///
/// ```
/// use a2akit::server::push::IpNetwork;
///
/// let network: IpNetwork = "192.168.0.0/16".parse().unwrap();
/// assert!(network.contains("192.168.4.2".parse().unwrap()));
/// assert!(!network.contains("192.169.0.1".parse().unwrap()));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IpNetwork {
    address: IpAddr,
    prefix: u8,
}

impl IpNetwork {
    /// The network of `address` with `prefix` leading bits (capped at the
    /// address's length).
    pub fn new(address: IpAddr, prefix: u8) -> Self {
        let max = if address.is_ipv4() { 32 } else { 128 };
        Self {
            address,
            prefix: prefix.min(max),
        }
    }

    /// Whether `address` is in this network.
    pub fn contains(&self, address: IpAddr) -> bool {
        match (self.address, address) {
            (IpAddr::V4(net), IpAddr::V4(a)) => {
                let mask = u32::MAX.checked_shl(32 - u32::from(self.prefix)).unwrap_or(0);
                u32::from(net) & mask == u32::from(a) & mask
            }
            (IpAddr::V6(net), IpAddr::V6(a)) => {
                let mask = u128::MAX.checked_shl(128 - u32::from(self.prefix)).unwrap_or(0);
                u128::from(net) & mask == u128::from(a) & mask
            }
            (IpAddr::V4(_), IpAddr::V6(a)) => {
                a.to_ipv4_mapped().is_some_and(|v4| self.contains(IpAddr::V4(v4)))
            }
            (IpAddr::V6(_), IpAddr::V4(_)) => false,
        }
    }
}

impl FromStr for IpNetwork {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let (address, prefix) = match text.split_once('/') {
            Some((address, prefix)) => (address, Some(prefix)),
            None => (text, None),
        };
        let address: IpAddr = address
            .parse()
            .map_err(|_| format!("{text:?} is not an IP network"))?;
        let max = if address.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            None => max,
            Some(prefix) => prefix
                .parse::<u8>()
                .ok()
                .filter(|p| *p <= max)
                .ok_or_else(|| format!("{text:?} has no valid prefix length"))?,
        };
        Ok(Self::new(address, prefix))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_non_public_form_is_refused_by_default() {
        let guard = WebhookGuard::new();
        for url in [
            "http://127.0.0.1/hook",
            "http://127.1.2.3:8080/",
            "http://2130706433/", // 127.0.0.1 as one number
            "http://0x7f.0.0.1/", // in hex
            "http://0177.0.0.1/", // in octal
            "http://10.0.0.5/",
            "http://172.16.0.1/",
            "http://172.31.255.255/",
            "http://192.168.1.1/",
            "http://169.254.169.254/latest/meta-data/",
            "http://100.64.0.1/",
            "http://0.0.0.0/",
            "http://224.0.0.1/",
            "http://255.255.255.255/",
            "http://240.0.0.1/",
            "http://[::1]/",
            "http://[::]/",
            "http://[fe80::1]/",
            "http://[fd12:3456::1]/",
            "http://[ff02::1]/",
            "http://[::ffff:127.0.0.1]/",
            "http://[::ffff:169.254.169.254]/",
            "http://[::127.0.0.1]/",
            "http://[64:ff9b::10.0.0.1]/",
            "http://[2002:c0a8:0101::1]/", // 6to4 of 192.168.1.1
            "http://localhost:9000/",
            "http://api.localhost/",
            "http://LOCALHOST./",
        ] {
            assert!(guard.check_url(url).is_err(), "{url} must be refused");
        }
    }

    #[test]
    fn public_targets_and_names_pass() {
        let guard = WebhookGuard::new();
        for url in [
            "https://hooks.example.com/a2a",
            "http://93.184.216.34/hook",
            "https://[2606:4700::1111]/",
            "http://[::ffff:8.8.8.8]/",
            "https://172.32.0.1/",
            "https://100.128.0.1/",
        ] {
            assert!(
                guard.check_url(url).is_ok(),
                "{url} must pass: {:?}",
                guard.check_url(url)
            );
        }
    }

    #[test]
    fn schemes_credentials_and_size_are_checked() {
        let guard = WebhookGuard::allow_all();
        assert!(guard.check_url("http://127.0.0.1/").is_ok());
        for url in [
            "ftp://example.com/",
            "file:///etc/passwd",
            "gopher://example.com/",
            "https://user:pass@example.com/",
            "not a url",
        ] {
            assert!(guard.check_url(url).is_err(), "{url}");
        }
        let huge = format!("https://example.com/{}", "a".repeat(MAX_URL));
        assert!(guard.check_url(&huge).is_err());
    }

    #[test]
    fn the_allow_list_opens_what_it_names_only() {
        let guard = WebhookGuard::new()
            .allow_loopback()
            .allow_network("10.1.0.0/16".parse().unwrap())
            .allow_host("hooks.internal");
        assert!(guard.check_url("http://127.0.0.1:9/webhook").is_ok());
        assert!(guard.check_url("http://[::1]:9/").is_ok());
        assert!(guard.check_url("http://localhost:9/").is_ok());
        assert!(guard.check_url("http://10.1.2.3/").is_ok());
        assert!(guard.check_url("http://10.2.0.1/").is_err());
        assert!(guard.check_url("http://169.254.169.254/").is_err());
        assert!(guard.allows_host("HOOKS.internal."));
        assert!(
            WebhookGuard::new()
                .allow_host("Hooks.Internal.")
                .allows_host("hooks.internal")
        );
    }

    #[test]
    fn header_values_are_checked() {
        let guard = WebhookGuard::new();
        let mut config =
            TaskPushNotificationConfig::new("https://example.com/hook").with_token("a\r\nX-Evil: 1");
        let err = guard.check_config(&config, "").unwrap_err();
        assert!(err.to_string().contains("token"), "{err}");
        config.token = "fine".into();
        config.authentication = Some(crate::types::AuthenticationInfo {
            scheme: "Bearer\n".into(),
            credentials: "x".into(),
        });
        assert!(guard.check_config(&config, "").is_err());
    }

    #[test]
    fn networks_parse_and_match() {
        let v6: IpNetwork = "fd00::/8".parse().unwrap();
        assert!(v6.contains("fd12::1".parse().unwrap()));
        assert!(!v6.contains("fe80::1".parse().unwrap()));
        let all: IpNetwork = "0.0.0.0/0".parse().unwrap();
        assert!(all.contains("8.8.8.8".parse().unwrap()));
        assert!("10.0.0.0/33".parse::<IpNetwork>().is_err());
        assert!("nonsense".parse::<IpNetwork>().is_err());
    }
}
