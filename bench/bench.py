#!/usr/bin/env python3
"""relkit's benchmark harness (run it with bench/run.sh).

Generates synthetic repositories with `git fast-import` (1,000, 10,000 and
100,000 commits, a release tag every 100 commits, 50 commits after the last
tag, realistic Conventional Commit messages, changed paths across src/, k8s/,
terraform/ and migrations/), then times in the same run:

- the baseline: `git log --format=%H%x00%B` over the whole history (git's own
  cost of reading it), and `git log` over the commits since the last tag;
- relkit version, notes, changelog --full --dry-run, release --dry-run and
  plugins list (which loads and calls all four plugins), each cold (new
  process, empty plugin cache, page cache dropped when the machine allows it)
  and warm (median of repeated runs), with peak memory;
- git-cliff, when it is on PATH, for comparison only.

It writes the figures to BENCHMARKS.md (or --output).
"""

import argparse
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TYPES = [
    ("feat", 24), ("fix", 30), ("chore", 14), ("docs", 8), ("refactor", 8),
    ("perf", 4), ("test", 6), ("ci", 3), ("build", 3),
]
SCOPES = ["api", "cli", "core", "db", "auth", "ui", "deps", "config", None, None, None]
WORDS = ("add handle support parse render cache retry token request response user session index "
         "migration config timeout error page list filter sort export import schema client server "
         "limit queue worker job event metric log trace plugin template release version").split()
PATHS = {
    "src": ["src/lib.rs", "src/api/handlers.rs", "src/api/routes.rs", "src/db/models.rs", "src/cli/main.rs",
            "src/auth/session.rs", "src/ui/render.rs", "src/config.rs"],
    "k8s": ["k8s/deployment.yaml", "k8s/service.yaml", "k8s/hpa.yaml"],
    "terraform": ["terraform/main.tf", "terraform/variables.tf", "terraform/outputs.tf"],
}


def sentence(rng, n):
    return " ".join(rng.choice(WORDS) for _ in range(n))


def message(rng, i):
    roll = rng.random()
    if roll < 0.05:
        return rng.choice([f"Update {rng.choice(WORDS)}", "WIP", f"Merge branch 'topic-{i}'", f"Bump {rng.choice(WORDS)}"])
    kind = rng.choices([t for t, _ in TYPES], weights=[w for _, w in TYPES])[0]
    scope = rng.choice(SCOPES)
    breaking = rng.random() < 0.003
    header = f"{kind}{f'({scope})' if scope else ''}{'!' if breaking and rng.random() < 0.5 else ''}: {sentence(rng, rng.randint(3, 8))}"
    parts = [header]
    if rng.random() < 0.4:
        parts.append(sentence(rng, rng.randint(10, 40)).capitalize() + ".")
    footers = []
    if rng.random() < 0.3:
        footers.append(f"{rng.choice(['Closes', 'Refs', 'Fixes'])} #{rng.randint(1, 5000)}")
    if breaking:
        footers.append(f"BREAKING CHANGE: {sentence(rng, 8)}")
    if footers:
        parts.append("\n".join(footers))
    return "\n\n".join(parts)


def generate(path, commits, tail=50, seed=7):
    """`commits` commits with a tag every 100, then `tail` untagged ones."""
    rng = random.Random(seed)
    path.mkdir(parents=True)
    subprocess.run(["git", "init", "-q", "-b", "main", str(path)], check=True)
    subprocess.run(["git", "-C", str(path), "remote", "add", "origin", "git@github.com:acme/bench.git"], check=True)
    proc = subprocess.Popen(["git", "-C", str(path), "fast-import", "--quiet"], stdin=subprocess.PIPE)
    out = proc.stdin
    when = 1_700_000_000
    migration = 0
    total = commits + tail
    for i in range(1, total + 1):
        when += 600
        msg = message(rng, i).encode()
        out.write(f"commit refs/heads/main\nmark :{i}\n".encode())
        out.write(f"author Dev {i % 17} <dev{i % 17}@example.com> {when} +0000\n".encode())
        out.write(f"committer Dev {i % 17} <dev{i % 17}@example.com> {when} +0000\n".encode())
        out.write(f"data {len(msg)}\n".encode() + msg + b"\n")
        if i > 1:
            out.write(f"from :{i - 1}\n".encode())
        files = [rng.choice(PATHS[rng.choices(["src", "k8s", "terraform"], weights=[86, 7, 7])[0]])
                 for _ in range(rng.randint(1, 3))]
        # A new migration in 1 commit of 200: a real schema grows by hundreds
        # of files, not by one per commit.
        if rng.random() < 0.005:
            migration += 1
            files.append(f"migrations/V{migration}__{rng.choice(WORDS)}.sql")
        for file in files:
            content = f"{i} {sentence(rng, 6)}\n".encode()
            out.write(f"M 100644 inline {file}\ndata {len(content)}\n".encode() + content + b"\n")
        out.write(b"\n")
        if i % 100 == 0 and i <= commits:
            out.write(f"reset refs/tags/v1.{i // 100}.0\nfrom :{i}\n\n".encode())
    out.close()
    if proc.wait() != 0:
        sys.exit("git fast-import failed")
    subprocess.run(["git", "-C", str(path), "checkout", "-q", "main"], check=True)
    subprocess.run(["git", "-C", str(path), "gc", "-q"], check=True)


def drop_page_cache():
    try:
        subprocess.run(["sync"], check=True)
        Path("/proc/sys/vm/drop_caches").write_text("3\n")
        return True
    except OSError:
        return False


def timed(cmd, cwd, env):
    """(seconds, peak RSS in MiB) of one run, through /usr/bin/time."""
    start = time.perf_counter()
    proc = subprocess.run(["/usr/bin/time", "-f", "%M", *cmd], cwd=cwd, env=env,
                          stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed in {cwd}:\n{proc.stderr}")
    rss_kib = int(proc.stderr.strip().splitlines()[-1])
    return elapsed, rss_kib / 1024


def measure(cmd, cwd, runs, cold_cache_dir):
    env = dict(os.environ)
    for var in ("GITHUB_ACTIONS", "GITLAB_CI", "CI"):
        env.pop(var, None)
    env["RELKIT_CACHE_DIR"] = str(cold_cache_dir)
    shutil.rmtree(cold_cache_dir, ignore_errors=True)
    dropped = drop_page_cache()
    cold, cold_rss = timed(cmd, cwd, env)
    warm = [timed(cmd, cwd, env) for _ in range(runs)]
    return {
        "cold": cold,
        "cold_dropped_page_cache": dropped,
        "warm": statistics.median(t for t, _ in warm),
        "rss": max([cold_rss] + [r for _, r in warm]),
    }


def machine():
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = "unknown"
    try:
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        mem = f"{kb / 1024 / 1024:.0f} GiB"
    except (OSError, ValueError, IndexError):
        pass
    git = subprocess.run(["git", "--version"], capture_output=True, text=True).stdout.strip()
    return f"{cpu}, {os.cpu_count()} cores, {mem} RAM, {platform.system()} {platform.release()}, {git}"


def fmt(seconds):
    return f"{seconds * 1000:.0f} ms" if seconds < 10 else f"{seconds:.1f} s"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--relkit", required=True, help="the relkit binary (a release build)")
    ap.add_argument("--sizes", default="1000,10000,100000")
    ap.add_argument("--runs", type=int, default=5, help="warm runs per command")
    ap.add_argument("--work", default=None, help="where to generate repositories (default: a temporary directory)")
    ap.add_argument("--output", default="BENCHMARKS.md")
    ap.add_argument("--cliff-max", type=int, default=10000,
                    help="largest repository to time git-cliff on (it grows quadratically: ~7 min per run at 100,000)")
    args = ap.parse_args()

    relkit = str(Path(args.relkit).resolve())
    work = Path(args.work) if args.work else Path(tempfile.mkdtemp(prefix="relkit-bench-"))
    cache = work / "plugin-cache"
    cliff = shutil.which("git-cliff")
    version = subprocess.run([relkit, "--version"], capture_output=True, text=True).stdout.strip()
    results = {}
    for size in [int(s) for s in args.sizes.split(",")]:
        repo = work / f"repo-{size}"
        if not repo.exists():
            print(f"generating {size} commits ...", file=sys.stderr)
            generate(repo, size)
        last_tag = f"v1.{size // 100}.0"
        commands = {
            "git log (whole history)": ["git", "log", "--format=%H%x00%B"],
            "git log (since last tag)": ["git", "log", "--format=%H%x00%B", f"{last_tag}..HEAD"],
            "relkit version": [relkit, "version"],
            "relkit notes": [relkit, "notes"],
            "relkit changelog --full --dry-run": [relkit, "changelog", "--full", "--dry-run"],
            "relkit release --dry-run": [relkit, "release", "--dry-run"],
            "relkit plugins list (load + call all 4 plugins)": [relkit, "plugins", "list"],
        }
        if cliff and size <= args.cliff_max:
            commands["git-cliff (full changelog)"] = [cliff, "--output", "/dev/null"]
            commands["git-cliff --unreleased --bump"] = [cliff, "--unreleased", "--bump", "--output", "/dev/null"]
        results[size] = {}
        for name, cmd in commands.items():
            print(f"{size}: {name}", file=sys.stderr)
            results[size][name] = measure(cmd, repo, args.runs, cache)

    base_key = "git log (whole history)"
    lines = [
        "# relkit benchmarks",
        "",
        f"Measured {time.strftime('%Y-%m-%d')} with {version}, release build, on: {machine()}.",
        "",
        "Reproduce: `bench/run.sh` (builds the release binary, generates the repositories, writes this file).",
        "",
        "Repositories: synthetic, made with `git fast-import`: N commits with a release tag every 100 commits,",
        "then 50 commits after the last tag; Conventional Commit messages with scopes, bodies, issue footers,",
        "a few breaking changes and ~5 % non-conventional; 1–3 changed paths per commit across src/, k8s/,",
        "terraform/ and migrations/.",
        "",
        "Cold: a new process with an empty plugin cache" + (
            ", after dropping the page cache." if any(r["cold_dropped_page_cache"] for s in results.values() for r in s.values())
            else " (this machine does not allow dropping the page cache, so git's files may still be cached)."),
        f"Warm: median of {args.runs} runs. Ratio: warm time over the warm `git log` of the whole history.",
        "Peak memory: the largest resident set of any run.",
        ("git-cliff: timed for comparison on repositories up to " + f"{args.cliff_max:,} commits." if cliff
         else "git-cliff: not on PATH in this run, so not timed (it is optional; put it on PATH and rerun to add its rows)."),
        "",
    ]
    for size, rows in results.items():
        lines += [f"## {size:,} commits, {size // 100:,} tags", "",
                  "| command | warm | cold | ratio to git log | peak memory |", "|---|---|---|---|---|"]
        base = rows[base_key]["warm"]
        for name, r in rows.items():
            lines.append(f"| {name} | {fmt(r['warm'])} | {fmt(r['cold'])} | {r['warm'] / base:.2f}× | {r['rss']:.0f} MiB |")
        lines.append("")
    sizes = sorted(results)
    if len(sizes) >= 2:
        big, mid, small = results[sizes[-1]], results[sizes[-2]], results[sizes[0]]
        full = "relkit changelog --full --dry-run"
        lines += ["## Targets", "",
                  f"- changelog --full on {sizes[-1]:,} commits: {big[full]['warm'] / big[base_key]['warm']:.2f}× the git log baseline "
                  f"(target ≤ 3×), peak {big[full]['rss']:.0f} MiB (target < 200 MB), "
                  f"{big[full]['warm'] / mid[full]['warm']:.1f}× the {sizes[-2]:,}-commit time (target ≤ 12×).",
                  f"- version with 50 commits after the last tag: {fmt(small['relkit version']['warm'])} on {sizes[0]:,} commits, "
                  f"{fmt(big['relkit version']['warm'])} on {sizes[-1]:,} (target: the same, < 50 ms warm).",
                  f"- notes: {fmt(small['relkit notes']['warm'])} on {sizes[0]:,} commits, {fmt(big['relkit notes']['warm'])} on {sizes[-1]:,}.",
                  f"- release --dry-run on {sizes[0]:,} commits: {fmt(small['relkit release --dry-run']['cold'])} cold (target < 150 ms), "
                  f"{fmt(small['relkit release --dry-run']['warm'])} warm (target < 30 ms).",
                  ""]
    Path(args.output).write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
