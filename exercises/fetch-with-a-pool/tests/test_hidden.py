"""Further tests: refused connections, bad URLs, one worker, parallel timeouts, threads.

The local server is the one of test_visible.py.
"""

import http.server
import os
import socket
import threading
import time
import urllib.parse

from solution import fetch_all

for variable in ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy"):
    os.environ.pop(variable, None)  # the server is local: no proxy may get in the way


class Site:
    """A local web server for one test; use it in a with block."""

    def __init__(self):
        self.lock = threading.Lock()
        self.in_flight = 0
        self.peak = 0  # the most requests in flight at once
        self.requests = 0
        self.released = threading.Event()
        site = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                site.answer(self)

            def log_message(self, *args):
                pass

        class Server(http.server.ThreadingHTTPServer):
            request_queue_size = 64  # room for every connection of a burst

            def handle_error(self, request, client_address):
                pass  # a client that gave up (timed out) is not an error here

        self.server = Server(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self.thread.start()
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"

    def url(self, path):
        return self.base + path

    def answer(self, request):
        parts = urllib.parse.urlsplit(request.path)
        query = urllib.parse.parse_qs(parts.query)
        if parts.path == "/hang":  # not counted in flight: the client gives up on it
            self.released.wait(5)
            self.reply(request, 200, b"too late")
            return
        with self.lock:
            self.requests += 1
            self.in_flight += 1
            self.peak = max(self.peak, self.in_flight)
        try:
            time.sleep(float(query.get("delay", ["0"])[0]))
        finally:
            with self.lock:  # before the reply, so a client's next request cannot overlap it
                self.in_flight -= 1
        if parts.path.startswith("/page/"):
            self.reply(request, 200, f"page {parts.path[6:]}".encode())
        elif parts.path.startswith("/status/"):
            request.send_error(int(parts.path[8:]))
        else:
            request.send_error(404)

    @staticmethod
    def reply(request, status, body):
        request.send_response(status)
        request.send_header("Content-Type", "text/plain")
        request.send_header("Content-Length", str(len(body)))
        request.end_headers()
        request.wfile.write(body)

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.released.set()
        self.server.shutdown()
        self.server.server_close()


_hung = []


def call_with_deadline(function, seconds=3.0):
    """Run function() in a daemon thread; fail if it has not returned within `seconds`."""
    assert not _hung, "not run: an earlier fetch_all never returned (see the first failure)"
    outcome = {}

    def runner():
        started = time.perf_counter()
        try:
            outcome["value"] = function()
        except BaseException as error:  # handed to the test
            outcome["error"] = error
        outcome["elapsed"] = time.perf_counter() - started

    thread = threading.Thread(target=runner, daemon=True)
    thread.start()
    thread.join(seconds)
    if thread.is_alive():
        _hung.append(True)
    assert not thread.is_alive(), (
        f"fetch_all did not return within {seconds} s. Does every request have a timeout "
        "(opener.open(url, timeout=timeout))? Without one, a server that never answers "
        "keeps a thread waiting for ever."
    )
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"], outcome["elapsed"]


def closed_port_url():
    """A URL on a local port where nothing listens, so the connection is refused."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}/page/nobody"


def test_a_refused_connection_is_an_error_for_that_url_only():
    with Site() as site:
        urls = [site.url("/page/1"), closed_port_url(), site.url("/page/2")]
        results, _ = call_with_deadline(lambda: fetch_all(urls, workers=2, timeout=1))
    refused = results[1]
    assert refused.status is None and refused.error, (
        f"a refused connection gave status={refused.status!r}, error={refused.error!r}: "
        "expected no status and a description of the error (URLError has it in .reason)"
    )
    assert [results[0].status, results[2].status] == [200, 200], "the other URLs must succeed"


def test_a_url_that_cannot_be_requested_is_an_error_too():
    with Site() as site:
        urls = ["not a url", site.url("/page/ok")]
        results, _ = call_with_deadline(lambda: fetch_all(urls, workers=2, timeout=1))
    assert results[0].status is None and results[0].error, (
        f"'not a url' gave {results[0]!r}: urllib raises ValueError for it; report it as "
        "that URL's error"
    )
    assert results[1].status == 200 and results[1].body == b"page ok"


def test_empty_input_and_repeated_urls():
    assert call_with_deadline(lambda: fetch_all([], workers=3, timeout=1))[0] == []
    with Site() as site:
        url = site.url("/page/same")
        results, _ = call_with_deadline(lambda: fetch_all([url, url, url], workers=2, timeout=1))
        requests = site.requests
    assert [r.body for r in results] == [b"page same"] * 3 and requests == 3, (
        "a URL given three times must be fetched three times, with one result per position"
    )


def test_one_worker_fetches_one_at_a_time():
    with Site() as site:
        urls = [site.url(f"/page/{n}?delay=0.05") for n in range(5)]
        results, _ = call_with_deadline(lambda: fetch_all(urls, workers=1, timeout=1))
        peak = site.peak
    assert [r.status for r in results] == [200] * 5
    assert peak == 1, f"with workers=1 the server saw {peak} requests at once"


def test_timeouts_run_in_parallel_too():
    with Site() as site:
        urls = [site.url("/hang") for _ in range(4)]
        results, elapsed = call_with_deadline(lambda: fetch_all(urls, workers=4, timeout=0.3))
    assert all(r.status is None and r.error for r in results), f"results: {results!r}"
    assert elapsed < 1.0, (
        f"4 requests that each time out after 0.3 s took {elapsed:.2f} s with workers=4: "
        "they should wait at the same time, in 4 threads (about 0.3 s in all)"
    )


def test_many_urls_with_a_larger_pool():
    with Site() as site:
        urls = [site.url(f"/page/{n}?delay=0.05") for n in range(40)]
        results, elapsed = call_with_deadline(lambda: fetch_all(urls, workers=8, timeout=2))
        peak = site.peak
    assert [r.body for r in results] == [f"page {n}".encode() for n in range(40)]
    assert 2 <= peak <= 8, f"with workers=8 the server saw at most {peak} requests at once"
    assert elapsed < 1.5, f"40 requests of 0.05 s with workers=8 took {elapsed:.2f} s"


def test_no_threads_are_left_running():
    with Site() as site:
        before = set(threading.enumerate())
        fetch_all([site.url("/page/1")] * 4, workers=4, timeout=1)
        left = [
            thread.name
            for thread in threading.enumerate()
            if thread not in before and "process_request_thread" not in thread.name
        ]
    assert not left, (
        f"threads still alive after fetch_all returned: {left}; shut the pool down (a with "
        "block does it) before returning"
    )
