"""Keep every host CPU awake during a benchmark, at the lowest priority.

A CPU with nothing to run halts; on a virtual machine without a
halt-polling idle driver (cpuidle: none, as on this project's machines)
waking it again goes through the hypervisor and takes tens of
microseconds.  A COLO checkpoint hands work from thread to thread and
from side to side a few dozen times, so on an idle host those wake-ups
add about a millisecond to the pause, with a noisy spread.  One
SCHED_IDLE spinner per CPU keeps the CPUs running, as idle=poll or
cpuidle-haltpoll would: any normal thread that wakes preempts it at
once, and it gets almost no CPU time while QEMU wants it.
"""

import os
import subprocess
import sys

SPIN = """
import ctypes, os, signal
ctypes.CDLL(None).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
os.sched_setaffinity(0, {%d})
os.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))
while True:
    pass
"""


class AwakeCpus:
    """with AwakeCpus(): ... runs one SCHED_IDLE spinner per usable CPU."""

    def __init__(self, enabled=True):
        self.enabled = enabled
        self.procs = []

    def __enter__(self):
        if self.enabled:
            for cpu in sorted(os.sched_getaffinity(0)):
                self.procs.append(subprocess.Popen(
                    [sys.executable, "-c", SPIN % cpu]))
        return self

    def __exit__(self, *exc):
        for p in self.procs:
            p.kill()
        for p in self.procs:
            p.wait()
        self.procs = []
        return False
