#!/usr/bin/env bash
# The reliability suite: real odoo-bin processes with workers against the fake providers.
#   1. creates a throwaway database and installs the repository's addons (no demo data);
#   2. runs tests/reliability/run.py: odoo-bin --workers=2 --max-cron-threads=1 and the fake
#      Zalo ZNS / eSMS servers, then three scenarios (injected faults, kill -9 of the cron worker
#      mid-batch, validations racing the dispatcher), printing what it measured;
#   3. drops the database. Exits non-zero when a figure breaks its promise.
#
#   ./setup/reliability.sh                        the full figures (300 messages under faults…, ~10 min)
#   OSN_RELIABILITY_SIZE=quick ./setup/reliability.sh   the small variant that ./setup/test.sh also runs
#   OSN_RELIABILITY_SCENARIOS=faults,race ./setup/reliability.sh   some scenarios only
#   OSN_TEST_DB=osn_dev ./setup/reliability.sh    reuse (install/update, then keep) that database
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

DB="${OSN_TEST_DB:-osn_reliability_$$_$(date +%s)}"
DB_CREATED=""
cleanup() {
    local code=$?
    if [ -n "$DB_CREATED" ] && [ -z "${OSN_TEST_DB:-}" ] && [ -z "${OSN_KEEP_DB:-}" ]; then pg_drop_db "$DB"; fi
    stop_postgres
    exit "$code"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

prepare
install_test_db
say "Running the reliability suite (${OSN_RELIABILITY_SIZE:-full}) on $DB…"
"$VENV_DIR/bin/python" "$REPO_DIR/tests/reliability/run.py" --db "$DB" --size "${OSN_RELIABILITY_SIZE:-full}" \
    --scenarios "${OSN_RELIABILITY_SCENARIOS:-faults,kill,race,shards}" --logfile "$STATE_DIR/reliability-$DB.log" \
    -- "${ODOO_BIN[@]}" --addons-path="$ADDONS_PATH" "${DB_ARGS[@]}" \
    || die "The reliability suite found a broken promise, see above (Odoo log: $STATE_DIR/reliability-$DB.log)."
say "Reliability suite passed."
