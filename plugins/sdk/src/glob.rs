//! Path globs for settings such as `[notes] architecture-paths` and the
//! `[rollback]` path classes.
//!
//! Paths are repository-relative with `/` separators. Syntax:
//! - `*` any run of characters within one path segment, `?` one character,
//!   `[0-9]` / `[!x]` one character of (or not of) a class;
//! - `**` as a whole segment: any number of segments (`docs/adr/**`,
//!   `**/Dockerfile`);
//! - `{a,b}` alternatives (`**/*.{yml,yaml}`);
//! - a pattern matches case-sensitively and must match the whole path.

//!
//! A pattern is compiled once ([`Glob::new`]); matching a path allocates
//! nothing. A release can change 50,000 paths and each is tried against
//! every rollback class's globs, so the work per path is kept small: the path
//! is split once ([`SplitPath`]) for all globs, a `**` followed by no other
//! `**` tries only the one position that can match, and a segment pattern
//! checks its literal start and end before its wildcards.

/// A compiled set of alternatives for one pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Glob {
    pattern: String,
    alternatives: Vec<Vec<Segment>>,
}

/// One segment of a pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Segment {
    /// `**`: any number of segments.
    AnyDepth,
    /// A segment without wildcards, compared as is.
    Literal(String),
    /// A segment with wildcards, and the literal text it must start and end with.
    Wildcards { tokens: Vec<Token>, prefix: String, suffix: String },
}

impl Segment {
    fn compile(pattern: &str) -> Self {
        if pattern == "**" {
            return Segment::AnyDepth;
        }
        let tokens = tokenize(pattern);
        let literal = |t: &Token| match t {
            Token::Char(c) => Some(*c),
            _ => None,
        };
        if tokens.iter().all(|t| literal(t).is_some()) {
            return Segment::Literal(tokens.iter().filter_map(literal).collect());
        }
        let prefix = tokens.iter().map_while(literal).collect();
        let mut suffix: Vec<char> = tokens.iter().rev().map_while(literal).collect();
        suffix.reverse();
        Segment::Wildcards { tokens, prefix, suffix: suffix.into_iter().collect() }
    }

    fn matches(&self, text: &str) -> bool {
        match self {
            Segment::AnyDepth => true,
            Segment::Literal(l) => l == text,
            Segment::Wildcards { tokens, prefix, suffix } => {
                text.len() >= prefix.len() + suffix.len()
                    && text.starts_with(prefix.as_str())
                    && text.ends_with(suffix.as_str())
                    && match_tokens(tokens, text)
            }
        }
    }
}

/// The segments of a path, split once to be matched against many globs.
/// Empty segments (`a//b`, a leading `/`) are skipped.
pub struct SplitPath<'a> {
    inline: [&'a str; INLINE_SEGMENTS],
    len: usize,
    /// Only for paths deeper than [`INLINE_SEGMENTS`].
    spilled: Vec<&'a str>,
}

/// Deeper paths are rare; up to this depth splitting allocates nothing.
const INLINE_SEGMENTS: usize = 32;

impl<'a> SplitPath<'a> {
    pub fn new(path: &'a str) -> Self {
        let mut split = Self { inline: [""; INLINE_SEGMENTS], len: 0, spilled: Vec::new() };
        for segment in path.split('/').filter(|s| !s.is_empty()) {
            if split.len < INLINE_SEGMENTS {
                split.inline[split.len] = segment;
                split.len += 1;
            } else {
                if split.spilled.is_empty() {
                    split.spilled.extend_from_slice(&split.inline);
                }
                split.spilled.push(segment);
            }
        }
        split
    }

    pub fn segments(&self) -> &[&'a str] {
        if self.spilled.is_empty() { &self.inline[..self.len] } else { &self.spilled }
    }
}

impl Glob {
    /// Compiles a pattern. Fails on an unbalanced `{`.
    pub fn new(pattern: &str) -> Result<Self, String> {
        let expanded = expand_braces(pattern).ok_or_else(|| format!("glob `{pattern}`: unbalanced `{{`"))?;
        let alternatives = expanded
            .iter()
            .map(|p| {
                let mut segments: Vec<Segment> =
                    p.trim_start_matches("./").split('/').filter(|s| !s.is_empty()).map(Segment::compile).collect();
                // `**/**` is `**`.
                segments.dedup_by(|a, b| *a == Segment::AnyDepth && *b == Segment::AnyDepth);
                segments
            })
            .collect();
        Ok(Self { pattern: pattern.to_string(), alternatives })
    }

    pub fn as_str(&self) -> &str {
        &self.pattern
    }

    /// Whether `path` matches.
    ///
    /// ```
    /// use relkit_plugin_sdk::glob::Glob;
    /// let g = Glob::new("docs/adr/**").unwrap();
    /// assert!(g.matches("docs/adr/0001-record.md"));
    /// assert!(!g.matches("docs/adrs/0001.md"));
    /// ```
    pub fn matches(&self, path: &str) -> bool {
        self.matches_split(&SplitPath::new(path))
    }

    /// Whether the path split once with [`SplitPath::new`] matches.
    pub fn matches_split(&self, path: &SplitPath<'_>) -> bool {
        let segments = path.segments();
        self.alternatives.iter().any(|alt| match_segments(alt, segments))
    }
}

/// Compiles many patterns; the first invalid one is the error.
pub fn compile_all(patterns: &[String]) -> Result<Vec<Glob>, String> {
    patterns.iter().map(|p| Glob::new(p)).collect()
}

/// Whether any of `globs` matches `path`.
pub fn any_match(globs: &[Glob], path: &str) -> bool {
    any_match_split(globs, &SplitPath::new(path))
}

/// Whether any of `globs` matches the path split once with [`SplitPath::new`].
pub fn any_match_split(globs: &[Glob], path: &SplitPath<'_>) -> bool {
    globs.iter().any(|g| g.matches_split(path))
}

fn match_segments(pattern: &[Segment], path: &[&str]) -> bool {
    match pattern.split_first() {
        None => path.is_empty(),
        Some((Segment::AnyDepth, rest)) => {
            if rest.contains(&Segment::AnyDepth) {
                (0..=path.len()).any(|skip| match_segments(rest, &path[skip..]))
            } else {
                // Without another `**`, the rest matches the path's last
                // `rest.len()` segments or nothing: one position to try.
                path.len() >= rest.len() && match_fixed(rest, &path[path.len() - rest.len()..])
            }
        }
        Some((first, rest)) => match path.split_first() {
            Some((segment, path_rest)) => first.matches(segment) && match_segments(rest, path_rest),
            None => false,
        },
    }
}

/// Segment by segment, without `**`; the last segments first, where paths
/// that share a directory differ.
fn match_fixed(pattern: &[Segment], path: &[&str]) -> bool {
    pattern.len() == path.len() && pattern.iter().zip(path).rev().all(|(p, s)| p.matches(s))
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Token {
    Char(char),
    Any,
    Star,
    /// `[a-z0-9]`, `[!x]`: ranges and whether the class is negated.
    Class(Vec<(char, char)>, bool),
}

fn tokenize(segment: &str) -> Vec<Token> {
    let chars: Vec<char> = segment.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        match chars[i] {
            '*' => out.push(Token::Star),
            '?' => out.push(Token::Any),
            '[' => {
                // A class runs to the next `]` (a `]` right after `[` or `[!` is literal).
                let negated = matches!(chars.get(i + 1), Some('!' | '^'));
                let start = i + 1 + usize::from(negated);
                let close = (start + 1..chars.len()).find(|&j| chars[j] == ']');
                match close {
                    Some(end) => {
                        let mut ranges = Vec::new();
                        let mut j = start;
                        while j < end {
                            if j + 2 < end && chars[j + 1] == '-' {
                                ranges.push((chars[j], chars[j + 2]));
                                j += 3;
                            } else {
                                ranges.push((chars[j], chars[j]));
                                j += 1;
                            }
                        }
                        out.push(Token::Class(ranges, negated));
                        i = end;
                    }
                    None => out.push(Token::Char('[')),
                }
            }
            c => out.push(Token::Char(c)),
        }
        i += 1;
    }
    out
}

/// Whether `text` matches the tokens of one segment: the classic
/// wildcard walk that backtracks only to the last `*`, so it is linear in
/// practice and allocates nothing.
fn match_tokens(tokens: &[Token], text: &str) -> bool {
    let (mut t, mut at) = (0, 0);
    // After the last `*` seen: the token after it, and where its match ends.
    let mut star: Option<(usize, usize)> = None;
    loop {
        let next = text[at..].chars().next();
        match (tokens.get(t), next) {
            (Some(Token::Star), _) => {
                star = Some((t + 1, at));
                t += 1;
                continue;
            }
            (Some(token), Some(c)) if token.accepts(c) => {
                t += 1;
                at += c.len_utf8();
                continue;
            }
            (None, None) => return true,
            _ => {}
        }
        // A mismatch: let the last `*` take one more character.
        match star {
            Some((after, from)) => match text[from..].chars().next() {
                Some(c) => {
                    star = Some((after, from + c.len_utf8()));
                    t = after;
                    at = from + c.len_utf8();
                }
                None => return false,
            },
            None => return false,
        }
    }
}

impl Token {
    /// Whether this one-character token accepts `c` (`*` is handled by the walk).
    fn accepts(&self, c: char) -> bool {
        match self {
            Token::Char(p) => *p == c,
            Token::Any => true,
            Token::Class(ranges, negated) => ranges.iter().any(|(lo, hi)| (*lo..=*hi).contains(&c)) != *negated,
            Token::Star => false,
        }
    }
}

/// `a{b,c}d` → `abd`, `acd`; nested braces work. `None` when unbalanced.
fn expand_braces(pattern: &str) -> Option<Vec<String>> {
    let Some(open) = pattern.find('{') else {
        return (!pattern.contains('}')).then(|| vec![pattern.to_string()]);
    };
    let mut depth = 0;
    let mut close = None;
    let mut commas = Vec::new();
    for (i, c) in pattern[open..].char_indices() {
        match c {
            '{' => depth += 1,
            '}' => {
                depth -= 1;
                if depth == 0 {
                    close = Some(open + i);
                    break;
                }
            }
            ',' if depth == 1 => commas.push(open + i),
            _ => {}
        }
    }
    let close = close?;
    let (prefix, suffix) = (&pattern[..open], &pattern[close + 1..]);
    let mut bounds = vec![open];
    bounds.extend(commas);
    bounds.push(close);
    let mut out = Vec::new();
    for pair in bounds.windows(2) {
        let choice = &pattern[pair[0] + 1..pair[1]];
        for expanded in expand_braces(&format!("{prefix}{choice}{suffix}"))? {
            out.push(expanded);
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(pattern: &str, path: &str) -> bool {
        Glob::new(pattern).unwrap().matches(path)
    }

    #[test]
    fn double_star_spans_segments() {
        assert!(m("**/Dockerfile", "Dockerfile"));
        assert!(m("**/Dockerfile", "services/api/Dockerfile"));
        assert!(!m("**/Dockerfile", "services/api/Dockerfile.md"));
        assert!(m("k8s/**", "k8s/prod/deploy.yaml"));
        assert!(!m("k8s/**", "k8s.yaml"));
        assert!(m("**/migrations/**", "app/migrations/0001_init.py"));
    }

    #[test]
    fn star_stays_in_a_segment() {
        assert!(m("**/V*__*.sql", "db/V1__init.sql"));
        assert!(!m("**/V*__*.sql", "db/V1_init.sql"));
        assert!(!m("*.tf", "infra/main.tf"));
        assert!(m("**/*.tf", "infra/main.tf"));
        assert!(m("a?c", "abc"));
        assert!(!m("a?c", "a/c"));
    }

    #[test]
    fn character_classes() {
        assert!(m("**/V[0-9]*__*.sql", "db/V12__add_index.sql"));
        assert!(!m("**/V[0-9]*__*.sql", "db/Vendor__x.sql"));
        assert!(m("[!.]*", "src"));
        assert!(!m("[!.]*", ".git"));
    }

    #[test]
    fn stars_backtrack_within_a_segment() {
        assert!(m("*a*b*c", "xaybzc"));
        assert!(m("*a*b*c", "abcabc"));
        assert!(!m("*a*b*c", "abcab"));
        assert!(m("a*", "a"));
        assert!(m("*", "é"));
        assert!(m("?", "é"));
        assert!(!m("?", "ab"));
        assert!(m("*.tar.gz", "x.tar.gz"));
        assert!(!m("*.tar.gz", ".tar.g"));
        assert!(m("**/[!a]*", "x/b"));
        assert!(!m("**/[!a]*", "x/a"));
    }

    #[test]
    fn double_stars_anywhere() {
        assert!(m("**", "a/b/c"));
        assert!(m("a/**/b/**/c", "a/b/c"));
        assert!(m("a/**/b/**/c", "a/x/y/b/z/c"));
        assert!(!m("a/**/b/**/c", "a/x/c"));
        assert!(m("**/**/x", "a/b/x"));
        assert!(m("k8s/**", "k8s"));
        assert!(m("**/a/*/c", "z/a/b/c"));
        assert!(!m("**/a/*/c", "a/b/b/c"));
        // empty segments and `./` are ignored, as before
        assert!(m("./docs/**", "/docs//x.md"));
    }

    #[test]
    fn deep_paths_split_past_the_inline_buffer() {
        let deep = (0..100).map(|i| format!("d{i}")).collect::<Vec<_>>().join("/");
        let split = SplitPath::new(&deep);
        assert_eq!(split.segments().len(), 100);
        assert_eq!(split.segments()[99], "d99");
        assert!(m("**/d99", &deep));
        assert!(m("d0/**/d50/**", &deep));
        assert!(!m("**/d100", &deep));
        // a pathological pattern stays cheap: no more than `**` runs collapsed
        let many = format!("{}x", "**/".repeat(40));
        assert!(!m(&many, &deep));
    }

    #[test]
    fn braces_expand() {
        assert!(m("**/*.{yml,yaml}", "deploy/app.yaml"));
        assert!(m("**/*.{yml,yaml}", "deploy/app.yml"));
        assert!(!m("**/*.{yml,yaml}", "deploy/app.json"));
        assert!(Glob::new("{a,b").is_err());
    }
}
