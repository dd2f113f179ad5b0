//! The steering committee (Ban chỉ đạo): the city's head as its head, vice-chairs as deputies,
//! department leaders as members, each holding assigned fields (shared/domain/plans.md, §2:
//! 818/QĐ-UBND). Each task can be put under the member answerable for it; a section's member
//! covers the tasks below it, so the leadership's summary groups overdue work by member.

use lantoa_core::role::Role;
use lantoa_store::audit::{self, Entry};
use serde::{Deserialize, Serialize};
use sqlx::Row;

use lantoa_core::msg::Msg;

use crate::error::{invalid, mobile, planner_only, required};
use crate::{Error, Plans, Result};

/// A member's place on the committee.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum MemberRole {
    /// Trưởng ban.
    Head,
    /// Phó trưởng ban.
    Deputy,
    /// Thành viên.
    Member,
}

impl MemberRole {
    /// Every role, the head first.
    pub const ALL: [MemberRole; 3] = [MemberRole::Head, MemberRole::Deputy, MemberRole::Member];

    /// The stable name.
    pub fn as_str(self) -> &'static str {
        match self {
            MemberRole::Head => "head",
            MemberRole::Deputy => "deputy",
            MemberRole::Member => "member",
        }
    }

    /// The role named `s`.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == s)
    }
}

/// A member to add.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewMember {
    /// Full name.
    pub name: String,
    /// Position held (`Giám đốc Sở Y tế`).
    pub position: String,
    /// `head`, `deputy` or `member`.
    pub role: String,
    /// The unit they lead, if registered.
    #[serde(default)]
    pub unit_id: Option<i64>,
    /// The fields assigned to them (`Y tế số`, `Giáo dục số`).
    #[serde(default)]
    pub fields: Vec<String>,
    /// A mobile number for reminders (optional).
    #[serde(default)]
    pub phone: String,
}

/// A committee member.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Member {
    /// Id.
    pub id: i64,
    /// Name.
    pub name: String,
    /// Position.
    pub position: String,
    /// Role.
    pub role: MemberRole,
    /// Unit.
    pub unit_id: Option<i64>,
    /// Fields assigned.
    pub fields: Vec<String>,
    /// Mobile number, national form, or empty.
    pub phone: String,
    /// Still on the committee.
    pub active: bool,
}

const MEMBER_COLUMNS: &str = "id, name, position, role, unit_id, fields, phone, active";

fn member_from(r: &sqlx::any::AnyRow) -> Result<Member> {
    let role: String = r.try_get(3)?;
    let fields: String = r.try_get(5)?;
    Ok(Member {
        id: r.try_get(0)?,
        name: r.try_get(1)?,
        position: r.try_get(2)?,
        role: MemberRole::parse(&role)
            .ok_or_else(|| Error::Internal(format!("stored role {role:?}")))?,
        unit_id: r.try_get(4)?,
        fields: serde_json::from_str(&fields).unwrap_or_default(),
        phone: r.try_get(6)?,
        active: r.try_get::<i64, _>(7)? != 0,
    })
}

impl Plans {
    /// Adds a member: name, position and role required, fields trimmed (none empty), the
    /// phone a valid Vietnamese mobile number if given; a name already holding that position
    /// is refused.
    pub async fn add_member(&self, actor: &str, roles: &[Role], new: &NewMember) -> Result<Member> {
        planner_only(roles, "committee")?;
        let name = required("name", &new.name)?;
        let position = required("position", &new.position)?;
        let role = MemberRole::parse(new.role.trim()).ok_or_else(|| {
            invalid(
                "role",
                Msg::new("plans-not-one-of")
                    .arg("value", &new.role)
                    .arg("allowed", "head, deputy, member"),
            )
        })?;
        let fields: Vec<String> = new
            .fields
            .iter()
            .map(|f| f.trim().to_owned())
            .filter(|f| !f.is_empty())
            .collect();
        let phone = match new.phone.trim() {
            "" => String::new(),
            p => mobile(p)?,
        };
        if let Some(unit) = new.unit_id {
            self.registry
                .get(unit)
                .await
                .map_err(|_| invalid("unit_id", Msg::new("registry-no-unit").arg("id", unit)))?;
        }
        let mut tx = self.db.begin().await?;
        let inserted = sqlx::query(
            "INSERT INTO plans_members (name, position, role, unit_id, fields, phone, active)
             VALUES ($1, $2, $3, $4, $5, $6, 1) RETURNING id",
        )
        .bind(&name)
        .bind(&position)
        .bind(role.as_str())
        .bind(new.unit_id)
        .bind(serde_json::json!(fields).to_string())
        .bind(&phone)
        .fetch_one(&mut *tx)
        .await;
        let id: i64 = match inserted {
            Ok(r) => r.try_get(0)?,
            Err(e) if lantoa_store::is_unique_violation(&e) => {
                return Err(Error::Duplicate(format!("{name}, {position}")));
            }
            Err(e) => return Err(e.into()),
        };
        audit::append(
            &mut tx,
            &Entry::new(actor, "plans.member_added", format!("member:{id}"))
                .after(serde_json::json!({ "name": name, "position": position, "role": role, "fields": fields })),
        )
        .await?;
        tx.commit().await?;
        self.member(id).await
    }

    /// The member with this id.
    pub async fn member(&self, id: i64) -> Result<Member> {
        let row = sqlx::query(&format!(
            "SELECT {MEMBER_COLUMNS} FROM plans_members WHERE id = $1"
        ))
        .bind(id)
        .fetch_optional(self.db.pool())
        .await?
        .ok_or_else(|| invalid("member", Msg::new("committee-no-member").arg("id", id)))?;
        member_from(&row)
    }

    /// The committee: active members first, the head, deputies, then members, by name.
    pub async fn members(&self) -> Result<Vec<Member>> {
        let rows = sqlx::query(&format!(
            "SELECT {MEMBER_COLUMNS} FROM plans_members ORDER BY active DESC, id"
        ))
        .fetch_all(self.db.pool())
        .await?;
        let mut out = rows.iter().map(member_from).collect::<Result<Vec<_>>>()?;
        out.sort_by(|a, b| {
            b.active
                .cmp(&a.active)
                .then(a.role.cmp(&b.role))
                .then(a.name.cmp(&b.name))
        });
        Ok(out)
    }

    /// Ends or restores a member's place (their tasks keep them until reassigned).
    pub async fn set_member_active(
        &self,
        actor: &str,
        roles: &[Role],
        id: i64,
        active: bool,
    ) -> Result<()> {
        planner_only(roles, "committee")?;
        self.member(id).await?;
        let mut tx = self.db.begin().await?;
        sqlx::query("UPDATE plans_members SET active = $1 WHERE id = $2")
            .bind(i64::from(active))
            .bind(id)
            .execute(&mut *tx)
            .await?;
        audit::append(
            &mut tx,
            &Entry::new(actor, "plans.member_active", format!("member:{id}"))
                .after(serde_json::json!({ "active": active })),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Puts task `code` of a plan, and every task below it, under an active member (or under
    /// none). Returns how many tasks now answer to them.
    pub async fn assign_member(
        &self,
        actor: &str,
        roles: &[Role],
        plan_id: i64,
        code: &str,
        member_id: Option<i64>,
    ) -> Result<u64> {
        planner_only(roles, "committee")?;
        let code = code.trim();
        if self.task(plan_id, code).await?.is_none() {
            return Err(invalid(
                "code",
                Msg::new("plans-no-task-code").arg("code", code),
            ));
        }
        if let Some(m) = member_id {
            let member = self.member(m).await?;
            if !member.active {
                return Err(invalid(
                    "member",
                    Msg::new("committee-member-left").arg("name", &member.name),
                ));
            }
        }
        let mut tx = self.db.begin().await?;
        let done = sqlx::query(
            &format!(
                "UPDATE plans_tasks SET member_id = $1 WHERE plan_id = $2 AND (code = $3 OR code LIKE $4{})",
                lantoa_store::LIKE_ESCAPE
            ),
        )
        .bind(member_id)
        .bind(plan_id)
        .bind(code)
        .bind(lantoa_store::like_pattern("", code, ".%"))
        .execute(&mut *tx)
        .await?
        .rows_affected();
        audit::append(
            &mut tx,
            &Entry::new(actor, "plans.member_assigned", format!("plan:{plan_id}"))
                .after(serde_json::json!({ "code": code, "member": member_id, "tasks": done })),
        )
        .await?;
        tx.commit().await?;
        Ok(done)
    }
}
