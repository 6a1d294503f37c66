#!/usr/bin/env python3
"""make bench-proxy-nodelay: the client's round trip through colo-compare
with the filters' socket chardevs as docs/COLO-FT.txt gives them, and
with nodelay=on.

The filters and colo-compare pass packets between the two QEMUs over
socket chardevs; without nodelay=on, Nagle's algorithm may hold a small
packet until the previous one is acknowledged.  Both configurations run
the full stack with the same arguments, alternately.  Writes
bench/results/proxy-nodelay.{json,md}.
"""

import os
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import stack_ab  # noqa: E402


if __name__ == "__main__":
    sys.exit(stack_ab.main(
        __doc__, "proxy-nodelay",
        "COLO: the client's round trip with and without nodelay=on on the "
        "proxy chardevs",
        "Full stack of docs/COLO-FT.txt (Linux guest under TCG, block "
        "replication, colo-compare, a client echoing through it), "
        "checkpoint every %(interval)d ms, %(duration)g s per run; "
        "%(repeat)d runs of each, alternating, in one invocation.  `doc` "
        "uses the doc's chardevs; `nodelay=on` adds nodelay=on to each "
        "socket chardev of the filters and colo-compare on both sides.",
        [("doc", None, []), ("nodelay=on", None, ["--proxy-nodelay"])],
        interval=2000))
