"""Benchmarks of the cluster path (web replica -> Redis -> runner node -> PostgreSQL) against
the embedded one (one server with its own runner), in the same run, on this machine:

    .venv/bin/python bench/cluster.py [--repeat 40] [--burst 60] [--out bench/results/cluster.json]

- latency of a trivial run, from the POST to its final status on the run's WebSocket, median
  and p99, the two paths taken in turn; both on the same PostgreSQL;
- throughput: a burst of learners submitting a trivial run at once, with one and with two
  runner nodes of one run slot each, and a third as many submitting a graded exercise;
- events per second a viewer receives for a chatty program (threads handing a lock back and
  forth), through Redis and through the embedded feed.

Needs what `scripts/setup.sh test` installs (PostgreSQL, Redis, the learner interpreters).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from websockets.sync.client import connect  # noqa: E402

from bench.tracing import CHATTY  # noqa: E402  threads handing a lock back and forth
from tests.cluster_support import Cluster, Learner  # noqa: E402
from tests.conftest import fresh_postgres_database  # noqa: E402
from tests.postgres_server import running_postgres  # noqa: E402
from tests.redis_server import running_redis  # noqa: E402

TRIVIAL = "print('hi')"
EXERCISE = "start-and-join"  # a grading of its reference solution takes about 1 CPU-second
GRADED = (ROOT / "exercises" / EXERCISE / "reference.py").read_text()


def summary(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    p99 = ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]
    return {"median_ms": round(statistics.median(ordered), 1), "p99_ms": round(p99, 1)}


def until_final(learner: Learner, url: str, run_id: str) -> list[dict[str, Any]]:
    """The run's messages over its WebSocket, to its final status."""
    ws_url = url.replace("http", "ws", 1) + f"/ws/runs/{run_id}"
    cookie = "; ".join(f"{k}={v}" for k, v in learner.client.cookies.items())
    received = []
    with connect(ws_url, additional_headers={"Cookie": cookie}) as socket:
        while True:
            message = json.loads(socket.recv(timeout=60))
            message["at"] = time.perf_counter()
            received.append(message)
            if message["type"] == "status":
                return received


def latency(learner: Learner, url: str) -> float:
    started = time.perf_counter()
    run = learner.run(TRIVIAL)
    messages = until_final(learner, url, run["id"])
    assert messages[-1]["run"]["status"] == "passed", messages[-1]
    return (messages[-1]["at"] - started) * 1000


def burst(url: str, learners: int, grade: bool = False) -> dict[str, float]:
    tabs = [Learner(url) for _ in range(learners)]
    started = time.perf_counter()

    def one(tab: Learner) -> str:
        fields = {"mode": "grade", "exercise": EXERCISE} if grade else {}
        run = tab.run(GRADED if grade else TRIVIAL, **fields)
        return str(tab.wait(run["id"], timeout=600)["status"])

    with ThreadPoolExecutor(learners) as pool:
        statuses = list(pool.map(one, tabs))
    took = time.perf_counter() - started
    assert statuses == ["passed"] * learners, statuses
    return {"runs": learners, "seconds": round(took, 2), "runs_per_s": round(learners / took, 2)}


def events_rate(learner: Learner, url: str) -> dict[str, float]:
    run = learner.run(CHATTY)
    traces = [m for m in until_final(learner, url, run["id"]) if m["type"] == "trace"]
    with_events = [m for m in traces if m["events"]]
    events = sum(len(m["events"]) for m in traces)
    span = with_events[-1]["at"] - with_events[0]["at"] if len(with_events) > 1 else 1e-3
    return {"events": events, "events_per_s": round(events / max(span, 1e-3))}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=40)
    parser.add_argument("--burst", type=int, default=60)
    parser.add_argument("--out", default=str(ROOT / "bench" / "results" / "cluster.json"))
    args = parser.parse_args()
    results: dict[str, Any] = {}
    one_slot = {"THREADLINE_RUNNER_WORKERS": "1", "THREADLINE_QUEUE_MAX": "1000"}
    with (
        running_postgres() as server,
        running_redis() as redis_server,
        tempfile.TemporaryDirectory() as top,
    ):
        cluster = Cluster(fresh_postgres_database(server), redis_server, Path(top), one_slot)
        try:
            embedded = cluster.add_web(embedded_on=fresh_postgres_database(server))
            web = cluster.add_web()
            cluster.web.reverse()  # the replica first: it is the one that lists the nodes
            cluster.add_worker()
            learners = {url: Learner(url) for url in (web, embedded)}  # a database each
            for url in (web, embedded):  # warm both paths up
                latency(learners[url], url)
            paths: dict[str, list[float]] = {"embedded": [], "cluster": []}
            for _ in range(args.repeat):
                paths["embedded"].append(latency(learners[embedded], embedded))
                paths["cluster"].append(latency(learners[web], web))
            results["latency"] = {name: summary(s) for name, s in paths.items()}
            results["latency"]["added_median_ms"] = round(
                results["latency"]["cluster"]["median_ms"]
                - results["latency"]["embedded"]["median_ms"],
                1,
            )
            results["events"] = {
                "embedded": events_rate(learners[embedded], embedded),
                "cluster": events_rate(learners[web], web),
            }
            results["throughput"] = {"embedded, 1 slot": burst(embedded, args.burst)}
            results["throughput"]["cluster, 1 node"] = burst(web, args.burst)
            cluster.add_worker()
            results["throughput"]["cluster, 2 nodes"] = burst(web, args.burst)
            graded = burst(web, args.burst // 3, grade=True)
            results["throughput"]["cluster, 2 nodes, gradings"] = graded
        finally:
            cluster.stop()
    print(f"latency of a trivial run, POST to final status ({args.repeat} each, in turn):")
    for name in ("embedded", "cluster"):
        row = results["latency"][name]
        print(f"  {name:10} median {row['median_ms']:7.1f} ms   p99 {row['p99_ms']:7.1f} ms")
    print(f"  added by the cluster path at the median: {results['latency']['added_median_ms']} ms")
    print(f"throughput, {args.burst} learners submitting at once (one run slot a node):")
    for name, row in results["throughput"].items():
        print(f"  {name:28} {row['runs_per_s']:6.2f} runs/s ({row['runs']} in {row['seconds']} s)")
    print("events a viewer receives from a chatty program:")
    for name, row in results["events"].items():
        print(f"  {name:10} {row['events_per_s']:7.0f} events/s ({row['events']} events)")
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2) + "\n")
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
