# Wrong: parse() is called directly inside the coroutine. The fetches are limited, timed and
# overlapped, but while a body is parsed the event loop is stuck: no other task runs, no
# timer fires, and the parses happen one after another.
import asyncio


async def fetch_all(urls, fetch, parse, limit, timeout):
    semaphore = asyncio.Semaphore(limit)

    async def fetch_and_parse(url):
        try:
            async with semaphore:
                async with asyncio.timeout(timeout):
                    body = await fetch(url)
            return ("ok", parse(body))
        except TimeoutError:
            return ("error", "timeout")
        except Exception as error:
            return ("error", type(error).__name__)

    return await asyncio.gather(*(fetch_and_parse(url) for url in urls))
