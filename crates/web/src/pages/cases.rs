//! Watch case pages: the board of cases by state with the overdue ones first, and a case with
//! its timeline and the moves its viewer may make. Plain forms; no script.

use axum::Extension;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use lantoa_core::role::Role;
use lantoa_watch::{ListQuery, NewCase};
use serde::Deserialize;

use super::{FormPairs, flash, form_error};
use crate::ctx::Ctx;
use crate::error::WebError;
use crate::{AppState, view};

/// Who may open a case (the service checks the same).
const OPENERS: &[Role] = &[Role::Admin, Role::WatchOfficer];

/// Who may issue a case's documents (the service checks the same).
const DOCUMENT_ISSUERS: &[Role] = &[
    Role::Admin,
    Role::WatchOfficer,
    Role::Approver,
    Role::Inspector,
];

#[derive(Deserialize, Default)]
pub struct BoardQuery {
    flash: Option<String>,
    /// With `kind` (a case figure: `invited`, `transferred`…), the first and last day of the
    /// cases it counts, as a report links to them.
    from: Option<String>,
    /// The last day.
    to: Option<String>,
    /// The case figure.
    kind: Option<String>,
    /// Prefill the open form for this subject…
    subject: Option<i64>,
    /// …and category, with the subject's findings in it that were not dismissed.
    category: Option<String>,
    /// Every case in this state, a page at a time.
    state: Option<String>,
    /// The page of that list, from 0.
    page: Option<i64>,
    /// That list's order (`newest`, `oldest`, `due`).
    sort: Option<String>,
    /// Words of a subject's name or address, to choose the subject of a new case among those
    /// that match (a city watches thousands).
    subject_q: Option<String>,
}

/// Cases shown in each state's row of the board; the rest are a link away.
const BOARD_SHOWN: i64 = 10;
/// Cases a page of one state's list.
const STATE_PAGE: i64 = 50;
/// Subjects offered to open a case on, those that match the search first.
const SUBJECT_CHOICES: i64 = 50;

/// The open form filled for a subject and category from the findings page: the subject's
/// findings in that category that reviewers did not dismiss.
async fn prefill(state: &AppState, q: &BoardQuery) -> Result<minijinja::Value, WebError> {
    let (Some(subject), Some(category)) = (q.subject, q.category.as_deref()) else {
        return Ok(minijinja::Value::UNDEFINED);
    };
    let findings: Vec<i64> = state
        .watch
        .findings(&lantoa_watch::FindingQuery {
            subject_id: Some(subject),
            status: None,
            category: Some(crate::error::parse_category(category)?),
            limit: 500,
            offset: 0,
            sort: Default::default(),
        })
        .await?
        .into_iter()
        .filter(|f| f.status != "dismissed")
        .map(|f| f.id)
        .collect();
    let list = findings
        .iter()
        .map(i64::to_string)
        .collect::<Vec<_>>()
        .join(",");
    Ok(minijinja::context! {
        subject_id => subject, category => category, title => "", note => "",
        findings => findings, findings_list => list,
    })
}

/// The board: per state its count and newest cases (the rest a link away), the overdue ones,
/// one state's cases a page at a time when asked, and the subjects to open a case on (those
/// matching the search, and the one the form is filled for).
async fn board_context(
    state: &AppState,
    ctx: &Ctx,
    q: &BoardQuery,
) -> Result<minijinja::Value, WebError> {
    let w = &state.watch;
    let counts = w.case_counts().await?;
    let overdue = w.overdue_cases().await?;
    let mut columns = Vec::new();
    for s in w.case_rules().states() {
        let count = counts.get(&s.id).copied().unwrap_or(0);
        // The count is known from `counts`: only the newest are read.
        let shown = if count > 0 {
            w.cases_in(Some(&s.id), BOARD_SHOWN, 0).await?
        } else {
            Vec::new()
        };
        columns.push(minijinja::context! {
            state => s, count => count, cases => shown, more => count > BOARD_SHOWN,
        });
    }
    let listed = match q.state.as_deref().filter(|s| !s.is_empty()) {
        Some(s) => {
            let page = q.page.unwrap_or(0).max(0);
            let sort = lantoa_watch::CaseSort::parse(q.sort.as_deref().unwrap_or(""))?;
            let (cases, total) = w
                .cases_page(Some(s), sort, STATE_PAGE, page * STATE_PAGE)
                .await?;
            let (prev_url, next_url) = super::pager(
                "/watch/cases",
                &[
                    ("state", s.to_owned()),
                    ("sort", q.sort.clone().unwrap_or_default()),
                ],
                page,
                STATE_PAGE,
                total,
            );
            Some(minijinja::context! {
                sort => sort.as_str(),
                sorts => lantoa_watch::CaseSort::ALL.iter().map(|o| o.as_str()).collect::<Vec<_>>(),
                state => s, cases => cases, total => total, prev_url => prev_url,
                next_url => next_url, first => page * STATE_PAGE + 1,
                last => (page * STATE_PAGE + STATE_PAGE).min(total),
            })
        }
        None => None,
    };
    let can_open = ctx.has_any(OPENERS);
    let subject_q = q.subject_q.clone().unwrap_or_default();
    let subjects = if can_open {
        let (mut found, matching) = w
            .list(&ListQuery {
                kind: None,
                q: Some(subject_q.trim().to_owned()).filter(|s| !s.is_empty()),
                limit: SUBJECT_CHOICES,
                offset: 0,
                sort: lantoa_watch::SubjectSort::Name,
            })
            .await?;
        // The subject the form is filled for stays a choice, whatever the search.
        if let Some(id) = q.subject
            && !found.iter().any(|s| s.id == id)
            && let Ok(chosen) = w.get(id).await
        {
            found.insert(0, chosen);
        }
        minijinja::context! { list => found, matching => matching, q => subject_q }
    } else {
        minijinja::context! {}
    };
    Ok(minijinja::context! {
        columns => columns, overdue => overdue, total => counts.values().sum::<i64>(),
        listed => listed, can_open => can_open, subjects => subjects,
        categories => lantoa_watch::cases::CATEGORIES,
    })
}

/// `GET /watch/cases`: every case by state, the overdue ones listed first, and the form to
/// open one.
pub async fn board(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Query(q): Query<BoardQuery>,
) -> Result<Response, WebError> {
    let extra = board_context(&state, &ctx, &q).await?;
    let echo = prefill(&state, &q).await?;
    let span = super::Span {
        from: q.from.clone(),
        to: q.to.clone(),
        kind: q.kind.clone(),
    };
    let counted = match (span.micros()?, q.kind.as_deref()) {
        (Some((from, to)), Some(kind)) => Some(state.watch.cases_counted(kind, from, to).await?),
        (Some(_), None) => {
            return Err(lantoa_watch::Error::invalid(
                "kind",
                lantoa_core::Msg::new("case-figure-needed"),
            )
            .into());
        }
        _ => None,
    };
    Ok(view::page(
        "watch_cases.html",
        &ctx,
        "watch",
        minijinja::context! {
            flash => flash(q.flash.as_deref()), echo => echo, counted => counted, span => span,
            ..extra
        },
    )?
    .into_response())
}

#[derive(Deserialize, Default)]
pub struct ExportQuery {
    /// Only the cases in this step.
    state: Option<String>,
    /// The order (`newest`, `oldest`, `due`).
    sort: Option<String>,
}

/// Every case (of one step with `state`), newest first, as a table: subject, category and
/// step by name, opened, the step's deadline, open or closed.
async fn cases_sheet(
    state: &AppState,
    ctx: &Ctx,
    q: &ExportQuery,
) -> Result<crate::export::Sheet, WebError> {
    use crate::export::Cell;
    let step = q.state.as_deref().filter(|s| !s.is_empty());
    let sort = lantoa_watch::CaseSort::parse(q.sort.as_deref().unwrap_or(""))?;
    let mut sheet = crate::export::Sheet {
        file: "ho-so".into(),
        headers: [
            "Số",
            "Tiêu đề",
            "Đối tượng",
            "Loại vi phạm",
            "Bước",
            "Ngày mở",
            "Hạn của bước",
            "Đang mở",
        ]
        .map(str::to_owned)
        .to_vec(),
        rows: Vec::new(),
    };
    let mut names: std::collections::HashMap<i64, String> = std::collections::HashMap::new();
    let day = |micros: i64| {
        Some(lantoa_core::time::local_date(
            lantoa_core::time::from_micros(micros),
        ))
    };
    let mut offset = 0;
    loop {
        let (cases, total) = state.watch.cases_page(step, sort, 500, offset).await?;
        for c in &cases {
            if let std::collections::hash_map::Entry::Vacant(e) = names.entry(c.subject_id) {
                e.insert(state.watch.get(c.subject_id).await?.name);
            }
            let step_name = format!("case-state-{}", c.state);
            sheet.rows.push(vec![
                Cell::from(c.id),
                Cell::from(c.title.as_str()),
                Cell::from(names.get(&c.subject_id).cloned().unwrap_or_default()),
                Cell::from(ctx.t(&format!("category-{}", c.category))),
                Cell::from(if crate::i18n::has(&step_name) {
                    ctx.t(&step_name)
                } else {
                    c.state.clone()
                }),
                Cell::from(day(c.opened_at)),
                Cell::from(c.due_at.and_then(day)),
                Cell::from(if c.open { ctx.t("yes") } else { String::new() }),
            ]);
        }
        offset += 500;
        if cases.is_empty() || offset >= total || sheet.cut(ctx.t("export-cut")) {
            break;
        }
    }
    Ok(sheet)
}

crate::export::downloads!(ExportQuery, cases_sheet, cases_csv, cases_xlsx);

/// `POST /watch/cases/bulk` (form: `subject_ids` once per chosen subject, `category`, `note`):
/// a case on each chosen subject; the page lists what opened and, for each subject refused,
/// why (the others open all the same).
pub async fn open_many(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    form: FormPairs,
) -> Result<Response, WebError> {
    let ids = form
        .all("subject_ids")
        .iter()
        .map(|v| {
            v.trim().parse::<i64>().map_err(|_| {
                lantoa_watch::Error::invalid(
                    "subject_ids",
                    lantoa_core::Msg::new("subject-bad-number").arg("value", v),
                )
            })
        })
        .collect::<Result<Vec<i64>, _>>()?;
    let outcomes = state
        .watch
        .open_cases(
            &ctx.actor(),
            &ctx.roles(),
            &ids,
            &form.get("category"),
            &form.get("note"),
        )
        .await?;
    let opened = outcomes.iter().filter(|(_, o)| o.is_ok()).count();
    let mut rows = Vec::with_capacity(outcomes.len());
    for (subject_id, outcome) in outcomes {
        let name = state.watch.get(subject_id).await.ok().map(|s| s.name);
        rows.push(match outcome {
            Ok(case) => minijinja::context! { subject_id, name, case },
            Err(e) => minijinja::context! {
                subject_id, name,
                refused => crate::i18n::msg(ctx.lang, &lantoa_core::msg::Describe::message(&e)),
            },
        });
    }
    Ok(view::page(
        "watch_cases_bulk.html",
        &ctx,
        "watch",
        minijinja::context! {
            rows => rows, opened => opened, category => form.get("category"),
        },
    )?
    .into_response())
}

/// `POST /watch/cases` (form: `subject_id`, `category`, `title`, `note`, and `findings`: ids
/// separated by commas): opens a case.
pub async fn open(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    form: FormPairs,
) -> Result<Response, WebError> {
    let listed = form.get("findings");
    let parsed = lantoa_watch::finding_ids("findings", listed.split(','));
    let new = NewCase {
        subject_id: form.get("subject_id").parse().unwrap_or(0),
        category: form.get("category"),
        title: form.get("title"),
        findings: parsed.as_ref().map(Clone::clone).unwrap_or_default(),
        note: form.get("note"),
    };
    let opened = match parsed {
        Ok(_) => {
            state
                .watch
                .open_case(&ctx.actor(), &ctx.roles(), &new)
                .await
        }
        Err(e) => Err(e),
    };
    match opened {
        Ok(c) => Ok(
            Redirect::to(&format!("/watch/cases/{}?flash=flash-case-opened", c.id)).into_response(),
        ),
        Err(e) => {
            let kept = BoardQuery {
                subject: Some(new.subject_id),
                ..BoardQuery::default()
            };
            let extra = board_context(&state, &ctx, &kept).await?;
            let echo = minijinja::context! {
                subject_id => new.subject_id, category => new.category,
                title => new.title, note => new.note,
                findings => new.findings, findings_list => listed,
            };
            Ok(form_error(
                "watch_cases.html",
                &ctx,
                "watch",
                minijinja::context! { echo => echo, ..extra },
                e.into(),
            ))
        }
    }
}

async fn case_context(state: &AppState, ctx: &Ctx, id: i64) -> Result<minijinja::Value, WebError> {
    let w = &state.watch;
    let c = w.case(id).await?;
    let subject = w.get(c.subject_id).await?;
    let timeline = w.case_timeline(id).await?;
    // Steps that record something (a sanction, a commitment to fix) have a form of their own.
    let requires = |s: &str| {
        w.case_rules()
            .state(s)
            .and_then(|st| st.requires.clone())
            .unwrap_or_default()
    };
    let all_next: Vec<String> = w
        .case_rules()
        .next(&c.state, &ctx.roles())
        .into_iter()
        .map(str::to_owned)
        .collect();
    let next: Vec<&String> = all_next.iter().filter(|s| requires(s).is_empty()).collect();
    let sanction_to: Vec<&String> = all_next
        .iter()
        .filter(|s| requires(s) == "sanction")
        .collect();
    let fix_to: Vec<&String> = all_next
        .iter()
        .filter(|s| requires(s) == "recheck")
        .collect();
    let documents: Vec<minijinja::Value> = w
        .case_documents(c.id)
        .await?
        .into_iter()
        .map(|d| {
            minijinja::context! { reference => d.reference(), ..minijinja::Value::from_serialize(&d) }
        })
        .collect();
    let rechecks = w.case_rechecks(c.id).await?;
    let may_issue = ctx.roles().iter().any(|r| DOCUMENT_ISSUERS.contains(r));
    let kinds: Vec<String> = if may_issue {
        w.case_rules()
            .state(&c.state)
            .map(|s| s.documents.clone())
            .unwrap_or_default()
    } else {
        Vec::new()
    };
    let findings = w.case_findings(&c).await?;
    let sanction = w.case_sanction(c.id).await?;
    let history = match subject.managing_unit_id {
        Some(unit) => w.unit_sanctions(unit).await?,
        None => Vec::new(),
    };
    let overdue = w.is_overdue(&c);
    Ok(minijinja::context! {
        case => c, subject => subject, timeline => timeline, next => next, overdue => overdue,
        sanction_to => sanction_to.first(), sanction => sanction, history => history,
        fix_to => fix_to.first(), documents => documents, rechecks => rechecks, kinds => kinds,
        evidence => findings, rules => super::watch::rule_names(state),
    })
}

/// `GET /watch/cases/{id}`: a case, its subject and findings, its timeline, and the moves the
/// viewer's roles allow from its state.
pub async fn case(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Path(id): Path<i64>,
    Query(q): Query<BoardQuery>,
) -> Result<Response, WebError> {
    let extra = case_context(&state, &ctx, id).await?;
    Ok(view::page(
        "watch_case.html",
        &ctx,
        "watch",
        minijinja::context! { flash => flash(q.flash.as_deref()), ..extra },
    )?
    .into_response())
}

/// `POST /watch/cases/{id}/move` (form: `to`, `note`): moves a case if the workflow allows it
/// from its state to the viewer's roles; otherwise the page again with the reason.
pub async fn move_case(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Path(id): Path<i64>,
    form: FormPairs,
) -> Result<Response, WebError> {
    match state
        .watch
        .move_case(
            &ctx.actor(),
            &ctx.roles(),
            id,
            &form.get("to"),
            &form.get("note"),
        )
        .await
    {
        Ok(c) => Ok(
            Redirect::to(&format!("/watch/cases/{}?flash=flash-case-moved", c.id)).into_response(),
        ),
        Err(e) => {
            let extra = case_context(&state, &ctx, id).await?;
            Ok(form_error(
                "watch_case.html",
                &ctx,
                "watch",
                minijinja::context! { note => form.get("note"), ..extra },
                e.into(),
            ))
        }
    }
}

/// `POST /watch/cases/{id}/sanction` (form: `decision_no`, `decision_date`, `decree`,
/// `article`, `clause`, `fine_vnd`, `remedies`, `note`): records the Inspectorate's decision
/// and moves the case with it; otherwise the page again with the field at fault.
pub async fn sanction(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Path(id): Path<i64>,
    form: FormPairs,
) -> Result<Response, WebError> {
    let fine = form.get("fine_vnd").replace(['.', ',', ' '], "");
    let new = lantoa_watch::NewSanction {
        decision_no: form.get("decision_no"),
        decision_date: form.get("decision_date"),
        decree: form.get("decree"),
        article: form.get("article"),
        clause: form.get("clause"),
        fine_vnd: fine.parse().unwrap_or(-1),
        remedies: form.get("remedies"),
        note: form.get("note"),
    };
    match state
        .watch
        .record_sanction(&ctx.actor(), &ctx.roles(), id, &new)
        .await
    {
        Ok((c, _)) => Ok(Redirect::to(&format!(
            "/watch/cases/{}?flash=flash-case-sanctioned",
            c.id
        ))
        .into_response()),
        Err(e) => {
            let extra = case_context(&state, &ctx, id).await?;
            let echo = minijinja::context! {
                decision_no => new.decision_no, decision_date => new.decision_date,
                decree => new.decree, article => new.article, clause => new.clause,
                fine_vnd => form.get("fine_vnd"), remedies => new.remedies, note => new.note,
            };
            Ok(form_error(
                "watch_case.html",
                &ctx,
                "watch",
                minijinja::context! { echo => echo, ..extra },
                e.into(),
            ))
        }
    }
}

/// The page again with `e` and the form's values, or on success a redirect with `flash`.
async fn after_form<T>(
    state: &AppState,
    ctx: &Ctx,
    id: i64,
    result: Result<T, lantoa_watch::Error>,
    flash: &str,
    echo: minijinja::Value,
) -> Result<Response, WebError> {
    match result {
        Ok(_) => Ok(Redirect::to(&format!("/watch/cases/{id}?flash={flash}")).into_response()),
        Err(e) => {
            let extra = case_context(state, ctx, id).await?;
            Ok(form_error(
                "watch_case.html",
                ctx,
                "watch",
                minijinja::context! { echo => echo, ..extra },
                e.into(),
            ))
        }
    }
}

/// `POST /watch/cases/{id}/documents` (form: `kind` and the kind's fields): issues a document
/// in the Decree 30/2020 form; otherwise the page again naming the field at fault.
pub async fn issue_document(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Path(id): Path<i64>,
    form: FormPairs,
) -> Result<Response, WebError> {
    let input = lantoa_watch::DocumentInput {
        date: form.get("date"),
        meeting_at: form.get("meeting_at").replace('T', " "),
        place: form.get("place"),
        attendees: form.get("attendees"),
        unit_attendees: form.get("unit_attendees"),
        statement: form.get("statement"),
        conclusion: form.get("conclusion"),
        signer: form.get("signer"),
        signer_title: form.get("signer_title"),
        note: form.get("note"),
    };
    let kind = form.get("kind");
    let result = match lantoa_watch::DocumentKind::parse(&kind) {
        Some(k) => {
            state
                .watch
                .issue_document(&ctx.actor(), &ctx.roles(), id, k, &input)
                .await
        }
        None => Err(lantoa_watch::Error::invalid(
            "kind",
            lantoa_core::Msg::new("document-bad-kind").arg("value", &kind),
        )),
    };
    let echo = minijinja::context! {
        kind => kind, date => input.date, meeting_at => form.get("meeting_at"),
        place => input.place, attendees => input.attendees,
        unit_attendees => input.unit_attendees, statement => input.statement,
        conclusion => input.conclusion, signer => input.signer,
        signer_title => input.signer_title, note => input.note,
    };
    after_form(&state, &ctx, id, result, "flash-case-document", echo).await
}

/// `POST /watch/cases/{id}/fix` (form: `due`, `note`): records the unit's commitment to fix
/// by a date; the re-check is scheduled for it.
pub async fn fix(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Path(id): Path<i64>,
    form: FormPairs,
) -> Result<Response, WebError> {
    let new = lantoa_watch::NewFix {
        due: form.get("due"),
        note: form.get("note"),
    };
    let result = state
        .watch
        .record_fix(&ctx.actor(), &ctx.roles(), id, &new)
        .await;
    let echo = minijinja::context! { due => new.due, fix_note => new.note };
    after_form(&state, &ctx, id, result, "flash-case-fixed", echo).await
}

/// `GET /watch/cases/{id}/documents/{doc}`: the DOCX as issued.
pub async fn document(
    State(state): State<AppState>,
    Path((id, doc)): Path<(i64, i64)>,
) -> Result<Response, WebError> {
    crate::files::case_document(&state, id, doc).await
}

/// `GET /watch/cases/{id}/dossier`: the evidence dossier (ZIP with its SHA-256 manifest).
pub async fn dossier(
    State(state): State<AppState>,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let bytes = state.watch.dossier(id).await?;
    Ok(crate::files::attachment(
        lantoa_watch::dossier::MEDIA_TYPE,
        &format!("ho-so-vu-viec-{id}.zip"),
        bytes,
    ))
}
