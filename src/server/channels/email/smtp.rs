//! The inbound SMTP listener: a small ESMTP server (RFC 5321) that accepts mail for the
//! addresses of enabled email channels and answers 250 to DATA only once the mail is
//! committed. Mail for any other address is refused at RCPT with 550.
//!
//! Extensions: SIZE (refused early at MAIL FROM, and enforced on the data), 8BITMIME,
//! PIPELINING. No relaying, no AUTH: this is a mail exchanger for the desk's own addresses.
//!
//! Bounded against abuse: sessions in all and per client address, an idle limit that only
//! progress on a mail resets (not NOOP, RSET and the like), a lifetime per session, and mail
//! spooled to a file under the data directory while it arrives, read into memory only to be
//! stored, one mail at a time.

use super::parse::{Limits, MailError};
use super::sessions::{Admission, Refusal};
use super::{ReceiveError, receive};
use crate::domain::Id;
use crate::server::files::Files;
use crate::server::store::{Store, StoreError};
use axum::body::Bytes;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{
    AsyncBufRead, AsyncBufReadExt, AsyncReadExt, AsyncSeekExt, AsyncWriteExt, BufReader, BufWriter,
};
use tokio::net::TcpListener;
use tokio::net::tcp::OwnedWriteHalf;
use tokio::sync::{Semaphore, watch};
use tokio::task::JoinSet;
use tokio::time::Instant;

/// Longest command line (RFC 5321 4.5.3.1.4 says 512 with CRLF; leave room for parameters).
const MAX_COMMAND: usize = 2048;
/// How long the whole DATA phase may take.
const DATA_TIMEOUT: Duration = Duration::from_secs(600);
/// Recipients per transaction.
const MAX_RECIPIENTS: usize = 100;
/// Bad commands before the session is dropped.
const MAX_ERRORS: u32 = 10;
/// Sessions served at once; more are told to come back later.
const MAX_SESSIONS: usize = 256;
/// Mail data is read and spooled in pieces of at most this many bytes.
const DATA_PIECE: usize = 64 * 1024;

/// How long and how many SMTP sessions may run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionLimits {
    /// Sessions one client address may hold open at once.
    pub per_address: usize,
    /// How long a session may go without progress on a mail (greeting, MAIL, RCPT, DATA);
    /// NOOP, RSET, VRFY, HELP and refused commands do not count.
    pub idle: Duration,
    /// How long a session may last in all.
    pub lifetime: Duration,
}

impl Default for SessionLimits {
    fn default() -> Self {
        SessionLimits {
            per_address: 10,
            // RFC 5321 4.5.3.2.7: a server waits 5 minutes for a command.
            idle: Duration::from_secs(300),
            lifetime: Duration::from_secs(30 * 60),
        }
    }
}

/// What a session needs of the desk.
#[derive(Clone)]
pub struct Desk {
    store: Store,
    files: Files,
    limits: Limits,
    sessions: SessionLimits,
    /// Where mail is spooled while it arrives.
    spool: PathBuf,
    /// Held while a received mail is in memory to be stored: one at a time.
    storing: Arc<Semaphore>,
}

impl Desk {
    /// The desk whose data directory is `data_dir`.
    pub fn new(
        store: Store,
        files: Files,
        limits: Limits,
        sessions: SessionLimits,
        data_dir: &Path,
    ) -> Desk {
        Desk {
            store,
            files,
            limits,
            sessions,
            spool: data_dir.join("spool"),
            storing: Arc::new(Semaphore::new(1)),
        }
    }
}

/// Accepts SMTP sessions on `listener` until `stopping` turns true, then tells open sessions
/// to go away (421) at their next command and waits for them.
pub async fn serve(listener: TcpListener, desk: Desk, mut stopping: watch::Receiver<bool>) {
    let admission = Admission::new(MAX_SESSIONS, desk.sessions.per_address);
    let mut sessions = JoinSet::new();
    loop {
        tokio::select! {
            _ = stopped(&mut stopping) => break,
            accepted = listener.accept() => {
                let (socket, peer) = match accepted {
                    Ok(a) => a,
                    Err(error) => {
                        tracing::warn!(%error, "smtp accept failed");
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        continue;
                    }
                };
                let desk = desk.clone();
                let stopping = stopping.clone();
                let place = admission.admit(peer.ip());
                sessions.spawn(async move {
                    let (read, mut write) = socket.into_split();
                    let _place = match place {
                        Ok(place) => place,
                        Err(refusal) => {
                            let reply: &[u8] = match refusal {
                                Refusal::Full => b"421 4.3.2 too many connections, try again later\r\n",
                                Refusal::Address => b"421 4.7.0 too many connections from your address, try again later\r\n",
                            };
                            let _ = write.write_all(reply).await;
                            return;
                        }
                    };
                    let mut session = Session::new(desk, peer, write);
                    if let Err(error) = session.run(BufReader::new(read), stopping).await {
                        tracing::debug!(%error, %peer, "smtp session ended");
                    }
                });
            }
            Some(_) = sessions.join_next(), if !sessions.is_empty() => {}
        }
    }
    while sessions.join_next().await.is_some() {}
}

/// Resolves once the server is stopping.
async fn stopped(stopping: &mut watch::Receiver<bool>) {
    let _ = stopping.wait_for(|s| *s).await;
}

/// One reply: code and text (lines joined with `-` continuation).
struct Reply(u16, String);

impl Reply {
    fn new(code: u16, text: impl Into<String>) -> Reply {
        Reply(code, text.into())
    }
}

/// A line read from the client.
enum Line {
    Text(Vec<u8>),
    TooLong,
    Eof,
}

/// Reads one line (up to and including LF) of at most `max` bytes; a longer one is drained
/// and reported as `TooLong`.
async fn read_line<R: AsyncBufRead + Unpin>(
    reader: &mut R,
    buf: &mut Vec<u8>,
    max: usize,
) -> std::io::Result<Line> {
    buf.clear();
    let mut too_long = false;
    loop {
        let available = reader.fill_buf().await?;
        if available.is_empty() {
            return Ok(Line::Eof);
        }
        let (chunk, done) = match available.iter().position(|b| *b == b'\n') {
            Some(i) => (&available[..=i], true),
            None => (available, false),
        };
        let used = chunk.len();
        if buf.len() + used > max {
            too_long = true;
        } else {
            buf.extend_from_slice(chunk);
        }
        reader.consume(used);
        if done {
            return Ok(if too_long {
                Line::TooLong
            } else {
                Line::Text(std::mem::take(buf))
            });
        }
    }
}

/// Reads up to `max` bytes, stopping after the first LF; `false` at the end of the input.
async fn read_piece<R: AsyncBufRead + Unpin>(
    reader: &mut R,
    buf: &mut Vec<u8>,
    max: usize,
) -> std::io::Result<bool> {
    buf.clear();
    while buf.len() < max {
        let available = reader.fill_buf().await?;
        if available.is_empty() {
            return Ok(false);
        }
        let window = &available[..available.len().min(max - buf.len())];
        let (chunk, done) = match window.iter().position(|b| *b == b'\n') {
            Some(i) => (&window[..=i], true),
            None => (window, false),
        };
        buf.extend_from_slice(chunk);
        let used = chunk.len();
        reader.consume(used);
        if done {
            break;
        }
    }
    Ok(true)
}

/// An anonymous file in `dir` (created if missing) that disappears once closed.
async fn spool_file(dir: &Path) -> std::io::Result<tokio::fs::File> {
    let dir = dir.to_path_buf();
    let file = tokio::task::spawn_blocking(move || {
        std::fs::create_dir_all(&dir)?;
        tempfile::tempfile_in(&dir)
    })
    .await
    .map_err(std::io::Error::other)??;
    Ok(tokio::fs::File::from_std(file))
}

/// A mail as it arrived after 354.
enum Arrived {
    /// Within the size limit, spooled.
    Spooled(BufWriter<tokio::fs::File>, usize),
    /// Over the size limit; drained and forgotten.
    Oversize,
    /// The spool could not be written.
    Failed(std::io::Error),
}

/// The state of one SMTP session.
struct Session {
    desk: Desk,
    peer: SocketAddr,
    out: OwnedWriteHalf,
    greeted: bool,
    sender: Option<String>,
    recipients: Vec<Id>,
    errors: u32,
    started: Instant,
    /// When the session last made progress on a mail.
    progressed: Instant,
}

/// How a command leaves the session.
enum Next {
    Continue,
    Data,
    Quit,
}

impl Session {
    fn new(desk: Desk, peer: SocketAddr, out: OwnedWriteHalf) -> Session {
        Session {
            desk,
            peer,
            out,
            greeted: false,
            sender: None,
            recipients: Vec::new(),
            errors: 0,
            started: Instant::now(),
            progressed: Instant::now(),
        }
    }

    /// When the session ends unless it makes progress: idle or lifetime limit.
    fn deadline(&self) -> Instant {
        let limits = self.desk.sessions;
        (self.progressed + limits.idle).min(self.started + limits.lifetime)
    }

    /// The goodbye for a session past its deadline.
    fn expired(&self) -> Reply {
        if Instant::now() >= self.started + self.desk.sessions.lifetime {
            Reply::new(421, "4.4.2 session lasted too long, closing")
        } else {
            Reply::new(421, "4.4.2 idle too long, closing")
        }
    }

    async fn send(&mut self, reply: Reply) -> std::io::Result<()> {
        let Reply(code, text) = reply;
        let lines: Vec<&str> = text.lines().collect();
        let mut wire = String::new();
        for (i, line) in lines.iter().enumerate() {
            let sep = if i + 1 == lines.len() { ' ' } else { '-' };
            wire.push_str(&format!("{code}{sep}{line}\r\n"));
        }
        if lines.is_empty() {
            wire.push_str(&format!("{code} \r\n"));
        }
        self.out.write_all(wire.as_bytes()).await
    }

    async fn run<R: AsyncBufRead + Unpin>(
        &mut self,
        mut reader: R,
        mut stopping: watch::Receiver<bool>,
    ) -> std::io::Result<()> {
        self.send(Reply::new(220, "frontdesk ESMTP ready")).await?;
        let mut buf = Vec::new();
        loop {
            let line = tokio::select! {
                _ = stopped(&mut stopping) => None,
                line = tokio::time::timeout_at(self.deadline(), read_line(&mut reader, &mut buf, MAX_COMMAND)) => Some(line),
            };
            let Some(line) = line else {
                return self
                    .send(Reply::new(421, "4.3.2 the desk is shutting down"))
                    .await;
            };
            let line = match line {
                Err(_) => return self.send(self.expired()).await,
                Ok(line) => line?,
            };
            let reply = match line {
                Line::Eof => return Ok(()),
                Line::TooLong => Err(Reply::new(500, "5.5.6 command line too long")),
                Line::Text(bytes) => match std::str::from_utf8(&bytes) {
                    Ok(command) => self.command(command.trim_end_matches(['\r', '\n'])).await,
                    Err(_) => Err(Reply::new(500, "5.5.2 commands must be ASCII")),
                },
            };
            match reply {
                Ok((reply, Next::Data)) => match spool_file(&self.desk.spool).await {
                    Ok(spool) => {
                        self.send(reply).await?;
                        let reply = self.data(&mut reader, spool).await?;
                        self.send(reply).await?;
                    }
                    Err(error) => {
                        tracing::error!(%error, "cannot open a spool file for inbound mail");
                        self.send(Reply::new(
                            451,
                            "4.3.0 cannot take mail now, try again later",
                        ))
                        .await?;
                    }
                },
                Ok((reply, next)) => {
                    self.send(reply).await?;
                    if let Next::Quit = next {
                        return Ok(());
                    }
                }
                Err(reply) => {
                    self.errors += 1;
                    self.send(reply).await?;
                    if self.errors >= MAX_ERRORS {
                        return self
                            .send(Reply::new(421, "4.7.0 too many errors, closing"))
                            .await;
                    }
                }
            }
        }
    }

    /// Answers one command; `Err` replies count as client errors.
    async fn command(&mut self, line: &str) -> Result<(Reply, Next), Reply> {
        let (verb, arg) = match line.split_once(' ') {
            Some((v, a)) => (v, a.trim()),
            None => (line, ""),
        };
        let ok = |text: &str| Ok((Reply::new(250, text), Next::Continue));
        match verb.to_ascii_uppercase().as_str() {
            "EHLO" | "HELO" if arg.is_empty() => {
                Err(Reply::new(501, "5.5.4 say who you are: EHLO your.domain"))
            }
            "EHLO" => {
                self.reset();
                self.greet();
                let text = format!(
                    "frontdesk greets {arg}\nSIZE {}\n8BITMIME\nPIPELINING\nENHANCEDSTATUSCODES",
                    self.desk.limits.message
                );
                Ok((Reply::new(250, text), Next::Continue))
            }
            "HELO" => {
                self.reset();
                self.greet();
                ok(&format!("frontdesk greets {arg}"))
            }
            "MAIL" => self.mail_from(arg),
            "RCPT" => self.rcpt_to(arg).await,
            "DATA" if !arg.is_empty() => Err(Reply::new(501, "5.5.4 DATA takes no arguments")),
            "DATA" if self.sender.is_none() => Err(Reply::new(503, "5.5.1 MAIL FROM first")),
            "DATA" if self.recipients.is_empty() => {
                Err(Reply::new(554, "5.5.1 no valid recipients"))
            }
            "DATA" => Ok((
                Reply::new(354, "end data with <CR><LF>.<CR><LF>"),
                Next::Data,
            )),
            "RSET" => {
                self.reset();
                ok("2.0.0 reset")
            }
            "NOOP" => ok("2.0.0 OK"),
            "QUIT" => Ok((Reply::new(221, "2.0.0 bye"), Next::Quit)),
            "VRFY" => Ok((
                Reply::new(252, "2.1.5 cannot verify, but will take a message"),
                Next::Continue,
            )),
            "HELP" => Ok((
                Reply::new(
                    214,
                    "2.0.0 EHLO HELO MAIL RCPT DATA RSET NOOP QUIT VRFY HELP",
                ),
                Next::Continue,
            )),
            "STARTTLS" | "AUTH" | "BDAT" | "EXPN" | "TURN" | "ETRN" => {
                Err(Reply::new(502, "5.5.1 command not implemented"))
            }
            _ => Err(Reply::new(500, "5.5.2 command not recognised")),
        }
    }

    /// EHLO or HELO; only the first one counts as progress.
    fn greet(&mut self) {
        if !self.greeted {
            self.greeted = true;
            self.progressed = Instant::now();
        }
    }

    fn reset(&mut self) {
        self.sender = None;
        self.recipients.clear();
    }

    fn mail_from(&mut self, arg: &str) -> Result<(Reply, Next), Reply> {
        if !self.greeted {
            return Err(Reply::new(503, "5.5.1 EHLO or HELO first"));
        }
        if self.sender.is_some() {
            return Err(Reply::new(
                503,
                "5.5.1 a transaction is already open; RSET first",
            ));
        }
        let (path, params) = path_arg(arg, "FROM:")
            .ok_or_else(|| Reply::new(501, "5.5.4 syntax: MAIL FROM:<address> [SIZE=n]"))?;
        for param in params.split_whitespace() {
            let (key, value) = param.split_once('=').unwrap_or((param, ""));
            match key.to_ascii_uppercase().as_str() {
                "SIZE" => {
                    let size: usize = value
                        .parse()
                        .map_err(|_| Reply::new(501, "5.5.4 SIZE needs a number"))?;
                    if size > self.desk.limits.message {
                        return Err(Reply::new(
                            552,
                            format!(
                                "5.3.4 message size {size} exceeds the limit of {} bytes",
                                self.desk.limits.message
                            ),
                        ));
                    }
                }
                "BODY" if ["7BIT", "8BITMIME"].contains(&value.to_ascii_uppercase().as_str()) => {}
                _ => {
                    return Err(Reply::new(
                        555,
                        format!("5.5.4 parameter {key} is not supported"),
                    ));
                }
            }
        }
        if !path.is_empty() && !super::settings::is_address(&path) {
            return Err(Reply::new(553, "5.1.7 the sender address is not valid"));
        }
        self.sender = Some(path);
        self.progressed = Instant::now();
        Ok((Reply::new(250, "2.1.0 sender OK"), Next::Continue))
    }

    async fn rcpt_to(&mut self, arg: &str) -> Result<(Reply, Next), Reply> {
        if self.sender.is_none() {
            return Err(Reply::new(503, "5.5.1 MAIL FROM first"));
        }
        let (path, _) = path_arg(arg, "TO:")
            .ok_or_else(|| Reply::new(501, "5.5.4 syntax: RCPT TO:<address>"))?;
        if self.recipients.len() >= MAX_RECIPIENTS {
            return Ok((Reply::new(452, "4.5.3 too many recipients"), Next::Continue));
        }
        let address = path.to_ascii_lowercase();
        match self.desk.store.email_channel_for(address).await {
            Ok(Some(channel)) => {
                if !self.recipients.contains(&channel) {
                    self.recipients.push(channel);
                }
                self.progressed = Instant::now();
                Ok((Reply::new(250, "2.1.5 recipient OK"), Next::Continue))
            }
            Ok(None) => Err(Reply::new(
                550,
                format!("5.1.1 <{path}>: no mailbox here by that name"),
            )),
            Err(error) => {
                tracing::error!(%error, "smtp recipient lookup failed");
                Ok((
                    Reply::new(451, "4.3.0 temporary failure, try again later"),
                    Next::Continue,
                ))
            }
        }
    }

    /// Reads the mail after 354, dot-unstuffed, into `spool`, then stores it; the reply
    /// follows the commit.
    async fn data<R: AsyncBufRead + Unpin>(
        &mut self,
        reader: &mut R,
        spool: tokio::fs::File,
    ) -> std::io::Result<Reply> {
        let limit = self.desk.limits.message;
        let deadline =
            (Instant::now() + DATA_TIMEOUT).min(self.started + self.desk.sessions.lifetime);
        let read = tokio::time::timeout_at(deadline, async {
            let mut spool = BufWriter::with_capacity(DATA_PIECE, spool);
            let mut piece = Vec::with_capacity(DATA_PIECE);
            let (mut size, mut at_line_start, mut failed) = (0, true, None);
            loop {
                if !read_piece(reader, &mut piece, DATA_PIECE).await? {
                    return Ok(None);
                }
                if at_line_start && (piece == b".\r\n" || piece == b".\n") {
                    break;
                }
                let body: &[u8] = match piece.strip_prefix(b".".as_slice()) {
                    Some(unstuffed) if at_line_start => unstuffed,
                    _ => &piece,
                };
                size += body.len();
                if size <= limit
                    && failed.is_none()
                    && let Err(error) = spool.write_all(body).await
                {
                    failed = Some(error);
                }
                at_line_start = piece.ends_with(b"\n");
            }
            Ok(Some(match failed {
                _ if size > limit => Arrived::Oversize,
                Some(error) => Arrived::Failed(error),
                None => match spool.flush().await {
                    Ok(()) => Arrived::Spooled(spool, size),
                    Err(error) => Arrived::Failed(error),
                },
            }))
        })
        .await;
        let arrived = match read {
            Err(_) => {
                return Err(std::io::Error::new(
                    std::io::ErrorKind::TimedOut,
                    "DATA took too long",
                ));
            }
            Ok(Err(e)) => return Err(e),
            Ok(Ok(None)) => {
                return Err(std::io::Error::new(
                    std::io::ErrorKind::UnexpectedEof,
                    "connection closed during DATA",
                ));
            }
            Ok(Ok(Some(arrived))) => arrived,
        };
        let recipients = std::mem::take(&mut self.recipients);
        self.sender = None;
        self.progressed = Instant::now();
        let (spool, size) = match arrived {
            Arrived::Spooled(spool, size) => (spool.into_inner(), size),
            Arrived::Oversize => {
                return Ok(Reply::new(
                    552,
                    format!("5.3.4 message exceeds the limit of {limit} bytes; nothing was stored"),
                ));
            }
            Arrived::Failed(error) => return Ok(self.spool_failed(error)),
        };
        let _storing = self
            .desk
            .storing
            .acquire()
            .await
            .map_err(std::io::Error::other)?;
        let raw = match read_spool(spool, size).await {
            Ok(raw) => raw,
            Err(error) => return Ok(self.spool_failed(error)),
        };
        let mut stored = Vec::new();
        for channel in recipients {
            match receive(
                &self.desk.store,
                &self.desk.files,
                channel,
                raw.clone(),
                self.desk.limits,
            )
            .await
            {
                Ok(outcome) => stored.push(outcome.message_id.to_string()),
                Err(error) => return Ok(self.refusal(error)),
            }
        }
        tracing::info!(peer = %self.peer, messages = ?stored, "mail received");
        Ok(Reply::new(
            250,
            format!("2.0.0 stored as message {}", stored.join(", ")),
        ))
    }

    /// The reply for a mail whose spool file failed.
    fn spool_failed(&self, error: std::io::Error) -> Reply {
        tracing::error!(%error, peer = %self.peer, "cannot spool inbound mail");
        Reply::new(451, "4.3.0 temporary failure, try again later")
    }

    /// The reply for a mail that could not be stored.
    fn refusal(&self, error: ReceiveError) -> Reply {
        let one_line = |s: String| s.replace(['\r', '\n'], " ");
        match error {
            ReceiveError::Mail(
                e @ (MailError::TooLarge { .. }
                | MailError::AttachmentTooLarge { .. }
                | MailError::TooManyAttachments { .. }),
            ) => Reply::new(552, format!("5.3.4 {}", one_line(e.to_string()))),
            ReceiveError::Mail(e) => Reply::new(554, format!("5.6.0 {}", one_line(e.to_string()))),
            ReceiveError::Store(StoreError::Invalid(m)) => {
                Reply::new(554, format!("5.6.0 {}", one_line(m)))
            }
            ReceiveError::Store(StoreError::Conflict(m) | StoreError::NotFound(m)) => {
                Reply::new(550, format!("5.7.1 {}", one_line(m)))
            }
            error => {
                tracing::error!(%error, peer = %self.peer, "cannot store inbound mail");
                Reply::new(451, "4.3.0 temporary failure, try again later")
            }
        }
    }
}

/// The `size` bytes spooled in `file`.
async fn read_spool(mut file: tokio::fs::File, size: usize) -> std::io::Result<Bytes> {
    file.seek(std::io::SeekFrom::Start(0)).await?;
    let mut raw = Vec::with_capacity(size);
    file.read_to_end(&mut raw).await?;
    Ok(Bytes::from(raw))
}

/// Splits `FROM:<path> params` (the prefix is matched case-insensitively; a space after the
/// colon is tolerated). The path comes without angle brackets.
fn path_arg(arg: &str, prefix: &str) -> Option<(String, String)> {
    let head = arg.get(..prefix.len())?;
    if !head.eq_ignore_ascii_case(prefix) {
        return None;
    }
    let rest = arg[prefix.len()..].trim_start();
    let rest = rest.strip_prefix('<')?;
    let close = rest.find('>')?;
    let path = rest[..close].trim();
    // A source route (@a,@b:user@host) names the mailbox after the colon.
    let path = path.rsplit_once(':').map(|(_, p)| p).unwrap_or(path);
    Some((path.to_string(), rest[close + 1..].trim().to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_and_parameters() {
        assert_eq!(
            path_arg("FROM:<a@b.example> SIZE=10 BODY=8BITMIME", "FROM:"),
            Some(("a@b.example".into(), "SIZE=10 BODY=8BITMIME".into()))
        );
        assert_eq!(
            path_arg("to: <@relay:X@Y.example>", "TO:"),
            Some(("X@Y.example".into(), String::new()))
        );
        assert_eq!(
            path_arg("FROM:<>", "FROM:"),
            Some((String::new(), String::new()))
        );
        assert_eq!(path_arg("FROM:a@b", "FROM:"), None);
    }

    #[tokio::test]
    async fn long_lines_are_drained_and_reported() {
        let input = format!("{}\nNOOP\r\n", "x".repeat(5000));
        let mut reader = BufReader::with_capacity(64, input.as_bytes());
        let mut buf = Vec::new();
        assert!(matches!(
            read_line(&mut reader, &mut buf, 100).await.unwrap(),
            Line::TooLong
        ));
        match read_line(&mut reader, &mut buf, 100).await.unwrap() {
            Line::Text(t) => assert_eq!(t, b"NOOP\r\n"),
            _ => panic!("expected NOOP"),
        }
        assert!(matches!(
            read_line(&mut reader, &mut buf, 100).await.unwrap(),
            Line::Eof
        ));
    }
}
