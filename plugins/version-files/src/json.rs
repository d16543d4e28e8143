//! JSON files: a parser of the whole grammar (RFC 8259) that keeps each
//! value's byte span, so a change rewrites the characters inside one
//! string's quotes and nothing else.

use std::ops::Range;

use crate::edit::{self, Change};

/// A JSON value with its span in the text (quotes included for strings).
#[derive(Debug, Clone, PartialEq)]
pub struct Spanned {
    pub span: Range<usize>,
    pub node: Node,
}

/// A JSON value.
#[derive(Debug, Clone, PartialEq)]
pub enum Node {
    /// Members in file order (duplicates kept, to be reported).
    Object(Vec<(String, Spanned)>),
    Array(Vec<Spanned>),
    /// The decoded string.
    String(String),
    Number,
    Bool,
    Null,
}

impl Node {
    fn kind(&self) -> &'static str {
        match self {
            Node::Object(_) => "an object",
            Node::Array(_) => "an array",
            Node::String(_) => "a string",
            Node::Number => "a number",
            Node::Bool => "a boolean",
            Node::Null => "null",
        }
    }
}

/// Deeper nesting is refused rather than risking the plugin's stack.
const MAX_DEPTH: usize = 256;

/// A parsed JSON file.
pub struct Json<'t> {
    pub path: &'t str,
    pub text: &'t str,
    pub root: Spanned,
}

impl<'t> Json<'t> {
    /// Parses `text`; the error names `path` and the line:column.
    pub fn parse(path: &'t str, text: &'t str) -> Result<Self, String> {
        let mut p = Parser { s: text.as_bytes(), at: 0, depth: 0 };
        if text.starts_with('\u{feff}') {
            p.at = 3;
        }
        let result = p.ws().and_then(|()| p.value()).and_then(|v| {
            p.ws()?;
            if p.at < p.s.len() { Err("unexpected text after the value") } else { Ok(v) }
        });
        match result {
            Ok(root) => Ok(Json { path, text, root }),
            Err(what) => {
                let (line, col) = edit::line_col(text, p.at);
                Err(edit::error(
                    path,
                    &format!("not valid JSON: {what}"),
                    &format!("line {line}:{col}"),
                    "fix the file, then release again",
                ))
            }
        }
    }

    /// The value at `key` (object members only); `Err` for a key that is
    /// present more than once on the way.
    pub fn get(&self, key: &[impl AsRef<str>], location: &str) -> Result<Option<&Spanned>, String> {
        let mut at = &self.root;
        for segment in key {
            let Node::Object(members) = &at.node else { return Ok(None) };
            let mut found = members.iter().filter(|(k, _)| k == segment.as_ref()).map(|(_, v)| v);
            let Some(first) = found.next() else { return Ok(None) };
            if found.next().is_some() {
                return Err(edit::error(
                    self.path,
                    &format!("key {:?} appears more than once", segment.as_ref()),
                    location,
                    "remove the duplicate",
                ));
            }
            at = first;
        }
        Ok(Some(at))
    }

    /// The change that writes `new` into the string at `value`.
    pub fn set_version(&self, value: &Spanned, location: &str, new: &str) -> Result<Change, String> {
        let Node::String(old) = &value.node else {
            return Err(edit::error(
                self.path,
                &format!("value is {}, not a version string", value.node.kind()),
                location,
                "write the version as a string: \"1.2.3\"",
            ));
        };
        let new_value = edit::new_value(old, new)
            .map_err(|what| edit::error(self.path, &what, location, edit::NOT_A_VERSION_FIX))?;
        self.set_text(value, location, &new_value)
    }

    /// The change that writes `new_value` as the text inside the quotes of
    /// the string `value` (a version, or a dependency's requirement).
    pub fn set_text(&self, value: &Spanned, location: &str, new_value: &str) -> Result<Change, String> {
        let Node::String(old) = &value.node else {
            return Err(edit::error(
                self.path,
                &format!("value is {}, not a string", value.node.kind()),
                location,
                "write it as a string",
            ));
        };
        let new_value = new_value.to_string();
        let inner = value.span.start + 1..value.span.end - 1;
        if self.text.get(inner.clone()) != Some(old.as_str()) {
            return Err(edit::error(
                self.path,
                &format!("value {old:?} is written with escapes"),
                location,
                &format!("write it plainly: \"{old}\""),
            ));
        }
        Ok(Change {
            span: inner,
            replacement: new_value.clone(),
            location: location.into(),
            old: old.clone(),
            new: new_value,
        })
    }

    /// Sets each dotted key of `fields`; a key that is absent is an error.
    pub fn set_fields(&self, fields: &[String], new: &str) -> Result<Vec<Change>, String> {
        edit::set_fields(self.path, fields, |key, field| {
            self.get(key, field)?.map(|value| self.set_version(value, field, new)).transpose()
        })
    }
}

struct Parser<'s> {
    s: &'s [u8],
    at: usize,
    depth: usize,
}

type Result2<T> = Result<T, &'static str>;

impl Parser<'_> {
    fn peek(&self) -> Option<u8> {
        self.s.get(self.at).copied()
    }

    fn ws(&mut self) -> Result2<()> {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.peek() {
            self.at += 1;
        }
        Ok(())
    }

    fn expect(&mut self, b: u8, what: &'static str) -> Result2<()> {
        if self.peek() == Some(b) {
            self.at += 1;
            Ok(())
        } else {
            Err(what)
        }
    }

    fn value(&mut self) -> Result2<Spanned> {
        let start = self.at;
        let node = match self.peek() {
            Some(b'{') => self.object()?,
            Some(b'[') => self.array()?,
            Some(b'"') => Node::String(self.string()?),
            Some(b't') => self.word(b"true", Node::Bool)?,
            Some(b'f') => self.word(b"false", Node::Bool)?,
            Some(b'n') => self.word(b"null", Node::Null)?,
            Some(b'-' | b'0'..=b'9') => self.number()?,
            Some(_) => return Err("expected a value"),
            None => return Err("unexpected end of file, expected a value"),
        };
        Ok(Spanned { span: start..self.at, node })
    }

    fn nest(&mut self) -> Result2<()> {
        self.depth += 1;
        if self.depth > MAX_DEPTH { Err("nested deeper than 256 levels") } else { Ok(()) }
    }

    fn object(&mut self) -> Result2<Node> {
        self.nest()?;
        self.at += 1;
        let mut members = Vec::new();
        self.ws()?;
        if self.peek() == Some(b'}') {
            self.at += 1;
            self.depth -= 1;
            return Ok(Node::Object(members));
        }
        loop {
            self.ws()?;
            if self.peek() != Some(b'"') {
                return Err("expected a string key");
            }
            let key = self.string()?;
            self.ws()?;
            self.expect(b':', "expected ':' after the key")?;
            self.ws()?;
            let value = self.value()?;
            members.push((key, value));
            self.ws()?;
            match self.peek() {
                Some(b',') => self.at += 1,
                Some(b'}') => {
                    self.at += 1;
                    self.depth -= 1;
                    return Ok(Node::Object(members));
                }
                _ => return Err("expected ',' or '}'"),
            }
        }
    }

    fn array(&mut self) -> Result2<Node> {
        self.nest()?;
        self.at += 1;
        let mut items = Vec::new();
        self.ws()?;
        if self.peek() == Some(b']') {
            self.at += 1;
            self.depth -= 1;
            return Ok(Node::Array(items));
        }
        loop {
            self.ws()?;
            items.push(self.value()?);
            self.ws()?;
            match self.peek() {
                Some(b',') => self.at += 1,
                Some(b']') => {
                    self.at += 1;
                    self.depth -= 1;
                    return Ok(Node::Array(items));
                }
                _ => return Err("expected ',' or ']'"),
            }
        }
    }

    fn word(&mut self, word: &[u8], node: Node) -> Result2<Node> {
        if self.s[self.at..].starts_with(word) {
            self.at += word.len();
            Ok(node)
        } else {
            Err("expected a value")
        }
    }

    fn digits(&mut self) -> usize {
        let start = self.at;
        while let Some(b'0'..=b'9') = self.peek() {
            self.at += 1;
        }
        self.at - start
    }

    fn number(&mut self) -> Result2<Node> {
        if self.peek() == Some(b'-') {
            self.at += 1;
        }
        match self.peek() {
            Some(b'0') => self.at += 1,
            Some(b'1'..=b'9') => {
                self.digits();
            }
            _ => return Err("expected a digit"),
        }
        if self.peek() == Some(b'.') {
            self.at += 1;
            if self.digits() == 0 {
                return Err("expected a digit after '.'");
            }
        }
        if let Some(b'e' | b'E') = self.peek() {
            self.at += 1;
            if let Some(b'+' | b'-') = self.peek() {
                self.at += 1;
            }
            if self.digits() == 0 {
                return Err("expected a digit in the exponent");
            }
        }
        Ok(Node::Number)
    }

    fn hex4(&mut self) -> Result2<u32> {
        let digits = self.s.get(self.at..self.at + 4).ok_or("unexpected end of file in \\u escape")?;
        let text = std::str::from_utf8(digits).map_err(|_| "expected 4 hex digits after \\u")?;
        let n = u32::from_str_radix(text, 16).map_err(|_| "expected 4 hex digits after \\u")?;
        if !digits.iter().all(u8::is_ascii_hexdigit) {
            return Err("expected 4 hex digits after \\u");
        }
        self.at += 4;
        Ok(n)
    }

    fn string(&mut self) -> Result2<String> {
        self.at += 1;
        let mut out = Vec::new();
        loop {
            let b = self.peek().ok_or("unexpected end of file in a string")?;
            match b {
                b'"' => {
                    self.at += 1;
                    return String::from_utf8(out).map_err(|_| "invalid UTF-8 in a string");
                }
                b'\\' => {
                    self.at += 1;
                    let e = self.peek().ok_or("unexpected end of file in a string")?;
                    self.at += 1;
                    let c = match e {
                        b'"' => '"',
                        b'\\' => '\\',
                        b'/' => '/',
                        b'b' => '\u{8}',
                        b'f' => '\u{c}',
                        b'n' => '\n',
                        b'r' => '\r',
                        b't' => '\t',
                        b'u' => {
                            let hi = self.hex4()?;
                            let code = if (0xD800..0xDC00).contains(&hi) {
                                if !self.s[self.at..].starts_with(b"\\u") {
                                    return Err("unpaired surrogate in a \\u escape");
                                }
                                self.at += 2;
                                let lo = self.hex4()?;
                                if !(0xDC00..0xE000).contains(&lo) {
                                    return Err("unpaired surrogate in a \\u escape");
                                }
                                0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00)
                            } else {
                                hi
                            };
                            char::from_u32(code).ok_or("unpaired surrogate in a \\u escape")?
                        }
                        _ => {
                            self.at -= 1;
                            return Err("invalid escape in a string");
                        }
                    };
                    let mut buf = [0; 4];
                    out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
                }
                0..0x20 => return Err("control character in a string"),
                _ => {
                    out.push(b);
                    self.at += 1;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_err(text: &str) -> String {
        Json::parse("f.json", text).err().unwrap_or_default()
    }

    #[test]
    fn accepts_the_grammar() {
        let text = "\u{feff} { \"a\" : [1, -0.5e+3, true, false, null, \"\\u00e9\\ud83d\\ude00\\n\"], \"b\": {} } ";
        let j = Json::parse("f.json", text).unwrap();
        let Node::Object(m) = &j.root.node else { panic!() };
        assert_eq!(m.len(), 2);
        let Node::Array(items) = &m[0].1.node else { panic!() };
        assert_eq!(items[5].node, Node::String("é😀\n".into()));
    }

    #[test]
    fn rejects_what_is_not_json() {
        assert!(parse_err("{\"a\": 01}").contains("expected ',' or '}'"));
        assert!(parse_err("{\"a\": 1,}").contains("expected a string key"));
        assert!(parse_err("[1 2]").contains("line 1:4"));
        assert!(parse_err("\"\\x\"").contains("invalid escape"));
        assert!(parse_err("\"\\ud800\"").contains("unpaired surrogate"));
        assert!(parse_err("{} x").contains("after the value"));
        assert!(parse_err("1.").contains("after '.'"));
        assert!(parse_err("\"a\tb\"").contains("control character"));
        assert!(parse_err(&"[".repeat(300)).contains("deeper"));
        assert!(parse_err("").contains("end of file"));
    }
}
