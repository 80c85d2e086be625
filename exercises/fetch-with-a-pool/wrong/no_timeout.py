# Wrong: the pool is right, but the requests have no timeout, so a server that never
# answers keeps a worker (and fetch_all) waiting for ever.
import http.client
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


@dataclass
class Fetched:
    url: str
    status: int | None = None
    body: bytes | None = None
    error: str | None = None


def fetch(url, timeout):
    try:
        with OPENER.open(url) as response:  # no timeout
            return Fetched(url, status=response.status, body=response.read())
    except urllib.error.HTTPError as error:
        error.close()
        return Fetched(url, status=error.code, error=f"HTTP {error.code}")
    except urllib.error.URLError as error:
        return Fetched(url, error=str(error.reason))
    except (OSError, http.client.HTTPException, ValueError) as error:
        return Fetched(url, error=str(error) or type(error).__name__)


def fetch_all(urls, *, workers=8, timeout=2.0):
    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(lambda url: fetch(url, timeout), urls))
