#!/usr/bin/env python3
"""scripts/slowstart_trace.py -- the slow-start loss burst of a csctp sender,
from the cwnd trace csctp/examples/perf.c writes to stderr when run with
CSCTP_PERF_TRACE_MS=N (scripts/bench_wan.sh passes the environment on; the
trace lands in $BUILD/bench/wan/logs/SET.PAIR.client.err).

    python3 scripts/slowstart_trace.py FILE...

One line per file: when the first slow start ended (the first trace line
whose ssthresh is no longer the initial "arbitrarily high" one, RFC 9260
7.2.1), cwnd and ssthresh then, and the sender's retransmissions by then,
up to two smoothed RTTs later (the losses of slow start's last round are
found within one: its loss burst) and at the end of the trace (2 s, which
on a starved machine also holds congestion-avoidance losses).
"""
import re
import sys

LINE = re.compile(r"trace ([\d.]+) ms cwnd (\d+) ssthresh (\d+) flight (\d+) "
                  r"srtt (\d+) us rtx (\d+)")
INITIAL = 4294967295


def one(path):
    rows = []
    with open(path, errors="replace") as f:
        for line in f:
            m = LINE.match(line)
            if m:
                rows.append([float(x) for x in m.groups()])
    name = path.rsplit("/", 1)[-1].replace(".client.err", "")
    if not rows:
        return f"{name}: no trace"
    ended = [r for r in rows if r[2] != INITIAL]
    if not ended:
        return f"{name}: slow start did not end in the trace; rtx {rows[-1][5]:.0f}"
    t, cwnd, ss, _, srtt, rtx = ended[0]
    burst = [r for r in rows if r[0] <= t + 2 * srtt / 1000][-1][5]
    return (f"{name}: slow start ended at {t:.1f} ms, cwnd {cwnd:.0f} "
            f"ssthresh {ss:.0f}; retransmissions then {rtx:.0f}, two RTTs "
            f"later {burst:.0f} (slow start), at {rows[-1][0]:.0f} ms "
            f"{rows[-1][5]:.0f}")


def main():
    if len(sys.argv) < 2:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    for p in sys.argv[1:]:
        print(one(p))
    return 0


if __name__ == "__main__":
    sys.exit(main())
