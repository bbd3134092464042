#!/usr/bin/env python3
"""bench_wan_table.py -- the tables of scripts/bench_wan.sh (make bench-wan).

Reads the run logs in $LOGS (SET.PAIR.{client,server,relay}.out, .nft,
.nstat, .status) and prints one markdown table per set in $SETS, rows in the
order of $PAIRS. argv[1]: lines "SET=description"."""

import json
import os
import re
import sys

LOGS = os.environ["LOGS"]
SETS = os.environ["SETS"].split()
PAIRS = os.environ["PAIRS"].split()
SIZE = int(os.environ["SIZE"])
DESC = dict(l.split("=", 1) for l in sys.argv[1].splitlines() if "=" in l)

LABEL = {
    "c-c": "csctp C → csctp C",
    "c-c-cubic": "csctp C CUBIC → csctp C",
    "c-c-cubic-rfc9406": "csctp C CUBIC, RFC 9406 HyStart++ alone → csctp C",
    "c-c-paced": "csctp C paced → csctp C",
    "c-c-cubic-paced": "csctp C CUBIC paced → csctp C",
    "go-go": "csctp Go → csctp Go",
    "go-go-cubic": "csctp Go CUBIC → csctp Go",
    "c-usrsctp": "csctp C → usrsctp",
    "usrsctp-c": "usrsctp → csctp C",
    "usrsctp-usrsctp": "usrsctp → usrsctp",
    "pion-pion": "pion → pion",
    "tcp": "TCP (iperf3)",
}


def read(run, ext):
    try:
        with open(os.path.join(LOGS, "%s.%s" % (run, ext)), errors="replace") as f:
            return f.read()
    except OSError:
        return ""


def first_json(text, pred=lambda d: True):
    """The first JSON object in text (one per line, or one indented object)."""
    for line in text.splitlines():
        line = line.strip()
        if line.startswith("{"):
            try:
                d = json.loads(line)
            except ValueError:
                continue
            if pred(d):
                return d
    try:
        d = json.loads(text[text.index("{"):])
        return d if pred(d) else None
    except ValueError:
        return None


def result_line(text, role):
    """key=value fields of the first per-association RESULT line of role."""
    for line in text.splitlines():
        if line.startswith("RESULT ") and " summary" not in line and ("role=%s " % role) in line:
            return dict(kv.split("=", 1) for kv in line.split()[1:] if "=" in kv)
    return None


def num(v):
    return "-" if v is None else str(v)


def row(set_, pair, relay):
    run = "%s.%s" % (set_, pair)
    status = read(run, "status").strip()
    cells = {"goodput": None, "rtx": None, "fast": None, "t3": None, "spur": None}
    notes = []
    # "-cubic": the same pair, the sender with -cc cubic (scripts/bench_wan.sh)
    base = pair[:-len("-cubic")] if pair.endswith("-cubic") else pair
    if pair.startswith("c-c-"):
        base = "c-c"  # -cubic-rfc9406, -paced, -cubic-paced: perf.c both ends
    snd, _, rcv = base.partition("-")
    if pair == "tcp":
        snd = rcv = "tcp"
    if status.startswith("skip") or (relay and pair == "tcp"):
        return None, []
    cout, sout = read(run, "client.out"), read(run, "server.out")

    # The sender's counters.
    if snd in ("c", "go"):
        d = first_json(cout)
        if d:
            cells["rtx"], cells["fast"], cells["t3"] = (
                d.get("retransmits"), d.get("fast_retransmits"), d.get("t3_expiries"))
            cells["spur"] = d.get("spurious_retransmits")
            if d.get("error"):
                notes.append("%s: the sender's association ended with: %s" % (LABEL[pair], d["error"]))
    elif snd == "usrsctp":
        r = result_line(cout, "client")
        if r:
            cells["rtx"], cells["fast"], cells["t3"] = (
                r.get("retransmits"), r.get("fast_retransmits"), r.get("t3_expiries"))
    elif snd == "tcp":
        d = first_json(cout)
        if d and "end" in d:
            cells["rtx"] = d["end"].get("sum_sent", {}).get("retransmits")
            bps = d["end"].get("sum_received", {}).get("bits_per_second")
            if bps:
                cells["goodput"] = bps / 1e6
        ns = dict(re.findall(r"^(\w+)\s+(\d+)", read(run, "nstat"), re.M))
        if ns:
            cells["t3"] = int(ns.get("TcpExtTCPTimeouts", 0))
            cells["spur"] = int(ns.get("TcpExtTCPDSACKRecv", 0)) + int(ns.get("TcpExtTCPDSACKOfoRecv", 0))

    # The receiver's goodput (MB/s -> Mbit/s) and messages.
    msgs = None
    if rcv == "c":
        d = first_json(sout, lambda d: d.get("role") == "server")
        if d:
            cells["goodput"] = d["mbps"] * 8
            msgs = d.get("messages")
    elif rcv == "go":
        d = first_json(cout)
        if d and d.get("rx_mb_per_s"):
            cells["goodput"] = d["rx_mb_per_s"] * 8
            msgs = d.get("rx_bytes", 0) // SIZE
            if d.get("rx_bytes") != d.get("bytes"):
                notes.append("%s: the receiver counted %s bytes, the sender %s" % (
                    LABEL[pair], d.get("rx_bytes"), d.get("bytes")))
    elif rcv in ("usrsctp", "pion"):
        r = result_line(sout, "server")
        if r and r.get("mbps"):
            cells["goodput"] = float(r["mbps"]) * 8
            msgs = int(r.get("msgs_recv", 0))
        if r and r.get("status") not in (None, "ok"):
            notes.append("%s: the receiver says status=%s" % (LABEL[pair], r.get("status")))
    if cells["goodput"] is None and snd in ("c", "usrsctp", "pion"):
        # The receiver did not report in time (e.g. still retransmitting
        # SHUTDOWN ACK after a lost SHUTDOWN COMPLETE, its peer gone): take
        # the sender's rate, which counts until all is acknowledged (C: until
        # its SHUTDOWN completes; usrsctp and pion peers with -duration).
        if snd == "c":
            d = first_json(cout)
            v = d.get("mbps") if d else None
        else:
            rc = result_line(cout, "client")
            v = float(rc["mbps"]) if rc and rc.get("mbps") else None
        if v:
            cells["goodput"] = v * 8
            notes.append("%s: no report from the receiver; goodput is the sender's "
                         "(until all acknowledged)" % LABEL[pair])

    good = "FAIL" if cells["goodput"] is None else "%.1f" % cells["goodput"]
    if not status.startswith("ok"):
        good = "FAIL" if cells["goodput"] is None else good + " (FAIL)"
        notes.append("%s: %s" % (LABEL[pair], status.partition(" ")[2] or "no status"))
    rtx = num(cells["rtx"])
    if cells["fast"] is not None:
        rtx += " (%s)" % cells["fast"]
    out = [LABEL[pair], good, rtx, num(cells["t3"]), num(cells["spur"])]

    if relay:
        st = first_relay(read(run, "relay.out"))
        if st:
            u, dn = st["up"], st["down"]
            out.append("%d / %d (queue %d / %d)" % (
                u["drop_loss"] + u["drop_queue"], dn["drop_loss"] + dn["drop_queue"],
                u["drop_queue"], dn["drop_queue"]))
            out.append("%d / %d of %d" % (u["rtx_chunks"], u["spurious_chunks"], u["data_chunks"]))
            out.append(num(u.get("rtx_early")))
        else:
            out += ["-", "-", "-"]
    else:
        n = read(run, "nft").split()
        out.append(n[1] if len(n) == 2 else "-")
        # Every transmission toward the receiver passes the count rule
        # (before the drop rule): with one message per packet, packets
        # beyond the messages delivered are retransmissions (plus a few
        # control packets: INIT, COOKIE ECHO, SHUTDOWN, HEARTBEAT).
        if len(n) == 2 and msgs is not None and pair != "tcp":
            out.append(str(int(n[0]) - msgs))
        else:
            out.append("-")
    return out, notes


def first_relay(text):
    st = {}
    for line in text.splitlines():
        if line.startswith("udp_relay stats "):
            kv = dict(x.split("=", 1) for x in line.split()[2:] if "=" in x)
            d = kv.pop("dir")
            st[d] = {k: int(v) for k, v in kv.items()}
    return st if "up" in st and "down" in st else None


def main():
    out = []
    nogood = []
    for s in SETS:
        relay = s.startswith("rtt")
        hdr = ["sender → receiver", "goodput Mbit/s", "retransmissions (fast)",
               "T3 expiries", "spurious"]
        hdr += (["dropped up / down (of which queue)", "relay: DATA rtx / wire-spurious of DATA chunks",
                 "relay: DATA rtx in the first 2 s"]
                if relay else ["dropped (nft)", "wire rtx ≈ packets to receiver − messages"])
        out.append("### %s: %s" % (s, DESC.get(s, "")))
        out.append("")
        out.append("| " + " | ".join(hdr) + " |")
        out.append("|" + "|".join(["---"] * len(hdr)) + "|")
        notes = []
        for p in PAIRS:
            r, n = row(s, p, relay)
            notes += n
            if r:
                out.append("| " + " | ".join(r) + " |")
                if r[1].startswith("FAIL"):
                    nogood.append("%s.%s" % (s, p))
        if relay and "tcp" in PAIRS:
            notes.append("no TCP row: the relay carries UDP only")
        if notes:
            out.append("")
            out += ["- " + n for n in notes]
        out.append("")
    print("\n".join(out).rstrip())
    if nogood:
        print("no goodput for: " + " ".join(nogood), file=sys.stderr)
        return 3
    return 0


sys.exit(main())
