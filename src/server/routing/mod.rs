//! Routing: which agent a channel's new conversation goes to.
//!
//! The rules per channel name a mode (nobody, listed agents and teams, the contact's owner),
//! a fallback for the owner mode, and whether only available agents count. Only agents with a
//! seat are ever eligible. Among the eligible, a fair rotation picks the agent after the one
//! the channel last routed to, in id order; the store keeps that position, so the rotation
//! survives restarts. This module decides; `store::routing` reads the facts and writes the
//! outcome in the transaction that opens the conversation.

pub mod handlers;

use crate::api::RoutingRules;
use crate::domain::{Id, RoutingFallback, RoutingMode};

/// An agent who may take a conversation under a channel's rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Candidate {
    pub agent_id: Id,
    /// The lowest-numbered listed team the agent belongs to, if any.
    pub team_id: Option<Id>,
}

/// Where a new conversation goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Assignment {
    /// Nobody eligible, or nobody asked for: it stays unassigned.
    Unassigned,
    /// To the contact's owner; the rotation does not move.
    ContactOwner(Id),
    /// To the next agent of the rotation; the rotation moves to them.
    Rotation(Candidate),
}

/// Decides the assignment. `owner` is the contact's owner when eligible (seat, and available
/// unless the rules say otherwise); `candidates` are the eligible agents of the rotation in
/// ascending id order; `last` is the agent the channel last routed to.
pub fn assign(
    rules: &RoutingRules,
    owner: Option<Id>,
    candidates: &[Candidate],
    last: Option<Id>,
) -> Assignment {
    let rotation = || match next_in_rotation(candidates, last) {
        Some(c) => Assignment::Rotation(c),
        None => Assignment::Unassigned,
    };
    match rules.mode {
        RoutingMode::Nobody => Assignment::Unassigned,
        RoutingMode::UsersAndTeams => rotation(),
        RoutingMode::ContactOwner => match (owner, rules.fallback) {
            (Some(owner), _) => Assignment::ContactOwner(owner),
            (None, RoutingFallback::UsersAndTeams) => rotation(),
            (None, RoutingFallback::Nobody) => Assignment::Unassigned,
        },
    }
}

/// The first candidate with an id above `last`, wrapping around to the lowest id.
///
/// Candidates come in ascending id order. An agent who left the rotation (away, no seat) is
/// skipped without losing the place of the others.
pub fn next_in_rotation(candidates: &[Candidate], last: Option<Id>) -> Option<Candidate> {
    let after = last.unwrap_or(Id::MIN);
    candidates
        .iter()
        .find(|c| c.agent_id > after)
        .or_else(|| candidates.first())
        .copied()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn agents(ids: &[Id]) -> Vec<Candidate> {
        ids.iter()
            .map(|&agent_id| Candidate {
                agent_id,
                team_id: None,
            })
            .collect()
    }

    fn rules(mode: RoutingMode, fallback: RoutingFallback) -> RoutingRules {
        RoutingRules {
            mode,
            fallback,
            ..RoutingRules::default()
        }
    }

    #[test]
    fn rotation_takes_turns_in_id_order_and_wraps() {
        let c = agents(&[3, 5, 9]);
        let mut last = None;
        let mut picked = Vec::new();
        for _ in 0..5 {
            let next = next_in_rotation(&c, last).unwrap().agent_id;
            picked.push(next);
            last = Some(next);
        }
        assert_eq!(picked, [3, 5, 9, 3, 5]);
    }

    #[test]
    fn rotation_skips_an_agent_who_left_without_losing_its_place() {
        // 5 was last; 9 went away: the turn passes to 3, not back to the start of a new list.
        assert_eq!(
            next_in_rotation(&agents(&[3, 5]), Some(5))
                .unwrap()
                .agent_id,
            3
        );
        // The last one routed to went away: the next above it still comes first.
        assert_eq!(
            next_in_rotation(&agents(&[3, 9]), Some(5))
                .unwrap()
                .agent_id,
            9
        );
        assert_eq!(next_in_rotation(&[], Some(5)), None);
    }

    #[test]
    fn contact_owner_first_then_the_fallback() {
        let c = agents(&[2, 4]);
        let owner_mode = rules(RoutingMode::ContactOwner, RoutingFallback::UsersAndTeams);
        assert_eq!(
            assign(&owner_mode, Some(7), &c, None),
            Assignment::ContactOwner(7)
        );
        assert_eq!(
            assign(&owner_mode, None, &c, Some(2)),
            Assignment::Rotation(c[1])
        );
        let no_fallback = rules(RoutingMode::ContactOwner, RoutingFallback::Nobody);
        assert_eq!(assign(&no_fallback, None, &c, None), Assignment::Unassigned);
    }

    #[test]
    fn nobody_mode_and_an_empty_rotation_leave_it_unassigned() {
        let c = agents(&[1]);
        let nobody = rules(RoutingMode::Nobody, RoutingFallback::UsersAndTeams);
        assert_eq!(assign(&nobody, Some(1), &c, None), Assignment::Unassigned);
        let listed = rules(RoutingMode::UsersAndTeams, RoutingFallback::Nobody);
        assert_eq!(assign(&listed, None, &[], None), Assignment::Unassigned);
    }
}
