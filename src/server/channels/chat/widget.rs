//! The widget script, and a demo page that embeds it with nothing but the one script tag.

use super::{ChatState, chat_channel};
use crate::domain::Id;
use crate::server::channels::public::escape_html;
use crate::server::error::{ApiError, ApiPath};
use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{Html, IntoResponse, Response};

/// The widget: plain JavaScript, no build step. It finds its channel and server from its own
/// `src`, so the same file serves every chat channel.
const WIDGET_JS: &str = include_str!("widget.js");

/// `GET /chat/{id}/widget.js`.
pub async fn script(
    State(chat): State<ChatState>,
    ApiPath(id): ApiPath<Id>,
) -> Result<Response, ApiError> {
    chat_channel(&chat.app, id).await?;
    let mut response = WIDGET_JS.into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/javascript; charset=utf-8"),
    );
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=300"),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    Ok(response)
}

/// `GET /chat/{id}/demo`: try the widget, and copy the tag to embed it.
pub async fn demo(
    State(chat): State<ChatState>,
    ApiPath(id): ApiPath<Id>,
) -> Result<Html<String>, ApiError> {
    let (channel, _) = chat_channel(&chat.app, id).await?;
    let name = escape_html(&channel.channel.name);
    let tag = format!(r#"<script src="/chat/{id}/widget.js" async></script>"#);
    Ok(Html(format!(
        r#"<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{name} · chat demo</title>
</head>
<body style="font-family: system-ui, sans-serif; margin: 2rem; max-width: 40rem">
<h1>{name}</h1>
<p>This page holds the chat widget and nothing else. To put it on your site, add this tag
(with your server's address in front of the path):</p>
<pre><code>{escaped_tag}</code></pre>
{tag}
</body>
</html>
"#,
        escaped_tag = escape_html(&tag),
    )))
}
