from argparse import ArgumentParser
from typing import Any

from django.core.management.base import CommandError

from tenants.management.service_command import ServiceCommand
from tenants.models import AgencyRole, ClientRole
from tenants.services import (
    agency_get_by_slug,
    agency_membership_grant,
    client_get_by_slug,
    client_membership_grant,
    user_get_by_email,
)


class Command(ServiceCommand):
    help = (
        "Give a person a role at a client (--client SLUG --role "
        f"{'|'.join(ClientRole.values)}) or at an agency (--agency SLUG --role "
        f"{'|'.join(AgencyRole.values)}). Running it again changes the role."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--email", required=True)
        where = parser.add_mutually_exclusive_group(required=True)
        where.add_argument("--client", help="Client slug.")
        where.add_argument("--agency", help="Agency slug.")
        parser.add_argument("--role", required=True)

    def handle(self, *args: Any, **options: Any) -> None:
        role = options["role"]
        if options["client"]:
            if role not in ClientRole.values:
                raise CommandError(
                    f"--role: '{role}' is not a client role; use one of "
                    f"{', '.join(ClientRole.values)}."
                )
            client = client_get_by_slug(options["client"])
            user = user_get_by_email(options["email"])
            client_membership_grant(user=user, client=client, role=role)
            self.stdout.write(f"{user.email} is now {role} at {client.slug}")
        else:
            if role not in AgencyRole.values:
                raise CommandError(
                    f"--role: '{role}' is not an agency role; use one of "
                    f"{', '.join(AgencyRole.values)}."
                )
            agency = agency_get_by_slug(options["agency"])
            user = user_get_by_email(options["email"])
            agency_membership_grant(user=user, agency=agency, role=role)
            self.stdout.write(f"{user.email} is now {role} at {agency.slug}")
