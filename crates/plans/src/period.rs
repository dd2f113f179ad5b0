//! Deadlines as plans write them: a date ("30/6/2024"), a month ("Tháng 6/2024"), a quarter
//! ("Quý II/2024"), a half-year ("6 tháng đầu năm 2024"), a year ("2024", "Năm 2024"), a
//! range of years ("2023–2025", "Giai đoạn 2023-2025"), every year ("Hằng năm") or ongoing
//! ("Thường xuyên") — shared/domain/plans.md, §2. A period knows when it is due (its last day),
//! and a yearly one gives its occurrences within a plan's years.

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

/// A typed period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Period {
    /// A day.
    Date {
        /// The day.
        date: NaiveDate,
    },
    /// A month of a year.
    Month {
        /// Year.
        year: i32,
        /// 1–12.
        month: u32,
    },
    /// A quarter.
    Quarter {
        /// Year.
        year: i32,
        /// 1–4.
        quarter: u32,
    },
    /// A half-year.
    Half {
        /// Year.
        year: i32,
        /// 1 or 2.
        half: u32,
    },
    /// A year.
    Year {
        /// Year.
        year: i32,
    },
    /// Years `from` to `to`, both included.
    Years {
        /// First year.
        from: i32,
        /// Last year.
        to: i32,
    },
    /// Every year (hằng năm): an occurrence due at each year's end.
    Yearly,
    /// Ongoing (thường xuyên): no deadline.
    Ongoing,
}

/// Why a deadline cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", lantoa_core::Describe::message(self))]
pub struct PeriodError {
    /// The text given.
    pub text: String,
    /// What is wrong: the label `period-why-{why}`.
    pub why: &'static str,
}

impl lantoa_core::Describe for PeriodError {
    fn message(&self) -> lantoa_core::Msg {
        lantoa_core::Msg::new("period-not-a-deadline")
            .arg("text", &self.text)
            .label("why", format!("period-why-{}", self.why))
    }
}

const YEARS: std::ops::RangeInclusive<i32> = 1990..=2100;

fn year(s: &str) -> Option<i32> {
    let s = s.trim();
    (s.len() == 4 && s.bytes().all(|b| b.is_ascii_digit()))
        .then(|| s.parse().ok())
        .flatten()
        .filter(|y| YEARS.contains(y))
}

fn roman_or_digit(s: &str) -> Option<u32> {
    match s.trim() {
        "I" | "1" => Some(1),
        "II" | "2" => Some(2),
        "III" | "3" => Some(3),
        "IV" | "4" => Some(4),
        _ => None,
    }
}

/// Lower-cases and drops Vietnamese marks, so "Quý", "QUÝ" and "Quy" read alike; keeps digits,
/// letters, `/` and the range dashes as `-`.
fn key(s: &str) -> String {
    lantoa_core::text::fold_key(s)
}

impl Period {
    /// Reads a deadline as written in a plan.
    pub fn parse(text: &str) -> Result<Self, PeriodError> {
        let bad = |why| PeriodError {
            text: text.to_owned(),
            why,
        };
        let t = text.trim();
        if t.is_empty() {
            return Err(bad("empty"));
        }
        let k = key(t);
        let k = k.trim();
        if matches!(k, "hang nam" | "hangnam" | "moi nam" | "thuong nien") {
            return Ok(Period::Yearly);
        }
        if matches!(k, "thuong xuyen" | "lien tuc" | "thuongxuyen") {
            return Ok(Period::Ongoing);
        }
        // A date: d/m/yyyy (or with - or .).
        let date_parts: Vec<&str> = t.split(['/', '.']).collect();
        if date_parts.len() == 3
            && date_parts
                .iter()
                .all(|p| p.trim().bytes().all(|b| b.is_ascii_digit()) && !p.trim().is_empty())
        {
            let (d, m) = (
                date_parts[0].trim().parse().ok(),
                date_parts[1].trim().parse().ok(),
            );
            let y = year(date_parts[2]);
            return match (d, m, y) {
                (Some(d), Some(m), Some(y)) => NaiveDate::from_ymd_opt(y, m, d)
                    .map(|date| Period::Date { date })
                    .ok_or_else(|| bad("no-such-day")),
                _ => Err(bad("date-form")),
            };
        }
        if let Ok(date) = NaiveDate::parse_from_str(t, "%Y-%m-%d") {
            return if t.len() == 10 && YEARS.contains(&date.year()) {
                Ok(Period::Date { date })
            } else {
                Err(bad("date-form"))
            };
        }
        // "Quý II/2024", "Quý 2 năm 2024", "QII/2024".
        let rest = k
            .strip_prefix("quy")
            .or_else(|| k.strip_prefix('q'))
            .map(str::trim);
        if let Some(rest) = rest {
            let (q, y) = split_year(rest).ok_or_else(|| bad("quarter-year"))?;
            let quarter = roman_or_digit(&q.to_uppercase()).ok_or_else(|| bad("quarter"))?;
            return Ok(Period::Quarter { year: y, quarter });
        }
        if let Some(rest) = k.strip_prefix("thang").map(str::trim) {
            let (m, y) = split_year(rest).ok_or_else(|| bad("month-year"))?;
            let month: u32 = m.trim().parse().map_err(|_| bad("month"))?;
            if !(1..=12).contains(&month) {
                return Err(bad("month"));
            }
            return Ok(Period::Month { year: y, month });
        }
        // "6 tháng đầu năm 2024", "6 tháng cuối năm 2024".
        for (prefix, half) in [("6 thang dau nam", 1), ("6 thang cuoi nam", 2)] {
            if let Some(rest) = k.strip_prefix(prefix) {
                let y = year(rest).ok_or_else(|| bad("half-year"))?;
                return Ok(Period::Half { year: y, half });
            }
        }
        let k = k
            .strip_prefix("giai doan")
            .or_else(|| k.strip_prefix("nam"))
            .map_or(k, str::trim);
        if let Some(y) = year(k) {
            return Ok(Period::Year { year: y });
        }
        // "2023–2025" (en dash, hyphen or "đến").
        let dashed = k.replace(['–', '—'], "-").replace(" den ", "-");
        if let Some((a, b)) = dashed.split_once('-') {
            return match (year(a), year(b)) {
                (Some(from), Some(to)) if from <= to => Ok(Period::Years { from, to }),
                (Some(_), Some(_)) => Err(bad("range-reversed")),
                _ => Err(bad("range")),
            };
        }
        Err(bad("unknown"))
    }

    /// The last day of the period (the deadline); none for yearly and ongoing work.
    pub fn due(&self) -> Option<NaiveDate> {
        let last_of = |y: i32, m: u32| {
            let (ny, nm) = if m == 12 { (y + 1, 1) } else { (y, m + 1) };
            NaiveDate::from_ymd_opt(ny, nm, 1).and_then(|d| d.pred_opt())
        };
        match *self {
            Period::Date { date } => Some(date),
            Period::Month { year, month } => last_of(year, month),
            Period::Quarter { year, quarter } => last_of(year, quarter * 3),
            Period::Half { year, half } => last_of(year, half * 6),
            Period::Year { year } => last_of(year, 12),
            Period::Years { to, .. } => last_of(to, 12),
            Period::Yearly | Period::Ongoing => None,
        }
    }

    /// The deadlines of a period within the years `from..=to` (a plan's span): each year's end
    /// for yearly work, the due day if it falls in the span otherwise, none for ongoing work.
    pub fn occurrences(&self, from: i32, to: i32) -> Vec<NaiveDate> {
        match self {
            Period::Yearly => (from..=to)
                .filter_map(|y| NaiveDate::from_ymd_opt(y, 12, 31))
                .collect(),
            Period::Ongoing => Vec::new(),
            other => other
                .due()
                .filter(|d| (from..=to).contains(&d.year()))
                .into_iter()
                .collect(),
        }
    }
}

/// "II/2024", "II năm 2024", "2 nam 2024" → ("II", 2024).
fn split_year(s: &str) -> Option<(String, i32)> {
    let s = s.trim();
    let (a, b) = s
        .split_once('/')
        .or_else(|| s.split_once(" nam "))
        .or_else(|| s.rsplit_once(' '))?;
    Some((a.trim().to_owned(), year(b)?))
}

const ROMAN: [&str; 4] = ["I", "II", "III", "IV"];

impl std::fmt::Display for Period {
    /// The plan's own way of writing it.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match *self {
            Period::Date { date } => write!(f, "{}", date.format("%d/%m/%Y")),
            Period::Month { year, month } => write!(f, "Tháng {month}/{year}"),
            Period::Quarter { year, quarter } => {
                let q = ROMAN.get(quarter as usize - 1).copied().unwrap_or("?");
                write!(f, "Quý {q}/{year}")
            }
            Period::Half { year, half: 1 } => write!(f, "6 tháng đầu năm {year}"),
            Period::Half { year, .. } => write!(f, "6 tháng cuối năm {year}"),
            Period::Year { year } => write!(f, "{year}"),
            Period::Years { from, to } => write!(f, "{from}–{to}"),
            Period::Yearly => f.write_str("Hằng năm"),
            Period::Ongoing => f.write_str("Thường xuyên"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn the_forms_plans_use_are_read_and_due_on_their_last_day() {
        for (text, period, due) in [
            (
                "30/6/2024",
                Period::Date {
                    date: d(2024, 6, 30),
                },
                Some(d(2024, 6, 30)),
            ),
            (
                "2024-06-30",
                Period::Date {
                    date: d(2024, 6, 30),
                },
                Some(d(2024, 6, 30)),
            ),
            (
                "Tháng 2/2024",
                Period::Month {
                    year: 2024,
                    month: 2,
                },
                Some(d(2024, 2, 29)),
            ),
            (
                "Quý II/2024",
                Period::Quarter {
                    year: 2024,
                    quarter: 2,
                },
                Some(d(2024, 6, 30)),
            ),
            (
                "QUÝ IV/2023",
                Period::Quarter {
                    year: 2023,
                    quarter: 4,
                },
                Some(d(2023, 12, 31)),
            ),
            (
                "Quý 1 năm 2025",
                Period::Quarter {
                    year: 2025,
                    quarter: 1,
                },
                Some(d(2025, 3, 31)),
            ),
            (
                "6 tháng đầu năm 2024",
                Period::Half {
                    year: 2024,
                    half: 1,
                },
                Some(d(2024, 6, 30)),
            ),
            (
                "6 tháng cuối năm 2024",
                Period::Half {
                    year: 2024,
                    half: 2,
                },
                Some(d(2024, 12, 31)),
            ),
            ("2024", Period::Year { year: 2024 }, Some(d(2024, 12, 31))),
            (
                "Năm 2025",
                Period::Year { year: 2025 },
                Some(d(2025, 12, 31)),
            ),
            (
                "2023–2025",
                Period::Years {
                    from: 2023,
                    to: 2025,
                },
                Some(d(2025, 12, 31)),
            ),
            (
                "Giai đoạn 2023-2025",
                Period::Years {
                    from: 2023,
                    to: 2025,
                },
                Some(d(2025, 12, 31)),
            ),
            ("Hằng năm", Period::Yearly, None),
            ("Hàng năm", Period::Yearly, None),
            ("Thường xuyên", Period::Ongoing, None),
        ] {
            let p = Period::parse(text).unwrap_or_else(|e| panic!("{text}: {e}"));
            assert_eq!(p, period, "{text}");
            assert_eq!(p.due(), due, "{text}");
            assert_eq!(
                Period::parse(&p.to_string()).unwrap(),
                p,
                "{text} written back"
            );
        }
    }

    #[test]
    fn a_deadline_that_is_no_period_says_why() {
        for (text, says) in [
            ("", "empty"),
            ("31/02/2024", "not in the calendar"),
            ("Quý V/2024", "I, II, III or IV"),
            ("Quý II", "needs its year"),
            ("Tháng 13/2024", "1 to 12"),
            ("2025–2023", "ends before it starts"),
            ("sớm nhất có thể", "none of the forms"),
            ("12/5/24", "four-digit year"),
            ("5-5-5", "four-digit year"),
        ] {
            let e = Period::parse(text).unwrap_err();
            assert!(e.to_string().contains(says), "{text}: {e}");
        }
    }

    #[test]
    fn yearly_work_falls_due_each_year_of_the_plan() {
        assert_eq!(
            Period::Yearly.occurrences(2023, 2025),
            vec![d(2023, 12, 31), d(2024, 12, 31), d(2025, 12, 31)]
        );
        assert!(Period::Ongoing.occurrences(2023, 2025).is_empty());
        assert_eq!(
            Period::Quarter {
                year: 2024,
                quarter: 3
            }
            .occurrences(2023, 2025),
            vec![d(2024, 9, 30)]
        );
        assert!(
            Period::Year { year: 2030 }
                .occurrences(2023, 2025)
                .is_empty()
        );
    }

    proptest::proptest! {
        #[test]
        fn any_text_is_read_or_refused_without_panicking(s in "\\PC{0,30}") {
            let _ = Period::parse(&s);
        }

        #[test]
        fn every_period_reads_back_from_its_own_writing(kind in 0u8..7, y in 1990i32..2100, n in 1u32..13, days in 0i64..40000) {
            let p = match kind {
                0 => Period::Date { date: NaiveDate::from_ymd_opt(1990, 1, 1).unwrap() + chrono::Duration::days(days) },
                1 => Period::Month { year: y, month: n },
                2 => Period::Quarter { year: y, quarter: n % 4 + 1 },
                3 => Period::Half { year: y, half: n % 2 + 1 },
                4 => Period::Year { year: y },
                5 => Period::Years { from: y, to: (y + 2).min(2100) },
                _ => Period::Yearly,
            };
            if p.due().is_none_or(|d| d.year() <= 2100) {
                proptest::prop_assert_eq!(Period::parse(&p.to_string()).unwrap(), p);
            }
        }
    }
}
