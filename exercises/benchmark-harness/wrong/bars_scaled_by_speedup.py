# Wrong: the bars are proportional to the speedup instead of the time, so the fastest
# variant gets the longest bar: the chart no longer shows the times it prints.
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
    """Call run() `warmup` times untimed, then `repeats` times, one after the other, timing
    each call on its own with time.perf_counter()."""
    if repeats < 1:
        raise ValueError(f"repeats must be at least 1, not {repeats}")
    if warmup < 0:
        raise ValueError(f"warmup cannot be negative, not {warmup}")
    for _ in range(warmup):
        run()  # fills caches, starts pools, imports lazily: not what we want to time
    times = []
    result = None
    for _ in range(repeats):
        start = time.perf_counter()
        result = run()
        times.append(time.perf_counter() - start)
    return Timing(label, tuple(times), statistics.median(times), result)


PARTIAL_BLOCKS = ["", "▏", "▎", "▍", "▌", "▋", "▊", "▉"]  # 1/8 to 7/8 of a cell


def bar(eighths):
    """A bar `eighths` eighths of a character cell long."""
    return "█" * (eighths // 8) + PARTIAL_BLOCKS[eighths % 8]


def bar_chart(timings, *, baseline=None, width=40):
    """One line per timing: label, a bar proportional to its median, the median, and the
    speedup over the baseline (the first timing unless a label is given)."""
    if not timings:
        return ""
    base = timings[0] if baseline is None else next(t for t in timings if t.label == baseline)
    fastest = min(t.median for t in timings)
    label_width = max(len(t.label) for t in timings)
    lines = []
    for timing in timings:
        eighths = round(fastest / timing.median * width * 8) if timing.median > 0 else 0
        if timing.median > 0:
            eighths = max(eighths, 1)  # a visible sliver, however fast
        speedup = base.median / timing.median if timing.median > 0 else float("inf")
        lines.append(
            f"{timing.label:<{label_width}} {bar(eighths):<{width}} "
            f"{timing.median:.3f} s  {speedup:.2f}x"
        )
    return "\n".join(lines)
