# scripts/bench_ns.sh -- sourced by bench_wan.sh and bench_fair.sh: one
# network namespace per run, the processes started in it, and cleanup. The
# sourcing script defines log, sets NS_PREFIX (the namespaces' name prefix),
# LOGS, RUN (the run's log name) and LIMIT (seconds a process may run).

NS=""
BG_PIDS=()
FAILED=()
RUN_NO=0

ns_cleanup() {
	[[ -n $NS ]] || return 0
	local p
	for p in "${BG_PIDS[@]}"; do
		kill "$p" 2>/dev/null
	done
	# Anything still in our namespace was started by this script.
	for p in $(ip netns pids "$NS" 2>/dev/null); do
		kill -9 "$p" 2>/dev/null
	done
	for p in "${BG_PIDS[@]}"; do
		wait "$p" 2>/dev/null
	done
	BG_PIDS=()
	ip netns del "$NS" 2>/dev/null
	NS=""
}
trap ns_cleanup EXIT
trap 'log "interrupted"; exit 130' INT TERM

# ns_new: a fresh namespace with lo up, MTU 1500, offloads off.
ns_new() {
	RUN_NO=$((RUN_NO + 1))
	NS=$NS_PREFIX-$$-$RUN_NO
	ip netns add "$NS" || return 1
	ip -n "$NS" link set lo mtu 1500 up || return 1
	ip netns exec "$NS" ethtool -K lo tso off gso off gro off >/dev/null 2>&1 ||
		log "ethtool -K lo tso/gso/gro off failed in $NS (TCP may send 64 KB segments)"
	return 0
}

# bg NAME ARGV...: start ARGV in the namespace, output to $LOGS/$RUN.NAME.
bg() {
	local name=$1
	shift
	echo "# $*" >"$LOGS/$RUN.$name.err"
	ip netns exec "$NS" timeout -k 3 "$LIMIT" "$@" >"$LOGS/$RUN.$name.out" 2>>"$LOGS/$RUN.$name.err" &
	BG_PID=$!
	BG_PIDS+=("$BG_PID")
}

# wait_port PROTO PORT PID: PID alive and the port is bound in the namespace.
wait_port() {
	local i flag=-Hlnu
	[[ $1 == tcp ]] && flag=-Hlnt
	for ((i = 0; i < 200; i++)); do
		kill -0 "$3" 2>/dev/null || return 1
		ip netns exec "$NS" ss $flag "sport = :$2" 2>/dev/null | grep -q . && return 0
		sleep 0.05
	done
	return 1
}

stop_bg() {
	kill -TERM "$1" 2>/dev/null
	wait "$1" 2>/dev/null
}
