//! Exponential backoff with jitter, shared by the event stream and the outbox sender.

use std::time::Duration;

/// Delays that double from `first` up to `max`, each picked at random in its upper half so
/// that many clients do not retry in step.
#[derive(Debug, Clone)]
pub(crate) struct Backoff {
    first: Duration,
    max: Duration,
    next: Duration,
    attempt: u32,
}

impl Backoff {
    pub(crate) fn new(first: Duration, max: Duration) -> Backoff {
        Backoff {
            first,
            max,
            next: first,
            attempt: 0,
        }
    }

    /// The delay before the next attempt, and that attempt's number (1 for the first retry).
    pub(crate) fn next_delay(&mut self) -> (u32, Duration) {
        let ceiling = self.next;
        self.next = (ceiling * 2).min(self.max);
        self.attempt += 1;
        let delay = rand::random_range(ceiling / 2..=ceiling);
        (self.attempt, delay)
    }

    /// Starts over from the first delay, after a success.
    pub(crate) fn reset(&mut self) {
        self.next = self.first;
        self.attempt = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_double_up_to_the_cap_and_restart_after_reset() {
        let mut b = Backoff::new(Duration::from_millis(250), Duration::from_secs(10));
        let ceilings = [250, 500, 1000, 2000, 4000, 8000, 10000, 10000];
        for (i, ceiling) in ceilings.into_iter().enumerate() {
            let (attempt, d) = b.next_delay();
            assert_eq!(attempt, i as u32 + 1);
            let ceiling = Duration::from_millis(ceiling);
            assert!(d <= ceiling && d >= ceiling / 2, "{d:?} vs {ceiling:?}");
        }
        b.reset();
        let (attempt, d) = b.next_delay();
        assert_eq!(attempt, 1);
        assert!(d <= Duration::from_millis(250));
    }
}
