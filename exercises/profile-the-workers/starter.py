import threading
import time
from collections import Counter


def profile_threads(tasks):
    """Run every task in its own thread, all at the same time, and profile each thread.

    This version measures only the wall time. Measure each thread's own CPU time and
    count the Python function calls made in each thread.
    """
    report = {}

    def run(name, task):
        start = time.perf_counter()
        task()
        report[name] = {"wall": time.perf_counter() - start, "cpu": 0.0, "calls": Counter()}

    threads = [threading.Thread(target=run, args=item) for item in tasks.items()]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return report
