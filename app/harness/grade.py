"""Grades a learner's solution against an exercise's tests and writes a results document.

Runs inside the learner's interpreter, so it uses the standard library only. The learner's
code is the module `solution`; each test file is a module whose top-level `test_*` functions
run in file order. The document follows the spirit of Exercism's results.json:

    {"version": 1, "status": "pass" | "fail" | "error", "message": str | null,
     "tests": [{"name", "file", "status": "pass" | "fail" | "error", "message", "output",
                "duration_ms"}]}

A test that runs longer than --test-timeout seconds is reported as a likely deadlock, with
the stack of every thread, and the grader stops there (the hung threads cannot be stopped).

Usage: python grade.py --solution solution.py --tests DIR
                       [--out results.json | --results-fd N] [--test-timeout SECONDS]
"""

from __future__ import annotations

import contextlib
import importlib.util
import io
import json
import os
import sys
import threading
import time
import types

VERSION = 1
OUTPUT_LIMIT = 10_000  # characters of captured output kept per test


# Kept lean: every import here is paid on every graded submission. argparse and pathlib cost
# more start-up than the whole of a trivial test run, and traceback is needed only on failure.


def load_module(name: str, path: str) -> types.ModuleType:
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def failure_message(error: BaseException) -> str:
    if isinstance(error, AssertionError):
        return str(error) or "assertion failed: " + _failing_line(error)
    return f"{type(error).__name__}: {error}"


def _failing_line(error: BaseException) -> str:
    import traceback

    frames = traceback.extract_tb(error.__traceback__)
    return (frames[-1].line or "").strip() if frames else ""


def thread_stacks() -> str:
    """Every thread's name and stack, innermost call last, for a report of a hang."""
    import traceback

    names = {t.ident: t.name for t in threading.enumerate()}
    me = threading.get_ident()
    parts = []
    for ident, frame in sys._current_frames().items():
        if ident == me:
            continue
        stack = "".join(traceback.format_stack(frame))
        parts.append(f"Thread {names.get(ident, ident)!r}:\n{stack}")
    return "\n".join(parts)


class Watchdog:
    """Reports the running test as hung once it overstays its time, then ends the process."""

    def __init__(self, timeout: float, report: Report) -> None:
        self.timeout, self.report = timeout, report
        self.current: tuple[types.FunctionType, str, float] | None = None
        self.cond = threading.Condition()
        threading.Thread(target=self.watch, name="grader-watchdog", daemon=True).start()

    def begin(self, function: types.FunctionType, file_name: str) -> None:
        with self.cond:
            self.current = (function, file_name, time.monotonic())
            self.cond.notify()

    def end(self) -> None:
        with self.cond:
            self.current = None

    def watch(self) -> None:
        while True:
            with self.cond:
                while self.current is None:
                    self.cond.wait()
                function, file_name, started = self.current
                left = started + self.timeout - time.monotonic()
                if left > 0:
                    self.cond.wait(left)
                    continue
            self.report.tests.append(
                {
                    "name": function.__name__,
                    "file": file_name,
                    "status": "error",
                    "message": f"did not finish within {self.timeout:g} s: the threads are "
                    "probably deadlocked or waiting for something that never happens. "
                    "Where each thread was:\n" + thread_stacks(),
                    "output": "",
                    "duration_ms": round(self.timeout * 1000, 1),
                }
            )
            self.report.finish("error", f"{function.__name__} did not finish (deadlock?)")
            os._exit(1)


def run_test(function: types.FunctionType, file_name: str) -> dict[str, object]:
    output = io.StringIO()
    started = time.perf_counter()
    status, message = "pass", None
    try:
        with contextlib.redirect_stdout(output), contextlib.redirect_stderr(output):
            function()
    except AssertionError as error:
        status, message = "fail", failure_message(error)
    except Exception as error:
        status, message = "error", failure_message(error)
    text = output.getvalue()
    if len(text) > OUTPUT_LIMIT:
        text = text[:OUTPUT_LIMIT] + f"\n[output truncated at {OUTPUT_LIMIT} characters]"
    return {
        "name": function.__name__,
        "file": file_name,
        "status": status,
        "message": message,
        "output": text,
        "duration_ms": round((time.perf_counter() - started) * 1000, 1),
    }


class Report:
    """The results document, written once, to a file or a pipe the runner reads."""

    def __init__(self, out: str | None, fd: int | None) -> None:
        self.out, self.fd = out, fd
        self.tests: list[dict[str, object]] = []
        self.lock = threading.Lock()
        self.written = False

    def finish(self, status: str, message: str | None) -> dict[str, object]:
        document: dict[str, object] = {
            "version": VERSION,
            "status": status,
            "message": message,
            "tests": self.tests,
        }
        with self.lock:
            if self.written:
                return document
            self.written = True
            data = json.dumps(document, indent=2)
            if self.fd is not None:
                with os.fdopen(self.fd, "w") as pipe:
                    pipe.write(data)
            elif self.out is not None:
                with open(self.out, "w") as file:
                    file.write(data)
            else:
                print(data)
        return document


def grade(solution: str, tests_dir: str, report: Report, test_timeout: float) -> dict[str, object]:
    # Both folders go on sys.path and modules keep their file names, so that processes started
    # with spawn or forkserver can import `solution` and the test modules by name.
    sys.path[:0] = [os.path.dirname(solution), tests_dir]
    try:
        load_module("solution", solution)
    except BaseException as error:  # a SystemExit or a syntax error in the learner's code
        import traceback

        detail = "".join(traceback.format_exception_only(type(error), error)).strip()
        return report.finish("error", f"solution.py: {detail}")
    watchdog = Watchdog(test_timeout, report)
    names = [n for n in os.listdir(tests_dir) if n.startswith("test_") and n.endswith(".py")]
    for file_name in sorted(names, key=_visible_first):
        module = load_module(file_name[:-3], os.path.join(tests_dir, file_name))
        for name, function in vars(module).items():
            if name.startswith("test_") and isinstance(function, types.FunctionType):
                watchdog.begin(function, file_name)
                result = run_test(function, file_name)
                watchdog.end()
                report.tests.append(result)
    statuses = {str(r["status"]) for r in report.tests}
    status = "error" if "error" in statuses else "fail" if "fail" in statuses else "pass"
    if not report.tests:
        return report.finish("error", "no tests found")
    passed = sum(r["status"] == "pass" for r in report.tests)
    return report.finish(status, f"{passed} of {len(report.tests)} tests passed")


def _visible_first(name: str) -> tuple[int, str]:
    return (0 if name == "test_visible.py" else 1, name)


USAGE = (
    "usage: grade.py --solution FILE --tests DIR "
    "[--out FILE | --results-fd N] [--test-timeout SECONDS]"
)


def parse_options(argv: list[str]) -> dict[str, str]:
    """--name value pairs; the harness takes no other form of argument."""
    if len(argv) % 2 or not all(a.startswith("--") for a in argv[::2]):
        raise SystemExit(USAGE)
    options = dict(zip((a[2:] for a in argv[::2]), argv[1::2], strict=True))
    if not {"solution", "tests"} <= options.keys() or not options.keys() <= {
        "solution",
        "tests",
        "out",
        "results-fd",
        "test-timeout",
    }:
        raise SystemExit(USAGE)
    return options


def main() -> int:
    options = parse_options(sys.argv[1:])
    fd = options.get("results-fd")
    report = Report(options.get("out"), int(fd) if fd is not None else None)
    document = grade(
        os.path.abspath(options["solution"]),
        os.path.abspath(options["tests"]),
        report,
        float(options.get("test-timeout", 10.0)),
    )
    return 0 if document["status"] == "pass" else 1


if __name__ == "__main__":
    sys.exit(main())
