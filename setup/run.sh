#!/usr/bin/env bash
# The run command: the product on http://localhost:8069.
#   1. creates the demo database (all the repository's addons, with demo data), or upgrades it
#      when the addons changed since the last run;
#   2. starts the sandbox (fake Zalo and SMS gateways with a phone inbox page), when present;
#   3. starts Odoo, waits until its login page answers, prints the URL and the login.
# Ctrl-C (or SIGTERM) stops everything this script started: Odoo, the sandbox, and the private
# PostgreSQL if it had to start one.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

DB="${OSN_DB:-order_status_notify_demo}"
HTTP_PORT="${OSN_HTTP_PORT:-8069}"
HTTP_INTERFACE="${OSN_HTTP_INTERFACE:-127.0.0.1}"
SANDBOX_PORT="${SANDBOX_PORT:-8079}"
SANDBOX="$REPO_DIR/tests/fake_providers/serve.py"
ODOO_PID="" SANDBOX_PID=""

alive() {  # $1 = pid of a child: running (not exited, not a zombie waiting to be reaped)
    kill -0 "$1" 2>/dev/null || return 1
    [ -r "/proc/$1/stat" ] || return 0
    local stat; stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
    stat="${stat##*) }"; [ "${stat%% *}" != Z ]
}
stop_pid() {  # $1 = pid, $2 = seconds to let it stop by itself first: then SIGTERM, and SIGKILL after 20 s
    local pid="$1" i
    for i in $(seq 1 $(( ${2:-0} * 2 ))); do alive "$pid" || break; sleep 0.5; done
    alive "$pid" && kill -TERM "$pid" 2>/dev/null
    for i in $(seq 1 40); do alive "$pid" || break; sleep 0.5; done
    kill -KILL "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    return 0
}
SIGNAL=""
cleanup() {
    local code=$?
    # Stop what we started whatever happens: no exit on error here, and no death by SIGPIPE
    # when our output went to a pipe that Ctrl-C closed (./setup/run.sh | tee log).
    set +e; trap '' INT TERM PIPE
    # On Ctrl-C, Odoo (same process group) got the SIGINT too and stops gracefully by itself:
    # a second signal would force its shutdown, so give it a few seconds first.
    [ -z "$ODOO_PID" ] || stop_pid "$ODOO_PID" "$([ "$SIGNAL" = INT ] && echo 10 || echo 0)"
    [ -z "$SANDBOX_PID" ] || stop_pid "$SANDBOX_PID"
    [ -z "$ODOO_PID$SANDBOX_PID" ] || say "Stopped everything this command started."
    stop_postgres
    exit "$code"
}
trap cleanup EXIT
trap 'SIGNAL=INT; exit 130' INT
trap 'SIGNAL=TERM; exit 143' TERM

port_free() {  # $1 = host, $2 = port
    "$VENV_DIR/bin/python" -c 'import socket, sys
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
try: s.bind((sys.argv[1], int(sys.argv[2])))
except OSError: sys.exit(1)' "$1" "$2"
}

wait_http() {  # $1 = url, $2 = pid serving it, $3 = seconds: until it answers 200
    local deadline=$((SECONDS + $3))
    while [ "$SECONDS" -lt "$deadline" ]; do
        alive "$2" || return 1
        "$VENV_DIR/bin/python" -c 'import sys, urllib.request
sys.exit(0 if urllib.request.urlopen(sys.argv[1], timeout=5).status == 200 else 1)' "$1" 2>/dev/null && return 0
        sleep 1
    done
    return 1
}

prepare
ensure_wkhtmltopdf
port_free "$HTTP_INTERFACE" "$HTTP_PORT" \
    || die "Port $HTTP_PORT is busy (another Odoo?): stop it, or choose another port: OSN_HTTP_PORT=8070 $0"
[ ! -f "$SANDBOX" ] || port_free 127.0.0.1 "$SANDBOX_PORT" \
    || die "Port $SANDBOX_PORT (sandbox) is busy: stop what uses it, or choose another port: SANDBOX_PORT=8080 $0"

# The demo database: created once, upgraded only when the addons' files changed since the last run.
ODOO_ARGS=(-d "$DB" --addons-path="$ADDONS_PATH" --http-interface="$HTTP_INTERFACE" --http-port="$HTTP_PORT" "${DB_ARGS[@]}")
STAMP="$STATE_DIR/demo-$DB-$(printf %s "${PGHOST:-}:${PGPORT:-}:${PGUSER:-}" | sha256sum | cut -c1-8).sha256"   # per database and server
addons_hash() {
    (cd "$REPO_DIR" && find ${ADDONS//,/ } -type f ! -name '*.pyc' ! -path '*/__pycache__/*' -print0 \
        | LC_ALL=C sort -z | xargs -0 sha256sum; echo "$ODOO_DIR") | sha256sum | cut -d' ' -f1
}
demo_db_state() {  # "ours" when $DB is an Odoo database with our core addon installed
    "$VENV_DIR/bin/python" -c 'import sys, psycopg2
try:
    conn = psycopg2.connect(dbname=sys.argv[1]); cr = conn.cursor()
    cr.execute("SELECT state FROM ir_module_module WHERE name = %s", ("order_status_notify",))
    row = cr.fetchone()
except psycopg2.Error:
    row = None
print("ours" if row and row[0] == "installed" else "foreign")' "$DB"
}
WANTED=$(addons_hash)
if pg_db_exists "$DB"; then
    [ "$(demo_db_state)" = ours ] \
        || die "A database $DB exists but is not an Odoo database with order_status_notify installed: not touching it. Choose another name: OSN_DB=my_demo $0"
    if [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$WANTED" ]; then
        say "The demo database $DB is up to date."
    else
        say "Upgrading $ADDONS in the demo database $DB…"
        rm -f "$STAMP"
        "${ODOO_BIN[@]}" "${ODOO_ARGS[@]}" -i "$ADDONS" -u "$ADDONS" --stop-after-init --log-level=warn \
            || die "Upgrading the demo database $DB failed (see above). To start afresh: OSN_DB=another_name $0"
        echo "$WANTED" > "$STAMP"
    fi
else
    say "Creating the demo database $DB with $ADDONS and demo data (about a minute)…"
    rm -f "$STAMP"
    # The shop is in Vietnam: company, currency (VND) and time zone set as Odoo's database manager
    # sets them, before the accounting demo entries make the currency final.
    PYTHONPATH="$ODOO_DIR${PYTHONPATH:+:$PYTHONPATH}" "$VENV_DIR/bin/python" "$REPO_DIR/setup/init_demo_db.py" \
        -d "$DB" --addons-path="$ADDONS_PATH" "${DB_ARGS[@]}" --log-level=warn \
        || { pg_drop_db "$DB"; die "Creating the demo database $DB failed (see above); the half-made database was dropped."; }
    "${ODOO_BIN[@]}" "${ODOO_ARGS[@]}" -i "$ADDONS" --stop-after-init --log-level=warn \
        || { pg_drop_db "$DB"; die "Creating the demo database $DB failed (see above); the half-made database was dropped."; }
    echo "$WANTED" > "$STAMP"
fi

if [ -f "$SANDBOX" ]; then
    "$VENV_DIR/bin/python" "$SANDBOX" --host 127.0.0.1 --port "$SANDBOX_PORT" \
        --inbox-file "$STATE_DIR/sandbox-inbox.json" > "$STATE_DIR/sandbox.log" 2>&1 &
    SANDBOX_PID=$!
    wait_http "http://127.0.0.1:$SANDBOX_PORT/inbox" "$SANDBOX_PID" 15 \
        || die "The sandbox did not start: see $STATE_DIR/sandbox.log."
fi

say "Starting Odoo (log: $STATE_DIR/odoo-$DB.log)…"
"${ODOO_BIN[@]}" "${ODOO_ARGS[@]}" --db-filter="^$DB\$" --no-database-list --max-cron-threads=1 \
    --log-level=info --logfile="$STATE_DIR/odoo-$DB.log" &
ODOO_PID=$!
wait_http "http://$HTTP_INTERFACE:$HTTP_PORT/web/login" "$ODOO_PID" 120 \
    || die "Odoo did not answer on port $HTTP_PORT within 2 minutes: see $STATE_DIR/odoo-$DB.log."

HOST="$HTTP_INTERFACE"; case "$HOST" in 127.0.0.1|0.0.0.0|"") HOST=localhost ;; esac
{
    echo
    echo "  Odoo:                http://$HOST:$HTTP_PORT   login: admin   password: admin   (database $DB)"
    [ -z "$SANDBOX_PID" ] || echo "  Sandbox phone inbox: http://127.0.0.1:$SANDBOX_PORT/inbox   (what each buyer's phone received)"
    echo "  Confirm a sale order: the buyer's message appears on the order (Notifications) and in the inbox."
    echo "  Odoo's log: $STATE_DIR/odoo-$DB.log      Ctrl-C stops everything."
    echo
} >&2
ODOO_STATUS=0
wait "$ODOO_PID" || ODOO_STATUS=$?
ODOO_PID=""
# Ctrl-C reaches Odoo too (same process group), which stops gracefully and exits 0 (130/143 when
# killed by the signal); this shell may not run its INT trap (bash does not when the child
# handled the signal, nor when it was started with SIGINT ignored): that is a requested stop.
case "$ODOO_STATUS" in 0|130|143) say "Odoo stopped."; exit 0 ;; esac
die "Odoo stopped on its own (exit code $ODOO_STATUS): see $STATE_DIR/odoo-$DB.log."
