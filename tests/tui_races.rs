//! The real client in a pseudo-terminal, talking to a real server through a proxy that holds
//! every answer back for a random while, so answers arrive late and out of order. After each
//! burst of fast keys (tab switches, a pasted filter, fast typing, paging) every row on screen
//! must belong to the view and filter the screen names, and a bulk action must change exactly
//! the marked conversations.

mod common;

use common::pty::Pty;
use common::{Api, Desk, customer};
use rand::RngExt;
use serde_json::json;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// Longest a chunk of an answer is held back.
const MAX_DELAY_MS: u64 = 250;

/// A TCP proxy on loopback that forwards requests at once and answers after a random delay.
struct DelayProxy {
    url: String,
    /// Chunks of answers read from the server and not yet passed on.
    held: Arc<AtomicUsize>,
}

impl DelayProxy {
    async fn start(upstream: &str) -> DelayProxy {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let upstream = upstream
            .trim_start_matches("http://")
            .trim_end_matches('/')
            .to_string();
        let held = Arc::new(AtomicUsize::new(0));
        let h = held.clone();
        tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                let server = TcpStream::connect(&upstream).await.unwrap();
                tokio::spawn(pipe(client, server, h.clone()));
            }
        });
        DelayProxy { url, held }
    }

    fn idle(&self) -> bool {
        self.held.load(Ordering::SeqCst) == 0
    }
}

/// Client to server as it comes; server to client a chunk at a time, each after a random
/// delay (the network on a bad day: answers on different connections overtake each other).
async fn pipe(client: TcpStream, server: TcpStream, held: Arc<AtomicUsize>) {
    let (mut client_read, mut client_write) = client.into_split();
    let (mut server_read, mut server_write) = server.into_split();
    tokio::spawn(async move {
        let _ = tokio::io::copy(&mut client_read, &mut server_write).await;
        let _ = server_write.shutdown().await;
    });
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = match server_read.read(&mut buf).await {
            Ok(0) | Err(_) => break,
            Ok(n) => n,
        };
        held.fetch_add(1, Ordering::SeqCst);
        let delay = rand::rng().random_range(0..=MAX_DELAY_MS);
        tokio::time::sleep(Duration::from_millis(delay)).await;
        let sent = client_write.write_all(&buf[..n]).await;
        held.fetch_sub(1, Ordering::SeqCst);
        if sent.is_err() {
            break;
        }
    }
}

/// The built-in views and their queries, as the tabs name them.
const VIEWS: &[(&str, &str)] = &[
    ("Open", "status=open"),
    ("Mine", "status=open&assignee=me"),
    ("Unassigned", "status=open&assignee=unassigned"),
    ("Waiting on us", "status=waiting_on_us"),
    ("Snoozed", "status=snoozed"),
    ("Closed", "status=closed"),
    ("All", ""),
];

/// What the list pane shows: its view, its filter, whether it is still loading, and the
/// subject numbers of its rows (`T042`) in order, with the marked ones.
#[derive(Debug)]
struct ListScreen {
    view: String,
    filter: String,
    loading: bool,
    rows: Vec<u32>,
    marked: Vec<u32>,
}

fn parse(rows: &[String]) -> Option<ListScreen> {
    let title = rows.first()?;
    let inner = title
        .strip_prefix("┏ ")
        .or_else(|| title.strip_prefix("┌ "))?;
    let view = VIEWS
        .iter()
        .map(|(name, _)| *name)
        .filter(|name| inner.starts_with(name))
        .max_by_key(|name| name.len())?
        .to_string();
    let loading = inner.contains(" … ") || !inner[view.len()..].starts_with(" (");
    let filter_line = rows.get(2)?.trim_start_matches(['│', '┃']);
    let filter = match filter_line.strip_prefix('/') {
        Some(f) if !filter_line.starts_with("/ to search") => f
            .split(['│', '┃', '▏'])
            .next()
            .unwrap_or("")
            .trim()
            .to_string(),
        _ => String::new(),
    };
    let mut list = Vec::new();
    let mut marked = Vec::new();
    for row in &rows[3..rows.len().saturating_sub(2)] {
        let Some(at) = row.find('T') else { continue };
        let digits: String = row[at + 1..].chars().take(3).collect();
        if let Ok(n) = digits.parse::<u32>()
            && digits.len() == 3
        {
            list.push(n);
            if row.contains('✓') {
                marked.push(n);
            }
        }
    }
    Some(ListScreen {
        view,
        filter,
        loading,
        rows: list,
        marked,
    })
}

/// The subject numbers of every conversation the server lists for `view` and `filter`, in
/// its order.
async fn expected(api: &Api, view: &str, filter: &str) -> Vec<u32> {
    let query = VIEWS.iter().find(|(name, _)| *name == view).unwrap().1;
    let mut numbers = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let mut q = format!("{query}&limit=100");
        if !filter.is_empty() {
            q.push_str(&format!("&q={filter}"));
        }
        if let Some(c) = &cursor {
            q.push_str(&format!("&cursor={c}"));
        }
        let page = api.ok(&format!("/conversations?{q}")).await;
        for c in page["items"].as_array().unwrap() {
            let subject = c["subject"].as_str().unwrap();
            numbers.push(subject[1..4].parse().unwrap());
        }
        match page["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_string()),
            None => return numbers,
        }
    }
}

/// Waits until the list shows the view and filter the keys asked for and has settled (its
/// answer applied, nothing held in the proxy), then checks that every row shown belongs to
/// that view and filter, in the server's order.
async fn assert_rows_match(
    pty: &Pty,
    proxy: &DelayProxy,
    api: &Api,
    burst: &str,
    (view, filter): (&str, &str),
) -> ListScreen {
    for _ in 0..2 {
        let deadline = std::time::Instant::now() + Duration::from_secs(30);
        loop {
            let settled = pty
                .frame_rows()
                .as_deref()
                .and_then(parse)
                .is_some_and(|s| !s.loading && s.view == view && s.filter == filter);
            if settled && proxy.idle() {
                break;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "{burst}: never settled\n{}",
                pty.text()
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    let shown = loop {
        if let Some(shown) = pty.frame_rows().as_deref().and_then(parse) {
            break shown;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "{burst}: no whole frame"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    let all = expected(api, &shown.view, &shown.filter).await;
    let positions: Vec<Option<usize>> = shown
        .rows
        .iter()
        .map(|n| all.iter().position(|x| x == n))
        .collect();
    assert!(
        positions.iter().all(Option::is_some),
        "{burst}: rows not in {:?} /{}: {:?} (expected among {all:?})\n{}",
        shown.view,
        shown.filter,
        shown.rows,
        pty.text()
    );
    assert!(
        positions.windows(2).all(|w| w[0] < w[1]),
        "{burst}: rows out of the server's order\n{}",
        pty.text()
    );
    if all.is_empty() {
        assert!(shown.rows.is_empty());
    } else {
        assert!(
            !shown.rows.is_empty(),
            "{burst}: an empty list where {} rows belong\n{}",
            all.len(),
            pty.text()
        );
    }
    shown
}

/// A desk of 90 conversations spread over the views, subjects `T000 alpha` … `T089 delta`.
async fn desk_with_conversations() -> (Desk, BTreeMap<u32, i64>) {
    let desk = Desk::start();
    let (ch, secret) = desk.custom_channel("Bridge").await;
    let admin = desk.api(&desk.admin);
    let me = desk.api(&desk.agent).ok("/me").await["id"]
        .as_i64()
        .unwrap();
    let words = ["alpha", "beta", "gamma", "delta"];
    let mut ids = BTreeMap::new();
    for i in 0..90u32 {
        let text = format!("T{i:03} {} report", words[i as usize % 4]);
        let (_, r) = desk
            .inbound(
                ch,
                &secret,
                &customer(&format!("t{i}"), &format!("c{i}"), &text),
            )
            .await;
        let id = r["conversation_id"].as_i64().unwrap();
        ids.insert(i, id);
        let mut patch = serde_json::Map::new();
        if i % 3 == 0 {
            patch.insert("owner_id".into(), json!(me));
        }
        match i % 5 {
            0 => patch.insert("status".into(), json!("waiting_on_us")),
            1 => patch.insert("status".into(), json!("closed")),
            _ => None,
        };
        if !patch.is_empty() {
            let (status, body) = admin
                .patch(&format!("/conversations/{id}"), patch.into())
                .await;
            assert!(status.is_success(), "{body}");
        }
    }
    (desk, ids)
}

#[tokio::test(flavor = "multi_thread")]
async fn late_and_reordered_answers_never_show_or_act_on_the_wrong_rows() {
    let (desk, ids) = desk_with_conversations().await;
    let proxy = DelayProxy::start(&desk.url).await;
    let api = desk.api(&desk.agent);
    let home = tempfile::tempdir().unwrap();
    let (url, token, h) = (
        proxy.url.clone(),
        desk.agent.clone(),
        home.path().to_path_buf(),
    );
    let mut pty = tokio::task::spawn_blocking(move || {
        Pty::start(&["--server", &url, "--token", &token, "--no-bell"], &h)
    })
    .await
    .unwrap();
    pty.wait_for("T0");

    // Each burst, and the view and filter it leaves the list on.
    let bursts: &[(&str, &str, (&str, &str))] = &[
        ("three tab switches", "]]]", ("Waiting on us", "")),
        ("back and forth", "[[][]", ("Unassigned", "")),
        (
            "a pasted filter",
            "[[[/\u{1b}[200~alpha\u{1b}[201~\r",
            ("All", "alpha"),
        ),
        ("the filter typed fast", "/\u{15}beta\r", ("All", "beta")),
        (
            "typed and corrected",
            "/\u{15}gammx\u{7f}a\r",
            ("All", "gamma"),
        ),
        ("a tab switch under a filter", "]]", ("Mine", "gamma")),
        (
            "filter cleared and paged to the end",
            "/\u{15}\r[[[[[[GGG",
            ("Unassigned", ""),
        ),
        ("G then ] in quick succession", "G]", ("Waiting on us", "")),
        ("paging while switching", "[G]G[G", ("Unassigned", "")),
        ("back to Open", "[[", ("Open", "")),
    ];
    for (burst, keys, shown) in bursts {
        pty.keys(keys);
        assert_rows_match(&pty, &proxy, &api, burst, *shown).await;
    }

    // On Open, unfiltered: mark three rows, close them; exactly those change.
    let before: BTreeMap<u32, String> = status_of(&api, &ids).await;
    pty.keys("gxxx");
    pty.wait_until("three marks", |rows| {
        parse(rows).is_some_and(|s| s.marked.len() == 3)
    });
    let marked: BTreeSet<u32> = parse(&pty.rows()).unwrap().marked.into_iter().collect();
    pty.keys("c");
    pty.wait_for("close 3 conversations? y/n");
    // Answers to earlier requests still arriving now cannot change what was marked.
    pty.keys("y");
    pty.wait_for("3 closed");
    let after = status_of(&api, &ids).await;
    for (n, status) in &after {
        if marked.contains(n) {
            assert_eq!(status, "closed", "T{n:03} was marked");
        } else {
            assert_eq!(Some(status), before.get(n), "T{n:03} was not marked");
        }
    }
}

/// The status of every conversation, by subject number.
async fn status_of(api: &Api, ids: &BTreeMap<u32, i64>) -> BTreeMap<u32, String> {
    let mut out = BTreeMap::new();
    for (n, id) in ids {
        let c = api.ok(&format!("/conversations/{id}")).await;
        out.insert(*n, c["status"].as_str().unwrap().to_string());
    }
    out
}
