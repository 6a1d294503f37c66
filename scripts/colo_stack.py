#!/usr/bin/env python3
"""The full COLO stack, end to end, on the Linux guest of guest/linux/.

Follows docs/COLO-FT.txt: block replication (quorum + replication driver
+ NBD, active and hidden disks on the secondary), the network proxy
(filter-mirror, filter-redirector, filter-rewriter, colo-compare on an
iothread), socket chardevs on 127.0.0.1, all inside a private network lab
(scripts/netlab.py).  The primary boots alone; once the guest is ready,
COLO starts as the doc does (the VM stopped, its disk copied for the
secondary), or with --start running while the guest runs (the
secondary's disk synced with drive-mirror first, as when resuming).
A client in the client namespace keeps one TCP echo connection and
fetches a page that differs on the two VMs.

Prints a line per checkpoint (pause, trigger, RAM, migrate-ram rounds),
the client's round trips, both serial consoles' problems (Oops, BUG:,
panic, general protection), and at the end both sides' "info checkpoint".
--failover primary|secondary kills that side mid-run and fails over on the
survivor as the doc says; the client's same connection must keep
answering and the survivor's disk workload keep going without mismatch.
--resume then starts a new secondary, syncs its disk with drive-mirror and
resumes replication (the doc's "resume replication" procedures), and
--failover-again primary|secondary fails that pair over in turn.
--start running and --resume keep the guest running while its disk and
RAM are copied, and stop it only at the migration's switchover
(--resume-mode live, the default), or stop it for the whole RAM copy
(stop, the doc's older procedure); each prints and records (--json
"resumes") how long the VM was stopped and the client's longest gap.
Half-way through --duration the primary's x-colo-migrate-ram-threshold
is switched live over HMP to --switch-threshold; the run prints the
pause before and after, and fails if a checkpoint that colo-compare
asked for sent migrate-ram rounds (it must not wait for them).
Exit status 0 only if nothing failed.  Logs stay in the run directory.
"""

import argparse
import datetime
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import json
import time

from colo_pair import QMP, QMPError, TOP, OBJ, QEMU, kvm_usable, parse_size, \
    target_text, compare_checkpoints
from netlab import NetLab, GUEST_IP, terminate_on_signals

QEMU_IMG = os.path.join(OBJ, "qemu-img")
GUEST_DIR = os.path.join(TOP, "build", "guest-linux")
# What the guest's kernel and initramfs need beside memdirty's set, MiB
GUEST_OWN_MIB = 128
RUNS_DIR = os.path.join(TOP, "build", "colo-stack")
MAC = "52:54:00:c0:10:01"
DISK_SIZE = "64M"
MIB = 1 << 20
BAD_RE = re.compile(r"Oops|BUG:|Kernel panic|general protection")


def log(msg):
    print("[%7.1f] %s" % (time.monotonic() - T0, msg), flush=True)


T0 = time.monotonic()


class Console:
    """Follows one serial log file: problems, readiness, disk progress."""

    DISK_RE = re.compile(r"DISKTEST progress ops=(\d+) mismatches=(\d+)")
    MEM_RE = re.compile(r"MEMDIRTY progress pages=(\d+) rate=([0-9.]+)")

    def __init__(self, name, path):
        self.name, self.path = name, path
        self.pos, self.partial = 0, ""
        self.bad, self.mismatch_lines = [], []
        self.ready = False
        self.last_line = ""
        self.disk_ops = self.disk_mismatches = None
        self.disk_updates = 0
        self.mem_ready = False
        self.mem_rates = []     # memdirty's MiB/s, one every 2 s

    def poll(self):
        try:
            with open(self.path, errors="replace") as f:
                f.seek(self.pos)
                data = f.read()
                self.pos = f.tell()
        except FileNotFoundError:
            return
        lines = (self.partial + data).split("\n")
        self.partial = lines.pop()
        for line in lines:
            line = line.rstrip("\r")
            if line.strip():
                self.last_line = line
            if BAD_RE.search(line):
                self.bad.append(line)
                if len(self.bad) <= 5:
                    log("%s serial: %s" % (self.name, line.strip()))
            if "DISKTEST MISMATCH" in line:
                self.mismatch_lines.append(line)
                log("%s serial: %s" % (self.name, line.strip()))
            if "GUEST READY" in line:
                self.ready = True
            if "MEMDIRTY ready" in line:
                self.mem_ready = True
            if "MEMDIRTY ERROR" in line:
                self.bad.append(line)
                log("%s serial: %s" % (self.name, line.strip()))
            m = self.MEM_RE.search(line)
            if m:
                self.mem_rates.append(float(m.group(2)))
            m = self.DISK_RE.search(line)
            if m:
                self.disk_ops, self.disk_mismatches = map(int, m.groups())
                self.disk_updates += 1

    def oopses(self):
        return sum(1 for line in self.bad if "Oops" in line)


class Client:
    """scripts/colo_client.py in the client namespace; a thread collects
    its JSON lines."""

    def __init__(self, lab, logpath, duration, echo_interval, http_interval):
        self.lab = lab
        self.logfile = open(logpath, "w")
        self.proc = subprocess.Popen(
            lab.in_client([sys.executable,
                           os.path.join(TOP, "scripts", "colo_client.py"),
                           "--host", GUEST_IP, "--duration", str(duration),
                           "--echo-interval", str(echo_interval),
                           "--http-interval", str(http_interval)]),
            stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=self.logfile, text=True)
        self.lock = threading.Lock()
        self.echo, self.http, self.errors = [], [], []
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _read(self):
        for line in self.proc.stdout:
            self.logfile.write(line)
            self.logfile.flush()
            try:
                msg = json.loads(line)
            except ValueError:
                continue
            with self.lock:
                {"echo": self.echo, "http": self.http,
                 "error": self.errors}.get(msg["kind"], []).append(msg)

    def snapshot(self):
        with self.lock:
            return list(self.echo), list(self.http), list(self.errors)

    def retransmissions(self):
        """TCP segments the client's namespace (new for this run) has
        retransmitted so far: its RetransSegs."""
        snmp = subprocess.run(self.lab.in_client(["cat", "/proc/net/snmp"]),
                              capture_output=True, text=True,
                              check=True).stdout
        names, values = [line.split() for line in snmp.splitlines()
                         if line.startswith("Tcp:")]
        return int(values[names.index("RetransSegs")])

    def stop(self):
        if self.proc.poll() is None:
            try:
                self.proc.stdin.close()
                self.proc.wait(timeout=10)
            except (OSError, subprocess.TimeoutExpired):
                self.proc.kill()
                self.proc.wait()
        self.thread.join(timeout=5)
        self.logfile.close()


def percentile(values, p):
    if not values:
        return 0.0
    v = sorted(values)
    return v[min(len(v) - 1, int(len(v) * p / 100))]


def rtt_summary(echo):
    rtts = [e["rtt_ms"] for e in echo]
    if not rtts:
        return "no replies"
    return ("%d replies, rtt avg %.1f ms, p50 %.1f, p99 %.1f, max %.1f ms"
            % (len(rtts), sum(rtts) / len(rtts), percentile(rtts, 50),
               percentile(rtts, 99), max(rtts)))


class Side:
    """One QEMU of the pair, run inside the lab namespace."""

    def __init__(self, stack, name):
        self.stack, self.name = stack, name
        self.dir = stack.dir
        self.serial = os.path.join(self.dir, name + ".serial")
        self.qmp_path = os.path.join(self.dir, name + ".qmp")
        self.console = Console(name, self.serial)
        self.proc = self.qmp = None
        self.was_secondary = False      # has the secondary's rew0 filter

    def start(self, tap, extra):
        st = self.stack
        if st.args.proxy_nodelay:
            extra = [a + ",nodelay=on" if a.startswith("socket,") else a
                     for a in extra]
        machine = "q35,kernel-irqchip=split" if st.accel == "kvm" else "q35"
        args = [QEMU, "-qmp", "unix:%s,server=on,wait=off" % self.qmp_path,
                "-machine", machine, "-accel", st.accel,
                "-m", "%dM" % st.args.memory, "-smp", "1",
                "-nodefaults", "-display", "none", "-name", self.name,
                "-kernel", os.path.join(self.dir, "vmlinuz"),
                "-initrd", os.path.join(self.dir, "initramfs.cpio.gz"),
                "-append", "console=ttyS0 loglevel=5 guest_ip=%s/24 "
                "disk_rate=%d churn=%d mem_set=%d mem_rate=%g"
                % (GUEST_IP, st.args.disk_rate, st.args.churn,
                   st.args.working_set, st.args.dirty_rate),
                "-serial", "file:" + self.serial,
                "-netdev", "tap,id=hn0,ifname=%s,script=no,downscript=no,"
                "vhost=off" % tap,
                "-device", "e1000,id=e0,netdev=hn0,mac=" + MAC] + extra
        for event in st.args.trace:
            args += ["-trace", "enable=" + event]
        if st.args.trace:
            args += ["-D", os.path.join(self.dir, self.name + ".trace"),
                     "-msg", "timestamp=on"]
        with open(os.path.join(self.dir, self.name + ".cmdline"), "w") as f:
            f.write(" ".join(args) + "\n")
        logf = open(os.path.join(self.dir, self.name + ".log"), "w")
        self.proc = subprocess.Popen(st.lab.in_lab(args), stdout=logf,
                                     stderr=logf, stdin=subprocess.DEVNULL)
        logf.close()
        self.qmp = QMP(self.qmp_path)

    def cpu_seconds(self):
        """CPU time the QEMU process has used (user + system), seconds."""
        with open("/proc/%d/stat" % self.proc.pid) as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def kill(self):
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
        if self.proc:
            self.proc.wait()
        if self.qmp:
            self.qmp.close()
            self.qmp = None

    def cmd(self, name, **args):
        return self.qmp.cmd(name, **args)

    def hmp(self, line):
        return self.qmp.hmp(line)


def primary_args(image):
    """docs/COLO-FT.txt "Startup qemu", 1. Primary (compare1 does not wait:
    the secondary starts after the guest has booted)."""
    return [
        "-chardev", "socket,id=mirror0,host=127.0.0.1,port=9003,server=on,wait=off",
        "-chardev", "socket,id=compare1,host=127.0.0.1,port=9004,server=on,wait=off",
        "-chardev", "socket,id=compare0,host=127.0.0.1,port=9001,server=on,wait=off",
        "-chardev", "socket,id=compare0-0,host=127.0.0.1,port=9001",
        "-chardev", "socket,id=compare_out,host=127.0.0.1,port=9005,server=on,wait=off",
        "-chardev", "socket,id=compare_out0,host=127.0.0.1,port=9005",
        "-object", "filter-mirror,id=m0,netdev=hn0,queue=tx,outdev=mirror0",
        "-object", "filter-redirector,netdev=hn0,id=redire0,queue=rx,indev=compare_out",
        "-object", "filter-redirector,netdev=hn0,id=redire1,queue=rx,outdev=compare0",
        "-object", "iothread,id=iothread1",
        "-object", "colo-compare,id=comp0,primary_in=compare0-0,"
        "secondary_in=compare1,outdev=compare_out0,iothread=iothread1",
        "-drive", "if=ide,id=colo-disk0,driver=quorum,read-pattern=fifo,"
        "vote-threshold=1,children.0.file.filename=%s,children.0.driver=qcow2"
        % image,
    ]


def secondary_args(parent, active, hidden, scratch_no_flush=False):
    """docs/COLO-FT.txt "Startup qemu", 2. Secondary (scratch_no_flush:
    cache.no-flush=on on the replication node, which its active and
    hidden disks inherit; the parent disk is a node of its own)."""
    return [
        "-chardev", "socket,id=red0,host=127.0.0.1,port=9003,reconnect-ms=1000",
        "-chardev", "socket,id=red1,host=127.0.0.1,port=9004,reconnect-ms=1000",
        "-object", "filter-redirector,id=f1,netdev=hn0,queue=tx,indev=red0",
        "-object", "filter-redirector,id=f2,netdev=hn0,queue=rx,outdev=red1",
        "-object", "filter-rewriter,id=rew0,netdev=hn0,queue=all",
        "-drive", "if=none,id=parent0,file.filename=%s,driver=qcow2" % parent,
        "-drive", "if=none,id=childs0,driver=replication,mode=secondary,"
        "file.driver=qcow2,top-id=colo-disk0,file.file.filename=%s,"
        "file.backing.driver=qcow2,file.backing.file.filename=%s,"
        "file.backing.backing=parent0%s"
        % (active, hidden, ",cache.no-flush=on" if scratch_no_flush else ""),
        "-drive", "if=ide,id=colo-disk0,driver=quorum,read-pattern=fifo,"
        "vote-threshold=1,children.0=childs0",
        "-incoming", "tcp:127.0.0.1:9998",
    ]


class ColoStack:
    """The lab, the QEMUs and the client of one run.  pri and sec are the
    sides in their current COLO roles (sec is None after a failover)."""

    def __init__(self, args):
        self.args = args
        self.accel = args.accel or "tcg"
        self.dir = os.path.join(RUNS_DIR, "%s-%d" % (
            time.strftime("run-%Y%m%d-%H%M%S"), os.getpid()))
        os.makedirs(self.dir, exist_ok=True)
        # The secondary's active and hidden disks: on a ramdisk, as the
        # doc advises (every checkpoint empties them), unless
        # --scratch-on-disk; made by __enter__
        self.scratch_dir = self.dir if args.scratch_on_disk else None
        for f in ("vmlinuz", "initramfs.cpio.gz"):   # the same on all sides
            shutil.copyfile(os.path.join(GUEST_DIR, f), self.img(f))
        self.lab = None
        self.pri = Side(self, "primary")
        self.sec = Side(self, "secondary")
        self.sides = [self.pri, self.sec]
        self.tap = {self.pri: "tap-pri", self.sec: "tap-sec"}
        self.client = None
        self.failures = []
        self.colo_running = False
        self.shown = 0
        self.last_triggers = {}
        # checkpoints seen one at a time: (threshold, trigger, pause ns,
        # RAM in pause, migrate-ram rounds)
        self.samples = []
        self.warmup_end = 0
        self.threshold = args.threshold
        self.pause_target = args.pause_target
        # CPU seconds of each side when the client started (--json)
        self.cpu_at_start = {}
        self.retrans_before_failover = None
        self.pcap = None
        # With --trace vm_state_notify: each side's traced pauses (ms)
        self.traced = {}
        # One record per --start running and per --resume (record_resume)
        self.resumes = []
        self.migrate_t = None

    def __enter__(self):
        if not self.scratch_dir:
            self.scratch_dir = tempfile.mkdtemp(prefix="colo-stack-scratch-",
                                                dir="/dev/shm")
        try:
            self.lab = NetLab(taps=("tap-pri", "tap-sec"),
                              down=("tap-sec",))
            self.lab.__enter__()
        except BaseException:
            self.remove_scratch()
            raise
        return self

    def remove_scratch(self):
        if self.scratch_dir and self.scratch_dir != self.dir:
            shutil.rmtree(self.scratch_dir, ignore_errors=True)

    def __exit__(self, *exc):
        if self.client:
            self.client.stop()
        if self.pcap:
            self.pcap.terminate()
            self.pcap.wait()
        for side in self.sides:
            side.kill()
        self.lab.__exit__(*exc)
        for f in os.listdir(self.dir):
            if (f.endswith(".qcow2") and not self.args.keep_images or
                    f.endswith(".qmp") or
                    f in ("vmlinuz", "initramfs.cpio.gz")):
                os.unlink(os.path.join(self.dir, f))
        self.remove_scratch()
        return False

    def img(self, name):
        return os.path.join(self.dir, name)

    def qemu_img(self, *args):
        subprocess.run([QEMU_IMG, *args], check=True,
                       stdout=subprocess.DEVNULL)

    def fail(self, msg):
        self.failures.append(msg)
        log("FAIL: " + msg)

    def poll_consoles(self):
        for side in self.sides:
            side.console.poll()

    def check_alive(self, *sides):
        for side in sides:
            if side and side.proc and side.proc.poll() is not None:
                raise RuntimeError("%s QEMU exited with status %d; see %s"
                                   % (side.name, side.proc.returncode,
                                      self.dir))

    # -- boot --------------------------------------------------------
    def boot_primary(self):
        p = self.pri
        self.qemu_img("create", "-f", "qcow2", self.img("primary.qcow2"),
                      DISK_SIZE)
        p.start(self.tap[p], primary_args(self.img("primary.qcow2")))
        log("primary started (%s); booting the guest" % self.accel)
        con = p.console
        t0 = time.monotonic()
        deadline = t0 + self.args.boot_timeout
        next_report = t0 + 10
        while not (con.ready and con.disk_updates >= 1 and
                   (con.mem_ready or not self.args.dirty_rate)):
            self.check_alive(p)
            con.poll()
            status = p.cmd("query-status")["status"]
            if status == "internal-error":
                # e.g. a nested hypervisor's KVM "emulation failure"
                raise RuntimeError("%s cannot run the Linux guest here: its "
                                   "VM stopped in internal-error; see %s"
                                   % (self.accel.upper(), self.dir))
            if time.monotonic() > deadline:
                raise TimeoutError("the guest did not boot; see %s"
                                   % p.serial)
            if time.monotonic() > next_report:
                log("booting (%.0f s): %s" % (
                    time.monotonic() - t0,
                    con.last_line.strip()[:90] or "no console output yet"))
                next_report += 10
            time.sleep(0.2)
        log("guest ready after %.0f s: %s"
            % (time.monotonic() - t0, con.last_line.strip()))

    # -- COLO --------------------------------------------------------
    def start_secondary(self, side, parent_from=None):
        """Start a secondary (doc steps 2 and 3): its disk is a copy of
        parent_from (the stopped primary's image), or blank (to be filled
        by drive-mirror when resuming)."""
        parent = self.img(side.name + ".qcow2")
        if parent_from:
            self.qemu_img("convert", "-U", "-O", "qcow2", parent_from, parent)
        else:
            self.qemu_img("create", "-f", "qcow2", parent, DISK_SIZE)
        active = os.path.join(self.scratch_dir, side.name + "-active.qcow2")
        hidden = os.path.join(self.scratch_dir, side.name + "-hidden.qcow2")
        for disk in (active, hidden):
            self.qemu_img("create", "-f", "qcow2", disk, DISK_SIZE)
        self.lab.set_link(self.tap[side], False)
        side.start(self.tap[side],
                   secondary_args(parent, active, hidden,
                                  self.args.scratch_no_flush))
        side.was_secondary = True
        side.cmd("migrate-set-capabilities", capabilities=[
            {"capability": "x-colo", "state": True},
            # both sides, so the threshold can change while COLO runs
            {"capability": "x-colo-migrate-ram", "state": True}])
        side.cmd("nbd-server-start", addr={"type": "inet", "data": {
            "host": "127.0.0.1", "port": "9999"}})
        side.cmd("nbd-server-add", device="parent0", writable=True)
        self.sec = side

    def attach_replication(self):
        self.pri.hmp("drive_add -n buddy driver=replication,mode=primary,"
                     "file.driver=nbd,file.host=127.0.0.1,file.port=9999,"
                     "file.export=parent0,node-name=replication0")
        self.pri.cmd("x-blockdev-change", parent="colo-disk0",
                     node="replication0")

    def migrate(self, pause_at_switchover=False):
        """Start the x-colo migration to the secondary and, unless it is
        to pause at the switchover, wait until COLO runs."""
        p = self.pri
        p.cmd("migrate-set-capabilities", capabilities=[
            {"capability": "x-colo", "state": True},
            # both sides, so the threshold can change while COLO runs
            {"capability": "x-colo-migrate-ram", "state": True},
            {"capability": "pause-before-switchover",
             "state": pause_at_switchover}])
        p.cmd("migrate-set-parameters", **{
            "x-checkpoint-delay": self.args.interval,
            "x-colo-migrate-ram-threshold": self.threshold,
            "x-colo-migrate-ram-pause": self.pause_target,
            "max-bandwidth": 10 * 1024 ** 3,
            # live, the switchover is one checkpoint's worth of RAM
            "downtime-limit": 50 if pause_at_switchover else 60000})
        self.migrate_t = time.monotonic()
        p.cmd("migrate", uri="tcp:127.0.0.1:9998")
        if not pause_at_switchover:
            self.wait_migration("colo")
            self.colo_started()

    def colo_started(self):
        """COLO runs once the primary's VM does again (its COLO thread
        starts the VM when the secondary has loaded the state)."""
        while self.pri.cmd("query-status")["status"] != "running":
            self.check_alive(self.pri, self.sec)
            time.sleep(0.002)
        self.colo_running = True
        self.shown, self.last_triggers = 0, {}
        log("COLO running, %s -> %s (migration %.1f s), checkpoint "
            "every %d ms" % (self.pri.name, self.sec.name,
                             time.monotonic() - self.migrate_t,
                             self.args.interval))

    def start_colo(self):
        if self.args.start == "paused":
            # As the doc starts COLO: stop the VM (which flushes its
            # disk), copy the disk for the secondary
            self.pri.cmd("stop")
            self.start_secondary(self.sec,
                                 parent_from=self.img("primary.qcow2"))
            self.attach_replication()
            self.migrate()
        else:
            # Protect the running VM: a blank secondary disk, synced with
            # drive-mirror while the guest runs
            self.start_secondary(self.sec)
            self.protect_running("start")

    def protect_running(self, what, add_proxy=None):
        """Bring the running primary under COLO with the new secondary:
        sync the disk with drive-mirror while the guest runs, then
        --resume-mode stop: the doc's procedure (stop the VM, end the
        mirror, attach replication, add_proxy(), migrate all RAM);
        live: the mirror in active mode, the migration live, and the VM
        stopped only at the switchover (pause-before-switchover), for
        ending the mirror, attaching replication and add_proxy().
        Records the VM's stop (from its STOP and RESUME events) and the
        client's longest gap in self.resumes."""
        p = self.pri
        live = self.args.resume_mode == "live"
        t = time.monotonic()
        events_from = len(p.qmp.events)
        retrans = self.client.retransmissions() if self.client else None
        self.mirror_disk(active=live)
        if live:
            self.migrate(pause_at_switchover=True)
            self.wait_migration("pre-switchover")
            log("migration at the switchover, VM stopped: ending the "
                "mirror, attaching replication")
        else:
            log("stopping the primary")
            p.cmd("stop")
        self.end_mirror()
        self.attach_replication()
        if add_proxy:
            add_proxy()
        if live:
            p.cmd("migrate-continue", state="pre-switchover")
            self.wait_migration("colo")
            self.colo_started()
        else:
            self.migrate()
        self.record_resume(what, t, events_from, retrans)

    def record_resume(self, what, t, events_from, retrans):
        """vm_stopped_ms: from the primary's first STOP event since
        events_from to the RESUME after it (QEMU's timestamps);
        client_max_gap_ms: the client's longest time without an echo
        answer from t to one second after COLO started;
        client_retransmissions: its TCP retransmissions meanwhile (from
        retrans, the count at t).  With --no-retransmissions, one in a
        live procedure fails the run: the VM stops for less than the
        client's minimum RTO there."""
        p, stopped, resumed = self.pri, None, None
        p.cmd("query-status")                 # collect the events so far
        for ev in p.qmp.events[events_from:]:
            ts = ev["timestamp"]["seconds"] + \
                ev["timestamp"]["microseconds"] / 1e6
            if ev["event"] == "STOP" and stopped is None:
                stopped = ts
            elif ev["event"] == "RESUME" and stopped is not None:
                resumed = ts
                break
        rec = {"what": what, "mode": self.args.resume_mode,
               "memory_mib": self.args.memory,
               "seconds": round(time.monotonic() - t, 3),
               "vm_stopped_ms": None if resumed is None
               else round((resumed - stopped) * 1000, 1),
               "client_max_gap_ms": None}
        if rec["vm_stopped_ms"] is None:
            self.fail("the %s: no STOP and RESUME of the primary's VM "
                      "(events: %s)" % (what, " ".join(
                          e["event"] for e in p.qmp.events[events_from:])))
        if self.client:
            time.sleep(1)
            echo, _, _ = self.client.snapshot()
            start = t - self.client_t0
            end = time.monotonic() - self.client_t0
            times = [e["t"] for e in echo if e["t"] < start]
            times = times[-1:] + [e["t"] for e in echo
                                  if start <= e["t"] <= end]
            gaps = [b - a for a, b in zip(times, times[1:])]
            if gaps:
                rec["client_max_gap_ms"] = round(max(gaps) * 1000, 1)
            rec["client_retransmissions"] = \
                self.client.retransmissions() - retrans
        self.resumes.append(rec)
        log("%s (%s procedure, %d MiB): VM stopped %s ms, client's longest "
            "gap %s ms, %s TCP retransmissions, %.1f s in all"
            % (what, rec["mode"], rec["memory_mib"], rec["vm_stopped_ms"],
               rec["client_max_gap_ms"],
               rec.get("client_retransmissions", "no client,"),
               rec["seconds"]))
        if rec.get("client_retransmissions") and rec["mode"] == "live" \
                and self.args.no_retransmissions:
            self.fail("the client retransmitted %d TCP segments during the "
                      "live %s" % (rec["client_retransmissions"], what))

    def mirror_disk(self, active):
        """drive-mirror the running primary's disk to the new secondary's
        (doc "resume replication"), until the job is ready; active: in
        write-blocking mode, so that the guest's writes reach both disks
        and the job stays ready."""
        p = self.pri
        log("drive-mirror (%s) to the %s while the guest runs"
            % ("active" if active else "background", self.sec.name))
        p.cmd("drive-mirror", device="colo-disk0", **{"job-id": "resync"},
              target="nbd://127.0.0.1:9999/parent0", mode="existing",
              format="raw", sync="full",
              **({"copy-mode": "write-blocking"} if active else {}))
        while True:
            jobs = {j["device"]: j for j in p.cmd("query-block-jobs")}
            job = jobs.get("resync")
            if job is None:
                raise RuntimeError("drive-mirror resync vanished")
            if job.get("ready"):
                break
            self.check_alive(p, self.sec)
            time.sleep(0.2)
        log("disk synced (%d bytes)" % job["len"])

    def end_mirror(self):
        """With the VM stopped, end the mirror: both disks are the same."""
        p = self.pri
        p.cmd("block-job-cancel", device="resync")
        while any(j["device"] == "resync" for j in p.cmd("query-block-jobs")):
            time.sleep(0.002)

    def wait_migration(self, status):
        while True:
            st = self.pri.cmd("query-migrate").get("status")
            if st == status:
                return
            if st in ("failed", "cancelled", "completed"):
                raise RuntimeError("migration %s, waiting for %s"
                                   % (st, status))
            self.check_alive(self.pri, self.sec)
            time.sleep(0.002)

    # -- watching ----------------------------------------------------
    def watch(self, seconds):
        """Print the checkpoints and the client's statistics a while."""
        end = time.monotonic() + seconds
        next_stats = time.monotonic() + 5
        while time.monotonic() < end:
            self.poll_consoles()
            self.check_alive(self.pri)
            if self.colo_running:
                self.check_alive(self.sec)
                self.show_checkpoints()
            if time.monotonic() >= next_stats:
                self.show_client(5)
                next_stats += 5
            time.sleep(0.05)

    def show_checkpoints(self):
        try:
            rec = self.pri.cmd("info_checkpoint")
        except (QMPError, OSError):
            return
        n = rec["checkpoints"]
        if n <= self.shown:
            return
        why = [k for k, v in rec["triggers"].items()
               if k != "compare" and v > self.last_triggers.get(k, 0)]
        span = ("%5d" % n if n == self.shown + 1
                else "%5d (+%d)" % (n, n - self.shown))
        if n == self.shown + 1 and len(why) == 1:
            self.samples.append((self.threshold, why[0],
                                 rec["pause"]["last"],
                                 rec["ram-bytes"]["last"],
                                 rec["migrate-ram-iterations"]["last"]))
            if why[0].startswith("compare") and \
                    rec["migrate-ram-iterations"]["last"]:
                self.fail("checkpoint %d, asked for by colo-compare, sent "
                          "%d migrate-ram rounds first"
                          % (n, rec["migrate-ram-iterations"]["last"]))
        log("checkpoint %s: pause %7.1f ms, RAM in pause %6.2f MiB, "
            "migrate-ram %6.2f MiB in %d rounds, trigger %s%s"
            % (span, rec["pause"]["last"] / 1e6,
               rec["ram-bytes"]["last"] / MIB,
               rec["migrate-ram-bytes"]["last"] / MIB,
               rec["migrate-ram-iterations"]["last"],
               ",".join(why) or "?", target_text(rec)))
        self.shown, self.last_triggers = n, rec["triggers"]

    def show_client(self, window):
        if not self.client:
            return
        echo, http, errors = self.client.snapshot()
        now = time.monotonic() - self.client_t0
        recent = [e for e in echo if e["t"] > now - window]
        http_recent = [h for h in http if h["t"] > now - window]
        err_recent = [e for e in errors if e["t"] > now - window]
        log("client (last %ds): echo %s; http %d pages%s; errors %d%s"
            % (window, rtt_summary(recent), len(http_recent),
               " (max %.0f ms)" % max(h["ms"] for h in http_recent)
               if http_recent else "", len(err_recent),
               " (%s)" % err_recent[-1]["error"] if err_recent else ""))

    def start_client(self):
        self.client_t0 = time.monotonic()
        a = self.args
        if a.pcap:
            # tcpdump (not installed by the project): the client's packets
            self.pcap = subprocess.Popen(
                self.lab.in_client(["tcpdump", "-q", "-i", "veth-client",
                                    "-w", self.img("client.pcap")]),
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.client = Client(self.lab, os.path.join(self.dir, "client.log"),
                             a.warmup + a.duration + 2 * a.after + 300,
                             a.echo_interval, a.http_interval)
        self.cpu_at_start = {s.name: s.cpu_seconds() for s in self.sides
                             if s.alive()}

    def end_warmup(self):
        """The client's first --warmup seconds are apart: report them, and
        restart both sides' recorders so the run's numbers cover what
        follows."""
        self.warmup_end = time.monotonic() - self.client_t0
        echo, _, _ = self.client.snapshot()
        log("client warm-up (%.0f s): echo %s; first echo %s"
            % (self.args.warmup, rtt_summary(echo),
               "%.1f ms" % echo[0]["rtt_ms"] if echo else "none"))
        for side in self.sides:
            side.cmd("reset_checkpoint")
        self.shown, self.last_triggers = 0, {}

    def measured_echo(self, echo):
        """The echoes after the warm-up."""
        return [e for e in echo if e["t"] >= self.warmup_end]

    def check_client_since(self, t, conn, what):
        """The client's connection conn must have answered since t."""
        echo, _, _ = self.client.snapshot()
        after = [e for e in echo if e["t"] > t - self.client_t0]
        same = [e for e in after if e["conn"] == conn]
        if not same:
            self.fail("the client's connection %s got no echo after the %s"
                      % (conn, what))
        else:
            log("client: connection %d answered %d times after the %s "
                "(first after %.2f s): %s"
                % (conn, len(same), what,
                   same[0]["t"] - (t - self.client_t0), rtt_summary(same)))
        if any(e["conn"] != conn for e in after):
            self.fail("the client had to reconnect after the %s" % what)

    def client_conn(self):
        echo, _, _ = self.client.snapshot()
        return echo[-1]["conn"] if echo else None

    # -- failover ----------------------------------------------------
    def primary_failover(self):
        """The secondary died: resume on the primary (doc)."""
        p = self.pri
        p.cmd("x-blockdev-change", parent="colo-disk0", child="children.1")
        p.hmp("drive_del replication0")
        for obj in ("comp0", "iothread1", "m0", "redire0", "redire1"):
            p.cmd("object-del", id=obj)
        p.cmd("x-colo-lost-heartbeat")

    def secondary_failover(self):
        """The primary died: resume on the secondary (doc), and bring its
        tap up, as the network would after a real failover."""
        s = self.sec
        s.cmd("nbd-server-stop")
        s.cmd("x-colo-lost-heartbeat")
        for obj in ("f2", "f1"):
            s.cmd("object-del", id=obj)
        for chardev in ("red1", "red0"):
            s.cmd("chardev-remove", id=chardev)
        self.lab.set_link(self.tap[s], True)
        for cid, port, server in (("mirror0", 9003, True),
                                  ("compare1", 9004, True),
                                  ("compare0", 9001, True),
                                  ("compare0-0", 9001, False),
                                  ("compare_out", 9005, True),
                                  ("compare_out0", 9005, False)):
            s.cmd("chardev-add", id=cid, backend={"type": "socket", "data": {
                "addr": {"type": "inet", "data": {"host": "127.0.0.1",
                                                  "port": str(port)}},
                "server": server, **({"wait": False} if server else {}),
                **({"nodelay": True} if self.args.proxy_nodelay else {})}})

    def failover(self, victim):
        """Kill the side in role victim; fail over on the survivor."""
        dead, survivor = ((self.pri, self.sec) if victim == "primary"
                          else (self.sec, self.pri))
        conn = self.client_conn()
        if self.retrans_before_failover is None:
            self.retrans_before_failover = self.client.retransmissions()
        self.poll_consoles()
        ops_before = survivor.console.disk_ops
        self.summarize_session()
        log("killing the %s (%s, SIGKILL)" % (victim, dead.name))
        dead.kill()
        t = time.monotonic()
        if victim == "primary":
            self.secondary_failover()
        else:
            self.primary_failover()
        self.colo_running = False
        self.pri, self.sec = survivor, None
        resumed = False
        while True:
            st = survivor.cmd("query-status")["status"]
            mig = survivor.cmd("query-migrate").get("status")
            if st == "running" and mig != "colo":
                break
            if time.monotonic() - t > 10 and not resumed and mig != "colo":
                log("the %s is still %s after the failover: cont"
                    % (survivor.name, st))
                survivor.cmd("cont")
                resumed = True
            if time.monotonic() - t > 60:
                self.fail("%s not running after failover (%s, migration %s)"
                          % (survivor.name, st, mig))
                break
            time.sleep(0.1)
        log("failover to the %s done in %.2f s (VM %s)"
            % (survivor.name, time.monotonic() - t, st))
        self.watch(self.args.after)
        self.check_client_since(t, conn, "failover")
        self.poll_consoles()
        con = survivor.console
        if ops_before is None or con.disk_ops is None or \
                con.disk_ops <= ops_before:
            self.fail("the %s's disk workload did not progress after the "
                      "failover (ops %s -> %s)"
                      % (survivor.name, ops_before, con.disk_ops))
        else:
            log("%s disk workload: ops %d -> %d, mismatches %d"
                % (survivor.name, ops_before, con.disk_ops,
                   con.disk_mismatches))
        return dead

    def resume(self, dead):
        """A new secondary in place of the dead side; resume replication
        (doc "Primary resume replication" / "Secondary resume
        replication")."""
        p = self.pri
        new = Side(self, "secondary%d" % len(self.sides))
        self.sides.append(new)
        self.tap[new] = self.tap[dead]
        conn = self.client_conn()
        t = time.monotonic()
        self.start_secondary(new)
        log("new secondary %s started" % new.name)
        before = ({"insert": "before", "position": "id=rew0"}
                  if p.was_secondary else {})

        def add_proxy():
            for obj in (
                    {"qom-type": "filter-mirror", "id": "m0", **before,
                     "netdev": "hn0", "queue": "tx", "outdev": "mirror0"},
                    {"qom-type": "filter-redirector", "id": "redire0",
                     **before, "netdev": "hn0", "queue": "rx",
                     "indev": "compare_out"},
                    {"qom-type": "filter-redirector", "id": "redire1",
                     **before, "netdev": "hn0", "queue": "rx",
                     "outdev": "compare0"},
                    {"qom-type": "iothread", "id": "iothread1"},
                    {"qom-type": "colo-compare", "id": "comp0",
                     "primary_in": "compare0-0", "secondary_in": "compare1",
                     "outdev": "compare_out0", "iothread": "iothread1"}):
                p.cmd("object-add", **obj)
        self.protect_running("resume", add_proxy)
        log("replication resumed in %.1f s" % (time.monotonic() - t))
        self.watch(self.args.after)
        self.check_client_since(t, conn, "resume")

    def switch_parameter(self, name, value):
        """Change migration parameter @name while COLO runs, over HMP, as
        an operator would, and check that it took."""
        out = self.pri.hmp("migrate_set_parameter %s %d" % (name, value))
        if out.strip():
            raise RuntimeError("migrate_set_parameter: %s" % out.strip())
        got = self.pri.cmd("query-migrate-parameters")[name]
        if got != value:
            raise RuntimeError("%s is %d after setting %d"
                               % (name, got, value))

    def switch_threshold(self, value):
        """x-colo-migrate-ram-threshold, bytes"""
        self.switch_parameter("x-colo-migrate-ram-threshold", value)
        log("x-colo-migrate-ram-threshold %d -> %d bytes (HMP, live)"
            % (self.threshold, value))
        self.threshold = value

    def switch_pause_target(self, value):
        """x-colo-migrate-ram-pause, ms"""
        self.switch_parameter("x-colo-migrate-ram-pause", value)
        log("x-colo-migrate-ram-pause %d -> %d ms (HMP, live)"
            % (self.pause_target, value))
        self.pause_target = value

    def summarize_thresholds(self):
        """Pause per threshold, over the checkpoints seen one by one."""
        for thr in sorted({t for t, *_ in self.samples}):
            rows = [r for r in self.samples if r[0] == thr]
            per = [r for r in rows if r[1] == "periodic"]
            cmp_ = [r for r in rows if r[1].startswith("compare")]

            def avg(rs, i, scale):
                return sum(r[i] for r in rs) / len(rs) / scale if rs else 0
            if thr and per and not any(r[4] for r in per):
                self.fail("no periodic checkpoint sent migrate-ram rounds "
                          "with threshold %d bytes" % thr)
            log("threshold %d bytes: %d checkpoints; periodic %d: pause avg "
                "%.1f ms, RAM in pause avg %.2f MiB, rounds avg %.1f; "
                "colo-compare %d: pause avg %.1f ms, rounds %d"
                % (thr, len(rows), len(per), avg(per, 2, 1e6),
                   avg(per, 3, MIB), avg(per, 4, 1), len(cmp_),
                   avg(cmp_, 2, 1e6), sum(r[4] for r in cmp_)))

    def summarize_session(self):
        """One line for the COLO session so far, from the primary."""
        rec = self.pri.cmd("info_checkpoint")
        t = rec["triggers"]
        log("COLO %s -> %s: %d checkpoints (%d failed), pause avg %.1f ms "
            "max %.1f ms, RAM in pause avg %.2f MiB; triggers periodic %d, "
            "compare %d (tcp %d, packet %d, timeout %d), other %d"
            % (self.pri.name, self.sec.name, rec["checkpoints"],
               rec["failed-checkpoints"], rec["pause"]["average"] / 1e6,
               rec["pause"]["max"] / 1e6, rec["ram-bytes"]["average"] / MIB,
               t["periodic"], compare_checkpoints(t), t["compare-tcp"],
               t["compare-packet"], t["compare-timeout"], t["other"]))

    # -- report ------------------------------------------------------
    def report(self):
        for side in self.sides:
            if side.alive() and side.qmp:
                print("\n(%s) info checkpoint" % side.name)
                print(side.hmp("info checkpoint"), end="")
        self.poll_consoles()
        print()
        for side in self.sides:
            c = side.console
            log("%s serial: %d Oops, %d problem lines, disk ops %s, "
                "disk mismatches %s%s%s"
                % (side.name, c.oopses(), len(c.bad), c.disk_ops,
                   c.disk_mismatches, mem_summary(c.mem_rates),
                   "" if side.alive() else " (killed)"))
        for side in self.sides:
            pauses = self.traced_pauses(side)
            if pauses:
                self.traced[side.name] = pauses
                log("%s pause from the vm_state_notify trace, last %d "
                    "stops: p50 %.2f ms, avg %.2f, max %.2f"
                    % (side.name, len(pauses), percentile(pauses, 50),
                       sum(pauses) / len(pauses), max(pauses)))
        if self.client:
            echo, http, errors = self.client.snapshot()
            log("client after the warm-up: echo %s; http %d pages, "
                "%d distinct; errors %d"
                % (rtt_summary(self.measured_echo(echo)), len(http),
                   len({h["body"].split(" served")[0] for h in http}),
                   len(errors)))
            self.report_retransmissions()
        log("logs: %s" % self.dir)
        if self.args.json:
            self.write_json(self.args.json)

    def traced_pauses(self, side):
        """With --trace vm_state_notify: the VM's stop-to-run times (ms)
        of the checkpoints its recorder counted (the last ones traced),
        from QEMU's timestamps (-msg timestamp=on: "2026-12-03T14:08:20.981476Z
        vm_state_notify running 0|1 ...")."""
        path = os.path.join(self.dir, side.name + ".trace")
        if "vm_state_notify" not in self.args.trace or \
                not os.path.exists(path) or not (side.alive() and side.qmp):
            return []
        n = side.cmd("info_checkpoint")["checkpoints"]
        pauses, stopped = [], None
        with open(path, errors="replace") as f:
            for line in f:
                m = re.match(r"(\S+)Z vm_state_notify running (\d)", line)
                if not m:
                    continue
                t = datetime.datetime.fromisoformat(m.group(1)).timestamp()
                if m.group(2) == "0":
                    stopped = t
                elif stopped is not None:
                    pauses.append((t - stopped) * 1000)
                    stopped = None
        return pauses[-n:] if n else []

    def report_retransmissions(self):
        """The client's TCP retransmissions; with --no-retransmissions,
        any before the first failover (or in a run without one) fails."""
        total = self.client.retransmissions()
        before = self.retrans_before_failover
        if before is None:
            before = total
            log("client: %d TCP retransmissions (no failover)" % total)
        else:
            log("client: %d TCP retransmissions, %d before the first "
                "failover, %d from it on" % (total, before, total - before))
        if self.args.no_retransmissions and before:
            self.fail("the client retransmitted %d TCP segments without a "
                      "failover" % before)

    def write_json(self, path):
        """The run's numbers, for the benchmarks (--json)."""
        out = {"args": vars(self.args), "sides": {}, "client": None}
        for side in self.sides:
            d = {"oopses": side.console.oopses(),
                 "problem_lines": len(side.console.bad),
                 "disk_ops": side.console.disk_ops,
                 "memdirty_mib_s": side.console.mem_rates}
            if side.alive() and side.qmp:
                d["info_checkpoint"] = side.cmd("info_checkpoint")
                if side.name in self.cpu_at_start:
                    d["cpu_seconds_since_client"] = \
                        side.cpu_seconds() - self.cpu_at_start[side.name]
            out["sides"][side.name] = d
        if self.client:
            echo, http, errors = self.client.snapshot()
            measured = self.measured_echo(echo)
            out["client"] = {
                "seconds": time.monotonic() - self.client_t0,
                "warmup_seconds": self.warmup_end,
                "echo": [[e["t"], e["conn"], e["rtt_ms"]] for e in echo],
                "echo_rtt_ms": [e["rtt_ms"] for e in measured],
                "warmup_echo_rtt_ms": [e["rtt_ms"] for e in echo
                                       if e["t"] < self.warmup_end],
                "http_ms": [h["ms"] for h in http],
                "http_pages": len(http), "errors": len(errors),
                "retransmissions": self.client.retransmissions(),
                "retransmissions_before_failover":
                    self.retrans_before_failover}
        out["traced_pause_ms"] = self.traced
        out["resumes"] = self.resumes
        with open(path, "w") as f:
            json.dump(out, f, indent=1)


def mem_summary(rates):
    """memdirty's rate over the run, if it ran"""
    if not rates:
        return ""
    return ", memdirty %.1f MiB/s (min %.1f, %d samples)" % (
        sum(rates) / len(rates), min(rates), len(rates))


def guest_outdated():
    """True if the guest is missing or older than its sources."""
    src = os.path.join(TOP, "guest", "linux")
    try:
        built = min(os.path.getmtime(os.path.join(GUEST_DIR, f))
                    for f in ("vmlinuz", "initramfs.cpio.gz"))
    except OSError:
        return True
    return any(os.path.getmtime(os.path.join(src, f)) > built
               for f in os.listdir(src))


def qemu_ready(timeout):
    """Wait for the QEMU binaries (someone else may be relinking them)."""
    deadline = time.monotonic() + timeout
    while True:
        if all(os.access(b, os.X_OK) for b in (QEMU, QEMU_IMG)):
            try:
                subprocess.run([QEMU, "--version"], check=True,
                               capture_output=True, timeout=30)
                return
            except (subprocess.SubprocessError, OSError):
                pass
        if time.monotonic() > deadline:
            raise SystemExit("colo_stack: no working %s" % QEMU)
        time.sleep(10)


def parse_args(argv=None):
    """The options of a run (argv: a list, or sys.argv's)."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--duration", type=float, default=60,
                    help="seconds of COLO before the failover or the end")
    ap.add_argument("--interval", type=int, default=2000,
                    help="x-checkpoint-delay, ms")
    ap.add_argument("--threshold", type=parse_size, default=0,
                    help="x-colo-migrate-ram-threshold at the start, bytes "
                    "(K, M, G suffixes)")
    ap.add_argument("--switch-threshold", type=parse_size, default="256K",
                    help="x-colo-migrate-ram-threshold set live half-way "
                    "through --duration (the same as --threshold: no "
                    "switch)")
    ap.add_argument("--pause-target", type=int, default=0, metavar="MS",
                    help="x-colo-migrate-ram-pause: the pause to aim for, "
                    "ms (0: off; a threshold other than 0 wins)")
    ap.add_argument("--start", choices=["paused", "running"],
                    default="paused",
                    help="start COLO from the stopped VM as the doc does, "
                    "or protect the running VM (its disk synced with "
                    "drive-mirror first)")
    ap.add_argument("--resume-mode", choices=["live", "stop"],
                    default="live",
                    help="how --start running and --resume bring the "
                    "running VM under COLO: live (the mirror in active "
                    "mode, a live migration, the VM stopped only at the "
                    "switchover) or stop (the doc's older procedure: the "
                    "VM stopped for the whole RAM copy)")
    ap.add_argument("--failover", choices=["primary", "secondary"],
                    help="kill this side after --duration, fail over")
    ap.add_argument("--resume", action="store_true",
                    help="after the failover, start a new secondary and "
                    "resume replication")
    ap.add_argument("--failover-again", choices=["primary", "secondary"],
                    help="after --resume, kill this side of the new pair "
                    "and fail over again")
    ap.add_argument("--after", type=float, default=30,
                    help="seconds to watch after the failover and after "
                    "the resume")
    ap.add_argument("--echo-interval", type=float, default=0.05,
                    help="seconds between the client's echoes")
    ap.add_argument("--http-interval", type=float, default=1.0,
                    help="seconds between the client's page fetches")
    ap.add_argument("--warmup", type=float, default=5,
                    help="seconds the client runs before --duration starts; "
                    "its round trips are reported apart (under TCG the "
                    "secondary runs the guest's network code for the first "
                    "time then)")
    ap.add_argument("--memory", type=int, default=256, help="guest MiB")
    ap.add_argument("--disk-rate", type=int, default=20,
                    help="guest disk workload, read-verify-writes per second")
    ap.add_argument("--churn", type=int, default=0,
                    help="guest runs a freshly copied program N times a "
                    "second (code on new pages)")
    ap.add_argument("--dirty-rate", type=float, default=0,
                    help="guest RAM workload (memdirty): MiB of distinct "
                    "pages dirtied per second (needs --working-set)")
    ap.add_argument("--working-set", type=int, default=0,
                    help="memdirty's working set, MiB (the guest needs "
                    "--memory at least this + %d)" % GUEST_OWN_MIB)
    ap.add_argument("--boot-timeout", type=float, default=600)
    ap.add_argument("--accel", choices=["kvm", "tcg"],
                    help="default tcg: under nested KVM the Linux guest "
                    "hangs in early boot")
    ap.add_argument("--keep-images", action="store_true")
    ap.add_argument("--scratch-no-flush", action="store_true",
                    help="cache.no-flush=on on the secondary's active and "
                    "hidden disks (scratch: nothing in them must survive "
                    "a host crash)")
    ap.add_argument("--scratch-on-disk", action="store_true",
                    help="the secondary's active and hidden disks in the "
                    "run directory, not on a ramdisk (/dev/shm) as "
                    "docs/COLO-FT.txt advises")
    ap.add_argument("--pcap", action="store_true",
                    help="capture the client's packets to client.pcap in "
                    "the run directory (needs tcpdump)")
    ap.add_argument("--trace", action="append", default=[], metavar="EVENT",
                    help="enable QEMU trace EVENT (a pattern) on every "
                    "side, logged to NAME.trace in the run directory")
    ap.add_argument("--no-retransmissions", action="store_true",
                    help="fail if the client retransmits a TCP segment "
                    "before the first failover (or at all without one), "
                    "or during a live --resume")
    ap.add_argument("--proxy-nodelay", action="store_true",
                    help="nodelay=on on the filters' and colo-compare's "
                    "socket chardevs (the doc's command lines leave it off)")
    ap.add_argument("--json", metavar="FILE",
                    help="also write the run's numbers to FILE: both "
                    "sides' info_checkpoint, CPU seconds since the client "
                    "started, Oopses, the client's round trips")
    args = ap.parse_args(argv)
    if args.resume and not args.failover:
        ap.error("--resume needs --failover")
    if args.failover_again and not args.resume:
        ap.error("--failover-again needs --resume")
    if (args.dirty_rate > 0) != (args.working_set > 0) or \
            args.dirty_rate < 0 or args.working_set < 0:
        ap.error("--dirty-rate and --working-set go together, both > 0")
    if args.working_set and args.memory < args.working_set + GUEST_OWN_MIB:
        ap.error("--working-set %d needs --memory %d or more"
                 % (args.working_set, args.working_set + GUEST_OWN_MIB))
    return args


def prepare(args):
    """What a run needs before it starts: KVM if asked for, the guest,
    the QEMU binaries; signals end the run through its clean-up."""
    if args.accel == "kvm" and not kvm_usable():
        raise SystemExit("colo_stack: /dev/kvm is not usable")
    terminate_on_signals()
    if guest_outdated():
        subprocess.run([os.path.join(TOP, "guest", "linux", "build.sh"),
                        GUEST_DIR], check=True)
    qemu_ready(900)


def main():
    args = parse_args()
    prepare(args)

    with ColoStack(args) as st:
        try:
            log("run directory %s" % st.dir)
            st.boot_primary()
            st.start_colo()
            st.start_client()
            st.watch(args.warmup)
            st.end_warmup()
            if args.switch_threshold != args.threshold:
                st.watch(args.duration / 2)
                st.switch_threshold(args.switch_threshold)
                st.watch(args.duration / 2)
            else:
                st.watch(args.duration)
            st.summarize_thresholds()
            if args.failover:
                dead = st.failover(args.failover)
                if args.resume:
                    st.resume(dead)
                if args.failover_again:
                    st.failover(args.failover_again)
            if st.colo_running:
                st.pri.cmd("migrate-set-parameters",
                           **{"x-checkpoint-delay": 3600 * 1000})
                st.watch(1)
                st.summarize_session()
            st.client.stop()
            st.report()
        except KeyboardInterrupt:
            st.fail("interrupted")
        except (RuntimeError, TimeoutError, QMPError, OSError) as e:
            st.fail(str(e))
            st.report()
        for side in st.sides:
            if side.console.bad:
                st.fail("%s serial console: %d problem lines (%d Oops)"
                        % (side.name, len(side.console.bad),
                           side.console.oopses()))
            if side.console.mismatch_lines:
                st.fail("%s disk workload: %d mismatches"
                        % (side.name, len(side.console.mismatch_lines)))
        failures = st.failures
    print("colo_stack: %s" % ("OK" if not failures else
                              "FAILED: " + "; ".join(failures)))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
