//! Configuration: `lantoa.toml`, then `LANTOA_*` environment variables, then flags — each
//! later source overriding the earlier.
//!
//! | key (`lantoa.toml`) | environment | flag | default |
//! |---|---|---|---|
//! | `database` | `LANTOA_DATABASE` | `--database` | `sqlite://<data_dir>/lantoa.db` |
//! | `data_dir` | `LANTOA_DATA_DIR` | `--data-dir` | `./lantoa-data` |
//! | `listen` | `LANTOA_LISTEN` | `--listen` (serve) | `127.0.0.1:8080` |
//! | `log` | `LANTOA_LOG` | — | `info` |
//! | `web.org_name` | `LANTOA_ORG_NAME` | — | `Sở Văn hóa và Thể thao Hà Nội` |
//! | `web.max_body_bytes` | `LANTOA_MAX_BODY_BYTES` | — | `1048576` |
//! | `web.max_upload_bytes` | `LANTOA_MAX_UPLOAD_BYTES` | — | `17179869184` (16 GiB; uploads stream to disk) |
//! | `web.secure_cookies` | `LANTOA_SECURE_COOKIES` | — | `false` (set `true` behind HTTPS) |
//! | `web.api_rate_per_minute` | `LANTOA_API_RATE_PER_MINUTE` | — | `600` (0: no limit) |
//! | `web.trusted_proxies` | `LANTOA_TRUSTED_PROXIES` (comma-separated) | — | none: the peer's address is the client's |
//! | `web.client_ip_header` | `LANTOA_CLIENT_IP_HEADER` | — | `x-forwarded-for` (read only from a trusted proxy) |
//! | `web.header_timeout_secs` | `LANTOA_HEADER_TIMEOUT_SECS` | — | `15` (a request head not whole by then, counted from the connection's start or its last response, closes the connection) |
//! | `db.max_connections` | `LANTOA_DB_MAX_CONNECTIONS` | — | 8 (SQLite), 16 (PostgreSQL) |
//! | `watch.signals` | `LANTOA_WATCH_SIGNALS` | — | the shipped `data/watch/signals.toml` |
//! | `watch.cases` | `LANTOA_WATCH_CASES` | — | the shipped `data/watch/cases.toml` (the case workflow) |
//! | `watch.sanctions` | `LANTOA_WATCH_SANCTIONS` | — | the shipped `data/watch/sanctions.toml` (decrees, articles, clauses, fine ranges) |
//! | `watch.agencies` | `LANTOA_WATCH_AGENCIES` | — | the shipped `data/agencies.toml` (letterheads of the issuing agencies, by date) |
//! | `watch.webdriver` | `LANTOA_WATCH_WEBDRIVER` | — | none: no screenshots (`serve --demo` starts `chromedriver` when it is installed) |
//! | `watch.chromium` | `LANTOA_WATCH_CHROMIUM` | — | chromedriver's own choice of Chromium |
//! | `watch.allow_private` | `LANTOA_WATCH_ALLOW_PRIVATE` | — | `false` (`serve --demo` allows loopback for its own web) |
//! | `watch.max_pages` | — | — | 200 pages per crawl |
//! | `watch.max_depth` | — | — | 3 links from the start page |
//! | `watch.connections` | — | — | 2 requests at once per host |
//! | `watch.delay_ms` | — | — | 1000 ms between requests to a host (or the site's Crawl-delay) |
//! | `watch.timeout_secs` | — | — | 30 s per request |
//! | `watch.max_body_bytes` | — | — | 5 MiB per response |

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use serde::Deserialize;

/// The `[web]` table.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct WebSection {
    pub org_name: Option<String>,
    pub max_body_bytes: Option<usize>,
    pub max_upload_bytes: Option<u64>,
    pub secure_cookies: Option<bool>,
    pub api_rate_per_minute: Option<u32>,
    pub soffice: Option<std::path::PathBuf>,
    pub trusted_proxies: Option<Vec<std::net::IpAddr>>,
    pub client_ip_header: Option<String>,
    pub header_timeout_secs: Option<u64>,
}

/// The `[db]` table.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct DbSection {
    pub max_connections: Option<u32>,
    pub watch: WatchSection,
    pub notify: lantoa_notify::DispatchConfig,
}

/// The `[watch]` table: the crawler.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct WatchSection {
    pub signals: Option<PathBuf>,
    pub cases: Option<PathBuf>,
    pub sanctions: Option<PathBuf>,
    pub agencies: Option<PathBuf>,
    pub webdriver: Option<String>,
    pub chromium: Option<String>,
    pub allow_private: Option<bool>,
    pub max_pages: Option<usize>,
    pub max_depth: Option<usize>,
    pub connections: Option<usize>,
    pub delay_ms: Option<u64>,
    pub timeout_secs: Option<u64>,
    pub max_body_bytes: Option<usize>,
}

/// Everything configurable, as read from the file (all optional).
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    pub database: Option<String>,
    pub data_dir: Option<PathBuf>,
    pub listen: Option<String>,
    pub log: Option<String>,
    #[serde(default)]
    pub web: WebSection,
    #[serde(default)]
    pub db: DbSection,
    #[serde(default)]
    pub watch: WatchSection,
    /// The SMSCs the dispatcher binds to and its lease.
    #[serde(default)]
    pub notify: lantoa_notify::DispatchConfig,
}

/// Values given as flags (all optional).
#[derive(Debug, Clone, Default)]
pub struct Flags {
    pub database: Option<String>,
    pub data_dir: Option<PathBuf>,
    pub listen: Option<String>,
}

/// The configuration in force.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    pub database: String,
    pub data_dir: PathBuf,
    pub listen: String,
    pub log: String,
    pub web: lantoa_web::WebConfig,
    pub max_connections: Option<u32>,
    pub watch: WatchSection,
    pub notify: lantoa_notify::DispatchConfig,
}

fn parse_env<T: std::str::FromStr>(
    env: &HashMap<String, String>,
    key: &str,
) -> anyhow::Result<Option<T>> {
    match env.get(key) {
        None => Ok(None),
        Some(v) => {
            v.trim().parse().map(Some).map_err(|_| {
                anyhow::anyhow!("environment variable {key}={v:?} is not a valid value")
            })
        }
    }
}

impl Config {
    /// Reads `path` (if it exists, or fails if it was named explicitly and is missing).
    pub fn read_file(path: Option<&Path>) -> anyhow::Result<FileConfig> {
        let (path, explicit) = match path {
            Some(p) => (p.to_path_buf(), true),
            None => (PathBuf::from("lantoa.toml"), false),
        };
        match std::fs::read_to_string(&path) {
            Ok(text) => toml::from_str(&text)
                .with_context(|| format!("configuration file {}", path.display())),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && !explicit => {
                Ok(FileConfig::default())
            }
            Err(e) => {
                Err(e).with_context(|| format!("cannot read configuration file {}", path.display()))
            }
        }
    }

    /// Combines file, environment and flags, in that order of precedence (flags win).
    pub fn resolve(
        file: FileConfig,
        env: &HashMap<String, String>,
        flags: &Flags,
    ) -> anyhow::Result<Self> {
        let data_dir = flags
            .data_dir
            .clone()
            .or_else(|| env.get("LANTOA_DATA_DIR").map(PathBuf::from))
            .or(file.data_dir)
            .unwrap_or_else(|| PathBuf::from("lantoa-data"));
        let database = flags
            .database
            .clone()
            .or_else(|| env.get("LANTOA_DATABASE").cloned())
            .or(file.database)
            .unwrap_or_else(|| format!("sqlite://{}", data_dir.join("lantoa.db").display()));
        let listen = flags
            .listen
            .clone()
            .or_else(|| env.get("LANTOA_LISTEN").cloned())
            .or(file.listen)
            .unwrap_or_else(|| "127.0.0.1:8080".to_owned());
        if listen.parse::<std::net::SocketAddr>().is_err() {
            bail!("listen address {listen:?} is not host:port (e.g. 127.0.0.1:8080)");
        }
        let defaults = lantoa_web::WebConfig::default();
        let web = lantoa_web::WebConfig {
            org_name: env
                .get("LANTOA_ORG_NAME")
                .cloned()
                .or(file.web.org_name)
                .unwrap_or(defaults.org_name),
            max_body_bytes: parse_env(env, "LANTOA_MAX_BODY_BYTES")?
                .or(file.web.max_body_bytes)
                .unwrap_or(defaults.max_body_bytes),
            max_upload_bytes: parse_env(env, "LANTOA_MAX_UPLOAD_BYTES")?
                .or(file.web.max_upload_bytes)
                .unwrap_or(defaults.max_upload_bytes),
            secure_cookies: parse_env(env, "LANTOA_SECURE_COOKIES")?
                .or(file.web.secure_cookies)
                .unwrap_or(defaults.secure_cookies),
            api_rate_per_minute: parse_env(env, "LANTOA_API_RATE_PER_MINUTE")?
                .or(file.web.api_rate_per_minute)
                .unwrap_or(defaults.api_rate_per_minute),
            soffice: env
                .get("LANTOA_SOFFICE")
                .map(std::path::PathBuf::from)
                .or(file.web.soffice)
                .unwrap_or(defaults.soffice),
            trusted_proxies: match env.get("LANTOA_TRUSTED_PROXIES") {
                Some(list) => list
                    .split(',')
                    .map(str::trim)
                    .filter(|a| !a.is_empty())
                    .map(|a| {
                        a.parse().map_err(|_| {
                            anyhow::anyhow!("LANTOA_TRUSTED_PROXIES: {a:?} is not an IP address")
                        })
                    })
                    .collect::<anyhow::Result<_>>()?,
                None => file.web.trusted_proxies.unwrap_or_default(),
            },
            client_ip_header: env
                .get("LANTOA_CLIENT_IP_HEADER")
                .cloned()
                .or(file.web.client_ip_header)
                .unwrap_or(defaults.client_ip_header)
                .to_ascii_lowercase(),
            header_timeout_secs: parse_env(env, "LANTOA_HEADER_TIMEOUT_SECS")?
                .or(file.web.header_timeout_secs)
                .unwrap_or(defaults.header_timeout_secs),
        };
        if axum::http::HeaderName::from_bytes(web.client_ip_header.as_bytes()).is_err() {
            bail!(
                "web.client_ip_header {:?} is not an HTTP header name",
                web.client_ip_header
            );
        }
        Ok(Self {
            database,
            data_dir,
            listen,
            log: env
                .get("LANTOA_LOG")
                .cloned()
                .or(file.log)
                .unwrap_or_else(|| "info".to_owned()),
            web,
            max_connections: parse_env(env, "LANTOA_DB_MAX_CONNECTIONS")?
                .or(file.db.max_connections),
            notify: {
                if let Some(p) = file.notify.problem() {
                    bail!("[notify] in the configuration: {p}");
                }
                file.notify
            },
            watch: WatchSection {
                signals: env
                    .get("LANTOA_WATCH_SIGNALS")
                    .map(PathBuf::from)
                    .or(file.watch.signals),
                cases: env
                    .get("LANTOA_WATCH_CASES")
                    .map(PathBuf::from)
                    .or(file.watch.cases),
                sanctions: env
                    .get("LANTOA_WATCH_SANCTIONS")
                    .map(PathBuf::from)
                    .or(file.watch.sanctions),
                agencies: env
                    .get("LANTOA_WATCH_AGENCIES")
                    .map(PathBuf::from)
                    .or(file.watch.agencies),
                webdriver: env
                    .get("LANTOA_WATCH_WEBDRIVER")
                    .cloned()
                    .or(file.watch.webdriver),
                chromium: env
                    .get("LANTOA_WATCH_CHROMIUM")
                    .cloned()
                    .or(file.watch.chromium),
                allow_private: parse_env(env, "LANTOA_WATCH_ALLOW_PRIVATE")?
                    .or(file.watch.allow_private),
                ..file.watch
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn defaults_put_sqlite_in_the_data_folder() {
        let c = Config::resolve(FileConfig::default(), &env(&[]), &Flags::default()).unwrap();
        assert_eq!(c.database, "sqlite://lantoa-data/lantoa.db");
        assert_eq!(c.listen, "127.0.0.1:8080");
        assert_eq!(c.web.api_rate_per_minute, 600);
    }

    #[test]
    fn flags_beat_environment_beat_file() {
        let file: FileConfig = toml::from_str(
            r#"
            database = "postgres://file/db"
            listen = "127.0.0.1:1"
            data_dir = "from-file"
            [web]
            org_name = "File"
            api_rate_per_minute = 5
            "#,
        )
        .unwrap();
        let e = env(&[
            ("LANTOA_DATABASE", "postgres://env/db"),
            ("LANTOA_LISTEN", "127.0.0.1:2"),
            ("LANTOA_ORG_NAME", "Env"),
        ]);
        let c = Config::resolve(file.clone(), &e, &Flags::default()).unwrap();
        assert_eq!(
            (
                c.database.as_str(),
                c.listen.as_str(),
                c.web.org_name.as_str()
            ),
            ("postgres://env/db", "127.0.0.1:2", "Env")
        );
        assert_eq!(
            c.web.api_rate_per_minute, 5,
            "file value kept where env is silent"
        );
        assert_eq!(c.data_dir, PathBuf::from("from-file"));
        let flags = Flags {
            database: Some("sqlite://flag.db".into()),
            listen: Some("127.0.0.1:3".into()),
            data_dir: None,
        };
        let c = Config::resolve(file, &e, &flags).unwrap();
        assert_eq!(
            (c.database.as_str(), c.listen.as_str()),
            ("sqlite://flag.db", "127.0.0.1:3")
        );
    }

    #[test]
    fn bad_values_say_what_and_where() {
        let err = Config::resolve(
            FileConfig::default(),
            &env(&[("LANTOA_MAX_BODY_BYTES", "lots")]),
            &Flags::default(),
        )
        .unwrap_err();
        assert!(err.to_string().contains("LANTOA_MAX_BODY_BYTES"), "{err}");
        let err = Config::resolve(
            FileConfig::default(),
            &env(&[]),
            &Flags {
                listen: Some("nowhere".into()),
                ..Flags::default()
            },
        )
        .unwrap_err();
        assert!(err.to_string().contains("nowhere"), "{err}");
        let err = toml::from_str::<FileConfig>("colour = 'blue'").unwrap_err();
        assert!(err.to_string().contains("colour"), "{err}");
    }
}
