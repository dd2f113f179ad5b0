//! Propaganda orientation notices: the console's list with the forms to add a recipient and
//! issue a notice (each recipient's link shown once), a notice's reading per recipient, and the
//! recipient's own page, reached by its link with no sign-in, where it confirms reading.

use axum::Extension;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};

use lantoa_notify::browse::NoticeSort;

use super::browse::Browse;
use super::{FormPairs, form_error};
use crate::ctx::Ctx;
use crate::error::WebError;
use crate::export::{Cell, Sheet};
use crate::{AppState, view};

async fn context(state: &AppState, ctx: &Ctx) -> Result<minijinja::Value, WebError> {
    context_in(state, ctx, &Browse::default()).await
}

/// The notices of a period a report links to (`from`, `to`), or a page of every notice by
/// the request's search and order; the recipients and the forms' choices.
async fn context_in(state: &AppState, ctx: &Ctx, p: &Browse) -> Result<minijinja::Value, WebError> {
    let n = &state.notify;
    let span = p.span();
    let sort = NoticeSort::parse(p.sort_name())?;
    let (notices, total) = match span.micros()? {
        Some((from, to)) => {
            let all = n.notices_between(from, to).await?;
            let total = all.len() as i64;
            (all, total)
        }
        None => n.notice_page(&p.query(sort)).await?,
    };
    let lc = p.controls(
        "/notify/notices",
        "/notify/notices/list",
        total,
        sort.as_str(),
        NoticeSort::names(),
    );
    Ok(minijinja::context! {
        notices => notices, outlets => n.outlets().await?, span => span, lc => lc,
        communes => super::notify::commune_choices(n),
        can_edit => ctx.has_any(crate::routes::NOTIFY_AUTHORS),
    })
}

/// `GET /notify/notices` (`?from=&to=`: those issued in that period).
pub async fn home(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    axum::extract::Query(p): axum::extract::Query<Browse>,
) -> Result<Response, WebError> {
    let extra = context_in(&state, &ctx, &p).await?;
    Ok(view::page("notices.html", &ctx, "notify", extra)?.into_response())
}

/// `POST /notify/notices/outlets` (name, kind, commune, contact).
pub async fn add_outlet(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    form: FormPairs,
) -> Result<Response, WebError> {
    let added = state
        .notify
        .add_outlet(
            &ctx.actor(),
            &form.get("name"),
            &form.get("kind"),
            &form.get("commune"),
            &form.get("contact"),
        )
        .await;
    match added {
        Ok(_) => Ok(Redirect::to("/notify/notices#outlets").into_response()),
        Err(e) => {
            let extra = context(&state, &ctx).await?;
            let echo = minijinja::context! {
                name => form.get("name"), kind => form.get("kind"),
                commune => form.get("commune"), contact => form.get("contact"),
            };
            Ok(form_error(
                "notices.html",
                &ctx,
                "notify",
                minijinja::context! { outlet_echo => echo, ..extra },
                e.into(),
            ))
        }
    }
}

/// `POST /notify/notices` (number, title, body, due, kinds…, outlets…): issues the notice and
/// shows each recipient's link once, or the form again naming the field at fault.
pub async fn issue(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    form: FormPairs,
) -> Result<Response, WebError> {
    let n = &state.notify;
    let new = lantoa_notify::notices::NewNotice {
        number: form.get("number"),
        title: form.get("title"),
        body: form.get("body"),
        due: form.get("due"),
        kinds: form.all("kinds"),
        outlets: form
            .all("outlets")
            .iter()
            .filter_map(|v| v.trim().parse().ok())
            .collect(),
    };
    match n.issue_notice(&ctx.actor(), &new).await {
        Ok((notice, links)) => notice_page(&state, &ctx, notice.id, links).await,
        Err(e) => {
            let extra = context(&state, &ctx).await?;
            let echo = minijinja::context! {
                number => new.number, title => new.title, body => new.body, due => new.due,
                kinds => new.kinds, outlets => new.outlets,
            };
            Ok(form_error(
                "notices.html",
                &ctx,
                "notify",
                minijinja::context! { echo => echo, ..extra },
                e.into(),
            ))
        }
    }
}

async fn notice_page(
    state: &AppState,
    ctx: &Ctx,
    id: i64,
    links: Vec<lantoa_notify::notices::Link>,
) -> Result<Response, WebError> {
    let n = &state.notify;
    Ok(view::page(
        "notice.html",
        ctx,
        "notify",
        minijinja::context! {
            notice => n.notice(id).await?, receipts => n.receipts(id).await?, links => links,
            can_edit => ctx.has_any(crate::routes::NOTIFY_AUTHORS),
        },
    )?
    .into_response())
}

/// `GET /notify/notices/{id}`.
pub async fn notice(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    notice_page(&state, &ctx, id, Vec::new()).await
}

/// `POST /notify/notices/{id}/renew` (outlet): a new link for one recipient, shown once.
pub async fn renew(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Path(id): Path<i64>,
    form: FormPairs,
) -> Result<Response, WebError> {
    let outlet: i64 = form.get("outlet").parse().map_err(|_| {
        WebError::from(lantoa_notify::Error::Invalid {
            field: "outlet",
            message: lantoa_core::Msg::new("notice-choose-recipient"),
        })
    })?;
    let link = state.notify.renew_link(&ctx.actor(), id, outlet).await?;
    notice_page(&state, &ctx, id, vec![link]).await
}

/// `GET /notices/{token}`: the recipient's notice.
pub async fn public(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Path(token): Path<String>,
) -> Result<Response, WebError> {
    let (notice, receipt) = state.notify.open_notice(&token).await?;
    Ok(view::page(
        "notice_public.html",
        &ctx,
        "",
        minijinja::context! { notice => notice, receipt => receipt, token => token },
    )?
    .into_response())
}

/// `POST /notices/{token}` (read_by): the recipient confirms reading.
pub async fn confirm(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Path(token): Path<String>,
    form: FormPairs,
) -> Result<Response, WebError> {
    let n = &state.notify;
    match n.confirm_notice(&token, &form.get("read_by")).await {
        Ok(_) => Ok(Redirect::to(&format!("/notices/{token}")).into_response()),
        Err(e) => {
            let (notice, receipt) = n.open_notice(&token).await?;
            Ok(form_error(
                "notice_public.html",
                &ctx,
                "",
                minijinja::context! { notice => notice, receipt => receipt, token => token },
                e.into(),
            ))
        }
    }
}

/// Every notice the search selects, as a table: the days issued and due, how many recipients
/// opened it and confirmed reading it.
async fn notices_sheet(state: &AppState, ctx: &Ctx, p: &Browse) -> Result<Sheet, WebError> {
    let n = &state.notify;
    let sort = NoticeSort::parse(p.sort_name())?;
    super::browse::sheet(
        ctx,
        "van-ban-dinh-huong",
        &[
            "Số văn bản",
            "Tiêu đề",
            "Ngày ban hành",
            "Hạn xác nhận",
            "Người ban hành",
            "Nơi nhận",
            "Đã mở",
            "Đã xác nhận đọc",
        ],
        p,
        sort,
        |q| async move { n.notice_page(&q).await },
        |x: &lantoa_notify::notices::Notice| {
            vec![
                Cell::from(x.number.as_str()),
                Cell::from(x.title.as_str()),
                super::browse::day(x.issued_at),
                Cell::from(
                    x.due
                        .as_deref()
                        .and_then(|d| chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").ok()),
                ),
                Cell::from(x.issued_by.as_str()),
                Cell::from(x.recipients),
                Cell::from(x.opened),
                Cell::from(x.read),
            ]
        },
    )
    .await
}

crate::export::downloads!(Browse, notices_sheet, notices_csv, notices_xlsx);
