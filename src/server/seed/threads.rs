//! Conversations, their message threads and attachments.

use super::attachments::{Attachment, attachment_for, promises_attachment};
use super::names::{AMOUNTS, EXTRA_LABELS, PLANS, PRODUCTS, VIP_TEAM};
use super::text::{
    AGENT_CLOSING, AGENT_FIRST, AGENT_FOLLOWUPS, CUSTOMER_BUMPS, CUSTOMER_FOLLOWUPS,
    CUSTOMER_THANKS, NOTES, SIGN_OFF, Vars,
};
use super::topics::{TOPICS, Topic};
use super::workspace::Workspace;
use super::{DAY_MS, HOUR_MS, MINUTE_MS, SeedOptions, WINDOW_MS, pick, weighted};
use crate::domain::{ChannelKind, MessageKind, Priority, Status};
use rand::RngExt;
use rand_chacha::ChaCha8Rng;
use rusqlite::{Transaction, params};

/// One message before it is written.
struct Draft {
    kind: MessageKind,
    /// Index into `Workspace::agents` of the author of an outbound message or note.
    agent: Option<usize>,
    at: i64,
    body: String,
    attachment: Option<Attachment>,
}

/// Writes `opts.conversations` conversations; returns how many messages they hold.
pub fn create(
    tx: &Transaction,
    rng: &mut ChaCha8Rng,
    ws: &mut Workspace,
    start: i64,
    opts: &SeedOptions,
) -> rusqlite::Result<u64> {
    let anchor = opts.anchor.millis();
    let mut starts: Vec<i64> = (0..opts.conversations)
        .map(|_| start + rng.random_range(0..WINDOW_MS - 10 * MINUTE_MS))
        .collect();
    starts.sort_unstable();
    let working: Vec<usize> = (0..ws.agents.len())
        .filter(|&a| ws.agents[a].works)
        .collect();
    let mut conversation = tx.prepare_cached(
        "INSERT INTO conversations (subject, status, priority, owner_id, team_id, channel_id, contact_id, thread_key, labels, created_at, updated_at, last_message_at, preview, message_count, channel_kind) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)",
    )?;
    let mut message = tx.prepare_cached(
        "INSERT INTO messages (conversation_id, kind, sender_agent_id, sender_contact_id, sender_name, channel_id, body, created_at) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?;
    let mut attachment = tx.prepare_cached(
        "INSERT INTO attachments (message_id, kind, name, mime_type, size, url) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?;
    let topic_weights: Vec<u32> = TOPICS.iter().map(|t| t.weight).collect();
    let mut total = 0;
    for (i, &t0) in starts.iter().enumerate() {
        let c = if rng.random_bool(0.8) {
            rng.random_range(0..ws.contacts.len())
        } else {
            // A few contacts write much more often than the rest.
            (rng.random::<f64>().powi(2) * ws.contacts.len() as f64) as usize
        };
        let contact = &ws.contacts[c];
        let lang = if contact.lang != 0 && rng.random_bool(0.55) {
            contact.lang
        } else {
            0
        };
        let topic = &TOPICS[weighted(rng, &topic_weights)];
        let channel_weights: Vec<u32> = ws
            .channels
            .iter()
            .enumerate()
            .map(|(slot, ch)| {
                if contact.reach & (1 << slot) != 0 {
                    ch.weight
                } else {
                    0
                }
            })
            .collect();
        let channel = &ws.channels[weighted(rng, &channel_weights)];
        let status = final_status(rng, anchor - t0);
        let priority = Priority::ALL[weighted(rng, &[15, 60, 18, 7])];
        let mut labels = Vec::new();
        if rng.random_bool(0.45) {
            labels.push(topic.label);
        }
        if rng.random_bool(0.1) {
            labels.push(*pick(rng, EXTRA_LABELS));
        }
        let team = match rng.random_bool(0.55) {
            _ if labels.contains(&"vip") => Some(VIP_TEAM),
            true => Some(topic.team),
            false => None,
        };
        let unassigned = rng.random_bool(if status == Status::New { 0.75 } else { 0.12 });
        let owner = (!unassigned).then(|| match team {
            Some(t) if !ws.teams[t].1.is_empty() && rng.random_bool(0.85) => {
                *pick(rng, &ws.teams[t].1)
            }
            _ => *pick(rng, &working),
        });
        let vars = Vars {
            name: contact.first_name(),
            agent: ws.agents[*pick(rng, &working)]
                .name
                .split(' ')
                .next()
                .unwrap_or_default(),
            product: pick::<&str>(rng, PRODUCTS),
            order: format!("#A-{}", rng.random_range(100_000..1_000_000)),
            invoice: format!("INV-{}", rng.random_range(10_000..100_000)),
            amount: pick::<&str>(rng, AMOUNTS),
            plan: pick::<&str>(rng, PLANS),
        };
        let variant = rng.random_range(0..topic.subjects[lang].len());
        let subject = vars.fill(topic.subjects[lang][variant]);
        let realtime = !matches!(channel.kind, ChannelKind::Email | ChannelKind::Form);
        let kinds = thread_kinds(rng, status);
        let at = timeline(rng, &kinds, realtime, t0, anchor - MINUTE_MS);
        let (openings, spin) = (topic.openings[lang], rng.random_range(0..60));
        let mut drafts: Vec<Draft> = Vec::with_capacity(kinds.len());
        for (k, (&kind, &at)) in kinds.iter().zip(&at).enumerate() {
            let agent = match (kind, owner) {
                (MessageKind::Inbound, _) => None,
                (MessageKind::Outbound, Some(o)) if rng.random_bool(0.9) => Some(o),
                _ => Some(*pick(rng, &working)),
            };
            let mut body = vars.fill(match k {
                0 => openings[variant.min(openings.len() - 1)],
                _ => template(&kinds, k, status, topic, lang, spin),
            });
            match (channel.kind, kind) {
                (ChannelKind::Email, MessageKind::Outbound) => {
                    let who = agent.map_or("", |a| ws.agents[a].name);
                    body = format!("{body}\n\n{},\n{who}\nAcme Support", SIGN_OFF[lang]);
                }
                (ChannelKind::Email, MessageKind::Inbound) if rng.random_bool(0.5) => {
                    body = format!("{body}\n\n{}", vars.name);
                }
                (ChannelKind::Call, MessageKind::Inbound) if k == 0 => {
                    body = format!("Phone call from {}: {body}", contact.name);
                }
                _ => {}
            }
            let promised = k == 0 && promises_attachment(&body);
            let attachment = attachment_for(rng, channel.kind, kind, k == 0, promised);
            drafts.push(Draft {
                kind,
                agent,
                at,
                body,
                attachment,
            });
        }

        let (first, last) = (&drafts[0], &drafts[drafts.len() - 1]);
        let preview: String = last
            .body
            .lines()
            .next()
            .unwrap_or_default()
            .chars()
            .take(120)
            .collect();
        let thread_key = (channel.kind == ChannelKind::Custom).then(|| {
            let handle = contact.handle.as_deref().unwrap_or("@guest");
            format!("tg:{}:{}", &handle[1..], i + 1)
        });
        conversation.execute(params![
            subject,
            status.as_str(),
            priority.as_str(),
            owner.map(|o| ws.agents[o].id),
            team.map(|t| ws.teams[t].0),
            channel.id,
            contact.id,
            thread_key,
            serde_json::to_string(&labels).unwrap_or_else(|_| "[]".into()),
            first.at,
            last.at,
            last.at,
            preview,
            drafts.len() as i64,
            channel.kind.as_str(),
        ])?;
        let conversation_id = tx.last_insert_rowid();
        for d in &drafts {
            let (agent_id, contact_id, sender) = match d.agent {
                Some(a) => (Some(ws.agents[a].id), None, ws.agents[a].name),
                None => (None, Some(contact.id), contact.name.as_str()),
            };
            message.execute(params![
                conversation_id,
                d.kind.as_str(),
                agent_id,
                contact_id,
                sender,
                channel.id,
                d.body,
                d.at
            ])?;
            if let Some((kind, name, mime, size)) = &d.attachment {
                let message_id = tx.last_insert_rowid();
                // Nowhere: the discard port on loopback refuses the download.
                let url =
                    format!("http://127.0.0.1:9/files/c{conversation_id}/m{message_id}/{name}");
                attachment.execute(params![message_id, kind.as_str(), name, mime, size, url])?;
            }
        }
        total += drafts.len() as u64;
        let contact = &mut ws.contacts[c];
        contact.created_at = contact.created_at.min(t0);
    }
    Ok(total)
}

/// Where a conversation that started `age` milliseconds ago stands now: older ones are
/// mostly closed, recent ones mostly open.
fn final_status(rng: &mut ChaCha8Rng, age: i64) -> Status {
    let weights = match age {
        a if a < DAY_MS => [35, 30, 30, 5],
        a if a < 7 * DAY_MS => [8, 22, 30, 40],
        a if a < 21 * DAY_MS => [2, 10, 20, 68],
        _ => [1, 4, 10, 85],
    };
    [
        Status::New,
        Status::WaitingOnUs,
        Status::WaitingOnContact,
        Status::Closed,
    ][weighted(rng, &weights)]
}

/// The kinds of a thread's messages, consistent with its final status: the customer writes
/// first, and the last message is the customer's when the ball is with us, an agent's otherwise.
fn thread_kinds(rng: &mut ChaCha8Rng, status: Status) -> Vec<MessageKind> {
    use MessageKind::{Inbound, Note, Outbound};
    if status == Status::New {
        return vec![Inbound; rng.random_range(1..=2)];
    }
    let n = 2 + (19.0 * rng.random::<f64>().powi(3)) as usize;
    let n = if status == Status::WaitingOnUs {
        n.max(3)
    } else {
        n
    };
    let mut kinds = vec![Inbound];
    for _ in 1..n - 1 {
        let next = match kinds[kinds.len() - 1] {
            Inbound => [Outbound, Note, Inbound][weighted(rng, &[80, 12, 8])],
            Outbound => [Inbound, Outbound, Note][weighted(rng, &[85, 7, 8])],
            Note => Outbound,
        };
        kinds.push(next);
    }
    if status == Status::WaitingOnUs {
        if !kinds.contains(&Outbound) {
            kinds[n - 2] = Outbound;
        }
        kinds.push(Inbound);
    } else {
        if status == Status::Closed && n >= 4 {
            // The customer says thanks to an answer, then the agent closes.
            (kinds[n - 3], kinds[n - 2]) = (Outbound, Inbound);
        }
        kinds.push(Outbound);
    }
    kinds
}

/// The template of message `k > 0`; `spin` rotates each list so a thread rarely repeats itself.
fn template(
    kinds: &[MessageKind],
    k: usize,
    status: Status,
    topic: &Topic,
    lang: usize,
    spin: usize,
) -> &'static str {
    use MessageKind::{Inbound, Note, Outbound};
    let replied = kinds[..k].contains(&Outbound);
    let thanked = status == Status::Closed && kinds.len() >= 4;
    let nth = kinds[..k]
        .iter()
        .filter(|&&other| other == kinds[k])
        .count();
    let last = k + 1 == kinds.len();
    // The answer that solves it comes right before the customer's thanks, or last.
    let resolves = match status {
        Status::Closed if thanked => k + 3 == kinds.len(),
        Status::Closed => last,
        Status::WaitingOnContact => last && nth > 0,
        _ => false,
    };
    let list = match kinds[k] {
        Inbound if thanked && k + 2 == kinds.len() => CUSTOMER_THANKS[lang],
        Inbound if !replied => CUSTOMER_BUMPS[lang],
        Inbound => CUSTOMER_FOLLOWUPS[lang],
        Outbound if thanked && last => AGENT_CLOSING[lang],
        Outbound if resolves => return topic.answers[lang],
        Outbound if nth == 0 => AGENT_FIRST[lang],
        Outbound => AGENT_FOLLOWUPS[lang],
        Note if nth == 0 => return topic.note,
        Note => NOTES,
    };
    list[(spin + nth) % list.len()]
}

/// Send times from `t0`, spaced minutes to days apart (faster on live channels), squeezed
/// if needed so the last one is no later than `end`.
fn timeline(
    rng: &mut ChaCha8Rng,
    kinds: &[MessageKind],
    realtime: bool,
    t0: i64,
    end: i64,
) -> Vec<i64> {
    let gaps: Vec<i64> = kinds[1..]
        .iter()
        .map(|&kind| {
            let (lo, hi) = match (kind, realtime, rng.random_bool(0.75)) {
                (MessageKind::Note, _, _) => (MINUTE_MS, 45 * MINUTE_MS),
                (_, true, true) => (20_000, 15 * MINUTE_MS),
                (_, true, false) => (HOUR_MS, DAY_MS),
                (MessageKind::Outbound, false, true) => (10 * MINUTE_MS, 10 * HOUR_MS),
                (MessageKind::Outbound, false, false) => (10 * HOUR_MS, 2 * DAY_MS),
                (_, false, true) => (30 * MINUTE_MS, 12 * HOUR_MS),
                (_, false, false) => (12 * HOUR_MS, 3 * DAY_MS),
            };
            rng.random_range(lo..hi)
        })
        .collect();
    let (span, room) = (gaps.iter().sum::<i64>(), end - t0);
    let mut at = t0;
    let mut times = vec![t0];
    for gap in gaps {
        let gap = if span > room {
            (gap as i128 * room as i128 / span as i128) as i64
        } else {
            gap
        };
        at += gap.max(1);
        times.push(at);
    }
    times
}

/// Makes seeded threads addressable the way their channels address live ones: a custom
/// conversation knows its integration thread and sender, a customer's latest Messenger or
/// WhatsApp conversation is keyed by their id there (the one their next message continues),
/// and a chat has a visitor key (of a visitor whose token nobody holds).
pub fn key_threads(tx: &Transaction) -> rusqlite::Result<()> {
    tx.execute_batch(
        "INSERT INTO custom_threads (conversation_id, thread_id, sender_id) \
           SELECT c.id, c.thread_key, i.external_id FROM conversations c \
           JOIN contact_identities i ON i.channel_id = c.channel_id AND i.contact_id = c.contact_id \
           WHERE c.channel_kind = 'custom'; \
         UPDATE conversations SET thread_key = ( \
             SELECT i.external_id FROM contact_identities i \
             WHERE i.channel_id = conversations.channel_id AND i.contact_id = conversations.contact_id) \
           WHERE id IN (SELECT max(id) FROM conversations \
             WHERE channel_kind IN ('messenger', 'whatsapp') GROUP BY channel_id, contact_id); \
         UPDATE conversations SET thread_key = printf('visitor:%032x', id) \
           WHERE channel_kind = 'chat';",
    )
}
