"""Traces of runs: what each thread of a learner's program did, and when."""
