import asyncio


async def run_blocking_jobs(jobs, work, *, timeout, executor=None):
    """Run work(job) for every job without blocking the event loop; results in job order.

    This version calls work() directly inside the coroutines. work() blocks, so while it
    runs the event loop can do nothing else, the calls cannot overlap, and the timeout is
    ignored. Hand the calls to worker threads and apply the timeout.
    """

    async def run_one(job):
        return work(job)  # blocks the event loop for as long as work() takes

    return list(await asyncio.gather(*(run_one(job) for job in jobs)))
