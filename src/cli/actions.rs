//! `frontdesk assign|status|close|reopen|label|snooze ID…`: change conversations named on
//! the command line or read from standard input (`--stdin`: ids, or NDJSON lines with an
//! `"id"` field as `frontdesk conversations --json` prints them).

use crate::api::ConversationPatch;
use crate::cli::desk::{Desk, LocalArgs, Target, is_fatal, with_desk};
use crate::cli::exit::{PartlyRefused, usage};
use crate::client::api::ClientError;
use crate::domain::{Conversation, Id, Status, Timestamp};
use std::io::Read;

/// Most bytes read from standard input for ids.
const MAX_STDIN_BYTES: u64 = 64 * 1024 * 1024;
/// Most conversations one command changes.
const MAX_IDS: usize = 100_000;

/// Where the ids come from and how the result is printed.
#[derive(Debug, Clone, clap::Args)]
pub struct Ids {
    /// Also read conversation ids from standard input: one or more per line, or NDJSON
    /// objects with an "id" field.
    #[arg(long)]
    pub stdin: bool,
    /// Print each updated conversation as one JSON object per line.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub local: LocalArgs,
}

/// `frontdesk close ID…`, `frontdesk reopen ID…`.
#[derive(Debug, Clone, clap::Args)]
pub struct PlainArgs {
    /// Conversation ids.
    pub ids: Vec<String>,
    #[command(flatten)]
    pub from: Ids,
}

/// `frontdesk assign ID… AGENT|--team T|--me|--nobody`.
#[derive(Debug, Clone, clap::Args)]
pub struct AssignArgs {
    /// Conversation ids, then the agent (id, email or name) unless --team, --me or --nobody.
    #[arg(value_name = "ID… AGENT")]
    pub args: Vec<String>,
    /// Hand the conversations to this team (id or name); the owner stays.
    #[arg(long, conflicts_with_all = ["me", "nobody"])]
    pub team: Option<String>,
    /// Assign them to the agent behind the token.
    #[arg(long, conflicts_with = "nobody")]
    pub me: bool,
    /// Leave them without an owner.
    #[arg(long)]
    pub nobody: bool,
    #[command(flatten)]
    pub from: Ids,
}

/// `frontdesk status ID… STATUS`, `frontdesk snooze ID… 4h`.
#[derive(Debug, Clone, clap::Args)]
pub struct ValueArgs {
    /// Conversation ids, then the value.
    #[arg(value_name = "ID… VALUE")]
    pub args: Vec<String>,
    #[command(flatten)]
    pub from: Ids,
}

/// `frontdesk label [OPTIONS] ID… +add -remove`: options go before the first label, since
/// `-spam` reads as a label, not an option.
#[derive(Debug, Clone, clap::Args)]
pub struct LabelArgs {
    /// Conversation ids, then labels to add (+vip) and remove (-spam).
    #[arg(value_name = "ID… ±LABEL", allow_hyphen_values = true)]
    pub args: Vec<String>,
    #[command(flatten)]
    pub from: Ids,
}

/// What to do to each conversation.
enum Change {
    Patch(ConversationPatch),
    /// Add and remove labels (read, changed and written back).
    Labels {
        add: Vec<String>,
        remove: Vec<String>,
    },
}

/// Runs `frontdesk close` (`Status::Closed`) or `frontdesk reopen` (`Status::WaitingOnUs`).
pub async fn set_status(args: PlainArgs, status: Status, target: Target) -> anyhow::Result<()> {
    let ids = ids(&args.ids, args.from.stdin)?;
    let change = Change::Patch(ConversationPatch {
        status: Some(status),
        ..Default::default()
    });
    apply(ids, change, args.from.json, target).await
}

/// Runs `frontdesk status ID… STATUS`.
pub async fn status(args: ValueArgs, target: Target) -> anyhow::Result<()> {
    let (ids, value) = split_last(&args.args, args.from.stdin, "STATUS")?;
    let status: Status = value.parse().map_err(|e| usage(format!("{e}")))?;
    let change = Change::Patch(ConversationPatch {
        status: Some(status),
        ..Default::default()
    });
    apply(ids, change, args.from.json, target).await
}

/// Runs `frontdesk snooze ID… FOR`.
pub async fn snooze(args: ValueArgs, target: Target) -> anyhow::Result<()> {
    let (ids, value) = split_last(&args.args, args.from.stdin, "DURATION")?;
    let until = snooze_until(&value, Timestamp::now())?;
    let change = Change::Patch(ConversationPatch {
        snoozed_until: Some(until),
        ..Default::default()
    });
    apply(ids, change, args.from.json, target).await
}

/// Runs `frontdesk label ID… +add -remove`.
pub async fn label(args: LabelArgs, target: Target) -> anyhow::Result<()> {
    let (mut add, mut remove, mut given) = (vec![], vec![], vec![]);
    let (mut stdin, mut json) = (args.from.stdin, args.from.json);
    for arg in &args.args {
        if arg == "--json" {
            json = true;
        } else if arg == "--stdin" {
            stdin = true;
        } else if arg.starts_with("--") {
            return Err(usage(format!(
                "{arg} after a label: put options first (frontdesk label [OPTIONS] ID… +add -remove)"
            )));
        } else if let Some(l) = arg.strip_prefix('+') {
            add.push(l.trim().to_string());
        } else if let Some(l) = arg.strip_prefix('-') {
            remove.push(l.trim().to_string());
        } else {
            given.push(arg.clone());
        }
    }
    if add.is_empty() && remove.is_empty() {
        return Err(usage("name labels to add (+vip) or remove (-spam)"));
    }
    if add.iter().chain(&remove).any(String::is_empty) {
        return Err(usage("a label after + or - may not be empty"));
    }
    let ids = ids(&given, stdin)?;
    apply(ids, Change::Labels { add, remove }, json, target).await
}

/// Runs `frontdesk assign`.
pub async fn assign(args: AssignArgs, target: Target) -> anyhow::Result<()> {
    let explicit = args.me || args.nobody || args.team.is_some();
    let (ids, agent) = if explicit {
        (ids(&args.args, args.from.stdin)?, None)
    } else {
        let (ids, agent) = split_last(&args.args, args.from.stdin, "AGENT")?;
        (ids, Some(agent))
    };
    let json = args.from.json;
    with_desk(target, async |desk: &Desk| {
        let mut patch = ConversationPatch::default();
        if let Some(agent) = &agent {
            patch.owner_id = Some(Some(desk.agent(agent).await?.id));
        }
        if args.me {
            patch.owner_id = Some(Some(desk.api.me().await?.id));
        }
        if args.nobody {
            patch.owner_id = Some(None);
        }
        if let Some(team) = &args.team {
            patch.team_id = Some(Some(desk.team(team).await?.id));
        }
        each(desk, &ids, &Change::Patch(patch), json).await
    })
    .await
}

async fn apply(ids: Vec<Id>, change: Change, json: bool, target: Target) -> anyhow::Result<()> {
    with_desk(target, async |desk: &Desk| {
        each(desk, &ids, &change, json).await
    })
    .await
}

/// Applies `change` to every conversation, printing each result; a refusal is reported and
/// the others go on, a lost desk stops at once.
async fn each(desk: &Desk, ids: &[Id], change: &Change, json: bool) -> anyhow::Result<()> {
    let names = crate::cli::conversations::agent_names(&desk.api.agents().await?);
    let mut failed = 0;
    for &id in ids {
        match one(desk, id, change).await {
            Ok(c) if json => crate::outln!("{}", serde_json::to_string(&c)?)?,
            Ok(c) => crate::outln!("{}", describe(&c, change, &names))?,
            Err(e) if is_fatal(&e) || ids.len() == 1 => {
                return Err(anyhow::Error::new(e).context(format!("#{id}")));
            }
            Err(e) => {
                failed += 1;
                eprintln!(
                    "frontdesk: #{id}: {}",
                    crate::tui::sanitize::sanitize_line(&e.to_string())
                );
            }
        }
    }
    if failed > 0 {
        return Err(PartlyRefused {
            failed,
            total: ids.len(),
        }
        .into());
    }
    Ok(())
}

async fn one(desk: &Desk, id: Id, change: &Change) -> Result<Conversation, ClientError> {
    let patch = match change {
        Change::Patch(patch) => patch.clone(),
        Change::Labels { add, remove } => {
            let mut labels = desk.api.conversation(id).await?.conversation.labels;
            labels.retain(|l| !remove.contains(l));
            labels.extend(
                add.iter()
                    .filter(|l| !labels.contains(l))
                    .cloned()
                    .collect::<Vec<_>>(),
            );
            ConversationPatch {
                labels: Some(labels),
                ..Default::default()
            }
        }
    };
    desk.api.patch_conversation(id, &patch).await
}

/// What changed on `c`, in one line: `#42: status closed`.
fn describe(
    c: &Conversation,
    change: &Change,
    names: &std::collections::HashMap<Id, String>,
) -> String {
    let mut parts = vec![];
    match change {
        Change::Labels { .. } => {
            let labels: Vec<_> = c
                .labels
                .iter()
                .map(|l| crate::tui::sanitize::sanitize_line(l))
                .collect();
            parts.push(format!("labels {}", labels.join(", ")));
        }
        Change::Patch(p) => {
            if p.status.is_some() {
                parts.push(format!("status {}", c.status.as_str()));
            }
            if p.owner_id.is_some() {
                let owner = match c.owner_id {
                    Some(id) => names.get(&id).cloned().unwrap_or_else(|| format!("#{id}")),
                    None => "nobody".into(),
                };
                parts.push(format!("owner {owner}"));
            }
            if p.team_id.is_some() {
                let team = c.team_id.map_or("none".into(), |t| t.to_string());
                parts.push(format!("team {team}"));
            }
            if p.snoozed_until.is_some() {
                parts.push(match c.snoozed_until {
                    Some(t) => format!("snoozed until {t}"),
                    None => "awake".into(),
                });
            }
        }
    }
    format!("#{}: {}", c.id, parts.join(", "))
}

/// The ids among `args` and the value after them.
fn split_last(args: &[String], stdin: bool, what: &str) -> anyhow::Result<(Vec<Id>, String)> {
    let Some((value, ids_given)) = args.split_last() else {
        return Err(usage(format!("missing {what}")));
    };
    Ok((ids(ids_given, stdin)?, value.clone()))
}

/// The ids on the command line, then those on standard input with `--stdin`; at least one.
fn ids(args: &[String], stdin: bool) -> anyhow::Result<Vec<Id>> {
    let mut ids = args
        .iter()
        .map(|a| parse_id(a).ok_or_else(|| usage(format!("{a:?} is not a conversation id"))))
        .collect::<anyhow::Result<Vec<_>>>()?;
    if stdin {
        let mut text = String::new();
        std::io::stdin()
            .lock()
            .take(MAX_STDIN_BYTES)
            .read_to_string(&mut text)
            .map_err(|e| usage(format!("standard input: {e}")))?;
        ids.extend(ids_in(&text)?);
    }
    if ids.is_empty() {
        return Err(usage("no conversation ids: name them or pass --stdin"));
    }
    if ids.len() > MAX_IDS {
        return Err(usage(format!("more than {MAX_IDS} conversations at once")));
    }
    Ok(ids)
}

/// Ids from text: NDJSON lines with an `"id"`, or ids separated by blanks.
fn ids_in(text: &str) -> anyhow::Result<Vec<Id>> {
    let mut ids = vec![];
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        let bad = || usage(format!("standard input line {}: no conversation id", n + 1));
        if line.starts_with('{') {
            let value: serde_json::Value = serde_json::from_str(line).map_err(|_| bad())?;
            let id = match &value["id"] {
                serde_json::Value::Number(n) => n.as_i64(),
                serde_json::Value::String(s) => parse_id(s),
                _ => None,
            };
            ids.push(id.filter(|id| *id > 0).ok_or_else(bad)?);
        } else {
            for word in line.split_whitespace() {
                ids.push(parse_id(word).ok_or_else(bad)?);
            }
        }
    }
    Ok(ids)
}

/// `42` or `#42`.
fn parse_id(text: &str) -> Option<Id> {
    let id: Id = text.trim().trim_start_matches('#').parse().ok()?;
    (id > 0).then_some(id)
}

/// When a snooze of `text` (`30m`, `4h`, `2d`, `1w`, an RFC 3339 time, or `off`) ends.
fn snooze_until(text: &str, now: Timestamp) -> anyhow::Result<Option<Timestamp>> {
    const MINUTE: i64 = 60_000;
    if matches!(text, "off" | "wake" | "now") {
        return Ok(None);
    }
    if let Ok(at) = Timestamp::parse(text) {
        return Ok(Some(at));
    }
    let bad = || {
        usage(format!(
            "{text:?} is not a duration (30m, 4h, 2d, 1w), a time or off"
        ))
    };
    let split = text.find(|c: char| !c.is_ascii_digit()).ok_or_else(bad)?;
    let (number, unit) = text.split_at(split);
    let n: i64 = number.parse().map_err(|_| bad())?;
    let unit = match unit {
        "m" => MINUTE,
        "h" => 60 * MINUTE,
        "d" => 24 * 60 * MINUTE,
        "w" => 7 * 24 * 60 * MINUTE,
        _ => return Err(bad()),
    };
    let ms = n
        .checked_mul(unit)
        .filter(|ms| *ms > 0 && *ms <= 3650 * 24 * 60 * MINUTE)
        .ok_or_else(bad)?;
    Ok(Some(Timestamp(now.0 + ms)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_come_from_ndjson_lines_or_plain_words() {
        let text = "{\"id\": 4, \"subject\": \"x\"}\n\n7 #9\n{\"id\":\"12\"}\n";
        assert_eq!(ids_in(text).unwrap(), vec![4, 7, 9, 12]);
        assert!(ids_in("{\"subject\": 1}").is_err());
        assert!(ids_in("abc").is_err());
        assert!(ids_in("-3").is_err());
    }

    #[test]
    fn snoozes_take_durations_times_and_off() {
        let now = Timestamp(1_000_000);
        assert_eq!(
            snooze_until("4h", now).unwrap(),
            Some(Timestamp(1_000_000 + 4 * 3_600_000))
        );
        assert_eq!(snooze_until("off", now).unwrap(), None);
        assert_eq!(
            snooze_until("2026-01-02T03:04:05.678Z", now).unwrap(),
            Some(Timestamp(1_767_323_045_678))
        );
        for bad in ["4", "h", "4y", "0m", "99999999999w"] {
            assert!(snooze_until(bad, now).is_err(), "{bad}");
        }
    }
}
