#!/usr/bin/env bash
# Runs csctp C test programs one after the other and adds up their results.
#
#   usage: run.sh PROGRAM...
#
# Every program prints one summary line "<file>: N passed, N failed"
# (tests/test.h). A program that crashes, times out, exits non-zero without
# reporting a failure (a sanitizer or leak report after the summary, say) or
# prints no summary line counts as 1 failed, and is named. The last line is
# always "c-tests: N passed, N failed"; the exit status is non-zero if any
# test failed or if no test ran at all.
#
# With CSCTP_TEST_JOBS > 1, the programs that touch real sockets, threads or
# the wall clock (CSCTP_TEST_SERIAL) run one at a time after the others (the
# engine under simulated time), which run CSCTP_TEST_JOBS at once; with one
# job every program runs in the order given. Results are reported in the
# order given.
#
# Environment:
#   CSCTP_TEST_JOBS     programs run at once outside the serial list (default 1)
#   CSCTP_TEST_SERIAL   programs run alone (names; default: the I/O tests)
#   CSCTP_TEST_TIMEOUT  seconds per program (default 900; 0 = no limit)
#   VERBOSE=1           print every program's full output, not just failures'
#   TAIL_LINES          lines of output shown for a failed program (default 400)
set -uo pipefail

timeout_s=${CSCTP_TEST_TIMEOUT:-900}
tail_lines=${TAIL_LINES:-400}
summary_re='^(.*): ([0-9]+) passed, ([0-9]+) failed$'

jobs=${CSCTP_TEST_JOBS:-1}
serial=" ${CSCTP_TEST_SERIAL:-test_io test_io_udp test_ready test_scale test_conn test_icmp test_threads test_pacer test_kernel test_asconf test_auth test_eor} "
# One job: every program alone, in the order given (programs may depend on
# it, e.g. the kernel VM's, which share the kernel's sysctls).
[ "$jobs" -gt 1 ] 2>/dev/null || serial=all

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

total_pass=0
total_fail=0
broken=()

use_timeout=0
if [ "$timeout_s" != 0 ] && command -v timeout >/dev/null 2>&1; then
  use_timeout=1
fi

# run_prog I BIN: runs BIN, its output in $tmp/out.I, its status in $tmp/rc.I.
run_prog() {
  local rc
  if [ "$use_timeout" = 1 ]; then
    timeout -k 10 "$timeout_s" "$2" >"$tmp/out.$1" 2>&1 </dev/null
  else
    "$2" >"$tmp/out.$1" 2>&1 </dev/null
  fi
  rc=$?
  echo "$rc" >"$tmp/rc.$1.new" && mv "$tmp/rc.$1.new" "$tmp/rc.$1"
}

# The programs run in the background; the results are reported below, in
# the order given, as each one's is there.
bins=("$@")
(
  i=0
  running=0
  for bin in "${bins[@]}"; do
    if [[ $serial != all && $serial != *" $(basename "$bin") "* ]]; then
      if [ "$running" -ge "$jobs" ]; then
        wait -n
        running=$((running - 1))
      fi
      run_prog "$i" "$bin" &
      running=$((running + 1))
    fi
    i=$((i + 1))
  done
  wait
  i=0
  for bin in "${bins[@]}"; do
    [[ $serial == all || $serial == *" $(basename "$bin") "* ]] && run_prog "$i" "$bin"
    i=$((i + 1))
  done
) &

i=0
for bin in "${bins[@]}"; do
  name=$(basename "$bin")
  out=$tmp/out.$i
  while [ ! -f "$tmp/rc.$i" ]; do sleep 0.1; done
  rc=$(cat "$tmp/rc.$i")
  i=$((i + 1))

  summary=$(grep -E "$summary_re" "$out" | tail -n 1 || true)
  problem=""
  if [ -n "$summary" ]; then
    [[ $summary =~ $summary_re ]]
    pass=${BASH_REMATCH[2]}
    fail=${BASH_REMATCH[3]}
    total_pass=$((total_pass + pass))
    total_fail=$((total_fail + fail))
    if [ "$rc" != 0 ] && [ "$fail" = 0 ]; then
      problem="exit status $rc after its summary line"
      total_fail=$((total_fail + 1))
    fi
  else
    if [ "$rc" = 0 ]; then
      problem="no summary line"
    else
      problem="exit status $rc without a summary line"
    fi
    total_fail=$((total_fail + 1))
  fi
  if [ "$use_timeout" = 1 ] && [ "$rc" = 124 ]; then
    problem="timed out after ${timeout_s}s${problem:+ ($problem)}"
  elif [ "$rc" -gt 128 ] && [ "$rc" -lt 160 ]; then
    problem="killed by signal $((rc - 128))${problem:+ ($problem)}"
  fi

  if [ "$rc" != 0 ] || [ -n "$problem" ] || [ "${VERBOSE:-0}" = 1 ]; then
    lines=$(wc -l <"$out")
    echo "---- $bin output (exit status $rc, $lines lines)"
    if [ "${VERBOSE:-0}" != 1 ] && [ "$lines" -gt "$tail_lines" ]; then
      echo "[... first $((lines - tail_lines)) lines cut ...]"
    fi
    if [ "${VERBOSE:-0}" = 1 ]; then cat "$out"; else tail -n "$tail_lines" "$out"; fi
    echo "----"
  fi
  if [ -n "$summary" ]; then
    echo "$summary"
  fi
  if [ -n "$problem" ]; then
    echo "FAIL $name: $problem"
    broken+=("$name")
  elif [ "$rc" != 0 ]; then
    broken+=("$name")
  fi
done

wait # the background runner

if [ "${#broken[@]}" -gt 0 ]; then
  echo "failing programs: ${broken[*]}"
fi
if [ $((total_pass + total_fail)) = 0 ]; then
  echo "no tests ran"
fi
echo "c-tests: $total_pass passed, $total_fail failed"
if [ "$total_fail" != 0 ] || [ $((total_pass + total_fail)) = 0 ]; then
  exit 1
fi
exit 0
