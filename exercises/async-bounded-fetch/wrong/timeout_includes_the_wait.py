# Wrong: the timeout is started before waiting for the semaphore, so it counts the time a url
# spends queueing for a place as well as its fetch. With many urls and a small limit, the
# last ones time out although their own fetch is quick.
import asyncio


async def fetch_all(urls, fetch, parse, limit, timeout):
    semaphore = asyncio.Semaphore(limit)

    async def fetch_and_parse(url):
        try:
            async with asyncio.timeout(timeout):
                async with semaphore:
                    body = await fetch(url)
            return ("ok", await asyncio.to_thread(parse, body))
        except TimeoutError:
            return ("error", "timeout")
        except Exception as error:
            return ("error", type(error).__name__)

    return await asyncio.gather(*(fetch_and_parse(url) for url in urls))
