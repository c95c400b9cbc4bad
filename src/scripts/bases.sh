#!/usr/bin/env bash
# Builds every Debian bookworm base image the build uses, for machines that cannot pull from a registry, as
# reproducible one-layer docker-archive tars (Jib reads them with tar://, an engine loads them):
#
#   base-nossl   localhost/task-api-base/base-nossl:bookworm   glibc only, no shell (upstream: distroless base-nossl);
#                                                              the slim images and dockerfiles/Dockerfile.v4-jlink
#   java17       localhost/task-api-base/java17:bookworm       + Debian's openjdk-17-jre-headless (upstream:
#                                                              distroless java); the distroless image
#   jre17        localhost/task-api-base/jre17:bookworm        minbase (dpkg, apt, bash) + openjdk-17-jre-headless;
#                                                              stands in for eclipse-temurin:21-jre in dockerfiles/
#   maven-jdk17  localhost/task-api-base/maven-jdk17:bookworm  minbase + openjdk-17-jdk-headless, maven, binutils;
#                                                              stands in for maven:3.9-eclipse-temurin-21 in dockerfiles/
#   copier       localhost/task-api-base/copier:bookworm       Debian's busybox-static alone (one static binary, uid
#                                                              65532); the models image's base: its init container
#                                                              copies the models with /bin/busybox cp
#   postgres15   localhost/task-api-base/postgres15:bookworm   minbase + postgresql-15, user postgres (999:999), entrypoint
#                                                              src/scripts/postgres-entrypoint.sh; stands in for the
#                                                              postgres image under podman kube play (k8s/overlays/podman)
#
# One pipeline: a root filesystem, packed by the same step (one layer, mtimes at 0, umoci + skopeo) into
# OUT/NAME.tar, skipped when OUT/NAME.inputs says nothing changed. The root filesystem comes from one of two
# sources: the distroless-shaped bases unpack the exact .deb files pinned in bases.lock (checked against their
# sha256; no maintainer script runs, no shell stays), and record what they hold as distroless does, one file per
# package in /var/lib/dpkg/status.d/ (image scanners read these); the minbase stand-ins need their maintainer
# scripts run (Java alternatives, Maven), so mmdebstrap installs them from the host's apt sources and they keep
# dpkg's own /var/lib/dpkg/status. Their root filesystems take minutes and are cached in BASES_CACHE
# (default ~/.cache/task-api/mmdebstrap), keyed by the mmdebstrap options, the packages and the apt sources;
# BASES_REFRESH=1 (or deleting the cache) takes newer Debian packages. There is no Alpine stand-in: Alpine
# packages come only from Alpine's mirrors.
#
# Usage: bases.sh [--out OUT] [--load] [NAME...]   (default OUT=target/bases, NAME=base-nossl java17;
#                                                    --load: load each tar into the container engine too)
#        bases.sh --lock                           rewrite bases.lock with the versions apt offers now
# env: BASES_PIN=fallback (default: a pinned version Debian no longer offers is replaced, with a warning) | strict,
#      BASES_CACHE, BASES_REFRESH, BASES_APT_SOURCES, ENGINE (for --load)
# Needs: apt-get, dpkg-deb, umoci, skopeo, java (Java trust store); mmdebstrap for jre17 and maven-jdk17.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
lock="$here/bases.lock"
export LC_ALL=C TZ=UTC SOURCE_DATE_EPOCH=0

base_pkgs=(base-files netbase tzdata ca-certificates libc6 libgcc-s1 gcc-12-base)
java_pkgs=("${base_pkgs[@]}" zlib1g libstdc++6 openjdk-17-jre-headless)
copier_pkgs=(busybox-static)

if [ "${1:-}" = "--lock" ]; then
  tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
  { echo "# package version sha256: the exact .deb files the distroless-shaped bases are built from (bases.sh --lock)"
    for p in $(printf '%s\n' "${java_pkgs[@]}" "${copier_pkgs[@]}" | sort -u); do
      v=$(apt-cache policy "$p" | sed -n 's/^  Candidate: //p')
      (cd "$tmp" && apt-get -o APT::Sandbox::User=root download -q "$p=$v" >/dev/null)
      echo "$p $v $(sha256sum "$tmp/${p}_"*.deb | cut -d' ' -f1)"
      rm -f "$tmp/${p}_"*.deb
    done; } >"$lock.new"
  mv "$lock.new" "$lock"; cat "$lock"; exit 0
fi

out=target/bases load=0
while [ $# -gt 0 ]; do
  case $1 in
    --out) out=$2; shift 2 ;;
    --load) load=1; shift ;;
    *) break ;;
  esac
done
names=("$@"); [ ${#names[@]} -gt 0 ] || names=(base-nossl java17)
for n in "${names[@]}"; do
  case $n in base-nossl|java17|copier|jre17|maven-jdk17|postgres15) ;; *) tk_die "unknown base '$n' (base-nossl, java17, copier, jre17, maven-jdk17, postgres15)" ;; esac
done
for t in dpkg-deb umoci skopeo sha256sum apt-get java; do
  command -v "$t" >/dev/null || tk_die "$t not found (src/scripts/podman-setup.sh installs umoci and skopeo)"
done
[ $load = 0 ] || tk_require_engine "--load loads the bases into it"
out=$(mkdir -p "$out" && cd "$out" && pwd)
debs="$out/debs"; mkdir -p "$debs"; rm -f "$debs/.unpinned"

# --- distroless-shaped root filesystems, from the pinned .deb files

# Fetch one pinned .deb into the cache and check its sha256 against the lock.
# shellcheck disable=SC2012 # .deb names have no spaces or newlines (Debian policy); ls -t picks the newest
fetch() {
  local p=$1 v sum f
  read -r v sum < <(awk -v p="$p" '$1 == p {print $2, $3}' "$lock")
  [ -n "$v" ] || tk_die "$p is not in $lock"
  f=$(ls "$debs/${p}_"*"${v#*:}"_*.deb 2>/dev/null | head -1 || true)
  if [ -z "$f" ]; then
    if ! (cd "$debs" && apt-get -o APT::Sandbox::User=root download -q "$p=$v" >/dev/null 2>"$debs/apt.err"); then
      # Debian drops a version from its mirrors once a (security) update replaces it. Strict mode fails;
      # the default takes what apt offers now, says so loudly, and does not cache the result.
      if [ "${BASES_PIN:-fallback}" = strict ]; then
        cat "$debs/apt.err" >&2
        tk_die "the pinned $p=$v is no longer offered by apt; run 'src/scripts/bases.sh --lock' (after 'apt-get update') and commit bases.lock"
      fi
      (cd "$debs" && apt-get -o APT::Sandbox::User=root download -q "$p" >/dev/null 2>"$debs/apt.err") || {
        cat "$debs/apt.err" >&2; tk_die "apt cannot download $p at all"; }
      f=$(ls -t "$debs/${p}_"*.deb | head -1)
      echo "WARNING: $p=$v (bases.lock) is no longer offered by apt: using $(basename "$f") instead;" \
           "re-pin with 'src/scripts/bases.sh --lock' (BASES_PIN=strict makes this an error)" >&2
      : >"$debs/.unpinned"
      echo "$f"; return
    fi
    f=$(ls "$debs/${p}_"*"${v#*:}"_*.deb | head -1)
  fi
  echo "$sum  $f" | sha256sum -c --quiet - || tk_die "$f does not match the sha256 in $lock"
  echo "$f"
}

# The packages unpacked (maintainer scripts never run), /usr merged, no shell or other binaries, and the
# package database as distroless keeps it: /var/lib/dpkg/status.d/PACKAGE, each package's control record.
unpacked_root() {
  local root=$1 p deb; shift
  rm -rf "$root"; mkdir -p "$root"
  local status=()
  for p in "$@"; do
    deb=$(fetch "$p")
    dpkg-deb -x "$deb" "$root"
    status+=("$p=$deb")
  done
  mkdir -p "$root/usr"
  for d in bin sbin lib lib64; do
    if [ -d "$root/$d" ] && [ ! -L "$root/$d" ]; then
      mkdir -p "$root/usr/$d"; cp -a "$root/$d/." "$root/usr/$d/"; rm -rf "${root:?}/$d"
    fi
    mkdir -p "$root/usr/$d"; ln -sfn "usr/$d" "$root/$d"
  done
  find "$root/usr/bin" "$root/usr/sbin" -mindepth 1 -delete
  rm -rf "$root"/usr/share/{man,info,lintian,bug,locale,common-licenses} "$root/usr/lib/x86_64-linux-gnu/gconv" \
         "$root/var/lib/dpkg" "$root"/etc/{init.d,default,cron.daily,update-motd.d,profile.d,skel} \
         "$root"/etc/{profile,bash.bashrc,dpkg,ld.so.conf.d,ld.so.conf}
  find "$root/usr/share/doc" -type f ! -name copyright -delete 2>/dev/null || true
  find "$root/usr/share/doc" -depth -type d -empty -delete 2>/dev/null || true
  mkdir -p "$root/var/lib/dpkg/status.d"
  for p in "${status[@]}"; do
    dpkg-deb -f "${p#*=}" | awk 'NR == 1 {print; print "Status: install ok installed"; next} {print}' \
      >"$root/var/lib/dpkg/status.d/${p%%=*}"
  done
  # CA bundle as update-ca-certificates would build it.
  mkdir -p "$root/etc/ssl/certs"
  find "$root/usr/share/ca-certificates" -name '*.crt' | sort | xargs cat >"$root/etc/ssl/certs/ca-certificates.crt"
  printf '%s\n' 'root:x:0:0:root:/root:/sbin/nologin' 'nobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin' \
    'nonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin' >"$root/etc/passwd"
  printf '%s\n' 'root:x:0:' 'nobody:x:65534:' 'nonroot:x:65532:' >"$root/etc/group"
  printf '%s\n' 'hosts: files dns' 'networks: files' 'passwd: files' 'group: files' >"$root/etc/nsswitch.conf"
  mkdir -p "$root/tmp" "$root/var/tmp" "$root/root" "$root/home/nonroot"
  chmod 1777 "$root/tmp" "$root/var/tmp"; chmod 700 "$root/root" "$root/home/nonroot"
  chown 65532:65532 "$root/home/nonroot"
}

# copier_root ROOT: busybox-static's one binary at /usr/bin/busybox (/bin links to usr/bin), its copyright, its
# package record as distroless keeps it, and the nonroot user; nothing else (no libc: the binary is static).
copier_root() {
  local root=$1 deb
  deb=$(fetch busybox-static)
  rm -rf "$root" "$root.deb"; mkdir -p "$root/usr/bin" "$root/usr/share/doc/busybox-static" "$root/var/lib/dpkg/status.d" "$root/etc"
  dpkg-deb -x "$deb" "$root.deb"
  install -m 755 "$root.deb/bin/busybox" "$root/usr/bin/busybox"
  cp "$root.deb/usr/share/doc/busybox-static/copyright" "$root/usr/share/doc/busybox-static/"
  rm -rf "$root.deb"
  ln -s usr/bin "$root/bin"
  dpkg-deb -f "$deb" | awk 'NR == 1 {print; print "Status: install ok installed"; next} {print}' \
    >"$root/var/lib/dpkg/status.d/busybox-static"
  printf '%s\n' 'root:x:0:0:root:/root:/sbin/nologin' 'nonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin' >"$root/etc/passwd"
  printf '%s\n' 'root:x:0:' 'nonroot:x:65532:' >"$root/etc/group"
}

# A root filesystem directory as a layer tar: sorted, numeric owners, mtimes at 0.
layer_of_dir() {
  find "$1" -exec touch -h -d @0 {} +
  tar --create --file "$2" --directory "$1" --sort=name --numeric-owner \
      --format=posix --pax-option=exthdr.name=%d/PaxHeaders/%f,delete=atime,delete=ctime --mtime=@0 .
}

# --- minbase root filesystems, from mmdebstrap (cached)

cache=${BASES_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/task-api/mmdebstrap}
sources=${BASES_APT_SOURCES:-/etc/apt/sources.list.d/debian.sources}
[ -f "$sources" ] || sources=/etc/apt/sources.list
# debian:bookworm-slim's dpkg filters: no docs (copyright files stay), man pages, info pages or translations.
# /usr/share/man/man1 must exist all the same: the OpenJDK postinst registers alternatives for its man pages.
# shellcheck disable=SC2016 # the hooks' $1 is the root directory, expanded by mmdebstrap's hook shell
mm_opts=(--variant=minbase --aptopt='APT::Install-Recommends "false"' --aptopt='Acquire::Check-Valid-Until "false"'
  --dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-include=/usr/share/doc/*/copyright'
  --dpkgopt='path-exclude=/usr/share/man/*' --dpkgopt='path-exclude=/usr/share/info/*'
  --dpkgopt='path-exclude=/usr/share/locale/*'
  --setup-hook='mkdir -p "$1/usr/share/man/man1"'
  --customize-hook='rm -rf "$1"/var/lib/apt/lists/* "$1"/var/cache/apt/*.bin "$1"/var/log/*.log "$1"/var/log/apt/*')

# minbase_layer NAME PACKAGES [MMDEBSTRAP-OPTIONS...]: prints the cached mmdebstrap root filesystem tar
# (building it if needed); the options are added to mm_opts (and to the cache key).
minbase_layer() {
  local name=$1 pkgs=$2 key tar t0; shift 2
  local mm_opts=("${mm_opts[@]}" "$@")
  command -v mmdebstrap >/dev/null || tk_die "mmdebstrap not found (apt-get install mmdebstrap)"
  [ -f "$sources" ] || tk_die "no apt sources file ($sources); set BASES_APT_SOURCES"
  key=$( { printf '%s\n' "${mm_opts[@]}" "$pkgs"; cat "$sources"; mmdebstrap --version; } | sha256sum | cut -c1-16)
  tar=$cache/$name-$key.tar
  if [ "${BASES_REFRESH:-0}" = 1 ] || [ ! -s "$tar" ]; then
    mkdir -p "$cache"; t0=$SECONDS
    echo "base $name: mmdebstrap bookworm minbase + $pkgs (a few minutes; cached in $cache)" >&2
    rm -f "$cache/$name-"*.tar
    mmdebstrap "${mm_opts[@]}" --include="$pkgs" bookworm "$cache/.$name.tmp.tar" "$sources" >"$cache/$name.log" 2>&1 || {
      tail -20 "$cache/$name.log" >&2; tk_die "mmdebstrap failed for $name (log: $cache/$name.log)"; }
    mv "$cache/.$name.tmp.tar" "$tar"
    echo "base $name: root filesystem $(( $(stat -c %s "$tar") / 1000000 )) MB in $((SECONDS - t0)) s" >&2
  fi
  echo "$tar"
}

# --- one packing step for every base

# pack IMAGE-NAME LAYER-TAR OUT-TAR DESCRIPTION [umoci config args...]: a one-layer docker-archive tar.
pack() {
  local name=$1 layer=$2 tar=$3 description=$4; shift 4
  local work; work=$(mktemp -d)
  umoci init --layout "$work/oci"
  umoci new --image "$work/oci:b"
  umoci raw add-layer --image "$work/oci:b" --history.created 1970-01-01T00:00:00Z \
      --history.created_by "src/scripts/bases.sh: $description" "$layer"
  umoci config --no-history --image "$work/oci:b" --created 1970-01-01T00:00:00Z --architecture amd64 --os linux \
      --config.env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
      --config.label "org.opencontainers.image.description=Debian bookworm: $description (src/scripts/bases.sh)" "$@"
  rm -f "$tar"
  skopeo copy -q "oci:$work/oci:b" "docker-archive:$tar:$name"
  rm -rf "$work"
}

# postgres15's root filesystem: the user postgres exists (uid/gid 999, as in the upstream postgres image)
# before postgresql-common's maintainer scripts would create one with whatever id is free; the cluster
# Debian creates at install time, its log and the snakeoil TLS key are removed (the entrypoint initialises
# PGDATA at first start); the data and socket directories belong to postgres. The JIT compiler goes
# (LLVM and z3, 133 of 375 MB; the entrypoint runs with jit=off): purged from dpkg's database too, so
# what image scanners read is what the image holds.
# shellcheck disable=SC2016 # the hooks' $1 is the root directory, expanded by mmdebstrap's hook shell
pg_opts=(
  --essential-hook='echo "postgres:x:999:999:PostgreSQL administrator:/var/lib/postgresql:/bin/bash" >>"$1/etc/passwd"; echo "postgres:x:999:" >>"$1/etc/group"; if [ -f "$1/etc/shadow" ]; then echo "postgres:*:1:0:99999:7:::" >>"$1/etc/shadow"; fi; if [ -f "$1/etc/gshadow" ]; then echo "postgres:!::" >>"$1/etc/gshadow"; fi'
  --customize-hook='chroot "$1" dpkg --purge --force-depends libllvm14 libz3-4 >/dev/null; rm -rf "$1"/usr/lib/postgresql/15/lib/llvmjit* "$1"/usr/lib/postgresql/15/lib/bitcode'
  --customize-hook='rm -rf "$1"/etc/postgresql/15 "$1"/var/lib/postgresql/15 "$1"/var/log/postgresql/* "$1"/etc/ssl/private/ssl-cert-snakeoil.key "$1"/etc/ssl/certs/ssl-cert-snakeoil.pem; install -d -o 999 -g 999 -m 2775 "$1/run/postgresql"; install -d -o 999 -g 999 -m 700 "$1/var/lib/postgresql/data"; chown 999:999 "$1/var/lib/postgresql"')

id_of() { tar -xOf "$1" manifest.json | sed -n 's/.*"Config":"\([0-9a-f]*\)\.json".*/\1/p'; }

build() {
  local what=$1 tar="$out/$1.tar" name=localhost/task-api-base/$1:bookworm key root layer
  local nonroot=(--config.user 65532 --config.workingdir /home/nonroot
                 --config.env SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt)
  local jre=usr/lib/jvm/java-17-openjdk-amd64
  case $what in
    base-nossl|java17|copier) key=$(cat "$here/bases.sh" "$lock" "$here/MakeCacerts.java" | sha256sum | cut -d' ' -f1) ;;
    jre17) layer=$(minbase_layer jre17 openjdk-17-jre-headless) ;;
    maven-jdk17) layer=$(minbase_layer maven-jdk17 openjdk-17-jdk-headless,maven,binutils) ;;
    postgres15) layer=$(minbase_layer postgres15 postgresql-15 "${pg_opts[@]}") ;;
  esac
  [ -n "${key:-}" ] || key=$( { cat "$here/bases.sh"; [ "$what" != postgres15 ] || cat "$here/postgres-entrypoint.sh"
                               echo "$layer"; } | sha256sum | cut -d' ' -f1)
  if [ -f "$tar" ] && [ "$(cat "$out/$what.inputs" 2>/dev/null)" = "$key" ]; then
    echo "base $name: up to date ($tar, image id sha256:$(id_of "$tar" | cut -c1-12))"
  else
    root="$out/rootfs-$what"
    case $what in
      base-nossl)
        unpacked_root "$root" "${base_pkgs[@]}"
        layer_of_dir "$root" "$out/$what.layer.tar"
        pack "$name" "$out/$what.layer.tar" "$tar" "glibc-only packages from bases.lock" "${nonroot[@]}" ;;
      java17)
        unpacked_root "$root" "${java_pkgs[@]}"
        # Java's trust store, built reproducibly from the same CA bundle (ca-certificates-java's job on Debian).
        mkdir -p "$root/etc/ssl/certs/java"
        java "$here/MakeCacerts.java" "$root/usr/share/ca-certificates/mozilla" "$root/etc/ssl/certs/java/cacerts"
        ln -sfn "../lib/jvm/java-17-openjdk-amd64/bin/java" "$root/usr/bin/java"
        rm -rf "$root/$jre/man" "$root/$jre/lib/ct.sym" "$root/usr/share/gdb"
        layer_of_dir "$root" "$out/$what.layer.tar"
        pack "$name" "$out/$what.layer.tar" "$tar" "openjdk-17-jre-headless from bases.lock" "${nonroot[@]}" \
          --config.env JAVA_HOME=/$jre --config.entrypoint /usr/bin/java ;;
      copier)
        copier_root "$root"
        layer_of_dir "$root" "$out/$what.layer.tar"
        pack "$name" "$out/$what.layer.tar" "$tar" "busybox-static from bases.lock" --config.user 65532:65532 ;;
      jre17)
        pack "$name" "$layer" "$tar" "minbase + openjdk-17-jre-headless" \
          --config.env JAVA_HOME=/$jre --config.env LANG=C.UTF-8 --config.cmd bash ;;
      maven-jdk17)
        pack "$name" "$layer" "$tar" "minbase + openjdk-17-jdk-headless, maven, binutils" \
          --config.env JAVA_HOME=/$jre --config.env LANG=C.UTF-8 --config.env MAVEN_HOME=/usr/share/maven \
          --config.cmd mvn --config.cmd --version ;;
      postgres15)
        # The cached root filesystem plus the entrypoint, appended as the rest of the layer is packed.
        cp "$layer" "$out/$what.layer.tar"
        mkdir -p "$root/usr/local/bin"
        install -m 755 "$here/postgres-entrypoint.sh" "$root/usr/local/bin/postgres-entrypoint"
        tar --append --file "$out/$what.layer.tar" --directory "$root" --numeric-owner --owner=0 --group=0 \
            --mtime=@0 --format=posix --pax-option=exthdr.name=%d/PaxHeaders/%f,delete=atime,delete=ctime \
            ./usr/local/bin/postgres-entrypoint
        pack "$name" "$out/$what.layer.tar" "$tar" "minbase + postgresql-15" \
          --config.user 999:999 --config.workingdir /var/lib/postgresql \
          --config.env PGDATA=/var/lib/postgresql/data --config.env LANG=C.UTF-8 \
          --config.env PATH=/usr/lib/postgresql/15/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
          --config.entrypoint /usr/local/bin/postgres-entrypoint --config.exposedports 5432/tcp \
          --config.stopsignal SIGINT --config.volume /var/lib/postgresql/data ;;
    esac
    rm -rf "$root" "$out/$what.layer.tar"
    if [ -f "$debs/.unpinned" ]; then rm -f "$out/$what.inputs"; else echo "$key" >"$out/$what.inputs"; fi
    echo "base $name: built $tar ($(du -m "$tar" | cut -f1) MB, image id sha256:$(id_of "$tar" | cut -c1-12))"
  fi
  if [ $load = 1 ]; then echo "base $(tk_load "$tar"): loaded into $engine"; fi
}

for n in "${names[@]}"; do build "$n"; done
