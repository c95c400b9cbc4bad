#!/usr/bin/env bash
# Checks a running e2e cluster (src/scripts/e2e-cluster.sh up RUN_DIR) end to end:
#
#   e2e-smoke.sh RUN_DIR
#
# builds a tiny busybox-static image serving HTTP, loads it into the node, and checks: a 2-replica Deployment on
# the pod network rolls out behind an HTTP readiness probe; a ClusterIP Service answers a client pod (kube-proxy);
# `kubectl port-forward` on 127.0.0.1 answers from the host; `kubectl logs` and `kubectl exec` work; a claim binds
# to a static hostPath PersistentVolume that the client mounts read-only. Needs kubectl, busybox-static, umoci,
# skopeo, curl. Leaves the objects in the cluster (e2e-cluster.sh down removes everything).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

[ $# -eq 1 ] || tk_die "usage: $0 RUN_DIR"
run=$(cd "$1" && pwd)
export KUBECONFIG=$run/kubeconfig
[ -f "$KUBECONFIG" ] || tk_die "no cluster in $run (no kubeconfig)"
image=localhost/task-api-e2e/web:1
timeout=${E2E_TIMEOUT:-120}

# kubectl's discovery cache goes into the run's directory too (not ~/.kube/cache)
k() { kubectl --context task-api-e2e --cache-dir "$run/kubectl-cache" "$@" 2> >(grep -v -e '^Warning: ' -e '^WARNING: ' -e '^Found [0-9]* pods, using' >&2); }
ok() { echo "ok: $*"; }

# the image: busybox-static, its applets linked, /www with a page and a readiness file
build_image() {
  local work=$1 root=$1/root a
  mkdir -p "$root/bin" "$root/www" "$root/tmp"
  cp /bin/busybox "$root/bin/busybox"
  for a in sh httpd wget cat ls sleep id touch; do ln -s busybox "$root/bin/$a"; done
  echo "hello from the e2e cluster" >"$root/www/index.html"
  echo ready >"$root/www/ready"
  chmod 1777 "$root/tmp"
  tar --numeric-owner --owner=0 --group=0 --mtime=@0 -C "$root" -cf "$work/layer.tar" .
  umoci init --layout "$work/oci"
  umoci new --image "$work/oci:w"
  umoci raw add-layer --image "$work/oci:w" --history.created 1970-01-01T00:00:00Z "$work/layer.tar"
  umoci config --no-history --image "$work/oci:w" --created 1970-01-01T00:00:00Z --architecture amd64 --os linux \
    --config.entrypoint /bin/busybox --config.cmd httpd --config.user 65532
  skopeo copy -q "oci:$work/oci:w" "docker-archive:$work/web.tar:$image"
}

command -v kubectl >/dev/null || tk_die "kubectl is needed"
[ -x /bin/busybox ] || tk_die "busybox-static is needed (apt-get install -y busybox-static)"
work=$(mktemp -d)
pf_pid=""
trap 'rm -rf "$work"; [ -z "$pf_pid" ] || kill "$pf_pid" 2>/dev/null || true' EXIT
build_image "$work"
"$(dirname "$0")/e2e-cluster.sh" load "$run" "$work/web.tar"

# the volume's data lives in the run's directory (removed by down)
mkdir -p "$run/smoke-data"
echo "from the persistent volume" >"$run/smoke-data/file.txt"
chmod 711 "$run"; chmod 755 "$run/smoke-data"
sed "s|PV_PATH|$run/smoke-data|" "$tk_root/src/e2e/smoke.yaml" | k apply -f - >/dev/null

k rollout status deployment/web --timeout="${timeout}s" >/dev/null
ok "deployment web: $(k get deployment web -o jsonpath='{.status.readyReplicas}')/2 ready (HTTP readiness probe)"
k wait --for=condition=Ready pod/client --timeout="${timeout}s" >/dev/null
k get pods -o wide

ip=$(k get service web -o jsonpath='{.spec.clusterIP}')
body=$(k exec client -- wget -qO- "http://$ip/")
[ "$body" = "hello from the e2e cluster" ] || tk_die "service web ($ip) from the client pod answered: $body"
ok "service web ($ip:80) answers the client pod: $body"

port=$(awk -v r="$RANDOM" 'BEGIN {print 30000 + r % 20000}')
k port-forward --address 127.0.0.1 deployment/web "$port:8080" >"$work/port-forward.log" 2>&1 &
pf_pid=$!
for _ in $(seq 40); do curl -sf --max-time 2 "http://127.0.0.1:$port/" >"$work/pf.out" 2>/dev/null && break; sleep 0.25; done
[ "$(cat "$work/pf.out" 2>/dev/null)" = "hello from the e2e cluster" ] || tk_die "port-forward on 127.0.0.1:$port did not answer: $(cat "$work/port-forward.log")"
ok "port-forward 127.0.0.1:$port -> deployment/web:8080 answers: $(cat "$work/pf.out")"
kill "$pf_pid"; pf_pid=""

k logs deployment/web | grep -q 'url:/' || tk_die "kubectl logs shows no request"
ok "kubectl logs: $(k logs deployment/web --tail=1)"
ok "kubectl exec: $(k exec client -- id)"

[ "$(k get pvc smoke-data -o jsonpath='{.status.phase}')" = Bound ] || tk_die "claim smoke-data is not Bound"
data=$(k exec client -- cat /data/file.txt)
[ "$data" = "from the persistent volume" ] || tk_die "the client read from /data: $data"
if k exec client -- touch /data/written 2>/dev/null; then tk_die "the read-only volume took a write"; fi
ok "claim smoke-data Bound to the hostPath volume; mounted read-only: reads \"$data\", a write fails"
