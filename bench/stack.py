#!/usr/bin/env python3
"""make bench-stack: the guest pause and the client on the full COLO stack,
with and without migrate-ram, idle and at set guest dirty rates.

One stack of scripts/colo_stack.py (Linux guest under TCG, block
replication, colo-compare and the filters, a client through them) per
dirty rate: the guest's memdirty dirties --working-set MiB at that rate
(0: idle, the disk workload, echo and web only).  On that one pair, for
each checkpoint interval, the arms take turns: x-colo-migrate-ram-
threshold 0 (stock), --threshold, the pause target --pause-target
(x-colo-migrate-ram-pause), and 0 again as the A/A control, in
--blocks blocks of --seconds each, every other block in reverse order,
all switched live (migrate_set_parameter), both recorders reset at the
start of each block.  For each arm: the pause of both sides (p50, average,
max) and their phases, RAM in the pause and sent by migrate-ram, the
client's echo p50/p99/max and the time to fetch a page that differs
between the VMs (colo-compare holds it until a checkpoint).

Writes bench/results/stack.{json,md} and stack-pause.png.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(TOP, "scripts"))
import colo_stack  # noqa: E402
from recorder_trace import phases_ms, traced_pauses_ms  # noqa: E402

RESULTS = os.path.join(TOP, "bench", "results")
MIB = 1 << 20
SETTLE_S = 2    # after a switch, before the block's recorders restart
ECHO_INTERVAL_S = 0.05


def percentile(values, p):
    v = sorted(values)
    return v[min(len(v) - 1, int(len(v) * p / 100))] if v else 0.0


def trace_path(st, side):
    return os.path.join(st.dir, side.name + ".trace")


def measure_block(st, seconds):
    """Reset both recorders, watch, and read what the block recorded."""
    offsets = {}
    for side in st.sides:
        offsets[side.name] = os.path.getsize(trace_path(st, side))
        side.cmd("reset_checkpoint")
    t0 = time.monotonic() - st.client_t0
    st.watch(seconds)
    t1 = time.monotonic() - st.client_t0
    echo, http, errors = st.client.snapshot()
    out = {"echo_ms": [e["rtt_ms"] for e in echo if t0 <= e["t"] < t1],
           "http_ms": [h["ms"] for h in http if t0 <= h["t"] < t1],
           "errors": len([e for e in errors if t0 <= e["t"] < t1])}
    for side in st.sides:
        rec = side.cmd("info_checkpoint")
        out[side.name] = {
            "checkpoints": rec["checkpoints"],
            "failed": rec["failed-checkpoints"],
            "pause_p50_ms": rec["pause"]["p50"] / 1e6,
            "pause_avg_ms": rec["pause"]["average"] / 1e6,
            "pause_max_ms": rec["pause"]["max"] / 1e6,
            "pauses_ms": traced_pauses_ms(trace_path(st, side),
                                          offsets[side.name],
                                          rec["checkpoints"]),
            "phases_ms": phases_ms(rec),
            "ram_in_pause_mib": rec["ram-bytes"]["average"] / MIB,
            "migrate_ram_mib": rec["migrate-ram-bytes"]["average"] / MIB,
        }
    target = st.pri.cmd("info_checkpoint")["pause-target"]
    out["target_met"] = target["periodic"]["met"]
    out["target_missed"] = target["periodic"]["missed"]
    return out


def weighted(blocks, side, key):
    """The blocks' value of key, weighted by their checkpoints."""
    n = sum(b[side]["checkpoints"] for b in blocks)
    return sum(b[side][key] * b[side]["checkpoints"] for b in blocks) / n \
        if n else 0.0


def merge(blocks):
    out = {"blocks": len(blocks),
           "checkpoints": sum(b["primary"]["checkpoints"] for b in blocks),
           "failed": sum(b[s]["failed"] for b in blocks
                         for s in ("primary", "secondary")),
           "client_errors": sum(b["errors"] for b in blocks),
           "target_met": sum(b["target_met"] for b in blocks),
           "target_missed": sum(b["target_missed"] for b in blocks)}
    for side in ("primary", "secondary"):
        n = sum(b[side]["checkpoints"] for b in blocks) or 1
        pauses = [x for b in blocks for x in b[side]["pauses_ms"]]
        out[side] = {
            "pause_p50_ms": percentile(pauses, 50),
            "pause_p90_ms": percentile(pauses, 90),
            "pause_avg_ms": weighted(blocks, side, "pause_avg_ms"),
            "pauses_traced": len(pauses),
            "pause_max_ms": max(b[side]["pause_max_ms"] for b in blocks),
            "ram_in_pause_mib": weighted(blocks, side, "ram_in_pause_mib"),
            "migrate_ram_mib": weighted(blocks, side, "migrate_ram_mib"),
            "phases_ms": {
                ph: sum(b[side]["phases_ms"][ph] * b[side]["checkpoints"]
                        for b in blocks) / n
                for ph in blocks[0][side]["phases_ms"]},
        }
    echo = [x for b in blocks for x in b["echo_ms"]]
    http = [x for b in blocks for x in b["http_ms"]]
    out["echo"] = {"n": len(echo), "p50": percentile(echo, 50),
                   "p99": percentile(echo, 99), "max": max(echo, default=0)}
    out["http"] = {"n": len(http), "p50": percentile(http, 50),
                   "max": max(http, default=0)}
    return out


def run_rate(args, rate, arms, results):
    opts = ["--accel", "tcg", "--interval", str(args.intervals[0]),
            "--threshold", "0", "--switch-threshold", "0",
            "--duration", "86400", "--warmup", str(args.warmup),
            "--trace", "colo_checkpoint_done",
            "--echo-interval", str(ECHO_INTERVAL_S),
            "--http-interval", str(args.http_interval),
            "--memory", str(args.working_set + colo_stack.GUEST_OWN_MIB)]
    if rate:
        opts += ["--dirty-rate", str(rate),
                 "--working-set", str(args.working_set)]
    stack_args = colo_stack.parse_args(opts)
    with colo_stack.ColoStack(stack_args) as st:
        st.boot_primary()
        st.start_colo()
        st.start_client()
        st.watch(args.warmup)
        st.end_warmup()
        for interval in args.intervals:
            st.pri.cmd("migrate-set-parameters",
                       **{"x-checkpoint-delay": interval})
            blocks = [[] for _ in arms]
            order = list(range(len(arms)))
            for b in range(args.blocks):
                for i in order if b % 2 == 0 else order[::-1]:
                    if st.threshold != arms[i][1]:
                        st.switch_threshold(arms[i][1])
                    if st.pause_target != arms[i][2]:
                        st.switch_pause_target(arms[i][2])
                    st.watch(SETTLE_S)
                    blocks[i].append(measure_block(st, args.seconds))
                    if st.failures:
                        raise RuntimeError("; ".join(st.failures))
            for (name, threshold, target), arm_blocks in zip(arms, blocks):
                r = merge(arm_blocks)
                r.update(rate_mib_s=rate, interval_ms=interval, arm=name,
                         threshold_bytes=threshold, pause_target_ms=target)
                results.append(r)
                colo_stack.log(
                    "bench-stack: %s MiB/s, every %d ms, %s: primary pause "
                    "p50 %.1f ms avg %.1f, secondary p50 %.1f; echo p50 "
                    "%.1f p99 %.1f max %.1f ms; page %.0f ms"
                    % (rate or "idle", interval, name,
                       r["primary"]["pause_p50_ms"],
                       r["primary"]["pause_avg_ms"],
                       r["secondary"]["pause_p50_ms"], r["echo"]["p50"],
                       r["echo"]["p99"], r["echo"]["max"], r["http"]["p50"]))
        bad = [s.console for s in st.sides
               if s.console.bad or s.console.mismatch_lines]
        if bad or st.failures:
            raise RuntimeError("serial console problems or failures: %s"
                               % (st.failures or [c.bad[:3] for c in bad]))


def ratio_of(results, r, base_arm, key="pause_p50_ms"):
    for b in results:
        if (b["rate_mib_s"], b["interval_ms"], b["arm"]) == \
                (r["rate_mib_s"], r["interval_ms"], base_arm):
            v = r["primary"][key]
            return b["primary"][key] / v if v else 0.0
    return 0.0


def markdown(args, results):
    top_phases = ["stop", "stop-block", "block-checkpoint", "device-save",
                  "ram-save", "wait-received", "wait-loaded", "resume"]
    sec_phases = ["ram-receive", "ram-flush", "device-load",
                  "block-checkpoint", "filter-checkpoint"]
    lines = [
        "# COLO full stack: the pause with and without migrate-ram",
        "",
        "`make bench-stack` (bench/stack.py): Linux guest under TCG, "
        "block replication, colo-compare and filters, a client echoing "
        "every %g s and fetching a page that differs between the VMs "
        "every %g s.  The guest's memdirty dirties a %d MiB working set "
        "at the rate given (idle: no memdirty).  One pair per rate; on "
        "it the arms take turns in %d blocks of %g s per interval "
        "(threshold 0, %g MiB, pause target %d ms, and 0 again as the "
        "A/A control).  Target met: periodic checkpoints whose pause was "
        "at most x-colo-migrate-ram-pause, of all of them.  Pause "
        "p50 and p90 are percentiles of every checkpoint's pause in the "
        "arm's blocks (each side's colo_checkpoint_done trace event); "
        "ratio = threshold 0's p50 / this arm's; A/A shows the spread of "
        "two measurements of the same configuration."
        % (ECHO_INTERVAL_S, args.http_interval, args.working_set, args.blocks,
           args.seconds, args.threshold / MIB, args.pause_target),
        "",
        "| dirty MiB/s | every ms | arm | checkpoints | primary pause "
        "p50 / p90 / avg / max (ms) | ratio | target met | secondary pause "
        "p50 (ms) | RAM in pause (MiB) | migrate-ram (MiB) | echo p50 / "
        "p99 / max (ms) | page p50 (ms) |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in results:
        p, s = r["primary"], r["secondary"]
        lines.append(
            "| %s | %d | %s | %d | %.1f / %.1f / %.1f / %.1f | %.2f | %s | "
            "%.1f | %.2f | %.2f | %.1f / %.1f / %.1f | %.0f |"
            % (r["rate_mib_s"] or "idle", r["interval_ms"], r["arm"],
               r["checkpoints"], p["pause_p50_ms"], p["pause_p90_ms"],
               p["pause_avg_ms"],
               p["pause_max_ms"], ratio_of(results, r, "threshold 0"),
               "%d/%d" % (r["target_met"],
                          r["target_met"] + r["target_missed"])
               if r.get("pause_target_ms") else "-",
               s["pause_p50_ms"], p["ram_in_pause_mib"],
               p["migrate_ram_mib"], r["echo"]["p50"], r["echo"]["p99"],
               r["echo"]["max"], r["http"]["p50"]))
    lines += ["", "Phases, averages in ms (primary | secondary):", "",
              "| dirty MiB/s | every ms | arm | " +
              " | ".join(top_phases) + " | " +
              " | ".join("sec " + ph for ph in sec_phases) + " |",
              "|---|---|---|" + "---|" * (len(top_phases) +
                                         len(sec_phases))]
    for r in results:
        lines.append(
            "| %s | %d | %s | " % (r["rate_mib_s"] or "idle",
                                   r["interval_ms"], r["arm"]) +
            " | ".join("%.2f" % r["primary"]["phases_ms"].get(ph, 0)
                       for ph in top_phases) + " | " +
            " | ".join("%.2f" % r["secondary"]["phases_ms"].get(ph, 0)
                       for ph in sec_phases) + " |")
    return "\n".join(lines) + "\n"


def plot(args, results, path):
    """Primary pause p50 vs dirty rate, a panel per interval."""
    with tempfile.TemporaryDirectory() as tmp:
        cmds = ["set terminal png size 1400,480", "set output '%s'" % path,
                "set multiplot layout 1,%d title 'COLO full stack: primary "
                "pause p50'" % len(args.intervals),
                "set xlabel 'guest dirty rate (MiB/s)'",
                "set ylabel 'pause p50 (ms)'", "set key left top",
                "set grid"]
        for interval in args.intervals:
            plots = []
            arms = dict.fromkeys(r["arm"] for r in results)
            for i, arm in enumerate(arms):
                data = os.path.join(tmp, "%d-%d.dat" % (interval, i))
                with open(data, "w") as f:
                    for r in results:
                        if (r["interval_ms"], r["arm"]) == (interval, arm):
                            f.write("%g %f\n" % (r["rate_mib_s"],
                                                 r["primary"]["pause_p50_ms"]))
                plots.append("'%s' with linespoints title '%s'"
                             % (data, arm))
            cmds += ["set title 'every %d ms'" % interval,
                     "plot " + ", ".join(plots)]
        cmds.append("unset multiplot")
        subprocess.run(["gnuplot"], input="\n".join(cmds), text=True,
                       check=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rates", default="0,25,100",
                    help="guest dirty rates, MiB/s (0: idle)")
    ap.add_argument("--working-set", type=int, default=256,
                    help="memdirty's working set, MiB")
    ap.add_argument("--intervals", default="200,500,2000",
                    help="checkpoint intervals (x-checkpoint-delay), ms")
    ap.add_argument("--threshold", type=colo_stack.parse_size,
                    default="4M", help="migrate-ram's arm")
    ap.add_argument("--pause-target", type=int, default=10,
                    help="x-colo-migrate-ram-pause's arm, ms (0: none)")
    ap.add_argument("--seconds", type=float, default=15,
                    help="seconds per block")
    ap.add_argument("--blocks", type=int, default=2,
                    help="blocks per arm and interval")
    ap.add_argument("--warmup", type=float, default=5,
                    help="the client's first seconds, not measured")
    ap.add_argument("--http-interval", type=float, default=2.0,
                    help="seconds between fetches of the differing page")
    ap.add_argument("--no-aa-control", dest="aa_control",
                    action="store_false",
                    help="skip the second threshold 0 arm")
    ap.add_argument("--out", default=RESULTS,
                    help="directory for stack.{json,md}, stack-pause.png")
    args = ap.parse_args()
    args.rates = [float(x) for x in args.rates.split(",")]
    args.intervals = [int(x) for x in args.intervals.split(",")]
    # (name, x-colo-migrate-ram-threshold, x-colo-migrate-ram-pause)
    arms = [("threshold 0", 0, 0),
            ("threshold %g MiB" % (args.threshold / MIB), args.threshold, 0)]
    if args.pause_target:
        arms.append(("target %d ms" % args.pause_target, 0,
                     args.pause_target))
    if args.aa_control:
        arms.append(("threshold 0 (A/A)", 0, 0))
    colo_stack.prepare(colo_stack.parse_args([]))

    results = []
    for rate in args.rates:
        run_rate(args, rate, arms, results)
    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(args.out, "stack.json"), "w") as f:
        json.dump({"args": vars(args), "results": results}, f, indent=1)
    report = markdown(args, results)
    with open(os.path.join(args.out, "stack.md"), "w") as f:
        f.write(report)
    plot(args, results, os.path.join(args.out, "stack-pause.png"))
    print(report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
