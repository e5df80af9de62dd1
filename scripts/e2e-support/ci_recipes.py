"""Validates drmock's CI recipes against the schemas check-jsonschema ships (run by scripts/e2e/27-ci-recipes).

    python ci_recipes.py CHECK_JSONSCHEMA ROOT

- the repository's own .github/workflows/*.yml (GitHub workflow schema) and
  .github/actions/*/action.yml (GitHub Actions schema);
- every ```yaml block of README.md and docs/*.md: its first line must be a `# <file>` comment naming
  what it is (.github/workflows/NAME.yml, .gitlab-ci.yml or action.yml), which picks the schema;
- and the check itself bites: a workflow without `on:` must be refused.
Prints one line per file and a last line "N passed, N failed"; exits 1 if anything failed.
"""
import glob
import os
import re
import subprocess
import sys
import tempfile

CHECK, ROOT = sys.argv[1], sys.argv[2]
SCHEMAS = [  # (pattern on the named file, check-jsonschema's builtin schema)
    (re.compile(r"(^|/)\.github/workflows/[^/]+\.ya?ml$"), "vendor.github-workflows"),
    (re.compile(r"(^|/)\.gitlab-ci\.ya?ml$"), "vendor.gitlab-ci"),
    (re.compile(r"(^|/)action\.ya?ml$"), "vendor.github-actions"),
]
passed = failed = 0


def report(name, ok, detail=""):
    global passed, failed
    if ok:
        passed += 1
        print(f"PASS {name}")
    else:
        failed += 1
        print(f"FAIL {name}: {detail}")


def schema_for(path):
    return next((schema for pattern, schema in SCHEMAS if pattern.search(path)), None)


def validate(path, schema):
    run = subprocess.run([CHECK, "--builtin-schema", schema, path], capture_output=True, text=True)
    return run.returncode == 0, (run.stdout + run.stderr).strip()


def doc_blocks(path):
    """(line number, text) of each ```yaml block of a Markdown file."""
    blocks, current, start = [], None, 0
    with open(path) as f:
        for number, line in enumerate(f, 1):
            if current is None and re.match(r"^```ya?ml\s*$", line):
                current, start = [], number
            elif current is not None and line.startswith("```"):
                blocks.append((start, "".join(current)))
                current = None
            elif current is not None:
                current.append(line)
    return blocks


os.chdir(ROOT)
files = sorted(glob.glob(".github/workflows/*.yml") + glob.glob(".github/workflows/*.yaml")
               + glob.glob(".github/actions/*/action.yml"))
report("the repository has workflows and an action", any("workflows" in f for f in files)
       and any(f.endswith("action.yml") for f in files), files)
for path in files:
    ok, detail = validate(path, schema_for(path))
    report(f"{path} ({schema_for(path)})", ok, detail)

with tempfile.TemporaryDirectory() as tmp:
    for doc in ["README.md"] + sorted(glob.glob("docs/*.md")):
        for line, text in doc_blocks(doc):
            name = f"{doc}:{line}"
            first = text.splitlines()[0] if text.strip() else ""
            named = re.match(r"^#\s*(\S+)", first)
            schema = schema_for(named.group(1)) if named else None
            if schema is None:
                report(name, False, f"a YAML block must start with '# <file>' naming a workflow, "
                       f".gitlab-ci.yml or action.yml; it starts with {first!r}")
                continue
            snippet = os.path.join(tmp, f"{passed + failed}-{os.path.basename(named.group(1))}")
            with open(snippet, "w") as f:
                f.write(text)
            ok, detail = validate(snippet, schema)
            report(f"{name} {named.group(1)} ({schema})", ok, detail)

    # The check must bite: the same kind of workflow without its `on:` key is refused.
    broken = os.path.join(tmp, "no-on.yml")
    with open(broken, "w") as f:
        f.write("jobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo\n")
    ok, detail = validate(broken, "vendor.github-workflows")
    report("a workflow without 'on:' is refused", not ok and "'on' is a required property" in detail, detail)

print(f"{passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
