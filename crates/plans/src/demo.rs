//! The demo city's plan: registered and its appendix imported through the same calls an
//! officer's console makes (`data/plans/demo-appendix.csv`, written for the demo), with its
//! indicators (the green set among them), a steering committee, a year of progress reports by
//! the lead units' own accounts and the DTI years.

use crate::{Direction, Error, ImportReport, NewActual, NewIndicator, NewPlan, Plans, Result};

/// (code, name, unit of measure, pillar, baseline, direction, targets, actuals).
type DemoIndicator = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    f64,
    Direction,
    &'static [(i32, f64)],
    &'static [(&'static str, f64)],
);

const DEMO_INDICATORS: &[DemoIndicator] = &[
    (
        "CQS-01",
        "Tỷ lệ hồ sơ thủ tục hành chính được xử lý trực tuyến toàn trình",
        "%",
        "Chính quyền số",
        30.0,
        Direction::Higher,
        &[(2023, 35.0), (2024, 45.0), (2025, 60.0)],
        &[
            ("Quý IV/2023", 36.5),
            ("Quý II/2024", 41.0),
            ("Quý IV/2024", 47.2),
            ("Quý II/2025", 52.0),
        ],
    ),
    (
        "XHS-01",
        "Số phường, xã có cụm loa truyền thanh thông minh",
        "phường, xã",
        "Xã hội số",
        40.0,
        Direction::Higher,
        &[(2024, 80.0), (2025, 126.0)],
        &[("2024", 74.0)],
    ),
    (
        "XANH-04",
        "Số trang giấy in tại các sở, ngành",
        "nghìn trang",
        "Chuyển đổi số xanh",
        1200.0,
        Direction::Lower,
        &[(2024, 900.0), (2025, 700.0)],
        &[("2024", 860.0)],
    ),
];

/// (name, position, role, fields, the section put under them).
type DemoMember = (
    &'static str,
    &'static str,
    &'static str,
    &'static [&'static str],
    Option<&'static str>,
);

/// The demo plan's appendix.
pub const DEMO_APPENDIX: &str = include_str!("../../../data/plans/demo-appendix.csv");

/// The demo plan's number.
pub const DEMO_NUMBER: &str = "239/KH-UBND (demo)";

impl Plans {
    /// Registers the demo plan and imports its appendix (once: nothing happens when a plan
    /// with its number exists). The registry must hold the demo city.
    pub async fn load_demo(&self, actor: &str) -> Result<Option<ImportReport>> {
        if self.plans().await?.iter().any(|p| p.number == DEMO_NUMBER) {
            return Ok(None);
        }
        let plan = self
            .create(
                actor,
                &NewPlan {
                    number: DEMO_NUMBER.into(),
                    issued_on: "27/09/2023".into(),
                    issuer: "UBND thành phố Hà Nội".into(),
                    title: "Chuyển đổi số thành phố năm 2023–2025 (bản trình diễn)".into(),
                    from_year: 2023,
                    to_year: 2025,
                    implements: "18-NQ/TU".into(),
                },
            )
            .await?;
        let report = self
            .import_appendix(actor, plan.id, DEMO_APPENDIX.as_bytes(), true)
            .await?;
        // Indicators shaped like a city plan's, with targets and a few quarters' actuals (all
        // figures invented for the demo).
        let planner = [lantoa_core::role::Role::Planner];
        for (code, name, measure, pillar, baseline, direction, targets, actuals) in DEMO_INDICATORS
        {
            let i = self
                .define_indicator(
                    actor,
                    &planner,
                    plan.id,
                    &NewIndicator {
                        code: (*code).into(),
                        name: (*name).into(),
                        measure: (*measure).into(),
                        pillar: (*pillar).into(),
                        baseline: Some(*baseline),
                        direction: *direction,
                        targets: targets.to_vec(),
                        computed_from: None,
                    },
                )
                .await?;
            for (period, value) in *actuals {
                self.record_actual(
                    actor,
                    &planner,
                    i.id,
                    &NewActual {
                        period: (*period).into(),
                        value: *value,
                        source: "Số liệu trình diễn".into(),
                        evidence: String::new(),
                    },
                )
                .await?;
            }
        }
        // The green set: the paper indicator above is kept as defined; the rest adopted.
        self.add_indicator_set(actor, &planner, plan.id, crate::indicators::GREEN_SET)
            .await?;
        // Datasets published, read from the open-data module by the console.
        self.define_indicator(
            actor,
            &planner,
            plan.id,
            &NewIndicator {
                code: "XHS-02".into(),
                name: "Số bộ dữ liệu mở được công bố".into(),
                measure: "bộ dữ liệu".into(),
                pillar: "Xã hội số".into(),
                baseline: Some(0.0),
                direction: Direction::Higher,
                targets: vec![(2024, 3.0), (2025, 5.0)],
                computed_from: Some("opendata.public_datasets".into()),
            },
        )
        .await?;
        self.load_demo_committee(actor, plan.id).await?;
        self.load_demo_contacts(actor, plan.id).await?;
        self.load_demo_reports(plan.id).await?;
        self.load_demo_dti(actor).await?;
        Ok(Some(report))
    }

    /// The demo committee: a head, two deputies and two members, each section under one.
    async fn load_demo_committee(&self, actor: &str, plan_id: i64) -> Result<()> {
        let planner = [lantoa_core::role::Role::Planner];
        let sk = self
            .registry
            .by_code(lantoa_core::unit::UnitKind::Agency, "SKHCN-HN")
            .await?
            .map(|u| u.id);
        // Every name is invented for the demo.
        let members: [DemoMember; 5] = [
            (
                "Nguyễn Văn An (demo)",
                "Chủ tịch UBND thành phố",
                "head",
                &["Chỉ đạo chung"],
                None,
            ),
            (
                "Trần Thị Bình (demo)",
                "Phó Chủ tịch UBND thành phố",
                "deputy",
                &["Chính quyền số", "Cải cách hành chính"],
                Some("I"),
            ),
            (
                "Lê Văn Cường (demo)",
                "Phó Chủ tịch UBND thành phố",
                "deputy",
                &["Kinh tế số"],
                Some("II"),
            ),
            (
                "Phạm Thị Dung (demo)",
                "Giám đốc Sở Văn hóa và Thể thao",
                "member",
                &["Xã hội số", "Thông tin cơ sở"],
                Some("III"),
            ),
            (
                "Hoàng Văn Em (demo)",
                "Giám đốc Sở Khoa học và Công nghệ",
                "member",
                &["Chuyển đổi số cấp xã", "Dữ liệu"],
                Some("IV"),
            ),
        ];
        for (name, position, role, fields, section) in members {
            let m = self
                .add_member(
                    actor,
                    &planner,
                    &crate::NewMember {
                        name: name.into(),
                        position: position.into(),
                        role: role.into(),
                        unit_id: if section == Some("IV") { sk } else { None },
                        fields: fields.iter().map(|f| (*f).to_owned()).collect(),
                        phone: String::new(),
                    },
                )
                .await?;
            if let Some(code) = section {
                self.assign_member(actor, &planner, plan_id, code, Some(m.id))
                    .await?;
            }
        }
        Ok(())
    }

    /// Focal points for three lead units in four (numbers invented, in a range the demo city
    /// uses for fictitious numbers), so that the reminders page shows both kinds.
    async fn load_demo_contacts(&self, actor: &str, plan_id: i64) -> Result<()> {
        let planner = [lantoa_core::role::Role::Planner];
        let mut leads: Vec<i64> = self
            .tasks(plan_id)
            .await?
            .iter()
            .filter_map(|t| t.lead_unit_id)
            .collect();
        leads.sort_unstable();
        leads.dedup();
        for (i, unit) in leads.into_iter().enumerate() {
            if i % 4 == 3 {
                continue;
            }
            self.set_contact(
                actor,
                &planner,
                &crate::Contact {
                    unit_id: unit,
                    name: format!("Đầu mối số {} (demo)", i + 1),
                    phone: format!("0912000{:03}", 200 + i),
                },
            )
            .await?;
        }
        Ok(())
    }

    /// A year of progress reports (2024, each quarter around the 20th), made by each lead
    /// unit's own account: some units report every quarter, some finish, some are blocked, some
    /// go silent and some never report, so the dashboard shows work done and overdue.
    async fn load_demo_reports(&self, plan_id: i64) -> Result<()> {
        use chrono::TimeZone;
        let start = chrono::Utc
            .with_ymd_and_hms(2024, 3, 20, 3, 0, 0)
            .single()
            .ok_or_else(|| Error::Internal("the demo's first day".into()))?;
        let clock = lantoa_store::Clock::manual(start);
        let on_clock = self.clone().with_clock(clock.clone());
        let tasks: Vec<crate::Task> = self
            .tasks(plan_id)
            .await?
            .into_iter()
            .filter(|t| !t.section && t.lead_unit_id.is_some())
            .collect();
        for quarter in 1..=4_i64 {
            for (i, t) in tasks.iter().enumerate() {
                let (status, percent, body) = match (i % 6, quarter) {
                    (0, _) => continue,
                    (1, q) => (
                        "in_progress",
                        20 * q,
                        "Đang triển khai theo kế hoạch; đã hoàn thành các bước chuẩn bị.",
                    ),
                    (2, q) if q < 3 => (
                        "in_progress",
                        30 * q,
                        "Đang triển khai; đã lựa chọn giải pháp và đơn vị phối hợp.",
                    ),
                    (2, 3) => ("done", 100, "Đã hoàn thành; sản phẩm đã được nghiệm thu."),
                    (3, 1) => ("in_progress", 20, "Đã xây dựng kế hoạch chi tiết."),
                    (3, 2) => (
                        "blocked",
                        30,
                        "Vướng mắc: chưa được bố trí kinh phí; đề nghị Sở Tài chính hướng dẫn.",
                    ),
                    (4, 1) => ("in_progress", 40, "Đang triển khai."),
                    (5, q) if q < 4 => ("in_progress", 25 * q, "Đang triển khai đúng tiến độ."),
                    (5, 4) => ("done", 100, "Đã hoàn thành trong năm."),
                    _ => continue,
                };
                let who = crate::Reporter {
                    actor: format!("demo.donvi{}", t.lead_unit_id.unwrap_or_default()),
                    roles: Vec::new(),
                    unit_id: t.lead_unit_id,
                };
                on_clock
                    .submit_report(
                        &who,
                        t.id,
                        &crate::NewReport {
                            status: status.into(),
                            percent,
                            body: body.into(),
                            evidence: format!("Báo cáo quý {quarter}/2024 (trình diễn)"),
                        },
                    )
                    .await?;
                clock.advance(chrono::Duration::minutes(7));
            }
            clock.advance(chrono::Duration::days(91));
        }
        Ok(())
    }

    /// The DTI: the city's published ranks (2022: 24/63; 2023: 6/63; 2024: 1/34 with 0.8241 —
    /// shared/domain/plans.md §1) and a self-assessment for each of those years whose scores
    /// are invented for the demo.
    async fn load_demo_dti(&self, actor: &str) -> Result<()> {
        let planner = [lantoa_core::role::Role::Planner];
        let frameworks = crate::Frameworks::builtin()?;
        for (year, rank, of_count, index, source) in [
            (2022, 24, 63, None, "dti.gov.vn, xếp hạng DTI 2022"),
            (2023, 6, 63, None, "nguoihanoi.vn, DTI 2023"),
            (
                2024,
                1,
                34,
                Some(0.8241),
                "vnexpress.net, nhandan.vn, DTI 2024",
            ),
        ] {
            self.record_dti_result(
                actor,
                &planner,
                year,
                &crate::DtiResult {
                    rank,
                    of_count,
                    index_value: index,
                    source: source.into(),
                },
            )
            .await?;
            let Some(fw) = frameworks.for_year(year) else {
                continue;
            };
            let mut scores = Vec::new();
            for (m, main) in fw.mains.iter().enumerate() {
                for (c, comp) in main.components.iter().enumerate() {
                    let share = (0.50
                        + 0.12 * f64::from(year - 2022)
                        + ((m * 7 + c * 3) % 10) as f64 / 40.0)
                        .min(1.0);
                    scores.push(crate::NewScore {
                        component: comp.code.clone(),
                        score: (comp.points * share * 100.0).round() / 100.0,
                        evidence: format!("Báo cáo tự đánh giá DTI năm {year} (trình diễn)"),
                    });
                }
            }
            self.record_dti_scores(actor, &planner, &frameworks, year, &scores)
                .await?;
        }
        Ok(())
    }
}
