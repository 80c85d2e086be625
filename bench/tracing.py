"""What the tracing agent costs: each program's wall time traced ÷ untraced (medians of
alternating runs, same interpreter), the nanoseconds it adds to an uncontended lock operation,
and how many events per second reach the runner through the FIFO. Under both learner
interpreters; the programs run outside the sandbox so that only the agent is measured.

    .venv/bin/python bench/tracing.py [--repeat 7]

Prints a table and writes bench/results/tracing.json.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.interpreters import load  # noqa: E402
from app.settings import Settings  # noqa: E402
from app.trace.events import AGENT_DIR  # noqa: E402

PROGRAMS = {
    "lock-heavy counter, 4 threads": """
import threading
lock, count = threading.Lock(), 0
def work():
    global count
    for i in range(100_000):
        if i % 2:
            with lock:
                count += 1
        else:
            lock.acquire()
            count += 1
            lock.release()
threads = [threading.Thread(target=work) for _ in range(4)]
for t in threads: t.start()
for t in threads: t.join()
assert count == 400_000
""",
    "CPU-bound loop, 4 threads": """
import threading
def work():
    n = 0
    for i in range(1_500_000):
        n += i * i
threads = [threading.Thread(target=work) for _ in range(4)]
for t in threads: t.start()
for t in threads: t.join()
""",
    "call-heavy recursion": """
def fib(n):
    return n if n < 2 else fib(n - 1) + fib(n - 2)
fib(25)
""",
    "process pool job": """
from concurrent.futures import ProcessPoolExecutor
def square(n):
    return sum(i * i for i in range(n))
if __name__ == "__main__":
    with ProcessPoolExecutor(2) as pool:
        list(pool.map(square, [20_000] * 200))
""",
}

PER_OPERATION = """
import threading, time
lock = threading.Lock()
n = 2_000_000
start = time.perf_counter_ns()
for _ in range(n):
    with lock:
        pass
print((time.perf_counter_ns() - start) / n)
"""


class Drain:
    """Reads the agent's FIFO as the runner does, counting records."""

    def __init__(self, path: Path) -> None:
        os.mkfifo(path)
        self.fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
        self.keep = os.open(path, os.O_WRONLY | os.O_NONBLOCK)
        self.records = 0
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.read, daemon=True)
        self.thread.start()

    def read(self) -> None:
        while not self.stop.is_set():
            try:
                self.records += os.read(self.fd, 1 << 16).count(b"\n")
            except BlockingIOError:
                time.sleep(0.005)

    def close(self) -> None:
        self.stop.set()
        self.thread.join()
        os.close(self.fd)
        os.close(self.keep)


def timed(python: str, script: Path, env: dict[str, str]) -> tuple[float, str]:
    started = time.perf_counter()
    done = subprocess.run([python, "-s", str(script)], env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"{script.name} failed:\n{done.stderr}")
    return time.perf_counter() - started, done.stdout


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=7)
    options = parser.parse_args()
    interpreters, _ = load(Settings().resolved_interpreters_file)
    results: dict[str, dict[str, dict[str, float]]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        drain = Drain(work / "events")
        plain = {"PATH": os.environ.get("PATH", "/usr/bin"), "LANG": "C.UTF-8"}
        traced = plain | {"PYTHONPATH": str(AGENT_DIR), "THREADLINE_EVENTS": str(work / "events")}
        for interpreter in interpreters.values():
            rows = results[interpreter.id] = {}
            for name, code in PROGRAMS.items():
                script = work / "program.py"
                script.write_text(code)
                off, on, events, seconds = [], [], 0, 0.0
                for _ in range(options.repeat):
                    off.append(timed(str(interpreter.python), script, plain)[0])
                    before = drain.records
                    elapsed = timed(str(interpreter.python), script, traced)[0]
                    on.append(elapsed)
                    events += drain.records - before
                    seconds += elapsed
                rows[name] = {
                    "untraced_s": statistics.median(off),
                    "traced_s": statistics.median(on),
                    "ratio": statistics.median(on) / statistics.median(off),
                    "events_per_s": events / seconds,
                }
            script = work / "per_op.py"
            script.write_text(PER_OPERATION)
            raw = statistics.median(
                float(timed(str(interpreter.python), script, plain)[1]) for _ in range(5)
            )
            wrapped = statistics.median(
                float(timed(str(interpreter.python), script, traced)[1]) for _ in range(5)
            )
            rows["uncontended with-lock"] = {"untraced_ns": raw, "traced_ns": wrapped}
        drain.close()
    for interpreter_id, rows in results.items():
        print(f"\nPython {interpreter_id}")
        for name, row in rows.items():
            if "ratio" in row:
                print(
                    f"  {name:32} {row['untraced_s'] * 1000:8.0f} ms -> "
                    f"{row['traced_s'] * 1000:8.0f} ms  x{row['ratio']:.3f}  "
                    f"{row['events_per_s']:9.0f} events/s"
                )
            else:
                added = row["traced_ns"] - row["untraced_ns"]
                print(
                    f"  {name:32} {row['untraced_ns']:6.0f} ns -> {row['traced_ns']:6.0f} ns"
                    f"  (+{added:.0f} ns per operation)"
                )
    out = ROOT / "bench" / "results" / "tracing.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps({"repeat": options.repeat, "results": results}, indent=2) + "\n")
    print(f"\nwrote {out}")


if __name__ == "__main__":
    main()
