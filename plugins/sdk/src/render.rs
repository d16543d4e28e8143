//! Handlebars rendering with relkit's helpers and error messages.
//!
//! Output is markdown, so nothing is HTML-escaped. Errors read
//! `template <source>: line N: <what is wrong>`, where `<source>` is the path
//! the user configured (or the built-in template's name).

use handlebars::{Handlebars, JsonValue, handlebars_helper};
use serde::Serialize;

use crate::types::Template;

const NAME: &str = "main";

handlebars_helper!(lowercase: |s: str| s.to_lowercase());
handlebars_helper!(uppercase: |s: str| s.to_uppercase());
// `{{link text url}}`: a markdown link, or the bare text when `url` is null.
handlebars_helper!(link: |text: str, url: JsonValue| match url {
    JsonValue::String(u) if !u.is_empty() => format!("[{text}]({u})"),
    _ => text.to_string(),
});
// `{{indent text 2}}`: continuation lines indented, for multi-line list items.
handlebars_helper!(indent: |text: str, width: u64| {
    let pad = " ".repeat(usize::try_from(width).unwrap_or(0));
    text.lines()
        .enumerate()
        .map(|(i, line)| if i == 0 || line.is_empty() { line.to_string() } else { format!("{pad}{line}") })
        .collect::<Vec<_>>()
        .join("\n")
});
// `{{first_line text}}`
handlebars_helper!(first_line: |text: str| text.lines().next().unwrap_or("").to_string());

/// A compiled template, rendered once per release.
pub struct Renderer {
    registry: Handlebars<'static>,
    source: String,
}

impl Renderer {
    /// Compiles `template` (the user's) or else the built-in `default`.
    pub fn new(template: Option<&Template>, default_source: &str, default_text: &str) -> Result<Self, String> {
        let (source, text) = match template {
            Some(t) => (t.source.as_str(), t.text.as_str()),
            None => (default_source, default_text),
        };
        let mut registry = Handlebars::new();
        registry.register_escape_fn(handlebars::no_escape);
        registry.register_helper("lowercase", Box::new(lowercase));
        registry.register_helper("uppercase", Box::new(uppercase));
        registry.register_helper("link", Box::new(link));
        registry.register_helper("indent", Box::new(indent));
        registry.register_helper("first_line", Box::new(first_line));
        registry.register_template_string(NAME, text).map_err(|e| {
            let at = e.pos().map(|(line, _)| format!("line {line}: ")).unwrap_or_default();
            format!("template {source}: {at}{}", e.reason())
        })?;
        Ok(Self { registry, source: source.to_string() })
    }

    pub fn render<T: Serialize>(&self, data: &T) -> Result<String, String> {
        self.registry.render(NAME, data).map_err(|e| {
            let at = e.line_no.map(|line| format!("line {line}: ")).unwrap_or_default();
            format!("template {}: {at}{}", self.source, e.reason())
        })
    }
}

/// Trims trailing spaces on each line and collapses runs of blank lines, so
/// templates can be written for readability.
pub fn tidy_markdown(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut blank_run = 0;
    for line in text.trim().lines() {
        let line = line.trim_end();
        if line.is_empty() {
            blank_run += 1;
            if blank_run > 1 {
                continue;
            }
        } else {
            blank_run = 0;
        }
        out.push_str(line);
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(text: &str) -> Template {
        Template { source: "custom.hbs".into(), text: text.into() }
    }

    #[test]
    fn syntax_errors_name_the_template_and_line() {
        let err = Renderer::new(Some(&t("ok\n{{#each x}}\n{{/if}}")), "d", "").err().unwrap();
        assert!(err.starts_with("template custom.hbs: line 3: "), "{err}");
    }

    #[test]
    fn unknown_helpers_name_the_template_and_line() {
        let r = Renderer::new(Some(&t("line one\n{{shout version}}")), "d", "").unwrap();
        let err = r.render(&serde_json::json!({"version": "1"})).unwrap_err();
        assert!(err.starts_with("template custom.hbs: line 2: "), "{err}");
        assert!(err.contains("shout"), "{err}");
    }

    #[test]
    fn helpers_and_no_escaping() {
        let r = Renderer::new(None, "d", "{{link a u}} {{link a n}} <{{lowercase b}}> {{indent c 2}}").unwrap();
        let out =
            r.render(&serde_json::json!({"a": "x&y", "u": "https://e", "n": null, "b": "ÉT", "c": "1\n2"})).unwrap();
        assert_eq!(out, "[x&y](https://e) x&y <ét> 1\n  2");
    }

    #[test]
    fn tidy_collapses_blank_lines() {
        assert_eq!(tidy_markdown("\n# a  \n\n\n\nb\n\n"), "# a\n\nb\n");
    }
}
