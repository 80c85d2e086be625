# Wrong: plain threads store their results, but a task that raises only reaches
# threading.excepthook (printed to stderr); join() returns normally and the caller never sees it.
import threading


def run_all(tasks, *, max_workers=2, fail_fast=False):
    results = {}
    slots = threading.BoundedSemaphore(max_workers)

    def worker(task_id, task):
        with slots:
            results[task_id] = task()

    threads = [threading.Thread(target=worker, args=item) for item in tasks.items()]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return {task_id: results[task_id] for task_id in tasks if task_id in results}
