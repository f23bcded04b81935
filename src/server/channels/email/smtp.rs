//! The inbound SMTP listener: a small ESMTP server (RFC 5321) that accepts mail for the
//! addresses of enabled email channels and answers 250 to DATA only once the mail is
//! committed. Mail for any other address is refused at RCPT with 550.
//!
//! Extensions: SIZE (refused early at MAIL FROM, and enforced on the data), 8BITMIME,
//! PIPELINING. No relaying, no AUTH: this is a mail exchanger for the desk's own addresses.

use super::parse::{Limits, MailError};
use super::{ReceiveError, receive};
use crate::domain::Id;
use crate::server::files::Files;
use crate::server::store::{Store, StoreError};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncBufRead, AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;
use tokio::net::tcp::OwnedWriteHalf;
use tokio::sync::{Semaphore, watch};
use tokio::task::JoinSet;

/// Longest command line (RFC 5321 4.5.3.1.4 says 512 with CRLF; leave room for parameters).
const MAX_COMMAND: usize = 2048;
/// How long a client may stay silent between commands (RFC 5321 4.5.3.2.7: 5 minutes).
const COMMAND_TIMEOUT: Duration = Duration::from_secs(300);
/// How long the whole DATA phase may take.
const DATA_TIMEOUT: Duration = Duration::from_secs(600);
/// Recipients per transaction.
const MAX_RECIPIENTS: usize = 100;
/// Bad commands before the session is dropped.
const MAX_ERRORS: u32 = 10;
/// Sessions served at once; more are told to come back later.
const MAX_SESSIONS: usize = 256;

/// What a session needs of the desk.
#[derive(Clone)]
pub struct Desk {
    pub store: Store,
    pub files: Files,
    pub limits: Limits,
}

/// Accepts SMTP sessions on `listener` until `stopping` turns true, then tells open sessions
/// to go away (421) at their next command and waits for them.
pub async fn serve(listener: TcpListener, desk: Desk, mut stopping: watch::Receiver<bool>) {
    let slots = Arc::new(Semaphore::new(MAX_SESSIONS));
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
                let slot = slots.clone().try_acquire_owned();
                sessions.spawn(async move {
                    let (read, mut write) = socket.into_split();
                    let Ok(_slot) = slot else {
                        let _ = write.write_all(b"421 4.3.2 too many connections, try again later\r\n").await;
                        return;
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

/// The state of one SMTP session.
struct Session {
    desk: Desk,
    peer: SocketAddr,
    out: OwnedWriteHalf,
    greeted: bool,
    sender: Option<String>,
    recipients: Vec<Id>,
    errors: u32,
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
                line = tokio::time::timeout(COMMAND_TIMEOUT, read_line(&mut reader, &mut buf, MAX_COMMAND)) => Some(line),
            };
            let Some(line) = line else {
                return self
                    .send(Reply::new(421, "4.3.2 the desk is shutting down"))
                    .await;
            };
            let line = match line {
                Err(_) => {
                    return self
                        .send(Reply::new(421, "4.4.2 idle too long, closing"))
                        .await;
                }
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
                Ok((reply, next)) => {
                    self.send(reply).await?;
                    match next {
                        Next::Continue => {}
                        Next::Quit => return Ok(()),
                        Next::Data => {
                            let reply = self.data(&mut reader).await?;
                            self.send(reply).await?;
                        }
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
                self.greeted = true;
                let text = format!(
                    "frontdesk greets {arg}\nSIZE {}\n8BITMIME\nPIPELINING\nENHANCEDSTATUSCODES",
                    self.desk.limits.message
                );
                Ok((Reply::new(250, text), Next::Continue))
            }
            "HELO" => {
                self.reset();
                self.greeted = true;
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

    /// Reads the mail after 354, dot-unstuffed, and stores it; the reply follows the commit.
    async fn data<R: AsyncBufRead + Unpin>(&mut self, reader: &mut R) -> std::io::Result<Reply> {
        let limit = self.desk.limits.message;
        let read = tokio::time::timeout(DATA_TIMEOUT, async {
            let mut raw = Vec::new();
            let mut line = Vec::new();
            let mut oversize = false;
            loop {
                match read_line(reader, &mut line, limit + 2).await? {
                    Line::Eof => return Ok(None),
                    Line::TooLong => oversize = true,
                    Line::Text(bytes) => {
                        if bytes == b".\r\n" || bytes == b".\n" {
                            return Ok(Some((raw, oversize)));
                        }
                        let body: &[u8] = bytes.strip_prefix(b".".as_slice()).unwrap_or(&bytes);
                        if raw.len() + body.len() > limit {
                            oversize = true;
                        }
                        if !oversize {
                            raw.extend_from_slice(body);
                        }
                    }
                }
            }
        })
        .await;
        let (raw, oversize) = match read {
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
            Ok(Ok(Some(read))) => read,
        };
        let recipients = std::mem::take(&mut self.recipients);
        self.sender = None;
        if oversize {
            return Ok(Reply::new(
                552,
                format!("5.3.4 message exceeds the limit of {limit} bytes; nothing was stored"),
            ));
        }
        let mut stored = Vec::new();
        for channel in recipients {
            match receive(
                &self.desk.store,
                &self.desk.files,
                channel,
                &raw,
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

    /// The reply for a mail that could not be stored.
    fn refusal(&self, error: ReceiveError) -> Reply {
        let one_line = |s: String| s.replace(['\r', '\n'], " ");
        match error {
            ReceiveError::Mail(
                e @ (MailError::TooLarge { .. } | MailError::AttachmentTooLarge { .. }),
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
