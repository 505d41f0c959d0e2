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
if ! command -v hey >/dev/null; then
  echo "hey is not installed: apt-get install -y hey" >&2
  exit 1
fi

work=$(mktemp -d)
trap 'kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; rm -rf "$work"' EXIT
go build -o "$work/commonground" .
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' 2>/dev/null || echo 18181)
addr="127.0.0.1:$port"
COMMONGROUND_BOOTSTRAP_ADMIN_EMAIL=bench@example.org \
COMMONGROUND_BOOTSTRAP_ADMIN_PASSWORD='a benchmark passphrase 42' \
  "$work/commonground" --addr "$addr" --data-dir "$work/data" --log-level error --max-in-flight 4096 &
pid=$!
for _ in $(seq 1 200); do
  curl -fsS "http://$addr/readyz" >/dev/null 2>&1 && break
  sleep 0.05
done

login_start=$(date +%s%N)
token=$(curl -fsS -H 'Content-Type: application/json' \
  -d '{"email":"bench@example.org","password":"a benchmark passphrase 42"}' \
  "http://$addr/api/v1/auth/login" | sed -E 's/.*"access_token":"([^"]+)".*/\1/')
login_ms=$(( ($(date +%s%N) - login_start) / 1000000 ))

report() {
  local name=$1; shift
  local out
  out=$(hey -z "$DURATION" -c "$CONNS" "$@")
  local rps p50 p99 codes
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  p50=$(awk '/ 50%+ in/ {print $3*1000}' <<<"$out")
  p99=$(awk '/ 99%+ in/ {print $3*1000}' <<<"$out")
  codes=$(awk '/Status code distribution/ {f=1; next} f && /\[/ {printf "%s%s", sep, $1$2; sep=" "} f && !/\[/ && NF==0 {f=0}' <<<"$out")
  printf '%-28s %10s req/s   p50 %6s ms   p99 %6s ms   %s\n' "$name" "$rps" "$p50" "$p99" "$codes"
}

echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo); $CONNS connections, $DURATION per route"
echo "login (one request, argon2id): ${login_ms} ms"
report "GET /healthz" "http://$addr/healthz"
report "GET /readyz" "http://$addr/readyz"
report "GET /api/v1/me (bearer)" -H "Authorization: Bearer $token" "http://$addr/api/v1/me"
