# Wrong: fetch lets exceptions escape and fetch_all uses pool.map, which raises the first
# exception when its result is reached: one failing URL loses every result.
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
    with OPENER.open(url, timeout=timeout) as response:  # HTTPError, URLError... escape
        return Fetched(url, status=response.status, body=response.read())


def fetch_all(urls, *, workers=8, timeout=2.0):
    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(lambda url: fetch(url, timeout), urls))
