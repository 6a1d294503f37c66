"""Side-by-side runs of the full COLO stack for the benchmarks.

Runs scripts/colo_stack.py (Linux guest under TCG, block replication,
colo-compare, a client through it) for two or more configurations,
alternately and with the same arguments, and writes the mean of each
number per configuration with the ratio to the first one.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RESULTS = os.path.join(TOP, "bench", "results")
OBJ = os.path.join(TOP, "build", "obj")


def add_arguments(ap, interval=500, churn=0):
    ap.add_argument("--duration", type=float, default=60,
                    help="seconds of COLO per run")
    ap.add_argument("--interval", type=int, default=interval,
                    help="x-checkpoint-delay, ms")
    ap.add_argument("--churn", type=int, default=churn,
                    help="freshly copied programs the guest runs a second")
    ap.add_argument("--repeat", type=int, default=2,
                    help="runs of each configuration")


def percentile(values, p):
    v = sorted(values)
    return v[min(len(v) - 1, int(len(v) * p / 100))] if v else 0.0


def phase_avg_ms(rec, name):
    for ph in rec["phases"]:
        if ph["phase"] == name:
            return ph["average"] / 1e6
    return 0.0


def run_stack(obj, opts, args, path):
    cmd = [os.path.join(TOP, "scripts", "colo_stack.py"), "--accel", "tcg",
           "--duration", str(args.duration), "--interval", str(args.interval),
           "--threshold", "0", "--switch-threshold", "0",
           "--churn", str(args.churn), "--json", path] + opts
    env = dict(os.environ, QEMU_OBJ=obj)
    res = subprocess.run(cmd, env=env, capture_output=True, text=True)
    if res.returncode or not os.path.exists(path):
        sys.stderr.write(res.stdout[-3000:] + res.stderr[-3000:])
        raise SystemExit("bench: colo_stack failed (%s %s)"
                         % (obj, " ".join(opts)))
    with open(path) as f:
        return json.load(f)


def summarize(run):
    pri = run["sides"]["primary"]
    sec = run["sides"]["secondary"]
    p, s = pri["info_checkpoint"], sec["info_checkpoint"]
    rtts = run["client"]["echo_rtt_ms"]
    http = run["client"].get("http_ms", [])
    seconds = run["client"]["seconds"]
    return {
        "checkpoints": p["checkpoints"],
        "compare_checkpoints": sum(p["triggers"][k] for k in
                                   ("compare-tcp", "compare-packet",
                                    "compare-timeout")),
        "secondary_ram_flush_ms": phase_avg_ms(s, "ram-flush"),
        "secondary_resume_ms": phase_avg_ms(s, "resume"),
        "secondary_pause_ms": s["pause"]["average"] / 1e6,
        "primary_pause_ms": p["pause"]["average"] / 1e6,
        "primary_pause_p50_ms": p["pause"]["p50"] / 1e6,
        "primary_pause_p90_ms": p["pause"]["p90"] / 1e6,
        # With --trace vm_state_notify: the VM's stop-to-run, else 0
        "primary_traced_pause_p50_ms": percentile(
            run.get("traced_pause_ms", {}).get("primary", []), 50),
        "ram_in_pause_mib": p["ram-bytes"]["average"] / (1 << 20),
        "migrate_ram_mib": p["migrate-ram-bytes"]["average"] / (1 << 20),
        "secondary_cpu_share": sec["cpu_seconds_since_client"] / seconds,
        "primary_cpu_share": pri["cpu_seconds_since_client"] / seconds,
        "echo_replies": len(rtts),
        "echo_p50_ms": percentile(rtts, 50),
        "echo_p90_ms": percentile(rtts, 90),
        "echo_p99_ms": percentile(rtts, 99),
        "echo_max_ms": max(rtts, default=0.0),
        "client_retransmissions": run["client"].get("retransmissions", 0),
        "http_pages": len(http),
        "http_p50_ms": percentile(http, 50),
        "http_p99_ms": percentile(http, 99),
        "oopses": pri["oopses"] + sec["oopses"],
        "primary_phases_ms": {ph["phase"]: ph["average"] / 1e6
                              for ph in p["phases"]},
        "secondary_phases_ms": {ph["phase"]: ph["average"] / 1e6
                                for ph in s["phases"]},
    }


COLUMNS = [
    ("checkpoints", "checkpoints", "%d"),
    ("compare_checkpoints", "of them colo-compare's", "%d"),
    ("secondary_ram_flush_ms", "secondary ram-flush avg (ms)", "%.2f"),
    ("secondary_resume_ms", "secondary resume avg (ms)", "%.2f"),
    ("secondary_pause_ms", "secondary pause avg (ms)", "%.2f"),
    ("primary_pause_ms", "primary pause avg (ms)", "%.2f"),
    ("primary_pause_p50_ms", "primary pause p50 (ms)", "%.2f"),
    ("primary_pause_p90_ms", "primary pause p90 (ms)", "%.2f"),
    ("primary_traced_pause_p50_ms",
     "primary pause p50, VM stop/run trace (ms)", "%.2f"),
    ("ram_in_pause_mib", "RAM in pause avg (MiB)", "%.2f"),
    ("migrate_ram_mib", "migrate-ram avg (MiB)", "%.2f"),
    ("secondary_cpu_share", "secondary CPU (cores)", "%.3f"),
    ("primary_cpu_share", "primary CPU (cores)", "%.3f"),
    ("echo_replies", "client echoes", "%d"),
    ("echo_p50_ms", "echo p50 (ms)", "%.1f"),
    ("echo_p90_ms", "echo p90 (ms)", "%.1f"),
    ("echo_p99_ms", "echo p99 (ms)", "%.1f"),
    ("echo_max_ms", "echo max (ms)", "%.1f"),
    ("client_retransmissions", "client TCP retransmissions", "%d"),
    ("http_pages", "http pages (differing)", "%d"),
    ("http_p50_ms", "http p50 (ms)", "%.1f"),
    ("http_p99_ms", "http p99 (ms)", "%.1f"),
    ("oopses", "Oopses (both sides)", "%d"),
]


def write_markdown(path, title, intro, configs, runs):
    names = [c[0] for c in configs]
    means = {n: {k: sum(r[k] for m, r in runs if m == n) /
                 max(1, sum(1 for m, _ in runs if m == n))
                 for k, _, _ in COLUMNS} for n in names}
    lines = ["# " + title, "", intro, "",
             "| | " + " | ".join(names) + " | " +
             " | ".join("%s / %s" % (n, names[0]) for n in names[1:]) + " |",
             "|---" * (2 * len(names)) + "|"]
    for key, label, fmt in COLUMNS:
        base = means[names[0]][key]
        lines.append("| %s | %s | %s |" % (
            label, " | ".join(fmt % means[n][key] for n in names),
            " | ".join("%.2f" % (means[n][key] / base) if base else "-"
                       for n in names[1:])))
    for side in ("primary", "secondary"):
        key = side + "_phases_ms"
        phases = list(runs[0][1][key])
        lines += ["", "Where the %s's checkpoint time goes (average ms per"
                  " checkpoint, mean of the runs):" % side, "",
                  "| phase | " + " | ".join(names) + " |",
                  "|---" * (len(names) + 1) + "|"]
        for ph in phases:
            vals = [[r[key].get(ph, 0.0) for m, r in runs if m == n]
                    for n in names]
            lines.append("| %s | %s |" % (ph, " | ".join(
                "%.2f" % (sum(v) / max(1, len(v))) for v in vals)))
    lines += ["", "Runs, in the order they ran:", ""]
    for name, r in runs:
        lines.append("- %s: " % name + ", ".join(
            "%s %s" % (k, fmt % r[k]) for k, _, fmt in COLUMNS))
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")


def compare(configs, args, basename, title, intro):
    """configs: (name, build dir, extra colo_stack options); writes
    bench/results/BASENAME.{json,md}."""
    start = time.monotonic()
    runs = []
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(args.repeat):
            for name, obj, opts in configs:
                r = summarize(run_stack(obj, opts, args, os.path.join(
                    tmp, "%d-%d.json" % (len(runs), i))))
                runs.append((name, r))
                print("bench: %-16s secondary ram-flush %.2f ms, CPU %.3f, "
                      "echo p50 %.1f p99 %.1f max %.1f ms, %d client "
                      "retransmissions, %d Oopses [%.0f s]"
                      % (name, r["secondary_ram_flush_ms"],
                         r["secondary_cpu_share"], r["echo_p50_ms"],
                         r["echo_p99_ms"], r["echo_max_ms"],
                         r["client_retransmissions"], r["oopses"],
                         time.monotonic() - start), flush=True)
    os.makedirs(RESULTS, exist_ok=True)
    with open(os.path.join(RESULTS, basename + ".json"), "w") as f:
        json.dump({"args": vars(args), "runs": runs}, f, indent=1)
    write_markdown(os.path.join(RESULTS, basename + ".md"), title, intro,
                   configs, runs)
    print("bench: wrote %s/%s.{json,md} in %.0f s"
          % (RESULTS, basename, time.monotonic() - start))
    return runs


def variant_build(name):
    """The build directory of bench/variants/NAME.diff on the series
    (bench/build-variant.sh builds it)."""
    out = subprocess.run([os.path.join(TOP, "bench", "build-variant.sh"),
                          name], check=True, stdout=subprocess.PIPE,
                         text=True).stdout
    return out.split()[-1]


def main(doc, basename, title, intro, arms, interval=500, churn=0):
    """A side-by-side bench's command: add_arguments()' options, then
    compare() the arms, (name, variant, extra colo_stack options) each:
    variant None runs the series' build, a name its bench/variants/ build.
    intro is formatted with the arguments (%(interval)d, %(duration)g,
    %(repeat)d, %(churn)d)."""
    ap = argparse.ArgumentParser(description=doc.strip().splitlines()[0])
    add_arguments(ap, interval=interval, churn=churn)
    args = ap.parse_args()
    configs = [(name, variant_build(variant) if variant else OBJ, opts)
               for name, variant, opts in arms]
    compare(configs, args, basename, title, intro % vars(args))
    return 0
