//! The live event stream, resumed after every disconnect so no event is missed or repeated.
//!
//! [`spawn`] runs one task that holds a websocket to `/api/v1/events?since=N`, passes every
//! event on in order, and remembers the last `seq`. When the connection closes (the server
//! stopping, the client falling behind, a broken network) it reconnects with exponential
//! backoff and resumes from that `seq`.
//!
//! [`spawn_with_presence`] also carries presence: "writing" notices this client sends for
//! the conversations it writes in (refreshed every [`PRESENCE_REFRESH`] and sent again after
//! a reconnect), and those of other agents, handed on as [`Presence`].

use crate::api::{ClientFrame, Composing, Event, Presence, ServerFrame};
use crate::client::api::{CONNECT_TIMEOUT, ClientError, io_cause};
use crate::client::backoff::Backoff;
use crate::client::tls::Trust;
use crate::domain::Id;
use futures_util::{SinkExt, StreamExt};
use std::collections::BTreeSet;
use std::time::Duration;
use tokio::net::TcpStream;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tokio::time::Instant;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::tungstenite::http::header::AUTHORIZATION;
use tokio_tungstenite::tungstenite::protocol::{CloseFrame, WebSocketConfig};
use tokio_tungstenite::tungstenite::{self, Message};
use tokio_tungstenite::{Connector, MaybeTlsStream, WebSocketStream};

/// How many items may wait for the UI before the stream stops reading (backpressure).
const CHANNEL_CAPACITY: usize = 4096;
/// Read buffer of the socket: replays come in large bursts.
const READ_BUFFER: usize = 64 * 1024;
/// First and largest delay between reconnection attempts.
const FIRST_RETRY: Duration = Duration::from_millis(250);
const MAX_RETRY: Duration = Duration::from_secs(10);
/// The close code of a stream whose token was revoked or whose agent was deactivated.
const CLOSE_ACCESS_REVOKED: u16 = 4001;
/// A connection that lasted this long counts as healthy even without events.
const HEALTHY_AFTER: Duration = Duration::from_secs(10);
/// How often a held "writing" notice is sent again; well within the server's notice TTL
/// (10 s by default).
pub const PRESENCE_REFRESH: Duration = Duration::from_secs(3);
/// Other agents' presence notices that may wait for the UI; older ones are dropped.
const PRESENCE_CAPACITY: usize = 256;

/// What the stream hands to the UI.
#[derive(Debug, Clone, PartialEq)]
// Nearly every item is an event: boxing it would add an allocation per event to spare the
// rare status a few hundred bytes.
#[allow(clippy::large_enum_variant)]
pub enum Live {
    /// The next event, `seq` strictly increasing; numbers of events meant for other agents
    /// are skipped.
    Event(Event),
    /// The connection changed state.
    Status(Connection),
    /// The server's log no longer holds where this client was (the desk was replaced or
    /// restored): the stream starts again from the newest event; reload what is shown.
    Reset,
}

/// The state of the connection, for the status bar.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Connection {
    Connecting,
    Connected,
    /// The connection was lost; the next attempt starts after `retry_in`.
    Reconnecting {
        attempt: u32,
        retry_in: Duration,
        reason: String,
    },
    /// Retrying cannot help (the token was refused); the stream has stopped.
    Offline(String),
}

/// Streams the events after `since` from the server at `base_url` (`http://host:port`).
///
/// The task ends when the receiver is dropped or the server refuses the token.
pub fn spawn(base_url: &str, token: &str, since: i64) -> (mpsc::Receiver<Live>, JoinHandle<()>) {
    spawn_trusting(base_url, token, since, &Trust::system())
}

/// [`spawn`] for a server whose certificate `trust` accepts (`https://` gives `wss://`).
pub fn spawn_trusting(
    base_url: &str,
    token: &str,
    since: i64,
    trust: &Trust,
) -> (mpsc::Receiver<Live>, JoinHandle<()>) {
    let (rx, task, _) = spawn_with_presence(base_url, token, since, trust);
    (rx, task)
}

/// This client's side of presence on the event stream.
pub struct PresenceLink {
    commands: mpsc::UnboundedSender<Composing>,
    /// Other agents' notices: who writes where, and when that stops.
    pub frames: mpsc::Receiver<Presence>,
}

impl PresenceLink {
    /// Tells the other agents this client started (`true`) or stopped writing in
    /// `conversation_id`; the notice is refreshed until stopped. False once the stream ended.
    pub fn composing(&self, conversation_id: Id, composing: bool) -> bool {
        self.commands
            .send(Composing {
                conversation_id,
                composing,
            })
            .is_ok()
    }
}

/// [`spawn_trusting`] that also sends and receives presence through the returned link.
pub fn spawn_with_presence(
    base_url: &str,
    token: &str,
    since: i64,
    trust: &Trust,
) -> (mpsc::Receiver<Live>, JoinHandle<()>, PresenceLink) {
    let (tx, rx) = mpsc::channel(CHANNEL_CAPACITY);
    let (commands, commands_rx) = mpsc::unbounded_channel();
    let (frames_tx, frames) = mpsc::channel(PRESENCE_CAPACITY);
    let base = ws_base(base_url);
    let connector = if base.starts_with("wss://") {
        trust
            .rustls_config()
            .map(|config| Some(Connector::Rustls(config)))
            .map_err(|e| e.to_string())
    } else {
        Ok(None)
    };
    let stream = Stream {
        base,
        connector,
        token: token.to_string(),
        last: since,
        from_head: false,
        tx,
        presence: PresenceState {
            commands: commands_rx,
            frames: frames_tx,
            composing: BTreeSet::new(),
        },
    };
    (
        rx,
        tokio::spawn(stream.run()),
        PresenceLink { commands, frames },
    )
}

/// Presence held by the stream task.
struct PresenceState {
    commands: mpsc::UnboundedReceiver<Composing>,
    frames: mpsc::Sender<Presence>,
    /// Conversations this client writes in: announced again on refresh and reconnect.
    composing: BTreeSet<Id>,
}

/// `http://h:p/` → `ws://h:p`, `https://` → `wss://`.
fn ws_base(base_url: &str) -> String {
    let base = base_url.trim_end_matches('/');
    if let Some(rest) = base.strip_prefix("https://") {
        format!("wss://{rest}")
    } else if let Some(rest) = base.strip_prefix("http://") {
        format!("ws://{rest}")
    } else {
        base.to_string()
    }
}

type Socket = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// The receiver was dropped: nobody is listening any more.
struct Gone;

/// How one connection ended.
enum SessionEnd {
    Gone,
    /// Retrying cannot help.
    Refused(String),
    /// The server is behind where this client was: start again from its newest event.
    Reset,
    /// Worth reconnecting; `healthy` when the connection was useful before it dropped.
    Lost {
        reason: String,
        healthy: bool,
    },
}

struct Stream {
    base: String,
    /// How `wss://` is verified; why it cannot be when the TLS set-up failed.
    connector: Result<Option<Connector>, String>,
    token: String,
    /// The last `seq` passed on: resume after it.
    last: i64,
    /// Connect without `since` (from the newest event) until an event arrives.
    from_head: bool,
    tx: mpsc::Sender<Live>,
    presence: PresenceState,
}

impl Stream {
    async fn run(mut self) {
        let mut backoff = Backoff::new(FIRST_RETRY, MAX_RETRY);
        if self.status(Connection::Connecting).await.is_err() {
            return;
        }
        loop {
            let reason = match self.session().await {
                SessionEnd::Gone => return,
                SessionEnd::Refused(why) => {
                    let _ = self.status(Connection::Offline(why)).await;
                    return;
                }
                SessionEnd::Reset => {
                    tracing::warn!(last = self.last, "the server's log is behind this client");
                    (self.last, self.from_head) = (0, true);
                    if self.tx.send(Live::Reset).await.is_err() {
                        return;
                    }
                    continue;
                }
                SessionEnd::Lost { reason, healthy } => {
                    if healthy {
                        backoff.reset();
                    }
                    reason
                }
            };
            if self.wait_to_retry(&mut backoff, reason).await.is_err() {
                return;
            }
        }
    }

    /// Announces the next attempt and sleeps until it is due.
    async fn wait_to_retry(&mut self, backoff: &mut Backoff, reason: String) -> Result<(), Gone> {
        let (attempt, retry_in) = backoff.next_delay();
        tracing::debug!(attempt, ?retry_in, %reason, "event stream lost");
        self.status(Connection::Reconnecting {
            attempt,
            retry_in,
            reason,
        })
        .await?;
        tokio::select! {
            _ = tokio::time::sleep(retry_in) => Ok(()),
            _ = self.tx.closed() => Err(Gone),
        }
    }

    /// Connects once and streams until the connection ends.
    async fn session(&mut self) -> SessionEnd {
        let socket = match self.connect().await {
            Ok(socket) => socket,
            Err(end) => return end,
        };
        if self.status(Connection::Connected).await.is_err() {
            return SessionEnd::Gone;
        }
        let (started, first) = (Instant::now(), self.last);
        match self.pump(socket).await {
            Ok(Ended::Refused(why)) => SessionEnd::Refused(why),
            Ok(Ended::Lost(reason)) => SessionEnd::Lost {
                reason,
                healthy: self.last > first || started.elapsed() >= HEALTHY_AFTER,
            },
            Err(Gone) => SessionEnd::Gone,
        }
    }

    async fn connect(&self) -> Result<Socket, SessionEnd> {
        let url = if self.from_head {
            format!("{}/api/v1/events", self.base)
        } else {
            format!("{}/api/v1/events?since={}", self.base, self.last)
        };
        let mut request = (&url)
            .into_client_request()
            .map_err(|e| SessionEnd::Refused(format!("bad server URL {url}: {e}")))?;
        let bearer = HeaderValue::from_str(&format!("Bearer {}", self.token))
            .map_err(|_| SessionEnd::Refused("the token cannot be sent in a header".into()))?;
        request.headers_mut().insert(AUTHORIZATION, bearer);
        let config = WebSocketConfig::default().read_buffer_size(READ_BUFFER);
        let connector = self.connector.clone().map_err(SessionEnd::Refused)?;
        let connecting = tokio_tungstenite::connect_async_tls_with_config(
            request,
            Some(config),
            true,
            connector,
        );
        match tokio::time::timeout(CONNECT_TIMEOUT, connecting).await {
            Err(_) => Err(lost("connecting timed out")),
            Ok(Err(e)) => Err(connect_failure(e)),
            Ok(Ok((socket, _))) => Ok(socket),
        }
    }

    /// Passes events on until the connection ends; returns why it ended.
    async fn pump(&mut self, mut socket: Socket) -> Result<Ended, Gone> {
        let mut refresh = tokio::time::interval(PRESENCE_REFRESH);
        refresh.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            let frame = tokio::select! {
                frame = socket.next() => frame,
                _ = self.tx.closed() => return Err(Gone),
                // The first tick is at once: announce what was held before a reconnect.
                _ = refresh.tick() => {
                    let held: Vec<Id> = self.presence.composing.iter().copied().collect();
                    for conversation_id in held {
                        if let Err(e) = send_presence(&mut socket, conversation_id, true).await {
                            return Ok(Ended::Lost(socket_error(&e)));
                        }
                    }
                    continue;
                }
                Some(c) = self.presence.commands.recv() => {
                    let changed = if c.composing {
                        self.presence.composing.insert(c.conversation_id)
                    } else {
                        self.presence.composing.remove(&c.conversation_id)
                    };
                    if changed
                        && let Err(e) = send_presence(&mut socket, c.conversation_id, c.composing).await
                    {
                        return Ok(Ended::Lost(socket_error(&e)));
                    }
                    continue;
                }
            };
            match frame {
                Some(Ok(Message::Text(text))) => self.deliver(&text).await?,
                Some(Ok(Message::Close(frame))) => {
                    // Sends the close reply tungstenite queued.
                    let _ = socket.flush().await;
                    return Ok(closed(frame));
                }
                // Pings are answered by tungstenite while reading.
                Some(Ok(_)) => {}
                Some(Err(e)) => return Ok(Ended::Lost(socket_error(&e))),
                None => return Ok(Ended::Lost("the connection ended".into())),
            }
        }
    }

    /// Sends one event on unless it was already delivered; waits while the UI is behind.
    async fn deliver(&mut self, text: &str) -> Result<(), Gone> {
        let event = match serde_json::from_str::<Event>(text) {
            Ok(event) => event,
            Err(_) if let Ok(ServerFrame::Presence(presence)) = serde_json::from_str(text) => {
                // A hint: dropped when the UI is behind, it lapses by itself.
                let _ = self.presence.frames.try_send(presence);
                return Ok(());
            }
            Err(error) => {
                self.skip_unknown(text, &error);
                return Ok(());
            }
        };
        if event.seq <= self.last {
            return Ok(());
        }
        let seq = event.seq;
        self.tx.send(Live::Event(event)).await.map_err(|_| Gone)?;
        (self.last, self.from_head) = (seq, false);
        Ok(())
    }

    /// Steps over an event this client cannot read (a newer server's type) so that a
    /// resume does not fetch it again.
    fn skip_unknown(&mut self, text: &str, error: &serde_json::Error) {
        #[derive(serde::Deserialize)]
        struct SeqOnly {
            seq: i64,
        }
        match serde_json::from_str::<SeqOnly>(text) {
            Ok(SeqOnly { seq }) if seq > self.last => {
                tracing::warn!(seq, %error, "skipping an event this client cannot read");
                self.last = seq;
            }
            _ => tracing::warn!(%error, "ignoring a frame that is not an event"),
        }
    }

    async fn status(&self, connection: Connection) -> Result<(), Gone> {
        self.tx
            .send(Live::Status(connection))
            .await
            .map_err(|_| Gone)
    }
}

/// Sends one "writing" notice (or its end) for `conversation_id`.
async fn send_presence(
    socket: &mut Socket,
    conversation_id: Id,
    composing: bool,
) -> Result<(), tungstenite::Error> {
    let frame = serde_json::to_string(&ClientFrame::Presence(Composing {
        conversation_id,
        composing,
    }))
    .unwrap_or_default();
    socket.send(Message::text(frame)).await
}

fn lost(reason: impl Into<String>) -> SessionEnd {
    SessionEnd::Lost {
        reason: reason.into(),
        healthy: false,
    }
}

/// A failed handshake: an HTTP refusal that retrying cannot fix stops the stream.
fn connect_failure(error: tungstenite::Error) -> SessionEnd {
    match error {
        tungstenite::Error::Http(response) => {
            let body = response.body().as_deref().unwrap_or_default();
            let error = ClientError::from_status(response.status().as_u16(), body);
            if matches!(&error, ClientError::Refused { code, .. } if code == "since_ahead") {
                SessionEnd::Reset
            } else if error.is_retryable() {
                lost(error.to_string())
            } else {
                SessionEnd::Refused(error.to_string())
            }
        }
        other => lost(socket_error(&other)),
    }
}

/// How an open connection ended.
enum Ended {
    /// Worth reconnecting, for this reason.
    Lost(String),
    /// The server took this client's access away: reconnecting cannot help.
    Refused(String),
}

/// Why the server closed the stream, in words.
fn closed(frame: Option<CloseFrame>) -> Ended {
    let Some(frame) = frame else {
        return Ended::Lost("the server closed the stream".into());
    };
    Ended::Lost(match u16::from(frame.code) {
        CLOSE_ACCESS_REVOKED => {
            return Ended::Refused(format!(
                "the server ended this session ({}): ask an admin for a new token",
                frame.reason
            ));
        }
        1001 => "the server is stopping".into(),
        4000 => "the server heard nothing from this client".into(),
        4008 => "this client fell behind the live stream".into(),
        code => format!("the server closed the stream ({code} {})", frame.reason),
    })
}

/// A broken socket, in words.
fn socket_error(error: &tungstenite::Error) -> String {
    use tungstenite::error::ProtocolError;
    match error {
        tungstenite::Error::Io(io) => io_cause(io),
        tungstenite::Error::ConnectionClosed | tungstenite::Error::AlreadyClosed => {
            "the connection ended".into()
        }
        tungstenite::Error::Protocol(ProtocolError::ResetWithoutClosingHandshake) => {
            "connection reset".into()
        }
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn http_bases_become_websocket_bases() {
        assert_eq!(ws_base("http://127.0.0.1:8080/"), "ws://127.0.0.1:8080");
        assert_eq!(ws_base("https://desk.example"), "wss://desk.example");
    }
}
