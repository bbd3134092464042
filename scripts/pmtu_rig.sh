#!/usr/bin/env bash
# scripts/pmtu_rig.sh -- `make pmtu`: path MTU discovery (RFC 8899) on real
# links, over UDP encapsulation and over raw IP (PMTU_TRANSPORTS, default
# "udp raw").
#
# Scenarios (namespaces pmrigA, pmrigR, pmrigB, removed at exit):
#   router:    A -- R -- B, the R--B link has MTU 1280 (R forwards; ICMP
#              "fragmentation needed" comes back to A when DF is set);
#   blackhole: A -- B on one veth (MTU 1500) where an nft rule in A drops
#              every IP packet over 1300 bytes silently (no ICMP);
#   midblackhole: A -- R -- B, all links MTU 1500 and R sends no ICMP
#              "fragmentation needed"; 2 s into a transfer of 4000-byte
#              messages (cut for 1500-byte packets) the R--B link drops to
#              MTU 1280: a silent black hole while large fragments are in
#              flight and queued (RFC 8899 4.4: those already sent must go
#              with fragmentation allowed, the client's counter of them
#              must be > 0; the queued ones are cut again).
#   refused:   A -- R -- B and no server in B: B's kernel answers the INIT
#              with ICMP port unreachable (UDP) or protocol unreachable (raw
#              IP, no SCTP in B); the dial must fail with "refused" within
#              one round trip (ping A -> B) plus 10 ms, long before the INIT
#              timer (RTO.Initial 300 ms).
# scripts/mh_peer.c runs a csctp server in B and a client in A sending
# numbered messages for PMTU_DURATION seconds; the rig compares the SHA-256
# of what was sent and received and prints the client's path MTU at the end
# with the transfer's time. Needs root; exits 0 with a SKIP line otherwise.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.." || exit 1

BUILD=${BUILD:-build}
PEER=${PMTU_PEER:-$BUILD/mh_peer}
LOGDIR=${PMTU_LOGDIR:-$BUILD/pmtu}
# A silent black hole is found only by probes timing out (PROBE_TIMER at
# least 1 s, MAX_PROBES 3 per size, RFC 8899 5.1): that run lasts longer.
DURATION=${PMTU_DURATION:-6}
BH_DURATION=${PMTU_BH_DURATION:-20}
TIMERS=${PMTU_TIMERS:-"-rto-min 200 -rto-max 1000 -rto-initial 300 -hb 1000 -sack-delay 20 -pmr 5"}
A=pmrigA R=pmrigR B=pmrigB

if [[ $(id -u) -ne 0 ]]; then
	echo "pmtu: SKIP: needs root (network namespaces, nft)"
	exit 0
fi
for t in ip nft; do
	command -v $t >/dev/null || { echo "pmtu: FAIL: $t missing (make deps)"; exit 1; }
done

cleanup() {
	for ns in $A $R $B; do ip netns del $ns 2>/dev/null; done
}
trap cleanup EXIT

up_all() {
	for ns in "$@"; do
		ip -n $ns link set lo up
		for d in $(ip -n $ns -o link show | awk -F': ' '{print $2}' | cut -d@ -f1 | grep -v lo); do
			ip -n $ns link set dev "$d" up
		done
	done
}

setup_router() {
	cleanup
	ip netns add $A && ip netns add $R && ip netns add $B || return 1
	ip link add vA netns $A type veth peer name vRA netns $R || return 1
	ip link add vRB netns $R type veth peer name vB netns $B || return 1
	ip -n $R link set dev vRB mtu 1280
	ip -n $B link set dev vB mtu 1280
	ip -n $A addr add 10.92.1.1/24 dev vA
	ip -n $R addr add 10.92.1.254/24 dev vRA
	ip -n $R addr add 10.92.2.254/24 dev vRB
	ip -n $B addr add 10.92.2.2/24 dev vB
	up_all $A $R $B
	ip -n $A route add default via 10.92.1.254
	ip -n $B route add default via 10.92.2.254
	ip netns exec $R sysctl -qw net.ipv4.ip_forward=1
	SERVER=10.92.2.2 CLIENT=10.92.1.1
	CLIENT_ENV=""
	RUN_DURATION=$DURATION
	CLIENT_OPTS="-rate 2000 -size 1000"
}

setup_midblackhole() {
	setup_router || return 1
	ip -n $R link set dev vRB mtu 1500
	ip -n $B link set dev vB mtu 1500
	# R stays silent: its ICMP "fragmentation needed" never leaves.
	ip netns exec $R nft add table ip pmrig
	ip netns exec $R nft add chain ip pmrig out '{ type filter hook output priority 0; }'
	ip netns exec $R nft add rule ip pmrig out icmp type destination-unreachable icmp code frag-needed drop
	RUN_DURATION=$BH_DURATION
	CLIENT_OPTS="-rate 500 -size 4000 -at 2000 -do 'ip -n $R link set dev vRB mtu 1280'"
	SERVER_OPTS="-size 4000"
	NEED_FRAG=1
}

setup_blackhole() {
	cleanup
	ip netns add $A && ip netns add $B || return 1
	ip link add vA netns $A type veth peer name vB netns $B || return 1
	ip -n $A addr add 10.92.3.1/24 dev vA
	ip -n $B addr add 10.92.3.2/24 dev vB
	up_all $A $B
	ip netns exec $A nft add table ip pmrig
	ip netns exec $A nft add chain ip pmrig out '{ type filter hook output priority 0; }'
	ip netns exec $A nft add rule ip pmrig out ip length gt 1300 drop
	SERVER=10.92.3.2 CLIENT=10.92.3.1
	# nft's output hook sees a UDP GSO send before it is cut into
	# datagrams (a run of 1000-byte messages would look like one large
	# packet): the client sends datagram by datagram here.
	CLIENT_ENV="CSCTP_UDP_GSO=0"
	RUN_DURATION=$BH_DURATION
	CLIENT_OPTS="-rate 2000 -size 1000"
}

failed=0
results=()

setup_refused() {
	setup_router
}

# run_refused: a dial to B where nobody serves SCTP (issue 14: "a dial to a
# UDP port nobody listens on fails within one RTT plus a few ms").
run_refused() {
	local transport=$1 raw=""
	[[ $transport == raw ]] && raw=-raw
	setup_refused || { echo "pmtu: FAIL: refused setup"; failed=1; return; }
	mkdir -p "$LOGDIR"
	local clog=$LOGDIR/$transport-refused.client.log rtt took verdict
	# The round trip A -> B: a UDP ping-pong (scripts/udp_pingpong.c).
	local pp=$BUILD/udp_pingpong
	[[ -x $pp ]] || ${CC:-cc} -O2 -o "$pp" scripts/udp_pingpong.c || return 1
	ip netns exec $B "$pp" -server 9799 >/dev/null 2>&1 &
	local ppid=$!
	sleep 0.2
	rtt=$(ip netns exec $A "$pp" -client $SERVER 9799 -duration 0.3 | sed -n 's/^  rtt us: min [0-9.]* avg \([0-9.]*\) .*/\1/p')
	kill $ppid 2>/dev/null
	wait $ppid 2>/dev/null
	[[ -n $rtt ]] && rtt=$(printf '%.3f' "$(echo "scale=6; $rtt / 1000" | bc)")
	# shellcheck disable=SC2086
	ip netns exec $A "$PEER" -client $SERVER -bind $CLIENT $raw $TIMERS -duration 1 >"$clog" 2>&1
	took=$(sed -n 's/^client connect failed after \([0-9.]*\) ms: association refused by peer .*/\1/p' "$clog")
	if [[ -n $took && -n $rtt ]] && (( $(echo "$took < $rtt + 10" | bc) )); then
		verdict="PASS: dial refused after $took ms (RTT $rtt ms, RTO.Initial 300 ms)"
	else
		verdict="FAIL (dial: $(grep -m1 'connect\|done' "$clog"), RTT ${rtt:-?} ms)"
		failed=1
	fi
	results+=("| $transport | refused | $verdict |")
	echo "pmtu: $transport refused: $verdict (log: $clog)"
}

run() {
	local transport=$1 scenario=$2 raw=""
	[[ $transport == raw ]] && raw=-raw
	NEED_FRAG=0 SERVER_OPTS=""
	setup_$scenario || { echo "pmtu: FAIL: $scenario setup"; failed=1; return; }
	mkdir -p "$LOGDIR"
	local slog=$LOGDIR/$transport-$scenario.server.log clog=$LOGDIR/$transport-$scenario.client.log
	# shellcheck disable=SC2086
	ip netns exec $B "$PEER" -server -bind $SERVER $raw $TIMERS $SERVER_OPTS >"$slog" 2>&1 &
	local spid=$!
	sleep 0.3
	local t0 t1
	t0=$(date +%s.%N)
	# shellcheck disable=SC2086
	eval ip netns exec $A env $CLIENT_ENV "$PEER" -client $SERVER -bind $CLIENT $raw $TIMERS \
		-duration "$RUN_DURATION" $CLIENT_OPTS >"$clog" 2>&1
	local crc=$?
	wait $spid
	local src=$?
	t1=$(date +%s.%N)
	local ssha csha mtu verdict
	ssha=$(sed -n 's/^server .*done: .* sha256 \([0-9a-f]*\)$/\1/p' "$slog")
	csha=$(sed -n 's/^client .*done: .* sha256 \([0-9a-f]*\)$/\1/p' "$clog")
	mtu=$(sed -n 's/^client path .* mtu \([0-9]*\) .*$/\1/p' "$clog" | head -1)
	# discovery time: association up -> the last change of the path MTU
	local tup tmtu took
	tup=$(sed -n 's/^client t=\([0-9.]*\) up$/\1/p' "$clog")
	tmtu=$(sed -n 's/^client t=\([0-9.]*\) mtu [0-9]*$/\1/p' "$clog" | tail -1)
	took=$( [[ -n $tup && -n $tmtu ]] && printf '%.2f' "$(echo "$tmtu - $tup" | bc)" || echo "?")
	local frag
	local icmp
	frag=$(sed -n 's/^client stack: \([0-9]*\) packets sent with fragmentation allowed, .*/\1/p' "$clog")
	icmp=$(sed -n 's/^client stack: .*, \([0-9]*\) ICMP errors read.*/\1/p' "$clog")
	local fragok=1 fragnote=""
	if [[ $NEED_FRAG -eq 1 ]]; then
		fragnote=", ${frag:-?} packets sent with fragmentation allowed (chunks cut before the MTU fell)"
		[[ ${frag:-0} -gt 0 && ${mtu:-9999} -le 1280 ]] || fragok=0
	fi
	if [[ $crc -eq 0 && $src -eq 0 && -n $ssha && $ssha == "$csha" && $fragok -eq 1 ]]; then
		verdict="PASS: sha256 match, discovered PMTU ${mtu:-?} (SCTP packet bytes) ${took} s after setup${fragnote}, ${icmp:-?} ICMP errors read, transfer $(printf '%.1f' "$(echo "$t1 - $t0" | bc)") s"
	else
		verdict="FAIL (exit client $crc server $src, sha256 client ${csha:-none} server ${ssha:-none}, PMTU ${mtu:-?}${fragnote})"
		failed=1
	fi
	results+=("| $transport | $scenario | $verdict |")
	echo "pmtu: $transport $scenario: $verdict (logs: $slog, $clog)"
}

echo "pmtu: timers: $TIMERS (ms); 1000-byte messages at 2000/s for $DURATION s (router), $BH_DURATION s (black hole); 4000-byte messages at 500/s for $BH_DURATION s (midblackhole)"
for transport in ${PMTU_TRANSPORTS:-udp raw}; do
	for scenario in ${PMTU_SCENARIOS:-refused router blackhole midblackhole}; do
		if [[ $scenario == refused ]]; then
			run_refused "$transport"
		else
			run "$transport" "$scenario"
		fi
	done
done
printf '%s\n' "${results[@]}"
exit $failed
