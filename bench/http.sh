#!/usr/bin/env bash
# HTTP load figures for the operations and identity routes: starts a fresh
# server on loopback, loads it with hey (32 connections, bounded time), stops
# it, and prints requests/s with p50 and p99 latency for each route.
#
#   bench/http.sh            # 10 s per route
#   DURATION=30s bench/http.sh
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION=${DURATION:-10s}
CONNS=${CONNS:-32}
. bench/lib.sh
start_server
login

echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo); $CONNS connections, $DURATION per route"
echo "login (one request, argon2id): ${login_ms} ms"
report "GET /healthz" "http://$addr/healthz"
report "GET /readyz" "http://$addr/readyz"
report "GET /api/v1/me (bearer)" -H "Authorization: Bearer $token" "http://$addr/api/v1/me"
