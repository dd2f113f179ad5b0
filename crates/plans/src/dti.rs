//! The Digital Transformation Index (DTI) by which the ministry ranks provinces: frameworks
//! versioned by year (`data/plans/dti/*.toml`: 922/QĐ-BTTTT for 2022–2024, 405/QĐ-BKHCN from
//! 2025), the city's self-assessment of each component with its evidence, scores normalised to
//! 0–1 by main indicator, pillar and in total as the ministry publishes them, the published
//! rank per year, and the comparison year over year (shared/domain/plans.md, §1).

use std::collections::HashMap;

use lantoa_core::role::Role;
use lantoa_store::audit::{self, Entry};
use serde::{Deserialize, Serialize};
use sqlx::Row;

use lantoa_core::msg::Msg;

use crate::error::{invalid, planner_only};
use crate::{Error, Plans, Result};

/// The frameworks Lantoa ships, by file.
pub const BUILTIN: [(&str, &str); 2] = [
    (
        "2022.toml",
        include_str!("../../../data/plans/dti/2022.toml"),
    ),
    (
        "2025.toml",
        include_str!("../../../data/plans/dti/2025.toml"),
    ),
];

/// A component of a main indicator, scored against its points.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Component {
    /// `1.3`: the main indicator's code, a dot, its place.
    pub code: String,
    /// Its name (or, where the framework file gives none, its place).
    pub name: String,
    /// The most it scores.
    pub points: f64,
}

/// A main indicator.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Main {
    /// `1`…`9`.
    pub code: String,
    /// Name.
    pub name: String,
    /// The pillar it counts in.
    pub pillar: String,
    /// Its points (0: assessed, not scored).
    pub points: f64,
    /// Its components.
    pub components: Vec<Component>,
}

/// How much of a year's framework Lantoa carries from its decision.
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Loaded {
    /// Every main indicator with its components' names and points.
    Full,
    /// The main indicators with their points and how many components each has; the
    /// components' names and points are not loaded (each named by its place, points shared
    /// equally).
    MainsOnly,
    /// Only the totals the decision published: the main indicators themselves are not
    /// loaded, so no self-assessment can be entered against it.
    Placeholder,
}

/// A framework and the years it applies to.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Framework {
    /// Name.
    pub name: String,
    /// The decision that sets it.
    pub basis: String,
    /// The assessment years it applies to.
    pub years: Vec<i32>,
    /// Main indicators in order.
    pub mains: Vec<Main>,
    /// How much of it is loaded.
    pub loaded: Loaded,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileComponent {
    code: String,
    name: String,
    points: f64,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileMain {
    code: String,
    name: String,
    pillar: String,
    points: f64,
    #[serde(default)]
    components: Option<usize>,
    #[serde(default)]
    component: Vec<FileComponent>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileFramework {
    name: String,
    basis: String,
    years: Vec<i32>,
    #[serde(default)]
    #[allow(dead_code)]
    // documents the file's choice; equal shares are what `components` means
    share: Option<String>,
    /// The file keeps only the decision's totals: its main indicators are stand-ins.
    #[serde(default)]
    placeholder: bool,
    main: Vec<FileMain>,
}

impl Framework {
    /// Reads a framework file; `file` names it in errors. Each main indicator gives either a
    /// count of components (points shared equally) or the components with their points, which
    /// must add up to the main indicator's.
    pub fn from_toml(file: &str, text: &str) -> Result<Self> {
        let bad = |m: String| Error::Internal(format!("{file}: {m}"));
        let f: FileFramework = toml::from_str(text).map_err(|e| bad(e.to_string()))?;
        if f.years.is_empty() {
            return Err(bad("no years".into()));
        }
        let mut mains = Vec::with_capacity(f.main.len());
        let mut shared_equally = false;
        for m in f.main {
            shared_equally |= m.components.is_some();
            if !(m.points.is_finite() && m.points >= 0.0) {
                return Err(bad(format!(
                    "main indicator {}: points {}",
                    m.code, m.points
                )));
            }
            let components: Vec<Component> = match (m.components, m.component.is_empty()) {
                (Some(n), true) if n > 0 => (1..=n)
                    .map(|i| Component {
                        code: format!("{}.{i}", m.code),
                        name: format!("Thành phần {}.{i}", m.code),
                        points: m.points / n as f64,
                    })
                    .collect(),
                (None, false) => {
                    let sum: f64 = m.component.iter().map(|c| c.points).sum();
                    if (sum - m.points).abs() > 1e-6 {
                        return Err(bad(format!(
                            "main indicator {}: its components' points add up to {sum}, not {}",
                            m.code, m.points
                        )));
                    }
                    m.component
                        .into_iter()
                        .map(|c| Component {
                            code: c.code,
                            name: c.name,
                            points: c.points,
                        })
                        .collect()
                }
                _ => {
                    return Err(bad(format!(
                        "main indicator {}: give either `components = N` or a `[[main.component]]` list",
                        m.code
                    )));
                }
            };
            mains.push(Main {
                code: m.code,
                name: m.name,
                pillar: m.pillar,
                points: m.points,
                components,
            });
        }
        let mut seen = std::collections::HashSet::new();
        for c in mains.iter().flat_map(|m| &m.components) {
            if !seen.insert(c.code.clone()) {
                return Err(bad(format!("component {} appears twice", c.code)));
            }
        }
        let loaded = if f.placeholder {
            Loaded::Placeholder
        } else if shared_equally {
            Loaded::MainsOnly
        } else {
            Loaded::Full
        };
        Ok(Self {
            name: f.name,
            basis: f.basis,
            years: f.years,
            mains,
            loaded,
        })
    }

    /// The component with this code.
    pub fn component(&self, code: &str) -> Option<&Component> {
        self.mains
            .iter()
            .flat_map(|m| &m.components)
            .find(|c| c.code == code)
    }

    /// Points that count (main indicators that are scored).
    pub fn total_points(&self) -> f64 {
        self.mains.iter().map(|m| m.points).sum()
    }

    /// Components in all.
    pub fn component_count(&self) -> usize {
        self.mains.iter().map(|m| m.components.len()).sum()
    }
}

/// The frameworks, each for its years.
#[derive(Debug, Clone, PartialEq)]
pub struct Frameworks(Vec<Framework>);

impl Frameworks {
    /// The frameworks Lantoa ships.
    pub fn builtin() -> Result<Self> {
        Self::from_files(&BUILTIN)
    }

    /// Frameworks from `(name, text)` files; no year may fall under two.
    pub fn from_files(files: &[(&str, &str)]) -> Result<Self> {
        let mut all: Vec<Framework> = Vec::new();
        for (name, text) in files {
            let f = Framework::from_toml(name, text)?;
            if let Some(y) = f
                .years
                .iter()
                .find(|y| all.iter().any(|o| o.years.contains(y)))
            {
                return Err(Error::Internal(format!(
                    "{name}: year {y} already has a framework"
                )));
            }
            all.push(f);
        }
        Ok(Self(all))
    }

    /// The framework for an assessment year.
    pub fn for_year(&self, year: i32) -> Option<&Framework> {
        self.0.iter().find(|f| f.years.contains(&year))
    }

    /// Every year some framework covers, in order.
    pub fn years(&self) -> Vec<i32> {
        let mut y: Vec<i32> = self
            .0
            .iter()
            .flat_map(|f| f.years.iter().copied())
            .collect();
        y.sort_unstable();
        y
    }
}

/// A component's self-assessed score to record.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct NewScore {
    /// Component code (`1.3`).
    pub component: String,
    /// Points scored, from 0 to the component's points.
    pub score: f64,
    /// What proves it: a document number, a link (required when the score is above 0).
    pub evidence: String,
}

/// The published result of a year.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct DtiResult {
    /// Rank.
    pub rank: i64,
    /// Among how many provinces (63 until 2024, 34 since).
    pub of_count: i64,
    /// The published index, 0–1, if known.
    pub index_value: Option<f64>,
    /// Where it was published.
    pub source: String,
}

/// A main indicator's standing in a year.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct MainScore {
    /// The main indicator.
    pub main: Main,
    /// Points scored.
    pub score: f64,
    /// Score ÷ points (none when not scored or nothing entered).
    pub normalised: Option<f64>,
    /// Components with a score entered.
    pub entered: usize,
    /// Scores and evidence by component code.
    pub scores: HashMap<String, (f64, String)>,
}

/// A year's self-assessment.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Assessment {
    /// The year.
    pub year: i32,
    /// The framework's name and basis.
    pub framework: String,
    /// Its basis.
    pub basis: String,
    /// How much of the framework is loaded.
    pub loaded: Loaded,
    /// By main indicator.
    pub mains: Vec<MainScore>,
    /// By pillar, in the framework's order: normalised score (none when nothing entered).
    pub pillars: Vec<(String, Option<f64>)>,
    /// In total.
    pub total: Option<f64>,
    /// The published result.
    pub result: Option<DtiResult>,
}

fn ratio(score: f64, max: f64, entered: usize) -> Option<f64> {
    (max > 0.0 && entered > 0).then(|| (score / max).clamp(0.0, 1.0))
}

impl Plans {
    /// Records a year's self-assessed component scores, all or none: each component in the
    /// year's framework, each score from 0 to its points, evidence given for any score above 0.
    /// Every fault is named by component; a score already entered is replaced.
    pub async fn record_dti_scores(
        &self,
        actor: &str,
        roles: &[Role],
        frameworks: &Frameworks,
        year: i32,
        scores: &[NewScore],
    ) -> Result<usize> {
        planner_only(roles, "dti-scores")?;
        let fw = frameworks.for_year(year).ok_or_else(|| {
            invalid(
                "year",
                Msg::new("dti-no-framework-for").arg("year", year).arg(
                    "years",
                    frameworks
                        .years()
                        .iter()
                        .map(ToString::to_string)
                        .collect::<Vec<_>>()
                        .join(", "),
                ),
            )
        })?;
        if fw.loaded == Loaded::Placeholder {
            return Err(invalid(
                "year",
                Msg::new("dti-framework-not-loaded")
                    .arg("year", year)
                    .arg("basis", &fw.basis),
            ));
        }
        let mut faults = Vec::new();
        for s in scores {
            let code = s.component.trim();
            match fw.component(code) {
                None => faults.push(
                    Msg::new("dti-not-a-component")
                        .arg("code", code)
                        .arg("basis", &fw.basis),
                ),
                Some(c) if !(s.score.is_finite() && (0.0..=c.points + 1e-9).contains(&s.score)) => {
                    faults.push(
                        Msg::new("dti-bad-score")
                            .arg("code", code)
                            .arg("score", s.score)
                            .arg("max", lantoa_core::chart::number(c.points)),
                    );
                }
                Some(_) if s.score > 0.0 && s.evidence.trim().is_empty() => {
                    faults.push(Msg::new("dti-score-needs-evidence").arg("code", code));
                }
                Some(_) => {}
            }
        }
        if !faults.is_empty() {
            return Err(invalid(
                "score",
                Msg::new("dti-faults").msgs("faults", faults),
            ));
        }
        let now = self.clock.now_micros();
        let mut tx = self.db.begin().await?;
        for s in scores {
            sqlx::query(
                "INSERT INTO plans_dti_scores (year, component, score, evidence, entered_by, entered_at)
                 VALUES ($1, $2, $3, $4, $5, $6)
                 ON CONFLICT (year, component) DO UPDATE SET score = excluded.score,
                    evidence = excluded.evidence, entered_by = excluded.entered_by,
                    entered_at = excluded.entered_at",
            )
            .bind(i64::from(year))
            .bind(s.component.trim())
            .bind(s.score)
            .bind(s.evidence.trim())
            .bind(actor)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        }
        audit::append(
            &mut tx,
            &Entry::new(actor, "plans.dti_scored", format!("dti:{year}"))
                .after(serde_json::json!({ "components": scores.len() })),
        )
        .await?;
        tx.commit().await?;
        Ok(scores.len())
    }

    /// Records the ministry's published result for a year: rank from 1 to the number of
    /// provinces ranked, the index (if given) from 0 to 1, and where it was published.
    pub async fn record_dti_result(
        &self,
        actor: &str,
        roles: &[Role],
        year: i32,
        r: &DtiResult,
    ) -> Result<()> {
        planner_only(roles, "dti-results")?;
        if !(2000..=2100).contains(&year) {
            return Err(invalid("year", Msg::new("dti-bad-year").arg("year", year)));
        }
        if !(1..=100).contains(&r.of_count) {
            return Err(invalid(
                "of_count",
                Msg::new("dti-bad-count").arg("value", r.of_count),
            ));
        }
        if !(1..=r.of_count).contains(&r.rank) {
            return Err(invalid(
                "rank",
                Msg::new("dti-bad-rank")
                    .arg("value", r.rank)
                    .arg("max", r.of_count),
            ));
        }
        if let Some(v) = r.index_value
            && !(v.is_finite() && (0.0..=1.0).contains(&v))
        {
            return Err(invalid(
                "index_value",
                Msg::new("dti-bad-index").arg("value", v),
            ));
        }
        let source = crate::error::required("source", &r.source)?;
        let mut tx = self.db.begin().await?;
        sqlx::query(
            "INSERT INTO plans_dti_results (year, rank, of_count, index_value, source, entered_by, entered_at)
             VALUES ($1, $2, $3, CASE WHEN $8 = 1 THEN $4 ELSE NULL END, $5, $6, $7)
             ON CONFLICT (year) DO UPDATE SET rank = excluded.rank, of_count = excluded.of_count,
                index_value = excluded.index_value, source = excluded.source,
                entered_by = excluded.entered_by, entered_at = excluded.entered_at",
        )
        .bind(i64::from(year))
        .bind(r.rank)
        .bind(r.of_count)
        // Always a float, with a flag for "none": a NULL bound first would fix the prepared
        // statement's parameter type on PostgreSQL, and a later float would then be refused.
        .bind(r.index_value.unwrap_or(0.0))
        .bind(&source)
        .bind(actor)
        .bind(self.clock.now_micros())
        .bind(i64::from(r.index_value.is_some()))
        .execute(&mut *tx)
        .await?;
        audit::append(
            &mut tx,
            &Entry::new(actor, "plans.dti_result", format!("dti:{year}")).after(
                serde_json::json!({ "rank": r.rank, "of": r.of_count, "index": r.index_value }),
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// A year's self-assessment against its framework, normalised, with its published result.
    pub async fn dti_assessment(&self, frameworks: &Frameworks, year: i32) -> Result<Assessment> {
        let fw = frameworks
            .for_year(year)
            .ok_or_else(|| invalid("year", Msg::new("dti-no-framework").arg("year", year)))?;
        let rows =
            sqlx::query("SELECT component, score, evidence FROM plans_dti_scores WHERE year = $1")
                .bind(i64::from(year))
                .fetch_all(self.db.pool())
                .await?;
        let mut entered: HashMap<String, (f64, String)> = HashMap::new();
        for r in &rows {
            entered.insert(r.try_get(0)?, (r.try_get(1)?, r.try_get(2)?));
        }
        let mains: Vec<MainScore> = fw
            .mains
            .iter()
            .map(|m| {
                let scores: HashMap<String, (f64, String)> = m
                    .components
                    .iter()
                    .filter_map(|c| entered.get(&c.code).map(|s| (c.code.clone(), s.clone())))
                    .collect();
                let score: f64 = scores.values().map(|(s, _)| s).sum();
                MainScore {
                    normalised: ratio(score, m.points, scores.len()),
                    main: m.clone(),
                    score,
                    entered: scores.len(),
                    scores,
                }
            })
            .collect();
        let mut pillars: Vec<(String, Option<f64>)> = Vec::new();
        for m in &fw.mains {
            if m.points > 0.0 && !pillars.iter().any(|(p, _)| *p == m.pillar) {
                let of: Vec<&MainScore> =
                    mains.iter().filter(|s| s.main.pillar == m.pillar).collect();
                pillars.push((
                    m.pillar.clone(),
                    ratio(
                        of.iter().map(|s| s.score).sum(),
                        of.iter().map(|s| s.main.points).sum(),
                        of.iter().map(|s| s.entered).sum(),
                    ),
                ));
            }
        }
        let total = ratio(
            mains.iter().map(|s| s.score).sum(),
            fw.total_points(),
            mains.iter().map(|s| s.entered).sum(),
        );
        let result = sqlx::query(
            "SELECT rank, of_count, index_value, source FROM plans_dti_results WHERE year = $1",
        )
        .bind(i64::from(year))
        .fetch_optional(self.db.pool())
        .await?
        .map(|r| -> Result<DtiResult> {
            Ok(DtiResult {
                rank: r.try_get(0)?,
                of_count: r.try_get(1)?,
                index_value: r.try_get(2)?,
                source: r.try_get(3)?,
            })
        })
        .transpose()?;
        Ok(Assessment {
            year,
            framework: fw.name.clone(),
            basis: fw.basis.clone(),
            loaded: fw.loaded,
            mains,
            pillars,
            total,
            result,
        })
    }

    /// Every year a framework covers that has scores or a result, oldest first: the
    /// comparison year over year.
    pub async fn dti_years(&self, frameworks: &Frameworks) -> Result<Vec<Assessment>> {
        let mut years: Vec<i64> = sqlx::query_scalar(
            "SELECT year FROM plans_dti_scores UNION SELECT year FROM plans_dti_results",
        )
        .fetch_all(self.db.pool())
        .await?;
        years.sort_unstable();
        years.dedup();
        let mut out = Vec::new();
        for y in years {
            let Ok(y) = i32::try_from(y) else { continue };
            if frameworks.for_year(y).is_some() {
                out.push(self.dti_assessment(frameworks, y).await?);
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_builtin_frameworks_keep_the_published_totals() {
        let f = Frameworks::builtin().unwrap();
        let y2022 = f.for_year(2022).unwrap();
        assert_eq!(f.for_year(2024), Some(y2022));
        assert_eq!((y2022.mains.len(), y2022.component_count()), (9, 98));
        assert_eq!(y2022.total_points(), 1000.0);
        let y2025 = f.for_year(2025).unwrap();
        assert_eq!((y2025.mains.len(), y2025.component_count()), (8, 47));
        assert!(f.for_year(2021).is_none());
        assert_eq!(f.years(), [2022, 2023, 2024, 2025]);
    }

    #[test]
    fn a_framework_file_that_does_not_add_up_is_named() {
        let text = "name = \"x\"\nbasis = \"y\"\nyears = [2030]\n[[main]]\ncode = \"1\"\nname = \"A\"\npillar = \"P\"\npoints = 10\n[[main.component]]\ncode = \"1.1\"\nname = \"a\"\npoints = 4\n";
        let e = Framework::from_toml("x.toml", text)
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("x.toml") && e.contains("add up to 4, not 10"),
            "{e}"
        );
        let twice =
            Frameworks::from_files(&[BUILTIN[0], ("again.toml", BUILTIN[0].1)]).unwrap_err();
        assert!(
            twice.to_string().contains("again.toml: year 2022"),
            "{twice}"
        );
    }
}
