import http.client
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

# An opener that ignores any proxy settings in the environment: the tests' server is local.
OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


@dataclass
class Fetched:
    url: str
    status: int | None = None  # the HTTP status code; None if no response came back
    body: bytes | None = None  # the body of a successful (2xx) response
    error: str | None = None  # None on success, else what went wrong: "HTTP 500", "timed out"


def fetch(url, timeout):
    """Fetch one URL. Never raises for a network or HTTP problem: it is reported in .error."""
    try:
        with OPENER.open(url, timeout=timeout) as response:
            return Fetched(url, status=response.status, body=response.read())
    except urllib.error.HTTPError as error:  # the server answered with 4xx or 5xx
        error.close()  # an HTTPError holds the response (and its connection) open
        return Fetched(url, status=error.code, error=f"HTTP {error.code}")
    except urllib.error.URLError as error:  # no answer: refused, unknown host, connect timeout
        return Fetched(url, error=str(error.reason))
    except (OSError, http.client.HTTPException) as error:  # read timeout, reset connection
        return Fetched(url, error=str(error) or type(error).__name__)
    except ValueError as error:  # not a URL urllib can request
        return Fetched(url, error=str(error))


def fetch_all(urls, *, workers=8, timeout=2.0):
    """Fetch every URL with at most `workers` requests at a time; results in input order."""
    with ThreadPoolExecutor(max_workers=workers) as pool:
        # map() yields the results in the order of urls, whatever order they finish in.
        return list(pool.map(lambda url: fetch(url, timeout), urls))
