# Wrong: the tasks run one after another in the calling thread. The profile is right, but the
# tasks no longer run at the same time, so the whole call takes the sum of their times.
import sys
import time
from collections import Counter


def profile_threads(tasks):
    report = {}
    for name, task in tasks.items():
        calls = Counter()

        def count_calls(frame, event, arg, calls=calls):
            if event == "call":
                calls[frame.f_code.co_name] += 1

        wall0, cpu0 = time.perf_counter(), time.thread_time()
        sys.setprofile(count_calls)
        try:
            task()
        finally:
            sys.setprofile(None)
        report[name] = {
            "wall": time.perf_counter() - wall0,
            "cpu": time.thread_time() - cpu0,
            "calls": calls,
        }
    return report
