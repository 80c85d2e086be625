# Wrong: the main thread accepts items into an internal buffer ahead of the workers. On
# SIGTERM the workers finish their current item and stop, and the items waiting in the
# buffer, already taken from the source, are dropped: neither handled nor given back.
import queue
import signal
import threading


def run_service(source, handle, workers=2):
    stop = threading.Event()
    handled = []
    buffer = queue.Queue(maxsize=8)

    def worker():
        while not stop.is_set():
            try:
                item = buffer.get(timeout=0.05)
            except queue.Empty:
                continue
            handle(item)
            handled.append(item)

    previous = signal.signal(signal.SIGTERM, lambda signum, frame: stop.set())
    threads = [threading.Thread(target=worker) for _ in range(workers)]
    try:
        for thread in threads:
            thread.start()
        while not stop.is_set():
            if buffer.full():
                stop.wait(0.01)
                continue
            try:
                buffer.put(source.get(timeout=0.05))  # accept work ahead of time
            except queue.Empty:
                pass
    finally:
        stop.set()
        for thread in threads:
            thread.join()
        signal.signal(signal.SIGTERM, previous)
    return handled
