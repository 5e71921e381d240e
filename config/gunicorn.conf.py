"""gunicorn settings of the web container: `gunicorn -c config/gunicorn.conf.py config.wsgi`.

Read as a file (not imported as part of the config package), so the master process loads
neither Django nor Celery. Environment: GUNICORN_BIND (default 0.0.0.0:8000), WEB_CONCURRENCY
(worker processes, default 3), GUNICORN_THREADS (default 1), FORWARDED_ALLOW_IPS (default *:
the TLS proxy in front sets X-Forwarded-Proto), PROMETHEUS_MULTIPROC_DIR (metrics of all
workers added up; emptied here when the master starts).
"""

import os
from typing import Any

from observability.metrics import multiproc_dir_reset, process_dead

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "3"))
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "*")
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 30

# JSON lines through the project's formatter; the access line keeps no secret or personal data.
logger_class = "observability.gunicorn_logging.JsonLogger"
accesslog = "-"
errorlog = "-"


def on_starting(server: Any) -> None:
    multiproc_dir_reset()


def child_exit(server: Any, worker: Any) -> None:
    process_dead(worker.pid)
