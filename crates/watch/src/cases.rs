//! Enforcement cases: a subject's suspected violation in one category (báo hóa, illegal
//! advertising, harmful content), opened from findings or by hand and moved through the states
//! of `data/watch/cases.toml` — reviewed, the managing unit invited, the dossier transferred to
//! the Inspectorate, a takedown proposed, an answer awaited, and one of the endings. Each move
//! is allowed from certain states to certain roles, needs a note, and is kept with who made it
//! and when; each state may have a limit in days after which the case is listed overdue.

use std::collections::{BTreeMap, BTreeSet};

use lantoa_core::msg::Msg;
use lantoa_core::role::Role;
use lantoa_store::audit::{self, Entry};
use lantoa_store::{JsonCol, is_unique_violation, json_column, json_rows};
use serde::{Deserialize, Serialize};
use sqlx::Row;

use crate::{Error, Result, Watch};

/// The shipped workflow (`data/watch/cases.toml`).
pub const BUILTIN_RULES: &str = include_str!("../../../data/watch/cases.toml");

/// What entering a state may require to be recorded with it.
pub const REQUIREMENTS: [&str; 2] = ["sanction", "recheck"];

lantoa_core::sort_order!(
    crate::Error,
    crate::Error::invalid,
    /// How a list of cases is ordered.
    CaseSort, "list-bad-sort", {
        /// The newest opened first (the default).
        Newest = "newest" => "id DESC",
        /// The oldest opened first.
        Oldest = "oldest" => "id",
        /// The nearest deadline of its step first; cases without one last.
        Due = "due" => "CASE WHEN due_at IS NULL THEN 1 ELSE 0 END, due_at, id",
    }
);

/// The categories a case may be about (those of findings).
pub const CATEGORIES: [&str; 3] = ["bao_hoa", "advertising", "harmful"];

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct StateFile {
    id: String,
    #[serde(default)]
    days: Option<u32>,
    #[serde(default)]
    closed: bool,
    #[serde(default)]
    requires: Option<String>,
    #[serde(default)]
    documents: Vec<String>,
    #[serde(default)]
    reopen: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct TransitionFile {
    from: String,
    to: Vec<String>,
    roles: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct RulesFile {
    state: Vec<StateFile>,
    transition: Vec<TransitionFile>,
    #[serde(default)]
    figures: FigureStates,
}

/// The states the period's figures count: entering each is the event counted.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct FigureStates {
    /// The managing unit invited to a working session.
    pub invited: Option<String>,
    /// The dossier transferred to the Inspectorate.
    pub transferred: Option<String>,
    /// A takedown proposed.
    pub takedown_proposed: Option<String>,
    /// Taken down.
    pub taken_down: Option<String>,
    /// Not taken down.
    pub not_taken_down: Option<String>,
}

/// One state of the workflow.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct CaseState {
    /// Its id (`xem_xet`).
    pub id: String,
    /// Days a case may stay in it before it is overdue; `None`: no limit.
    pub days: Option<u32>,
    /// Whether a case in it is finished.
    pub closed: bool,
    /// What entering it records besides the step (`sanction`: the Inspectorate's decision;
    /// `recheck`: the date the unit committed to fix by, when the subject is crawled again).
    pub requires: Option<String>,
    /// The documents that may be issued while a case is in it (kinds of
    /// [`crate::documents::DocumentKind`]).
    pub documents: Vec<String>,
    /// Where a re-check that finds the signs remaining moves the case.
    pub reopen: Option<String>,
}

/// The workflow: states, and who may move a case from which state to which.
#[derive(Debug, Clone)]
pub struct CaseRules {
    states: Vec<CaseState>,
    figures: FigureStates,
    /// (from, to) → the roles allowed (admin always is).
    moves: BTreeMap<(String, String), BTreeSet<Role>>,
}

impl CaseRules {
    /// Reads a workflow file, refusing one that names an unknown state or role, a closed state
    /// with a time limit, a move out of a state that does not exist, or no closed state. The
    /// first state is where cases open.
    pub fn from_toml(text: &str) -> Result<Self> {
        let bad = |message: String| Error::config("watch.cases", message);
        let file: RulesFile = toml::from_str(text).map_err(|e| bad(e.to_string()))?;
        let mut states = Vec::new();
        for s in file.state {
            if states.iter().any(|k: &CaseState| k.id == s.id) {
                return Err(bad(format!("state {} is defined twice", s.id)));
            }
            if s.closed && s.days.is_some() {
                return Err(bad(format!("closed state {} cannot have days", s.id)));
            }
            if let Some(r) = s.requires.as_deref().filter(|r| !REQUIREMENTS.contains(r)) {
                return Err(bad(format!(
                    "state {}: requires {r:?}; it may require {}",
                    s.id,
                    REQUIREMENTS.join(", ")
                )));
            }
            for d in &s.documents {
                if crate::documents::DocumentKind::parse(d).is_none() {
                    return Err(bad(format!(
                        "state {}: unknown document {d:?}; documents are {}",
                        s.id,
                        crate::documents::DocumentKind::ALL
                            .iter()
                            .map(|k| k.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    )));
                }
            }
            if s.reopen.is_some() && s.requires.as_deref() != Some("recheck") {
                return Err(bad(format!(
                    "state {}: reopen is for a state that requires a recheck",
                    s.id
                )));
            }
            states.push(CaseState {
                id: s.id,
                days: s.days,
                closed: s.closed,
                requires: s.requires,
                documents: s.documents,
                reopen: s.reopen,
            });
        }
        if states.first().is_none_or(|s| s.closed) {
            return Err(bad("the first state (where cases open) must be open".into()));
        }
        if !states.iter().any(|s| s.closed) {
            return Err(bad("no closed state: a case could never end".into()));
        }
        let known = |id: &str| states.iter().any(|s| s.id == id);
        for s in &states {
            if let Some(r) = s.reopen.as_deref().filter(|r| !known(r)) {
                return Err(bad(format!(
                    "state {}: reopen names unknown state {r}",
                    s.id
                )));
            }
        }
        let mut moves: BTreeMap<(String, String), BTreeSet<Role>> = BTreeMap::new();
        for t in file.transition {
            for id in std::iter::once(&t.from).chain(&t.to) {
                if !known(id) {
                    return Err(bad(format!("a transition names unknown state {id}")));
                }
            }
            let mut roles = BTreeSet::new();
            for r in &t.roles {
                roles.insert(
                    r.parse::<Role>().map_err(|_| {
                        bad(format!("transition from {}: unknown role {r}", t.from))
                    })?,
                );
            }
            for to in &t.to {
                moves
                    .entry((t.from.clone(), to.clone()))
                    .or_default()
                    .extend(roles.iter().copied());
            }
        }
        for id in [
            &file.figures.invited,
            &file.figures.transferred,
            &file.figures.takedown_proposed,
            &file.figures.taken_down,
            &file.figures.not_taken_down,
        ]
        .into_iter()
        .flatten()
        {
            if !known(id) {
                return Err(bad(format!("[figures] names unknown state {id}")));
            }
        }
        Ok(Self {
            states,
            moves,
            figures: file.figures,
        })
    }

    /// The shipped workflow.
    pub fn builtin() -> Result<Self> {
        Self::from_toml(BUILTIN_RULES)
    }

    /// The states the figures count.
    pub fn figure_states(&self) -> &FigureStates {
        &self.figures
    }

    /// Every state, in the file's order.
    pub fn states(&self) -> &[CaseState] {
        &self.states
    }

    /// Where cases open.
    pub fn initial(&self) -> &CaseState {
        // `from_toml` refuses a file without states.
        &self.states[0]
    }

    /// The state entering which records `what` (`sanction`, `recheck`), if the workflow has
    /// one.
    pub fn state_requiring(&self, what: &str) -> Option<&CaseState> {
        self.states
            .iter()
            .find(|s| s.requires.as_deref() == Some(what))
    }

    /// The state `id`, if the workflow has it.
    pub fn state(&self, id: &str) -> Option<&CaseState> {
        self.states.iter().find(|s| s.id == id)
    }

    /// The state with this id, or a refusal as `field` naming the workflow's states.
    pub fn known_state(&self, field: &'static str, id: &str) -> Result<&CaseState> {
        self.state(id).ok_or_else(|| {
            Error::invalid(
                field,
                Msg::new("case-bad-state").arg("value", id).arg(
                    "known",
                    self.states
                        .iter()
                        .map(|s| s.id.as_str())
                        .collect::<Vec<_>>()
                        .join(", "),
                ),
            )
        })
    }

    /// The roles that may move a case from `from` to `to` (admin besides); empty if no one.
    pub fn roles_for(&self, from: &str, to: &str) -> Vec<Role> {
        self.moves
            .get(&(from.to_owned(), to.to_owned()))
            .map(|r| r.iter().copied().collect())
            .unwrap_or_default()
    }

    /// The states a holder of `roles` may move a case in `from` to, in the workflow's order (the
    /// usual next step before the endings).
    pub fn next(&self, from: &str, roles: &[Role]) -> Vec<&str> {
        self.states
            .iter()
            .map(|s| s.id.as_str())
            .filter(|to| {
                self.moves
                    .get(&(from.to_owned(), (*to).to_owned()))
                    .is_some_and(|allowed| {
                        roles.contains(&Role::Admin) || roles.iter().any(|r| allowed.contains(r))
                    })
            })
            .collect()
    }

    /// Whether a holder of `roles` may move a case from `from` to `to`, and if not, why.
    fn check(&self, from: &str, to: &str, roles: &[Role]) -> Result<()> {
        let Some(allowed) = self.moves.get(&(from.to_owned(), to.to_owned())) else {
            let next: Vec<&str> = self
                .moves
                .keys()
                .filter(|(f, _)| f == from)
                .map(|(_, t)| t.as_str())
                .collect();
            let state = |s: &str| format!("case-state-{s}");
            return Err(Error::Transition(if next.is_empty() {
                Msg::new("case-move-finished")
                    .label("from", state(from))
                    .label("to", state(to))
            } else {
                Msg::new("case-move-refused")
                    .label("from", state(from))
                    .label("to", state(to))
                    .labels("next", next.iter().map(|s| state(s)))
            }));
        };
        if roles.contains(&Role::Admin) || roles.iter().any(|r| allowed.contains(r)) {
            Ok(())
        } else {
            Err(Error::NotAllowed(
                Msg::new("case-move-needs-role")
                    .label("from", format!("case-state-{from}"))
                    .label("to", format!("case-state-{to}"))
                    .labels(
                        "roles",
                        allowed.iter().map(|r| format!("role-{}", r.as_str())),
                    ),
            ))
        }
    }
}

/// A case to open.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct NewCase {
    /// The subject it is about.
    pub subject_id: i64,
    /// `bao_hoa`, `advertising` or `harmful`.
    pub category: String,
    /// A short title; the subject's name and the category when empty.
    #[serde(default)]
    pub title: String,
    /// Findings of that subject it rests on (none when opened by hand).
    #[serde(default)]
    pub findings: Vec<i64>,
    /// Why it is opened.
    pub note: String,
}

/// A case.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Case {
    /// Its id.
    pub id: i64,
    /// The subject it is about.
    pub subject_id: i64,
    /// Its category.
    pub category: String,
    /// Its title.
    pub title: String,
    /// Its state (an id of the workflow).
    pub state: String,
    /// Whether it is not finished.
    pub open: bool,
    /// Who opened it.
    pub opened_by: String,
    /// When, µs.
    pub opened_at: i64,
    /// Since when it is in its state, µs.
    pub state_since: i64,
    /// When it is overdue in its state, µs; none when finished or without a limit.
    pub due_at: Option<i64>,
    /// The findings it rests on.
    pub findings: Vec<i64>,
}

/// One step of a case's timeline.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct CaseEvent {
    /// The state it left (none for the opening).
    pub from: Option<String>,
    /// The state it entered.
    pub to: String,
    /// Who.
    pub actor: String,
    /// When, µs.
    pub at: i64,
    /// Why.
    pub note: String,
}

const CASE_COLUMNS: &str =
    "id, subject_id, category, title, state, open, opened_by, opened_at, state_since, due_at";

fn case_from(r: &sqlx::any::AnyRow) -> Result<Case> {
    Ok(Case {
        id: r.try_get(0)?,
        subject_id: r.try_get(1)?,
        category: r.try_get(2)?,
        title: r.try_get(3)?,
        state: r.try_get(4)?,
        open: r.try_get::<i64, _>(5)? != 0,
        opened_by: r.try_get(6)?,
        opened_at: r.try_get(7)?,
        state_since: r.try_get(8)?,
        due_at: r.try_get(9)?,
        findings: Vec::new(),
    })
}

/// What opening any case needs: a watch officer's (or an admin's) role, a known category and a
/// note; the note as kept (trimmed).
fn check_opening<'a>(roles: &[Role], category: &str, note: &'a str) -> Result<&'a str> {
    if !roles
        .iter()
        .any(|r| matches!(r, Role::WatchOfficer | Role::Admin))
    {
        return Err(Error::NotAllowed(
            Msg::new("case-open-needs-role").label("role", "role-watch_officer"),
        ));
    }
    if !CATEGORIES.contains(&category) {
        return Err(Error::invalid(
            "category",
            Msg::new("case-bad-category")
                .arg("value", category)
                .arg("known", CATEGORIES.join(", ")),
        ));
    }
    required_note(note)
}

fn required_note(note: &str) -> Result<&str> {
    let note = note.trim();
    if note.is_empty() {
        return Err(Error::invalid("note", Msg::new("case-note-required")));
    }
    Ok(note)
}

impl Watch {
    /// When a case entering `state` now is overdue, if the state has a limit.
    fn due(&self, state: &CaseState, now: i64) -> Option<i64> {
        state
            .days
            .filter(|_| !state.closed)
            .map(|d| now + i64::from(d) * 86_400_000_000)
    }

    /// The most subjects one opening covers.
    pub const MAX_OPENED_AT_ONCE: usize = 200;

    /// Opens a case on each of several subjects (the subjects list's chosen rows) with one
    /// category and note, each as [`Watch::open_case`] does. What is common to all (the role,
    /// the category, the note, the number chosen) is checked first, and refused opens none;
    /// then each subject's case opens or is refused on its own (a subject that already has an
    /// open case of the category), so one refusal keeps none of the others from opening.
    pub async fn open_cases(
        &self,
        actor: &str,
        roles: &[Role],
        subject_ids: &[i64],
        category: &str,
        note: &str,
    ) -> Result<Vec<(i64, Result<Case>)>> {
        check_opening(roles, category, note)?;
        if subject_ids.is_empty() {
            return Err(Error::invalid("subject_ids", Msg::new("case-none-chosen")));
        }
        if subject_ids.len() > Self::MAX_OPENED_AT_ONCE {
            return Err(Error::invalid(
                "subject_ids",
                Msg::new("case-too-many-chosen")
                    .arg("count", subject_ids.len())
                    .arg("max", Self::MAX_OPENED_AT_ONCE),
            ));
        }
        let mut out = Vec::with_capacity(subject_ids.len());
        for &subject_id in subject_ids {
            if out.iter().any(|(s, _)| *s == subject_id) {
                continue;
            }
            let new = NewCase {
                subject_id,
                category: category.to_owned(),
                title: String::new(),
                findings: Vec::new(),
                note: note.to_owned(),
            };
            let outcome = match self.open_case(actor, roles, &new).await {
                Err(Error::Store(e)) => return Err(Error::Store(e)),
                other => other,
            };
            out.push((subject_id, outcome));
        }
        Ok(out)
    }

    /// Opens a case on a subject, in the workflow's first state. Only a watch officer (or an
    /// admin) opens cases; the findings given must be the subject's; a subject has at most one
    /// open case per category.
    pub async fn open_case(&self, actor: &str, roles: &[Role], new: &NewCase) -> Result<Case> {
        let note = check_opening(roles, &new.category, &new.note)?;
        let subject = self.get(new.subject_id).await?;
        if !new.findings.is_empty() {
            let sql = format!(
                "SELECT id FROM watch_findings WHERE subject_id = $1
                 AND id IN (SELECT c0 FROM ({}) AS j)",
                json_rows(self.db.backend(), 2, &[JsonCol::Int])
            );
            let found: BTreeSet<i64> = sqlx::query_scalar::<_, i64>(&sql)
                .bind(subject.id)
                .bind(json_column(&new.findings).map_err(Error::internal)?)
                .fetch_all(self.db.pool())
                .await?
                .into_iter()
                .collect();
            if let Some(bad) = new.findings.iter().find(|f| !found.contains(f)) {
                return Err(Error::invalid(
                    "findings",
                    Msg::new("case-finding-not-subjects")
                        .arg("finding", bad)
                        .arg("subject", subject.id),
                ));
            }
        }
        let title = match new.title.trim() {
            "" => format!("{} — {}", subject.name, new.category),
            t => t.to_owned(),
        };
        let initial = self.cases.initial().clone();
        let now = self.clock.now_micros();
        let mut tx = self.db.begin().await?;
        let id: i64 = match sqlx::query(
            "INSERT INTO watch_cases (subject_id, category, title, state, open, opened_by, opened_at, state_since, due_at, updated_at)
             VALUES ($1, $2, $3, $4, 1, $5, $6, $6, $7, $6) RETURNING id",
        )
        .bind(subject.id)
        .bind(&new.category)
        .bind(&title)
        .bind(&initial.id)
        .bind(actor)
        .bind(now)
        .bind(self.due(&initial, now))
        .fetch_one(&mut *tx)
        .await
        {
            Ok(r) => r.try_get(0)?,
            Err(e) if is_unique_violation(&e) => {
                drop(tx);
                let existing: i64 = sqlx::query_scalar(
                    "SELECT id FROM watch_cases WHERE subject_id = $1 AND category = $2 AND open = 1",
                )
                .bind(subject.id)
                .bind(&new.category)
                .fetch_one(self.db.pool())
                .await?;
                return Err(Error::CaseOpen {
                    existing,
                    subject: subject.name,
                    category: new.category.clone(),
                });
            }
            Err(e) => return Err(e.into()),
        };
        let mut findings: Vec<i64> = new.findings.clone();
        findings.sort_unstable();
        findings.dedup();
        for f in &findings {
            sqlx::query("INSERT INTO watch_case_findings (case_id, finding_id) VALUES ($1, $2)")
                .bind(id)
                .bind(f)
                .execute(&mut *tx)
                .await?;
        }
        event(&mut tx, id, None, &initial.id, actor, now, note).await?;
        audit::append_at(
            &mut tx,
            &Entry::new(actor, "watch.case_opened", format!("case:{id}")).after(
                serde_json::json!({
                    "subject_id": subject.id, "category": new.category, "title": title,
                    "state": initial.id, "findings": findings, "note": note,
                }),
            ),
            &self.clock,
        )
        .await?;
        tx.commit().await?;
        self.case(id).await
    }

    /// Moves a case to `to`, if its workflow allows that from its state to a holder of
    /// `roles`; `note` says why. Nothing changes when it is refused.
    pub async fn move_case(
        &self,
        actor: &str,
        roles: &[Role],
        id: i64,
        to: &str,
        note: &str,
    ) -> Result<Case> {
        let (c, target, note) = self.checked_move(roles, id, to, note).await?;
        if let Some(what) = &target.requires {
            return Err(Error::invalid(
                "to",
                Msg::new("case-move-needs-form")
                    .label("to", format!("case-state-{to}"))
                    .label("what", format!("case-requires-{what}")),
            ));
        }
        let mut tx = self.db.begin().await?;
        self.step_in(&mut tx, actor, &c, &target, note, serde_json::Value::Null)
            .await?;
        tx.commit().await?;
        self.case(id).await
    }

    /// The case, the state it would move to and the reason, if the workflow allows the move
    /// to a holder of `roles` and a reason is given.
    pub(crate) async fn checked_move<'n>(
        &self,
        roles: &[Role],
        id: i64,
        to: &str,
        note: &'n str,
    ) -> Result<(Case, CaseState, &'n str)> {
        let c = self.case(id).await?;
        let target = self.cases.known_state("to", to)?.clone();
        self.cases.check(&c.state, to, roles)?;
        let note = required_note(note)?;
        Ok((c, target, note))
    }

    /// Moves `c` to `target` inside `tx`: the state (only if it is still the one read), the
    /// timeline and the audit log (with `extra` beside the new state).
    pub(crate) async fn step_in(
        &self,
        tx: &mut lantoa_store::Tx,
        actor: &str,
        c: &Case,
        target: &CaseState,
        note: &str,
        extra: serde_json::Value,
    ) -> Result<()> {
        let id = c.id;
        let now = self.clock.now_micros();
        let changed = sqlx::query(
            "UPDATE watch_cases SET state = $1, open = $2, state_since = $3, due_at = $4, updated_at = $3
             WHERE id = $5 AND state = $6",
        )
        .bind(&target.id)
        .bind(i64::from(!target.closed))
        .bind(now)
        .bind(self.due(target, now))
        .bind(id)
        .bind(&c.state)
        .execute(&mut **tx)
        .await;
        let changed = match changed {
            Ok(done) => done.rows_affected(),
            // Reopening while another case on the subject and category is open.
            Err(e) if is_unique_violation(&e) => {
                return Err(Error::Transition(
                    Msg::new("case-cannot-reopen").arg("case", id),
                ));
            }
            Err(e) => return Err(e.into()),
        };
        if changed != 1 {
            return Err(Error::Transition(
                Msg::new("case-changed-meanwhile").arg("case", id),
            ));
        }
        event(tx, id, Some(&c.state), &target.id, actor, now, note).await?;
        audit::append_at(
            tx,
            &Entry::new(actor, "watch.case_moved", format!("case:{id}"))
                .before(serde_json::json!({ "state": c.state }))
                .after(serde_json::json!({ "state": target.id, "note": note, "with": extra })),
            &self.clock,
        )
        .await?;
        Ok(())
    }

    /// A case, with its findings.
    pub async fn case(&self, id: i64) -> Result<Case> {
        let row = sqlx::query(&format!(
            "SELECT {CASE_COLUMNS} FROM watch_cases WHERE id = $1"
        ))
        .bind(id)
        .fetch_optional(self.db.pool())
        .await?
        .ok_or(Error::CaseNotFound(id))?;
        let mut c = case_from(&row)?;
        c.findings = sqlx::query_scalar(
            "SELECT finding_id FROM watch_case_findings WHERE case_id = $1 ORDER BY finding_id",
        )
        .bind(id)
        .fetch_all(self.db.pool())
        .await?;
        Ok(c)
    }

    /// Cases, newest first: those in `state`, or all.
    pub async fn cases(&self, state: Option<&str>) -> Result<Vec<Case>> {
        if let Some(s) = state {
            self.cases.known_state("state", s)?;
        }
        self.cases_in(state, i64::MAX, 0).await
    }

    /// How many cases are in each state.
    pub async fn case_counts(&self) -> Result<BTreeMap<String, i64>> {
        let rows = sqlx::query("SELECT state, COUNT(*) FROM watch_cases GROUP BY state")
            .fetch_all(self.db.pool())
            .await?;
        rows.iter()
            .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
            .collect()
    }

    /// A page of the cases in `state` (every state: `None`) in the order `sort`, and how many
    /// there are in all.
    pub async fn cases_page(
        &self,
        state: Option<&str>,
        sort: CaseSort,
        limit: i64,
        offset: i64,
    ) -> Result<(Vec<Case>, i64)> {
        if let Some(s) = state {
            self.cases.known_state("state", s)?;
        }
        let total: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM watch_cases WHERE $1 = '' OR state = $1")
                .bind(state.unwrap_or(""))
                .fetch_one(self.db.pool())
                .await?;
        Ok((self.cases_sorted(state, sort, limit, offset).await?, total))
    }

    /// The cases in `state` (every state: `None`), newest first, `limit` of them from `offset`.
    pub async fn cases_in(
        &self,
        state: Option<&str>,
        limit: i64,
        offset: i64,
    ) -> Result<Vec<Case>> {
        self.cases_sorted(state, CaseSort::Newest, limit, offset)
            .await
    }

    async fn cases_sorted(
        &self,
        state: Option<&str>,
        sort: CaseSort,
        limit: i64,
        offset: i64,
    ) -> Result<Vec<Case>> {
        let rows = sqlx::query(&format!(
            "SELECT {CASE_COLUMNS} FROM watch_cases WHERE $1 = '' OR state = $1
             ORDER BY {} LIMIT $2 OFFSET $3",
            sort.order_by()
        ))
        .bind(state.unwrap_or(""))
        .bind(limit)
        .bind(offset)
        .fetch_all(self.db.pool())
        .await?;
        rows.iter().map(case_from).collect()
    }

    /// These cases, in the order given (ids not found are left out).
    pub async fn cases_by_id(&self, ids: &[i64]) -> Result<Vec<Case>> {
        let mut out = Vec::with_capacity(ids.len());
        for chunk in ids.chunks(500) {
            let marks: Vec<String> = (1..=chunk.len()).map(|i| format!("${i}")).collect();
            let sql = format!(
                "SELECT {CASE_COLUMNS} FROM watch_cases WHERE id IN ({}) ORDER BY id",
                marks.join(", ")
            );
            let mut q = sqlx::query(&sql);
            for id in chunk {
                q = q.bind(id);
            }
            for r in q.fetch_all(self.db.pool()).await? {
                out.push(case_from(&r)?);
            }
        }
        Ok(out)
    }

    /// Whether `c` is past its state's limit now (by this service's clock, as
    /// [`Watch::overdue_cases`] counts).
    pub fn is_overdue(&self, c: &Case) -> bool {
        c.open && c.due_at.is_some_and(|d| d < self.clock.now_micros())
    }

    /// Open cases past their state's limit now, the most overdue first.
    pub async fn overdue_cases(&self) -> Result<Vec<Case>> {
        let rows = sqlx::query(&format!(
            "SELECT {CASE_COLUMNS} FROM watch_cases WHERE open = 1 AND due_at < $1 ORDER BY due_at, id"
        ))
        .bind(self.clock.now_micros())
        .fetch_all(self.db.pool())
        .await?;
        rows.iter().map(case_from).collect()
    }

    /// Every step a case took, oldest first.
    pub async fn case_timeline(&self, id: i64) -> Result<Vec<CaseEvent>> {
        let rows = sqlx::query(
            "SELECT from_state, to_state, actor, at, note FROM watch_case_events
             WHERE case_id = $1 ORDER BY id",
        )
        .bind(id)
        .fetch_all(self.db.pool())
        .await?;
        rows.iter()
            .map(|r| {
                Ok(CaseEvent {
                    from: r.try_get(0)?,
                    to: r.try_get(1)?,
                    actor: r.try_get(2)?,
                    at: r.try_get(3)?,
                    note: r.try_get(4)?,
                })
            })
            .collect()
    }

    /// The case workflow in force.
    pub fn case_rules(&self) -> &CaseRules {
        &self.cases
    }
}

/// The demo city's cases: who does what to which demo site, each step through the workflow by
/// the role it needs. (site URL, category, reason opened, [(role, actor, to, reason)]).
type DemoCase = (
    &'static str,
    &'static str,
    &'static str,
    &'static [(Role, &'static str, &'static str, &'static str)],
);

const DEMO_CASES: [DemoCase; 3] = [
    (
        "http://tintuc-phoco.example/",
        "bao_hoa",
        "Trang có chuyên mục thời sự, \"tòa soạn\" và phóng viên như một tờ báo",
        &[
            (
                Role::WatchOfficer,
                "demo.nt",
                "xem_xet",
                "Đối chiếu giấy phép 123/GP-TTĐT",
            ),
            (
                Role::WatchOfficer,
                "demo.nt",
                "moi_lam_viec",
                "Mời đơn vị chủ quản đến làm việc",
            ),
            (
                Role::WatchOfficer,
                "demo.nt",
                "cho_phan_hoi",
                "Đã làm việc, đơn vị cam kết khắc phục trong 10 ngày",
            ),
            (
                Role::WatchOfficer,
                "demo.nt",
                "da_khac_phuc",
                "Đã bỏ các chuyên mục và danh xưng báo chí",
            ),
        ],
    ),
    (
        "http://songhongxanh24h.example/",
        "advertising",
        "Quảng cáo thực phẩm bảo vệ sức khỏe \"chữa khỏi\" bệnh",
        &[
            (
                Role::WatchOfficer,
                "demo.nt",
                "xem_xet",
                "Lưu bằng chứng các bài quảng cáo",
            ),
            (
                Role::Approver,
                "demo.ld",
                "chuyen_thanh_tra",
                "Lãnh đạo Sở đồng ý chuyển Thanh tra",
            ),
            // The Inspectorate has it: the decision is the Inspectorate's to record, under
            // the advertising decree's clause once the department lists it in
            // data/watch/sanctions.toml (the demo year records decisions under Decree
            // 15/2020).
            (
                Role::Inspector,
                "demo.tt",
                "cho_phan_hoi",
                "Thanh tra Sở nhận hồ sơ",
            ),
        ],
    ),
    (
        "http://thanglong-giaitri.example/",
        "harmful",
        "Clip có nội dung xúc phạm, lan truyền trên mạng xã hội",
        &[
            (
                Role::WatchOfficer,
                "demo.nt",
                "xem_xet",
                "Xác minh nội dung clip",
            ),
            (
                Role::WatchOfficer,
                "demo.nt",
                "de_nghi_go",
                "Đề nghị Cục gỡ bỏ theo Nghị định 147/2024",
            ),
        ],
    ),
];

impl Watch {
    /// Opens the demo city's cases on its demo sites (once: nothing is added if any case
    /// exists), each step made through [`Watch::move_case`] by the role it needs. Returns how
    /// many cases it opened.
    pub async fn load_demo_cases(&self) -> Result<usize> {
        if !self.cases_in(None, 1, 0).await?.is_empty() {
            return Ok(0);
        }
        let mut opened = 0;
        for (url, category, reason, steps) in DEMO_CASES {
            let Some(subject) = self.find_by_url(url).await? else {
                continue;
            };
            let c = self
                .open_case(
                    "demo.nt",
                    &[Role::WatchOfficer],
                    &NewCase {
                        subject_id: subject.id,
                        category: category.into(),
                        note: reason.into(),
                        ..Default::default()
                    },
                )
                .await?;
            for (role, actor, to, note) in steps {
                match self.cases.state(to).and_then(|s| s.requires.as_deref()) {
                    Some("recheck") => {
                        let due = lantoa_core::time::local_date(self.clock.now())
                            + chrono::Duration::days(10);
                        let fix = crate::rechecks::NewFix {
                            due: due.format("%Y-%m-%d").to_string(),
                            note: (*note).to_owned(),
                        };
                        self.record_fix(actor, &[*role], c.id, &fix).await?;
                    }
                    _ => {
                        self.move_case(actor, &[*role], c.id, to, note).await?;
                    }
                }
            }
            opened += 1;
        }
        Ok(opened)
    }
}

async fn event(
    tx: &mut lantoa_store::Tx,
    case: i64,
    from: Option<&str>,
    to: &str,
    actor: &str,
    at: i64,
    note: &str,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO watch_case_events (case_id, from_state, to_state, actor, at, note)
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(case)
    .bind(from)
    .bind(to)
    .bind(actor)
    .bind(at)
    .bind(note)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_workflow_reads_and_every_state_is_reachable() {
        let r = CaseRules::builtin().unwrap();
        assert_eq!(r.initial().id, "phat_hien");
        let mut seen = BTreeSet::from([r.initial().id.clone()]);
        let mut frontier = vec![r.initial().id.clone()];
        while let Some(s) = frontier.pop() {
            for to in r.next(&s, &[Role::Admin]) {
                if seen.insert(to.to_owned()) {
                    frontier.push(to.to_owned());
                }
            }
        }
        let all: BTreeSet<String> = r.states().iter().map(|s| s.id.clone()).collect();
        assert_eq!(seen, all);
        assert_eq!(
            r.state("de_nghi_go").unwrap().days,
            Some(1),
            "Decree 147/2024: 24 h"
        );
    }

    #[test]
    fn a_bad_workflow_file_says_what_is_wrong() {
        for (text, says) in [
            (
                "[[state]]\nid = \"a\"\nclosed = true\n[[transition]]\nfrom = \"a\"\nto = []\nroles = []\n",
                "must be open",
            ),
            (
                "[[state]]\nid = \"a\"\n[[transition]]\nfrom = \"a\"\nto = [\"b\"]\nroles = []\n",
                "no closed state",
            ),
            (
                "[[state]]\nid = \"a\"\n[[state]]\nid = \"z\"\nclosed = true\n[[transition]]\nfrom = \"a\"\nto = [\"b\"]\nroles = []\n",
                "unknown state b",
            ),
            (
                "[[state]]\nid = \"a\"\n[[state]]\nid = \"z\"\nclosed = true\n[[transition]]\nfrom = \"a\"\nto = [\"z\"]\nroles = [\"boss\"]\n",
                "unknown role boss",
            ),
            (
                "[[state]]\nid = \"a\"\n[[state]]\nid = \"z\"\nclosed = true\ndays = 3\n[[transition]]\nfrom = \"a\"\nto = [\"z\"]\nroles = []\n",
                "cannot have days",
            ),
        ] {
            let e = CaseRules::from_toml(text).unwrap_err().to_string();
            assert!(e.contains(says), "{e}");
        }
    }
}
