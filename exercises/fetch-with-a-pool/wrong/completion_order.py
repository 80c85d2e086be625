# Wrong: the results are collected with as_completed, in the order the requests finish,
# so a quick URL that comes late in the input overtakes a slow one that comes first.
import http.client
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor, as_completed
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
        with OPENER.open(url, timeout=timeout) as response:
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
        futures = [pool.submit(fetch, url, timeout) for url in urls]
        return [future.result() for future in as_completed(futures)]
