# Shared set-up for scripts/run and scripts/test: idempotent, quick when nothing changed.
# Sourced, not executed. Sets ROOT and VENV.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
VENV="$ROOT/.venv"
STAMPS="$ROOT/var/.stamps"
mkdir -p "$STAMPS"

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }
is_root() { [ "$(id -u)" = 0 ]; }

apt_install() {
  # Debian packages the project needs; installed only when missing and we are root.
  local missing=()
  for pkg in "$@"; do dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  is_root || die "missing Debian packages: ${missing[*]} (run as root, or: sudo apt-get install ${missing[*]})"
  say "Installing ${missing[*]} (apt)"
  if [ -z "$(find /var/lib/apt/lists -maxdepth 1 -name '*Packages*' -mmin -1440 2>/dev/null | head -1)" ]; then
    apt-get update -qq
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# A stamp records the hash of the files an install step came from, so the step re-runs
# only when they change: changed NAME FILE... / record NAME FILE...
digest() { cat "$@" | sha256sum | cut -d' ' -f1; }
changed() { [ "$(cat "$STAMPS/$1" 2>/dev/null)" != "$(digest "${@:2}")" ]; }
record() { digest "${@:2}" > "$STAMPS/$1"; }

setup_python() {
  command -v python3 >/dev/null || apt_install python3 python3-venv
  python3 -c 'import sys; sys.exit(sys.version_info < (3, 11))' || die "Python 3.11 or newer is needed"
  if [ ! -x "$VENV/bin/python" ]; then
    say "Creating the virtual environment (.venv)"
    python3 -m venv "$VENV" || { apt_install python3-venv && python3 -m venv "$VENV"; }
  fi
  # setup.py and the C files: the relay's compiled modules are built by this install too. They
  # need a C compiler and Python's headers; without them the relay runs its Python path.
  if is_root && ! python3 -c 'import os, sys, sysconfig
sys.exit(not os.path.exists(os.path.join(sysconfig.get_paths()["include"], "Python.h")))'; then
    apt_install python3-dev
  fi
  command -v cc >/dev/null || ! is_root || apt_install gcc
  local sources=("$ROOT/pyproject.toml" "$ROOT/setup.py" "$ROOT"/media/_*.c)

  if changed python "${sources[@]}"; then
    say "Installing Python packages"
    "$VENV/bin/pip" install -q --disable-pip-version-check --upgrade pip
    "$VENV/bin/pip" install -q --disable-pip-version-check -e "$ROOT[dev]"
    record python "${sources[@]}"
  fi

}

setup_client() {
  command -v npm >/dev/null || apt_install nodejs npm
  local web="$ROOT/client-web"
  if [ ! -d "$web/node_modules" ] || changed npm "$web/package-lock.json"; then
    say "Installing web client packages (npm ci)"
    (cd "$web" && npm ci --no-audit --no-fund --loglevel=error)
    record npm "$web/package-lock.json"
  fi
  say "Building the web client"
  (cd "$web" && npm run --silent build >/dev/null)
}

chromium_path() {
  command -v chromium || command -v chromium-browser || true
}

setup_office() {
  # LibreOffice (headless, no GUI) converts DOC/DOCX/XLS/XLSX/PPT/PPTX/ODT to PDF; DejaVu
  # covers Vietnamese for watermarks and generated documents.
  apt_install libreoffice-writer-nogui libreoffice-calc-nogui libreoffice-impress-nogui \
    fonts-dejavu-core fonts-dejavu-extra fonts-liberation2 poppler-utils qpdf

}

setup_browser() {

  [ -n "$(chromium_path)" ] || apt_install chromium
  [ -n "$(chromium_path)" ] || die "chromium is needed for the browser tests (apt-get install chromium)"
}

setup_deploy() {
  # tests/deploy start Debian's nginx and coturn on loopback ports (never their system services),
  # and back up PostgreSQL with pg_dump/pg_restore.
  command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || apt_install nginx
  command -v turnserver >/dev/null || apt_install coturn
  command -v pg_dump >/dev/null || apt_install postgresql-client
}
