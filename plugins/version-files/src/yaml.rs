//! YAML files: a scanner of the block-mapping subset manifests use (plain,
//! single- and double-quoted scalars, comments, sequences, block scalars,
//! LF or CRLF), which finds one scalar by its dotted key and reports the
//! byte span of its text inside the quotes.
//!
//! What it will not guess through: a flow collection (`{...}`, `[...]`), an
//! anchor, alias or tag, a merge key (`<<`), a complex key (`?`), a scalar
//! on several lines, or a second document on the way to the key is an
//! error naming the line, never a wrong edit. Elsewhere in the file such
//! constructs are skipped by indentation, not validated: this is not a
//! validating YAML parser.

use std::ops::Range;

use crate::edit::{self, Change};

/// A parsed YAML file: its lines.
pub struct Yaml<'t> {
    pub path: &'t str,
    pub text: &'t str,
    lines: Vec<Line>,
}

#[derive(Debug, Clone, Copy)]
struct Line {
    /// Byte offset of the first character.
    start: usize,
    /// Byte offset of the line break (`\r\n` or `\n`), or the text's end.
    end: usize,
    /// Spaces before the first other character.
    indent: usize,
    /// Only spaces, or a comment.
    blank: bool,
}

/// A scalar found by [`Yaml::get`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scalar {
    /// The text between the quotes (or the plain scalar).
    pub span: Range<usize>,
    /// The text at `span`, without escapes.
    pub value: String,
}

impl<'t> Yaml<'t> {
    /// Splits `text` into lines; the first document only (a `---` before it
    /// is fine, a second one is an error).
    pub fn parse(path: &'t str, text: &'t str) -> Result<Self, String> {
        let mut lines = Vec::new();
        let mut start = if text.starts_with('\u{feff}') { 3 } else { 0 };
        let mut seen_content = false;
        while start < text.len() {
            let nl = text[start..].find('\n').map_or(text.len(), |i| start + i);
            let end = if nl > start && text.as_bytes()[nl - 1] == b'\r' { nl - 1 } else { nl };
            let content = &text[start..end];
            let indent = content.len() - content.trim_start_matches(' ').len();
            let rest = &content[indent..];
            let blank = rest.trim_start_matches([' ', '\t']).is_empty()
                || rest.trim_start_matches([' ', '\t']).starts_with('#');
            let line_no = lines.len() + 1;
            if !blank && rest.starts_with('\t') {
                return Err(edit::error(
                    path,
                    "not valid YAML: a tab in the indentation",
                    &format!("line {line_no}:{}", indent + 1),
                    "indent with spaces",
                ));
            }
            if indent == 0 && (rest == "---" || rest.starts_with("--- ") || rest.starts_with("---\t")) {
                if seen_content {
                    return Err(edit::error(
                        path,
                        "more than one YAML document",
                        &format!("line {line_no}"),
                        "keep the version's document alone in the file, or mark its line with x-relkit-version",
                    ));
                }
                lines.push(Line { start, end, indent, blank: true });
            } else if indent == 0 && (rest == "..." || rest.starts_with("... ")) {
                break;
            } else if indent == 0 && rest.starts_with('%') && !seen_content {
                lines.push(Line { start, end, indent, blank: true });
            } else {
                seen_content |= !blank;
                lines.push(Line { start, end, indent, blank });
            }
            start = nl + 1;
        }
        Ok(Yaml { path, text, lines })
    }

    fn content(&self, i: usize) -> &'t str {
        let l = self.lines[i];
        &self.text[l.start + l.indent..l.end]
    }

    fn err(&self, i: usize, what: &str, location: &str) -> String {
        edit::error(
            self.path,
            what,
            &format!("{location}, line {}", i + 1),
            "write it as a plain or quoted scalar in a block mapping, or mark its line with x-relkit-version and leave it out of fields",
        )
    }

    /// The scalar at `key`, `None` when a key on the way is absent (or its
    /// value is not a mapping).
    pub fn get(&self, key: &[impl AsRef<str>], location: &str) -> Result<Option<Scalar>, String> {
        let mut range = 0..self.lines.len();
        let mut parent: Option<usize> = None;
        for (depth, segment) in key.iter().enumerate() {
            let last = depth + 1 == key.len();
            let Some(entry) = self.find_entry(range.clone(), parent, segment.as_ref(), location)? else {
                return Ok(None);
            };
            let (i, value_at) = entry;
            let indent = self.lines[i].indent;
            let value = &self.text[value_at..self.lines[i].end];
            let block_end = self.block_end(i, indent);
            if last {
                return self.scalar(i, value_at, value, block_end, location).map(Some);
            }
            match value.chars().next() {
                None | Some('#') => {}
                Some('{' | '[') => return Err(self.err(i, "a flow collection on the way to the key", location)),
                Some('&' | '*' | '!') => {
                    return Err(self.err(i, "an anchor, alias or tag on the way to the key", location));
                }
                // A scalar: the rest of the key is not there.
                Some(_) => return Ok(None),
            }
            range = i + 1..block_end;
            parent = Some(indent);
        }
        Ok(None)
    }

    /// The end (exclusive line index) of entry `i`'s value: the lines after
    /// it that are blank, more indented, or sequence items at its indent.
    fn block_end(&self, i: usize, indent: usize) -> usize {
        let mut j = i + 1;
        while j < self.lines.len() {
            let l = self.lines[j];
            let content = self.content(j);
            if l.blank || l.indent > indent || (l.indent == indent && (content == "-" || content.starts_with("- "))) {
                j += 1;
            } else {
                break;
            }
        }
        j
    }

    /// The entry `segment` among the mapping entries of `range` whose parent
    /// entry has indent `parent`: its line and the offset of its value.
    fn find_entry(
        &self,
        range: Range<usize>,
        parent: Option<usize>,
        segment: &str,
        location: &str,
    ) -> Result<Option<(usize, usize)>, String> {
        let Some(first) = range.clone().find(|&i| !self.lines[i].blank) else { return Ok(None) };
        let indent = self.lines[first].indent;
        if parent.is_some_and(|p| indent <= p) {
            return Ok(None);
        }
        let mut found = None;
        let mut merge = None;
        let mut i = first;
        while i < range.end {
            let l = self.lines[i];
            if l.blank || l.indent > indent {
                i += 1;
                continue;
            }
            let content = self.content(i);
            if content == "-" || content.starts_with("- ") {
                if i == first {
                    return Ok(None); // a sequence, not a mapping
                }
                i += 1;
                continue;
            }
            if content.starts_with("? ") || content == "?" {
                return Err(self.err(i, "a complex key (?) in the mapping of the key", location));
            }
            let (key, value_at) = self.key(i, content)?;
            let value = self.text[value_at..l.end].to_string();
            if key == "<<" {
                merge = Some(i);
            } else if key == segment {
                if found.is_some() {
                    return Err(edit::error(
                        self.path,
                        &format!("key {segment:?} appears more than once"),
                        &format!("{location}, line {}", i + 1),
                        "remove the duplicate",
                    ));
                }
                found = Some((i, value_at));
            }
            i += 1;
            // A quoted scalar that goes on past its line: skip to its end.
            if let Some(q @ ('"' | '\'')) = value.chars().next()
                && closing_quote(&value, q).is_none()
            {
                while i < range.end
                    && closing_quote(&format!(" {}", &self.text[self.lines[i].start..self.lines[i].end]), q).is_none()
                {
                    i += 1;
                }
                i += 1;
            }
        }
        if found.is_none()
            && let Some(m) = merge
        {
            return Err(self.err(m, &format!("a merge key (<<) where {segment:?} may come from"), location));
        }
        Ok(found)
    }

    /// The key of the mapping entry on line `i` and the offset of its value
    /// (after `:` and spaces).
    fn key(&self, i: usize, content: &str) -> Result<(String, usize), String> {
        let base = self.lines[i].start + self.lines[i].indent;
        let parse_error = |what: &str, at: usize| {
            let (line, col) = edit::line_col(self.text, base + at);
            edit::error(
                self.path,
                &format!("not valid YAML: {what}"),
                &format!("line {line}:{col}"),
                "fix the file, then release again",
            )
        };
        let (key, after) = match content.chars().next() {
            Some(q @ ('"' | '\'')) => {
                let end = closing_quote(content, q)
                    .ok_or_else(|| parse_error("a quoted key that does not close on its line", 0))?;
                let raw = &content[1..end];
                if q == '"' && raw.contains('\\') {
                    return Err(parse_error("a key with escapes", 0));
                }
                (if q == '\'' { raw.replace("''", "'") } else { raw.to_string() }, end + 1)
            }
            Some('{' | '[' | '&' | '*' | '!') => {
                return Err(self.err(
                    i,
                    "a flow collection, anchor, alias or tag as a key",
                    &format!("line {}", i + 1),
                ));
            }
            _ => {
                let colon = find_colon(content).ok_or_else(|| parse_error("expected `key: value`", 0))?;
                (content[..colon].trim_end().to_string(), colon)
            }
        };
        let rest = &content[after..];
        let spaces = rest.len() - rest.trim_start_matches([' ', '\t']).len();
        let rest2 = &rest[spaces..];
        let Some(value) = rest2.strip_prefix(':') else {
            return Err(parse_error("expected ':' after the key", after + spaces));
        };
        if !(value.is_empty() || value.starts_with([' ', '\t'])) {
            return Err(parse_error("expected a space after ':'", after + spaces + 1));
        }
        let value_offset = after + spaces + 1 + (value.len() - value.trim_start_matches([' ', '\t']).len());
        Ok((key, base + value_offset))
    }

    /// The scalar value of the entry on line `i` whose value text starts at
    /// `at`; `block_end` ends the lines that belong to it.
    fn scalar(&self, i: usize, at: usize, value: &str, block_end: usize, location: &str) -> Result<Scalar, String> {
        let bad_type = |what: &str| {
            edit::error(
                self.path,
                &format!("value is {what}, not a version string"),
                location,
                "write the version as a scalar: version: 1.2.3",
            )
        };
        match value.chars().next() {
            None | Some('#') => {
                if (i + 1..block_end).any(|j| !self.lines[j].blank) {
                    return Err(bad_type("a nested block or a scalar on the next lines"));
                }
                Err(bad_type("empty"))
            }
            Some('{' | '[') => Err(self.err(i, "a flow collection as the value", location)),
            Some('&' | '*' | '!') => Err(self.err(i, "an anchor, alias or tag on the value", location)),
            Some('|' | '>') => Err(self.err(i, "a block scalar (| or >) as the value", location)),
            Some(q @ ('"' | '\'')) => {
                let end =
                    closing_quote(value, q).ok_or_else(|| self.err(i, "a quoted scalar on several lines", location))?;
                let after = value[end + 1..].trim_start_matches([' ', '\t']);
                if !(after.is_empty() || after.starts_with('#')) {
                    let (line, col) = edit::line_col(self.text, at + end + 1);
                    return Err(edit::error(
                        self.path,
                        "not valid YAML: text after a quoted scalar",
                        &format!("line {line}:{col}"),
                        "fix the file, then release again",
                    ));
                }
                let raw = &value[1..end];
                if q == '"' && raw.contains('\\') || q == '\'' && raw.contains("''") {
                    return Err(edit::error(
                        self.path,
                        &format!("value {raw:?} is written with escapes"),
                        location,
                        "write it plainly: \"1.2.3\"",
                    ));
                }
                Ok(Scalar { span: at + 1..at + end, value: raw.to_string() })
            }
            Some(_) => {
                let len = plain_end(value);
                if (i + 1..block_end).any(|j| !self.lines[j].blank && self.lines[j].indent > self.lines[i].indent) {
                    return Err(self.err(i, "a plain scalar on several lines", location));
                }
                Ok(Scalar { span: at..at + len, value: value[..len].to_string() })
            }
        }
    }

    /// The change that writes `new` into the scalar at `key`.
    pub fn set_version(&self, key: &[impl AsRef<str>], location: &str, new: &str) -> Result<Option<Change>, String> {
        let Some(scalar) = self.get(key, location)? else { return Ok(None) };
        if matches!(scalar.value.as_str(), "null" | "~" | "Null" | "NULL") {
            return Err(edit::error(
                self.path,
                "value is null, not a version string",
                location,
                "write the version as a scalar: version: 1.2.3",
            ));
        }
        let new_value = edit::new_value(&scalar.value, new)
            .map_err(|what| edit::error(self.path, &what, location, edit::NOT_A_VERSION_FIX))?;
        Ok(Some(Change {
            span: scalar.span,
            replacement: new_value.clone(),
            location: location.into(),
            old: scalar.value,
            new: new_value,
        }))
    }

    /// Sets each dotted key of `fields`; a key that is absent is an error.
    pub fn set_fields(&self, fields: &[String], new: &str) -> Result<Vec<Change>, String> {
        edit::set_fields(self.path, fields, |key, field| self.set_version(key, field, new))
    }
}

/// The byte index of the quote closing the scalar that `text` starts with.
fn closing_quote(text: &str, q: char) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut i = 1;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' if q == '"' => i += 2,
            b'\'' if q == '\'' && bytes.get(i + 1) == Some(&b'\'') => i += 2,
            b if b == q as u8 => return Some(i),
            _ => i += 1,
        }
    }
    None
}

/// The `:` that ends a plain key (followed by a space, a tab or the line's end).
fn find_colon(content: &str) -> Option<usize> {
    let bytes = content.as_bytes();
    (0..bytes.len())
        .find(|&i| {
            bytes[i] == b':' && matches!(bytes.get(i + 1), None | Some(b' ' | b'\t'))
                || bytes[i] == b'#' && i > 0 && matches!(bytes[i - 1], b' ' | b'\t')
        })
        .filter(|&i| bytes[i] == b':')
}

/// The length of a plain scalar: up to a ` #` comment, trailing spaces off.
fn plain_end(value: &str) -> usize {
    let bytes = value.as_bytes();
    let cut =
        (1..bytes.len()).find(|&i| bytes[i] == b'#' && matches!(bytes[i - 1], b' ' | b'\t')).unwrap_or(bytes.len());
    value[..cut].trim_end_matches([' ', '\t']).len()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn get(text: &str, key: &str) -> Result<Option<String>, String> {
        let y = Yaml::parse("f.yaml", text)?;
        let k = edit::split_key(key)?;
        Ok(y.get(&k, key)?.map(|s| {
            assert_eq!(&text[s.span.clone()], s.value);
            s.value
        }))
    }

    #[test]
    fn finds_scalars_in_block_mappings() {
        let text =
            "# c\n---\na: 1 # x\nb:\n  c: 'q' # y\n  d:\n    e: \"z\"\nlist:\n- version: 9\n  x: 1\nversion: 3\n";
        assert_eq!(get(text, "a").unwrap().as_deref(), Some("1"));
        assert_eq!(get(text, "b.c").unwrap().as_deref(), Some("q"));
        assert_eq!(get(text, "b.d.e").unwrap().as_deref(), Some("z"));
        assert_eq!(get(text, "version").unwrap().as_deref(), Some("3"));
        assert_eq!(get(text, "b.e").unwrap(), None);
        assert_eq!(get(text, "a.b").unwrap(), None);
        assert_eq!(get("k: |\n  version: 1\nversion: 2\n", "version").unwrap().as_deref(), Some("2"));
        assert_eq!(get("'k''s': 1\n\"v\" : 2\r\n", "v").unwrap().as_deref(), Some("2"));
        assert_eq!(get("a: \"x\n  version: 1\"\nversion: 2\n", "version").unwrap().as_deref(), Some("2"));
    }

    #[test]
    fn refuses_what_it_cannot_edit_safely() {
        assert!(get("a: {version: 1}\n", "a.version").unwrap_err().contains("flow collection"));
        assert!(get("a: &x\n  v: 1\n", "a.v").unwrap_err().contains("anchor"));
        assert!(get("a:\n  <<: *b\n", "a.v").unwrap_err().contains("merge key"));
        assert!(get("v: 1\n  2\n", "v").unwrap_err().contains("several lines"));
        assert!(get("v: \"1\n  2\"\n", "v").unwrap_err().contains("several lines"));
        assert!(get("v: |\n  1\n", "v").unwrap_err().contains("block scalar"));
        assert!(get("a: 1\n---\nb: 2\n", "a").unwrap_err().contains("more than one"));
        assert!(get("v: 1\nv: 2\n", "v").unwrap_err().contains("more than once"));
        assert!(get("a:\n\tv: 1\n", "a.v").unwrap_err().contains("tab"));
        assert!(get("just text\n", "v").unwrap_err().contains("line 1:1"));
        assert!(get("v: \"1\" x\n", "v").unwrap_err().contains("after a quoted"));
    }
}
