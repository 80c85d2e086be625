"""Tests you can see: input order, overlapping requests within the limit, errors, timeouts.

Each test starts a small web server of its own on 127.0.0.1, in a thread of this process:
/page/NAME?delay=S answers "page NAME" after S seconds, /status/CODE answers with that
error code, and /hang never answers until the test ends. The server counts the requests in
flight, so the tests can see how many ran at the same time.
"""

import http.server
import os
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


def test_results_come_back_in_input_order():
    with Site() as site:
        names = ["a", "b", "c", "d", "e", "f"]
        # The first URL is the slowest, so the later ones finish first.
        urls = [
            site.url(f"/page/{name}?delay={0.3 - 0.05 * i:.2f}") for i, name in enumerate(names)
        ]
        results, _ = call_with_deadline(lambda: fetch_all(urls, workers=6, timeout=2))
    assert [r.url for r in results] == urls, (
        "the results are not in the order of the input URLs: result i must belong to urls[i], "
        "whichever request finishes first (executor.map keeps the order; as_completed does not)"
    )
    assert [r.status for r in results] == [200] * 6, f"statuses: {[r.status for r in results]}"
    assert [r.body for r in results] == [f"page {n}".encode() for n in names], (
        f"bodies: {[r.body for r in results]}"
    )
    assert all(r.error is None for r in results), f"errors: {[r.error for r in results]}"


def test_requests_overlap_but_never_exceed_the_workers():
    with Site() as site:
        urls = [site.url(f"/page/{n}?delay=0.2") for n in range(12)]
        results, elapsed = call_with_deadline(lambda: fetch_all(urls, workers=4, timeout=2))
        peak = site.peak
    assert [r.status for r in results] == [200] * 12, f"statuses: {[r.status for r in results]}"
    assert peak <= 4, (
        f"the server saw {peak} requests at the same time with workers=4: never run more "
        "requests at once than `workers` (a ThreadPoolExecutor(max_workers=workers) does it)"
    )
    assert peak >= 3 and elapsed < 1.6, (
        f"12 requests of 0.2 s with workers=4 took {elapsed:.2f} s, and at most {peak} ran at "
        "once; one at a time takes 2.4 s, four at a time about 0.6 s. Run the requests in a "
        "pool of `workers` threads."
    )


def test_http_errors_are_reported_per_url():
    with Site() as site:
        urls = [
            site.url("/page/1"),
            site.url("/status/500"),
            site.url("/status/404"),
            site.url("/page/2"),
        ]
        results, _ = call_with_deadline(lambda: fetch_all(urls, workers=4, timeout=2))
    statuses = [r.status for r in results]
    assert statuses == [200, 500, 404, 200], (
        f"statuses {statuses}, expected [200, 500, 404, 200]: an HTTPError carries the "
        "status in its .code; report it for that URL and carry on with the others"
    )
    assert results[0].error is None and results[3].error is None
    assert results[1].error and "500" in results[1].error, (
        f"the error for the 500 response is {results[1].error!r}: it should mention 500"
    )
    assert results[2].error and "404" in results[2].error, (
        f"the error for the 404 response is {results[2].error!r}: it should mention 404"
    )
    assert results[1].body is None and results[2].body is None, "failed requests have no body"


def test_a_server_that_never_answers_times_out():
    with Site() as site:
        urls = [site.url("/page/x"), site.url("/hang"), site.url("/page/y")]
        results, elapsed = call_with_deadline(lambda: fetch_all(urls, workers=3, timeout=0.3))
    assert elapsed < 1.5, (
        f"fetch_all took {elapsed:.2f} s with timeout=0.3 and one server that never answers"
    )
    hung = results[1]
    assert hung.status is None and hung.error and "timed out" in hung.error.lower(), (
        f"the request to /hang gave status={hung.status!r}, error={hung.error!r}; expected no "
        "status and an error saying it timed out (str() of the TimeoutError)"
    )
    assert [results[0].status, results[2].status] == [200, 200], (
        "the other two URLs must still succeed"
    )
