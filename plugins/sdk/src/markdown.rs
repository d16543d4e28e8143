//! Commit text placed into markdown.
//!
//! The notes and the CHANGELOG are read on forges that render HTML inside
//! markdown: a subject like `fix(ui): keep <details> open` opens a real
//! `<details>` element there and hides everything after it. So `<`, `>` and
//! an `&` that would start a character reference (`&#39;`, `&amp;`) are
//! escaped in commit text, except inside code spans and fenced code blocks,
//! where CommonMark shows them literally anyway.
//!
//! Text that is not markdown at all (a path, a tag, a package name) is placed
//! with [`code_span`] or [`plain_text`], which show it exactly as it is
//! whatever it holds: backticks, `|`, `<b>`, a newline.

use std::ops::Range;

/// `text` with each control character (C0, DEL, C1) and each bidirectional
/// override replaced by a visible stand-in, so that text from a repository
/// (a file name may hold a newline) can neither end a markdown line nor
/// reorder what is shown: C0 and DEL by their Control Pictures (`␊` for a
/// line feed, `␉` for a tab), the others by U+FFFD.
///
/// ```
/// use relkit_plugin_sdk::markdown::replace_controls;
/// assert_eq!(replace_controls("a\nb\tc\u{7f}\u{85}\u{202e}"), "a␊b␉c␡\u{fffd}\u{fffd}");
/// ```
pub fn replace_controls(text: &str) -> String {
    text.chars().map(visible).collect()
}

fn visible(c: char) -> char {
    match c {
        '\u{0}'..='\u{1f}' => char::from_u32(0x2400 + u32::from(c)).unwrap_or('\u{fffd}'),
        '\u{7f}' => '\u{2421}',
        '\u{80}'..='\u{9f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' => '\u{fffd}',
        _ => c,
    }
}

/// `text` as an inline code span that shows it literally (CommonMark 0.31,
/// "Code spans"): fenced by a run of backticks longer than any run inside
/// it, padded with a space where it starts or ends with a backtick (or both
/// starts and ends with a space, which would otherwise be stripped), and
/// with control characters replaced ([`replace_controls`]). Not for table
/// cells: GitHub splits cells at a `|` even inside code.
///
/// ```
/// use relkit_plugin_sdk::markdown::code_span;
/// assert_eq!(code_span("src/main.rs"), "`src/main.rs`");
/// assert_eq!(code_span("0002_$(id)`whoami`.sql"), "``0002_$(id)`whoami`.sql``");
/// assert_eq!(code_span("`x``"), "``` `x`` ```");
/// assert_eq!(code_span("a\nb"), "`a␊b`");
/// ```
pub fn code_span(text: &str) -> String {
    if text.is_empty() {
        // An empty code span does not exist in CommonMark.
        return "` `".to_string();
    }
    let longest = text.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let pad = text.starts_with('`')
        || text.ends_with('`')
        || (text.len() > 1 && text.starts_with(' ') && text.ends_with(' ') && !text.trim().is_empty());
    let mut out = String::with_capacity(text.len() + 2 * longest + 4);
    let fence = |out: &mut String| (0..=longest).for_each(|_| out.push('`'));
    fence(&mut out);
    if pad {
        out.push(' ');
    }
    out.extend(text.chars().map(visible));
    if pad {
        out.push(' ');
    }
    fence(&mut out);
    out
}

/// `text` as literal markdown prose, also in a table cell or a heading:
/// control characters replaced ([`replace_controls`]); `<`, `>` and an `&`
/// that would start a character reference escaped as HTML; the ASCII
/// punctuation that markdown reads inline (`` \ ` * _ [ ] | ~ $ ``, `$` for
/// GitHub's math) escaped with a backslash; and a start that would open a
/// block (`#`, `>`, `-`, `+`, `=`, or `1.`, `1)` before a space or the end)
/// escaped, for text that begins a line.
///
/// ```
/// use relkit_plugin_sdk::markdown::plain_text;
/// assert_eq!(plain_text("v1.2.0"), "v1.2.0");
/// assert_eq!(plain_text("v1|<b>x</b>"), "v1\\|&lt;b&gt;x&lt;/b&gt;");
/// assert_eq!(plain_text("#1 a*b_c"), "\\#1 a\\*b\\_c");
/// assert_eq!(plain_text("1.0.0"), "1.0.0");
/// assert_eq!(plain_text("1)"), "1\\)");
/// ```
pub fn plain_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    let digits = text.chars().take_while(char::is_ascii_digit).count();
    let block_start = match text.chars().next() {
        Some('#' | '>' | '-' | '+' | '=') => Some(0),
        // `1.` or `1)` opens an ordered list only before a space or the line's end.
        Some('0'..='9')
            if digits <= 9
                && matches!(text[digits..].chars().next(), Some('.' | ')'))
                && text[digits + 1..].chars().next().is_none_or(char::is_whitespace) =>
        {
            Some(digits)
        }
        _ => None,
    };
    for (i, c) in text.char_indices() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' if i != 0 => out.push_str("&gt;"),
            '&' if starts_character_reference(&text[i + 1..]) => out.push_str("&amp;"),
            '\\' | '`' | '*' | '_' | '[' | ']' | '|' | '~' | '$' => {
                out.push('\\');
                out.push(c);
            }
            _ if block_start == Some(i) => {
                out.push('\\');
                out.push(c);
            }
            _ => out.push(visible(c)),
        }
    }
    out
}

/// `text` with HTML escaped outside code.
///
/// ```
/// use relkit_plugin_sdk::markdown::escape_html;
/// assert_eq!(escape_html("keep <details> open"), "keep &lt;details&gt; open");
/// assert_eq!(escape_html("show `<details>` & R&D"), "show `<details>` & R&D");
/// assert_eq!(escape_html("escape &#39; in titles"), "escape &amp;#39; in titles");
/// ```
pub fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    escape_into(&mut out, text, 0..text.len(), &code_ranges(text));
    out
}

/// Appends `text[range]` to `out`, escaping HTML outside `code` (the sorted
/// byte ranges of [`code_ranges`] over the whole `text`).
pub fn escape_into(out: &mut String, text: &str, range: Range<usize>, code: &[Range<usize>]) {
    let Some(part) = text.get(range.clone()) else { return };
    let mut code = code.iter().skip_while(|c| c.end <= range.start).peekable();
    for (i, ch) in part.char_indices() {
        let at = range.start + i;
        while code.next_if(|c| c.end <= at).is_some() {}
        if code.peek().is_some_and(|c| c.contains(&at)) {
            out.push(ch);
            continue;
        }
        match ch {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' if starts_character_reference(&text[at + 1..]) => out.push_str("&amp;"),
            _ => out.push(ch),
        }
    }
}

/// Whether the text after an `&` makes it a character reference: an entity
/// name, a decimal or a hexadecimal reference, each ended by `;`
/// (CommonMark 0.31, "Entity and numeric character references"). Names are
/// not checked against HTML's list: escaping an unknown one changes nothing.
fn starts_character_reference(after: &str) -> bool {
    let Some((body, _)) = after.split_once(';') else { return false };
    if let Some(num) = body.strip_prefix('#') {
        return match num.strip_prefix(['x', 'X']) {
            Some(hex) => (1..=6).contains(&hex.len()) && hex.chars().all(|c| c.is_ascii_hexdigit()),
            None => (1..=7).contains(&num.len()) && num.chars().all(|c| c.is_ascii_digit()),
        };
    }
    (2..=32).contains(&body.len())
        && body.starts_with(|c: char| c.is_ascii_alphabetic())
        && body.chars().all(|c| c.is_ascii_alphanumeric())
}

/// The byte ranges of `text` that are code, in order: fenced blocks (a line
/// of three or more backticks or tildes, indented at most three spaces, up to
/// a closing line of at least as many, or the end) and code spans (a run of
/// backticks up to the next run of the same length; an unmatched run is
/// literal), as CommonMark defines them.
pub fn code_ranges(text: &str) -> Vec<Range<usize>> {
    let mut ranges = Vec::new();
    let mut prose_start = 0;
    let mut fence: Option<(char, usize, usize)> = None;
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let trimmed = line.trim_start_matches(' ');
        let indented = line.len() - trimmed.len() <= 3;
        let run = |c: char| trimmed.chars().take_while(|x| *x == c).count();
        match fence {
            Some((c, n, start)) => {
                let m = run(c);
                if indented && m >= n && trimmed[m..].trim().is_empty() {
                    ranges.push(start..offset + line.len());
                    fence = None;
                    prose_start = offset + line.len();
                }
            }
            None if indented => {
                for c in ['`', '~'] {
                    let n = run(c);
                    // A backtick fence's info string holds no backtick.
                    if n >= 3 && !(c == '`' && trimmed[n..].contains('`')) {
                        code_spans(text, prose_start..offset, &mut ranges);
                        fence = Some((c, n, offset));
                        break;
                    }
                }
            }
            None => {}
        }
        offset += line.len();
    }
    match fence {
        Some((_, _, start)) => ranges.push(start..text.len()),
        None => code_spans(text, prose_start..text.len(), &mut ranges),
    }
    ranges
}

fn code_spans(text: &str, range: Range<usize>, out: &mut Vec<Range<usize>>) {
    let bytes = text.as_bytes();
    let run_at = |i: usize| bytes[i..range.end].iter().take_while(|b| **b == b'`').count();
    let mut i = range.start;
    while i < range.end {
        if bytes[i] != b'`' {
            i += 1;
            continue;
        }
        let n = run_at(i);
        let mut j = i + n;
        let mut close = None;
        while j < range.end {
            if bytes[j] == b'`' {
                let m = run_at(j);
                if m == n {
                    close = Some(j + m);
                    break;
                }
                j += m;
            } else {
                j += 1;
            }
        }
        match close {
            Some(end) => {
                out.push(i..end);
                i = end;
            }
            None => i += n,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_issue_example() {
        assert_eq!(escape_html("keep <details> open after reload"), "keep &lt;details&gt; open after reload");
    }

    #[test]
    fn tags_comments_and_arrows() {
        assert_eq!(escape_html("<!-- hidden -->"), "&lt;!-- hidden --&gt;");
        assert_eq!(escape_html("a <br/> b"), "a &lt;br/&gt; b");
        assert_eq!(escape_html("map <T> -> U"), "map &lt;T&gt; -&gt; U");
        assert_eq!(escape_html("<script>alert(1)</script>"), "&lt;script&gt;alert(1)&lt;/script&gt;");
    }

    #[test]
    fn only_an_ampersand_that_starts_a_reference_is_escaped() {
        assert_eq!(
            escape_html("&#39; &#x27; &amp; &nbsp; &copy;"),
            "&amp;#39; &amp;#x27; &amp;amp; &amp;nbsp; &amp;copy;"
        );
        assert_eq!(escape_html("R&D, a & b, &&, &; &#; &#12345678; &x y;"), "R&D, a & b, &&, &; &#; &#12345678; &x y;");
    }

    #[test]
    fn code_spans_and_fences_are_left_alone() {
        assert_eq!(escape_html("use `Vec<u8>` not <u8>"), "use `Vec<u8>` not &lt;u8&gt;");
        assert_eq!(escape_html("``a ` <b>`` <c>"), "``a ` <b>`` &lt;c&gt;");
        // an unmatched backtick is literal, so what follows is text
        assert_eq!(escape_html("a ` <b>"), "a ` &lt;b&gt;");
        assert_eq!(escape_html("a `` <b> `"), "a `` &lt;b&gt; `");
        let fenced = "before <a>\n```html\n<details>&amp;\n```\nafter <b>";
        assert_eq!(escape_html(fenced), "before &lt;a&gt;\n```html\n<details>&amp;\n```\nafter &lt;b&gt;");
        let tilde = "x\n   ~~~~\n<p>\n~~~\n<q>\n~~~~~\n<r>";
        assert_eq!(escape_html(tilde), "x\n   ~~~~\n<p>\n~~~\n<q>\n~~~~~\n&lt;r&gt;");
        // an unclosed fence runs to the end
        assert_eq!(escape_html("x\n```\n<p>"), "x\n```\n<p>");
        // indented four spaces is not a fence
        assert_eq!(escape_html("x\n    ```\n<p>"), "x\n    ```\n&lt;p&gt;");
    }

    #[test]
    fn code_spans_show_any_text_literally() {
        assert_eq!(code_span("`"), "`` ` ``");
        assert_eq!(code_span("a ``` b"), "````a ``` b````");
        assert_eq!(code_span(" x "), "`  x  `", "a space each side would be stripped");
        assert_eq!(code_span("   "), "`   `");
        assert_eq!(code_span("x\r\ny\u{0}"), "`x␍␊y␀`");
        assert_eq!(code_span(""), "` `");
        // the span found by CommonMark's rule is exactly the text
        for text in ["a`b", "``", "x ` y `` z", "`a", "b`"] {
            let span = code_span(text);
            assert_eq!(code_ranges(&span), vec![0..span.len()], "{span}");
        }
    }

    #[test]
    fn plain_text_is_literal_prose() {
        assert_eq!(plain_text("rel|<b>1.0</b>"), "rel\\|&lt;b&gt;1.0&lt;/b&gt;");
        assert_eq!(
            plain_text("a`b` [c](d) *e* _f_ ~g~ $h$ \\"),
            "a\\`b\\` \\[c\\](d) \\*e\\* \\_f\\_ \\~g\\~ \\$h\\$ \\\\"
        );
        assert_eq!(plain_text("R&D &amp; x"), "R&D &amp;amp; x");
        assert_eq!(plain_text("> a"), "\\> a");
        assert_eq!(plain_text("- a"), "\\- a");
        assert_eq!(plain_text("12. a"), "12\\. a");
        assert_eq!(plain_text("2.0.0"), "2.0.0");
        assert_eq!(plain_text("a\nb"), "a␊b");
    }

    #[test]
    fn unicode_is_kept() {
        assert_eq!(escape_html("é <ü> `ß<`"), "é &lt;ü&gt; `ß<`");
    }
}
