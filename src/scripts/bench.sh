#!/usr/bin/env bash
# make bench: task-api against the original FastAPI app (src/bench/), both started fresh on loopback and driven by wrk
# on the same machine. Writes a Markdown report (default docs/benchmarks.md) and prints it.
#
# Environment: DURATION (s per run, default 5), RUNS (runs per scenario; the median is reported, default 3),
# WARMUP (s, default 3), THREADS (wrk threads, default 2), JAVA (default java), FASTAPI=0 to skip the FastAPI app,
# OUT (report path), JAVA_PORT / FASTAPI_PORT (default 18090 / 18091).
set -euo pipefail
cd "$(dirname "$0")/../.."
. src/scripts/lib.sh

DURATION=${DURATION:-5}
RUNS=${RUNS:-3}
WARMUP=${WARMUP:-3}
THREADS=${THREADS:-2}
JAVA=${JAVA:-java}
FASTAPI=${FASTAPI:-1}
OUT=${OUT:-docs/benchmarks.md}
JAVA_PORT=${JAVA_PORT:-18090}
FASTAPI_PORT=${FASTAPI_PORT:-18091}
LIST_SIZE=1000
VERSION=$(tk_version)
JAR=target/task-api-$VERSION.jar
work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT

for port in "$JAVA_PORT" "$FASTAPI_PORT"; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    echo "bench: 127.0.0.1:$port is already in use; set JAVA_PORT / FASTAPI_PORT" >&2
    exit 1
  fi
done

command -v wrk >/dev/null || { echo "bench: wrk not found (apt-get install wrk)" >&2; exit 1; }
[ -f "$JAR" ] || { echo "bench: $JAR missing: run 'make build' first" >&2; exit 1; }
if [ "$FASTAPI" = 1 ] && ! /usr/bin/python3 -c 'import fastapi, uvicorn' 2>/dev/null; then
  echo "bench: the FastAPI app needs Debian's python3-fastapi and python3-uvicorn (apt-get install python3-fastapi python3-uvicorn); FASTAPI=0 skips it" >&2
  exit 1
fi

now_ms() { date +%s%3N; }
rss_kb() { ps -o rss= -p "$1" | tr -d ' '; }
median() { sort -g | awk '{a[NR]=$1} END {if (NR==0) print "n/a"; else if (NR%2) print a[(NR+1)/2]; else printf "%.2f\n", (a[NR/2]+a[NR/2+1])/2}'; }

# start_service NAME -> sets SVC_PID; waits for READY_URL to answer 200 and records start->ready ms
start_java() {
  PORT=$JAVA_PORT HOST=127.0.0.1 MAX_TASKS=100000000 "$JAVA" -jar "$JAR" >"$work/java.log" 2>&1 &
  SVC_PID=$!
}
start_fastapi() {
  (cd src/bench && exec /usr/bin/python3 -m uvicorn seed_app:app --host 127.0.0.1 --port "$FASTAPI_PORT" --log-level warning) >"$work/fastapi.log" 2>&1 &
  SVC_PID=$!
}
wait_ready() { # url -> prints ms from now to first 200
  local url=$1 t0 t1
  t0=$(now_ms)
  for _ in $(seq 1 600); do
    if curl -fs -o /dev/null "$url"; then t1=$(now_ms); echo $((t1 - t0)); return 0; fi
    sleep 0.01
  done
  echo "bench: $url never answered" >&2; return 1
}
startup_ms() { # name url
  local name=$1 url=$2 samples=()
  for _ in 1 2 3 4 5; do
    local t0 t1
    t0=$(now_ms)
    "start_$name"
    until curl -fs -o /dev/null "$url"; do
      kill -0 "$SVC_PID" 2>/dev/null || { echo "bench: $name exited during startup; its log:" >&2; cat "$work/$name.log" >&2; exit 1; }
      sleep 0.005
    done
    t1=$(now_ms)
    samples+=($((t1 - t0)))
    kill "$SVC_PID"; wait "$SVC_PID" 2>/dev/null || true
  done
  printf '%s\n' "${samples[@]}" | median
}

# run_wrk base url conns [script] -> "rps p50ms p99ms errors" (median over RUNS)
wrk_line() {
  local url=$1 conns=$2 script=${3:-}
  local args=(-t"$THREADS" -c"$conns" --latency --timeout 5s)
  [ -n "$script" ] && args+=(-s "$script")
  wrk "${args[@]}" -d"${WARMUP}s" "$url" >/dev/null 2>&1 || true
  local rps=() p50=() p99=() errs=()
  for _ in $(seq 1 "$RUNS"); do
    local o
    o=$(wrk "${args[@]}" -d"${DURATION}s" "$url" 2>&1)
    rps+=("$(awk '/^Requests\/sec/ {print $2}' <<<"$o")")
    p50+=("$(awk '$1=="50%" {print $2}' <<<"$o" | to_ms)")
    p99+=("$(awk '$1=="99%" {print $2}' <<<"$o" | to_ms)")
    errs+=("$(awk '/Socket errors/ {gsub(",","");e=$4+$6+$8+$10} /Non-2xx/ {e+=$5} END {print e+0}' <<<"$o")")
  done
  echo "$(printf '%s\n' "${rps[@]}" | median) $(printf '%s\n' "${p50[@]}" | median) $(printf '%s\n' "${p99[@]}" | median) $(printf '%s\n' "${errs[@]}" | sort -g | tail -1)"
}
to_ms() { awk '{v=$1; if (v ~ /us$/) {sub("us","",v); v=v/1000} else if (v ~ /ms$/) {sub("ms","",v)} else if (v ~ /s$/) {sub("s","",v); v=v*1000}; printf "%.2f\n", v}'; }

preload() { # base n -> creates n tasks
  local base=$1 n=$2
  for i in $(seq 1 "$n"); do printf '{"title":"task %d","description":"preloaded for the list benchmark","priority":%d}\n' "$i" $((i % 5 + 1)); done |
    while read -r body; do curl -fs -o /dev/null -H 'Content-Type: application/json' -d "$body" "$base/tasks"; done
}

declare -A R
bench_app() { # name base ready_url list_url
  local name=$1 base=$2 ready=$3 list=$4
  echo "== $name: startup (median of 5)" >&2
  R[$name,startup]=$(startup_ms "$name" "$ready")
  "start_$name"; local pid=$SVC_PID; pids+=("$pid")
  wait_ready "$ready" >/dev/null
  preload "$base" "$LIST_SIZE"
  sleep 2
  R[$name,rss_idle]=$(rss_kb "$pid")
  # Creates last: until then the store holds exactly the preloaded tasks (the FastAPI app lists all of them).
  for c in 64 256; do
    echo "== $name: c=$c reads" >&2
    R[$name,list,$c]=$(wrk_line "$list" "$c")
    R[$name,health,$c]=$(wrk_line "$base/health" "$c")
    R[$name,get,$c]=$(wrk_line "$base/tasks/task_7" "$c")
  done
  for c in 64 256; do
    echo "== $name: c=$c creates" >&2
    R[$name,post,$c]=$(wrk_line "$base/tasks" "$c" src/bench/post_task.lua)
  done
  R[$name,rss_load]=$(rss_kb "$pid")
  kill "$pid"; wait "$pid" 2>/dev/null || true
}

bench_app java "http://127.0.0.1:$JAVA_PORT" "http://127.0.0.1:$JAVA_PORT/health/ready" "http://127.0.0.1:$JAVA_PORT/tasks?limit=$LIST_SIZE"
if [ "$FASTAPI" = 1 ]; then
  bench_app fastapi "http://127.0.0.1:$FASTAPI_PORT" "http://127.0.0.1:$FASTAPI_PORT/health" "http://127.0.0.1:$FASTAPI_PORT/tasks"
fi

field() { awk -v i="$2" '{print $i}' <<<"${R[$1]:-}"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {if (b+0 > 0) printf "%.1f×", a/b; else print "n/a"}'; }
{
  echo "# Benchmarks"
  echo
  echo "Written by \`make bench\` ($(date -u +%Y-%m-%dT%H:%MZ)). Machine: $(nproc) cores ($(lscpu | awk -F: '/Model name/ {gsub(/^ +/,"",$2); print $2; exit}')),"
  echo "$(free -g | awk '/Mem:/ {print $2}') GiB, $(. /etc/os-release && echo "$PRETTY_NAME"); wrk ($THREADS threads) shares the cores with the server."
  echo "task-api: \`$JAVA -jar $JAR\` ($("$JAVA" -version 2>&1 | head -1)), default configuration (one event loop per core, access log on, to a file)."
  [ "$FASTAPI" = 1 ] && echo "FastAPI: the original FastAPI app (src/bench/seed_app.py), \`python3 -m uvicorn\`, one worker, Debian's python3-fastapi $(/usr/bin/python3 -c 'import fastapi; print(fastapi.__version__)')."
  echo "Each figure is the median of $RUNS runs of ${DURATION} s after a ${WARMUP} s warm-up; errors are the worst run's socket errors + non-2xx responses."
  echo "The list scenario reads $LIST_SIZE tasks per request (\`limit=$LIST_SIZE\`; the FastAPI app has no limit and holds exactly $LIST_SIZE then)."
  echo
  echo "| scenario | conns | task-api req/s | p50 ms | p99 ms | errors | FastAPI req/s | FastAPI p50 ms | FastAPI p99 ms | FastAPI errors | ratio |"
  echo "|---|---|---|---|---|---|---|---|---|---|---|"
  for s in health get post list; do
    case $s in health) label='GET /health';; get) label='GET /tasks/{id}';; post) label='POST /tasks';; list) label="GET /tasks ($LIST_SIZE)";; esac
    for c in 64 256; do
      j=${R[java,$s,$c]}; sd=${R[fastapi,$s,$c]:-"- - - -"}
      echo "| $label | $c | $(field java,$s,$c 1) | $(field java,$s,$c 2) | $(field java,$s,$c 3) | $(field java,$s,$c 4) | $(awk '{print $1}' <<<"$sd") | $(awk '{print $2}' <<<"$sd") | $(awk '{print $3}' <<<"$sd") | $(awk '{print $4}' <<<"$sd") | $(ratio "$(field java,$s,$c 1)" "$(awk '{print $1}' <<<"$sd")") |"
    done
  done
  echo
  echo "| | task-api | FastAPI |"
  echo "|---|---|---|"
  echo "| start → first 200 (median of 5; task-api: /health/ready, FastAPI: /health) | ${R[java,startup]} ms | ${R[fastapi,startup]:-n/a} ms |"
  echo "| RSS idle, $LIST_SIZE tasks loaded | $(( ${R[java,rss_idle]} / 1024 )) MB | $( [ -n "${R[fastapi,rss_idle]:-}" ] && echo $(( ${R[fastapi,rss_idle]} / 1024 )) || echo n/a) MB |"
  echo "| RSS after the load above | $(( ${R[java,rss_load]} / 1024 )) MB | $( [ -n "${R[fastapi,rss_load]:-}" ] && echo $(( ${R[fastapi,rss_load]} / 1024 )) || echo n/a) MB |"
} >"$OUT"
cat "$OUT"
