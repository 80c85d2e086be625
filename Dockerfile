# Threadline: the web app on embedded defaults (SQLite in the /data volume), with the learner
# interpreters 3.13 and 3.13t. Built with the same set-up script as `make run`.
FROM debian:trixie-slim

RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 python3-venv ca-certificates bubblewrap \
 && rm -rf /var/lib/apt/lists/*

# The learner interpreters live outside the app's home, readable by the sandbox.
ENV THREADLINE_CACHE_DIR=/opt/threadline
WORKDIR /app
COPY pyproject.toml README.md ./
COPY app ./app
COPY scripts ./scripts
# As root: set-up installs what building 3.13t needs from Debian's packages.
RUN scripts/setup.sh run && rm -rf /var/lib/apt/lists/*
COPY lessons ./lessons
COPY exercises ./exercises
COPY templates ./templates
COPY static/css ./static/css
COPY static/js ./static/js
COPY static/vendor ./static/vendor
COPY static/favicon.svg ./static/

RUN useradd --create-home --uid 10001 threadline \
 && mkdir -p /data && chown threadline:threadline /data
USER threadline
ENV THREADLINE_DATA_DIR=/data \
    THREADLINE_HOST=0.0.0.0 \
    THREADLINE_PORT=8000
VOLUME /data
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=3s --start-period=10s \
  CMD python3 -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=2)"
CMD [".venv/bin/threadline", "serve"]
