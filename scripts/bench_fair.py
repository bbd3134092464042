#!/usr/bin/env python3
"""scripts/bench_fair.py -- the tables of scripts/bench_fair.sh (make bench-fair).

Reads, per run, $LOGS/SCENARIO.N.flows (scripts/udp_relay.c -flows: UDP
payload bytes each client's up direction delivered per second since the relay
started; client 0 is A, client 1 is B, in the order their first datagrams
came), SCENARIO.N.params and the clients' JSON summaries (SCENARIO.N.{a,b}.out).
Environment: LOGS, SCENARIOS, RUNS, RATE (Mbit/s), AFTER (seconds after B's
start). Prints markdown to stdout; exit 1 if no run could be read.

Windows are measured from B's start (its first datagram at the relay, to the
millisecond); a per-second counter that straddles a window's edge counts in
proportion to its overlap (bytes taken as spread evenly over the second).
"""
import json
import os
import sys

LOGS = os.environ["LOGS"]
SCENARIOS = os.environ["SCENARIOS"].split()
RUNS = int(os.environ["RUNS"])
RATE = float(os.environ["RATE"]) * 1e6 / 8  # bytes per second
AFTER = int(os.environ["AFTER"])

FAIR_LO, FAIR_HI = 0.40, 0.60  # two CUBIC flows: each 40-60 %
RENO_MIN = 0.30                # RFC 9260's controller beside CUBIC
STARVE = 0.05                  # no 2-second share below 5 %
MIN_FROM = 6                   # starvation windows start at second 6


def read_flows(path):
    """(first_s per client, per-second bytes per client)."""
    first, secs = {}, {}
    for line in open(path):
        if line.startswith("# client "):
            f = line.split()
            c = int(f[2])
            kv = dict(x.split("=", 1) for x in f[3:] if "=" in x)
            first[c] = float(kv["first_ms"]) / 1e3
            secs[c] = []
        elif line.strip() and not line.startswith("#"):
            s, c, b = (int(x) for x in line.split())
            v = secs.setdefault(c, [])
            while len(v) <= s:
                v.append(0)
            v[s] = b
    return first, secs


def window(v, x, y):
    """Bytes of per-second counters v over [x, y) seconds (fractional)."""
    tot = 0.0
    for s, b in enumerate(v):
        lo, hi = max(x, s), min(y, s + 1)
        if hi > lo:
            tot += b * (hi - lo)
    return tot


def share(v, t0, a, b):
    return window(v, t0 + a, t0 + b) / (RATE * (b - a))


def is_fair(xa, xb):
    return FAIR_LO <= xa <= FAIR_HI and FAIR_LO <= xb <= FAIR_HI


def fair_at(a, b, t0):
    """The end (seconds after B's start) of the first 10-second window,
    sliding by a second, in which each flow has 40-60 % of the link: when
    the pair has converged. None if no window up to AFTER has."""
    for end in range(10, AFTER + 1):
        if is_fair(share(a, t0, end - 10, end), share(b, t0, end - 10, end)):
            return end
    return None


def client_json(path):
    try:
        for line in open(path):
            if line.startswith('{"role":"client"'):
                return json.loads(line)
    except OSError:
        pass
    return None


def pct(x):
    return "%.1f" % (x * 100)


def one_run(sc, n):
    base = os.path.join(LOGS, "%s.%d" % (sc, n))
    try:
        status = open(base + ".status").read().strip()
    except OSError:
        status = "fail (no status)"
    if status != "ok":
        return {"sc": sc, "n": n, "fail": status}
    params = dict(x.split("=", 1) for x in open(base + ".params").read().split())
    first, secs = read_flows(base + ".flows")
    if len(secs) != 2:
        return {"sc": sc, "n": n, "fail": "the relay saw %d clients, not 2" % len(secs)}
    a, b = secs[0], secs[1]
    t0 = first[1]  # B's start
    r = {"sc": sc, "n": n, "seed": params["seed"], "offset": params["offset"],
         "cc_a": params["cc_a"], "cc_b": params["cc_b"], "t0": t0}
    r["a1"], r["b1"] = share(a, t0, 20, 30), share(b, t0, 20, 30)
    r["a2"], r["b2"] = share(a, t0, 30, AFTER), share(b, t0, 30, AFTER)
    r["util"] = (window(a, t0 + 20, t0 + AFTER) + window(b, t0 + 20, t0 + AFTER)) / (RATE * (AFTER - 20))
    r["min_a"] = min(share(a, t0, i, i + 2) for i in range(MIN_FROM, AFTER - 1))
    r["min_b"] = min(share(b, t0, i, i + 2) for i in range(MIN_FROM, AFTER - 1))
    r["per_sec"] = [(share(a, t0, i, i + 1), share(b, t0, i, i + 1)) for i in range(AFTER)]
    r["fair_at"] = fair_at(a, b, t0)
    for who in "ab":
        j = client_json(base + "." + who + ".out")
        r["rtx_" + who] = ("%d (%d) / %d" % (j["retransmits"], j["fast_retransmits"], j["t3_expiries"])
                           if j else "?")
    return r


def verdicts(r):
    """[(check, window, passed)] for one run."""
    out = []
    for w, (xa, xb) in (("20-30", (r["a1"], r["b1"])), ("30-%d" % AFTER, (r["a2"], r["b2"]))):
        if r["sc"] == "cubic-cubic":
            out.append(("each CUBIC flow 40-60 %", w, is_fair(xa, xb)))
        elif r["sc"] == "reno-cubic":
            out.append(("RFC 9260 flow (A) >= 30 %", w, xa >= RENO_MIN))
        else:
            out.append(("RFC 9260 flow (B) >= 30 %", w, xb >= RENO_MIN))
    if r["sc"] == "cubic-cubic":
        out.append(("each CUBIC flow 40-60 % in a 10 s window ending by second 30 (converged)", "0-30",
                    r["fair_at"] is not None and r["fair_at"] <= 30))
    out.append(("no 2 s share below 5 %% (from s %d)" % MIN_FROM, "%d-%d" % (MIN_FROM, AFTER),
                r["min_a"] >= STARVE and r["min_b"] >= STARVE))
    return out


def main():
    runs = [one_run(sc, n) for sc in SCENARIOS for n in range(1, RUNS + 1)]
    good = [r for r in runs if "fail" not in r]
    print("### Two associations through one bottleneck: shares of the link (%)")
    print()
    print("| A → B | run | B starts at (s, relay clock) | A 20-30 | B 20-30 | A 30-%d | B 30-%d "
          "| min 2 s A / B | 40-60 from (s) | util 20-%d | A rtx (fast) / T3 | B rtx (fast) / T3 | verdict |"
          % (AFTER, AFTER, AFTER))
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for r in runs:
        if "fail" in r:
            print("| %s | %d | FAIL: %s | | | | | | | | | | |" % (r["sc"], r["n"], r["fail"]))
            continue
        v = verdicts(r)
        verdict = ", ".join("%s %s" % (w, "pass" if ok else "FAIL") for _, w, ok in v)
        fa = "-" if r["sc"] != "cubic-cubic" else ("%d" % r["fair_at"] if r["fair_at"] else "never")
        print("| %s → %s | %d | %.2f | %s | %s | %s | %s | %s / %s | %s | %s | %s | %s | %s |" % (
            r["cc_a"], r["cc_b"], r["n"], r["t0"], pct(r["a1"]), pct(r["b1"]), pct(r["a2"]),
            pct(r["b2"]), pct(r["min_a"]), pct(r["min_b"]), fa, pct(r["util"]), r["rtx_a"],
            r["rtx_b"], verdict))
    print()
    print("Verdicts (runs passing / runs):")
    print()
    checks = {}
    for r in good:
        for name, w, ok in verdicts(r):
            k = (r["sc"], name, w)
            p, t = checks.get(k, (0, 0))
            checks[k] = (p + ok, t + 1)
    for (sc, name, w), (p, t) in checks.items():
        print("- %s: %s, seconds %s after B's start: %d of %d %s" % (
            sc, name, w, p, t, "PASS" if p == t else "FAIL"))
    print()
    print("Over the runs (mean share of A / B, and how far a run's 10 s shares stray from an even "
          "split: the root mean square of (A - B) / 2, in points):")
    print()
    for sc in SCENARIOS:
        rs = [r for r in good if r["sc"] == sc]
        if not rs:
            continue
        parts = []
        for w, ka, kb in (("20-30", "a1", "b1"), ("30-%d" % AFTER, "a2", "b2")):
            ma = sum(r[ka] for r in rs) / len(rs)
            mb = sum(r[kb] for r in rs) / len(rs)
            rms = (sum(((r[ka] - r[kb]) / 2) ** 2 for r in rs) / len(rs)) ** 0.5
            parts.append("seconds %s: %s / %s, %.1f" % (w, pct(ma), pct(mb), rms * 100))
        print("- %s (%d runs): %s" % (sc, len(rs), "; ".join(parts)))
    print()
    print("Per second from B's start, A % / B % of the link:")
    print()
    for r in good:
        print("- %s.%d: %s" % (r["sc"], r["n"], " ".join(
            "%.0f/%.0f" % (x * 100, y * 100) for x, y in r["per_sec"])))
    return 0 if good else 1


if __name__ == "__main__":
    sys.exit(main())
