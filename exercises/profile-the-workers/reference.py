import sys
import threading
import time
from collections import Counter


def profile_threads(tasks):
    """Run every task in its own thread, all at the same time, and profile each thread."""
    report = {}

    def run(name, task):
        calls = Counter()  # one Counter per thread: no lock needed, no mixing

        def count_calls(frame, event, arg):
            if event == "call":  # a Python function was called (not "c_call")
                calls[frame.f_code.co_name] += 1

        wall0, cpu0 = time.perf_counter(), time.thread_time()
        sys.setprofile(count_calls)  # installs it for *this* thread only
        try:
            task()
        finally:
            sys.setprofile(None)
        report[name] = {
            "wall": time.perf_counter() - wall0,
            "cpu": time.thread_time() - cpu0,  # this thread's CPU time, not the process's
            "calls": calls,
        }

    threads = [
        threading.Thread(target=run, args=(name, task), name=f"task-{name}")
        for name, task in tasks.items()
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return report
