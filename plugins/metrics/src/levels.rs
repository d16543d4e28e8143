//! Performance levels of the four keys, from the published cluster levels of
//! the **2021 Accelerate State of DevOps report** (DORA, Google Cloud,
//! "How do we compare?" chapter), chosen because it publishes elite, high,
//! medium and low clusters for all four keys (2022 has no elite cluster).
//! Source of the figures below: the report's table, as also reproduced in
//! Apache DevLake's DORA metric pages ("Source: 2021 Accelerate State of
//! DevOps, Google").
//!
//! What the report publishes:
//!
//! | key                       | elite                                | high                                     | medium                                         | low                            |
//! |---------------------------|--------------------------------------|------------------------------------------|------------------------------------------------|--------------------------------|
//! | deployment frequency      | on demand (multiple deploys per day) | between once per week and once per month | between once per month and once every 6 months | fewer than once per six months |
//! | lead time for changes     | less than one hour                   | between one day and one week             | between one month and six months               | more than six months           |
//! | time to restore service   | less than one hour                   | less than one day                        | between one day and one week                   | more than six months           |
//! | change failure rate       | 0–15 %                               | 16–30 %                                  | 16–30 %                                        | 16–30 %                        |
//!
//! The bands leave gaps (a lead time between one hour and one day) and
//! overlap (change failure rate), so they are read as limits, in order from
//! elite down: a value takes the first level whose limit it meets, and
//! [`Level::Low`] when it meets none. A value in a gap thus takes the level
//! below it. Units: a month is 30 days, six months 180 days.
//!
//! - Deployment frequency (releases per week): elite at least 7 (a release a
//!   day on average stands for "on demand"), high at least 7/30 (once a
//!   month), medium at least 7/180 (once every six months).
//! - Lead time (seconds): elite under 3,600, high at most one week, medium
//!   at most 180 days.
//! - Time to restore (seconds): elite under 3,600, high under one day,
//!   medium at most one week; anything longer is low (the report's low band
//!   starts at six months, with no cluster in between).
//! - Change failure rate (0–1): elite at most 0.15, high at most 0.30. High,
//!   medium and low share the 16–30 % band, so a rate in it is reported as
//!   high, the best level it matches; a rate above 30 % is low. This key is
//!   never medium.

use serde::Serialize;

use crate::time::{DAY, HOUR, WEEK};

/// A performance level.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    /// The best cluster.
    Elite,
    /// The second cluster.
    High,
    /// The third cluster.
    Medium,
    /// The last cluster, and any value outside the others' limits.
    Low,
}

impl Level {
    /// `elite`, `high`, `medium`, `low`.
    pub fn name(self) -> &'static str {
        match self {
            Level::Elite => "elite",
            Level::High => "high",
            Level::Medium => "medium",
            Level::Low => "low",
        }
    }
}

/// The limit a value must meet for a level.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Limit {
    /// Strictly less than.
    Below(f64),
    /// Less than or equal.
    AtMost(f64),
    /// Greater than or equal.
    AtLeast(f64),
}

impl Limit {
    fn met_by(self, value: f64) -> bool {
        match self {
            Limit::Below(l) => value < l,
            Limit::AtMost(l) => value <= l,
            Limit::AtLeast(l) => value >= l,
        }
    }
}

/// The levels of one report: for each key, limits from elite down; a value
/// that meets none is [`Level::Low`].
#[derive(Debug, Clone, Copy)]
pub struct Thresholds {
    /// The report's title and year, as the markdown names them.
    pub report: &'static str,
    /// The report's year.
    pub year: u16,
    /// Releases per week.
    pub deployment_frequency: &'static [(Level, Limit)],
    /// Seconds.
    pub lead_time: &'static [(Level, Limit)],
    /// 0–1.
    pub change_failure_rate: &'static [(Level, Limit)],
    /// Seconds.
    pub time_to_restore: &'static [(Level, Limit)],
}

const MONTH: i64 = 30 * DAY;
const SIX_MONTHS: i64 = 180 * DAY;

/// The 2021 Accelerate State of DevOps report's levels, read as the module
/// documentation says.
pub const DORA_2021: Thresholds = Thresholds {
    report: "Accelerate State of DevOps",
    year: 2021,
    deployment_frequency: &[
        (Level::Elite, Limit::AtLeast(7.0)),
        (Level::High, Limit::AtLeast(WEEK as f64 / MONTH as f64)),
        (Level::Medium, Limit::AtLeast(WEEK as f64 / SIX_MONTHS as f64)),
    ],
    lead_time: &[
        (Level::Elite, Limit::Below(HOUR as f64)),
        (Level::High, Limit::AtMost(WEEK as f64)),
        (Level::Medium, Limit::AtMost(SIX_MONTHS as f64)),
    ],
    change_failure_rate: &[(Level::Elite, Limit::AtMost(0.15)), (Level::High, Limit::AtMost(0.30))],
    time_to_restore: &[
        (Level::Elite, Limit::Below(HOUR as f64)),
        (Level::High, Limit::Below(DAY as f64)),
        (Level::Medium, Limit::AtMost(WEEK as f64)),
    ],
};

/// The level of `value` under `limits` (elite first); [`Level::Low`] when
/// it meets none.
pub fn level(limits: &[(Level, Limit)], value: f64) -> Level {
    limits.iter().find(|(_, limit)| limit.met_by(value)).map_or(Level::Low, |(level, _)| *level)
}

#[cfg(test)]
mod tests {
    use super::*;

    const T: Thresholds = DORA_2021;

    #[test]
    fn deployment_frequency_bands() {
        assert_eq!(level(T.deployment_frequency, 7.0), Level::Elite);
        assert_eq!(level(T.deployment_frequency, 6.9), Level::High);
        assert_eq!(level(T.deployment_frequency, 7.0 / 30.0), Level::High);
        assert_eq!(level(T.deployment_frequency, 0.2), Level::Medium);
        assert_eq!(level(T.deployment_frequency, 7.0 / 180.0), Level::Medium);
        assert_eq!(level(T.deployment_frequency, 0.03), Level::Low);
        assert_eq!(level(T.deployment_frequency, 0.0), Level::Low);
    }

    #[test]
    fn lead_time_bands_and_the_gap_below_a_day() {
        let h = HOUR as f64;
        assert_eq!(level(T.lead_time, h - 1.0), Level::Elite);
        assert_eq!(level(T.lead_time, h), Level::High, "one hour is no longer less than one hour");
        assert_eq!(level(T.lead_time, 12.0 * h), Level::High, "the gap between one hour and one day");
        assert_eq!(level(T.lead_time, WEEK as f64), Level::High);
        assert_eq!(level(T.lead_time, WEEK as f64 + 1.0), Level::Medium);
        assert_eq!(level(T.lead_time, SIX_MONTHS as f64), Level::Medium);
        assert_eq!(level(T.lead_time, SIX_MONTHS as f64 + 1.0), Level::Low);
    }

    #[test]
    fn time_to_restore_bands() {
        assert_eq!(level(T.time_to_restore, 3599.0), Level::Elite);
        assert_eq!(level(T.time_to_restore, 43_200.0), Level::High);
        assert_eq!(level(T.time_to_restore, DAY as f64), Level::Medium);
        assert_eq!(level(T.time_to_restore, WEEK as f64), Level::Medium);
        assert_eq!(level(T.time_to_restore, WEEK as f64 + 1.0), Level::Low);
    }

    #[test]
    fn change_failure_rate_is_never_medium() {
        assert_eq!(level(T.change_failure_rate, 0.0), Level::Elite);
        assert_eq!(level(T.change_failure_rate, 0.15), Level::Elite);
        assert_eq!(level(T.change_failure_rate, 0.155), Level::High);
        assert_eq!(level(T.change_failure_rate, 0.2), Level::High);
        assert_eq!(level(T.change_failure_rate, 0.30), Level::High);
        assert_eq!(level(T.change_failure_rate, 0.31), Level::Low);
    }
}
