#!/usr/bin/env bash
# scripts/bench_wan.sh -- `make bench-wan` (also run by `make bench`): goodput
# and loss recovery of csctp (C and Go), usrsctp, pion/sctp and TCP through
# identical impairments, side by side. Needs root (network namespaces, nft).
#
# Every run (one row of a table) gets a fresh network namespace with only
# its own loopback (MTU 1500, TSO/GSO/GRO off, so that a TCP segment and an
# SCTP packet are both one ~1.5 KB datagram on the wire), a server, and a
# client that sends messages of BENCH_WAN_SIZE bytes on one association for
# BENCH_WAN_DURATION seconds, then shuts down gracefully. Two kinds of
# impairment:
#   nft    a `numgen random mod 1000 < N drop` rule on lo's input hook: every
#          packet (data one way, SACKs/ACKs the other) is dropped with
#          probability N/1000. UDP for the SCTP stacks, TCP for iperf3.
#   relay  scripts/udp_relay.c between client and server (UDP only, so no
#          TCP row): one-way delay (RTT/2 each way), loss, a rate limit with a
#          drop-tail queue. Seeded: every row of a set gets the same seed.
# The sets (BENCH_WAN_SETS, names below):
#   loss0.5  nft 0.5 % loss      loss2  nft 2 % loss      loss5  nft 5 % loss
#   rtt20    relay: 20 ms RTT, 100 Mbit/s, drop-tail queue 250 KB (1 BDP)
#   rtt50l1  relay: 50 ms RTT, 1 % loss each way, 100 Mbit/s, queue 625 KB (1 BDP)
#   rtt20l1  relay: 20 ms RTT, 1 % loss each way, 100 Mbit/s, queue 250 KB (1 BDP)
#   rtt20q4  relay: 20 ms RTT, 100 Mbit/s, queue 62.5 KB (a quarter BDP), no
#            random loss: the slow-start overshoot (the relay's "first 2 s"
#            retransmission count)
#   rtt100g  relay: 100 ms RTT, BENCH_WAN_LFN_RATE Mbit/s (1000, issue 16's
#            1 Gbit/s), 0.01 % loss each way, queue one BDP; buffers
#            BENCH_WAN_LFN_BUFFER: a long fat network, where CUBIC (RFC 9438)
#            should beat RFC 9260's controller. At 0.01 % loss the
#            controllers, not the link, bound the goodput after the first
#            second. Before the runs, a relay check (scripts/udp_blast.c)
#            sends paced 1200-byte UDP datagrams through the relay with this
#            set's settings for 3 s in a namespace of its own and prints
#            "relay check: offered X, delivered Y Mbit/s" (also in the saved
#            page), so the table shows whether the relay could carry the rate.
#            The check passes if the blaster offered at least 90 % of the
#            rate and the relay delivered at least 95 % of that. If
#            BENCH_WAN_LFN_RATE is not set and the check fails at 1000 Mbit/s
#            (a machine short of CPU: the relay needs about 0.4 of a core per
#            direction at 1 Gbit/s, the blaster about as much), the set falls
#            back to 400 Mbit/s and says so.
#   rtt40jr  (not in the default list) relay: 40 ms RTT, jitter 0-5 ms each
#            way, 1 % reordered (+10 ms), 0.5 % loss, 50 Mbit/s, queue 250 KB
# The pairs (BENCH_WAN_PAIRS, sender-receiver):
#   c-c         csctp/examples/perf.c -> perf.c server
#   c-c-cubic   the same, the sender with -cc cubic (CUBIC + HyStart++ with
#               the ack-train exit)
#   c-c-cubic-rfc9406  the same, -cc cubic-rfc9406 (CSCTP_CC_CUBIC_RFC9406:
#               HyStart++ as RFC 9406 writes it, the delay increase alone);
#               not in the default list
#   c-c-paced, c-c-cubic-paced  c-c and c-c-cubic with -pacing on (per-path
#               DATA pacing, csctp/pacing.h); not in the default list
#   go-go       cmd/sctpperf -> sctpperf server
#   go-go-cubic the same, the sender with -cc cubic
#   c-usrsctp   perf.c -> interop/usrsctp peer (discard-hash)
#   usrsctp-c   usrsctp peer (send -duration) -> perf.c server (-discard)
#   usrsctp-usrsctp
#   pion-pion   interop/pion peer (send -duration) -> pion peer (discard-hash)
#   tcp         iperf3 -l SIZE (nft sets only)
#
# Prints one markdown table per set and appends them to BENCH_WAN_DOC with the
# date, machine and command. Exit 1 if a run failed (FAIL in the table; logs
# in $BUILD/bench/wan/logs/), 2 if a prerequisite is missing.
#
# Settings (environment):
#   BUILD=build
#   BENCH_WAN_DURATION=10     seconds of sending per run
#   BENCH_WAN_SIZE=1200       message (TCP: write) size
#   BENCH_WAN_BUFFER=1048576  send and receive buffer of every stack
#   BENCH_WAN_SETS="loss0.5 loss2 loss5 rtt20 rtt50l1 rtt20l1 rtt20q4 rtt100g"
#   BENCH_WAN_PAIRS="c-c c-c-cubic go-go go-go-cubic c-usrsctp usrsctp-c usrsctp-usrsctp pion-pion tcp"
#   BENCH_WAN_LFN_RATE=1000   Mbit/s of the rtt100g set (unset: 1000 if the
#                             relay check passes at 1000, else 400; see rtt100g)
#   BENCH_WAN_LFN_BUFFER=33554432  buffers in the rtt100g set (> 1 BDP)
#   BENCH_WAN_SEED=1          the relay's RNG seed
#   BENCH_WAN_DOC=docs/bench.md   appended to ("" = do not save)
#   BENCH_WAN_INSTALL=1       as root, apt-get install what is missing
#   CSCTP_PERF_TRACE_MS=N     perf.c clients trace cwnd / ssthresh / rtx every
#                             N ms of their first 2 s into the client's log
#                             ($LOGS/SET.PAIR.client.err, wiped by the next
#                             run); scripts/slowstart_trace.py reads it: the
#                             retransmissions of the slow-start loss burst
set -uo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.." || exit 1
ROOT=$PWD

BUILD=${BUILD:-build}
DURATION=${BENCH_WAN_DURATION:-10}
SIZE=${BENCH_WAN_SIZE:-1200}
BUF=${BENCH_WAN_BUFFER:-1048576}
SETS=${BENCH_WAN_SETS:-"loss0.5 loss2 loss5 rtt20 rtt50l1 rtt20l1 rtt20q4 rtt100g"}
PAIRS=${BENCH_WAN_PAIRS:-"c-c c-c-cubic go-go go-go-cubic c-usrsctp usrsctp-c usrsctp-usrsctp pion-pion tcp"}
LFN_RATE=${BENCH_WAN_LFN_RATE:-1000}
LFN_RATE_SET=${BENCH_WAN_LFN_RATE:+1}
RELAY_CHECK="" # the relay check's lines (rtt100g only)
LFN_BUF=${BENCH_WAN_LFN_BUFFER:-33554432}
SEED=${BENCH_WAN_SEED:-1}
DOC=${BENCH_WAN_DOC-docs/bench.md}
INSTALL=${BENCH_WAN_INSTALL:-1}
CC=${CC:-cc}
GO=${GO:-go}

WAN_DIR=$BUILD/bench/wan
LOGS=$WAN_DIR/logs
START_TIME=$(date -u '+%Y-%m-%d %H:%M UTC')
START_LOAD=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo '?')
T0=$SECONDS

# Fixed ports: every run has a namespace of its own.
SCTP_PORT=5000 # pion initiates from/to 5000 only (interop/README.md)
SRV_UDP=9899
RELAY_PORT=9900
TCP_PORT=5201

log() { printf 'bench-wan: %s\n' "$*" >&2; }
die() {
	log "$*"
	exit 1
}
missing() {
	log "$*"
	log "(make bench skips this part with BENCH_WAN=0)"
	exit 2
}

# ----------------------------------------------------------- prerequisites

[[ $(id -u) == 0 ]] ||
	missing "needs root: every run is in a network namespace of its own (ip netns) with nft rules"
command -v ip >/dev/null || missing "needs iproute2 (ip, ss, nstat): apt-get install iproute2"

need_pkgs=()
command -v nft >/dev/null || need_pkgs+=(nftables)
command -v ethtool >/dev/null || need_pkgs+=(ethtool)
[[ -e /usr/include/usrsctp.h ]] || need_pkgs+=(libusrsctp-dev)
[[ " $PAIRS " == *" tcp "* ]] && ! command -v iperf3 >/dev/null && need_pkgs+=(iperf3)
if ((${#need_pkgs[@]})); then
	if [[ $INSTALL == 1 ]] && command -v apt-get >/dev/null; then
		log "installing: ${need_pkgs[*]}"
		export DEBIAN_FRONTEND=noninteractive
		{ apt-get update -qq && apt-get install -y -qq --no-install-recommends "${need_pkgs[@]}"; } \
			>/dev/null 2>&1 || log "apt-get install ${need_pkgs[*]} failed"
	fi
	command -v nft >/dev/null || missing "needs nft (apt-get install nftables)"
	command -v ethtool >/dev/null || missing "needs ethtool (apt-get install ethtool)"
	[[ -e /usr/include/usrsctp.h ]] || missing "needs libusrsctp-dev for the usrsctp peer"
fi
HAVE_IPERF3=1
if ! command -v iperf3 >/dev/null; then
	HAVE_IPERF3=0
	log "iperf3 not found (apt-get install iperf3): the TCP rows say so"
fi
command -v "$GO" >/dev/null || missing "needs Go (csctp's sctpperf, the pion peer)"

# A namespace and an nft rule work here at all?
probe=csctp-bw-probe-$$
if ! ip netns add "$probe" 2>/dev/null; then
	missing "ip netns add failed (no CAP_SYS_ADMIN here?)"
fi
if ! ip netns exec "$probe" nft add table inet t 2>/dev/null; then
	ip netns del "$probe" 2>/dev/null
	missing "nft does not work in a network namespace here (nf_tables module?)"
fi
ip netns del "$probe"

# ------------------------------------------------------------------ build

mkdir -p "$WAN_DIR" || die "cannot create $WAN_DIR"
rm -rf "$LOGS" && mkdir -p "$LOGS" || die "cannot create $LOGS"

log "building (library, perf.c, sctpperf, udp_relay, interop peers)"
{
	make --no-print-directory -s BUILD="$BUILD" lib &&
		$GO build -o "$WAN_DIR/sctpperf" ./cmd/sctpperf &&
		$CC -O2 -Wall -pthread -o "$WAN_DIR/udp_relay" scripts/udp_relay.c &&
		$CC -O2 -Wall -pthread -o "$WAN_DIR/udp_blast" scripts/udp_blast.c
} >"$LOGS/build.log" 2>&1 || { cat "$LOGS/build.log" >&2; die "build failed"; }
$CC -O2 -Icsctp csctp/examples/perf.c "$BUILD/libcsctp.a" -lm \
	-o "$WAN_DIR/perf" >>"$LOGS/build.log" 2>&1 ||
	{ cat "$LOGS/build.log" >&2; die "building csctp/examples/perf.c failed"; }
INTEROP_BIN=$ROOT/$WAN_DIR CSCTP_LIB=$ROOT/$BUILD/libcsctp.a bash interop/build.sh \
	>>"$LOGS/build.log" 2>&1 || { tail -n 20 "$LOGS/build.log" >&2; die "interop/build.sh failed"; }

C_PERF=$ROOT/$WAN_DIR/perf
GO_PERF=$ROOT/$WAN_DIR/sctpperf
RELAY=$ROOT/$WAN_DIR/udp_relay
BLAST=$ROOT/$WAN_DIR/udp_blast
USRSCTP=$ROOT/$WAN_DIR/usrsctp-peer
PION=$ROOT/$WAN_DIR/pion-peer

# ------------------------------------------------------ namespaces, cleanup

NS_PREFIX=csctp-bw
# shellcheck source=scripts/bench_ns.sh
. scripts/bench_ns.sh

# nft_loss PROTO PORT PERMILLE: drop PERMILLE/1000 of PROTO packets arriving
# on lo; first count (all) the packets toward the receiver's PORT.
# The input hook, not output: a datagram dropped on output fails the
# sender's sendmsg() with EPERM, which a network loss does not do (pion/sctp
# closes its association on it; others may resend at once).
nft_loss() {
	ip netns exec "$NS" nft -f - <<-EOF
		table inet bench {
			chain in {
				type filter hook input priority 0; policy accept;
				$1 dport $2 counter
				meta l4proto $1 numgen random mod 1000 < $3 counter drop
			}
		}
	EOF
}

# nft_counts: "PACKETS_TO_RECEIVER DROPPED"
nft_counts() {
	ip netns exec "$NS" nft list chain inet bench in 2>/dev/null |
		sed -n 's/.*counter packets \([0-9]*\).*/\1/p' | tr '\n' ' '
}

# wait_for FILE REGEX SECONDS
wait_for() {
	local i
	for ((i = 0; i < $3 * 20; i++)); do
		grep -qE "$2" "$1" 2>/dev/null && return 0
		sleep 0.05
	done
	return 1
}

LIMIT=$((DURATION + 45))

# set_desc SET: the impairment in words; set_relay_args SET: relay flags.
set_desc() {
	case $1 in
	loss0.5) echo "nft: 0.5 % loss each way (numgen on lo), no added delay" ;;
	loss2) echo "nft: 2 % loss each way (numgen on lo), no added delay" ;;
	loss5) echo "nft: 5 % loss each way (numgen on lo), no added delay" ;;
	rtt20) echo "relay: 20 ms RTT, 100 Mbit/s each way, drop-tail queue 250 KB (1 BDP), no random loss" ;;
	rtt50l1) echo "relay: 50 ms RTT, 1 % loss each way, 100 Mbit/s, drop-tail queue 625 KB (1 BDP)" ;;
	rtt40jr) echo "relay: 40 ms RTT, jitter 0-5 ms, 1 % reordered by +10 ms, 0.5 % loss each way, 50 Mbit/s, queue 250 KB" ;;
	rtt20l1) echo "relay: 20 ms RTT, 1 % loss each way, 100 Mbit/s, drop-tail queue 250 KB (1 BDP)" ;;
	rtt20q4) echo "relay: 20 ms RTT, 100 Mbit/s each way, drop-tail queue 62.5 KB (a quarter BDP), no random loss" ;;
	rtt100g) echo "relay: 100 ms RTT, $LFN_RATE Mbit/s each way, 0.01 % loss each way, drop-tail queue $(lfn_queue) B (1 BDP); buffers $LFN_BUF B" ;;
	*) return 1 ;;
	esac
}
set_kind() {
	case $1 in
	loss*) echo nft ;;
	rtt*) echo relay ;;
	*) return 1 ;;
	esac
}
set_permille() {
	case $1 in
	loss0.5) echo 5 ;;
	loss2) echo 20 ;;
	loss5) echo 50 ;;
	esac
}
set_relay_args() {
	case $1 in
	rtt20) echo "-delay 10 -rate 100 -queue 250000" ;;
	rtt50l1) echo "-delay 25 -loss 1 -rate 100 -queue 625000" ;;
	rtt40jr) echo "-delay 20 -jitter 5 -reorder 1 -reorder-delay 10 -loss 0.5 -rate 50 -queue 250000" ;;
	rtt20l1) echo "-delay 10 -loss 1 -rate 100 -queue 250000" ;;
	rtt20q4) echo "-delay 10 -rate 100 -queue 62500" ;;
	rtt100g) echo "-delay 50 -loss 0.01 -rate $LFN_RATE -queue $(lfn_queue)" ;;
	esac
}
# lfn_queue: one BDP of the rtt100g set in bytes (rate x 100 ms).
lfn_queue() { echo $((LFN_RATE * 1000000 / 8 / 10)); }
# set_buf SET: the send and receive buffer of every stack in SET.
set_buf() {
	case $1 in
	rtt100g) echo "$LFN_BUF" ;;
	*) echo "$BUF" ;;
	esac
}

# ------------------------------------------------------------------ one run

# run_pair SET PAIR: one row. Logs: $LOGS/SET.PAIR.{server,client,relay}.{out,err},
# SET.PAIR.{nft,nstat,status}.
run_pair() {
	local set=$1 pair=$2 kind permille proto=udp rport=$SRV_UDP srv_pid relay_pid=
	local cc=reno base=$pair set_buffer pacing=off
	set_buffer=$(set_buf "$set")
	local BUF=$set_buffer # this run's buffers (servers and clients below)
	if [[ $pair == c-c-cubic-paced || $pair == c-c-paced ]]; then
		pacing=on
		[[ $pair == c-c-cubic-paced ]] && cc=cubic
		base=c-c
	elif [[ $pair == *-cubic ]]; then
		cc=cubic
		base=${pair%-cubic}
	elif [[ $pair == c-c-cubic-rfc9406 ]]; then
		cc=cubic-rfc9406
		base=c-c
	fi
	RUN=$set.$pair
	kind=$(set_kind "$set")
	if [[ $pair == tcp ]]; then
		if [[ $kind != nft ]]; then
			echo "skip the UDP relay cannot carry TCP" >"$LOGS/$RUN.status"
			return 0
		fi
		if ((!HAVE_IPERF3)); then
			echo "skip iperf3 not installed" >"$LOGS/$RUN.status"
			return 0
		fi
		proto=tcp
	fi
	ns_new || { echo "fail ip netns" >"$LOGS/$RUN.status"; ns_cleanup; return 1; }
	if [[ $kind == nft ]]; then
		permille=$(set_permille "$set")
		nft_loss "$proto" "$([[ $proto == tcp ]] && echo $TCP_PORT || echo $SRV_UDP)" "$permille" \
			2>"$LOGS/$RUN.nft" ||
			{ echo "fail nft rule" >"$LOGS/$RUN.status"; ns_cleanup; return 1; }
	fi

	# Server.
	local snd=${base%%-*} rcv=${base#*-}
	[[ $pair == tcp ]] && rcv=tcp
	case $rcv in
	c) bg server "$C_PERF" -server -discard -port $SCTP_PORT -udp-port $SRV_UDP -nodelay \
		-sndbuf "$BUF" -rcvbuf "$BUF" -json ;;
	go) bg server "$GO_PERF" -server -port $SCTP_PORT -udp-port $SRV_UDP -buffer "$BUF" -quiet ;;
	usrsctp) bg server "$USRSCTP" -server -sctp-port $SCTP_PORT -udp-port $SRV_UDP \
		-scenario discard-hash -mtu 1400 -buf "$BUF" -timeout "$LIMIT" ;;
	pion) bg server "$PION" -server -udp-port $SRV_UDP -scenario discard-hash -mtu 1400 \
		-buf "$BUF" -timeout "$LIMIT" ;;
	tcp) bg server iperf3 -s -1 -p $TCP_PORT ;;
	esac
	srv_pid=$BG_PID
	if ! wait_port "$proto" "$([[ $proto == tcp ]] && echo $TCP_PORT || echo $SRV_UDP)" "$srv_pid"; then
		echo "fail server did not start" >"$LOGS/$RUN.status"
		ns_cleanup
		return 1
	fi

	if [[ $kind == relay ]]; then
		# shellcheck disable=SC2046
		bg relay "$RELAY" -listen $RELAY_PORT -server 127.0.0.1:$SRV_UDP -seed "$SEED" \
			$(set_relay_args "$set")
		relay_pid=$BG_PID
		if ! wait_port udp $RELAY_PORT "$relay_pid"; then
			echo "fail relay did not start" >"$LOGS/$RUN.status"
			ns_cleanup
			return 1
		fi
		rport=$RELAY_PORT
	fi

	# Client (the sender), in the foreground.
	local cargv=()
	case $snd in
	c) cargv=("$C_PERF" -client "127.0.0.1:$SCTP_PORT" -remote-udp-port "$rport" -size "$SIZE"
		-duration "$DURATION" -nodelay -sndbuf "$BUF" -rcvbuf "$BUF" -cc "$cc" -pacing "$pacing" -json) ;;
	go) cargv=("$GO_PERF" -client 127.0.0.1 -port $SCTP_PORT -remote-udp-port "$rport"
		-size "$SIZE" -duration "${DURATION}s" -buffer "$BUF" -cc "$cc" -json -quiet) ;;
	usrsctp) cargv=("$USRSCTP" -client "127.0.0.1:$SCTP_PORT" -remote-udp-port "$rport"
		-scenario send -bytes 1000g -msg-size "$SIZE" -duration "$DURATION" -mtu 1400
		-buf "$BUF" -timeout "$LIMIT") ;;
	pion) cargv=("$PION" -client "127.0.0.1:$SCTP_PORT" -remote-udp-port "$rport"
		-scenario send -bytes 1000g -msg-size "$SIZE" -duration "${DURATION}s" -mtu 1400
		-buf "$BUF" -timeout "$LIMIT") ;;
	tcp) cargv=(iperf3 -c 127.0.0.1 -p $TCP_PORT -t "$DURATION" -l "$SIZE" -w "$BUF" -J) ;;
	esac
	echo "# ${cargv[*]}" >"$LOGS/$RUN.client.err"
	# In the background + wait, so that a signal to this script is handled
	# at once (bash runs traps only between foreground commands).
	ip netns exec "$NS" timeout -k 3 "$LIMIT" "${cargv[@]}" >"$LOGS/$RUN.client.out" \
		2>>"$LOGS/$RUN.client.err" &
	local cpid=$!
	BG_PIDS+=("$cpid")
	wait "$cpid"
	local rc=$?

	# The receiver's report, then stop everything.
	case $rcv in
	c) wait_for "$LOGS/$RUN.server.out" '"role":"server"' 10 ;;
	usrsctp | pion) wait_for "$LOGS/$RUN.server.out" '^RESULT .*role=server scenario' 10 ;;
	tcp) wait "$srv_pid" 2>/dev/null ;;
	esac
	[[ -n $relay_pid ]] && stop_bg "$relay_pid"
	stop_bg "$srv_pid"
	[[ $kind == nft ]] && nft_counts >"$LOGS/$RUN.nft"
	if [[ $proto == tcp ]]; then
		ip netns exec "$NS" nstat -asz TcpRetransSegs TcpExtTCPTimeouts TcpExtTCPDSACKRecv \
			TcpExtTCPDSACKOfoRecv TcpExtTCPSpuriousRTOs >"$LOGS/$RUN.nstat" 2>&1
	fi
	ns_cleanup
	if ((rc != 0)); then
		if ((rc == 124 || rc == 137)); then
			echo "fail client timed out after ${LIMIT}s" >"$LOGS/$RUN.status"
		else
			echo "fail client exit $rc: $(tail -n1 "$LOGS/$RUN.client.err" | cut -c1-120)" >"$LOGS/$RUN.status"
		fi
		return 1
	fi
	echo ok >"$LOGS/$RUN.status"
	return 0
}

# relay_check RATE: the rtt100g relay at RATE Mbit/s carries RATE Mbit/s of
# 1200-byte datagrams (scripts/udp_blast.c, 3 s, in a namespace of its own)?
# Sets RELAY_CHECK to its summary lines; exit status of udp_blast.
relay_check() {
	local saved=$LFN_RATE rc
	LFN_RATE=$1
	ns_new || { LFN_RATE=$saved; return 2; }
	# shellcheck disable=SC2046
	ip netns exec "$NS" "$BLAST" -relay "$RELAY" -rate "$1" -size 1200 -duration 3 -- \
		-seed "$SEED" $(set_relay_args rtt100g) >"$LOGS/relay_check.$1.out" 2>&1
	rc=$?
	ns_cleanup
	LFN_RATE=$saved
	RELAY_CHECK=$(grep '^relay check' "$LOGS/relay_check.$1.out" |
		sed "s/\$/; load average $(cut -d' ' -f1-3 /proc/loadavg)/")
	return $rc
}

if [[ " $SETS " == *" rtt100g "* ]]; then
	if relay_check "$LFN_RATE"; then
		:
	elif [[ -z $LFN_RATE_SET ]]; then
		log "the relay check did not pass at $LFN_RATE Mbit/s; rtt100g falls back to 400:"
		printf '%s\n' "$RELAY_CHECK" | sed 's/^/bench-wan:   /' >&2
		first=$RELAY_CHECK
		LFN_RATE=400
		relay_check "$LFN_RATE"
		RELAY_CHECK="$first
(did not pass: rtt100g ran at 400 Mbit/s)
$RELAY_CHECK"
	fi
	printf '%s\n' "$RELAY_CHECK" | sed 's/^/bench-wan: /' >&2
fi

# ------------------------------------------------------------------- runs

nruns=0
for set in $SETS; do
	set_desc "$set" >/dev/null || die "unknown set $set (known: loss0.5 loss2 loss5 rtt20 rtt50l1 rtt40jr rtt20l1 rtt20q4 rtt100g)"
	for pair in $PAIRS; do
		case $pair in
		c-c | c-c-cubic | c-c-cubic-rfc9406 | c-c-paced | c-c-cubic-paced | go-go | go-go-cubic | c-usrsctp | usrsctp-c | usrsctp-usrsctp | pion-pion | tcp) ;;
		*) die "unknown pair $pair" ;;
		esac
		[[ $pair == tcp && $(set_kind "$set") != nft ]] || nruns=$((nruns + 1))
	done
done
log "$nruns runs of ${DURATION}s (about $(((nruns * (DURATION + 3) + 59) / 60)) min)"

for set in $SETS; do
	log "set $set: $(set_desc "$set")"
	for pair in $PAIRS; do
		[[ $pair == tcp && $(set_kind "$set") != nft ]] && continue
		log "  $pair"
		if ! run_pair "$set" "$pair"; then
			FAILED+=("$set.$pair")
			log "  $set.$pair: $(cut -d' ' -f2- "$LOGS/$set.$pair.status")"
		fi
	done
done

# ------------------------------------------------------------------ tables

TABLES=$(LOGS=$LOGS SETS=$SETS PAIRS=$PAIRS SIZE=$SIZE python3 scripts/bench_wan_table.py \
	"$(for s in $SETS; do echo "$s=$(set_desc "$s")"; done)" 2>"$LOGS/table.err")
case $? in
0) ;;
3) FAILED+=("$(sed -n 's/^no goodput for: /no-goodput:/p' "$LOGS/table.err")") ;;
*)
	cat "$LOGS/table.err" >&2
	TABLES="(table generation failed)"
	FAILED+=(table)
	;;
esac

CPU=$(grep -m1 '^model name' /proc/cpuinfo 2>/dev/null | sed 's/^[^:]*: *//')
END_LOAD=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo '?')
MACHINE="$(nproc) CPUs, ${CPU:-unknown CPU}, $(uname -sr); load average $START_LOAD at start, $END_LOAD at end"
ELAPSED=$((SECONDS - T0))
echo
echo "$TABLES"
echo
[[ -n $RELAY_CHECK ]] && printf '%s\n\n' "$RELAY_CHECK"
echo "$(date -u '+%Y-%m-%d'), $MACHINE; ${ELAPSED}s in all; logs in $LOGS/"

if [[ -n $DOC ]]; then
	mkdir -p "$(dirname "$DOC")"
	# Replace the previous loss and delay section (always the last one:
	# scripts/bench.sh rewrites the page before it).
	if [[ -f $DOC ]] && grep -q '^## Loss and delay' "$DOC"; then
		sed -i '/^## Loss and delay/,$d' "$DOC"
		sed -i -e :a -e '/^\n*$/{$d;N;ba' -e '}' "$DOC" # trailing blank lines
	fi
	cat >>"$DOC" <<EOF

## Loss and delay (\`make bench-wan\`)

- Date: $START_TIME
- Machine: $MACHINE
- Command: \`make bench-wan\` (\`bash scripts/bench_wan.sh\`; BENCH_WAN_DURATION=$DURATION BENCH_WAN_SIZE=$SIZE BENCH_WAN_BUFFER=$BUF BENCH_WAN_SEED=$SEED BENCH_WAN_SETS="$SETS" BENCH_WAN_PAIRS="$PAIRS")
- Peers: $(dpkg-query -W -f='libusrsctp ${Version}' libusrsctp-dev 2>/dev/null || echo 'usrsctp ?') (interop/usrsctp), pion/sctp $(sed -n 's/.*github.com\/pion\/sctp \(v[^ ]*\).*/\1/p' interop/pion/go.mod | head -n1) (interop/pion), $(iperf3 --version 2>/dev/null | head -n1 | cut -d' ' -f1-2) on Linux TCP ($(sysctl -n net.ipv4.tcp_congestion_control 2>/dev/null || echo '?') congestion control)
- Wall time: ${ELAPSED}s$( ((${#FAILED[@]})) && echo "; FAILED runs: ${FAILED[*]}")
$([[ -n $RELAY_CHECK ]] && printf '%s\n' "$RELAY_CHECK" | sed 's/^/- /')

$TABLES

How to read these tables: every row is one association (TCP: one connection)
in a fresh network namespace, sending $SIZE-byte messages for ${DURATION}s, then
a graceful shutdown; send and receive buffers of $BUF bytes; lo MTU 1500 with
offloads off.
- goodput: user data delivered per second as the receiver counts it (first to
  last byte; csctp C server: accept to SHUTDOWN; Go: its receiver's report;
  iperf3: its receiver), Mbit/s (10^6 bits).
- retransmissions (fast): DATA chunks (TCP: segments) the sender retransmitted,
  from the sending stack's own counters: csctp csctp_assoc_status, usrsctp
  usrsctp_get_stat() (its process runs one association), TCP iperf3's
  retransmits. "-": the stack does not tell (pion/sctp exports no counters).
- T3 expiries: retransmission timeouts (TCP: TcpExtTCPTimeouts from nstat).
- spurious: retransmissions the sender itself found unnecessary (csctp's
  spurious_retransmits when this build of csctp has it; TCP: DSACKs
  received, TcpExtTCPDSACKRecv + TcpExtTCPDSACKOfoRecv); "-" otherwise.
- dropped on the path: packets the impairment dropped (nft: the rule's
  counter, both directions; relay: up = client to server / down = back,
  random loss + drop-tail queue).
- wire rtx ≈ (nft sets): packets toward the receiver's port (counted before
  the drop rule) minus the messages it received: with one ${SIZE}-byte message
  per packet, the retransmissions on the wire, plus a handful of control
  packets (INIT, COOKIE ECHO, SHUTDOWN, HEARTBEAT; Go: 2 control messages).
  A check of the stacks' own counters. nft's numgen random is not seedable.
- relay rtx / wire-spurious (relay sets): seen on the wire by the relay, the
  same way for every stack: DATA chunks sent toward the receiver whose TSN was
  not new, and of those the ones an earlier copy of which the relay had passed
  on (the receiver may still have dropped that copy itself: an upper bound).
- relay rtx in the first 2 s: the same count, for DATA chunks that came by
  within 2 s of the first one: on the loss-free sets (rtt20, rtt20q4), the
  slow-start overshoot.
- "CUBIC" rows: the sender runs \`-cc cubic\` (RFC 9438 CUBIC with HyStart++,
  RFC 9406, whose first slow start also ends on the ack train); the other
  csctp rows run RFC 9260's congestion control.
EOF
	log "appended to $DOC"
fi

if ((${#FAILED[@]})); then
	log "FAILED: ${FAILED[*]} (logs in $LOGS/)"
	exit 1
fi
exit 0
