//! relkit's built-in `changelog` plugin: CHANGELOG.md sections.
//!
//! `update` inserts each new release's section below the file's header (and
//! below an `## [Unreleased]` section, if the file keeps one), leaving every
//! other byte alone; a release whose heading is already there is skipped, so
//! running it twice changes nothing. `full` regenerates every section and
//! keeps the existing header. [`update`] is plain Rust; [`Plugin`] exports it.

pub mod headings;
pub mod unreleased;

use std::fmt::Write as _;

use relkit_plugin_sdk::Settings;
use relkit_plugin_sdk::model::{self, NotesConfig, NotesData};
use relkit_plugin_sdk::render::{Renderer, tidy_markdown};
use relkit_plugin_sdk::types::{Release, Repository, Template};

pub const DEFAULT_TEMPLATE: &str = include_str!("../../../templates/changelog.md.hbs");
pub const DEFAULT_SOURCE: &str = "templates/changelog.md.hbs (built-in)";

pub const DEFAULT_HEADER: &str = "# Changelog

All notable changes to this project are documented in this file.
The format is based on [Keep a Changelog](https://keepachangelog.com/en/1.1.0/),
and this project adheres to [Semantic Versioning](https://semver.org/spec/v2.0.0.html).
";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Update,
    Full,
}

pub struct Input<'a> {
    pub mode: Mode,
    pub existing: Option<&'a str>,
    /// Oldest first.
    pub releases: &'a [Release],
    pub repository: &'a Repository,
    pub settings: &'a [(String, String)],
    pub template: Option<&'a Template>,
}

/// The new text of the file.
pub fn update(input: &Input<'_>) -> Result<String, String> {
    let settings = Settings::new(input.settings);
    let config = NotesConfig::from_settings(&settings)?;
    let header = settings.get::<String>("header")?.map(|h| format!("{}\n", h.trim_end()));
    // The built-in template is also compiled to Rust (`default_section`),
    // which a full CHANGELOG of 100,000 commits needs for speed; handlebars
    // renders the user's templates. Tests hold the two to the same output.
    let renderer = match input.template {
        Some(t) => Some(Renderer::new(Some(t), DEFAULT_SOURCE, DEFAULT_TEMPLATE)?),
        None => None,
    };
    let crlf = input.existing.is_some_and(|t| t.contains("\r\n"));
    let section = |release: &Release| -> Result<String, String> {
        let data = model::build(release, input.repository, &config);
        let text = match &renderer {
            Some(r) => tidy_markdown(&r.render(&data)?),
            None => default_section(&data),
        };
        Ok(if crlf { text.replace('\n', "\r\n") } else { text })
    };
    let newline = if crlf { "\r\n" } else { "\n" };
    match (input.mode, input.existing) {
        (Mode::Update, Some(existing)) => {
            let mut text = existing.to_string();
            let mut newest: Option<&Release> = None;
            for release in input.releases {
                if has_release(&text, &release.version, &release.tag) {
                    continue;
                }
                let mut inserted = section(release)?;
                inserted.push_str(newline);
                match headings::first_release(&text) {
                    Some(heading) => text.insert_str(heading.start, &inserted),
                    None => {
                        if let Some(previous) = &release.previous
                            && headings::mentions(&text, &previous.version, &previous.name)
                        {
                            return Err(unrecognised(&text, &previous.version));
                        }
                        // No release yet: the section goes below the header.
                        if !text.is_empty() {
                            if !text.ends_with('\n') {
                                text.push_str(newline);
                            }
                            if !text.ends_with("\n\n") && !text.ends_with("\r\n\r\n") {
                                text.push_str(newline);
                            }
                            inserted.truncate(inserted.len() - newline.len());
                        }
                        text.push_str(&inserted);
                    }
                }
                newest = Some(release);
            }
            if let Some(release) = newest
                && let Ok(version) = semver::Version::parse(&release.version)
            {
                unreleased::advance(&mut text, &release.tag, &version);
            }
            Ok(text)
        }
        (mode, existing) => {
            let (prefix, unreleased_link) = match (mode, existing) {
                (Mode::Full, Some(existing)) => {
                    let at = match headings::first_release(existing) {
                        Some(heading) => heading.start,
                        None => {
                            if let Some(r) =
                                input.releases.iter().rev().find(|r| headings::mentions(existing, &r.version, &r.tag))
                            {
                                return Err(unrecognised(existing, &r.version));
                            }
                            existing.len()
                        }
                    };
                    let prefix = &existing[..at];
                    // The Unreleased heading stays, so its link definition
                    // (usually at the end of the file) stays too.
                    let link = match unreleased::definition(existing) {
                        Some((line, _)) if line.start >= at && unreleased::has_heading(prefix) => {
                            Some(existing[line].trim_end().to_string())
                        }
                        _ => None,
                    };
                    (prefix.to_string(), link)
                }
                _ => (header.unwrap_or_else(|| DEFAULT_HEADER.to_string()), None),
            };
            let prefix = if crlf && !prefix.contains("\r\n") { prefix.replace('\n', "\r\n") } else { prefix };
            let mut text = prefix.trim_end().to_string();
            text.push_str(newline);
            for release in input.releases.iter().rev() {
                text.push_str(newline);
                text.push_str(&section(release)?);
            }
            if let Some(link) = unreleased_link {
                text.push_str(newline);
                text.push_str(&link);
                text.push_str(newline);
            }
            if let Some(release) = input.releases.last()
                && let Ok(version) = semver::Version::parse(&release.version)
            {
                unreleased::advance(&mut text, &release.tag, &version);
            }
            Ok(text)
        }
    }
}

/// The refusal when the file holds earlier releases under headings relkit
/// does not recognise: appending would put the new section at the end.
fn unrecognised(text: &str, previous: &str) -> String {
    let found = headings::first_heading_lines(text, 5);
    let found = if found.is_empty() {
        "it has no headings".to_string()
    } else {
        format!("its first headings are {}", found.iter().map(|h| format!("`{h}`")).collect::<Vec<_>>().join(", "))
    };
    format!(
        "the CHANGELOG mentions the previous release {previous} but no heading names a release, so relkit cannot \
         tell where the new section goes ({found}). relkit looks for a heading (`#` to `######`, or underlined) \
         whose text holds a version among its first words, after an optional prefix: `## [1.2.0] - 2026-01-01`, \
         `## Version 1.2.0`, `# v1.2.0 (2026-01-01)`, `## 🚀 1.2.0`. Give the release headings that form, or \
         set `[changelog] path` to a new file."
    )
}

/// `templates/changelog.md.hbs`, rendered by hand: the same text, without
/// converting the data to JSON for handlebars.
pub fn default_section(d: &NotesData) -> String {
    fn link(out: &mut String, text: &str, url: Option<&String>) {
        match url.filter(|u| !u.is_empty()) {
            Some(u) => {
                let _ = write!(out, "[{text}]({u})");
            }
            None => out.push_str(text),
        }
    }
    fn scope(out: &mut String, scope: Option<&String>) {
        if let Some(s) = scope.filter(|s| !s.is_empty()) {
            let _ = write!(out, "**{s}:** ");
        }
    }
    let mut s = String::with_capacity(256 + 160 * d.commit_count);
    let _ = write!(s, "## [{}] - {}\n\n", d.version, d.date);
    if !d.breaking_changes.is_empty() {
        let _ = write!(s, "### {}\n\n", d.breaking_title);
        for b in &d.breaking_changes {
            s.push_str("- ");
            scope(&mut s, b.scope_md.as_ref());
            for (i, line) in b.text_md.lines().enumerate() {
                if i > 0 {
                    s.push('\n');
                    if !line.is_empty() {
                        s.push_str("  ");
                    }
                }
                s.push_str(line);
            }
            s.push_str(" (");
            link(&mut s, &b.short_id, b.commit_url.as_ref());
            s.push_str(")\n");
        }
        s.push('\n');
    }
    for section in &d.sections {
        let _ = write!(s, "### {}\n\n", section.title);
        for e in &section.entries {
            s.push_str("- ");
            scope(&mut s, e.scope_md.as_ref());
            s.push_str(&e.description_md);
            s.push_str(" (");
            link(&mut s, &e.short_id, e.commit_url.as_ref());
            s.push(')');
            for r in &e.references {
                let _ = write!(s, ", {} ", r.keyword.as_deref().unwrap_or(""));
                link(&mut s, &r.text, r.url.as_ref());
            }
            s.push('\n');
        }
        s.push('\n');
    }
    if d.sections.is_empty() && d.breaking_changes.is_empty() {
        s.push_str("No notable changes.\n\n");
    }
    match (d.compare_url.as_ref().filter(|u| !u.is_empty()), d.tag_url.as_ref().filter(|u| !u.is_empty())) {
        (Some(url), _) | (None, Some(url)) => {
            let _ = writeln!(s, "[{}]: {url}", d.version);
        }
        (None, None) => {}
    }
    tidy_markdown(&s)
}

/// Whether a heading names this release (`## [1.3.0] - …`, `## Version 1.3.0`,
/// `# [v1.3.0](…)`), at any level: custom templates choose their own.
pub fn has_release(text: &str, version: &str, tag: &str) -> bool {
    headings::has_release(text, version, tag)
}

/// Where a new release goes: above the first heading that names a release
/// (and its anchor line), so an Unreleased section stays on top; the end of
/// the text when there is none.
pub fn insertion_point(text: &str) -> usize {
    headings::first_release(text).map_or(text.len(), |h| h.start)
}

use relkit_plugin_sdk::changelog::{Changelog, ChangelogInput, ChangelogMode};

/// The plugin: [`update`] behind the `changelog` interface.
pub struct Plugin;

impl Changelog for Plugin {
    fn update_changelog(input: ChangelogInput) -> Result<String, String> {
        update(&Input {
            mode: match input.mode {
                ChangelogMode::Update => Mode::Update,
                ChangelogMode::Full => Mode::Full,
            },
            existing: input.existing.as_deref(),
            releases: &input.releases,
            repository: &input.repository,
            settings: &input.settings,
            template: input.template.as_ref(),
        })
    }
}

relkit_plugin_sdk::export_plugin!(Plugin: changelog);

#[cfg(test)]
mod tests {
    use super::*;
    use relkit_plugin_sdk::types::{Commit, ForgeKind, Person, Tag};

    fn release(version: &str, previous: Option<&str>, messages: &[&str]) -> Release {
        Release {
            version: version.into(),
            tag: format!("v{version}"),
            commit_id: "c".repeat(40),
            date: "2026-11-29".into(),
            previous: previous.map(|p| Tag {
                name: format!("v{p}"),
                version: p.into(),
                commit_id: "b".repeat(40),
                time: 0,
                date: String::new(),
            }),
            commits: messages
                .iter()
                .enumerate()
                .map(|(i, m)| Commit {
                    id: format!("{i:0>40}"),
                    message: m.to_string(),
                    author: Person { name: "Ada".into(), email: "ada@example.com".into() },
                    time: 0,
                    parents: vec![],
                    changed_paths: vec![],
                })
                .collect(),
        }
    }

    fn repo() -> Repository {
        Repository {
            remote_url: None,
            forge: ForgeKind::Github,
            web_url: Some("https://github.com/acme/rocket".into()),
        }
    }

    fn run(mode: Mode, existing: Option<&str>, releases: &[Release]) -> String {
        let settings = vec![("contributors".to_string(), "false".to_string())];
        update(&Input { mode, existing, releases, repository: &repo(), settings: &settings, template: None }).unwrap()
    }

    #[test]
    fn inserts_below_header_and_keeps_every_other_byte() {
        let old = "# Changes\n\nHand-written intro.\n\n## [1.2.0] - 2026-01-01\n\n- manual  edit   kept\n";
        let new = run(Mode::Update, Some(old), &[release("1.3.0", Some("1.2.0"), &["feat: shiny"])]);
        let at = new.find("## [1.2.0]").unwrap();
        assert_eq!(&new[at..], "## [1.2.0] - 2026-01-01\n\n- manual  edit   kept\n");
        assert!(new.starts_with("# Changes\n\nHand-written intro.\n\n## [1.3.0] - 2026-11-29\n"), "{new}");
        // idempotent
        assert_eq!(run(Mode::Update, Some(&new), &[release("1.3.0", Some("1.2.0"), &["feat: shiny"])]), new);
    }

    #[test]
    fn keeps_an_unreleased_section_on_top() {
        let old = "# Changelog\n\n## [Unreleased]\n\n- wip\n\n## [1.2.0] - 2026-01-01\n";
        let new = run(Mode::Update, Some(old), &[release("1.3.0", Some("1.2.0"), &["fix: x"])]);
        let unreleased = new.find("## [Unreleased]").unwrap();
        let fresh = new.find("## [1.3.0]").unwrap();
        assert!(unreleased < fresh && fresh < new.find("## [1.2.0]").unwrap());
    }

    #[test]
    fn crlf_files_stay_crlf() {
        let old = "# Changelog\r\n\r\n## [1.2.0] - 2026-01-01\r\n";
        let new = run(Mode::Update, Some(old), &[release("1.3.0", Some("1.2.0"), &["fix: x"])]);
        assert!(!new.replace("\r\n", "").contains('\n'), "{new:?}");
    }

    #[test]
    fn new_file_and_full_regeneration() {
        let r1 = release("1.0.0", None, &["feat: first"]);
        let r2 = release("1.1.0", Some("1.0.0"), &["feat: second"]);
        let fresh = run(Mode::Update, None, std::slice::from_ref(&r1));
        assert!(fresh.starts_with(DEFAULT_HEADER));
        let full = run(Mode::Full, Some("# My log\n\n## [0.9.0] - old\n"), &[r1, r2]);
        assert!(full.starts_with("# My log\n\n## [1.1.0] - 2026-11-29\n"), "{full}");
        assert!(!full.contains("0.9.0"));
        assert!(full.find("## [1.1.0]").unwrap() < full.find("## [1.0.0]").unwrap());
    }

    #[test]
    fn the_compiled_default_template_matches_handlebars() {
        use relkit_plugin_sdk::types::{ChangeKind, ChangedPath};
        let renderer = Renderer::new(None, DEFAULT_SOURCE, DEFAULT_TEMPLATE).unwrap();
        let mut adr = release("2.0.0", Some("1.9.0"), &["docs: adr"]);
        adr.commits[0].changed_paths = vec![
            ChangedPath { path: "docs/adr/0001-x.md".into(), change: ChangeKind::Added },
            ChangedPath { path: "docs/adr/0002-y.md".into(), change: ChangeKind::Deleted },
        ];
        let cases = [
            release(
                "1.3.0",
                Some("1.2.0"),
                &["feat(api): a (#1)", "fix: b\n\nCloses #2, refs acme/x#3", "perf: c", "fix(<ui>)!: d <e>"],
            ),
            release(
                "2.0.0",
                Some("1.3.0"),
                &["feat!: big\n\nBREAKING CHANGE: line one\n\nline three\n  indented", "chore: x"],
            ),
            release("0.1.0", None, &["feat: first"]),
            release("1.3.1", Some("1.3.0"), &["docs: nothing notable", "Merge branch 'x'"]),
            release(
                "1.4.0",
                Some("1.3.1"),
                &["feat(a): x", "feat: y", "feat(b): z", "revert: feat: w\n\nThis reverts commit 1234567."],
            ),
            adr,
        ];
        let repos = [
            repo(),
            Repository { remote_url: None, forge: ForgeKind::Unknown, web_url: None },
            Repository {
                remote_url: None,
                forge: ForgeKind::Gitlab,
                web_url: Some("https://gitlab.example.com/g/s/p".into()),
            },
        ];
        for r in &repos {
            for (i, rel) in cases.iter().enumerate() {
                let data = model::build(rel, r, &NotesConfig::default());
                let expected = tidy_markdown(&renderer.render(&data).unwrap());
                assert_eq!(default_section(&data), expected, "case {i} on {:?}", r.forge);
                if i == 0 {
                    assert!(expected.contains("- **&lt;ui&gt;:** d &lt;e&gt; ("), "{expected}");
                }
            }
        }
    }

    #[test]
    fn recognises_headings_of_other_tools() {
        assert!(has_release("## [1.3.0](https://x) (2026-01-01)\n", "1.3.0", "v1.3.0"));
        assert!(has_release("## v1.3.0\n", "1.3.0", "v1.3.0"));
        assert!(has_release("# 1.3.0\n", "1.3.0", "v1.3.0"));
        assert!(has_release("### [api-v1.3.0] - x\n", "1.3.0", "api-v1.3.0"));
        assert!(!has_release("## [1.3.0-rc.1] - x\n", "1.3.0", "v1.3.0"));
        assert!(!has_release("## [11.3.0] - x\n", "1.3.0", "v1.3.0"));
        assert!(!has_release("##1.3.0\n", "1.3.0", "v1.3.0"));
    }

    fn run_err(mode: Mode, existing: &str, releases: &[Release]) -> String {
        let settings = vec![("contributors".to_string(), "false".to_string())];
        let input = Input {
            mode,
            existing: Some(existing),
            releases,
            repository: &repo(),
            settings: &settings,
            template: None,
        };
        update(&input).err().unwrap_or_else(|| panic!("no error for {existing:?}"))
    }

    #[test]
    fn the_new_section_goes_above_headings_other_tools_write() {
        let new = release("1.2.0", Some("1.1.0"), &["feat: shiny"]);
        for old_heading in [
            "## Version 1.1.0",
            "## 🚀 1.1.0",
            "## [v1.1.0] - 2024-01-01",
            "# 1.1.0 (2024-01-01)",
            "## relkit v1.1.0",
            "## <small>1.1.0 (2024-01-01)</small>",
            "# [1.1.0](https://github.com/acme/rocket/compare/v1.0.0...v1.1.0) (2024-01-01)",
            "1.1.0 / 2024-01-01\n==================",
        ] {
            let old = format!("# Changes\n\nIntro.\n\n{old_heading}\n\n- old entry\n\n## Version 1.0.0\n\n- older\n");
            let text = run(Mode::Update, Some(&old), std::slice::from_ref(&new));
            let at = text.find("## [1.2.0] - 2026-11-29\n").unwrap_or_else(|| panic!("{text}"));
            assert_eq!(&text[..at], "# Changes\n\nIntro.\n\n", "{old_heading}");
            assert!(text.ends_with(&old["# Changes\n\nIntro.\n\n".len()..]), "{old_heading}:\n{text}");
            assert_eq!(
                run(Mode::Update, Some(&text), std::slice::from_ref(&new)),
                text,
                "{old_heading}: not idempotent"
            );
        }
    }

    #[test]
    fn an_anchor_above_a_heading_stays_with_it() {
        let old = "# Changelog\n\n<a name=\"1.1.0\"></a>\n# [1.1.0](https://x) (2024-01-01)\n\n* a\n";
        let text = run(Mode::Update, Some(old), &[release("1.2.0", Some("1.1.0"), &["fix: b"])]);
        assert!(text.starts_with("# Changelog\n\n## [1.2.0] - 2026-11-29\n"), "{text}");
        assert!(text.ends_with("\n<a name=\"1.1.0\"></a>\n# [1.1.0](https://x) (2024-01-01)\n\n* a\n"), "{text}");
    }

    #[test]
    fn unrecognised_release_headings_are_refused_not_appended_to() {
        let old = "# Changes\n\n**Release 1.1.0**\n\n- a\n\n### Fixed\n\n- b\n";
        let err = run_err(Mode::Update, old, &[release("1.2.0", Some("1.1.0"), &["fix: c"])]);
        assert!(err.contains("previous release 1.1.0"), "{err}");
        assert!(err.contains("its first headings are `# Changes`, `### Fixed`"), "{err}");
        assert!(err.contains("`## Version 1.2.0`"), "{err}");
        // the tag is mentioned, not the bare version
        let err =
            run_err(Mode::Update, "# Log\n\nv1.1.0 (2024): first\n", &[release("1.2.0", Some("1.1.0"), &["fix: c"])]);
        assert!(err.contains("its first headings are `# Log`"), "{err}");
        let err = run_err(Mode::Update, "Release v1.1.0\n", &[release("1.2.0", Some("1.1.0"), &["fix: c"])]);
        assert!(err.contains("it has no headings"), "{err}");
        // --full would keep the old sections as its header: refused too
        let r1 = release("1.1.0", None, &["feat: a"]);
        let r2 = release("1.2.0", Some("1.1.0"), &["feat: b"]);
        let err = run_err(Mode::Full, old, &[r1, r2]);
        assert!(err.contains("1.1.0"), "{err}");
        // a header that names no earlier release still gets the first section
        let header = "# Changes\n\nSee https://semver.org/spec/v2.0.0.html.\n";
        let text = run(Mode::Update, Some(header), &[release("2.1.0", Some("2.0.0"), &["feat: a"])]);
        assert!(text.starts_with(&format!("{header}\n## [2.1.0]")), "{text}");
    }

    const KEEP_A_CHANGELOG: &str = "# Changelog\n\n## [Unreleased]\n\n## [1.1.0] - 2024-01-01\n\n### Added\n\n- a\n\n\
        [Unreleased]: https://github.com/acme/rocket/compare/v1.1.0...HEAD\n\
        [1.1.0]: https://github.com/acme/rocket/compare/v1.0.0...v1.1.0\n";

    #[test]
    fn the_unreleased_link_compares_from_the_new_release() {
        let text = run(Mode::Update, Some(KEEP_A_CHANGELOG), &[release("1.2.0", Some("1.1.0"), &["feat: b"])]);
        let expected = KEEP_A_CHANGELOG
            .replace("compare/v1.1.0...HEAD", "compare/v1.2.0...HEAD")
            .replace("## [1.1.0]", &format!("{}## [1.1.0]", section_of(&text, "1.2.0")));
        assert_eq!(text, expected);
        assert_eq!(run(Mode::Update, Some(&text), &[release("1.2.0", Some("1.1.0"), &["feat: b"])]), text);
        // GitLab, lower-case label, CRLF
        let gitlab = KEEP_A_CHANGELOG
            .replace("https://github.com/acme/rocket/compare", "https://gitlab.com/g/s/p/-/compare")
            .replace("[Unreleased]: ", "[unreleased]: ")
            .replace('\n', "\r\n");
        let text = run(Mode::Update, Some(&gitlab), &[release("1.2.0", Some("1.1.0"), &["feat: b"])]);
        assert!(text.contains("\r\n[unreleased]: https://gitlab.com/g/s/p/-/compare/v1.2.0...HEAD\r\n"), "{text}");
        assert!(text.contains("[1.1.0]: https://gitlab.com/g/s/p/-/compare/v1.0.0...v1.1.0\r\n"), "{text}");
        // nothing inserted: nothing changes, not even a stale link
        let stale = KEEP_A_CHANGELOG.replace("## [1.1.0]", "## [1.2.0] - x\n\n## [1.1.0]");
        assert_eq!(run(Mode::Update, Some(&stale), &[release("1.2.0", Some("1.1.0"), &["feat: b"])]), stale);
    }

    fn section_of(text: &str, version: &str) -> String {
        let start = text.find(&format!("## [{version}]")).unwrap_or(0);
        let end = start + 1 + text[start + 1..].find("## [").unwrap_or(0);
        text[start..end].to_string()
    }

    #[test]
    fn full_regeneration_keeps_the_unreleased_heading_and_its_link() {
        let r1 = release("1.1.0", Some("1.0.0"), &["feat: a"]);
        let r2 = release("1.2.0", Some("1.1.0"), &["feat: b"]);
        let full = run(Mode::Full, Some(KEEP_A_CHANGELOG), &[r1, r2]);
        assert!(full.starts_with("# Changelog\n\n## [Unreleased]\n\n## [1.2.0] - 2026-11-29\n"), "{full}");
        assert!(full.ends_with("\n\n[Unreleased]: https://github.com/acme/rocket/compare/v1.2.0...HEAD\n"), "{full}");
        assert_eq!(full.matches("[Unreleased]: ").count(), 1, "{full}");
        // no Unreleased heading: no definition either
        let without = KEEP_A_CHANGELOG.replace("## [Unreleased]\n\n", "");
        let full = run(Mode::Full, Some(&without), &[release("1.2.0", Some("1.1.0"), &["feat: b"])]);
        assert!(!full.contains("[Unreleased]:"), "{full}");
    }

    #[test]
    fn insertion_point_is_the_first_release_heading_at_any_level() {
        assert_eq!(insertion_point("# Changelog\n\n# 1.2.0\n"), "# Changelog\n\n".len());
        assert_eq!(insertion_point("# Changelog\n## Unreleased\n### 2024 plans\n## v1.0.0\n"), 41);
        assert_eq!(insertion_point("# Changelog\n"), "# Changelog\n".len());
    }
}
