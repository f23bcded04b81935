//! `App::update` without a terminal or a server.

use super::*;
use crate::api::{ConversationPage, Event, EventKind, LabelCount};
use crate::domain::{
    Agent, ChannelKind, Contact, Conversation, Message, MessageKind, Priority, Role, Sender,
    SenderKind, Status, Team, Timestamp,
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
        email: None,
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

fn alt(c: char) -> Msg {
    Msg::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::ALT))
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
        generation: 0,
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

/// The server's answer to the latest request for the open conversation.
fn answer(app: &mut App, detail: ConversationDetail) -> Vec<Effect> {
    let generation = app.gens.current(Slot::Thread);
    app.update(Msg::Conversation { detail, generation })
}

/// Opens the newest conversation (3) as the server would answer.
fn open_newest(app: &mut App) {
    app.update(code(KeyCode::Enter));
    answer(app, detail(conv(3, 300, None, Status::New)));
}

/// The notice's text.
fn notice(app: &App) -> Option<&str> {
    app.notice.as_ref().map(|n| n.text.as_str())
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
    assert_eq!(app.list.current().unwrap().id, 2);
    app.update(key('j'));
    app.update(key('j'));
    assert_eq!(app.list.current().unwrap().id, 1, "stops at the last row");
    app.update(key('k'));
    assert_eq!(app.list.current().unwrap().id, 2);
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
                ..app.list.request()
            },
            append: true,
            generation: 0,
        }]
    );
    assert!(app.update(key('j')).is_empty(), "not again while loading");
}

#[test]
fn a_new_message_moves_its_conversation_to_the_top_unread_and_rings_for_unassigned() {
    let mut app = app();
    app.bell = BellPolicy::Unassigned;
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
    let ids: Vec<Id> = app.list.rows.iter().map(|c| c.id).collect();
    assert_eq!(ids, vec![1, 3, 2]);
    assert!(app.list.rows[0].unread);
    assert_eq!(
        app.list.current().unwrap().id,
        2,
        "the selection stays on its row"
    );
}

#[test]
fn the_default_bell_rings_for_mine_and_for_an_assignment_by_someone_else_only() {
    let mut app = app();
    assert_eq!(app.bell, BellPolicy::Mine);
    let writes = |app: &mut App, id, owner| {
        app.update(live(EventKind::MessageCreated {
            conversation_id: id,
            message: message(60 + id, id, "hi"),
            conversation: conv(id, 900 + id, owner, Status::WaitingOnUs),
        }))
    };
    assert!(writes(&mut app, 3, None).is_empty(), "unassigned: quiet");
    assert_eq!(writes(&mut app, 1, Some(1)).len(), 1, "mine rings");
    let assigned = |app: &mut App| {
        app.update(live(EventKind::ConversationUpdated {
            conversation: conv(2, 200, Some(1), Status::WaitingOnUs),
            changes: vec!["owner_id".into()],
        }))
    };
    assert!(
        matches!(&assigned(&mut app)[..], [Effect::Bell { .. }]),
        "assigned to me by someone else"
    );
    // Assigning it to myself rings nothing.
    app.list.selected = app.list.rows.iter().position(|c| c.id == 2).unwrap();
    assert_eq!(app.update(key('m')).len(), 1);
    assert!(assigned(&mut app).is_empty());
    app.bell = BellPolicy::Off;
    assert!(writes(&mut app, 1, Some(1)).is_empty());
}

#[test]
fn own_actions_never_set_the_unread_marker_and_reading_elsewhere_clears_it() {
    let mut app = app();
    let unread = |app: &App, id| app.list.rows.iter().find(|c| c.id == id).unwrap().unread;
    // A priority change, a close and a reopen (by me or anyone): no marker.
    for status in [Status::Closed, Status::WaitingOnUs] {
        app.update(Msg::Updated {
            conversation: conv(2, 200, Some(2), status),
            batch: None,
        });
    }
    app.update(live(EventKind::ConversationUpdated {
        conversation: conv(2, 200, Some(2), Status::WaitingOnUs),
        changes: vec!["priority".into()],
    }));
    assert!(!unread(&app, 2));
    // My own reply from another client: no marker either.
    let mut mine = message(70, 1, "sent by me");
    mine.kind = MessageKind::Outbound;
    mine.sender = Sender {
        kind: SenderKind::Agent,
        id: Some(1),
        name: "Ana".into(),
    };
    app.update(live(EventKind::MessageCreated {
        conversation_id: 1,
        message: mine,
        conversation: conv(1, 700, Some(1), Status::WaitingOnContact),
    }));
    assert!(!unread(&app, 1));
    // A customer message sets it; reading it in another client of mine clears it.
    app.update(live(EventKind::MessageCreated {
        conversation_id: 1,
        message: message(71, 1, "customer"),
        conversation: conv(1, 800, Some(1), Status::WaitingOnUs),
    }));
    assert!(unread(&app, 1));
    app.update(live(EventKind::ConversationRead {
        conversation_id: 1,
        agent_id: 2,
    }));
    assert!(unread(&app, 1), "another agent's reading is theirs");
    app.update(live(EventKind::ConversationRead {
        conversation_id: 1,
        agent_id: 1,
    }));
    assert!(!unread(&app, 1));
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
    let ids: Vec<Id> = app.list.rows.iter().map(|c| c.id).collect();
    assert_eq!(ids, vec![3, 1], "the Open view hides closed conversations");
}

#[test]
fn typing_a_filter_reloads_with_the_text() {
    let mut app = app();
    app.update(key('/'));
    assert!(app.list.filtering);
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
            append: false,
            generation: app.gens.current(Slot::List),
        }]
    );
    app.update(code(KeyCode::Esc));
    assert!(!app.list.filtering && app.list.filter.is_empty());
}

#[test]
fn reply_then_ctrl_s_sends_the_draft_and_empties_the_editor() {
    let mut app = app();
    assert_eq!(
        app.update(code(KeyCode::Enter)),
        vec![
            Effect::FetchConversation {
                id: 3,
                generation: 1
            },
            Effect::FetchContact {
                id: 103,
                generation: 1
            }
        ]
    );
    answer(&mut app, detail(conv(3, 300, None, Status::New)));
    app.update(key('r'));
    assert_eq!(app.focus, Pane::Editor);
    for c in "On it".chars() {
        app.update(key(c));
    }
    let effects = app.update(ctrl('s'));
    assert_eq!(
        effects,
        vec![
            Effect::Send {
                conversation_id: 3,
                body: "On it".into(),
                internal: false,
                channel_id: None,
                attachments: vec![],
                mentions: vec![],
                email: None
            },
            Effect::SaveDraft {
                conversation_id: 3,
                text: String::new()
            }
        ],
        "sent, and the kept draft removed"
    );
    assert!(app.draft().is_empty());
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
        matches!(
            &effects[..],
            [
                Effect::Send { internal: true, .. },
                Effect::SaveDraft { .. }
            ]
        ),
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
    assert_eq!(app.draft(), "hi");
    // Open another conversation, then come back.
    app.focus = Pane::List;
    app.update(key('j'));
    app.update(code(KeyCode::Enter));
    assert_eq!(app.draft(), "", "the other conversation has no draft");
    answer(&mut app, detail(conv(2, 200, Some(2), Status::WaitingOnUs)));
    app.focus = Pane::List;
    app.update(key('k'));
    app.update(code(KeyCode::Enter));
    assert_eq!(app.draft(), "hi");
}

#[test]
fn an_empty_draft_is_not_sent() {
    let mut app = app();
    open_newest(&mut app);
    app.update(key('r'));
    assert!(app.update(ctrl('s')).is_empty());
    assert_eq!(notice(&app), Some("nothing to send"));
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
        app.editor.outgoing[0].delivery,
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
        app.editor.outgoing[0].delivery,
        Delivery::Failed("conversation 3 not found".into())
    );
    assert!(notice(&app).unwrap().contains("not found"));
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
        app.editor.outgoing.is_empty(),
        "the stored message replaces the pending one"
    );
    let bodies: Vec<&str> = app
        .thread
        .loaded
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
        app.layers.last(),
        Some(Layer::Menu {
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
            },
            batch: None,
        }]
    );
    assert!(app.layers.is_empty());
}

#[test]
fn q_quits_and_help_opens_the_keymap() {
    let mut app = app();
    app.update(key('?'));
    assert!(matches!(app.layers[..], [Layer::Help { .. }]));
    app.update(key('x'));
    assert!(
        matches!(&app.layers[..], [Layer::Help { filter, .. }] if filter == "x"),
        "typing filters the help"
    );
    app.update(code(KeyCode::Esc));
    assert!(app.layers.is_empty(), "Esc closes it");
    assert_eq!(app.update(key('q')), vec![Effect::Quit]);
    assert!(app.quit);
}

#[test]
fn z_snoozes_the_selected_conversation_until_later() {
    let mut app = app();
    app.update(key('z'));
    assert!(matches!(
        app.layers.last(),
        Some(Layer::Menu {
            menu: Menu::Snooze,
            ..
        })
    ));
    app.update(key('j'));
    let before = Timestamp::now().millis();
    let effects = app.update_at(code(KeyCode::Enter), before);
    let [Effect::Patch { id: 3, patch, .. }] = &effects[..] else {
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
        (app.list.selected, app.list.top),
        (1, 0),
        "inside the window: no scroll"
    );
    app.update(key('j'));
    assert_eq!(
        (app.list.selected, app.list.top),
        (2, 1),
        "past the bottom edge: one row"
    );
    app.update(key('k'));
    assert_eq!(
        (app.list.selected, app.list.top),
        (1, 1),
        "back inside: no scroll"
    );
    app.update(key('k'));
    assert_eq!(
        (app.list.selected, app.list.top),
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
    assert_eq!(app.editor.compose, Compose::Note);
    app.update(key('x'));
    let effects = app.update(ctrl('s'));
    assert!(
        matches!(
            &effects[..],
            [
                Effect::Send { internal: true, .. },
                Effect::SaveDraft { .. }
            ]
        ),
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
    answer(&mut app, detail(open.clone()));
    let older = conv(9, 50, None, Status::Closed);
    let generation = app.gens.current(Slot::Contact);
    app.update(Msg::Contact {
        detail: ContactDetail {
            contact: detail(open.clone()).contact,
            company: None,
            conversations: vec![open, older],
            messages: vec![],
        },
        generation,
    });
    assert_eq!(app.contact.selected, 0, "starts on the open conversation");
    app.focus = Pane::Sidebar;
    app.update(key('j'));
    assert_eq!(
        app.update(code(KeyCode::Enter)),
        vec![
            Effect::FetchConversation {
                id: 9,
                generation: 2
            },
            Effect::FetchContact {
                id: 103,
                generation: 2
            }
        ]
    );
    assert_eq!(app.focus, Pane::Thread);
}

#[test]
fn alt_e_hands_the_draft_to_the_editor_and_keeps_what_comes_back() {
    let mut app = app();
    open_newest(&mut app);
    app.update(key('r'));
    app.update(key('h'));
    assert_eq!(
        app.update(alt('e')),
        vec![Effect::Edit {
            conversation_id: 3,
            draft: "h".into()
        }]
    );
    app.update(Msg::Edited {
        conversation_id: 3,
        text: "hello from vim".into(),
    });
    assert_eq!(app.draft(), "hello from vim");
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
    assert_eq!(app.editor.channel, None, "back to its own");
    app.update(ctrl('l'));
    app.update(key('x'));
    let effects = app.update(ctrl('s'));
    assert!(
        matches!(
            &effects[..],
            [
                Effect::Send {
                    channel_id: Some(3),
                    ..
                },
                Effect::SaveDraft { .. }
            ]
        ),
        "{effects:?}"
    );
}

fn route(
    id: Id,
    kind: ChannelKind,
    current: bool,
    reason: Option<&str>,
) -> crate::api::ReplyChannel {
    crate::api::ReplyChannel {
        channel_id: id,
        kind,
        name: format!("channel {id}"),
        current,
        reachable: reason.is_none(),
        reason: reason.map(str::to_string),
        recipient: None,
        files: crate::api::FileLimits {
            attachments: true,
            max_count: 10,
            max_total: 1,
        },
        email: (kind == ChannelKind::Email).then(|| crate::api::ReplyEmail {
            to: vec!["eve@client.example".into()],
            subject: "Re: Invoice".into(),
            ..Default::default()
        }),
    }
}

fn reach(items: Vec<crate::api::ReplyChannel>) -> Msg {
    Msg::ReplyChannels(crate::api::ReplyChannels {
        conversation_id: 3,
        items,
    })
}

#[test]
fn a_reply_by_mail_carries_editable_header_lines_and_ctrl_l_offers_only_what_reaches() {
    let mut app = app();
    open_newest(&mut app);
    let effects = app.update(key('r'));
    assert!(
        effects.contains(&Effect::FetchReplyChannels { conversation_id: 3 }),
        "{effects:?}"
    );
    app.update(reach(vec![
        route(1, ChannelKind::Email, true, None),
        route(2, ChannelKind::Call, false, Some("calls send nothing")),
        route(4, ChannelKind::Whatsapp, false, None),
    ]));
    assert_eq!(
        app.draft(),
        "To: eve@client.example\nCc: \nBcc: \nSubject: Re: Invoice\n\n"
    );
    app.update(Msg::Paste("Hello Eve".into()));

    // Ctrl-L skips the call line and drops the header lines off e-mail; back on e-mail
    // they return.
    app.update(ctrl('l'));
    assert_eq!(app.editor.channel, Some(4));
    assert_eq!(app.draft(), "Hello Eve");
    app.update(ctrl('l'));
    assert_eq!(app.editor.channel, None);
    assert!(
        app.draft().starts_with("To: eve@client.example\n"),
        "{}",
        app.draft()
    );

    // Edited header lines become the reply's e-mail fields.
    let edited = app
        .draft()
        .replace("Cc: ", "Cc: ap@client.example, boss@client.example")
        .replace("Re: Invoice", "Your invoice 42");
    app.set_draft(3, &edited);
    let effects = app.update(ctrl('s'));
    let Some(Effect::Send { body, email, .. }) = effects.first() else {
        panic!("{effects:?}");
    };
    assert_eq!(body, "Hello Eve");
    let email = email.as_ref().expect("e-mail fields");
    assert_eq!(email.to, ["eve@client.example"]);
    assert_eq!(email.cc, ["ap@client.example", "boss@client.example"]);
    assert_eq!(email.subject, "Your invoice 42");
}

#[test]
fn a_reply_that_cannot_reach_or_has_a_bad_address_is_kept_with_the_reason() {
    let mut app = app();
    open_newest(&mut app);
    app.update(key('r'));
    app.update(reach(vec![route(1, ChannelKind::Email, true, None)]));
    let text = app
        .draft()
        .replace("To: eve@client.example", "To: not an address")
        + "Hi";
    app.set_draft(3, &text);
    assert!(app.update(ctrl('s')).is_empty());
    assert!(
        notice(&app).unwrap().contains("not sent"),
        "{:?}",
        notice(&app)
    );
    assert_eq!(app.draft(), text, "the draft stays");

    app.update(reach(vec![route(
        1,
        ChannelKind::Email,
        true,
        Some("the contact has no e-mail address"),
    )]));
    app.set_draft(3, "Hi");
    assert!(app.update(ctrl('s')).is_empty());
    assert_eq!(
        notice(&app),
        Some("not sent: the contact has no e-mail address; Ctrl-L picks another channel")
    );
}

#[test]
fn r_retries_and_d_discards_the_newest_failed_reply_and_o_lists_the_outbox() {
    let mut app = app();
    open_newest(&mut app);
    assert!(app.update(key('R')).is_empty());
    assert_eq!(notice(&app), Some("no failed reply here to retry"));
    let mut failed = message(11, 3, "on its way");
    failed.kind = MessageKind::Outbound;
    failed.delivery = Some(crate::domain::Delivery {
        status: crate::domain::DeliveryStatus::Failed,
        error: Some("relay said 550".into()),
        attempts: 5,
        updated_at: Timestamp(0),
        next_attempt_at: None,
        discarded_at: None,
    });
    app.update(live(EventKind::MessageCreated {
        conversation_id: 3,
        message: failed.clone(),
        conversation: conv(3, 300, None, Status::New),
    }));
    assert_eq!(
        app.update(key('R')),
        vec![Effect::RetryMessage {
            conversation_id: 3,
            message_id: 11
        }]
    );
    assert_eq!(
        app.update(key('D')),
        vec![Effect::DiscardMessage {
            conversation_id: 3,
            message_id: 11
        }]
    );
    let mut discarded = failed.clone();
    discarded.delivery.as_mut().unwrap().discarded_at = Some(Timestamp(5));
    app.update(Msg::MessageChanged(discarded));
    assert_eq!(
        notice(&app),
        Some("reply 11 discarded: it will not be sent")
    );
    assert!(
        app.update(key('R')).is_empty(),
        "a discarded reply is not retried"
    );

    assert_eq!(app.update(key('O')), vec![Effect::FetchOutbox]);
    app.update(Msg::OutboxPage(crate::api::OutboxPage {
        items: vec![],
        has_more: false,
    }));
    assert_eq!(
        notice(&app),
        Some("the outbox is empty: every reply has left")
    );
    app.update(Msg::OutboxPage(crate::api::OutboxPage {
        items: vec![crate::api::OutboxItem {
            state: crate::api::OutboxState::Failed,
            message: failed,
            conversation_subject: "Parcel\u{1b}[2J".into(),
            contact_name: "Eve".into(),
        }],
        has_more: false,
    }));
    let options = app.menu_options(&Menu::Outbox);
    assert_eq!(options.len(), 1);
    assert!(!options[0].0.contains('\u{1b}'), "{}", options[0].0);
    assert!(
        options[0].0.starts_with("failed  #3 Parcel"),
        "{}",
        options[0].0
    );
    assert!(
        options[0].0.ends_with("· Eve: relay said 550"),
        "{}",
        options[0].0
    );
}

#[test]
fn files_the_reply_channel_cannot_carry_are_refused_before_sending() {
    let mut app = app();
    open_newest(&mut app);
    app.update(key('r'));
    let mut call = route(1, ChannelKind::Custom, true, None);
    call.files.attachments = false;
    app.update(reach(vec![call]));
    app.editor.files.insert(
        3,
        vec![Attached {
            path: "a.pdf".into(),
            name: "a.pdf".into(),
            size: 10,
        }],
    );
    app.set_draft(3, "Here");
    assert!(app.update(ctrl('s')).is_empty());
    assert_eq!(notice(&app), Some("not sent: channel 1 cannot carry files"));
    assert_eq!(app.attached(3).len(), 1, "the files stay");
    // A note keeps any file.
    app.update(ctrl('t'));
    assert!(matches!(
        app.update(ctrl('s')).first(),
        Some(Effect::Send { internal: true, .. })
    ));
}

#[test]
fn marked_rows_are_closed_together_and_the_marks_cleared() {
    let mut app = app();
    app.update(key('x'));
    assert_eq!(app.list.current().unwrap().id, 2, "marking moves on");
    app.update(key('j'));
    app.update(key(' '));
    let marked: Vec<Id> = app.list.marked.iter().copied().collect();
    assert_eq!(marked, vec![1, 3]);
    assert!(app.update(key('c')).is_empty(), "a bulk change asks first");
    assert!(
        matches!(&app.layers[..], [Layer::Confirm(p)] if p.verb == "close" && p.changes.len() == 2)
    );
    let closed = |id, batch| Effect::Patch {
        id,
        patch: ConversationPatch {
            status: Some(Status::Closed),
            ..Default::default()
        },
        batch,
    };
    let effects = app.update(key('y'));
    assert_eq!(effects, vec![closed(1, Some(1)), closed(3, Some(1))]);
    assert!(app.list.marked.is_empty());
    for id in [1, 3] {
        let mut c = conv(id, 100 * id, None, Status::Closed);
        c.owner_id = app.list.rows.iter().find(|x| x.id == id).unwrap().owner_id;
        app.update(Msg::Updated {
            conversation: c,
            batch: Some(1),
        });
    }
    assert_eq!(notice(&app), Some("2 closed  (u undoes)"));
    // `u` puts back what each conversation was.
    let undone = app.update(key('u'));
    let restored: Vec<(Id, Option<Status>)> = undone
        .iter()
        .map(|e| match e {
            Effect::Patch { id, patch, .. } => (*id, patch.status),
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(
        restored,
        vec![(1, Some(Status::WaitingOnContact)), (3, Some(Status::New))]
    );
    // Without marks, the action is for the selected row only, at once.
    app.update(key('k'));
    let id = app.list.current().unwrap().id;
    assert_eq!(app.update(key('c')), vec![closed(id, None)]);
}

#[test]
fn undo_is_offered_for_ten_seconds_only() {
    let mut app = app();
    app.update_at(key('c'), 1_000);
    assert!(app.update_at(key('u'), 11_001).is_empty());
    assert_eq!(notice(&app), Some("nothing to undo"));
    app.update_at(key('c'), 20_000);
    assert_eq!(app.update_at(key('u'), 29_000).len(), 1);
}

fn canned_replies() -> Vec<crate::tui::canned::Canned> {
    vec![
        crate::tui::canned::Canned {
            name: "Hi".into(),
            text: "Hello {{contact.first_name}}!".into(),
            shared: None,
        },
        crate::tui::canned::Canned {
            name: "Refund issued".into(),
            text: " Your refund for #{{conversation.id}} is on its way.{{cursor}}\n{{agent.name}}"
                .into(),
            shared: None,
        },
    ]
}

#[test]
fn ctrl_p_inserts_a_canned_reply_into_the_draft() {
    let mut app = app();
    app.canned = canned_replies();
    open_newest(&mut app);
    app.update(key('r'));
    app.update(ctrl('p'));
    assert!(matches!(
        app.layers.last(),
        Some(Layer::Canned {
            conversation: 3,
            ..
        })
    ));
    app.update(code(KeyCode::Enter));
    assert_eq!(app.draft(), "Hello contact!");
    assert_eq!(app.focus, Pane::Editor);
    assert!(app.layers.is_empty());
}

#[test]
fn the_canned_picker_filters_as_typed_fills_placeholders_and_places_the_cursor() {
    let mut app = app();
    app.canned = canned_replies();
    open_newest(&mut app);
    app.update(key('r'));
    app.update(ctrl('p'));
    // Letters go to the picker's query, not the draft: "rfnd" finds "Refund issued" only.
    for c in "rfnd".chars() {
        app.update(key(c));
    }
    assert_eq!(app.draft(), "");
    let names: Vec<_> = app.canned_matches("rfnd").iter().map(|c| &c.name).collect();
    assert_eq!(names, ["Refund issued"]);
    app.update(code(KeyCode::Enter));
    assert_eq!(
        app.draft(),
        " Your refund for #3 is on its way.\nAna",
        "placeholders filled from the conversation and the agent"
    );
    // The cursor was left at {{cursor}}: what is typed next goes there.
    app.update(key('!'));
    assert_eq!(app.draft(), " Your refund for #3 is on its way.!\nAna");
    // One undo takes the whole insertion back, as a paste would.
    app.update(ctrl('z'));
    app.update(ctrl('z'));
    assert_eq!(app.draft(), "");
}

#[test]
fn the_canned_picker_closes_with_esc_and_leaves_the_draft_alone() {
    let mut app = app();
    app.canned = canned_replies();
    open_newest(&mut app);
    app.update(key('r'));
    app.update(key('x'));
    app.update(ctrl('p'));
    app.update(key('z'));
    app.update(code(KeyCode::Enter));
    assert!(
        matches!(app.layers.last(), Some(Layer::Canned { .. })),
        "nothing matches: Enter keeps the picker open"
    );
    app.update(code(KeyCode::Esc));
    assert!(app.layers.is_empty());
    assert_eq!(app.draft(), "x");
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
    assert!(notice(&app).unwrap().contains("meh"));
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
    app.list.filter = "subject".into();
    app.update(live(EventKind::ConversationUpdated {
        conversation: conv(2, 999, Some(2), Status::WaitingOnUs),
        changes: vec!["priority".into()],
    }));
    let ids: Vec<Id> = app.list.rows.iter().map(|c| c.id).collect();
    assert_eq!(ids, vec![3, 2, 1], "updated in place, not dropped");
}

#[test]
fn a_burst_of_activity_costs_one_round_of_counts_and_one_delayed_round_after_it() {
    let mut app = App::new(agent(1, "Ana"), vec![agent(1, "Ana")], Keymap::default());
    let first = app.start();
    assert!(
        first.iter().any(|e| matches!(e, Effect::FetchCounts { requests, delay: false, .. } if requests.len() == VIEWS.len())),
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
    let generation = app.gens.current(Slot::Counts);
    let after = app.update(Msg::Counts {
        counts: Some(vec![7, 1, 2, 3, 0, 4, 11]),
        generation,
    });
    assert_eq!(app.list.counts[0], Some(7));
    assert!(
        matches!(after.as_slice(), [Effect::FetchCounts { delay: true, .. }]),
        "the activity meanwhile is counted once more: {after:?}"
    );
    let generation = app.gens.current(Slot::Counts);
    assert!(
        app.update(Msg::Counts {
            counts: None,
            generation
        })
        .is_empty(),
        "quiet: no more rounds"
    );
    assert_eq!(
        app.list.counts[6],
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
    let generation = app.gens.current(Slot::Older);
    assert_eq!(
        effects,
        vec![Effect::FetchOlder {
            id: 3,
            before: 10,
            generation
        }]
    );
    assert!(app.update(key('k')).is_empty(), "not again while loading");
    assert_eq!(
        app.thread.loaded.as_ref().unwrap().scroll,
        2,
        "stops at the top"
    );
    app.update(Msg::Older {
        id: 3,
        messages: vec![message(4, 3, "older")],
        has_older: false,
        generation,
    });
    app.drawn(crate::tui::views::Drawn {
        thread_max_scroll: Some(6),
        ..Default::default()
    });
    let t = app.thread.loaded.as_ref().unwrap();
    assert_eq!(t.detail.messages[0].id, 4);
    assert_eq!(t.scroll, 2, "the view stays on the lines it showed");
    for _ in 0..10 {
        assert!(
            app.update(key('k')).is_empty(),
            "the whole history is loaded"
        );
    }
    assert_eq!(app.thread.loaded.as_ref().unwrap().scroll, 6);
    app.update(key('j'));
    assert_eq!(
        app.thread.loaded.as_ref().unwrap().scroll,
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
    assert!(app.layers.is_empty());
    assert_eq!(notice(&app), Some("this conversation has no attachments"));

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
        app.layers.last(),
        Some(Layer::Menu {
            menu: Menu::Attachments,
            selected: 0,
            ..
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
    assert!(app.layers.is_empty());
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
            .any(|e| matches!(e, Effect::FetchConversation { id: 2, .. }))
    };
    assert!(!opens(&app.update(click(10, 4))));
    assert_eq!(app.list.current().unwrap().id, 2, "the second row");
    assert!(
        opens(&app.update(click(10, 4))),
        "a click on the picked row opens it"
    );
    answer(&mut app, detail(conv(2, 200, Some(2), Status::WaitingOnUs)));
    assert!(
        app.update(click(10, 12)).is_empty(),
        "below the last row: nothing"
    );
    assert_eq!(app.list.current().unwrap().id, 2);

    app.drawn(crate::tui::views::Drawn {
        thread_max_scroll: Some(10),
        list_rows: Some((Rect::new(1, 3, 30, 10), 0)),
        thread: Some(Rect::new(31, 0, 50, 20)),
        sidebar: None,
        next_change: None,
    });
    app.focus = Pane::List;
    app.update(mouse(MouseEventKind::ScrollUp, 40, 5));
    assert_eq!(
        app.thread.loaded.as_ref().unwrap().scroll,
        3,
        "the wheel scrolled the thread"
    );
    assert_eq!(app.focus, Pane::List, "without taking the keyboard");
    app.update(mouse(MouseEventKind::ScrollDown, 5, 5));
    assert_eq!(
        app.list.current().unwrap().id,
        1,
        "and the list, clamped at its end"
    );
    app.update(click(40, 5));
    assert_eq!(app.focus, Pane::Thread, "a click focuses the pane");
}

fn page(ids: &[Id], cursor: Option<&str>) -> ConversationPage {
    ConversationPage {
        items: ids
            .iter()
            .map(|id| conv(*id, 1000 - id, None, Status::New))
            .collect(),
        next_cursor: cursor.map(str::to_string),
        seq: 10,
    }
}

/// The generation of the first `FetchList` among `effects`.
fn list_generation(effects: &[Effect]) -> u64 {
    effects
        .iter()
        .find_map(|e| match e {
            Effect::FetchList { generation, .. } => Some(*generation),
            _ => None,
        })
        .expect("a list request")
}

#[test]
fn a_late_answer_for_an_earlier_view_never_replaces_the_current_one() {
    let mut app = app();
    let mine = list_generation(&app.update(key(']')));
    assert!(
        app.list.rows.is_empty(),
        "no rows of another view under the new tab"
    );
    let unassigned = list_generation(&app.update(key(']')));
    // The answers arrive out of order: the newest first, then the superseded one.
    app.update(Msg::List {
        page: page(&[40, 41], None),
        append: false,
        generation: unassigned,
    });
    app.update(Msg::List {
        page: page(&[30, 31], None),
        append: false,
        generation: mine,
    });
    let ids: Vec<Id> = app.list.rows.iter().map(|c| c.id).collect();
    assert_eq!(ids, vec![40, 41]);
    assert_eq!(app.list.shown, Some(app.list.request()));
    assert_eq!(VIEWS[app.list.view].name, "Unassigned");
}

#[test]
fn a_next_page_is_appended_only_to_the_view_and_filter_it_was_asked_for() {
    let mut app = app();
    let effects = app.update(key('j'));
    let [
        Effect::FetchList {
            append: true,
            generation: old,
            ..
        },
    ] = effects[..]
    else {
        panic!("{effects:?}")
    };
    // The filter changes before the page arrives.
    app.update(key('/'));
    let filtered = list_generation(&app.update(key('z')));
    app.update(Msg::List {
        page: page(&[90], None),
        append: true,
        generation: old,
    });
    let ids: Vec<Id> = app.list.rows.iter().map(|c| c.id).collect();
    assert_eq!(ids, vec![3, 2, 1], "the old view's page is dropped");
    app.update(Msg::List {
        page: page(&[7], None),
        append: false,
        generation: filtered,
    });
    assert_eq!(app.list.rows.len(), 1);
    assert_eq!(app.list.shown.as_ref().unwrap().q.as_deref(), Some("z"));
}

#[test]
fn a_draft_typed_while_another_conversation_loads_stays_with_the_one_it_was_typed_in() {
    let mut app = app();
    open_newest(&mut app);
    // Open conversation 2; type before its answer arrives; Ctrl-S sends to 2.
    app.focus = Pane::List;
    app.update(key('j'));
    app.update(code(KeyCode::Enter));
    let stale = app.gens.current(Slot::Thread);
    app.update(key('r'));
    for c in "for two".chars() {
        app.update(key(c));
    }
    assert_eq!(app.draft_text(2).as_deref(), Some("for two"));
    assert_eq!(
        app.draft_text(3),
        None,
        "nothing filed under the previous one"
    );
    // A late answer for conversation 3 cannot take over the thread.
    app.update(Msg::Conversation {
        detail: detail(conv(3, 300, None, Status::New)),
        generation: stale - 1,
    });
    assert!(app.thread.loaded.is_none());
    let effects = app.update(ctrl('s'));
    assert!(
        matches!(&effects[..], [Effect::Send { conversation_id: 2, body, .. }, Effect::SaveDraft { conversation_id: 2, .. }] if body == "for two"),
        "{effects:?}"
    );
}

#[test]
fn a_bulk_action_touches_exactly_the_marked_ids_even_after_the_rows_change() {
    let mut app = app();
    app.update(key('x'));
    app.update(key('x'));
    app.update(live(EventKind::ConversationCreated {
        conversation: conv(50, 5000, None, Status::New),
    }));
    app.update(key('c'));
    let effects = app.update(key('y'));
    let ids: Vec<Id> = effects
        .iter()
        .map(|e| match e {
            Effect::Patch { id, .. } => *id,
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(ids, vec![2, 3]);
}

#[test]
fn labels_are_added_and_removed_with_completion_from_the_desk() {
    let mut app = app();
    app.update(Msg::Labels(vec![
        LabelCount {
            label: "vip".into(),
            count: 9,
        },
        LabelCount {
            label: "billing".into(),
            count: 2,
        },
    ]));
    app.update(key('l'));
    for c in "vi".chars() {
        app.update(key(c));
    }
    assert_eq!(app.label_choices(&[3], "vi"), vec!["vip".to_string()]);
    let effects = app.update(code(KeyCode::Enter));
    assert!(
        matches!(&effects[..], [Effect::Patch { id: 3, patch, .. }] if patch.labels == Some(vec!["vip".into()])),
        "{effects:?}"
    );
    let mut labelled = conv(3, 300, None, Status::New);
    labelled.labels = vec!["vip".into()];
    app.update(Msg::Updated {
        conversation: labelled,
        batch: None,
    });
    app.update(key('l'));
    for c in "-vip".chars() {
        app.update(key(c));
    }
    let effects = app.update(code(KeyCode::Enter));
    assert!(
        matches!(&effects[..], [Effect::Patch { patch, .. }] if patch.labels == Some(vec![])),
        "{effects:?}"
    );
}

#[test]
fn g_and_shift_g_in_the_thread_go_to_the_first_and_newest_message() {
    let mut app = app();
    open_newest(&mut app);
    app.focus = Pane::Thread;
    app.drawn(crate::tui::views::Drawn {
        thread_max_scroll: Some(40),
        ..Default::default()
    });
    let effects = app.update(key('g'));
    assert_eq!(app.thread.loaded.as_ref().unwrap().scroll, 40);
    assert!(matches!(&effects[..], [Effect::FetchOlder { .. }]));
    app.update(key('G'));
    assert_eq!(app.thread.loaded.as_ref().unwrap().scroll, 0);
    assert_eq!(
        app.list.current().unwrap().id,
        3,
        "the list selection stays"
    );
}

#[test]
fn information_fades_and_errors_stay_until_dismissed() {
    let mut app = app();
    app.update_at(Msg::Notice("saved".into()), 1_000);
    assert!(app.notice_at(1_000 + NOTICE_MS - 1).is_some());
    assert!(app.notice_at(1_000 + NOTICE_MS).is_none());
    assert_eq!(app.next_change(), Some(1_000 + NOTICE_MS));
    app.update_at(Msg::Failed("server said no".into()), 2_000);
    assert!(app.notice_at(1_000_000).is_some());
    app.update(code(KeyCode::Esc));
    assert!(app.notice.is_none());
}

#[test]
fn the_editor_moves_the_cursor_edits_words_and_undoes() {
    let mut app = app();
    open_newest(&mut app);
    app.update(key('r'));
    let typed = |app: &mut App, text: &str| {
        for c in text.chars() {
            app.update(key(c));
        }
    };
    typed(&mut app, "Hello world");
    for _ in 0..5 {
        app.update(code(KeyCode::Left));
    }
    typed(&mut app, "big ");
    assert_eq!(app.draft(), "Hello big world");
    app.update(ctrl('e'));
    app.update(ctrl('w'));
    assert_eq!(app.draft(), "Hello big ");
    app.update(ctrl('z'));
    assert_eq!(app.draft(), "Hello big world", "undo");
    app.update(ctrl('y'));
    assert_eq!(app.draft(), "Hello big ", "redo");
    app.update(alt('b'));
    app.update(ctrl('k'));
    assert_eq!(app.draft(), "Hello ");
    app.update(ctrl('a'));
    app.update(code(KeyCode::Delete));
    assert_eq!(app.draft(), "ello ");
    app.update(code(KeyCode::End));
    app.update(Msg::Paste("line one\r\nline two\u{1b}[31m".into()));
    assert_eq!(
        app.draft(),
        "ello line one\nline two[31m",
        "newlines kept, control characters dropped"
    );
    app.update(ctrl('z'));
    assert_eq!(app.draft(), "ello ", "a paste is one undo step");
    app.update(ctrl('u'));
    assert_eq!(app.draft(), "");
}

#[test]
fn a_changed_draft_is_kept_on_disk_and_q_with_unsent_drafts_asks() {
    let mut app = app();
    open_newest(&mut app);
    app.update(key('r'));
    assert_eq!(
        app.update(key('h')),
        vec![Effect::SaveDraft {
            conversation_id: 3,
            text: "h".into()
        }]
    );
    assert!(
        app.update(code(KeyCode::Left)).is_empty(),
        "a move changes nothing"
    );
    app.update(code(KeyCode::Esc));
    assert!(app.update(key('q')).is_empty(), "asks first");
    assert!(matches!(app.layers[..], [Layer::ConfirmQuit(1)]));
    app.update(key('n'));
    assert!(!app.quit);
    app.update(key('q'));
    assert_eq!(app.update(key('y')), vec![Effect::Quit]);
}

/// A reply by agent `agent` on conversation 3 (the one `open_newest` opens), arriving live.
fn reply_by(app: &mut App, id: Id, agent: Id, internal: bool) {
    let mut m = message(id, 3, "We sent a replacement yesterday.");
    m.kind = MessageKind::Outbound;
    m.internal = internal;
    m.sender = Sender {
        kind: SenderKind::Agent,
        id: Some(agent),
        name: format!("agent {agent}"),
    };
    app.update(live(EventKind::MessageCreated {
        conversation_id: 3,
        message: m,
        conversation: conv(3, 900 + id, None, Status::WaitingOnContact),
    }));
}

fn sends(effects: &[Effect]) -> usize {
    effects
        .iter()
        .filter(|e| matches!(e, Effect::Send { .. }))
        .count()
}

#[test]
fn ctrl_s_asks_first_when_someone_else_replied_after_the_draft_began() {
    let mut app = app();
    open_newest(&mut app);
    app.update(key('r'));
    app.update(key('x'));
    // My own reply from elsewhere and another agent's internal note are no collision.
    reply_by(&mut app, 80, 1, false);
    reply_by(&mut app, 81, 2, true);
    assert_eq!(app.collision(3), None);
    reply_by(&mut app, 82, 2, false);
    assert_eq!(app.collision(3), Some(82));

    let effects = app.update(ctrl('s'));
    assert_eq!(
        sends(&effects),
        0,
        "nothing is sent before the agent answers"
    );
    assert!(matches!(
        app.layers.last(),
        Some(Layer::Collision {
            conversation: 3,
            message: 82
        })
    ));
    // No: the draft stays, and the same reply does not ask twice.
    app.update(key('n'));
    assert!(app.layers.is_empty());
    assert_eq!(app.draft(), "x");
    assert_eq!(app.focus, Pane::Editor);
    assert_eq!(sends(&app.update(ctrl('s'))), 1);
}

#[test]
fn yes_sends_the_draft_to_its_conversation_after_the_collision_notice() {
    let mut app = app();
    open_newest(&mut app);
    app.update(key('r'));
    app.update(key('x'));
    reply_by(&mut app, 82, 2, false);
    app.update(ctrl('s'));
    let effects = app.update(key('y'));
    assert!(
        effects.iter().any(|e| matches!(
            e,
            Effect::Send { conversation_id: 3, body, .. } if body == "x"
        )),
        "{effects:?}"
    );
    assert!(app.layers.is_empty());
}

#[test]
fn a_reply_before_the_draft_began_is_no_collision() {
    let mut app = app();
    open_newest(&mut app);
    reply_by(&mut app, 82, 2, false);
    app.update(key('r'));
    app.update(key('x'));
    assert_eq!(app.collision(3), None);
    assert_eq!(sends(&app.update(ctrl('s'))), 1);
}

fn listing(dir: &str, entries: &[(&str, bool, u64)]) -> Msg {
    Msg::Listing(super::Listing {
        dir: dir.into(),
        entries: Ok(entries
            .iter()
            .map(|(name, dir, size)| super::DirEntry {
                name: name.to_string(),
                dir: *dir,
                size: *size,
            })
            .collect()),
    })
}

#[test]
fn ctrl_o_completes_a_path_attaches_the_file_and_ctrl_s_sends_it_along() {
    let mut app = app();
    open_newest(&mut app);
    app.update(key('r'));
    app.update(key('x'));
    assert_eq!(
        app.update(ctrl('o')),
        vec![Effect::ListDir { dir: String::new() }]
    );
    app.update(listing(
        "",
        &[
            ("logs", true, 0),
            ("report.pdf", false, 2048),
            ("readme.md", false, 9),
        ],
    ));
    // Typing a directory part asks for that directory; Tab completes within it.
    for c in "logs/".chars() {
        app.update(key(c));
    }
    let effects = app.update(key('e'));
    assert!(effects.is_empty(), "same directory: no new listing");
    app.update(listing(
        "logs/",
        &[("error-2026.log", false, 500), ("old", true, 0)],
    ));
    app.update(code(KeyCode::Tab));
    app.update(code(KeyCode::Enter));
    assert!(app.layers.is_empty());
    assert_eq!(app.attached(3)[0].path, "logs/error-2026.log");
    assert_eq!(
        app.draft(),
        "x",
        "letters typed in the prompt never reach the draft"
    );

    // A second file from the working directory, picked with the arrows.
    app.update(ctrl('o'));
    app.update(listing(
        "",
        &[
            ("logs", true, 0),
            ("report.pdf", false, 2048),
            ("readme.md", false, 9),
        ],
    ));
    app.update(key('r'));
    app.update(code(KeyCode::Down));
    app.update(code(KeyCode::Enter));
    let paths: Vec<_> = app.attached(3).iter().map(|f| f.path.as_str()).collect();
    assert_eq!(paths, ["logs/error-2026.log", "report.pdf"]);

    // Ctrl-X removes one; Ctrl-S sends the rest with the text.
    app.update(ctrl('x'));
    app.update(code(KeyCode::Enter));
    let effects = app.update(ctrl('s'));
    assert!(
        effects.iter().any(|e| matches!(
            e,
            Effect::Send { conversation_id: 3, attachments, .. }
                if attachments.iter().map(|f| f.path.as_str()).eq(["report.pdf"])
        )),
        "{effects:?}"
    );
    assert!(app.attached(3).is_empty());
}

#[test]
fn attachments_beyond_what_a_reply_carries_are_refused_before_sending() {
    let mut app = app();
    open_newest(&mut app);
    app.update(key('r'));
    let big = super::attach::MAX_TOTAL - 10;
    app.update(ctrl('o'));
    app.update(listing(
        "",
        &[("huge.iso", false, big), ("b.txt", false, 11)],
    ));
    app.update(code(KeyCode::Enter));
    assert_eq!(app.attached(3).len(), 1);
    app.update(ctrl('o'));
    app.update(listing(
        "",
        &[("huge.iso", false, big), ("b.txt", false, 11)],
    ));
    app.update(code(KeyCode::Down));
    app.update(code(KeyCode::Enter));
    assert_eq!(app.attached(3).len(), 1, "the total would exceed the limit");
    assert!(
        notice(&app).unwrap().contains("at most 25.0 MB"),
        "{:?}",
        notice(&app)
    );
}

#[test]
fn another_agent_replying_shows_until_it_stops_or_lapses_and_mine_is_announced() {
    let mut app = app();
    app.update_at(code(KeyCode::Enter), 1_000);
    answer(&mut app, detail(conv(3, 300, None, Status::New)));
    let notice = |composing: bool, ms: u64| {
        Msg::Presence(crate::api::Presence {
            conversation_id: 3,
            agent_id: 2,
            agent_name: "Bo".into(),
            composing,
            expires_in_ms: ms,
        })
    };
    app.update_at(notice(true, 10_000), 2_000);
    assert_eq!(app.replying_in(3, 2_000), ["Bo"]);
    assert_eq!(app.next_change(), Some(12_000), "a redraw when it lapses");
    assert!(
        app.replying_in(3, 12_001).is_empty(),
        "not refreshed: lapsed"
    );
    app.update_at(notice(true, 10_000), 5_000);
    app.update_at(notice(false, 0), 6_000);
    assert!(app.replying_in(3, 6_000).is_empty(), "stopped");

    // Mine: announced when the editor takes the keyboard, ended when it leaves.
    assert_eq!(
        app.update_at(key('r'), 7_000),
        vec![
            Effect::FetchReplyChannels { conversation_id: 3 },
            Effect::Composing {
                conversation_id: 3,
                composing: true
            }
        ]
    );
    assert!(
        !app.update_at(key('x'), 7_100)
            .iter()
            .any(|e| matches!(e, Effect::Composing { .. })),
        "typing on is no news"
    );
    assert!(
        app.update_at(code(KeyCode::Esc), 8_000)
            .contains(&Effect::Composing {
                conversation_id: 3,
                composing: false
            })
    );
}

#[test]
fn shared_canned_replies_follow_the_desk_and_come_before_my_own() {
    let mut app = app();
    app.canned = canned_replies();
    let shared = |id: Id, name: &str| crate::api::CannedReply {
        id,
        name: name.into(),
        body: format!("{name} body"),
        created_by: Some(2),
        created_at: Timestamp(0),
        updated_at: Timestamp(0),
    };
    app.update(live(EventKind::CannedCreated {
        canned: shared(7, "Desk refund"),
    }));
    app.update(live(EventKind::CannedUpdated {
        canned: shared(7, "Desk refund policy"),
    }));
    let names: Vec<_> = app.canned.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["Desk refund policy", "Hi", "Refund issued"]);
    app.update(live(EventKind::CannedDeleted {
        canned: shared(7, "Desk refund policy"),
    }));
    assert_eq!(app.canned, canned_replies());
}

#[test]
fn at_in_a_note_picks_an_agent_whose_mention_goes_with_the_note() {
    let mut app = app();
    open_newest(&mut app);
    app.update(key('n'));
    for c in "ask @".chars() {
        app.update(key(c));
    }
    assert!(matches!(app.layers.last(), Some(Layer::Mention { .. })));
    app.update(key('b'));
    app.update(code(KeyCode::Enter));
    assert_eq!(app.draft(), "ask @Bo ");
    for c in "please".chars() {
        app.update(key(c));
    }
    let effects = app.update(ctrl('s'));
    assert!(
        effects.iter().any(|e| matches!(
            e,
            Effect::Send { internal: true, mentions, .. } if mentions == &[2]
        )),
        "{effects:?}"
    );
}

#[test]
fn a_mention_deleted_from_the_text_or_typed_in_a_reply_notifies_nobody() {
    let mut app = app();
    open_newest(&mut app);
    app.update(key('n'));
    app.update(key('@'));
    app.update(code(KeyCode::Enter));
    assert_eq!(app.draft(), "@Bo ");
    app.update(ctrl('u'));
    app.update(key('x'));
    let effects = app.update(ctrl('s'));
    assert!(
        effects
            .iter()
            .any(|e| matches!(e, Effect::Send { mentions, .. } if mentions.is_empty())),
        "{effects:?}"
    );
    // In a reply to the customer, @ is just a character.
    app.update(key('r'));
    app.update(key('@'));
    assert!(app.layers.is_empty());
}

#[test]
fn being_mentioned_rings_counts_and_lists_the_conversation_until_seen() {
    let mut app = app();
    let mut note = message(90, 2, "@Ana can you check?");
    note.internal = true;
    note.sender = Sender {
        kind: SenderKind::Agent,
        id: Some(2),
        name: "Bo".into(),
    };
    let effects = app.update(live(EventKind::MentionCreated {
        conversation_id: 2,
        agent_id: 1,
        message: note,
        conversation: conv(2, 900, Some(2), Status::WaitingOnUs),
    }));
    assert!(effects.iter().any(|e| matches!(e, Effect::Bell { .. })));
    assert_eq!(notice(&app), Some("Bo mentioned you in #2"));
    assert_eq!(app.mentioned.len(), 1);
    app.update(key('M'));
    app.update(code(KeyCode::Enter));
    assert_eq!(app.thread.open, Some(2), "Enter opens it");
    app.update(live(EventKind::MentionSeen {
        conversation_id: 2,
        agent_id: 1,
    }));
    assert!(app.mentioned.is_empty());
}
