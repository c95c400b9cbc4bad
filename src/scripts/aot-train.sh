#!/usr/bin/env bash
# Trains the Java 25 AOT cache (JEP 483/514) inside the slim image itself, so that the cache is made with the
# exact runtime, classpath, jar files (sizes, mtimes) and JVM flags it will be used with: runs the image as
# every image runs here (lib.sh tk_run_flags) with -XX:AOTCacheOutput, sends it a workload touching every
# endpoint, stops it with SIGTERM (the JVM writes the cache as it exits), and leaves the cache at
# OUT_ROOT/app/aot/task-api.aot for the slim-aot image.
# Usage: aot-train.sh IMAGE_TAR OUT_ROOT [MODELS_DIR]     env: ENGINE (see lib.sh)
set -euo pipefail
. "$(dirname "$0")/lib.sh"
tar=$1 out=$2 models=$(cd "${3:-models}" && pwd)
tk_require_engine "the AOT cache is trained in a container"
work=$(mktemp -d); chmod 0777 "$work"
name=task-api-aot-train-$$
cleanup() { tk_rm "$name"; rm -rf "$work"; }
trap cleanup EXIT
img=$(tk_load "$tar")
tk_run_hardened "$name" "$img" "$models" -v "$work:/aot:rw" -e JAVA_TOOL_OPTIONS=-XX:AOTCacheOutput=/aot/task-api.aot
base=http://127.0.0.1:$(tk_port "$name")
tk_await_ready "$base/health/ready" 60 "$name" || { "$engine" logs "$name" >&2; tk_die "the image did not become ready"; }
# The workload: every endpoint, a few rounds, so that their classes are loaded and linked.
for i in $(seq 1 5); do
  loc=$( (curl -s -D - -o /dev/null -H 'content-type: application/json' -d "{\"title\":\"train $i\",\"priority\":2}" \
        "$base/tasks" || true) | tr -d '\r' | sed -n 's/^[Ll]ocation: *//p')
  id=${loc##*/}
  for p in /health /health/live /health/ready /tasks "/tasks/$id" /models /metrics /openapi.json /no-such-path; do
    curl -s -o /dev/null "$base$p"
  done
  curl -s -o /dev/null -X PATCH -H 'content-type: application/json' -d '{"title":"renamed"}' "$base/tasks/$id"
  curl -s -o /dev/null -X PATCH "$base/tasks/$id/complete"
  curl -s -o /dev/null -H 'content-type: application/json' -d '{"bad json' "$base/tasks"
  curl -s -o /dev/null -X DELETE "$base/tasks/$id"
done
"$engine" stop -t 120 "$name" >/dev/null
rc=$("$engine" inspect -f '{{.State.ExitCode}}' "$name")
"$engine" logs "$name" 2>&1 | grep -E 'AOTCache|Error|Exception' >&2 || true
{ [ "$rc" = 0 ] && [ -s "$work/task-api.aot" ]; } || tk_die "training run exited $rc without writing the AOT cache"
mkdir -p "$out/app/aot"
install -m 644 "$work/task-api.aot" "$out/app/aot/task-api.aot"
echo "aot: $out/app/aot/task-api.aot ($(du -m "$out/app/aot/task-api.aot" | cut -f1) MB, trained in $img under $engine)"
