# Wrong: one threading.local at module level is shared by every ConnectionPerThread object,
# so a thread gets the same connection from two different helpers (and their connect()s).
import threading

_local = threading.local()


class ConnectionPerThread:
    def __init__(self, connect):
        self._connect = connect
        self._opened = []
        self._lock = threading.Lock()

    def get(self):
        connection = getattr(_local, "connection", None)
        if connection is None:
            connection = self._connect()
            _local.connection = connection
            with self._lock:
                self._opened.append(connection)
        return connection

    def close_all(self):
        global _local
        with self._lock:
            opened, self._opened = self._opened, []
            _local = threading.local()
        for connection in opened:
            connection.close()
