#!/usr/bin/env bash
# Trains the Java 25 AOT cache (JEP 483/514) inside the slim image itself, so that the cache is made with the
# exact runtime, classpath, jar files (sizes, mtimes) and JVM flags it will be used with: runs the image with
# -XX:AOTCacheOutput, sends it a workload touching every endpoint, stops it with SIGTERM (the JVM writes the
# cache as it exits), and leaves the cache at OUT_ROOT/app/aot/task-api.aot for the slim-aot image.
# Usage: aot-train.sh IMAGE_TAR OUT_ROOT [MODELS_DIR]     env: ENGINE (podman or docker)
set -euo pipefail
tar=$1 out=$2 models=$(cd "${3:-models}" && pwd)
engine=${ENGINE:?no container engine: the AOT cache is trained in a container (install podman)}
work=$(mktemp -d); chmod 0777 "$work"
name=task-api-aot-train-$$
cleanup() { "$engine" rm -f -i "$name" >/dev/null 2>&1 || true; rm -rf "$work"; }
trap cleanup EXIT
img=$("$engine" load -q -i "$tar" | sed -n 's/^Loaded image[^:]*: *//p' | tail -1)
"$engine" run -d --name "$name" --user 65532 --read-only --read-only-tmpfs=false --tmpfs /tmp:rw,mode=1777 \
  -v "$models:/app/models:ro" -v "$work:/aot:rw" -e JAVA_TOOL_OPTIONS=-XX:AOTCacheOutput=/aot/task-api.aot \
  -p 127.0.0.1::8080 "$img" >/dev/null
port=$("$engine" port "$name" 8080 | head -1 | sed 's/.*://')
base=http://127.0.0.1:$port
for _ in $(seq 1 150); do curl -fs -o /dev/null "$base/health/ready" && break; sleep 0.2; done
curl -fs -o /dev/null "$base/health/ready" || { "$engine" logs "$name" >&2; echo "error: the image did not become ready" >&2; exit 1; }
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
[ "$rc" = 0 ] && [ -s "$work/task-api.aot" ] || { echo "error: training run exited $rc without writing the AOT cache" >&2; exit 1; }
mkdir -p "$out/app/aot"
install -m 644 "$work/task-api.aot" "$out/app/aot/task-api.aot"
echo "aot: $out/app/aot/task-api.aot ($(du -m "$out/app/aot/task-api.aot" | cut -f1) MB, trained in $img)"
