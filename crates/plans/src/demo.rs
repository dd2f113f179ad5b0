//! The demo city's plan: registered and its appendix imported through the same calls an
//! officer's console makes (`data/plans/demo-appendix.csv`, written for the demo).

use crate::{Direction, ImportReport, NewActual, NewIndicator, NewPlan, Plans, Result};

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
        "XANH-01",
        "Số trang giấy in tại các sở, ngành",
        "nghìn trang",
        "Chuyển đổi số xanh",
        1200.0,
        Direction::Lower,
        &[(2024, 900.0), (2025, 700.0)],
        &[("2024", 860.0)],
    ),
];

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
        Ok(Some(report))
    }
}
