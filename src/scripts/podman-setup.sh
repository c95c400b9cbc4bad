#!/usr/bin/env bash
# Installs podman and the image tools the build uses (Debian/Ubuntu, as root), and configures podman for
# hosts where crun cannot run and containers may not raise rlimits (see README, "Container images").
set -euo pipefail
# catatonit: podman's pause binary (a Recommends, so --no-install-recommends leaves it out): `podman kube play`
# cannot start a pod without it.
pkgs=(podman runc catatonit buildah skopeo umoci wrk curl binutils)
missing=()
for p in "${pkgs[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  apt-get update -q
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
fi
conf=/etc/containers/containers.conf
if ! grep -q '^runtime *= *"runc"' "$conf" 2>/dev/null; then
  mkdir -p /etc/containers
  cat >>"$conf" <<'TOML'

# task-api: runc (crun fails on hybrid cgroups) and rlimits containers may set without CAP_SYS_RESOURCE.
[containers]
default_ulimits = ["nofile=1024:1024", "nproc=1024:1024"]
[engine]
runtime = "runc"
TOML
fi
podman info --format '{{.Host.OCIRuntime.Name}} {{.Version.Version}}'
