#!/usr/bin/env python3
"""make demo: a live COLO pair running a guest with a set dirty rate.

Prints one line per checkpoint (guest pause, RAM sent during the pause,
migrate-ram rounds, trigger, and with --pause-target whether the pause
met it), then both sides' "info checkpoint" tables.
Ctrl-C stops it; both QEMUs are always shut down.
"""

import argparse
import sys
import tempfile
import time

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
from colo_pair import ColoPair, guest_image, parse_size, target_text  # noqa: E402,E501

MIB = 1 << 20


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--interval", type=int, default=200,
                    help="checkpoint interval, ms (x-checkpoint-delay)")
    ap.add_argument("--rate", type=int, default=25600,
                    help="guest dirty rate, pages (4 KiB) per second")
    ap.add_argument("--working-set", type=int, default=128,
                    help="guest working set, MiB")
    ap.add_argument("--threshold", default="0",
                    help="x-colo-migrate-ram-threshold (e.g. 16M; 0 = off)")
    ap.add_argument("--pause-target", type=int, default=0, metavar="MS",
                    help="x-colo-migrate-ram-pause: the pause to aim for,"
                    " ms (0 = off; a --threshold other than 0 wins)")
    ap.add_argument("--duration", type=float, default=10,
                    help="seconds of COLO")
    ap.add_argument("--accel", choices=["kvm", "tcg"],
                    help="default: kvm if it runs the guest (tried "
                    "first), else tcg")
    args = ap.parse_args()
    sys.stdout.reconfigure(line_buffering=True)   # progress through pipes too
    threshold = parse_size(args.threshold)

    with tempfile.TemporaryDirectory() as tmp, \
         ColoPair(guest_image(tmp, args.rate, args.working_set),
                  memory_mib=args.working_set + 128, accel=args.accel,
                  delay_ms=args.interval, threshold=threshold) as pair:
        try:
            run(pair, args, threshold)
        except KeyboardInterrupt:
            print("\ninterrupted: shutting the pair down")
        pair.quit()


def run(pair, args, threshold):
    print("demo: primary and secondary on 127.0.0.1 (%s), guest dirtying "
          "%d pages/s over %d MiB, checkpoint every %d ms, "
          "migrate-ram threshold %d bytes"
          % (pair.accel, args.rate, args.working_set, args.interval,
             threshold))
    print("demo: booting the guest on both sides%s"
          % (" (about 30 s under TCG)" if pair.accel == "tcg" else ""))
    pair.wait_guest_running()
    print("demo: guest running; calc-dirty-rate measures %d MB/s "
          "(asked for %.0f MB/s)"
          % (pair.dirty_rate(), args.rate * 4096 / 1e6))
    pair.start_colo()
    if args.pause_target:
        pair.primary.cmd("migrate-set-parameters", **{
            "x-colo-migrate-ram-pause": args.pause_target})
        print("demo: COLO running, pause target %d ms" % args.pause_target)
    else:
        print("demo: COLO running")

    seen = 0
    last_triggers = pair.recorder(pair.primary)["triggers"]
    end = time.monotonic() + args.duration
    while time.monotonic() < end:
        pair.check_alive()
        rec = pair.recorder(pair.primary)
        if rec["checkpoints"] > seen:
            trig = rec["triggers"]
            why = [k for k in trig if k != "compare"
                   and trig[k] > last_triggers.get(k, 0)]
            print("checkpoint %4d: pause %8.3f ms, RAM in pause %7.2f MiB, "
                  "migrate-ram %7.2f MiB in %d rounds, trigger %s%s"
                  % (rec["checkpoints"], rec["pause"]["last"] / 1e6,
                     rec["ram-bytes"]["last"] / MIB,
                     rec["migrate-ram-bytes"]["last"] / MIB,
                     rec["migrate-ram-iterations"]["last"],
                     ",".join(why) or "?", target_text(rec)))
            seen, last_triggers = rec["checkpoints"], trig
        time.sleep(0.01)

    pair.park()
    for name, side in (("primary", pair.primary),
                       ("secondary", pair.secondary)):
        print("\n(%s) info checkpoint" % name)
        print(side.hmp("info checkpoint"), end="")


if __name__ == "__main__":
    sys.exit(main())
