"""Benchmarks of the runner: what a learner waits for, and what each isolation layer costs.

    .venv/bin/python bench/runner.py [--repeat 40] [--out bench/results/runner.json]

Prints a table and writes the figures as JSON. Measures, on this machine:
- bare interpreter start-up (`python -c pass`) for each learner interpreter;
- one trivial run through the sandbox directly, with each set of isolation layers;
- submit -> final result over HTTP against a real `threadline serve`, for a trivial run and a
  trivial graded submission (median and p99);
- throughput: many learners submitting at once; every run must reach a final status.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.interpreters import load  # noqa: E402
from app.sandbox.execution import Isolation, Job, Sandbox  # noqa: E402
from app.settings import Settings  # noqa: E402

TRIVIAL_TESTS = {
    "test_visible.py": "import solution\n\n\ndef test_answer():\n"
    "    assert solution.answer() == 42\n",
    "test_hidden.py": "import solution\n\n\ndef test_type():\n"
    "    assert isinstance(solution.answer(), int)\n",
}


def summary(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    p99 = ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]
    return {
        "median_ms": round(statistics.median(ordered), 1),
        "p99_ms": round(p99, 1),
        "n": len(ordered),
    }


def timed(action: Any, repeat: int) -> dict[str, float]:
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        samples.append((time.perf_counter() - started) * 1000)
    return summary(samples)


def bare_startup(interpreters: dict[str, Any], repeat: int) -> dict[str, Any]:
    return {
        i.id: timed(lambda i=i: subprocess.run([str(i.python), "-c", "pass"], check=True), repeat)
        for i in interpreters.values()
    }


def layers(interpreters: dict[str, Any], repeat: int, work: Path) -> dict[str, Any]:
    full = Isolation.detect()
    variants = {
        "rlimits": Isolation(None, None),
        "cgroups+rlimits": Isolation(None, full.cgroups),
        "bubblewrap+cgroups+rlimits": full,
    }
    interpreter = interpreters["3.13"]
    limits = Settings().limits("run")
    results = {}
    for name, isolation in variants.items():
        # As root without namespaces the sandbox would run the code as nobody, who cannot reach
        # an interpreter kept under /root; the layers are timed as the server's own user.
        sandbox = Sandbox(isolation, work / name, drop_privileges=False)
        job = Job("run", "pass\n", interpreter, limits)

        def once(sandbox: Sandbox = sandbox, job: Job = job) -> None:
            outcome = sandbox.run(job, threading.Event())
            assert outcome.status == "passed", (outcome.reason, outcome.stderr)

        results[name] = timed(once, repeat)
    return results


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    def __init__(self, work: Path) -> None:
        exercises = work / "exercises"
        shutil.copytree(ROOT / "exercises", exercises)
        trivial = exercises / "bench-trivial"
        (trivial / "tests").mkdir(parents=True)
        for name, text in TRIVIAL_TESTS.items():
            (trivial / "tests" / name).write_text(text)
        (trivial / "exercise.toml").write_text(
            'id = "bench-trivial"\ntitle = "Trivial"\nlesson = "concurrency-vs-parallelism"\n'
            'difficulty = "easy"\ninterpreters = ["3.13"]\nhints = ["a", "b"]\n'
        )
        for name in ("instructions.md", "starter.py", "reference.py"):
            (trivial / name).write_text("def answer():\n    return 42\n")
        self.port = free_port()
        env = os.environ | {
            "THREADLINE_DATA_DIR": str(work / "data"),
            "THREADLINE_EXERCISES_DIR": str(exercises),
            "THREADLINE_SECRET_KEY": "bench",
            "THREADLINE_QUEUE_MAX": "1000",
            "THREADLINE_LOG_LEVEL": "warning",
        }
        self.process = subprocess.Popen(
            [str(ROOT / ".venv/bin/threadline"), "serve", "--port", str(self.port)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self.url = f"http://127.0.0.1:{self.port}"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(self.url + "/healthz").status_code == 200:
                    return
            except httpx.TransportError:
                time.sleep(0.1)
        raise RuntimeError("the server did not start")

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(10)


def learner(url: str) -> tuple[httpx.Client, str]:
    client = httpx.Client(base_url=url, timeout=60)
    page = client.get("/login").text
    token = page.split('name="csrf_token" value="')[1].split('"')[0]
    return client, token


def submit_and_wait(client: httpx.Client, token: str, body: dict[str, Any]) -> dict[str, Any]:
    run = client.post("/api/runs", json=body, headers={"X-CSRF-Token": token}).json()
    while not run.get("final"):
        time.sleep(0.005)
        run = client.get(f"/api/runs/{run['id']}").json()
    return run


def end_to_end(server: Server, repeat: int) -> dict[str, Any]:
    client, token = learner(server.url)
    bodies = {
        "trivial run": {"code": "pass\n", "interpreter": "3.13"},
        "trivial grade": {
            "code": "def answer():\n    return 42\n",
            "interpreter": "3.13",
            "mode": "grade",
            "exercise": "bench-trivial",
        },
    }
    results = {}
    for name, body in bodies.items():

        def once(body: dict[str, Any] = body) -> None:
            run = submit_and_wait(client, token, body)
            assert run["status"] == "passed", run

        once()  # warm-up
        results[name] = timed(once, repeat)
    return results


def throughput(server: Server, learners: int) -> dict[str, Any]:
    sessions = [learner(server.url) for _ in range(learners)]
    body = {"code": "import time\nsum(range(100000))\n", "interpreter": "3.13"}
    started = time.perf_counter()
    with ThreadPoolExecutor(16) as pool:
        runs = list(pool.map(lambda s: submit_and_wait(s[0], s[1], body), sessions))
    elapsed = time.perf_counter() - started
    statuses: dict[str, int] = {}
    for run in runs:
        statuses[run["status"]] = statuses.get(run["status"], 0) + 1
    return {
        "submissions": learners,
        "seconds": round(elapsed, 2),
        "runs_per_second": round(learners / elapsed, 1),
        "statuses": statuses,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=40)
    parser.add_argument("--learners", type=int, default=100)
    parser.add_argument("--out", type=Path, default=ROOT / "bench/results/runner.json")
    args = parser.parse_args()
    interpreters, problems = load(Settings().resolved_interpreters_file)
    if "3.13" not in interpreters:
        sys.exit(f"no 3.13 learner interpreter: {problems}")
    work = Path(tempfile.mkdtemp(prefix="threadline-bench-"))
    figures: dict[str, Any] = {"machine": {"cpus": os.cpu_count(), "python": sys.version}}
    try:
        figures["bare_startup"] = bare_startup(interpreters, args.repeat)
        figures["sandbox_layers"] = layers(interpreters, args.repeat, work)
        server = Server(work)
        try:
            figures["submit_to_result"] = end_to_end(server, args.repeat)
            figures["throughput"] = throughput(server, args.learners)
        finally:
            server.stop()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    for section, values in figures.items():
        print(f"{section}:")
        for name, value in values.items():
            print(f"  {name:<32} {value}")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(figures, indent=2) + "\n")
    print(f"written to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
