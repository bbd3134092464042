#!/usr/bin/env bash
# make demo: an sctpecho server and client talking SCTP over UDP
# encapsulation (RFC 6951) on loopback. Builds sctpecho, starts the server,
# runs the client (which sends messages on rotating streams and prints the
# echoes), then stops the server.
set -euo pipefail
cd "$(dirname "$0")/.."

BUILD=${BUILD:-build}
mkdir -p "$BUILD"
echo "demo: building sctpecho"
go build -o "$BUILD/sctpecho" ./cmd/sctpecho

log=$(mktemp)
server_pid=
cleanup() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; fi
  wait 2>/dev/null || true
  rm -f "$log"
}
trap cleanup EXIT

# A free UDP port for the server's encapsulation socket: try a few.
for try in 1 2 3 4 5; do
  udp_port=$((20000 + RANDOM % 20000))
  : >"$log"
  "$BUILD/sctpecho" -server -addr 127.0.0.1 -port 5000 -udp-port "$udp_port" \
    >"$log" 2>&1 &
  server_pid=$!
  sleep 0.3
  if kill -0 "$server_pid" 2>/dev/null; then break; fi
  server_pid=
done
if [ -z "$server_pid" ]; then
  echo "demo: the server did not start:" >&2
  cat "$log" >&2
  exit 1
fi
echo "demo: server listening on 127.0.0.1 SCTP port 5000, UDP port $udp_port"
echo "demo: client:"
"$BUILD/sctpecho" -addr 127.0.0.1 -port 5000 -remote-udp-port "$udp_port" \
  -count 5 -streams 5 -message "hello from csctp"
status=$?
sleep 0.2
echo "demo: server said:"
sed 's/^/  /' "$log"
exit $status
