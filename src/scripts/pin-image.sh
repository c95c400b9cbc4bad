#!/usr/bin/env bash
# Pins one entry of a kustomization's `images:` list to a digest, in place:
#
#   pin-image.sh KUSTOMIZATION NAME NEWNAME DIGEST
#   pin-image.sh k8s/overlays/production/kustomization.yaml task-api 127.0.0.1:5000/task-api sha256:<64 hex>
#
# The entry whose `name:` is NAME gets `newName: NEWNAME` and `digest: DIGEST` (added when absent) and loses any
# `newTag:` (a digest names the image on its own), as `kustomize edit set image NAME=NEWNAME@DIGEST` would; its
# other keys, every other entry and every comment stay as they were. Fails, changing nothing, when the file has
# no such entry.
#
# The edit is src/scripts/SetImage.java, a Java single-file source program (JDK 17+) that reads the file with
# SnakeYAML: the version pom.xml's snakeyaml.version names, which Maven copies into target/tools on first use.
# env: JAVA_HOME (else the java on PATH), MVN (default mvn)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$here/lib.sh"
version=$(tk_pom_property snakeyaml.version)
jar=$tk_root/target/tools/snakeyaml-$version.jar
if [ ! -f "$jar" ]; then
  "${MVN:-mvn}" -B -ntp -q -f "$tk_root/pom.xml" dependency:copy -Dartifact="org.yaml:snakeyaml:$version" \
    -DoutputDirectory="$tk_root/target/tools" >&2 ||
    tk_die "could not fetch org.yaml:snakeyaml:$version into target/tools with Maven (pin-image.sh edits YAML with it)"
fi
exec "${JAVA_HOME:+$JAVA_HOME/bin/}java" -cp "$jar" "$here/SetImage.java" "$@"
