# Production image: gunicorn + whitenoise, configuration from the environment.
#   docker build -t shienlist .
#   docker run -e SECRET_KEY=... -e ALLOWED_HOSTS=example.jp -e DATABASE_URL=postgres://... -p 8000:8000 shienlist
# Release steps (docs/deployment.md): docker run ... shienlist python manage.py migrate --noinput,
# then ... python manage.py render_entries
FROM python:3.11-slim AS base

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DEBUG=0 \
    PORT=8000

WORKDIR /app

RUN groupadd --system app && useradd --system --gid app --home-dir /app --no-create-home app

# The project runs from /app (templates and static files are read from
# there); an editable install puts its dependencies in place.
COPY . .
RUN pip install -e .

# collectstatic needs settings but no database and no real secret.
RUN SECRET_KEY=collectstatic-only ALLOWED_HOSTS=localhost python manage.py collectstatic --noinput \
    && mkdir -p /app/media && chown -R app:app /app/media

USER app
EXPOSE 8000

HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD python -c "import os, urllib.request; urllib.request.urlopen(f'http://127.0.0.1:{os.environ.get(\"PORT\", \"8000\")}/healthz', timeout=4)" || exit 1

CMD ["sh", "-c", "exec gunicorn -c config/gunicorn.py config.wsgi:application --bind 0.0.0.0:${PORT} --workers ${WEB_CONCURRENCY:-3} --access-logfile - --forwarded-allow-ips='*'"]
