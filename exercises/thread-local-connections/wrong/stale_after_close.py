# Wrong: close_all() closes every connection but leaves them in the threads' local storage,
# so the next get() in those threads returns a closed connection instead of a new one.
import threading


class ConnectionPerThread:
    def __init__(self, connect):
        self._connect = connect
        self._local = threading.local()
        self._opened = []
        self._lock = threading.Lock()

    def get(self):
        connection = getattr(self._local, "connection", None)
        if connection is None:
            connection = self._connect()
            self._local.connection = connection
            with self._lock:
                self._opened.append(connection)
        return connection

    def close_all(self):
        with self._lock:
            opened, self._opened = self._opened, []
        for connection in opened:
            connection.close()
