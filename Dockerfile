# One image for every process of an instance: web (gunicorn), Celery worker and Celery beat.
FROM python:3.11-slim
ENV PYTHONUNBUFFERED=1 PYTHONDONTWRITEBYTECODE=1
RUN apt-get update && apt-get install -y --no-install-recommends gettext && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY requirements.lock .
RUN pip install --no-cache-dir -r requirements.lock
COPY . .
RUN DJANGO_SECRET_KEY=build-only-not-secret CROSSBORDER_DATA_DIR=/tmp/build \
    python manage.py compilemessages --ignore .venv -v0 \
 && DJANGO_SECRET_KEY=build-only-not-secret CROSSBORDER_DATA_DIR=/tmp/build CROSSBORDER_ENV=production \
    DJANGO_STATIC_ROOT=/app/staticfiles python manage.py collectstatic --noinput -v0
EXPOSE 8000
CMD ["gunicorn", "crossborder.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-", \
     "--logger-class", "crossborder.gunicorn_logging.RedactingLogger"]
