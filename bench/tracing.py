"""What tracing costs: each program's wall time traced ÷ untraced (medians of alternating runs,
same interpreter) with Threadline's agent and, side by side, with VizTracer on the same program;
the nanoseconds the agent adds to an uncontended lock operation; and how many events per second
reach the runner through the FIFO and a viewer through the run's WebSocket. Under both learner
interpreters; the programs run outside the sandbox so that only the tracers are measured.

    .venv/bin/python bench/tracing.py [--repeat 5] [--no-viztracer]

VizTracer is installed from PyPI into a virtual environment of each learner interpreter under
CACHE_DIR/bench (once); without PyPI its columns are left out, with a message. Prints a table
and writes bench/results/tracing.json.
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
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.interpreters import Interpreter, load  # noqa: E402
from app.settings import Settings  # noqa: E402
from app.trace.events import AGENT_DIR, EventReader  # noqa: E402

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
fib(27)
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

# The cost of one uncontended operation, inside a function as learner code usually is.
PER_OPERATION = """
import threading, time
lock = threading.Lock()
def run(n):
    start = time.perf_counter_ns()
    for _ in range(n):
        with lock:
            pass
    middle = time.perf_counter_ns()
    for _ in range(n):
        lock.acquire()
        lock.release()
    return (middle - start) / n, (time.perf_counter_ns() - middle) / n
runs = [run(500_000) for _ in range(5)]
print(min(r[0] for r in runs), min(r[1] for r in runs))
"""

# For events per second: threads handing a lock back and forth, every acquire contended.
CHATTY = """
import threading, time
lock = threading.Lock()
def work():
    end = time.monotonic() + 1.5
    while time.monotonic() < end:
        with lock:
            time.sleep(0.0005)
threads = [threading.Thread(target=work) for _ in range(4)]
for t in threads: t.start()
for t in threads: t.join()
"""


class Drain:
    """Reads the agent's FIFO with the runner's own reader, counting what it parses."""

    def __init__(self, path: Path) -> None:
        self.reader = EventReader(path)
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.read, daemon=True)
        self.thread.start()

    def read(self) -> None:
        while not self.stop.is_set():
            self.reader.read()
            time.sleep(0.005)

    def close(self) -> int:
        self.stop.set()
        self.thread.join()
        self.reader.read()
        self.reader.close()
        return len(self.reader.events) + self.reader.dropped


def viztracer_python(interpreter: Interpreter, cache: Path) -> Path | None:
    """A venv of the learner interpreter with VizTracer from PyPI, made once."""
    venv = cache / "bench" / f"viztracer-{interpreter.id}"
    python = venv / "bin" / "python"
    if python.exists():
        return python
    print(f"installing VizTracer for {interpreter.id} into {venv} ...", flush=True)
    made = subprocess.run([str(interpreter.python), "-m", "venv", "--clear", str(venv)])
    pip = [str(python), "-m", "pip", "install", "--quiet", "viztracer"]
    if made.returncode != 0 or subprocess.run(pip).returncode != 0:
        print(f"  VizTracer could not be installed for {interpreter.id}: its columns are left out")
        return None
    return python


def timed(command: list[str], env: dict[str, str], cwd: Path) -> tuple[float, str]:
    started = time.perf_counter()
    done = subprocess.run(command, env=env, cwd=cwd, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{done.stderr[-2000:]}")
    return time.perf_counter() - started, done.stdout


def measure(
    interpreter: Interpreter, viz: Path | None, work: Path, repeat: int
) -> dict[str, dict[str, float]]:
    plain = {"PATH": os.environ.get("PATH", "/usr/bin"), "LANG": "C.UTF-8"}
    python = str(interpreter.python)
    rows: dict[str, dict[str, float]] = {}
    for name, code in PROGRAMS.items():
        script = work / "program.py"
        script.write_text(code)
        off: list[float] = []
        on: list[float] = []
        vt: list[float] = []
        events = 0
        for number in range(repeat):
            off.append(timed([python, "-s", str(script)], plain, work)[0])
            fifo = work / f"events-{number}"
            drain = Drain(fifo)
            traced = plain | {"PYTHONPATH": str(AGENT_DIR), "THREADLINE_EVENTS": str(fifo)}
            on.append(timed([python, "-s", str(script)], traced, work)[0])
            events += drain.close()
            fifo.unlink()
            if viz is not None:
                command = [str(viz), "-m", "viztracer", "--quiet", "-o", "viz.json", str(script)]
                vt.append(timed(command, plain, work)[0])
        row = {
            "untraced_s": statistics.median(off),
            "traced_s": statistics.median(on),
            "ratio": statistics.median(on) / statistics.median(off),
            "events_per_s": events / sum(on),
        }
        if vt:
            row |= {"viztracer_s": statistics.median(vt)}
            row |= {"viztracer_ratio": statistics.median(vt) / statistics.median(off)}
        rows[name] = row
    script = work / "per_op.py"
    script.write_text(PER_OPERATION)
    fifo = work / "events-per-op"
    drain = Drain(fifo)
    traced = plain | {"PYTHONPATH": str(AGENT_DIR), "THREADLINE_EVENTS": str(fifo)}
    raw: list[list[float]] = []
    wrapped: list[list[float]] = []
    for _ in range(max(repeat, 5)):  # alternating processes, the median of their best loops
        raw.append([float(v) for v in timed([python, "-s", str(script)], plain, work)[1].split()])
        output = timed([python, "-s", str(script)], traced, work)[1]
        wrapped.append([float(v) for v in output.split()])
    drain.close()
    fifo.unlink()
    for number, what in enumerate(("uncontended with-lock", "uncontended acquire/release")):
        rows[what] = {
            "untraced_ns": statistics.median(r[number] for r in raw),
            "traced_ns": statistics.median(r[number] for r in wrapped),
        }
    return rows


def websocket_rate(interpreter_id: str) -> dict[str, float]:
    """Events per second a viewer receives over /ws/runs/{id} from a chatty program."""
    from fastapi.testclient import TestClient

    from app.main import create_app

    with tempfile.TemporaryDirectory() as data:
        settings = Settings(data_dir=Path(data), secret_key="bench", run_wall_seconds=10)
        with TestClient(create_app(settings)) as client:
            page = client.get("/login").text
            token = page.split('name="csrf_token" value="')[1].split('"')[0]
            run = client.post(
                "/api/runs",
                json={"code": CHATTY, "interpreter": interpreter_id},
                headers={"X-CSRF-Token": token},
            ).json()
            events, first, last = 0, 0.0, 0.0
            with client.websocket_connect(f"/ws/runs/{run['id']}") as socket:
                while True:
                    message = socket.receive_json()
                    if message["type"] == "trace" and message.get("events"):
                        now = time.perf_counter()
                        first = first or now
                        last = now
                        events += len(message["events"])
                    elif message["type"] == "status":
                        break
    return {"events": events, "events_per_s": events / max(last - first, 1e-3)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--no-viztracer", action="store_true", help="leave VizTracer out")
    options = parser.parse_args()
    settings = Settings()
    interpreters, _ = load(settings.resolved_interpreters_file)
    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for interpreter in interpreters.values():
            viz = (
                None if options.no_viztracer else viztracer_python(interpreter, settings.cache_dir)
            )
            results[interpreter.id] = measure(interpreter, viz, Path(tmp), options.repeat)
            results[interpreter.id]["websocket"] = websocket_rate(interpreter.id)
    for interpreter_id, rows in results.items():
        print(f"\nPython {interpreter_id}   (wall time: untraced -> Threadline, VizTracer)")
        for name, row in rows.items():
            if "ratio" in row:
                viz = (
                    f"  VizTracer {row['viztracer_s'] * 1000:7.0f} ms x{row['viztracer_ratio']:.2f}"
                    if "viztracer_ratio" in row
                    else ""
                )
                print(
                    f"  {name:30} {row['untraced_s'] * 1000:6.0f} ms -> "
                    f"{row['traced_s'] * 1000:6.0f} ms x{row['ratio']:.3f} "
                    f"({row['events_per_s']:7.0f} events/s){viz}"
                )
            elif "traced_ns" in row:
                added = row["traced_ns"] - row["untraced_ns"]
                print(
                    f"  {name:30} {row['untraced_ns']:6.0f} ns -> {row['traced_ns']:6.0f} ns"
                    f"  (+{added:.0f} ns per operation)"
                )
            else:
                print(f"  {'events through the WebSocket':30} {row['events_per_s']:7.0f} events/s")
    out = ROOT / "bench" / "results" / "tracing.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps({"repeat": options.repeat, "results": results}, indent=2) + "\n")
    print(f"\nwrote {out}")


if __name__ == "__main__":
    main()
