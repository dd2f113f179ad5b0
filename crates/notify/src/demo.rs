//! The demo city's SMS material: a recipient list with the faults agencies' lists have, a
//! dengue campaign awaiting approval and a fire-safety campaign approved, so `lantoa serve --demo`
//! shows a list's report and a campaign's plan and approval to a newcomer.

use crate::Result;
use crate::service::{NewCampaign, Notify};

const LIST: &[u8] = include_bytes!("../../../data/notify/demo-list.csv");
const LIST_NAME: &str = "Demo: người dân 8 phường, xã";

/// What loading the demo did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DemoReport {
    /// Lists imported (0 when there already).
    pub lists: usize,
    /// Campaigns created.
    pub campaigns: usize,
}

impl Notify {
    /// Loads the demo list and campaigns once; a second call changes nothing.
    pub async fn load_demo(&self, actor: &str) -> Result<DemoReport> {
        let mut report = DemoReport::default();
        let list = match self
            .lists()
            .await?
            .into_iter()
            .find(|l| l.name == LIST_NAME)
        {
            Some(l) => l,
            None => {
                report.lists += 1;
                self.import_list(actor, LIST_NAME, "demo-list.csv", LIST)
                    .await?
                    .0
            }
        };
        let existing: Vec<String> = self
            .campaigns()
            .await?
            .into_iter()
            .map(|c| c.name)
            .collect();
        let dengue = NewCampaign {
            name: "Phòng chống sốt xuất huyết tuần 40".into(),
            topic: "dengue".into(),
            brandname: "SoYTe-HN".into(),
            body: "Sở Y tế Hà Nội kính gửi {ten}: đang vào mùa sốt xuất huyết. Hãy diệt lăng quăng, đậy kín dụng cụ chứa nước, ngủ màn; sốt cao hãy đến cơ sở y tế.".into(),
            list_id: list.id,
            communes: Vec::new(),
            emergency: false,
            resend_uncertain: false,
        };
        if !existing.contains(&dengue.name) {
            let c = self.create_campaign(actor, &dengue).await?;
            self.submit(actor, c.id).await?;
            report.campaigns += 1;
        }
        let fire = NewCampaign {
            name: "An toàn phòng cháy mùa khô".into(),
            topic: "fire-safety".into(),
            brandname: "PCCC-HN".into(),
            body: "Canh bao PCCC: tat bep, ngat dien truoc khi ra khoi nha; khong de xe gan loi thoat hiem. Goi 114 khi co chay.".into(),
            list_id: list.id,
            communes: Vec::new(),
            emergency: false,
            resend_uncertain: false,
        };
        if !existing.contains(&fire.name) {
            let c = self.create_campaign(actor, &fire).await?;
            self.submit(actor, c.id).await?;
            self.approve("demo-approver", c.id, &fire.name).await?;
            report.campaigns += 1;
        }
        Ok(report)
    }
}
