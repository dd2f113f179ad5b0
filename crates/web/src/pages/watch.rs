//! Watch pages: the subjects and their import.

use axum::Extension;
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use lantoa_watch::capture::warc;
use lantoa_watch::signals::Category;
use lantoa_watch::{
    CrawlQuery, CrawlSort, Decision, FindingQuery, FindingSort, ListQuery, SubjectKind, SubjectSort,
};
use serde::Deserialize;

use super::browse::Browse;
use super::{FormPairs, flash};
use crate::ctx::Ctx;
use crate::error::{WebError, parse_category, parse_filter};
use crate::export::{self, Cell, Sheet};
use crate::routes::WATCH_EDITORS;
use crate::{AppState, view};

const PAGE: i64 = 100;

fn kinds() -> Vec<&'static str> {
    SubjectKind::ALL.iter().map(|k| k.as_str()).collect()
}

#[derive(Deserialize, Default)]
pub struct Params {
    kind: Option<String>,
    q: Option<String>,
    /// The page of the list, from 0.
    page: Option<i64>,
    /// The order (`kind`, `name`, `newest`).
    sort: Option<String>,
}

/// `GET /watch`: counts by kind, the subject list, and the import form.
pub async fn subjects(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Query(p): Query<Params>,
) -> Result<Response, WebError> {
    let kind = parse_filter(p.kind.as_deref(), str::parse::<SubjectKind>)?;
    let sort = SubjectSort::parse(p.sort.as_deref().unwrap_or(""))?;
    let page = p.page.unwrap_or(0).max(0);
    let (subjects, total, counts) = state
        .watch
        .list_with_counts(&ListQuery {
            kind,
            q: p.q.clone(),
            limit: PAGE,
            offset: page * PAGE,
            sort,
        })
        .await?;
    let filters = [
        (
            "kind",
            kind.map(|k| k.as_str().to_owned()).unwrap_or_default(),
        ),
        ("q", p.q.clone().unwrap_or_default()),
        ("sort", p.sort.clone().unwrap_or_default()),
    ];
    let (prev_url, next_url) = super::pager("/watch", &filters, page, PAGE, total);
    let csv_url = super::list_url("/watch/subjects.csv", &filters);
    let xlsx_url = super::list_url("/watch/subjects.xlsx", &filters);
    let counts: Vec<_> = counts
        .into_iter()
        .map(|(k, n)| minijinja::context! { kind => k.as_str(), count => n })
        .collect();
    let can_import = can_edit(&ctx);
    Ok(view::page(
        "watch.html",
        &ctx,
        "watch",
        minijinja::context! {
            subjects => subjects, total => total, counts => counts, kinds => kinds(),
            kind => kind.map(|k| k.as_str()).unwrap_or(""), q => p.q.unwrap_or_default(),
            can_import => can_import, prev_url => prev_url, next_url => next_url, csv_url => csv_url,
            xlsx_url => xlsx_url, sort => sort.as_str(),
            sorts => SubjectSort::ALL.iter().map(|s| s.as_str()).collect::<Vec<_>>(),
            case_categories => lantoa_watch::cases::CATEGORIES,
            first => page * PAGE + 1, last => (page * PAGE + PAGE).min(total),
        },
    )?
    .into_response())
}

/// Every subject the list's filters select (`kind`, `q`), as a table officers open and can
/// import back: Vietnamese headers and kinds, licence days as days.
async fn subjects_sheet(state: &AppState, ctx: &Ctx, p: &Params) -> Result<Sheet, WebError> {
    let kind = parse_filter(p.kind.as_deref(), str::parse::<SubjectKind>)?;
    let sort = SubjectSort::parse(p.sort.as_deref().unwrap_or(""))?;
    let mut sheet = Sheet {
        file: "doi-tuong".into(),
        headers: [
            "Loại",
            "Tên",
            "URL",
            "Số giấy phép",
            "Ngày cấp",
            "Cơ quan báo chí",
        ]
        .map(str::to_owned)
        .to_vec(),
        rows: Vec::new(),
    };
    let mut offset = 0;
    loop {
        let (subjects, total) = state
            .watch
            .list(&ListQuery {
                kind,
                q: p.q.clone(),
                limit: 500,
                offset,
                sort,
            })
            .await?;
        for s in &subjects {
            sheet.rows.push(vec![
                Cell::from(crate::i18n::tr(
                    ctx.lang,
                    &format!("subject-{}", s.kind.as_str()),
                    &[],
                )),
                Cell::from(s.name.as_str()),
                Cell::from(s.url.as_str()),
                Cell::from(s.licence_no.as_deref().unwrap_or("")),
                Cell::from(s.licence_date),
                Cell::from(if s.is_press { "có" } else { "" }),
            ]);
        }
        offset += 500;
        if subjects.is_empty() || offset >= total || sheet.cut(ctx.t("export-cut")) {
            break;
        }
    }
    Ok(sheet)
}

crate::export::downloads!(Params, subjects_sheet, subjects_csv, subjects_xlsx);

/// `POST /watch/subjects/import` (multipart, field `file`): shows the report per row.
pub async fn import(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    headers: axum::http::HeaderMap,
    body: axum::body::Body,
) -> Result<Response, WebError> {
    let (_, file) = crate::upload::read_small(&state, &headers, body).await?;
    let (name, bytes) = file.ok_or_else(|| {
        WebError::invalid("err-no-file", "choose a CSV file to import (field 'file')")
    })?;
    let actor = ctx.actor();
    let report = state.watch.import(&actor, &bytes).await?;
    Ok(view::page(
        "watch_import.html",
        &ctx,
        "watch",
        minijinja::context! { file => name, report => report },
    )?
    .into_response())
}

fn can_edit(ctx: &Ctx) -> bool {
    ctx.has_any(WATCH_EDITORS)
}

/// `POST /watch/subjects/{id}/crawl`: queues a crawl and shows it.
pub async fn crawl_subject(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let crawl = state.crawler.enqueue(&ctx.actor(), id).await?;
    Ok(Redirect::to(&format!("/watch/crawls/{}", crawl.id)).into_response())
}

/// A page of crawls by the request's state, subject and order.
fn crawl_query(p: &Browse, sort: CrawlSort, limit: i64, offset: i64) -> CrawlQuery {
    CrawlQuery {
        subject_id: None,
        status: p.status.clone(),
        q: p.q.clone(),
        sort,
        limit,
        offset,
    }
}

/// `GET /watch/crawls`: crawls a page at a time, by state, subject and order, with their live
/// counters (the first page refreshes itself while a crawl is queued or running; no script
/// needed); or, with `from` and `to` (and `kind`), every crawl that finished in that period.
pub async fn crawls(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Query(p): Query<Browse>,
) -> Result<Response, WebError> {
    let span = p.span();
    let sort = CrawlSort::parse(p.sort_name())?;
    let (crawls, total) = match span.micros()? {
        Some((from, to)) => {
            let all = state
                .crawler
                .finished_between(from, to, span.kind.as_deref(), 5000)
                .await?;
            let total = all.len() as i64;
            (all, total)
        }
        None => {
            let page = p.page();
            state
                .crawler
                .crawl_page(&crawl_query(
                    &p,
                    sort,
                    super::browse::PAGE,
                    page * super::browse::PAGE,
                ))
                .await?
        }
    };
    let first_page = span.from.is_none() && p.page() == 0;
    let active = crawls
        .iter()
        .any(|c| c.status == "queued" || c.status == "running");
    let rows: Vec<_> = crawls
        .iter()
        .map(|c| {
            minijinja::context! {
                crawl => c,
                queued => lantoa_core::time::format_vn(lantoa_core::time::from_micros(c.queued_at)),
            }
        })
        .collect();
    let mut lc = p.controls(
        "/watch/crawls",
        "/watch/crawls",
        total,
        sort.as_str(),
        CrawlSort::names(),
    );
    if span.from.is_some() {
        // A period's list is whole, and its exports keep the period.
        lc = minijinja::context! {
            last => total, next_url => Option::<String>::None,
            csv_url => super::list_url("/watch/crawls.csv", &span.params()),
            xlsx_url => super::list_url("/watch/crawls.xlsx", &span.params()),
            ..lc
        };
    }
    Ok(view::page(
        "watch_crawls.html",
        &ctx,
        "watch",
        minijinja::context! {
            rows => rows, live => active && first_page, lc => lc, span => span,
            statuses => lantoa_watch::CRAWL_STATUSES,
        },
    )?
    .into_response())
}

/// The crawls of a period (`from`, `to`, `kind`), or every crawl the list's filters select in
/// its order, as a table.
async fn crawls_sheet(state: &AppState, ctx: &Ctx, p: &Browse) -> Result<Sheet, WebError> {
    let headers = [
        "Số",
        "Đối tượng",
        "Trạng thái",
        "Người yêu cầu",
        "Xếp hàng lúc",
        "Xong lúc",
        "Trang đọc được",
        "Trang không đổi",
        "Trang lỗi",
        "Dung lượng (byte)",
        "Dấu hiệu",
        "Ghi chú",
    ];
    let crawler = &state.crawler;
    let at = |micros: i64| lantoa_core::time::format_vn(lantoa_core::time::from_micros(micros));
    let row = |c: &lantoa_watch::Crawl| {
        vec![
            Cell::from(c.id),
            Cell::from(c.subject_name.as_str()),
            Cell::from(ctx.t(&format!("crawl-{}", c.status))),
            Cell::from(c.requested_by.as_str()),
            Cell::from(at(c.queued_at)),
            Cell::from(c.finished_at.map(at).unwrap_or_default()),
            Cell::from(c.pages_ok),
            Cell::from(c.pages_unchanged),
            Cell::from(c.pages_failed),
            Cell::from(c.bytes),
            Cell::from(c.findings),
            Cell::from(
                c.reason
                    .as_ref()
                    .map(|m| m.text(ctx.lang))
                    .or_else(|| c.message.clone())
                    .unwrap_or_default(),
            ),
        ]
    };
    let span = p.span();
    if let Some((from, to)) = span.micros()? {
        let crawls = crawler
            .finished_between(from, to, span.kind.as_deref(), export::MAX_ROWS as i64)
            .await?;
        return Ok(Sheet {
            file: "luot-ra-soat".into(),
            headers: headers.map(str::to_owned).to_vec(),
            rows: crawls.iter().map(row).collect(),
        });
    }
    let sort = CrawlSort::parse(p.sort_name())?;
    super::browse::sheet(
        ctx,
        "luot-ra-soat",
        &headers,
        p,
        sort,
        |q| async move {
            crawler
                .crawl_page(&crawl_query(p, q.sort, q.limit, q.offset))
                .await
        },
        row,
    )
    .await
}

crate::export::downloads!(Browse, crawls_sheet, crawls_csv, crawls_xlsx);

/// `GET /watch/crawls/{id}`: one crawl and every page it tried, with the reason for each page
/// not fetched.
pub async fn crawl(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let crawler = &state.crawler;
    let crawl = crawler.crawl(id).await?;
    let subject = state.watch.get(crawl.subject_id).await?;
    let pages = crawler.pages(id, 1000).await?;
    let active = crawl.status == "queued" || crawl.status == "running";
    Ok(view::page(
        "watch_crawl.html",
        &ctx,
        "watch",
        minijinja::context! { crawl => crawl, subject => subject, pages => pages, live => active },
    )?
    .into_response())
}

#[derive(Deserialize, Default)]
pub struct FindingParams {
    status: Option<String>,
    category: Option<String>,
    subject: Option<i64>,
    flash: Option<String>,
    /// The page of the review queue, from 0.
    page: Option<i64>,
    /// The order (`queue`, `newest`, `oldest`, `subject`).
    sort: Option<String>,
}

/// Each signal rule's name by its id, for pages that list findings.
pub(crate) fn rule_names(state: &AppState) -> std::collections::HashMap<String, String> {
    state
        .watch
        .signal_rules()
        .rules()
        .iter()
        .map(|r| (r.id.clone(), r.name.clone()))
        .collect()
}

/// `GET /watch/findings`: the review queue (open findings first) and the subjects' scores.
pub async fn findings(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Query(p): Query<FindingParams>,
) -> Result<Response, WebError> {
    let category = parse_filter(p.category.as_deref(), parse_category)?;
    let status = p.status.clone().filter(|s| !s.is_empty());
    let sort = FindingSort::parse(p.sort.as_deref().unwrap_or(""))?;
    let page = p.page.unwrap_or(0).max(0);
    let query = FindingQuery {
        subject_id: p.subject,
        status: status.clone(),
        category,
        limit: PAGE,
        offset: page * PAGE,
        sort,
    };
    let findings = state.watch.findings(&query).await?;
    let total = state.watch.count_findings(&query).await?;
    let filters = [
        ("status", status.clone().unwrap_or_default()),
        (
            "category",
            category.map(|c| c.as_str().to_owned()).unwrap_or_default(),
        ),
        (
            "subject",
            p.subject.map(|s| s.to_string()).unwrap_or_default(),
        ),
        ("sort", p.sort.clone().unwrap_or_default()),
    ];
    let (prev_url, next_url) = super::pager("/watch/findings", &filters, page, PAGE, total);
    let csv_url = super::list_url("/watch/findings.csv", &filters);
    let xlsx_url = super::list_url("/watch/findings.xlsx", &filters);
    let scores = state.watch.scores(p.subject, 0.5).await?;
    let counts: std::collections::HashMap<String, i64> =
        state.watch.finding_counts().await?.into_iter().collect();
    Ok(view::page(
        "watch_findings.html",
        &ctx,
        "watch",
        minijinja::context! {
            findings => findings, scores => scores, counts => counts,
            status => status.unwrap_or_default(), category => category.map(|c| c.as_str()).unwrap_or(""),
            categories => Category::ALL.iter().map(|c| c.as_str()).collect::<Vec<_>>(),
            can_review => can_edit(&ctx), flash => flash(p.flash.as_deref()),
            model => state.watch.model_info().await?, rules => rule_names(&state),
            subject => p.subject, total => total, prev_url => prev_url, next_url => next_url,
            first => page * PAGE + 1, last => (page * PAGE + PAGE).min(total),
            csv_url => csv_url, xlsx_url => xlsx_url, sort => sort.as_str(),
            sorts => FindingSort::ALL.iter().map(|s| s.as_str()).collect::<Vec<_>>(),
        },
    )?
    .into_response())
}

/// The findings the queue's filters select (`status`, `category`, `subject`), newest first
/// as the queue shows them, as a table: rule by name, clause, evidence, review.
async fn findings_sheet(state: &AppState, ctx: &Ctx, p: &FindingParams) -> Result<Sheet, WebError> {
    let category = parse_filter(p.category.as_deref(), parse_category)?;
    let sort = FindingSort::parse(p.sort.as_deref().unwrap_or(""))?;
    let rules = rule_names(state);
    let mut sheet = Sheet {
        file: "dau-hieu".into(),
        headers: [
            "Số",
            "Đối tượng",
            "Loại vi phạm",
            "Dấu hiệu",
            "Căn cứ",
            "Trọng số",
            "Địa chỉ",
            "Trích dẫn",
            "Ngày phát hiện",
            "Trạng thái",
            "Người xem xét",
            "Ghi chú",
        ]
        .map(str::to_owned)
        .to_vec(),
        rows: Vec::new(),
    };
    let mut offset = 0;
    loop {
        let page = state
            .watch
            .findings(&FindingQuery {
                subject_id: p.subject,
                status: p.status.clone().filter(|s| !s.is_empty()),
                category,
                limit: 500,
                offset,
                sort,
            })
            .await?;
        for f in &page {
            sheet.rows.push(vec![
                Cell::from(f.id),
                Cell::from(f.subject_name.as_str()),
                Cell::from(ctx.t(&format!("category-{}", f.category.as_str()))),
                Cell::from(
                    rules
                        .get(&f.rule_id)
                        .cloned()
                        .unwrap_or_else(|| f.rule_id.clone()),
                ),
                Cell::from(f.clause.as_str()),
                Cell::Number(f.weight, 1),
                Cell::from(f.url.as_str()),
                Cell::from(f.evidence.as_str()),
                Cell::from(Some(lantoa_core::time::local_date(
                    lantoa_core::time::from_micros(f.found_at),
                ))),
                Cell::from(ctx.t(&format!("finding-{}", f.status))),
                Cell::from(f.reviewed_by.as_deref().unwrap_or("")),
                Cell::from(f.review_note.as_deref().unwrap_or("")),
            ]);
        }
        offset += 500;
        if page.len() < 500 || sheet.cut(ctx.t("export-cut")) {
            break;
        }
    }
    Ok(sheet)
}

crate::export::downloads!(FindingParams, findings_sheet, findings_csv, findings_xlsx);

/// `POST /watch/findings/{id}/review` (form: `decision` = confirmed | dismissed, `note`).
pub async fn review(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Path(id): Path<i64>,
    form: FormPairs,
) -> Result<Response, WebError> {
    let decision: Decision = form.get("decision").parse()?;
    let finding = state
        .watch
        .review(&ctx.actor(), id, decision, &form.get("note"))
        .await?;
    Ok(Redirect::to(&format!(
        "/watch/findings?status=open&subject={}&flash=flash-reviewed",
        finding.subject_id
    ))
    .into_response())
}

/// `POST /watch/findings/review` (form: `ids` once per chosen finding, `decision` = confirmed |
/// dismissed, `note`): one decision on every chosen finding, all or none; back to the queue.
pub async fn review_many(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    form: FormPairs,
) -> Result<Response, WebError> {
    let ids = form.all("ids");
    let ids = lantoa_watch::finding_ids("ids", ids.iter().map(String::as_str))?;
    let decision: Decision = form.get("decision").parse()?;
    state
        .watch
        .review_many(&ctx.actor(), &ids, decision, &form.get("note"))
        .await?;
    Ok(Redirect::to("/watch/findings?status=open&flash=flash-reviewed").into_response())
}

#[derive(Deserialize, Default)]
pub struct CaptureParams {
    raw: Option<String>,
}

/// `GET /watch/captures/{sha256}`: a capture — the WARC header, the HTTP head and the body as
/// text — or the WARC file itself with `?raw=1`. The content is checked against its address
/// on every read.
pub async fn capture(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Path(sha): Path<String>,
    Query(p): Query<CaptureParams>,
) -> Result<Response, WebError> {
    let bytes = state.crawler.blobs().get(&sha).await?;
    if p.raw.is_some() {
        return Ok((
            [
                (header::CONTENT_TYPE, warc::MEDIA_TYPE.to_owned()),
                (
                    header::CONTENT_DISPOSITION,
                    format!("attachment; filename=\"{sha}.warc\""),
                ),
            ],
            bytes,
        )
            .into_response());
    }
    let record = warc::read(&bytes).map_err(|e| WebError::internal(e.to_string()))?;
    let fields: Vec<(String, String)> = record.fields.clone();
    let decoded = lantoa_watch::crawl::charset::decode(record.http_body(), None);
    Ok(view::page(
        "watch_capture.html",
        &ctx,
        "watch",
        minijinja::context! {
            sha => sha, fields => fields, head => record.http_head(), body => decoded.text,
            size => bytes.len(),
        },
    )?
    .into_response())
}

/// `POST /watch/classifier/train`: retrains and goes back to the findings.
pub async fn train(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
) -> Result<Response, WebError> {
    state
        .watch
        .train(&ctx.actor(), state.crawler.blobs())
        .await?;
    Ok(Redirect::to("/watch/findings?flash=flash-trained#classifier").into_response())
}
