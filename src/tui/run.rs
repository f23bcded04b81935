//! The event loop: keys, live events and answers in; one `update` each; draw once per burst.

use super::app::{App, Delivery, Effect, ListRequest, Msg, Outgoing};
use super::keymap::Keymap;
use super::sanitize::sanitize_line;
use super::theme::Theme;
use super::views;
use crate::client::api::{Api, ClientError, ListQuery};
use crate::client::download::{downloads_dir, save_attachment};
use crate::client::events::{self, Live};
use crate::client::outbox::{self, Outbox, OutboxPlace};
use crate::client::tls::Trust;
use crossterm::event::{
    DisableMouseCapture, EnableMouseCapture, Event as TermEvent, EventStream, KeyEventKind,
    MouseEvent, MouseEventKind,
};
use futures_util::StreamExt;
use std::io::Write;
use tokio::sync::mpsc;

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
    /// Ring the terminal bell on new activity for me.
    pub bell: bool,
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
    app.bell = session.bell || session.notify;
    let first = api.conversations(&query(&app.request())).await?;
    let outbox = Outbox::open(&session.outbox.resolve(&api.desk().await?.id)?)?;

    let (tx, mut rx) = mpsc::unbounded_channel::<Msg>();
    let (mut live, _live_task) =
        events::spawn_trusting(&session.base_url, &session.token, first.seq, &session.trust);
    let (nudge, mut outbox_updates, _sender) = outbox::spawn_sender(outbox.clone(), api.clone());
    app.update(Msg::List {
        page: first,
        append: false,
    });
    if let Some(effect) = app.count_views(false) {
        run_effect(effect, &api, &outbox, &nudge, &tx);
    }

    let mut terminal = init(session.mouse);
    app.update(Msg::Resize {
        list_rows: list_rows(terminal.size()?.height),
    });
    let result = async {
        let mut keys = EventStream::new();
        let mut dirty = true;
        loop {
            if dirty {
                let mut drawn = views::Drawn::default();
                terminal.draw(|f| drawn = views::draw(f, &app, &session.theme))?;
                app.drawn(drawn);
                dirty = false;
            }
            let mut batch = Vec::new();
            tokio::select! {
                key = keys.next() => match key {
                    Some(Ok(TermEvent::Key(k))) if k.kind != KeyEventKind::Release => {
                        batch.push(Msg::Key(k))
                    }
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
            for msg in batch {
                dirty = true;
                for effect in app.update(msg) {
                    match effect {
                        Effect::Bell { title } => ring(&title, session.bell, session.notify),
                        Effect::Edit { draft } => {
                            // The key reader must let go of the terminal while the editor runs.
                            drop(keys);
                            restore(session.mouse);
                            let edited = edit(&draft);
                            // A fresh alternate screen and terminal: the next draw paints it all.
                            terminal = init(session.mouse);
                            keys = EventStream::new();
                            let _ = tx.send(match edited {
                                Ok(text) => Msg::Edited(text),
                                Err(e) => Msg::Failed(format!("$EDITOR: {e}")),
                            });
                        }
                        other => run_effect(other, &api, &outbox, &nudge, &tx),
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
    ratatui::restore();
}

/// Mouse reports the client acts on: clicks and the wheel, not moves, drags or releases.
fn matters(m: &MouseEvent) -> bool {
    matches!(
        m.kind,
        MouseEventKind::Down(_) | MouseEventKind::ScrollUp | MouseEventKind::ScrollDown
    )
}

/// Runs `$VISUAL` or `$EDITOR` (else `vi`) on a private temporary file holding `draft`;
/// returns the file's text once the editor exits successfully.
fn edit(draft: &str) -> anyhow::Result<String> {
    let editor = std::env::var("VISUAL")
        .or_else(|_| std::env::var("EDITOR"))
        .unwrap_or_else(|_| "vi".into());
    let file = tempfile::Builder::new()
        .prefix("frontdesk-reply-")
        .suffix(".txt")
        .tempfile()?;
    std::fs::write(file.path(), draft)?;
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
    Ok(std::fs::read_to_string(file.path())?)
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

/// Starts one effect; its answer comes back as a `Msg`.
fn run_effect(
    effect: Effect,
    api: &Api,
    outbox: &Outbox,
    nudge: &mpsc::UnboundedSender<()>,
    tx: &mpsc::UnboundedSender<Msg>,
) {
    let (api, tx) = (api.clone(), tx.clone());
    match effect {
        Effect::Quit | Effect::Bell { .. } | Effect::Edit { .. } => {}
        Effect::Send {
            conversation_id,
            body,
            internal,
            channel_id,
        } => match outbox.enqueue(conversation_id, &body, internal, channel_id) {
            Ok(entry) => {
                let _ = tx.send(Msg::Queued(Outgoing {
                    client_id: entry.client_id,
                    conversation_id,
                    body,
                    internal,
                    delivery: Delivery::Sending,
                }));
                let _ = nudge.send(());
            }
            Err(e) => {
                let _ = tx.send(Msg::Failed(format!("could not save the reply: {e}")));
            }
        },
        other => {
            tokio::spawn(async move {
                match fetch(&api, other).await {
                    Ok(Some(msg)) => {
                        let _ = tx.send(msg);
                    }
                    Ok(None) => {}
                    Err(e) => {
                        let _ = tx.send(Msg::Failed(e.to_string()));
                    }
                }
            });
        }
    }
}

/// Opens `path` with `FRONTDESK_OPENER`, else the desktop's opener, detached from the
/// terminal so it cannot write over the screen.
fn open_file(path: &std::path::Path) -> std::io::Result<()> {
    let opener = std::env::var("FRONTDESK_OPENER").unwrap_or_else(|_| {
        if cfg!(target_os = "macos") {
            "open".into()
        } else {
            "xdg-open".into()
        }
    });
    let mut child = std::process::Command::new("sh")
        .arg("-c")
        .arg(format!("{opener} \"$1\""))
        .arg("sh")
        .arg(path)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()?;
    std::thread::spawn(move || child.wait());
    Ok(())
}

/// Runs a request effect against the API; `None` when there is nothing to report.
async fn fetch(api: &Api, effect: Effect) -> anyhow::Result<Option<Msg>> {
    Ok(Some(match effect {
        Effect::FetchList { request, append } => Msg::List {
            page: api.conversations(&query(&request)).await?,
            append,
        },
        Effect::FetchConversation(id) => Msg::Conversation(api.conversation(id).await?),
        Effect::FetchOlder { id, before } => {
            let page = api.messages(id, Some(before), 50).await?;
            Msg::Older {
                id,
                messages: page.items,
                has_older: page.has_older,
            }
        }
        Effect::FetchContact(id) => Msg::Contact(api.contact(id).await?),
        Effect::Patch { id, patch } => Msg::Updated(api.patch_conversation(id, &patch).await?),
        Effect::MarkRead(id) => {
            api.mark_read(id).await?;
            return Ok(None);
        }
        Effect::SetAvailable(available) => Msg::Agent(api.set_available(available).await?),
        Effect::SaveAttachment { url, name, open } => {
            let path = save_attachment(api, &url, &name, &downloads_dir()).await?;
            Msg::Notice(if open {
                match open_file(&path) {
                    Ok(()) => format!("opened {}", path.display()),
                    Err(e) => format!("saved to {}; cannot open it: {e}", path.display()),
                }
            } else {
                format!("saved to {}", path.display())
            })
        }
        Effect::FetchCounts { requests, delay } => {
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
            Msg::Counts(counts)
        }
        Effect::Send { .. } | Effect::Bell { .. } | Effect::Edit { .. } | Effect::Quit => {
            return Ok(None);
        }
    }))
}
