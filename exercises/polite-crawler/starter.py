import http.client
import re
import urllib.error
import urllib.parse
import urllib.request
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
    """Fetch every page reachable from start_url on its site; return {url: Page}.

    This version visits the pages one at a time, in the calling thread, tries each page
    once, and ignores the deadline. Make it concurrent (a pool of `workers` threads, at most
    `max_connections` requests at once), retry with exponential backoff, and stop at the
    deadline.
    """
    pages = {start_url: Page(start_url)}
    queue = [start_url]
    while queue:
        page = pages[queue.pop(0)]
        page.attempts += 1
        fetched = fetch(page.url, timeout)
        page.status, page.error = fetched.status, fetched.error
        if fetched.error is None:
            page.links = links_in(fetched.body, page.url)
            for link in page.links:
                if link not in pages:
                    pages[link] = Page(link)
                    queue.append(link)
    return pages
