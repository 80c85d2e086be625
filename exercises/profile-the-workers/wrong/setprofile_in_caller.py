# Wrong: sys.setprofile() is called in the main thread, and it only affects the thread that
# calls it. The worker threads run unprofiled, so no worker's calls are ever counted.
import sys
import threading
import time
from collections import Counter


def profile_threads(tasks):
    report = {}
    calls = {name: Counter() for name in tasks}
    current = {}

    def count_calls(frame, event, arg):
        name = current.get(threading.get_ident())
        if event == "call" and name is not None:
            calls[name][frame.f_code.co_name] += 1

    def run(name, task):
        current[threading.get_ident()] = name
        wall0, cpu0 = time.perf_counter(), time.thread_time()
        task()
        report[name] = {
            "wall": time.perf_counter() - wall0,
            "cpu": time.thread_time() - cpu0,
            "calls": calls[name],
        }

    sys.setprofile(count_calls)
    try:
        threads = [threading.Thread(target=run, args=item) for item in tasks.items()]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        sys.setprofile(None)
    return report
