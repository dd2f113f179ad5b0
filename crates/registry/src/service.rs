use chrono::NaiveDate;
use lantoa_core::msg::{Describe as _, Msg};
use lantoa_core::phone::NumberingPlan;
use lantoa_core::tax_code::TaxCode;
use lantoa_core::text;
use lantoa_core::unit::{CommuneCode, UnitKind};
use lantoa_store::audit::{self, Entry};
use lantoa_store::{Clock, Db, Tx, is_unique_violation};
use serde::Serialize;
use sqlx::Row;

use crate::{Error, Result};

/// A unit to register.
#[derive(Debug, Clone)]
pub struct NewUnit {
    /// Kind.
    pub kind: UnitKind,
    /// Code: tax code for enterprises and commune code for communes (required); licence
    /// number for press agencies, a short code for agencies, staff number for people (optional).
    pub code: Option<String>,
    /// Name as officially written.
    pub name: String,
    /// Further facts (address, phone, licence date, …) as a JSON object.
    pub attrs: serde_json::Value,
    /// The day from which this is true.
    pub valid_from: NaiveDate,
}

impl NewUnit {
    /// A unit valid from today (Viet Nam time) with no further facts.
    pub fn new(kind: UnitKind, code: Option<&str>, name: &str) -> Self {
        Self {
            kind,
            code: code.map(str::to_owned),
            name: name.to_owned(),
            attrs: serde_json::json!({}),
            valid_from: lantoa_core::time::now().date_naive(),
        }
    }
}

/// Whether a unit exists now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum Status {
    /// It exists.
    Active,
    /// It was merged into another unit on a date.
    Merged {
        /// The unit it became part of.
        into: i64,
        /// From when.
        on: NaiveDate,
    },
    /// It was abolished on a date.
    Abolished {
        /// From when.
        on: NaiveDate,
    },
}

/// A unit as it is now (or as it last was, if it ended).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Unit {
    /// Its id.
    pub id: i64,
    /// Kind.
    pub kind: UnitKind,
    /// Code, if any.
    pub code: Option<String>,
    /// Current (or last) name.
    pub name: String,
    /// Current (or last) facts.
    pub attrs: serde_json::Value,
    /// Start of the current version.
    pub since: NaiveDate,
    /// Whether it exists now.
    pub status: Status,
}

/// One version of a unit.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Version {
    /// Name.
    pub name: String,
    /// Facts.
    pub attrs: serde_json::Value,
    /// First day valid.
    pub valid_from: NaiveDate,
    /// First day no longer valid.
    pub valid_to: Option<NaiveDate>,
    /// How it began: `created`, `renamed`, `updated`.
    pub began: String,
    /// How it ended: `renamed`, `updated`, `merged`, `abolished`.
    pub ended: Option<String>,
    /// For a merger, the unit it became part of.
    pub successor_id: Option<i64>,
    /// Who recorded it.
    pub recorded_by: String,
}

/// A page of the unit list.
#[derive(Debug, Clone, Default)]
pub struct ListQuery {
    /// Only this kind.
    pub kind: Option<UnitKind>,
    /// Name contains this (compared on tone keys).
    pub q: Option<String>,
    /// Include merged and abolished units.
    pub include_ended: bool,
    /// Page size (at most 500).
    pub limit: i64,
    /// Rows to skip.
    pub offset: i64,
    /// The order.
    pub sort: UnitSort,
}

lantoa_core::sort_order!(
    Error,
    invalid,
    /// How the unit list is ordered.
    UnitSort, "list-bad-sort", {
        /// By kind, then name (the default).
        Kind = "kind" => "u.kind, v.name_key, u.id",
        /// By name.
        Name = "name" => "v.name_key, u.id",
        /// By the official code.
        Code = "code" => "u.code, u.id",
        /// The latest in force first (the newest version's first day).
        Newest = "newest" => "v.valid_from DESC, u.id DESC",
    }
);

/// The registry service.
#[derive(Debug, Clone)]
pub struct Registry {
    pub(crate) db: Db,
    pub(crate) clock: Clock,
    /// Shared: the service is cloned per request, the plan never changes.
    plan: std::sync::Arc<NumberingPlan>,
}

fn invalid(field: &'static str, message: Msg) -> Error {
    Error::Invalid { field, message }
}

fn date_str(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

fn parse_date(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap_or_default()
}

/// The columns [`Registry::unit_from_row`] reads.
const CURRENT_COLUMNS: &str =
    "u.id, u.kind, u.code, v.name, v.attrs, v.valid_from, v.ended, v.successor_id, v.valid_to";
/// Units joined to their newest version; callers append `AND …` conditions.
const FROM_CURRENT: &str =
    " FROM units u JOIN unit_versions v ON v.id = u.current_version_id WHERE 1 = 1";

fn select_current() -> String {
    format!("SELECT {CURRENT_COLUMNS}{FROM_CURRENT}")
}

impl Registry {
    /// The registry over `db`.
    pub fn new(db: Db) -> Self {
        Self {
            db,
            clock: Clock::System,
            plan: std::sync::Arc::new(NumberingPlan::builtin()),
        }
    }

    /// Uses `plan` to check people's phone numbers.
    pub fn with_numbering_plan(mut self, plan: NumberingPlan) -> Self {
        self.plan = std::sync::Arc::new(plan);
        self
    }

    /// Checks and canonicalises a unit's code for its kind.
    fn canonical_code(&self, kind: UnitKind, code: Option<&str>) -> Result<Option<String>> {
        let code = code.map(str::trim).filter(|c| !c.is_empty());
        match (kind, code) {
            (UnitKind::Enterprise, None) => {
                Err(invalid("code", Msg::new("registry-tax-code-needed")))
            }
            (UnitKind::Enterprise, Some(c)) => TaxCode::parse(c)
                .map(|t| Some(t.to_string()))
                .map_err(|e| invalid("code", e.message())),
            (UnitKind::Commune, None) => {
                Err(invalid("code", Msg::new("registry-commune-code-needed")))
            }
            (UnitKind::Commune, Some(c)) => CommuneCode::parse(c)
                .map(|c| Some(c.as_str().to_owned()))
                .map_err(|e| invalid("code", e.message())),
            (_, Some(c)) if c.chars().count() > 60 => Err(invalid(
                "code",
                Msg::new("registry-code-too-long").arg("max", 60),
            )),
            (_, c) => Ok(c.map(str::to_owned)),
        }
    }

    fn check_attrs(&self, attrs: &serde_json::Value) -> Result<serde_json::Value> {
        let Some(map) = attrs.as_object() else {
            return Err(invalid("attrs", Msg::new("registry-attrs-not-object")));
        };
        let mut out = map.clone();
        if let Some(p) = map
            .get("phone")
            .and_then(|p| p.as_str())
            .filter(|p| !p.trim().is_empty())
        {
            // Offices have landlines, so accept them when they are digits; mobiles are
            // normalised.
            let normalised = match self.plan.parse(p) {
                Ok(n) => n.national().to_owned(),
                Err(e) => {
                    let digits: String = p.chars().filter(char::is_ascii_digit).collect();
                    if digits.len() < 8
                        || p.chars()
                            .any(|c| !(c.is_ascii_digit() || " .-()+".contains(c)))
                    {
                        return Err(invalid("attrs.phone", e.message()));
                    }
                    p.trim().to_owned()
                }
            };
            out.insert("phone".into(), normalised.into());
        }
        for (k, v) in map {
            if let Some(s) = v.as_str()
                && k != "phone"
            {
                out.insert(k.clone(), text::clean(s).into());
            }
        }
        Ok(serde_json::Value::Object(out))
    }

    fn check_name(name: &str) -> Result<String> {
        let name = text::clean(name);
        if name.is_empty() {
            return Err(invalid("name", Msg::new("registry-name-empty")));
        }
        if name.chars().count() > 300 {
            return Err(invalid(
                "name",
                Msg::new("registry-name-too-long").arg("max", 300),
            ));
        }
        Ok(name)
    }

    /// Registers a unit.
    pub async fn create(&self, actor: &str, new: &NewUnit) -> Result<Unit> {
        let mut tx = self.db.begin().await?;
        let unit = self.create_in(&mut tx, actor, new).await?;
        tx.commit().await?;
        Ok(unit)
    }

    pub(crate) async fn create_in(&self, tx: &mut Tx, actor: &str, new: &NewUnit) -> Result<Unit> {
        let code = self.canonical_code(new.kind, new.code.as_deref())?;
        let name = Self::check_name(&new.name)?;
        let attrs = self.check_attrs(&new.attrs)?;
        let now = self.clock.now_micros();
        let id: i64 = sqlx::query(
            "INSERT INTO units (kind, code, created_at) VALUES ($1, $2, $3) RETURNING id",
        )
        .bind(new.kind.as_str())
        .bind(&code)
        .bind(now)
        .fetch_one(&mut **tx)
        .await
        .map_err(|e| {
            if is_unique_violation(&e) {
                Error::Duplicate {
                    kind: new.kind,
                    code: code.clone().unwrap_or_default(),
                }
            } else {
                e.into()
            }
        })?
        .try_get(0)?;
        self.insert_version(tx, id, &name, &attrs, new.valid_from, "created", actor)
            .await?;
        let unit = Unit {
            id,
            kind: new.kind,
            code,
            name,
            attrs,
            since: new.valid_from,
            status: Status::Active,
        };
        audit::append_at(
            tx,
            &Entry::new(actor, "registry.unit_created", format!("unit:{id}")).after(&unit),
            &self.clock,
        )
        .await?;
        Ok(unit)
    }

    #[allow(clippy::too_many_arguments)]
    async fn insert_version(
        &self,
        tx: &mut Tx,
        unit_id: i64,
        name: &str,
        attrs: &serde_json::Value,
        from: NaiveDate,
        began: &str,
        actor: &str,
    ) -> Result<()> {
        let row = sqlx::query(
            "INSERT INTO unit_versions (unit_id, name, name_key, attrs, valid_from, began, recorded_at, recorded_by)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
        )
        .bind(unit_id)
        .bind(name)
        .bind(text::tone_key(name))
        .bind(attrs.to_string())
        .bind(date_str(from))
        .bind(began)
        .bind(self.clock.now_micros())
        .bind(actor)
        .fetch_one(&mut **tx)
        .await?;
        let version_id: i64 = row.try_get(0)?;
        sqlx::query("UPDATE units SET current_version_id = $1 WHERE id = $2")
            .bind(version_id)
            .bind(unit_id)
            .execute(&mut **tx)
            .await?;
        Ok(())
    }

    fn unit_from_row(r: &sqlx::any::AnyRow) -> Result<Unit> {
        let kind: String = r.try_get(1)?;
        let ended: Option<String> = r.try_get(6)?;
        let valid_to = r.try_get::<Option<String>, _>(8)?.map(|d| parse_date(&d));
        let status = match (ended.as_deref(), valid_to) {
            (Some("merged"), Some(on)) => Status::Merged {
                into: r.try_get::<Option<i64>, _>(7)?.unwrap_or_default(),
                on,
            },
            (Some("abolished"), Some(on)) => Status::Abolished { on },
            _ => Status::Active,
        };
        Ok(Unit {
            id: r.try_get(0)?,
            kind: kind
                .parse()
                .map_err(|_| invalid("kind", Msg::new("registry-bad-kind").arg("value", &kind)))?,
            code: r.try_get(2)?,
            name: r.try_get(3)?,
            attrs: serde_json::from_str(&r.try_get::<String, _>(4)?)?,
            since: parse_date(&r.try_get::<String, _>(5)?),
            status,
        })
    }

    /// The unit with this id.
    pub async fn get(&self, id: i64) -> Result<Unit> {
        let row = sqlx::query(&format!("{} AND u.id = $1", select_current()))
            .bind(id)
            .fetch_optional(self.db.pool())
            .await?
            .ok_or(Error::NotFound(id))?;
        Self::unit_from_row(&row)
    }

    /// The current names of the units with these ids, read in batches (one query per 500
    /// ids); ids not registered are left out.
    pub async fn names(&self, ids: &[i64]) -> Result<std::collections::HashMap<i64, String>> {
        let mut wanted: Vec<i64> = ids.to_vec();
        wanted.sort_unstable();
        wanted.dedup();
        let mut out = std::collections::HashMap::with_capacity(wanted.len());
        for chunk in wanted.chunks(500) {
            let marks: Vec<String> = (1..=chunk.len()).map(|i| format!("${i}")).collect();
            let sql = format!("{} AND u.id IN ({})", select_current(), marks.join(", "));
            let mut q = sqlx::query(&sql);
            for id in chunk {
                q = q.bind(*id);
            }
            for row in q.fetch_all(self.db.pool()).await? {
                let unit = Self::unit_from_row(&row)?;
                out.insert(unit.id, unit.name);
            }
        }
        Ok(out)
    }

    /// The unit of this kind and code.
    pub async fn by_code(&self, kind: UnitKind, code: &str) -> Result<Option<Unit>> {
        let Some(code) = self.canonical_code(kind, Some(code))? else {
            return Ok(None);
        };
        let row = sqlx::query(&format!(
            "{} AND u.kind = $1 AND u.code = $2",
            select_current()
        ))
        .bind(kind.as_str())
        .bind(code)
        .fetch_optional(self.db.pool())
        .await?;
        row.as_ref().map(Self::unit_from_row).transpose()
    }

    /// Every version of a unit, oldest first.
    pub async fn history(&self, id: i64) -> Result<Vec<Version>> {
        let rows = sqlx::query(
            "SELECT name, attrs, valid_from, valid_to, began, ended, successor_id, recorded_by
             FROM unit_versions WHERE unit_id = $1 ORDER BY id",
        )
        .bind(id)
        .fetch_all(self.db.pool())
        .await?;
        if rows.is_empty() {
            return Err(Error::NotFound(id));
        }
        rows.iter()
            .map(|r| {
                Ok(Version {
                    name: r.try_get(0)?,
                    attrs: serde_json::from_str(&r.try_get::<String, _>(1)?)?,
                    valid_from: parse_date(&r.try_get::<String, _>(2)?),
                    valid_to: r.try_get::<Option<String>, _>(3)?.map(|d| parse_date(&d)),
                    began: r.try_get(4)?,
                    ended: r.try_get(5)?,
                    successor_id: r.try_get(6)?,
                    recorded_by: r.try_get(7)?,
                })
            })
            .collect()
    }

    /// The version in force on `date`, if the unit existed then.
    pub async fn as_of(&self, id: i64, date: NaiveDate) -> Result<Option<Version>> {
        Ok(self
            .history(id)
            .await?
            .into_iter()
            .find(|v| v.valid_from <= date && v.valid_to.is_none_or(|to| date < to)))
    }

    /// Closes the current version of an active unit on `on`, checking the date order.
    async fn close_current(
        &self,
        tx: &mut Tx,
        unit: &Unit,
        on: NaiveDate,
        ended: &str,
        successor: Option<i64>,
    ) -> Result<()> {
        if unit.status != Status::Active {
            return Err(Error::Ended(unit.id));
        }
        if on <= unit.since {
            return Err(Error::DateOrder {
                given: date_str(on),
                current: date_str(unit.since),
            });
        }
        sqlx::query(
            "UPDATE unit_versions SET valid_to = $1, ended = $2, successor_id = $3
             WHERE unit_id = $4 AND valid_to IS NULL",
        )
        .bind(date_str(on))
        .bind(ended)
        .bind(successor)
        .bind(unit.id)
        .execute(&mut **tx)
        .await?;
        Ok(())
    }

    /// Renames a unit from `on`; the old name stays in its history.
    pub async fn rename(
        &self,
        actor: &str,
        id: i64,
        new_name: &str,
        on: NaiveDate,
    ) -> Result<Unit> {
        let before = self.get(id).await?;
        let after = Unit {
            name: Self::check_name(new_name)?,
            since: on,
            ..before.clone()
        };
        self.new_version(actor, before, after, "renamed").await
    }

    /// Records new facts about a unit from `on`.
    pub async fn update(
        &self,
        actor: &str,
        id: i64,
        attrs: &serde_json::Value,
        on: NaiveDate,
    ) -> Result<Unit> {
        let before = self.get(id).await?;
        let after = Unit {
            attrs: self.check_attrs(attrs)?,
            since: on,
            ..before.clone()
        };
        self.new_version(actor, before, after, "updated").await
    }

    /// Closes `before`'s version and opens `after`'s from `after.since`, recording `change`
    /// (`renamed` or `updated`) on both and in the audit log.
    async fn new_version(
        &self,
        actor: &str,
        before: Unit,
        after: Unit,
        change: &str,
    ) -> Result<Unit> {
        let mut tx = self.db.begin().await?;
        self.close_current(&mut tx, &before, after.since, change, None)
            .await?;
        self.insert_version(
            &mut tx,
            after.id,
            &after.name,
            &after.attrs,
            after.since,
            change,
            actor,
        )
        .await?;
        audit::append_at(
            &mut tx,
            &Entry::new(
                actor,
                format!("registry.unit_{change}"),
                format!("unit:{}", after.id),
            )
            .before(&before)
            .after(&after),
            &self.clock,
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    /// Merges `sources` into `into` from `on`: the sources end, naming `into` as successor.
    pub async fn merge(
        &self,
        actor: &str,
        sources: &[i64],
        into: i64,
        on: NaiveDate,
    ) -> Result<()> {
        let target = self.get(into).await?;
        if target.status != Status::Active {
            return Err(Error::Ended(into));
        }
        let mut tx = self.db.begin().await?;
        for &s in sources {
            if s == into {
                return Err(invalid("sources", Msg::new("registry-merge-self")));
            }
            let src = self.get(s).await?;
            if src.kind != target.kind {
                return Err(Error::KindMismatch {
                    from: src.kind,
                    into: target.kind,
                });
            }
            self.close_current(&mut tx, &src, on, "merged", Some(into))
                .await?;
            audit::append_at(
                &mut tx,
                &Entry::new(actor, "registry.unit_merged", format!("unit:{s}"))
                    .before(&src)
                    .after(serde_json::json!({ "merged_into": into, "on": date_str(on) })),
                &self.clock,
            )
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Abolishes a unit from `on`.
    pub async fn abolish(&self, actor: &str, id: i64, on: NaiveDate) -> Result<()> {
        let unit = self.get(id).await?;
        let mut tx = self.db.begin().await?;
        self.close_current(&mut tx, &unit, on, "abolished", None)
            .await?;
        audit::append_at(
            &mut tx,
            &Entry::new(actor, "registry.unit_abolished", format!("unit:{id}"))
                .before(&unit)
                .after(serde_json::json!({ "abolished_on": date_str(on) })),
            &self.clock,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// A page of units by name, with the total count.
    pub async fn list(&self, q: &ListQuery) -> Result<(Vec<Unit>, i64)> {
        let mut filter = String::new();
        let mut binds: Vec<String> = Vec::new();
        if let Some(k) = q.kind {
            binds.push(k.as_str().to_owned());
            filter.push_str(&format!(" AND u.kind = ${}", binds.len()));
        }
        if let Some(term) = q.q.as_deref().map(text::tone_key).filter(|t| !t.is_empty()) {
            binds.push(lantoa_store::like_pattern("%", &term, "%"));
            filter.push_str(&format!(
                " AND v.name_key LIKE ${}{}",
                binds.len(),
                lantoa_store::LIKE_ESCAPE
            ));
        }
        if !q.include_ended {
            filter.push_str(" AND v.valid_to IS NULL");
        }
        let count_sql = format!("SELECT COUNT(*){FROM_CURRENT}{filter}");
        let mut sql = format!("SELECT {CURRENT_COLUMNS}{FROM_CURRENT}{filter}");
        let limit = q.limit.clamp(1, 500);
        sql.push_str(&format!(
            " ORDER BY {} LIMIT {limit} OFFSET {}",
            q.sort.order_by(),
            q.offset.max(0)
        ));
        let (rows, total) = self.db.page(&sql, &count_sql, &binds).await?;
        let units = rows
            .iter()
            .map(Self::unit_from_row)
            .collect::<Result<Vec<_>>>()?;
        Ok((units, total))
    }

    /// Active units of `kind` whose name has the same tone key as `name`.
    pub async fn find_by_name(&self, kind: UnitKind, name: &str) -> Result<Vec<Unit>> {
        let rows = sqlx::query(&format!(
            "{} AND u.kind = $1 AND v.name_key = $2 AND v.valid_to IS NULL ORDER BY u.id",
            select_current()
        ))
        .bind(kind.as_str())
        .bind(text::tone_key(name))
        .fetch_all(self.db.pool())
        .await?;
        rows.iter().map(Self::unit_from_row).collect()
    }

    /// Active units per kind.
    pub async fn count_active(&self) -> Result<Vec<(UnitKind, i64)>> {
        let rows = sqlx::query(
            "SELECT u.kind, COUNT(*) FROM units u JOIN unit_versions v ON v.id = u.current_version_id
             WHERE v.valid_to IS NULL GROUP BY u.kind",
        )
        .fetch_all(self.db.pool())
        .await?;
        let mut out: Vec<(UnitKind, i64)> = UnitKind::ALL.iter().map(|k| (*k, 0)).collect();
        for r in rows {
            let k: String = r.try_get(0)?;
            if let Some(e) = out.iter_mut().find(|(kind, _)| kind.as_str() == k) {
                e.1 = r.try_get(1)?;
            }
        }
        Ok(out)
    }
}
