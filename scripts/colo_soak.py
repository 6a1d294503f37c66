#!/usr/bin/env python3
"""Soak the full COLO stack: frequent checkpoints for a long time.

The stack of scripts/colo_stack.py (Linux guest, block replication,
colo-compare and filters, the client) runs without a failover, with a
checkpoint every --interval ms, for --minutes.  Every minute it records
both QEMUs' resident memory, open file descriptors and threads, and both
sides' info_checkpoint.  It fails on:

  - resident memory grown by more than RSS_GROWTH_MIB, or open file
    descriptors by more than FD_GROWTH, or threads by more than
    THREAD_GROWTH, from the end of the first minute (caches, pools and
    the COLO cache are in place by then) to any later minute;
  - a minute in which the primary completed no checkpoint, or any failed
    checkpoint;
  - a new line in either QEMU's log once COLO runs (QEMU prints errors
    and warnings there; lines from before, such as the primary's
    filter-mirror failing to send while the secondary is not connected
    yet, are reported but do not count);
  - an Oops or other problem line on a serial console, a disk workload
    mismatch, a client TCP retransmission or connection error.

Writes every sample to --json and a Markdown report to --md.
"""

import argparse
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import colo_stack  # noqa: E402

RSS_GROWTH_MIB = 16
FD_GROWTH = 0
THREAD_GROWTH = 8
MIB = 1024 * 1024


def proc_sample(pid):
    """Resident memory (bytes), open fds and threads of process pid."""
    status = {}
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            key, _, value = line.partition(":")
            status[key] = value.split()
    return {"rss": int(status["VmRSS"][0]) * 1024,
            "fds": len(os.listdir("/proc/%d/fd" % pid)),
            "threads": int(status["Threads"][0])}


def log_lines(side):
    with open(os.path.join(side.dir, side.name + ".log")) as f:
        return [line.rstrip("\n") for line in f if line.strip()]


def sample(st, t0, log_before):
    s = {"minute": round((time.monotonic() - t0) / 60, 2)}
    for side in st.sides:
        s[side.name] = proc_sample(side.proc.pid)
        s[side.name]["info_checkpoint"] = side.cmd("info_checkpoint")
        s[side.name]["log_lines"] = len(log_lines(side))
        s[side.name]["log_lines_before"] = log_before[side.name]
    echo, _, errors = st.client.snapshot()
    s["client"] = {"echoes": len(echo), "errors": len(errors),
                   "retransmissions": st.client.retransmissions()}
    return s


def check(st, samples):
    """The failures so far, as strings."""
    bad = []
    first, last = samples[min(1, len(samples) - 1)], samples[-1]
    for name in ("primary", "secondary"):
        a, b = first[name], last[name]
        if b["rss"] - a["rss"] > RSS_GROWTH_MIB * MIB:
            bad.append("%s RSS grew %.1f MiB" %
                       (name, (b["rss"] - a["rss"]) / MIB))
        if b["fds"] - a["fds"] > FD_GROWTH:
            bad.append("%s fds %d -> %d" % (name, a["fds"], b["fds"]))
        if b["threads"] - a["threads"] > THREAD_GROWTH:
            bad.append("%s threads %d -> %d" %
                       (name, a["threads"], b["threads"]))
        before = samples[0][name]["log_lines_before"]
        if b["log_lines"] > before:
            bad.append("%s log: %s" % (name, log_lines(
                st.pri if name == "primary" else st.sec)[before]))
        rec = b["info_checkpoint"]
        if rec["failed-checkpoints"]:
            bad.append("%s: %d failed checkpoints"
                       % (name, rec["failed-checkpoints"]))
    if len(samples) >= 2:
        n0 = samples[-2]["primary"]["info_checkpoint"]["checkpoints"]
        n1 = last["primary"]["info_checkpoint"]["checkpoints"]
        if n1 <= n0:
            bad.append("no checkpoint in minute %.0f" % last["minute"])
    for side in st.sides:
        c = side.console
        if c.bad:
            bad.append("%s serial: %s" % (side.name, c.bad[0]))
        if c.mismatch_lines:
            bad.append("%s disk workload: %d mismatches"
                       % (side.name, len(c.mismatch_lines)))
    if last["client"]["retransmissions"] or last["client"]["errors"]:
        bad.append("client: %d retransmissions, %d errors"
                   % (last["client"]["retransmissions"],
                      last["client"]["errors"]))
    return bad


def markdown(args, samples, bad):
    out = ["# COLO soak: checkpoint every %d ms, %d minutes" %
           (args.interval, args.minutes), "",
           "Full stack (scripts/colo_stack.py), TCG, no failover. "
           "Bounds from the end of minute 1: RSS +%d MiB, fds +%d, "
           "threads +%d." % (RSS_GROWTH_MIB, FD_GROWTH, THREAD_GROWTH), "",
           "| minute | primary RSS MiB / fds / threads | secondary RSS MiB "
           "/ fds / threads | checkpoints | failed | pause p50 / max (ms) "
           "| client echoes / retransmissions |",
           "|---|---|---|---|---|---|---|"]
    for s in samples:
        p, q = s["primary"], s["secondary"]
        rec = p["info_checkpoint"]
        out.append("| %.1f | %.1f / %d / %d | %.1f / %d / %d | %d | %d | "
                   "%.1f / %.1f | %d / %d |" % (
                       s["minute"], p["rss"] / MIB, p["fds"], p["threads"],
                       q["rss"] / MIB, q["fds"], q["threads"],
                       rec["checkpoints"], rec["failed-checkpoints"],
                       rec["pause"]["p50"] / 1e6, rec["pause"]["max"] / 1e6,
                       s["client"]["echoes"], s["client"]["retransmissions"]))
    if samples:
        out += ["", "QEMU log lines from before COLO ran (not counted): "
                "primary %d, secondary %d." % (
                    samples[0]["primary"]["log_lines_before"],
                    samples[0]["secondary"]["log_lines_before"])]
    out += ["", "Result: " + ("OK" if not bad else "FAILED: " + "; ".join(bad)),
            ""]
    return "\n".join(out)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--minutes", type=int, default=30)
    ap.add_argument("--interval", type=int, default=100,
                    help="x-checkpoint-delay, ms (0: back to back)")
    ap.add_argument("--json", metavar="FILE")
    ap.add_argument("--md", metavar="FILE")
    args = ap.parse_args()

    stack_args = colo_stack.parse_args(
        ["--interval", str(args.interval), "--switch-threshold", "0",
         "--duration", str(args.minutes * 60)])
    colo_stack.prepare(stack_args)
    samples, bad = [], []
    with colo_stack.ColoStack(stack_args) as st:
        try:
            st.boot_primary()
            st.start_colo()
            st.start_client()
            t0 = time.monotonic()
            log_before = {side.name: len(log_lines(side))
                          for side in st.sides}
            for line in log_lines(st.pri) + log_lines(st.sec):
                colo_stack.log("before COLO ran: %s" % line)
            for minute in range(args.minutes):
                st.watch(60)
                samples.append(sample(st, t0, log_before))
                s = samples[-1]
                colo_stack.log(
                    "soak minute %d: RSS %.1f / %.1f MiB, fds %d / %d, "
                    "threads %d / %d, checkpoints %d" % (
                        minute + 1, s["primary"]["rss"] / MIB,
                        s["secondary"]["rss"] / MIB, s["primary"]["fds"],
                        s["secondary"]["fds"], s["primary"]["threads"],
                        s["secondary"]["threads"],
                        s["primary"]["info_checkpoint"]["checkpoints"]))
                bad = check(st, samples)
                if bad:
                    break
        except (RuntimeError, TimeoutError, colo_stack.QMPError,
                OSError) as e:
            bad.append(str(e))
        bad += st.failures
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"args": vars(args), "samples": samples,
                       "failures": bad}, f, indent=1)
    report = markdown(args, samples, bad)
    if args.md:
        with open(args.md, "w") as f:
            f.write(report)
    print(report)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
