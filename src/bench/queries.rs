//! Conversation list latency over HTTP: filter combinations, and free-text search.

use super::{Samples, Target};
use crate::server::store::Store;
use rand::seq::IndexedRandom;
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::time::Instant;

/// Query strings mixing the filters an agent uses all day.
fn filter_queries(agent: i64, team: Option<i64>) -> Vec<String> {
    let mut q = vec![
        String::new(),
        "status=open".into(),
        "status=waiting_on_us".into(),
        "assignee=unassigned".into(),
        format!("assignee={agent}"),
        format!("status=open&assignee={agent}"),
        "channel=email".into(),
        "channel=whatsapp&status=open".into(),
        "priority=urgent".into(),
        "status=closed&channel=chat".into(),
        "status=new&assignee=unassigned&channel=custom".into(),
    ];
    if let Some(t) = team {
        q.push(format!("team={t}&status=open"));
    }
    q
}

/// Words drawn from seeded message bodies and contact names: common and rare alike.
async fn search_words(store: &Store, rng: &mut ChaCha8Rng) -> anyhow::Result<Vec<String>> {
    let offset = rng.random_range(0..1000);
    let texts: Vec<String> = store
        .read(move |c| {
            let mut stmt =
                c.prepare("SELECT body FROM messages WHERE id % 97 = ?1 % 97 LIMIT 400")?;
            let rows = stmt.query_map([offset], |r| r.get(0))?;
            Ok(rows.collect::<Result<_, _>>()?)
        })
        .await?;
    let mut words: Vec<String> = texts
        .iter()
        .flat_map(|t| t.split(|c: char| !c.is_alphanumeric()))
        .filter(|w| w.chars().count() >= 4)
        .map(str::to_lowercase)
        .collect();
    words.sort();
    words.dedup();
    anyhow::ensure!(!words.is_empty(), "no words to search for");
    Ok(words)
}

async fn time_queries(target: &Target, queries: &[String]) -> anyhow::Result<Samples> {
    let http = reqwest::Client::new();
    let mut samples = Samples::default();
    for q in queries {
        let url = format!("{}/api/v1/conversations?limit=50&{q}", target.base);
        let t0 = Instant::now();
        let resp = http.get(&url).bearer_auth(&target.token).send().await?;
        anyhow::ensure!(
            resp.status().is_success(),
            "{url} answered {}",
            resp.status()
        );
        resp.bytes().await?;
        samples.push(t0.elapsed());
    }
    Ok(samples)
}

/// Measures `n` filtered list queries and `n` text searches.
pub async fn run(target: &Target, store: &Store, n: usize) -> anyhow::Result<(Samples, Samples)> {
    let mut rng = ChaCha8Rng::seed_from_u64(7);
    let agents = store.agents().await?;
    let agent = agents
        .iter()
        .find(|a| a.role == crate::domain::Role::Agent)
        .map_or(1, |a| a.id);
    let team = store.teams().await?.first().map(|t| t.id);
    let combos = filter_queries(agent, team);
    let filters: Vec<String> = (0..n).map(|i| combos[i % combos.len()].clone()).collect();
    // Warm the caches as a running server's would be.
    time_queries(target, &combos).await?;
    let filter_samples = time_queries(target, &filters).await?;

    let words = search_words(store, &mut rng).await?;
    let searches: Vec<String> = (0..n)
        .map(|i| {
            let w = words.choose(&mut rng).map_or("order", String::as_str);
            match i % 4 {
                // As typed: a prefix of a word.
                0 => format!(
                    "q={}",
                    &w[..w.char_indices().nth(3).map_or(w.len(), |(b, _)| b)]
                ),
                1 => {
                    let other = words.choose(&mut rng).map_or("help", String::as_str);
                    format!("q={w}%20{other}")
                }
                2 => format!("q={w}&status=open"),
                _ => format!("q={w}"),
            }
        })
        .collect();
    let search_samples = time_queries(target, &searches).await?;
    Ok((filter_samples, search_samples))
}
