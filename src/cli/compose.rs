//! `frontdesk reply ID` and `frontdesk note ID`: a message from `--body`, `--body-file` or
//! standard input, sent with a `client_id` so that running the same command again with the
//! same `--client-id` stores nothing twice.

use crate::api::{MAX_REPLY_BYTES, MAX_REPLY_FILES, NewMessage, ReplyAttachment};
use crate::cli::desk::{Desk, LocalArgs, Target, with_desk};
use crate::cli::exit::usage;
use crate::domain::{Id, Message};
use std::io::{IsTerminal, Read};
use std::path::{Path, PathBuf};

/// The largest body read from a file or standard input, in bytes (the server's default
/// request limit).
const MAX_BODY_BYTES: u64 = 1024 * 1024;

/// `frontdesk reply` and `frontdesk note`.
#[derive(Debug, Clone, clap::Args)]
pub struct ComposeArgs {
    /// The conversation's id.
    pub id: Id,
    /// The text; without --body or --body-file it is read from standard input.
    #[arg(long, conflicts_with = "body_file")]
    pub body: Option<String>,
    /// Read the text from FILE (`-` for standard input).
    #[arg(long, value_name = "FILE", value_hint = clap::ValueHint::FilePath)]
    pub body_file: Option<PathBuf>,
    /// Idempotency key: the same key again sends nothing new and prints the first message.
    /// Generated (and printed) when absent.
    #[arg(long)]
    pub client_id: Option<String>,
    /// Reply on this channel instead of the conversation's own.
    #[arg(long)]
    pub channel: Option<Id>,
    /// Attach FILE (again for more: at most 10 files, 25 MiB in all). With files the text
    /// may be left out.
    #[arg(long, value_name = "FILE", value_hint = clap::ValueHint::FilePath)]
    pub attach: Vec<PathBuf>,
    /// Print the stored message as JSON.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub local: LocalArgs,
}

/// Runs `frontdesk reply` (`internal` false) or `frontdesk note` (true).
pub async fn run(args: ComposeArgs, internal: bool, target: Target) -> anyhow::Result<()> {
    check_files(&args.attach)?;
    let body = body(&args)?;
    let client_id = match args.client_id {
        Some(id) if id.trim().is_empty() || id.len() > 128 => {
            return Err(usage("--client-id must be 1 to 128 bytes"));
        }
        Some(id) => id,
        None => format!("cli-{:032x}", rand::random::<u128>()),
    };
    let message = NewMessage {
        body,
        internal,
        client_id,
        channel_id: args.channel,
        ..NewMessage::default()
    };
    let (stored, created) = with_desk(target, async |desk: &Desk| {
        let mut message = message;
        for path in &args.attach {
            let file = desk.api.upload_path(path).await?;
            message.attachments.push(ReplyAttachment {
                url: file.url,
                name: file.name,
                mime_type: Some(file.mime_type),
                kind: Some(file.kind),
                size: Some(file.size),
            });
        }
        Ok(desk.api.post_message(args.id, &message).await?)
    })
    .await?;
    if args.json {
        crate::outln!("{}", serde_json::to_string(&stored)?)
    } else {
        crate::outln!("{}", summary(&stored, internal, created))
    }
}

/// `replied to #42: message 310 (client id cli-…)`.
fn summary(m: &Message, internal: bool, created: bool) -> String {
    let what = match (internal, created) {
        (false, true) => "replied to",
        (true, true) => "noted on",
        (false, false) => "already replied to",
        (true, false) => "already noted on",
    };
    format!(
        "{what} #{}: message {} (client id {})",
        m.conversation_id,
        m.id,
        m.client_id.as_deref().unwrap_or("-")
    )
}

/// Refuses, before anything is uploaded, files that are missing or over the reply limits.
fn check_files(paths: &[PathBuf]) -> anyhow::Result<()> {
    if paths.len() > MAX_REPLY_FILES {
        return Err(usage(format!(
            "a reply carries at most {MAX_REPLY_FILES} files; --attach names {}",
            paths.len()
        )));
    }
    let mut total: u64 = 0;
    for path in paths {
        let meta = std::fs::metadata(path)
            .map_err(|e| usage(format!("--attach {}: {e}", path.display())))?;
        if !meta.is_file() {
            return Err(usage(format!("--attach {}: not a file", path.display())));
        }
        total += meta.len();
    }
    if total > MAX_REPLY_BYTES as u64 {
        return Err(usage(format!(
            "a reply's files may weigh {} MiB together; these weigh {total} bytes",
            MAX_REPLY_BYTES / (1024 * 1024)
        )));
    }
    Ok(())
}

/// The message text from `--body`, `--body-file` or standard input; never empty unless
/// files are attached.
fn body(args: &ComposeArgs) -> anyhow::Result<String> {
    let files = !args.attach.is_empty();
    let text = match (&args.body, &args.body_file) {
        (Some(body), _) => body.clone(),
        (None, Some(path)) if path == Path::new("-") => read_stdin()?,
        (None, Some(path)) => {
            let file = std::fs::File::open(path)
                .map_err(|e| usage(format!("--body-file {}: {e}", path.display())))?;
            read_bounded(file, &format!("--body-file {}", path.display()))?
        }
        (None, None) if files && std::io::stdin().is_terminal() => String::new(),
        (None, None) if std::io::stdin().is_terminal() => {
            return Err(usage(
                "no text: give --body, --body-file, or pipe it to standard input",
            ));
        }
        (None, None) => read_stdin()?,
    };
    if text.trim().is_empty() && !files {
        return Err(usage("the message is empty"));
    }
    Ok(text)
}

fn read_stdin() -> anyhow::Result<String> {
    read_bounded(std::io::stdin().lock(), "standard input")
}

/// Reads UTF-8 text of at most [`MAX_BODY_BYTES`] from `from`.
fn read_bounded(from: impl Read, what: &str) -> anyhow::Result<String> {
    let mut bytes = Vec::new();
    from.take(MAX_BODY_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| usage(format!("{what}: {e}")))?;
    if bytes.len() as u64 > MAX_BODY_BYTES {
        return Err(usage(format!(
            "{what}: the message is over {MAX_BODY_BYTES} bytes"
        )));
    }
    String::from_utf8(bytes).map_err(|_| usage(format!("{what} is not UTF-8 text")))
}
