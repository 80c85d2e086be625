import asyncio


async def run_blocking_jobs(jobs, work, *, timeout, executor=None):
    """Run work(job) for every job without blocking the event loop; results in job order.

    The calls run at the same time in worker threads (in `executor` if one is given).
    Raises TimeoutError if they have not all finished within `timeout` seconds.
    """
    loop = asyncio.get_running_loop()
    async with asyncio.timeout(timeout):  # cancels the waiting below when time is up
        # run_in_executor hands the blocking call to a worker thread and returns a future
        # the loop can wait on; with executor=None it uses the loop's default thread pool.
        futures = [loop.run_in_executor(executor, work, job) for job in jobs]
        return list(await asyncio.gather(*futures))
