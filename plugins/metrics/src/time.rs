//! Calendar arithmetic on seconds since the Unix epoch (UTC, proleptic
//! Gregorian calendar), and durations written for people.
//!
//! The plugin has no clock and no time zone database: every instant is given
//! as epoch seconds and every date printed is a UTC date. The day arithmetic
//! is Howard Hinnant's `days_from_civil` / `civil_from_days`
//! (<https://howardhinnant.github.io/date_algorithms.html>).

/// Seconds in a minute.
pub const MINUTE: i64 = 60;
/// Seconds in an hour.
pub const HOUR: i64 = 60 * MINUTE;
/// Seconds in a day (epoch time has no leap seconds).
pub const DAY: i64 = 24 * HOUR;
/// Seconds in a week: 604,800.
pub const WEEK: i64 = 7 * DAY;

/// A UTC calendar date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Date {
    /// The proleptic Gregorian year.
    pub year: i64,
    /// 1–12.
    pub month: u32,
    /// 1–31.
    pub day: u32,
}

/// The months' short names, January first.
pub const MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

impl Date {
    /// The UTC date of the instant `secs` (epoch seconds).
    pub fn of(secs: i64) -> Date {
        let z = secs.div_euclid(DAY) + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z.rem_euclid(146_097);
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
        let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
        let year = yoe + era * 400 + i64::from(month <= 2);
        Date { year, month, day }
    }

    /// Epoch seconds of this date's midnight (00:00:00 UTC).
    pub fn start(self) -> i64 {
        let y = if self.month <= 2 { self.year - 1 } else { self.year };
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let m = i64::from(self.month);
        let mp = (m + 9) % 12;
        let doy = (153 * mp + 2) / 5 + i64::from(self.day) - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        (era * 146_097 + doe - 719_468) * DAY
    }

    /// The first day of the month after this date's month.
    pub fn next_month(self) -> Date {
        if self.month == 12 {
            Date { year: self.year + 1, month: 1, day: 1 }
        } else {
            Date { year: self.year, month: self.month + 1, day: 1 }
        }
    }

    /// `2026-03-07`.
    pub fn iso(self) -> String {
        format!("{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }

    /// `Mar 07`: a week's label in a chart (the year is in the report's title).
    pub fn short(self) -> String {
        format!("{} {:02}", MONTHS[(self.month - 1) as usize], self.day)
    }

    /// `Mar 2026`: a month's label in a chart.
    pub fn month_label(self) -> String {
        format!("{} {}", MONTHS[(self.month - 1) as usize], self.year)
    }
}

/// `secs` as an RFC 3339 UTC timestamp: `2026-03-07T14:05:09Z`.
pub fn rfc3339(secs: i64) -> String {
    let r = secs.rem_euclid(DAY);
    format!("{}T{:02}:{:02}:{:02}Z", Date::of(secs).iso(), r / HOUR, r % HOUR / MINUTE, r % MINUTE)
}

/// A duration for people, in its two largest units, the smaller one rounded
/// down: `1 d 4 h`, `3 d`, `12 h 30 min`, `45 min`, `20 s`, `0 s`.
/// Negative durations are written as 0 (the metrics never produce one).
pub fn human(secs: i64) -> String {
    let s = secs.max(0);
    let (big, big_unit, small, small_unit) = if s >= DAY {
        (s / DAY, "d", s % DAY / HOUR, "h")
    } else if s >= HOUR {
        (s / HOUR, "h", s % HOUR / MINUTE, "min")
    } else if s >= MINUTE {
        (s / MINUTE, "min", s % MINUTE, "s")
    } else {
        return format!("{s} s");
    };
    if small == 0 { format!("{big} {big_unit}") } else { format!("{big} {big_unit} {small} {small_unit}") }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_round_trip_across_eras_and_leap_days() {
        // 2024-02-29 12:00 UTC, 2000-03-01, 1969-12-31 23:59:59.
        assert_eq!(Date::of(1_709_208_000), Date { year: 2024, month: 2, day: 29 });
        assert_eq!(Date::of(951_868_800), Date { year: 2000, month: 3, day: 1 });
        assert_eq!(Date::of(-1), Date { year: 1969, month: 12, day: 31 });
        for secs in [-86_400 * 800_000, -1, 0, 951_868_800, 1_709_208_000, 4_102_444_800] {
            let d = Date::of(secs);
            assert!(d.start() <= secs && secs < d.start() + DAY, "{secs} {d:?}");
        }
        assert_eq!(Date { year: 2026, month: 12, day: 9 }.next_month(), Date { year: 2027, month: 1, day: 1 });
    }

    #[test]
    fn rfc3339_is_utc_with_a_z() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(1_767_225_600 + 14 * HOUR + 5 * MINUTE + 9), "2026-01-01T14:05:09Z");
        assert_eq!(rfc3339(-1), "1969-12-31T23:59:59Z");
    }

    #[test]
    fn human_durations_keep_two_units() {
        assert_eq!(human(0), "0 s");
        assert_eq!(human(-5), "0 s");
        assert_eq!(human(59), "59 s");
        assert_eq!(human(61), "1 min 1 s");
        assert_eq!(human(45 * MINUTE), "45 min");
        assert_eq!(human(12 * HOUR), "12 h");
        assert_eq!(human(12 * HOUR + 30 * MINUTE + 59), "12 h 30 min");
        assert_eq!(human(DAY + 4 * HOUR + 59 * MINUTE), "1 d 4 h");
        assert_eq!(human(3 * DAY), "3 d");
    }
}
