# Wrong: on SIGTERM it returns at once. The workers are daemon threads and are not joined, so
# items they were handling are abandoned half-done, and the threads are still running.
import queue
import signal
import threading


def run_service(source, handle, workers=2):
    stop = threading.Event()
    handled = []

    def worker():
        while not stop.is_set():
            try:
                item = source.get(timeout=0.05)
            except queue.Empty:
                continue
            handle(item)
            handled.append(item)

    previous = signal.signal(signal.SIGTERM, lambda signum, frame: stop.set())
    try:
        for _ in range(workers):
            threading.Thread(target=worker, daemon=True).start()
        while not stop.is_set():
            stop.wait(0.1)
    finally:
        signal.signal(signal.SIGTERM, previous)
    return list(handled)
