#!/usr/bin/env python3
"""make bench-checkpoint-flush: the pause without and with the block flush
in every checkpoint's VM stop, side by side on the full stack.

The series stops the VM for a checkpoint with
vm_stop_force_state_no_flush(): drained, not flushed.  The variant
(bench/variants/checkpoint-flush.diff) stops it as upstream does, with
bdrv_flush_all(), which on the primary reaches its image and, through
NBD, the secondary's disk.  Both run the full stack with the same
arguments, alternately.  Writes bench/results/checkpoint-flush.{json,md}.
"""

import os
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import stack_ab  # noqa: E402


if __name__ == "__main__":
    sys.exit(stack_ab.main(
        __doc__, "checkpoint-flush",
        "COLO: the checkpoint's VM stop without and with the block flush",
        "Full stack of docs/COLO-FT.txt (Linux guest under TCG, block "
        "replication, colo-compare, a client echoing through it; the "
        "primary's and the secondary's disks on ext4, the active and "
        "hidden disks on /dev/shm), checkpoint every %(interval)d ms, "
        "%(duration)g s per run; %(repeat)d runs of each build, "
        "alternating, in one invocation.  `no-flush` is the series; "
        "`flush` flushes the block layer in each checkpoint's VM stop as "
        "upstream does (bench/variants/checkpoint-flush.diff).  The "
        "phases stop-block (drain and flush) show the difference.",
        [("no-flush", None, []), ("flush", "checkpoint-flush", [])],
        interval=2000))
