//! A day's reminders as an SMS campaign: the plans module's digests and focal points, turned
//! into a Notify recipient list and campaign submitted for approval. Used by the reminders
//! page and by `serve`'s morning task. Once a day: a campaign of that day's name is not made
//! twice.

use std::collections::HashMap;

use chrono::NaiveDate;

use crate::AppState;
use crate::error::WebError;

/// The campaign's name for a day.
pub fn campaign_name(day: NaiveDate) -> String {
    format!("Nhắc việc kế hoạch {}", day.format("%d/%m/%Y"))
}

/// Makes (or finds) the day's reminder campaign and submits it; `None` when no unit with
/// something to hear of has a focal point.
pub async fn send_sms(
    state: &AppState,
    actor: &str,
    day: NaiveDate,
) -> Result<Option<i64>, WebError> {
    let notify = &state.notify;
    let title = campaign_name(day);
    if let Some(c) = notify
        .campaigns()
        .await?
        .into_iter()
        .find(|c| c.name == title)
    {
        return Ok(Some(c.id));
    }
    let rules = lantoa_plans::ReminderRules::builtin()?;
    let digests = state.plans.digests(&rules, day).await?;
    let contacts = state.plans.contacts().await?;
    let names: HashMap<i64, String> = state
        .registry
        .names(&digests.iter().map(|d| d.unit_id).collect::<Vec<_>>())
        .await?;
    let (csv, missing) = lantoa_plans::contacts::sms_list(&digests, &contacts, &names);
    if digests.len() == missing.len() {
        return Ok(None);
    }
    let (list, _) = notify
        .import_list(actor, &title, "nhac-viec.csv", csv.as_bytes())
        .await?;
    let campaign = notify
        .create_campaign(
            actor,
            &lantoa_notify::NewCampaign {
                name: title,
                topic: rules.sms.topic.clone(),
                brandname: rules.sms.brandname.clone(),
                body: rules.sms.body.clone(),
                list_id: list.id,
                ..Default::default()
            },
        )
        .await?;
    notify.submit(actor, campaign.id).await?;
    Ok(Some(campaign.id))
}

/// Each morning at `[sms] send_at` (Hà Nội time, `data/plans/reporting.toml`), the day's
/// reminder campaign is made and submitted for approval; checked every minute until `stop`.
pub async fn every_morning(state: AppState, mut stop: tokio::sync::watch::Receiver<bool>) {
    loop {
        let now = lantoa_core::time::now();
        match lantoa_plans::ReminderRules::builtin() {
            Ok(rules) if now.time() >= rules.sms.send_at => {
                match send_sms(&state, "lantoa", now.date_naive()).await {
                    Ok(Some(id)) => tracing::debug!(campaign = id, "reminders by SMS"),
                    Ok(None) => {}
                    Err(e) => tracing::warn!(error = %e.message, "cannot send the day's reminders"),
                }
            }
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "cannot read the reminder rules"),
        }
        tokio::select! {
            _ = tokio::time::sleep(std::time::Duration::from_secs(60)) => {}
            _ = stop.changed() => return,
        }
    }
}
