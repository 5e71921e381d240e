"""Provisioning one client tenant: clone of the migrated template (what the product does)
beside the plain django-tenants path of replaying every migration into an empty schema.

Run: .venv/bin/python bench/provisioning.py [--tenants N]
"""

import argparse
import statistics
import time
import uuid

from _setup import bench_django_setup


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tenants", type=int, default=7)
    args = parser.parse_args()
    bench_django_setup()

    from django.core.management import call_command
    from django.db import connection

    from tenants.models import Client
    from tenants.services import client_provision, template_schema_ensure

    template_schema_ensure(force_check=True)
    run = uuid.uuid4().hex[:6]
    clone_times: list[float] = []
    migrate_times: list[float] = []
    created: list[str] = []
    try:
        for index in range(args.tenants):
            started = time.perf_counter()
            client_provision(slug=f"bench-{run}-{index}", name=f"Bench {index}")
            clone_times.append(time.perf_counter() - started)
            created.append(f"bench-{run}-{index}")
        for index in range(max(3, args.tenants // 2)):
            schema = f"bench_migrate_{run}_{index}"
            started = time.perf_counter()
            with connection.cursor() as cursor:
                cursor.execute(f'CREATE SCHEMA "{schema}"')
            call_command(
                "migrate_schemas", tenant=True, schema_name=schema, interactive=False, verbosity=0
            )
            migrate_times.append(time.perf_counter() - started)
            with connection.cursor() as cursor:
                cursor.execute(f'DROP SCHEMA "{schema}" CASCADE')
    finally:
        for client in Client.objects.filter(slug__in=created):
            client.auto_drop_schema = True
            client.delete(force_drop=True)

    clone_median = statistics.median(clone_times)
    migrate_median = statistics.median(migrate_times)
    print(
        f"clone from template: median {clone_median:.3f}s over {len(clone_times)} tenants "
        f"(min {min(clone_times):.3f}s, max {max(clone_times):.3f}s)"
    )
    print(
        f"replay migrations (baseline): median {migrate_median:.3f}s over "
        f"{len(migrate_times)} schemas"
    )
    print(f"ratio clone/replay: {clone_median / migrate_median:.2f}")
    print(
        f"RESULT provisioning seconds_per_tenant={clone_median:.3f} tenants={len(clone_times)} "
        f"baseline_migrate_seconds={migrate_median:.3f} "
        f"ratio={clone_median / migrate_median:.2f}"
    )


if __name__ == "__main__":
    main()
