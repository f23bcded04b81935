//! `GET /events?since=SEQ`: the resumable live event stream over a websocket.
//!
//! The stream replays the log after `since` from the database, then goes live. Each client
//! may lag at most the live buffer behind; one that falls further behind (or whose socket
//! stops taking frames) is closed with code 4008 and a reason naming the `since` to resume
//! with. Nobody else waits for it. Pings go out every heartbeat; a client silent for two
//! heartbeats is closed. A stream whose token is revoked, or whose agent is deactivated, is
//! closed with code 4001 within about a second (see [`crate::server::access`]). Presence
//! frames go both ways beside the events (see [`crate::server::presence`]); events meant for
//! another agent are skipped.

use crate::domain::Id;
use crate::server::AppState;
use crate::server::auth::{Authed, TokenHash};
use crate::server::error::{ApiError, ApiQuery};
use crate::server::presence::{Composer, PresenceFrame};
use crate::server::store::LiveEvent;
use axum::extract::State;
use axum::extract::ws::rejection::WebSocketUpgradeRejection;
use axum::extract::ws::{CloseFrame, Message, WebSocket, WebSocketUpgrade};
use axum::http::StatusCode;
use axum::response::Response;
use futures_util::SinkExt;
use serde::Deserialize;
use std::time::Duration;
use tokio::sync::broadcast;
use tokio::sync::broadcast::error::{RecvError, TryRecvError};
use tokio::time::{Instant, MissedTickBehavior, interval, sleep_until, timeout};

/// Close code for a client that fell too far behind.
pub const CLOSE_TOO_SLOW: u16 = 4008;
/// Close code for a client that stopped answering pings.
pub const CLOSE_SILENT: u16 = 4000;
/// Close code for a stream whose token was revoked or whose agent was deactivated.
pub const CLOSE_ACCESS_REVOKED: u16 = 4001;
/// Close code when the server stops (the standard "going away").
const CLOSE_GOING_AWAY: u16 = 1001;

/// Read buffer of an event-stream socket, in bytes.
const CLIENT_READ_BUFFER: usize = 4096;
/// Largest frame a client may send on the event stream.
const CLIENT_MAX_MESSAGE: usize = 64 * 1024;

/// Events read from the log per replay query.
const REPLAY_PAGE: usize = 1000;

#[derive(Debug, Deserialize)]
pub struct EventsQuery {
    since: Option<i64>,
}

pub async fn stream(
    State(state): State<AppState>,
    Authed(agent): Authed,
    TokenHash(token): TokenHash,
    ApiQuery(q): ApiQuery<EventsQuery>,
    ws: Result<WebSocketUpgrade, WebSocketUpgradeRejection>,
) -> Result<Response, ApiError> {
    let since = match q.since {
        Some(s) if s < 0 => {
            return Err(ApiError::new(
                StatusCode::BAD_REQUEST,
                "invalid_query",
                "since must be 0 or a seq you received",
            ));
        }
        Some(s) => {
            let head = state.store.last_seq().await?;
            if s > head {
                return Err(ApiError::new(
                    StatusCode::CONFLICT,
                    "since_ahead",
                    format!(
                        "since={s} is ahead of this desk's newest event ({head}): the desk was replaced or restored; reload and resume from {head}"
                    ),
                ));
            }
            s
        }
        None => state.store.last_seq().await?,
    };
    let ws = ws.map_err(|r| {
        ApiError::new(
            StatusCode::UPGRADE_REQUIRED,
            "websocket_required",
            format!("this endpoint speaks websocket: {}", r.body_text()),
        )
    })?;
    // Agents only send pongs, close frames and small presence frames: small read buffers (tungstenite zeroes
    // the whole buffer on every read) and a small message cap.
    let ws = ws
        .read_buffer_size(CLIENT_READ_BUFFER)
        .max_message_size(CLIENT_MAX_MESSAGE)
        .max_frame_size(CLIENT_MAX_MESSAGE);
    // Heard from before the handshake answers, so no notice sent after it is missed.
    let presence = state.presence.subscribe();
    let composer = Composer::new(state.presence.clone(), agent.id, agent.name);
    Ok(ws.on_upgrade(move |socket| async move {
        if let Err(e) = run(socket, state, since, token, composer, presence).await {
            tracing::debug!(error = %e, "event stream ended");
        }
    }))
}

/// Why a stream stopped early.
#[derive(Debug, thiserror::Error)]
enum StreamEnd {
    #[error("socket: {0}")]
    Socket(#[from] axum::Error),
    #[error("store: {0}")]
    Store(#[from] crate::server::store::StoreError),
    #[error("client too slow")]
    TooSlow,
}

/// Sends one frame, treating a socket that takes longer than `limit` as too slow.
async fn send(socket: &mut WebSocket, msg: Message, limit: Duration) -> Result<(), StreamEnd> {
    match timeout(limit, socket.send(msg)).await {
        Ok(r) => Ok(r?),
        Err(_) => Err(StreamEnd::TooSlow),
    }
}

/// Sends every logged event after `*last` meant for `agent`, advancing `*last` past the
/// others too.
async fn replay(
    socket: &mut WebSocket,
    state: &AppState,
    agent: Id,
    last: &mut i64,
    up_to: Option<i64>,
) -> Result<(), StreamEnd> {
    loop {
        if *state.stopping.borrow() {
            return Ok(());
        }
        let page = state.store.events_after(*last, REPLAY_PAGE).await?;
        let done = page.len() < REPLAY_PAGE;
        for e in page {
            if up_to.is_some_and(|u| e.seq > u) {
                return Ok(());
            }
            if e.is_for(agent) {
                send_event(socket, &e, state.config.heartbeat).await?;
            }
            *last = e.seq;
        }
        if done {
            return Ok(());
        }
    }
}

async fn send_event(
    socket: &mut WebSocket,
    e: &LiveEvent,
    limit: Duration,
) -> Result<(), StreamEnd> {
    send(socket, Message::Text(e.frame.clone()), limit).await
}

/// Sends `first` and whatever else is already waiting, with one flush: a change usually
/// emits several events at once, and one write per client beats one per event.
async fn send_burst(
    socket: &mut WebSocket,
    state: &AppState,
    agent: Id,
    live: &mut broadcast::Receiver<LiveEvent>,
    first: LiveEvent,
    last: &mut i64,
) -> Result<(), StreamEnd> {
    let limit = state.config.heartbeat;
    let committed = first.committed;
    let mut next = Some(first);
    while let Some(e) = next.take() {
        if e.seq > *last + 1 {
            replay(socket, state, agent, last, Some(e.seq - 1)).await?;
        }
        if e.seq > *last && !e.is_for(agent) {
            *last = e.seq;
        } else if e.seq > *last {
            match timeout(limit, socket.feed(Message::Text(e.frame.clone()))).await {
                Ok(r) => r?,
                Err(_) => return Err(StreamEnd::TooSlow),
            }
            *last = e.seq;
        }
        next = match live.try_recv() {
            Ok(e) => Some(e),
            Err(TryRecvError::Lagged(_)) => return Err(StreamEnd::TooSlow),
            Err(TryRecvError::Empty | TryRecvError::Closed) => None,
        };
    }
    match timeout(limit, socket.flush()).await {
        Ok(r) => r?,
        Err(_) => return Err(StreamEnd::TooSlow),
    }
    if let Some(at) = committed {
        tracing::trace!(
            seq = *last,
            lag_us = at.elapsed().as_micros() as u64,
            "sent"
        );
    }
    Ok(())
}

async fn close(socket: &mut WebSocket, code: u16, reason: String) {
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

/// Why the stream's token no longer lets it in, if it does not.
async fn refused(state: &AppState, token: [u8; 32]) -> Result<Option<&'static str>, StreamEnd> {
    Ok(match state.store.token_owner(token).await? {
        None => Some("token revoked"),
        Some(agent) if !agent.active => Some("agent deactivated"),
        Some(_) => None,
    })
}

async fn run(
    mut socket: WebSocket,
    state: AppState,
    since: i64,
    token: [u8; 32],
    mut composer: Composer,
    mut presence: broadcast::Receiver<PresenceFrame>,
) -> Result<(), StreamEnd> {
    let agent = composer.agent_id();
    let heartbeat = state.config.heartbeat;
    // Watch before the first re-check, so a revocation racing this connection is not missed.
    let mut access = state.access.subscribe();
    if let Some(reason) = refused(&state, token).await? {
        close(&mut socket, CLOSE_ACCESS_REVOKED, reason.into()).await;
        return Ok(());
    }
    let mut last = since;
    // Subscribe before reading the log, so nothing committed in between is missed; then
    // subscribe afresh after a long replay, so the live buffer starts near the head.
    let mut live = state.store.subscribe();
    let replayed = replay(&mut socket, &state, agent, &mut last, None).await;
    if let Err(StreamEnd::TooSlow) = replayed {
        close(&mut socket, CLOSE_TOO_SLOW, resume_reason(last)).await;
    }
    replayed?;
    if !live.is_empty() {
        live = state.store.subscribe();
        replay(&mut socket, &state, agent, &mut last, None).await?;
    }
    let mut stopping = state.stopping.clone();
    let mut ping = interval(heartbeat);
    ping.set_missed_tick_behavior(MissedTickBehavior::Delay);
    ping.tick().await;
    let mut heard = Instant::now();
    let outcome = loop {
        let lapse = composer.next_expiry();
        tokio::select! {
            _ = sleep_until(lapse.unwrap_or_else(Instant::now)), if lapse.is_some() => composer.expire(),
            heard_of = presence.recv() => match heard_of {
                Ok(p) if p.agent_id != agent => {
                    if let Err(err) = send(&mut socket, Message::Text(p.frame), heartbeat).await {
                        break Err(err);
                    }
                }
                // Presence is a hint: a notice missed by a slow stream lapses by itself.
                Ok(_) | Err(RecvError::Lagged(_)) => {}
                Err(RecvError::Closed) => break Ok(()),
            },
            received = live.recv() => match received {
                Ok(e) => {
                    if let Err(err) = send_burst(&mut socket, &state, agent, &mut live, e, &mut last).await {
                        break Err(err);
                    }
                }
                Err(RecvError::Lagged(_)) => break Err(StreamEnd::TooSlow),
                Err(RecvError::Closed) => break Ok(()),
            },
            _ = ping.tick() => {
                if heard.elapsed() > heartbeat * 2 {
                    close(&mut socket, CLOSE_SILENT, "no pong for two heartbeats".into()).await;
                    break Ok(());
                }
                if let Err(err) = send(&mut socket, Message::Ping(Default::default()), heartbeat).await {
                    break Err(err);
                }
            }
            incoming = socket.recv() => match incoming {
                Some(Ok(Message::Close(_))) | None | Some(Err(_)) => break Ok(()),
                Some(Ok(msg)) => {
                    heard = Instant::now();
                    if let Message::Text(text) = msg {
                        composer.receive(text.as_str());
                    }
                }
            },
            Ok(()) = access.changed() => match refused(&state, token).await {
                Ok(None) => {}
                Ok(Some(reason)) => {
                    close(&mut socket, CLOSE_ACCESS_REVOKED, reason.into()).await;
                    break Ok(());
                }
                Err(err) => break Err(err),
            },
            _ = async { let _ = stopping.wait_for(|s| *s).await; } => {
                close(&mut socket, CLOSE_GOING_AWAY, format!("server stopping; resume with since={last}")).await;
                break Ok(());
            }
        }
    };
    if let Err(StreamEnd::TooSlow) = outcome {
        close(&mut socket, CLOSE_TOO_SLOW, resume_reason(last)).await;
    }
    outcome
}

fn resume_reason(last: i64) -> String {
    format!("too slow: fell behind the live stream; reconnect with since={last}")
}
