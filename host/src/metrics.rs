//! What `relkit metrics` reads: the stable releases reachable from HEAD with
//! their times, the commits each shipped first, the window and the incidents.
//! The four DORA keys themselves are computed by the release-metrics plugin.
//!
//! History is read once: one `git log` of HEAD (id, parents, committer time,
//! subject) and one `git for-each-ref` for the tagger dates. A commit is
//! shipped first by the oldest release whose tag reaches it.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use crate::app::App;
use crate::contract::{Incident, MetricsInput, MetricsReport, ReleasePoint, ShippedCommit};
use crate::error::{Error, Result};
use crate::git::{GitError, Repo};
use crate::runtime::Capability;

/// Seconds in a day.
const DAY: i64 = 86_400;
/// The default window: the 90 days up to now.
pub const DEFAULT_DAYS: i64 = 90;

/// The metrics window, Unix seconds, both ends inclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    pub since: i64,
    pub until: i64,
}

impl Window {
    /// `--since DATE` is the start of that UTC day, `--until DATE` the end of
    /// that UTC day (23:59:59); without `--until` the window ends now, and
    /// without `--since` it starts 90 days before its end. Dates are
    /// `YYYY-MM-DD`; an error names the flag and the expected form.
    pub fn from_args(since: Option<&str>, until: Option<&str>, now: i64) -> Result<Window> {
        let until = match until {
            Some(date) => day_start("--until", date)? + DAY - 1,
            None => now,
        };
        let since = match since {
            Some(date) => day_start("--since", date)?,
            None => until - DEFAULT_DAYS * DAY + 1,
        };
        if since > until {
            return Err(Error::Refused(format!(
                "--since {} is after the window's end {}; give a start before the end",
                crate::git::utc_date(since),
                crate::git::utc_date(until)
            )));
        }
        Ok(Window { since, until })
    }
}

/// Unix time of 00:00:00 UTC on `date` (`YYYY-MM-DD`).
fn day_start(flag: &str, date: &str) -> Result<i64> {
    let parsed: jiff::civil::Date = date.parse().map_err(|e| {
        Error::Refused(format!("{flag} {date:?} is not a date ({e}); write it as YYYY-MM-DD, e.g. 2026-09-01"))
    })?;
    if date.len() != 10 {
        return Err(Error::Refused(format!("{flag} {date:?} is not a date; write it as YYYY-MM-DD, e.g. 2026-09-01")));
    }
    let ts = parsed
        .to_zoned(jiff::tz::TimeZone::UTC)
        .map_err(|e| Error::Refused(format!("{flag} {date:?}: {e}")))?
        .timestamp();
    Ok(ts.as_second())
}

/// One commit of HEAD's history as the metrics need it.
struct Node {
    parents: Vec<String>,
    time: i64,
    subject: String,
}

impl Repo {
    /// Every commit reachable from HEAD: id → (parents, committer time,
    /// subject). One `git log`.
    fn history_nodes(&self) -> crate::git::Result<HashMap<String, Node>> {
        let out = self.capture(["log", "-z", "--no-show-signature", "--format=%H%x1f%P%x1f%ct%x1f%s", "HEAD", "--"])?;
        let mut nodes = HashMap::new();
        for record in out.split(|&b| b == 0).filter(|r| !r.is_empty()) {
            let text = String::from_utf8_lossy(record);
            let mut f = text.trim_start_matches('\n').splitn(4, '\u{1f}');
            let (Some(id), Some(parents), Some(time), subject) = (f.next(), f.next(), f.next(), f.next()) else {
                continue;
            };
            nodes.insert(
                id.to_string(),
                Node {
                    parents: parents.split_whitespace().map(str::to_string).collect(),
                    time: time.trim().parse().unwrap_or(0),
                    subject: subject.unwrap_or("").to_string(),
                },
            );
        }
        Ok(nodes)
    }

    /// The tagger time of each annotated tag (`refs/tags/<name>` → Unix
    /// seconds). One `git for-each-ref`.
    fn tagger_times(&self) -> crate::git::Result<HashMap<String, i64>> {
        let out = self.capture(["for-each-ref", "--format=%(refname:strip=2)%00%(taggerdate:unix)", "refs/tags"])?;
        Ok(String::from_utf8_lossy(&out)
            .lines()
            .filter_map(|line| {
                let (name, time) = line.split_once('\0')?;
                Some((name.to_string(), time.trim().parse().ok()?))
            })
            .collect())
    }
}

/// The stable releases reachable from HEAD, oldest first (by version), each
/// with its time and the commits it shipped first (newest first).
pub fn releases(app: &App) -> Result<Vec<ReleasePoint>> {
    let nodes = app.repo.history_nodes().map_err(Error::from)?;
    if app.repo.is_shallow()
        && let Some((id, _)) = nodes.iter().find(|(_, n)| n.parents.iter().any(|p| !nodes.contains_key(p)))
    {
        return Err(Error::from(GitError::Shallow {
            boundary: crate::git::short_id(id).to_string(),
            what: "the first commit (the metrics need every release's commits)".to_string(),
        }));
    }
    let tagger = app.repo.tagger_times().map_err(Error::from)?;
    let mut tags: Vec<_> =
        app.version_tags()?.into_iter().filter(|t| t.version.pre.is_empty() && nodes.contains_key(&t.commit)).collect();
    tags.sort_by(|a, b| a.version.cmp(&b.version));
    // Two tags of one version (`v1.0.0` and `1.0.0`): the first counts.
    tags.dedup_by(|b, a| a.version == b.version);
    // A package's releases ship its own commits: those that change a file
    // under its path (one path-limited `git log`) or name its scope.
    let own: Option<HashSet<String>> = match &app.package.name {
        Some(_) if !app.package.path.is_empty() => {
            let out = app
                .repo
                .capture(["log", "--format=%H", "HEAD", "--", &format!(":(literal){}", app.package.path)])
                .map_err(Error::from)?;
            Some(String::from_utf8_lossy(&out).lines().map(str::to_string).collect())
        }
        _ => None,
    };
    let holds = |id: &str, subject: &str| {
        own.as_ref().is_none_or(|ids| ids.contains(id))
            || (app.package.name.is_some()
                && app.package.holds(&crate::git::GitCommit { message: subject.to_string(), ..Default::default() }))
    };
    let mut shipped: HashSet<&str> = HashSet::new();
    let mut points = Vec::with_capacity(tags.len());
    for tag in &tags {
        // Walk back from the tag until commits an older release shipped.
        let mut commits = Vec::new();
        let mut stack = vec![tag.commit.as_str()];
        while let Some(id) = stack.pop() {
            let Some((key, node)) = nodes.get_key_value(id) else { continue };
            if !shipped.insert(key.as_str()) {
                continue;
            }
            if holds(key, &node.subject) {
                commits.push(ShippedCommit { id: key.clone(), time: node.time, subject: node.subject.clone() });
            }
            stack.extend(node.parents.iter().map(String::as_str));
        }
        commits.sort_by_key(|c| std::cmp::Reverse(c.time));
        let commit_time = nodes.get(&tag.commit).map_or(0, |n| n.time);
        points.push(ReleasePoint {
            package_name: app.package_name().to_string(),
            tag: tag.name.clone(),
            version: tag.version.to_string(),
            time: tagger.get(&tag.name).copied().unwrap_or(commit_time),
            commits,
        });
    }
    Ok(points)
}

/// Reads `--incidents FILE`: CSV with the header `release,started,resolved`,
/// or a JSON array of objects with those keys (a `.json` file, or text that
/// starts with `[`). Times are RFC 3339 (`2026-11-02T14:00:00Z`). Errors name
/// the file, the row (CSV: its line) and the fix; a release that is not a
/// release tag of `known` is an error too.
pub fn read_incidents(path: &Path, known: &[ReleasePoint]) -> Result<Vec<Incident>> {
    let shown = path.display().to_string();
    let text = std::fs::read_to_string(path)
        .map_err(|e| Error::Refused(format!("--incidents {shown}: cannot read it: {e}")))?;
    // Spreadsheet exports often start with a byte order mark.
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    let rows: Vec<(String, [String; 3])> = if shown.ends_with(".json") || text.trim_start().starts_with('[') {
        json_rows(&shown, text)?
    } else {
        csv_rows(&shown, text)?
    };
    let mut incidents = Vec::with_capacity(rows.len());
    for (at, [release, started, resolved]) in rows {
        if !known.iter().any(|r| r.tag == release) {
            let some: Vec<&str> = known.iter().rev().take(3).map(|r| r.tag.as_str()).collect();
            return Err(Error::Refused(format!(
                "{shown}: {at}: release {release:?} is not a stable release tag reachable from HEAD; name the tag \
                 of the release that caused the incident ({})",
                if some.is_empty() { "there are no releases".to_string() } else { format!("e.g. {}", some.join(", ")) }
            )));
        }
        let started = rfc3339(&shown, &at, "started", &started)?;
        let resolved = rfc3339(&shown, &at, "resolved", &resolved)?;
        if resolved < started {
            return Err(Error::Refused(format!(
                "{shown}: {at}: resolved is before started; swap them or fix the times"
            )));
        }
        incidents.push(Incident { release, started, resolved });
    }
    Ok(incidents)
}

fn rfc3339(file: &str, at: &str, key: &str, value: &str) -> Result<i64> {
    value.trim().parse::<jiff::Timestamp>().map(|t| t.as_second()).map_err(|e| {
        Error::Refused(format!(
            "{file}: {at}: {key} {value:?} is not an RFC 3339 time ({e}); write it like 2026-11-02T14:00:00Z"
        ))
    })
}

fn csv_rows(file: &str, text: &str) -> Result<Vec<(String, [String; 3])>> {
    let mut reader = csv::ReaderBuilder::new().trim(csv::Trim::All).from_reader(text.as_bytes());
    let header: Vec<String> = reader
        .headers()
        .map_err(|e| Error::Refused(format!("{file}: line 1: {e}")))?
        .iter()
        .map(str::to_string)
        .collect();
    let column = |name: &str| {
        header.iter().position(|h| h == name).ok_or_else(|| {
            Error::Refused(format!(
                "{file}: line 1: no `{name}` column; the first line must be the header release,started,resolved"
            ))
        })
    };
    let (r, s, e) = (column("release")?, column("started")?, column("resolved")?);
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| {
            let line = e.position().map_or(0, |p| p.line());
            Error::Refused(format!("{file}: line {line}: {e}; each row is release,started,resolved"))
        })?;
        let line = record.position().map_or(0, |p| p.line());
        let get = |i: usize| record.get(i).unwrap_or("").to_string();
        rows.push((format!("line {line}"), [get(r), get(s), get(e)]));
    }
    Ok(rows)
}

fn json_rows(file: &str, text: &str) -> Result<Vec<(String, [String; 3])>> {
    // Other keys are allowed, as other CSV columns are (a ticket id, a URL).
    #[derive(serde::Deserialize)]
    struct Row {
        release: String,
        started: String,
        resolved: String,
    }
    let rows: Vec<Row> = serde_json::from_str(text).map_err(|e| {
        Error::Refused(format!(
            "{file}: line {}: {e}; the file is a JSON array of {{\"release\", \"started\", \"resolved\"}} objects",
            e.line()
        ))
    })?;
    Ok(rows
        .into_iter()
        .enumerate()
        .map(|(n, r)| (format!("entry {}", n + 1), [r.release, r.started, r.resolved]))
        .collect())
}

impl App {
    /// Runs the release-metrics plugin (built-in or `[[plugins.load]]`).
    pub fn compute_metrics(&self, mut input: MetricsInput) -> Result<MetricsReport> {
        let plugin = self.plugin(Capability::ReleaseMetrics)?;
        input.settings.extend(crate::config::settings_of(&self.config.config.metrics));
        input.settings.extend(self.extra_settings(&plugin));
        self.timed(&plugin, || self.runtime()?.compute_metrics(&plugin, &input).map_err(Error::from))
    }
}
