from argparse import ArgumentParser
from typing import Any

from tenants.management.service_command import ServiceCommand
from tenants.services import agency_create


class Command(ServiceCommand):
    help = "Create a staffing agency (global: clients engage it with engage_agency)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--slug", required=True)
        parser.add_argument("--name", required=True)

    def handle(self, *args: Any, **options: Any) -> None:
        agency = agency_create(slug=options["slug"], name=options["name"])
        self.stdout.write(f"Created agency {agency.name} ({agency.slug})")
