# Sourced by scripts/verify-container and scripts/e2e/32-python-wheel: the Debian mirror apt already
# uses, and whether it can be reached, for `debootstrap --variant=minbase` roots.

# The mirror apt already uses (deb822 "URIs:" or one-line "deb URL bookworm"), not the security one;
# $DEBIAN_MIRROR wins.
debian_mirror() {
  local u
  u=$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources 2>/dev/null \
      | awk '/^URIs:/ { for (i = 2; i <= NF; i++) print $i } /^deb / { for (i = 2; i <= NF; i++) if ($i ~ /^https?:/) { print $i; break } }' \
      | grep -E '/debian/?$' | grep -v security | head -1 || true)
  u=${DEBIAN_MIRROR:-${u:-http://deb.debian.org/debian}}
  echo "${u%/}"
}

# debootstrap installed (apt-get if missing) and the mirror $1 reachable; else returns 1 with the reason on stdout.
debian_root_possible() {
  local mirror=$1 host port=80
  command -v debootstrap >/dev/null || {
    apt-get update -qq >/dev/null 2>&1 || true
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null 2>&1 \
      || { echo "debootstrap is not installed and apt-get could not install it"; return 1; }
  }
  host=${mirror#*://}; host=${host%%/*}
  [ "${mirror%%://*}" = "https" ] && port=443
  timeout 10 bash -c "exec 3<>/dev/tcp/$host/$port" 2>/dev/null \
    || { echo "cannot reach the Debian mirror $mirror (set DEBIAN_MIRROR to one that is reachable)"; return 1; }
}
