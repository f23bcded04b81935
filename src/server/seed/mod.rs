//! Deterministic demo workspaces.
