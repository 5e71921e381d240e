from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

from tenants.schema_migrations import client_schema_names, schemas_behind, schemas_migrate
from tenants.services import public_tenant_ensure, template_schema_ensure


class Command(BaseCommand):
    help = (
        "Bring every schema up to date: public, the tenant template that new clients are "
        "cloned from, then every client schema that has migrations to apply (the others are "
        "checked with one query each and left alone)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--parallel",
            type=int,
            default=1,
            help="Client schemas migrated at the same time, each by its own process "
            "(django-tenants' multiprocessing executor). Default 1: one after another, in "
            "this process.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        verbosity = options["verbosity"]
        parallel = options["parallel"]
        if parallel < 1:
            raise CommandError("--parallel must be 1 or more.")
        call_command("migrate_schemas", shared=True, interactive=False, verbosity=verbosity)
        public_tenant_ensure()
        template_schema_ensure(verbosity=verbosity, force_check=True)
        schemas = client_schema_names()
        behind = schemas_behind(schemas)
        if verbosity >= 1:
            self.stdout.write(
                f"{len(behind)} of {len(schemas)} client schemas have migrations to apply."
            )
        schemas_migrate(behind, parallel=parallel, verbosity=verbosity)
        self.stdout.write("All schemas are up to date.")
