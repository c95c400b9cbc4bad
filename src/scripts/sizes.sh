#!/usr/bin/env bash
# `make sizes`: builds every dockerfiles/ iteration, loads both Jib images, smoke-tests each image (started,
# GET /health 200 on a loopback port), asks each image's own java for its version, measures it, and hands
# what it collected to the report (src/scripts/SizesReport.java, a Java single-file source program run with the
# service's Jackson jars from target/lib), which prints the table and the layer breakdown of the smallest image
# and writes OUT/sizes.json and OUT/sizes.svg.
#
# Sizes: "SIZE" is the engine's image size (`image inspect` .Size, what `docker images` shows); "COMPRESSED"
# is `ENGINE save IMAGE | gzip -6 | wc -c`, the gzipped docker-archive: close to what a registry stores and
# a node pulls (layers are gzipped there too), the same method for every image.
#
# Maven repository: the Dockerfiles cache it with RUN --mount=type=cache (docker BuildKit and podman), which
# needs network from inside the build. With podman, this script bind-mounts the host's repository instead
# (SIZES_M2, default ~/.m2, filled by `make build`): `podman build -v ~/.m2:/root/.m2` (the naive build reads it
# at /m2-cache), so nothing is downloaded per iteration and builds work where containers can't reach
# Maven Central (or only through a proxy the host trusts). docker's build has no -v: there the host's
# repository is copied into the shared cache mount first (lib.sh tk_build_fill_cache), to the same effect.
# SIZES_M2=none uses the cache mounts as they are. DOCKER_BUILDKIT=0 (docker's legacy builder, no cache mounts:
# lib.sh tk_build) downloads per build instead.
#
# Usage: sizes.sh     env: ENGINE (lib.sh), BASES (auto|debian|upstream), OUT (target/sizes), SIZES_DOC (docs/sizes.md: the table is written between its "generated" markers),
#                          JLINK_MODULES (passed to Dockerfile.v4-jlink when set; unset, the Dockerfile reads
#                          pom.xml's image.jlink.modules itself),
#                          SIZES_ONLY (space-separated iteration names, to run a subset), SIZES_M2
# Needs: `mvn package` done (target/lib: the report's Jackson; v1-jre copies the jar),
#        for BASES=debian the Debian-built bases loaded into ENGINE (`make bases-dockerfiles`: bases.sh --load),
#        for the Jib rows `make images`.
# Exit status: non-zero if any iteration failed (a skipped one, with its reason, is not a failure).
set -euo pipefail
cd "$(dirname "$0")/../.."
# shellcheck source=lib.sh
. src/scripts/lib.sh
tk_require_engine "every image is built or loaded, and run, in one"
bases=${BASES:-debian}
out=${OUT:-target/sizes}
only=${SIZES_ONLY:-}
command -v curl >/dev/null || { echo "error: curl not found (apt-get install curl)" >&2; exit 1; }
case "$bases" in
  debian|upstream) ;;
  auto) if curl -s -o /dev/null --max-time 4 https://registry-1.docker.io/v2/; then bases=upstream; else bases=debian; fi
        echo "sizes: BASES=auto: $bases" ;;
  *) echo "error: BASES=$bases (auto, debian or upstream)" >&2; exit 1 ;;
esac
ls target/lib/jackson-databind-*.jar >/dev/null 2>&1 || {
  echo "error: run 'mvn -DskipTests package' first (the report runs with the Jackson jars in target/lib)" >&2
  exit 1; }

collect=$out/collect
rm -rf "$collect"; mkdir -p "$collect" "$out/logs"
{
  echo "engine=$engine_kind $("$engine" version --format '{{.Client.Version}}' 2>/dev/null || echo '?')"
  echo "bases=$bases"
  echo "machine=$(uname -sm), $(nproc) cores, $(sed -n 's/^PRETTY_NAME=//p' /etc/os-release | tr -d '"')"
  echo "date=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
} >"$collect/run.env"

debian_maven=localhost/task-api-base/maven-jdk17:bookworm
debian_jre=localhost/task-api-base/jre17:bookworm
debian_nossl=localhost/task-api-base/base-nossl:bookworm
pull=(); [ "$bases" = debian ] && pull=(--no-pull)
m2=${SIZES_M2:-$HOME/.m2}
if [ "$m2" = none ] || [ ! -d "$m2/repository" ]; then m2=; fi
if [ -n "$m2" ] && tk_build_legacy; then
  echo "sizes: DOCKER_BUILDKIT=0: docker's legacy builder has no cache mounts; each Maven build downloads what it needs"
  m2=
elif [ -n "$m2" ] && ! tk_build_can_mount; then
  # No build -v (docker): the host's repository goes into the builds' shared cache mount instead.
  filler=maven:3.9-eclipse-temurin-21; [ "$bases" = debian ] && filler=$debian_maven
  echo "sizes: copying $m2/repository into the build cache mount task-api-m2 (log: $out/logs/m2-cache.log)"
  tk_build_fill_cache task-api-m2 "$m2/repository" repository "$filler" >"$out/logs/m2-cache.log" 2>&1 \
    || { tail -5 "$out/logs/m2-cache.log" >&2; tk_die "could not fill the build cache mount from $m2/repository"; }
  m2=
fi

n=0
# iteration NAME TECHNIQUE SOURCE: starts the iteration's collect directory; sets $dir.
iteration() {
  dir=$collect/$n-$1; n=$((n + 1)); mkdir -p "$dir"; it_t0=$SECONDS
  printf 'name=%s\ntechnique=%s\nsource=%s\n' "$1" "$2" "$3" >"$dir/meta.env"
}
meta() { printf '%s=%s\n' "$1" "$(printf '%s' "$2" | tr '\n' ' ')" >>"$dir/meta.env"; }
finish() {
  meta status "$1"; [ -z "${2:-}" ] || meta reason "$2"
  echo "sizes: $(sed -n 's/^name=//p' "$dir/meta.env"): $1${2:+: $2} ($((SECONDS - it_t0)) s)"
}
wanted() { [ -z "$only" ] || [[ " $only " == *" $1 "* ]]; }

# measure IMAGE: inspect, history, compressed size, java -version, smoke test; records ok or failed.
measure() {
  local image=$1 java cid port code="" t0
  "$engine" image inspect "$image" >"$dir/inspect.json" 2>"$dir/inspect.err" || { finish failed "image inspect failed: $(head -c 300 "$dir/inspect.err")"; return; }
  tk_history "$image" >"$dir/history.json"
  meta compressedBytes "$("$engine" save "$image" 2>/dev/null | gzip -6 -c | wc -c)"
  # The image's own java: the entrypoint's if it is a java binary (jlink images: /opt/java/bin/java), else PATH's.
  java=$("$engine" image inspect --format '{{json .Config.Entrypoint}}' "$image" | sed -n 's/^\["\([^"]*java\)".*/\1/p')
  "$engine" run --rm --entrypoint "${java:-java}" "$image" -version >"$dir/java-version.txt" 2>&1 \
    || { finish failed "'${java:-java} -version' failed in the image: $(head -c 300 "$dir/java-version.txt")"; return; }
  cid=$("$engine" run -d -p 127.0.0.1::8080 -v "$PWD/models:/app/models:ro" "$image" 2>"$dir/run.err") \
    || { finish failed "the container did not start: $(head -c 300 "$dir/run.err")"; return; }
  port=$(tk_port "$cid")
  t0=$(date +%s%N)
  tk_await_ready "http://127.0.0.1:$port/health" 60 "$cid" || true
  code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "http://127.0.0.1:$port/health" || true)
  local ms=$(( ($(date +%s%N) - t0) / 1000000 )) secs
  secs=$((ms / 1000)).$((ms % 1000 / 100))
  "$engine" logs "$cid" >"$dir/container.log" 2>&1 || true
  "$engine" stop -t 10 "$cid" >/dev/null 2>&1 || true
  tk_rm "$cid"
  if [ "$code" = 200 ]; then
    meta health "GET /health 200 after ${secs} s"; finish ok
  else
    finish failed "GET /health gave ${code:-no answer} within ${secs} s (log: $dir/container.log: $(tail -c 200 "$dir/container.log" | tr '\n' ' '))"
  fi
}

# dockerfile NAME TECHNIQUE ARG=debian-image...: builds dockerfiles/Dockerfile.NAME as task-api:NAME.
dockerfile() {
  local name=$1 technique=$2; shift 2
  wanted "$name" || return 0
  iteration "$name" "$technique" "dockerfiles/Dockerfile.$name"
  local args=() used=() a t0 rc=0
  if [ "$bases" = debian ]; then
    for a in "$@"; do args+=(--build-arg "$a"); used+=("$a"); done
  else
    mapfile -t used < <(sed -n 's/^ARG \([A-Z_]*_IMAGE\)=\(.*\)/\1=\2/p' "dockerfiles/Dockerfile.$name")
  fi
  meta bases "${used[*]}"
  meta image "localhost/task-api:$name"
  if [ "$name" = v4-jlink ] && [ -n "${JLINK_MODULES:-}" ]; then args+=(--build-arg "JLINK_MODULES=$JLINK_MODULES"); fi
  if [ -n "$m2" ]; then
    if [ "$name" = naive ]; then args+=(-v "$m2:/m2-cache:ro"); else args+=(-v "$m2:/root/.m2"); fi
  fi
  echo "sizes: $name: building dockerfiles/Dockerfile.$name (log: $out/logs/$name.build.log)"
  t0=$SECONDS
  tk_build "${pull[@]}" -f "dockerfiles/Dockerfile.$name" -t "localhost/task-api:$name" "${args[@]}" . \
    >"$out/logs/$name.build.log" 2>&1 || rc=$?
  meta buildSeconds $((SECONDS - t0))
  if [ $rc -ne 0 ]; then
    finish failed "build failed (exit $rc): $(grep -v '^\s*$' "$out/logs/$name.build.log" | tail -3 | tr '\n' ' ' | head -c 400)"
    return 0
  fi
  measure "localhost/task-api:$name"
}

# jib NAME TECHNIQUE TAR BASE: loads a Jib docker-archive tar (written by `make images` FROM BASE).
jib() {
  local name=$1 technique=$2 tar=$3 base=$4 image t0
  wanted "$name" || return 0
  iteration "$name" "$technique" "$tar (make images)"
  meta bases "$base"
  [ -f "$tar" ] || { finish failed "$tar not found: run 'make images' first"; return 0; }
  t0=$SECONDS
  image=$( (tk_load "$tar") 2>"$dir/load.err") || { finish failed "load failed: $(tail -2 "$dir/load.err" | tr '\n' ' ')"; return 0; }
  meta buildSeconds $((SECONDS - t0))
  meta image "$image"
  measure "$image"
}

dockerfile naive "JDK + Maven image; built and run in one stage" "MAVEN_IMAGE=$debian_maven"
dockerfile v1-jre "JRE base + the jar built on the host" "JRE_IMAGE=$debian_jre"
dockerfile v2-multistage "Maven builder stage + JRE runtime stage" "MAVEN_IMAGE=$debian_maven" "JRE_IMAGE=$debian_jre"
if [ "$bases" = debian ]; then
  if wanted v3-alpine; then
    iteration v3-alpine "Alpine (musl) JRE runtime stage" dockerfiles/Dockerfile.v3-alpine
    finish skipped "no offline equivalent: an Alpine JRE comes only from Alpine's package mirrors or a registry, and this machine reaches neither (BASES=upstream builds it)"
  fi
else
  dockerfile v3-alpine "Alpine (musl) JRE runtime stage"
fi
dockerfile v4-jlink "multi-stage: jlink runtime (the slim's modules) on distroless base-nossl" "JDK_IMAGE=$debian_maven" "RUNTIME_IMAGE=$debian_nossl"
if [ "$bases" = debian ]; then
  jib_java="localhost/task-api-base/java17:bookworm (make bases)"; jib_slim="$debian_nossl (make bases)"
else
  jib_java="${UPSTREAM_BASE_JAVA:-upstream distroless java} (mk/images.mk)"
  jib_slim="${UPSTREAM_BASE_SLIM:-upstream distroless base-nossl} (mk/images.mk)"
fi
jib jib-distroless "Jib: app layers on a distroless Java base" target/jib/task-api-distroless.tar "$jib_java"
jib jib-slim "Jib: jlink runtime on the glibc-only distroless base" target/jib/task-api-slim.tar "$jib_slim"

java -cp 'target/lib/*' src/scripts/SizesReport.java "$collect" "$out"
{ sed -n 's/^\(engine\|bases\|machine\|date\)=\(.*\)/\1: \2/p' "$collect/run.env" | paste -sd ';' | sed 's/;/; /g; s/$/./'
  echo; cat "$out/sizes.md"; } | tk_write_generated "${SIZES_DOC:-docs/sizes.md}" "sizes (make sizes)"
echo "sizes: the table is in ${SIZES_DOC:-docs/sizes.md}"
