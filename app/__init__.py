"""Threadline: an interactive course on Python concurrency and parallelism."""

from pathlib import Path

#: The repository root, where `lessons/`, `exercises/`, `templates/` and `static/` live.
ROOT = Path(__file__).resolve().parent.parent
