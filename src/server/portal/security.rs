//! Security plumbing of the portal: response headers, random tokens, anti-forgery tokens,
//! cookies.

use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::Response;
use base64::Engine;
use hmac::{Hmac, KeyInit, Mac};
use rand::Rng;
use sha2::Sha256;

/// Name of the session cookie.
pub const SESSION_COOKIE: &str = "fd_session";

/// Name of the pre-session cookie that the anti-forgery token of signed-out forms is bound to.
pub const CSRF_COOKIE: &str = "fd_csrf";

/// Shortest password accepted, in characters.
pub const MIN_PASSWORD: usize = 10;

/// Longest password accepted, in bytes (argon2 hashes anything; this bounds the work).
pub const MAX_PASSWORD: usize = 1024;

/// Adds the headers every portal answer carries: no framing, no sniffing, no inline script,
/// no referrer (links carry tokens), no caching of private pages.
pub async fn headers(mut response: Response) -> Response {
    let h = response.headers_mut();
    let set = |h: &mut HeaderMap, name, value: &'static str| {
        h.insert(name, HeaderValue::from_static(value));
    };
    set(
        h,
        header::CONTENT_SECURITY_POLICY,
        "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; \
         frame-ancestors 'none'; base-uri 'none'",
    );
    set(h, header::X_FRAME_OPTIONS, "DENY");
    set(h, header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    set(h, header::REFERRER_POLICY, "no-referrer");
    if !h.contains_key(header::CACHE_CONTROL) {
        set(h, header::CACHE_CONTROL, "no-store");
    }
    response
}

/// 256 random bits, URL-safe.
pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// Compares two strings in time that depends only on their lengths.
pub fn same(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// 256 random bits for a key.
pub fn random_key() -> [u8; 32] {
    let mut key = [0u8; 32];
    rand::rng().fill_bytes(&mut key);
    key
}

/// The anti-forgery token of signed-out forms for a browser's pre-session cookie: an HMAC
/// of the cookie under the server's key, so a token fits only its own cookie and a cookie
/// set by someone else comes with no usable token.
pub fn anonymous_csrf(key: &[u8; 32], cookie: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes keys of any length");
    mac.update(b"portal-csrf:");
    mac.update(cookie.as_bytes());
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes())
}

/// The value of cookie `name` in the request.
pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_string())
        .filter(|v| !v.is_empty() && v.len() <= 128)
}

/// A `Set-Cookie` value scoped to one portal; `None` deletes the cookie.
pub fn set_cookie(
    name: &str,
    value: Option<&str>,
    slug: &str,
    max_age: u64,
    secure: bool,
) -> HeaderValue {
    let (value, max_age) = match value {
        Some(v) => (v, max_age),
        None => ("", 0),
    };
    let secure = if secure { "; Secure" } else { "" };
    let text = format!(
        "{name}={value}; Path=/portal/{slug}; HttpOnly; SameSite=Lax; Max-Age={max_age}{secure}"
    );
    HeaderValue::from_str(&text).expect("cookie values are URL-safe")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_anonymous_token_fits_only_its_own_cookie_and_key() {
        let key = random_key();
        let token = anonymous_csrf(&key, "cookie-a");
        assert_eq!(token, anonymous_csrf(&key, "cookie-a"));
        assert_ne!(token, anonymous_csrf(&key, "cookie-b"));
        assert_ne!(token, anonymous_csrf(&random_key(), "cookie-a"));
    }

    #[test]
    fn cookies_are_read_by_exact_name() {
        let mut h = HeaderMap::new();
        h.insert(
            header::COOKIE,
            HeaderValue::from_static("xfd_session=evil; fd_session=abc; other=1"),
        );
        assert_eq!(cookie(&h, SESSION_COOKIE).as_deref(), Some("abc"));
        assert_eq!(cookie(&h, CSRF_COOKIE), None);
        assert!(same("abc", "abc"));
        assert!(!same("abc", "abd"));
        assert!(!same("abc", "abcd"));
    }
}
