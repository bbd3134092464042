#!/usr/bin/env bash
# Build the interop peers into build/interop/ (or $INTEROP_BIN).
#   build/interop/usrsctp-peer   needs libusrsctp-dev (interop/deps.sh)
#   build/interop/pion-peer      needs Go; fetches github.com/pion/sctp (pinned in interop/pion/go.mod)
#   build/interop/csctp-peer     the csctp driver (interop/csctp/peer.c) over
#                                $CSCTP_LIB (default build/libcsctp.a, made
#                                with `make lib` when CSCTP_LIB is not set)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
bin=${INTEROP_BIN:-$here/../build/interop}
mkdir -p "$bin"
bin=$(cd "$bin" && pwd)
make -s -C "$here/usrsctp" OUT="$bin"
(cd "$here/pion" && go build -o "$bin/pion-peer" .)
root=$(cd "$here/.." && pwd)
if [[ -z ${CSCTP_LIB:-} ]]; then
	make -s -C "$root" lib
	CSCTP_LIB=$root/build/libcsctp.a
fi
make -s -C "$here/csctp" OUT="$bin" ROOT="$root" LIB="$CSCTP_LIB"
echo "built $bin/usrsctp-peer $bin/pion-peer $bin/csctp-peer"
