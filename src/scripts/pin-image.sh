#!/usr/bin/env bash
# Pins one entry of a kustomization's `images:` list to a digest, in place:
#
#   pin-image.sh KUSTOMIZATION NAME NEWNAME DIGEST
#   pin-image.sh k8s/overlays/production/kustomization.yaml task-api 127.0.0.1:5000/task-api sha256:<64 hex>
#
# The entry whose `name:` is NAME gets `newName: NEWNAME` and `digest: DIGEST` (added when absent) and loses any
# `newTag:` (a digest names the image on its own); its other keys, every other entry and every other line stay
# as they were. Block style only (`- name: ...` items, keys in any order, as written by hand or `kustomize edit`).
# Fails, changing nothing, when the file has no such entry.
set -euo pipefail
die() { echo "error: $*" >&2; exit 1; }
[ $# = 4 ] || { echo "usage: $0 KUSTOMIZATION NAME NEWNAME DIGEST" >&2; exit 2; }
file=$1 name=$2 new_name=$3 digest=$4
[ -f "$file" ] || die "$file not found"
[[ $digest =~ ^sha256:[0-9a-f]{64}$ ]] || die "digest must be sha256:<64 hex digits>, not '$digest'"
[[ $new_name =~ ^[^[:space:]@]+$ && ${new_name##*/} != *:* ]] ||
  die "NEWNAME must be an image name without a tag or digest, not '$new_name'"

# Each item of the list is buffered, then written once the next one (or the end of the list) shows it complete.
NAME=$name NEW_NAME=$new_name DIGEST=$digest awk '
  function key(line) {
    sub(/^[ \t]*-?[ \t]*/, "", line)
    return match(line, /^[A-Za-z]+:/) ? substr(line, 1, RLENGTH - 1) : ""
  }
  function value(line) {
    sub(/^[ \t]*-?[ \t]*[A-Za-z]+:[ \t]*/, "", line); sub(/[ \t]+#.*$/, "", line); sub(/[ \t]+$/, "", line)
    gsub(/^["\047]|["\047]$/, "", line)
    return line
  }
  function comment(line) { return match(line, /[ \t]+#.*$/) ? substr(line, RSTART) : "" }
  function flush(   i, k, item, last, has_name, has_digest, skip_name, prefix) {
    if (n == 0) return
    item = ""; last = 1
    for (i = 1; i <= n; i++) {
      k = key(buf[i])
      if (k == "name") item = value(buf[i])
      if (k != "") last = i
    }
    names = names (names == "" ? "" : ", ") item
    if (item != ENVIRON["NAME"]) { for (i = 1; i <= n; i++) print buf[i]; n = 0; return }
    found++
    has_name = has_digest = skip_name = 0
    for (i = 1; i <= n; i++) {
      k = key(buf[i]); prefix = buf[i]; sub(/[A-Za-z]+:.*$/, "", prefix)
      if (k == "newTag" && i == 1) { print prefix "name: " item; skip_name = 1 }
      else if (k == "newTag" || (k == "name" && skip_name)) { }
      else if (k == "newName") { print prefix "newName: " ENVIRON["NEW_NAME"] comment(buf[i]); has_name = 1 }
      else if (k == "digest") { print prefix "digest: " ENVIRON["DIGEST"] comment(buf[i]); has_digest = 1 }
      else print buf[i]
      if (i == last) {
        if (!has_name) print indent "newName: " ENVIRON["NEW_NAME"]
        if (!has_digest) print indent "digest: " ENVIRON["DIGEST"]
        has_name = has_digest = 1
      }
    }
    n = 0
  }
  /^images:[ \t]*(#.*)?$/ { flush(); in_images = 1; lists++; print; next }
  in_images && /^[^ \t#-]/ { flush(); in_images = 0 }
  in_images && /^[ \t]*- / {
    flush()
    indent = $0; sub(/-.*$/, "", indent); indent = indent "  "
    buf[++n] = $0; next
  }
  in_images && n > 0 { buf[++n] = $0; next }
  { print }
  END {
    flush()
    if (!lists) { print "no-list" > "/dev/stderr"; exit 3 }
    if (!found) { print names > "/dev/stderr"; exit 4 }
  }
' "$file" >"$file.pin.tmp" 2>"$file.pin.err" || {
  rc=$?; detail=$(cat "$file.pin.err"); rm -f "$file.pin.tmp" "$file.pin.err"
  case $rc in
    3) die "$file has no images: list (block style) to pin $name in" ;;
    4) die "$file has no images: entry named $name${detail:+ (entries: $detail)}" ;;
    *) die "could not rewrite $file (awk exit $rc): $detail" ;;
  esac
}
rm -f "$file.pin.err"
mv "$file.pin.tmp" "$file"
echo "pinned $name in $file: $new_name@$digest"
