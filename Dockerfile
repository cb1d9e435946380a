FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /srv

COPY pyproject.toml constraints.txt README.md ./
COPY app ./app
COPY migrations ./migrations
COPY alembic.ini ./
RUN pip install --no-cache-dir -c constraints.txt -e . \
    && useradd --system --home-dir /srv --no-create-home tasktracker \
    && mkdir -p /srv/var && chown tasktracker /srv/var
USER tasktracker

ENV HOST=0.0.0.0 PORT=8000
EXPOSE 8000
HEALTHCHECK --interval=10s --timeout=3s CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/health/db')"
# Applies pending migrations, then serves (the same entry point as `make run`).
CMD ["python", "-m", "app"]
