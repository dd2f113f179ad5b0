//! What the reports' tests share: a database with notify, plans and reports on a clock the
//! test moves, and notices issued on given days.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use chrono::{TimeZone, Utc};
use lantoa_reports::{Reports, Sources};
use lantoa_store::Clock;
use lantoa_store::testing::TestDb;

pub struct Setup {
    pub _t: TestDb,
    pub reports: Reports,
    pub notify: lantoa_notify::Notify,
    pub clock: Clock,
}

/// Notify (for figures with a clock we move) and Plans; Watch and Open data are absent unless a
/// test adds them.
pub async fn setup(at: chrono::DateTime<Utc>) -> Setup {
    let t = TestDb::new(&[
        &lantoa_registry::MIGRATIONS,
        &lantoa_notify::MIGRATIONS,
        &lantoa_plans::MIGRATIONS,
        &lantoa_reports::MIGRATIONS,
    ])
    .await
    .unwrap();
    let clock = Clock::manual(at);
    let notify = lantoa_notify::Notify::new(t.db.clone())
        .unwrap()
        .with_clock(clock.clone());
    let plans =
        lantoa_plans::Plans::new(t.db.clone(), lantoa_registry::Registry::new(t.db.clone()));
    let reports = Reports::new(
        t.db.clone(),
        Sources {
            notify: Some(notify.clone()),
            plans: Some(plans),
            ..Default::default()
        },
    )
    .unwrap()
    .with_clock(clock.clone());
    Setup {
        _t: t,
        reports,
        notify,
        clock,
    }
}

pub fn hanoi(y: i32, m: u32, d: u32, h: u32, min: u32) -> chrono::DateTime<Utc> {
    lantoa_core::time::zone()
        .with_ymd_and_hms(y, m, d, h, min, 0)
        .unwrap()
        .with_timezone(&Utc)
}

pub async fn notice_at(s: &Setup, at: chrono::DateTime<Utc>, number: &str) {
    let now = s.clock.now();
    s.clock.advance(at - now);
    s.notify
        .issue_notice(
            "tt",
            &lantoa_notify::notices::NewNotice {
                number: number.into(),
                title: "Định hướng".into(),
                body: "Nội dung.".into(),
                kinds: vec!["press".into()],
                ..Default::default()
            },
        )
        .await
        .unwrap();
}
