#!/usr/bin/env python3
"""make bench-tb-invalidation: what exact TCG invalidation costs a COLO
secondary, side by side with flushing every translation per checkpoint.

The series drops, at each checkpoint, the translations of exactly the
pages the secondary's RAM-cache flush overwrote.  The blunt alternative
(bench/variants/full-tb-flush.diff) drops all of them.  Both run the full
stack with the same arguments, alternately; the guest runs freshly copied
code (--churn) so that code pages really change.  Writes
bench/results/tb-invalidation.{json,md}.
"""

import argparse
import os
import subprocess
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import stack_ab  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    stack_ab.add_arguments(ap, churn=5)
    args = ap.parse_args()
    full = subprocess.run(
        [os.path.join(stack_ab.TOP, "bench", "build-variant.sh"),
         "full-tb-flush"],
        check=True, stdout=subprocess.PIPE, text=True).stdout.split()[-1]
    stack_ab.compare(
        [("exact", stack_ab.OBJ, []), ("full-tb-flush", full, [])], args,
        "tb-invalidation",
        "COLO under TCG: exact translation invalidation vs a full flush",
        "Full stack of docs/COLO-FT.txt (Linux guest under TCG, block "
        "replication, colo-compare, a client echoing through it), "
        "checkpoint every %d ms, %g s per run, the guest running freshly "
        "copied code %d times a second; %d runs of each build, alternating, "
        "in one invocation.  `exact` is the series; `full-tb-flush` drops "
        "every translation at each checkpoint instead "
        "(bench/variants/full-tb-flush.diff).  CPU is the QEMU process's CPU "
        "time per second of the run (1.0 = one core busy)."
        % (args.interval, args.duration, args.churn, args.repeat))


if __name__ == "__main__":
    sys.exit(main())
