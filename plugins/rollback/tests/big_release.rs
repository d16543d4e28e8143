//! A release that changes 50,000 paths stays within the plugin's budget:
//! the work per path is bounded and does not grow with the release.
//!
//! Wall time is not deterministic, so the test counts heap allocations (a
//! counting global allocator, per thread): the old classifier allocated a
//! dozen times per glob tried, the pattern of the ~400k fuel per path the
//! host measured. Allocation counts are exact and the same on every run.

// A global allocator is `unsafe` by contract; this one only counts and
// forwards to the system allocator.
#![allow(unsafe_code)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use relkit_plugin_rollback::classify::Classifier;
use relkit_plugin_rollback::{Tree, model, render};
use relkit_plugin_sdk::Settings;
use relkit_plugin_sdk::types::{ChangeKind, ChangedPath, Commit, ForgeKind, Person, Release, Repository, Tag};

struct Counting;

thread_local! {
    static ALLOCATIONS: Cell<u64> = const { Cell::new(0) };
}

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let _ = ALLOCATIONS.try_with(|n| n.set(n.get() + 1));
        // SAFETY: forwarded unchanged to the system allocator.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` was allocated by `System` with `layout` (see `alloc`).
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let _ = ALLOCATIONS.try_with(|n| n.set(n.get() + 1));
        // SAFETY: as for `dealloc`; the system allocator checks `new_size`.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

fn allocations_in(f: impl FnOnce()) -> u64 {
    let before = ALLOCATIONS.with(Cell::get);
    f();
    ALLOCATIONS.with(Cell::get) - before
}

/// `n` paths as a big release has them: mostly code in deep directories, a
/// share of every class the runbook knows, and look-alikes of each.
fn paths(n: usize) -> Vec<String> {
    (0..n)
        .map(|i| match i % 20 {
            0 => format!("db/migrations/{i:06}_step.sql"),
            1 => format!("deploy/k8s/service-{i}/deployment.yaml"),
            2 => format!("infra/modules/m{i}/main.tf"),
            3 => format!("charts/app-{i}/templates/deploy.yaml"),
            4 => format!("services/s{i}/Dockerfile"),
            5 => format!("docs/migrations/notes-{i}.md"),
            6 => format!(".github/workflows/w{i}.yml"),
            7 => format!("src/main/resources/db/migration/V{i}__change.sql"),
            _ => format!("crates/part-{}/src/deeply/nested/module_{i}/file_{i}.rs", i % 97),
        })
        .collect()
}

fn release(paths: &[String]) -> Release {
    // 100 commits, each changing its share of the paths.
    let per_commit = paths.len().div_ceil(100).max(1);
    let commits = paths
        .chunks(per_commit)
        .enumerate()
        .map(|(i, chunk)| Commit {
            id: format!("{i:0>40}"),
            message: format!("feat: part {i}"),
            author: Person { name: "Ada".into(), email: "ada@example.com".into() },
            time: 0,
            parents: vec![],
            changed_paths: chunk
                .iter()
                .map(|p| ChangedPath { path: p.clone(), change: ChangeKind::Modified })
                .collect(),
        })
        .collect();
    Release {
        version: "2.0.0".into(),
        tag: "v2.0.0".into(),
        commit_id: "f".repeat(40),
        date: "2026-11-29".into(),
        previous: Some(Tag {
            name: "v1.9.0".into(),
            version: "1.9.0".into(),
            commit_id: "e".repeat(40),
            time: 0,
            date: "2026-11-01".into(),
        }),
        commits,
    }
}

fn github() -> Repository {
    Repository { remote_url: None, forge: ForgeKind::Github, web_url: Some("https://github.com/acme/rocket".into()) }
}

#[test]
fn classifying_a_path_allocates_nothing() {
    let empty: Vec<(String, String)> = Vec::new();
    let classifier = Classifier::from_settings(&Settings::new(&empty)).unwrap_or_else(|e| panic!("{e}"));
    let paths = paths(50_000);
    let mut classified = 0;
    let allocations = allocations_in(|| {
        classified = paths.iter().filter(|p| classifier.classify(p).is_some()).count();
    });
    assert_eq!(classified, 50_000 / 20 * 7, "every class but the look-alikes");
    assert_eq!(allocations, 0, "classifying 50,000 paths allocated");
}

#[test]
fn the_runbook_of_50_000_paths_costs_the_same_per_path_as_of_5_000() {
    let empty: Vec<(String, String)> = Vec::new();
    let settings = Settings::new(&empty);
    let classifier = Classifier::from_settings(&settings).unwrap_or_else(|e| panic!("{e}"));
    let config = model::Config::from_settings(&settings).unwrap_or_else(|e| panic!("{e}"));
    let cost = |n: usize| {
        let mut tree = paths(n);
        let release = release(&tree);
        tree.sort();
        let heads = vec![("deploy/k8s/service-1/deployment.yaml".to_string(), "kind: Deployment\n".to_string())];
        let mut files = 0;
        let allocations = allocations_in(|| {
            let data = model::build(&release, &github(), &config, &classifier, Tree { paths: &tree, heads: &heads });
            files = data.plan.iter().filter(|s| s.id != "database").map(|s| s.files.len()).sum::<usize>()
                + data.migrations.len();
        });
        assert_eq!(files, n / 20 * 7, "classified files of {n}");
        allocations as f64 / n as f64
    };
    let small = cost(5_000);
    let big = cost(50_000);
    // About two allocations per path (the net-change map, a classified
    // path's entry and its copies in the template data), none per glob: the
    // old classifier made ~1,900.
    assert!(big <= 4.0, "{big} allocations per path");
    assert!(big <= small * 1.1, "per-path cost grew from {small} to {big}");
}

#[test]
fn the_whole_plugin_renders_50_000_paths() {
    let release = release(&paths(50_000));
    let markdown = render(&release, &github(), &[], None).unwrap_or_else(|e| panic!("{e}"));
    assert!(markdown.contains("db/migrations/000000_step.sql"), "{}", &markdown[..markdown.len().min(2000)]);
    assert!(markdown.contains("5000 migration files"));
}
