#!/usr/bin/env bash
# The build's shared facts and the container engines' differences, in one place. Every script under
# src/scripts/ sources it (`. "$(dirname "$0")/lib.sh"`); the Makefile and the tests run it as a command:
#
#   lib.sh engine               the container engine to use: its command (podman, docker or a path), or "none"
#   lib.sh engine-kind          podman or docker: how that engine is driven (tk_kind)
#   lib.sh version              the project version (Maven's project.version)
#   lib.sh jlink-modules        the slim image's Java modules (the pom's property image.jlink.modules)
#   lib.sh maven-fact EXPR      what Maven evaluates EXPR to (a property, project.version, ...): tk_maven_fact
#   lib.sh revision             the commit the images are built from (-dirty: with uncommitted changes)
#   lib.sh run-flags MODELS     the hardened `ENGINE run` flags, one per line, for the chosen engine
#   lib.sh load TAR             loads a docker-archive tar into the engine, prints the image's name
#   lib.sh pull-flags REF       the engine's extra `pull` flags for REF (a loopback registry is plain HTTP)
#   lib.sh jib-registry-flags REGISTRY...   the Jib flags for pulling from or pushing to these registries
#   lib.sh require-engine WHY   exits 1 with one line saying what to install or start unless the engine answers
#   lib.sh build [--no-pull] ARGS...   `ENGINE build ARGS...` as tk_build runs it (BuildKit or legacy builder)
#
# Engine choice (ENGINE): when set, ENGINE names it (a command or a path; ENGINE=none means no engine).
# Otherwise podman when it is installed and `podman info` answers, else docker when `docker info` answers
# (its daemon runs), else none. podman comes first because it needs no daemon (an installed podman always
# works, an installed docker only while its daemon runs), CI installs it (podman-setup.sh), and the
# manifests' no-cluster run (`podman kube play`) needs it anyway. Both podman 4.3 and docker 20.10 work for
# everything but that: force one with ENGINE=docker or ENGINE=podman.
#
# Functions (prefix tk_) for the scripts: tk_engine, tk_kind, tk_docker_answers, tk_require_engine, tk_version,
# tk_maven_fact, tk_pom_property, tk_jlink_modules, tk_revision, tk_load, tk_loopback_registry, tk_registry_answers, tk_jib_registry_flags, tk_pull_flags,
# tk_run_flags, tk_run_hardened, tk_port, tk_await_ready, tk_rm,
# tk_history, tk_build, tk_build_legacy, tk_build_without_cache_mounts, tk_build_can_mount, tk_build_fill_cache,
# tk_write_generated, tk_die.

tk_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)

tk_die() { echo "error: $*" >&2; exit 1; }

# tk_engine: prints the engine's command; fails (prints nothing) when there is none.
tk_engine() {
  if [ -n "${ENGINE+set}" ] && [ -n "$ENGINE" ]; then
    [ "$ENGINE" != none ] || return 1
    echo "$ENGINE"; return 0
  fi
  if command -v podman >/dev/null 2>&1 && podman info >/dev/null 2>&1; then echo podman; return 0; fi
  if command -v docker >/dev/null 2>&1 && tk_docker_answers docker; then echo docker; return 0; fi
  return 1
}

# tk_docker_answers [DOCKER]: whether the docker client's daemon answers (within 10 s).
tk_docker_answers() { timeout 10 "${1:-docker}" info >/dev/null 2>&1; }

# tk_require_engine WHY: sets $engine (the command) and $engine_kind (podman|docker), or exits naming what to install.
tk_require_engine() {
  engine=$(tk_engine) || tk_die "no container engine: $1 (install podman: src/scripts/podman-setup.sh; or docker, and start its daemon)"
  command -v "$engine" >/dev/null 2>&1 || tk_die "ENGINE=$engine not found (install podman: src/scripts/podman-setup.sh; or docker)"
  engine_kind=$(tk_kind "$engine")
  [ "$engine_kind" = podman ] || tk_docker_answers "$engine" || tk_die "docker's daemon does not answer" \
    "(DOCKER_HOST=${DOCKER_HOST:-unix:///var/run/docker.sock}): start it (sudo systemctl start docker;" \
    "without systemd: src/scripts/dockerd.sh start) or use ENGINE=podman"
}

# tk_kind [ENGINE]: podman or docker (a path or a wrapper is judged by its name).
tk_kind() {
  case "$(basename "${1:-$(tk_engine)}")" in *podman*) echo podman ;; *) echo docker ;; esac
}

# tk_pod_limits KUSTOMIZATION: the task-api container's memory and CPU limits as kubectl renders the kustomization
# (e.g. k8s/overlays/production), in the engine's units: MEM_LIMIT (e.g. 256m) and CPU_LIMIT (CPUs, e.g. 1).
# shellcheck disable=SC2034 # MEM_LIMIT and CPU_LIMIT are for the caller
tk_pod_limits() {
  local limits mem cpu
  command -v kubectl >/dev/null || tk_die "reading the pod's limits from $1 needs kubectl (https://kubernetes.io/docs/tasks/tools/)"
  limits=$(kubectl kustomize "$1" | kubectl label --local -f - limits=read -o jsonpath='{.kind} {.spec.template.spec.containers[?(@.name=="task-api")].resources.limits.memory} {.spec.template.spec.containers[?(@.name=="task-api")].resources.limits.cpu}{"\n"}' | awk '$1 == "Deployment" {print $2, $3}')
  read -r mem cpu <<<"$limits"
  case $mem in
    *Mi) MEM_LIMIT=${mem%Mi}m ;; *Gi) MEM_LIMIT=${mem%Gi}g ;; *) tk_die "$1: no task-api memory limit in Mi or Gi (got '$mem')" ;;
  esac
  case $cpu in
    *m) CPU_LIMIT=$(awk -v m="${cpu%m}" 'BEGIN {print m / 1000}') ;; [0-9]*) CPU_LIMIT=$cpu ;; *) tk_die "$1: no task-api CPU limit (got '$cpu')" ;;
  esac
}

# tk_maven_fact EXPRESSION: what Maven evaluates EXPRESSION to for this project (`mvn help:evaluate`, the plugin
# pinned in pom.xml): project.version, a property's name, ... as Maven builds the model, interpolation, profiles
# and parents included. An expression Maven cannot evaluate is an error; an empty property prints an empty line.
# Maven takes seconds to start, and the Makefile asks at every run, so the answers are cached in
# target/maven-facts/KEY/, KEY a hash of pom.xml and .mvn/'s configuration: Maven is asked again only after they
# change. MVN (default mvn) is the Maven to ask.
tk_maven_fact() {
  local expr=$1 files=("$tk_root/pom.xml") f key facts dir tmp out value mvn
  case $expr in ''|*[!A-Za-z0-9._-]*) tk_die "not a Maven expression lib.sh can cache: '$expr'" ;; esac
  for f in "$tk_root/.mvn/maven.config" "$tk_root/.mvn/jvm.config"; do
    if [ -f "$f" ]; then files+=("$f"); fi
  done
  key=$(cat "${files[@]}" | sha256sum | cut -c1-16)
  facts=$tk_root/target/maven-facts dir=$tk_root/target/maven-facts/$key
  if [ -f "$dir/$expr" ]; then printf '%s\n' "$(<"$dir/$expr")"; return; fi
  read -r -a mvn <<<"${MVN:-mvn}"
  command -v "${mvn[0]}" >/dev/null 2>&1 || tk_die "reading $expr from pom.xml needs Maven: install it (apt-get install maven)"
  mkdir -p "$dir"
  tmp=$(mktemp "$dir/.$expr.XXXXXX")
  # help:evaluate writes the bare value to -Doutput (its stdout has terminal codes, its stderr JVM warnings).
  if ! out=$(cd "$tk_root" && "${mvn[@]}" -B -q -ntp help:evaluate -Dexpression="$expr" -Doutput="$tmp" 2>&1); then
    rm -f "$tmp"; tk_die "mvn help:evaluate -Dexpression=$expr failed: $out"
  fi
  value=$(<"$tmp")
  if [ "$value" = "null object or invalid expression" ]; then rm -f "$tmp"; tk_die "Maven knows no $expr in pom.xml"; fi
  chmod a+r "$tmp"; mv -f "$tmp" "$dir/$expr"
  # The answers for an earlier pom.xml go.
  find "$facts" -mindepth 1 -maxdepth 1 ! -name "$key" -exec rm -rf {} +
  printf '%s\n' "$value"
}

# tk_pom_property NAME: the value of the pom's property NAME, as Maven evaluates it.
tk_pom_property() { tk_maven_fact "$1"; }

# tk_version: the project's version, as Maven evaluates it.
tk_version() { tk_maven_fact project.version; }

tk_jlink_modules() { tk_pom_property image.jlink.modules; }

# tk_revision: the commit the images are built from (their org.opencontainers.image.revision), -dirty when the
# working tree differs from it.
tk_revision() {
  local rev
  rev=$(git -C "$tk_root" rev-parse HEAD 2>/dev/null) || { echo unknown; return; }
  git -C "$tk_root" diff --quiet HEAD -- 2>/dev/null || rev="$rev-dirty"
  echo "$rev"
}

# tk_load TAR: loads a docker-archive tar, prints the name it was loaded under (podman: localhost/NAME:TAG).
tk_load() {
  local out name
  out=$("$engine" load -i "$1" 2>&1) || { echo "$out" >&2; tk_die "$engine load -i $1 failed"; }
  name=$(echo "$out" | sed -n 's/^Loaded image[^:]*: *//p' | tail -1)
  [ -n "$name" ] || tk_die "no image name in the output of $engine load -i $1: $out"
  echo "$name"
}

# tk_loopback_registry HOST[:PORT]: whether a registry address is this machine's own (127.x, localhost, [::1]),
# where a development registry may speak plain HTTP (src/scripts/registry.sh serves only such addresses).
tk_loopback_registry() {
  case "$1" in 127.*|localhost|localhost:*|'[::1]'|'[::1]':*) return 0 ;; *) return 1 ;; esac
}

# tk_registry_answers HOST[:PORT]: whether a registry answers /v2/ within 4 s with any HTTP status (401 too: that
# means "log in"); over HTTPS, or over plain HTTP when it is a loopback one (a TLS handshake with it fails at once).
tk_registry_answers() {
  local scheme
  for scheme in https http; do
    [ $scheme = https ] || tk_loopback_registry "$1" || return 1
    [ "$(curl -s -o /dev/null --connect-timeout 3 -m 4 -w '%{http_code}' "$scheme://$1/v2/" || true)" = 000 ] || return 0
  done
  return 1
}

# tk_jib_registry_flags REGISTRY...: the Jib flags for a build that pulls from or pushes to these registries. Jib
# (3.5.2: FailoverHttpClient) speaks plain HTTP to a registry, or accepts a certificate it cannot verify, only under
# -Djib.allowInsecureRegistries=true, and then for every registry of the build; it has no exception for localhost or
# 127.0.0.1 (docker has). So the flag is given only for a loopback registry (the development registry of
# `make registry-up`, plain HTTP); Jib still tries HTTPS first.
tk_jib_registry_flags() {
  local r
  for r in "$@"; do
    if tk_loopback_registry "${r%%/*}"; then echo -Djib.allowInsecureRegistries=true; return; fi
  done
}

# tk_pull_flags REF: docker pulls from a loopback registry over plain HTTP by default (its insecure-registries
# include 127.0.0.0/8); podman insists on TLS unless told.
tk_pull_flags() {
  if [ "$(tk_kind "$engine")" = podman ] && tk_loopback_registry "${1%%/*}"; then echo --tls-verify=false; fi
}

# tk_run_flags MODELS: how every image runs here, as the Kubernetes manifests run it: uid 65532, read-only
# root with only an explicit /tmp tmpfs (the pod's emptyDir), no capabilities, no privilege escalation,
# models read-only at /app/models, port 8080 published on loopback only (a free port: see tk_port).
tk_run_flags() {
  printf '%s\n' --user 65532:65532 --read-only --cap-drop ALL --security-opt no-new-privileges \
    --tmpfs /tmp:rw,nosuid,nodev,mode=1777,size=64m -v "$1:/app/models:ro" -p 127.0.0.1::8080
  # podman's --read-only adds tmpfs mounts of its own on /tmp, /var/tmp and /run; docker has no such flag.
  if [ "$(tk_kind "$engine")" = podman ]; then echo --read-only-tmpfs=false; fi
}

# tk_run_hardened NAME IMAGE MODELS [RUN-ARGS...]: starts IMAGE detached under tk_run_flags.
tk_run_hardened() {
  local name=$1 image=$2 models=$3 flags; shift 3
  mapfile -t flags < <(tk_run_flags "$models")
  "$engine" run -d --name "$name" "${flags[@]}" "$@" "$image" >/dev/null
}

# tk_port CONTAINER: the loopback host port published for 8080.
tk_port() { "$engine" port "$1" 8080/tcp | head -1 | sed 's/.*://'; }

# tk_await_ready URL [SECONDS] [CONTAINER]: polls URL every 10 ms until it answers 200; fails after SECONDS
# (default 60), or as soon as CONTAINER stops running.
tk_await_ready() {
  local url=$1 deadline=$(( $(date +%s) + ${2:-60} )) container=${3:-}
  until curl -fs -o /dev/null --max-time 2 "$url"; do
    [ "$(date +%s)" -lt "$deadline" ] || return 1
    if [ -n "$container" ] && [ "$("$engine" inspect -f '{{.State.Running}}' "$container" 2>/dev/null)" != true ]; then
      return 1
    fi
    sleep 0.01
  done
}

# tk_rm CONTAINER...: removes containers, whether or not they exist.
tk_rm() { local c; for c in "$@"; do "$engine" rm -f "$c" >/dev/null 2>&1 || true; done; }

# tk_history IMAGE: the image's layer history as JSON (podman: an array; docker: one object per line).
tk_history() {
  if [ "$engine_kind" = podman ]; then
    "$engine" history --format json "$1"
  else
    "$engine" history --no-trunc --human=false --format '{{json .}}' "$1"
  fi
}

# tk_build [--no-pull] BUILD-ARGS...: builds a Dockerfile. docker builds with BuildKit (DOCKER_BUILDKIT=1), which
# RUN --mount=type=cache needs (Debian's docker 20.10 CLI has it built in; a newer CLI needs the buildx plugin:
# ENGINE=/usr/bin/docker). DOCKER_BUILDKIT=0 asks for docker's legacy builder instead (see tk_build_legacy).
# --no-pull: the bases are loaded locally (podman would otherwise try a registry for localhost/ names).
# Gives up after TK_BUILD_TIMEOUT seconds (default 1200).
tk_build() {
  local pull=() limit=${TK_BUILD_TIMEOUT:-1200}
  if [ "${1:-}" = --no-pull ]; then shift; [ "$engine_kind" = podman ] && pull=(--pull=never); fi
  if [ "$engine_kind" = podman ]; then
    timeout "$limit" "$engine" build "${pull[@]}" "$@"
    return
  fi
  if tk_build_legacy; then
    tk_build_without_cache_mounts "$limit" "$@"
    return
  fi
  local major
  major=$("$engine" version --format '{{.Client.Version}}' 2>/dev/null | cut -d. -f1)
  if [ "${major:-0}" -ge 23 ] 2>/dev/null && ! "$engine" buildx version >/dev/null 2>&1; then
    echo "error: $engine (docker CLI $major.x) builds with BuildKit only through the buildx plugin, which is" \
         "missing: install docker-buildx, use Debian's docker.io CLI (ENGINE=/usr/bin/docker), or build with" \
         "the legacy builder (DOCKER_BUILDKIT=0: no cache mounts)" >&2
    return 1
  fi
  DOCKER_BUILDKIT=1 timeout "$limit" "$engine" build "$@"
}

# tk_build_legacy: whether docker's legacy builder is asked for (DOCKER_BUILDKIT=0 or false, as docker reads it).
tk_build_legacy() {
  [ "$engine_kind" != podman ] && case "${DOCKER_BUILDKIT:-}" in 0|f|F|false|FALSE|False) true ;; *) false ;; esac
}

# tk_build_without_cache_mounts LIMIT BUILD-ARGS...: the legacy builder rejects every `RUN --mount`. A cache mount
# only saves downloads (the Dockerfiles keep Maven's repository there, out of the layers), so the build works
# without one: the Dockerfile (-f FILE, -f - or CONTEXT/Dockerfile) is built from a copy with its
# --mount=type=cache options taken out. The Dockerfiles stay the single source; any other --mount still fails.
tk_build_without_cache_mounts() {
  local limit=$1 args=() file="" tmp rc=0; shift
  while [ $# -gt 0 ]; do
    case $1 in
      -f|--file) file=$2; shift 2 ;;
      -f=*|--file=*) file=${1#*=}; shift ;;
      *) args+=("$1"); shift ;;
    esac
  done
  [ -n "$file" ] || file=${args[${#args[@]}-1]}/Dockerfile
  tmp=$(mktemp "${TMPDIR:-/tmp}/Dockerfile.legacy.XXXXXX")
  if [ "$file" = - ]; then cat; else cat "$file"; fi \
    | sed -E 's/[[:space:]]+--mount=([^[:space:]]*,)?type=cache(,[^[:space:]]*)?//g' >"$tmp"
  DOCKER_BUILDKIT=0 timeout "$limit" "$engine" build -f "$tmp" "${args[@]}" || rc=$?
  rm -f "$tmp"
  return $rc
}

# tk_build_can_mount: whether `build -v HOST:CONTAINER` works (podman's build does; docker's has no -v).
tk_build_can_mount() { [ "$engine_kind" = podman ]; }

# tk_build_fill_cache ID DIR SUBDIR IMAGE: copies the host directory DIR into the build cache mount ID (under
# SUBDIR), where Dockerfiles' `RUN --mount=type=cache,id=ID` find it: docker's stand-in for podman's build -v.
# IMAGE: any local image with cp. Incremental: BuildKit sends only what changed in DIR.
tk_build_fill_cache() {
  printf '%s\n' "FROM $4" "RUN --mount=type=cache,id=$1,target=/cache,sharing=locked --mount=type=bind,target=/host \\" \
    "    mkdir -p /cache/$3 && cp -a -u /host/. /cache/$3/" | tk_build --no-pull -f - "$2"
}

# tk_write_generated DOC NAME < CONTENT: replaces the part of the Markdown file DOC between the lines
# `<!-- generated: NAME -->` and `<!-- end generated: NAME -->` with CONTENT (appends both when absent), so that
# a script that measures writes its figures into the document that explains them, and the prose around stays.
tk_write_generated() {
  local doc=$1 begin="<!-- generated: $2 -->" end="<!-- end generated: $2 -->" content
  content=$(cat)
  [ -f "$doc" ] || : >"$doc"
  if ! grep -qxF "$begin" "$doc"; then printf '\n%s\n%s\n' "$begin" "$end" >>"$doc"; fi
  BEGIN=$begin END=$end CONTENT=$content awk '
    $0 == ENVIRON["BEGIN"] { print; print ENVIRON["CONTENT"]; skip = 1; next }
    $0 == ENVIRON["END"] { skip = 0 }
    !skip { print }' "$doc" >"$doc.new"
  mv "$doc.new" "$doc"
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  set -euo pipefail
  cmd=${1:-}; shift || true
  case "$cmd" in
    engine) tk_engine || echo none ;;
    engine-kind) tk_kind "$(tk_engine || echo none)" ;;
    version) tk_version ;;
    jlink-modules) tk_jlink_modules ;;
    maven-fact) [ $# = 1 ] || tk_die "usage: $0 maven-fact EXPRESSION"; tk_maven_fact "$1" ;;
    revision) tk_revision ;;
    run-flags) [ $# = 1 ] || tk_die "usage: $0 run-flags MODELS"; engine=$(tk_engine || echo none); tk_run_flags "$1" ;;
    load) [ $# = 1 ] || tk_die "usage: $0 load TAR"; tk_require_engine "loading $1"; tk_load "$1" ;;
    pull-flags) [ $# = 1 ] || tk_die "usage: $0 pull-flags REF"; engine=$(tk_engine || echo none); tk_pull_flags "$1" ;;
    jib-registry-flags) tk_jib_registry_flags "$@" ;;
    require-engine) tk_require_engine "${1:-it needs one}" ;;
    build) tk_require_engine "building a Dockerfile"; tk_build "$@" ;;
    *) echo "usage: $0 engine|engine-kind|version|jlink-modules|maven-fact EXPRESSION|revision|run-flags MODELS|load TAR|pull-flags REF|jib-registry-flags REGISTRY...|require-engine WHY|build ARGS..." >&2; exit 2 ;;
  esac
fi
