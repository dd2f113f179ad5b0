use super::*;

#[tokio::test]
async fn cookies_are_http_only_and_secure_when_configured() {
    let app = TestApp::spawn_with(lantoa_web::WebConfig {
        secure_cookies: true,
        ..Default::default()
    })
    .await;
    app.user("lan", vec![Role::Viewer]).await;
    let login = app.get("/login", None).await;
    let set: Vec<_> = login
        .headers
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .collect();
    assert!(
        set.iter().any(|c| c.starts_with("lantoa_csrf=")
            && c.contains("HttpOnly")
            && c.contains("Secure")),
        "{set:?}"
    );
    let csrf = login.cookie("lantoa_csrf").unwrap();
    let anon = common::Browser {
        cookie: format!("lantoa_csrf={csrf}"),
        csrf,
    };
    let r = app
        .post_form(
            "/login",
            Some(&anon),
            &[("username", "lan"), ("password", PASSWORD)],
        )
        .await;
    let set: Vec<_> = r
        .headers
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .collect();
    assert!(
        set.iter().any(|c| c.starts_with("lantoa_session=")
            && c.contains("HttpOnly")
            && c.contains("Secure")
            && c.contains("SameSite=Lax")),
        "{set:?}"
    );
}
