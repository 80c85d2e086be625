"""The runner: runs as database rows, and the pool of workers that executes them."""
