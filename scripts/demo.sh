#!/usr/bin/env bash
# Quick start: installs what is needed (as root), builds, and serves a demo VM's screen to
# your browser over WebRTC. Pass bridge options through, e.g. --listen 127.0.0.1:9000.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "$(id -u)" = 0 ]; then
  bash scripts/install-deps.sh
elif ! command -v qemu-system-x86_64 >/dev/null || ! command -v mvn >/dev/null; then
  echo "demo.sh: run as root once (sudo $0) so it can install QEMU 10, dbus-daemon, Maven and Java" >&2
  exit 1
fi
if [ ! -f examples/target/qemu-dbus-display-examples.jar ] || [ -n "$(find . -path ./examples/target -prune -o -newer examples/target/qemu-dbus-display-examples.jar -name '*.java' -print -quit)" ]; then
  mvn -B -q -DskipTests -Dmaven.javadoc.skip=true install
fi
exec java -jar examples/target/qemu-dbus-display-examples.jar bridge "$@"
