#!/usr/bin/env bash
# The test command: every test of fusion_tasks and fusion_repairs on a throwaway database.
#
#   scripts/test.sh [extra pytest arguments, e.g. -k booking]
#
# 1. finds Odoo 19 (importable `odoo`, or ODOO_PATH) and PostgreSQL, or stops with a message;
# 2. builds template databases of our dependencies once (with and without demo data);
# 3. installs both addons on a clone without demo data and fails on any warning of ours;
# 4. installs them on a clone with demo data and runs every test with pytest + pytest-odoo
#    (HttpCase and browser tests included, --odoo-http);
# 5. drops what it created, and exits non-zero on any failure.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/_odoo_env.sh"

"$PYTHON" -c 'import pytest_odoo' 2>/dev/null || fail "pytest-odoo is missing: pip install -r $REPO_DIR/requirements.txt"

RUN_ID="fusion_test_$$_$(date +%s)"
NODEMO_DB="${RUN_ID}_nodemo"
TEST_DB="${RUN_ID}"
cleanup() { drop_db "$NODEMO_DB"; drop_db "$TEST_DB"; rm -f "/tmp/$RUN_ID.conf"; }
trap cleanup EXIT

if [ "${FUSION_SKIP_NODEMO_CHECK:-0}" != 1 ]; then
    template=$(ensure_template 0)
    clone_db "$template" "$NODEMO_DB"
    echo "== Installing fusion_tasks, fusion_repairs without demo data" >&2
    install_ours "$NODEMO_DB" "/tmp/$NODEMO_DB.log"
    drop_db "$NODEMO_DB"
fi

template=$(ensure_template 1)
clone_db "$template" "$TEST_DB"
echo "== Installing fusion_tasks, fusion_repairs with demo data" >&2
install_ours "$TEST_DB" "/tmp/$TEST_DB.log"

cat >"/tmp/$RUN_ID.conf" <<CONF
[options]
addons_path = $ADDONS_PATH
data_dir = $DATA_DIR
db_name = $TEST_DB
http_interface = 127.0.0.1
${PGHOST:+db_host = $PGHOST}
${PGPORT:+db_port = $PGPORT}
${PGUSER:+db_user = $PGUSER}
${PGPASSWORD:+db_password = $PGPASSWORD}
CONF

echo "== Running the tests on $TEST_DB" >&2
cd "$REPO_DIR"
"$PYTHON" -m pytest --odoo-config="/tmp/$RUN_ID.conf" --odoo-database="$TEST_DB" --odoo-http \
    --odoo-log-level="${ODOO_TEST_LOG_LEVEL:-warn}" fusion_tasks fusion_repairs "$@"
