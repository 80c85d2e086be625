# Wrong: every get() is given the full timeout, so two stuck items make the call wait twice as
# long. The deadline must be shared: pass each get() only the time left until it.
import multiprocessing


def process_all(func, items, timeout, workers=2):
    items = list(items)
    if not items:
        return []
    pool = multiprocessing.Pool(workers)
    try:
        pending = [pool.apply_async(func, (item,)) for item in items]
        results = []
        for async_result in pending:
            try:
                results.append(async_result.get(timeout))
            except multiprocessing.TimeoutError:
                results.append(TimeoutError(f"no result within {timeout} s"))
            except Exception as error:
                results.append(error)
        return results
    finally:
        pool.terminate()
        pool.join()
