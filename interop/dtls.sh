#!/usr/bin/env bash
# SCTP over DTLS rows (RFC 8261; zero checksum, RFC 9653): csctp's go/sctp
# (sctp.Client / sctp.Server over a pion/dtls v4 connection) against
# pion/sctp over pion/dtls, both roles, with zero checksum off and on, and
# csctp <-> csctp over DTLS. Each row sends 48 messages (1 B .. 16 kB) on
# streams 0..3 each way, checks stream, PPID, order per stream and SHA-256
# of every message, counts the packets with checksum 0 each way, and ends
# with csctp's graceful Close. The Go module is interop/dtls (pion/dtls/v4
# v4.0.1, pion/sctp v1.12.1, which has EnableZeroChecksum), so neither is a
# dependency of the core package. Run by interop.sh (make interop).
#
#   interop/dtls.sh [-o OUTDIR]
# Prints one RESULT line per csctp <-> pion row, PASS/FAIL per row, and ends
# with "N passed, M failed"; exit 1 if any row failed.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
out=$root/build/interop/out/dtls
while getopts "o:h" o; do
	case $o in
	o) out=$OPTARG ;;
	*) sed -n '2,14p' "$0"; exit 2 ;;
	esac
done
mkdir -p "$out"
log=$out/go-test.log
(cd "$here/dtls" && go test -count=1 -v -timeout 300s ./...) >"$log" 2>&1
rc=$?
grep '^RESULT ' "$log"
pass=$(grep -cE '^    --- PASS: TestDTLS/|^--- PASS: TestDTLSCsctpBoth' "$log")
fail=$(grep -cE '^    --- FAIL: TestDTLS/|^--- FAIL: TestDTLSCsctpBoth' "$log")
grep -E -- '--- (PASS|FAIL): TestDTLS' "$log" | sed 's/^ *--- //'
if ((rc != 0 && fail == 0)); then
	# a build error or a panic: no row reported
	tail -20 "$log"
	fail=1
fi
echo "$pass passed, $fail failed"
((fail == 0))
