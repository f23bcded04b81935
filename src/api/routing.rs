//! Request and answer bodies of routing: per-channel rules and presets, agents' seats and
//! availability, teams, contact owners.

use crate::domain::{Id, Priority, RoutingFallback, RoutingMode, Status};
use serde::{Deserialize, Serialize};

/// `GET/PUT /api/v1/channels/{id}/routing`: who a channel's new conversations go to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RoutingRules {
    pub mode: RoutingMode,
    /// Agents in the rotation (`users_and_teams`, or the fallback of `contact_owner`).
    #[serde(default)]
    pub agent_ids: Vec<Id>,
    /// Teams whose members join the rotation; a conversation routed through one gets its team.
    #[serde(default)]
    pub team_ids: Vec<Id>,
    /// Where `contact_owner` sends a conversation whose contact has no eligible owner.
    #[serde(default = "no_fallback")]
    pub fallback: RoutingFallback,
    /// Route only to agents who are available (the default); `false` includes away agents.
    #[serde(default = "yes")]
    pub only_available: bool,
}

fn no_fallback() -> RoutingFallback {
    RoutingFallback::Nobody
}

fn yes() -> bool {
    true
}

impl Default for RoutingRules {
    /// A channel nobody configured leaves its conversations unassigned.
    fn default() -> Self {
        RoutingRules {
            mode: RoutingMode::Nobody,
            agent_ids: Vec::new(),
            team_ids: Vec::new(),
            fallback: RoutingFallback::Nobody,
            only_available: true,
        }
    }
}

/// `GET/PUT /api/v1/channels/{id}/presets`: properties every new conversation of a channel
/// starts with. `null` or absent leaves the desk's default.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChannelPresets {
    #[serde(default)]
    pub status: Option<Status>,
    #[serde(default)]
    pub priority: Option<Priority>,
    #[serde(default)]
    pub team_id: Option<Id>,
    #[serde(default)]
    pub labels: Vec<String>,
}

/// `PATCH /api/v1/agents/{id}` (admin): absent fields stay.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AgentPatch {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub available: Option<bool>,
    /// Only agents with a seat can be routed to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub has_seat: Option<bool>,
    /// `admin` or `agent`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<crate::domain::Role>,
    /// `false` deactivates the agent: their tokens stop working at once.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub active: Option<bool>,
}

/// `POST /api/v1/teams` (admin).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewTeam {
    pub name: String,
    #[serde(default)]
    pub member_ids: Vec<Id>,
}

/// `PATCH /api/v1/teams/{id}` (admin): absent fields stay; `member_ids` replaces the members.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TeamPatch {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub member_ids: Option<Vec<Id>>,
}

/// `PATCH /api/v1/contacts/{id}`: `owner_id` sets the contact's owner, `null` clears it.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ContactPatch {
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "super::double_option"
    )]
    pub owner_id: Option<Option<Id>>,
}
