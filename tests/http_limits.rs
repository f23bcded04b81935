//! The HTTP server holds against slow and numerous clients, over raw sockets to the real
//! binary: slow request heads and dripped bodies are cut off, connections beyond the cap are
//! closed, and websockets live on past the timeouts.

mod common;

use common::{Desk, customer};
use serde_json::Value;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::time::timeout;

/// Generous: the machine may be busy.
const PATIENCE: Duration = Duration::from_secs(60);

fn addr(desk: &Desk) -> String {
    desk.url.trim_start_matches("http://").to_string()
}

/// Reads until the server closes the connection; answers what it sent. Fails after
/// `PATIENCE`.
async fn read_until_closed(stream: &mut TcpStream) -> String {
    let mut all = Vec::new();
    timeout(PATIENCE, async {
        let mut buf = [0u8; 4096];
        loop {
            match stream.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => all.extend_from_slice(&buf[..n]),
            }
        }
    })
    .await
    .expect("the server closes the connection");
    String::from_utf8_lossy(&all).into_owned()
}

/// Sends `bytes` one at a time, each once the server has said nothing for a moment, until
/// the server answers or closes; answers everything it sent. Fails after `PATIENCE`.
async fn drip_until_closed(stream: &mut TcpStream, bytes: &[u8]) -> String {
    let mut all = Vec::new();
    timeout(PATIENCE, async {
        let mut buf = [0u8; 4096];
        for byte in bytes.iter().cycle() {
            if stream.write_all(&[*byte]).await.is_err() {
                break;
            }
            match timeout(Duration::from_millis(100), stream.read(&mut buf)).await {
                Err(_) => continue,
                Ok(Ok(0) | Err(_)) => break,
                Ok(Ok(n)) => all.extend_from_slice(&buf[..n]),
            }
        }
    })
    .await
    .expect("the server cuts the drip off");
    all.extend(read_until_closed(stream).await.into_bytes());
    String::from_utf8_lossy(&all).into_owned()
}

/// A keep-alive `GET /healthz` on `stream`; fails unless it answers 200.
async fn healthz(stream: &mut TcpStream) {
    stream
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: desk\r\n\r\n")
        .await
        .unwrap();
    let mut buf = [0u8; 1024];
    let n = timeout(PATIENCE, stream.read(&mut buf))
        .await
        .expect("an answer")
        .unwrap();
    let answer = String::from_utf8_lossy(&buf[..n]);
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
}

#[tokio::test]
async fn a_client_that_stops_in_the_middle_of_its_headers_is_closed() {
    let desk = Desk::start_with(&["--http-header-timeout", "1"]);
    let mut stream = TcpStream::connect(addr(&desk)).await.unwrap();
    stream
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: desk\r\nX-Half: ")
        .await
        .unwrap();
    let answer = read_until_closed(&mut stream).await;
    assert!(!answer.contains("200 OK"), "{answer}");
}

#[tokio::test]
async fn headers_dripped_a_byte_at_a_time_are_cut_off() {
    let desk = Desk::start_with(&["--http-header-timeout", "1"]);
    let mut stream = TcpStream::connect(addr(&desk)).await.unwrap();
    stream
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: desk\r\n")
        .await
        .unwrap();
    let answer = drip_until_closed(&mut stream, b"X-Slow: drip\r\n").await;
    assert!(!answer.contains("200 OK"), "{answer}");
}

#[tokio::test]
async fn a_body_dripped_a_byte_at_a_time_gets_408_and_the_connection_is_closed() {
    let desk = Desk::start_with(&["--http-body-timeout", "1"]);
    let (channel, _) = desk.custom_channel("Bridge").await;
    let before = desk.api(&desk.agent).seq().await;
    let mut stream = TcpStream::connect(addr(&desk)).await.unwrap();
    stream
        .write_all(
            format!(
                "POST /api/v1/channels/{channel}/inbound HTTP/1.1\r\nHost: desk\r\n\
Content-Type: application/json\r\nContent-Length: 100000\r\n\r\n"
            )
            .as_bytes(),
        )
        .await
        .unwrap();
    let answer = drip_until_closed(&mut stream, b"{\"text\": \"slow\"} ").await;
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    let body: Value = serde_json::from_str(answer.split("\r\n\r\n").nth(1).unwrap()).unwrap();
    assert_eq!(body["error"]["code"], "request_timeout", "{body}");
    assert_eq!(desk.api(&desk.agent).seq().await, before, "nothing stored");
}

#[tokio::test]
async fn connections_beyond_the_cap_are_closed_and_a_freed_place_is_taken_again() {
    let desk = Desk::start_with(&["--max-connections", "2"]);
    let mut first = TcpStream::connect(addr(&desk)).await.unwrap();
    healthz(&mut first).await;
    let mut second = TcpStream::connect(addr(&desk)).await.unwrap();
    healthz(&mut second).await;
    let mut third = TcpStream::connect(addr(&desk)).await.unwrap();
    assert_eq!(
        read_until_closed(&mut third).await,
        "",
        "closed without a word"
    );
    healthz(&mut second).await;

    drop(first);
    timeout(PATIENCE, async {
        loop {
            let mut next = TcpStream::connect(addr(&desk)).await.unwrap();
            let _ = next
                .write_all(b"GET /healthz HTTP/1.1\r\nHost: desk\r\n\r\n")
                .await;
            let mut buf = [0u8; 1024];
            if let Ok(n) = next.read(&mut buf).await
                && buf[..n].starts_with(b"HTTP/1.1 200")
            {
                break;
            }
        }
    })
    .await
    .expect("the freed place is taken again");
}

#[tokio::test]
async fn the_event_stream_stays_open_past_the_timeouts() {
    let desk = Desk::start_with(&["--http-header-timeout", "1", "--http-body-timeout", "1"]);
    let (channel, secret) = desk.custom_channel("Bridge").await;
    let mut events = desk.events(&desk.agent, None).await;
    // A half-sent request is closed once the header timeout has passed on the server's clock…
    let mut slow = TcpStream::connect(addr(&desk)).await.unwrap();
    slow.write_all(b"GET /healthz HTTP/1.1\r\n").await.unwrap();
    read_until_closed(&mut slow).await;
    // …and the event stream, opened before it, still delivers.
    let (status, _) = desk
        .inbound(channel, &secret, &customer("t1", "c1", "still there?"))
        .await;
    assert!(status.is_success());
    let event = events.until("message.created").await;
    assert_eq!(event["message"]["body"], "still there?", "{event}");
}
