# Wrong: one thread per URL, started all at once. It is fast, but it ignores `workers`:
# with 12 URLs, 12 requests hit the server at the same time.
import http.client
import threading
import urllib.error
import urllib.request
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
    results = [None] * len(urls)

    def work(i, url):
        results[i] = fetch(url, timeout)

    threads = [threading.Thread(target=work, args=(i, url)) for i, url in enumerate(urls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results
