//! The terminal client's half against a real server on loopback: the HTTP API, the
//! resumable event stream and the durable outbox.

use frontdesk::api::{
    ConversationPatch, EventKind, InboundMessage, InboundSender, NewChannel, NewMessage,
    ReplyAttachment,
};
use frontdesk::client::api::{Api, ClientError, ListQuery};
use frontdesk::client::events::{self, Connection, Live};
use frontdesk::client::outbox::{self, EntryState, Extras, Outbox, OutboxUpdate};
use frontdesk::domain::{ChannelKind, Id, Priority, Role, Status};
use frontdesk::server::store::Store;
use frontdesk::server::{RunningServer, ServerConfig};
use std::net::SocketAddr;
use std::time::Duration;
use tokio::sync::mpsc;

/// Longest wait for something the test expects to happen.
const PATIENCE: Duration = Duration::from_secs(20);

/// A server over a desk in a temporary directory, which can be stopped and started again
/// on the same address.
struct Desk {
    dir: tempfile::TempDir,
    addr: SocketAddr,
    server: Option<RunningServer>,
    token: String,
    channel: Id,
}

impl Desk {
    async fn start() -> Desk {
        let dir = tempfile::tempdir().unwrap();
        let (_, token) =
            frontdesk::server::admin::add_agent(dir.path(), "ada@desk.example", "Ada", Role::Admin)
                .await
                .unwrap();
        let server = serve(dir.path(), "127.0.0.1:0").await;
        let channel = NewChannel {
            kind: ChannelKind::Custom,
            name: "Bridge".into(),
            webhook_url: None,
            settings: None,
            description: None,
            capabilities: None,
        };
        let channel = server
            .store()
            .create_channel(channel, "secret".into())
            .await
            .unwrap()
            .channel
            .id;
        Desk {
            addr: server.addr,
            server: Some(server),
            dir,
            token,
            channel,
        }
    }

    fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    fn api(&self) -> Api {
        Api::new(&self.url(), &self.token).unwrap()
    }

    fn store(&self) -> &Store {
        self.server.as_ref().expect("running").store()
    }

    /// A customer message on `thread`; returns its conversation.
    async fn customer(&self, thread: &str, text: &str) -> Id {
        customer_on(self.store(), self.channel, thread, text).await
    }

    async fn head(&self) -> i64 {
        self.store().last_seq().await.unwrap()
    }

    async fn stop(&mut self) {
        self.server
            .take()
            .expect("running")
            .shutdown()
            .await
            .unwrap();
    }

    /// Serves the same desk on the same address again.
    async fn restart(&mut self) {
        self.server = Some(serve(self.dir.path(), &self.addr.to_string()).await);
    }

    /// A customer message written straight to the desk while no server runs.
    async fn customer_while_stopped(&self, thread: &str, text: &str) -> Id {
        assert!(self.server.is_none());
        let store = Store::open(self.dir.path(), 16).unwrap();
        let id = customer_on(&store, self.channel, thread, text).await;
        tokio::task::spawn_blocking(move || store.close())
            .await
            .unwrap();
        id
    }
}

async fn serve(dir: &std::path::Path, listen: &str) -> RunningServer {
    RunningServer::start(ServerConfig::new(dir, listen))
        .await
        .unwrap()
}

async fn customer_on(store: &Store, channel: Id, thread: &str, text: &str) -> Id {
    let msg = InboundMessage {
        thread_id: thread.into(),
        sender: InboundSender {
            id: format!("{thread}-sender"),
            name: Some(format!("Customer {thread}")),
            email: None,
            phone: None,
        },
        text: text.into(),
        subject: None,
        attachments: vec![],
    };
    store
        .ingest_inbound(channel, msg)
        .await
        .unwrap()
        .conversation_id
}

fn reply(client_id: &str, body: &str) -> NewMessage {
    NewMessage {
        body: body.into(),
        internal: false,
        client_id: client_id.into(),
        ..NewMessage::default()
    }
}

/// An address nothing listens on (until a test starts a server there).
fn free_addr() -> SocketAddr {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
}

async fn within<T>(what: &str, f: impl std::future::Future<Output = T>) -> T {
    tokio::time::timeout(PATIENCE, f)
        .await
        .unwrap_or_else(|_| panic!("timed out waiting for {what}"))
}

/// The next item of the live stream.
async fn next_live(rx: &mut mpsc::Receiver<Live>) -> Live {
    within("the event stream", rx.recv())
        .await
        .expect("stream open")
}

/// The next `n` events, skipping status changes; also returns the statuses seen.
async fn take_events(
    rx: &mut mpsc::Receiver<Live>,
    n: usize,
) -> (Vec<frontdesk::api::Event>, Vec<Connection>) {
    let (mut events, mut statuses) = (Vec::new(), Vec::new());
    while events.len() < n {
        match next_live(rx).await {
            Live::Event(e) => events.push(e),
            Live::Status(s) => statuses.push(s),
            Live::Reset => panic!("unexpected reset"),
        }
    }
    (events, statuses)
}

fn seqs(events: &[frontdesk::api::Event]) -> Vec<i64> {
    events.iter().map(|e| e.seq).collect()
}

fn message_bodies(events: &[frontdesk::api::Event]) -> Vec<&str> {
    events
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::MessageCreated { message, .. } => Some(message.body.as_str()),
            _ => None,
        })
        .collect()
}

async fn next_update(rx: &mut mpsc::Receiver<OutboxUpdate>) -> OutboxUpdate {
    within("an outbox update", rx.recv())
        .await
        .expect("sender running")
}

/// Reads updates until `client_id` is sent or failed.
async fn settled(rx: &mut mpsc::Receiver<OutboxUpdate>, client_id: &str) -> OutboxUpdate {
    loop {
        let u = next_update(rx).await;
        if u.client_id == client_id && u.state != EntryState::Sending {
            return u;
        }
    }
}

/// How many messages of `conversation` carry `client_id`.
async fn stored_with(api: &Api, conversation: Id, client_id: &str) -> usize {
    let page = api.messages(conversation, None, 500).await.unwrap();
    page.items
        .iter()
        .filter(|m| m.client_id.as_deref() == Some(client_id))
        .count()
}

#[tokio::test]
async fn api_round_trips_every_endpoint() {
    let desk = Desk::start().await;
    let refund = desk.customer("t1", "I want a refund please").await;
    let hello = desk.customer("t2", "hello there").await;
    let api = desk.api();

    let me = api.me().await.unwrap();
    assert_eq!(me.email, "ada@desk.example");
    assert!(api.agents().await.unwrap().iter().any(|a| a.id == me.id));
    assert!(api.teams().await.unwrap().is_empty());
    assert_eq!(api.channels().await.unwrap()[0].id, desk.channel);

    let found = api
        .conversations(&ListQuery {
            q: Some("refund".into()),
            status: Some("open".into()),
            ..ListQuery::default()
        })
        .await
        .unwrap();
    assert_eq!(
        found.items.iter().map(|c| c.id).collect::<Vec<_>>(),
        [refund]
    );
    let first = api
        .conversations(&ListQuery {
            limit: Some(1),
            ..ListQuery::default()
        })
        .await
        .unwrap();
    assert_eq!(first.items[0].id, hello, "most recently active first");
    let second = api
        .conversations(&ListQuery {
            limit: Some(1),
            cursor: first.next_cursor.clone(),
            ..ListQuery::default()
        })
        .await
        .unwrap();
    assert_eq!(second.items[0].id, refund);

    let detail = api.conversation(refund).await.unwrap();
    assert_eq!(detail.contact.name, "Customer t1");
    assert_eq!(detail.messages.len(), 1);

    let (m1, created) = api
        .post_message(refund, &reply("c-1", "on its way"))
        .await
        .unwrap();
    assert!(created);
    let (m2, created) = api
        .post_message(refund, &reply("c-1", "on its way"))
        .await
        .unwrap();
    assert!(!created);
    assert_eq!(m1, m2);
    let page = api.messages(refund, None, 10).await.unwrap();
    assert_eq!(page.items.len(), 2);
    let older = api.messages(refund, Some(m1.id), 10).await.unwrap();
    assert_eq!(older.items.len(), 1);
    assert!(!older.has_older);

    let patch = ConversationPatch {
        priority: Some(Priority::High),
        status: Some(Status::Closed),
        ..ConversationPatch::default()
    };
    let patched = api.patch_conversation(refund, &patch).await.unwrap();
    assert_eq!(
        (patched.priority, patched.status),
        (Priority::High, Status::Closed)
    );
    assert!(!api.mark_read(hello).await.unwrap().unread);

    let contact = api.contact(detail.contact.id).await.unwrap();
    assert_eq!(contact.conversations[0].id, refund);
    assert!(!api.set_available(false).await.unwrap().available);
    assert!(!api.me().await.unwrap().available);
}

#[tokio::test]
async fn refusals_carry_the_servers_code_and_message() {
    let desk = Desk::start().await;
    let err = desk.api().conversation(999_999).await.unwrap_err();
    assert_eq!(
        err,
        ClientError::Refused {
            status: 404,
            code: "not_found".into(),
            message: "conversation 999999 not found".into()
        }
    );
    assert!(!err.is_retryable());
}

#[tokio::test]
async fn a_bad_token_is_unauthorized() {
    let desk = Desk::start().await;
    let err = Api::new(&desk.url(), "fdk_nope")
        .unwrap()
        .me()
        .await
        .unwrap_err();
    assert!(matches!(err, ClientError::Unauthorized(_)), "{err:?}");
    assert!(!err.is_retryable());
    assert!(
        err.to_string().starts_with("the token was refused"),
        "{err}"
    );
}

#[tokio::test]
async fn an_unreachable_server_is_a_retryable_network_error() {
    let url = format!("http://{}", free_addr());
    let err = Api::new(&url, "fdk_x").unwrap().me().await.unwrap_err();
    assert!(err.is_retryable());
    assert_eq!(
        err.to_string(),
        format!("server unreachable: connection refused ({url})")
    );
}

#[tokio::test]
async fn the_event_stream_resumes_after_a_server_restart_without_gaps_or_repeats() {
    let mut desk = Desk::start().await;
    desk.customer("t1", "first").await;
    let head = desk.head().await;
    let (mut rx, task) = events::spawn(&desk.url(), &desk.token, 0);
    assert_eq!(
        next_live(&mut rx).await,
        Live::Status(Connection::Connecting)
    );
    assert_eq!(
        next_live(&mut rx).await,
        Live::Status(Connection::Connected)
    );
    let (replayed, _) = take_events(&mut rx, head as usize).await;
    assert_eq!(seqs(&replayed), (1..=head).collect::<Vec<_>>());

    desk.customer("t1", "live").await;
    let (live, _) = take_events(&mut rx, 1).await;
    assert_eq!(seqs(&live), [head + 1]);
    assert_eq!(message_bodies(&live), ["live"]);

    desk.stop().await;
    match next_live(&mut rx).await {
        Live::Status(Connection::Reconnecting { attempt: 1, .. }) => {}
        other => panic!("expected a reconnect, got {other:?}"),
    }
    desk.customer_while_stopped("t1", "while away 1").await;
    desk.customer_while_stopped("t2", "while away 2").await;
    desk.restart().await;
    let new_head = desk.head().await;
    let missed_count = (new_head - head - 1) as usize;
    let (missed, statuses) = take_events(&mut rx, missed_count).await;
    assert_eq!(seqs(&missed), ((head + 2)..=new_head).collect::<Vec<_>>());
    assert_eq!(message_bodies(&missed), ["while away 1", "while away 2"]);
    assert_eq!(statuses.last(), Some(&Connection::Connected));

    // The next event is the next change: nothing was delivered twice.
    desk.customer("t3", "after").await;
    let (after, _) = take_events(&mut rx, 1).await;
    assert_eq!(seqs(&after), [new_head + 1]);

    drop(rx);
    within("the stream task to end", task).await.unwrap();
}

#[tokio::test]
async fn a_refused_token_takes_the_stream_offline_for_good() {
    let desk = Desk::start().await;
    let (mut rx, task) = events::spawn(&desk.url(), "fdk_nope", 0);
    assert_eq!(
        next_live(&mut rx).await,
        Live::Status(Connection::Connecting)
    );
    match next_live(&mut rx).await {
        Live::Status(Connection::Offline(why)) => {
            assert!(why.starts_with("the token was refused"), "{why}")
        }
        other => panic!("expected offline, got {other:?}"),
    }
    within("the stream task to end", task).await.unwrap();
    assert!(rx.recv().await.is_none());
}

#[tokio::test]
async fn a_stream_whose_token_is_revoked_goes_offline_without_retrying() {
    let desk = Desk::start().await;
    let (mut rx, task) = events::spawn(&desk.url(), &desk.token, 0);
    assert_eq!(
        next_live(&mut rx).await,
        Live::Status(Connection::Connecting)
    );
    assert_eq!(
        next_live(&mut rx).await,
        Live::Status(Connection::Connected)
    );

    let me = desk.api().me().await.unwrap();
    let revoked = reqwest::Client::new()
        .post(format!(
            "{}/api/v1/agents/{}/revoke-token",
            desk.url(),
            me.id
        ))
        .bearer_auth(&desk.token)
        .send()
        .await
        .unwrap();
    assert!(revoked.status().is_success(), "{}", revoked.status());

    // The close frame itself says retrying cannot help: no reconnect is attempted.
    let status = loop {
        match next_live(&mut rx).await {
            Live::Event(_) => continue,
            other => break other,
        }
    };
    match status {
        Live::Status(Connection::Offline(why)) => {
            assert!(why.contains("token revoked"), "{why}");
            assert!(why.contains("ask an admin"), "{why}");
        }
        other => panic!("expected offline, got {other:?}"),
    }
    within("the stream task to end", task).await.unwrap();
    assert!(rx.recv().await.is_none());
}

#[tokio::test]
async fn a_reply_written_while_the_server_is_down_arrives_once_it_is_back() {
    let mut desk = Desk::start().await;
    let conv = desk.customer("t", "hi").await;
    desk.stop().await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("outbox.db");
    let outbox = Outbox::open(&path).unwrap();
    let entry = outbox
        .enqueue(conv, "sent while offline", false, None)
        .unwrap();
    let (nudge, mut updates, _task) = outbox::spawn_sender(outbox, desk.api());

    let waiting = next_update(&mut updates).await;
    assert_eq!(waiting.state, EntryState::Sending);
    let error = waiting.error.expect("a reason");
    assert!(error.contains("connection refused"), "{error}");
    let on_disk = Outbox::open(&path).unwrap().pending().unwrap();
    assert_eq!(on_disk.len(), 1);
    assert_eq!(on_disk[0].client_id, entry.client_id);
    assert!(on_disk[0].attempts >= 1);

    desk.restart().await;
    nudge.send(()).unwrap();
    let done = settled(&mut updates, &entry.client_id).await;
    assert_eq!(done.state, EntryState::Sent);
    let message = done.message.expect("the stored message");
    assert_eq!(message.body, "sent while offline");
    assert_eq!(stored_with(&desk.api(), conv, &entry.client_id).await, 1);
    let stored = Outbox::open(&path).unwrap().entries_for(conv).unwrap();
    assert_eq!(stored[0].state, EntryState::Sent);
    assert_eq!(stored[0].message_id, Some(message.id));
}

#[tokio::test]
async fn after_a_crash_pending_replies_are_resent_and_stored_exactly_once() {
    let desk = Desk::start().await;
    let conv = desk.customer("t", "hi").await;
    let api = desk.api();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("outbox.db");
    let outbox = Outbox::open(&path).unwrap();
    let entries: Vec<_> = (0..5)
        .map(|i| {
            outbox
                .enqueue(conv, &format!("reply {i}"), false, None)
                .unwrap()
        })
        .collect();
    // The last reply reached the server, but the crash came before it was marked sent.
    let last = &entries[4];
    let (early, _) = api
        .post_message(conv, &reply(&last.client_id, &last.body))
        .await
        .unwrap();

    let (_nudge, mut updates, task) = outbox::spawn_sender(outbox.clone(), api.clone());
    let first = settled(&mut updates, &entries[0].client_id).await;
    assert_eq!(first.state, EntryState::Sent);
    task.abort();
    let _ = task.await;
    drop((outbox, updates));

    let reopened = Outbox::open(&path).unwrap();
    let pending = reopened.pending().unwrap();
    assert!(pending.iter().any(|e| e.client_id == last.client_id));
    let (_nudge, mut updates, _task) = outbox::spawn_sender(reopened.clone(), api.clone());
    for entry in &pending {
        let done = settled(&mut updates, &entry.client_id).await;
        assert_eq!(done.state, EntryState::Sent, "{done:?}");
    }

    for entry in &entries {
        assert_eq!(
            stored_with(&api, conv, &entry.client_id).await,
            1,
            "{}",
            entry.body
        );
    }
    let stored = reopened.entries_for(conv).unwrap();
    assert!(stored.iter().all(|e| e.state == EntryState::Sent));
    assert_eq!(stored[4].message_id, Some(early.id));
}

#[tokio::test]
async fn a_refused_reply_is_marked_failed_and_the_queue_moves_on() {
    let desk = Desk::start().await;
    let conv = desk.customer("t", "hi").await;
    let api = desk.api();
    let dir = tempfile::tempdir().unwrap();
    let outbox = Outbox::open(&dir.path().join("outbox.db")).unwrap();
    let doomed = outbox.enqueue(999_999, "to nowhere", false, None).unwrap();
    let fine = outbox.enqueue(conv, "to someone", true, None).unwrap();
    let (_nudge, mut updates, _task) = outbox::spawn_sender(outbox.clone(), api.clone());

    let failed = settled(&mut updates, &doomed.client_id).await;
    assert_eq!(failed.state, EntryState::Failed);
    let servers_word = api
        .post_message(999_999, &reply("other", "x"))
        .await
        .unwrap_err()
        .to_string();
    assert_eq!(failed.error.as_deref(), Some(servers_word.as_str()));
    let sent = settled(&mut updates, &fine.client_id).await;
    assert!(sent.message.expect("stored").internal);

    let entry = &outbox.entries_for(999_999).unwrap()[0];
    assert_eq!(entry.state, EntryState::Failed);
    assert_eq!(entry.error.as_deref(), Some(servers_word.as_str()));
    assert_eq!(entry.attempts, 1);
}

#[tokio::test]
async fn a_desk_restored_from_an_older_backup_resets_the_stream_instead_of_going_offline() {
    let mut desk = Desk::start().await;
    desk.customer("t1", "first").await;
    desk.customer("t1", "second").await;
    let head = desk.head().await;
    let (mut rx, task) = events::spawn(&desk.url(), &desk.token, head);
    while next_live(&mut rx).await != Live::Status(Connection::Connected) {}

    // The server comes back with an older history: its log ends before this client's seq.
    desk.stop().await;
    let db = rusqlite::Connection::open(desk.dir.path().join("frontdesk.db")).unwrap();
    db.execute("DELETE FROM events WHERE seq > 2", []).unwrap();
    drop(db);
    desk.restart().await;
    loop {
        match next_live(&mut rx).await {
            Live::Reset => break,
            Live::Status(Connection::Offline(why)) => panic!("went offline: {why}"),
            _ => {}
        }
    }
    // From the newest event on, the stream carries on.
    while next_live(&mut rx).await != Live::Status(Connection::Connected) {}
    desk.customer("t2", "after the restore").await;
    // A new customer on a new thread: exactly its three events, nothing older repeated.
    let (after, _) = take_events(&mut rx, 3).await;
    let types: Vec<&str> = after.iter().map(|e| e.kind.type_name()).collect();
    assert_eq!(
        types,
        ["contact.created", "conversation.created", "message.created"]
    );
    assert_eq!(message_bodies(&after), ["after the restore"]);
    drop(rx);
    within("the stream task to end", task).await.unwrap();
}

/// A file host on loopback that records the `Authorization` header of each request.
async fn file_host(
    body: &'static [u8],
) -> (
    String,
    std::sync::Arc<std::sync::Mutex<Vec<Option<String>>>>,
) {
    use axum::http::HeaderMap;
    let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let log = seen.clone();
    let app = axum::Router::new().route(
        "/photo.jpg",
        axum::routing::get(move |headers: HeaderMap| {
            let log = log.clone();
            async move {
                log.lock().unwrap().push(
                    headers
                        .get("authorization")
                        .map(|v| v.to_str().unwrap().to_string()),
                );
                body
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    (url, seen)
}

#[tokio::test]
async fn attachments_are_saved_from_the_desk_with_the_token_and_from_elsewhere_without_it() {
    use frontdesk::client::download::{DownloadError, save_attachment};
    let desk = Desk::start().await;
    let api = desk.api();
    let downloads = tempfile::tempdir().unwrap();

    let hash = frontdesk::server::files::Files::new(desk.dir.path())
        .put(b"%PDF-1.7 the invoice".to_vec())
        .await
        .unwrap();
    let url = frontdesk::server::files::Files::url(&hash);
    let saved = save_attachment(&api, &url, "../invoice.pdf", downloads.path())
        .await
        .unwrap();
    assert_eq!(saved, downloads.path().join("invoice.pdf"));
    assert_eq!(std::fs::read(&saved).unwrap(), b"%PDF-1.7 the invoice");
    let again = save_attachment(&api, &url, "invoice.pdf", downloads.path())
        .await
        .unwrap();
    assert_eq!(again, downloads.path().join("invoice (2).pdf"));

    let stranger = Api::new(&desk.url(), "fdk_not_a_token").unwrap();
    let refused = save_attachment(&stranger, &url, "x.pdf", downloads.path()).await;
    assert!(
        matches!(
            refused,
            Err(DownloadError::Api(ClientError::Unauthorized(_)))
        ),
        "{refused:?}"
    );
    let missing = save_attachment(&api, "/api/v1/files/00", "x.pdf", downloads.path()).await;
    assert!(matches!(missing, Err(DownloadError::Api(_))), "{missing:?}");

    let (host, seen) = file_host(b"\xff\xd8 jpeg bytes").await;
    let photo = save_attachment(
        &api,
        &format!("{host}/photo.jpg"),
        "photo.jpg",
        downloads.path(),
    )
    .await
    .unwrap();
    assert_eq!(std::fs::read(photo).unwrap(), b"\xff\xd8 jpeg bytes");
    assert_eq!(
        *seen.lock().unwrap(),
        vec![None],
        "the agent's token never goes to another host"
    );
    let odd = save_attachment(&api, "file:///etc/passwd", "passwd", downloads.path()).await;
    assert!(matches!(odd, Err(DownloadError::Fetch { .. })), "{odd:?}");
    let names: std::collections::BTreeSet<_> = std::fs::read_dir(downloads.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    assert_eq!(
        names,
        ["invoice (2).pdf", "invoice.pdf", "photo.jpg"]
            .map(String::from)
            .into(),
        "failed downloads leave no files behind"
    );
}

#[tokio::test]
async fn a_queued_reply_keeps_its_file_on_disk_and_the_sender_delivers_it() {
    let desk = Desk::start().await;
    let conv = desk.customer("t-files", "my receipt?").await;
    let api = desk.api();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("receipt.txt");
    std::fs::write(&path, b"paid in full").unwrap();
    let file = api.upload_path(&path).await.unwrap();
    assert_eq!(
        (file.name.as_str(), file.mime_type.as_str(), file.size),
        ("receipt.txt", "text/plain", 12)
    );
    assert!(matches!(
        api.upload_path(&dir.path().join("missing.pdf")).await,
        Err(ClientError::LocalFile(_))
    ));
    let channels = api.reply_channels(conv).await.unwrap();
    assert_eq!(channels.conversation_id, conv);
    let own = channels.items.iter().find(|c| c.current).unwrap();
    assert!(own.reachable && own.files.attachments, "{own:?}");

    let at = dir.path().join("outbox.db");
    let queued = Outbox::open(&at)
        .unwrap()
        .enqueue_with(
            conv,
            "here it is",
            false,
            Extras {
                channel_id: Some(own.channel_id),
                attachments: vec![ReplyAttachment {
                    url: file.url.clone(),
                    name: file.name.clone(),
                    ..ReplyAttachment::default()
                }],
                ..Extras::default()
            },
        )
        .unwrap();
    let outbox = Outbox::open(&at).unwrap();
    assert_eq!(outbox.pending().unwrap(), vec![queued.clone()]);
    let (_nudge, mut updates, _task) = outbox::spawn_sender(outbox, api.clone());
    let sent = settled(&mut updates, &queued.client_id).await;
    let message = sent.message.expect("stored");
    assert_eq!(message.attachments.len(), 1);
    assert_eq!(message.attachments[0].name, "receipt.txt");
    assert_eq!(message.attachments[0].size, 12);
    assert_eq!(message.channel_id, own.channel_id);
}
