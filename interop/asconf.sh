#!/usr/bin/env bash
# ASCONF interop rows (RFC 5061) between csctp and usrsctp, over UDP
# encapsulation, inside a private network namespace whose loopback also
# carries 127.0.0.2 (usrsctp adds only addresses its interfaces have).
#
#   interop/asconf.sh [-b BYTES] [-p UDPPORT] [-o OUTDIR] [ROW...]
#
# A ROW is CLIENT:SERVER:TEST:EXPECT, one run.sh test in its own capture:
# the client sends BYTES (default 20m), the SHA-256 compared at the end, and
# half way adds 127.0.0.2 (Add IP) and asks the server to send there (Set
# Primary); asconf-move-c2s also deletes 127.0.0.1 (Delete IP) a second
# later. The client moves. Every row's capture must decode cleanly
# (check.sh: CRC32c, no malformed frame, no expert error on csctp's side)
# and hold ASCONF and ASCONF-ACK chunks, and capture/asconf_wire.sh -m
# EXPECT must hold (each ASCONF answered to its source, E6):
#   add     no error cause; the new address verified by HEARTBEAT (F14)
#   move    add's, and the Delete IP sent from the new address (F6), nothing
#           from the old one after its ASCONF-ACK, DATA from the new one
#   refuse  the Delete IP came from the address it deletes and csctp
#           refused it with 0x00A2 "Request to Delete Source IP Address"
#           (F8: the receiver MUST reject); the transfer is not asserted
# Default rows: usrsctp:csctp:asconf-add-c2s:add,
# usrsctp:csctp:asconf-move-c2s:refuse, csctp:usrsctp:asconf-add-c2s:add,
# csctp:usrsctp:asconf-move-c2s:move.
# usrsctp as the mover: libusrsctp 0.9.5 over UDP cannot choose the source
# address (the kernel picks 127.0.0.1 for 127.0.0.1), so its Delete IP of
# 127.0.0.1 comes from 127.0.0.1 (against F6) and csctp refuses it (F8).
# usrsctp then answers csctp's ASCONF-ACK, sent to 127.0.0.1 as E6 requires,
# with an ABORT (T bit): it already treats packets to the address it is
# deleting as out of the blue (against F4), so that row's transfer ends
# there; the refusal is what the row asserts. With usrsctp as the server,
# the usrsctp peer gives the accepted association its peer's UDP
# encapsulation port (SCTP_REMOTE_UDP_ENCAPS_PORT): libusrsctp gives an
# address added by ASCONF the association's port, which is otherwise 0, and
# then heartbeats it without encapsulation.
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
	*) sed -n '2,40p' "$0"; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
rows=("$@")
((${#rows[@]})) || rows=(usrsctp:csctp:asconf-add-c2s:add usrsctp:csctp:asconf-move-c2s:refuse
	csctp:usrsctp:asconf-add-c2s:add csctp:usrsctp:asconf-move-c2s:move)
[[ $(id -u) == 0 ]] && command -v ip >/dev/null || { echo "asconf.sh: needs root and ip" >&2; exit 2; }
mkdir -p "$out"

if [[ -z ${ASCONF_IN_NS:-} ]]; then
	ns=csctp_asconf_$$
	ip netns add "$ns" || exit 2
	trap 'ip netns delete "$ns" 2>/dev/null' EXIT
	ip netns exec "$ns" ip link set lo up &&
		ip netns exec "$ns" ip addr add 127.0.0.2/8 dev lo || exit 2
	ASCONF_IN_NS=1 ip netns exec "$ns" "$0" -b "$bytes" -p "$port" -o "$out" "${rows[@]}"
	exit $?
fi

export PEER_CSCTP=${PEER_CSCTP:-$bin/csctp-peer}
passed=0
failed=0
for row in "${rows[@]}"; do
	IFS=: read -r c s t expect <<<"$row"
	[[ -n $expect ]] || { echo "asconf.sh: bad row $row (CLIENT:SERVER:TEST:EXPECT)" >&2; exit 2; }
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
	# refuse: the client's association never ends (see above); 30 s
	# covers the transfer up to the Delete IP.
	tmo=200
	[[ $expect == refuse ]] && tmo=30
	RUN_TIMEOUT=$tmo INTEROP_BIN=$bin "$here/run.sh" -b "$bytes" -p "$port" -o "$out" -t "$t" "$c:$s" >"$log" 2>&1
	rc=$?
	"$here/capture/capture.sh" stop "$pcap" >/dev/null
	why=""
	# refuse: the transfer ends when the peer aborts; not asserted.
	((rc == 0)) || [[ $expect == refuse ]] || why+=" run.sh($(grep -E '^(PASS|FAIL)' "$log" | head -1))"
	"$here/capture/check.sh" -p "$port" -o "$me" -R "$want" \
		-r INIT,INIT_ACK,COOKIE_ECHO,COOKIE_ACK,DATA,SACK,AUTH,ASCONF,ASCONF_ACK,HEARTBEAT,HEARTBEAT_ACK \
		"$pcap" >"$pcap.check" 2>&1 || why+=" wire-check($(head -1 "$pcap.check"))"
	"$here/capture/asconf_wire.sh" -p "$port" -m "$expect" -a 127.0.0.1 -n 127.0.0.2 "$pcap" \
		>"$pcap.asconf" 2>&1 || why+=" $(cat "$pcap.asconf")"
	n_as=$(awk '$1 == "CHUNK" && $2 == "ASCONF" { print $3 }' "$pcap.check")
	n_ack=$(awk '$1 == "CHUNK" && $2 == "ASCONF_ACK" { print $3 }' "$pcap.check")
	mal=$(sed -n 's/^CHECK .* malformed=\([0-9]*\) .*/\1/p' "$pcap.check")
	wire=$(sed 's/^ASCONF_WIRE //; s/ status=ok$//' "$pcap.asconf")
	transfer=ok
	((rc == 0)) || transfer="incomplete($(grep -m1 -E '^FAIL' "$log" | grep -oE '(client|server)-rc=[0-9]+' | tr '\n' ' ' | sed 's/ $//; s/ /,/g'))"
	if [[ -z $why ]]; then
		passed=$((passed + 1))
		echo "PASS $t client=$c server=$s expect=$expect bytes=$bytes transfer=$transfer asconf=$n_as asconf_ack=$n_ack malformed=$mal $wire"
	else
		failed=$((failed + 1))
		echo "FAIL $t client=$c server=$s expect=$expect:$why (logs: $out/$c-$s.$t.*)"
	fi
done
echo "$passed passed, $failed failed"
((failed == 0))
