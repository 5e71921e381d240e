"""Deploy checks (`manage.py check --deploy`) for what the production shape depends on."""

import os
import tempfile
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Tags, Warning, register
from django.core.checks import Error as CheckError

from observability.metrics import MULTIPROC_DIR_ENV, multiproc_dir


def _writable(directory: Path) -> bool:
    try:
        directory.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=directory, prefix=".write-check-"):
            return True
    except OSError:
        return False


@register(Tags.files, deploy=True)
def media_root_writable(**_: Any) -> list[CheckMessage]:
    """Uploaded resumes and CSV files go to MEDIA_ROOT, written by web and read by workers."""
    media_root = Path(settings.MEDIA_ROOT)
    if _writable(media_root):
        return []
    return [
        CheckError(
            f"MEDIA_ROOT ({media_root}) cannot be written by this process (user id "
            f"{os.getuid()}): uploads would fail.",
            hint="Mount a volume there owned by the image's user, shared by web and worker.",
            id="observability.E001",
        )
    ]


@register(Tags.security, deploy=True)
def metrics_configured(**_: Any) -> list[CheckMessage]:
    messages: list[CheckMessage] = []
    if not settings.METRICS_TOKEN:
        messages.append(
            Warning(
                "METRICS_TOKEN is not set: /metrics and the worker's metrics server are off.",
                hint="Set a random token of 32 characters or more and give it to the scraper.",
                id="observability.W001",
            )
        )
    directory = multiproc_dir()
    if directory is not None and not _writable(directory):
        messages.append(
            CheckError(
                f"{MULTIPROC_DIR_ENV} ({directory}) cannot be written: metrics would fail.",
                id="observability.E002",
            )
        )
    return messages
