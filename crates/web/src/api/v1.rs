//! `/api/v1` handlers.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use lantoa_accounts::NewUser;
use lantoa_core::{Msg, Role};
use lantoa_registry::{ListQuery, NewUnit};
use serde::Deserialize;
use serde_json::json;

use super::ApiJson;
use crate::AppState;
use crate::ctx::Ctx;
use crate::error::{WebError, parse_date, parse_filter, parse_unit_kind};

/// `GET /api/v1/me`.
pub async fn me(Extension(ctx): Extension<Ctx>) -> Result<Json<serde_json::Value>, WebError> {
    let p = ctx.principal.ok_or_else(WebError::unauthenticated)?;
    Ok(Json(json!({ "user": p })))
}

#[derive(Deserialize)]
pub struct UnitParams {
    kind: Option<String>,
    q: Option<String>,
    include_ended: Option<bool>,
    limit: Option<i64>,
    offset: Option<i64>,
    sort: Option<String>,
}

/// `GET /api/v1/units`.
pub async fn list_units(
    State(state): State<AppState>,
    Query(p): Query<UnitParams>,
) -> Result<Json<serde_json::Value>, WebError> {
    let kind = parse_filter(p.kind.as_deref(), parse_unit_kind)?;
    let limit = p.limit.unwrap_or(100);
    if !(1..=500).contains(&limit) {
        return Err(
            WebError::invalid("err-malformed", "limit must be between 1 and 500")
                .arg("detail", "limit"),
        );
    }
    let (units, total) = state
        .registry
        .list(&ListQuery {
            kind,
            q: p.q,
            include_ended: p.include_ended.unwrap_or(false),
            limit,
            offset: p.offset.unwrap_or(0).max(0),
            sort: lantoa_registry::UnitSort::parse(p.sort.as_deref().unwrap_or(""))?,
        })
        .await?;
    Ok(Json(json!({ "total": total, "units": units })))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UnitBody {
    kind: String,
    code: Option<String>,
    name: String,
    #[serde(default)]
    attrs: Option<serde_json::Value>,
    valid_from: Option<String>,
}

/// `POST /api/v1/units`.
pub async fn create_unit(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    ApiJson(b): ApiJson<UnitBody>,
) -> Result<Response, WebError> {
    let mut new = NewUnit::new(parse_unit_kind(&b.kind)?, b.code.as_deref(), &b.name);
    if let Some(a) = b.attrs {
        new.attrs = a;
    }
    if let Some(d) = b.valid_from {
        new.valid_from = parse_date("valid_from", &d)?;
    }
    let unit = state.registry.create(&ctx.actor(), &new).await?;
    Ok((StatusCode::CREATED, Json(json!({ "unit": unit }))).into_response())
}

/// `GET /api/v1/units/{id}`.
pub async fn get_unit(
    State(state): State<AppState>,
    Path(id): Path<i64>,
) -> Result<Json<serde_json::Value>, WebError> {
    Ok(Json(json!({ "unit": state.registry.get(id).await? })))
}

/// `GET /api/v1/units/{id}/history`.
pub async fn unit_history(
    State(state): State<AppState>,
    Path(id): Path<i64>,
) -> Result<Json<serde_json::Value>, WebError> {
    Ok(Json(
        json!({ "versions": state.registry.history(id).await? }),
    ))
}

/// `GET /api/v1/communes/legacy/{code}`.
pub async fn legacy_commune(
    State(state): State<AppState>,
    Path(code): Path<String>,
) -> Result<Json<serde_json::Value>, WebError> {
    Ok(Json(
        json!({ "conversion": state.registry.convert_legacy_commune(&code).await? }),
    ))
}

/// `GET /api/v1/users`.
pub async fn list_users(
    State(state): State<AppState>,
) -> Result<Json<serde_json::Value>, WebError> {
    Ok(Json(json!({ "users": state.accounts.list_users().await? })))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UserBody {
    username: String,
    display_name: String,
    roles: Vec<String>,
}

/// `POST /api/v1/users`.
pub async fn create_user(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    ApiJson(b): ApiJson<UserBody>,
) -> Result<Response, WebError> {
    let roles = b
        .roles
        .iter()
        .map(|r| {
            r.parse::<Role>()
                .map_err(|e| WebError::invalid("err-no-roles", e.to_string()))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let created = state
        .accounts
        .create_user(
            &ctx.actor(),
            &NewUser::new(&b.username, &b.display_name, roles),
        )
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(json!({ "user": created.user, "one_time_password": created.one_time_password })),
    )
        .into_response())
}

/// `GET /api/v1/audit/verify`.
pub async fn verify_audit(
    State(state): State<AppState>,
) -> Result<Json<serde_json::Value>, WebError> {
    let v = lantoa_store::audit::verify(&state.db).await?;
    Ok(Json(json!({
        "rows": v.rows, "intact": v.first_break.is_none(), "first_break": v.first_break,
        "legacy_rows": v.legacy_rows, "head": v.head.to_string(),
    })))
}

/// `GET /api/v1/jobs`.
pub async fn jobs(State(state): State<AppState>) -> Result<Json<serde_json::Value>, WebError> {
    Ok(Json(
        json!({ "counts": state.queue.counts().await?, "dead": state.queue.dead(50).await? }),
    ))
}

#[derive(Deserialize)]
pub struct SubjectParams {
    kind: Option<String>,
    q: Option<String>,
    limit: Option<i64>,
    offset: Option<i64>,
    sort: Option<String>,
}

/// `GET /api/v1/watch/subjects`.
pub async fn list_subjects(
    State(state): State<AppState>,
    Query(p): Query<SubjectParams>,
) -> Result<Json<serde_json::Value>, WebError> {
    let kind = parse_filter(p.kind.as_deref(), str::parse::<lantoa_watch::SubjectKind>)?;
    let (subjects, total) = state
        .watch
        .list(&lantoa_watch::ListQuery {
            kind,
            q: p.q,
            limit: p.limit.unwrap_or(100),
            offset: p.offset.unwrap_or(0),
            sort: lantoa_watch::SubjectSort::parse(p.sort.as_deref().unwrap_or(""))?,
        })
        .await?;
    Ok(Json(json!({ "total": total, "subjects": subjects })))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SubjectBody {
    kind: String,
    url: String,
    name: String,
    managing_unit_id: Option<i64>,
    licence_no: Option<String>,
    licence_date: Option<String>,
    #[serde(default)]
    is_press: bool,
}

/// `POST /api/v1/watch/subjects`.
pub async fn create_subject(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    ApiJson(b): ApiJson<SubjectBody>,
) -> Result<Response, WebError> {
    let mut new = lantoa_watch::NewSubject::new(b.kind.parse()?, &b.url, &b.name);
    new.managing_unit_id = b.managing_unit_id;
    new.licence_no = b.licence_no;
    new.licence_date = b
        .licence_date
        .as_deref()
        .map(|d| parse_date("licence_date", d))
        .transpose()?;
    new.is_press = b.is_press;
    let subject = state.watch.create(&ctx.actor(), &new).await?;
    Ok((StatusCode::CREATED, Json(json!({ "subject": subject }))).into_response())
}

/// `POST /api/v1/watch/subjects/import`: the body is the CSV file.
pub async fn import_subjects(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    body: Result<axum::body::Bytes, axum::extract::rejection::BytesRejection>,
) -> Result<Json<serde_json::Value>, WebError> {
    let body = body?;
    let report = state.watch.import(&ctx.actor(), &body).await?;
    Ok(Json(json!({ "report": report })))
}

/// `POST /api/v1/watch/subjects/{id}/crawl`: 202 with the queued (or already queued) crawl.
pub async fn crawl_subject(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let crawl = state.crawler.enqueue(&ctx.actor(), id).await?;
    Ok((StatusCode::ACCEPTED, Json(json!({ "crawl": crawl }))).into_response())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CrawlParams {
    subject: Option<i64>,
    status: Option<String>,
    q: Option<String>,
    sort: Option<String>,
    limit: Option<i64>,
    offset: Option<i64>,
}

/// `GET /api/v1/watch/crawls`: a page of crawls (`subject`, `status`, `q`: the subject's name
/// or host, `sort`: newest, oldest, findings, failed; `limit` ≤ 500, `offset`), with `total`
/// and `next`.
pub async fn list_crawls(
    State(state): State<AppState>,
    Query(p): Query<CrawlParams>,
) -> Result<Json<serde_json::Value>, WebError> {
    let q = lantoa_core::page::PageQuery {
        q: p.q.clone(),
        sort: lantoa_watch::CrawlSort::parse(p.sort.as_deref().unwrap_or(""))?,
        limit: p.limit.unwrap_or(50).clamp(1, 500),
        offset: p.offset.unwrap_or(0).max(0),
    };
    let (crawls, total) = state
        .crawler
        .crawl_page(&lantoa_watch::CrawlQuery {
            subject_id: p.subject,
            status: p.status,
            q: q.q.clone(),
            sort: q.sort,
            limit: q.limit,
            offset: q.offset,
        })
        .await?;
    Ok(super::paged("crawls", crawls, total, &q))
}

/// `GET /api/v1/watch/crawls/{id}`.
pub async fn get_crawl(
    State(state): State<AppState>,
    Path(id): Path<i64>,
) -> Result<Json<serde_json::Value>, WebError> {
    let crawler = &state.crawler;
    let crawl = crawler.crawl(id).await?;
    let pages = crawler.pages(id, 5000).await?;
    Ok(Json(json!({ "crawl": crawl, "pages": pages })))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FindingParams {
    subject: Option<i64>,
    status: Option<String>,
    category: Option<String>,
    limit: Option<i64>,
    offset: Option<i64>,
    sort: Option<String>,
}

/// `GET /api/v1/watch/findings`: a page of findings (`limit`, `offset`) and how many the
/// filters select.
pub async fn list_findings(
    State(state): State<AppState>,
    Query(p): Query<FindingParams>,
) -> Result<Json<serde_json::Value>, WebError> {
    let query = lantoa_watch::FindingQuery {
        subject_id: p.subject,
        status: p.status.filter(|s| !s.is_empty()),
        category: parse_filter(p.category.as_deref(), crate::error::parse_category)?,
        limit: p.limit.unwrap_or(100),
        offset: p.offset.unwrap_or(0),
        sort: lantoa_watch::FindingSort::parse(p.sort.as_deref().unwrap_or(""))?,
    };
    let findings = state.watch.findings(&query).await?;
    let total = state.watch.count_findings(&query).await?;
    Ok(Json(json!({ "findings": findings, "total": total })))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReviewBody {
    decision: String,
    #[serde(default)]
    note: String,
}

/// `POST /api/v1/watch/findings/{id}/review`.
pub async fn review_finding(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Path(id): Path<i64>,
    ApiJson(b): ApiJson<ReviewBody>,
) -> Result<Json<serde_json::Value>, WebError> {
    let decision: lantoa_watch::Decision = b.decision.parse()?;
    let finding = state
        .watch
        .review(&ctx.actor(), id, decision, &b.note)
        .await?;
    Ok(Json(json!({ "finding": finding })))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReviewManyBody {
    ids: Vec<i64>,
    decision: String,
    #[serde(default)]
    note: String,
}

/// `POST /api/v1/watch/findings/review` (`{ids, decision, note}`): one decision on every
/// finding named, all or none.
pub async fn review_findings(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    ApiJson(b): ApiJson<ReviewManyBody>,
) -> Result<Json<serde_json::Value>, WebError> {
    let decision: lantoa_watch::Decision = b.decision.parse()?;
    let reviewed = state
        .watch
        .review_many(&ctx.actor(), &b.ids, decision, &b.note)
        .await?;
    Ok(Json(json!({ "reviewed": reviewed })))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OpenManyBody {
    subject_ids: Vec<i64>,
    category: String,
    note: String,
}

/// `POST /api/v1/watch/cases/bulk` (`{subject_ids, category, note}`): a case on each subject;
/// the cases opened and, for each subject refused, its code and reason. What is common (role,
/// category, note, how many) is checked first and refused opens none.
pub async fn open_cases(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    ApiJson(b): ApiJson<OpenManyBody>,
) -> Result<Json<serde_json::Value>, WebError> {
    let outcomes = state
        .watch
        .open_cases(
            &ctx.actor(),
            &ctx.roles(),
            &b.subject_ids,
            &b.category,
            &b.note,
        )
        .await?;
    let mut opened = Vec::new();
    let mut refused = Vec::new();
    for (subject_id, outcome) in outcomes {
        match outcome {
            Ok(case) => opened.push(case),
            Err(e) => {
                let e = WebError::said(&e);
                refused.push(json!({
                    "subject_id": subject_id, "code": e.code.code, "message": e.message,
                }));
            }
        }
    }
    Ok(Json(json!({ "opened": opened, "refused": refused })))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CaseParams {
    state: Option<String>,
    #[serde(default)]
    overdue: bool,
}

/// `GET /api/v1/watch/cases?state=&overdue=true`.
pub async fn list_cases(
    State(state): State<AppState>,
    Query(p): Query<CaseParams>,
) -> Result<Json<serde_json::Value>, WebError> {
    let cases = if p.overdue {
        state.watch.overdue_cases().await?
    } else {
        state.watch.cases(p.state.as_deref()).await?
    };
    Ok(Json(json!({ "cases": cases })))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OpenCaseBody {
    subject_id: i64,
    category: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    findings: Vec<i64>,
    note: String,
}

/// `POST /api/v1/watch/cases`: opens a case; 201 with it.
pub async fn open_case(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    ApiJson(b): ApiJson<OpenCaseBody>,
) -> Result<Response, WebError> {
    let new = lantoa_watch::NewCase {
        subject_id: b.subject_id,
        category: b.category,
        title: b.title,
        findings: b.findings,
        note: b.note,
    };
    let c = state
        .watch
        .open_case(&ctx.actor(), &ctx.roles(), &new)
        .await?;
    Ok((StatusCode::CREATED, Json(json!({ "case": c }))).into_response())
}

/// `GET /api/v1/watch/cases/{id}`: the case, its timeline and the steps the caller may take.
pub async fn get_case(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Path(id): Path<i64>,
) -> Result<Json<serde_json::Value>, WebError> {
    let c = state.watch.case(id).await?;
    let timeline = state.watch.case_timeline(id).await?;
    let next = state.watch.case_rules().next(&c.state, &ctx.roles());
    let documents = state.watch.case_documents(id).await?;
    let rechecks = state.watch.case_rechecks(id).await?;
    let sanction = state.watch.case_sanction(id).await?;
    Ok(Json(json!({
        "case": c, "timeline": timeline, "next": next, "documents": documents,
        "rechecks": rechecks, "sanction": sanction,
    })))
}

#[derive(Deserialize)]
pub struct DocumentBody {
    kind: String,
    #[serde(flatten)]
    input: serde_json::Map<String, serde_json::Value>,
}

/// `POST /api/v1/watch/cases/{id}/documents`: `{kind, date?, meeting_at?, place?, attendees?,
/// unit_attendees?, statement?, conclusion?, signer?, note?}`; the document issued.
pub async fn issue_document(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Path(id): Path<i64>,
    ApiJson(b): ApiJson<DocumentBody>,
) -> Result<Json<serde_json::Value>, WebError> {
    let kind = lantoa_watch::DocumentKind::parse(&b.kind).ok_or_else(|| {
        WebError::from(lantoa_watch::Error::invalid(
            "kind",
            Msg::new("document-bad-kind").arg("value", &b.kind),
        ))
    })?;
    let input: lantoa_watch::DocumentInput =
        serde_json::from_value(serde_json::Value::Object(b.input)).map_err(|e| {
            WebError::from(lantoa_watch::Error::invalid(
                "body",
                Msg::new("body-unreadable").arg("detail", e),
            ))
        })?;
    let d = state
        .watch
        .issue_document(&ctx.actor(), &ctx.roles(), id, kind, &input)
        .await?;
    Ok(Json(
        json!({ "document": d, "href": format!("/api/v1/watch/cases/{id}/documents/{}", d.id) }),
    ))
}

/// `GET /api/v1/watch/cases/{id}/documents/{doc}`: a document as issued (DOCX), for a token.
pub async fn case_document(
    State(state): State<AppState>,
    Path((id, doc)): Path<(i64, i64)>,
) -> Result<axum::response::Response, WebError> {
    crate::files::case_document(&state, id, doc).await
}

/// `POST /api/v1/watch/cases/{id}/fix`: `{due, note}` — the unit's commitment; the case and
/// the re-check scheduled.
pub async fn fix_case(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Path(id): Path<i64>,
    ApiJson(b): ApiJson<lantoa_watch::NewFix>,
) -> Result<Json<serde_json::Value>, WebError> {
    let (c, r) = state
        .watch
        .record_fix(&ctx.actor(), &ctx.roles(), id, &b)
        .await?;
    Ok(Json(json!({ "case": c, "recheck": r })))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MoveCaseBody {
    to: String,
    note: String,
}

/// `POST /api/v1/watch/cases/{id}/move`: `{to, note}`.
pub async fn move_case(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Path(id): Path<i64>,
    ApiJson(b): ApiJson<MoveCaseBody>,
) -> Result<Json<serde_json::Value>, WebError> {
    let c = state
        .watch
        .move_case(&ctx.actor(), &ctx.roles(), id, &b.to, &b.note)
        .await?;
    Ok(Json(json!({ "case": c })))
}

/// `POST /api/v1/watch/cases/{id}/sanction`: `{decision_no, decision_date, decree, article,
/// clause?, fine_vnd, remedies?, note}`; the case and the sanction.
pub async fn sanction_case(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Path(id): Path<i64>,
    ApiJson(b): ApiJson<lantoa_watch::NewSanction>,
) -> Result<Json<serde_json::Value>, WebError> {
    let (c, s) = state
        .watch
        .record_sanction(&ctx.actor(), &ctx.roles(), id, &b)
        .await?;
    Ok(Json(json!({ "case": c, "sanction": s })))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScoreParams {
    subject: Option<i64>,
    min: Option<f64>,
}

/// `GET /api/v1/watch/scores`.
pub async fn list_scores(
    State(state): State<AppState>,
    Query(p): Query<ScoreParams>,
) -> Result<Json<serde_json::Value>, WebError> {
    let scores = state.watch.scores(p.subject, p.min.unwrap_or(0.0)).await?;
    Ok(Json(json!({ "scores": scores })))
}

/// `POST /api/v1/watch/classifier/train`.
pub async fn train_classifier(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
) -> Result<Json<serde_json::Value>, WebError> {
    let (model, _) = state
        .watch
        .train(&ctx.actor(), state.crawler.blobs())
        .await?;
    Ok(Json(json!({ "model": model })))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OptOutBody {
    phone: String,
    #[serde(default = "api_source")]
    source: String,
}

fn api_source() -> String {
    "api".to_owned()
}

/// `POST /api/v1/notify/optouts`: a number that wants no non-emergency messages (a citizen's
/// request relayed by another system); 201 with the number in national form.
pub async fn opt_out(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    ApiJson(b): ApiJson<OptOutBody>,
) -> Result<Response, WebError> {
    let phone = state
        .notify
        .opt_out(&ctx.actor(), &b.phone, &b.source)
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(json!({ "phone": phone, "source": b.source })),
    )
        .into_response())
}

#[derive(Deserialize)]
pub struct OptOutImport {
    source: Option<String>,
}

/// `POST /api/v1/notify/optouts/import?source=dnc`: the body is a CSV or XLSX file with a phone
/// column (the national Do-Not-Call list); how many were new and every refused row.
pub async fn import_opt_outs(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Query(q): Query<OptOutImport>,
    body: Result<axum::body::Bytes, axum::extract::rejection::BytesRejection>,
) -> Result<Json<serde_json::Value>, WebError> {
    let body = body?;
    let source = q.source.unwrap_or_else(|| "dnc".to_owned());
    let (added, refused) = state
        .notify
        .import_optouts(&ctx.actor(), &body, &source)
        .await?;
    Ok(Json(json!({ "added": added, "refused": refused })))
}

#[derive(Deserialize)]
pub struct FiguresQuery {
    from: String,
    to: String,
}

/// A period of whole days in Hà Nội, `from` and `to` both included, as `[start, end)` µs.
fn period(q: &FiguresQuery) -> Result<(i64, i64), WebError> {
    let day = |field: &str, v: &str| {
        chrono::NaiveDate::parse_from_str(v.trim(), "%Y-%m-%d").map_err(|_| {
            WebError::invalid(
                "err-period-invalid",
                format!("{field}: {v:?} is not a date YYYY-MM-DD"),
            )
        })
    };
    let (from, to) = (day("from", &q.from)?, day("to", &q.to)?);
    if to < from {
        return Err(WebError::invalid(
            "err-period-invalid",
            "to: the period ends before it starts",
        ));
    }
    let micros = crate::measures::midnight;
    Ok((micros(from), micros(to + chrono::Duration::days(1))))
}

/// `GET /api/v1/notify/figures?from=YYYY-MM-DD&to=YYYY-MM-DD`: campaigns, recipients, segments
/// and delivered share for messages first accepted on those days (Hà Nội time, both included),
/// by topic and by operator — what the Reports module reads.
pub async fn notify_figures(
    State(state): State<AppState>,
    Query(q): Query<FiguresQuery>,
) -> Result<Response, WebError> {
    let (from, to) = period(&q)?;
    let f = state.notify.figures(from, to).await?;
    Ok(Json(f).into_response())
}

/// `GET /api/v1/watch/figures?from=YYYY-MM-DD&to=YYYY-MM-DD`: websites and clips reviewed,
/// sites with "báo hóa" signs, units invited, dossiers transferred, takedowns proposed and the
/// removal rate, sanctions and fines, on those days (Hà Nội time, both included).
pub async fn watch_figures(
    State(state): State<AppState>,
    Query(q): Query<FiguresQuery>,
) -> Result<Response, WebError> {
    let (from, to) = period(&q)?;
    Ok(Json(state.watch.figures(from, to).await?).into_response())
}

/// `POST /api/v1/notify/alerts`: issues an alert from JSON (the console form's fields: status,
/// msg_type, refers_to, category, event, urgency, severity, certainty, headline, description,
/// instruction, expires, communes, polygons, broadcast, sms_list, sms_body, speakers, feed);
/// 201 with it, or the field at fault and nothing kept. A live alert waits for a second person.
pub async fn issue_alert(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    ApiJson(new): ApiJson<lantoa_notify::NewAlert>,
) -> Result<Response, WebError> {
    let n = &state.notify;
    let sender = n.cap_sender()?;
    let a = n.issue_alert(&ctx.actor(), &sender, &new).await?;
    Ok((StatusCode::CREATED, Json(json!({ "alert": a }))).into_response())
}

/// `GET /api/v1/notify/alerts`: a page of alerts (`q`, `status`: CAP's, `state`: pending,
/// approved, refused; `sort`: newest, oldest, headline), tests and drills included, marked by
/// their status, without their XML; each one's CAP is at `/alerts/{id}/cap.xml` once public.
pub async fn alerts(
    State(state): State<AppState>,
    Query(p): Query<super::notify::PageParams>,
) -> Result<Json<serde_json::Value>, WebError> {
    let q = p.query(p.alert_sort()?);
    let (rows, total) = state.notify.alert_page(&q, &p.alert_filter()).await?;
    let rows: Vec<_> = rows
        .into_iter()
        .map(|mut a| {
            a.xml.clear();
            a
        })
        .collect();
    Ok(super::paged("alerts", rows, total, &q))
}

/// `POST /api/v1/notify/alerts/import`: the body is another agency's CAP 1.2 document; 201 with
/// the alert kept, or the element at fault and nothing kept.
pub async fn import_alert(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    body: Result<axum::body::Bytes, axum::extract::rejection::BytesRejection>,
) -> Result<Response, WebError> {
    let body = body?;
    // Read in the encoding the document declares (UTF-8, UTF-16, ISO-8859-1…).
    let a = state.notify.import_alert(&ctx.actor(), &body).await?;
    Ok((StatusCode::CREATED, Json(json!({ "alert": a }))).into_response())
}

/// `POST /api/v1/notify/alerts/{id}/{step}`: `approve` or `refuse` (a second person), or
/// `cancel` (the prepared Cancel, `{"note": "…"}` optional).
pub async fn alert_step(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Path((id, step)): Path<(i64, String)>,
    body: axum::body::Bytes,
) -> Result<Response, WebError> {
    let n = &state.notify;
    let actor = ctx.actor();
    let a = match step.as_str() {
        "approve" => n.approve_alert(&actor, id).await?,
        "refuse" => n.refuse_alert(&actor, id).await?,
        "cancel" => {
            let note = if body.is_empty() {
                String::new()
            } else {
                let b: serde_json::Value = serde_json::from_slice(&body)
                    .map_err(|e| WebError::malformed(e.to_string()))?;
                b.get("note")
                    .and_then(|v| v.as_str())
                    .unwrap_or_default()
                    .to_owned()
            };
            let sender = n.cap_sender()?;
            n.cancel_alert(&actor, &sender, id, &note).await?
        }
        other => {
            return Err(lantoa_notify::Error::NotFound {
                what: "step",
                id: other.to_owned(),
            }
            .into());
        }
    };
    Ok(Json(json!({ "alert": a })).into_response())
}
