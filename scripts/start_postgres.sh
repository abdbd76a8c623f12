#!/usr/bin/env bash
# Starts the machine's PostgreSQL (Debian cluster) when none answers, and gives the current
# user a superuser role in it. Used by scripts/serve.sh and .ci/run; needs root or sudo.
set -euo pipefail

psql -d postgres -Atqc 'select 1' >/dev/null 2>&1 && exit 0

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
command -v pg_lsclusters >/dev/null || { echo "ERROR: PostgreSQL is not installed (apt-get install postgresql)." >&2; exit 2; }

cluster=$(pg_lsclusters -h | awk 'NR==1 {print $1" "$2}')
if [ -z "$cluster" ]; then
    version=$(ls /usr/lib/postgresql | sort -V | tail -n 1)
    as_root pg_createcluster "$version" main
    cluster="$version main"
fi
# shellcheck disable=SC2086
as_root pg_ctlcluster $cluster start || true
for _ in $(seq 1 30); do
    as_root runuser -u postgres -- psql -Atqc 'select 1' >/dev/null 2>&1 && break
    sleep 1
done
me=$(id -un)
as_root runuser -u postgres -- psql -qc "DO \$\$BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$me') THEN CREATE ROLE \"$me\" SUPERUSER LOGIN; END IF; END\$\$;"
psql -d postgres -Atqc 'select 1' >/dev/null
