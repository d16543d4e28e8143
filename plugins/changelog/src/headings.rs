//! Which lines of a CHANGELOG head a release.
//!
//! Tools write release headings their own way: `## [1.1.0] - 2024-01-01`
//! (Keep a Changelog), `# [1.1.0](…) (2024-01-01)` and `## <small>1.1.1 (…)</small>`
//! (conventional-changelog), `## Version 1.1.0`, `## 🚀 1.1.0`, `## relkit v1.1.0`,
//! `1.1.0 / 2024-01-01` underlined with `===`. A release heading is any
//! heading (ATX `#`…`######`, or a one-line setext heading) whose text holds
//! a version among its first words, after an optional prefix: words before
//! it (`Version`, an emoji, the project's name) and a tag prefix glued to it
//! (`v`, `api-v`, `pkg@`). An anchor line (`<a name="1.1.0"></a>`) directly
//! above a heading belongs to the heading. Lines in fenced code are not
//! headings.

/// How many words of a heading's text may come before the version.
const MAX_WORDS_BEFORE: usize = 3;

/// A heading of the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Heading<'a> {
    /// Where a section inserted above this heading goes: the start of the
    /// anchor lines directly above it, else of the heading itself.
    pub start: usize,
    /// Where `line` starts.
    pub line_start: usize,
    /// The heading's line as written (its text line for a setext heading).
    pub line: &'a str,
    /// The heading's text, without the `#` marks.
    pub text: &'a str,
}

/// The version a heading names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Named {
    /// The tag prefix glued to the version: `""`, `"v"`, `"api-v"`.
    pub prefix: String,
    pub version: semver::Version,
}

impl Named {
    /// Whether this names the release `version`, tagged `tag`: the same tag,
    /// or the same version bare or with a `v`. `## [web-v1.3.0]` in a shared
    /// file is not the `api-v1.3.0` release.
    pub fn names(&self, version: &str, tag: &str) -> bool {
        let written = format!("{}{}", self.prefix, self.version);
        // `🚀1.3.0`, `**v1.3.0`: punctuation glued on is no tag prefix.
        let prefix: String = self.prefix.chars().filter(|c| c.is_alphanumeric()).collect();
        written == tag
            || written == version
            || (matches!(prefix.as_str(), "" | "v" | "V")
                && semver::Version::parse(version).is_ok_and(|v| v == self.version))
    }
}

/// The file's headings, in order.
pub fn headings(text: &str) -> Vec<Heading<'_>> {
    let lines: Vec<(usize, &str)> = text
        .split_inclusive('\n')
        .scan(0, |offset, line| {
            let at = *offset;
            *offset += line.len();
            Some((at, line))
        })
        .collect();
    let mut out = Vec::new();
    let mut fence: Option<(u8, usize)> = None;
    for (i, &(offset, line)) in lines.iter().enumerate() {
        let content = line.trim_end_matches(['\n', '\r']);
        if let Some((mark, len)) = fence {
            if fence_run(content).is_some_and(|(m, n, rest)| m == mark && n >= len && rest.trim().is_empty()) {
                fence = None;
            }
            continue;
        }
        if let Some((mark, n, rest)) = fence_run(content) {
            // A backtick fence's info string holds no backtick.
            if !(mark == b'`' && rest.contains('`')) {
                fence = Some((mark, n));
                continue;
            }
        }
        let heading = match atx_text(content) {
            Some(t) => Some((offset, content, t)),
            None if i > 0 && is_setext_underline(content) => {
                let (prev_offset, prev_line) = lines[i - 1];
                let prev = prev_line.trim_end_matches(['\n', '\r']);
                let before_is_break = i < 2 || {
                    let before = lines[i - 2].1.trim();
                    before.is_empty() || is_anchor_line(before)
                };
                (before_is_break && is_setext_text(prev)).then(|| (prev_offset, prev, prev.trim()))
            }
            None => None,
        };
        let Some((start, line, text)) = heading else { continue };
        // A setext heading's text line was not yet taken for anything else.
        let own = if start == offset { i } else { i - 1 };
        let mut first = own;
        while first > 0 && is_anchor_line(lines[first - 1].1.trim()) {
            first -= 1;
        }
        out.push(Heading { start: lines.get(first).map_or(start, |l| l.0), line_start: start, line, text });
    }
    out
}

/// The version a heading's text names, if it is a release heading.
pub fn named(text: &str) -> Option<Named> {
    let plain = plain_text(text);
    let mut words = plain.split_whitespace().filter(|w| !w.chars().all(|c| !c.is_alphanumeric()));
    for (i, word) in words.by_ref().enumerate() {
        if i == 0 && word.eq_ignore_ascii_case("unreleased") {
            return None;
        }
        if let Some(named) = version_in_word(word) {
            return Some(named);
        }
        if i >= MAX_WORDS_BEFORE {
            break;
        }
    }
    None
}

/// The first release heading: where a new section goes.
pub fn first_release(text: &str) -> Option<Heading<'_>> {
    headings(text).into_iter().find(|h| named(h.text).is_some())
}

/// Whether a heading names this release.
pub fn has_release(text: &str, version: &str, tag: &str) -> bool {
    headings(text).iter().filter_map(|h| named(h.text)).any(|n| n.names(version, tag))
}

/// Whether the text mentions the release (`1.1.0`, `v1.1.0` or its tag) as a
/// word of its own: `1.1.0` is not in `11.1.0`, `1.1.0-rc.1` or a URL path.
pub fn mentions(text: &str, version: &str, tag: &str) -> bool {
    let v_version = format!("v{version}");
    [version, v_version.as_str(), tag].into_iter().filter(|w| !w.is_empty()).any(|word| {
        text.match_indices(word).any(|(at, _)| {
            let before = text[..at].chars().next_back();
            let after = &text[at + word.len()..];
            let mut next = after.chars();
            let glued = |c: char| c.is_alphanumeric() || matches!(c, '-' | '+' | '_' | '/' | '@');
            before.is_none_or(|c| !glued(c) && c != '.')
                && match next.next() {
                    None => true,
                    Some('.') => next.next().is_none_or(|c| !c.is_alphanumeric()),
                    Some(c) => !glued(c),
                }
        })
    })
}

/// The first lines of the headings of the file, for an error message.
pub fn first_heading_lines(text: &str, n: usize) -> Vec<&str> {
    headings(text).into_iter().take(n).map(|h| h.line.trim()).collect()
}

/// The text of an ATX heading line (`## Title ##` → `Title`).
fn atx_text(line: &str) -> Option<&str> {
    let rest = strip_indent(line)?;
    let hashes = rest.bytes().take_while(|b| *b == b'#').count();
    if !(1..=6).contains(&hashes) {
        return None;
    }
    let after = &rest[hashes..];
    if !(after.is_empty() || after.starts_with([' ', '\t'])) {
        return None;
    }
    let text = after.trim();
    // An optional closing sequence of `#`s, after a space.
    let closed = text.trim_end_matches('#');
    Some(if closed.is_empty() || closed.ends_with([' ', '\t']) { closed.trim_end() } else { text })
}

/// Up to three spaces of indentation; `None` for an indented code line.
fn strip_indent(line: &str) -> Option<&str> {
    let rest = line.trim_start_matches(' ');
    (line.len() - rest.len() <= 3 && !rest.starts_with('\t')).then_some(rest)
}

/// A fence opening or closing: its character, its length, what follows.
fn fence_run(line: &str) -> Option<(u8, usize, &str)> {
    let rest = strip_indent(line)?;
    let mark = *rest.as_bytes().first()?;
    if mark != b'`' && mark != b'~' {
        return None;
    }
    let n = rest.bytes().take_while(|b| *b == mark).count();
    (n >= 3).then(|| (mark, n, &rest[n..]))
}

fn is_setext_underline(line: &str) -> bool {
    let Some(rest) = strip_indent(line) else { return false };
    let rest = rest.trim_end();
    !rest.is_empty() && (rest.bytes().all(|b| b == b'=') || rest.bytes().all(|b| b == b'-'))
}

/// Whether a line can be the text of a setext heading (not a list item,
/// quote, heading or fence, which `---` below would not turn into one).
fn is_setext_text(line: &str) -> bool {
    let Some(rest) = strip_indent(line) else { return false };
    let rest = rest.trim_end();
    let list_item = ["- ", "* ", "+ "].iter().any(|m| rest.starts_with(m))
        || rest.split_once(['.', ')']).is_some_and(|(n, after)| {
            !n.is_empty() && n.len() <= 9 && n.bytes().all(|b| b.is_ascii_digit()) && after.starts_with(' ')
        });
    !rest.is_empty() && !list_item && !rest.starts_with(['>', '#', '|']) && fence_run(rest).is_none()
}

/// `<a name="1.1.0"></a>` (or `id=`, or self-closed) alone on a line.
fn is_anchor_line(line: &str) -> bool {
    let lower = line.to_ascii_lowercase();
    lower.starts_with("<a ")
        && (lower.contains("name=") || lower.contains("id="))
        && (lower.ends_with("</a>") || lower.ends_with("/>"))
        && lower.matches('<').count() <= 2
}

/// A heading's text without inline HTML tags, link destinations and the
/// punctuation of links and emphasis.
fn plain_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        match c {
            '<' if text[i + 1..].starts_with(|n: char| n.is_ascii_alphabetic() || n == '/') => {
                // An inline tag (`<small>`, `<a name="x">`): skipped whole.
                for (_, n) in chars.by_ref() {
                    if n == '>' {
                        break;
                    }
                }
                out.push(' ');
            }
            ']' if text[i + 1..].starts_with('(') => {
                // A link's destination: `[1.1.0](https://…/compare/v1.0.0...v1.1.0)`.
                let mut depth = 0;
                for (_, n) in chars.by_ref() {
                    match n {
                        '(' => depth += 1,
                        ')' if depth <= 1 => break,
                        ')' => depth -= 1,
                        _ => {}
                    }
                }
                out.push(' ');
            }
            '[' | ']' | '(' | ')' | '*' | '`' | '"' | '\'' | '|' | ',' | ':' | ';' => out.push(' '),
            _ => out.push(c),
        }
    }
    out
}

/// The version in one word: `1.1.0`, `v1.1.0`, `api-v1.1.0`, `pkg@1.1.0`,
/// `🚀1.1.0`; the version starts at a digit after a non-digit.
pub(crate) fn version_in_word(word: &str) -> Option<Named> {
    let word = word.trim_end_matches(['.', '!', '?', '-', '_', '~']);
    let bytes = word.as_bytes();
    (0..bytes.len())
        .filter(|&i| bytes[i].is_ascii_digit() && (i == 0 || !(bytes[i - 1].is_ascii_digit() || bytes[i - 1] == b'.')))
        .find_map(|i| {
            let version = semver::Version::parse(&word[i..]).ok()?;
            Some(Named { prefix: word[..i].to_string(), version })
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn version_of(heading: &str) -> Option<String> {
        let h = headings(heading);
        assert!(h.len() <= 1, "{h:?}");
        h.first().and_then(|h| named(h.text)).map(|n| format!("{}{}", n.prefix, n.version))
    }

    #[test]
    fn headings_of_other_tools_name_their_version() {
        for (line, expected) in [
            ("## [1.1.0] - 2024-01-01", "1.1.0"),
            ("## [v1.1.0] - 2024-01-01", "v1.1.0"),
            ("## Version 1.1.0", "1.1.0"),
            ("## version 1.1.0 (2024-01-01)", "1.1.0"),
            ("## 🚀 1.1.0", "1.1.0"),
            ("## 🚀1.1.0", "🚀1.1.0"),
            ("## 🚀 Release v1.1.0 - 2024-01-01", "v1.1.0"),
            ("# 1.1.0 (2024-01-01)", "1.1.0"),
            ("## relkit v1.1.0", "v1.1.0"),
            ("## relkit-v1.1.0", "relkit-v1.1.0"),
            ("### [api-v1.3.0] - x", "api-v1.3.0"),
            ("## pkg@3.4.0", "pkg@3.4.0"),
            ("# [1.1.0](https://github.com/o/r/compare/v1.0.0...v1.1.0) (2024-01-01)", "1.1.0"),
            ("## <small>1.1.1 (2024-01-01)</small>", "1.1.1"),
            ("## <a name=\"1.1.0\"></a>1.1.0 (2024-01-01)", "1.1.0"),
            ("## **1.1.0** - 2024-01-01", "1.1.0"),
            ("## `v1.1.0`", "v1.1.0"),
            ("## Release 1.1.0: the big one", "1.1.0"),
            ("## 2024-01-01 - 1.1.0", "1.1.0"),
            ("## 1.1.0-rc.1+build.5", "1.1.0-rc.1+build.5"),
            ("###### v1.1.0 ######", "v1.1.0"),
            ("   ## 1.1.0", "1.1.0"),
            ("##\t1.1.0", "1.1.0"),
            ("1.1.0 / 2024-01-01\n==================", "1.1.0"),
            ("Version 1.1.0\n-------------", "1.1.0"),
        ] {
            assert_eq!(version_of(line).as_deref(), Some(expected), "{line}");
        }
    }

    #[test]
    fn other_headings_and_lines_name_no_release() {
        for line in [
            "# Changelog",
            "## [Unreleased]",
            "## Unreleased 1.2.0",
            "## [Unreleased](https://github.com/o/r/compare/v1.1.0...v1.2.0)",
            "### Features",
            "## 2024-01-01",
            "## Version 1.1",
            "## 11",
            "##1.1.0",
            "    ## 1.1.0",
            "#######  1.1.0",
            "- 1.1.0",
            "see 1.1.0 for details",
            "## Notes on the upgrade path of this project to 2.0.0",
            "- 1.1.0\n---",
            "text\n1.1.0\n=====",
            "```\n# 1.1.0\n```",
            "~~~~\n## v1.1.0\n~~~\n",
        ] {
            assert_eq!(version_of(line), None, "{line}");
        }
    }

    #[test]
    fn an_anchor_directly_above_belongs_to_the_heading() {
        let text = "# Changelog\n\n<a name=\"1.1.0\"></a>\n# [1.1.0](https://x) (2024-01-01)\n";
        assert_eq!(first_release(text).map(|h| h.start), Some("# Changelog\n\n".len()));
        let two = "# Changelog\n\n<a id=\"v1.1.0\"></a>\n<a name=\"1.1.0\"/>\n## 1.1.0\n";
        assert_eq!(first_release(two).map(|h| h.start), Some("# Changelog\n\n".len()));
        let setext = "# Changelog\n\n<a name=\"1.1.0\"></a>\n1.1.0\n=====\n";
        assert_eq!(first_release(setext).map(|h| h.start), Some("# Changelog\n\n".len()));
        // not directly above: it stays where it is
        let apart = "# Changelog\n\n<a name=\"x\"></a>\n\n## 1.1.0\n";
        assert_eq!(first_release(apart).map(|h| h.start), Some(apart.find("## 1.1.0").unwrap_or(0)));
        // a link is not an anchor
        let link = "# Changelog\n<a href=\"x\">site</a>\n## 1.1.0\n";
        assert_eq!(first_release(link).map(|h| h.start), Some(link.find("## 1.1.0").unwrap_or(0)));
    }

    #[test]
    fn a_release_is_named_by_its_tag_or_its_plain_version() {
        let n = |t: &str| named(t).unwrap_or_else(|| panic!("{t}"));
        assert!(n("[1.3.0] - x").names("1.3.0", "v1.3.0"));
        assert!(n("v1.3.0").names("1.3.0", "v1.3.0"));
        assert!(n("Version 1.3.0").names("1.3.0", "pkg@1.3.0"));
        assert!(n("relkit v1.3.0").names("1.3.0", "relkit-v1.3.0"));
        assert!(n("api-v1.3.0").names("1.3.0", "api-v1.3.0"));
        assert!(!n("web-v1.3.0").names("1.3.0", "api-v1.3.0"));
        assert!(!n("1.3.0-rc.1").names("1.3.0", "v1.3.0"));
        assert!(!n("11.3.0").names("1.3.0", "v1.3.0"));
    }

    #[test]
    fn mentions_are_whole_words() {
        assert!(mentions("see 1.1.0 here", "1.1.0", "v1.1.0"));
        assert!(mentions("Released v1.1.0.", "1.1.0", "v1.1.0"));
        assert!(mentions("**Version 1.1.0** (2024)", "1.1.0", "v1.1.0"));
        assert!(mentions("[1.1.0]: https://x", "1.1.0", "v1.1.0"));
        assert!(!mentions("11.1.0 and 1.1.0-rc.1 and 1.1.0.1", "1.1.0", "v1.1.0"));
        assert!(!mentions("https://semver.org/spec/v1.1.0.html", "1.1.0", "v1.1.0"));
        assert!(!mentions("", "1.1.0", ""));
    }
}
