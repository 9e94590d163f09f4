#!/usr/bin/env bash
# A throw-away PostgreSQL + PostGIS cluster for the tests, on a loopback port, in a folder of its
# own, with trust authentication for local connections only.
#
#   scripts/pg-test-cluster.sh start [PORT]   # creates it if needed, starts it, prints its URL
#   scripts/pg-test-cluster.sh stop  [PORT]   # stops it (the folder is kept for the next start)
#   scripts/pg-test-cluster.sh url   [PORT]
#   scripts/pg-test-cluster.sh destroy [PORT] # stops it and removes the folder
#
# PostgreSQL refuses to run as root: as root, the server runs as the `postgres` user.
# The folder is $CORRIDOR_PG_ROOT/PORT (default /tmp/corridor-pg/PORT).
#
# The ports (25429 and the tests' 25431-25433) lie below Linux's ephemeral range (32768-60999):
# a port in that range can be taken, between a test's stop and its start again, by the local end
# of any outgoing connection (the tests' own, to the shared cluster), and the server then cannot
# bind it. CI failed so once on 54332.
set -euo pipefail
command=${1:-start}
port=${2:-25429}
root=${CORRIDOR_PG_ROOT:-/tmp/corridor-pg}
dir="$root/$port"
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
if [ -z "$bin" ] || [ ! -x "$bin/initdb" ]; then
  echo "PostgreSQL is not installed (apt-get install postgresql postgresql-15-postgis-3)" >&2
  exit 2
fi
as_owner() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
url="postgres://postgres@127.0.0.1:$port/corridor_test"
case "$command" in
  url) echo "$url" ;;
  start)
    mkdir -p "$root"
    chmod 1777 "$root" 2>/dev/null || true
    if [ ! -f "$dir/data/PG_VERSION" ]; then
      rm -rf "$dir"
      mkdir -p "$dir"
      if [ "$(id -u)" -eq 0 ]; then chown postgres: "$dir"; fi
      as_owner "$bin/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 --no-locale >"$dir/initdb.log" 2>&1 \
        || { cat "$dir/initdb.log" >&2; exit 1; }
    fi
    if ! as_owner "$bin/pg_ctl" -D "$dir/data" status >/dev/null 2>&1; then
      as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
        -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200" start >/dev/null \
        || { tail -20 "$dir/server.log" >&2; exit 1; }
    fi
    if ! as_owner "$bin/psql" -h 127.0.0.1 -p "$port" -U postgres -d postgres -tAc \
        "select 1 from pg_database where datname = 'corridor_test'" | grep -q 1; then
      as_owner "$bin/psql" -q -h 127.0.0.1 -p "$port" -U postgres -d postgres -c "create database corridor_test" >/dev/null
    fi
    as_owner "$bin/psql" -q -h 127.0.0.1 -p "$port" -U postgres -d corridor_test \
      -c "set client_min_messages = warning" -c "create extension if not exists postgis" >/dev/null
    # One role that must give a password (scram-sha-256), for the password prompt's tests.
    if ! grep -q "corridor_pw" "$dir/data/pg_hba.conf"; then
      as_owner sh -c "{ echo 'host all corridor_pw 127.0.0.1/32 scram-sha-256'; cat '$dir/data/pg_hba.conf'; } > '$dir/data/pg_hba.new' && mv '$dir/data/pg_hba.new' '$dir/data/pg_hba.conf'"
      as_owner "$bin/pg_ctl" -D "$dir/data" reload >/dev/null
    fi
    as_owner "$bin/psql" -q -h 127.0.0.1 -p "$port" -U postgres -d corridor_test -c \
      "do \$\$ begin if not exists (select 1 from pg_roles where rolname = 'corridor_pw') then
         create role corridor_pw login superuser password 'corridor-secret'; end if; end \$\$" >/dev/null
    echo "$url"
    ;;
  stop)
    if [ -f "$dir/data/PG_VERSION" ]; then
      as_owner "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
    fi
    ;;
  destroy)
    "$0" stop "$port"
    rm -rf "$dir"
    ;;
  *) echo "usage: $0 start|stop|url|destroy [PORT]" >&2; exit 2 ;;
esac
