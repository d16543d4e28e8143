//! The `[Unreleased]` compare link of a Keep a Changelog file.
//!
//! `[Unreleased]: https://github.com/o/r/compare/v1.1.0...HEAD` lists what
//! happened since the last release. Once 1.2.0 is in the file it must
//! compare from v1.2.0, or the Unreleased link repeats 1.2.0's changes. It is
//! the one line of an existing file, besides the inserted section, that relkit
//! changes: the definition (label in any case, GitHub's `/compare/` and
//! GitLab's `/-/compare/` forms, `...` or `..`), or the same link written
//! inline in the Unreleased heading.

use std::ops::Range;

use relkit_plugin_sdk::forge::encode;

use crate::headings;

/// The byte range of the `[Unreleased]: …` definition line (its line ending
/// included), and of the URL in it.
pub fn definition(text: &str) -> Option<(Range<usize>, Range<usize>)> {
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let at = offset;
        offset += line.len();
        let indent = line.len() - line.trim_start_matches(' ').len();
        let rest = &line[indent..];
        if indent > 3 || !rest.get(..13).is_some_and(|l| l.eq_ignore_ascii_case("[unreleased]:")) {
            continue;
        }
        let after = &rest[13..];
        let url_start = at + indent + 13 + (after.len() - after.trim_start().len());
        let url = &text[url_start..offset];
        let url = url
            .strip_prefix('<')
            .map_or_else(|| url.split_whitespace().next().unwrap_or(""), |inner| inner.split('>').next().unwrap_or(""));
        if url.is_empty() {
            continue;
        }
        let url_start = if text[url_start..].starts_with('<') { url_start + 1 } else { url_start };
        return Some((at..offset, url_start..url_start + url.len()));
    }
    None
}

/// Whether `text` has a heading `Unreleased` (`## [Unreleased]`, `## Unreleased`).
pub fn has_heading(text: &str) -> bool {
    headings::headings(text).iter().any(|h| is_unreleased(h.text))
}

fn is_unreleased(heading_text: &str) -> bool {
    let t = heading_text.trim_start_matches(['[', '*', '_', ' ']);
    t.get(..10).is_some_and(|w| w.eq_ignore_ascii_case("unreleased"))
        && !t[10..].starts_with(|c: char| c.is_alphanumeric())
}

/// Points the Unreleased compare link(s) of `text` at `tag`, when they
/// compare from a release older than `version`.
pub fn advance(text: &mut String, tag: &str, version: &semver::Version) {
    let mut urls: Vec<Range<usize>> = definition(text).map(|(_, url)| url).into_iter().collect();
    if let Some(h) = headings::headings(text).into_iter().find(|h| is_unreleased(h.text))
        && let Some(open) = h.line.find("](")
    {
        let start = h.line_start + open + 2;
        if let Some(len) = text[start..].find(')') {
            urls.push(start..start + len);
        }
    }
    // From the end, so earlier ranges stay valid.
    urls.sort_by_key(|r| std::cmp::Reverse(r.start));
    for url in urls {
        if let Some(new) = advanced_url(&text[url.clone()], tag, version) {
            text.replace_range(url, &new);
        }
    }
}

/// `…/compare/v1.1.0...HEAD` → `…/compare/<tag>...HEAD` when v1.1.0 is older
/// than `version`; `None` when the URL is no compare link or already newer.
pub fn advanced_url(url: &str, tag: &str, version: &semver::Version) -> Option<String> {
    let at = url.find("/compare/")? + "/compare/".len();
    let range = &url[at..];
    let (from, dots) = match range.find("...") {
        Some(i) => (&range[..i], i),
        None => (&range[..range.find("..")?], range.find("..")?),
    };
    let from_version = headings::version_in_word(&percent_decode(from))?.version;
    if from_version >= *version {
        return None;
    }
    Some(format!("{}{}{}", &url[..at], encode(tag), &range[dots..]))
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        match (bytes[i], bytes.get(i + 1).copied().and_then(hex), bytes.get(i + 2).copied().and_then(hex)) {
            (b'%', Some(hi), Some(lo)) => {
                out.push((hi * 16 + lo) as u8);
                i += 3;
            }
            (b, _, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &str) -> semver::Version {
        semver::Version::parse(s).unwrap_or_else(|e| panic!("{s}: {e}"))
    }

    #[test]
    fn compare_urls_of_github_and_gitlab_move_to_the_new_tag() {
        let cases = [
            ("https://github.com/o/r/compare/v1.1.0...HEAD", "https://github.com/o/r/compare/v1.2.0...HEAD"),
            ("https://gitlab.com/g/s/p/-/compare/v1.1.0...HEAD", "https://gitlab.com/g/s/p/-/compare/v1.2.0...HEAD"),
            (
                "https://gitlab.example.com/g/p/compare/v1.1.0...main",
                "https://gitlab.example.com/g/p/compare/v1.2.0...main",
            ),
            ("https://github.com/o/r/compare/1.1.0..HEAD", "https://github.com/o/r/compare/v1.2.0..HEAD"),
            ("https://github.com/o/r/compare/v1.2.0-rc.1...HEAD", "https://github.com/o/r/compare/v1.2.0...HEAD"),
        ];
        for (old, new) in cases {
            assert_eq!(advanced_url(old, "v1.2.0", &v("1.2.0")).as_deref(), Some(new), "{old}");
        }
        let tagged = advanced_url("https://github.com/o/r/compare/pkg%401.1.0...HEAD", "pkg@1.2.0", &v("1.2.0"));
        assert_eq!(tagged.as_deref(), Some("https://github.com/o/r/compare/pkg@1.2.0...HEAD"));
        // already current, or newer, or no compare link: left alone
        assert_eq!(advanced_url("https://github.com/o/r/compare/v1.2.0...HEAD", "v1.2.0", &v("1.2.0")), None);
        assert_eq!(advanced_url("https://github.com/o/r/compare/v2.0.0...HEAD", "v1.2.0", &v("1.2.0")), None);
        assert_eq!(advanced_url("https://github.com/o/r/commits/main", "v1.2.0", &v("1.2.0")), None);
        assert_eq!(advanced_url("https://github.com/o/r/compare/main...HEAD", "v1.2.0", &v("1.2.0")), None);
    }

    #[test]
    fn the_definition_line_in_any_case_and_form() {
        let text = "x\n[1.1.0]: https://a\n[unreleased]: https://b/compare/v1.1.0...HEAD \"title\"\r\nz";
        let (line, url) = definition(text).unwrap_or_else(|| panic!("not found"));
        assert_eq!(&text[line], "[unreleased]: https://b/compare/v1.1.0...HEAD \"title\"\r\n");
        assert_eq!(&text[url], "https://b/compare/v1.1.0...HEAD");
        let angled = "  [Unreleased]:   <https://b/compare/v1...HEAD>\n";
        assert_eq!(definition(angled).map(|(_, u)| &angled[u]), Some("https://b/compare/v1...HEAD"));
        assert_eq!(definition("    [Unreleased]: https://code-block\n"), None);
        assert_eq!(definition("[Unreleased]:\n"), None);
    }

    #[test]
    fn advance_rewrites_only_the_url() {
        let mut text = "# C\n\n## [Unreleased]\n\n## [1.2.0] - d\n\n[Unreleased]: https://github.com/o/r/compare/v1.1.0...HEAD\n[1.1.0]: https://github.com/o/r/compare/v1.0.0...v1.1.0\n".to_string();
        advance(&mut text, "v1.2.0", &v("1.2.0"));
        assert_eq!(
            text,
            "# C\n\n## [Unreleased]\n\n## [1.2.0] - d\n\n[Unreleased]: https://github.com/o/r/compare/v1.2.0...HEAD\n[1.1.0]: https://github.com/o/r/compare/v1.0.0...v1.1.0\n"
        );
        let mut inline = "## [Unreleased](https://gitlab.com/g/p/-/compare/v1.1.0...HEAD)\n\n## 1.1.0\n".to_string();
        advance(&mut inline, "v1.2.0", &v("1.2.0"));
        assert_eq!(inline, "## [Unreleased](https://gitlab.com/g/p/-/compare/v1.2.0...HEAD)\n\n## 1.1.0\n");
        assert!(has_heading("## Unreleased\n") && has_heading("### [unreleased]\n"));
        assert!(!has_heading("## Unreleasedness\n") && !has_heading("[Unreleased]: x\n"));
    }
}
