//! The signed-in person's own work, first on the dashboard: what waits on them in each module
//! they act in, each line a count and a link to the list that shows those records. Each module
//! answers through its own service, by its own rules (a case's next steps by the workflow, a
//! campaign's by `Notify::steps_for`, an agency uploader's datasets by
//! `lantoa_opendata::may_change`).

use crate::AppState;
use crate::ctx::Ctx;
use crate::error::WebError;
use crate::routes::{
    CASE_MOVERS, NOTIFY_STEPS, OPENDATA_EDITORS, PLANNERS, REPORT_STEPS, WATCH_EDITORS,
};

/// One line of the person's work: a message id with its arguments' values, a count, a link,
/// and whether it is late.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Item {
    /// The web catalogue's id of the line.
    pub key: &'static str,
    /// How many.
    pub count: i64,
    /// What `{ $what }` in the line names, by a label id (a case's step, `case-state-…`).
    pub what_label: Option<String>,
    /// What `{ $what }` in the line names, as it is (a dataset's title).
    pub what_text: Option<String>,
    /// The list that shows them.
    pub href: String,
    /// Past a deadline.
    pub late: bool,
}

impl Item {
    fn new(key: &'static str, count: i64, href: impl Into<String>) -> Self {
        Self {
            key,
            count,
            what_label: None,
            what_text: None,
            href: href.into(),
            late: false,
        }
    }
}

/// What waits on the person of `ctx`, the late first; empty when nothing does.
pub async fn items(state: &AppState, ctx: &Ctx) -> Result<Vec<Item>, WebError> {
    let Some(p) = ctx.principal.as_ref() else {
        return Ok(Vec::new());
    };
    let me = ctx.actor();
    let mut out = Vec::new();

    // Cases in the steps the person's roles move them from; those past their step's limit.
    if ctx.has_any(CASE_MOVERS) {
        let rules = state.watch.case_rules();
        let mine: Vec<String> = rules
            .states()
            .iter()
            .filter(|s| !rules.next(&s.id, &p.roles).is_empty())
            .map(|s| s.id.clone())
            .collect();
        let counts = state.watch.case_counts().await?;
        let overdue = state
            .watch
            .overdue_cases()
            .await?
            .into_iter()
            .filter(|c| mine.contains(&c.state))
            .count() as i64;
        if overdue > 0 {
            out.push(Item {
                late: true,
                ..Item::new("work-cases-overdue", overdue, "/watch/cases#overdue")
            });
        }
        for s in &mine {
            let n = counts.get(s).copied().unwrap_or(0);
            if n > 0 {
                out.push(Item {
                    what_label: Some(format!("case-state-{s}")),
                    ..Item::new("work-cases-step", n, format!("/watch/cases?state={s}"))
                });
            }
        }
    }
    if ctx.has_any(WATCH_EDITORS) {
        let open = state
            .watch
            .count_findings(&lantoa_watch::FindingQuery {
                status: Some("open".into()),
                ..Default::default()
            })
            .await?;
        if open > 0 {
            out.push(Item::new(
                "work-findings-open",
                open,
                "/watch/findings?status=open",
            ));
        }
    }

    // Approvals that are the person's to give: never their own.
    if ctx.has_any(NOTIFY_STEPS) {
        let n = &state.notify;
        let taker = ctx.taker(&me);
        use lantoa_notify::browse::PageQuery;
        let (campaigns, _) = n
            .campaign_page(
                &PageQuery::first(lantoa_notify::browse::CampaignSort::Oldest),
                &lantoa_notify::browse::CampaignFilter {
                    status: Some("pending".into()),
                    emergency: false,
                },
            )
            .await?;
        let waiting = campaigns
            .iter()
            .filter(|c| n.steps_for(taker, c).contains(&"approve"))
            .count() as i64;
        if waiting > 0 {
            out.push(Item::new(
                "work-campaigns-approve",
                waiting,
                "/notify?status=pending&sort=oldest",
            ));
        }
        let (alerts, _) = n
            .alert_page(
                &PageQuery::first(lantoa_notify::browse::AlertSort::Oldest),
                &lantoa_notify::browse::AlertFilter {
                    status: None,
                    state: Some("pending".into()),
                },
            )
            .await?;
        let alerts = alerts
            .iter()
            .filter(|a| {
                a.state == "pending" && !lantoa_core::actor::same_person(&a.created_by, &me)
            })
            .count() as i64;
        if alerts > 0 {
            out.push(Item {
                late: true,
                ..Item::new(
                    "work-alerts-approve",
                    alerts,
                    "/notify/alerts?state=pending&sort=oldest",
                )
            });
        }
    }
    if ctx.has_any(REPORT_STEPS) {
        let reports = state.reports()?.reports().await?;
        let review = reports
            .iter()
            .filter(|r| {
                r.state == "review"
                    && r.submitted_by
                        .as_deref()
                        .is_none_or(|s| !lantoa_core::actor::same_person(s, &me))
            })
            .count() as i64;
        if review > 0 {
            out.push(Item::new("work-reports-approve", review, "/reports"));
        }
    }

    // Quarantined rows of the datasets the person may fix (an uploader: their agency's).
    if ctx.has_any(OPENDATA_EDITORS) {
        let od = &state.opendata;
        let owner = lantoa_opendata::agency_scope(&p.roles, p.unit_id);
        if owner != Some(None) {
            for (d, open) in od.open_quarantine(owner.flatten()).await? {
                {
                    out.push(Item {
                        what_text: Some(d.title.clone()),
                        ..Item::new(
                            "work-quarantine",
                            open,
                            format!("/opendata/{}#quarantine", d.name),
                        )
                    });
                }
            }
        }
    }

    // Tasks to report on: the person's unit's digest today; a planner's, every plan's overdue.
    let today = lantoa_core::time::now().date_naive();
    if let Some(unit) = p.unit_id {
        let rules = lantoa_plans::ReminderRules::builtin()?;
        if let Some(d) = state
            .plans
            .digests(&rules, today)
            .await?
            .into_iter()
            .find(|d| d.unit_id == unit)
        {
            let overdue = d.overdue.len() as i64;
            let due = (d.due_soon.len() + d.reports_due.len()) as i64;
            if overdue > 0 {
                out.push(Item {
                    late: true,
                    ..Item::new("work-tasks-overdue", overdue, "/plans")
                });
            }
            if due > 0 {
                out.push(Item::new("work-tasks-due", due, "/plans"));
            }
        }
    }
    if ctx.has_any(PLANNERS) {
        let mut overdue = 0;
        for plan in state.plans.plans().await? {
            overdue += state.plans.dashboard(plan.id, today).await?.total.overdue;
        }
        if overdue > 0 {
            out.push(Item {
                late: true,
                ..Item::new("work-plans-overdue", overdue, "/plans")
            });
        }
    }
    out.sort_by_key(|i| !i.late);
    Ok(out)
}
