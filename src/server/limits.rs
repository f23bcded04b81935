//! Per-client limits of the anonymous endpoints (portal forms, chat, web forms): who the
//! client is, and a counter of events per key in fixed windows, bounded in memory.
//!
//! Counters live in the server process; a restart forgets them, which only ever lets a
//! client in sooner.

use super::error::ApiError;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use std::collections::HashMap;
use std::hash::Hash;
use std::net::{IpAddr, Ipv6Addr, SocketAddr};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Most keys a limiter tracks; past it, ended windows are dropped, then the oldest half.
const MAX_KEYS: usize = 50_000;

/// How many events a key may have in one window.
#[derive(Debug, Clone, Copy)]
pub struct Quota {
    pub max: u32,
    pub window: Duration,
}

/// Events counted per key in fixed windows: a key's window opens with its first event.
pub struct Limiter<K> {
    quota: Quota,
    capacity: usize,
    windows: Mutex<HashMap<K, Window>>,
}

struct Window {
    count: u32,
    ends: Instant,
}

impl<K: Hash + Eq + Clone> Limiter<K> {
    /// A limiter allowing `quota` per key.
    pub fn new(quota: Quota) -> Limiter<K> {
        Limiter::with_capacity(quota, MAX_KEYS)
    }

    fn with_capacity(quota: Quota, capacity: usize) -> Limiter<K> {
        Limiter {
            quota,
            capacity,
            windows: Mutex::new(HashMap::new()),
        }
    }

    /// Counts one event for `key` when the quota allows it; else how long until it does.
    /// Checking and counting are one step, so concurrent requests never both take the last
    /// slot.
    pub fn take(&self, key: &K) -> Result<(), Duration> {
        self.take_at(key, Instant::now())
    }

    fn take_at(&self, key: &K, now: Instant) -> Result<(), Duration> {
        let mut windows = self.windows.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(w) = windows.get_mut(key)
            && w.ends > now
        {
            if w.count >= self.quota.max {
                return Err(w.ends - now);
            }
            w.count += 1;
            return Ok(());
        }
        if windows.len() >= self.capacity && !windows.contains_key(key) {
            evict(&mut windows, now, self.capacity);
        }
        windows.insert(
            key.clone(),
            Window {
                count: 1,
                ends: now + self.quota.window,
            },
        );
        Ok(())
    }

    /// Gives back one event counted by [`take`](Self::take) (the attempt did not count).
    pub fn give_back(&self, key: &K) {
        let mut windows = self.windows.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(w) = windows.get_mut(key) {
            w.count = w.count.saturating_sub(1);
        }
    }

    /// Forgets `key`: its next event opens a fresh window.
    pub fn clear(&self, key: &K) {
        self.windows
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(key);
    }
}

/// Drops ended windows; when that frees too little, the older half too.
fn evict<K: Hash + Eq>(windows: &mut HashMap<K, Window>, now: Instant, capacity: usize) {
    windows.retain(|_, w| w.ends > now);
    if windows.len() >= capacity {
        let mut ends: Vec<Instant> = windows.values().map(|w| w.ends).collect();
        let cut = ends.len() - capacity / 2;
        let threshold = *ends.select_nth_unstable(cut).1;
        windows.retain(|_, w| w.ends > threshold);
    }
}

/// The client's address: the peer's, or behind a trusted proxy the last address it added
/// to `X-Forwarded-For` (earlier entries are the client's own claims).
pub fn client_ip(headers: &HeaderMap, peer: SocketAddr, trust_proxy: bool) -> IpAddr {
    let forwarded = || {
        headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .next_back()?
            .trim()
            .parse()
            .ok()
    };
    trust_proxy.then(forwarded).flatten().unwrap_or(peer.ip())
}

/// The key a client address is limited under: an IPv4 address itself, an IPv6 address its
/// /64 network (one subscriber usually holds a whole /64).
pub fn address_key(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V4(v4) => IpAddr::V4(v4),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => {
                let network = u128::from(v6) & !((1u128 << 64) - 1);
                IpAddr::V6(Ipv6Addr::from(network))
            }
        },
    }
}

/// The limit key of a request's client: [`client_ip`] then [`address_key`].
pub fn client_key(headers: &HeaderMap, peer: SocketAddr, trust_proxy: bool) -> IpAddr {
    address_key(client_ip(headers, peer, trust_proxy))
}

/// Whole seconds to put in `Retry-After` for a wait (at least 1).
pub fn retry_after_secs(wait: Duration) -> u64 {
    wait.as_secs_f64().ceil().max(1.0) as u64
}

/// 429 `rate_limited` in the API's error shape, with `Retry-After`.
pub fn rate_limited(wait: Duration, message: impl Into<String>) -> Response {
    let mut response =
        ApiError::new(StatusCode::TOO_MANY_REQUESTS, "rate_limited", message).into_response();
    response.headers_mut().insert(
        header::RETRY_AFTER,
        HeaderValue::from(retry_after_secs(wait)),
    );
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINUTE: Quota = Quota {
        max: 3,
        window: Duration::from_secs(60),
    };

    #[test]
    fn a_key_gets_its_quota_per_window_and_is_told_how_long_to_wait() {
        let l = Limiter::new(MINUTE);
        let t0 = Instant::now();
        for _ in 0..3 {
            assert_eq!(l.take_at(&"a", t0), Ok(()));
        }
        assert_eq!(
            l.take_at(&"a", t0 + Duration::from_secs(20)),
            Err(Duration::from_secs(40))
        );
        assert_eq!(l.take_at(&"b", t0), Ok(()), "keys are counted apart");
        assert_eq!(l.take_at(&"a", t0 + Duration::from_secs(60)), Ok(()));
    }

    #[test]
    fn given_back_and_cleared_events_free_their_slots() {
        let l = Limiter::new(MINUTE);
        let t0 = Instant::now();
        for _ in 0..3 {
            l.take_at(&"a", t0).unwrap();
        }
        l.give_back(&"a");
        assert_eq!(l.take_at(&"a", t0), Ok(()));
        assert!(l.take_at(&"a", t0).is_err());
        l.clear(&"a");
        assert_eq!(l.take_at(&"a", t0), Ok(()));
    }

    #[test]
    fn tracked_keys_stay_under_the_cap_and_the_newest_are_kept() {
        let l = Limiter::with_capacity(MINUTE, 100);
        let t0 = Instant::now();
        for i in 0..1000u32 {
            l.take_at(&i, t0 + Duration::from_millis(u64::from(i)))
                .unwrap();
            assert!(l.windows.lock().unwrap().len() <= 100);
        }
        let now = t0 + Duration::from_millis(1000);
        for _ in 0..2 {
            l.take_at(&999, now).unwrap();
        }
        assert!(
            l.take_at(&999, now).is_err(),
            "a recent key keeps its count"
        );
    }

    #[test]
    fn the_client_address_comes_from_the_proxy_only_when_trusted() {
        let peer: SocketAddr = "10.0.0.1:5000".parse().unwrap();
        let mut headers = HeaderMap::new();
        headers.insert(
            "x-forwarded-for",
            HeaderValue::from_static("6.6.6.6, 203.0.113.7"),
        );
        assert_eq!(client_ip(&headers, peer, false), peer.ip());
        assert_eq!(
            client_ip(&headers, peer, true),
            "203.0.113.7".parse::<IpAddr>().unwrap()
        );
        assert_eq!(client_ip(&HeaderMap::new(), peer, true), peer.ip());
    }

    #[test]
    fn ipv6_clients_are_limited_per_64_network() {
        let key = |s: &str| address_key(s.parse().unwrap());
        assert_eq!(key("2001:db8:1:2:aaaa::1"), key("2001:db8:1:2:bbbb::9"));
        assert_ne!(key("2001:db8:1:2::1"), key("2001:db8:1:3::1"));
        assert_eq!(key("::ffff:192.0.2.1"), key("192.0.2.1"));
        assert_ne!(key("192.0.2.1"), key("192.0.2.2"));
    }
}
