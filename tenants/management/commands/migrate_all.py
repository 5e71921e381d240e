from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand

from tenants.services import public_tenant_ensure, template_schema_ensure


class Command(BaseCommand):
    help = (
        "Bring every schema up to date: public, the tenant template that new clients are "
        "cloned from, then every client schema."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        verbosity = options["verbosity"]
        call_command("migrate_schemas", shared=True, interactive=False, verbosity=verbosity)
        public_tenant_ensure()
        template_schema_ensure(verbosity=verbosity, force_check=True)
        call_command("migrate_schemas", tenant=True, interactive=False, verbosity=verbosity)
        self.stdout.write("All schemas are up to date.")
