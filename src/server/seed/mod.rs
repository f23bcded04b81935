//! Deterministic demo workspaces: agents, teams, channels, companies, contacts and
//! conversations with multi-turn threads, written straight into an empty SQLite desk.
//!
//! The same options always produce the same rows, except the channels' secrets, which are
//! drawn from the operating system so that a demo desk never ships guessable secrets.

mod attachments;
mod names;
mod text;
mod threads;
mod topics;
mod workspace;

#[cfg(test)]
mod tests;

use crate::domain::Timestamp;
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rusqlite::Connection;

/// What to generate.
pub struct SeedOptions {
    /// How many conversations to create.
    pub conversations: u64,
    /// Seed of the generator; the same seed gives the same workspace.
    pub seed: u64,
    /// "Now": every timestamp falls in the 90 days before it.
    pub anchor: Timestamp,
}

/// How many rows of each kind were written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeedReport {
    pub agents: u64,
    pub teams: u64,
    pub channels: u64,
    pub companies: u64,
    pub contacts: u64,
    pub conversations: u64,
    pub messages: u64,
}

/// Why seeding failed; on error nothing was written.
#[derive(Debug, thiserror::Error)]
pub enum SeedError {
    #[error("the desk already holds {0} conversations; seed only fills an empty desk")]
    NotEmpty(i64),
    #[error(transparent)]
    Sql(#[from] rusqlite::Error),
}

/// Length of the generated history, in milliseconds.
const WINDOW_MS: i64 = 90 * DAY_MS;
const MINUTE_MS: i64 = 60_000;
const HOUR_MS: i64 = 60 * MINUTE_MS;
const DAY_MS: i64 = 24 * HOUR_MS;

/// Fills an empty desk with a demo workspace, in one transaction.
pub fn seed(conn: &mut Connection, opts: &SeedOptions) -> Result<SeedReport, SeedError> {
    let tx = conn.transaction()?;
    let existing: i64 = tx.query_row("SELECT count(*) FROM conversations", [], |r| r.get(0))?;
    if existing > 0 {
        return Err(SeedError::NotEmpty(existing));
    }
    let mut rng = ChaCha8Rng::seed_from_u64(opts.seed);
    let start = opts.anchor.millis() - WINDOW_MS;
    let mut ws = workspace::create(&tx, &mut rng, start, opts.conversations)?;
    let messages = threads::create(&tx, &mut rng, &mut ws, start, opts)?;
    threads::key_threads(&tx)?;
    workspace::backdate_contacts(&tx, &ws)?;
    crate::server::store::search::rebuild(&tx)?;
    let report = SeedReport {
        agents: ws.agents.len() as u64,
        teams: ws.teams.len() as u64,
        channels: ws.channels.len() as u64,
        companies: ws.companies as u64,
        contacts: ws.contacts.len() as u64,
        conversations: opts.conversations,
        messages,
    };
    tx.commit()?;
    Ok(report)
}

/// One element of a non-empty slice, uniformly.
fn pick<'a, T>(rng: &mut ChaCha8Rng, items: &'a [T]) -> &'a T {
    &items[rng.random_range(0..items.len())]
}

/// An index into `weights`, with probability proportional to its weight.
fn weighted(rng: &mut ChaCha8Rng, weights: &[u32]) -> usize {
    let total: u32 = weights.iter().sum();
    let mut roll = rng.random_range(0..total);
    for (i, w) in weights.iter().enumerate() {
        if roll < *w {
            return i;
        }
        roll -= w;
    }
    weights.len() - 1
}

/// Lowercase ASCII version of a name, for email addresses, handles and domains.
fn ascii_slug(s: &str) -> String {
    s.chars()
        .filter_map(|c| {
            let base = match c {
                'á' | 'à' | 'â' | 'ã' | 'ä' | 'Á' | 'À' => 'a',
                'é' | 'è' | 'ê' | 'ë' | 'É' => 'e',
                'í' | 'ì' | 'î' | 'ï' | 'Í' => 'i',
                'ó' | 'ò' | 'ô' | 'õ' | 'ö' | 'Ó' => 'o',
                'ú' | 'ù' | 'û' | 'ü' | 'Ú' => 'u',
                'ñ' | 'Ñ' => 'n',
                'ç' | 'Ç' => 'c',
                c if c.is_ascii_alphanumeric() => c.to_ascii_lowercase(),
                _ => return None,
            };
            Some(base)
        })
        .collect()
}

/// Seeds the desk in `data_dir` (created if missing); `anchor` is RFC 3339, now by default.
pub fn seed_dir(
    data_dir: &std::path::Path,
    conversations: u64,
    seed_value: u64,
    anchor: Option<&str>,
) -> anyhow::Result<SeedReport> {
    let anchor = match anchor {
        Some(a) => Timestamp::parse(a)
            .map_err(|e| anyhow::anyhow!("--anchor {a:?} is not an RFC 3339 time: {e}"))?,
        None => Timestamp::now(),
    };
    let mut conn = crate::server::store::open_connection(data_dir)?;
    let opts = SeedOptions {
        conversations,
        seed: seed_value,
        anchor,
    };
    Ok(seed(&mut conn, &opts)?)
}
