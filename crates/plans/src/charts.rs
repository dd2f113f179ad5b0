//! The plan dashboard's charts, as SVG drawn on the server ([`lantoa_core::chart`]): tasks by
//! unit (done, overdue, open), a timeline of tasks against today, and indicators against their
//! targets. Labels come from the caller in the reader's language.

use chrono::{Datelike, NaiveDate};
use lantoa_core::chart::{Anchor, BarRow, Svg, hbars, number, shorten};

use crate::{Counts, Direction, Plan, Standing, TaskProgress, TaskStatus};

/// Colours: done, overdue, open / in progress, not reported.
const DONE: &str = "#1b6e3a";
const OVERDUE: &str = "#b00020";
const OPEN: &str = "#1f5fa8";
const NONE: &str = "#9a9a9a";

/// Stacked bars of each unit's tasks: done, overdue and the rest (`labels` in that order).
pub fn by_unit_svg(rows: &[(String, Counts)], title: &str, labels: [&str; 3]) -> String {
    let bars: Vec<BarRow> = rows
        .iter()
        .map(|(name, c)| BarRow {
            label: name.clone(),
            values: vec![
                c.done as f64,
                c.overdue as f64,
                (c.tasks - c.done - c.overdue).max(0) as f64,
            ],
        })
        .collect();
    hbars(
        "chart-by-unit",
        title,
        &bars,
        &[(labels[0], DONE), (labels[1], OVERDUE), (labels[2], OPEN)],
    )
}

/// A task on the timeline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bar {
    /// Its code and title.
    pub label: String,
    /// First day.
    pub start: NaiveDate,
    /// Deadline (or the plan's end).
    pub end: NaiveDate,
    /// Its latest status, if reported.
    pub status: Option<TaskStatus>,
    /// Overdue on the day.
    pub overdue: bool,
}

/// The timeline's bars for `progress` (a page of a plan's tasks; sections left out), each
/// from [`crate::dashboard::span`].
pub fn timeline_bars(plan: &Plan, progress: &[TaskProgress]) -> Vec<Bar> {
    progress
        .iter()
        .filter(|p| !p.task.section)
        .map(|p| {
            let (start, end) = crate::dashboard::span(plan, p);
            Bar {
                label: format!("{} {}", p.task.code, p.task.title),
                start,
                end,
                status: p.latest.map(|l| l.status),
                overdue: p.overdue,
            }
        })
        .collect()
}

/// A timeline (Gantt chart) of `bars` over the years `from..=to`, with a line at `today`;
/// each bar coloured by state and titled with its dates.
pub fn gantt_svg(bars: &[Bar], from: i32, to: i32, today: NaiveDate, title: &str) -> String {
    const LABEL_W: f64 = 260.0;
    const PLOT_W: f64 = 460.0;
    const ROW_H: f64 = 16.0;
    const TOP: f64 = 24.0;
    let (from, to) = (from.min(to), to.max(from));
    let Some((first, last)) =
        NaiveDate::from_ymd_opt(from, 1, 1).zip(NaiveDate::from_ymd_opt(to, 12, 31))
    else {
        return Svg::new("chart-gantt", 10.0, 10.0, title).finish();
    };
    let days = (last - first).num_days().max(1) as f64;
    let x =
        |d: NaiveDate| LABEL_W + PLOT_W * ((d.clamp(first, last) - first).num_days() as f64 / days);
    let height = TOP + ROW_H * bars.len() as f64 + 8.0;
    let mut svg = Svg::new("chart-gantt", LABEL_W + PLOT_W + 10.0, height, title);
    for y in from..=to {
        let Some(d) = NaiveDate::from_ymd_opt(y, 1, 1) else {
            continue;
        };
        svg.line(x(d), TOP - 6.0, x(d), height - 4.0, "#ddd").text(
            x(d) + 3.0,
            TOP - 10.0,
            10,
            Anchor::Start,
            &y.to_string(),
        );
    }
    for (i, b) in bars.iter().enumerate() {
        let y = TOP + ROW_H * i as f64;
        svg.text(
            LABEL_W - 6.0,
            y + 11.0,
            10,
            Anchor::End,
            &shorten(&b.label, 42),
        );
        let colour = match (b.overdue, b.status) {
            (true, _) => OVERDUE,
            (false, Some(TaskStatus::Done)) => DONE,
            (false, Some(_)) => OPEN,
            (false, None) => NONE,
        };
        let tip = format!(
            "{}: {} – {}",
            b.label,
            b.start.format("%d/%m/%Y"),
            b.end.format("%d/%m/%Y")
        );
        let x0 = x(b.start);
        svg.rect(
            x0,
            y + 2.0,
            (x(b.end) - x0).max(3.0),
            ROW_H - 5.0,
            colour,
            Some(&tip),
        );
    }
    if (from..=to).contains(&today.year()) {
        svg.line(x(today), TOP - 6.0, x(today), height - 4.0, "#000");
    }
    svg.finish()
}

/// Each indicator's latest actual as a share of its target (for "lower is better", the
/// target's share of the actual), with a mark at 100%; the values written beside.
pub fn indicators_svg(standings: &[Standing], title: &str) -> String {
    const LABEL_W: f64 = 260.0;
    const PLOT_W: f64 = 300.0;
    const ROW_H: f64 = 18.0;
    const TOP: f64 = 10.0;
    const CAP: f64 = 150.0;
    let height = TOP + ROW_H * standings.len() as f64 + 10.0;
    let mut svg = Svg::new("chart-indicators", LABEL_W + PLOT_W + 150.0, height, title);
    let x = |pct: f64| LABEL_W + PLOT_W * pct.clamp(0.0, CAP) / CAP;
    for (i, s) in standings.iter().enumerate() {
        let y = TOP + ROW_H * i as f64;
        let name = format!("{} {}", s.indicator.code, s.indicator.name);
        svg.text(
            LABEL_W - 6.0,
            y + 12.0,
            10,
            Anchor::End,
            &shorten(&name, 42),
        );
        let text = format!(
            "{} / {} {}",
            s.actual.map_or("—".to_owned(), |(_, v)| number(v)),
            s.target.map_or("—".to_owned(), number),
            s.indicator.measure
        );
        if let (Some((_, actual)), Some(target)) = (s.actual, s.target) {
            let pct = match s.indicator.direction {
                Direction::Higher if target != 0.0 => 100.0 * actual / target,
                Direction::Lower if actual != 0.0 => 100.0 * target / actual,
                _ => 100.0,
            };
            let colour = if s.met == Some(true) { DONE } else { OVERDUE };
            svg.rect(
                LABEL_W,
                y + 3.0,
                x(pct) - LABEL_W,
                ROW_H - 6.0,
                colour,
                Some(&format!("{}: {text}", s.indicator.code)),
            );
        }
        svg.text(LABEL_W + PLOT_W + 6.0, y + 12.0, 10, Anchor::Start, &text);
    }
    svg.line(x(100.0), TOP - 4.0, x(100.0), height - 4.0, "#000");
    svg.finish()
}

/// The DTI over the years: the total and each pillar, normalised 0–1 (`total` names the
/// total's line).
pub fn dti_svg(years: &[crate::Assessment], title: &str, total: &str) -> String {
    use lantoa_core::chart::{Series, lines};
    const COLOURS: [&str; 6] = [
        "#000000", "#1f5fa8", "#1b6e3a", "#b35c00", "#7a3e9d", "#9a9a9a",
    ];
    let x: Vec<String> = years.iter().map(|a| a.year.to_string()).collect();
    let mut names: Vec<String> = Vec::new();
    for a in years {
        for (p, _) in &a.pillars {
            if !names.contains(p) {
                names.push(p.clone());
            }
        }
    }
    let mut series = vec![Series {
        name: total.to_owned(),
        colour: COLOURS[0].to_owned(),
        values: years.iter().map(|a| a.total).collect(),
    }];
    for (i, name) in names.iter().enumerate() {
        series.push(Series {
            name: name.clone(),
            colour: COLOURS[1 + i % (COLOURS.len() - 1)].to_owned(),
            values: years
                .iter()
                .map(|a| {
                    a.pillars
                        .iter()
                        .find(|(p, _)| p == name)
                        .and_then(|(_, v)| *v)
                })
                .collect(),
        });
    }
    lines("chart-dti", title, &x, &series, 1.0, "")
}
