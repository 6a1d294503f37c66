"""Run a COLO pair: a primary and a secondary qemu-system-x86_64 on loopback.

Used by demo.py and bench.py.  Both QEMUs boot the dirtying guest of
guest/ (each from its own copy of the disk image); the secondary waits
with -incoming defer.  ColoPair is a context manager: the processes are
killed and the temporary directory removed however the block is left.
"""

import json
import os
import shutil
import socket
import subprocess
import tempfile
import time

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# The build to run: build/obj, or QEMU_OBJ (check-sanitizers uses its own)
OBJ = os.environ.get("QEMU_OBJ", os.path.join(TOP, "build", "obj"))
QEMU = os.path.join(OBJ, "qemu-system-x86_64")


class QMPError(Exception):
    pass


class QMP:
    """A minimal QMP client over a unix socket."""

    def __init__(self, path, timeout=60):
        deadline = time.monotonic() + timeout
        while True:
            try:
                self.sock = socket.socket(socket.AF_UNIX)
                self.sock.connect(path)
                break
            except OSError:
                self.sock.close()
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        # Apart: a text file that both reads and writes drops what it
        # read ahead (events queued behind a reply) when it writes
        self.rfile = self.sock.makefile("r")
        self.wfile = self.sock.makefile("w")
        self.events = []
        self._read()                                  # greeting
        self.cmd("qmp_capabilities")

    def _read(self):
        line = self.rfile.readline()
        if not line:
            raise QMPError("QEMU closed the monitor")
        try:
            return json.loads(line)
        except ValueError as e:
            raise QMPError("not a QMP message (%s): %r"
                           % (e, line[:300])) from None

    def cmd(self, name, **args):
        self.wfile.write(json.dumps({"execute": name, "arguments": args}))
        self.wfile.flush()
        while True:
            msg = self._read()
            if "event" in msg:
                self.events.append(msg)
            elif "error" in msg:
                raise QMPError("%s: %s" % (name, msg["error"]["desc"]))
            else:
                return msg["return"]

    def hmp(self, line):
        return self.cmd("human-monitor-command", **{"command-line": line})

    def close(self):
        self.sock.close()


def kvm_usable():
    return os.access("/dev/kvm", os.R_OK | os.W_OK)


def qemu_args(accel, memory_mib, directory, name, disk):
    """A pair side's command line, less its role's options."""
    # With KVM's in-kernel PIT, a stop/cont makes the guest's timer
    # jump and the guest dirty a burst of pages: emulate it in QEMU.
    machine = "q35,kernel-irqchip=split" if accel == "kvm" else "q35"
    return [QEMU, "-machine", machine, "-accel", accel,
            "-m", "%dM" % memory_mib, "-nodefaults",
            "-display", "none", "-name", name + ",debug-threads=on",
            "-serial", "file:" + os.path.join(directory, name + ".serial"),
            "-drive", "if=none,id=d0,file=%s,format=raw" % disk,
            "-device", "ide-hd,drive=d0,secs=1,cyls=1,heads=1",
            "-qmp", "unix:%s,server=on,wait=off"
            % os.path.join(directory, name + ".qmp")]


# The dirtier's count of timer interrupts (VAR_TICKS in guest/dirtier.S)
DIRTIER_TICKS_ADDR = 0x508


def kvm_probe_failure(seconds=1.0):
    """Why KVM cannot run the dirtier guest here, or None if it can.

    /dev/kvm may open and still not run the guest: a nested hypervisor
    can fail to emulate an instruction it uses ("KVM internal error ...
    emulation failure").  So run it: paced, it must print its 'A', stay
    running and take its timer interrupts for @seconds.
    """
    if not kvm_usable():
        return "/dev/kvm is missing or not writable"
    with tempfile.TemporaryDirectory(prefix="colo-kvm-probe-") as tmp:
        image = guest_image(tmp, 2560, 16, quiet=True)
        log_path = os.path.join(tmp, "probe.log")
        with open(log_path, "w") as log:
            proc = subprocess.Popen(
                qemu_args("kvm", 64, tmp, "probe", image),
                stdout=log, stderr=log, stdin=subprocess.DEVNULL)
        try:
            return _kvm_probe_run(proc, tmp, log_path, seconds)
        finally:
            if proc.poll() is None:
                proc.kill()
            proc.wait()


def _kvm_probe_run(proc, tmp, log_path, seconds):
    def why():
        with open(log_path, errors="replace") as f:
            text = f.read()
        if "emulation failure" in text:
            return "emulation failure"
        lines = [l for l in text.splitlines() if l.strip()]
        return lines[0] if lines else "no message"

    def state():
        if proc.poll() is not None:
            return None
        return qmp.cmd("query-status")["status"]

    def ticks():
        out = qmp.hmp("xp /1wx 0x%x" % DIRTIER_TICKS_ADDR)
        return int(out.split(":")[1].split()[0], 16)

    try:
        qmp = QMP(os.path.join(tmp, "probe.qmp"), timeout=10)
    except (OSError, QMPError):
        return "QEMU did not start (%s)" % why()
    try:
        serial = os.path.join(tmp, "probe.serial")
        deadline = time.monotonic() + 10
        while not (os.path.exists(serial) and os.path.getsize(serial)):
            if state() != "running":
                return "the guest stopped before it started (%s: %s)" \
                    % (state() or "QEMU exited", why())
            if time.monotonic() > deadline:
                return "the guest printed nothing in 10 s"
            time.sleep(0.05)
        first = ticks()
        time.sleep(seconds)
        if state() != "running":
            return "%s: %s" % (state() or "QEMU exited", why())
        if ticks() <= first:
            return "the guest took no timer interrupt in %.1f s" % seconds
        return None
    except (OSError, QMPError) as e:
        return "%s (%s)" % (e, why())
    finally:
        qmp.close()


def choose_accel(requested=None):
    """The accelerator for the dirtier guest: @requested ("kvm" fails
    loudly if KVM cannot run it), or KVM where it runs the guest, else
    TCG, saying why on stdout."""
    if requested == "tcg":
        return "tcg"
    failure = kvm_probe_failure()
    if failure is None:
        return "kvm"
    if requested == "kvm":
        raise SystemExit("KVM cannot run the dirtier guest here: %s"
                         % failure)
    if kvm_usable():
        print("KVM cannot run the dirtier guest here: %s; using TCG"
              % failure, flush=True)
    return "tcg"


class ColoPair:
    """@accel: "kvm", "tcg", or None for choose_accel()'s choice."""

    def __init__(self, image, memory_mib, accel=None, delay_ms=200,
                 threshold=0):
        self.accel = choose_accel(accel)
        self.image = image
        self.memory_mib = memory_mib
        self.delay_ms = delay_ms
        self.threshold = threshold
        self.procs = []
        self.dir = None

    def _start_qemu(self, name, extra):
        disk = os.path.join(self.dir, name + ".img")
        shutil.copyfile(self.image, disk)
        args = qemu_args(self.accel, self.memory_mib, self.dir, name,
                         disk) + extra
        log = open(os.path.join(self.dir, name + ".log"), "w")
        self.procs.append(subprocess.Popen(args, stdout=log, stderr=log,
                                           stdin=subprocess.DEVNULL))
        return QMP(os.path.join(self.dir, name + ".qmp"))

    def __enter__(self):
        self.dir = tempfile.mkdtemp(prefix="colo-pair-")
        try:
            self.secondary = self._start_qemu("secondary",
                                              ["-incoming", "defer"])
            self.primary = self._start_qemu("primary", [])
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def __exit__(self, exc_type, *exc):
        for p in self.procs:
            if p.poll() is None:
                p.kill()
            p.wait()
        if not self.dir:
            return False
        if exc_type is None or exc_type is KeyboardInterrupt:
            shutil.rmtree(self.dir, ignore_errors=True)
        else:
            # An error names this folder: keep the logs, drop the disks
            for f in os.listdir(self.dir):
                if f.endswith((".img", ".qmp")):
                    os.unlink(os.path.join(self.dir, f))
            print("colo_pair: logs kept in %s" % self.dir, flush=True)
        return False

    def wait_guest_running(self, timeout=300):
        """Wait for the guest's 'A' on the primary's serial port."""
        path = os.path.join(self.dir, "primary.serial")
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.check_alive()
            if os.path.exists(path) and os.path.getsize(path) > 0:
                return
            time.sleep(0.1)
        raise TimeoutError("the guest did not start")

    def check_alive(self):
        for p in self.procs:
            if p.poll() is not None:
                raise RuntimeError("a QEMU exited with status %d; logs in %s"
                                   % (p.returncode, self.dir))

    def dirty_rate(self, seconds=1):
        """The primary guest's dirty rate, in MB/s, by calc-dirty-rate.

        The dirty-bitmap mode counts only what KVM reports, so TCG
        samples pages instead.
        """
        if self.accel == "kvm":
            mode = {"mode": "dirty-bitmap"}
        else:
            mode = {"mode": "page-sampling", "sample-pages": 16384}
        self.primary.cmd("calc-dirty-rate", **{"calc-time": seconds}, **mode)
        while True:
            time.sleep(0.2)
            info = self.primary.cmd("query-dirty-rate")
            if info["status"] == "measured":
                return info["dirty-rate"]

    def start_colo(self, timeout=300):
        for side in (self.primary, self.secondary):
            side.cmd("migrate-set-capabilities", capabilities=[
                {"capability": "x-colo", "state": True},
                # both sides, so the threshold can change while COLO runs
                {"capability": "x-colo-migrate-ram", "state": True}])
        self.secondary.cmd("migrate-incoming", uri="tcp:127.0.0.1:0")
        port = self.secondary.cmd("query-migrate")["socket-address"][0]["port"]
        self.primary.cmd("migrate-set-parameters", **{
            "x-checkpoint-delay": self.delay_ms,
            "x-colo-migrate-ram-threshold": self.threshold,
            "max-bandwidth": 10 * 1024 ** 3,
            "downtime-limit": 60000})
        self.primary.cmd("migrate", uri="tcp:127.0.0.1:%s" % port)
        deadline = time.monotonic() + timeout
        while self.primary.cmd("query-migrate").get("status") != "colo":
            self.check_alive()
            if time.monotonic() > deadline:
                raise TimeoutError("COLO did not start")
            time.sleep(0.05)

    def recorder(self, side):
        return side.cmd("info_checkpoint")

    def park(self):
        """Stop periodic checkpoints; wait for the last one on both sides."""
        before = self.recorder(self.primary)["triggers"]["delay-change"]
        self.primary.cmd("migrate-set-parameters",
                         **{"x-checkpoint-delay": 3600 * 1000})
        while True:
            p = self.recorder(self.primary)
            s = self.recorder(self.secondary)
            if (p["triggers"]["delay-change"] > before and
                    p["checkpoints"] == s["checkpoints"]):
                return p, s
            time.sleep(0.01)

    def quit(self):
        for side in (self.primary, self.secondary):
            try:
                side.cmd("quit")
            except (QMPError, OSError):
                pass
        for p in self.procs:
            try:
                p.wait(timeout=30)
            except subprocess.TimeoutExpired:
                p.kill()


def guest_image(directory, pages_per_second, working_set_mib,
                working_set_pages=None, quiet=False):
    """Build the dirtying guest's disk image with its rate and working set
    (working_set_pages, if given, instead of working_set_mib)."""
    image = os.path.join(directory, "dirtier.img")
    out = subprocess.DEVNULL if quiet else None
    subprocess.run([os.path.join(TOP, "guest", "build.sh"), image],
                   check=True, stdout=out)
    subprocess.run([os.path.join(TOP, "guest", "set-params.py"), image,
                    "--rate", str(pages_per_second),
                    "--working-set-pages",
                    str(working_set_pages or working_set_mib * 256)],
                   check=True, stdout=out)
    return image


def parse_size(text):
    """'64M' -> 67108864; plain numbers are bytes."""
    units = {"K": 1 << 10, "M": 1 << 20, "G": 1 << 30}
    text = text.strip().upper().rstrip("B")
    if text and text[-1] in units:
        return int(float(text[:-1]) * units[text[-1]])
    return int(text)


if __name__ == "__main__":
    # check.sh's banner: what the dirtier guest (the memory demo's) runs on
    failure = kvm_probe_failure()
    print("KVM (it runs the dirtier guest)" if failure is None else
          "TCG (%s)" % failure if not kvm_usable() else
          "TCG (KVM cannot run the dirtier guest here: %s)" % failure)


def compare_checkpoints(triggers):
    """Checkpoints colo-compare asked for, from info_checkpoint's
    "triggers" (one member per reason)"""
    return (triggers["compare-tcp"] + triggers["compare-packet"] +
            triggers["compare-timeout"])


def target_text(rec):
    """Whether the last checkpoint met its pause target, if it had one
    (x-colo-migrate-ram-pause)"""
    target = rec["pause-target"]["target"]
    if not target:
        return ""
    over = rec["pause"]["last"] - target
    if over <= 0:
        return ", target met"
    return ", target missed by %.1f ms" % (over / 1e6)
