//! Freeze windows (`[[release.freeze]]`): periods in which `relkit release`
//! and `relkit tag` refuse to release, as release-management practice asks
//! around critical business events. Dates are UTC and inclusive; a window
//! is either `from`/`to` dates or a set of weekdays (`days`).

use serde::Deserialize;

/// Seconds in a day.
const DAY: i64 = 86_400;
/// `days` names, Monday first (ISO 8601 weekday order).
pub const WEEKDAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

/// One `[[release.freeze]]` entry as written.
#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Freeze {
    /// First day, `YYYY-MM-DD` (UTC).
    pub from: Option<String>,
    /// Last day, `YYYY-MM-DD` (UTC), inclusive.
    pub to: Option<String>,
    /// Weekly window instead of dates: `["fri", "sat", "sun"]`.
    pub days: Option<Vec<String>>,
    /// Shown in the refusal: `year-end freeze`.
    #[serde(default)]
    pub reason: String,
}

/// A checked window: day numbers since the Unix epoch, or weekdays.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Span {
    Dates {
        from: i64,
        to: i64,
    },
    /// Monday = 0.
    Days(Vec<u8>),
}

/// Why `freeze` is not a valid window, with the key it is about; `None` when it is.
pub fn problem(freeze: &Freeze) -> Option<(&'static str, String)> {
    span(freeze).err()
}

fn span(freeze: &Freeze) -> Result<Span, (&'static str, String)> {
    match (&freeze.from, &freeze.to, &freeze.days) {
        (Some(from), Some(to), None) => {
            let from_day = day("from", from)?;
            let to_day = day("to", to)?;
            if to_day < from_day {
                return Err((
                    "to",
                    format!("{to:?} is before from = {from:?}; the window's dates are inclusive, first day first"),
                ));
            }
            Ok(Span::Dates { from: from_day, to: to_day })
        }
        (None, None, Some(days)) => {
            if days.is_empty() {
                return Err((
                    "days",
                    "is empty; list the weekdays of the window, e.g. [\"fri\", \"sat\", \"sun\"]".into(),
                ));
            }
            if WEEKDAYS.iter().all(|w| days.iter().any(|d| d.eq_ignore_ascii_case(w))) {
                return Err((
                    "days",
                    "lists every weekday, so the window would never end; use from/to dates for a long freeze".into(),
                ));
            }
            let mut numbers = Vec::new();
            for d in days {
                let n = WEEKDAYS.iter().position(|w| w.eq_ignore_ascii_case(d)).ok_or_else(|| {
                    ("days", format!("{d:?} is not a weekday; use mon, tue, wed, thu, fri, sat or sun"))
                })?;
                numbers.push(n as u8);
            }
            Ok(Span::Days(numbers))
        }
        (_, _, Some(_)) => Err(("days", "goes with neither from nor to; a window is from/to dates or weekdays".into())),
        (Some(_), None, None) => Err(("from", "needs a `to` date too (the last day of the window)".into())),
        (None, Some(_), None) => Err(("to", "needs a `from` date too (the first day of the window)".into())),
        (None, None, None) => Err(("from", "a freeze window needs from/to dates or days".into())),
    }
}

/// Day number (days since 1970-01-01) of a `YYYY-MM-DD` date.
fn day(key: &'static str, text: &str) -> Result<i64, (&'static str, String)> {
    let parsed: jiff::civil::Date =
        text.parse().ok().filter(|_| text.len() == 10).ok_or_else(|| {
            (key, format!("{text:?} is not a date; write it as YYYY-MM-DD (UTC), e.g. \"2026-12-20\""))
        })?;
    let epoch = jiff::civil::date(1970, 1, 1);
    Ok(i64::from((parsed - epoch).get_days()))
}

/// Weekday of a day number, Monday = 0 (1970-01-01 was a Thursday).
fn weekday(day: i64) -> u8 {
    ((day + 3).rem_euclid(7)) as u8
}

/// The index of the last weekly window when the weekly windows together
/// cover all seven days (releases would never be allowed again); `None`
/// otherwise. Each window alone is checked by [`problem`].
pub fn never_ends(windows: &[Freeze]) -> Option<usize> {
    let mut covered = [false; 7];
    let mut last = None;
    for (n, w) in windows.iter().enumerate() {
        if let Ok(Span::Days(days)) = span(w) {
            for d in days {
                covered[d as usize] = true;
            }
            last = Some(n);
        }
    }
    last.filter(|_| covered.iter().all(|c| *c))
}

/// The window `now` (Unix seconds) is in: `(the window, when it ends)`,
/// the end being the Unix time of the first second after it. Of overlapping
/// windows, the one that ends last.
pub fn active(windows: &[Freeze], now: i64) -> Option<(&Freeze, i64)> {
    let today = now.div_euclid(DAY);
    windows
        .iter()
        .filter_map(|w| match span(w).ok()? {
            Span::Dates { from, to } => (from..=to).contains(&today).then_some((w, (to + 1) * DAY)),
            Span::Days(days) => days.contains(&weekday(today)).then(|| {
                // At most six more days: a window of all seven is refused.
                let mut end = today + 1;
                while days.contains(&weekday(end)) && end < today + 7 {
                    end += 1;
                }
                (w, end * DAY)
            }),
        })
        .max_by_key(|(_, end)| *end)
}

/// The windows that hold releases from `now` on without a break — the one
/// `now` is in, then each that has begun when the one before ends (a
/// weekend window running into a year-end freeze) — and when the last ends.
pub fn frozen_until(windows: &[Freeze], now: i64) -> Option<(Vec<&Freeze>, i64)> {
    let (first, mut end) = active(windows, now)?;
    let mut chain = vec![first];
    // Each step moves the end on by a day at least; a year of windows is
    // the most a configuration can chain.
    for _ in 0..400 {
        let Some((next, next_end)) = active(windows, end) else { break };
        if !chain.iter().any(|w| std::ptr::eq(*w, next)) {
            chain.push(next);
        }
        end = next_end;
    }
    Some((chain, end))
}

/// The windows that start within `horizon` seconds after `now`, each with
/// when it first starts (Unix seconds), soonest first; windows `now` is in
/// are not upcoming.
pub fn upcoming(windows: &[Freeze], now: i64, horizon: i64) -> Vec<(&Freeze, i64)> {
    let today = now.div_euclid(DAY);
    let last = (now + horizon).div_euclid(DAY);
    let mut found: Vec<(&Freeze, i64)> = Vec::new();
    for d in today + 1..=last {
        for w in windows {
            let starts = match span(w) {
                Ok(Span::Dates { from, .. }) => from == d,
                Ok(Span::Days(days)) => days.contains(&weekday(d)) && !days.contains(&weekday(d - 1)),
                Err(_) => false,
            };
            if starts && !found.iter().any(|(f, _)| std::ptr::eq(*f, w)) {
                found.push((w, d * DAY));
            }
        }
    }
    found
}

/// `"year-end freeze" (2026-12-20 to 2027-01-04)` or `"weekend" (fri, sat, sun)`.
pub fn describe(freeze: &Freeze) -> String {
    // Without a reason, the dates alone (callers say "the freeze window").
    let reason = if freeze.reason.is_empty() { String::new() } else { format!("{:?} ", freeze.reason) };
    match (&freeze.from, &freeze.to, &freeze.days) {
        (Some(from), Some(to), _) => format!("{reason}({from} to {to}, UTC)"),
        (_, _, Some(days)) => format!("{reason}(every {}, UTC)", days.join(", ")),
        _ => reason.trim_end().to_string(),
    }
}

/// `2027-01-05 00:00 UTC`.
pub fn moment(unix: i64) -> String {
    format!("{} 00:00 UTC", crate::git::utc_date(unix))
}

/// The refusal of a release at `now` inside a window, or `None`.
pub fn refusal(windows: &[Freeze], now: i64, what: &str) -> Option<String> {
    let (chain, end) = frozen_until(windows, now)?;
    let window = describe(chain[0]);
    let then: Vec<String> = chain[1..].iter().map(|w| describe(w)).collect();
    let inside = if then.is_empty() {
        format!("inside the freeze window {window}, which ends {}", moment(end))
    } else {
        format!(
            "inside the freeze window {window}, and {} follow on: releases are frozen until {}",
            then.join(", "),
            moment(end)
        )
    };
    Some(format!(
        "{what} refused: {inside}; release after it, or run again with --ignore-freeze to release anyway (the tag \
         message records it)"
    ))
}

/// The line added to a tag message when `--ignore-freeze` overrode a window.
pub fn override_note(windows: &[Freeze], now: i64) -> Option<String> {
    let (window, _) = active(windows, now)?;
    Some(format!("Released during the freeze window {} with --ignore-freeze.", describe(window)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dates(from: &str, to: &str) -> Freeze {
        Freeze { from: Some(from.into()), to: Some(to.into()), days: None, reason: "year-end freeze".into() }
    }

    /// 2026-12-20T00:00:00Z.
    const DEC_20: i64 = 1_797_724_800;

    #[test]
    fn date_windows_hold_both_edges_in_utc() {
        let w = [dates("2026-12-20", "2027-01-04")];
        assert!(active(&w, DEC_20 - 1).is_none(), "the second before");
        assert_eq!(active(&w, DEC_20).map(|(_, end)| end), Some(DEC_20 + 16 * DAY));
        let last = DEC_20 + 16 * DAY - 1;
        assert!(active(&w, last).is_some(), "the last second of 2027-01-04");
        assert!(active(&w, last + 1).is_none(), "2027-01-05 00:00");
        assert_eq!(moment(DEC_20 + 16 * DAY), "2027-01-05 00:00 UTC");
    }

    #[test]
    fn weekly_windows_end_on_the_first_free_day() {
        let w = [Freeze { days: Some(vec!["fri".into(), "sat".into(), "sun".into()]), ..Freeze::default() }];
        // 2026-12-20 is a Sunday; 2026-12-18 a Friday.
        assert_eq!(weekday(DEC_20 / DAY), 6);
        assert_eq!(active(&w, DEC_20 - 2 * DAY).map(|(_, e)| e), Some(DEC_20 + DAY));
        assert!(active(&w, DEC_20 + DAY).is_none(), "Monday");
        // From Monday, the next window starts on Friday.
        assert_eq!(upcoming(&w, DEC_20 + DAY, 7 * DAY).first().map(|(_, s)| *s), Some(DEC_20 + 5 * DAY));
    }

    #[test]
    fn overlapping_windows_hold_releases_until_the_last_ends() {
        let weekend =
            Freeze { days: Some(vec!["sat".into(), "sun".into()]), reason: "weekend".into(), ..Freeze::default() };
        let w = [weekend, dates("2026-12-20", "2027-01-04")];
        // Saturday 2026-12-19: the weekend runs into the year-end freeze.
        let (chain, end) = frozen_until(&w, DEC_20 - DAY).unwrap();
        assert_eq!(chain.len(), 2);
        assert_eq!(moment(end), "2027-01-05 00:00 UTC");
        let why = refusal(&w, DEC_20 - DAY, "relkit release").unwrap();
        assert!(
            why.contains(
                "inside the freeze window \"weekend\" (every sat, sun, UTC), and \"year-end freeze\" \
                          (2026-12-20 to 2027-01-04, UTC) follow on: releases are frozen until 2027-01-05 00:00 UTC"
            ),
            "{why}"
        );
        // Tuesday 2026-12-15: both start within a week, each is named.
        let coming = upcoming(&w, DEC_20 - 5 * DAY, 7 * DAY);
        assert_eq!(
            coming.iter().map(|(f, s)| (f.reason.as_str(), moment(*s))).collect::<Vec<_>>(),
            [("weekend", "2026-12-19 00:00 UTC".to_string()), ("year-end freeze", "2026-12-20 00:00 UTC".to_string())]
        );
        // Every weekday would never end: refused at load, one window or two.
        let always = Freeze { days: Some(WEEKDAYS.iter().map(|d| d.to_string()).collect()), ..Freeze::default() };
        assert!(problem(&always).is_some_and(|(k, m)| k == "days" && m.contains("never end")));
        let days = |d: &[&str]| Freeze { days: Some(d.iter().map(|d| d.to_string()).collect()), ..Freeze::default() };
        assert_eq!(never_ends(&[days(&["mon", "tue", "wed", "thu"]), days(&["fri", "sat", "sun"])]), Some(1));
        assert_eq!(never_ends(&[days(&["mon", "tue", "wed", "thu"]), days(&["sat", "sun"])]), None);
        assert_eq!(describe(&days(&["sat"])), "(every sat, UTC)");
    }

    #[test]
    fn bad_windows_name_their_key() {
        assert_eq!(problem(&dates("2026-12-20", "2026-12-01")).map(|p| p.0), Some("to"));
        assert_eq!(problem(&dates("2026-02-30", "2026-03-01")).map(|p| p.0), Some("from"));
        let odd = Freeze { days: Some(vec!["friday".into()]), ..Freeze::default() };
        assert!(problem(&odd).is_some_and(|(k, m)| k == "days" && m.contains("\"friday\" is not a weekday")));
        let both = Freeze { days: Some(vec!["fri".into()]), ..dates("2026-12-20", "2026-12-21") };
        assert_eq!(problem(&both).map(|p| p.0), Some("days"));
    }
}
