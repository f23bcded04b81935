//! The terminal views, rendered into ratatui's `TestBackend` from fixture `App` states.
//!
//! Layout is pinned with insta snapshots (tests/snapshots/); safety properties (no control
//! characters in any cell, no colour under NO_COLOR, everything fits a small terminal) are
//! asserted directly so they hold whatever the snapshots say.
//!
//! Views are drawn as of a fixed clock (`NOW`), so ages and dates in the snapshots never
//! change with the day the tests run.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use frontdesk::api::{ContactDetail, ConversationDetail, ConversationPage};
use frontdesk::client::events::Connection;
use frontdesk::domain::{
    Agent, Attachment, AttachmentKind, ChannelKind, Company, Contact, Conversation, Id, Message,
    MessageKind, Priority, Role, Sender, SenderKind, Status, Timestamp,
};
use frontdesk::tui::app::{App, Delivery, Layer, Msg, Notice, Outgoing, Pane, Slot};
use frontdesk::tui::keymap::{Action, Keymap};
use frontdesk::tui::theme::{ColorMode, Theme};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::style::{Color, Modifier};
use std::time::Duration;
use unicode_width::UnicodeWidthStr;

// ---------------------------------------------------------------------------------------------
// Fixtures
// ---------------------------------------------------------------------------------------------

const DAY_MS: i64 = 86_400_000;
const HOUR_MS: i64 = 3_600_000;

/// The clock every view is drawn at: 2026-06-01T12:00:00Z.
const NOW: i64 = 1_780_315_200_000;

/// `days` days before `NOW`, plus three hours.
fn days_ago(days: i64) -> Timestamp {
    Timestamp(NOW - days * DAY_MS - 3 * HOUR_MS)
}

fn agent(id: Id, name: &str) -> Agent {
    Agent {
        id,
        name: name.into(),
        email: format!("{}@desk.example", name.to_lowercase()),
        role: Role::Agent,
        has_seat: true,
        available: true,
        active: true,
    }
}

/// The signed-in agent is Ana (1); Bo (2) and Chen (3) are colleagues.
fn new_app() -> App {
    App::new(
        agent(1, "Ana"),
        vec![agent(1, "Ana"), agent(2, "Bo"), agent(3, "Chen")],
        Keymap::default(),
    )
}

#[allow(clippy::too_many_arguments)]
fn conv(
    id: Id,
    days: i64,
    channel: ChannelKind,
    status: Status,
    priority: Priority,
    unread: bool,
    owner: Option<Id>,
    contact: &str,
    subject: &str,
) -> Conversation {
    let at = days_ago(days);
    Conversation {
        id,
        subject: subject.into(),
        status,
        priority,
        owner_id: owner,
        team_id: None,
        channel_id: 1,
        channel_kind: channel,
        contact_id: 100 + id,
        contact_name: contact.into(),
        labels: vec![],
        snoozed_until: None,
        created_at: at,
        updated_at: at,
        last_message_at: at,
        preview: String::new(),
        message_count: 3,
        unread,
    }
}

/// Eight conversations, newest first, covering every channel kind, status and priority.
fn conversations() -> Vec<Conversation> {
    use ChannelKind::*;
    use Priority::*;
    use Status::*;
    vec![
        conv(
            8,
            1,
            Email,
            New,
            Urgent,
            true,
            None,
            "Nuria García Gómez",
            "Payment failed twice and the invoice shows the wrong VAT number",
        ),
        conv(
            7,
            1,
            Chat,
            WaitingOnUs,
            High,
            true,
            Some(1),
            "Tomás Ruiz",
            "Cannot log in after password reset",
        ),
        conv(
            6,
            2,
            Whatsapp,
            WaitingOnContact,
            Medium,
            false,
            Some(2),
            "Priya Natarajan",
            "Delivery address change",
        ),
        conv(
            5,
            2,
            Form,
            New,
            Low,
            false,
            None,
            "Jo",
            "Feature request: dark mode",
        ),
        conv(
            4,
            3,
            Messenger,
            WaitingOnUs,
            Medium,
            true,
            Some(3),
            "山田 太郎",
            "注文について質問があります",
        ),
        conv(
            3,
            4,
            Call,
            Closed,
            High,
            false,
            Some(1),
            "Olu Adeyemi",
            "Callback about contract renewal",
        ),
        conv(
            2,
            5,
            Custom,
            WaitingOnContact,
            Urgent,
            false,
            Some(2),
            "API integration bot",
            "Webhook 500s",
        ),
        conv(
            1,
            6,
            Email,
            Closed,
            Low,
            false,
            None,
            "Lena Schmidt",
            "Thanks!",
        ),
    ]
}

/// An app on the "All" view showing `conversations()`, the second row selected.
fn list_app() -> App {
    let mut app = new_app();
    app.list.view = frontdesk::tui::app::VIEWS.len() - 1;
    app.update(Msg::List {
        page: ConversationPage {
            items: conversations(),
            next_cursor: Some("next".into()),
            seq: 1,
        },
        append: false,
        generation: 0,
    });
    app.connection = Connection::Connected;
    app.update(key(KeyCode::Char('j')));
    app
}

fn message(
    id: Id,
    conversation_id: Id,
    kind: MessageKind,
    sender: &str,
    days: i64,
    body: &str,
) -> Message {
    Message {
        id,
        conversation_id,
        kind,
        internal: kind == MessageKind::Note,
        sender: Sender {
            kind: if kind == MessageKind::Inbound {
                SenderKind::Contact
            } else {
                SenderKind::Agent
            },
            id: Some(1),
            name: sender.into(),
        },
        channel_id: 1,
        body: body.into(),
        client_id: None,
        attachments: vec![],
        delivery: None,
        created_at: days_ago(days),
        call: None,
        email: None,
    }
}

fn attachment(kind: AttachmentKind, name: &str, size: i64) -> Attachment {
    Attachment {
        kind,
        name: name.into(),
        mime_type: None,
        size,
        url: format!("https://files.example/{name}"),
    }
}

fn contact_of(c: &Conversation) -> Contact {
    Contact {
        id: c.contact_id,
        name: c.contact_name.clone(),
        email: Some("tomas.ruiz@example.com".into()),
        phone: Some("+34 600 000 000".into()),
        owner_id: Some(1),
        company_id: Some(9),
        identities: vec![],
        created_at: days_ago(30),
    }
}

/// Opens conversation 7 (Tomás, chat) with an inbound message, an agent reply with an
/// attachment, an internal note, and the contact loaded into the sidebar.
fn thread_app() -> App {
    let mut app = list_app();
    app.update(key(KeyCode::Enter));
    let c = app.list.current().expect("a selected row").clone();
    let mut inbound = message(
        70,
        c.id,
        MessageKind::Inbound,
        &c.contact_name,
        3,
        "Hi, I reset my password yesterday and now the login page just reloads.\n\
         I attached a screenshot of the error.",
    );
    inbound.attachments = vec![attachment(
        AttachmentKind::Image,
        "login-error.png",
        245_760,
    )];
    let mut reply = message(
        71,
        c.id,
        MessageKind::Outbound,
        "Ana",
        2,
        "Sorry about that! Could you try clearing cookies for desk.example and log in again?",
    );
    reply.delivery = Some(frontdesk::domain::Delivery {
        status: frontdesk::domain::DeliveryStatus::Read,
        error: None,
        attempts: 1,
        updated_at: days_ago(2),
        next_attempt_at: None,
        discarded_at: None,
    });
    let mut note = message(
        72,
        c.id,
        MessageKind::Note,
        "Chen",
        1,
        "Same bug as the SSO ticket; engineering has a fix going out Thursday.",
    );
    note.attachments = vec![attachment(AttachmentKind::File, "sso-trace.har", 3_250_585)];
    let contact = contact_of(&c);
    let generation = app.gens.current(Slot::Thread);
    app.update(Msg::Conversation {
        detail: ConversationDetail {
            conversation: c.clone(),
            contact: contact.clone(),
            messages: vec![inbound, reply, note],
            has_older: true,
        },
        generation,
    });
    let older = Conversation {
        id: 40,
        subject: "Invoice copy for March".into(),
        status: Status::Closed,
        ..c.clone()
    };
    let generation = app.gens.current(Slot::Contact);
    app.update(Msg::Contact {
        detail: ContactDetail {
            contact,
            company: Some(Company {
                id: 9,
                name: "Ruiz Logística S.L.".into(),
                domain: Some("ruiz.example".into()),
            }),
            conversations: vec![c, older],
            messages: vec![],
        },
        generation,
    });
    app
}

fn key(code: KeyCode) -> Msg {
    Msg::Key(KeyEvent::new(code, KeyModifiers::NONE))
}

// ---------------------------------------------------------------------------------------------
// Rendering helpers
// ---------------------------------------------------------------------------------------------

fn dark() -> Theme {
    Theme::load("dark", ColorMode::TrueColor).unwrap()
}

/// Draws `app` once into a `width`×`height` test terminal.
fn render_with(app: &App, theme: &Theme, width: u16, height: u16) -> TestBackend {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
    terminal
        .draw(|frame| {
            frontdesk::tui::views::draw(frame, app, theme, NOW);
        })
        .expect("drawing into a TestBackend cannot fail");
    terminal.backend().clone()
}

fn render(app: &App, width: u16, height: u16) -> TestBackend {
    render_with(app, &dark(), width, height)
}

/// The rows of the buffer as a terminal would show them: a wide symbol hides the cells it
/// covers, exactly as the `TestBackend`'s own `Display` does.
fn rows(buffer: &Buffer) -> Vec<String> {
    let width = buffer.area.width as usize;
    buffer
        .content
        .chunks(width)
        .map(|cells| {
            let mut row = String::new();
            let mut skip = 0usize;
            for cell in cells {
                let symbol = cell.symbol();
                if skip == 0 {
                    row.push_str(symbol);
                }
                skip = skip.max(symbol.width()).saturating_sub(1);
            }
            row
        })
        .collect()
}

/// The whole screen as plain text, one row a line.
fn screen(buffer: &Buffer) -> String {
    rows(buffer).join("\n")
}

/// Asserts that no row is wider on screen than the terminal.
fn assert_rows_fit(buffer: &Buffer) {
    let width = buffer.area.width as usize;
    for (y, row) in rows(buffer).iter().enumerate() {
        assert!(
            row.width() <= width,
            "row {y} is {} columns wide, more than {width}: {row:?}",
            row.width()
        );
    }
}

/// True for the characters that must never reach a terminal cell.
fn is_forbidden(c: char) -> bool {
    matches!(c,
        '\u{0}'..='\u{1f}'
        | '\u{7f}'..='\u{9f}'
        | '\u{202a}'..='\u{202e}'
        | '\u{2066}'..='\u{2069}')
}

// ---------------------------------------------------------------------------------------------
// 1. The list pane alone
// ---------------------------------------------------------------------------------------------

#[test]
fn list_pane_alone_at_120x32() {
    let mut app = list_app();
    let generation = app.gens.current(Slot::Counts);
    app.update(Msg::Counts {
        counts: Some(vec![812, 37, 5, 9_949, 0, 12_400, 1_250_000]),
        generation,
    });
    let backend = render(&app, 120, 32);
    assert_rows_fit(backend.buffer());
    insta::assert_snapshot!(backend);
}

// ---------------------------------------------------------------------------------------------
// 2. A conversation open: list, thread and sidebar
// ---------------------------------------------------------------------------------------------

#[test]
fn open_conversation_with_sidebar_at_160x40() {
    let app = thread_app();
    let backend = render(&app, 160, 40);
    let text = screen(backend.buffer());
    assert!(text.contains(" contact "), "the sidebar is shown:\n{text}");
    assert!(
        text.contains("NOTE (internal)"),
        "the note is marked:\n{text}"
    );
    assert!(
        text.contains("[image] login-error.png (240.0 KB)"),
        "attachment line:\n{text}"
    );
    assert!(text.contains("[file] sso-trace.har (3.1 MB)"));
    assert_rows_fit(backend.buffer());
    insta::assert_snapshot!(backend);
}

// ---------------------------------------------------------------------------------------------
// 3. The editor, and replies in flight
// ---------------------------------------------------------------------------------------------

#[test]
fn reply_editor_with_a_draft() {
    let mut app = thread_app();
    app.action(Action::Reply);
    assert_eq!(app.focus, Pane::Editor);
    for c in "Thanks Tomás, the fix is live now.".chars() {
        app.update(key(KeyCode::Char(c)));
    }
    app.update(key(KeyCode::Enter));
    for c in "Please try again.".chars() {
        app.update(key(KeyCode::Char(c)));
    }
    let backend = render(&app, 160, 40);
    let text = screen(backend.buffer());
    assert!(text.contains("reply via its channel  ^S send  ^L channel  Esc keep draft"));
    assert!(
        text.contains("Please try again."),
        "the draft's second line"
    );
    insta::assert_snapshot!(backend);
}

#[test]
fn outgoing_replies_sending_and_failed() {
    let mut app = thread_app();
    let id = app.thread.loaded.as_ref().unwrap().detail.conversation.id;
    app.update(Msg::Queued(Outgoing {
        client_id: "c-1".into(),
        conversation_id: id,
        body: "Following up: did clearing cookies help?".into(),
        internal: false,
        delivery: Delivery::Sending,
    }));
    app.update(Msg::Queued(Outgoing {
        client_id: "c-2".into(),
        conversation_id: id,
        body: "Here is the workaround link.".into(),
        internal: false,
        delivery: Delivery::Failed("server said 503".into()),
    }));
    app.update(Msg::Queued(Outgoing {
        client_id: "c-3".into(),
        conversation_id: id,
        body: "Customer is on the old SSO domain.".into(),
        internal: true,
        delivery: Delivery::Sending,
    }));
    let backend = render(&app, 160, 40);
    let text = screen(backend.buffer());
    assert!(text.contains("Ana  sending…"), "{text}");
    assert!(text.contains("Ana  failed: server said 503"), "{text}");
    assert!(
        text.contains("Ana  NOTE (internal)  sending…"),
        "a pending note is marked as internal:\n{text}"
    );
    insta::assert_snapshot!(backend);
}

// ---------------------------------------------------------------------------------------------
// 4. A small terminal
// ---------------------------------------------------------------------------------------------

#[test]
fn small_terminal_folds_the_sidebar_and_everything_fits() {
    let app = thread_app();
    assert!(
        app.contact.shown,
        "the sidebar is wanted, only the width folds it"
    );
    let backend = render(&app, 80, 24);
    let buffer = backend.buffer();
    let rows = rows(buffer);
    let text = rows.join("\n");
    assert!(
        !text.contains(" contact "),
        "no sidebar at 80 columns:\n{text}"
    );
    assert!(
        !text.contains("Ruiz Logística"),
        "no sidebar content:\n{text}"
    );
    assert!(text.contains("Cannot log in after password reset"));
    assert_rows_fit(buffer);
    let last = rows.last().unwrap();
    assert!(
        last.starts_with("● live  Ana (available)"),
        "status bar is the last row: {last:?}"
    );
    insta::assert_snapshot!(backend);
}

#[test]
fn other_themes_render_at_80x24() {
    for name in ["light", "high-contrast"] {
        for mode in [ColorMode::TrueColor, ColorMode::Ansi256, ColorMode::Ansi16] {
            let theme = Theme::load(name, mode).unwrap();
            let mut app = thread_app();
            assert_rows_fit(render_with(&app, &theme, 80, 24).buffer());
            app.action(Action::Reply);
            app.update(Msg::Key(KeyEvent::new(
                KeyCode::Char('?'),
                KeyModifiers::NONE,
            )));
            assert_rows_fit(render_with(&app, &theme, 80, 24).buffer());
            let list = list_app();
            assert_rows_fit(render_with(&list, &theme, 80, 24).buffer());
        }
    }
}

// ---------------------------------------------------------------------------------------------
// 5. Overlays
// ---------------------------------------------------------------------------------------------

#[test]
fn help_overlay() {
    let mut app = list_app();
    app.update(key(KeyCode::Char('?')));
    assert!(matches!(app.layers[..], [Layer::Help { .. }]));
    let backend = render(&app, 120, 32);
    assert!(screen(backend.buffer()).contains(" keys: type to filter"));
    assert_rows_fit(backend.buffer());
    insta::assert_snapshot!(backend);
}

#[test]
fn status_menu_overlay() {
    let mut app = thread_app();
    app.action(Action::Status);
    app.update(key(KeyCode::Char('j')));
    assert!(matches!(
        app.layers.last(),
        Some(Layer::Menu { selected: 1, .. })
    ));
    let backend = render(&app, 120, 32);
    let text = screen(backend.buffer());
    for label in [
        " status ",
        "new",
        "waiting on contact",
        "waiting on us",
        "closed",
    ] {
        assert!(text.contains(label), "{label:?} in\n{text}");
    }
    insta::assert_snapshot!(backend);
}

// ---------------------------------------------------------------------------------------------
// 6. The status bar
// ---------------------------------------------------------------------------------------------

/// The last row of a 100-column list screen in `connection`'s state.
fn status_bar(connection: Connection) -> String {
    let mut app = list_app();
    app.connection = connection;
    let backend = render(&app, 100, 12);
    rows(backend.buffer()).pop().unwrap()
}

#[test]
fn status_bar_states() {
    let bars = [
        status_bar(Connection::Connected),
        status_bar(Connection::Reconnecting {
            attempt: 3,
            retry_in: Duration::from_millis(4_200),
            reason: "connection reset".into(),
        }),
        status_bar(Connection::Offline(
            "token refused\x1b[31m (401)\x07".into(),
        )),
    ];
    for bar in &bars {
        assert!(!bar.chars().any(is_forbidden), "{bar:?}");
    }
    let quoted: Vec<String> = bars.iter().map(|b| format!("\"{b}\"")).collect();
    insta::assert_snapshot!(quoted.join("\n"));
}

// ---------------------------------------------------------------------------------------------
// 7. Hostile customer text
// ---------------------------------------------------------------------------------------------

const SGR_RED: &str = "\x1b[31m";
const OSC_TITLE: &str = "\x1b]0;pwned\x07";
const OSC_CLIPBOARD: &str = "\x1b]52;c;SGVsbG8=\x07";
const CSI_8BIT_CLEAR: &str = "\u{9b}2J";
const RLO: &str = "\u{202e}";

#[test]
fn hostile_customer_text_never_reaches_a_cell() {
    let mut app = new_app();
    app.connection = Connection::Connected;
    let contact_name = format!("Mallory{SGR_RED} Evil{OSC_TITLE}\x07\x08 {RLO}Corp");
    let subject = format!("Refund{OSC_CLIPBOARD} request{CSI_8BIT_CLEAR}\r\n\t{RLO}urgent");
    let body = format!(
        "Hello{SGR_RED} agent{OSC_TITLE},\r\nplease{CSI_8BIT_CLEAR} refund\x00 me{OSC_CLIPBOARD}.\n\
         {RLO}txt.exe\u{2066}isolated\u{2069}\x7f end\u{85}"
    );
    let mut c = conv(
        50,
        1,
        ChannelKind::Email,
        Status::New,
        Priority::Urgent,
        true,
        None,
        &contact_name,
        &subject,
    );
    c.preview = body.clone();
    app.update(Msg::List {
        page: ConversationPage {
            items: vec![c.clone()],
            next_cursor: None,
            seq: 1,
        },
        append: false,
        generation: 0,
    });
    app.update(key(KeyCode::Enter));
    let mut m = message(500, c.id, MessageKind::Inbound, &contact_name, 1, &body);
    m.attachments = vec![attachment(
        AttachmentKind::File,
        &format!("invoice{RLO}fdp{OSC_TITLE}.exe\x1b[2K"),
        2048,
    )];
    let contact = Contact {
        id: c.contact_id,
        name: contact_name.clone(),
        email: Some(format!("m@evil.example{OSC_CLIPBOARD}")),
        phone: Some(format!("{CSI_8BIT_CLEAR}555\x1b[H")),
        owner_id: None,
        company_id: None,
        identities: vec![],
        created_at: days_ago(1),
    };
    let generation = app.gens.current(Slot::Thread);
    app.update(Msg::Conversation {
        detail: ConversationDetail {
            conversation: c.clone(),
            contact: contact.clone(),
            messages: vec![m],
            has_older: false,
        },
        generation,
    });
    let generation = app.gens.current(Slot::Contact);
    app.update(Msg::Contact {
        detail: ContactDetail {
            contact,
            company: Some(Company {
                id: 1,
                name: format!("Evil{OSC_TITLE} Inc"),
                domain: None,
            }),
            conversations: vec![c],
            messages: vec![],
        },
        generation,
    });
    app.notice = Some(Notice {
        text: format!("notice{SGR_RED} text"),
        error: true,
        at: 0,
    });

    let backend = render(&app, 120, 32);
    let buffer = backend.buffer();
    for (i, cell) in buffer.content.iter().enumerate() {
        let (x, y) = (i % 120, i / 120);
        assert!(
            !cell.symbol().chars().any(is_forbidden),
            "cell ({x}, {y}) holds {:?}",
            cell.symbol()
        );
    }
    assert_rows_fit(buffer);

    let text = screen(buffer);
    for payload in ["pwned", "SGVsbG8", "31m", "2J", "[2K", "[H"] {
        assert!(
            !text.contains(payload),
            "escape payload {payload:?} leaked:\n{text}"
        );
    }
    for visible in [
        // contact name: list row, message sender and sidebar title
        "Mallory Evil Corp",
        // subject: list row and thread title, whitespace folded onto one line
        " Refund request urgent ",
        // body: the two lines survive, controls and overrides dropped
        "Hello agent,",
        "please refund me.",
        "txt.exeisolated end",
        // attachment
        "[file] invoicefdp.exe (2.0 KB)",
        // sidebar fields
        "m@evil.example",
        "555",
        "Evil Inc",
        "notice text",
    ] {
        assert!(text.contains(visible), "{visible:?} missing from\n{text}");
    }
    insta::assert_snapshot!(backend);
}

// ---------------------------------------------------------------------------------------------
// 8. NO_COLOR
// ---------------------------------------------------------------------------------------------

#[test]
fn no_color_uses_no_colour_but_still_shows_the_selection() {
    let theme = Theme::load("dark", ColorMode::NoColor).unwrap();
    for app in [list_app(), thread_app()] {
        let backend = render_with(&app, &theme, 120, 32);
        let buffer = backend.buffer();
        for (i, cell) in buffer.content.iter().enumerate() {
            assert_eq!(
                (cell.fg, cell.bg),
                (Color::Reset, Color::Reset),
                "cell ({}, {}) {:?} is coloured",
                i % 120,
                i / 120,
                cell.symbol()
            );
        }
    }

    let app = list_app();
    let backend = render_with(&app, &theme, 120, 32);
    let buffer = backend.buffer();
    let rows = rows(buffer);
    // The list's rows start under the border, the tabs and the filter line.
    let selected_y = rows
        .iter()
        .position(|r| r.contains("Tomás Ruiz"))
        .expect("the selected conversation is listed");
    let other_y = rows
        .iter()
        .position(|r| r.contains("Nuria García"))
        .unwrap();
    assert_eq!(app.list.current().unwrap().contact_name, "Tomás Ruiz");
    for x in 1..119 {
        assert!(
            buffer[(x, selected_y as u16)]
                .modifier
                .contains(Modifier::REVERSED),
            "selected row, column {x}, is not reversed"
        );
        assert!(
            !buffer[(x, other_y as u16)]
                .modifier
                .contains(Modifier::REVERSED),
            "unselected row, column {x}, is reversed"
        );
    }
}

#[test]
fn the_picked_row_is_one_style_so_a_move_repaints_cheaply() {
    let app = list_app();
    let backend = render(&app, 120, 32);
    let buffer = backend.buffer();
    // Rows start under the border, the view tabs and the filter line; `j` picked the second.
    let picked = 3 + app.list.selected as u16;
    let style = |x: u16, y: u16| {
        let cell = &buffer[(x, y)];
        (cell.fg, cell.bg, cell.modifier)
    };
    let first = style(1, picked);
    assert!(
        (1..119).all(|x| style(x, picked) == first),
        "every cell of the picked row shares one style"
    );
    assert_ne!(
        first,
        style(1, picked + 1),
        "and it stands out from the next row"
    );
    let next_row: std::collections::HashSet<_> = (1..119).map(|x| style(x, picked + 1)).collect();
    assert!(next_row.len() > 1, "other rows keep their colours");
}

// ---------------------------------------------------------------------------------------------
// 9. The ticket at a glance: pinned header, labels, folded quotes, the narrow contact overlay
// ---------------------------------------------------------------------------------------------

/// `thread_app` with a team, labels, a snooze and a quoted e-mail reply.
fn glance_app() -> App {
    let mut app = thread_app();
    app.teams = vec![frontdesk::domain::Team {
        id: 5,
        name: "Billing".into(),
        member_ids: vec![1],
    }];
    let t = app.thread.loaded.as_mut().unwrap();
    let c = &mut t.detail.conversation;
    c.team_id = Some(5);
    c.labels = vec!["vip".into(), "sso".into()];
    c.snoozed_until = Some(Timestamp(NOW + 3 * HOUR_MS + 60_000));
    let id = c.id;
    t.detail.messages.push(message(
        73,
        id,
        MessageKind::Inbound,
        "Tomás Ruiz",
        1,
        "Still broken, see below.\n\nOn Mon, 3 Jun 2024, Ana <ana@desk.example> wrote:\n\
         > Sorry about that! Could you try clearing cookies for desk.example and log in again? \
         It usually fixes the redirect loop.\n> Ana\n>\n> > original question\n-- \nTomás\nRuiz Logística",
    ));
    app
}

#[test]
fn the_header_stays_pinned_and_shows_the_ticket_at_a_glance() {
    let mut app = glance_app();
    let text = screen(render(&app, 160, 40).buffer());
    for part in [
        "owner: Ana",
        "team: Billing",
        "#vip",
        "#sso",
        "snoozed for 3h",
        "via ",
    ] {
        assert!(text.contains(part), "{part:?} in\n{text}");
    }
    // Scrolled to the top of the history, the header is still there.
    app.focus = Pane::Thread;
    app.update(key(KeyCode::Char('g')));
    let backend = render(&app, 160, 40);
    let text = screen(backend.buffer());
    assert!(text.contains("team: Billing"), "{text}");
    insta::assert_snapshot!(backend);
}

#[test]
fn quoted_history_folds_to_one_line_and_wrapped_quotes_keep_their_marker() {
    let mut app = glance_app();
    let text = screen(render(&app, 120, 40).buffer());
    assert!(text.contains("… 5 quoted lines (x shows)"), "{text}");
    assert!(text.contains("… signature (x shows)"), "{text}");
    assert!(!text.contains("original question"), "{text}");
    app.focus = Pane::Thread;
    app.update(key(KeyCode::Char('x')));
    let backend = render(&app, 120, 40);
    let text = screen(backend.buffer());
    assert!(text.contains("> > original question"), "{text}");
    // At this width the first quoted line wraps three times; each piece keeps its marker.
    for piece in [
        "┃> Sorry about that!",
        "┃> clearing cookies",
        "┃> the redirect loop.",
    ] {
        assert!(text.contains(piece), "{piece:?} in\n{text}");
    }
    insta::assert_snapshot!(backend);
}

#[test]
fn b_opens_the_contact_over_the_thread_below_120_columns() {
    let mut app = glance_app();
    let before = render(&app, 80, 24);
    assert!(!screen(before.buffer()).contains("Ruiz Logística S.L."));
    app.drawn(frontdesk::tui::views::Drawn {
        thread: Some(ratatui::layout::Rect::new(30, 0, 50, 23)),
        ..Default::default()
    });
    app.update(key(KeyCode::Char('b')));
    assert!(matches!(app.layers[..], [Layer::Contact]));
    let backend = render(&app, 80, 24);
    let text = screen(backend.buffer());
    assert!(text.contains("Ruiz Logística S.L."), "{text}");
    assert!(text.contains("Invoice copy for March"), "{text}");
    assert!(
        text.contains("closed"),
        "previous conversations show their status:\n{text}"
    );
    assert_rows_fit(backend.buffer());
    insta::assert_snapshot!(backend);
    app.update(key(KeyCode::Esc));
    assert!(app.layers.is_empty());
}

#[test]
fn help_at_80x24_shows_whole_descriptions_scrolls_and_filters() {
    let mut app = list_app();
    app.update(key(KeyCode::Char('?')));
    let text = screen(render(&app, 80, 24).buffer());
    assert!(text.contains("Focus the previous pane"), "{text}");
    for c in "undo".chars() {
        app.update(key(KeyCode::Char(c)));
    }
    let backend = render(&app, 80, 24);
    let text = screen(backend.buffer());
    // The whole description, wrapped under itself.
    for piece in [
        "Undo the last change of status, owner, priority, labels or",
        "snooze (for 10 s)",
    ] {
        assert!(text.contains(piece), "{piece:?} in\n{text}");
    }
    assert!(!text.contains("Move down"), "filtered:\n{text}");
    insta::assert_snapshot!(backend);
    // Scrolling reaches the last binding.
    app.update(key(KeyCode::Esc));
    app.update(key(KeyCode::Char('?')));
    for _ in 0..200 {
        app.update(key(KeyCode::Down));
    }
    let text = screen(render(&app, 80, 24).buffer());
    assert!(text.contains("[prompt]"), "{text}");
}

#[test]
fn a_bulk_change_asks_first_naming_how_many() {
    let mut app = list_app();
    app.update(key(KeyCode::Char('x')));
    app.update(key(KeyCode::Char('x')));
    app.update(key(KeyCode::Char('c')));
    let text = screen(render(&app, 100, 24).buffer());
    assert!(text.contains("close 2 conversations? y/n"), "{text}");
}

#[test]
fn the_canned_picker_shows_the_matches_and_a_filled_preview_at_80x24() {
    let mut app = thread_app();
    app.canned = vec![
        frontdesk::tui::canned::Canned {
            name: "Refund issued".into(),
            text: "Hi {{contact.first_name}},\n\nyour refund for #{{conversation.id}} is on \
                   its way.{{cursor}}\n\n{{agent.name}}"
                .into(),
            shared: None,
        },
        frontdesk::tui::canned::Canned {
            name: "Password reset".into(),
            text: "Use the link we sent to reset it.".into(),
            shared: None,
        },
        frontdesk::tui::canned::Canned {
            name: "Hostile \u{1b}[31mname".into(),
            text: "\u{1b}]0;owned\u{7}text".into(),
            shared: None,
        },
    ];
    app.focus = Pane::Editor;
    app.update(Msg::Key(KeyEvent::new(
        KeyCode::Char('p'),
        KeyModifiers::CONTROL,
    )));
    for c in "refund".chars() {
        app.update(key(KeyCode::Char(c)));
    }
    let backend = render(&app, 80, 24);
    let text = screen(backend.buffer());
    let id = app.thread.open.unwrap();
    assert!(text.contains("find: refund"), "{text}");
    assert!(text.contains("Refund issued"), "{text}");
    assert!(!text.contains("Password reset"), "{text}");
    assert!(text.contains(&format!("#{id} is on")), "{text}");
    assert!(
        text.contains("Ana"),
        "the agent's name fills its placeholder:\n{text}"
    );
    assert!(!text.contains("{{"), "{text}");
    assert_rows_fit(backend.buffer());
    insta::assert_snapshot!(backend);

    // Hostile names and texts reach no cell as control characters.
    for _ in 0.."refund".len() {
        app.update(key(KeyCode::Backspace));
    }
    for c in "hostile".chars() {
        app.update(key(KeyCode::Char(c)));
    }
    let backend = render(&app, 80, 24);
    let text = screen(backend.buffer());
    assert!(text.contains("Hostile"), "{text}");
    for row in rows(backend.buffer()) {
        assert!(!row.chars().any(is_forbidden), "{row:?}");
    }
}
