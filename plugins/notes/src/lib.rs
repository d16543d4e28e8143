//! relkit's built-in `notes` plugin: markdown release notes of one release.
//!
//! [`render`] is plain Rust over the contract's types; [`Plugin`] exports it
//! as `release-notes` (and `info`, from the SDK's macro).

use relkit_plugin_sdk::Settings;
use relkit_plugin_sdk::model::{self, NotesConfig};
use relkit_plugin_sdk::render::{Renderer, tidy_markdown};
use relkit_plugin_sdk::types::{Release, Repository, Template};

/// The default template, embedded at build time.
pub const DEFAULT_TEMPLATE: &str = include_str!("../../../templates/notes.md.hbs");
pub const DEFAULT_SOURCE: &str = "templates/notes.md.hbs (built-in)";

/// Notes as markdown, and the data the template received as JSON.
pub fn render(
    release: &Release,
    repository: &Repository,
    settings: &[(String, String)],
    template: Option<&Template>,
) -> Result<(String, String), String> {
    let config = NotesConfig::from_settings(&Settings::new(settings))?;
    let data = model::build(release, repository, &config);
    let renderer = Renderer::new(template, DEFAULT_SOURCE, DEFAULT_TEMPLATE)?;
    let markdown = tidy_markdown(&renderer.render(&data)?);
    let json = serde_json::to_string(&data).map_err(|e| format!("serializing the notes data: {e}"))?;
    Ok((markdown, json))
}

use relkit_plugin_sdk::release_notes::{NotesInput, ReleaseNotes, RenderedNotes};

/// The plugin: [`render`] behind the `release-notes` interface.
pub struct Plugin;

impl ReleaseNotes for Plugin {
    fn render_notes(input: NotesInput) -> Result<RenderedNotes, String> {
        let (markdown, data) = render(&input.release, &input.repository, &input.settings, input.template.as_ref())?;
        Ok(RenderedNotes { markdown, data })
    }
}

relkit_plugin_sdk::export_plugin!(Plugin: release_notes);

#[cfg(test)]
mod tests {
    use relkit_plugin_sdk::types::{Commit, ForgeKind, Person, Release, Repository};

    fn commit(key: &str, message: &str, name: &str, email: &str) -> Commit {
        Commit {
            id: key.repeat(40),
            message: message.to_string(),
            author: Person { name: name.into(), email: email.into() },
            time: 0,
            parents: vec![],
            changed_paths: vec![],
        }
    }

    fn notes(commits: Vec<Commit>) -> String {
        let release = Release {
            version: "1.1.0".into(),
            tag: "v1.1.0".into(),
            commit_id: "f".repeat(40),
            date: "2026-11-29".into(),
            previous: None,
            commits,
        };
        let repository = Repository {
            remote_url: None,
            forge: ForgeKind::Github,
            web_url: Some("https://github.com/acme/rocket".into()),
        };
        super::render(&release, &repository, &[], None).unwrap_or_else(|e| panic!("{e}")).0
    }

    #[test]
    fn contributors_link_people_to_their_page_and_bots_to_their_app() {
        let md = notes(vec![
            commit("c", "fix: <b> & co", "Linus T", "linus@example.org"),
            commit("b", "fix(deps): bump x", "dependabot[bot]", "49699333+dependabot[bot]@users.noreply.github.com"),
            commit("a", "feat: y", "Ada", "1+ada@users.noreply.github.com"),
            commit("9", "chore(deps): lock file", "renovate[bot]", "29139614+renovate[bot]@users.noreply.github.com"),
        ]);
        let thanks = md.split("### Contributors\n\n").nth(1).unwrap_or_default();
        assert_eq!(
            thanks,
            "- Ada ([@ada](https://github.com/ada))\n- [dependabot[bot]](https://github.com/apps/dependabot)\n- Linus T\n"
        );
        assert!(md.contains("- &lt;b&gt; & co ("), "{md}");
    }

    #[test]
    fn scopes_and_contributor_names_are_html_escaped() {
        let md = notes(vec![
            commit("d", "fix(<ui>): a\n\nCo-authored-by: Eve &amp; Co <x@example.com>", "Kim", "kim@example.com"),
            commit("c", "feat(a&#39;b)!: b", "Bo <script>", "bo@example.com"),
            commit("b", "fix: c", "evil<x>[bot]", "1+evil<x>[bot]@users.noreply.github.com"),
            commit("a", "fix: d", "Mallory", "2+m<b>@users.noreply.github.com"),
        ]);
        assert!(md.contains("- **&lt;ui&gt;:** a ("), "{md}");
        assert!(md.contains("- **a&amp;#39;b:** b ("), "{md}");
        let thanks = md.split("### Contributors\n\n").nth(1).unwrap_or_default();
        assert_eq!(thanks, "- Bo &lt;script&gt;\n- Eve &amp;amp; Co\n- evil&lt;x&gt;[bot]\n- Kim\n- Mallory\n", "{md}");
    }
}
