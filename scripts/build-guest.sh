#!/usr/bin/env bash
# Builds the tiny Linux test guest used by qemu-dbus-display-testkit.
#
#   build-guest.sh OUTDIR
#
# Produces in OUTDIR:
#   bzImage        the Debian kernel as shipped (self-decompressing; slow under TCG)
#   vmlinux        the same kernel as a plain ELF (boots directly via PVH: much faster)
#   initramfs.cpio busybox + /init + helper commands + the DRM/virtio modules
#   cmdline        the recommended kernel command line
#   STAMP          what this was built from; a rerun with the same script is a no-op
#
# No root needed and no side effects outside OUTDIR and a temporary folder: packages
# are fetched with `apt-get download` and unpacked with `dpkg-deb -x`.
#
# The guest:
#   * mounts devtmpfs/proc/sys, loads bochs (std VGA) or virtio-gpu (virtio-vga) DRM
#     drivers found on the PCI bus, waits for /dev/fb0 (1024x768x32 via video=);
#   * runs an interactive shell on tty1 (the screen);
#   * runs a control loop on ttyS1: prints "@@READY" once, then for every input line
#     "ID<TAB>COMMAND" runs COMMAND with sh and answers with its output followed by
#     "\n@@DONE ID EXITCODE\n". A line without a TAB runs with ID "-". A COMMAND of the
#     form "@b64 BASE64" is decoded first (for commands with line breaks).
#   * helper commands: fb-info, fb-fill RRGGBB, fb-noise-start, fb-noise-stop,
#     tty-print TEXT..., tty-clear, screen-still, beep [-f HZ] [-l MS] (PC speaker),
#     vport-open NAME (holds a virtio-serial port open; see the script).
#   * loads virtio_console when a virtio-serial device is on the PCI bus.
set -euo pipefail

SCRIPT_VERSION=4

if [ $# -ne 1 ]; then
  echo "usage: $0 OUTDIR" >&2; exit 2
fi
OUT=$1
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)

SELF_HASH=$(sha256sum "$0" | cut -c1-16)
STAMP="build-guest v$SCRIPT_VERSION $SELF_HASH"
if [ -f "$OUT/STAMP" ] && [ "$(head -1 "$OUT/STAMP")" = "$STAMP" ] \
   && [ -s "$OUT/vmlinux" ] && [ -s "$OUT/bzImage" ] && [ -s "$OUT/initramfs.cpio" ]; then
  echo "build-guest: $OUT is up to date ($STAMP)"
  exit 0
fi

WORK=$(mktemp -d "${TMPDIR:-/tmp}/build-guest.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
chmod 0755 "$WORK"   # lets apt's _apt user write the downloads when we are root
cd "$WORK"

log() { echo "build-guest: $*" >&2; }

# --- which kernel: linux-image-amd64's current dependency --------------------------
kpkg() { apt-cache depends linux-image-amd64 2>/dev/null \
         | sed -n 's/^ *Depends: \(linux-image-[0-9][^ ]*\)$/\1/p' | head -1; }
KPKG=$(kpkg || true)
if [ -z "$KPKG" ] && [ "$(id -u)" = 0 ]; then
  log "apt lists look empty; running apt-get update"
  apt-get update -qq >/dev/null 2>&1 || true
  KPKG=$(kpkg || true)
fi
[ -n "$KPKG" ] || { log "cannot resolve linux-image-amd64's dependency (apt-get update?)"; exit 1; }
log "kernel package $KPKG"

download() {
  if ! apt-get download -q "$@" >download.log 2>&1; then
    if [ "$(id -u)" = 0 ]; then
      log "apt-get download failed; apt-get update and retry"
      apt-get update -qq >/dev/null 2>&1 || true
      apt-get download -q "$@" >download.log 2>&1 || { cat download.log >&2; exit 1; }
    else
      cat download.log >&2; exit 1
    fi
  fi
}
download "$KPKG" busybox-static
mkdir k bb
dpkg-deb -x ./linux-image-*.deb k
dpkg-deb -x ./busybox-static_*.deb bb
BB=$WORK/bb/bin/busybox
[ -x "$BB" ] || BB=$WORK/bb/usr/bin/busybox   # Debian 13's busybox-static (merged /usr)
[ -x "$BB" ] || { log "busybox-static has no bin/busybox"; exit 1; }
KMODS=k/lib/modules; [ -d "$KMODS" ] || KMODS=k/usr/lib/modules   # Debian 13: merged /usr
KVER=$(ls "$KMODS" | head -1)
MODDIR=$KMODS/$KVER
log "kernel $KVER"

# --- kernel images -----------------------------------------------------------------
cp k/boot/vmlinuz-"$KVER" bzImage
# ELF vmlinux: find the xz stream inside the bzImage (like the kernel's extract-vmlinux)
XZ="xz"; command -v xz >/dev/null || XZ="$BB xz"
found=
for pos in $(LC_ALL=C grep -obUaP '\xFD7zXZ\x00' bzImage | cut -d: -f1); do
  tail -c +"$((pos + 1))" bzImage | $XZ -dc --single-stream > vmlinux 2>/dev/null || true
  if [ "$(head -c 4 vmlinux | od -An -tx1 | tr -d ' \n')" = "7f454c46" ]; then found=1; break; fi
done
if [ -z "$found" ] && command -v zstd >/dev/null; then   # Debian 13's kernels are zstd-compressed
  for pos in $(LC_ALL=C grep -obUaP '\x28\xB5\x2F\xFD' bzImage | cut -d: -f1); do
    tail -c +"$((pos + 1))" bzImage | zstd -dcq 2>/dev/null > vmlinux || true
    if [ "$(head -c 4 vmlinux | od -An -tx1 | tr -d ' \n')" = "7f454c46" ]; then found=1; break; fi
  done
fi
[ -n "$found" ] || { log "could not extract vmlinux from bzImage"; exit 1; }

# --- modules: DRM drivers for std VGA (bochs) and virtio-vga (virtio-gpu) + deps ------
declare -A MODPATH
while IFS= read -r f; do
  n=${f##*/}; n=${n%%.ko*}; MODPATH[${n//-/_}]=$f
done < <(find "$MODDIR/kernel" -name '*.ko*')

modinfo_field() { # FILE FIELD  (no kmod needed: the .modinfo strings are NUL-separated)
  local f=$1 data
  case $f in
    *.ko.xz) data=$($XZ -dc "$f" | tr '\0' '\n') ;;
    *.ko.zst) data=$(zstd -dc "$f" | tr '\0' '\n') ;;
    *) data=$(tr '\0' '\n' < "$f") ;;
  esac
  printf '%s\n' "$data" | sed -n "s/^$2=//p" | head -1
}
declare -A SEEN
ORDER=()
resolve() { # depth-first: dependencies before the module
  local m=${1//-/_}
  [ -n "${SEEN[$m]:-}" ] && return 0
  SEEN[$m]=1
  local f=${MODPATH[$m]:-}
  [ -n "$f" ] || { log "module $m not found (builtin?)"; return 0; }
  local deps d
  deps=$(modinfo_field "$f" depends)
  for d in ${deps//,/ }; do resolve "$d"; done
  ORDER+=("$m")
}
mkdir -p root/lib/modules
for group in bochs virtio_gpu virtio_console pcspkr; do
  ORDER=(); SEEN=()
  case $group in
    bochs) resolve bochs ;;
    virtio_gpu) resolve virtio_pci; resolve virtio_gpu ;;
    virtio_console) resolve virtio_pci; resolve virtio_console ;;
    pcspkr) resolve pcspkr ;;
  esac
  : > "root/lib/modules/$group.list"
  for m in "${ORDER[@]}"; do
    f=${MODPATH[$m]}
    case $f in
      *.ko.xz) $XZ -dc "$f" > "root/lib/modules/$m.ko" ;;
      *.ko.zst) zstd -qdc "$f" > "root/lib/modules/$m.ko" ;;
      *) cp "$f" "root/lib/modules/$m.ko" ;;
    esac
    echo "$m" >> "root/lib/modules/$group.list"
  done
done
log "modules: bochs: $(tr '\n' ' ' < root/lib/modules/bochs.list)"
log "modules: virtio_gpu: $(tr '\n' ' ' < root/lib/modules/virtio_gpu.list)"
log "modules: virtio_console: $(tr '\n' ' ' < root/lib/modules/virtio_console.list)"
log "modules: pcspkr: $(tr '\n' ' ' < root/lib/modules/pcspkr.list)"

# --- root file system --------------------------------------------------------------
mkdir -p root/bin root/sbin root/usr/bin root/usr/sbin root/dev root/proc root/sys \
         root/run root/tmp root/root root/etc
cp "$BB" root/bin/busybox
for app in $("$BB" --list); do
  [ "$app" = busybox ] || ln -s busybox "root/bin/$app"
done
echo "root:x:0:0:root:/root:/bin/sh" > root/etc/passwd
echo "$KVER" > root/etc/kernel-version

cat > root/init <<'EOF'
#!/bin/sh
# Test guest init (see scripts/build-guest.sh in qemu-dbus-display).
export PATH=/bin HOME=/root TERM=linux
mount -t devtmpfs devtmpfs /dev 2>/dev/null
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t tmpfs tmpfs /run
mount -t tmpfs tmpfs /tmp
echo "init: start $(cut -d' ' -f1 /proc/uptime)s"

# DRM driver for the display device on the PCI bus
group=
for d in /sys/bus/pci/devices/*; do
  id="$(cat "$d/vendor"):$(cat "$d/device")"
  case $id in
    0x1234:0x1111) group=bochs ;;
    0x1af4:0x1050) group=virtio_gpu ;;
  esac
done
# std VGA: bochs only when the firmware gave no framebuffer (PVH boot; with the bzImage
# and vga=0x344, vesafb already drives it). virtio-vga: always virtio-gpu, which takes
# over from vesafb: its surfaces are allocated by QEMU (what the shared-map path needs).
if [ "$group" = virtio_gpu ] || { [ -n "$group" ] && [ ! -e /dev/fb0 ]; }; then
  for m in $(cat /lib/modules/$group.list); do
    insmod /lib/modules/$m.ko 2>/dev/null
  done
fi
# virtio-serial (transitional 0x1003 or modern 0x1043): /dev/vportNpM for guest agents' ports
for d in /sys/bus/pci/devices/*; do
  case "$(cat "$d/vendor"):$(cat "$d/device")" in
    0x1af4:0x1003|0x1af4:0x1043)
      for m in $(cat /lib/modules/virtio_console.list); do insmod /lib/modules/$m.ko 2>/dev/null; done
      break ;;
  esac
done
fb_ok() {
  [ -e /dev/fb0 ] || return 1
  [ "$group" = virtio_gpu ] || return 0
  case "$(cat /sys/class/graphics/fb0/name 2>/dev/null)" in virtio*) return 0 ;; esac
  return 1
}
i=0
while ! fb_ok && [ $i -lt 200 ]; do usleep 50000; i=$((i+1)); done
echo "init: display driver '${group:-none}', fb0 $(cat /sys/class/graphics/fb0/virtual_size 2>/dev/null || echo missing) at $(cut -d' ' -f1 /proc/uptime)s"
screen-still >/dev/null 2>&1

# interactive shell on the screen (respawned)
(
  while :; do
    setsid -c sh -c 'exec sh -i' </dev/tty1 >/dev/tty1 2>&1
    sleep 1
  done
) &

# control loop on the second serial port
(
  stty -F /dev/ttyS1 raw -echo 115200 2>/dev/null
  exec </dev/ttyS1 >/dev/ttyS1 2>&1
  printf '\n@@READY\n'
  while IFS= read -r line; do
    line=${line%$(printf '\r')}
    case $line in
      *"	"*) id=${line%%	*}; cmd=${line#*	} ;;
      *) id=-; cmd=$line ;;
    esac
    [ -z "$cmd" ] && [ "$id" = - ] && continue
    case $cmd in "@b64 "*) cmd=$(printf '%s' "${cmd#@b64 }" | base64 -d) ;; esac
    sh -c "$cmd" </dev/null
    rc=$?
    printf '\n@@DONE %s %d\n' "$id" "$rc"
  done
) &
echo "init: ready at $(cut -d' ' -f1 /proc/uptime)s"
while :; do wait; sleep 3600; done
EOF

cat > root/bin/fb-info <<'EOF'
#!/bin/sh
# prints: WIDTH HEIGHT STRIDE BITS_PER_PIXEL NAME
fb=/sys/class/graphics/fb0
[ -e $fb/virtual_size ] || { echo "no framebuffer" >&2; exit 1; }
size=$(cat $fb/virtual_size)
echo "${size%,*} ${size#*,} $(cat $fb/stride) $(cat $fb/bits_per_pixel) $(cat $fb/name)"
EOF

cat > root/bin/fb-fill <<'EOF'
#!/bin/sh
# fb-fill RRGGBB: fills the whole framebuffer (32 bpp, XRGB little-endian) with one colour
c=${1#\#}
case $c in [0-9a-fA-F][0-9a-fA-F][0-9a-fA-F][0-9a-fA-F][0-9a-fA-F][0-9a-fA-F]) ;;
  *) echo "usage: fb-fill RRGGBB" >&2; exit 2 ;; esac
set -- $(fb-info) || exit 1
w=$1 h=$2 stride=$3
total=$((stride * h))
t=/run/fill.$$
printf "\\x${c#????}\\x$(echo $c | cut -c3-4)\\x${c%????}\\x00" > $t
size=4
while [ $size -lt $total ]; do cat $t $t > $t.2; mv $t.2 $t; size=$((size * 2)); done
# one write() of the whole frame: DRM fbdev emulation (bochs) drops writes of exactly
# one scanline from its damage tracking, so line-by-line writes may never show up
dd if=$t of=/dev/fb0 bs=$total count=1 iflag=fullblock 2>/dev/null
rc=$?
rm -f $t
exit $rc
EOF

cat > root/bin/fb-noise-start <<'EOF'
#!/bin/sh
# fb-noise-start: writes whole frames of random pixels to /dev/fb0 until fb-noise-stop.
# Returns once the first frame is written (the kernel's first /dev/urandom read can take
# a second under TCG while it gathers entropy).
[ -f /run/noise.pid ] && kill -0 "$(cat /run/noise.pid)" 2>/dev/null && exit 0
set -- $(fb-info) || exit 1
total=$(($2 * $3))
rm -f /run/noise.frame
touch /run/noise.on
(
  while [ -f /run/noise.on ]; do
    dd if=/dev/urandom of=/dev/fb0 bs=$total count=1 iflag=fullblock 2>/dev/null
    : > /run/noise.frame
  done
) </dev/null >/dev/null 2>&1 &
echo $! > /run/noise.pid
i=0
while [ ! -f /run/noise.frame ] && [ $i -lt 500 ]; do usleep 20000; i=$((i+1)); done
[ -f /run/noise.frame ]
EOF

cat > root/bin/fb-noise-stop <<'EOF'
#!/bin/sh
# fb-noise-stop: stops fb-noise-start after the frame being written and waits for it
rm -f /run/noise.on
[ -f /run/noise.pid ] || exit 0
pid=$(cat /run/noise.pid)
i=0
while kill -0 "$pid" 2>/dev/null && [ $i -lt 200 ]; do usleep 20000; i=$((i+1)); done
kill "$pid" 2>/dev/null
rm -f /run/noise.pid
exit 0
EOF

cat > root/bin/tty-print <<'EOF'
#!/bin/sh
# tty-print TEXT...: prints a line of text on the screen's console (tty1)
printf '%s\n' "$*" > /dev/tty1
EOF

cat > root/bin/tty-clear <<'EOF'
#!/bin/sh
# tty-clear: clears the screen's console (tty1) and homes its cursor
printf '\033[H\033[2J\033[3J' > /dev/tty1
EOF

cat > root/bin/screen-still <<'EOF'
#!/bin/sh
# screen-still: no blinking cursor, no blanking: the screen only changes when drawn on
echo 0 > /sys/class/graphics/fbcon/cursor_blink 2>/dev/null
printf '\033[?25l\033[9;0]\033[14;0]' > /dev/tty1
EOF
cat > root/bin/beep <<'EOF'
#!/bin/sh
# beep [-f HZ] [-l MS]: sounds the PC speaker (default 750 Hz for 200 ms) through the console
# bell (pcspkr driver), like busybox beep, which Debian's busybox lacks; returns when done
f=750 l=200
while [ $# -gt 0 ]; do
  case $1 in -f) f=$2; shift 2 ;; -l) l=$2; shift 2 ;; *) echo "usage: beep [-f HZ] [-l MS]" >&2; exit 2 ;; esac
done
[ -e /sys/bus/platform/drivers/pcspkr ] || insmod /lib/modules/pcspkr.ko 2>/dev/null
[ -e /sys/bus/platform/drivers/pcspkr ] || { echo "beep: no pcspkr driver" >&2; exit 1; }
printf '\033[10;%d]\033[11;%d]\a' "$f" "$l" > /dev/tty1
usleep $((l * 1000))
EOF

cat > root/bin/vport-open <<'EOF'
#!/bin/sh
# vport-open NAME: opens the virtio-serial port named NAME (e.g. com.redhat.spice.0) and keeps
# it open in the background (a port may be open only once): bytes received are appended to
# /run/vport-NAME.in, bytes written to the FIFO /run/vport-NAME.out are sent.
n=$1 dev=
for d in /sys/class/virtio-ports/*; do
  [ "$(cat "$d/name" 2>/dev/null)" = "$n" ] && dev=/dev/${d##*/}
done
[ -n "$dev" ] || { echo "vport-open: no virtio port named '$n'" >&2; exit 1; }
rm -f "/run/vport-$n.out"; mkfifo "/run/vport-$n.out"; : > "/run/vport-$n.in"
(
  exec 3<>"$dev"
  cat <&3 >> "/run/vport-$n.in" &
  while :; do cat "/run/vport-$n.out" >&3; done
) </dev/null >/dev/null 2>&1 &
EOF
chmod 0755 root/init root/bin/fb-* root/bin/tty-* root/bin/screen-still root/bin/beep root/bin/vport-open

echo "video=1024x768 console=ttyS0 panic=-1 consoleblank=0 vt.global_cursor_default=0" \
  > cmdline

(cd root && find . | LC_ALL=C sort | "$BB" cpio -o -H newc -R 0:0 2>/dev/null) > initramfs.cpio

# --- publish -----------------------------------------------------------------------
for f in bzImage vmlinux initramfs.cpio cmdline; do
  cp "$f" "$OUT/$f.tmp" && mv "$OUT/$f.tmp" "$OUT/$f"
done
printf '%s\nkernel %s (%s)\nbusybox %s\n' "$STAMP" "$KVER" "$KPKG" \
  "$(ls busybox-static_*.deb)" > "$OUT/STAMP"
log "done: $(du -sh "$OUT" | cut -f1) in $OUT"
