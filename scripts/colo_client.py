#!/usr/bin/env python3
"""The client of the COLO stack: runs in the lab's client namespace.

One TCP connection to the guest's echo server, kept for the whole run: a
numbered line every --echo-interval seconds, its echo checked and its
round trip measured.  Every --http-interval seconds, a new connection
fetches the guest's page that differs between primary and secondary.
One JSON object per line on stdout:

  {"t": T, "kind": "echo", "conn": C, "seq": N, "rtt_ms": X}
  {"t": T, "kind": "http", "ms": X, "body": "..."}
  {"t": T, "kind": "error", "what": "echo"|"http", "conn": C, "error": "..."}

A failed echo connection is reopened (conn counts them from 1).  The loop
is bounded: it stops after --duration seconds or when stdin closes.
"""

import argparse
import json
import select
import socket
import sys
import threading
import time

START = time.monotonic()
out_lock = threading.Lock()


def emit(**obj):
    obj["t"] = round(time.monotonic() - START, 3)
    with out_lock:
        sys.stdout.write(json.dumps(obj) + "\n")
        sys.stdout.flush()


def echo_loop(args, stop):
    conn, seq, sock, buf = 0, 0, None, b""
    while not stop.is_set():
        try:
            if sock is None:
                conn += 1
                sock = socket.create_connection((args.host, args.echo_port),
                                                timeout=args.timeout)
                buf = b""
            seq += 1
            line = b"seq %d conn %d\n" % (seq, conn)
            t0 = time.monotonic()
            sock.sendall(line)
            while b"\n" not in buf:
                data = sock.recv(4096)
                if not data:
                    raise ConnectionError("closed by the guest")
                buf += data
            got, buf = buf.split(b"\n", 1)
            rtt = (time.monotonic() - t0) * 1000
            if got + b"\n" != line:
                raise ValueError("echo mismatch: sent %r got %r"
                                 % (line, got))
            emit(kind="echo", conn=conn, seq=seq, rtt_ms=round(rtt, 3))
        except (OSError, ValueError) as e:
            emit(kind="error", what="echo", conn=conn, error=str(e))
            if sock:
                sock.close()
            sock = None
            stop.wait(1)
            continue
        stop.wait(args.echo_interval)
    if sock:
        sock.close()


def http_loop(args, stop):
    while not stop.wait(args.http_interval):
        t0 = time.monotonic()
        try:
            with socket.create_connection((args.host, args.http_port),
                                          timeout=args.timeout) as s:
                s.sendall(b"GET / HTTP/1.0\r\n\r\n")
                data = b""
                while True:
                    d = s.recv(4096)
                    if not d:
                        break
                    data += d
            body = data.split(b"\r\n\r\n", 1)[-1].decode(errors="replace")
            emit(kind="http", ms=round((time.monotonic() - t0) * 1000, 3),
                 body=body.strip())
        except OSError as e:
            emit(kind="error", what="http", error=str(e))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--host", default="10.0.0.10")
    ap.add_argument("--echo-port", type=int, default=7)
    ap.add_argument("--http-port", type=int, default=80)
    ap.add_argument("--echo-interval", type=float, default=0.2)
    ap.add_argument("--http-interval", type=float, default=2.0)
    ap.add_argument("--timeout", type=float, default=60)
    ap.add_argument("--duration", type=float, default=600)
    args = ap.parse_args()

    stop = threading.Event()
    threads = [threading.Thread(target=f, args=(args, stop), daemon=True)
               for f in (echo_loop, http_loop)]
    for t in threads:
        t.start()
    end = START + args.duration
    try:
        while time.monotonic() < end:
            r, _, _ = select.select([sys.stdin], [], [], 0.5)
            if r and not sys.stdin.buffer.read1(4096):
                break               # the driver closed our stdin
    except KeyboardInterrupt:
        pass
    stop.set()
    for t in threads:
        t.join(timeout=2)


if __name__ == "__main__":
    main()
