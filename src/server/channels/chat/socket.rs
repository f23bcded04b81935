//! `GET /chat/{id}/ws`: a visitor's live chat.
//!
//! The protocol is JSON text frames with a `type`:
//! - the visitor opens with `{"type": "hello", "token": null or "fdv_..."}`;
//! - the server answers `{"type": "welcome", "token", "messages": [...]}`: the token to keep
//!   (a new one unless a valid one was sent) and the history of that visitor's chat;
//! - the visitor sends `{"type": "message", "text"}`;
//! - the visitor may leave `{"type": "identify", "email", "name"?}` so agents can follow up
//!   by email; the server answers `{"type": "identified", "email"}`. An email already on the
//!   visitor's contact is never replaced;
//! - the server pushes `{"type": "message", "message": {"id", "from": "visitor"|"agent",
//!   "name", "text", "at"}}` for every message of the chat, the visitor's own included, as
//!   soon as it is stored; internal notes never leave the desk;
//! - a refused frame gets `{"type": "error", "code", "message"}` and the socket stays open;
//! - past the client address's limit of new chats (see [`super::limits::NEW_CHATS`]) a hello
//!   that needs a new token gets a `rate_limited` error with `retry_after` seconds and the
//!   socket closes (4429); a first message that would open a chat gets the same error.

use super::limits::MAX_MESSAGE_CHARS;
use super::visitor::Visitor;
use super::{ChatState, usable_channel};
use crate::api::{Event, EventKind, InboundMessage, InboundSender};
use crate::domain::{Attachment, Id, Message as DeskMessage, MessageKind, Timestamp};
use crate::server::channels::public::is_email;
use crate::server::error::{ApiError, ApiPath};
use crate::server::limits::retry_after_secs;
use crate::server::reply_files;
use crate::server::store::{StoreError, inbound, rows};
use axum::extract::ws::rejection::WebSocketUpgradeRejection;
use axum::extract::ws::{CloseFrame, Message, WebSocket, WebSocketUpgrade};
use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use rusqlite::OptionalExtension;
use serde::{Deserialize, Serialize};
use std::net::{IpAddr, SocketAddr};
use std::time::Duration;
use tokio::sync::broadcast::error::RecvError;
use tokio::time::{Instant, MissedTickBehavior, interval, timeout};

/// Longest name a visitor may give, in characters.
const MAX_NAME_CHARS: usize = 200;
/// Largest frame a visitor may send, in bytes (a full-length message in any script fits).
const MAX_FRAME: usize = 4 * MAX_MESSAGE_CHARS + 256;
/// How long a new socket may take to say hello.
const HELLO_WITHIN: Duration = Duration::from_secs(10);
/// How long one frame may take to leave.
const SEND_WITHIN: Duration = Duration::from_secs(10);
/// Messages of history sent on (re)connect.
const HISTORY: usize = 200;
/// Close code: the visitor broke the protocol.
const CLOSE_PROTOCOL: u16 = 4400;
/// Close code: the visitor stopped answering pings.
const CLOSE_SILENT: u16 = 4000;
/// Close code: too many new chats from the client's address.
const CLOSE_RATE_LIMITED: u16 = 4429;
/// Close code: the server stops.
const CLOSE_GOING_AWAY: u16 = 1001;

#[derive(Debug, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
enum FromVisitor {
    Hello {
        #[serde(default)]
        token: Option<String>,
    },
    Message {
        text: String,
    },
    /// The visitor leaves an email (and a name) so agents can follow up.
    Identify {
        email: String,
        #[serde(default)]
        name: Option<String>,
    },
}

#[derive(Debug, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
enum ToVisitor<'a> {
    Welcome {
        token: &'a str,
        messages: Vec<VisitorMessage>,
    },
    Message {
        message: VisitorMessage,
    },
    Identified {
        email: &'a str,
    },
    Error {
        code: &'static str,
        message: String,
        /// Seconds to wait before trying again, on `rate_limited` for new chats.
        #[serde(skip_serializing_if = "Option::is_none")]
        retry_after: Option<u64>,
    },
}

/// A message as the visitor sees it.
#[derive(Debug, Serialize)]
struct VisitorMessage {
    id: Id,
    from: &'static str,
    name: String,
    text: String,
    at: Timestamp,
    /// An agent's files, as signed links the visitor's browser fetches.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    files: Vec<Attachment>,
}

/// What signs the links to agents' files for this chat channel.
#[derive(Debug, Clone)]
struct FileLinks {
    public_url: String,
    channel_id: Id,
    secret: String,
}

impl VisitorMessage {
    /// The visitor's view of a message; `None` for internal notes.
    fn of(m: &DeskMessage, links: &FileLinks) -> Option<VisitorMessage> {
        let from = match m.kind {
            MessageKind::Inbound => "visitor",
            MessageKind::Outbound => "agent",
            MessageKind::Note => return None,
        };
        (!m.internal).then(|| VisitorMessage {
            id: m.id,
            from,
            name: m.sender.name.clone(),
            text: m.body.clone(),
            at: m.created_at,
            files: match m.kind {
                MessageKind::Outbound => m
                    .attachments
                    .iter()
                    .map(|f| {
                        reply_files::public(&links.public_url, links.channel_id, &links.secret, f)
                    })
                    .collect(),
                _ => Vec::new(),
            },
        })
    }
}

pub async fn upgrade(
    State(chat): State<ChatState>,
    ApiPath(id): ApiPath<Id>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    ws: Result<WebSocketUpgrade, WebSocketUpgradeRejection>,
) -> Result<Response, ApiError> {
    let (channel, _) = usable_channel(&chat.app, id, &headers).await?;
    let links = FileLinks {
        public_url: chat.app.portal.public_url.clone(),
        channel_id: id,
        secret: channel.secret,
    };
    let ws = ws.map_err(|r| {
        ApiError::new(
            StatusCode::UPGRADE_REQUIRED,
            "websocket_required",
            format!("this endpoint speaks websocket: {}", r.body_text()),
        )
    })?;
    let ws = ws
        .read_buffer_size(MAX_FRAME)
        .max_message_size(MAX_FRAME)
        .max_frame_size(MAX_FRAME);
    let client = chat.client(&headers, peer);
    Ok(ws.on_upgrade(move |socket| async move {
        if let Err(e) = run(socket, chat, links, client).await {
            tracing::debug!(error = %e, "chat socket ended");
        }
    }))
}

#[derive(Debug, thiserror::Error)]
enum SocketEnd {
    #[error("socket: {0}")]
    Socket(#[from] axum::Error),
    #[error("store: {0}")]
    Store(#[from] StoreError),
    #[error("frame: {0}")]
    Json(#[from] serde_json::Error),
    #[error("visitor too slow to take frames")]
    TooSlow,
}

/// What an `identify` frame did.
enum Identity {
    /// The contact has this email now (or had it already).
    Kept,
    /// The visitor has not written yet: the email waits for the first message.
    NoContactYet,
    /// The contact already has another email, which stays.
    Taken,
}

/// One visitor's socket: which chat it follows and how far it has been sent.
struct Session {
    socket: WebSocket,
    chat: ChatState,
    channel_id: Id,
    links: FileLinks,
    visitor: Visitor,
    /// The client's limit key.
    client: IpAddr,
    /// Whether this socket already counted a new chat for its client (the token was handed
    /// out here).
    counted: bool,
    conversation: Option<Id>,
    last_sent: Id,
    /// An email (and name) given before the first message, for the contact it creates.
    identity: Option<(String, Option<String>)>,
}

/// Sends one frame; a visitor whose socket takes no frame for this long is dropped.
async fn send_raw(socket: &mut WebSocket, msg: Message) -> Result<(), SocketEnd> {
    match timeout(SEND_WITHIN, socket.send(msg)).await {
        Ok(sent) => Ok(sent?),
        Err(_) => Err(SocketEnd::TooSlow),
    }
}

async fn send(socket: &mut WebSocket, frame: &ToVisitor<'_>) -> Result<(), SocketEnd> {
    let text = serde_json::to_string(frame)?;
    send_raw(socket, Message::Text(text.into())).await
}

async fn close(socket: &mut WebSocket, code: u16, reason: &str) {
    let frame = CloseFrame {
        code,
        reason: reason.into(),
    };
    let _ = timeout(
        Duration::from_secs(1),
        socket.send(Message::Close(Some(frame))),
    )
    .await;
}

/// The refusal of a new chat: how long until the client's address may start one.
fn rate_limited(wait: Duration) -> ToVisitor<'static> {
    let seconds = retry_after_secs(wait);
    ToVisitor::Error {
        code: "rate_limited",
        message: format!(
            "too many new chats from this network; try again in {} minutes",
            seconds.div_ceil(60)
        ),
        retry_after: Some(seconds),
    }
}

/// Waits for the visitor's hello; `None` when it does not come.
async fn hello(socket: &mut WebSocket) -> Option<Option<String>> {
    let frame = timeout(HELLO_WITHIN, socket.recv()).await.ok()??.ok()?;
    match frame {
        Message::Text(text) => match serde_json::from_str::<FromVisitor>(&text) {
            Ok(FromVisitor::Hello { token }) => Some(token),
            _ => None,
        },
        _ => None,
    }
}

async fn run(
    mut socket: WebSocket,
    chat: ChatState,
    links: FileLinks,
    client: IpAddr,
) -> Result<(), SocketEnd> {
    let channel_id = links.channel_id;
    let Some(token) = hello(&mut socket).await else {
        close(
            &mut socket,
            CLOSE_PROTOCOL,
            "open with {\"type\":\"hello\",\"token\":null}",
        )
        .await;
        return Ok(());
    };
    let known = token.as_deref().and_then(Visitor::from_token);
    let counted = known.is_none();
    if counted && let Err(wait) = chat.new_chats.take(&client) {
        let frame = rate_limited(wait);
        send(&mut socket, &frame).await?;
        close(&mut socket, CLOSE_RATE_LIMITED, "too many new chats").await;
        return Ok(());
    }
    let visitor = known.unwrap_or_else(Visitor::fresh);
    // Subscribe before reading history, so nothing stored in between is missed.
    let mut live = chat.app.store.subscribe();
    let conversation = find_conversation(&chat, channel_id, visitor.thread_key()).await?;
    let mut session = Session {
        socket,
        chat,
        channel_id,
        links,
        visitor,
        client,
        counted,
        conversation,
        last_sent: 0,
        identity: None,
    };
    let history = unsent(&session.chat, &session.links, session.conversation, 0).await?;
    session.last_sent = history.last().map_or(0, |m| m.id);
    let token = session.visitor.token.clone();
    send(
        &mut session.socket,
        &ToVisitor::Welcome {
            token: &token,
            messages: history,
        },
    )
    .await?;

    let heartbeat = session.chat.app.config.heartbeat;
    let mut stopping = session.chat.app.stopping.clone();
    let mut ping = interval(heartbeat);
    ping.set_missed_tick_behavior(MissedTickBehavior::Delay);
    ping.tick().await;
    let mut heard = Instant::now();
    loop {
        tokio::select! {
            received = live.recv() => match received {
                Ok(e) => session.on_event(&e.frame).await?,
                // Fell behind the fan-out: the database has everything.
                Err(RecvError::Lagged(_)) => session.catch_up().await?,
                Err(RecvError::Closed) => return Ok(()),
            },
            incoming = session.socket.recv() => match incoming {
                Some(Ok(Message::Text(text))) => {
                    heard = Instant::now();
                    session.on_frame(&text).await?;
                }
                Some(Ok(Message::Binary(_))) => {
                    session.refuse("bad_frame", "send JSON text frames".into()).await?;
                }
                Some(Ok(Message::Close(_))) | None | Some(Err(_)) => return Ok(()),
                Some(Ok(_)) => heard = Instant::now(),
            },
            _ = ping.tick() => {
                if heard.elapsed() > heartbeat * 2 {
                    close(&mut session.socket, CLOSE_SILENT, "no pong for two heartbeats").await;
                    return Ok(());
                }
                send_raw(&mut session.socket, Message::Ping(Default::default())).await?;
            }
            _ = async { let _ = stopping.wait_for(|s| *s).await; } => {
                close(&mut session.socket, CLOSE_GOING_AWAY, "server stopping; reconnect shortly").await;
                return Ok(());
            }
        }
    }
}

async fn find_conversation(
    chat: &ChatState,
    channel_id: Id,
    thread_key: String,
) -> Result<Option<Id>, StoreError> {
    chat.app
        .store
        .read(move |c| {
            Ok(c.prepare_cached(
                "SELECT id FROM conversations WHERE channel_id = ?1 AND thread_key = ?2",
            )?
            .query_row((channel_id, thread_key), |r| r.get(0))
            .optional()?)
        })
        .await
}

/// The messages of a visitor's chat stored after `last_sent`, oldest first.
async fn unsent(
    chat: &ChatState,
    links: &FileLinks,
    conversation: Option<Id>,
    last_sent: Id,
) -> Result<Vec<VisitorMessage>, StoreError> {
    let Some(conversation) = conversation else {
        return Ok(Vec::new());
    };
    let page = chat.app.store.messages(conversation, None, HISTORY).await?;
    Ok(page
        .items
        .iter()
        .filter(|m| m.id > last_sent)
        .filter_map(|m| VisitorMessage::of(m, links))
        .collect())
}

impl Session {
    async fn push(&mut self, message: VisitorMessage) -> Result<(), SocketEnd> {
        if message.id <= self.last_sent {
            return Ok(());
        }
        self.last_sent = message.id;
        send(&mut self.socket, &ToVisitor::Message { message }).await
    }

    async fn catch_up(&mut self) -> Result<(), SocketEnd> {
        if self.conversation.is_none() {
            self.conversation =
                find_conversation(&self.chat, self.channel_id, self.visitor.thread_key()).await?;
        }
        for message in unsent(&self.chat, &self.links, self.conversation, self.last_sent).await? {
            self.push(message).await?;
        }
        Ok(())
    }

    /// Forwards a committed event if it is a visible message of this visitor's chat.
    async fn on_event(&mut self, frame: &str) -> Result<(), SocketEnd> {
        // Most events are about other conversations: skip them before parsing.
        if !frame.contains("\"message.created\"") && !frame.contains("\"conversation.created\"") {
            return Ok(());
        }
        let event: Event = serde_json::from_str(frame)?;
        match event.kind {
            EventKind::MessageCreated {
                conversation_id,
                message,
                ..
            } if Some(conversation_id) == self.conversation => {
                if let Some(m) = VisitorMessage::of(&message, &self.links) {
                    self.push(m).await?;
                }
            }
            // The visitor's first message, sent from another tab, opened the chat.
            EventKind::ConversationCreated { conversation }
                if self.conversation.is_none() && conversation.channel_id == self.channel_id =>
            {
                self.catch_up().await?;
            }
            _ => {}
        }
        Ok(())
    }

    async fn refuse(&mut self, code: &'static str, message: String) -> Result<(), SocketEnd> {
        let frame = ToVisitor::Error {
            code,
            message,
            retry_after: None,
        };
        send(&mut self.socket, &frame).await
    }

    /// Counts a new chat for the client unless this socket already did; past the limit the
    /// visitor is told how long to wait. A chat that exists (opened in another tab) is free.
    async fn count_new_chat(&mut self) -> Result<bool, SocketEnd> {
        if self.counted || self.conversation.is_some() {
            return Ok(true);
        }
        self.conversation =
            find_conversation(&self.chat, self.channel_id, self.visitor.thread_key()).await?;
        if self.conversation.is_some() {
            return Ok(true);
        }
        match self.chat.new_chats.take(&self.client) {
            Ok(()) => {
                self.counted = true;
                Ok(true)
            }
            Err(wait) => {
                send(&mut self.socket, &rate_limited(wait)).await?;
                Ok(false)
            }
        }
    }

    /// Handles a frame from the visitor.
    async fn on_frame(&mut self, text: &str) -> Result<(), SocketEnd> {
        match serde_json::from_str::<FromVisitor>(text) {
            Ok(FromVisitor::Message { text }) => self.on_message(text).await,
            Ok(FromVisitor::Identify { email, name }) => self.on_identify(email, name).await,
            Ok(FromVisitor::Hello { .. }) => {
                self.refuse("bad_frame", "hello is sent once, first".into())
                    .await
            }
            Err(e) => {
                self.refuse(
                    "bad_frame",
                    format!("expected {{\"type\":\"message\",\"text\":\"...\"}}: {e}"),
                )
                .await
            }
        }
    }

    /// Stores the visitor's email (and name) on their contact, or keeps it for the contact
    /// their first message creates.
    async fn on_identify(&mut self, email: String, name: Option<String>) -> Result<(), SocketEnd> {
        let email = email.trim().to_string();
        if !is_email(&email) {
            return self
                .refuse(
                    "invalid_email",
                    "enter an email address like name@example.com".into(),
                )
                .await;
        }
        let name = name.map(|n| n.trim().to_string()).filter(|n| !n.is_empty());
        if name
            .as_ref()
            .is_some_and(|n| n.chars().count() > MAX_NAME_CHARS)
        {
            return self
                .refuse(
                    "too_long",
                    format!("a name may hold at most {MAX_NAME_CHARS} characters"),
                )
                .await;
        }
        let key = self.visitor.thread_key();
        if !self.chat.limiter.allow(&key) {
            return self
                .refuse(
                    "rate_limited",
                    "you are sending too fast; wait a few seconds".into(),
                )
                .await;
        }
        let channel_id = self.channel_id;
        let stored_email = email.clone();
        let stored_name = name
            .as_deref()
            .map(crate::server::store::names::contact_name)
            .filter(|n| !n.is_empty());
        let outcome = self
            .chat
            .app
            .store
            .write(move |ctx| {
                let contact: Option<Id> = ctx
                    .tx
                    .prepare_cached(
                        "SELECT contact_id FROM contact_identities \
                         WHERE channel_id = ?1 AND external_id = ?2",
                    )?
                    .query_row((channel_id, &key), |r| r.get(0))
                    .optional()?;
                let Some(contact) = contact else {
                    return Ok(Identity::NoContactYet);
                };
                let contact = rows::contact(ctx.tx, contact)?;
                match &contact.email {
                    Some(known) if known.eq_ignore_ascii_case(&stored_email) => {
                        return Ok(Identity::Kept);
                    }
                    // An address on the record is never replaced from a chat: anyone may
                    // type any address, and a customer's record must not be taken over.
                    Some(_) => return Ok(Identity::Taken),
                    None => {}
                }
                ctx.tx
                    .prepare_cached(
                        "UPDATE contacts SET email = ?1, name = coalesce(?2, name) WHERE id = ?3",
                    )?
                    .execute((&stored_email, &stored_name, contact.id))?;
                let contact = rows::contact(ctx.tx, contact.id)?;
                ctx.emit(EventKind::ContactUpdated { contact })?;
                Ok(Identity::Kept)
            })
            .await?;
        match outcome {
            Identity::Taken => {
                return self
                    .refuse(
                        "already_identified",
                        "this chat already has an email address".into(),
                    )
                    .await;
            }
            Identity::NoContactYet => self.identity = Some((email.clone(), name)),
            Identity::Kept => {}
        }
        send(&mut self.socket, &ToVisitor::Identified { email: &email }).await
    }

    /// Stores a visitor's chat message.
    async fn on_message(&mut self, text: String) -> Result<(), SocketEnd> {
        let text = text.trim().to_string();
        if text.is_empty() {
            return self.refuse("empty", "write something first".into()).await;
        }
        if text.chars().count() > MAX_MESSAGE_CHARS {
            return self
                .refuse(
                    "too_long",
                    format!("a message may hold at most {MAX_MESSAGE_CHARS} characters"),
                )
                .await;
        }
        if !self.count_new_chat().await? {
            return Ok(());
        }
        let key = self.visitor.thread_key();
        if !self.chat.limiter.allow(&key) {
            return self
                .refuse(
                    "rate_limited",
                    "you are sending messages too fast; wait a few seconds".into(),
                )
                .await;
        }
        let (email, name) = match self.identity.clone() {
            Some((email, name)) => (Some(email), name),
            None => (None, None),
        };
        let msg = InboundMessage {
            thread_id: key.clone(),
            sender: InboundSender {
                id: key,
                name: Some(name.unwrap_or_else(|| self.visitor.display_name())),
                email,
                phone: None,
            },
            text,
            subject: None,
            attachments: Vec::new(),
        };
        let channel_id = self.channel_id;
        let stored = self
            .chat
            .app
            .store
            .write(move |ctx| inbound::ingest(ctx, channel_id, msg))
            .await;
        match stored {
            // The message itself reaches this socket through the live stream.
            Ok(outcome) => {
                self.conversation = Some(outcome.conversation_id);
                self.identity = None;
                Ok(())
            }
            Err(StoreError::Conflict(m) | StoreError::Invalid(m)) => {
                self.refuse("refused", m).await
            }
            Err(StoreError::NotFound(_)) => {
                self.refuse("refused", "this chat no longer exists".into())
                    .await
            }
            Err(e) => Err(e.into()),
        }
    }
}
