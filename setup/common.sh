#!/usr/bin/env bash
# Shared by setup/run.sh and setup/test.sh: finds (or installs) Odoo 18.0, prepares the
# project's virtualenv, and makes sure a PostgreSQL server answers. Sourced, not executed.
set -euo pipefail

REPO_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV_DIR="${OSN_VENV:-$REPO_DIR/.venv}"
STATE_DIR="$REPO_DIR/.run"
ODOO_SERIES="18.0"
ODOO_GIT_URL="${ODOO_GIT_URL:-https://github.com/odoo/odoo.git}"
ODOO_INSTALL_DIR="${ODOO_INSTALL_DIR:-$REPO_DIR/.odoo}"
mkdir -p "$STATE_DIR"

say() { printf '\033[1m[order_status_notify]\033[0m %s\n' "$*" >&2; }
die() { printf '\033[1;31m[order_status_notify] ERROR:\033[0m %s\n' "$*" >&2; exit 1; }

# --- Python -------------------------------------------------------------------------------
find_python() {
    local candidate
    for candidate in "${PYTHON:-}" python3.12 python3.11 python3.10 python3; do
        [ -n "$candidate" ] || continue
        command -v "$candidate" >/dev/null 2>&1 || continue
        if "$candidate" -c 'import sys; sys.exit(0 if (3, 10) <= sys.version_info[:2] <= (3, 12) else 1)' 2>/dev/null; then
            command -v "$candidate"; return 0
        fi
    done
    die "Python 3.10, 3.11 or 3.12 is required (Odoo 18.0 supports no other). Install one (e.g. 'apt-get install python3.11 python3.11-venv python3.11-dev') or set PYTHON=/path/to/python3.11."
}

# --- Odoo ---------------------------------------------------------------------------------
odoo_series_of() {  # prints the series of the Odoo tree in $1
    "$SYSTEM_PYTHON" - "$1" <<'PY'
import re, sys
text = open(sys.argv[1] + '/odoo/release.py', encoding='utf-8').read()
match = re.search(r"version_info\s*=\s*\((\d+),\s*(\d+)", text)
print(f"{match.group(1)}.{match.group(2)}" if match else "unknown")
PY
}

check_odoo_tree() {  # $1 = folder, $2 = where it came from (for messages)
    [ -f "$1/odoo/release.py" ] && [ -f "$1/odoo-bin" ] || die "$2 ($1) is not an Odoo source tree (no odoo/release.py or odoo-bin)."
    local series; series=$(odoo_series_of "$1")
    [ "$series" = "$ODOO_SERIES" ] || die "$2 ($1) is Odoo $series; these addons need Odoo $ODOO_SERIES. Point ODOO_SRC at an Odoo $ODOO_SERIES tree."
}

find_odoo() {
    if [ -n "${ODOO_SRC:-}" ]; then
        [ -d "$ODOO_SRC" ] || die "ODOO_SRC=$ODOO_SRC does not exist. Set ODOO_SRC to an Odoo $ODOO_SERIES source folder (the one holding odoo-bin), or unset it to use /opt/odoo or an installed 'odoo' package."
        check_odoo_tree "$ODOO_SRC" "ODOO_SRC"; ODOO_DIR="$(cd "$ODOO_SRC" && pwd)"; return
    fi
    local pkg
    for py in "$VENV_DIR/bin/python" "$SYSTEM_PYTHON"; do
        [ -x "$py" ] || continue
        pkg=$("$py" -c 'import os, odoo; print(os.path.dirname(os.path.dirname(os.path.abspath(odoo.__file__))))' 2>/dev/null || true)
        if [ -n "$pkg" ] && [ -f "$pkg/odoo/release.py" ]; then
            check_odoo_tree "$pkg" "the importable 'odoo' package"; ODOO_DIR="$pkg"; return
        fi
    done
    if [ -d /opt/odoo ]; then
        check_odoo_tree /opt/odoo "/opt/odoo"; ODOO_DIR=/opt/odoo; return
    fi
    if [ -f "$ODOO_INSTALL_DIR/odoo/release.py" ]; then
        check_odoo_tree "$ODOO_INSTALL_DIR" "$ODOO_INSTALL_DIR"; ODOO_DIR="$ODOO_INSTALL_DIR"; return
    fi
    say "No Odoo $ODOO_SERIES found (ODOO_SRC unset, no importable 'odoo', no /opt/odoo): trying to download upstream Odoo $ODOO_SERIES…"
    if command -v git >/dev/null 2>&1 && timeout 20 git ls-remote --heads "$ODOO_GIT_URL" "$ODOO_SERIES" >/dev/null 2>&1; then
        git clone --depth 1 --branch "$ODOO_SERIES" "$ODOO_GIT_URL" "$ODOO_INSTALL_DIR.tmp" >&2 \
            && mv "$ODOO_INSTALL_DIR.tmp" "$ODOO_INSTALL_DIR" \
            || die "Downloading Odoo $ODOO_SERIES from $ODOO_GIT_URL failed."
        check_odoo_tree "$ODOO_INSTALL_DIR" "the downloaded Odoo"; ODOO_DIR="$ODOO_INSTALL_DIR"; return
    fi
    die "No Odoo $ODOO_SERIES found and $ODOO_GIT_URL cannot be reached. Either set ODOO_SRC=/path/to/odoo-$ODOO_SERIES (a folder holding odoo-bin), put Odoo $ODOO_SERIES in /opt/odoo (e.g. 'git clone -b $ODOO_SERIES --depth 1 $ODOO_GIT_URL /opt/odoo'), or install it as a Python package."
}

# --- Virtualenv ---------------------------------------------------------------------------
requirements_file() {  # Odoo's pins, adapted: cbor2 5.4.6 (5.4.2 has no wheel for 3.11), no python-ldap (optional, needs headers)
    sed -e 's/^cbor2==5\.4\.2\(.*\)/cbor2==5.4.6\1/' -e '/^python-ldap/d' "$ODOO_DIR/requirements.txt"
    cat "$REPO_DIR/setup/requirements.txt"
}

ensure_venv() {
    local stamp="$VENV_DIR/.osn-requirements.sha256" wanted
    wanted=$( { requirements_file; "$SYSTEM_PYTHON" --version; } | sha256sum | cut -d' ' -f1)
    if [ -x "$VENV_DIR/bin/python" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$wanted" ]; then
        return 0  # nothing changed: no pip at all
    fi
    say "Preparing the Python environment in $VENV_DIR (first run: a few minutes)…"
    [ -x "$VENV_DIR/bin/python" ] || "$SYSTEM_PYTHON" -m venv "$VENV_DIR" \
        || die "Could not create a virtualenv with $SYSTEM_PYTHON (on Debian/Ubuntu: apt-get install python3-venv)."
    requirements_file > "$STATE_DIR/requirements.txt"
    "$VENV_DIR/bin/pip" install --quiet --upgrade 'pip<25' 'setuptools<70' wheel >&2 \
        || die "pip could not install setuptools/wheel: is PyPI reachable?"
    "$VENV_DIR/bin/pip" install --quiet --no-build-isolation -r "$STATE_DIR/requirements.txt" >&2 \
        || die "Installing Odoo's requirements failed (see above). Building psycopg2 needs libpq-dev and python3-dev: apt-get install libpq-dev python3-dev build-essential."
    echo "$wanted" > "$stamp"
}

# --- PostgreSQL ---------------------------------------------------------------------------
PG_STARTED_HERE=""
pg_answers() { "$VENV_DIR/bin/python" - <<'PY' 2>/dev/null
import os, psycopg2
kwargs = {k: v for k, v in dict(host=os.environ.get('PGHOST'), port=os.environ.get('PGPORT'), user=os.environ.get('PGUSER'), password=os.environ.get('PGPASSWORD')).items() if v}
psycopg2.connect(dbname='postgres', connect_timeout=5, **kwargs).close()
PY
}

ensure_postgres() {
    if [ "${PGUSER:-$(id -un)}" = "postgres" ]; then
        die "Odoo refuses to connect as the 'postgres' superuser. Set PGUSER to another role (e.g. 'createuser -s $(id -un)' as postgres, then PGUSER=$(id -un))."
    fi
    if pg_answers; then return 0; fi
    say "No PostgreSQL answers (PGHOST=${PGHOST:-<socket>} PGUSER=${PGUSER:-$(id -un)}): starting a private cluster in $STATE_DIR/pgdata…"
    local bindir=""
    for dir in /usr/lib/postgresql/*/bin; do [ -x "$dir/initdb" ] && bindir="$dir"; done
    [ -n "$bindir" ] || command -v initdb >/dev/null 2>&1 && bindir="${bindir:-$(dirname "$(command -v initdb)")}"
    [ -n "$bindir" ] && [ -x "$bindir/initdb" ] || die "PostgreSQL is neither reachable nor installed. Install it (apt-get install postgresql) or point PGHOST/PGPORT/PGUSER/PGPASSWORD at a server."
    local pgdata="$STATE_DIR/pgdata" sock="$STATE_DIR/pgsock" port="${OSN_PG_PORT:-54329}" runas=()
    mkdir -p "$sock"
    if [ "$(id -u)" = 0 ]; then
        id osn_postgres >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin osn_postgres
        chown -R osn_postgres "$STATE_DIR" ; runas=(runuser -u osn_postgres --)
        chmod o+x "$REPO_DIR" "$STATE_DIR" 2>/dev/null || true
    fi
    if [ ! -f "$pgdata/PG_VERSION" ]; then
        "${runas[@]}" "$bindir/initdb" -D "$pgdata" -U odoo --auth=trust >/dev/null || die "initdb failed in $pgdata."
    fi
    "${runas[@]}" "$bindir/pg_ctl" -D "$pgdata" -o "-k $sock -p $port -c listen_addresses=''" -l "$STATE_DIR/postgres.log" -w start >/dev/null \
        || die "The private PostgreSQL did not start: see $STATE_DIR/postgres.log."
    PG_STARTED_HERE="$bindir/pg_ctl -D $pgdata"; PG_RUNAS="${runas[*]}"
    export PGHOST="$sock" PGPORT="$port" PGUSER=odoo
    pg_answers || die "The private PostgreSQL started but does not answer: see $STATE_DIR/postgres.log."
}

stop_postgres() {
    if [ -n "$PG_STARTED_HERE" ]; then
        say "Stopping the private PostgreSQL."
        ${PG_RUNAS:-} $PG_STARTED_HERE -m fast stop >/dev/null 2>&1 || true
        PG_STARTED_HERE=""
    fi
}

odoo_db_args() {  # connection flags for odoo-bin, from the PG* variables
    local args=()
    [ -n "${PGHOST:-}" ] && args+=("--db_host=$PGHOST")
    [ -n "${PGPORT:-}" ] && args+=("--db_port=$PGPORT")
    [ -n "${PGUSER:-}" ] && args+=("--db_user=$PGUSER")
    [ -n "${PGPASSWORD:-}" ] && args+=("--db_password=$PGPASSWORD")
    echo "${args[@]}"
}

# --- Chromium (Odoo's HttpCase tours) -----------------------------------------------------
ensure_chromium() {
    local browser
    for browser in chromium chromium-browser google-chrome google-chrome-stable; do
        command -v "$browser" >/dev/null 2>&1 && return 0
    done
    say "Chromium is missing (Odoo's browser tests need it): installing it from the system packages…"
    local sudo=()
    [ "$(id -u)" = 0 ] || { command -v sudo >/dev/null 2>&1 && sudo=(sudo -n); }
    if command -v apt-get >/dev/null 2>&1; then
        DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get update -qq >&2 \
            && DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq chromium >&2 && return 0
    fi
    die "Could not install Chromium. Install it yourself ('apt-get install chromium') so that 'chromium' is on PATH."
}

addon_names() {  # every addon of the repository
    local manifest
    for manifest in "$REPO_DIR"/*/__manifest__.py; do basename "$(dirname "$manifest")"; done | paste -sd, -
}

prepare() {
    SYSTEM_PYTHON=$(find_python)
    find_odoo
    ensure_venv
    ensure_postgres
    ADDONS_PATH="$ODOO_DIR/addons,$REPO_DIR"
    ODOO_BIN=("$VENV_DIR/bin/python" "$ODOO_DIR/odoo-bin")
    export PYTHONPATH="$ODOO_DIR${PYTHONPATH:+:$PYTHONPATH}"
    say "Odoo $ODOO_SERIES: $ODOO_DIR · Python: $VENV_DIR · addons: $(addon_names)"
}
