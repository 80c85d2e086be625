"""Further tests: the median (not the mean) of separately timed, non-overlapping repeats,
the result, the arguments, speedups against a chosen baseline and partial blocks."""

import re
import threading
import time

from solution import Timing, bar_chart, measure

BLOCKS = {"█": 8, "▉": 7, "▊": 6, "▋": 5, "▌": 4, "▍": 3, "▎": 2, "▏": 1}
LINE = re.compile(
    r"^(?P<label>\S.*?) +(?P<bar>[█▉▊▋▌▍▎▏]+) +(?P<median>\d+\.\d{3}) s +(?P<speedup>\S+)x$"
)


def parse(chart, count):
    """Split a chart into (label, bar length in eighths, median text, speedup)."""
    lines = chart.splitlines()
    assert len(lines) == count, f"expected {count} lines, one per timing, got:\n{chart}"
    rows = []
    for line in lines:
        found = LINE.match(line)
        assert found, f"this line does not read 'label  bar  0.123 s  4.00x':\n{line!r}"
        eighths = sum(BLOCKS[c] for c in found["bar"])
        rows.append((found["label"], eighths, found["median"], float(found["speedup"])))
    return rows


def sleeper(durations):
    calls = []

    def run():
        calls.append(time.perf_counter())
        time.sleep(durations[min(len(calls) - 1, len(durations) - 1)])
        return len(calls)

    return run, calls


def fake(label, median):
    return Timing(label, (median,), median, None)


def test_the_median_resists_one_outlier():
    # warm-up, then five repeats of which the third is disturbed (another job ran meanwhile)
    run, _ = sleeper([0.0, 0.01, 0.01, 0.25, 0.01, 0.01])
    timing = measure("outlier", run, repeats=5, warmup=1)
    assert timing.median < 0.05, (
        f"one disturbed repeat of 0.25 s among four of 0.01 s moved the result to "
        f"{timing.median:.3f} s: report the median (statistics.median), not the mean"
    )
    assert timing.times[2] >= 0.25 and max(timing.times[:2]) < 0.2, (
        f"timing.times = {[round(t, 3) for t in timing.times]}: keep the repeats in the order "
        "they ran, each timed on its own"
    )


def test_each_repeat_is_timed_on_its_own():
    run, _ = sleeper([0.0, 0.01, 0.06, 0.01, 0.06, 0.01])
    timing = measure("alternating", run, repeats=5, warmup=1)
    short, long = timing.times[0::2], timing.times[1::2]
    assert max(short) < 0.05 and min(long) >= 0.06, (
        f"the repeats take 0.01, 0.06, 0.01, 0.06, 0.01 s, but times = "
        f"{[round(t, 3) for t in timing.times]}: time every call separately (dividing the "
        "total by the number of repeats hides the spread)"
    )


def test_repeats_run_one_after_the_other():
    lock = threading.Lock()
    active, most = [0], [0]

    def run():
        with lock:
            active[0] += 1
            most[0] = max(most[0], active[0])
        time.sleep(0.02)
        with lock:
            active[0] -= 1

    measure("exclusive", run, repeats=4, warmup=1)
    assert most[0] == 1, (
        f"{most[0]} calls of run() were running at the same time. Repeats that overlap "
        "compete for the CPU and for the GIL and measure each other, not the code: run them "
        "one after the other"
    )


def test_the_result_is_the_last_timed_call():
    run, _ = sleeper([0.0])
    timing = measure("result", run, repeats=3, warmup=2)
    assert timing.result == 5, (
        f"timing.result is {timing.result!r}: it must be what the last call of run() "
        "returned (the fifth call here), so the variants' answers can be compared"
    )


def test_repeats_must_be_positive_and_warmup_may_be_zero():
    try:
        measure("nothing", lambda: None, repeats=0)
    except ValueError:
        pass
    else:
        raise AssertionError("measure(..., repeats=0) must raise ValueError: no median of nothing")
    run, calls = sleeper([0.0])
    timing = measure("no warm-up", run, repeats=2, warmup=0)
    assert len(calls) == 2 and len(timing.times) == 2, (
        f"warmup=0, repeats=2 made {len(calls)} calls and {len(timing.times)} timings"
    )


def test_speedups_are_relative_to_the_baseline():
    timings = [fake("serial", 1.2), fake("threads", 0.3), fake("processes", 0.4)]
    rows = parse(bar_chart(timings), 3)
    assert [row[3] for row in rows] == [1.0, 4.0, 3.0], (
        f"speedups {[row[3] for row in rows]}, expected [1.0, 4.0, 3.0]: the speedup of a "
        "variant is the baseline's median divided by its own (bigger means faster)"
    )
    rows = parse(bar_chart(timings, baseline="threads"), 3)
    assert [row[3] for row in rows] == [0.25, 1.0, 0.75], (
        f"with baseline='threads' the speedups should be [0.25, 1.0, 0.75], got "
        f"{[row[3] for row in rows]}"
    )


def test_bars_use_eighth_blocks_and_another_width():
    timings = [fake("a", 1.0), fake("bb", 0.53), fake("ccc", 0.001)]
    chart = bar_chart(timings, width=10)
    rows = parse(chart, 3)
    lengths = [row[1] for row in rows]
    assert abs(lengths[0] - 80) <= 1 and abs(lengths[1] - 42) <= 1, (
        f"with width=10 the bars should be 80 and about 42 eighths long, got {lengths}: use "
        f"the partial blocks ▏▎▍▌▋▊▉ for the last fraction of a cell\n{chart}"
    )
    assert lengths[2] >= 1, f"a bar for a tiny but non-zero median must still show:\n{chart}"
    columns = {LINE.match(line).start("median") for line in chart.splitlines()}
    assert len(columns) == 1, f"pad every bar to the chart width, so the numbers line up:\n{chart}"
