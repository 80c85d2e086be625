# Threadline: the web app on embedded defaults (SQLite in the /data volume).
# Built with the same set-up script as `make run`.
FROM debian:trixie-slim

RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 python3-venv ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --create-home --uid 10001 threadline \
 && mkdir -p /app /data && chown threadline:threadline /app /data

WORKDIR /app
USER threadline
COPY --chown=threadline:threadline pyproject.toml README.md ./
COPY --chown=threadline:threadline app ./app
COPY --chown=threadline:threadline scripts ./scripts
RUN scripts/setup.sh run
COPY --chown=threadline:threadline lessons ./lessons
COPY --chown=threadline:threadline exercises ./exercises
COPY --chown=threadline:threadline templates ./templates
COPY --chown=threadline:threadline static/css ./static/css
COPY --chown=threadline:threadline static/js ./static/js
COPY --chown=threadline:threadline static/vendor ./static/vendor
COPY --chown=threadline:threadline static/favicon.svg ./static/

ENV THREADLINE_DATA_DIR=/data \
    THREADLINE_HOST=0.0.0.0 \
    THREADLINE_PORT=8000
VOLUME /data
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=3s --start-period=10s \
  CMD python3 -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=2)"
CMD [".venv/bin/threadline", "serve"]
