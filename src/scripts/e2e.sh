#!/usr/bin/env bash
# `make test-e2e` without a cluster named: builds (once per machine, cached) and starts the one-node Kubernetes
# v1.20 of e2e-cluster.sh on this machine, loads the images into its node, runs the cluster tests (DeploymentIT)
# against it with the adaptations that version needs (-Dk8s.adapt=local-v1.20: LocalClusterAdaptations), then stops
# and removes everything it started, also when the tests fail or the run is interrupted. Prints each phase's time.
#
#   e2e.sh IMAGE_TAR...      the docker-archive tars to load (the slim image, the database's image)
#
# env: E2E_RUN_DIR (default target/e2e-cluster), MAKE (default make), and what e2e-cluster.sh reads.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib.sh
. "$here/lib.sh"
cd "$tk_root"

[ $# -gt 0 ] || { echo "usage: $0 IMAGE_TAR..." >&2; exit 2; }
for tar in "$@"; do
  [ -f "$tar" ] || tk_die "$tar is missing: make k8s-image k8s-postgres-image build the images the cluster runs"
done
[ "$(id -u)" = 0 ] || tk_die "the local test cluster runs containerd and a kubelet, which need root; run as root," \
  "or name a cluster of yours: make test-e2e KUBE_CONTEXT=<context>"
run_dir=$(mkdir -p "${E2E_RUN_DIR:-target/e2e-cluster}" && cd "${E2E_RUN_DIR:-target/e2e-cluster}" && pwd)
make_cmd=${MAKE:-make}

# phase NAME COMMAND...: runs it and prints how long it took. The command runs in a process group of its own (job
# control), waited for, so that a signal to this script alone (a CI timeout, kill) stops it at once: the trap
# below ends the whole group, then the cluster comes down.
set -m
child=
phase() {
  local name=$1 t=$SECONDS rc=0; shift
  echo "e2e: == $name"
  "$@" &
  child=$!
  wait "$child" || rc=$?
  child=
  [ $rc = 0 ] || return $rc
  echo "e2e: == $name: $((SECONDS - t)) s"
}
interrupted() {
  if [ -n "$child" ]; then kill -TERM -- "-$child" 2>/dev/null || true; wait "$child" 2>/dev/null || true; fi
  exit "$1"
}

started=0
stop() {
  local rc=$?
  trap - EXIT INT TERM
  if [ $started = 1 ]; then
    phase "stop and clean up" "$here/e2e-cluster.sh" down "$run_dir" || rc=1
  fi
  exit "$rc"
}
trap stop EXIT
trap 'interrupted 130' INT
trap 'interrupted 143' TERM

phase "build Kubernetes (cached)" "$here/e2e-cluster.sh" build
# A run already in progress (another checkout, another terminal) makes `up` refuse before it touches anything:
# then there is nothing of ours to stop.
if "$here/e2e-cluster.sh" running; then
  tk_die "a local test cluster is already running ($("$here/e2e-cluster.sh" running --describe)): wait for it, or stop it"
fi
started=1
phase "start the cluster" "$here/e2e-cluster.sh" up "$run_dir"
phase "load the images" "$here/e2e-cluster.sh" load "$run_dir" "$@"
phase "the cluster tests" env KUBECONFIG="$run_dir/kubeconfig" "$make_cmd" --no-print-directory e2e-tests \
  KUBE_CONTEXT=task-api-e2e E2E_TEST_FLAGS=-Dk8s.adapt=local-v1.20
