#!/usr/bin/env python3
"""Times `relkit version` over all packages of a monorepo against one `git log --name-only`.

The monorepo issue's target: on a 100,000-commit synthetic monorepo with 50
packages, `relkit version` for all packages runs within 1.5x of one
`git log --name-only` pass (relkit reads the history once for all packages).

The repository is made once with `git fast-import` (reused from --work when
its manifest, DIR/repo-COMMITS-PACKAGES-SEED.json, matches the parameters): a linear history of --commits commits
with realistic committer/author dates (exponential gaps, ~15 min on average)
and Conventional Commit messages (feat/fix/chore/docs/refactor and a few
others, scopes, bodies, issue footers, rare `!` breaking changes, ~3 % not
conventional). Each commit changes 1-3 files: 90 % of commits touch one
package (`packages/pkgNN/src/fileK.txt`), 5 % two packages, 5 % only root
files (README.md, .github/ci.yml, ...). Packages are touched unevenly (pkg00
the most, the last package ~6x less). The first commit adds `relkit.toml`
with one `[[packages]]` entry per package (tag-prefix left to its default
"<name>-v") and a first file in every package.

Each package gets ~10 annotated release tags `pkgNN-vMAJOR.MINOR.PATCH`, each
at a commit that touched it, its version the previous one bumped by the
package's commits since (tagger time minutes to hours after the commit). The
newest tag of each package is in the last 20 % of history (between 80 % and
95 %), so each package has a few hundred commits since its last release. One
package in ten ("quiet": pkg03, pkg13, ...) gets only non-releasing commits
(chore/docs/refactor/test/ci) after its newest tag, so it is not due; all the
others are. The manifest holds each package's expected next version. Then
`git gc`. "Now" (SOURCE_DATE_EPOCH) is fixed one day after the last commit.

Timed, alternating, median of --runs after one warm-up round:
  (a) git log --name-only --format=%H%x00%P%x00%s HEAD   (the baseline, stdout to /dev/null)
  (b) relkit version --json                              (all packages)
  (c) relkit version --package pkg07                     (one package)
Each relkit run must exit 0. (b)'s JSON must be a list with one entry per due
package (each with "package" and "next"; entries of packages that are not due,
with "next" null, are allowed), and the due packages and their next versions
must be the expected ones. (c) must print pkg07's next version.

usage: bench/monorepo.py --relkit BIN [--work DIR] [--runs 7] [--commits N] [--packages N]
       bench/monorepo.py --no-relkit [--work DIR] ...   (only build the repository and time the baseline)
Prints a markdown section (paste it into BENCHMARKS.md).
"""
import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import metrics  # noqa: E402  (machine(), cpu(), utc_date(): the same machine line as the other sections)

FORMAT = 1  # bump when the generated repository changes, so old ones in --work are rebuilt
START = 1_672_617_600  # 2023-01-02T00:00:00Z
DAY = 86_400
TAGS_PER_PACKAGE = 10
NEWEST_TAG = (0.80, 0.95)  # where in history each package's newest tag is (fractions of --commits)
FILES_PER_PACKAGE = 24
ROOT_FILES = ["README.md", ".github/ci.yml", "Makefile", "CONTRIBUTING.md", "docs/architecture.md"]
BASELINE = ["git", "log", "--name-only", "--format=%H%x00%P%x00%s", "HEAD"]

TYPES = [("feat", 24), ("fix", 28), ("chore", 16), ("docs", 10), ("refactor", 10), ("perf", 3),
         ("test", 5), ("ci", 2), ("build", 2)]
QUIET_TYPES = ["chore", "docs", "refactor", "test", "ci"]  # release nothing under the default rules
BUMP = {"feat": 2, "fix": 1, "perf": 1}  # 3 = major (a `!`); 0 = nothing
SCOPES = ["api", "cli", "core", "deps", "config", "build"]
WORDS = ("add handle support parse render cache retry token request response user session index "
         "config timeout error page list filter sort export import schema client server limit "
         "queue worker job event metric log trace plugin template release version").split()


def sentence(rng, n):
    return " ".join(rng.choice(WORDS) for _ in range(n))


def name_of(p, packages):
    return f"pkg{p:0{max(2, len(str(packages - 1)))}d}"


def quiet(p):
    return p % 10 == 3


def message(rng, i, scope_pkg, quiet_only):
    """(message, bump level) of commit i; `quiet_only` keeps it from releasing anything."""
    if rng.random() < 0.03:
        msg = rng.choice([f"Update {rng.choice(WORDS)}", "WIP", f"Merge branch 'topic-{i}'", "Tidy up"])
        return msg, 0
    kind = rng.choice(QUIET_TYPES) if quiet_only else rng.choices([t for t, _ in TYPES], [w for _, w in TYPES])[0]
    roll = rng.random()
    scope = scope_pkg if scope_pkg and roll < 0.5 else rng.choice(SCOPES) if roll < 0.7 else None
    breaking = not quiet_only and rng.random() < 0.001
    header = f"{kind}{f'({scope})' if scope else ''}{'!' if breaking else ''}: {sentence(rng, rng.randint(3, 8))}"
    parts = [header]
    if rng.random() < 0.4:
        parts.append(sentence(rng, rng.randint(10, 40)).capitalize() + ".")
    footers = []
    if rng.random() < 0.3:
        footers.append(f"{rng.choice(['Closes', 'Refs', 'Fixes'])} #{rng.randint(1, 5000)}")
    if breaking and rng.random() < 0.5:
        footers.append(f"BREAKING CHANGE: {sentence(rng, 8)}")
    if footers:
        parts.append("\n".join(footers))
    return "\n\n".join(parts), 3 if breaking else BUMP.get(kind, 0)


def bumped(version, level):
    major, minor, patch = version
    return (major + 1, 0, 0) if level == 3 else (major, minor + 1, 0) if level == 2 else (major, minor, patch + 1)


def plan(rng, commits, packages):
    """Which packages each commit touches (commit 1 touches all), and where the tags go."""
    weights = [1 / (1 + p / 10) for p in range(packages)]
    touched = [None, list(range(packages))]  # index = commit number
    touches = [[] for _ in range(packages)]
    for i in range(2, commits + 1):
        roll = rng.random()
        if roll < 0.90 or packages == 1:
            pkgs = rng.choices(range(packages), weights)
        elif roll < 0.95:
            first = rng.choices(range(packages), weights)[0]
            pkgs = [first, rng.choice([p for p in range(packages) if p != first])]
        else:
            pkgs = []
        touched.append(pkgs)
        for p in pkgs:
            touches[p].append(i)
    low, high = int(commits * NEWEST_TAG[0]), int(commits * NEWEST_TAG[1])
    tags = []  # per package: sorted commit numbers
    for p in range(packages):
        late = [i for i in touches[p] if low < i <= high]
        if not late:
            sys.exit(f"{name_of(p, packages)} has no commit between {low} and {high}: "
                     f"use more --commits or fewer --packages")
        newest = rng.choice(late)
        earlier = [i for i in touches[p] if i < newest]
        tags.append(sorted(rng.sample(earlier, min(TAGS_PER_PACKAGE - 1, len(earlier)))) + [newest])
    return touched, tags


def generate(path, commits, packages, seed):
    """Writes the repository; returns its manifest (expected next versions and figures)."""
    rng = random.Random(seed)
    touched, tag_positions = plan(rng, commits, packages)
    newest = [positions[-1] for positions in tag_positions]
    tags_at = {}
    for p, positions in enumerate(tag_positions):
        for i in positions:
            tags_at.setdefault(i, []).append(p)
    names = [name_of(p, packages) for p in range(packages)]

    path.mkdir(parents=True)
    env = {**os.environ, "GIT_CONFIG_NOSYSTEM": "1"}
    subprocess.run(["git", "init", "-q", "-b", "main", str(path)], check=True, env=env)
    subprocess.run(["git", "-C", str(path), "remote", "add", "origin", "git@github.com:acme/monorepo.git"],
                   check=True, env=env)
    proc = subprocess.Popen(["git", "-C", str(path), "fast-import", "--quiet"], stdin=subprocess.PIPE, env=env)
    out = proc.stdin

    def modify(file, content):
        content = content.encode()
        out.write(f"M 100644 inline {file}\ndata {len(content)}\n".encode() + content + b"\n")

    config = "".join(f'[[packages]]\nname = "{n}"\npath = "packages/{n}"\n\n' for n in names)
    version = [None] * packages  # each package's newest released version so far
    pending = [0] * packages     # highest bump level of its commits since that release
    since = [0] * packages       # its commits since that release
    tag_count = 0
    when = START
    for i in range(1, commits + 1):
        when += max(1, int(rng.expovariate(1 / 900)))
        pkgs = touched[i]
        if i == 1:
            msg, level = "chore: initial monorepo layout", 0
        else:
            scope_pkg = names[pkgs[0]] if len(pkgs) == 1 else None
            msg, level = message(rng, i, scope_pkg, any(quiet(p) and i > newest[p] for p in pkgs))
        msg = msg.encode()
        who = f"Dev {i % 23} <dev{i % 23}@example.com> {when} +0000"
        out.write(f"commit refs/heads/main\nmark :{i}\nauthor {who}\ncommitter {who}\n".encode())
        out.write(f"data {len(msg)}\n".encode() + msg + b"\n")
        if i > 1:
            out.write(f"from :{i - 1}\n".encode())
        if i == 1:
            modify("relkit.toml", config)
            for file in ROOT_FILES:
                modify(file, f"{file}\n")
            for n in names:
                modify(f"packages/{n}/src/file0.txt", f"{n}\n")
        else:
            if not pkgs:
                files = rng.sample(ROOT_FILES, rng.randint(1, 2))
            elif len(pkgs) == 1:
                files = {f"packages/{names[pkgs[0]]}/src/file{rng.randrange(FILES_PER_PACKAGE)}.txt"
                         for _ in range(rng.randint(1, 3))}
            else:  # one file in each, sometimes a second in the first
                files = {f"packages/{names[p]}/src/file{rng.randrange(FILES_PER_PACKAGE)}.txt"
                         for p in pkgs + pkgs[:rng.randint(0, 1)]}
            for file in sorted(files):
                modify(file, f"{i} {sentence(rng, 6)}\n")
        out.write(b"\n")
        for p in pkgs:
            pending[p] = max(pending[p], level)
            since[p] += 1
        for p in tags_at.get(i, []):
            # A release ships whatever came since; a release of nothing is a patch.
            version[p] = (1, 0, 0) if version[p] is None else bumped(version[p], max(pending[p], 1))
            tag = f"{names[p]}-v{'.'.join(map(str, version[p]))}"
            tagged = when + rng.randint(60, 4 * 3600)
            note = f"Release {tag}".encode()
            out.write(f"tag {tag}\nfrom :{i}\ntagger Release Bot <bot@example.com> {tagged} +0000\n".encode())
            out.write(f"data {len(note)}\n".encode() + note + b"\n")
            pending[p], since[p] = 0, 0
            tag_count += 1
    out.close()
    if proc.wait() != 0:
        sys.exit("git fast-import failed")
    subprocess.run(["git", "-C", str(path), "checkout", "-q", "main"], check=True, env=env)
    subprocess.run(["git", "-C", str(path), "gc", "-q"], check=True, env=env)
    manifest = {
        "format": FORMAT, "commits": commits, "packages": packages, "seed": seed,
        "first_commit": START, "last_commit": when, "tags": tag_count,
        "expected": {names[p]: ".".join(map(str, bumped(version[p], pending[p]))) if pending[p] else None
                     for p in range(packages)},
        "current": {names[p]: ".".join(map(str, version[p])) for p in range(packages)},
        "commits_since_newest_tag": {names[p]: commits - newest[p] for p in range(packages)},
        "package_commits_since_newest_tag": {names[p]: since[p] for p in range(packages)},
    }
    return manifest


def repository(work, commits, packages, seed):
    repo = work / f"repo-{commits}-{packages}-{seed}"
    saved = work / f"{repo.name}.json"  # beside the repository, so that its work tree stays clean
    try:
        manifest = json.loads(saved.read_text())
        if (manifest["format"], manifest["commits"], manifest["packages"], manifest["seed"]) == \
                (FORMAT, commits, packages, seed):
            print(f"reusing {repo}", file=sys.stderr)
            return repo, manifest
    except (OSError, ValueError, KeyError):
        pass
    shutil.rmtree(repo, ignore_errors=True)
    saved.unlink(missing_ok=True)
    print(f"generating {commits:,} commits in {packages} packages in {repo} ...", file=sys.stderr)
    start = time.perf_counter()
    manifest = generate(repo, commits, packages, seed)
    saved.write_text(json.dumps(manifest, indent=1))
    print(f"generated in {time.perf_counter() - start:.0f} s", file=sys.stderr)
    return repo, manifest


def run(cmd, cwd, env, cpu_times=None, capture=True):
    """Wall time of one run; git log's output goes to /dev/null, relkit's is kept to be checked."""
    before = metrics.cpu()
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=cwd, env=env, stdout=subprocess.PIPE if capture else subprocess.DEVNULL,
                          stderr=subprocess.PIPE)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        err = proc.stderr.decode(errors="replace").strip().splitlines()
        sys.exit(f"monorepo benchmark: `{' '.join(cmd)}` exited {proc.returncode} in {cwd} "
                 f"(each run must exit 0); "
                 + (f"its stderr{' (last 30 lines)' if len(err) > 30 else ''}:\n" + "\n".join(err[-30:]) if err
                    else "it wrote nothing to stderr"))
    if cpu_times is not None:
        # User + system time of the process and the git processes it waited for.
        cpu_times.append(metrics.cpu() - before)
    return elapsed, proc


def check_all(proc, manifest):
    """Fails unless the JSON lists exactly the due packages with the expected next versions; returns how many."""
    fail = lambda why: sys.exit(f"monorepo benchmark: relkit version --json: {why}")  # noqa: E731
    try:
        report = json.loads(proc.stdout)
    except ValueError as e:
        fail(f"not JSON ({e}): {proc.stdout[:300]!r}")
    if not isinstance(report, list):
        fail(f"expected a list with one entry per due package, got {type(report).__name__}: {proc.stdout[:300]!r}")
    got = {}
    for entry in report:
        if not isinstance(entry, dict) or "package" not in entry or "next" not in entry:
            fail(f"an entry without \"package\" and \"next\": {json.dumps(entry)[:300]}")
        if entry["package"] in got:
            fail(f"{entry['package']} is listed twice")
        got[entry["package"]] = entry["next"]
    unknown = sorted(set(got) - set(manifest["expected"]))
    if unknown:
        fail(f"unknown packages {unknown}")
    wrong = []
    for name, want in manifest["expected"].items():
        have = got.get(name)
        if want is None and have is not None:
            wrong.append(f"{name}: next {have}, expected not due")
        elif want is not None and have not in (want, f"{name}-v{want}"):
            wrong.append(f"{name}: next {have}, expected {want} (last release {manifest['current'][name]})")
    if wrong:
        fail(f"{len(wrong)} of {len(manifest['expected'])} packages wrong:\n  " + "\n  ".join(wrong))
    return sum(1 for v in got.values() if v is not None)


def check_one(proc, name, manifest):
    want = manifest["expected"][name]
    text = proc.stdout.decode(errors="replace")
    if want is not None and want not in text.split():
        sys.exit(f"monorepo benchmark: relkit version --package {name} printed {text.strip()[:300]!r}, "
                 f"expected {want}")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--relkit", help="the relkit binary")
    ap.add_argument("--no-relkit", action="store_true",
                    help="only build the repository and time the baseline (relkit is not run)")
    ap.add_argument("--work", default="/tmp/relkit-bench-monorepo")
    ap.add_argument("--commits", type=int, default=100_000)
    ap.add_argument("--packages", type=int, default=50)
    ap.add_argument("--seed", type=int, default=50)
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--target", type=float, default=1.5)
    ap.add_argument("--build", default="release build (cargo build --release)")
    a = ap.parse_args()
    if not a.no_relkit and not a.relkit:
        ap.error("--relkit BIN is required (or --no-relkit to only build the repository and time the baseline)")
    if a.packages < 1 or a.commits < 10 * a.packages:
        ap.error("need --packages >= 1 and --commits >= 10 x --packages")

    relkit = None if a.no_relkit else str(Path(a.relkit).resolve())
    work = Path(a.work)
    work.mkdir(parents=True, exist_ok=True)
    repo, manifest = repository(work, a.commits, a.packages, a.seed)

    now = manifest["last_commit"] + DAY
    env = {k: v for k, v in os.environ.items() if k not in ("CI", "GITHUB_ACTIONS", "GITLAB_CI")}
    cache = Path(tempfile.mkdtemp(prefix="relkit-cache-"))
    env.update(SOURCE_DATE_EPOCH=str(now), RELKIT_CACHE_DIR=str(cache), GIT_CONFIG_NOSYSTEM="1")

    one = name_of(min(7, a.packages - 1), a.packages)
    due = sum(1 for v in manifest["expected"].values() if v is not None)
    # (name, command, check, result column)
    cases = [("git log --name-only --format=%H%x00%P%x00%s HEAD (whole history, baseline)", BASELINE, None,
              f"{a.commits:,} commits")]
    if relkit:
        cases += [
            (f"relkit version --json (all {a.packages} packages)", [relkit, "version", "--json"],
             lambda proc: check_all(proc, manifest), f"{due} of {a.packages} due"),
            (f"relkit version --package {one}", [relkit, "version", "--package", one],
             lambda proc: check_one(proc, one, manifest), f"{one}: {manifest['current'][one]} → "
                                                          f"{manifest['expected'][one] or 'not due'}"),
        ]
    times = {name: [] for name, *_ in cases}
    cpus = {name: [] for name, *_ in cases}
    try:
        for round_ in range(a.runs + 1):  # round 0 is the warm-up
            for name, cmd, check, _ in cases:
                elapsed, proc = run(cmd, repo, env, cpus[name] if round_ else None, capture=check is not None)
                if check is not None:
                    check(proc)
                if round_:
                    times[name].append(elapsed)
            if round_:
                print(f"round {round_}: " + ", ".join(f"{t[-1] * 1000:.0f} ms" for t in times.values()), file=sys.stderr)
    finally:
        shutil.rmtree(cache, ignore_errors=True)

    version = "relkit not run (--no-relkit)" if not relkit else \
        subprocess.run([relkit, "--version"], capture_output=True, text=True).stdout.strip() + f", {a.build}"
    base = statistics.median(times[cases[0][0]])
    cpu_base = statistics.median(cpus[cases[0][0]])
    ms = lambda s: f"{s * 1000:.0f} ms"  # noqa: E731
    since = sorted(manifest["commits_since_newest_tag"].values())
    pkg_since = sorted(manifest["package_commits_since_newest_tag"].values())
    quiet_names = [n for n, v in manifest["expected"].items() if v is None]
    first_day, last_day = metrics.utc_date(manifest["first_commit"]), metrics.utc_date(manifest["last_commit"])
    lines = [
        f"## Monorepo: `relkit version` for {a.packages} packages ({time.strftime('%Y-%m-%d')})",
        "",
        f"{version}; on {metrics.machine()}.",
        f"Repository: {a.commits:,} commits (linear, ~15 min apart on average, {first_day} to {last_day}), "
        f"{a.packages} packages `packages/{name_of(0, a.packages)}` … `packages/{name_of(a.packages - 1, a.packages)}` "
        f"listed in `relkit.toml` (first commit; tag-prefix by default `<name>-v`). 90 % of commits touch one "
        f"package, 5 % two, 5 % only root files; 1–3 files each; Conventional Commit messages with scopes, "
        f"bodies, footers, rare `!`. {manifest['tags']:,} annotated tags `pkgNN-vX.Y.Z` (~{TAGS_PER_PACKAGE} per "
        f"package, each at a commit touching it), each package's newest between {NEWEST_TAG[0] * 100:.0f} % and "
        f"{NEWEST_TAG[1] * 100:.0f} % of history: {since[0]:,}–{since[-1]:,} commits since it (median "
        f"{statistics.median(since):,.0f}), {pkg_since[0]:,}–{pkg_since[-1]:,} of them touching the package "
        f"(median {statistics.median(pkg_since):,.0f}). {due} of {a.packages} packages are due; "
        f"{', '.join(quiet_names) or 'none'} only got non-releasing commits since "
        f"{'its' if len(quiet_names) == 1 else 'their'} last release. "
        f"Made by `git fast-import`, then `git gc`. SOURCE_DATE_EPOCH = {now} ({metrics.utc_date(now)}).",
        ("Each relkit run exits 0; the JSON lists the due packages with the expected next versions "
         f"({due} due), and `--package {one}` prints its expected next version." if relkit else
         "relkit was not run (--no-relkit): the baseline alone."),
        f"Median of {a.runs} runs each, alternating, after one warm-up round (warm page cache and plugin cache).",
        "",
        f"Reproduce: `bench/monorepo.py {f'--relkit {a.relkit}' if relkit else '--no-relkit'} --work {a.work} "
        f"--commits {a.commits} --packages {a.packages} --seed {a.seed} --runs {a.runs}`",
        "",
        "| command | result | median wall | ratio to git log | median CPU (user+sys) | CPU ratio | wall min–max |",
        "|---|---|---|---|---|---|---|",
    ]
    for name, _, _, result in cases:
        med, cmed = statistics.median(times[name]), statistics.median(cpus[name])
        lines.append(f"| {name} | {result} | {ms(med)} | {med / base:.2f}× | {ms(cmed)} | {cmed / cpu_base:.2f}× "
                     f"| {ms(min(times[name]))}–{ms(max(times[name]))} |")
    if relkit:
        ratio_all = statistics.median(times[cases[1][0]]) / base
        ratio_one = statistics.median(times[cases[2][0]]) / base
        lines += ["", f"Target: `relkit version` for all packages within {a.target}× of the git log — "
                      f"{'met' if ratio_all <= a.target else 'NOT met'} ({ratio_all:.2f}×; one package: "
                      f"{ratio_one:.2f}×)."]
    print("\n".join(lines))


if __name__ == "__main__":
    main()
