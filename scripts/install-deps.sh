#!/usr/bin/env bash
# Installs everything the SDK's tests and demo need on Debian 12 (bookworm) or Debian 13
# (trixie). Idempotent; run as root (or prefix with sudo). On Debian 12, QEMU 10 comes from
# bookworm-backports because Debian 12's own QEMU 7.2 has no Listener.Unix.Map; Debian 13's
# own QEMU is 10.0. Beside it: QEMU 7.2 in /opt/qemu-7.2 and QEMU 11.1 in /opt/qemu-11.1.
set -euo pipefail
if [ "$(id -u)" != 0 ]; then
  echo "install-deps.sh: run as root (sudo $0)" >&2; exit 1
fi
export DEBIAN_FRONTEND=noninteractive
# --- which Debian: VERSION_CODENAME of /etc/os-release, else /etc/debian_version ---
DEBIAN_CODENAME=$( (. /etc/os-release 2>/dev/null && echo "${VERSION_CODENAME:-}") || true)
if [ -z "$DEBIAN_CODENAME" ] && [ -r /etc/debian_version ]; then
  case $(cat /etc/debian_version) in
    12*|bookworm*) DEBIAN_CODENAME=bookworm ;;
    13*|trixie*) DEBIAN_CODENAME=trixie ;;
  esac
fi
case $DEBIAN_CODENAME in
  bookworm) RELEASE_PKGS="openjdk-17-jdk-headless openjdk-17-jre"; QEMU_SUITE=(-t bookworm-backports); JANUS_PKG=janus ;;
  # trixie has no openjdk-17 (the build targets release 17 with its JDK 21) and no janus
  # (unpacked from bookworm below); its own QEMU is 10.0; zstd: build-guest.sh unpacks its zstd kernel
  trixie) RELEASE_PKGS="openjdk-21-jdk-headless openjdk-21-jre zstd"; QEMU_SUITE=(); JANUS_PKG= ;;
  *) echo "install-deps.sh: Debian 12 or 13 expected, this is '${DEBIAN_CODENAME:-unknown}'" \
       "(/etc/os-release); trying as Debian 12" >&2
     DEBIAN_CODENAME=bookworm; RELEASE_PKGS="openjdk-17-jdk-headless openjdk-17-jre"; QEMU_SUITE=(-t bookworm-backports)
     JANUS_PKG=janus ;;
esac
if [ "$DEBIAN_CODENAME" = bookworm ] && ! grep -rqs 'bookworm-backports' /etc/apt/sources.list /etc/apt/sources.list.d/; then
  cat > /etc/apt/sources.list.d/bookworm-backports.sources <<'SRC'
Types: deb
URIs: http://deb.debian.org/debian
Suites: bookworm-backports
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
fi
need_update=1
apt-get update -qq || true
apt-get install -y -qq --no-install-recommends \
  dbus-daemon dbus dbus-bin $RELEASE_PKGS maven busybox-static cpio xz-utils kmod \
  iproute2 chromium chromium-driver libglib2.0-dev gcc libc6-dev pkg-config xvfb $JANUS_PKG \
  libpulse0 libudev1 libx11-6 libxfixes3 libxrandr2 libxcomposite1 libdbus-1-3 >/dev/null
# certutil: the HTTPS browser test trusts its test CA through an NSS database (issue 21)
apt-get install -y -qq --no-install-recommends libnss3-tools >/dev/null
# janus: the SFU tests start their own (loopback only, config of their own); the package's
# service would listen on every interface with the demo configuration
systemctl disable --now janus >/dev/null 2>&1 || true
apt-get install -y -qq "${QEMU_SUITE[@]}" --no-install-recommends \
  qemu-system-x86 qemu-system-gui qemu-system-modules-opengl >/dev/null
qemu-system-x86_64 --version | head -1
# mmdebstrap: QEMU 11.1 (and on Debian 13, QEMU 7.2 and janus) come as small Debian trees of their own;
# the desktop test guest (scripts/build-desktop-guest.sh) too, as an ext4 image made by mke2fs
apt-get install -y -qq --no-install-recommends mmdebstrap e2fsprogs >/dev/null
bash "$(dirname "$0")/install-qemu72.sh" >/dev/null   # Debian 12's own QEMU 7.2 beside it, in /opt/qemu-7.2
# Debian's QEMU 11.1 (trixie-backports) beside it, in /opt/qemu-11.1: a trixie tree with its own C library
bash "$(dirname "$0")/install-qemu111.sh" >/dev/null
# Debian 13 has no janus package (the SFU tests need one): bookworm's, in a bookworm tree with its
# own C library, started through a wrapper; run-tests.sh points the tests at it
if [ "$DEBIAN_CODENAME" = trixie ] && [ ! -x /usr/bin/janus ] && [ ! -x /opt/janus-bookworm/janus ]; then
  M=$({ sed -n 's/^URIs: *//p' /etc/apt/sources.list.d/*.sources 2>/dev/null || true; } | awk '{print $1; exit}')
  [ -n "$M" ] || M=$(awk '$1 == "deb" {print $2; exit}' /etc/apt/sources.list 2>/dev/null || true)
  rm -rf /opt/janus-bookworm.new
  mmdebstrap --quiet --variant=apt --include=janus bookworm /opt/janus-bookworm.new \
    "deb ${M:-http://deb.debian.org/debian} bookworm main" >&2
  cat > /opt/janus-bookworm.new/janus <<'WRAP'
#!/bin/sh
# bookworm's janus from this tree, with the tree's own loader and libraries
R=$(dirname "$(readlink -f "$0")")
exec "$R/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2" --library-path "$R/lib/x86_64-linux-gnu:$R/usr/lib/x86_64-linux-gnu" \
  "$R/usr/bin/janus" "$@"
WRAP
  chmod 0755 /opt/janus-bookworm.new/janus
  rm -rf /opt/janus-bookworm && mv /opt/janus-bookworm.new /opt/janus-bookworm
fi
# libvirt (issue 17): the libvirt tests make transient domains and connect to them by name
# (run-tests.sh starts virtlogd and libvirtd). Debian 12: 11.x from bookworm-backports;
# Debian 13: trixie's own.
if [ "$DEBIAN_CODENAME" = trixie ]; then libvirt_suite=trixie; else libvirt_suite=bookworm-backports; fi
apt-get install -y -qq -t "$libvirt_suite" --no-install-recommends \
  libvirt-daemon-driver-qemu libvirt-daemon libvirt-clients >/dev/null
