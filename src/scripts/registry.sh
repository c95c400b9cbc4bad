#!/usr/bin/env bash
# A local OCI registry on loopback: Debian's docker-registry (distribution) with src/registry/config.yml.
#
#   registry.sh start [ADDR] [DIR]   starts one on ADDR (default 127.0.0.1:5000) storing under DIR (default
#                                     target/registry), unless one already answers there; waits until /v2/ answers
#   registry.sh stop [DIR]           stops the one started with DIR (its pid file); the storage stays
#   registry.sh ping ADDR            exits 0 when a registry answers on ADDR within 4 s
set -euo pipefail
. "$(dirname "$0")/lib.sh"

cmd=${1:-}; shift || true
case "$cmd" in
  start)
    addr=${1:-127.0.0.1:5000} dir=${2:-$tk_root/target/registry}
    tk_loopback_registry "$addr" || tk_die "registry.sh serves loopback only, not $addr"
    if tk_registry_answers "$addr"; then echo "registry: one answers on $addr already"; exit 0; fi
    command -v docker-registry >/dev/null || tk_die "docker-registry not found: apt-get install docker-registry"
    mkdir -p "$dir/storage"
    REGISTRY_HTTP_ADDR=$addr REGISTRY_STORAGE_FILESYSTEM_ROOTDIRECTORY=$dir/storage \
      setsid docker-registry serve "$tk_root/src/registry/config.yml" >"$dir/registry.log" 2>&1 </dev/null &
    echo $! >"$dir/registry.pid"
    for _ in $(seq 100); do
      if tk_registry_answers "$addr"; then echo "registry: http://$addr (storage $dir/storage, log $dir/registry.log)"; exit 0; fi
      kill -0 "$(cat "$dir/registry.pid")" 2>/dev/null || break
      sleep 0.1
    done
    tail -5 "$dir/registry.log" >&2 || true
    tk_die "the registry did not start on $addr (log: $dir/registry.log)"
    ;;
  stop)
    dir=${1:-$tk_root/target/registry}
    [ -f "$dir/registry.pid" ] || { echo "registry: none started from $dir"; exit 0; }
    pid=$(cat "$dir/registry.pid")
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    rm -f "$dir/registry.pid"
    echo "registry: stopped"
    ;;
  ping)
    [ $# = 1 ] || tk_die "usage: $0 ping ADDR"
    tk_registry_answers "$1"
    ;;
  *) echo "usage: $0 start [ADDR] [DIR] | stop [DIR] | ping ADDR" >&2; exit 2 ;;
esac
