# The platform as one image: PostgreSQL runs elsewhere (docker-compose.yml's `db`, or a managed server).
FROM python:3.12-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 \
    HOTPOT_HOST=0.0.0.0 HOTPOT_PORT=8000
WORKDIR /srv/hotpot
COPY pyproject.toml README.md alembic.ini babel.cfg ./
COPY hotpot ./hotpot
COPY templates ./templates
COPY static ./static
COPY migrations ./migrations
COPY seed_data ./seed_data
COPY locale ./locale
# A wheel install: templates, static files, migrations and seed data travel inside the package.
RUN pip install . && useradd --system --home /srv/hotpot hotpot && rm -rf /srv/hotpot/*
USER hotpot
EXPOSE 8000
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s \
  CMD python -c "import urllib.request,sys; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=2).status != 200)"
CMD ["sh", "-c", "hotpot db upgrade && hotpot seed && hotpot serve --no-migrate"]
