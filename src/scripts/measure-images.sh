#!/usr/bin/env bash
# Measures the built images (target/jib/task-api-*.tar) and writes the figures into docs/images.md (between its "generated" markers):
#   size uncompressed (engine) and compressed (gzip layers + config, what a registry stores);
#   container start (`run -d`) -> first 200 on /health/ready, median of RUNS;
#   RSS of the JVM idle and after LOAD_SECONDS of wrk -c256 on GET /tasks/{id};
#   the same load under the deployment's memory limit (k8s/base, read with kubectl kustomize): errors, OOM kill.
# Runs containers as the tests do (lib.sh tk_run_flags: uid 65532, read-only root, /tmp tmpfs, models read-only,
# loopback). env: ENGINE (lib.sh), VARIANTS (default: slim slim-aot distroless), RUNS (5), LOAD_SECONDS (30), OUT (docs/images.md)
set -euo pipefail
cd "$(dirname "$0")/../.."
# shellcheck source=lib.sh
. src/scripts/lib.sh
tk_require_engine "the images are measured in containers"
tk_pod_limits k8s/base
read -r -a variants <<<"${VARIANTS:-slim slim-aot distroless}"
runs=${RUNS:-5} load=${LOAD_SECONDS:-30} out=${OUT:-docs/images.md}
models=$(cd "${MODELS:-models}" && pwd)
work=$(mktemp -d); names=()
cleanup() { tk_rm "${names[@]}"; rm -rf "$work"; }
trap cleanup EXIT

start() { # start NAME IMAGE [extra run args...]: prints nothing, registers the container
  local name=$1 img=$2; shift 2
  names+=("$name")
  tk_run_hardened "$name" "$img" "$models" -e ACCESS_LOG=false "$@"
}
# VmRSS of the JVM, and its anonymous part (heap, metaspace, stacks: what file-backed sharing cannot reclaim).
rss_mb() {
  local pid; pid=$("$engine" inspect -f '{{.State.Pid}}' "$1")
  awk '/^VmRSS/ {r = $2} /^RssAnon/ {a = $2} END {printf "%.1f (anon %.1f)", r/1024, a/1024}' "/proc/$pid/status"
}
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
wrk_run() { # wrk_run PORT -> prints "req/s|p99|errors"
  local p=$1 id
  id=$(curl -fs -H 'content-type: application/json' -d '{"title":"bench","priority":2}' "http://127.0.0.1:$p/tasks" \
       | sed 's/.*"id":"\([^"]*\)".*/\1/')
  wrk -t2 -c256 -d"${load}s" --latency "http://127.0.0.1:$p/tasks/$id" >"$work/wrk.txt" 2>&1 || true
  local rps p99 non2xx sock
  rps=$(awk '/Requests\/sec/ {print $2}' "$work/wrk.txt")
  p99=$(awk '$1 == "99%" {print $2}' "$work/wrk.txt")
  non2xx=$(awk '/Non-2xx/ {print $NF}' "$work/wrk.txt"); non2xx=${non2xx:-0}
  sock=$(awk -F'[ ,]+' '/Socket errors/ {print $4+$6+$8+$10}' "$work/wrk.txt"); sock=${sock:-0}
  echo "${rps:-0}|${p99:-?}|$((non2xx + sock))"
}

declare -A size_u size_c start_ms jvm_ms idle_rss load_rss load_res mem_res
for v in "${variants[@]}"; do
  tar=target/jib/task-api-$v.tar
  [ -f "$tar" ] || { echo "skip $v: $tar not built"; continue; }
  img=$(tk_load "$tar")
  size_u[$v]=$(awk -v b="$("$engine" image inspect -f '{{.Size}}' "$img")" 'BEGIN {printf "%.1f", b/1e6}')
  size_c[$v]=$(tar -tvf "$tar" | awk '$NF ~ /(\.tar\.gz|config\.json)$/ {s += $3} END {printf "%.1f", s/1e6}')
  echo "== $v ($img): ${size_u[$v]} MB uncompressed, ${size_c[$v]} MB compressed"
  : >"$work/starts"; : >"$work/jvm_starts"
  for i in $(seq 1 "$runs"); do
    n=task-api-bench-$v-$i-$$
    t0=$(date +%s%N); start "$n" "$img"; p=$(tk_port "$n")
    tk_await_ready "http://127.0.0.1:$p/health/ready" 60 "$n" || { "$engine" logs "$n"; exit 1; }
    t1=$(date +%s%N); echo $(( (t1 - t0) / 1000000 )) >>"$work/starts"
    # The JVM's own part: from its process start (process_start_time_seconds, same clock) to that first 200.
    jvm0=$(curl -fs "http://127.0.0.1:$p/metrics" | awk '/^process_start_time_seconds/ {printf "%.0f", $2 * 1000}')
    echo $(( t1 / 1000000 - jvm0 )) >>"$work/jvm_starts"
    if [ "$i" = "$runs" ]; then
      sleep 5; idle_rss[$v]=$(rss_mb "$n")
      res=$(wrk_run "$p"); load_res[$v]=$res; load_rss[$v]=$(rss_mb "$n")
    fi
    tk_rm "$n"
  done
  start_ms[$v]=$(median <"$work/starts"); jvm_ms[$v]=$(median <"$work/jvm_starts")
  echo "   start -> ready ms: $(tr '\n' ' ' <"$work/starts")(median ${start_ms[$v]}; JVM part ${jvm_ms[$v]}); idle RSS ${idle_rss[$v]} MB;" \
       "load ${load_res[$v]} (req/s|p99|errors), RSS after ${load_rss[$v]} MB"
  n=task-api-bench-$v-mem-$$
  start "$n" "$img" --memory "$MEM_LIMIT" --memory-swap "$MEM_LIMIT"; p=$(tk_port "$n")
  tk_await_ready "http://127.0.0.1:$p/health/ready" 60 "$n" || { "$engine" logs "$n"; exit 1; }
  sleep 5; idle=$(rss_mb "$n")
  res=$(wrk_run "$p")
  state=$("$engine" inspect -f '{{.State.Status}} oom={{.State.OOMKilled}} exit={{.State.ExitCode}}' "$n")
  rss=$([[ $state == running* ]] && rss_mb "$n" || echo "-")
  mem_res[$v]="$idle|$res|$state|$rss"
  echo "   --memory $MEM_LIMIT: ${mem_res[$v]}"
  tk_rm "$n"
done

cpu=$(lscpu | sed -n 's/^Model name: *//p' | head -1)
{
  echo "Written by \`make bench-images\` (src/scripts/measure-images.sh) on $(date -u +%Y-%m-%dT%H:%MZ), commit"
  echo "$(git rev-parse --short HEAD 2>/dev/null || echo unknown). Machine: $(nproc) cores ($cpu), $(free -g | awk '/Mem:/ {print $2}') GiB,"
  echo "$(uname -sr), $("$engine" --version), load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "(the machine is shared: timings are noisy; compare variants measured in the same run)."
  echo
  echo "Containers run as in the tests (src/scripts/lib.sh): \`$(tk_run_flags models | tr '\n' ' ' | sed 's/ $//')\`,"
  echo "ACCESS_LOG=false. Start = \`$engine run -d\` until the first"
  echo "200 on /health/ready (curl every 10 ms), median of $runs; 'of which JVM' = from the JVM's process start"
  echo "(process_start_time_seconds) to that 200, the rest is the engine creating the container. RSS = VmRSS of the JVM (pid 1 of the container), with its anonymous part (RssAnon) in brackets: the rest is"
  echo "file-backed (libjvm, the jimage, the AOT cache), shared and reclaimable."
  echo "Load = \`wrk -t2 -c256 -d${load}s\` on GET /tasks/{id}; errors = non-2xx + socket errors."
  echo
  echo "| variant | uncompressed MB | compressed MB | start → ready ms (median) | of which JVM ms | idle RSS MB | wrk req/s | p99 | errors | RSS after MB |"
  echo "|---|---|---|---|---|---|---|---|---|---|"
  for v in "${variants[@]}"; do
    [ -n "${size_u[$v]:-}" ] || continue
    IFS='|' read -r rps p99 err <<<"${load_res[$v]}"
    echo "| $v | ${size_u[$v]} | ${size_c[$v]} | ${start_ms[$v]} | ${jvm_ms[$v]} | ${idle_rss[$v]} | $rps | $p99 | $err | ${load_rss[$v]} |"
  done
  echo
  echo "Under the deployment's limit, \`--memory $MEM_LIMIT --memory-swap $MEM_LIMIT\` (heap max: MaxRAMPercentage of it), idle and then the same load:"
  echo
  echo "| variant | idle RSS MB | wrk req/s | p99 | errors | container state after | RSS after MB |"
  echo "|---|---|---|---|---|---|---|"
  for v in "${variants[@]}"; do
    [ -n "${mem_res[$v]:-}" ] || continue
    IFS='|' read -r idle rps p99 err state rss <<<"${mem_res[$v]}"
    echo "| $v | $idle | $rps | $p99 | $err | $state | $rss |"
  done
} | tk_write_generated "$out" "image measurements (make bench-images)"
echo "wrote the measurements into $out"
