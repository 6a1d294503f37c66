#!/usr/bin/env python3
"""make bench-int-arrays: the pause with vmstate saving and loading
arrays of integers in one piece and element by element, side by side on
the full stack.

Every COLO checkpoint saves the whole device state on the primary and
loads it on the secondary, both inside the guest's pause.  e1000's MAC
registers (32768 uint32_t) and ICH9's chip configuration (16 KiB) are
arrays of integers; the series puts such an array through the stream in
one piece, and the variant (bench/variants/int-arrays-per-element.diff)
does it element by element, as 10.2 does.  Both run the full stack with
the same arguments, alternately, with the VM stop/run trace, so that the
pause is also read from the trace, not only the recorder.  Writes
bench/results/int-arrays.{json,md}.
"""

import os
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import stack_ab  # noqa: E402

TRACE = ["--trace", "vm_state_notify"]

if __name__ == "__main__":
    sys.exit(stack_ab.main(
        __doc__, "int-arrays",
        "COLO: device state with integer arrays in one piece and element "
        "by element",
        "Full stack of docs/COLO-FT.txt (Linux guest under TCG, block "
        "replication, colo-compare, a client echoing through it and "
        "fetching a page that differs every second), checkpoint every "
        "%(interval)d ms, %(duration)g s per run; %(repeat)d runs of each "
        "build, alternating, in one invocation.  `bulk` is the series; "
        "`per-element` saves and loads integer arrays element by element "
        "as 10.2 does (bench/variants/int-arrays-per-element.diff).  The "
        "primary's device-save and the secondary's device-load phases "
        "show the difference; the traced pause is the primary's VM "
        "stop-to-run time from the vm_state_notify trace.",
        [("bulk", None, TRACE),
         ("per-element", "int-arrays-per-element", TRACE)],
        interval=2000))
