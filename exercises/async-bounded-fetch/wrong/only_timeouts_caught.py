# Wrong: each url's coroutine turns a timeout into ("error", "timeout"), but any other
# exception escapes it, and gather() without return_exceptions=True passes the first one on
# to the caller: one refused connection and the results of every other url are lost.
import asyncio


async def fetch_all(urls, fetch, parse, limit, timeout):
    semaphore = asyncio.Semaphore(limit)

    async def fetch_and_parse(url):
        try:
            async with semaphore:
                async with asyncio.timeout(timeout):
                    body = await fetch(url)
        except TimeoutError:
            return ("error", "timeout")
        return ("ok", await asyncio.to_thread(parse, body))

    return await asyncio.gather(*(fetch_and_parse(url) for url in urls))
