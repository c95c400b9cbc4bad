#!/usr/bin/env bash
# Builds the Debian-built stand-ins for the upstream images that dockerfiles/ starts FROM, for machines that
# cannot pull from a registry (BASES=debian in `make sizes`). Each is a bookworm root filesystem made by
# mmdebstrap from the host's apt sources, imported into the container engine as one layer:
#   localhost/task-api-base/maven-jdk17:bookworm  openjdk-17-jdk-headless (jmods included) + maven + binutils, bash
#                                                 (stands in for maven:3.9-eclipse-temurin-21, whose JDK
#                                                 image carries binutils for jlink --strip-debug too)
#   localhost/task-api-base/jre17:bookworm        openjdk-17-jre-headless, bash
#                                                 (stands in for eclipse-temurin:21-jre)
# Both are "minbase" (dpkg, apt, bash, coreutils) without docs, man pages and locales, like debian:bookworm-slim.
# The distroless-shaped base-nossl (glibc only, no shell) comes from `make bases` (mk/images.mk).
# There is no Alpine equivalent: Alpine packages come from Alpine's mirrors, which this machine cannot reach.
#
# Cache: the rootfs tars live in SIZES_CACHE (default ~/.cache/task-api/mmdebstrap), keyed by the mmdebstrap
# options, the package list and the apt sources; an engine image imported from the same key is left alone.
# Delete the cache directory (or set SIZES_REFRESH=1) to take newer Debian packages.
# Usage: sizes-bases.sh            env: ENGINE (podman|docker), SIZES_CACHE, SIZES_REFRESH
set -euo pipefail
engine=${ENGINE:-podman}
cache=${SIZES_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/task-api/mmdebstrap}
sources=${SIZES_APT_SOURCES:-/etc/apt/sources.list.d/debian.sources}
[ -f "$sources" ] || sources=/etc/apt/sources.list
for t in mmdebstrap "$engine" sha256sum; do
  command -v "$t" >/dev/null || { echo "error: $t not found (apt-get install mmdebstrap; src/scripts/podman-setup.sh)" >&2; exit 1; }
done
[ -f "$sources" ] || { echo "error: no apt sources file ($sources); set SIZES_APT_SOURCES" >&2; exit 1; }
mkdir -p "$cache"

# debian:bookworm-slim's dpkg filters: no docs (copyright files stay), man pages, info pages or translations.
# /usr/share/man/man1 must exist all the same: the OpenJDK postinst registers alternatives for its man pages.
mm_opts=(--variant=minbase --aptopt='APT::Install-Recommends "false"' --aptopt='Acquire::Check-Valid-Until "false"'
  --dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-include=/usr/share/doc/*/copyright'
  --dpkgopt='path-exclude=/usr/share/man/*' --dpkgopt='path-exclude=/usr/share/info/*'
  --dpkgopt='path-exclude=/usr/share/locale/*'
  --setup-hook='mkdir -p "$1/usr/share/man/man1"'
  --customize-hook='chroot "$1" dpkg-query -W -f "\${Package} \${Version}\n" >"$1/etc/task-api-packages"'
  --customize-hook='rm -rf "$1"/var/lib/apt/lists/* "$1"/var/cache/apt/*.bin "$1"/var/log/*.log "$1"/var/log/apt/*')

# build NAME PACKAGES CHANGES...: rootfs tar (cached) -> engine image localhost/task-api-base/NAME:bookworm
build() {
  local name=$1 pkgs=$2; shift 2
  local image=localhost/task-api-base/$name:bookworm key tar have t0 rootkey
  rootkey=$( { printf '%s\n' "${mm_opts[@]}" "$pkgs"; cat "$sources"; mmdebstrap --version; } | sha256sum | cut -c1-16)
  key=$( { echo "$rootkey"; printf '%s\n' "$@"; } | sha256sum | cut -c1-16)
  tar=$cache/$name-$rootkey.tar
  if [ "${SIZES_REFRESH:-0}" = 1 ] || [ ! -s "$tar" ]; then
    t0=$SECONDS
    echo "bases: $name: mmdebstrap bookworm + $pkgs (a few minutes; cached in $cache)"
    rm -f "$cache/$name-"*.tar
    mmdebstrap "${mm_opts[@]}" --include="$pkgs" bookworm "$cache/.$name.tmp.tar" "$sources" >"$cache/$name.log" 2>&1 || {
      tail -20 "$cache/$name.log" >&2; echo "error: mmdebstrap failed for $name (log: $cache/$name.log)" >&2; exit 1; }
    mv "$cache/.$name.tmp.tar" "$tar"
    echo "bases: $name: rootfs $(( $(stat -c %s "$tar") / 1000000 )) MB in $((SECONDS - t0)) s"
  fi
  have=$("$engine" image inspect --format '{{index .Config.Labels "dev.taskapi.bases.key"}}' "$image" 2>/dev/null || true)
  if [ "$have" = "$key" ]; then
    echo "bases: $image up to date"
    return
  fi
  local changes=(--change "LABEL dev.taskapi.bases.key=$key"
    --change "LABEL org.opencontainers.image.description=Debian bookworm minbase + $pkgs (src/scripts/sizes-bases.sh)"
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'
    --change 'ENV JAVA_HOME=/usr/lib/jvm/java-17-openjdk-amd64' --change 'ENV LANG=C.UTF-8')
  for c in "$@"; do changes+=(--change "$c"); done
  "$engine" import "${changes[@]}" --message "src/scripts/sizes-bases.sh: mmdebstrap bookworm minbase + $pkgs" \
    "$tar" "$image" >/dev/null
  echo "bases: imported $image ($("$engine" image inspect --format '{{.Size}}' "$image") bytes)"
}

build jre17 openjdk-17-jre-headless 'CMD ["bash"]'
build maven-jdk17 openjdk-17-jdk-headless,maven,binutils 'ENV MAVEN_HOME=/usr/share/maven' 'CMD ["mvn","--version"]'
