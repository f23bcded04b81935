//! When a reply that could not go out is tried again: exponential backoff with jitter, capped,
//! for a bounded number of attempts.

use rand::RngExt;
use std::time::Duration;

/// How the queue retries a reply its channel could not take yet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// The wait after the first failed attempt; it doubles after each further one.
    pub base: Duration,
    /// The longest wait between two attempts.
    pub cap: Duration,
    /// Attempts in all; the reply is marked failed after the last one fails.
    pub max_attempts: u32,
}

impl Default for RetryPolicy {
    /// 1 s, 2 s, 4 s... up to 30 min between attempts, 16 attempts: about 3 hours in all.
    fn default() -> Self {
        RetryPolicy {
            base: Duration::from_secs(1),
            cap: Duration::from_secs(30 * 60),
            max_attempts: 16,
        }
    }
}

impl RetryPolicy {
    /// The wait after `attempt` (counting from 1) failed: `base * 2^(attempt-1)`, capped,
    /// then drawn uniformly from its upper half so that many replies do not retry in step.
    pub fn backoff(&self, attempt: u32) -> Duration {
        let doubling = 2u32.saturating_pow(attempt.saturating_sub(1).min(30));
        let full = self.base.saturating_mul(doubling).min(self.cap);
        let half = full / 2;
        let jitter = rand::rng().random_range(0..=half.as_millis() as u64);
        half + Duration::from_millis(jitter)
    }

    /// Whether another attempt follows a failed attempt number `attempt`.
    pub fn retries_after(&self, attempt: u32) -> bool {
        attempt < self.max_attempts
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_within_jitter_and_stops_at_the_cap() {
        let p = RetryPolicy {
            base: Duration::from_millis(1000),
            cap: Duration::from_secs(10),
            max_attempts: 5,
        };
        for (attempt, full) in [
            (1, 1000),
            (2, 2000),
            (3, 4000),
            (4, 8000),
            (5, 10_000),
            (40, 10_000),
        ] {
            for _ in 0..50 {
                let d = p.backoff(attempt).as_millis() as u64;
                assert!((full / 2..=full).contains(&d), "attempt {attempt}: {d} ms");
            }
        }
        assert!(p.retries_after(4));
        assert!(!p.retries_after(5));
    }
}
