#!/usr/bin/env python3
"""Times `relkit metrics` against one plain `git log` of the whole history.

Issue 16's target: on 100,000 commits and 1,000 release tags, `relkit
metrics` runs within 1.5x of one `git log` over the whole history.

The repository is made once with `git fast-import` (reused from --work when
its manifest matches): a linear history of --commits commits with realistic
committer/author dates (exponential gaps, ~15 min on average, so 100,000
commits span ~2.9 years), --tags annotated release tags (`vMAJOR.MINOR.PATCH`,
tagger time minutes to hours after the tagged commit) at random commits, the
last one 50 commits before HEAD, Conventional Commit messages and changed
paths as in bench/bench.py, then `git gc`. "Now" (SOURCE_DATE_EPOCH) is fixed
one day after the last commit, so the default 90-day window holds releases.

Timed, alternating, median of --runs after one warm-up round:
  (a) git log --format=%H%x00%P%x00%ct%x00%s          (the baseline)
  (b) relkit metrics --json --since FIRST --until LAST  (the whole history)
  (c) relkit metrics --json                              (the default 90 days)
Each relkit run must exit 0 and its JSON must hold the expected number of
releases and shipped commits. Then one breakdown of a relkit run: its git
processes timed alone and the plugin's time from `relkit -v metrics`.

usage: bench/metrics.py --relkit BIN [--work DIR] [--runs 7]
Prints a markdown section (paste it into BENCHMARKS.md).
"""
import argparse
import datetime
import json
import os
import platform
import random
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench  # noqa: E402  (message(), sentence(), PATHS, WORDS: the same commits as bench.py)

START = 1_672_617_600  # 2023-01-02T00:00:00Z
DAY = 86_400
TAIL = 50
BASELINE = ["git", "log", "--format=%H%x00%P%x00%ct%x00%s"]


def utc_date(ts):
    return datetime.datetime.fromtimestamp(ts, datetime.timezone.utc).strftime("%Y-%m-%d")


def generate(path, commits, tags, seed):
    """Writes the repository; returns its manifest (tag positions and times)."""
    rng = random.Random(seed)
    last_tag = commits - TAIL
    positions = sorted(rng.sample(range(1, last_tag), tags - 1)) + [last_tag]
    tag_at = set(positions)
    path.mkdir(parents=True)
    env = {**os.environ, "GIT_CONFIG_NOSYSTEM": "1"}
    subprocess.run(["git", "init", "-q", "-b", "main", str(path)], check=True, env=env)
    proc = subprocess.Popen(["git", "-C", str(path), "fast-import", "--quiet"], stdin=subprocess.PIPE, env=env)
    out = proc.stdin
    when = START
    major, minor, patch = 1, 0, 0
    prev_pos = 0
    manifest = {"commits": commits, "tags": [], "seed": seed}
    migration = 0
    for i in range(1, commits + 1):
        when += max(1, int(rng.expovariate(1 / 900)))
        msg = bench.message(rng, i).encode()
        who = f"Dev {i % 17} <dev{i % 17}@example.com> {when} +0000"
        out.write(f"commit refs/heads/main\nmark :{i}\nauthor {who}\ncommitter {who}\n".encode())
        out.write(f"data {len(msg)}\n".encode() + msg + b"\n")
        if i > 1:
            out.write(f"from :{i - 1}\n".encode())
        files = [rng.choice(bench.PATHS[rng.choices(["src", "k8s", "terraform"], weights=[86, 7, 7])[0]])
                 for _ in range(rng.randint(1, 3))]
        if rng.random() < 0.005:
            migration += 1
            files.append(f"migrations/V{migration}__{rng.choice(bench.WORDS)}.sql")
        for file in files:
            content = f"{i} {bench.sentence(rng, 6)}\n".encode()
            out.write(f"M 100644 inline {file}\ndata {len(content)}\n".encode() + content + b"\n")
        out.write(b"\n")
        if i in tag_at:
            # Close releases are patches (hotfix-like), a few are majors.
            if manifest["tags"] and i - prev_pos < 20:
                patch += 1
            elif manifest["tags"] and rng.random() < 0.01:
                major, minor, patch = major + 1, 0, 0
            elif manifest["tags"]:
                minor, patch = minor + 1, 0
            name = f"v{major}.{minor}.{patch}"
            tagged = when + rng.randint(60, 4 * 3600)
            note = f"Release {name}".encode()
            out.write(f"tag {name}\nfrom :{i}\ntagger Release Bot <bot@example.com> {tagged} +0000\n".encode())
            out.write(f"data {len(note)}\n".encode() + note + b"\n")
            manifest["tags"].append({"name": name, "position": i, "time": tagged, "shipped": i - prev_pos})
            prev_pos = i
    out.close()
    if proc.wait() != 0:
        sys.exit("git fast-import failed")
    manifest["first_commit"] = START
    manifest["last_commit"] = when
    subprocess.run(["git", "-C", str(path), "checkout", "-q", "main"], check=True, env=env)
    subprocess.run(["git", "-C", str(path), "gc", "-q"], check=True, env=env)
    (path / "manifest.json").write_text(json.dumps(manifest))
    return manifest


def repository(work, commits, tags, seed):
    repo = work / f"repo-{commits}-{tags}-{seed}"
    try:
        manifest = json.loads((repo / "manifest.json").read_text())
        if manifest["commits"] == commits and len(manifest["tags"]) == tags:
            return repo, manifest
    except (OSError, ValueError, KeyError):
        pass
    shutil.rmtree(repo, ignore_errors=True)
    print(f"generating {commits:,} commits, {tags:,} tags in {repo} ...", file=sys.stderr)
    start = time.perf_counter()
    manifest = generate(repo, commits, tags, seed)
    print(f"generated in {time.perf_counter() - start:.0f} s", file=sys.stderr)
    return repo, manifest


def expected(manifest, since, until):
    inside = [t for t in manifest["tags"] if since <= t["time"] <= until]
    return len(inside), sum(t["shipped"] for t in inside)


def cpu():
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def run(cmd, cwd, env, cpu_times=None):
    """Wall time of one run (its output read through a pipe, as relkit reads git's)."""
    before = cpu()
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        sys.exit(f"{' '.join(cmd)} exited {proc.returncode}:\n{proc.stderr.decode(errors='replace')}")
    if cpu_times is not None:
        # User + system time of the process and the git processes it waited for.
        cpu_times.append(cpu() - before)
    return elapsed, proc


def check(name, proc, want_releases, want_commits):
    report = json.loads(proc.stdout)
    got = (report["releases"], sum(r["commits"] for r in report["release_list"]))
    if got != (want_releases, want_commits):
        sys.exit(f"{name}: {got[0]} releases / {got[1]} commits shipped, expected {want_releases} / {want_commits}")


def machine():
    cpu = "unknown"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    git = subprocess.run(["git", "--version"], capture_output=True, text=True).stdout.strip()
    return f"{cpu}, {os.cpu_count()} cores (shared), {platform.system()} {platform.release()}, {git}"


def breakdown(relkit, repo, env, runs):
    """Medians of the parts of one whole-history run, each timed alone."""
    parts = {
        "git log (relkit's: -z, %H %P %ct %s, HEAD --)":
            ["git", "log", "-z", "--no-show-signature", "--format=%H%x1f%P%x1f%ct%x1f%s", "HEAD", "--"],
        "git for-each-ref (tagger dates)":
            ["git", "for-each-ref", "--format=%(refname:strip=2)%00%(taggerdate:unix)", "refs/tags"],
        "git show-ref --tags -d (release tags)": ["git", "show-ref", "--tags", "-d"],
    }
    times = {name: statistics.median(run(cmd, repo, env)[0] for _ in range(runs)) for name, cmd in parts.items()}
    plugin, total = [], []
    for _ in range(runs):
        elapsed, proc = run([relkit, "-v", *relkit_args(env)], repo, env)
        total.append(elapsed)
        found = re.findall(r"plugin (\S+) ran in (\d+) ms", proc.stderr.decode(errors="replace"))
        plugin.append(sum(int(ms) for _, ms in found) / 1000)
    times["plugin (from relkit -v: marshalling + wasm compute)"] = statistics.median(plugin)
    rest = statistics.median(total) - sum(times.values())
    times["relkit's own code outside the plugin (total − the parts above: parsing the log, the walk)"] = rest
    times["relkit -v metrics (whole history), total"] = statistics.median(total)
    return times


def relkit_args(env):
    return ["metrics", "--json", "--since", env["_BENCH_SINCE"], "--until", env["_BENCH_UNTIL"]]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--relkit", required=True)
    ap.add_argument("--work", default="/tmp/relkit-bench-metrics")
    ap.add_argument("--commits", type=int, default=100_000)
    ap.add_argument("--tags", type=int, default=1_000)
    ap.add_argument("--seed", type=int, default=16)
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--target", type=float, default=1.5)
    ap.add_argument("--build", default="dev build (host crate unoptimised, dependencies opt-level 2, "
                                        "wasm plugins fully optimised and precompiled)")
    a = ap.parse_args()

    relkit = str(Path(a.relkit).resolve())
    work = Path(a.work)
    work.mkdir(parents=True, exist_ok=True)
    repo, manifest = repository(work, a.commits, a.tags, a.seed)

    now = manifest["last_commit"] + DAY
    since_day, until_day = utc_date(manifest["first_commit"]), utc_date(now)
    env = {k: v for k, v in os.environ.items() if k not in ("CI", "GITHUB_ACTIONS", "GITLAB_CI")}
    cache = Path(tempfile.mkdtemp(prefix="relkit-cache-"))
    env.update(SOURCE_DATE_EPOCH=str(now), RELKIT_CACHE_DIR=str(cache), GIT_CONFIG_NOSYSTEM="1",
               _BENCH_SINCE=since_day, _BENCH_UNTIL=until_day)

    whole_from = int(datetime.datetime.strptime(since_day, "%Y-%m-%d").replace(tzinfo=datetime.timezone.utc).timestamp())
    whole_to = int(datetime.datetime.strptime(until_day, "%Y-%m-%d").replace(tzinfo=datetime.timezone.utc).timestamp()) + DAY - 1
    cases = [
        ("git log --format=%H%x00%P%x00%ct%x00%s (whole history, baseline)", BASELINE, None),
        (f"relkit metrics --json --since {since_day} --until {until_day} (whole history)",
         [relkit, *relkit_args(env)], expected(manifest, whole_from, whole_to)),
        ("relkit metrics --json (default window: 90 days)",
         [relkit, "metrics", "--json"], expected(manifest, now - 90 * DAY + 1, now)),
    ]
    times = {name: [] for name, _, _ in cases}
    cpus = {name: [] for name, _, _ in cases}
    try:
        for round_ in range(a.runs + 1):  # round 0 is the warm-up
            for name, cmd, want in cases:
                elapsed, proc = run(cmd, repo, env, cpus[name] if round_ else None)
                if want is not None:
                    check(name, proc, *want)
                if round_:
                    times[name].append(elapsed)
        parts = breakdown(relkit, repo, env, a.runs)
    finally:
        shutil.rmtree(cache, ignore_errors=True)

    version = subprocess.run([relkit, "--version"], capture_output=True, text=True).stdout.strip()
    base = statistics.median(times[cases[0][0]])
    cpu_base = statistics.median(cpus[cases[0][0]])
    ms = lambda s: f"{s * 1000:.0f} ms"  # noqa: E731
    lines = [
        f"## `relkit metrics` ({time.strftime('%Y-%m-%d')})",
        "",
        f"{version}, {a.build}; on {machine()}.",
        f"Repository: {a.commits:,} commits (linear, ~15 min apart on average, {since_day} to "
        f"{utc_date(manifest['last_commit'])}), {a.tags:,} annotated release tags at random commits, the last "
        f"{TAIL} commits before HEAD; made by `git fast-import`, then `git gc`. SOURCE_DATE_EPOCH = {now} "
        f"({utc_date(now)}). Each relkit run exits 0 and its JSON holds the expected releases and shipped commits.",
        f"Median of {a.runs} runs each, alternating, after one warm-up round (warm page cache and plugin cache).",
        "",
        f"Reproduce: `bench/metrics.py --relkit {a.relkit} --work {a.work} --commits {a.commits} "
        f"--tags {a.tags} --seed {a.seed} --runs {a.runs}`",
        "",
        "| command | releases / commits in window | median wall | ratio to git log | "
        "median CPU (user+sys) | CPU ratio | wall min–max |",
        "|---|---|---|---|---|---|---|",
    ]
    for name, _, want in cases:
        med, cmed = statistics.median(times[name]), statistics.median(cpus[name])
        counts = f"{want[0]:,} / {want[1]:,}" if want else "—"
        lines.append(f"| {name} | {counts} | {ms(med)} | {med / base:.2f}× | {ms(cmed)} | {cmed / cpu_base:.2f}× "
                     f"| {ms(min(times[name]))}–{ms(max(times[name]))} |")
    worst = max(statistics.median(times[n]) for n, _, w in cases if w) / base
    lines += ["", f"Target: within {a.target}× of the git log — {'met' if worst <= a.target else 'NOT met'} "
                  f"(worst {worst:.2f}×).", "",
              f"Where a whole-history run's time goes (each part timed alone, median of {a.runs}):", "",
              "| part | median | ratio to git log |", "|---|---|---|"]
    for name, t in parts.items():
        lines.append(f"| {name} | {ms(t)} | {t / base:.2f}× |")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
