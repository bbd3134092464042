#!/usr/bin/env bash
# scripts/mh_rig.sh -- `make multihome`: multihoming on real links.
#
# Two network namespaces (mhrigA, mhrigB) joined by two veth links
# (10.91.1.0/24 and 10.91.2.0/24); scripts/mh_peer.c runs a csctp server in
# B bound to both of B's addresses and a client in A bound to both of A's,
# dialling both. The client sends a paced stream of numbered messages for
# MH_DURATION seconds while the primary link is taken away and given back:
#   linkdown: `ip link set` the primary veth down at 2 s, up at 5 s;
#   loss:     100 % nft loss one way (A -> B on the primary) at 2 s, none
#             at 5 s;
# over UDP encapsulation (RFC 6951) and over raw IP. For each run it checks
# that every message arrived once, in order (SHA-256 of the stream on both
# sides), and prints the failover time (link loss -> data flowing on the
# other path: the pause in arrivals at the server) and the failback time
# (link back -> the client sees the primary ACTIVE again), with the timer
# settings used. Needs root (namespaces, nft); exits 0 with a SKIP line
# otherwise. Everything it creates lives in its namespaces, removed at exit.
# The verdicts come from scripts/mh_verdict.py. Knobs for other peers
# (make multihome-kernel runs the rig inside sctp-vm with the server on the
# Linux kernel's SCTP; make multihome-usrsctp, the server on usrsctp):
# MH_TRANSPORTS, MH_SCENARIOS, MH_SERVER_PEER, MH_SERVER_OPTS,
# MH_SERVER_SETUP (a command run in the server's namespace first),
# MH_CLIENT_OPTS, MH_CLIENT_SETUP (the same for the client), MH_PEER,
# MH_LOGDIR, MH_NEED_NFT="" and MH_DEFER_VERDICT=1 (no python3 there),
# MH_LOSS_TOOL=netem (the loss scenario through tc netem instead of nft),
# MH_TIMERS, MH_DURATION (s), MH_DOWN_AT / MH_UP_AT (ms), MH_NS.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.." || exit 1

BUILD=${BUILD:-build}
PEER=${MH_PEER:-$BUILD/mh_peer}
LOGDIR=${MH_LOGDIR:-$BUILD/multihome}
DURATION=${MH_DURATION:-8}
# Short timers so that a run takes seconds; the SACK delay stays below
# RTO.Min, or a lone retransmission's delayed SACK would time out T3.
TIMERS=${MH_TIMERS:-"-rto-min 100 -rto-max 400 -rto-initial 300 -hb 300 -sack-delay 20 -pmr 1"}
# MH_NS names the namespaces (MH_NS A, MH_NS B): a second rig (make
# bench-failover) can run beside a first one.
A=${MH_NS:-mhrig}A
B=${MH_NS:-mhrig}B
# When the primary link goes away and comes back (ms after the start).
DOWN_AT=${MH_DOWN_AT:-2000}
UP_AT=${MH_UP_AT:-5000}

if [[ $(id -u) -ne 0 ]]; then
	echo "multihome: SKIP: needs root (network namespaces, nft)"
	exit 0
fi
for t in ip ${MH_NEED_NFT-nft}; do
	command -v $t >/dev/null || { echo "multihome: FAIL: $t missing (make deps)"; exit 1; }
done

cleanup() {
	ip netns del $A 2>/dev/null
	ip netns del $B 2>/dev/null
}
trap cleanup EXIT

setup() {
	cleanup
	ip netns add $A && ip netns add $B || return 1
	ip link add a1 netns $A type veth peer name b1 netns $B || return 1
	ip link add a2 netns $A type veth peer name b2 netns $B || return 1
	ip -n $A addr add 10.91.1.1/24 dev a1
	ip -n $A addr add 10.91.2.1/24 dev a2
	ip -n $B addr add 10.91.1.2/24 dev b1
	ip -n $B addr add 10.91.2.2/24 dev b2
	for ns in $A $B; do
		ip -n $ns link set lo up
		for d in $(ip -n $ns -o link show | awk -F': ' '{print $2}' | cut -d@ -f1 | grep -v lo); do
			ip -n $ns link set "$d" up
		done
	done
	if command -v nft >/dev/null; then
		ip netns exec $A nft add table ip mhrig
		ip netns exec $A nft add chain ip mhrig out '{ type filter hook output priority 0; }'
	fi
}

failed=0
results=()

# run TRANSPORT SCENARIO
run() {
	local transport=$1 scenario=$2 raw="" down up
	[[ $transport == raw ]] && raw=-raw
	case $scenario in
	linkdown)
		down="ip link set a1 down"
		up="ip link set a1 up"
		;;
	loss)
		down="nft add rule ip mhrig out ip daddr 10.91.1.2 drop"
		up="nft flush chain ip mhrig out"
		if [[ ${MH_LOSS_TOOL:-nft} == netem ]]; then
			# Where there is no nft (sctp-vm): netem drops everything A
			# sends on the primary veth, the same one-way loss.
			down="tc qdisc add dev a1 root netem loss 100%"
			up="tc qdisc del dev a1 root"
		fi
		;;
	esac
	setup || { echo "multihome: FAIL: namespace setup"; failed=1; return; }
	local log=$LOGDIR
	mkdir -p "$log"
	local slog=$log/$transport-$scenario.server.log clog=$log/$transport-$scenario.client.log
	[[ -n ${MH_SERVER_SETUP:-} ]] && ip netns exec $B sh -c "$MH_SERVER_SETUP"
	[[ -n ${MH_CLIENT_SETUP:-} ]] && ip netns exec $A sh -c "$MH_CLIENT_SETUP"
	# shellcheck disable=SC2086
	ip netns exec $B "${MH_SERVER_PEER:-$PEER}" -server -bind 10.91.1.2,10.91.2.2 $raw $TIMERS \
		${MH_SERVER_OPTS:-} >"$slog" 2>&1 &
	local spid=$!
	sleep 0.3
	# shellcheck disable=SC2086
	ip netns exec $A "$PEER" -client 10.91.1.2,10.91.2.2 -bind 10.91.1.1,10.91.2.1 $raw $TIMERS ${MH_CLIENT_OPTS:-} \
		-duration "$DURATION" -at "$DOWN_AT" -do "$down" -at "$UP_AT" -do "$up" >"$clog" 2>&1
	local crc=$?
	wait $spid
	local src=$?
	local verdict
	if [[ -n ${MH_DEFER_VERDICT:-} ]]; then
		echo "multihome: $transport $scenario: ran (exit client $crc server $src); verdict deferred"
		return
	fi
	verdict=$(python3 scripts/mh_verdict.py "$slog" "$clog")
	[[ $crc -ne 0 || $src -ne 0 ]] && verdict="FAIL (exit client $crc server $src) $verdict"
	[[ $verdict == PASS* ]] || failed=1
	results+=("| $transport | $scenario | $verdict |")
	echo "multihome: $transport $scenario: $verdict (logs: $slog, $clog)"
}

echo "multihome: timers: $TIMERS (ms; PotentiallyFailed.Max 0, RFC 7829), $DURATION s per run, link away at $DOWN_AT ms, back at $UP_AT ms"
for transport in ${MH_TRANSPORTS:-udp raw}; do
	for scenario in ${MH_SCENARIOS:-linkdown loss}; do
		run $transport $scenario
	done
done
echo
echo "| transport | primary link | result |"
echo "|---|---|---|"
printf '%s\n' "${results[@]}"
n_fail=$(printf '%s\n' "${results[@]}" | grep -c FAIL)
echo "multihome: $(( ${#results[@]} - n_fail )) passed, $n_fail failed"
exit $failed
