#!/usr/bin/env python3
"""bench_table.py -- the markdown table of `make bench` (scripts/bench.sh).

Reads the run logs in $LOGS (NAME.json: a client's summary, NAME.cpu: the
client's CPU seconds, NAME.srvcpu: the server's during the run, NAME.drops:
datagrams the server's UDP socket dropped) and prints one table: throughput
with CPU seconds per GB for csctp C (UDP segmentation offload on and off),
csctp Go, usrsctp and pion/sctp, then the ping-pong RTT beside raw UDP.

Environment: LOGS, SIZES ("64 1200 ..."), PP_SIZE, PP_ROUNDS (ping-pong
rounds: NAME-pingpong-rR.json for R = 1..PP_ROUNDS), TP_ROUNDS (throughput
rounds of csctp C and Go: c-SIZE-rR.json, cnogso-..., go-...), PEERS
("usrsctp pion"), RUN_GO ("1" or "0").
"""
import json
import os
import re

LOGS = os.environ["LOGS"]
SIZES = [int(s) for s in os.environ["SIZES"].split()]
PP_SIZE = int(os.environ["PP_SIZE"])
PP_ROUNDS = int(os.environ.get("PP_ROUNDS", "1"))
TP_ROUNDS = int(os.environ.get("TP_ROUNDS", "1"))
PEERS = os.environ.get("PEERS", "").split()
RUN_GO = os.environ.get("RUN_GO") == "1"
PEER_NAMES = {"usrsctp": "usrsctp", "pion": "pion/sctp"}
notes = []
offload = []
go_offload = []


def text(name):
    try:
        with open(os.path.join(LOGS, name)) as f:
            return f.read()
    except OSError:
        return None


def load(run):
    t = text(run + ".json")
    try:
        return json.loads(t) if t else None
    except ValueError:
        return None


def num(name):
    t = text(name)
    try:
        return float(t.strip()) if t else None
    except ValueError:
        return None


def size_str(s):
    if s >= 1024 and s % 1024 == 0:
        return "%d KiB" % (s // 1024)
    return "%d B" % s


def msgs_str(mps):
    if mps >= 1e6:
        return "%.2f M" % (mps / 1e6)
    if mps >= 1e3:
        return "%.0f k" % (mps / 1e3)
    return "%.0f" % mps


def cpu_per_gb(run, nbytes):
    """CPU seconds of client and server together per 10^9 bytes moved."""
    c, s = num(run + ".cpu"), num(run + ".srvcpu")
    if c is None or s is None or not nbytes:
        return None
    return (c + max(s, 0.0)) / (nbytes / 1e9)


def cell(r):
    if not r:
        return "FAIL"
    mbps, mps, cpg = r
    out = "%.1f MB/s · %s msg/s" % (mbps, msgs_str(mps))
    if cpg is not None:
        out += " · %.1f s/GB" % cpg
        if mps:
            # The same CPU time per message: s/GB times the message size.
            out += " (%.2f µs/msg)" % (cpg * (mbps * 1e6 / mps) / 1e3)
    return out


def drops_note(name, run):
    t = (text(run + ".drops") or "").strip()
    if t not in ("", "0"):
        notes.append("%s: the server's UDP socket dropped %s datagrams" % (name, t))


def c_run(run, name, quiet=False):
    d = load(run)
    if not d:
        return None
    if quiet:
        return None if d.get("error") else (d["mbps"], d["msgs_per_s"], None)
    if d.get("error"):
        notes.append("%s: association ended with: %s" % (name, d["error"]))
        return None
    if d.get("retransmits") or d.get("t3_expiries"):
        notes.append("%s: %d retransmissions (fast %d, T3 expiries %d)" % (
            name, d.get("retransmits", 0), d.get("fast_retransmits", 0),
            d.get("t3_expiries", 0)))
    drops_note(name, run)
    if run.startswith("c-"):
        offload.append("%s %d of %d" % (size_str(d["size"]), d.get("gso_pkts", 0),
                                        d.get("dgrams_out", 0)))
    return (d["mbps"], d["msgs_per_s"], cpu_per_gb(run, d["bytes"]))


def go_run(run, s, quiet=False):
    g = load(run)
    if not g or not g.get("rx_mb_per_s"):
        return None
    if quiet:
        return (g["rx_mb_per_s"], g["rx_mb_per_s"] * 1e6 / s, None)
    drops_note("Go %s" % size_str(s), run)
    if "dgrams_out" in g:
        go_offload.append("%s %d of %d" % (size_str(s), g.get("gso_pkts", 0),
                                           g.get("dgrams_out", 0)))
    return (g["rx_mb_per_s"], g["rx_mb_per_s"] * 1e6 / s,
            cpu_per_gb(run, g.get("bytes", 0)))


def peer_run(run, name):
    """The client's RESULT line of an interop peer's bulk send."""
    t = text(run + ".json") or ""
    lines = [l for l in t.splitlines()
             if l.startswith("RESULT ") and "scenario=send" in l]
    if not lines:
        return None
    kv = dict(re.findall(r"(\w+)=(\S+)", lines[-1]))
    if kv.get("status") != "ok":
        notes.append("%s: status %s" % (name, kv.get("status")))
    secs, nbytes, msgs = float(kv["secs"]), int(kv["bytes_sent"]), int(kv["msgs_sent"])
    if secs <= 0:
        return None
    if int(kv.get("retransmits", "0") or 0):
        notes.append("%s: %s retransmissions" % (name, kv["retransmits"]))
    drops_note(name, run)
    return (nbytes / secs / 1e6, msgs / secs, cpu_per_gb(run, nbytes))


def tp_rounds(variant, s):
    """Each throughput round's (MB/s, msg/s, None) of variant at size s
    (None: failed), read without notes."""
    out = []
    for r in range(1, TP_ROUNDS + 1):
        run = "%s-%d-r%d" % (variant, s, r)
        out.append(go_run(run, s, True) if variant == "go" else c_run(run, "", True))
    return out


def tp_median(variant, s, name):
    """The cell of variant at size s: its median round (the lower middle
    one of an even count), read with its notes; and the rates of all."""
    rs = tp_rounds(variant, s)
    ok = sorted((x[0], r) for r, x in enumerate(rs, 1) if x)
    rates = " / ".join("%.0f" % x[0] if x else "FAIL" for x in rs)
    if not ok:
        return None, rates
    run = "%s-%d-r%d" % (variant, s, ok[(len(ok) - 1) // 2][1])
    return (go_run(run, s) if variant == "go" else c_run(run, name)), rates


def go_ratio(s):
    """Median over the rounds of Go's rate / C's (with offload) rate."""
    rs = [g[0] / c[0] for g, c in zip(tp_rounds("go", s), tp_rounds("c", s)) if g and c]
    return median(rs) if rs else None


def rtt_one(run):
    d = load(run)
    if not d:
        return None
    if d.get("rtt_us"):
        return (d["rtt_us"]["p50"], d["rtt_us"]["p99"])
    if d.get("rtt_p50_us"):
        return (d["rtt_p50_us"], d["rtt_p99_us"])
    return None


def median(xs):
    xs = sorted(xs)
    n = len(xs)
    return xs[n // 2] if n % 2 else (xs[n // 2 - 1] + xs[n // 2]) / 2


def rtt_rounds(run):
    """The (p50, p99) of each ping-pong round of run (None: failed)."""
    return [rtt_one("%s-r%d" % (run, r)) for r in range(1, PP_ROUNDS + 1)]


def rtt(run):
    """Median p50 and median p99 over the rounds that did not fail."""
    ok = [p for p in rtt_rounds(run) if p]
    if not ok:
        return None
    return (median([p[0] for p in ok]), median([p[1] for p in ok]))


def rtt_ratio(run):
    """Median over the rounds of run's p50 / raw UDP's p50 in that round."""
    rs = [p[0] / u[0] for p, u in zip(rtt_rounds(run), rtt_rounds("udp-pingpong"))
          if p and u]
    return median(rs) if rs else None


def main():
    hdr = ["size", "csctp C, GSO/GRO", "csctp C, no offload"]
    if RUN_GO:
        hdr += ["csctp Go", "Go ÷ C (MB/s)"]
    hdr += [PEER_NAMES[p] for p in PEERS]
    hdr.append("C ÷ best peer (msg/s)")
    rows = []
    per_round = []
    for s in SIZES:
        c, c_rates = tp_median("c", s, "C %s" % size_str(s))
        cn, cn_rates = tp_median("cnogso", s, "C no offload %s" % size_str(s))
        row = [size_str(s), cell(c), cell(cn)]
        rates = "C %s, no offload %s" % (c_rates, cn_rates)
        if RUN_GO:
            g, g_rates = tp_median("go", s, "Go %s" % size_str(s))
            ratio = go_ratio(s)
            row += [cell(g), "%.2f" % ratio if ratio else "–"]
            rates += ", Go %s" % g_rates
        per_round.append("%s: %s" % (size_str(s), rates))
        best = None
        for p in PEERS:
            r = peer_run("%s-%d" % (p, s), "%s %s" % (PEER_NAMES[p], size_str(s)))
            row.append(cell(r))
            if r and (best is None or r[1] > best):
                best = r[1]
        row.append("%.2f×" % (c[1] / best) if c and best else "–")
        rows.append(row)

    if TP_ROUNDS > 1:
        notes.append("throughput per round (MB/s): " + "; ".join(per_round))
    up = rtt("udp-pingpong")

    def rtt_cell(run):
        p = rtt(run)
        if not p:
            return "FAIL"
        out = "RTT p50 %.1f / p99 %.1f µs" % p
        ratio = rtt_ratio(run)
        if ratio:
            out += " (p50 %.2f× UDP)" % ratio
        return out

    pp = ["c-pingpong", "cnogso-pingpong"] + (["go-pingpong"] if RUN_GO else [])
    row = ["ping-pong %s" % size_str(PP_SIZE)] + [rtt_cell(r) for r in pp]
    if RUN_GO:
        gp, cp = rtt("go-pingpong"), rtt("c-pingpong")
        row.append("p50 %.2f" % (gp[0] / cp[0]) if gp and cp else "–")
    rounds = []
    for run in pp + ["udp-pingpong"]:
        ps = ["%.1f" % p[0] if p else "FAIL" for p in rtt_rounds(run)]
        rounds.append("%s %s" % (run.replace("-pingpong", ""), " / ".join(ps)))
    notes.append("ping-pong p50 per round (µs): " + "; ".join(rounds))
    row += ["not measured"] * len(PEERS)
    row.append("raw UDP: p50 %.1f / p99 %.1f µs" % up if up else "raw UDP: FAIL")
    rows.append(row)

    out = ["| " + " | ".join(hdr) + " |", "|" + "|".join(["---"] * len(hdr)) + "|"]
    out += ["| " + " | ".join(r) + " |" for r in rows]
    if offload:
        notes.append("csctp C with offload, DATA-side packets the client sent inside "
                     "UDP_SEGMENT datagrams: " + ", ".join(offload))
    if go_offload:
        notes.append("csctp Go (same offload), the same count for the Go client: " +
                     ", ".join(go_offload))
    if notes:
        out += [""] + ["- " + n for n in notes]
    print("\n".join(out))


main()
