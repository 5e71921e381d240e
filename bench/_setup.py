"""Shared start-up for benchmarks: Django on a database of its own (aihiring_bench, created
afresh for every benchmark) on the same PostgreSQL and Redis as `make test`, so a benchmark
never touches dev or test data and never inherits an earlier run's catalog bloat."""

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _bench_database() -> str:
    """BENCH_DATABASE from the environment or the checkout's .env (as DATABASE_URL is read),
    so two checkouts benchmark on one server without sharing, or dropping, one database."""
    if os.environ.get("BENCH_DATABASE"):
        return os.environ["BENCH_DATABASE"]
    dotenv = ROOT / ".env"
    if dotenv.exists():
        for line in dotenv.read_text().splitlines():
            name, _, value = line.partition("=")
            if name.strip() == "BENCH_DATABASE" and value.strip():
                return value.strip().strip("'\"")
    return "aihiring_bench"


BENCH_DATABASE = _bench_database()


def bench_django_setup() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    from config import devservices

    resolved = devservices.resolve()
    base_url = os.environ.get("DATABASE_URL") or resolved.get("DATABASE_URL") or ""
    if not base_url:
        base_url = devservices._configured("DATABASE_URL") or ""
    bench_url = base_url.rsplit("/", 1)[0] + f"/{BENCH_DATABASE}"
    os.environ["DATABASE_URL"] = bench_url
    if "REDIS_URL" in resolved:
        os.environ.setdefault("REDIS_URL", resolved["REDIS_URL"])
    # A new database for every benchmark: same starting point every run.
    devservices._ensure_database(bench_url, fresh=True)

    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate_all", verbosity=0)
