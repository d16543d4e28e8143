#!/usr/bin/env bash
# Checks the CI files relkit ships (action.yml, .github/workflows/*.yml,
# gitlab-ci-template.yml): schema validation with check-jsonschema, a security
# audit with zizmor (nothing of medium severity or above), and an end-to-end
# run of the GitLab template with gitlab-ci-local (ci/test-gitlab-template.sh).
# Installs its tools (pinned) under target/ci-tools.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
tools="$root/target/ci-tools"
venv="$tools/venv"
if [ ! -x "$venv/bin/check-jsonschema" ] || [ ! -x "$venv/bin/zizmor" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check check-jsonschema==0.39.0 zizmor==1.32.0
fi

echo "== check-jsonschema: action.yml"
"$venv/bin/check-jsonschema" --builtin-schema vendor.github-actions action.yml
echo "== check-jsonschema: workflows"
"$venv/bin/check-jsonschema" --builtin-schema vendor.github-workflows .github/workflows/*.yml
echo "== the CI/CD component (templates/relkit.yml) is gitlab-ci-template.yml"
# GitLab finds a component only under templates/; the root file is what
# `include: remote/project` users name. They must not drift apart.
cmp gitlab-ci-template.yml templates/relkit.yml

echo "== check-jsonschema: gitlab-ci-template.yml (spec header and jobs, as separate documents)"
split="$tools/split"
rm -rf "$split"
"$venv/bin/python" ci/split-yaml-documents.py gitlab-ci-template.yml "$split"
"$venv/bin/check-jsonschema" --builtin-schema vendor.gitlab-ci "$split"/*.json

echo "== zizmor --offline (medium severity and above)"
"$venv/bin/zizmor" --offline --no-progress --color never --min-severity medium action.yml .github/workflows/

echo "== gitlab-ci-local: the template end to end"
ci/test-gitlab-template.sh
