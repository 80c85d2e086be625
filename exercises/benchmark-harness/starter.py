import statistics
import time
from dataclasses import dataclass


@dataclass(frozen=True)
class Timing:
    """What measure() found out about one variant of a benchmark."""

    label: str
    times: tuple[float, ...]  # seconds, one per timed repeat, in the order they ran
    median: float  # statistics.median(times)
    result: object  # what the last timed call returned, to check the variants agree


def measure(label, run, *, repeats=5, warmup=1):
    """Time run() once.

    One measurement is at the mercy of whatever else the machine was doing at that moment,
    and the first call also pays for warming up. Call run() `warmup` times untimed, then
    `repeats` times, each timed on its own, and report the median.
    """
    start = time.time()
    result = run()
    elapsed = time.time() - start
    return Timing(label, (elapsed,), statistics.median([elapsed]), result)


PARTIAL_BLOCKS = ["", "▏", "▎", "▍", "▌", "▋", "▊", "▉"]  # 1/8 to 7/8 of a cell


def bar_chart(timings, *, baseline=None, width=40):
    """One line per timing with its label and median; the bars and speedups are missing."""
    return "\n".join(f"{timing.label} {timing.median:.3f} s" for timing in timings)
