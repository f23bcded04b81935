//! A fake integration on loopback: receives reply webhooks, checks their signature and
//! timestamp with its own HMAC code, and answers as scripted (200 unless told otherwise).
#![allow(dead_code)]

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use hmac::{Hmac, KeyInit, Mac};
use serde_json::Value;
use sha2::Sha256;
use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Oldest timestamp the receiver accepts, as a real integration should.
const TOLERANCE_SECS: i64 = 300;

/// One webhook as it arrived.
#[derive(Debug, Clone)]
pub struct Received {
    pub body: Value,
    /// Whether the signature matched `"<timestamp>.<raw body>"` under the secret.
    pub signature_ok: bool,
    /// Whether the timestamp was within five minutes of now.
    pub fresh: bool,
    pub idempotency_key: Option<String>,
}

#[derive(Default)]
struct Inner {
    secret: String,
    script: VecDeque<(u16, String)>,
    received: Vec<Received>,
    /// When set, the next request is answered only once this is released.
    hold: Option<tokio::sync::oneshot::Receiver<()>>,
}

/// The receiver's shared state; survives a stop and a start on the same port.
#[derive(Clone, Default)]
pub struct Receiver {
    inner: Arc<Mutex<Inner>>,
    pub addr: Option<SocketAddr>,
    stop: Option<Arc<tokio::sync::Notify>>,
}

fn verify(secret: &str, headers: &HeaderMap, body: &[u8]) -> (bool, bool) {
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    let (Some(ts), Some(sig)) = (
        header("x-frontdesk-timestamp"),
        header("x-frontdesk-signature"),
    ) else {
        return (false, false);
    };
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(ts.as_bytes());
    mac.update(b".");
    mac.update(body);
    let ok = sig
        .strip_prefix("sha256=")
        .and_then(|h| hex::decode(h).ok())
        .is_some_and(|raw| mac.verify_slice(&raw).is_ok());
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let fresh = ts
        .parse::<i64>()
        .is_ok_and(|t| (now - t).abs() <= TOLERANCE_SECS);
    (ok, fresh)
}

async fn hook(
    State(inner): State<Arc<Mutex<Inner>>>,
    headers: HeaderMap,
    body: Bytes,
) -> (StatusCode, String) {
    let (answer, hold) = answer(&inner, &headers, &body);
    if let Some(release) = hold {
        let _ = release.await;
    }
    answer
}

/// Records a request and picks its answer; and the hold to wait for first, if one was set.
fn answer(
    inner: &Mutex<Inner>,
    headers: &HeaderMap,
    body: &[u8],
) -> (
    (StatusCode, String),
    Option<tokio::sync::oneshot::Receiver<()>>,
) {
    let mut inner = inner.lock().unwrap();
    let hold = inner.hold.take();
    let (signature_ok, fresh) = verify(&inner.secret, headers, body);
    inner.received.push(Received {
        body: serde_json::from_slice(body).unwrap_or(Value::Null),
        signature_ok,
        fresh,
        idempotency_key: headers
            .get("idempotency-key")
            .and_then(|v| v.to_str().ok())
            .map(str::to_string),
    });
    if !signature_ok || !fresh {
        return ((StatusCode::UNAUTHORIZED, "bad signature".into()), hold);
    }
    let n = inner.received.len();
    let (status, text) = inner
        .script
        .pop_front()
        .unwrap_or((200, format!(r#"{{"external_id": "ext-{n}"}}"#)));
    ((StatusCode::from_u16(status).unwrap(), text), hold)
}

impl Receiver {
    /// A receiver listening on a free loopback port.
    pub async fn start() -> Receiver {
        let mut r = Receiver::default();
        r.listen("127.0.0.1:0".parse().unwrap()).await;
        r
    }

    /// Starts listening on `addr` (again).
    pub async fn listen(&mut self, addr: SocketAddr) {
        let listener = tokio::net::TcpListener::bind(addr).await.unwrap();
        self.addr = Some(listener.local_addr().unwrap());
        let stop = Arc::new(tokio::sync::Notify::new());
        let stopped = stop.clone();
        let app = axum::Router::new()
            .route("/hook", axum::routing::post(hook))
            .with_state(self.inner.clone());
        tokio::spawn(async move {
            axum::serve(listener, app)
                .with_graceful_shutdown(async move { stopped.notified().await })
                .await
                .unwrap();
        });
        self.stop = Some(stop);
    }

    /// Stops listening: connections are refused until `listen` again.
    pub async fn stop(&mut self) {
        if let Some(stop) = self.stop.take() {
            stop.notify_one();
        }
        // Wait (10 s at most) until the port refuses connections.
        for _ in 0..500 {
            if tokio::net::TcpStream::connect(self.addr.unwrap())
                .await
                .is_err()
            {
                return;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        panic!("the receiver did not stop");
    }

    /// The URL to register as the channel's webhook_url.
    pub fn url(&self) -> String {
        format!("http://{}/hook", self.addr.unwrap())
    }

    /// The channel secret to verify signatures with.
    pub fn set_secret(&self, secret: &str) {
        self.inner.lock().unwrap().secret = secret.to_string();
    }

    /// Answers the next requests with these statuses and bodies, then 200 again.
    pub fn script(&self, answers: &[(u16, &str)]) {
        let mut inner = self.inner.lock().unwrap();
        inner.script = answers.iter().map(|(s, b)| (*s, b.to_string())).collect();
    }

    /// Holds the answer to the next request (recorded on arrival as usual) until the returned
    /// sender is used or dropped.
    pub fn hold_next(&self) -> tokio::sync::oneshot::Sender<()> {
        let (release, hold) = tokio::sync::oneshot::channel();
        self.inner.lock().unwrap().hold = Some(hold);
        release
    }

    /// Waits (10 s at most) until the received webhooks satisfy `done`; returns them.
    pub async fn until(&self, done: impl Fn(&[Received]) -> bool) -> Vec<Received> {
        for _ in 0..400 {
            let got = self.received();
            if done(&got) {
                return got;
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        panic!("the receiver never got there: {:?}", self.received());
    }

    /// Every webhook received so far.
    pub fn received(&self) -> Vec<Received> {
        self.inner.lock().unwrap().received.clone()
    }
}
