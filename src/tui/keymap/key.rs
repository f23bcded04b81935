//! Keys as written in keymap files (`"j"`, `"G"`, `"ctrl-s"`, `"backtab"`) and as crossterm
//! reports them, normalised so the two compare equal.

use std::fmt;
use std::str::FromStr;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// A key with its modifiers, normalised: a character carries its case instead of SHIFT
/// (`G`, not `shift-g`), shift-tab is `BackTab`, and only ctrl, alt, super and shift count.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Key {
    /// The key.
    pub code: KeyCode,
    /// Ctrl, alt, super, and shift for non-character keys.
    pub modifiers: KeyModifiers,
}

/// A key spelling that could not be parsed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "bad key `{0}`: use one character (\"j\", \"G\", \"?\") or a name (enter, esc, tab, backtab, \
     space, backspace, delete, insert, home, end, pageup, pagedown, up, down, left, right, \
     f1-f24), optionally after ctrl-, alt-, super- or shift-"
)]
pub struct KeyParseError(pub String);

/// Named keys: every spelling accepted, the first one is how the key is displayed.
const NAMES: &[(KeyCode, &[&str])] = &[
    (KeyCode::Enter, &["enter", "return"]),
    (KeyCode::Esc, &["esc", "escape"]),
    (KeyCode::Tab, &["tab"]),
    (KeyCode::BackTab, &["backtab"]),
    (KeyCode::Char(' '), &["space"]),
    (KeyCode::Backspace, &["backspace"]),
    (KeyCode::Delete, &["delete", "del"]),
    (KeyCode::Insert, &["insert", "ins"]),
    (KeyCode::Home, &["home"]),
    (KeyCode::End, &["end"]),
    (KeyCode::PageUp, &["pageup", "pgup"]),
    (KeyCode::PageDown, &["pagedown", "pgdn"]),
    (KeyCode::Up, &["up"]),
    (KeyCode::Down, &["down"]),
    (KeyCode::Left, &["left"]),
    (KeyCode::Right, &["right"]),
];

/// Modifier prefixes, in display order.
const MODIFIERS: [(&str, KeyModifiers); 4] = [
    ("ctrl", KeyModifiers::CONTROL),
    ("alt", KeyModifiers::ALT),
    ("super", KeyModifiers::SUPER),
    ("shift", KeyModifiers::SHIFT),
];

impl Key {
    /// A normalised key, so that events and parsed spellings compare equal.
    pub fn new(code: KeyCode, modifiers: KeyModifiers) -> Key {
        let mut modifiers = modifiers
            & (KeyModifiers::CONTROL
                | KeyModifiers::ALT
                | KeyModifiers::SUPER
                | KeyModifiers::SHIFT);
        let code = match code {
            KeyCode::Char(c) if modifiers.contains(KeyModifiers::SHIFT) => {
                modifiers.remove(KeyModifiers::SHIFT);
                KeyCode::Char(uppercase(c))
            }
            KeyCode::Tab if modifiers.contains(KeyModifiers::SHIFT) => {
                modifiers.remove(KeyModifiers::SHIFT);
                KeyCode::BackTab
            }
            KeyCode::BackTab => {
                modifiers.remove(KeyModifiers::SHIFT);
                KeyCode::BackTab
            }
            code => code,
        };
        Key { code, modifiers }
    }

    /// True for a key the editor must receive as text: a character without ctrl, alt or super.
    pub fn is_text(self) -> bool {
        matches!(self.code, KeyCode::Char(_)) && self.modifiers.is_empty()
    }

    /// Orders keys for the help screen: plain characters, then modified ones, then named keys.
    pub(super) fn help_rank(self) -> (u8, String) {
        let rank = match self.code {
            KeyCode::Char(' ') => 2,
            KeyCode::Char(_) if self.modifiers.is_empty() => 0,
            KeyCode::Char(_) => 1,
            _ => 2,
        };
        (rank, self.to_string())
    }
}

/// The uppercase form of `c` when it is a single character (`ß` stays `ß`).
fn uppercase(c: char) -> char {
    let mut upper = c.to_uppercase();
    match (upper.next(), upper.next()) {
        (Some(u), None) => u,
        _ => c,
    }
}

impl From<KeyEvent> for Key {
    fn from(event: KeyEvent) -> Key {
        Key::new(event.code, event.modifiers)
    }
}

/// Parses a key spelling such as `"j"`, `"G"`, `"ctrl-s"`, `"shift-enter"`, `"f1"` or `"-"`.
pub fn parse_key(spelling: &str) -> Result<Key, KeyParseError> {
    let error = || KeyParseError(spelling.to_owned());
    let mut rest = spelling;
    let mut modifiers = KeyModifiers::NONE;
    'prefixes: loop {
        for (name, modifier) in MODIFIERS {
            let prefix_len = name.len() + 1;
            let has_prefix = rest.len() > prefix_len
                && rest.is_char_boundary(prefix_len)
                && rest[..prefix_len].eq_ignore_ascii_case(&format!("{name}-"));
            if has_prefix {
                modifiers |= modifier;
                rest = &rest[prefix_len..];
                continue 'prefixes;
            }
        }
        break;
    }
    let mut chars = rest.chars();
    let code = match (chars.next(), chars.next()) {
        (Some(c), None) if !c.is_control() => KeyCode::Char(c),
        _ => {
            let lower = rest.to_ascii_lowercase();
            let named = NAMES
                .iter()
                .find(|(_, spellings)| spellings.contains(&lower.as_str()))
                .map(|(code, _)| *code);
            let function = || {
                lower
                    .strip_prefix('f')
                    .and_then(|n| n.parse::<u8>().ok())
                    .filter(|n| (1..=24).contains(n))
                    .map(KeyCode::F)
            };
            named.or_else(function).ok_or_else(error)?
        }
    };
    Ok(Key::new(code, modifiers))
}

impl FromStr for Key {
    type Err = KeyParseError;

    fn from_str(s: &str) -> Result<Key, KeyParseError> {
        parse_key(s)
    }
}

/// Displays the key as a keymap file spells it, so the help screen can be copied from.
impl fmt::Display for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (name, modifier) in MODIFIERS {
            if self.modifiers.contains(modifier) {
                write!(f, "{name}-")?;
            }
        }
        if let Some((_, spellings)) = NAMES.iter().find(|(code, _)| *code == self.code) {
            return f.write_str(spellings[0]);
        }
        match self.code {
            KeyCode::Char(c) => write!(f, "{c}"),
            KeyCode::F(n) => write!(f, "f{n}"),
            other => write!(f, "{}", format!("{other:?}").to_lowercase()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(code: KeyCode, modifiers: KeyModifiers) -> Key {
        Key::new(code, modifiers)
    }

    #[test]
    fn plain_characters_and_punctuation_parse() {
        assert_eq!(
            parse_key("j"),
            Ok(key(KeyCode::Char('j'), KeyModifiers::NONE))
        );
        assert_eq!(
            parse_key("?"),
            Ok(key(KeyCode::Char('?'), KeyModifiers::NONE))
        );
        assert_eq!(
            parse_key(":"),
            Ok(key(KeyCode::Char(':'), KeyModifiers::NONE))
        );
        assert_eq!(
            parse_key("/"),
            Ok(key(KeyCode::Char('/'), KeyModifiers::NONE))
        );
        assert_eq!(
            parse_key("-"),
            Ok(key(KeyCode::Char('-'), KeyModifiers::NONE))
        );
        assert_eq!(
            parse_key("é"),
            Ok(key(KeyCode::Char('é'), KeyModifiers::NONE))
        );
    }

    #[test]
    fn uppercase_means_the_shifted_character_as_crossterm_reports_it() {
        let parsed = parse_key("G").unwrap();
        assert_eq!(
            parsed,
            Key::from(KeyEvent::new(KeyCode::Char('G'), KeyModifiers::SHIFT))
        );
        // Some terminals (kitty protocol) report the base key with SHIFT.
        assert_eq!(
            parsed,
            Key::from(KeyEvent::new(KeyCode::Char('g'), KeyModifiers::SHIFT))
        );
        assert_eq!(parse_key("shift-g"), Ok(parsed));
        assert_ne!(parsed, parse_key("g").unwrap());
        assert_eq!(parsed.to_string(), "G");
    }

    #[test]
    fn ctrl_and_other_modifiers_parse_in_any_case_and_order() {
        let ctrl_s = key(KeyCode::Char('s'), KeyModifiers::CONTROL);
        assert_eq!(parse_key("ctrl-s"), Ok(ctrl_s));
        assert_eq!(parse_key("Ctrl-s"), Ok(ctrl_s));
        assert_eq!(
            ctrl_s,
            Key::from(KeyEvent::new(KeyCode::Char('s'), KeyModifiers::CONTROL))
        );
        assert_ne!(parse_key("ctrl-S"), Ok(ctrl_s));
        assert_eq!(
            parse_key("alt-ctrl-x"),
            Ok(key(
                KeyCode::Char('x'),
                KeyModifiers::CONTROL | KeyModifiers::ALT
            ))
        );
        assert_eq!(
            parse_key("ctrl--"),
            Ok(key(KeyCode::Char('-'), KeyModifiers::CONTROL))
        );
    }

    #[test]
    fn named_keys_parse_and_shift_tab_is_backtab() {
        let none = KeyModifiers::NONE;
        assert_eq!(parse_key("enter"), Ok(key(KeyCode::Enter, none)));
        assert_eq!(parse_key("ESC"), Ok(key(KeyCode::Esc, none)));
        assert_eq!(parse_key("space"), Ok(key(KeyCode::Char(' '), none)));
        assert_eq!(parse_key("f1"), Ok(key(KeyCode::F(1), none)));
        assert_eq!(parse_key("up"), Ok(key(KeyCode::Up, none)));
        assert_eq!(parse_key("shift-tab"), parse_key("backtab"));
        assert_eq!(
            parse_key("backtab").unwrap(),
            Key::from(KeyEvent::new(KeyCode::BackTab, KeyModifiers::SHIFT))
        );
        assert_eq!(
            parse_key("shift-enter"),
            Ok(key(KeyCode::Enter, KeyModifiers::SHIFT))
        );
    }

    #[test]
    fn bad_spellings_are_errors_naming_them() {
        for bad in [
            "", "ctrl-", "jj", "f0", "f25", "hyper-x", "ctrl-foo", "\u{1b}",
        ] {
            let err = parse_key(bad).unwrap_err();
            assert!(err.to_string().contains(&format!("`{bad}`")), "{err}");
        }
    }

    #[test]
    fn display_round_trips_through_parse() {
        for spelling in [
            "j",
            "G",
            "?",
            "ctrl-s",
            "ctrl-S",
            "alt-enter",
            "shift-enter",
            "space",
            "backtab",
            "pagedown",
            "f12",
            "ctrl--",
            "super-k",
        ] {
            let parsed = parse_key(spelling).unwrap();
            assert_eq!(parsed.to_string(), spelling);
            assert_eq!(parse_key(&parsed.to_string()), Ok(parsed));
        }
    }
}
