//! Reading commit messages as Conventional Commits, under one of two presets.
//!
//! - [`Preset::Conventional`] follows Conventional Commits 1.0 with the
//!   `git-conventional` parser: `type(scope)!: description`, footers, and the
//!   `BREAKING CHANGE:` / `BREAKING-CHANGE:` footer tokens. Types are compared
//!   case-insensitively, as the specification asks.
//! - [`Preset::SemanticRelease`] reads messages the way semantic-release's
//!   default commit analyzer does (the angular preset of
//!   `conventional-commits-parser`): header `^(\w*)(?:\((.*)\))?: (.*)$`, no
//!   `!` marker, case-sensitive types, and a breaking-change note on any line
//!   after the header that starts with `BREAKING CHANGE` followed by `:` or
//!   whitespace, whatever the header looks like.
//!
//! Both presets trim the message before reading it and recognise reverts.
//! `semantic-release` follows the angular `revertPattern` exactly. Under
//! `conventional` a commit is a revert when git's own line
//! `This reverts commit <hash>.` is in its body, whatever its subject says, or
//! when its subject is `revert: <header>` or git's `Revert "<header>"`.
//! git 2.43 and later write `Reapply "<header>"` when reverting a revert, and
//! older versions `Revert "Revert "<header>""`: each `Revert` counts one
//! revert and each `Reapply` two, so an even count re-applies `<header>`.
//! GitHub's revert button with a squash merge appends the pull request:
//! `Revert "fix(x): handle y" (#123)`.

use serde::{Deserialize, Serialize};

/// Which rules read the commits (the `preset` setting).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Preset {
    #[default]
    Conventional,
    SemanticRelease,
}

impl Preset {
    pub fn name(self) -> &'static str {
        match self {
            Preset::Conventional => "conventional",
            Preset::SemanticRelease => "semantic-release",
        }
    }
}

/// A Conventional Commit header: `type(scope)!: description`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Header {
    /// The type, lowercased under the `conventional` preset, as written under
    /// `semantic-release` (whose rules compare it case-sensitively).
    pub kind: String,
    pub scope: Option<String>,
    pub description: String,
    /// The `!` marker before the colon (only recognised by `conventional`).
    pub bang: bool,
}

/// Where a breaking change was declared.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BreakingSource {
    /// `type!:` in the header; the description is the text.
    Bang,
    /// A `BREAKING CHANGE` note or footer in the body.
    Note,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Breaking {
    pub text: String,
    pub source: BreakingSource,
}

/// The commit a revert undoes, as far as its message tells.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RevertOf {
    /// The reverted commit's header, when the message quotes it: for
    /// `Reapply "feat: x"` that is `Revert "feat: x"`.
    pub header: Option<String>,
    /// The reverted commit's hash (possibly abbreviated) from
    /// `This reverts commit <hash>.`.
    pub hash: Option<String>,
    /// The change at the end of a chain of quoted reverts: `feat: x` for
    /// `Revert "feat: x"`, `Reapply "feat: x"` and `Revert "Reapply "feat: x""`.
    pub original: Option<String>,
    /// Set when the chain counts an even number of reverts: the commit applies
    /// `original` again rather than taking it back.
    pub reapplies: bool,
    /// What follows the quoted header, such as the pull request GitHub's
    /// squash merge appends: `(#123)`.
    pub trailing: Option<String>,
}

impl RevertOf {
    /// How the notes name what was reverted: the original change, with the
    /// pull request of the revert when the subject names one.
    pub fn title(&self) -> Option<String> {
        let original = self.original.as_deref().or(self.header.as_deref())?;
        Some(match &self.trailing {
            Some(t) => format!("{original} {t}"),
            None => original.to_string(),
        })
    }
}

/// A footer (trailer): `Token: value` or `Token #value`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Footer {
    pub token: String,
    pub value: String,
}

/// A commit message read under a preset.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Parsed {
    /// The first line of the trimmed message.
    pub header: String,
    /// Set when the header is a Conventional Commit header under the preset.
    pub conventional: Option<Header>,
    /// Everything after the header, trimmed.
    pub body: String,
    pub breaking: Vec<Breaking>,
    pub footers: Vec<Footer>,
    pub revert: Option<RevertOf>,
}

impl Parsed {
    pub fn kind(&self) -> Option<&str> {
        self.conventional.as_ref().map(|h| h.kind.as_str())
    }

    pub fn scope(&self) -> Option<&str> {
        self.conventional.as_ref().and_then(|h| h.scope.as_deref())
    }

    /// The description for a conventional commit, else the whole header.
    pub fn description(&self) -> &str {
        self.conventional.as_ref().map_or(self.header.as_str(), |h| h.description.as_str())
    }

    pub fn is_breaking(&self) -> bool {
        !self.breaking.is_empty()
    }

    /// A revert that takes a change back (not one that re-applies it).
    pub fn is_revert(&self) -> bool {
        self.revert.as_ref().is_some_and(|r| !r.reapplies)
    }

    /// The first value of a footer, compared case-insensitively
    /// (`Release-As`, `release-as`).
    pub fn footer(&self, token: &str) -> Option<&str> {
        self.footers.iter().find(|f| f.token.eq_ignore_ascii_case(token)).map(|f| f.value.as_str())
    }
}

/// Reads `message` under `preset`.
///
/// ```
/// use relkit_plugin_sdk::commit::{parse, Preset};
/// let c = parse("feat(api)!: drop v1\n\nBREAKING CHANGE: v1 is gone", Preset::Conventional);
/// assert_eq!(c.kind(), Some("feat"));
/// assert_eq!(c.scope(), Some("api"));
/// assert_eq!(c.breaking[0].text, "v1 is gone");
///
/// // semantic-release ignores `!`:
/// assert!(!parse("feat!: drop v1", Preset::SemanticRelease).is_breaking());
/// ```
pub fn parse(message: &str, preset: Preset) -> Parsed {
    match preset {
        Preset::Conventional => parse_conventional(message),
        Preset::SemanticRelease => parse_angular(message),
    }
}

fn split_header(message: &str) -> (&str, &str) {
    match message.split_once('\n') {
        Some((header, rest)) => (header.trim_end_matches('\r'), rest.trim()),
        None => (message, ""),
    }
}

fn parse_conventional(message: &str) -> Parsed {
    let message = message.trim();
    let (header, body) = split_header(message);
    let whole = git_conventional::Commit::parse(message);
    // git-conventional is strict about the body layout (a blank line after the
    // header, footers last). When only that fails, the header still counts.
    let commit = whole.or_else(|_| git_conventional::Commit::parse(header));
    let (conventional, mut footers, mut breaking) = match commit {
        Ok(c) => {
            let bang = header_has_bang(header);
            let conventional = Header {
                kind: c.type_().as_str().to_ascii_lowercase(),
                scope: c.scope().map(|s| s.as_str().to_string()),
                description: c.description().to_string(),
                bang,
            };
            let footers: Vec<Footer> = c
                .footers()
                .iter()
                .map(|f| Footer { token: f.token().as_str().to_string(), value: f.value().to_string() })
                .collect();
            let breaking = if bang {
                vec![Breaking { text: c.description().to_string(), source: BreakingSource::Bang }]
            } else {
                Vec::new()
            };
            (Some(conventional), footers, breaking)
        }
        Err(_) => (None, Vec::new(), Vec::new()),
    };
    if footers.is_empty() {
        // Either a header-only parse or not conventional at all: a
        // breaking-change footer in the body still counts.
        footers = scan_footers(body);
    }
    let notes: Vec<Breaking> = footers
        .iter()
        .filter(|f| f.token == "BREAKING CHANGE" || f.token == "BREAKING-CHANGE")
        .map(|f| Breaking { text: end_of_note(&f.value).to_string(), source: BreakingSource::Note })
        .collect();
    if !notes.is_empty() {
        // A footer describes the change better than the `!` header does.
        breaking = notes;
    }
    let revert = conventional_revert(conventional.as_ref(), header, body);
    let mut conventional = conventional;
    if let Some(original) = revert.as_ref().filter(|r| r.reapplies).and_then(|r| r.original.as_deref()) {
        // A re-application is the original change again: it counts and reads
        // as that change (a reapplied `feat!:` is breaking again).
        if let Ok(c) = git_conventional::Commit::parse(original) {
            let trailing = revert.as_ref().and_then(|r| r.trailing.as_deref());
            let description = match trailing {
                Some(t) => format!("{} {t}", c.description()),
                None => c.description().to_string(),
            };
            let bang = header_has_bang(original);
            if bang && breaking.is_empty() {
                breaking.push(Breaking { text: description.clone(), source: BreakingSource::Bang });
            }
            conventional = Some(Header {
                kind: c.type_().as_str().to_ascii_lowercase(),
                scope: c.scope().map(|s| s.as_str().to_string()),
                description,
                bang,
            });
        }
    }
    Parsed { header: header.to_string(), conventional, body: body.to_string(), breaking, footers, revert }
}

/// `type!:` or `type(scope)!:`.
fn header_has_bang(header: &str) -> bool {
    let before_colon = header.split(':').next().unwrap_or("");
    before_colon.trim_end().ends_with('!')
}

/// Footers found line by line: `Token: value` or `Token #value`, where a
/// token is `BREAKING CHANGE` or a word without spaces. A value continues on
/// the following lines until a blank line or the next footer.
fn scan_footers(body: &str) -> Vec<Footer> {
    let mut footers: Vec<Footer> = Vec::new();
    let mut open = false;
    for line in body.lines() {
        let line = line.trim_end();
        if let Some(footer) = footer_start(line) {
            footers.push(footer);
            open = true;
        } else if line.is_empty() {
            open = false;
        } else if open && let Some(last) = footers.last_mut() {
            last.value.push('\n');
            last.value.push_str(line);
        }
    }
    footers
}

fn footer_start(line: &str) -> Option<Footer> {
    let token_end = if line.starts_with("BREAKING CHANGE") {
        "BREAKING CHANGE".len()
    } else {
        line.find(|c: char| !(c.is_alphanumeric() || c == '-' || c == '_'))?
    };
    if token_end == 0 {
        return None;
    }
    let (token, rest) = line.split_at(token_end);
    let value = rest.strip_prefix(": ").or_else(|| rest.strip_prefix(" #").map(|_| &rest[1..]))?;
    Some(Footer { token: token.to_string(), value: value.trim().to_string() })
}

/// The types of `@commitlint/config-conventional`: a list item that starts
/// with one of them is the summary of another commit.
const COMMIT_TYPES: &[&str] =
    &["build", "chore", "ci", "docs", "feat", "fix", "perf", "refactor", "revert", "style", "test"];

/// A breaking-change note, cut where the text stops describing it.
///
/// Both parsers let a note run on: the Conventional Commits grammar until the
/// next footer token, the angular parser until a line with an issue
/// reference. In GitHub's default squash message (each squashed commit a
/// `* type: summary` item, then a `---------` line and `Co-authored-by:`
/// trailers) that swallows the other commits. A note ends at
/// - a list item that starts another commit's summary (`* fix(x): y`),
/// - a thematic break (CommonMark: three or more `-`, `*` or `_`),
/// - the trailer block (git interpret-trailers: a last paragraph of
///   `Token: value` lines), or any `…-by:` trailer such as `Co-authored-by:`.
pub fn end_of_note(text: &str) -> &str {
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    let mut at = 0;
    for (i, line) in lines.iter().enumerate() {
        let starts_paragraph = i > 0 && lines[i - 1].trim().is_empty();
        let ends = i > 0
            && (starts_commit_summary(line)
                || is_thematic_break(line)
                || trailer_token(line).is_some_and(|t| t.to_ascii_lowercase().ends_with("-by"))
                || (starts_paragraph && lines[i..].iter().all(|l| l.trim().is_empty() || trailer_token(l).is_some())));
        if ends {
            break;
        }
        at += line.len();
    }
    text[..at].trim_end()
}

fn starts_commit_summary(line: &str) -> bool {
    let item = line.trim_start();
    let Some(summary) = item.strip_prefix("* ").or_else(|| item.strip_prefix("- ")).or_else(|| item.strip_prefix("+ "))
    else {
        return false;
    };
    git_conventional::Commit::parse(summary.trim())
        .is_ok_and(|c| COMMIT_TYPES.iter().any(|t| t.eq_ignore_ascii_case(c.type_().as_str())))
}

pub(crate) fn is_thematic_break(line: &str) -> bool {
    let marks: Vec<char> = line.chars().filter(|c| !c.is_whitespace()).collect();
    marks.len() >= 3 && matches!(marks[0], '-' | '*' | '_') && marks.iter().all(|c| *c == marks[0])
}

/// The token of a git trailer line, `Token: value` (letters, digits, `-`).
fn trailer_token(line: &str) -> Option<&str> {
    let (token, _) = line.split_once(": ")?;
    let ok = token.starts_with(|c: char| c.is_ascii_alphanumeric())
        && token.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
    ok.then_some(token)
}

fn conventional_revert(header: Option<&Header>, raw_header: &str, body: &str) -> Option<RevertOf> {
    let hash = reverted_hash(body);
    let quoted = match header {
        // `revert: <header>` is one revert of the (possibly quoted) header.
        Some(h) if h.kind == "revert" => {
            let target = unquote(&h.description);
            let inner = unwrap_reverts(target);
            Some(RevertChain { reverts: inner.reverts + 1, target: target.to_string(), ..inner })
        }
        _ => Some(unwrap_reverts(raw_header)).filter(|c| c.reverts > 0),
    };
    let Some(chain) = quoted else {
        // git's own line makes a revert whatever the subject says.
        return hash.map(|hash| RevertOf { hash: Some(hash), ..RevertOf::default() });
    };
    let non_empty = |s: String| Some(s).filter(|s| !s.trim().is_empty());
    Some(RevertOf {
        header: non_empty(chain.target),
        hash,
        original: non_empty(chain.original.to_string()),
        reapplies: chain.reverts % 2 == 0,
        trailing: chain.trailing.map(str::to_string),
    })
}

/// A subject read as nested quoted reverts.
struct RevertChain<'a> {
    /// How many reverts the chain counts (`Reapply` counts two).
    reverts: u32,
    /// The header of the commit the outermost layer reverts.
    target: String,
    /// The innermost header.
    original: &'a str,
    /// `(#123)` after the outermost closing quote.
    trailing: Option<&'a str>,
}

/// Peels `Revert "…"` and `Reapply "…"` layers off a subject, as git writes
/// them (sequencer.c: `Revert "<subject>"`; since 2.43 `Reapply "<original>"`
/// when the subject is itself `Revert "<original>"`). A layer's closing quote
/// is the last one in it, so quotes inside the header survive; a missing one
/// (a truncated subject) closes at the end.
fn unwrap_reverts(subject: &str) -> RevertChain<'_> {
    let mut chain = RevertChain { reverts: 0, target: String::new(), original: subject, trailing: None };
    let mut rest = subject.trim();
    loop {
        let (count, inside) = if let Some(r) = rest.strip_prefix("Revert \"") {
            (1, r)
        } else if let Some(r) = rest.strip_prefix("Reapply \"") {
            (2, r)
        } else {
            break;
        };
        let (inner, after) = match inside.rfind('"') {
            Some(close) => (&inside[..close], inside[close + 1..].trim()),
            None => (inside, ""),
        };
        if chain.reverts == 0 {
            chain.target = if count == 2 { format!("Revert \"{inner}\"") } else { inner.to_string() };
            // Only a parenthesised note (GitHub's pull request) is kept; other
            // text after the quote does not name the change.
            chain.trailing = Some(after).filter(|a| a.starts_with('(') && a.ends_with(')'));
        }
        chain.reverts += count;
        chain.original = inner;
        rest = inner.trim();
    }
    chain.original = chain.original.trim();
    chain
}

/// The quoted header of git's own revert message: `Revert "feat: x"` →
/// `feat: x`, `Revert "fix: y" (#12)` → `fix: y`.
pub fn git_revert_header(header: &str) -> Option<&str> {
    let rest = header.strip_prefix("Revert \"")?;
    Some(rest.rfind('"').map_or(rest, |close| &rest[..close]))
}

/// A header without the pull request a squash merge appends:
/// `fix: y (#12)` → `fix: y`.
pub fn without_pull_request(header: &str) -> &str {
    let h = header.trim_end();
    h.strip_suffix(')')
        .and_then(|h| h.rsplit_once(" (#"))
        .filter(|(_, n)| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
        .map_or(h, |(before, _)| before.trim_end())
}

fn unquote(text: &str) -> &str {
    let t = text.trim();
    t.strip_prefix('"').and_then(|t| t.strip_suffix('"')).unwrap_or(t)
}

/// The hash in `This reverts commit <hash>.` (case-insensitive), if any.
pub fn reverted_hash(text: &str) -> Option<String> {
    const PHRASE: &str = "this reverts commit ";
    let lower = text.to_ascii_lowercase();
    let at = lower.find(PHRASE)? + PHRASE.len();
    let hash: String = text[at..].chars().take_while(|c| c.is_ascii_alphanumeric()).collect();
    (!hash.is_empty()).then_some(hash)
}

// ---------------------------------------------------------------------------
// semantic-release (conventional-commits-parser with the angular preset)

fn parse_angular(message: &str) -> Parsed {
    // semantic-release trims every message before the analyzer sees it.
    let message = message.trim();
    let mut lines = message.split('\n').map(|l| l.strip_suffix('\r').unwrap_or(l));
    let header = lines.next().unwrap_or("").to_string();
    // The parser drops GPG output lines.
    let rest: Vec<&str> = lines.filter(|l| !l.trim_start().starts_with("gpg:")).collect();
    let body = rest.join("\n").trim().to_string();
    let conventional = angular_header(&header);

    let mut breaking: Vec<Breaking> = Vec::new();
    let mut footers = Vec::new();
    let mut in_field = false;
    let mut in_note = false;
    for line in &rest {
        // `^-(.*?)-$` starts a "field": every later line belongs to it until
        // the next field line, so a markdown `---` hides the footers below it
        // from note detection (conventional-commits-parser 6, which
        // commit-analyzer 13 uses).
        if line.len() >= 2 && line.starts_with('-') && line.ends_with('-') {
            in_field = line.len() > 2;
            in_note = false;
            continue;
        }
        if in_field {
            continue;
        }
        if let Some(text) = angular_note(line) {
            breaking.push(Breaking { text: text.to_string(), source: BreakingSource::Note });
            in_note = true;
            continue;
        }
        if let Some(footer) = footer_start(line.trim_end()) {
            footers.push(footer);
        }
        if in_note {
            // A line with an issue reference ends the note.
            if has_issue_reference(line) {
                in_note = false;
            } else if let Some(note) = breaking.last_mut() {
                note.text.push('\n');
                note.text.push_str(line);
            }
        }
    }
    for note in &mut breaking {
        note.text = end_of_note(note.text.trim_matches(|c| c == '\n' || c == '\r').trim()).to_string();
    }
    let revert = angular_revert(message);
    Parsed { header, conventional, body, breaking, footers, revert }
}

fn has_issue_reference(line: &str) -> bool {
    line.as_bytes().windows(2).any(|w| w[0] == b'#' && (w[1].is_ascii_alphanumeric() || w[1] == b'_'))
}

/// semantic-release drops commits whose message holds `[skip release]` or
/// `[release skip]` (any case, any whitespace between the words).
pub fn skips_release(message: &str) -> bool {
    let lower = message.to_ascii_lowercase();
    let squeeze = |a: &str, b: &str| {
        let mut from = 0;
        while let Some(i) = lower[from..].find(&format!("[{a}")) {
            let at = from + i + a.len() + 1;
            let after_ws = lower[at..].trim_start();
            if after_ws.len() < lower[at..].len() && after_ws.starts_with(&format!("{b}]")) {
                return true;
            }
            from = at;
        }
        false
    };
    squeeze("skip", "release") || squeeze("release", "skip")
}

/// `^(\w*)(?:\((.*)\))?: (.*)$` with JavaScript's `\w` (ASCII word characters)
/// and a greedy scope.
fn angular_header(header: &str) -> Option<Header> {
    let type_end = header.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).unwrap_or(header.len());
    let (kind, rest) = header.split_at(type_end);
    // The greedy `(.*)` scope ends at the last `): `.
    let scoped = rest.strip_prefix('(').and_then(|inner| {
        let close = inner.rfind("): ")?;
        Some((Some(inner[..close].to_string()), &inner[close + 3..]))
    });
    let (scope, description) = match scoped {
        // An empty group is null in conventional-commits-parser.
        Some((scope, description)) => (scope.filter(|s| !s.is_empty()), description),
        None => (None, rest.strip_prefix(": ")?),
    };
    Some(Header { kind: kind.to_string(), scope, description: description.to_string(), bang: false })
}

/// `^[\s|*]*(BREAKING CHANGE)[:\s]+(.*)`, case-insensitive: the note text.
fn angular_note(line: &str) -> Option<&str> {
    const KEYWORD: &str = "BREAKING CHANGE";
    let start = line.trim_start_matches(|c: char| c.is_whitespace() || c == '|' || c == '*');
    let head = start.get(..KEYWORD.len())?;
    if !head.eq_ignore_ascii_case(KEYWORD) {
        return None;
    }
    let after = &start[KEYWORD.len()..];
    let text = after.trim_start_matches(|c: char| c == ':' || c.is_whitespace());
    // `[:\s]+` needs at least one colon or space.
    (text.len() < after.len()).then_some(text)
}

/// `^(?:Revert|revert:)\s"?([\s\S]+?)"?\s*This reverts commit (\w{7,40})\b`,
/// case-insensitive, over the whole message (angular's `revertPattern`).
fn angular_revert(message: &str) -> Option<RevertOf> {
    const PHRASE: &str = "this reverts commit ";
    let lower = message.to_ascii_lowercase();
    let keyword = if lower.starts_with("revert") && !lower.starts_with("revert:") {
        "revert".len()
    } else if lower.starts_with("revert:") {
        "revert:".len()
    } else {
        return None;
    };
    // `\s`: exactly one whitespace character, then an optional quote.
    let rest = &message[keyword..];
    let ws = rest.chars().next().filter(|c| c.is_whitespace())?;
    let rest = &rest[ws.len_utf8()..];
    let rest = rest.strip_prefix('"').unwrap_or(rest);
    let rest_lower = rest.to_ascii_lowercase();
    let mut from = 0;
    while let Some(i) = rest_lower[from..].find(PHRASE) {
        let at = from + i;
        let hash_start = at + PHRASE.len();
        let hash: String = rest[hash_start..].chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
        let header = rest[..at].trim_end();
        let header = header.strip_suffix('"').unwrap_or(header);
        if (7..=40).contains(&hash.len()) && !header.is_empty() {
            return Some(RevertOf { header: Some(header.to_string()), hash: Some(hash), ..RevertOf::default() });
        }
        from = hash_start;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn conv(m: &str) -> Parsed {
        parse(m, Preset::Conventional)
    }

    fn sr(m: &str) -> Parsed {
        parse(m, Preset::SemanticRelease)
    }

    #[test]
    fn conventional_header_parts() {
        let c = conv("  Feat(parser): accept tabs\n\nsome body\n");
        assert_eq!(c.kind(), Some("feat"));
        assert_eq!(c.scope(), Some("parser"));
        assert_eq!(c.description(), "accept tabs");
        assert_eq!(c.body, "some body");
        assert!(!c.is_breaking());
    }

    #[test]
    fn conventional_bang_and_footers() {
        let c = conv("refactor!: drop node 14");
        assert_eq!(c.breaking, vec![Breaking { text: "drop node 14".into(), source: BreakingSource::Bang }]);
        let c = conv("feat: x\n\nBREAKING-CHANGE: config moved\nRefs #12");
        assert_eq!(c.breaking[0].text, "config moved");
        assert_eq!(c.footer("refs"), Some("12"));
    }

    #[test]
    fn conventional_breaking_footer_under_a_plain_subject_counts() {
        let c = conv("Update everything\n\nBREAKING CHANGE: the CLI was renamed");
        assert_eq!(c.kind(), None);
        assert_eq!(c.breaking[0].text, "the CLI was renamed");
    }

    #[test]
    fn conventional_plural_and_lowercase_are_not_breaking() {
        assert!(!conv("feat: x\n\nBREAKING CHANGES: y").is_breaking());
        assert!(!conv("feat: x\n\nbreaking change: y").is_breaking());
    }

    #[test]
    fn conventional_header_survives_a_sloppy_body() {
        // no blank line between header and body: git-conventional rejects it
        let c = conv("fix: crash\nwhen empty");
        assert_eq!(c.kind(), Some("fix"));
    }

    #[test]
    fn non_conventional_headers() {
        for m in ["Merge pull request #12 from a/b", "fix typo", "feat : spaced", ": empty", " "] {
            assert_eq!(conv(m).kind(), None, "{m:?}");
        }
    }

    #[test]
    fn reverts_both_forms() {
        let of = |header: &str, hash: &str| RevertOf {
            header: Some(header.into()),
            hash: Some(hash.into()),
            original: Some(header.into()),
            ..RevertOf::default()
        };
        let c = conv("revert: feat: add x\n\nThis reverts commit 1234abcd.");
        assert_eq!(c.revert, Some(of("feat: add x", "1234abcd")));
        let c = conv("Revert \"feat: add x\"\n\nThis reverts commit 1234abcd5678.");
        assert_eq!(c.revert, Some(of("feat: add x", "1234abcd5678")));
        assert_eq!(conv("feat: revert nothing").revert, None);
    }

    fn revert_of(m: &str) -> Option<RevertOf> {
        conv(m).revert
    }

    #[test]
    fn a_revert_is_known_by_git_s_line_whatever_the_subject() {
        let r = revert_of("fix: undo the cache\n\nThis reverts commit 1234abcd.").unwrap();
        assert_eq!((r.hash.as_deref(), r.header, r.reapplies), (Some("1234abcd"), None, false));
        assert!(conv("fix: undo the cache\n\nThis reverts commit 1234abcd.").is_revert());
        let r = revert_of("Undo it\n\nThis reverts commit 1234abcd, reversing\nchanges made to 99.").unwrap();
        assert_eq!(r.hash.as_deref(), Some("1234abcd"));
        // `git revert --reference`
        let r = revert_of("Back out the cache\n\nThis reverts commit 1234abc (feat: cache, 2026-01-02).").unwrap();
        assert_eq!(r.hash.as_deref(), Some("1234abc"));
        assert_eq!(revert_of("fix: the revert button"), None);
    }

    #[test]
    fn reapply_and_double_reverts_re_apply_the_original() {
        let c = conv("Reapply \"feat: add offline mode\"\n\nThis reverts commit 1234abcd.");
        let r = c.revert.clone().unwrap();
        assert!(r.reapplies && !c.is_revert());
        assert_eq!(r.header.as_deref(), Some("Revert \"feat: add offline mode\""));
        assert_eq!(r.original.as_deref(), Some("feat: add offline mode"));
        assert_eq!((c.kind(), c.description()), (Some("feat"), "add offline mode"));
        // git before 2.43
        let c = conv("Revert \"Revert \"feat(api)!: drop v1\"\"\n\nThis reverts commit 1234abcd.");
        assert_eq!(c.revert.as_ref().map(|r| r.header.as_deref()), Some(Some("Revert \"feat(api)!: drop v1\"")));
        assert_eq!((c.kind(), c.scope(), c.is_breaking()), (Some("feat"), Some("api"), true));
        // three reverts take the change back
        for m in [
            "Revert \"Reapply \"feat: x\"\"",
            "Revert \"Revert \"Revert \"feat: x\"\"\"",
            "revert: Reapply \"feat: x\"",
        ] {
            let c = conv(m);
            assert!(c.is_revert(), "{m}");
            assert_eq!(c.revert.unwrap().original.as_deref(), Some("feat: x"), "{m}");
        }
        // four re-apply it
        let c = conv("Reapply \"Reapply \"feat: x\"\"");
        assert_eq!((c.is_revert(), c.kind()), (false, Some("feat")));
        // a reapply of something that is not a Conventional Commit
        let c = conv("Reapply \"Update deps\"");
        assert_eq!((c.is_revert(), c.kind()), (false, None));
    }

    #[test]
    fn github_s_squashed_revert_names_the_pull_request() {
        let c = conv("Revert \"fix(x): handle y\" (#123)\n\nThis reverts commit 1234abcd.");
        let r = c.revert.clone().unwrap();
        assert_eq!(r.header.as_deref(), Some("fix(x): handle y"));
        assert_eq!(r.trailing.as_deref(), Some("(#123)"));
        assert_eq!(r.title().as_deref(), Some("fix(x): handle y (#123)"));
        assert!(c.is_revert());
        // GitHub's revert pull request body names the pull request, not a hash
        let r = revert_of("Revert \"fix(x): handle y\" (#123)\n\nReverts acme/rocket#122").unwrap();
        assert_eq!((r.header.as_deref(), r.hash), (Some("fix(x): handle y"), None));
        let r = revert_of("Reapply \"feat: x\" (#130)").unwrap();
        assert_eq!(conv("Reapply \"feat: x\" (#130)").description(), "x (#130)");
        assert_eq!(r.title().as_deref(), Some("feat: x (#130)"));
        // quotes inside the header, and text after the quote that is not a pull request
        assert_eq!(
            revert_of("Revert \"fix: read \"a b\" paths\"").unwrap().header.as_deref(),
            Some("fix: read \"a b\" paths")
        );
        assert_eq!(revert_of("Revert \"fix: y\" for now").unwrap().title().as_deref(), Some("fix: y"));
        // a truncated subject
        assert_eq!(revert_of("Revert \"feat: a very long").unwrap().header.as_deref(), Some("feat: a very long"));
    }

    #[test]
    fn pull_request_suffixes() {
        assert_eq!(without_pull_request("fix: y (#12)"), "fix: y");
        assert_eq!(without_pull_request("fix: y (#12) "), "fix: y");
        assert_eq!(without_pull_request("fix: y (#a)"), "fix: y (#a)");
        assert_eq!(without_pull_request("fix: y"), "fix: y");
        assert_eq!(without_pull_request("fix: (#)"), "fix: (#)");
    }

    const SQUASH: &str = "feat(search): fuzzy matching (#51)

* feat(search)!: add trigram index

BREAKING CHANGE: the index format changed;
rebuild it with `relkit reindex`.

* fix(search): ignore case

* chore: tidy

---------

Co-authored-by: Kim Park <kim@example.com>";

    #[test]
    fn breaking_notes_end_at_the_next_squashed_commit() {
        for preset in [Preset::Conventional, Preset::SemanticRelease] {
            let c = parse(SQUASH, preset);
            let notes: Vec<&str> = c.breaking.iter().map(|b| b.text.as_str()).collect();
            assert_eq!(notes, ["the index format changed;\nrebuild it with `relkit reindex`."], "{preset:?}");
        }
    }

    #[test]
    fn breaking_notes_end_at_a_rule_and_at_the_trailers() {
        let layouts = [
            // no blank lines between the items
            "feat: x (#1)\n\n* feat!: a\nBREAKING CHANGE: old API gone\n* fix: b\n---------\nCo-authored-by: K <k@x>",
            // the note is the last commit's: the rule ends it
            "feat: x (#1)\n\n* fix: b\n\n* feat!: a\n\nBREAKING CHANGE: old API gone\n\n---------\n\nCo-authored-by: K <k@x>",
            // `- ` items, and a rule written with spaces
            "feat: x (#1)\n\n- feat!: a\n\nBREAKING CHANGE: old API gone\n\n- docs(readme): b\n\n- - -",
            // trailers straight after the note
            "feat: x\n\nBREAKING CHANGE: old API gone\nSigned-off-by: K <k@x>\nCo-authored-by: L <l@x>",
            "Big change\n\nBREAKING CHANGE: old API gone\n\nReviewed-by: K <k@x>\nChange-Id: I123",
        ];
        for m in layouts {
            for preset in [Preset::Conventional, Preset::SemanticRelease] {
                let c = parse(m, preset);
                assert_eq!(c.breaking.first().map(|b| b.text.as_str()), Some("old API gone"), "{preset:?}: {m:?}");
            }
        }
    }

    #[test]
    fn a_note_keeps_its_own_lists_and_paragraphs() {
        let m = "feat!: move config\n\nBREAKING CHANGE: the config moved:\n- Before: .relkit.toml\n- After: relkit.toml\n\nRename the file.";
        let want = "the config moved:\n- Before: .relkit.toml\n- After: relkit.toml\n\nRename the file.";
        assert_eq!(parse(m, Preset::SemanticRelease).breaking[0].text, want);
        assert_eq!(end_of_note(want), want);
        assert_eq!(end_of_note("a\n* feat: b"), "a");
        assert_eq!(end_of_note("a\n* feature flags are gone"), "a\n* feature flags are gone");
        assert_eq!(
            end_of_note("a\n\nNote: run the migration\nthen restart"),
            "a\n\nNote: run the migration\nthen restart"
        );
        assert_eq!(end_of_note("* feat: only line"), "* feat: only line");
    }

    #[test]
    fn angular_header_rules() {
        assert_eq!(sr("feat(a): b").scope(), Some("a"));
        // greedy scope
        assert_eq!(sr("feat(a): b (c): d").scope(), Some("a): b (c"));
        assert_eq!(sr("Feat: x").kind(), Some("Feat"));
        assert_eq!(sr(": x").kind(), Some(""));
        assert_eq!(sr("feat!: x").kind(), None);
        assert_eq!(sr("feat:x").kind(), None);
        assert_eq!(sr("fix(deps): update").kind(), Some("fix"));
    }

    #[test]
    fn angular_notes() {
        assert!(sr("feat!: x").breaking.is_empty());
        assert!(sr("Rewrite\n\nBREAKING CHANGE: all new").is_breaking());
        assert!(sr("feat: x\n\nbreaking change: y").is_breaking());
        assert!(sr("feat: x\n\nBREAKING CHANGE the api").is_breaking());
        assert!(!sr("feat: x\n\nBREAKING CHANGES: y").is_breaking());
        assert!(!sr("BREAKING CHANGE: only in the header").is_breaking());
        let c = sr("feat: x\n\nBREAKING CHANGE:\n\nNode 4 is gone");
        assert_eq!(c.breaking[0].text, "Node 4 is gone");
    }

    #[test]
    fn angular_reverts() {
        let c = sr("Revert \"feat: add x\"\n\nThis reverts commit 1234abcd.");
        let of = RevertOf { header: Some("feat: add x".into()), hash: Some("1234abcd".into()), ..RevertOf::default() };
        assert_eq!(c.revert, Some(of));
        // semantic-release knows neither git's Reapply nor a bare hash line
        assert_eq!(sr("Reapply \"feat: x\"\n\nThis reverts commit 1234abcd.").revert, None);
        assert_eq!(sr("fix: undo\n\nThis reverts commit 1234abcd.").revert, None);
        let c = sr("revert: feat: add x\n\nThis reverts commit 1234abcd.");
        assert_eq!(c.revert.unwrap().header.as_deref(), Some("feat: add x"));
        assert_eq!(
            sr("Revert feat: x\n\nthis REVERTS commit 1234abcd").revert.unwrap().header.as_deref(),
            Some("feat: x")
        );
        assert_eq!(sr("revert: feat: add x").revert, None);
        // angular needs 7 to 40 characters of hash
        assert_eq!(sr("revert: feat: x\n\nThis reverts commit abc123.").revert, None);
        assert_eq!(sr("Reverted \"x\"\n\nThis reverts commit 1234abcd.").revert, None);
    }

    #[test]
    fn angular_fields_hide_later_notes() {
        assert!(!sr("fix: a\n\n---\nBREAKING CHANGE: x").is_breaking());
        assert!(sr("fix: a\n\n--\nBREAKING CHANGE: x").is_breaking());
        assert!(sr("fix: a\nBREAKING CHANGE: x").is_breaking());
        assert!(sr(" * BREAKING CHANGE: x").breaking.is_empty(), "header is never a note");
        assert!(sr("fix: a\n\n * BREAKING CHANGE: x").is_breaking());
        assert!(!sr("fix: a\n\n- BREAKING CHANGE: x").is_breaking());
        assert!(!sr("fix: a\n\nBREAKING-CHANGE: x").is_breaking());
    }

    #[test]
    fn skip_release_markers() {
        assert!(skips_release("feat: x [skip release]"));
        assert!(skips_release("feat: x\n\n[Release   Skip]"));
        assert!(!skips_release("feat: x [skip ci]"));
    }
}
