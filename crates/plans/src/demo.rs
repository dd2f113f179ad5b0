//! The demo city's plan: registered and its appendix imported through the same calls an
//! officer's console makes (`data/plans/demo-appendix.csv`, written for the demo).

use crate::{ImportReport, NewPlan, Plans, Result};

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
        Ok(Some(
            self.import_appendix(actor, plan.id, DEMO_APPENDIX.as_bytes(), true)
                .await?,
        ))
    }
}
