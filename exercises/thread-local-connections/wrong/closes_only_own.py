# Wrong: close_all() only sees the calling thread's threading.local values, so it closes that
# thread's connection and misses the ones other threads opened.
import threading


class ConnectionPerThread:
    def __init__(self, connect):
        self._connect = connect
        self._local = threading.local()

    def get(self):
        connection = getattr(self._local, "connection", None)
        if connection is None:
            connection = self._connect()
            self._local.connection = connection
        return connection

    def close_all(self):
        connection = getattr(self._local, "connection", None)
        if connection is not None:
            connection.close()
            self._local.connection = None
