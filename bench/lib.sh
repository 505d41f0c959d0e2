# Shared by the HTTP load scripts: start a server on loopback over a data
# directory, sign in its bootstrap steward, and report a hey run in one line.
# Source it after setting DURATION and CONNS; it sets $work, $addr, $token.

if ! command -v hey >/dev/null; then
  echo "hey is not installed: apt-get install -y hey" >&2
  exit 1
fi
work=$(mktemp -d)
pid=
trap '[ -n "$pid" ] && { kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; }; rm -rf "$work"' EXIT
go build -o "$work/commonground" .

# start_server starts the binary over $work/data and waits for /readyz.
start_server() {
  local port
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' 2>/dev/null || echo 18181)
  addr="127.0.0.1:$port"
  COMMONGROUND_BOOTSTRAP_ADMIN_EMAIL=bench@example.org \
  COMMONGROUND_BOOTSTRAP_ADMIN_PASSWORD='a benchmark passphrase 42' \
    "$work/commonground" --addr "$addr" --data-dir "$work/data" --log-level error --max-in-flight 4096 &
  pid=$!
  for _ in $(seq 1 1200); do
    curl -fsS "http://$addr/readyz" >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  echo "the server did not become ready" >&2
  exit 1
}

# login signs in the bootstrap steward and sets $token and $login_ms.
login() {
  local start
  start=$(date +%s%N)
  token=$(curl -fsS -H 'Content-Type: application/json' \
    -d '{"email":"bench@example.org","password":"a benchmark passphrase 42"}' \
    "http://$addr/api/v1/auth/login" | sed -E 's/.*"access_token":"([^"]+)".*/\1/')
  login_ms=$(( ($(date +%s%N) - start) / 1000000 ))
}

# report NAME HEY-ARGS... runs hey for $DURATION with $CONNS connections and
# prints requests/s, p50, p99 and the status codes.
report() {
  local name=$1; shift
  local out rps p50 p99 codes
  out=$(hey -z "$DURATION" -c "$CONNS" "$@")
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  p50=$(awk '/ 50%+ in/ {print $3*1000}' <<<"$out")
  p99=$(awk '/ 99%+ in/ {print $3*1000}' <<<"$out")
  codes=$(awk '/Status code distribution/ {f=1; next} f && /\[/ {printf "%s%s", sep, $1$2; sep=" "} f && !/\[/ && NF==0 {f=0}' <<<"$out")
  printf '%-44s %10s req/s   p50 %6s ms   p99 %6s ms   %s\n' "$name" "$rps" "$p50" "$p99" "$codes"
}
