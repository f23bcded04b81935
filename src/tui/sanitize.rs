//! The one sanitiser all remote text passes through before it reaches a terminal cell, the
//! window title or a notification.
//!
//! Customer text is hostile until proven otherwise: an escape sequence in a subject line could
//! move the cursor, recolour the screen, retitle the window or write the clipboard (OSC 52).
//! [`sanitize`] and [`sanitize_line`] remove every escape sequence and control character,
//! expand tabs and drop the invisible characters that can spoof the reading order (bidi
//! overrides). The output never contains ESC, C0 (except `\n` from [`sanitize`]), DEL, C1 or
//! a bidi control. Clean input, the common case, is returned borrowed without allocating.

use std::borrow::Cow;
use std::iter::Peekable;
use std::str::Chars;

use unicode_width::UnicodeWidthChar;

/// Tab stops are every this many columns.
const TAB_WIDTH: usize = 4;

const ESC: char = '\u{1b}';
const BEL: char = '\u{07}';
const CAN: char = '\u{18}';
const SUB: char = '\u{1a}';
/// 8-bit String Terminator.
const ST: char = '\u{9c}';

/// Sanitises multi-line text: keeps `\n` (CR and CRLF become `\n`, as do U+2028/U+2029),
/// expands tabs to the next multiple of 4 columns, and removes escape sequences with their
/// payloads, control characters and bidi/invisible format characters.
pub fn sanitize(input: &str) -> Cow<'_, str> {
    clean(input, Mode::MultiLine)
}

/// Sanitises text for one-line places (list rows, titles, notifications): like [`sanitize`],
/// but every run of whitespace (newlines included) becomes a single space, and leading and
/// trailing whitespace is removed.
pub fn sanitize_line(input: &str) -> Cow<'_, str> {
    clean(input, Mode::OneLine)
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    MultiLine,
    OneLine,
}

fn clean(input: &str, mode: Mode) -> Cow<'_, str> {
    if is_clean(input, mode) {
        Cow::Borrowed(input)
    } else {
        Cow::Owned(rewrite(input, mode))
    }
}

/// Invisible format characters that are dropped: bidi embeddings, overrides, isolates and
/// marks, plus zero-width characters that can hide or spoof text. ZWJ (U+200D) and ZWNJ
/// (U+200C) are kept: emoji sequences and several scripts need them.
fn is_dropped_format(c: char) -> bool {
    matches!(
        c,
        '\u{061C}'                // Arabic letter mark
        | '\u{180E}'              // Mongolian vowel separator
        | '\u{200B}'              // zero-width space
        | '\u{200E}'..='\u{200F}' // LRM, RLM
        | '\u{202A}'..='\u{202E}' // LRE, RLE, PDF, LRO, RLO
        | '\u{2060}'..='\u{2064}' // word joiner, invisible operators
        | '\u{2066}'..='\u{206F}' // isolates, deprecated format characters
        | '\u{FEFF}'              // zero-width no-break space (BOM)
        | '\u{FFF9}'..='\u{FFFB}' // interlinear annotation
    )
}

/// True for every character the sanitiser never lets through as itself.
fn is_unsafe(c: char) -> bool {
    (c.is_control() && c != '\n') || is_dropped_format(c) || matches!(c, '\u{2028}' | '\u{2029}')
}

/// True when `input` would come out of [`rewrite`] unchanged.
fn is_clean(input: &str, mode: Mode) -> bool {
    match mode {
        Mode::MultiLine => !input.chars().any(is_unsafe),
        Mode::OneLine => {
            let mut previous_space = true; // rejects a leading space
            for c in input.chars() {
                if is_unsafe(c) || c == '\n' {
                    return false;
                }
                if c.is_whitespace() {
                    if c != ' ' || previous_space {
                        return false;
                    }
                    previous_space = true;
                } else {
                    previous_space = false;
                }
            }
            !input.ends_with(' ')
        }
    }
}

/// Writes sanitised text, tracking the column (for tab stops) or pending whitespace (one-line).
struct Writer {
    out: String,
    mode: Mode,
    column: usize,
    pending_space: bool,
}

impl Writer {
    fn text(&mut self, c: char) {
        if self.mode == Mode::OneLine && c.is_whitespace() {
            self.pending_space = !self.out.is_empty();
            return;
        }
        if self.pending_space {
            self.out.push(' ');
            self.pending_space = false;
        }
        self.out.push(c);
        self.column += c.width().unwrap_or(0);
    }

    fn newline(&mut self) {
        match self.mode {
            Mode::MultiLine => {
                self.out.push('\n');
                self.column = 0;
            }
            Mode::OneLine => self.text(' '),
        }
    }

    fn tab(&mut self) {
        let spaces = TAB_WIDTH - self.column % TAB_WIDTH;
        for _ in 0..spaces {
            self.text(' ');
        }
    }
}

fn rewrite(input: &str, mode: Mode) -> String {
    let mut w = Writer {
        out: String::with_capacity(input.len()),
        mode,
        column: 0,
        pending_space: false,
    };
    let mut chars = input.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\n' | '\u{2028}' | '\u{2029}' => w.newline(),
            '\r' => {
                chars.next_if_eq(&'\n');
                w.newline();
            }
            '\t' => w.tab(),
            ESC => skip_escape(&mut chars),
            '\u{9b}' => skip_csi(&mut chars),
            '\u{9d}' | '\u{90}' | '\u{98}' | '\u{9e}' | '\u{9f}' => skip_string(&mut chars),
            c if is_unsafe(c) => {}
            c => w.text(c),
        }
    }
    w.out
}

/// Skips what follows an ESC that has just been consumed.
fn skip_escape(chars: &mut Peekable<Chars<'_>>) {
    match chars.peek() {
        Some('[') => {
            chars.next();
            skip_csi(chars);
        }
        // OSC, DCS, SOS, PM, APC: a string up to its terminator.
        Some(']' | 'P' | 'X' | '^' | '_') => {
            chars.next();
            skip_string(chars);
        }
        // nF / Fp / Fe / Fs escapes: intermediates 0x20–0x2F, then one final 0x30–0x7E.
        Some(_) => {
            while chars.next_if(|c| matches!(c, ' '..='/')).is_some() {}
            chars.next_if(|c| matches!(c, '0'..='~'));
        }
        None => {}
    }
}

/// Skips a control sequence body after `ESC [` or U+009B: parameter and intermediate bytes up
/// to a final byte 0x40–0x7E. Anything else (a control, non-ASCII) ends the sequence and is
/// processed as ordinary input.
fn skip_csi(chars: &mut Peekable<Chars<'_>>) {
    while let Some(c) = chars.next_if(|c| matches!(c, ' '..='~')) {
        if matches!(c, '@'..='~') {
            return;
        }
    }
}

/// Skips a control string (OSC, DCS, SOS, PM, APC payload) up to BEL, `ESC \` or ST; CAN and
/// SUB abort it. Another ESC ends the string and starts a new escape. Unterminated strings
/// run to the end of the input, as a terminal would swallow them.
fn skip_string(chars: &mut Peekable<Chars<'_>>) {
    while let Some(c) = chars.next() {
        match c {
            BEL | ST | CAN | SUB => return,
            ESC => {
                if chars.next_if_eq(&'\\').is_none() {
                    skip_escape(chars);
                }
                return;
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn owned(s: Cow<'_, str>) -> String {
        assert!(matches!(s, Cow::Owned(_)), "expected a change, got {s:?}");
        s.into_owned()
    }

    #[test]
    fn sgr_colour_codes_are_removed() {
        assert_eq!(owned(sanitize("\x1b[1;31mred\x1b[0m text")), "red text");
        assert_eq!(owned(sanitize("\x1b[38;2;255;0;0mrgb\x1b[m")), "rgb");
    }

    #[test]
    fn osc52_clipboard_write_is_removed_with_its_payload() {
        let bell = "a\x1b]52;c;cm0gLXJmIH4=\x07b";
        let st = "a\x1b]52;c;cm0gLXJmIH4=\x1b\\b";
        assert_eq!(owned(sanitize(bell)), "ab");
        assert_eq!(owned(sanitize(st)), "ab");
    }

    #[test]
    fn osc0_title_set_is_removed() {
        assert_eq!(owned(sanitize("\x1b]0;pwned\x07Hello")), "Hello");
        assert_eq!(owned(sanitize_line("\x1b]2;pwned\x1b\\Hello")), "Hello");
    }

    #[test]
    fn dcs_sos_pm_apc_strings_are_removed() {
        assert_eq!(owned(sanitize("x\x1bP1$r0m\x1b\\y")), "xy");
        assert_eq!(owned(sanitize("x\x1bXsos\x1b\\y")), "xy");
        assert_eq!(owned(sanitize("x\x1b^pm\x1b\\y")), "xy");
        assert_eq!(owned(sanitize("x\x1b_Gf=100;AAAA\x1b\\y")), "xy");
    }

    #[test]
    fn eight_bit_csi_osc_and_c1_are_removed() {
        assert_eq!(owned(sanitize("a\u{9b}31mb")), "ab");
        assert_eq!(owned(sanitize("a\u{9d}0;title\u{9c}b")), "ab");
        assert_eq!(owned(sanitize("a\u{90}dcs\u{9c}b")), "ab");
        assert_eq!(owned(sanitize("a\u{85}b\u{8d}c")), "abc");
    }

    #[test]
    fn cursor_movement_and_two_char_escapes_are_removed() {
        assert_eq!(owned(sanitize("ok\x1b[2A\x1b[10;5H\x1b[2Jfake")), "okfake");
        assert_eq!(owned(sanitize("a\x1bcb\x1b7c\x1b(0d")), "abcd");
        assert_eq!(owned(sanitize("trailing\x1b")), "trailing");
    }

    #[test]
    fn an_unterminated_string_swallows_the_rest() {
        assert_eq!(owned(sanitize("seen\x1b]0;never shown")), "seen");
    }

    #[test]
    fn c0_controls_and_del_are_removed() {
        assert_eq!(owned(sanitize("a\0b\x07c\x08d\x7fe\x0bf\x0cg")), "abcdefg");
    }

    #[test]
    fn bidi_overrides_and_invisible_characters_are_dropped() {
        // "invoice_\u{202E}fdp.exe" would display as "invoice_exe.pdf".
        assert_eq!(
            owned(sanitize("invoice_\u{202E}fdp.exe")),
            "invoice_fdp.exe"
        );
        assert_eq!(
            owned(sanitize(
                "\u{2066}a\u{2069}\u{200E}b\u{200F}\u{061C}c\u{200B}d\u{FEFF}"
            )),
            "abcd"
        );
    }

    #[test]
    fn tabs_expand_to_the_next_multiple_of_four_columns() {
        assert_eq!(owned(sanitize("\tx")), "    x");
        assert_eq!(owned(sanitize("ab\tc")), "ab  c");
        assert_eq!(owned(sanitize("abcd\te")), "abcd    e");
        assert_eq!(owned(sanitize("ab\ncde\tf")), "ab\ncde f");
        // Wide characters count two columns.
        assert_eq!(owned(sanitize("日\tx")), "日  x");
    }

    #[test]
    fn crlf_and_lone_cr_become_newlines() {
        assert_eq!(owned(sanitize("a\r\nb\rc\n\rd")), "a\nb\nc\n\nd");
        assert_eq!(owned(sanitize("a\u{2028}b\u{2029}c")), "a\nb\nc");
    }

    #[test]
    fn emoji_with_zwj_survive_and_are_borrowed() {
        let family = "family: 👨\u{200D}👩\u{200D}👧 👍🏽 🏳\u{FE0F}\u{200D}🌈";
        assert!(matches!(sanitize(family), Cow::Borrowed(s) if s == family));
        assert!(matches!(sanitize_line(family), Cow::Borrowed(s) if s == family));
    }

    #[test]
    fn accented_text_is_unchanged_and_borrowed() {
        let text = "Olá, não consigo acessar a conta.\nGrazie mille, è già risolto.";
        assert!(matches!(sanitize(text), Cow::Borrowed(s) if s == text));
        let line = "Señora Muñoz — reembolso pendiente";
        assert!(matches!(sanitize_line(line), Cow::Borrowed(s) if s == line));
    }

    #[test]
    fn sanitize_line_collapses_whitespace_and_newlines() {
        assert_eq!(
            owned(sanitize_line("  Re:\r\n\tthe   order \n")),
            "Re: the order"
        );
        assert_eq!(owned(sanitize_line("a\u{A0}\u{3000}b")), "a b");
        assert_eq!(owned(sanitize_line("a \x1b[31m b")), "a b");
        assert_eq!(owned(sanitize_line("\n\n")), "");
    }

    /// A small deterministic xorshift generator, so the property test needs no dependency.
    struct Rng(u64);

    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }
    }

    const ALPHABET: &[char] = &[
        '\x1b', '\x1b', '\x1b', '[', ']', 'P', 'X', '^', '_', '\\', '(', '0', '1', ';', 'm', 'H',
        'a', 'é', ' ', ' ', '\x07', '\x18', '\0', '\x7f', '\r', '\n', '\t', '\x0b', '\u{85}',
        '\u{90}', '\u{9b}', '\u{9c}', '\u{9d}', '\u{9f}', '\u{202E}', '\u{2066}', '\u{200E}',
        '\u{061C}', '\u{2028}', '\u{A0}', '\u{200D}', '👍', '日',
    ];

    fn forbidden(c: char, newline_allowed: bool) -> bool {
        (c.is_control() && !(newline_allowed && c == '\n'))
            || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
            || matches!(
                c,
                '\u{200E}' | '\u{200F}' | '\u{061C}' | '\u{2028}' | '\u{2029}'
            )
    }

    #[test]
    fn output_never_contains_controls_escapes_or_bidi_over_generated_inputs() {
        let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
        for _ in 0..20_000 {
            let len = (rng.next() % 24) as usize;
            let input: String = (0..len)
                .map(|_| ALPHABET[(rng.next() % ALPHABET.len() as u64) as usize])
                .collect();

            let multi = sanitize(&input);
            assert!(
                !multi.chars().any(|c| forbidden(c, true)),
                "sanitize({input:?}) = {multi:?}"
            );
            assert_eq!(matches!(multi, Cow::Borrowed(_)), multi == input.as_str());
            assert!(
                matches!(sanitize(&multi), Cow::Borrowed(_)),
                "not idempotent: {input:?}"
            );

            let line = sanitize_line(&input);
            assert!(
                !line.chars().any(|c| forbidden(c, false)),
                "sanitize_line({input:?}) = {line:?}"
            );
            assert!(!line.contains("  ") && line.trim() == line, "{line:?}");
            assert_eq!(matches!(line, Cow::Borrowed(_)), line == input.as_str());
            assert!(
                matches!(sanitize_line(&line), Cow::Borrowed(_)),
                "not idempotent: {input:?}"
            );
        }
    }
}
