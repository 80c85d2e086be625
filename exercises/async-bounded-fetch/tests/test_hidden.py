"""Further tests: overlap, parse in a thread, what the timeout covers, every kind of error."""

import asyncio
import threading
import time

from solution import fetch_all


class FakeSite:
    """Serves fetch(url) like a network would, and counts the fetches in flight.

    `pages` maps each url to (seconds, outcome): the fetch waits that long with asyncio.sleep,
    then returns the outcome, or raises it if it is an exception class.
    """

    def __init__(self, pages):
        self.pages = pages
        self.in_flight = 0
        self.peak = 0

    async def fetch(self, url):
        seconds, outcome = self.pages[url]
        self.in_flight += 1
        self.peak = max(self.peak, self.in_flight)
        try:
            await asyncio.sleep(seconds)
        finally:  # also when the fetch is cancelled by a timeout
            self.in_flight -= 1
        if isinstance(outcome, type) and issubclass(outcome, Exception):
            raise outcome(f"fetching {url} failed")
        return outcome


def slow_parse(seconds):
    """A blocking parse: time.sleep() stands for a slow synchronous parser."""

    def parse(body):
        time.sleep(seconds)
        return body.upper()

    return parse


async def heartbeat(gaps, interval=0.01):
    """Tick every `interval` seconds and record the time between ticks."""
    last = time.perf_counter()
    while True:
        await asyncio.sleep(interval)
        now = time.perf_counter()
        gaps.append(now - last)
        last = now


def run_with_deadline(make_coroutine, seconds=5.0):
    """asyncio.run(make_coroutine()) in a daemon thread; fail if it takes over `seconds`."""
    outcome = {}

    def runner():
        try:
            outcome["value"] = asyncio.run(make_coroutine())
        except BaseException as error:
            outcome["error"] = error

    thread = threading.Thread(target=runner, daemon=True)
    thread.start()
    thread.join(seconds)
    assert not thread.is_alive(), f"fetch_all did not finish within {seconds} s"
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]


def timed_fetch_all(urls, site, parse, limit, timeout):
    """Run fetch_all; return (its result, or the exception it raised; seconds it took)."""

    async def scenario():
        start = time.perf_counter()
        try:
            outcome = await fetch_all(urls, site.fetch, parse, limit, timeout)
        except Exception as error:  # handed to the test, which explains it
            outcome = error
        return outcome, time.perf_counter() - start

    return run_with_deadline(scenario)


def test_fetches_and_parses_overlap():
    urls = [f"u{n}" for n in range(6)]
    site = FakeSite({url: (0.2, url) for url in urls})
    got, elapsed = timed_fetch_all(urls, site, slow_parse(0.3), limit=3, timeout=2)
    assert got == [("ok", url.upper()) for url in urls], f"fetch_all returned {got!r}"
    assert elapsed < 1.4, (
        f"6 fetches of 0.2 s (3 at a time) and 6 parses of 0.3 s took {elapsed:.2f} s. "
        "Overlapped they take about 0.7 s (the test allows 1.4 s); one after another 3 s. "
        "Fetch up to `limit` urls at once, and parse each body in a worker thread so that "
        "the parses overlap too."
    )


def test_parse_runs_in_a_worker_thread():
    parsed_in = []

    def parse(body):
        parsed_in.append(threading.get_ident())
        return len(body)

    urls = ["a", "bb", "ccc"]
    site = FakeSite({url: (0.02, url) for url in urls})

    async def scenario():
        loop_thread = threading.get_ident()
        return await fetch_all(urls, site.fetch, parse, 2, 2), loop_thread

    got, loop_thread = run_with_deadline(scenario)
    assert got == [("ok", 1), ("ok", 2), ("ok", 3)], f"fetch_all returned {got!r}"
    assert len(parsed_in) == 3, f"parse was called {len(parsed_in)} times for 3 urls"
    assert loop_thread not in parsed_in, (
        "parse() ran in the event loop's own thread. It is a blocking function: hand it to a "
        "worker thread with asyncio.to_thread(parse, body) or loop.run_in_executor()."
    )


def test_the_timeout_covers_the_fetch_not_the_wait_for_a_place():
    urls = [f"u{n}" for n in range(6)]
    # limit=2: the fetches go in three waves of 0.15 s, the last ending after 0.45 s. Each
    # fetch takes 0.15 s, well within timeout=0.4, so none of them times out.
    site = FakeSite({url: (0.15, url) for url in urls})
    got, _ = timed_fetch_all(urls, site, slow_parse(0), limit=2, timeout=0.4)
    expected = [("ok", url.upper()) for url in urls]
    assert got == expected, (
        f"fetch_all returned {got!r}, expected {expected!r}. Each fetch takes 0.15 s, within "
        "timeout=0.4, but the last ones wait 0.3 s for a place first. The timeout bounds "
        "the fetch alone: start it once the semaphore has let the url in."
    )
    assert site.peak == 2, f"{site.peak} fetches were in flight at once, with limit=2"


def test_errors_of_every_kind_are_reported_per_url():
    def parse(body):
        time.sleep(0.05)
        if body == "not html":
            raise ValueError("cannot parse this body")
        return body.upper()

    site = FakeSite(
        {
            "ok": (0.05, "page ok"),
            "reset": (0.05, ConnectionResetError),
            "hangs": (2.0, "too late"),
            "garbled": (0.05, "not html"),
            "missing": (0.05, FileNotFoundError),
        }
    )
    urls = ["ok", "reset", "hangs", "garbled", "ok", "missing"]
    got, elapsed = timed_fetch_all(urls, site, parse, limit=2, timeout=0.3)
    expected = [
        ("ok", "PAGE OK"),
        ("error", "ConnectionResetError"),
        ("error", "timeout"),
        ("error", "ValueError"),
        ("ok", "PAGE OK"),
        ("error", "FileNotFoundError"),
    ]
    if isinstance(got, BaseException):
        raise AssertionError(
            f"fetch_all raised {type(got).__name__}: {got}. Each url's failure (in fetch, in "
            'parse, or a timeout) must become that url\'s ("error", ...) result; the other '
            "urls carry on."
        )
    assert got == expected, (
        f'fetch_all returned {got!r}, expected {expected!r}: ("error", "timeout") for '
        'the fetch that hangs, ("error", type(exception).__name__) for an exception raised '
        "by fetch or by parse, one result per url (the same url can appear twice)."
    )
    assert elapsed < 1.5, f"fetch_all took {elapsed:.2f} s (the test allows 1.5 s)"


def test_a_hanging_fetch_gives_up_its_place():
    site = FakeSite({"hangs": (2.0, "too late"), "a": (0.05, "page a"), "b": (0.05, "page b")})
    got, elapsed = timed_fetch_all(["hangs", "a", "b"], site, slow_parse(0), 1, timeout=0.3)
    expected = [("error", "timeout"), ("ok", "PAGE A"), ("ok", "PAGE B")]
    assert got == expected, (
        f"with limit=1, fetch_all returned {got!r}, expected {expected!r}: once the hanging "
        "fetch has timed out, its place goes to the next url"
    )
    assert site.peak == 1, f"{site.peak} fetches were in flight at once, with limit=1"
    assert elapsed < 1.5, (
        f"fetch_all took {elapsed:.2f} s; 0.3 s for the timeout and 0.1 s for the others "
        "(the test allows 1.5 s)"
    )


def test_no_urls():
    site = FakeSite({})
    got, _ = timed_fetch_all([], site, slow_parse(0), 3, 1)
    assert got == [], f"for no urls fetch_all returned {got!r}, expected []"
    assert isinstance(got, list), f"return a list, not {type(got).__name__}"
