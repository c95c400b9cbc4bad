#!/usr/bin/env bash
# Builds the slim and distroless images and pushes them with Jib (jib:build: no daemon) to
# REGISTRY/task-api:VERSION-slim and REGISTRY/task-api:VERSION-distroless, then prints each pushed digest and
# records them in OUT/push/digests.env for other targets and scripts (`. target/push/digests.env`):
#   TASK_API_SLIM=REGISTRY/task-api@sha256:...
#   TASK_API_DISTROLESS=REGISTRY/task-api@sha256:...
# --pin OVERLAY: then pins OVERLAY/kustomization.yaml's `task-api` image to the pushed slim digest (pin-image.sh).
#
# Usage: push-images.sh [--out OUT] [--pin OVERLAY] REGISTRY   (REGISTRY: host[:port][/namespace];
#                                                             OUT: build-images.sh's, default target)
# env: as build-images.sh (BASES, UPSTREAM_BASE_SLIM, UPSTREAM_BASE_JAVA, JAVA_HOME, MVN, ...)
set -euo pipefail
cd "$(dirname "$0")/../.."
here=src/scripts
. "$here/lib.sh"
out=target pin=
while [ $# -gt 1 ]; do
  case $1 in
    --out) out=$2; shift 2 ;;
    --pin) pin=$2; shift 2 ;;
    *) break ;;
  esac
done
[ $# = 1 ] || { echo "usage: $0 [--out OUT] [--pin OVERLAY] REGISTRY" >&2; exit 2; }
registry=${1%/}
[[ $registry =~ ^[^/[:space:]@]+(/[a-z0-9._/-]+)?$ ]] ||
  tk_die "REGISTRY is host[:port][/namespace] (e.g. 127.0.0.1:5000, ghcr.io/acme), not '$registry'"

# Fail in seconds, not after the build: the registry answers, and the overlay to pin has the entry.
tk_registry_answers "${registry%%/*}" ||
  tk_die "no registry answers on ${registry%%/*} (probed 4 s): start one with \`make registry-up\`, or set REGISTRY=host:port"
if [ -n "$pin" ]; then
  check=$(mktemp); trap 'rm -f "$check"' EXIT
  cp "$pin/kustomization.yaml" "$check" 2>/dev/null || tk_die "$pin/kustomization.yaml not found (PIN names an overlay directory)"
  "$here/pin-image.sh" "$check" task-api "$registry/task-api" "sha256:$(printf '0%.0s' {1..64})" >/dev/null
fi

push=$out/push
rm -rf "$push"; mkdir -p "$push"
JIB_GOAL=build JIB_OUT=$push IMG_REPO=$registry/task-api "$here/build-images.sh" --out "$out" slim distroless
for v in slim distroless; do
  ref=$registry/task-api@$(cat "$push/task-api-$v.digest")
  echo "TASK_API_$(echo "$v" | tr '[:lower:]' '[:upper:]')=$ref" >>"$push/digests.env"
  echo "pushed $registry/task-api:$(tk_version)-$v = $ref"
done
echo "digests: $push/digests.env"
if [ -n "$pin" ]; then
  # shellcheck source=/dev/null # written just above: TASK_API_SLIM, TASK_API_DISTROLESS
  . "$push/digests.env"
  "$here/pin-image.sh" "$pin/kustomization.yaml" task-api "$registry/task-api" "${TASK_API_SLIM#*@}"
fi
