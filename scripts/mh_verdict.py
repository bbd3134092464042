#!/usr/bin/env python3
"""mh_verdict.py SERVER_LOG CLIENT_LOG -- the verdict of one multihoming rig
run (scripts/mh_rig.sh): prints one line, "PASS ..." or "FAIL ...", with the
failover time (the client's first action, the link loss, to the end of the
first pause in arrivals at the server after it; any further pause over
250 ms before the link comes back fails the run)
and the failback time (the second action, the link back, to the client
seeing its primary ACTIVE again); checks that both sides finished with the
same number of messages and the same SHA-256, none out of order. Exit
status 0 on PASS. With --timing-advisory (runs inside the emulated VM,
where one slow vCPU carries both ends) the times are reported but only the
data decides."""
import re
import sys


def verdict(slog, clog, primary, timing=True):
    acts = [float(t) for t in re.findall(r"client t=([\d.]+) action", clog)]
    pauses = [(float(s), float(s) + float(d)) for d, s in
              re.findall(r"server t=[\d.]+ pause ([\d.]+) s \(from t=([\d.]+)\)", slog)]
    sd = re.search(r"server t=[\d.]+ done: (\d+) messages.*?, (\d+) out of order.*sha256 (\w+)", slog)
    cd = re.search(r"client t=[\d.]+ done: (\d+) messages.*sha256 (\w+)", clog)
    out = []
    ok = bool(sd and cd) and sd.group(2) == "0" and sd.group(1) == cd.group(1) \
        and sd.group(3) == cd.group(2)
    if len(acts) < 2:
        return False, "the client did not run its two actions"
    t_down, t_up = acts[0], acts[1]
    # Data flows on the other path from the end of the first pause after
    # the link loss.
    # (A later pause under 250 ms is let pass: on a loaded 2-core machine
    # the processes themselves can be descheduled that long; a stall of the
    # protocol, a T3 with backoff, is longer.)
    during = [(s, e) for s, e in pauses if t_down - 0.2 <= s < t_up]
    fo = [e - t_down for s, e in during[:1]]
    out.append("failover %s" % ("%.3f s" % fo[0] if fo else "< 0.1 s (no pause over 100 ms)"))
    stalls = [(s, e) for s, e in during[1:] if e - s > 0.25]
    if stalls and timing:
        out.append("%d more stalls during the outage" % len(stalls))
        ok = False
    back = [float(t) for t in re.findall(r"client t=([\d.]+) path %s ACTIVE" % re.escape(primary), clog)
            if float(t) > t_up]
    out.append("failback %s" % ("%.3f s" % (back[0] - t_up) if back else "not seen"))
    if not back and timing:
        ok = False
    if sd:
        out.append("%s messages, %s out of order, sha256 %s" %
                   (sd.group(1), sd.group(2), "match" if cd and sd.group(3) == cd.group(2) else "MISMATCH"))
    else:
        out.append("the server did not finish")
    return ok, ", ".join(out)


def main():
    args = sys.argv[1:]
    timing = "--timing-advisory" not in args
    args = [a for a in args if a != "--timing-advisory"]
    slog, clog = open(args[0]).read(), open(args[1]).read()
    primary = args[2] if len(args) > 2 else "10.91.1.2"
    ok, text = verdict(slog, clog, primary, timing)
    if not timing:
        text += " (times advisory: emulated VM)"
    print(("PASS " if ok else "FAIL ") + text)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
