#!/usr/bin/env bash
# Unpacks Debian 12's own QEMU 7.2 beside the default QEMU (10.x from bookworm-backports),
# for the tests that check the SDK against an old QEMU (no Interfaces properties, no
# Listener.Unix.Map).
#
#   install-qemu72.sh [DIR]
#
# DIR defaults to /opt/qemu-7.2 as root, else ${XDG_CACHE_HOME:-~/.cache}/qemu-dbus-display/qemu-7.2.
# Nothing is installed system-wide: `apt-get download` fetches qemu-system-x86,
# qemu-system-gui, qemu-system-common and qemu-system-data at bookworm's 7.2 version and
# `dpkg-deb -x` unpacks them into DIR. Idempotent: a second run with the same versions only
# prints the binary's path. Run it as:
#
#   QEMU_MODULE_DIR=DIR/usr/lib/x86_64-linux-gnu/qemu DIR/usr/bin/qemu-system-x86_64 \
#     -L DIR/usr/share/qemu -L /usr/share/seabios ...
#
# (the firmware images of 7.2's qemu-system-data are symlinks into ../seabios, which the
# seabios package of the default QEMU provides). Prints the binary's path on stdout.
#
# On Debian 13, whose apt knows no 7.2 and whose libraries 7.2 cannot use (libcapstone4,
# libfuse3-3, libaio1 are gone), DIR becomes a small bookworm root made with mmdebstrap
# instead, with its own C library; start it through DIR/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2
# --library-path DIR/lib/x86_64-linux-gnu:DIR/usr/lib/x86_64-linux-gnu (the testkit's
# QemuInstall does) and -L DIR/usr/share/qemu -L DIR/usr/share/seabios.
set -euo pipefail

PKGS=(qemu-system-x86 qemu-system-gui qemu-system-common qemu-system-data)
if [ $# -gt 1 ]; then
  echo "usage: $0 [DIR]" >&2; exit 2
fi
if [ $# -eq 1 ]; then
  DIR=$1
elif [ "$(id -u)" = 0 ]; then
  DIR=/opt/qemu-7.2
else
  DIR=${XDG_CACHE_HOME:-$HOME/.cache}/qemu-dbus-display/qemu-7.2
fi
log() { echo "install-qemu72: $*" >&2; }

# The newest 7.2 build of each package that apt knows (bookworm or bookworm-security),
# as PKG=VERSION words, in PKGS order; fails when one is missing.
resolve_versions() {
  local table
  table=$(apt-cache madison "${PKGS[@]}" 2>/dev/null \
    | awk -F'|' '{gsub(/ /, "", $1); gsub(/ /, "", $2); print $1, $2}') || true
  VERSIONS=()
  local p v best
  for p in "${PKGS[@]}"; do
    best=
    for v in $(printf '%s\n' "$table" | awk -v p="$p" '$1 == p && $2 ~ /^1:7\.2[+~]/ {print $2}'); do
      if [ -z "$best" ] || dpkg --compare-versions "$v" gt "$best"; then best=$v; fi
    done
    [ -n "$best" ] || return 1
    VERSIONS+=("$p=$best")
  done
}
# Debian 13 and later: a bookworm tree (see above). Idempotent like the rest.
tree_install() {
  local bin=$DIR/usr/bin/qemu-system-x86_64 loader=$DIR/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2
  run_tree() {
    QEMU_MODULE_DIR=$1/usr/lib/x86_64-linux-gnu/qemu "$1/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2" \
      --library-path "$1/lib/x86_64-linux-gnu:$1/usr/lib/x86_64-linux-gnu" "$1/usr/bin/qemu-system-x86_64" "${@:2}"
  }
  if [ -x "$bin" ] && [ -e "$loader" ] && grep -qs '^tree bookworm' "$DIR/STAMP" \
      && run_tree "$DIR" --version 2>/dev/null | grep -q 'version 7\.2\.'; then
    echo "$bin"; exit 0
  fi
  command -v mmdebstrap >/dev/null || { log "this is not Debian 12: needs mmdebstrap for a bookworm tree"; exit 1; }
  mkdir -p "$DIR"; DIR=$(cd "$DIR" && pwd)
  if [ -n "$(ls -A "$DIR")" ] && [ ! -f "$DIR/STAMP" ]; then
    log "$DIR is not empty and holds no earlier QEMU 7.2 (no STAMP): choose an empty or new folder"; exit 1
  fi
  local mirror=${MIRROR:-}
  [ -n "$mirror" ] || mirror=$({ sed -n 's/^URIs: *//p' /etc/apt/sources.list.d/*.sources 2>/dev/null || true; } | awk '{print $1; exit}')
  [ -n "$mirror" ] || mirror=$(awk '$1 == "deb" {print $2; exit}' /etc/apt/sources.list 2>/dev/null || true)
  [ -n "$mirror" ] || mirror=http://deb.debian.org/debian
  local mode=()
  TREE_NEW=$DIR.new.$$
  [ "$(id -u)" = 0 ] || mode=(--mode=unshare)
  rm -rf "$TREE_NEW"; trap 'rm -rf "$TREE_NEW"' EXIT
  log "no bookworm in apt's lists: mmdebstrap a bookworm tree with QEMU 7.2 from $mirror into $DIR"
  mmdebstrap "${mode[@]}" --quiet --variant=apt --include=qemu-system-x86,qemu-system-gui \
    bookworm "$TREE_NEW" "deb $mirror bookworm main" "deb $mirror bookworm-updates main" >&2 \
    || { log "mmdebstrap failed"; exit 1; }
  local v
  v=$(run_tree "$TREE_NEW" --version 2>/dev/null | sed -n 's/^QEMU emulator version \([0-9.]*\).*/\1/p' | head -n1)
  case $v in 7.2.*) ;; *) log "the bookworm tree's QEMU says version '${v:-none}'"; exit 1 ;; esac
  printf 'tree bookworm %s\n' "$v" > "$TREE_NEW/STAMP"
  rm -rf "$DIR.old.$$"
  mv "$DIR" "$DIR.old.$$" && mv "$TREE_NEW" "$DIR" && rm -rf "$DIR.old.$$"
  trap - EXIT
  log "QEMU $v in $DIR (a bookworm tree)"
  echo "$DIR/usr/bin/qemu-system-x86_64"; exit 0
}
codename=$( (. /etc/os-release 2>/dev/null && echo "${VERSION_CODENAME:-}") || true)
if [ -n "$codename" ] && [ "$codename" != bookworm ] && ! resolve_versions; then
  tree_install
fi

if ! resolve_versions; then
  if [ "$(id -u)" = 0 ]; then
    log "apt knows no 7.2 build yet; running apt-get update"
    apt-get update -qq >/dev/null 2>&1 || true
  fi
  resolve_versions || { log "no QEMU 7.2 packages in apt's lists (is this Debian 12 with its bookworm suite?)"; exit 1; }
fi
STAMP="${VERSIONS[*]}"
BIN=$DIR/usr/bin/qemu-system-x86_64
if [ -x "$BIN" ] && [ -f "$DIR/STAMP" ] && [ "$(cat "$DIR/STAMP")" = "$STAMP" ]; then
  echo "$BIN"; exit 0
fi

mkdir -p "$DIR"
DIR=$(cd "$DIR" && pwd)
# DIR is replaced as a whole: refuse a folder that holds anything but an earlier unpacking
if [ -n "$(ls -A "$DIR")" ] && [ ! -f "$DIR/STAMP" ]; then
  log "$DIR is not empty and holds no earlier QEMU 7.2 (no STAMP): choose an empty or new folder"
  exit 1
fi
BIN=$DIR/usr/bin/qemu-system-x86_64
WORK=$(mktemp -d "${TMPDIR:-/tmp}/qemu72.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
chmod 0755 "$WORK"   # apt's _apt user writes the downloads when we are root
if ! (cd "$WORK" && apt-get download -q "${VERSIONS[@]}" >download.log 2>&1); then
  if [ "$(id -u)" = 0 ]; then
    log "apt-get download failed; apt-get update and retry"
    apt-get update -qq >/dev/null 2>&1 || true
    (cd "$WORK" && apt-get download -q "${VERSIONS[@]}" >download.log 2>&1) \
      || { cat "$WORK/download.log" >&2; exit 1; }
  else
    cat "$WORK/download.log" >&2; exit 1
  fi
fi
# unpack into a fresh tree, then swap it in, so a failed run never leaves half a QEMU
NEW=$DIR.new.$$
rm -rf "$NEW"; mkdir -p "$NEW"
for deb in "$WORK"/*.deb; do
  dpkg-deb -x "$deb" "$NEW"
done
printf '%s\n' "$STAMP" > "$NEW/STAMP"
[ -x "$NEW/usr/bin/qemu-system-x86_64" ] || { log "no usr/bin/qemu-system-x86_64 in the packages"; exit 1; }
[ -f "$NEW/usr/lib/x86_64-linux-gnu/qemu/ui-dbus.so" ] || log "warning: no ui-dbus.so module in the packages"
rm -rf "$DIR.old.$$"
mv "$DIR" "$DIR.old.$$" && mv "$NEW" "$DIR" && rm -rf "$DIR.old.$$"

# shared libraries that the default QEMU did not bring in
missing=$(ldd "$BIN" "$DIR"/usr/lib/x86_64-linux-gnu/qemu/ui-dbus.so 2>/dev/null | awk '/not found/ {print $1}' | sort -u)
if [ -n "$missing" ]; then
  log "warning: missing shared libraries: $(echo $missing)"
fi
if ! QEMU_MODULE_DIR=$DIR/usr/lib/x86_64-linux-gnu/qemu "$BIN" --version >/dev/null 2>&1; then
  log "warning: $BIN --version failed"
fi
log "QEMU $("$BIN" --version 2>/dev/null | head -1 | sed 's/^QEMU emulator version //') in $DIR"
echo "$BIN"
