//! The demo city's year 2023 of enforcement, made through the same services an officer uses —
//! units registered, subjects registered, every site and clip crawled on its day, cases opened
//! from the findings and moved by the role each step needs, documents issued, sanctions
//! recorded, re-checks run — so that the year's figures come out as the department reported
//! them (shared/seed/): 155 general websites of 92 units reviewed, 234 clips reviewed, 1 post
//! proposed for takedown, 30 sites' units invited, 17 dossiers on illegal advertising
//! transferred to the Inspectorate, 7 enterprises sanctioned.
//!
//! Which site is which is the only thing fixed here: 30 of the fictional sites show "báo hóa"
//! signs (a newsroom and reporters), 17 carry gambling advertising, the rest are clean; the
//! findings, the cases and the figures follow from crawling them.

use std::collections::HashSet;
use std::sync::{Arc, Mutex};

use chrono::{NaiveDate, TimeZone};
use futures::StreamExt;
use lantoa_core::role::Role;
use lantoa_core::unit::UnitKind;
use serde::Serialize;

use crate::documents::{DocumentInput, DocumentKind};
use crate::rechecks::NewFix;
use crate::sanctions::NewSanction;
use crate::{Crawler, Error, NewCase, NewSubject, Result, SubjectKind, Watch};

/// The year.
pub const YEAR: i32 = 2023;
/// General websites reviewed.
pub const SITES: usize = 155;
/// Their managing units.
pub const UNITS: usize = 92;
/// Clips reviewed.
pub const CLIPS: usize = 234;
/// Sites with báo hóa signs whose units are invited.
pub const BAO_HOA: usize = 30;
/// Of them, sanctioned after transfer to the Inspectorate.
pub const SANCTIONED: usize = 7;
/// Sites with illegal advertising transferred to the Inspectorate.
pub const ADVERTISING: usize = 17;
/// Of the invited that committed to fix, those that did not by the re-check.
pub const NOT_FIXED: usize = 3;

/// The host suffix of the year's fictional sites.
pub const HOST_SUFFIX: &str = ".nam2023.example";

/// What a site shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shows {
    BaoHoa,
    Advertising,
    Clean,
}

fn shows(site: usize) -> Shows {
    if site < BAO_HOA {
        Shows::BaoHoa
    } else if site < BAO_HOA + ADVERTISING {
        Shows::Advertising
    } else {
        Shows::Clean
    }
}

/// The host of site `i` (0-based).
pub fn host(i: usize) -> String {
    format!("trang{:03}{HOST_SUFFIX}", i + 1)
}

/// Every host of the year's sites.
pub fn hosts() -> Vec<String> {
    (0..SITES).map(host).collect()
}

/// Hosts whose units fixed their sites: the year's web serves them clean.
#[derive(Debug, Clone, Default)]
pub struct FixedHosts(Arc<Mutex<HashSet<String>>>);

impl FixedHosts {
    /// Serves `host` clean from now on.
    pub fn mark(&self, host: &str) {
        if let Ok(mut set) = self.0.lock() {
            set.insert(host.to_owned());
        }
    }

    fn is_fixed(&self, host: &str) -> bool {
        self.0.lock().map(|s| s.contains(host)).unwrap_or(false)
    }
}

/// The home page of a year's site (`host` without port), as its unit runs it; none for a host
/// that is not one of them.
pub fn page(host: &str, fixed: &FixedHosts) -> Option<String> {
    let n: usize = host
        .strip_suffix(HOST_SUFFIX)?
        .strip_prefix("trang")?
        .parse()
        .ok()?;
    let i = n.checked_sub(1).filter(|i| *i < SITES)?;
    let name = format!("Thông tin Hà Nội {n:03}");
    let unit = unit_name(i % UNITS);
    let owner = format!(
        "Trang thông tin điện tử tổng hợp {name}. Cơ quan chủ quản: {unit}. Địa chỉ: {n} phố Trình Diễn, Hà Nội. Điện thoại: 024 3900 {n:04}. Email: lienhe@{host}. Chịu trách nhiệm nội dung: Nguyễn Văn {n:03}. Giấy phép số {n}/GP-TTĐT ngày 01/06/2020."
    );
    // The newsroom shows in the footer, where the form signs are looked for; the ads in the
    // page's text.
    let (extra, newsroom) = match shows(i) {
        _ if fixed.is_fixed(host) => (String::new(), String::new()),
        Shows::BaoHoa => (String::new(), format!(
            "<p>Tòa soạn: {n} phố Trình Diễn, Hà Nội. Phóng viên thường trú: Trần Văn {n:03}.</p>"
        )),
        Shows::Advertising => ("<aside><p>Soi kèo nhà cái hôm nay, tỷ lệ cược hấp dẫn, nạp tiền nhận thưởng nạp đầu 100%: <a href=\"http://nhacai-demo.example/\">link vào nhà cái</a>.</p></aside>".to_owned(), String::new()),
        Shows::Clean => (String::new(), String::new()),
    };
    Some(format!(
        "<html><head><title>{name}</title></head><body><header><h1>{name} — trang thông tin điện tử tổng hợp</h1></header><main><p>Lịch tiếp công dân tháng này của các phường theo thông báo của UBND thành phố (nguồn: hanoi.gov.vn).</p>{extra}</main><footer>{newsroom}<p>{owner}</p></footer></body></html>"
    ))
}

fn unit_name(u: usize) -> String {
    format!("Công ty TNHH Truyền thông Trình Diễn {:02}", u + 1)
}

/// A valid tax code for the year's unit `u`: a fictional prefix and the check digit of
/// Circular 105/2020/TT-BTC (prefixes whose sum gives no digit are skipped).
fn tax_code(u: usize) -> String {
    let mut candidate = 0u32;
    let mut found = 0usize;
    loop {
        let nine = format!("019{:06}", 900_000 + candidate);
        candidate += 1;
        let digits: Vec<u8> = nine.bytes().map(|b| b - b'0').collect();
        let Ok(arr) = <[u8; 9]>::try_from(digits.as_slice()) else {
            continue;
        };
        if let Some(c) = lantoa_core::tax_code::check_digit(&arr) {
            if found == u {
                return format!("{nine}{c}");
            }
            found += 1;
        }
    }
}

/// The clip `k`'s supplied description and transcript.
fn clip_text(k: usize) -> (String, String) {
    if k.is_multiple_of(9) {
        (
            format!("Clip quảng cáo viên uống số {k} trên kênh video."),
            "Viên uống này là thần dược, chữa khỏi dứt điểm đau dạ dày chỉ sau một liệu trình, bác sĩ khuyên dùng, gọi ngay để được giảm giá.".to_owned(),
        )
    } else {
        (
            format!("Clip số {k}: hướng dẫn thủ tục hành chính trực tuyến."),
            "Xin chào các bạn, hôm nay chúng tôi hướng dẫn nộp hồ sơ trực tuyến trên Cổng dịch vụ công.".to_owned(),
        )
    }
}

/// What loading the year did.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct YearReport {
    /// False when the year was there already (nothing was added).
    pub loaded: bool,
    /// Crawls run.
    pub crawls: usize,
    /// Cases opened.
    pub cases: usize,
    /// Documents issued.
    pub documents: usize,
    /// Re-checks run.
    pub rechecks: usize,
}

/// Hà Nội 09:00 on `day`, µs-precise, as the manual clock's instant.
fn at(day: NaiveDate, hour: u32) -> chrono::DateTime<chrono::Utc> {
    lantoa_core::time::zone()
        .from_local_datetime(&day.and_hms_opt(hour, 0, 0).unwrap_or_default())
        .single()
        .map(|d| d.with_timezone(&chrono::Utc))
        .unwrap_or_default()
}

fn day(month: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(YEAR, month, d).unwrap_or_default()
}

impl Crawler {
    /// Loads the year 2023 (once: nothing is added when its first site is registered). The
    /// crawler's watch service must run on a manual clock, which this moves through the year;
    /// `fixed` is the year's web's list of sites their units fixed. `progress` hears each
    /// month as it is done.
    pub async fn load_demo_year(
        &self,
        fixed: &FixedHosts,
        progress: &(dyn Fn(u32) + Send + Sync),
    ) -> Result<YearReport> {
        let w = self.watch().clone();
        let lantoa_store::Clock::Manual(_) = &w.clock else {
            return Err(Error::internal(
                "the demo year moves the clock; give the service a manual one",
            ));
        };
        let mut report = YearReport::default();
        if w.find_by_url(&format!("http://{}/", host(0)))
            .await?
            .is_some()
        {
            return Ok(report);
        }
        report.loaded = true;
        let set = |d: chrono::DateTime<chrono::Utc>| {
            let now = w.clock.now();
            w.clock.advance(d - now);
        };
        set(at(day(1, 2), 8));
        // Units and subjects, registered at the start of the year.
        let mut units = Vec::with_capacity(UNITS);
        for u in 0..UNITS {
            let code = tax_code(u);
            let unit = match w.registry.by_code(UnitKind::Enterprise, &code).await? {
                Some(unit) => unit,
                None => {
                    let mut new = lantoa_registry::NewUnit::new(
                        UnitKind::Enterprise,
                        Some(&code),
                        &unit_name(u),
                    );
                    new.valid_from = day(1, 1);
                    w.registry.create("demo", &new).await?
                }
            };
            units.push(unit.id);
        }
        let mut sites = Vec::with_capacity(SITES);
        for i in 0..SITES {
            let mut new = NewSubject::new(
                SubjectKind::Website,
                &format!("http://{}/", host(i)),
                &format!("Thông tin Hà Nội {:03}", i + 1),
            );
            new.managing_unit_id = Some(units[i % UNITS]);
            new.licence_no = Some(format!("{}/GP-TTĐT", i + 1));
            sites.push(w.create("demo", &new).await?.id);
        }
        let mut clips = Vec::with_capacity(CLIPS);
        for k in 0..CLIPS {
            let (description, transcript) = clip_text(k);
            let mut new = NewSubject::new(
                SubjectKind::Clip,
                &format!("http://video.example/watch?v=nam2023-{k:03}"),
                &format!("Clip rà soát năm 2023 số {:03}", k + 1),
            );
            new.description = Some(description);
            new.transcript = Some(transcript);
            clips.push(w.create("demo", &new).await?.id);
        }
        let mut post = NewSubject::new(
            SubjectKind::Post,
            "http://facebook.example/posts/nam2023-001",
            "Bài viết tin đồn ngân hàng phá sản (2023)",
        );
        post.description = Some("Tin nóng chưa kiểm chứng, chia sẻ gấp: ngân hàng sắp phá sản, mọi người rút hết tiền ngay trong ngày mai. Nhà nước giấu chuyện này, báo chí không đưa.".into());
        let post = w.create("demo", &post).await?.id;

        let officer = [Role::WatchOfficer];
        let approver = [Role::Approver];
        let inspector = [Role::Inspector];
        let mut bao_hoa_seen = 0usize;
        for month in 1..=12u32 {
            // Day 5: this month's sites and clips are reviewed.
            set(at(day(month, 5), 9));
            let batch: Vec<i64> = (0..SITES)
                .filter(|i| (*i % 12) as u32 + 1 == month)
                .map(|i| sites[i])
                .chain(
                    (0..CLIPS)
                        .filter(|k| (*k % 12) as u32 + 1 == month)
                        .map(|k| clips[k]),
                )
                .chain((month == 6).then_some(post))
                .collect();
            report.crawls += self.crawl_all(&batch).await?;
            // Day 6: cases opened from the findings, and reviewed.
            set(at(day(month, 6), 9));
            let flagged: Vec<usize> = (0..BAO_HOA + ADVERTISING)
                .filter(|i| (*i % 12) as u32 + 1 == month)
                .collect();
            let mut opened = Vec::new();
            for &i in &flagged {
                let category = if shows(i) == Shows::BaoHoa {
                    "bao_hoa"
                } else {
                    "advertising"
                };
                let c = self.open_from_findings(sites[i], category).await?;
                w.move_case(
                    "demo.nt",
                    &officer,
                    c,
                    "xem_xet",
                    "Đối chiếu giấy phép và nội dung trang",
                )
                .await?;
                opened.push((i, c));
            }
            if month == 6 {
                let c = self.open_from_findings(post, "harmful").await?;
                w.move_case(
                    "demo.nt",
                    &officer,
                    c,
                    "xem_xet",
                    "Thông tin sai sự thật gây hoang mang",
                )
                .await?;
                w.move_case(
                    "demo.nt",
                    &officer,
                    c,
                    "de_nghi_go",
                    "Đề nghị Cục yêu cầu nền tảng gỡ bỏ",
                )
                .await?;
                w.issue_document(
                    "demo.nt",
                    &officer,
                    c,
                    DocumentKind::Takedown,
                    &DocumentInput::default(),
                )
                .await?;
                report.documents += 1;
                set(at(day(6, 7), 9));
                w.move_case(
                    "demo.nt",
                    &officer,
                    c,
                    "cho_phan_hoi",
                    "Cục đã gửi yêu cầu tới nền tảng",
                )
                .await?;
                w.move_case("demo.nt", &officer, c, "da_go", "Nền tảng đã gỡ bài viết")
                    .await?;
                report.cases += 1;
                set(at(day(6, 6), 9));
            }
            report.cases += opened.len();
            // Day 8: units invited; advertising dossiers transferred to the Inspectorate.
            set(at(day(month, 8), 9));
            for &(i, c) in &opened {
                if shows(i) == Shows::BaoHoa {
                    w.move_case(
                        "demo.nt",
                        &officer,
                        c,
                        "moi_lam_viec",
                        "Mời đơn vị chủ quản đến làm việc",
                    )
                    .await?;
                    w.issue_document(
                        "demo.nt",
                        &officer,
                        c,
                        DocumentKind::Invitation,
                        &DocumentInput {
                            meeting_at: format!("{} 09:00", day(month, 15)),
                            ..Default::default()
                        },
                    )
                    .await?;
                } else {
                    w.move_case(
                        "demo.ld",
                        &approver,
                        c,
                        "chuyen_thanh_tra",
                        "Chuyển Thanh tra Sở kiểm tra, xử lý quảng cáo sai quy định",
                    )
                    .await?;
                    w.issue_document(
                        "demo.ld",
                        &approver,
                        c,
                        DocumentKind::Transfer,
                        &DocumentInput::default(),
                    )
                    .await?;
                    set(at(day(month, 12), 9));
                    w.move_case(
                        "demo.tt",
                        &inspector,
                        c,
                        "cho_phan_hoi",
                        "Thanh tra Sở tiếp nhận hồ sơ",
                    )
                    .await?;
                    set(at(day(month, 8), 9));
                }
                report.documents += 1;
            }
            // Day 15: the working sessions, minuted.
            set(at(day(month, 15), 9));
            for &(i, c) in opened.iter().filter(|(i, _)| shows(*i) == Shows::BaoHoa) {
                w.move_case(
                    "demo.nt",
                    &officer,
                    c,
                    "cho_phan_hoi",
                    "Đã làm việc với đơn vị",
                )
                .await?;
                w.issue_document(
                    "demo.nt",
                    &officer,
                    c,
                    DocumentKind::Minutes,
                    &DocumentInput {
                        meeting_at: format!("{} 09:00", day(month, 15)),
                        attendees: "Chuyên viên Phòng Thông tin điện tử".into(),
                        unit_attendees: format!("Đại diện {}", unit_name(i % UNITS)),
                        conclusion: "Đơn vị bỏ các danh xưng tòa soạn, phóng viên trên trang."
                            .into(),
                        ..Default::default()
                    },
                )
                .await?;
                report.documents += 1;
            }
            // Day 20 onwards: seven enterprises' dossiers go to the Inspectorate and are
            // sanctioned; the other units commit to fix by the 28th.
            let mut committed = Vec::new();
            for &(i, c) in opened.iter().filter(|(i, _)| shows(*i) == Shows::BaoHoa) {
                bao_hoa_seen += 1;
                if i < SANCTIONED {
                    set(at(day(month, 20), 9));
                    w.move_case(
                        "demo.ld",
                        &approver,
                        c,
                        "chuyen_thanh_tra",
                        "Đơn vị không khắc phục; chuyển Thanh tra Sở xử phạt",
                    )
                    .await?;
                    w.issue_document(
                        "demo.ld",
                        &approver,
                        c,
                        DocumentKind::Transfer,
                        &DocumentInput::default(),
                    )
                    .await?;
                    report.documents += 1;
                    set(at(day(month, 22), 9));
                    w.move_case(
                        "demo.tt",
                        &inspector,
                        c,
                        "cho_phan_hoi",
                        "Thanh tra Sở tiếp nhận hồ sơ",
                    )
                    .await?;
                    set(at(day(month, 28), 9));
                    w.record_sanction(
                        "demo.tt",
                        &inspector,
                        c,
                        &NewSanction {
                            decision_no: format!("{:02}/QĐ-XPHC", i + 1),
                            decision_date: day(month, 28).format("%Y-%m-%d").to_string(),
                            decree: "15/2020/NĐ-CP (sửa đổi bởi 14/2022/NĐ-CP)".into(),
                            article: "99".into(),
                            clause: "1".into(),
                            fine_vnd: 7_500_000,
                            remedies: "Gỡ bỏ danh xưng tòa soạn, phóng viên trên trang".into(),
                            note: "Quyết định xử phạt vi phạm hành chính".into(),
                        },
                    )
                    .await?;
                } else {
                    set(at(day(month, 16), 9));
                    w.record_fix(
                        "demo.nt",
                        &officer,
                        c,
                        &NewFix {
                            due: day(month, 28).format("%Y-%m-%d").to_string(),
                            note: "Đơn vị cam kết khắc phục trước ngày 28".into(),
                        },
                    )
                    .await?;
                    committed.push(i);
                }
            }
            // Day 28: the re-checks; all but three units did fix.
            set(at(day(month, 28), 10));
            for &i in &committed {
                if i >= BAO_HOA - NOT_FIXED {
                    continue;
                }
                fixed.mark(&host(i));
            }
            let started = self.advance_rechecks().await?.started;
            let crawls: Vec<i64> = if started > 0 {
                w.rechecks_crawling().await?
            } else {
                Vec::new()
            };
            self.run_all(&crawls).await?;
            report.rechecks += self.advance_rechecks().await?.concluded;
            progress(month);
        }
        debug_assert_eq!(bao_hoa_seen, BAO_HOA);
        Ok(report)
    }

    /// Crawls the subjects, eight at a time; returns how many crawls ran.
    async fn crawl_all(&self, subjects: &[i64]) -> Result<usize> {
        let mut ids = Vec::with_capacity(subjects.len());
        for s in subjects {
            ids.push(self.enqueue("demo.nt", *s).await?.id);
        }
        self.run_all(&ids).await?;
        Ok(ids.len())
    }

    async fn run_all(&self, crawls: &[i64]) -> Result<()> {
        let results: Vec<Result<crate::Crawl>> = futures::stream::iter(crawls.iter().copied())
            .map(|id| async move { self.run(id, &|_| {}).await })
            .buffer_unordered(8)
            .collect()
            .await;
        for r in results {
            r?;
        }
        Ok(())
    }

    /// A case on the subject's findings in `category` that no reviewer dismissed.
    async fn open_from_findings(&self, subject: i64, category: &str) -> Result<i64> {
        let w = self.watch();
        let findings: Vec<i64> = w
            .findings(&crate::FindingQuery {
                subject_id: Some(subject),
                limit: 500,
                offset: 0,
                ..Default::default()
            })
            .await?
            .into_iter()
            .filter(|f| f.category.as_str() == category && f.status != "dismissed")
            .map(|f| f.id)
            .collect();
        if findings.is_empty() {
            return Err(Error::internal(format!(
                "demo: subject {subject} shows no {category} finding to open a case on"
            )));
        }
        Ok(w.open_case(
            "demo.nt",
            &[Role::WatchOfficer],
            &NewCase {
                subject_id: subject,
                category: category.into(),
                findings,
                note: "Mở từ kết quả rà soát".into(),
                ..Default::default()
            },
        )
        .await?
        .id)
    }
}

impl Watch {
    /// The crawls of re-checks under way.
    async fn rechecks_crawling(&self) -> Result<Vec<i64>> {
        Ok(sqlx::query_scalar(
            "SELECT crawl_id FROM watch_rechecks WHERE status = 'crawling' AND crawl_id IS NOT NULL ORDER BY id",
        )
        .fetch_all(self.db.pool())
        .await?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_years_units_have_valid_distinct_tax_codes() {
        let codes: HashSet<String> = (0..UNITS).map(tax_code).collect();
        assert_eq!(codes.len(), UNITS);
        for c in &codes {
            assert!(lantoa_core::tax_code::TaxCode::parse(c).is_ok(), "{c}");
        }
    }

    #[test]
    fn a_sites_page_shows_its_signs_until_fixed() {
        let fixed = FixedHosts::default();
        let bad = page(&host(0), &fixed).unwrap();
        assert!(bad.contains("Tòa soạn"));
        fixed.mark(&host(0));
        assert!(!page(&host(0), &fixed).unwrap().contains("Tòa soạn"));
        assert!(page(&host(BAO_HOA), &fixed).unwrap().contains("nhà cái"));
        assert!(page("trang999.nam2023.example", &fixed).is_none());
        assert!(page("trang001.example", &fixed).is_none());
    }
}
