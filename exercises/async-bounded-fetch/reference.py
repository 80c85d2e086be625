import asyncio


async def fetch_all(urls, fetch, parse, limit, timeout):
    """Fetch and parse every url; a list of ("ok", value) or ("error", reason), in url order.

    At most `limit` fetches are in flight at once, each fetch may take at most `timeout`
    seconds, and the blocking `parse` runs in a worker thread, never on the event loop.
    """
    semaphore = asyncio.Semaphore(limit)

    async def fetch_and_parse(url):
        try:
            async with semaphore:  # wait for a free place first: that wait is not timed
                async with asyncio.timeout(timeout):
                    body = await fetch(url)
            # parse blocks; in a worker thread it leaves the loop free for the other urls.
            return ("ok", await asyncio.to_thread(parse, body))
        except TimeoutError:
            return ("error", "timeout")
        except Exception as error:  # becomes this url's result; the others carry on
            return ("error", type(error).__name__)

    # One task per url; gather keeps the order of the urls, whatever order they finish in.
    return await asyncio.gather(*(fetch_and_parse(url) for url in urls))
