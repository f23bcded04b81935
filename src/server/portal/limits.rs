//! In-memory rate limits: failed sign-ins per address and e-mail, and mails per address.
//!
//! Counters live in the server process; a restart forgets them, which only ever lets a
//! customer in sooner.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Most entries kept before expired ones are swept.
const SWEEP_AT: usize = 10_000;

/// Counts events per key in fixed windows.
#[derive(Default)]
pub struct Limiter {
    windows: Mutex<HashMap<String, (u32, Instant)>>,
}

impl Limiter {
    /// How long until `key` may try again, when it already had `max` events in `window`.
    pub fn blocked(&self, key: &str, max: u32, window: Duration) -> Option<Duration> {
        let windows = self.windows.lock().unwrap_or_else(|e| e.into_inner());
        let (count, started) = windows.get(key)?;
        let elapsed = started.elapsed();
        (*count >= max && elapsed < window).then(|| window - elapsed)
    }

    /// Counts one event for `key`.
    pub fn hit(&self, key: &str, window: Duration) {
        let mut windows = self.windows.lock().unwrap_or_else(|e| e.into_inner());
        if windows.len() >= SWEEP_AT {
            windows.retain(|_, (_, started)| started.elapsed() < window);
        }
        let entry = windows
            .entry(key.to_string())
            .or_insert((0, Instant::now()));
        if entry.1.elapsed() >= window {
            *entry = (0, Instant::now());
        }
        entry.0 += 1;
    }

    /// Forgets `key` (a successful sign-in).
    pub fn clear(&self, key: &str) {
        self.windows
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(key);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_after_max_events_and_clears() {
        let l = Limiter::default();
        let w = Duration::from_secs(60);
        for _ in 0..3 {
            assert!(l.blocked("k", 3, w).is_none());
            l.hit("k", w);
        }
        assert!(l.blocked("k", 3, w).is_some());
        assert!(l.blocked("other", 3, w).is_none());
        l.clear("k");
        assert!(l.blocked("k", 3, w).is_none());
    }
}
