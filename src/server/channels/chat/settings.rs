//! The widget settings of a chat channel, kept in the channel's `settings`: colour, position,
//! avatar, greeting, the message shown outside hours, the weekly availability schedule, and
//! which sites may embed the widget.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use time::{OffsetDateTime, UtcOffset, Weekday};

/// Longest greeting or offline message, in characters.
pub const MAX_TEXT_CHARS: usize = 500;
/// Longest avatar URL or origin, in bytes.
const MAX_URL_BYTES: usize = 2048;
/// Most origins in `allowed_origins`.
const MAX_ORIGINS: usize = 50;
/// Most opening spans in one day.
const MAX_SPANS_PER_DAY: usize = 8;

/// Which bottom corner the widget sits in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Position {
    #[default]
    Right,
    Left,
}

/// Everything an admin can set about a chat widget. Absent fields take their defaults.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ChatSettings {
    /// Accent colour, `#rgb` or `#rrggbb`.
    pub color: String,
    pub position: Position,
    /// An `https://` (or `http://`) image shown in the widget header.
    pub avatar_url: Option<String>,
    /// The first bubble a visitor sees.
    pub greeting: String,
    /// Shown above the email form outside availability hours.
    pub offline_message: String,
    /// When agents answer; `null` means always.
    pub hours: Option<Hours>,
    /// Origins (`https://shop.example`) allowed to use the widget; empty allows any.
    pub allowed_origins: Vec<String>,
}

impl Default for ChatSettings {
    fn default() -> Self {
        ChatSettings {
            color: "#2563eb".into(),
            position: Position::Right,
            avatar_url: None,
            greeting: "Hi! How can we help?".into(),
            offline_message: "We're away right now. Leave your email and message, and we'll \
                              get back to you."
                .into(),
            hours: None,
            allowed_origins: Vec::new(),
        }
    }
}

/// A weekly schedule at a fixed UTC offset.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Hours {
    /// `+HH:MM` or `-HH:MM`: the offset the times below are in.
    pub utc_offset: String,
    /// Day (`mon` … `sun`) → opening spans `"HH:MM-HH:MM"`; a day not listed is closed.
    #[serde(default)]
    pub days: BTreeMap<String, Vec<String>>,
}

/// The keys of `ChatSettings`.
const KNOWN_KEYS: [&str; 7] = [
    "color",
    "position",
    "avatar_url",
    "greeting",
    "offline_message",
    "hours",
    "allowed_origins",
];

const DAYS: [(&str, Weekday); 7] = [
    ("mon", Weekday::Monday),
    ("tue", Weekday::Tuesday),
    ("wed", Weekday::Wednesday),
    ("thu", Weekday::Thursday),
    ("fri", Weekday::Friday),
    ("sat", Weekday::Saturday),
    ("sun", Weekday::Sunday),
];

impl ChatSettings {
    /// The settings stored on a channel. Keys this widget does not know are skipped, and
    /// settings that do not parse or validate fall back to the defaults, so a channel created
    /// with other settings (`POST /channels` takes any object) still serves a working widget.
    pub fn from_channel(settings: &serde_json::Value) -> ChatSettings {
        let known: serde_json::Map<String, serde_json::Value> = settings
            .as_object()
            .into_iter()
            .flatten()
            .filter(|(k, _)| KNOWN_KEYS.contains(&k.as_str()))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        serde_json::from_value::<ChatSettings>(known.into())
            .ok()
            .filter(|s| s.validate().is_ok())
            .unwrap_or_default()
    }

    /// Checks every field; the error names the field and what it must be.
    pub fn validate(&self) -> Result<(), String> {
        if !is_hex_colour(&self.color) {
            return Err(format!(
                "color must be a hex colour like #2563eb or #25e, not {:?}",
                self.color
            ));
        }
        if let Some(url) = &self.avatar_url
            && !is_web_url(url)
        {
            return Err(
                "avatar_url must be an https:// or http:// URL of at most 2048 bytes, or null"
                    .into(),
            );
        }
        for (name, text) in [
            ("greeting", &self.greeting),
            ("offline_message", &self.offline_message),
        ] {
            if text.chars().count() > MAX_TEXT_CHARS {
                return Err(format!(
                    "{name} must be at most {MAX_TEXT_CHARS} characters"
                ));
            }
        }
        if self.allowed_origins.len() > MAX_ORIGINS {
            return Err(format!(
                "allowed_origins takes at most {MAX_ORIGINS} origins"
            ));
        }
        for origin in &self.allowed_origins {
            if !is_origin(origin) {
                return Err(format!(
                    "allowed_origins: {origin:?} is not an origin like https://shop.example (scheme and host, optional port, no path)"
                ));
            }
        }
        if let Some(hours) = &self.hours {
            hours.validate()?;
        }
        Ok(())
    }

    /// Whether the team answers chats at `now`.
    pub fn is_open(&self, now: OffsetDateTime) -> bool {
        match &self.hours {
            None => true,
            Some(h) => h.is_open(now),
        }
    }

    /// Whether a page on `origin` may use the widget. Browsers always name the page's origin
    /// on cross-origin requests and websockets; a request without one (same-origin `GET`, a
    /// script) is not embedding the widget elsewhere, so it passes.
    pub fn allows_origin(&self, origin: Option<&str>) -> bool {
        match origin {
            Some(o) if !self.allowed_origins.is_empty() => {
                self.allowed_origins.iter().any(|a| a == o)
            }
            _ => true,
        }
    }
}

impl Hours {
    fn validate(&self) -> Result<(), String> {
        parse_offset(&self.utc_offset).ok_or_else(|| {
            format!(
                "hours.utc_offset must be +HH:MM or -HH:MM within ±14:00, not {:?}",
                self.utc_offset
            )
        })?;
        for (day, spans) in &self.days {
            if !DAYS.iter().any(|(d, _)| d == day) {
                return Err(format!(
                    "hours.days: {day:?} is not a day; use mon, tue, wed, thu, fri, sat, sun"
                ));
            }
            if spans.len() > MAX_SPANS_PER_DAY {
                return Err(format!(
                    "hours.days.{day} takes at most {MAX_SPANS_PER_DAY} spans"
                ));
            }
            let mut parsed = Vec::with_capacity(spans.len());
            for span in spans {
                parsed.push(parse_span(span).ok_or_else(|| {
                    format!(
                        "hours.days.{day}: {span:?} is not a span like \"09:00-17:30\" (start before end, end at most 24:00)"
                    )
                })?);
            }
            parsed.sort_unstable();
            if parsed.windows(2).any(|w| w[1].0 < w[0].1) {
                return Err(format!("hours.days.{day}: spans overlap"));
            }
        }
        Ok(())
    }

    fn is_open(&self, now: OffsetDateTime) -> bool {
        let Some(offset) = parse_offset(&self.utc_offset) else {
            return false;
        };
        let local = now.to_offset(offset);
        let minute = u16::from(local.hour()) * 60 + u16::from(local.minute());
        let Some((day, _)) = DAYS.iter().find(|(_, w)| *w == local.weekday()) else {
            return false;
        };
        self.days.get(*day).is_some_and(|spans| {
            spans
                .iter()
                .filter_map(|s| parse_span(s))
                .any(|(from, to)| from <= minute && minute < to)
        })
    }
}

fn is_hex_colour(s: &str) -> bool {
    s.strip_prefix('#').is_some_and(|hex| {
        (hex.len() == 3 || hex.len() == 6) && hex.chars().all(|c| c.is_ascii_hexdigit())
    })
}

fn is_web_url(s: &str) -> bool {
    let rest = s
        .strip_prefix("https://")
        .or_else(|| s.strip_prefix("http://"));
    s.len() <= MAX_URL_BYTES
        && rest.is_some_and(|r| !r.is_empty() && !r.starts_with('/'))
        && !s
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || c == '"')
}

fn is_origin(s: &str) -> bool {
    let Some(host) = s
        .strip_prefix("https://")
        .or_else(|| s.strip_prefix("http://"))
    else {
        return false;
    };
    s.len() <= MAX_URL_BYTES
        && !host.is_empty()
        && host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']'))
}

/// `+HH:MM` / `-HH:MM` within ±14:00.
fn parse_offset(s: &str) -> Option<UtcOffset> {
    let (sign, rest) = match s.as_bytes().first()? {
        b'+' => (1i8, &s[1..]),
        b'-' => (-1i8, &s[1..]),
        _ => return None,
    };
    let minutes = parse_clock(rest)?;
    if minutes > 14 * 60 {
        return None;
    }
    let (h, m) = ((minutes / 60) as i8, (minutes % 60) as i8);
    UtcOffset::from_hms(sign * h, sign * m, 0).ok()
}

/// `HH:MM` → minutes since midnight; `24:00` is allowed as an end.
fn parse_clock(s: &str) -> Option<u16> {
    let (h, m) = s.split_once(':')?;
    if h.len() != 2 || m.len() != 2 {
        return None;
    }
    let (h, m): (u16, u16) = (h.parse().ok()?, m.parse().ok()?);
    (m < 60 && (h < 24 || (h == 24 && m == 0))).then_some(h * 60 + m)
}

/// `"HH:MM-HH:MM"` → (start, end) minutes, start before end.
fn parse_span(s: &str) -> Option<(u16, u16)> {
    let (from, to) = s.split_once('-')?;
    let (from, to) = (parse_clock(from.trim())?, parse_clock(to.trim())?);
    (from < to && from < 24 * 60).then_some((from, to))
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    fn hours(offset: &str, days: &[(&str, &[&str])]) -> Hours {
        Hours {
            utc_offset: offset.into(),
            days: days
                .iter()
                .map(|(d, s)| (d.to_string(), s.iter().map(|x| x.to_string()).collect()))
                .collect(),
        }
    }

    #[test]
    fn schedule_is_read_in_its_own_offset() {
        let h = hours("+02:00", &[("mon", &["09:00-17:00"])]);
        // Monday 07:30 UTC is 09:30 at +02:00.
        assert!(h.is_open(datetime!(2026-11-23 07:30 UTC)));
        // Monday 06:59 UTC is 08:59 local: before opening.
        assert!(!h.is_open(datetime!(2026-11-23 06:59 UTC)));
        // Monday 15:00 UTC is 17:00 local: the end is exclusive.
        assert!(!h.is_open(datetime!(2026-11-23 15:00 UTC)));
        // Sunday 23:30 UTC is already Monday 01:30 local, and closed.
        assert!(!h.is_open(datetime!(2026-11-22 23:30 UTC)));
    }

    #[test]
    fn negative_offsets_move_the_day_back_and_24_00_closes_at_midnight() {
        let h = hours("-05:00", &[("sun", &["20:00-24:00"])]);
        // Monday 03:00 UTC is Sunday 22:00 at -05:00.
        assert!(h.is_open(datetime!(2026-11-23 03:00 UTC)));
        assert!(!h.is_open(datetime!(2026-11-23 05:00 UTC)));
    }

    #[test]
    fn no_schedule_means_always_open_and_an_empty_one_never() {
        let now = datetime!(2026-11-23 12:00 UTC);
        assert!(ChatSettings::default().is_open(now));
        let closed = ChatSettings {
            hours: Some(hours("+00:00", &[])),
            ..ChatSettings::default()
        };
        assert!(!closed.is_open(now));
    }

    #[test]
    fn validation_names_the_bad_field() {
        let bad = |s: ChatSettings| s.validate().unwrap_err();
        let base = ChatSettings::default;
        assert!(
            bad(ChatSettings {
                color: "red".into(),
                ..base()
            })
            .starts_with("color")
        );
        assert!(
            bad(ChatSettings {
                color: "#12345g".into(),
                ..base()
            })
            .starts_with("color")
        );
        assert!(
            bad(ChatSettings {
                avatar_url: Some("javascript:alert(1)".into()),
                ..base()
            })
            .starts_with("avatar_url")
        );
        assert!(
            bad(ChatSettings {
                greeting: "x".repeat(MAX_TEXT_CHARS + 1),
                ..base()
            })
            .starts_with("greeting")
        );
        assert!(
            bad(ChatSettings {
                allowed_origins: vec!["https://shop.example/path".into()],
                ..base()
            })
            .starts_with("allowed_origins")
        );
        for (h, expect) in [
            (hours("+15:00", &[]), "hours.utc_offset"),
            (hours("02:00", &[]), "hours.utc_offset"),
            (
                hours("+00:00", &[("funday", &["09:00-10:00"])]),
                "hours.days",
            ),
            (
                hours("+00:00", &[("mon", &["17:00-09:00"])]),
                "hours.days.mon",
            ),
            (hours("+00:00", &[("mon", &["9-5"])]), "hours.days.mon"),
            (
                hours("+00:00", &[("tue", &["09:00-12:00", "11:00-13:00"])]),
                "hours.days.tue: spans overlap",
            ),
        ] {
            let err = bad(ChatSettings {
                hours: Some(h),
                ..base()
            });
            assert!(err.starts_with(expect), "{err}");
        }
        assert_eq!(base().validate(), Ok(()));
        assert_eq!(
            ChatSettings {
                color: "#abc".into(),
                position: Position::Left,
                avatar_url: Some("https://cdn.example/a.png".into()),
                hours: Some(hours("-03:30", &[("fri", &["00:00-24:00"])])),
                allowed_origins: vec!["http://localhost:8080".into()],
                ..base()
            }
            .validate(),
            Ok(())
        );
    }

    #[test]
    fn stored_settings_skip_unknown_keys_and_fall_back_when_invalid() {
        let read = |v: serde_json::Value| ChatSettings::from_channel(&v);
        let s = read(serde_json::json!({"color": "#3b5bdb", "page": "x", "greeting": "Hey"}));
        assert_eq!(s.color, "#3b5bdb");
        assert_eq!(s.greeting, "Hey");
        assert_eq!(
            read(serde_json::json!({"color": "red"})),
            ChatSettings::default()
        );
        assert_eq!(read(serde_json::json!([1, 2])), ChatSettings::default());
        // Every field of the struct is a known key.
        let all = serde_json::to_value(ChatSettings::default()).unwrap();
        let keys: Vec<&str> = all
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        let mut known = KNOWN_KEYS.to_vec();
        known.sort_unstable();
        assert_eq!(keys, known);
    }

    #[test]
    fn origins_must_match_exactly_when_listed() {
        let open = ChatSettings::default();
        assert!(open.allows_origin(None));
        assert!(open.allows_origin(Some("https://any.example")));
        let shut = ChatSettings {
            allowed_origins: vec!["https://shop.example".into()],
            ..ChatSettings::default()
        };
        assert!(shut.allows_origin(Some("https://shop.example")));
        assert!(!shut.allows_origin(Some("https://evil.example")));
        assert!(shut.allows_origin(None));
    }
}
