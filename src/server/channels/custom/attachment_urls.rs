//! Which attachment URLs an integration may post: `http(s)` links to another host. A link to
//! this server's own files (`/api/v1/files/…`) is refused: the portal would serve another
//! customer's upload as if it belonged to the message.

use crate::server::targets;
use reqwest::Url;
use std::net::IpAddr;

/// Where the desk's own files are served.
const OWN_FILES: &str = "/api/v1/files/";

/// Why `url` may not be an attachment's link, if it may not. `public_url` is where this
/// server is reached; private hosts pass only when `allow_private`.
pub fn refusal(url: &str, public_url: &str, allow_private: bool) -> Option<String> {
    let outside = "must be an http:// or https:// link to a file on another host";
    let Ok(parsed) = Url::parse(url.trim()) else {
        return Some(outside.into());
    };
    if !matches!(parsed.scheme(), "http" | "https") || !parsed.has_host() {
        return Some(outside.into());
    }
    if parsed.path().starts_with(OWN_FILES) && is_this_server(&parsed, public_url) {
        return Some(format!(
            "{outside}, not one of this server's files ({OWN_FILES}…)"
        ));
    }
    if !allow_private && let Some(why) = targets::refusal(&parsed) {
        return Some(why);
    }
    None
}

/// Whether `url` may reach this server: its public address, or any loopback or unspecified
/// address or `localhost` (the server may listen on all of them).
fn is_this_server(url: &Url, public_url: &str) -> bool {
    let host = url.host_str().unwrap_or_default().to_ascii_lowercase();
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    let local = match bare.parse::<IpAddr>() {
        Ok(ip) => ip.is_loopback() || ip.is_unspecified(),
        Err(_) => bare == "localhost" || bare.ends_with(".localhost"),
    };
    local
        || Url::parse(public_url).is_ok_and(|own| {
            own.host_str()
                .is_some_and(|h| h.eq_ignore_ascii_case(&host))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    const OWN: &str = "https://desk.acme.example";

    #[test]
    fn only_links_to_files_elsewhere_pass() {
        assert_eq!(refusal("https://cdn.example/box.jpg", OWN, false), None);
        for bad in [
            "/api/v1/files/abc",
            "file:///etc/passwd",
            "javascript:alert(1)",
            "data:text/html,hi",
            "https://desk.acme.example/api/v1/files/abc",
            "http://127.0.0.1:8080/api/v1/files/abc",
            "http://169.254.169.254/latest",
        ] {
            assert!(refusal(bad, OWN, false).is_some(), "{bad}");
        }
        assert_eq!(refusal("http://10.0.0.5/box.jpg", OWN, true), None);
        assert!(refusal("http://127.0.0.1:8080/api/v1/files/abc", OWN, true).is_some());
    }
}
