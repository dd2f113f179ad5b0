//! Each lead unit's focal point (đầu mối): the person and mobile number that hear the unit's
//! reminders. A day's digests become a recipient list for Notify ([`sms_list`]): one row per
//! unit that has something to hear of and a contact, the unit's name in the name column.

use std::collections::HashMap;

use lantoa_core::role::Role;
use lantoa_store::audit::{self, Entry};
use serde::{Deserialize, Serialize};
use sqlx::Row;

use crate::error::{mobile, planner_only, required};
use crate::{Plans, Result, UnitDigest};

/// A unit's focal point.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Contact {
    /// The unit.
    pub unit_id: i64,
    /// The person.
    pub name: String,
    /// Mobile number, national form.
    pub phone: String,
}

impl Plans {
    /// Sets a registered unit's focal point (a planner's work): a name and a valid Vietnamese
    /// mobile number; a second call replaces the first.
    pub async fn set_contact(&self, actor: &str, roles: &[Role], c: &Contact) -> Result<Contact> {
        planner_only(roles, "contacts")?;
        self.registry.get(c.unit_id).await.map_err(|_| {
            crate::error::invalid(
                "unit_id",
                lantoa_core::Msg::new("registry-no-unit").arg("id", c.unit_id),
            )
        })?;
        let name = required("name", &c.name)?;
        let phone = mobile(&c.phone)?;
        let mut tx = self.db.begin().await?;
        sqlx::query(
            "INSERT INTO plans_contacts (unit_id, name, phone, updated_by, updated_at)
             VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (unit_id) DO UPDATE SET name = excluded.name, phone = excluded.phone,
                updated_by = excluded.updated_by, updated_at = excluded.updated_at",
        )
        .bind(c.unit_id)
        .bind(&name)
        .bind(&phone)
        .bind(actor)
        .bind(self.clock.now_micros())
        .execute(&mut *tx)
        .await?;
        audit::append(
            &mut tx,
            &Entry::new(actor, "plans.contact_set", format!("unit:{}", c.unit_id))
                .after(serde_json::json!({ "name": name, "phone": phone })),
        )
        .await?;
        tx.commit().await?;
        Ok(Contact {
            unit_id: c.unit_id,
            name,
            phone,
        })
    }

    /// Every focal point, by unit.
    pub async fn contacts(&self) -> Result<HashMap<i64, Contact>> {
        let rows = sqlx::query("SELECT unit_id, name, phone FROM plans_contacts")
            .fetch_all(self.db.pool())
            .await?;
        rows.iter()
            .map(|r| {
                let c = Contact {
                    unit_id: r.try_get(0)?,
                    name: r.try_get(1)?,
                    phone: r.try_get(2)?,
                };
                Ok((c.unit_id, c))
            })
            .collect()
    }
}

/// A day's digests as a Notify recipient list (CSV: `Số điện thoại,Họ tên`, the unit's name
/// as the name), with the units left out for want of a contact. `names` gives units' names.
pub fn sms_list(
    digests: &[UnitDigest],
    contacts: &HashMap<i64, Contact>,
    names: &HashMap<i64, String>,
) -> (String, Vec<i64>) {
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut missing = Vec::new();
    // Writing CSV to a Vec cannot fail.
    let _ = w.write_record(["Số điện thoại", "Họ tên"]);
    for d in digests {
        match contacts.get(&d.unit_id) {
            Some(c) => {
                let name = names
                    .get(&d.unit_id)
                    .map_or(c.name.as_str(), String::as_str);
                let _ = w.write_record([c.phone.as_str(), name]);
            }
            None => missing.push(d.unit_id),
        }
    }
    let bytes = w.into_inner().unwrap_or_default();
    (String::from_utf8(bytes).unwrap_or_default(), missing)
}
