//! Customers' files: fetched from Meta (a CDN link for Messenger, a media id resolved with
//! the access token for WhatsApp) into the desk's own file store.

use super::events::{IncomingMedia, MediaSource};
use super::settings::GraphSettings;
use crate::api::InboundAttachment;
use crate::server::files::Files;
use serde::Deserialize;
use std::time::Duration;

/// Largest file kept; WhatsApp documents may reach 100 MB, the desk keeps at most this.
const MAX_BYTES: usize = 32 * 1024 * 1024;

/// How long one fetch may take.
const TIMEOUT: Duration = Duration::from_secs(20);

#[derive(Deserialize)]
struct MediaInfo {
    url: String,
    mime_type: Option<String>,
}

/// The attachment row for `media`: the desk's copy when the fetch works, else a link to
/// where Meta keeps it (size 0), so nothing the customer sent is dropped.
pub async fn fetch(
    http: &reqwest::Client,
    files: &Files,
    settings: &GraphSettings,
    media: &IncomingMedia,
) -> InboundAttachment {
    let fallback = match &media.source {
        MediaSource::Url(url) => url.clone(),
        MediaSource::GraphId(id) => format!("{}/{id}", settings.base_url),
    };
    let stored = match download(http, settings, &media.source).await {
        Ok((bytes, mime)) => {
            let size = bytes.len() as i64;
            match files.put(bytes).await {
                Ok(hash) => Some((Files::url(&hash), size, mime)),
                Err(error) => {
                    tracing::warn!(%error, "cannot store a customer's file");
                    None
                }
            }
        }
        Err(error) => {
            tracing::warn!(%error, url = %fallback, "cannot fetch a customer's file");
            None
        }
    };
    let (url, size, mime) = stored.unwrap_or((fallback, 0, None));
    InboundAttachment {
        kind: media.kind,
        name: media.name.clone(),
        url,
        size,
        mime_type: media.mime_type.clone().or(mime),
    }
}

async fn download(
    http: &reqwest::Client,
    settings: &GraphSettings,
    source: &MediaSource,
) -> Result<(Vec<u8>, Option<String>), String> {
    let (url, auth, mime) = match source {
        MediaSource::Url(url) => (url.clone(), false, None),
        MediaSource::GraphId(id) => {
            let info: MediaInfo = http
                .get(format!("{}/{id}", settings.base_url))
                .bearer_auth(&settings.access_token)
                .timeout(TIMEOUT)
                .send()
                .await
                .and_then(|r| r.error_for_status())
                .map_err(|e| e.to_string())?
                .json()
                .await
                .map_err(|e| e.to_string())?;
            (info.url, true, info.mime_type)
        }
    };
    let mut req = http.get(&url).timeout(TIMEOUT);
    if auth {
        req = req.bearer_auth(&settings.access_token);
    }
    let mut resp = req
        .send()
        .await
        .and_then(|r| r.error_for_status())
        .map_err(|e| e.to_string())?;
    let mime = mime.or_else(|| {
        resp.headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    });
    let mut bytes = Vec::new();
    while let Some(chunk) = resp.chunk().await.map_err(|e| e.to_string())? {
        if bytes.len() + chunk.len() > MAX_BYTES {
            return Err(format!("larger than {MAX_BYTES} bytes"));
        }
        bytes.extend_from_slice(&chunk);
    }
    Ok((bytes, mime))
}
