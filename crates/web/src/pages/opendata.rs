//! Open-data pages: datasets with their quality, uploads with live counts, the published rows,
//! and the quarantine where the owner agency fixes rows.

use axum::Extension;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use lantoa_core::unit::UnitKind;
use lantoa_opendata::{Dataset, DatasetSort, NewDataset, Upload};
use serde::Deserialize;

use super::browse::Browse;
use super::{FormPairs, flash, form_error};
use crate::ctx::Ctx;
use crate::error::WebError;
use crate::routes::OPENDATA_EDITORS;
use crate::{AppState, view};

/// Rows shown in a dataset's preview.
const PREVIEW: i64 = 50;
/// Quarantined rows listed at once.
const QUARANTINE_PAGE: i64 = 100;

fn can_edit(ctx: &Ctx) -> bool {
    ctx.has_any(OPENDATA_EDITORS)
}

/// The agency whose datasets the signed-in person may act on, when limited to one
/// ([`lantoa_opendata::agency_scope`]).
fn agency_scope(ctx: &Ctx) -> Option<Option<i64>> {
    let p = ctx.principal.as_ref()?;
    lantoa_opendata::agency_scope(&p.roles, p.unit_id)
}

fn quality(u: &Upload) -> lantoa_opendata::quality::Quality {
    u.quality()
}

async fn agencies(state: &AppState) -> Result<Vec<minijinja::Value>, WebError> {
    let (units, _) = state
        .registry
        .list(&lantoa_registry::ListQuery {
            kind: Some(UnitKind::Agency),
            limit: 500,
            ..Default::default()
        })
        .await?;
    Ok(units
        .into_iter()
        .map(|u| minijinja::context! { id => u.id, name => u.name })
        .collect())
}

/// The page of datasets `p` asks for among those the person may see (an agency's uploader:
/// its agency's own), in its order.
async fn dataset_page(
    state: &AppState,
    ctx: &Ctx,
    p: &Browse,
    sort: DatasetSort,
    limit: i64,
    offset: i64,
) -> Result<(Vec<lantoa_opendata::Dataset>, i64), WebError> {
    let owner = match agency_scope(ctx) {
        None => None,
        Some(Some(unit)) => Some(unit),
        // An agency's uploader not yet placed in an agency sees none.
        Some(None) => return Ok((Vec::new(), 0)),
    };
    let q = lantoa_core::page::PageQuery {
        q: p.q.clone(),
        sort,
        limit,
        offset,
    };
    Ok(state.opendata.dataset_page(&q, owner).await?)
}

/// What the list shows of a dataset beside its own fields: its owner's name, its latest upload
/// and the rows it publishes.
async fn dataset_facts(
    state: &AppState,
    d: &Dataset,
) -> Result<(String, Option<Upload>, i64), WebError> {
    let od = &state.opendata;
    let owner = state.registry.get(d.owner_unit_id).await?.name;
    let latest = od.uploads(d.id).await?.into_iter().next();
    let published = od.rows(d.id, 0, 0).await?.1;
    Ok((owner, latest, published))
}

async fn list_context(
    state: &AppState,
    ctx: &Ctx,
    p: &Browse,
) -> Result<minijinja::Value, WebError> {
    let od = &state.opendata;
    let mut rows = Vec::new();
    let mut live = false;
    let scope = agency_scope(ctx);
    let sort = DatasetSort::parse(p.sort_name())?;
    let (page, total) = dataset_page(
        state,
        ctx,
        p,
        sort,
        super::browse::PAGE,
        p.page() * super::browse::PAGE,
    )
    .await?;
    for d in page {
        let (owner, latest, published) = dataset_facts(state, &d).await?;
        live |= latest
            .as_ref()
            .is_some_and(|u| u.status == "queued" || u.status == "running");
        rows.push(minijinja::context! {
            dataset => d, owner => owner, published => published,
            quality => latest.as_ref().map(quality), latest => latest,
        });
    }
    let lc = p.controls(
        "/opendata",
        "/opendata",
        total,
        sort.as_str(),
        DatasetSort::names(),
    );
    let mut agencies = agencies(state).await?;
    if let Some(unit) = scope {
        agencies.retain(|a| {
            a.get_attr("id")
                .ok()
                .and_then(|v| i64::try_from(v).ok())
                .is_some_and(|id| Some(id) == unit)
        });
    }
    let groups: Vec<_> = od
        .groups()
        .await?
        .into_iter()
        .map(|(g, n)| minijinja::context! { group => g, count => n })
        .collect();
    Ok(minijinja::context! {
        groups => groups, may_group => scope.is_none(),
        datasets => rows, agencies => agencies, live => live, lc => lc,
        cadences => ["daily", "weekly", "monthly", "quarterly", "yearly", "irregular"],
        sensitivities => ["open", "deidentified", "restricted"],
    })
}

/// The datasets the person may see in the list (an agency's uploader: its agency's), as a
/// table: owner by name, rows published, the latest upload and its quality.
async fn datasets_sheet(
    state: &AppState,
    ctx: &Ctx,
    p: &Browse,
) -> Result<crate::export::Sheet, WebError> {
    use crate::export::Cell;
    use lantoa_core::page::PAGE_MAX;
    let sort = DatasetSort::parse(p.sort_name())?;
    let mut datasets = Vec::new();
    let mut offset = 0;
    loop {
        let (page, total) = dataset_page(state, ctx, p, sort, PAGE_MAX, offset).await?;
        let n = page.len();
        datasets.extend(page);
        offset += PAGE_MAX;
        if n == 0 || offset >= total {
            break;
        }
    }
    let mut sheet = crate::export::Sheet {
        file: "bo-du-lieu".into(),
        headers: [
            "Tên",
            "Tiêu đề",
            "Cơ quan",
            "Mức độ",
            "Số dòng công bố",
            "Lần tải gần nhất",
            "Tình trạng",
            "Đúng (%)",
            "Đủ (%)",
            "Sạch (%)",
        ]
        .map(str::to_owned)
        .to_vec(),
        rows: Vec::new(),
    };
    let percent = |v: Option<f64>| v.map_or(Cell::Empty, |v| Cell::Number(v, 1));
    for d in datasets {
        let (owner, latest, published) = dataset_facts(state, &d).await?;
        let q = latest.as_ref().map(quality);
        sheet.rows.push(vec![
            Cell::from(d.name.as_str()),
            Cell::from(d.title.as_str()),
            Cell::from(owner),
            Cell::from(ctx.t(&format!("sensitivity-{}", d.sensitivity))),
            Cell::from(published),
            latest
                .as_ref()
                .map_or(Cell::Empty, |u| Cell::from(u.version)),
            Cell::from(
                latest
                    .as_ref()
                    .map(|u| ctx.t(&format!("upload-{}", u.status)))
                    .unwrap_or_default(),
            ),
            percent(q.as_ref().and_then(|q| q.valid)),
            percent(q.as_ref().and_then(|q| q.complete)),
            percent(q.as_ref().and_then(|q| q.unique)),
        ]);
        if sheet.cut(ctx.t("export-cut")) {
            break;
        }
    }
    Ok(sheet)
}

crate::export::downloads!(Browse, datasets_sheet, datasets_csv, datasets_xlsx);

#[derive(Deserialize, Default)]
pub struct Flash {
    flash: Option<String>,
    /// Look for possible duplicates (a scan of the published rows, so only on request).
    suggest: Option<String>,
}

/// `GET /opendata`: the datasets a page at a time (searched, ordered), each with its owner,
/// rows published and its latest upload's quality; the form to create one.
pub async fn datasets(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Query(q): Query<Browse>,
) -> Result<Response, WebError> {
    let extra = list_context(&state, &ctx, &q).await?;
    let span = q.span();
    let read = match span.micros()? {
        Some((from, to)) => Some(state.opendata.uploads_between(from, to).await?),
        None => None,
    };
    Ok(view::page(
        "opendata.html",
        &ctx,
        "opendata",
        minijinja::context! {
            can_edit => can_edit(&ctx), flash => flash(q.flash.as_deref()), span => span,
            read => read, ..extra
        },
    )?
    .into_response())
}

/// `POST /opendata/datasets`: creates a dataset; a bad field re-shows the form with what was
/// typed.
pub async fn create(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    form: FormPairs,
) -> Result<Response, WebError> {
    let owner = form.get("owner_unit_id");
    let new = NewDataset {
        name: form.get("name"),
        title: form.get("title"),
        notes: form.get("notes"),
        owner_unit_id: owner.parse().unwrap_or(0),
        license_id: form.get("license_id"),
        cadence: form.get("cadence"),
        sensitivity: form.get("sensitivity"),
        schema_json: form.get("schema"),
    };
    let result = if agency_scope(&ctx).is_some_and(|unit| unit != Some(new.owner_unit_id)) {
        Err(lantoa_opendata::Error::Invalid {
            field: "owner_unit_id",
            message: lantoa_core::Msg::new("opendata-own-agency-only"),
        })
    } else {
        state.opendata.create_dataset(&ctx.actor(), &new).await
    };
    match result {
        Ok(d) => Ok(
            Redirect::to(&format!("/opendata/{}?flash=flash-dataset-created", d.name))
                .into_response(),
        ),
        Err(e) => {
            let extra = list_context(&state, &ctx, &Browse::default()).await?;
            let echo = minijinja::context! {
                can_edit => true,
                echo => minijinja::context! {
                    name => new.name, title => new.title, notes => new.notes, owner => owner,
                    license_id => new.license_id, cadence => new.cadence,
                    sensitivity => new.sensitivity, schema => new.schema_json,
                },
                ..extra
            };
            Ok(form_error(
                "opendata.html",
                &ctx,
                "opendata",
                echo,
                e.into(),
            ))
        }
    }
}

/// A dataset's fields for the templates: name, title, type and Vietnamese kind.
pub(crate) fn fields(d: &Dataset) -> Vec<minijinja::Value> {
    d.schema["fields"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .into_iter()
        .map(|f| {
            minijinja::context! {
                name => f["name"].as_str().unwrap_or_default().to_owned(),
                title => f["title"].as_str().unwrap_or_default().to_owned(),
                type => f["type"].as_str().unwrap_or("string").to_owned(),
                kind => f["lantoa:kind"].as_str().map(str::to_owned),
            }
        })
        .collect()
}

async fn dataset_context(
    state: &AppState,
    d: &Dataset,
    lang: crate::i18n::Lang,
    suggest: bool,
) -> Result<minijinja::Value, WebError> {
    let od = &state.opendata;
    let owner = state.registry.get(d.owner_unit_id).await?.name;
    let all = od.uploads(d.id).await?;
    let alive =
        lantoa_opendata::quality::timeliness(d, &all, chrono::Utc::now().timestamp_micros());
    let oldest_first: Vec<Upload> = all.iter().rev().cloned().collect();
    let chart = lantoa_opendata::quality::chart_svg(
        &oldest_first,
        &crate::i18n::tr(lang, "od-chart-title", &[]),
        [
            &crate::i18n::tr(lang, "od-valid", &[]),
            &crate::i18n::tr(lang, "od-complete", &[]),
            &crate::i18n::tr(lang, "od-unique", &[]),
        ],
    );
    let live = all
        .iter()
        .any(|u| u.status == "queued" || u.status == "running");
    let uploads: Vec<_> = all
        .into_iter()
        .map(|u| minijinja::context! { quality => quality(&u), upload => u })
        .collect();
    let (rows, published) = od.rows(d.id, 0, PREVIEW).await?;
    let quarantine = od.quarantine(d.id, "open", QUARANTINE_PAGE).await?;
    // Looking for duplicates reads every published row: done when asked, not on every view
    // (the page refreshes itself while an upload is read).
    let suggestions = if suggest {
        Some(od.duplicate_suggestions(d.id, 20).await?)
    } else {
        None
    };
    let fields = fields(d);
    let labels = od.labels(d.id).await?;
    let groups: Vec<_> = od.groups().await?.into_iter().map(|(g, _)| g).collect();
    Ok(minijinja::context! {
        labels => labels, all_groups => groups,
        dataset => d, owner => owner, uploads => uploads, live => live, rows => rows,
        published => published, quarantine => quarantine, fields => fields,
        chart => minijinja::Value::from_safe_string(chart),
        suggestions => suggestions,
        alive => alive.alive, age_days => alive.age_days, allowed_days => alive.allowed_days,
    })
}

/// `GET /opendata/{name}`: a dataset — its schema, uploads (refreshing while one is read),
/// the first published rows, and the open quarantine with a fix form per row.
pub async fn dataset(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Path(name): Path<String>,
    Query(q): Query<Flash>,
) -> Result<Response, WebError> {
    let d = state.opendata.dataset_by_name(&name).await?;
    if !ctx.may_change_dataset(&d) {
        // Another agency's dataset: an uploader does not see it here (the public portal shows
        // what is shared).
        return Err(WebError::not_found());
    }
    let extra = dataset_context(&state, &d, ctx.lang, q.suggest.is_some()).await?;
    Ok(view::page(
        "opendata_dataset.html",
        &ctx,
        "opendata",
        minijinja::context! {
            can_edit => can_edit(&ctx), flash => flash(q.flash.as_deref()), ..extra
        },
    )?
    .into_response())
}

/// `POST /opendata/{name}/uploads`: keeps the file (written to disk as it arrives, so its size
/// is bounded by `web.max_upload_bytes`, not memory) and queues it; the page then shows the
/// counts as the rows are read.
pub async fn upload(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Path(name): Path<String>,
    headers: axum::http::HeaderMap,
    body: axum::body::Body,
) -> Result<Response, WebError> {
    let od = &state.opendata;
    let d = ctx.changeable(od.dataset_by_name(&name).await?)?;
    let content_type = crate::upload::content_type(&headers);
    if !content_type.starts_with("multipart/form-data") {
        return Err(WebError::malformed(
            "send the file as multipart/form-data (field 'file')",
        ));
    }
    let form = crate::upload::read(
        content_type,
        body,
        "file",
        od,
        crate::upload::Limits::of(&state),
    )
    .await?;
    let missing = || WebError::invalid("err-no-file", "choose a CSV file to upload (field 'file')");
    let (file_name, staged) = form.file.ok_or_else(missing)?;
    if staged.size() == 0 {
        return Err(missing());
    }
    let file_name = if file_name.is_empty() {
        "upload.csv".to_owned()
    } else {
        file_name
    };
    let as_of = match form
        .fields
        .iter()
        .find(|(k, _)| k == "as_of")
        .map(|(_, v)| v.trim())
        .filter(|v| !v.is_empty())
    {
        None => None,
        Some(v) => Some(lantoa_core::time::parse_day(v).ok_or_else(|| {
            WebError::invalid("err-as-of", "the 'as of' date is not a date (dd/mm/yyyy)")
        })?),
    };
    od.upload_staged(&ctx.actor(), d.id, &file_name, staged, as_of)
        .await?;
    Ok(Redirect::to(&format!("/opendata/{}?flash=flash-uploaded", d.name)).into_response())
}

/// `POST /opendata/quarantine/{id}/fix`: corrected cells (`cell_0` … in schema order); a row
/// that passes is published, else it stays with its new errors.
pub async fn fix(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Path(id): Path<i64>,
    form: FormPairs,
) -> Result<Response, WebError> {
    let od = &state.opendata;
    // The row's own dataset is the one whose rights are checked; the form's `dataset` field
    // only says where the form was, and a caller may put another agency's there.
    let d = ctx.changeable(od.quarantined_dataset(id).await?)?;
    let n = d.schema["fields"].as_array().map_or(0, Vec::len);
    let cells: Vec<String> = (0..n).map(|i| form.get(&format!("cell_{i}"))).collect();
    let outcome = od.fix(&ctx.actor(), id, &cells).await?;
    let flash = match outcome {
        lantoa_opendata::FixOutcome::Published => "flash-row-published",
        lantoa_opendata::FixOutcome::StillDirty(_) => "flash-row-still-dirty",
    };
    Ok(Redirect::to(&format!("/opendata/{}?flash={flash}#quarantine", d.name)).into_response())
}

/// `POST /opendata/{name}/labels`: sets a dataset's tags (comma-separated) and groups (one
/// checkbox each). A bad tag or an unknown group re-shows the page with the reason; nothing
/// changes.
pub async fn labels(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Path(name): Path<String>,
    form: FormPairs,
) -> Result<Response, WebError> {
    let od = &state.opendata;
    let d = ctx.changeable(od.dataset_by_name(&name).await?)?;
    let tags: Vec<String> = form
        .get("tags")
        .split(',')
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
        .collect();
    let groups = form.all("groups");
    match od
        .set_labels(&ctx.actor(), d.id, Some(&tags), Some(&groups))
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!(
            "/opendata/{}?flash=flash-labels-set#labels",
            d.name
        ))
        .into_response()),
        Err(e) => {
            let extra = dataset_context(&state, &d, ctx.lang, false).await?;
            Ok(form_error(
                "opendata_dataset.html",
                &ctx,
                "opendata",
                minijinja::context! {
                    can_edit => can_edit(&ctx), tags_echo => form.get("tags"), ..extra
                },
                e.into(),
            ))
        }
    }
}

/// `POST /opendata/groups`: creates a group. Groups gather every agency's datasets, so an
/// agency's own uploader does not make them.
pub async fn create_group(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    form: FormPairs,
) -> Result<Response, WebError> {
    // The route admits administrators and data stewards only; an uploader who holds either
    // role too is still tied to an agency, and groups span agencies.
    if agency_scope(&ctx).is_some() {
        return Err(WebError::forbidden());
    }
    let result = state
        .opendata
        .create_group(
            &ctx.actor(),
            &form.get("name"),
            &form.get("title"),
            &form.get("description"),
        )
        .await;
    match result {
        Ok(_) => Ok(Redirect::to("/opendata?flash=flash-group-created#groups").into_response()),
        Err(e) => {
            let extra = list_context(&state, &ctx, &Browse::default()).await?;
            Ok(form_error(
                "opendata.html",
                &ctx,
                "opendata",
                minijinja::context! {
                    can_edit => true,
                    group_echo => minijinja::context! {
                        name => form.get("name"), title => form.get("title"),
                        description => form.get("description"),
                    },
                    ..extra
                },
                e.into(),
            ))
        }
    }
}
