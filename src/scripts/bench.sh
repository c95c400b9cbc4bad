#!/usr/bin/env bash
# make bench: task-api as users deploy it (the slim image, its JVM flags, under the pod's limits) against the
# original FastAPI app it was rebuilt from, in memory and on PostgreSQL. Services, one at a time, each started
# fresh on 127.0.0.1 and driven by wrk on the same machine:
#   slim-memory, slim-postgres          the slim image (IMAGE) in ENGINE under the production overlay's memory
#                                       limit, no CPU limit (the cores the others get too), in memory / STORE=postgres
#   slim-memory-limited, slim-postgres-limited   the same under the overlay's CPU limit as well
#   slim-pgbouncer-limited              slim-postgres-limited through PgBouncer in transaction pooling mode, in front
#                                       of the same PostgreSQL, with DB_TRANSACTION_POOLER=true
#   slim-postgres-tls-limited           slim-postgres-limited over TLS, sslmode=verify-full, as the production overlay
#                                       connects (the cluster then serves TLS with a CA and certificate openssl makes
#                                       for the run; every other service connects with sslmode=disable)
#   slim-aot-memory, slim-aot-postgres  the slim-aot image (AOT_IMAGE), memory limit only
#   taskapi-memory, taskapi-postgres    the jar on the host, the JDK's default flags: a reference line
#   fastapi-memory    the original FastAPI app, tasks in a dict (src/bench/fastapi_memory.py)
#   fastapi-postgres  the original FastAPI app on PostgreSQL through asyncpg (src/bench/fastapi_postgres.py)
# The containers use the host's network (--network host, so that they reach the bench's PostgreSQL on loopback);
# what publishing a port (-p 127.0.0.1:PORT:8080) costs instead is measured on its own (PUBLISHED_COST).
# Both PostgreSQL services use one throwaway PostgreSQL cluster (initdb under target/), each its own table.
# Then the cost of task-api's access log: off, text and json, written to a file. Prints a Markdown report and
# writes it into docs/benchmarks.md between its "generated" markers (lib.sh tk_write_generated): prose around stays.
#
# Environment (defaults in brackets):
#   DURATION [5] s per run   RUNS [3] runs per scenario, the median is reported   WARMUP [3] s   THREADS [2] wrk
#   MEMORY_POST_DURATION [1] s per run of creates into memory (each on a restarted service: the store is bounded)
#   CONNS ["64 256"] connection counts   STARTS [5] timed starts per service
#   SERVICES [slim-memory slim-postgres slim-memory-limited slim-postgres-limited slim-pgbouncer-limited fastapi-memory
#   fastapi-postgres taskapi-memory taskapi-postgres]   ACCESS_LOG_FORMATS ["off text json"; empty: no access log set]
#   IMAGE [task-api:$VERSION-slim]   AOT_IMAGE [task-api:$VERSION-slim-aot]   ENGINE [lib.sh's choice]
#   OVERLAY [k8s/overlays/production: its task-api container's limits]   PUBLISHED_COST [1: measure it; 0: not]
#   FASTAPI_WORKERS [1] uvicorn workers of fastapi-postgres   DB_POOL_SIZE [8] connections per service process
#   PG_BIN [/usr/lib/postgresql/15/bin]   PG_SHARED_BUFFERS [128MB]   PG_FSYNC [on]   PG_SYNCHRONOUS_COMMIT [on]
#   PGBOUNCER [/usr/sbin/pgbouncer, else on PATH]   PGBOUNCER_PORT [18093]   PGBOUNCER_POOL_SIZE [DB_POOL_SIZE]
# `bench.sh soak` (make soak) runs instead one service under a mix of requests for minutes, with its memory:
#   SOAK_SERVICE [slim-postgres: the deployed configuration]   SOAK_MINUTES [10]   SOAK_CONNS [256]   SOAK_SAMPLE [5] s
#   JAR [target/task-api-$VERSION.jar, the build of pom.xml]   JAVA [java]   PYTHON [/usr/bin/python3]   OUT [docs/benchmarks.md]   SVC_PORT [18090]   PG_PORT [18092]
set -Eeuo pipefail
cd "$(dirname "$0")/../.."
# shellcheck source=lib.sh
. src/scripts/lib.sh

DURATION=${DURATION:-5}
MEMORY_POST_DURATION=${MEMORY_POST_DURATION:-1}
RUNS=${RUNS:-3}
WARMUP=${WARMUP:-3}
THREADS=${THREADS:-2}
CONNS=${CONNS:-64 256}
STARTS=${STARTS:-5}
ALL_SERVICES="slim-memory slim-postgres slim-memory-limited slim-postgres-limited slim-aot-memory slim-aot-postgres"
ALL_SERVICES+=" fastapi-memory fastapi-postgres taskapi-memory taskapi-postgres"
ALL_SERVICES+=" slim-pgbouncer-limited slim-postgres-tls-limited"
SERVICES=${SERVICES:-slim-memory slim-postgres slim-memory-limited slim-postgres-limited slim-pgbouncer-limited slim-postgres-tls-limited fastapi-memory fastapi-postgres taskapi-memory taskapi-postgres}
OVERLAY=${OVERLAY:-k8s/overlays/production}
PUBLISHED_COST=${PUBLISHED_COST:-1}
ACCESS_LOG_FORMATS=${ACCESS_LOG_FORMATS-off text json}
FASTAPI_WORKERS=${FASTAPI_WORKERS:-1}
DB_POOL_SIZE=${DB_POOL_SIZE:-8}
PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
PG_SHARED_BUFFERS=${PG_SHARED_BUFFERS:-128MB}
PG_FSYNC=${PG_FSYNC:-on}
PG_SYNCHRONOUS_COMMIT=${PG_SYNCHRONOUS_COMMIT:-on}
PGBOUNCER=${PGBOUNCER:-$({ command -v /usr/sbin/pgbouncer pgbouncer 2>/dev/null || true; } | head -1)}
PGBOUNCER_PORT=${PGBOUNCER_PORT:-18093}
PGBOUNCER_POOL_SIZE=${PGBOUNCER_POOL_SIZE:-${DB_POOL_SIZE:-8}}
JAVA=${JAVA:-java}
PYTHON=${PYTHON:-/usr/bin/python3}
OUT=${OUT:-docs/benchmarks.md}
MODELS=${MODELS:-models}
SVC_PORT=${SVC_PORT:-18090}
PG_PORT=${PG_PORT:-18092}
MODE=${1:-bench}
SOAK_SERVICE=${SOAK_SERVICE:-slim-postgres}
SOAK_MINUTES=${SOAK_MINUTES:-10}
SOAK_CONNS=${SOAK_CONNS:-256}
SOAK_SAMPLE=${SOAK_SAMPLE:-5}
case $MODE in
  bench) ;;
  soak) SERVICES=$SOAK_SERVICE ACCESS_LOG_FORMATS= ;;
  *) echo "usage: bench.sh [bench|soak]" >&2; exit 2 ;;
esac

LIST_SIZE=1000 # tasks created before the read scenarios; the full listing returns all of them
export PRELOADED=$LIST_SIZE # for src/bench/mixed.lua: the ids it may ask for
READS="health get page list"
BASE=http://127.0.0.1:$SVC_PORT
VERSION=$(tk_version)
JAR=${JAR:-target/task-api-$VERSION.jar}
IMAGE=${IMAGE:-task-api:$VERSION-slim}
AOT_IMAGE=${AOT_IMAGE:-task-api:$VERSION-slim-aot}
CONTAINER=task-api-bench
MEM_LIMIT=
CPU_LIMIT=
CLK_TCK=$(getconf CLK_TCK)
# Ratio goals: service, baseline, scenario, connections, minimum ratio of req/s. The deployed configuration
# (the slim image on PostgreSQL) against the original app on PostgreSQL first; the host jar is the reference
# the slim image is held to.
TARGETS=(
  "slim-postgres fastapi-postgres post 64 5"
  "slim-postgres fastapi-postgres get 64 8"
  "slim-postgres fastapi-postgres page 64 5"
  "slim-memory fastapi-memory get 64 25"
  "slim-memory fastapi-memory post 64 20"
  "slim-memory taskapi-memory get 64 0.9"
  "slim-memory taskapi-memory post 64 0.9"
)

work=
SVC_PID=
PG_DATA=
PG_PID=
DATABASE_URL=
PG_SUPERUSER_URL=
PGBOUNCER_PID=
PGBOUNCER_URL=
BENCH_CA=/etc/task-api/database-ca/ca.crt # where slim-postgres-tls-limited finds the run's CA (PGSSLROOTCERT)
SKIPPED=()
EARLIER_OOM=0 # OOM kills and exits of a service's containers replaced by restart_empty
EARLIER_EXITS=0
declare -A R # results: R[service,scenario,conns]="req/s p50 p99 errors req-per-PG-CPU-s", and more

die() { echo "bench: $*" >&2; exit 1; }
note() { echo "== $*" >&2; }
now_ms() { date +%s%3N; }
wants() { [[ " $SERVICES " == *"$1"* ]]; } # a service name, or part of one: taskapi, postgres, ...
port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
alive() { local s; s=$(ps -o stat= -p "$1" 2>/dev/null) && [[ $s != Z* ]]; }
median() { sort -g | awk '{a[NR]=$1} $1 !~ /^[0-9.]+$/ {none=1} END {if (NR==0 || none) print "-"; else if (NR%2) print a[(NR+1)/2]; else printf "%.2f\n", (a[NR/2]+a[NR/2+1])/2}'; }
to_ms() { awk '{v=$1; if (v ~ /us$/) {sub("us","",v); v=v/1000} else if (v ~ /ms$/) {sub("ms","",v)} else if (v ~ /s$/) {sub("s","",v); v=v*1000}; printf "%.2f\n", v}'; }

check_prerequisites() {
  local name
  for name in DURATION MEMORY_POST_DURATION RUNS THREADS STARTS FASTAPI_WORKERS DB_POOL_SIZE WARMUP SOAK_MINUTES SOAK_CONNS SOAK_SAMPLE PGBOUNCER_POOL_SIZE; do
    { [[ ${!name} =~ ^[0-9]+$ ]] && { [ "${!name}" -gt 0 ] || [ "$name" = WARMUP ]; }; } ||
      die "$name must be a whole number of at least $([ "$name" = WARMUP ] && echo 0 || echo 1), got '${!name}'"
  done
  for name in $CONNS; do [[ $name =~ ^[1-9][0-9]*$ ]] || die "CONNS must be connection counts, got '$CONNS'"; done
  for name in $SERVICES; do [[ " $ALL_SERVICES " == *" $name "* ]] || die "SERVICES: unknown service '$name' (known: $ALL_SERVICES)"; done
  command -v wrk >/dev/null || die "wrk not found: apt-get install wrk"
  command -v curl >/dev/null || die "curl not found: apt-get install curl"
  if wants taskapi || [ -n "$ACCESS_LOG_FORMATS" ]; then
    command -v "$JAVA" >/dev/null || die "$JAVA not found: apt-get install openjdk-17-jre-headless (or set JAVA)"
    [ -f "$JAR" ] || die "$JAR missing: run 'make build' first"
  fi
  if wants slim; then
    tk_require_engine "the slim image services (SERVICES without slim-*: no engine needed)"
    command -v kubectl >/dev/null || die "kubectl not found (the pod's limits are read from $OVERLAY): https://kubernetes.io/docs/tasks/tools/"
    tk_pod_limits "$OVERLAY"
    for image in "$IMAGE" $(! wants slim-aot || echo "$AOT_IMAGE"); do
      "$engine" image inspect "$image" >/dev/null 2>&1 ||
        die "$image is not in $engine: make images-load (or set IMAGE / AOT_IMAGE)"
    done
  fi
  if wants taskapi-postgres && ! grep -qa 'dev/taskapi/task/postgres/' "$JAR"; then
    SKIPPED+=("taskapi-postgres: $JAR has no PostgreSQL store (STORE=postgres); build a version that has one")
    echo "bench: skipping ${SKIPPED[-1]}" >&2
    SERVICES=$(for name in $SERVICES; do [ "$name" = taskapi-postgres ] || echo "$name"; done | paste -sd ' ')
  fi
  [ -n "$SERVICES$ACCESS_LOG_FORMATS" ] || die "nothing to measure: SERVICES and ACCESS_LOG_FORMATS are both empty"
  if wants fastapi; then
    "$PYTHON" -c 'import fastapi, uvicorn' 2>/dev/null ||
      die "the FastAPI services need Debian's python3-fastapi and python3-uvicorn (apt-get install python3-fastapi python3-uvicorn); or set SERVICES without them"
    "$PYTHON" -c 'import httptools, uvloop' 2>/dev/null ||
      die "uvicorn's standard extras are missing: apt-get install python3-httptools python3-uvloop"
  fi
  if wants fastapi-postgres; then
    "$PYTHON" -c 'import asyncpg' 2>/dev/null || die "fastapi-postgres needs asyncpg: apt-get install python3-asyncpg"
  fi
  if wants postgres || wants pgbouncer; then
    [ -x "$PG_BIN/initdb" ] || die "no PostgreSQL server in $PG_BIN: apt-get install postgresql-15 (or set PG_BIN)"
    command -v psql >/dev/null || die "psql not found: apt-get install postgresql-client-15"
    [ "$(id -u)" != 0 ] || id postgres >/dev/null 2>&1 || die "PostgreSQL refuses to run as root and there is no user postgres: apt-get install postgresql-15"
    port_free "$PG_PORT" || die "127.0.0.1:$PG_PORT is already in use: set PG_PORT to a free port"
  fi
  if wants tls; then
    command -v openssl >/dev/null || die "openssl not found (slim-postgres-tls-limited: the run's CA and certificates): apt-get install openssl"
  fi
  if wants pgbouncer; then
    [ -x "${PGBOUNCER:-/nonexistent}" ] || die "pgbouncer not found (slim-pgbouncer-limited): apt-get install pgbouncer (or set PGBOUNCER)"
    port_free "$PGBOUNCER_PORT" || die "127.0.0.1:$PGBOUNCER_PORT is already in use: set PGBOUNCER_PORT to a free port"
  fi
  port_free "$SVC_PORT" || die "127.0.0.1:$SVC_PORT is already in use: set SVC_PORT to a free port"
}


# The container's cgroup directory for CONTROLLER (cgroup v1: memory, cpuacct; v2: the unified one), from its pid.
container_cgroup() {
  local pid path
  pid=$("$engine" inspect -f '{{.State.Pid}}' "$CONTAINER" 2>/dev/null) || return 1
  [ "${pid:-0}" != 0 ] || return 1
  if [ -f /sys/fs/cgroup/cgroup.controllers ]; then
    path=$(awk -F: '$1 == 0 {print $3}' "/proc/$pid/cgroup") && echo "/sys/fs/cgroup$path"
  else
    path=$(awk -F: -v c="$1" '{n = split($2, cs, ","); for (i = 1; i <= n; i++) if (cs[i] == c) print $3}' "/proc/$pid/cgroup" | head -1)
    echo "/sys/fs/cgroup/$1$path"
  fi
}

# The container's anonymous memory (heap, metaspace, code, threads: what its limit cannot reclaim), in kB.
container_anon_kb() {
  local dir
  dir=$(container_cgroup memory) || { echo 0; return; }
  awk '$1 == "anon" || $1 == "total_rss" {print int($2 / 1024); exit}' "$dir/memory.stat" 2>/dev/null || echo 0
}

# How often the kernel's OOM killer acted in the container's cgroup (0 if none, or unknown).
container_oom_kills() {
  local dir
  dir=$(container_cgroup memory) || { echo 0; return; }
  awk '$1 == "oom_kill" {print $2; exit}' "$dir/memory.oom_control" "$dir/memory.events" 2>/dev/null || echo 0
}

# CPU clock ticks the container used so far (cpuacct.usage in ns, or cpu.stat usage_usec on cgroup v2).
container_ticks() {
  local dir
  if [ -f /sys/fs/cgroup/cgroup.controllers ]; then
    dir=$(container_cgroup cpu) || { echo 0; return; }
    awk -v hz="$CLK_TCK" '$1 == "usage_usec" {printf "%d\n", $2 / 1e6 * hz}' "$dir/cpu.stat"
  else
    dir=$(container_cgroup cpuacct) || { echo 0; return; }
    awk -v hz="$CLK_TCK" '{printf "%d\n", $1 / 1e9 * hz}' "$dir/cpuacct.usage"
  fi
}

cleanup() {
  stop_service
  pgbouncer_stop
  if [ -n "$PG_DATA" ] && [ -f "$PG_DATA/postmaster.pid" ]; then
    as_postgres "$PG_BIN/pg_ctl" -D "$PG_DATA" -m immediate -w stop >/dev/null 2>&1 || true
  fi
  [ -z "$work" ] || rm -rf "$work"
}

# --- PostgreSQL: a fresh cluster for this run, on 127.0.0.1:PG_PORT, its socket in a private directory

as_postgres() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

pg_settings() { # name value, one a line: what the cluster runs with beyond initdb's defaults
  printf '%s\n' "listen_addresses '127.0.0.1'" "port $PG_PORT" "unix_socket_directories '$work/pg/socket'" \
    "shared_buffers $PG_SHARED_BUFFERS" "fsync $PG_FSYNC" "synchronous_commit $PG_SYNCHRONOUS_COMMIT"
  if wants tls; then
    printf '%s\n' "ssl on" "ssl_cert_file '$work/pg/tls/server.crt'" "ssl_key_file '$work/pg/tls/server.key'"
  fi
}

# TLS for slim-postgres-tls-limited: a CA made for this run (EC P-256, as a managed database's would be RSA or EC)
# and a server certificate for 127.0.0.1, where the service connects. The CA is what PGSSLROOTCERT names.
pg_tls_files() {
  local dir=$work/pg/tls
  mkdir -p "$dir"
  openssl req -x509 -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 -subj "/CN=task-api bench CA" \
    -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign \
    -keyout "$dir/ca.key" -out "$dir/ca.crt" 2>/dev/null
  openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj /CN=127.0.0.1 \
    -keyout "$dir/server.key" -out "$dir/server.csr" 2>/dev/null
  printf 'basicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\nsubjectAltName=IP:127.0.0.1\n' >"$dir/server.ext"
  openssl x509 -req -in "$dir/server.csr" -CA "$dir/ca.crt" -CAkey "$dir/ca.key" -CAcreateserial -days 1 -sha256 \
    -extfile "$dir/server.ext" -out "$dir/server.crt" 2>/dev/null
  chmod 600 "$dir/server.key" "$dir/ca.key"
  chmod 644 "$dir/ca.crt"
}

pg_start() {
  local password
  password=$(od -An -tx1 -N16 /dev/urandom | tr -d ' \n')
  PG_DATA=$work/pg/data
  mkdir -p "$work/pg/socket"
  echo "$password" >"$work/pg/password"
  if wants tls; then pg_tls_files; fi
  [ "$(id -u)" != 0 ] || chown -R postgres: "$work/pg"
  note "PostgreSQL: initdb in $PG_DATA"
  as_postgres "$PG_BIN/initdb" -D "$PG_DATA" -U postgres --pwfile="$work/pg/password" -E UTF8 --no-locale \
    --auth-local=peer --auth-host=scram-sha-256 >"$work/pg/initdb.log" 2>&1 || { cat "$work/pg/initdb.log" >&2; die "initdb failed"; }
  rm -f "$work/pg/password"
  pg_settings | sed 's/ / = /' >>"$PG_DATA/postgresql.conf"
  as_postgres "$PG_BIN/pg_ctl" -D "$PG_DATA" -l "$work/pg/server.log" -w -t 60 start >/dev/null ||
    { cat "$work/pg/server.log" >&2; die "PostgreSQL did not start (its log above)"; }
  PG_PID=$(head -1 "$PG_DATA/postmaster.pid")
  PG_SUPERUSER_URL=postgresql://postgres:$password@127.0.0.1:$PG_PORT/postgres
  psql_at "$PG_SUPERUSER_URL" -c "CREATE ROLE bench LOGIN PASSWORD '$password'" -c "CREATE DATABASE bench OWNER bench"
  DATABASE_URL=postgresql://bench:$password@127.0.0.1:$PG_PORT/bench
}

psql_at() { local url=$1; shift; PGOPTIONS="-c client_min_messages=warning" psql "$url" -v ON_ERROR_STOP=1 -qAtX "$@"; }

proc_ticks() { # pid n: CPU clock ticks from /proc/<pid>/stat, utime + stime (n=2) + cutime + cstime (n=4); 0 if gone
  local stat
  stat=$(cat "/proc/$1/stat" 2>/dev/null) || { echo 0; return 0; }
  awk -v n="$2" '{sub(/.*\) /, ""); s = 0; for (i = 12; i < 12 + n; i++) s += $i; print s}' <<<"$stat"
}

pg_cpu_ticks() { # CPU time (clock ticks) of the postmaster and every process it started, running or reaped
  local child
  { proc_ticks "$PG_PID" 4
    for child in $(ps -o pid= --ppid "$PG_PID" || true); do proc_ticks "$child" 2; done
  } | awk '{s += $1} END {print s + 0}'
}

# --- PgBouncer (slim-pgbouncer-limited): in front of the bench's PostgreSQL, database bench only, transaction
# pooling, PGBOUNCER_POOL_SIZE server connections (as many as the service's pool has by default), SCRAM from the
# service and to the server with the bench user's password; as root it runs as postgres, as the server does.

pgbouncer_start() {
  local dir=$work/pgbouncer password deadline
  password=${DATABASE_URL#postgresql://bench:}; password=${password%%@*}
  mkdir -p "$dir"
  printf '"bench" "%s"\n' "$password" >"$dir/userlist.txt"
  cat >"$dir/pgbouncer.ini" <<INI
[databases]
bench = host=127.0.0.1 port=$PG_PORT dbname=bench
[pgbouncer]
listen_addr = 127.0.0.1
listen_port = $PGBOUNCER_PORT
unix_socket_dir =
pool_mode = transaction
default_pool_size = $PGBOUNCER_POOL_SIZE
max_client_conn = 200
auth_type = scram-sha-256
auth_file = $dir/userlist.txt
logfile = $dir/pgbouncer.log
pidfile = $dir/pgbouncer.pid
INI
  [ "$(id -u)" != 0 ] || chown -R postgres: "$dir"
  note "PgBouncer: 127.0.0.1:$PGBOUNCER_PORT -> PostgreSQL 127.0.0.1:$PG_PORT, pool_mode=transaction, default_pool_size=$PGBOUNCER_POOL_SIZE"
  as_postgres "$PGBOUNCER" -d "$dir/pgbouncer.ini" || { cat "$dir/pgbouncer.log" >&2 2>/dev/null; die "PgBouncer did not start"; }
  deadline=$(($(now_ms) + 30000))
  until [ -s "$dir/pgbouncer.pid" ] && ! port_free "$PGBOUNCER_PORT"; do
    [ "$(now_ms)" -lt "$deadline" ] || { cat "$dir/pgbouncer.log" >&2; die "PgBouncer not listening after 30 s (its log above)"; }
    sleep 0.05
  done
  PGBOUNCER_PID=$(<"$dir/pgbouncer.pid")
  PGBOUNCER_URL=postgresql://bench:$password@127.0.0.1:$PGBOUNCER_PORT/bench
}

pgbouncer_stop() {
  [ -n "$PGBOUNCER_PID" ] || return 0
  kill -TERM "$PGBOUNCER_PID" 2>/dev/null || true
  for _ in $(seq 1 50); do alive "$PGBOUNCER_PID" || break; sleep 0.1; done
  PGBOUNCER_PID=
}

pgbouncer_version() { "$PGBOUNCER" --version 2>/dev/null | awk 'NR == 1 {print $2}'; }

# --- the services

service() { # name: sets SVC_CMD, SVC_ENV, SVC_READY (path that answers 200 once ready), SVC_LIST (all tasks),
  #           SVC_PAGE (100 tasks; empty where the service cannot page), SVC_TABLE (its PostgreSQL table, empty
  #           in memory), SVC_DROP (SQL that removes its data, so that no autovacuum of it runs under the next) and
  #           SVC_POOLER (1 when it reaches PostgreSQL through PgBouncer)
  local name=$1
  SVC_ENV=(HOST=127.0.0.1 PORT="$SVC_PORT")
  SVC_PAGE="/tasks?limit=100"
  SVC_TABLE=
  SVC_DROP=
  SVC_CONTAINER=
  SVC_POOLER=
  case $name in
    slim-*)
      SVC_CONTAINER=1
      SVC_READY=/health/ready
      SVC_LIST="/tasks?limit=$LIST_SIZE" ;;
    taskapi-*)
      SVC_CMD=("$JAVA" -jar "$JAR")
      SVC_ENV+=(STORE="${name#taskapi-}" MAX_TASKS=100000000 ACCESS_LOG=false)
      SVC_READY=/health/ready
      SVC_LIST="/tasks?limit=$LIST_SIZE" ;;
    fastapi-*)
      SVC_CMD=("$PYTHON" -m uvicorn "${name/-/_}:app" --app-dir src/bench --host 127.0.0.1 --port "$SVC_PORT" --no-access-log)
      SVC_ENV+=(PYTHONDONTWRITEBYTECODE=1)
      SVC_READY=/health
      SVC_LIST=/tasks ;;
  esac
  case $name in
    fastapi-memory) SVC_PAGE= ;; # the original takes no limit: it always returns every task
    taskapi-postgres | slim-*postgres* | slim-pgbouncer*) SVC_TABLE=public.tasks SVC_DROP="DROP TABLE IF EXISTS tasks, schema_version" ;;
    fastapi-postgres) SVC_TABLE=fastapi.tasks SVC_DROP="DROP SCHEMA IF EXISTS fastapi CASCADE" SVC_CMD+=(--workers "$FASTAPI_WORKERS") ;;
  esac
  [ -z "$SVC_TABLE" ] || SVC_ENV+=(DB_POOL_SIZE="$DB_POOL_SIZE")
  case $name in
    slim-pgbouncer*) SVC_POOLER=1 SVC_ENV+=(DATABASE_URL="$PGBOUNCER_URL" DB_TRANSACTION_POOLER=true) ;;
    slim-postgres-tls*) SVC_ENV+=(DATABASE_URL="$DATABASE_URL?sslmode=verify-full&sslrootcert=$BENCH_CA") ;;
    # The server serves TLS only for the service above; the others say they want none (else libpq's default,
    # prefer, which task-api and asyncpg share, would make them TLS too).
    *) [ -z "$SVC_TABLE" ] || SVC_ENV+=(DATABASE_URL="$DATABASE_URL$(! wants tls || echo '?sslmode=disable')") ;;
  esac
  [ -z "$SVC_CONTAINER" ] || container_command "$name"
}

# container_command NAME: SVC_CMD runs the image as the pod runs it (the hardened flags every script uses, the
# deployment's config.env, the overlay's memory limit; CPU limit for *-limited), in the foreground (SIGTERM to
# the engine's client stops the container, which is then removed); SVC_ENV moves into the container's -e flags.
# Overrides of config.env: the bench's port on loopback, no shutdown delay, the access log as for every service.
container_command() {
  local name=$1 image=$IMAGE flags var network=(--network host) env=() store
  [[ $name != slim-aot-* ]] || image=$AOT_IMAGE
  store=${name#slim-}; store=${store#aot-}; store=${store%%-*}
  [ "$store" != pgbouncer ] || store=postgres
  mapfile -t flags < <(tk_run_flags "$PWD/$MODELS" | grep -vx -e -p -e '127.0.0.1::8080')
  # the CA, read-only where the production overlay mounts its ConfigMap
  [[ $name != *-tls* ]] || flags+=(-v "$work/pg/tls/ca.crt:$BENCH_CA:ro")
  flags+=(--memory "$MEM_LIMIT" --memory-swap "$MEM_LIMIT")
  [[ $name != *-limited ]] || flags+=(--cpus "$CPU_LIMIT")
  if [[ $name == *-published ]]; then
    network=(-p "127.0.0.1:$SVC_PORT:8080")
    SVC_ENV=(HOST=0.0.0.0 PORT=8080)
  fi
  for var in "${SVC_ENV[@]}" STORE="$store" MAX_TASKS=100000000 MEMORY_STORE_HEAP_PERCENT=90 ACCESS_LOG=false SHUTDOWN_DELAY_MS=0; do
    env+=(-e "$var")
  done
  SVC_CMD=("$engine" run --rm --name "$CONTAINER" "${network[@]}" "${flags[@]}" --env-file k8s/base/config.env "${env[@]}" "$image")
  SVC_ENV=()
}

start_service() { # name [VAR=value...]: starts it in a session of its own (SVC_PID); stdout and stderr to a file
  local name=$1
  shift
  service "$name"
  setsid env "${SVC_ENV[@]}" "$@" "${SVC_CMD[@]}" >"$work/$name.log" 2>&1 &
  SVC_PID=$!
}

wait_ready() { # name
  local deadline=$(($(now_ms) + 120000))
  until curl -fs --max-time 2 -o /dev/null "$BASE$SVC_READY"; do
    alive "$SVC_PID" || { tail -20 "$work/$1.log" >&2; die "$1 exited while starting (the end of its log above)"; }
    [ "$(now_ms)" -lt "$deadline" ] || { tail -20 "$work/$1.log" >&2; die "$1 not ready after 120 s (the end of its log above)"; }
    sleep 0.005
  done
}

stop_service() { # SIGTERM to the service's session, SIGKILL after 10 s
  [ -n "$SVC_PID" ] || return 0
  kill -TERM -- "-$SVC_PID" 2>/dev/null || true
  for _ in $(seq 1 100); do alive "$SVC_PID" || break; sleep 0.1; done
  kill -KILL -- "-$SVC_PID" 2>/dev/null || true
  wait "$SVC_PID" 2>/dev/null || true
  SVC_PID=
}

session_pids() { ps -o pid= --sid "$SVC_PID" || true; }
# Memory in kB: the RSS of every process of the service; a container's anonymous memory (its cgroup's: what its
# memory limit counts and cannot reclaim; the page cache of its files is left out).
rss_kb() {
  if [ -n "$SVC_CONTAINER" ]; then container_anon_kb; return; fi
  { ps -o rss= --sid "$SVC_PID" || true; } | awk '{s += $1} END {print s + 0}'
}

cpu_ticks() { # CPU time (clock ticks) used so far by the service's processes, and by PostgreSQL if it uses it
  local pid
  { if [ -n "$SVC_CONTAINER" ]; then container_ticks; fi
    for pid in $(session_pids); do proc_ticks "$pid" 2; done
    [ -z "$SVC_TABLE" ] || pg_cpu_ticks
    [ -z "$SVC_POOLER" ] || proc_ticks "$PGBOUNCER_PID" 2
  } | awk '{s += $1} END {print s + 0}'
}

settle() { # waits until the service (and its database) is idle, below 5% of a core over 0.2 s; at most 60 s
  # wrk leaves requests queued behind it when it stops; the next run must not pay for them.
  local before deadline=$(($(now_ms) + 60000))
  while [ "$(now_ms)" -lt "$deadline" ]; do
    before=$(cpu_ticks)
    sleep 0.2
    [ $(($(cpu_ticks) - before)) -gt $((CLK_TCK / 100)) ] || return 0
  done
  echo "bench: the service is still busy after 60 s; measuring anyway" >&2
}

uvicorn_stack() { # the event loop and HTTP parser the running uvicorn loaded (--loop auto, --http auto)
  local maps loop=asyncio http=h11
  maps=$(for pid in $(session_pids); do cat "/proc/$pid/maps" 2>/dev/null; done)
  grep -q '/uvloop/loop\.' <<<"$maps" && loop=uvloop
  grep -q '/httptools/parser/parser\.' <<<"$maps" && http=httptools
  echo "$loop + $http"
}

startup_ms() { # name: median over STARTS of start -> first 200 on its readiness path
  local samples=() t0
  for _ in $(seq 1 "$STARTS"); do
    t0=$(now_ms)
    start_service "$1"
    wait_ready "$1"
    samples+=($(($(now_ms) - t0)))
    stop_service
  done
  printf '%s\n' "${samples[@]}" | median
}

preload() { # n: creates n tasks through POST /tasks from one curl over one connection; all must succeed
  local n=$1 i created
  for i in $(seq 1 "$n"); do
    [ "$i" = 1 ] || echo next
    printf 'url = "%s/tasks"\nheader = "Content-Type: application/json"\noutput = "/dev/null"\nwrite-out = "%%{http_code}\\n"\n' "$BASE"
    printf 'data = "{\\"title\\":\\"task %d\\",\\"description\\":\\"preloaded\\",\\"priority\\":%d}"\n' "$i" $((i % 5 + 1))
  done >"$work/preload.curl"
  created=$(curl -s -K "$work/preload.curl" | grep -c '^20[01]$' || true)
  [ "$created" = "$n" ] || die "preloading: $created of $n creates succeeded"
}

check_table() { # name: the tasks just created must be rows of the service's own table
  [ -n "$SVC_TABLE" ] || return 0
  local rows
  rows=$(psql_at "$DATABASE_URL" -c "SELECT count(*) FROM $SVC_TABLE")
  [ "$rows" = "$LIST_SIZE" ] || die "$1: $rows rows in $SVC_TABLE after creating $LIST_SIZE tasks"
  psql_at "$DATABASE_URL" -c "VACUUM ANALYZE $SVC_TABLE"
  psql_at "$PG_SUPERUSER_URL" -c CHECKPOINT
}

# --- measuring

wrk_run() { # path conns script seconds -> wrk's report
  local args=(-t"$THREADS" -c"$2" -d"$4s" --latency --timeout 5s)
  [ -z "$3" ] || args+=(-s "$3")
  wrk "${args[@]}" "$BASE$1" 2>&1 || true
}

measure() { # path conns [script [pg [fresh]]] -> "req/s p50-ms p99-ms errors req-per-PG-CPU-s": medians over RUNS,
  #          worst errors; PostgreSQL's CPU time is counted if pg is given; with fresh (the service's name), each run
  #          is on a service restarted with an empty store, warmed up on /health, and lasts MEMORY_POST_DURATION
  local path=$1 conns=$2 script=${3:-} pg=${4:-} fresh=${5:-} seconds=$DURATION out ticks rps=() p50=() p99=() errors=() per_cpu=()
  settle
  if [ -n "$fresh" ]; then seconds=$MEMORY_POST_DURATION
  elif [ "$WARMUP" != 0 ]; then wrk_run "$path" "$conns" "$script" "$WARMUP" >/dev/null; fi
  for _ in $(seq 1 "$RUNS"); do
    [ -z "$fresh" ] || restart_empty "$fresh" "$conns"
    settle
    ticks=0
    [ -z "$pg" ] || ticks=$(pg_cpu_ticks)
    out=$(wrk_run "$path" "$conns" "$script" "$seconds")
    [ -z "$pg" ] || ticks=$(($(pg_cpu_ticks) - ticks))
    rps+=("$(awk '/^Requests\/sec/ {v = $2} END {print v + 0}' <<<"$out")")
    p50+=("$(awk '$1 == "50%" {print $2}' <<<"$out" | to_ms)")
    p99+=("$(awk '$1 == "99%" {print $2}' <<<"$out" | to_ms)")
    errors+=("$(awk '/Socket errors/ {gsub(",", ""); e = $4 + $6 + $8 + $10} /Non-2xx/ {e += $5} END {print e + 0}' <<<"$out")")
    per_cpu+=("$(awk -v t="$ticks" -v hz="$CLK_TCK" '/ requests in / {if (t > 0) printf "%.0f\n", $1 / (t / hz); else print "-"}' <<<"$out")")
  done
  echo "$(printf '%s\n' "${rps[@]}" | median) $(printf '%s\n' "${p50[@]}" | median) $(printf '%s\n' "${p99[@]}" | median)" \
    "$(printf '%s\n' "${errors[@]}" | sort -g | tail -1) $(printf '%s\n' "${per_cpu[@]}" | median)"
}

# restart_empty NAME CONNS: the service again, with an empty in-memory store (a bounded store fills within seconds
# of creates: the slim image's holds MEMORY_STORE_HEAP_PERCENT of its heap, and answers 507 when full), warmed up
# for WARMUP s on /health; what the container it replaces met (OOM kills, an exit) is kept for the report.
restart_empty() {
  if [ -n "$SVC_CONTAINER" ]; then
    EARLIER_OOM=$((EARLIER_OOM + $(container_oom_kills)))
    alive "$SVC_PID" || EARLIER_EXITS=$((EARLIER_EXITS + 1))
  fi
  stop_service
  start_service "$1"
  wait_ready "$1"
  [ "$WARMUP" = 0 ] || wrk_run /health "$2" "" "$WARMUP" >/dev/null
}

request_path() { # scenario -> path on the running service; empty if it has no such request
  case $1 in
    health) echo /health ;;
    get) echo /tasks/task_7 ;;
    page) echo "$SVC_PAGE" ;;
    list) echo "$SVC_LIST" ;;
    post) echo /tasks ;;
  esac
}

bench_scenario() { # name scenario conns
  local path script='' pg=$SVC_TABLE fresh=''
  path=$(request_path "$2")
  [ -n "$path" ] || return 0
  [ "$2" != post ] || script=src/bench/post_task.lua
  [ "$2" != health ] || pg= # answered without the database
  [[ $2 != post || -n $SVC_TABLE ]] || fresh=$1 # creates into memory: each run on an empty store
  note "$1: $(label "$2"), $3 connections"
  # Not in $(...): with fresh, measure replaces the running service, which a subshell could not hand back.
  measure "$path" "$3" "$script" "$pg" "$fresh" >"$work/measured"
  R[$1,$2,$3]=$(<"$work/measured")
}

bench_service() { # name
  local name=$1 conns scenario pooler_ticks=0
  EARLIER_OOM=0 EARLIER_EXITS=0
  note "$name: start -> ready, median of $STARTS"
  R[$name,startup]=$(startup_ms "$name")
  start_service "$name"
  wait_ready "$name"
  preload "$LIST_SIZE"
  check_table "$name"
  [[ $name != fastapi-* ]] || R[$name,stack]=$(uvicorn_stack)
  sleep 2
  R[$name,rss_idle]=$(rss_kb)
  [ -z "$SVC_POOLER" ] || pooler_ticks=$(proc_ticks "$PGBOUNCER_PID" 2)
  # Creates last: until then the store holds exactly the preloaded tasks, so every listing returns the same.
  for conns in $CONNS; do
    for scenario in $READS; do bench_scenario "$name" "$scenario" "$conns"; done
  done
  for conns in $CONNS; do bench_scenario "$name" post "$conns"; done
  [ -z "$SVC_POOLER" ] || R[$name,pooler_cpu]=$(awk -v t="$(($(proc_ticks "$PGBOUNCER_PID" 2) - pooler_ticks))" -v hz="$CLK_TCK" 'BEGIN {printf "%.1f", t / hz}')
  R[$name,rss_load]=$(rss_kb)
  if [ -n "$SVC_CONTAINER" ]; then
    R[$name,oom]=$(($(container_oom_kills) + EARLIER_OOM))
    alive "$SVC_PID" && [ "$EARLIER_EXITS" = 0 ] && R[$name,state]=running || R[$name,state]="**exited**"
  fi
  stop_service
  [ -z "$SVC_DROP" ] || psql_at "$DATABASE_URL" -c "$SVC_DROP"
}

bench_published() { # the slim image in memory with its port published (-p) instead of the host's network
  local name=slim-memory-published
  note "$name: GET /tasks/{id}, 64 connections"
  start_service "$name"
  wait_ready "$name"
  preload 10
  R[$name,get,64]=$(measure /tasks/task_7 64)
  stop_service
}

published_table() {
  local host published
  host=$(field slim-memory,get,64 1) published=$(field slim-memory-published,get,64 1)
  echo "| slim image in memory, \`GET /tasks/{id}\`, 64 connections | req/s | p50 ms | p99 ms | errors |"
  echo "|---|---|---|---|---|"
  echo "| \`--network host\` (the rows above) |$(cells slim-memory,get,64 1 2 3 4)"
  echo "| \`-p 127.0.0.1:$SVC_PORT:8080\` ($engine's port forwarding) |$(cells slim-memory-published,get,64 1 2 3 4)"
  echo
  awk -v a="$published" -v b="$host" 'BEGIN {if (a != "-" && b + 0 > 0) printf "Publishing the port costs %.0f %% of the requests per second here.\n", (1 - a / b) * 100}'
}

all_services_table() { # req/s of every service, every request, every connection count
  local name scenario conns head="| request | conns |" rule="|---|---|" row
  for name in $SERVICES; do head+=" $(title "$name") |" rule+="---|"; done
  printf '%s\n' "$head" "$rule"
  for scenario in $READS post; do
    for conns in $CONNS; do
      row="| $(label "$scenario") | $conns |"
      for name in $SERVICES; do row+=" $(field "$name,$scenario,$conns" 1) |"; done
      echo "$row"
    done
  done
}

access_lines() { grep -F 'tasks/task_7' "$1" || true; }

bench_access_log() { # task-api in memory, GET /tasks/{id} at 64 connections, per access log format
  local format log settings
  for format in $ACCESS_LOG_FORMATS; do
    case $format in
      off) settings=(ACCESS_LOG=false) ;;
      text | json) settings=(ACCESS_LOG=true LOG_FORMAT="$format") ;;
      *) die "ACCESS_LOG_FORMATS: unknown format '$format' (off, text, json)" ;;
    esac
    note "access log $format: GET /tasks/{id}, 64 connections"
    start_service taskapi-memory "${settings[@]}"
    wait_ready taskapi-memory
    preload 10
    R[log,$format]=$(measure /tasks/task_7 64)
    stop_service
    log=$work/taskapi-memory.log
    R[log,$format,bytes]=$(access_lines "$log" | awk '{n++; b += length($0) + 1} END {print (n ? int(b / n) : 0)}')
    R[log,$format,dropped]=$({ grep -o 'access log: [0-9]* lines dropped' "$log" || true; } | awk '{n += $3} END {print n + 0}')
    [ "$format" = off ] || R[log,$format,sample]=$(access_lines "$log" | tail -1)
  done
}


# --- the soak (bench.sh soak, make soak): SOAK_SERVICE under a mix of reads, creates and completes
# (src/bench/mixed.lua) at SOAK_CONNS connections for SOAK_MINUTES one-minute wrk runs back to back; the
# container's anonymous memory is sampled every SOAK_SAMPLE s, its OOM kills and exits counted.

bench_soak() {
  local name=$SOAK_SERVICE minute wrk_pid out peak samples kills
  note "$name: soak, mixed requests, $SOAK_CONNS connections, $SOAK_MINUTES × 60 s"
  start_service "$name"
  wait_ready "$name"
  preload "$LIST_SIZE"
  check_table "$name"
  SOAK_START_KB=$(rss_kb)
  : >"$work/soak.rows"
  for minute in $(seq 1 "$SOAK_MINUTES"); do
    wrk_run / "$SOAK_CONNS" src/bench/mixed.lua 60 >"$work/soak.wrk" &
    wrk_pid=$!
    samples=()
    while alive "$wrk_pid"; do
      sleep "$SOAK_SAMPLE"
      alive "$SVC_PID" || break
      samples+=("$(rss_kb)")
    done
    wait "$wrk_pid" || true
    out=$(<"$work/soak.wrk")
    peak=$(printf '%s\n' "${samples[@]:-0}" | sort -g | tail -1)
    kills=$(container_oom_kills)
    printf '%s %s %s %s %s %s %s\n' "$minute" \
      "$(awk '/^Requests\/sec/ {v = $2} END {printf "%.0f", v}' <<<"$out")" \
      "$(awk '$1 == "50%" {print $2}' <<<"$out" | to_ms)" "$(awk '$1 == "99%" {print $2}' <<<"$out" | to_ms)" \
      "$(awk '/Socket errors/ {gsub(",", ""); e = $4 + $6 + $8 + $10} /Non-2xx/ {e += $5} END {print e + 0}' <<<"$out")" \
      "$((peak / 1024))" "$kills" >>"$work/soak.rows"
    note "minute $minute: $(tail -1 "$work/soak.rows")"
    if ! alive "$SVC_PID"; then SOAK_STATE="**exited** in minute $minute"; break; fi
  done
  SOAK_STATE=${SOAK_STATE:-running}
  SOAK_OOM=$(container_oom_kills)
  SOAK_ROWS=$(psql_at "$DATABASE_URL" -c "SELECT count(*) FROM $SVC_TABLE" 2>/dev/null || echo -)
  stop_service
}

soak_report() {
  local minutes
  minutes=$(wc -l <"$work/soak.rows")
  echo "# Soak"
  echo
  echo "- Written by \`make soak\` (src/scripts/bench.sh soak) on $(date -u +%Y-%m-%dT%H:%MZ); machine as above ($(nproc) cores),"
  echo "  load average when it started: $LOAD_AT_START."
  echo "- Service: $(title "$SOAK_SERVICE"), run as in the tables above (\`--memory $MEM_LIMIT --memory-swap $MEM_LIMIT\`$([[ $SOAK_SERVICE != *-limited ]] || echo " \`--cpus $CPU_LIMIT\`"), the"
  echo "  image's JVM flags, the deployment's config.env), $LIST_SIZE tasks created first."
  echo "- Load: wrk -t$THREADS -c$SOAK_CONNS with src/bench/mixed.lua, one-minute runs back to back: of every 100 requests,"
  echo "  70 \`GET /tasks/{id}\`, 15 \`POST /tasks\`, 8 \`GET /tasks?limit=100\`, 5 \`PATCH /tasks/{id}/complete\`, 2 \`GET /tasks?limit=$LIST_SIZE\`."
  echo "- Memory: the container cgroup's anonymous memory, the highest of the samples taken every $SOAK_SAMPLE s in that minute;"
  echo "  at the start (after the $LIST_SIZE creates, before the load): $((SOAK_START_KB / 1024)) MB."
  echo
  echo "| minute | req/s | p50 ms | p99 ms | errors | memory peak MB | OOM kills so far |"
  echo "|---|---|---|---|---|---|---|"
  awk '{printf "| %s | %s | %s | %s | %s | %s | %s |\n", $1, $2, $3, $4, $5, $6, $7}' "$work/soak.rows"
  echo
  echo "After $minutes minutes: OOM kills $SOAK_OOM, container $SOAK_STATE, errors $(awk '{e += $5} END {print e + 0}' "$work/soak.rows"),"
  echo "$SOAK_ROWS rows in the table. $(awk -v n="$minutes" '
    {peak[NR] = $6}
    END {
      if (n < 4) { print "Too short to judge a plateau."; exit }
      h = int(n / 2); a = 0; b = 0
      for (i = 1; i <= h; i++) if (peak[i] > a) a = peak[i]
      for (i = h + 1; i <= n; i++) if (peak[i] > b) b = peak[i]
      printf "Memory peak in the first %d minutes: %d MB; in the last %d: %d MB (%+d MB).\n", h, a, n - h, b, b - a
    }' "$work/soak.rows")"
}

# --- the report

title() {
  case $1 in
    slim-memory) echo "slim image (memory)" ;;
    slim-postgres) echo "slim image (PostgreSQL)" ;;
    slim-memory-limited) echo "slim image, ${CPU_LIMIT:-?} CPU (memory)" ;;
    slim-postgres-limited) echo "slim image, ${CPU_LIMIT:-?} CPU (PostgreSQL)" ;;
    slim-pgbouncer-limited) echo "slim image, ${CPU_LIMIT:-?} CPU (PostgreSQL through PgBouncer)" ;;
    slim-postgres-tls-limited) echo "slim image, ${CPU_LIMIT:-?} CPU (PostgreSQL over TLS, verify-full)" ;;
    slim-aot-memory) echo "slim-aot image (memory)" ;;
    slim-aot-postgres) echo "slim-aot image (PostgreSQL)" ;;
    taskapi-memory) echo "jar on the host (memory)" ;;
    taskapi-postgres) echo "jar on the host (PostgreSQL)" ;;
    fastapi-memory) echo "FastAPI (memory)" ;;
    fastapi-postgres) echo "FastAPI + asyncpg" ;;
  esac
}

label() {
  case $1 in
    health) echo 'GET /health' ;;
    get) echo 'GET /tasks/{id}' ;;
    page) echo 'GET /tasks?limit=100' ;;
    list) echo "GET /tasks ($LIST_SIZE tasks)" ;;
    post) echo 'POST /tasks' ;;
  esac
}

field() { # key n -> the n-th figure of R[key], or - if not measured
  if [ -n "${R[$1]:-}" ]; then awk -v i="$2" '{print $i}' <<<"${R[$1]}"; else echo -; fi
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {if (a != "-" && b + 0 > 0) printf "%.1f×\n", a / b; else print "-"}'; }
cells() { local key=$1 n out=; shift; for n in "$@"; do out+=" $(field "$key" "$n") |"; done; echo "$out"; }
mb() { if [ -n "${R[$1]:-}" ]; then echo "$((R[$1] / 1024)) MB"; else echo -; fi; }

pair_table() { # service baseline: every scenario at every connection count, side by side, and the ratio
  local a=$1 b=$2 scenario conns r figures=(1 2 3 4) header="req/s | p50 ms | p99 ms | errors"
  [[ $a != *postgres && $a != *postgres-* && $a != *pgbouncer* ]] || { figures+=(5); header+=" | req per PG CPU-s"; }
  echo "| request | conns | $(title "$a"): $header | $(title "$b"): $header | ratio |"
  echo "|---|---|$(printf -- '---|%.0s' "${figures[@]}" "${figures[@]}")---|"
  for scenario in $READS post; do
    for conns in $CONNS; do
      [ -n "${R[$a,$scenario,$conns]:-}${R[$b,$scenario,$conns]:-}" ] || continue
      r=$(ratio "$(field "$a,$scenario,$conns" 1)" "$(field "$b,$scenario,$conns" 1)")
      echo "| $(label "$scenario") | $conns |$(cells "$a,$scenario,$conns" "${figures[@]}")$(cells "$b,$scenario,$conns" "${figures[@]}") $r |"
    done
  done
}

target_rows() {
  local t a b scenario conns min r verdict image_errors=0 services=() name
  echo "| goal | needed | measured | |"
  echo "|---|---|---|---|"
  for t in "${TARGETS[@]}"; do
    read -r a b scenario conns min <<<"$t"
    r=$(ratio "$(field "$a,$scenario,$conns" 1)" "$(field "$b,$scenario,$conns" 1)")
    if [ "$r" = - ]; then verdict="not measured"
    elif awk -v r="${r%×}" -v m="$min" 'BEGIN {exit !(r >= m)}'; then verdict=met
    else verdict="**MISSED**"; fi
    echo "| $(title "$a") vs $(title "$b"): $(label "$scenario"), $conns connections | ≥ $min× | $r | $verdict |"
  done
  local exited=0
  for name in $SERVICES; do
    [[ $name == slim-* ]] || continue # the images as deployed; the others are peers and references
    for scenario in $READS post; do
      [ -n "${R[$name,$scenario,256]:-}" ] || continue
      services+=("$name")
      image_errors=$((image_errors + $(field "$name,$scenario,256" 4)))
    done
    [ "${R[$name,state]:-running}" = running ] || exited=$((exited + 1))
  done
  if [ "${#services[@]}" = 0 ]; then verdict="not measured"; elif [ "$image_errors" = 0 ] && [ "$exited" = 0 ]; then verdict=met; else verdict="**MISSED**"; fi
  echo "| errors at 256 connections, every request, the images (and containers that exited) | 0 | $image_errors ($exited) | $verdict |"
  p99_rows
}

# p99 at 64 connections below the original app's, in every request both serve: the deployed configuration
# against the original on PostgreSQL, the slim image in memory against the original in memory.
p99_rows() {
  local a b pair scenario worse measured verdict
  for pair in "slim-postgres fastapi-postgres" "slim-memory fastapi-memory"; do
    read -r a b <<<"$pair"
    worse=() measured=0
    for scenario in $READS post; do
      if [ "$(field "$a,$scenario,64" 3)" = - ] || [ "$(field "$b,$scenario,64" 3)" = - ]; then continue; fi
      measured=$((measured + 1))
      awk -v x="$(field "$a,$scenario,64" 3)" -v y="$(field "$b,$scenario,64" 3)" 'BEGIN {exit !(x < y)}' ||
        worse+=("$(label "$scenario") ($(field "$a,$scenario,64" 3) vs $(field "$b,$scenario,64" 3) ms)")
    done
    if [ "$measured" = 0 ]; then verdict="not measured"; elif [ "${#worse[@]}" = 0 ]; then verdict=met; else verdict="**MISSED**"; fi
    echo "| $(title "$a") vs $(title "$b"): p99 at 64 connections, every request | lower | $((measured - ${#worse[@]})) of $measured lower${worse[*]:+; not: $(IFS=,; echo "${worse[*]}")} | $verdict |"
  done
}

access_log_table() {
  local format off
  off=$(field log,off 1)
  echo "| access log | req/s | p50 ms | p99 ms | errors | vs off | bytes a line | lines dropped |"
  echo "|---|---|---|---|---|---|---|---|"
  for format in $ACCESS_LOG_FORMATS; do
    echo "| $format |$(cells "log,$format" 1 2 3 4) $(awk -v a="$(field "log,$format" 1)" -v b="$off" \
      'BEGIN {if (b + 0 > 0 && a != "-") printf "%+.1f%%", (a / b - 1) * 100; else print "-"}') | ${R[log,$format,bytes]:--} | ${R[log,$format,dropped]:--} |"
  done
}

start_table() {
  local name row1="| start → first 200 (median of $STARTS) |" row2="| memory idle, $LIST_SIZE tasks created |" row3="| memory after the runs above |"
  local row4="| OOM kills, container state after |" head="| |" rule="|---|"
  for name in $SERVICES; do
    head+=" $(title "$name") |" rule+="---|"
    row1+=" ${R[$name,startup]:--} ms |" row2+=" $(mb "$name,rss_idle") |" row3+=" $(mb "$name,rss_load") |"
    row4+=" ${R[$name,oom]:--}, ${R[$name,state]:--} |"
  done
  printf '%s\n' "$head" "$rule" "$row1" "$row2" "$row3" "$row4"
}

python_versions() {
  "$PYTHON" -c 'import sys, importlib.metadata as m
print("Python %s" % sys.version.split()[0] + "".join(", %s %s" % (p, m.version(p)) for p in sys.argv[1:]))' \
    fastapi starlette pydantic uvicorn uvloop httptools asyncpg 2>/dev/null || echo "Python packages: n/a"
}

report() {
  local name line
  echo "# Benchmarks"
  echo
  echo "How much more does task-api serve than the original FastAPI app it was rebuilt from, on the same machine:"
  echo "both on tasks held in memory, and both on PostgreSQL (task-api's PostgreSQL store against the original app"
  echo "with its dict replaced by asyncpg), for a single read, a create, a page of 100 and a listing of $LIST_SIZE,"
  echo "at 64 and 256 connections; whether the goals below are met; how much PostgreSQL CPU each request costs;"
  echo "and what task-api's access log costs in each format. Every service is started fresh, alone, on 127.0.0.1,"
  echo "and driven by wrk on the same cores, so the figures compare the services with each other on this machine;"
  echo "they are not capacity figures for a deployment."
  echo
  if [ "$DURATION" -lt 5 ] || [ "$RUNS" -lt 3 ] || [ "$WARMUP" -lt 3 ]; then
    echo "**Smoke run** (DURATION=$DURATION RUNS=$RUNS WARMUP=$WARMUP, below the defaults 5, 3 and 3): it shows that the bench"
    echo "works end to end; its figures are not measurements."
    echo
  fi
  echo "## Setup"
  echo
  echo "- Written by \`make bench\` (src/scripts/bench.sh) on $(date -u +%Y-%m-%dT%H:%MZ)."
  echo "- Machine: $(nproc) cores ($(lscpu | awk -F: '/Model name/ {gsub(/^ +/, "", $2); print $2; exit}')), $(free -g | awk '/Mem:/ {print $2}') GiB,"
  # shellcheck source=/dev/null # this machine's file, read in a subshell for PRETTY_NAME only
  echo "  $(. /etc/os-release && echo "$PRETTY_NAME"), kernel $(uname -r). wrk $({ wrk -v 2>&1 || true; } | awk 'NR==1 {print $2}') with $THREADS threads shares the cores with the service and PostgreSQL;"
  echo "  load average when the bench started: $LOAD_AT_START (anything well above 0 means other work shared the machine)."
  echo "- Method: per request and connection count, a ${WARMUP} s warm-up, then $RUNS × ${DURATION} s runs; req/s, p50 and p99"
  echo "  are medians over the runs, errors the worst run's socket errors (connect, read, write, timeouts over 5 s) plus"
  echo "  non-2xx responses. $LIST_SIZE tasks are created first; the reads run before the creates, so every listing returns"
  echo "  the same tasks. \`GET /tasks ($LIST_SIZE tasks)\` is \`?limit=$LIST_SIZE\` on task-api and plain \`/tasks\` on FastAPI."
  echo "  Creates into memory are measured apart: each of the $RUNS runs lasts ${MEMORY_POST_DURATION} s, on the service restarted with an"
  echo "  empty store and warmed up for ${WARMUP} s on /health (the slim image's store is bounded by its heap, MEMORY_STORE_HEAP_PERCENT,"
  echo "  and answers 507 once full: two seconds of creates at these rates fill it); the same for every service in memory, so"
  echo "  these figures include the JIT's first second on the create path."
  if wants slim; then
    echo "- The images, as the pods run them: \`$IMAGE\` (slim)$(! wants slim-aot || echo " and \`$AOT_IMAGE\` (slim-aot)"),"
    echo "  $("$engine" --version), their JVM flags (\`$("$engine" image inspect -f '{{join .Config.Entrypoint " "}}' "$IMAGE" | sed 's/ -cp .*//')\`),"
    echo "  the hardened run flags of every script (src/scripts/lib.sh run-flags: uid 65532, read-only root, no"
    echo "  capabilities), the deployment's k8s/base/config.env, and the task-api container's limits in $OVERLAY:"
    echo "  \`--memory $MEM_LIMIT --memory-swap $MEM_LIMIT\` always, \`--cpus $CPU_LIMIT\` for the *CPU* rows only. Overrides of"
    echo "  config.env: port $SVC_PORT on 127.0.0.1, \`ACCESS_LOG=false\` as for every service here, \`SHUTDOWN_DELAY_MS=0\`,"
    echo "  \`MAX_TASKS\` lifted, \`MEMORY_STORE_HEAP_PERCENT=90\` (room for a run of creates). \`--network host\`, so that the containers reach PostgreSQL on loopback as the others do;"
    echo "  what publishing the port costs instead is measured on its own below."
  fi
  if wants taskapi || [ -n "$ACCESS_LOG_FORMATS" ]; then
    echo "- task-api $VERSION: \`$JAVA -jar $JAR\` ($("$JAVA" -version 2>&1 | head -1)), default configuration: one event loop per"
    echo "  core, access log off (\`ACCESS_LOG=false\`), \`MAX_TASKS\` lifted for the create runs; output to a file."
  fi
  if wants fastapi; then
    echo "- FastAPI: $(python_versions), all from Debian packages."
    echo "  Served as FastAPI apps are deployed: \`python3 -m uvicorn <module>:app --host 127.0.0.1 --port $SVC_PORT --no-access-log\`,"
    echo "  uvicorn's defaults \`--loop auto --http auto\`, which resolved to $(for name in $SERVICES; do [ -z "${R[$name,stack]:-}" ] || echo "${R[$name,stack]} ($name)"; done | paste -sd ';' | sed 's/;/; /g')"
    echo "  (read from the loaded libraries of the running server). fastapi-memory is the original app"
    echo "  (src/bench/fastapi_memory.py), one worker (its tasks live in the process); it has no \`limit\` parameter, so it"
    echo "  has no \`GET /tasks?limit=100\` row. fastapi-postgres (src/bench/fastapi_postgres.py) is the original with its dict"
    echo "  replaced by asyncpg: \`async def\` endpoints, a pool of $DB_POOL_SIZE connections, \`--workers $FASTAPI_WORKERS\`."
  fi
  if wants postgres || wants pgbouncer; then
    echo "- PostgreSQL: $("$PG_BIN/postgres" --version | sed 's/^postgres (PostgreSQL) //'), a fresh cluster (initdb) in target/ on $(stat -f -c %T target),"
    echo "  scram-sha-256 over TCP on 127.0.0.1. Settings (read back from the server):"
    echo "  $(paste -sd ',' "$work/pg/settings" | sed 's/,/, /g')."
    echo "  A create is acknowledged only once its WAL is flushed to disk, as in production. Both services use database"
    echo "  \`bench\`, each in its own table: task-api's \`tasks\` (created by its migrations), FastAPI's \`fastapi.tasks\`,"
    echo "  each with a pool of $DB_POOL_SIZE connections per process; after the $LIST_SIZE creates, \`VACUUM ANALYZE\` and"
    echo "  \`CHECKPOINT\`. task-api's table has three more indexes (for its filtered listings) and each of its pages also"
    echo "  counts the tasks (\`X-Total-Count\`); FastAPI's table has its primary key only. *req per PG CPU-s*: requests"
    echo "  served per second of CPU time used by PostgreSQL (the postmaster and all its processes, from /proc/<pid>/stat)"
    echo "  during the run; \`GET /health\` does not touch the database."
  fi
  if wants tls; then
    echo "- TLS: the cluster serves TLS (\`ssl = on\`, a certificate for 127.0.0.1 from a CA made for the run, EC P-256). The"
    echo "  *over TLS* rows: the slim image as in the *CPU* rows with \`sslmode=verify-full\` and that CA mounted read-only as"
    echo "  \`PGSSLROOTCERT\`, as the production overlay connects; every other PostgreSQL service with \`sslmode=disable\`."
  fi
  if wants pgbouncer; then
    echo "- PgBouncer $(pgbouncer_version) (Debian's package) on 127.0.0.1:$PGBOUNCER_PORT in front of that PostgreSQL, \`pool_mode = transaction\`,"
    echo "  \`default_pool_size = $PGBOUNCER_POOL_SIZE\` server connections, SCRAM both ways. The *through PgBouncer* rows: the slim image as in"
    echo "  the *CPU* rows, with \`DB_TRANSACTION_POOLER=true\` (no prepared-statement cache: each statement is parsed and"
    echo "  planned again; no statement_timeout startup parameter). PgBouncer's own CPU is not in *req per PG CPU-s*."
  fi
  for line in "${SKIPPED[@]}"; do echo "- Not measured: $line."; done
  echo
  echo "## Goals"
  echo
  target_rows
  if wants slim-postgres && wants fastapi-postgres; then
    echo
    echo "## As deployed: the slim image on PostgreSQL against the original app on PostgreSQL"
    echo
    pair_table slim-postgres fastapi-postgres
  fi
  if wants slim-memory && wants fastapi-memory; then
    echo
    echo "## In memory: the slim image against the original FastAPI app"
    echo
    pair_table slim-memory fastapi-memory
  fi
  if wants slim-postgres-tls-limited && wants slim-postgres-limited; then
    echo
    echo "## Over TLS: the slim image, ${CPU_LIMIT:-?} CPU, with sslmode=verify-full against without TLS"
    echo
    pair_table slim-postgres-tls-limited slim-postgres-limited
  fi
  if wants slim-pgbouncer-limited && wants slim-postgres-limited; then
    echo
    echo "## Through PgBouncer: the slim image, ${CPU_LIMIT:-?} CPU, through PgBouncer in transaction mode against directly"
    echo
    pair_table slim-pgbouncer-limited slim-postgres-limited
    echo
    echo "PgBouncer's own CPU over all the runs through it: ${R[slim-pgbouncer-limited,pooler_cpu]:--} s."
  fi
  echo
  echo "## Every service (req/s)"
  echo
  all_services_table
  if [ -n "${R[slim-memory-published,get,64]:-}" ]; then
    echo
    echo "## What publishing the port costs"
    echo
    published_table
  fi
  if [ -n "$ACCESS_LOG_FORMATS" ]; then
    echo
    echo "## The access log's cost"
    echo
    echo "task-api in memory, \`GET /tasks/{id}\` at 64 connections, \`ACCESS_LOG=true LOG_FORMAT=text|json\`; the log"
    echo "(stdout and stderr) goes to a file, as a container's log does on a cluster node."
    echo
    access_log_table
    for name in text json; do
      # shellcheck disable=SC2016 # the backquotes are Markdown (a code span), not a command substitution
      [ -z "${R[log,$name,sample]:-}" ] || printf '\n%s line: `%s`\n' "$name" "${R[log,$name,sample]}"
    done
  fi
  echo
  echo "## Start and memory"
  echo
  echo "Start: from launching the process to the first 200 on the readiness path (task-api: \`/health/ready\`,"
  echo "FastAPI: \`/health\`). Memory: for the images, the container's anonymous memory (its cgroup's \`anon\`/\`total_rss\`:"
  echo "heap, metaspace, code, threads; what the limit counts and cannot reclaim); for host processes, the RSS of all of them."
  echo
  start_table
}

main() {
  LOAD_AT_START=$(cut -d' ' -f1-3 /proc/loadavg)
  check_prerequisites
  mkdir -p target
  work=$(mktemp -d "$PWD/target/bench.XXXXXX")
  chmod 755 "$work"
  trap cleanup EXIT
  trap 'echo "bench: failed: $BASH_COMMAND (line $LINENO)" >&2' ERR
  trap 'exit 130' INT TERM
  if wants postgres || wants pgbouncer; then
    pg_start
    psql_at "$DATABASE_URL" -F ' ' -c "SELECT name, current_setting(name) FROM pg_settings
      WHERE name IN ('shared_buffers', 'fsync', 'synchronous_commit', 'full_page_writes', 'wal_level', 'max_connections') ORDER BY name" |
      sed 's/ / = /' >"$work/pg/settings"
  fi
  if wants pgbouncer; then pgbouncer_start; fi
  mkdir -p "$(dirname "$OUT")"
  if [ "$MODE" = soak ]; then
    bench_soak
    soak_report >"$work/report.md"
    tk_write_generated "$OUT" "soak (make soak)" <"$work/report.md"
  else
    for name in $SERVICES; do bench_service "$name"; done
    if [ "$PUBLISHED_COST" = 1 ] && wants slim-memory; then bench_published; fi
    [ -z "$ACCESS_LOG_FORMATS" ] || bench_access_log
    report >"$work/report.md"
    tk_write_generated "$OUT" "benchmarks (make bench)" <"$work/report.md"
  fi
  cat "$work/report.md"
}

main
