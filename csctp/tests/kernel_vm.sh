#!/usr/bin/env bash
# Builds the kernel-backend tests statically and runs them inside a QEMU VM
# whose Linux kernel has SCTP (../shared/tools/sctp-vm, or $SCTP_VM).
#
#   usage: csctp/tests/kernel_vm.sh [--no-go]
#
# Builds build/kernel-vm/test_kernel (gcc -static, every csctp/*.c for this
# OS plus the test helpers) and, when go/sctp has tests and Go is installed
# (and --no-go is not given), the Go test binary (go test -c, cgo, linked
# statically), then runs them in one VM boot with csctp/tests/run.sh and
# prints its summary. The Go tests run every core test over each transport
# (subtests "udp" and "kernel") with CSCTP_KERNEL_TESTS=1: a kernel subtest
# that cannot run fails instead of skipping; the go/sctp counts (kernel
# subtests, skips) are printed after the VM run. Exit status: the tests' (run.sh's), or the VM's when
# it failed to boot (125) or timed out (124).
#
# Environment:
#   SCTP_VM         the VM runner (default: ../shared/tools/sctp-vm relative
#                   to the repository, else sctp-vm on PATH)
#   CC              C compiler (default gcc)
#   VM_TIMEOUT      seconds for the whole VM run (default 600)
#   VM_SMP          virtual CPUs (default 2)
#   VERBOSE=1       print every program's full output
#   GO_RACE=1       build the Go test binary with the race detector
#   GO_TEST_TIMEOUT go test -timeout inside the VM (default 480s)
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"

with_go=1
for a in "$@"; do
  case "$a" in
  --no-go) with_go=0 ;;
  *) echo "usage: $0 [--no-go]" >&2; exit 2 ;;
  esac
done

vm=${SCTP_VM:-}
if [ -z "$vm" ]; then
  if [ -x "$root/../shared/tools/sctp-vm" ]; then
    vm="$root/../shared/tools/sctp-vm"
  elif [ -x /work/shared/tools/sctp-vm ]; then
    vm=/work/shared/tools/sctp-vm
  else
    vm=$(command -v sctp-vm || true)
  fi
fi
if [ -z "$vm" ]; then
  echo "kernel_vm.sh: sctp-vm not found (set SCTP_VM)" >&2
  exit 2
fi

cc=${CC:-gcc}
out="$root/build/kernel-vm"
rm -rf "$out"
mkdir -p "$out"

# The same sources the Makefile builds for this OS (files ending in _<os>.c
# only on that OS).
os=$(uname -s | tr A-Z a-z)
srcs=()
for f in csctp/*.c; do
  case "$f" in
  *_aix.c|*_android.c|*_darwin.c|*_dragonfly.c|*_freebsd.c|*_illumos.c|\
  *_ios.c|*_linux.c|*_netbsd.c|*_openbsd.c|*_solaris.c|*_windows.c)
    [[ "$f" == *_"$os".c ]] || continue ;;
  esac
  srcs+=("$f")
done
helpers=()
for f in csctp/tests/*.c; do
  case "$(basename "$f")" in test_*) ;; *) helpers+=("$f") ;; esac
done

cflags=(-std=c11 -O1 -g -Wall -Wextra -D_GNU_SOURCE -Icsctp -Icsctp/tests)
echo "== build test_kernel (static)"
"$cc" "${cflags[@]}" -static -o "$out/test_kernel" csctp/tests/test_kernel.c \
  "${helpers[@]}" "${srcs[@]}" -lm

bins=(test_kernel)

# The Go kernel-backend tests, when there are any.
if [ "$with_go" = 1 ] && command -v go >/dev/null 2>&1 &&
  ls go/sctp/*_test.go >/dev/null 2>&1; then
  echo "== build sctp.test (go test -c, static)"
  race=()
  if [ "${GO_RACE:-0}" = 1 ]; then race=(-race); fi
  # (The linker's warning about getaddrinfo in a static binary is expected:
  # the tests resolve no host names.)
  if ! CGO_ENABLED=1 go test -c "${race[@]}" -o "$out/sctp.test" \
    -ldflags '-linkmode external -extldflags "-static"' ./go/sctp \
    >"$out/go-build.log" 2>&1; then
    cat "$out/go-build.log" >&2
    exit 1
  fi
  grep -v -e "requires at runtime the shared libraries" -e "^# " \
    -e "in function \`_cgo_[0-9a-f]*_C2func_getaddrinfo'" \
    "$out/go-build.log" || true
  # run.sh wants one summary line: wrap the Go binary.
  cat >"$out/go_kernel_tests" <<'EOF'
#!/bin/sh
# Runs the Go tests (every transport: the "kernel" subtests against this
# kernel's SCTP) and prints a run.sh summary. CSCTP_KERNEL_TESTS=1 makes a
# missing kernel SCTP a failure and lets the tests set net.sctp.udp_port.
# -test.short skips the namespace/nftables loss test (host only).
# The full log and the counts are also left in the shared folder
# (build/kernel-vm/go-test.log, go-summary.txt on the host).
cd "$(dirname "$0")"
log=./go-test.log
CSCTP_KERNEL_TESTS=1 ./sctp.test -test.v -test.count=1 -test.short \
  -test.timeout=${GO_TEST_TIMEOUT:-480s} >"$log" 2>&1
rc=$?
cat "$log"
# Leaf results only (a parent test passes when its subtests pass).
pass=$(grep -c '^ *--- PASS' "$log")
fail=$(grep -c '^ *--- FAIL' "$log")
skip=$(grep -c '^ *--- SKIP' "$log")
kpass=$(grep -c '^ *--- PASS: [^ ]*/kernel\( \|/\)' "$log")
kskip=$(grep -c '^ *--- SKIP: [^ ]*/kernel\( \|/\)' "$log")
kfail=$(grep -c '^ *--- FAIL: [^ ]*/kernel\( \|/\)' "$log")
if [ "$rc" != 0 ] && [ "$fail" = 0 ]; then fail=1; fi
{
  echo "go/sctp kernel subtests: $kpass passed, $kfail failed, $kskip skipped"
  echo "go/sctp tests and subtests: $pass passed, $fail failed, $skip skipped (skips not counted as passes)"
} >go-summary.txt
cat go-summary.txt
echo "go/sctp: $pass passed, $fail failed"
exit $rc
EOF
  chmod +x "$out/go_kernel_tests"
  bins+=(go_kernel_tests)
fi

cp csctp/tests/run.sh "$out/run.sh"
args=()
for b in "${bins[@]}"; do args+=("./$b"); done

echo "== run in the VM ($vm)"
set +e
"$vm" --share "$out" --timeout "${VM_TIMEOUT:-600}" --smp "${VM_SMP:-2}" \
  --mem 1024 -- "VERBOSE=${VERBOSE:-0} bash ./run.sh ${args[*]}"
rc=$?
set -e
if [ -f "$out/go-summary.txt" ]; then
  cat "$out/go-summary.txt"
fi
if [ "$rc" = 124 ]; then
  echo "kernel_vm.sh: the VM timed out" >&2
elif [ "$rc" = 125 ]; then
  echo "kernel_vm.sh: the VM did not report a status (boot failure?)" >&2
fi
exit "$rc"
