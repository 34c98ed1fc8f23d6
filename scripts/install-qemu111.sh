#!/usr/bin/env bash
# Unpacks Debian's QEMU 11.1 (trixie-backports) beside the default QEMU, for the tests that
# check the SDK against the newest QEMU (Chardev.VCEncoding, ScanoutDMABUF2, ...).
#
#   install-qemu111.sh [DIR]
#
# DIR defaults to /opt/qemu-11.1 as root, else ${XDG_CACHE_HOME:-~/.cache}/qemu-dbus-display/qemu-11.1.
# Nothing is installed system-wide: mmdebstrap makes a small trixie root in DIR with
# qemu-system-x86, qemu-system-gui and qemu-system-modules-opengl from trixie-backports (as root
# directly, otherwise in a user namespace, --mode=unshare). The tree brings its own C library, so
# the same tree works on Debian 12 and Debian 13. Idempotent: when DIR already holds a QEMU 11.1
# that starts, a second run only prints the wrapper's path (FORCE=1 makes it anew). Run it through
# the wrapper the script writes,
#
#   DIR/qemu-system-x86_64 -display dbus ...
#
# which is, spelled out (what the testkit's QemuInstall.qemu111() does):
#
#   QEMU_MODULE_DIR=DIR/usr/lib/x86_64-linux-gnu/qemu \
#     DIR/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2 --library-path DIR/lib/x86_64-linux-gnu:DIR/usr/lib/x86_64-linux-gnu \
#     DIR/usr/bin/qemu-system-x86_64 -L DIR/usr/share/qemu -L DIR/usr/share/seabios ...
#
# Prints the wrapper's path on stdout. MIRROR=URL overrides the Debian mirror (default: the
# first one this machine's apt uses, else http://deb.debian.org/debian).
set -euo pipefail

SUITE=trixie
PKGS=qemu-system-x86,qemu-system-gui,qemu-system-modules-opengl
WANT='^11\.1\.'
if [ $# -gt 1 ]; then
  echo "usage: $0 [DIR]" >&2; exit 2
fi
if [ $# -eq 1 ]; then
  DIR=$1
elif [ "$(id -u)" = 0 ]; then
  DIR=/opt/qemu-11.1
else
  DIR=${XDG_CACHE_HOME:-$HOME/.cache}/qemu-dbus-display/qemu-11.1
fi
log() { echo "install-qemu111: $*" >&2; }

# The version an unpacked tree's QEMU reports ("11.1.3"), empty when it does not start.
tree_version() {
  local r=$1
  [ -x "$r/usr/bin/qemu-system-x86_64" ] && [ -e "$r/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2" ] || return 0
  QEMU_MODULE_DIR=$r/usr/lib/x86_64-linux-gnu/qemu \
    "$r/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2" --library-path "$r/lib/x86_64-linux-gnu:$r/usr/lib/x86_64-linux-gnu" \
    "$r/usr/bin/qemu-system-x86_64" --version 2>/dev/null \
    | sed -n 's/^QEMU emulator version \([0-9.]*\).*/\1/p' | head -n1
}

write_wrapper() {
  cat > "$1/qemu-system-x86_64" <<'WRAP'
#!/bin/sh
# QEMU 11.1 from this trixie tree, with the tree's own loader, libraries, modules and firmware.
R=$(dirname "$(readlink -f "$0")")
QEMU_MODULE_DIR=$R/usr/lib/x86_64-linux-gnu/qemu
export QEMU_MODULE_DIR
exec "$R/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2" --library-path "$R/lib/x86_64-linux-gnu:$R/usr/lib/x86_64-linux-gnu" \
  "$R/usr/bin/qemu-system-x86_64" -L "$R/usr/share/qemu" -L "$R/usr/share/seabios" "$@"
WRAP
  chmod 0755 "$1/qemu-system-x86_64"
}

mkdir -p "$DIR"
DIR=$(cd "$DIR" && pwd)
have=$(tree_version "$DIR")
if [ -z "${FORCE:-}" ] && printf '%s' "$have" | grep -Eq "$WANT"; then
  [ -x "$DIR/qemu-system-x86_64" ] || write_wrapper "$DIR" 2>/dev/null || true
  log "QEMU $have already in $DIR"
  echo "$DIR/qemu-system-x86_64"; exit 0
fi
# DIR is replaced as a whole: refuse a folder that holds anything but an earlier tree
if [ -n "$(ls -A "$DIR")" ] && [ ! -e "$DIR/usr/bin/qemu-system-x86_64" ]; then
  log "$DIR is not empty and holds no earlier QEMU tree: choose an empty or new folder"
  exit 1
fi
command -v mmdebstrap >/dev/null || { log "needs mmdebstrap (apt-get install mmdebstrap)"; exit 1; }

if [ -z "${MIRROR:-}" ]; then
  MIRROR=$({ sed -n 's/^URIs: *//p' /etc/apt/sources.list.d/*.sources 2>/dev/null || true; } | awk '{print $1; exit}')
  [ -n "$MIRROR" ] || MIRROR=$(awk '$1 == "deb" {for (i = 2; i <= NF; i++) if ($i ~ /^https?:/) {print $i; exit}}' \
    /etc/apt/sources.list 2>/dev/null || true)
  [ -n "$MIRROR" ] || MIRROR=http://deb.debian.org/debian
fi
mode=()
[ "$(id -u)" = 0 ] || mode=(--mode=unshare)

# make a fresh tree, then swap it in, so a failed run never leaves half a QEMU
NEW=$DIR.new.$$
rm -rf "$NEW"
trap 'rm -rf "$NEW"' EXIT
log "mmdebstrap $SUITE + $SUITE-backports ($PKGS) from $MIRROR into $DIR"
if ! mmdebstrap "${mode[@]}" --quiet --variant=apt --include="$PKGS" \
    --aptopt="APT::Default-Release \"$SUITE-backports\"" \
    "$SUITE" "$NEW" "deb $MIRROR $SUITE main" "deb $MIRROR $SUITE-backports main" >&2; then
  log "mmdebstrap failed"; exit 1
fi
got=$(tree_version "$NEW")
if ! printf '%s' "$got" | grep -Eq "$WANT"; then
  log "the new tree's QEMU says version '${got:-none}', not 11.1"; exit 1
fi
[ -f "$NEW/usr/lib/x86_64-linux-gnu/qemu/ui-dbus.so" ] || log "warning: no ui-dbus.so module in the tree"
write_wrapper "$NEW"
printf '%s\n' "$got" > "$NEW/STAMP"
rm -rf "$DIR.old.$$"
mv "$DIR" "$DIR.old.$$" && mv "$NEW" "$DIR" && rm -rf "$DIR.old.$$"
trap - EXIT
log "QEMU $got in $DIR"
echo "$DIR/qemu-system-x86_64"
