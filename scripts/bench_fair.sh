#!/usr/bin/env bash
# scripts/bench_fair.sh -- `make bench-fair`: issue 16's fairness checks on
# real sockets. Two csctp associations (csctp/examples/perf.c clients, each
# its own process, to one perf.c server) share one bottleneck of the UDP
# impairment relay (scripts/udp_relay.c, which serves several clients through
# the same links): 10 Mbit/s each way, 50 ms RTT, a drop-tail queue of one
# BDP (62.5 KB), no random loss, up to 1 ms of jitter after the queue --
# the path of csctp/tests/test_sim_cc.c's share_run. Needs root (a network
# namespace per run, like bench_wan.sh).
#
# Why the jitter: with none, every delay on the relay is fixed, so the two
# clients' sacks come back, and their next packets reach the full queue, in
# the same order round after round, and the drops keep falling on the same
# one (the drop-tail "phase effect"; the simulator adds the same 1 ms to its
# return links for this reason). Measured without it (8 runs of each,
# BENCH_FAIR_JITTER=0): with the two started within a second of each other
# the later one took about twice the losses and half the runs sat near
# 61/39 for 40 s.
#
# Scenarios (BENCH_FAIR_SCENARIOS), A's controller then B's:
#   cubic-cubic  two CUBIC (RFC 9438) associations
#   reno-cubic   RFC 9260's controller established, CUBIC joins
#   cubic-reno   CUBIC established, RFC 9260's controller joins
# A starts; B starts BENCH_FAIR_GAP (10) s later, plus an offset that moves
# with the run number (0, 0.37, 0.74, 0.11, ... s: the phase of A's cycle at
# which B arrives, as the simulator's seed does); both send 1200-byte
# messages until BENCH_FAIR_AFTER (40) s after B's start, plus 1 s so that
# the last window is whole. B's start is when its first datagram (the INIT)
# reached the relay.
#
# From the relay's per-client counters (-flows: UDP payload bytes each
# client's up direction delivered per second; the relay's rate counts the
# same bytes) scripts/bench_fair.py computes, per run:
#   share 20-30 / 30-40: a flow's bytes over seconds 20-30 (30-40) after B's
#            start, over what the link carries in 10 s (the simulator's
#            measure)
#   40-60 from: the end of the first 10-second window (sliding by 1 s) in
#            which each CUBIC flow had 40-60 % of the link: when the pair
#            converged ("within 30 s of the second starting": by second 30)
#   min 2 s: the smallest share of any 2-second window starting at second 6,
#            7, ... after B's start (starvation)
#   util:    both flows over seconds 20-40, of the link's rate
# and the verdicts: cubic-cubic each flow 40-60 % (per window, and converged
# by second 30); the RFC 9260 flow >= 30 %
# in reno-cubic and cubic-reno; no 2-second share below 5 %. A verdict that
# fails does not change the exit status (this is a measurement); exit 1 if a
# run failed (logs in $BUILD/bench/fair/logs/), 2 if a prerequisite is
# missing.
#
# Settings (environment):
#   BUILD=build
#   BENCH_FAIR_RUNS=1          runs of each scenario (relay seed and B's
#                              start offset differ per run)
#   BENCH_FAIR_SCENARIOS="cubic-cubic reno-cubic cubic-reno"
#   BENCH_FAIR_GAP=10          seconds A runs alone (0: the two together, the
#                              shares' spread with nothing to converge)
#   BENCH_FAIR_JITTER=1        ms of jitter each way (0: none, see above)
#   BENCH_FAIR_AFTER=40        seconds both run after B's start
#   BENCH_FAIR_SEED=1          the first run's relay seed (run N: seed+N-1)
#   BENCH_FAIR_BUFFER=1048576  send and receive buffer of both ends
#   BENCH_FAIR_DOC=            a page to write the section to (e.g.
#                              docs/bench.md; default: print only); the
#                              section replaces an earlier one of its own
set -uo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.." || exit 1
ROOT=$PWD

BUILD=${BUILD:-build}
RUNS=${BENCH_FAIR_RUNS:-1}
SCENARIOS=${BENCH_FAIR_SCENARIOS:-"cubic-cubic reno-cubic cubic-reno"}
GAP=${BENCH_FAIR_GAP:-10}
JITTER=${BENCH_FAIR_JITTER:-1}
AFTER=${BENCH_FAIR_AFTER:-40}
SEED=${BENCH_FAIR_SEED:-1}
BUF=${BENCH_FAIR_BUFFER:-1048576}
DOC=${BENCH_FAIR_DOC:-}
CC=${CC:-cc}
SIZE=1200
RATE=10       # Mbit/s each way
DELAY=25      # ms one way: RTT 50 ms
QUEUE=62500   # bytes: one BDP (10 Mbit/s x 50 ms)

# The checks read seconds 20-30 and 30-40 after B's start.
[[ $AFTER =~ ^[0-9]+$ ]] && ((AFTER >= 40)) ||
	{ echo "bench-fair: BENCH_FAIR_AFTER must be a whole number of seconds, 40 or more (the windows end at 30 and 40)" >&2; exit 2; }

FAIR_DIR=$BUILD/bench/fair
LOGS=$FAIR_DIR/logs
START_TIME=$(date -u '+%Y-%m-%d %H:%M UTC')
START_LOAD=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo '?')
T0=$SECONDS

SCTP_PORT=5000
SRV_UDP=9899
RELAY_PORT=9900

log() { printf 'bench-fair: %s\n' "$*" >&2; }
die() {
	log "$*"
	exit 1
}
missing() {
	log "$*"
	exit 2
}

[[ $(id -u) == 0 ]] || missing "needs root: every run is in a network namespace of its own (ip netns)"
command -v ip >/dev/null || missing "needs iproute2 (ip, ss): apt-get install iproute2"
command -v python3 >/dev/null || missing "needs python3 (scripts/bench_fair.py)"
[[ $RUNS =~ ^[1-9][0-9]*$ ]] || die "BENCH_FAIR_RUNS must be a positive integer"
for sc in $SCENARIOS; do
	case $sc in
	cubic-cubic | reno-cubic | cubic-reno) ;;
	*) die "unknown scenario $sc (known: cubic-cubic reno-cubic cubic-reno)" ;;
	esac
done

# ------------------------------------------------------------------ build

mkdir -p "$FAIR_DIR" || die "cannot create $FAIR_DIR"
rm -rf "$LOGS" && mkdir -p "$LOGS" || die "cannot create $LOGS"
log "building (library, perf.c, udp_relay)"
{
	make --no-print-directory -s BUILD="$BUILD" lib &&
		$CC -O2 -Wall -pthread -o "$FAIR_DIR/udp_relay" scripts/udp_relay.c &&
		$CC -O2 -Icsctp csctp/examples/perf.c "$BUILD/libcsctp.a" -lm -o "$FAIR_DIR/perf"
} >"$LOGS/build.log" 2>&1 || { cat "$LOGS/build.log" >&2; die "build failed"; }
C_PERF=$ROOT/$FAIR_DIR/perf
RELAY=$ROOT/$FAIR_DIR/udp_relay

# ------------------------------------------------------------- namespaces

NS_PREFIX=csctp-bf
# shellcheck source=scripts/bench_ns.sh
. scripts/bench_ns.sh

# ------------------------------------------------------------------ one run

# run_one SCENARIO N: A and B through one relay. Logs and the relay's flows
# in $LOGS/SCENARIO.N.*; status in $LOGS/SCENARIO.N.status.
run_one() {
	local sc=$1 n=$2 cc_a=${1%-*} cc_b=${1#*-} seed offset srv_pid relay_pid a_pid b_pid rc_a rc_b
	RUN=$sc.$n
	seed=$((SEED + n - 1))
	offset=$(awk -v n="$n" 'BEGIN { x = (n - 1) * 0.37; printf "%.2f", x - int(x) }')
	LIMIT=$(awk -v g="$GAP" -v o="$offset" -v a="$AFTER" 'BEGIN { printf "%d", g + o + a + 30 }')
	local dur_a dur_b=$((AFTER + 1))
	dur_a=$(awk -v g="$GAP" -v o="$offset" -v a="$AFTER" 'BEGIN { printf "%.2f", g + o + a + 1 }')
	echo "seed=$seed offset=$offset cc_a=$cc_a cc_b=$cc_b" >"$LOGS/$RUN.params"
	ns_new || { echo "fail ip netns" >"$LOGS/$RUN.status"; ns_cleanup; return 1; }
	bg server "$C_PERF" -server -discard -port $SCTP_PORT -udp-port $SRV_UDP -nodelay \
		-sndbuf "$BUF" -rcvbuf "$BUF" -json
	srv_pid=$BG_PID
	wait_port udp $SRV_UDP "$srv_pid" ||
		{ echo "fail server did not start" >"$LOGS/$RUN.status"; ns_cleanup; return 1; }
	bg relay "$RELAY" -listen $RELAY_PORT -server 127.0.0.1:$SRV_UDP -seed "$seed" \
		-delay $DELAY -jitter $JITTER -rate $RATE -queue $QUEUE -flows "$ROOT/$LOGS/$RUN.flows"
	relay_pid=$BG_PID
	wait_port udp $RELAY_PORT "$relay_pid" ||
		{ echo "fail relay did not start" >"$LOGS/$RUN.status"; ns_cleanup; return 1; }
	local cargs=(-remote-udp-port $RELAY_PORT -size $SIZE -nodelay -sndbuf "$BUF" -rcvbuf "$BUF" -json)
	bg a "$C_PERF" -client "127.0.0.1:$SCTP_PORT" -duration "$dur_a" -cc "$cc_a" "${cargs[@]}"
	a_pid=$BG_PID
	sleep "$(awk -v g="$GAP" -v o="$offset" 'BEGIN { print g + o }')"
	bg b "$C_PERF" -client "127.0.0.1:$SCTP_PORT" -duration "$dur_b" -cc "$cc_b" "${cargs[@]}"
	b_pid=$BG_PID
	wait "$a_pid"
	rc_a=$?
	wait "$b_pid"
	rc_b=$?
	stop_bg "$relay_pid"
	stop_bg "$srv_pid"
	ns_cleanup
	if ((rc_a != 0 || rc_b != 0)); then
		echo "fail client exit A $rc_a B $rc_b" >"$LOGS/$RUN.status"
		return 1
	fi
	[[ -s $LOGS/$RUN.flows ]] || { echo "fail no flows file from the relay" >"$LOGS/$RUN.status"; return 1; }
	echo ok >"$LOGS/$RUN.status"
	return 0
}

# ------------------------------------------------------------------- runs

nsc=$(wc -w <<<"$SCENARIOS")
log "$((nsc * RUNS)) runs of about $((GAP + AFTER + 2)) s (about $(((nsc * RUNS * (GAP + AFTER + 4) + 59) / 60)) min): $RATE Mbit/s, $((2 * DELAY)) ms RTT, queue $QUEUE B"
for sc in $SCENARIOS; do
	for ((n = 1; n <= RUNS; n++)); do
		log "  $sc run $n"
		if ! run_one "$sc" "$n"; then
			FAILED+=("$sc.$n")
			log "  $sc.$n: $(cut -d' ' -f2- "$LOGS/$sc.$n.status")"
		fi
	done
done

# ------------------------------------------------------------------ tables

CPU=$(grep -m1 '^model name' /proc/cpuinfo 2>/dev/null | sed 's/^[^:]*: *//')
END_LOAD=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo '?')
MACHINE="$(nproc) CPUs, ${CPU:-unknown CPU}, $(uname -sr); load average $START_LOAD at start, $END_LOAD at end"
ELAPSED=$((SECONDS - T0))
REPORT=$(LOGS=$LOGS SCENARIOS=$SCENARIOS RUNS=$RUNS RATE=$RATE AFTER=$AFTER python3 scripts/bench_fair.py 2>"$LOGS/table.err")
prc=$?
if ((prc != 0)); then
	cat "$LOGS/table.err" >&2
	[[ -n $REPORT ]] || REPORT="(table generation failed)"
	FAILED+=(table)
fi
echo
echo "$REPORT"
echo
echo "$START_TIME, $MACHINE; ${ELAPSED}s in all; logs in $LOGS/"

if [[ -n $DOC ]]; then
	SECTION="## Fairness through the relay (\`make bench-fair\`)

- Date: $START_TIME
- Machine: $MACHINE
- Command: \`make bench-fair\` (\`bash scripts/bench_fair.sh\`; BENCH_FAIR_RUNS=$RUNS BENCH_FAIR_SEED=$SEED BENCH_FAIR_GAP=$GAP BENCH_FAIR_JITTER=$JITTER BENCH_FAIR_AFTER=$AFTER BENCH_FAIR_BUFFER=$BUF BENCH_FAIR_SCENARIOS=\"$SCENARIOS\")
- Path: scripts/udp_relay.c, $RATE Mbit/s each way, $((2 * DELAY)) ms RTT (+ up to $JITTER ms jitter each way), drop-tail queue $QUEUE B (1 BDP), no random loss; two csctp/examples/perf.c clients ($SIZE-byte messages, buffers $BUF B) to one perf.c server; B starts ${GAP} s (+ the run's offset) after A
- Wall time: ${ELAPSED}s$( ((${#FAILED[@]})) && echo "; FAILED runs: ${FAILED[*]}")

$REPORT"
	mkdir -p "$(dirname "$DOC")"
	SECTION=$SECTION python3 - "$DOC" <<-'EOF' || FAILED+=(doc)
		import os, re, sys
		path, sec = sys.argv[1], os.environ["SECTION"].rstrip("\n") + "\n"
		text = open(path).read() if os.path.exists(path) else ""
		head = "## Fairness through the relay"
		if head in text:  # replace ours, up to the next "## " heading
		    i = text.index(head)
		    m = re.search(r"^## ", text[i + 3:], re.M)
		    j = i + 3 + m.start() if m else len(text)
		    text = text[:i] + sec + ("\n" + text[j:] if m else "")
		elif "\n## Loss and delay" in text:  # bench_wan.sh keeps that one last
		    i = text.index("\n## Loss and delay") + 1
		    text = text[:i] + sec + "\n" + text[i:]
		else:
		    text = text.rstrip("\n") + ("\n\n" if text else "") + sec
		open(path, "w").write(text)
	EOF
	log "wrote the section to $DOC"
fi

if ((${#FAILED[@]})); then
	log "FAILED: ${FAILED[*]} (logs in $LOGS/)"
	exit 1
fi
exit 0
