//! How much a chat visitor may send: a token bucket per visitor, shared by all their tabs;
//! and how many new chats and offline messages one client address may start.

use crate::server::limits::Quota;
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// New chats per client address: a visitor token handed out, or the first message of a
/// visitor whose token was not handed out on the same socket.
pub const NEW_CHATS: Quota = Quota {
    max: 20,
    window: Duration::from_secs(10 * 60),
};

/// Offline-form messages per client address.
pub const OFFLINE: Quota = Quota {
    max: 10,
    window: Duration::from_secs(10 * 60),
};

/// Longest chat message a visitor may send, in characters.
pub const MAX_MESSAGE_CHARS: usize = 4000;
/// Messages a visitor may send in a burst.
const BURST: f64 = 8.0;
/// One more message allowed every this long.
const REFILL_EVERY: Duration = Duration::from_secs(3);
/// Buckets kept before full ones are forgotten.
const PRUNE_ABOVE: usize = 10_000;

struct Bucket {
    tokens: f64,
    at: Instant,
}

/// Token buckets keyed by visitor thread key.
#[derive(Default)]
pub struct RateLimiter {
    buckets: Mutex<HashMap<String, Bucket>>,
}

impl RateLimiter {
    /// Takes one message from `key`'s bucket; `false` when the visitor is sending too fast.
    pub fn allow(&self, key: &str) -> bool {
        self.allow_at(key, Instant::now())
    }

    fn allow_at(&self, key: &str, now: Instant) -> bool {
        let Ok(mut buckets) = self.buckets.lock() else {
            return false;
        };
        if buckets.len() > PRUNE_ABOVE {
            buckets.retain(|_, b| refilled(b, now) < BURST);
        }
        let bucket = buckets.entry(key.to_string()).or_insert(Bucket {
            tokens: BURST,
            at: now,
        });
        bucket.tokens = refilled(bucket, now);
        bucket.at = now;
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            true
        } else {
            false
        }
    }
}

fn refilled(b: &Bucket, now: Instant) -> f64 {
    let gained = now.saturating_duration_since(b.at).as_secs_f64() / REFILL_EVERY.as_secs_f64();
    (b.tokens + gained).min(BURST)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_burst_passes_then_the_bucket_refills_slowly() {
        let limiter = RateLimiter::default();
        let t0 = Instant::now();
        for _ in 0..BURST as usize {
            assert!(limiter.allow_at("a", t0));
        }
        assert!(!limiter.allow_at("a", t0));
        assert!(limiter.allow_at("b", t0), "buckets are per visitor");
        assert!(!limiter.allow_at("a", t0 + REFILL_EVERY / 2));
        assert!(limiter.allow_at("a", t0 + REFILL_EVERY));
        assert!(!limiter.allow_at("a", t0 + REFILL_EVERY));
    }
}
