#!/usr/bin/env bash
# Builds the registry-free base images from pinned Debian bookworm packages, shaped like Google's distroless
# images, as docker-archive tars that Jib reads with tar://:
#   OUT/base-nossl.tar  localhost/task-api-base/base-nossl:bookworm  glibc only (for the jlink "slim" image)
#   OUT/java17.tar      localhost/task-api-base/java17:bookworm      + Debian's openjdk-17-jre-headless
# Usage: build-bases.sh [OUT]         (default OUT=target/bases; skips a tar whose inputs did not change)
#        build-bases.sh --lock        rewrite src/scripts/bases.lock with the versions apt offers now
# env: BASES_PIN=fallback (default: a pinned version Debian no longer offers is replaced, with a warning) | strict
# Needs: apt-get (Debian/Ubuntu with bookworm sources), dpkg-deb, umoci, skopeo, java (for the Java trust store).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
lock="$here/bases.lock"
export LC_ALL=C TZ=UTC SOURCE_DATE_EPOCH=0

base_pkgs=(base-files netbase tzdata ca-certificates libc6 libgcc-s1 gcc-12-base)
java_pkgs=("${base_pkgs[@]}" zlib1g libstdc++6 openjdk-17-jre-headless)

if [ "${1:-}" = "--lock" ]; then
  tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
  { echo "# package version sha256: the exact .deb files the bases are built from (build-bases.sh --lock)"
    for p in $(printf '%s\n' "${java_pkgs[@]}" | sort -u); do
      v=$(apt-cache policy "$p" | sed -n 's/^  Candidate: //p')
      (cd "$tmp" && apt-get -o APT::Sandbox::User=root download -q "$p=$v" >/dev/null)
      echo "$p $v $(sha256sum "$tmp/${p}_"*.deb | cut -d' ' -f1)"
      rm -f "$tmp/${p}_"*.deb
    done; } >"$lock.new"
  mv "$lock.new" "$lock"; cat "$lock"; exit 0
fi

for t in dpkg-deb umoci skopeo sha256sum apt-get java; do
  command -v "$t" >/dev/null || { echo "error: $t not found (src/scripts/podman-setup.sh installs umoci and skopeo)" >&2; exit 1; }
done
out=$(mkdir -p "${1:-target/bases}" && cd "${1:-target/bases}" && pwd)
debs="$out/debs"; mkdir -p "$debs"; rm -f "$debs/.unpinned"

# Fetch one pinned .deb into the cache and check its sha256 against the lock.
fetch() {
  local p=$1 v sum f
  read -r v sum < <(awk -v p="$p" '$1 == p {print $2, $3}' "$lock")
  [ -n "$v" ] || { echo "error: $p is not in $lock" >&2; exit 1; }
  f=$(ls "$debs/${p}_"*"${v#*:}"_*.deb 2>/dev/null | head -1 || true)
  if [ -z "$f" ]; then
    if ! (cd "$debs" && apt-get -o APT::Sandbox::User=root download -q "$p=$v" >/dev/null 2>"$debs/apt.err"); then
      # Debian drops a version from its mirrors once a (security) update replaces it. Strict mode fails;
      # the default takes what apt offers now, says so loudly, and does not cache the result.
      if [ "${BASES_PIN:-fallback}" = strict ]; then
        cat "$debs/apt.err" >&2
        echo "error: the pinned $p=$v is no longer offered by apt; run 'src/scripts/build-bases.sh --lock'" \
             "(after 'apt-get update') and commit bases.lock" >&2; exit 1
      fi
      (cd "$debs" && apt-get -o APT::Sandbox::User=root download -q "$p" >/dev/null 2>"$debs/apt.err") || {
        cat "$debs/apt.err" >&2; echo "error: apt cannot download $p at all" >&2; exit 1; }
      f=$(ls -t "$debs/${p}_"*.deb | head -1)
      echo "WARNING: $p=$v (bases.lock) is no longer offered by apt: using $(basename "$f") instead;" \
           "re-pin with 'src/scripts/build-bases.sh --lock' (BASES_PIN=strict makes this an error)" >&2
      : >"$debs/.unpinned"
      echo "$f"; return
    fi
    f=$(ls "$debs/${p}_"*"${v#*:}"_*.deb | head -1)
  fi
  echo "$sum  $f" | sha256sum -c --quiet - || { echo "error: $f does not match the sha256 in $lock" >&2; exit 1; }
  echo "$f"
}

# Turn a rootfs directory into a one-layer docker-archive tar with a distroless-like config.
pack() {
  local name=$1 root=$2 tar=$3; shift 3
  local work; work=$(mktemp -d)
  find "$root" -exec touch -h -d @0 {} +
  tar --create --file "$work/layer.tar" --directory "$root" --sort=name --numeric-owner \
      --format=posix --pax-option=exthdr.name=%d/PaxHeaders/%f,delete=atime,delete=ctime --mtime=@0 .
  umoci init --layout "$work/oci"
  umoci new --image "$work/oci:b"
  umoci raw add-layer --image "$work/oci:b" --history.created 1970-01-01T00:00:00Z \
      --history.created_by "src/scripts/build-bases.sh: Debian bookworm packages from bases.lock" "$work/layer.tar"
  umoci config --no-history --image "$work/oci:b" --created 1970-01-01T00:00:00Z --architecture amd64 --os linux \
      --config.user 65532 --config.workingdir /home/nonroot \
      --config.env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
      --config.env SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt "$@"
  rm -f "$tar"
  skopeo copy -q "oci:$work/oci:b" "docker-archive:$tar:$name"
  rm -rf "$work"
}

# rootfs: the packages unpacked (maintainer scripts never run), /usr merged, no shell or other binaries.
make_root() {
  local root=$1; shift
  rm -rf "$root"; mkdir -p "$root"
  for p in "$@"; do dpkg-deb -x "$(fetch "$p")" "$root"; done
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

inputs_of() { cat "$0" "$lock" "$here/MakeCacerts.java" | sha256sum | cut -d' ' -f1; }
key=$(inputs_of)
id_of() { tar -xOf "$1" manifest.json | sed -n 's/.*"Config":"\([0-9a-f]*\)\.json".*/\1/p'; }

build() {
  local what=$1 tar="$out/$1.tar" name=$2
  if [ -f "$tar" ] && [ "$(cat "$out/$what.inputs" 2>/dev/null)" = "$key" ]; then
    echo "base $name: up to date ($tar, image id sha256:$(id_of "$tar" | cut -c1-12))"; return
  fi
  local root="$out/rootfs-$what"
  case $what in
    base-nossl)
      make_root "$root" "${base_pkgs[@]}"
      pack "$name" "$root" "$tar" ;;
    java17)
      make_root "$root" "${java_pkgs[@]}"
      local jh=usr/lib/jvm/java-17-openjdk-amd64
      # Java's trust store, built reproducibly from the same CA bundle (ca-certificates-java's job on Debian).
      mkdir -p "$root/etc/ssl/certs/java"
      java "$here/MakeCacerts.java" "$root/usr/share/ca-certificates/mozilla" "$root/etc/ssl/certs/java/cacerts"
      ln -sfn "../lib/jvm/java-17-openjdk-amd64/bin/java" "$root/usr/bin/java"
      rm -rf "$root/$jh/man" "$root/$jh/lib/ct.sym" "$root/usr/share/gdb"
      pack "$name" "$root" "$tar" --config.env JAVA_HOME=/$jh --config.entrypoint /usr/bin/java ;;
  esac
  rm -rf "$root"
  if [ -f "$debs/.unpinned" ]; then rm -f "$out/$what.inputs"; else echo "$key" >"$out/$what.inputs"; fi
  echo "base $name: built $tar ($(du -m "$tar" | cut -f1) MB, image id sha256:$(id_of "$tar" | cut -c1-12))"
}

build base-nossl localhost/task-api-base/base-nossl:bookworm
build java17 localhost/task-api-base/java17:bookworm
