#!/usr/bin/env bash
# Runs the product: a demo database with the addons and demo data, the sandbox (fake Zalo and
# SMS providers with a phone inbox page) when present, and Odoo on http://localhost:8069.
# Ctrl-C stops everything this script started.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

DB="${OSN_DB:-order_status_notify_demo}"
HTTP_PORT="${OSN_HTTP_PORT:-8069}"
SANDBOX_PORT="${SANDBOX_PORT:-8079}"
SANDBOX_PID=""
cleanup() {
    local code=$?
    [ -n "$SANDBOX_PID" ] && kill "$SANDBOX_PID" 2>/dev/null && wait "$SANDBOX_PID" 2>/dev/null
    stop_postgres
    exit $code
}
trap cleanup EXIT
trap 'exit 130' INT TERM

prepare
ADDONS=$(addon_names)
if "$VENV_DIR/bin/python" -c "import psycopg2; psycopg2.connect(dbname='$DB').close()" 2>/dev/null; then
    say "Updating $ADDONS in the demo database $DB…"
    "${ODOO_BIN[@]}" $(odoo_db_args) -d "$DB" --addons-path="$ADDONS_PATH" -u "$ADDONS" --stop-after-init \
        --log-level=warn --http-port="$HTTP_PORT" || die "Updating the demo database failed."
else
    say "Creating the demo database $DB with $ADDONS and demo data (about a minute)…"
    "${ODOO_BIN[@]}" $(odoo_db_args) -d "$DB" --addons-path="$ADDONS_PATH" -i "$ADDONS" --stop-after-init \
        --log-level=warn --http-port="$HTTP_PORT" || die "Creating the demo database failed."
fi

if [ -f "$REPO_DIR/tests/fake_providers/serve.py" ]; then
    "$VENV_DIR/bin/python" "$REPO_DIR/tests/fake_providers/serve.py" --host 127.0.0.1 --port "$SANDBOX_PORT" \
        > "$STATE_DIR/sandbox.log" 2>&1 &
    SANDBOX_PID=$!
    sleep 1
    kill -0 "$SANDBOX_PID" 2>/dev/null || die "The sandbox providers did not start: see $STATE_DIR/sandbox.log (is port $SANDBOX_PORT free? set SANDBOX_PORT)."
fi

cat >&2 <<MSG

  Odoo is starting on  http://localhost:$HTTP_PORT   (login: admin  password: admin, database: $DB)
$( [ -n "$SANDBOX_PID" ] && echo "  Sandbox phone inbox: http://127.0.0.1:$SANDBOX_PORT/inbox   (what each buyer's phone received)" )
  Confirm an order in Sales: the buyer's message appears on the order and in the inbox.
  Ctrl-C stops everything.

MSG
"${ODOO_BIN[@]}" $(odoo_db_args) -d "$DB" --db-filter="^$DB\$" --addons-path="$ADDONS_PATH" \
    --http-port="$HTTP_PORT" --max-cron-threads=1 --log-level=info
