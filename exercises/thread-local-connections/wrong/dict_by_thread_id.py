# Wrong: connections are kept in a dict keyed by threading.get_ident(). Identifiers are reused
# once a thread has ended, so a new thread can be handed a dead thread's connection.
import threading


class ConnectionPerThread:
    def __init__(self, connect):
        self._connect = connect
        self._by_thread = {}
        self._lock = threading.Lock()

    def get(self):
        ident = threading.get_ident()
        with self._lock:
            if ident not in self._by_thread:
                self._by_thread[ident] = self._connect()
            return self._by_thread[ident]

    def close_all(self):
        with self._lock:
            opened, self._by_thread = list(self._by_thread.values()), {}
        for connection in opened:
            connection.close()
