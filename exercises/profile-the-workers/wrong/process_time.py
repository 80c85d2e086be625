# Wrong: time.process_time() is the CPU time of the whole process, summed over all threads,
# so a sleeping worker is charged with the CPU time its busy neighbour used meanwhile.
import sys
import threading
import time
from collections import Counter


def profile_threads(tasks):
    report = {}

    def run(name, task):
        calls = Counter()

        def count_calls(frame, event, arg):
            if event == "call":
                calls[frame.f_code.co_name] += 1

        wall0, cpu0 = time.perf_counter(), time.process_time()
        sys.setprofile(count_calls)
        try:
            task()
        finally:
            sys.setprofile(None)
        report[name] = {
            "wall": time.perf_counter() - wall0,
            "cpu": time.process_time() - cpu0,
            "calls": calls,
        }

    threads = [threading.Thread(target=run, args=item) for item in tasks.items()]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return report
