# The image every Folio service runs (docker-compose.yml): web, worker, beat.
FROM python:3.11-slim-bookworm
RUN apt-get update && apt-get install -y --no-install-recommends \
        tesseract-ocr tesseract-ocr-spa tesseract-ocr-osd poppler-utils \
        fonts-dejavu-core fonts-liberation fonts-freefont-ttf \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY . /app
# FOLIO_EXTRAS="[s3]" adds django-storages and boto3 for S3-compatible object storage (docs/operations.md)
ARG FOLIO_EXTRAS=""
RUN pip install --no-cache-dir ".${FOLIO_EXTRAS}"
ENV OMP_THREAD_LIMIT=1 PYTHONUNBUFFERED=1
# Celery refuses nothing as root but warns; run the services as an unprivileged user
RUN useradd --create-home --uid 1000 folio && mkdir -p /data && chown folio:folio /data
USER folio
