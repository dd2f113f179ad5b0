use super::*;

fn denied(r: &common::Resp, api: bool) -> bool {
    if r.status == 403 {
        return true;
    }
    if api {
        r.status == 401
    } else {
        r.status == 303
            && (r.location().starts_with("/login?next=") || r.location() == "/account/password")
    }
}

/// The methods the security walk tries on every path.
const METHODS: [&str; 6] = ["GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS"];

/// Every path × every method × anonymous and a user of each role: a method the table has
/// a row for (HEAD counts as GET) is allowed exactly to whom the row allows and refused
/// to everyone else; a method it has no row for is refused to everyone, before any
/// handler runs.
#[tokio::test]
async fn every_route_every_method_as_every_role() {
    let app = TestApp::with_communes().await;
    let unit = app
        .state
        .registry
        .create(
            "test",
            &lantoa_registry::NewUnit::new(lantoa_core::unit::UnitKind::Agency, None, "Sở Thử"),
        )
        .await
        .unwrap();
    app.user("keeper", vec![Role::Admin]).await;
    let victim = app.user("victim", vec![Role::Viewer]).await;
    let mut users = Vec::new();
    for role in Role::ALL {
        let u = app
            .user(
                &format!("as-{}", role.as_str().replace('_', "-")),
                vec![role],
            )
            .await;
        let token = app.token(&u.username, &[]).await;
        users.push((role, u, token));
    }
    let anon = common::Browser {
        cookie: "lantoa_csrf=0123456789abcdef0123456789abcdef".into(),
        csrf: "0123456789abcdef0123456789abcdef".into(),
    };
    let routes = table();
    let mut paths: Vec<&str> = routes.iter().map(|r| r.path).collect();
    paths.dedup();
    paths.sort_unstable();
    paths.dedup();
    let mut checked = 0;
    let mut refused_methods = 0;
    for path_spec in paths {
        let path = path_spec
            .replace(
                "{id}",
                &if path_spec.contains("users") {
                    victim.id
                } else {
                    unit.id
                }
                .to_string(),
            )
            .replace("{code}", "00007");
        for method in METHODS {
            let rule_method = if method == "HEAD" { "GET" } else { method };
            let spec = routes
                .iter()
                .find(|r| r.path == path_spec && r.method == rule_method);
            let api = spec.map_or(path_spec.starts_with("/api/"), |s| {
                s.surface == Surface::Api
            });
            let subjects: Vec<Option<&(Role, lantoa_accounts::User, String)>> =
                std::iter::once(None)
                    .chain(users.iter().map(Some))
                    .collect();
            for subject in subjects {
                let who = subject.map_or("anonymous".to_owned(), |(r, _, _)| r.as_str().to_owned());
                // A fresh session each time: some routes (sign-out) end the one they use.
                let browser = match subject {
                    Some((_, u, _)) if !api => Some(app.browser(u).await),
                    _ => None,
                };
                let mut b = axum::http::Request::builder().method(method).uri(&path);
                let body = if method == "GET" || method == "HEAD" {
                    String::new()
                } else if api {
                    "{}".to_owned()
                } else {
                    let csrf = browser.as_ref().map_or(&anon.csrf, |br| &br.csrf);
                    format!("csrf={csrf}")
                };
                match (api, subject) {
                    (true, Some((_, _, tok))) => {
                        b = b.header("authorization", format!("Bearer {tok}"));
                    }
                    (false, Some(_)) => {
                        if let Some(br) = &browser {
                            b = b.header("cookie", &br.cookie);
                        }
                    }
                    (false, None) => b = b.header("cookie", &anon.cookie),
                    (true, None) => {}
                }
                if !body.is_empty() {
                    b = b.header(
                        "content-type",
                        if api {
                            "application/json"
                        } else {
                            "application/x-www-form-urlencoded"
                        },
                    );
                }
                let resp = app
                    .send(b.body(axum::body::Body::from(body)).unwrap())
                    .await;
                let Some(spec) = spec else {
                    assert_eq!(
                        resp.status, 405,
                        "{method} {path_spec} as {who} has no row in the table: {} {}",
                        resp.status, resp.body
                    );
                    refused_methods += 1;
                    continue;
                };
                let allowed = match (spec.access, subject) {
                    (Access::Public, _) => true,
                    (Access::Device, _) => false,
                    (_, None) => false,
                    (Access::SignedIn | Access::SignedInPending, Some(_)) => true,
                    (Access::Roles(rs), Some((role, _, _))) => rs.contains(role),
                };
                assert_ne!(resp.status, 405, "{method} {path_spec} is not routed");
                assert!(
                    resp.status.as_u16() < 500,
                    "{method} {path_spec} as {who}: {} {}",
                    resp.status,
                    resp.body
                );
                assert_eq!(
                    !denied(&resp, api),
                    allowed,
                    "{method} {path_spec} as {who}: {} {}",
                    resp.status,
                    resp.body
                );
                if method == "HEAD" {
                    assert!(resp.body.is_empty(), "HEAD {path_spec} sent a body");
                }
                checked += 1;
            }
        }
    }
    let rows = routes.len();
    let gets = routes.iter().filter(|r| r.method == "GET").count();
    assert_eq!(checked, (rows + gets) * (Role::ALL.len() + 1));
    assert!(refused_methods > 0);
}
