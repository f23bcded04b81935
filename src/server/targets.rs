//! Where the server may connect on an admin's behalf (webhook URLs, Graph base URLs):
//! public addresses only, unless the server runs with `--allow-private-targets`.
//!
//! A URL is checked when it is set (an address written in it, or `localhost`) and again when
//! the server connects: names are resolved through [`PublicResolver`], which keeps only
//! public addresses, so a name that resolves to a private one is refused too.

use reqwest::Url;
use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

/// Whether `ip` is loopback, link-local, private, shared (carrier NAT), unspecified,
/// broadcast or multicast: an address inside the server's own network.
pub fn is_private(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => private_v4(v4),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => private_v4(v4),
            None => private_v6(v6),
        },
    }
}

fn private_v4(ip: Ipv4Addr) -> bool {
    let [a, b, ..] = ip.octets();
    ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || ip.is_unspecified()
        || ip.is_broadcast()
        || ip.is_multicast()
        || a == 0
        || (a == 100 && (64..128).contains(&b))
}

fn private_v6(ip: Ipv6Addr) -> bool {
    let first = ip.segments()[0];
    ip.is_loopback()
        || ip.is_unspecified()
        || ip.is_multicast()
        || (first & 0xfe00) == 0xfc00
        || (first & 0xffc0) == 0xfe80
}

/// Why `url` may not be connected to, if it names a private target: an address written in
/// it, or `localhost`. Names are checked again once resolved, when connecting.
pub fn refusal(url: &Url) -> Option<String> {
    let host = url.host_str()?;
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    let private = match bare.parse::<IpAddr>() {
        Ok(ip) => is_private(ip),
        Err(_) => {
            let name = bare.trim_end_matches('.').to_ascii_lowercase();
            name == "localhost" || name.ends_with(".localhost")
        }
    };
    private.then(|| {
        format!(
            "{} is a loopback, link-local or private address; the server refuses such targets \
             unless it runs with --allow-private-targets",
            host
        )
    })
}

/// Checks an admin-set URL: `Err` with the reason when it names a private target and
/// `allow_private` is off.
pub fn check(url: &str, allow_private: bool) -> Result<(), String> {
    if allow_private {
        return Ok(());
    }
    match Url::parse(url) {
        Ok(parsed) => refusal(&parsed).map_or(Ok(()), Err),
        Err(_) => Ok(()),
    }
}

/// Resolves names like the system does, then keeps only public addresses: a name that
/// resolves only to private ones fails to connect.
#[derive(Debug, Clone, Copy, Default)]
pub struct PublicResolver;

impl Resolve for PublicResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let host = name.as_str().to_string();
        Box::pin(async move {
            let public: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), 0))
                .await?
                .filter(|a| !is_private(a.ip()))
                .collect();
            if public.is_empty() {
                return Err(format!(
                    "{host} resolves only to loopback, link-local or private addresses, \
                     which the server refuses unless it runs with --allow-private-targets"
                )
                .into());
            }
            Ok(Box::new(public.into_iter()) as Addrs)
        })
    }
}

/// An HTTP client builder that connects to public targets only unless `allow_private`.
pub fn client_builder(allow_private: bool) -> reqwest::ClientBuilder {
    let builder = reqwest::Client::builder();
    if allow_private {
        builder
    } else {
        builder.dns_resolver(PublicResolver)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn private_ranges_are_recognised() {
        for ip in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "::1",
            "fe80::1",
            "fd00::1",
            "::ffff:127.0.0.1",
        ] {
            assert!(is_private(ip.parse().unwrap()), "{ip}");
        }
        for ip in ["93.184.216.34", "8.8.8.8", "2606:4700::1111"] {
            assert!(!is_private(ip.parse().unwrap()), "{ip}");
        }
    }

    #[test]
    fn urls_naming_private_targets_are_refused_unless_allowed() {
        for url in [
            "http://169.254.169.254/latest/meta-data",
            "http://10.0.0.7:8080/hook",
            "http://127.0.0.1/hook",
            "http://[::1]/hook",
            "http://localhost:9000/hook",
            "https://api.localhost/hook",
        ] {
            assert!(check(url, false).is_err(), "{url}");
            assert!(check(url, true).is_ok(), "{url}");
        }
        assert!(check("https://bridge.example/hook", false).is_ok());
    }

    #[tokio::test]
    async fn names_resolving_only_to_private_addresses_are_refused() {
        let name: Name = "localhost".parse().unwrap();
        let refused = PublicResolver.resolve(name).await.err().unwrap();
        assert!(refused.to_string().contains("--allow-private-targets"));
    }
}
