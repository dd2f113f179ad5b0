//! The demo city's SMS material: a recipient list with the faults agencies' lists have, a dengue
//! and a fire-safety campaign approved (sent with receipts when `lantoa serve --demo` starts its
//! dispatcher and the demo SMSC), and a campaign awaiting approval for a newcomer to send.

use crate::Result;
use crate::service::{List, NewCampaign, Notify};

const LIST: &[u8] = include_bytes!("../../../data/notify/demo-list.csv");
const LIST_NAME: &str = "Demo: người dân 8 phường, xã";

/// What loading the demo did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DemoReport {
    /// Lists imported (0 when there already).
    pub lists: usize,
    /// Campaigns created.
    pub campaigns: usize,
    /// Alerts issued.
    pub alerts: usize,
    /// Loudspeaker clusters added.
    pub clusters: usize,
    /// Bulletins spoken and scheduled.
    pub bulletins: usize,
    /// The first demo cluster's token, to try the device API with.
    pub speaker_token: Option<String>,
    /// Why no bulletin could be spoken, when the speech engine is missing.
    pub speech_missing: Option<String>,
    /// Orientation notices issued.
    pub notices: usize,
}

/// The demo's recipients of orientation notices: (name, kind, commune, contact). Invented for
/// the demo.
const OUTLETS: [(&str, &str, &str, &str); 4] = [
    (
        "Báo điện tử Thủ đô (demo)",
        "press",
        "",
        "toasoan@thudo.example",
    ),
    ("Đài Phát thanh quận cũ (demo)", "press", "", "0243000111"),
    (
        "Điểm thông tin phường Ba Đình (demo)",
        "point",
        "00004",
        "0912000004",
    ),
    (
        "Điểm thông tin phường Hoàn Kiếm (demo)",
        "point",
        "00070",
        "0912000070",
    ),
];

/// The headline of today's demo alert.
const DENGUE_HEADLINE: &str = "Số ca sốt xuất huyết tăng ở các phường trung tâm (bản trình diễn)";

/// The title of the demo's weekly loudspeaker bulletin.
const WEEKLY_TITLE: &str = "Tháng tiêm chủng mở rộng (bản trình diễn)";

/// The demo's loudspeaker clusters: (name, commune code). Names written for the demo.
pub(crate) const CLUSTERS: [(&str, &str); 4] = [
    ("Cụm loa tổ dân phố 5, phường Ba Đình (demo)", "00004"),
    ("Cụm loa nhà văn hóa phường Ngọc Hà (demo)", "00008"),
    ("Cụm loa phố Hàng Bạc, phường Hoàn Kiếm (demo)", "00070"),
    ("Cụm loa phường Cửa Nam (demo)", "00082"),
];

impl Notify {
    /// Loads the demo list and campaigns once; a second call changes nothing.
    pub async fn load_demo(&self, actor: &str) -> Result<DemoReport> {
        let mut report = DemoReport::default();
        let list = self.demo_list(actor, &mut report.lists).await?;
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
        self.load_demo_speakers(actor, &mut report).await?;
        report.alerts = self
            .load_demo_alerts(actor, list.id, report.speech_missing.is_none())
            .await?;
        if report.alerts > 0 {
            report.bulletins += self.demo_devices_report().await?;
        }
        report.notices = self.load_demo_notices(actor).await?;
        Ok(report)
    }

    /// The demo's recipient list, imported when missing (counted in `imported`).
    pub(crate) async fn demo_list(&self, actor: &str, imported: &mut usize) -> Result<List> {
        if let Some(l) = self
            .lists()
            .await?
            .into_iter()
            .find(|l| l.name == LIST_NAME)
        {
            return Ok(l);
        }
        *imported += 1;
        Ok(self
            .import_list(actor, LIST_NAME, "demo-list.csv", LIST)
            .await?
            .0)
    }

    /// Two alerts, once: an actual one for a few wards, approved by a second person (public on
    /// /alerts and in the feed), and a drill the public never sees. Texts written for the demo.
    /// The recipients and one notice, which one press agency has confirmed reading (through
    /// its own link, as it would) and the others not yet.
    async fn load_demo_notices(&self, actor: &str) -> Result<usize> {
        if !self.outlets().await?.is_empty() {
            return Ok(0);
        }
        for (name, kind, commune, contact) in OUTLETS {
            self.add_outlet(actor, name, kind, commune, contact).await?;
        }
        let (_, links) = self
            .issue_notice(
                actor,
                &crate::notices::NewNotice {
                    number: "01/ĐHTT-DEMO".into(),
                    title: "Định hướng tuyên truyền phòng chống sốt xuất huyết (bản trình diễn)".into(),
                    body: "1. Dẫn số liệu ca bệnh từ Sở Y tế; không đăng số liệu chưa được công bố.\n2. Nhấn mạnh biện pháp diệt lăng quăng tại hộ gia đình.\n3. Không dùng hình ảnh gây hoang mang.".into(),
                    kinds: vec!["press".into(), "point".into()],
                    ..Default::default()
                },
            )
            .await?;
        if let Some(first) = links.first() {
            self.confirm_notice(&first.token, "Biên tập viên trực (bản trình diễn)")
                .await?;
        }
        Ok(1)
    }

    async fn load_demo_speakers(&self, actor: &str, report: &mut DemoReport) -> Result<()> {
        // The clusters may have been set up by the demo year already.
        if self.clusters().await?.is_empty() {
            for (name, code) in CLUSTERS {
                let (_, token) = self.add_cluster(actor, name, code).await?;
                report.speaker_token.get_or_insert(token);
                report.clusters += 1;
            }
        }
        if self
            .bulletins(500)
            .await?
            .iter()
            .any(|b| b.title == WEEKLY_TITLE)
        {
            return Ok(());
        }
        let tomorrow = (self.clock.now() + chrono::Duration::days(1))
            .with_timezone(&lantoa_core::time::zone())
            .date_naive();
        let weekly = crate::speakers::NewBulletin {
            title: WEEKLY_TITLE.into(),
            body: "UBND phường thông báo: trạm y tế tiêm vắc xin sởi cho trẻ từ 9 tháng tuổi vào 7h30 các ngày thứ Bảy trong tháng; mang theo sổ tiêm chủng.".into(),
            communes: CLUSTERS.iter().map(|(_, c)| (*c).to_owned()).collect(),
            from: tomorrow.format("%Y-%m-%d").to_string(),
            to: (tomorrow + chrono::Duration::days(6)).format("%Y-%m-%d").to_string(),
            times: vec!["06:30".into(), "17:00".into()],
            repeats: 2,
            at_once: false,
            campaign: None,
        };
        match self.schedule_bulletin(actor, &weekly).await {
            Ok(_) => report.bulletins += 1,
            Err(crate::Error::Unavailable(why)) => report.speech_missing = Some(why),
            Err(e) => return Err(e),
        }
        Ok(())
    }

    /// The demo's clusters play the live alert's bulletin as devices would: two report it
    /// played, one failed (through the device calls, with their own tokens' clusters).
    async fn demo_devices_report(&self) -> Result<usize> {
        let Some(alert) = self
            .alerts(false, 10)
            .await?
            .into_iter()
            .find(|a| a.speakers)
        else {
            return Ok(0);
        };
        let Some(bulletin) = alert.bulletin_id else {
            return Ok(0);
        };
        self.devices_report(bulletin, 2, "mất điện lưới khu vực (bản trình diễn)")
            .await?;
        Ok(1)
    }

    /// Each cluster with a play of `bulletin` reports it through the device calls: played,
    /// except the `failing`-th cluster, which reports `why` it failed. Returns the reports.
    pub(crate) async fn devices_report(
        &self,
        bulletin: i64,
        failing: usize,
        why: &str,
    ) -> Result<usize> {
        let mut reported = 0;
        for (i, cluster) in self.clusters().await?.iter().enumerate() {
            let plays = self.playlist(cluster).await?;
            if let Some(p) = plays.iter().find(|p| p.bulletin == bulletin) {
                let (outcome, detail) = if i == failing {
                    ("failed", why)
                } else {
                    ("played", "")
                };
                self.report_play(cluster, p.play, outcome, detail).await?;
                reported += 1;
            }
        }
        Ok(reported)
    }

    async fn load_demo_alerts(&self, actor: &str, list: i64, speech: bool) -> Result<usize> {
        // Today's alerts, once (the demo year's alert is there already when it ran first).
        if self
            .alerts(false, 200)
            .await?
            .iter()
            .any(|a| a.headline == DENGUE_HEADLINE)
        {
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
            headline: DENGUE_HEADLINE.into(),
            description: "Số ca mắc trong tuần tăng so với tuần trước.".into(),
            instruction:
                "Diệt lăng quăng, đậy kín dụng cụ chứa nước, ngủ màn; sốt cao hãy đến cơ sở y tế."
                    .into(),
            expires: expires.clone(),
            communes: vec!["00004".into(), "00008".into(), "00070".into()],
            sms_list: Some(list),
            speakers: speech,
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
            sms_list: None,
            speakers: false,
            ..dengue
        };
        self.issue_alert(actor, &sender, &drill).await?;
        // Another agency's alert, received as CAP: kept as theirs ("nhận từ …"), off the public
        // feed until a second person approves it.
        let mut received = live.cap()?;
        received.identifier = "NCHMF-DEMO-0001".into();
        received.sender = "canhbao@nchmf.example".into();
        received.references.clear();
        if let Some(info) = received.info.first_mut() {
            info.categories = vec![crate::cap::Category::Met];
            info.event = "Mưa lớn diện rộng".into();
            info.headline = Some("Mưa lớn diện rộng trên địa bàn (bản trình diễn)".into());
            info.description = Some("Lượng mưa 100–150 mm trong 24 giờ tới.".into());
            info.instruction = Some("Hạn chế đi lại ở vùng trũng; theo dõi tin tiếp theo.".into());
        }
        self.import_alert(actor, &received.to_xml()?).await?;
        Ok(3)
    }
}
