#!/usr/bin/env python3
"""make bench-stack-migrate-ram: the client's latency through colo-compare
with x-colo-migrate-ram-threshold 0 (stock) and 4 MiB, on the full stack.

The client keeps a TCP echo connection and every 2 s fetches a page that
differs between the two VMs, so that colo-compare asks for a checkpoint
before it lets the answer out: the fetch time is the time to answer such
a request.  Both configurations run the full stack with the same
arguments, alternately.  Writes bench/results/stack-migrate-ram.{json,md}.
"""

import argparse
import os
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import stack_ab  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    stack_ab.add_arguments(ap, interval=500, churn=5)
    args = ap.parse_args()
    stack_ab.compare(
        [("threshold 0", stack_ab.OBJ, []),
         ("threshold 4M", stack_ab.OBJ,
          ["--threshold", "4M", "--switch-threshold", "4M"])], args,
        "stack-migrate-ram",
        "COLO: the client's latency through colo-compare with and without "
        "migrate-ram",
        "Full stack of docs/COLO-FT.txt (Linux guest under TCG, block "
        "replication, colo-compare, a client through it), checkpoint "
        "every %d ms, the guest running %d freshly copied programs a "
        "second, %g s per run; %d runs of each, alternating, in one "
        "invocation.  `http` is the time to fetch a page that differs "
        "between the VMs: colo-compare holds the answer until a "
        "checkpoint it asks for (no migrate-ram round runs before that "
        "one)." % (args.interval, args.churn, args.duration, args.repeat))


if __name__ == "__main__":
    sys.exit(main())
