#!/usr/bin/env bash
# The same viewport and nearest queries on the same generated parcels,
# answered by the in-memory geo index and by PostGIS with GiST indexes.
# Starts a throwaway PostgreSQL 15 (as the postgres user, a temporary data
# directory, a loopback port and socket), loads the data, runs the
# queries inside the server (no client round trips counted, as none are
# counted for the index), prints both and the ratio, and stops it.
#
#   bench/postgis.sh                 # 200,000 parcels, 1,000 queries each
#   PARCELS=50000 QUERIES=500 bench/postgis.sh
set -euo pipefail
cd "$(dirname "$0")/.."
PARCELS=${PARCELS:-200000}
QUERIES=${QUERIES:-1000}
PG=/usr/lib/postgresql/15/bin
if [ ! -x "$PG/initdb" ] || [ ! -f /usr/share/postgresql/15/extension/postgis.control ]; then
  echo "installing PostgreSQL 15 with PostGIS 3" >&2
  apt-get install -y postgresql-15-postgis-3 >/dev/null
fi
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
work=$(mktemp -d)
chmod 755 "$work"
[ "$(id -u)" = 0 ] && chown postgres "$work"
started=
trap '[ -n "$started" ] && as_pg "$PG/pg_ctl" -D "$work/pg" -m fast stop >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' 2>/dev/null || echo 15433)
as_pg "$PG/initdb" -D "$work/pg" -U postgres --auth=trust >/dev/null
as_pg "$PG/pg_ctl" -D "$work/pg" -l "$work/pg.log" -w \
  -o "-c listen_addresses=127.0.0.1 -p $port -k $work -c shared_buffers=256MB -c fsync=off -c jit=off" start >/dev/null
started=1
go build -o "$work/geobench" ./bench/geobench
echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg); $("$PG/postgres" --version), PostGIS $(sed -nE "s/default_version = '(.*)'/\1/p" /usr/share/postgresql/15/extension/postgis.control)"
"$work/geobench" postgis -psql "psql -h 127.0.0.1 -p $port -U postgres -d postgres" -parcels "$PARCELS" -queries "$QUERIES"
