#!/usr/bin/env bash
# The whole test suite, as CI runs it: installs what the tests need (as root), builds with
# network access, then runs every test offline inside a network namespace that has only
# loopback, so WebRTC and everything else can only ever talk to 127.0.0.1.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "$(id -u)" = 0 ]; then
  bash scripts/install-deps.sh
else
  echo "run-tests.sh: not root; assuming the packages of scripts/install-deps.sh are installed" >&2
fi
# Everything that needs the network happens here, before the namespace:
# Maven dependencies and plugins (-Dtest=none... makes surefire fetch its JUnit provider
# without running anything), and the tiny test guest (built from Debian packages).
mvn -B -q install -Dtest=none-at-all -Dsurefire.failIfNoSpecifiedTests=false
export QEMUDBUS_GUEST_DIR=${QEMUDBUS_GUEST_DIR:-$HOME/.cache/qemu-dbus-display/guest-$(sha256sum scripts/build-guest.sh | cut -c1-16)}
bash scripts/build-guest.sh "$QEMUDBUS_GUEST_DIR" >/dev/null
# The desktop guest (mmdebstrap + mke2fs, needs root; cached by the script's hash): DesktopGuestTest's VM.
export QEMUDBUS_DESKTOP_DIR=${QEMUDBUS_DESKTOP_DIR:-$HOME/.cache/qemu-dbus-display/desktop-$(sha256sum scripts/build-desktop-guest.sh | cut -c1-16)}
if [ "$(id -u)" = 0 ]; then
  desktop_t0=$(date +%s)
  bash scripts/build-desktop-guest.sh "$QEMUDBUS_DESKTOP_DIR" >/dev/null
  echo "run-tests.sh: desktop guest ready in $(( $(date +%s) - desktop_t0 )) s ($QEMUDBUS_DESKTOP_DIR)" >&2
fi

# libvirt's daemons for the libvirt tests (issue 17), started here, outside the namespace: the
# tests reach them (and the domains' buses) through unix socket paths, which the namespace shares.
if [ "$(id -u)" = 0 ] && command -v libvirtd >/dev/null; then
  pgrep -x virtlogd >/dev/null || virtlogd -d
  pgrep -x libvirtd >/dev/null || libvirtd -d
  for _ in $(seq 50); do virsh -q -c qemu:///system version >/dev/null 2>&1 && break; sleep 0.2; done
fi

NS=${QDBUS_NETNS:-qdbus-test}
# Debian 13 has no janus package: install-deps.sh unpacks bookworm's into a tree of its own
if [ ! -x /usr/bin/janus ] && [ -x /opt/janus-bookworm/janus ]; then
  set -- -Djanus.binary=/opt/janus-bookworm/janus -Djanus.libdir=/opt/janus-bookworm/usr/lib/x86_64-linux-gnu/janus "$@"
fi
run=(mvn -B -o verify -Dqemu.tests=true "$@")
xvfb_pid=""
if [ "$(id -u)" = 0 ] && command -v ip >/dev/null; then
  ip netns add "$NS" 2>/dev/null || true
  ip netns exec "$NS" ip link set lo up
  run=(ip netns exec "$NS" mvn -B -o verify -Dqemu.tests=true -Dwebrtc.netns=true "$@")
  # An X server for the Swing viewer's smoke test (skipped when there is none).
  if command -v Xvfb >/dev/null && [ -z "${DISPLAY:-}" ]; then
    ip netns exec "$NS" Xvfb :97 -screen 0 1280x1024x24 -nolisten tcp >/dev/null 2>&1 &
    xvfb_pid=$!
    export DISPLAY=:97
  fi
else
  echo "run-tests.sh: no network namespace (needs root); browser tests are skipped" >&2
fi
set +e
"${run[@]}"
rc=$?
[ -n "$xvfb_pid" ] && kill "$xvfb_pid" 2>/dev/null
exit $rc
