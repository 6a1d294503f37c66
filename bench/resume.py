#!/usr/bin/env python3
"""make bench-resume: how long a resume of replication stops the guest,
with the live procedure and with the doc's older one, and what the
client sees.

Each run protects the running VM (--start running), kills the primary,
fails over to the secondary, and resumes replication with a new
secondary (--resume) with one procedure: the VM's stop (from its STOP
and RESUME events) at the start and at the resume, the client's longest
time without an echo answer and its TCP retransmissions during the
resume.  Both procedures run alternately at each guest size, in one
invocation.  Writes bench/results/resume.{json,md}.
"""

import argparse
import json
import os
import sys
import tempfile
import time

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import stack_ab  # noqa: E402

MODES = ("live", "stop")


def resume_record(run, what):
    for rec in run.get("resumes", []):
        if rec["what"] == what:
            return rec
    raise SystemExit("bench: the run has no %s record" % what)


def one_run(memory, mode, args, tmp):
    path = os.path.join(tmp, "run-%d-%s-%d.json" % (memory, mode,
                                                    time.monotonic_ns()))
    run = stack_ab.run_stack(stack_ab.OBJ, [
        "--memory", str(memory), "--start", "running",
        "--failover", "primary", "--resume", "--resume-mode", mode,
        "--after", str(args.after)], args, path)
    start, resume = resume_record(run, "start"), resume_record(run, "resume")
    return {"memory_mib": memory, "mode": mode,
            "start_vm_stopped_ms": start["vm_stopped_ms"],
            "resume_vm_stopped_ms": resume["vm_stopped_ms"],
            "resume_client_max_gap_ms": resume["client_max_gap_ms"],
            "resume_client_retransmissions":
                resume["client_retransmissions"],
            "resume_seconds": resume["seconds"],
            "oopses": sum(s["oopses"] for s in run["sides"].values())}


def mean(rows, key):
    vals = [r[key] for r in rows]
    return sum(vals) / len(vals)


def write_markdown(path, args, rows):
    lines = [
        "# COLO: resuming replication live and with the doc's procedure",
        "",
        "Full stack of docs/COLO-FT.txt (Linux guest under TCG, block "
        "replication, colo-compare, a client echoing every 50 ms through "
        "it).  Each run starts COLO on the running VM, kills the primary "
        "after %g s, fails over, and resumes replication with a new "
        "secondary.  `live`: the mirror in active mode, a live x-colo "
        "migration, the VM stopped only at the switchover "
        "(pause-before-switchover).  `stop`: the doc's procedure, the VM "
        "stopped for the whole RAM copy.  VM stopped: from the primary's "
        "STOP and RESUME events.  Client gap: its longest time without an "
        "echo answer during the resume.  %d run(s) of each, alternating, "
        "in one invocation; means." % (args.duration, args.repeat),
        "",
        "| guest RAM | procedure | start: VM stopped | resume: VM stopped "
        "| resume: client's longest gap | resume: retransmissions "
        "| Oopses |",
        "|---|---|---|---|---|---|---|",
    ]
    for memory in args.memories:
        for mode in MODES:
            rs = [r for r in rows if r["memory_mib"] == memory
                  and r["mode"] == mode]
            lines.append("| %d MiB | %s | %.1f ms | %.1f ms | %.0f ms | %g "
                         "| %d |" % (
                             memory, mode, mean(rs, "start_vm_stopped_ms"),
                             mean(rs, "resume_vm_stopped_ms"),
                             mean(rs, "resume_client_max_gap_ms"),
                             mean(rs, "resume_client_retransmissions"),
                             sum(r["oopses"] for r in rs)))
    lines.append("")
    for memory in args.memories:
        live = [r for r in rows if r["memory_mib"] == memory
                and r["mode"] == "live"]
        stop = [r for r in rows if r["memory_mib"] == memory
                and r["mode"] == "stop"]
        lines.append(
            "- %d MiB: the resume stops the VM %.0f times shorter live "
            "(%.1f against %.1f ms); the client's longest gap %.0f against "
            "%.0f ms." % (
                memory, mean(stop, "resume_vm_stopped_ms") /
                mean(live, "resume_vm_stopped_ms"),
                mean(live, "resume_vm_stopped_ms"),
                mean(stop, "resume_vm_stopped_ms"),
                mean(live, "resume_client_max_gap_ms"),
                mean(stop, "resume_client_max_gap_ms")))
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    stack_ab.add_arguments(ap, interval=2000)
    ap.set_defaults(duration=10, repeat=1)
    ap.add_argument("--memories", default="256,1024",
                    type=lambda s: [int(m) for m in s.split(",")],
                    help="guest RAM sizes, MiB, comma-separated")
    ap.add_argument("--after", type=float, default=10,
                    help="seconds watched after the failover and after "
                    "the resume")
    args = ap.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for memory in args.memories:
            for i in range(args.repeat):
                # alternate which procedure goes first
                for mode in (MODES if i % 2 == 0 else MODES[::-1]):
                    row = one_run(memory, mode, args, tmp)
                    print("bench-resume: %d MiB %s: start stop %.1f ms, "
                          "resume stop %.1f ms, client gap %.0f ms, "
                          "%d retransmissions"
                          % (memory, mode, row["start_vm_stopped_ms"],
                             row["resume_vm_stopped_ms"],
                             row["resume_client_max_gap_ms"],
                             row["resume_client_retransmissions"]),
                          flush=True)
                    rows.append(row)
    os.makedirs(stack_ab.RESULTS, exist_ok=True)
    base = os.path.join(stack_ab.RESULTS, "resume")
    with open(base + ".json", "w") as f:
        json.dump({"args": vars(args), "runs": rows}, f, indent=1)
    write_markdown(base + ".md", args, rows)
    print(open(base + ".md").read())
    return 0


if __name__ == "__main__":
    sys.exit(main())
