import asyncio  # noqa: F401  (you will need it)


async def fetch_all(urls, fetch, parse, limit, timeout):
    """Fetch and parse every url; a list of ("ok", value) or ("error", reason), in url order.

    This version handles one url after the other: no fetches overlap, so `limit` is never
    reached; a fetch that hangs is waited for as long as it hangs, since `timeout` is ignored;
    the first error ends the whole call; and parse() runs on the event loop, blocking it.
    """
    results = []
    for url in urls:
        body = await fetch(url)
        results.append(("ok", parse(body)))  # parse blocks: nothing else runs meanwhile
    return results
