//! Public alerts: the console's list with the form to issue one and the import of another
//! agency's CAP; and, with no sign-in, the public list, a page per public alert, its CAP XML
//! and an Atom feed. Only actual public alerts appear publicly; Test and Exercise alerts are
//! marked in the console and never reach the public side.

use axum::Extension;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};

use lantoa_notify::browse::{AlertFilter, AlertSort};

use super::browse::Browse;
use super::{FormPairs, form_error};
use crate::ctx::Ctx;
use crate::error::WebError;
use crate::export::{Cell, Sheet};
use crate::routes::NOTIFY_AUTHORS;
use crate::{AppState, view};

async fn console_context(state: &AppState, ctx: &Ctx) -> Result<minijinja::Value, WebError> {
    console_context_in(state, ctx, &Browse::default()).await
}

fn alert_filter(p: &Browse) -> AlertFilter {
    AlertFilter {
        status: p.status.clone(),
        state: p.state.clone(),
    }
}

/// The console: the alerts of a period a report links to (`from`, `to`), or a page of every
/// alert by the request's search, filters and order; the forms' choices.
async fn console_context_in(
    state: &AppState,
    ctx: &Ctx,
    p: &Browse,
) -> Result<minijinja::Value, WebError> {
    let n = &state.notify;
    let span = p.span();
    let sort = AlertSort::parse(p.sort_name())?;
    let (alerts, total) = match span.micros()? {
        Some((from, to)) => {
            let a = n.alerts_between(from, to).await?;
            let total = a.len() as i64;
            (a, total)
        }
        None => n.alert_page(&p.query(sort), &alert_filter(p)).await?,
    };
    let lc = p.controls(
        "/notify/alerts",
        "/notify/alerts/list",
        total,
        sort.as_str(),
        AlertSort::names(),
    );
    let mut trails = std::collections::HashMap::new();
    for a in alerts.iter().filter(|a| a.broadcast) {
        trails.insert(a.id.to_string(), n.broadcasts(a.id).await?);
    }
    let communes = super::notify::commune_choices(n);
    use lantoa_notify::cap::{Category, Certainty, Severity, Status, Urgency};
    let words = |all: Vec<&'static str>| all;
    let (lists, _) = n
        .list_page(&lantoa_notify::browse::PageQuery::first(
            lantoa_notify::browse::ListSort::Newest,
        ))
        .await?;
    Ok(minijinja::context! {
        alerts => alerts, communes => communes, can_issue => ctx.has_any(NOTIFY_AUTHORS),
        lists => lists,
        trails => trails, broadcast_configured => n.broadcasts_configured(),
        can_decide => ctx.has_any(crate::routes::NOTIFY_STEPS), me => ctx.actor(),
        span => span, lc => lc, approval_states => lantoa_notify::browse::ALERT_STATES,
        statuses => words(Status::ALL.iter().map(|v| v.as_str()).collect()),
        categories => words(Category::ALL.iter().map(|v| v.as_str()).collect()),
        urgencies => words(Urgency::ALL.iter().map(|v| v.as_str()).collect()),
        severities => words(Severity::ALL.iter().map(|v| v.as_str()).collect()),
        certainties => words(Certainty::ALL.iter().map(|v| v.as_str()).collect()),
    })
}

/// `GET /notify/alerts`: every alert (drills and tests marked), the form to issue one and the
/// import of CAP from another agency.
/// With `?forward=ID`, the form is filled from another agency's alert ID, to forward it on the
/// city's channels (it names that alert; its CAP references it).
pub async fn console(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    axum::extract::Query(p): axum::extract::Query<Browse>,
    axum::extract::Query(q): axum::extract::Query<std::collections::HashMap<String, String>>,
) -> Result<Response, WebError> {
    let extra = console_context_in(&state, &ctx, &p).await?;
    let Some(id) = q.get("forward").and_then(|v| v.parse::<i64>().ok()) else {
        return Ok(view::page("alerts.html", &ctx, "notify", extra)?.into_response());
    };
    let theirs = state.notify.alert(id).await?;
    let cap = theirs.cap()?;
    let info = cap.info.first();
    let text =
        |f: fn(&lantoa_notify::cap::Info) -> Option<String>| info.and_then(f).unwrap_or_default();
    let echo = minijinja::context! {
        status => cap.status.as_str(), msg_type => "Alert", refers_to => theirs.id,
        category => info.and_then(|i| i.categories.first()).map(|c| c.as_str()).unwrap_or("Other"),
        event => text(|i| Some(i.event.clone())),
        urgency => info.map(|i| i.urgency.as_str()), severity => info.map(|i| i.severity.as_str()),
        certainty => info.map(|i| i.certainty.as_str()),
        headline => text(|i| i.headline.clone()), description => text(|i| i.description.clone()),
        instruction => text(|i| i.instruction.clone()),
        expires => text(|i| i.expires.map(|e| e.format("%Y-%m-%dT%H:%M").to_string())),
        communes => info.map(|i| i.areas.iter().flat_map(|a| &a.geocodes).filter(|(n, _)| n == "MA_XA").map(|(_, v)| v.clone()).collect::<Vec<_>>()).unwrap_or_default(),
        polygons => info.map(|i| i.areas.iter().flat_map(|a| &a.polygons).map(|p| p.iter().map(|(la, lo)| format!("{la},{lo}")).collect::<Vec<_>>().join(" ")).collect::<Vec<_>>().join("\n")).unwrap_or_default(),
        feed => true, forwarding => theirs,
    };
    Ok(view::page(
        "alerts.html",
        &ctx,
        "notify",
        minijinja::context! { echo => echo, ..extra },
    )?
    .into_response())
}

/// `POST /notify/alerts` (form: status, msg_type, refers_to, category, event, urgency,
/// severity, certainty, headline, description, instruction, expires, communes…): issues an
/// alert as CAP, or the page again naming the field at fault.
pub async fn issue(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    form: FormPairs,
) -> Result<Response, WebError> {
    let n = &state.notify;
    let (communes, typed) = super::notify::chosen_communes(n, &form);
    let new = lantoa_notify::NewAlert {
        status: form.get("status"),
        msg_type: form.get("msg_type"),
        refers_to: form.get("refers_to").parse().ok(),
        category: form.get("category"),
        event: form.get("event"),
        urgency: form.get("urgency"),
        severity: form.get("severity"),
        certainty: form.get("certainty"),
        headline: form.get("headline"),
        description: form.get("description"),
        instruction: form.get("instruction"),
        expires: form.get("expires"),
        communes,
        broadcast: !form.get("broadcast").is_empty(),
        polygons: form.get("polygons"),
        sms_list: form.get("sms_list").parse().ok(),
        sms_body: form.get("sms_body"),
        speakers: !form.get("speakers").is_empty(),
        feed: !form.get("feed").is_empty(),
    };
    let sender = n.cap_sender()?;
    let issued = match typed {
        Ok(()) => n.issue_alert(&ctx.actor(), &sender, &new).await,
        Err(e) => Err(e),
    };
    match issued {
        Ok(a) => Ok(Redirect::to(&format!("/notify/alerts/{}", a.id)).into_response()),
        Err(e) => {
            let extra = console_context(&state, &ctx).await?;
            let echo = minijinja::context! {
                status => new.status, msg_type => new.msg_type, category => new.category,
                event => new.event, urgency => new.urgency, severity => new.severity,
                certainty => new.certainty, headline => new.headline,
                description => new.description, instruction => new.instruction,
                expires => new.expires, communes => new.communes, polygons => new.polygons,
                communes_typed => form.get("communes_typed"),
                refers_to => new.refers_to,
                sms_list => new.sms_list, sms_body => new.sms_body, speakers => new.speakers,
                feed => new.feed, broadcast => new.broadcast,
            };
            Ok(form_error(
                "alerts.html",
                &ctx,
                "notify",
                minijinja::context! { echo => echo, ..extra },
                e.into(),
            ))
        }
    }
}

/// `POST /notify/alerts/import` (multipart: `file`, a CAP 1.2 document): keeps another
/// agency's alert, or names the element at fault and keeps nothing.
pub async fn import(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    headers: axum::http::HeaderMap,
    body: axum::body::Body,
) -> Result<Response, WebError> {
    let (_, file) = crate::upload::read_small(&state, &headers, body).await?;
    let (_, bytes) =
        file.ok_or_else(|| WebError::invalid("err-no-file", "choose the CAP file (field 'file')"))?;
    // Read in the encoding the document declares (UTF-8, UTF-16, ISO-8859-1…).
    let a = state.notify.import_alert(&ctx.actor(), &bytes).await?;
    Ok(Redirect::to(&format!("/notify/alerts/{}", a.id)).into_response())
}

/// `GET /alerts`: the public alerts, newest first, with no sign-in.
pub async fn public_list(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
) -> Result<Response, WebError> {
    let alerts = state.notify.alerts(true, 100).await?;
    Ok(view::page(
        "alerts_public.html",
        &ctx,
        "alerts",
        minijinja::context! { alerts => alerts },
    )?
    .into_response())
}

async fn public_alert(
    state: &AppState,
    id: i64,
) -> Result<(lantoa_notify::StoredAlert, lantoa_notify::cap::Alert), WebError> {
    let a = state.notify.alert(id).await?;
    if !a.public {
        // Drills, tests and restricted alerts do not exist for the public.
        return Err(lantoa_notify::Error::NotFound {
            what: "alert",
            id: id.to_string(),
        }
        .into());
    }
    let cap = a.cap()?;
    Ok((a, cap))
}

/// `GET /alerts/{id}`: a public alert's page.
pub async fn public_page(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let (a, cap) = public_alert(&state, id).await?;
    let cancelled = match a.cancelled_by {
        Some(c) => Some(state.notify.alert(c).await?),
        None => None,
    };
    Ok(view::page(
        "alert_public.html",
        &ctx,
        "alerts",
        minijinja::context! { alert => a, cap => cap, cancelled => cancelled },
    )?
    .into_response())
}

/// `GET /alerts/{id}/cap.xml`: a public alert as CAP 1.2.
pub async fn public_cap(
    State(state): State<AppState>,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let (a, _) = public_alert(&state, id).await?;
    Ok((
        [(header::CONTENT_TYPE, "application/cap+xml; charset=utf-8")],
        a.xml,
    )
        .into_response())
}

/// `GET /alerts/feed.atom`: the public alerts as an Atom feed, each entry linking to its page
/// and its CAP (the form public alert aggregators read).
pub async fn feed(
    State(state): State<AppState>,
    headers: axum::http::HeaderMap,
) -> Result<Response, WebError> {
    let alerts = state.notify.alerts(true, 100).await?;
    let base = crate::serve::base_url(&headers);
    let esc = lantoa_core::chart::escape;
    let updated = alerts
        .first()
        .map(|a| a.sent.clone())
        .unwrap_or_else(|| "1970-01-01T00:00:00+00:00".into());
    let mut x = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\"><id>{base}/alerts/feed.atom</id><title>Cảnh báo công cộng</title><updated>{updated}</updated><link rel=\"self\" href=\"{base}/alerts/feed.atom\"/>"
    );
    for a in &alerts {
        let status = match (a.msg_type.as_str(), a.cancelled_by) {
            ("Cancel", _) => "[Hủy] ",
            ("Update", _) => "[Cập nhật] ",
            (_, Some(_)) => "[Đã hủy] ",
            _ => "",
        };
        x.push_str(&format!(
            "<entry><id>urn:cap:{}:{}</id><title>{}{}</title><updated>{}</updated><author><name>{}</name></author><link rel=\"alternate\" href=\"{base}/alerts/{}\"/><link rel=\"related\" type=\"application/cap+xml\" href=\"{base}/alerts/{}/cap.xml\"/><summary>{}</summary></entry>",
            esc(&a.sender),
            esc(&a.identifier),
            status,
            esc(&a.headline),
            esc(&a.sent),
            esc(&a.sender),
            a.id,
            a.id,
            esc(&a.event),
        ));
    }
    x.push_str("</feed>\n");
    Ok((
        [(header::CONTENT_TYPE, "application/atom+xml; charset=utf-8")],
        x,
    )
        .into_response())
}

/// `GET /notify/alerts/{id}`: one alert with every channel's state on one page (feed, operator
/// broadcast, SMS, loudspeakers), live and drill told apart by colour and wording, and its
/// prepared Cancel one click away.
pub async fn page(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let n = &state.notify;
    let a = n.alert(id).await?;
    let cap = a.cap()?;
    let channels = n.channels(id).await?;
    let mut related = Vec::new();
    for x in [a.refers_to, a.cancelled_by].into_iter().flatten() {
        related.push(n.alert(x).await?);
    }
    Ok(view::page(
        "alert.html",
        &ctx,
        "notify",
        minijinja::context! {
            alert => a, cap => cap, channels => channels, related => related,
            live => cap.status == lantoa_notify::cap::Status::Actual,
            can_decide => ctx.has_any(crate::routes::NOTIFY_STEPS),
            authored => lantoa_core::actor::same_person(&a.created_by, &ctx.actor()),
        },
    )?
    .into_response())
}

/// `POST /notify/alerts/{id}/{step}` (`approve` or `refuse`: a second person decides on a
/// pending live alert; `cancel`, with an optional `note`: the prepared Cancel goes out).
pub async fn step(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Path((id, step)): Path<(i64, String)>,
    form: FormPairs,
) -> Result<Response, WebError> {
    let n = &state.notify;
    match step.as_str() {
        "approve" => n.approve_alert(&ctx.actor(), id).await?,
        "refuse" => n.refuse_alert(&ctx.actor(), id).await?,
        "cancel" => {
            let sender = n.cap_sender()?;
            let c = n
                .cancel_alert(&ctx.actor(), &sender, id, &form.get("note"))
                .await?;
            return Ok(Redirect::to(&format!("/notify/alerts/{}", c.id)).into_response());
        }
        other => {
            return Err(lantoa_notify::Error::NotFound {
                what: "step",
                id: other.to_owned(),
            }
            .into());
        }
    };
    Ok(Redirect::to(&format!("/notify/alerts/{id}")).into_response())
}

/// Every alert the console's search and filters select, as a table: CAP's words in the
/// reader's language, the day sent.
async fn alerts_sheet(state: &AppState, ctx: &Ctx, p: &Browse) -> Result<Sheet, WebError> {
    let n = &state.notify;
    let sort = AlertSort::parse(p.sort_name())?;
    let filter = &alert_filter(p);
    super::browse::sheet(
        ctx,
        "canh-bao",
        &[
            "Số",
            "Ngày gửi",
            "Tiêu đề",
            "Sự kiện",
            "Loại tin",
            "Tính chất",
            "Phê duyệt",
            "Nguồn",
            "Nơi gửi",
            "Mã cảnh báo",
            "Người soạn",
        ],
        p,
        sort,
        |q| async move { n.alert_page(&q, filter).await },
        |a: &lantoa_notify::alerts::StoredAlert| {
            vec![
                Cell::from(a.id),
                chrono::DateTime::parse_from_rfc3339(&a.sent)
                    .map_or(Cell::from(a.sent.as_str()), |d| {
                        Cell::Day(lantoa_core::time::local_date(d.with_timezone(&chrono::Utc)))
                    }),
                Cell::from(a.headline.as_str()),
                Cell::from(a.event.as_str()),
                Cell::from(ctx.t(&format!("cap-msgtype-{}", a.msg_type))),
                Cell::from(ctx.t(&format!("cap-status-{}", a.status))),
                Cell::from(ctx.t(&format!("alerts-state-{}", a.state))),
                Cell::from(ctx.t(&format!("alerts-origin-{}", a.origin))),
                Cell::from(a.sender.as_str()),
                Cell::from(a.identifier.as_str()),
                Cell::from(a.created_by.as_str()),
            ]
        },
    )
    .await
}

crate::export::downloads!(Browse, alerts_sheet, alerts_csv, alerts_xlsx);
