//! Screenshots of captured pages, taken in headless Chromium through WebDriver (chromedriver).
//!
//! What is rendered is the captured HTML itself, not the live page: the capture's bytes are
//! loaded as a `data:` document with scripts off and a Content-Security-Policy that forbids
//! every fetch, so the screenshot shows what the WARC holds and the browser reaches nothing —
//! the crawler's address guard is not bypassed, and a page cannot change after capture.

use fantoccini::{Client, ClientBuilder};
use hyper_util::client::legacy::connect::HttpConnector;

use crate::{Error, Result};

/// Where chromedriver listens, and which Chromium it starts.
#[derive(Debug, Clone)]
pub struct Screenshots {
    webdriver: String,
    chromium: Option<String>,
}

/// No fetch of any kind; inline styles only; images only from `data:`.
const LOCKDOWN: &[u8] = b"<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:; font-src data:\">";

fn err(e: impl std::fmt::Display) -> Error {
    Error::internal(format!("screenshot: {e}"))
}

/// The captured HTML with the lock-down policy placed first in its head (or before it all when
/// there is no head tag).
pub fn locked_down(html: &[u8]) -> Vec<u8> {
    let lower = html
        .iter()
        .take(64 * 1024)
        .map(u8::to_ascii_lowercase)
        .collect::<Vec<_>>();
    let at = lower
        .windows(5)
        .position(|w| w == b"<head")
        .and_then(|i| {
            lower[i..]
                .iter()
                .position(|&b| b == b'>')
                .map(|j| i + j + 1)
        })
        .unwrap_or(0);
    let mut out = Vec::with_capacity(html.len() + LOCKDOWN.len());
    out.extend_from_slice(&html[..at]);
    out.extend_from_slice(LOCKDOWN);
    out.extend_from_slice(&html[at..]);
    out
}

impl Screenshots {
    /// Screenshots through the chromedriver at `webdriver` (`http://127.0.0.1:9515`), starting
    /// `chromium` (the binary; chromedriver's default when none).
    pub fn new(webdriver: impl Into<String>, chromium: Option<String>) -> Self {
        Self {
            webdriver: webdriver.into(),
            chromium,
        }
    }

    /// A browser session.
    pub async fn session(&self) -> Result<Client> {
        let mut options = serde_json::json!({
            "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     "--no-first-run", "--disable-background-networking", "--disable-sync",
                     "--disable-component-update", "--blink-settings=scriptEnabled=false",
                     "--window-size=1280,1024"]
        });
        if let Some(bin) = &self.chromium {
            options["binary"] = serde_json::Value::String(bin.clone());
        }
        let mut caps = serde_json::Map::new();
        caps.insert("goog:chromeOptions".into(), options);
        ClientBuilder::new(HttpConnector::new())
            .capabilities(caps)
            .connect(&self.webdriver)
            .await
            .map_err(|e| err(format!("no browser session at {}: {e}", self.webdriver)))
    }

    /// A PNG of `html` (bytes as captured, in `charset`) rendered in `client`.
    pub async fn render(&self, client: &Client, html: &[u8], charset: &str) -> Result<Vec<u8>> {
        use base64::Engine as _;
        let charset: String = charset
            .chars()
            .filter(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
            .collect();
        let url = format!(
            "data:text/html;charset={};base64,{}",
            if charset.is_empty() {
                "utf-8"
            } else {
                &charset
            },
            base64::engine::general_purpose::STANDARD.encode(locked_down(html))
        );
        client.goto(&url).await.map_err(err)?;
        client.screenshot().await.map_err(err)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_policy_goes_first_in_the_head() {
        let out = locked_down(b"<!doctype html><HTML><Head lang=vi><title>x</title></head>");
        let s = String::from_utf8(out).unwrap();
        assert!(
            s.starts_with(
                "<!doctype html><HTML><Head lang=vi><meta http-equiv=\"Content-Security-Policy\""
            ),
            "{s}"
        );
        let bare = String::from_utf8(locked_down(b"<p>hi")).unwrap();
        assert!(bare.starts_with("<meta http-equiv") && bare.ends_with("<p>hi"));
    }
}
