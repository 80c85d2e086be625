# Wrong: always uses asyncio.to_thread, which runs the calls in the loop's default thread
# pool; the executor the caller passed in is never used.
import asyncio


async def run_blocking_jobs(jobs, work, *, timeout, executor=None):
    async with asyncio.timeout(timeout):
        calls = [asyncio.to_thread(work, job) for job in jobs]
        return list(await asyncio.gather(*calls))
