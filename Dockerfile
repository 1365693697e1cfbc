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

ENV HOMECOMING_CONTENT_DIR=/app/content
USER homecoming
VOLUME ["/data"]
EXPOSE 8000
CMD ["homecoming", "serve", "--host", "0.0.0.0", "--port", "8000"]
