//! Time in Asia/Ho_Chi_Minh.
//!
//! Viet Nam has kept UTC+07:00 without daylight saving since 13/6/1975, so for every date
//! Lantoa handles the zone is a fixed offset; no time-zone database is needed. Lantoa stores
//! instants as UTC and shows them, and reckons calendar days and periods, in this zone.

use chrono::{DateTime, FixedOffset, NaiveDate, Utc};

/// Seconds east of UTC in Asia/Ho_Chi_Minh.
pub const OFFSET_SECONDS: i32 = 7 * 3600;

/// The Asia/Ho_Chi_Minh offset.
pub fn zone() -> FixedOffset {
    // 25200 s is within ±86400 s, the only condition `east_opt` has.
    #[allow(clippy::expect_used)]
    FixedOffset::east_opt(OFFSET_SECONDS).expect("UTC+7 is a valid offset")
}

/// The current instant in Asia/Ho_Chi_Minh.
pub fn now() -> DateTime<FixedOffset> {
    Utc::now().with_timezone(&zone())
}

/// An instant seen in Asia/Ho_Chi_Minh.
pub fn local(instant: DateTime<Utc>) -> DateTime<FixedOffset> {
    instant.with_timezone(&zone())
}

/// The calendar day an instant falls on in Viet Nam.
pub fn local_date(instant: DateTime<Utc>) -> NaiveDate {
    local(instant).date_naive()
}

/// The first instant of a calendar day in Viet Nam, in stored form (microseconds).
pub fn day_start(day: NaiveDate) -> i64 {
    // A fixed offset has no gaps or folds, so 00:00 maps to exactly one instant.
    (day.and_time(chrono::NaiveTime::MIN) - chrono::Duration::seconds(i64::from(OFFSET_SECONDS)))
        .and_utc()
        .timestamp_micros()
}

/// `dd/mm/yyyy HH:MM`, the form Vietnamese documents use.
pub fn format_vn(instant: DateTime<Utc>) -> String {
    local(instant).format("%d/%m/%Y %H:%M").to_string()
}

/// Microseconds since the Unix epoch: how instants are stored in the database.
pub fn to_micros(instant: DateTime<Utc>) -> i64 {
    instant.timestamp_micros()
}

/// The instant of a stored microsecond count (out-of-range values clamp to the epoch).
pub fn from_micros(micros: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_micros(micros).unwrap_or_default()
}

/// A calendar day as officers and machines write it: `dd/mm/yyyy` (also `d/m/yyyy` and
/// `dd-mm-yyyy`), ISO 8601's `yyyy-mm-dd`, or an ISO 8601 date and time (`…T09:00`,
/// `…T09:00:00+07:00`, `…Z`), whose day is taken in Viet Nam. The one reader of dates typed or
/// sent to Lantoa, so every form and API accepts the same ones.
pub fn parse_day(s: &str) -> Option<NaiveDate> {
    let s = s.trim();
    for f in ["%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y"] {
        if let Ok(d) = NaiveDate::parse_from_str(s, f) {
            return Some(d);
        }
    }
    parse_moment(s).map(|t| t.date())
}

/// A date and time in Viet Nam as officers and machines write it: `dd/mm/yyyy HH:MM`,
/// `yyyy-mm-dd HH:MM`, with or without seconds, ISO 8601's `T` form, or an RFC 3339 instant
/// with its offset (converted to Viet Nam time).
pub fn parse_moment(s: &str) -> Option<chrono::NaiveDateTime> {
    let s = s.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Some(t.with_timezone(&zone()).naive_local());
    }
    for f in [
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%d %H:%M",
        "%Y-%m-%d %H:%M:%S",
        "%d/%m/%Y %H:%M",
        "%d/%m/%Y %H:%M:%S",
    ] {
        if let Ok(t) = chrono::NaiveDateTime::parse_from_str(s, f) {
            return Some(t);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_and_moments_in_every_written_form() {
        let day = NaiveDate::from_ymd_opt(2026, 3, 14).unwrap();
        for s in [
            "14/03/2026",
            "14/3/2026",
            "14-03-2026",
            "2026-03-14",
            " 2026-03-14T09:00 ",
            "2026-03-14T09:00:00+07:00",
            "2026-03-14T02:00:00Z",
        ] {
            assert_eq!(parse_day(s), Some(day), "{s}");
        }
        // 20:00 UTC is the next morning in Viet Nam.
        assert_eq!(parse_day("2026-03-13T20:00:00Z"), Some(day));
        let nine = day.and_hms_opt(9, 0, 0).unwrap();
        for s in [
            "14/03/2026 09:00",
            "2026-03-14 09:00",
            "2026-03-14T09:00",
            "2026-03-14T09:00:00",
            "2026-03-14T09:00:00+07:00",
            "2026-03-14T02:00:00Z",
        ] {
            assert_eq!(parse_moment(s), Some(nine), "{s}");
        }
        for bad in [
            "",
            "31/02/2026",
            "2026-13-01",
            "hôm qua",
            "14/03/2026 25:00",
        ] {
            assert_eq!(parse_day(bad), None, "{bad}");
            assert_eq!(parse_moment(bad), None, "{bad}");
        }
    }
    use chrono::TimeZone;
    use proptest::prelude::*;

    #[test]
    fn evening_utc_is_next_morning_in_hanoi() {
        let t = Utc.with_ymd_and_hms(2025, 6, 30, 17, 30, 0).unwrap();
        assert_eq!(local_date(t), NaiveDate::from_ymd_opt(2025, 7, 1).unwrap());
        assert_eq!(format_vn(t), "01/07/2025 00:30");
    }

    #[test]
    fn a_day_starts_at_17_00_utc_the_day_before() {
        let d = NaiveDate::from_ymd_opt(2023, 1, 1).unwrap();
        let want = Utc.with_ymd_and_hms(2022, 12, 31, 17, 0, 0).unwrap();
        assert_eq!(day_start(d), want.timestamp_micros());
        assert_eq!(local_date(from_micros(day_start(d))), d);
        assert_eq!(
            local_date(from_micros(day_start(d) - 1)),
            d.pred_opt().unwrap()
        );
    }

    proptest! {
        #[test]
        fn micros_round_trip(m in -2_000_000_000_000_000i64..4_000_000_000_000_000i64) {
            prop_assert_eq!(to_micros(from_micros(m)), m);
        }

        #[test]
        fn local_time_is_seven_hours_ahead(s in 0i64..4_000_000_000i64) {
            let t = DateTime::from_timestamp(s, 0).unwrap();
            prop_assert_eq!(local(t).naive_local() - t.naive_utc(), chrono::Duration::hours(7));
        }
    }
}
