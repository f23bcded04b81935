//! Which channels a reply can reach a conversation's contact by, now: the contact has the
//! address or identity, the channel is on and sends, a Messenger or WhatsApp window is open.

use crate::api::{ReplyChannel, ReplyChannels, ReplyEmail};
use crate::domain::{Channel, ChannelKind, Id, Timestamp};
use crate::server::channels::graph::{Platform, window};
use crate::server::reply_files;
use crate::server::store::ReplyTargets;

/// Whether a reply on one channel reaches the contact.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reach {
    /// It does, addressed to this recipient (if the channel names one).
    Yes(Option<String>),
    /// The channel is turned off.
    Off(String),
    /// The Messenger or WhatsApp window is closed.
    WindowClosed(String),
    /// The contact cannot be reached there at all.
    No(String),
}

impl Reach {
    /// Why not, when not.
    fn reason(&self) -> Option<&str> {
        match self {
            Reach::Yes(_) => None,
            Reach::Off(why) | Reach::WindowClosed(why) | Reach::No(why) => Some(why),
        }
    }
}

/// The contact's identity on `channel`.
fn identity(t: &ReplyTargets, channel: &Channel) -> Option<String> {
    t.contact
        .identities
        .iter()
        .find(|i| i.channel_id == channel.id)
        .map(|i| i.external_id.clone())
}

/// Whether a reply on `channel` reaches the contact of `t` at `now`.
pub fn reach(
    t: &ReplyTargets,
    channel: &Channel,
    last_inbound: Option<Timestamp>,
    now: Timestamp,
) -> Reach {
    let name = &t.contact.name;
    let reach = match channel.kind {
        ChannelKind::Email => match &t.contact.email {
            Some(address) => Reach::Yes(Some(address.clone())),
            None => Reach::No(format!("{name} has no e-mail address")),
        },
        ChannelKind::Chat => {
            let live = channel.id == t.conversation.channel_id
                && t.thread_key
                    .as_deref()
                    .is_some_and(|k| k.starts_with("visitor:"));
            if live {
                Reach::Yes(None)
            } else {
                Reach::No(format!(
                    "a chat reaches only the visitor of its own live chat; {name} has none on {:?}",
                    channel.name
                ))
            }
        }
        ChannelKind::Messenger | ChannelKind::Whatsapp => {
            let platform = Platform::of(channel.kind).expect("a Graph channel kind");
            match identity(t, channel) {
                None => Reach::No(format!(
                    "{name} has never written on {} channel {:?}",
                    platform.name(),
                    channel.name
                )),
                Some(id) => match window::refusal(platform, last_inbound, now) {
                    Some(why) => Reach::WindowClosed(why),
                    None => Reach::Yes(Some(id)),
                },
            }
        }
        ChannelKind::Custom => match identity(t, channel) {
            Some(id) => Reach::Yes(Some(id)),
            // The integration's thread of this conversation names the recipient.
            None if channel.id == t.conversation.channel_id => Reach::Yes(None),
            None => Reach::No(format!(
                "{name} has no identity on channel {:?}",
                channel.name
            )),
        },
        ChannelKind::Call => Reach::No(format!(
            "{:?} logs phone calls and sends nothing; call {name} back, then log the call",
            channel.name
        )),
        // A portal ticket's answers are mailed to its customer by the portal.
        ChannelKind::Form if channel.id == t.conversation.channel_id => Reach::Yes(None),
        ChannelKind::Form => Reach::No(format!(
            "web form {:?} only takes messages in; answer on an e-mail channel",
            channel.name
        )),
    };
    if !channel.enabled && matches!(reach, Reach::Yes(_) | Reach::WindowClosed(_)) {
        return Reach::Off(format!("channel {:?} is turned off", channel.name));
    }
    reach
}

/// Every channel of the desk, whether it reaches the contact now, what it carries, and the
/// e-mail defaults on e-mail channels.
pub fn list(t: &ReplyTargets, now: Timestamp) -> ReplyChannels {
    let items = t
        .channels
        .iter()
        .map(|(channel, last)| {
            let reach = reach(t, channel, *last, now);
            ReplyChannel {
                channel_id: channel.id,
                kind: channel.kind,
                name: channel.name.clone(),
                current: channel.id == t.conversation.channel_id,
                reachable: matches!(reach, Reach::Yes(_)),
                reason: reach.reason().map(str::to_string),
                recipient: match &reach {
                    Reach::Yes(r) => r.clone(),
                    _ => None,
                },
                files: reply_files::limits(channel),
                email: (channel.kind == ChannelKind::Email).then(|| ReplyEmail {
                    to: t.contact.email.iter().cloned().collect(),
                    subject: ReplyEmail::reply_subject(&t.conversation.subject),
                    ..ReplyEmail::default()
                }),
            }
        })
        .collect();
    ReplyChannels {
        conversation_id: t.conversation.id,
        items,
    }
}

/// Why a reply on `channel_id` (the conversation's own when `None`) cannot reach the
/// contact at all, if it cannot; `addressed` when the reply names its own e-mail recipients.
/// A channel turned off, a closed window or an unknown channel are left to the store, which
/// answers them with their own statuses.
pub fn unreachable(
    t: &ReplyTargets,
    channel_id: Option<Id>,
    addressed: bool,
    now: Timestamp,
) -> Option<String> {
    let id = channel_id.unwrap_or(t.conversation.channel_id);
    let (channel, last) = t.channels.iter().find(|(c, _)| c.id == id)?;
    if addressed && channel.kind == ChannelKind::Email {
        return None;
    }
    match reach(t, channel, *last, now) {
        Reach::No(why) => Some(why),
        _ => None,
    }
}
