//! Enforcement cases against the shipped workflow (`data/watch/cases.toml`): every move from
//! every state by every role, the refusals and what they leave unchanged, one open case per
//! subject and category, deadlines. SQLite in `cargo test`, PostgreSQL in `cargo xtask test`.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers: a panic is the failure report

use std::collections::{BTreeMap, VecDeque};

use chrono::{Duration, TimeZone, Utc};
use lantoa_core::role::Role;
use lantoa_registry::Registry;
use lantoa_store::Clock;
use lantoa_store::testing::TestDb;
use lantoa_watch::{Case, Error, NewCase, NewFix, NewSanction, NewSubject, SubjectKind, Watch};

const ROLES: [Role; 5] = [
    Role::WatchOfficer,
    Role::Inspector,
    Role::Approver,
    Role::Viewer,
    Role::Admin,
];

struct Env {
    _t: TestDb,
    w: Watch,
    clock: Clock,
    subjects: usize,
}

async fn setup() -> Env {
    let t = TestDb::new(&[&lantoa_registry::MIGRATIONS, &lantoa_watch::MIGRATIONS])
        .await
        .unwrap();
    let clock = Clock::manual(Utc.with_ymd_and_hms(2026, 3, 2, 2, 0, 0).unwrap());
    let w = Watch::new(t.db.clone(), Registry::new(t.db.clone())).with_clock(clock.clone());
    Env {
        _t: t,
        w,
        clock,
        subjects: 0,
    }
}

impl Env {
    async fn subject(&mut self) -> i64 {
        self.subjects += 1;
        let n = self.subjects;
        self.w
            .create(
                "lan",
                &NewSubject::new(
                    SubjectKind::Website,
                    &format!("https://trang-{n}.example/"),
                    &format!("Trang {n}"),
                ),
            )
            .await
            .unwrap()
            .id
    }

    async fn open(&mut self) -> Case {
        let subject_id = self.subject().await;
        self.w
            .open_case(
                "lan",
                &[Role::WatchOfficer],
                &NewCase {
                    subject_id,
                    category: "bao_hoa".into(),
                    note: "dấu hiệu báo hóa trong kết quả rà soát".into(),
                    ..Default::default()
                },
            )
            .await
            .unwrap()
    }

    /// A new case brought to `state` by an admin along the shortest path.
    async fn case_in(&mut self, state: &str) -> Case {
        let path = path_to(&self.w, state);
        let mut c = self.open().await;
        for to in path {
            c = enter(
                &self.w,
                "admin",
                Role::Admin,
                c.id,
                &to,
                "đưa vào trạng thái",
            )
            .await
            .unwrap();
        }
        assert_eq!(c.state, state);
        c
    }
}

/// Moves a case into `to` the way that state is entered: with a sanction's decision, with the
/// date a unit committed to fix by, or by a bare move.
async fn enter(
    w: &Watch,
    actor: &str,
    role: Role,
    case: i64,
    to: &str,
    note: &str,
) -> Result<Case, Error> {
    match w.case_rules().state(to).unwrap().requires.as_deref() {
        Some("sanction") => Ok(w
            .record_sanction(actor, &[role], case, &sanction(note))
            .await?
            .0),
        Some("recheck") => Ok(w
            .record_fix(
                actor,
                &[role],
                case,
                &NewFix {
                    due: "20/03/2026".into(),
                    note: note.into(),
                },
            )
            .await?
            .0),
        _ => w.move_case(actor, &[role], case, to, note).await,
    }
}

fn sanction(note: &str) -> NewSanction {
    NewSanction {
        decision_no: "12/QĐ-XPHC".into(),
        decision_date: "02/03/2026".into(),
        decree: "15/2020/NĐ-CP (sửa đổi bởi 14/2022/NĐ-CP)".into(),
        article: "101".into(),
        clause: "1".into(),
        fine_vnd: 15_000_000,
        remedies: "Gỡ bỏ thông tin sai sự thật".into(),
        note: note.into(),
    }
}

/// The states after `start` up to `state`, by breadth-first search over admin's moves; none
/// when `state` cannot be reached from `start`.
fn path_from(w: &Watch, start: &str, state: &str) -> Option<Vec<String>> {
    let rules = w.case_rules();
    let mut back: BTreeMap<String, String> = BTreeMap::new();
    let mut queue = VecDeque::from([start.to_owned()]);
    while let Some(s) = queue.pop_front() {
        if s == state {
            break;
        }
        for to in rules.next(&s, &[Role::Admin]) {
            if to != start && !back.contains_key(to) {
                back.insert(to.to_owned(), s.clone());
                queue.push_back(to.to_owned());
            }
        }
    }
    let mut path = Vec::new();
    let mut at = state.to_owned();
    while at != start {
        let prev = back.get(&at)?.clone();
        path.push(at);
        at = prev;
    }
    path.reverse();
    Some(path)
}

/// The states from the first one to `state`: through the transfer to the Inspectorate when
/// `state` can be reached from it (a sanction needs the transfer before it), else the
/// shortest way.
fn path_to(w: &Watch, state: &str) -> Vec<String> {
    let rules = w.case_rules();
    let start = rules.initial().id.clone();
    if let Some(transfer) = rules.figure_states().transferred.clone()
        && state != start
        && let (Some(mut first), Some(rest)) = (
            path_from(w, &start, &transfer),
            path_from(w, &transfer, state),
        )
    {
        first.extend(rest);
        return first;
    }
    path_from(w, &start, state).unwrap_or_else(|| panic!("{state} is unreachable"))
}

#[tokio::test]
async fn every_move_from_every_state_is_allowed_to_its_roles_and_refused_to_the_rest() {
    let mut env = setup().await;
    let rules = env.w.case_rules().clone();
    let states: Vec<String> = rules.states().iter().map(|s| s.id.clone()).collect();
    let mut allowed_moves = 0;
    for from in &states {
        for role in ROLES {
            // Refusals first, on one case: each leaves it as it was.
            let c = env.case_in(from).await;
            let steps = env.w.case_timeline(c.id).await.unwrap().len();
            for to in &states {
                let permitted = rules.next(from, &[role]).contains(&to.as_str());
                if permitted {
                    continue;
                }
                let e = env
                    .w
                    .move_case("x", &[role], c.id, to, "thử")
                    .await
                    .unwrap_err();
                let defined = !rules.roles_for(from, to).is_empty();
                match (&e, defined) {
                    (Error::NotAllowed(m), true) => {
                        assert_eq!(m.key, "case-move-needs-role", "{m}");
                    }
                    (Error::Transition(m), false) => {
                        assert!(
                            ["case-move-refused", "case-move-finished"].contains(&m.key.as_str()),
                            "{m}"
                        );
                        // The states are named as officers read them, in either language.
                        let state =
                            |s: &str| lantoa_core::msg::Arg::Label(format!("case-state-{s}"));
                        assert!(m.args.contains(&("from".into(), state(from))), "{m:?}");
                        assert!(m.args.contains(&("to".into(), state(to))), "{m:?}");
                    }
                    other => panic!("{from} -> {to} as {role:?}: {other:?}"),
                }
                assert_eq!(env.w.case(c.id).await.unwrap(), c, "{from} -> {to}");
                assert_eq!(env.w.case_timeline(c.id).await.unwrap().len(), steps);
            }
            // Each permitted move, on a case of its own.
            for to in rules.next(from, &[role]) {
                let c = env.case_in(from).await;
                let target = rules.state(to).unwrap();
                if let Some(what) = &target.requires {
                    // Entered only with what it records; a bare move names it.
                    let e = env
                        .w
                        .move_case("hoa", &[role], c.id, to, "theo quy trình")
                        .await
                        .unwrap_err();
                    assert!(
                        matches!(&e, Error::Invalid { message, .. }
                            if message.args.contains(&("what".into(), lantoa_core::msg::Arg::Label(format!("case-requires-{what}"))))),
                        "{e}"
                    );
                    assert_eq!(env.w.case(c.id).await.unwrap(), c);
                }
                let moved = enter(&env.w, "hoa", role, c.id, to, "theo quy trình")
                    .await
                    .unwrap();
                assert_eq!(moved.state, to);
                assert_eq!(moved.open, !target.closed, "{to}");
                let now = env.clock.now_micros();
                assert_eq!(moved.state_since, now);
                assert_eq!(
                    moved.due_at,
                    target.days.map(|d| now + i64::from(d) * 86_400_000_000),
                    "{to}"
                );
                let last = env.w.case_timeline(c.id).await.unwrap().pop().unwrap();
                assert_eq!(
                    (last.from.as_deref(), last.to.as_str(), last.actor.as_str()),
                    (Some(from.as_str()), to, "hoa")
                );
                assert_eq!(last.note, "theo quy trình");
                allowed_moves += 1;
            }
        }
    }
    // The shipped workflow: 17 moves, each for its roles and admin.
    assert!(allowed_moves >= 34, "{allowed_moves}");
    let c = env.case_in("xem_xet").await;
    assert!(matches!(
        env.w
            .move_case("lan", &[Role::WatchOfficer], c.id, "chuyen_thanh_tra", "chuyển")
            .await,
        Err(Error::NotAllowed(m)) if matches!(&m.args[..], [.., (_, lantoa_core::msg::Arg::Labels(roles))] if roles.contains(&"role-approver".to_owned()))
    ));
}

#[tokio::test]
async fn a_case_opens_once_per_subject_and_category_with_a_reason_and_bad_steps_change_nothing() {
    let mut env = setup().await;
    let subject_id = env.subject().await;
    let new = |category: &str, note: &str| NewCase {
        subject_id,
        category: category.into(),
        note: note.into(),
        ..Default::default()
    };
    let officer = [Role::WatchOfficer];
    let e = env
        .w
        .open_case("xem", &[Role::Viewer], &new("bao_hoa", "lý do"))
        .await
        .unwrap_err();
    assert!(matches!(e, Error::NotAllowed(_)), "{e:?}");
    let e = env
        .w
        .open_case("lan", &officer, &new("quang_cao", "lý do"))
        .await
        .unwrap_err();
    assert!(
        e.to_string().contains("bao_hoa, advertising, harmful"),
        "{e}"
    );
    let e = env
        .w
        .open_case("lan", &officer, &new("bao_hoa", "  "))
        .await
        .unwrap_err();
    assert!(matches!(e, Error::Invalid { field: "note", .. }), "{e:?}");
    let mut unknown = new("bao_hoa", "lý do");
    unknown.subject_id = 9999;
    assert!(matches!(
        env.w.open_case("lan", &officer, &unknown).await,
        Err(Error::NotFound {
            entity: "subject",
            id: 9999
        })
    ));
    let mut with_finding = new("bao_hoa", "lý do");
    with_finding.findings = vec![424242];
    let e = env
        .w
        .open_case("lan", &officer, &with_finding)
        .await
        .unwrap_err();
    assert!(
        matches!(&e, Error::Invalid { field: "findings", message } if message.to_string().contains("424242")),
        "{e:?}"
    );
    assert!(
        env.w.cases(None).await.unwrap().is_empty(),
        "nothing was kept"
    );

    let first = env
        .w
        .open_case("lan", &officer, &new("bao_hoa", "dấu hiệu báo hóa"))
        .await
        .unwrap();
    assert_eq!(first.title, "Trang 1 — bao_hoa");
    // A second open case on the same subject and category names the first; another category
    // is a case of its own.
    let e = env
        .w
        .open_case("lan", &officer, &new("bao_hoa", "lần nữa"))
        .await
        .unwrap_err();
    assert!(
        matches!(&e, Error::CaseOpen { existing, .. } if *existing == first.id),
        "{e:?}"
    );
    env.w
        .open_case("lan", &officer, &new("advertising", "quảng cáo thực phẩm"))
        .await
        .unwrap();
    // A step without a reason, or to a state that does not exist, changes nothing.
    let e = env
        .w
        .move_case("lan", &officer, first.id, "xem_xet", "")
        .await
        .unwrap_err();
    assert!(matches!(e, Error::Invalid { field: "note", .. }), "{e:?}");
    let e = env
        .w
        .move_case("lan", &officer, first.id, "dong", "x")
        .await
        .unwrap_err();
    assert!(e.to_string().contains("phat_hien, xem_xet"), "{e}");
    assert_eq!(env.w.case(first.id).await.unwrap(), first);
    assert!(matches!(
        env.w.case(777).await,
        Err(Error::CaseNotFound(777))
    ));
    // Fixed by the unit; a new case may then open; the fixed one cannot reopen beside it.
    for to in ["xem_xet", "moi_lam_viec", "cho_phan_hoi", "da_khac_phuc"] {
        enter(&env.w, "lan", Role::WatchOfficer, first.id, to, "tiến hành")
            .await
            .unwrap();
    }
    let again = env
        .w
        .open_case("lan", &officer, &new("bao_hoa", "tái phạm"))
        .await
        .unwrap();
    let e = env
        .w
        .move_case("lan", &officer, first.id, "xem_xet", "còn dấu hiệu")
        .await
        .unwrap_err();
    assert!(e.to_string().contains("another case"), "{e}");
    assert_eq!(env.w.case(first.id).await.unwrap().state, "da_khac_phuc");
    let timeline = env.w.case_timeline(first.id).await.unwrap();
    assert_eq!(
        timeline.iter().map(|e| e.to.as_str()).collect::<Vec<_>>(),
        [
            "phat_hien",
            "xem_xet",
            "moi_lam_viec",
            "cho_phan_hoi",
            "da_khac_phuc"
        ]
    );
    assert_eq!(timeline[0].note, "dấu hiệu báo hóa");
    assert_eq!(env.w.cases(Some("phat_hien")).await.unwrap().len(), 2);
    assert_eq!(env.w.cases(None).await.unwrap()[0].id, again.id);
}

#[tokio::test]
async fn a_case_past_its_states_limit_is_listed_overdue_until_it_moves() {
    let mut env = setup().await;
    let c = env.open().await;
    let officer = [Role::WatchOfficer];
    env.clock.advance(Duration::days(3) - Duration::minutes(1));
    assert!(env.w.overdue_cases().await.unwrap().is_empty());
    assert!(!env.w.is_overdue(&env.w.case(c.id).await.unwrap()));
    env.clock.advance(Duration::minutes(2));
    assert_eq!(env.w.overdue_cases().await.unwrap()[0].id, c.id);
    assert!(env.w.is_overdue(&env.w.case(c.id).await.unwrap()));
    env.w
        .move_case("lan", &officer, c.id, "xem_xet", "bắt đầu xem xét")
        .await
        .unwrap();
    assert!(env.w.overdue_cases().await.unwrap().is_empty());
    // A takedown proposal has a day (Decree 147/2024).
    env.w
        .move_case("lan", &officer, c.id, "de_nghi_go", "đề nghị Cục gỡ")
        .await
        .unwrap();
    env.clock.advance(Duration::hours(25));
    assert_eq!(env.w.overdue_cases().await.unwrap()[0].id, c.id);
    // Finished cases are never overdue.
    env.w
        .move_case("lan", &officer, c.id, "cho_phan_hoi", "đã gửi")
        .await
        .unwrap();
    let done = env
        .w
        .move_case("lan", &officer, c.id, "da_go", "nền tảng đã gỡ")
        .await
        .unwrap();
    assert_eq!((done.open, done.due_at), (false, None));
    env.clock.advance(Duration::days(400));
    assert!(env.w.overdue_cases().await.unwrap().is_empty());
}

#[tokio::test]
async fn the_demo_cases_open_once_through_the_workflow() {
    let env = setup().await;
    Registry::new(env._t.db.clone())
        .load_demo("demo", lantoa_registry::DEMO_CITY)
        .await
        .unwrap();
    let imported = env
        .w
        .import_csv("demo", lantoa_watch::DEMO_SUBJECTS.as_bytes())
        .await
        .unwrap();
    assert!(imported.created >= 3, "{imported:?}");
    assert_eq!(env.w.load_demo_cases().await.unwrap(), 3);
    assert_eq!(env.w.load_demo_cases().await.unwrap(), 0, "once");
    let states: Vec<String> = env
        .w
        .cases(None)
        .await
        .unwrap()
        .into_iter()
        .map(|c| c.state)
        .collect();
    assert_eq!(states, ["de_nghi_go", "cho_phan_hoi", "da_khac_phuc"]);
    let sanctioned = &env.w.cases(Some("cho_phan_hoi")).await.unwrap()[0];
    let actors: Vec<String> = env
        .w
        .case_timeline(sanctioned.id)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.actor)
        .collect();
    assert_eq!(actors, ["demo.nt", "demo.nt", "demo.ld", "demo.tt"]);
}

#[tokio::test]
async fn a_sanction_needs_its_decision_and_the_units_history_shows_repeats() {
    let env = setup().await;
    Registry::new(env._t.db.clone())
        .load_demo("demo", lantoa_registry::DEMO_CITY)
        .await
        .unwrap();
    env.w
        .import_csv("demo", lantoa_watch::DEMO_SUBJECTS.as_bytes())
        .await
        .unwrap();
    let paper = env
        .w
        .find_by_url("http://tinthudo.example/")
        .await
        .unwrap()
        .unwrap();
    let unit = paper.managing_unit_id.expect("the demo paper has its unit");
    let officer = [Role::WatchOfficer];
    let inspector = [Role::Inspector];
    let mut cases = Vec::new();
    for category in ["advertising", "harmful"] {
        let c = env
            .w
            .open_case(
                "lan",
                &officer,
                &NewCase {
                    subject_id: paper.id,
                    category: category.into(),
                    note: "vi phạm".into(),
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        env.w
            .move_case("lan", &officer, c.id, "xem_xet", "xem xét")
            .await
            .unwrap();
        env.w
            .move_case("ld", &[Role::Approver], c.id, "chuyen_thanh_tra", "chuyển")
            .await
            .unwrap();
        let c = env
            .w
            .move_case("tt", &inspector, c.id, "cho_phan_hoi", "nhận hồ sơ")
            .await
            .unwrap();
        cases.push(c);
    }
    let c = &cases[0];
    // Each missing or wrong field is named, and nothing is kept.
    for (change, field) in [
        (
            Box::new(|s: &mut NewSanction| s.decision_no = " ".into())
                as Box<dyn Fn(&mut NewSanction)>,
            "decision_no",
        ),
        (
            Box::new(|s: &mut NewSanction| s.decision_date = "31/02/2026".into()),
            "decision_date",
        ),
        (
            Box::new(|s: &mut NewSanction| s.decree = String::new()),
            "decree",
        ),
        (
            Box::new(|s: &mut NewSanction| s.article = String::new()),
            "article",
        ),
        (Box::new(|s: &mut NewSanction| s.fine_vnd = -1), "fine_vnd"),
        (
            Box::new(|s: &mut NewSanction| s.note = String::new()),
            "note",
        ),
    ] {
        let mut bad = sanction("xử phạt");
        change(&mut bad);
        refused(&env.w, c, &bad, field, "").await;
    }
    // Only the Inspectorate sanctions.
    assert!(matches!(
        env.w
            .record_sanction("lan", &officer, c.id, &sanction("xử phạt"))
            .await,
        Err(Error::NotAllowed(_))
    ));
    let (done, s) = env
        .w
        .record_sanction("tt", &inspector, c.id, &sanction("đã ra quyết định"))
        .await
        .unwrap();
    assert_eq!((done.state.as_str(), done.open), ("xu_phat", false));
    assert_eq!(s.decision_date.to_string(), "2026-03-02");
    assert_eq!((s.unit_id, s.fine_vnd), (Some(unit), 15_000_000));
    assert_eq!(env.w.unit_sanctions(unit).await.unwrap().len(), 1);
    env.w
        .record_sanction("tt", &inspector, cases[1].id, &sanction("tái phạm"))
        .await
        .unwrap();
    let history = env.w.unit_sanctions(unit).await.unwrap();
    assert_eq!(
        history.len(),
        2,
        "a repeat violation shows in the unit's history"
    );
    // Nothing sanctions a finished case twice.
    assert!(matches!(
        env.w
            .record_sanction("tt", &inspector, c.id, &sanction("lần nữa"))
            .await,
        Err(Error::Transition(_))
    ));
}

#[tokio::test]
async fn the_periods_figures_count_the_steps_and_sanctions_in_it() {
    let mut env = setup().await;
    let start = env.clock.now_micros();
    let day = 86_400_000_000;
    // Each case's steps, each by the role the workflow gives it.
    let officer = Role::WatchOfficer;
    let plans: [(&str, &[(Role, &str)]); 4] = [
        (
            "bao_hoa",
            &[(officer, "xem_xet"), (officer, "moi_lam_viec")],
        ),
        (
            "harmful",
            &[
                (officer, "xem_xet"),
                (officer, "de_nghi_go"),
                (officer, "cho_phan_hoi"),
                (officer, "da_go"),
            ],
        ),
        (
            "harmful",
            &[
                (officer, "xem_xet"),
                (officer, "de_nghi_go"),
                (officer, "cho_phan_hoi"),
                (officer, "khong_go"),
            ],
        ),
        (
            "advertising",
            &[
                (officer, "xem_xet"),
                (Role::Approver, "chuyen_thanh_tra"),
                (Role::Inspector, "cho_phan_hoi"),
            ],
        ),
    ];
    let mut ids = Vec::new();
    for (category, steps) in plans {
        let subject_id = env.subject().await;
        let c = env
            .w
            .open_case(
                "lan",
                &[officer],
                &NewCase {
                    subject_id,
                    category: category.into(),
                    note: "mở".into(),
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        for (role, to) in steps {
            env.w
                .move_case("x", &[*role], c.id, to, "bước")
                .await
                .unwrap();
        }
        ids.push(c.id);
    }
    let mut decided = sanction("xử phạt");
    decided.decision_date = "2026-03-02".into();
    env.w
        .record_sanction("tt", &[Role::Inspector], ids[3], &decided)
        .await
        .unwrap();
    // Two days later, one more invitation: outside the first day, inside the three.
    env.clock.advance(Duration::days(2));
    env.case_in("moi_lam_viec").await;
    let f = env.w.figures(start, start + day).await.unwrap();
    assert_eq!(
        (f.invited, f.transferred, f.transferred_advertising),
        (1, 1, 1),
        "{f:?}"
    );
    assert_eq!(
        (f.takedowns_proposed, f.taken_down, f.not_taken_down),
        (2, 1, 1)
    );
    assert_eq!(f.removal_rate_pct, Some(50.0));
    assert_eq!(
        (f.sanctions, f.units_sanctioned, f.fines_vnd),
        (1, 1, 15_000_000)
    );
    assert_eq!(
        (
            f.websites_reviewed,
            f.clips_reviewed,
            f.sites_with_bao_hoa_signs
        ),
        (0, 0, 0),
        "no crawls or findings here"
    );
    let three = env.w.figures(start, start + 3 * day).await.unwrap();
    assert_eq!(three.invited, 2);
    assert_eq!(three.sanctions, 1);
    let none = env
        .w
        .figures(start + 5 * day, start + 6 * day)
        .await
        .unwrap();
    assert_eq!(
        (none.invited, none.sanctions, none.removal_rate_pct),
        (0, 0, None)
    );
}

/// A change that spoils a decision.
type Change = Box<dyn Fn(&mut NewSanction)>;

/// A decision the Inspectorate cannot record: refused naming `field` (with `words` in the
/// message), the case and its sanctions as they were.
async fn refused(w: &Watch, c: &Case, bad: &NewSanction, field: &str, words: &str) {
    let e = w
        .record_sanction("tt", &[Role::Inspector], c.id, bad)
        .await
        .unwrap_err();
    assert!(
        matches!(&e, Error::Invalid { field: f, message } if *f == field && message.to_string().contains(words)),
        "{field}: {e:?}"
    );
    assert_eq!(w.case(c.id).await.unwrap(), *c, "{field}");
    assert_eq!(w.case_sanction(c.id).await.unwrap(), None);
}

/// A decision is recorded only after the dossier went to the Inspectorate, dated between that
/// transfer and today, on a decree, article and clause of the sanctions file, with a fine in
/// the clause's range; each refusal names its field and leaves the case as it was.
#[tokio::test]
async fn a_sanction_follows_the_transfer_and_the_sanctions_file() {
    let mut env = setup().await;
    let inspector = [Role::Inspector];
    // Waiting for an answer after a working session, never transferred.
    let mut untransferred = env.open().await;
    let first = env.w.case_rules().initial().id.clone();
    for to in path_from(&env.w, &first, "moi_lam_viec")
        .unwrap()
        .into_iter()
        .chain(path_from(&env.w, "moi_lam_viec", "cho_phan_hoi").unwrap())
    {
        untransferred = enter(&env.w, "admin", Role::Admin, untransferred.id, &to, "bước")
            .await
            .unwrap();
    }
    let e = env
        .w
        .record_sanction("tt", &inspector, untransferred.id, &sanction("xử phạt"))
        .await
        .unwrap_err();
    assert!(
        matches!(&e, Error::Invalid { field: "case", message } if message.to_string().contains("transferred to the Inspectorate")),
        "{e:?}"
    );

    // Transferred on 02/03/2026; the Inspectorate decides five days later.
    let c = env.case_in("cho_phan_hoi").await;
    env.clock.advance(Duration::days(5));
    let w = env.w.clone();
    let cases: Vec<(Change, &str, &str)> = vec![
        (
            Box::new(|s| s.decision_date = "08/03/2026".into()),
            "decision_date",
            "in the future",
        ),
        (
            Box::new(|s| s.decision_date = "2026-03-01".into()),
            "decision_date",
            "before the dossier was transferred",
        ),
        (
            Box::new(|s| s.decree = "99/2099/NĐ-CP".into()),
            "decree",
            "not a sanctioning decree",
        ),
        (
            Box::new(|s| s.article = "7".into()),
            "article",
            "no article \"7\"",
        ),
        (
            Box::new(|s| {
                s.decree = "38/2021/NĐ-CP".into();
                s.article = "51".into();
            }),
            "article",
            "lists no article of decree 38/2021/NĐ-CP",
        ),
        (
            Box::new(|s| s.clause = "9".into()),
            "clause",
            "no clause \"9\"",
        ),
        (
            Box::new(|s| s.fine_vnd = 25_000_000),
            "fine_vnd",
            "25.000.000 đồng is outside art. 101 cl. 1",
        ),
        (
            Box::new(|s| s.fine_vnd = 0),
            "fine_vnd",
            "10.000.000 đồng to 20.000.000 đồng",
        ),
    ];
    for (change, field, words) in cases {
        let mut bad = sanction("xử phạt");
        bad.decision_date = "07/03/2026".into();
        change(&mut bad);
        refused(&w, &c, &bad, field, words).await;
    }
    // The same decision, dated in range, in ISO 8601 with its time, is recorded.
    let mut good = sanction("đã ra quyết định");
    good.decision_date = "2026-03-07T10:30:00+07:00".into();
    let (done, s) = env
        .w
        .record_sanction("tt", &inspector, c.id, &good)
        .await
        .unwrap();
    assert_eq!(done.state, "xu_phat");
    assert_eq!(s.decision_date.to_string(), "2026-03-07");
}

#[test]
fn the_shipped_sanctions_file_reads_and_a_bad_range_is_refused() {
    let rules = lantoa_watch::SanctionRules::builtin().unwrap();
    assert_eq!(
        rules
            .decree("15/2020/NĐ-CP (sửa đổi bởi 14/2022/NĐ-CP)")
            .map(|d| d.id.as_str()),
        Some("15/2020/NĐ-CP")
    );
    assert_eq!(
        rules.decree("14/2022/nđ-cp").map(|d| d.id.as_str()),
        Some("15/2020/NĐ-CP")
    );
    assert!(rules.decree("Nghị định 99/2099/NĐ-CP").is_none());
    let bad = "[[decree]]\nid = \"1/2020/NĐ-CP\"\nname = \"x\"\n[[decree.article]]\nnumber = \"1\"\n[[decree.article.clause]]\nnumber = \"1\"\nmin_vnd = 10\nmax_vnd = 5\n";
    let e = lantoa_watch::SanctionRules::from_toml(bad).unwrap_err();
    assert!(e.to_string().contains("is not a range"), "{e}");
}
