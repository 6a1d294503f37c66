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

import os
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import stack_ab  # noqa: E402


if __name__ == "__main__":
    sys.exit(stack_ab.main(
        __doc__, "tb-invalidation",
        "COLO under TCG: exact translation invalidation vs a full flush",
        "Full stack of docs/COLO-FT.txt (Linux guest under TCG, block "
        "replication, colo-compare, a client echoing through it), "
        "checkpoint every %(interval)d ms, %(duration)g s per run, the "
        "guest running freshly copied code %(churn)d times a second; "
        "%(repeat)d runs of each build, alternating, in one invocation.  "
        "`exact` is the series; `full-tb-flush` drops every translation "
        "at each checkpoint instead (bench/variants/full-tb-flush.diff).  "
        "CPU is the QEMU process's CPU time per second of the run (1.0 = "
        "one core busy).",
        [("exact", None, []), ("full-tb-flush", "full-tb-flush", [])],
        churn=5))
