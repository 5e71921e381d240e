"""WSGI entry point (gunicorn in production, `make run` in development)."""

import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")

application = get_wsgi_application()

# A loaded Django process holds some 300,000 long-lived objects (modules, URL patterns, model
# metadata, the OpenAPI document). Left in the collector's care, each full collection walks
# them all and pauses a request for 150-250 ms; freezing them moves them out of its way, and a
# higher first threshold runs collections less often (bench/api_list.py: p95).
gc.freeze()
gc.set_threshold(50_000, 20, 100)
