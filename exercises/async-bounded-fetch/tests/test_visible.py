"""Tests you can see: input order, the limit, a responsive loop, a timeout, a failing fetch."""

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


def test_results_are_in_the_order_of_the_urls():
    urls = [f"u{n}" for n in range(5)]
    # Later urls answer first: u0 takes 0.25 s, u4 0.05 s.
    site = FakeSite({url: (0.05 * (5 - n), f"page {n}") for n, url in enumerate(urls)})
    got, _ = timed_fetch_all(urls, site, slow_parse(0.01), limit=5, timeout=2)
    expected = [("ok", f"PAGE {n}") for n in range(5)]
    assert got == expected, (
        f'fetch_all returned {got!r}, expected {expected!r}: one ("ok", parse(body)) tuple '
        "per url, in the order of the urls, although the later urls finished first. Keep "
        "each result in its url's place (asyncio.gather keeps the order; as_completed does not)."
    )


def test_no_more_than_limit_fetches_at_once():
    urls = [f"u{n}" for n in range(6)]
    site = FakeSite({url: (0.1, url) for url in urls})
    got, _ = timed_fetch_all(urls, site, slow_parse(0), limit=3, timeout=2)
    assert got == [("ok", url.upper()) for url in urls], f"fetch_all returned {got!r}"
    assert site.peak <= 3, (
        f"{site.peak} fetches were in flight at the same moment, with limit=3. Make each "
        "fetch wait for a place: `async with semaphore:` around it, with "
        "semaphore = asyncio.Semaphore(limit)."
    )
    assert site.peak == 3, (
        f"at most {site.peak} fetch(es) were in flight at once, with limit=3 and 6 urls to "
        "fetch: up to the limit, the fetches must run at the same time. Start a task for "
        "every url before awaiting any of them."
    )


def test_the_event_loop_stays_responsive_while_parsing():
    urls = ["a", "b", "c"]
    site = FakeSite({url: (0.05, f"page {url}") for url in urls})

    async def scenario():
        gaps = []
        ticker = asyncio.create_task(heartbeat(gaps))
        await asyncio.sleep(0.02)
        outcome = await fetch_all(urls, site.fetch, slow_parse(0.4), 3, 2)
        await asyncio.sleep(0.03)  # let the heartbeat record a gap that has just ended
        ticker.cancel()
        return outcome, max(gaps)

    got, largest_gap = run_with_deadline(scenario)
    assert got == [("ok", "PAGE A"), ("ok", "PAGE B"), ("ok", "PAGE C")], (
        f"fetch_all returned {got!r}"
    )
    assert largest_gap < 0.25, (
        f"a task that should tick every 10 ms was held up for {largest_gap * 1000:.0f} ms. "
        "parse() blocks (here it calls time.sleep(0.4)); called inside a coroutine it stops "
        "the whole event loop. Run it in a worker thread: await asyncio.to_thread(parse, body)."
    )


def test_a_hanging_fetch_is_reported_as_a_timeout():
    site = FakeSite({"a": (0.02, "page a"), "hangs": (2.0, "too late"), "b": (0.05, "page b")})
    got, elapsed = timed_fetch_all(["a", "hangs", "b"], site, slow_parse(0), 3, timeout=0.3)
    expected = [("ok", "PAGE A"), ("error", "timeout"), ("ok", "PAGE B")]
    assert got == expected, (
        f"fetch_all returned {got!r}, expected {expected!r}. The fetch of 'hangs' takes 2 s, "
        "more than timeout=0.3: give up on it after 0.3 s with `async with "
        'asyncio.timeout(timeout):` around the fetch, report it as ("error", "timeout"), '
        "and keep the other results."
    )
    assert elapsed < 1.2, (
        f"fetch_all took {elapsed:.2f} s; with timeout=0.3 it should be done after about "
        "0.3 s (the test allows 1.2 s)"
    )


def test_a_failing_fetch_is_reported_and_the_others_finish():
    site = FakeSite(
        {"a": (0.15, "page a"), "refused": (0.02, ConnectionRefusedError), "b": (0.15, "page b")}
    )
    got, _ = timed_fetch_all(["a", "refused", "b"], site, slow_parse(0), 3, timeout=2)
    expected = [("ok", "PAGE A"), ("error", "ConnectionRefusedError"), ("ok", "PAGE B")]
    if isinstance(got, BaseException):
        raise AssertionError(
            f"fetch_all raised {type(got).__name__}: {got}. The fetch of 'refused' raised "
            'ConnectionRefusedError; that must become ("error", "ConnectionRefusedError") '
            "in its place, while the other urls finish. Catch the exception inside each "
            "url's own coroutine (or use asyncio.gather(..., return_exceptions=True))."
        )
    assert got == expected, f"fetch_all returned {got!r}, expected {expected!r}"
