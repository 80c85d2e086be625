"""Further tests: the deadline, timeouts, backoff without a connection, a failing start.

The local site is the one of test_visible.py.
"""

import http.server
import os
import threading
import time

from solution import crawl

for variable in ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy"):
    os.environ.pop(variable, None)  # the server is local: no proxy may get in the way


class Site:
    """A local web site for one test; use it in a with block.

    pages maps a path to a dict with any of: "delay" (seconds before answering), "links"
    (hrefs on the page), "fail" (answer 500 to the first N requests), "status" (always answer
    that error code), "hang" (never answer until the test ends).
    """

    def __init__(self, pages):
        self.pages = pages
        self.lock = threading.Lock()
        self.in_flight = 0
        self.peak = 0
        self.log = []  # (path, start, end) of every request, times from time.monotonic()
        self.released = threading.Event()
        site = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                site.answer(self)

            def log_message(self, *args):
                pass

        class Server(http.server.ThreadingHTTPServer):
            request_queue_size = 64

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
        path = request.path
        page = self.pages.get(path)
        start = time.monotonic()
        if page is not None and page.get("hang"):  # not counted in flight: the client gives up
            with self.lock:
                self.log.append((path, start, start))
            self.released.wait(5)
            return
        with self.lock:
            earlier = sum(1 for logged, _, _ in self.log if logged == path)
            self.in_flight += 1
            self.peak = max(self.peak, self.in_flight)
        try:
            time.sleep(page.get("delay", 0) if page else 0)
        finally:
            with self.lock:  # before the reply, so a client's next request cannot overlap it
                self.in_flight -= 1
                self.log.append((path, start, time.monotonic()))
        if page is None:
            request.send_error(404)
        elif "status" in page:
            request.send_error(page["status"])
        elif earlier < page.get("fail", 0):
            request.send_error(500)
        else:
            links = "".join(f'<a href="{href}">{href}</a>\n' for href in page.get("links", []))
            body = f"<html><body>\n{links}</body></html>\n".encode()
            request.send_response(200)
            request.send_header("Content-Type", "text/html")
            request.send_header("Content-Length", str(len(body)))
            request.end_headers()
            request.wfile.write(body)

    def requests_for(self, path):
        """(start, end) of each request for path, in order."""
        with self.lock:
            return sorted((start, end) for logged, start, end in self.log if logged == path)

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.released.set()
        self.server.shutdown()
        self.server.server_close()


_hung = []


def call_with_deadline(function, seconds=5.0):
    """Run function() in a daemon thread; fail if it has not returned within `seconds`."""
    assert not _hung, "not run: an earlier crawl never returned (see the first failure)"
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
        f"crawl did not return within {seconds} s: does every request have a timeout, and "
        "does the crawl stop once no page is left to visit?"
    )
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"], outcome["elapsed"]


def test_the_deadline_ends_the_crawl():
    pages = {"/": {"links": [f"/p{n}" for n in range(30)]}}
    pages.update({f"/p{n}": {"delay": 0.2} for n in range(30)})
    with Site(pages) as site:
        before = set(threading.enumerate())
        started = time.monotonic()
        result, elapsed = call_with_deadline(
            lambda: crawl(site.url("/"), max_connections=2, workers=4, timeout=1, deadline=0.7)
        )
        left = [
            t.name
            for t in threading.enumerate()
            if t not in before
            and "process_request_thread" not in t.name
            and t.is_alive()
            and "runner" not in t.name
        ]
        late = [path for path, start, _ in site.log if start > started + 0.9]
    assert elapsed < 1.3, (
        f"with deadline=0.7 the crawl took {elapsed:.2f} s (30 pages of 0.2 s over 2 "
        "connections need 3 s). At the deadline, stop: start no new request, cancel the "
        "visits still queued, and wake the ones waiting"
    )
    assert not late, f"requests started after the deadline: {late}"
    assert len(result) == 31, (
        f"crawl returned {len(result)} pages; every page found (31) must be in the result, "
        "fetched or not"
    )
    fetched = [p for p in result.values() if p.status == 200]
    unfetched = [p for p in result.values() if p.status != 200]
    assert fetched and unfetched, f"{len(fetched)} pages fetched, {len(unfetched)} not"
    assert all(p.error and "deadline" in p.error for p in unfetched), (
        "the pages not fetched must say why: error 'deadline exceeded'; got "
        f"{sorted({p.error for p in unfetched}, key=str)}"
    )
    assert not left, f"threads still alive after crawl returned: {left}"


def test_a_page_that_never_answers_times_out_and_is_retried():
    pages = {"/": {"links": ["/hang", "/ok"]}, "/hang": {"hang": True}, "/ok": {}}
    with Site(pages) as site:
        result, elapsed = call_with_deadline(
            lambda: crawl(site.url("/"), timeout=0.2, retries=1, backoff=0.05)
        )
        hang_requests = len(site.requests_for("/hang"))
    page = result[site.url("/hang")]
    assert page.status is None and page.error and "timed out" in page.error.lower(), (
        f"/hang never answers: expected no status and a 'timed out' error, got "
        f"status={page.status!r}, error={page.error!r}"
    )
    assert page.attempts == 2 and hang_requests == 2, (
        f"a timeout is worth retrying: with retries=1 expected 2 attempts, got "
        f"{page.attempts} (the server saw {hang_requests})"
    )
    assert result[site.url("/ok")].status == 200
    assert elapsed < 1.5, f"the crawl took {elapsed:.2f} s with timeout=0.2"


def test_waiting_to_retry_does_not_hold_a_connection():
    others = [f"/o{n}" for n in range(6)]
    pages = {"/": {"links": ["/flaky", *others]}, "/flaky": {"fail": 1}}
    pages.update({path: {"delay": 0.1} for path in others})
    with Site(pages) as site:
        result, _ = call_with_deadline(
            lambda: crawl(site.url("/"), max_connections=1, workers=8, retries=1, backoff=0.4)
        )
        flaky = site.requests_for("/flaky")
        firsts = [site.requests_for(path)[0][0] for path in others]
    assert result[site.url("/flaky")].status == 200 and len(flaky) == 2, (
        f"/flaky fails once: expected success on the second attempt, got {len(flaky)} requests"
    )
    pause_start, pause_end = flaky[0][1], flaky[1][0]
    during = [t for t in firsts if pause_start <= t <= pause_end]
    after = [t for t in firsts if t > pause_end]
    assert during or not after, (
        f"while /flaky waited {pause_end - pause_start:.2f} s to retry, no other request was "
        f"made, although {len(after)} page(s) were waiting for a connection "
        "(max_connections=1). Release the connection before sleeping between attempts."
    )


def test_a_start_page_that_keeps_failing():
    with Site({"/": {"status": 503}}) as site:
        result, _ = call_with_deadline(
            lambda: crawl(site.url("/"), retries=1, backoff=0.05, timeout=1)
        )
    assert list(result) == [site.url("/")], f"pages: {list(result)}"
    page = result[site.url("/")]
    assert page.attempts == 2 and page.status == 503 and "503" in (page.error or ""), (
        f"the start page answers 503: expected 2 attempts (retries=1) and an error mentioning "
        f"503, got attempts={page.attempts}, status={page.status}, error={page.error!r}"
    )
