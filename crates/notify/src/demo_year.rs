//! The demo city's year 2023 of reaching citizens, for the demo year's annual report: the
//! recipient list and the loudspeaker clusters set up in January, three SMS campaigns sent
//! through the dispatcher to a demo SMSC of its own (with receipts), and a dengue alert read out
//! on the loudspeakers, whose devices report their plays. Everything goes through the same
//! services as today's work, on a clock set to each day of 2023.

use std::time::Duration;

use chrono::{DateTime, TimeZone, Utc};
use lantoa_store::Clock;

use crate::demo::CLUSTERS;
use crate::service::{NewCampaign, Notify};
use crate::{DispatchConfig, Dispatcher, Error, Result};

/// What loading the year did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct YearReport {
    /// Recipient lists imported (0 when there already).
    pub lists: usize,
    /// Campaigns sent in the year.
    pub campaigns: usize,
    /// Their messages (recipients).
    pub messages: i64,
    /// Of them, delivered by the receipts.
    pub delivered: i64,
    /// Alerts issued.
    pub alerts: usize,
    /// Loudspeaker clusters set up in the year (0 when they were there already).
    pub clusters: usize,
    /// The first cluster's token, when the clusters were set up here.
    pub speaker_token: Option<String>,
    /// Plays the devices reported.
    pub plays: usize,
    /// Why no bulletin could be spoken, when the speech engine is missing.
    pub speech_missing: Option<String>,
}

/// The year's campaigns: (month, day, campaign), each sent at 09:00. Texts written for the demo.
fn campaigns(list_id: i64) -> [(u32, u32, NewCampaign); 3] {
    [
        (
            4,
            17,
            NewCampaign {
                name: "Tháng hành động vì an toàn thực phẩm (2023)".into(),
                topic: "food-safety".into(),
                brandname: "SoYTe-HN".into(),
                body: "So Y te Ha Noi: Thang hanh dong vi an toan thuc pham. Chon thuc pham ro nguon goc, an chin uong soi; ngo doc thuc pham goi 115.".into(),
                list_id,
                ..Default::default()
            },
        ),
        (
            9,
            11,
            NewCampaign {
                name: "Phòng chống sốt xuất huyết (2023)".into(),
                topic: "dengue".into(),
                brandname: "SoYTe-HN".into(),
                body: "Sở Y tế Hà Nội kính gửi {ten}: số ca sốt xuất huyết đang tăng. Hãy diệt lăng quăng, đậy kín dụng cụ chứa nước, ngủ màn.".into(),
                list_id,
                ..Default::default()
            },
        ),
        (
            10,
            2,
            NewCampaign {
                name: "Tháng chuyển đổi số (2023)".into(),
                topic: "digital".into(),
                brandname: "SoTTTT-HN".into(),
                body: "So TTTT Ha Noi: thang 10 la Thang chuyen doi so. Hay kich hoat tai khoan dinh danh dien tu VNeID muc 2.".into(),
                list_id,
                ..Default::default()
            },
        ),
    ]
}

/// 09:00 in Hà Nội on a day of 2023.
fn morning(month: u32, day: u32) -> Result<DateTime<Utc>> {
    lantoa_core::time::zone()
        .with_ymd_and_hms(2023, month, day, 9, 0, 0)
        .single()
        .map(|t| t.with_timezone(&Utc))
        .ok_or_else(|| Error::Unavailable(format!("demo: no 09:00 on {day}/{month}/2023")))
}

/// How long a campaign of the demo year may take to send and have its receipts matched.
const SEND_LIMIT: Duration = Duration::from_secs(90);

impl Notify {
    /// Loads the demo year once (a second call changes nothing): see the module's text. The
    /// campaigns go to a demo SMSC this call starts on loopback and stops, never to the
    /// configured SMSCs.
    pub async fn load_demo_year(&self, actor: &str) -> Result<YearReport> {
        let mut report = YearReport::default();
        let names: Vec<String> = self
            .campaigns()
            .await?
            .into_iter()
            .map(|c| c.name)
            .collect();
        if campaigns(0).iter().any(|(_, _, c)| names.contains(&c.name)) {
            return Ok(report);
        }
        let clock = Clock::manual(morning(1, 9)?);
        let year = self.clone().with_clock(clock.clone());
        let list = year.demo_list(actor, &mut report.lists).await?;
        if self.clusters().await?.is_empty() {
            for (name, code) in CLUSTERS {
                let (_, token) = year.add_cluster(actor, name, code).await?;
                report.speaker_token.get_or_insert(token);
                report.clusters += 1;
            }
        }
        let io = |e: std::io::Error| Error::Store(e.into());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .map_err(io)?;
        let port = listener.local_addr().map_err(io)?.port();
        let (stop_smsc, smsc_stop) = tokio::sync::watch::channel(false);
        tokio::spawn(crate::demo_smsc::serve(listener, smsc_stop));
        let config = DispatchConfig {
            smsc: vec![crate::demo_smsc::smsc(port)],
            // Short, so receipts are matched within a second; the clock stands still, so the
            // lease never runs out while the campaign sends.
            lease_secs: 3,
            ..Default::default()
        };
        let sent = async {
            for (month, day, c) in campaigns(list.id) {
                clock.advance(morning(month, day)? - clock.now());
                let made = year.create_campaign(actor, &c).await?;
                year.submit(actor, made.id).await?;
                year.approve("demo-approver", made.id, &c.name).await?;
                let (messages, delivered) = year.send_through(&config, made.id).await?;
                report.campaigns += 1;
                report.messages += messages;
                report.delivered += delivered;
            }
            Ok::<_, Error>(())
        }
        .await;
        let _ = stop_smsc.send(true);
        sent?;
        clock.advance(morning(8, 28)? - clock.now());
        year.demo_year_alert(actor, &mut report).await?;
        Ok(report)
    }

    /// Runs a dispatcher over `config` until campaign `id` is sent and every receipt is in;
    /// returns its messages and those delivered.
    async fn send_through(&self, config: &DispatchConfig, id: i64) -> Result<(i64, i64)> {
        let (stop, stopped) = tokio::sync::watch::channel(false);
        let dispatcher = Dispatcher::new(self.clone(), config.clone(), "demo-year")?;
        let running = tokio::spawn(dispatcher.run(stopped));
        let started = std::time::Instant::now();
        let outcome = loop {
            let sent = self.campaign(id).await?.status == "sent";
            let p = self.progress(id, false).await?.total;
            if sent && p.submitted == 0 && p.sending == 0 && p.queued == 0 {
                break Ok((p.recipients, p.delivered));
            }
            if started.elapsed() > SEND_LIMIT {
                break Err(Error::Unavailable(format!(
                    "the demo year's campaign {id} did not finish sending in {} s",
                    SEND_LIMIT.as_secs()
                )));
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        };
        let _ = stop.send(true);
        let _ = running.await;
        outcome
    }

    /// The year's dengue alert for three central wards, on the public feed and read out at once
    /// on their loudspeakers (two clusters report it played, one a power cut).
    async fn demo_year_alert(&self, actor: &str, report: &mut YearReport) -> Result<()> {
        let Some(sender) = self.rules.cap_sender.clone() else {
            return Ok(());
        };
        // The engine is tried first: the bulletin is spoken at approval, and an alert whose
        // approval failed for want of speech would stay pending.
        let speech = match self.speak("Thử giọng đọc.").await {
            Ok(_) => true,
            Err(Error::Unavailable(why)) => {
                report.speech_missing = Some(why);
                false
            }
            Err(e) => return Err(e),
        };
        let expires = (self.clock.now() + chrono::Duration::days(14))
            .with_timezone(&lantoa_core::time::zone())
            .format("%Y-%m-%dT%H:%M")
            .to_string();
        let alert = crate::NewAlert {
            status: "Actual".into(),
            msg_type: "Alert".into(),
            category: "Health".into(),
            event: "Sốt xuất huyết gia tăng".into(),
            urgency: "Expected".into(),
            severity: "Moderate".into(),
            certainty: "Observed".into(),
            headline: "Sốt xuất huyết tăng nhanh ở các phường trung tâm (bản trình diễn, 2023)"
                .into(),
            description: "Số ca mắc tuần 34 gấp đôi tuần 33.".into(),
            instruction:
                "Diệt lăng quăng, đậy kín dụng cụ chứa nước, ngủ màn; sốt cao hãy đến cơ sở y tế."
                    .into(),
            expires,
            communes: vec!["00004".into(), "00008".into(), "00070".into()],
            speakers: speech,
            ..Default::default()
        };
        let issued = self.issue_alert(actor, &sender, &alert).await?;
        let approved = self.approve_alert("demo-approver", issued.id).await?;
        report.alerts += 1;
        let Some(bulletin) = approved.bulletin_id else {
            return Ok(());
        };
        report.plays = self
            .devices_report(bulletin, 1, "mất điện khu vực (bản trình diễn)")
            .await?;
        Ok(())
    }
}
