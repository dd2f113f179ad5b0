//! Absolute links already written the way the URL standard serialises them.
//!
//! Most links on a news page are absolute `https://` addresses in canonical form; for those
//! a full parse (`Url::parse`) only gives back the same characters. This recognises them
//! conservatively: anything the parser could rewrite (upper case or non-ASCII hosts, ports,
//! user info, IP addresses, dot segments, characters it percent-encodes, backslashes) is left
//! to the parser. The property test below checks the answer against `Url::parse`.

/// `href` without its fragment, and its host, when `href` is an `http`/`https` address that
/// `Url::parse` would serialise to exactly those characters (fragment removed).
pub(super) fn canonical_http(href: &str) -> Option<(&str, &str)> {
    let href = href.split('#').next().unwrap_or(href);
    let rest = href
        .strip_prefix("https://")
        .or_else(|| href.strip_prefix("http://"))?;
    let host_end = rest
        .bytes()
        .position(|b| b == b'/' || b == b'?')
        .unwrap_or(rest.len());
    let (host, tail) = rest.split_at(host_end);
    if !plain_host(host) || !tail.starts_with('/') {
        return None;
    }
    let (path, query) = tail.split_once('?').unwrap_or((tail, ""));
    let path_ok = path.bytes().all(|b| kept(b, b"\"<>`{}?"))
        && !path.contains("/.")
        && !path.contains("%2e")
        && !path.contains("%2E");
    let query_ok = query.bytes().all(|b| kept(b, b"\"<>'"));
    (path_ok && query_ok).then_some((href, host))
}

/// A byte the serialiser leaves as it is in that component: printable ASCII other than the
/// component's percent-encoded set, and never a backslash (a path separator in web URLs).
fn kept(b: u8, encoded: &[u8]) -> bool {
    (0x21..0x7F).contains(&b) && b != b'\\' && !encoded.contains(&b)
}

/// A domain name of lower-case letters, digits and inner hyphens, in labels no longer than
/// the DNS allows, not ending in a number (which the parser would read as an IPv4 address)
/// and without punycode (which it would validate).
fn plain_host(host: &str) -> bool {
    let labels_ok = host.split('.').all(|l| {
        !l.is_empty()
            && l.len() <= 63
            && !l.starts_with('-')
            && !l.ends_with('-')
            && !l.starts_with("xn--")
            && l.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    });
    let last = host.rsplit('.').next().unwrap_or(host);
    labels_ok && host.len() <= 253 && last.starts_with(|c: char| c.is_ascii_lowercase())
}

#[cfg(test)]
mod tests {
    use super::canonical_http;
    use proptest::prelude::*;
    use url::Url;

    /// Whenever the shortcut answers, the parser agrees on the address and the host.
    fn agrees(href: &str) -> Result<(), TestCaseError> {
        if let Some((addr, host)) = canonical_http(href) {
            let mut url =
                Url::parse(href).map_err(|e| TestCaseError::fail(format!("{href}: {e}")))?;
            url.set_fragment(None);
            prop_assert_eq!(url.as_str(), addr);
            prop_assert_eq!(url.host_str(), Some(host));
        }
        Ok(())
    }

    #[test]
    fn common_links_take_the_shortcut_and_odd_ones_do_not() {
        for ok in [
            "https://vnexpress.net/thoi-su/gia-rau-tang-4812345.html",
            "http://a.b.example/x?y=1&z=%C3%A1#top",
            "https://tuoitre.vn/",
        ] {
            assert!(canonical_http(ok).is_some(), "{ok}");
            agrees(ok).unwrap();
        }
        for odd in [
            "HTTPS://a.example/",
            "https://A.example/",
            "https://a.example",
            "https://a.example:443/",
            "https://u@a.example/",
            "https://1.2.3.4/",
            "https://a.example/b/../c",
            "https://a.example/b c",
            "https://a.example/á",
            "https://a.example\\b",
            "https://xn--bcher-kva.example/",
            "mailto:a@b.example",
        ] {
            assert!(canonical_http(odd).is_none(), "{odd}");
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(4000))]
        #[test]
        fn the_shortcut_agrees_with_the_parser(
            href in prop_oneof![
                // Mostly canonical addresses, so that the shortcut answers often.
                "https?://[a-z][a-z0-9\\-]{0,5}(\\.[a-z0-9]{1,4}){0,2}/[a-zA-Z0-9\\-._~!$&'()*+,;=:@%/^|]{0,20}(\\?[a-zA-Z0-9=&%'/?.]{0,12})?(#[a-z]{0,5})?",
                "(https?|HTTP|ftp)://[a-zA-Z0-9.\\-_:@\\[\\]]{0,20}(/[a-zA-Z0-9.\\-_~!$&'()*+,;=:@%/ \"<>`{}\\\\^|\t\u{e1}]{0,20})?(\\?[a-zA-Z0-9.\\-=&%' \"<>#/?]{0,12})?(#[a-z ]{0,5})?",
            ]
        ) {
            agrees(&href)?;
        }
    }
}
