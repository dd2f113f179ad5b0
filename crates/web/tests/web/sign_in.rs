use super::*;

#[tokio::test]
async fn one_time_password_flow_ends_on_the_vietnamese_dashboard() {
    let app = TestApp::spawn().await;
    let otp = app.state.accounts.ensure_admin().await.unwrap().unwrap();
    let login = app.get("/login", None).await;
    assert_eq!(login.status, 200);
    assert!(login.body.contains("Đăng nhập"));
    let csrf = login
        .cookie("lantoa_csrf")
        .expect("a CSRF cookie for the sign-in form");
    assert!(login.body.contains(&format!("value=\"{csrf}\"")));

    let anon = common::Browser {
        cookie: format!("lantoa_csrf={csrf}"),
        csrf: csrf.clone(),
    };
    let r = app
        .post_form(
            "/login",
            Some(&anon),
            &[
                ("username", "admin"),
                ("password", &otp),
                ("next", "/units"),
            ],
        )
        .await;
    assert_eq!(r.status, 303);
    assert_eq!(
        r.location(),
        "/account/password",
        "a one-time password must be changed first"
    );
    let session = r.cookie("lantoa_session").unwrap();
    let s = app.state.accounts.session(&session).await.unwrap().unwrap();
    let me = common::Browser {
        cookie: format!("lantoa_session={session}"),
        csrf: s.csrf,
    };

    let blocked = app.get("/units", Some(&me)).await;
    assert_eq!(
        (blocked.status.as_u16(), blocked.location()),
        (303, "/account/password")
    );

    let r = app
        .post_form(
            "/account/password",
            Some(&me),
            &[
                ("current", &otp),
                ("new", "Hồ Gươm 2026 xanh"),
                ("confirm", "Hồ Gươm 2026 xanh"),
            ],
        )
        .await;
    assert_eq!(
        (r.status.as_u16(), r.location()),
        (303, "/?flash=flash-password-changed")
    );
    let fresh = r.cookie("lantoa_session").unwrap();
    assert!(
        app.state
            .accounts
            .session(&session)
            .await
            .unwrap()
            .is_none(),
        "the old session ended"
    );
    let me = common::Browser {
        cookie: format!("lantoa_session={fresh}"),
        csrf: String::new(),
    };
    let home = app.get("/?flash=flash-password-changed", Some(&me)).await;
    assert_eq!(home.status, 200);
    assert!(home.body.contains("Bảng điều khiển"));
    assert!(home.body.contains("Đã đổi mật khẩu."));
}

#[tokio::test]
async fn wrong_password_gets_a_clear_vietnamese_message_and_no_session() {
    let app = TestApp::spawn().await;
    app.user("lan", vec![Role::Viewer]).await;
    let anon = common::Browser {
        cookie: "lantoa_csrf=0123456789abcdef0123456789abcdef".into(),
        csrf: "0123456789abcdef0123456789abcdef".into(),
    };
    let r = app
        .post_form(
            "/login",
            Some(&anon),
            &[("username", "lan"), ("password", "wrong"), ("next", "/")],
        )
        .await;
    assert_eq!(r.status, 401);
    assert!(
        r.body.contains("Sai tên đăng nhập hoặc mật khẩu."),
        "{}",
        r.body
    );
    assert!(
        r.body.contains("value=\"lan\""),
        "the user name is kept in the form"
    );
    assert!(r.cookie("lantoa_session").is_none());
}

#[tokio::test]
async fn repeated_failures_are_throttled_with_retry_after() {
    let app = TestApp::spawn().await;
    app.user("lan", vec![Role::Viewer]).await;
    let anon = common::Browser {
        cookie: "lantoa_csrf=0123456789abcdef0123456789abcdef".into(),
        csrf: "0123456789abcdef0123456789abcdef".into(),
    };
    for _ in 0..5 {
        app.post_form(
            "/login",
            Some(&anon),
            &[("username", "lan"), ("password", "wrong")],
        )
        .await;
    }
    let r = app
        .post_form(
            "/login",
            Some(&anon),
            &[("username", "lan"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(r.status, 429);
    assert!(r.body.contains("Đăng nhập sai quá nhiều lần"));
}

#[tokio::test]
async fn an_expired_or_unknown_session_goes_back_to_sign_in() {
    let app = TestApp::spawn().await;
    let who = common::Browser {
        cookie: "lantoa_session=deadbeef".into(),
        csrf: String::new(),
    };
    let r = app.get("/units?kind=commune", Some(&who)).await;
    assert_eq!(r.status, 303);
    assert_eq!(r.location(), "/login?next=%2Funits");
    let api = app.get("/api/v1/units", Some(&who)).await;
    assert_eq!(api.status, 401);
    assert_eq!(api.error_code(), "unauthenticated");
}

#[tokio::test]
async fn the_language_switch_persists_and_logout_ends_the_session() {
    let app = TestApp::spawn().await;
    let u = app.user("lan", vec![Role::Viewer]).await;
    let me = app.browser(&u).await;
    let r = app
        .post_form("/lang", Some(&me), &[("lang", "en"), ("next", "/units")])
        .await;
    assert_eq!((r.status.as_u16(), r.location()), (303, "/units"));
    assert_eq!(r.cookie("lantoa_lang").as_deref(), Some("en"));
    assert_eq!(app.state.accounts.user(u.id).await.unwrap().lang, "en");
    let en = common::Browser {
        cookie: format!("{}; lantoa_lang=en", me.cookie),
        csrf: me.csrf.clone(),
    };
    let home = app.get("/", Some(&en)).await;
    assert!(home.body.contains("<h1 id=\"page-title\">Dashboard</h1>"));
    assert!(home.body.contains("lang=\"en\""));
    let out = app.post_form("/logout", Some(&en), &[]).await;
    assert_eq!(out.location(), "/login?flash=flash-logged-out");
    assert_eq!(app.get("/", Some(&en)).await.status, 303);
}
