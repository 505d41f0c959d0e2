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
. bench/lib.sh
go build -o "$work/geobench" ./bench/geobench
"$work/geobench" seed -data-dir "$work/data" -parcels "$PARCELS"
bbox=$("$work/geobench" viewport -parcels "$PARCELS" -want 300)
start_server
login
url="http://$addr/api/v1/parcels?bbox=$bbox&limit=1000"
body=$(curl -fsS -H "Authorization: Bearer $token" "$url")
features=$(grep -o '"type":"Feature"' <<<"$body" | wc -l)
echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg); $CONNS connections, $DURATION"
echo "viewport bbox=$bbox: $features parcels, $(( ${#body} / 1024 )) KiB per response"
# Twice: as a client that takes gzip (a browser), and as one that does not,
# which shows the cost of compressing ~180 KiB per answer apart from the rest.
report "GET /api/v1/parcels?bbox (~300), gzip" -H "Authorization: Bearer $token" "$url"
report "GET /api/v1/parcels?bbox (~300), identity" -disable-compression -H "Authorization: Bearer $token" "$url"
