from argparse import ArgumentParser
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.management.base import CommandError

from tenants.management.service_command import ServiceCommand
from tenants.services import agency_get_by_slug, client_get_by_slug, engagement_create


class Command(ServiceCommand):
    help = "Engage an agency for a client, so its people can see shared briefs and submit."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--client", required=True, help="Client slug.")
        parser.add_argument("--agency", required=True, help="Agency slug.")
        parser.add_argument(
            "--ownership-window-days",
            type=int,
            help="Days a first submission owns a candidate (default: client's).",
        )
        parser.add_argument("--fee-percent", help="Agreed fee, percent of first-year salary.")

    def handle(self, *args: Any, **options: Any) -> None:
        fee = None
        if options["fee_percent"] is not None:
            try:
                fee = Decimal(options["fee_percent"])
            except InvalidOperation:
                raise CommandError("--fee-percent: not a number.") from None
        client = client_get_by_slug(options["client"])
        agency = agency_get_by_slug(options["agency"])
        engagement = engagement_create(
            client=client,
            agency=agency,
            ownership_window_days=options["ownership_window_days"],
            fee_percent=fee,
        )
        self.stdout.write(
            f"{agency.slug} is engaged by {client.slug} "
            f"(ownership window {engagement.ownership_window_days} days)"
        )
