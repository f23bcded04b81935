//! Custom channels: integrations that bridge any messaging service. They post customers'
//! messages in (`POST /api/v1/channels/{id}/inbound`), receive agents' replies on their
//! webhook, and report how far each reply got.

pub mod attachment_urls;
pub mod webhook;
