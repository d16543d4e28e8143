//! The data of one release's notes: what the notes and changelog templates
//! receive, and what `relkit notes --json` prints.
//!
//! Built from the release's commits under the `[notes]` settings: breaking
//! changes first, then the configured sections in order, architecture
//! documents, contributors. Reverted-in-range pairs are left out.

use std::collections::{HashMap, HashSet};

use serde::{Deserialize, Serialize};

use crate::commit::{self, Parsed, Preset};
use crate::forge::Links;
use crate::glob::{self, Glob};
use crate::markdown::escape_html;
use crate::refs::{self, Reference};
use crate::revert;
use crate::settings::Settings;
use crate::short_id;
use crate::types::{ChangeKind, Commit, ForgeKind, Release, Repository};

/// One section of the notes: a title and the commit types it lists.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SectionDef {
    pub title: String,
    pub types: Vec<String>,
}

/// How scopes show within a section.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ScopeStyle {
    /// `- **api:** add pagination`, entries sorted by scope.
    #[default]
    Prefix,
    /// A sub-list per scope.
    Group,
}

/// The `[notes]` settings (shared by the changelog plugin).
#[derive(Debug, Clone)]
pub struct NotesConfig {
    pub preset: Preset,
    pub sections: Vec<SectionDef>,
    pub breaking_title: String,
    pub other_title: String,
    pub scopes: ScopeStyle,
    pub include_non_conventional: bool,
    pub split_squash: bool,
    pub architecture_paths: Vec<Glob>,
    pub contributors: bool,
}

pub const DEFAULT_ARCHITECTURE_PATHS: &[&str] = &["docs/adr/**", "doc/adr/**", "docs/architecture/**"];

pub fn default_sections() -> Vec<SectionDef> {
    [("Features", "feat"), ("Bug fixes", "fix"), ("Performance", "perf"), ("Reverts", "revert")]
        .into_iter()
        .map(|(title, ty)| SectionDef { title: title.to_string(), types: vec![ty.to_string()] })
        .collect()
}

impl Default for NotesConfig {
    fn default() -> Self {
        let paths: Vec<String> = DEFAULT_ARCHITECTURE_PATHS.iter().map(|s| s.to_string()).collect();
        Self {
            preset: Preset::default(),
            sections: default_sections(),
            breaking_title: "⚠ Breaking changes".to_string(),
            other_title: "Other changes".to_string(),
            scopes: ScopeStyle::default(),
            include_non_conventional: false,
            split_squash: false,
            architecture_paths: glob::compile_all(&paths).unwrap_or_default(),
            contributors: true,
        }
    }
}

impl NotesConfig {
    pub fn from_settings(s: &Settings<'_>) -> Result<Self, String> {
        let d = Self::default();
        let architecture_paths = match s.get::<Vec<String>>("architecture-paths")? {
            Some(p) => glob::compile_all(&p).map_err(|e| format!("setting `architecture-paths`: {e}"))?,
            None => d.architecture_paths,
        };
        Ok(Self {
            preset: s.get_or("preset", d.preset)?,
            sections: s.get_or("sections", d.sections)?,
            breaking_title: s.get_or("breaking-title", d.breaking_title)?,
            other_title: s.get_or("other-title", d.other_title)?,
            scopes: s.get_or("scopes", d.scopes)?,
            include_non_conventional: s.get_or("include-non-conventional", d.include_non_conventional)?,
            split_squash: s.get_or("split-squash", d.split_squash)?,
            architecture_paths,
            contributors: s.get_or("contributors", d.contributors)?,
        })
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct RepositoryData {
    pub forge: &'static str,
    pub web_url: Option<String>,
    pub remote_url: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Author {
    pub name: String,
    pub username: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ReferenceData {
    pub text: String,
    pub url: Option<String>,
    /// The keyword before it (`closes`, `fixes`, `refs`), lowercased.
    pub keyword: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Entry {
    pub id: String,
    pub short_id: String,
    pub commit_url: Option<String>,
    #[serde(rename = "type")]
    pub kind: Option<String>,
    pub scope: Option<String>,
    /// The scope with HTML escaped, for markdown.
    pub scope_md: Option<String>,
    /// The description as written (the whole header for a non-conventional commit).
    pub description: String,
    /// The description with issue and merge-request references linked.
    pub description_md: String,
    pub breaking: bool,
    /// References from the body and footers with a keyword (`Closes #4`).
    pub references: Vec<ReferenceData>,
    pub author: Author,
    /// Set for the entries a squash commit's body lists (`split-squash`).
    pub from_squash: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct BreakingEntry {
    pub id: String,
    pub short_id: String,
    pub commit_url: Option<String>,
    #[serde(rename = "type")]
    pub kind: Option<String>,
    pub scope: Option<String>,
    /// The scope with HTML escaped, for markdown.
    pub scope_md: Option<String>,
    /// What breaks: the `BREAKING CHANGE` text, or the description for `!`.
    pub text: String,
    /// `text` with references linked.
    pub text_md: String,
    /// The commit's own description.
    pub description: String,
}

/// Entries of one scope, as templates see them under `scopes`.
#[derive(Debug, Clone, Serialize)]
pub struct ScopeGroup<'a> {
    pub scope: &'a Option<String>,
    pub scope_md: &'a Option<String>,
    pub entries: &'a [Entry],
}

/// A section. Serialized with `title`, `types`, `entries` and `scopes` (the
/// same entries grouped by scope), computed while serializing rather than
/// stored twice: a full CHANGELOG holds 100,000 entries.
#[derive(Debug, Clone)]
pub struct SectionData {
    pub title: String,
    pub types: Vec<String>,
    /// Entries without a scope first, then by scope; in commit order within.
    pub entries: Vec<Entry>,
}

impl SectionData {
    /// The entries grouped by scope (consecutive, as they are sorted by scope).
    pub fn scopes(&self) -> Vec<ScopeGroup<'_>> {
        self.entries
            .chunk_by(|a, b| a.scope == b.scope)
            .map(|chunk| ScopeGroup { scope: &chunk[0].scope, scope_md: &chunk[0].scope_md, entries: chunk })
            .collect()
    }
}

impl Serialize for SectionData {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct as _;
        let mut s = serializer.serialize_struct("SectionData", 4)?;
        s.serialize_field("title", &self.title)?;
        s.serialize_field("types", &self.types)?;
        s.serialize_field("entries", &self.entries)?;
        s.serialize_field("scopes", &self.scopes())?;
        s.end()
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct ArchitectureDoc {
    pub path: String,
    /// The file at the release tag (absent for a removed file or unknown forge).
    pub url: Option<String>,
    /// `added`, `modified` or `removed`.
    pub change: &'static str,
}

#[derive(Debug, Clone, Serialize)]
pub struct Contributor {
    pub name: String,
    /// The name with HTML escaped, for markdown.
    pub name_md: String,
    /// The forge login, from a no-reply address; never set for a bot.
    pub username: Option<String>,
    /// The user's page, or a bot's app page (GitHub).
    pub url: Option<String>,
    /// A GitHub App's account (`dependabot[bot]`), which has no user page.
    pub bot: bool,
}

/// Everything a notes or changelog template receives for one release.
#[derive(Debug, Clone, Serialize)]
pub struct NotesData {
    pub version: String,
    pub tag: String,
    pub previous_tag: Option<String>,
    pub date: String,
    pub commit_id: String,
    pub prerelease: bool,
    /// `…/compare/<previous>...<tag>`; absent for a first release or unknown forge.
    pub compare_url: Option<String>,
    /// The tag's page on the forge (GitHub: its release page).
    pub tag_url: Option<String>,
    pub repository: RepositoryData,
    pub breaking_title: String,
    pub breaking_changes: Vec<BreakingEntry>,
    pub sections: Vec<SectionData>,
    pub architecture: Vec<ArchitectureDoc>,
    pub contributors: Vec<Contributor>,
    pub scope_style: ScopeStyle,
    /// Commits in the release, reverted pairs and hidden types included.
    pub commit_count: usize,
    /// Whether any breaking change, entry or architecture document is listed.
    pub has_changes: bool,
}

/// Builds the notes data of `release`.
pub fn build(release: &Release, repository: &Repository, config: &NotesConfig) -> NotesData {
    let links = Links::new(repository);
    let parsed: Vec<Parsed> = release.commits.iter().map(|c| commit::parse(&c.message, config.preset)).collect();
    let pairs: Vec<(&str, &Parsed)> = release.commits.iter().zip(&parsed).map(|(c, p)| (c.id.as_str(), p)).collect();
    let cancelled = revert::pair(&pairs, config.preset);

    let mut breaking_changes = Vec::new();
    let mut buckets: Vec<Vec<Entry>> = vec![Vec::new(); config.sections.len()];
    let mut other = Vec::new();
    let mut kept: Vec<&Commit> = Vec::new();
    // The commits behind what the notes list: only their authors are thanked.
    let mut shown: HashSet<&str> = HashSet::new();

    // Oldest first: entries read in the order the work happened.
    for (c, p) in release.commits.iter().zip(&parsed).rev() {
        if cancelled.contains(&c.id) {
            continue;
        }
        kept.push(c);
        let kind = if p.is_revert() { Some("revert".to_string()) } else { p.kind().map(str::to_string) };
        for b in &p.breaking {
            shown.insert(&c.id);
            breaking_changes.push(BreakingEntry {
                id: c.id.clone(),
                short_id: short_id(&c.id).to_string(),
                commit_url: links.commit(&c.id),
                kind: kind.clone(),
                scope: p.scope().map(str::to_string),
                scope_md: p.scope().map(escape_html),
                text_md: linked(&b.text, &links),
                text: b.text.clone(),
                description: p.description().to_string(),
            });
        }
        let entry = entry_for(c, p, kind.clone(), &links);
        let section = kind.as_deref().and_then(|k| section_of(&config.sections, k));
        let as_other =
            section.is_none() && p.conventional.is_none() && !p.is_revert() && config.include_non_conventional;
        let squashed = if config.split_squash { squash_entries(c, p, &links, config.preset) } else { Vec::new() };
        let listed_in_section = |e: &Entry| e.kind.as_deref().and_then(|k| section_of(&config.sections, k));
        // A non-conventional squash subject in "Other changes" gives way to the
        // typed entry of the one commit it stands for.
        let replaced =
            as_other && squashed.iter().any(|s| s.stands_for_parent && listed_in_section(&s.entry).is_some());
        match section {
            Some(i) => {
                shown.insert(&c.id);
                buckets[i].push(entry)
            }
            None if as_other && !replaced => {
                shown.insert(&c.id);
                other.push(entry)
            }
            None => {}
        }
        let parent_listed = section.is_some() || (as_other && !replaced);
        for listed in squashed {
            if listed.stands_for_parent && parent_listed {
                continue;
            }
            if let Some(i) = listed_in_section(&listed.entry) {
                shown.insert(&c.id);
                buckets[i].push(listed.entry);
            }
        }
    }

    let mut sections: Vec<SectionData> = config
        .sections
        .iter()
        .zip(buckets)
        .filter(|(_, entries)| !entries.is_empty())
        .map(|(def, entries)| section(def.title.clone(), def.types.clone(), entries))
        .collect();
    if !other.is_empty() {
        sections.push(section(config.other_title.clone(), Vec::new(), other));
    }

    let architecture = architecture_docs(&kept, &config.architecture_paths, &links, &release.tag);
    // A listed architecture document shows the commits that changed it.
    let documents: HashSet<&str> = architecture.iter().map(|a| a.path.as_str()).collect();
    let thanked: Vec<&Commit> = kept
        .iter()
        .copied()
        .filter(|c| {
            shown.contains(c.id.as_str()) || c.changed_paths.iter().any(|p| documents.contains(p.path.as_str()))
        })
        .collect();
    let contributors = if config.contributors { contributors(&thanked, &links) } else { Vec::new() };
    let has_changes = !breaking_changes.is_empty() || !sections.is_empty() || !architecture.is_empty();
    let previous_tag = release.previous.as_ref().map(|t| t.name.clone());
    NotesData {
        version: release.version.clone(),
        tag: release.tag.clone(),
        compare_url: previous_tag.as_deref().and_then(|p| links.compare(p, &release.tag)),
        tag_url: links.tag(&release.tag),
        previous_tag,
        date: release.date.clone(),
        commit_id: release.commit_id.clone(),
        prerelease: semver::Version::parse(&release.version).is_ok_and(|v| !v.pre.is_empty()),
        repository: RepositoryData {
            forge: forge_name(repository.forge),
            web_url: links.web().map(str::to_string),
            remote_url: repository.remote_url.clone(),
        },
        breaking_title: config.breaking_title.clone(),
        breaking_changes,
        sections,
        architecture,
        contributors,
        scope_style: config.scopes,
        commit_count: release.commits.len(),
        has_changes,
    }
}

pub fn forge_name(forge: ForgeKind) -> &'static str {
    match forge {
        ForgeKind::Github => "github",
        ForgeKind::Gitlab => "gitlab",
        ForgeKind::Unknown => "unknown",
    }
}

fn section_of(sections: &[SectionDef], kind: &str) -> Option<usize> {
    sections.iter().position(|s| s.types.iter().any(|t| t.eq_ignore_ascii_case(kind)))
}

fn section(title: String, types: Vec<String>, mut entries: Vec<Entry>) -> SectionData {
    // Stable: commit order is kept within a scope.
    entries.sort_by(|a, b| a.scope.cmp(&b.scope));
    SectionData { title, types, entries }
}

fn linked(text: &str, links: &Links<'_>) -> String {
    let found = refs::find(text, links.forge());
    refs::linkify(text, &found, links)
}

/// What an entry says: the description, or for a revert the change it takes
/// back, so that it is listed under that change (a re-application reads as
/// the change itself).
fn entry_description(p: &Parsed) -> String {
    match p.revert.as_ref().filter(|_| p.is_revert()) {
        Some(of) => of.title().unwrap_or_else(|| p.description().to_string()),
        None => p.description().to_string(),
    }
}

fn entry_for(c: &Commit, p: &Parsed, kind: Option<String>, links: &Links<'_>) -> Entry {
    let description = entry_description(p);
    let in_description = refs::find(&description, links.forge());
    Entry {
        id: c.id.clone(),
        short_id: short_id(&c.id).to_string(),
        commit_url: links.commit(&c.id),
        kind,
        scope: p.scope().map(str::to_string),
        scope_md: p.scope().map(escape_html),
        description_md: refs::linkify(&description, &in_description, links),
        references: body_references(&p.body, &in_description, links),
        description,
        breaking: p.is_breaking(),
        author: author(&c.author.name, &c.author.email, links),
        from_squash: false,
    }
}

/// The body's references that follow a keyword, each once, leaving out those
/// the description already links: `feat: export (#12)` with `Closes #12`
/// links #12 once. Two references are the same when they lead to the same
/// page (`#12` and `acme/rocket#12` in acme/rocket), else when written alike.
fn body_references(body: &str, in_description: &[Reference], links: &Links<'_>) -> Vec<ReferenceData> {
    let key = |r: &Reference| r.url(links).unwrap_or_else(|| r.text.clone());
    let mut seen: HashSet<String> = in_description.iter().map(key).collect();
    refs::find(body, links.forge())
        .into_iter()
        .filter(|r| r.action.is_some())
        .filter(|r| seen.insert(key(r)))
        .map(|r: Reference| ReferenceData {
            url: r.url(links),
            keyword: r.action.as_ref().map(|a| a.to_ascii_lowercase()),
            text: r.text,
        })
        .collect()
}

/// A commit a squash commit's body lists, as an entry.
struct Squashed {
    entry: Entry,
    /// Set when the squash commit's own entry already stands for this commit:
    /// the body lists only this one, or it restates the squash subject.
    stands_for_parent: bool,
}

/// GitHub's default squash body lists the squashed commits as `* type: ...`
/// lines; each conventional one becomes an entry of its own, once.
///
/// A pull request of one commit is one change: GitHub's squash body then
/// lists that commit alone (`* feat: x` under `feat: x (#12)`), and the same
/// words twice in the notes say nothing more. Each listed commit is marked
/// when the squash commit's entry stands for it; the caller leaves it out
/// when that entry is listed.
fn squash_entries(c: &Commit, p: &Parsed, links: &Links<'_>, preset: Preset) -> Vec<Squashed> {
    let items: Vec<&str> = p
        .body
        .lines()
        .filter(|line| !commit::is_thematic_break(line))
        .filter_map(|line| line.trim_start().strip_prefix("* ").or_else(|| line.trim_start().strip_prefix("- ")))
        .collect();
    let single = items.len() == 1;
    let parent = restatement_key(p.scope(), &entry_description(p));
    let mut seen: HashSet<(Option<String>, Option<String>, String)> = HashSet::new();
    items
        .into_iter()
        .map(|listed| commit::parse(listed, preset))
        .filter(|listed| listed.conventional.is_some())
        .filter(|listed| {
            let (scope, words) = restatement_key(listed.scope(), &entry_description(listed));
            seen.insert((listed.kind().map(str::to_lowercase), scope, words))
        })
        .map(|listed| {
            let mut entry = entry_for(c, &listed, listed.kind().map(str::to_string), links);
            entry.from_squash = true;
            let restates = restates(&parent, &restatement_key(listed.scope(), &entry.description));
            Squashed { entry, stands_for_parent: single || restates }
        })
        .collect()
}

/// A scope and description as compared to find the same change written
/// twice: without the pull request a squash merge appends (`(#12)`), case,
/// runs of whitespace and a final period.
fn restatement_key(scope: Option<&str>, description: &str) -> (Option<String>, String) {
    let words = commit::without_pull_request(description.trim()).trim_end().trim_end_matches('.');
    let words = words.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase();
    (scope.map(|s| s.trim().to_lowercase()), words)
}

/// Whether a listed commit says what the squash subject says. The type may
/// differ (the pull request's title is written later, often as `feat` over a
/// `fix`), and a scope on only one side is the title adding or dropping it.
fn restates(parent: &(Option<String>, String), listed: &(Option<String>, String)) -> bool {
    let scopes_agree = match (&parent.0, &listed.0) {
        (Some(a), Some(b)) => a == b,
        _ => true,
    };
    !parent.1.is_empty() && parent.1 == listed.1 && scopes_agree
}

fn architecture_docs(commits: &[&Commit], globs: &[Glob], links: &Links<'_>, tag: &str) -> Vec<ArchitectureDoc> {
    // Net change over the release (`commits` are oldest first).
    crate::net_changes(commits.iter().copied(), |path| glob::any_match(globs, path))
        .into_iter()
        .map(|(path, change)| ArchitectureDoc {
            path: path.to_string(),
            url: if change == ChangeKind::Deleted { None } else { links.file_at(tag, path) },
            change: match change {
                ChangeKind::Added => "added",
                ChangeKind::Modified => "modified",
                ChangeKind::Deleted => "removed",
            },
        })
        .collect()
}

/// The forge username in a no-reply address of the forge that hosts the
/// repository: `12345+ada@users.noreply.github.com` → `ada` on GitHub,
/// `12345-ada@users.noreply.gitlab.example.com` → `ada` on that GitLab.
/// Addresses of another forge say nothing about this one's users.
pub fn noreply_username(email: &str, links: &Links<'_>) -> Option<String> {
    let (local, domain) = email.rsplit_once('@')?;
    if !domain.eq_ignore_ascii_case(links.noreply_domain()?) {
        return None;
    }
    let name = match links.forge() {
        ForgeKind::Github => local.split_once('+').map_or(local, |(_, user)| user),
        _ => match local.split_once('-') {
            Some((id, user)) if id.chars().all(|c| c.is_ascii_digit()) => user,
            _ => local,
        },
    };
    is_login(name).then(|| name.to_string())
}

/// Whether `name` can be a forge login (letters, digits, `-`, `_`, `.`, and a
/// bot's `[bot]`): a no-reply address is written by whoever makes the
/// commit, and the login lands in markdown and in a URL.
fn is_login(name: &str) -> bool {
    let base = name.strip_suffix("[bot]").unwrap_or(name);
    !base.is_empty() && base.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

fn author(name: &str, email: &str, links: &Links<'_>) -> Author {
    Author { name: name.to_string(), username: noreply_username(email, links) }
}

/// The people (and bots) to thank: the authors and `Co-authored-by:`
/// co-authors of `commits`, each once.
///
/// Two records are one person when they share a name (any case), an e-mail
/// address (any case), or a forge's no-reply id: GitHub writes
/// `<id>+<login>@users.noreply.github.com`, GitLab `<id>-<login>@users.noreply.<host>`,
/// and the id stays when the login is renamed. The first name seen is shown,
/// with the newest login. A GitHub App's account (`dependabot[bot]`) has no
/// user page: it links to the app's page (`/apps/dependabot`) on GitHub and
/// to nothing elsewhere.
fn contributors(commits: &[&Commit], links: &Links<'_>) -> Vec<Contributor> {
    struct Person {
        name: String,
        username: Option<String>,
    }
    let mut people: Vec<Person> = Vec::new();
    // identity key → index in `people`; merged people point at the survivor
    let mut index: HashMap<String, usize> = HashMap::new();
    let mut merged_into: Vec<usize> = Vec::new();
    let root = |merged_into: &[usize], mut i: usize| {
        while merged_into[i] != i {
            i = merged_into[i];
        }
        i
    };
    let mut add = |name: &str, email: &str| {
        let name = name.trim();
        let email = email.trim();
        if name.is_empty() {
            return;
        }
        let mut keys = vec![format!("name:{}", name.to_lowercase())];
        if !email.is_empty() {
            keys.push(format!("email:{}", email.to_lowercase()));
        }
        if let Some(id) = noreply_id(email) {
            keys.push(format!("noreply:{id}"));
        }
        let username = noreply_username(email, links);
        let found: Vec<usize> = keys.iter().filter_map(|k| index.get(k)).map(|i| root(&merged_into, *i)).collect();
        let at = match found.iter().min() {
            Some(&first) => {
                for &other in &found {
                    merged_into[other] = first;
                    if other != first && people[first].username.is_none() {
                        people[first].username = people[other].username.take();
                    }
                }
                if username.is_some() {
                    people[first].username = username;
                }
                first
            }
            None => {
                people.push(Person { name: name.to_string(), username });
                merged_into.push(people.len() - 1);
                people.len() - 1
            }
        };
        for k in keys {
            index.insert(k, at);
        }
    };
    for c in commits {
        add(&c.author.name, &c.author.email);
        for (name, email) in co_authors(&c.message) {
            add(name, email);
        }
    }
    let mut out: Vec<Contributor> = people
        .into_iter()
        .enumerate()
        .filter(|(i, _)| merged_into[*i] == *i)
        .map(|(_, p)| {
            let account = [p.username.as_deref(), Some(p.name.as_str())].into_iter().flatten().find(|n| is_bot(n));
            match account {
                Some(account) => {
                    let app = account.get(..account.len() - "[bot]".len()).unwrap_or(account);
                    Contributor {
                        url: links.app(app).filter(|_| is_login(app)),
                        name_md: escape_html(&p.name),
                        name: p.name,
                        username: None,
                        bot: true,
                    }
                }
                None => {
                    let url = p.username.as_deref().and_then(|u| links.user(u));
                    Contributor { name_md: escape_html(&p.name), name: p.name, username: p.username, url, bot: false }
                }
            }
        })
        .collect();
    out.sort_by_cached_key(|c| c.name.to_lowercase());
    out
}

/// GitHub names an App's account `<app>[bot]`.
fn is_bot(name: &str) -> bool {
    name.len() > "[bot]".len() && name.to_ascii_lowercase().ends_with("[bot]")
}

/// The numeric account id of a forge no-reply address, with its domain:
/// `1234+ada@users.noreply.github.com` → `users.noreply.github.com:1234`.
fn noreply_id(email: &str) -> Option<String> {
    let (local, domain) = email.rsplit_once('@')?;
    let domain = domain.to_ascii_lowercase();
    if !domain.starts_with("users.noreply.") {
        return None;
    }
    let (id, _) = local.split_once(['+', '-'])?;
    (!id.is_empty() && id.bytes().all(|b| b.is_ascii_digit())).then(|| format!("{domain}:{id}"))
}

/// The `Co-authored-by: Name <email>` trailers of a message.
fn co_authors(message: &str) -> impl Iterator<Item = (&str, &str)> {
    message.lines().filter_map(|line| {
        let rest = line.trim().strip_prefix("Co-authored-by:")?.trim();
        Some(match rest.split_once('<') {
            Some((n, e)) => (n.trim(), e.trim_end_matches('>').trim()),
            None => (rest, ""),
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::{ChangedPath, Person, Tag};

    fn commit(id: &str, message: &str) -> Commit {
        Commit {
            id: id.repeat(40 / id.len().max(1)),
            message: message.to_string(),
            author: Person { name: "Ada Lovelace".into(), email: "1+ada@users.noreply.github.com".into() },
            time: 0,
            parents: vec![],
            changed_paths: vec![],
        }
    }

    fn release(commits: Vec<Commit>) -> Release {
        Release {
            version: "1.3.0".into(),
            tag: "v1.3.0".into(),
            commit_id: "f".repeat(40),
            date: "2026-11-29".into(),
            previous: Some(Tag {
                name: "v1.2.0".into(),
                version: "1.2.0".into(),
                commit_id: "e".repeat(40),
                time: 0,
                date: String::new(),
            }),
            commits,
        }
    }

    fn github() -> Repository {
        Repository {
            remote_url: Some("git@github.com:acme/rocket.git".into()),
            forge: ForgeKind::Github,
            web_url: Some("https://github.com/acme/rocket".into()),
        }
    }

    #[test]
    fn sections_follow_configuration_order_and_hide_other_types() {
        let r = release(vec![commit("1", "fix: b"), commit("2", "chore: c"), commit("3", "feat(api): a")]);
        let d = build(&r, &github(), &NotesConfig::default());
        let titles: Vec<&str> = d.sections.iter().map(|s| s.title.as_str()).collect();
        assert_eq!(titles, ["Features", "Bug fixes"]);
        assert_eq!(d.compare_url.as_deref(), Some("https://github.com/acme/rocket/compare/v1.2.0...v1.3.0"));
        assert_eq!(d.contributors[0].username.as_deref(), Some("ada"));
    }

    #[test]
    fn reverted_pairs_are_left_out() {
        let feat = commit("a", "feat: x");
        let revert = commit("b", &format!("Revert \"feat: x\"\n\nThis reverts commit {}.", feat.id));
        let d = build(&release(vec![revert, feat, commit("c", "fix: y")]), &github(), &NotesConfig::default());
        assert_eq!(d.sections.len(), 1);
        assert_eq!(d.sections[0].entries[0].description, "y");
    }

    fn entries(d: &NotesData) -> Vec<(&str, &str)> {
        d.sections.iter().flat_map(|s| s.entries.iter().map(|e| (s.title.as_str(), e.description.as_str()))).collect()
    }

    #[test]
    fn feat_revert_reapply_releases_the_feature() {
        let feat = commit("a", "feat: add offline mode");
        let revert = commit("b", &format!("Revert \"feat: add offline mode\"\n\nThis reverts commit {}.", feat.id));
        let reapply = commit("c", &format!("Reapply \"feat: add offline mode\"\n\nThis reverts commit {}.", revert.id));
        let d =
            build(&release(vec![reapply.clone(), revert.clone(), feat.clone()]), &github(), &NotesConfig::default());
        assert_eq!(entries(&d), [("Features", "add offline mode")]);
        assert_eq!(d.sections[0].entries[0].id, feat.id);
        // and a fourth commit takes it back again
        let again = commit(
            "d",
            &format!("Revert \"Reapply \"feat: add offline mode\"\"\n\nThis reverts commit {}.", reapply.id),
        );
        let d = build(&release(vec![again, reapply.clone(), revert, feat]), &github(), &NotesConfig::default());
        assert!(entries(&d).is_empty());
        // a re-application of a change released (and reverted) before reads as that change
        let d = build(&release(vec![reapply]), &github(), &NotesConfig::default());
        assert_eq!(entries(&d), [("Features", "add offline mode")]);
    }

    #[test]
    fn github_s_squashed_revert_is_listed_as_a_revert() {
        let r = release(vec![commit("b", "Revert \"fix(x): handle y\" (#123)\n\nThis reverts commit 0123456789.")]);
        let d = build(&r, &github(), &NotesConfig::default());
        assert_eq!(entries(&d), [("Reverts", "fix(x): handle y (#123)")]);
        assert_eq!(
            d.sections[0].entries[0].description_md,
            "fix(x): handle y ([#123](https://github.com/acme/rocket/issues/123))"
        );
        // a revert known only by git's line is listed under its own words
        let r = release(vec![commit("b", "chore: back out the cache\n\nThis reverts commit 0123456789.")]);
        let d = build(&r, &github(), &NotesConfig::default());
        assert_eq!(entries(&d), [("Reverts", "back out the cache")]);
    }

    fn split(messages: &[&str], config: NotesConfig) -> Vec<(String, String)> {
        let commits = messages.iter().enumerate().rev().map(|(i, m)| commit(&format!("{:x}", i + 1), m)).collect();
        let d = build(&release(commits), &github(), &NotesConfig { split_squash: true, ..config });
        entries(&d).into_iter().map(|(t, e)| (t.to_string(), e.to_string())).collect()
    }

    fn pairs(expected: &[(&str, &str)]) -> Vec<(String, String)> {
        expected.iter().map(|(t, e)| (t.to_string(), e.to_string())).collect()
    }

    #[test]
    fn a_single_commit_squash_is_listed_once() {
        let listed = |message: &str| split(&[message], NotesConfig::default());
        // GitHub's squash body of a one-commit pull request: the subject and its bullet
        assert_eq!(listed("feat: add export (#12)\n\n* feat: add export"), pairs(&[("Features", "add export (#12)")]));
        // with the rule and trailers GitHub writes, and CRLF line ends
        assert_eq!(
            listed(
                "fix(ui): keep panel open (#7)\r\n\r\n* fix(ui): keep panel open\r\n\r\n---------\r\n\r\nCo-authored-by: Kim <kim@example.com>"
            ),
            pairs(&[("Bug fixes", "keep panel open (#7)")])
        );
        // one bullet in other words: still one commit, one change
        assert_eq!(
            listed("feat: bulk export (#12)\n\n* feat(api): add a CSV endpoint"),
            pairs(&[("Features", "bulk export (#12)")])
        );
        // `-` bullets, a bullet of another type
        assert_eq!(listed("feat: add export (#12)\n\n- fix: add export"), pairs(&[("Features", "add export (#12)")]));
        // the subject repeated in the body without a bullet lists nothing more
        assert_eq!(listed("feat: add export (#12)\n\nfeat: add export"), pairs(&[("Features", "add export (#12)")]));
    }

    #[test]
    fn a_squashed_commit_that_restates_the_subject_is_not_listed_again() {
        let listed = |message: &str| split(&[message], NotesConfig::default());
        let search =
            "feat(search): fuzzy matching (#51)\n\n* feat(search): Fuzzy  matching.\n\n* fix(search): ignore case";
        assert_eq!(listed(search), pairs(&[("Features", "fuzzy matching (#51)"), ("Bug fixes", "ignore case")]));
        // the pull request differs: a squashed commit that was itself a squash merge
        let nested = "fix: handle y (#124)\n\n* fix: handle y (#123)\n\n* fix: handle z (#122)";
        assert_eq!(listed(nested), pairs(&[("Bug fixes", "handle y (#124)"), ("Bug fixes", "handle z (#122)")]));
        // a scope on one side only is the same change; two scopes are two changes
        let scoped = "feat: add x (#5)\n\n* feat(api): add x\n\n* fix: y";
        assert_eq!(listed(scoped), pairs(&[("Features", "add x (#5)"), ("Bug fixes", "y")]));
        let two = "feat(api): add x (#5)\n\n* feat(cli): add x\n\n* fix: y";
        assert_eq!(listed(two), pairs(&[("Features", "add x (#5)"), ("Features", "add x"), ("Bug fixes", "y")]));
        // the same commit message twice in one squash is one entry
        let twice = "feat: big (#5)\n\n* fix: typo\n\n* fix: Typo\n\n* feat: a";
        assert_eq!(listed(twice), pairs(&[("Features", "big (#5)"), ("Features", "a"), ("Bug fixes", "typo")]));
        // distinct commits are all listed, as before
        let many = "feat: big (#5)\n\n* feat: a\n\n* fix: b";
        assert_eq!(listed(many), pairs(&[("Features", "big (#5)"), ("Features", "a"), ("Bug fixes", "b")]));
    }

    #[test]
    fn a_squash_whose_subject_is_not_listed_lists_its_commit_once() {
        // a hidden type: the listed commit is the one entry
        let d = split(&["chore: merge (#5)\n\n* feat: a"], NotesConfig::default());
        assert_eq!(d, pairs(&[("Features", "a")]));
        let d = split(&["chore: add export (#5)\n\n* feat: add export"], NotesConfig::default());
        assert_eq!(d, pairs(&[("Features", "add export")]));
        // a non-conventional subject gives way to the typed commit it stands for
        let other = || NotesConfig { include_non_conventional: true, ..NotesConfig::default() };
        assert_eq!(split(&["Add export (#12)\n\n* feat: add export"], other()), pairs(&[("Features", "add export")]));
        assert_eq!(
            split(&["Export things (#12)\n\n* feat: add export"], other()),
            pairs(&[("Features", "add export")])
        );
        assert_eq!(
            split(&["Export things (#12)\n\n* feat: add export\n\n* fix: y"], other()),
            pairs(&[("Features", "add export"), ("Bug fixes", "y"), ("Other changes", "Export things (#12)")])
        );
        assert_eq!(
            split(&["Add export (#12)\n\n* feat: add export\n\n* fix: y"], other()),
            pairs(&[("Features", "add export"), ("Bug fixes", "y")])
        );
        // a one-commit squash of a hidden type keeps the subject in "Other changes"
        assert_eq!(split(&["Tidy (#12)\n\n* chore: tidy"], other()), pairs(&[("Other changes", "Tidy (#12)")]));
        // each squash commit on its own: the same words in two pull requests are two entries
        assert_eq!(
            split(&["fix: typo (#1)\n\n* fix: typo", "fix: typo (#2)\n\n* fix: typo"], NotesConfig::default()),
            pairs(&[("Bug fixes", "typo (#1)"), ("Bug fixes", "typo (#2)")])
        );
    }

    #[test]
    fn scoped_entries_sort_after_unscoped() {
        let r = release(vec![commit("1", "feat(b): one"), commit("2", "feat: two"), commit("3", "feat(a): three")]);
        let d = build(&r, &github(), &NotesConfig::default());
        let order: Vec<&str> = d.sections[0].entries.iter().map(|e| e.description.as_str()).collect();
        assert_eq!(order, ["two", "three", "one"]);
        assert_eq!(d.sections[0].scopes().len(), 3);
    }

    #[test]
    fn architecture_docs_net_change() {
        let mut c1 = commit("1", "docs: adr");
        c1.changed_paths = vec![
            ChangedPath { path: "docs/adr/0001-a.md".into(), change: ChangeKind::Added },
            ChangedPath { path: "docs/adr/0002-b.md".into(), change: ChangeKind::Modified },
            ChangedPath { path: "docs/adrs.md".into(), change: ChangeKind::Added },
        ];
        let mut c2 = commit("2", "docs: more");
        c2.changed_paths = vec![ChangedPath { path: "docs/adr/0001-a.md".into(), change: ChangeKind::Modified }];
        let d = build(&release(vec![c2, c1]), &github(), &NotesConfig::default());
        let got: Vec<(&str, &str)> = d.architecture.iter().map(|a| (a.path.as_str(), a.change)).collect();
        assert_eq!(got, [("docs/adr/0001-a.md", "added"), ("docs/adr/0002-b.md", "modified")]);
    }

    fn references(message: &str) -> (String, Vec<(Option<String>, String)>) {
        let d = build(&release(vec![commit("1", message)]), &github(), &NotesConfig::default());
        let e = &d.sections[0].entries[0];
        (e.description_md.clone(), e.references.iter().map(|r| (r.keyword.clone(), r.text.clone())).collect())
    }

    #[test]
    fn a_reference_is_linked_once_per_entry() {
        let (md, refs) = references("feat(api): add bulk export (#12)\n\nCloses #12");
        assert_eq!(md, "add bulk export ([#12](https://github.com/acme/rocket/issues/12))");
        assert!(refs.is_empty(), "{refs:?}");
        // the same issue written with this project's path
        let (_, refs) = references("feat: x (#12)\n\nFixes acme/rocket#12, #12 and #13");
        assert_eq!(refs, [(Some("fixes".into()), "#13".into())]);
        // on an unknown forge: compared as written
        let r = release(vec![commit("1", "fix: y (#3)\n\nCloses #3, #4")]);
        let unknown = Repository { remote_url: None, forge: ForgeKind::Unknown, web_url: None };
        let d = build(&r, &unknown, &NotesConfig::default());
        let got: Vec<&str> = d.sections[0].entries[0].references.iter().map(|r| r.text.as_str()).collect();
        assert_eq!(got, ["#4"]);
    }

    #[test]
    fn every_reference_of_a_closing_list_is_listed() {
        let (_, refs) = references("fix: z\n\nCloses #4, #5\nFixes #6 and #7\nResolves #1 & #2");
        let got: Vec<(&str, &str)> = refs.iter().map(|(k, t)| (k.as_deref().unwrap_or(""), t.as_str())).collect();
        assert_eq!(
            got,
            [
                ("closes", "#4"),
                ("closes", "#5"),
                ("fixes", "#6"),
                ("fixes", "#7"),
                ("resolves", "#1"),
                ("resolves", "#2")
            ]
        );
        let (md, refs) = references("fix: escape &#39; in titles\n\nSee &#x27; and &#39;");
        assert_eq!(md, "escape &amp;#39; in titles");
        assert!(refs.is_empty());
    }

    #[test]
    fn html_in_commit_text_is_escaped_in_the_markdown_fields() {
        let r = release(vec![
            commit("1", "fix(ui): keep <details> open after reload (#7)"),
            commit("2", "feat: parse `Vec<u8>` <b>\n\nBREAKING CHANGE: <T> is gone, see #8:\n```\nlet x: Vec<T>;\n```"),
        ]);
        let d = build(&r, &github(), &NotesConfig::default());
        let fix = &d.sections[1].entries[0];
        assert_eq!(fix.description, "keep <details> open after reload (#7)");
        assert_eq!(
            fix.description_md,
            "keep &lt;details&gt; open after reload ([#7](https://github.com/acme/rocket/issues/7))"
        );
        assert_eq!(d.sections[0].entries[0].description_md, "parse `Vec<u8>` &lt;b&gt;");
        assert_eq!(
            d.breaking_changes[0].text_md,
            "&lt;T&gt; is gone, see [#8](https://github.com/acme/rocket/issues/8):\n```\nlet x: Vec<T>;\n```"
        );
    }

    #[test]
    fn scopes_and_names_have_escaped_markdown_fields() {
        let mut c = commit("1", "feat(<ui>)!: x\n\nBREAKING CHANGE: y");
        c.author.name = "Ann <ann>".into();
        let d = build(&release(vec![c]), &github(), &NotesConfig::default());
        let e = &d.sections[0].entries[0];
        assert_eq!((e.scope.as_deref(), e.scope_md.as_deref()), (Some("<ui>"), Some("&lt;ui&gt;")));
        assert_eq!(d.breaking_changes[0].scope_md.as_deref(), Some("&lt;ui&gt;"));
        assert_eq!(d.sections[0].scopes()[0].scope_md.as_deref(), Some("&lt;ui&gt;"));
        assert_eq!(
            (d.contributors[0].name.as_str(), d.contributors[0].name_md.as_str()),
            ("Ann <ann>", "Ann &lt;ann&gt;")
        );
    }

    #[test]
    fn a_no_reply_address_gives_a_login_only_when_it_can_be_one() {
        let gh = github();
        let gh = Links::new(&gh);
        assert_eq!(noreply_username("1+a-b_c.d@users.noreply.github.com", &gh).as_deref(), Some("a-b_c.d"));
        assert_eq!(noreply_username("1+x[bot]@users.noreply.github.com", &gh).as_deref(), Some("x[bot]"));
        for bad in ["1+<b>@users.noreply.github.com", "1+a)(b@users.noreply.github.com", "1+@users.noreply.github.com"]
        {
            assert_eq!(noreply_username(bad, &gh), None, "{bad}");
        }
    }

    fn by(key: &str, message: &str, name: &str, email: &str) -> Commit {
        let mut c = commit(key, message);
        c.author = Person { name: name.into(), email: email.into() };
        c
    }

    type Thanked = (String, Option<String>, Option<String>, bool);

    fn thanked(commits: Vec<Commit>, repository: &Repository) -> Vec<Thanked> {
        let d = build(&release(commits), repository, &NotesConfig::default());
        d.contributors.into_iter().map(|c| (c.name, c.username, c.url, c.bot)).collect()
    }

    fn person(name: &str, user: Option<&str>) -> Thanked {
        (name.into(), user.map(str::to_string), user.map(|u| format!("https://github.com/{u}")), false)
    }

    #[test]
    fn bots_link_to_their_app_not_a_user() {
        let got = thanked(
            vec![
                by("1", "fix(deps): bump a", "dependabot[bot]", "49699333+dependabot[bot]@users.noreply.github.com"),
                by("2", "fix(deps): bump b", "renovate[bot]", "29139614+renovate[bot]@users.noreply.github.com"),
                by(
                    "3",
                    "fix: c\n\nCo-authored-by: github-actions[bot] <41898282+github-actions[bot]@users.noreply.github.com>",
                    "Ada Lovelace",
                    "1+ada@users.noreply.github.com",
                ),
            ],
            &github(),
        );
        let app =
            |name: &str, slug: &str| (name.to_string(), None, Some(format!("https://github.com/apps/{slug}")), true);
        assert_eq!(
            got,
            [
                person("Ada Lovelace", Some("ada")),
                app("dependabot[bot]", "dependabot"),
                app("github-actions[bot]", "github-actions"),
                app("renovate[bot]", "renovate"),
            ]
        );
        // elsewhere a bot has no link at all
        let gl =
            Repository { remote_url: None, forge: ForgeKind::Gitlab, web_url: Some("https://gitlab.com/g/p".into()) };
        let got = thanked(vec![by("1", "fix: a", "dependabot[bot]", "support@dependabot.com")], &gl);
        assert_eq!(got, [("dependabot[bot]".to_string(), None, None, true)]);
    }

    #[test]
    fn one_person_under_two_names_is_thanked_once() {
        // the same e-mail address
        let got = thanked(
            vec![
                by("1", "fix: a", "Grace Hopper", "Grace@Example.com"),
                by("2", "fix: b", "ghopper", "grace@example.com"),
            ],
            &github(),
        );
        assert_eq!(got, [person("ghopper", None)]);
        // the same no-reply id, after a rename of the login: the newest login is linked
        let got = thanked(
            vec![
                by("2", "fix: b", "G. Hopper", "98+grace-h@users.noreply.github.com"),
                by("1", "fix: a", "Grace Hopper", "98+grace@users.noreply.github.com"),
            ],
            &github(),
        );
        assert_eq!(got, [person("Grace Hopper", Some("grace-h"))]);
        // a chain: name ~ e-mail ~ no-reply id
        let got = thanked(
            vec![
                by("3", "fix: c", "grace", "98+grace@users.noreply.github.com"),
                by("2", "fix: b", "Grace Hopper", "grace@work.example"),
                by("1", "fix: a", "grace", "grace@work.example"),
            ],
            &github(),
        );
        assert_eq!(got, [person("grace", Some("grace"))]);
        // as a co-author too; different ids stay different people
        let got = thanked(
            vec![
                by(
                    "2",
                    "fix: b\n\nCo-authored-by: Grace H <98+grace@users.noreply.github.com>",
                    "Kim",
                    "7+kim@users.noreply.github.com",
                ),
                by("1", "fix: a", "Grace Hopper", "98+grace@users.noreply.github.com"),
            ],
            &github(),
        );
        assert_eq!(got, [person("Grace Hopper", Some("grace")), person("Kim", Some("kim"))]);
    }

    #[test]
    fn only_authors_of_shown_entries_are_thanked() {
        let got = thanked(
            vec![
                by(
                    "6",
                    &format!("Revert \"feat: z\"\n\nThis reverts commit {}.", "5".repeat(40)),
                    "Bo",
                    "bo@example.com",
                ),
                by("5", "feat: z", "Ann", "ann@example.com"),
                by("4", "feat: y", "Grace Hopper", "98+grace@users.noreply.github.com"),
                by("3", "Merge branch 'x'", "Lin", "lin@example.com"),
                by("2", "docs: typo", "Kim", "kim@example.com"),
                by("1", "chore(deps): update x", "renovate[bot]", "29139614+renovate[bot]@users.noreply.github.com"),
            ],
            &github(),
        );
        assert_eq!(got, [person("Grace Hopper", Some("grace"))]);
        // a breaking change, an architecture document and a listed squashed commit are shown
        let mut adr = by("7", "docs: record a decision", "Kim", "kim@example.com");
        adr.changed_paths = vec![ChangedPath { path: "docs/adr/0001-a.md".into(), change: ChangeKind::Added }];
        let got = thanked(vec![adr, by("8", "chore!: drop node 18", "Lin", "lin@example.com")], &github());
        assert_eq!(got, [person("Kim", None), person("Lin", None)]);
        let squash =
            by("9", "chore: merge (#5)\n\n* feat: a\n\nCo-authored-by: Ann <ann@example.com>", "Bo", "bo@example.com");
        let config = NotesConfig { split_squash: true, ..NotesConfig::default() };
        let d = build(&release(vec![squash.clone()]), &github(), &config);
        let names: Vec<&str> = d.contributors.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["Ann", "Bo"]);
        assert!(build(&release(vec![squash]), &github(), &NotesConfig::default()).contributors.is_empty());
    }

    #[test]
    fn noreply_forms() {
        let gh = github();
        let gh = Links::new(&gh);
        assert_eq!(noreply_username("123+ada@users.noreply.github.com", &gh).as_deref(), Some("ada"));
        assert_eq!(noreply_username("ada@users.noreply.github.com", &gh).as_deref(), Some("ada"));
        assert_eq!(noreply_username("ada@example.com", &gh), None);
        let gl = Repository {
            remote_url: None,
            forge: ForgeKind::Gitlab,
            web_url: Some("https://gitlab.example.com:8443/g/p".into()),
        };
        let gl = Links::new(&gl);
        assert_eq!(noreply_username("42-grace@users.noreply.gitlab.example.com", &gl).as_deref(), Some("grace"));
        assert_eq!(noreply_username("123+ada@users.noreply.github.com", &gl), None);
    }
}
