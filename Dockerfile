# Production image: non-root; `homecoming serve` applies migrations, then serves on :8000.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    HOMECOMING_DATABASE_URL=sqlite:////data/homecoming.db

RUN useradd --create-home --uid 10001 homecoming \
    && mkdir /data && chown homecoming /data

WORKDIR /app
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY flows ./flows
COPY admin ./admin
COPY content ./content
RUN pip install --no-cache-dir .

# JSON log lines for a collector (docs/operations.md, Logs).
ENV HOMECOMING_CONTENT_DIR=/app/content \
    HOMECOMING_LOG_FORMAT=json
USER homecoming
VOLUME ["/data"]
EXPOSE 8000
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s \
    CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4)"
CMD ["homecoming", "serve", "--host", "0.0.0.0", "--port", "8000"]
