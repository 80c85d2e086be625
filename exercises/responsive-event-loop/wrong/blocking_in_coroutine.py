# Wrong: the blocking call is made directly inside the coroutine. The timeout is there, but
# while work() runs the event loop is stuck: nothing else runs and the timeout cannot fire.
import asyncio


async def run_blocking_jobs(jobs, work, *, timeout, executor=None):
    async def run_one(job):
        return work(job)

    async with asyncio.timeout(timeout):
        return list(await asyncio.gather(*(run_one(job) for job in jobs)))
