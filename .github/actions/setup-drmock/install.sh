#!/usr/bin/env bash
# Step 1 of the setup-drmock action: installs drmock into a virtual environment under $RUNNER_TEMP
# (runner images refuse `pip install` into the system Python, PEP 668) and puts its bin/ on the
# job's PATH. DRMOCK_WHEEL: a wheel path or glob; else DRMOCK_VERSION from PyPI (empty: the newest).
set -euo pipefail
: "${RUNNER_TEMP:?}" "${GITHUB_PATH:?}"
venv="$RUNNER_TEMP/drmock-venv"
"${DRMOCK_PYTHON:-python3}" -m venv "$venv"
if [ -n "${DRMOCK_WHEEL:-}" ]; then
  # shellcheck disable=SC2206 # the glob is meant to expand
  wheels=( $DRMOCK_WHEEL )
  [ ${#wheels[@]} -eq 1 ] && [ -f "${wheels[0]}" ] || {
    echo "::error::setup-drmock: 'wheel: $DRMOCK_WHEEL' names ${#wheels[@]} files; it must name exactly one wheel" >&2
    exit 1
  }
  "$venv/bin/pip" install --quiet --no-index --no-deps "${wheels[0]}"
else
  "$venv/bin/pip" install --quiet "drmock${DRMOCK_VERSION:+==$DRMOCK_VERSION}"
fi
echo "$venv/bin" >> "$GITHUB_PATH"
"$venv/bin/drmock" --version
