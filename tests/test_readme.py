"""Every `manage.py` command the README shows works when copied as written, in the order it
shows them (the `make` targets are run by CI and .ci/embedded-check, the compose file by
`make compose-check`)."""

import io
import re
import shlex
from pathlib import Path

import pytest
from django.core.management import call_command, get_commands, load_command_class
from django_tenants.utils import schema_context

from hiring.models import Candidate
from tenants.models import ApiKey, Client, Engagement, User

README = Path(__file__).resolve().parent.parent / "README.md"
PREFIX = ".venv/bin/python manage.py "
# The commands the design asks for, each of which the README must show.
DOCUMENTED = {
    "provision_client",
    "create_user",
    "grant",
    "create_agency",
    "engage_agency",
    "create_api_key",
    "seed_demo",
    "erase_candidate",
    "migrate_all",
}


def readme_commands() -> list[list[str]]:
    """The argument lists of every manage.py line of the README's bash blocks."""
    commands = []
    for block in re.findall(r"```bash\n(.*?)```", README.read_text(), re.S):
        for line in block.splitlines():
            if line.startswith(PREFIX):
                commands.append(shlex.split(line.removeprefix(PREFIX), comments=True))
    return commands


def test_the_readme_shows_every_operator_command_without_placeholders():
    commands = readme_commands()
    assert {args[0] for args in commands} >= DOCUMENTED
    for args in commands:
        line = " ".join(args)
        assert "[" not in line and "..." not in line and "<" not in line, line


def test_every_readme_command_works_as_written(committed_db):
    ran = []
    try:
        for args in readme_commands():
            output = io.StringIO()
            call_command(*args, stdout=output, stderr=io.StringIO())
            ran.append(args[0])
        assert ran == [args[0] for args in readme_commands()]
        globex = Client.objects.get(slug="globex")
        ana = User.objects.get(email="ana@globex.example")
        assert ana.client_memberships.get(client=globex).role == "admin"
        engagement = Engagement.objects.get(client=globex, agency__slug="talentco")
        assert (engagement.ownership_window_days, str(engagement.fee_percent)) == (180, "18.00")
        assert ApiKey.objects.filter(client=globex, agency__slug="talentco").count() == 1
        acme = Client.objects.get(slug="acme")
        with schema_context(acme.schema_name):
            erased = Candidate.objects.exclude(anonymized_at=None)
            assert erased.count() == 1
            assert not Candidate.objects.filter(email_normalized="priya.raman@example.org").exists()
    finally:
        for slug in ("globex", "acme"):
            client = Client.objects.filter(slug=slug).first()
            if client is not None:
                client.auto_drop_schema = True
                client.delete(force_drop=True)


@pytest.mark.parametrize("args", readme_commands(), ids=lambda args: args[0])
def test_each_readme_command_documents_its_flags(args):
    """`--help` of each command names every flag the README uses with it."""
    command = load_command_class(get_commands()[args[0]], args[0])
    parser = command.create_parser("manage.py", args[0])
    known = {option for action in parser._actions for option in action.option_strings}
    used = {arg for arg in args[1:] if arg.startswith("--")}
    assert used <= known, used - known
