//! The CKAN Action API (read side), at `/api/3/action/{action}` and `/api/action/{action}` (the
//! path the `ckanapi` client uses), answering in CKAN's envelope: `{help, success, result}` or
//! `{help, success: false, error: {__type, message}}`. Get-actions take their parameters from
//! the query string or a JSON body. Public: open data needs no account.
//!
//! Write actions (`package_create`, `package_patch`, `resource_create` with a multipart file
//! `upload`) take an API token in `Authorization` (bare or `Bearer`) or `X-CKAN-API-Key`, as
//! `ckanapi` sends it, held by an administrator, data steward or agency uploader. A session
//! cookie never authorises them.
//!
//! CKAN's model maps onto Lantoa's: a package is a dataset, its organisation the owning agency
//! (named by its registry code), and each dataset has two resources, its published rows as CSV
//! and as JSON, at stable URLs; the CSV resource is the DataStore resource.

use axum::Json;
use axum::body::{Body, Bytes};
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use lantoa_opendata::Dataset;
use serde_json::{Map, Value, json};

use crate::AppState;

/// Most rows a DataStore search with filters, `q` or `sort` looks through.
const SCAN_LIMIT: usize = 200_000;
/// Largest page of `package_search` (CKAN's `ckan.search.rows_max` default).
const ROWS_MAX: usize = 1000;
/// Largest page of `datastore_search` (CKAN's default).
const DATASTORE_MAX: usize = 32_000;

/// A CKAN error: its `__type` and message, and the HTTP status CKAN uses for it.
struct CkanError(StatusCode, &'static str, String);

fn not_found(what: impl Into<String>) -> CkanError {
    CkanError(StatusCode::NOT_FOUND, "Not Found Error", what.into())
}

fn validation(message: impl Into<String>) -> CkanError {
    CkanError(StatusCode::CONFLICT, "Validation Error", message.into())
}

impl From<lantoa_opendata::Error> for CkanError {
    fn from(e: lantoa_opendata::Error) -> Self {
        match e {
            lantoa_opendata::Error::NotFound { .. } => not_found(e.to_string()),
            lantoa_opendata::Error::Invalid { .. } => validation(e.to_string()),
            // One message per problem, each with where it is in the schema.
            lantoa_opendata::Error::Schema(problems) => validation(format!(
                "schema: {}",
                problems
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join("\n")
            )),
            lantoa_opendata::Error::Registry(r) => validation(format!("owner_org: {r}")),
            other => CkanError(
                StatusCode::INTERNAL_SERVER_ERROR,
                "Internal Server Error",
                other.to_string(),
            ),
        }
    }
}

impl From<lantoa_registry::Error> for CkanError {
    // Only lookups reach here; an unknown unit is the caller's mistake.
    fn from(e: lantoa_registry::Error) -> Self {
        CkanError(
            StatusCode::INTERNAL_SERVER_ERROR,
            "Internal Server Error",
            e.to_string(),
        )
    }
}

fn help(base: &str, action: &str) -> String {
    format!("{base}/api/3/action/help_show?name={action}")
}

/// The parameters of a call: the query string (repeated keys become lists) merged with a JSON
/// object body.
fn params(query: Option<&str>, body: &[u8]) -> Result<Map<String, Value>, CkanError> {
    let mut out = Map::new();
    if let Some(q) = query {
        let pairs: Vec<(String, String)> = serde_urlencoded::from_str(q)
            .map_err(|e| bad_request(format!("the query string cannot be read: {e}")))?;
        for (k, v) in pairs {
            match out.get_mut(&k) {
                Some(Value::Array(list)) => list.push(Value::String(v)),
                Some(existing) => {
                    let first = existing.take();
                    *existing = Value::Array(vec![first, Value::String(v)]);
                }
                None => {
                    out.insert(k, Value::String(v));
                }
            }
        }
    }
    if !body.iter().all(u8::is_ascii_whitespace) {
        match serde_json::from_slice::<Value>(body) {
            Ok(Value::Object(m)) => out.extend(m),
            Ok(_) => {
                return Err(bad_request(
                    "Bad request data: the request body must be a JSON object",
                ));
            }
            Err(e) => {
                return Err(bad_request(format!(
                    "JSON Error: the request body is not JSON: {e}"
                )));
            }
        }
    }
    Ok(out)
}

fn text(p: &Map<String, Value>, key: &str) -> Option<String> {
    match p.get(key)? {
        Value::String(s) => Some(s.clone()),
        Value::Null => None,
        other => Some(other.to_string()),
    }
}

fn number(p: &Map<String, Value>, key: &str, default: usize) -> Result<usize, CkanError> {
    match p.get(key) {
        None | Some(Value::Null) => Ok(default),
        Some(Value::Number(n)) => n
            .as_u64()
            .map(|n| n as usize)
            .ok_or_else(|| validation(format!("{key}: must be a natural number"))),
        Some(Value::String(s)) => s
            .trim()
            .parse()
            .map_err(|_| validation(format!("{key}: \"{s}\" is not a natural number"))),
        Some(other) => Err(validation(format!(
            "{key}: {other} is not a natural number"
        ))),
    }
}

/// A file sent as the multipart field `upload`, written to disk as it arrived.
struct Upload {
    name: String,
    staged: lantoa_store::blob::Staged,
}

/// The text fields and the `upload` file of a multipart body. The file is written to disk as
/// it arrives (bounded by `web.max_upload_bytes`), so only a caller whose token may change open
/// data gets this far.
async fn multipart(
    state: &AppState,
    content_type: &str,
    body: Body,
) -> Result<(Map<String, Value>, Option<Upload>), CkanError> {
    let od = &state.opendata;
    let form = crate::upload::read(
        content_type,
        body,
        "upload",
        od,
        crate::upload::Limits::of(state),
    )
    .await
    .map_err(|e| match e {
        e @ crate::upload::FormError::TooLarge { .. } => CkanError(
            StatusCode::PAYLOAD_TOO_LARGE,
            "Validation Error",
            e.to_string(),
        ),
        crate::upload::FormError::Store(e) => e.into(),
        e @ crate::upload::FormError::Malformed(_) => validation(e.to_string()),
    })?;
    let fields = form
        .fields
        .into_iter()
        .map(|(k, v)| (k, Value::String(v)))
        .collect();
    let upload = form.file.map(|(name, staged)| Upload {
        name: if name.is_empty() {
            "upload.csv".to_owned()
        } else {
            name
        },
        staged,
    });
    Ok((fields, upload))
}

/// `GET|POST /api/3/action/{action}` and `/api/action/{action}`.
pub async fn action(
    State(state): State<AppState>,
    method: axum::http::Method,
    Path(name): Path<String>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let base = crate::serve::base_url(&headers);
    if WRITE_ACTIONS.contains(&name.as_str()) && method != axum::http::Method::POST {
        // A write over GET could be made by a link or an image on any page.
        return (
            StatusCode::METHOD_NOT_ALLOWED,
            [(axum::http::header::ALLOW, "POST")],
            Json(json!({
                "help": help(&base, &name), "success": false,
                "error": { "__type": "Validation Error",
                           "message": format!("{name} changes data: send it as POST") },
            })),
        )
            .into_response();
    }
    let content_type = crate::upload::content_type(&headers).to_owned();
    let parsed = if content_type.starts_with("multipart/form-data") {
        let allowed = if WRITE_ACTIONS.contains(&name.as_str()) {
            editor(&state, &headers).await.map(|_| ())
        } else {
            Ok(())
        };
        match allowed {
            Ok(()) => match multipart(&state, &content_type, body).await {
                Ok((mut fields, upload)) => match params(query.as_deref(), b"") {
                    Ok(q) => {
                        fields.extend(q);
                        Ok((fields, upload))
                    }
                    Err(e) => Err(e),
                },
                Err(e) => Err(e),
            },
            Err(e) => Err(e),
        }
    } else {
        match axum::body::to_bytes(body, state.config.max_body_bytes).await {
            Ok(bytes) => params(query.as_deref(), &bytes).map(|p| (p, None)),
            Err(_) => Err(CkanError(
                StatusCode::PAYLOAD_TOO_LARGE,
                "Validation Error",
                format!(
                    "the request body is over the limit of {} bytes (web.max_body_bytes); send files as multipart/form-data",
                    state.config.max_body_bytes
                ),
            )),
        }
    };
    let result = match parsed {
        Ok((p, upload)) if WRITE_ACTIONS.contains(&name.as_str()) => {
            write(&state, &headers, &base, &name, &p, upload).await
        }
        Ok((p, _)) => dispatch(&state, &base, &name, &p).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(result) => {
            Json(json!({ "help": help(&base, &name), "success": true, "result": result }))
                .into_response()
        }
        // CKAN answers a request it cannot read with a bare string, not its envelope.
        Err(CkanError(status, BAD_REQUEST, message)) => {
            (status, Json(json!(format!("Bad request - {message}")))).into_response()
        }
        Err(CkanError(status, kind, message)) => (
            status,
            Json(json!({
                "help": help(&base, &name), "success": false,
                "error": error_dict(kind, message),
            })),
        )
            .into_response(),
    }
}

/// The `__type` of a request CKAN cannot read (answered with a bare string).
const BAD_REQUEST: &str = "Bad Request";

/// CKAN's error dict: a validation error lists its messages per field
/// (`{"__type": "Validation Error", "name": ["That URL is already in use."]}`), as CKAN's
/// `ValidationError` does; a message not about one field, and every other error, is
/// `message`.
fn error_dict(kind: &str, message: String) -> Value {
    if kind == "Validation Error"
        && let Some((field, text)) = message.split_once(": ")
        && !field.is_empty()
        && field
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '_' | '.'))
    {
        return json!({ "__type": kind, field: text.split('\n').collect::<Vec<_>>() });
    }
    json!({ "__type": kind, "message": message })
}

fn bad_request(message: impl Into<String>) -> CkanError {
    CkanError(StatusCode::BAD_REQUEST, BAD_REQUEST, message.into())
}

/// The API token of a CKAN call, as `ckanapi` sends it.
fn api_key(headers: &HeaderMap) -> Option<String> {
    let raw = headers
        .get(axum::http::header::AUTHORIZATION)
        .or_else(|| headers.get("x-ckan-api-key"))?
        .to_str()
        .ok()?
        .trim();
    Some(raw.strip_prefix("Bearer ").unwrap_or(raw).trim().to_owned())
}

/// The principal of the call's token, if it may change open data.
async fn editor(
    state: &AppState,
    headers: &HeaderMap,
) -> Result<lantoa_accounts::Principal, CkanError> {
    let denied = |m: &str| CkanError(StatusCode::FORBIDDEN, "Authorization Error", m.to_owned());
    let key = api_key(headers).ok_or_else(|| denied("an API token is required for this action"))?;
    let principal = state
        .accounts
        .authenticate_token(&key)
        .await
        .map_err(|e| {
            CkanError(
                StatusCode::INTERNAL_SERVER_ERROR,
                "Internal Server Error",
                e.to_string(),
            )
        })?
        .ok_or_else(|| denied("the API token is unknown, revoked or expired"))?;
    match crate::ctx::principal_may(
        &principal,
        crate::routes::Access::Roles(crate::routes::OPENDATA_EDITORS),
    ) {
        Ok(()) => Ok(principal),
        Err(e) if e.code == lantoa_core::error_code::FORBIDDEN => Err(denied(
            "the token's roles may not change open data (administrator, data steward or agency uploader)",
        )),
        Err(e) => Err(denied(&e.message)),
    }
}

fn extra(p: &Map<String, Value>, key: &str) -> Option<String> {
    text(p, key).or_else(|| {
        p.get("extras")?.as_array()?.iter().find_map(|e| {
            (e["key"] == key).then(|| match &e["value"] {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            })
        })
    })
}

/// Refuses an agency uploader another agency's dataset.
fn own(who: &lantoa_accounts::Principal, d: &Dataset) -> Result<(), CkanError> {
    if lantoa_opendata::may_change(&who.roles, who.unit_id, d) {
        Ok(())
    } else {
        Err(CkanError(
            StatusCode::FORBIDDEN,
            "Authorization Error",
            "an agency uploader changes its own agency's datasets only".into(),
        ))
    }
}

/// The actions that change data.
const WRITE_ACTIONS: [&str; 4] = [
    "package_create",
    "package_patch",
    "resource_create",
    "group_create",
];

/// Every action this server provides, with what `help_show` says of it.
const HELP: [(&str, &str); 17] = [
    (
        "status_show",
        "Return the site's version and the extensions it runs.",
    ),
    ("site_read", "Return true: the site may be read."),
    (
        "help_show",
        "Return the help string of an action: name (the action's name).",
    ),
    (
        "package_list",
        "Return the names of the public datasets: limit, offset.",
    ),
    (
        "package_show",
        "Return a public dataset: id (its name or id).",
    ),
    (
        "package_search",
        "Search the public datasets: q (words), fq, rows, start, sort, facet.field.",
    ),
    (
        "organization_list",
        "Return the agencies that own public datasets: all_fields for their dicts with package_count.",
    ),
    (
        "organization_show",
        "Return an agency that owns public datasets: id (its name or id), with package_count.",
    ),
    (
        "group_list",
        "Return the groups: all_fields for their dicts with package_count, limit, offset.",
    ),
    (
        "group_show",
        "Return a group: id (its name or id), with package_count.",
    ),
    (
        "tag_list",
        "Return the tags of public datasets: query (part of a tag), all_fields for tag dicts.",
    ),
    (
        "resource_show",
        "Return a resource of a public dataset: id.",
    ),
    (
        "datastore_search",
        "Return a public dataset's rows: resource_id, q, filters, fields, sort, limit, offset.",
    ),
    (
        "package_create",
        "Create a dataset (POST, a data steward's or agency uploader's token): name, title, owner_org, schema, sensitivity, notes, license_id, tags, groups.",
    ),
    (
        "package_patch",
        "Change a dataset's fields (POST, an editor's token): id and the fields to change (title, notes, license_id, cadence, sensitivity, tags, groups).",
    ),
    (
        "group_create",
        "Create a group (POST, an administrator's or data steward's token): name, title, description.",
    ),
    (
        "resource_create",
        "Upload a file to a dataset (POST multipart, an editor's token): package_id, upload, and as_of (optional: the date the data is as of; before 1/7/2025 its commune names are read as the old units).",
    ),
];

async fn write(
    state: &AppState,
    headers: &HeaderMap,
    base: &str,
    name: &str,
    p: &Map<String, Value>,
    upload: Option<Upload>,
) -> Result<Value, CkanError> {
    let who = editor(state, headers).await?;
    let actor = who.actor();
    let od = &state.opendata;
    match name {
        "group_create" => {
            // Groups span agencies: an agency's own uploader does not make them.
            if lantoa_opendata::agency_scope(&who.roles, who.unit_id).is_some() {
                return Err(CkanError(
                    StatusCode::FORBIDDEN,
                    "Authorization Error",
                    "groups gather every agency's datasets: an administrator or data steward creates them".into(),
                ));
            }
            let g = od
                .create_group(
                    &actor,
                    &text(p, "name").unwrap_or_default(),
                    &text(p, "title").unwrap_or_default(),
                    &text(p, "description").unwrap_or_default(),
                )
                .await
                .map_err(|e| match e {
                    lantoa_opendata::Error::Duplicate(n) => {
                        validation(format!("name: that group name is already in use ({n})"))
                    }
                    other => other.into(),
                })?;
            Ok(group_dict(&g, Some(0)))
        }
        "package_create" => {
            let owner =
                text(p, "owner_org").ok_or_else(|| validation("owner_org: missing value"))?;
            let owner_id = match owner.parse::<i64>() {
                Ok(id) => id,
                Err(_) => state
                    .registry
                    .by_code(lantoa_core::unit::UnitKind::Agency, &owner.to_uppercase())
                    .await?
                    .map(|u| u.id)
                    .ok_or_else(|| validation(format!("owner_org: no organization {owner}")))?,
            };
            let schema = match p.get("schema") {
                Some(Value::Object(o)) => Value::Object(o.clone()).to_string(),
                _ => extra(p, "schema").ok_or_else(|| {
                    validation("schema: a Table Schema is required (field \"schema\" or extras key \"schema\")")
                })?,
            };
            if lantoa_opendata::agency_scope(&who.roles, who.unit_id)
                .is_some_and(|unit| unit != Some(owner_id))
            {
                return Err(CkanError(
                    StatusCode::FORBIDDEN,
                    "Authorization Error",
                    "an agency uploader creates datasets of its own agency only".into(),
                ));
            }
            // Tags and groups are checked before the dataset is created, so a bad one leaves
            // nothing half made.
            let (tags, groups) = labels_of(od, p).await?;
            let d = od
                .create_dataset(
                    &actor,
                    &lantoa_opendata::NewDataset {
                        name: text(p, "name").unwrap_or_default(),
                        title: text(p, "title").unwrap_or_default(),
                        notes: text(p, "notes").unwrap_or_default(),
                        owner_unit_id: owner_id,
                        license_id: text(p, "license_id").unwrap_or_else(|| "cc-by-4.0".into()),
                        cadence: extra(p, "cadence").unwrap_or_else(|| "irregular".into()),
                        sensitivity: extra(p, "sensitivity").unwrap_or_else(|| "open".into()),
                        schema_json: schema,
                    },
                )
                .await
                .map_err(|e| match e {
                    lantoa_opendata::Error::Duplicate(n) => {
                        validation(format!("name: that URL is already in use ({n})"))
                    }
                    other => other.into(),
                })?;
            if tags.is_some() || groups.is_some() {
                od.set_labels(&actor, d.id, tags.as_deref(), groups.as_deref())
                    .await?;
            }
            package(state, base, &d).await
        }
        "package_patch" => {
            let d = find_any(od, p, "id")
                .await?
                .ok_or_else(|| not_found("Not found"))?;
            own(&who, &d)?;
            let d = od
                .patch_dataset(
                    &actor,
                    d.id,
                    &lantoa_opendata::DatasetPatch {
                        title: text(p, "title"),
                        notes: text(p, "notes"),
                        license_id: text(p, "license_id"),
                        cadence: extra(p, "cadence"),
                        sensitivity: extra(p, "sensitivity"),
                    },
                )
                .await?;
            let (tags, groups) = labels_of(od, p).await?;
            if tags.is_some() || groups.is_some() {
                od.set_labels(&actor, d.id, tags.as_deref(), groups.as_deref())
                    .await?;
            }
            package(state, base, &d).await
        }
        _ => {
            let d = find_any(od, p, "package_id")
                .await?
                .ok_or_else(|| not_found("Not found"))?;
            own(&who, &d)?;
            let file = upload.ok_or_else(|| {
                validation("upload: a file is required (multipart field \"upload\"); links to files elsewhere are not fetched")
            })?;
            if file.staged.size() == 0 {
                return Err(validation("upload: the file is empty"));
            }
            let as_of = match text(p, "as_of") {
                None => None,
                Some(t) => Some(lantoa_core::time::parse_day(&t).ok_or_else(|| {
                    validation(format!(
                        "as_of: \"{t}\" is not a date (dd/mm/yyyy or yyyy-mm-dd)"
                    ))
                })?),
            };
            let u = od
                .upload_staged(&actor, d.id, &file.name, file.staged, as_of)
                .await?;
            let mut r = resources(base, &d).remove(0);
            r["upload_id"] = json!(u.id);
            r["upload_version"] = json!(u.version);
            r["upload_status"] = json!(u.status);
            Ok(r)
        }
    }
}

async fn dispatch(
    state: &AppState,
    base: &str,
    name: &str,
    p: &Map<String, Value>,
) -> Result<Value, CkanError> {
    let od = &state.opendata;
    match name {
        "status_show" => Ok(json!({
            "ckan_version": "2.10.0",
            "site_title": state.config.org_name,
            "site_url": base,
            "site_description": "Lantoa",
            "locale_default": "vi",
            "extensions": ["datastore"],
        })),
        "site_read" => Ok(Value::Bool(true)),
        "help_show" => {
            let name = text(p, "name").ok_or_else(|| validation("name: missing value"))?;
            HELP.iter()
                .find(|(action, _)| *action == name.as_str())
                .map(|(_, help)| json!(help))
                .ok_or_else(|| not_found(format!("action {name} not found")))
        }
        "package_list" => {
            let names: Vec<String> = od
                .public_datasets()
                .await?
                .into_iter()
                .map(|d| d.name)
                .collect();
            Ok(json!(page(names, p)?))
        }
        "package_show" => {
            let d = find(od, p, "id").await?;
            Ok(package(state, base, &d).await?)
        }
        "package_search" => package_search(state, base, p).await,
        "organization_list" => {
            let all = p
                .get("all_fields")
                .is_some_and(|v| v == true || v == "true");
            let mut orgs = Vec::new();
            for (id, count) in owners(od).await? {
                let o = organization(state, id, Some(count)).await?;
                orgs.push(if all { o } else { o["name"].clone() });
            }
            Ok(Value::Array(orgs))
        }
        "organization_show" => {
            let id = text(p, "id").ok_or_else(|| validation("id: missing value"))?;
            for (owner, count) in owners(od).await? {
                let o = organization(state, owner, Some(count)).await?;
                if o["name"] == id.as_str() || o["id"] == id.as_str() {
                    return Ok(o);
                }
            }
            Err(not_found(format!("organization {id} not found")))
        }
        "group_list" => {
            let all = p
                .get("all_fields")
                .is_some_and(|v| v == true || v == "true");
            let groups = od.groups().await?;
            Ok(Value::Array(page(
                groups
                    .iter()
                    .map(|(g, n)| {
                        if all {
                            group_dict(g, Some(*n))
                        } else {
                            json!(g.name)
                        }
                    })
                    .collect(),
                p,
            )?))
        }
        "group_show" => {
            let id = text(p, "id").ok_or_else(|| validation("id: missing value"))?;
            let (g, n) = od
                .groups()
                .await?
                .into_iter()
                .find(|(g, _)| g.name == id || g.id.to_string() == id)
                .ok_or_else(|| not_found(format!("group {id} not found")))?;
            Ok(group_dict(&g, Some(n)))
        }
        "tag_list" => {
            // `query`: tags containing it (tone marks optional); `all_fields`: tag dicts.
            let all = p
                .get("all_fields")
                .is_some_and(|v| v == true || v == "true");
            let query = text(p, "query").map(|q| lantoa_core::text::fold_key(&q));
            Ok(Value::Array(
                od.tags()
                    .await?
                    .into_iter()
                    .filter(|(t, _)| {
                        query
                            .as_ref()
                            .is_none_or(|q| lantoa_core::text::fold_key(t).contains(q.as_str()))
                    })
                    .map(|(t, _)| if all { tag_dict(&t) } else { json!(t) })
                    .collect(),
            ))
        }
        "resource_show" => {
            let id = text(p, "id").ok_or_else(|| validation("id: missing value"))?;
            for d in od.public_datasets().await? {
                for r in resources(base, &d) {
                    if r["id"] == id.as_str() {
                        return Ok(r);
                    }
                }
            }
            Err(not_found(format!("resource {id} not found")))
        }
        "datastore_search" => datastore_search(od, p).await,
        other => Err(bad_request(format!("Action name not known: {other}"))),
    }
}

fn page<T>(items: Vec<T>, p: &Map<String, Value>) -> Result<Vec<T>, CkanError> {
    let offset = number(p, "offset", 0)?;
    let limit = number(p, "limit", usize::MAX)?;
    Ok(items.into_iter().skip(offset).take(limit).collect())
}

/// The public dataset named (or numbered) by parameter `key`; others are "Not found" to
/// readers.
async fn find(
    od: &lantoa_opendata::OpenData,
    p: &Map<String, Value>,
    key: &str,
) -> Result<Dataset, CkanError> {
    find_any(od, p, key)
        .await?
        .filter(Dataset::is_public)
        .ok_or_else(|| not_found("Not found"))
}

/// The dataset named (or numbered) by `key`, public or not: editors change restricted datasets
/// too (whether this editor may is judged by the caller).
async fn find_any(
    od: &lantoa_opendata::OpenData,
    p: &Map<String, Value>,
    key: &str,
) -> Result<Option<Dataset>, CkanError> {
    let id = text(p, key).ok_or_else(|| validation(format!("{key}: missing value")))?;
    let found = match od.dataset_by_name(&id).await {
        Ok(d) => Some(d),
        Err(_) => match id.parse::<i64>() {
            Ok(n) => od.dataset(n).await.ok(),
            Err(_) => None,
        },
    };
    Ok(found)
}

/// The agencies that own public datasets, each with how many (CKAN's `package_count`).
async fn owners(od: &lantoa_opendata::OpenData) -> Result<Vec<(i64, usize)>, CkanError> {
    let mut counts: std::collections::BTreeMap<i64, usize> = std::collections::BTreeMap::new();
    for d in od.public_datasets().await? {
        *counts.entry(d.owner_unit_id).or_default() += 1;
    }
    Ok(counts.into_iter().collect())
}

/// An agency as CKAN's organization dict; `package_count` where CKAN gives it (the
/// organization actions, not a package's own `organization`).
async fn organization(
    state: &AppState,
    unit_id: i64,
    package_count: Option<usize>,
) -> Result<Value, CkanError> {
    let u = state.registry.get(unit_id).await?;
    let name = u
        .code
        .as_deref()
        .map_or_else(|| format!("unit-{}", u.id), str::to_lowercase);
    let mut o = json!({
        "id": u.id.to_string(), "name": name, "title": u.name, "display_name": u.name,
        "type": "organization", "state": "active", "is_organization": true,
    });
    if let Some(n) = package_count {
        o["package_count"] = json!(n);
    }
    Ok(o)
}

fn iso(micros: i64) -> String {
    chrono::DateTime::from_timestamp_micros(micros)
        .map(|t| t.format("%Y-%m-%dT%H:%M:%S%.6f").to_string())
        .unwrap_or_default()
}

fn resources(base: &str, d: &Dataset) -> Vec<Value> {
    ["csv", "json"]
        .into_iter()
        .enumerate()
        .map(|(i, fmt)| {
            json!({
                "id": format!("{}-{fmt}", d.name),
                "package_id": d.id.to_string(),
                "name": format!("{} ({})", d.title, fmt.to_uppercase()),
                "format": fmt.to_uppercase(),
                "mimetype": if fmt == "csv" { "text/csv" } else { "application/json" },
                "url": format!("{base}/opendata/{}/rows.{fmt}", d.name),
                "datastore_active": fmt == "csv",
                "position": i,
                "state": "active",
                "created": iso(d.created_at),
                "last_modified": iso(d.updated_at),
            })
        })
        .collect()
}

/// A group as CKAN's group dict; `package_count` where CKAN gives it.
fn group_dict(g: &lantoa_opendata::labels::Group, package_count: Option<usize>) -> Value {
    let mut v = json!({
        "id": g.id.to_string(), "name": g.name, "title": g.title, "display_name": g.title,
        "description": g.description, "type": "group", "state": "active",
        "is_organization": false, "created": iso(g.created_at),
    });
    if let Some(n) = package_count {
        v["package_count"] = json!(n);
    }
    v
}

/// The `tags` (`[{"name": …}]`, names, or `tag_string` "a,b") and `groups` (`[{"name": …}]`
/// or `[{"id": …}]`, or names) of a package_create or package_patch, each checked (a tag's
/// form, a group's existence); `None` where the call does not give them.
async fn labels_of(
    od: &lantoa_opendata::OpenData,
    p: &Map<String, Value>,
) -> Result<(Option<Vec<String>>, Option<Vec<String>>), CkanError> {
    let names = |key: &str, v: &Value| -> Result<Vec<String>, CkanError> {
        let list = match v {
            Value::Array(a) => a.clone(),
            // A form field or query string carries the list as JSON.
            Value::String(s) => match serde_json::from_str::<Value>(s) {
                Ok(Value::Array(a)) => a,
                _ => return Err(validation(format!("{key}: must be a list"))),
            },
            _ => return Err(validation(format!("{key}: must be a list"))),
        };
        list.iter()
            .map(|x| match x {
                Value::String(n) => Ok(n.clone()),
                Value::Object(o) => o
                    .get("name")
                    .or_else(|| o.get("id"))
                    .map(plain)
                    .ok_or_else(|| validation(format!("{key}: each needs a name"))),
                _ => Err(validation(format!("{key}: each needs a name"))),
            })
            .collect()
    };
    let tags = match (p.get("tags"), text(p, "tag_string")) {
        (Some(v), _) if !v.is_null() => Some(names("tags", v)?),
        (_, Some(s)) => Some(
            s.split(',')
                .map(str::trim)
                .filter(|t| !t.is_empty())
                .map(str::to_owned)
                .collect(),
        ),
        _ => None,
    };
    for t in tags.iter().flatten() {
        lantoa_opendata::labels::check_tag(t)?;
    }
    let groups = match p.get("groups") {
        Some(v) if !v.is_null() => Some(names("groups", v)?),
        _ => None,
    };
    for g in groups.iter().flatten() {
        if od.group(g.trim()).await.is_err() {
            return Err(validation(format!(
                "groups: there is no group \"{}\"",
                g.trim()
            )));
        }
    }
    Ok((tags, groups))
}

/// A tag as CKAN's tag dict.
fn tag_dict(name: &str) -> Value {
    json!({ "id": name, "name": name, "display_name": name, "state": "active", "vocabulary_id": null })
}

async fn package(state: &AppState, base: &str, d: &Dataset) -> Result<Value, CkanError> {
    let org = organization(state, d.owner_unit_id, None).await?;
    let labels = state.opendata.labels(d.id).await?;
    Ok(json!({
        "id": d.id.to_string(),
        "name": d.name,
        "title": d.title,
        "notes": d.notes,
        "license_id": d.license_id,
        "type": "dataset",
        "state": "active",
        "private": false,
        "owner_org": org["id"],
        "organization": org,
        "metadata_created": iso(d.created_at),
        "metadata_modified": iso(d.updated_at),
        "resources": resources(base, d),
        "num_resources": 2,
        "tags": labels.tags.iter().map(|t| tag_dict(t)).collect::<Vec<_>>(),
        "num_tags": labels.tags.len(),
        "groups": labels.groups.iter().map(|g| group_dict(g, None)).collect::<Vec<_>>(),
        "extras": [
            { "key": "cadence", "value": d.cadence },
            { "key": "sensitivity", "value": d.sensitivity },
        ],
    }))
}

/// A package's values of a field, for a search query ([`lantoa_opendata::query`]).
fn package_values(pk: &Value, field: &str) -> Vec<String> {
    let names = |list: &Value, key: &str| -> Vec<String> {
        list.as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|x| x[key].as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default()
    };
    let one = |v: &Value| v.as_str().map(str::to_owned).into_iter().collect();
    match field {
        "text" => vec![
            [
                one(&pk["name"]),
                one(&pk["title"]),
                one(&pk["notes"]),
                names(&pk["tags"], "name"),
                names(&pk["groups"], "title"),
                names(&pk["groups"], "name"),
                one(&pk["organization"]["title"]),
                one(&pk["organization"]["name"]),
            ]
            .concat()
            .join(" "),
        ],
        "tags" => names(&pk["tags"], "name"),
        "groups" => names(&pk["groups"], "name"),
        "organization" => one(&pk["organization"]["name"]),
        "owner_org" => one(&pk["owner_org"]),
        "res_format" => names(&pk["resources"], "format"),
        other => one(&pk[other]),
    }
}

/// `package_search`: `q` and `fq` in the Lucene syntax Solr reads (words and phrases, tone
/// marks optional; `field:value`; `AND`, `OR`, `NOT`, `+`, `-`, parentheses: see
/// [`lantoa_opendata::query`]), `sort` (`name`, `title`, `metadata_modified`, `score`;
/// `asc`/`desc`), `rows`, `start`, `facet.field` (organization, license_id, res_format, tags,
/// groups) and `facet.limit` (50 by default, -1 for all).
async fn package_search(
    state: &AppState,
    base: &str,
    p: &Map<String, Value>,
) -> Result<Value, CkanError> {
    let od = &state.opendata;
    let query = |key: &str| -> Result<lantoa_opendata::query::Query, CkanError> {
        lantoa_opendata::query::parse(&text(p, key).unwrap_or_default()).map_err(|e| {
            CkanError(
                StatusCode::BAD_REQUEST,
                "Search Query Error",
                format!("{key}: {e}"),
            )
        })
    };
    let (q, fq) = (query("q")?, query("fq")?);
    let mut packages = Vec::new();
    for d in od.public_datasets().await? {
        let pk = package(state, base, &d).await?;
        let values = |field: &str| package_values(&pk, field);
        if q.matches(&values) && fq.matches(&values) {
            packages.push(pk);
        }
    }
    let sort = text(p, "sort").unwrap_or_else(|| "score desc, metadata_modified desc".into());
    let first = sort.split(',').next().unwrap_or_default().trim().to_owned();
    let (key, desc) = match first.split_once(' ') {
        Some((k, dir)) => (k.to_owned(), dir.trim() == "desc"),
        None => (first.clone(), false),
    };
    let key = if key == "score" {
        "metadata_modified".to_owned()
    } else {
        key
    };
    if !["name", "title", "metadata_modified", "metadata_created"].contains(&key.as_str()) {
        return Err(CkanError(
            StatusCode::BAD_REQUEST,
            "Search Query Error",
            format!("sort: cannot sort by {key}"),
        ));
    }
    packages.sort_by(|a, b| {
        let o = a[&key]
            .as_str()
            .unwrap_or("")
            .cmp(b[&key].as_str().unwrap_or(""));
        if desc { o.reverse() } else { o }
    });
    let facets_wanted: Vec<String> = match p.get("facet.field") {
        None => Vec::new(),
        Some(Value::String(s)) => serde_json::from_str(s)
            .map_err(|_| validation("facet.field: must be a JSON list of field names"))?,
        Some(Value::Array(a)) => a
            .iter()
            .filter_map(|v| v.as_str().map(str::to_owned))
            .collect(),
        Some(_) => {
            return Err(validation(
                "facet.field: must be a JSON list of field names",
            ));
        }
    };
    // CKAN's default is 50; a negative limit (-1) is no limit.
    let facet_limit: Option<usize> = match p.get("facet.limit") {
        None | Some(Value::Null) => Some(50),
        Some(v) => {
            let n: i64 = plain(v).trim().parse().map_err(|_| {
                validation(format!("facet.limit: \"{}\" is not an integer", plain(v)))
            })?;
            usize::try_from(n).ok()
        }
    };
    let mut facets = Map::new();
    let mut search_facets = Map::new();
    for f in &facets_wanted {
        let mut counts: std::collections::BTreeMap<String, (String, u64)> = Default::default();
        for pk in &packages {
            let values: Vec<(String, String)> = match f.as_str() {
                "organization" => vec![(
                    pk["organization"]["name"].as_str().unwrap_or("").to_owned(),
                    pk["organization"]["title"]
                        .as_str()
                        .unwrap_or("")
                        .to_owned(),
                )],
                "license_id" => {
                    let l = pk["license_id"].as_str().unwrap_or("").to_owned();
                    vec![(l.clone(), l)]
                }
                "res_format" => vec![("CSV".into(), "CSV".into()), ("JSON".into(), "JSON".into())],
                "tags" => package_values(pk, "tags")
                    .into_iter()
                    .map(|t| (t.clone(), t))
                    .collect(),
                "groups" => pk["groups"]
                    .as_array()
                    .map(|gs| {
                        gs.iter()
                            .map(|g| {
                                (
                                    g["name"].as_str().unwrap_or("").to_owned(),
                                    g["title"].as_str().unwrap_or("").to_owned(),
                                )
                            })
                            .collect()
                    })
                    .unwrap_or_default(),
                _ => Vec::new(),
            };
            for (v, title) in values {
                counts.entry(v).or_insert((title, 0)).1 += 1;
            }
        }
        // The most frequent first (then by name), as many as facet.limit keeps.
        let mut items: Vec<(String, String, u64)> =
            counts.into_iter().map(|(k, (t, n))| (k, t, n)).collect();
        items.sort_by(|a, b| b.2.cmp(&a.2).then_with(|| a.0.cmp(&b.0)));
        if let Some(limit) = facet_limit {
            items.truncate(limit);
        }
        facets.insert(
            f.clone(),
            Value::Object(
                items
                    .iter()
                    .map(|(k, _, n)| (k.clone(), json!(n)))
                    .collect(),
            ),
        );
        search_facets.insert(
            f.clone(),
            json!({
                "title": f,
                "items": items.iter().map(|(k, t, n)| json!({"name": k, "display_name": t, "count": n})).collect::<Vec<_>>(),
            }),
        );
    }
    let count = packages.len();
    let start = number(p, "start", 0)?;
    let rows = number(p, "rows", 10)?.min(ROWS_MAX);
    let results: Vec<Value> = packages.into_iter().skip(start).take(rows).collect();
    Ok(json!({
        "count": count, "results": results, "sort": sort,
        "facets": facets, "search_facets": search_facets,
    }))
}

fn ckan_type(field: &Value) -> &'static str {
    match field["type"].as_str().unwrap_or("string") {
        "integer" | "year" => "int",
        "number" => "numeric",
        "boolean" => "bool",
        "date" => "date",
        "datetime" => "timestamp",
        _ => "text",
    }
}

/// `datastore_search` on a dataset's CSV resource: `filters` (exact values, one or a list per
/// field, `_id` too), `q` (text anywhere in the row, or an object of text per field; tone marks
/// optional), `fields`, `sort` (`field [asc|desc]`, `_id` too), `limit` (default 100),
/// `offset`, `include_total`. Each record's `_id` is the row's stable number: kept when a later
/// upload replaces its values. Without filters, `q` or `sort` a page is read directly; with
/// them, up to 200,000 rows are looked through.
async fn datastore_search(
    od: &lantoa_opendata::OpenData,
    p: &Map<String, Value>,
) -> Result<Value, CkanError> {
    let resource =
        text(p, "resource_id").ok_or_else(|| validation("resource_id: missing value"))?;
    let dataset_name = resource
        .strip_suffix("-csv")
        .ok_or_else(|| not_found(format!("resource {resource} is not in the DataStore")))?;
    let d = od
        .public_dataset(dataset_name)
        .await
        .map_err(|_| not_found(format!("resource {resource} not found")))?;
    let fields: Vec<Value> = d.schema["fields"].as_array().cloned().unwrap_or_default();
    let names: Vec<String> = fields
        .iter()
        .map(|f| f["name"].as_str().unwrap_or_default().to_owned())
        .collect();
    // Dropped fields are not there for the DataStore: not listed, not filtered on.
    let shared: Vec<usize> = d.shared_fields().into_iter().map(|(i, _)| i).collect();
    let index = |n: &str| shared.iter().copied().find(|&i| names[i] == n);
    let limit = number(p, "limit", 100)?.min(DATASTORE_MAX);
    let offset = number(p, "offset", 0)?;
    let wanted: Vec<usize> = match p.get("fields") {
        None | Some(Value::Null) => shared.clone(),
        Some(v) => {
            let list: Vec<String> = match v {
                Value::String(s) => s.split(',').map(|x| x.trim().to_owned()).collect(),
                Value::Array(a) => a
                    .iter()
                    .filter_map(|x| x.as_str().map(str::to_owned))
                    .collect(),
                _ => return Err(validation("fields: a list or comma-separated names")),
            };
            list.iter()
                .map(|n| index(n).ok_or_else(|| validation(format!("fields: no field {n}"))))
                .collect::<Result<_, _>>()?
        }
    };
    // A filter on `_id` (the row's stable number) is kept as usize::MAX.
    let mut filters: Vec<(usize, Vec<String>)> = Vec::new();
    match p.get("filters") {
        None | Some(Value::Null) => {}
        Some(v) => {
            let obj = match v {
                Value::Object(o) => o.clone(),
                Value::String(s) => match serde_json::from_str::<Value>(s) {
                    Ok(Value::Object(o)) => o,
                    _ => return Err(validation("filters: must be a JSON object")),
                },
                _ => return Err(validation("filters: must be a JSON object")),
            };
            for (k, val) in obj {
                let i = if k == "_id" {
                    usize::MAX
                } else {
                    index(&k).ok_or_else(|| validation(format!("filters: no field {k}")))?
                };
                let values = match val {
                    Value::Array(a) => a.iter().map(plain).collect(),
                    other => vec![plain(&other)],
                };
                filters.push((i, values));
            }
        }
    }
    // `q`: text anywhere in the row, or an object of text per field (given as JSON, or as JSON
    // text in a query string, as ckanapi's GET would send it).
    let per_field = match p.get("q") {
        None | Some(Value::Null) => None,
        Some(Value::Object(o)) => Some(Ok(o.clone())),
        Some(v) => match serde_json::from_str::<Value>(&plain(v)) {
            Ok(Value::Object(o)) => Some(Ok(o)),
            _ => Some(Err(plain(v))),
        },
    };
    let q: Vec<(Option<usize>, String)> = match per_field {
        None => Vec::new(),
        Some(Ok(o)) => o
            .iter()
            .map(|(k, v)| {
                let i = index(k).ok_or_else(|| validation(format!("q: no field {k}")))?;
                Ok((Some(i), lantoa_core::text::fold_key(&plain(v))))
            })
            .collect::<Result<_, CkanError>>()?,
        Some(Err(text)) => vec![(None, lantoa_core::text::fold_key(&text))],
    };
    let q: Vec<(Option<usize>, String)> = q.into_iter().filter(|(_, t)| !t.is_empty()).collect();
    let sort = match text(p, "sort") {
        None => None,
        Some(s) => {
            let s = s.split(',').next().unwrap_or_default().trim().to_owned();
            let (f, desc) = match s.split_once(' ') {
                Some((f, dir)) => (f.trim().trim_matches('"').to_owned(), dir.trim() == "desc"),
                None => (s.trim_matches('"').to_owned(), false),
            };
            let i = if f == "_id" {
                usize::MAX
            } else {
                index(&f).ok_or_else(|| validation(format!("sort: no field {f}")))?
            };
            Some((i, desc))
        }
    };
    let include_total = !p
        .get("include_total")
        .is_some_and(|v| v == false || v == "false");
    let (records, total): (Vec<(i64, Vec<String>)>, usize) = if filters.is_empty()
        && q.is_empty()
        && sort.is_none()
    {
        let (rows, total) = od.records(d.id, offset as i64, limit as i64).await?;
        (rows, total as usize)
    } else {
        let mut matched: Vec<(i64, Vec<String>)> = Vec::new();
        let mut seen = 0usize;
        let mut too_many = false;
        od.scan_records(d.id, |id, row| {
            seen += 1;
            if seen > SCAN_LIMIT {
                too_many = true;
                return false;
            }
            let id_text = id.to_string();
            let ok = filters.iter().all(|(i, vs)| {
                let have = if *i == usize::MAX {
                    Some(&id_text)
                } else {
                    row.get(*i)
                };
                vs.iter().any(|v| have == Some(v))
            }) && q.iter().all(|(field, text)| {
                let hay = match field {
                    Some(i) => lantoa_core::text::fold_key(row.get(*i).map_or("", String::as_str)),
                    None => lantoa_core::text::fold_key(&row.join(" ")),
                };
                hay.contains(text.as_str())
            });
            if ok {
                matched.push((id, row));
            }
            true
        })
        .await?;
        if too_many {
            return Err(CkanError(
                StatusCode::BAD_REQUEST,
                "Search Query Error",
                format!(
                    "the dataset has more than {SCAN_LIMIT} rows to look through; download it instead"
                ),
            ));
        }
        if let Some((i, desc)) = sort {
            let numeric = i == usize::MAX || matches!(ckan_type(&fields[i]), "int" | "numeric");
            matched.sort_by(|(ia, a), (ib, b)| {
                let o = if i == usize::MAX {
                    ia.cmp(ib)
                } else if numeric {
                    let x = a[i].parse::<f64>().unwrap_or(f64::MIN);
                    let y = b[i].parse::<f64>().unwrap_or(f64::MIN);
                    x.total_cmp(&y)
                } else {
                    a[i].cmp(&b[i])
                };
                if desc { o.reverse() } else { o }
            });
        }
        let total = matched.len();
        (
            matched.into_iter().skip(offset).take(limit).collect(),
            total,
        )
    };
    let out_fields: Vec<Value> = std::iter::once(json!({"id": "_id", "type": "int"}))
        .chain(
            wanted
                .iter()
                .map(|&i| json!({"id": names[i], "type": ckan_type(&fields[i])})),
        )
        .collect();
    let records: Vec<Value> = records
        .into_iter()
        .map(|(id, row)| {
            let mut m = Map::new();
            m.insert("_id".into(), json!(id));
            for &i in &wanted {
                m.insert(
                    names[i].clone(),
                    typed(&fields[i], row.get(i).cloned().unwrap_or_default()),
                );
            }
            Value::Object(m)
        })
        .collect();
    let mut result = json!({
        "resource_id": resource, "fields": out_fields, "records": records,
        "limit": limit, "offset": offset,
        "_links": {
            "start": format!("/api/3/action/datastore_search?resource_id={resource}"),
            "next": format!("/api/3/action/datastore_search?resource_id={resource}&offset={}", offset + limit),
        },
    });
    if include_total {
        result["total"] = json!(total);
        result["total_was_estimated"] = json!(false);
    }
    Ok(result)
}

fn plain(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// A cleaned value as JSON of its type (numbers as numbers, empty as null).
fn typed(field: &Value, v: String) -> Value {
    if v.is_empty() {
        return Value::Null;
    }
    match ckan_type(field) {
        "int" => v.parse::<i64>().map_or(Value::String(v), |n| json!(n)),
        "numeric" => v.parse::<f64>().map_or(Value::String(v), |n| json!(n)),
        "bool" => json!(v == "true"),
        _ => Value::String(v),
    }
}

/// `GET /opendata/{name}/rows.csv` and `rows.json`: every published row, streamed page by
/// page (the file is never held whole), at a stable address. Public.
pub async fn download(
    State(state): State<AppState>,
    Path((name, file)): Path<(String, String)>,
) -> Result<Response, crate::WebError> {
    let od = state.opendata.clone();
    let d = od.public_dataset(&name).await?;
    // rows.csv: UTF-8 CSV; rows-excel.csv: the same with a byte-order mark, which Excel needs to
    // read Vietnamese as UTF-8. Both have formula-like cells neutralised (the values as
    // published are in rows.json and the CKAN datastore).
    let (csv, bom) = match file.as_str() {
        "rows.csv" => (true, false),
        "rows-excel.csv" => (true, true),
        "rows.json" => (false, false),
        _ => return Err(crate::WebError::not_found()),
    };
    let csv_record = |cells: &[&str]| {
        let mut w = ::csv::Writer::from_writer(Vec::new());
        // Writing CSV to a Vec cannot fail.
        let _ = w.write_record(
            cells
                .iter()
                .map(|c| lantoa_core::text::spreadsheet_safe(c).into_owned()),
        );
        w.into_inner().unwrap_or_default()
    };
    let shared = d.shared_fields();
    let columns: Vec<usize> = shared.iter().map(|(i, _)| *i).collect();
    let names: Vec<String> = shared
        .iter()
        .map(|(_, f)| f["name"].as_str().unwrap_or_default().to_owned())
        .collect();
    let header = if csv {
        let mut h = if bom {
            b"\xEF\xBB\xBF".to_vec()
        } else {
            Vec::new()
        };
        h.extend(csv_record(
            &names.iter().map(String::as_str).collect::<Vec<_>>(),
        ));
        h
    } else {
        b"[".to_vec()
    };
    // (after-key, first page?, done?)
    let state0: (Option<String>, bool, bool) = (None, true, false);
    let stream = futures::stream::unfold(state0, move |(after, first, done)| {
        let od = od.clone();
        let names = names.clone();
        let columns = columns.clone();
        let header = header.clone();
        async move {
            if done {
                return None;
            }
            let page = match od.rows_after(d.id, after.as_deref(), 2000).await {
                Ok(p) => p,
                Err(e) => {
                    return Some((
                        Err(std::io::Error::other(e.to_string())),
                        (None, false, true),
                    ));
                }
            };
            let mut out = if first { header } else { Vec::new() };
            let end = page.is_empty();
            let next = page.last().map(|(k, _)| k.clone());
            for (i, (_, full)) in page.iter().enumerate() {
                let row: Vec<&str> = columns
                    .iter()
                    .map(|&c| full.get(c).map_or("", String::as_str))
                    .collect();
                if csv {
                    out.extend(csv_record(&row));
                } else {
                    if !(first && i == 0) {
                        out.push(b',');
                    }
                    let obj: Map<String, Value> = names
                        .iter()
                        .cloned()
                        .zip(row.iter().map(|v| Value::String((*v).to_owned())))
                        .collect();
                    out.extend(serde_json::to_vec(&obj).unwrap_or_default());
                    out.push(b'\n');
                }
            }
            if end && !csv {
                out.extend(b"]\n");
            }
            Some((
                Ok::<_, std::io::Error>(Bytes::from(out)),
                (next, false, end),
            ))
        }
    });
    let content_type = if csv {
        "text/csv; charset=utf-8"
    } else {
        "application/json"
    };
    Ok((
        [
            (axum::http::header::CONTENT_TYPE, content_type.to_owned()),
            (
                axum::http::header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{}-{file}\"", d.name),
            ),
        ],
        axum::body::Body::from_stream(stream),
    )
        .into_response())
}
