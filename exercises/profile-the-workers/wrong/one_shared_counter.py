# Wrong: one profile function for all threads (threading.setprofile_all_threads) with one
# shared Counter. Every worker's report holds everybody's calls, so the hot function of one
# worker shows up in all of them.
import threading
import time
from collections import Counter


def profile_threads(tasks):
    report = {}
    calls = Counter()
    calls_lock = threading.Lock()

    def count_calls(frame, event, arg):
        if event == "call":
            with calls_lock:
                calls[frame.f_code.co_name] += 1

    def run(name, task):
        wall0, cpu0 = time.perf_counter(), time.thread_time()
        task()
        report[name] = {
            "wall": time.perf_counter() - wall0,
            "cpu": time.thread_time() - cpu0,
            "calls": calls,
        }

    threading.setprofile_all_threads(count_calls)
    try:
        threads = [threading.Thread(target=run, args=item) for item in tasks.items()]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        threading.setprofile_all_threads(None)
    return report
