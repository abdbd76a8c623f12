# Sourced by scripts/test.sh and scripts/serve.sh: finds Odoo 19 and PostgreSQL or stops loudly.
# Odoo is found as an importable `odoo` package, or from ODOO_PATH (an Odoo 19 source tree).

fail() { echo "ERROR: $*" >&2; exit 2; }

REPO_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PYTHON=${PYTHON:-python3}

if [ -n "${ODOO_PATH:-}" ]; then
    [ -d "$ODOO_PATH/odoo" ] || fail "ODOO_PATH=$ODOO_PATH is not an Odoo source tree (no odoo/ folder in it)."
    export PYTHONPATH="$ODOO_PATH${PYTHONPATH:+:$PYTHONPATH}"
fi
ODOO_VERSION=$("$PYTHON" -c 'import odoo.release as r; print(r.major_version)' 2>/dev/null) ||
    fail "Odoo 19 cannot be found. Make 'odoo' importable by $PYTHON, or set ODOO_PATH to an Odoo 19 Community source tree (with its requirements installed)."
[ "$ODOO_VERSION" = "19.0" ] || fail "These addons need Odoo 19.0; the Odoo found is $ODOO_VERSION."
ODOO_ROOT=$("$PYTHON" -c 'import odoo, os; print(os.path.dirname(list(odoo.__path__)[0]))')
if [ -f "$ODOO_ROOT/odoo-bin" ]; then
    ODOO_BIN=("$PYTHON" "$ODOO_ROOT/odoo-bin")
else
    ODOO_BIN=("$PYTHON" -m odoo)
fi
ADDONS_PATH="$REPO_DIR"
[ -d "$ODOO_ROOT/addons" ] && ADDONS_PATH="$ODOO_ROOT/addons,$ADDONS_PATH"

# PostgreSQL: the usual libpq variables (PGHOST, PGPORT, PGUSER, PGPASSWORD) are honoured.
psql -d postgres -Atqc 'select 1' >/dev/null 2>&1 ||
    fail "PostgreSQL cannot be reached as user '${PGUSER:-$(id -un)}'. Start a server and set PGHOST/PGPORT/PGUSER/PGPASSWORD (the user needs CREATEDB)."

DB_ARGS=()
[ -n "${PGHOST:-}" ] && DB_ARGS+=(--db_host="$PGHOST")
[ -n "${PGPORT:-}" ] && DB_ARGS+=(--db_port="$PGPORT")
[ -n "${PGUSER:-}" ] && DB_ARGS+=(--db_user="$PGUSER")
[ -n "${PGPASSWORD:-}" ] && DB_ARGS+=(--db_password="$PGPASSWORD")
DATA_DIR=${ODOO_DATA_DIR:-$HOME/.local/share/Odoo}

# Modules our addons depend on (read from the manifests), sorted, without our own.
OUR_MODULES=fusion_tasks,fusion_repairs
DEPENDENCIES=$("$PYTHON" - "$REPO_DIR" <<'PY'
import ast, pathlib, sys
repo = pathlib.Path(sys.argv[1])
ours = {"fusion_tasks", "fusion_repairs"}
deps = set()
for name in ours:
    manifest = ast.literal_eval((repo / name / "__manifest__.py").read_text())
    deps.update(manifest.get("depends", []))
print(",".join(sorted(deps - ours)))
PY
)

db_exists() { [ "$(psql -d postgres -Atqc "select 1 from pg_database where datname = '$1'")" = 1 ]; }

drop_db() {
    dropdb --if-exists --force "$1" >/dev/null 2>&1 || true
    rm -rf "$DATA_DIR/filestore/$1"
}

clone_db() {  # clone_db TEMPLATE NEW
    createdb -T "$1" "$2" || fail "could not clone database $1 into $2"
    mkdir -p "$DATA_DIR/filestore"
    if [ -d "$DATA_DIR/filestore/$1" ]; then cp -r "$DATA_DIR/filestore/$1" "$DATA_DIR/filestore/$2"; fi
}

# Links in emails are built on web.base.url.
set_base_url() {  # set_base_url DB URL
    psql -d "$1" -qc "UPDATE ir_config_parameter SET value = '$2' WHERE key = 'web.base.url'"
}

# ensure_template DEMO(0|1): prints the name of a template database holding our dependencies.
# It is rebuilt only when the dependency set or the Odoo tree changes, so repeat runs take seconds.
ensure_template() {
    local demo=$1 key name
    key=$(printf '%s|%s|%s|%s' "$DEPENDENCIES" "$demo" "$ODOO_ROOT" \
        "$(stat -c %Y "$ODOO_ROOT/odoo/release.py")" | sha1sum | cut -c1-10)
    name="fusion_tpl_${key}"
    (
        flock 9
        if ! db_exists "$name"; then
            echo "Building template database $name (dependencies: $DEPENDENCIES, demo: $demo); this takes a few minutes once." >&2
            local tmp="${name}_building"
            drop_db "$tmp"
            local demo_flag=(--without-demo)
            [ "$demo" = 1 ] && demo_flag=(--with-demo)
            "${ODOO_BIN[@]}" -d "$tmp" --addons-path="$ODOO_ROOT/addons" "${DB_ARGS[@]}" --data-dir="$DATA_DIR" \
                -i "$DEPENDENCIES" "${demo_flag[@]}" --stop-after-init --http-port=0 --log-level=warn \
                >"/tmp/$name.log" 2>&1 || { tail -40 "/tmp/$name.log" >&2; fail "building $name failed (log: /tmp/$name.log)"; }
            psql -d postgres -qc "ALTER DATABASE \"$tmp\" RENAME TO \"$name\"" || fail "could not rename $tmp"
            [ -d "$DATA_DIR/filestore/$tmp" ] && mv "$DATA_DIR/filestore/$tmp" "$DATA_DIR/filestore/$name"
        fi
    ) 9>"/tmp/$name.lock" >&2 || exit $?
    echo "$name"
}

# install_ours DB LOGFILE: installs both addons, fails on any error, or warning naming our code.
install_ours() {
    "${ODOO_BIN[@]}" -d "$1" --addons-path="$ADDONS_PATH" "${DB_ARGS[@]}" --data-dir="$DATA_DIR" \
        -i "$OUR_MODULES" --stop-after-init --http-port=0 --http-interface=127.0.0.1 >"$2" 2>&1 ||
        { tail -40 "$2" >&2; fail "installing $OUR_MODULES on $1 failed (log: $2)"; }
    if grep -E ' (WARNING|ERROR|CRITICAL) ' "$2" | grep -iE 'fusion' >&2; then
        fail "installing $OUR_MODULES on $1 logged the warnings above (log: $2)"
    fi
}
