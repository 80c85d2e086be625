# Wrong: the semaphore is created but never taken, so every thread of the pool (workers=8)
# makes its requests at once, whatever max_connections says.
import http.client
import re
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from dataclasses import dataclass, field

# An opener that ignores any proxy settings in the environment: the tests' server is local.
OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))
LINK = re.compile(r'href="([^"]+)"')


@dataclass
class Fetched:
    url: str
    status: int | None = None  # the HTTP status code; None if no response came back
    body: bytes | None = None  # the body of a successful (2xx) response
    error: str | None = None  # None on success, else what went wrong: "HTTP 500", "timed out"


@dataclass
class Page:
    url: str
    status: int | None = None  # the status of the last attempt; None if none got a response
    links: list[str] = field(default_factory=list)  # same-site links found on the page
    error: str | None = None  # None once fetched, else the last problem or "deadline exceeded"
    attempts: int = 0  # requests made for this page


def fetch(url, timeout):
    """Fetch one URL. Never raises for a network or HTTP problem: it is reported in .error."""
    try:
        with OPENER.open(url, timeout=timeout) as response:
            return Fetched(url, status=response.status, body=response.read())
    except urllib.error.HTTPError as error:
        error.close()
        return Fetched(url, status=error.code, error=f"HTTP {error.code}")
    except urllib.error.URLError as error:
        return Fetched(url, error=str(error.reason))
    except (OSError, http.client.HTTPException) as error:
        return Fetched(url, error=str(error) or type(error).__name__)
    except ValueError as error:
        return Fetched(url, error=str(error))


def links_in(body, base_url):
    """The links of an HTML page that stay on base_url's site, absolute, without fragments."""
    site = urllib.parse.urlsplit(base_url).netloc
    links = []
    for href in LINK.findall(body.decode("utf-8", "replace")):
        url = urllib.parse.urldefrag(urllib.parse.urljoin(base_url, href)).url
        if urllib.parse.urlsplit(url).netloc == site and url not in links:
            links.append(url)
    return links


def worth_retrying(fetched):
    """No response at all (timeout, refused, reset) or a server error: try again later."""
    return fetched.status is None or fetched.status >= 500


def crawl(
    start_url,
    *,
    max_connections=2,
    workers=6,
    timeout=1.0,
    retries=2,
    backoff=0.1,
    deadline=10.0,
):
    """Fetch every page reachable from start_url on its site; return {url: Page}."""
    end = time.monotonic() + deadline
    stop = threading.Event()  # set at the deadline: wakes workers sleeping between attempts

    def time_left():
        return end - time.monotonic()

    def visit(page):
        """Runs in a pool thread: fetch one page, retrying with exponential backoff."""
        for attempt in range(retries + 1):
            if attempt:
                pause = backoff * 2 ** (attempt - 1)
                if pause >= time_left() or stop.wait(pause):
                    page.error = "deadline exceeded"
                    return page
            if stop.is_set() or time_left() <= 0:
                page.error = "deadline exceeded"
                return page
            page.attempts += 1
            fetched = fetch(page.url, min(timeout, time_left()))  # no semaphore taken
            page.status, page.error = fetched.status, fetched.error
            if fetched.error is None:
                page.links = links_in(fetched.body, page.url)
                return page
            if not worth_retrying(fetched):
                return page
        return page

    pages = {start_url: Page(start_url)}  # every page found; only this thread changes it
    with ThreadPoolExecutor(max_workers=workers) as pool:
        pending = {pool.submit(visit, pages[start_url])}
        while pending:
            done, pending = wait(
                pending, timeout=max(0.0, time_left()), return_when=FIRST_COMPLETED
            )
            for future in done:
                for link in future.result().links:
                    if link not in pages:
                        pages[link] = Page(link)
                        pending.add(pool.submit(visit, pages[link]))
            if time_left() <= 0:
                stop.set()  # running visits return at their next check
                for future in pending:
                    future.cancel()  # queued visits never start
                break
    # Leaving the with block waited for the visits still running; no request starts now.
    for page in pages.values():
        if page.attempts == 0 and page.error is None:
            page.error = "deadline exceeded"
    return pages
