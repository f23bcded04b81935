//! The HTTP API of a help desk, one async method per endpoint.

mod error;

pub use error::ClientError;
pub(crate) use error::io_cause;

use crate::api::{
    ContactDetail, ConversationCount, ConversationDetail, ConversationPage, ConversationPatch,
    DeskInfo, MePatch, MessagePage, NewMessage, ReplyChannels, UploadedFile,
};
use crate::client::tls::Trust;
use crate::domain::{Agent, Channel, Conversation, Id, Message, Team};
use reqwest::header::{AUTHORIZATION, HeaderValue};
use reqwest::{Method, RequestBuilder, StatusCode, Url};
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::sync::Arc;
use std::time::Duration;

/// How long establishing a connection may take.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// How long a whole request may take.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(15);
/// How long a file upload may take.
const UPLOAD_TIMEOUT: Duration = Duration::from_secs(300);

/// A client of one help desk server, acting as one agent. Cheap to clone.
#[derive(Clone)]
pub struct Api {
    http: reqwest::Client,
    /// The server's root, e.g. `http://127.0.0.1:8080`, without a trailing slash.
    base: Arc<str>,
    auth: HeaderValue,
}

impl std::fmt::Debug for Api {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Api")
            .field("base", &self.base)
            .finish_non_exhaustive()
    }
}

/// Filters and paging of `GET /conversations`; absent fields are not sent.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListQuery {
    pub status: Option<String>,
    pub assignee: Option<String>,
    pub channel: Option<String>,
    pub team: Option<String>,
    pub priority: Option<String>,
    pub label: Option<String>,
    pub q: Option<String>,
    pub limit: Option<usize>,
    pub cursor: Option<String>,
}

impl ListQuery {
    /// The query parameters that are set, in a stable order.
    pub fn pairs(&self) -> Vec<(&'static str, String)> {
        let text = [
            ("status", &self.status),
            ("assignee", &self.assignee),
            ("channel", &self.channel),
            ("team", &self.team),
            ("priority", &self.priority),
            ("label", &self.label),
            ("q", &self.q),
            ("cursor", &self.cursor),
        ];
        let mut pairs: Vec<(&'static str, String)> = text
            .into_iter()
            .filter_map(|(k, v)| v.clone().map(|v| (k, v)))
            .collect();
        if let Some(limit) = self.limit {
            pairs.push(("limit", limit.to_string()));
        }
        pairs
    }
}

impl Api {
    /// A client of the server at `base_url` (`http://host:port`) using `token`.
    pub fn new(base_url: &str, token: &str) -> Result<Api, ClientError> {
        Api::with_trust(base_url, token, &Trust::system())
    }

    /// A client of the server at `base_url` (`https://…` or `http://…`) that accepts the
    /// server certificates `trust` accepts.
    pub fn with_trust(base_url: &str, token: &str, trust: &Trust) -> Result<Api, ClientError> {
        let base = base_url.trim_end_matches('/');
        Url::parse(base).map_err(|e| ClientError::Config(format!("server URL {base:?}: {e}")))?;
        let mut auth = HeaderValue::from_str(&format!("Bearer {token}")).map_err(|_| {
            ClientError::Config("the token has characters a header cannot hold".into())
        })?;
        auth.set_sensitive(true);
        let http = reqwest::Client::builder()
            .connect_timeout(CONNECT_TIMEOUT)
            .timeout(REQUEST_TIMEOUT)
            .tls_certs_merge(trust.reqwest_roots()?)
            .build()
            .map_err(|e| ClientError::Config(e.to_string()))?;
        Ok(Api {
            http,
            base: base.into(),
            auth,
        })
    }

    /// The HTTP client, for requests outside the API (attachment downloads).
    pub(crate) fn http(&self) -> &reqwest::Client {
        &self.http
    }

    /// The `Authorization` header of this agent, for requests to the desk itself.
    pub(crate) fn auth_header(&self) -> HeaderValue {
        self.auth.clone()
    }

    /// The server's root URL this client talks to.
    pub fn base_url(&self) -> &str {
        &self.base
    }

    /// `GET /desk`: which desk the server serves.
    pub async fn desk(&self) -> Result<DeskInfo, ClientError> {
        self.get("/desk", &[]).await
    }

    /// `GET /me`: the agent behind the token.
    pub async fn me(&self) -> Result<Agent, ClientError> {
        self.get("/me", &[]).await
    }

    /// `GET /agents`.
    pub async fn agents(&self) -> Result<Vec<Agent>, ClientError> {
        self.get("/agents", &[]).await
    }

    /// `GET /teams`.
    pub async fn teams(&self) -> Result<Vec<Team>, ClientError> {
        self.get("/teams", &[]).await
    }

    /// `GET /channels`.
    pub async fn channels(&self) -> Result<Vec<Channel>, ClientError> {
        self.get("/channels", &[]).await
    }

    /// `GET /conversations`: one page of the list, most recently active first.
    pub async fn conversations(&self, query: &ListQuery) -> Result<ConversationPage, ClientError> {
        self.get("/conversations", &query.pairs()).await
    }

    /// `GET /conversations/count`: how many conversations pass the query's filters.
    pub async fn count(&self, query: &ListQuery) -> Result<ConversationCount, ClientError> {
        self.get("/conversations/count", &query.pairs()).await
    }

    /// `GET /conversations/{id}`: the conversation, its contact and latest messages.
    pub async fn conversation(&self, id: Id) -> Result<ConversationDetail, ClientError> {
        self.get(&format!("/conversations/{id}"), &[]).await
    }

    /// `GET /conversations/{id}/messages`: up to `limit` messages older than `before`.
    pub async fn messages(
        &self,
        id: Id,
        before: Option<Id>,
        limit: usize,
    ) -> Result<MessagePage, ClientError> {
        let mut query = vec![("limit", limit.to_string())];
        query.extend(before.map(|b| ("before", b.to_string())));
        self.get(&format!("/conversations/{id}/messages"), &query)
            .await
    }

    /// `POST /conversations/{id}/messages`; `created` is false when the server already had
    /// a message with this `client_id` and answered with it.
    pub async fn post_message(
        &self,
        id: Id,
        message: &NewMessage,
    ) -> Result<(Message, bool), ClientError> {
        let path = format!("/conversations/{id}/messages");
        let (status, msg) = self.call(Method::POST, &path, &[], Some(message)).await?;
        Ok((msg, status == StatusCode::CREATED))
    }

    /// `POST /files?name=NAME`: stores `bytes` as a file a reply may carry.
    pub async fn upload_file(
        &self,
        bytes: Vec<u8>,
        name: &str,
    ) -> Result<UploadedFile, ClientError> {
        let req = self
            .request(Method::POST, "/files", &[("name", name.to_string())])?
            .timeout(UPLOAD_TIMEOUT)
            .header(reqwest::header::CONTENT_TYPE, "application/octet-stream")
            .body(bytes);
        let (_, file) = self.answer(req, "/files").await?;
        Ok(file)
    }

    /// Uploads the file at `path` under its own name.
    pub async fn upload_path(&self, path: &std::path::Path) -> Result<UploadedFile, ClientError> {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .ok_or_else(|| ClientError::LocalFile(format!("{} names no file", path.display())))?;
        let bytes = tokio::fs::read(path)
            .await
            .map_err(|e| ClientError::LocalFile(format!("{}: {}", path.display(), io_cause(&e))))?;
        self.upload_file(bytes, &name).await
    }

    /// `GET /conversations/{id}/reply-channels`: the channels a reply could leave by, and
    /// whether each reaches the contact now.
    pub async fn reply_channels(&self, id: Id) -> Result<ReplyChannels, ClientError> {
        self.get(&format!("/conversations/{id}/reply-channels"), &[])
            .await
    }

    /// `PATCH /conversations/{id}`: the conversation after the change.
    pub async fn patch_conversation(
        &self,
        id: Id,
        patch: &ConversationPatch,
    ) -> Result<Conversation, ClientError> {
        let path = format!("/conversations/{id}");
        self.send(Method::PATCH, &path, Some(patch)).await
    }

    /// `POST /conversations/{id}/read`: marks it read for this agent.
    pub async fn mark_read(&self, id: Id) -> Result<Conversation, ClientError> {
        let path = format!("/conversations/{id}/read");
        self.send(Method::POST, &path, None::<&()>).await
    }

    /// `POST /conversations/{id}/messages/{mid}/retry`: a new attempt for a failed reply.
    pub async fn retry_message(&self, id: Id, message: Id) -> Result<Message, ClientError> {
        let path = format!("/conversations/{id}/messages/{message}/retry");
        self.send(Method::POST, &path, None::<&()>).await
    }

    /// `POST /conversations/{id}/messages/{mid}/discard`: the reply is never sent.
    pub async fn discard_message(&self, id: Id, message: Id) -> Result<Message, ClientError> {
        let path = format!("/conversations/{id}/messages/{message}/discard");
        self.send(Method::POST, &path, None::<&()>).await
    }

    /// `GET /outbox`: replies waiting, retrying or failed, newest first, below `before`.
    pub async fn outbox(
        &self,
        before: Option<Id>,
        limit: usize,
    ) -> Result<crate::api::OutboxPage, ClientError> {
        let mut query = vec![("limit", limit.to_string())];
        if let Some(before) = before {
            query.push(("before", before.to_string()));
        }
        self.get("/outbox", &query).await
    }

    /// `GET /mentions`: where this agent was mentioned, unseen first.
    pub async fn mentions(
        &self,
        limit: usize,
    ) -> Result<Vec<crate::api::MentionSummary>, ClientError> {
        self.get("/mentions", &[("limit", limit.to_string())]).await
    }

    /// `GET /canned`: the desk's shared canned replies, by name.
    pub async fn canned(&self) -> Result<Vec<crate::api::CannedReply>, ClientError> {
        self.get("/canned", &[]).await
    }

    /// `POST /canned` (admins): adds a shared canned reply.
    pub async fn create_canned(
        &self,
        new: &crate::api::NewCanned,
    ) -> Result<crate::api::CannedReply, ClientError> {
        self.send(Method::POST, "/canned", Some(new)).await
    }

    /// `PATCH /canned/{id}` (admins): renames or rewrites a shared canned reply.
    pub async fn update_canned(
        &self,
        id: Id,
        patch: &crate::api::CannedPatch,
    ) -> Result<crate::api::CannedReply, ClientError> {
        self.send(Method::PATCH, &format!("/canned/{id}"), Some(patch))
            .await
    }

    /// `DELETE /canned/{id}` (admins).
    pub async fn delete_canned(&self, id: Id) -> Result<(), ClientError> {
        let resp = self
            .request(Method::DELETE, &format!("/canned/{id}"), &[])?
            .send()
            .await
            .map_err(|e| ClientError::network(&e, &self.base))?;
        let status = resp.status();
        if status.is_success() {
            return Ok(());
        }
        let bytes = resp
            .bytes()
            .await
            .map_err(|e| ClientError::network(&e, &self.base))?;
        Err(ClientError::from_status(status.as_u16(), &bytes))
    }

    /// `GET /labels`: the labels in use on the desk, most used first.
    pub async fn labels(&self) -> Result<Vec<crate::api::LabelCount>, ClientError> {
        self.get("/labels", &[]).await
    }

    /// `GET /contacts/{id}`: the contact with its company, conversations and messages.
    pub async fn contact(&self, id: Id) -> Result<ContactDetail, ClientError> {
        self.get(&format!("/contacts/{id}"), &[]).await
    }

    /// `PATCH /me`: sets this agent available or away.
    pub async fn set_available(&self, available: bool) -> Result<Agent, ClientError> {
        self.send(Method::PATCH, "/me", Some(&MePatch { available }))
            .await
    }

    async fn get<T: DeserializeOwned>(
        &self,
        path: &str,
        query: &[(&str, String)],
    ) -> Result<T, ClientError> {
        let (_, body) = self.call(Method::GET, path, query, None::<&()>).await?;
        Ok(body)
    }

    async fn send<T: DeserializeOwned, B: Serialize>(
        &self,
        method: Method,
        path: &str,
        body: Option<&B>,
    ) -> Result<T, ClientError> {
        let (_, answer) = self.call(method, path, &[], body).await?;
        Ok(answer)
    }

    /// One request: builds it, sends it, and decodes the answer or the error body.
    async fn call<T: DeserializeOwned, B: Serialize>(
        &self,
        method: Method,
        path: &str,
        query: &[(&str, String)],
        body: Option<&B>,
    ) -> Result<(StatusCode, T), ClientError> {
        let mut req = self.request(method, path, query)?;
        if let Some(body) = body {
            req = req.json(body);
        }
        self.answer(req, path).await
    }

    /// Sends `req` and decodes the answer or the error body.
    async fn answer<T: DeserializeOwned>(
        &self,
        req: RequestBuilder,
        path: &str,
    ) -> Result<(StatusCode, T), ClientError> {
        let resp = req
            .send()
            .await
            .map_err(|e| ClientError::network(&e, &self.base))?;
        let status = resp.status();
        let bytes = resp
            .bytes()
            .await
            .map_err(|e| ClientError::network(&e, &self.base))?;
        if !status.is_success() {
            return Err(ClientError::from_status(status.as_u16(), &bytes));
        }
        let value = serde_json::from_slice(&bytes)
            .map_err(|e| ClientError::Decode(format!("{path}: {e}")))?;
        Ok((status, value))
    }

    fn request(
        &self,
        method: Method,
        path: &str,
        query: &[(&str, String)],
    ) -> Result<RequestBuilder, ClientError> {
        let mut url = Url::parse(&format!("{}/api/v1{path}", self.base))
            .map_err(|e| ClientError::Config(e.to_string()))?;
        if !query.is_empty() {
            url.query_pairs_mut().extend_pairs(query);
        }
        Ok(self
            .http
            .request(method, url)
            .header(AUTHORIZATION, self.auth.clone()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn list_query_sends_only_what_is_set() {
        let q = ListQuery {
            status: Some("open".into()),
            q: Some("refund a&b".into()),
            limit: Some(20),
            ..ListQuery::default()
        };
        assert_eq!(
            q.pairs(),
            vec![
                ("status", "open".to_string()),
                ("q", "refund a&b".to_string()),
                ("limit", "20".to_string())
            ]
        );
        assert!(ListQuery::default().pairs().is_empty());
    }
}
