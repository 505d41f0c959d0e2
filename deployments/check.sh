#!/usr/bin/env bash
# Static checks of the deployment files that need no cluster or engine.
set -euo pipefail
cd "$(dirname "$0")"
if command -v systemd-analyze >/dev/null; then
  # verify wants the binary to exist; point it at a stand-in.
  tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
  sed "s#/usr/local/bin/commonground#/bin/true#" systemd/commonground.service > "$tmp/commonground.service"
  systemd-analyze verify "$tmp/commonground.service"
  echo "systemd unit: ok"
fi
