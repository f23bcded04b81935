//! Where a reply goes: the channels that reach the contact now (asked of the server when a
//! reply starts), Ctrl-L among them, and the e-mail header lines (To, Cc, Bcc, Subject) a
//! reply by e-mail carries above its body, filled from the thread's defaults.

use super::{App, Compose, Effect};
use crate::api::{ReplyChannel, ReplyEmail};
use crate::domain::{ChannelKind, Id};

/// The header fields, in the order they are written.
const FIELDS: [&str; 4] = ["To", "Cc", "Bcc", "Subject"];

/// The header lines of `email` and the blank line that ends them.
pub fn header_lines(email: &ReplyEmail) -> String {
    format!(
        "To: {}\nCc: {}\nBcc: {}\nSubject: {}\n\n",
        email.to.join(", "),
        email.cc.join(", "),
        email.bcc.join(", "),
        email.subject
    )
}

/// A draft split into its header lines, when it starts with them, and its body. Header
/// lines are `Field: value` for the fields above (any case), each at most once, ended by a
/// blank line or the end of the draft.
pub fn split_headers(text: &str) -> (Option<ReplyEmail>, &str) {
    let mut email = ReplyEmail::default();
    let mut seen = [false; FIELDS.len()];
    let mut rest = text;
    loop {
        let (line, after) = rest.split_once('\n').unwrap_or((rest, ""));
        if line.trim().is_empty() {
            if seen.iter().any(|s| *s) {
                return (Some(email), after);
            }
            return (None, text);
        }
        let Some((name, value)) = line.split_once(':') else {
            return (None, text);
        };
        let Some(field) = FIELDS
            .iter()
            .position(|f| f.eq_ignore_ascii_case(name.trim()))
            .filter(|i| !seen[*i])
        else {
            return (None, text);
        };
        seen[field] = true;
        let value = value.trim();
        let list = || {
            value
                .split([',', ';'])
                .map(str::trim)
                .filter(|a| !a.is_empty())
                .map(str::to_string)
                .collect()
        };
        match field {
            0 => email.to = list(),
            1 => email.cc = list(),
            2 => email.bcc = list(),
            _ => email.subject = value.to_string(),
        }
        if after.is_empty() && !rest.contains('\n') {
            return (Some(email), "");
        }
        rest = after;
    }
}

impl App {
    /// Asks which channels reach conversation `id`'s contact, for the reply being started.
    pub(super) fn ask_reach(&self, id: Id) -> Vec<Effect> {
        vec![Effect::FetchReplyChannels {
            conversation_id: id,
        }]
    }

    /// The server answered which channels reach the contact; a reply by e-mail gets its
    /// header lines.
    pub(super) fn reach_arrived(&mut self, reach: crate::api::ReplyChannels) {
        let id = reach.conversation_id;
        if self.thread.open != Some(id) {
            return;
        }
        self.editor.reach = Some(reach);
        self.fit_headers(id);
    }

    /// The channel the reply being written goes out on, as the server described it.
    pub fn reply_route(&self) -> Option<&ReplyChannel> {
        let reach = self.editor.reach.as_ref()?;
        match self.editor.channel {
            Some(id) => reach.items.iter().find(|c| c.channel_id == id),
            None => reach.items.iter().find(|c| c.current),
        }
    }

    /// Moves the reply to the next channel that reaches the contact (the enabled ones while
    /// the server has not said).
    pub(super) fn switch_channel(&mut self) {
        let Some(t) = &self.thread.loaded else { return };
        let own = t.detail.conversation.channel_id;
        let id = t.detail.conversation.id;
        let current = self.editor.channel.unwrap_or(own);
        let choices: Vec<Id> = match &self.editor.reach {
            Some(reach) if reach.conversation_id == id => reach
                .items
                .iter()
                .filter(|c| c.reachable || c.channel_id == own)
                .map(|c| c.channel_id)
                .collect(),
            _ => self
                .channels
                .iter()
                .filter(|c| c.enabled)
                .map(|c| c.id)
                .collect(),
        };
        let next = choices
            .iter()
            .position(|c| *c == current)
            .and_then(|i| choices.get(i + 1))
            .or(choices.first())
            .copied();
        self.editor.channel = next.filter(|c| *c != own);
        if choices.len() <= 1 {
            self.inform("no other channel reaches this contact now");
        }
        self.fit_headers(id);
    }

    /// Gives conversation `id`'s reply draft header lines when it goes by e-mail, and takes
    /// them away when it no longer does.
    pub(super) fn fit_headers(&mut self, id: Id) {
        if self.editor.compose != Compose::Reply {
            return;
        }
        let Some(route) = self.reply_route() else {
            return;
        };
        let by_mail = route.kind == ChannelKind::Email;
        let defaults = route.email.clone().unwrap_or_default();
        let text = self.draft_text(id).unwrap_or_default();
        let (headers, body) = split_headers(&text);
        let fitted = match (by_mail, headers) {
            (true, None) => format!("{}{text}", header_lines(&defaults)),
            (false, Some(_)) => body.to_string(),
            _ => return,
        };
        self.set_draft(id, &fitted);
    }

    /// Why the reply channel cannot carry conversation `id`'s attached files, if it cannot.
    pub(super) fn files_refused(&self, id: Id, internal: bool) -> Option<String> {
        let files = self.attached(id);
        let route = self
            .reply_route()
            .filter(|_| !internal && !files.is_empty())?;
        let total: u64 = files.iter().map(|f| f.size).sum();
        if !route.files.attachments {
            Some(format!("{} cannot carry files", route.name))
        } else if files.len() > route.files.max_count
            || total > u64::try_from(route.files.max_total).unwrap_or(0)
        {
            Some(format!(
                "{} carries at most {} files and {} in all",
                route.name,
                route.files.max_count,
                super::attach::size_label(u64::try_from(route.files.max_total).unwrap_or(0))
            ))
        } else {
            None
        }
    }

    /// The body and e-mail fields of conversation `id`'s reply: the header lines go into
    /// the fields on an e-mail channel.
    pub(super) fn reply_parts(&self, text: &str) -> (String, Option<ReplyEmail>) {
        let by_mail = self
            .reply_route()
            .is_some_and(|r| r.kind == ChannelKind::Email);
        match split_headers(text) {
            (Some(email), body) if by_mail && self.editor.compose == Compose::Reply => {
                (body.to_string(), Some(email))
            }
            _ => (text.to_string(), None),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn email(to: &[&str], cc: &[&str], subject: &str) -> ReplyEmail {
        ReplyEmail {
            to: to.iter().map(|s| s.to_string()).collect(),
            cc: cc.iter().map(|s| s.to_string()).collect(),
            subject: subject.into(),
            ..ReplyEmail::default()
        }
    }

    #[test]
    fn header_lines_round_trip_and_end_at_the_blank_line() {
        let fields = email(
            &["eve@client.example"],
            &["ap@client.example"],
            "Re: Invoice",
        );
        let text = format!(
            "{}Hello Eve,\n\nTo: whom it may concern",
            header_lines(&fields)
        );
        let (parsed, body) = split_headers(&text);
        assert_eq!(parsed, Some(fields));
        assert_eq!(body, "Hello Eve,\n\nTo: whom it may concern");
    }

    #[test]
    fn edited_header_lines_are_read_in_any_case_and_order() {
        let (parsed, body) = split_headers("subject: New\ncc: a@x.example; b@x.example ,\n\nHi");
        assert_eq!(
            parsed,
            Some(email(&[], &["a@x.example", "b@x.example"], "New"))
        );
        assert_eq!(body, "Hi");
        let (parsed, body) = split_headers("To: a@x.example");
        assert_eq!(parsed, Some(email(&["a@x.example"], &[], "")));
        assert_eq!(body, "");
    }

    #[test]
    fn a_body_that_merely_starts_like_a_header_stays_the_body() {
        for text in [
            "Hello: this is not a header\n\nbody",
            "To: a@x.example\nTo: b@x.example\n\nbody",
            "Dear Eve,\nTo: ops",
            "",
            "\n\nbody",
        ] {
            assert_eq!(split_headers(text), (None, text), "{text:?}");
        }
    }
}
