#!/usr/bin/env bash
# Installs everything the SDK's tests and demo need on Debian 12 (bookworm).
# Idempotent; run as root (or prefix with sudo). QEMU 10 comes from bookworm-backports
# because Debian 12's own QEMU 7.2 has no Listener.Unix.Map.
set -euo pipefail
if [ "$(id -u)" != 0 ]; then
  echo "install-deps.sh: run as root (sudo $0)" >&2; exit 1
fi
export DEBIAN_FRONTEND=noninteractive
if ! grep -rqs 'bookworm-backports' /etc/apt/sources.list /etc/apt/sources.list.d/; then
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
  dbus-daemon dbus dbus-bin openjdk-17-jdk-headless openjdk-17-jre maven busybox-static cpio xz-utils kmod \
  iproute2 chromium chromium-driver libglib2.0-dev gcc pkg-config xvfb janus \
  libpulse0 libudev1 libx11-6 libxfixes3 libxrandr2 libxcomposite1 libdbus-1-3 >/dev/null
# janus: the SFU tests start their own (loopback only, config of their own); the package's
# service would listen on every interface with the demo configuration
systemctl disable --now janus >/dev/null 2>&1 || true
apt-get install -y -qq -t bookworm-backports --no-install-recommends \
  qemu-system-x86 qemu-system-gui qemu-system-modules-opengl >/dev/null
qemu-system-x86_64 --version | head -1
# the desktop test guest (scripts/build-desktop-guest.sh): Debian packages unpacked by mmdebstrap, an ext4 image by mke2fs
apt-get install -y -qq --no-install-recommends mmdebstrap e2fsprogs >/dev/null
bash "$(dirname "$0")/install-qemu72.sh" >/dev/null   # Debian 12's own QEMU 7.2 beside it, in /opt/qemu-7.2
