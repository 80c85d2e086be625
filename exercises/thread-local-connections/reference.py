import threading


class ConnectionPerThread:
    """Gives each thread its own connection, opened on first use."""

    def __init__(self, connect):
        self._connect = connect
        self._local = threading.local()  # per object: two helpers never share connections
        self._opened = []  # every connection opened, by any thread, for close_all()
        self._lock = threading.Lock()

    def get(self):
        """Return the calling thread's connection, opening it on the thread's first call."""
        connection = getattr(self._local, "connection", None)
        if connection is None:
            connection = self._connect()  # in the calling thread, once per thread
            self._local.connection = connection
            with self._lock:
                self._opened.append(connection)
        return connection

    def close_all(self):
        """Close every connection opened so far, by any thread."""
        with self._lock:
            opened, self._opened = self._opened, []
            # A new local object is empty in every thread: each opens a fresh connection.
            self._local = threading.local()
        for connection in opened:
            connection.close()
