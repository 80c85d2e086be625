# Wrong: no SIGTERM handler. It waits for KeyboardInterrupt (Ctrl+C, SIGINT), but a service
# manager stops services with SIGTERM, whose default action kills the process on the spot.
import queue
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

    threads = [threading.Thread(target=worker) for _ in range(workers)]
    for thread in threads:
        thread.start()
    try:
        while not stop.is_set():
            stop.wait(0.1)
    except KeyboardInterrupt:
        stop.set()
    for thread in threads:
        thread.join()
    return handled
