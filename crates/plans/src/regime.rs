//! The reporting regime: how often lead units report on their tasks, which days a report's
//! figures cover (its cut-off) and when it is due. The defaults follow Decree 09/2019/NĐ-CP,
//! Art. 12: a monthly report covers the 15th of the month before to the 14th; a quarterly one the
//! 15th of the month before the quarter to the 14th of its last month; a half-year one 15/12 to
//! 14/6 and 15/6 to 14/12; a yearly one 15/12 to 14/12. Sector regimes use calendar periods
//! instead (printing: 1/1–30/6 due 10/7) — shared/domain/plans.md, §2. Which applies, and the
//! days from cut-off to deadline, are set in `data/plans/reporting.toml`.

use chrono::{Datelike, Duration, NaiveDate};
use serde::{Deserialize, Serialize};

/// How often a report is made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Frequency {
    /// Hằng tháng.
    Monthly,
    /// Hằng quý.
    Quarterly,
    /// Sáu tháng.
    HalfYearly,
    /// Hằng năm.
    Yearly,
}

impl Frequency {
    fn per_year(self) -> u32 {
        match self {
            Frequency::Monthly => 12,
            Frequency::Quarterly => 4,
            Frequency::HalfYearly => 2,
            Frequency::Yearly => 1,
        }
    }
}

/// Which days a report's figures cover.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Cutoff {
    /// From the 15th of the month before the period to the 14th of its last month.
    Decree09,
    /// The calendar months of the period.
    Calendar,
}

/// The regime.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Regime {
    /// How often.
    pub frequency: Frequency,
    /// The cut-off rule.
    pub cutoff: Cutoff,
    /// Days from the cut-off's last day to the deadline.
    pub due_days_after_cutoff: u32,
}

/// One reporting period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReportingPeriod {
    /// As a report names it: `Quý I/2024`, `Tháng 3/2024`, `6 tháng đầu năm 2024`, `Năm 2024`.
    pub label: String,
    /// The figures' first day.
    pub from: NaiveDate,
    /// Their last day (the cut-off).
    pub to: NaiveDate,
    /// When the report is due.
    pub due: NaiveDate,
}

fn first_of(year: i32, month: u32) -> NaiveDate {
    // Months here are always 1–12 and years those of a plan: a valid day.
    NaiveDate::from_ymd_opt(year, month, 1).unwrap_or(NaiveDate::MIN)
}

impl Regime {
    /// Period `index` (1-based) of `year`.
    pub fn period(&self, year: i32, index: u32) -> ReportingPeriod {
        let n = self.frequency.per_year();
        let index = index.clamp(1, n);
        let months = 12 / n;
        let (first, last) = ((index - 1) * months + 1, index * months);
        let (from, to) = match self.cutoff {
            Cutoff::Decree09 => {
                let before = if first == 1 {
                    NaiveDate::from_ymd_opt(year - 1, 12, 15)
                } else {
                    NaiveDate::from_ymd_opt(year, first - 1, 15)
                };
                (
                    before.unwrap_or(NaiveDate::MIN),
                    NaiveDate::from_ymd_opt(year, last, 14).unwrap_or(NaiveDate::MIN),
                )
            }
            Cutoff::Calendar => {
                let next = if last == 12 {
                    first_of(year + 1, 1)
                } else {
                    first_of(year, last + 1)
                };
                (first_of(year, first), next - Duration::days(1))
            }
        };
        let roman = ["I", "II", "III", "IV"];
        let label = match self.frequency {
            Frequency::Monthly => format!("Tháng {index}/{year}"),
            Frequency::Quarterly => format!("Quý {}/{year}", roman[(index - 1) as usize]),
            Frequency::HalfYearly if index == 1 => format!("6 tháng đầu năm {year}"),
            Frequency::HalfYearly => format!("6 tháng cuối năm {year}"),
            Frequency::Yearly => format!("Năm {year}"),
        };
        ReportingPeriod {
            label,
            from,
            to,
            due: to + Duration::days(i64::from(self.due_days_after_cutoff)),
        }
    }

    /// The period whose report is the next due on or after `day`.
    pub fn current(&self, day: NaiveDate) -> ReportingPeriod {
        let n = self.frequency.per_year();
        (day.year()..=day.year() + 1)
            .flat_map(|y| (1..=n).map(move |i| (y, i)))
            .map(|(y, i)| self.period(y, i))
            .find(|p| p.due >= day)
            .unwrap_or_else(|| self.period(day.year() + 1, n))
    }

    /// The period before `p`.
    pub fn previous(&self, p: &ReportingPeriod) -> ReportingPeriod {
        self.current(p.from - Duration::days(1))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn decree_09_cut_offs() {
        let q = Regime {
            frequency: Frequency::Quarterly,
            cutoff: Cutoff::Decree09,
            due_days_after_cutoff: 6,
        };
        let q1 = q.period(2024, 1);
        assert_eq!(
            (q1.from, q1.to, q1.due),
            (day(2023, 12, 15), day(2024, 3, 14), day(2024, 3, 20))
        );
        assert_eq!(q1.label, "Quý I/2024");
        let q3 = q.period(2024, 3);
        assert_eq!((q3.from, q3.to), (day(2024, 6, 15), day(2024, 9, 14)));
        let half = Regime {
            frequency: Frequency::HalfYearly,
            ..q
        };
        assert_eq!(
            (half.period(2024, 1).from, half.period(2024, 1).to),
            (day(2023, 12, 15), day(2024, 6, 14))
        );
        assert_eq!(
            (half.period(2024, 2).from, half.period(2024, 2).to),
            (day(2024, 6, 15), day(2024, 12, 14))
        );
        let year = Regime {
            frequency: Frequency::Yearly,
            ..q
        };
        assert_eq!(
            (year.period(2024, 1).from, year.period(2024, 1).to),
            (day(2023, 12, 15), day(2024, 12, 14))
        );
        let month = Regime {
            frequency: Frequency::Monthly,
            ..q
        };
        assert_eq!(
            (month.period(2024, 3).from, month.period(2024, 3).to),
            (day(2024, 2, 15), day(2024, 3, 14))
        );
        // The next report due: on 21/3 it is Q2's; on 20/3 still Q1's; after Q4's due, next year's Q1.
        assert_eq!(q.current(day(2024, 3, 20)).label, "Quý I/2024");
        assert_eq!(q.current(day(2024, 3, 21)).label, "Quý II/2024");
        assert_eq!(q.current(day(2024, 12, 21)).label, "Quý I/2025");
        assert_eq!(q.previous(&q.current(day(2024, 3, 21))).label, "Quý I/2024");
        assert_eq!(q.previous(&q.period(2024, 1)).label, "Quý IV/2023");
    }

    #[test]
    fn calendar_periods_for_sector_regimes() {
        // Printing: the first half-year, 1/1–30/6, due 10/7.
        let r = Regime {
            frequency: Frequency::HalfYearly,
            cutoff: Cutoff::Calendar,
            due_days_after_cutoff: 10,
        };
        let h1 = r.period(2024, 1);
        assert_eq!(
            (h1.from, h1.to, h1.due),
            (day(2024, 1, 1), day(2024, 6, 30), day(2024, 7, 10))
        );
        let h2 = r.period(2024, 2);
        assert_eq!((h2.to, h2.due), (day(2024, 12, 31), day(2025, 1, 10)));
    }
}
