"""Tests you can see: measure() repeats, excludes the warm-up and times real durations;
bar_chart() draws one scaled, labelled bar per variant."""

import re
import statistics
import time

from solution import Timing, bar_chart, measure

BLOCKS = {"█": 8, "▉": 7, "▊": 6, "▋": 5, "▌": 4, "▍": 3, "▎": 2, "▏": 1}
LINE = re.compile(
    r"^(?P<label>\S.*?) +(?P<bar>[█▉▊▋▌▍▎▏]+) +(?P<median>\d+\.\d{3}) s +(?P<speedup>\S+)x$"
)


def parse(chart, count):
    """Split a chart into (label, bar length in eighths, column of the bar, median, speedup)."""
    lines = chart.splitlines()
    assert len(lines) == count, f"expected {count} lines, one per timing, got:\n{chart}"
    rows = []
    for line in lines:
        found = LINE.match(line)
        assert found, (
            f"this line does not read 'label  bar  0.123 s  4.00x':\n{line!r}\n"
            "(label, a space, the bar, spaces up to the chart width, the median with three "
            "decimals and ' s', then the speedup with two decimals and 'x')"
        )
        eighths = sum(BLOCKS[c] for c in found["bar"])
        rows.append(
            (found["label"], eighths, found.start("bar"), found["median"], float(found["speedup"]))
        )
    return rows


def sleeper(durations):
    """A run() that sleeps for the next duration each call, and counts its calls."""
    calls = []

    def run():
        calls.append(time.perf_counter())
        time.sleep(durations[min(len(calls) - 1, len(durations) - 1)])
        return len(calls)

    return run, calls


def test_warmup_and_repeats_are_all_called_but_only_repeats_are_timed():
    run, calls = sleeper([0.001])
    timing = measure("noop", run, repeats=4, warmup=2)
    assert isinstance(timing, Timing), f"measure() must return a Timing, not {timing!r}"
    assert len(calls) == 6, (
        f"with warmup=2 and repeats=4 run() must be called 6 times, it was called {len(calls)} "
        "time(s). One timing is at the mercy of whatever else the machine was doing."
    )
    assert len(timing.times) == 4, (
        f"timing.times has {len(timing.times)} entries: one per timed repeat (4), warm-up "
        "calls excluded"
    )
    assert timing.label == "noop", f"timing.label is {timing.label!r}, expected 'noop'"


def test_known_durations_are_measured():
    run, _ = sleeper([0.03])
    timing = measure("sleep 30 ms", run, repeats=3, warmup=1)
    for seconds in timing.times:
        assert 0.029 <= seconds < 0.15, (
            f"run() sleeps 0.03 s, but one repeat was timed at {seconds:.4f} s: time each call "
            "on its own, from just before it to just after it, with time.perf_counter()"
        )
    assert timing.median == statistics.median(timing.times), (
        f"timing.median is {timing.median}, but the median of timing.times is "
        f"{statistics.median(timing.times)}"
    )


def test_the_warmup_is_not_timed():
    run, _ = sleeper([0.3, 0.01])  # the first call is slow: cold caches, a pool starting
    timing = measure("cold start", run, repeats=3, warmup=1)
    assert max(timing.times) < 0.2, (
        f"the timed repeats were {[round(t, 3) for t in timing.times]} s: the slow first call "
        "(0.3 s) is the warm-up and must not be timed"
    )


def fake(label, median):
    return Timing(label, (median,), median, None)


def test_the_chart_has_one_scaled_labelled_bar_per_timing():
    timings = [fake("serial", 0.8), fake("threads", 0.2), fake("asyncio", 0.4)]
    chart = bar_chart(timings, width=40)
    rows = parse(chart, 3)
    assert [row[0] for row in rows] == ["serial", "threads", "asyncio"], (
        f"the labels, in order, should be serial, threads, asyncio:\n{chart}"
    )
    assert len({row[2] for row in rows}) == 1, (
        f"the bars must all start in the same column (pad the labels to the longest):\n{chart}"
    )
    lengths = [row[1] for row in rows]
    for (label, eighths, _, _, _), expected in zip(rows, [320, 80, 160], strict=True):
        assert abs(eighths - expected) <= 1, (
            f"the bar of {label!r} is {eighths} eighths of a cell long, expected {expected}: "
            "the longest median gets the full width (40 cells = 320 eighths), the others "
            f"their share of it. Bar lengths found: {lengths}\n{chart}"
        )
    assert [row[3] for row in rows] == ["0.800", "0.200", "0.400"], f"medians wrong:\n{chart}"
