//! References to issues and merge requests written in commit messages:
//! `#123`, `group/project#7`, GitLab's `!12`, and closing keywords
//! (`Closes #4`, `Fixes group/proj#7`).
//!
//! One keyword governs a list: `Closes #4, #5`, `Fixes #6 and #7`,
//! `Resolves #1 & #2`, `Closes issues #1, #2, and #3`. That is how
//! conventional-changelog's parser reads a reference action (every reference
//! up to the next keyword belongs to it) and what GitLab's default issue
//! closing pattern accepts (`Closes #1, #2 and #3`, optionally after
//! `issue`/`issues`). An HTML character reference (`&#39;`) is not an issue.

use crate::forge::Links;
use crate::markdown;
use crate::types::ForgeKind;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefKind {
    Issue,
    MergeRequest,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reference {
    /// As written: `#12`, `group/proj#7`, `!3`.
    pub text: String,
    pub project: Option<String>,
    pub number: u64,
    pub kind: RefKind,
    /// The closing keyword before it, as written (`Closes`), if any.
    pub action: Option<String>,
    /// Byte range of `text` in the scanned string.
    pub start: usize,
    pub end: usize,
}

impl Reference {
    pub fn url(&self, links: &Links<'_>) -> Option<String> {
        match self.kind {
            RefKind::Issue => links.issue(self.project.as_deref(), self.number),
            RefKind::MergeRequest => links.merge_request(self.project.as_deref(), self.number),
        }
    }
}

/// Keywords that make a reference in a body worth listing: closing keywords
/// and the usual "refs"/"see" trailers.
const ACTIONS: &[&str] =
    &["close", "closes", "closed", "fix", "fixes", "fixed", "resolve", "resolves", "resolved", "refs", "ref", "see"];

fn is_project_char(c: u8) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, b'_' | b'.' | b'-' | b'/')
}

/// Finds references in `text`. `!N` counts only on GitLab, where it names a
/// merge request; elsewhere `!` is punctuation.
pub fn find(text: &str, forge: ForgeKind) -> Vec<Reference> {
    let bytes = text.as_bytes();
    let mut out: Vec<Reference> = Vec::new();
    let mut in_code = false;
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        if c == b'`' {
            in_code = !in_code;
        }
        let kind = match c {
            b'#' => Some(RefKind::Issue),
            b'!' if forge == ForgeKind::Gitlab => Some(RefKind::MergeRequest),
            _ => None,
        };
        let Some(kind) = kind.filter(|_| !in_code) else {
            i += 1;
            continue;
        };
        let digits_end = bytes[i + 1..].iter().position(|b| !b.is_ascii_digit()).map_or(bytes.len(), |p| i + 1 + p);
        let followed_by_word = bytes.get(digits_end).is_some_and(|b| b.is_ascii_alphanumeric() || *b == b'_');
        if digits_end == i + 1 || followed_by_word {
            i += 1;
            continue;
        }
        // What stands right before the marker: nothing, or a project path.
        let mut start = i;
        while start > 0 && is_project_char(bytes[start - 1]) {
            start -= 1;
        }
        let prefix = &text[start..i];
        let boundary_ok = start == 0
            || !bytes[start - 1].is_ascii_alphanumeric() && bytes[start - 1] != b'/' && bytes[start - 1] != b':';
        let project = if prefix.is_empty() {
            None
        } else if prefix.contains('/') && !prefix.starts_with('/') && !prefix.ends_with('/') && !prefix.contains("//") {
            Some(prefix.to_string())
        } else {
            i += 1;
            continue;
        };
        // `&#39;` is a character reference (an apostrophe), not issue 39.
        let char_reference = prefix.is_empty() && start > 0 && bytes[start - 1] == b'&';
        if !boundary_ok || char_reference {
            i += 1;
            continue;
        }
        let Ok(number) = text[i + 1..digits_end].parse::<u64>() else {
            i += 1;
            continue;
        };
        let action = keyword_before(&text[..start]).or_else(|| {
            // A later item of a list takes the keyword of the item before it.
            let prev = out.last()?;
            is_list_separator(&text[prev.end..start]).then(|| prev.action.clone()).flatten()
        });
        out.push(Reference {
            text: text[start..digits_end].to_string(),
            project,
            number,
            kind,
            action,
            start,
            end: digits_end,
        });
        i = digits_end;
    }
    out
}

/// The closing (or "refs") keyword that ends `before`, if any, allowing GitLab's
/// optional `issue`/`issues` between keyword and reference (`Closes issue #4`).
fn keyword_before(before: &str) -> Option<String> {
    let last_word = |t: &str| -> (usize, String) {
        let t = t.trim_end_matches([' ', '\t', ':']);
        let word_start = t.rfind(|c: char| !c.is_ascii_alphabetic()).map_or(0, |i| i + 1);
        (word_start, t[word_start..].to_string())
    };
    let (at, mut word) = last_word(before);
    if word.eq_ignore_ascii_case("issue") || word.eq_ignore_ascii_case("issues") {
        word = last_word(&before[..at]).1;
    }
    ACTIONS.contains(&word.to_ascii_lowercase().as_str()).then_some(word)
}

/// What may stand between two references of one list: a comma, `and` or `&`,
/// or a comma and one of those, with spaces (not a line break) around them.
fn is_list_separator(gap: &str) -> bool {
    let blank = [' ', '\t'];
    let gap = gap.trim_matches(blank);
    let gap = gap.strip_prefix(',').unwrap_or(gap).trim_start_matches(blank);
    gap.is_empty() || gap == "&" || gap.eq_ignore_ascii_case("and")
}

/// `text` as markdown: each reference that has a URL a link, HTML escaped
/// outside code (see [`crate::markdown`]). A reference inside code stays text.
pub fn linkify(text: &str, refs: &[Reference], links: &Links<'_>) -> String {
    let code = markdown::code_ranges(text);
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for r in refs {
        if r.start < at || code.iter().any(|c| c.contains(&r.start)) {
            continue;
        }
        if let Some(url) = r.url(links) {
            markdown::escape_into(&mut out, text, at..r.start, &code);
            out.push_str(&format!("[{}]({url})", r.text));
            at = r.end;
        }
    }
    markdown::escape_into(&mut out, text, at..text.len(), &code);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(text: &str, forge: ForgeKind) -> Vec<(String, Option<String>)> {
        find(text, forge).into_iter().map(|r| (r.text, r.action)).collect()
    }

    #[test]
    fn finds_issue_references() {
        assert_eq!(
            texts("fix crash (#12), Closes #4 and fixes group/proj#7", ForgeKind::Github),
            vec![
                ("#12".into(), None),
                ("#4".into(), Some("Closes".into())),
                ("group/proj#7".into(), Some("fixes".into()))
            ]
        );
    }

    #[test]
    fn ignores_lookalikes() {
        assert!(texts("see https://x.org/page#12 and abc#3 and #12abc and `#5`", ForgeKind::Github).is_empty());
        assert!(texts("wow!12", ForgeKind::Gitlab).is_empty());
    }

    fn closed(text: &str) -> Vec<(String, Option<String>)> {
        texts(text, ForgeKind::Github)
    }

    fn acted(refs: &[&str], action: &str) -> Vec<(String, Option<String>)> {
        refs.iter().map(|r| (r.to_string(), Some(action.to_string()))).collect()
    }

    #[test]
    fn one_keyword_governs_a_list() {
        assert_eq!(closed("Closes #4, #5"), acted(&["#4", "#5"], "Closes"));
        assert_eq!(closed("Fixes #6 and #7"), acted(&["#6", "#7"], "Fixes"));
        assert_eq!(closed("Resolves #1 & #2"), acted(&["#1", "#2"], "Resolves"));
        assert_eq!(closed("closes #1, #2, and #3"), acted(&["#1", "#2", "#3"], "closes"));
        assert_eq!(closed("Closes #1,#2 AND #3 &#4"), acted(&["#1", "#2", "#3"], "Closes"));
        assert_eq!(closed("Fixes: #8, a/b#9"), acted(&["#8", "a/b#9"], "Fixes"));
        assert_eq!(closed("Refs #1, #2"), acted(&["#1", "#2"], "Refs"));
        assert_eq!(closed("Closes issues #1 and #2"), acted(&["#1", "#2"], "Closes"));
        assert_eq!(closed("Closes issue #4"), acted(&["#4"], "Closes"));
    }

    #[test]
    fn a_list_ends_at_other_words_and_line_breaks() {
        assert_eq!(closed("Fixes #6 and improves #7"), vec![("#6".into(), Some("Fixes".into())), ("#7".into(), None)]);
        assert_eq!(closed("Closes #4\n#5"), vec![("#4".into(), Some("Closes".into())), ("#5".into(), None)]);
        assert_eq!(closed("#4, #5"), vec![("#4".into(), None), ("#5".into(), None)]);
        assert_eq!(
            closed("Closes #4; see #5, #6"),
            vec![
                ("#4".into(), Some("Closes".into())),
                ("#5".into(), Some("see".into())),
                ("#6".into(), Some("see".into()))
            ]
        );
    }

    #[test]
    fn character_references_are_not_issues() {
        assert!(closed("fix: escape &#39; in titles").is_empty());
        assert!(closed("fix: escape &#x27; and &#X27; in titles").is_empty());
        assert!(closed("Closes &#39;").is_empty());
        assert!(closed("Closes #1 &#39;").len() == 1);
        assert_eq!(closed("R&D #12"), vec![("#12".into(), None)]);
    }

    #[test]
    fn merge_requests_only_on_gitlab() {
        assert_eq!(texts("See !12", ForgeKind::Gitlab), vec![("!12".into(), Some("See".into()))]);
        assert!(texts("See !12", ForgeKind::Github).is_empty());
    }
}
