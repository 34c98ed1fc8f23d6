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
#     vport-open NAME (holds a virtio-serial port open; see the script),
#     drm-hold ARGS / drm-release (another mode, a cursor or the scanout off through DRM,
#     kept until released), input-dev NAME, ev-start TAG NAME (logs evdev events).
#   * qd-tool: a small static C helper built here with the host's gcc (DRM dumb buffers,
#     SETCRTC, CURSOR2; an evdev reader), which busybox lacks.
#   * loads virtio_console when a virtio-serial device is on the PCI bus, virtio_input and
#     evdev when a virtio input device (tablet, multitouch, keyboard) is.
set -euo pipefail

SCRIPT_VERSION=5

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
for group in bochs virtio_gpu virtio_console pcspkr input; do
  ORDER=(); SEEN=()
  case $group in
    bochs) resolve bochs ;;
    virtio_gpu) resolve virtio_pci; resolve virtio_gpu ;;
    virtio_console) resolve virtio_pci; resolve virtio_console ;;
    pcspkr) resolve pcspkr ;;
    input) resolve virtio_pci; resolve virtio_input; resolve evdev ;;
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
log "modules: input: $(tr '\n' ' ' < root/lib/modules/input.list)"

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
# virtio input devices (modern 0x1052: tablet, multitouch, keyboard): /dev/input/eventN
for d in /sys/bus/pci/devices/*; do
  case "$(cat "$d/vendor"):$(cat "$d/device")" in
    0x1af4:0x1052)
      for m in $(cat /lib/modules/input.list); do insmod /lib/modules/$m.ko 2>/dev/null; done
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
cat > root/bin/drm-release <<'EOF'
#!/bin/sh
# drm-release: ends what drm-hold keeps (the fbdev console takes the display back); idempotent
[ -f /run/drm.pid ] || exit 0
pid=$(cat /run/drm.pid)
kill "$pid" 2>/dev/null
i=0
while kill -0 "$pid" 2>/dev/null && [ $i -lt 500 ]; do usleep 20000; i=$((i+1)); done
rm -f /run/drm.pid
! kill -0 "$pid" 2>/dev/null
EOF

cat > root/bin/drm-hold <<'EOF'
#!/bin/sh
# drm-hold ARGS...: runs "qd-tool ARGS" (mode W H RRGGBB | cursor W H HX HY AARRGGBB X Y | off)
# in the background and returns once the change is made; it lasts until drm-release
drm-release || exit 1
: > /run/drm.out
qd-tool "$@" > /run/drm.out 2> /run/drm.err < /dev/null &
echo $! > /run/drm.pid
i=0
while ! grep -q '^ready' /run/drm.out && kill -0 $! 2>/dev/null && [ $i -lt 500 ]; do
  usleep 20000; i=$((i+1))
done
grep -q '^ready' /run/drm.out && exit 0
cat /run/drm.err >&2
drm-release
exit 1
EOF

cat > root/bin/input-dev <<'EOF'
#!/bin/sh
# input-dev NAME: prints /dev/input/eventN of the first input device whose name contains NAME
for e in /sys/class/input/event*; do
  case "$(cat "$e/device/name" 2>/dev/null)" in
    *"$1"*) echo "/dev/input/${e##*/}"; exit 0 ;;
  esac
done
echo "input-dev: no input device named like '$1'" >&2
exit 1
EOF

cat > root/bin/ev-start <<'EOF'
#!/bin/sh
# ev-start TAG NAME: logs every evdev event of the device named like NAME to /run/ev-TAG.log,
# one "TYPE CODE VALUE" line each (qd-tool events), until the guest stops
dev=$(input-dev "$2") || exit 1
: > "/run/ev-$1.log"
qd-tool events "$dev" >> "/run/ev-$1.log" 2>&1 < /dev/null &
usleep 100000
kill -0 $! 2>/dev/null
EOF
chmod 0755 root/init root/bin/fb-* root/bin/tty-* root/bin/screen-still root/bin/beep root/bin/vport-open \
  root/bin/drm-* root/bin/input-dev root/bin/ev-start

# --- qd-tool: DRM and evdev helper (static, built with the host's gcc) -------------------
command -v gcc >/dev/null || { log "gcc not found: it builds the guest's qd-tool (apt-get install gcc libc6-dev)"; exit 1; }
cat > qd-tool.c <<'CSRC'
/*
 * qd-tool: the test guest's small helper for what busybox cannot do (see build-guest.sh).
 * Built on the host with `gcc -static -Os`; needs no libdrm and no kernel headers beyond
 * <linux/input.h> (the few DRM uapi structures are declared below).
 *
 *   qd-tool modes                         lists the first connector's modes (WIDTHxHEIGHT)
 *   qd-tool mode W H RRGGBB               sets a W x H mode showing one colour, then holds it
 *   qd-tool cursor W H HX HY AARRGGBB X Y defines a W x H cursor of one ARGB colour with hot spot
 *                                         HX,HY, moves it to X,Y, then holds it
 *   qd-tool off                           turns the scanout off (SETCRTC without a framebuffer),
 *                                         then holds it
 *   qd-tool events DEVICE                 prints each evdev event of DEVICE as "TYPE CODE VALUE"
 *
 * The DRM commands become DRM master on /dev/dri/card0, print "ready" on stdout once the
 * change is made, and keep the device open until SIGTERM/SIGINT: closing it hands the display
 * back to the kernel's fbdev console, which restores its own mode (and hides the cursor).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/input.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

/* --- DRM uapi (include/uapi/drm/drm.h, drm_mode.h) --------------------------------- */
struct qd_mode_card_res {
    uint64_t fb_id_ptr, crtc_id_ptr, connector_id_ptr, encoder_id_ptr;
    uint32_t count_fbs, count_crtcs, count_connectors, count_encoders;
    uint32_t min_width, max_width, min_height, max_height;
};
struct qd_modeinfo {
    uint32_t clock;
    uint16_t hdisplay, hsync_start, hsync_end, htotal, hskew;
    uint16_t vdisplay, vsync_start, vsync_end, vtotal, vscan;
    uint32_t vrefresh, flags, type;
    char name[32];
};
struct qd_mode_crtc {
    uint64_t set_connectors_ptr;
    uint32_t count_connectors, crtc_id, fb_id, x, y, gamma_size, mode_valid;
    struct qd_modeinfo mode;
};
struct qd_mode_get_connector {
    uint64_t encoders_ptr, modes_ptr, props_ptr, prop_values_ptr;
    uint32_t count_modes, count_props, count_encoders, encoder_id, connector_id, connector_type,
        connector_type_id, connection, mm_width, mm_height, subpixel, pad;
};
struct qd_mode_get_encoder {
    uint32_t encoder_id, encoder_type, crtc_id, possible_crtcs, possible_clones;
};
struct qd_mode_fb_cmd {
    uint32_t fb_id, width, height, pitch, bpp, depth, handle;
};
struct qd_mode_fb_dirty_cmd {
    uint32_t fb_id, flags, color, num_clips;
    uint64_t clips_ptr;
};
struct qd_mode_cursor2 {
    uint32_t flags, crtc_id;
    int32_t x, y;
    uint32_t width, height, handle;
    int32_t hot_x, hot_y;
};
struct qd_mode_create_dumb {
    uint32_t height, width, bpp, flags, handle, pitch;
    uint64_t size;
};
struct qd_mode_map_dumb {
    uint32_t handle, pad;
    uint64_t offset;
};

#define QD_IOWR(nr, type) _IOWR('d', nr, type)
#define QD_GETRESOURCES QD_IOWR(0xA0, struct qd_mode_card_res)
#define QD_GETCRTC QD_IOWR(0xA1, struct qd_mode_crtc)
#define QD_SETCRTC QD_IOWR(0xA2, struct qd_mode_crtc)
#define QD_GETENCODER QD_IOWR(0xA6, struct qd_mode_get_encoder)
#define QD_GETCONNECTOR QD_IOWR(0xA7, struct qd_mode_get_connector)
#define QD_ADDFB QD_IOWR(0xAE, struct qd_mode_fb_cmd)
#define QD_DIRTYFB QD_IOWR(0xB1, struct qd_mode_fb_dirty_cmd)
#define QD_CREATE_DUMB QD_IOWR(0xB2, struct qd_mode_create_dumb)
#define QD_MAP_DUMB QD_IOWR(0xB3, struct qd_mode_map_dumb)
#define QD_CURSOR2 QD_IOWR(0xBB, struct qd_mode_cursor2)
#define QD_CURSOR_BO 0x01
#define QD_CURSOR_MOVE 0x02

static void die(const char *what) {
    fprintf(stderr, "qd-tool: %s: %s\n", what, strerror(errno));
    exit(1);
}

static void xioctl(int fd, unsigned long req, void *arg, const char *what) {
    int r;
    do {
        r = ioctl(fd, req, arg);
    } while (r == -1 && (errno == EINTR || errno == EAGAIN));
    if (r == -1) {
        die(what);
    }
}

struct display {
    int fd;
    uint32_t crtc, connector;
    struct qd_modeinfo *modes;
    uint32_t count_modes;
};

/* Opens card0 and finds the first connected connector and the CRTC driving it (or the first). */
static struct display open_display(void) {
    struct display d = {0};
    d.fd = open("/dev/dri/card0", O_RDWR | O_CLOEXEC);
    if (d.fd < 0) {
        die("open /dev/dri/card0");
    }
    struct qd_mode_card_res res = {0};
    xioctl(d.fd, QD_GETRESOURCES, &res, "GETRESOURCES");
    if (res.count_connectors == 0 || res.count_crtcs == 0) {
        fprintf(stderr, "qd-tool: no connector or CRTC\n");
        exit(1);
    }
    uint32_t *conns = calloc(res.count_connectors, 4), *crtcs = calloc(res.count_crtcs, 4);
    struct qd_mode_card_res res2 = {0};
    res2.connector_id_ptr = (uintptr_t) conns;
    res2.count_connectors = res.count_connectors;
    res2.crtc_id_ptr = (uintptr_t) crtcs;
    res2.count_crtcs = res.count_crtcs;
    xioctl(d.fd, QD_GETRESOURCES, &res2, "GETRESOURCES");
    d.connector = conns[0];
    d.crtc = crtcs[0];

    struct qd_mode_get_connector c = {0};
    c.connector_id = d.connector;
    xioctl(d.fd, QD_GETCONNECTOR, &c, "GETCONNECTOR"); /* probes the modes (we are master) */
    if (c.count_modes > 0) {
        uint32_t n = c.count_modes;
        d.modes = calloc(n, sizeof *d.modes);
        struct qd_mode_get_connector c2 = {0};
        c2.connector_id = d.connector;
        c2.count_modes = n;
        c2.modes_ptr = (uintptr_t) d.modes;
        xioctl(d.fd, QD_GETCONNECTOR, &c2, "GETCONNECTOR");
        d.count_modes = c2.count_modes < n ? c2.count_modes : n;
    }
    if (c.encoder_id) {
        struct qd_mode_get_encoder e = {0};
        e.encoder_id = c.encoder_id;
        if (ioctl(d.fd, QD_GETENCODER, &e) == 0 && e.crtc_id) {
            d.crtc = e.crtc_id;
        }
    }
    free(conns);
    free(crtcs);
    return d;
}

/* A dumb 32 bpp buffer filled with one 0xAARRGGBB value; returns its handle, maps it to *px. */
static uint32_t dumb_buffer(int fd, uint32_t w, uint32_t h, uint32_t argb, uint32_t *pitch) {
    struct qd_mode_create_dumb cd = {0};
    cd.width = w;
    cd.height = h;
    cd.bpp = 32;
    xioctl(fd, QD_CREATE_DUMB, &cd, "CREATE_DUMB");
    struct qd_mode_map_dumb md = {0};
    md.handle = cd.handle;
    xioctl(fd, QD_MAP_DUMB, &md, "MAP_DUMB");
    uint8_t *p = mmap(NULL, cd.size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, (off_t) md.offset);
    if (p == MAP_FAILED) {
        die("mmap dumb buffer");
    }
    for (uint32_t y = 0; y < h; y++) {
        uint32_t *row = (uint32_t *) (p + (size_t) y * cd.pitch);
        for (uint32_t x = 0; x < w; x++) {
            row[x] = argb;
        }
    }
    munmap(p, cd.size);
    *pitch = cd.pitch;
    return cd.handle;
}

static volatile sig_atomic_t stop;

static void on_signal(int sig) {
    (void) sig;
    stop = 1;
}

/* Says the change is made, then keeps the device (and with it the change) until a signal. */
static int hold(int fd) {
    struct sigaction sa = {0};
    sa.sa_handler = on_signal;
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    printf("ready\n");
    fflush(stdout);
    while (!stop) {
        pause();
    }
    close(fd);
    return 0;
}

static struct qd_modeinfo mode_for(struct display *d, uint32_t w, uint32_t h) {
    for (uint32_t i = 0; i < d->count_modes; i++) {
        if (d->modes[i].hdisplay == w && d->modes[i].vdisplay == h) {
            return d->modes[i];
        }
    }
    /* not offered by the connector: simple timings at 60 Hz (virtual hardware ignores them) */
    struct qd_modeinfo m = {0};
    m.hdisplay = w;
    m.hsync_start = w + 48;
    m.hsync_end = w + 80;
    m.htotal = w + 160;
    m.vdisplay = h;
    m.vsync_start = h + 3;
    m.vsync_end = h + 9;
    m.vtotal = h + 30;
    m.vrefresh = 60;
    m.clock = (uint32_t) ((uint64_t) m.htotal * m.vtotal * 60 / 1000);
    snprintf(m.name, sizeof m.name, "%ux%u", w, h);
    return m;
}

static int cmd_modes(void) {
    struct display d = open_display();
    for (uint32_t i = 0; i < d.count_modes; i++) {
        printf("%ux%u\n", d.modes[i].hdisplay, d.modes[i].vdisplay);
    }
    return 0;
}

static int cmd_mode(uint32_t w, uint32_t h, uint32_t rgb) {
    struct display d = open_display();
    uint32_t pitch;
    uint32_t handle = dumb_buffer(d.fd, w, h, 0xff000000u | rgb, &pitch);
    struct qd_mode_fb_cmd fb = {0};
    fb.width = w;
    fb.height = h;
    fb.pitch = pitch;
    fb.bpp = 32;
    fb.depth = 24;
    fb.handle = handle;
    xioctl(d.fd, QD_ADDFB, &fb, "ADDFB");
    struct qd_mode_crtc c = {0};
    c.crtc_id = d.crtc;
    c.fb_id = fb.fb_id;
    c.set_connectors_ptr = (uintptr_t) &d.connector;
    c.count_connectors = 1;
    c.mode_valid = 1;
    c.mode = mode_for(&d, w, h);
    xioctl(d.fd, QD_SETCRTC, &c, "SETCRTC");
    /* some drivers (virtio-gpu) copy a dumb buffer to the host only on damage */
    struct qd_mode_fb_dirty_cmd dirty = {0};
    dirty.fb_id = fb.fb_id;
    ioctl(d.fd, QD_DIRTYFB, &dirty);
    return hold(d.fd);
}

static int cmd_cursor(uint32_t w, uint32_t h, int hx, int hy, uint32_t argb, int x, int y) {
    struct display d = open_display();
    uint32_t pitch;
    uint32_t handle = dumb_buffer(d.fd, w, h, argb, &pitch);
    struct qd_mode_cursor2 c = {0};
    c.flags = QD_CURSOR_BO;
    c.crtc_id = d.crtc;
    c.width = w;
    c.height = h;
    c.handle = handle;
    c.hot_x = hx;
    c.hot_y = hy;
    xioctl(d.fd, QD_CURSOR2, &c, "CURSOR2 (define)");
    struct qd_mode_cursor2 m = {0};
    m.flags = QD_CURSOR_MOVE;
    m.crtc_id = d.crtc;
    m.x = x;
    m.y = y;
    xioctl(d.fd, QD_CURSOR2, &m, "CURSOR2 (move)");
    return hold(d.fd);
}

static int cmd_off(void) {
    struct display d = open_display();
    struct qd_mode_crtc c = {0};
    c.crtc_id = d.crtc;
    xioctl(d.fd, QD_SETCRTC, &c, "SETCRTC (off)");
    return hold(d.fd);
}

static int cmd_events(const char *dev) {
    int fd = open(dev, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        die(dev);
    }
    setvbuf(stdout, NULL, _IOLBF, 0);
    struct input_event ev;
    while (1) {
        ssize_t n = read(fd, &ev, sizeof ev);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n != (ssize_t) sizeof ev) {
            die("read event");
        }
        printf("%u %u %d\n", ev.type, ev.code, ev.value);
    }
    return 0;
}

static unsigned long num(const char *s, int base) {
    char *end;
    errno = 0;
    unsigned long v = strtoul(s, &end, base);
    if (errno || *s == 0 || *end != 0) {
        fprintf(stderr, "qd-tool: not a number: %s\n", s);
        exit(2);
    }
    return v;
}

int main(int argc, char **argv) {
    const char *c = argc > 1 ? argv[1] : "";
    if (!strcmp(c, "modes") && argc == 2) {
        return cmd_modes();
    }
    if (!strcmp(c, "mode") && argc == 5) {
        return cmd_mode(num(argv[2], 10), num(argv[3], 10), num(argv[4], 16));
    }
    if (!strcmp(c, "cursor") && argc == 9) {
        return cmd_cursor(num(argv[2], 10), num(argv[3], 10), num(argv[4], 10), num(argv[5], 10),
                num(argv[6], 16), num(argv[7], 10), num(argv[8], 10));
    }
    if (!strcmp(c, "off") && argc == 2) {
        return cmd_off();
    }
    if (!strcmp(c, "events") && argc == 3) {
        return cmd_events(argv[2]);
    }
    fprintf(stderr, "usage: qd-tool modes | mode W H RRGGBB | cursor W H HX HY AARRGGBB X Y | off"
            " | events /dev/input/eventN\n");
    return 2;
}
CSRC
gcc -static -Os -s -Wall -o root/bin/qd-tool qd-tool.c \
  || { log "gcc -static failed (is libc6-dev installed?)"; exit 1; }
log "qd-tool: $(stat -c %s root/bin/qd-tool) bytes"

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
