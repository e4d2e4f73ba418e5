#!/usr/bin/env bash
# Install or upgrade eCabinet on a Debian 12 server. Idempotent: run it again after getting a
# new version of the source (git pull, or a new tarball) to upgrade; nothing is done twice.
#
#   sudo deploy/install.sh                         # this server
#   PREFIX=/tmp/ecabinet-root deploy/install.sh    # a self-contained trial under a directory:
#                                                  # its files and settings point there; no
#                                                  # system user, no systemctl
#
# It installs the Debian packages (python3-venv, nginx, coturn, LibreOffice, ...), creates the
# system user `ecabinet`, puts the app in /opt/ecabinet/app with its virtualenv in
# /opt/ecabinet/venv, builds the web client, writes /etc/ecabinet/ecabinet.env, the nginx site
# and /etc/turnserver.conf only if they are absent (a self-signed certificate too, until the
# real one is put in /etc/ecabinet/tls/), installs the systemd units and the `ecabinet`
# command, and enables everything. On an upgrade it backs up first, then restarts the service
# (which migrates the database). Without a running systemd it says what it skipped.
#
# Choices (environment): ECABINET_DOMAIN (default: hostname -f), ECABINET_MEDIA_IP (the address
# the communes reach; default: the first of hostname -I), ECABINET_INSTALL_APT=0 (no apt).
set -euo pipefail

SRC="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PREFIX="${PREFIX:-}"
PREFIX="${PREFIX%/}"
APP_HOME="$PREFIX/opt/ecabinet"
APP="$APP_HOME/app"
VENV="$APP_HOME/venv"
ETC="$PREFIX/etc/ecabinet"
DATA="$PREFIX/var/lib/ecabinet"
LOGS="$PREFIX/var/log/ecabinet"
BACKUPS="$PREFIX/var/backups/ecabinet"
UNITS="$PREFIX/etc/systemd/system"
NGINX="$PREFIX/etc/nginx"
TURN_CONF="$PREFIX/etc/turnserver.conf"
SBIN="$PREFIX/usr/local/sbin"
SERVICE_USER=ecabinet
MARK="# coturn for eCabinet"

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
note() { printf '    %s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }
is_root() { [ "$(id -u)" = 0 ]; }
system_wide() { [ -z "$PREFIX" ]; }
has_systemd() { system_wide && [ -d /run/systemd/system ]; }

DOMAIN="${ECABINET_DOMAIN:-$(hostname -f 2>/dev/null || hostname)}"
MEDIA_IP="${ECABINET_MEDIA_IP:-$(hostname -I 2>/dev/null | awk '{print $1}')}"
MEDIA_IP="${MEDIA_IP:-127.0.0.1}"

system_wide && ! is_root && die "run as root (sudo $0), or set PREFIX to try it in a scratch directory"

# ------------------------------------------------------------------------------------ packages
packages() {
  local missing=() pkg
  need() { command -v "$1" >/dev/null 2>&1 || [ -x "/usr/sbin/$1" ] || missing+=("$2"); }
  need python3 python3
  python3 -c 'import ensurepip, venv' 2>/dev/null || missing+=(python3-venv)
  need node nodejs
  need npm npm
  need nginx nginx
  need turnserver coturn
  need openssl openssl
  need pg_dump postgresql-client
  need pdftoppm poppler-utils
  need qpdf qpdf
  for pkg in libreoffice-writer-nogui libreoffice-calc-nogui libreoffice-impress-nogui fonts-dejavu-core; do
    dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "${ECABINET_INSTALL_APT:-1}" = 0 ] || ! is_root; then
    note "missing Debian packages: ${missing[*]} (not installing: not root, or ECABINET_INSTALL_APT=0)"
    return 0
  fi
  say "Installing Debian packages: ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# ------------------------------------------------------------------------------------ user, dirs
service_user() {
  if ! system_wide; then
    note "PREFIX set: not creating the system user '$SERVICE_USER'"
    return 0
  fi
  if ! id "$SERVICE_USER" >/dev/null 2>&1; then
    say "Creating the system user $SERVICE_USER"
    useradd --system --user-group --home-dir /var/lib/ecabinet --no-create-home \
      --shell /usr/sbin/nologin --comment "eCabinet service" "$SERVICE_USER"
  fi
}

own() {  # own MODE PATH...: the service's, when there is a service user
  local mode=$1; shift
  chmod "$mode" "$@"
  if system_wide; then chown "$SERVICE_USER:$SERVICE_USER" "$@"; fi
}

directories() {
  mkdir -p "$APP_HOME" "$ETC" "$DATA" "$LOGS" "$BACKUPS" "$UNITS" "$SBIN"
  own 0750 "$DATA" "$LOGS" "$BACKUPS"
  chmod 0755 "$ETC"
}

# ------------------------------------------------------------------------------------ the app
# What is shipped from the source tree (no virtualenv, data, build output or tests).
EXCLUDES=(--exclude=./.git --exclude=./.venv --exclude=./var --exclude=./test-artifacts --exclude=./build
  --exclude=./tests --exclude=node_modules --exclude=./client-web/dist --exclude=__pycache__
  --exclude='*.egg-info' --exclude=.ruff_cache --exclude=.mypy_cache --exclude=.pytest_cache)

source_tar() {
  tar -C "$SRC" -cf - --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner \
    "${EXCLUDES[@]}" .
}

UPGRADED=0
app() {
  local id
  id="$(source_tar | sha256sum | cut -c1-16)"
  if [ "$(cat "$APP/.source-id" 2>/dev/null)" = "$id" ] && [ -f "$APP/client-web/dist/index.html" ]; then
    note "the app in $APP is this source already ($id)"
    return 0
  fi
  [ -d "$APP" ] && UPGRADED=1
  say "Installing the app into $APP ($id)"
  rm -rf "$APP.new"
  mkdir -p "$APP.new"
  source_tar | tar -C "$APP.new" -xf -
  build_client "$APP.new/client-web"
  echo "$id" > "$APP.new/.source-id"
  rm -rf "$APP.old"
  [ -d "$APP" ] && mv "$APP" "$APP.old"
  mv "$APP.new" "$APP"
  rm -rf "$APP.old"
}

node_ok() {
  command -v node >/dev/null && node -e '
    const [a, b] = process.versions.node.split(".").map(Number);
    process.exit(a > 20 || (a === 20 && b >= 19) ? 0 : 1)'
}

build_client() {
  local web=$1
  if [ -f "$SRC/client-web/dist/index.html" ] && [ "${ECABINET_BUILD_CLIENT:-auto}" != 1 ] && ! node_ok; then
    note "Node.js 20.19+ is missing: using the client already built in $SRC/client-web/dist"
    cp -a "$SRC/client-web/dist" "$web/dist"
    return 0
  fi
  node_ok || die "the web client needs Node.js 20.19 or newer to build (README: Install on a server)"
  say "Building the web client"
  (cd "$web" && npm ci --prefer-offline --no-audit --no-fund --loglevel=error >/dev/null &&
    npm run --silent build >/dev/null)
  rm -rf "$web/node_modules"
}

VENV_JOB=""
start_venv() {  # a new virtualenv takes a while: made in the background while the client builds
  [ -x "$VENV/bin/python" ] && return 0
  "${PYTHON:-python3}" -m venv "$VENV" >"$APP_HOME/venv.log" 2>&1 &
  VENV_JOB=$!
}

wait_venv() {
  if [ -n "$VENV_JOB" ]; then
    wait "$VENV_JOB" || { cat "$APP_HOME/venv.log" >&2; die "could not create $VENV"; }
    VENV_JOB=""
  fi
  [ -x "$VENV/bin/python" ] || "${PYTHON:-python3}" -m venv "$VENV"
}

venv() {
  local stamp="$VENV/.ecabinet-requirements" want
  want="$(sha256sum "$APP/pyproject.toml" | cut -c1-16)"
  if [ -x "$VENV/bin/python" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$want" ]; then
    note "the virtualenv $VENV is up to date"
    return 0
  fi
  say "Installing the Python packages into $VENV"
  wait_venv
  "$VENV/bin/pip" install --disable-pip-version-check --no-compile -e "$APP" >"$APP_HOME/pip.log" 2>&1 ||
    { tail -n 30 "$APP_HOME/pip.log" >&2; die "pip failed (whole log: $APP_HOME/pip.log)"; }
  echo "$want" > "$stamp"
}

# ------------------------------------------------------------------------------------ config
fill() {  # fill TEMPLATE: the template with this server's values and paths (PREFIX included)
  sed -e "s|@DOMAIN@|$DOMAIN|g" -e "s|@MEDIA_IP@|$MEDIA_IP|g" -e "s|@LISTEN_IP@|$MEDIA_IP|g" \
    -e "s|@REALM@|$DOMAIN|g" -e "s|@TURN_SECRET@|${TURN_SECRET:-}|g" -e "s|@USER@|$SERVICE_USER|g" \
    -e "s|@ETC@|/etc/ecabinet|g" -e "s|@APP_HOME@|/opt/ecabinet|g" \
    -e "s|/opt/ecabinet|$APP_HOME|g" -e "s|/etc/ecabinet|$ETC|g" -e "s|/var/lib/ecabinet|$DATA|g" \
    -e "s|/var/log/ecabinet|$LOGS|g" -e "s|/var/backups/ecabinet|$BACKUPS|g" "$1"
}

config() {
  if [ -f "$ETC/ecabinet.env" ]; then
    note "keeping $ETC/ecabinet.env"
    TURN_SECRET="$(sed -n 's/^ECABINET_TURN_SECRET=//p' "$ETC/ecabinet.env" | tail -1)"
  else
    say "Writing $ETC/ecabinet.env (domain $DOMAIN, media address $MEDIA_IP)"
    TURN_SECRET="$(openssl rand -hex 32)"
    fill "$SRC/deploy/ecabinet.env" > "$ETC/ecabinet.env.tmp"
    mv "$ETC/ecabinet.env.tmp" "$ETC/ecabinet.env"
  fi
  chmod 0640 "$ETC/ecabinet.env"
  system_wide && chgrp "$SERVICE_USER" "$ETC/ecabinet.env"
  tls
  return 0
}

tls() {
  local dir="$ETC/tls"
  mkdir -p "$dir"
  if [ -f "$dir/fullchain.pem" ] && [ -f "$dir/privkey.pem" ]; then
    note "keeping the certificate in $dir"
    return 0
  fi
  say "Making a self-signed certificate for $DOMAIN in $dir (replace it with the real one)"
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 825 \
    -subj "/CN=$DOMAIN" -addext "subjectAltName=DNS:$DOMAIN,IP:$MEDIA_IP" \
    -keyout "$dir/privkey.pem" -out "$dir/fullchain.pem" 2>/dev/null
  chmod 0640 "$dir/privkey.pem"
  # coturn (user turnserver) reads it for turns:
  system_wide && getent group turnserver >/dev/null && chgrp turnserver "$dir/privkey.pem"
  return 0
}

install_once() {  # install_once GENERATED TARGET: write TARGET only if absent, else leave a .new
  local generated=$1 target=$2
  mkdir -p "$(dirname "$target")"
  if [ ! -f "$target" ]; then
    mv "$generated" "$target"
    say "Wrote $target"
  elif cmp -s "$generated" "$target"; then
    rm -f "$generated"
  else
    mv "$generated" "$target.ecabinet-new"
    note "kept your $target; this version's is beside it: $target.ecabinet-new"
  fi
}

nginx_site() {
  fill "$SRC/deploy/nginx/ecabinet.conf" > "$APP_HOME/nginx.conf.tmp"
  install_once "$APP_HOME/nginx.conf.tmp" "$NGINX/sites-available/ecabinet"
  mkdir -p "$NGINX/sites-enabled"
  ln -sfn ../sites-available/ecabinet "$NGINX/sites-enabled/ecabinet"
}

coturn_conf() {
  if [ -f "$TURN_CONF" ] && grep -qF "$MARK" "$TURN_CONF"; then
    fill "$SRC/deploy/coturn/turnserver.conf" > "$APP_HOME/turnserver.conf.tmp"
    install_once "$APP_HOME/turnserver.conf.tmp" "$TURN_CONF"
    return 0
  fi
  if [ -f "$TURN_CONF" ]; then
    mv "$TURN_CONF" "$TURN_CONF.debian"  # Debian's example, all comments
    note "Debian's $TURN_CONF is now $TURN_CONF.debian"
  fi
  mkdir -p "$(dirname "$TURN_CONF")"
  fill "$SRC/deploy/coturn/turnserver.conf" > "$TURN_CONF"
  chmod 0640 "$TURN_CONF"
  system_wide && getent group turnserver >/dev/null && chgrp turnserver "$TURN_CONF"
  say "Wrote $TURN_CONF"
}

units() {
  local changed=0 unit
  for unit in ecabinet.service ecabinet-backup.service ecabinet-backup.timer; do
    fill "$SRC/deploy/systemd/$unit" > "$UNITS/$unit.tmp"
    if cmp -s "$UNITS/$unit.tmp" "$UNITS/$unit"; then
      rm -f "$UNITS/$unit.tmp"
    else
      chmod 0644 "$UNITS/$unit.tmp"
      mv "$UNITS/$unit.tmp" "$UNITS/$unit"
      changed=1
    fi
  done
  fill "$SRC/deploy/ecabinet" > "$SBIN/ecabinet.tmp"
  chmod 0755 "$SBIN/ecabinet.tmp"
  mv "$SBIN/ecabinet.tmp" "$SBIN/ecabinet"
  [ $changed = 1 ] && say "Installed the systemd units in $UNITS"
  return 0
}

# ------------------------------------------------------------------------------------ services
backup_before_upgrade() {
  [ $UPGRADED = 1 ] && system_wide || return 0
  say "Backing up before the upgrade"
  "$SBIN/ecabinet" backup --dir "$BACKUPS" || note "the backup failed: see above (continuing)"
}

services() {
  if ! has_systemd; then
    note "systemd is not running here (or PREFIX is set): skipped systemctl. On the server:"
    note "  systemctl daemon-reload && systemctl enable --now ecabinet ecabinet-backup.timer coturn"
    note "  nginx -t && systemctl reload nginx"
    return 0
  fi
  systemctl daemon-reload
  systemctl enable --quiet ecabinet.service ecabinet-backup.timer coturn.service nginx.service
  if [ $UPGRADED = 1 ]; then
    systemctl restart ecabinet.service  # migrates the database on start
  else
    systemctl start ecabinet.service
  fi
  systemctl start ecabinet-backup.timer
  systemctl restart coturn.service
  nginx -t -q && systemctl reload-or-restart nginx.service
  say "Running: systemctl status ecabinet; logs: journalctl -u ecabinet -f"
}

packages
service_user
directories
start_venv
app
venv
config
nginx_site
coturn_conf
units
backup_before_upgrade
services
say "eCabinet is installed in $APP_HOME (data $DATA, settings $ETC/ecabinet.env)"
