#!/usr/bin/env bash
# Links the slim image's Java runtime: ROOT/opt/java, exactly MODULES, from the build's JDK (a Linux x86-64
# JDK 25: the runtime must match the image's platform, and the AOT cache needs 25), stripped of debug data, and
# describes it for scanners in ROOT/usr/share/sbom/java-runtime.cdx.json (CycloneDX: the runtime's vendor,
# version and modules; the image build moves it into the SBOM layer beside the application's SBOM).
# Reproducible (same JDK + modules -> same bytes) and cached: skipped when ROOT was linked from the same inputs.
# Usage: jlink-runtime.sh ROOT MODULES
# env: JAVA_HOME, the build's JDK (as for Maven); JLINK_JDK overrides it for jlink alone.
set -euo pipefail
root=$1 modules=$2
jdk=${JLINK_JDK:-${JAVA_HOME:-}}
need="set JAVA_HOME to a Linux x86-64 JDK 25 or newer (e.g. Temurin 25: https://adoptium.net)"
[ -n "$jdk" ] || { echo "error: JAVA_HOME is not set: $need" >&2; exit 1; }
{ [ -x "$jdk/bin/jlink" ] && [ -f "$jdk/release" ]; } || { echo "error: no JDK at $jdk (no bin/jlink or release): $need" >&2; exit 1; }
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
# Files of java.base the service's JVM never reads (-0.26 MB): keytool's launcher; lib/classlist, the class list
# for dumping a default CDS archive (not made: the AOT cache of slim-aot comes from its own training run);
# jrt-fs.jar, which lets *other* JDKs' tools read this runtime's modules; jexec, the launcher for executable jars
# run through binfmt_misc; libjsig, the signal-chaining library, which only LD_PRELOAD or JNI code hosting a JVM loads.
exclude=/java.base/bin/keytool,/java.base/lib/classlist,/java.base/lib/jrt-fs.jar,/java.base/lib/jexec
exclude+=,/java.base/lib/libjsig.so,/java.base/lib/server/libjsig.so
options="--strip-debug --no-man-pages --no-header-files --compress=zip-6 --exclude-files=$exclude"
# shellcheck disable=SC2086
"$jdk/bin/jlink" --add-modules "$modules" $options --output "$root/opt/java"
# Native symbol tables are only for debuggers and hs_err native frames: -5 MB.
find "$root/opt/java" -name '*.so' -exec strip --strip-unneeded {} +

# The runtime's bill of materials. jlink's own release file keeps only JAVA_VERSION and MODULES; the vendor and
# build come from the JDK it was linked from. No timestamp, and a serial number derived from the content: the
# same runtime gives the same bytes.
vendor=$(field IMPLEMENTOR "$jdk/release")
full=$(field SEMANTIC_VERSION "$jdk/release"); full=${full:-$(field JAVA_RUNTIME_VERSION "$jdk/release")}; full=${full:-$version}
impl=$(field IMPLEMENTOR_VERSION "$jdk/release")
name=$(echo "${impl%%-*}" | tr '[:upper:]' '[:lower:]'); name=${name:-openjdk}
linked=$(field MODULES "$root/opt/java/release")
sbom_body() {
  cat <<EOF
  "metadata" : {
    "component" : {
      "type" : "platform",
      "bom-ref" : "java-runtime",
      "supplier" : { "name" : "$vendor" },
      "name" : "$name-jre",
      "version" : "$full",
      "description" : "Java runtime linked by jlink from ${impl:-$vendor $full}: /opt/java",
      "cpe" : "cpe:2.3:a:oracle:openjdk:$version:*:*:*:*:*:*:*",
      "purl" : "pkg:generic/$name-jre@${full//+/%2B}",
      "properties" : [
        { "name" : "java.version", "value" : "$version" },
        { "name" : "java.runtime.version", "value" : "$(field JAVA_RUNTIME_VERSION "$jdk/release")" },
        { "name" : "java.implementor", "value" : "$vendor" },
        { "name" : "java.implementor.version", "value" : "$impl" },
        { "name" : "java.modules", "value" : "${linked// /,}" },
        { "name" : "java.home", "value" : "/opt/java" },
        { "name" : "jlink.options", "value" : "$options" }
      ]
    }
  }
EOF
}
sum=$(sbom_body | sha256sum | cut -c1-32)
mkdir -p "$root/usr/share/sbom"
{ printf '{\n  "bomFormat" : "CycloneDX",\n  "specVersion" : "1.6",\n'
  printf '  "serialNumber" : "urn:uuid:%s-%s-5%s-8%s-%s",\n' "${sum:0:8}" "${sum:8:4}" "${sum:13:3}" "${sum:17:3}" "${sum:20:12}"
  printf '  "version" : 1,\n'
  sbom_body
  printf '}\n'; } >"$root/usr/share/sbom/java-runtime.cdx.json"
echo "$key" >"$root.inputs"
echo "jlink: $root/opt/java ($(du -sm "$root/opt/java" | cut -f1) MB, $version, $vendor: $modules)"
