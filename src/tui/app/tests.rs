//! `App::update` without a terminal or a server.

use super::*;
use crate::api::{ConversationPage, Event, EventKind};
use crate::domain::{
    Agent, ChannelKind, Contact, Conversation, Message, MessageKind, Priority, Role, Sender,
    SenderKind, Team, Timestamp,
};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

fn agent(id: Id, name: &str) -> Agent {
    Agent {
        id,
        name: name.into(),
        email: format!("{name}@x.example"),
        role: Role::Agent,
        has_seat: true,
        available: true,
        active: true,
    }
}

fn conv(id: Id, at: i64, owner: Option<Id>, status: Status) -> Conversation {
    Conversation {
        id,
        subject: format!("subject {id}"),
        status,
        priority: Priority::Medium,
        owner_id: owner,
        team_id: None,
        channel_id: 1,
        channel_kind: ChannelKind::Email,
        contact_id: 100 + id,
        contact_name: format!("contact {id}"),
        labels: vec![],
        snoozed_until: None,
        created_at: Timestamp(at),
        updated_at: Timestamp(at),
        last_message_at: Timestamp(at),
        preview: String::new(),
        message_count: 1,
        unread: false,
    }
}

fn message(id: Id, conversation_id: Id, body: &str) -> Message {
    Message {
        id,
        conversation_id,
        kind: MessageKind::Inbound,
        internal: false,
        sender: Sender {
            kind: SenderKind::Contact,
            id: Some(1),
            name: "Customer".into(),
        },
        channel_id: 1,
        body: body.into(),
        client_id: None,
        attachments: vec![],
        delivery: None,
        created_at: Timestamp(0),
        call: None,
    }
}

fn key(c: char) -> Msg {
    Msg::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE))
}

fn code(code: KeyCode) -> Msg {
    Msg::Key(KeyEvent::new(code, KeyModifiers::NONE))
}

fn ctrl(c: char) -> Msg {
    Msg::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL))
}

/// An app for agent 1 showing conversations 3, 2, 1 (newest first).
fn app() -> App {
    let mut app = App::new(
        agent(1, "Ana"),
        vec![agent(1, "Ana"), agent(2, "Bo")],
        Keymap::default(),
    );
    app.update(Msg::List {
        page: ConversationPage {
            items: vec![
                conv(3, 300, None, Status::New),
                conv(2, 200, Some(2), Status::WaitingOnUs),
                conv(1, 100, Some(1), Status::WaitingOnContact),
            ],
            next_cursor: Some("c".into()),
            seq: 10,
        },
        append: false,
    });
    // A round of counts is on its way, so live events below ask for no new one.
    assert!(app.count_views(false).is_some());
    app
}

fn detail(c: Conversation) -> ConversationDetail {
    ConversationDetail {
        contact: Contact {
            id: c.contact_id,
            name: c.contact_name.clone(),
            email: None,
            phone: None,
            owner_id: None,
            company_id: None,
            identities: vec![],
            created_at: Timestamp(0),
        },
        messages: vec![message(10, c.id, "first")],
        has_older: true,
        conversation: c,
    }
}

/// Opens the newest conversation (3) as the server would answer.
fn open_newest(app: &mut App) {
    app.update(code(KeyCode::Enter));
    app.update(Msg::Conversation(detail(conv(3, 300, None, Status::New))));
}

fn live(kind: EventKind) -> Msg {
    Msg::Live(Event {
        seq: 11,
        at: Timestamp(0),
        kind,
    })
}

#[test]
fn j_and_k_move_the_selection_within_the_list() {
    let mut app = app();
    app.update(key('j'));
    assert_eq!(app.current().unwrap().id, 2);
    app.update(key('j'));
    app.update(key('j'));
    assert_eq!(app.current().unwrap().id, 1, "stops at the last row");
    app.update(key('k'));
    assert_eq!(app.current().unwrap().id, 2);
}

#[test]
fn moving_near_the_end_fetches_the_next_page_once() {
    let mut app = app();
    let effects = app.update(key('j'));
    assert_eq!(
        effects,
        vec![Effect::FetchList {
            request: ListRequest {
                cursor: Some("c".into()),
                ..app.request()
            },
            append: true
        }]
    );
    assert!(app.update(key('j')).is_empty(), "not again while loading");
}

#[test]
fn a_new_message_moves_its_conversation_to_the_top_unread_and_rings_for_unassigned() {
    let mut app = app();
    app.update(key('j'));
    let mut c = conv(1, 400, None, Status::WaitingOnUs);
    c.preview = "hello again".into();
    let effects = app.update(live(EventKind::MessageCreated {
        conversation_id: 1,
        message: message(50, 1, "hello again"),
        conversation: c,
    }));
    assert_eq!(
        effects,
        vec![Effect::Bell {
            title: "contact 1: subject 1".into()
        }]
    );
    let ids: Vec<Id> = app.list.iter().map(|c| c.id).collect();
    assert_eq!(ids, vec![1, 3, 2]);
    assert!(app.list[0].unread);
    assert_eq!(
        app.current().unwrap().id,
        2,
        "the selection stays on its row"
    );
}

#[test]
fn activity_on_another_agents_conversation_does_not_ring() {
    let mut app = app();
    let effects = app.update(live(EventKind::MessageCreated {
        conversation_id: 2,
        message: message(51, 2, "hi"),
        conversation: conv(2, 500, Some(2), Status::WaitingOnUs),
    }));
    assert!(effects.is_empty());
}

#[test]
fn a_team_created_or_changed_elsewhere_is_known_at_once() {
    let mut app = app();
    let team = |name: &str, member_ids: Vec<Id>| Team {
        id: 7,
        name: name.into(),
        member_ids,
    };
    app.update(live(EventKind::TeamUpdated {
        team: team("Billing", vec![1]),
    }));
    assert_eq!(app.teams, vec![team("Billing", vec![1])]);
    app.update(live(EventKind::TeamUpdated {
        team: team("Billing EU", vec![1, 2]),
    }));
    assert_eq!(app.teams, vec![team("Billing EU", vec![1, 2])]);
}

#[test]
fn a_conversation_that_leaves_the_view_leaves_the_list() {
    let mut app = app();
    app.update(live(EventKind::ConversationUpdated {
        conversation: conv(2, 200, Some(2), Status::Closed),
        changes: vec!["status".into()],
    }));
    let ids: Vec<Id> = app.list.iter().map(|c| c.id).collect();
    assert_eq!(ids, vec![3, 1], "the Open view hides closed conversations");
}

#[test]
fn typing_a_filter_reloads_with_the_text() {
    let mut app = app();
    app.update(key('/'));
    assert!(app.filtering);
    app.update(key('r'));
    let effects = app.update(key('e'));
    assert_eq!(
        effects,
        vec![Effect::FetchList {
            request: ListRequest {
                status: Some("open".into()),
                q: Some("re".into()),
                ..Default::default()
            },
            append: false
        }]
    );
    app.update(code(KeyCode::Esc));
    assert!(!app.filtering && app.filter.is_empty());
}

#[test]
fn reply_then_ctrl_s_sends_the_draft_and_empties_the_editor() {
    let mut app = app();
    assert_eq!(
        app.update(code(KeyCode::Enter)),
        vec![Effect::FetchConversation(3)]
    );
    app.update(Msg::Conversation(detail(conv(3, 300, None, Status::New))));
    app.update(key('r'));
    assert_eq!(app.focus, Pane::Editor);
    for c in "On it".chars() {
        app.update(key(c));
    }
    let effects = app.update(ctrl('s'));
    assert_eq!(
        effects,
        vec![Effect::Send {
            conversation_id: 3,
            body: "On it".into(),
            internal: false,
            channel_id: None
        }]
    );
    assert!(app.draft.is_empty());
    assert_eq!(app.focus, Pane::Thread);
}

#[test]
fn n_writes_an_internal_note() {
    let mut app = app();
    open_newest(&mut app);
    app.update(key('n'));
    app.update(key('x'));
    let effects = app.update(ctrl('s'));
    assert!(
        matches!(&effects[..], [Effect::Send { internal: true, .. }]),
        "{effects:?}"
    );
}

#[test]
fn esc_keeps_the_draft_of_each_conversation() {
    let mut app = app();
    open_newest(&mut app);
    app.update(key('r'));
    app.update(key('h'));
    app.update(key('i'));
    app.update(code(KeyCode::Esc));
    assert_eq!(app.draft, "hi");
    // Open another conversation, then come back.
    app.focus = Pane::List;
    app.update(key('j'));
    app.update(code(KeyCode::Enter));
    assert_eq!(app.draft, "", "the other conversation has no draft");
    app.update(Msg::Conversation(detail(conv(
        2,
        200,
        Some(2),
        Status::WaitingOnUs,
    ))));
    app.focus = Pane::List;
    app.update(key('k'));
    app.update(code(KeyCode::Enter));
    assert_eq!(app.draft, "hi");
}

#[test]
fn an_empty_draft_is_not_sent() {
    let mut app = app();
    open_newest(&mut app);
    app.update(key('r'));
    assert!(app.update(ctrl('s')).is_empty());
    assert_eq!(app.notice.as_deref(), Some("nothing to send"));
}

#[test]
fn the_outbox_state_shows_on_the_pending_reply_until_the_message_arrives() {
    let mut app = app();
    open_newest(&mut app);
    app.update(Msg::Queued(Outgoing {
        client_id: "k1".into(),
        conversation_id: 3,
        body: "On it".into(),
        internal: false,
        delivery: Delivery::Sending,
    }));
    app.update(Msg::Outbox(OutboxUpdate {
        client_id: "k1".into(),
        conversation_id: 3,
        state: crate::client::outbox::EntryState::Sending,
        message: None,
        error: Some("server unreachable".into()),
    }));
    assert_eq!(
        app.outgoing[0].delivery,
        Delivery::Retrying("server unreachable".into()),
        "a retryable error is not a failure"
    );
    assert!(app.notice.is_none());
    app.update(Msg::Outbox(OutboxUpdate {
        client_id: "k1".into(),
        conversation_id: 3,
        state: crate::client::outbox::EntryState::Failed,
        message: None,
        error: Some("conversation 3 not found".into()),
    }));
    assert_eq!(
        app.outgoing[0].delivery,
        Delivery::Failed("conversation 3 not found".into())
    );
    assert!(app.notice.as_deref().unwrap().contains("not found"));
    let mut m = message(60, 3, "On it");
    m.client_id = Some("k1".into());
    app.update(Msg::Outbox(OutboxUpdate {
        client_id: "k1".into(),
        conversation_id: 3,
        state: crate::client::outbox::EntryState::Sent,
        message: Some(m),
        error: None,
    }));
    assert!(
        app.outgoing.is_empty(),
        "the stored message replaces the pending one"
    );
    let bodies: Vec<&str> = app
        .thread
        .as_ref()
        .unwrap()
        .detail
        .messages
        .iter()
        .map(|m| m.body.as_str())
        .collect();
    assert_eq!(bodies, vec!["first", "On it"]);
}

#[test]
fn the_status_menu_patches_the_selected_conversation() {
    let mut app = app();
    app.update(key('s'));
    assert!(matches!(
        app.overlay,
        Some(Overlay::Menu {
            menu: Menu::Status,
            ..
        })
    ));
    app.update(key('j'));
    app.update(key('j'));
    app.update(key('j'));
    let effects = app.update(code(KeyCode::Enter));
    assert_eq!(
        effects,
        vec![Effect::Patch {
            id: 3,
            patch: ConversationPatch {
                status: Some(Status::Closed),
                ..Default::default()
            }
        }]
    );
    assert!(app.overlay.is_none());
}

#[test]
fn q_quits_and_help_opens_the_keymap() {
    let mut app = app();
    app.update(key('?'));
    assert_eq!(app.overlay, Some(Overlay::Help));
    app.update(key('x'));
    assert_eq!(app.overlay, None, "any key closes the help");
    assert_eq!(app.update(key('q')), vec![Effect::Quit]);
    assert!(app.quit);
}

#[test]
fn z_snoozes_the_selected_conversation_until_later() {
    let mut app = app();
    app.update(key('z'));
    assert!(matches!(
        app.overlay,
        Some(Overlay::Menu {
            menu: Menu::Snooze,
            ..
        })
    ));
    app.update(key('j'));
    let before = Timestamp::now().millis();
    let effects = app.update(code(KeyCode::Enter));
    let [Effect::Patch { id: 3, patch }] = &effects[..] else {
        panic!("{effects:?}");
    };
    let until = patch.snoozed_until.unwrap().unwrap().millis();
    let four_hours = 4 * 3_600_000;
    assert!((before + four_hours..before + four_hours + 60_000).contains(&until));
}

#[test]
fn the_list_scrolls_only_when_the_selection_leaves_the_window() {
    let mut app = app();
    app.update(Msg::Resize { list_rows: 2 });
    app.update(key('j'));
    assert_eq!(
        (app.selected, app.list_top),
        (1, 0),
        "inside the window: no scroll"
    );
    app.update(key('j'));
    assert_eq!(
        (app.selected, app.list_top),
        (2, 1),
        "past the bottom edge: one row"
    );
    app.update(key('k'));
    assert_eq!(
        (app.selected, app.list_top),
        (1, 1),
        "back inside: no scroll"
    );
    app.update(key('k'));
    assert_eq!(
        (app.selected, app.list_top),
        (0, 0),
        "past the top edge: one row"
    );
}

#[test]
fn ctrl_t_switches_the_editor_between_reply_and_note() {
    let mut app = app();
    open_newest(&mut app);
    app.update(key('r'));
    app.update(ctrl('t'));
    assert_eq!(app.compose, Compose::Note);
    app.update(key('x'));
    let effects = app.update(ctrl('s'));
    assert!(
        matches!(&effects[..], [Effect::Send { internal: true, .. }]),
        "{effects:?}"
    );
}

#[test]
fn the_assign_menu_offers_teams_after_agents() {
    let mut app = app();
    app.teams = vec![Team {
        id: 7,
        name: "Billing".into(),
        member_ids: vec![],
    }];
    let options = app.menu_options(&Menu::Assign);
    let labels: Vec<&str> = options.iter().map(|(l, _)| l.as_str()).collect();
    assert_eq!(labels, ["nobody", "Ana", "Bo", "team: Billing"]);
    assert_eq!(
        options[3].1,
        Choice::Patch(ConversationPatch {
            team_id: Some(Some(7)),
            ..Default::default()
        })
    );
}

#[test]
fn enter_in_the_sidebar_opens_another_conversation_of_the_contact() {
    let mut app = app();
    app.update(code(KeyCode::Enter));
    let open = conv(3, 300, None, Status::New);
    app.update(Msg::Conversation(detail(open.clone())));
    let older = conv(9, 50, None, Status::Closed);
    app.update(Msg::Contact(ContactDetail {
        contact: detail(open.clone()).contact,
        company: None,
        conversations: vec![open, older],
        messages: vec![],
    }));
    assert_eq!(app.sidebar_selected, 0, "starts on the open conversation");
    app.focus = Pane::Sidebar;
    app.update(key('j'));
    assert_eq!(
        app.update(code(KeyCode::Enter)),
        vec![Effect::FetchConversation(9)]
    );
    assert_eq!(app.focus, Pane::Thread);
}

#[test]
fn ctrl_e_hands_the_draft_to_the_editor_and_keeps_what_comes_back() {
    let mut app = app();
    open_newest(&mut app);
    app.update(key('r'));
    app.update(key('h'));
    assert_eq!(
        app.update(ctrl('e')),
        vec![Effect::Edit { draft: "h".into() }]
    );
    app.update(Msg::Edited("hello from vim\n".into()));
    assert_eq!(app.draft, "hello from vim");
    assert_eq!(app.focus, Pane::Editor);
}

#[test]
fn ctrl_l_sends_the_reply_on_another_channel_and_cycles_back() {
    let mut app = app();
    let channel = |id: Id, name: &str, enabled: bool| crate::domain::Channel {
        id,
        kind: ChannelKind::Email,
        name: name.into(),
        enabled,
        webhook_url: None,
        settings: serde_json::json!({}),
        created_at: Timestamp(0),
        description: None,
        capabilities: Default::default(),
        deleted_at: None,
    };
    app.channels = vec![
        channel(1, "support@", true),
        channel(2, "off", false),
        channel(3, "WhatsApp", true),
    ];
    open_newest(&mut app);
    app.update(key('r'));
    assert_eq!(
        app.reply_channel_name(),
        Some("support@"),
        "the conversation's own"
    );
    app.update(ctrl('l'));
    assert_eq!(
        app.reply_channel_name(),
        Some("WhatsApp"),
        "a turned-off channel is skipped"
    );
    app.update(ctrl('l'));
    assert_eq!(app.reply_channel, None, "back to its own");
    app.update(ctrl('l'));
    app.update(key('x'));
    let effects = app.update(ctrl('s'));
    assert!(
        matches!(
            &effects[..],
            [Effect::Send {
                channel_id: Some(3),
                ..
            }]
        ),
        "{effects:?}"
    );
}

#[test]
fn marked_rows_are_closed_together_and_the_marks_cleared() {
    let mut app = app();
    app.update(key('x'));
    assert_eq!(app.current().unwrap().id, 2, "marking moves on");
    app.update(key('j'));
    app.update(key(' '));
    let marked: Vec<Id> = app.marked.iter().copied().collect();
    assert_eq!(marked, vec![1, 3]);
    let effects = app.update(key('c'));
    let closed = |id| Effect::Patch {
        id,
        patch: ConversationPatch {
            status: Some(Status::Closed),
            ..Default::default()
        },
    };
    assert_eq!(effects, vec![closed(1), closed(3)]);
    assert!(app.marked.is_empty());
    // Without marks, the action is for the selected row only.
    app.update(key('k'));
    assert_eq!(
        app.update(key('c')),
        vec![closed(app.current().unwrap().id)]
    );
}

#[test]
fn ctrl_p_inserts_a_canned_reply_into_the_draft() {
    let mut app = app();
    app.canned = vec![
        crate::tui::canned::Canned {
            name: "Hi".into(),
            text: "Hello!".into(),
        },
        crate::tui::canned::Canned {
            name: "Bye".into(),
            text: " Have a good day.".into(),
        },
    ];
    open_newest(&mut app);
    app.update(key('r'));
    app.update(ctrl('p'));
    assert!(matches!(
        app.overlay,
        Some(Overlay::Menu {
            menu: Menu::Canned,
            ..
        })
    ));
    app.update(code(KeyCode::Enter));
    app.update(ctrl('p'));
    app.update(key('j'));
    app.update(code(KeyCode::Enter));
    assert_eq!(app.draft, "Hello! Have a good day.");
    assert_eq!(app.focus, Pane::Editor);
}

#[test]
fn the_palette_runs_actions_and_narrows_the_list() {
    let mut app = app();
    app.channels = vec![crate::domain::Channel {
        id: 4,
        kind: ChannelKind::Whatsapp,
        name: "WhatsApp Spain".into(),
        enabled: true,
        webhook_url: None,
        settings: serde_json::json!({}),
        created_at: Timestamp(0),
        description: None,
        capabilities: Default::default(),
        deleted_at: None,
    }];
    let type_line = |app: &mut App, line: &str| {
        app.update(key(':'));
        for c in line.chars() {
            app.update(key(c));
        }
        app.update(code(KeyCode::Enter))
    };
    let effects = type_line(&mut app, "channel spain");
    let [Effect::FetchList { request, .. }] = &effects[..] else {
        panic!("{effects:?}");
    };
    assert_eq!(request.channel.as_deref(), Some("4"));
    assert_eq!(
        request.status.as_deref(),
        Some("open"),
        "the view's own filter stays"
    );
    let effects = type_line(&mut app, "assignee bo");
    let [Effect::FetchList { request, .. }] = &effects[..] else {
        panic!("{effects:?}");
    };
    assert_eq!(
        (request.channel.as_deref(), request.assignee.as_deref()),
        (Some("4"), Some("2"))
    );
    assert!(type_line(&mut app, "priority meh").is_empty());
    assert!(app.notice.as_deref().unwrap().contains("meh"));
    let effects = type_line(&mut app, "clear");
    assert!(
        matches!(&effects[..], [Effect::FetchList { request, .. }] if request.channel.is_none())
    );
    // Any action by name.
    assert_eq!(type_line(&mut app, "close").len(), 1);
    assert_eq!(type_line(&mut app, "quit"), vec![Effect::Quit]);
}

#[test]
fn a_live_update_keeps_its_row_in_a_text_filtered_list() {
    let mut app = app();
    app.filter = "subject".into();
    app.update(live(EventKind::ConversationUpdated {
        conversation: conv(2, 999, Some(2), Status::WaitingOnUs),
        changes: vec!["priority".into()],
    }));
    let ids: Vec<Id> = app.list.iter().map(|c| c.id).collect();
    assert_eq!(ids, vec![3, 2, 1], "updated in place, not dropped");
}

#[test]
fn a_burst_of_activity_costs_one_round_of_counts_and_one_delayed_round_after_it() {
    let mut app = App::new(agent(1, "Ana"), vec![agent(1, "Ana")], Keymap::default());
    let first = app.start();
    assert!(
        matches!(first.last(), Some(Effect::FetchCounts { requests, delay: false }) if requests.len() == VIEWS.len()),
        "{first:?}"
    );
    let created = |id| {
        live(EventKind::ConversationCreated {
            conversation: conv(id, 500 + id, None, Status::New),
        })
    };
    let during: Vec<Effect> = (10..20).flat_map(|id| app.update(created(id))).collect();
    assert!(
        !during
            .iter()
            .any(|e| matches!(e, Effect::FetchCounts { .. })),
        "nothing while a round is on its way: {during:?}"
    );
    let after = app.update(Msg::Counts(Some(vec![7, 1, 2, 3, 0, 4, 11])));
    assert_eq!(app.counts[0], Some(7));
    assert!(
        matches!(after.as_slice(), [Effect::FetchCounts { delay: true, .. }]),
        "the activity meanwhile is counted once more: {after:?}"
    );
    assert!(
        app.update(Msg::Counts(None)).is_empty(),
        "quiet: no more rounds"
    );
    assert_eq!(
        app.counts[6],
        Some(11),
        "a failed round keeps the last counts"
    );
    let next = app.update(created(30));
    assert!(
        next.iter()
            .any(|e| matches!(e, Effect::FetchCounts { delay: false, .. })),
        "{next:?}"
    );
}

#[test]
fn scrolling_up_into_the_top_of_the_thread_loads_older_history_once() {
    let mut app = app();
    open_newest(&mut app);
    app.focus = Pane::Thread;
    app.drawn(crate::tui::views::Drawn {
        thread_max_scroll: Some(2),
        ..Default::default()
    });
    assert!(
        app.update(key('k')).is_empty(),
        "one line up: not the top yet"
    );
    let effects = app.update(key('k'));
    assert_eq!(effects, vec![Effect::FetchOlder { id: 3, before: 10 }]);
    assert!(app.update(key('k')).is_empty(), "not again while loading");
    assert_eq!(app.thread.as_ref().unwrap().scroll, 2, "stops at the top");
    app.update(Msg::Older {
        id: 3,
        messages: vec![message(4, 3, "older")],
        has_older: false,
    });
    app.drawn(crate::tui::views::Drawn {
        thread_max_scroll: Some(6),
        ..Default::default()
    });
    let t = app.thread.as_ref().unwrap();
    assert_eq!(t.detail.messages[0].id, 4);
    assert_eq!(t.scroll, 2, "the view stays on the lines it showed");
    for _ in 0..10 {
        assert!(
            app.update(key('k')).is_empty(),
            "the whole history is loaded"
        );
    }
    assert_eq!(app.thread.as_ref().unwrap().scroll, 6);
    app.update(key('j'));
    assert_eq!(
        app.thread.as_ref().unwrap().scroll,
        5,
        "one key down moves at once"
    );
}

#[test]
fn enter_in_the_thread_lists_attachments_newest_first_to_save_or_open() {
    use crate::domain::{Attachment, AttachmentKind};
    let mut app = app();
    open_newest(&mut app);
    app.focus = Pane::Thread;
    app.update(code(KeyCode::Enter));
    assert_eq!(app.overlay, None);
    assert_eq!(
        app.notice.as_deref(),
        Some("this conversation has no attachments")
    );

    let file = |name: &str, url: &str| Attachment {
        kind: AttachmentKind::Image,
        name: name.into(),
        mime_type: None,
        size: 10,
        url: url.into(),
    };
    let mut older = message(20, 3, "see photo");
    older.attachments = vec![file("old.png", "/api/v1/files/a")];
    let mut newer = message(21, 3, "and this");
    newer.attachments = vec![file("new\u{1b}[2J.png", "https://cdn.example/b")];
    app.update(live(EventKind::MessageCreated {
        conversation_id: 3,
        message: older,
        conversation: conv(3, 400, None, Status::New),
    }));
    app.update(live(EventKind::MessageCreated {
        conversation_id: 3,
        message: newer,
        conversation: conv(3, 401, None, Status::New),
    }));
    app.update(code(KeyCode::Enter));
    assert!(matches!(
        app.overlay,
        Some(Overlay::Menu {
            menu: Menu::Attachments,
            selected: 0
        })
    ));
    assert_eq!(
        app.update(code(KeyCode::Enter)),
        vec![Effect::SaveAttachment {
            url: "https://cdn.example/b".into(),
            name: "new.png".into(),
            open: false
        }],
        "the newest first, its name made harmless"
    );
    app.update(code(KeyCode::Enter));
    app.update(key('j'));
    assert_eq!(
        app.update(key('o')),
        vec![Effect::SaveAttachment {
            url: "/api/v1/files/a".into(),
            name: "old.png".into(),
            open: true
        }]
    );
    assert_eq!(app.overlay, None);
}

#[test]
fn a_click_picks_a_row_a_second_click_opens_it_and_the_wheel_scrolls_the_pane_under_it() {
    use crossterm::event::{MouseButton, MouseEvent, MouseEventKind};
    let mouse = |kind, column, row| {
        Msg::Mouse(MouseEvent {
            kind,
            column,
            row,
            modifiers: KeyModifiers::NONE,
        })
    };
    let click = |column, row| mouse(MouseEventKind::Down(MouseButton::Left), column, row);
    let mut app = app();
    app.drawn(crate::tui::views::Drawn {
        list_rows: Some((Rect::new(1, 3, 60, 10), 0)),
        ..Default::default()
    });
    let opens = |effects: &[Effect]| {
        effects
            .iter()
            .any(|e| matches!(e, Effect::FetchConversation(2)))
    };
    assert!(!opens(&app.update(click(10, 4))));
    assert_eq!(app.current().unwrap().id, 2, "the second row");
    assert!(
        opens(&app.update(click(10, 4))),
        "a click on the picked row opens it"
    );
    app.update(Msg::Conversation(detail(conv(
        2,
        200,
        Some(2),
        Status::WaitingOnUs,
    ))));
    assert!(
        app.update(click(10, 12)).is_empty(),
        "below the last row: nothing"
    );
    assert_eq!(app.current().unwrap().id, 2);

    app.drawn(crate::tui::views::Drawn {
        thread_max_scroll: Some(10),
        list_rows: Some((Rect::new(1, 3, 30, 10), 0)),
        thread: Some(Rect::new(31, 0, 50, 20)),
        sidebar: None,
    });
    app.focus = Pane::List;
    app.update(mouse(MouseEventKind::ScrollUp, 40, 5));
    assert_eq!(
        app.thread.as_ref().unwrap().scroll,
        3,
        "the wheel scrolled the thread"
    );
    assert_eq!(app.focus, Pane::List, "without taking the keyboard");
    app.update(mouse(MouseEventKind::ScrollDown, 5, 5));
    assert_eq!(
        app.current().unwrap().id,
        1,
        "and the list, clamped at its end"
    );
    app.update(click(40, 5));
    assert_eq!(app.focus, Pane::Thread, "a click focuses the pane");
}
