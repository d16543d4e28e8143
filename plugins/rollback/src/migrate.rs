//! Database migrations the release added, by tool, with the command that
//! takes back exactly those, and the ones that drop data.
//!
//! The tool is known from the path (and, for Alembic, the head); the number
//! of migrations is the number the release **added** (a modified migration
//! is not undone by a down-migration, and says so). Commands, each from the
//! tool's documentation:
//!
//! | tool | command | source |
//! |---|---|---|
//! | Alembic | `alembic downgrade <down_revision of the oldest added>`, else `alembic downgrade -N` | Alembic tutorial, "Downgrading" and "Relative Migration Identifiers" |
//! | Rails | `bin/rails db:rollback STEP=N` | Rails Guides, Active Record Migrations, "Rolling Back" |
//! | Django | `python manage.py migrate <app> <migration before the oldest added>` (`zero` before `0001`) | Django docs, `django-admin migrate [app_label] [migration_name]` |
//! | Liquibase | `liquibase rollback-count --count=N` (N changesets) | Liquibase docs, `rollback-count` |
//! | Flyway | `flyway undo` once per migration, when every added `V<ver>__` has its `U<ver>__` script (Teams/Enterprise); else restore | Flyway docs, `undo`: "Undoes the most recently applied versioned migration" |
//! | golang-migrate | `migrate -path DIR -database "$DATABASE_URL" down N` | golang-migrate CLI usage: `down [N]  Apply all or N down migrations` |
//! | Prisma | none: Prisma Migrate has no down migrations; write one with `prisma migrate diff … --script`, run it with `prisma db execute` | Prisma docs, "Generating down migrations" |

use std::collections::HashMap;

use relkit_plugin_sdk::markdown::code_span;

use crate::model::{PathEntry, sh};
use crate::plan::{Action, Block, Effect, Target};

/// A migration tool.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
pub enum Tool {
    Alembic,
    Rails,
    Django,
    Liquibase,
    Flyway,
    GolangMigrate,
    Prisma,
    Unknown,
}

impl Tool {
    pub fn title(self) -> &'static str {
        match self {
            Tool::Alembic => "Alembic",
            Tool::Rails => "Rails",
            Tool::Django => "Django",
            Tool::Liquibase => "Liquibase",
            Tool::Flyway => "Flyway",
            Tool::GolangMigrate => "golang-migrate",
            Tool::Prisma => "Prisma",
            Tool::Unknown => "Other migration files",
        }
    }
}

fn file_name(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

fn dir(path: &str) -> &str {
    path.rsplit_once('/').map_or(".", |(d, _)| d)
}

/// The tool a migration path belongs to.
pub fn tool_of(path: &str, head: Option<&str>) -> Tool {
    let name = file_name(path);
    let parent = file_name(dir(path));
    if name == "schema.prisma" || path.contains("prisma/") && path.contains("/migrations/") {
        Tool::Prisma
    } else if name.ends_with(".up.sql") || name.ends_with(".down.sql") {
        Tool::GolangMigrate
    } else if flyway_version(name).is_some() {
        Tool::Flyway
    } else if name.starts_with("db.changelog") || path.contains("liquibase/") {
        Tool::Liquibase
    } else if path.contains("db/migrate/") && name.ends_with(".rb") {
        Tool::Rails
    } else if name.ends_with(".py") && (parent == "versions" || head.is_some_and(|h| h.contains("down_revision"))) {
        Tool::Alembic
    } else if name.ends_with(".py") && parent == "migrations" && django_number(name).is_some() {
        Tool::Django
    } else {
        Tool::Unknown
    }
}

/// `V1.2__x.sql` → (`V`, `1.2`); also `U` (undo) and `R` (repeatable, empty version).
fn flyway_version(name: &str) -> Option<(char, &str)> {
    let (stem, _) = name.split_once("__")?;
    let prefix = stem.chars().next()?;
    let version = &stem[1..];
    let ok = match prefix {
        'V' | 'U' => !version.is_empty() && version.chars().all(|c| c.is_ascii_digit() || c == '.' || c == '_'),
        'R' => version.is_empty(),
        _ => false,
    };
    (ok && name.ends_with(".sql")).then_some((prefix, version))
}

/// `0007_add_field.py` → 7.
fn django_number(name: &str) -> Option<u32> {
    let (number, _) = name.split_once('_')?;
    (number.len() == 4).then(|| number.parse().ok()).flatten()
}

/// Words in an up-migration that destroy data, lower-case: SQL, Rails,
/// Alembic, Django and Liquibase spellings.
/// Each with the spelling shown in the runbook.
const DROPS: &[(&str, &str)] = &[
    ("drop table", "DROP TABLE"),
    ("drop column", "DROP COLUMN"),
    ("truncate", "TRUNCATE"),
    ("delete from", "DELETE FROM"),
    ("drop_table", "drop_table"),
    ("drop_column", "drop_column"),
    ("remove_column", "remove_column"),
    ("removefield", "RemoveField"),
    ("deletemodel", "DeleteModel"),
    ("<droptable", "dropTable"),
    ("<dropcolumn", "dropColumn"),
    ("droptable:", "dropTable"),
    ("dropcolumn:", "dropColumn"),
];

/// The forward part of a migration's head: Alembic's `upgrade()`, Rails'
/// `up`/`change`, Liquibase without `<rollback>` sections; a golang-migrate
/// or Flyway down/undo file has none.
fn forward_part(tool: Tool, name: &str, head: &str) -> String {
    let lower = head.to_lowercase();
    match tool {
        Tool::GolangMigrate if name.ends_with(".down.sql") => String::new(),
        Tool::Flyway if !name.starts_with('V') => String::new(),
        Tool::Alembic => lower.split("def downgrade").next().unwrap_or("").to_string(),
        Tool::Rails => lower.split("def down").next().unwrap_or("").to_string(),
        Tool::Liquibase => {
            let mut out = String::new();
            let mut rest = lower.as_str();
            while let Some(start) = rest.find("<rollback") {
                out.push_str(&rest[..start]);
                rest = rest[start..].split_once("</rollback>").map_or("", |(_, after)| after);
            }
            out.push_str(rest);
            out.lines().filter(|l| !l.trim_start().starts_with("--rollback")).collect::<Vec<_>>().join("\n")
        }
        _ => lower,
    }
}

/// A migration that drops data, and the statement that does.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Risky {
    pub path: String,
    /// The path as a markdown code span.
    pub path_md: String,
    pub statement: String,
}

/// The migrations of one tool.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ToolPlan {
    pub tool: Tool,
    pub title: &'static str,
    pub files: Vec<PathEntry>,
    pub blocks: Vec<Block>,
    pub notes: Vec<String>,
    /// The plan needs a checkout of the previous release.
    #[serde(skip)]
    pub needs_checkout: bool,
}

/// Everything [`plan`] found.
#[derive(Debug, Clone, Default)]
pub struct Migrations {
    pub tools: Vec<ToolPlan>,
    /// Data-dropping migrations, to list first.
    pub risky: Vec<Risky>,
}

/// What [`plan`] reads.
pub struct Input<'a> {
    /// The migration paths of the release with their net change, sorted.
    pub files: &'a [PathEntry],
    pub heads: &'a HashMap<&'a str, &'a str>,
    pub tree: &'a [String],
    /// The previous release's tag and the checkout of it, when there is one.
    pub previous: Option<(&'a str, &'a str)>,
    /// The release's tag as markdown prose (only prose names it).
    pub release_tag_md: &'a str,
}

fn db(commands: Vec<String>, intro: String) -> Block {
    Block::new(intro, commands, vec![Action { target: Target::Database, effect: Effect::ToPrevious }])
}

fn read(commands: Vec<String>, intro: String) -> Block {
    Block::new(intro, commands, vec![Action { target: Target::Database, effect: Effect::Read }])
}

fn count(n: usize, one: &str, many: &str) -> String {
    if n == 1 { format!("1 {one}") } else { format!("{n} {many}") }
}

/// The plan per tool. Linear in the files, plus one pass over the tree for
/// Django, Flyway and golang-migrate companions.
pub fn plan(input: &Input<'_>) -> Migrations {
    let mut by_tool: Vec<(Tool, Vec<&PathEntry>)> = Vec::new();
    let mut risky = Vec::new();
    for f in input.files {
        let head = input.heads.get(f.path.as_str()).copied();
        let tool = tool_of(&f.path, head);
        match by_tool.iter_mut().find(|(t, _)| *t == tool) {
            Some((_, files)) => files.push(f),
            None => by_tool.push((tool, vec![f])),
        }
        if f.change != "deleted"
            && let Some(head) = head
        {
            let forward = forward_part(tool, file_name(&f.path), head);
            if let Some((_, shown)) = DROPS.iter().find(|(w, _)| forward.contains(*w)) {
                risky.push(Risky { path: f.path.clone(), path_md: code_span(&f.path), statement: shown.to_string() });
            }
        }
    }
    by_tool.sort_by_key(|(t, _)| *t);
    // The tree sorted once, for lookups by path and by prefix in O(log n).
    let mut sorted: Vec<&str> = input.tree.iter().map(String::as_str).collect();
    sorted.sort_unstable();
    let tools = by_tool.into_iter().map(|(tool, files)| tool_plan(tool, &files, input, &sorted)).collect();
    Migrations { tools, risky }
}

/// The first path of the sorted `tree` that starts with `prefix`.
fn first_with_prefix<'a>(tree: &[&'a str], prefix: &str) -> Option<&'a str> {
    let i = tree.partition_point(|p| *p < prefix);
    tree.get(i).copied().filter(|p| p.starts_with(prefix))
}

fn tool_plan(tool: Tool, files: &[&PathEntry], input: &Input<'_>, tree: &[&str]) -> ToolPlan {
    let added: Vec<&PathEntry> = files.iter().copied().filter(|f| f.change == "added").collect();
    let modified: Vec<&str> = files.iter().filter(|f| f.change == "modified").map(|f| f.path.as_str()).collect();
    let mut blocks = Vec::new();
    let mut notes = Vec::new();
    let mut needs_checkout = false;
    let tag = input.release_tag_md;
    let head = |p: &str| input.heads.get(p).copied();
    match tool {
        Tool::Alembic => {
            let revisions: Vec<(Option<String>, Option<Option<String>>)> = added
                .iter()
                .map(|f| head(&f.path).map_or((None, None), |h| (assigned(h, "revision"), down_revision(h))))
                .collect();
            let ids: Vec<&str> = revisions.iter().filter_map(|(r, _)| r.as_deref()).collect();
            let roots: Vec<&Option<String>> = revisions
                .iter()
                .filter_map(|(_, d)| d.as_ref())
                .filter(|d| d.as_deref().is_none_or(|d| !ids.contains(&d)))
                .collect();
            let complete = revisions.iter().all(|(r, d)| r.is_some() && d.is_some());
            let n = added.len();
            if n > 0 {
                let command = match (complete, roots.as_slice()) {
                    (true, [root]) => format!("alembic downgrade {}", root.as_deref().map_or("base".to_string(), sh)),
                    _ => format!("alembic downgrade -{n}"),
                };
                blocks.push(read(vec!["alembic current".to_string()], "Check where the database is:".to_string()));
                blocks.push(db(
                    vec![command],
                    format!(
                        "Downgrade past the {} {tag} added, to the revision before the oldest of them:",
                        count(n, "revision", "revisions")
                    ),
                ));
            }
        }
        Tool::Rails if !added.is_empty() => {
            blocks
                .push(read(vec!["bin/rails db:migrate:status".to_string()], "Check which migrations ran:".to_string()));
            blocks.push(db(
                vec![format!("bin/rails db:rollback STEP={}", added.len())],
                format!("Roll back the {} {tag} added:", count(added.len(), "migration", "migrations")),
            ));
        }
        Tool::Django if !added.is_empty() => {
            let mut apps: Vec<(&str, u32)> = Vec::new();
            for f in &added {
                let (d, n) = (dir(&f.path), django_number(file_name(&f.path)).unwrap_or(1));
                match apps.iter_mut().find(|(a, _)| *a == d) {
                    Some((_, oldest)) => *oldest = (*oldest).min(n),
                    None => apps.push((d, n)),
                }
            }
            let mut commands = Vec::new();
            for (migrations_dir, oldest) in apps {
                // `shop/orders/migrations` → `orders`
                let app = file_name(dir(migrations_dir));
                let target = if oldest <= 1 {
                    "zero".to_string()
                } else {
                    let prefix = format!("{migrations_dir}/{:04}_", oldest - 1);
                    first_with_prefix(tree, &prefix)
                        .filter(|p| p.ends_with(".py"))
                        .map(|p| file_name(p).trim_end_matches(".py").to_string())
                        .unwrap_or_else(|| format!("{:04}", oldest - 1))
                };
                commands.push(format!("python manage.py migrate {} {}", sh(app), sh(&target)));
            }
            blocks.push(db(
                commands,
                format!(
                    "Migrate each app back to the migration before the oldest one {tag} added (the app label is the \
                     directory name unless its AppConfig sets `label`):"
                ),
            ));
        }
        Tool::Liquibase => {
            let counts: Vec<Option<usize>> = added
                .iter()
                .map(|f| {
                    head(&f.path).filter(|h| h.len() < 4000).map(|h| {
                        let l = h.to_lowercase();
                        l.matches("<changeset ").count()
                            + l.matches("- changeset:").count()
                            + l.matches("--changeset ").count()
                    })
                })
                .collect();
            let known: Option<usize> = counts.iter().copied().sum();
            blocks
                .push(read(vec!["liquibase history".to_string()], "See the changesets the database ran:".to_string()));
            match known {
                Some(n) if n > 0 => blocks.push(db(
                    vec![
                        format!("liquibase rollback-count-sql --count={n}"),
                        format!("liquibase rollback-count --count={n}"),
                    ],
                    format!(
                        "Roll back the {} in the changelogs {tag} added (preview the SQL first):",
                        count(n, "changeset", "changesets")
                    ),
                )),
                _ => blocks.push(db(
                    vec!["liquibase rollback-count --count=<changesets-of-this-release>".to_string()],
                    format!(
                        "Roll back the changesets {tag} added: count them in `liquibase history` (relkit could not \
                         read them all from the changelogs):"
                    ),
                )),
            }
            if !modified.is_empty() {
                notes.push(
                    "A changelog that only gained `include`s changes nothing itself; the included files are counted above \
                     when this release added them."
                        .to_string(),
                );
            }
        }
        Tool::Flyway => {
            let versions: Vec<&str> = added
                .iter()
                .filter_map(|f| flyway_version(file_name(&f.path)).filter(|(p, _)| *p == 'V').map(|(_, v)| v))
                .collect();
            let undo: std::collections::HashSet<&str> = tree
                .iter()
                .filter_map(|p| flyway_version(file_name(p)).filter(|(c, _)| *c == 'U').map(|(_, v)| v))
                .collect();
            let missing: Vec<&&str> = versions.iter().filter(|v| !undo.contains(**v)).collect();
            let n = versions.len();
            if n > 0 && missing.is_empty() {
                let command = if n == 1 {
                    "flyway undo".to_string()
                } else {
                    format!("for i in $(seq {n}); do flyway undo || break; done")
                };
                blocks.push(read(vec!["flyway info".to_string()], "Check the applied versions:".to_string()));
                blocks.push(db(
                    vec![command],
                    if n == 1 {
                        format!(
                            "Undo the version {tag} added with its `U` script; `flyway undo` undoes the most recently \
                             applied versioned migration (Flyway Teams or Enterprise):"
                        )
                    } else {
                        format!(
                            "Undo the {n} versions {tag} added with their `U` scripts; each `flyway undo` undoes the \
                             most recently applied versioned migration (Flyway Teams or Enterprise):"
                        )
                    },
                ));
            } else if n > 0 {
                let list = missing.iter().map(|v| format!("`U{v}__*.sql`")).collect::<Vec<_>>().join(", ");
                notes.push(format!(
                    "**No undo script** ({list}), so Flyway cannot undo this. Restore the database from a backup \
                     taken before {tag}, or write and run the reverse SQL by hand, then delete those versions' rows \
                     from `flyway_schema_history`."
                ));
            }
            if files.iter().any(|f| flyway_version(file_name(&f.path)).is_some_and(|(p, _)| p == 'R')) {
                notes.push(
                    "Repeatable migrations (`R__*.sql`) are not undone; the previous release re-applies its own version \
                     on its next `flyway migrate`."
                        .to_string(),
                );
            }
        }
        Tool::GolangMigrate => {
            let ups: Vec<&PathEntry> = added.iter().copied().filter(|f| f.path.ends_with(".up.sql")).collect();
            let mut dirs: Vec<&str> = ups.iter().map(|f| dir(&f.path)).collect();
            dirs.dedup();
            let missing: Vec<String> = ups
                .iter()
                .map(|f| f.path.replace(".up.sql", ".down.sql"))
                .filter(|down| tree.binary_search(&down.as_str()).is_err())
                .collect();
            if !ups.is_empty() && missing.is_empty() && dirs.len() == 1 {
                blocks.push(db(
                    vec![format!("migrate -path {} -database \"$DATABASE_URL\" down {}", sh(dirs[0]), ups.len())],
                    format!("Apply the down files of the {} {tag} added:", count(ups.len(), "migration", "migrations")),
                ));
            } else if !missing.is_empty() {
                notes.push(format!(
                    "**No down file** for {}: golang-migrate cannot undo it. Restore from a backup taken before {tag}.",
                    missing.iter().map(|m| code_span(m)).collect::<Vec<_>>().join(", ")
                ));
            } else if dirs.len() > 1 {
                for d in dirs {
                    let n = ups.iter().filter(|f| dir(&f.path) == d).count();
                    blocks.push(db(
                        vec![format!("migrate -path {} -database \"$DATABASE_URL\" down {n}", sh(d))],
                        format!("The migrations in {}:", code_span(d)),
                    ));
                }
            }
        }
        Tool::Prisma => {
            let schema =
                tree.iter().copied().find(|p| file_name(p) == "schema.prisma").unwrap_or("prisma/schema.prisma");
            let added_migrations = added.iter().filter(|f| f.path.ends_with("/migration.sql")).count();
            let why = format!(
                "Prisma Migrate has no down migrations: {} cannot be undone by a command. Write one: diff the database \
                 against the schema of the previous release, review the SQL, then run it",
                count(added_migrations.max(1), "migration", "migrations")
            );
            if input.previous.is_none() {
                notes.push(format!("{why}."));
            }
            if let Some((_, wt)) = input.previous {
                needs_checkout = true;
                blocks.push(db(
                    vec![
                        format!(
                            "npx prisma migrate diff --from-schema-datasource {} --to-schema-datamodel {} --script > down.sql",
                            sh(schema),
                            sh(&format!("{wt}/{schema}"))
                        ),
                        format!("npx prisma db execute --file down.sql --schema {}", sh(schema)),
                    ],
                    format!("{why}:"),
                ));
                notes.push(
                    "The rows of these migrations stay in `_prisma_migrations`; delete them so that a later \
                     `prisma migrate deploy` applies the fixed migrations."
                        .to_string(),
                );
            }
        }
        _ => {}
    }
    if tool == Tool::Unknown {
        notes.push(format!(
            "relkit does not know the tool of these files, so there is no command here: undo them with your migration \
             tool, or restore the database from a backup taken before {tag}."
        ));
    } else if !modified.is_empty() && tool != Tool::Liquibase && tool != Tool::Prisma {
        notes.push(format!(
            "{tag} changed migrations that already existed ({}): a down-migration does not reverse an edit; check what \
             the edit did to databases that had already run them.",
            modified.iter().map(|m| code_span(m)).collect::<Vec<_>>().join(", ")
        ));
    }
    ToolPlan {
        tool,
        title: tool.title(),
        files: files.iter().map(|f| (*f).clone()).collect(),
        blocks,
        notes,
        needs_checkout,
    }
}

/// `name = 'value'` or `name: str = "value"` at the start of a line.
fn assigned(head: &str, name: &str) -> Option<String> {
    down_value(head, name).flatten()
}

/// Alembic's `down_revision`: `Some(None)` for `None` (the first revision),
/// `Some(Some(id))` for one parent, `None` when absent or a merge (a tuple).
fn down_revision(head: &str) -> Option<Option<String>> {
    down_value(head, "down_revision")
}

fn down_value(head: &str, name: &str) -> Option<Option<String>> {
    head.lines().find_map(|line| {
        let rest = line.strip_prefix(name)?;
        let rest = rest.trim_start();
        if !(rest.starts_with('=') || rest.starts_with(':')) {
            return None;
        }
        let value = rest.rsplit_once('=')?.1.trim();
        if value == "None" {
            return Some(None);
        }
        let quoted = value.strip_prefix(['\'', '"'])?.strip_suffix(['\'', '"'])?;
        (!quoted.contains(['\'', '"', ','])).then(|| Some(quoted.to_string()))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tools_from_paths() {
        for (path, tool) in [
            ("alembic/versions/abc_add.py", Tool::Alembic),
            ("db/migrate/20261129_add_users.rb", Tool::Rails),
            ("shop/orders/migrations/0007_order_note.py", Tool::Django),
            ("src/main/resources/db/changelog/db.changelog-2.0.xml", Tool::Liquibase),
            ("sql/V3__add_index.sql", Tool::Flyway),
            ("sql/U3__add_index.sql", Tool::Flyway),
            ("db/migrations/000012_users.up.sql", Tool::GolangMigrate),
            ("prisma/migrations/20261129_init/migration.sql", Tool::Prisma),
            ("db/migrations/0007_audit.sql", Tool::Unknown),
        ] {
            assert_eq!(tool_of(path, None), tool, "{path}");
        }
    }

    #[test]
    fn alembic_revision_lines() {
        let head = "\"\"\"add\n\nRevision ID: b2\nRevises: a1\n\"\"\"\nrevision: str = 'b2'\ndown_revision: Union[str, None] = \"a1\"\n";
        assert_eq!(assigned(head, "revision").as_deref(), Some("b2"));
        assert_eq!(down_revision(head), Some(Some("a1".to_string())));
        assert_eq!(down_revision("down_revision = None\n"), Some(None));
        assert_eq!(down_revision("down_revision = ('a', 'b')\n"), None, "a merge has no single parent");
    }

    #[test]
    fn drops_in_down_parts_are_not_risky() {
        let alembic = "def upgrade():\n    op.create_table('x')\n\ndef downgrade():\n    op.drop_table('x')\n";
        assert!(!forward_part(Tool::Alembic, "a.py", alembic).contains("drop_table"));
        let alembic = "def upgrade():\n    op.drop_column('users', 'nick')\n";
        assert!(forward_part(Tool::Alembic, "a.py", alembic).contains("drop_column"));
        let liquibase = "<changeSet id=\"1\"><createTable tableName=\"x\"/><rollback><dropTable tableName=\"x\"/></rollback></changeSet>";
        assert!(!forward_part(Tool::Liquibase, "c.xml", liquibase).contains("<droptable"));
        assert!(forward_part(Tool::GolangMigrate, "1_x.down.sql", "DROP TABLE x;").is_empty());
    }
}
