from argparse import ArgumentParser
from typing import Any

from django.core.management.base import CommandError
from django.utils.dateparse import parse_datetime

from api.keys import api_key_create
from tenants.management.service_command import ServiceCommand
from tenants.models import ApiScope
from tenants.services import agency_get_by_slug, client_get_by_slug


class Command(ServiceCommand):
    help = (
        "Create a partner API key for a client's own systems, or (with --agency) for an "
        "agency engaged by the client. The key is printed alone on the last line of standard "
        "output; it is shown only this once."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--client", required=True, help="Client slug (the key's workspace).")
        parser.add_argument(
            "--agency",
            help="Agency slug: the key belongs to this agency, which needs an active "
            "engagement with the client.",
        )
        parser.add_argument(
            "--scopes",
            required=True,
            help=f"Comma-separated scopes: {', '.join(ApiScope.values)}.",
        )
        parser.add_argument("--name", required=True, help="What uses the key, e.g. 'ATS sync'.")
        parser.add_argument(
            "--expires-at",
            help="Optional expiry, ISO 8601 with a time zone (e.g. 2027-01-31T00:00:00Z).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        expires_at = None
        if options["expires_at"]:
            try:
                expires_at = parse_datetime(options["expires_at"])
            except ValueError:
                expires_at = None
            if expires_at is None or expires_at.tzinfo is None:
                raise CommandError(
                    "--expires-at: use ISO 8601 with a time zone, e.g. 2027-01-31T00:00:00Z."
                )
        client = client_get_by_slug(options["client"])
        agency = agency_get_by_slug(options["agency"]) if options["agency"] else None
        scopes = [scope.strip() for scope in options["scopes"].split(",") if scope.strip()]
        api_key, raw_key = api_key_create(
            client=client,
            agency=agency,
            name=options["name"],
            scopes=scopes,
            created_by=None,
            expires_at=expires_at,
        )
        owner = f"agency {agency.slug} at {client.slug}" if agency else f"client {client.slug}"
        self.stdout.write(
            f"Created API key {api_key.prefix}... for {owner} with scopes "
            f"{', '.join(api_key.scopes)}. Store it now: it is not shown again."
        )
        self.stdout.write(raw_key)
