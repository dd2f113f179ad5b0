//! Plans and the import of their appendix: a preview that stores nothing, an import that stores
//! every row or none, a second import that updates by task code, and each bad row named with
//! its line and column. SQLite in `cargo test`, PostgreSQL in `cargo xtask test`.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers: a panic is the failure report

use lantoa_plans::{Error, NewPlan, Period, Plans, RowStatus};
use lantoa_registry::Registry;
use lantoa_store::testing::TestDb;

async fn setup() -> (TestDb, Plans, i64) {
    let t = TestDb::new(&[&lantoa_registry::MIGRATIONS, &lantoa_plans::MIGRATIONS])
        .await
        .unwrap();
    let registry = Registry::new(t.db.clone());
    registry
        .load_demo("test", lantoa_registry::DEMO_CITY)
        .await
        .unwrap();
    let plans = Plans::new(t.db.clone(), registry);
    let plan = plans
        .create(
            "ke.hoach",
            &NewPlan {
                number: "239/KH-UBND".into(),
                issued_on: "27/09/2023".into(),
                issuer: "UBND thành phố Hà Nội".into(),
                title: "Chuyển đổi số thành phố (bản trình diễn)".into(),
                from_year: 2023,
                to_year: 2025,
                implements: "18-NQ/TU".into(),
            },
        )
        .await
        .unwrap();
    (t, plans, plan.id)
}

const APPENDIX: &str = "\
STT,Nhiệm vụ,Đơn vị chủ trì,Đơn vị phối hợp,Thời gian hoàn thành,Sản phẩm
I,Phát triển chính quyền số,,,,
1,Xây dựng kho dữ liệu mở của thành phố,Sở Khoa học và Công nghệ Hà Nội,Sở Y tế Hà Nội; các quận huyện,Quý II/2024,Cổng dữ liệu mở vận hành
1.1,Chuẩn hóa danh mục dữ liệu dùng chung,Sở Khoa học và Công nghệ Hà Nội,,2024,Danh mục được ban hành
2,Báo cáo tình hình chuyển đổi số,Sở Thông tin và Truyền thông Hà Nội,\"Sở Y tế Hà Nội, Sở Văn hóa và Thể thao Hà Nội\",Hằng năm,Báo cáo
II,Phát triển xã hội số,,,,
1,Tuyên truyền kỹ năng số cho người dân,Sở Văn hóa và Thể thao Hà Nội,,Thường xuyên,Các chương trình tuyên truyền
";

#[tokio::test]
async fn an_appendix_is_previewed_then_stored_and_a_second_import_updates_by_code() {
    let (_t, plans, plan) = setup().await;
    let preview = plans
        .import_appendix("ke.hoach", plan, APPENDIX.as_bytes(), false)
        .await
        .unwrap();
    assert_eq!(
        (preview.new, preview.refused, preview.stored),
        (6, 0, false),
        "{preview:#?}"
    );
    assert!(
        plans.tasks(plan).await.unwrap().is_empty(),
        "a preview stores nothing"
    );
    let done = plans
        .import_appendix("ke.hoach", plan, APPENDIX.as_bytes(), true)
        .await
        .unwrap();
    assert!(done.stored);
    let tasks = plans.tasks(plan).await.unwrap();
    let codes: Vec<&str> = tasks.iter().map(|t| t.code.as_str()).collect();
    assert_eq!(codes, ["I", "I.1", "I.1.1", "I.2", "II", "II.1"]);
    let t = &tasks[1];
    assert_eq!(t.parent_code.as_deref(), Some("I"));
    assert_eq!(
        t.period,
        Some(Period::Quarter {
            year: 2024,
            quarter: 2
        })
    );
    assert_eq!(t.due_on.unwrap().to_string(), "2024-06-30");
    assert_eq!(t.cooperating_ids.len(), 1);
    assert_eq!(t.cooperating_text, ["các quận huyện"]);
    assert!(done.rows[1].notes[0].to_string().contains("các quận huyện"));
    assert_eq!(tasks[2].parent_code.as_deref(), Some("I.1"));
    // Two units in one quoted cell, split on the comma because both are registered.
    assert_eq!(tasks[3].cooperating_ids.len(), 2);
    assert_eq!(tasks[3].period, Some(Period::Yearly));
    assert!(tasks[0].section && tasks[0].lead_unit_id.is_none());

    // The corrected file: one deadline moved, one task added; the rest unchanged.
    let corrected = APPENDIX.replace("Quý II/2024", "Quý III/2024")
        + "2,Số hóa hồ sơ tại bộ phận một cửa,Sở Khoa học và Công nghệ Hà Nội,,31/12/2025,Hồ sơ được số hóa\n";
    let again = plans
        .import_appendix("ke.hoach", plan, corrected.as_bytes(), true)
        .await
        .unwrap();
    assert_eq!(
        (again.new, again.updated, again.unchanged),
        (1, 1, 5),
        "{again:#?}"
    );
    let moved = plans.task(plan, "I.1").await.unwrap().unwrap();
    assert_eq!(moved.due_on.unwrap().to_string(), "2024-09-30");
    assert_eq!(moved.id, tasks[1].id, "updated in place");
    assert_eq!(plans.tasks(plan).await.unwrap().len(), 7);
    // The same file a third time changes nothing.
    let same = plans
        .import_appendix("ke.hoach", plan, corrected.as_bytes(), true)
        .await
        .unwrap();
    assert_eq!((same.new, same.updated, same.unchanged), (0, 0, 7));
}

#[tokio::test]
async fn each_bad_row_is_named_and_nothing_is_half_imported() {
    let (_t, plans, plan) = setup().await;
    let bad = "\
STT;Nhiệm vụ;Đơn vị chủ trì;Thời gian hoàn thành
I;Chính quyền số;;
1;Nhiệm vụ tốt;Sở Y tế Hà Nội;2024
2;Đơn vị lạ;Sở Thông tin Truyền thông;2024
3;Hạn lạ;Sở Y tế Hà Nội;sớm nhất có thể
1;Trùng mã;Sở Y tế Hà Nội;2025
4;Ô gộp;;2025
1a;STT lạ;Sở Y tế Hà Nội;2025
5.1;Không có mục cha;Sở Y tế Hà Nội;2025
6;;Sở Y tế Hà Nội;2025
";
    let r = plans
        .import_appendix("ke.hoach", plan, bad.as_bytes(), true)
        .await
        .unwrap();
    assert!(!r.stored);
    assert_eq!((r.new, r.refused), (2, 7), "{r:#?}");
    let says = |line: u64| {
        let row = r.rows.iter().find(|x| x.line == line).unwrap();
        assert_eq!(row.status, RowStatus::Refused, "line {line}");
        format!("{}: {}", row.problems[0].field, row.problems[0].message)
    };
    assert!(says(4).contains("Đơn vị chủ trì: \"Sở Thông tin Truyền thông\" is not a registered unit; did you mean: Sở Thông tin và Truyền thông Hà Nội"), "{}", says(4));
    assert!(
        says(5).contains("Thời gian hoàn thành: \"sớm nhất có thể\" is not a deadline"),
        "{}",
        says(5)
    );
    assert!(
        says(6).contains("Task I.1 is already on line 3"),
        "{}",
        says(6)
    );
    assert!(says(7).contains("merged cell"), "{}", says(7));
    assert!(
        says(8).contains("\"1a\" is neither a section"),
        "{}",
        says(8)
    );
    assert!(says(9).contains("sits under I.5"), "{}", says(9));
    assert!(
        says(10).contains("Nhiệm vụ: The task has no text"),
        "{}",
        says(10)
    );
    assert!(
        plans.tasks(plan).await.unwrap().is_empty(),
        "nothing half-imported"
    );

    // A file without the needed columns, or not text, is refused whole, naming why.
    for (file, says) in [
        (
            "Tên;Ghi chú\na;b\n".as_bytes(),
            "no column STT, Nhiệm vụ, Đơn vị chủ trì, Thời gian hoàn thành",
        ),
        (b"STT,Nhi\xe1m\n1,x\n".as_slice(), "Line 1 is not UTF-8"),
        (
            b"PK\x03\x04 not a workbook".as_slice(),
            "not a readable .xlsx",
        ),
    ] {
        let e = plans
            .import_appendix("ke.hoach", plan, file, true)
            .await
            .unwrap_err();
        assert!(
            matches!(e, Error::File(_)) && e.to_string().contains(says),
            "{says}: {e}"
        );
    }
    assert!(matches!(
        plans
            .import_appendix("ke.hoach", 999, APPENDIX.as_bytes(), true)
            .await,
        Err(Error::NotFound(999))
    ));
}

#[tokio::test]
async fn a_plan_needs_a_new_number_a_date_and_years_in_order() {
    let (_t, plans, _) = setup().await;
    let good = NewPlan {
        number: "74/KH-UBND".into(),
        issued_on: "2024-03-01".into(),
        issuer: "UBND thành phố".into(),
        title: "Kế hoạch".into(),
        from_year: 2024,
        to_year: 2025,
        implements: String::new(),
    };
    let mut twice = good.clone();
    twice.number = "239/KH-UBND".into();
    let mut no_date = good.clone();
    no_date.issued_on = "mùng 1".into();
    let mut backwards = good.clone();
    backwards.to_year = 2020;
    let mut untitled = good.clone();
    untitled.title = " ".into();
    for (new, says) in [
        (&twice, "already registered"),
        (&no_date, "issued_on"),
        (&backwards, "not a span"),
        (&untitled, "title: A title is required"),
    ] {
        let e = plans.create("x", new).await.unwrap_err();
        assert!(
            e.to_string().to_lowercase().contains(&says.to_lowercase()),
            "{says}: {e}"
        );
    }
    assert_eq!(plans.plans().await.unwrap().len(), 1);
    let p = plans.create("x", &good).await.unwrap();
    assert_eq!(p.issued_on.to_string(), "2024-03-01");
    assert_eq!(plans.plans().await.unwrap().len(), 2);
}

#[tokio::test]
async fn a_workbook_with_merged_cells_names_the_row_the_merge_left_empty() {
    let (_t, plans, plan) = setup().await;
    let r = plans
        .import_appendix(
            "ke.hoach",
            plan,
            include_bytes!("fixtures/appendix.xlsx"),
            true,
        )
        .await
        .unwrap();
    assert!(!r.stored);
    let codes: Vec<(&str, RowStatus)> =
        r.rows.iter().map(|x| (x.code.as_str(), x.status)).collect();
    assert_eq!(
        codes,
        [
            ("I", RowStatus::New),
            ("I.1", RowStatus::New),
            ("I.2", RowStatus::Refused)
        ]
    );
    assert_eq!(r.rows[2].line, 4);
    assert!(
        r.rows[2].problems[0]
            .message
            .to_string()
            .contains("merged cell")
    );
    // The date cell was read as a date.
    assert!(r.rows[1].problems.is_empty());
    assert!(plans.tasks(plan).await.unwrap().is_empty());
}

#[tokio::test]
async fn the_demo_plan_imports_whole_and_once() {
    let (t, plans, _) = setup().await;
    Registry::new(t.db.clone())
        .load_hanoi_communes("test", |_, _| {})
        .await
        .unwrap();
    let r = plans.load_demo("demo").await.unwrap().unwrap();
    assert!(r.stored, "{r:#?}");
    assert_eq!((r.new, r.refused), (55, 0), "{r:#?}");
    let demo = plans
        .plans()
        .await
        .unwrap()
        .into_iter()
        .find(|p| p.number == lantoa_plans::DEMO_NUMBER)
        .unwrap();
    let tasks = plans.tasks(demo.id).await.unwrap();
    assert_eq!(tasks.iter().filter(|t| t.section).count(), 4);
    let ward_led = plans.task(demo.id, "I.2").await.unwrap().unwrap();
    assert!(ward_led.lead_unit_id.is_some() && ward_led.cooperating_ids.len() == 2);
    let s2024 = plans.standings(demo.id, 2024).await.unwrap();
    let met: Vec<(&str, Option<bool>)> = s2024
        .iter()
        .filter(|s| s.met.is_some())
        .map(|s| (s.indicator.code.as_str(), s.met))
        .collect();
    assert_eq!(
        met,
        [
            ("CQS-01", Some(true)),
            ("XANH-04", Some(true)),
            ("XHS-01", Some(false))
        ]
    );
    let green = s2024
        .iter()
        .filter(|s| s.indicator.pillar == "Chuyển đổi số xanh")
        .count();
    assert_eq!(green, 7, "the green set, adopted whole");
    assert_eq!(
        s2024
            .iter()
            .find(|s| s.indicator.code == "XHS-02")
            .and_then(|s| s.indicator.computed_from.clone())
            .as_deref(),
        Some("opendata.public_datasets")
    );

    // A year of reports by over forty lead units: some work done, some overdue, each section
    // under a committee member.
    let today = chrono::NaiveDate::from_ymd_opt(2025, 1, 15).unwrap();
    let d = plans.dashboard(demo.id, today).await.unwrap();
    assert!(d.by_unit.len() >= 40, "{} lead units", d.by_unit.len());
    assert!(d.total.done > 5 && d.total.overdue > 5, "{:?}", d.total);
    assert!(d.total.done + d.total.overdue < d.total.tasks);
    assert_eq!(plans.members().await.unwrap().len(), 5);
    let contacts = plans.contacts().await.unwrap().len();
    assert!(
        contacts >= 30 && contacts < d.by_unit.len(),
        "{contacts} focal points"
    );
    assert!(
        d.by_member.iter().all(|(m, _)| m.is_some()),
        "every section is assigned"
    );
    let reports: usize = {
        let mut n = 0;
        for t in &tasks {
            n += plans.task_reports(t.id).await.unwrap().len();
        }
        n
    };
    assert!(reports > 80, "{reports} reports");

    // The DTI years with the published ranks.
    let fw = lantoa_plans::Frameworks::builtin().unwrap();
    let years: Vec<(i32, i64)> = plans
        .dti_years(&fw)
        .await
        .unwrap()
        .iter()
        .map(|a| (a.year, a.result.as_ref().unwrap().rank))
        .collect();
    assert_eq!(years, [(2022, 24), (2023, 6), (2024, 1)]);
    assert!(plans.load_demo("demo").await.unwrap().is_none());
}

#[tokio::test]
async fn lead_units_report_progress_and_late_tasks_are_overdue() {
    use chrono::{NaiveDate, TimeZone};
    use lantoa_core::role::Role;
    use lantoa_plans::{NewReport, Reporter, TaskStatus};
    let (t, plans, plan) = setup().await;
    // Reports are made on 10 July 2024, Hà Nội time.
    let clock =
        lantoa_store::Clock::manual(chrono::Utc.with_ymd_and_hms(2024, 7, 10, 3, 0, 0).unwrap());
    let plans = plans.with_clock(clock.clone());
    plans
        .import_appendix("ke.hoach", plan, APPENDIX.as_bytes(), true)
        .await
        .unwrap();
    let registry = Registry::new(t.db.clone());
    let unit = |name: &'static str| {
        let registry = registry.clone();
        async move {
            registry
                .find_by_name(lantoa_core::unit::UnitKind::Agency, name)
                .await
                .unwrap()[0]
                .id
        }
    };
    let khcn = unit("Sở Khoa học và Công nghệ Hà Nội").await;
    let yte = unit("Sở Y tế Hà Nội").await;
    let task = |code: &'static str| {
        let plans = plans.clone();
        async move { plans.task(plan, code).await.unwrap().unwrap().id }
    };
    let kho = task("I.1").await;
    let lead = Reporter {
        actor: "khcn.cv".into(),
        roles: vec![Role::AgencyUploader],
        unit_id: Some(khcn),
    };
    let report = |status: &str, percent: i64, body: &str| NewReport {
        status: status.into(),
        percent,
        body: body.into(),
        evidence: String::new(),
    };
    // Refusals, each named, nothing stored.
    let other = Reporter {
        actor: "yte.cv".into(),
        roles: vec![Role::AgencyUploader],
        unit_id: Some(yte),
    };
    for (who, task_id, new, says) in [
        (
            &other,
            kho,
            report("in_progress", 50, "đang làm"),
            "led by another unit",
        ),
        (
            &lead,
            kho,
            report("in_progress", 120, "đang làm"),
            "0 to 100",
        ),
        (&lead, kho, report("done", 50, "xong"), "100% done"),
        (
            &lead,
            kho,
            report("finished", 50, "xong"),
            "is not one of not_started",
        ),
        (
            &lead,
            kho,
            report("in_progress", 50, "  "),
            "say what was done",
        ),
        (
            &lead,
            task("I").await,
            report("in_progress", 50, "x"),
            "section heading",
        ),
    ] {
        let e = plans.submit_report(who, task_id, &new).await.unwrap_err();
        assert!(
            e.to_string().to_lowercase().contains(&says.to_lowercase()),
            "{says}: {e}"
        );
    }
    assert!(plans.task_reports(kho).await.unwrap().is_empty());

    // Due 30/6/2024 and not done on 10/7: overdue, for its lead unit.
    let day = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
    let on = |p: &[lantoa_plans::TaskProgress], code: &str| {
        p.iter().find(|x| x.task.code == code).unwrap().clone()
    };
    let p = plans.progress(plan, day(2024, 7, 10)).await.unwrap();
    assert!(on(&p, "I.1").overdue);
    assert!(!on(&p, "I.1.1").overdue, "due at the end of 2024");
    assert!(!on(&p, "II.1").overdue, "ongoing work is never overdue");
    plans
        .submit_report(
            &lead,
            kho,
            &report("in_progress", 80, "Đã dựng kho, đang nạp dữ liệu"),
        )
        .await
        .unwrap();
    assert!(
        on(
            &plans.progress(plan, day(2024, 7, 10)).await.unwrap(),
            "I.1"
        )
        .overdue
    );
    let done = plans
        .submit_report(&lead, kho, &report("done", 100, "Kho dữ liệu đã vận hành"))
        .await
        .unwrap();
    assert_eq!((done.status, done.unit_id), (TaskStatus::Done, Some(khcn)));
    let p = plans.progress(plan, day(2024, 7, 10)).await.unwrap();
    assert!(!on(&p, "I.1").overdue);
    assert_eq!(on(&p, "I.1").latest.unwrap().percent, 100);
    assert_eq!(plans.task_reports(kho).await.unwrap().len(), 2);

    // Yearly work: judged against the last year's end that has passed, which needs a report
    // made since that year began.
    let yearly = task("I.2").await;
    // Judged on 1/1/2024, the year's end that had passed was 2023's, with no report.
    let p = on(&plans.progress(plan, day(2024, 1, 1)).await.unwrap(), "I.2");
    assert_eq!((p.judged_due, p.overdue), (Some(day(2023, 12, 31)), true));
    let planner = Reporter {
        actor: "ke.hoach".into(),
        roles: vec![Role::Planner],
        unit_id: None,
    };
    assert!(
        on(
            &plans.progress(plan, day(2025, 1, 10)).await.unwrap(),
            "I.2"
        )
        .overdue
    );
    plans
        .submit_report(&planner, yearly, &report("done", 100, "Báo cáo năm 2024"))
        .await
        .unwrap();
    let p = on(
        &plans.progress(plan, day(2025, 1, 10)).await.unwrap(),
        "I.2",
    );
    assert_eq!((p.judged_due, p.overdue), (Some(day(2024, 12, 31)), false));
    let p = on(
        &plans.progress(plan, day(2024, 12, 31)).await.unwrap(),
        "I.2",
    );
    assert_eq!(p.judged_due, Some(day(2023, 12, 31)));

    // By unit: the Department of Science and Technology leads I.1 (done) and I.1.1.
    let summary = plans.unit_summary(plan, day(2025, 1, 10)).await.unwrap();
    let s = summary.iter().find(|s| s.unit_id == khcn).unwrap();
    assert_eq!(
        (s.tasks, s.done, s.overdue),
        (2, 1, 1),
        "I.1.1 was due at the end of 2024"
    );
}

#[tokio::test]
async fn indicators_have_targets_by_year_and_their_latest_actual_is_judged_against_them() {
    use lantoa_core::role::Role;
    use lantoa_plans::{Direction, NewActual, NewIndicator};
    let (_t, plans, plan) = setup().await;
    let planner = [Role::Planner];
    let online = NewIndicator {
        code: "CQS-01".into(),
        name: "Tỷ lệ hồ sơ trực tuyến toàn trình".into(),
        measure: "%".into(),
        pillar: "Chính quyền số".into(),
        baseline: Some(35.0),
        direction: Direction::Higher,
        targets: vec![(2023, 40.0), (2024, 50.0), (2025, 60.0)],
        computed_from: None,
    };
    let paper = NewIndicator {
        code: "XANH-01".into(),
        name: "Số trang giấy in trong năm".into(),
        measure: "nghìn trang".into(),
        pillar: "Chuyển đổi số xanh".into(),
        baseline: None,
        direction: Direction::Lower,
        targets: vec![(2024, 900.0)],
        computed_from: None,
    };
    // Refusals, each named; nothing is defined.
    let mut outside = online.clone();
    outside.targets.push((2030, 90.0));
    let mut twice = online.clone();
    twice.targets.push((2024, 55.0));
    let mut unnamed = online.clone();
    unnamed.name = " ".into();
    for (new, roles, says) in [
        (
            &outside,
            &planner[..],
            "2030 is outside the plan's years 2023–2025",
        ),
        (&twice, &planner[..], "2024 has two targets"),
        (&unnamed, &planner[..], "name: A name is required"),
        (&online, &[Role::Viewer][..], "planner"),
    ] {
        let e = plans
            .define_indicator("x", roles, plan, new)
            .await
            .unwrap_err();
        assert!(
            e.to_string().to_lowercase().contains(&says.to_lowercase()),
            "{says}: {e}"
        );
    }
    assert!(plans.indicators(plan).await.unwrap().is_empty());
    let a = plans
        .define_indicator("ke", &planner, plan, &online)
        .await
        .unwrap();
    assert_eq!(a.targets.len(), 3);
    let b = plans
        .define_indicator("ke", &planner, plan, &paper)
        .await
        .unwrap();
    let e = plans
        .define_indicator("ke", &planner, plan, &online)
        .await
        .unwrap_err();
    assert!(
        e.to_string().contains("already has an indicator CQS-01"),
        "{e}"
    );

    let actual = |period: &str, value: f64| NewActual {
        period: period.into(),
        value,
        source: "Cổng dịch vụ công thành phố".into(),
        evidence: String::new(),
    };
    for (id, new, says) in [
        (a.id, actual("Thường xuyên", 1.0), "a period that ends"),
        (a.id, actual("Quý V/2024", 1.0), "not a deadline"),
        (a.id, actual("2024", f64::NAN), "not a number"),
        (999, actual("2024", 1.0), "no indicator 999"),
    ] {
        let e = plans
            .record_actual("ke", &planner, id, &new)
            .await
            .unwrap_err();
        assert!(
            e.to_string().to_lowercase().contains(&says.to_lowercase()),
            "{says}: {e}"
        );
    }
    assert_eq!(
        plans
            .record_actual("ke", &planner, a.id, &actual("Quý II/2024", 45.0))
            .await
            .unwrap()
            .to_string(),
        "2024-06-30"
    );
    plans
        .record_actual("ke", &planner, a.id, &actual("Quý IV/2024", 52.5))
        .await
        .unwrap();
    plans
        .record_actual("ke", &planner, a.id, &actual("Quý I/2025", 55.0))
        .await
        .unwrap();
    plans
        .record_actual("ke", &planner, b.id, &actual("2024", 950.0))
        .await
        .unwrap();
    let s = plans.standings(plan, 2024).await.unwrap();
    let online = s.iter().find(|x| x.indicator.code == "CQS-01").unwrap();
    assert_eq!(
        (online.target, online.actual.map(|a| a.1), online.met),
        (Some(50.0), Some(52.5), Some(true))
    );
    let paper = s.iter().find(|x| x.indicator.code == "XANH-01").unwrap();
    assert_eq!(
        paper.met,
        Some(false),
        "950 pages where at most 900 were the target"
    );
    let s2025 = plans.standings(plan, 2025).await.unwrap();
    let online = s2025.iter().find(|x| x.indicator.code == "CQS-01").unwrap();
    assert_eq!(
        (online.actual.map(|a| a.1), online.met),
        (Some(55.0), Some(false))
    );
    assert_eq!(
        s2025
            .iter()
            .find(|x| x.indicator.code == "XANH-01")
            .unwrap()
            .met,
        None
    );
}

#[tokio::test]
async fn units_are_reminded_five_days_ahead_unless_they_reported_and_told_what_is_overdue() {
    use chrono::{NaiveDate, TimeZone};
    use lantoa_core::role::Role;
    use lantoa_plans::{NewReport, ReminderRules, Reporter};
    let (t, plans, plan) = setup().await;
    let clock =
        lantoa_store::Clock::manual(chrono::Utc.with_ymd_and_hms(2024, 6, 20, 3, 0, 0).unwrap());
    let plans = plans.with_clock(clock.clone());
    plans
        .import_appendix("ke.hoach", plan, APPENDIX.as_bytes(), true)
        .await
        .unwrap();
    let rules = ReminderRules::builtin().unwrap();
    assert_eq!(rules.remind_days_before, 5);
    let khcn = Registry::new(t.db.clone())
        .find_by_name(
            lantoa_core::unit::UnitKind::Agency,
            "Sở Khoa học và Công nghệ Hà Nội",
        )
        .await
        .unwrap()[0]
        .id;
    let day = |m, d| NaiveDate::from_ymd_opt(2024, m, d).unwrap();
    let codes =
        |d: &[lantoa_plans::DigestItem]| d.iter().map(|i| i.code.clone()).collect::<Vec<_>>();
    // 20 June: I.1 (due 30 June) is ten days off: no reminder of its deadline yet. But the
    // quarterly progress reports (Decree 09: Q2's figures run 15/3–14/6, due 20/6) are missing:
    // I.1 (begun 1/4) owes Q2's, due today; I.1.1 (begun 1/1) is late with Q1's, due 20/3.
    let d = plans.digests(&rules, day(6, 20)).await.unwrap();
    let mine = d.iter().find(|d| d.unit_id == khcn).unwrap();
    assert!(
        mine.due_soon.is_empty() && mine.overdue.is_empty(),
        "{mine:?}"
    );
    let owed: Vec<(String, NaiveDate)> = mine
        .reports_due
        .iter()
        .map(|i| (i.code.clone(), i.due))
        .collect();
    assert_eq!(
        owed,
        [
            ("I.1".to_owned(), day(6, 20)),
            ("I.1.1".to_owned(), day(3, 20))
        ]
    );
    // 25 June: five days ahead, reminded.
    let d = plans.digests(&rules, day(6, 25)).await.unwrap();
    let mine = d.iter().find(|d| d.unit_id == khcn).unwrap();
    assert_eq!(codes(&mine.due_soon), ["I.1"]);
    assert!(mine.overdue.is_empty());
    // Reported on 20 June (within the 30 days before the deadline): not reminded again.
    let task = plans.task(plan, "I.1").await.unwrap().unwrap().id;
    plans
        .submit_report(
            &Reporter {
                actor: "khcn".into(),
                roles: vec![Role::AgencyUploader],
                unit_id: Some(khcn),
            },
            task,
            &NewReport {
                status: "in_progress".into(),
                percent: 70,
                body: "đang nạp dữ liệu".into(),
                evidence: String::new(),
            },
        )
        .await
        .unwrap();
    let d = plans.digests(&rules, day(6, 25)).await.unwrap();
    assert!(
        d.iter().all(|d| d.unit_id != khcn || d.due_soon.is_empty()),
        "{d:?}"
    );
    // Its report counts for Q2: only I.1.1 still owes one (Q2's, due 20/6).
    let mine = d.iter().find(|d| d.unit_id == khcn).unwrap();
    assert_eq!(codes(&mine.reports_due), ["I.1.1"]);
    assert_eq!(mine.reports_due[0].due, day(6, 20));
    // 1 July: past the deadline and not done: overdue in the digest.
    let d = plans.digests(&rules, day(7, 1)).await.unwrap();
    let mine = d.iter().find(|d| d.unit_id == khcn).unwrap();
    assert_eq!(codes(&mine.overdue), ["I.1"]);
    assert_eq!(mine.overdue[0].due, day(6, 30));
    assert_eq!(mine.overdue[0].plan, "239/KH-UBND");
    // Rules from a file: a bad one is refused by name.
    assert!(
        ReminderRules::from_toml("remind_days_before = 5\n")
            .unwrap_err()
            .to_string()
            .contains("report_counts_days_before")
    );
    assert!(
        ReminderRules::from_toml(
            &lantoa_plans::reminders::BUILTIN_RULES
                .replace("remind_days_before = 5", "remind_days_before = 900")
        )
        .unwrap_err()
        .to_string()
        .contains("at most 366")
    );
}

/// The demo appendix imported on 1/3/2024 into a new plan, on a clock a test moves; a
/// planner to report with.
async fn demo_plan_on_a_clock() -> (
    TestDb,
    Plans,
    i64,
    lantoa_store::Clock,
    lantoa_plans::Reporter,
) {
    use chrono::TimeZone;
    let (t, plans, plan) = setup().await;
    Registry::new(t.db.clone())
        .load_hanoi_communes("test", |_, _| {})
        .await
        .unwrap();
    let clock =
        lantoa_store::Clock::manual(chrono::Utc.with_ymd_and_hms(2024, 3, 1, 3, 0, 0).unwrap());
    let plans = plans.with_clock(clock.clone());
    let imported = plans
        .import_appendix(
            "ke.hoach",
            plan,
            lantoa_plans::DEMO_APPENDIX.as_bytes(),
            true,
        )
        .await
        .unwrap();
    assert!(imported.stored, "{imported:#?}");
    let planner = lantoa_plans::Reporter {
        actor: "ke.hoach".into(),
        roles: vec![lantoa_core::role::Role::Planner],
        unit_id: None,
    };
    (t, plans, plan, clock, planner)
}

#[tokio::test]
async fn the_dashboard_counts_in_sql_what_progress_judges_task_by_task() {
    use chrono::NaiveDate;
    use lantoa_plans::NewReport;
    let (_t, plans, plan, _clock, planner) = demo_plan_on_a_clock().await;
    // Every third task reported done on 1/3/2024, every third in progress; yearly ones too.
    let tasks = plans.tasks(plan).await.unwrap();
    for (i, t) in tasks.iter().filter(|t| !t.section).enumerate() {
        let (status, percent) = match i % 3 {
            0 => ("done", 100),
            1 => ("in_progress", 40),
            _ => continue,
        };
        let new = NewReport {
            status: status.into(),
            percent,
            body: "Báo cáo tiến độ".into(),
            evidence: String::new(),
        };
        plans.submit_report(&planner, t.id, &new).await.unwrap();
    }
    let day = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
    let mut seen_overdue = 0;
    for today in [
        day(2023, 10, 1),
        day(2024, 1, 1),
        day(2024, 7, 1),
        day(2025, 2, 1),
        day(2026, 6, 30),
    ] {
        let progress = plans.progress(plan, today).await.unwrap();
        let by_task = lantoa_plans::progress::summarise(&progress);
        let dash = plans.dashboard(plan, today).await.unwrap();
        let mut from_sql: Vec<(i64, usize, usize, usize)> = dash
            .by_unit
            .iter()
            .map(|(u, c)| (*u, c.tasks as usize, c.done as usize, c.overdue as usize))
            .collect();
        let mut from_rust: Vec<(i64, usize, usize, usize)> = by_task
            .iter()
            .map(|s| (s.unit_id, s.tasks, s.done, s.overdue))
            .collect();
        from_sql.sort();
        from_rust.sort();
        assert_eq!(from_sql, from_rust, "on {today}");
        let overdue = progress.iter().filter(|p| p.overdue).count();
        assert_eq!(dash.total.overdue as usize, overdue, "on {today}");
        assert_eq!(dash.rows as usize, tasks.len());
        seen_overdue += overdue;
    }
    assert!(seen_overdue > 0, "the days chosen include overdue work");
}

/// A report on a past period reads the plan as it stood then: a day's figures count each
/// task's latest report made by that day, the same as the grouped query counted on that day
/// before the later reports came.
#[tokio::test]
async fn a_past_days_standing_counts_only_the_reports_made_by_then() {
    use chrono::NaiveDate;
    use lantoa_plans::NewReport;
    let (_t, plans, plan, clock, planner) = demo_plan_on_a_clock().await;
    let report = |status: &str, percent| NewReport {
        status: status.into(),
        percent,
        body: "Báo cáo tiến độ".into(),
        evidence: String::new(),
    };
    let day = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
    // A task due at the end of 2024 (or later), in progress on 1/3/2024; another done then.
    let tasks = plans.tasks(plan).await.unwrap();
    let mut open = tasks.iter().filter(|t| {
        !t.section && t.lead_unit_id.is_some() && t.due_on.is_some_and(|d| d >= day(2024, 12, 31))
    });
    let (a, b) = (open.next().unwrap(), open.next().unwrap());
    plans
        .submit_report(&planner, a.id, &report("in_progress", 40))
        .await
        .unwrap();
    plans
        .submit_report(&planner, b.id, &report("done", 100))
        .await
        .unwrap();
    let june = day(2024, 6, 30);
    let then = plans.dashboard(plan, june).await.unwrap();
    let then_on_time = plans.done_on_time(plan, june).await.unwrap();
    assert_eq!((then.total.done, then_on_time), (1, 1));
    assert_eq!(
        plans.standing(plan, june).await.unwrap(),
        (then.clone(), then_on_time)
    );
    // On 1/9/2024 the first is reported done; June's figures stay as they were.
    clock.advance(chrono::Duration::days(184));
    plans
        .submit_report(&planner, a.id, &report("done", 100))
        .await
        .unwrap();
    assert_eq!(plans.dashboard(plan, june).await.unwrap(), then);
    assert_eq!(plans.done_on_time(plan, june).await.unwrap(), then_on_time);
    assert_eq!(
        plans.standing(plan, june).await.unwrap(),
        (then.clone(), then_on_time),
        "judged once from the reports, the same figures"
    );
    let a_then = plans
        .progress(plan, june)
        .await
        .unwrap()
        .into_iter()
        .find(|p| p.task.id == a.id)
        .unwrap();
    let latest = a_then.latest.unwrap();
    assert_eq!(
        (latest.status.as_str(), latest.percent, latest.on),
        ("in_progress", 40, day(2024, 3, 1))
    );
    // Before any report, none; from September, both done on time.
    assert_eq!(
        plans
            .dashboard(plan, day(2024, 2, 29))
            .await
            .unwrap()
            .total
            .done,
        0
    );
    let december = day(2024, 12, 31);
    assert_eq!(plans.dashboard(plan, december).await.unwrap().total.done, 2);
    assert_eq!(plans.done_on_time(plan, december).await.unwrap(), 2);
}

#[tokio::test]
async fn the_steering_committee_holds_sections_and_the_dashboard_sums_by_member() {
    use lantoa_core::role::Role;
    use lantoa_plans::{MemberRole, NewMember};
    let (_t, plans, plan) = setup().await;
    plans
        .import_appendix("ke.hoach", plan, APPENDIX.as_bytes(), true)
        .await
        .unwrap();
    let planner = [Role::Planner];
    let member = |name: &str, position: &str, role: &str, phone: &str| NewMember {
        name: name.into(),
        position: position.into(),
        role: role.into(),
        unit_id: None,
        fields: vec!["Chính quyền số".into(), " ".into()],
        phone: phone.into(),
    };
    // Refusals, each named, nothing stored.
    for (new, roles, says) in [
        (
            member("Trần Văn A", "Phó Chủ tịch UBND", "deputy", ""),
            &[Role::Viewer][..],
            "Only the role planner may",
        ),
        (
            member("  ", "Phó Chủ tịch UBND", "deputy", ""),
            &planner[..],
            "name",
        ),
        (
            member("Trần Văn A", "Phó Chủ tịch UBND", "chief", ""),
            &planner[..],
            "is not one of head",
        ),
        (
            member("Trần Văn A", "Phó Chủ tịch UBND", "deputy", "12345"),
            &planner[..],
            "phone",
        ),
    ] {
        let e = plans.add_member("ke.hoach", roles, &new).await.unwrap_err();
        assert!(
            e.to_string().to_lowercase().contains(&says.to_lowercase()),
            "{says}: {e}"
        );
    }
    assert!(plans.members().await.unwrap().is_empty());
    let deputy = plans
        .add_member(
            "ke.hoach",
            &planner,
            &member("Trần Văn A", "Phó Chủ tịch UBND", "deputy", "0912 345 678"),
        )
        .await
        .unwrap();
    assert_eq!(
        (deputy.role, deputy.phone.as_str()),
        (MemberRole::Deputy, "0912345678")
    );
    assert_eq!(
        deputy.fields,
        ["Chính quyền số"],
        "empty fields are dropped"
    );
    let e = plans
        .add_member(
            "ke.hoach",
            &planner,
            &member("Trần Văn A", "Phó Chủ tịch UBND", "deputy", ""),
        )
        .await
        .unwrap_err();
    assert!(matches!(e, lantoa_plans::Error::Duplicate(_)), "{e}");
    let head = plans
        .add_member(
            "ke.hoach",
            &planner,
            &member("Nguyễn Thị B", "Chủ tịch UBND", "head", ""),
        )
        .await
        .unwrap();
    let roles: Vec<MemberRole> = plans
        .members()
        .await
        .unwrap()
        .iter()
        .map(|m| m.role)
        .collect();
    assert_eq!(
        roles,
        [MemberRole::Head, MemberRole::Deputy],
        "the head first"
    );

    // Section I and everything below it answer to the deputy; II.1 to the head.
    assert_eq!(
        plans
            .assign_member("ke.hoach", &planner, plan, "I", Some(deputy.id))
            .await
            .unwrap(),
        4
    );
    assert_eq!(
        plans
            .assign_member("ke.hoach", &planner, plan, "II.1", Some(head.id))
            .await
            .unwrap(),
        1
    );
    let e = plans
        .assign_member("ke.hoach", &planner, plan, "IX", Some(head.id))
        .await
        .unwrap_err();
    assert!(e.to_string().contains("no task or section"), "{e}");
    plans
        .set_member_active("ke.hoach", &planner, head.id, false)
        .await
        .unwrap();
    let e = plans
        .assign_member("ke.hoach", &planner, plan, "II", Some(head.id))
        .await
        .unwrap_err();
    assert!(e.to_string().contains("no longer on the committee"), "{e}");
    assert_eq!(
        plans.task(plan, "I.1.1").await.unwrap().unwrap().member_id,
        Some(deputy.id)
    );

    // On 1/1/2025, I.1 (Q2/2024), I.1.1 (2024) and I.2 (yearly) are overdue under the deputy.
    let today = chrono::NaiveDate::from_ymd_opt(2025, 1, 1).unwrap();
    let d = plans.dashboard(plan, today).await.unwrap();
    let of = |m: Option<i64>| {
        d.by_member
            .iter()
            .find(|(k, _)| *k == m)
            .map(|(_, c)| (c.tasks, c.overdue))
    };
    assert_eq!(of(Some(deputy.id)), Some((3, 3)));
    assert_eq!(
        of(Some(head.id)),
        Some((1, 0)),
        "ongoing work is never overdue"
    );
    assert_eq!(d.by_member[0].0, Some(deputy.id), "the most overdue first");
}

#[tokio::test]
async fn the_dti_self_assessment_is_normalised_by_pillar_and_compared_year_over_year() {
    use lantoa_core::role::Role;
    use lantoa_plans::{DtiResult, Frameworks, NewScore};
    let (_t, plans, _) = setup().await;
    let fw = Frameworks::builtin().unwrap();
    let planner = [Role::Planner];
    let score = |c: &str, s: f64, e: &str| NewScore {
        component: c.into(),
        score: s,
        evidence: e.into(),
    };
    // Each fault named by component, nothing stored. Component 7.1 is worth 200/22 points.
    let e = plans
        .record_dti_scores(
            "ke.hoach",
            &planner,
            &fw,
            2023,
            &[
                score("1.1", 5.0, "QĐ 12/QĐ-UBND"),
                score("1.11", 5.0, "x"),
                score("7.1", 10.0, "x"),
                score("2.1", 3.0, " "),
                score("3.1", f64::NAN, "x"),
            ],
        )
        .await
        .unwrap_err()
        .to_string();
    for says in [
        "\"1.11\" is not a component",
        "7.1: 10 is not a score from 0 to 9.0909",
        "2.1: a score above 0 needs its evidence",
        "3.1: NaN",
    ] {
        assert!(e.contains(says), "{says}: {e}");
    }
    assert!(!e.contains("1.1:"), "a good row is not named: {e}");
    let e = plans
        .record_dti_scores("ke.hoach", &planner, &fw, 2019, &[score("1.1", 1.0, "x")])
        .await
        .unwrap_err();
    assert!(
        e.to_string().contains("No DTI framework covers 2019"),
        "{e}"
    );
    let e = plans
        .record_dti_scores("ke.hoach", &[Role::Viewer], &fw, 2023, &[])
        .await
        .unwrap_err();
    assert!(matches!(e, Error::NotAllowed(_)), "{e}");
    // 2025's framework is only the decision's totals: it says so, and takes no scores.
    let shipped = lantoa_plans::Frameworks::builtin().unwrap();
    assert_eq!(
        shipped.for_year(2025).unwrap().loaded,
        lantoa_plans::Loaded::Placeholder
    );
    assert_eq!(
        shipped.for_year(2023).unwrap().loaded,
        lantoa_plans::Loaded::MainsOnly
    );
    let e = plans
        .record_dti_scores(
            "ke.hoach",
            &planner,
            &shipped,
            2025,
            &[score("1.1", 1.0, "x")],
        )
        .await
        .unwrap_err();
    assert!(e.to_string().contains("is not loaded"), "{e}");
    assert_eq!(
        plans.dti_assessment(&shipped, 2025).await.unwrap().mains[0].entered,
        0
    );
    let a = plans.dti_assessment(&fw, 2023).await.unwrap();
    assert_eq!(
        (a.total, a.mains[0].entered),
        (None, 0),
        "nothing was half stored"
    );

    // Awareness (1.x, 100 points over 10 components): every component at 8 of 10 → 0.8; the
    // digital-government activity (7.x, 200 points): eleven components full → 0.5.
    let mut all: Vec<NewScore> = (1..=10)
        .map(|i| score(&format!("1.{i}"), 8.0, "Báo cáo 15/BC-UBND"))
        .collect();
    all.extend((1..=11).map(|i| score(&format!("7.{i}"), 200.0 / 22.0, "Cổng DVC")));
    assert_eq!(
        plans
            .record_dti_scores("ke.hoach", &planner, &fw, 2023, &all)
            .await
            .unwrap(),
        21
    );
    let a = plans.dti_assessment(&fw, 2023).await.unwrap();
    let main = |code: &str| a.mains.iter().find(|m| m.main.code == code).unwrap();
    assert!((main("1").normalised.unwrap() - 0.8).abs() < 1e-9);
    assert!((main("7").normalised.unwrap() - 0.5).abs() < 1e-9);
    assert_eq!(main("8").normalised, None, "nothing entered is not a zero");
    let pillar = |p: &str| a.pillars.iter().find(|(n, _)| n == p).unwrap().1;
    // Foundations: 80 of the 500 scored points of its five scored main indicators.
    assert!((pillar("Nền tảng chung").unwrap() - 80.0 / 500.0).abs() < 1e-9);
    assert!((pillar("Chính quyền số").unwrap() - 0.5).abs() < 1e-9);
    assert!((a.total.unwrap() - 180.0 / 1000.0).abs() < 1e-9);
    // A score entered again replaces the first.
    plans
        .record_dti_scores(
            "ke.hoach",
            &planner,
            &fw,
            2023,
            &[score("1.1", 10.0, "QĐ 20")],
        )
        .await
        .unwrap();
    let a = plans.dti_assessment(&fw, 2023).await.unwrap();
    assert!((a.mains[0].score - 82.0).abs() < 1e-9);

    // Published results: bad ones named; then the years compared.
    let result = |rank, of, index: Option<f64>| DtiResult {
        rank,
        of_count: of,
        index_value: index,
        source: "dti.gov.vn".into(),
    };
    for (r, says) in [
        (result(64, 63, None), "rank"),
        (result(1, 34, Some(1.2)), "index"),
        (
            DtiResult {
                source: " ".into(),
                ..result(1, 34, None)
            },
            "source",
        ),
    ] {
        let e = plans
            .record_dti_result("ke.hoach", &planner, 2024, &r)
            .await
            .unwrap_err();
        assert!(
            e.to_string().to_lowercase().contains(&says.to_lowercase()),
            "{says}: {e}"
        );
    }
    plans
        .record_dti_result("ke.hoach", &planner, 2022, &result(24, 63, None))
        .await
        .unwrap();
    plans
        .record_dti_result("ke.hoach", &planner, 2024, &result(1, 34, Some(0.8241)))
        .await
        .unwrap();
    let years: Vec<(i32, Option<i64>)> = plans
        .dti_years(&fw)
        .await
        .unwrap()
        .iter()
        .map(|a| (a.year, a.result.as_ref().map(|r| r.rank)))
        .collect();
    assert_eq!(years, [(2022, Some(24)), (2023, None), (2024, Some(1))]);
}

#[tokio::test]
async fn focal_points_receive_the_days_digests_as_a_recipient_list() {
    use lantoa_core::role::Role;
    use lantoa_plans::{Contact, ReminderRules};
    let (t, plans, plan) = setup().await;
    plans
        .import_appendix("ke.hoach", plan, APPENDIX.as_bytes(), true)
        .await
        .unwrap();
    let unit = |name: &'static str| {
        let registry = Registry::new(t.db.clone());
        async move {
            registry
                .find_by_name(lantoa_core::unit::UnitKind::Agency, name)
                .await
                .unwrap()[0]
                .id
        }
    };
    let khcn = unit("Sở Khoa học và Công nghệ Hà Nội").await;
    let planner = [Role::Planner];
    let contact = |unit_id, phone: &str| Contact {
        unit_id,
        name: "Đầu mối".into(),
        phone: phone.into(),
    };
    for (roles, c, says) in [
        (
            &[Role::Viewer][..],
            contact(khcn, "0912345678"),
            "Only the role planner may",
        ),
        (&planner[..], contact(999_999, "0912345678"), "no unit"),
        (&planner[..], contact(khcn, "12345"), "phone"),
    ] {
        let e = plans.set_contact("ke.hoach", roles, &c).await.unwrap_err();
        assert!(
            e.to_string().to_lowercase().contains(&says.to_lowercase()),
            "{says}: {e}"
        );
    }
    assert!(plans.contacts().await.unwrap().is_empty());
    let saved = plans
        .set_contact("ke.hoach", &planner, &contact(khcn, "+84 912 345 678"))
        .await
        .unwrap();
    assert_eq!(saved.phone, "0912345678");
    let rules = ReminderRules::builtin().unwrap();
    let day = chrono::NaiveDate::from_ymd_opt(2024, 7, 1).unwrap();
    let digests = plans.digests(&rules, day).await.unwrap();
    assert!(digests.len() >= 2, "{digests:?}");
    let names =
        std::collections::HashMap::from([(khcn, "Sở Khoa học và Công nghệ Hà Nội".to_owned())]);
    let (csv, missing) =
        lantoa_plans::contacts::sms_list(&digests, &plans.contacts().await.unwrap(), &names);
    assert_eq!(
        csv,
        "Số điện thoại,Họ tên\n0912345678,Sở Khoa học và Công nghệ Hà Nội\n"
    );
    assert_eq!(missing.len(), digests.len() - 1);
    assert!(!missing.contains(&khcn));
}
