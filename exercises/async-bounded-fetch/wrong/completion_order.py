# Wrong: the results are collected with asyncio.as_completed(), which yields them as they
# finish. Everything else is right, but the list is in completion order, not url order, so
# the caller cannot tell which result belongs to which url.
import asyncio


async def fetch_all(urls, fetch, parse, limit, timeout):
    semaphore = asyncio.Semaphore(limit)

    async def fetch_and_parse(url):
        try:
            async with semaphore:
                async with asyncio.timeout(timeout):
                    body = await fetch(url)
            return ("ok", await asyncio.to_thread(parse, body))
        except TimeoutError:
            return ("error", "timeout")
        except Exception as error:
            return ("error", type(error).__name__)

    results = []
    for next_done in asyncio.as_completed([fetch_and_parse(url) for url in urls]):
        results.append(await next_done)
    return results
