//! The event loop: keys, live events and answers in; one `update` each; draw once per burst.

use super::app::{App, BellPolicy, Delivery, Effect, ListRequest, Msg, Outgoing, Slot};
use super::keymap::Keymap;
use super::sanitize::sanitize_line;
use super::sends::{self, Reply};
use super::theme::Theme;
use super::views;
use crate::client::api::{Api, ClientError, ListQuery};
use crate::client::download::{downloads_dir, save_attachment};
use crate::client::drafts::Drafts;
use crate::client::events::{self, Live};
use crate::client::outbox::{self, Extras, Outbox, OutboxPlace};
use crate::client::tls::Trust;
use crate::domain::Timestamp;
use crossterm::event::{
    DisableBracketedPaste, DisableMouseCapture, EnableBracketedPaste, EnableMouseCapture,
    Event as TermEvent, EventStream, KeyEventKind, MouseEvent, MouseEventKind,
};
use futures_util::StreamExt;
use std::collections::HashMap;
use std::io::Write;
use tokio::sync::mpsc;
use tokio::task::AbortHandle;

/// Most messages handled before the screen is drawn again.
const BURST: usize = 256;

/// Where the client talks to, and how it looks.
pub struct Session {
    pub base_url: String,
    pub token: String,
    /// Which server certificates to accept.
    pub trust: Trust,
    pub outbox: OutboxPlace,
    pub theme: Theme,
    pub keymap: Keymap,
    /// Which activity rings the terminal bell.
    pub bell: BellPolicy,
    /// Also send a desktop notification escape (OSC 9) with who wrote and about what.
    pub notify: bool,
    /// Clicks and the wheel; off leaves the mouse to the terminal.
    pub mouse: bool,
    /// Snippets for the reply editor.
    pub canned: Vec<super::canned::Canned>,
}

/// How long activity settles before the views are counted again during a burst.
const COUNT_DELAY: std::time::Duration = std::time::Duration::from_millis(500);

/// Converts the list request of the app into the API's query.
pub(crate) fn query(r: &ListRequest) -> ListQuery {
    ListQuery {
        status: r.status.clone(),
        assignee: r.assignee.clone(),
        channel: r.channel.clone(),
        priority: r.priority.clone(),
        team: r.team.clone(),
        q: r.q.clone(),
        cursor: r.cursor.clone(),
        limit: Some(super::app::PAGE),
        ..ListQuery::default()
    }
}

/// Conversations with unseen mentions fetched at start.
const MENTIONS: usize = 50;

/// Replies listed by the outbox menu (`O`).
const OUTBOX: usize = 100;

/// Runs the client until the agent quits. The terminal is restored on every exit path.
pub async fn run(session: Session) -> anyhow::Result<()> {
    let api = Api::with_trust(&session.base_url, &session.token, &session.trust)?;
    // Fail before touching the terminal: a wrong URL, token or certificate is a plain error
    // message.
    let me = api.me().await.map_err(|e| match e {
        ClientError::Tls(_) => {
            anyhow::anyhow!("{e}; if the desk has its own CA, trust it with --ca-cert FILE")
        }
        e => e.into(),
    })?;
    let agents = api.agents().await?;
    let teams = api.teams().await?;
    let channels = api.channels().await?;
    let mut app = App::new(me, agents, session.keymap);
    app.teams = teams;
    app.channels = channels;
    app.canned = session.canned;
    // The desk's shared replies, when the server keeps them (older servers do not).
    for reply in api.canned().await.unwrap_or_default() {
        app.share_canned(reply);
    }
    // Notifications follow the bell's policy; with the bell off they still come for mine.
    app.bell = match (session.bell, session.notify) {
        (BellPolicy::Off, true) => BellPolicy::Mine,
        (policy, _) => policy,
    };
    let audible = session.bell != BellPolicy::Off;
    let first = api.conversations(&query(&app.list.request())).await?;
    let desk_id = api.desk().await?.id;
    let outbox = Outbox::open(&session.outbox.resolve(&desk_id)?)?;
    // Drafts written before (a quit, a crash) come back with their conversations.
    let drafts = Drafts::beside(&session.outbox, &desk_id)?;
    for (id, text) in drafts.load()? {
        app.set_draft(id, &text);
    }

    let (tx, mut rx) = mpsc::unbounded_channel::<Msg>();
    let (mut live, _live_task, mut presence) =
        events::spawn_with_presence(&session.base_url, &session.token, first.seq, &session.trust);
    let (nudge, mut outbox_updates, _sender) = outbox::spawn_sender(outbox.clone(), api.clone());
    let lane = sends::spawn(api.clone(), outbox.clone(), nudge, tx.clone());
    let mut jobs = Jobs::default();
    for effect in app.start() {
        match effect {
            // The first page is in hand already: answer its request with it.
            Effect::FetchList {
                generation, append, ..
            } => {
                app.update_at(
                    Msg::List {
                        page: first.clone(),
                        append,
                        generation,
                    },
                    Timestamp::now().millis(),
                );
            }
            Effect::SaveDraft {
                conversation_id,
                text,
            } => keep_draft(&drafts, conversation_id, &text, &tx),
            other => run_effect(other, &api, &lane, &tx, &mut jobs),
        }
    }

    let mut terminal = init(session.mouse);
    app.update(Msg::Resize {
        list_rows: list_rows(terminal.size()?.height),
    });
    let result = async {
        let mut keys = EventStream::new();
        let mut dirty = true;
        // When the screen next changes on its own (an age, a notice fading): a tick then.
        let mut wake: Option<i64> = None;
        loop {
            if dirty {
                let now = Timestamp::now().millis();
                let mut drawn = views::Drawn::default();
                terminal.draw(|f| drawn = views::draw(f, &app, &session.theme, now))?;
                wake = [drawn.next_change, app.next_change()]
                    .into_iter()
                    .flatten()
                    .min();
                app.drawn(drawn);
                dirty = false;
            }
            let tick = async {
                match wake {
                    Some(at) => {
                        let ms = (at - Timestamp::now().millis()).max(0) as u64;
                        tokio::time::sleep(std::time::Duration::from_millis(ms)).await
                    }
                    None => std::future::pending().await,
                }
            };
            let mut batch = Vec::new();
            tokio::select! {
                () = tick => {
                    wake = None;
                    batch.push(Msg::Tick);
                }
                key = keys.next() => match key {
                    Some(Ok(TermEvent::Key(k))) if k.kind != KeyEventKind::Release => {
                        batch.push(Msg::Key(k))
                    }
                    Some(Ok(TermEvent::Paste(text))) => batch.push(Msg::Paste(text)),
                    Some(Ok(TermEvent::Mouse(m))) if matters(&m) => batch.push(Msg::Mouse(m)),
                    Some(Ok(TermEvent::Resize(_, height))) => {
                        batch.push(Msg::Resize { list_rows: list_rows(height) })
                    }
                    Some(Ok(_)) => {}
                    // The terminal is gone (an SSH session dropped): stop; the outbox keeps
                    // unsent replies for the next start.
                    Some(Err(_)) | None => return anyhow::Ok(()),
                },
                Some(l) = live.recv() => batch.push(match l {
                    Live::Event(e) => Msg::Live(e),
                    Live::Status(c) => Msg::Connection(c),
                    Live::Reset => Msg::Reset,
                }),
                Some(m) = rx.recv() => batch.push(m),
                Some(u) = outbox_updates.recv() => batch.push(Msg::Outbox(u)),
                Some(p) = presence.frames.recv() => batch.push(Msg::Presence(p)),
            }
            // Drain what else is already waiting, then draw once.
            while batch.len() < BURST {
                match live.try_recv() {
                    Ok(Live::Event(e)) => batch.push(Msg::Live(e)),
                    Ok(Live::Status(c)) => batch.push(Msg::Connection(c)),
                    Ok(Live::Reset) => batch.push(Msg::Reset),
                    Err(_) => break,
                }
            }
            while let Ok(m) = rx.try_recv() {
                batch.push(m);
            }
            // Keys already waiting join the burst, so fast typing draws once.
            while batch.len() < BURST
                && crossterm::event::poll(std::time::Duration::ZERO).unwrap_or(false)
            {
                match keys.next().await {
                    Some(Ok(TermEvent::Key(k))) if k.kind != KeyEventKind::Release => {
                        batch.push(Msg::Key(k))
                    }
                    Some(Ok(TermEvent::Paste(text))) => batch.push(Msg::Paste(text)),
                    Some(Ok(TermEvent::Mouse(m))) if matters(&m) => batch.push(Msg::Mouse(m)),
                    Some(Ok(TermEvent::Resize(_, height))) => batch.push(Msg::Resize {
                        list_rows: list_rows(height),
                    }),
                    Some(Ok(_)) => {}
                    Some(Err(_)) | None => return anyhow::Ok(()),
                }
            }
            for msg in batch {
                dirty = true;
                for effect in app.update_at(msg, Timestamp::now().millis()) {
                    match effect {
                        Effect::Bell { title } => ring(&title, audible, session.notify),
                        Effect::Composing {
                            conversation_id,
                            composing,
                        } => {
                            presence.composing(conversation_id, composing);
                        }
                        Effect::Edit {
                            conversation_id,
                            draft,
                        } => {
                            // The key reader must let go of the terminal while the editor runs.
                            drop(keys);
                            restore(session.mouse);
                            let edited = edit(&draft);
                            // A fresh alternate screen and terminal: the next draw paints it all.
                            terminal = init(session.mouse);
                            keys = EventStream::new();
                            let _ = tx.send(match edited {
                                Ok(text) => Msg::Edited {
                                    conversation_id,
                                    text,
                                },
                                Err(e) => Msg::Failed(format!("$EDITOR: {e}")),
                            });
                        }
                        Effect::SaveDraft {
                            conversation_id,
                            text,
                        } => keep_draft(&drafts, conversation_id, &text, &tx),
                        other => run_effect(other, &api, &lane, &tx, &mut jobs),
                    }
                }
            }
            if app.quit {
                return anyhow::Ok(());
            }
        }
    }
    .await;
    restore(session.mouse);
    result
}

/// Takes the terminal: raw mode, the alternate screen, and mouse reports when asked. A panic
/// gives it all back before the message is printed.
fn init(mouse: bool) -> ratatui::DefaultTerminal {
    let terminal = ratatui::init();
    let _ = crossterm::execute!(std::io::stdout(), EnableBracketedPaste);
    if mouse {
        let hook = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let _ = crossterm::execute!(std::io::stdout(), DisableMouseCapture);
            hook(info);
        }));
        let _ = crossterm::execute!(std::io::stdout(), EnableMouseCapture);
    }
    terminal
}

/// Gives the terminal back as it was.
fn restore(mouse: bool) {
    if mouse {
        let _ = crossterm::execute!(std::io::stdout(), DisableMouseCapture);
        let _ = std::panic::take_hook();
    }
    let _ = crossterm::execute!(std::io::stdout(), DisableBracketedPaste);
    ratatui::restore();
}

/// Mouse reports the client acts on: clicks and the wheel, not moves, drags or releases.
fn matters(m: &MouseEvent) -> bool {
    matches!(
        m.kind,
        MouseEventKind::Down(_) | MouseEventKind::ScrollUp | MouseEventKind::ScrollDown
    )
}

/// Runs `$VISUAL` or `$EDITOR` (else `vi`) on a private temporary file holding `draft` and a
/// final newline; returns the file's text, less that newline, once the editor exits
/// successfully.
fn edit(draft: &str) -> anyhow::Result<String> {
    let editor = std::env::var("VISUAL")
        .or_else(|_| std::env::var("EDITOR"))
        .unwrap_or_else(|_| "vi".into());
    let file = tempfile::Builder::new()
        .prefix("frontdesk-reply-")
        .suffix(".txt")
        .tempfile()?;
    // Text files end with a newline: an editor that appends a line then starts a new one,
    // and the one newline is taken off again below, so the draft round-trips exactly.
    std::fs::write(file.path(), format!("{draft}\n"))?;
    // Through the shell, so EDITOR may carry arguments ("code --wait").
    let status = std::process::Command::new("sh")
        .arg("-c")
        .arg(format!("{editor} \"$1\""))
        .arg("sh")
        .arg(file.path())
        .status()?;
    anyhow::ensure!(
        status.success(),
        "{editor} exited with {status}; the draft is unchanged"
    );
    let text = std::fs::read_to_string(file.path())?;
    Ok(text.strip_suffix('\n').unwrap_or(&text).to_string())
}

/// The bell and, when asked for, a desktop notification. The title is customer text: it goes
/// through the sanitiser, so it cannot end the escape early or smuggle another one in.
fn ring(title: &str, bell: bool, notify: bool) {
    let mut out = Vec::new();
    if bell {
        out.push(0x07);
    }
    if notify {
        let title: String = sanitize_line(title).chars().take(200).collect();
        out.extend_from_slice(format!("\x1b]9;{title}\x07").as_bytes());
    }
    let mut stdout = std::io::stdout();
    let _ = stdout.write_all(&out).and_then(|_| stdout.flush());
}

/// List rows on a terminal `height` rows tall: less the status bar, the pane's borders, the
/// view tabs and the filter line.
fn list_rows(height: u16) -> usize {
    usize::from(height.saturating_sub(5)).max(1)
}

/// The request in flight per slot; a newer one for the slot cancels it.
#[derive(Default)]
struct Jobs(HashMap<Slot, AbortHandle>);

impl Jobs {
    /// Records `job` as the latest for `slot`, cancelling the one it supersedes.
    fn replace(&mut self, slot: Slot, job: AbortHandle) {
        if let Some(old) = self.0.insert(slot, job) {
            old.abort();
        }
    }
}

/// Writes a draft to disk at once (a small file, no fsync): a failure is shown, not fatal.
fn keep_draft(drafts: &Drafts, id: crate::domain::Id, text: &str, tx: &mpsc::UnboundedSender<Msg>) {
    if let Err(e) = drafts.save(id, text) {
        let _ = tx.send(Msg::Failed(format!("could not keep the draft: {e}")));
    }
}

/// Starts one effect; its answer comes back as a `Msg`.
fn run_effect(
    effect: Effect,
    api: &Api,
    lane: &mpsc::UnboundedSender<Reply>,
    tx: &mpsc::UnboundedSender<Msg>,
    jobs: &mut Jobs,
) {
    let (api, tx) = (api.clone(), tx.clone());
    let slot = effect.slot();
    match effect {
        Effect::Quit
        | Effect::Bell { .. }
        | Effect::Edit { .. }
        | Effect::SaveDraft { .. }
        | Effect::Composing { .. } => {}
        Effect::Send {
            conversation_id,
            body,
            internal,
            channel_id,
            attachments,
            mentions,
            email,
        } => {
            let extras = Extras {
                channel_id,
                mentions,
                email,
                ..Extras::default()
            };
            let outgoing = Outgoing {
                client_id: String::new(),
                conversation_id,
                body,
                internal,
                delivery: Delivery::Sending,
            };
            let _ = lane.send(Reply {
                outgoing,
                extras,
                files: attachments,
            });
        }
        other => {
            let job = tokio::spawn(async move {
                match fetch(&api, other).await {
                    Ok(Some(msg)) => {
                        let _ = tx.send(msg);
                    }
                    Ok(None) => {}
                    Err(e) => {
                        let error = e.to_string();
                        let _ = tx.send(match slot {
                            Some((slot, generation)) => Msg::FetchFailed {
                                slot,
                                generation,
                                error,
                            },
                            None => Msg::Failed(error),
                        });
                    }
                }
            });
            if let Some((slot, _)) = slot {
                jobs.replace(slot, job.abort_handle());
            }
        }
    }
}

/// How long an opener has to fail before the file counts as opened (openers that hand the
/// file to a desktop program return at once; some stay until the program closes).
const OPENER_GRACE: std::time::Duration = std::time::Duration::from_secs(2);

/// Opens `path` with `FRONTDESK_OPENER`, else the desktop's opener, detached from the
/// terminal so it cannot write over the screen. An opener that is missing or fails at once
/// is an error naming it.
async fn open_file(path: &std::path::Path) -> anyhow::Result<()> {
    let opener = std::env::var("FRONTDESK_OPENER").unwrap_or_else(|_| {
        if cfg!(target_os = "macos") {
            "open".into()
        } else {
            "xdg-open".into()
        }
    });
    let mut child = tokio::process::Command::new("sh")
        .arg("-c")
        .arg(format!("{opener} \"$1\""))
        .arg("sh")
        .arg(path)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()?;
    match tokio::time::timeout(OPENER_GRACE, child.wait()).await {
        Ok(status) => {
            let status = status?;
            match status.code() {
                Some(0) => Ok(()),
                Some(127) => anyhow::bail!("{opener} is not installed (set FRONTDESK_OPENER)"),
                _ => anyhow::bail!("{opener} failed ({status})"),
            }
        }
        Err(_) => {
            tokio::spawn(async move { child.wait().await });
            Ok(())
        }
    }
}

/// Runs a request effect against the API; `None` when there is nothing to report.
async fn fetch(api: &Api, effect: Effect) -> anyhow::Result<Option<Msg>> {
    Ok(Some(match effect {
        Effect::FetchList {
            request,
            append,
            generation,
        } => Msg::List {
            page: api.conversations(&query(&request)).await?,
            append,
            generation,
        },
        Effect::FetchConversation { id, generation } => Msg::Conversation {
            detail: api.conversation(id).await?,
            generation,
        },
        Effect::FetchOlder {
            id,
            before,
            generation,
        } => {
            let page = api.messages(id, Some(before), 50).await?;
            Msg::Older {
                id,
                messages: page.items,
                has_older: page.has_older,
                generation,
            }
        }
        Effect::FetchContact { id, generation } => Msg::Contact {
            detail: api.contact(id).await?,
            generation,
        },
        Effect::FetchLabels => Msg::Labels(api.labels().await?),
        Effect::FetchMentions => Msg::Mentions(api.mentions(MENTIONS).await?),
        Effect::FetchOutbox => Msg::OutboxPage(api.outbox(None, OUTBOX).await?),
        Effect::RetryMessage {
            conversation_id,
            message_id,
        } => Msg::MessageChanged(api.retry_message(conversation_id, message_id).await?),
        Effect::DiscardMessage {
            conversation_id,
            message_id,
        } => Msg::MessageChanged(api.discard_message(conversation_id, message_id).await?),
        Effect::FetchReplyChannels { conversation_id } => {
            Msg::ReplyChannels(api.reply_channels(conversation_id).await?)
        }
        Effect::ListDir { dir } => {
            let raw = dir.clone();
            let entries =
                tokio::task::spawn_blocking(move || crate::tui::paths::list(&raw)).await?;
            Msg::Listing(crate::tui::app::Listing { dir, entries })
        }
        Effect::Patch { id, patch, batch } => match api.patch_conversation(id, &patch).await {
            Ok(conversation) => Msg::Updated {
                conversation,
                batch,
            },
            Err(e) => Msg::PatchFailed {
                id,
                error: e.to_string(),
                batch,
            },
        },
        Effect::MarkRead(id) => {
            api.mark_read(id).await?;
            return Ok(None);
        }
        Effect::SetAvailable(available) => Msg::Agent(api.set_available(available).await?),
        Effect::SaveAttachment { url, name, open } => {
            let path = save_attachment(api, &url, &name, &downloads_dir()).await?;
            if !open {
                return Ok(Some(Msg::Notice(format!("saved to {}", path.display()))));
            }
            match open_file(&path).await {
                Ok(()) => Msg::Notice(format!("opened {}", path.display())),
                Err(e) => Msg::Failed(format!(
                    "saved to {}, but nothing could open it: {e}",
                    path.display()
                )),
            }
        }
        Effect::FetchCounts {
            requests,
            delay,
            generation,
        } => {
            if delay {
                tokio::time::sleep(COUNT_DELAY).await;
            }
            let counts = futures_util::future::join_all(requests.iter().map(|r| {
                let mut q = query(r);
                q.limit = None;
                async move { api.count(&q).await.map(|c| c.count) }
            }))
            .await
            .into_iter()
            .collect::<Result<Vec<_>, _>>()
            .ok();
            Msg::Counts { counts, generation }
        }
        Effect::Send { .. }
        | Effect::Composing { .. }
        | Effect::Bell { .. }
        | Effect::Edit { .. }
        | Effect::SaveDraft { .. }
        | Effect::Quit => {
            return Ok(None);
        }
    }))
}
