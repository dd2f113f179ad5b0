//! The demo city's SMS material: a recipient list with the faults agencies' lists have, a dengue
//! and a fire-safety campaign approved (sent with receipts when `lantoa serve --demo` starts its
//! dispatcher and the demo SMSC), and a campaign awaiting approval for a newcomer to send.

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
    /// Alerts issued.
    pub alerts: usize,
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
        // Two campaigns approved by a second person, sent by the dispatcher when `serve --demo`
        // starts (to its own SMSC on loopback, which sends receipts); one awaiting approval.
        let campaigns = [
            (
                NewCampaign {
                    name: "Phòng chống sốt xuất huyết tuần 40".into(),
                    topic: "dengue".into(),
                    brandname: "SoYTe-HN".into(),
                    body: "Sở Y tế Hà Nội kính gửi {ten}: đang vào mùa sốt xuất huyết. Hãy diệt lăng quăng, đậy kín dụng cụ chứa nước, ngủ màn; sốt cao hãy đến cơ sở y tế.".into(),
                    list_id: list.id,
                    ..Default::default()
                },
                true,
            ),
            (
                NewCampaign {
                    name: "An toàn phòng cháy mùa khô".into(),
                    topic: "fire-safety".into(),
                    brandname: "PCCC-HN".into(),
                    body: "Canh bao PCCC: tat bep, ngat dien truoc khi ra khoi nha; khong de xe gan loi thoat hiem. Goi 114 khi co chay.".into(),
                    list_id: list.id,
                    ..Default::default()
                },
                true,
            ),
            (
                NewCampaign {
                    name: "Tháng chuyển đổi số: cài VNeID".into(),
                    topic: "digital".into(),
                    brandname: "SoTTTT-HN".into(),
                    body: "So TTTT Ha Noi: thang 10 la Thang chuyen doi so. Hay cai dat va kich hoat VNeID muc 2 de lam thu tuc truc tuyen.".into(),
                    list_id: list.id,
                    ..Default::default()
                },
                false,
            ),
        ];
        for (c, approve) in campaigns {
            if existing.contains(&c.name) {
                continue;
            }
            let made = self.create_campaign(actor, &c).await?;
            self.submit(actor, made.id).await?;
            if approve {
                self.approve("demo-approver", made.id, &c.name).await?;
            }
            report.campaigns += 1;
        }
        report.alerts = self.load_demo_alerts(actor).await?;
        Ok(report)
    }

    /// Two alerts, once: an actual one for a few wards, approved by a second person (public on
    /// /alerts and in the feed), and a drill the public never sees. Texts written for the demo.
    async fn load_demo_alerts(&self, actor: &str) -> Result<usize> {
        if !self.alerts(false, 1).await?.is_empty() {
            return Ok(0);
        }
        let Some(sender) = self.rules.cap_sender.clone() else {
            return Ok(0);
        };
        let expires = (self.clock.now() + chrono::Duration::days(30))
            .with_timezone(&lantoa_core::time::zone())
            .format("%Y-%m-%dT%H:%M")
            .to_string();
        let dengue = crate::NewAlert {
            status: "Actual".into(),
            msg_type: "Alert".into(),
            refers_to: None,
            category: "Health".into(),
            event: "Sốt xuất huyết gia tăng".into(),
            urgency: "Expected".into(),
            severity: "Moderate".into(),
            certainty: "Observed".into(),
            headline: "Số ca sốt xuất huyết tăng ở các phường trung tâm (bản trình diễn)".into(),
            description: "Số ca mắc trong tuần tăng so với tuần trước.".into(),
            instruction:
                "Diệt lăng quăng, đậy kín dụng cụ chứa nước, ngủ màn; sốt cao hãy đến cơ sở y tế."
                    .into(),
            expires: expires.clone(),
            communes: vec!["00004".into(), "00008".into(), "00070".into()],
            ..Default::default()
        };
        let live = self.issue_alert(actor, &sender, &dengue).await?;
        self.approve_alert("demo-approver", live.id).await?;
        let drill = crate::NewAlert {
            status: "Exercise".into(),
            category: "Fire".into(),
            event: "Diễn tập phòng cháy".into(),
            severity: "Severe".into(),
            headline: "Diễn tập phòng cháy chữa cháy khu dân cư (bản trình diễn)".into(),
            description: "Buổi diễn tập, không phải sự cố thật.".into(),
            instruction: "Không cần làm gì.".into(),
            ..dengue
        };
        self.issue_alert(actor, &sender, &drill).await?;
        Ok(2)
    }
}
