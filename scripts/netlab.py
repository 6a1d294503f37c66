#!/usr/bin/env python3
"""A private network lab for a COLO pair, made and torn down by this script.

Two network namespaces, both named after this process so that runs never
collide and stale ones can be found:

  colo-lab-PID     the QEMUs run here (their 127.0.0.1 is this namespace's
                   loopback): bridge br0, one tap per QEMU, the lab end of
                   a veth pair
  colo-client-PID  the client: the other end of the veth, CLIENT_IP

Only addresses inside these namespaces are used (10.0.0.0/24 here is the
lab's own link: nothing is routed anywhere else).  NetLab is a context
manager; teardown deletes the namespaces (and with them every interface
in them), is idempotent and runs on every exit path.  Stale namespaces of
dead runs are removed by "netlab.py --cleanup" and at every start.

Run alone ("netlab.py --selftest") it builds the lab, checks it, and
tears it down.
"""

import argparse
import os
import re
import signal
import subprocess
import sys

CLIENT_IP = "10.0.0.1"
GUEST_IP = "10.0.0.10"
PREFIX = 24
NS_RE = re.compile(r"^colo-(lab|client)-(\d+)$")


def ip(*args, check=True):
    return subprocess.run(["ip", *args], check=check, capture_output=True,
                          text=True)


def namespaces():
    out = ip("netns", "list", check=False).stdout
    return [line.split()[0] for line in out.splitlines() if line.strip()]


def pid_alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def cleanup_stale():
    """Delete the lab namespaces of runs that no longer run, after ending
    the processes such a run left in them (a run killed by SIGKILL)."""
    removed = []
    for ns in namespaces():
        m = NS_RE.match(ns)
        if m and not pid_alive(int(m.group(2))):
            for pid in ip("netns", "pids", ns, check=False).stdout.split():
                try:
                    os.kill(int(pid), signal.SIGKILL)
                except (ProcessLookupError, ValueError):
                    pass
            ip("netns", "del", ns, check=False)
            removed.append(ns)
    return removed


def terminate_on_signals():
    """Make SIGINT, SIGTERM and SIGHUP raise KeyboardInterrupt, so
    that every context manager's cleanup runs."""
    def handler(signum, frame):
        raise KeyboardInterrupt("signal %d" % signum)
    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, handler)
    # Also when started in the background, where SIGINT comes ignored.
    signal.signal(signal.SIGINT, signal.default_int_handler)


class NetLab:
    def __init__(self, taps=("tap-pri", "tap-sec"), down=()):
        """taps: one tap per QEMU, on the bridge; those in down stay
        administratively down (no frames) until set_link(tap, True)."""
        tag = os.getpid()
        self.lab = "colo-lab-%d" % tag
        self.client = "colo-client-%d" % tag
        self.taps = list(taps)
        self.down = set(down)

    def __enter__(self):
        cleanup_stale()
        try:
            self._create()
        except BaseException:
            self.teardown()
            raise
        return self

    def __exit__(self, *exc):
        self.teardown()
        return False

    def _create(self):
        lab, client = self.lab, self.client
        ip("netns", "add", lab)
        ip("netns", "add", client)
        for ns in (lab, client):
            # No IPv6 chatter (router solicitations, MLD) on the lab link:
            # only the client's traffic reaches the guests.
            for key in ("all", "default"):
                subprocess.run(["ip", "netns", "exec", ns, "sysctl", "-qw",
                                "net.ipv6.conf.%s.disable_ipv6=1" % key],
                               check=True)
        ip("-n", lab, "link", "set", "lo", "up")
        ip("-n", client, "link", "set", "lo", "up")
        ip("-n", lab, "link", "add", "br0", "type", "bridge")
        ip("-n", lab, "link", "set", "br0", "up")
        for tap in self.taps:
            ip("-n", lab, "tuntap", "add", "dev", tap, "mode", "tap")
            ip("-n", lab, "link", "set", tap, "master", "br0")
            if tap not in self.down:
                ip("-n", lab, "link", "set", tap, "up")
        ip("-n", lab, "link", "add", "veth-lab", "type", "veth",
           "peer", "name", "veth-client", "netns", client)
        ip("-n", lab, "link", "set", "veth-lab", "master", "br0")
        ip("-n", lab, "link", "set", "veth-lab", "up")
        ip("-n", client, "addr", "add", "%s/%d" % (CLIENT_IP, PREFIX),
           "dev", "veth-client")
        ip("-n", client, "link", "set", "veth-client", "up")

    def set_link(self, tap, up):
        ip("-n", self.lab, "link", "set", tap, "up" if up else "down")

    def teardown(self):
        """Delete both namespaces; safe to call any number of times.
        Processes still inside must be ended first by their owners."""
        present = namespaces()
        for ns in (self.client, self.lab):
            if ns in present:
                ip("netns", "del", ns, check=False)

    def in_lab(self, argv):
        return ["ip", "netns", "exec", self.lab, *argv]

    def in_client(self, argv):
        return ["ip", "netns", "exec", self.client, *argv]


def selftest():
    with NetLab() as lab:
        print("netlab: made %s and %s" % (lab.lab, lab.client))
        print(ip("-n", lab.lab, "-br", "link").stdout, end="")
        print(ip("-n", lab.client, "-br", "addr").stdout, end="")
        lab.set_link("tap-sec", False)
        lab.set_link("tap-sec", True)
        lab.teardown()          # idempotent: __exit__ calls it again
    left = [ns for ns in namespaces() if NS_RE.match(ns)]
    print("netlab: torn down; lab namespaces left: %s" % (left or "none"))
    return 1 if left else 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    g = ap.add_mutually_exclusive_group(required=True)
    g.add_argument("--selftest", action="store_true",
                   help="build the lab, show it, tear it down")
    g.add_argument("--cleanup", action="store_true",
                   help="delete lab namespaces left by dead runs")
    args = ap.parse_args()
    terminate_on_signals()
    if args.cleanup:
        print("netlab: removed %s" % (cleanup_stale() or "nothing"))
        return 0
    return selftest()


if __name__ == "__main__":
    sys.exit(main())
