#!/bin/sh
# Pledge load against a fresh embedded-store server on 127.0.0.1:
#   1. 64 clients for 20 s; the ledger verifies and the pledged total grows
#      by exactly the sum of acknowledged pledges;
#   2. the same with every request sent twice under one Idempotency-Key;
#   3. kill -9 of the server 10 s into the load, restart: every pledge that
#      got a 2xx is in the ledger, and the ledger verifies.
# Usage: bench/pledges.sh   (CLIENTS=64 DURATION=20s PORT=8089 to change)
set -eu
cd "$(dirname "$0")/.."
CLIENTS=${CLIENTS:-64}
DURATION=${DURATION:-20s}
PORT=${PORT:-8089}
URL=http://127.0.0.1:$PORT
OUT=bench/out
mkdir -p "$OUT"
go build -o "$OUT/commonground" .
go build -o "$OUT/pledgeload" ./bench/pledgeload
PID=

start() { # data dir
	"$OUT/commonground" --addr "127.0.0.1:$PORT" --data-dir "$1" --demo=true --log-level warn >>"$OUT/server.log" 2>&1 &
	PID=$!
	for _ in $(seq 100); do
		curl -fsS "$URL/readyz" >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	echo "the server did not start; see $OUT/server.log" >&2
	exit 1
}
stop() { kill -TERM "$PID" 2>/dev/null; wait "$PID" 2>/dev/null || true; PID=; }
cleanup() { [ -n "$PID" ] && kill -KILL "$PID" 2>/dev/null; true; }
trap cleanup EXIT INT TERM

verify() { # data dir
	"$OUT/commonground" ledger verify --data-dir "$1" | tail -2
}

run() { # name, extra pledgeload flags
	name=$1; shift
	data=$(mktemp -d "${TMPDIR:-/tmp}/commonground-bench-XXXXXX")
	echo "== $name"
	start "$data"
	"$OUT/pledgeload" -url "$URL" -clients "$CLIENTS" -duration "$DURATION" "$@"
	stop
	verify "$data"
	rm -rf "$data"
}

run "$CLIENTS clients, $DURATION"
run "$CLIENTS clients, $DURATION, every request twice" -twice

echo "== $CLIENTS clients, kill -9 after 10 s, restart"
data=$(mktemp -d "${TMPDIR:-/tmp}/commonground-bench-XXXXXX")
start "$data"
"$OUT/pledgeload" -url "$URL" -clients "$CLIENTS" -duration "$DURATION" -no-total -acked "$OUT/acked.jsonl" &
LOAD=$!
sleep 10
kill -KILL "$PID"; wait "$PID" 2>/dev/null || true; PID=
wait "$LOAD" || true
start "$data"
"$OUT/pledgeload" -url "$URL" -check "$OUT/acked.jsonl"
stop
verify "$data"
rm -rf "$data"
