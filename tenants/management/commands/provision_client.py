from argparse import ArgumentParser
from typing import Any

from tenants.management.service_command import ServiceCommand
from tenants.services import client_provision


class Command(ServiceCommand):
    help = "Create a client company with its own schema and host name (<slug>.<BASE_DOMAIN>)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--slug", required=True, help="Lowercase letters, digits, hyphens.")
        parser.add_argument("--name", required=True, help="The company's display name.")
        parser.add_argument("--domain", help="Host name; default <slug>.<BASE_DOMAIN>.")

    def handle(self, *args: Any, **options: Any) -> None:
        result = client_provision(
            slug=options["slug"], name=options["name"], domain=options["domain"]
        )
        self.stdout.write(
            f"Provisioned {result.client.name} ({result.client.slug}) at {result.domain} "
            f"in {result.seconds:.2f}s"
        )
