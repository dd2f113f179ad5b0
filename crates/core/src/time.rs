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

#[cfg(test)]
mod tests {
    use super::*;
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
