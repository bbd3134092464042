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
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.." || exit 1

BUILD=${BUILD:-build}
PEER=$BUILD/mh_peer
DURATION=${MH_DURATION:-8}
# Short timers so that a run takes seconds; the SACK delay stays below
# RTO.Min, or a lone retransmission's delayed SACK would time out T3.
TIMERS=${MH_TIMERS:-"-rto-min 100 -rto-max 400 -rto-initial 300 -hb 300 -sack-delay 20 -pmr 1"}
A=mhrigA
B=mhrigB

if [[ $(id -u) -ne 0 ]]; then
	echo "multihome: SKIP: needs root (network namespaces, nft)"
	exit 0
fi
for t in ip nft; do
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
	ip netns exec $A nft add table ip mhrig
	ip netns exec $A nft add chain ip mhrig out '{ type filter hook output priority 0; }'
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
		;;
	esac
	setup || { echo "multihome: FAIL: namespace setup"; failed=1; return; }
	local log=$BUILD/multihome
	mkdir -p "$log"
	local slog=$log/$transport-$scenario.server.log clog=$log/$transport-$scenario.client.log
	# shellcheck disable=SC2086
	ip netns exec $B "$PEER" -server -bind 10.91.1.2,10.91.2.2 $raw $TIMERS >"$slog" 2>&1 &
	local spid=$!
	sleep 0.3
	# shellcheck disable=SC2086
	ip netns exec $A "$PEER" -client 10.91.1.2,10.91.2.2 -bind 10.91.1.1,10.91.2.1 $raw $TIMERS \
		-duration "$DURATION" -at 2000 -do "$down" -at 5000 -do "$up" >"$clog" 2>&1
	local crc=$?
	wait $spid
	local src=$?
	local verdict
	verdict=$(python3 - "$slog" "$clog" <<-'EOF'
		import re, sys
		slog, clog = open(sys.argv[1]).read(), open(sys.argv[2]).read()
		acts = [float(t) for t in re.findall(r"client t=([\d.]+) action", clog)]
		pauses = [(float(s), float(s) + float(d)) for d, s in
		          re.findall(r"server t=[\d.]+ pause ([\d.]+) s \(from t=([\d.]+)\)", slog)]
		sd = re.search(r"server t=[\d.]+ done: (\d+) messages.*?, (\d+) out of order.*sha256 (\w+)", slog)
		cd = re.search(r"client t=[\d.]+ done: (\d+) messages.*sha256 (\w+)", clog)
		out = []
		ok = bool(sd and cd) and sd.group(2) == "0" and sd.group(1) == cd.group(1) \
		     and sd.group(3) == cd.group(2)
		if len(acts) < 2:
		    ok = False
		else:
		    t_down, t_up = acts[0], acts[1]
		    # Data flows on the other path from the end of the last pause that
		    # began in the outage: later pauses would mean it stalled again.
		    fo = [e - t_down for s, e in pauses if t_down - 0.2 <= s < t_up]
		    out.append("failover %s" % ("%.3f s" % fo[-1] if fo else "< 0.1 s (no pause over 100 ms)"))
		    if len(fo) > 1:
		        out.append("%d pauses during the outage" % len(fo))
		        ok = False
		    back = [float(t) for t in re.findall(r"client t=([\d.]+) path 10\.91\.1\.2 ACTIVE", clog)
		            if float(t) > t_up]
		    out.append("failback %s" % ("%.3f s" % (back[0] - t_up) if back else "not seen"))
		    if not back:
		        ok = False
		if sd:
		    out.append("%s messages, %s out of order, sha256 %s" %
		               (sd.group(1), sd.group(2), "match" if cd and sd.group(3) == cd.group(2) else "MISMATCH"))
		print(("PASS " if ok else "FAIL ") + ", ".join(out))
		EOF
	)
	[[ $crc -ne 0 || $src -ne 0 ]] && verdict="FAIL (exit client $crc server $src) $verdict"
	[[ $verdict == PASS* ]] || failed=1
	results+=("| $transport | $scenario | $verdict |")
	echo "multihome: $transport $scenario: $verdict (logs: $slog, $clog)"
}

echo "multihome: timers: $TIMERS (ms; PotentiallyFailed.Max 0, RFC 7829), $DURATION s per run"
for transport in udp raw; do
	for scenario in linkdown loss; do
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
