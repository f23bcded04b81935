//! Request generations: which answer from the server may still change the screen.
//!
//! Every request the client makes is for one [`Slot`] (the list, the counts, the open thread,
//! its older history, the contact) and carries the generation the slot had when it was asked.
//! Asking again bumps the generation, so an answer is applied only when it answers the latest
//! request for that slot: a late answer for a view, filter or conversation that is no longer
//! on screen is dropped, and the run loop cancels the superseded request.

/// What a request is for. A newer request for a slot supersedes every older one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Slot {
    /// A page of the list for the current view and filter (first page or the next one).
    List,
    /// The per-view counts on the tabs.
    Counts,
    /// The open conversation.
    Thread,
    /// Older history of the open conversation.
    Older,
    /// The contact of the open conversation.
    Contact,
}

impl Slot {
    const ALL: [Slot; 5] = [
        Slot::List,
        Slot::Counts,
        Slot::Thread,
        Slot::Older,
        Slot::Contact,
    ];

    fn index(self) -> usize {
        Slot::ALL.iter().position(|s| *s == self).unwrap_or(0)
    }
}

/// The latest generation asked for, per slot.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Generations([u64; 5]);

impl Generations {
    /// Starts a new request for `slot`, superseding the ones before; returns its generation.
    pub fn next(&mut self, slot: Slot) -> u64 {
        let g = &mut self.0[slot.index()];
        *g += 1;
        *g
    }

    /// The generation of the latest request for `slot`.
    pub fn current(&self, slot: Slot) -> u64 {
        self.0[slot.index()]
    }

    /// Whether an answer to the request of generation `generation` for `slot` may be applied.
    pub fn is_current(&self, slot: Slot, generation: u64) -> bool {
        self.current(slot) == generation
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_latest_request_of_a_slot_is_current() {
        let mut g = Generations::default();
        let first = g.next(Slot::List);
        let second = g.next(Slot::List);
        assert!(!g.is_current(Slot::List, first));
        assert!(g.is_current(Slot::List, second));
    }

    #[test]
    fn slots_are_independent() {
        let mut g = Generations::default();
        let list = g.next(Slot::List);
        let thread = g.next(Slot::Thread);
        g.next(Slot::Thread);
        assert!(g.is_current(Slot::List, list));
        assert!(!g.is_current(Slot::Thread, thread));
        assert_eq!(g.current(Slot::Contact), 0);
    }
}
