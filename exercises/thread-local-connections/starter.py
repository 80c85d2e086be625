class ConnectionPerThread:
    """Gives each thread its own connection, opened on first use.

    This version opens a single connection and hands it to every thread, which is exactly
    what must not happen. Keep one connection per thread with threading.local.
    """

    def __init__(self, connect):
        self._connect = connect
        self._connection = None

    def get(self):
        """Return the calling thread's connection, opening it on the thread's first call."""
        if self._connection is None:
            self._connection = self._connect()
        return self._connection

    def close_all(self):
        """Close every connection opened so far, by any thread."""
        if self._connection is not None:
            self._connection.close()
            self._connection = None
