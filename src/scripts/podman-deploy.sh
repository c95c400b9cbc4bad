#!/usr/bin/env bash
# Runs the Kubernetes manifests (k8s/overlays/podman) under `podman kube play`, for machines without a
# cluster. Used by `make podman-deploy` / `make podman-down` and by the podman deployment test.
#
#   podman-deploy.sh up     fill the podman volume task-api-models from models/, play the rendered
#                           manifests, wait until /health/ready answers 200 on 127.0.0.1:$HOST_PORT
#   podman-deploy.sh down   stop and remove the pod and the volume (nothing is left behind)
#
# Environment: IMG (image to run, default task-api:1.0.0-slim), IMAGE_TAR (docker-archive loaded first
# when it exists, default target/jib/task-api-slim.tar), HOST_PORT (default 18080, published on 127.0.0.1 only),
# MODELS_SRC (default models/), READY_TIMEOUT (seconds, default 60).
set -euo pipefail
cd "$(dirname "$0")/../.."

IMG=${IMG:-task-api:1.0.0-slim}
IMAGE_TAR=${IMAGE_TAR:-target/jib/task-api-slim.tar}
HOST_PORT=${HOST_PORT:-18080}
MODELS_SRC=${MODELS_SRC:-models}
READY_TIMEOUT=${READY_TIMEOUT:-60}
VOLUME=task-api-models          # the claimName in k8s/base/deployment.yaml
POD=task-api-pod-0              # kube play names a Deployment's pod <name>-pod-<n>
OUT=target/k8s/podman-played.yaml  # the exact YAML played, kept for `down` and for inspection

# kube play turns the liveness probe into a podman healthcheck that needs systemd (absent here, and the
# image has no shell to run it): its "systemd"/"syslog" complaints are filtered, health is checked by curl.
quiet() { grep -v -e 'systemd' -e 'syslog' >&2 || true; }
die() { echo "podman-deploy: $*" >&2; exit 1; }
need() { command -v "$1" >/dev/null 2>&1 || die "'$1' not found: $2"; }

render() {
  need kubectl "install kubectl (https://kubernetes.io/docs/tasks/tools/), it renders the kustomize overlay"
  mkdir -p "$(dirname "$OUT")"
  # The overlay publishes 127.0.0.1:18080; substitute the port and the image asked for.
  kubectl kustomize k8s/overlays/podman \
    | sed -e "s#^\( *hostPort:\) 18080\$#\1 ${HOST_PORT}#" \
          -e "s#^\( *image:\) task-api:.*\$#\1 ${IMG}#" >"$OUT.tmp"
  grep -q "hostPort: ${HOST_PORT}\$" "$OUT.tmp" || die "rendered YAML has no hostPort ${HOST_PORT}"
  grep -q "image: ${IMG}\$" "$OUT.tmp" || die "rendered YAML does not use image ${IMG}"
  mv "$OUT.tmp" "$OUT"
}

down() {
  if podman pod exists "$POD"; then
    [ -f "$OUT" ] || render
    podman kube down "$OUT" >/dev/null 2>"$OUT.stderr" || { quiet <"$OUT.stderr"; die "podman kube down $OUT failed"; }
    quiet <"$OUT.stderr"
  fi
  if podman volume exists "$VOLUME"; then
    podman volume rm "$VOLUME" >/dev/null
  fi
  # kube down removes the pod's emptyDir volume; fail loudly if anything survived.
  ! podman pod exists "$POD" || die "pod $POD still exists after kube down"
  ! podman volume exists "$VOLUME" || die "volume $VOLUME still exists"
  echo "podman-deploy: removed pod $POD and volume $VOLUME"
}

up() {
  need curl "apt-get install curl"
  [ -d "$MODELS_SRC" ] || die "no models directory $MODELS_SRC"
  # A fresh build wins over what local storage holds under the same tag.
  if [ -f "$IMAGE_TAR" ]; then
    podman load -q -i "$IMAGE_TAR" >/dev/null
  fi
  podman image exists "$IMG" || die "image $IMG is neither in podman's storage nor in $IMAGE_TAR: build it first (make k8s-image)"
  render
  # Idempotent: replace a previous deployment (its pod and its volume) entirely.
  down >/dev/null
  # Whatever answers on the port now is not this deployment: refuse rather than check someone else's server.
  if (exec 3<>"/dev/tcp/127.0.0.1/${HOST_PORT}") 2>/dev/null; then
    die "127.0.0.1:${HOST_PORT} is already in use: pick another port (make podman-deploy PODMAN_HOST_PORT=18081)"
  fi
  # The PVC becomes this volume (the overlay drops the PVC object, so kube play uses it as it is).
  # Files go in world-readable: the pod runs as 65532 and mounts the volume read-only.
  podman volume create --label app.kubernetes.io/name=task-api "$VOLUME" >/dev/null
  tar -C "$MODELS_SRC" --owner=0 --group=0 --mode=a+rX,u+w,go-w -cf - . | podman volume import "$VOLUME" -
  # stderr goes to a file, not a pipe: the conmon processes kube play leaves running inherit it, and a
  # pipe they hold open would never reach end of file.
  local err="$OUT.stderr"
  if ! podman kube play "$OUT" >/dev/null 2>"$err"; then
    quiet <"$err"
    down >/dev/null 2>&1 || true
    die "podman kube play $OUT failed (messages above); nothing was left behind"
  fi
  quiet <"$err"
  local url="http://127.0.0.1:${HOST_PORT}"
  local deadline=$((SECONDS + READY_TIMEOUT))
  until [ "$(curl -s -o /dev/null -w '%{http_code}' "$url/health/ready")" = 200 ]; do
    if [ "$(podman container inspect -f '{{.State.Running}}' "${POD}-task-api" 2>/dev/null)" != true ]; then
      podman logs "${POD}-task-api" >&2 || true
      die "the service container is not running (logs above); clean up with: make podman-down"
    fi
    if [ $SECONDS -ge $deadline ]; then
      podman logs "${POD}-task-api" >&2 || true
      die "$url/health/ready did not answer 200 within ${READY_TIMEOUT}s (logs above); clean up with: make podman-down"
    fi
    sleep 0.5
  done
  echo "podman-deploy: pod $POD ready on $url (models from $MODELS_SRC in volume $VOLUME; played $OUT)"
}

need podman "install podman (apt-get install podman); kube play is podman's, docker has no equivalent"
case "${1:-}" in
  up) up ;;
  down) down ;;
  *) die "usage: $0 up|down" ;;
esac
