//! The people and places of the demo desk: agents, teams, channels, companies, contacts.

use super::names::{
    AGENTS, COMPANY_HEADS, COMPANY_TAILS, FIRST_NAMES, FREE_MAIL, LAST_NAMES, PHONES, TEAMS,
};
use super::{HOUR_MS, WINDOW_MS, ascii_slug, pick};
use crate::domain::ChannelKind;
use rand::RngExt;
use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;
use rusqlite::{Transaction, params};
use std::collections::HashSet;

/// Channels as (kind, name, settings JSON, weight when a contact can use it). None points
/// anywhere: replies stay on the desk (custom), or fail with "not set up" (email, Messenger,
/// WhatsApp) until an admin connects the channel; `frontdesk demo` connects them to its own
/// loopback far sides.
const CHANNELS: &[(ChannelKind, &str, &str, u32)] = &[
    (
        ChannelKind::Email,
        "support@acme-demo.example",
        r#"{"address":"support@acme-demo.example"}"#,
        40,
    ),
    (
        ChannelKind::Chat,
        "Website chat",
        r##"{"color":"#3b5bdb","greeting":"Hi! How can we help?"}"##,
        25,
    ),
    (
        ChannelKind::Form,
        "Contact form",
        r#"{"page":"/contact"}"#,
        8,
    ),
    (
        ChannelKind::Messenger,
        "Acme on Messenger",
        r#"{"page_id":"104857600012345"}"#,
        40,
    ),
    (
        ChannelKind::Whatsapp,
        "WhatsApp +34 611 20 30 40",
        r#"{"phone_number":"+34611203040"}"#,
        22,
    ),
    (
        ChannelKind::Call,
        "Phone line",
        r#"{"number":"+44 20 7946 0000"}"#,
        6,
    ),
    (
        ChannelKind::Custom,
        "Telegram bridge",
        r#"{"bot":"@acme_demo_bot"}"#,
        40,
    ),
];

/// An agent, as conversations need it.
pub struct Agent {
    pub id: i64,
    pub name: &'static str,
    /// Whether the agent holds a seat and may own or answer conversations.
    pub works: bool,
}

/// A channel, as conversations need it.
pub struct Channel {
    pub id: i64,
    pub kind: ChannelKind,
    pub weight: u32,
}

/// A contact, as conversations need it.
pub struct Contact {
    pub id: i64,
    pub name: String,
    /// The language the contact's name comes from (0 English, 1 Spanish, 2 Portuguese, 3 Italian).
    pub lang: usize,
    /// Bit `i` set when the contact can write through `CHANNELS[i]`.
    pub reach: u8,
    /// Telegram handle, for the custom channel.
    pub handle: Option<String>,
    /// Creation time, moved back to the first conversation once threads exist.
    pub created_at: i64,
}

impl Contact {
    /// The first word of the name.
    pub fn first_name(&self) -> &str {
        self.name.split(' ').next().unwrap_or(&self.name)
    }
}

/// Everything conversations are made from.
pub struct Workspace {
    pub agents: Vec<Agent>,
    /// Per team: its id and the indexes of its working members in `agents`.
    pub teams: Vec<(i64, Vec<usize>)>,
    pub channels: Vec<Channel>,
    pub companies: usize,
    pub contacts: Vec<Contact>,
}

/// Writes agents, teams, channels, companies and contacts sized for `conversations`.
pub fn create(
    tx: &Transaction,
    rng: &mut ChaCha8Rng,
    start: i64,
    conversations: u64,
) -> rusqlite::Result<Workspace> {
    let mut agents = Vec::new();
    let mut stmt = tx.prepare_cached(
        "INSERT INTO agents (email, name, role, has_seat, available, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?;
    for (i, (name, role, seat, available)) in AGENTS.iter().enumerate() {
        let email = format!(
            "{}@acme-demo.example",
            ascii_slug(name.split(' ').next().unwrap_or(name))
        );
        stmt.execute(params![
            email,
            name,
            role,
            seat,
            available,
            start + i as i64 * HOUR_MS
        ])?;
        agents.push(Agent {
            id: tx.last_insert_rowid(),
            name,
            works: *seat,
        });
    }

    let mut teams = Vec::new();
    for (name, members) in TEAMS {
        tx.prepare_cached("INSERT INTO teams (name) VALUES (?1)")?
            .execute([name])?;
        let id = tx.last_insert_rowid();
        let mut stmt =
            tx.prepare_cached("INSERT INTO team_members (team_id, agent_id) VALUES (?1, ?2)")?;
        for &m in members.iter() {
            stmt.execute([id, agents[m].id])?;
        }
        teams.push((
            id,
            members
                .iter()
                .copied()
                .filter(|&m| agents[m].works)
                .collect(),
        ));
    }

    let mut channels = Vec::new();
    let mut stmt = tx.prepare_cached(
        "INSERT INTO channels (kind, name, secret, settings, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?;
    for (i, (kind, name, settings, weight)) in CHANNELS.iter().enumerate() {
        let secret: [u8; 32] = rand::rng().random();
        let created = start + (2 + i as i64) * HOUR_MS;
        stmt.execute(params![
            kind.as_str(),
            name,
            hex::encode(secret),
            settings,
            created
        ])?;
        channels.push(Channel {
            id: tx.last_insert_rowid(),
            kind: *kind,
            weight: *weight,
        });
    }

    let contact_count = ((conversations * 2 / 5) as usize).max(8);
    let companies = create_companies(
        tx,
        rng,
        (contact_count / 12).clamp(4, COMPANY_HEADS.len() * COMPANY_TAILS.len()),
    )?;
    let contacts = create_contacts(
        tx,
        rng,
        start,
        contact_count,
        &companies,
        &agents,
        &channels,
    )?;
    Ok(Workspace {
        agents,
        teams,
        channels,
        companies: companies.len(),
        contacts,
    })
}

/// Writes `count` companies with distinct names; returns their (id, domain).
fn create_companies(
    tx: &Transaction,
    rng: &mut ChaCha8Rng,
    count: usize,
) -> rusqlite::Result<Vec<(i64, Option<String>)>> {
    const SUFFIXES: &[&str] = &["Ltd", "Inc.", "S.L.", "Lda.", "S.r.l.", "GmbH"];
    let mut combos: Vec<usize> = (0..COMPANY_HEADS.len() * COMPANY_TAILS.len()).collect();
    combos.shuffle(rng);
    let mut stmt = tx.prepare_cached("INSERT INTO companies (name, domain) VALUES (?1, ?2)")?;
    let mut out = Vec::with_capacity(count);
    for combo in combos.into_iter().take(count) {
        let (head, tail) = (
            COMPANY_HEADS[combo / COMPANY_TAILS.len()],
            COMPANY_TAILS[combo % COMPANY_TAILS.len()],
        );
        let mut name = format!("{head} {tail}");
        if rng.random_bool(0.35) {
            name = format!("{name} {}", pick(rng, SUFFIXES));
        }
        let domain = rng
            .random_bool(0.95)
            .then(|| format!("{}-{}.example", ascii_slug(head), ascii_slug(tail)));
        stmt.execute(params![name, domain])?;
        out.push((tx.last_insert_rowid(), domain));
    }
    Ok(out)
}

/// Writes contacts and their channel identities.
fn create_contacts(
    tx: &Transaction,
    rng: &mut ChaCha8Rng,
    start: i64,
    count: usize,
    companies: &[(i64, Option<String>)],
    agents: &[Agent],
    channels: &[Channel],
) -> rusqlite::Result<Vec<Contact>> {
    let owners: Vec<i64> = agents.iter().filter(|a| a.works).map(|a| a.id).collect();
    let slot = |kind: ChannelKind| channels.iter().position(|c| c.kind == kind).unwrap_or(0);
    let (messenger, whatsapp, call, custom) = (
        slot(ChannelKind::Messenger),
        slot(ChannelKind::Whatsapp),
        slot(ChannelKind::Call),
        slot(ChannelKind::Custom),
    );
    let mut taken: HashSet<String> = HashSet::new();
    let mut unique = |rng: &mut ChaCha8Rng, base: String, sep: &str| {
        let mut candidate = base.clone();
        while !taken.insert(candidate.clone()) {
            candidate = format!("{base}{sep}{}", rng.random_range(2..10_000));
        }
        candidate
    };
    let mut insert = tx.prepare_cached(
        "INSERT INTO contacts (name, email, phone, owner_id, company_id, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?;
    let mut identity = tx.prepare_cached(
        "INSERT INTO contact_identities (channel_id, external_id, contact_id) VALUES (?1, ?2, ?3)",
    )?;
    let mut out = Vec::with_capacity(count);
    for _ in 0..count {
        let lang = [0, 0, 0, 0, 0, 0, 1, 1, 2, 2, 3, 3][rng.random_range(0..12)];
        let (first, last) = (*pick(rng, FIRST_NAMES[lang]), *pick(rng, LAST_NAMES[lang]));
        let name = if lang == 1 && rng.random_bool(0.3) {
            format!("{first} {last} {}", pick(rng, LAST_NAMES[1]))
        } else {
            format!("{first} {last}")
        };
        let company = rng.random_bool(0.85).then(|| pick(rng, companies));
        let (f, l) = (ascii_slug(first), ascii_slug(last));
        let email = rng
            .random_bool(0.92)
            .then(|| match company.and_then(|c| c.1.as_deref()) {
                Some(domain) if rng.random_bool(0.85) => {
                    unique(rng, format!("{f}.{l}@{domain}"), ".")
                }
                _ => {
                    let local = unique(rng, format!("{f}.{l}"), "");
                    format!("{local}@{}", pick(rng, FREE_MAIL[lang]))
                }
            });
        let phone = (email.is_none() || rng.random_bool(0.45)).then(|| {
            let digits = pick(rng, PHONES[lang])
                .chars()
                .map(|c| {
                    if c == '#' {
                        char::from(b'0' + rng.random_range(0..10u8))
                    } else {
                        c
                    }
                })
                .collect::<String>();
            unique(rng, digits, " ")
        });
        let owner = rng.random_bool(0.2).then(|| *pick(rng, &owners));
        let created_at = start + rng.random_range(0..WINDOW_MS);
        insert.execute(params![
            name,
            email,
            phone,
            owner,
            company.map(|c| c.0),
            created_at
        ])?;
        let id = tx.last_insert_rowid();

        // Email, chat and form (the first three channels) only need an email address.
        let mut reach: u8 = if email.is_some() { 0b111 } else { 0 };
        let mut identities: Vec<(usize, String)> = Vec::new();
        if let Some(phone) = &phone {
            reach |= 1 << call;
            if email.is_none() || rng.random_bool(0.5) {
                let e164: String = phone.chars().filter(char::is_ascii_digit).collect();
                identities.push((whatsapp, e164));
            }
        }
        if rng.random_bool(0.15) {
            let psid = rng.random_range(1_000_000_000_000_000u64..10_000_000_000_000_000);
            let psid = unique(rng, psid.to_string(), "");
            identities.push((messenger, psid));
        }
        let mut handle = None;
        if rng.random_bool(0.1) {
            let h = unique(rng, format!("@{f}_{l}"), "");
            identities.push((custom, h.clone()));
            handle = Some(h);
        }
        for (slot, external) in identities {
            identity.execute(params![channels[slot].id, external, id])?;
            reach |= 1 << slot;
        }
        out.push(Contact {
            id,
            name,
            lang,
            reach,
            handle,
            created_at,
        });
    }
    Ok(out)
}

/// Writes back contacts' creation times, which threads moved to their first conversation.
pub fn backdate_contacts(tx: &Transaction, ws: &Workspace) -> rusqlite::Result<()> {
    let mut stmt = tx.prepare_cached("UPDATE contacts SET created_at = ?1 WHERE id = ?2")?;
    for c in &ws.contacts {
        stmt.execute([c.created_at, c.id])?;
    }
    Ok(())
}
