#!/usr/bin/env bash
# Validate a capture of UDP-encapsulated SCTP (RFC 6951) with tshark.
#
#   check.sh [-p PORT[,PORT...]] [-r CHUNK[,CHUNK...]] [-o server|client
#            [-R CHUNK[,CHUNK...]]] [-v] PCAP
#
#   -p  UDP ports to decode as SCTP (default $CHECK_PORTS or 9899). Every UDP
#       datagram to or from these ports is dissected as an SCTP packet.
#   -r  chunk types that must appear at least once (names as printed below,
#       e.g. INIT,COOKIE_ECHO,DATA,SACK,SHUTDOWN_COMPLETE or ABORT).
#   -o  the side under test: "server" sends from the -p ports, "client" from
#       any other port. Bad checksums, malformed frames and expert errors then
#       fail only when that side sent them (the other side's are printed as
#       PEER_ISSUE lines); that side must not send a chunk type tshark does
#       not know (TYPE_n).
#   -R  chunk types the side under test (-o) must have sent at least once.
#   -v  list every offending frame.
#
# Every packet is also attributed to a side by its UDP source port: SIDE lines
# count packets and problems per side, SENT lines count chunk types per side
# ("SENT server DATA 123").
#
# Fails (exit 1) when: no SCTP packet was decoded; any CRC32c is wrong
# (sctp.checksum:crc-32c makes tshark verify it; a zero checksum counts as
# wrong, RFC 9653 is not assumed); any frame is malformed (_ws.malformed);
# any expert item of severity "error"; a datagram on the ports is not SCTP;
# a required chunk type is missing. Prints one CHECK line and a CHUNK line per
# chunk type with its count.
#
# Upper-layer dissection is off (sctp.ulp_dissection:FALSE): test payloads
# carry PPIDs 0..N that Wireshark would otherwise hand to the SS7/3GPP/WebRTC
# dissectors registered on them, which then report random bytes as malformed.
set -euo pipefail

ports=${CHECK_PORTS:-9899}
require=""
side=""
side_require=""
verbose=0
while getopts "p:r:o:R:vh" o; do
	case $o in
	p) ports=$OPTARG ;;
	r) require=$OPTARG ;;
	o) side=$OPTARG ;;
	R) side_require=$OPTARG ;;
	v) verbose=1 ;;
	*) sed -n '2,37p' "$0"; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
pcap=${1:-}
[[ -z $side || $side == server || $side == client ]] || { echo "check.sh: -o server|client" >&2; exit 2; }
[[ -z $side_require || -n $side ]] || { echo "check.sh: -R needs -o" >&2; exit 2; }
[[ -n $pcap && -r $pcap ]] || { echo "check.sh: no readable capture given" >&2; exit 2; }
command -v tshark >/dev/null || { echo "check.sh: tshark not found: run interop/deps.sh" >&2; exit 2; }

args=(-n -r "$pcap"
	-o sctp.checksum:crc-32c
	-o sctp.ulp_dissection:FALSE
	-o sctp.reassembly:FALSE
	-o sctp.tsn_analysis:TRUE)
udpfilter=""
IFS=, read -r -a plist <<<"$ports"
for p in "${plist[@]}"; do
	[[ $p =~ ^[0-9]+$ ]] || { echo "check.sh: bad port $p" >&2; exit 2; }
	args+=(-d "udp.port==$p,sctp")
	udpfilter+="${udpfilter:+ || }udp.port == $p"
done

# ICMP errors quote UDP+SCTP headers; they are counted, not checked.
udpfilter="($udpfilter) || icmp || icmpv6"

ts() { tshark "${args[@]}" "$@" 2>/dev/null; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# One pass over the capture (tshark dissects every frame again on each pass,
# ~25 us per frame): the per-frame facts, the malformed marker (a dissector
# exception; the field prints text only when present) and ICMP.
ts -Y "$udpfilter" -T fields -E separator=/t -E occurrence=a -E aggregator=, \
	-e frame.number -e sctp.checksum.status -e sctp.checksum -e sctp.chunk_type \
	-e _ws.expert.severity -e sctp.srcport -e udp.srcport -e _ws.malformed \
	-e icmp.type -e icmpv6.type >"$tmp/fields"

awk -F'\t' -v verbose="$verbose" -v out="$tmp/chunks" -v sideout="$tmp/sides" \
	-v ports="$ports" -v mal="$tmp/malformed" -v icmpout="$tmp/icmp" '
BEGIN {
	np = split(ports, pl, ",")
	for (i = 1; i <= np; i++) isport[pl[i]] = 1
	split("DATA INIT INIT_ACK SACK HEARTBEAT HEARTBEAT_ACK ABORT SHUTDOWN SHUTDOWN_ACK ERROR COOKIE_ECHO COOKIE_ACK ECNE CWR SHUTDOWN_COMPLETE AUTH NR_SACK", n, " ")
	for (i = 1; i <= 17; i++) name[i - 1] = n[i]
	name[64] = "I_DATA"; name[128] = "ASCONF_ACK"; name[130] = "RE_CONFIG"
	name[132] = "PAD"; name[192] = "FORWARD_TSN"; name[193] = "ASCONF"
	name[194] = "I_FORWARD_TSN"
}
$9 != "" || $10 != "" { icmp++; next }
{
	frames++
	sd = ($7 in isport) ? "server" : "client"
	spk[sd]++
	if ($8 != "") { malside[sd]++; print $1 "\t" $7 > mal }
	if ($6 == "") { undecoded++; sund[sd]++; if (verbose) print "undecoded frame " $1 > "/dev/stderr"; next }
	sctp++
	if ($2 != "1") {
		bad++; sbad[sd]++
		if ($3 == "0x00000000") zero++
		if (verbose) print "bad checksum frame " $1 " (" $3 ") from " sd > "/dev/stderr"
	}
	nc = split($4, c, ",")
	for (i = 1; i <= nc; i++) {
		t = c[i] + 0
		cn = (t in name) ? name[t] : "TYPE_" t
		cnt[cn]++
		scnt[sd " " cn]++
	}
	ns = split($5, s, ",")
	for (i = 1; i <= ns; i++) {
		if (s[i] == 8388608) { experr++; serr[sd]++; if (verbose) print "expert error frame " $1 " from " sd > "/dev/stderr" }
		else if (s[i] == 6291456) expwarn++
	}
}
END {
	printf "frames=%d sctp_packets=%d bad_checksum=%d zero_checksum=%d expert_errors=%d expert_warnings=%d undecoded=%d\n", \
		frames, sctp, bad, zero, experr, expwarn, undecoded
	for (k in cnt) printf "%s %d\n", k, cnt[k] > out
	print icmp + 0 > icmpout
	split("server client", sides, " ")
	for (j = 1; j <= 2; j++) {
		sd = sides[j]
		printf "SIDE %s packets=%d bad_checksum=%d malformed=%d expert_errors=%d undecoded=%d\n", \
			sd, spk[sd], sbad[sd], malside[sd], serr[sd], sund[sd] > sideout
	}
	for (k in scnt) printf "SENT %s %d\n", k, scnt[k] > sideout
}' "$tmp/fields" >"$tmp/summary"

read -r summary <"$tmp/summary"
touch "$tmp/malformed"
malformed=$(wc -l <"$tmp/malformed")
icmp=$(cat "$tmp/icmp")
eval "$(tr ' ' '\n' <<<"$summary" | sed 's/^/s_/')"

fail=()
peer_issues=()
((s_sctp_packets > 0)) || fail+=("no SCTP packets decoded on udp ports $ports")
if [[ -z $side ]]; then
	((s_bad_checksum == 0)) || fail+=("bad_checksum=$s_bad_checksum")
	((malformed == 0)) || fail+=("malformed=$malformed")
	((s_expert_errors == 0)) || fail+=("expert_errors=$s_expert_errors")
	((s_undecoded == 0)) || fail+=("undecoded=$s_undecoded")
else
	other=client
	[[ $side == client ]] && other=server
	# side_field SIDE KEY: KEY= of the SIDE line
	side_field() { sed -n "s/^SIDE $1 .*\b$2=\([0-9]*\).*/\1/p" "$tmp/sides"; }
	for k in bad_checksum malformed expert_errors undecoded; do
		v=$(side_field "$side" $k)
		((${v:-0} == 0)) || fail+=("$side sent $k=$v")
		v=$(side_field "$other" $k)
		((${v:-0} == 0)) || peer_issues+=("$other (the peer) sent $k=$v")
	done
	if grep -q "^SENT $side TYPE_" "$tmp/sides"; then
		fail+=("$side sent chunk types tshark does not know: $(grep "^SENT $side TYPE_" "$tmp/sides" | cut -d' ' -f3 | tr '\n' ' ')")
	fi
	if [[ -n $side_require ]]; then
		IFS=, read -r -a rlist <<<"$side_require"
		for r in "${rlist[@]}"; do
			grep -q "^SENT $side $r " "$tmp/sides" || fail+=("$side never sent $r")
		done
	fi
fi
if [[ -n $require ]]; then
	IFS=, read -r -a rlist <<<"$require"
	for r in "${rlist[@]}"; do
		grep -q "^$r " "$tmp/chunks" 2>/dev/null || fail+=("missing chunk $r")
	done
fi
if ((verbose)) && ((malformed > 0)); then
	cut -f1 "$tmp/malformed" | sed 's/^/malformed frame /' >&2
fi

status=ok
((${#fail[@]} == 0)) || status=fail
echo "CHECK pcap=$pcap ports=$ports $summary malformed=$malformed icmp=$icmp status=$status"
if [[ -f $tmp/chunks ]]; then sort -k2,2nr "$tmp/chunks" | sed 's/^/CHUNK /'; fi
if [[ -f $tmp/sides ]]; then grep '^SIDE ' "$tmp/sides"; grep '^SENT ' "$tmp/sides" | sort -k2,2 -k4,4nr; fi
for p in "${peer_issues[@]}"; do echo "PEER_ISSUE $p"; done
if [[ $status != ok ]]; then
	printf 'CHECK failure: %s\n' "${fail[@]}" >&2
	exit 1
fi
