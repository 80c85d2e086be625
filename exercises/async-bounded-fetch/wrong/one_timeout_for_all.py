# Wrong: a single timeout is put around the whole gather() instead of one per fetch. When one
# url hangs, the timeout cancels every url still running and fetch_all raises TimeoutError:
# the urls that had answered are lost with it.
import asyncio


async def fetch_all(urls, fetch, parse, limit, timeout):
    semaphore = asyncio.Semaphore(limit)

    async def fetch_and_parse(url):
        try:
            async with semaphore:
                body = await fetch(url)
            return ("ok", await asyncio.to_thread(parse, body))
        except Exception as error:
            return ("error", type(error).__name__)

    async with asyncio.timeout(timeout):
        return await asyncio.gather(*(fetch_and_parse(url) for url in urls))
