//! TOML files: toml_edit parses the file and reports each value's byte span;
//! the change replaces the text inside the string's quotes and nothing else.
//!
//! Why the span and not `DocumentMut`'s re-rendering: writing the span is
//! byte-exact by construction, whatever layout the file uses (dotted keys,
//! inline tables, multi-line strings), and needs no round-trip trust.

use toml_edit::{Document, Item, Value};

use crate::edit::{self, Change};

/// A parsed TOML file.
pub struct Toml<'t> {
    pub path: &'t str,
    pub text: &'t str,
    doc: Document<&'t str>,
}

impl<'t> Toml<'t> {
    /// Parses `text`; the error names `path` and the line:column.
    pub fn parse(path: &'t str, text: &'t str) -> Result<Self, String> {
        Self::parse_or(path, text, "fix the file, then release again")
    }

    /// [`Toml::parse`], with `fix` as the error's fix.
    pub fn parse_or(path: &'t str, text: &'t str, fix: &str) -> Result<Self, String> {
        match Document::parse(text) {
            Ok(doc) => Ok(Toml { path, text, doc }),
            Err(e) => {
                let (line, col) = edit::line_col(text, e.span().map_or(0, |s| s.start));
                let message = e.message().lines().next().unwrap_or("invalid TOML").trim_end_matches('.');
                Err(edit::error(path, &format!("not valid TOML: {message}"), &format!("line {line}:{col}"), fix))
            }
        }
    }

    /// The item at a dotted key, through tables, inline tables and dotted keys.
    pub fn get(&self, key: &[impl AsRef<str>]) -> Option<&Item> {
        let mut item = self.doc.as_item();
        for segment in key {
            item = item.as_table_like()?.get(segment.as_ref())?;
        }
        Some(item)
    }

    /// The item at a dotted key given as text (`package.version`).
    pub fn get_dotted(&self, key: &str) -> Option<&Item> {
        self.get(&edit::split_key(key).ok()?)
    }

    /// The string at `item`, if it is one.
    pub fn str_of(item: &Item) -> Option<&str> {
        item.as_str()
    }

    /// The change that writes `new` into the string value `item`, named
    /// `location` in the result and in errors.
    pub fn set_version(&self, item: &Item, location: &str, new: &str) -> Result<Change, String> {
        let value = match item {
            Item::Value(Value::String(s)) => s,
            other => {
                return Err(edit::error(
                    self.path,
                    &format!("value is {}, not a version string", kind(other)),
                    location,
                    "write the version as a string: version = \"1.2.3\"",
                ));
            }
        };
        let new_value = edit::new_value(value.value(), new)
            .map_err(|what| edit::error(self.path, &what, location, edit::NOT_A_VERSION_FIX))?;
        self.set_text(item, location, &new_value)
    }

    /// The change that writes `new_value` as the text inside the quotes of
    /// the string `item` (a version, or a dependency's requirement).
    pub fn set_text(&self, item: &Item, location: &str, new_value: &str) -> Result<Change, String> {
        match item {
            Item::Value(value) => self.set_value_text(value, location, new_value),
            other => Err(edit::error(
                self.path,
                &format!("value is {}, not a string", kind(other)),
                location,
                "write it as a string",
            )),
        }
    }

    /// [`Self::set_text`] for a value inside an array or inline table.
    pub fn set_value_text(&self, value: &Value, location: &str, new_value: &str) -> Result<Change, String> {
        let Value::String(value) = value else {
            return Err(edit::error(self.path, "value is not a string", location, "write it as a string"));
        };
        let new_value = new_value.to_string();
        let old = value.value().as_str();
        let span = value.span().ok_or_else(|| format!("{}: internal error: no span for {location}", self.path))?;
        let raw = self.text.get(span.clone()).unwrap_or("");
        let delimiter = if raw.starts_with("\"\"\"") || raw.starts_with("'''") { 3 } else { 1 };
        let inner = raw.get(delimiter..raw.len().saturating_sub(delimiter)).unwrap_or("");
        let newline = ["\r\n", "\n"].into_iter().find(|n| delimiter == 3 && inner.starts_with(n)).unwrap_or("");
        if &inner[newline.len()..] != old {
            return Err(edit::error(
                self.path,
                &format!("value {old:?} is written with escapes"),
                location,
                &format!("write it plainly: \"{old}\""),
            ));
        }
        let start = span.start + delimiter + newline.len();
        Ok(Change {
            span: start..start + old.len(),
            replacement: new_value.clone(),
            location: location.to_string(),
            old: old.to_string(),
            new: new_value,
        })
    }

    /// Sets each dotted key of `fields` (generic TOML files and known files
    /// with `fields`); a key that is absent is an error.
    pub fn set_fields(&self, fields: &[String], new: &str) -> Result<Vec<Change>, String> {
        edit::set_fields(self.path, fields, |key, field| {
            self.get(key).map(|item| self.set_version(item, field, new)).transpose()
        })
    }
}

/// The error for a key that is not in the file.
pub fn missing(path: &str, key: &str) -> String {
    edit::error(path, "key not found", key, "add it or remove it from fields")
}

/// What an item is, in words.
pub fn kind(item: &Item) -> &'static str {
    match item {
        Item::None => "empty",
        Item::Table(_) => "a table",
        Item::ArrayOfTables(_) => "an array of tables",
        Item::Value(v) => match v {
            Value::String(_) => "a string",
            Value::Integer(_) => "an integer",
            Value::Float(_) => "a float",
            Value::Boolean(_) => "a boolean",
            Value::Datetime(_) => "a date-time",
            Value::Array(_) => "an array",
            Value::InlineTable(_) => "an inline table",
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(text: &str, key: &str) -> Result<String, String> {
        let t = Toml::parse("f.toml", text)?;
        let changes = t.set_fields(&[key.to_string()], "2.0.0")?;
        edit::apply(text, &changes)
    }

    #[test]
    fn every_string_form_keeps_its_quotes() {
        assert_eq!(set("v = \"1.0.0\"", "v").unwrap(), "v = \"2.0.0\"");
        assert_eq!(set("v = '1.0.0' # c", "v").unwrap(), "v = '2.0.0' # c");
        assert_eq!(set("v = \"\"\"\n1.0.0\"\"\"", "v").unwrap(), "v = \"\"\"\n2.0.0\"\"\"");
        assert_eq!(set("v = '''v1.0.0'''", "v").unwrap(), "v = '''v2.0.0'''");
        assert_eq!(set("a.b . c = \"1.0.0\"", "a.b.c").unwrap(), "a.b . c = \"2.0.0\"");
        assert_eq!(set("a = { b = \"1.0.0\" }", "a.b").unwrap(), "a = { b = \"2.0.0\" }");
    }

    #[test]
    fn escapes_and_non_strings_are_errors() {
        assert!(set("v = \"1\\u002e0.0\"", "v").unwrap_err().contains("escapes"));
        assert!(set("v = 1", "v").unwrap_err().contains("an integer"));
        assert!(set("v = \"x\"", "v").unwrap_err().contains("not a version"));
        assert!(set("w = \"1.0.0\"", "v").unwrap_err().contains("key not found (v)"));
        assert!(set("v = ", "v").unwrap_err().contains("line 1:5"));
    }
}
