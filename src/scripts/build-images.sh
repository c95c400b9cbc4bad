#!/usr/bin/env bash
# Builds the task-api images with Jib (jib:buildTar: no daemon, no registry needed) as docker-archive tars:
#   slim        OUT/jib/task-api-slim.tar        jlink runtime on the glibc-only base (what k8s deploys)
#   slim-aot    OUT/jib/task-api-slim-aot.tar    slim + the Java 25 AOT cache trained in it (needs ENGINE)
#   distroless  OUT/jib/task-api-distroless.tar  conventional Jib image on a distroless Java base
# Usage: build-images.sh [--out OUT] VARIANT...     (OUT defaults to target; the jar is always target's)
# env: JAVA_HOME (a Linux x86-64 JDK 25: jlink-runtime.sh; JLINK_JDK overrides it for jlink alone),
#      BASES=auto|upstream|debian, UPSTREAM_BASE_SLIM, UPSTREAM_BASE_JAVA,
#      JLINK_MODULES (default: pom.xml's image.jlink.modules), ENGINE (lib.sh),
#      IMG_REPO, MVN, MVN_FLAGS, MODELS (models mounted during the AOT training run),
#      JIB_GOAL=buildTar (default: tars) | dockerBuild (into the Docker/podman socket) | build (push to IMG_REPO),
#      JIB_OUT (where Jib writes tars, digests and image IDs; default OUT/jib)
set -euo pipefail
cd "$(dirname "$0")/../.."
here=src/scripts
. "$here/lib.sh"
out=target
if [ "${1:-}" = "--out" ]; then out=$2; shift 2; fi
[ $# -gt 0 ] || { echo "usage: $0 [--out OUT] slim|slim-aot|distroless..." >&2; exit 2; }
mkdir -p "$out"; out=$(cd "$out" && pwd)
BASES=${BASES:-auto}
UPSTREAM_BASE_SLIM=${UPSTREAM_BASE_SLIM:-gcr.io/distroless/base-nossl-debian12:nonroot}
UPSTREAM_BASE_JAVA=${UPSTREAM_BASE_JAVA:-gcr.io/distroless/java21-debian12:nonroot}
JLINK_MODULES=${JLINK_MODULES:-$(tk_jlink_modules)}
MVN=${MVN:-mvn}; MVN_FLAGS=${MVN_FLAGS:--B -ntp}
want() { local v; for v in "${variants[@]}"; do [ "$v" = "$1" ] && return 0; done; return 1; }
variants=("$@")
for v in "${variants[@]}"; do
  case $v in slim|slim-aot|distroless) ;; *) echo "error: unknown variant '$v'" >&2; exit 2 ;; esac
done

# --- bases: one switch; the registry is probed for a few seconds at most, never waited on.
registry=${UPSTREAM_BASE_SLIM%%/*}
reachable() { tk_registry_answers "$registry"; }
case $BASES in
  auto)
    if reachable; then BASES=upstream
    else echo "bases: $registry cannot be reached (probed 4 s): using the Debian-built bases (BASES=debian)"; BASES=debian; fi ;;
  upstream)
    reachable || { echo "error: BASES=upstream but $registry cannot be reached (probed 4 s);" \
                        "build offline with BASES=debian (make bases)" >&2; exit 1; } ;;
  debian) ;;
  *) echo "error: BASES must be auto, upstream or debian (got '$BASES')" >&2; exit 2 ;;
esac
if [ "$BASES" = debian ]; then
  "$here/bases.sh" --out "$out/bases" base-nossl java17
  base_slim="tar://$out/bases/base-nossl.tar"; base_java="tar://$out/bases/java17.tar"
else
  base_slim=$UPSTREAM_BASE_SLIM; base_java=$UPSTREAM_BASE_JAVA
fi
echo "bases (BASES=$BASES): slim, slim-aot <- $base_slim; distroless <- $base_java"

revision=$(tk_revision)

if want slim || want slim-aot; then "$here/jlink-runtime.sh" "$out/jlink/root" "$JLINK_MODULES"; fi
if want slim-aot; then tk_require_engine "the slim-aot image is trained in a container"; fi

goal=${JIB_GOAL:-buildTar}
case $goal in buildTar|dockerBuild|build) ;; *) echo "error: JIB_GOAL must be buildTar, dockerBuild or build" >&2; exit 2 ;; esac
if want slim-aot && [ "$goal" != buildTar ]; then
  echo "error: slim-aot is trained from the slim tar: build it with JIB_GOAL=buildTar, then push the tar (README)" >&2; exit 2
fi
jib_out=${JIB_OUT:-$out/jib}
# Plain HTTP (and only that) for a loopback registry this build pulls a base from or pushes to (lib.sh).
registries=()
[ "$BASES" = upstream ] && registries+=("$UPSTREAM_BASE_SLIM" "$UPSTREAM_BASE_JAVA")
[ "$goal" = build ] && registries+=("${IMG_REPO:-task-api}")
mapfile -t insecure < <(tk_jib_registry_flags "${registries[@]}")
jib() {
  local goals=() v
  for v in "$@"; do goals+=("jib:$goal@$v"); done
  # shellcheck disable=SC2086
  $MVN $MVN_FLAGS -q -DskipTests -Djib.console=plain package "${goals[@]}" "${insecure[@]}" \
    -Dimage.repo="${IMG_REPO:-task-api}" -Dimage.revision="$revision" -Dimage.out="$jib_out" \
    -Dimage.base.slim="$base_slim" -Dimage.base.java="$base_java" \
    -Dimage.jlink.root="$out/jlink/root" -Dimage.aot.root="$out/aot/root"
}
first=()
want slim || want slim-aot && first+=(slim)
want distroless && first+=(distroless)
jib "${first[@]}"
if want slim-aot; then
  rm -rf "$out/aot/root"
  "$here/aot-train.sh" "$jib_out/task-api-slim.tar" "$out/aot/root" "${MODELS:-models}"
  jib slim-aot
fi
for v in "${first[@]}" $(want slim-aot && echo slim-aot); do
  t="$jib_out/task-api-$v.tar"; where="jib:$goal"
  if [ "$goal" = buildTar ]; then where="$t ($(du -m "$t" | cut -f1) MB tar)"; echo "$revision" >"$jib_out/task-api-$v.revision"; fi
  echo "image ${IMG_REPO:-task-api}:$(tk_version)-$v:" \
       "$where, id $(cat "$jib_out/task-api-$v.id"), digest $(cat "$jib_out/task-api-$v.digest"), revision $revision"
done
