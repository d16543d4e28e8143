//! The version rules: from the commits since the last release to the next
//! version. Plain Rust, tested on the host; `lib.rs` only adds the wasm glue.
//!
//! Under the default `conventional` preset:
//!
//! ```
//! use relkit_plugin_version::rules::{decide, Config};
//! use relkit_plugin_version::rules::testing::{commit, tag};
//!
//! let last = tag("v1.2.0", "1.2.0");
//! let commits = [commit("b", "fix: crash"), commit("a", "feat: export")];
//! let d = decide(&commits, Some(&last), &[], &Config::default()).unwrap();
//! assert_eq!(d.next.unwrap().to_string(), "1.3.0");
//!
//! // `!` is breaking, but before 1.0.0 a breaking change bumps the minor version
//! let last = tag("v0.4.1", "0.4.1");
//! let d = decide(&[commit("c", "feat!: new config")], Some(&last), &[], &Config::default()).unwrap();
//! assert_eq!(d.next.unwrap().to_string(), "0.5.0");
//! ```

use relkit_plugin_sdk::Settings;
use relkit_plugin_sdk::commit::{self, BreakingSource, Parsed, Preset};
use relkit_plugin_sdk::revert;
use relkit_plugin_sdk::short_id;
use relkit_plugin_sdk::types::{Commit, Tag};
use semver::{Prerelease, Version};
use serde::Deserialize;

/// How much a commit asks the version to move. Ordered: `Major` is the most.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Bump {
    None,
    Patch,
    Minor,
    Major,
}

impl Bump {
    pub fn name(self) -> &'static str {
        match self {
            Bump::None => "none",
            Bump::Patch => "patch",
            Bump::Minor => "minor",
            Bump::Major => "major",
        }
    }
}

/// How versions below 1.0.0 move (`[version] pre-1.0`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Pre1 {
    /// A breaking change bumps the minor version; 1.0.0 is a deliberate act.
    Minor,
    /// Cargo's reading: breaking → minor, feat → patch, fix → patch.
    Cargo,
    /// Plain semver: a breaking change releases 1.0.0.
    Semver,
}

impl Pre1 {
    fn name(self) -> &'static str {
        match self {
            Pre1::Minor => "minor",
            Pre1::Cargo => "cargo",
            Pre1::Semver => "semver",
        }
    }
}

/// A custom rule (`[[version.rules]]`): commits of `type` (and `scope`, when
/// given) release `bump`. A rule with a scope wins over one without.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default)]
    pub scope: Option<String>,
    pub bump: Bump,
}

#[derive(Debug, Clone)]
pub struct Config {
    pub preset: Preset,
    /// The first version when there is no release tag yet.
    pub initial: Version,
    pub pre1: Pre1,
    /// A pre-release label (`rc`): the next version becomes `X.Y.Z-rc.N`.
    pub prerelease: Option<String>,
    /// A forced version (`--release-as`).
    pub release_as: Option<Version>,
    pub rules: Vec<Rule>,
}

impl Default for Config {
    fn default() -> Self {
        Self::for_preset(Preset::Conventional)
    }
}

impl Config {
    /// The defaults of a preset. `semantic-release` starts at 1.0.0 and knows
    /// no pre-1.0 rule, so that teams switching to relkit keep their versions.
    pub fn for_preset(preset: Preset) -> Self {
        let (initial, pre1) = match preset {
            Preset::Conventional => (Version::new(0, 1, 0), Pre1::Minor),
            Preset::SemanticRelease => (Version::new(1, 0, 0), Pre1::Semver),
        };
        Self { preset, initial, pre1, prerelease: None, release_as: None, rules: Vec::new() }
    }

    pub fn from_settings(s: &Settings<'_>) -> Result<Self, String> {
        let preset: Preset = s.get_or("preset", Preset::Conventional)?;
        let d = Self::for_preset(preset);
        let version = |key: &str| -> Result<Option<Version>, String> {
            s.get::<String>(key)?
                .map(|v| {
                    Version::parse(v.trim_start_matches('v'))
                        .map_err(|e| format!("setting `{key}`: `{v}` is not a semantic version (X.Y.Z): {e}"))
                })
                .transpose()
        };
        let prerelease = s.get::<String>("prerelease")?.filter(|p| !p.is_empty());
        if let Some(label) = &prerelease {
            Prerelease::new(label)
                .ok()
                .filter(|_| !label.contains('.') && !label.chars().all(|c| c.is_ascii_digit()))
                .ok_or_else(|| format!("setting `prerelease`: `{label}` is not a pre-release label (use letters, digits and hyphens, e.g. `rc`)"))?;
        }
        Ok(Self {
            preset,
            initial: version("initial")?.unwrap_or(d.initial),
            pre1: s.get_or("pre-1.0", d.pre1)?,
            prerelease,
            release_as: version("release-as")?,
            rules: s.get_or("rules", d.rules)?,
        })
    }
}

/// What one commit contributes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Contribution {
    pub commit_id: String,
    pub bump: Bump,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    pub current: Option<Version>,
    pub next: Option<Version>,
    pub bump: Bump,
    pub contributions: Vec<Contribution>,
    pub rule: String,
}

/// Decides the next version. `commits` are newest first; `last` is the
/// highest stable release reachable from HEAD; `tags` are all version tags.
pub fn decide(commits: &[Commit], last: Option<&Tag>, tags: &[Tag], config: &Config) -> Result<Decision, String> {
    let current = match last {
        Some(t) => Some(
            Version::parse(&t.version).map_err(|e| format!("tag {} does not hold a semantic version: {e}", t.name))?,
        ),
        None => None,
    };
    let parsed: Vec<Parsed> = commits.iter().map(|c| commit::parse(&c.message, config.preset)).collect();
    let skipped: Vec<bool> =
        commits.iter().map(|c| config.preset == Preset::SemanticRelease && commit::skips_release(&c.message)).collect();
    let pairs: Vec<(&str, &Parsed)> = commits
        .iter()
        .zip(&parsed)
        .zip(&skipped)
        .filter(|(_, skip)| !**skip)
        .map(|((c, p), _)| (c.id.as_str(), p))
        .collect();
    let cancelled = revert::pair(&pairs, config.preset);
    // semantic-release knows no Release-As footer: only `conventional` reads
    // it, and `--release-as` overrides it.
    let footer = match (&config.release_as, config.preset) {
        (None, Preset::Conventional) => release_as_footer(commits, &parsed, &cancelled),
        _ => ReleaseAs::default(),
    };

    let contributions: Vec<Contribution> = commits
        .iter()
        .zip(&parsed)
        .zip(&skipped)
        .map(|((c, p), skip)| {
            let (bump, reason) = if *skip {
                (Bump::None, "skipped: [skip release]".to_string())
            } else if let Some(partner) = cancelled.partner_of(&c.id) {
                let verb =
                    if p.revert.is_some() && is_older(commits, partner, &c.id) { "reverts" } else { "reverted by" };
                (Bump::None, format!("{verb} {} in this range", short_id(partner)))
            } else {
                classify(p, config)
            };
            // The contract has no warnings channel: the commit's own line of
            // the explanation says that its footer was ignored.
            let reason = match footer.ignored.iter().find(|(id, _)| *id == c.id) {
                Some((_, value)) => {
                    format!("{reason}; its Release-As footer {value:?} is ignored: not a semantic version (X.Y.Z)")
                }
                None => reason,
            };
            Contribution { commit_id: c.id.clone(), bump, reason }
        })
        .collect();
    let bump = contributions.iter().map(|c| c.bump).max().unwrap_or(Bump::None);

    let since = last.map_or_else(|| "the start of history".to_string(), |t| t.name.clone());
    let forced = match &config.release_as {
        Some(v) => Some((v.clone(), "--release-as".to_string())),
        None => footer.forced,
    };

    let (stable, mut rule) = if let Some((version, source)) = forced {
        if let Some(cur) = current.as_ref().filter(|cur| version <= **cur) {
            return Err(format!(
                "cannot release {version} (from {source}): it is not greater than the current version {cur}; choose a higher version"
            ));
        }
        let rule = format!("forced by {source}: {version}");
        (Some(version), rule)
    } else if bump == Bump::None {
        let rule = if commits.is_empty() {
            format!("no release: no commits since {since}")
        } else {
            format!("no release: none of the {} commits since {since} asks for one", commits.len())
        };
        (None, rule)
    } else if let Some(cur) = &current {
        let (next, rule) = apply_bump(cur, bump, config.pre1);
        (Some(next), rule)
    } else {
        let v = config.initial.clone();
        (
            Some(v.clone()),
            format!("first release: there is no release tag yet, so the version is [version] initial = {v}"),
        )
    };

    let next = match (stable, &config.prerelease) {
        (Some(base), Some(label)) => {
            let n = tags
                .iter()
                .filter_map(|t| Version::parse(&t.version).ok())
                .filter(|v| v.major == base.major && v.minor == base.minor && v.patch == base.patch)
                .filter_map(|v| prerelease_number(&v, label))
                .max();
            if let Some(head) = commits.first()
                && let Some(t) =
                    tags.iter().find(|t| t.commit_id == head.id && is_prerelease_of(&t.version, &base, label))
            {
                return Ok(Decision {
                    current,
                    next: None,
                    bump,
                    contributions,
                    rule: format!("no release: HEAD is already released as {}", t.name),
                });
            }
            // After a candidate, the next one needs a commit of its own that
            // asks for a release (a docs commit does not make `rc.2`).
            let last_candidate = commits.iter().enumerate().find_map(|(i, c)| {
                tags.iter().find(|t| t.commit_id == c.id && is_prerelease_of(&t.version, &base, label)).map(|t| (i, t))
            });
            if let Some((i, t)) = last_candidate
                && contributions[..i].iter().all(|c| c.bump == Bump::None)
            {
                return Ok(Decision {
                    current,
                    next: None,
                    bump,
                    contributions,
                    rule: format!("no release: none of the {i} commits since {} asks for one", t.name),
                });
            }
            let number = n.map_or(1, |n| n + 1);
            let mut v = base.clone();
            v.pre = Prerelease::new(&format!("{label}.{number}"))
                .map_err(|e| format!("pre-release label `{label}`: {e}"))?;
            rule.push_str(&match n {
                Some(prev) => format!("; pre-release {label}: {v} follows {label}.{prev} of {base}"),
                None => format!("; pre-release {label}: the first {label} of {base}"),
            });
            Some(v)
        }
        (next, _) => next,
    };

    if let Some(v) = &next
        && let Some(t) = tags.iter().find(|t| Version::parse(&t.version).is_ok_and(|tv| tv == *v))
    {
        return Err(format!(
            "the next version {v} is already tagged {} (on a commit that is not an ancestor of HEAD, or HEAD's history is incomplete); \
                 release from the branch that carries it, or force another version with --release-as",
            t.name
        ));
    }

    Ok(Decision { current, next, bump, contributions, rule })
}

fn is_older(commits: &[Commit], a: &str, b: &str) -> bool {
    let pos = |id: &str| commits.iter().position(|c| c.id == id);
    matches!((pos(a), pos(b)), (Some(x), Some(y)) if x > y)
}

fn prerelease_number(v: &Version, label: &str) -> Option<u64> {
    let pre = v.pre.as_str();
    let (l, n) = pre.rsplit_once('.')?;
    (l == label).then(|| n.parse().ok()).flatten()
}

fn is_prerelease_of(version: &str, base: &Version, label: &str) -> bool {
    Version::parse(version).is_ok_and(|v| {
        v.major == base.major
            && v.minor == base.minor
            && v.patch == base.patch
            && prerelease_number(&v, label).is_some()
    })
}

/// What the `Release-As:` footers of a range ask for.
#[derive(Debug, Default)]
struct ReleaseAs<'a> {
    /// The version and where it comes from.
    forced: Option<(Version, String)>,
    /// Newer footers that hold no version, by commit id, with their value.
    ignored: Vec<(&'a str, &'a str)>,
}

/// The newest `Release-As: X.Y.Z` footer of a commit that still counts
/// (release-please's footer). A footer that holds no single version — empty,
/// followed by another line, or not X.Y.Z — is ignored: one bad commit
/// message must not stop every later release until someone passes
/// `--release-as`.
fn release_as_footer<'a>(commits: &'a [Commit], parsed: &'a [Parsed], cancelled: &revert::Cancelled) -> ReleaseAs<'a> {
    let mut found = ReleaseAs::default();
    for (c, p) in commits.iter().zip(parsed) {
        if cancelled.contains(&c.id) {
            continue;
        }
        if let Some(value) = p.footer("Release-As") {
            match Version::parse(value.trim().trim_start_matches('v')) {
                Ok(v) => {
                    found.forced = Some((v, format!("the Release-As footer of {}", short_id(&c.id))));
                    return found;
                }
                Err(_) => found.ignored.push((c.id.as_str(), value)),
            }
        }
    }
    found
}

/// The bump of one commit and why.
///
/// ```
/// use relkit_plugin_sdk::commit::{parse, Preset};
/// use relkit_plugin_version::rules::{classify, Bump, Config};
/// let c = Config::default();
/// assert_eq!(classify(&parse("perf: faster", Preset::Conventional), &c).0, Bump::Patch);
/// assert_eq!(classify(&parse("docs: typo", Preset::Conventional), &c).0, Bump::None);
/// ```
pub fn classify(p: &Parsed, config: &Config) -> (Bump, String) {
    if let Some(b) = p.breaking.first() {
        let why = match (b.source, config.preset) {
            (BreakingSource::Bang, _) => "breaking change (`!`)",
            (BreakingSource::Note, Preset::Conventional) => "BREAKING CHANGE footer",
            (BreakingSource::Note, Preset::SemanticRelease) => "BREAKING CHANGE note",
        };
        return (Bump::Major, why.to_string());
    }
    if let Some(rule) = matching_rule(p, config) {
        let what = match &rule.scope {
            Some(scope) => format!("{}({scope})", rule.kind),
            None => rule.kind.clone(),
        };
        return (rule.bump, format!("rule {what} → {}", rule.bump.name()));
    }
    if p.is_revert() {
        return (Bump::Patch, "revert of a commit released before".to_string());
    }
    let Some(kind) = p.kind() else {
        return (Bump::None, "not a Conventional Commit".to_string());
    };
    // Under semantic-release the type is compared case-sensitively; its
    // default rules also hold JSHint's upper-case `FEAT` and `FIX`.
    let bump = match (config.preset, kind) {
        (_, "feat") | (Preset::SemanticRelease, "FEAT") => Bump::Minor,
        (_, "fix" | "perf") | (Preset::SemanticRelease, "FIX") => Bump::Patch,
        _ => Bump::None,
    };
    let reason = match bump {
        Bump::None if kind.is_empty() => "empty type releases nothing".to_string(),
        Bump::None => format!("type {kind} releases nothing"),
        _ => kind.to_string(),
    };
    // A re-application (`Reapply "feat: x"`) counts as the change it applies again.
    let reason = if p.revert.is_some() { format!("{reason} (applied again)") } else { reason };
    (bump, reason)
}

fn matching_rule<'c>(p: &Parsed, config: &'c Config) -> Option<&'c Rule> {
    let kind = p.kind()?;
    let same = |a: &str, b: &str| match config.preset {
        Preset::Conventional => a.eq_ignore_ascii_case(b),
        Preset::SemanticRelease => a == b,
    };
    let scope = p.scope();
    let scoped = config
        .rules
        .iter()
        .find(|r| same(&r.kind, kind) && r.scope.as_deref().is_some_and(|s| scope.is_some_and(|sc| same(s, sc))));
    scoped.or_else(|| config.rules.iter().find(|r| same(&r.kind, kind) && r.scope.is_none()))
}

fn apply_bump(cur: &Version, bump: Bump, pre1: Pre1) -> (Version, String) {
    let plain = |b: Bump| match b {
        Bump::Major => Version::new(cur.major + 1, 0, 0),
        Bump::Minor => Version::new(cur.major, cur.minor + 1, 0),
        Bump::Patch | Bump::None => Version::new(cur.major, cur.minor, cur.patch + 1),
    };
    if cur.major > 0 {
        let next = plain(bump);
        return (next.clone(), format!("{}: the highest bump of the commits; {cur} → {next}", bump.name()));
    }
    let effective = match (pre1, bump) {
        (Pre1::Minor, Bump::Major) | (Pre1::Cargo, Bump::Major) => Bump::Minor,
        (Pre1::Cargo, Bump::Minor) => Bump::Patch,
        (_, b) => b,
    };
    let next = plain(effective);
    let rule = if effective == bump {
        format!("{}: the highest bump of the commits; {cur} → {next}", bump.name())
    } else {
        let what = match bump {
            Bump::Major => "a breaking change",
            _ => "a feature",
        };
        let extra = if bump == Bump::Major { "; release 1.0.0 deliberately with --release-as 1.0.0" } else { "" };
        format!(
            "pre-1.0: {what} bumps the {} version ([version] pre-1.0 = \"{}\"); {cur} → {next}{extra}",
            effective.name(),
            pre1.name()
        )
    };
    (next, rule)
}

/// Builders for examples and tests.
pub mod testing {
    use relkit_plugin_sdk::types::{Commit, Person, Tag};

    /// A commit whose id is `key` repeated to 40 characters.
    pub fn commit(key: &str, message: &str) -> Commit {
        let id: String = key.chars().cycle().take(40).collect();
        Commit {
            id,
            message: message.to_string(),
            author: Person { name: "Ada".into(), email: "ada@example.com".into() },
            time: 0,
            parents: Vec::new(),
            changed_paths: Vec::new(),
        }
    }

    pub fn tag(name: &str, version: &str) -> Tag {
        Tag {
            name: name.to_string(),
            version: version.to_string(),
            commit_id: "0".repeat(40),
            time: 0,
            date: String::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::testing::{commit, tag};
    use super::*;

    fn next(messages: &[&str], last: Option<&str>, config: &Config) -> Option<String> {
        let commits: Vec<Commit> =
            messages.iter().enumerate().map(|(i, m)| commit(&format!("{:x}", i + 10), m)).collect();
        let last = last.map(|v| tag(&format!("v{v}"), v));
        decide(&commits, last.as_ref(), &[], config).unwrap().next.map(|v| v.to_string())
    }

    fn conventional() -> Config {
        Config::default()
    }

    fn semrel() -> Config {
        Config::for_preset(Preset::SemanticRelease)
    }

    #[test]
    fn conventional_rule_table() {
        let c = conventional();
        let cases: &[(&[&str], &str, Option<&str>)] = &[
            (&["fix: a"], "1.2.3", Some("1.2.4")),
            (&["perf: a"], "1.2.3", Some("1.2.4")),
            (&["feat: a", "fix: b"], "1.2.3", Some("1.3.0")),
            (&["feat!: a"], "1.2.3", Some("2.0.0")),
            (&["chore(api)!: drop"], "1.2.3", Some("2.0.0")),
            (&["docs: a\n\nBREAKING CHANGE: x"], "1.2.3", Some("2.0.0")),
            (&["docs: a\n\nBREAKING-CHANGE: x"], "1.2.3", Some("2.0.0")),
            (&["Update deps\n\nBREAKING CHANGE: x"], "1.2.3", Some("2.0.0")),
            (&["Feat: shouting"], "1.2.3", Some("1.3.0")),
            (&["chore: a", "docs: b", "Merge branch 'x'"], "1.2.3", None),
            (&["  fix: padded  \n\n"], "1.2.3", Some("1.2.4")),
            (&[], "1.2.3", None),
        ];
        for (messages, last, want) in cases {
            assert_eq!(next(messages, Some(last), &c).as_deref(), *want, "{messages:?}");
        }
    }

    #[test]
    fn semantic_release_rule_table() {
        let c = semrel();
        let cases: &[(&[&str], Option<&str>)] = &[
            (&["feat!: a"], None),
            (&["feat(x)!: a"], None),
            (&["feat: a\n\nBREAKING CHANGES: x"], Some("1.3.0")),
            (&["fix: a\n\nBREAKING CHANGE x"], Some("2.0.0")),
            (&["fix: a\n\nbreaking change: x"], Some("2.0.0")),
            (&["fix: a\n\nBREAKING-CHANGE: x"], Some("1.2.4")),
            (&["Plain English\n\nBREAKING CHANGE: x"], Some("2.0.0")),
            (&["Feat: a"], None),
            (&["FEAT: a"], Some("1.3.0")),
            (&["fix(deps): bump"], Some("1.2.4")),
            (&["chore(deps): bump"], None),
            (&["revert: feat: x\n\nThis reverts commit 0123456789abcdef0123456789abcdef01234567."], Some("1.2.4")),
            (&["revert: feat: x"], None),
            (&["feat: x [skip release]"], None),
            (&["Merge pull request #1 from a/b\n\nfeat: thing"], None),
        ];
        for (messages, want) in cases {
            assert_eq!(next(messages, Some("1.2.3"), &c).as_deref(), *want, "{messages:?}");
        }
    }

    #[test]
    fn pre_one_point_oh_modes() {
        let mut c = conventional();
        assert_eq!(next(&["feat!: a"], Some("0.3.1"), &c).as_deref(), Some("0.4.0"));
        assert_eq!(next(&["feat: a"], Some("0.3.1"), &c).as_deref(), Some("0.4.0"));
        assert_eq!(next(&["fix: a"], Some("0.3.1"), &c).as_deref(), Some("0.3.2"));
        c.pre1 = Pre1::Cargo;
        assert_eq!(next(&["feat!: a"], Some("0.3.1"), &c).as_deref(), Some("0.4.0"));
        assert_eq!(next(&["feat: a"], Some("0.3.1"), &c).as_deref(), Some("0.3.2"));
        c.pre1 = Pre1::Semver;
        assert_eq!(next(&["feat!: a"], Some("0.3.1"), &c).as_deref(), Some("1.0.0"));
        assert_eq!(next(&["feat: a"], Some("0.3.1"), &c).as_deref(), Some("0.4.0"));
    }

    #[test]
    fn first_release_uses_initial() {
        assert_eq!(next(&["feat!: a"], None, &conventional()).as_deref(), Some("0.1.0"));
        assert_eq!(next(&["fix: a"], None, &semrel()).as_deref(), Some("1.0.0"));
        assert_eq!(next(&["chore: a"], None, &conventional()), None);
    }

    #[test]
    fn release_as_forces_a_greater_version() {
        let mut c = conventional();
        c.release_as = Some(Version::new(1, 0, 0));
        assert_eq!(next(&["chore: a"], Some("0.9.0"), &c).as_deref(), Some("1.0.0"));
        let commits = [commit("a", "chore: a")];
        let err = decide(&commits, Some(&tag("v1.2.0", "1.2.0")), &[], &c).unwrap_err();
        assert!(err.contains("not greater than the current version 1.2.0"), "{err}");
        let c = conventional();
        assert_eq!(next(&["chore: release\n\nRelease-As: 2.0.0"], Some("1.4.0"), &c).as_deref(), Some("2.0.0"));
        assert_eq!(next(&["chore: release\n\nRelease-As: 2.0.0"], Some("1.4.0"), &semrel()), None);
    }

    #[test]
    fn a_malformed_release_as_footer_is_ignored() {
        let c = conventional();
        let last = tag("v1.4.0", "1.4.0");
        let bad = [
            "feat: x\n\nRelease-As: 2.0.0\nplease",
            "feat: x\n\nRelease-As:\nSigned-off-by: A <a@example.com>",
            "feat: x\n\nRelease-As: soon",
            "feat: x\n\nRelease-As: 2.0",
            "feat: x\n\nRelease-As: 2.0.0 please",
        ];
        for message in bad {
            let d =
                decide(&[commit("b", message)], Some(&last), &[], &c).unwrap_or_else(|e| panic!("{message:?}: {e}"));
            assert_eq!(d.next.map(|v| v.to_string()).as_deref(), Some("1.5.0"), "{message:?}");
            let reason = &d.contributions[0].reason;
            assert!(reason.starts_with("feat; its Release-As footer \""), "{reason}");
            assert!(reason.ends_with("is ignored: not a semantic version (X.Y.Z)"), "{reason}");
        }
        // an older good footer still counts; a newer bad one does not hide it
        let commits = [commit("b", bad[0]), commit("a", "chore: release\n\nRelease-As: 3.0.0")];
        let d = decide(&commits, Some(&last), &[], &c).unwrap();
        assert_eq!(d.next.map(|v| v.to_string()).as_deref(), Some("3.0.0"));
        assert!(d.contributions[0].reason.contains("ignored"));
        assert_eq!(d.contributions[1].reason, "type chore releases nothing");
        // without a releasing commit there is no release
        let d = decide(&[commit("b", "chore: x\n\nRelease-As: next")], Some(&last), &[], &c).unwrap();
        assert_eq!(d.next, None);
        // --release-as does not read footers at all
        let mut forced = conventional();
        forced.release_as = Some(Version::new(5, 0, 0));
        let d = decide(&[commit("b", bad[0])], Some(&last), &[], &forced).unwrap();
        assert_eq!((d.next.map(|v| v.to_string()), d.contributions[0].reason.as_str()), (Some("5.0.0".into()), "feat"));
    }

    #[test]
    fn custom_rules_by_type_and_scope() {
        let mut c = conventional();
        c.rules = vec![
            Rule { kind: "chore".into(), scope: Some("deps".into()), bump: Bump::Patch },
            Rule { kind: "docs".into(), scope: None, bump: Bump::Patch },
            Rule { kind: "feat".into(), scope: Some("internal".into()), bump: Bump::None },
        ];
        assert_eq!(next(&["chore(deps): bump x"], Some("1.0.0"), &c).as_deref(), Some("1.0.1"));
        assert_eq!(next(&["chore(ci): x"], Some("1.0.0"), &c), None);
        assert_eq!(next(&["docs(readme): x"], Some("1.0.0"), &c).as_deref(), Some("1.0.1"));
        assert_eq!(next(&["feat(internal): x"], Some("1.0.0"), &c), None);
        assert_eq!(next(&["feat(internal)!: x"], Some("1.0.0"), &c).as_deref(), Some("2.0.0"));
    }

    #[test]
    fn reverts_cancel_in_range_and_patch_across() {
        let c = conventional();
        let feat = commit("a", "feat: x");
        let revert = commit("b", &format!("revert: feat: x\n\nThis reverts commit {}.", &feat.id[..8]));
        let d = decide(&[revert.clone(), feat.clone()], Some(&tag("v1.0.0", "1.0.0")), &[], &c).unwrap();
        assert_eq!(d.next, None);
        assert_eq!(d.contributions[0].reason, "reverts aaaaaaa in this range");
        assert_eq!(d.contributions[1].reason, "reverted by bbbbbbb in this range");
        let d = decide(&[revert], Some(&tag("v1.0.0", "1.0.0")), &[], &c).unwrap();
        assert_eq!(d.next.unwrap().to_string(), "1.0.1");
    }

    fn chain(len: usize) -> Vec<Commit> {
        // feat, its revert, the revert of that, … as git writes them, newest first
        let mut commits = vec![commit("a0", "feat: add offline mode")];
        let mut subject = "feat: add offline mode".to_string();
        for i in 1..len {
            subject = match subject.strip_prefix("Revert \"") {
                Some(rest) if !rest.starts_with("Revert \"") => format!("Reapply \"{rest}"),
                _ => format!("Revert \"{subject}\""),
            };
            let prev = &commits[0].id;
            commits
                .insert(0, commit(&format!("{i:x}b"), &format!("{subject}\n\nThis reverts commit {}.", &prev[..10])));
        }
        commits
    }

    #[test]
    fn revert_chains_net_out() {
        let c = conventional();
        let last = tag("v1.2.0", "1.2.0");
        for len in 1..=7 {
            let commits = chain(len);
            let d = decide(&commits, Some(&last), &[], &c).unwrap();
            // an odd number of commits leaves the feature in
            let want = (len % 2 == 1).then(|| "1.3.0".to_string());
            assert_eq!(d.next.map(|v| v.to_string()), want, "chain of {len}: {:?}", d.contributions);
        }
        assert!(chain(3)[0].message.starts_with("Reapply \"feat: add offline mode\""));
        assert!(chain(4)[0].message.starts_with("Revert \"Reapply \"feat: add offline mode\"\""));
    }

    #[test]
    fn a_reapply_of_a_released_revert_is_the_change_again() {
        let c = conventional();
        let last = tag("v1.2.0", "1.2.0");
        let reapply = commit("c", "Reapply \"feat: add offline mode\"\n\nThis reverts commit 0123456789.");
        let d = decide(&[reapply], Some(&last), &[], &c).unwrap();
        assert_eq!(d.next.map(|v| v.to_string()).as_deref(), Some("1.3.0"));
        assert_eq!(d.contributions[0].reason, "feat (applied again)");
        // a revert known only by git's line, of a released commit: a patch
        let revert = commit("d", "chore: back out x\n\nThis reverts commit 0123456789.");
        let d = decide(&[revert], Some(&last), &[], &c).unwrap();
        assert_eq!(d.next.map(|v| v.to_string()).as_deref(), Some("1.2.1"));
        // GitHub's squashed revert of a fix in the same range
        let fix = commit("e", "fix(x): handle y (#122)");
        let revert = commit("f", &format!("Revert \"fix(x): handle y\" (#123)\n\nThis reverts commit {}.", fix.id));
        assert_eq!(decide(&[revert, fix.clone()], Some(&last), &[], &c).unwrap().next, None);
        // … and its pull request body, which names no hash
        let revert = commit("f", "Revert \"fix(x): handle y\" (#123)\n\nReverts acme/rocket#122");
        assert_eq!(decide(&[revert, fix], Some(&last), &[], &c).unwrap().next, None);
    }

    #[test]
    fn prereleases_count_up_and_promote() {
        let mut c = conventional();
        c.prerelease = Some("rc".into());
        let commits = [commit("b", "feat: y"), commit("a", "feat: x")];
        let last = tag("v1.2.0", "1.2.0");
        let mut rc1 = tag("v1.3.0-rc.1", "1.3.0-rc.1");
        rc1.commit_id = commits[1].id.clone();
        let d = decide(&commits, Some(&last), std::slice::from_ref(&rc1), &c).unwrap();
        assert_eq!(d.next.unwrap().to_string(), "1.3.0-rc.2");
        // nothing new since rc.1
        let d = decide(&commits[1..], Some(&last), std::slice::from_ref(&rc1), &c).unwrap();
        assert_eq!(d.next, None);
        // only a docs commit since rc.1
        let docs = [commit("d", "docs: typo"), commits[1].clone()];
        let d = decide(&docs, Some(&last), std::slice::from_ref(&rc1), &c).unwrap();
        assert_eq!(
            (d.next, d.rule.as_str()),
            (None, "no release: none of the 1 commits since v1.3.0-rc.1 asks for one")
        );
        // the stable release after rc tags
        let d = decide(&commits, Some(&last), &[rc1], &conventional()).unwrap();
        assert_eq!(d.next.unwrap().to_string(), "1.3.0");
    }

    #[test]
    fn an_existing_unreachable_tag_is_an_error() {
        let commits = [commit("a", "feat: x")];
        let err =
            decide(&commits, Some(&tag("v1.2.0", "1.2.0")), &[tag("v1.3.0", "1.3.0")], &conventional()).unwrap_err();
        assert!(err.starts_with("the next version 1.3.0 is already tagged v1.3.0"), "{err}");
    }
}
