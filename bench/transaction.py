#!/usr/bin/env python3
"""Times `relkit release --push` of two relkit binaries on the same fixture.

For the transaction issue's bound: a normal `release --push` must stay within
1.2x of the relkit before the transaction. Each run gets a fresh copy of a
template (repository + bare remote), so every run makes the same release.
Runs of the two binaries alternate, so that noise on this shared machine
falls on both alike; the medians are compared.

usage: bench/transaction.py --new BIN --old BIN [--runs 15]
Prints a markdown table (paste it into BENCHMARKS.md).
"""
import argparse
import os
import shutil
import statistics
import subprocess
import tempfile
import time

ENV = {
    **os.environ,
    "GIT_AUTHOR_NAME": "Ada",
    "GIT_AUTHOR_EMAIL": "ada@example.com",
    "GIT_COMMITTER_NAME": "Ada",
    "GIT_COMMITTER_EMAIL": "ada@example.com",
    "GIT_CONFIG_NOSYSTEM": "1",
    "SOURCE_DATE_EPOCH": "1795910400",
}
for var in ("GITHUB_ACTIONS", "GITLAB_CI", "CI"):
    ENV.pop(var, None)


def git(cwd, *args):
    subprocess.run(["git", *args], cwd=cwd, env=ENV, check=True, stdout=subprocess.DEVNULL)


def template(root, commits, config):
    repo = os.path.join(root, "repo")
    remote = os.path.join(root, "remote.git")
    os.makedirs(repo)
    git(repo, "init", "-q", "-b", "main")
    with open(os.path.join(repo, "CHANGELOG.md"), "w") as f:
        f.write("# Changelog\n")
    with open(os.path.join(repo, "relkit.toml"), "w") as f:
        f.write(config)
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "chore: init")
    git(repo, "tag", "-a", "-m", "v1.0.0", "v1.0.0")
    # One fast-import stream: `commits` conventional commits after the tag.
    stream = []
    for i in range(commits):
        kind = ("feat", "fix", "docs", "refactor")[i % 4]
        msg = f"{kind}(core): change {i}\n\nBody of change {i}.\n".encode()
        data = f"line {i}\n".encode()
        stream.append(b"commit refs/heads/main\n")
        stream.append(f"committer Ada <ada@example.com> {1795000000 + i} +0000\n".encode())
        stream.append(b"data %d\n%s\n" % (len(msg), msg))
        if i == 0:
            stream.append(b"from refs/heads/main^0\n")
        stream.append(b"M 100644 inline src/file%d.txt\ndata %d\n%s\n" % (i % 50, len(data), data))
    subprocess.run(["git", "fast-import", "--quiet"], cwd=repo, env=ENV, input=b"".join(stream), check=True)
    git(repo, "reset", "-q", "--hard")
    subprocess.run(["git", "init", "-q", "--bare", remote], env=ENV, check=True)
    # Relative, so that copies of the template push to their own remote.
    git(repo, "remote", "add", "origin", "../remote.git")
    git(repo, "push", "-q", "origin", "main", "--tags")
    return root


def one_run(binary, tmpl, work):
    target = os.path.join(work, "case")
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(tmpl, target, symlinks=True)
    repo = os.path.join(target, "repo")
    start = time.perf_counter()
    proc = subprocess.run([binary, "release", "--push"], cwd=repo, env=ENV, capture_output=True)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"{binary} failed: {proc.stderr.decode()}")
    return elapsed


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--new", required=True)
    p.add_argument("--old", required=True)
    p.add_argument("--runs", type=int, default=15)
    p.add_argument("--commits", type=int, default=500)
    a = p.parse_args()
    cases = [
        ("CHANGELOG committed, branch and tag pushed", "[release]\ncommit-changelog = true\n"),
        ("tag pushed, CHANGELOG written", "[release]\ncommit-changelog = false\n"),
    ]
    rows = []
    with tempfile.TemporaryDirectory() as work:
        for name, config in cases:
            tmpl = template(os.path.join(work, f"template-{len(rows)}"), a.commits, config)
            times = {"old": [], "new": []}
            for _ in range(a.runs):
                for label in ("old", "new"):
                    binary = a.old if label == "old" else a.new
                    times[label].append(one_run(os.path.abspath(binary), tmpl, work))
            old, new = statistics.median(times["old"]), statistics.median(times["new"])
            rows.append((name, old, new))
    print(f"`relkit release --push`, {a.commits} commits since the last tag, median of {a.runs} runs each, alternating:\n")
    print("| case | before the transaction | with the transaction | ratio |")
    print("|---|---|---|---|")
    for name, old, new in rows:
        print(f"| {name} | {old * 1000:.0f} ms | {new * 1000:.0f} ms | {new / old:.2f}x |")


if __name__ == "__main__":
    main()
