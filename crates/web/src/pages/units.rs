//! The units registry pages.

use axum::Extension;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use lantoa_core::unit::UnitKind;
use lantoa_registry::{ListQuery, NewUnit, UnitSort};
use serde::Deserialize;

use super::{FormPairs, form_error};
use crate::ctx::Ctx;
use crate::error::{WebError, parse_date, parse_filter, parse_unit_kind};
use crate::routes::UNIT_EDITORS;
use crate::{AppState, view};

const PAGE: i64 = 50;

fn kinds() -> Vec<&'static str> {
    UnitKind::ALL.iter().map(|k| k.as_str()).collect()
}

#[derive(Deserialize, Default)]
pub struct ListParams {
    kind: Option<String>,
    q: Option<String>,
    ended: Option<String>,
    page: Option<i64>,
    /// The order (`kind`, `name`, `code`, `newest`).
    sort: Option<String>,
}

/// The units the filters select (`kind`, `q`, `ended`), as a table: kind and state by name,
/// in force from as a day.
async fn units_sheet(
    state: &AppState,
    ctx: &Ctx,
    p: &ListParams,
) -> Result<crate::export::Sheet, WebError> {
    use crate::export::Cell;
    let kind = parse_filter(p.kind.as_deref(), parse_unit_kind)?;
    let sort = UnitSort::parse(p.sort.as_deref().unwrap_or(""))?;
    let mut sheet = crate::export::Sheet {
        file: "don-vi".into(),
        headers: ["Loại", "Mã", "Tên", "Từ ngày", "Trạng thái"]
            .map(str::to_owned)
            .to_vec(),
        rows: Vec::new(),
    };
    let mut offset = 0;
    loop {
        let (units, total) = state
            .registry
            .list(&ListQuery {
                kind,
                q: p.q.clone(),
                include_ended: p.ended.is_some(),
                limit: 500,
                offset,
                sort,
            })
            .await?;
        for u in &units {
            let status = match u.status {
                lantoa_registry::Status::Active => "status-active",
                lantoa_registry::Status::Merged { .. } => "status-merged",
                lantoa_registry::Status::Abolished { .. } => "status-abolished",
            };
            sheet.rows.push(vec![
                Cell::from(ctx.t(&format!("kind-{}", u.kind.as_str()))),
                Cell::from(u.code.as_deref().unwrap_or("")),
                Cell::from(u.name.as_str()),
                Cell::from(Some(u.since)),
                Cell::from(ctx.t(status)),
            ]);
        }
        offset += 500;
        if units.is_empty() || offset >= total || sheet.cut(ctx.t("export-cut")) {
            break;
        }
    }
    Ok(sheet)
}

crate::export::downloads!(ListParams, units_sheet, list_csv, list_xlsx);

/// `GET /units`.
pub async fn list(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Query(p): Query<ListParams>,
) -> Result<Response, WebError> {
    let kind = parse_filter(p.kind.as_deref(), parse_unit_kind)?;
    let page = p.page.unwrap_or(0).max(0);
    let ended = p.ended.is_some();
    let sort = UnitSort::parse(p.sort.as_deref().unwrap_or(""))?;
    let (units, total) = state
        .registry
        .list(&ListQuery {
            kind,
            q: p.q.clone(),
            include_ended: ended,
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
        ("ended", if ended { "1".to_owned() } else { String::new() }),
        ("sort", p.sort.clone().unwrap_or_default()),
    ];
    let (prev_url, next_url) = super::pager("/units", &filters, page, PAGE, total);
    let csv_url = super::list_url("/units.csv", &filters);
    let xlsx_url = super::list_url("/units.xlsx", &filters);
    let can_edit = ctx.has_any(UNIT_EDITORS);
    Ok(view::page(
        "units.html",
        &ctx,
        "units",
        minijinja::context! {
            units => units,
            total => total,
            kinds => kinds(),
            kind => kind.map(|k| k.as_str()).unwrap_or(""),
            q => p.q.clone().unwrap_or_default(),
            ended => ended,
            can_edit => can_edit,
            prev_url => prev_url,
            next_url => next_url,
            csv_url => csv_url,
            xlsx_url => xlsx_url,
            sort => sort.as_str(), sorts => UnitSort::names(),
        },
    )?
    .into_response())
}

/// `GET /units/{id}`.
pub async fn show(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let unit = state.registry.get(id).await?;
    let history = state.registry.history(id).await?;
    Ok(view::page(
        "unit.html",
        &ctx,
        "units",
        minijinja::context! { unit => unit, history => history },
    )?
    .into_response())
}

fn empty_form() -> minijinja::Value {
    minijinja::context! { kind => "agency", code => "", name => "", valid_from => "", address => "", phone => "", email => "" }
}

/// `GET /units/new`.
pub async fn new_form(Extension(ctx): Extension<Ctx>) -> Result<Response, WebError> {
    Ok(view::page(
        "unit_new.html",
        &ctx,
        "units",
        minijinja::context! { kinds => kinds(), form => empty_form() },
    )?
    .into_response())
}

/// Reads the new-unit form into a [`NewUnit`].
pub fn parse_new_unit(form: &FormPairs) -> Result<NewUnit, WebError> {
    let kind = parse_unit_kind(&form.get("kind"))?;
    let code = Some(form.get("code")).filter(|c| !c.is_empty());
    let mut unit = NewUnit::new(kind, code.as_deref(), &form.get("name"));
    let from = form.get("valid_from");
    if !from.is_empty() {
        unit.valid_from = parse_date("valid_from", &from)?;
    }
    let mut attrs = serde_json::Map::new();
    for k in ["address", "phone", "email"] {
        let v = form.get(k);
        if !v.is_empty() {
            attrs.insert(k.to_owned(), v.into());
        }
    }
    unit.attrs = serde_json::Value::Object(attrs);
    Ok(unit)
}

/// `POST /units`.
pub async fn create(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    form: FormPairs,
) -> Response {
    let echo = minijinja::context! {
        kinds => kinds(),
        form => minijinja::context! {
            kind => form.get("kind"), code => form.get("code"), name => form.get("name"),
            valid_from => form.get("valid_from"), address => form.get("address"),
            phone => form.get("phone"), email => form.get("email"),
        },
    };
    let actor = ctx.actor();
    let result = match parse_new_unit(&form) {
        Ok(new) => state
            .registry
            .create(&actor, &new)
            .await
            .map_err(WebError::from),
        Err(e) => Err(e),
    };
    match result {
        Ok(unit) => {
            Redirect::to(&format!("/units/{}?flash=flash-unit-created", unit.id)).into_response()
        }
        Err(e) => form_error("unit_new.html", &ctx, "units", echo, e),
    }
}
