#!/usr/bin/env bash
# Runs the Kubernetes manifests (k8s/overlays/podman: task-api on PostgreSQL) under `podman kube play`, for
# machines without a cluster. Used by `make podman-deploy` / `make podman-down` and by the podman deployment
# tests. kube play names a Deployment's pod <name>-pod-<n>, its containers <pod>-<container>:
#   task-api-postgres-pod-0   the database (container task-api-postgres-pod-0-postgres), data in the podman
#                             volume task-api-postgres-data (its claimName), not reachable from the host; TLS
#                             only (its pg_hba.conf: the podman volume task-api-postgres-hba, from the ConfigMap)
#   task-api-pod-0            the service (container task-api-pod-0-task-api), on 127.0.0.1:$HOST_PORT, models
#                             from the podman volume task-api-models
#
#   podman-deploy.sh up                 load the images, play the models claim (kube play creates the volume
#                                       task-api-models for it) and fill it from models/, play the database
#                                       (its data volume is created when missing, kept when present), wait
#                                       for it, play task-api, wait until /health/ready answers 200
#   podman-deploy.sh replace-api        remove the task-api pod and play it again, the database untouched
#                                       (what a rollout does); waits for readiness
#   podman-deploy.sh down [--keep-data] remove both pods and every volume (--keep-data: keep the database's)
#
# Environment: IMG (image to run, default task-api:1.0.0-slim), IMAGE_TAR (docker-archive loaded first
# when it exists, default target/jib/task-api-slim.tar), PG_IMG (default localhost/task-api-base/postgres15:bookworm),
# PG_IMAGE_TAR (default target/bases/postgres15.tar, written by src/scripts/bases.sh postgres15), HOST_PORT
# (default 18080, published on 127.0.0.1 only), MODELS_SRC (default models/), READY_TIMEOUT (seconds, default 60).
set -euo pipefail
cd "$(dirname "$0")/../.."

IMG=${IMG:-task-api:1.0.0-slim}
IMAGE_TAR=${IMAGE_TAR:-target/jib/task-api-slim.tar}
PG_IMG=${PG_IMG:-localhost/task-api-base/postgres15:bookworm}
PG_IMAGE_TAR=${PG_IMAGE_TAR:-target/bases/postgres15.tar}
HOST_PORT=${HOST_PORT:-18080}
MODELS_SRC=${MODELS_SRC:-models}
READY_TIMEOUT=${READY_TIMEOUT:-60}
VOLUME=task-api-models             # the claim of k8s/components/models-pvc (its claimName)
DATA_VOLUME=task-api-postgres-data # the claimName in k8s/overlays/podman/postgres.yaml
POD=task-api-pod-0                 # kube play names a Deployment's pod <name>-pod-<n>
DB_POD=task-api-postgres-pod-0
HBA_VOLUME=task-api-postgres-hba   # the database's pg_hba.conf ConfigMap, which kube play turns into a volume
OUT=target/k8s/podman-played.yaml  # the exact YAML played (task-api), kept for `down` and for inspection
DB_OUT=target/k8s/podman-played-postgres.yaml  # the database's Deployment and ConfigMap, played on their own
VOL_OUT=target/k8s/podman-played-claims.yaml  # the claims, played first: kube play creates their volumes

# kube play turns the liveness probe into a podman healthcheck that needs systemd (absent here, and the
# image has no shell to run it): its "systemd"/"syslog" complaints are filtered, health is checked by curl.
quiet() { grep -v -e 'systemd' -e 'syslog' >&2 || true; }
die() { echo "podman-deploy: $*" >&2; exit 1; }
need() { command -v "$1" >/dev/null 2>&1 || die "'$1' not found: $2"; }

render() {
  need kubectl "install kubectl (https://kubernetes.io/docs/tasks/tools/), it renders the kustomize overlay"
  mkdir -p "$(dirname "$OUT")"
  # The overlay publishes 127.0.0.1:18080; substitute the port and the images asked for.
  kubectl kustomize k8s/overlays/podman \
    | sed -e "s#^\( *hostPort:\) 18080\$#\1 ${HOST_PORT}#" \
          -e "s#^\( *image:\) task-api:.*\$#\1 ${IMG}#" \
          -e "s#^\( *image:\) localhost/task-api-base/postgres15:.*\$#\1 ${PG_IMG}#" >"$OUT.all"
  # Three files: the claims (played first, so the script can fill the volume kube play creates before any pod
  # mounts it), the database's Deployment with its pg_hba.conf ConfigMap, and everything else. Each is played
  # (and downed) on its own, so task-api can be replaced while the database keeps running.
  awk -v db="$DB_OUT.tmp" -v app="$OUT.tmp" -v vol="$VOL_OUT.tmp" '
    function flush() {
      if (doc != "") { f = (kind == "PersistentVolumeClaim" ? vol : isdb ? db : app); printf "---\n%s", doc > f }
      doc = ""; isdb = 0; kind = ""
    }
    /^---$/ { flush(); next }
    /^kind: / { kind = $2 }
    /^  name: task-api-postgres$/ && kind == "Deployment" { isdb = 1 }
    /^  name: task-api-postgres-/ && kind == "ConfigMap" { isdb = 1 }
    { doc = doc $0 "\n" }
    END { flush() }' "$OUT.all"
  rm -f "$OUT.all"
  grep -q "^  name: ${VOLUME}\$" "$VOL_OUT.tmp" || die "rendered YAML has no claim ${VOLUME}"
  mv "$VOL_OUT.tmp" "$VOL_OUT"
  grep -q "hostPort: ${HOST_PORT}\$" "$OUT.tmp" || die "rendered YAML has no hostPort ${HOST_PORT}"
  grep -q "image: ${IMG}\$" "$OUT.tmp" || die "rendered YAML does not use image ${IMG}"
  grep -q "image: ${PG_IMG}\$" "$DB_OUT.tmp" || die "rendered YAML has no database Deployment with image ${PG_IMG}"
  grep -q "^  name: ${HBA_VOLUME}\$" "$DB_OUT.tmp" || die "rendered YAML has no ConfigMap ${HBA_VOLUME} for the database"
  mv "$OUT.tmp" "$OUT"
  mv "$DB_OUT.tmp" "$DB_OUT"
}

# kube_down FILE POD: kube down FILE when its pod exists.
kube_down() {
  if podman pod exists "$2"; then
    [ -f "$1" ] || render
    podman kube down "$1" >/dev/null 2>"$1.stderr" || { quiet <"$1.stderr"; die "podman kube down $1 failed"; }
    quiet <"$1.stderr"
  fi
  ! podman pod exists "$2" || die "pod $2 still exists after kube down"
}

# kube_play FILE: plays FILE; on failure removes everything but the database's data and exits.
kube_play() {
  # stderr goes to a file, not a pipe: the conmon processes kube play leaves running inherit it, and a
  # pipe they hold open would never reach end of file.
  if ! podman kube play "$1" >/dev/null 2>"$1.stderr"; then
    quiet <"$1.stderr"
    down --keep-data >/dev/null 2>&1 || true
    die "podman kube play $1 failed (messages above); nothing but the database volume $DATA_VOLUME was left behind"
  fi
  quiet <"$1.stderr"
}

down() {
  local keep=0
  [ "${1:-}" != --keep-data ] || keep=1
  kube_down "$OUT" "$POD"
  kube_down "$DB_OUT" "$DB_POD"
  # kube down removes the pods' emptyDir volumes but not the volume kube play made of the ConfigMap.
  local v
  for v in "$VOLUME" "$HBA_VOLUME"; do
    if podman volume exists "$v"; then
      podman volume rm "$v" >/dev/null
    fi
  done
  if [ $keep = 0 ] && podman volume exists "$DATA_VOLUME"; then
    podman volume rm "$DATA_VOLUME" >/dev/null
  fi
  # Fail loudly if anything survived.
  ! podman volume exists "$VOLUME" || die "volume $VOLUME still exists"
  ! podman volume exists "$HBA_VOLUME" || die "volume $HBA_VOLUME still exists"
  for v in task-api-tmp task-api-postgres-run task-api-postgres-tmp task-api-postgres-tls; do
    ! podman volume exists "$v" || die "emptyDir volume $v still exists after kube down"
  done
  if [ $keep = 0 ]; then
    ! podman volume exists "$DATA_VOLUME" || die "volume $DATA_VOLUME still exists"
    echo "podman-deploy: removed pods $POD and $DB_POD, volumes $VOLUME, $HBA_VOLUME and $DATA_VOLUME"
  else
    echo "podman-deploy: removed pods $POD and $DB_POD and volumes $VOLUME and $HBA_VOLUME; kept the database volume $DATA_VOLUME"
  fi
}

# await_api: /health/ready answers 200 on the published port, or fail with the service's logs.
await_api() {
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
  echo "podman-deploy: pod $POD ready on $url (database pod $DB_POD, data in volume $DATA_VOLUME; models from $MODELS_SRC in volume $VOLUME; played $DB_OUT and $OUT)"
}

# await_db: the database accepts connections (pg_isready inside its container).
await_db() {
  local c="${DB_POD}-postgres" deadline=$((SECONDS + READY_TIMEOUT))
  until podman exec "$c" pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; do
    if [ "$(podman container inspect -f '{{.State.Running}}' "$c" 2>/dev/null)" != true ] || [ $SECONDS -ge $deadline ]; then
      podman logs "$c" >&2 || true
      die "the database in $c is not accepting connections (logs above); clean up with: make podman-down"
    fi
    sleep 0.5
  done
}

port_free() {
  # Whatever answers on the port now is not this deployment: refuse rather than check someone else's server.
  if (exec 3<>"/dev/tcp/127.0.0.1/${HOST_PORT}") 2>/dev/null; then
    die "127.0.0.1:${HOST_PORT} is already in use: pick another port (make podman-deploy PODMAN_HOST_PORT=18081)"
  fi
}

up() {
  need curl "apt-get install curl"
  [ -d "$MODELS_SRC" ] || die "no models directory $MODELS_SRC"
  # A fresh build wins over what local storage holds under the same tag.
  if [ -f "$IMAGE_TAR" ]; then
    podman load -q -i "$IMAGE_TAR" >/dev/null
  fi
  podman image exists "$IMG" || die "image $IMG is neither in podman's storage nor in $IMAGE_TAR: build it first (make k8s-image)"
  if [ -f "$PG_IMAGE_TAR" ]; then
    podman load -q -i "$PG_IMAGE_TAR" >/dev/null
  fi
  podman image exists "$PG_IMG" || die "image $PG_IMG is neither in podman's storage nor in $PG_IMAGE_TAR: build it first (src/scripts/bases.sh postgres15)"
  render
  # Idempotent: replace a previous deployment (its pods and the models volume); the tasks are kept.
  down --keep-data >/dev/null
  port_free
  # kube play creates the models volume for its claim, as a cluster's provisioner would; then it is filled.
  # Models go in world-readable: the pod runs as 65532 and mounts the volume read-only.
  kube_play "$VOL_OUT"
  podman volume exists "$VOLUME" || die "podman kube play $VOL_OUT did not create the volume $VOLUME"
  tar -C "$MODELS_SRC" --owner=0 --group=0 --mode=a+rX,u+w,go-w -cf - . | podman volume import "$VOLUME" -
  # The database's data volume has no claim in the overlay (postgres.yaml names it): created here when missing,
  # kept when present. An empty volume: podman gives it to the container's user (postgres, 999) at first mount.
  podman volume exists "$DATA_VOLUME" \
    || podman volume create --label app.kubernetes.io/name=postgres "$DATA_VOLUME" >/dev/null
  kube_play "$DB_OUT"
  await_db
  with_db_address
  kube_play "$OUT"
  await_api
}

# with_db_address: the database pod's address for the overlay's placeholder (192.0.2.1) in task-api's
# hostAliases entry, so its pod name resolves on any podman network, with or without DNS.
with_db_address() {
  local ip
  ip=$(podman container inspect -f '{{range .NetworkSettings.Networks}}{{.IPAddress}} {{end}}' "${DB_POD}-postgres" | awk '{print $1}')
  [ -n "$ip" ] || die "no address for the database container ${DB_POD}-postgres"
  grep -q -- 'ip: 192.0.2.1$' "$OUT" || die "$OUT has no hostAliases placeholder 192.0.2.1 for the database pod"
  sed -i "s#^\( *\(- \)\{0,1\}ip:\) 192.0.2.1\$#\1 ${ip}#" "$OUT"
}

replace_api() {
  podman pod exists "$DB_POD" || die "no database pod $DB_POD: run up first"
  render
  kube_down "$OUT" "$POD"
  port_free
  with_db_address
  kube_play "$OUT"
  await_api
}

need podman "install podman (apt-get install podman); kube play is podman's, docker has no equivalent"
case "${1:-}" in
  up) up ;;
  replace-api) replace_api ;;
  down) shift; down "$@" ;;
  *) die "usage: $0 up|replace-api|down [--keep-data]" ;;
esac
