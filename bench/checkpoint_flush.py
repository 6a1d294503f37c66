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

import argparse
import os
import subprocess
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import stack_ab  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    stack_ab.add_arguments(ap, interval=2000)
    args = ap.parse_args()
    flush = subprocess.run(
        [os.path.join(stack_ab.TOP, "bench", "build-variant.sh"),
         "checkpoint-flush"],
        check=True, stdout=subprocess.PIPE, text=True).stdout.split()[-1]
    stack_ab.compare(
        [("no-flush", stack_ab.OBJ, []), ("flush", flush, [])], args,
        "checkpoint-flush",
        "COLO: the checkpoint's VM stop without and with the block flush",
        "Full stack of docs/COLO-FT.txt (Linux guest under TCG, block "
        "replication, colo-compare, a client echoing through it; the "
        "primary's and the secondary's disks on ext4, the active and "
        "hidden disks on /dev/shm), checkpoint every %d ms, %g s per run; "
        "%d runs of each build, alternating, in one invocation.  "
        "`no-flush` is the series; `flush` flushes the block layer in each "
        "checkpoint's VM stop as upstream does "
        "(bench/variants/checkpoint-flush.diff).  The phases stop-block "
        "(drain and flush) show the difference."
        % (args.interval, args.duration, args.repeat))


if __name__ == "__main__":
    sys.exit(main())
