#!/usr/bin/env bash
# Run without Docker: a local database with both addons and demo data, served on localhost.
#
#   scripts/serve.sh            # database fusion_demo on http://localhost:8069 (admin / admin)
#   DB=mydb PORT=8070 scripts/serve.sh
#
# Needs an Odoo 19 (importable `odoo`, or ODOO_PATH). Uses the PostgreSQL of PGHOST/PGPORT/PGUSER,
# else starts the machine's own cluster (Debian's postgresql package).
set -euo pipefail
# A local PostgreSQL when none answers (and PGHOST is not set).
[ -n "${PGHOST:-}" ] || "$(dirname "${BASH_SOURCE[0]}")/start_postgres.sh"
source "$(dirname "${BASH_SOURCE[0]}")/_odoo_env.sh"

DB=${DB:-fusion_demo}
PORT=${PORT:-8069}

if ! db_exists "$DB"; then
    template=$(ensure_template 1)
    clone_db "$template" "$DB"
    set_base_url "$DB" "http://localhost:$PORT"
    echo "== Installing fusion_tasks, fusion_repairs with demo data into $DB" >&2
    install_ours "$DB" "/tmp/$DB.install.log"
fi
set_base_url "$DB" "http://localhost:$PORT"
echo "== Serving $DB on http://localhost:$PORT (login admin / admin)" >&2
exec "${ODOO_BIN[@]}" -d "$DB" --db-filter="^$DB\$" --addons-path="$ADDONS_PATH" "${DB_ARGS[@]}" \
    --data-dir="$DATA_DIR" -u "$OUR_MODULES" --http-port="$PORT" --http-interface=127.0.0.1 "$@"
