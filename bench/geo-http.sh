#!/usr/bin/env bash
# Map viewport requests over HTTP: seeds 200,000 parcels and 50 hazard
# zones into a fresh data directory, starts the server on loopback, and
# loads GET /api/v1/parcels?bbox=... (a viewport of about 300 parcels, as
# a steward sees them) with hey: 32 connections for a bounded time. Goal:
# at least 3,000 requests/s with p99 at most 50 ms.
#
#   bench/geo-http.sh                  # 10 s
#   DURATION=30s PARCELS=200000 bench/geo-http.sh
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${DURATION:-10s}
CONNS=${CONNS:-32}
PARCELS=${PARCELS:-200000}
if ! command -v hey >/dev/null; then
  echo "hey is not installed: apt-get install -y hey" >&2
  exit 1
fi
work=$(mktemp -d)
pid=
trap '[ -n "$pid" ] && { kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; }; rm -rf "$work"' EXIT
go build -o "$work/commonground" .
go build -o "$work/geobench" ./bench/geobench
"$work/geobench" seed -data-dir "$work/data" -parcels "$PARCELS"
bbox=$("$work/geobench" viewport -parcels "$PARCELS" -want 300)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' 2>/dev/null || echo 18182)
addr="127.0.0.1:$port"
COMMONGROUND_BOOTSTRAP_ADMIN_EMAIL=bench@example.org \
COMMONGROUND_BOOTSTRAP_ADMIN_PASSWORD='a benchmark passphrase 42' \
  "$work/commonground" --addr "$addr" --data-dir "$work/data" --log-level error --max-in-flight 4096 &
pid=$!
for _ in $(seq 1 1200); do
  curl -fsS "http://$addr/readyz" >/dev/null 2>&1 && break
  sleep 0.1
done
token=$(curl -fsS -H 'Content-Type: application/json' \
  -d '{"email":"bench@example.org","password":"a benchmark passphrase 42"}' \
  "http://$addr/api/v1/auth/login" | sed -E 's/.*"access_token":"([^"]+)".*/\1/')
url="http://$addr/api/v1/parcels?bbox=$bbox&limit=1000"
body=$(curl -fsS -H "Authorization: Bearer $token" "$url")
features=$(grep -o '"type":"Feature"' <<<"$body" | wc -l)
echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg); $CONNS connections, $DURATION"
echo "viewport bbox=$bbox: $features parcels, $(( ${#body} / 1024 )) KiB per response"
# Twice: as a client that takes gzip (a browser), and as one that does not,
# which shows the cost of compressing ~180 KiB per answer apart from the rest.
run() {
  local name=$1; shift
  local out rps p50 p99 codes
  out=$(hey "$@" -z "$DURATION" -c "$CONNS" -H "Authorization: Bearer $token" "$url")
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  p50=$(awk '/ 50%+ in/ {print $3*1000}' <<<"$out")
  p99=$(awk '/ 99%+ in/ {print $3*1000}' <<<"$out")
  codes=$(awk '/Status code distribution/ {f=1; next} f && /\[/ {printf "%s%s", sep, $1$2; sep=" "} f && !/\[/ && NF==0 {f=0}' <<<"$out")
  printf '%-44s %10s req/s   p50 %6s ms   p99 %6s ms   %s\n' "$name" "$rps" "$p50" "$p99" "$codes"
}
run "GET /api/v1/parcels?bbox (~300), gzip"
run "GET /api/v1/parcels?bbox (~300), identity" -disable-compression
