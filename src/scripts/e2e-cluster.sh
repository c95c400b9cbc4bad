#!/usr/bin/env bash
# A one-node Kubernetes v1.20.2 cluster for end-to-end tests, built from Debian's sources and run on this machine
# without touching its network, its sysctls or its system services:
#
#   e2e-cluster.sh build              builds kube-apiserver, kube-controller-manager, kube-scheduler, kubelet and
#                                     kube-proxy from Debian bookworm's `kubernetes` source package, a pause image,
#                                     and extracts Debian's etcd; cached under $XDG_CACHE_HOME/task-api/ keyed by
#                                     the inputs' hash (a second build is a no-op)
#   e2e-cluster.sh up RUN_DIR         starts the cluster (builds first when needed); writes RUN_DIR/kubeconfig
#                                     (context task-api-e2e) and waits until the node is Ready
#   e2e-cluster.sh load RUN_DIR TAR...   imports docker-archive tars into the node's containerd, prints the names
#   e2e-cluster.sh down RUN_DIR       stops and removes everything `up` made (idempotent; also after a failed up);
#                                     exits non-zero naming what it could not remove
#
# Layout of a run: the whole cluster lives in a network namespace of its own, task-api-e2e-ID: the control plane
# (etcd, kube-apiserver, kube-controller-manager, kube-scheduler) on its loopback, on ports chosen free at start,
# and the node (containerd with its own root, state and socket; kubelet; kube-proxy; the CNI bridge and the pod
# addresses), so that the API server reaches the pods for its service and pod proxies. The host reaches the API
# server only through a socat relay over a unix socket in RUN_DIR: the host's 127.0.0.1:API_PORT is the
# namespace's 127.0.0.1:API_PORT. The kubelet registers the node as "127.0.0.1" (--hostname-override=127.0.0.1
# makes v1.20's node address setter report InternalIP and Hostname 127.0.0.1), so the API server dials the kubelet
# (logs, exec, port-forward) on the namespace's loopback. No address other than loopback is added to the host's
# namespace; Service IPs (10.96.0.0/24) and pod IPs (10.244.0.0/24) exist only inside the cluster's namespace.
#
# One run per machine: `up` holds a lock (/run/task-api-e2e.lock) that every process of the run inherits; a
# second `up` refuses while any of them lives. Needs root, cgroup v1, and: golang-1.19-go,
# golang-github-modern-go-reflect2-dev, socat, gcc, umoci, skopeo, containerd, runc, containernetworking-plugins,
# iptables, openssl, curl (apt-get install them; nothing here starts or configures a system service).
#
# Environment: XDG_CACHE_HOME (the build cache), E2E_TIMEOUT (seconds to wait for each component, default 120).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

kube_version=v1.20.2
kube_commit=faecb196815e248d3ecfb03c680a4507229c2a56
kube_build_date=2021-01-13T13:20:00Z
# Debian's source package (bookworm main) and etcd-server binary package versions the build is made from.
kube_src_version=1.20.5+really1.20.2-1.1+deb12u1
etcd_deb_version=3.4.23-4+b4
go_root=/usr/lib/go-1.19
reflect2_src=/usr/share/gocode/src/github.com/modern-go/reflect2
pause_image=localhost/task-api-e2e/pause:3.4
kubelet_patch=$tk_root/src/e2e/kubelet-no-sysctls.patch
cache_base=${XDG_CACHE_HOME:-$HOME/.cache}/task-api/kubernetes-$kube_version
downloads=$cache_base/downloads
lock_file=/run/task-api-e2e.lock
timeout=${E2E_TIMEOUT:-120}
service_cidr=10.96.0.0/24
pod_cidr=10.244.0.0/24
node_name=127.0.0.1
# Host directories v1.20's kubelet writes to whatever its root dir: pod logs and the device-plugin socket.
# up records which of them it created; down removes what the run put there, and those directories when empty.
host_dirs=(/var/log/pods /var/log/containers /var/lib/kubelet /var/lib/kubelet/device-plugins)

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN {printf "%.1f", b - a}'; }
log() { echo "e2e-cluster: $*" >&2; }

# ---------------------------------------------------------------------------------------------------- build
# The functions from here to "end of build" are the build's recipe: their text is part of the cache key.

# Apt with a private configuration: a deb-src line for bookworm main, its own lists; the system's sources stay as
# they are.
build_apt() {
  local dir=$cache_base/apt
  mkdir -p "$dir/lists/partial" "$dir/sources.list.d"
  echo "deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian bookworm main" \
    >"$dir/sources.list"
  apt-get -q -o Dir::Etc::sourcelist="$dir/sources.list" -o Dir::Etc::sourceparts="$dir/sources.list.d" \
    -o Dir::State::Lists="$dir/lists" -o APT::Sandbox::User=root "$@"
}

build_fetch() {
  mkdir -p "$downloads"
  local orig=$downloads/kubernetes_${kube_src_version%%-*}.orig.tar.gz
  if [ ! -s "$orig" ]; then
    build_apt update >&2
    (cd "$downloads" && build_apt source --download-only "kubernetes=$kube_src_version" >&2)
  fi
  [ -s "$orig" ] || tk_die "Debian's kubernetes source $kube_src_version: $orig is missing after apt-get source"
  if ! compgen -G "$downloads/etcd-server_*.deb" >/dev/null; then
    (cd "$downloads" && apt-get -q -o APT::Sandbox::User=root download "etcd-server=$etcd_deb_version" >&2)
  fi
}

build_require() {
  local missing=() c
  [ -x "$go_root/bin/go" ] || missing+=(golang-1.19-go)
  [ -f "$reflect2_src/reflect2.go" ] || missing+=(golang-github-modern-go-reflect2-dev)
  for c in gcc patch umoci skopeo dpkg-deb; do command -v "$c" >/dev/null || missing+=("$c"); done
  [ ${#missing[@]} -eq 0 ] || tk_die "the build needs: ${missing[*]} (apt-get install -y ${missing[*]})"
}

# The directories with +k8s:openapi-gen tags, as build/root/Makefile.generated_files finds them for the
# kube-apiserver's openapi (staging packages under their vendor/ names).
build_openapi_dirs() {
  find -H . \( -path './_*' -o -path './.*' -o -path ./vendor \) -prune -o -type f -name '*.go' -print0 \
    | xargs -0 grep -l --null '^// *+k8s:' | xargs -0 grep -l '+k8s:openapi-gen=' \
    | sed 's|^\./||; s|/[^/]*$||; s|^staging/src/|vendor/|' | LC_ALL=C sort -u \
    | grep -v -e '^vendor/k8s.io/code-generator/' -e '^vendor/k8s.io/sample-apiserver/' \
    | sed 's|^|k8s.io/kubernetes/|' | paste -sd, -
}

build_kubernetes() {
  local out=$1 work=$2 src ldflags="-s -w" p
  src=$work/gopath/src/k8s.io/kubernetes
  mkdir -p "$work/gopath/src/k8s.io" "$out/bin"
  tar -xzf "$downloads/kubernetes_${kube_src_version%%-*}.orig.tar.gz" -C "$work"
  mv "$work/kubernetes-${kube_version#v}" "$src"
  # The vendored reflect2 1.0.1 crashes on Go >= 1.18; Debian's 1.0.2 does not.
  rm -rf "$src/vendor/github.com/modern-go/reflect2"
  cp -r "$reflect2_src" "$src/vendor/github.com/modern-go/reflect2"
  patch -d "$src" -p1 --forward --quiet <"$kubelet_patch"
  export GOPATH=$work/gopath GO111MODULE=off GOPROXY=off GOFLAGS='' CGO_ENABLED=0 GOCACHE=$cache_base/go-build
  export PATH=$go_root/bin:$PATH
  (cd "$src" && go build -o "$work/openapi-gen" ./vendor/k8s.io/kube-openapi/cmd/openapi-gen)
  # The kube-apiserver's openapi definitions are generated code the tree does not carry.
  (cd "$src" && "$work/openapi-gen" --logtostderr -i "$(build_openapi_dirs)" -p k8s.io/kubernetes/pkg/generated/openapi \
     -O zz_generated.openapi -h vendor/k8s.io/code-generator/hack/boilerplate.go.txt -r "$work/openapi-violations.report")
  for p in k8s.io/kubernetes/vendor/k8s.io/component-base/version k8s.io/kubernetes/vendor/k8s.io/client-go/pkg/version; do
    ldflags+=" -X $p.gitVersion=$kube_version -X $p.gitMajor=1 -X $p.gitMinor=20 -X $p.gitCommit=$kube_commit"
    ldflags+=" -X $p.gitTreeState=clean -X $p.buildDate=$kube_build_date"
  done
  (cd "$src" && go build -trimpath -ldflags "$ldflags" -o "$out/bin/" ./cmd/kube-apiserver ./cmd/kube-controller-manager \
     ./cmd/kube-scheduler ./cmd/kubelet ./cmd/kube-proxy)
  # The pause image: the tree's pause.c, static, one layer.
  mkdir -p "$work/pause-root"
  gcc -Os -Wall -Werror -static -DVERSION="v3.4-$kube_version" -o "$work/pause-root/pause" "$src/build/pause/linux/pause.c"
  tar --numeric-owner --owner=0 --group=0 --mtime=@0 -C "$work/pause-root" -cf "$work/pause-layer.tar" pause
  umoci init --layout "$work/oci"
  umoci new --image "$work/oci:p"
  umoci raw add-layer --image "$work/oci:p" --history.created 1970-01-01T00:00:00Z \
    --history.created_by "src/scripts/e2e-cluster.sh: pause from kubernetes $kube_version build/pause/linux/pause.c" \
    "$work/pause-layer.tar"
  umoci config --no-history --image "$work/oci:p" --created 1970-01-01T00:00:00Z --architecture amd64 --os linux \
    --config.entrypoint /pause
  skopeo copy -q "oci:$work/oci:p" "docker-archive:$out/pause.tar:$pause_image"
  # etcd: Debian's etcd-server, extracted (never installed: the package would start a system service).
  dpkg-deb -x "$(compgen -G "$downloads/etcd-server_*.deb" | head -1)" "$work/etcd"
  cp "$work/etcd/usr/bin/etcd" "$out/bin/etcd"
}

build_key() {
  { declare -f build_apt build_fetch build_require build_openapi_dirs build_kubernetes
    echo "$kube_version $kube_commit $kube_build_date $kube_src_version $etcd_deb_version $pause_image"
    cat "$kubelet_patch"; } | sha256sum | cut -c1-16
}
# end of build

build_dir() { echo "$cache_base/$(build_key)"; }

cmd_build() {
  local start out work
  start=$(now)
  out=$(build_dir)
  if [ -f "$out/complete" ]; then
    log "build: cached in $out ($(elapsed "$start") s)"
    return 0
  fi
  build_require
  build_fetch
  work=$(mktemp -d "$cache_base/work.XXXXXX")
  # shellcheck disable=SC2064 # the paths are fixed now
  trap "rm -rf '$work'" EXIT
  rm -rf "$out.partial"
  mkdir -p "$out.partial"
  log "build: compiling Kubernetes $kube_version (about 10-20 minutes on 2 cores)"
  build_kubernetes "$out.partial" "$work"
  touch "$out.partial/complete"
  rm -rf "$out"; mv "$out.partial" "$out"
  log "build: done in $(elapsed "$start") s: $out"
}

# ---------------------------------------------------------------------------------------------------- run

# run_paths RUN_DIR: sets $run (absolute) and the paths inside it.
run_paths() {
  [ -n "${1:-}" ] || tk_die "no RUN_DIR given"
  mkdir -p "$1"
  run=$(cd "$1" && pwd)
  pki=$run/pki logs=$run/logs pids=$run/pids state=$run/state.env ctr_sock=$run/containerd/containerd.sock
  # unix socket paths are limited to 107 bytes; containerd's ttrpc socket is the longest
  [ ${#ctr_sock} -le 90 ] || tk_die "RUN_DIR's path is too long for unix sockets (keep it under 60 characters): $run"
}

require_node_tools() {
  local missing=() c
  [ "$(id -u)" = 0 ] || tk_die "the node needs root (network namespaces, mounts, cgroups)"
  [ -d /sys/fs/cgroup/memory ] || tk_die "the kubelet here runs on cgroup v1 (no /sys/fs/cgroup/memory)"
  for c in socat containerd containerd-shim-runc-v2 runc ctr ip nsenter iptables openssl curl flock ss; do
    command -v "$c" >/dev/null || missing+=("$c")
  done
  [ -x /usr/lib/cni/bridge ] && [ -x /usr/lib/cni/host-local ] && [ -x /usr/lib/cni/loopback ] \
    || missing+=(containernetworking-plugins)
  [ ${#missing[@]} -eq 0 ] || tk_die "the node needs: ${missing[*]} (apt-get install -y the packages holding them)"
}

# free_port: a TCP port nothing listens on in the host's namespace, not yet handed out by this run.
used_ports=""
free_port() {
  local p i
  for i in $(seq 200); do
    p=$((20000 + (RANDOM * 32768 + RANDOM) % 40000))
    case " $used_ports " in *" $p "*) continue ;; esac
    if [ -z "$(ss -Hltn "sport = :$p")" ]; then used_ports+=" $p"; echo "$p"; return 0; fi
    : "$i"
  done
  tk_die "no free port found"
}

token() { od -An -tx1 -N24 /dev/urandom | tr -d ' \n'; }

# cert NAME SUBJECT EXTENSIONS: a P-256 key and a certificate signed by the run's CA.
cert() {
  openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout "$pki/$1.key" -subj "$2" \
    -out "$pki/$1.csr" 2>/dev/null
  openssl x509 -req -in "$pki/$1.csr" -CA "$pki/ca.crt" -CAkey "$pki/ca.key" -set_serial "0x$(token)" -days 30 \
    -extfile <(printf '%s\n' "$3") -out "$pki/$1.crt" 2>/dev/null
  rm -f "$pki/$1.csr"
}

make_pki() {
  mkdir -p "$pki"
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout "$pki/ca.key" -out "$pki/ca.crt" \
    -days 30 -subj /CN=task-api-e2e-ca 2>/dev/null
  cert apiserver /CN=kube-apiserver "basicConstraints=CA:FALSE
keyUsage=digitalSignature,keyEncipherment
extendedKeyUsage=serverAuth
subjectAltName=IP:127.0.0.1,IP:${service_cidr%.*}.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local"
  # the API server's identity towards the kubelet (logs, exec, port-forward)
  cert apiserver-kubelet-client "/O=system:masters/CN=kube-apiserver-kubelet-client" "basicConstraints=CA:FALSE
keyUsage=digitalSignature,keyEncipherment
extendedKeyUsage=clientAuth"
  openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$pki/sa.key" 2>/dev/null
  openssl pkey -in "$pki/sa.key" -pubout -out "$pki/sa.pub" 2>/dev/null
  chmod 600 "$pki"/*.key
}

# kubeconfig FILE USER_TOKEN CONTEXT
kubeconfig() {
  cat >"$1" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: task-api-e2e
  cluster:
    server: https://127.0.0.1:$api_port
    certificate-authority-data: $(base64 -w0 "$pki/ca.crt")
users:
- name: ${3}
  user:
    token: $2
contexts:
- name: ${3}
  context: {cluster: task-api-e2e, user: ${3}}
current-context: ${3}
EOF
  chmod 600 "$1"
}

# start NAME COMMAND...: a daemon of the run, in its own session, its log in logs/NAME.log, its pid in pids/NAME.
start() {
  local name=$1; shift
  (exec setsid "$@" >"$logs/$name.log" 2>&1 </dev/null 7>&-) &
  echo $! >"$pids/$name"
}

in_node() { nsenter --net="/run/netns/$netns" "$@"; }

# await WHAT DAEMON COMMAND...: polls COMMAND until it succeeds; fails when DAEMON died or after $timeout s.
await() {
  local what=$1 daemon=$2 deadline=$((SECONDS + timeout)); shift 2
  until "$@" >/dev/null 2>&1; do
    if ! kill -0 "$(cat "$pids/$daemon")" 2>/dev/null; then
      tail -n 20 "$logs/$daemon.log" >&2 || true
      tk_die "$daemon exited while waiting for $what (log: $logs/$daemon.log)"
    fi
    [ $SECONDS -lt $deadline ] || { tail -n 20 "$logs/$daemon.log" >&2 || true; tk_die "timed out waiting for $what (log: $logs/$daemon.log)"; }
    sleep 0.5
  done
}

# (a curl user agent gets pretty-printed JSON: name the client otherwise)
api_get() { curl -sf --max-time 5 -A task-api-e2e --cacert "$pki/ca.crt" -H "Authorization: Bearer $admin_token" "https://127.0.0.1:$api_port$1"; }
api_has() { api_get "$1" | grep -q "$2"; }

cgroup_mounts() { awk '$3 == "cgroup" || $3 == "cgroup2" {print $2}' /proc/mounts; }

make_cgroups() {
  local m
  for m in $(cgroup_mounts); do
    mkdir -p "$m/$cgroup_name"
    if [ -f "$m/cpuset.cpus" ]; then
      cat "$m/cpuset.cpus" >"$m/$cgroup_name/cpuset.cpus"
      cat "$m/cpuset.mems" >"$m/$cgroup_name/cpuset.mems"
    fi
  done
}

write_node_config() {
  mkdir -p "$run/cni/net.d" "$run/cni/ipam" "$run/containerd" "$run/kubelet" "$run/tmp" "$run/node"
  cat >"$run/cni/net.d/10-task-api-e2e.conflist" <<EOF
{
  "cniVersion": "0.4.0",
  "name": "task-api-e2e",
  "plugins": [
    {
      "type": "bridge", "bridge": "cni0", "isGateway": true, "ipMasq": false, "hairpinMode": true,
      "ipam": {
        "type": "host-local", "dataDir": "$run/cni/ipam",
        "ranges": [[{"subnet": "$pod_cidr"}]], "routes": [{"dst": "0.0.0.0/0"}]
      }
    }
  ]
}
EOF
  # containerd adds the loopback plugin to every pod itself (from bin_dir).
  cat >"$run/containerd/config.toml" <<EOF
version = 2
root = "$run/containerd/root"
state = "$run/containerd/state"
oom_score = 0
disabled_plugins = ["io.containerd.snapshotter.v1.aufs", "io.containerd.snapshotter.v1.btrfs",
  "io.containerd.snapshotter.v1.zfs", "io.containerd.snapshotter.v1.devmapper"]
[grpc]
  address = "$ctr_sock"
[ttrpc]
  address = "$ctr_sock.ttrpc"
[debug]
  address = ""
[metrics]
  address = ""
[plugins."io.containerd.internal.v1.opt"]
  path = "$run/containerd/opt"
[plugins."io.containerd.runtime.v1.linux"]
  runtime_root = "$run/runc-v1"
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "$pause_image"
  restrict_oom_score_adj = true
  disable_apparmor = true
  enable_selinux = false
  stream_server_address = "127.0.0.1"
  stream_server_port = "0"
  netns_mounts_under_state_dir = true
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        SystemdCgroup = false
        Root = "$run/runc"
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "/usr/lib/cni"
    conf_dir = "$run/cni/net.d"
    max_conf_num = 1
EOF
  # Pods ask their own loopback for names (nothing answers; no route leads out of the node), so resolvers do not
  # fall back to public name servers.
  printf "nameserver 127.0.0.1\noptions ndots:1\n" >"$run/node/resolv.conf"
  cat >"$run/kubelet/config.yaml" <<EOF
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
address: 127.0.0.1
port: $kubelet_port
readOnlyPort: 0
healthzBindAddress: 127.0.0.1
healthzPort: 10248
authentication:
  anonymous: {enabled: false}
  webhook: {enabled: true}
  x509: {clientCAFile: $pki/ca.crt}
authorization: {mode: Webhook}
cgroupDriver: cgroupfs
cgroupRoot: /$cgroup_name
cgroupsPerQOS: true
failSwapOn: false
makeIPTablesUtilChains: false
protectKernelDefaults: false
oomScoreAdj: 0
resolvConf: $run/node/resolv.conf
rotateCertificates: false
serverTLSBootstrap: false
serializeImagePulls: false
imageGCHighThresholdPercent: 100
imageGCLowThresholdPercent: 99
evictionHard: {memory.available: 50Mi, nodefs.available: 1%, nodefs.inodesFree: 1%, imagefs.available: 1%}
EOF
}

cmd_up() {
  local start_time bin etcd_port etcd_peer_port t
  start_time=$(now)
  run_paths "$1"
  require_node_tools
  exec 9>"$lock_file"
  flock -n 9 || tk_die "another task-api e2e cluster runs on this machine (lock $lock_file held: e2e-cluster.sh down its RUN_DIR)"
  [ ! -f "$state" ] || tk_die "$run holds a cluster already (state.env): e2e-cluster.sh down $run first"
  cmd_build
  bin=$(build_dir)/bin
  chmod 700 "$run"
  mkdir -p "$logs" "$pids"
  run_id=$$ netns=task-api-e2e-$$ cgroup_name=task-api-e2e-$$
  etcd_port=$(free_port); etcd_peer_port=$(free_port); api_port=$(free_port); kubelet_port=$(free_port)
  admin_token=$(token)
  # down reads this first: everything below is removable from here on
  cat >"$state" <<EOF
run_id=$run_id
netns=$netns
cgroup_name=$cgroup_name
api_port=$api_port
kubelet_port=$kubelet_port
admin_token=$admin_token
EOF
  local d created=""
  for d in "${host_dirs[@]}"; do [ -d "$d" ] || created+=" $d"; done
  echo "created_host_dirs='${created# }'" >>"$state"
  # The pod log directories there before the run: every other one in /var/log/pods is the run's (one run at a
  # time, under the lock), also those of pods deleted before the kubelet collected their logs.
  find /var/log/pods -mindepth 1 -maxdepth 1 -printf '%f\n' 2>/dev/null | sort >"$run/pod-logs-before" || true
  up_ok=false
  # fd 7: up's own stderr, for the clean-up (a signal may arrive while a poll has stderr sent to /dev/null)
  exec 7>&2
  trap 'exit 130' INT TERM
  trap 'if [ "$up_ok" != true ]; then { log "up failed: cleaning up"; cmd_down "$run" || true; } >&7 2>&7; fi' EXIT

  make_pki
  local kubelet_token proxy_token cm_token sched_token
  kubelet_token=$(token) proxy_token=$(token) cm_token=$(token) sched_token=$(token)
  cat >"$pki/tokens.csv" <<EOF
$admin_token,task-api-e2e-admin,task-api-e2e-admin,system:masters
$kubelet_token,system:node:$node_name,system:node:$node_name,system:nodes
$proxy_token,system:kube-proxy,system:kube-proxy
$cm_token,system:kube-controller-manager,system:kube-controller-manager
$sched_token,system:kube-scheduler,system:kube-scheduler
EOF
  chmod 600 "$pki/tokens.csv"
  kubeconfig "$run/kubeconfig" "$admin_token" task-api-e2e
  kubeconfig "$pki/kubelet.kubeconfig" "$kubelet_token" kubelet
  kubeconfig "$pki/kube-proxy.kubeconfig" "$proxy_token" kube-proxy
  kubeconfig "$pki/controller-manager.kubeconfig" "$cm_token" controller-manager
  kubeconfig "$pki/scheduler.kubeconfig" "$sched_token" scheduler

  # The cluster's network namespace: the whole cluster runs in it (the API server reaches the pods' addresses
  # there, for its service and pod proxies), joined to the host only by a relay over a unix socket.
  ip netns add "$netns"
  ip -n "$netns" link set lo up
  in_node sh -c 'echo 1 >/proc/sys/net/ipv4/ip_forward
    if [ -e /proc/sys/net/bridge/bridge-nf-call-iptables ]; then echo 1 >/proc/sys/net/bridge/bridge-nf-call-iptables; fi'
  # The host's 127.0.0.1:API_PORT (kubectl, the tests) reaches the API server on the namespace's 127.0.0.1:API_PORT.
  start relay-api-node nsenter --net="/run/netns/$netns" \
    socat "UNIX-LISTEN:$run/api.sock,fork,mode=600" "TCP:127.0.0.1:$api_port"
  start relay-api-host socat "TCP-LISTEN:$api_port,bind=127.0.0.1,fork,reuseaddr" "UNIX-CONNECT:$run/api.sock"

  # control plane, the namespace's loopback
  start etcd nsenter --net="/run/netns/$netns" "$bin/etcd" --name e2e --data-dir "$run/etcd" \
    --listen-client-urls "http://127.0.0.1:$etcd_port" --advertise-client-urls "http://127.0.0.1:$etcd_port" \
    --listen-peer-urls "http://127.0.0.1:$etcd_peer_port" --initial-advertise-peer-urls "http://127.0.0.1:$etcd_peer_port" \
    --initial-cluster "e2e=http://127.0.0.1:$etcd_peer_port" --initial-cluster-state new
  await etcd etcd in_node curl -sf --max-time 2 "http://127.0.0.1:$etcd_port/health"
  start kube-apiserver nsenter --net="/run/netns/$netns" "$bin/kube-apiserver" --etcd-servers "http://127.0.0.1:$etcd_port" \
    --bind-address 127.0.0.1 --advertise-address 127.0.0.1 --secure-port "$api_port" --insecure-port 0 \
    --tls-cert-file "$pki/apiserver.crt" --tls-private-key-file "$pki/apiserver.key" --client-ca-file "$pki/ca.crt" \
    --token-auth-file "$pki/tokens.csv" --anonymous-auth=false \
    --authorization-mode Node,RBAC --enable-admission-plugins NodeRestriction --allow-privileged=true \
    --service-cluster-ip-range "$service_cidr" \
    --service-account-key-file "$pki/sa.pub" --service-account-signing-key-file "$pki/sa.key" \
    --service-account-issuer https://kubernetes.default.svc.cluster.local \
    --kubelet-client-certificate "$pki/apiserver-kubelet-client.crt" --kubelet-client-key "$pki/apiserver-kubelet-client.key" \
    --kubelet-preferred-address-types InternalIP,Hostname --profiling=false --v 1
  await "the API server" kube-apiserver api_has /readyz ok
  start kube-controller-manager nsenter --net="/run/netns/$netns" "$bin/kube-controller-manager" \
    --kubeconfig "$pki/controller-manager.kubeconfig" \
    --port 0 --secure-port 0 --leader-elect=false --use-service-account-credentials \
    --service-account-private-key-file "$pki/sa.key" --root-ca-file "$pki/ca.crt" \
    --flex-volume-plugin-dir "$run/controller-manager/volume-plugins" --profiling=false --v 1
  start kube-scheduler nsenter --net="/run/netns/$netns" "$bin/kube-scheduler" --kubeconfig "$pki/scheduler.kubeconfig" \
    --port 0 --secure-port 0 --leader-elect=false --profiling=false --v 1

  make_cgroups
  write_node_config
  start containerd env TMPDIR="$run/tmp" nsenter --net="/run/netns/$netns" containerd --config "$run/containerd/config.toml"
  await containerd containerd ctr --address "$ctr_sock" version
  ctr --address "$ctr_sock" -n k8s.io images import "$(build_dir)/pause.tar" >/dev/null
  # --containerd/--docker: the kubelet's embedded cAdvisor would otherwise ask the machine's own containerd and
  # dockerd about their containers; it asks the run's containerd and no docker.
  start kubelet nsenter --net="/run/netns/$netns" "$bin/kubelet" --config "$run/kubelet/config.yaml" \
    --kubeconfig "$pki/kubelet.kubeconfig" --container-runtime remote \
    --container-runtime-endpoint "unix://$ctr_sock" --image-service-endpoint "unix://$ctr_sock" \
    --hostname-override "$node_name" --root-dir "$run/kubelet" --cert-dir "$run/kubelet/pki" \
    --volume-plugin-dir "$run/kubelet/volume-plugins" --pod-infra-container-image "$pause_image" \
    --cgroup-driver cgroupfs --cgroup-root "/$cgroup_name" --fail-swap-on=false --make-iptables-util-chains=false \
    --containerd "$ctr_sock" --containerd-namespace k8s.io --docker "unix://$run/no-docker.sock" --v 1
  # kube-proxy leaves conntrack and every host setting alone (0 = keep as is); it sees only the node's namespace
  start kube-proxy nsenter --net="/run/netns/$netns" "$bin/kube-proxy" --kubeconfig "$pki/kube-proxy.kubeconfig" \
    --hostname-override "$node_name" --proxy-mode iptables --cluster-cidr "$pod_cidr" \
    --conntrack-max-per-core 0 --conntrack-min 0 --conntrack-tcp-timeout-established 0 \
    --conntrack-tcp-timeout-close-wait 0 --oom-score-adj 0 \
    --healthz-bind-address 127.0.0.1:10256 --metrics-bind-address 127.0.0.1:10249 --v 1
  await "the node to be Ready" kubelet api_has "/api/v1/nodes/$node_name" '"type":"Ready","status":"True"'
  await "the default service account" kube-controller-manager api_get /api/v1/namespaces/default/serviceaccounts/default
  up_ok=true
  t=$(elapsed "$start_time")
  log "up: node $node_name Ready in $t s; KUBECONFIG=$run/kubeconfig (context task-api-e2e), API https://127.0.0.1:$api_port"
}

load_state() {
  run_paths "$1"
  [ -f "$state" ] || return 1
  # shellcheck source=/dev/null
  . "$state"
}

cmd_load() {
  local dir=$1 tar; shift
  load_state "$dir" || tk_die "no cluster in $dir (state.env missing)"
  [ $# -gt 0 ] || tk_die "load: no TAR given"
  for tar in "$@"; do
    [ -f "$tar" ] || tk_die "load: $tar: no such file"
    ctr --address "$ctr_sock" -n k8s.io images import "$tar" | sed -n 's/^unpacking \(.*\) (sha256:.*/\1/p'
  done
}

# ours PID: whether PID is a process of this run (its command line names the run's directory).
ours() { [ -r "/proc/$1/cmdline" ] && tr '\0' ' ' <"/proc/$1/cmdline" | grep -qF "$run/"; }

# stop_pids PID...: TERM, up to 5 s for all of them together, then KILL.
stop_pids() {
  local pid i alive
  [ $# -gt 0 ] || return 0
  kill -TERM "$@" 2>/dev/null || true
  for i in $(seq 50); do
    alive=""
    for pid in "$@"; do if kill -0 "$pid" 2>/dev/null; then alive=1; fi; done
    [ -n "$alive" ] || return 0
    sleep 0.1; : "$i"
  done
  kill -KILL "$@" 2>/dev/null || true
  sleep 0.2
}

# stop_daemons NAME...: the run's recorded daemons, together.
stop_daemons() {
  local name pid f list=()
  for name in "$@"; do
    f=$pids/$name
    pid=$(cat "$f" 2>/dev/null) || continue
    if ours "$pid"; then list+=("$pid"); fi
  done
  stop_pids "${list[@]}"
  # what a daemon forked (socat's connection handlers) is in its process group: setsid made it the leader
  for pid in "${list[@]}"; do kill -KILL -- "-$pid" 2>/dev/null || true; done
  for name in "$@"; do
    f=$pids/$name
    pid=$(cat "$f" 2>/dev/null) || continue
    if ours "$pid"; then problems+=("process $name ($pid)"); else rm -f "$f"; fi
  done
}

# the run's processes nobody recorded: containerd's shims (their command lines name the run's containerd socket)
run_processes() {
  local p
  for p in /proc/[0-9]*; do
    p=${p#/proc/}
    case $(cat "/proc/$p/comm" 2>/dev/null) in containerd-shim*) ;; *) continue ;; esac
    ! tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null | grep -qF -- "$ctr_sock" || echo "$p"
  done
}

# any other process naming the run's directory, but this script and its callers, and clients such as kubectl
leftover_processes() {
  local p q self=" "
  q=$$
  while [ "$q" -gt 1 ]; do self+="$q "; q=$(awk '{print $4}' "/proc/$q/stat" 2>/dev/null || echo 1); done
  for p in /proc/[0-9]*; do
    p=${p#/proc/}
    case "$self" in *" $p "*) continue ;; esac
    [ "$p" != "$BASHPID" ] || continue
    case $(cat "/proc/$p/comm" 2>/dev/null) in kubectl|e2e-*) continue ;; esac
    ! ours "$p" || echo "$p"
  done
}

cgroup_pids() {
  local m
  for m in $(cgroup_mounts); do
    if [ -d "$m/$cgroup_name" ]; then find "$m/$cgroup_name" -name cgroup.procs -exec cat {} + 2>/dev/null || true; fi
  done | sort -u
}

# mount points under the run's directory, deepest first (as /proc/mounts escapes them)
run_mounts() { awk -v r="$run/" 'index($2, r) == 1 {print $2}' /proc/mounts | sort -r; }

cmd_down() {
  local start_time d m p i uid removed_logs=()
  start_time=$(now)
  problems=()
  # one down at a time (a failing up cleans up after itself while a down may already run)
  exec 8>"$lock_file.down"
  flock 8
  if ! load_state "$1"; then
    log "down: no cluster in $run (state.env missing): nothing to do"
    return 0
  fi
  # the pods whose logs the kubelet keeps in /var/log/pods (named NAMESPACE_NAME_UID)
  local uids=()
  if [ -d "$run/kubelet/pods" ]; then
    for d in "$run/kubelet/pods"/*/; do if [ -d "$d" ]; then uids+=("$(basename "$d")"); fi; done
  fi
  if [ -n "${admin_token:-}" ] && [ -f "$pki/ca.crt" ]; then
    while read -r uid; do uids+=("$uid"); done < <(api_get /api/v1/pods 2>/dev/null \
      | grep -o '"uid":"[0-9a-f-]*"' | cut -d'"' -f4 || true)
  fi
  stop_daemons kubelet kube-proxy
  # the pods' processes: everything in the run's cgroups, killed until none is left
  for i in $(seq 30); do
    p=$(cgroup_pids)
    [ -n "$p" ] || break
    # shellcheck disable=SC2086 # one pid per word
    kill -KILL $p 2>/dev/null || true
    sleep 0.2; : "$i"
  done
  [ -z "$(cgroup_pids)" ] || problems+=("processes in cgroup $cgroup_name: $(cgroup_pids | tr '\n' ' ')")
  # the shims' sockets, which a killed shim leaves behind (containerd keeps them under /run/containerd/s/)
  local sockets=()
  for f in "$run"/containerd/state/io.containerd.runtime.v2.task/*/*/address; do
    if [ -f "$f" ]; then sockets+=("$(sed 's|^unix://||' "$f")"); fi
  done
  stop_daemons containerd
  # shellcheck disable=SC2046 # one pid per word
  stop_pids $(run_processes)
  stop_daemons relay-api-host relay-api-node kube-scheduler kube-controller-manager kube-apiserver
  stop_daemons etcd
  for p in $(run_processes) $(leftover_processes); do
    problems+=("process $p: $(tr '\0' ' ' <"/proc/$p/cmdline" | cut -c1-100)")
  done
  for f in "${sockets[@]}"; do
    case $f in /run/containerd/s/*) if [ -S "$f" ]; then rm -f "$f"; fi ;; esac
  done
  for m in $(run_mounts); do
    umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || true
  done
  for m in $(run_mounts); do problems+=("mount $m"); done
  for m in $(cgroup_mounts); do
    [ -d "$m/$cgroup_name" ] || continue
    find "$m/$cgroup_name" -depth -type d -exec rmdir {} + 2>/dev/null || true
    [ ! -d "$m/$cgroup_name" ] || problems+=("cgroup $m/$cgroup_name")
  done
  if ip netns list | grep -qw "^$netns"; then
    ip netns del "$netns" 2>/dev/null || true
    ! ip netns list | grep -qw "^$netns" || problems+=("network namespace $netns")
  fi
  for uid in "${uids[@]}"; do
    for d in /var/log/pods/*_"$uid"; do
      [ -d "$d" ] || continue
      rm -rf "$d" && removed_logs+=("$d")
    done
  done
  if [ -f "$run/pod-logs-before" ]; then
    for d in /var/log/pods/*; do
      [ -d "$d" ] || continue
      grep -qxF "$(basename "$d")" "$run/pod-logs-before" || { rm -rf "$d" && removed_logs+=("$d"); }
    done
  fi
  for f in /var/log/containers/*; do
    [ -L "$f" ] || continue
    d=$(readlink "$f")
    for m in "${removed_logs[@]}"; do
      case $d in "$m"/*) rm -f "$f" ;; esac
    done
  done
  # the CNI plugins' result cache (libcni's default, /var/lib/cni/results): the entries naming the run's pods
  for f in /var/lib/cni/results/*; do
    if [ -f "$f" ] && grep -qF "$run/" "$f"; then rm -f "$f"; fi
  done
  # the kubelet's device-plugin socket, and the host directories up found missing, when empty
  rm -f /var/lib/kubelet/device-plugins/kubelet.sock
  local created_dirs
  read -r -a created_dirs <<<"${created_host_dirs:-}"
  for ((i = ${#created_dirs[@]} - 1; i >= 0; i--)); do
    d=${created_dirs[i]}
    [ "$d" != /var/lib/kubelet/device-plugins ] || rm -f "$d/DEPRECATION"
    [ ! -d "$d" ] || rmdir "$d" 2>/dev/null || problems+=("directory $d (not empty)")
  done
  # what remains: the logs, for a look after the fact
  if [ ${#problems[@]} -eq 0 ]; then
    find "$run" -mindepth 1 -maxdepth 1 ! -name logs -exec rm -rf {} + 2>/dev/null || problems+=("files under $run")
  fi
  if [ ${#problems[@]} -gt 0 ]; then
    printf 'e2e-cluster: down: could not remove: %s\n' "${problems[@]}" >&2
    return 1
  fi
  log "down: everything removed in $(elapsed "$start_time") s (logs kept in $logs)"
}

# running: exits 0 when a run holds the lock (a cluster of some checkout is up or being started), 1 otherwise.
cmd_running() {
  [ -e "$lock_file" ] || return 1
  exec 8>>"$lock_file"
  if flock -n 8; then
    flock -u 8
    return 1
  fi
  if [ "${1:-}" = --describe ]; then echo "lock $lock_file is held"; fi
  return 0
}

case ${1:-} in
  build) cmd_build ;;
  up) [ $# -eq 2 ] || tk_die "usage: $0 up RUN_DIR"; cmd_up "$2" ;;
  load) [ $# -ge 3 ] || tk_die "usage: $0 load RUN_DIR TAR..."; shift; cmd_load "$@" ;;
  down) [ $# -eq 2 ] || tk_die "usage: $0 down RUN_DIR"; cmd_down "$2" ;;
  running) cmd_running "${2:-}" ;;
  *) tk_die "usage: $0 build | up RUN_DIR | load RUN_DIR TAR... | down RUN_DIR" ;;
esac
