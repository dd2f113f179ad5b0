//! A client of a running server's JSON API, for the verbs that act as a person (notify,
//! reports): going through the API rather than the database is what makes an approval a
//! second person's act — the server knows whose token it is and which roles it carries.

use std::time::Duration;

use anyhow::{Context, bail};
use serde_json::Value;

/// Where the server is and who is asking.
#[derive(clap::Args)]
pub struct Remote {
    /// The server's base URL (default: http:// and the configured listen address).
    #[arg(long, env = "LANTOA_SERVER", value_name = "URL")]
    pub server: Option<String>,
    /// An API token (`lantoa token create`); the person it belongs to takes each step.
    #[arg(
        long,
        env = "LANTOA_TOKEN",
        value_name = "TOKEN",
        hide_env_values = true
    )]
    pub token: Option<String>,
}

/// A client of the server's `/api/v1`, as the token's owner.
pub struct Api {
    base: url::Url,
    token: String,
    http: reqwest::Client,
}

impl Api {
    pub fn new(remote: &Remote, listen: &str) -> anyhow::Result<Self> {
        let server = remote
            .server
            .clone()
            .unwrap_or_else(|| format!("http://{listen}"));
        let base = url::Url::parse(&server)
            .with_context(|| format!("--server {server:?} is not a URL (http://host:port)"))?;
        let token = remote.token.clone().context(
            "no API token: give --token or set LANTOA_TOKEN (lantoa token create makes one)",
        )?;
        // HTTPS to a server behind a proxy: rustls with ring, as the crawler uses.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(300))
            .build()
            .context("cannot start an HTTP client")?;
        Ok(Self { base, token, http })
    }

    /// Sends a request and answers the body of a success; a refusal is an error carrying the
    /// server's message (which names the field at fault).
    async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<(Vec<u8>, &str)>,
    ) -> anyhow::Result<Vec<u8>> {
        let url = self
            .base
            .join(path)
            .with_context(|| format!("cannot join {path} to {}", self.base))?;
        let mut req = self
            .http
            .request(method, url.clone())
            .bearer_auth(&self.token);
        if let Some((bytes, content_type)) = body {
            req = req.header("content-type", content_type).body(bytes);
        }
        let res = req
            .send()
            .await
            .with_context(|| format!("cannot reach {url}; is `lantoa serve` running there?"))?;
        let status = res.status();
        let bytes = res
            .bytes()
            .await
            .with_context(|| format!("{url}: the answer broke off"))?;
        if !status.is_success() {
            let v: Value = serde_json::from_slice(&bytes)
                .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into_owned()));
            let message = v["error"]["message"]
                .as_str()
                .map(str::to_owned)
                .unwrap_or_else(|| v.to_string());
            bail!("{} ({status}): {message}", url.path());
        }
        Ok(bytes.to_vec())
    }

    /// A request whose answer is JSON.
    pub async fn call(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<(Vec<u8>, &str)>,
    ) -> anyhow::Result<Value> {
        let bytes = self.send(method, path, body).await?;
        Ok(serde_json::from_slice(&bytes)
            .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into_owned())))
    }

    /// A file the server answers (a DOCX, a PDF), as its bytes.
    pub async fn download(&self, path: &str) -> anyhow::Result<Vec<u8>> {
        self.send(reqwest::Method::GET, path, None).await
    }

    pub async fn get(&self, path: &str) -> anyhow::Result<Value> {
        self.call(reqwest::Method::GET, path, None).await
    }

    pub async fn post(&self, path: &str, body: Value) -> anyhow::Result<Value> {
        self.call(
            reqwest::Method::POST,
            path,
            Some((body.to_string().into_bytes(), "application/json")),
        )
        .await
    }
}

/// `path` with `pairs` as its query, each value encoded.
pub fn with_query(path: &str, pairs: &[(&str, &str)]) -> String {
    let query = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs)
        .finish();
    format!("{path}?{query}")
}

pub fn print_json(v: &Value) -> anyhow::Result<()> {
    println!("{}", serde_json::to_string_pretty(v)?);
    Ok(())
}
