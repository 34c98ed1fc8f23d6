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
# Resolve every dependency and plugin while the network is reachable.
# (-Dtest=none... makes surefire fetch its JUnit provider without running anything.)
mvn -B -q install -Dtest=none-at-all -Dsurefire.failIfNoSpecifiedTests=false
NS=${QDBUS_NETNS:-qdbus-test}
if [ "$(id -u)" = 0 ] && command -v ip >/dev/null; then
  ip netns add "$NS" 2>/dev/null || true
  ip netns exec "$NS" ip link set lo up
  exec ip netns exec "$NS" mvn -B -o verify -Dqemu.tests=true -Dwebrtc.netns=true "$@"
fi
echo "run-tests.sh: no network namespace (needs root); browser tests are skipped" >&2
exec mvn -B -o verify -Dqemu.tests=true "$@"
