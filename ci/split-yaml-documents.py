#!/usr/bin/env python3
"""Writes each YAML document of FILE as OUTDIR/<stem>.doc<N>.json.

check-jsonschema validates one document per file, and a GitLab CI/CD
component has two: the `spec:` header and the jobs. Both validate against
the gitlab-ci schema on their own. Uses ruamel.yaml, which check-jsonschema
installs.
"""
import json
import pathlib
import sys

from ruamel.yaml import YAML

src, out = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
out.mkdir(parents=True, exist_ok=True)
for i, doc in enumerate(YAML(typ="safe").load_all(src.read_text())):
    (out / f"{src.stem}.doc{i}.json").write_text(json.dumps(doc, indent=2))
