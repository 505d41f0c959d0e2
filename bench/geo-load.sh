#!/usr/bin/env bash
# Start-up with 200,000 parcels: stores the generated parcels and 50 hazard
# zones in a fresh embedded store, then opens the service over it as a
# restart does (load every parcel into the index, screen them) and prints
# the median wall and CPU time. Goal: at most 15 s.
#
#   bench/geo-load.sh              # 200,000 parcels, 3 start-ups
#   PARCELS=50000 RUNS=5 bench/geo-load.sh
set -euo pipefail
cd "$(dirname "$0")/.."
PARCELS=${PARCELS:-200000}
RUNS=${RUNS:-3}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
go build -o "$work/geobench" ./bench/geobench
echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
"$work/geobench" seed -data-dir "$work/data" -parcels "$PARCELS"
"$work/geobench" start -data-dir "$work/data" -runs "$RUNS"
