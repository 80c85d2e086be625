# Wrong: there is no semaphore, so every url is fetched at the same moment. With a thousand
# urls that is a thousand connections to the same servers at once; `limit` is ignored.
import asyncio


async def fetch_all(urls, fetch, parse, limit, timeout):
    async def fetch_and_parse(url):
        try:
            async with asyncio.timeout(timeout):
                body = await fetch(url)
            return ("ok", await asyncio.to_thread(parse, body))
        except TimeoutError:
            return ("error", "timeout")
        except Exception as error:
            return ("error", type(error).__name__)

    return await asyncio.gather(*(fetch_and_parse(url) for url in urls))
