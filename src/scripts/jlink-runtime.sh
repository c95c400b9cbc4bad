#!/usr/bin/env bash
# Links the slim image's Java runtime: ROOT/opt/java, exactly MODULES, from the build's JDK (a Linux x86-64
# JDK 25: the runtime must match the image's platform, and the AOT cache needs 25), stripped of debug data.
# Reproducible (same JDK + modules -> same bytes) and cached: skipped when ROOT was linked from the same inputs.
# Usage: jlink-runtime.sh ROOT MODULES
# env: JAVA_HOME, the build's JDK (as for Maven); JLINK_JDK overrides it for jlink alone.
set -euo pipefail
root=$1 modules=$2
jdk=${JLINK_JDK:-${JAVA_HOME:-}}
need="set JAVA_HOME to a Linux x86-64 JDK 25 or newer (e.g. Temurin 25: https://adoptium.net)"
[ -n "$jdk" ] || { echo "error: JAVA_HOME is not set: $need" >&2; exit 1; }
[ -x "$jdk/bin/jlink" ] && [ -f "$jdk/release" ] || { echo "error: no JDK at $jdk (no bin/jlink or release): $need" >&2; exit 1; }
field() { sed -n "s/^$1=\"\(.*\)\"$/\1/p" "$2" | head -1; }
version=$(field JAVA_VERSION "$jdk/release")
[ "${version%%.*}" -ge 25 ] 2>/dev/null || { echo "error: $jdk is Java ${version:-unknown}: $need" >&2; exit 1; }
[ "$(field OS_NAME "$jdk/release")/$(field OS_ARCH "$jdk/release")" = Linux/x86_64 ] ||
  { echo "error: $jdk is not a Linux x86-64 JDK (the image's platform): $need" >&2; exit 1; }
key=$( { cat "$0"; echo "$modules"; cat "$jdk/release"; } | sha256sum | cut -d' ' -f1)
if [ -f "$root.inputs" ] && [ "$(cat "$root.inputs")" = "$key" ] && [ -x "$root/opt/java/bin/java" ]; then
  echo "jlink: up to date ($root/opt/java: $modules)"; exit 0
fi
rm -rf "$root" "$root.inputs"; mkdir -p "$root/opt"
"$jdk/bin/jlink" --add-modules "$modules" --strip-debug --no-man-pages --no-header-files --compress=zip-6 \
  --output "$root/opt/java"
# Native symbol tables are only for debuggers and hs_err native frames: -5 MB.
find "$root/opt/java" -name '*.so' -exec strip --strip-unneeded {} +
echo "$key" >"$root.inputs"
echo "jlink: $root/opt/java ($(du -sm "$root/opt/java" | cut -f1) MB, $version: $modules)"
