#!/usr/bin/env python3
"""make bench-memory-map: the pause with and without the memory map
rebuilds of the secondary's device state load, side by side on the full
stack.

Every COLO checkpoint loads the whole device state into the running
secondary.  The series leaves alone the chipset windows whose place the
state does not change (q35 MMCONFIG, TSEG and PAM, ICH9's root complex
block, kvmvapic's ROM); the variant (bench/variants/
memory-map-rebuilds.diff) removes and adds them back at every load, as
10.2 does, each time rebuilding every flat view.  Both run the full
stack with the same arguments, alternately, with the VM stop/run trace,
so that the pause is also read from the trace, not only the recorder.
Writes bench/results/memory-map.{json,md}.
"""

import os
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import stack_ab  # noqa: E402

TRACE = ["--trace", "vm_state_notify"]

if __name__ == "__main__":
    sys.exit(stack_ab.main(
        __doc__, "memory-map",
        "COLO: the secondary's device state load without and with "
        "memory map rebuilds",
        "Full stack of docs/COLO-FT.txt (Linux guest under TCG, block "
        "replication, colo-compare, a client echoing through it and "
        "fetching a page that differs every second), checkpoint every "
        "%(interval)d ms, %(duration)g s per run; %(repeat)d runs of each "
        "build, alternating, in one invocation.  `keep` is the series; "
        "`rebuild` remaps the unchanged chipset windows at every load as "
        "10.2 does (bench/variants/memory-map-rebuilds.diff).  The "
        "secondary's device-load phase and the primary's wait-loaded "
        "show the difference; the traced pause is the primary's VM "
        "stop-to-run time from the vm_state_notify trace.",
        [("keep", None, TRACE), ("rebuild", "memory-map-rebuilds", TRACE)],
        interval=2000))
