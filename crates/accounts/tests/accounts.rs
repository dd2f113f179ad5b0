//! Accounts contract: runs on SQLite in `cargo test` and on PostgreSQL in `cargo xtask test`.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers: a panic is the failure report

use chrono::{Duration, TimeZone, Utc};
use lantoa_accounts::{Accounts, Error, NewUser, Via};
use lantoa_core::Role;
use lantoa_store::testing::TestDb;
use lantoa_store::{Clock, audit};

async fn setup() -> (TestDb, Accounts, Clock) {
    let t = TestDb::new(&[&lantoa_accounts::MIGRATIONS]).await.unwrap();
    let clock = Clock::manual(Utc.with_ymd_and_hms(2026, 3, 2, 1, 0, 0).unwrap());
    let a = Accounts::new(t.db.clone()).with_clock(clock.clone());
    (t, a, clock)
}

fn with_password(username: &str, roles: Vec<Role>) -> NewUser {
    NewUser {
        password: Some("correct horse battery".into()),
        ..NewUser::new(username, "Nguyễn Văn An", roles)
    }
}

#[tokio::test]
async fn first_start_creates_admin_with_a_one_time_password_once() {
    let (t, a, _) = setup().await;
    let otp = a
        .ensure_admin()
        .await
        .unwrap()
        .expect("a password on first start");
    assert_eq!(otp.len(), 16);
    assert_eq!(a.ensure_admin().await.unwrap(), None);
    let admin = a.authenticate("admin", &otp, "127.0.0.1").await.unwrap();
    assert!(admin.must_change_password);
    assert_eq!(admin.roles, vec![Role::Admin]);
    a.change_password(admin.id, &otp, "a much better secret")
        .await
        .unwrap();
    assert!(!a.user(admin.id).await.unwrap().must_change_password);
    let v = audit::verify(&t.db).await.unwrap();
    assert_eq!((v.rows, v.first_break), (2, None));
}

#[tokio::test]
async fn rejects_bad_user_input_and_writes_nothing() {
    let (t, a, _) = setup().await;
    assert!(matches!(
        a.create_user("admin", &NewUser::new("A B", "x", vec![Role::Viewer]))
            .await,
        Err(Error::InvalidUsername(_))
    ));
    assert!(matches!(
        a.create_user("admin", &NewUser::new("lan", "x", vec![]))
            .await,
        Err(Error::NoRoles)
    ));
    let weak = NewUser {
        password: Some("short".into()),
        ..NewUser::new("lan", "x", vec![Role::Viewer])
    };
    assert!(matches!(
        a.create_user("admin", &weak).await,
        Err(Error::WeakPassword(_))
    ));
    a.create_user("admin", &with_password("lan", vec![Role::Viewer]))
        .await
        .unwrap();
    assert!(matches!(
        a.create_user("admin", &with_password("LAN", vec![Role::Viewer]))
            .await,
        Err(Error::UserExists(_))
    ));
    assert_eq!(a.list_users().await.unwrap().len(), 1);
    assert_eq!(audit::verify(&t.db).await.unwrap().rows, 1);
}

#[tokio::test]
async fn throttles_a_name_from_one_client_not_the_real_user_elsewhere() {
    let (_t, a, clock) = setup().await;
    a.create_user("admin", &with_password("lan", vec![Role::Viewer]))
        .await
        .unwrap();
    for _ in 0..5 {
        assert!(matches!(
            a.authenticate("lan", "wrong password", "10.0.0.1").await,
            Err(Error::BadCredentials)
        ));
    }
    // The guessing client is refused even the right password…
    assert!(matches!(
        a.authenticate("lan", "correct horse battery", "10.0.0.1")
            .await,
        Err(Error::RateLimited { .. })
    ));
    // …while the real user, from their own address, signs in.
    assert!(
        a.authenticate("lan", "correct horse battery", "10.0.0.2")
            .await
            .is_ok()
    );
    clock.advance(Duration::minutes(16));
    assert!(
        a.authenticate("lan", "correct horse battery", "10.0.0.1")
            .await
            .is_ok()
    );
}

#[tokio::test]
async fn a_name_guessed_from_many_clients_meets_the_slower_ceiling() {
    let (t, _, clock) = setup().await;
    let policy = lantoa_accounts::Policy {
        login_user_max_failures: 6,
        ..Default::default()
    };
    let a = Accounts::new(t.db.clone())
        .with_clock(clock.clone())
        .with_policy(policy);
    a.create_user("admin", &with_password("lan", vec![Role::Viewer]))
        .await
        .unwrap();
    // Two tries from each of three addresses: under every pair's limit, at the name's.
    for i in 0..6 {
        let client = format!("10.1.0.{}", i % 3);
        assert!(matches!(
            a.authenticate("lan", "wrong password", &client).await,
            Err(Error::BadCredentials)
        ));
    }
    assert!(matches!(
        a.authenticate("lan", "correct horse battery", "10.2.0.1")
            .await,
        Err(Error::RateLimited { .. })
    ));
    // The ceiling's window is an hour, not the pair's quarter.
    clock.advance(Duration::minutes(16));
    assert!(matches!(
        a.authenticate("lan", "correct horse battery", "10.2.0.1")
            .await,
        Err(Error::RateLimited { .. })
    ));
    clock.advance(Duration::minutes(45));
    assert!(
        a.authenticate("lan", "correct horse battery", "10.2.0.1")
            .await
            .is_ok()
    );
}

#[tokio::test]
async fn a_client_spraying_many_names_is_refused() {
    let (t, _, _) = setup().await;
    let policy = lantoa_accounts::Policy {
        login_client_max_failures: 7,
        ..Default::default()
    };
    let a = Accounts::new(t.db.clone()).with_policy(policy);
    for i in 0..7 {
        let r = a.authenticate(&format!("nobody{i}"), "x", "10.9.9.9").await;
        assert!(matches!(r, Err(Error::BadCredentials)));
    }
    assert!(matches!(
        a.authenticate("nobody", "x", "10.9.9.9").await,
        Err(Error::RateLimited { .. })
    ));
    assert!(matches!(
        a.authenticate("nobody", "x", "10.9.9.8").await,
        Err(Error::BadCredentials)
    ));
}

#[tokio::test]
async fn password_changes_need_the_current_one_and_a_strong_new_one() {
    let (_t, a, _) = setup().await;
    let u = a
        .create_user("admin", &with_password("lan", vec![Role::Viewer]))
        .await
        .unwrap()
        .user;
    assert!(matches!(
        a.change_password(u.id, "nope", "another long secret").await,
        Err(Error::WrongCurrentPassword)
    ));
    assert!(matches!(
        a.change_password(u.id, "correct horse battery", "lan-password-1")
            .await,
        Err(Error::WeakPassword(_))
    ));
    assert!(matches!(
        a.change_password(u.id, "correct horse battery", "correct horse battery")
            .await,
        Err(Error::WeakPassword(_))
    ));
    a.change_password(u.id, "correct horse battery", "another long secret")
        .await
        .unwrap();
    assert!(
        a.authenticate("lan", "another long secret", "c")
            .await
            .is_ok()
    );
}

#[tokio::test]
async fn sessions_expire_when_idle_and_end_on_password_change() {
    let (_t, a, clock) = setup().await;
    let u = a
        .create_user("admin", &with_password("lan", vec![Role::Viewer]))
        .await
        .unwrap()
        .user;
    let s = a.create_session(&u).await.unwrap();
    let found = a.session(&s.token).await.unwrap().unwrap();
    assert_eq!(found.csrf, s.csrf);
    assert_eq!(found.principal.via, Via::Session);
    assert!(a.session("not-a-token").await.unwrap().is_none());
    clock.advance(Duration::hours(9));
    assert!(
        a.session(&s.token).await.unwrap().is_none(),
        "idle for 9 hours"
    );

    let s2 = a.create_session(&u).await.unwrap();
    a.change_password(u.id, "correct horse battery", "another long secret")
        .await
        .unwrap();
    assert!(a.session(&s2.token).await.unwrap().is_none());
}

#[tokio::test]
async fn tokens_carry_only_roles_their_owner_holds() {
    let (t, a, _) = setup().await;
    let u = a
        .create_user(
            "admin",
            &with_password("lan", vec![Role::WatchOfficer, Role::Viewer]),
        )
        .await
        .unwrap()
        .user;
    assert!(matches!(
        a.create_token("admin", "lan", "x", &[Role::Admin], None)
            .await,
        Err(Error::RoleNotHeld(Role::Admin))
    ));
    let (tok, secret) = a
        .create_token("admin", "lan", "crawler", &[Role::Viewer], None)
        .await
        .unwrap();
    assert!(secret.starts_with("lt_"));
    let p = a.authenticate_token(&secret).await.unwrap().unwrap();
    assert_eq!(p.roles, vec![Role::Viewer]);
    assert_eq!(p.via, Via::Token(tok.id));
    // The token's secret is not stored: only its hash is.
    let stored: i64 = sqlx::query("SELECT COUNT(*) FROM api_tokens WHERE token_hash = $1")
        .bind(&secret)
        .fetch_one(t.db.pool())
        .await
        .map(|r| sqlx::Row::get(&r, 0))
        .unwrap();
    assert_eq!(stored, 0);
    // Losing the role removes it from the token too.
    a.set_roles("admin", u.id, &[Role::WatchOfficer])
        .await
        .unwrap();
    assert!(
        a.authenticate_token(&secret)
            .await
            .unwrap()
            .unwrap()
            .roles
            .is_empty()
    );
    a.revoke_token("admin", tok.id).await.unwrap();
    assert!(a.authenticate_token(&secret).await.unwrap().is_none());
    assert!(a.authenticate_token("lt_guess").await.unwrap().is_none());
}

#[tokio::test]
async fn the_last_admin_cannot_be_demoted_or_disabled() {
    let (_t, a, _) = setup().await;
    a.ensure_admin().await.unwrap();
    let admin = a.user_by_name("admin").await.unwrap();
    assert!(matches!(
        a.set_roles("admin", admin.id, &[Role::Viewer]).await,
        Err(Error::LastAdmin)
    ));
    assert!(matches!(
        a.set_disabled("admin", admin.id, true).await,
        Err(Error::LastAdmin)
    ));
    let other = a
        .create_user("admin", &with_password("hung", vec![Role::Admin]))
        .await
        .unwrap()
        .user;
    a.set_disabled("admin", admin.id, true).await.unwrap();
    assert!(
        matches!(a.authenticate("hung", "correct horse battery", "c").await, Ok(u) if u.id == other.id)
    );
}

#[tokio::test]
async fn disabled_users_cannot_sign_in_or_keep_sessions() {
    let (_t, a, _) = setup().await;
    a.ensure_admin().await.unwrap();
    let u = a
        .create_user("admin", &with_password("lan", vec![Role::Viewer]))
        .await
        .unwrap()
        .user;
    let s = a.create_session(&u).await.unwrap();
    a.set_disabled("admin", u.id, true).await.unwrap();
    assert!(a.session(&s.token).await.unwrap().is_none());
    assert!(matches!(
        a.authenticate("lan", "correct horse battery", "c").await,
        Err(Error::Disabled)
    ));
}

#[tokio::test]
async fn purge_removes_expired_sessions() {
    let (_t, a, clock) = setup().await;
    let u = a
        .create_user("admin", &with_password("lan", vec![Role::Viewer]))
        .await
        .unwrap()
        .user;
    a.create_session(&u).await.unwrap();
    assert_eq!(a.purge_expired().await.unwrap(), 0);
    clock.advance(Duration::hours(25));
    assert_eq!(a.purge_expired().await.unwrap(), 1);
}

#[tokio::test]
async fn a_users_agency_is_recorded_audited_and_carried_by_its_tokens() {
    let (t, a, _) = setup().await;
    let u = a
        .create_user(
            "admin",
            &with_password("thu.agency", vec![Role::AgencyUploader]),
        )
        .await
        .unwrap()
        .user;
    assert_eq!(u.unit_id, None);
    a.set_unit("admin", u.id, Some(42)).await.unwrap();
    assert_eq!(a.user(u.id).await.unwrap().unit_id, Some(42));
    let (_, secret) = a
        .create_token("admin", "thu.agency", "upload", &[], None)
        .await
        .unwrap();
    let p = a.authenticate_token(&secret).await.unwrap().unwrap();
    assert_eq!(p.unit_id, Some(42));
    a.set_unit("admin", u.id, None).await.unwrap();
    assert_eq!(a.user(u.id).await.unwrap().unit_id, None);
    assert!(lantoa_store::audit::verify(&t.db).await.unwrap().rows >= 3);
    assert!(a.set_unit("admin", 9_999, Some(1)).await.is_err());
}
