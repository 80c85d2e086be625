"""Further tests: four workers, nested calls, nothing left installed, independent calls."""

import sys
import threading
import time
from collections import Counter

from solution import profile_threads


def parse(line):
    return line.split(",")


def checksum(fields):
    return sum(len(field) for field in fields)


def handle(line):
    return checksum(parse(line))


def parse_lines():
    for i in range(150):
        handle(f"{i},{i * 2},{i * 3}")


def wait_for_io():
    for _ in range(3):
        time.sleep(0.1)


def spin():
    start = time.thread_time()
    while time.thread_time() - start < 0.15:
        pass


def test_four_workers_nested_calls():
    report = profile_threads(
        {"parser": parse_lines, "io": wait_for_io, "spinner": spin, "idle": lambda: None}
    )
    assert set(report) == {"parser", "io", "spinner", "idle"}, f"keys: {sorted(report)!r}"
    parser = report["parser"]["calls"]
    for function in ("handle", "parse", "checksum"):
        assert parser[function] == 150, (
            f"the parser worker called {function}() 150 times, its report counts {parser[function]}"
        )
    for name in ("io", "spinner", "idle"):
        leaked = {f: report[name]["calls"][f] for f in ("handle", "parse", "checksum")}
        assert not any(leaked.values()), (
            f"worker {name!r} is charged with the parser's calls: {leaked!r}"
        )
    assert report["io"]["cpu"] < 0.08, (
        f"the io worker only slept, but its report says {report['io']['cpu']:.3f} s of CPU time"
    )
    assert report["spinner"]["cpu"] >= 0.13, (
        f"the spinner used 0.15 s of CPU, its report says {report['spinner']['cpu']:.3f} s"
    )


def test_values_have_the_right_types():
    report = profile_threads({"one": parse_lines})
    entry = report["one"]
    assert set(entry) >= {"wall", "cpu", "calls"}, f"the entry has keys {sorted(entry)!r}"
    assert isinstance(entry["wall"], float) and isinstance(entry["cpu"], float), (
        f"wall and cpu must be floats, got {type(entry['wall']).__name__} and "
        f"{type(entry['cpu']).__name__}"
    )
    assert isinstance(entry["calls"], Counter), (
        f"calls must be a collections.Counter, got {type(entry['calls']).__name__}"
    )


def test_no_profile_function_left_installed():
    before = threading.active_count()
    profile_threads({"a": parse_lines, "b": parse_lines})
    assert sys.getprofile() is None, (
        "a profile function is still installed in the calling thread after profile_threads returned"
    )
    seen = []

    def probe():
        seen.append(sys.getprofile())

    thread = threading.Thread(target=probe)
    thread.start()
    thread.join()
    assert seen == [None], (
        "a thread started after profile_threads returned still gets a profile function: "
        "remove it when the tasks are done"
    )
    assert threading.active_count() <= before, "worker threads are still alive"


def test_two_calls_are_independent():
    first = profile_threads({"p": parse_lines})
    second = profile_threads({"p": parse_lines})
    assert first["p"]["calls"]["parse"] == 150 and second["p"]["calls"]["parse"] == 150, (
        f"each call of profile_threads should count 150 parse() calls, got "
        f"{first['p']['calls']['parse']} and {second['p']['calls']['parse']}"
    )
