# Wrong: the work goes to worker threads, so the loop stays responsive, but gather() is
# awaited without any timeout: a job that never finishes makes the caller wait for ever.
import asyncio


async def run_blocking_jobs(jobs, work, *, timeout, executor=None):
    loop = asyncio.get_running_loop()
    futures = [loop.run_in_executor(executor, work, job) for job in jobs]
    return list(await asyncio.gather(*futures))
