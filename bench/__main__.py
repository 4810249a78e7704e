"""`python -m bench` (`make bench`): run every benchmark with its defaults and print the figures."""

from __future__ import annotations

import sys
import time

from bench import (
    bench_ack,
    bench_burst,
    bench_fanout,
    bench_feedback,
    bench_pace,
    bench_pollers,
    bench_sandbox,
)

BENCHMARKS = (
    ("ack throughput and latency: full app vs bare Bolt", bench_ack.main),
    ("sandbox positions throughput", bench_sandbox.main),
    ("first feedback and answer times with AutoShares slow", bench_feedback.main),
    (
        "poller passes at 10, 1,000 and 10,000 alerts and open orders, SQLite and PostgreSQL",
        bench_pollers.main,
    ),
    ("alert fan-out: 1,000 triggers over 20 channels, every 10th post 429", bench_fanout.main),
    ("Slack's pace shared by 3 replicas: 60 triggers over 3 channels at 1 post a second", bench_pace.main),
    ("a burst: 200 commands at once with AutoShares at 2 s a call", bench_burst.main),
)


def main() -> int:
    for title, run in BENCHMARKS:
        print(f"== {title}", flush=True)
        started = time.perf_counter()
        run([])
        print(f"   ({time.perf_counter() - started:.1f} s)\n", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
