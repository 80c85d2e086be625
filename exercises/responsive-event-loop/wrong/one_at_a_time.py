# Wrong: each job is awaited before the next one is started. The loop stays responsive and
# the timeout applies, but the blocking calls never overlap, so the jobs take the sum of
# their times.
import asyncio


async def run_blocking_jobs(jobs, work, *, timeout, executor=None):
    loop = asyncio.get_running_loop()
    results = []
    async with asyncio.timeout(timeout):
        for job in jobs:
            results.append(await loop.run_in_executor(executor, work, job))
    return results
