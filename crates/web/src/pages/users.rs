//! User administration and the audit log page.

use axum::Extension;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use lantoa_accounts::NewUser;
use lantoa_core::Role;

use super::{FormPairs, form_error};
use crate::ctx::Ctx;
use crate::error::WebError;
use crate::{AppState, view};

fn all_roles() -> Vec<&'static str> {
    Role::ALL.iter().map(|r| r.as_str()).collect()
}

fn roles_of(form: &FormPairs) -> Vec<Role> {
    form.all("roles")
        .iter()
        .filter_map(|r| r.parse().ok())
        .collect()
}

/// What the accounts list asks for: a search of user names and names, a role, an order, a page.
#[derive(serde::Deserialize, Default)]
pub struct UsersParams {
    q: Option<String>,
    role: Option<String>,
    sort: Option<String>,
    page: Option<i64>,
}

/// Accounts per page.
const USERS_PAGE: i64 = 50;

/// The orders of the accounts list.
const USER_SORTS: [&str; 2] = ["username", "name"];

/// Every account the request selects, in its order. A department's accounts are hundreds, not
/// millions: they are read whole and chosen here.
async fn chosen_users(
    state: &AppState,
    p: &UsersParams,
) -> Result<Vec<lantoa_accounts::User>, WebError> {
    // A value not in the list is named with the values there are (`list-bad-filter`).
    let chosen = |field, value: &Option<String>, known: &[&str]| {
        lantoa_core::page::filter_value(value.as_deref(), known)
            .map_err(|m| WebError::refused(field, m))
    };
    // The names checked are the roles' own: each parses.
    let role = chosen("role", &p.role, &all_roles())?.and_then(|r| r.parse::<Role>().ok());
    let by_name = chosen("sort", &p.sort, &USER_SORTS)?.as_deref() == Some("name");
    let key =
        p.q.as_deref()
            .map(str::trim)
            .filter(|q| !q.is_empty())
            .map(|q| (lantoa_core::text::tone_key(q), q.to_lowercase()));
    let mut users: Vec<_> = state
        .accounts
        .list_users()
        .await?
        .into_iter()
        .filter(|u| role.is_none_or(|r| u.roles.contains(&r)))
        .filter(|u| {
            key.as_ref().is_none_or(|(tone, lower)| {
                u.username.contains(lower.as_str())
                    || lantoa_core::text::tone_key(&u.display_name).contains(tone.as_str())
            })
        })
        .collect();
    if by_name {
        users.sort_by_cached_key(|u| (lantoa_core::text::tone_key(&u.display_name), u.id));
    }
    Ok(users)
}

/// `GET /users`: the accounts a page at a time, searched by user name or name, by role, in
/// the order asked; the exports of what is selected.
pub async fn list(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Query(p): Query<UsersParams>,
) -> Result<Response, WebError> {
    let all = chosen_users(&state, &p).await?;
    let total = all.len() as i64;
    let page = p.page.unwrap_or(0).max(0);
    let users: Vec<_> = all
        .into_iter()
        .skip(usize::try_from(page * USERS_PAGE).unwrap_or(usize::MAX))
        .take(USERS_PAGE as usize)
        .collect();
    let filters = [
        ("q", p.q.clone().unwrap_or_default()),
        ("role", p.role.clone().unwrap_or_default()),
        ("sort", p.sort.clone().unwrap_or_default()),
    ];
    let (prev_url, next_url) = super::pager("/users", &filters, page, USERS_PAGE, total);
    Ok(view::page(
        "users.html",
        &ctx,
        "users",
        minijinja::context! {
            users => users, total => total, roles => all_roles(), sorts => USER_SORTS,
            q => p.q.clone().unwrap_or_default(), role => p.role.clone().unwrap_or_default(),
            sort => p.sort.clone().filter(|s| !s.is_empty()).unwrap_or_else(|| "username".into()),
            prev_url => prev_url, next_url => next_url,
            first => page * USERS_PAGE + 1, last => (page * USERS_PAGE + USERS_PAGE).min(total),
            csv_url => super::list_url("/users.csv", &filters),
            xlsx_url => super::list_url("/users.xlsx", &filters),
        },
    )?
    .into_response())
}

/// Every account the list's search, role and order select, as a table: roles and state in
/// words, the unit by name.
async fn users_sheet(
    state: &AppState,
    ctx: &Ctx,
    p: &UsersParams,
) -> Result<crate::export::Sheet, WebError> {
    use crate::export::Cell;
    let users = chosen_users(state, p).await?;
    let units = state
        .registry
        .names(&users.iter().filter_map(|u| u.unit_id).collect::<Vec<_>>())
        .await?;
    let mut sheet = crate::export::Sheet {
        file: "nguoi-dung".into(),
        headers: ["Tên đăng nhập", "Họ tên", "Vai trò", "Đơn vị", "Trạng thái"]
            .map(str::to_owned)
            .to_vec(),
        rows: Vec::new(),
    };
    for u in &users {
        let state_key = if u.disabled {
            "user-disabled"
        } else if u.must_change_password {
            "user-must-change"
        } else {
            "user-active"
        };
        sheet.rows.push(vec![
            Cell::from(u.username.as_str()),
            Cell::from(u.display_name.as_str()),
            Cell::from(
                u.roles
                    .iter()
                    .map(|r| ctx.t(&format!("role-{}", r.as_str())))
                    .collect::<Vec<_>>()
                    .join(", "),
            ),
            Cell::from(
                u.unit_id
                    .and_then(|id| units.get(&id).cloned())
                    .unwrap_or_default(),
            ),
            Cell::from(ctx.t(state_key)),
        ]);
        if sheet.cut(ctx.t("export-cut")) {
            break;
        }
    }
    Ok(sheet)
}

crate::export::downloads!(UsersParams, users_sheet, users_csv, users_xlsx);

/// `GET /users/new`.
pub async fn new_form(Extension(ctx): Extension<Ctx>) -> Result<Response, WebError> {
    let form =
        minijinja::context! { username => "", display_name => "", roles => Vec::<String>::new() };
    Ok(view::page(
        "user_new.html",
        &ctx,
        "users",
        minijinja::context! { roles => all_roles(), form => form },
    )?
    .into_response())
}

/// `POST /users`: creates the user and shows the one-time password once.
pub async fn create(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    form: FormPairs,
) -> Response {
    let new = NewUser::new(
        &form.get("username"),
        &form.get("display_name"),
        roles_of(&form),
    );
    match state.accounts.create_user(&ctx.actor(), &new).await {
        Ok(created) => match view::page(
            "user.html",
            &ctx,
            "users",
            minijinja::context! { target => created.user, roles => all_roles(), one_time_password => created.one_time_password },
        ) {
            Ok(html) => html.into_response(),
            Err(e) => e.into_response(),
        },
        Err(e) => {
            let echo = minijinja::context! {
                roles => all_roles(),
                form => minijinja::context! { username => form.get("username"), display_name => form.get("display_name"), roles => form.all("roles") },
            };
            form_error("user_new.html", &ctx, "users", echo, e.into())
        }
    }
}

/// `GET /users/{id}`.
pub async fn show(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let target = state.accounts.user(id).await?;
    Ok(view::page(
        "user.html",
        &ctx,
        "users",
        user_context(&state, target).await?,
    )?
    .into_response())
}

/// What the user page shows: the user, every role, and the agencies a user may work for.
async fn user_context(
    state: &AppState,
    target: lantoa_accounts::User,
) -> Result<minijinja::Value, WebError> {
    let (agencies, _) = state
        .registry
        .list(&lantoa_registry::ListQuery {
            kind: Some(lantoa_core::unit::UnitKind::Agency),
            limit: 500,
            ..Default::default()
        })
        .await?;
    let agencies: Vec<_> = agencies
        .into_iter()
        .map(|u| minijinja::context! { id => u.id, name => u.name })
        .collect();
    Ok(minijinja::context! { target => target, roles => all_roles(), agencies => agencies })
}

async fn after(
    state: &AppState,
    ctx: &Ctx,
    id: i64,
    result: Result<(), lantoa_accounts::Error>,
) -> Response {
    match result {
        Ok(()) => Redirect::to(&format!("/users/{id}?flash=flash-user-saved")).into_response(),
        Err(e) => match state.accounts.user(id).await {
            Ok(target) => match user_context(state, target).await {
                Ok(extra) => form_error("user.html", ctx, "users", extra, e.into()),
                Err(e2) => e2.into_response(),
            },
            Err(e2) => WebError::from(e2).into_response(),
        },
    }
}

/// `POST /users/{id}/roles`.
pub async fn set_roles(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Path(id): Path<i64>,
    form: FormPairs,
) -> Response {
    let r = state
        .accounts
        .set_roles(&ctx.actor(), id, &roles_of(&form))
        .await
        .map(|_| ());
    after(&state, &ctx, id, r).await
}

/// `POST /users/{id}/unit`: the agency the user works for (`unit_id`, empty for none).
pub async fn set_unit(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Path(id): Path<i64>,
    form: FormPairs,
) -> Result<Response, WebError> {
    let unit = match form.get("unit_id").as_str() {
        "" => None,
        text => {
            let unit_id: i64 = text.parse().map_err(|_| {
                WebError::invalid("err-bad-unit", "unit_id must be a unit's number")
            })?;
            let unit = state.registry.get(unit_id).await?;
            if unit.kind != lantoa_core::unit::UnitKind::Agency {
                return Err(WebError::invalid(
                    "err-bad-unit",
                    format!("unit {unit_id} is not an agency"),
                ));
            }
            Some(unit_id)
        }
    };
    let r = state.accounts.set_unit(&ctx.actor(), id, unit).await;
    Ok(after(&state, &ctx, id, r).await)
}

/// `POST /users/{id}/disable`.
pub async fn disable(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Path(id): Path<i64>,
) -> Response {
    let r = state.accounts.set_disabled(&ctx.actor(), id, true).await;
    after(&state, &ctx, id, r).await
}

/// `POST /users/{id}/enable`.
pub async fn enable(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Path(id): Path<i64>,
) -> Response {
    let r = state.accounts.set_disabled(&ctx.actor(), id, false).await;
    after(&state, &ctx, id, r).await
}

/// `POST /users/{id}/reset-password`: shows the new one-time password once.
pub async fn reset_password(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Path(id): Path<i64>,
) -> Response {
    let otp = match state
        .accounts
        .issue_one_time_password(&ctx.actor(), id)
        .await
    {
        Ok(p) => p,
        Err(e) => return after(&state, &ctx, id, Err(e)).await,
    };
    match state.accounts.user(id).await {
        Ok(target) => match view::page(
            "user.html",
            &ctx,
            "users",
            minijinja::context! { target => target, roles => all_roles(), one_time_password => otp },
        ) {
            Ok(h) => h.into_response(),
            Err(e) => e.into_response(),
        },
        Err(e) => WebError::from(e).into_response(),
    }
}

/// The audit log page's filters and place.
#[derive(serde::Deserialize, Default)]
pub struct AuditParams {
    /// Rows older than this sequence number.
    before: Option<i64>,
    /// One actor's rows.
    actor: Option<String>,
    /// Actions starting so.
    action: Option<String>,
    /// `1`: walk the whole chain and say whether it is intact.
    verify: Option<String>,
}

/// `GET /audit`: the chain's head, the newest entries, and (`?verify=1`) the chain's
/// verification.
pub async fn audit(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Query(p): Query<AuditParams>,
) -> Result<Response, WebError> {
    const PAGE: i64 = 100;
    // The whole chain is walked only when asked: it grows with every row ever written, and
    // the page is read far more often than the chain needs proving.
    let v = match p.verify.as_deref() {
        Some("1") => Some(lantoa_store::audit::verify(&state.db).await?),
        _ => None,
    };
    let head = match &v {
        Some(v) => v.head.clone(),
        None => lantoa_store::audit::head(&state.db).await?,
    };
    let query = lantoa_store::audit::LogQuery {
        before: p.before.filter(|&b| b > 0),
        actor: p.actor.clone().unwrap_or_default().trim().to_owned(),
        action: p.action.clone().unwrap_or_default().trim().to_owned(),
        limit: PAGE,
    };
    let rows = lantoa_store::audit::page(&state.db, &query).await?;
    // Older rows: the page after this one starts before its last row, if it was full.
    let filters = |before: Option<i64>| {
        let params = [
            ("before", before.map(|b| b.to_string()).unwrap_or_default()),
            ("actor", query.actor.clone()),
            ("action", query.action.clone()),
        ];
        super::list_url("/audit", &params)
    };
    let kept = [
        ("actor", query.actor.clone()),
        ("action", query.action.clone()),
    ];
    let csv_url = super::list_url("/audit.csv", &kept);
    let xlsx_url = super::list_url("/audit.xlsx", &kept);
    let older_url = (rows.len() as i64 == PAGE)
        .then(|| rows.last().map(|r| filters(Some(r.seq))))
        .flatten();
    let newest_url = query.before.is_some().then(|| filters(None));
    let entries: Vec<_> = rows
        .into_iter()
        .map(|e| {
            minijinja::context! {
                seq => e.seq,
                at => lantoa_core::time::format_vn(lantoa_core::time::from_micros(e.at)),
                actor => e.actor, action => e.action, entity => e.entity,
            }
        })
        .collect();
    Ok(view::page(
        "audit.html",
        &ctx,
        "audit",
        minijinja::context! {
            csv_url => csv_url, xlsx_url => xlsx_url,
            verified => v.is_some(), rows => v.as_ref().map_or(head.seq, |v| v.rows),
            broken => v.and_then(|v| v.first_break.map(|b| b.to_string())), entries => entries,
            head => head.to_string(), head_seq => head.seq, actor => query.actor, action => query.action,
            older_url => older_url, newest_url => newest_url,
        },
    )?
    .into_response())
}

/// The audit rows the filters select (`actor`, `action`), newest first, as a table: each
/// action by its name, and what it changed as recorded (JSON).
async fn audit_sheet(
    state: &AppState,
    ctx: &Ctx,
    p: &AuditParams,
) -> Result<crate::export::Sheet, WebError> {
    use crate::export::Cell;
    let mut sheet = crate::export::Sheet {
        file: "nhat-ky".into(),
        headers: [
            "Số thứ tự",
            "Thời điểm",
            "Người thực hiện",
            "Hành động",
            "Mã hành động",
            "Đối tượng",
            "Trước",
            "Sau",
        ]
        .map(str::to_owned)
        .to_vec(),
        rows: Vec::new(),
    };
    let mut before = None;
    loop {
        let rows = lantoa_store::audit::page(
            &state.db,
            &lantoa_store::audit::LogQuery {
                before,
                actor: p.actor.clone().unwrap_or_default().trim().to_owned(),
                action: p.action.clone().unwrap_or_default().trim().to_owned(),
                limit: 1000,
            },
        )
        .await?;
        for e in &rows {
            let label = format!("audit-act-{}", e.action.replace('.', "-"));
            sheet.rows.push(vec![
                Cell::from(e.seq),
                Cell::from(lantoa_core::time::format_vn(
                    lantoa_core::time::from_micros(e.at),
                )),
                Cell::from(e.actor.as_str()),
                Cell::from(if crate::i18n::has(&label) {
                    ctx.t(&label)
                } else {
                    String::new()
                }),
                Cell::from(e.action.as_str()),
                Cell::from(e.entity.as_str()),
                Cell::from(e.before_json.as_deref().unwrap_or("")),
                Cell::from(e.after_json.as_deref().unwrap_or("")),
            ]);
        }
        before = rows.last().map(|r| r.seq);
        if rows.len() < 1000 || sheet.cut(ctx.t("export-cut")) {
            break;
        }
    }
    Ok(sheet)
}

crate::export::downloads!(AuditParams, audit_sheet, audit_csv, audit_xlsx);
