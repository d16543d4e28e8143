//! References to issues and merge requests written in commit messages:
//! `#123`, `group/project#7`, GitLab's `!12`, and closing keywords
//! (`Closes #4`, `Fixes group/proj#7`).

use crate::forge::Links;
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
    let mut out = Vec::new();
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
        if !boundary_ok {
            i += 1;
            continue;
        }
        let Ok(number) = text[i + 1..digits_end].parse::<u64>() else {
            i += 1;
            continue;
        };
        let action = text[..start]
            .trim_end_matches([' ', ':'])
            .rsplit(|c: char| !c.is_ascii_alphabetic())
            .next()
            .filter(|w| ACTIONS.contains(&w.to_ascii_lowercase().as_str()))
            .map(str::to_string);
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

/// `text` with each reference that has a URL turned into a markdown link.
pub fn linkify(text: &str, refs: &[Reference], links: &Links<'_>) -> String {
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for r in refs {
        if let Some(url) = r.url(links) {
            out.push_str(&text[at..r.start]);
            out.push_str(&format!("[{}]({url})", r.text));
            at = r.end;
        }
    }
    out.push_str(&text[at..]);
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

    #[test]
    fn merge_requests_only_on_gitlab() {
        assert_eq!(texts("See !12", ForgeKind::Gitlab), vec![("!12".into(), Some("See".into()))]);
        assert!(texts("See !12", ForgeKind::Github).is_empty());
    }
}
