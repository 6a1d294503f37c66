#!/usr/bin/env python3
"""make bench: COLO guest pause vs dirty rate, with and without migrate-ram.

For each guest dirty rate and each x-colo-migrate-ram-threshold, run a
COLO pair for a fixed number of checkpoints and read info_checkpoint on
the primary.  All configurations run in one invocation, one after the
other, so their ratios compare like with like.  Writes
bench/results/results.json, results.md and pause-vs-dirty-rate.png.
"""

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "scripts"))
from colo_pair import ColoPair, TOP, guest_image  # noqa: E402

MIB = 1 << 20
RESULTS = os.path.join(TOP, "bench", "results")
# Clock reads per checkpoint by the recorder (colo-recorder.c): one to
# begin, one per phase, two for the pause.
CLOCK_READS = {"primary": 1 + 10 + 2, "secondary": 1 + 9 + 2}


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


def run_one(image, args, rate, threshold):
    with ColoPair(image, memory_mib=args.working_set + 128, accel=args.accel,
                  delay_ms=args.interval, threshold=threshold) as pair:
        pair.wait_guest_running()
        measured = pair.dirty_rate()
        pair.start_colo()
        # Skip the first checkpoints (the RAM cache is still warming up)
        while pair.recorder(pair.primary)["checkpoints"] < args.warmup:
            pair.check_alive()
            time.sleep(0.01)
        pair.primary.cmd("reset_checkpoint")
        pair.secondary.cmd("reset_checkpoint")
        while pair.recorder(pair.primary)["checkpoints"] < args.checkpoints:
            pair.check_alive()
            time.sleep(0.01)
        p, s = pair.park()
        pair.quit()
    return {
        "rate_pages_per_s": rate,
        "rate_requested_mb_s": round(rate * 4096 / 1e6, 1),
        "rate_measured_mb_s": measured,
        "threshold_bytes": threshold,
        "checkpoints": p["checkpoints"],
        "pause_avg_ms": p["pause"]["average"] / 1e6,
        "pause_p50_ms_le": p["pause"]["p50"] / 1e6,
        "pause_p99_ms_le": p["pause"]["p99"] / 1e6,
        "secondary_pause_avg_ms": s["pause"]["average"] / 1e6,
        "ram_in_pause_avg_mib": p["ram-bytes"]["average"] / MIB,
        "migrate_ram_avg_mib": p["migrate-ram-bytes"]["average"] / MIB,
        "migrate_ram_rounds_avg": (p["migrate-ram-iterations"]["total"] /
                                   max(p["checkpoints"], 1)),
        "checkpoint_avg_ms": p["duration"]["average"] / 1e6,
    }


def write_markdown(results, meta, path):
    base = {r["rate_pages_per_s"]: r["pause_avg_ms"] for r in results
            if r["threshold_bytes"] == 0}
    lines = [
        "# COLO guest pause vs dirty rate, with and without migrate-ram",
        "",
        meta["machine"],
        "",
        "Accel %s, checkpoint every %d ms, working set %d MiB, %d checkpoints"
        " per run after %d warm-up ones. Pause p50/p99 are the recorder's"
        " (within 1/16 of the true value). Ratio = average pause at"
        " threshold 0"
        " (stock behaviour) / average pause at this threshold, same run."
        % (meta["accel"], meta["interval_ms"], meta["working_set_mib"],
           meta["checkpoints"], meta["warmup"]),
        "",
        "| dirty rate asked (MB/s) | measured (MB/s) | threshold (MiB) "
        "| pause avg (ms) | p50 (ms) | p99 (ms) | RAM in pause (MiB) "
        "| migrate-ram (MiB) | rounds | checkpoint (ms) | ratio |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        ratio = base[r["rate_pages_per_s"]] / r["pause_avg_ms"] \
            if r["pause_avg_ms"] else 0
        lines.append("| %.1f | %d | %g | %.2f | %.2f | %.2f | %.2f | %.2f "
                     "| %.1f | %.2f | %.2f |"
                     % (r["rate_requested_mb_s"], r["rate_measured_mb_s"],
                        r["threshold_bytes"] / MIB, r["pause_avg_ms"],
                        r["pause_p50_ms_le"], r["pause_p99_ms_le"],
                        r["ram_in_pause_avg_mib"], r["migrate_ram_avg_mib"],
                        r["migrate_ram_rounds_avg"], r["checkpoint_avg_ms"],
                        ratio))
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
    thresholds = sorted({r["threshold_bytes"] for r in results})
    with tempfile.TemporaryDirectory() as tmp:
        cmds = ["set terminal png size 900,560",
                "set output '%s'" % path,
                "set title 'COLO guest pause per checkpoint'",
                "set xlabel 'guest dirty rate (MB/s, measured)'",
                "set ylabel 'average pause (ms)'", "set key left top",
                "set grid"]
        plots = []
        for t in thresholds:
            data = os.path.join(tmp, "t%d.dat" % t)
            with open(data, "w") as f:
                for r in results:
                    if r["threshold_bytes"] == t:
                        f.write("%f %f\n" % (r["rate_measured_mb_s"],
                                             r["pause_avg_ms"]))
            title = "threshold 0 (stock)" if t == 0 else \
                "threshold %g MiB" % (t / MIB)
            plots.append("'%s' with linespoints title '%s'" % (data, title))
        cmds.append("plot " + ", ".join(plots))
        subprocess.run(["gnuplot"], input="\n".join(cmds), text=True,
                       check=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rates", default="5120,25600,76800",
                    help="guest dirty rates, pages (4 KiB) per second")
    ap.add_argument("--thresholds", default="0,4,16,64",
                    help="x-colo-migrate-ram-threshold values, MiB")
    ap.add_argument("--interval", type=int, default=500,
                    help="checkpoint interval, ms")
    ap.add_argument("--working-set", type=int, default=512,
                    help="guest working set, MiB")
    ap.add_argument("--checkpoints", type=int, default=15)
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--accel", choices=["kvm", "tcg"], default="tcg",
                    help="tcg by default: under nested KVM the BIOS alone "
                    "takes ~30 s per run")
    args = ap.parse_args()
    rates = [int(x) for x in args.rates.split(",")]
    thresholds = [int(float(x) * MIB) for x in args.thresholds.split(",")]
    if 0 not in thresholds:
        thresholds.insert(0, 0)

    results = []
    start = time.monotonic()
    with tempfile.TemporaryDirectory() as tmp:
        for rate in rates:
            image = guest_image(tmp, rate, args.working_set)
            for t in thresholds:
                r = run_one(image, args, rate, t)
                results.append(r)
                print("bench: %6.1f MB/s (measured %4d), threshold %4g MiB:"
                      " pause avg %7.2f ms, RAM in pause %6.2f MiB,"
                      " migrate-ram %6.2f MiB [%.0f s]"
                      % (r["rate_requested_mb_s"], r["rate_measured_mb_s"],
                         t / MIB, r["pause_avg_ms"],
                         r["ram_in_pause_avg_mib"], r["migrate_ram_avg_mib"],
                         time.monotonic() - start), flush=True)

    clock_ns = clock_read_ns()
    per_cp_us = (CLOCK_READS["primary"] + CLOCK_READS["secondary"]) * \
        clock_ns / 1000
    min_pause_ms = min(r["pause_avg_ms"] for r in results)
    meta = {
        "machine": "Machine: %s, %d cores, %s; QEMU 10.2.2 with this series."
        % (platform.processor() or platform.machine(), os.cpu_count(),
           platform.platform()),
        "accel": args.accel, "interval_ms": args.interval,
        "working_set_mib": args.working_set,
        "checkpoints": args.checkpoints, "warmup": args.warmup,
        "recorder_cost": {
            "clock_read_ns": clock_ns, "per_checkpoint_us": per_cp_us,
            "percent_of_min_pause": per_cp_us / 1000 / min_pause_ms * 100},
    }
    os.makedirs(RESULTS, exist_ok=True)
    with open(os.path.join(RESULTS, "results.json"), "w") as f:
        json.dump({"meta": meta, "results": results}, f, indent=2)
    write_markdown(results, meta, os.path.join(RESULTS, "results.md"))
    plot(results, os.path.join(RESULTS, "pause-vs-dirty-rate.png"))
    print("bench: wrote %s/results.{json,md} and pause-vs-dirty-rate.png "
          "in %.0f s" % (RESULTS, time.monotonic() - start))


if __name__ == "__main__":
    sys.exit(main())
