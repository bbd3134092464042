#!/usr/bin/env bash
# ASCONF interop rows (RFC 5061) between csctp and usrsctp, over UDP
# encapsulation, inside a private network namespace whose loopback also
# carries 127.0.0.2 (usrsctp adds only addresses its interfaces have).
#
#   interop/asconf.sh [-b BYTES] [-p UDPPORT] [-o OUTDIR] [PAIR...]
#
# Each row is one run.sh test ($ASCONF_TEST, default asconf-add-c2s) in its
# own capture: the client sends BYTES (default 20m), the SHA-256 compared at
# the end, and half way adds 127.0.0.2 (Add IP) and asks the server to send
# there (Set Primary); asconf-move-c2s also deletes 127.0.0.1 (Delete IP) a
# second later. PAIRs are CLIENT:SERVER (default usrsctp:csctp); the client
# moves. The capture must decode cleanly (check.sh: CRC32c, no malformed
# frame, no expert error on csctp's side) and hold ASCONF and ASCONF-ACK
# chunks, csctp having sent the ones its role implies.
# Known failures (libusrsctp 0.9.5): csctp:usrsctp (usrsctp heartbeats the
# added address without UDP encapsulation, gets its own packet back on its
# raw socket and aborts), and usrsctp:csctp with asconf-move-c2s (usrsctp
# sends the Delete IP from the address it deletes, which RFC 5061 F6
# forbids and F8 makes csctp refuse with "Request to Delete Source IP
# Address"; usrsctp then aborts).
# Needs root, ip(8), build/interop/{usrsctp,csctp}-peer (interop/build.sh).
# Ends with "N passed, M failed"; exit 1 if any row failed.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
bin=${INTEROP_BIN:-$root/build/interop}
bytes=20m
port=29941
out=$root/build/interop/asconf
while getopts "b:p:o:h" o; do
	case $o in
	b) bytes=$OPTARG ;;
	p) port=$OPTARG ;;
	o) out=$OPTARG ;;
	*) sed -n '2,18p' "$0"; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
pairs=("$@")
((${#pairs[@]})) || pairs=(usrsctp:csctp)
[[ $(id -u) == 0 ]] && command -v ip >/dev/null || { echo "asconf.sh: needs root and ip" >&2; exit 2; }
mkdir -p "$out"

if [[ -z ${ASCONF_IN_NS:-} ]]; then
	ns=csctp_asconf_$$
	ip netns add "$ns" || exit 2
	trap 'ip netns delete "$ns" 2>/dev/null' EXIT
	ip netns exec "$ns" ip link set lo up &&
		ip netns exec "$ns" ip addr add 127.0.0.2/8 dev lo || exit 2
	ASCONF_IN_NS=1 ASCONF_TEST=${ASCONF_TEST:-} ip netns exec "$ns" "$0" -b "$bytes" -p "$port" -o "$out" "${pairs[@]}"
	exit $?
fi

export PEER_CSCTP=${PEER_CSCTP:-$bin/csctp-peer}
passed=0
failed=0
for pair in "${pairs[@]}"; do
	c=${pair%%:*}
	s=${pair#*:}
	t=${ASCONF_TEST:-asconf-add-c2s}
	me=client
	want=ASCONF
	if [[ $s == csctp ]]; then
		me=server
		want=ASCONF_ACK
	fi
	pcap="$out/$c-$s.$t.pcapng"
	"$here/capture/capture.sh" start "$pcap" "$port" >/dev/null || { failed=$((failed + 1)); continue; }
	sleep 1
	log="$out/$c-$s.$t.log"
	INTEROP_BIN=$bin "$here/run.sh" -b "$bytes" -p "$port" -o "$out" -t "$t" "$c:$s" >"$log" 2>&1
	rc=$?
	"$here/capture/capture.sh" stop "$pcap" >/dev/null
	why=""
	((rc == 0)) || why+=" run.sh($(grep -E '^(PASS|FAIL)' "$log" | head -1))"
	"$here/capture/check.sh" -p "$port" -o "$me" -R "$want" \
		-r INIT,INIT_ACK,COOKIE_ECHO,COOKIE_ACK,DATA,SACK,AUTH,ASCONF,ASCONF_ACK,HEARTBEAT,HEARTBEAT_ACK \
		"$pcap" >"$pcap.check" 2>&1 || why+=" wire-check($(head -1 "$pcap.check"))"
	n_as=$(awk '$1 == "CHUNK" && $2 == "ASCONF" { print $3 }' "$pcap.check")
	n_ack=$(awk '$1 == "CHUNK" && $2 == "ASCONF_ACK" { print $3 }' "$pcap.check")
	mal=$(sed -n 's/^CHECK .* malformed=\([0-9]*\) .*/\1/p' "$pcap.check")
	if [[ -z $why ]]; then
		passed=$((passed + 1))
		echo "PASS $t client=$c server=$s bytes=$bytes asconf=$n_as asconf_ack=$n_ack malformed=$mal $(grep -h '^ASCONF' "$out/$c-$s.$t".client.out | tr '\n' ' ')"
	else
		failed=$((failed + 1))
		echo "FAIL $t client=$c server=$s:$why (logs: $out/$c-$s.$t.*)"
	fi
done
echo "$passed passed, $failed failed"
((failed == 0))
