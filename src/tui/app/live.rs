//! Live events from the server: the list, the open thread and the bell follow them.

use super::{App, BellPolicy, Effect, bell};
use crate::api::{Event, EventKind};
use crate::domain::{Conversation, MessageKind};

impl App {
    pub(super) fn live(&mut self, event: Event) -> Vec<Effect> {
        let mut effects = vec![];
        if matches!(
            event.kind,
            EventKind::ConversationCreated { .. }
                | EventKind::ConversationUpdated { .. }
                | EventKind::MessageCreated { .. }
        ) {
            effects.extend(self.count_views(false));
        }
        match event.kind {
            EventKind::ConversationCreated { conversation } => {
                if self.rings_for(&conversation) {
                    effects.push(bell(&conversation));
                }
                let unread = self.thread.open != Some(conversation.id);
                self.upsert(conversation, unread);
            }
            EventKind::ConversationUpdated {
                conversation,
                changes,
            } => {
                let assigned_to_me = changes.iter().any(|c| c == "owner_id")
                    && conversation.owner_id == Some(self.me.id)
                    && !self.my_own_change(conversation.id);
                if assigned_to_me && self.bell != BellPolicy::Off {
                    effects.push(bell(&conversation));
                }
                if let Some(t) = self.thread.loaded.as_mut()
                    && t.detail.conversation.id == conversation.id
                {
                    t.detail.conversation = conversation.clone();
                }
                self.upsert(conversation, false);
            }
            EventKind::MessageCreated {
                message,
                conversation,
                ..
            } => {
                let from_customer = message.kind == MessageKind::Inbound;
                if from_customer && self.rings_for(&conversation) {
                    effects.push(bell(&conversation));
                }
                let open = self.thread.open == Some(conversation.id);
                let mine = message.sender.id == Some(self.me.id)
                    && message.sender.kind == crate::domain::SenderKind::Agent;
                if let Some(t) = self.thread.loaded.as_mut().filter(|_| open) {
                    t.detail.conversation = conversation.clone();
                }
                self.add_message(message);
                self.upsert(conversation.clone(), !open && !mine);
                if open && self.thread.loaded.is_some() {
                    effects.push(Effect::MarkRead(conversation.id));
                }
            }
            EventKind::ConversationRead {
                conversation_id,
                agent_id,
            } => {
                if agent_id == self.me.id
                    && let Some(row) = self.list.rows.iter_mut().find(|c| c.id == conversation_id)
                {
                    row.unread = false;
                }
            }
            EventKind::MessageUpdated { message } => {
                if let Some(t) = self.thread.loaded.as_mut()
                    && let Some(m) = t.detail.messages.iter_mut().find(|m| m.id == message.id)
                {
                    *m = message;
                }
            }
            EventKind::AgentUpdated { agent } => return self.update(super::Msg::Agent(agent)),
            EventKind::TeamUpdated { team } => {
                match self.teams.iter_mut().find(|t| t.id == team.id) {
                    Some(t) => *t = team,
                    None => self.teams.push(team),
                }
            }
            EventKind::ContactUpdated { contact } => {
                if let Some(c) = self
                    .contact
                    .detail
                    .as_mut()
                    .filter(|c| c.contact.id == contact.id)
                {
                    c.contact = contact;
                }
            }
            EventKind::ChannelCreated { channel } | EventKind::ChannelUpdated { channel } => {
                match self.channels.iter_mut().find(|c| c.id == channel.id) {
                    Some(c) => *c = channel,
                    None => self.channels.push(channel),
                }
            }
            EventKind::ChannelDeleted { channel } => self.channels.retain(|c| c.id != channel.id),
            EventKind::CannedCreated { canned } | EventKind::CannedUpdated { canned } => {
                self.share_canned(canned)
            }
            EventKind::CannedDeleted { canned } => self.unshare_canned(canned.id),
            EventKind::MentionCreated {
                agent_id,
                message,
                conversation,
                ..
            } if agent_id == self.me.id => {
                effects.extend(self.mentioned_in(conversation, message.sender.name));
            }
            EventKind::MentionSeen {
                conversation_id,
                agent_id,
            } if agent_id == self.me.id => {
                self.mentioned
                    .retain(|m| m.conversation.id != conversation_id);
            }
            EventKind::ContactCreated { .. }
            | EventKind::MentionCreated { .. }
            | EventKind::MentionSeen { .. } => {}
        }
        effects
    }

    /// Whether customer activity on `c` (a new conversation, a message) rings under the
    /// bell policy.
    fn rings_for(&self, c: &Conversation) -> bool {
        match self.bell {
            BellPolicy::Off => false,
            BellPolicy::Mine => c.owner_id == Some(self.me.id),
            BellPolicy::Unassigned => c.owner_id.is_none() || c.owner_id == Some(self.me.id),
            BellPolicy::All => true,
        }
    }
}
