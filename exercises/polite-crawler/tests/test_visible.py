"""Tests you can see: every page once, a bounded number of connections, retries with backoff.

Each test starts a small web site of its own on 127.0.0.1, in a thread of this process. Its
pages are described by a dict: path -> how the page behaves (delay, links, failures). The
server records every request it receives (path, start, end) and the number in flight.
"""

import http.server
import itertools
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


def test_every_reachable_page_is_fetched_once():
    pages = {
        "/": {"links": ["/a", "/b", "/c#top", "http://elsewhere.invalid/x"]},
        "/a": {"links": ["/b", "/"]},
        "/b": {"links": ["d"]},  # relative to /b: /d
        "/c": {},
        "/d": {"links": ["/a", "/e"]},
        "/e": {},
        "/orphan": {},  # no page links here
    }
    with Site(pages) as site:
        result, _ = call_with_deadline(lambda: crawl(site.url("/"), max_connections=2))
        counts = {path: len(site.requests_for(path)) for path in pages}
    expected = {site.url(p) for p in ["/", "/a", "/b", "/c", "/d", "/e"]}
    assert set(result) == expected, (
        f"crawl returned pages for {sorted(result)}, expected {sorted(expected)}: follow the "
        "links (absolute, joined to the page's URL, without #fragments) that stay on the "
        "start page's site, and visit each page once"
    )
    assert all(counts[p] == 1 for p in ["/", "/a", "/b", "/c", "/d", "/e"]), (
        f"requests per page: {counts}; every page must be requested exactly once, even when "
        "several pages link to it"
    )
    root = result[site.url("/")]
    assert root.links == [site.url("/a"), site.url("/b"), site.url("/c")], (
        f"the links of the start page are {root.links}; expected /a, /b and /c as absolute "
        "URLs, in page order, without the fragment and without the other site's link"
    )
    for page in result.values():
        assert (page.status, page.error, page.attempts) == (200, None, 1), (
            f"{page.url}: status={page.status}, error={page.error!r}, attempts={page.attempts}"
        )


def test_connections_are_limited_but_overlap():
    pages = {"/": {"links": [f"/p{n}" for n in range(12)]}}
    pages.update({f"/p{n}": {"delay": 0.15} for n in range(12)})
    with Site(pages) as site:
        result, elapsed = call_with_deadline(
            lambda: crawl(site.url("/"), max_connections=3, workers=8, timeout=2)
        )
        peak = site.peak
    assert len(result) == 13 and all(p.status == 200 for p in result.values()), (
        f"expected 13 pages with status 200, got {[(u, p.status) for u, p in result.items()]}"
    )
    assert peak <= 3, (
        f"the server saw {peak} requests at the same time with max_connections=3 and "
        "workers=8: take a threading.BoundedSemaphore(max_connections) around every request"
    )
    assert peak >= 2 and elapsed < 1.4, (
        f"12 pages of 0.15 s took {elapsed:.2f} s, with at most {peak} request(s) at once; "
        "one at a time takes 1.8 s, three at a time about 0.6 s"
    )


def test_server_errors_are_retried_with_exponential_backoff():
    pages = {
        "/": {"links": ["/flaky", "/broken", "/missing"]},
        "/flaky": {"fail": 2},  # 500, 500, then 200
        "/broken": {"status": 500},
        "/missing": {"status": 404},
    }
    with Site(pages) as site:
        result, _ = call_with_deadline(
            lambda: crawl(site.url("/"), retries=2, backoff=0.1, timeout=1)
        )
        flaky, broken = site.requests_for("/flaky"), site.requests_for("/broken")
        missing = site.requests_for("/missing")
    page = result[site.url("/flaky")]
    assert (page.status, page.error, page.attempts) == (200, None, 3), (
        f"/flaky answers 500 twice, then 200; with retries=2 it must succeed on attempt 3, "
        f"but got status={page.status}, error={page.error!r}, attempts={page.attempts}"
    )
    for name, requests in [("/flaky", flaky), ("/broken", broken)]:
        gaps = [later[0] - earlier[1] for earlier, later in itertools.pairwise(requests)]
        assert len(gaps) == 2 and gaps[0] >= 0.09 and gaps[1] >= 0.18, (
            f"the pauses between the attempts for {name} were "
            f"{[round(g, 3) for g in gaps]} s; with backoff=0.1 wait 0.1 s before the first "
            "retry and 0.2 s before the second (backoff * 2 ** (attempt - 1))"
        )
    page = result[site.url("/broken")]
    assert page.attempts == 3 and page.status == 500 and "500" in (page.error or ""), (
        f"/broken always answers 500: expected 3 attempts and an error mentioning 500, got "
        f"attempts={page.attempts}, status={page.status}, error={page.error!r}"
    )
    page = result[site.url("/missing")]
    assert len(missing) == 1 and page.attempts == 1 and page.status == 404, (
        f"/missing answers 404, which no retry can fix: it was requested {len(missing)} "
        f"times (attempts={page.attempts}). Retry only when there was no response or a 5xx."
    )
