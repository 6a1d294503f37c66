"""What the benches read from the COLO checkpoint recorder: its phase
averages (info_checkpoint) and each checkpoint's pause (the
colo_checkpoint_done trace event of QEMU's log trace backend)."""

import re

CHECKPOINT_TRACE = re.compile(r"colo_checkpoint_done \w+ checkpoint (\d+): "
                              r"duration \d+ ns, pause (\d+) ns")


def phases_ms(rec):
    """Each phase's average in info_checkpoint @rec, ms."""
    return {ph["phase"]: ph["average"] / 1e6 for ph in rec["phases"]}


def traced_pauses_ms(path, offset, count):
    """The pauses (ms) of the @count checkpoints a side recorded since its
    recorder was reset (the sequence starts again at 1), from the trace
    in file @path from @offset on."""
    with open(path, errors="replace") as f:
        f.seek(offset)
        seq_pause = [(int(m.group(1)), int(m.group(2)) / 1e6)
                     for m in CHECKPOINT_TRACE.finditer(f.read())]
    starts = [i for i, (seq, _) in enumerate(seq_pause) if seq == 1]
    if not starts:
        return []
    return [p for seq, p in seq_pause[starts[-1]:] if seq <= count]
