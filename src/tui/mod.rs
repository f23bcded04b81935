//! The agent terminal client: state, keymap, theme, views, and text sanitising.

pub mod app;
pub mod canned;
pub mod config;
pub mod keymap;
pub mod paths;
pub mod quotes;
pub mod run;
pub mod sanitize;
pub mod sends;
pub mod theme;
pub mod views;
