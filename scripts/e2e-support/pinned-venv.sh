# Sourced by e2e steps that run a Python client with pinned packages.
#   pinned_venv VENV REQUIREMENTS
# Installs python3 and python3-venv with apt-get if missing, then makes VENV from the pinned
# REQUIREMENTS file (--no-deps: the file lists every package) and keeps it while the file is unchanged
# (its sha256 is stamped inside VENV).
pinned_venv() {
  local venv=$1 requirements=$2 stamp want
  if ! command -v python3 >/dev/null || ! python3 -c 'import ensurepip, venv' 2>/dev/null; then
    echo "== installing python3 and python3-venv" >&2
    if [ "$(id -u)" -eq 0 ]; then set -- ; else set -- sudo; fi
    "$@" apt-get update -qq
    "$@" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3 python3-venv >/dev/null
  fi
  stamp="$venv/.drmock-requirements.sha256"
  want=$(sha256sum "$requirements" | cut -d' ' -f1)
  if [ ! -x "$venv/bin/python" ] || [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
    echo "== making $venv from $(basename "$requirements")" >&2
    rm -rf "$venv"
    python3 -m venv "$venv"
    "$venv/bin/python" -m pip install -q --disable-pip-version-check --no-deps -r "$requirements"
    echo "$want" > "$stamp"
  fi
}
