#!/usr/bin/env bash
# Runs a command as a newcomer's machine would see it: a JDK, Maven and make, but no container engine, PostgreSQL
# server, kubectl, registry, browser or shellcheck. `.ci/run` runs `make test` this way first, so that every suite that needs
# one of those skips (with what it needs) instead of failing, and its cleanup copes with the missing tool.
#
#   bare-machine.sh COMMAND [ARGS...]
#
# How the tools are hidden (nothing on the machine is changed):
#   - PATH becomes one temporary directory of links to every command on PATH but the hidden ones;
#   - ENGINE is unset and DOCKER_HOST points at no socket, so the engine is chosen as on such a machine (none);
#   - PG_BIN names an empty directory: the tests' PostgreSQL servers come from PG_BIN or /usr/lib/postgresql;
#   - CI is unset: outside CI a missing prerequisite skips (under CI=true it fails);
#   - JAVA_HOME is BARE_JAVA_HOME (default: Debian's JDK 17, the oldest Java the service supports) when it exists.
set -euo pipefail
[ $# -gt 0 ] || { echo "usage: $0 COMMAND [ARGS...]" >&2; exit 2; }

hidden=(podman docker dockerd containerd runc crun buildah skopeo umoci kubectl kind kustomize docker-registry
  initdb pg_ctl postgres pg_ctlcluster psql chromium chromium-browser chromedriver google-chrome shellcheck)

bin=$(mktemp -d "${TMPDIR:-/tmp}/bare-machine.XXXXXX")
empty=$(mktemp -d "${TMPDIR:-/tmp}/bare-machine-pg.XXXXXX")
trap 'rm -rf "$bin" "$empty"' EXIT

is_hidden() {
  local h
  for h in "${hidden[@]}"; do [ "$1" = "$h" ] && return 0; done
  return 1
}

IFS=: read -r -a dirs <<<"$PATH"
for dir in "${dirs[@]}"; do
  [ -d "$dir" ] || continue
  for cmd in "$dir"/*; do
    name=${cmd##*/}
    # The first on PATH wins, as in a shell; hidden commands and non-executables are left out.
    if [ -x "$cmd" ] && [ ! -d "$cmd" ] && [ ! -e "$bin/$name" ] && ! is_hidden "$name"; then
      ln -s "$cmd" "$bin/$name"
    fi
  done
done

java_home=${BARE_JAVA_HOME:-/usr/lib/jvm/java-17-openjdk-amd64}
[ -x "$java_home/bin/java" ] || java_home=${JAVA_HOME:-}

echo "bare-machine: hidden: ${hidden[*]}; ENGINE unset, PG_BIN empty, CI unset${java_home:+, JAVA_HOME=$java_home}"
env -u CI -u ENGINE PATH="$bin" DOCKER_HOST=unix:///nonexistent/docker.sock PG_BIN="$empty" \
  ${java_home:+JAVA_HOME="$java_home"} "$@"
