//! Keeping secrets out of messages: a URL shown in an error, a `Debug`
//! output or a log line loses what may carry a credential.

/// `url` as it may be shown: scheme, host, port and path, with no user or
/// password (`https://user:secret@…`) and no query (where an API key may
/// travel), a query being shown as `?…`. Works on text that does not parse
/// as a URL as well, since that is exactly what an error may have to show.
pub(crate) fn url(url: &str) -> String {
    if url.contains("://") {
        if let Ok(parsed) = reqwest::Url::parse(url) {
            if let Some(host) = parsed.host_str() {
                let port = parsed.port().map(|port| format!(":{port}")).unwrap_or_default();
                let query = if parsed.query().is_some() { "?…" } else { "" };
                return format!("{}://{host}{port}{}{query}", parsed.scheme(), parsed.path());
            }
        }
    }
    unparsed(url)
}

/// [`url`] for text that is no URL with a host. The user information goes
/// first: a password may hold a `?` or `#` (`https://u:p?ss@h`), so
/// cutting the query first would leave part of it. Everything up to the
/// last `@` before the path (the first `/` after the scheme) is dropped;
/// then the query and fragment.
fn unparsed(url: &str) -> String {
    let (scheme, rest) = match url.split_once("://") {
        Some((scheme, rest)) => (Some(scheme), rest),
        None => (None, url),
    };
    let authority_end = rest.find('/').unwrap_or(rest.len());
    let rest = match rest[..authority_end].rfind('@') {
        Some(at) => &rest[at + 1..],
        None => rest,
    };
    let without_fragment = rest.split('#').next().unwrap_or_default();
    let (before_query, query) = match without_fragment.split_once('?') {
        Some((before, _)) => (before, true),
        None => (without_fragment, false),
    };
    let mut shown = String::with_capacity(before_query.len() + 12);
    if let Some(scheme) = scheme {
        shown.push_str(scheme);
        shown.push_str("://");
    }
    shown.push_str(before_query);
    if query {
        shown.push_str("?…");
    }
    shown
}

#[cfg(test)]
mod tests {
    use super::url;

    #[test]
    fn queries_and_userinfo_are_left_out() {
        assert_eq!(
            url("https://ann:pw@agent.example.com:8443/a2a/v1?key=s3cret&x=1#frag"),
            "https://agent.example.com:8443/a2a/v1?…"
        );
        assert_eq!(url("http://127.0.0.1:9/"), "http://127.0.0.1:9/");
        assert_eq!(url("token@host:50051"), "host:50051");
        assert_eq!(url("not a url?key=s3cret"), "not a url?…");
        assert_eq!(url("https://h/p@q?k=v"), "https://h/p@q?…");
        assert_eq!(url("https://[::1]:8080/x"), "https://[::1]:8080/x");
    }

    #[test]
    fn a_password_holding_a_query_or_fragment_sign_is_left_out_whole() {
        for text in [
            "https://u:p?ss@h",
            "https://u:p#ss@h/a2a",
            "https://u:p?ss@h:1/a2a?key=k",
            "u:p?ss@h:50051",
        ] {
            let shown = url(text);
            assert!(
                !shown.contains("u:p") && !shown.contains("ss"),
                "{text} shows {shown}"
            );
        }
        assert_eq!(url("https://u:p?ss@h"), "https://h");
        assert_eq!(url("https://u:p#ss@h/a2a"), "https://h/a2a");
    }

    #[test]
    fn an_at_sign_in_a_query_does_not_reveal_the_query() {
        // Parsed as a URL: the host is `h`, and `a@b` is in the query.
        assert_eq!(url("https://h?key=s3cr@t"), "https://h/?…");
        assert_eq!(url("https://h/?key=s3cr@t/x"), "https://h/?…");
    }
}
