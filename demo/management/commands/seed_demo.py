"""A demo workspace to explore after `make run`. Safe to run again: it only adds what is
missing and never changes passwords of accounts that already exist."""

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from tenants.models import Agency, Client, Engagement, User
from tenants.services import (
    agency_create,
    agency_membership_grant,
    client_membership_grant,
    client_provision,
    engagement_create,
    user_create,
)

DEMO_PASSWORD = "demo-password-2026"
CLIENT = {"slug": "acme", "name": "Acme Logistics"}
CLIENT_PEOPLE = [
    ("admin@acme.example", "Ada Admin", "admin"),
    ("hiring@acme.example", "Hugo Hiring", "hiring_manager"),
    ("interviewer@acme.example", "Ines Interviewer", "interviewer"),
    ("interviewer2@acme.example", "Ivan Interviewer", "interviewer"),
    ("cxo@acme.example", "Chloe CXO", "executive"),
]
AGENCIES: list[dict[str, Any]] = [
    {
        "slug": "northstar",
        "name": "Northstar Talent",
        "people": [
            ("owner@northstar.example", "Nora Northstar", "agency_admin"),
            ("recruiter@northstar.example", "Rui Recruiter", "recruiter"),
        ],
    },
    {
        "slug": "bluepeak",
        "name": "Bluepeak Staffing",
        "people": [
            ("owner@bluepeak.example", "Bea Bluepeak", "agency_admin"),
            ("recruiter@bluepeak.example", "Ravi Recruiter", "recruiter"),
        ],
    },
]
OPERATOR = ("operator@platform.example", "Olive Operator")


class Command(BaseCommand):
    help = "Create (or complete) the demo client, its people and two engaged agencies."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--port", type=int, default=8000, help="Port printed in the URLs.")

    def handle(self, *args: Any, **options: Any) -> None:
        client = Client.objects.filter(slug=CLIENT["slug"]).first()
        if client is None:
            client = client_provision(slug=CLIENT["slug"], name=CLIENT["name"]).client
        operator = self._user(*OPERATOR)
        if not operator.is_staff:
            operator.is_staff = operator.is_superuser = True
            operator.save(update_fields=["is_staff", "is_superuser"])
        for email, name, role in CLIENT_PEOPLE:
            client_membership_grant(user=self._user(email, name), client=client, role=role)
        for spec in AGENCIES:
            agency = Agency.objects.filter(slug=spec["slug"]).first() or agency_create(
                slug=spec["slug"], name=spec["name"]
            )
            for email, name, role in spec["people"]:
                agency_membership_grant(user=self._user(email, name), agency=agency, role=role)
            if not Engagement.objects.filter(client=client, agency=agency).exists():
                engagement_create(client=client, agency=agency)

        self._seed_workspace(client)
        self._print_summary(client, options["port"])

    def _seed_workspace(self, client: Client) -> None:
        """The hiring data (briefs, candidates, submissions: hiring.demo), then scorecards and
        shortlists on top of it (scoring.demo)."""
        from demo.hiring import demo_workspace_fill
        from demo.scoring import demo_scores_fill

        demo_workspace_fill(client=client, stdout=self.stdout)
        demo_scores_fill(client=client, stdout=self.stdout)

    def _user(self, email: str, name: str) -> User:
        existing = User.objects.filter(email__iexact=email).first()
        return existing or user_create(email=email, password=DEMO_PASSWORD, name=name)

    def _print_summary(self, client: Client, port: int) -> None:
        base = settings.BASE_DOMAIN
        out = self.stdout.write
        out("")
        out("Demo is ready. Every account's password: " + DEMO_PASSWORD)
        out(f"  Public site and agency dashboard: http://{base}:{port}/")
        out(f"  Platform administration:          http://{base}:{port}/admin/  ({OPERATOR[0]})")
        out("    (staff sign in with a second factor: set up an authenticator app the first time)")
        out(f"  {client.name} workspace:          http://{client.slug}.{base}:{port}/")
        for email, _, role in CLIENT_PEOPLE:
            out(f"    {role:<15} {email}")
        for spec in AGENCIES:
            out(f"  {spec['name']} (sign in on the public site, then open {client.name}):")
            for email, _, role in spec["people"]:
                out(f"    {role:<15} {email}")
