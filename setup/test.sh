#!/usr/bin/env bash
# The test command. Runs every test of the repository on a real Odoo 18.0 + PostgreSQL:
#   1. creates a fresh throwaway database and installs all the repository's addons (no demo data);
#   2. runs each addon's tests/ and the top-level tests/ with pytest-odoo, Odoo's HTTP server
#      and browser tours included (--odoo-http), and prints pytest's summary;
#   3. drops the database. Exits non-zero on any failure, any skipped test, or when no test ran.
#
#   ./setup/test.sh                          everything
#   ./setup/test.sh -k smoke -x              extra arguments go to pytest
#   ./setup/test.sh order_status_notify/tests/test_order_notify_flow.py::TestX::test_y
#                                            paths given: only those are run
#   OSN_TEST_DB=osn_dev ./setup/test.sh …    reuse (install/update, then keep) that database: fast iterations
#   OSN_KEEP_DB=1 ./setup/test.sh            keep the throwaway database to look into it
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

DB="${OSN_TEST_DB:-osn_test_$$_$(date +%s)}"
DB_CREATED=""
cleanup() {
    local code=$?
    trap - INT TERM
    if [ -n "$DB_CREATED" ] && [ -z "${OSN_TEST_DB:-}" ]; then
        if [ -n "${OSN_KEEP_DB:-}" ]; then
            say "Kept the database $DB (OSN_KEEP_DB): run again on it with OSN_TEST_DB=$DB ./setup/test.sh"
        else
            pg_drop_db "$DB"
        fi
    fi
    stop_postgres
    exit "$code"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

prepare
ensure_chromium
ensure_wkhtmltopdf
"$VENV_DIR/bin/python" -c 'import websocket' 2>/dev/null \
    || die "websocket-client is missing from $VENV_DIR (Odoo's browser tours need it): remove $VENV_DIR/.osn-requirements.sha256 and run again."

install_test_db

# What to run: the paths given on the command line (made absolute: pytest runs from the
# repository), else every addon's tests/ and the top-level tests/.
ARGS=() PATHS_GIVEN=""
for arg in "$@"; do
    case "$arg" in
        -*) ;;
        */*|*.py|*::*)
            if [ -e "${arg%%::*}" ]; then
                arg="$(cd "$(dirname "${arg%%::*}")" && pwd)/$(basename "$arg")"
                PATHS_GIVEN=1
            fi ;;
    esac
    ARGS+=("$arg")
done
if [ -z "$PATHS_GIVEN" ]; then
    for dir in ${ADDONS//,/ }; do [ -d "$REPO_DIR/$dir/tests" ] && ARGS+=("$REPO_DIR/$dir/tests"); done
    [ -d "$REPO_DIR/tests" ] && ARGS+=("$REPO_DIR/tests")
fi

# Addon tests are imported as odoo.addons.<addon>.tests.<file> (pytest-odoo); the top-level
# tests/ folder has no __init__.py, so pytest puts it on sys.path (tests/conftest.py does too)
# and its files import the fakes as `fake_providers`. setup/ on PYTHONPATH for `-p osn_pytest`.
say "Running the tests on $DB…"
REPORT="$STATE_DIR/pytest-$DB.txt"   # kept when the run fails
set +e
(cd "$REPO_DIR" && PYTHONPATH="$REPO_DIR/setup:$PYTHONPATH" "$VENV_DIR/bin/pytest" \
    -p no:cacheprovider -p no:warnings -p osn_pytest -rfEs \
    --odoo-database="$DB" --odoo-addons-path="$ADDONS_PATH" --odoo-http --odoo-log-level=warn \
    "${ARGS[@]}" 2>&1) | tee "$REPORT"
status=${PIPESTATUS[0]}
set -e
case "$status" in
    0) rm -f "$REPORT"; say "All tests passed." ;;
    5) die "No test ran: that is a failure, not a success." ;;
    *) if grep -q '^=* skipped tests count as failures' "$REPORT"; then
           die "Some tests were skipped or failed (pytest exit code $status): a skipped test counts as a failure, see above."
       fi
       die "Tests failed (pytest exit code $status), see above (report: $REPORT)." ;;
esac
