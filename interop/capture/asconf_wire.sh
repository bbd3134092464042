#!/usr/bin/env bash
# Check what an ASCONF row (interop/asconf.sh) did on the wire (RFC 5061).
#
#   asconf_wire.sh -p PORT -m add|move|refuse -a OLD -n NEW PCAP
#
# The client (UDP source port other than PORT) moves from OLD to NEW with one
# request per ASCONF chunk; the server (UDP source port PORT) answers.
#   every mode: each ASCONF sequence number the client sent has an ASCONF-ACK
#     of the server with that number, sent to the ASCONF's IP source (5.2 E6).
#   add:    no ASCONF-ACK carries an Error Cause Indication; the server
#     sent a HEARTBEAT to NEW that the client answered (5.3 F14).
#   move:   add's checks; the ASCONF with the Delete IP of OLD came from NEW
#     (F6); after its ASCONF-ACK the client sends nothing from OLD and its
#     DATA comes from NEW.
#   refuse: the client sent the Delete IP of OLD from OLD (against F6); the
#     server's ASCONF-ACK for it carries cause 0x00A2 "Request to Delete
#     Source IP Address" (F8: the receiver MUST reject), the ones before it
#     no error. What the client does afterwards (ABORT) is printed.
# Prints one line "ASCONF_WIRE mode=... status=ok|fail ..."; exit 1 on fail.
set -euo pipefail

port="" mode="" old="" new=""
while getopts "p:m:a:n:h" o; do
	case $o in
	p) port=$OPTARG ;;
	m) mode=$OPTARG ;;
	a) old=$OPTARG ;;
	n) new=$OPTARG ;;
	*) sed -n '2,20p' "$0"; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
pcap=${1:-}
[[ -n $port && -n $old && -n $new && -r $pcap ]] || { sed -n '2,20p' "$0"; exit 2; }
[[ $mode == add || $mode == move || $mode == refuse ]] || { echo "asconf_wire.sh: bad -m" >&2; exit 2; }

# One line per packet: frame|udp src port|ip src|ip dst|chunk types|
# parameter types|IPv4 address parameters|cause codes|ASCONF seq|ACK seq|
# chunk flags.
tshark -n -r "$pcap" -d "udp.port==$port,sctp" -o sctp.ulp_dissection:FALSE \
	-Y sctp -T fields -E separator='|' -E occurrence=a -E aggregator=, \
	-e frame.number -e udp.srcport -e ip.src -e ip.dst -e sctp.chunk_type \
	-e sctp.parameter_type -e sctp.parameter_ipv4_address -e sctp.cause_code \
	-e sctp.asconf_seq_nr_number -e sctp.asconf_ack_seq_nr_number \
	-e sctp.chunk_flags 2>/dev/null |
	awk -F'|' -v port="$port" -v mode="$mode" -v old="$old" -v new="$new" '
function has(list, x,   n, a, i) { n = split(list, a, ","); for (i = 1; i <= n; i++) if (a[i] == x) return 1; return 0 }
function last(list,   n, a) { n = split(list, a, ","); return n ? a[n] : "" }
{
	srv = ($2 == port)
	if (!srv && has($5, 193)) {                       # ASCONF
		seq = $9; asrc[seq] = $3
		if (!(seq in seen)) { seen[seq] = 1; aorder[++nas] = seq }
		if (has($6, "0xc002")) { delseq = seq; delsrc = $3; deladdr = last($7) }
	}
	if (srv && has($5, 128)) {                        # ASCONF-ACK
		seq = $10; acked[seq] = 1; adst[seq] = $4; aframe[seq] = $1
		if (has($6, "0xc003")) { err[seq] = $8 }
	}
	if (srv && has($5, 4) && $4 == new) hb_new++     # HEARTBEAT to NEW
	if (!srv && has($5, 5) && hb_new) hback_new++     # HEARTBEAT-ACK after it
	rows[NR] = $0
}
END {
	why = ""
	if (!nas) why = why " no-ASCONF"
	for (i = 1; i <= nas; i++) {
		s = aorder[i]
		if (!acked[s]) why = why " no-ACK(" s ")"
		else if (adst[s] != asrc[s]) why = why " E6(ack-to=" adst[s] ",asconf-from=" asrc[s] ")"
		if (mode != "refuse" || s != delseq) { if (s in err) why = why " error-cause(" s ":" err[s] ")" }
	}
	if (mode != "refuse" && !(hb_new && hback_new)) why = why " F14(hb_to_new=" hb_new + 0 ",hback_after=" hback_new + 0 ")"
	after_old = 0; data_new = 0; peer_abort = 0; abort_flags = ""
	if (mode == "move") {
		if (delseq == "") why = why " no-Delete-IP"
		else if (delsrc != new) why = why " F6(delete-sent-from=" delsrc ")"
		for (r = 1; r <= NR; r++) {
			split(rows[r], f, "|")
			if (f[1] + 0 <= aframe[delseq] + 0 || f[2] == port) continue
			if (f[3] == old) after_old++
			if (f[3] == new && has(f[5], 0)) data_new++
		}
		if (after_old) why = why " sent-from-old-after-delete(" after_old ")"
		if (!data_new) why = why " no-DATA-from-new"
	}
	if (mode == "refuse") {
		if (delseq == "") why = why " no-Delete-IP"
		else {
			if (delsrc != old || deladdr != old) why = why " not-a-source-delete(from=" delsrc ",deletes=" deladdr ")"
			if (!has(err[delseq], "0x00a2")) why = why " F8(cause=" err[delseq] ")"
			for (r = 1; r <= NR; r++) {
				split(rows[r], f, "|")
				if (f[1] + 0 > aframe[delseq] + 0 && f[2] != port && has(f[5], 6)) { peer_abort++; abort_flags = f[11] }
			}
		}
	}
	printf "ASCONF_WIRE mode=%s asconf=%d delete_from=%s refusal=%s hb_to_new=%d hback_after=%d from_old_after_delete=%d data_from_new_after_delete=%d client_aborts_after=%d abort_flags=%s status=%s%s\n",
		mode, nas, delsrc == "" ? "-" : delsrc, (delseq in err) ? err[delseq] : "-", hb_new, hback_new,
		after_old, data_new, peer_abort, abort_flags == "" ? "-" : abort_flags, why == "" ? "ok" : "fail", why
	exit why != ""
}'
