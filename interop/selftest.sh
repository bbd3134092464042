#!/usr/bin/env bash
# Self-test of the interop harness, before csctp is plugged in: build both
# peers, run the pion peer's unit tests, then the whole matrix usrsctp <-> pion
# in both directions with a capture validated by tshark.
#   interop/selftest.sh [run.sh flags, e.g. -b 5m -k]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
"$here/build.sh"
(cd "$here/pion" && go test ./...)
exec "$here/run.sh" -c "$@" usrsctp:pion pion:usrsctp
