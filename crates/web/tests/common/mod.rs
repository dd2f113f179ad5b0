//! `TestApp`: the real router on a fresh database (SQLite, or PostgreSQL when
//! `LANTOA_TEST_DATABASE_URL` is set), driven in process or over a loopback port.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use http_body_util::BodyExt;
use lantoa_accounts::NewUser;
use lantoa_core::Role;
use lantoa_store::testing::TestDb;
use lantoa_web::{AppState, WebConfig};
use tower::ServiceExt;

pub const PASSWORD: &str = "correct horse battery";

pub struct TestApp {
    pub t: TestDb,
    pub state: AppState,
    pub router: axum::Router,
}

pub struct Resp {
    pub status: StatusCode,
    pub headers: axum::http::HeaderMap,
    pub body: String,
    /// The body as received (for downloads).
    #[allow(dead_code)] // not every test binary reads downloads
    pub bytes: Vec<u8>,
}

impl Resp {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }
    /// `error.code` of a JSON error answer.
    pub fn error_code(&self) -> String {
        self.json()["error"]["code"]
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }
    /// `error.message` of a JSON error answer.
    pub fn error_message(&self) -> String {
        self.json()["error"]["message"]
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }
    pub fn location(&self) -> &str {
        self.headers
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }
    pub fn cookie(&self, name: &str) -> Option<String> {
        self.headers
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .filter_map(|v| v.split(';').next())
            .filter_map(|kv| kv.split_once('='))
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.to_owned())
    }
}

/// A signed-in console user: cookie header and CSRF token.
#[derive(Clone, Debug)]
pub struct Browser {
    pub cookie: String,
    pub csrf: String,
}

impl TestApp {
    pub async fn spawn() -> Self {
        Self::spawn_with(WebConfig::default()).await
    }

    pub async fn spawn_with(config: WebConfig) -> Self {
        let t = TestDb::new(&lantoa_web::MIGRATIONS)
            .await
            .expect("test database");
        // The demo city's fictional web on loopback, and a crawler that resolves its hosts there.
        let web = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let web_addr = web.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(web, lantoa_watch::demo_web::router()).await });
        let fetch = lantoa_watch::crawl::fetch::FetchConfig {
            policy: lantoa_watch::crawl::guard::AddressPolicy {
                allow_private: true,
            },
            overrides: lantoa_watch::demo_web::overrides(web_addr),
            ..Default::default()
        };
        let limits = lantoa_watch::CrawlLimits {
            delay: std::time::Duration::ZERO,
            ..Default::default()
        };
        let blobs = lantoa_store::blob::BlobStore::new(t.db.clone(), t.dir.path().join("blobs"));
        let watch =
            lantoa_watch::Watch::new(t.db.clone(), lantoa_registry::Registry::new(t.db.clone()))
                .with_blobs(blobs.clone());
        let crawler = lantoa_watch::Crawler::new(
            t.db.clone(),
            watch.clone(),
            blobs,
            fetch,
            limits,
            std::sync::Arc::new(lantoa_watch::signals::Rules::builtin().unwrap()),
        )
        .unwrap();
        let opendata = lantoa_opendata::OpenData::new(
            t.db.clone(),
            lantoa_registry::Registry::new(t.db.clone()),
            lantoa_store::blob::BlobStore::new(t.db.clone(), t.dir.path().join("blobs")),
        )
        .unwrap();
        // A stand-in speech engine: a second of silence for any text.
        let wav = t.dir.path().join("silence.wav");
        std::fs::write(&wav, lantoa_notify::tts::silence_wav(1000)).unwrap();
        let notify = lantoa_notify::Notify::new(t.db.clone())
            .unwrap()
            .with_blobs(lantoa_store::blob::BlobStore::new(
                t.db.clone(),
                t.dir.path().join("blobs"),
            ))
            .with_speech(lantoa_notify::tts::SpeechConfig::fixed(&wav));
        let plans =
            lantoa_plans::Plans::new(t.db.clone(), lantoa_registry::Registry::new(t.db.clone()))
                .with_blobs(lantoa_store::blob::BlobStore::new(
                    t.db.clone(),
                    t.dir.path().join("blobs"),
                ));
        let state = AppState::new(
            t.db.clone(),
            config,
            lantoa_web::Modules {
                watch,
                crawler,
                opendata,
                notify,
                plans,
            },
        );
        let router = lantoa_web::router(state.clone());
        Self { t, state, router }
    }

    /// A fresh app with Hà Nội's current communes and wards loaded (what alerts and
    /// loudspeakers name their areas by).
    #[allow(dead_code)] // not every test binary uses it
    pub async fn with_communes() -> Self {
        let app = Self::spawn().await;
        app.state
            .registry
            .load_hanoi_communes("test", |_, _| {})
            .await
            .unwrap();
        app
    }

    /// A fresh app with the demo city's units (communes, agencies, enterprises, people).
    #[allow(dead_code)] // not every test binary uses it
    pub async fn with_demo_city() -> Self {
        let app = Self::spawn().await;
        app.state
            .registry
            .load_demo("test", lantoa_registry::DEMO_CITY)
            .await
            .unwrap();
        app
    }

    /// The demo city's agencies and open datasets, with their files read (as a worker would).
    #[allow(dead_code)] // not every test binary uses it
    pub async fn load_open_data_demo(&self) -> lantoa_opendata::OpenData {
        self.state
            .registry
            .load_demo("test", lantoa_registry::DEMO_CITY)
            .await
            .unwrap();
        let od = self.state.opendata.clone();
        od.load_demo("test").await.unwrap();
        for d in od.datasets(None).await.unwrap() {
            let u = od.uploads(d.id).await.unwrap().remove(0);
            od.run_upload(u.id).await.unwrap();
        }
        od
    }

    /// The id of the demo city's agency with this name (load the demo first).
    #[allow(dead_code)] // not every test binary uses it
    pub async fn agency_named(&self, name: &str) -> i64 {
        self.state
            .registry
            .find_by_name(lantoa_core::unit::UnitKind::Agency, name)
            .await
            .unwrap()[0]
            .id
    }

    /// A plan registered by "setup" (number, first and last year), its appendix stored.
    #[allow(dead_code)] // not every test binary uses it
    pub async fn plan_with(
        &self,
        number: &str,
        years: (i32, i32),
        appendix: &str,
    ) -> lantoa_plans::Plan {
        let plan = self
            .state
            .plans
            .create(
                "setup",
                &lantoa_plans::NewPlan {
                    number: number.into(),
                    issued_on: format!("02/01/{}", years.0),
                    issuer: "UBND thành phố Hà Nội".into(),
                    title: format!("Kế hoạch {number}"),
                    from_year: years.0,
                    to_year: years.1,
                    implements: String::new(),
                },
            )
            .await
            .unwrap();
        let report = self
            .state
            .plans
            .import_appendix("setup", plan.id, appendix.as_bytes(), true)
            .await
            .unwrap();
        assert!(report.stored, "{report:?}");
        plan
    }

    /// The id of the demo city's agency with this code (load the demo first).
    #[allow(dead_code)] // not every test binary uses it
    pub async fn agency(&self, code: &str) -> i64 {
        self.state
            .registry
            .by_code(lantoa_core::unit::UnitKind::Agency, code)
            .await
            .unwrap()
            .unwrap()
            .id
    }

    pub async fn send(&self, req: Request<Body>) -> Resp {
        let r = self
            .router
            .clone()
            .oneshot(req)
            .await
            .expect("router answers");
        let status = r.status();
        let headers = r.headers().clone();
        let bytes = r.into_body().collect().await.expect("body").to_bytes();
        Resp {
            status,
            headers,
            body: String::from_utf8_lossy(&bytes).into_owned(),
            bytes: bytes.to_vec(),
        }
    }

    pub async fn get(&self, path: &str, who: Option<&Browser>) -> Resp {
        let mut b = Request::get(path);
        if let Some(w) = who {
            b = b.header(header::COOKIE, &w.cookie);
        }
        self.send(b.body(Body::empty()).unwrap()).await
    }

    /// POSTs a form; `csrf` is added from the browser unless the pairs carry one.
    pub async fn post_form(
        &self,
        path: &str,
        who: Option<&Browser>,
        pairs: &[(&str, &str)],
    ) -> Resp {
        let mut all: Vec<(&str, &str)> = pairs.to_vec();
        if let Some(w) = who
            && !pairs.iter().any(|(k, _)| *k == "csrf")
        {
            all.push(("csrf", &w.csrf));
        }
        let mut b =
            Request::post(path).header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
        if let Some(w) = who {
            b = b.header(header::COOKIE, &w.cookie);
        }
        self.send(
            b.body(Body::from(serde_urlencoded::to_string(&all).unwrap()))
                .unwrap(),
        )
        .await
    }

    /// POSTs a multipart body as `who`, with the CSRF token in the query (as the console's
    /// upload forms send it).
    pub async fn post_multipart(
        &self,
        path: &str,
        who: &Browser,
        content_type: &str,
        body: impl Into<Body>,
    ) -> Resp {
        let sep = if path.contains('?') { '&' } else { '?' };
        self.send(
            Request::post(format!("{path}{sep}csrf={}", who.csrf))
                .header(header::CONTENT_TYPE, content_type)
                .header(header::COOKIE, &who.cookie)
                .body(body.into())
                .unwrap(),
        )
        .await
    }

    pub async fn api(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<&str>,
    ) -> Resp {
        let mut b = Request::builder().method(method).uri(path);
        if let Some(t) = token {
            b = b.header(header::AUTHORIZATION, format!("Bearer {t}"));
        }
        if body.is_some() {
            b = b.header(header::CONTENT_TYPE, "application/json");
        }
        self.send(
            b.body(body.map_or_else(Body::empty, |s| Body::from(s.to_owned())))
                .unwrap(),
        )
        .await
    }

    /// `n` websites named "Trang tin 000" onwards, added by "lan".
    #[allow(dead_code)] // not every test binary uses it
    pub async fn websites(&self, n: usize) -> Vec<lantoa_watch::Subject> {
        let mut out = Vec::new();
        for k in 0..n {
            let new = lantoa_watch::NewSubject::new(
                lantoa_watch::SubjectKind::Website,
                &format!("https://trang-{k:03}.example"),
                &format!("Trang tin {k:03}"),
            );
            out.push(self.state.watch.create("lan", &new).await.unwrap());
        }
        out
    }

    /// A watched website registered directly through the service.
    #[allow(dead_code)] // not every test binary uses it
    pub async fn subject(&self, url: &str, name: &str) -> lantoa_watch::Subject {
        self.state
            .watch
            .create(
                "test",
                &lantoa_watch::NewSubject::new(lantoa_watch::SubjectKind::Website, url, name),
            )
            .await
            .unwrap()
    }

    /// A user holding `roles` with a known password (no pending change).
    pub async fn user(&self, username: &str, roles: Vec<Role>) -> lantoa_accounts::User {
        let new = NewUser {
            password: Some(PASSWORD.into()),
            ..NewUser::new(username, "Người Thử", roles)
        };
        self.state
            .accounts
            .create_user("test", &new)
            .await
            .expect("user")
            .user
    }

    /// A console session for `user`, as a browser holds it.
    pub async fn browser(&self, user: &lantoa_accounts::User) -> Browser {
        let s = self
            .state
            .accounts
            .create_session(user)
            .await
            .expect("session");
        Browser {
            cookie: format!("lantoa_session={}", s.token),
            csrf: s.csrf,
        }
    }

    pub async fn token(&self, username: &str, roles: &[Role]) -> String {
        self.state
            .accounts
            .create_token("test", username, "test", roles, None)
            .await
            .expect("token")
            .1
    }

    pub async fn audit_rows(&self) -> i64 {
        lantoa_store::audit::verify(&self.t.db).await.unwrap().rows
    }

    /// Serves the app on a loopback port (for the browser test); returns its base URL.
    pub async fn serve(&self) -> String {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let app = self.router.clone();
        tokio::spawn(async move {
            axum::serve(
                listener,
                app.into_make_service_with_connect_info::<std::net::SocketAddr>(),
            )
            .await
            .unwrap();
        });
        format!("http://{addr}")
    }
}
