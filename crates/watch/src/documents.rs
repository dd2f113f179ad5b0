//! Documents issued on a case, in the form of Decree 30/2020/NĐ-CP: the invitation to the
//! managing unit (giấy mời), the working minutes (biên bản làm việc) with the findings, the slip
//! transferring the dossier to the Inspectorate (phiếu chuyển) listing the evidence, and the
//! letter proposing a takedown to the national Authority (công văn) listing the addresses and
//! their reasons. Which may be issued in which state is set in `data/watch/cases.toml`; the
//! agencies' names and letterheads come from `data/agencies.toml` for the date of issue.
//!
//! Each document takes the next number of its kind's register for the year, and its DOCX is
//! kept in the blob store, so the copy downloaded later is the one issued.

use chrono::NaiveDate;
use lantoa_core::msg::Msg;
use lantoa_core::role::Role;
use lantoa_docs::{AdminDoc, Block, Signature};
use lantoa_store::audit::{self, Entry};
use lantoa_store::is_unique_violation;
use serde::{Deserialize, Serialize};
use sqlx::Row;

use crate::cases::Case;
use crate::findings::Finding;
use crate::{Error, Result, Subject, Watch};

/// The media type of a DOCX.
pub const DOCX: &str = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";

/// A kind of document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DocumentKind {
    /// Giấy mời: the managing unit invited to a working session.
    Invitation,
    /// Biên bản làm việc: what was found, said and concluded at the session.
    Minutes,
    /// Phiếu chuyển: the dossier transferred to the Inspectorate.
    Transfer,
    /// Công văn: a takedown proposed to the national Authority.
    Takedown,
}

impl DocumentKind {
    /// Every kind.
    pub const ALL: [DocumentKind; 4] = [
        DocumentKind::Invitation,
        DocumentKind::Minutes,
        DocumentKind::Transfer,
        DocumentKind::Takedown,
    ];

    /// The stable name.
    pub fn as_str(self) -> &'static str {
        match self {
            DocumentKind::Invitation => "invitation",
            DocumentKind::Minutes => "minutes",
            DocumentKind::Transfer => "transfer",
            DocumentKind::Takedown => "takedown",
        }
    }

    /// The kind named `s`.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// The type name printed on it; none for an official letter.
    fn type_name(self) -> Option<&'static str> {
        match self {
            DocumentKind::Invitation => Some("GIẤY MỜI"),
            DocumentKind::Minutes => Some("BIÊN BẢN LÀM VIỆC"),
            DocumentKind::Transfer => Some("PHIẾU CHUYỂN"),
            DocumentKind::Takedown => None,
        }
    }

    /// The symbol after the number (Decree 30/2020, Appendix III abbreviations): the type's
    /// and the agency's, or for a letter the agency's and the drafting office's.
    fn symbol(self, h: &lantoa_docs::Letterhead) -> String {
        match self {
            DocumentKind::Invitation => format!("GM-{}", h.abbr),
            DocumentKind::Minutes => format!("BB-{}", h.abbr),
            DocumentKind::Transfer => format!("PC-{}", h.abbr),
            DocumentKind::Takedown => format!("{}-{}", h.abbr, h.office_abbr),
        }
    }
}

/// What the officer adds to a document besides the case's records.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DocumentInput {
    /// The date of issue, `YYYY-MM-DD` or `dd/mm/yyyy`; today in Hà Nội when empty.
    #[serde(default)]
    pub date: String,
    /// Invitation and minutes: when the session is (was) held, `YYYY-MM-DD HH:MM` or
    /// `dd/mm/yyyy HH:MM`.
    #[serde(default)]
    pub meeting_at: String,
    /// Invitation and minutes: where; the agency's address when empty.
    #[serde(default)]
    pub place: String,
    /// Minutes: the department's people present, one per line.
    #[serde(default)]
    pub attendees: String,
    /// Minutes: the managing unit's people present, one per line.
    #[serde(default)]
    pub unit_attendees: String,
    /// Minutes: what the unit said.
    #[serde(default)]
    pub statement: String,
    /// Minutes: what was concluded and agreed.
    #[serde(default)]
    pub conclusion: String,
    /// The signer's name (left for the hand when empty).
    #[serde(default)]
    pub signer: String,
    /// The signer's own title ("GIÁM ĐỐC", "PHÓ GIÁM ĐỐC", "TRƯỞNG PHÒNG …"); the deputy
    /// signing for the head when empty. Decree 30/2020: the head signs in their own name, a
    /// deputy "KT." (on behalf of) the head, anyone else "TL." (by the head's order).
    #[serde(default)]
    pub signer_title: String,
    /// An internal note kept with the document's register entry (the audit log); never
    /// printed in the document.
    #[serde(default)]
    pub note: String,
}

/// The signature block for the signer's own title (see [`DocumentInput::signer_title`]).
fn signature(h: &lantoa_docs::Letterhead, input: &DocumentInput) -> Signature {
    let name = input.signer.trim().to_owned();
    let title = input.signer_title.trim().to_uppercase();
    let same = |a: &str, b: &str| lantoa_core::text::fold_key(a) == lantoa_core::text::fold_key(b);
    if title.is_empty() || same(&title, &h.deputy) {
        Signature {
            authority: format!("KT. {}", h.head),
            title: h.deputy.clone(),
            name,
        }
    } else if same(&title, &h.head) {
        Signature {
            authority: String::new(),
            title: h.head.clone(),
            name,
        }
    } else {
        Signature {
            authority: format!("TL. {}", h.head),
            title,
            name,
        }
    }
}

/// An issued document.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct CaseDocument {
    /// Its id.
    pub id: i64,
    /// The case.
    pub case_id: i64,
    /// Its kind.
    pub kind: DocumentKind,
    /// The register's year.
    pub year: i64,
    /// Its number in the register.
    pub number: i64,
    /// Its symbol.
    pub symbol: String,
    /// Its date.
    pub issued_on: NaiveDate,
    /// Who issued it.
    pub issued_by: String,
    /// When, µs.
    pub issued_at: i64,
    /// The DOCX's SHA-256 in the blob store.
    pub sha256: String,
    /// Its size in bytes.
    pub size: i64,
}

impl CaseDocument {
    /// "07/GM-STTTT".
    pub fn reference(&self) -> String {
        format!("{:02}/{}", self.number, self.symbol)
    }

    /// The name a download gets: `giay-moi-07-GM-STTTT.docx`.
    pub fn file_name(&self) -> String {
        let stem = match self.kind {
            DocumentKind::Invitation => "giay-moi",
            DocumentKind::Minutes => "bien-ban",
            DocumentKind::Transfer => "phieu-chuyen",
            DocumentKind::Takedown => "cong-van-de-nghi-go",
        };
        let symbol: String = self
            .symbol
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '-' {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        format!("{stem}-{:02}-{symbol}.docx", self.number)
    }
}

const COLUMNS: &str =
    "id, case_id, kind, year, number, symbol, issued_on, issued_by, issued_at, sha256, size";

fn document_from(r: &sqlx::any::AnyRow) -> Result<CaseDocument> {
    let kind: String = r.try_get(2)?;
    let on: String = r.try_get(6)?;
    let bad = Error::internal;
    Ok(CaseDocument {
        id: r.try_get(0)?,
        case_id: r.try_get(1)?,
        kind: DocumentKind::parse(&kind).ok_or_else(|| bad(format!("stored kind {kind:?}")))?,
        year: r.try_get(3)?,
        number: r.try_get(4)?,
        symbol: r.try_get(5)?,
        issued_on: NaiveDate::parse_from_str(&on, "%Y-%m-%d")
            .map_err(|e| bad(format!("stored date {on:?}: {e}")))?,
        issued_by: r.try_get(7)?,
        issued_at: r.try_get(8)?,
        sha256: r.try_get(9)?,
        size: r.try_get(10)?,
    })
}

/// "14/03/2023 09:00", "2023-03-14 09:00" or ISO 8601 ("2023-03-14T09:00:00+07:00"), in
/// Viet Nam time.
fn parse_meeting(v: &str) -> Result<chrono::NaiveDateTime> {
    let v = v.trim();
    lantoa_core::time::parse_moment(v)
        .ok_or_else(|| Error::invalid("meeting_at", Msg::new("watch-not-a-moment").arg("value", v)))
}

/// `v` trimmed, or an error that the document needs `field` (named in words by
/// `document-field-…`).
fn required<'a>(field: &'static str, v: &'a str) -> Result<&'a str> {
    let v = v.trim();
    if v.is_empty() {
        return Err(Error::invalid(
            field,
            Msg::new("document-needs").label("what", format!("document-field-{field}")),
        ));
    }
    Ok(v)
}

/// "09 giờ 00, ngày 14/03/2023".
fn spoken(at: chrono::NaiveDateTime) -> String {
    at.format("%H giờ %M, ngày %d/%m/%Y").to_string()
}

/// The category as the documents name it.
fn category_words(category: &str) -> &'static str {
    match category {
        "bao_hoa" => "có dấu hiệu “báo hóa” (hoạt động như cơ quan báo chí)",
        "advertising" => "có dấu hiệu quảng cáo trên mạng sai quy định",
        _ => "có nội dung xấu, độc vi phạm Điều 16 Luật An ninh mạng",
    }
}

fn local_day(micros: i64) -> String {
    lantoa_core::time::local_date(lantoa_core::time::from_micros(micros))
        .format("%d/%m/%Y")
        .to_string()
}

/// The findings as a table: number, address, sign (the rule's name) and legal basis, quoted
/// evidence, date found.
fn findings_table(findings: &[Finding], rules: &crate::signals::Rules) -> Block {
    Block::Table(
        vec![
            "STT".into(),
            "Địa chỉ".into(),
            "Dấu hiệu, căn cứ".into(),
            "Trích dẫn".into(),
            "Ngày phát hiện".into(),
        ],
        findings
            .iter()
            .enumerate()
            .map(|(i, f)| {
                vec![
                    (i + 1).to_string(),
                    f.url.clone(),
                    format!("{} ({})", rules.name_of(&f.rule_id), f.clause),
                    f.evidence.clone(),
                    local_day(f.found_at),
                ]
            })
            .collect(),
    )
}

impl Watch {
    /// The findings a case rests on, or when it was opened by hand, the subject's findings in
    /// its category that were not dismissed.
    pub async fn case_findings(&self, c: &Case) -> Result<Vec<Finding>> {
        let mut out = Vec::new();
        if c.findings.is_empty() {
            let all = self
                .findings(&crate::findings::FindingQuery {
                    subject_id: Some(c.subject_id),
                    limit: 500,
                    offset: 0,
                    ..Default::default()
                })
                .await?;
            out.extend(
                all.into_iter()
                    .filter(|f| f.category.as_str() == c.category && f.status != "dismissed"),
            );
        } else {
            for id in &c.findings {
                out.push(self.finding(*id).await?);
            }
        }
        out.sort_by_key(|f| f.id);
        Ok(out)
    }

    /// Issues a document of `kind` on case `case_id`: the state must allow it, `input` must
    /// hold what the kind needs (named when missing), and the issuer must be able to work the
    /// case (watch officer, approver, inspector or admin). It takes the next number of its
    /// register for the year of its date, and its DOCX is kept in the blob store.
    pub async fn issue_document(
        &self,
        actor: &str,
        roles: &[Role],
        case_id: i64,
        kind: DocumentKind,
        input: &DocumentInput,
    ) -> Result<CaseDocument> {
        if !roles.iter().any(|r| {
            matches!(
                r,
                Role::Admin | Role::WatchOfficer | Role::Approver | Role::Inspector
            )
        }) {
            return Err(Error::NotAllowed(Msg::new("document-needs-role").labels(
                "roles",
                ["role-watch_officer", "role-approver", "role-inspector"].map(String::from),
            )));
        }
        let blobs = self.blobs.as_ref().ok_or_else(|| {
            Error::internal("this service has no file store to keep documents in")
        })?;
        let c = self.case(case_id).await?;
        let state = self.cases.state(&c.state).ok_or_else(|| {
            Error::internal(format!("case {} is in unknown state {}", c.id, c.state))
        })?;
        if !state.documents.iter().any(|d| d == kind.as_str()) {
            let doc = |k: &str| format!("case-document-{k}");
            return Err(Error::Transition(if state.documents.is_empty() {
                Msg::new("document-none-in-state")
                    .label("kind", doc(kind.as_str()))
                    .label("state", format!("case-state-{}", c.state))
            } else {
                Msg::new("document-not-in-state")
                    .label("kind", doc(kind.as_str()))
                    .label("state", format!("case-state-{}", c.state))
                    .labels("allowed", state.documents.iter().map(|d| doc(d)))
            }));
        }
        let date = if input.date.trim().is_empty() {
            lantoa_core::time::local_date(self.clock.now())
        } else {
            crate::sanctions::parse_date("date", &input.date)?
        };
        let subject = self.get(c.subject_id).await?;
        let unit = match subject.managing_unit_id {
            Some(u) => Some(self.registry.get(u).await?.name),
            None => None,
        };
        let findings = self.case_findings(&c).await?;
        let head = self.agencies.at(date).map_err(|_| {
            Error::invalid(
                "date",
                Msg::new("document-no-letterhead").arg("date", date.format("%d/%m/%Y")),
            )
        })?;
        let mut doc = self.draft(kind, input, &c, &subject, unit.as_deref(), &findings, head)?;
        doc.date = date;
        doc.place = self.agencies.place().to_owned();
        let year = i64::from(chrono::Datelike::year(&date));
        // Two officers issuing at once: the loser of the unique (kind, year, number) tries again.
        for _ in 0..5 {
            let mut tx = self.db.begin().await?;
            let number: i64 = sqlx::query_scalar(
                "SELECT COALESCE(MAX(number), 0) + 1 FROM watch_case_documents WHERE kind = $1 AND year = $2",
            )
            .bind(kind.as_str())
            .bind(year)
            .fetch_one(&mut *tx)
            .await?;
            doc.number = number;
            let bytes = doc.to_docx().map_err(Error::internal)?;
            let written = blobs.write(&bytes, DOCX).await?;
            blobs.index(&mut tx, &written).await?;
            let sha = written.blob().sha256.clone();
            let inserted = sqlx::query(
                "INSERT INTO watch_case_documents (case_id, kind, year, number, symbol, issued_on, issued_by, issued_at, sha256, size)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
            )
            .bind(c.id)
            .bind(kind.as_str())
            .bind(year)
            .bind(number)
            .bind(&doc.symbol)
            .bind(date.format("%Y-%m-%d").to_string())
            .bind(actor)
            .bind(self.clock.now_micros())
            .bind(&sha)
            .bind(bytes.len() as i64)
            .fetch_one(&mut *tx)
            .await;
            let id: i64 = match inserted {
                Ok(r) => r.try_get(0)?,
                Err(e) if is_unique_violation(&e) => continue,
                Err(e) => return Err(e.into()),
            };
            audit::append(
                &mut tx,
                &Entry::new(actor, "watch.document_issued", format!("case:{}", c.id)).after(
                    serde_json::json!({
                        "document": id, "kind": kind.as_str(),
                        "reference": format!("{number:02}/{}", doc.symbol), "sha256": sha,
                        "note": input.note.trim(),
                    }),
                ),
            )
            .await?;
            tx.commit().await?;
            return self.document(id).await;
        }
        Err(Error::Transition(Msg::new("document-register-busy")))
    }

    /// The document with this id.
    pub async fn document(&self, id: i64) -> Result<CaseDocument> {
        let row = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM watch_case_documents WHERE id = $1"
        ))
        .bind(id)
        .fetch_optional(self.db.pool())
        .await?
        .ok_or_else(|| Error::invalid("document", Msg::new("document-not-found").arg("id", id)))?;
        document_from(&row)
    }

    /// A document's DOCX as issued.
    pub async fn document_bytes(&self, d: &CaseDocument) -> Result<Vec<u8>> {
        let blobs = self
            .blobs
            .as_ref()
            .ok_or_else(|| Error::internal("this service has no file store"))?;
        Ok(blobs.get(&d.sha256).await?)
    }

    /// A case's documents, in the order issued.
    pub async fn case_documents(&self, case_id: i64) -> Result<Vec<CaseDocument>> {
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM watch_case_documents WHERE case_id = $1 ORDER BY id"
        ))
        .bind(case_id)
        .fetch_all(self.db.pool())
        .await?;
        rows.iter().map(document_from).collect()
    }

    /// The document's content from the case's records and the officer's input.
    #[allow(clippy::too_many_arguments)]
    fn draft(
        &self,
        kind: DocumentKind,
        input: &DocumentInput,
        c: &Case,
        subject: &Subject,
        unit: Option<&str>,
        findings: &[Finding],
        h: &lantoa_docs::Letterhead,
    ) -> Result<AdminDoc> {
        let unit_name = unit
            .map(str::to_owned)
            .unwrap_or_else(|| format!("Đơn vị quản lý {}", subject.name));
        let site = format!("{} ({})", subject.name, subject.url);
        let signs = category_words(&c.category);
        let signer = signature(h, input);
        let place = if input.place.trim().is_empty() {
            h.address.clone()
        } else {
            input.place.trim().to_owned()
        };
        let mut body = Vec::new();
        let (summary, to, recipients, signatures) = match kind {
            DocumentKind::Invitation => {
                let at = parse_meeting(required("meeting_at", &input.meeting_at)?)?;
                body.push(Block::Para(format!(
                    "Thực hiện chức năng quản lý nhà nước về thông tin điện tử trên địa bàn, qua rà soát, {} nhận thấy trang {site} do {unit_name} quản lý {signs}.",
                    h.name
                )));
                body.push(Block::Para(format!(
                    "{} trân trọng kính mời đại diện lãnh đạo {unit_name} và người chịu trách nhiệm quản lý nội dung của trang đến làm việc, cụ thể:",
                    h.name
                )));
                body.push(Block::Field("Thời gian".into(), spoken(at)));
                body.push(Block::Field("Địa điểm".into(), place));
                body.push(Block::Field(
                    "Nội dung".into(),
                    format!(
                        "Làm rõ các dấu hiệu vi phạm tại trang {} trong hồ sơ vụ việc số {} ({} dấu hiệu).",
                        subject.url,
                        c.id,
                        findings.len()
                    ),
                ));
                body.push(Block::Para(
                    "Khi đến, đề nghị mang theo giấy phép thiết lập trang (nếu có), giấy tờ chứng minh tư cách đại diện và tài liệu liên quan.".into(),
                ));
                (
                    format!("Về việc làm việc với {unit_name}"),
                    Some(unit_name.clone()),
                    vec!["Như trên".into(), format!("Lưu: VT, {}", h.office_abbr)],
                    vec![signer],
                )
            }
            DocumentKind::Minutes => {
                let at = parse_meeting(required("meeting_at", &input.meeting_at)?)?;
                let ours = required("attendees", &input.attendees)?;
                let theirs = required("unit_attendees", &input.unit_attendees)?;
                let conclusion = required("conclusion", &input.conclusion)?;
                body.push(Block::Para(format!(
                    "Hôm nay, vào hồi {}, tại {place}, chúng tôi gồm:",
                    spoken(at)
                )));
                body.push(Block::Heading(format!("I. Đại diện {}", h.name)));
                body.extend(
                    ours.lines()
                        .filter(|l| !l.trim().is_empty())
                        .map(|l| Block::Para(format!("- {}", l.trim()))),
                );
                body.push(Block::Heading(format!("II. Đại diện {unit_name}")));
                body.extend(
                    theirs
                        .lines()
                        .filter(|l| !l.trim().is_empty())
                        .map(|l| Block::Para(format!("- {}", l.trim()))),
                );
                body.push(Block::Heading("III. Nội dung làm việc".into()));
                body.push(Block::Para(format!(
                    "Các bên làm việc về trang {site} {signs}. Các dấu hiệu phát hiện qua rà soát (hồ sơ vụ việc số {}):",
                    c.id
                )));
                body.push(findings_table(findings, &self.signals));
                if !input.statement.trim().is_empty() {
                    body.push(Block::Heading(format!("IV. Ý kiến của {unit_name}")));
                    body.push(Block::Para(input.statement.trim().to_owned()));
                }
                body.push(Block::Heading("Kết luận".into()));
                body.push(Block::Para(conclusion.to_owned()));
                body.push(Block::Para(
                    "Biên bản được lập thành 02 bản có giá trị như nhau, mỗi bên giữ 01 bản; các bên đã đọc lại và thống nhất ký tên.".into(),
                ));
                (
                    format!("Về việc làm việc với {unit_name}"),
                    None,
                    Vec::new(),
                    vec![
                        Signature {
                            authority: String::new(),
                            title: format!("ĐẠI DIỆN {}", unit_name.to_uppercase()),
                            name: String::new(),
                        },
                        Signature {
                            authority: String::new(),
                            title: format!("ĐẠI DIỆN {}", h.issuer),
                            name: input.signer.trim().to_owned(),
                        },
                    ],
                )
            }
            DocumentKind::Transfer => {
                body.push(Block::Para(format!(
                    "{} chuyển {} hồ sơ vụ việc số {} về trang {site} do {unit_name} quản lý, {signs}, để kiểm tra, xử lý theo thẩm quyền.",
                    h.name, h.inspectorate, c.id
                )));
                body.push(Block::Heading("Tài liệu, chứng cứ kèm theo".into()));
                body.push(Block::Table(
                    vec![
                        "STT".into(),
                        "Địa chỉ".into(),
                        "Dấu hiệu, căn cứ".into(),
                        "Bản lưu (WARC, SHA-256)".into(),
                        "Ngày thu thập".into(),
                    ],
                    findings
                        .iter()
                        .enumerate()
                        .map(|(i, f)| {
                            vec![
                                (i + 1).to_string(),
                                f.url.clone(),
                                format!("{} ({})", self.signals.name_of(&f.rule_id), f.clause),
                                f.warc_sha256.clone().unwrap_or_else(|| "—".into()),
                                local_day(f.found_at),
                            ]
                        })
                        .collect(),
                ));
                body.push(Block::Para(
                    "Hồ sơ chứng cứ điện tử (bản lưu WARC, ảnh chụp trang, danh sách dấu hiệu và bảng mã SHA-256 của từng tệp) gửi kèm theo phiếu này.".into(),
                ));
                (
                    format!("Chuyển hồ sơ vụ việc số {}", c.id),
                    Some(h.inspectorate.clone()),
                    vec![
                        h.inspectorate.clone(),
                        format!("Lưu: VT, {}", h.office_abbr),
                    ],
                    vec![signer],
                )
            }
            DocumentKind::Takedown => {
                body.push(Block::Para(format!(
                    "Qua rà soát, {} phát hiện {} nội dung {signs} tại {site}, cụ thể:",
                    h.name,
                    findings.len()
                )));
                body.push(findings_table(findings, &self.signals));
                body.push(Block::Para(format!(
                    "Căn cứ Nghị định số 147/2024/NĐ-CP ngày 09/11/2024 của Chính phủ, {} đề nghị {} yêu cầu doanh nghiệp cung cấp nền tảng gỡ bỏ các nội dung nêu trên trong thời hạn 24 giờ kể từ khi nhận được yêu cầu và thông báo kết quả để phối hợp theo dõi.",
                    h.name, h.authority
                )));
                (
                    "đề nghị gỡ bỏ nội dung vi phạm trên không gian mạng".to_owned(),
                    Some(h.authority.clone()),
                    vec!["Như trên".into(), format!("Lưu: VT, {}", h.office_abbr)],
                    vec![signer],
                )
            }
        };
        if kind == DocumentKind::Invitation {
            body.push(Block::Para("Trân trọng kính mời./.".to_owned()));
        } else if kind != DocumentKind::Minutes {
            body.push(Block::Para("Trân trọng./.".to_owned()));
        }
        Ok(AdminDoc {
            letterhead: h.clone(),
            number: 0,
            symbol: kind.symbol(h),
            place: String::new(),
            date: NaiveDate::default(),
            kind_name: kind.type_name().map(str::to_owned),
            summary,
            to,
            body,
            signatures,
            recipients,
        })
    }
}
