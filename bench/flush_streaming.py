#!/usr/bin/env python3
"""make bench-flush-streaming: the secondary's COLO cache flush with
streaming stores and with memcpy(), side by side on the full stack.

With migrate-ram the secondary copies, in the pause, every page the
rounds sent since the last checkpoint from its COLO cache into the
guest's RAM.  The series copies a flush of 4 MiB or more with
memcpy_streaming() (SSE2 streaming stores on x86_64); the variant
(bench/variants/flush-memcpy.diff) copies it with memcpy() as before.
Both run the full stack with the guest's memdirty at 250 MiB/s and a
4 MiB threshold, alternately.  Writes
bench/results/flush-streaming.{json,md}.
"""

import os
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import stack_ab  # noqa: E402

GUEST = ["--memory", "512", "--working-set", "256", "--dirty-rate", "250",
         "--threshold", "4M", "--switch-threshold", "4M"]

if __name__ == "__main__":
    sys.exit(stack_ab.main(
        __doc__, "flush-streaming",
        "COLO: the secondary's cache flush with streaming stores and with "
        "memcpy()",
        "Full stack of docs/COLO-FT.txt (Linux guest under TCG, block "
        "replication, colo-compare, a client echoing through it), the "
        "guest's memdirty dirtying 250 MiB/s of a 256 MiB working set, "
        "x-colo-migrate-ram-threshold 4 MiB, checkpoint every "
        "%(interval)d ms, %(duration)g s per run; %(repeat)d runs of each "
        "build, alternating, in one invocation.  `streaming` is the "
        "series; `memcpy` flushes with memcpy() "
        "(bench/variants/flush-memcpy.diff).  The secondary's ram-flush "
        "phase shows the difference.",
        [("streaming", None, GUEST), ("memcpy", "flush-memcpy", GUEST)]))
