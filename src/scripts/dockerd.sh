#!/usr/bin/env bash
# Docker's daemon where nothing starts it (no systemd: CI machines, containers), and only that one stopped again.
#   dockerd.sh start   nothing if the daemon answers already; else starts dockerd in the background, records its
#                      pid in PIDFILE and waits until it answers (fails with its log's tail after 30 s)
#   dockerd.sh stop    stops the daemon `start` started (PIDFILE), never one that was running before
# env: DOCKER (the client, default Debian's /usr/bin/docker: a newer /usr/local/bin/docker may lack buildx),
#      DOCKERD_PIDFILE (default /run/task-api-dockerd.pid), DOCKERD_LOG (default target/dockerd.log)
set -euo pipefail
cd "$(dirname "$0")/../.."
# shellcheck source=lib.sh
. src/scripts/lib.sh
docker=${DOCKER:-/usr/bin/docker}
pidfile=${DOCKERD_PIDFILE:-/run/task-api-dockerd.pid}
log=${DOCKERD_LOG:-target/dockerd.log}

# ours: the pid in PIDFILE, when that process is still a dockerd (a pid can be reused).
ours() {
  local pid
  pid=$(cat "$pidfile" 2>/dev/null) || return 1
  [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = dockerd ] && alive "$pid" && echo "$pid"
}

# alive PID: still running (a daemon this shell started and that died stays a zombie until the shell exits).
alive() { [ -d "/proc/$1" ] && ! grep -q '^State:[[:space:]]*Z' "/proc/$1/status" 2>/dev/null; }

start() {
  if tk_docker_answers "$docker"; then echo "dockerd: $docker's daemon answers already"; return; fi
  command -v dockerd >/dev/null || tk_die "dockerd not found (apt-get install docker.io)"
  mkdir -p "$(dirname "$log")"
  setsid dockerd >"$log" 2>&1 </dev/null &
  echo $! >"$pidfile"
  local t0=$SECONDS
  until tk_docker_answers "$docker"; do
    if [ $((SECONDS - t0)) -ge 30 ] || ! alive "$(cat "$pidfile")"; then
      tail -20 "$log" >&2
      stop
      tk_die "dockerd did not answer within 30 s (log: $log)"
    fi
    sleep 0.5
  done
  echo "dockerd: started (pid $(cat "$pidfile"), log $log), answering after $((SECONDS - t0)) s"
}

stop() {
  local pid
  if ! pid=$(ours); then rm -f "$pidfile"; echo "dockerd: none started by $0 is running"; return; fi
  kill -TERM "$pid"
  for _ in $(seq 1 300); do alive "$pid" || break; sleep 0.1; done
  ! alive "$pid" || { kill -KILL "$pid"; echo "dockerd: pid $pid did not stop within 30 s, killed" >&2; }
  rm -f "$pidfile"
  echo "dockerd: stopped (pid $pid)"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
