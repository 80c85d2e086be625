"""Grades a learner's solution against an exercise's tests and writes a results document.

Runs inside the learner's interpreter, so it uses the standard library only. The learner's
code is the module `solution`; each test file is a module whose top-level `test_*` functions
run in file order. The document follows the spirit of Exercism's results.json:

    {"version": 1, "status": "pass" | "fail" | "error", "message": str | null,
     "tests": [{"name", "file", "status": "pass" | "fail" | "error", "message", "output",
                "duration_ms"}]}

Usage: python grade.py --solution solution.py --tests DIR [--out results.json]
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import io
import json
import sys
import time
import traceback
import types
from pathlib import Path

VERSION = 1
OUTPUT_LIMIT = 10_000  # characters of captured output kept per test


def load_module(name: str, path: Path) -> types.ModuleType:
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
    frames = traceback.extract_tb(error.__traceback__)
    return (frames[-1].line or "").strip() if frames else ""


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


def grade(solution: Path, tests_dir: Path) -> dict[str, object]:
    sys.path.insert(0, str(solution.parent))
    try:
        load_module("solution", solution)
    except BaseException as error:  # a SystemExit or a syntax error in the learner's code
        detail = "".join(traceback.format_exception_only(type(error), error)).strip()
        return {
            "version": VERSION,
            "status": "error",
            "message": f"solution.py: {detail}",
            "tests": [],
        }
    results = []
    for test_file in sorted(tests_dir.glob("test_*.py"), key=_visible_first):
        module = load_module(f"tests_{test_file.stem}", test_file)
        for name, function in vars(module).items():
            if name.startswith("test_") and isinstance(function, types.FunctionType):
                results.append(run_test(function, test_file.name))
    statuses = {str(r["status"]) for r in results}
    status = "error" if "error" in statuses else "fail" if "fail" in statuses else "pass"
    if not results:
        status = "error"
    passed = sum(r["status"] == "pass" for r in results)
    return {
        "version": VERSION,
        "status": status,
        "message": f"{passed} of {len(results)} tests passed" if results else "no tests found",
        "tests": results,
    }


def _visible_first(path: Path) -> tuple[int, str]:
    return (0 if path.stem == "test_visible" else 1, path.name)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--solution", type=Path, required=True)
    parser.add_argument("--tests", type=Path, required=True)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    document = grade(args.solution.resolve(), args.tests.resolve())
    text = json.dumps(document, indent=2)
    if args.out:
        args.out.write_text(text)
    else:
        print(text)
    return 0 if document["status"] == "pass" else 1


if __name__ == "__main__":
    sys.exit(main())
