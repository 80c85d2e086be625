# The README's commands. Each target sets up what is missing first.
.PHONY: run test check

run:  ## serve on http://127.0.0.1:8000 (SQLite under data/)
	scripts/run.sh

test:  ## lint, types, content check and the whole test suite
	scripts/test.sh

check:  ## validate the lessons and exercises
	scripts/setup.sh run && .venv/bin/threadline check
