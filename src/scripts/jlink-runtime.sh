#!/usr/bin/env bash
# Links the slim image's Java runtime: ROOT/opt/java, exactly MODULES, from JLINK_JDK (a Linux x86-64 JDK 25:
# the runtime must match the image's platform, and the AOT cache needs JDK 25), stripped of debug data.
# Reproducible (same JDK + modules -> same bytes) and cached: skipped when ROOT was linked from the same inputs.
# Usage: jlink-runtime.sh ROOT MODULES     env: JLINK_JDK (default /usr/lib/jvm/temurin-25-jdk-amd64)
set -euo pipefail
root=$1 modules=$2
jdk=${JLINK_JDK:-/usr/lib/jvm/temurin-25-jdk-amd64}
[ -x "$jdk/bin/jlink" ] || { echo "error: no jlink in JLINK_JDK=$jdk (install a Linux x86-64 JDK 25, e.g. Temurin)" >&2; exit 1; }
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
echo "jlink: $root/opt/java ($(du -sm "$root/opt/java" | cut -f1) MB, $(sed -n 's/^JAVA_VERSION=//p' "$root/opt/java/release"): $modules)"
