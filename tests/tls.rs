//! TLS from outside: `frontdesk serve --tls-cert --tls-key` with a throw-away CA made here,
//! the API over https and the live stream over wss, the terminal client trusting the CA with
//! `--ca-cert`, and clear errors for bad certificate files and an untrusted certificate.

mod common;

use common::pty::Pty;
use common::{Api, BIN, Desk, customer};
use frontdesk::server::signature::sign;
use futures_util::StreamExt;
use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, DnType, IsCa, KeyPair, KeyUsagePurpose,
};
use reqwest::StatusCode;
use rustls_pki_types::pem::PemObject;
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio_tungstenite::Connector;
use tokio_tungstenite::tungstenite::Message;

/// A CA and a certificate it signed for `localhost` and `127.0.0.1`, as PEM files.
struct Pki {
    dir: tempfile::TempDir,
    ca_pem: String,
}

impl Pki {
    fn new() -> Pki {
        let dir = tempfile::tempdir().unwrap();
        let mut ca = CertificateParams::new(Vec::<String>::new()).unwrap();
        ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        ca.distinguished_name
            .push(DnType::CommonName, "frontdesk test CA");
        ca.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        let ca = CertifiedIssuer::self_signed(ca, KeyPair::generate().unwrap()).unwrap();
        let key = KeyPair::generate().unwrap();
        let cert = CertificateParams::new(vec!["localhost".into(), "127.0.0.1".into()])
            .unwrap()
            .signed_by(&key, &*ca)
            .unwrap();
        let pki = Pki {
            dir,
            ca_pem: ca.pem(),
        };
        std::fs::write(pki.path("ca.pem"), &pki.ca_pem).unwrap();
        std::fs::write(pki.path("cert.pem"), cert.pem()).unwrap();
        std::fs::write(pki.path("key.pem"), key.serialize_pem()).unwrap();
        std::fs::write(
            pki.path("other-key.pem"),
            KeyPair::generate().unwrap().serialize_pem(),
        )
        .unwrap();
        pki
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn arg(&self, name: &str) -> String {
        self.path(name).to_str().unwrap().to_string()
    }

    /// A desk served over TLS with this certificate.
    fn desk(&self) -> Desk {
        let desk = Desk::start_with(&[
            "--tls-cert",
            &self.arg("cert.pem"),
            "--tls-key",
            &self.arg("key.pem"),
        ]);
        assert!(desk.url.starts_with("https://127.0.0.1:"), "{}", desk.url);
        desk
    }

    /// An HTTP client trusting the CA.
    fn http(&self) -> reqwest::Client {
        let ca = reqwest::Certificate::from_pem(self.ca_pem.as_bytes()).unwrap();
        reqwest::Client::builder()
            .tls_certs_merge([ca])
            .build()
            .unwrap()
    }

    /// A websocket TLS set-up trusting only the CA.
    fn connector(&self) -> Connector {
        let mut roots = rustls::RootCertStore::empty();
        let der = rustls_pki_types::CertificateDer::from_pem_slice(self.ca_pem.as_bytes());
        roots.add(der.unwrap()).unwrap();
        let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
        let config = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_root_certificates(roots)
            .with_no_client_auth();
        Connector::Rustls(Arc::new(config))
    }
}

/// Creates a custom channel over https as the admin; returns (id, secret).
async fn custom_channel(desk: &Desk, http: &reqwest::Client) -> (i64, String) {
    let admin = Api {
        base: format!("{}/api/v1", desk.url),
        token: desk.admin.clone(),
        http: http.clone(),
    };
    let (status, body) = admin
        .post("/channels", json!({"kind": "custom", "name": "Bridge"}))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    (
        body["id"].as_i64().unwrap(),
        body["secret"].as_str().unwrap().to_string(),
    )
}

/// Posts a signed customer message over https; returns the answer.
async fn inbound(
    desk: &Desk,
    http: &reqwest::Client,
    (channel, secret): &(i64, String),
    message: &Value,
) -> Value {
    let raw = serde_json::to_vec(message).unwrap();
    let resp = http
        .post(format!("{}/api/v1/channels/{channel}/inbound", desk.url))
        .header("content-type", "application/json")
        .header("x-frontdesk-signature", sign(secret, &raw))
        .body(raw)
        .send()
        .await
        .unwrap();
    assert!(resp.status().is_success(), "{}", resp.status());
    resp.json().await.unwrap()
}

#[tokio::test]
async fn the_api_works_over_https_and_live_events_arrive_over_wss() {
    let pki = Pki::new();
    let mut desk = pki.desk();
    let http = pki.http();
    let agent = Api {
        base: format!("{}/api/v1", desk.url),
        token: desk.agent.clone(),
        http: http.clone(),
    };
    assert_eq!(agent.ok("/me").await["email"], "bo@desk.example");

    // The certificate is really checked: without the CA the same request fails.
    let untrusted = reqwest::Client::new()
        .get(format!("{}/api/v1/me", desk.url))
        .send()
        .await
        .unwrap_err();
    assert!(untrusted.is_connect(), "{untrusted:?}");
    assert!(
        format!("{untrusted:?}").contains("UnknownIssuer"),
        "{untrusted:?}"
    );

    let channel = custom_channel(&desk, &http).await;
    let url = format!(
        "{}/api/v1/events?token={}",
        desk.url.replace("https://", "wss://"),
        desk.agent
    );
    let (mut ws, _) =
        tokio_tungstenite::connect_async_tls_with_config(url, None, true, Some(pki.connector()))
            .await
            .expect("wss connects with the CA");
    let posted = inbound(&desk, &http, &channel, &customer("t1", "u1", "over TLS")).await;
    let event = loop {
        let frame = tokio::time::timeout(Duration::from_secs(10), ws.next())
            .await
            .expect("an event within 10 s")
            .expect("stream open")
            .expect("frame");
        if let Message::Text(text) = frame {
            let event: Value = serde_json::from_str(&text).unwrap();
            if event["type"] == "message.created" {
                break event;
            }
        }
    };
    assert_eq!(event["message"]["body"], "over TLS");
    assert_eq!(event["conversation_id"], posted["conversation_id"]);

    // SIGTERM still stops cleanly and says goodbye on the encrypted stream.
    assert!(desk.terminate(), "SIGTERM exits with success");
    let close = loop {
        match tokio::time::timeout(Duration::from_secs(10), ws.next())
            .await
            .unwrap()
        {
            Some(Ok(Message::Close(f))) => break f.expect("a close frame with a reason"),
            Some(Ok(_)) => continue,
            other => panic!("stream ended without a close frame: {other:?}"),
        }
    };
    assert_eq!(u16::from(close.code), 1001);
}

/// Runs `frontdesk args…`, expecting it to exit (not to serve) within 10 s; gives
/// (success, stdout, stderr).
fn run_to_exit(args: &[&str], env: &[(&str, &Path)]) -> (bool, String, String) {
    let mut cmd = Command::new(BIN);
    cmd.args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().unwrap();
    let until = Instant::now() + Duration::from_secs(10);
    while child.try_wait().unwrap().is_none() {
        if Instant::now() > until {
            child.kill().unwrap();
            panic!("frontdesk {args:?} kept running");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let out = child.wait_with_output().unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn serve_refuses_missing_unreadable_or_mismatched_tls_files_before_listening() {
    let pki = Pki::new();
    let data = tempfile::tempdir().unwrap();
    std::fs::write(pki.path("garbage.pem"), "not a certificate\n").unwrap();
    let serve = |cert: &str, key: &str| {
        run_to_exit(
            &[
                "serve",
                "--data",
                data.path().to_str().unwrap(),
                "--listen",
                "127.0.0.1:0",
                "--tls-cert",
                &pki.arg(cert),
                "--tls-key",
                &pki.arg(key),
            ],
            &[],
        )
    };
    let cases = [
        ("cert.pem", "missing.pem", "missing.pem"),
        ("missing.pem", "key.pem", "missing.pem"),
        ("garbage.pem", "key.pem", "no PEM certificate"),
        ("cert.pem", "garbage.pem", "no usable PEM private key"),
        (
            "cert.pem",
            "other-key.pem",
            "does not belong to the certificate",
        ),
    ];
    for (cert, key, expected) in cases {
        let (ok, stdout, stderr) = serve(cert, key);
        assert!(!ok, "{cert} + {key} was accepted");
        assert!(!stdout.contains("listening"), "{cert} + {key}: {stdout}");
        assert!(stderr.contains(expected), "{cert} + {key}: {stderr}");
    }

    // Both or neither.
    let (ok, _, stderr) = run_to_exit(
        &[
            "serve",
            "--data",
            data.path().to_str().unwrap(),
            "--tls-cert",
            &pki.arg("cert.pem"),
        ],
        &[],
    );
    assert!(!ok);
    assert!(stderr.contains("--tls-key"), "{stderr}");
}

#[test]
fn without_the_ca_the_client_names_the_url_and_the_certificate_problem_and_leaves_the_terminal_alone()
 {
    let pki = Pki::new();
    let desk = pki.desk();
    let home = tempfile::tempdir().unwrap();
    let env = [
        ("HOME", home.path()),
        ("XDG_CONFIG_HOME", home.path()),
        ("XDG_STATE_HOME", home.path()),
        ("XDG_DATA_HOME", home.path()),
    ];
    let (ok, stdout, stderr) = run_to_exit(&["--server", &desk.url, "--token", &desk.agent], &env);
    assert!(!ok);
    assert!(stderr.contains(&desk.url), "{stderr}");
    assert!(
        stderr.contains("certificate is signed by a CA this client does not trust"),
        "{stderr}"
    );
    assert!(stderr.contains("--ca-cert"), "{stderr}");
    assert!(
        !stderr.contains(&desk.agent),
        "the token was printed: {stderr}"
    );
    assert!(
        !stdout.contains('\u{1b}') && !stderr.contains('\u{1b}'),
        "escape codes before the error"
    );

    // The CA can also come from the config file or the environment: the certificate then
    // passes and the (wrong) token is what the server refuses.
    let wrong = ["--server", &desk.url, "--token", "fdk_wrong"];
    let config = home.path().join("config.toml");
    std::fs::write(&config, format!("ca_cert = {:?}\n", pki.arg("ca.pem"))).unwrap();
    let with_config = [&wrong[..], &["--config", config.to_str().unwrap()]].concat();
    let (ok, _, stderr) = run_to_exit(&with_config, &env);
    assert!(!ok);
    assert!(stderr.contains("the token was refused"), "{stderr}");
    let ca = pki.path("ca.pem");
    let with_env = [&env[..], &[("FRONTDESK_CA_CERT", ca.as_path())]].concat();
    let (ok, _, stderr) = run_to_exit(&wrong, &with_env);
    assert!(!ok);
    assert!(stderr.contains("the token was refused"), "{stderr}");

    // A CA file that cannot be used is named.
    let missing = [&wrong[..], &["--ca-cert", "/nonexistent/ca.pem"]].concat();
    let (ok, _, stderr) = run_to_exit(&missing, &env);
    assert!(!ok);
    assert!(stderr.contains("/nonexistent/ca.pem"), "{stderr}");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_client_trusts_the_desks_ca_with_ca_cert_and_shows_live_conversations() {
    let pki = Pki::new();
    let desk = pki.desk();
    let http = pki.http();
    let channel = custom_channel(&desk, &http).await;
    inbound(
        &desk,
        &http,
        &channel,
        &customer("old", "u1", "Invoice question"),
    )
    .await;
    let home = tempfile::tempdir().unwrap();
    let (url, token, ca, h) = (
        desk.url.clone(),
        desk.agent.clone(),
        pki.arg("ca.pem"),
        home.path().to_path_buf(),
    );
    let mut screen = tokio::task::spawn_blocking(move || {
        Pty::start(&["--server", &url, "--token", &token, "--ca-cert", &ca], &h)
    })
    .await
    .unwrap();
    screen.wait_for("Invoice question");
    screen.wait_for("live");

    // A conversation that starts now reaches the screen over wss.
    inbound(
        &desk,
        &http,
        &channel,
        &customer("new", "u2", "Printer on fire"),
    )
    .await;
    let screen = tokio::task::spawn_blocking(move || {
        screen.wait_for("Printer on fire");
        screen.keys("q");
        screen.child.wait().unwrap()
    })
    .await
    .unwrap();
    assert!(screen.success(), "the client did not quit cleanly");
}
