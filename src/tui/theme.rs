//! Themes: TOML files of named styles, one per [`Role`], degraded to what the terminal can show.
//!
//! The built-in themes (`themes/dark.toml`, `themes/light.toml`, `themes/high-contrast.toml`)
//! are embedded in the binary; a user theme is any `.toml` file in the same format (documented
//! at the top of each built-in file). Colours are converted once, at load, for the terminal's
//! [`ColorMode`]: kept as RGB, mapped to the nearest xterm-256 or ANSI-16 colour, or dropped
//! under `NO_COLOR` (modifiers stay, and selected rows turn reversed so they remain visible).

use std::collections::BTreeMap;
use std::ffi::OsStr;
use std::path::{Path, PathBuf};

use ratatui::style::{Color, Modifier, Style};
use serde::Deserialize;
use toml::Spanned;

/// What a styled piece of the screen is, independent of how a theme colours it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    /// Normal text and background.
    Base,
    /// Secondary text: ages, counts, hints.
    Dim,
    /// Pane borders.
    Border,
    /// The border of the focused pane.
    BorderFocused,
    /// Pane and overlay titles.
    Title,
    /// The selected list row.
    Selected,
    /// Unread conversations.
    Unread,
    /// Status: new.
    StatusNew,
    /// Status: waiting on us.
    StatusWaitingOnUs,
    /// Status: waiting on the contact.
    StatusWaitingOnContact,
    /// Status: closed.
    StatusClosed,
    /// Priority: urgent.
    PriorityUrgent,
    /// Priority: high.
    PriorityHigh,
    /// Internal notes, never seen by the customer.
    Note,
    /// Messages from the customer.
    Inbound,
    /// Messages from agents.
    Outbound,
    /// The status bar.
    StatusBar,
    /// Status bar: connected, sent.
    StatusOk,
    /// Status bar: reconnecting, pending.
    StatusWarn,
    /// Status bar: errors.
    StatusError,
    /// Key names in the help overlay.
    Key,
    /// Highlights: matches, counts, the active view.
    Accent,
}

impl Role {
    /// Every role, in the order of [`Role::key`]'s table.
    pub const ALL: [Role; 22] = [
        Role::Base,
        Role::Dim,
        Role::Border,
        Role::BorderFocused,
        Role::Title,
        Role::Selected,
        Role::Unread,
        Role::StatusNew,
        Role::StatusWaitingOnUs,
        Role::StatusWaitingOnContact,
        Role::StatusClosed,
        Role::PriorityUrgent,
        Role::PriorityHigh,
        Role::Note,
        Role::Inbound,
        Role::Outbound,
        Role::StatusBar,
        Role::StatusOk,
        Role::StatusWarn,
        Role::StatusError,
        Role::Key,
        Role::Accent,
    ];

    /// The role's table name in a theme file (`[styles.<key>]`).
    pub fn key(self) -> &'static str {
        match self {
            Role::Base => "base",
            Role::Dim => "dim",
            Role::Border => "border",
            Role::BorderFocused => "border_focused",
            Role::Title => "title",
            Role::Selected => "selected",
            Role::Unread => "unread",
            Role::StatusNew => "status_new",
            Role::StatusWaitingOnUs => "status_waiting_on_us",
            Role::StatusWaitingOnContact => "status_waiting_on_contact",
            Role::StatusClosed => "status_closed",
            Role::PriorityUrgent => "priority_urgent",
            Role::PriorityHigh => "priority_high",
            Role::Note => "note",
            Role::Inbound => "inbound",
            Role::Outbound => "outbound",
            Role::StatusBar => "status_bar",
            Role::StatusOk => "status_ok",
            Role::StatusWarn => "status_warn",
            Role::StatusError => "status_error",
            Role::Key => "key",
            Role::Accent => "accent",
        }
    }

    fn from_key(key: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|role| role.key() == key)
    }

    fn index(self) -> usize {
        self as usize
    }
}

/// How many colours the terminal can show.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColorMode {
    /// No colours at all (`NO_COLOR`); modifiers only.
    NoColor,
    /// The 16 ANSI colours.
    Ansi16,
    /// The xterm 256-colour palette.
    Ansi256,
    /// 24-bit RGB.
    TrueColor,
}

impl ColorMode {
    /// Detects the mode from `NO_COLOR`, `COLORTERM` and `TERM`.
    pub fn detect() -> ColorMode {
        ColorMode::from_env(
            std::env::var_os("NO_COLOR").as_deref(),
            std::env::var_os("COLORTERM").as_deref(),
            std::env::var_os("TERM").as_deref(),
        )
    }

    /// The mode for these environment values: `NO_COLOR` set and non-empty wins
    /// (<https://no-color.org>), then `COLORTERM=truecolor|24bit`, then a `TERM` containing
    /// `256color`; anything else gets the 16 ANSI colours.
    pub fn from_env(
        no_color: Option<&OsStr>,
        colorterm: Option<&OsStr>,
        term: Option<&OsStr>,
    ) -> ColorMode {
        let text = |v: Option<&OsStr>| v.map(|v| v.to_string_lossy().to_ascii_lowercase());
        if no_color.is_some_and(|v| !v.is_empty()) {
            ColorMode::NoColor
        } else if matches!(text(colorterm).as_deref(), Some("truecolor" | "24bit")) {
            ColorMode::TrueColor
        } else if text(term).is_some_and(|t| t.contains("256color")) {
            ColorMode::Ansi256
        } else {
            ColorMode::Ansi16
        }
    }

    /// Converts one colour to what this mode can show; `None` under [`ColorMode::NoColor`].
    pub fn convert(self, color: Color) -> Option<Color> {
        match (self, color) {
            (ColorMode::NoColor, _) => None,
            (ColorMode::TrueColor, c) => Some(c),
            (ColorMode::Ansi256, Color::Rgb(r, g, b)) => Some(Color::Indexed(rgb_to_256(r, g, b))),
            (ColorMode::Ansi256, c) => Some(c),
            (ColorMode::Ansi16, Color::Rgb(r, g, b)) => Some(rgb_to_16(r, g, b)),
            (ColorMode::Ansi16, Color::Indexed(i)) => {
                let (r, g, b) = index_to_rgb(i);
                Some(rgb_to_16(r, g, b))
            }
            (ColorMode::Ansi16, c) => Some(c),
        }
    }
}

/// The built-in themes, by name.
const BUILT_IN: [(&str, &str); 3] = [
    ("dark", include_str!("../../themes/dark.toml")),
    ("light", include_str!("../../themes/light.toml")),
    (
        "high-contrast",
        include_str!("../../themes/high-contrast.toml"),
    ),
];

/// A loaded theme: one style per [`Role`], already converted for a [`ColorMode`].
#[derive(Debug, Clone, PartialEq)]
pub struct Theme {
    /// The theme's name (its `name` key, else the built-in name or the file stem).
    pub name: String,
    styles: [Style; Role::ALL.len()],
}

/// Why a theme could not be loaded; every variant names where the problem is.
#[derive(Debug, thiserror::Error)]
pub enum ThemeError {
    /// Neither a built-in theme nor a `.toml` path.
    #[error("unknown theme `{0}`: use dark, light, high-contrast or a path to a .toml file")]
    Unknown(String),
    /// The file could not be read.
    #[error("cannot read theme {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// Not valid TOML, or a key of the wrong type or unknown in a style table.
    #[error("theme {origin}: {source}")]
    Parse {
        /// The file or built-in theme.
        origin: String,
        /// The TOML error, with line and column.
        source: toml::de::Error,
    },
    /// A `[styles.X]` table whose X is not a role.
    #[error("theme {origin}: unknown style role `{role}` (known: {known})", known = known_roles())]
    UnknownRole {
        /// The file or built-in theme.
        origin: String,
        /// The bad role name.
        role: String,
    },
    /// A colour that is not a name, `#rrggbb` or 0–255.
    #[error(
        "theme {origin}, line {line}: bad colour {value} for styles.{role}.{field} \
         (use a name such as light_blue, \"#rrggbb\" or 0-255)"
    )]
    BadColor {
        /// The file or built-in theme.
        origin: String,
        /// 1-based line of the value.
        line: usize,
        /// The role table.
        role: String,
        /// `fg` or `bg`.
        field: &'static str,
        /// The bad value as written.
        value: String,
    },
}

fn known_roles() -> String {
    Role::ALL.map(Role::key).join(", ")
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTheme {
    name: Option<String>,
    #[serde(default)]
    styles: BTreeMap<String, RawStyle>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawStyle {
    fg: Option<Spanned<toml::Value>>,
    bg: Option<Spanned<toml::Value>>,
    #[serde(default)]
    bold: bool,
    #[serde(default)]
    italic: bool,
    #[serde(default)]
    underline: bool,
    #[serde(default)]
    reversed: bool,
    #[serde(default)]
    dim: bool,
}

impl Default for Theme {
    /// The built-in dark theme with its colours as written (true colour); use
    /// [`Theme::load`] with [`ColorMode::detect`] to degrade them for the terminal.
    fn default() -> Self {
        Theme::load("dark", ColorMode::TrueColor).expect("the built-in dark theme is valid")
    }
}

impl Theme {
    /// Loads a built-in theme by name (`dark`, `light`, `high-contrast`) or a theme file by
    /// path (anything ending in `.toml` or containing a path separator), converted for `mode`.
    pub fn load(name_or_path: &str, mode: ColorMode) -> Result<Theme, ThemeError> {
        if let Some((name, src)) = BUILT_IN.iter().find(|(name, _)| *name == name_or_path) {
            return Theme::parse(src, &format!("built-in `{name}`"), name, mode);
        }
        let path = Path::new(name_or_path);
        if !name_or_path.ends_with(".toml") && path.components().count() < 2 {
            return Err(ThemeError::Unknown(name_or_path.to_owned()));
        }
        let src = std::fs::read_to_string(path).map_err(|source| ThemeError::Read {
            path: path.to_owned(),
            source,
        })?;
        let stem = path.file_stem().unwrap_or_default().to_string_lossy();
        Theme::parse(&src, &path.display().to_string(), &stem, mode)
    }

    /// The style for `role`. Roles a user theme leaves out are the terminal's default style.
    pub fn style(&self, role: Role) -> Style {
        self.styles[role.index()]
    }

    fn parse(
        src: &str,
        origin: &str,
        fallback_name: &str,
        mode: ColorMode,
    ) -> Result<Theme, ThemeError> {
        let raw: RawTheme = toml::from_str(src).map_err(|source| ThemeError::Parse {
            origin: origin.to_owned(),
            source,
        })?;
        let mut styles = [Style::new(); Role::ALL.len()];
        for (key, raw_style) in &raw.styles {
            let role = Role::from_key(key).ok_or_else(|| ThemeError::UnknownRole {
                origin: origin.to_owned(),
                role: key.clone(),
            })?;
            let color = |field: &'static str, value: &Option<Spanned<toml::Value>>| {
                value
                    .as_ref()
                    .map(|v| {
                        parse_color(v.get_ref()).ok_or_else(|| ThemeError::BadColor {
                            origin: origin.to_owned(),
                            line: src[..v.span().start].lines().count().max(1),
                            role: key.clone(),
                            field,
                            value: v.get_ref().to_string(),
                        })
                    })
                    .transpose()
                    .map(|c| c.and_then(|c| mode.convert(c)))
            };
            let mut style = Style {
                fg: color("fg", &raw_style.fg)?,
                bg: color("bg", &raw_style.bg)?,
                ..Style::new()
            };
            for (on, modifier) in [
                (raw_style.bold, Modifier::BOLD),
                (raw_style.italic, Modifier::ITALIC),
                (raw_style.underline, Modifier::UNDERLINED),
                (raw_style.reversed, Modifier::REVERSED),
                (raw_style.dim, Modifier::DIM),
            ] {
                if on {
                    style = style.add_modifier(modifier);
                }
            }
            styles[role.index()] = style;
        }
        if mode == ColorMode::NoColor {
            // Without colours, the selection and focus must still show.
            let selected = &mut styles[Role::Selected.index()];
            *selected = selected.add_modifier(Modifier::REVERSED);
            let focused = &mut styles[Role::BorderFocused.index()];
            *focused = focused.add_modifier(Modifier::BOLD);
        }
        Ok(Theme {
            name: raw.name.unwrap_or_else(|| fallback_name.to_owned()),
            styles,
        })
    }
}

/// The 16 ANSI colours in index order.
const ANSI16: [Color; 16] = [
    Color::Black,
    Color::Red,
    Color::Green,
    Color::Yellow,
    Color::Blue,
    Color::Magenta,
    Color::Cyan,
    Color::Gray,
    Color::DarkGray,
    Color::LightRed,
    Color::LightGreen,
    Color::LightYellow,
    Color::LightBlue,
    Color::LightMagenta,
    Color::LightCyan,
    Color::White,
];

/// The ANSI names accepted in theme files, in index order.
const ANSI16_NAMES: [&str; 16] = [
    "black",
    "red",
    "green",
    "yellow",
    "blue",
    "magenta",
    "cyan",
    "gray",
    "dark_gray",
    "light_red",
    "light_green",
    "light_yellow",
    "light_blue",
    "light_magenta",
    "light_cyan",
    "white",
];

/// xterm's default RGB values for the 16 ANSI colours.
const ANSI16_RGB: [(u8, u8, u8); 16] = [
    (0, 0, 0),
    (205, 0, 0),
    (0, 205, 0),
    (205, 205, 0),
    (0, 0, 238),
    (205, 0, 205),
    (0, 205, 205),
    (229, 229, 229),
    (127, 127, 127),
    (255, 0, 0),
    (0, 255, 0),
    (255, 255, 0),
    (92, 92, 255),
    (255, 0, 255),
    (0, 255, 255),
    (255, 255, 255),
];

/// The six channel levels of the xterm 6×6×6 colour cube (indices 16–231).
const CUBE_LEVELS: [u8; 6] = [0, 95, 135, 175, 215, 255];

/// Parses a theme colour: an ANSI name (`_`, `-` or nothing between words; `grey` too),
/// `reset`, `#rrggbb`, or an index 0–255 (integer or string).
fn parse_color(value: &toml::Value) -> Option<Color> {
    let text = match value {
        toml::Value::Integer(i) => return u8::try_from(*i).ok().map(Color::Indexed),
        toml::Value::String(s) => s.trim().to_ascii_lowercase(),
        _ => return None,
    };
    if let Some(hex) = text.strip_prefix('#') {
        if hex.len() != 6 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        let channel = |i: usize| u8::from_str_radix(&hex[i..i + 2], 16).ok();
        return Some(Color::Rgb(channel(0)?, channel(2)?, channel(4)?));
    }
    if let Ok(index) = text.parse::<u8>() {
        return Some(Color::Indexed(index));
    }
    let name = text.replace(['-', ' '], "_").replace("grey", "gray");
    if name == "reset" {
        return Some(Color::Reset);
    }
    ANSI16_NAMES
        .iter()
        .position(|n| *n == name || n.replace('_', "") == name)
        .map(|i| ANSI16[i])
}

fn distance((r1, g1, b1): (u8, u8, u8), (r2, g2, b2): (u8, u8, u8)) -> u32 {
    let d = |a: u8, b: u8| (i32::from(a) - i32::from(b)).unsigned_abs().pow(2);
    d(r1, r2) + d(g1, g2) + d(b1, b2)
}

/// The nearest xterm-256 colour among the cube and the grey ramp (16–255); the first 16 are
/// left out because terminals redefine them.
fn rgb_to_256(r: u8, g: u8, b: u8) -> u8 {
    let level = |v: u8| {
        (0..6)
            .min_by_key(|&i| (i32::from(CUBE_LEVELS[i]) - i32::from(v)).abs())
            .unwrap_or(0)
    };
    let (ri, gi, bi) = (level(r), level(g), level(b));
    let cube = (CUBE_LEVELS[ri], CUBE_LEVELS[gi], CUBE_LEVELS[bi]);
    let cube_index = 16 + 36 * ri + 6 * gi + bi;
    let average = (u32::from(r) + u32::from(g) + u32::from(b)) / 3;
    let grey_step = (average.saturating_sub(3) / 10).min(23);
    let grey = (8 + 10 * grey_step) as u8;
    let grey_index = 232 + grey_step as usize;
    let chosen = if distance((grey, grey, grey), (r, g, b)) < distance(cube, (r, g, b)) {
        grey_index
    } else {
        cube_index
    };
    chosen as u8
}

/// The nearest of the 16 ANSI colours, by xterm's default palette.
fn rgb_to_16(r: u8, g: u8, b: u8) -> Color {
    let nearest = (0..16)
        .min_by_key(|&i| distance(ANSI16_RGB[i], (r, g, b)))
        .unwrap_or(0);
    ANSI16[nearest]
}

/// The RGB value of an xterm-256 index.
fn index_to_rgb(index: u8) -> (u8, u8, u8) {
    match index {
        0..=15 => ANSI16_RGB[usize::from(index)],
        16..=231 => {
            let i = usize::from(index - 16);
            (
                CUBE_LEVELS[i / 36],
                CUBE_LEVELS[i / 6 % 6],
                CUBE_LEVELS[i % 6],
            )
        }
        _ => {
            let v = 8 + 10 * (index - 232);
            (v, v, v)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_built_in_theme_parses_and_defines_every_role() {
        for (i, role) in Role::ALL.into_iter().enumerate() {
            assert_eq!(role.index(), i, "Role::ALL must follow declaration order");
        }
        for (name, src) in BUILT_IN {
            let raw: RawTheme = toml::from_str(src).unwrap();
            for role in Role::ALL {
                assert!(
                    raw.styles.contains_key(role.key()),
                    "theme {name} lacks [styles.{}]",
                    role.key()
                );
            }
            for mode in [
                ColorMode::NoColor,
                ColorMode::Ansi16,
                ColorMode::Ansi256,
                ColorMode::TrueColor,
            ] {
                let theme = Theme::load(name, mode).unwrap();
                assert_eq!(theme.name, name);
                assert_ne!(
                    theme.style(Role::Note),
                    theme.style(Role::Inbound),
                    "{name}"
                );
            }
        }
    }

    #[test]
    fn default_is_dark() {
        assert_eq!(Theme::default().name, "dark");
    }

    #[test]
    fn no_color_strips_colours_but_keeps_modifiers_and_reverses_selected() {
        for (name, _) in BUILT_IN {
            let theme = Theme::load(name, ColorMode::NoColor).unwrap();
            for role in Role::ALL {
                let style = theme.style(role);
                assert_eq!((style.fg, style.bg), (None, None), "{name} {role:?}");
            }
            assert!(
                theme
                    .style(Role::Selected)
                    .add_modifier
                    .contains(Modifier::REVERSED)
            );
            assert!(
                theme
                    .style(Role::Note)
                    .add_modifier
                    .contains(Modifier::ITALIC)
            );
        }
    }

    #[test]
    fn colour_modes_come_from_the_environment() {
        let os = |s: &'static str| Some(OsStr::new(s));
        let detect = ColorMode::from_env;
        assert_eq!(
            detect(os("1"), os("truecolor"), os("xterm-256color")),
            ColorMode::NoColor
        );
        assert_eq!(detect(os(""), os("truecolor"), None), ColorMode::TrueColor);
        assert_eq!(detect(None, os("24bit"), None), ColorMode::TrueColor);
        assert_eq!(
            detect(None, None, os("screen-256color")),
            ColorMode::Ansi256
        );
        assert_eq!(detect(None, None, os("xterm")), ColorMode::Ansi16);
        assert_eq!(detect(None, None, None), ColorMode::Ansi16);
    }

    #[test]
    fn rgb_maps_to_the_nearest_xterm_256_colour() {
        assert_eq!(rgb_to_256(0x5f, 0xaf, 0xd7), 74);
        assert_eq!(rgb_to_256(0xff, 0x00, 0x00), 196);
        assert_eq!(rgb_to_256(0x80, 0x80, 0x80), 244);
        assert_eq!(rgb_to_256(0x1c, 0x1c, 0x1c), 234);
        assert_eq!(rgb_to_256(0xff, 0xff, 0xff), 231);
        for index in 16..=255u8 {
            let (r, g, b) = index_to_rgb(index);
            assert_eq!(
                index_to_rgb(rgb_to_256(r, g, b)),
                (r, g, b),
                "index {index}"
            );
        }
    }

    #[test]
    fn rgb_and_indexed_map_to_the_nearest_ansi_16_colour() {
        let to16 = |c| ColorMode::Ansi16.convert(c);
        assert_eq!(to16(Color::Rgb(255, 0, 0)), Some(Color::LightRed));
        assert_eq!(to16(Color::Rgb(0x1c, 0x1c, 0x1c)), Some(Color::Black));
        assert_eq!(to16(Color::Rgb(250, 250, 250)), Some(Color::White));
        assert_eq!(to16(Color::Rgb(0, 0, 200)), Some(Color::Blue));
        assert_eq!(to16(Color::Indexed(196)), Some(Color::LightRed));
        assert_eq!(to16(Color::Indexed(2)), Some(Color::Green));
        assert_eq!(to16(Color::Cyan), Some(Color::Cyan));
        assert_eq!(
            ColorMode::Ansi256.convert(Color::Rgb(0x5f, 0xaf, 0xd7)),
            Some(Color::Indexed(74))
        );
        assert_eq!(
            ColorMode::TrueColor.convert(Color::Rgb(1, 2, 3)),
            Some(Color::Rgb(1, 2, 3))
        );
    }

    #[test]
    fn colours_parse_from_names_hex_and_indices() {
        let s = |v: &str| parse_color(&toml::Value::String(v.into()));
        assert_eq!(s("light_red"), Some(Color::LightRed));
        assert_eq!(s("Dark-Grey"), Some(Color::DarkGray));
        assert_eq!(s("lightblue"), Some(Color::LightBlue));
        assert_eq!(s("reset"), Some(Color::Reset));
        assert_eq!(s("#5FAFD7"), Some(Color::Rgb(0x5f, 0xaf, 0xd7)));
        assert_eq!(s("42"), Some(Color::Indexed(42)));
        assert_eq!(
            parse_color(&toml::Value::Integer(255)),
            Some(Color::Indexed(255))
        );
        assert_eq!(parse_color(&toml::Value::Integer(256)), None);
        assert_eq!(s("#12345"), None);
        assert_eq!(s("purple"), None);
    }

    fn write_theme(src: &str) -> (tempfile::TempDir, String) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("mine.toml");
        std::fs::write(&path, src).unwrap();
        (dir, path.display().to_string())
    }

    #[test]
    fn a_theme_file_loads_with_its_stem_as_name_and_converts_colours() {
        let (_dir, path) = write_theme("[styles.accent]\nfg = \"#ff0000\"\nunderline = true\n");
        let theme = Theme::load(&path, ColorMode::Ansi256).unwrap();
        assert_eq!(theme.name, "mine");
        let accent = theme.style(Role::Accent);
        assert_eq!(accent.fg, Some(Color::Indexed(196)));
        assert!(accent.add_modifier.contains(Modifier::UNDERLINED));
        assert_eq!(theme.style(Role::Base), Style::new());
    }

    #[test]
    fn a_bad_colour_names_the_file_line_role_and_value() {
        let (_dir, path) =
            write_theme("[styles.base]\nfg = \"white\"\n\n[styles.note]\nbg = \"#zz0000\"\n");
        let err = Theme::load(&path, ColorMode::TrueColor)
            .unwrap_err()
            .to_string();
        assert!(err.contains(&path), "{err}");
        assert!(err.contains("line 5"), "{err}");
        assert!(err.contains("styles.note.bg"), "{err}");
        assert!(err.contains("#zz0000"), "{err}");
    }

    #[test]
    fn an_unknown_role_or_key_is_an_error_naming_it() {
        let (_dir, path) = write_theme("[styles.sellected]\nfg = \"red\"\n");
        let err = Theme::load(&path, ColorMode::TrueColor)
            .unwrap_err()
            .to_string();
        assert!(err.contains(&path) && err.contains("`sellected`"), "{err}");

        let (_dir, path) = write_theme("[styles.selected]\nbolt = true\n");
        let err = Theme::load(&path, ColorMode::TrueColor)
            .unwrap_err()
            .to_string();
        assert!(err.contains(&path) && err.contains("bolt"), "{err}");
    }

    #[test]
    fn an_unknown_name_or_missing_file_is_an_error() {
        let err = Theme::load("solarized", ColorMode::Ansi16).unwrap_err();
        assert!(
            matches!(err, ThemeError::Unknown(ref n) if n == "solarized"),
            "{err}"
        );
        let err = Theme::load("/nonexistent/x.toml", ColorMode::Ansi16).unwrap_err();
        assert!(err.to_string().contains("/nonexistent/x.toml"), "{err}");
    }
}
