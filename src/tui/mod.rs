//! The agent terminal client: state, keymap, theme, views, and text sanitising.

pub mod keymap;
pub mod sanitize;
pub mod theme;
