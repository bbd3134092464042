#!/usr/bin/env bash
# Wire validation of the Go test suite: runs `go test ./go/sctp` with the
# stack's packet tap on (CSCTP_PCAP: every SCTP packet our stacks send, as
# raw IP with SCTP inside, see csctp/io_pcap.h), then has tshark decode the
# capture. Fails on any malformed frame, wrong CRC32c, expert error, or a
# frame that is not SCTP; prints the chunk-type counts and a summary line.
# A checksum of zero is RFC 9653's zero checksum: the suite negotiates it
# only over its lower-layer tests (TestLower*, ZeroChecksum), whose packets
# the tap records too; such frames are counted apart (zero_checksum=N) and
# their expert item (the CRC tshark expects) is not counted as an error.
#
#   interop/capture/gotest.sh [OUTDIR]      (default build/interop/gotest)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
out=${1:-$root/build/interop/gotest}
mkdir -p "$out"
pcap=$out/go-test.pcap
rm -f "$pcap"
command -v tshark >/dev/null || { echo "gotest.sh: tshark not found: run interop/deps.sh" >&2; exit 2; }

echo "== go test ./go/sctp with CSCTP_PCAP=$pcap"
(cd "$root" && CSCTP_PCAP=$pcap go test -count=1 -short ./go/sctp) | tail -3

ts() { tshark -r "$pcap" -o sctp.checksum:crc-32c -o sctp.ulp_dissection:FALSE "$@" 2>/dev/null; }
frames=$(ts -T fields -e frame.number | wc -l)
notsctp=$(ts -Y "!sctp" -T fields -e frame.number | wc -l)
malformed=$(ts -Y "_ws.malformed" -T fields -e frame.number | wc -l)
badsum=$(ts -Y "sctp && sctp.checksum.status != 1 && sctp.checksum != 0" -T fields -e frame.number | wc -l)
zerosum=$(ts -Y "sctp && sctp.checksum == 0" -T fields -e frame.number | wc -l)
experr=$(ts -Y "_ws.expert.severity == error && !(sctp.checksum == 0)" -T fields -e frame.number | wc -l)
echo "== chunk types sent by our stacks"
ts -T fields -e sctp.chunk_type | tr ',' '\n' | sort -n | uniq -c |
	awk 'BEGIN{split("DATA INIT INIT_ACK SACK HEARTBEAT HEARTBEAT_ACK ABORT SHUTDOWN SHUTDOWN_ACK ERROR COOKIE_ECHO COOKIE_ACK ECNE CWR SHUTDOWN_COMPLETE AUTH",n," ")
	       for (i = 1; i <= 16; i++) nm[i - 1] = n[i]
	       nm[64] = "I_DATA"; nm[128] = "ASCONF_ACK"; nm[130] = "RE_CONFIG"; nm[132] = "PAD"
	       nm[192] = "FORWARD_TSN"; nm[193] = "ASCONF"; nm[194] = "I_FORWARD_TSN"}
	     {name=($2 in nm)?nm[$2]:"TYPE_" $2; printf "CHUNK %s %d\n", name, $1}'
echo "CHECK frames=$frames not_sctp=$notsctp malformed=$malformed bad_checksum=$badsum zero_checksum=$zerosum expert_errors=$experr"
if [ "$frames" -eq 0 ] || [ "$notsctp" -ne 0 ] || [ "$malformed" -ne 0 ] ||
	[ "$badsum" -ne 0 ] || [ "$experr" -ne 0 ]; then
	echo "gotest wire check: 0 passed, 1 failed"
	exit 1
fi
echo "gotest wire check: 1 passed, 0 failed"
