#!/usr/bin/env bash
# Start or stop a loopback capture of UDP-encapsulated SCTP.
#
#   capture.sh start PCAP PORT[,PORT...]   capture UDP traffic to/from the ports on lo
#   capture.sh stop PCAP                   stop it; all packets are flushed
#
# start returns once dumpcap is capturing (so no early packet is missed); the
# capturer's pid is kept in PCAP.pid. stop sends SIGINT (dumpcap then writes
# out what it holds and exits), waits for the process to be gone, and prints
#   CAPTURE pcap=PCAP packets=N dropped=M
# (M > 0: the kernel buffer overflowed and the capture is incomplete; stop
# then exits 3, so callers can tell a lossy capture from a bad one).
# CAPTURE_BUFFER_MB sets dumpcap's kernel buffer (default 256); CAPTURE_SETTLE
# the pause after dumpcap reports it is capturing (default 0.3 s).
# Needs dumpcap (Debian package wireshark-common, pulled in by tshark) and
# the right to capture (root, or CAP_NET_RAW on dumpcap).
set -euo pipefail

die() { echo "capture.sh: $*" >&2; exit 2; }

cmd=${1:-}
pcap=${2:-}
[[ -n $cmd && -n $pcap ]] || die "usage: capture.sh start PCAP PORTS | stop PCAP"
pidfile=$pcap.pid
logfile=$pcap.log

case $cmd in
start)
	ports=${3:-} ; [[ -n $ports ]] || die "start needs PORTS (comma-separated UDP ports)"
	command -v dumpcap >/dev/null || die "dumpcap not found: run interop/deps.sh (installs tshark)"
	filter=""
	IFS=, read -r -a plist <<<"$ports"
	for p in "${plist[@]}"; do
		[[ $p =~ ^[0-9]+$ ]] || die "bad port $p"
		filter+="${filter:+ or }udp port $p"
	done
	rm -f "$pcap" "$logfile"
	# -q: no packet counts; -w: pcapng; -f: BPF on the given UDP ports.
	# Loopback snaplen is unlimited by default (65535+), big packets are whole.
	dumpcap -q -i lo -B "${CAPTURE_BUFFER_MB:-256}" -f "$filter" -w "$pcap" >"$logfile" 2>&1 &
	pid=$!
	echo "$pid" >"$pidfile"
	# dumpcap prints "Capturing on 'Loopback: lo'" once the BPF is installed.
	for _ in $(seq 1 100); do
		if grep -q "Capturing on" "$logfile" 2>/dev/null; then
			# The message can precede the first read of the ring buffer by
			# a little on a loaded machine: let it settle (CAPTURE_SETTLE
			# seconds, default 0.3; more when the machine is busy).
			sleep "${CAPTURE_SETTLE:-0.3}"
			exit 0
		fi
		kill -0 "$pid" 2>/dev/null || { cat "$logfile" >&2; die "dumpcap exited"; }
		sleep 0.05
	done
	cat "$logfile" >&2
	die "dumpcap did not start within 5 s"
	;;
stop)
	[[ -f $pidfile ]] || die "no $pidfile: was the capture started?"
	pid=$(cat "$pidfile")
	# Let the kernel hand over the last packets before asking dumpcap to stop.
	sleep 0.2
	if kill -0 "$pid" 2>/dev/null; then
		kill -INT "$pid"
		for _ in $(seq 1 100); do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.05
		done
		if kill -0 "$pid" 2>/dev/null; then
			kill -TERM "$pid" 2>/dev/null || true
			sleep 0.5
		fi
	fi
	rm -f "$pidfile"
	[[ -s $pcap ]] || die "capture $pcap is empty"
	# "Packets received/dropped on interface 'Loopback: lo': 279431/23305 (...)"
	stats=$(sed -n 's/.*dropped on interface.*: \([0-9]*\)\/\([0-9]*\) .*/\1 \2/p' "$logfile" | tail -1)
	read -r got dropped <<<"${stats:-? ?}"
	echo "CAPTURE pcap=$pcap packets=${got:-?} dropped=${dropped:-?}"
	[[ ${dropped:-0} == 0 ]] || exit 3
	;;
*)
	die "unknown command $cmd"
	;;
esac
