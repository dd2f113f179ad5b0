//! Notify pages: recipient lists with the rows they refused, campaigns from draft to approval
//! with the plan an approver must see.

use std::collections::BTreeMap;

use axum::Extension;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use lantoa_core::role::Role;
use lantoa_notify::NewCampaign;

use lantoa_notify::browse::{CampaignFilter, CampaignSort, ListSort, PageQuery};

use super::browse::Browse;
use super::{FormPairs, flash, form_error};
use crate::ctx::Ctx;
use crate::error::WebError;
use crate::export::{Cell, Sheet};
use crate::routes::NOTIFY_AUTHORS;
use crate::{AppState, view};

/// The city's communes and wards as `{code, name}` for a form's choice.
pub(crate) fn commune_choices(n: &lantoa_notify::Notify) -> Vec<minijinja::Value> {
    n.communes()
        .all()
        .iter()
        .map(|(code, name)| minijinja::context! { code => code, name => name })
        .collect()
}

/// The communes a form chose: those ticked in its list (`communes`) and those typed by name or
/// code (`communes_typed`, [`lantoa_notify::audience::Communes::codes_typed`]); and why the
/// typed ones cannot be read, if so (the ticked ones are kept to show the form again).
pub(crate) fn chosen_communes(
    n: &lantoa_notify::Notify,
    form: &FormPairs,
) -> (Vec<String>, Result<(), lantoa_notify::Error>) {
    let mut chosen: Vec<String> = form
        .all("communes")
        .into_iter()
        .filter(|c| !c.trim().is_empty())
        .collect();
    match n
        .communes()
        .codes_typed("communes", &form.get("communes_typed"))
    {
        Ok(typed) => {
            for code in typed {
                if !chosen.contains(&code) {
                    chosen.push(code);
                }
            }
            (chosen, Ok(()))
        }
        Err(e) => (chosen, Err(e)),
    }
}

/// The newest recipient lists shown on the module's first page (the draft form offers as many
/// as a page holds at most, [`lantoa_notify::browse::PAGE_MAX`]).
const LISTS_SHOWN: i64 = 10;

/// The module's first page: the campaigns `p` asks for, the newest lists, the forms' choices.
async fn home_context(state: &AppState, p: &Browse) -> Result<minijinja::Value, WebError> {
    let campaigns = campaigns_context(state, p).await?;
    let n = &state.notify;
    let (lists, lists_total) = n.list_page(&PageQuery::first(ListSort::Newest)).await?;
    let communes = super::notify::commune_choices(n);
    Ok(minijinja::context! {
        lists => lists, lists_total => lists_total, lists_shown => LISTS_SHOWN,
        communes => communes,
        topics => lantoa_notify::topics::Topics::shipped()
            .map_err(|e| WebError::internal(e.to_string()))?
            .all(),
        max_segments => n.rules().max_segments, sources => lantoa_notify::OPTOUT_SOURCES,
        ..campaigns
    })
}

/// A page of campaigns by the request's search, state, emergency and order, with the controls.
async fn campaigns_context(state: &AppState, p: &Browse) -> Result<minijinja::Value, WebError> {
    let sort = CampaignSort::parse(p.sort_name())?;
    let (campaigns, total) = state
        .notify
        .campaign_page(&p.query(sort), &campaign_filter(p))
        .await?;
    Ok(minijinja::context! {
        campaigns => campaigns,
        statuses => lantoa_notify::browse::CAMPAIGN_STATUSES,
        lc => p.controls("/notify", "/notify/campaigns", total, sort.as_str(), CampaignSort::names()),
    })
}

fn campaign_filter(p: &Browse) -> CampaignFilter {
    CampaignFilter {
        status: p.status.clone(),
        emergency: p.emergency_only(),
    }
}

/// Every campaign the list's filters select, as a table: topic and state in words, the days
/// drafted and finished.
async fn campaigns_sheet(state: &AppState, ctx: &Ctx, p: &Browse) -> Result<Sheet, WebError> {
    let n = &state.notify;
    let sort = CampaignSort::parse(p.sort_name())?;
    let filter = &campaign_filter(p);
    let topics =
        lantoa_notify::topics::Topics::shipped().map_err(|e| WebError::internal(e.to_string()))?;
    super::browse::sheet(
        ctx,
        "chien-dich-tin-nhan",
        &[
            "Số",
            "Tên",
            "Chủ đề",
            "Tên định danh",
            "Khẩn cấp",
            "Trạng thái",
            "Người soạn",
            "Ngày soạn",
            "Ngày gửi xong",
        ],
        p,
        sort,
        |q| async move { n.campaign_page(&q, filter).await },
        |c: &lantoa_notify::Campaign| {
            vec![
                Cell::from(c.id),
                Cell::from(c.name.as_str()),
                Cell::from(topics.name(&c.topic, ctx.lang)),
                Cell::from(c.brandname.as_str()),
                Cell::from(if c.emergency { "có" } else { "" }),
                Cell::from(ctx.t(&format!("nt-status-{}", c.status))),
                Cell::from(c.created_by.as_str()),
                super::browse::day(c.created_at),
                c.finished_at.map_or(Cell::Empty, super::browse::day),
            ]
        },
    )
    .await
}

crate::export::downloads!(Browse, campaigns_sheet, campaigns_csv, campaigns_xlsx);

/// `GET /notify/lists`: every recipient list, a page at a time, searched and ordered.
pub async fn lists(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Query(p): Query<Browse>,
) -> Result<Response, WebError> {
    let sort = ListSort::parse(p.sort_name())?;
    let (lists, total) = state.notify.list_page(&p.query(sort)).await?;
    Ok(view::page(
        "notify_lists.html",
        &ctx,
        "notify",
        minijinja::context! {
            lists => lists, can_draft => ctx.has_any(NOTIFY_AUTHORS),
            lc => p.controls("/notify/lists", "/notify/lists", total, sort.as_str(), ListSort::names()),
        },
    )?
    .into_response())
}

/// Every recipient list the search selects, as a table.
async fn lists_sheet(state: &AppState, ctx: &Ctx, p: &Browse) -> Result<Sheet, WebError> {
    let n = &state.notify;
    let sort = ListSort::parse(p.sort_name())?;
    super::browse::sheet(
        ctx,
        "danh-sach-nguoi-nhan",
        &[
            "Số",
            "Tên",
            "Tệp",
            "Số dòng",
            "Người nhận",
            "Trùng",
            "Dòng bị từ chối",
            "Người nhập",
            "Ngày nhập",
        ],
        p,
        sort,
        |q| async move { n.list_page(&q).await },
        |l: &lantoa_notify::List| {
            vec![
                Cell::from(l.id),
                Cell::from(l.name.as_str()),
                Cell::from(l.file_name.as_str()),
                Cell::from(l.rows),
                Cell::from(l.recipients),
                Cell::from(l.duplicates),
                Cell::from(l.refused_rows),
                Cell::from(l.created_by.as_str()),
                super::browse::day(l.created_at),
            ]
        },
    )
    .await
}

crate::export::downloads!(Browse, lists_sheet, lists_csv, lists_xlsx);

#[derive(serde::Deserialize, Default)]
pub struct Flash {
    flash: Option<String>,
}

/// `GET /notify`: campaigns a page at a time (searched, filtered by state, ordered), the newest
/// recipient lists, and the forms to import a list and draft a campaign.
pub async fn home(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Query(q): Query<Browse>,
) -> Result<Response, WebError> {
    let extra = home_context(&state, &q).await?;
    let span = q.span();
    let sent = match span.micros()? {
        Some((from, to)) => Some(state.notify.campaigns_sent_between(from, to).await?),
        None => None,
    };
    Ok(view::page(
        "notify.html",
        &ctx,
        "notify",
        minijinja::context! {
            can_draft => ctx.has_any(NOTIFY_AUTHORS), flash => flash(q.flash.as_deref()),
            span => span, sent => sent, ..extra
        },
    )?
    .into_response())
}

/// `POST /notify/lists`: a list file (multipart `file`, and `name`) read row by row; the list's
/// page then shows every row refused and why.
pub async fn import_list(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    headers: axum::http::HeaderMap,
    body: axum::body::Body,
) -> Result<Response, WebError> {
    let n = &state.notify;
    let (fields, file) = crate::upload::read_small(&state, &headers, body).await?;
    let name = FormPairs(fields).get("name");
    let (file_name, bytes) = file.ok_or_else(|| {
        WebError::invalid(
            "err-no-file",
            "choose a CSV or XLSX file of phone numbers (field 'file')",
        )
    })?;
    let (list, _) = n
        .import_list(&ctx.actor(), &name, &file_name, &bytes[..])
        .await?;
    Ok(Redirect::to(&format!(
        "/notify/lists/{}?flash=flash-list-imported",
        list.id
    ))
    .into_response())
}

/// `GET /notify/lists/{id}`: a list's counts per operator and every refused row with its reason.
pub async fn list(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Path(id): Path<i64>,
    Query(q): Query<Flash>,
) -> Result<Response, WebError> {
    let list = state.notify.list(id).await?;
    Ok(view::page(
        "notify_list.html",
        &ctx,
        "notify",
        minijinja::context! {
            list => list, operators => operator_names(&state.notify),
            flash => flash(q.flash.as_deref()),
        },
    )?
    .into_response())
}

/// `POST /notify/campaigns`: drafts a campaign; a bad field re-shows the form with what was
/// typed.
pub async fn create(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    form: FormPairs,
) -> Result<Response, WebError> {
    let n = &state.notify;
    let preview = form.get("preview") == "1";
    let (communes, typed) = chosen_communes(n, &form);
    let new = NewCampaign {
        name: form.get("name"),
        topic: form.get("topic"),
        brandname: form.get("brandname"),
        body: form.get("body"),
        list_id: form.get("list_id").parse().unwrap_or(0),
        communes,
        emergency: form.get("emergency") == "on",
        resend_uncertain: form.get("resend_uncertain") == "on",
    };
    let echo = |extra: minijinja::Value| {
        minijinja::context! {
            can_draft => true,
            echo => minijinja::context! {
                name => new.name, topic => new.topic, brandname => new.brandname,
                body => new.body, list_id => new.list_id, communes => new.communes,
                communes_typed => form.get("communes_typed"),
                emergency => new.emergency, resend_uncertain => new.resend_uncertain,
            },
            ..extra
        }
    };
    if preview {
        // "Preview cost" without JavaScript: the form again, as typed, with the figures.
        let cost = cost_context(&state, &ctx, &new.body, Some(new.list_id)).await?;
        let extra = home_context(&state, &Browse::default()).await?;
        return Ok(view::page(
            "notify.html",
            &ctx,
            "notify",
            echo(minijinja::context! { ..cost, ..extra }),
        )?
        .into_response());
    }
    let made = match typed {
        Ok(()) => n.create_campaign(&ctx.actor(), &new).await,
        Err(e) => Err(e),
    };
    match made {
        Ok(c) => Ok(Redirect::to(&format!(
            "/notify/campaigns/{}?flash=flash-campaign-drafted",
            c.id
        ))
        .into_response()),
        Err(e) => {
            let extra = home_context(&state, &Browse::default()).await?;
            Ok(form_error(
                "notify.html",
                &ctx,
                "notify",
                echo(extra),
                e.into(),
            ))
        }
    }
}

/// The estimate of a text on a list for `notify_cost.html`, or why the text cannot be sent.
async fn cost_context(
    state: &AppState,
    ctx: &Ctx,
    body: &str,
    list: Option<i64>,
) -> Result<minijinja::Value, WebError> {
    let n = &state.notify;
    let max_segments = n.rules().max_segments;
    if body.trim().is_empty() {
        return Ok(minijinja::context! { max_segments => max_segments });
    }
    Ok(match n.estimate(body, list).await {
        Ok(e) => minijinja::context! { estimate => e, max_segments => max_segments },
        Err(e) => {
            minijinja::context! {
                cost_error => WebError::from(e).console_message(ctx.lang),
                max_segments => max_segments,
            }
        }
    })
}

#[derive(serde::Deserialize)]
pub struct CostQuery {
    #[serde(default)]
    body: String,
    list_id: Option<i64>,
}

/// `GET /notify/cost?body=&list_id=`: the cost line of the draft form for this text (an HTML
/// fragment the form's script puts in place as the text is typed).
pub async fn cost(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Query(q): Query<CostQuery>,
) -> Result<Response, WebError> {
    let extra = cost_context(&state, &ctx, &q.body, q.list_id).await?;
    Ok(view::page("notify_cost.html", &ctx, "notify", extra)?.into_response())
}

async fn campaign_context(
    state: &AppState,
    ctx: &Ctx,
    id: i64,
) -> Result<minijinja::Value, WebError> {
    let n = &state.notify;
    let c = n.campaign(id).await?;
    let plan = n.plan(id).await?;
    let list = n.list(c.list_id).await?;
    let me = ctx.actor();
    let author = lantoa_core::actor::same_person(&c.created_by, &me);
    let progress = match c.started_at {
        Some(_) => Some(n.progress(id, false).await?),
        None => None,
    };
    let tested = n.progress(id, true).await?;
    let (newest, _) = n.list_page(&PageQuery::first(ListSort::Newest)).await?;
    let test_lists: Vec<_> = newest
        .into_iter()
        .filter(|l| l.recipients <= lantoa_notify::TEST_LIST_MAX)
        .collect();
    let operators = operator_names(n);
    let chart = progress
        .as_ref()
        .map(|p| progress_chart(p, &operators, ctx.lang));
    let steps = n.steps_for(ctx.taker(&me), &c);
    Ok(minijinja::context! {
        campaign => c.clone(), plan => plan, list => list,
        bulletins => n.campaign_bulletins(id).await?,
        progress => progress, chart => chart, binds => n.binds().await?,
        operators => operators,
        tested => (tested.total.recipients > 0).then_some(tested),
        test_lists => test_lists,
        can_test => matches!(c.status.as_str(), "draft" | "pending")
            && ctx.has_any(&[Role::Approver, Role::Admin, Role::Communicator]),
        refresh => c.status == "sending",
        held_until => n.held_until(&c),
        queue_step => n.queue_step_size(),
        can_submit => steps.contains(&"submit"),
        can_decide => steps.contains(&"approve"),
        can_cancel => steps.contains(&"cancel"),
        is_author => author,
        // What the one click changes: the text as written, fields and all.
        can_unaccent => author && c.status == "draft"
            && lantoa_notify::message::unaccented(&c.body) != c.body,
        diff => lantoa_notify::message::unaccented_diff(&c.body),
    })
}

/// Each operator's name by its id, from the numbering plan (`data/operators.toml`): pages show
/// "VinaPhone", not `vinaphone`.
fn operator_names(n: &lantoa_notify::Notify) -> BTreeMap<String, String> {
    n.numbering_plan()
        .operators()
        .iter()
        .map(|o| (o.id.clone(), o.name.clone()))
        .collect()
}

/// A stacked bar per operator (delivered, submitted, failed or uncertain, still to go), as SVG
/// drawn on the server so the page needs no script.
fn progress_chart(
    p: &lantoa_notify::Progress,
    operators: &BTreeMap<String, String>,
    lang: crate::i18n::Lang,
) -> String {
    const W: f64 = 480.0;
    let row = 26.0;
    let mut svg = format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{}" height="{}" role="img" aria-labelledby="chart-title" id="progress-chart"><title id="chart-title">{}</title>"#,
        W + 110.0,
        row * p.by_operator.len() as f64 + 4.0,
        view::html_escape(&crate::i18n::tr(lang, "nt-chart-title", &[]))
    );
    for (i, o) in p.by_operator.iter().enumerate() {
        let y = i as f64 * row + 2.0;
        let total = o.recipients.max(1) as f64;
        svg.push_str(&format!(
            r#"<text x="0" y="{}" font-size="12">{}</text>"#,
            y + 15.0,
            view::html_escape(operators.get(&o.operator).unwrap_or(&o.operator))
        ));
        let mut x = 100.0;
        for (n, colour) in [
            (o.delivered, "#2e7d32"),
            (o.submitted, "#90caf9"),
            (o.failed + o.uncertain, "#c62828"),
            (o.queued + o.sending + o.cancelled + o.skipped, "#cccccc"),
        ] {
            let w = W * n as f64 / total;
            if w > 0.0 {
                svg.push_str(&format!(
                    r#"<rect x="{x:.1}" y="{y}" width="{w:.1}" height="20" fill="{colour}"/>"#
                ));
            }
            x += w;
        }
    }
    svg.push_str("</svg>");
    svg
}

/// `GET /notify/campaigns/{id}`: the campaign and its plan: recipients per operator after
/// opt-outs, segments, cost, the message as sent and its unaccented variant; the steps the
/// viewer may take.
pub async fn campaign(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Path(id): Path<i64>,
    Query(q): Query<Flash>,
) -> Result<Response, WebError> {
    let extra = campaign_context(&state, &ctx, id).await?;
    Ok(view::page(
        "notify_campaign.html",
        &ctx,
        "notify",
        minijinja::context! { flash => flash(q.flash.as_deref()), ..extra },
    )?
    .into_response())
}

/// `POST /notify/campaigns/{id}/{step}`: `submit` (the author), `approve` (another approver,
/// typing the name in `confirm`), `send-back` (with a `note`), `cancel`.
pub async fn step(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Path((id, step)): Path<(i64, String)>,
    form: FormPairs,
) -> Result<Response, WebError> {
    let n = &state.notify;
    let actor = ctx.actor();
    let result = match step.as_str() {
        // The service refuses anyone but the author, and any state but draft.
        "unaccented" => n
            .use_unaccented(&actor, id)
            .await
            .map(|c| (c.id, "unaccented".to_owned())),
        "test-send" => {
            let list = form.get("test_list").parse().unwrap_or(0);
            n.test_send(&actor, id, list)
                .await
                .and(n.campaign(id).await)
                .map(|c| (c.id, "test-sent".to_owned()))
        }
        name => {
            let text = form.get(if name == "approve" { "confirm" } else { "note" });
            let step = lantoa_notify::Step::parse(name, &text)?;
            match n.take_step(ctx.taker(&actor), id, step).await {
                Err(lantoa_notify::Error::Forbidden(_)) => return Err(WebError::forbidden()),
                other => other.map(|c| (c.id, c.status.to_string())),
            }
        }
    };
    // The flash names what was done: the new status, or the step when the status stays.
    match result {
        Ok((id, done)) => Ok(Redirect::to(&format!(
            "/notify/campaigns/{id}?flash=flash-campaign-{done}"
        ))
        .into_response()),
        Err(e) => {
            let extra = campaign_context(&state, &ctx, id).await?;
            Ok(form_error(
                "notify_campaign.html",
                &ctx,
                "notify",
                extra,
                e.into(),
            ))
        }
    }
}

/// `POST /notify/numbers`: a file of numbers (multipart `file`) that want no non-emergency
/// messages (`kind=optouts`, with `source`: the national Do-Not-Call list, replies…) or that
/// moved to another operator (`kind=ported`, with an operator column); the page shows what
/// was taken and every refused row.
pub async fn import_numbers(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    headers: axum::http::HeaderMap,
    body: axum::body::Body,
) -> Result<Response, WebError> {
    let n = &state.notify;
    let (fields, file) = crate::upload::read_small(&state, &headers, body).await?;
    let form = FormPairs(fields);
    let (_, bytes) = file.ok_or_else(|| {
        WebError::invalid(
            "err-no-file",
            "choose a CSV or XLSX file of numbers (field 'file')",
        )
    })?;
    let kind = form.get("kind");
    let (added, refused) = match kind.as_str() {
        "ported" => {
            let (count, refused) = n.import_ported(&ctx.actor(), &bytes).await?;
            (count as u64, refused)
        }
        _ => {
            n.import_optouts(&ctx.actor(), &bytes, &form.get("source"))
                .await?
        }
    };
    let extra = home_context(&state, &Browse::default()).await?;
    Ok(view::page(
        "notify.html",
        &ctx,
        "notify",
        minijinja::context! {
            can_draft => true,
            imported => minijinja::context! { kind => kind, added => added, refused => refused },
            ..extra
        },
    )?
    .into_response())
}
