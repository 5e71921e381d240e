import uuid
from argparse import ArgumentParser
from typing import Any

from django.core.exceptions import ValidationError
from django_tenants.utils import tenant_context

from audit.actors import Actor
from hiring.candidate_identity import normalize_email
from hiring.models import Candidate
from hiring.services.privacy import ERASURE_REASONS, candidate_erase
from tenants.management.service_command import ServiceCommand
from tenants.services import client_get_by_slug


class Command(ServiceCommand):
    help = (
        "Erase a candidate's personal data at one client: name replaced, contact data, resume "
        "and free text removed; stages, dates and scores kept. Prints no personal data."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--client", required=True, help="Client slug.")
        who = parser.add_mutually_exclusive_group(required=True)
        who.add_argument("--candidate", help="The candidate's public id (UUID).")
        who.add_argument("--email", help="The candidate's email address, in any spelling.")
        parser.add_argument(
            "--reason",
            required=True,
            help="Why: "
            + "; ".join(f"'{code}': {meaning}" for code, meaning in ERASURE_REASONS.items())
            + ".",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        client = client_get_by_slug(options["client"])
        with tenant_context(client):
            candidate = self._find_candidate(options, client_slug=client.slug)
            result = candidate_erase(
                actor=Actor.system("command:erase_candidate"),
                candidate=candidate,
                reason=options["reason"],
            )
        if result.already_erased:
            self.stdout.write(
                f"Candidate {candidate.public_id} at {client.slug} was already erased; "
                "nothing changed."
            )
            return
        resume = "resume deleted, " if result.resume_removed else ""
        self.stdout.write(
            f"Erased candidate {candidate.public_id} at {client.slug}: contact data, {resume}"
            f"free text of {result.submissions_cleared} submission(s) removed; "
            "stages and scores kept."
        )

    def _find_candidate(self, options: dict[str, Any], *, client_slug: str) -> Candidate:
        if options["candidate"] is not None:
            try:
                public_id = uuid.UUID(options["candidate"])
            except ValueError:
                raise ValidationError(
                    {"candidate": "Give the candidate's public id, a UUID."}
                ) from None
            candidate = Candidate.objects.filter(public_id=public_id).first()
            if candidate is None:
                raise ValidationError(
                    {"candidate": f"No candidate at {client_slug} has the id {public_id}."}
                )
            return candidate
        email_normalized = normalize_email(options["email"])
        candidate = (
            Candidate.objects.filter(email_normalized=email_normalized).first()
            if email_normalized
            else None
        )
        if candidate is None:
            # The address is not repeated: command output ends up in logs.
            raise ValidationError({"email": f"No candidate at {client_slug} has this address."})
        return candidate
