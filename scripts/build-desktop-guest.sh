#!/usr/bin/env bash
# Builds the desktop test guest used by qemu-dbus-display-testkit's DesktopGuest.
#
#   build-desktop-guest.sh OUTDIR
#
# Produces in OUTDIR:
#   vmlinux        Debian's kernel as a plain ELF (boots directly via PVH: fast under TCG)
#   initramfs.cpio busybox + the modules to reach the root disk (virtio-pci, virtio-blk, ext4)
#   rootfs.img     ext4 image (raw) of a Debian system made with mmdebstrap; use it read-only
#                  or with snapshot=on (QEMU keeps the writes in a temporary overlay)
#   cmdline        the recommended kernel command line
#   STAMP          what this was built from; a rerun with the same script is a no-op
#
# Needs root (mmdebstrap, file ownership in the image), mmdebstrap, mke2fs (e2fsprogs) and
# network access to the Debian mirror of /etc/apt. The image is made without mounting
# (mke2fs -d), so it also works in containers.
#
# The guest (no systemd; /sbin/desktop-init is PID 1):
#   * systemd-udevd loads the drivers (virtio-gpu, virtio-input, virtio-console, snd-hda-intel);
#   * qemu-guest-agent on the virtio-serial port org.qemu.guest_agent.0 (guest-exec etc.);
#   * Xorg (modesetting on virtio-gpu, no GL, hardware cursor) on :0, no window manager, an
#     xterm at the top left; spice-vdagentd + spice-vdagent on com.redhat.spice.0 (clipboard);
#   * a watcher that runs `xrandr --output <connected> --auto` on every DRM hotplug uevent, so
#     the session switches to the mode QEMU's SetUIInfo makes virtio-gpu prefer;
#   * ALSA with the mixer unmuted at 100 % (aplay, arecord, speaker-test, amixer);
#   * xclip, xdotool, xrandr, xdpyinfo for the tests;
#   * writes "@@DESKTOP-READY <uptime>" to ttyS0 and /run/desktop-ready once X, the agents and the
#     watcher run.
set -euo pipefail

SCRIPT_VERSION=1
SUITE=${DESKTOP_GUEST_SUITE:-bookworm}

if [ $# -ne 1 ]; then
  echo "usage: $0 OUTDIR" >&2; exit 2
fi
OUT=$1
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)

SELF_HASH=$(sha256sum "$0" | cut -c1-16)
STAMP="build-desktop-guest v$SCRIPT_VERSION $SELF_HASH $SUITE"
if [ -f "$OUT/STAMP" ] && [ "$(head -1 "$OUT/STAMP")" = "$STAMP" ] \
   && [ -s "$OUT/vmlinux" ] && [ -s "$OUT/initramfs.cpio" ] && [ -s "$OUT/rootfs.img" ]; then
  echo "build-desktop-guest: $OUT is up to date ($STAMP)"
  exit 0
fi
log() { echo "build-desktop-guest: $*" >&2; }
[ "$(id -u)" = 0 ] || { log "run as root (mmdebstrap and the image's file ownership need it)"; exit 1; }
command -v mmdebstrap >/dev/null || { log "mmdebstrap is missing (apt-get install mmdebstrap)"; exit 1; }
command -v mke2fs >/dev/null || { log "mke2fs is missing (apt-get install e2fsprogs)"; exit 1; }

T0=$(date +%s)
WORK=$(mktemp -d "${TMPDIR:-/tmp}/build-desktop-guest.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
chmod 0755 "$WORK"
cd "$WORK"

MIRROR=$(sed -n 's/^URIs: *//p' /etc/apt/sources.list.d/*.sources 2>/dev/null | head -1)
[ -n "$MIRROR" ] || MIRROR=$(awk '$1=="deb"{print $2; exit}' /etc/apt/sources.list 2>/dev/null || true)
[ -n "$MIRROR" ] || MIRROR=http://deb.debian.org/debian
log "mirror $MIRROR, suite $SUITE"

PACKAGES=(
  linux-image-amd64 busybox-static udev kmod procps
  xserver-xorg-core xserver-xorg-input-libinput x11-xserver-utils x11-utils xterm xclip xdotool
  spice-vdagent qemu-guest-agent alsa-utils
)
R=$WORK/root
# update-initramfs is diverted to true: the guest boots with the small initramfs made below, and
# Debian's (made twice while installing) takes many minutes on a busy machine
MMDEBSTRAP_ARGS=(--variant=apt --mode=root
  --aptopt='APT::Install-Recommends "false"'
  --dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-exclude=/usr/share/man/*'
  --dpkgopt='path-exclude=/usr/share/info/*' --dpkgopt='path-exclude=/usr/share/locale/*'
  --dpkgopt='path-include=/usr/share/locale/locale.alias'
  --include="$(IFS=,; echo "${PACKAGES[*]}")"
  --essential-hook='chroot "$1" dpkg-divert --quiet --local --rename --add /usr/sbin/update-initramfs'
  --essential-hook='ln -sf /bin/true "$1/usr/sbin/update-initramfs"')
# The installed tree is cached beside OUT as a tar named by what makes it (suite, packages, options),
# so that a change to the session below rebuilds in a minute or two instead of re-installing.
TREE_KEY=$(printf '%s\n' "$SUITE" "${MMDEBSTRAP_ARGS[@]}" | sha256sum | cut -c1-16)
TREE_TAR=$(dirname "$OUT")/desktop-tree-$TREE_KEY.tar
if [ -s "$TREE_TAR" ]; then
  log "reusing the installed tree $TREE_TAR"
  mkdir "$R" && tar -C "$R" --numeric-owner -xpf "$TREE_TAR"
else
  mmdebstrap "${MMDEBSTRAP_ARGS[@]}" "$SUITE" "$R" "deb $MIRROR $SUITE main" > mmdebstrap.log 2>&1 \
    || { tail -40 mmdebstrap.log >&2; exit 1; }
  rm -f "$(dirname "$OUT")"/desktop-tree-*.tar   # older package sets
  tar -C "$R" --numeric-owner -cpf "$TREE_TAR.tmp" . && mv "$TREE_TAR.tmp" "$TREE_TAR"
fi
T1=$(date +%s)
log "installed tree (mmdebstrap or its cached tar): $((T1 - T0)) s, $(du -sh "$R" | cut -f1)"

# --- trim: apt lists and caches, modules no VM of ours needs --------------------------
rm -rf "$R"/var/lib/apt/lists/* "$R"/var/cache/apt/*.bin "$R"/var/cache/apt/archives/*.deb
KVER=$(ls "$R/lib/modules" | head -1)
M=$R/lib/modules/$KVER/kernel
rm -rf "$M"/net "$M"/drivers/net "$M"/drivers/media "$M"/drivers/infiniband "$M"/drivers/staging \
       "$M"/drivers/scsi "$M"/drivers/bluetooth "$M"/drivers/isdn "$M"/drivers/md "$M"/drivers/target \
       "$M"/drivers/nvme "$M"/drivers/iio "$M"/drivers/hwmon "$M"/drivers/mtd "$M"/drivers/ata \
       "$M"/drivers/gpu/drm/amd "$M"/drivers/gpu/drm/nouveau "$M"/drivers/gpu/drm/i915 \
       "$M"/drivers/gpu/drm/radeon "$M"/drivers/gpu/drm/vmwgfx "$M"/drivers/gpu/drm/gma500 \
       "$M"/sound/soc "$M"/sound/usb "$M"/sound/firewire "$M"/sound/isa "$M"/sound/pcmcia
find "$M"/fs -mindepth 1 -maxdepth 1 ! -name ext4 ! -name jbd2 ! -name 'mbcache*' ! -name fuse \
  -exec rm -rf {} +
depmod -b "$R" "$KVER"
# no GL under TCG (Xorg runs without glamor): Mesa's drivers and the LLVM they load are dead weight
rm -rf "$R"/usr/lib/x86_64-linux-gnu/dri "$R"/usr/lib/x86_64-linux-gnu/libLLVM-*.so* "$R"/usr/lib/x86_64-linux-gnu/libz3.so*

# --- kernel as ELF (PVH boot) ----------------------------------------------------------
found=
for pos in $(LC_ALL=C grep -obUaP '\xFD7zXZ\x00' "$R/boot/vmlinuz-$KVER" | cut -d: -f1); do
  tail -c +"$((pos + 1))" "$R/boot/vmlinuz-$KVER" | xz -dc --single-stream > vmlinux 2>/dev/null || true
  if [ "$(head -c 4 vmlinux | od -An -tx1 | tr -d ' \n')" = "7f454c46" ]; then found=1; break; fi
done
[ -n "$found" ] || { log "could not extract vmlinux from vmlinuz-$KVER"; exit 1; }
rm -f "$R"/boot/vmlinuz-* "$R"/boot/System.map-* "$R"/boot/config-* "$R"/boot/initrd.img-*   # the host boots them

# --- initramfs: reach /dev/vda, mount it, switch_root ----------------------------------
I=$WORK/initramfs
mkdir -p "$I"/bin "$I"/dev "$I"/proc "$I"/sys "$I"/newroot "$I"/lib/modules
cp "$R/bin/busybox" "$I/bin/busybox"
ln -s busybox "$I/bin/sh"
declare -A MODPATH SEEN
while IFS= read -r f; do
  n=${f##*/}; n=${n%%.ko*}; MODPATH[${n//-/_}]=$f
done < <(find "$M" -name '*.ko*')
ORDER=()
resolve() {   # depth-first: dependencies before the module
  local m=${1//-/_}
  [ -n "${SEEN[$m]:-}" ] && return 0
  SEEN[$m]=1
  local f=${MODPATH[$m]:-}
  [ -n "$f" ] || { log "module $m not found (builtin?)"; return 0; }
  local d
  for d in $(modinfo -F depends "$f" | tr ',' ' '); do resolve "$d"; done
  ORDER+=("$m")
}
for m in virtio_pci virtio_blk crc32c_generic crc32c_intel ext4; do resolve "$m"; done
: > "$I/lib/modules/list"
for m in "${ORDER[@]}"; do
  f=${MODPATH[$m]}
  case $f in
    *.ko.xz) xz -dc "$f" > "$I/lib/modules/$m.ko" ;;
    *.ko.zst) zstd -qdc "$f" > "$I/lib/modules/$m.ko" ;;
    *) cp "$f" "$I/lib/modules/$m.ko" ;;
  esac
  echo "$m" >> "$I/lib/modules/list"
done
log "initramfs modules: $(tr '\n' ' ' < "$I/lib/modules/list")"
cat > "$I/init" <<'EOF'
#!/bin/sh
/bin/busybox --install -s /bin
mount -t devtmpfs devtmpfs /dev
mount -t proc proc /proc
mount -t sysfs sysfs /sys
for m in $(cat /lib/modules/list); do insmod /lib/modules/$m.ko 2>/dev/null; done
i=0
while [ ! -b /dev/vda ] && [ $i -lt 400 ]; do usleep 25000; i=$((i+1)); done
mount -t ext4 -o rw,noatime /dev/vda /newroot || { echo "initramfs: cannot mount /dev/vda"; exec sh; }
mount --move /dev /newroot/dev
umount /proc /sys
exec switch_root /newroot /sbin/desktop-init
EOF
chmod 0755 "$I/init"
(cd "$I" && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 2>/dev/null) > initramfs.cpio

# --- the session ------------------------------------------------------------------------
echo desktop-guest > "$R/etc/hostname"
printf '127.0.0.1 localhost\n127.0.1.1 desktop-guest\n' > "$R/etc/hosts"
mkdir -p "$R/etc/X11/xorg.conf.d"
cat > "$R/etc/X11/xorg.conf.d/10-virtio-gpu.conf" <<'EOF'
# modesetting on virtio-gpu without GL (no GPU under TCG); the hardware cursor is virtio-gpu's
# cursor plane, which QEMU shows as CursorDefine/MouseSet
Section "Device"
    Identifier "virtio-gpu"
    Driver "modesetting"
    Option "AccelMethod" "none"
    Option "SWcursor" "false"
EndSection
Section "ServerFlags"
    Option "BlankTime" "0"
    Option "StandbyTime" "0"
    Option "SuspendTime" "0"
    Option "OffTime" "0"
EndSection
EOF
cat > "$R/usr/local/bin/follow-monitor" <<'EOF'
#!/bin/sh
# Switches every connected output to its preferred mode now and after each DRM hotplug uevent
# (QEMU's SetUIInfo makes virtio-gpu report a new preferred mode and send one).
export DISPLAY=:0
auto() {
  for o in $(xrandr | awk '$2 == "connected" {print $1}'); do xrandr --output "$o" --auto; done
}
auto
udevadm monitor --kernel --subsystem-match=drm | while read -r line; do
  case $line in *change*) auto ;; esac
done
EOF
cat > "$R/sbin/desktop-init" <<'EOF'
#!/bin/bash
# PID 1 of the desktop test guest (see scripts/build-desktop-guest.sh in qemu-dbus-display).
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t tmpfs -o mode=0755 tmpfs /run
mount -t tmpfs tmpfs /tmp
mkdir -p /dev/pts /dev/shm
mount -t devpts -o gid=5,mode=620 devpts /dev/pts
mount -t tmpfs tmpfs /dev/shm
hostname desktop-guest
say() { echo "desktop-init: $* at $(cut -d' ' -f1 /proc/uptime)s" > /dev/ttyS0; }
say "start"

/lib/systemd/systemd-udevd --daemon
# coldplug the PCI and virtio buses only (the initramfs made the virtio devices before udevd ran);
# their drivers' devices (DRM, sound, input, ports) then come as new events. Triggering everything
# (cpu, acpi, platform...) loads dozens of modules nobody needs and took 80 s under a loaded TCG.
udevadm trigger --type=devices --action=add --subsystem-match=pci --subsystem-match=virtio
udevadm settle --timeout=60
say "udev settled"

wait_for() { # PATH TENTHS
  local i=0
  while [ ! -e "$1" ] && [ $i -lt "$2" ]; do sleep 0.1; i=$((i+1)); done
  [ -e "$1" ]
}
wait_for /dev/virtio-ports/org.qemu.guest_agent.0 50 \
  && qemu-ga -m virtio-serial -p /dev/virtio-ports/org.qemu.guest_agent.0 -l /run/qemu-ga.log -d
say "qemu-ga started"

wait_for /dev/dri/card0 100
Xorg :0 vt1 -nolisten tcp -noreset -s 0 -dpms -logfile /run/Xorg.0.log > /run/xorg.out 2>&1 &
wait_for /tmp/.X11-unix/X0 600
export DISPLAY=:0
i=0
while ! xdpyinfo >/dev/null 2>&1 && [ $i -lt 600 ]; do sleep 0.1; i=$((i+1)); done
say "X is up"
xsetroot -solid '#204060' -cursor_name left_ptr
xterm -geometry 80x24+0+0 -bg black -fg white > /run/xterm.out 2>&1 &
follow-monitor > /run/follow-monitor.out 2>&1 &

# the sound card's mixer: everything at 100 %, unmuted (the HDA codec probes asynchronously)
wait_for /dev/snd/controlC0 100
for c in Master PCM Speaker Headphone Front; do amixer -q -c 0 sset "$c" 100% unmute 2>/dev/null; done
for c in Capture 'Input Source' Mic; do amixer -q -c 0 sset "$c" 100% cap 2>/dev/null; done
amixer -c 0 scontents > /run/amixer.out 2>&1

if [ -e /dev/virtio-ports/com.redhat.spice.0 ]; then
  modprobe uinput 2>/dev/null   # spice-vdagentd's absolute mouse (QEMU's qemu-vdagent mouse=on)
  mkdir -p /run/spice-vdagentd
  spice-vdagentd -X -x -d > /run/spice-vdagentd.out 2>&1 &   # -d: the protocol's messages in the log
  wait_for /run/spice-vdagentd/spice-vdagent-sock 100
  spice-vdagent -x -d > /run/spice-vdagent.out 2>&1 &
fi
echo "$(cut -d' ' -f1 /proc/uptime)" > /run/desktop-ready
say "@@DESKTOP-READY $(cat /run/desktop-ready)"

# the testkit's control loop on the second serial port, as in the tiny guest: "@@READY" once,
# then "ID<TAB>COMMAND" lines run with sh, answered with the output and "@@DONE ID EXITCODE"
(
  stty -F /dev/ttyS1 raw -echo 115200 2>/dev/null
  exec </dev/ttyS1 >/dev/ttyS1 2>&1
  printf '\n@@READY\n'
  while IFS= read -r line; do
    line=${line%$'\r'}
    case $line in
      *$'\t'*) id=${line%%$'\t'*}; cmd=${line#*$'\t'} ;;
      *) id=-; cmd=$line ;;
    esac
    [ -z "$cmd" ] && [ "$id" = - ] && continue
    case $cmd in "@b64 "*) cmd=$(printf '%s' "${cmd#@b64 }" | base64 -d) ;; esac
    DISPLAY=:0 sh -c "$cmd" </dev/null
    printf '\n@@DONE %s %d\n' "$id" "$?"
  done
) &

trap '' TERM
while :; do wait; sleep 3600; done
EOF
chmod 0755 "$R/sbin/desktop-init" "$R/usr/local/bin/follow-monitor"

# --- ext4 image without mounting ----------------------------------------------------------
USED_MB=$(du -sm "$R" | cut -f1)
SIZE_MB=$((USED_MB + USED_MB / 4 + 64))
rm -f rootfs.img
mke2fs -q -t ext4 -O ^metadata_csum,^has_journal -L desktop -m 0 -d "$R" rootfs.img "${SIZE_MB}M" \
  || { log "mke2fs failed"; exit 1; }
echo "console=ttyS0 panic=-1 consoleblank=0 quiet loglevel=4" > cmdline
T2=$(date +%s)

# --- publish ------------------------------------------------------------------------------
for f in vmlinux initramfs.cpio rootfs.img cmdline; do
  cp --sparse=always "$f" "$OUT/$f.tmp" && mv "$OUT/$f.tmp" "$OUT/$f"
done
{
  echo "$STAMP"
  echo "kernel $KVER"
  echo "packages: ${PACKAGES[*]}"
  echo "rootfs ${USED_MB} MB used, image ${SIZE_MB} MB"
  echo "built in $((T2 - T0)) s (installed tree $((T1 - T0)) s)"
} > "$OUT/STAMP"
log "done in $((T2 - T0)) s: rootfs ${USED_MB} MB, $(du -sh --apparent-size "$OUT" | cut -f1) apparent, $(du -sh "$OUT" | cut -f1) on disk, in $OUT"
