#!/usr/bin/env bash
# Runs every test of the repository on a real Odoo 18.0 + PostgreSQL:
#   1. a fresh throwaway database with all the repository's addons installed (no demo data);
#   2. pytest-odoo over each addon's tests/ and the top-level tests/, HttpCase tours included;
#   3. drops the database. Exits non-zero on any failure, on any skipped test, on no test.
# Extra arguments go to pytest (e.g. ./setup/test.sh -k phone). OSN_TEST_DB=name reuses
# (and keeps) that database instead of a throwaway one, for quick iterations.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

DB="${OSN_TEST_DB:-osn_test_$$_$(date +%s)}"
cleanup() {
    local code=$?
    if [ -z "${OSN_TEST_DB:-}" ] && [ -n "${DB_CREATED:-}" ]; then
        "$VENV_DIR/bin/python" - "$DB" <<'PY' >/dev/null 2>&1 || true
import os, sys, psycopg2
kw = {k: v for k, v in dict(host=os.environ.get('PGHOST'), port=os.environ.get('PGPORT'), user=os.environ.get('PGUSER'), password=os.environ.get('PGPASSWORD')).items() if v}
conn = psycopg2.connect(dbname='postgres', **kw); conn.autocommit = True
conn.cursor().execute('DROP DATABASE IF EXISTS "%s" WITH (FORCE)' % sys.argv[1])
PY
        "$VENV_DIR/bin/python" -c "import shutil, os; shutil.rmtree(os.path.expanduser('~/.local/share/Odoo/filestore/$DB'), ignore_errors=True)"
    fi
    stop_postgres
    exit $code
}
trap cleanup EXIT
trap 'exit 130' INT TERM

prepare
ensure_chromium
"$VENV_DIR/bin/python" -c 'import websocket' 2>/dev/null || die "websocket-client is missing from $VENV_DIR (needed by Odoo's browser tests)."

ADDONS=$(addon_names)
if [ -z "${OSN_TEST_DB:-}" ] || ! "$VENV_DIR/bin/python" -c "import psycopg2, os, sys; psycopg2.connect(dbname='$DB').close()" 2>/dev/null; then
    say "Installing $ADDONS in the throwaway database $DB (no demo data)…"
    DB_CREATED=1
    "${ODOO_BIN[@]}" $(odoo_db_args) -d "$DB" --addons-path="$ADDONS_PATH" -i "$ADDONS" \
        --without-demo=all --stop-after-init --log-level=warn --http-port="${OSN_TEST_HTTP_PORT:-8169}" \
        || die "Installing the addons failed (see the log above)."
else
    say "Updating $ADDONS in $DB…"
    "${ODOO_BIN[@]}" $(odoo_db_args) -d "$DB" --addons-path="$ADDONS_PATH" -u "$ADDONS" \
        --stop-after-init --log-level=warn --http-port="${OSN_TEST_HTTP_PORT:-8169}" || die "Updating the addons failed."
fi

TEST_PATHS=()
for addon in ${ADDONS//,/ }; do [ -d "$REPO_DIR/$addon/tests" ] && TEST_PATHS+=("$REPO_DIR/$addon/tests"); done
[ -d "$REPO_DIR/tests" ] && TEST_PATHS+=("$REPO_DIR/tests")

say "Running the tests…"
REPORT="$STATE_DIR/pytest-$DB.txt"
set +e
(cd "$REPO_DIR" && "$VENV_DIR/bin/pytest" -p no:cacheprovider -p no:warnings -rfEs \
    --odoo-database="$DB" --odoo-addons-path="$ADDONS_PATH" --odoo-http --odoo-log-level=warn \
    "${TEST_PATHS[@]}" "$@" 2>&1) | tee "$REPORT"
status=${PIPESTATUS[0]}
set -e
summary=$(grep -E '^=+ .*(passed|failed|error|skipped|no tests ran).* in [0-9.]+s' "$REPORT" | tail -1)
if [ "$status" = 5 ] || [ -z "$summary" ] || ! grep -q 'passed' <<<"$summary"; then
    die "No test ran: that is a failure, not a success."
fi
if grep -qE '[0-9]+ skipped' <<<"$summary"; then
    die "Some tests were skipped (a browser tour without Chromium, a missing module…): a skipped test proves nothing. See the 'SKIPPED' lines above."
fi
[ "$status" = 0 ] || die "Tests failed (pytest exit code $status)."
say "All tests passed."
