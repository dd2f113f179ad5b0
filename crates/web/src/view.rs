//! Templates (minijinja, embedded at build time) and the context every page shares.

use std::sync::OnceLock;

use axum::response::Html;
use lantoa_core::Role;
use minijinja::value::{Kwargs, Value};
use minijinja::{AutoEscape, Environment, State};

use crate::ctx::Ctx;
use crate::i18n::{Lang, tr};

/// The modules, in navigation order; each has `module-<id>` and `module-<id>-what` messages.
pub const MODULES: [&str; 5] = ["watch", "notify", "opendata", "plans", "reports"];

/// The templates, by name.
pub const TEMPLATES: &[(&str, &str)] = &[
    ("base.html", include_str!("../templates/base.html")),
    ("login.html", include_str!("../templates/login.html")),
    ("password.html", include_str!("../templates/password.html")),
    ("home.html", include_str!("../templates/home.html")),
    (
        "watch_cases_bulk.html",
        include_str!("../templates/watch_cases_bulk.html"),
    ),
    (
        "communes_typed.html",
        include_str!("../templates/communes_typed.html"),
    ),
    ("units.html", include_str!("../templates/units.html")),
    ("pager.html", include_str!("../templates/pager.html")),
    ("unit.html", include_str!("../templates/unit.html")),
    ("unit_new.html", include_str!("../templates/unit_new.html")),
    ("users.html", include_str!("../templates/users.html")),
    ("user.html", include_str!("../templates/user.html")),
    ("user_new.html", include_str!("../templates/user_new.html")),
    ("audit.html", include_str!("../templates/audit.html")),
    ("error.html", include_str!("../templates/error.html")),
    ("watch.html", include_str!("../templates/watch.html")),
    ("opendata.html", include_str!("../templates/opendata.html")),
    ("notify.html", include_str!("../templates/notify.html")),
    (
        "notify_lists.html",
        include_str!("../templates/notify_lists.html"),
    ),
    (
        "list_foot.html",
        include_str!("../templates/list_foot.html"),
    ),
    (
        "list_search.html",
        include_str!("../templates/list_search.html"),
    ),
    (
        "notify_list.html",
        include_str!("../templates/notify_list.html"),
    ),
    (
        "notify_cost.html",
        include_str!("../templates/notify_cost.html"),
    ),
    (
        "watch_cases.html",
        include_str!("../templates/watch_cases.html"),
    ),
    (
        "watch_case.html",
        include_str!("../templates/watch_case.html"),
    ),
    ("plans.html", include_str!("../templates/plans.html")),
    ("plan.html", include_str!("../templates/plan.html")),
    (
        "plan_reminders.html",
        include_str!("../templates/plan_reminders.html"),
    ),
    ("plan_dti.html", include_str!("../templates/plan_dti.html")),
    ("alerts.html", include_str!("../templates/alerts.html")),
    ("alert.html", include_str!("../templates/alert.html")),
    ("speakers.html", include_str!("../templates/speakers.html")),
    ("notices.html", include_str!("../templates/notices.html")),
    ("reports.html", include_str!("../templates/reports.html")),
    ("report.html", include_str!("../templates/report.html")),
    ("notice.html", include_str!("../templates/notice.html")),
    (
        "notice_public.html",
        include_str!("../templates/notice_public.html"),
    ),
    (
        "alerts_public.html",
        include_str!("../templates/alerts_public.html"),
    ),
    (
        "alert_public.html",
        include_str!("../templates/alert_public.html"),
    ),
    (
        "plan_escalation.html",
        include_str!("../templates/plan_escalation.html"),
    ),
    (
        "plan_committee.html",
        include_str!("../templates/plan_committee.html"),
    ),
    (
        "plan_import.html",
        include_str!("../templates/plan_import.html"),
    ),
    (
        "notify_campaign.html",
        include_str!("../templates/notify_campaign.html"),
    ),
    ("portal.html", include_str!("../templates/portal.html")),
    (
        "portal_dataset.html",
        include_str!("../templates/portal_dataset.html"),
    ),
    (
        "opendata_dataset.html",
        include_str!("../templates/opendata_dataset.html"),
    ),
    (
        "watch_import.html",
        include_str!("../templates/watch_import.html"),
    ),
    (
        "watch_nav.html",
        include_str!("../templates/watch_nav.html"),
    ),
    (
        "watch_crawls.html",
        include_str!("../templates/watch_crawls.html"),
    ),
    (
        "watch_crawl.html",
        include_str!("../templates/watch_crawl.html"),
    ),
    (
        "watch_findings.html",
        include_str!("../templates/watch_findings.html"),
    ),
    (
        "watch_capture.html",
        include_str!("../templates/watch_capture.html"),
    ),
];

/// The template environment.
pub struct Views {
    env: Environment<'static>,
}

/// The language of the page being rendered (its `lang`, Vietnamese when it has none).
fn page_lang(state: &State) -> Lang {
    state
        .lookup("lang")
        .and_then(|v| v.as_str().map(Lang::from_code))
        .unwrap_or_default()
}

fn t(state: &State, key: &str, kwargs: Kwargs) -> Result<String, minijinja::Error> {
    let lang = page_lang(state);
    let mut args = Vec::new();
    for k in kwargs.args() {
        let v: Value = kwargs.get(k)?;
        args.push((k, v.to_string()));
    }
    Ok(tr(lang, key, &args))
}

/// A number as the page's language writes it (`7.500.000`, `91,8` in Vietnamese), to at most
/// `decimals` places (1 unless given).
fn num(state: &State, v: f64, decimals: Option<u32>) -> String {
    let lang = page_lang(state);
    lantoa_core::text::number(v, decimals.unwrap_or(1), lang)
}

/// What a domain record says (a quarantine reason, a file's problem), in the page's language:
/// `noted` is a record serialised with [`lantoa_core::msg::noted`] (its `msg`, else its
/// English `note` as stored before messages had ids).
fn say(state: &State, noted: Value) -> Result<String, minijinja::Error> {
    use lantoa_core::msg::{Arg, Msg};
    let lang = page_lang(state);
    let text = |v: Value| {
        v.as_str()
            .map(str::to_owned)
            .unwrap_or_else(|| v.to_string())
    };
    let msg = noted.get_attr("msg")?;
    let Some(key) = msg
        .get_attr("key")
        .ok()
        .and_then(|k| k.as_str().map(str::to_owned))
    else {
        return Ok(text(noted.get_attr("note")?));
    };
    let mut m = Msg::new(key);
    if let Ok(args) = msg.get_attr("args")
        && let Ok(items) = args.try_iter()
    {
        for pair in items {
            let name = text(pair.get_item_by_index(0)?);
            let arg = pair.get_item_by_index(1)?;
            let kind = text(arg.get_attr("kind")?);
            let value = arg.get_attr("value")?;
            let a = match kind.as_str() {
                "label" => Arg::Label(text(value)),
                "labels" => Arg::Labels(value.try_iter()?.map(text).collect()),
                _ => Arg::Text(text(value)),
            };
            m.args.push((name, a));
        }
    }
    Ok(crate::i18n::msg(lang, &m))
}

impl Views {
    fn new() -> Self {
        let mut env = Environment::new();
        env.set_auto_escape_callback(|_| AutoEscape::Html);
        env.set_undefined_behavior(minijinja::UndefinedBehavior::Lenient);
        for (name, src) in TEMPLATES {
            if let Err(e) = env.add_template(name, src) {
                tracing::error!(template = name, error = %e, "template does not compile");
            }
        }
        env.add_function("t", t);
        env.add_function("say", say);
        env.add_filter("num", num);
        // A campaign's topic by its name in the page's language (the code when unnamed).
        env.add_filter("topic", |state: &State, code: String| -> String {
            match lantoa_notify::topics::Topics::shipped() {
                Ok(t) => t.name(&code, page_lang(state)).to_owned(),
                Err(_) => code,
            }
        });
        // A stored instant (µs since the epoch) as Hà Nội time, `dd/mm/yyyy HH:MM`.
        env.add_filter("micros_date", |micros: i64| {
            lantoa_core::time::format_vn(lantoa_core::time::from_micros(micros))
        });
        // An instant written as RFC 3339 (CAP's `sent`) as Hà Nội time, `dd/mm/yyyy HH:MM`.
        env.add_filter("rfc3339_vn", |at: String| {
            chrono::DateTime::parse_from_rfc3339(&at).map_or(at, |d| {
                lantoa_core::time::format_vn(d.with_timezone(&chrono::Utc))
            })
        });
        // A stored ISO day (`2024-12-31`) as officers write it, `31/12/2024`.
        env.add_filter("iso_day", |day: String| {
            chrono::NaiveDate::parse_from_str(&day, "%Y-%m-%d")
                .map_or(day, |d| d.format("%d/%m/%Y").to_string())
        });
        env.add_function("has_msg", |id: &str| crate::i18n::has(id));
        // The two-person rule's test of "the same person" (a session and a token of one user).
        env.add_function("same_person", |a: &str, b: &str| {
            lantoa_core::actor::same_person(a, b)
        });
        Self { env }
    }

    /// Renders `name` with `ctx`'s page basics and `extra`.
    pub fn render(
        &self,
        name: &str,
        ctx: &Ctx,
        active: &str,
        extra: Value,
    ) -> Result<String, minijinja::Error> {
        let tmpl = self.env.get_template(name)?;
        tmpl.render(minijinja::context! { ..base(ctx, active), ..extra })
    }
}

/// The shared environment.
pub fn views() -> &'static Views {
    static V: OnceLock<Views> = OnceLock::new();
    V.get_or_init(Views::new)
}

fn base(ctx: &Ctx, active: &str) -> Value {
    let user = ctx.principal.as_ref().map(|p| {
        minijinja::context! {
            display_name => p.display_name,
            username => p.username,
            must_change_password => p.must_change_password,
        }
    });
    let is_admin = ctx.has_any(&[Role::Admin]);
    minijinja::context! {
        lang => ctx.lang.code(),
        csrf => ctx.csrf,
        path => ctx.path,
        user => user,
        is_admin => is_admin,
        active => active,
        modules => MODULES,
        org_name => org_name(),
        version => env!("CARGO_PKG_VERSION"),
    }
}

static ORG_NAME: OnceLock<String> = OnceLock::new();

/// Sets the department name shown in the header (from configuration, once at start).
pub fn set_org_name(name: &str) {
    let _ = ORG_NAME.set(name.to_owned());
}

fn org_name() -> &'static str {
    ORG_NAME.get().map_or("", String::as_str)
}

/// Renders a page, or an internal error page if the template fails.
pub fn page(
    name: &str,
    ctx: &Ctx,
    active: &str,
    extra: Value,
) -> Result<Html<String>, crate::WebError> {
    views()
        .render(name, ctx, active, extra)
        .map(Html)
        .map_err(crate::WebError::internal)
}

/// The HTML of an error page.
pub fn render_error(ctx: &Ctx, title: &str, message: &str) -> String {
    views()
        .render(
            "error.html",
            ctx,
            "",
            minijinja::context! { title => title, message => message },
        )
        .unwrap_or_else(|e| {
            tracing::error!(error = %e, "error page does not render");
            format!(
                "<!doctype html><title>{0}</title><h1>{0}</h1>",
                html_escape(title)
            )
        })
}

/// `s` with the characters HTML and SVG give a meaning escaped.
pub(crate) fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

#[cfg(test)]
mod tests {
    /// Every template file is compiled in (a page including a missing one fails at run time)
    /// and every one compiles.
    #[test]
    fn every_template_file_is_registered_and_compiles() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("templates");
        let mut files: Vec<String> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".html"))
            .collect();
        files.sort();
        let mut registered: Vec<String> = super::TEMPLATES
            .iter()
            .map(|(n, _)| (*n).to_owned())
            .collect();
        registered.sort();
        assert_eq!(files, registered);
        let mut env = minijinja::Environment::new();
        for (name, src) in super::TEMPLATES {
            env.add_template(name, src)
                .unwrap_or_else(|e| panic!("{name}: {e}"));
        }
    }
}
