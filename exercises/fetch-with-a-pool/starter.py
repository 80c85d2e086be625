import urllib.error
import urllib.request
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
    """Fetch one URL.

    This version has no timeout (a server that never answers blocks it for ever) and lets
    every error other than an HTTP error escape. Report every problem in .error instead.
    """
    try:
        with OPENER.open(url) as response:
            return Fetched(url, status=response.status, body=response.read())
    except urllib.error.HTTPError as error:
        error.close()
        return Fetched(url, status=error.code, error=f"HTTP {error.code}")


def fetch_all(urls, *, workers=8, timeout=2.0):
    """Fetch every URL; results in input order.

    This version fetches one URL after the other. Use a pool of `workers` threads.
    """
    return [fetch(url, timeout) for url in urls]
