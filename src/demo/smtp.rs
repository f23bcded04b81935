//! The email channel's relay: a minimal SMTP server that takes every mail and keeps its
//! Message-ID for the customer, who will answer it.

use super::Inbox;
use tokio::io::{
    AsyncBufRead, AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, BufReader,
};
use tokio::net::TcpListener;
use tokio::task::JoinSet;

/// Longest mail taken, in bytes.
const MAX_MAIL: usize = 30 * 1024 * 1024;
/// Longest command line, in bytes.
const MAX_LINE: usize = 4096;

/// Accepts SMTP sessions on `listener` until the task is stopped.
pub async fn serve(listener: TcpListener, inbox: Inbox) {
    let mut sessions = JoinSet::new();
    loop {
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => {
                    let inbox = inbox.clone();
                    sessions.spawn(async move {
                        if let Err(error) = session(stream, &inbox).await {
                            tracing::debug!(%error, "demo SMTP session ended");
                        }
                    });
                }
                Err(error) => tracing::warn!(%error, "the demo's SMTP sink cannot accept"),
            },
            Some(_) = sessions.join_next(), if !sessions.is_empty() => {}
        }
    }
}

/// One SMTP conversation: every command is accepted; each mail's Message-ID is kept for its
/// recipients.
async fn session(
    stream: impl AsyncRead + AsyncWrite + Unpin,
    inbox: &Inbox,
) -> std::io::Result<()> {
    let (read, mut write) = tokio::io::split(stream);
    let mut lines = BufReader::new(read);
    write
        .write_all(b"220 demo.localhost ESMTP sink\r\n")
        .await?;
    let mut recipients: Vec<String> = Vec::new();
    let mut line = Vec::new();
    loop {
        line.clear();
        if read_line(&mut lines, &mut line, MAX_LINE).await? == 0 {
            return Ok(());
        }
        let command = String::from_utf8_lossy(&line).trim_end().to_string();
        let verb = command
            .split_whitespace()
            .next()
            .unwrap_or_default()
            .to_ascii_uppercase();
        let answer: &[u8] = match verb.as_str() {
            "EHLO" => b"250-demo.localhost\r\n250-8BITMIME\r\n250 SMTPUTF8\r\n",
            "RCPT" => {
                if let Some(address) = angle(&command) {
                    recipients.push(address);
                }
                b"250 OK\r\n"
            }
            "DATA" => {
                write.write_all(b"354 end with <CRLF>.<CRLF>\r\n").await?;
                let mail = read_mail(&mut lines).await?;
                if let Some(id) = mail_parser::MessageParser::default()
                    .parse_headers(&mail)
                    .and_then(|m| m.message_id().map(str::to_string))
                {
                    for to in recipients.drain(..) {
                        inbox.put(&to, id.clone());
                    }
                }
                recipients.clear();
                b"250 OK: delivered to the demo customer\r\n"
            }
            "RSET" => {
                recipients.clear();
                b"250 OK\r\n"
            }
            "QUIT" => {
                write.write_all(b"221 bye\r\n").await?;
                return Ok(());
            }
            _ => b"250 OK\r\n",
        };
        write.write_all(answer).await?;
    }
}

/// Reads one line of at most `max` bytes (longer ones are cut); answers the bytes read.
async fn read_line(
    reader: &mut (impl AsyncBufRead + Unpin),
    line: &mut Vec<u8>,
    max: usize,
) -> std::io::Result<usize> {
    let mut limited = AsyncReadExt::take(reader, max as u64);
    limited.read_until(b'\n', line).await
}

/// The mail after `DATA`, up to the lone dot, dot-unstuffed; bytes past [`MAX_MAIL`] are
/// dropped.
async fn read_mail(reader: &mut (impl AsyncBufRead + Unpin)) -> std::io::Result<Vec<u8>> {
    let mut mail = Vec::new();
    let mut line = Vec::new();
    loop {
        line.clear();
        if read_line(reader, &mut line, MAX_LINE * 4).await? == 0 || line == b".\r\n" {
            return Ok(mail);
        }
        let text = line.strip_prefix(b".").unwrap_or(&line);
        if mail.len() + text.len() <= MAX_MAIL {
            mail.extend_from_slice(text);
        }
    }
}

/// The address between angle brackets of a `RCPT TO:<...>` line.
fn angle(command: &str) -> Option<String> {
    let start = command.find('<')? + 1;
    let end = start + command[start..].find('>')?;
    Some(command[start..end].to_string())
}
