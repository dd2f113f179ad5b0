//! Where the crawler may connect.
//!
//! A watched site's address comes from outside (a spreadsheet, an officer, a link on a page),
//! so a crawler that followed it blindly could be made to reach the department's own network:
//! a database console on 10.x, a router on 192.168.x, a cloud metadata service on
//! 169.254.169.254. The guard resolves the host name first and refuses the connection when any
//! address it resolves to is not public — checking after resolution, because a public name can
//! point at a private address. Tests and the demo, which crawl loopback servers, allow private
//! addresses explicitly.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use crate::{Error, Result};

/// Which addresses the crawler may connect to.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AddressPolicy {
    /// Allow loopback, private, link-local and other non-public addresses (tests, the demo).
    pub allow_private: bool,
}

fn public_v4(ip: Ipv4Addr) -> bool {
    let [a, b, ..] = ip.octets();
    !(ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || ip.is_unspecified()
        || ip.is_broadcast()
        || ip.is_multicast()
        || ip.is_documentation()
        || a == 0
        || (a == 100 && (64..128).contains(&b)) // shared address space (carrier-grade NAT)
        || (a == 198 && (b == 18 || b == 19)) // benchmarking
        || a >= 240) // reserved
}

fn public_v6(ip: Ipv6Addr) -> bool {
    if let Some(v4) = ip.to_ipv4_mapped() {
        return public_v4(v4);
    }
    let first = ip.segments()[0];
    !(ip.is_loopback()
        || ip.is_unspecified()
        || ip.is_multicast()
        || (first & 0xfe00) == 0xfc00 // unique local
        || (first & 0xffc0) == 0xfe80 // link-local
        || first == 0x2001 && ip.segments()[1] == 0x0db8) // documentation
}

/// Whether `ip` is an address on the public Internet.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => public_v4(v4),
        IpAddr::V6(v6) => public_v6(v6),
    }
}

/// Resolves `host:port` and returns its addresses, or [`Error::Forbidden`] naming the first
/// address the policy refuses.
pub async fn resolve(host: &str, port: u16, policy: AddressPolicy) -> Result<Vec<SocketAddr>> {
    let host = host.trim_start_matches('[').trim_end_matches(']');
    let addrs: Vec<SocketAddr> = tokio::net::lookup_host((host, port))
        .await
        .map_err(|e| Error::Unreachable {
            host: host.to_owned(),
            reason: e.to_string(),
        })?
        .collect();
    if addrs.is_empty() {
        return Err(Error::Unreachable {
            host: host.to_owned(),
            reason: "the name resolves to no address".into(),
        });
    }
    if !policy.allow_private
        && let Some(bad) = addrs.iter().find(|a| !is_public(a.ip()))
    {
        return Err(Error::Forbidden {
            host: host.to_owned(),
            address: bad.ip().to_string(),
        });
    }
    Ok(addrs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn private_and_special_addresses_are_not_public() {
        for bad in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.9",
            "192.168.1.1",
            "169.254.169.254",
            "0.0.0.0",
            "100.64.0.1",
            "224.0.0.1",
            "255.255.255.255",
            "::1",
            "fe80::1",
            "fd00::1",
            "::ffff:127.0.0.1",
            "::ffff:10.0.0.1",
            "2001:db8::1",
        ] {
            assert!(!is_public(bad.parse().unwrap()), "{bad}");
        }
        for good in ["8.8.8.8", "113.160.0.1", "2400:cb00::1", "::ffff:8.8.8.8"] {
            assert!(is_public(good.parse().unwrap()), "{good}");
        }
    }

    #[tokio::test]
    async fn refuses_names_that_resolve_to_loopback_unless_allowed() {
        let err = resolve("localhost", 80, AddressPolicy::default())
            .await
            .unwrap_err();
        assert!(
            matches!(&err, Error::Forbidden { host, .. } if host == "localhost"),
            "{err}"
        );
        let err = resolve("[::1]", 80, AddressPolicy::default())
            .await
            .unwrap_err();
        assert!(matches!(err, Error::Forbidden { .. }));
        let ok = resolve(
            "127.0.0.1",
            8080,
            AddressPolicy {
                allow_private: true,
            },
        )
        .await
        .unwrap();
        assert_eq!(ok[0].port(), 8080);
    }
}
