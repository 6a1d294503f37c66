#!/usr/bin/env python3
"""make bench: COLO guest pause vs dirty rate, with and without migrate-ram.

For each accelerator (TCG always, KVM where KVM runs the guest), checkpoint
interval, guest dirty rate (the first, "idle", dirties nothing: the
pause floor) and arm (an x-colo-migrate-ram-threshold, or an
x-colo-migrate-ram-pause target), record a fixed
number of checkpoints of a COLO pair of the boot-sector dirtier and read
info_checkpoint on both sides.  One pair runs per accelerator and rate;
its intervals and thresholds are set live, one after the other, so their
ratios compare like with like.  Writes bench/results/results.json, results.md and
pause-vs-dirty-rate.png.
"""

import argparse
import json
import os
import platform
import random
import signal
import subprocess
import sys
import tempfile
import time

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "scripts"))
from colo_pair import ColoPair, TOP, choose_accel, guest_image  # noqa: E402,E501
from awake_cpus import AwakeCpus  # noqa: E402
from recorder_trace import phases_ms, traced_pauses_ms  # noqa: E402

MIB = 1 << 20
RESULTS = os.path.join(TOP, "bench", "results")
# Clock reads per checkpoint by the recorder (colo-recorder.c): one to
# begin, one per phase (12 on each side; stop's is taken by a VM change
# state handler), two for the pause.
CLOCK_READS = {"primary": 1 + 12 + 2, "secondary": 1 + 12 + 2}


def clock_read_ns():
    """Cost of one QEMU_CLOCK_REALTIME read (clock_gettime MONOTONIC)."""
    src = r'''
#include <stdio.h>
#include <time.h>
int main(void) {
    struct timespec a, b, t;
    const long n = 2000000;
    clock_gettime(CLOCK_MONOTONIC, &a);
    for (long i = 0; i < n; i++) clock_gettime(CLOCK_MONOTONIC, &t);
    clock_gettime(CLOCK_MONOTONIC, &b);
    printf("%f\n", ((b.tv_sec - a.tv_sec) * 1e9 + b.tv_nsec - a.tv_nsec) / n);
    return 0;
}'''
    with tempfile.TemporaryDirectory() as tmp:
        c, exe = os.path.join(tmp, "c.c"), os.path.join(tmp, "c")
        with open(c, "w") as f:
            f.write(src)
        subprocess.run(["gcc", "-O2", "-o", exe, c], check=True)
        return float(subprocess.check_output([exe]))


IDLE = "idle"


def log_size(pair):
    return os.path.getsize(os.path.join(pair.dir, "primary.log"))


def primary_pauses_ms(pair, offset, count):
    """The pauses of the @count checkpoints recorded since the primary's
    recorder was reset, from its log (QEMU's stderr, where the log trace
    backend writes) from @offset on."""
    return traced_pauses_ms(os.path.join(pair.dir, "primary.log"), offset,
                            count)


def wait_checkpoints(pair, count, interval):
    """Until the primary's recorder counts @count checkpoints.  Every
    look is a QMP command the primary's main loop runs under the BQL, as
    its checkpoints do: look again only when about 90% of the remaining
    checkpoints should be done, so the bench does not weigh on what it
    measures."""
    while True:
        done = pair.recorder(pair.primary)["checkpoints"]
        if done >= count:
            return
        pair.check_alive()
        time.sleep(max(0.05, (count - done) * interval / 1000 * 0.9))


def measure(pair, args, accel, interval, rate, threshold, target_ms):
    """One block: set the interval, threshold and pause target on the
    running pair (they take effect at the next checkpoint), skip a few
    checkpoints, then record this point's share of checkpoints."""
    pair.primary.cmd("migrate-set-parameters", **{
        "x-checkpoint-delay": interval,
        "x-colo-migrate-ram-threshold": threshold,
        "x-colo-migrate-ram-pause": target_ms})
    first = pair.recorder(pair.primary)["checkpoints"]
    wait_checkpoints(pair, first + args.warmup, interval)
    offset = log_size(pair)
    pair.primary.cmd("reset_checkpoint")
    pair.secondary.cmd("reset_checkpoint")
    wait_checkpoints(pair,
                     checkpoints_for(args, interval, rate) // args.blocks,
                     interval)
    p = pair.recorder(pair.primary)
    s = pair.recorder(pair.secondary)
    rounds_phase = [ph for ph in p["phases"] if ph["phase"] == "migrate-ram"]
    pauses = primary_pauses_ms(pair, offset, p["checkpoints"])
    target = p["pause-target"]["periodic"]
    return {
        "accel": accel,
        "interval_ms": interval,
        "rate": rate,
        "rate_requested_mb_s": 0.0 if rate == IDLE
        else round(rate * 4096 / 1e6, 1),
        "threshold_bytes": threshold,
        "pause_target_ms": target_ms,
        # Periodic checkpoints that met the pause target, and the others
        "target_met": target["met"] if target_ms else 0,
        "target_missed": target["missed"] if target_ms else 0,
        "checkpoints": p["checkpoints"],
        "pause_avg_ms": p["pause"]["average"] / 1e6,
        "pause_p50_ms": p["pause"]["p50"] / 1e6,
        "pause_p90_ms": p["pause"]["p90"] / 1e6,
        "pause_p99_ms": p["pause"]["p99"] / 1e6,
        "pause_max_ms": p["pause"]["max"] / 1e6,
        # Each checkpoint's pause, from the trace (empty if the build's
        # trace backend is not "log")
        "pauses_ms": pauses if len(pauses) == p["checkpoints"] else [],
        "secondary_pause_avg_ms": s["pause"]["average"] / 1e6,
        "ram_in_pause_avg_mib": p["ram-bytes"]["average"] / MIB,
        "migrate_ram_avg_mib": p["migrate-ram-bytes"]["average"] / MIB,
        "migrate_ram_rounds_avg": (p["migrate-ram-iterations"]["total"] /
                                   max(p["checkpoints"], 1)),
        # How late migrate-ram made a checkpoint: its rounds' phase
        "migrate_ram_max_ms": rounds_phase[0]["max"] / 1e6
        if rounds_phase else 0.0,
        "migrate_ram_stops": p["migrate-ram-stops"],
        # The time from one checkpoint's end to the next's, its wait included
        "period_avg_ms": p["period"]["average"] / 1e6,
        "primary_phases_ms": phases_ms(p),
        "secondary_phases_ms": phases_ms(s),
    }


def checkpoints_for(args, interval, rate):
    """Checkpoints recorded per point: about args.seconds of COLO (or
    args.idle_seconds when the guest is idle), and at least
    args.checkpoints.  An idle guest's pause is short, so the host's
    scheduling noise weighs more in it: its comparisons need more
    checkpoints, which are cheap."""
    seconds = args.idle_seconds if rate == IDLE else args.seconds
    return max(args.checkpoints, int(seconds * 1000 / interval))


AVERAGED = ["pause_avg_ms", "pause_p50_ms", "pause_p90_ms", "pause_p99_ms",
            "secondary_pause_avg_ms", "ram_in_pause_avg_mib",
            "migrate_ram_avg_mib", "migrate_ram_rounds_avg",
            "period_avg_ms"]


def merge(blocks):
    """One point from its blocks: averages weighted by checkpoints (the
    percentiles too, so they are approximations), maxima, sums."""
    n = sum(b["checkpoints"] for b in blocks)
    out = dict(blocks[0])
    out["checkpoints"] = n
    for k in AVERAGED:
        out[k] = sum(b[k] * b["checkpoints"] for b in blocks) / n
    for k in ("primary_phases_ms", "secondary_phases_ms"):
        out[k] = {ph: sum(b[k][ph] * b["checkpoints"] for b in blocks) / n
                  for ph in blocks[0][k]}
    out["pause_max_ms"] = max(b["pause_max_ms"] for b in blocks)
    out["migrate_ram_max_ms"] = max(b["migrate_ram_max_ms"] for b in blocks)
    out["target_met"] = sum(b["target_met"] for b in blocks)
    out["target_missed"] = sum(b["target_missed"] for b in blocks)
    out["migrate_ram_stops"] = {k: sum(b["migrate_ram_stops"][k]
                                       for b in blocks)
                                for k in blocks[0]["migrate_ram_stops"]}
    out["blocks"] = len(blocks)
    out["pause_avg_ms_blocks"] = [b["pause_avg_ms"] for b in blocks]
    out["pauses_ms"] = [p for b in blocks for p in b["pauses_ms"]] \
        if all(b["pauses_ms"] for b in blocks) else []
    return out


def run_rate(image, args, accel, rate, intervals, arms, results, start):
    """One COLO pair per accelerator and dirty rate: every interval and
    arm (a threshold, a pause target, and whether it is the A/A control)
    is measured on
    it; the arms of an interval take turns, in args.blocks blocks each,
    so that a slow patch of the machine does not land on one of them
    only, in alternating order."""
    with ColoPair(image, memory_mib=args.working_set + 128, accel=accel,
                  delay_ms=intervals[0], threshold=0) as pair:
        pair.wait_guest_running()
        pair.start_colo()
        out = pair.primary.hmp("trace-event colo_checkpoint_done on")
        if out:
            print("bench: no per-checkpoint trace (%s): no 95%% intervals"
                  % out.strip(), flush=True)
        for interval in intervals:
            blocks = [[] for _ in arms]
            order = list(range(len(arms)))
            for b in range(args.blocks):
                # Every other block in reverse order: none of the
                # arms always comes first or after the same one
                for i in order if b % 2 == 0 else order[::-1]:
                    blocks[i].append(measure(pair, args, accel, interval,
                                             rate, arms[i][0], arms[i][1]))
            for (_, _, control), arm_blocks in zip(arms, blocks):
                r = merge(arm_blocks)
                r["control"] = control
                results.append(r)
                print("bench: %s %4d ms, %6s MB/s, %-16s:"
                      " pause avg %7.2f ms, RAM in pause %6.2f MiB,"
                      " migrate-ram %6.2f MiB, rounds' phase max"
                      " %6.1f ms [%.0f s]"
                      % (accel, interval, "idle" if rate == IDLE
                         else "%.1f" % r["rate_requested_mb_s"],
                         arm_label(r),
                         r["pause_avg_ms"],
                         r["ram_in_pause_avg_mib"], r["migrate_ram_avg_mib"],
                         r["migrate_ram_max_ms"],
                         time.monotonic() - start), flush=True)
        pair.quit()


def arm_label(r):
    """How the tables name an arm"""
    if r.get("control"):
        return "0 (A/A)"
    if r["pause_target_ms"]:
        return "target %d ms" % r["pause_target_ms"]
    return "%g MiB" % (r["threshold_bytes"] / MIB)


def is_stock(r):
    """Threshold 0 and no pause target: no migrate-ram"""
    return r["threshold_bytes"] == 0 and not r.get("pause_target_ms")


def dirtied_mb_s(results, r):
    """What the guest dirtied per second of COLO, as threshold 0 of the
    same accelerator, interval and rate sent it in the pause."""
    b = baseline(results, r)
    if b:
        return b["ram_in_pause_avg_mib"] * MIB / 1e6 / \
            (b["period_avg_ms"] / 1000)
    return 0.0


def baseline(results, r):
    for b in results:
        if (b["accel"], b["interval_ms"], b["rate"]) \
                == (r["accel"], r["interval_ms"], r["rate"]):
            if is_stock(b) and not b.get("control"):
                return b
    return None


def ratio_interval(base, this, resamples=2000):
    """95% bootstrap interval of mean(@base) / mean(@this), two lists of
    pauses: how far the ratio may be off by the luck of which
    checkpoints were measured.  Seeded, so that a rerun of
    write_markdown() prints the same."""
    if not base or not this:
        return None
    rng = random.Random(0)
    ratios = sorted(
        (sum(rng.choices(base, k=len(base))) / len(base)) /
        (sum(rng.choices(this, k=len(this))) / len(this))
        for _ in range(resamples))
    return ratios[int(resamples * 0.025)], ratios[int(resamples * 0.975) - 1]


STOP_ABBREV = [("below-threshold", "bt"), ("not-converging", "nc"),
               ("time-limit", "tl"), ("iteration-limit", "il"),
               ("compare", "cmp")]


def stops_text(stops):
    return " ".join("%s %d" % (a, stops[k]) for k, a in STOP_ABBREV
                    if stops.get(k)) or "-"


def summary(results):
    """The figures issue 12 asks for, from this run."""
    out = {}
    for r in results:
        key = "%s %d ms" % (r["accel"], r["interval_ms"])
        b = baseline(results, r)
        ratio = b["pause_avg_ms"] / r["pause_avg_ms"] \
            if b and r["pause_avg_ms"] else 0
        r["ratio"] = ratio
        # Block i of every arm ran in the same round of blocks as block i
        # of threshold 0: the spread of these paired ratios shows drift
        r["ratio_blocks"] = [
            rb and bb / rb for bb, rb in zip(b["pause_avg_ms_blocks"],
                                             r["pause_avg_ms_blocks"])] \
            if b else []
        compared = not is_stock(r) or r.get("control")
        r["ratio_interval"] = ratio_interval(
            b.get("pauses_ms"), r.get("pauses_ms")) if b and compared \
            else None
        r["dirtied_mb_s"] = dirtied_mb_s(results, r)
        o = out.setdefault(key, {"floor_ms": None, "worst_ratio": None,
                                 "worst_ratio_interval": None,
                                 "aa_ratios": [],
                                 "max_migrate_ram_ms": 0.0,
                                 "budget_ms": r["interval_ms"] / 2})
        if r.get("control"):
            # Threshold 0 against itself: how far two identical columns
            # drift apart in this run
            o["aa_ratios"].append(ratio)
        elif r["rate"] == IDLE and is_stock(r):
            o["floor_ms"] = r["pause_avg_ms"]
        if not is_stock(r):
            if o["worst_ratio"] is None or ratio < o["worst_ratio"]:
                o["worst_ratio"] = ratio
                o["worst_ratio_interval"] = r["ratio_interval"]
            o["max_migrate_ram_ms"] = max(o["max_migrate_ram_ms"],
                                          r["migrate_ram_max_ms"])
    return out


def interval_text(interval):
    return "%.2f-%.2f" % tuple(interval) if interval else "-"


def phase_table(points, first, pause_key, phases_key):
    """Markdown lines: a table of one side's average phases per point."""
    names = list(points[0][phases_key])
    lines = ["", "| %s | pause | %s |" % (first, " | ".join(names)),
             "|---" * (len(names) + 2) + "|"]
    for r in points:
        lines.append("| %s %d ms | %.2f | %s |" % (
            r["accel"], r["interval_ms"], r[pause_key],
            " | ".join("%.2f" % r[phases_key][n] for n in names)))
    return lines


def write_markdown(results, meta, path):
    summ = summary(results)
    lines = [
        "# COLO guest pause vs dirty rate, with and without migrate-ram",
        "",
        meta["machine"],
        "",
        "Boot-sector dirtier guest, working set %d MiB (idle: one page"
        " rewritten a second); between its bursts it halts until the"
        " PIT's next interrupt (100 Hz), so the host's CPUs are free"
        " when it has nothing to dirty.  One COLO pair per accelerator and rate;"
        " each point (interval, arm) records about %g s of"
        " checkpoints (%g s when idle; at least %d), in %d blocks that"
        " take turns with the other arms of the interval; each"
        " block is set live and skips %d checkpoints first."
        "  Accelerators: %s.  %s"
        % (meta["working_set_mib"], meta["seconds"],
           meta.get("idle_seconds", meta["seconds"]), meta["checkpoints"],
           meta["blocks"], meta["warmup"], ", ".join(meta["accels"]),
           "Host CPUs kept awake by one SCHED_IDLE spinner each"
           " (bench/awake_cpus.py)." if meta.get("awake_cpus")
           else "Host CPUs left to halt when idle (--no-awake-cpus).")
        + ("  Rows \"0 (A/A)\": threshold 0 measured a second time, as"
           " one more arm that takes turns with the others; its ratio to"
           " threshold 0 is how far two identical columns drift apart in"
           " this run, the yardstick for ratios near 1."
           if meta.get("aa_control") else ""),
        "",
        "## Summary",
        "",
        "| accel, interval | pause floor (ms) | worst ratio, any arm |"
        " its 95% interval | A/A ratios, min-max | rounds' phase max (ms) |"
        " x-checkpoint-delay/2 (ms) |",
        "|---|---|---|---|---|---|---|",
    ]
    for key, o in summ.items():
        lines.append("| %s | %s | %s | %s | %s | %.1f | %.0f |" % (
            key, "%.2f" % o["floor_ms"] if o["floor_ms"] is not None
            else "-", "%.2f" % o["worst_ratio"]
            if o["worst_ratio"] is not None else "-",
            interval_text(o["worst_ratio_interval"]),
            interval_text((min(o["aa_ratios"]), max(o["aa_ratios"])))
            if o.get("aa_ratios") else "-",
            o["max_migrate_ram_ms"], o["budget_ms"]))
    lines += [
        "",
        "Ratio = average pause at threshold 0 (stock behaviour) / average"
        " pause with this arm, same interval and rate, run side by"
        " side; above 1 is better.  95% interval: how far the ratio may"
        " be off by the luck of which checkpoints were measured"
        " (bootstrap over each checkpoint's pause, from the"
        " colo_checkpoint_done trace event).  It leaves out slower drift"
        " of the machine, from block to block: the ratio per block (the"
        " same ratio for each pair of blocks of the same round) and the"
        " A/A rows show that.  The rounds' phase is how much later a"
        " checkpoint starts because of migrate-ram: at most"
        " x-checkpoint-delay/2 plus one round (see docs/COLO-FT.txt).",
        "Dirtied (MB/s) is what a checkpoint at threshold 0 sent in its"
        " pause per second of COLO: the unique pages the guest dirtied"
        " per interval, which is what COLO has to send.  Pause p50/p90/p99"
        " are the recorder's (within 1/16 of the true value), averaged over"
        " the blocks.  Stops:"
        " why the rounds ended (bt below threshold, nc not converging,"
        " tl time limit, il iteration limit, cmp colo-compare).  Target"
        " met: periodic checkpoints whose pause was at most"
        " x-colo-migrate-ram-pause, out of all of them (the recorder's"
        " pause-target).",
    ]
    cur = None
    # Measured rate by rate (one pair each); shown interval by interval
    for r in sorted(results, key=lambda r: (meta["accels"].index(r["accel"]),
                                            r["interval_ms"])):
        section = (r["accel"], r["interval_ms"])
        if section != cur:
            cur = section
            lines += [
                "",
                "## %s, checkpoint every %d ms" % section,
                "",
                "| dirty rate asked (MB/s) | dirtied (MB/s) | threshold"
                " or pause target | pause avg (ms) | p50 | p90 | p99 | max"
                " | target met | RAM in pause (MiB) | migrate-ram (MiB) |"
                " rounds | rounds' phase max (ms) | stops | ratio | 95%"
                " interval | ratio per block, min-max |",
                "|---" * 17 + "|",
            ]
        lines.append(
            "| %s | %.0f | %s | %.2f | %.2f | %.2f | %.2f | %.2f | %s"
            " | %.2f | %.2f | %.1f | %.1f | %s | %.2f | %s | %s |"
            % ("idle" if r["rate"] == IDLE else "%.1f"
               % r["rate_requested_mb_s"], r["dirtied_mb_s"],
               arm_label(r), r["pause_avg_ms"],
               r["pause_p50_ms"], r["pause_p90_ms"], r["pause_p99_ms"],
               r["pause_max_ms"],
               "%d/%d" % (r["target_met"], r["target_met"] +
                          r["target_missed"])
               if r.get("pause_target_ms") else "-",
               r["ram_in_pause_avg_mib"],
               r["migrate_ram_avg_mib"], r["migrate_ram_rounds_avg"],
               r["migrate_ram_max_ms"], stops_text(r["migrate_ram_stops"]),
               r["ratio"], interval_text(r.get("ratio_interval")),
               "%.2f-%.2f" % (min(r["ratio_blocks"]), max(r["ratio_blocks"]))
               if r["ratio_blocks"] and (not is_stock(r) or
                                         r.get("control")) else "-"))
    floors = [r for r in results if r["rate"] == IDLE
              and is_stock(r) and not r.get("control")]
    if floors:
        lines += [
            "",
            "## Pause floor: where the time of an idle guest's checkpoint"
            " goes (average ms per checkpoint, threshold 0)",
        ]
        lines += phase_table(floors, "accel, interval", "pause_avg_ms",
                             "primary_phases_ms")
        lines += phase_table(floors, "secondary, accel, interval",
                             "secondary_pause_avg_ms", "secondary_phases_ms")
    cost = meta["recorder_cost"]
    lines += [
        "",
        "Recorder cost: %d clock reads per checkpoint on the primary, %d on"
        " the secondary, %.1f ns each here: %.2f us per checkpoint, %.5f%% of"
        " the smallest average pause above."
        % (CLOCK_READS["primary"], CLOCK_READS["secondary"],
           cost["clock_read_ns"], cost["per_checkpoint_us"],
           cost["percent_of_min_pause"]),
    ]
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")


def plot(results, path):
    """Pause vs dirty rate, one panel per accelerator and interval."""
    sections = []
    for r in results:
        if (r["accel"], r["interval_ms"]) not in sections:
            sections.append((r["accel"], r["interval_ms"]))
    results = [r for r in results if not r.get("control")]
    arms = sorted({(r["threshold_bytes"], r["pause_target_ms"])
                   for r in results})
    with tempfile.TemporaryDirectory() as tmp:
        cmds = ["set terminal png size 1400,480",
                "set output '%s'" % path,
                "set multiplot layout 1,%d title "
                "'COLO guest pause per checkpoint'" % len(sections),
                "set xlabel 'dirtied (MB/s)'",
                "set ylabel 'average pause (ms)'", "set key left top",
                "set grid"]
        for sec in sections:
            plots = []
            for t, target in arms:
                data = os.path.join(tmp, "%s-%d-%d-%d.dat"
                                    % (sec + (t, target)))
                with open(data, "w") as f:
                    for r in results:
                        if (r["accel"], r["interval_ms"]) == sec and \
                                (r["threshold_bytes"],
                                 r["pause_target_ms"]) == (t, target):
                            f.write("%f %f\n" % (r["dirtied_mb_s"],
                                                 r["pause_avg_ms"]))
                title = "pause target %d ms" % target if target else \
                    "threshold 0 (stock)" if t == 0 else \
                    "threshold %g MiB" % (t / MIB)
                plots.append("'%s' with linespoints title '%s'"
                             % (data, title))
            cmds.append("set title '%s, every %d ms'" % sec)
            cmds.append("plot " + ", ".join(plots))
        cmds.append("unset multiplot")
        subprocess.run(["gnuplot"], input="\n".join(cmds), text=True,
                       check=True)


def main():
    # Stopped with SIGTERM: unwind, so that the pair and the spinners go too
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rates", default="idle,5120,25600,76800",
                    help="guest dirty rates, pages (4 KiB) per second;"
                    " idle dirties nothing (the pause floor)")
    ap.add_argument("--thresholds", default="0,4,64",
                    help="x-colo-migrate-ram-threshold values, MiB")
    ap.add_argument("--pause-targets", default="5,10,20",
                    help="x-colo-migrate-ram-pause values, ms (threshold"
                    " 0); empty for none")
    ap.add_argument("--intervals", default="200,500,2000",
                    help="checkpoint intervals (x-checkpoint-delay), ms")
    ap.add_argument("--working-set", type=int, default=512,
                    help="guest working set, MiB")
    ap.add_argument("--seconds", type=float, default=20,
                    help="seconds of checkpoints recorded per point")
    ap.add_argument("--idle-seconds", type=float, default=60,
                    help="the same, for the idle guest")
    ap.add_argument("--checkpoints", type=int, default=20,
                    help="checkpoints recorded per point, at least")
    ap.add_argument("--blocks", type=int, default=4,
                    help="blocks each point's checkpoints are split in")
    ap.add_argument("--warmup", type=int, default=2,
                    help="checkpoints skipped after each change")
    ap.add_argument("--no-aa-control", dest="aa_control",
                    action="store_false", help="do not measure threshold 0"
                    " a second time, as a control of the run's drift")
    ap.add_argument("--no-awake-cpus", dest="awake_cpus",
                    action="store_false", help="let idle host CPUs halt"
                    " (see bench/awake_cpus.py)")
    ap.add_argument("--out", default=RESULTS,
                    help="directory for the results (default %(default)s)")
    ap.add_argument("--accel", choices=["auto", "kvm", "tcg"],
                    default="auto", help="auto: TCG, and KVM too where"
                    " KVM runs the guest (tried first)")
    args = ap.parse_args()
    rates = [x if x == IDLE else int(x) for x in args.rates.split(",")]
    thresholds = [int(float(x) * MIB) for x in args.thresholds.split(",")]
    intervals = [int(x) for x in args.intervals.split(",")]
    if 0 not in thresholds:
        thresholds.insert(0, 0)
    targets = [int(x) for x in args.pause_targets.split(",") if x]
    # (threshold, pause target, A/A control): threshold 0 again, if
    # asked, last
    arms = [(t, 0, False) for t in thresholds] + \
        [(0, p, False) for p in targets] + \
        ([(0, 0, True)] if args.aa_control else [])
    if args.accel == "auto":
        accels = ["tcg"] + (["kvm"] if choose_accel() == "kvm" else [])
    else:
        accels = [choose_accel(args.accel)]

    results = []
    start = time.monotonic()
    with tempfile.TemporaryDirectory() as tmp, AwakeCpus(args.awake_cpus):
        images = {}
        for rate in rates:
            os.makedirs(os.path.join(tmp, str(rate)))
            # Idle: one page, rewritten once a second
            images[rate] = guest_image(
                os.path.join(tmp, str(rate)), 1 if rate == IDLE else rate,
                args.working_set, 1 if rate == IDLE else None)
        for accel in accels:
            for rate in rates:
                run_rate(images[rate], args, accel, rate, intervals,
                         arms, results, start)

    clock_ns = clock_read_ns()
    per_cp_us = (CLOCK_READS["primary"] + CLOCK_READS["secondary"]) * \
        clock_ns / 1000
    min_pause_ms = min(r["pause_avg_ms"] for r in results)
    meta = {
        "machine": "Machine: %s, %d cores, %s; QEMU 10.2.2 with this series."
        % (platform.processor() or platform.machine(), os.cpu_count(),
           platform.platform()),
        "accels": accels, "intervals_ms": intervals,
        "working_set_mib": args.working_set,
        "checkpoints": args.checkpoints, "warmup": args.warmup,
        "seconds": args.seconds, "idle_seconds": args.idle_seconds,
        "blocks": args.blocks,
        "awake_cpus": args.awake_cpus, "aa_control": args.aa_control,
        "recorder_cost": {
            "clock_read_ns": clock_ns, "per_checkpoint_us": per_cp_us,
            "percent_of_min_pause": per_cp_us / 1000 / min_pause_ms * 100},
    }
    summ = summary(results)
    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(args.out, "results.json"), "w") as f:
        json.dump({"meta": meta, "summary": summ, "results": results}, f,
                  indent=2)
    write_markdown(results, meta, os.path.join(args.out, "results.md"))
    plot(results, os.path.join(args.out, "pause-vs-dirty-rate.png"))
    print("bench: wrote %s/results.{json,md} and pause-vs-dirty-rate.png "
          "in %.0f s" % (args.out, time.monotonic() - start))


if __name__ == "__main__":
    sys.exit(main())
