"""Time a runner's cold start (until "ready") and a trivial request once ready.

    DEA_RUNNER_CMD='docker run -i --rm ... dea-sandbox:latest' python3 measure_runner.py [rounds]

"ready" latency is what a cold sandbox costs; request latency is what remains when the
warm pool hands out a runner that is already blocked on stdin.
"""

import statistics
import sys
import time

from runner_client import Session, line

TRIVIAL = 'result_df = input_data["t"].assign(y=lambda d: d.x * 2)'
INPUT = ("t", {"columns": [{"name": "x", "kind": "int64", "source_type": "int8", "dtype": "int64"}],
               "row_count": 3}, [line([1]), line([2]), line([3])])


def main(rounds: int):
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


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 5)
