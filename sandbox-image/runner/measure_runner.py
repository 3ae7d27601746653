"""Time a runner: cold start and trivial requests, or frames of 8 columns in and out.

    DEA_RUNNER_CMD='docker run -i --rm ... dea-sandbox:latest' python3 measure_runner.py [rounds]
    DEA_RUNNER_CMD=... python3 measure_runner.py --frames[=rows,rows,...] [rounds]

"ready" latency is what a cold sandbox costs; request latency is what remains when the
warm pool hands out a runner that is already blocked on stdin. ``--frames`` (default 1,000,
100,000 and 1,000,000 rows) sends a frame of int, float, decimal, high- and low-cardinality
text, date, timestamptz and bool columns and times, from ready to the result received,
``df.describe()`` on it and returning it unchanged; the step itself reports its describe and
encode times and its peak memory (VmHWM).
"""

import array
import itertools
import json
import os
import statistics
import sys
import time

from runner_client import Session, frame_input

# DEA_REUSE_INPUTS=1: ask, as the agent does, for unchanged input columns by reference (docs/sandbox-protocol.md),
# telling the runner the memory limit of DEA_RUNNER_CMD (DEA_MEMORY_MB, 256).
REUSE = {"reuse_inputs": True, "memory_limit_bytes": int(os.environ.get("DEA_MEMORY_MB", "256")) << 20} \
    if os.environ.get("DEA_REUSE_INPUTS") == "1" else {}
TRIVIAL = 'result_df = input_data["t"].assign(y=lambda d: d.x * 2)'
INPUT = frame_input("t", ["x"], ["int64"], [[1], [2], [3]], ["int8"])
CITIES = ["Berlin", "Paris", "Madrid", "Rome", "Vienna", "Prague", "Warsaw", "Lisbon", "Dublin", "Oslo",
          "Athens", "Sofia", "Riga", "Tallinn", "Vilnius", "Zagreb", "Bern", "Brussels", "Amsterdam", "Helsinki"]
DESCRIBE = """
import time
t0 = time.perf_counter()
d = input_data["t"].describe()
t1 = time.perf_counter()
print(json.dumps({"describe_ms": (t1 - t0) * 1000, "shape": list(d.shape)}))
"""
UNCHANGED = """
import time, sandbox_encode
t0 = time.perf_counter()
_, buffers, _ = sandbox_encode.encode_frame(input_data["t"])
size = sum(memoryview(b).nbytes for b in buffers)
print(json.dumps({"encode_ms": (time.perf_counter() - t0) * 1000, "bytes": size}))
result_df = input_data["t"]
"""
PEAK = """
_s = {l.split(":")[0]: int(l.split()[1]) / 1024 for l in open("/proc/self/status")
      if l.startswith(("VmHWM", "RssAnon"))}
# VmHWM: peak resident memory, shared libraries included; RssAnon: the process's own memory now.
print(json.dumps({"peak_rss_mb": _s["VmHWM"], "anon_now_mb": _s["RssAnon"]}))
"""


def _texts(values):
    """(offsets, data) of str values, each followed by 0x00."""
    data = "\0".join(itertools.chain(values, [""])).encode("utf-8")
    offsets = array.array("q", [0])
    offsets.extend(position + 1 for position in _zero_positions(data))
    return offsets.tobytes(), data


def _zero_positions(data):
    position = data.find(0)
    while position >= 0:
        yield position
        position = data.find(0, position + 1)


def big_input(n: int):
    """(name, meta, buffers) of an n-row, 8-column frame, built fast without numpy."""
    null_every = 100
    valid = bytearray(b"\x01") * n
    sparse = bytearray(valid)
    sparse[::null_every] = bytes(len(range(0, n, null_every)))
    floats = array.array("d", (i * 0.25 for i in range(n)))
    for i in range(0, n, null_every):
        floats[i] = float("nan")
    dec_offsets, dec_data = _texts("%d.%02d" % (i // 100, i % 100) for i in range(n))
    high_offsets, high_data = _texts("customer-%07d" % i for i in range(n))
    low_offsets, low_data = _texts(CITIES[i % 20] if i % null_every else "" for i in range(n))
    columns = [
        ("id", "int64", "int8", "int64", [valid, array.array("q", range(n)).tobytes()]),
        ("price", "float64", "float8", "float64", [sparse, floats.tobytes()]),
        ("amount", "decimal", "numeric(12,2)", "object",
         [valid, dec_offsets, dec_data, array.array("d", (i / 100 for i in range(n))).tobytes()]),
        ("customer", "string", "text", "object", [valid, high_offsets, high_data]),
        ("city", "string", "text", "object", [sparse, low_offsets, low_data]),
        ("day", "date", "date", "object", [valid, array.array("q", (18000 + i % 1500 for i in range(n))).tobytes()]),
        ("at", "timestamptz", "timestamptz", "datetime64[ns, UTC]",
         [valid, array.array("q", (1_700_000_000_000_000 + i * 1_000_003 for i in range(n))).tobytes()]),
        ("ok", "bool", "bool", "bool", [valid, bytes(i % 3 == 0 for i in range(n))]),
    ]
    meta = {"columns": [{"name": name, "kind": kind, "source_type": source, "dtype": dtype,
                         "stats": {"null_count": bufs[0].count(0)},
                         "buffers": [{"name": b, "bytes": len(data)} for b, data in zip(
                             ["valid", "values"] if len(bufs) == 2 else ["valid", "offsets", "data", "float"], bufs)]}
                        for name, kind, source, dtype, bufs in columns], "row_count": n}
    return "t", meta, [b for *_, bufs in columns for b in bufs]


def startup(rounds: int):
    ready, serve, exit_, total = [], [], [], []
    for _ in range(rounds):
        start = time.perf_counter()
        session = Session()
        try:
            session.wait_ready()
            t_ready = time.perf_counter()
            message, rows, _, code = session.execute(TRIVIAL, [INPUT])
            t_done = time.perf_counter()
        finally:
            session.close()
        assert message["status"] == "ok" and rows == [[1, 2], [2, 4], [3, 6]] and code == 0, message
        ready.append(t_ready - start)
        serve.append(session.result_at - t_ready)
        exit_.append(t_done - session.result_at)
        total.append(t_done - start)
    for name, values in (("until ready", ready), ("ready -> result received", serve),
                         ("result -> process/container gone", exit_), ("total", total)):
        print("%-32s median %6.0f ms   min %6.0f ms   max %6.0f ms"
              % (name, 1000 * statistics.median(values), 1000 * min(values), 1000 * max(values)))


def frames(sizes, rounds: int):
    for n in sizes:
        frame = big_input(n)
        size = sum(len(b) for b in frame[2])
        for label, code in (("load + describe", DESCRIBE + PEAK), ("return unchanged", UNCHANGED + PEAK)):
            times, reports = [], []
            for _ in range(rounds):
                session = Session(timeout=600)
                try:
                    session.wait_ready()
                    start = time.perf_counter()
                    message, _, _, exit_code = session.execute("import json\n" + code, [frame], decode=False,
                                                               **REUSE)
                except (EOFError, OSError) as e:
                    # The runner died (137: the memory limit), possibly while we were still sending.
                    message, exit_code = {"error": str(e).split(";")[0]}, session.proc.wait()
                finally:
                    stderr = session.stderr()
                    session.close()
                if message.get("status") != "ok":
                    print("%9d rows  %-17s FAILED: %s (exit %s) %s"
                          % (n, label, message.get("error"), exit_code, stderr[-300:]))
                    break
                times.append(session.result_at - start)
                reports.append({k: v for line in message["stdout"].splitlines() for k, v in json.loads(line).items()})
            if times:
                extra = {k: statistics.median(r[k] for r in reports) for k in reports[0] if k not in ("shape",)}
                print("%9d rows (%6.1f MB in)  %-17s ready -> result median %7.0f ms (min %7.0f)   %s"
                      % (n, size / 1e6, label, 1000 * statistics.median(times), 1000 * min(times),
                         "  ".join("%s %.0f" % kv for kv in extra.items())))


if __name__ == "__main__":
    args = sys.argv[1:]
    if args and args[0].startswith("--frames"):
        sizes = args[0].partition("=")[2]
        frames([int(s) for s in sizes.split(",")] if sizes else [1000, 100_000, 1_000_000],
               int(args[1]) if len(args) > 1 else 3)
    else:
        startup(int(args[0]) if args else 5)
