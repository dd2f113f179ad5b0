//! Groups and tags of datasets, as CKAN has them: a group gathers datasets of any agency under
//! a theme (*Hạ tầng số*, *Y tế*), a tag is a free keyword (*wifi*, *sốt xuất huyết*). Both are
//! shown on the portal and given by the CKAN API (`group_list`, `tag_list`, `package_search`'s
//! `tags:`/`groups:` and facets). A public count only ever counts public datasets.

use std::collections::BTreeMap;

use lantoa_core::msg::Msg;
use lantoa_store::audit;
use serde::Serialize;
use sqlx::Row as _;

use crate::service::{OpenData, check_name, invalid};
use crate::{Error, Result};

/// A group.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Group {
    /// Id.
    pub id: i64,
    /// URL name (`ha-tang-so`).
    pub name: String,
    /// Title.
    pub title: String,
    /// What it gathers.
    pub description: String,
    /// Created, µs since the epoch.
    pub created_at: i64,
}

/// A dataset's tags and groups, by name.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Labels {
    /// Tags, sorted.
    pub tags: Vec<String>,
    /// Groups, by name.
    pub groups: Vec<Group>,
}

/// The longest tag, in characters (CKAN's limit).
const MAX_TAG: usize = 100;

/// A tag as kept: trimmed, NFC, runs of spaces made one; 2–100 characters of letters, digits,
/// spaces, `-`, `_` and `.` (CKAN's rule, with Vietnamese letters).
pub fn check_tag(tag: &str) -> Result<String> {
    let tag = lantoa_core::text::clean(tag);
    let n = tag.chars().count();
    if !(2..=MAX_TAG).contains(&n)
        || !tag
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, ' ' | '-' | '_' | '.'))
    {
        return Err(invalid(
            "tags",
            Msg::new("opendata-bad-tag")
                .arg("value", &tag)
                .arg("max", MAX_TAG),
        ));
    }
    Ok(tag)
}

const GROUP_COLUMNS: &str = "id, name, title, description, created_at";

fn group_from(r: &sqlx::any::AnyRow) -> Result<Group> {
    Ok(Group {
        id: r.try_get(0)?,
        name: r.try_get(1)?,
        title: r.try_get(2)?,
        description: r.try_get(3)?,
        created_at: r.try_get(4)?,
    })
}

impl OpenData {
    /// Creates a group.
    pub async fn create_group(
        &self,
        actor: &str,
        name: &str,
        title: &str,
        description: &str,
    ) -> Result<Group> {
        let name = name.trim();
        check_name("name", name)?;
        if title.trim().is_empty() {
            return Err(invalid("title", Msg::new("opendata-title-required")));
        }
        let mut tx = self.db.begin().await?;
        let inserted = sqlx::query(
            "INSERT INTO opendata_groups (name, title, description, created_by, created_at)
             VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(name)
        .bind(title.trim())
        .bind(description.trim())
        .bind(actor)
        .bind(self.now())
        .fetch_one(&mut *tx)
        .await;
        self.created(
            tx,
            inserted,
            name,
            "opendata.group_created",
            "group",
            serde_json::json!({ "name": name, "title": title.trim() }),
            actor,
        )
        .await?;
        self.group(name).await
    }

    /// The group of this name (or id).
    pub async fn group(&self, name_or_id: &str) -> Result<Group> {
        let row = sqlx::query(&format!(
            "SELECT {GROUP_COLUMNS} FROM opendata_groups WHERE name = $1 OR CAST(id AS TEXT) = $1"
        ))
        .bind(name_or_id)
        .fetch_optional(self.db.pool())
        .await?
        .ok_or_else(|| Error::NotFound {
            what: "group",
            id: name_or_id.to_owned(),
        })?;
        group_from(&row)
    }

    /// Every group, by name, with how many public datasets it holds.
    pub async fn groups(&self) -> Result<Vec<(Group, usize)>> {
        let rows = sqlx::query(
            "SELECT g.id, g.name, g.title, g.description, g.created_at,
                    (SELECT COUNT(*) FROM opendata_dataset_groups dg
                       JOIN opendata_datasets d ON d.id = dg.dataset_id
                      WHERE dg.group_id = g.id AND d.sensitivity <> 'restricted')
             FROM opendata_groups g ORDER BY g.name",
        )
        .fetch_all(self.db.pool())
        .await?;
        rows.iter()
            .map(|r| Ok((group_from(r)?, r.try_get::<i64, _>(5)? as usize)))
            .collect()
    }

    /// The tags of public datasets, by name, with how many carry each.
    pub async fn tags(&self) -> Result<Vec<(String, usize)>> {
        let rows = sqlx::query(
            "SELECT t.tag, COUNT(*) FROM opendata_dataset_tags t
               JOIN opendata_datasets d ON d.id = t.dataset_id
              WHERE d.sensitivity <> 'restricted' GROUP BY t.tag",
        )
        .fetch_all(self.db.pool())
        .await?;
        // Sorted here: the databases' collations order Vietnamese differently.
        let mut tags = rows
            .iter()
            .map(|r| Ok((r.try_get(0)?, r.try_get::<i64, _>(1)? as usize)))
            .collect::<Result<Vec<(String, usize)>>>()?;
        tags.sort();
        Ok(tags)
    }

    /// A dataset's tags and groups.
    pub async fn labels(&self, dataset_id: i64) -> Result<Labels> {
        let mut tags = sqlx::query("SELECT tag FROM opendata_dataset_tags WHERE dataset_id = $1")
            .bind(dataset_id)
            .fetch_all(self.db.pool())
            .await?
            .iter()
            .map(|r| r.try_get(0))
            .collect::<std::result::Result<Vec<String>, _>>()?;
        tags.sort();
        let groups = sqlx::query(&format!(
            "SELECT {} FROM opendata_groups g JOIN opendata_dataset_groups dg ON dg.group_id = g.id
             WHERE dg.dataset_id = $1 ORDER BY g.name",
            GROUP_COLUMNS
                .split(", ")
                .map(|c| format!("g.{c}"))
                .collect::<Vec<_>>()
                .join(", ")
        ))
        .bind(dataset_id)
        .fetch_all(self.db.pool())
        .await?
        .iter()
        .map(group_from)
        .collect::<Result<Vec<_>>>()?;
        Ok(Labels { tags, groups })
    }

    /// Replaces a dataset's tags and/or groups (`None` keeps them). Every tag is checked and
    /// every group must exist before anything changes; the change is audited.
    pub async fn set_labels(
        &self,
        actor: &str,
        dataset_id: i64,
        tags: Option<&[String]>,
        groups: Option<&[String]>,
    ) -> Result<Labels> {
        let dataset = self.dataset(dataset_id).await?;
        let before = self.labels(dataset.id).await?;
        let tags = match tags {
            None => None,
            Some(list) => {
                let mut kept = BTreeMap::new();
                for t in list {
                    let t = check_tag(t)?;
                    kept.insert(lantoa_core::text::tone_key(&t), t);
                }
                Some(kept.into_values().collect::<Vec<_>>())
            }
        };
        let groups = match groups {
            None => None,
            Some(list) => {
                let mut found = Vec::new();
                for g in list {
                    let group = self.group(g.trim()).await.map_err(|e| match e {
                        Error::NotFound { .. } => invalid(
                            "groups",
                            Msg::new("opendata-no-group").arg("name", g.trim()),
                        ),
                        other => other,
                    })?;
                    if !found.iter().any(|x: &Group| x.id == group.id) {
                        found.push(group);
                    }
                }
                Some(found)
            }
        };
        let mut tx = self.db.begin().await?;
        if let Some(tags) = &tags {
            sqlx::query("DELETE FROM opendata_dataset_tags WHERE dataset_id = $1")
                .bind(dataset.id)
                .execute(&mut *tx)
                .await?;
            for t in tags {
                sqlx::query("INSERT INTO opendata_dataset_tags (dataset_id, tag) VALUES ($1, $2)")
                    .bind(dataset.id)
                    .bind(t)
                    .execute(&mut *tx)
                    .await?;
            }
        }
        if let Some(groups) = &groups {
            sqlx::query("DELETE FROM opendata_dataset_groups WHERE dataset_id = $1")
                .bind(dataset.id)
                .execute(&mut *tx)
                .await?;
            for g in groups {
                sqlx::query(
                    "INSERT INTO opendata_dataset_groups (dataset_id, group_id) VALUES ($1, $2)",
                )
                .bind(dataset.id)
                .bind(g.id)
                .execute(&mut *tx)
                .await?;
            }
        }
        let names = |gs: &[Group]| gs.iter().map(|g| g.name.clone()).collect::<Vec<_>>();
        audit::append_at(
            &mut tx,
            &audit::Entry::new(
                actor,
                "opendata.labels_set",
                format!("dataset:{}", dataset.id),
            )
            .before(serde_json::json!({ "tags": before.tags, "groups": names(&before.groups) }))
            .after(serde_json::json!({
                "tags": tags.as_ref().unwrap_or(&before.tags),
                "groups": groups.as_deref().map_or_else(|| names(&before.groups), names),
            })),
            &self.clock,
        )
        .await?;
        sqlx::query("UPDATE opendata_datasets SET updated_at = $1 WHERE id = $2")
            .bind(self.now())
            .bind(dataset.id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        self.labels(dataset.id).await
    }
}
