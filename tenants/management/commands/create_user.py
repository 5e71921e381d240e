from argparse import ArgumentParser
from typing import Any

from tenants.management.service_command import ServiceCommand
from tenants.services import user_create


class Command(ServiceCommand):
    help = "Create a person's account (one account per person, signed in with email)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--email", required=True)
        parser.add_argument("--password", required=True, help="At least 8 characters.")
        parser.add_argument("--name", default="", help="Display name.")
        parser.add_argument(
            "--staff",
            action="store_true",
            help="Platform operator: may use /admin/ on the public host.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        user = user_create(
            email=options["email"], password=options["password"], name=options["name"]
        )
        if options["staff"]:
            user.is_staff = True
            user.is_superuser = True
            user.save(update_fields=["is_staff", "is_superuser"])
        self.stdout.write(f"Created user {user.email}")
