#!/usr/bin/env bash
# Shared by setup/run.sh and setup/test.sh (sourced, not executed). `prepare` finds (or
# downloads) Odoo 18.0, prepares the project's virtualenv and makes sure a PostgreSQL server
# answers (starting a private one when none does); `ensure_chromium` installs the browser
# Odoo's tours need, `ensure_wkhtmltopdf` the PDF printer of the reports. Every step is quick when nothing changed.
set -euo pipefail

REPO_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV_DIR="${OSN_VENV:-$REPO_DIR/.venv}"
STATE_DIR="$REPO_DIR/.run"                    # logs, pytest reports (git-ignored)
PG_DIR="${OSN_PG_DIR:-$REPO_DIR/.pgdata}"     # the private PostgreSQL cluster, if one is needed (git-ignored)
ODOO_SERIES="18.0"
ODOO_GIT_URL="${ODOO_GIT_URL:-https://github.com/odoo/odoo.git}"
ODOO_NIGHTLY_URL="${ODOO_NIGHTLY_URL:-https://nightly.odoo.com/$ODOO_SERIES/nightly/src/odoo_$ODOO_SERIES.latest.tar.gz}"
ODOO_INSTALL_DIR="${ODOO_INSTALL_DIR:-$REPO_DIR/.odoo}"   # where upstream Odoo is downloaded (git-ignored)
ONLINE_TIMEOUT="${OSN_ONLINE_TIMEOUT:-10}"                # seconds to decide that a host is unreachable
mkdir -p "$STATE_DIR"

if [ -t 2 ]; then _B=$'\033[1m' _R=$'\033[1;31m' _N=$'\033[0m'; else _B="" _R="" _N=""; fi
say() { printf '%s[order_status_notify]%s %s\n' "$_B" "$_N" "$*" >&2; }
die() { printf '%s[order_status_notify] ERROR:%s %s\n' "$_R" "$_N" "$*" >&2; exit 1; }

# --- Python -------------------------------------------------------------------------------
find_python() {  # prints a Python 3.10-3.12 (3.11 is the one CI uses), or nothing
    local candidate
    for candidate in "${PYTHON:-}" python3 python3.11 python3.12 python3.10; do
        [ -n "$candidate" ] && command -v "$candidate" >/dev/null 2>&1 || continue
        if "$candidate" -c 'import sys; sys.exit(0 if (3, 10) <= sys.version_info[:2] <= (3, 12) else 1)' 2>/dev/null; then
            command -v "$candidate"; return 0
        fi
        [ -z "${PYTHON:-}" ] || [ "$candidate" != "$PYTHON" ] \
            || die "PYTHON=$PYTHON is not Python 3.10, 3.11 or 3.12 (Odoo $ODOO_SERIES supports no other)."
    done
    return 0
}

# --- Odoo ---------------------------------------------------------------------------------
odoo_series_of() {  # the series ("18.0") of the Odoo tree in $1, read from odoo/release.py
    sed -n 's/^version_info *= *( *\([0-9][0-9]*\) *, *\([0-9][0-9]*\).*/\1.\2/p' "$1/odoo/release.py" | head -1
}

check_odoo_tree() {  # $1 = folder holding the `odoo` package, $2 = where it came from (for messages)
    [ -f "$1/odoo/release.py" ] \
        || die "$2 ($1) is not an Odoo source folder: it has no odoo/release.py. Point it at the folder holding odoo-bin."
    local series; series=$(odoo_series_of "$1")
    [ "$series" = "$ODOO_SERIES" ] \
        || die "$2 ($1) is Odoo ${series:-of an unknown series}; these addons need Odoo $ODOO_SERIES. Use an Odoo $ODOO_SERIES tree (e.g. ODOO_SRC=/path/to/odoo-$ODOO_SERIES)."
    [ -d "$1/addons/sale_stock" ] || [ -d "$1/odoo/addons/sale_stock" ] \
        || die "$2 ($1) is Odoo $ODOO_SERIES without its standard addons (no sale_stock): use a complete Odoo $ODOO_SERIES."
}

importable_odoo() {  # prints the folder holding an importable `odoo` package, if any
    local py dir
    for py in "$VENV_DIR/bin/python" ${SYSTEM_PYTHON:+"$SYSTEM_PYTHON"}; do
        [ -x "$py" ] || continue
        # find_spec only locates the package (importing odoo would run its imports); from / so
        # that the current folder does not count.
        dir=$(cd / && "$py" -c 'import importlib.util as u, os
s = u.find_spec("odoo")
print(os.path.dirname(os.path.dirname(s.origin)) if s and s.origin else "")' 2>/dev/null || true)
        if [ -n "$dir" ]; then echo "$dir"; return 0; fi
    done
    return 0
}

download_odoo() {  # upstream Odoo 18.0 into $ODOO_INSTALL_DIR, or a clear error when offline
    local tmp="$ODOO_INSTALL_DIR.partial"
    say "No Odoo $ODOO_SERIES found (ODOO_SRC unset, no importable 'odoo', no /opt/odoo): trying to download upstream Odoo $ODOO_SERIES into $ODOO_INSTALL_DIR…"
    rm -rf "$tmp"
    if command -v git >/dev/null 2>&1 \
        && GIT_TERMINAL_PROMPT=0 timeout "$ONLINE_TIMEOUT" git ls-remote --exit-code --heads "$ODOO_GIT_URL" "$ODOO_SERIES" >/dev/null 2>&1; then
        GIT_TERMINAL_PROMPT=0 git clone --quiet --depth 1 --branch "$ODOO_SERIES" "$ODOO_GIT_URL" "$tmp" >&2 \
            || die "Cloning Odoo $ODOO_SERIES from $ODOO_GIT_URL failed (see above)."
    elif command -v curl >/dev/null 2>&1 \
        && curl -fsSIL --max-time "$ONLINE_TIMEOUT" "$ODOO_NIGHTLY_URL" >/dev/null 2>&1; then
        mkdir -p "$tmp"
        curl -fsSL "$ODOO_NIGHTLY_URL" | tar -xz --strip-components=1 -C "$tmp" \
            || die "Downloading $ODOO_NIGHTLY_URL failed."
    else
        die "No Odoo $ODOO_SERIES found, and neither $ODOO_GIT_URL nor $ODOO_NIGHTLY_URL answered within ${ONLINE_TIMEOUT}s (offline?). Do one of:
  - ODOO_SRC=/path/to/odoo-$ODOO_SERIES $0      (a folder holding odoo-bin and odoo/release.py of Odoo $ODOO_SERIES)
  - git clone --depth 1 -b $ODOO_SERIES $ODOO_GIT_URL /opt/odoo      (then run $0 again)
  - make Odoo $ODOO_SERIES importable ('import odoo') from $VENV_DIR/bin/python or python3."
    fi
    mv "$tmp" "$ODOO_INSTALL_DIR"
}

find_odoo() {  # sets ODOO_DIR: $ODOO_SRC, else an importable odoo, else /opt/odoo, else a download
    if [ -n "${ODOO_SRC:-}" ]; then
        [ -d "$ODOO_SRC" ] \
            || die "ODOO_SRC=$ODOO_SRC: no such folder. Set ODOO_SRC to an Odoo $ODOO_SERIES source folder (the one holding odoo-bin), or unset ODOO_SRC to use an importable 'odoo' package or /opt/odoo."
        ODOO_DIR="$(cd "$ODOO_SRC" && pwd)"; check_odoo_tree "$ODOO_DIR" "ODOO_SRC"; return
    fi
    local found; found=$(importable_odoo)
    if [ -n "$found" ]; then ODOO_DIR="$found"; check_odoo_tree "$ODOO_DIR" "The importable 'odoo' package"; return; fi
    if [ -e /opt/odoo ]; then ODOO_DIR=/opt/odoo; check_odoo_tree "$ODOO_DIR" "/opt/odoo"; return; fi
    [ -f "$ODOO_INSTALL_DIR/odoo/release.py" ] || download_odoo
    ODOO_DIR="$ODOO_INSTALL_DIR"; check_odoo_tree "$ODOO_DIR" "The downloaded Odoo"
}

# --- Virtualenv ---------------------------------------------------------------------------
requirements_file() {
    # Odoo's own pins, adapted: cbor2 5.4.2 is an sdist that no longer builds (5.4.6 has
    # wheels); python-ldap (LDAP login only) needs the OpenLDAP headers and is left out.
    sed -e 's/^cbor2==5\.4\.2\b/cbor2==5.4.6/' -e '/^python-ldap\b/d' "$ODOO_DIR/requirements.txt"
    echo; cat "$REPO_DIR/setup/requirements.txt"
}

venv_python_version() { "$VENV_DIR/bin/python" -c 'import sys; print(sys.version.split()[0])' 2>/dev/null; }

ensure_venv() {
    local stamp="$VENV_DIR/.osn-requirements.sha256" version wanted
    version=$(venv_python_version || true)
    if [ -n "$version" ]; then
        wanted=$( { requirements_file; echo "python $version"; } | sha256sum | cut -d' ' -f1)
        [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$wanted" ] && return 0   # nothing changed: no pip at all
    else
        [ -n "$SYSTEM_PYTHON" ] \
            || die "Python 3.10, 3.11 or 3.12 is required (Odoo $ODOO_SERIES supports no other). Install one (Debian/Ubuntu: apt-get install python3 python3-venv python3-dev) or set PYTHON=/path/to/python3.11."
        if [ -e "$VENV_DIR" ]; then
            [ -f "$VENV_DIR/pyvenv.cfg" ] || die "$VENV_DIR exists but is not a virtualenv: move it away."
            say "The virtualenv $VENV_DIR no longer runs (its Python was removed?): recreating it."
            rm -rf "$VENV_DIR"
        fi
        say "Creating the virtualenv $VENV_DIR with $SYSTEM_PYTHON…"
        "$SYSTEM_PYTHON" -m venv "$VENV_DIR" \
            || die "Could not create a virtualenv with $SYSTEM_PYTHON (Debian/Ubuntu: apt-get install python3-venv)."
        version=$(venv_python_version)
        wanted=$( { requirements_file; echo "python $version"; } | sha256sum | cut -d' ' -f1)
    fi
    case "$version" in 3.10.*|3.11.*|3.12.*) ;; *)
        die "$VENV_DIR runs Python $version; Odoo $ODOO_SERIES needs 3.10-3.12. Remove $VENV_DIR and run again (PYTHON=/path/to/python3.11 to choose)." ;;
    esac
    say "Installing Odoo's and our Python requirements into $VENV_DIR (a few minutes for a new venv)…"
    requirements_file > "$STATE_DIR/requirements.txt"
    local pip=("$VENV_DIR/bin/python" -m pip --disable-pip-version-check --no-input --quiet)
    # setuptools < 70 and no build isolation: some of Odoo's pins are sdists that only build
    # with an older setuptools.
    "${pip[@]}" install --upgrade 'pip<25' 'setuptools<70' wheel >&2 \
        || die "pip could not install setuptools and wheel: is PyPI reachable (proxy: HTTPS_PROXY, mirror: PIP_INDEX_URL)?"
    "${pip[@]}" install --no-build-isolation -r "$STATE_DIR/requirements.txt" >&2 \
        || die "Installing the Python requirements ($STATE_DIR/requirements.txt) failed, see above. Building psycopg2 needs pg_config and the headers: apt-get install libpq-dev python3-dev build-essential."
    check_venv_gevent || die "The virtualenv $VENV_DIR cannot start Odoo's gevent process (see above)."
    echo "$wanted" > "$stamp"
}

check_venv_gevent() {
    # What Odoo's gevent process (--workers) does first: gevent's monkey patching resolves its
    # plugins' requirements through pkg_resources. A distribution it cannot find makes that
    # process crash at start, and Odoo restart it a few times a second.
    "$VENV_DIR/bin/python" -W ignore - <<'PY' >&2
import sys
try:
    import pkg_resources
    pkg_resources.require('gevent')
except Exception as error:  # noqa: BLE001
    print(f"gevent's requirements are not resolvable in this virtualenv: {type(error).__name__}: {error}")
    sys.exit(1)
PY
}

# --- PostgreSQL ---------------------------------------------------------------------------
# libpq reads PGHOST, PGPORT, PGUSER, PGPASSWORD (and PGSSLMODE…) by itself: psycopg2 here and
# Odoo below get the server from them; Odoo's --db_* flags are given only for clarity.
PG_STARTED_HERE=""
PG_RUNAS=()

pg_probe() {  # "ok", "down" (nothing answers) or the server's refusal
    "$VENV_DIR/bin/python" - <<'PY'
import psycopg2
try:
    conn = psycopg2.connect(dbname='postgres', connect_timeout=5)
except psycopg2.OperationalError as error:
    text = str(error).strip()
    print(text.replace('\n', ' ') if 'FATAL' in text else 'down')
else:
    version = conn.server_version
    conn.close()
    print('ok' if version >= 120000 else 'PostgreSQL %d.%d is too old: Odoo 18 needs 12 or newer' % (version // 10000, version % 10000))
PY
}

pg_bindir() {  # the folder holding initdb and pg_ctl, newest version first
    local dir
    for dir in $(ls -d /usr/lib/postgresql/*/bin /usr/pgsql-*/bin /opt/homebrew/opt/postgresql*/bin 2>/dev/null | sort -rV); do
        [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ] && { echo "$dir"; return 0; }
    done
    command -v initdb >/dev/null 2>&1 && command -v pg_ctl >/dev/null 2>&1 && dirname "$(command -v initdb)"
}

start_private_postgres() {
    local bindir sock="$PG_DIR/run" port="${OSN_PG_PORT:-54329}" state
    export PGHOST="$sock" PGPORT="$port" PGUSER=odoo
    unset PGPASSWORD
    state=$(pg_probe)
    if [ "$state" = ok ]; then say "Using the private PostgreSQL in $PG_DIR (already running)."; return 0; fi
    bindir=$(pg_bindir) || true
    [ -n "$bindir" ] || die "No PostgreSQL answers and none is installed. Install it (Debian/Ubuntu: apt-get install postgresql) or point PGHOST, PGPORT, PGUSER, PGPASSWORD at a server."
    [ "${#sock}" -le 90 ] || die "The private PostgreSQL's socket path would be too long ($sock): set OSN_PG_DIR to a shorter folder, e.g. OSN_PG_DIR=/tmp/osn_pg."
    mkdir -p "$PG_DIR" "$sock"
    if [ "$(id -u)" = 0 ]; then  # PostgreSQL refuses to run as root: a system user of our own
        id osn_postgres >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin osn_postgres \
            || die "Could not create the system user osn_postgres to run the private PostgreSQL."
        chown -R osn_postgres "$PG_DIR"
        PG_RUNAS=(runuser -u osn_postgres --)
        "${PG_RUNAS[@]}" test -w "$PG_DIR" \
            || die "The user osn_postgres cannot reach $PG_DIR (a parent folder is not world-searchable): set OSN_PG_DIR to a folder it can reach, e.g. OSN_PG_DIR=/tmp/osn_pg."
    fi
    say "No PostgreSQL answers: starting a private cluster in $PG_DIR (stopped on exit)…"
    if [ ! -f "$PG_DIR/data/PG_VERSION" ]; then
        ${PG_RUNAS[@]+"${PG_RUNAS[@]}"} "$bindir/initdb" -D "$PG_DIR/data" -U odoo --auth=trust -E UTF8 --locale=C >"$PG_DIR/initdb.log" 2>&1 \
            || die "initdb failed: see $PG_DIR/initdb.log."
    fi
    # Only a Unix socket (no TCP port); synchronous_commit=off: a crash may lose the last
    # transactions of this throwaway cluster, never corrupt it.
    ${PG_RUNAS[@]+"${PG_RUNAS[@]}"} "$bindir/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/postgres.log" -w -t 60 \
        -o "-k '$sock' -p $port -c listen_addresses='' -c synchronous_commit=off" start >/dev/null \
        || die "The private PostgreSQL did not start: see $PG_DIR/postgres.log."
    PG_STARTED_HERE="$bindir/pg_ctl"
    [ "$(pg_probe)" = ok ] || die "The private PostgreSQL started but does not answer: see $PG_DIR/postgres.log."
}

ensure_postgres() {
    [ "${PGUSER:-$(id -un)}" != postgres ] \
        || die "Odoo refuses to connect as the 'postgres' role. Use another role: set PGUSER (e.g. create one with: sudo -u postgres createuser -s $(id -un), then PGUSER=$(id -un))."
    local state; state=$(pg_probe)
    case "$state" in
        ok) ;;
        down) start_private_postgres ;;
        *) die "PostgreSQL (PGHOST=${PGHOST:-<local socket>} PGPORT=${PGPORT:-5432} PGUSER=${PGUSER:-$(id -un)}) refused us: $state
  Fix the PG* variables, or create the role: sudo -u postgres createuser --createdb ${PGUSER:-$(id -un)}" ;;
    esac
}

stop_postgres() {  # only the private cluster this run started
    if [ -n "$PG_STARTED_HERE" ]; then
        say "Stopping the private PostgreSQL."
        ${PG_RUNAS[@]+"${PG_RUNAS[@]}"} "$PG_STARTED_HERE" -D "$PG_DIR/data" -m fast -w stop >/dev/null 2>&1 || true
        PG_STARTED_HERE=""
    fi
}

pg_db_exists() { "$VENV_DIR/bin/python" -c 'import sys, psycopg2
c = psycopg2.connect(dbname="postgres"); cr = c.cursor()
cr.execute("SELECT 1 FROM pg_database WHERE datname = %s", (sys.argv[1],)); sys.exit(0 if cr.fetchone() else 1)' "$1"; }

pg_drop_db() {  # drops a database these scripts created, and its Odoo filestore
    "$VENV_DIR/bin/python" - "$1" <<'PY' || true
import os, shutil, sys, psycopg2
name = sys.argv[1]
conn = psycopg2.connect(dbname='postgres'); conn.autocommit = True; cr = conn.cursor()
cr.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()", (name,))
cr.execute('DROP DATABASE IF EXISTS "%s"' % name.replace('"', '""'))
data_dir = os.environ.get('OSN_ODOO_DATA_DIR') or os.path.join(os.path.expanduser('~'), '.local', 'share', 'Odoo')
shutil.rmtree(os.path.join(data_dir, 'filestore', name), ignore_errors=True)
PY
}

odoo_db_args() {  # connection flags for odoo-bin, from the PG* variables (password: from the environment only)
    [ -z "${PGHOST:-}" ] || printf '%s\n' "--db_host=$PGHOST"
    [ -z "${PGPORT:-}" ] || printf '%s\n' "--db_port=$PGPORT"
    [ -z "${PGUSER:-}" ] || printf '%s\n' "--db_user=$PGUSER"
}

# --- Chromium (Odoo's HttpCase tours look for chromium / google-chrome on PATH) --------------
ensure_chromium() {
    local browser
    for browser in google-chrome chromium chromium-browser google-chrome-stable; do
        command -v "$browser" >/dev/null 2>&1 && return 0
    done
    local hint="apt-get update && apt-get install -y chromium"
    [ "$(id -u)" = 0 ] || hint="sudo apt-get update && sudo apt-get install -y chromium"
    command -v apt-get >/dev/null 2>&1 \
        || die "Chromium is missing (Odoo's browser tests need 'chromium' or 'google-chrome' on PATH) and this system has no apt-get: install Chromium with your package manager."
    local sudo=()
    if [ "$(id -u)" != 0 ]; then
        command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null \
            || die "Chromium is missing (Odoo's browser tests need it). Install it, then run again:  $hint"
        sudo=(sudo -n)
    fi
    say "Chromium is missing (Odoo's browser tests need it): installing the 'chromium' package…"
    ${sudo[@]+"${sudo[@]}"} env DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2 \
        && ${sudo[@]+"${sudo[@]}"} env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >&2 \
        || die "Installing Chromium failed (see above). Install it yourself:  $hint"
    command -v chromium >/dev/null 2>&1 || die "The chromium package is installed but 'chromium' is not on PATH ($PATH)."
}

# --- wkhtmltopdf (Odoo prints PDF reports with it; without it the cost summary comes out as HTML) ---
ensure_wkhtmltopdf() {
    command -v wkhtmltopdf >/dev/null 2>&1 && return 0
    local hint="apt-get update && apt-get install -y wkhtmltopdf"
    [ "$(id -u)" = 0 ] || hint="sudo apt-get update && sudo apt-get install -y wkhtmltopdf"
    command -v apt-get >/dev/null 2>&1 \
        || die "wkhtmltopdf is missing (Odoo prints PDF reports with it) and this system has no apt-get: install wkhtmltopdf with your package manager."
    local sudo=()
    if [ "$(id -u)" != 0 ]; then
        command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null \
            || die "wkhtmltopdf is missing (Odoo prints PDF reports with it). Install it, then run again:  $hint"
        sudo=(sudo -n)
    fi
    say "wkhtmltopdf is missing (Odoo prints PDF reports with it): installing the 'wkhtmltopdf' package…"
    ${sudo[@]+"${sudo[@]}"} env DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2 \
        && ${sudo[@]+"${sudo[@]}"} env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends wkhtmltopdf >&2 \
        || die "Installing wkhtmltopdf failed (see above). Install it yourself:  $hint"
    command -v wkhtmltopdf >/dev/null 2>&1 || die "The wkhtmltopdf package is installed but 'wkhtmltopdf' is not on PATH ($PATH)."
}

# --- The repository's addons ------------------------------------------------------------------
addon_names() {  # every folder at the repository's root holding a __manifest__.py, comma-separated
    local manifest names=()
    for manifest in "$REPO_DIR"/*/__manifest__.py; do
        [ -f "$manifest" ] && names+=("$(basename "$(dirname "$manifest")")")
    done
    [ "${#names[@]}" -gt 0 ] || die "No addon (folder with a __manifest__.py) at the root of $REPO_DIR."
    (IFS=,; echo "${names[*]}")
}

install_test_db() {  # $DB with every addon and no demo data: created (sets DB_CREATED), or updated when OSN_TEST_DB names an existing one
    local install=(-d "$DB" --addons-path="$ADDONS_PATH" --stop-after-init --log-level=warn --http-port="${OSN_TEST_HTTP_PORT:-8169}" "${DB_ARGS[@]}")
    if [ -n "${OSN_TEST_DB:-}" ] && pg_db_exists "$DB"; then
        say "Updating $ADDONS in the database $DB (OSN_TEST_DB)…"
        "${ODOO_BIN[@]}" "${install[@]}" -i "$ADDONS" -u "$ADDONS" || die "Updating the addons in $DB failed (see the log above)."
    else
        pg_db_exists "$DB" && die "A database $DB already exists and this run did not create it: not touching it."
        say "Installing $ADDONS in the new database $DB (no demo data, about a minute)…"
        DB_CREATED=1
        "${ODOO_BIN[@]}" "${install[@]}" -i "$ADDONS" --without-demo=all || die "Installing the addons failed (see the log above)."
    fi
}

prepare() {
    SYSTEM_PYTHON=$(find_python)
    find_odoo
    ensure_venv
    ensure_postgres
    ADDONS=$(addon_names)
    ADDONS_PATH="$REPO_DIR"
    [ -d "$ODOO_DIR/addons" ] && ADDONS_PATH="$ODOO_DIR/addons,$ADDONS_PATH"   # a source tree; a packaged Odoo keeps them in odoo/addons
    if [ -f "$ODOO_DIR/odoo-bin" ]; then ODOO_BIN=("$VENV_DIR/bin/python" "$ODOO_DIR/odoo-bin"); else ODOO_BIN=("$VENV_DIR/bin/python" -m odoo); fi
    mapfile -t DB_ARGS < <(odoo_db_args)
    export PYTHONPATH="$ODOO_DIR${PYTHONPATH:+:$PYTHONPATH}"   # odoo is not pip-installed in the venv
    say "Odoo $ODOO_SERIES: $ODOO_DIR · venv: $VENV_DIR · PostgreSQL: ${PGHOST:-local socket}${PGPORT:+:$PGPORT} · addons: $ADDONS"
}
