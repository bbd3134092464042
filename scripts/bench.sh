#!/usr/bin/env bash
# scripts/bench.sh -- `make bench`: throughput, CPU cost and latency over
# loopback UDP encapsulation (RFC 6951), csctp beside usrsctp and pion/sctp.
#
# Runs, for messages of 64 B, 1200 B, 8 KiB and 64 KiB, one association,
# one stream, ordered, NODELAY, 4 MiB buffers, PMTU 1452 for every stack:
#   - csctp C client -> C server (csctp/examples/perf.c, -json), with UDP
#     segmentation offload (CSCTP_UDP_GSO=1: UDP_SEGMENT sends, which are
#     opt-in, and UDP_GRO) and without (CSCTP_UDP_GSO=0 for both processes)
#   - csctp Go client -> Go server (cmd/sctpperf, -json), with the same
#     offload as the C column (CSCTP_UDP_GSO=1 for both processes)
#   - usrsctp -> usrsctp: interop/usrsctp's peer (Debian's libusrsctp,
#     NODELAY, -buf 4 MiB: its fastest setup; not Debian's tsctp, which is
#     much slower and would flatter us), bulk `send` -> `discard-hash`, with
#     -nohash so that neither side spends time generating or hashing data
#   - pion/sctp -> pion/sctp: interop/pion's peer, the same scenario
# and for each the CPU seconds both processes used per GB moved (the
# client's from wait4 via scripts/cpurun.c, the server's from
# /proc/PID/stat across the run); then a 64 B ping-pong (RTT p50/p99) for C
# (offload on and off) and Go, and a raw UDP ping-pong (scripts/udp_pingpong.c)
# as the floor, taking turns in BENCH_PP_ROUNDS rounds (medians reported). Prints ONE markdown table, also written to docs/bench.md
# with the date, the machine, its load and the command. Exits non-zero if
# any run fails (the table then shows FAIL and $BUILD/bench/logs/ says why).
#
# Settings (environment):
#   BUILD=build               build directory (as the Makefile)
#   BENCH_DURATION=5          seconds per throughput run
#   BENCH_PP_DURATION=3       seconds per ping-pong run
#   BENCH_PP_ROUNDS=3         ping-pong rounds (every variant once per round)
#   BENCH_TP_ROUNDS=3         throughput rounds of csctp C and Go (the same)
#   BENCH_SIZES="64 1200 8192 65536"   ("" = no throughput runs: ping-pong only)
#   BENCH_BUFFER=4194304      send and receive buffer for every tool
#   BENCH_PMTU=1452           path MTU given to usrsctp and pion (csctp's default)
#   BENCH_PEERS="usrsctp pion" peers to run ("" = csctp only)
#   BENCH_GO=1                0 = skip the Go binding column
#   BENCH_DOC=docs/bench.md   where to save the table ("" = do not save)
set -uo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.." || exit 1
ROOT=$PWD

BUILD=${BUILD:-build}
DURATION=${BENCH_DURATION:-5}
PP_DURATION=${BENCH_PP_DURATION:-3}
PP_ROUNDS=${BENCH_PP_ROUNDS:-3}
TP_ROUNDS=${BENCH_TP_ROUNDS:-3}
SIZES=${BENCH_SIZES-"64 1200 8192 65536"}
BUF=${BENCH_BUFFER:-4194304}
DOC=${BENCH_DOC-docs/bench.md}
PMTU=${BENCH_PMTU:-1452}
PEERS=${BENCH_PEERS-"usrsctp pion"}
RUN_GO=${BENCH_GO:-1}
CC=${CC:-cc}
GO=${GO:-go}
PP_SIZE=64

BENCH_DIR=$BUILD/bench
LOGS=$BENCH_DIR/logs
START_TIME=$(date -u '+%Y-%m-%d %H:%M UTC')
START_LOAD=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo '?')
T0=$SECONDS

log() { printf 'bench: %s\n' "$*" >&2; }
die() {
	log "$*"
	exit 1
}

# ------------------------------------------------------------------ build

mkdir -p "$BENCH_DIR" "$BUILD/examples" || die "cannot create $BENCH_DIR"
rm -rf "$LOGS" && mkdir -p "$LOGS" || die "cannot create $LOGS"

log "building (library, Go sctpperf, C perf, udp_pingpong)"
make --no-print-directory -s BUILD="$BUILD" lib >"$LOGS/build.log" 2>&1 ||
	{ cat "$LOGS/build.log" >&2; die "make lib failed"; }
$GO build -o "$BUILD/sctpperf" ./cmd/sctpperf >>"$LOGS/build.log" 2>&1 ||
	{ cat "$LOGS/build.log" >&2; die "go build ./cmd/sctpperf failed"; }
$CC -O2 -Icsctp csctp/examples/perf.c "$BUILD/libcsctp.a" -lm \
	-o "$BUILD/examples/perf" >>"$LOGS/build.log" 2>&1 ||
	{ cat "$LOGS/build.log" >&2; die "building csctp/examples/perf.c failed"; }
$CC -O2 -o "$BENCH_DIR/udp_pingpong" scripts/udp_pingpong.c >>"$LOGS/build.log" 2>&1 ||
	{ cat "$LOGS/build.log" >&2; die "building scripts/udp_pingpong.c failed"; }

$CC -O2 -o "$BENCH_DIR/cpurun" scripts/cpurun.c >>"$LOGS/build.log" 2>&1 ||
	{ cat "$LOGS/build.log" >&2; die "building scripts/cpurun.c failed"; }

GO_PERF=$ROOT/$BUILD/sctpperf
C_PERF=$ROOT/$BUILD/examples/perf
UDP_PP=$ROOT/$BENCH_DIR/udp_pingpong
CPURUN=$ROOT/$BENCH_DIR/cpurun
USRSCTP_PEER=$ROOT/$BENCH_DIR/usrsctp-peer
PION_PEER=$ROOT/$BENCH_DIR/pion-peer

# The peers of the interop suite (interop/usrsctp, interop/pion).
for p in $PEERS; do
	case $p in
	usrsctp)
		if [[ -e /usr/include/usrsctp.h ]]; then
			make -s -C interop/usrsctp OUT="$ROOT/$BENCH_DIR" >>"$LOGS/build.log" 2>&1 ||
				{ cat "$LOGS/build.log" >&2; die "building interop/usrsctp failed"; }
		else
			log "usrsctp column skipped: no libusrsctp-dev (make deps)"
			PEERS=${PEERS//usrsctp/}
		fi
		;;
	pion)
		(cd interop/pion && $GO build -o "$PION_PEER" .) >>"$LOGS/build.log" 2>&1 ||
			{ cat "$LOGS/build.log" >&2; die "building interop/pion failed"; }
		;;
	*) die "unknown peer $p in BENCH_PEERS" ;;
	esac
done

# ---------------------------------------------------------- server handling

SERVER_PIDS=()
FAILED=()

cleanup() {
	local p
	for p in "${SERVER_PIDS[@]}"; do
		kill "$p" 2>/dev/null
	done
	for p in "${SERVER_PIDS[@]}"; do
		wait "$p" 2>/dev/null
	done
}
trap cleanup EXIT
trap 'log "interrupted"; exit 130' INT TERM

# A random port below Linux's ephemeral range (32768-60999), so that it
# cannot collide with the clients' own ephemeral UDP ports.
rand_port() { echo $((12000 + RANDOM % 20000)); }

udp_port_in_use() { ss -Hln -u "sport = :$1" 2>/dev/null | grep -q .; }

# udp_bound_by PORT PID: PID has a UDP socket bound to PORT.
# (or by a child of PID: servers started through cpurun).
udp_bound_by() {
	local pids
	pids=$2$(pgrep -P "$2" 2>/dev/null | sed 's/^/|/' | tr -d '\n')
	ss -Hlnp -u "sport = :$1" 2>/dev/null | grep -qE "pid=($pids),"
}

# udp_drops PORT: datagrams the kernel dropped on the sockets bound to PORT
# (receive buffer full), from ss's skmem "d" counter.
udp_drops() {
	ss -Hlnm -u "sport = :$1" 2>/dev/null | grep -o ',d[0-9]*)' | tr -dc '0-9\n' |
		awk '{n += $1} END {print n + 0}'
}

# start_server NAME READY_REGEX ARGV... -- starts ARGV in the background with
# @U@ replaced by a free random UDP port and @P@ by a random SCTP port; the
# server is ready when its log matches READY_REGEX (or, if READY_REGEX is
# empty, when it has bound the UDP port). Retries with other ports when the
# server exits (bind failure) or does not become ready. Sets SRV_PID,
# SRV_UDP, SRV_SCTP, SRV_LOG.
start_server() {
	local name=$1 ready=$2 try i pid u p a
	shift 2
	SRV_LOG=$LOGS/server-$name.log
	for try in 1 2 3 4 5 6; do
		u=$(rand_port)
		p=$(rand_port)
		udp_port_in_use "$u" && continue
		local argv=()
		for a in "$@"; do
			a=${a//@U@/$u}
			argv+=("${a//@P@/$p}")
		done
		echo "# ${argv[*]}" >"$SRV_LOG"
		"${argv[@]}" >>"$SRV_LOG" 2>&1 &
		pid=$!
		for ((i = 0; i < 100; i++)); do
			kill -0 "$pid" 2>/dev/null || break
			if { [[ -n $ready ]] && grep -qE "$ready" "$SRV_LOG"; } ||
				{ [[ -z $ready ]] && udp_bound_by "$u" "$pid"; }; then
				SERVER_PIDS+=("$pid")
				SRV_PID=$pid SRV_UDP=$u SRV_SCTP=$p
				return 0
			fi
			sleep 0.05
		done
		kill "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
		log "$name server not ready on UDP port $u (attempt $try): $(tail -n1 "$SRV_LOG")"
	done
	return 1
}

stop_server() {
	kill "$1" 2>/dev/null
	wait "$1" 2>/dev/null
	local p keep=()
	for p in "${SERVER_PIDS[@]}"; do
		[[ $p == "$1" ]] || keep+=("$p")
	done
	SERVER_PIDS=("${keep[@]}")
}

# proc_cpu PID: user + system CPU seconds of a live process (all threads).
proc_cpu() {
	awk -v hz="$(getconf CLK_TCK)" '{ sub(/^.*\) /, ""); print ($12 + $13) / hz }' \
		"/proc/$1/stat" 2>/dev/null || echo 0
}

# run_client NAME SECONDS ARGV...: runs a client with a time limit; stdout
# (the summary) to $LOGS/NAME.json, stderr (progress) to NAME.err, the
# datagrams the server's UDP socket dropped meanwhile to NAME.drops, the
# client's CPU seconds to NAME.cpu and the server's ($SRV_PID) during the
# run to NAME.srvcpu.
run_client() {
	local name=$1 limit=$2 rc d0 s0
	shift 2
	echo "# $*" >"$LOGS/$name.err"
	d0=$(udp_drops "$SRV_UDP")
	s0=$(proc_cpu "$SRV_PID")
	"$CPURUN" "$LOGS/$name.cpu" timeout -k 5 "$limit" "$@" >"$LOGS/$name.json" 2>>"$LOGS/$name.err"
	rc=$?
	echo $(($(udp_drops "$SRV_UDP") - d0)) >"$LOGS/$name.drops"
	awk -v a="$s0" -v b="$(proc_cpu "$SRV_PID")" 'BEGIN { print b - a }' >"$LOGS/$name.srvcpu"
	if ((rc != 0)); then
		((rc == 124)) && log "$name: timed out after ${limit}s (a stall?)" ||
			log "$name: failed (exit $rc)"
		tail -n5 "$LOGS/$name.err" | sed 's/^/    /' >&2
		FAILED+=("$name")
		return 1
	fi
	return 0
}

LIMIT=$((DURATION + 60))

# ------------------------------------------------------------- throughput

log "throughput: ${DURATION}s per run, sizes: $SIZES"

# csctp C, with segmentation offload (c-*) and without (cnogso-*), and Go
# (go-*), in TP_ROUNDS rounds: each round runs every variant and size once,
# so that C and Go meet the same load; the table gives each variant's
# median round and the median of each round's Go / C (NAME-SIZE-rR.json).
tp_variant() { # VARIANT ROUND
	local v=$1 r=$2 s envv=(env CSCTP_UDP_GSO=1)
	[[ $v == cnogso ]] && envv=(env CSCTP_UDP_GSO=0)
	case $v in
	c | cnogso)
		start_server "$v" "^perf server:" "${envv[@]}" \
			"$C_PERF" -server -port @P@ -udp-port @U@ -nodelay -sndbuf "$BUF" -rcvbuf "$BUF" ||
			return 1
		for s in $SIZES; do
			log "  csctp C ($v) ${s} B, round $r"
			run_client "$v-$s-r$r" "$LIMIT" "${envv[@]}" "$C_PERF" -client "127.0.0.1:$SRV_SCTP" \
				-remote-udp-port "$SRV_UDP" -size "$s" -duration "$DURATION" -nodelay \
				-sndbuf "$BUF" -rcvbuf "$BUF" -json
		done
		;;
	go)
		# The same offload as the C column it is compared with (csctp C,
		# GSO/GRO): the Go binding runs the same C stack, which reads
		# CSCTP_UDP_GSO from the environment.
		start_server go "^listening on" "${envv[@]}" \
			"$GO_PERF" -server -port @P@ -udp-port @U@ -buffer "$BUF" || return 1
		for s in $SIZES; do
			log "  csctp Go -> Go ${s} B, round $r"
			run_client "go-$s-r$r" "$LIMIT" "${envv[@]}" "$GO_PERF" -client 127.0.0.1 -port "$SRV_SCTP" \
				-remote-udp-port "$SRV_UDP" -size "$s" -duration "${DURATION}s" \
				-buffer "$BUF" -json
		done
		;;
	esac
	stop_server "$SRV_PID"
}

TP_VARIANTS="c cnogso"
[[ $RUN_GO == 1 ]] && TP_VARIANTS+=" go"
for ((round = 1; round <= TP_ROUNDS; round++)); do
	[[ -n $SIZES ]] || break
	log "throughput round $round of $TP_ROUNDS: $TP_VARIANTS"
	for v in $TP_VARIANTS; do
		tp_variant "$v" "$round" || { log "$v server did not start"; FAILED+=("$v-server-r$round"); }
	done
done

# ---------------------------------------------------------------- ping-pong

# The RTT runs, C with offload and without, Go and raw UDP (the floor), in
# PP_ROUNDS rounds: each round runs every variant once, back to back, each
# with a server of its own, so that all of them meet the same load; the
# table gives each variant's median over the rounds. (One run per variant,
# minutes apart, is at the mercy of the load: a 64-byte ping-pong on this
# 2-CPU machine is 12 or 55 us depending on whether the scheduler puts both
# ends on one CPU or wakes the other one.)
pingpong_run() { # VARIANT ROUND
	local v=$1 name=$1-pingpong-r$2 envv=(env CSCTP_UDP_GSO=1)
	case $v in
	c | cnogso)
		[[ $v == cnogso ]] && envv=(env CSCTP_UDP_GSO=0)
		start_server "$v-pp" "^perf server:" "${envv[@]}" "$C_PERF" -server -port @P@ \
			-udp-port @U@ -nodelay -sndbuf "$BUF" -rcvbuf "$BUF" || return 1
		run_client "$name" "$((PP_DURATION + 60))" "${envv[@]}" "$C_PERF" \
			-client "127.0.0.1:$SRV_SCTP" -remote-udp-port "$SRV_UDP" -size "$PP_SIZE" \
			-duration "$PP_DURATION" -nodelay -pingpong -json
		;;
	go)
		start_server go-pp "^listening on" "${envv[@]}" "$GO_PERF" -server -port @P@ \
			-udp-port @U@ -buffer "$BUF" || return 1
		run_client "$name" "$((PP_DURATION + 60))" "${envv[@]}" "$GO_PERF" -client 127.0.0.1 \
			-port "$SRV_SCTP" -remote-udp-port "$SRV_UDP" -size "$PP_SIZE" \
			-duration "${PP_DURATION}s" -pingpong -json
		;;
	udp)
		start_server udp-pp "^udp_pingpong server" "$UDP_PP" -server @U@ || return 1
		run_client "$name" "$((PP_DURATION + 30))" "$UDP_PP" -client 127.0.0.1 \
			"$SRV_UDP" -size "$PP_SIZE" -duration "$PP_DURATION" -json
		;;
	esac
	stop_server "$SRV_PID"
}

PP_VARIANTS="c cnogso"
[[ $RUN_GO == 1 ]] && PP_VARIANTS+=" go"
PP_VARIANTS+=" udp"
for ((round = 1; round <= PP_ROUNDS; round++)); do
	log "ping-pong ${PP_SIZE} B, round $round of $PP_ROUNDS: $PP_VARIANTS"
	for v in $PP_VARIANTS; do
		pingpong_run "$v" "$round" || { log "$v ping-pong server did not start"; FAILED+=("$v-pingpong-r$round"); }
	done
done

# usrsctp and pion/sctp: a server per run (each serves one association);
# the client's RESULT line (rate until all is acknowledged) is the figure.
# pion only speaks from and to SCTP port 5000 (interop/README.md).
for p in $PEERS; do
	for s in $SIZES; do
		log "  $p -> $p ${s} B"
		case $p in
		usrsctp)
			start_server "$p-$s" "" "$CPURUN" "$LOGS/$p-$s.srvcpufile" "$USRSCTP_PEER" -server -sctp-port @P@ -udp-port @U@ \
				-scenario discard-hash -nohash -mtu "$PMTU" -buf "$BUF" -timeout "$LIMIT" ||
				{ FAILED+=("$p-$s"); continue; }
			run_client "$p-$s" "$LIMIT" "$USRSCTP_PEER" -client "127.0.0.1:$SRV_SCTP" \
				-remote-udp-port "$SRV_UDP" -scenario send -bytes 1000g -msg-size "$s" \
				-duration "$DURATION" -nohash -mtu "$PMTU" -buf "$BUF" -timeout "$LIMIT"
			;;
		pion)
			start_server "$p-$s" "" "$CPURUN" "$LOGS/$p-$s.srvcpufile" "$PION_PEER" -server -udp-port @U@ \
				-scenario discard-hash -nohash -mtu "$PMTU" -buf "$BUF" -timeout "$LIMIT" ||
				{ FAILED+=("$p-$s"); continue; }
			run_client "$p-$s" "$LIMIT" "$PION_PEER" -client "127.0.0.1:5000" \
				-remote-udp-port "$SRV_UDP" -scenario send -bytes 1000g -msg-size "$s" \
				-duration "${DURATION}s" -nohash -mtu "$PMTU" -buf "$BUF" -timeout "$LIMIT"
			;;
		esac
		stop_server "$SRV_PID"
		# The server's whole CPU time (cpurun wrote it when it ended).
		[[ -s $LOGS/$p-$s.srvcpufile ]] && cp "$LOGS/$p-$s.srvcpufile" "$LOGS/$p-$s.srvcpu"
	done
done

# ------------------------------------------------------------------ table

CPU=$(grep -m1 '^model name' /proc/cpuinfo 2>/dev/null | sed 's/^[^:]*: *//')
END_LOAD=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo '?')
MACHINE="$(nproc) CPUs, ${CPU:-unknown CPU}, $(uname -sr); load average $START_LOAD at start, $END_LOAD at end"
PEER_DESC=
for p in $PEERS; do
	case $p in
	usrsctp) PEER_DESC+="usrsctp $(dpkg-query -W -f='${Version}' libusrsctp-dev 2>/dev/null || echo '?') (interop/usrsctp); " ;;
	pion) PEER_DESC+="pion/sctp $(sed -n 's/.*github.com\/pion\/sctp \(v[^ ]*\).*/\1/p' interop/pion/go.mod | head -n1) (interop/pion); " ;;
	esac
done

TABLE=$(LOGS=$LOGS SIZES=$SIZES PP_SIZE=$PP_SIZE PP_ROUNDS=$PP_ROUNDS TP_ROUNDS=$TP_ROUNDS PEERS="$PEERS" RUN_GO=$RUN_GO \
	python3 scripts/bench_table.py) || { TABLE="(table generation failed)"; FAILED+=(table); }

ELAPSED=$((SECONDS - T0))
echo
echo "$TABLE"
echo
echo "$(date -u '+%Y-%m-%d'), $MACHINE; ${ELAPSED}s in all; logs in $LOGS/"

if [[ -n $DOC ]]; then
	mkdir -p "$(dirname "$DOC")"
	# The sections after "How to read it" are written by hand (other
	# benchmarks, A/B runs): kept as they are.
	KEPT=
	[[ -f $DOC ]] && KEPT=$(awk 'f == 2 { print; next }
		/^## How to read it/ { f = 1; next }
		f == 1 && /^## / { f = 2; print }' "$DOC")
	cat >"$DOC" <<EOF
# Benchmarks

Generated by \`make bench\` (\`bash scripts/bench.sh\`); rerun it to refresh this page.

- Date: $START_TIME
- Machine: $MACHINE
- Command: \`BENCH_WAN=0 make bench\` (or \`bash scripts/bench.sh\`; BENCH_DURATION=$DURATION BENCH_PP_DURATION=$PP_DURATION BENCH_TP_ROUNDS=$TP_ROUNDS BENCH_BUFFER=$BUF BENCH_PMTU=$PMTU BENCH_SIZES="$SIZES")
- Toolchain: $($GO version 2>/dev/null | sed 's/^go version //'), $($CC --version 2>/dev/null | head -n1), C at -O2
- Peers: ${PEER_DESC:-none}
- Wall time: ${ELAPSED}s$( ((${#FAILED[@]})) && echo "; FAILED runs: ${FAILED[*]}")

$TABLE

## How to read it

- Every run is one association over loopback with UDP encapsulation (RFC 6951),
  client and server as two processes on the same machine (they share its
  $(nproc) CPUs), one stream, ordered, NODELAY, send and receive buffers of
  $BUF bytes, a PMTU of $PMTU bytes. Throughput runs last ${DURATION}s.
- MB/s is 10^6 bytes of user data per second; msg/s is user messages per
  second; s/GB is the CPU time (user + system) of both processes together
  per 10^9 bytes of user data moved, and µs/msg the same per message (lower
  is better).
- csctp C: \`csctp/examples/perf.c\` client → C server, with Linux UDP
  segmentation offload (\`CSCTP_UDP_GSO=1\`: UDP_SEGMENT on send, opt-in
  because Linux 6.1's own SCTP over UDP panics on a segmented datagram from
  the same host, and UDP_GRO on receive) and without (\`CSCTP_UDP_GSO=0\` for both
  processes: one datagram per sendmmsg / recvmmsg entry). Its rate counts
  until its SHUTDOWN completes, i.e. until the peer acknowledged everything.
  csctp Go: \`cmd/sctpperf\` client → Go server, with the same offload
  (\`CSCTP_UDP_GSO=1\` for both processes); the Go receiver's rate.
- usrsctp and pion/sctp: the interop suite's peers (\`interop/usrsctp\`,
  \`interop/pion\`) on both ends, bulk \`send\` → \`discard-hash\` with
  \`-nohash\` (no data generation or hashing on either side), NODELAY, the
  same buffers and PMTU: usrsctp at its fastest setup, not Debian's
  \`tsctp\`. The rate is the sender's, counted until the peer acknowledged
  everything. The peers have no ping-pong RTT mode here.
- csctp C and Go take turns in ${TP_ROUNDS} rounds (every variant and size once
  a round); each cell is the variant's median round (rate, messages and CPU
  from that run), and "Go ÷ C" is the median of each round's Go rate ÷ that
  round's C (with offload) rate (on the ping-pong row: Go's median p50 ÷
  C's). The peers run once.
- C ÷ best peer: csctp C (with offload) messages per second ÷ the faster
  peer's.
- Ping-pong: one ${PP_SIZE}-byte message at a time, echoed, ${PP_DURATION}s per run;
  the runs of all variants and of raw UDP (\`scripts/udp_pingpong.c\`,
  blocking sockets) take turns in ${PP_ROUNDS} rounds; p50 and p99 are the
  medians over the rounds, and "× UDP" is the median of each round's p50 ÷
  that round's raw UDP p50.
- Both ends and everything else running on the machine share its $(nproc)
  CPUs: other work moves these numbers a lot (see the load average above).
  Compare runs made at the same time, or rerun on a quiet machine.
EOF
	[[ -z $KEPT ]] || printf '\n%s\n' "$KEPT" >>"$DOC"
	log "saved to $DOC"
fi

if ((${#FAILED[@]})); then
	log "FAILED: ${FAILED[*]} (logs in $LOGS/)"
	exit 1
fi
exit 0
