#!/bin/bash
# Entrypoint of the PostgreSQL image src/scripts/bases.sh builds (postgres15), in the manner of the upstream
# postgres image's: on an empty PGDATA, initdb with POSTGRES_USER (default postgres) as the superuser and
# POSTGRES_PASSWORD as its password, then CREATE DATABASE POSTGRES_DB (default: the user's name); then it
# execs postgres (so it is pid 1 and gets the stop signal), listening on every interface, password
# authentication (scram-sha-256) for every connection, local ones included, no JIT. It never runs as root: the
# image's user is postgres (999), and a PGDATA volume must be writable by it.
# Arguments are passed to postgres (e.g. -c shared_buffers=64MB); -c hba_file=FILE makes postgres read FILE instead
# of the pg_hba.conf written here (k8s/components/postgres: TLS only), and -c ssl=on with ssl_cert_file and
# ssl_key_file serves TLS.
set -euo pipefail

bin=/usr/lib/postgresql/15/bin
export PGDATA=${PGDATA:-/var/lib/postgresql/data}
user=${POSTGRES_USER:-postgres}
db=${POSTGRES_DB:-$user}

[ "$(id -u)" != 0 ] || { echo "postgres-entrypoint: refusing to run as root (run as the image's user, postgres)" >&2; exit 1; }

if [ ! -s "$PGDATA/PG_VERSION" ]; then
  [ -n "${POSTGRES_PASSWORD:-}" ] || { echo "postgres-entrypoint: $PGDATA is empty and POSTGRES_PASSWORD is not set" >&2; exit 1; }
  mkdir -p "$PGDATA"
  chmod 700 "$PGDATA"
  pwfile=$(mktemp)
  trap 'rm -f "$pwfile"' EXIT
  printf '%s\n' "$POSTGRES_PASSWORD" >"$pwfile"
  "$bin/initdb" -D "$PGDATA" -U "$user" --pwfile="$pwfile" --auth=scram-sha-256 -E UTF8 --locale=C.UTF-8 >/dev/null
  rm -f "$pwfile"
  trap - EXIT
  # Connections from the network, with a password (initdb's pg_hba.conf admits only loopback).
  printf '%s\n' "host all all all scram-sha-256" >>"$PGDATA/pg_hba.conf"
  if [ "$db" != postgres ]; then
    # Single-user mode: no server, no connection, no authentication needed for this one statement.
    printf 'CREATE DATABASE "%s" OWNER "%s";\n' "${db//\"/\"\"}" "${user//\"/\"\"}" \
      | "$bin/postgres" --single -D "$PGDATA" postgres >/dev/null
  fi
  echo "postgres-entrypoint: initialised $PGDATA (superuser $user, database $db)" >&2
fi

# The socket directory: the image's /var/run/postgresql (an emptyDir under a read-only root), else /tmp.
sockets=/var/run/postgresql
[ -w "$sockets" ] || sockets=/tmp
# jit=off: the image leaves out the JIT compiler (LLVM).
exec "$bin/postgres" -D "$PGDATA" -c listen_addresses='*' -c unix_socket_directories="$sockets" -c jit=off "$@"
